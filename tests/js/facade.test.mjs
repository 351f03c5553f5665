// Smoke test of the built package (pkg/, from `npm run build`) through its
// pkcs11js-style facade: loads it with require() and import, runs the seed
// scenario, and checks the pkcs11js shapes (handles, templates, info
// objects, errors, TypeErrors, output buffers, callback and Async forms).
// Run: node --test tests/js/
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const pkgDir = new URL("../../pkg/", import.meta.url);
const cjs = require("../../pkg");
const esm = await import(new URL("index.mjs", pkgDir));

const SO_PIN = "so-pin-1234";
const USER_PIN = "user-1234";
const p = cjs;

/** Asserts that `fn` throws a Pkcs11Error with this code from this method. */
function throwsRv(fn, code, method) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof p.Pkcs11Error, `expected Pkcs11Error, got ${e}`);
    assert.ok(e instanceof p.NativeError && e instanceof Error);
    assert.equal(e.name, "Pkcs11Error");
    assert.equal(e.code, code, `code ${e.code} (${e.message}), expected ${code}`);
    if (method) assert.equal(e.method, method);
    return true;
  });
}

function throwsType(fn, message) {
  assert.throws(fn, (e) => e instanceof TypeError && e.message === message);
}

test("loads with require() and import, with the same exports", () => {
  assert.equal(typeof cjs.PKCS11, "function");
  assert.equal(typeof esm.PKCS11, "function");
  for (const name of ["CKA_CLASS", "CKM_AES_GCM", "CKR_SIGNATURE_INVALID", "CK_PARAMS_AES_GCM", "CKF_EC_F_P", "CK_PARAMS_BUFFER"]) {
    assert.equal(typeof cjs[name], "number", name);
    assert.equal(esm[name], cjs[name], name);
  }
  assert.equal(cjs.CKR_SIGNATURE_INVALID, 192);
  assert.equal(cjs.CKM_SHA256_RSA_PKCS, 0x40);
  // PKCS#11 3.x names are exported too; ~0 shows as its 32-bit view.
  assert.equal(cjs.CKR_ACTION_PROHIBITED, 0x1b);
  assert.equal(cjs.CK_UNAVAILABLE_INFORMATION, 0xffffffff);
  assert.equal(typeof esm.init, "function");
});

test("seed scenario", async (t) => {
  const m = new p.PKCS11();
  m.load("/usr/lib/softhsm/libsofthsm2.so"); // accepted and ignored
  throwsRv(() => m.C_GetInfo(), p.CKR_CRYPTOKI_NOT_INITIALIZED, "C_GetInfo");
  m.C_Initialize({ libraryParameters: '{"kdfIterations":"insecure-test"}' });
  throwsRv(() => m.C_Initialize(), p.CKR_CRYPTOKI_ALREADY_INITIALIZED, "C_Initialize");
  t.after(() => m.close());

  const info = m.C_GetInfo();
  assert.deepEqual(Object.keys(info), ["cryptokiVersion", "manufacturerID", "flags", "libraryDescription", "libraryVersion"]);
  assert.equal(info.manufacturerID.length, 32);
  assert.deepEqual(Object.keys(info.cryptokiVersion), ["major", "minor"]);

  const slots = m.C_GetSlotList(true);
  assert.ok(slots.length >= 1);
  const slot = slots[0];
  assert.ok(Buffer.isBuffer(slot) && slot.length === 8);
  assert.deepEqual(Object.keys(m.C_GetSlotInfo(slot)), ["slotDescription", "manufacturerID", "flags", "hardwareVersion", "firmwareVersion"]);

  assert.equal(m.C_InitToken(slot, SO_PIN, "facade test"), "facade test");
  const ti = m.C_GetTokenInfo(slot);
  assert.deepEqual(Object.keys(ti), [
    "label", "manufacturerID", "model", "serialNumber", "flags", "maxSessionCount", "sessionCount",
    "maxRwSessionCount", "rwSessionCount", "maxPinLen", "minPinLen", "hardwareVersion", "firmwareVersion",
    "utcTime", "totalPublicMemory", "freePublicMemory", "totalPrivateMemory", "freePrivateMemory",
  ]);
  assert.equal(ti.label, "facade test".padEnd(32));
  assert.equal(typeof ti.totalPublicMemory, "bigint");
  assert.equal(ti.utcTime.length, 16);
  assert.ok(ti.flags & p.CKF_TOKEN_INITIALIZED);

  // C_InitToken left a slot event; then there is none.
  let event;
  while ((event = m.C_WaitForSlotEvent(p.CKF_DONT_BLOCK)) !== null) assert.equal(event.length, 8);
  assert.equal(m.C_WaitForSlotEvent(p.CKF_DONT_BLOCK), null);

  const s = m.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION);
  const si = m.C_GetSessionInfo(s);
  assert.deepEqual(Object.keys(si), ["slotID", "state", "flags", "deviceError"]);
  assert.ok(si.slotID.equals(slot));
  assert.equal(si.state, p.CKS_RW_PUBLIC_SESSION ?? 2);
  m.C_Login(s, p.CKU_SO, SO_PIN);
  m.C_InitPIN(s, USER_PIN);
  m.C_Logout(s);
  throwsRv(() => m.C_Login(s, p.CKU_USER, "wrong-pin"), p.CKR_PIN_INCORRECT, "C_Login");
  m.C_Login(s, p.CKU_USER, USER_PIN);
  assert.equal(m.C_GetSessionInfo(s).state, 3); // CKS_RW_USER_FUNCTIONS

  // --- AES-256 and AES-GCM ---
  const aes = m.C_GenerateKey(s, { mechanism: p.CKM_AES_KEY_GEN }, [
    { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
    { type: p.CKA_VALUE_LEN, value: 32 },
    { type: p.CKA_ENCRYPT, value: true },
    { type: p.CKA_DECRYPT, value: true },
    { type: p.CKA_LABEL, value: "aes" },
  ]);
  assert.equal(aes.length, 8);
  const gcm = (iv, aad) => ({ mechanism: p.CKM_AES_GCM, parameter: { type: p.CK_PARAMS_AES_GCM, iv, aad, tagBits: 128 } });
  const iv = Buffer.alloc(12, 7);
  const aad = Buffer.from("header");
  const plain = Buffer.from("attack at dawn");
  m.C_EncryptInit(s, gcm(iv, aad), aes);
  const outBuf = Buffer.alloc(64);
  const ct = m.C_Encrypt(s, plain, outBuf);
  assert.equal(ct.length, plain.length + 16);
  assert.equal(ct.buffer, outBuf.buffer, "result is a view of the caller's buffer");
  m.C_DecryptInit(s, gcm(iv, aad), aes);
  assert.deepEqual(m.C_Decrypt(s, ct, Buffer.alloc(64)), plain);
  const bad = Buffer.from(ct);
  bad[0] ^= 1;
  m.C_DecryptInit(s, gcm(iv, aad), aes);
  throwsRv(() => m.C_Decrypt(s, bad, Buffer.alloc(64)), p.CKR_ENCRYPTED_DATA_INVALID, "C_Decrypt");
  // pkcs11js's v2.40 GCM tag needs ivBits; ours ignores its value.
  m.C_EncryptInit(s, { mechanism: p.CKM_AES_GCM, parameter: { type: p.CK_PARAMS_GCM, iv, ivBits: 96, aad, tagBits: 128 } }, aes);
  assert.deepEqual(m.C_Encrypt(s, plain, Buffer.alloc(64)), ct);

  // CKR_BUFFER_TOO_SMALL leaves the operation active.
  m.C_EncryptInit(s, { mechanism: p.CKM_AES_CBC_PAD, parameter: Buffer.alloc(16, 1) }, aes);
  throwsRv(() => m.C_Encrypt(s, plain, Buffer.alloc(4)), p.CKR_BUFFER_TOO_SMALL, "C_Encrypt");
  const cbc = m.C_Encrypt(s, plain, Buffer.alloc(32));
  assert.equal(cbc.length, 16);
  m.C_DecryptInit(s, { mechanism: p.CKM_AES_CBC_PAD, parameter: Buffer.alloc(16, 1) }, aes);
  assert.deepEqual(m.C_Decrypt(s, cbc, Buffer.alloc(32)), plain);

  // --- RSA-2048, SHA256_RSA_PKCS ---
  const { publicKey, privateKey, ...rest } = m.C_GenerateKeyPair(
    s,
    { mechanism: p.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [
      { type: p.CKA_MODULUS_BITS, value: 2048 },
      { type: p.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      { type: p.CKA_VERIFY, value: true },
      { type: p.CKA_TOKEN, value: true },
    ],
    [
      { type: p.CKA_SIGN, value: true },
      { type: p.CKA_SENSITIVE, value: true },
      { type: p.CKA_PRIVATE, value: true },
      { type: p.CKA_TOKEN, value: true },
    ],
  );
  assert.deepEqual(rest, {});
  const data = Buffer.from("message to sign");
  const sha256Rsa = { mechanism: p.CKM_SHA256_RSA_PKCS };
  m.C_SignInit(s, sha256Rsa, privateKey);
  const sig = m.C_Sign(s, data, Buffer.alloc(1024));
  assert.equal(sig.length, 256);
  m.C_VerifyInit(s, sha256Rsa, publicKey);
  assert.equal(m.C_Verify(s, data, sig), true);
  m.C_VerifyInit(s, sha256Rsa, publicKey);
  throwsRv(() => m.C_Verify(s, Buffer.from("other message"), sig), p.CKR_SIGNATURE_INVALID, "C_Verify");
  // Multi-part gives the same signature (PKCS#1 v1.5 is deterministic).
  m.C_SignInit(s, sha256Rsa, privateKey);
  m.C_SignUpdate(s, data.subarray(0, 4));
  m.C_SignUpdate(s, data.subarray(4));
  assert.deepEqual(m.C_SignFinal(s, Buffer.alloc(512)), sig);
  m.C_VerifyInit(s, sha256Rsa, publicKey);
  m.C_VerifyUpdate(s, data);
  assert.equal(m.C_VerifyFinal(s, sig), true);
  // The signature checks out with node:crypto.
  const [modulus, exponent] = m
    .C_GetAttributeValue(s, publicKey, [{ type: p.CKA_MODULUS }, { type: p.CKA_PUBLIC_EXPONENT }])
    .map((a) => a.value.toString("base64url"));
  const { createPublicKey, verify } = await import("node:crypto");
  const jwk = createPublicKey({ key: { kty: "RSA", n: modulus, e: exponent }, format: "jwk" });
  assert.ok(verify("sha256", data, jwk, sig));

  // --- C_FindObjects, both overloads ---
  m.C_FindObjectsInit(s, [{ type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY }]);
  const first = m.C_FindObjects(s);
  assert.ok(first.equals(privateKey), "handles compare by content");
  assert.equal(m.C_FindObjects(s), null);
  m.C_FindObjectsFinal(s);
  m.C_FindObjectsInit(s, []);
  const all = m.C_FindObjects(s, 10);
  assert.ok(Array.isArray(all) && all.length === 3);
  assert.deepEqual(m.C_FindObjects(s, 10), []);
  m.C_FindObjectsFinal(s);
  throwsRv(() => m.C_FindObjects(s, 1), p.CKR_OPERATION_NOT_INITIALIZED, "C_FindObjects");

  // --- C_GetAttributeValue ---
  const tmpl = [{ type: p.CKA_CLASS }, { type: p.CKA_MODULUS, value: null }, { type: p.CKA_SIGN }];
  const res = m.C_GetAttributeValue(s, privateKey, tmpl);
  assert.equal(res, tmpl, "the same array comes back");
  assert.deepEqual(res[0].value, Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]));
  assert.equal(res[1].value.toString("base64url"), modulus);
  assert.deepEqual(res[2].value, Buffer.from([1]));
  const sensitive = [{ type: p.CKA_CLASS }, { type: p.CKA_PRIVATE_EXPONENT }];
  throwsRv(() => m.C_GetAttributeValue(s, privateKey, sensitive), p.CKR_ATTRIBUTE_SENSITIVE, "C_GetAttributeValue");
  assert.equal(sensitive[0].value, undefined, "nothing is filled in when the call fails");
  throwsRv(() => m.C_GetAttributeValue(s, aes, [{ type: p.CKA_MODULUS }]), p.CKR_ATTRIBUTE_TYPE_INVALID);
  // An input value shorter than the attribute: CKR_BUFFER_TOO_SMALL, as pkcs11js's first call gets.
  throwsRv(() => m.C_GetAttributeValue(s, publicKey, [{ type: p.CKA_MODULUS, value: Buffer.alloc(8) }]), p.CKR_BUFFER_TOO_SMALL);

  // --- templates: encodings and Dates ---
  const obj = m.C_CreateObject(s, [
    { type: p.CKA_CLASS, value: p.CKO_DATA },
    { type: p.CKA_TOKEN, value: false },
    { type: p.CKA_LABEL, value: 1 },
    { type: p.CKA_APPLICATION, value: true },
    { type: p.CKA_VALUE, value: "été" },
  ]);
  const [label, app, value] = m.C_GetAttributeValue(s, obj, [{ type: p.CKA_LABEL }, { type: p.CKA_APPLICATION }, { type: p.CKA_VALUE }]);
  assert.deepEqual(label.value, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
  assert.deepEqual(app.value, Buffer.from([1]));
  assert.equal(value.value.toString(), "été");
  const date = { type: p.CKA_START_DATE, value: new Date(Date.UTC(2024, 0, 15, 23, 0)) };
  m.C_SetAttributeValue(s, aes, [date]);
  assert.ok(Buffer.isBuffer(date.value), "the Date is replaced in place");
  assert.equal(m.C_GetAttributeValue(s, aes, [{ type: p.CKA_START_DATE }])[0].value.toString(), "20240115");
  throwsType(
    () => m.C_FindObjectsInit(s, [{ type: p.CKA_START_DATE, value: new Date() }]),
    "Element 0 has wrong type. Property 'value' should be a Number, Boolean, String or Buffer",
  );
  throwsType(
    () => m.C_CreateObject(s, [{ type: p.CKA_END_DATE, value: "2024" }]),
    "Attribute with type 0x00000111 is not convertible to CK_DATE. The length of the data should be at least 8 bytes.",
  );
  // Errors from C_CreateObject are Pkcs11Errors here (plain Errors in pkcs11js).
  throwsRv(() => m.C_CreateObject(s, [{ type: p.CKA_LABEL, value: "no class" }]), p.CKR_TEMPLATE_INCOMPLETE, "C_CreateObject");
  assert.equal(typeof m.C_GetObjectSize(s, obj), "number");
  m.C_DestroyObject(s, obj);
  throwsRv(() => m.C_DestroyObject(s, obj), p.CKR_OBJECT_HANDLE_INVALID, "C_DestroyObject");

  // --- digest, random ---
  m.C_DigestInit(s, { mechanism: p.CKM_SHA256 });
  assert.deepEqual(m.C_Digest(s, data, Buffer.alloc(64)), createHash("sha256").update(data).digest());
  const rnd = Buffer.alloc(32);
  assert.equal(m.C_GenerateRandom(s, rnd), rnd);
  assert.ok(rnd.some((b) => b !== 0));

  // --- callback and Async forms ---
  const key2 = await m.C_GenerateKeyAsync(s, { mechanism: p.CKM_AES_KEY_GEN }, [
    { type: p.CKA_VALUE_LEN, value: 16 },
    { type: p.CKA_SIGN, value: true },
    { type: p.CKA_ENCRYPT, value: true },
  ]);
  assert.equal(key2.length, 8);
  m.C_SignInit(s, sha256Rsa, privateKey);
  const sig2 = await m.C_SignAsync(s, data, Buffer.alloc(512));
  assert.deepEqual(sig2, sig);
  m.C_VerifyInit(s, sha256Rsa, publicKey);
  await assert.rejects(m.C_VerifyAsync(s, Buffer.from("x"), sig), (e) => e instanceof p.Pkcs11Error && e.code === 192);
  await assert.rejects(m.C_SignAsync(s, data), (e) => e instanceof TypeError && /Expected 4 arguments, but received 3/.test(e.message));
  m.C_DigestInit(s, { mechanism: p.CKM_SHA256 });
  let called = false;
  const viaCallback = new Promise((resolve, reject) => {
    m.C_Digest(s, data, Buffer.alloc(32), (err, out) => {
      called = true;
      err ? reject(err) : resolve(out);
    });
  });
  assert.equal(called, false, "the callback is invoked asynchronously");
  assert.deepEqual(await viaCallback, createHash("sha256").update(data).digest());
  const pair = await new Promise((resolve, reject) =>
    m.C_GenerateKeyPair(s, { mechanism: p.CKM_EC_KEY_PAIR_GEN }, [
      { type: p.CKA_EC_PARAMS, value: Buffer.from("06082a8648ce3d030107", "hex") }, // P-256
      { type: p.CKA_VERIFY, value: true },
    ], [{ type: p.CKA_SIGN, value: true }], (err, keys) => (err ? reject(err) : resolve(keys))),
  );
  assert.deepEqual(Object.keys(pair), ["publicKey", "privateKey"]);
  m.C_EncryptInit(s, gcm(iv, aad), aes);
  await new Promise((resolve) =>
    m.C_Encrypt(s, plain, Buffer.alloc(4), (err, out) => {
      assert.ok(err instanceof p.Pkcs11Error && err.code === p.CKR_BUFFER_TOO_SMALL);
      assert.equal(out, null);
      resolve();
    }),
  );
  assert.deepEqual(await m.C_EncryptAsync(s, plain, Buffer.alloc(64)), ct, "still active after BUFFER_TOO_SMALL");

  // --- not implemented here ---
  throwsRv(() => m.C_DigestEncryptUpdate(s, data, Buffer.alloc(64)), p.CKR_FUNCTION_NOT_SUPPORTED, "C_DigestEncryptUpdate");
  throwsRv(() => m.C_SeedRandom(s, Buffer.alloc(8)), p.CKR_RANDOM_SEED_NOT_SUPPORTED, "C_SeedRandom");

  m.C_Logout(s);
  m.C_CloseSession(s);
  throwsRv(() => m.C_GetSessionInfo(s), p.CKR_SESSION_HANDLE_INVALID, "C_GetSessionInfo");
  m.C_Finalize();
});

test("mechanism parameters reach the engine (checked against node:crypto)", async () => {
  const nodeCrypto = await import("node:crypto");
  const m = new p.PKCS11();
  m.C_Initialize({ libraryParameters: '{"kdfIterations":"insecure-test"}' });
  const slot = m.C_GetSlotList()[0];
  m.C_InitToken(slot, SO_PIN, "params");
  const s = m.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION);
  m.C_Login(s, p.CKU_SO, SO_PIN);
  m.C_InitPIN(s, USER_PIN);
  m.C_Logout(s);
  m.C_Login(s, p.CKU_USER, USER_PIN);
  const data = Buffer.from("parameters, parameters");

  // AES-CTR: raw CK_AES_CTR_PARAMS bytes (as pkcs11js callers must) and our tag.
  const keyBytes = nodeCrypto.randomBytes(16);
  const aes = m.C_CreateObject(s, [
    { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
    { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
    { type: p.CKA_VALUE, value: keyBytes },
    { type: p.CKA_ENCRYPT, value: true },
  ]);
  const cb = nodeCrypto.randomBytes(16);
  const expected = nodeCrypto.createCipheriv("aes-128-ctr", keyBytes, cb).update(data);
  const struct = Buffer.concat([Buffer.from([128, 0, 0, 0, 0, 0, 0, 0]), cb]);
  m.C_EncryptInit(s, { mechanism: p.CKM_AES_CTR, parameter: struct }, aes);
  assert.deepEqual(m.C_Encrypt(s, data, Buffer.alloc(64)), expected);
  m.C_EncryptInit(s, { mechanism: p.CKM_AES_CTR, parameter: { type: p.CK_PARAMS_AES_CTR, counterBits: 128, cb } }, aes);
  assert.deepEqual(m.C_Encrypt(s, data, Buffer.alloc(64)), expected);
  // A tag the engine has no parameter for, on a mechanism it has.
  throwsRv(
    () => m.C_EncryptInit(s, { mechanism: p.CKM_AES_CTR, parameter: { type: p.CK_PARAMS_AES_CCM, dataLength: 1 } }, aes),
    p.CKR_MECHANISM_PARAM_INVALID,
  );

  // RSA-PSS and RSA-OAEP parameter objects.
  const { publicKey, privateKey } = m.C_GenerateKeyPair(
    s,
    { mechanism: p.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [
      { type: p.CKA_MODULUS_BITS, value: 2048 },
      { type: p.CKA_VERIFY, value: true },
      { type: p.CKA_ENCRYPT, value: true },
    ],
    [
      { type: p.CKA_SIGN, value: true },
      { type: p.CKA_DECRYPT, value: true },
    ],
  );
  const [n, e] = m.C_GetAttributeValue(s, publicKey, [{ type: p.CKA_MODULUS }, { type: p.CKA_PUBLIC_EXPONENT }]);
  const nodePub = nodeCrypto.createPublicKey({ key: { kty: "RSA", n: n.value.toString("base64url"), e: e.value.toString("base64url") }, format: "jwk" });
  const pss = { type: p.CK_PARAMS_RSA_PSS, hashAlg: p.CKM_SHA256, mgf: p.CKG_MGF1_SHA256, saltLen: 32 };
  m.C_SignInit(s, { mechanism: p.CKM_SHA256_RSA_PKCS_PSS, parameter: pss }, privateKey);
  const sig = m.C_Sign(s, data, Buffer.alloc(256));
  assert.ok(
    nodeCrypto.verify("sha256", data, { key: nodePub, padding: nodeCrypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig),
  );
  const oaep = { type: p.CK_PARAMS_RSA_OAEP, hashAlg: p.CKM_SHA256, mgf: p.CKG_MGF1_SHA256, source: 1, sourceData: Buffer.from("label") };
  const ct = nodeCrypto.publicEncrypt({ key: nodePub, oaepHash: "sha256", oaepLabel: Buffer.from("label") }, data);
  m.C_DecryptInit(s, { mechanism: p.CKM_RSA_PKCS_OAEP, parameter: oaep }, privateKey);
  assert.deepEqual(m.C_Decrypt(s, ct, Buffer.alloc(256)), data);

  // ECDH1 with CK_PARAMS_EC_DH: the same secret as node's ECDH.
  const pair = m.C_GenerateKeyPair(
    s,
    { mechanism: p.CKM_EC_KEY_PAIR_GEN },
    [{ type: p.CKA_EC_PARAMS, value: Buffer.from("06082a8648ce3d030107", "hex") }],
    [{ type: p.CKA_DERIVE, value: true }],
  );
  const ecPoint = m.C_GetAttributeValue(s, pair.publicKey, [{ type: p.CKA_EC_POINT }])[0].value;
  const peer = nodeCrypto.createECDH("prime256v1");
  const peerPublic = peer.generateKeys();
  const derived = m.C_DeriveKey(s, { mechanism: p.CKM_ECDH1_DERIVE, parameter: { type: p.CK_PARAMS_EC_DH, kdf: p.CKD_NULL, publicData: peerPublic } }, pair.privateKey, [
    { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
    { type: p.CKA_KEY_TYPE, value: p.CKK_GENERIC_SECRET },
    { type: p.CKA_VALUE_LEN, value: 32 },
    { type: p.CKA_SENSITIVE, value: false },
    { type: p.CKA_EXTRACTABLE, value: true },
  ]);
  const secret = m.C_GetAttributeValue(s, derived, [{ type: p.CKA_VALUE }])[0].value;
  assert.deepEqual(secret, peer.computeSecret(ecPoint.subarray(2))); // CKA_EC_POINT is a DER OCTET STRING

  // A number parameter is an 8-byte CK_ULONG (the HMAC_GENERAL output length).
  const hmacKey = m.C_CreateObject(s, [
    { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
    { type: p.CKA_KEY_TYPE, value: p.CKK_GENERIC_SECRET },
    { type: p.CKA_VALUE, value: keyBytes },
    { type: p.CKA_SIGN, value: true },
  ]);
  m.C_SignInit(s, { mechanism: p.CKM_SHA256_HMAC_GENERAL, parameter: 16 }, hmacKey);
  assert.deepEqual(m.C_Sign(s, data, Buffer.alloc(64)), nodeCrypto.createHmac("sha256", keyBytes).update(data).digest().subarray(0, 16));
  m.close();
});

test("TypeErrors with pkcs11js's messages", () => {
  const m = new p.PKCS11();
  m.C_Initialize();
  const slot = m.C_GetSlotList()[0];
  throwsType(() => m.C_GetSlotList(undefined), "Argument 0 has wrong type. Should be a Boolean");
  throwsType(() => m.C_OpenSession(slot), "Parameters are required. Expected 2 arguments, but received 1.");
  throwsType(() => m.C_OpenSession(slot, 4, 1), "Parameters are required. Expected 2 arguments, but received 3.");
  throwsType(() => m.C_OpenSession("slot", 4), "Argument 0 has wrong type. Should be a Buffer");
  throwsType(() => m.C_OpenSession(Buffer.alloc(4), 4), "Argument 0 has wrong length. Should be 8 bytes.");
  throwsType(() => m.C_OpenSession(slot, "4"), "Argument 1 has wrong type. Should be a Number");
  throwsType(() => m.C_Initialize(1), "Argument 0 has wrong type. Should be an Object");
  throwsType(() => m.C_Initialize({ libraryParameters: 1 }), "Argument 0 has wrong type. Property 'libraryParameters' should be a String");
  throwsType(() => m.C_FindObjects(), "Parameters are required. Expected 2 arguments, but received 1.");
  const s = Buffer.alloc(8);
  throwsType(() => m.C_FindObjectsInit(s, {}), "Argument 1 has wrong type. Should be an Array");
  throwsType(() => m.C_FindObjectsInit(s, [null]), "Element 0 has wrong type. Should be an Object");
  throwsType(() => m.C_FindObjectsInit(s, [{ type: "1" }]), "Element 0 has wrong type. Property 'type' should be a Number");
  throwsType(() => m.C_FindObjectsInit(s, [{ type: 1, value: 1n }]), "Element 0 has wrong type. Property 'value' should be a Number, Boolean, String or Buffer");
  throwsType(() => m.C_DigestInit(s, null), "Argument 1 has wrong type. Should be an Object");
  throwsType(() => m.C_DigestInit(s, { mechanism: "x" }), "Argument 1 has wrong type. Property 'mechanism' should be a Number");
  throwsType(() => m.C_DigestInit(s, { mechanism: 1, parameter: "x" }), "Argument 1 has wrong type. Property 'parameter' should be an Object or Buffer");
  throwsType(() => m.C_DigestInit(s, { mechanism: 1, parameter: {} }), "Argument 1 has wrong type. Property 'type' should be a Number");
  throwsType(() => m.C_DigestInit(s, { mechanism: 1, parameter: { type: 99 } }), "Argument 1 has wrong type. Property 'type' has an unsupported value 99");
  throwsType(
    () => m.C_EncryptInit(s, { mechanism: p.CKM_AES_GCM, parameter: { type: p.CK_PARAMS_AES_GCM, iv: "x" } }, s),
    "Property 'iv' of CK_AES_GCM_PARAMS mechanism parameter should be Buffer",
  );
  throwsType(
    () => m.C_EncryptInit(s, { mechanism: 1, parameter: { type: p.CK_PARAMS_AES_CBC, iv: Buffer.alloc(8) } }, s),
    "Property 'iv' of CK_AES_CBC_ENCRYPT_DATA_PARAMS mechanism parameter should be a Buffer of length 16",
  );
  throwsType(() => m.C_Sign(s, Buffer.alloc(1), Buffer.alloc(1), "cb"), "Argument 3 has wrong type. Should be a Function");
  throwsType(() => m.C_Login(s), "Parameters are required. Expected 3 arguments, but received 1.");
  throwsType(() => m.C_Login(s, 1, 1234), "Argument 2 has wrong type. Should be a String");
  // Session handles that were never issued are a PKCS#11 error, not a TypeError.
  throwsRv(() => m.C_GetSessionInfo(Buffer.alloc(8, 0xff)), p.CKR_SESSION_HANDLE_INVALID);
  m.close();
  assert.throws(() => m.C_GetInfo(), (e) => e instanceof p.NativeError && !(e instanceof p.Pkcs11Error) && e.message === "PKCS11 module not loaded yet");
});

test("configuration is validated", () => {
  const m = new p.PKCS11();
  assert.throws(() => m.C_Initialize({ libraryParameters: "{not json" }), TypeError);
  assert.throws(() => m.C_Initialize({ libraryParameters: '{"kdfIteration":5}' }), (e) => e instanceof TypeError && /kdfIteration/.test(e.message));
  assert.throws(() => m.load({ minPinLen: -1 }), TypeError);
  m.load({ minPinLen: 6 });
  m.C_Initialize();
  assert.equal(m.C_GetTokenInfo(m.C_GetSlotList()[0]).minPinLen, 6);
  m.close();
});

test("configuration sources: PKCS11_WASM_CONF < load() < libraryParameters", async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "pkcs11-wasm-"));
  const file = join(dir, "conf.json");
  writeFileSync(file, JSON.stringify({ minPinLen: 7, maxPinLen: 40 }));
  process.env.PKCS11_WASM_CONF = file;
  try {
    const limits = (m) => {
      const ti = m.C_GetTokenInfo(m.C_GetSlotList()[0]);
      return [ti.minPinLen, ti.maxPinLen];
    };
    const a = new p.PKCS11();
    a.C_Initialize();
    assert.deepEqual(limits(a), [7, 40]);
    a.close();
    const b = new p.PKCS11({ maxPinLen: 9 });
    b.C_Initialize({ libraryParameters: '{"minPinLen":5}' });
    assert.deepEqual(limits(b), [5, 9]);
    b.close();
    const c = new p.PKCS11();
    c.load(file); // a .json path works as load()'s argument too
    c.C_Initialize();
    assert.deepEqual(limits(c), [7, 40]);
    c.close();
  } finally {
    delete process.env.PKCS11_WASM_CONF;
    rmSync(dir, { recursive: true });
  }
});

test("ES module build, and the browser build after init()", async () => {
  const m = new esm.PKCS11();
  m.C_Initialize();
  assert.equal(esm.PKCS11, cjs.PKCS11); // one API per process (tests/js/packaging_module.test.mjs)
  assert.throws(() => m.C_Initialize(), (e) => e instanceof esm.Pkcs11Error && e.message === "CKR_CRYPTOKI_ALREADY_INITIALIZED");
  m.C_Finalize();

  const browser = await import(new URL("browser.mjs", pkgDir));
  const b = new browser.PKCS11();
  assert.throws(() => b.C_Initialize(), (e) => e instanceof browser.NativeError && /init\(\)/.test(e.message));
  await browser.init(readFileSync(new URL("pkcs11_wasm_bg.wasm", pkgDir)));
  b.C_Initialize();
  assert.equal(b.C_GetSlotList().length, 1);
  b.C_Finalize();
});
