// CommonJS consumer under `module: node16`: `import x = require()` and,
// with esModuleInterop, the default import; both are the whole API.
import pkcs11js = require("pkcs11-wasm");
import pkcs11Default from "pkcs11-wasm";

const lib: pkcs11js.PKCS11 = new pkcs11Default.PKCS11();
const info: pkcs11js.TokenInfo = lib.C_GetTokenInfo(Buffer.alloc(8));
export const used = [info.label, pkcs11js.CKA_CLASS, pkcs11Default.CKM_AES_GCM];
