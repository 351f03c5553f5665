// Names for the numbers PKCS#11 uses, built from the package's own exports
// so the page never disagrees with the token about a constant.
import * as pkcs11 from "/pkg/browser.mjs";

export const K = pkcs11; // every CK* constant by name

// Aliases share a value; show the current PKCS#11 3.x name.
const PREFERRED = new Set([
  "CKA_EC_PARAMS", "CKA_SUB_PRIME_BITS", "CKK_EC", "CKM_EC_KEY_PAIR_GEN", "CKK_CAST128",
  "CKS_RO_USER_FUNCTIONS", "CKZ_DATA_SPECIFIED",
]);

function table(prefix, exclude = /^$/) {
  const byValue = new Map();
  const byName = new Map();
  for (const [name, value] of Object.entries(pkcs11)) {
    if (!name.startsWith(prefix) || typeof value !== "number" || exclude.test(name)) continue;
    byName.set(name, value);
    if (!byValue.has(value) || PREFERRED.has(name)) byValue.set(value, name);
  }
  return { byValue, byName };
}

export const CKA = table("CKA_");
export const CKM = table("CKM_");
export const CKK = table("CKK_");
export const CKO = table("CKO_");
export const CKR = table("CKR_");
export const CKC = table("CKC_");
export const CKS = table("CKS_");
export const CKU = table("CKU_");
export const CKD = table("CKD_");
export const CKG_MGF = table("CKG_MGF1_");
export const CK_PARAMS = table("CK_PARAMS_");

const hex = (v) => "0x" + (v >>> 0).toString(16).padStart(8, "0");

/** "CKM_AES_GCM" for 0x1087, or the hex number when the name is unknown. */
export function nameOf(t, value) {
  return t.byValue.get(value >>> 0) ?? hex(value);
}

/** CKP_ values are per key type (ML-DSA 1 and ML-KEM 1 are different sets). */
export function parameterSetName(value, keyType) {
  const family = keyType === K.CKK_ML_KEM ? "CKP_ML_KEM_" : keyType === K.CKK_ML_DSA ? "CKP_ML_DSA_" : "CKP_SLH_DSA_";
  for (const [name, v] of Object.entries(pkcs11)) if (name.startsWith(family) && v === value) return name;
  return String(value);
}

/** A flags word as the names of its set bits (from an explicit list of names). */
export function flagNames(flags, names) {
  const out = [];
  let rest = flags >>> 0;
  for (const n of names) {
    const bit = pkcs11[n];
    if (bit === undefined || !bit) continue;
    if ((flags & bit) >>> 0 === bit >>> 0) {
      out.push(n);
      rest &= ~bit;
    }
  }
  if (rest >>> 0) out.push(hex(rest));
  return out;
}

export const TOKEN_FLAGS = [
  "CKF_RNG", "CKF_WRITE_PROTECTED", "CKF_LOGIN_REQUIRED", "CKF_USER_PIN_INITIALIZED", "CKF_RESTORE_KEY_NOT_NEEDED",
  "CKF_CLOCK_ON_TOKEN", "CKF_PROTECTED_AUTHENTICATION_PATH", "CKF_DUAL_CRYPTO_OPERATIONS", "CKF_TOKEN_INITIALIZED",
  "CKF_SECONDARY_AUTHENTICATION", "CKF_USER_PIN_COUNT_LOW", "CKF_USER_PIN_FINAL_TRY", "CKF_USER_PIN_LOCKED",
  "CKF_USER_PIN_TO_BE_CHANGED", "CKF_SO_PIN_COUNT_LOW", "CKF_SO_PIN_FINAL_TRY", "CKF_SO_PIN_LOCKED",
  "CKF_SO_PIN_TO_BE_CHANGED", "CKF_ERROR_STATE",
];
export const SLOT_FLAGS = ["CKF_TOKEN_PRESENT", "CKF_REMOVABLE_DEVICE", "CKF_HW_SLOT"];
export const SESSION_FLAGS = ["CKF_SERIAL_SESSION", "CKF_RW_SESSION"];
export const MECH_FLAGS = [
  "CKF_HW", "CKF_MESSAGE_ENCRYPT", "CKF_MESSAGE_DECRYPT", "CKF_MESSAGE_SIGN", "CKF_MESSAGE_VERIFY", "CKF_MULTI_MESSAGE",
  "CKF_FIND_OBJECTS", "CKF_ENCRYPT", "CKF_DECRYPT", "CKF_DIGEST", "CKF_SIGN", "CKF_SIGN_RECOVER", "CKF_VERIFY",
  "CKF_VERIFY_RECOVER", "CKF_GENERATE", "CKF_GENERATE_KEY_PAIR", "CKF_WRAP", "CKF_UNWRAP", "CKF_DERIVE",
  "CKF_EC_F_P", "CKF_EC_F_2M", "CKF_EC_ECPARAMETERS", "CKF_EC_OID", "CKF_EC_UNCOMPRESS", "CKF_EC_COMPRESS",
  "CKF_EC_CURVENAME", "CKF_ENCAPSULATE", "CKF_DECAPSULATE", "CKF_EXTENSION",
];

/** "CKF_ENCRYPT" -> "encrypt": short labels for mechanism capabilities. */
export const short = (n) => n.replace(/^CK[A-Z]*_/, "").toLowerCase().replace(/_/g, " ");

/** The 32-character blank-padded text fields of CK_*_INFO, trimmed. */
export const trimPad = (s) => String(s).replace(/[\s\0]+$/, "");

/** A session state in words: "R/W · user functions". */
export const STATE_TEXT = {
  CKS_RO_PUBLIC_SESSION: "R/O · public",
  CKS_RO_USER_FUNCTIONS: "R/O · user functions",
  CKS_RW_PUBLIC_SESSION: "R/W · public",
  CKS_RW_USER_FUNCTIONS: "R/W · user functions",
  CKS_RW_SO_FUNCTIONS: "R/W · SO functions",
};
