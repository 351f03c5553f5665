// The shape of each Cryptoki call the page makes: each argument's name as
// the PKCS#11 3.1 prototypes spell it (section 5, pkcs11f.h) and its kind.
// The trace shows the names (hSession=..., pMechanism=...); it and the
// snippet generator use the kinds to name numbers (CKU_USER,
// CKF_RW_SESSION) and to write JavaScript for them.
//   slot/session/object: handles; flags: session flags; user: CKU_*;
//   mech: a mechanism; mechType: a CKM_* number; template; bytes; out:
//   an output buffer; pin, text, bool, number: as they are.
// The JavaScript calls (pkcs11js) drop the C length arguments (ulCount,
// ulDataLen, pulEncryptedDataLen...): a Buffer carries its own length.
export const SIGNATURES = {
  C_Initialize: [],
  C_Finalize: [],
  C_GetInfo: [],
  C_GetSlotList: [["tokenPresent", "bool"]],
  C_GetSlotInfo: [["slotID", "slot"]],
  C_GetTokenInfo: [["slotID", "slot"]],
  C_GetMechanismList: [["slotID", "slot"]],
  C_GetMechanismInfo: [["slotID", "slot"], ["type", "mechType"]],
  C_InitToken: [["slotID", "slot"], ["pPin", "pin"], ["pLabel", "text"]],
  C_InitPIN: [["hSession", "session"], ["pPin", "pin"]],
  C_SetPIN: [["hSession", "session"], ["pOldPin", "pin"], ["pNewPin", "pin"]],
  C_OpenSession: [["slotID", "slot"], ["flags", "flags"]],
  C_CloseSession: [["hSession", "session"]],
  C_CloseAllSessions: [["slotID", "slot"]],
  C_GetSessionInfo: [["hSession", "session"]],
  C_Login: [["hSession", "session"], ["userType", "user"], ["pPin", "pin"]],
  C_Logout: [["hSession", "session"]],
  C_CreateObject: [["hSession", "session"], ["pTemplate", "template"]],
  C_CopyObject: [["hSession", "session"], ["hObject", "object"], ["pTemplate", "template"]],
  C_DestroyObject: [["hSession", "session"], ["hObject", "object"]],
  C_GetObjectSize: [["hSession", "session"], ["hObject", "object"]],
  C_GetAttributeValue: [["hSession", "session"], ["hObject", "object"], ["pTemplate", "template"]],
  C_SetAttributeValue: [["hSession", "session"], ["hObject", "object"], ["pTemplate", "template"]],
  C_FindObjectsInit: [["hSession", "session"], ["pTemplate", "template"]],
  C_FindObjects: [["hSession", "session"], ["ulMaxObjectCount", "number"]],
  C_FindObjectsFinal: [["hSession", "session"]],
  C_EncryptInit: [["hSession", "session"], ["pMechanism", "mech"], ["hKey", "object"]],
  C_Encrypt: [["hSession", "session"], ["pData", "bytes"], ["pEncryptedData", "out"]],
  C_EncryptUpdate: [["hSession", "session"], ["pPart", "bytes"], ["pEncryptedPart", "out"]],
  C_EncryptFinal: [["hSession", "session"], ["pLastEncryptedPart", "out"]],
  C_DecryptInit: [["hSession", "session"], ["pMechanism", "mech"], ["hKey", "object"]],
  C_Decrypt: [["hSession", "session"], ["pEncryptedData", "bytes"], ["pData", "out"]],
  C_DecryptUpdate: [["hSession", "session"], ["pEncryptedPart", "bytes"], ["pPart", "out"]],
  C_DecryptFinal: [["hSession", "session"], ["pLastPart", "out"]],
  C_DigestInit: [["hSession", "session"], ["pMechanism", "mech"]],
  C_Digest: [["hSession", "session"], ["pData", "bytes"], ["pDigest", "out"]],
  C_DigestUpdate: [["hSession", "session"], ["pPart", "bytes"]],
  C_DigestFinal: [["hSession", "session"], ["pDigest", "out"]],
  C_SignInit: [["hSession", "session"], ["pMechanism", "mech"], ["hKey", "object"]],
  C_Sign: [["hSession", "session"], ["pData", "bytes"], ["pSignature", "out"]],
  C_SignUpdate: [["hSession", "session"], ["pPart", "bytes"]],
  C_SignFinal: [["hSession", "session"], ["pSignature", "out"]],
  C_VerifyInit: [["hSession", "session"], ["pMechanism", "mech"], ["hKey", "object"]],
  C_Verify: [["hSession", "session"], ["pData", "bytes"], ["pSignature", "bytes"]],
  C_VerifyUpdate: [["hSession", "session"], ["pPart", "bytes"]],
  C_VerifyFinal: [["hSession", "session"], ["pSignature", "bytes"]],
  C_GenerateKey: [["hSession", "session"], ["pMechanism", "mech"], ["pTemplate", "template"]],
  C_GenerateKeyPair: [["hSession", "session"], ["pMechanism", "mech"], ["pPublicKeyTemplate", "template"], ["pPrivateKeyTemplate", "template"]],
  C_WrapKey: [["hSession", "session"], ["pMechanism", "mech"], ["hWrappingKey", "object"], ["hKey", "object"], ["pWrappedKey", "out"]],
  C_UnwrapKey: [["hSession", "session"], ["pMechanism", "mech"], ["hUnwrappingKey", "object"], ["pWrappedKey", "bytes"], ["pTemplate", "template"]],
  C_DeriveKey: [["hSession", "session"], ["pMechanism", "mech"], ["hBaseKey", "object"], ["pTemplate", "template"]],
  C_GenerateRandom: [["hSession", "session"], ["pRandomData", "out"]],
  deleteToken: [["slotID", "slot"]],
  // pkcs11-wasm's token groups (README "Groups"): a member is named by its index.
  groupStatus: [["slotID", "slot"]],
  disableMember: [["slotID", "slot"], ["member", "number"]],
  enableMember: [["slotID", "slot"], ["member", "number"]],
};
// pkcs11js's Async forms take the arguments of the call they make (off the
// calling thread; on a token group, on a member's thread) and resolve to its result.
export const ASYNC_FORMS = ["C_Encrypt", "C_Decrypt", "C_Sign", "C_Verify", "C_Digest", "C_GenerateKey", "C_GenerateKeyPair"];
for (const fn of ASYNC_FORMS) SIGNATURES[`${fn}Async`] = SIGNATURES[fn];

/** "C_SignAsync" -> "C_Sign"; other names as they are. */
export const syncName = (fn) => fn.replace(/Async$/, "");

/** What a call's result is, for naming it in snippets and the trace. */
export const RESULTS = {
  C_GetSlotList: "slots",
  C_OpenSession: "session",
  C_CreateObject: "object",
  C_CopyObject: "object",
  C_GenerateKey: "object",
  C_UnwrapKey: "object",
  C_DeriveKey: "object",
  C_FindObjects: "objects",
  C_GenerateKeyPair: "keypair",
  C_GenerateKeyAsync: "object",
  C_GenerateKeyPairAsync: "keypair",
};

/** Calls whose PIN belongs to the SO, the USER, or whoever is logged in (PKCS#11 3.1 5.5.7-5.5.9, 5.6.8). */
export function pinOwner(fn, args, loggedIn) {
  if (fn === "C_InitToken") return "SO";
  if (fn === "C_InitPIN") return "USER";
  if (fn === "C_Login") return args?.[1] === 0 ? "SO" : args?.[1] === 2 ? "CONTEXT" : "USER";
  // C_SetPIN changes the PIN of the user logged in, or the USER's when nobody is.
  if (fn === "C_SetPIN") return loggedIn === "SO" ? "SO" : "USER";
  return null;
}
