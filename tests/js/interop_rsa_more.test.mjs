// RSA interop with node:crypto (OpenSSL), beyond interop.test.mjs: raw RSA
// (CKM_RSA_X_509 against RSA_NO_PADDING), key wrapping with CKM_RSA_PKCS,
// CKM_RSA_PKCS_OAEP and CKM_RSA_AES_KEY_WRAP (OAEP + id-aes*-wrap-pad, RFC
// 5649) in both directions, SHA-3 RSA signatures, and CKA_PUBLIC_KEY_INFO
// against OpenSSL's SubjectPublicKeyInfo.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { generateKeyPair } from "./fixtures/node-keys.mjs";
import { C, expectRv, fromB64u, hex, openUserSession } from "./fixtures/token-session.mjs";

const CKZ_DATA_SPECIFIED = 1;
const token = openUserSession("rsa-more");
const { pkcs11, slot, s } = token;
const attr = (obj, type) => token.attr(obj, type);

function run(init, op, mech, key, data, outLen = 2048) {
  pkcs11[init](s, mech, key);
  return Buffer.from(pkcs11[op](s, data, Buffer.alloc(outLen)));
}
const encrypt = (m, k, d) => run("C_EncryptInit", "C_Encrypt", m, k, d);
const decrypt = (m, k, d) => run("C_DecryptInit", "C_Decrypt", m, k, d);
const sign = (m, k, d) => run("C_SignInit", "C_Sign", m, k, d);
function verify(mech, key, data, sig) {
  pkcs11.C_VerifyInit(s, mech, key);
  return pkcs11.C_Verify(s, data, sig);
}

/** Imports an OpenSSL key pair by its JWK components (extractable private key). */
function importPair(pair) {
  const j = pair.privateKey.export({ format: "jwk" });
  const common = [{ type: C.CKA_KEY_TYPE, value: C.CKK_RSA }, { type: C.CKA_TOKEN, value: false }];
  const publicKey = pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PUBLIC_KEY },
    ...common,
    { type: C.CKA_MODULUS, value: fromB64u(j.n) },
    { type: C.CKA_PUBLIC_EXPONENT, value: fromB64u(j.e) },
  ]);
  const privateKey = pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
    ...common,
    { type: C.CKA_EXTRACTABLE, value: true },
    { type: C.CKA_MODULUS, value: fromB64u(j.n) },
    { type: C.CKA_PUBLIC_EXPONENT, value: fromB64u(j.e) },
    { type: C.CKA_PRIVATE_EXPONENT, value: fromB64u(j.d) },
    { type: C.CKA_PRIME_1, value: fromB64u(j.p) },
    { type: C.CKA_PRIME_2, value: fromB64u(j.q) },
  ]);
  return { publicKey, privateKey };
}

function aesKey(value) {
  return pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_EXTRACTABLE, value: true },
  ]);
}

const unwrapTemplate = (len) => [
  { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
  { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
  { type: C.CKA_VALUE_LEN, value: len },
  { type: C.CKA_EXTRACTABLE, value: true },
];

const oaepParam = (hashAlg, mgf, label) => ({
  type: C.CK_PARAMS_RSA_OAEP,
  hashAlg,
  mgf,
  source: CKZ_DATA_SPECIFIED,
  sourceData: label,
});

const node = generateKeyPair("rsa", { modulusLength: 2048 });
const pair = importPair(node);
const K = 256;

// ---------------------------------------------------------------- tests

test("CKM_RSA_X_509 mechanism info lists wrap and unwrap", () => {
  const info = pkcs11.C_GetMechanismInfo(slot, C.CKM_RSA_X_509);
  assert.equal(info.minKeySize, 1024);
  assert.equal(info.maxKeySize, 8192);
  for (const f of [C.CKF_ENCRYPT, C.CKF_DECRYPT, C.CKF_SIGN, C.CKF_VERIFY, C.CKF_WRAP, C.CKF_UNWRAP]) {
    assert.ok(info.flags & f, `flag ${f}`);
  }
  const wrap = pkcs11.C_GetMechanismInfo(slot, C.CKM_RSA_AES_KEY_WRAP);
  assert.equal(wrap.flags & (C.CKF_ENCRYPT | C.CKF_DECRYPT), 0);
  assert.ok(wrap.flags & C.CKF_WRAP && wrap.flags & C.CKF_UNWRAP);
  for (const m of [C.CKM_RSA_PKCS, C.CKM_RSA_PKCS_OAEP]) {
    const i = pkcs11.C_GetMechanismInfo(slot, m);
    assert.ok(i.flags & C.CKF_WRAP && i.flags & C.CKF_UNWRAP, `wrap flags of ${m}`);
  }
});

test("CKM_RSA_X_509 equals OpenSSL's RSA_NO_PADDING both ways", () => {
  const raw = { mechanism: C.CKM_RSA_X_509 };
  const noPad = { padding: crypto.constants.RSA_NO_PADDING };
  const short = crypto.randomBytes(100);
  const padded = Buffer.concat([Buffer.alloc(K - short.length), short]);
  // Encryption: the token left-pads with zeros; OpenSSL needs k bytes.
  const ct = encrypt(raw, pair.publicKey, short);
  assert.equal(ct.length, K);
  assert.equal(hex(ct), hex(crypto.publicEncrypt({ key: node.publicKey, ...noPad }, padded)));
  assert.equal(hex(crypto.privateDecrypt({ key: node.privateKey, ...noPad }, ct)), hex(padded));
  // Decryption gives all k bytes.
  const theirs = crypto.publicEncrypt({ key: node.publicKey, ...noPad }, padded);
  assert.equal(hex(decrypt(raw, pair.privateKey, theirs)), hex(padded));
  // Signing is the private operation; OpenSSL's publicDecrypt inverts it.
  const sig = sign(raw, pair.privateKey, short);
  assert.equal(hex(sig), hex(crypto.privateEncrypt({ key: node.privateKey, ...noPad }, padded)));
  assert.equal(hex(crypto.publicDecrypt({ key: node.publicKey, ...noPad }, sig)), hex(padded));
  assert.equal(verify(raw, pair.publicKey, short, sig), true);
  expectRv(() => verify(raw, pair.publicKey, crypto.randomBytes(100), sig), "CKR_SIGNATURE_INVALID");
  expectRv(() => encrypt(raw, pair.publicKey, Buffer.alloc(K + 1)), "CKR_DATA_LEN_RANGE");
  expectRv(() => encrypt(raw, pair.publicKey, Buffer.alloc(K, 0xff)), "CKR_DATA_INVALID");
  expectRv(() => decrypt(raw, pair.privateKey, Buffer.alloc(K - 1)), "CKR_ENCRYPTED_DATA_LEN_RANGE");
});

test("C_WrapKey with CKM_RSA_PKCS_OAEP: OpenSSL unwraps; OpenSSL's wrap unwraps here", () => {
  const value = crypto.randomBytes(32);
  const key = aesKey(value);
  for (const [hashAlg, mgf, oaepHash] of [
    [C.CKM_SHA_1, C.CKG_MGF1_SHA1, "sha1"],
    [C.CKM_SHA256, C.CKG_MGF1_SHA256, "sha256"],
    [C.CKM_SHA512, C.CKG_MGF1_SHA512, "sha512"],
  ]) {
    const label = Buffer.from("wrap label");
    const mech = { mechanism: C.CKM_RSA_PKCS_OAEP, parameter: oaepParam(hashAlg, mgf, label) };
    const wrapped = Buffer.from(pkcs11.C_WrapKey(s, mech, pair.publicKey, key, Buffer.alloc(512)));
    assert.equal(wrapped.length, K);
    const plain = crypto.privateDecrypt({ key: node.privateKey, oaepHash, oaepLabel: label }, wrapped);
    assert.equal(hex(plain), hex(value), oaepHash);
    const theirs = crypto.publicEncrypt({ key: node.publicKey, oaepHash, oaepLabel: label }, value);
    const back = pkcs11.C_UnwrapKey(s, mech, pair.privateKey, theirs, unwrapTemplate(32));
    assert.equal(hex(attr(back, C.CKA_VALUE)), hex(value));
  }
  // Too small a buffer, then the size it needs.
  const mech = { mechanism: C.CKM_RSA_PKCS_OAEP, parameter: oaepParam(C.CKM_SHA256, C.CKG_MGF1_SHA256) };
  expectRv(() => pkcs11.C_WrapKey(s, mech, pair.publicKey, key, Buffer.alloc(K - 1)), "CKR_BUFFER_TOO_SMALL");
});

test("C_UnwrapKey with CKM_RSA_PKCS of OpenSSL's PKCS#1 v1.5 encryption; X_509 wraps as raw RSA", () => {
  const value = crypto.randomBytes(16);
  const theirs = crypto.publicEncrypt({ key: node.publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, value);
  const mech = { mechanism: C.CKM_RSA_PKCS };
  const back = pkcs11.C_UnwrapKey(s, mech, pair.privateKey, theirs, unwrapTemplate(16));
  assert.equal(hex(attr(back, C.CKA_VALUE)), hex(value));
  // Our PKCS#1 v1.5 wrap unwraps here (OpenSSL no longer decrypts v1.5).
  const key = aesKey(value);
  const wrapped = Buffer.from(pkcs11.C_WrapKey(s, mech, pair.publicKey, key, Buffer.alloc(K)));
  const again = pkcs11.C_UnwrapKey(s, mech, pair.privateKey, wrapped, unwrapTemplate(16));
  assert.equal(hex(attr(again, C.CKA_VALUE)), hex(value));
  // Raw: the key value left-padded with zeros; unwrapping takes the tail.
  const raw = { mechanism: C.CKM_RSA_X_509 };
  const rawWrapped = Buffer.from(pkcs11.C_WrapKey(s, raw, pair.publicKey, key, Buffer.alloc(K)));
  const opened = crypto.privateDecrypt({ key: node.privateKey, padding: crypto.constants.RSA_NO_PADDING }, rawWrapped);
  assert.equal(hex(opened), hex(Buffer.concat([Buffer.alloc(K - 16), value])));
  const rawBack = pkcs11.C_UnwrapKey(s, raw, pair.privateKey, rawWrapped, unwrapTemplate(16));
  assert.equal(hex(attr(rawBack, C.CKA_VALUE)), hex(value));
});

/** CKM_RSA_AES_KEY_WRAP as OpenSSL pieces: OAEP(temporary key) || KWP(target). */
function nodeRsaAesUnwrap(blob, bits, oaepHash) {
  const tmp = crypto.privateDecrypt({ key: node.privateKey, oaepHash }, blob.subarray(0, K));
  assert.equal(tmp.length, bits / 8);
  const d = crypto.createDecipheriv(`id-aes${bits}-wrap-pad`, tmp, Buffer.from("A65959A6", "hex"));
  return Buffer.concat([d.update(blob.subarray(K)), d.final()]);
}
function nodeRsaAesWrap(target, bits, oaepHash) {
  const tmp = crypto.randomBytes(bits / 8);
  const head = crypto.publicEncrypt({ key: node.publicKey, oaepHash }, tmp);
  const c = crypto.createCipheriv(`id-aes${bits}-wrap-pad`, tmp, Buffer.from("A65959A6", "hex"));
  return Buffer.concat([head, c.update(target), c.final()]);
}
const rsaAes = (bits, hashAlg, mgf) => ({
  mechanism: C.CKM_RSA_AES_KEY_WRAP,
  parameter: { type: C.CK_PARAMS_RSA_AES_KEY_WRAP, aesKeyBits: bits, oaepParams: { hashAlg, mgf, source: CKZ_DATA_SPECIFIED } },
});

test("CKM_RSA_AES_KEY_WRAP of secret keys: OpenSSL (OAEP + id-aes*-wrap-pad) both ways", () => {
  for (const [bits, hashAlg, mgf, oaepHash] of [
    [128, C.CKM_SHA_1, C.CKG_MGF1_SHA1, "sha1"],
    [192, C.CKM_SHA256, C.CKG_MGF1_SHA256, "sha256"],
    [256, C.CKM_SHA384, C.CKG_MGF1_SHA384, "sha384"],
  ]) {
    for (const len of [16, 24, 32]) {
      const value = crypto.randomBytes(len);
      const key = aesKey(value);
      const mech = rsaAes(bits, hashAlg, mgf);
      const blob = Buffer.from(pkcs11.C_WrapKey(s, mech, pair.publicKey, key, Buffer.alloc(1024)));
      assert.equal(blob.length, K + Math.ceil(len / 8) * 8 + 8);
      assert.equal(hex(nodeRsaAesUnwrap(blob, bits, oaepHash)), hex(value), `${bits}/${oaepHash}/${len}`);
      const back = pkcs11.C_UnwrapKey(s, mech, pair.privateKey, nodeRsaAesWrap(value, bits, oaepHash), unwrapTemplate(len));
      assert.equal(hex(attr(back, C.CKA_VALUE)), hex(value));
    }
  }
  const mech = rsaAes(256, C.CKM_SHA256, C.CKG_MGF1_SHA256);
  const key = aesKey(crypto.randomBytes(32));
  // Wrap only: no C_EncryptInit with it.
  expectRv(() => pkcs11.C_EncryptInit(s, mech, pair.publicKey), "CKR_MECHANISM_INVALID");
  // A tampered blob.
  const blob = Buffer.from(pkcs11.C_WrapKey(s, mech, pair.publicKey, key, Buffer.alloc(1024)));
  blob[blob.length - 1] ^= 1;
  expectRv(() => pkcs11.C_UnwrapKey(s, mech, pair.privateKey, blob, unwrapTemplate(32)), "CKR_WRAPPED_KEY_INVALID");
  // Parameter checks in the facade and in the token.
  assert.throws(
    () => pkcs11.C_WrapKey(s, { mechanism: C.CKM_RSA_AES_KEY_WRAP, parameter: { type: C.CK_PARAMS_RSA_AES_KEY_WRAP, aesKeyBits: 256 } }, pair.publicKey, key, Buffer.alloc(1024)),
    { name: "TypeError", message: "Property 'oaepParams' of CK_RSA_AES_KEY_WRAP_PARAMS mechanism parameter should be Object" },
  );
  assert.throws(
    () => pkcs11.C_WrapKey(s, rsaAes(256, "sha256", 1), pair.publicKey, key, Buffer.alloc(1024)),
    { name: "TypeError", message: "Property 'hashAlg' of CK_RSA_PKCS_OAEP_PARAMS mechanism parameter should be Number" },
  );
  expectRv(() => pkcs11.C_WrapKey(s, rsaAes(100, C.CKM_SHA256, C.CKG_MGF1_SHA256), pair.publicKey, key, Buffer.alloc(1024)), "CKR_MECHANISM_PARAM_INVALID");
});

test("CKM_RSA_AES_KEY_WRAP of private keys (PKCS#8): OpenSSL reads ours, we read OpenSSL's", async () => {
  const mech = rsaAes(256, C.CKM_SHA256, C.CKG_MGF1_SHA256);
  const blob = Buffer.from(await pkcs11.C_WrapKeyAsync(s, mech, pair.publicKey, pair.privateKey, Buffer.alloc(4096)));
  const der = nodeRsaAesUnwrap(blob, 256, "sha256");
  const parsed = crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  assert.equal(parsed.export({ format: "jwk" }).d, node.privateKey.export({ format: "jwk" }).d);
  // An OpenSSL key travels in: sign with it here, verify in OpenSSL.
  const other = generateKeyPair("rsa", { modulusLength: 1024 });
  const pk8 = other.privateKey.export({ type: "pkcs8", format: "der" });
  const unwrapped = pkcs11.C_UnwrapKey(s, mech, pair.privateKey, nodeRsaAesWrap(pk8, 256, "sha256"), [
    { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_RSA },
  ]);
  const data = Buffer.from("unwrapped by CKM_RSA_AES_KEY_WRAP");
  const sig = sign({ mechanism: C.CKM_SHA256_RSA_PKCS }, unwrapped, data);
  assert.equal(crypto.verify("sha256", data, other.publicKey, sig), true);
});

test("CKA_PUBLIC_KEY_INFO is OpenSSL's SubjectPublicKeyInfo (generated and imported keys, public and private)", () => {
  const spki = node.publicKey.export({ type: "spki", format: "der" });
  assert.equal(hex(attr(pair.publicKey, C.CKA_PUBLIC_KEY_INFO)), hex(spki));
  assert.equal(hex(attr(pair.privateKey, C.CKA_PUBLIC_KEY_INFO)), hex(spki));
  const gen = pkcs11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [{ type: C.CKA_MODULUS_BITS, value: 1024 }, { type: C.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }],
    [{ type: C.CKA_SENSITIVE, value: true }],
  );
  const info = attr(gen.publicKey, C.CKA_PUBLIC_KEY_INFO);
  const parsed = crypto.createPublicKey({ key: info, format: "der", type: "spki" });
  assert.equal(parsed.export({ format: "jwk" }).n, attr(gen.publicKey, C.CKA_MODULUS).toString("base64url"));
  // Readable on the private key even when it is sensitive.
  assert.equal(hex(attr(gen.privateKey, C.CKA_PUBLIC_KEY_INFO)), hex(info));
});

test("SHA-3 RSA signatures (PKCS#1 v1.5 and PSS) interoperate with OpenSSL", () => {
  const data = Buffer.from("sha-3 signed");
  for (const [bits, v15, pss, hashAlg, mgf] of [
    [224, C.CKM_SHA3_224_RSA_PKCS, C.CKM_SHA3_224_RSA_PKCS_PSS, C.CKM_SHA3_224, C.CKG_MGF1_SHA3_224],
    [256, C.CKM_SHA3_256_RSA_PKCS, C.CKM_SHA3_256_RSA_PKCS_PSS, C.CKM_SHA3_256, C.CKG_MGF1_SHA3_256],
    [384, C.CKM_SHA3_384_RSA_PKCS, C.CKM_SHA3_384_RSA_PKCS_PSS, C.CKM_SHA3_384, C.CKG_MGF1_SHA3_384],
    [512, C.CKM_SHA3_512_RSA_PKCS, C.CKM_SHA3_512_RSA_PKCS_PSS, C.CKM_SHA3_512, C.CKG_MGF1_SHA3_512],
  ]) {
    const h = `sha3-${bits}`;
    const ours = sign({ mechanism: v15 }, pair.privateKey, data);
    assert.equal(hex(ours), hex(crypto.sign(h, data, node.privateKey)), `${h} PKCS#1 v1.5 is deterministic`);
    assert.equal(verify({ mechanism: v15 }, pair.publicKey, data, crypto.sign(h, data, node.privateKey)), true);
    const saltLen = bits / 8;
    const mech = { mechanism: pss, parameter: { type: C.CK_PARAMS_RSA_PSS, hashAlg, mgf, saltLen } };
    const opts = { padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: saltLen };
    const sig = sign(mech, pair.privateKey, data);
    assert.equal(crypto.verify(h, data, { key: node.publicKey, ...opts }, sig), true, `${h} PSS ours`);
    assert.equal(verify(mech, pair.publicKey, data, crypto.sign(h, data, { key: node.privateKey, ...opts })), true);
  }
});

test("CKM_RSA_X_509 in C_EncapsulateKey / C_DecapsulateKey (RSASVE) against OpenSSL's raw RSA", () => {
  const raw = { mechanism: C.CKM_RSA_X_509 };
  const noPad = { padding: crypto.constants.RSA_NO_PADDING };
  const generic = [
    { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
    { type: C.CKA_EXTRACTABLE, value: true },
  ];
  const { ciphertext, key } = pkcs11.C_EncapsulateKey(s, raw, pair.publicKey, generic, Buffer.alloc(K));
  assert.equal(ciphertext.length, K);
  const z = crypto.privateDecrypt({ key: node.privateKey, ...noPad }, ciphertext);
  assert.equal(hex(attr(key, C.CKA_VALUE)), hex(z));
  // OpenSSL's z^e decapsulates here; CKA_VALUE_LEN keeps the leading bytes.
  const z2 = Buffer.concat([Buffer.from([0]), crypto.randomBytes(K - 1)]);
  const c2 = crypto.publicEncrypt({ key: node.publicKey, ...noPad }, z2);
  const k2 = pkcs11.C_DecapsulateKey(s, raw, pair.privateKey, [...generic, { type: C.CKA_VALUE_LEN, value: 32 }], c2);
  assert.equal(hex(attr(k2, C.CKA_VALUE)), hex(z2.subarray(0, 32)));
  // z = 1 is outside RSASVE's range.
  const one = Buffer.alloc(K);
  one[K - 1] = 1;
  const c1 = crypto.publicEncrypt({ key: node.publicKey, ...noPad }, one);
  expectRv(() => pkcs11.C_DecapsulateKey(s, raw, pair.privateKey, generic, c1), "CKR_WRAPPED_KEY_INVALID");
});
