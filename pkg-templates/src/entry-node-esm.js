// Node, ES module (index.mjs; scripts/build.mjs adds the named exports):
// the same object as the CommonJS entry's module.exports (node.js).
import { readFileSync } from "node:fs";
import { setUpNode, sharedApi } from "./node.js";
import "./group/node.js"; // token groups: their code (group-node.cjs) and thread members

setUpNode(
  () => readFileSync(new URL("./pkcs11_wasm_bg.wasm", import.meta.url)),
  () => readFileSync(new URL("./pkcs11_wasm_extra_bg.wasm", import.meta.url)),
);

export default sharedApi();
