// Lesson 6: wrapping and unwrapping keys: the same key, out and back in.
import { K, H, note, bytes, aesTemplate, ensureUser, usageFlags, decryptText, gcm } from "./common.js";
import { randomBytes } from "../bytes.js";

const MESSAGE = "Backed up and restored.";

export default {
  id: "wrap",
  title: "Wrapping and unwrapping keys",
  summary: "Export a key encrypted under another key, destroy it, bring it back.",
  intro: "Wrapping is how keys move between tokens or into backups without ever appearing in the clear: C_WrapKey encrypts one key under another, C_UnwrapKey turns the bytes back into a key object.",
  spec: ["C_WrapKey", "C_UnwrapKey", "C_DestroyObject", "aesKeyWrap"],
  steps: [
    {
      title: "Make a key-encryption key (KEK)",
      explain: "A KEK needs CKA_WRAP and CKA_UNWRAP true; this one may do nothing else.",
      call: "C_GenerateKey(hSession, { mechanism: CKM_AES_KEY_GEN }, pTemplate)",
      run: async (L) => {
        L.vars.s = await ensureUser(L);
        L.vars.kek = await L.must("C_GenerateKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_GEN }, aesTemplate("KEK", [], ["CKA_WRAP", "CKA_UNWRAP"])]);
        return note(`KEK #${L.vars.kek}.`);
      },
    },
    {
      title: "Make a data key and encrypt with it",
      explain: "The data key is extractable (it may be wrapped) and sensitive (it may not be read).",
      call: "C_GenerateKey(...); C_EncryptInit(hSession, { mechanism: CKM_AES_GCM, parameter }, hKey); C_Encrypt(hSession, pData, pEncryptedData)",
      run: async (L) => {
        L.vars.key = await L.must("C_GenerateKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_GEN }, aesTemplate("data key", [{ type: K.CKA_EXTRACTABLE, value: true }, { type: K.CKA_SENSITIVE, value: true }])]);
        L.vars.gcm = gcm(randomBytes(12));
        await L.must("C_EncryptInit", [H(L.vars.s), L.vars.gcm, H(L.vars.key)]);
        const data = new TextEncoder().encode(MESSAGE);
        L.vars.ct = await L.must("C_Encrypt", [H(L.vars.s), data, { $out: data.length + 16 }]);
        return bytes(L.vars.ct, `Data key #${L.vars.key} encrypted “${MESSAGE}”`);
      },
    },
    {
      title: "Wrap the data key",
      explain: "CKM_AES_KEY_WRAP_KWP (RFC 5649) turns the 32-byte key into 40 bytes of ciphertext.",
      call: "C_WrapKey(hSession, { mechanism: CKM_AES_KEY_WRAP_KWP }, hWrappingKey, hKey, pWrappedKey)",
      run: async (L) => {
        L.vars.wrapped = await L.must("C_WrapKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_WRAP_KWP }, H(L.vars.kek), H(L.vars.key), { $out: 512 }]);
        return bytes(L.vars.wrapped, "Wrapped data key");
      },
      freehand: { action: "wrap", prefill: (L) => ({ session: L.vars.s, mechanism: "CKM_AES_KEY_WRAP_KWP", wrappingKey: L.vars.kek, key: L.vars.key }), accept: (r, L) => r.fn === "C_WrapKey" && r.ok && (L.vars.wrapped = r.value) !== undefined },
    },
    {
      title: "Destroy the data key",
      explain: "Now only the wrapped bytes are left.",
      call: "C_DestroyObject(hSession, hObject)",
      run: async (L) => {
        await L.must("C_DestroyObject", [H(L.vars.s), H(L.vars.key)]);
        return note(`Key #${L.vars.key} is gone.`);
      },
    },
    {
      title: "Unwrap it into a new key object",
      explain: "The template gives the new object's attributes; the value comes from the wrapped bytes. The new key gets a new handle.",
      call: "C_UnwrapKey(hSession, { mechanism: CKM_AES_KEY_WRAP_KWP }, hUnwrappingKey, pWrappedKey, pTemplate)",
      run: async (L) => {
        L.vars.back = await L.must("C_UnwrapKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_WRAP_KWP }, H(L.vars.kek), L.vars.wrapped, [
          { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY }, { type: K.CKA_KEY_TYPE, value: K.CKK_AES }, { type: K.CKA_TOKEN, value: false }, { type: K.CKA_PRIVATE, value: true },
          { type: K.CKA_LABEL, value: "data key, unwrapped" }, ...usageFlags(["CKA_ENCRYPT", "CKA_DECRYPT"])]]);
        return note(`Unwrapped as key #${L.vars.back}.`);
      },
      freehand: { action: "unwrap", prefill: (L) => ({ session: L.vars.s, unwrappingKey: L.vars.kek, mechanism: "CKM_AES_KEY_WRAP_KWP" }), accept: (r, L) => r.fn === "C_UnwrapKey" && r.ok && (L.vars.back = r.value) !== undefined },
    },
    {
      title: "Decrypt the old ciphertext with it",
      explain: "Same key bytes, so the old ciphertext decrypts.",
      call: "C_DecryptInit(hSession, pMechanism, hKey); C_Decrypt(hSession, pEncryptedData, pData)",
      run: async (L) => {
        return note(`Decrypted: “${await decryptText(L, L.vars.s, L.vars.gcm, L.vars.back, L.vars.ct)}”`);
      },
    },
  ],
  outro: "Wrapping moves keys safely; CKA_EXTRACTABLE false forbids even that (lesson 4).",
};
