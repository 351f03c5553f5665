// The shape of each Cryptoki call the page makes: parameter names and
// kinds. The trace uses it to name numbers (CKU_USER, CKF_RW_SESSION) and
// the snippet generator to write JavaScript for them.
//   slot/session/object: handles; flags: session flags; user: CKU_*;
//   mech: a mechanism; mechType: a CKM_* number; template; bytes; out:
//   an output buffer; pin, text, bool, number: as they are.
export const SIGNATURES = {
  C_Initialize: [],
  C_Finalize: [],
  C_GetInfo: [],
  C_GetSlotList: [["tokenPresent", "bool"]],
  C_GetSlotInfo: [["slot", "slot"]],
  C_GetTokenInfo: [["slot", "slot"]],
  C_GetMechanismList: [["slot", "slot"]],
  C_GetMechanismInfo: [["slot", "slot"], ["type", "mechType"]],
  C_InitToken: [["slot", "slot"], ["soPin", "pin"], ["label", "text"]],
  C_InitPIN: [["session", "session"], ["pin", "pin"]],
  C_SetPIN: [["session", "session"], ["oldPin", "pin"], ["newPin", "pin"]],
  C_OpenSession: [["slot", "slot"], ["flags", "flags"]],
  C_CloseSession: [["session", "session"]],
  C_CloseAllSessions: [["slot", "slot"]],
  C_GetSessionInfo: [["session", "session"]],
  C_Login: [["session", "session"], ["userType", "user"], ["pin", "pin"]],
  C_Logout: [["session", "session"]],
  C_CreateObject: [["session", "session"], ["template", "template"]],
  C_CopyObject: [["session", "session"], ["object", "object"], ["template", "template"]],
  C_DestroyObject: [["session", "session"], ["object", "object"]],
  C_GetObjectSize: [["session", "session"], ["object", "object"]],
  C_GetAttributeValue: [["session", "session"], ["object", "object"], ["template", "template"]],
  C_SetAttributeValue: [["session", "session"], ["object", "object"], ["template", "template"]],
  C_FindObjectsInit: [["session", "session"], ["template", "template"]],
  C_FindObjects: [["session", "session"], ["maxObjectCount", "number"]],
  C_FindObjectsFinal: [["session", "session"]],
  C_EncryptInit: [["session", "session"], ["mechanism", "mech"], ["key", "object"]],
  C_Encrypt: [["session", "session"], ["data", "bytes"], ["out", "out"]],
  C_DecryptInit: [["session", "session"], ["mechanism", "mech"], ["key", "object"]],
  C_Decrypt: [["session", "session"], ["data", "bytes"], ["out", "out"]],
  C_DigestInit: [["session", "session"], ["mechanism", "mech"]],
  C_Digest: [["session", "session"], ["data", "bytes"], ["out", "out"]],
  C_SignInit: [["session", "session"], ["mechanism", "mech"], ["key", "object"]],
  C_Sign: [["session", "session"], ["data", "bytes"], ["out", "out"]],
  C_VerifyInit: [["session", "session"], ["mechanism", "mech"], ["key", "object"]],
  C_Verify: [["session", "session"], ["data", "bytes"], ["signature", "bytes"]],
  C_GenerateKey: [["session", "session"], ["mechanism", "mech"], ["template", "template"]],
  C_GenerateKeyPair: [["session", "session"], ["mechanism", "mech"], ["publicKeyTemplate", "template"], ["privateKeyTemplate", "template"]],
  C_WrapKey: [["session", "session"], ["mechanism", "mech"], ["wrappingKey", "object"], ["key", "object"], ["out", "out"]],
  C_UnwrapKey: [["session", "session"], ["mechanism", "mech"], ["unwrappingKey", "object"], ["wrappedKey", "bytes"], ["template", "template"]],
  C_DeriveKey: [["session", "session"], ["mechanism", "mech"], ["baseKey", "object"], ["template", "template"]],
  C_GenerateRandom: [["session", "session"], ["out", "out"]],
  deleteToken: [["slot", "slot"]],
};

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
};

/** Calls that only read: left out of a snippet's set-up when nothing uses their result. */
export const READ_ONLY = new Set([
  "C_GetInfo", "C_GetSlotInfo", "C_GetTokenInfo", "C_GetMechanismList", "C_GetMechanismInfo", "C_GetSessionInfo",
  "C_GetObjectSize", "C_GetAttributeValue",
]);
