// The PKCS#11 3.x functions through the facade: message-based AES-GCM and
// ChaCha20-Poly1305 (checked against node:crypto / OpenSSL), generated IVs,
// message-based signing, C_VerifySignature*, C_SessionCancel, C_LoginUser,
// operation state, and the wrapping policy (template attributes, trusted
// wrapping keys, sensitive keys).
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { generateKeyPair } from "./fixtures/node-keys.mjs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pkcs11js = require("../../pkg/index.cjs");
const { PKCS11, Pkcs11Error } = pkcs11js;
const C = pkcs11js;

const SO_PIN = "so-3x-pin";
const USER_PIN = "user-3x-pin";

const pkcs11 = new PKCS11();
pkcs11.C_Initialize({ libraryParameters: JSON.stringify({ kdfIterations: "insecure-test" }) });
const slot = pkcs11.C_GetSlotList(true).find((x) => !(pkcs11.C_GetTokenInfo(x).flags & C.CKF_TOKEN_INITIALIZED));
pkcs11.C_InitToken(slot, SO_PIN, "three-x");
const RW = C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION;
const s = pkcs11.C_OpenSession(slot, RW);
pkcs11.C_Login(s, C.CKU_SO, SO_PIN);
pkcs11.C_InitPIN(s, USER_PIN);
// A public, trusted wrapping key only the SO can make: a session object
// (token objects holding a secret must be private, which the SO cannot
// make), kept by this session across the logins.
const TRUSTED_KEK_VALUE = crypto.randomBytes(32);
const trustedKek = pkcs11.C_CreateObject(s, [
  { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
  { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
  { type: C.CKA_VALUE, value: TRUSTED_KEK_VALUE },
  { type: C.CKA_TOKEN, value: false },
  { type: C.CKA_PRIVATE, value: false },
  { type: C.CKA_TRUSTED, value: true },
  { type: C.CKA_LABEL, value: "trusted kek" },
]);
pkcs11.C_Logout(s);
pkcs11.C_Login(s, C.CKU_USER, USER_PIN);

function expectRv(fn, name) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown, `expected ${name}, but the call succeeded`);
  assert.ok(thrown instanceof Pkcs11Error, `expected a Pkcs11Error, got ${thrown?.stack ?? thrown}`);
  assert.equal(thrown.message, name);
  assert.equal(thrown.code, C[name]);
}

function secretKey(keyType, value, extra = []) {
  return pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: keyType },
    { type: C.CKA_VALUE, value },
    ...extra,
  ]);
}

function aesKey(extra = []) {
  return pkcs11.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [{ type: C.CKA_VALUE_LEN, value: 16 }, ...extra]);
}

const GCM = { mechanism: C.CKM_AES_GCM };

function gcmParam(iv, { ivFixedBits, ivGenerator, tag = Buffer.alloc(16), tagBits } = {}) {
  return { type: C.CK_PARAMS_GCM_MESSAGE, iv, ivFixedBits, ivGenerator, tag, tagBits };
}

function nodeGcmOpen(key, iv, aad, ct, tag) {
  const d = crypto.createDecipheriv(`aes-${key.length * 8}-gcm`, key, iv, { authTagLength: tag.length });
  d.setAAD(aad);
  d.setAuthTag(tag);
  return Buffer.concat([d.update(ct), d.final()]);
}

function nodeGcmSeal(key, iv, aad, data, tagLength = 16) {
  const c = crypto.createCipheriv(`aes-${key.length * 8}-gcm`, key, iv, { authTagLength: tagLength });
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(data), c.final()]);
  return { ct, tag: c.getAuthTag() };
}

test("the message parameter tags are exported", () => {
  assert.equal(C.CK_PARAMS_GCM_MESSAGE, 0x1009);
  assert.equal(C.CK_PARAMS_CHACHA20_POLY1305_MESSAGE, 0x100a);
  const info = pkcs11.C_GetMechanismInfo(slot, C.CKM_AES_GCM);
  const want = C.CKF_MESSAGE_ENCRYPT | C.CKF_MESSAGE_DECRYPT | C.CKF_MULTI_MESSAGE;
  assert.equal(info.flags & want, want);
  const hmac = pkcs11.C_GetMechanismInfo(slot, C.CKM_SHA256_HMAC);
  assert.equal(hmac.flags & (C.CKF_MESSAGE_SIGN | C.CKF_MESSAGE_VERIFY), C.CKF_MESSAGE_SIGN | C.CKF_MESSAGE_VERIFY);
});

test("message-based AES-GCM: token messages open in OpenSSL and the reverse", () => {
  for (const size of [16, 24, 32]) {
    const value = crypto.randomBytes(size);
    const key = secretKey(C.CKK_AES, value);
    pkcs11.C_MessageEncryptInit(s, GCM, key);
    pkcs11.C_MessageDecryptInit(s, GCM, key);
    for (const { ivLen, tagBits, aadLen, dataLen } of [
      { ivLen: 12, tagBits: 128, aadLen: 0, dataLen: 0 },
      { ivLen: 12, tagBits: 128, aadLen: 20, dataLen: 100 },
      { ivLen: 12, tagBits: 96, aadLen: 3, dataLen: 33 },
      { ivLen: 16, tagBits: 128, aadLen: 70, dataLen: 1000 },
    ]) {
      const what = `AES-${size * 8} iv ${ivLen} tag ${tagBits} aad ${aadLen} data ${dataLen}`;
      const iv = crypto.randomBytes(ivLen);
      const aad = crypto.randomBytes(aadLen);
      const data = crypto.randomBytes(dataLen);
      const tag = Buffer.alloc(tagBits / 8);
      const param = gcmParam(iv, { tag });
      const out = Buffer.alloc(dataLen + 8);
      const ct = pkcs11.C_EncryptMessage(s, param, aad, data, out);
      assert.equal(ct.buffer, out.buffer, "the result is a view of the caller's buffer");
      assert.equal(ct.length, dataLen);
      assert.notDeepEqual(tag, Buffer.alloc(tagBits / 8), "the tag was written into the parameter");
      assert.deepEqual(nodeGcmOpen(value, iv, aad, ct, tag), data, what);
      // OpenSSL's message opens in the token.
      const sealed = nodeGcmSeal(value, iv, aad, data, tagBits / 8);
      const plain = pkcs11.C_DecryptMessage(s, gcmParam(iv, { tag: sealed.tag }), aad, sealed.ct, Buffer.alloc(dataLen));
      assert.deepEqual(Buffer.from(plain), data, what);
    }
    // A tampered message: CKR_AEAD_DECRYPT_FAILED, and the process goes on.
    const iv = crypto.randomBytes(12);
    const sealed = nodeGcmSeal(value, iv, Buffer.from("aad"), Buffer.from("payload"));
    sealed.ct[0] ^= 1;
    expectRv(
      () => pkcs11.C_DecryptMessage(s, gcmParam(iv, { tag: sealed.tag }), Buffer.from("aad"), sealed.ct, Buffer.alloc(16)),
      "CKR_AEAD_DECRYPT_FAILED",
    );
    sealed.ct[0] ^= 1;
    const back = pkcs11.C_DecryptMessage(s, gcmParam(iv, { tag: sealed.tag }), Buffer.from("aad"), sealed.ct, Buffer.alloc(16));
    assert.equal(Buffer.from(back).toString(), "payload");
    pkcs11.C_MessageEncryptFinal(s);
    pkcs11.C_MessageDecryptFinal(s);
  }
});

test("message-based AES-GCM: generated IVs are written back, unique, and open in OpenSSL", () => {
  // Counters need a key generated here (see attack_iv_reuse.test.mjs); it
  // is made readable to check the messages with OpenSSL.
  const key = pkcs11.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [
    { type: C.CKA_VALUE_LEN, value: 32 },
    { type: C.CKA_EXTRACTABLE, value: true },
  ]);
  const value = Buffer.from(pkcs11.C_GetAttributeValue(s, key, [{ type: C.CKA_VALUE }])[0].value);
  pkcs11.C_MessageEncryptInit(s, GCM, key);
  const fixed = Buffer.from("f1xd", "latin1");
  const seen = new Set();
  for (let i = 0; i < 200; i++) {
    const iv = Buffer.concat([fixed, Buffer.alloc(8)]);
    const param = gcmParam(iv, { ivFixedBits: 32, ivGenerator: C.CKG_GENERATE_COUNTER });
    const data = Buffer.from(`message ${i}`);
    const ct = pkcs11.C_EncryptMessage(s, param, null, data, Buffer.alloc(64));
    assert.deepEqual(iv.subarray(0, 4), fixed, "the fixed part stays");
    assert.equal(iv.readBigUInt64BE(4), BigInt(i), "the counter starts at zero");
    assert.ok(!seen.has(iv.toString("hex")), "IV repeated");
    seen.add(iv.toString("hex"));
    assert.deepEqual(nodeGcmOpen(value, iv, Buffer.alloc(0), ct, param.tag), data);
  }
  // A new process in this session continues the count.
  pkcs11.C_MessageEncryptFinal(s);
  pkcs11.C_MessageEncryptInit(s, GCM, key);
  const iv = Buffer.concat([fixed, Buffer.alloc(8)]);
  pkcs11.C_EncryptMessage(s, gcmParam(iv, { ivFixedBits: 32, ivGenerator: C.CKG_GENERATE_COUNTER }), null, Buffer.from("x"), Buffer.alloc(8));
  assert.equal(iv.readBigUInt64BE(4), 200n);
  // Random IVs.
  for (const ivGenerator of [C.CKG_GENERATE_RANDOM, C.CKG_GENERATE]) {
    const ivs = new Set();
    for (let i = 0; i < 20; i++) {
      const iv = Buffer.alloc(12);
      const param = gcmParam(iv, { ivGenerator });
      const ct = pkcs11.C_EncryptMessage(s, param, Buffer.from("a"), Buffer.from("random"), Buffer.alloc(8));
      ivs.add(iv.toString("hex"));
      assert.equal(nodeGcmOpen(value, iv, Buffer.from("a"), ct, param.tag).toString(), "random");
    }
    assert.equal(ivs.size, 20);
  }
  expectRv(
    () => pkcs11.C_EncryptMessage(s, gcmParam(Buffer.alloc(12), { ivFixedBits: 96, ivGenerator: C.CKG_GENERATE_COUNTER }), null, Buffer.alloc(1), Buffer.alloc(8)),
    "CKR_MECHANISM_PARAM_INVALID",
  );
  pkcs11.C_MessageEncryptFinal(s);
});

test("message-based AES-GCM in parts, and the Async and callback forms", async () => {
  const value = crypto.randomBytes(16);
  const key = secretKey(C.CKK_AES, value);
  pkcs11.C_MessageEncryptInit(s, GCM, key);
  const data = crypto.randomBytes(100);
  const aad = Buffer.from("header");
  const iv = Buffer.alloc(12);
  const param = gcmParam(iv, { ivGenerator: C.CKG_GENERATE_RANDOM });
  pkcs11.C_EncryptMessageBegin(s, param, aad);
  assert.notDeepEqual(iv, Buffer.alloc(12), "Begin returns the generated IV");
  const parts = [];
  parts.push(Buffer.from(pkcs11.C_EncryptMessageNext(s, param, data.subarray(0, 40), Buffer.alloc(64), 0)));
  expectRv(() => pkcs11.C_EncryptMessageNext(s, param, data.subarray(40), Buffer.alloc(10), C.CKF_END_OF_MESSAGE), "CKR_BUFFER_TOO_SMALL");
  parts.push(Buffer.from(pkcs11.C_EncryptMessageNext(s, param, data.subarray(40), Buffer.alloc(64), C.CKF_END_OF_MESSAGE)));
  const ct = Buffer.concat(parts);
  assert.deepEqual(nodeGcmOpen(value, iv, aad, ct, param.tag), data);

  pkcs11.C_MessageDecryptInit(s, GCM, key);
  pkcs11.C_DecryptMessageBegin(s, gcmParam(iv), aad);
  const first = pkcs11.C_DecryptMessageNext(s, null, ct.subarray(0, 50), Buffer.alloc(100), 0);
  assert.equal(first.length, 0, "no plaintext before the tag is checked");
  const rest = pkcs11.C_DecryptMessageNext(s, gcmParam(iv, { tag: param.tag }), ct.subarray(50), Buffer.alloc(100), C.CKF_END_OF_MESSAGE);
  assert.deepEqual(Buffer.from(rest), data);

  // Async: resolves with the ciphertext; the tag lands in the parameter.
  const p2 = gcmParam(crypto.randomBytes(12));
  const ct2 = await pkcs11.C_EncryptMessageAsync(s, p2, null, Buffer.from("async"), Buffer.alloc(16));
  assert.equal(nodeGcmOpen(value, p2.iv, Buffer.alloc(0), ct2, p2.tag).toString(), "async");
  const plain2 = await pkcs11.C_DecryptMessageAsync(s, p2, null, ct2, Buffer.alloc(16));
  assert.equal(Buffer.from(plain2).toString(), "async");
  await assert.rejects(pkcs11.C_DecryptMessageAsync(s, gcmParam(p2.iv), null, ct2, Buffer.alloc(16)), (e) => e.code === C.CKR_AEAD_DECRYPT_FAILED);
  const viaCallback = await new Promise((resolve, reject) =>
    pkcs11.C_DecryptMessage(s, p2, null, ct2, Buffer.alloc(16), (err, r) => (err ? reject(err) : resolve(r))),
  );
  assert.equal(Buffer.from(viaCallback).toString(), "async");
  pkcs11.C_MessageEncryptFinal(s);
  pkcs11.C_MessageDecryptFinal(s);
  expectRv(() => pkcs11.C_MessageDecryptFinal(s), "CKR_OPERATION_NOT_INITIALIZED");
});

test("message-based ChaCha20-Poly1305 against OpenSSL", () => {
  const value = crypto.randomBytes(32);
  const key = secretKey(C.CKK_CHACHA20, value);
  const mech = { mechanism: C.CKM_CHACHA20_POLY1305 };
  pkcs11.C_MessageEncryptInit(s, mech, key);
  pkcs11.C_MessageDecryptInit(s, mech, key);
  for (const dataLen of [0, 1, 64, 1000]) {
    const nonce = crypto.randomBytes(12);
    const aad = crypto.randomBytes(dataLen % 50);
    const data = crypto.randomBytes(dataLen);
    const param = { type: C.CK_PARAMS_CHACHA20_POLY1305_MESSAGE, nonce, tag: Buffer.alloc(16) };
    const ct = pkcs11.C_EncryptMessage(s, param, aad, data, Buffer.alloc(dataLen));
    const d = crypto.createDecipheriv("chacha20-poly1305", value, nonce, { authTagLength: 16 });
    d.setAAD(aad);
    d.setAuthTag(param.tag);
    assert.deepEqual(Buffer.concat([d.update(ct), d.final()]), data);
    const c = crypto.createCipheriv("chacha20-poly1305", value, nonce, { authTagLength: 16 });
    c.setAAD(aad);
    const theirs = Buffer.concat([c.update(data), c.final()]);
    const tag = c.getAuthTag();
    const plain = pkcs11.C_DecryptMessage(s, { type: C.CK_PARAMS_CHACHA20_POLY1305_MESSAGE, nonce, tag }, aad, theirs, Buffer.alloc(dataLen));
    assert.deepEqual(Buffer.from(plain), data);
  }
  pkcs11.C_MessageEncryptFinal(s);
  pkcs11.C_MessageDecryptFinal(s);
});

test("message-based signing and verifying (HMAC against OpenSSL, ECDSA collected parts)", async () => {
  const value = crypto.randomBytes(32);
  const key = secretKey(C.CKK_GENERIC_SECRET, value);
  const mech = { mechanism: C.CKM_SHA256_HMAC };
  pkcs11.C_MessageSignInit(s, mech, key);
  pkcs11.C_MessageVerifyInit(s, mech, key);
  for (const msg of ["", "one", "two messages, one process"]) {
    const expected = crypto.createHmac("sha256", value).update(msg).digest();
    const mac = pkcs11.C_SignMessage(s, null, Buffer.from(msg), Buffer.alloc(64));
    assert.deepEqual(Buffer.from(mac), expected);
    assert.equal(pkcs11.C_VerifyMessage(s, null, Buffer.from(msg), expected), true);
  }
  pkcs11.C_SignMessageBegin(s, null);
  assert.equal(pkcs11.C_SignMessageNext(s, null, Buffer.from("multi "), null), null);
  const mac = pkcs11.C_SignMessageNext(s, null, Buffer.from("part"), Buffer.alloc(32));
  assert.deepEqual(Buffer.from(mac), crypto.createHmac("sha256", value).update("multi part").digest());
  pkcs11.C_VerifyMessageBegin(s, null);
  assert.equal(pkcs11.C_VerifyMessageNext(s, null, Buffer.from("multi "), null), null);
  expectRv(() => pkcs11.C_VerifyMessageNext(s, null, Buffer.from("parts"), mac), "CKR_SIGNATURE_INVALID");
  expectRv(() => pkcs11.C_VerifyMessage(s, null, Buffer.from("x"), mac), "CKR_SIGNATURE_INVALID");
  assert.equal(await pkcs11.C_VerifyMessageAsync(s, null, Buffer.from("multi part"), mac), true);
  const asyncMac = await pkcs11.C_SignMessageAsync(s, null, Buffer.from("multi part"), Buffer.alloc(32));
  assert.deepEqual(Buffer.from(asyncMac), Buffer.from(mac));
  pkcs11.C_MessageSignFinal(s);
  pkcs11.C_MessageVerifyFinal(s);

  // ECDSA (single-part only) signs a hash given in parts; OpenSSL verifies.
  const { publicKey, privateKey } = generateKeyPair("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  const ecPriv = pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_EC },
    { type: C.CKA_EC_PARAMS, value: Buffer.from("06082a8648ce3d030107", "hex") },
    { type: C.CKA_VALUE, value: Buffer.from(jwk.d, "base64url") },
  ]);
  const hash = crypto.createHash("sha256").update("ecdsa message").digest();
  pkcs11.C_MessageSignInit(s, { mechanism: C.CKM_ECDSA }, ecPriv);
  pkcs11.C_SignMessageBegin(s, null);
  pkcs11.C_SignMessageNext(s, null, hash.subarray(0, 7), null);
  const sig = pkcs11.C_SignMessageNext(s, null, hash.subarray(7), Buffer.alloc(64));
  assert.ok(crypto.verify("sha256", Buffer.from("ecdsa message"), { key: publicKey, dsaEncoding: "ieee-p1363" }, sig));
  pkcs11.C_MessageSignFinal(s);
});

test("C_VerifySignature*: the signature first, then the data", async () => {
  const value = crypto.randomBytes(32);
  const key = secretKey(C.CKK_GENERIC_SECRET, value);
  const mech = { mechanism: C.CKM_SHA256_HMAC };
  const mac = crypto.createHmac("sha256", value).update("data to check").digest();
  pkcs11.C_VerifySignatureInit(s, mech, key, mac);
  assert.equal(pkcs11.C_VerifySignature(s, Buffer.from("data to check")), true);
  pkcs11.C_VerifySignatureInit(s, mech, key, mac);
  expectRv(() => pkcs11.C_VerifySignature(s, Buffer.from("other data")), "CKR_SIGNATURE_INVALID");
  pkcs11.C_VerifySignatureInit(s, mech, key, mac);
  pkcs11.C_VerifySignatureUpdate(s, Buffer.from("data "));
  expectRv(() => pkcs11.C_VerifySignature(s, Buffer.from("to check")), "CKR_OPERATION_ACTIVE");
  pkcs11.C_VerifySignatureUpdate(s, Buffer.from("to check"));
  assert.equal(pkcs11.C_VerifySignatureFinal(s), true);
  pkcs11.C_VerifySignatureInit(s, mech, key, mac.subarray(0, 31));
  await assert.rejects(pkcs11.C_VerifySignatureAsync(s, Buffer.from("data to check")), (e) => e.code === C.CKR_SIGNATURE_LEN_RANGE);
  pkcs11.C_VerifySignatureInit(s, mech, key, mac);
  pkcs11.C_VerifySignatureUpdate(s, Buffer.from("data to check"));
  assert.equal(await pkcs11.C_VerifySignatureFinalAsync(s), true);
  // null ends the operation.
  pkcs11.C_VerifySignatureInit(s, mech, key, mac);
  pkcs11.C_VerifySignatureInit(s, null, key, Buffer.alloc(0));
  expectRv(() => pkcs11.C_VerifySignatureFinal(s), "CKR_OPERATION_NOT_INITIALIZED");
  assert.throws(() => pkcs11.C_VerifySignatureInit(s, mech, key), /Expected 4 arguments/);
});

test("C_SessionCancel, C_LoginUser and the operation state calls", () => {
  const key = aesKey();
  pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, key);
  pkcs11.C_DigestInit(s, { mechanism: C.CKM_SHA256 });
  pkcs11.C_MessageEncryptInit(s, GCM, key);
  expectRv(() => pkcs11.C_GetOperationState(s), "CKR_STATE_UNSAVEABLE");
  expectRv(() => pkcs11.C_SetOperationState(s, Buffer.from("state"), key, key), "CKR_SAVED_STATE_INVALID");
  pkcs11.C_SessionCancel(s, 0);
  expectRv(() => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, key), "CKR_OPERATION_ACTIVE");
  pkcs11.C_SessionCancel(s, C.CKF_ENCRYPT | C.CKF_MESSAGE_ENCRYPT);
  pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, key);
  expectRv(() => pkcs11.C_MessageEncryptFinal(s), "CKR_OPERATION_NOT_INITIALIZED");
  pkcs11.C_DigestUpdate(s, Buffer.from("still active"));
  pkcs11.C_SessionCancel(s, C.CKF_ENCRYPT | C.CKF_DIGEST);
  expectRv(() => pkcs11.C_GetOperationState(s), "CKR_OPERATION_NOT_INITIALIZED");

  const other = pkcs11.C_OpenSession(slot, RW);
  pkcs11.C_Logout(other);
  expectRv(() => pkcs11.C_LoginUser(other, C.CKU_USER, "wrong pin", "alice"), "CKR_PIN_INCORRECT");
  pkcs11.C_LoginUser(other, C.CKU_USER, USER_PIN, "alice");
  assert.equal(pkcs11.C_GetSessionInfo(s).state, 3, "the login is the token's");
  expectRv(() => pkcs11.C_LoginUser(other, C.CKU_USER, USER_PIN), "CKR_USER_ALREADY_LOGGED_IN");
  pkcs11.C_CloseSession(other);
  assert.throws(() => pkcs11.C_SessionCancel(s), /Expected 2 arguments/);
  assert.throws(() => pkcs11.C_LoginUser(s, C.CKU_USER, USER_PIN, 5), /Argument 3 has wrong type/);
});

test("CKA_WRAP_TEMPLATE and CKA_UNWRAP_TEMPLATE take template arrays", () => {
  const mech = { mechanism: C.CKM_AES_CBC_PAD, parameter: crypto.randomBytes(16) };
  const kek = aesKey([
    { type: C.CKA_WRAP_TEMPLATE, value: [{ type: C.CKA_KEY_TYPE, value: C.CKK_AES }, { type: C.CKA_LABEL, value: "may leave" }] },
    { type: C.CKA_UNWRAP_TEMPLATE, value: [{ type: C.CKA_SENSITIVE, value: true }, { type: C.CKA_ID, value: Buffer.from("unwrapped") }] },
  ]);
  const [wt, ut] = pkcs11.C_GetAttributeValue(s, kek, [{ type: C.CKA_WRAP_TEMPLATE }, { type: C.CKA_UNWRAP_TEMPLATE }]);
  assert.equal(wt.value.length, 2);
  assert.equal(wt.value[0].type, C.CKA_KEY_TYPE);
  assert.equal(wt.value[0].value.readUInt32LE(0), C.CKK_AES);
  assert.equal(wt.value[1].value.toString(), "may leave");
  assert.deepEqual(ut.value.map((a) => a.type), [C.CKA_SENSITIVE, C.CKA_ID]);
  assert.deepEqual(pkcs11.C_GetAttributeValue(s, aesKey(), [{ type: C.CKA_WRAP_TEMPLATE }])[0].value, []);

  const leaving = aesKey([{ type: C.CKA_EXTRACTABLE, value: true }, { type: C.CKA_LABEL, value: "may leave" }]);
  const staying = aesKey([{ type: C.CKA_EXTRACTABLE, value: true }, { type: C.CKA_LABEL, value: "other" }]);
  const wrapped = pkcs11.C_WrapKey(s, mech, kek, leaving, Buffer.alloc(64));
  expectRv(() => pkcs11.C_WrapKey(s, mech, kek, staying, Buffer.alloc(64)), "CKR_KEY_HANDLE_INVALID");
  const base = [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
  ];
  const k = pkcs11.C_UnwrapKey(s, mech, kek, wrapped, base);
  const got = pkcs11.C_GetAttributeValue(s, k, [{ type: C.CKA_SENSITIVE }, { type: C.CKA_ID }]);
  assert.equal(got[0].value[0], 1);
  assert.equal(got[1].value.toString(), "unwrapped");
  expectRv(() => pkcs11.C_UnwrapKey(s, mech, kek, wrapped, [...base, { type: C.CKA_SENSITIVE, value: false }]), "CKR_TEMPLATE_INCONSISTENT");
  // Nested template attributes are refused; other arrays stay TypeErrors.
  assert.throws(
    () => aesKey([{ type: C.CKA_WRAP_TEMPLATE, value: [{ type: C.CKA_UNWRAP_TEMPLATE, value: [] }] }]),
    (e) => e.code === C.CKR_TEMPLATE_INCONSISTENT,
  );
  assert.throws(() => aesKey([{ type: C.CKA_LABEL, value: [] }]), TypeError);
});

test("trusted wrapping keys and sensitive keys", () => {
  const mech = { mechanism: C.CKM_AES_CBC_PAD, parameter: crypto.randomBytes(16) };
  // Only the SO sets CKA_TRUSTED.
  assert.throws(
    () => aesKey([{ type: C.CKA_TRUSTED, value: true }]),
    (e) => e.code === C.CKR_ATTRIBUTE_READ_ONLY,
  );
  const [t] = pkcs11.C_GetAttributeValue(s, trustedKek, [{ type: C.CKA_TRUSTED }]);
  assert.equal(t.value[0], 1);
  const value = crypto.randomBytes(16);
  const guarded = secretKey(C.CKK_AES, value, [
    { type: C.CKA_SENSITIVE, value: true },
    { type: C.CKA_EXTRACTABLE, value: true },
    { type: C.CKA_WRAP_WITH_TRUSTED, value: true },
  ]);
  expectRv(() => pkcs11.C_GetAttributeValue(s, guarded, [{ type: C.CKA_VALUE }]), "CKR_ATTRIBUTE_SENSITIVE");
  expectRv(() => pkcs11.C_WrapKey(s, mech, aesKey(), guarded, Buffer.alloc(64)), "CKR_KEY_NOT_WRAPPABLE");
  const wrapped = Buffer.from(pkcs11.C_WrapKey(s, mech, trustedKek, guarded, Buffer.alloc(64)));
  // The wrapped form is what OpenSSL makes of the same key under the KEK.
  const c = crypto.createCipheriv("aes-256-cbc", TRUSTED_KEK_VALUE, mech.parameter);
  assert.deepEqual(wrapped, Buffer.concat([c.update(value), c.final()]));
  assert.throws(
    () => pkcs11.C_SetAttributeValue(s, guarded, [{ type: C.CKA_WRAP_WITH_TRUSTED, value: false }]),
    /CKR_ATTRIBUTE_READ_ONLY/,
  );
  const stuck = aesKey([{ type: C.CKA_SENSITIVE, value: true }]);
  expectRv(() => pkcs11.C_WrapKey(s, mech, trustedKek, stuck, Buffer.alloc(64)), "CKR_KEY_UNEXTRACTABLE");
});

test("argument checks of the message functions", () => {
  const key = aesKey();
  assert.throws(() => pkcs11.C_MessageEncryptInit(s, GCM), /Expected 3 arguments/);
  assert.throws(() => pkcs11.C_EncryptMessage(s, gcmParam(Buffer.alloc(12)), null, Buffer.alloc(1)), /Expected 5 arguments/);
  assert.throws(() => pkcs11.C_EncryptMessage(s, "iv", null, Buffer.alloc(1), Buffer.alloc(1)), /Argument 1 has wrong type/);
  assert.throws(
    () => pkcs11.C_EncryptMessage(s, { type: C.CK_PARAMS_GCM_MESSAGE, tag: Buffer.alloc(16) }, null, Buffer.alloc(1), Buffer.alloc(1)),
    /Property 'iv' of CK_GCM_MESSAGE_PARAMS/,
  );
  expectRv(() => pkcs11.C_EncryptMessage(s, gcmParam(Buffer.alloc(12)), null, Buffer.alloc(1), Buffer.alloc(17)), "CKR_OPERATION_NOT_INITIALIZED");
  pkcs11.C_MessageEncryptInit(s, GCM, key);
  expectRv(() => pkcs11.C_MessageEncryptInit(s, GCM, key), "CKR_OPERATION_ACTIVE");
  expectRv(() => pkcs11.C_EncryptMessage(s, null, null, Buffer.alloc(1), Buffer.alloc(17)), "CKR_ARGUMENTS_BAD");
  expectRv(() => pkcs11.C_EncryptMessage(s, gcmParam(Buffer.alloc(12)), null, Buffer.alloc(20), Buffer.alloc(19)), "CKR_BUFFER_TOO_SMALL");
  pkcs11.C_MessageEncryptInit(s, null, key);
  expectRv(() => pkcs11.C_MessageEncryptFinal(s), "CKR_OPERATION_NOT_INITIALIZED");
  expectRv(() => pkcs11.C_MessageEncryptInit(s, { mechanism: C.CKM_AES_CBC, parameter: Buffer.alloc(16) }, key), "CKR_MECHANISM_INVALID");
});
