// What `require("pkcs11-wasm")` means inside examples/ (see package.json):
// the package as built into ../pkg by `npm run build`.
const path = require("node:path");
const fs = require("node:fs");

const built = path.join(__dirname, "..", "pkg", "index.cjs");
if (!fs.existsSync(built)) {
  throw new Error(`pkcs11-wasm is not built (${built} is missing): run \`npm run build\` first`);
}
module.exports = require(built);
