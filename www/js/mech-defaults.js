// Defaults that work: templates for every generation mechanism the token
// lists, and parameters for the mechanisms that need one. Templates are
// rows of [attribute name, value text] as the template editor shows them.
import { K } from "./names.js";
import { randomBytes, toHex } from "./bytes.js";

const USAGE_SECRET = [["CKA_ENCRYPT", "true"], ["CKA_DECRYPT", "true"]];

/** Secret-key generation: [rows] for C_GenerateKey with `mech` (a CKM_ name). */
export function keyTemplate(mech, info) {
  const label = mech.replace(/^CKM_/, "").replace(/_KEY_GEN$/, "").replace(/_/g, "-");
  // Sensitive but extractable: never readable, yet it can be wrapped (lesson 4).
  const rows = [["CKA_LABEL", `${label} key`], ["CKA_TOKEN", "false"], ["CKA_SENSITIVE", "true"], ["CKA_EXTRACTABLE", "true"]];
  if (mech === "CKM_AES_KEY_GEN") return [...rows, ["CKA_VALUE_LEN", "32"], ...USAGE_SECRET, ["CKA_WRAP", "true"], ["CKA_UNWRAP", "true"]];
  if (mech === "CKM_CHACHA20_KEY_GEN") return [...rows, ...USAGE_SECRET];
  if (mech === "CKM_PKCS5_PBKD2") return [...rows, ["CKA_KEY_TYPE", "CKK_AES"], ["CKA_VALUE_LEN", "32"], ...USAGE_SECRET];
  if (/HKDF|GENERIC_SECRET/.test(mech)) return [...rows, ["CKA_VALUE_LEN", "32"], ["CKA_DERIVE", "true"], ["CKA_SIGN", "true"], ["CKA_VERIFY", "true"]];
  if (/^CKM_SHA/.test(mech)) return [...rows, ["CKA_VALUE_LEN", "32"], ["CKA_SIGN", "true"], ["CKA_VERIFY", "true"]];
  const len = info && info.minKeySize <= 32 && info.maxKeySize >= 32 ? "32" : String(info?.minKeySize ?? 16);
  return [...rows, ["CKA_VALUE_LEN", len], ...USAGE_SECRET];
}

/** Key-pair generation: { pub: rows, priv: rows } for C_GenerateKeyPair. */
export function pairTemplates(mech) {
  const label = (l) => [["CKA_LABEL", l], ["CKA_TOKEN", "false"]];
  switch (mech) {
    case "CKM_RSA_PKCS_KEY_PAIR_GEN":
      return {
        pub: [...label("RSA public"), ["CKA_MODULUS_BITS", "2048"], ["CKA_PUBLIC_EXPONENT", "010001"], ["CKA_VERIFY", "true"], ["CKA_ENCRYPT", "true"], ["CKA_WRAP", "true"]],
        priv: [...label("RSA private"), ["CKA_SIGN", "true"], ["CKA_DECRYPT", "true"], ["CKA_UNWRAP", "true"], ["CKA_SENSITIVE", "true"]],
      };
    case "CKM_EC_KEY_PAIR_GEN":
      return {
        pub: [...label("EC public"), ["CKA_EC_PARAMS", "P-256"], ["CKA_VERIFY", "true"]],
        priv: [...label("EC private"), ["CKA_SIGN", "true"], ["CKA_DERIVE", "true"], ["CKA_SENSITIVE", "true"]],
      };
    case "CKM_EC_EDWARDS_KEY_PAIR_GEN":
      return { pub: [...label("Ed25519 public"), ["CKA_EC_PARAMS", "Ed25519"], ["CKA_VERIFY", "true"]], priv: [...label("Ed25519 private"), ["CKA_SIGN", "true"]] };
    case "CKM_EC_MONTGOMERY_KEY_PAIR_GEN":
      return { pub: [...label("X25519 public"), ["CKA_EC_PARAMS", "X25519"]], priv: [...label("X25519 private"), ["CKA_DERIVE", "true"]] };
    case "CKM_ML_DSA_KEY_PAIR_GEN":
      return { pub: [...label("ML-DSA public"), ["CKA_PARAMETER_SET", "CKP_ML_DSA_65"], ["CKA_VERIFY", "true"]], priv: [...label("ML-DSA private"), ["CKA_SIGN", "true"]] };
    case "CKM_ML_KEM_KEY_PAIR_GEN":
      return { pub: [...label("ML-KEM public"), ["CKA_PARAMETER_SET", "CKP_ML_KEM_768"], ["CKA_ENCAPSULATE", "true"]], priv: [...label("ML-KEM private"), ["CKA_DECAPSULATE", "true"]] };
    case "CKM_SLH_DSA_KEY_PAIR_GEN":
      return { pub: [...label("SLH-DSA public"), ["CKA_PARAMETER_SET", "CKP_SLH_DSA_SHA2_128F"], ["CKA_VERIFY", "true"]], priv: [...label("SLH-DSA private"), ["CKA_SIGN", "true"]] };
    default:
      return { pub: label("public key"), priv: label("private key") };
  }
}

/**
 * Parameter fields for a mechanism: { tag, fields: [[name, kind, default]] }
 * or { raw: kind } for a bare Buffer/number parameter; null: no parameter.
 * Kinds: bytes (hex), text, number, mech (a CKM_ name), mgf, bool, object (a key handle).
 */
export function paramSpec(mech) {
  const rnd = (n) => toHex(randomBytes(n));
  const hashOf = (m) => (/SHA3_(\d+)/.exec(m) ? `CKM_SHA3_${/SHA3_(\d+)/.exec(m)[1]}` : /SHA(\d+)_/.exec(m) ? `CKM_SHA${/SHA(\d+)_/.exec(m)[1]}` : /SHA1_/.test(m) ? "CKM_SHA_1" : "CKM_SHA256");
  const mgfOf = (h) => `CKG_MGF1_${h.replace("CKM_", "").replace("SHA_1", "SHA1")}`;
  if (/^CKM_AES_(CBC|CBC_PAD|CTS)$/.test(mech)) return { raw: "bytes", fields: [["iv", "bytes", rnd(16)]] };
  if (mech === "CKM_AES_GCM") return { tag: "CK_PARAMS_AES_GCM", fields: [["iv", "bytes", rnd(12)], ["aad", "text", ""], ["tagBits", "number", "128"]] };
  if (mech === "CKM_AES_CCM") return { tag: "CK_PARAMS_AES_CCM", fields: [["dataLength", "number", "0"], ["nonce", "bytes", rnd(12)], ["aad", "text", ""], ["macLength", "number", "16"]] };
  if (mech === "CKM_AES_CTR") return { tag: "CK_PARAMS_AES_CTR", fields: [["counterBits", "number", "128"], ["cb", "bytes", rnd(16)]] };
  if (mech === "CKM_CHACHA20_POLY1305") return { tag: "CK_PARAMS_CHACHA20_POLY1305", fields: [["nonce", "bytes", rnd(12)], ["aad", "text", ""]] };
  if (mech === "CKM_RSA_PKCS_OAEP") return { tag: "CK_PARAMS_RSA_OAEP", fields: [["hashAlg", "mech", "CKM_SHA256"], ["mgf", "mgf", "CKG_MGF1_SHA256"], ["source", "number", "1"]] };
  if (/RSA_PKCS_PSS$/.test(mech)) {
    const h = mech === "CKM_RSA_PKCS_PSS" ? "CKM_SHA256" : hashOf(mech);
    return { tag: "CK_PARAMS_RSA_PSS", fields: [["hashAlg", "mech", h], ["mgf", "mgf", mgfOf(h)], ["saltLen", "number", "32"]] };
  }
  if (/_HMAC_GENERAL$|CMAC_GENERAL$/.test(mech)) return { raw: "number", fields: [["macLength", "number", "16"]] };
  if (/^CKM_ECDH1_(COFACTOR_)?DERIVE$/.test(mech)) return { tag: "CK_PARAMS_EC_DH", fields: [["kdf", "number", "1"], ["publicData", "bytes", ""]] };
  if (/^CKM_HKDF_(DERIVE|DATA)$/.test(mech)) {
    return { tag: "CK_PARAMS_HKDF", fields: [["extract", "bool", "true"], ["expand", "bool", "true"], ["prfHashMechanism", "mech", "CKM_SHA256"], ["saltType", "number", String(K.CKF_HKDF_SALT_DATA ?? 2)], ["salt", "bytes", rnd(16)], ["info", "text", "playground"]] };
  }
  if (mech === "CKM_PKCS5_PBKD2") return { tag: "CK_PARAMS_PKCS5_PBKD2", fields: [["saltSource", "number", "1"], ["salt", "bytes", rnd(16)], ["iterations", "number", "10000"], ["prf", "number", "4"], ["password", "text", "correct horse battery staple"]] };
  if (/^CKM_(CONCATENATE_BASE_AND_DATA|CONCATENATE_DATA_AND_BASE|XOR_BASE_AND_DATA)$/.test(mech)) return { tag: "CK_PARAMS_KEY_DERIVATION_STRING_DATA", fields: [["data", "bytes", rnd(16)]] };
  if (mech === "CKM_AES_ECB_ENCRYPT_DATA") return { tag: "CK_PARAMS_KEY_DERIVATION_STRING_DATA", fields: [["data", "bytes", rnd(32)]] };
  if (mech === "CKM_AES_CBC_ENCRYPT_DATA") return { tag: "CK_PARAMS_AES_CBC", fields: [["iv", "bytes", rnd(16)], ["data", "bytes", rnd(32)]] };
  if (mech === "CKM_CONCATENATE_BASE_AND_KEY") return { raw: "object", fields: [["key", "object", ""]] };
  if (mech === "CKM_SP800_108_COUNTER_KDF") return { tag: "CK_PARAMS_SP800_108_KDF", sp800: true, fields: [["prfType", "mech", "CKM_SHA256_HMAC"], ["label", "text", "playground"]] };
  if (mech === "CKM_RSA_AES_KEY_WRAP") return { tag: "CK_PARAMS_RSA_AES_KEY_WRAP", rsaAes: true, fields: [["aesKeyBits", "number", "256"], ["hashAlg", "mech", "CKM_SHA256"], ["mgf", "mgf", "CKG_MGF1_SHA256"]] };
  return null;
}

/** Builds the parameter value from the form's field texts ({ name: text }). */
export function buildParam(spec, values, parse) {
  if (!spec) return undefined;
  const v = {};
  for (const [name, kind] of spec.fields) v[name] = parse(kind, values[name] ?? "", name);
  if (spec.raw) return v[spec.fields[0][0]];
  if (spec.sp800) {
    return { type: K.CK_PARAMS_SP800_108_KDF, prfType: v.prfType, dataParams: [{ type: 1, widthInBits: 32 }, { type: 4, data: v.label }] };
  }
  if (spec.rsaAes) {
    return { type: K.CK_PARAMS_RSA_AES_KEY_WRAP, aesKeyBits: v.aesKeyBits, oaepParams: { hashAlg: v.hashAlg, mgf: v.mgf, source: 1 } };
  }
  const out = { type: K[spec.tag] };
  for (const [name, kind] of spec.fields) {
    const x = v[name];
    if (x === undefined || (ArrayBuffer.isView(x) && x.length === 0 && kind === "text")) continue;
    out[name] = x;
  }
  return out;
}

/**
 * The key types (CKK_ names) a mechanism works with, so forms offer only
 * keys that fit; null when any key of the right class may do.
 */
export function keyTypesFor(mech) {
  if (/^CKM_AES_/.test(mech)) return ["CKK_AES"];
  if (/^CKM_CHACHA20/.test(mech)) return ["CKK_CHACHA20"];
  if (/RSA/.test(mech)) return ["CKK_RSA"];
  if (/^CKM_ECDSA|^CKM_ECDH/.test(mech)) return ["CKK_EC", "CKK_EC_MONTGOMERY"];
  if (mech === "CKM_EDDSA") return ["CKK_EC_EDWARDS"];
  if (/ML_DSA/.test(mech)) return ["CKK_ML_DSA"];
  if (/ML_KEM/.test(mech)) return ["CKK_ML_KEM"];
  if (/SLH_DSA/.test(mech)) return ["CKK_SLH_DSA"];
  if (/_HMAC(_GENERAL)?$/.test(mech)) return ["CKK_GENERIC_SECRET", `CKK_${mech.replace(/^CKM_/, "").replace(/_GENERAL$/, "")}`];
  if (/^CKM_HKDF/.test(mech)) return ["CKK_HKDF", "CKK_GENERIC_SECRET"];
  return null;
}

// The mechanism a form starts with for a key of each type, by use.
const BY_KEY = {
  CKK_AES: { encrypt: "CKM_AES_GCM", sign: "CKM_AES_CMAC", wrap: "CKM_AES_KEY_WRAP_KWP", derive: "CKM_AES_ECB_ENCRYPT_DATA" },
  CKK_CHACHA20: { encrypt: "CKM_CHACHA20_POLY1305" },
  CKK_RSA: { encrypt: "CKM_RSA_PKCS_OAEP", sign: "CKM_SHA256_RSA_PKCS_PSS", wrap: "CKM_RSA_PKCS_OAEP" },
  CKK_EC: { sign: "CKM_ECDSA_SHA256", derive: "CKM_ECDH1_DERIVE" },
  CKK_EC_EDWARDS: { sign: "CKM_EDDSA" },
  CKK_EC_MONTGOMERY: { derive: "CKM_ECDH1_DERIVE" },
  CKK_ML_DSA: { sign: "CKM_ML_DSA" },
  CKK_GENERIC_SECRET: { sign: "CKM_SHA256_HMAC", derive: "CKM_HKDF_DERIVE" },
  CKK_HKDF: { derive: "CKM_HKDF_DERIVE" },
};
const SAME = { decrypt: "encrypt", verify: "sign", unwrap: "wrap" };

/** A mechanism name suiting a key type name for a use ("encrypt", "sign", ...), or null. */
export function mechanismForKey(keyTypeName, use) {
  const t = BY_KEY[keyTypeName];
  if (t) return t[SAME[use] ?? use] ?? null;
  // HMAC key types (CKK_SHA256_HMAC...) sign with their own mechanism.
  if (/^CKK_.*_HMAC$/.test(keyTypeName) && (use === "sign" || use === "verify")) return keyTypeName.replace(/^CKK_/, "CKM_");
  return null;
}
