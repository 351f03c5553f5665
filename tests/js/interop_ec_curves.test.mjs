// Interoperability with node:crypto (OpenSSL) for the curves on the
// generic short Weierstrass code: P-192, P-224 and the fourteen brainpool
// curves (r1 and t1, 160 to 512 bits). For each: key pairs made here
// (curve named by OID and by PrintableString name) sign for OpenSSL and
// give OpenSSL's SubjectPublicKeyInfo; OpenSSL's key pairs, imported as
// CKA_VALUE / CKA_EC_POINT (raw and compressed) and as PKCS#8, sign and
// verify both ways; our private keys leave as PKCS#8 that OpenSSL uses;
// ECDH agrees with createECDH both ways.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { generateKeyPair } from "./fixtures/node-keys.mjs";
import { C, expectRv, hex, openUserSession, printable } from "./fixtures/token-session.mjs";

const token = openUserSession("interop-ec-curves");
const { pkcs11, s } = token;

/** OpenSSL's name, the PKCS#11 names we accept, the OID (DER), bytes per coordinate. */
const brainpool = (bits, twisted, arc) => ({
  node: `brainpoolP${bits}${twisted ? "t1" : "r1"}`,
  names: [`brainpoolP${bits}${twisted ? "t1" : "r1"}`],
  oid: `06092b24030302080101${arc.toString(16).padStart(2, "0")}`,
  len: bits / 8,
});
const CURVES = [
  { node: "prime192v1", names: ["prime192v1", "secp192r1", "P-192"], oid: "06082a8648ce3d030101", len: 24 },
  { node: "secp224r1", names: ["secp224r1", "P-224"], oid: "06052b81040021", len: 28 },
  ...[160, 192, 224, 256, 320, 384, 512].flatMap((bits, i) => [brainpool(bits, false, 2 * i + 1), brainpool(bits, true, 2 * i + 2)]),
];
const ECDSA_MECH = { sha1: C.CKM_ECDSA_SHA1, sha224: C.CKM_ECDSA_SHA224, sha256: C.CKM_ECDSA_SHA256, sha384: C.CKM_ECDSA_SHA384, sha512: C.CKM_ECDSA_SHA512 };
const p1363 = (key) => ({ key, dsaEncoding: "ieee-p1363" });

/** The uncompressed point inside CKA_EC_POINT (a DER OCTET STRING). */
function ecPoint(pub, len) {
  const der = token.attr(pub, C.CKA_EC_POINT);
  const header = 1 + 2 * len < 128 ? 2 : 3;
  assert.equal(der[0], 0x04);
  assert.equal(der.length, header + 1 + 2 * len);
  return der.subarray(header);
}

/** The private scalar of an OpenSSL key (the OCTET STRING of its SEC1 ECPrivateKey). */
function scalarOf(privateKey) {
  const sec1 = privateKey.export({ format: "der", type: "sec1" });
  // SEQUENCE { INTEGER 1, OCTET STRING d, ... }: skip the SEQUENCE header and the version.
  const at = (sec1[1] & 0x80 ? 2 + (sec1[1] & 0x7f) : 2) + 3;
  assert.equal(sec1[at], 0x04);
  return sec1.subarray(at + 2, at + 2 + sec1[at + 1]);
}

/** The point of an OpenSSL public key: the end of its SPKI. */
const pointOf = (publicKey, len) => publicKey.export({ format: "der", type: "spki" }).subarray(-(1 + 2 * len));

for (const curve of CURVES) {
  const byOid = Buffer.from(curve.oid, "hex");
  const hashes = curve.len <= 32 ? ["sha256", "sha1"] : ["sha384", "sha512"];

  test(`${curve.node}: our keys (by OID and by name) sign for OpenSSL; OpenSSL's keys sign and verify here`, () => {
    for (const params of [byOid, ...curve.names.map(printable)]) {
      const pair = token.generatePair(C.CKM_EC_KEY_PAIR_GEN, params);
      assert.equal(hex(token.attr(pair.publicKey, C.CKA_EC_PARAMS)), hex(params), "kept as given");
      const spki = token.attr(pair.publicKey, C.CKA_PUBLIC_KEY_INFO);
      const pub = crypto.createPublicKey({ key: spki, format: "der", type: "spki" });
      assert.equal(pub.asymmetricKeyDetails.namedCurve, curve.node);
      assert.equal(hex(pub.export({ format: "der", type: "spki" })), hex(spki), "the SPKI OpenSSL writes");
      assert.equal(hex(pointOf(pub, curve.len)), hex(ecPoint(pair.publicKey, curve.len)));
      for (const hash of hashes) {
        const data = crypto.randomBytes(61);
        const sig = token.sign({ mechanism: ECDSA_MECH[hash] }, pair.privateKey, data);
        assert.equal(sig.length, 2 * curve.len);
        assert.equal(crypto.verify(hash, data, p1363(pub), sig), true, `${hash}: OpenSSL verifies ours`);
        const digest = crypto.createHash(hash).update(data).digest();
        const raw = token.sign({ mechanism: C.CKM_ECDSA }, pair.privateKey, digest);
        assert.equal(crypto.verify(hash, data, p1363(pub), raw), true, "CKM_ECDSA over the caller's hash");
      }
      // Our private key leaves as PKCS#8 and signs in OpenSSL.
      const exported = token.wrapToNode(pair.privateKey);
      assert.equal(exported.asymmetricKeyDetails.namedCurve, curve.node);
      const msg = Buffer.from(`pkcs8 ${curve.node}`);
      const theirs = crypto.sign(hashes[0], msg, p1363(exported));
      assert.equal(token.verify({ mechanism: ECDSA_MECH[hashes[0]] }, pair.publicKey, msg, theirs), true);
    }

    // An OpenSSL key pair: CKA_VALUE and the point (uncompressed and compressed), and PKCS#8.
    const nodeKeys = generateKeyPair("ec", { namedCurve: curve.node });
    const point = pointOf(nodeKeys.publicKey, curve.len);
    const compressed = crypto.ECDH.convertKey(point, curve.node, undefined, undefined, "compressed");
    const priv = token.createKey(C.CKO_PRIVATE_KEY, C.CKK_EC, [
      { type: C.CKA_SIGN, value: true },
      { type: C.CKA_EC_PARAMS, value: byOid },
      { type: C.CKA_VALUE, value: scalarOf(nodeKeys.privateKey) },
    ]);
    assert.equal(hex(token.attr(priv, C.CKA_PUBLIC_KEY_INFO)), hex(nodeKeys.publicKey.export({ format: "der", type: "spki" })));
    const unwrapped = token.unwrapFromNode(nodeKeys.privateKey, C.CKK_EC, C.CKA_SIGN);
    assert.equal(hex(token.attr(unwrapped, C.CKA_EC_PARAMS)), curve.oid);
    for (const given of [point, compressed]) {
      const pub = token.createKey(C.CKO_PUBLIC_KEY, C.CKK_EC, [
        { type: C.CKA_VERIFY, value: true },
        { type: C.CKA_EC_PARAMS, value: printable(curve.names[0]) },
        { type: C.CKA_EC_POINT, value: given },
      ]);
      assert.equal(hex(ecPoint(pub, curve.len)), hex(point), "stored uncompressed, DER-wrapped");
      for (const hash of hashes) {
        const msg = crypto.randomBytes(40);
        const theirs = crypto.sign(hash, msg, p1363(nodeKeys.privateKey));
        assert.equal(token.verify({ mechanism: ECDSA_MECH[hash] }, pub, msg, theirs), true, `${hash}: we verify OpenSSL's`);
        for (const key of [priv, unwrapped]) {
          const ours = token.sign({ mechanism: ECDSA_MECH[hash] }, key, msg);
          assert.equal(crypto.verify(hash, msg, p1363(nodeKeys.publicKey), ours), true);
        }
        const bad = Buffer.from(theirs);
        bad[bad.length - 1] ^= 1;
        pkcs11.C_VerifyInit(s, { mechanism: ECDSA_MECH[hash] }, pub);
        expectRv(() => pkcs11.C_Verify(s, msg, bad), "CKR_SIGNATURE_INVALID");
      }
    }
    const off = Buffer.from(point);
    off[off.length - 1] ^= 1;
    expectRv(
      () => token.createKey(C.CKO_PUBLIC_KEY, C.CKK_EC, [{ type: C.CKA_EC_PARAMS, value: byOid }, { type: C.CKA_EC_POINT, value: off }]),
      "CKR_ATTRIBUTE_VALUE_INVALID",
    );
  });

  test(`${curve.node}: ECDH (CKD_NULL) equals createECDH's secret both ways`, () => {
    const pair = token.generatePair(C.CKM_EC_KEY_PAIR_GEN, byOid);
    const ours = ecPoint(pair.publicKey, curve.len);
    const template = [
      { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
      { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
      { type: C.CKA_TOKEN, value: false },
      { type: C.CKA_EXTRACTABLE, value: true },
    ];
    const ecdh = crypto.createECDH(curve.node);
    ecdh.generateKeys();
    const expected = ecdh.computeSecret(ours);
    assert.equal(expected.length, curve.len);
    for (const form of ["uncompressed", "compressed"]) {
      for (const mechanism of [C.CKM_ECDH1_DERIVE, C.CKM_ECDH1_COFACTOR_DERIVE]) {
        const publicData = ecdh.getPublicKey(undefined, form);
        const mech = { mechanism, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData } };
        const k = pkcs11.C_DeriveKey(s, mech, pair.privateKey, template);
        assert.equal(hex(token.attr(k, C.CKA_VALUE)), hex(expected), `${form} peer point`);
      }
    }
    // A point of another curve of the same size is refused.
    const other = curve.node.endsWith("r1") && curve.node.startsWith("brainpool") ? curve.node.replace("r1", "t1") : "brainpoolP256r1";
    const stranger = crypto.createECDH(other);
    stranger.generateKeys();
    const bad = { mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData: stranger.getPublicKey() } };
    expectRv(() => pkcs11.C_DeriveKey(s, bad, pair.privateKey, template), "CKR_MECHANISM_PARAM_INVALID");
  });
}
