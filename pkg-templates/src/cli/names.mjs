// Names of PKCS#11 constants (from the package's own exports), flags in
// words, and mechanism names as people type them (CKM_AES_GCM, aes-gcm,
// SHA256-RSA-PKCS, 0x1087).
import { UsageError } from "./errors.mjs";

// Where two names share a value, the current one.
const PREFERRED = new Set(["CKA_EC_PARAMS", "CKA_SUBPRIME_BITS", "CKK_EC", "CKM_EC_KEY_PAIR_GEN", "CKK_CAST128"]);

const cache = new WeakMap();

/** Reverse maps value -> name for each prefix (CKA_, CKK_, CKM_, CKO_, CKC_, CKR_). */
export function constantNames(lib) {
  if (cache.has(lib)) return cache.get(lib);
  const maps = {};
  for (const [name, value] of Object.entries(lib)) {
    const m = /^(CK[AKMOCR])_/.exec(name);
    if (!m || typeof value !== "number") continue;
    const map = (maps[m[1]] ??= new Map());
    if (!map.has(value) || PREFERRED.has(name)) map.set(value, name);
  }
  cache.set(lib, maps);
  return maps;
}

const hexName = (v) => `0x${(v >>> 0).toString(16).padStart(8, "0")}`;

export function nameOf(lib, prefix, value) {
  return constantNames(lib)[prefix]?.get(value >>> 0) ?? hexName(value);
}

/** Short words for object classes and key types (tables, --type). */
export const CLASS_WORDS = { CKO_PRIVATE_KEY: "privkey", CKO_PUBLIC_KEY: "pubkey", CKO_SECRET_KEY: "secret", CKO_CERTIFICATE: "cert", CKO_DATA: "data" };

export function classWord(lib, cls) {
  const name = nameOf(lib, "CKO", cls);
  return CLASS_WORDS[name] ?? name.replace(/^CKO_/, "").toLowerCase();
}

/** --type CLASS -> CKO_* value. */
export function classFromWord(lib, word) {
  const w = word.toLowerCase().replace(/-/g, "_");
  const aliases = { private: "privkey", public: "pubkey", certificate: "cert", secret_key: "secret", private_key: "privkey", public_key: "pubkey" };
  const want = aliases[w] ?? w;
  for (const [name, short] of Object.entries(CLASS_WORDS)) if (short === want || name === `CKO_${w.toUpperCase()}`) return lib[name];
  throw new UsageError(`unknown object type ${JSON.stringify(word)}`, { hint: "use privkey, pubkey, secret, cert or data" });
}

export function keyTypeWord(lib, kt) {
  return nameOf(lib, "CKK", kt).replace(/^CKK_/, "").toLowerCase().replace(/_/g, "-");
}

// CKA_CERTIFICATE_CATEGORY values (PKCS#11 3.1 section 4.6.2), by number.
export const CATEGORY_NAMES = ["unspecified", "token user", "authority", "other entity"];

export const TOKEN_FLAGS = [
  ["CKF_TOKEN_INITIALIZED", "initialized"],
  ["CKF_USER_PIN_INITIALIZED", "user-pin-set"],
  ["CKF_LOGIN_REQUIRED", "login-required"],
  ["CKF_RNG", "rng"],
  ["CKF_WRITE_PROTECTED", "write-protected"],
  ["CKF_RESTORE_KEY_NOT_NEEDED", "restore-key-not-needed"],
  ["CKF_CLOCK_ON_TOKEN", "clock"],
  ["CKF_PROTECTED_AUTHENTICATION_PATH", "protected-auth-path"],
  ["CKF_DUAL_CRYPTO_OPERATIONS", "dual-crypto"],
  ["CKF_SECONDARY_AUTHENTICATION", "secondary-auth"],
  ["CKF_USER_PIN_COUNT_LOW", "user-pin-count-low"],
  ["CKF_USER_PIN_FINAL_TRY", "user-pin-final-try"],
  ["CKF_USER_PIN_LOCKED", "user-pin-locked"],
  ["CKF_USER_PIN_TO_BE_CHANGED", "user-pin-to-be-changed"],
  ["CKF_SO_PIN_COUNT_LOW", "so-pin-count-low"],
  ["CKF_SO_PIN_FINAL_TRY", "so-pin-final-try"],
  ["CKF_SO_PIN_LOCKED", "so-pin-locked"],
  ["CKF_SO_PIN_TO_BE_CHANGED", "so-pin-to-be-changed"],
  ["CKF_ERROR_STATE", "error-state"],
];

export const MECHANISM_FLAGS = [
  ["CKF_ENCRYPT", "encrypt"],
  ["CKF_DECRYPT", "decrypt"],
  ["CKF_DIGEST", "digest"],
  ["CKF_SIGN", "sign"],
  ["CKF_VERIFY", "verify"],
  ["CKF_GENERATE", "generate"],
  ["CKF_GENERATE_KEY_PAIR", "generate-pair"],
  ["CKF_WRAP", "wrap"],
  ["CKF_UNWRAP", "unwrap"],
  ["CKF_DERIVE", "derive"],
  ["CKF_ENCAPSULATE", "encapsulate"],
  ["CKF_DECAPSULATE", "decapsulate"],
];

/** The words of the `table` flags set in `flags`. */
export function flagWords(lib, flags, list) {
  return list.filter(([name]) => lib[name] !== undefined && (flags & lib[name]) !== 0).map(([, word]) => word);
}

/** A mechanism as typed: CKM_AES_GCM, AES_GCM, aes-gcm, 0x1087. */
export function mechanismFromName(lib, text) {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text, 16);
  const name = "CKM_" + text.toUpperCase().replace(/-/g, "_").replace(/^CKM_/, "");
  if (typeof lib[name] === "number") return lib[name];
  throw new UsageError(`unknown mechanism ${JSON.stringify(text)}`, { hint: "`pkcs11-wasm mechanisms` lists the token's" });
}

export function mechanismName(lib, m) {
  return nameOf(lib, "CKM", m);
}
