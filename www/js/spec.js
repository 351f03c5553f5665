// Where PKCS#11 3.1 (OASIS Standard, 23 July 2023) defines each function
// and concept the page shows: section numbers, and the anchors of the
// standard's HTML text where they are known. No imports: Node tests load
// this file too.
export const SPEC_URL = "https://docs.oasis-open.org/pkcs11/pkcs11-spec/v3.1/os/pkcs11-spec-v3.1-os.html";

// [section, anchor in the HTML text]
const FUNCTIONS = {
  C_Initialize: ["5.4.1", "_Toc111203255"],
  C_Finalize: ["5.4.2", "_Toc111203256"],
  C_GetInfo: ["5.4.3", "_Toc111203257"],
  C_GetSlotList: ["5.5.1", "_Toc111203262"],
  C_GetSlotInfo: ["5.5.2", "_Toc111203263"],
  C_GetTokenInfo: ["5.5.3", "_Toc111203264"],
  C_GetMechanismList: ["5.5.5", "_Toc111203266"],
  C_GetMechanismInfo: ["5.5.6", "_Toc111203267"],
  C_InitToken: ["5.5.7", "_Toc111203268"],
  C_InitPIN: ["5.5.8", "_Toc111203269"],
  C_SetPIN: ["5.5.9", "_Toc111203270"],
  C_OpenSession: ["5.6.1", "_Toc111203272"],
  C_CloseSession: ["5.6.2", "_Toc111203273"],
  C_CloseAllSessions: ["5.6.3", "_Toc111203274"],
  C_GetSessionInfo: ["5.6.4", "_Toc111203275"],
  C_Login: ["5.6.8", "_Toc111203279"],
  C_Logout: ["5.6.10", "_Toc111203281"],
  C_CreateObject: ["5.7.1", "_Toc111203283"],
  C_CopyObject: ["5.7.2", "_Toc111203284"],
  C_DestroyObject: ["5.7.3", "_Toc111203285"],
  C_GetObjectSize: ["5.7.4", "_Toc111203286"],
  C_GetAttributeValue: ["5.7.5", "_Toc111203287"],
  C_SetAttributeValue: ["5.7.6", "_Toc111203288"],
  C_FindObjectsInit: ["5.7.7", "_Toc111203289"],
  C_FindObjects: ["5.7.8", "_Toc111203290"],
  C_FindObjectsFinal: ["5.7.9", "_Toc111203291"],
  C_EncryptInit: ["5.8.1", "_Toc111203293"],
  C_Encrypt: ["5.8.2", "_Toc111203294"],
  C_EncryptUpdate: ["5.8.3", "_Toc111203295"],
  C_EncryptFinal: ["5.8.4", "_Toc111203296"],
  C_DecryptInit: ["5.10.1", "_Toc111203304"],
  C_Decrypt: ["5.10.2", "_Toc111203305"],
  C_DecryptUpdate: ["5.10.3", "_Toc111203306"],
  C_DecryptFinal: ["5.10.4", "_Toc111203307"],
  C_DigestInit: ["5.12.1", "_Toc111203315"],
  C_Digest: ["5.12.2", "_Toc111203316"],
  C_DigestUpdate: ["5.12.3", "_Toc111203317"],
  C_DigestFinal: ["5.12.5", "_Toc111203319"],
  C_SignInit: ["5.13.1", "_Toc111203321"],
  C_Sign: ["5.13.2", "_Toc111203322"],
  C_SignUpdate: ["5.13.3", "_Toc111203323"],
  C_SignFinal: ["5.13.4", "_Toc111203324"],
  C_VerifyInit: ["5.15.1", "_Toc111203334"],
  C_Verify: ["5.15.2", "_Toc111203335"],
  C_VerifyUpdate: ["5.15.3", "_Toc111203336"],
  C_VerifyFinal: ["5.15.4", "_Toc111203337"],
  C_GenerateKey: ["5.18.1", "_Toc111203352"],
  C_GenerateKeyPair: ["5.18.2", "_Toc111203353"],
  C_WrapKey: ["5.18.3", "_Toc111203354"],
  C_UnwrapKey: ["5.18.4", "_Toc111203355"],
  C_DeriveKey: ["5.18.5", "_Toc111203356"],
  C_GenerateRandom: ["5.19.2", "_Toc111203359"],
};

// Concepts: [section or null, title, anchor or null (the link opens the text at its start)].
const TOPICS = {
  returnValues: ["5.1", "Function return values", null],
  buffers: ["5.2", "Conventions for functions returning output in a variable-length buffer", null],
  storageObjects: ["4.4", "Storage objects (CKA_TOKEN, CKA_PRIVATE)", null],
  privateKeys: ["4.9", "Private key objects", null],
  secretKeys: ["4.10", "Secret key objects (CKA_SENSITIVE, CKA_EXTRACTABLE)", null],
  // Mechanism chapter entries: linked by anchor, their numbers left out.
  aesKeys: [null, "AES secret key objects", "_Toc111203476"],
  aesKeyWrap: [null, "AES key wrap (CKM_AES_KEY_WRAP_KWP)", "_Toc111203510"],
};

/** { section, title, href } for a function name ("C_Login") or a topic key ("buffers"); null if unknown. */
export function specRef(name) {
  // pkcs11js's Async forms make the call they are named after (C_SignAsync: C_Sign).
  const async = /^C_\w+Async$/.test(name) ? FUNCTIONS[name.slice(0, -"Async".length)] : undefined;
  if (async) return { section: async[0], title: name, href: `${SPEC_URL}#${async[1]}` };
  const f = FUNCTIONS[name];
  if (f) return { section: f[0], title: name, href: `${SPEC_URL}#${f[1]}` };
  const t = TOPICS[name];
  if (t) return { section: t[0], title: t[1], href: t[2] ? `${SPEC_URL}#${t[2]}` : SPEC_URL };
  return null;
}
