// Lesson 4: private, sensitive, extractable, and why a sensitive key can
// still be wrapped (but an unextractable one cannot).
import { K, H, note, bytes, aesTemplate, ensureUser } from "./common.js";
import { ulongOf } from "../bytes.js";

const bool = (b) => (b[0] ? "true" : "false");

export default {
  id: "attributes",
  title: "Attributes: private, sensitive, extractable",
  summary: "What each protects, and why a sensitive key can be wrapped.",
  intro: "Objects are sets of attributes. Three of them decide who may see what: CKA_PRIVATE (only the logged-in USER sees the object), CKA_SENSITIVE (its secret value is never shown in the clear) and CKA_EXTRACTABLE (it may leave the token wrapped under another key).",
  spec: ["storageObjects", "secretKeys", "C_GetAttributeValue", "C_SetAttributeValue", "C_WrapKey", "C_Logout"],
  steps: [
    {
      title: "Log in and make a sensitive key",
      explain: "CKA_SENSITIVE true, CKA_EXTRACTABLE true: the usual setting for a key that must be backed up but never seen.",
      call: "C_GenerateKey(hSession, { mechanism: CKM_AES_KEY_GEN }, pTemplate)",
      run: async (L) => {
        L.vars.s = await ensureUser(L);
        L.vars.secret = await L.must("C_GenerateKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_GEN }, aesTemplate("sensitive key", [{ type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_EXTRACTABLE, value: true }])]);
        return note(`Key #${L.vars.secret}.`);
      },
    },
    {
      title: "Try to read its value",
      explain: "C_GetAttributeValue for CKA_VALUE of a sensitive key is refused with CKR_ATTRIBUTE_SENSITIVE. Its other attributes read normally.",
      call: "C_GetAttributeValue(hSession, hObject, [CKA_VALUE]); C_GetAttributeValue(hSession, hObject, [CKA_PRIVATE, CKA_SENSITIVE, ...])",
      run: async (L) => {
        const r = await L.expect("C_GetAttributeValue", [H(L.vars.s), H(L.vars.secret), [{ type: K.CKA_VALUE }]], "CKR_ATTRIBUTE_SENSITIVE");
        const a = await L.must("C_GetAttributeValue", [H(L.vars.s), H(L.vars.secret), [{ type: K.CKA_PRIVATE }, { type: K.CKA_SENSITIVE }, { type: K.CKA_EXTRACTABLE }, { type: K.CKA_ALWAYS_SENSITIVE }, { type: K.CKA_NEVER_EXTRACTABLE }, { type: K.CKA_VALUE_LEN }]]);
        return [L.explained(r, "As expected:"), note(`CKA_PRIVATE ${bool(a[0].value)}, CKA_SENSITIVE ${bool(a[1].value)}, CKA_EXTRACTABLE ${bool(a[2].value)}, CKA_ALWAYS_SENSITIVE ${bool(a[3].value)}, CKA_NEVER_EXTRACTABLE ${bool(a[4].value)}, CKA_VALUE_LEN ${ulongOf(a[5].value)}.`)];
      },
    },
    {
      title: "A key that is not sensitive",
      explain: "With CKA_SENSITIVE false and CKA_EXTRACTABLE true, anyone logged in can read the key bytes. Rarely what you want: that is why this token's default is CKA_EXTRACTABLE false, which hides the value as well.",
      call: "C_GenerateKey(...CKA_SENSITIVE = false, CKA_EXTRACTABLE = true...); C_GetAttributeValue(hSession, hObject, [CKA_VALUE])",
      run: async (L) => {
        const k = await L.must("C_GenerateKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_GEN }, aesTemplate("readable key", [{ type: K.CKA_SENSITIVE, value: false }, { type: K.CKA_EXTRACTABLE, value: true }])]);
        const [v] = await L.must("C_GetAttributeValue", [H(L.vars.s), H(k), [{ type: K.CKA_VALUE }]]);
        return bytes(v.value, `CKA_VALUE of key #${k}`);
      },
    },
    {
      title: "Wrap the sensitive key",
      explain: "Sensitive does not mean stuck: an extractable key can leave the token encrypted (wrapped) under a key-encryption key, here with CKM_AES_KEY_WRAP_KWP (RFC 5649). Only a token holding the wrapping key can unwrap it.",
      call: "C_GenerateKey(...wrapping key...); C_WrapKey(hSession, pMechanism, hWrappingKey, hKey, pWrappedKey)",
      run: async (L) => {
        L.vars.kek = await L.must("C_GenerateKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_GEN }, aesTemplate("wrapping key", [], ["CKA_WRAP", "CKA_UNWRAP"])]);
        const w = await L.must("C_WrapKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_WRAP_KWP }, H(L.vars.kek), H(L.vars.secret), { $out: 512 }]);
        return bytes(w, "The sensitive key, wrapped");
      },
      freehand: { action: "wrap", prefill: (L) => ({ session: L.vars.s, mechanism: "CKM_AES_KEY_WRAP_KWP", wrappingKey: L.vars.kek, key: L.vars.secret }), accept: (r) => r.fn === "C_WrapKey" && r.ok },
    },
    {
      title: "Make it unextractable, for good",
      explain: "CKA_EXTRACTABLE can be turned off but never on again (CKR_ATTRIBUTE_READ_ONLY). From then on even wrapping fails with CKR_KEY_UNEXTRACTABLE.",
      call: "C_SetAttributeValue(hSession, hObject, [CKA_EXTRACTABLE = false]); C_WrapKey(...); C_SetAttributeValue(hSession, hObject, [CKA_EXTRACTABLE = true])",
      run: async (L) => {
        await L.must("C_SetAttributeValue", [H(L.vars.s), H(L.vars.secret), [{ type: K.CKA_EXTRACTABLE, value: false }]]);
        const r1 = await L.expect("C_WrapKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_WRAP_KWP }, H(L.vars.kek), H(L.vars.secret), { $out: 512 }], "CKR_KEY_UNEXTRACTABLE");
        const r2 = await L.expect("C_SetAttributeValue", [H(L.vars.s), H(L.vars.secret), [{ type: K.CKA_EXTRACTABLE, value: true }]], "CKR_ATTRIBUTE_READ_ONLY");
        return [L.explained(r1, "Wrapping now:"), L.explained(r2, "Turning it back on:")];
      },
    },
    {
      title: "Private objects at logout",
      explain: "CKA_PRIVATE true (the default for keys here) hides an object from everyone but the logged-in USER. At C_Logout the token goes further: it destroys every private session object (token objects stay, hidden until the next login). This lesson's keys are private session objects: watch the Objects list.",
      call: "C_Logout(hSession); C_Login(hSession, CKU_USER, pPin)",
      run: async (L) => {
        const count = () => L.model.slot.objects.length;
        const before = count();
        await L.must("C_Logout", [H(L.vars.s)]);
        await L.refresh();
        const after = count();
        await L.must("C_Login", [H(L.vars.s), K.CKU_USER, L.pins.user]);
        await L.refresh();
        return note(`Logged in: ${before} objects visible. Logged out: ${after} (public ones only). Logged in again: ${count()}: the keys this lesson made are gone for good, and any handle to them now gives CKR_KEY_HANDLE_INVALID.`);
      },
    },
  ],
  outro: "Private hides objects, sensitive hides values, extractable decides if a key may ever leave (wrapped).",
};
