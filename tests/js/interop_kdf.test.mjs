// Digests, HMACs and key derivation checked against node:crypto (OpenSSL):
// SHA-512/224, SHA-512/256 and SHA-3 digests and HMACs (full and
// truncated), HKDF vs crypto.hkdfSync, PBKDF2 vs crypto.pbkdf2Sync, the
// concatenation / XOR derivations vs plain Buffer operations, and the
// SP 800-108 counter KDF vs the construction written out with createHmac.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { C, expectRv, hex, openUserSession } from "./fixtures/token-session.mjs";

const { pkcs11, slot, s } = openUserSession("kdf interop");

// ---------------------------------------------------------------- helpers

function attr(obj, type) {
  return Buffer.from(pkcs11.C_GetAttributeValue(s, obj, [{ type }])[0].value);
}

function secretKey(keyType, value, extra = []) {
  return pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: keyType },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SIGN, value: true },
    { type: C.CKA_VERIFY, value: true },
    { type: C.CKA_DERIVE, value: true },
    ...extra,
  ]);
}

/** A derived, readable key's value (or a data object's). */
function derive(mechanism, base, template = []) {
  const h = pkcs11.C_DeriveKey(s, mechanism, base, [
    { type: C.CKA_TOKEN, value: false },
    ...(template.some((a) => a.type === C.CKA_CLASS && a.value === C.CKO_DATA)
      ? []
      : [
          { type: C.CKA_SENSITIVE, value: false },
          { type: C.CKA_EXTRACTABLE, value: true },
        ]),
    ...template,
  ]);
  return { handle: h, value: attr(h, C.CKA_VALUE) };
}

function sign(mech, key, data) {
  pkcs11.C_SignInit(s, mech, key);
  return Buffer.from(pkcs11.C_Sign(s, data, Buffer.alloc(128)));
}
function verify(mech, key, data, sig) {
  pkcs11.C_VerifyInit(s, mech, key);
  return pkcs11.C_Verify(s, data, sig);
}

// Each hash: digest / HMAC / HMAC_GENERAL / key type / key gen mechanism and
// its node:crypto name.
const HASHES = [
  ["sha1", C.CKM_SHA_1, C.CKM_SHA_1_HMAC, C.CKM_SHA_1_HMAC_GENERAL, C.CKK_SHA_1_HMAC, C.CKM_SHA_1_KEY_GEN],
  ["sha224", C.CKM_SHA224, C.CKM_SHA224_HMAC, C.CKM_SHA224_HMAC_GENERAL, C.CKK_SHA224_HMAC, C.CKM_SHA224_KEY_GEN],
  ["sha256", C.CKM_SHA256, C.CKM_SHA256_HMAC, C.CKM_SHA256_HMAC_GENERAL, C.CKK_SHA256_HMAC, C.CKM_SHA256_KEY_GEN],
  ["sha384", C.CKM_SHA384, C.CKM_SHA384_HMAC, C.CKM_SHA384_HMAC_GENERAL, C.CKK_SHA384_HMAC, C.CKM_SHA384_KEY_GEN],
  ["sha512", C.CKM_SHA512, C.CKM_SHA512_HMAC, C.CKM_SHA512_HMAC_GENERAL, C.CKK_SHA512_HMAC, C.CKM_SHA512_KEY_GEN],
  ["sha512-224", C.CKM_SHA512_224, C.CKM_SHA512_224_HMAC, C.CKM_SHA512_224_HMAC_GENERAL, C.CKK_SHA512_224_HMAC, C.CKM_SHA512_224_KEY_GEN],
  ["sha512-256", C.CKM_SHA512_256, C.CKM_SHA512_256_HMAC, C.CKM_SHA512_256_HMAC_GENERAL, C.CKK_SHA512_256_HMAC, C.CKM_SHA512_256_KEY_GEN],
  ["sha3-224", C.CKM_SHA3_224, C.CKM_SHA3_224_HMAC, C.CKM_SHA3_224_HMAC_GENERAL, C.CKK_SHA3_224_HMAC, C.CKM_SHA3_224_KEY_GEN],
  ["sha3-256", C.CKM_SHA3_256, C.CKM_SHA3_256_HMAC, C.CKM_SHA3_256_HMAC_GENERAL, C.CKK_SHA3_256_HMAC, C.CKM_SHA3_256_KEY_GEN],
  ["sha3-384", C.CKM_SHA3_384, C.CKM_SHA3_384_HMAC, C.CKM_SHA3_384_HMAC_GENERAL, C.CKK_SHA3_384_HMAC, C.CKM_SHA3_384_KEY_GEN],
  ["sha3-512", C.CKM_SHA3_512, C.CKM_SHA3_512_HMAC, C.CKM_SHA3_512_HMAC_GENERAL, C.CKK_SHA3_512_HMAC, C.CKM_SHA3_512_KEY_GEN],
];

// ------------------------------------------------------------ digests, MACs

test("SHA-512/t and SHA-3 digests equal node:crypto (single- and multi-part, block boundaries)", () => {
  for (const [name, mech] of HASHES) {
    const info = pkcs11.C_GetMechanismInfo(slot, mech);
    assert.equal(info.flags, C.CKF_DIGEST, name);
    for (const len of [0, 1, 71, 72, 135, 136, 137, 143, 144, 1000]) {
      const data = crypto.randomBytes(len);
      const want = crypto.createHash(name).update(data).digest();
      pkcs11.C_DigestInit(s, { mechanism: mech });
      assert.equal(hex(pkcs11.C_Digest(s, data, Buffer.alloc(64))), hex(want), `${name} ${len}`);
      pkcs11.C_DigestInit(s, { mechanism: mech });
      pkcs11.C_DigestUpdate(s, data.subarray(0, len >> 1));
      pkcs11.C_DigestUpdate(s, data.subarray(len >> 1));
      assert.equal(hex(pkcs11.C_DigestFinal(s, Buffer.alloc(64))), hex(want), `${name} ${len} in parts`);
    }
  }
});

test("HMACs equal node:crypto: both key types, every key length class, truncated _GENERAL tags", () => {
  for (const [name, , mech, general, keyType] of HASHES) {
    const full = crypto.createHash(name).digest().length;
    const block = { sha1: 64, sha224: 64, sha256: 64, "sha3-224": 144, "sha3-256": 136, "sha3-384": 104, "sha3-512": 72 }[name] ?? 128;
    for (const keyLen of [1, full, block, block + 1, 300]) {
      const value = crypto.randomBytes(keyLen);
      const data = crypto.randomBytes(keyLen * 3 + 1);
      const want = crypto.createHmac(name, value).update(data).digest();
      for (const kt of [C.CKK_GENERIC_SECRET, keyType]) {
        const key = secretKey(kt, value);
        const what = `${name} key ${keyLen} type ${kt}`;
        assert.equal(hex(sign({ mechanism: mech }, key, data)), hex(want), what);
        assert.equal(verify({ mechanism: mech }, key, data, want), true, what);
        const bad = Buffer.from(want);
        bad[0] ^= 1;
        expectRv(() => verify({ mechanism: mech }, key, data, bad), "CKR_SIGNATURE_INVALID");
        // CK_MAC_GENERAL_PARAMS as a number (an 8-byte CK_ULONG).
        const gen = { mechanism: general, parameter: 10 };
        assert.equal(hex(sign(gen, key, data)), hex(want.subarray(0, 10)), `${what} general`);
        assert.equal(verify(gen, key, data, want.subarray(0, 10)), true);
        expectRv(() => verify(gen, key, data, want), "CKR_SIGNATURE_LEN_RANGE");
        pkcs11.C_DestroyObject(s, key);
      }
    }
  }
});

test("per-hash HMAC key generation makes keys of that type, usable only by that HMAC", () => {
  for (const [name, , mech, , keyType, keyGen] of HASHES) {
    const key = pkcs11.C_GenerateKey(s, { mechanism: keyGen }, [
      { type: C.CKA_VALUE_LEN, value: 32 },
      { type: C.CKA_SIGN, value: true },
      { type: C.CKA_EXTRACTABLE, value: true },
    ]);
    assert.equal(attr(key, C.CKA_KEY_TYPE).readUInt32LE(0), keyType);
    const value = attr(key, C.CKA_VALUE);
    assert.equal(value.length, 32);
    const data = Buffer.from("generated key");
    assert.equal(hex(sign({ mechanism: mech }, key, data)), hex(crypto.createHmac(name, value).update(data).digest()), name);
    const other = mech === C.CKM_SHA256_HMAC ? C.CKM_SHA384_HMAC : C.CKM_SHA256_HMAC;
    expectRv(() => pkcs11.C_SignInit(s, { mechanism: other }, key), "CKR_KEY_TYPE_INCONSISTENT");
  }
});

// ---------------------------------------------------------------- HKDF

const hkdfParams = (hash, { extract = true, expand = true, salt, saltKey, info } = {}) => ({
  type: C.CK_PARAMS_HKDF,
  extract,
  expand,
  prfHashMechanism: hash,
  saltType: saltKey ? C.CKF_HKDF_SALT_KEY : salt ? C.CKF_HKDF_SALT_DATA : C.CKF_HKDF_SALT_NULL,
  salt,
  saltKey,
  info,
});

test("HKDF equals crypto.hkdfSync for every hash (derive, data object, two-step, salt key)", () => {
  for (const [name, hash] of HASHES) {
    const hashLen = crypto.createHash(name).digest().length;
    for (const [ikmLen, saltLen, infoLen, len] of [
      [22, 13, 10, 42],
      [80, 0, 0, hashLen],
      [16, 64, 200, 255],
      [1, 1, 1, 1],
    ]) {
      const ikm = crypto.randomBytes(ikmLen);
      const salt = saltLen ? crypto.randomBytes(saltLen) : undefined;
      const info = infoLen ? crypto.randomBytes(infoLen) : undefined;
      const want = Buffer.from(crypto.hkdfSync(name, ikm, salt ?? Buffer.alloc(0), info ?? Buffer.alloc(0), len));
      const what = `HKDF-${name} ikm ${ikmLen} salt ${saltLen} info ${infoLen} L ${len}`;
      const base = secretKey(C.CKK_GENERIC_SECRET, ikm);
      const key = derive({ mechanism: C.CKM_HKDF_DERIVE, parameter: hkdfParams(hash, { salt, info }) }, base, [
        { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
        { type: C.CKA_VALUE_LEN, value: len },
      ]);
      assert.equal(hex(key.value), hex(want), what);
      const data = derive({ mechanism: C.CKM_HKDF_DATA, parameter: hkdfParams(hash, { salt, info }) }, base, [
        { type: C.CKA_CLASS, value: C.CKO_DATA },
        { type: C.CKA_VALUE_LEN, value: len },
      ]);
      assert.equal(hex(data.value), hex(want), `${what} (data object)`);
      assert.equal(attr(data.handle, C.CKA_CLASS).readUInt32LE(0), C.CKO_DATA);
      // Extract to a CKK_HKDF key, then expand it.
      const prk = derive({ mechanism: C.CKM_HKDF_DERIVE, parameter: hkdfParams(hash, { expand: false, salt }) }, base, [
        { type: C.CKA_KEY_TYPE, value: C.CKK_HKDF },
        { type: C.CKA_DERIVE, value: true },
      ]);
      assert.equal(prk.value.length, hashLen);
      const two = derive({ mechanism: C.CKM_HKDF_DERIVE, parameter: hkdfParams(hash, { extract: false, info }) }, prk.handle, [
        { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
        { type: C.CKA_VALUE_LEN, value: len },
      ]);
      assert.equal(hex(two.value), hex(want), `${what} (two steps)`);
      if (salt) {
        // Readable: a protected salt key would make the result protected.
        const saltKey = secretKey(C.CKK_HKDF, salt, [{ type: C.CKA_EXTRACTABLE, value: true }]);
        const viaKey = derive({ mechanism: C.CKM_HKDF_DERIVE, parameter: hkdfParams(hash, { saltKey, info }) }, base, [
          { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
          { type: C.CKA_VALUE_LEN, value: len },
        ]);
        assert.equal(hex(viaKey.value), hex(want), `${what} (salt key)`);
      }
    }
  }
});

test("HKDF_KEY_GEN keys feed HKDF; AES output keys; parameter errors", () => {
  const hk = pkcs11.C_GenerateKey(s, { mechanism: C.CKM_HKDF_KEY_GEN }, [
    { type: C.CKA_VALUE_LEN, value: 32 },
    { type: C.CKA_DERIVE, value: true },
    { type: C.CKA_EXTRACTABLE, value: true },
  ]);
  const ikm = attr(hk, C.CKA_VALUE);
  const info = Buffer.from("aes key");
  const aes = derive({ mechanism: C.CKM_HKDF_DERIVE, parameter: hkdfParams(C.CKM_SHA256, { info }) }, hk, [
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_VALUE_LEN, value: 32 },
    { type: C.CKA_ENCRYPT, value: true },
  ]);
  assert.equal(hex(aes.value), hex(Buffer.from(crypto.hkdfSync("sha256", ikm, Buffer.alloc(0), info, 32))));
  const m = (p) => ({ mechanism: C.CKM_HKDF_DERIVE, parameter: { type: C.CK_PARAMS_HKDF, prfHashMechanism: C.CKM_SHA256, saltType: 1, ...p } });
  expectRv(() => pkcs11.C_DeriveKey(s, m({}), hk, []), "CKR_MECHANISM_PARAM_INVALID"); // neither extract nor expand
  expectRv(() => pkcs11.C_DeriveKey(s, m({ extract: true, prfHashMechanism: C.CKM_MD5 }), hk, []), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(() => pkcs11.C_DeriveKey(s, m({ extract: true, saltType: 8 }), hk, []), "CKR_MECHANISM_PARAM_INVALID");
  assert.throws(() => pkcs11.C_DeriveKey(s, m({ extract: "yes" }), hk, []), {
    name: "TypeError",
    message: "Property 'extract' of CK_HKDF_PARAMS mechanism parameter should be Boolean",
  });
  assert.throws(() => pkcs11.C_DeriveKey(s, m({ prfHashMechanism: undefined }), hk, []), TypeError);
  assert.throws(() => pkcs11.C_DeriveKey(s, m({ extract: true, saltKey: Buffer.alloc(4) }), hk, []), TypeError);
});

// --------------------------------------------------------------- PBKDF2

test("PBKDF2 equals crypto.pbkdf2Sync for every PRF, any output key type", () => {
  const PRFS = [
    [C.CKP_PKCS5_PBKD2_HMAC_SHA1, "sha1"],
    [C.CKP_PKCS5_PBKD2_HMAC_SHA224, "sha224"],
    [C.CKP_PKCS5_PBKD2_HMAC_SHA256, "sha256"],
    [C.CKP_PKCS5_PBKD2_HMAC_SHA384, "sha384"],
    [C.CKP_PKCS5_PBKD2_HMAC_SHA512, "sha512"],
    [C.CKP_PKCS5_PBKD2_HMAC_SHA512_224, "sha512-224"],
    [C.CKP_PKCS5_PBKD2_HMAC_SHA512_256, "sha512-256"],
  ];
  for (const [prf, name] of PRFS) {
    for (const [password, salt, iterations, len] of [
      [Buffer.from("password"), Buffer.from("salt"), 1, 20],
      [Buffer.from("pässwörd"), crypto.randomBytes(16), 1000, 65],
      [Buffer.alloc(0), Buffer.alloc(0), 3, 7],
      [crypto.randomBytes(200), crypto.randomBytes(40), 17, 130],
    ]) {
      const parameter = { type: C.CK_PARAMS_PKCS5_PBKD2, saltSource: C.CKZ_SALT_SPECIFIED, salt, iterations, prf, password };
      const key = pkcs11.C_GenerateKey(s, { mechanism: C.CKM_PKCS5_PBKD2, parameter }, [
        { type: C.CKA_VALUE_LEN, value: len },
        { type: C.CKA_EXTRACTABLE, value: true },
      ]);
      const want = crypto.pbkdf2Sync(password, salt, iterations, len, name);
      assert.equal(hex(attr(key, C.CKA_VALUE)), hex(want), `${name} c=${iterations} dkLen=${len}`);
      assert.equal(attr(key, C.CKA_KEY_GEN_MECHANISM).readUInt32LE(0), C.CKM_PKCS5_PBKD2);
    }
  }
  const parameter = { type: C.CK_PARAMS_PKCS5_PBKD2, saltSource: C.CKZ_SALT_SPECIFIED, salt: Buffer.from("NaCl"), iterations: 1000, prf: C.CKP_PKCS5_PBKD2_HMAC_SHA256, password: Buffer.from("pw") };
  const aes = pkcs11.C_GenerateKey(s, { mechanism: C.CKM_PKCS5_PBKD2, parameter }, [
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_VALUE_LEN, value: 32 },
    { type: C.CKA_ENCRYPT, value: true },
  ]);
  // The AES key encrypts like OpenSSL with the PBKDF2 bytes.
  const keyBytes = crypto.pbkdf2Sync("pw", "NaCl", 1000, 32, "sha256");
  const block = crypto.randomBytes(16);
  pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, aes);
  const ours = Buffer.from(pkcs11.C_Encrypt(s, block, Buffer.alloc(32)));
  const c = crypto.createCipheriv("aes-256-ecb", keyBytes, null).setAutoPadding(false);
  assert.equal(hex(ours), hex(Buffer.concat([c.update(block), c.final()])));
  const gen = (p, t = [{ type: C.CKA_VALUE_LEN, value: 16 }]) => pkcs11.C_GenerateKey(s, { mechanism: C.CKM_PKCS5_PBKD2, parameter: { ...parameter, ...p } }, t);
  expectRv(() => gen({ iterations: 0 }), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(() => gen({ saltSource: 2 }), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(() => gen({ prf: C.CKP_PKCS5_PBKD2_HMAC_GOSTR3411 }), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(() => gen({ prfData: Buffer.from([1]) }), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(() => gen({}, []), "CKR_TEMPLATE_INCOMPLETE");
  assert.throws(() => gen({ password: "pw" }), {
    name: "TypeError",
    message: "Property 'password' of CK_PKCS5_PBKD2_PARAMS2 mechanism parameter should be Buffer",
  });
});

// ---------------------------------------------- concatenation and XOR

test("concatenate / XOR derivations equal Buffer operations; protection follows the sources", () => {
  const a = crypto.randomBytes(24);
  const b = crypto.randomBytes(16);
  const data = crypto.randomBytes(20);
  const base = secretKey(C.CKK_GENERIC_SECRET, a, [{ type: C.CKA_EXTRACTABLE, value: true }]);
  const other = secretKey(C.CKK_AES, b, [{ type: C.CKA_EXTRACTABLE, value: true }]);
  const strData = { type: C.CK_PARAMS_KEY_DERIVATION_STRING_DATA, data };
  const cases = [
    [{ mechanism: C.CKM_CONCATENATE_BASE_AND_KEY, parameter: other }, Buffer.concat([a, b])],
    [{ mechanism: C.CKM_CONCATENATE_BASE_AND_DATA, parameter: strData }, Buffer.concat([a, data])],
    [{ mechanism: C.CKM_CONCATENATE_BASE_AND_DATA, parameter: data }, Buffer.concat([a, data])],
    [{ mechanism: C.CKM_CONCATENATE_DATA_AND_BASE, parameter: strData }, Buffer.concat([data, a])],
    [{ mechanism: C.CKM_XOR_BASE_AND_DATA, parameter: strData }, Buffer.from(data.map((x, i) => x ^ a[i]))],
  ];
  for (const [mech, want] of cases) {
    const k = derive(mech, base);
    assert.equal(hex(k.value), hex(want), `mechanism ${mech.mechanism}`);
    assert.equal(attr(k.handle, C.CKA_KEY_TYPE).readUInt32LE(0), C.CKK_GENERIC_SECRET);
    const short = derive(mech, base, [
      { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
      { type: C.CKA_VALUE_LEN, value: 16 },
    ]);
    assert.equal(hex(short.value), hex(want.subarray(0, 16)));
    expectRv(() => derive(mech, base, [{ type: C.CKA_VALUE_LEN, value: want.length + 1 }]), "CKR_TEMPLATE_INCONSISTENT");
  }
  // A sensitive other key makes the result sensitive, whatever the template says.
  const hidden = secretKey(C.CKK_GENERIC_SECRET, b, [{ type: C.CKA_SENSITIVE, value: true }]);
  const h = pkcs11.C_DeriveKey(s, { mechanism: C.CKM_CONCATENATE_BASE_AND_KEY, parameter: hidden }, base, [
    { type: C.CKA_SENSITIVE, value: false },
    { type: C.CKA_EXTRACTABLE, value: true },
  ]);
  assert.equal(attr(h, C.CKA_SENSITIVE)[0], 1);
  assert.equal(attr(h, C.CKA_EXTRACTABLE)[0], 0);
  expectRv(() => pkcs11.C_GetAttributeValue(s, h, [{ type: C.CKA_VALUE }]), "CKR_ATTRIBUTE_SENSITIVE");
  expectRv(() => pkcs11.C_DeriveKey(s, { mechanism: C.CKM_XOR_BASE_AND_DATA, parameter: Buffer.alloc(0) }, base, []), "CKR_MECHANISM_PARAM_INVALID");
  assert.throws(() => pkcs11.C_DeriveKey(s, { mechanism: C.CKM_XOR_BASE_AND_DATA, parameter: { type: C.CK_PARAMS_KEY_DERIVATION_STRING_DATA } }, base, []), TypeError);
});

// ------------------------------------------------------------- SP 800-108

/** SP 800-108 counter mode written out with createHmac: the data params concatenated, counter i = 1.. */
function kbkdf(hmacName, key, fields, len) {
  const h = crypto.createHmac(hmacName, Buffer.alloc(1)).digest().length;
  const blocks = Math.ceil(len / h);
  const enc = (v, bits, le) => {
    const out = Buffer.alloc(bits / 8);
    for (let i = 0; i < bits / 8; i++) out[le ? i : bits / 8 - 1 - i] = Number((BigInt(v) >> BigInt(8 * i)) & 255n);
    return out;
  };
  const out = [];
  for (let i = 1; i <= blocks; i++) {
    const input = fields.map((f) =>
      f.type === 1 ? enc(i, f.widthInBits, f.littleEndian)
      : f.type === 3 ? enc((f.dkmLengthMethod === 1 ? len : blocks * h) * 8, f.widthInBits, f.littleEndian)
      : f.type === 4 ? f.data
      : f.value,
    );
    out.push(crypto.createHmac(hmacName, key).update(Buffer.concat(input)).digest());
  }
  return Buffer.concat(out).subarray(0, len);
}

test("SP 800-108 counter KDF equals the construction with createHmac (field orders, widths, DKM methods, key handles)", () => {
  const ki = crypto.randomBytes(32);
  const extra = crypto.randomBytes(12);
  // Readable: a protected key in a data field would make the result protected.
  const extraKey = secretKey(C.CKK_GENERIC_SECRET, extra, [{ type: C.CKA_EXTRACTABLE, value: true }]);
  const label = Buffer.from("label");
  const context = crypto.randomBytes(9);
  const layouts = [
    [{ type: 1, widthInBits: 32 }, { type: 4, data: label }, { type: 4, data: Buffer.from([0]) }, { type: 4, data: context }, { type: 3, dkmLengthMethod: 1, widthInBits: 32 }],
    [{ type: 4, data: label }, { type: 1, widthInBits: 8 }, { type: 4, data: context }],
    [{ type: 4, data: context }, { type: 3, dkmLengthMethod: 2, widthInBits: 16, littleEndian: true }, { type: 1, widthInBits: 24, littleEndian: true }],
    [{ type: 1, widthInBits: 16 }, { type: 5, handle: extraKey, value: extra }, { type: 3, dkmLengthMethod: 1, widthInBits: 64 }],
  ];
  for (const [name, , mech, , keyType] of HASHES) {
    for (const fields of layouts) {
      for (const len of [16, 33, 100]) {
        const base = secretKey(name === "sha256" ? keyType : C.CKK_GENERIC_SECRET, ki);
        const dataParams = fields.map(({ value, ...f }) => f);
        const k = derive({ mechanism: C.CKM_SP800_108_COUNTER_KDF, parameter: { type: C.CK_PARAMS_SP800_108_KDF, prfType: mech, dataParams } }, base, [
          { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
          { type: C.CKA_VALUE_LEN, value: len },
        ]);
        assert.equal(hex(k.value), hex(kbkdf(name, ki, fields, len)), `${name} ${JSON.stringify(dataParams.map((f) => f.type))} L=${len}`);
      }
    }
  }
  const base = secretKey(C.CKK_GENERIC_SECRET, ki);
  const d = (dataParams, prfType = C.CKM_SHA256_HMAC) =>
    pkcs11.C_DeriveKey(s, { mechanism: C.CKM_SP800_108_COUNTER_KDF, parameter: { type: C.CK_PARAMS_SP800_108_KDF, prfType, dataParams } }, base, [
      { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
      { type: C.CKA_VALUE_LEN, value: 32 },
    ]);
  expectRv(() => d([{ type: 4, data: label }]), "CKR_MECHANISM_PARAM_INVALID"); // no counter
  expectRv(() => d([{ type: 1, widthInBits: 12 }]), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(() => d([{ type: 1, widthInBits: 8 }, { type: 2, widthInBits: 8 }]), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(() => d([{ type: 1, widthInBits: 8 }, { type: 77 }]), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(() => d([{ type: 1, widthInBits: 8 }], C.CKM_SHA256), "CKR_MECHANISM_PARAM_INVALID");
  assert.throws(() => d("nope"), { name: "TypeError", message: "Property 'dataParams' of CK_SP800_108_KDF_PARAMS mechanism parameter should be Array" });
  assert.throws(() => d([{ type: 4, data: "label" }]), {
    name: "TypeError",
    message: "Property 'data' of CK_PRF_DATA_PARAM mechanism parameter should be Buffer",
  });
  assert.throws(() => d([null]), TypeError);
});

test("NIST CAVP SP 800-108 counter vector (HMAC-SHA256, counter before fixed data, r = 8) through the facade", () => {
  // KDFCTR_gen.txt [PRF=HMAC_SHA256][CTRLOCATION=BEFORE_FIXED][RLEN=8_BITS] COUNT=0.
  const ki = Buffer.from("3edc6b5b8f7aadbd713732b482b8f979286e1ea3b8f8f99c30c884cfe3349b83", "hex");
  const fixed = Buffer.from(
    "98e9988bb4cc8b34d7922e1c68ad692ba2a1d9ae15149571675f17a77ad49e80c8d2a85e831a26445b1f0ff44d7084a17206b4896c8112daad18605a",
    "hex",
  );
  const base = secretKey(C.CKK_GENERIC_SECRET, ki);
  const k = derive(
    {
      mechanism: C.CKM_SP800_108_COUNTER_KDF,
      parameter: { type: C.CK_PARAMS_SP800_108_KDF, prfType: C.CKM_SHA256_HMAC, dataParams: [{ type: C.CK_SP800_108_ITERATION_VARIABLE, widthInBits: 8 }, { type: C.CK_SP800_108_BYTE_ARRAY, data: fixed }] },
    },
    base,
    [
      { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
      { type: C.CKA_VALUE_LEN, value: 16 },
    ],
  );
  assert.equal(hex(k.value), "6c037652990674a07844732d0ad985f9");
});

test("mechanism info of the family", () => {
  const list = pkcs11.C_GetMechanismList(slot);
  for (const [mech, flags] of [
    [C.CKM_HKDF_DERIVE, C.CKF_DERIVE],
    [C.CKM_HKDF_DATA, C.CKF_DERIVE],
    [C.CKM_HKDF_KEY_GEN, C.CKF_GENERATE],
    [C.CKM_PKCS5_PBKD2, C.CKF_GENERATE],
    [C.CKM_CONCATENATE_BASE_AND_KEY, C.CKF_DERIVE],
    [C.CKM_CONCATENATE_BASE_AND_DATA, C.CKF_DERIVE],
    [C.CKM_CONCATENATE_DATA_AND_BASE, C.CKF_DERIVE],
    [C.CKM_XOR_BASE_AND_DATA, C.CKF_DERIVE],
    [C.CKM_SP800_108_COUNTER_KDF, C.CKF_DERIVE],
    [C.CKM_SHA3_256_HMAC, C.CKF_SIGN | C.CKF_VERIFY],
    [C.CKM_SHA512_224_HMAC_GENERAL, C.CKF_SIGN | C.CKF_VERIFY],
  ]) {
    assert.ok(list.includes(mech), `listed: ${mech}`);
    // MACs may also list the 3.x message-based flags.
    const info = pkcs11.C_GetMechanismInfo(slot, mech);
    assert.equal(info.flags & ~(C.CKF_MESSAGE_SIGN | C.CKF_MESSAGE_VERIFY | C.CKF_MULTI_MESSAGE), flags, `flags of ${mech}`);
  }
  assert.equal(typeof C.CK_PARAMS_HKDF, "number");
  assert.equal(C.CK_PARAMS_KEY_DERIVATION_STRING_DATA, 0x1001);
  assert.equal(C.CK_PARAMS_SP800_108_KDF, 0x1006);
});
