// Bundler resolution (Vite, webpack, esbuild users): default, named and
// namespace imports, and the inline entry.
import pkcs11js from "pkcs11-wasm";
import { PKCS11, CKM_AES_KEY_GEN } from "pkcs11-wasm";
import * as inline from "pkcs11-wasm/inline";

export async function open(): Promise<Buffer> {
  await inline.init();
  const lib = new PKCS11();
  await lib.C_InitializeAsync();
  const [slot] = lib.C_GetSlotList(true);
  const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  return lib.C_GenerateKey(session, { mechanism: CKM_AES_KEY_GEN }, [{ type: pkcs11js.CKA_VALUE_LEN, value: 32 }]);
}
