// Constants only (pkcs11-wasm/constants): every CK* value and this
// package's CK_PARAMS_* tags, with no wasm module and no facade, for code
// that only needs the numbers (and bundles that should stay small).
export * from "@gen/constants";
export * from "./param-tags.js";
