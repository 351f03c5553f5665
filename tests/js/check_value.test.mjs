// CKA_CHECK_VALUE (issue 11, item 6; PKCS#11 3.1 base sections 4.6 and
// 4.10): AES keys get the first three bytes of AES-ECB(key, zero block),
// certificates the first three bytes of SHA-1(CKA_VALUE), generic secrets
// SHA-1 of the value; computed on generate, create, unwrap and derive,
// accepted on create when it matches, CKR_ATTRIBUTE_VALUE_INVALID when not,
// and an empty value asks for none (as in SoftHSMv2). Checked against
// Node's OpenSSL.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { C, attr, initToken, open, session, slotOf, throwsRv } from "./fixtures/storage-helpers.mjs";

const p = open(undefined);
const slot = slotOf(p);
initToken(p, slot, "check values");
const s = session(p, slot);

function aesKcv(key) {
  const c = crypto.createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(Buffer.alloc(16)), c.final()]).subarray(0, 3);
}
const sha1Kcv = (v) => crypto.createHash("sha1").update(v).digest().subarray(0, 3);

function aesObject(value, extra = []) {
  return p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_EXTRACTABLE, value: true },
    { type: C.CKA_DERIVE, value: true },
    { type: C.CKA_WRAP, value: true },
    { type: C.CKA_UNWRAP, value: true },
    ...extra,
  ]);
}

test("AES keys: computed on generate, create, unwrap and derive; checked on create", () => {
  for (const len of [16, 24, 32]) {
    const gen = p.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [
      { type: C.CKA_VALUE_LEN, value: len },
      { type: C.CKA_EXTRACTABLE, value: true },
    ]);
    assert.deepEqual(attr(p, s, gen, C.CKA_CHECK_VALUE), aesKcv(attr(p, s, gen, C.CKA_VALUE)), `generated AES-${len * 8}`);
    const value = crypto.randomBytes(len);
    assert.deepEqual(attr(p, s, aesObject(value), C.CKA_CHECK_VALUE), aesKcv(value), `created AES-${len * 8}`);
    aesObject(value, [{ type: C.CKA_CHECK_VALUE, value: aesKcv(value) }]);
    const wrong = Buffer.from(aesKcv(value));
    wrong[2] ^= 0x01;
    throwsRv(() => aesObject(value, [{ type: C.CKA_CHECK_VALUE, value: wrong }]), "CKR_ATTRIBUTE_VALUE_INVALID");
  }
  const none = aesObject(crypto.randomBytes(16), [{ type: C.CKA_CHECK_VALUE, value: Buffer.alloc(0) }]);
  assert.equal(attr(p, s, none, C.CKA_CHECK_VALUE).length, 0, "empty asks for none");

  const kek = aesObject(crypto.randomBytes(32));
  const value = crypto.randomBytes(16);
  const wrapped = p.C_WrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP }, kek, aesObject(value), Buffer.alloc(64));
  const unwrapped = p.C_UnwrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP }, kek, wrapped, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
  ]);
  assert.deepEqual(attr(p, s, unwrapped, C.CKA_CHECK_VALUE), aesKcv(value), "unwrapped");
  const data = crypto.randomBytes(16);
  const derived = p.C_DeriveKey(s, { mechanism: C.CKM_AES_ECB_ENCRYPT_DATA, parameter: data }, kek, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_VALUE_LEN, value: 16 },
  ]);
  const c = crypto.createCipheriv("aes-256-ecb", attr(p, s, kek, C.CKA_VALUE), null);
  c.setAutoPadding(false);
  assert.deepEqual(attr(p, s, derived, C.CKA_CHECK_VALUE), aesKcv(c.update(data)), "derived");
});

test("certificates: SHA-1 of CKA_VALUE; generic secrets too", () => {
  const der = crypto.randomBytes(300);
  const cert = (extra = []) =>
    p.C_CreateObject(s, [
      { type: C.CKA_CLASS, value: C.CKO_CERTIFICATE },
      { type: C.CKA_CERTIFICATE_TYPE, value: C.CKC_X_509 },
      { type: C.CKA_SUBJECT, value: Buffer.from("3000", "hex") },
      { type: C.CKA_VALUE, value: der },
      ...extra,
    ]);
  assert.deepEqual(attr(p, s, cert(), C.CKA_CHECK_VALUE), sha1Kcv(der));
  cert([{ type: C.CKA_CHECK_VALUE, value: sha1Kcv(der) }]);
  throwsRv(() => cert([{ type: C.CKA_CHECK_VALUE, value: Buffer.from("000000", "hex") }]), "CKR_ATTRIBUTE_VALUE_INVALID");
  const secret = crypto.randomBytes(20);
  const generic = p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
    { type: C.CKA_VALUE, value: secret },
  ]);
  assert.deepEqual(attr(p, s, generic, C.CKA_CHECK_VALUE), sha1Kcv(secret));
});
