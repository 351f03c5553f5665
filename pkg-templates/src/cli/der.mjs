// DER structures the token's attributes need, through PeculiarVentures'
// asn1 packages (dependencies of the package): SubjectPublicKeyInfo,
// ECPrivateKey, named curve OIDs, OCTET STRING, ECDSA-Sig-Value, and a
// certificate's exact subject, issuer and serial number bytes.
import { createRequire } from "node:module";

// Loaded at first use, by require: commands that touch no DER (slots,
// objects, show...) start ~100 ms sooner. (The packages are CommonJS
// with no "exports" map: an ESM import would also load them as CommonJS,
// only slower.)
const require = createRequire(import.meta.url);
let libs;
function asn1() {
  libs ??= {
    schema: require("@peculiar/asn1-schema"),
    x509: require("@peculiar/asn1-x509"),
    ecc: require("@peculiar/asn1-ecc"),
    asn1js: require("asn1js"),
  };
  return libs;
}
const convert = () => asn1().schema.AsnConvert;

export const OID = {
  ecPublicKey: "1.2.840.10045.2.1",
  ed25519: "1.3.101.112",
  x25519: "1.3.101.110",
};

const buf = (ab) => Buffer.from(ab instanceof ArrayBuffer ? new Uint8Array(ab) : ab);

/** DER of an OID (the namedCurve form of CKA_EC_PARAMS). */
export function oidDer(oid) {
  return buf(convert().serialize(new (asn1().ecc.ECParameters)({ namedCurve: oid })));
}

/** The OID a CKA_EC_PARAMS names, or undefined. */
export function oidOf(params) {
  try {
    return convert().parse(params, asn1().ecc.ECParameters).namedCurve;
  } catch {
    return undefined;
  }
}

export function octetString(bytes) {
  return buf(convert().serialize(new (asn1().schema.OctetString)(bytes)));
}

/** The contents of a DER OCTET STRING filling all of `der`, or undefined. */
export function unwrapOctetString(der) {
  const { asn1js } = asn1();
  const r = asn1js.fromBER(new Uint8Array(der).buffer);
  if (r.offset !== der.length || !(r.result instanceof asn1js.OctetString) || r.result.idBlock.isConstructed) return undefined;
  return buf(r.result.valueBlock.valueHexView);
}

/** { algorithm (OID), parameters (DER or undefined), publicKey } of an SPKI. */
export function parseSpki(der) {
  const spki = convert().parse(der, asn1().x509.SubjectPublicKeyInfo);
  return {
    algorithm: spki.algorithm.algorithm,
    parameters: spki.algorithm.parameters ? buf(spki.algorithm.parameters) : undefined,
    publicKey: buf(spki.subjectPublicKey),
  };
}

export function buildSpki(algorithm, parameters, publicKey) {
  const { AlgorithmIdentifier, SubjectPublicKeyInfo } = asn1().x509;
  const alg = new AlgorithmIdentifier({ algorithm, parameters: parameters ? new Uint8Array(parameters).buffer : undefined });
  return buf(convert().serialize(new SubjectPublicKeyInfo({ algorithm: alg, subjectPublicKey: new Uint8Array(publicKey).buffer })));
}

/** { params (CKA_EC_PARAMS), d } of a SEC 1 ECPrivateKey. */
export function parseEcPrivateKey(der) {
  const k = convert().parse(der, asn1().ecc.ECPrivateKey);
  return { params: k.parameters ? buf(convert().serialize(k.parameters)) : undefined, d: buf(k.privateKey.buffer) };
}

/** ECDSA r||s (PKCS#11's form) -> DER ECDSA-Sig-Value (OpenSSL's). */
export function ecdsaRawToDer(raw) {
  const half = raw.length / 2;
  const int = (b) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const v = b.subarray(i);
    return v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : Buffer.from(v);
  };
  const sig = new (asn1().ecc.ECDSASigValue)({ r: new Uint8Array(int(raw.subarray(0, half))).buffer, s: new Uint8Array(int(raw.subarray(half))).buffer });
  return buf(convert().serialize(sig));
}

/** DER ECDSA-Sig-Value -> r||s with each half `len` bytes. */
export function ecdsaDerToRaw(der, len) {
  const sig = convert().parse(der, asn1().ecc.ECDSASigValue);
  const fit = (ab) => {
    let b = buf(ab);
    while (b.length > len && b[0] === 0) b = b.subarray(1);
    if (b.length > len) throw new Error("integer too long for the curve");
    return Buffer.concat([Buffer.alloc(len - b.length), b]);
  };
  return Buffer.concat([fit(sig.r), fit(sig.s)]);
}

/**
 * The certificate fields PKCS#11 stores as DER: subject, issuer and serial
 * number exactly as encoded in the certificate (asn1js keeps each
 * element's bytes), whether it is a CA, and its SubjectPublicKeyInfo.
 */
export function certificateFields(der) {
  const { asn1js, x509 } = asn1();
  const cert = convert().parse(der, x509.Certificate);
  const root = asn1js.fromBER(new Uint8Array(der).buffer);
  if (root.offset === -1) throw new Error(root.result.error);
  const items = root.result.valueBlock.value[0].valueBlock.value;
  const at = items[0].idBlock.tagClass === 3 && items[0].idBlock.tagNumber === 0 ? 1 : 0;
  const raw = (i) => Buffer.from(items[at + i].valueBeforeDecodeView);
  const bc = cert.tbsCertificate.extensions?.find((e) => e.extnID === x509.id_ce_basicConstraints);
  const isCA = bc ? convert().parse(bc.extnValue, x509.BasicConstraints).cA === true : false;
  return {
    serial: raw(0),
    issuer: raw(2),
    subject: raw(4),
    isCA,
    spki: buf(convert().serialize(cert.tbsCertificate.subjectPublicKeyInfo)),
  };
}
