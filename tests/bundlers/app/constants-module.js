// Only pkcs11-wasm/constants: neither the wasm module nor the facade.
import { CKM_AES_GCM, CKA_CLASS } from "pkcs11-wasm/constants";

console.log(CKM_AES_GCM, CKA_CLASS);
