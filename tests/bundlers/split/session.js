// A logged-in user session on an in-memory token, for the pages and the
// worker of module_split_browser.test.mjs.
import * as P from "/pkg/browser.mjs";

export const ED25519 = new Uint8Array([0x06, 0x03, 0x2b, 0x65, 0x70]);

export async function openSession() {
  await P.init();
  const p = new P.PKCS11();
  await p.C_InitializeAsync({ libraryParameters: JSON.stringify({ kdfIterations: "insecure-test", slots: [{ storage: "memory" }] }) });
  const [slot] = p.C_GetSlotList(true);
  p.C_InitToken(slot, "so-pin-1234", "split");
  const s = p.C_OpenSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION);
  p.C_Login(s, P.CKU_SO, "so-pin-1234");
  p.C_InitPIN(s, "user-pin-1234");
  p.C_Logout(s);
  p.C_Login(s, P.CKU_USER, "user-pin-1234");
  return { p, s, slot };
}

export const pairArgs = (s) => [
  s,
  { mechanism: P.CKM_EC_EDWARDS_KEY_PAIR_GEN },
  [{ type: P.CKA_EC_PARAMS, value: ED25519 }, { type: P.CKA_VERIFY, value: true }],
  [{ type: P.CKA_SIGN, value: true }],
];

/** Signs and verifies with the pair; true if both worked. */
export function signVerify(p, s, { publicKey, privateKey }) {
  const message = new TextEncoder().encode("on a page");
  p.C_SignInit(s, { mechanism: P.CKM_EDDSA }, privateKey);
  const signature = p.C_Sign(s, message, new Uint8Array(64));
  p.C_VerifyInit(s, { mechanism: P.CKM_EDDSA }, publicKey);
  return p.C_Verify(s, message, signature);
}

export function countObjects(p, s) {
  p.C_FindObjectsInit(s, []);
  const n = p.C_FindObjects(s, 100).length;
  p.C_FindObjectsFinal(s);
  return n;
}
