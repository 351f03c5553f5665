// Key material between Node's crypto (OpenSSL parses and writes PKCS#8,
// traditional, SPKI and JWK keys) and PKCS#11 attributes: the parts of a
// key (RSA components, EC params and point, Edwards/Montgomery raw keys),
// the templates of its private and public key objects, CKA_ID from the
// public key, and the SPKI of a public key object (for export).
import { createHash, createPublicKey } from "node:crypto";
import { CliError } from "./errors.mjs";
import { OID, buildSpki, octetString, oidDer, oidOf, parseEcPrivateKey, parseSpki, unwrapOctetString } from "./der.mjs";

const b64u = (s) => Buffer.from(s, "base64url");

const OKP = {
  ed25519: { oid: OID.ed25519, ckk: "CKK_EC_EDWARDS" },
  x25519: { oid: OID.x25519, ckk: "CKK_EC_MONTGOMERY" },
};

/** Public parts: { ckk, modulus, exponent } or { ckk, params, point }. */
export function publicParts(key) {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const kind = pub.asymmetricKeyType;
  if (kind === "rsa" || kind === "rsa-pss") {
    const jwk = pub.export({ format: "jwk" });
    return { ckk: "CKK_RSA", modulus: b64u(jwk.n), exponent: b64u(jwk.e) };
  }
  if (kind === "ec") {
    const spki = parseSpki(pub.export({ type: "spki", format: "der" }));
    return { ckk: "CKK_EC", params: spki.parameters, point: spki.publicKey };
  }
  if (OKP[kind]) return { ckk: OKP[kind].ckk, params: oidDer(OKP[kind].oid), point: b64u(pub.export({ format: "jwk" }).x) };
  throw new CliError(`${kind} keys are not supported by the token (it takes RSA, EC, Ed25519 and X25519 keys)`);
}

/** Private parts added to the public ones (RSA CRT components, EC/OKP scalar). */
export function privateParts(key) {
  const parts = publicParts(key);
  const kind = key.asymmetricKeyType;
  if (parts.ckk === "CKK_RSA") {
    const j = key.export({ format: "jwk" });
    if (!j.p || !j.q) throw new CliError("this RSA key has no primes (CRT components): the token needs them");
    return { ...parts, d: b64u(j.d), p: b64u(j.p), q: b64u(j.q), dp: b64u(j.dp), dq: b64u(j.dq), qi: b64u(j.qi) };
  }
  if (parts.ckk === "CKK_EC") return { ...parts, value: parseEcPrivateKey(key.export({ type: "sec1", format: "der" })).d };
  if (OKP[kind]) return { ...parts, value: b64u(key.export({ format: "jwk" }).d) };
  return parts;
}

/**
 * CKA_ID from the public key, the same for a key pair and its certificate
 * whatever their source (as pkcs11-tool does): SHA-1 of the RSA modulus,
 * or of the EC / Edwards / Montgomery public point.
 */
export function keyId(parts) {
  let material = parts.ckk === "CKK_RSA" ? parts.modulus : parts.point;
  if (parts.ckk === "CKK_RSA") {
    let i = 0;
    while (i < material.length - 1 && material[i] === 0) i++;
    material = material.subarray(i);
  }
  return createHash("sha1").update(material).digest();
}

/** The CKA_EC_POINT value for a key type: DER OCTET STRING for CKK_EC, raw for Edwards/Montgomery (3.1). */
function ecPointAttr(parts) {
  return parts.ckk === "CKK_EC" ? octetString(parts.point) : parts.point;
}

/**
 * Templates { priv, pub } (priv undefined for public parts) of a key's
 * objects; `protection`: the private key's CKA_PRIVATE/SENSITIVE/EXTRACTABLE.
 */
export function keyTemplates(C, parts, { label, id, protection, privUsages = [], pubUsages = [] }) {
  const ckk = C[parts.ckk];
  const common = [
    { type: C.CKA_KEY_TYPE, value: ckk },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_LABEL, value: label },
    { type: C.CKA_ID, value: id },
  ];
  const pubValues =
    parts.ckk === "CKK_RSA"
      ? [
          { type: C.CKA_MODULUS, value: parts.modulus },
          { type: C.CKA_PUBLIC_EXPONENT, value: parts.exponent },
        ]
      : [
          { type: C.CKA_EC_PARAMS, value: parts.params },
          { type: C.CKA_EC_POINT, value: ecPointAttr(parts) },
        ];
  const pub = [{ type: C.CKA_CLASS, value: C.CKO_PUBLIC_KEY }, ...common, { type: C.CKA_PRIVATE, value: false }, ...pubValues, ...pubUsages];
  if (parts.d === undefined && parts.value === undefined) return { pub };
  const privValues =
    parts.ckk === "CKK_RSA"
      ? [
          ...pubValues,
          { type: C.CKA_PRIVATE_EXPONENT, value: parts.d },
          { type: C.CKA_PRIME_1, value: parts.p },
          { type: C.CKA_PRIME_2, value: parts.q },
          { type: C.CKA_EXPONENT_1, value: parts.dp },
          { type: C.CKA_EXPONENT_2, value: parts.dq },
          { type: C.CKA_COEFFICIENT, value: parts.qi },
        ]
      : [
          { type: C.CKA_EC_PARAMS, value: parts.params },
          { type: C.CKA_VALUE, value: parts.value },
        ];
  const priv = [{ type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY }, ...common, ...protection, ...privValues, ...privUsages];
  return { priv, pub };
}

/** Public parts read from a public (or RSA private) key object's attributes. */
export function partsFromAttributes(C, keyType, attrs) {
  if (keyType === C.CKK_RSA) return { ckk: "CKK_RSA", modulus: attrs.get(C.CKA_MODULUS), exponent: attrs.get(C.CKA_PUBLIC_EXPONENT) };
  const ckk = keyType === C.CKK_EC ? "CKK_EC" : keyType === C.CKK_EC_EDWARDS ? "CKK_EC_EDWARDS" : keyType === C.CKK_EC_MONTGOMERY ? "CKK_EC_MONTGOMERY" : undefined;
  if (!ckk) return undefined;
  const raw = Buffer.from(attrs.get(C.CKA_EC_POINT));
  // CKA_EC_POINT: a DER OCTET STRING around the point (CKK_EC), or raw
  // (Edwards/Montgomery in 3.1); either may come from older writers.
  const inner = ckk === "CKK_EC" || raw.length !== 32 ? unwrapOctetString(raw) : undefined;
  const point = inner !== undefined && (ckk !== "CKK_EC" || [2, 3, 4].includes(inner[0])) ? inner : raw;
  return { ckk, params: Buffer.from(attrs.get(C.CKA_EC_PARAMS)), point };
}

// ML-DSA / ML-KEM SubjectPublicKeyInfo algorithm OIDs (FIPS 204 / 203, NIST CSOR), by CKP_* name.
const PQC_OIDS = {
  CKP_ML_DSA_44: "2.16.840.1.101.3.4.3.17",
  CKP_ML_DSA_65: "2.16.840.1.101.3.4.3.18",
  CKP_ML_DSA_87: "2.16.840.1.101.3.4.3.19",
  CKP_ML_KEM_512: "2.16.840.1.101.3.4.4.1",
  CKP_ML_KEM_768: "2.16.840.1.101.3.4.4.2",
  CKP_ML_KEM_1024: "2.16.840.1.101.3.4.4.3",
};

/** The SPKI OID of an ML-DSA / ML-KEM parameter set, or undefined. */
export function pqcOid(C, family, parameterSet) {
  const name = Object.keys(PQC_OIDS).find((n) => n.startsWith(`CKP_${family}_`) && C[n] === parameterSet);
  return name && PQC_OIDS[name];
}

/** DER SubjectPublicKeyInfo of public parts. */
export function spkiOf(parts) {
  if (parts.ckk === "CKK_RSA") {
    const jwk = { kty: "RSA", n: Buffer.from(parts.modulus).toString("base64url"), e: Buffer.from(parts.exponent).toString("base64url") };
    return createPublicKey({ key: jwk, format: "jwk" }).export({ type: "spki", format: "der" });
  }
  if (parts.ckk === "CKK_EC") return buildSpki(OID.ecPublicKey, parts.params, parts.point);
  if (parts.oid) return buildSpki(parts.oid, undefined, parts.point);
  const oid = oidOf(parts.params);
  if (parts.ckk === "CKK_EC_EDWARDS" || parts.ckk === "CKK_EC_MONTGOMERY") {
    const named = parts.params[0] === 0x13 ? Buffer.from(parts.params.subarray(2)).toString("latin1") : undefined;
    const alg = oid ?? (named === "edwards25519" ? OID.ed25519 : named === "curve25519" ? OID.x25519 : undefined);
    if (!alg) throw new CliError("this key's curve has no SubjectPublicKeyInfo form known here");
    return buildSpki(alg, undefined, parts.point);
  }
  throw new CliError("this key type cannot be exported as a SubjectPublicKeyInfo");
}
