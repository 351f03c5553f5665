// Every CKR_ code the package exports has a one-sentence meaning in the
// playground's table (www/js/ckr-explain.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as pkcs11 from "../../pkg/index.mjs";
import { MEANINGS, meaning, likelyCause } from "../../www/js/ckr-explain.js";

test("every exported CKR_ code has a meaning", () => {
  const names = Object.keys(pkcs11).filter((k) => k.startsWith("CKR_"));
  assert.ok(names.length > 90, `only ${names.length} CKR_ exports`);
  const missing = names.filter((n) => !MEANINGS[n]);
  assert.deepEqual(missing, []);
  for (const n of names) assert.match(meaning(n), /^[A-Z].*\.$/, `${n}: one sentence`);
});

test("context: a private key used without login names C_Login as USER", () => {
  const cause = likelyCause({ fn: "C_SignInit", rvName: "CKR_USER_NOT_LOGGED_IN", args: [] }, { loggedIn: null });
  assert.match(cause, /private objects are only usable after C_Login as USER/i);
});
