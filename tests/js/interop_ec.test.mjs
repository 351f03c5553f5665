// Interoperability with node:crypto (OpenSSL) for the curves beyond P-256:
// ECDSA on P-384, P-521 and secp256k1 (raw r||s = ieee-p1363), ECDH with
// createECDH (CKD_NULL and the X9.63 KDF), Ed25519 (crypto.sign(null, ...)),
// X25519 (crypto.diffieHellman), and PKCS#8 / SPKI key exchange.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { generateKeyPair } from "./fixtures/node-keys.mjs";
import { C, SESSION_KEY, b64u, expectRv, fromB64u, hex, openUserSession, printable } from "./fixtures/token-session.mjs";

const token = openUserSession("interop-ec");
const { pkcs11, slot, s } = token;
const attr = (obj, type) => token.attr(obj, type);
const sign = (mech, key, data) => token.sign(mech, key, data);
const verify = (mech, key, data, sig) => token.verify(mech, key, data, sig);
const generatePair = (mechanism, params) => token.generatePair(mechanism, params);
const createKey = (cls, keyType, attrs) => token.createKey(cls, keyType, attrs);
const wrapToNode = (privateKey) => token.wrapToNode(privateKey);
const unwrapFromNode = (key, keyType, usage) => token.unwrapFromNode(key, keyType, usage);

// ---------------------------------------------------------------- ECDSA

const CURVES = [
  { name: "P-384", node: "secp384r1", oid: "06052b81040022", len: 48, hashes: ["sha384", "sha512", "sha256"] },
  { name: "P-521", node: "secp521r1", oid: "06052b81040023", len: 66, hashes: ["sha512", "sha384", "sha1"] },
  { name: "secp256k1", node: "secp256k1", oid: "06052b8104000a", len: 32, hashes: ["sha256", "sha512", "sha224"] },
];
const ECDSA_MECH = {
  sha1: C.CKM_ECDSA_SHA1,
  sha224: C.CKM_ECDSA_SHA224,
  sha256: C.CKM_ECDSA_SHA256,
  sha384: C.CKM_ECDSA_SHA384,
  sha512: C.CKM_ECDSA_SHA512,
};

/** CKA_EC_POINT is the DER OCTET STRING of the uncompressed point. */
function ecPoint(pub, len) {
  const der = attr(pub, C.CKA_EC_POINT);
  const pointLen = 1 + 2 * len;
  const header = pointLen < 128 ? 2 : 3;
  assert.equal(der.length, header + pointLen);
  assert.equal(der[0], 0x04);
  return der.subarray(header);
}
function nodePublic(curve, point) {
  return crypto.createPublicKey({
    key: { kty: "EC", crv: curve.name, x: b64u(point.subarray(1, 1 + curve.len)), y: b64u(point.subarray(1 + curve.len)) },
    format: "jwk",
  });
}

for (const curve of CURVES) {
  const params = Buffer.from(curve.oid, "hex");

  test(`ECDSA ${curve.name}: our r||s signatures verify in OpenSSL (ieee-p1363), and OpenSSL's here`, () => {
    const pair = generatePair(C.CKM_EC_KEY_PAIR_GEN, params);
    const point = ecPoint(pair.publicKey, curve.len);
    const pub = nodePublic(curve, point);
    // CKA_PUBLIC_KEY_INFO is the SPKI OpenSSL writes.
    assert.equal(hex(attr(pair.publicKey, C.CKA_PUBLIC_KEY_INFO)), hex(pub.export({ format: "der", type: "spki" })));
    for (const hash of curve.hashes) {
      const data = crypto.randomBytes(77);
      const sig = sign({ mechanism: ECDSA_MECH[hash] }, pair.privateKey, data);
      assert.equal(sig.length, 2 * curve.len, "r||s");
      assert.equal(crypto.verify(hash, data, { key: pub, dsaEncoding: "ieee-p1363" }, sig), true, `${hash}: OpenSSL verifies ours`);
      // CKM_ECDSA over the caller's hash.
      const digest = crypto.createHash(hash).update(data).digest();
      const raw = sign({ mechanism: C.CKM_ECDSA }, pair.privateKey, digest);
      assert.equal(crypto.verify(hash, data, { key: pub, dsaEncoding: "ieee-p1363" }, raw), true);
    }

    // An OpenSSL key pair imported (private as CKA_VALUE, public point raw).
    const nodeKeys = generateKeyPair("ec", { namedCurve: curve.node });
    const jwk = nodeKeys.privateKey.export({ format: "jwk" });
    const nodePoint = Buffer.concat([Buffer.from([4]), fromB64u(jwk.x), fromB64u(jwk.y)]);
    const impPriv = createKey(C.CKO_PRIVATE_KEY, C.CKK_EC, [
      { type: C.CKA_SIGN, value: true },
      { type: C.CKA_EC_PARAMS, value: params },
      { type: C.CKA_VALUE, value: fromB64u(jwk.d) },
    ]);
    const impPub = createKey(C.CKO_PUBLIC_KEY, C.CKK_EC, [
      { type: C.CKA_VERIFY, value: true },
      { type: C.CKA_EC_PARAMS, value: params },
      { type: C.CKA_EC_POINT, value: nodePoint },
    ]);
    assert.equal(hex(ecPoint(impPub, curve.len)), hex(nodePoint), "stored DER-wrapped");
    for (const hash of curve.hashes) {
      const msg = crypto.randomBytes(50);
      const theirs = crypto.sign(hash, msg, { key: nodeKeys.privateKey, dsaEncoding: "ieee-p1363" });
      assert.equal(verify({ mechanism: ECDSA_MECH[hash] }, impPub, msg, theirs), true, `${hash}: we verify OpenSSL's`);
      const ours = sign({ mechanism: ECDSA_MECH[hash] }, impPriv, msg);
      assert.equal(crypto.verify(hash, msg, { key: nodeKeys.publicKey, dsaEncoding: "ieee-p1363" }, ours), true);
      const bad = Buffer.from(theirs);
      bad[3] ^= 1;
      pkcs11.C_VerifyInit(s, { mechanism: ECDSA_MECH[hash] }, impPub);
      expectRv(() => pkcs11.C_Verify(s, msg, bad), "CKR_SIGNATURE_INVALID");
    }
    pkcs11.C_VerifyInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, impPub);
    expectRv(() => pkcs11.C_Verify(s, Buffer.from("x"), Buffer.alloc(2 * curve.len - 1)), "CKR_SIGNATURE_LEN_RANGE");

    // PKCS#8 both ways.
    const exported = wrapToNode(pair.privateKey);
    assert.equal(exported.asymmetricKeyDetails.namedCurve, curve.node);
    const msg = Buffer.from("pkcs8");
    const theirSig = crypto.sign(curve.hashes[0], msg, { key: exported, dsaEncoding: "ieee-p1363" });
    assert.equal(verify({ mechanism: ECDSA_MECH[curve.hashes[0]] }, pair.publicKey, msg, theirSig), true);
    const imported = unwrapFromNode(nodeKeys.privateKey, C.CKK_EC, C.CKA_SIGN);
    assert.equal(hex(attr(imported, C.CKA_EC_PARAMS)), curve.oid);
    const sig = sign({ mechanism: ECDSA_MECH[curve.hashes[0]] }, imported, msg);
    assert.equal(crypto.verify(curve.hashes[0], msg, { key: nodeKeys.publicKey, dsaEncoding: "ieee-p1363" }, sig), true);
  });

  test(`ECDH ${curve.name}: CKD_NULL equals createECDH's secret; CKD_SHA256_KDF is X9.63 over it`, () => {
    const pair = generatePair(C.CKM_EC_KEY_PAIR_GEN, params);
    const point = ecPoint(pair.publicKey, curve.len);
    const template = (len) => [
      { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
      { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
      SESSION_KEY,
      { type: C.CKA_EXTRACTABLE, value: true },
      ...(len ? [{ type: C.CKA_VALUE_LEN, value: len }] : []),
    ];
    for (const compressed of [false, true]) {
      const ecdh = crypto.createECDH(curve.node);
      ecdh.generateKeys();
      const expected = ecdh.computeSecret(point);
      assert.equal(expected.length, curve.len);
      const peer = ecdh.getPublicKey(undefined, compressed ? "compressed" : "uncompressed");
      for (const kind of [C.CKM_ECDH1_DERIVE, C.CKM_ECDH1_COFACTOR_DERIVE]) {
        const mech = { mechanism: kind, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData: peer } };
        const k = pkcs11.C_DeriveKey(s, mech, pair.privateKey, template());
        assert.equal(hex(attr(k, C.CKA_VALUE)), hex(expected), "raw shared secret");
      }
      // X9.63 KDF with SHA-256 and shared info, 40 bytes: two blocks.
      const info = Buffer.from("shared info");
      const mech = {
        mechanism: C.CKM_ECDH1_DERIVE,
        parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_SHA256_KDF, publicData: peer, sharedData: info },
      };
      const k = pkcs11.C_DeriveKey(s, mech, pair.privateKey, template(40));
      const block = (i) => crypto.createHash("sha256").update(Buffer.concat([expected, Buffer.from([0, 0, 0, i]), info])).digest();
      assert.equal(hex(attr(k, C.CKA_VALUE)), hex(Buffer.concat([block(1), block(2)]).subarray(0, 40)));
      expectRv(() => pkcs11.C_DeriveKey(s, mech, pair.privateKey, template()), "CKR_TEMPLATE_INCOMPLETE");
    }
    // A point of another curve is refused.
    const other = crypto.createECDH(curve.node === "secp384r1" ? "prime256v1" : "secp384r1");
    other.generateKeys();
    const bad = { mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData: other.getPublicKey() } };
    expectRv(() => pkcs11.C_DeriveKey(s, bad, pair.privateKey, template()), "CKR_MECHANISM_PARAM_INVALID");
  });
}

test("C_GetMechanismInfo: EC sizes 160..521 bits (brainpoolP160 to P-521), 255 for Edwards/Montgomery", () => {
  const info = (m) => pkcs11.C_GetMechanismInfo(slot, m);
  for (const m of [C.CKM_EC_KEY_PAIR_GEN, C.CKM_ECDSA, C.CKM_ECDSA_SHA512, C.CKM_ECDH1_DERIVE, C.CKM_ECDH1_COFACTOR_DERIVE]) {
    assert.deepEqual([info(m).minKeySize, info(m).maxKeySize], [160, 521]);
  }
  for (const m of [C.CKM_EC_EDWARDS_KEY_PAIR_GEN, C.CKM_EDDSA, C.CKM_EC_MONTGOMERY_KEY_PAIR_GEN]) {
    assert.deepEqual([info(m).minKeySize, info(m).maxKeySize], [255, 255]);
  }
  assert.ok(info(C.CKM_EDDSA).flags & C.CKF_SIGN);
  assert.ok(info(C.CKM_ECDH1_DERIVE).flags & C.CKF_DERIVE);
});

// -------------------------------------------------------------- Ed25519

const ED25519_OID = Buffer.from("06032b6570", "hex");
const ED25519_NAME = printable("edwards25519");

test("Ed25519: our signatures verify with crypto.verify(null, ...), OpenSSL's verify here", () => {
  for (const params of [ED25519_OID, ED25519_NAME]) {
    const pair = generatePair(C.CKM_EC_EDWARDS_KEY_PAIR_GEN, params);
    assert.equal(hex(attr(pair.publicKey, C.CKA_EC_PARAMS)), hex(params), "kept as given");
    const point = attr(pair.publicKey, C.CKA_EC_POINT);
    assert.equal(point.length, 32, "CKA_EC_POINT: the raw RFC 8032 key (PKCS#11 3.1)");
    const pub = crypto.createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: b64u(point) }, format: "jwk" });
    assert.equal(hex(attr(pair.publicKey, C.CKA_PUBLIC_KEY_INFO)), hex(pub.export({ format: "der", type: "spki" })));
    for (const len of [0, 1, 100, 5000]) {
      const data = crypto.randomBytes(len);
      const sig = sign({ mechanism: C.CKM_EDDSA }, pair.privateKey, data);
      assert.equal(sig.length, 64);
      assert.equal(crypto.verify(null, data, pub, sig), true);
      // Multi-part signs the same message (Ed25519 is deterministic).
      pkcs11.C_SignInit(s, { mechanism: C.CKM_EDDSA }, pair.privateKey);
      pkcs11.C_SignUpdate(s, data.subarray(0, len >> 1));
      pkcs11.C_SignUpdate(s, data.subarray(len >> 1));
      assert.equal(hex(pkcs11.C_SignFinal(s, Buffer.alloc(64))), hex(sig));
    }
  }

  // An OpenSSL key: the public key imported raw and DER-wrapped, the
  // private one as its seed (CKA_VALUE) and as PKCS#8.
  const nodeKeys = generateKeyPair("ed25519");
  const jwk = nodeKeys.privateKey.export({ format: "jwk" });
  const raw = fromB64u(jwk.x);
  const pubRaw = createKey(C.CKO_PUBLIC_KEY, C.CKK_EC_EDWARDS, [
    { type: C.CKA_VERIFY, value: true },
    { type: C.CKA_EC_PARAMS, value: ED25519_OID },
    { type: C.CKA_EC_POINT, value: raw },
  ]);
  const pubDer = createKey(C.CKO_PUBLIC_KEY, C.CKK_EC_EDWARDS, [
    { type: C.CKA_VERIFY, value: true },
    { type: C.CKA_EC_PARAMS, value: ED25519_NAME },
    { type: C.CKA_EC_POINT, value: Buffer.concat([Buffer.from([0x04, 0x20]), raw]) },
  ]);
  assert.equal(hex(attr(pubDer, C.CKA_EC_POINT)), hex(raw), "stored raw");
  const priv = createKey(C.CKO_PRIVATE_KEY, C.CKK_EC_EDWARDS, [
    { type: C.CKA_SIGN, value: true },
    { type: C.CKA_EXTRACTABLE, value: true },
    { type: C.CKA_EC_PARAMS, value: ED25519_OID },
    { type: C.CKA_VALUE, value: fromB64u(jwk.d) },
  ]);
  const unwrapped = unwrapFromNode(nodeKeys.privateKey, C.CKK_EC_EDWARDS, C.CKA_SIGN);
  for (let i = 0; i < 4; i++) {
    const msg = crypto.randomBytes(i * 33);
    const theirs = crypto.sign(null, msg, nodeKeys.privateKey);
    assert.equal(verify({ mechanism: C.CKM_EDDSA }, pubRaw, msg, theirs), true);
    assert.equal(verify({ mechanism: C.CKM_EDDSA }, pubDer, msg, theirs), true);
    assert.equal(hex(sign({ mechanism: C.CKM_EDDSA }, priv, msg)), hex(theirs), "same key, same deterministic signature");
    assert.equal(hex(sign({ mechanism: C.CKM_EDDSA }, unwrapped, msg)), hex(theirs));
    const bad = Buffer.from(theirs);
    bad[40] ^= 4;
    pkcs11.C_VerifyInit(s, { mechanism: C.CKM_EDDSA }, pubRaw);
    expectRv(() => pkcs11.C_Verify(s, msg, bad), "CKR_SIGNATURE_INVALID");
  }
  // Our private key exported as PKCS#8 signs like ours in OpenSSL.
  const exported = wrapToNode(priv);
  assert.equal(exported.asymmetricKeyType, "ed25519");
  assert.equal(hex(crypto.sign(null, Buffer.from("m"), exported)), hex(sign({ mechanism: C.CKM_EDDSA }, priv, Buffer.from("m"))));

  // Ed25519ph / Ed25519ctx (CK_EDDSA_PARAMS): not in OpenSSL 3.0's API;
  // they round-trip here and differ from pure Ed25519.
  const msg = Buffer.from("context matters");
  const pure = sign({ mechanism: C.CKM_EDDSA }, priv, msg);
  for (const parameter of [
    { type: C.CK_PARAMS_EDDSA, phFlag: true },
    { type: C.CK_PARAMS_EDDSA, phFlag: true, context: Buffer.from("ctx") },
    { type: C.CK_PARAMS_EDDSA, phFlag: false, context: Buffer.from("ctx") },
  ]) {
    const sig = sign({ mechanism: C.CKM_EDDSA, parameter }, priv, msg);
    assert.notEqual(hex(sig), hex(pure));
    assert.equal(verify({ mechanism: C.CKM_EDDSA, parameter }, pubRaw, msg, sig), true);
    pkcs11.C_VerifyInit(s, { mechanism: C.CKM_EDDSA }, pubRaw);
    expectRv(() => pkcs11.C_Verify(s, msg, sig), "CKR_SIGNATURE_INVALID");
  }
  // phFlag false without a context is plain Ed25519.
  assert.equal(hex(sign({ mechanism: C.CKM_EDDSA, parameter: { type: C.CK_PARAMS_EDDSA, phFlag: false } }, priv, msg)), hex(pure));
  expectRv(
    () => pkcs11.C_SignInit(s, { mechanism: C.CKM_EDDSA, parameter: { type: C.CK_PARAMS_EDDSA, context: Buffer.alloc(256) } }, priv),
    "CKR_MECHANISM_PARAM_INVALID",
  );
});

// --------------------------------------------------------------- X25519

const X25519_OID = Buffer.from("06032b656e", "hex");

test("X25519: CKM_ECDH1_DERIVE equals crypto.diffieHellman; keys move as raw bytes and PKCS#8", () => {
  const pair = generatePair(C.CKM_EC_MONTGOMERY_KEY_PAIR_GEN, X25519_OID);
  const point = attr(pair.publicKey, C.CKA_EC_POINT);
  assert.equal(point.length, 32, "CKA_EC_POINT: the raw RFC 7748 u-coordinate (PKCS#11 3.1)");
  const ourPub = crypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: b64u(point) }, format: "jwk" });
  assert.equal(hex(attr(pair.publicKey, C.CKA_PUBLIC_KEY_INFO)), hex(ourPub.export({ format: "der", type: "spki" })));
  const template = (len) => [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
    SESSION_KEY,
    { type: C.CKA_EXTRACTABLE, value: true },
    ...(len ? [{ type: C.CKA_VALUE_LEN, value: len }] : []),
  ];
  for (let i = 0; i < 3; i++) {
    const nodeKeys = generateKeyPair("x25519");
    const nodeRaw = fromB64u(nodeKeys.publicKey.export({ format: "jwk" }).x);
    const expected = crypto.diffieHellman({ privateKey: nodeKeys.privateKey, publicKey: ourPub });
    for (const publicData of [nodeRaw, Buffer.concat([Buffer.from([0x04, 0x20]), nodeRaw])]) {
      const mech = { mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData } };
      const k = pkcs11.C_DeriveKey(s, mech, pair.privateKey, template());
      assert.equal(hex(attr(k, C.CKA_VALUE)), hex(expected));
    }
    const kdf = {
      mechanism: C.CKM_ECDH1_DERIVE,
      parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_SHA512_KDF, publicData: nodeRaw, sharedData: Buffer.from("x") },
    };
    const k = pkcs11.C_DeriveKey(s, kdf, pair.privateKey, template(32));
    const want = crypto.createHash("sha512").update(Buffer.concat([expected, Buffer.from([0, 0, 0, 1]), Buffer.from("x")])).digest();
    assert.equal(hex(attr(k, C.CKA_VALUE)), hex(want.subarray(0, 32)));
  }
  // OpenSSL's private key imported as CKA_VALUE and as PKCS#8.
  const nodeKeys = generateKeyPair("x25519");
  const jwk = nodeKeys.privateKey.export({ format: "jwk" });
  const imported = createKey(C.CKO_PRIVATE_KEY, C.CKK_EC_MONTGOMERY, [
    { type: C.CKA_DERIVE, value: true },
    { type: C.CKA_EC_PARAMS, value: printable("curve25519") },
    { type: C.CKA_VALUE, value: fromB64u(jwk.d) },
  ]);
  const unwrapped = unwrapFromNode(nodeKeys.privateKey, C.CKK_EC_MONTGOMERY, C.CKA_DERIVE);
  const expected = crypto.diffieHellman({ privateKey: nodeKeys.privateKey, publicKey: ourPub });
  for (const key of [imported, unwrapped]) {
    const mech = { mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData: point } };
    assert.equal(hex(attr(pkcs11.C_DeriveKey(s, mech, key, template()), C.CKA_VALUE)), hex(expected));
  }
  // Our private key as PKCS#8 agrees in OpenSSL.
  const exported = wrapToNode(pair.privateKey);
  assert.equal(exported.asymmetricKeyType, "x25519");
  assert.equal(hex(crypto.diffieHellman({ privateKey: exported, publicKey: nodeKeys.publicKey })), hex(expected));
  // A small-order peer point (all-zero result) is refused.
  const zero = { mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData: Buffer.alloc(32) } };
  expectRv(() => pkcs11.C_DeriveKey(s, zero, pair.privateKey, template()), "CKR_MECHANISM_PARAM_INVALID");
});

test("X25519: 100 random scalars against OpenSSL, on curve points and on any 32 bytes (twist points, top bit set)", () => {
  const template = [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
    SESSION_KEY,
    { type: C.CKA_EXTRACTABLE, value: true },
  ];
  for (let i = 0; i < 100; i++) {
    const mine = generateKeyPair("x25519");
    const key = createKey(C.CKO_PRIVATE_KEY, C.CKK_EC_MONTGOMERY, [
      { type: C.CKA_DERIVE, value: true },
      { type: C.CKA_EC_PARAMS, value: X25519_OID },
      { type: C.CKA_VALUE, value: fromB64u(mine.privateKey.export({ format: "jwk" }).d) },
    ]);
    // Even i: a peer's public key; odd i: 32 random bytes, which OpenSSL
    // takes as a u-coordinate too (RFC 7748: any 32 bytes, top bit ignored).
    const peer = i % 2 ? crypto.randomBytes(32) : fromB64u(generateKeyPair("x25519").publicKey.export({ format: "jwk" }).x);
    const peerKey = crypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: b64u(peer) }, format: "jwk" });
    const expected = crypto.diffieHellman({ privateKey: mine.privateKey, publicKey: peerKey });
    const mech = { mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData: peer } };
    const k = pkcs11.C_DeriveKey(s, mech, key, template);
    assert.equal(hex(attr(k, C.CKA_VALUE)), hex(expected), `case ${i}`);
    pkcs11.C_DestroyObject(s, k);
    pkcs11.C_DestroyObject(s, key);
  }
});
