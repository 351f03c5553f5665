// Lesson 7: a token key outlives the program that made it. Store one with
// a label and an ID, reload the page (every handle goes), and find it
// again with C_FindObjectsInit / C_FindObjects / C_FindObjectsFinal.
import { K, H, note, bytes, aesTemplate, ensureUser, gcm, text, decryptText } from "./common.js";
import { randomBytes, toHex, fromHex } from "../bytes.js";

const LABEL = "saved key";
const MESSAGE = "Written before the reload.";

const searchTemplate = (v) => [
  { type: K.CKA_CLASS, value: K.CKO_SECRET_KEY },
  { type: K.CKA_LABEL, value: LABEL },
  { type: K.CKA_ID, value: fromHex(v.idHex) },
];

export default {
  id: "find",
  title: "Saving a key and finding it again",
  summary: "A token key survives a reload; C_FindObjects finds it again by label and ID.",
  intro: "Session objects die with their session; token objects (CKA_TOKEN true) stay on the token, here in IndexedDB, until destroyed. A program that starts again (or a second program) has none of the handles from before: it finds its keys again by their attributes, usually CKA_LABEL and CKA_ID.",
  spec: ["storageObjects", "C_GenerateKey", "C_FindObjectsInit", "C_FindObjects", "C_FindObjectsFinal", "C_GetAttributeValue"],
  steps: [
    {
      title: "Store a token key with a label and an ID",
      explain: `The template asks for a token object (CKA_TOKEN true), private and sensitive, labelled “${LABEL}” with a random 4-byte CKA_ID to tell it from keys of earlier runs. The key then encrypts a message, kept for after the reload.`,
      call: "C_GenerateKey(hSession, { mechanism: CKM_AES_KEY_GEN }, pTemplate); C_EncryptInit(hSession, pMechanism, hKey); C_Encrypt(hSession, pData, pEncryptedData)",
      run: async (L) => {
        const s = await ensureUser(L);
        const id = randomBytes(4);
        L.vars.idHex = toHex(id);
        const key = await L.must("C_GenerateKey", [H(s), { mechanism: K.CKM_AES_KEY_GEN }, aesTemplate(LABEL, [
          { type: K.CKA_TOKEN, value: true }, { type: K.CKA_SENSITIVE, value: true }, { type: K.CKA_ID, value: id },
        ])]);
        const iv = randomBytes(12);
        await L.must("C_EncryptInit", [H(s), gcm(iv), H(key)]);
        const data = new TextEncoder().encode(MESSAGE);
        const ct = await L.must("C_Encrypt", [H(s), data, { $out: data.length + 16 }]);
        Object.assign(L.vars, { ivHex: toHex(iv), ctHex: toHex(ct), oldHandle: key });
        return [note(`Token key #${key}, label “${LABEL}”, CKA_ID ${L.vars.idHex}. It encrypted “${MESSAGE}”:`), bytes(ct, "Ciphertext + tag")];
      },
    },
    {
      title: "Reload the page",
      explain: "Like a program that stops and starts again: the module, every session and every handle go; what the token stored stays. (Opening the playground in another tab is a second application on the same token: it finds the key the same way.) The lesson carries on after the reload.",
      runLabel: "Reload the page",
      run: (L) => L.reload({ idHex: L.vars.idHex, ivHex: L.vars.ivHex, ctHex: L.vars.ctHex, oldHandle: L.vars.oldHandle }),
    },
    {
      title: "Open a session and log in again",
      explain: "The new page has no session. The key is private, so a search finds it only once the USER is logged in.",
      call: "C_OpenSession(slotID, CKF_SERIAL_SESSION | CKF_RW_SESSION); C_Login(hSession, CKU_USER, pPin)",
      run: async (L) => {
        L.vars.s = await ensureUser(L);
        return note(`Session #${L.vars.s}, USER logged in. Handle #${L.vars.oldHandle} from before the reload means nothing now.`);
      },
    },
    {
      title: "Find it by label and ID",
      explain: "C_FindObjectsInit takes a template to match; C_FindObjects returns handles, up to a count per call, and a C program calls it until it returns none; C_FindObjectsFinal ends the search.",
      call: "C_FindObjectsInit(hSession, pTemplate); C_FindObjects(hSession, ulMaxObjectCount) until 0; C_FindObjectsFinal(hSession)",
      c: "CK_OBJECT_HANDLE phObject[10];\nCK_ULONG ulObjectCount;\nC_FindObjectsInit(hSession, pTemplate, 3);  /* CKA_CLASS, CKA_LABEL, CKA_ID */\ndo {\n  C_FindObjects(hSession, phObject, 10, &ulObjectCount);\n} while (ulObjectCount > 0);\nC_FindObjectsFinal(hSession);",
      run: async (L) => {
        await L.must("C_FindObjectsInit", [H(L.vars.s), searchTemplate(L.vars)]);
        const found = [];
        for (;;) {
          const batch = await L.must("C_FindObjects", [H(L.vars.s), 10]);
          found.push(...batch);
          if (batch.length === 0) break;
        }
        await L.must("C_FindObjectsFinal", [H(L.vars.s)]);
        if (found.length !== 1) throw new Error(`the search found ${found.length} keys, not one (was the token wiped?)`);
        L.vars.key = found[0];
        return note(`Found it: key #${found[0]} (before the reload it was #${L.vars.oldHandle}; handles are handed out afresh).`);
      },
      freehand: {
        action: "find-objects",
        prefill: (L) => ({ session: L.vars.s, template: [["CKA_CLASS", "CKO_SECRET_KEY"], ["CKA_LABEL", LABEL], ["CKA_ID", L.vars.idHex]] }),
        accept: (r, L) => r.fn === "C_FindObjects" && r.value.length === 1 && (L.vars.key = r.value[0]) !== undefined,
      },
    },
    {
      title: "Read its attributes",
      explain: "Its label, ID and flags read normally. Its value does not: the token answers the real call with CKR_ATTRIBUTE_SENSITIVE.",
      call: "C_GetAttributeValue(hSession, hObject, [CKA_LABEL, CKA_ID, CKA_TOKEN, CKA_SENSITIVE]); C_GetAttributeValue(hSession, hObject, [CKA_VALUE])",
      run: async (L) => {
        const a = await L.must("C_GetAttributeValue", [H(L.vars.s), H(L.vars.key), [{ type: K.CKA_LABEL }, { type: K.CKA_ID }, { type: K.CKA_TOKEN }, { type: K.CKA_SENSITIVE }]]);
        const r = await L.expect("C_GetAttributeValue", [H(L.vars.s), H(L.vars.key), [{ type: K.CKA_VALUE }]], "CKR_ATTRIBUTE_SENSITIVE");
        return [note(`CKA_LABEL “${text(a[0].value)}”, CKA_ID ${toHex(a[1].value)}, CKA_TOKEN ${a[2].value[0] ? "true" : "false"}, CKA_SENSITIVE ${a[3].value[0] ? "true" : "false"}.`), L.explained(r, "CKA_VALUE:")];
      },
      freehand: {
        action: "get-attributes",
        prefill: (L) => ({ session: L.vars.s, object: L.vars.key, attrs: "CKA_LABEL, CKA_ID, CKA_VALUE" }),
        failureOk: true,
        accept: (r) => r.fn === "C_GetAttributeValue",
      },
    },
    {
      title: "Decrypt what it encrypted before the reload",
      explain: "The same key: the ciphertext made before the reload decrypts with the handle found now.",
      call: "C_DecryptInit(hSession, pMechanism, hKey); C_Decrypt(hSession, pEncryptedData, pData)",
      run: async (L) => {
        return note(`Decrypted: “${await decryptText(L, L.vars.s, gcm(fromHex(L.vars.ivHex)), L.vars.key, fromHex(L.vars.ctHex))}”`);
      },
    },
  ],
  outro: "Token objects outlive sessions and programs; applications find them by label and ID, never by a remembered handle.",
};
