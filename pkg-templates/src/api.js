// The package's exports other than the generated CK* constants: the PKCS11
// class, the error classes and pkcs11-wasm's own parameter tags (index.js
// adds the constants; the Node entries take them as one plain object,
// node.js).
import "./async.js"; // adds the callback and Async forms to PKCS11
import "./durable.js"; // storage around the calls (after async.js: wraps its forms too)
import "./group/facade.js"; // token groups: status, membership, non-blocking Async forms (after durable.js)
export { PKCS11 } from "./pkcs11.js";
export { NativeError, Pkcs11Error } from "./errors.js";
export { preload } from "./extra.js";
export { hostAes } from "./host-aes.js";
export { CK_PARAMS_AES_CTR } from "./param-tags.js";
export { CK_PARAMS_GCM_MESSAGE, CK_PARAMS_CHACHA20_POLY1305_MESSAGE } from "./param-tags.js";
export { CK_PARAMS_CHACHA20_POLY1305 } from "./param-tags.js";
export { CK_PARAMS_EDDSA } from "./param-tags.js";
export { CK_PARAMS_KEY_DERIVATION_STRING_DATA, CK_PARAMS_HKDF, CK_PARAMS_PKCS5_PBKD2, CK_PARAMS_SP800_108_KDF } from "./param-tags.js";
export { CK_PARAMS_RSA_AES_KEY_WRAP, CK_PARAMS_SIGN_ADDITIONAL_CONTEXT } from "./param-tags.js";
