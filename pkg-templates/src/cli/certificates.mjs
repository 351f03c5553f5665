// X.509 certificates as CKO_CERTIFICATE objects: the attributes filled
// from the certificate (PKCS#11 3.1 section 4.6.3), and a readable summary
// for `show` (Node's X509Certificate).
import { X509Certificate, createHash, createPublicKey } from "node:crypto";
import { CliError, UsageError } from "./errors.mjs";
import { keyId, publicParts } from "./keys.mjs";

export function categoryFromWord(word) {
  const w = word.toLowerCase().replace(/[-_ ]/g, "");
  const map = { unspecified: 0, user: 1, tokenuser: 1, authority: 2, ca: 2, other: 3, otherentity: 3 };
  if (map[w] === undefined) throw new UsageError(`unknown certificate category ${JSON.stringify(word)}`, { hint: "use user, authority, other or unspecified" });
  return map[w];
}

/**
 * What a certificate's object needs: { fields, id, label, isCA }. CKA_ID
 * comes from its public key the way keys get theirs (keys.mjs keyId), so a
 * certificate finds its key pair; for a key type Node cannot read, SHA-1
 * of the subjectPublicKey bits.
 */
export async function certificateInfo(der) {
  const { certificateFields, parseSpki } = await import("./der.mjs");
  let fields;
  try {
    fields = certificateFields(der);
  } catch (e) {
    throw new CliError(`not a well-formed certificate (${e.message})`);
  }
  let id;
  try {
    id = keyId(publicParts(createPublicKey({ key: fields.spki, format: "der", type: "spki" })));
  } catch {
    id = createHash("sha1").update(parseSpki(fields.spki).publicKey).digest();
  }
  const x = new X509Certificate(der);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x.subject);
  return { fields, id, label: cn ? cn[1] : undefined, isCA: fields.isCA };
}

/** The CKO_CERTIFICATE template. */
export function certificateTemplate(C, der, info, { label, id, category }) {
  return [
    { type: C.CKA_CLASS, value: C.CKO_CERTIFICATE },
    { type: C.CKA_CERTIFICATE_TYPE, value: C.CKC_X_509 },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_PRIVATE, value: false },
    { type: C.CKA_LABEL, value: label },
    { type: C.CKA_ID, value: id },
    { type: C.CKA_SUBJECT, value: info.fields.subject },
    { type: C.CKA_ISSUER, value: info.fields.issuer },
    { type: C.CKA_SERIAL_NUMBER, value: info.fields.serial },
    { type: C.CKA_VALUE, value: der },
    { type: C.CKA_CERTIFICATE_CATEGORY, value: category },
  ];
}

/** A readable summary of a DER certificate (for `show`). */
export function describeCertificate(der) {
  let x;
  try {
    x = new X509Certificate(der);
  } catch {
    return { error: "CKA_VALUE is not a certificate Node can read" };
  }
  return {
    subject: x.subject.replace(/\n/g, ", "),
    issuer: x.issuer.replace(/\n/g, ", "),
    serialNumber: x.serialNumber,
    validFrom: x.validFrom,
    validTo: x.validTo,
    ca: x.ca,
    fingerprintSha256: x.fingerprint256,
    publicKey: `${x.publicKey.asymmetricKeyType}${x.publicKey.asymmetricKeyDetails?.modulusLength ? ` ${x.publicKey.asymmetricKeyDetails.modulusLength} bits` : ""}${x.publicKey.asymmetricKeyDetails?.namedCurve ? ` ${x.publicKey.asymmetricKeyDetails.namedCurve}` : ""}`,
  };
}
