// The playground's explanations, checked in Node on the pure modules they
// come from (www/js/ckr-explain.js, handle-history.js, attr-rules.js,
// c-view.js, spec.js): the right user for every PIN call, the attribute at
// fault for CKR_ATTRIBUTE_READ_ONLY and CKR_ATTRIBUTE_SENSITIVE, the call
// that ended a handle, and the C convention behind each output buffer.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pkcs11 from "../../pkg/index.mjs";
import { likelyCause } from "../../www/js/ckr-explain.js";
import { objectHandleStory, sessionHandleStory } from "../../www/js/handle-history.js";
import { cView } from "../../www/js/c-view.js";
import { specRef } from "../../www/js/spec.js";
import { SIGNATURES } from "../../www/js/signatures.js";

const K = pkcs11;
const attrName = (t) => Object.keys(K).find((n) => n.startsWith("CKA_") && K[n] === t);
const H = (n) => ({ $h: n });

test("every PIN explanation names the user whose PIN it is", () => {
  const cause = (fn, args, loggedIn = null, flags = []) => likelyCause({ fn, args, rvName: "CKR_PIN_INCORRECT" }, { loggedIn, tokenFlags: flags });
  const init = cause("C_InitToken", [H(0), "x", "label"]);
  assert.match(init, /current SO PIN/);
  assert.match(init, /CKF_SO_PIN_COUNT_LOW/);
  assert.doesNotMatch(init, /user PIN|USER_PIN/);
  assert.match(cause("C_Login", [H(1), K.CKU_SO, "x"]), /SO PIN .*set with C_InitToken/);
  assert.match(cause("C_Login", [H(1), K.CKU_USER, "x"]), /user PIN .*C_InitPIN or C_SetPIN[\s\S]*CKF_USER_PIN_COUNT_LOW/);
  assert.match(cause("C_SetPIN", [H(1), "x", "y"], "SO"), /must be the current SO PIN[\s\S]*CKF_SO_PIN_COUNT_LOW/);
  assert.match(cause("C_SetPIN", [H(1), "x", "y"], null), /nobody is logged in, so that is the user PIN/);
  assert.match(cause("C_Login", [H(1), K.CKU_SO, "x"], null, ["CKF_SO_PIN_FINAL_TRY"]), /One more wrong SO PIN locks it/);

  const locked = (fn, args) => likelyCause({ fn, args, rvName: "CKR_PIN_LOCKED" }, {});
  assert.match(locked("C_InitToken", [H(0), "x", "l"]), /SO PIN is locked[\s\S]*only deleted/);
  assert.match(locked("C_Login", [H(1), K.CKU_USER, "x"]), /user PIN is locked[\s\S]*C_InitPIN/);

  const len = (fn, args) => likelyCause({ fn, args, rvName: "CKR_PIN_LEN_RANGE" }, { pinLen: { min: 4, max: 255 } });
  assert.match(len("C_InitToken", [H(0), "x", "l"]), /^The SO PIN given to C_InitToken .* 4 to 255 bytes/);
  assert.match(len("C_InitPIN", [H(1), "x"]), /^The user PIN given to C_InitPIN/);
  assert.match(len("C_SetPIN", [H(1), "old", "x"]), /^The new user PIN \(pNewPin\)/);
});

test("CKR_ATTRIBUTE_READ_ONLY names the attribute involved and its rule", () => {
  const cause = (fn, template) => likelyCause({ fn, args: [H(1), H(2), template], rvName: "CKR_ATTRIBUTE_READ_ONLY" }, { attrName });
  const ext = cause("C_SetAttributeValue", [{ type: K.CKA_EXTRACTABLE, value: true }]);
  assert.match(ext, /^CKA_EXTRACTABLE can be changed from true to false, never back/);
  assert.doesNotMatch(ext, /CKA_SENSITIVE/);
  assert.match(cause("C_SetAttributeValue", [{ type: K.CKA_SENSITIVE, value: false }]), /^CKA_SENSITIVE can be changed from false to true, never back/);
  assert.match(cause("C_SetAttributeValue", [{ type: K.CKA_CLASS, value: K.CKO_DATA }]), /^CKA_CLASS is fixed once the object exists/);
  assert.match(cause("C_SetAttributeValue", [{ type: K.CKA_TOKEN, value: true }]), /^CKA_TOKEN cannot change on an existing object; a copy \(C_CopyObject\) may/);
  const gen = likelyCause({ fn: "C_GenerateKey", args: [H(1), { mechanism: K.CKM_AES_KEY_GEN }, [{ type: K.CKA_LOCAL, value: true }]], rvName: "CKR_ATTRIBUTE_READ_ONLY" }, { attrName });
  assert.match(gen, /^CKA_LOCAL is set by the token itself/);
  assert.match(cause("C_SetAttributeValue", [{ type: K.CKA_LABEL, value: "x" }]), /^CKA_LABEL cannot be set by this call/);
});

test("CKR_ATTRIBUTE_VALUE_INVALID names an AES key length that is not one", () => {
  const aes = { name: "CKM_AES_KEY_GEN", minKeySize: 16, maxKeySize: 32 };
  const cause = likelyCause({ fn: "C_GenerateKey", args: [H(1), { mechanism: K.CKM_AES_KEY_GEN }, [{ type: K.CKA_VALUE_LEN, value: 20 }]], rvName: "CKR_ATTRIBUTE_VALUE_INVALID" }, { attrName, mechInfo: () => aes });
  assert.match(cause, /^CKA_VALUE_LEN 20 is not an AES key size: AES keys are 16, 24 or 32 bytes/);
  const other = likelyCause({ fn: "C_CreateObject", args: [H(1), [{ type: K.CKA_CLASS, value: 99 }]], rvName: "CKR_ATTRIBUTE_VALUE_INVALID" }, { attrName });
  assert.match(other, /the template has CKA_CLASS/);
});

test("CKR_ATTRIBUTE_SENSITIVE says which of the key's flags hides the value", () => {
  const cause = (facts) => likelyCause({ fn: "C_GetAttributeValue", args: [H(1), H(7), [{ type: K.CKA_VALUE }]], rvName: "CKR_ATTRIBUTE_SENSITIVE" }, { attrName, objectFacts: () => facts });
  const unextractable = cause({ sensitive: false, extractable: false });
  assert.match(unextractable, /CKA_VALUE of #7 because its CKA_EXTRACTABLE is false \(CKA_SENSITIVE is false here/);
  const sensitive = cause({ sensitive: true, extractable: true });
  assert.match(sensitive, /because its CKA_SENSITIVE is true\. .*wrapped under another key/);
  assert.match(cause({ sensitive: true, extractable: false }), /CKA_SENSITIVE is true and its CKA_EXTRACTABLE is false/);
});

// A trace: session 2 on slot 0, key 5 (private session object), token key 6, data object 9 (public token object).
const trace = () => {
  let seq = 0;
  const r = (fn, args, value, extra = {}) => ({ seq: ++seq, n: seq, fn, args, ok: true, rv: 0, value, ...extra });
  return [
    r("C_OpenSession", [H(0), 6], 2),
    r("C_Login", [H(2), K.CKU_USER, "pin"]),
    r("C_GenerateKey", [H(2), { mechanism: K.CKM_AES_KEY_GEN }, [{ type: K.CKA_TOKEN, value: false }]], 5),
    r("C_GenerateKey", [H(2), { mechanism: K.CKM_AES_KEY_GEN }, [{ type: K.CKA_TOKEN, value: true }]], 6),
    r("C_CreateObject", [H(2), [{ type: K.CKA_CLASS, value: K.CKO_DATA }, { type: K.CKA_TOKEN, value: true }, { type: K.CKA_PRIVATE, value: false }]], 9),
    r("C_GetSessionInfo", [H(2)], {}, { group: "inspect" }),
    r("C_Logout", [H(2)]),
    r("C_OpenSession", [H(1), 6], 11),
  ];
};

test("an invalid handle's story names the call that ended it", () => {
  const t = trace();
  const session = objectHandleStory(t, 5);
  assert.match(session, /^#5 was a private session object, made by C_GenerateKey \(call 3\) in session #2; C_Logout \(call 7\) logged the USER out/);
  assert.match(session, /section 5\.6\.10\)\. Logging in again does not bring it back/);
  assert.match(objectHandleStory(t, 6), /private token object[\s\S]*still on the token: log in and find it again/);
  assert.equal(objectHandleStory(t, 9), null, "a public token object survives a logout");
  assert.match(objectHandleStory(t, 42), /^No call in this page made handle #42[\s\S]*reload/);
  // Before the logout, the key was alive: nothing to tell.
  assert.equal(objectHandleStory(t, 5, 6), null);
  // Through a session of another slot.
  assert.match(objectHandleStory(t.slice(0, 5), 9, Infinity, 1), /belongs to the token in slot 0[\s\S]*this session is on slot 1/);
  const closed = [...t.slice(0, 3), { seq: 20, n: 9, fn: "C_CloseSession", args: [H(2)], ok: true }];
  assert.match(objectHandleStory(closed, 5), /C_CloseSession \(call 9\) closed that session, and session objects/);
  const destroyed = [...t.slice(0, 4), { seq: 20, n: 9, fn: "C_DestroyObject", args: [H(2), H(6)], ok: true }];
  assert.match(objectHandleStory(destroyed, 6), /C_DestroyObject \(call 9\) destroyed it/);
  assert.match(sessionHandleStory(closed, 2), /^Session #2 was closed by C_CloseSession \(call 9\)/);
  assert.match(sessionHandleStory(t, 77), /No call in this page opened session #77/);
  // The explanation uses the story.
  const cause = likelyCause({ fn: "C_EncryptInit", args: [H(2), { mechanism: K.CKM_AES_GCM }, H(5)], rvName: "CKR_KEY_HANDLE_INVALID" }, { objectStory: (h) => objectHandleStory(t, h) });
  assert.match(cause, /C_Logout \(call 7\)/);
});

test("output buffers: CKR_BUFFER_TOO_SMALL and the C view explain the NULL-buffer convention", () => {
  const small = likelyCause({ fn: "C_Encrypt", args: [H(2), new Uint8Array(33), { $out: 16 }], rvName: "CKR_BUFFER_TOO_SMALL" }, {});
  assert.match(small, /pEncryptedData \(16 bytes\) is smaller than the result[\s\S]*\*pulEncryptedDataLen[\s\S]*stays active[\s\S]*NULL_PTR/);
  const names = { attr: attrName };
  const enc = cView({ fn: "C_Encrypt", args: [H(2), new Uint8Array(29), { $out: 45 }], ok: true, value: new Uint8Array(45) }, names);
  assert.match(enc, /C_Encrypt\(hSession, pData, 29, NULL_PTR, &ulEncryptedDataLen\);  \/\* asks the size only \*\//);
  assert.match(enc, /ulEncryptedDataLen = 45/);
  assert.match(cView({ fn: "C_EncryptFinal", args: [H(2), { $out: 64 }], ok: true, value: new Uint8Array(16) }, names), /C_EncryptFinal\(hSession, NULL_PTR, &ulLastEncryptedPartLen\)/);
  assert.match(cView({ fn: "C_FindObjects", args: [H(2), 2], ok: true, value: [3, 4] }, names), /while \(ulObjectCount > 0\)/);
  const get = cView({ fn: "C_GetAttributeValue", args: [H(2), H(5), [{ type: K.CKA_VALUE }]], ok: false, rvName: "CKR_ATTRIBUTE_SENSITIVE" }, names);
  assert.match(get, /\{ CKA_VALUE, NULL_PTR, 0 \}[\s\S]*CK_UNAVAILABLE_INFORMATION/);
  assert.match(cView({ fn: "C_GenerateRandom", args: [H(2), { $out: 16 }], ok: true }, names), /C_GenerateRandom\(hSession, pRandomData, 16\);  \/\* the length is an input/);
  assert.equal(cView({ fn: "C_Login", args: [H(2), 1, "pin"] }, names), null);
});

test("every function the page calls links its PKCS#11 3.1 section", () => {
  const all = Object.keys(SIGNATURES).filter((f) => f.startsWith("C_"));
  assert.deepEqual(all.filter((f) => !specRef(f)), []);
  // pkcs11js's Async forms link the function they call.
  for (const f of all.filter((x) => x.endsWith("Async"))) assert.equal(specRef(f).href, specRef(f.slice(0, -5)).href, f);
  const refs = all.filter((f) => !f.endsWith("Async")).map((f) => [f, specRef(f)]);
  const sections = refs.map(([, r]) => r.section);
  assert.equal(new Set(sections).size, sections.length, "one section per function");
  for (const [, r] of refs) assert.match(r.href, /^https:\/\/docs\.oasis-open\.org\/pkcs11\/pkcs11-spec\/v3\.1\/os\/pkcs11-spec-v3\.1-os\.html#_Toc\d+$/);
  assert.equal(specRef("buffers").section, "5.2");
});
