// Typings of the ES entries: the declarations of index.d.ts, plus the
// default export (`import pkcs11js from "pkcs11-wasm"`), which is the
// object of all of them, as `require("pkcs11-wasm")` is.
import * as pkcs11js from "./index.js";
export * from "./index.js";
export default pkcs11js;
