// Writes token objects to an IndexedDB token, ends with a synchronous
// C_Finalize() (no await) and reloads at once; after the reload, counts
// what was stored. packaging_pagehide.test.mjs drives it.
import { init, PKCS11, CKF_SERIAL_SESSION, CKF_RW_SESSION, CKU_SO, CKU_USER, CKA_CLASS, CKO_DATA, CKA_TOKEN, CKA_LABEL, CKA_VALUE } from "/pkg/browser.mjs";

const params = new URLSearchParams(location.search);
const db = params.get("db");
const objects = Number(params.get("objects") ?? 20);
const config = JSON.stringify({ kdfIterations: "insecure-test", slots: [{ storage: { indexedDB: db } }] });

await init();
const p11 = new PKCS11();
await p11.C_InitializeAsync({ libraryParameters: config });
const [slot] = p11.C_GetSlotList(true);

if (!sessionStorage.getItem(db)) {
  sessionStorage.setItem(db, "written");
  p11.C_InitToken(slot, "so-pin-1234", "pagehide");
  const s = p11.C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION);
  p11.C_Login(s, CKU_SO, "so-pin-1234");
  p11.C_InitPIN(s, "user-pin-1234");
  p11.C_Logout(s);
  p11.C_Login(s, CKU_USER, "user-pin-1234");
  for (let i = 0; i < objects; i++) {
    p11.C_CreateObject(s, [
      { type: CKA_CLASS, value: CKO_DATA },
      { type: CKA_TOKEN, value: true },
      { type: CKA_LABEL, value: `object ${i}` },
      { type: CKA_VALUE, value: new Uint8Array(64) },
    ]);
  }
  p11.C_Finalize(); // synchronous: IndexedDB writes are only started
  location.reload();
} else {
  try {
    const session = p11.C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION);
    p11.C_Login(session, CKU_USER, "user-pin-1234");
    p11.C_FindObjectsInit(session, [{ type: CKA_CLASS, value: CKO_DATA }]);
    const found = p11.C_FindObjects(session, 1000).length;
    p11.C_FindObjectsFinal(session);
    window.result = { found };
  } catch (e) {
    window.result = { found: 0, error: e.message }; // the token itself was lost
  }
}
