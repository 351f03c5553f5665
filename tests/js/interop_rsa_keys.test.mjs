// RSA keys against node:crypto (OpenSSL): key pairs generated here with
// small public exponents (3, 17) and 65537, at 2048 and odd sizes, are
// valid RSA keys for OpenSSL (PKCS#8 import checks them) and work both
// ways; public keys OpenSSL would never make (short, even, placeholder
// moduli) are stored as given and refused when used.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { C, expectRv, hex, openUserSession } from "./fixtures/token-session.mjs";

const token = openUserSession("interop-rsa-keys");
const { pkcs11, s } = token;
const SESSION = { type: C.CKA_TOKEN, value: false };

function generate(bits, exponent) {
  return pkcs11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [SESSION, { type: C.CKA_MODULUS_BITS, value: bits }, { type: C.CKA_PUBLIC_EXPONENT, value: exponent }, { type: C.CKA_VERIFY, value: true }, { type: C.CKA_ENCRYPT, value: true }],
    [SESSION, { type: C.CKA_SIGN, value: true }, { type: C.CKA_DECRYPT, value: true }, { type: C.CKA_EXTRACTABLE, value: true }, { type: C.CKA_SENSITIVE, value: true }],
  );
}

for (const [bits, e] of [
  [2048, [3]],
  [2048, [17]],
  [2048, [1, 0, 1]],
  [1025, [3]],
  [3072, [3]],
]) {
  test(`RSA-${bits} e = ${Buffer.from(e).readUIntBE(0, e.length)}: a valid key for OpenSSL, signing and decrypting both ways`, () => {
    const pair = generate(bits, Buffer.from(e));
    const n = token.attr(pair.publicKey, C.CKA_MODULUS);
    assert.equal(n.length, Math.ceil(bits / 8));
    assert.equal(Number(token.attr(pair.publicKey, C.CKA_MODULUS_BITS).readBigUInt64LE(0)), bits);
    assert.equal(hex(token.attr(pair.publicKey, C.CKA_PUBLIC_EXPONENT)), hex(e));
    // PKCS#8 out: OpenSSL checks the key (n = p q, d e = 1 mod lambda, CRT values).
    const priv = token.wrapToNode(pair.privateKey);
    assert.equal(priv.asymmetricKeyDetails.modulusLength, bits);
    assert.equal(priv.asymmetricKeyDetails.publicExponent, BigInt(Buffer.from(e).readUIntBE(0, e.length)));
    const jwk = priv.export({ format: "jwk" });
    // Each prime has its half of the bits (FIPS 186-5 A.1.3).
    const bitLength = (b64) => BigInt("0x" + Buffer.from(b64, "base64url").toString("hex")).toString(2).length;
    assert.deepEqual([bitLength(jwk.p), bitLength(jwk.q)].sort(), [Math.floor(bits / 2), Math.ceil(bits / 2)].sort());
    const pub = crypto.createPublicKey({ key: token.attr(pair.publicKey, C.CKA_PUBLIC_KEY_INFO), format: "der", type: "spki" });
    const msg = crypto.randomBytes(100);
    const ours = token.sign({ mechanism: C.CKM_SHA256_RSA_PKCS }, pair.privateKey, msg);
    assert.equal(crypto.verify("sha256", msg, pub, ours), true, "OpenSSL verifies ours");
    const theirs = crypto.sign("sha256", msg, priv);
    assert.equal(hex(theirs), hex(ours), "PKCS#1 v1.5 is deterministic: the same key signs the same");
    const sealed = crypto.publicEncrypt({ key: pub, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, msg.subarray(0, 32));
    const oaep = {
      mechanism: C.CKM_RSA_PKCS_OAEP,
      parameter: { type: C.CK_PARAMS_RSA_OAEP, hashAlg: C.CKM_SHA256, mgf: C.CKG_MGF1_SHA256, source: 1 },
    };
    pkcs11.C_DecryptInit(s, oaep, pair.privateKey);
    assert.equal(hex(pkcs11.C_Decrypt(s, sealed, Buffer.alloc(512))), hex(msg.subarray(0, 32)));
    pkcs11.C_EncryptInit(s, { mechanism: C.CKM_RSA_PKCS }, pair.publicKey);
    const ct = pkcs11.C_Encrypt(s, msg.subarray(0, 40), Buffer.alloc(512));
    // Node no longer decrypts PKCS#1 v1.5 (CVE-2023-46809): open it raw
    // and check EME-PKCS1-v1_5 (RFC 8017 7.2.1) by hand.
    const em = crypto.privateDecrypt({ key: priv, padding: crypto.constants.RSA_NO_PADDING }, ct);
    const sep = em.indexOf(0, 2);
    assert.deepEqual([em[0], em[1]], [0, 2]);
    assert.ok(sep >= 10, "at least 8 non-zero padding octets");
    assert.equal(hex(em.subarray(sep + 1)), hex(msg.subarray(0, 40)));
  });
}

test("public keys OpenSSL would not make are stored as given, and refused when used", () => {
  const n = generate(2048, Buffer.from([1, 0, 1]));
  const modulus = token.attr(n.publicKey, C.CKA_MODULUS);
  const small = Buffer.alloc(128);
  small[127] = 0x65;
  const even = Buffer.from(modulus);
  even[even.length - 1] &= 0xfe;
  const cases = [
    // [modulus, CKA_MODULUS stored, CKA_MODULUS_BITS, error at use]
    [small, "65", 7, "CKR_KEY_SIZE_RANGE"],
    [modulus.subarray(0, 64), hex(modulus.subarray(0, 64)), 512, "CKR_KEY_SIZE_RANGE"],
    [even, hex(even), 2048, "CKR_KEY_TYPE_INCONSISTENT"],
  ];
  for (const [value, stored, bits, atUse] of cases) {
    const key = token.createKey(C.CKO_PUBLIC_KEY, C.CKK_RSA, [
      { type: C.CKA_VERIFY, value: true },
      { type: C.CKA_ENCRYPT, value: true },
      { type: C.CKA_MODULUS, value },
      { type: C.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
    ]);
    assert.equal(hex(token.attr(key, C.CKA_MODULUS)), stored);
    assert.equal(Number(token.attr(key, C.CKA_MODULUS_BITS).readBigUInt64LE(0)), bits);
    // Its SubjectPublicKeyInfo is well-formed DER even so.
    assert.equal(token.attr(key, C.CKA_PUBLIC_KEY_INFO)[0], 0x30);
    expectRv(() => pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, key), atUse);
    expectRv(() => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_RSA_PKCS_OAEP, parameter: { type: C.CK_PARAMS_RSA_OAEP, hashAlg: C.CKM_SHA_1, mgf: C.CKG_MGF1_SHA1, source: 1 } }, key), atUse);
  }
});
