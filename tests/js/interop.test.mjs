// Interoperability with node:crypto (OpenSSL): what the token produces,
// OpenSSL accepts, and the other way round. Keys are shared by importing
// them with C_CreateObject or by exporting public values.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { C, b64u, expectRv, fromB64u, hex, openUserSession, pkcs11js } from "./fixtures/token-session.mjs";
import { generateKeyPair } from "./fixtures/node-keys.mjs";

const CKZ_DATA_SPECIFIED = 1; // not exported by pkcs11js
const P256_OID = Buffer.from("06082a8648ce3d030107", "hex");

const { pkcs11, s } = openUserSession("interop");

// ---------------------------------------------------------------- helpers

function attr(obj, type) {
  return pkcs11.C_GetAttributeValue(s, obj, [{ type }])[0].value;
}

function secretKey(keyType, value, usage) {
  return pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: keyType },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_TOKEN, value: false },
    ...usage.map((type) => ({ type, value: true })),
  ]);
}

function encrypt(mech, key, data, outLen = data.length + 64) {
  pkcs11.C_EncryptInit(s, mech, key);
  return Buffer.from(pkcs11.C_Encrypt(s, data, Buffer.alloc(outLen)));
}
function decrypt(mech, key, data, outLen = data.length + 64) {
  pkcs11.C_DecryptInit(s, mech, key);
  return Buffer.from(pkcs11.C_Decrypt(s, data, Buffer.alloc(outLen)));
}
function sign(mech, key, data, outLen = 1024) {
  pkcs11.C_SignInit(s, mech, key);
  return Buffer.from(pkcs11.C_Sign(s, data, Buffer.alloc(outLen)));
}
function verify(mech, key, data, sig) {
  pkcs11.C_VerifyInit(s, mech, key);
  return pkcs11.C_Verify(s, data, sig);
}

function nodeCipher(name, key, iv, data, { aad, tagLength, padding = true } = {}) {
  const c = crypto.createCipheriv(name, key, iv, tagLength ? { authTagLength: tagLength } : undefined);
  if (!padding) c.setAutoPadding(false);
  if (aad) c.setAAD(aad);
  const out = Buffer.concat([c.update(data), c.final()]);
  return tagLength ? Buffer.concat([out, c.getAuthTag()]) : out;
}
function nodeDecipher(name, key, iv, data, { aad, tagLength, padding = true } = {}) {
  const d = crypto.createDecipheriv(name, key, iv, tagLength ? { authTagLength: tagLength } : undefined);
  let body = data;
  if (tagLength) {
    d.setAuthTag(data.subarray(data.length - tagLength));
    body = data.subarray(0, data.length - tagLength);
  }
  if (!padding) d.setAutoPadding(false);
  if (aad) d.setAAD(aad);
  return Buffer.concat([d.update(body), d.final()]);
}

// ------------------------------------------------------------------- AES

const AES_SIZES = [16, 24, 32];

test("AES-GCM: token ciphertexts open in OpenSSL and the reverse (tags 128/96 bits, AAD, IV lengths)", () => {
  for (const size of AES_SIZES) {
    const value = crypto.randomBytes(size);
    const key = secretKey(C.CKK_AES, value, [C.CKA_ENCRYPT, C.CKA_DECRYPT]);
    const name = `aes-${size * 8}-gcm`;
    for (const { tagBits, ivLen, aad, dataLen } of [
      { tagBits: 128, ivLen: 12, aad: undefined, dataLen: 0 },
      { tagBits: 128, ivLen: 12, aad: Buffer.from("associated data"), dataLen: 100 },
      { tagBits: 96, ivLen: 12, aad: Buffer.from("aad"), dataLen: 33 },
      { tagBits: 96, ivLen: 12, aad: undefined, dataLen: 16 },
      { tagBits: 128, ivLen: 16, aad: crypto.randomBytes(70), dataLen: 1000 },
      { tagBits: 128, ivLen: 1, aad: undefined, dataLen: 5 },
    ]) {
      const iv = crypto.randomBytes(ivLen);
      const data = crypto.randomBytes(dataLen);
      const mech = { mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv, aad, tagBits } };
      const what = `AES-${size * 8}-GCM tag ${tagBits} iv ${ivLen} aad ${aad?.length ?? 0} data ${dataLen}`;
      const ours = encrypt(mech, key, data);
      const opts = { aad, tagLength: tagBits / 8 };
      assert.equal(hex(ours), hex(nodeCipher(name, value, iv, data, opts)), `${what}: same ciphertext||tag`);
      assert.equal(hex(nodeDecipher(name, value, iv, ours, opts)), hex(data), `${what}: OpenSSL opens ours`);
      const theirs = nodeCipher(name, value, iv, data, opts);
      assert.equal(hex(decrypt(mech, key, theirs)), hex(data), `${what}: we open OpenSSL's`);
    }
  }
});

test("AES-GCM multi-part equals single-part and OpenSSL", () => {
  const value = crypto.randomBytes(32);
  const key = secretKey(C.CKK_AES, value, [C.CKA_ENCRYPT, C.CKA_DECRYPT]);
  const iv = crypto.randomBytes(12);
  const aad = Buffer.from("multi");
  const data = crypto.randomBytes(77);
  const mech = { mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv, aad, tagBits: 128 } };
  pkcs11.C_EncryptInit(s, mech, key);
  const parts = [];
  for (const chunk of [data.subarray(0, 10), data.subarray(10, 50), data.subarray(50)]) {
    parts.push(Buffer.from(pkcs11.C_EncryptUpdate(s, chunk, Buffer.alloc(chunk.length + 32))));
  }
  parts.push(Buffer.from(pkcs11.C_EncryptFinal(s, Buffer.alloc(64))));
  const ct = Buffer.concat(parts);
  assert.equal(hex(ct), hex(nodeCipher("aes-256-gcm", value, iv, data, { aad, tagLength: 16 })));
  pkcs11.C_DecryptInit(s, mech, key);
  const out = [];
  for (const chunk of [ct.subarray(0, 30), ct.subarray(30)]) out.push(Buffer.from(pkcs11.C_DecryptUpdate(s, chunk, Buffer.alloc(ct.length))));
  out.push(Buffer.from(pkcs11.C_DecryptFinal(s, Buffer.alloc(ct.length))));
  assert.equal(hex(Buffer.concat(out)), hex(data));
});

test("AES-CBC-PAD, AES-CBC, AES-ECB, AES-CTR match OpenSSL both ways", () => {
  for (const size of AES_SIZES) {
    const value = crypto.randomBytes(size);
    const key = secretKey(C.CKK_AES, value, [C.CKA_ENCRYPT, C.CKA_DECRYPT]);
    const bits = size * 8;
    for (const dataLen of [0, 1, 15, 16, 17, 64, 1000]) {
      const data = crypto.randomBytes(dataLen);
      const iv = crypto.randomBytes(16);
      const cases = [
        { what: "CBC-PAD", mech: { mechanism: C.CKM_AES_CBC_PAD, parameter: iv }, name: `aes-${bits}-cbc`, iv, padding: true },
        { what: "CTR", mech: { mechanism: C.CKM_AES_CTR, parameter: ctrParams(128, iv) }, name: `aes-${bits}-ctr`, iv, padding: false },
      ];
      if (dataLen % 16 === 0) {
        cases.push({ what: "CBC", mech: { mechanism: C.CKM_AES_CBC, parameter: iv }, name: `aes-${bits}-cbc`, iv, padding: false });
        cases.push({ what: "ECB", mech: { mechanism: C.CKM_AES_ECB }, name: `aes-${bits}-ecb`, iv: null, padding: false });
      }
      for (const c of cases) {
        const what = `AES-${bits}-${c.what} data ${dataLen}`;
        const ours = encrypt(c.mech, key, data);
        const theirs = nodeCipher(c.name, value, c.iv, data, { padding: c.padding });
        assert.equal(hex(ours), hex(theirs), `${what}: same ciphertext`);
        assert.equal(hex(nodeDecipher(c.name, value, c.iv, ours, { padding: c.padding })), hex(data), `${what}: OpenSSL decrypts ours`);
        assert.equal(hex(decrypt(c.mech, key, theirs)), hex(data), `${what}: we decrypt OpenSSL's`);
      }
    }
  }
});

/** CK_AES_CTR_PARAMS as a pkcs11js caller passes it on 64-bit Linux: a raw
 * Buffer holding the C struct {CK_ULONG ulCounterBits; CK_BYTE cb[16]}. */
function ctrParams(counterBits, cb) {
  const b = Buffer.alloc(24);
  b.writeBigUInt64LE(BigInt(counterBits), 0);
  cb.copy(b, 8);
  return b;
}

test("AES-CTR carries into the next 32-bit word like OpenSSL's 128-bit counter", () => {
  const value = crypto.randomBytes(16);
  const key = secretKey(C.CKK_AES, value, [C.CKA_ENCRYPT, C.CKA_DECRYPT]);
  const cb = Buffer.from("00112233445566778899aabbfffffffe", "hex");
  const data = crypto.randomBytes(80);
  const ours = encrypt({ mechanism: C.CKM_AES_CTR, parameter: ctrParams(64, cb) }, key, data);
  assert.equal(hex(ours), hex(nodeCipher("aes-128-ctr", value, cb, data, { padding: false })));
});

test("AES-CBC-PAD multi-part equals OpenSSL", () => {
  const value = crypto.randomBytes(32);
  const key = secretKey(C.CKK_AES, value, [C.CKA_ENCRYPT, C.CKA_DECRYPT]);
  const iv = crypto.randomBytes(16);
  const data = crypto.randomBytes(100);
  const mech = { mechanism: C.CKM_AES_CBC_PAD, parameter: iv };
  pkcs11.C_EncryptInit(s, mech, key);
  const parts = [];
  for (const chunk of [data.subarray(0, 7), data.subarray(7, 40), data.subarray(40)]) {
    parts.push(Buffer.from(pkcs11.C_EncryptUpdate(s, chunk, Buffer.alloc(chunk.length + 16))));
  }
  parts.push(Buffer.from(pkcs11.C_EncryptFinal(s, Buffer.alloc(16))));
  const ct = Buffer.concat(parts);
  assert.equal(hex(ct), hex(nodeCipher("aes-256-cbc", value, iv, data)));
  pkcs11.C_DecryptInit(s, mech, key);
  const out = [];
  for (const chunk of [ct.subarray(0, 16), ct.subarray(16, 50), ct.subarray(50)]) out.push(Buffer.from(pkcs11.C_DecryptUpdate(s, chunk, Buffer.alloc(ct.length))));
  out.push(Buffer.from(pkcs11.C_DecryptFinal(s, Buffer.alloc(16))));
  assert.equal(hex(Buffer.concat(out)), hex(data));
});

// ------------------------------------------------------- digests and HMAC

const HASHES = [
  { name: "sha1", digest: C.CKM_SHA_1, hmac: C.CKM_SHA_1_HMAC, len: 20 },
  { name: "sha224", digest: C.CKM_SHA224, hmac: C.CKM_SHA224_HMAC, len: 28 },
  { name: "sha256", digest: C.CKM_SHA256, hmac: C.CKM_SHA256_HMAC, len: 32 },
  { name: "sha384", digest: C.CKM_SHA384, hmac: C.CKM_SHA384_HMAC, len: 48 },
  { name: "sha512", digest: C.CKM_SHA512, hmac: C.CKM_SHA512_HMAC, len: 64 },
];

test("SHA-1/224/256/384/512 digests equal OpenSSL's (single and multi-part)", () => {
  for (const h of HASHES) {
    for (const len of [0, 1, 55, 56, 64, 111, 112, 128, 1000, 100000]) {
      const data = crypto.randomBytes(len);
      const expected = crypto.createHash(h.name).update(data).digest("hex");
      pkcs11.C_DigestInit(s, { mechanism: h.digest });
      const out = pkcs11.C_Digest(s, data, Buffer.alloc(1024));
      assert.equal(hex(out), expected, `${h.name} of ${len} bytes`);
      pkcs11.C_DigestInit(s, { mechanism: h.digest });
      pkcs11.C_DigestUpdate(s, data.subarray(0, len >> 1));
      pkcs11.C_DigestUpdate(s, data.subarray(len >> 1));
      assert.equal(hex(pkcs11.C_DigestFinal(s, Buffer.alloc(h.len))), expected, `${h.name} multi-part of ${len} bytes`);
    }
  }
});

test("C_DigestKey hashes a secret key's value", () => {
  const value = crypto.randomBytes(32);
  const key = secretKey(C.CKK_GENERIC_SECRET, value, []);
  pkcs11.C_DigestInit(s, { mechanism: C.CKM_SHA256 });
  pkcs11.C_DigestUpdate(s, Buffer.from("prefix"));
  pkcs11.C_DigestKey(s, key);
  const out = pkcs11.C_DigestFinal(s, Buffer.alloc(32));
  assert.equal(hex(out), crypto.createHash("sha256").update("prefix").update(value).digest("hex"));
});

test("HMAC SHA-1..512 equal OpenSSL's; OpenSSL's MACs verify", () => {
  for (const h of HASHES) {
    for (const keyLen of [h.len, 16, 200]) {
      const value = crypto.randomBytes(keyLen);
      const key = secretKey(C.CKK_GENERIC_SECRET, value, [C.CKA_SIGN, C.CKA_VERIFY]);
      for (const len of [0, 3, 64, 1000]) {
        const data = crypto.randomBytes(len);
        const expected = crypto.createHmac(h.name, value).update(data).digest();
        const what = `HMAC-${h.name} key ${keyLen} data ${len}`;
        assert.equal(hex(sign({ mechanism: h.hmac }, key, data)), hex(expected), what);
        assert.equal(verify({ mechanism: h.hmac }, key, data, expected), true, `${what}: OpenSSL's MAC verifies`);
        const bad = Buffer.from(expected);
        bad[0] ^= 1;
        pkcs11.C_VerifyInit(s, { mechanism: h.hmac }, key);
        expectRv(() => pkcs11.C_Verify(s, data, bad), "CKR_SIGNATURE_INVALID");
      }
      // Multi-part.
      const data = crypto.randomBytes(300);
      pkcs11.C_SignInit(s, { mechanism: h.hmac }, key);
      pkcs11.C_SignUpdate(s, data.subarray(0, 100));
      pkcs11.C_SignUpdate(s, data.subarray(100));
      assert.equal(hex(pkcs11.C_SignFinal(s, Buffer.alloc(64))), crypto.createHmac(h.name, value).update(data).digest("hex"));
    }
  }
});

// ------------------------------------------------------------------- RSA

function rsaPublicFromToken(pub) {
  return crypto.createPublicKey({
    key: { kty: "RSA", n: b64u(attr(pub, C.CKA_MODULUS)), e: b64u(attr(pub, C.CKA_PUBLIC_EXPONENT)) },
    format: "jwk",
  });
}

const generated = pkcs11.C_GenerateKeyPair(
  s,
  { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN },
  [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_MODULUS_BITS, value: 2048 },
    { type: C.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
    { type: C.CKA_VERIFY, value: true },
    { type: C.CKA_ENCRYPT, value: true },
  ],
  [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SIGN, value: true },
    { type: C.CKA_DECRYPT, value: true },
    { type: C.CKA_SENSITIVE, value: true },
  ],
);
const genPublic = rsaPublicFromToken(generated.publicKey);

// A key pair made by OpenSSL, imported with all CRT attributes.
const nodeRsa = generateKeyPair("rsa", { modulusLength: 2048 });
const nodeJwk = nodeRsa.privateKey.export({ format: "jwk" });
const imported = {
  privateKey: pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_RSA },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SIGN, value: true },
    { type: C.CKA_DECRYPT, value: true },
    { type: C.CKA_MODULUS, value: fromB64u(nodeJwk.n) },
    { type: C.CKA_PUBLIC_EXPONENT, value: fromB64u(nodeJwk.e) },
    { type: C.CKA_PRIVATE_EXPONENT, value: fromB64u(nodeJwk.d) },
    { type: C.CKA_PRIME_1, value: fromB64u(nodeJwk.p) },
    { type: C.CKA_PRIME_2, value: fromB64u(nodeJwk.q) },
    { type: C.CKA_EXPONENT_1, value: fromB64u(nodeJwk.dp) },
    { type: C.CKA_EXPONENT_2, value: fromB64u(nodeJwk.dq) },
    { type: C.CKA_COEFFICIENT, value: fromB64u(nodeJwk.qi) },
  ]),
  publicKey: pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PUBLIC_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_RSA },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_VERIFY, value: true },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_MODULUS, value: fromB64u(nodeJwk.n) },
    { type: C.CKA_PUBLIC_EXPONENT, value: fromB64u(nodeJwk.e) },
  ]),
};

// DigestInfo prefix for SHA-256 (RFC 8017 section 9.2 note 1).
const SHA256_DIGEST_INFO = Buffer.from("3031300d060960864801650304020105000420", "hex");

test("RSA key pair attributes: CKA_MODULUS_BITS of generated and imported keys", () => {
  assert.equal(attr(generated.publicKey, C.CKA_MODULUS).length, 256);
  assert.equal(Number(attr(generated.publicKey, C.CKA_MODULUS_BITS).readBigUInt64LE(0)), 2048);
  assert.equal(Number(attr(imported.publicKey, C.CKA_MODULUS_BITS).readBigUInt64LE(0)), 2048, "filled in on import");
  assert.equal(genPublic.asymmetricKeyDetails.modulusLength, 2048);
});

test("RSA PKCS#1 v1.5: our signatures verify in OpenSSL; OpenSSL's verify here", () => {
  const data = crypto.randomBytes(100);
  const sig = sign({ mechanism: C.CKM_SHA256_RSA_PKCS }, generated.privateKey, data);
  assert.equal(sig.length, 256);
  assert.equal(crypto.verify("sha256", data, genPublic, sig), true, "OpenSSL verifies SHA256_RSA_PKCS");

  // Raw CKM_RSA_PKCS over a DigestInfo is the same signature.
  const di = Buffer.concat([SHA256_DIGEST_INFO, crypto.createHash("sha256").update(data).digest()]);
  const raw = sign({ mechanism: C.CKM_RSA_PKCS }, generated.privateKey, di);
  assert.equal(hex(raw), hex(sig), "RSA_PKCS(DigestInfo) = SHA256_RSA_PKCS");
  assert.equal(verify({ mechanism: C.CKM_RSA_PKCS }, generated.publicKey, di, raw), true);

  // Imported OpenSSL key: byte-identical signatures (deterministic scheme).
  const ours = sign({ mechanism: C.CKM_SHA256_RSA_PKCS }, imported.privateKey, data);
  const theirs = crypto.sign("sha256", data, nodeRsa.privateKey);
  assert.equal(hex(ours), hex(theirs), "imported key signs like OpenSSL");
  assert.equal(verify({ mechanism: C.CKM_SHA256_RSA_PKCS }, imported.publicKey, data, theirs), true);
  for (const [name, mech] of [
    ["sha1", C.CKM_SHA1_RSA_PKCS],
    ["sha384", C.CKM_SHA384_RSA_PKCS],
    ["sha512", C.CKM_SHA512_RSA_PKCS],
    ["sha224", C.CKM_SHA224_RSA_PKCS],
  ]) {
    const t = crypto.sign(name, data, nodeRsa.privateKey);
    assert.equal(hex(sign({ mechanism: mech }, imported.privateKey, data)), hex(t), `${name} with RSA PKCS#1 v1.5`);
    assert.equal(verify({ mechanism: mech }, imported.publicKey, data, t), true);
  }
});

function mgf1(hash, seed, len) {
  const out = [];
  for (let c = 0, n = 0; n < len; c++) {
    const cb = Buffer.alloc(4);
    cb.writeUInt32BE(c);
    const h = crypto.createHash(hash).update(seed).update(cb).digest();
    out.push(h);
    n += h.length;
  }
  return Buffer.concat(out).subarray(0, len);
}

/** EMSA-PSS-ENCODE (RFC 8017 section 9.1.1) for a 2048-bit modulus. */
function pssEncode(data, hash, mgfHash, salt) {
  const mHash = crypto.createHash(hash).update(data).digest();
  const emLen = 256;
  const H = crypto.createHash(hash).update(Buffer.concat([Buffer.alloc(8), mHash, salt])).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - salt.length - H.length - 2), Buffer.from([1]), salt]);
  const mask = mgf1(mgfHash, H, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0x7f;
  return Buffer.concat([db, H, Buffer.from([0xbc])]);
}

/** EMSA-PSS-VERIFY (RFC 8017 section 9.1.2) for a 2048-bit modulus. */
function pssVerify(data, em, hash, mgfHash, sLen) {
  const mHash = crypto.createHash(hash).update(data).digest();
  const hLen = mHash.length;
  if (em.length !== 256 || em[255] !== 0xbc || em[0] & 0x80) return false;
  const db = Buffer.from(em.subarray(0, 256 - hLen - 1));
  const H = em.subarray(256 - hLen - 1, 255);
  const mask = mgf1(mgfHash, H, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0x7f;
  const psLen = 256 - hLen - sLen - 2;
  if (!db.subarray(0, psLen).equals(Buffer.alloc(psLen)) || db[psLen] !== 1) return false;
  const salt = db.subarray(psLen + 1);
  return crypto.createHash(hash).update(Buffer.concat([Buffer.alloc(8), mHash, salt])).digest().equals(H);
}

const rawPublic = (key, x) => crypto.publicEncrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, x);
const rawPrivate = (key, x) => crypto.privateDecrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, x);

test("RSA-PSS (SHA-256, MGF1-SHA256, salt 32): both directions", () => {
  const mech = { mechanism: C.CKM_SHA256_RSA_PKCS_PSS, parameter: { type: C.CK_PARAMS_RSA_PSS, hashAlg: C.CKM_SHA256, mgf: C.CKG_MGF1_SHA256, saltLen: 32 } };
  const data = crypto.randomBytes(200);
  const sig = sign(mech, generated.privateKey, data);
  const pss = { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  assert.equal(crypto.verify("sha256", data, { key: genPublic, ...pss }, sig), true, "OpenSSL verifies our PSS signature");
  const sig2 = sign(mech, generated.privateKey, data);
  assert.notEqual(hex(sig), hex(sig2), "PSS is randomized");
  const theirs = crypto.sign("sha256", data, { key: nodeRsa.privateKey, ...pss });
  assert.equal(verify(mech, imported.publicKey, data, theirs), true, "we verify OpenSSL's PSS signature");
  // Raw CKM_RSA_PKCS_PSS takes the hash.
  const rawMech = { mechanism: C.CKM_RSA_PKCS_PSS, parameter: mech.parameter };
  const mHash = crypto.createHash("sha256").update(data).digest();
  const rawSig = sign(rawMech, imported.privateKey, mHash);
  assert.equal(crypto.verify("sha256", data, { key: nodeRsa.publicKey, ...pss }, rawSig), true);
  assert.equal(verify(rawMech, imported.publicKey, mHash, theirs), true);
  // Salt length is checked: a 20-byte-salt signature does not verify as salt 32.
  const salt20 = crypto.sign("sha256", data, { key: nodeRsa.privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 });
  pkcs11.C_VerifyInit(s, mech, imported.publicKey);
  expectRv(() => pkcs11.C_Verify(s, data, salt20), "CKR_SIGNATURE_INVALID");
});

test("RSA-PSS with an MGF1 hash different from the message hash (SHA-256 / MGF1-SHA1, SHA-384 / MGF1-SHA512)", () => {
  for (const [hash, hashMech, mech, mgfHash, mgf, sLen] of [
    ["sha256", C.CKM_SHA256, C.CKM_SHA256_RSA_PKCS_PSS, "sha1", C.CKG_MGF1_SHA1, 32],
    ["sha384", C.CKM_SHA384, C.CKM_SHA384_RSA_PKCS_PSS, "sha512", C.CKG_MGF1_SHA512, 0],
  ]) {
    const m = { mechanism: mech, parameter: { type: C.CK_PARAMS_RSA_PSS, hashAlg: hashMech, mgf, saltLen: sLen } };
    const data = crypto.randomBytes(64);
    // Ours, checked with OpenSSL's raw RSA and RFC 8017's decoding.
    const sig = sign(m, generated.privateKey, data);
    assert.equal(pssVerify(data, rawPublic(genPublic, sig), hash, mgfHash, sLen), true, `${hash}/MGF1-${mgfHash}: ours is valid`);
    assert.equal(pssVerify(data, rawPublic(genPublic, sig), hash, hash, sLen), false, "and not valid with the message hash as MGF hash");
    // Theirs: RFC 8017 encoding, OpenSSL's raw private-key operation.
    const theirs = rawPrivate(nodeRsa.privateKey, pssEncode(data, hash, mgfHash, crypto.randomBytes(sLen)));
    assert.equal(verify(m, imported.publicKey, data, theirs), true, `${hash}/MGF1-${mgfHash}: we verify theirs`);
    const sameMgf = { mechanism: mech, parameter: { ...m.parameter, mgf: hash === "sha256" ? C.CKG_MGF1_SHA256 : C.CKG_MGF1_SHA384 } };
    pkcs11.C_VerifyInit(s, sameMgf, imported.publicKey);
    expectRv(() => pkcs11.C_Verify(s, data, theirs), "CKR_SIGNATURE_INVALID");
  }
});

test("RSA-OAEP (SHA-1 and SHA-256, with and without label) both directions", () => {
  for (const [hash, hashAlg, mgf] of [
    ["sha1", C.CKM_SHA_1, C.CKG_MGF1_SHA1],
    ["sha256", C.CKM_SHA256, C.CKG_MGF1_SHA256],
  ]) {
    for (const label of [undefined, Buffer.from("a label")]) {
      const what = `OAEP ${hash} label ${label ? "yes" : "no"}`;
      const mech = { mechanism: C.CKM_RSA_PKCS_OAEP, parameter: { type: C.CK_PARAMS_RSA_OAEP, hashAlg, mgf, source: CKZ_DATA_SPECIFIED, sourceData: label } };
      const data = crypto.randomBytes(32);
      const oaep = { padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash, oaepLabel: label };
      // OpenSSL encrypts to the generated key; we decrypt.
      const theirs = crypto.publicEncrypt({ key: genPublic, ...oaep }, data);
      assert.equal(hex(decrypt(mech, generated.privateKey, theirs, 256)), hex(data), `${what}: we decrypt OpenSSL's`);
      // We encrypt to the imported key; OpenSSL decrypts.
      const ours = encrypt(mech, imported.publicKey, data, 256);
      assert.equal(ours.length, 256);
      assert.equal(hex(crypto.privateDecrypt({ key: nodeRsa.privateKey, ...oaep }, ours)), hex(data), `${what}: OpenSSL decrypts ours`);
      // The label is part of the scheme.
      const otherLabel = { ...mech, parameter: { ...mech.parameter, sourceData: Buffer.from("other") } };
      pkcs11.C_DecryptInit(s, otherLabel, generated.privateKey);
      expectRv(() => pkcs11.C_Decrypt(s, theirs, Buffer.alloc(256)), "CKR_ENCRYPTED_DATA_INVALID");
    }
  }
});

// -------------------------------------------------------------- EC P-256

/** CKA_EC_POINT is the DER OCTET STRING of the uncompressed point. */
function ecPoint(pub) {
  const der = attr(pub, C.CKA_EC_POINT);
  assert.equal(der.length, 67, "DER OCTET STRING (04 41) around a 65-byte point");
  assert.equal(hex(der.subarray(0, 3)), "044104");
  return der.subarray(2);
}
function ecPublicFromPoint(point) {
  return crypto.createPublicKey({
    key: { kty: "EC", crv: "P-256", x: b64u(point.subarray(1, 33)), y: b64u(point.subarray(33)) },
    format: "jwk",
  });
}

const ecGenerated = pkcs11.C_GenerateKeyPair(
  s,
  { mechanism: C.CKM_EC_KEY_PAIR_GEN },
  [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_EC_PARAMS, value: P256_OID },
    { type: C.CKA_VERIFY, value: true },
  ],
  [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SIGN, value: true },
    { type: C.CKA_DERIVE, value: true },
    { type: C.CKA_SENSITIVE, value: true },
  ],
);

test("ECDSA P-256: our raw r||s signatures verify in OpenSSL (ieee-p1363) and OpenSSL's verify here", () => {
  const point = ecPoint(ecGenerated.publicKey);
  const pub = ecPublicFromPoint(point);
  assert.equal(hex(attr(ecGenerated.privateKey, C.CKA_EC_PARAMS)), hex(P256_OID));
  const data = crypto.randomBytes(100);
  const sig = sign({ mechanism: C.CKM_ECDSA_SHA256 }, ecGenerated.privateKey, data);
  assert.equal(sig.length, 64, "r||s, 32 bytes each");
  assert.equal(crypto.verify("sha256", data, { key: pub, dsaEncoding: "ieee-p1363" }, sig), true);
  // CKM_ECDSA signs a hash given by the caller.
  const hash = crypto.createHash("sha256").update(data).digest();
  const raw = sign({ mechanism: C.CKM_ECDSA }, ecGenerated.privateKey, hash);
  assert.equal(crypto.verify("sha256", data, { key: pub, dsaEncoding: "ieee-p1363" }, raw), true);

  // An OpenSSL key imported; its signatures verify with the imported public key.
  const nodeEc = generateKeyPair("ec", { namedCurve: "P-256" });
  const jwk = nodeEc.privateKey.export({ format: "jwk" });
  const nodePoint = Buffer.concat([Buffer.from([4]), fromB64u(jwk.x), fromB64u(jwk.y)]);
  const impPriv = pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_EC },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SIGN, value: true },
    { type: C.CKA_EC_PARAMS, value: P256_OID },
    { type: C.CKA_VALUE, value: fromB64u(jwk.d) },
  ]);
  const impPub = pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PUBLIC_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_EC },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_VERIFY, value: true },
    { type: C.CKA_EC_PARAMS, value: P256_OID },
    { type: C.CKA_EC_POINT, value: Buffer.concat([Buffer.from([0x04, 0x41]), nodePoint]) },
  ]);
  for (let i = 0; i < 5; i++) {
    const msg = crypto.randomBytes(i * 37);
    const theirs = crypto.sign("sha256", msg, { key: nodeEc.privateKey, dsaEncoding: "ieee-p1363" });
    assert.equal(verify({ mechanism: C.CKM_ECDSA_SHA256 }, impPub, msg, theirs), true, "we verify OpenSSL's ECDSA");
    const ours = sign({ mechanism: C.CKM_ECDSA_SHA256 }, impPriv, msg);
    assert.equal(crypto.verify("sha256", msg, { key: nodeEc.publicKey, dsaEncoding: "ieee-p1363" }, ours), true, "OpenSSL verifies ours");
    const bad = Buffer.from(theirs);
    bad[5] ^= 1;
    pkcs11.C_VerifyInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, impPub);
    expectRv(() => pkcs11.C_Verify(s, msg, bad), "CKR_SIGNATURE_INVALID");
  }
  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, impPub);
  expectRv(() => pkcs11.C_Verify(s, data, Buffer.alloc(63)), "CKR_SIGNATURE_LEN_RANGE");
});

const ECDH_TEMPLATE = [
  { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
  { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
  { type: C.CKA_TOKEN, value: false },
  { type: C.CKA_SENSITIVE, value: false },
  { type: C.CKA_EXTRACTABLE, value: true },
];
const ecdhMechanism = (publicData) => ({ mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData } });

test("ECDH P-256 (CKM_ECDH1_DERIVE, CKD_NULL) shared secret equals OpenSSL's", () => {
  const point = ecPoint(ecGenerated.publicKey);
  for (let i = 0; i < 3; i++) {
    const ecdh = crypto.createECDH("prime256v1");
    ecdh.generateKeys();
    const mech = ecdhMechanism(ecdh.getPublicKey());
    const expected = ecdh.computeSecret(point);
    const k32 = pkcs11.C_DeriveKey(s, mech, ecGenerated.privateKey, [...ECDH_TEMPLATE, { type: C.CKA_VALUE_LEN, value: 32 }]);
    assert.equal(hex(attr(k32, C.CKA_VALUE)), hex(expected), "shared secret (x coordinate)");
    assert.equal(attr(k32, C.CKA_LOCAL)[0], 0, "derived keys are not CKA_LOCAL");
    // A shorter key drops bytes from the leading end (mechanisms 2.3.x).
    const k16 = pkcs11.C_DeriveKey(s, mech, ecGenerated.privateKey, [...ECDH_TEMPLATE, { type: C.CKA_VALUE_LEN, value: 16 }]);
    assert.equal(hex(attr(k16, C.CKA_VALUE)), hex(expected.subarray(16)));
    // An AES key derived from the secret encrypts like OpenSSL with it.
    const aes = pkcs11.C_DeriveKey(s, mech, ecGenerated.privateKey, [
      { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
      { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
      { type: C.CKA_TOKEN, value: false },
      { type: C.CKA_ENCRYPT, value: true },
      { type: C.CKA_VALUE_LEN, value: 32 },
    ]);
    const iv = crypto.randomBytes(16);
    const data = crypto.randomBytes(40);
    assert.equal(hex(encrypt({ mechanism: C.CKM_AES_CBC_PAD, parameter: iv }, aes, data)), hex(nodeCipher("aes-256-cbc", expected, iv, data)));
  }
});

test("ECDH P-256 derive without CKA_VALUE_LEN takes the whole secret (optional per the mechanism text)", () => {
  const ecdh = crypto.createECDH("prime256v1");
  ecdh.generateKeys();
  const k = pkcs11.C_DeriveKey(s, ecdhMechanism(ecdh.getPublicKey()), ecGenerated.privateKey, ECDH_TEMPLATE);
  assert.equal(hex(attr(k, C.CKA_VALUE)), hex(ecdh.computeSecret(ecPoint(ecGenerated.publicKey))));
  assert.equal(Number(attr(k, C.CKA_VALUE_LEN).readBigUInt64LE(0)), 32);
});

// ---------------------------------------------------------------- random

test("C_GenerateRandom returns the requested lengths and differs between calls", () => {
  for (const len of [1, 16, 32, 255, 1000, 65536, 70000]) {
    const a = Buffer.alloc(len);
    const b = Buffer.alloc(len);
    assert.equal(pkcs11.C_GenerateRandom(s, a), a);
    assert.equal(pkcs11.C_GenerateRandom(s, b).length, len);
    if (len >= 16) {
      assert.notEqual(hex(a), hex(b), `two ${len}-byte outputs differ`);
      assert.notEqual(hex(a), hex(Buffer.alloc(len)), "not all zero");
    }
  }
  // Rough sanity: about half of the bits are set in 64 KiB.
  const big = pkcs11.C_GenerateRandom(s, Buffer.alloc(65536));
  let ones = 0;
  for (const byte of big) for (let x = byte; x; x >>= 1) ones += x & 1;
  const ratio = ones / (65536 * 8);
  assert.ok(ratio > 0.49 && ratio < 0.51, `bit ratio ${ratio}`);
});
