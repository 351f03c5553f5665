// Lesson 9: the C conventions pkcs11js hides (PKCS#11 3.1 section 5.2):
// output lengths asked with a NULL buffer, CKR_BUFFER_TOO_SMALL, single-
// vs multi-part operations, the C_FindObjects loop, C_GetMechanismInfo
// and C_GenerateRandom. Every step makes the real calls; the C a program
// would write is one click away.
import { K, H, note, bytes, aesTemplate, ensureUser } from "./common.js";
import { toHex } from "../bytes.js";

const DATA = "Thirty-three bytes of plain text."; // 33 bytes: three AES blocks once padded
const utf8 = (t) => new TextEncoder().encode(t);
const cbcPad = (iv) => ({ mechanism: K.CKM_AES_CBC_PAD, parameter: iv });

export default {
  id: "c-conventions",
  title: "What the JavaScript hides: C conventions",
  summary: "Output lengths, CKR_BUFFER_TOO_SMALL, multi-part operations, the C_FindObjects loop, C_GetMechanismInfo.",
  intro: "pkcs11js, and this package, make Cryptoki look like JavaScript: a Buffer carries its length, a template is an array, a new handle is a return value. A C program calls the same functions with pointers and lengths, by a few conventions. Each step makes the real calls; “in C” shows what a C program writes (the trace has it under each call too).",
  spec: ["buffers", "returnValues", "C_GenerateRandom", "C_Encrypt", "C_EncryptUpdate", "C_EncryptFinal", "C_FindObjects", "C_GetMechanismInfo", "C_GetAttributeValue"],
  steps: [
    {
      title: "Random bytes: the length is an input",
      explain: "C_GenerateRandom fills a buffer the caller supplies, of the length the caller chooses: nothing to ask first. These 16 bytes become the IV of the next steps.",
      call: "C_GenerateRandom(hSession, pRandomData)",
      c: "CK_BYTE iv[16];\nC_GenerateRandom(hSession, iv, sizeof(iv));",
      run: async (L) => {
        L.vars.s = await ensureUser(L);
        L.vars.iv = await L.must("C_GenerateRandom", [H(L.vars.s), { $out: 16 }]);
        return bytes(L.vars.iv, "Random bytes, the IV");
      },
      freehand: { action: "random", prefill: (L) => ({ session: L.vars.s, length: "16" }), accept: (r, L) => r.fn === "C_GenerateRandom" && (L.vars.iv = r.value) !== undefined && r.value.length === 16 },
    },
    {
      title: "Asking for a length, and a buffer too small",
      explain: "Where the output size depends on the input, C asks first: C_Encrypt with pEncryptedData = NULL_PTR only writes the size needed into *pulEncryptedDataLen. A buffer too small gives CKR_BUFFER_TOO_SMALL (with the size written back), and the operation stays active, so the next C_Encrypt works without a new C_EncryptInit. JavaScript has no NULL form: you pass a Buffer big enough. Here the first one is 16 bytes on purpose.",
      call: "C_EncryptInit(hSession, { mechanism: CKM_AES_CBC_PAD, parameter: iv }, hKey); C_Encrypt(hSession, pData, pEncryptedData)",
      c: "CK_ULONG ulEncryptedDataLen;\nC_Encrypt(hSession, pData, 33, NULL_PTR, &ulEncryptedDataLen);   /* CKR_OK, ulEncryptedDataLen = 48 */\nCK_BYTE_PTR pEncryptedData = malloc(ulEncryptedDataLen);\nC_Encrypt(hSession, pData, 33, pEncryptedData, &ulEncryptedDataLen);",
      run: async (L) => {
        L.vars.key = await L.must("C_GenerateKey", [H(L.vars.s), { mechanism: K.CKM_AES_KEY_GEN }, aesTemplate("lesson 9 key", [{ type: K.CKA_SENSITIVE, value: true }])]);
        await L.must("C_EncryptInit", [H(L.vars.s), cbcPad(L.vars.iv), H(L.vars.key)]);
        const r = await L.expect("C_Encrypt", [H(L.vars.s), utf8(DATA), { $out: 16 }], "CKR_BUFFER_TOO_SMALL");
        L.vars.single = await L.must("C_Encrypt", [H(L.vars.s), utf8(DATA), { $out: 64 }]);
        return [L.explained(r, "With a 16-byte buffer:"), note(`With a 64-byte one, the same operation finishes: ${L.vars.single.length} bytes (33 bytes padded to whole 16-byte blocks).`)];
      },
    },
    {
      title: "Multi-part: Init, Update, Update, Final",
      explain: "Data that arrives in pieces, or is too big to hold at once, goes through C_EncryptUpdate calls; each returns what it can already encrypt (whole blocks for CBC) and C_EncryptFinal the rest (here the padded last block). With the same key and IV the result equals the single-part C_Encrypt.",
      call: "C_EncryptInit(hSession, pMechanism, hKey); C_EncryptUpdate(hSession, pPart, pEncryptedPart) ×2; C_EncryptFinal(hSession, pLastEncryptedPart)",
      c: "C_EncryptInit(hSession, &mechanism, hKey);\nC_EncryptUpdate(hSession, pPart1, 20, pOut, &ulOutLen);          /* 16 bytes out */\nC_EncryptUpdate(hSession, pPart2, 13, pOut + 16, &ulOutLen);     /* 16 more */\nC_EncryptFinal(hSession, pOut + 32, &ulOutLen);                  /* the padded last 16 */",
      run: async (L) => {
        const data = utf8(DATA);
        await L.must("C_EncryptInit", [H(L.vars.s), cbcPad(L.vars.iv), H(L.vars.key)]);
        const a = await L.must("C_EncryptUpdate", [H(L.vars.s), data.subarray(0, 20), { $out: 64 }]);
        const b = await L.must("C_EncryptUpdate", [H(L.vars.s), data.subarray(20), { $out: 64 }]);
        const c = await L.must("C_EncryptFinal", [H(L.vars.s), { $out: 64 }]);
        const joined = Uint8Array.from([...a, ...b, ...c]);
        const same = toHex(joined) === toHex(L.vars.single);
        return [note(`The parts gave ${a.length} + ${b.length} + ${c.length} bytes.`), bytes(joined, "Multi-part ciphertext"), note(same ? "Byte for byte the single-part ciphertext of the last step." : "It differs from the single-part ciphertext!")];
      },
    },
    {
      title: "The C_FindObjects loop",
      explain: "C_FindObjects returns at most ulMaxObjectCount handles per call; a program calls it until it returns none. Three session data objects, fetched two at a time: 2, then 1, then 0.",
      call: "C_CreateObject ×3; C_FindObjectsInit(hSession, pTemplate); C_FindObjects(hSession, 2) until 0; C_FindObjectsFinal(hSession)",
      c: "CK_OBJECT_HANDLE phObject[2];\nCK_ULONG ulObjectCount;\nC_FindObjectsInit(hSession, pTemplate, 2);\ndo {\n  C_FindObjects(hSession, phObject, 2, &ulObjectCount);\n  /* use phObject[0 .. ulObjectCount - 1] */\n} while (ulObjectCount > 0);\nC_FindObjectsFinal(hSession);",
      run: async (L) => {
        const app = `lesson 9 loop ${toHex(L.vars.iv.subarray(0, 3))}`;
        const tmpl = [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_APPLICATION, value: app }];
        for (const n of [1, 2, 3]) {
          await L.must("C_CreateObject", [H(L.vars.s), [...tmpl, { type: K.CKA_TOKEN, value: false }, { type: K.CKA_PRIVATE, value: false }, { type: K.CKA_LABEL, value: `note ${n}` }, { type: K.CKA_VALUE, value: utf8(`note ${n}`) }]]);
        }
        await L.must("C_FindObjectsInit", [H(L.vars.s), tmpl]);
        const sizes = [];
        for (;;) {
          const got = await L.must("C_FindObjects", [H(L.vars.s), 2]);
          sizes.push(got.length);
          if (got.length === 0) break;
        }
        await L.must("C_FindObjectsFinal", [H(L.vars.s)]);
        return note(`C_FindObjects returned ${sizes.join(", then ")} handles.`);
      },
    },
    {
      title: "Why a key size is refused: C_GetMechanismInfo",
      explain: "C_GetMechanismInfo tells what a mechanism does on this token and the key sizes it takes (bits for RSA). A size outside them is CKR_KEY_SIZE_RANGE, before any work is done: here a 512-bit RSA key.",
      call: "C_GetMechanismInfo(slotID, CKM_RSA_PKCS_KEY_PAIR_GEN); C_GenerateKeyPair(hSession, pMechanism, pPublicKeyTemplate, pPrivateKeyTemplate)",
      c: "CK_MECHANISM_INFO info;\nC_GetMechanismInfo(slotID, CKM_RSA_PKCS_KEY_PAIR_GEN, &info);\n/* info.ulMinKeySize, info.ulMaxKeySize, info.flags */",
      run: async (L) => {
        const info = await L.must("C_GetMechanismInfo", [H(L.slot), K.CKM_RSA_PKCS_KEY_PAIR_GEN]);
        const r = await L.expect("C_GenerateKeyPair", [H(L.vars.s), { mechanism: K.CKM_RSA_PKCS_KEY_PAIR_GEN },
          [{ type: K.CKA_MODULUS_BITS, value: 512 }, { type: K.CKA_TOKEN, value: false }, { type: K.CKA_VERIFY, value: true }],
          [{ type: K.CKA_TOKEN, value: false }, { type: K.CKA_SIGN, value: true }]], "CKR_KEY_SIZE_RANGE");
        return [note(`CKM_RSA_PKCS_KEY_PAIR_GEN: ulMinKeySize ${info.minKeySize}, ulMaxKeySize ${info.maxKeySize} bits.`), L.explained(r, "Asking for 512 bits:")];
      },
      freehand: { action: "mechanism-info", prefill: () => ({ type: "CKM_RSA_PKCS_KEY_PAIR_GEN" }), accept: (r) => r.fn === "C_GetMechanismInfo" },
    },
    {
      title: "Reading attributes takes two calls in C",
      explain: "C_GetAttributeValue uses the same convention per attribute: with pValue = NULL_PTR it fills in each ulValueLen; the program allocates and calls again. One call in JavaScript.",
      call: "C_GetAttributeValue(hSession, hObject, [CKA_LABEL, CKA_VALUE_LEN])",
      c: "CK_ATTRIBUTE t[] = { { CKA_LABEL, NULL_PTR, 0 }, { CKA_VALUE_LEN, NULL_PTR, 0 } };\nC_GetAttributeValue(hSession, hObject, t, 2);   /* t[i].ulValueLen filled in */\nt[0].pValue = malloc(t[0].ulValueLen); t[1].pValue = malloc(t[1].ulValueLen);\nC_GetAttributeValue(hSession, hObject, t, 2);   /* values filled in */",
      run: async (L) => {
        const a = await L.must("C_GetAttributeValue", [H(L.vars.s), H(L.vars.key), [{ type: K.CKA_LABEL }, { type: K.CKA_VALUE_LEN }]]);
        return note(`CKA_LABEL is ${a[0].value.length} bytes (“${new TextDecoder().decode(a[0].value)}”), CKA_VALUE_LEN ${a[1].value.length} bytes (a CK_ULONG).`);
      },
    },
  ],
  outro: "Same functions, same rules: C spells out the lengths and loops that JavaScript folds into Buffers and arrays.",
};
