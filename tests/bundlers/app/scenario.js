// What each bundled page runs: the seed scenario (a token, a session, an
// AES-256 key, GCM encryption and decryption; a token group of two
// members), reported on window.result.
export async function run(pkcs11js, initArg) {
  try {
    await pkcs11js.init(initArg);
    const p11 = new pkcs11js.PKCS11();
    await p11.C_InitializeAsync({ libraryParameters: JSON.stringify({ kdfIterations: 1000, slots: [{ storage: "memory" }] }) });
    const [slot] = p11.C_GetSlotList(false);
    p11.C_InitToken(slot, "so-pin-1234", "bundled");
    const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    p11.C_Login(session, pkcs11js.CKU_SO, "so-pin-1234");
    p11.C_InitPIN(session, "user-pin-1234");
    p11.C_Logout(session);
    p11.C_Login(session, pkcs11js.CKU_USER, "user-pin-1234");
    const key = p11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_DECRYPT, value: true },
    ]);
    const iv = p11.C_GenerateRandom(session, new Uint8Array(12));
    const gcm = { mechanism: pkcs11js.CKM_AES_GCM, parameter: { type: pkcs11js.CK_PARAMS_AES_GCM, iv, tagBits: 128 } };
    const text = new TextEncoder().encode("hello from a bundle");
    p11.C_EncryptInit(session, gcm, key);
    const sealed = p11.C_Encrypt(session, text, new Uint8Array(64));
    p11.C_DecryptInit(session, gcm, key);
    const opened = p11.C_Decrypt(session, sealed, new Uint8Array(64));
    let error;
    try {
      p11.C_Login(session, pkcs11js.CKU_USER, "user-pin-1234");
    } catch (e) {
      error = e instanceof pkcs11js.Pkcs11Error ? e.message : String(e);
    }
    await p11.C_FinalizeAsync();
    // A token group: the main entry imports the groups' code (group.mjs,
    // beside it or emitted by the bundler) when a configuration has one.
    const member = (name) => ({ storage: { memory: name } });
    const grouped = new pkcs11js.PKCS11({ kdfIterations: "insecure-test", slots: [{ group: { members: [member("bundle-a"), member("bundle-b")] } }] });
    await grouped.C_InitializeAsync();
    const groupMembers = grouped.groupStatus(grouped.C_GetSlotList(false)[0]).members.length;
    grouped.C_Finalize();
    window.result = { text: new TextDecoder().decode(opened), sealedLength: sealed.length, error, groupMembers };
  } catch (e) {
    window.result = { failed: String(e && e.stack ? e.stack : e) };
  }
}
