// A browser project without @types/node: byte values are Uint8Arrays.
import pkcs11js from "pkcs11-wasm";

export async function encrypt(data: Uint8Array): Promise<Uint8Array> {
  await pkcs11js.init();
  const lib = new pkcs11js.PKCS11();
  await lib.C_InitializeAsync();
  const [slot] = lib.C_GetSlotList(true);
  const session: Uint8Array = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
  const key = lib.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [{ type: pkcs11js.CKA_VALUE_LEN, value: 32 }]);
  const iv = lib.C_GenerateRandom(session, new Uint8Array(12));
  lib.C_EncryptInit(session, { mechanism: pkcs11js.CKM_AES_GCM, parameter: { type: pkcs11js.CK_PARAMS_AES_GCM, iv, tagBits: 128 } }, key);
  const sealed = await lib.C_EncryptAsync(session, data, new Uint8Array(data.length + 16));
  await lib.C_FinalizeAsync();
  return sealed;
}
