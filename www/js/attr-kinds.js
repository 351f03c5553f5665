// What kind of value each attribute holds (PKCS#11 3.1 section 4), so the
// page can show it usefully and parse what a learner types for it.
import { K } from "./names.js";

const kinds = new Map();
const set = (kind, names) => {
  for (const n of names) if (K[n] !== undefined) kinds.set(K[n], kind);
};

set("bool", [
  "CKA_TOKEN", "CKA_PRIVATE", "CKA_TRUSTED", "CKA_SENSITIVE", "CKA_ENCRYPT", "CKA_DECRYPT", "CKA_WRAP", "CKA_UNWRAP",
  "CKA_SIGN", "CKA_SIGN_RECOVER", "CKA_VERIFY", "CKA_VERIFY_RECOVER", "CKA_DERIVE", "CKA_EXTRACTABLE", "CKA_LOCAL",
  "CKA_NEVER_EXTRACTABLE", "CKA_ALWAYS_SENSITIVE", "CKA_MODIFIABLE", "CKA_COPYABLE", "CKA_DESTROYABLE",
  "CKA_ALWAYS_AUTHENTICATE", "CKA_WRAP_WITH_TRUSTED", "CKA_RESET_ON_INIT", "CKA_HAS_RESET", "CKA_COLOR",
  "CKA_OTP_USER_FRIENDLY_MODE", "CKA_ENCAPSULATE", "CKA_DECAPSULATE",
]);
set("class", ["CKA_CLASS"]);
set("keyType", ["CKA_KEY_TYPE"]);
set("certType", ["CKA_CERTIFICATE_TYPE"]);
set("mechType", ["CKA_KEY_GEN_MECHANISM", "CKA_NAME_HASH_ALGORITHM"]);
set("paramSet", ["CKA_PARAMETER_SET"]);
set("ulong", [
  "CKA_VALUE_LEN", "CKA_MODULUS_BITS", "CKA_PRIME_BITS", "CKA_SUB_PRIME_BITS", "CKA_VALUE_BITS",
  "CKA_CERTIFICATE_CATEGORY", "CKA_JAVA_MIDP_SECURITY_DOMAIN", "CKA_OTP_FORMAT", "CKA_OTP_LENGTH",
  "CKA_OTP_TIME_INTERVAL", "CKA_PROFILE_ID", "CKA_HW_FEATURE_TYPE", "CKA_OBJECT_VALIDATION_FLAGS",
]);
set("text", ["CKA_LABEL", "CKA_APPLICATION", "CKA_URL", "CKA_UNIQUE_ID", "CKA_OTP_SERVICE_IDENTIFIER"]);
set("date", ["CKA_START_DATE", "CKA_END_DATE"]);
set("bigint", [
  "CKA_MODULUS", "CKA_PUBLIC_EXPONENT", "CKA_PRIVATE_EXPONENT", "CKA_PRIME_1", "CKA_PRIME_2", "CKA_EXPONENT_1",
  "CKA_EXPONENT_2", "CKA_COEFFICIENT", "CKA_PRIME", "CKA_SUBPRIME", "CKA_BASE",
]);
set("mechs", ["CKA_ALLOWED_MECHANISMS"]);
set("template", ["CKA_WRAP_TEMPLATE", "CKA_UNWRAP_TEMPLATE", "CKA_DERIVE_TEMPLATE", "CKA_ENCAPSULATE_TEMPLATE", "CKA_DECAPSULATE_TEMPLATE"]);
set("ecParams", ["CKA_EC_PARAMS"]);
set("ecPoint", ["CKA_EC_POINT"]);
set("idBytes", ["CKA_ID", "CKA_OBJECT_ID", "CKA_SUBJECT", "CKA_ISSUER", "CKA_SERIAL_NUMBER"]);

/** "bool", "ulong", "text", "bytes", ...; bytes when nothing more is known. */
export function attrKind(type) {
  return kinds.get(type >>> 0) ?? "bytes";
}

// Named curves: DER OID bytes (hex) <-> name (RFC 5480, RFC 8410).
export const CURVES = [
  ["P-256", "1.2.840.10045.3.1.7", "06082a8648ce3d030107"],
  ["P-384", "1.3.132.0.34", "06052b81040022"],
  ["P-521", "1.3.132.0.35", "06052b81040023"],
  ["secp256k1", "1.3.132.0.10", "06052b8104000a"],
  ["Ed25519", "1.3.101.112", "06032b6570"],
  ["Ed448", "1.3.101.113", "06032b6571"],
  ["X25519", "1.3.101.110", "06032b656e"],
  ["X448", "1.3.101.111", "06032b656f"],
];

/** Dotted text of a DER OBJECT IDENTIFIER's content bytes. */
export function oidText(content) {
  if (content.length === 0) return "";
  const parts = [Math.floor(content[0] / 40), content[0] % 40];
  let v = 0;
  for (let i = 1; i < content.length; i++) {
    v = v * 128 + (content[i] & 0x7f);
    if (!(content[i] & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  if (content[0] >= 80) {
    parts[0] = 2;
    parts[1] = content[0] - 80;
  }
  return parts.join(".");
}
