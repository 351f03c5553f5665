// The RSA private-key operation (our CRT code, src/mech/rsa/crt.rs, with
// wasm SIMD in the built package) against node:crypto (OpenSSL) on keys of
// many sizes and exponents: deterministic results (PKCS#1 v1.5 signatures,
// raw RSA) must match OpenSSL's byte for byte; OAEP decrypts what OpenSSL
// encrypts; PSS signatures verify in OpenSSL.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { generateKeyPair } from "./fixtures/node-keys.mjs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pkcs11js = require("../../pkg/index.cjs");
const { PKCS11 } = pkcs11js;
const C = pkcs11js;

const SO_PIN = "so-rsa-crt-1";
const USER_PIN = "user-rsa-crt-1";

const pkcs11 = new PKCS11();
pkcs11.C_Initialize({ libraryParameters: JSON.stringify({ kdfIterations: "insecure-test" }) });
const slot = pkcs11.C_GetSlotList(true).find((x) => !(pkcs11.C_GetTokenInfo(x).flags & C.CKF_TOKEN_INITIALIZED));
pkcs11.C_InitToken(slot, SO_PIN, "rsa-crt");
const s = pkcs11.C_OpenSession(slot, C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION);
pkcs11.C_Login(s, C.CKU_SO, SO_PIN);
pkcs11.C_InitPIN(s, USER_PIN);
pkcs11.C_Logout(s);
pkcs11.C_Login(s, C.CKU_USER, USER_PIN);

const fromB64u = (x) => Buffer.from(x, "base64url");

function importPrivate(jwk, withCrt) {
  const crt = withCrt
    ? [
        { type: C.CKA_PRIME_1, value: fromB64u(jwk.p) },
        { type: C.CKA_PRIME_2, value: fromB64u(jwk.q) },
        { type: C.CKA_EXPONENT_1, value: fromB64u(jwk.dp) },
        { type: C.CKA_EXPONENT_2, value: fromB64u(jwk.dq) },
        { type: C.CKA_COEFFICIENT, value: fromB64u(jwk.qi) },
      ]
    : [];
  return pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_RSA },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SIGN, value: true },
    { type: C.CKA_DECRYPT, value: true },
    { type: C.CKA_MODULUS, value: fromB64u(jwk.n) },
    { type: C.CKA_PUBLIC_EXPONENT, value: fromB64u(jwk.e) },
    { type: C.CKA_PRIVATE_EXPONENT, value: fromB64u(jwk.d) },
    ...crt,
  ]);
}

function importPublic(jwk) {
  return pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PUBLIC_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_RSA },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_VERIFY, value: true },
    { type: C.CKA_MODULUS, value: fromB64u(jwk.n) },
    { type: C.CKA_PUBLIC_EXPONENT, value: fromB64u(jwk.e) },
  ]);
}

function encrypt(mechanism, key, data) {
  pkcs11.C_EncryptInit(s, mechanism, key);
  return pkcs11.C_Encrypt(s, data, Buffer.alloc(1024));
}

function sign(mechanism, key, data) {
  pkcs11.C_SignInit(s, mechanism, key);
  return pkcs11.C_Sign(s, data, Buffer.alloc(1024));
}

function decrypt(mechanism, key, data) {
  pkcs11.C_DecryptInit(s, mechanism, key);
  return pkcs11.C_Decrypt(s, data, Buffer.alloc(1024));
}

/** A key pair made by the token (for exponents below 65537, which the
 * token refuses to import), extractable, as a JWK. */
function tokenKeyPair(bits, e) {
  const { privateKey } = pkcs11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [
      { type: C.CKA_TOKEN, value: false },
      { type: C.CKA_MODULUS_BITS, value: bits },
      { type: C.CKA_PUBLIC_EXPONENT, value: Buffer.from(e.toString(16).padStart(6, "0"), "hex") },
    ],
    [
      { type: C.CKA_TOKEN, value: false },
      { type: C.CKA_SENSITIVE, value: false },
      { type: C.CKA_EXTRACTABLE, value: true },
    ],
  );
  const names = { n: C.CKA_MODULUS, e: C.CKA_PUBLIC_EXPONENT, d: C.CKA_PRIVATE_EXPONENT, p: C.CKA_PRIME_1,
    q: C.CKA_PRIME_2, dp: C.CKA_EXPONENT_1, dq: C.CKA_EXPONENT_2, qi: C.CKA_COEFFICIENT };
  const jwk = { kty: "RSA" };
  for (const [name, type] of Object.entries(names)) {
    jwk[name] = Buffer.from(pkcs11.C_GetAttributeValue(s, privateKey, [{ type }])[0].value).toString("base64url");
  }
  pkcs11.C_DestroyObject(s, privateKey);
  const key = crypto.createPrivateKey({ key: jwk, format: "jwk" });
  return { privateKey: key, publicKey: crypto.createPublicKey(key) };
}

// Sizes around limb boundaries (28-bit limbs: primes of 512, 516, 520,
// 1024, 1028, 1536 and 2048 bits) and small and large public exponents.
const CASES = [
  [1024, 65537],
  [1032, 3],
  [1040, 65537],
  [2048, 65537],
  [2048, 3],
  [2056, 17],
  [3072, 65537],
  [4096, 65537],
];

for (const [bits, e] of CASES) {
  test(`RSA-${bits} e=${e}: private-key operations match OpenSSL`, () => {
    const { privateKey, publicKey } =
      e >= 65537 ? generateKeyPair("rsa", { modulusLength: bits, publicExponent: e }) : tokenKeyPair(bits, e);
    const jwk = privateKey.export({ format: "jwk" });
    const k = fromB64u(jwk.n).length;
    // Without the CRT values the token recovers them (only for e > 2^16).
    for (const withCrt of e >= 65537 ? [true, false] : [true]) {
      const key = importPrivate(jwk, withCrt);
      for (let i = 0; i < 4; i++) {
        const msg = crypto.randomBytes(1 + i * 50);
        // PKCS#1 v1.5 signatures are deterministic.
        const ours = sign({ mechanism: C.CKM_SHA256_RSA_PKCS }, key, msg);
        assert.deepEqual(ours, crypto.sign("sha256", msg, privateKey), `${bits} bits, message ${i}`);
        // Raw RSA on a random value below n.
        const x = crypto.randomBytes(k);
        x[0] &= 0x7f >> (8 * k - bits);
        const raw = sign({ mechanism: C.CKM_RSA_X_509 }, key, x);
        const want = crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_NO_PADDING }, x);
        assert.deepEqual(raw, want, `${bits} bits, raw ${i}`);
        // OAEP (SHA-1) from OpenSSL.
        const plain = crypto.randomBytes(16 + i);
        const ct = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING }, plain);
        const oaep = {
          mechanism: C.CKM_RSA_PKCS_OAEP,
          parameter: { type: C.CK_PARAMS_RSA_OAEP, hashAlg: C.CKM_SHA_1, mgf: C.CKG_MGF1_SHA1, source: 1 },
        };
        assert.deepEqual(decrypt(oaep, key, ct), plain);
        // PSS: randomised, so OpenSSL verifies it.
        const pss = {
          mechanism: C.CKM_SHA256_RSA_PKCS_PSS,
          parameter: { type: C.CK_PARAMS_RSA_PSS, hashAlg: C.CKM_SHA256, mgf: C.CKG_MGF1_SHA256, saltLen: 32 },
        };
        const sig = sign(pss, key, msg);
        assert.ok(
          crypto.verify("sha256", msg, { key: publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig),
        );
      }
      // Representatives not below n are refused.
      assert.throws(() => sign({ mechanism: C.CKM_RSA_X_509 }, key, fromB64u(jwk.n)), /CKR_DATA_INVALID/);
      pkcs11.C_DestroyObject(s, key);
    }
    // The public-key operation (also ours up to 3552-bit moduli): raw RSA
    // matches OpenSSL; OpenSSL's signatures verify.
    const pub = importPublic(jwk);
    for (let i = 0; i < 4; i++) {
      const x = crypto.randomBytes(k);
      x[0] &= 0x7f >> (8 * k - bits);
      const want = crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_NO_PADDING }, x);
      assert.deepEqual(encrypt({ mechanism: C.CKM_RSA_X_509 }, pub, x), want, `${bits} bits, public ${i}`);
      const msg = crypto.randomBytes(10 + i);
      pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, pub);
      assert.equal(pkcs11.C_Verify(s, msg, crypto.sign("sha256", msg, privateKey)), true);
    }
    pkcs11.C_DestroyObject(s, pub);
  });
}
