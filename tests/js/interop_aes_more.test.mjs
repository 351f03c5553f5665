// Interoperability of the AES key wraps, ChaCha20-Poly1305, AES-CMAC and
// the AES encrypt-data derivations with references no one here wrote:
// node:crypto (OpenSSL) for the key wraps ('id-aesNNN-wrap',
// 'id-aesNNN-wrap-pad'), ChaCha20-Poly1305 and AES-ECB/CBC; the RFC 4493
// and NIST SP 800-38B examples for CMAC, which Node lacks.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { C, expectRv, openUserSession, pkcs11js } from "./fixtures/token-session.mjs";

const P256_OID = Buffer.from("06082a8648ce3d030107", "hex");

const { pkcs11, slot, s } = openUserSession("aes-more");

// ---------------------------------------------------------------- helpers

const h = (x) => Buffer.from(x.replace(/\s/g, ""), "hex");
const rand = (n) => crypto.randomBytes(n);

function attr(obj, type) {
  return pkcs11.C_GetAttributeValue(s, obj, [{ type }])[0].value;
}

const USAGE = [C.CKA_ENCRYPT, C.CKA_DECRYPT, C.CKA_WRAP, C.CKA_UNWRAP, C.CKA_SIGN, C.CKA_VERIFY, C.CKA_DERIVE];

function secretKey(keyType, value, extra = []) {
  return pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: keyType },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SENSITIVE, value: false },
    { type: C.CKA_EXTRACTABLE, value: true },
    ...USAGE.map((type) => ({ type, value: true })),
    ...extra,
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
function sign(mech, key, data) {
  pkcs11.C_SignInit(s, mech, key);
  return Buffer.from(pkcs11.C_Sign(s, data, Buffer.alloc(64)));
}
function verify(mech, key, data, sig) {
  pkcs11.C_VerifyInit(s, mech, key);
  return pkcs11.C_Verify(s, data, sig);
}

/** One-shot node:crypto cipher (no PKCS padding unless asked). */
function node(decipher, name, key, iv, data, padding = false) {
  const c = decipher ? crypto.createDecipheriv(name, key, iv) : crypto.createCipheriv(name, key, iv);
  c.setAutoPadding(padding);
  return Buffer.concat([c.update(data), c.final()]);
}

const KW_IV = h("A6A6A6A6A6A6A6A6");
const KWP_IV = h("A65959A6");
const bits = (key) => key.length * 8;

// ---------------------------------------------------------------- key wrap

test("CKM_AES_KEY_WRAP matches OpenSSL's id-aesNNN-wrap (encrypt, decrypt, wrap, unwrap)", () => {
  for (const kekLen of [16, 24, 32]) {
    const kekValue = rand(kekLen);
    const kek = secretKey(C.CKK_AES, kekValue);
    const name = `id-aes${bits(kekValue)}-wrap`;
    for (const len of [16, 24, 32, 40, 64, 256]) {
      const data = rand(len);
      const ours = encrypt({ mechanism: C.CKM_AES_KEY_WRAP }, kek, data);
      assert.deepEqual(ours, node(false, name, kekValue, KW_IV, data), `${name} ${len}`);
      const theirs = node(false, name, kekValue, KW_IV, data);
      assert.deepEqual(decrypt({ mechanism: C.CKM_AES_KEY_WRAP }, kek, theirs), data);
    }
    // An explicit initial value (the optional 8-byte parameter).
    const iv = rand(8);
    const data = rand(32);
    const ours = encrypt({ mechanism: C.CKM_AES_KEY_WRAP, parameter: iv }, kek, data);
    assert.deepEqual(ours, node(false, name, kekValue, iv, data));
    expectRv(() => decrypt({ mechanism: C.CKM_AES_KEY_WRAP }, kek, ours), "CKR_ENCRYPTED_DATA_INVALID");

    // C_WrapKey / C_UnwrapKey of AES keys, and of a 20-byte generic secret,
    // which the 2.40 text zero-pads to a semiblock.
    for (const [keyType, value] of [
      [C.CKK_AES, rand(16)],
      [C.CKK_AES, rand(32)],
      [C.CKK_GENERIC_SECRET, rand(20)],
    ]) {
      const target = secretKey(keyType, value);
      const padded = Buffer.concat([value, Buffer.alloc((8 - (value.length % 8)) % 8)]);
      const wrapped = Buffer.from(pkcs11.C_WrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP }, kek, target, Buffer.alloc(128)));
      assert.deepEqual(wrapped, node(false, name, kekValue, KW_IV, padded));
      const back = pkcs11.C_UnwrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP }, kek, node(false, name, kekValue, KW_IV, padded), [
        { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
        { type: C.CKA_KEY_TYPE, value: keyType },
        { type: C.CKA_VALUE_LEN, value: value.length },
        { type: C.CKA_TOKEN, value: false },
        { type: C.CKA_SENSITIVE, value: false },
        { type: C.CKA_EXTRACTABLE, value: true },
      ]);
      assert.deepEqual(attr(back, C.CKA_VALUE), value);
    }
  }
});

test("CKM_AES_KEY_WRAP_KWP matches OpenSSL's id-aesNNN-wrap-pad, also for private keys", () => {
  for (const kekLen of [16, 24, 32]) {
    const kekValue = rand(kekLen);
    const kek = secretKey(C.CKK_AES, kekValue);
    const name = `id-aes${bits(kekValue)}-wrap-pad`;
    for (const len of [1, 5, 7, 8, 9, 15, 16, 17, 31, 100, 1000]) {
      const data = rand(len);
      const ours = encrypt({ mechanism: C.CKM_AES_KEY_WRAP_KWP }, kek, data);
      assert.deepEqual(ours, node(false, name, kekValue, KWP_IV, data), `${name} ${len}`);
      assert.deepEqual(decrypt({ mechanism: C.CKM_AES_KEY_WRAP_KWP }, kek, node(false, name, kekValue, KWP_IV, data)), data);
    }
    const bad = encrypt({ mechanism: C.CKM_AES_KEY_WRAP_KWP }, kek, rand(20));
    bad[3] ^= 1;
    expectRv(() => decrypt({ mechanism: C.CKM_AES_KEY_WRAP_KWP }, kek, bad), "CKR_ENCRYPTED_DATA_INVALID");
    expectRv(() => decrypt({ mechanism: C.CKM_AES_KEY_WRAP_KWP }, kek, rand(20)), "CKR_ENCRYPTED_DATA_LEN_RANGE");

    // A P-256 private key wraps as PKCS#8; OpenSSL unwraps and uses it.
    const pair = pkcs11.C_GenerateKeyPair(
      s,
      { mechanism: C.CKM_EC_KEY_PAIR_GEN },
      [
        { type: C.CKA_EC_PARAMS, value: P256_OID },
        { type: C.CKA_VERIFY, value: true },
        { type: C.CKA_TOKEN, value: false },
      ],
      [
        { type: C.CKA_SIGN, value: true },
        { type: C.CKA_EXTRACTABLE, value: true },
        { type: C.CKA_TOKEN, value: false },
      ],
    );
    const wrapped = Buffer.from(
      pkcs11.C_WrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP_KWP }, kek, pair.privateKey, Buffer.alloc(512)),
    );
    const der = node(true, name, kekValue, KWP_IV, wrapped);
    const priv = crypto.createPrivateKey({ key: der, format: "der", type: "pkcs8" });
    const msg = Buffer.from("wrapped with KWP");
    const sig = crypto.sign("sha256", msg, { key: priv, dsaEncoding: "ieee-p1363" });
    assert.equal(verify({ mechanism: C.CKM_ECDSA_SHA256 }, pair.publicKey, msg, sig), true);
    // And back: OpenSSL's wrap of our PKCS#8 unwraps to a working key.
    const unwrapped = pkcs11.C_UnwrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP_KWP }, kek, node(false, name, kekValue, KWP_IV, der), [
      { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
      { type: C.CKA_KEY_TYPE, value: C.CKK_EC },
      { type: C.CKA_SIGN, value: true },
      { type: C.CKA_TOKEN, value: false },
    ]);
    const sig2 = sign({ mechanism: C.CKM_ECDSA_SHA256 }, unwrapped, msg);
    assert.ok(crypto.verify("sha256", msg, { key: crypto.createPublicKey(priv), dsaEncoding: "ieee-p1363" }, sig2));
  }
});

test("CKM_AES_KEY_WRAP_PAD is PKCS #7 padding then KW (the 2.40 definition), as is KEY_WRAP_PKCS7", () => {
  const kekValue = rand(32);
  const kek = secretKey(C.CKK_AES, kekValue);
  for (const len of [8, 13, 16, 20, 33]) {
    const data = rand(len);
    const pad = 8 - (len % 8);
    const padded = Buffer.concat([data, Buffer.alloc(pad, pad)]);
    const expect = node(false, "id-aes256-wrap", kekValue, KW_IV, padded);
    for (const mechanism of [C.CKM_AES_KEY_WRAP_PAD, C.CKM_AES_KEY_WRAP_PKCS7]) {
      assert.deepEqual(encrypt({ mechanism }, kek, data), expect);
      assert.deepEqual(decrypt({ mechanism }, kek, expect), data);
    }
  }
  // A 20-byte generic secret round-trips without CKA_VALUE_LEN.
  const value = rand(20);
  const target = secretKey(C.CKK_GENERIC_SECRET, value);
  const wrapped = pkcs11.C_WrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP_PAD }, kek, target, Buffer.alloc(64));
  const back = pkcs11.C_UnwrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP_PAD }, kek, wrapped, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SENSITIVE, value: false },
    { type: C.CKA_EXTRACTABLE, value: true },
  ]);
  assert.deepEqual(attr(back, C.CKA_VALUE), value);
});

test("key wrap length and parameter errors", () => {
  const kek = secretKey(C.CKK_AES, rand(16));
  expectRv(() => encrypt({ mechanism: C.CKM_AES_KEY_WRAP }, kek, rand(20)), "CKR_DATA_LEN_RANGE");
  expectRv(() => encrypt({ mechanism: C.CKM_AES_KEY_WRAP }, kek, rand(8)), "CKR_DATA_LEN_RANGE");
  expectRv(() => decrypt({ mechanism: C.CKM_AES_KEY_WRAP }, kek, rand(16)), "CKR_ENCRYPTED_DATA_LEN_RANGE");
  expectRv(() => decrypt({ mechanism: C.CKM_AES_KEY_WRAP }, kek, rand(25)), "CKR_ENCRYPTED_DATA_LEN_RANGE");
  expectRv(() => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_KEY_WRAP, parameter: rand(4) }, kek), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(() => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_KEY_WRAP_KWP, parameter: rand(8) }, kek), "CKR_MECHANISM_PARAM_INVALID");
  // Unwrapping garbage is CKR_WRAPPED_KEY_INVALID.
  expectRv(
    () =>
      pkcs11.C_UnwrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP }, kek, rand(24), [
        { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
        { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
        { type: C.CKA_TOKEN, value: false },
      ]),
    "CKR_WRAPPED_KEY_INVALID",
  );
});

// ---------------------------------------------------------------- ChaCha20-Poly1305

const chachaParam = (nonce, aad) => ({ type: C.CK_PARAMS_CHACHA20_POLY1305, nonce, aad });

test("CKM_CHACHA20_POLY1305 matches OpenSSL's chacha20-poly1305, single- and multi-part", () => {
  const key = pkcs11.C_GenerateKey(s, { mechanism: C.CKM_CHACHA20_KEY_GEN }, [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SENSITIVE, value: false },
    { type: C.CKA_EXTRACTABLE, value: true },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: true },
    { type: C.CKA_WRAP, value: true },
  ]);
  assert.equal(attr(key, C.CKA_KEY_TYPE).readUInt32LE(0), C.CKK_CHACHA20);
  assert.equal(attr(key, C.CKA_VALUE_LEN).readUInt32LE(0), 32);
  const keyValue = attr(key, C.CKA_VALUE);
  assert.equal(keyValue.length, 32);

  for (const len of [0, 1, 63, 64, 65, 1000]) {
    const nonce = rand(12);
    const aad = rand(len % 40);
    const data = rand(len);
    const mech = { mechanism: C.CKM_CHACHA20_POLY1305, parameter: chachaParam(nonce, aad) };

    const c = crypto.createCipheriv("chacha20-poly1305", keyValue, nonce, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: len });
    const theirs = Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
    assert.deepEqual(encrypt(mech, key, data), theirs, `encrypt ${len}`);
    assert.deepEqual(decrypt(mech, key, theirs), data, `decrypt ${len}`);

    // Multi-part: ciphertext streams out, the tag comes with C_EncryptFinal.
    pkcs11.C_EncryptInit(s, mech, key);
    const parts = [];
    for (let i = 0; i < len; i += 17) parts.push(Buffer.from(pkcs11.C_EncryptUpdate(s, data.subarray(i, i + 17), Buffer.alloc(17))));
    parts.push(Buffer.from(pkcs11.C_EncryptFinal(s, Buffer.alloc(16))));
    assert.deepEqual(Buffer.concat(parts), theirs);
    pkcs11.C_DecryptInit(s, mech, key);
    for (let i = 0; i < theirs.length; i += 29) {
      assert.equal(pkcs11.C_DecryptUpdate(s, theirs.subarray(i, i + 29), Buffer.alloc(64)).length, 0);
    }
    assert.deepEqual(Buffer.from(pkcs11.C_DecryptFinal(s, Buffer.alloc(len + 16))), data);

    const bad = Buffer.from(theirs);
    bad[bad.length - 1] ^= 1;
    expectRv(() => decrypt(mech, key, bad), "CKR_ENCRYPTED_DATA_INVALID");
  }

  // Wrapping an AES key: OpenSSL decrypts the wrapped value.
  const aesValue = rand(32);
  const aes = secretKey(C.CKK_AES, aesValue);
  const nonce = rand(12);
  const wrapped = Buffer.from(
    pkcs11.C_WrapKey(s, { mechanism: C.CKM_CHACHA20_POLY1305, parameter: chachaParam(nonce) }, key, aes, Buffer.alloc(64)),
  );
  const d = crypto.createDecipheriv("chacha20-poly1305", keyValue, nonce, { authTagLength: 16 });
  d.setAuthTag(wrapped.subarray(32));
  assert.deepEqual(Buffer.concat([d.update(wrapped.subarray(0, 32)), d.final()]), aesValue);
});

test("CKM_CHACHA20_POLY1305 parameters and keys", () => {
  const keyValue = rand(32);
  const key = secretKey(C.CKK_CHACHA20, keyValue);
  assert.equal(attr(key, C.CKA_VALUE_LEN).readUInt32LE(0), 32);
  for (const nonce of [rand(8), rand(11), rand(24)]) {
    expectRv(
      () => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_CHACHA20_POLY1305, parameter: chachaParam(nonce) }, key),
      "CKR_MECHANISM_PARAM_INVALID",
    );
  }
  expectRv(() => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_CHACHA20_POLY1305, parameter: rand(12) }, key), "CKR_MECHANISM_PARAM_INVALID");
  assert.throws(
    () => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_CHACHA20_POLY1305, parameter: { type: C.CK_PARAMS_CHACHA20_POLY1305 } }, key),
    /Property 'nonce' of CK_SALSA20_CHACHA20_POLY1305_PARAMS mechanism parameter should be Buffer/,
  );
  const aes = secretKey(C.CKK_AES, rand(32));
  expectRv(
    () => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_CHACHA20_POLY1305, parameter: chachaParam(rand(12)) }, aes),
    "CKR_KEY_TYPE_INCONSISTENT",
  );
  expectRv(() => secretKey(C.CKK_CHACHA20, rand(16)), "CKR_ATTRIBUTE_VALUE_INVALID");
});

// ---------------------------------------------------------------- CMAC

const SP800_38A_TEXT = h(`6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
                          30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710`);

// RFC 4493 section 4 (AES-128); NIST SP 800-38B appendix D (AES-192/256).
const CMAC_VECTORS = [
  ["2b7e151628aed2a6abf7158809cf4f3c", ["bb1d6929e95937287fa37d129b756746", "070a16b46b4d4144f79bdd9dd04a287c", "dfa66747de9ae63030ca32611497c827", "51f0bebf7e3b9d92fc49741779363cfe"]],
  ["8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", ["d17ddf46adaacde531cac483de7a9367", "9e99a7bf31e710900662f65e617c5184", "8a1de5be2eb31aad089a82e6ee908b0e", "a1d5df0eed790f794d77589659f39a11"]],
  ["603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", ["028962f61b7bf89efc6b551f4667d983", "28a7023f452e8f82bd4bf28d8c37c35c", "aaf3d8f1de5640c232f5b169b9c911e6", "e1992190549f6ed5696a2c056c315410"]],
];

test("CKM_AES_CMAC and CKM_AES_CMAC_GENERAL: RFC 4493 / SP 800-38B examples", () => {
  for (const [keyHex, tags] of CMAC_VECTORS) {
    const key = secretKey(C.CKK_AES, h(keyHex));
    [0, 16, 40, 64].forEach((len, i) => {
      const msg = SP800_38A_TEXT.subarray(0, len);
      const tag = h(tags[i]);
      assert.deepEqual(sign({ mechanism: C.CKM_AES_CMAC }, key, msg), tag);
      assert.equal(verify({ mechanism: C.CKM_AES_CMAC }, key, msg, tag), true);
      // Multi-part.
      pkcs11.C_SignInit(s, { mechanism: C.CKM_AES_CMAC }, key);
      for (let j = 0; j < len; j += 7) pkcs11.C_SignUpdate(s, msg.subarray(j, j + 7));
      assert.deepEqual(Buffer.from(pkcs11.C_SignFinal(s, Buffer.alloc(16))), tag);
      // _GENERAL takes the length as a number (pkcs11js's CK_ULONG parameter) or 8-byte Buffer.
      for (const n of [4, 8, 16]) {
        const lenBuf = Buffer.alloc(8);
        lenBuf.writeUInt32LE(n, 0);
        for (const parameter of [n, lenBuf]) {
          const mech = { mechanism: C.CKM_AES_CMAC_GENERAL, parameter };
          assert.deepEqual(sign(mech, key, msg), tag.subarray(0, n));
          assert.equal(verify(mech, key, msg, tag.subarray(0, n)), true);
        }
      }
    });
    const mech = { mechanism: C.CKM_AES_CMAC };
    const bad = Buffer.from(h(tags[0]));
    bad[0] ^= 1;
    expectRv(() => verify(mech, key, Buffer.alloc(0), bad), "CKR_SIGNATURE_INVALID");
    expectRv(() => verify(mech, key, Buffer.alloc(0), bad.subarray(0, 15)), "CKR_SIGNATURE_LEN_RANGE");
    expectRv(() => pkcs11.C_SignInit(s, { mechanism: C.CKM_AES_CMAC_GENERAL, parameter: 17 }, key), "CKR_MECHANISM_PARAM_INVALID");
    expectRv(() => pkcs11.C_SignInit(s, { mechanism: C.CKM_AES_CMAC_GENERAL, parameter: 0 }, key), "CKR_MECHANISM_PARAM_INVALID");
  }
});

// ---------------------------------------------------------------- encrypt-data derivation

test("CKM_AES_ECB_ENCRYPT_DATA and CKM_AES_CBC_ENCRYPT_DATA match OpenSSL's AES-ECB / AES-CBC", () => {
  const derivedTemplate = (extra = []) => [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SENSITIVE, value: false },
    { type: C.CKA_EXTRACTABLE, value: true },
    ...extra,
  ];
  for (const keyLen of [16, 24, 32]) {
    const baseValue = rand(keyLen);
    const base = secretKey(C.CKK_AES, baseValue);
    const data = rand(32);
    const ecb = node(false, `aes-${keyLen * 8}-ecb`, baseValue, null, data);
    for (const parameter of [data, { type: C.CK_PARAMS_KEY_DERIVATION_STRING_DATA, data }]) {
      const k = pkcs11.C_DeriveKey(s, { mechanism: C.CKM_AES_ECB_ENCRYPT_DATA, parameter }, base, derivedTemplate());
      assert.deepEqual(attr(k, C.CKA_VALUE), ecb);
    }
    // CKA_VALUE_LEN takes the leading bytes; an AES key of 16.
    const k16 = pkcs11.C_DeriveKey(s, { mechanism: C.CKM_AES_ECB_ENCRYPT_DATA, parameter: data }, base, [
      { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
      { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
      { type: C.CKA_VALUE_LEN, value: 16 },
      { type: C.CKA_TOKEN, value: false },
      { type: C.CKA_SENSITIVE, value: false },
      { type: C.CKA_EXTRACTABLE, value: true },
    ]);
    assert.deepEqual(attr(k16, C.CKA_VALUE), ecb.subarray(0, 16));

    const iv = rand(16);
    const cbc = node(false, `aes-${keyLen * 8}-cbc`, baseValue, iv, data);
    const k = pkcs11.C_DeriveKey(s, { mechanism: C.CKM_AES_CBC_ENCRYPT_DATA, parameter: { type: C.CK_PARAMS_AES_CBC, iv, data } }, base, derivedTemplate());
    assert.deepEqual(attr(k, C.CKA_VALUE), cbc);

    expectRv(
      () => pkcs11.C_DeriveKey(s, { mechanism: C.CKM_AES_ECB_ENCRYPT_DATA, parameter: rand(20) }, base, derivedTemplate()),
      "CKR_MECHANISM_PARAM_INVALID",
    );
    expectRv(
      () => pkcs11.C_DeriveKey(s, { mechanism: C.CKM_AES_CBC_ENCRYPT_DATA, parameter: { type: C.CK_PARAMS_AES_CBC, iv } }, base, derivedTemplate()),
      "CKR_MECHANISM_PARAM_INVALID",
    );
    expectRv(
      () => pkcs11.C_DeriveKey(s, { mechanism: C.CKM_AES_ECB_ENCRYPT_DATA, parameter: data }, base, derivedTemplate([{ type: C.CKA_VALUE_LEN, value: 33 }])),
      "CKR_TEMPLATE_INCONSISTENT",
    );
  }
});

// ---------------------------------------------------------------- CTS and mechanism info

test("CKM_AES_CTS (CBC-CS1) equals CBC on whole blocks, round-trips otherwise", () => {
  const value = rand(16);
  const key = secretKey(C.CKK_AES, value);
  const iv = rand(16);
  const whole = rand(48);
  assert.deepEqual(encrypt({ mechanism: C.CKM_AES_CTS, parameter: iv }, key, whole), node(false, "aes-128-cbc", value, iv, whole));
  for (const len of [16, 17, 31, 33, 100]) {
    const data = rand(len);
    const ct = encrypt({ mechanism: C.CKM_AES_CTS, parameter: iv }, key, data);
    assert.equal(ct.length, len);
    // CS1: the zero-padded CBC encryption with the unused tail of C(n-1) dropped.
    const padded = Buffer.concat([data, Buffer.alloc((16 - (len % 16)) % 16)]);
    const cbc = node(false, "aes-128-cbc", value, iv, padded);
    const d = len % 16;
    const expect = d === 0 ? cbc : Buffer.concat([cbc.subarray(0, cbc.length - 32 + d), cbc.subarray(cbc.length - 16)]);
    assert.deepEqual(ct, expect, `len ${len}`);
    assert.deepEqual(decrypt({ mechanism: C.CKM_AES_CTS, parameter: iv }, key, ct), data);
  }
  expectRv(() => encrypt({ mechanism: C.CKM_AES_CTS, parameter: iv }, key, rand(15)), "CKR_DATA_LEN_RANGE");
});

test("mechanism list and info", () => {
  const list = pkcs11.C_GetMechanismList(slot);
  const wrap = C.CKF_ENCRYPT | C.CKF_DECRYPT | C.CKF_WRAP | C.CKF_UNWRAP;
  const want = [
    [C.CKM_AES_KEY_WRAP, 16, 32, wrap],
    [C.CKM_AES_KEY_WRAP_KWP, 16, 32, wrap],
    [C.CKM_AES_KEY_WRAP_PAD, 16, 32, wrap],
    [C.CKM_AES_KEY_WRAP_PKCS7, 16, 32, wrap],
    [C.CKM_AES_CMAC, 16, 32, C.CKF_SIGN | C.CKF_VERIFY],
    [C.CKM_AES_CMAC_GENERAL, 16, 32, C.CKF_SIGN | C.CKF_VERIFY],
    [C.CKM_AES_ECB_ENCRYPT_DATA, 16, 32, C.CKF_DERIVE],
    [C.CKM_AES_CBC_ENCRYPT_DATA, 16, 32, C.CKF_DERIVE],
    [C.CKM_AES_CTS, 16, 32, C.CKF_ENCRYPT | C.CKF_DECRYPT],
    [C.CKM_CHACHA20_KEY_GEN, 32, 32, C.CKF_GENERATE],
    [C.CKM_CHACHA20_POLY1305, 32, 32, wrap],
  ];
  for (const [mech, min, max, flags] of want) {
    assert.ok(list.includes(mech), `0x${mech.toString(16)} listed`);
    const info = pkcs11.C_GetMechanismInfo(slot, mech);
    assert.equal(info.minKeySize, min);
    assert.equal(info.maxKeySize, max);
    // The message-based flags (3.x) may come on top.
    assert.equal(info.flags & flags, flags, `0x${mech.toString(16)} flags`);
  }
});
