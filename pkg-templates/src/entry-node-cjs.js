// Node, CommonJS (esbuild turns this into index.cjs). Written as CommonJS
// so that module.exports is a plain object, as pkcs11js's is: no
// `__esModule` marker, so every interop helper (TypeScript, Babel,
// esbuild, webpack) makes `import pkcs11js from "pkcs11-wasm"` this object.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { setUpNode, sharedApi } = require("./node.js");
require("./group/node.js"); // token groups: their code (group-node.cjs) and thread members

setUpNode(
  () => readFileSync(join(__dirname, "pkcs11_wasm_bg.wasm")),
  () => readFileSync(join(__dirname, "pkcs11_wasm_extra_bg.wasm")),
);

module.exports = sharedApi();
