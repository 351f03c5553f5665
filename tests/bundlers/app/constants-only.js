// Only constants, from the inline entry and from pkcs11-wasm/constants:
// the bundle must carry no wasm module.
import { CKM_AES_GCM, CKA_CLASS } from "pkcs11-wasm/inline";
import { CKO_SECRET_KEY } from "pkcs11-wasm/constants";

console.log(CKM_AES_GCM, CKA_CLASS, CKO_SECRET_KEY);
