// Reading and decoding attributes for people: booleans, numbers named
// after their constants (CKO_/CKK_/CKM_/CKC_), text, dates, mechanism
// lists, curves; bytes as hex.
import { CATEGORY_NAMES, mechanismName, nameOf } from "./names.mjs";

const BOOL = new Set(
  (
    "TOKEN PRIVATE MODIFIABLE COPYABLE DESTROYABLE SENSITIVE EXTRACTABLE ALWAYS_SENSITIVE NEVER_EXTRACTABLE ENCRYPT DECRYPT " +
    "SIGN VERIFY SIGN_RECOVER VERIFY_RECOVER WRAP UNWRAP DERIVE LOCAL TRUSTED WRAP_WITH_TRUSTED ALWAYS_AUTHENTICATE " +
    "ENCAPSULATE DECAPSULATE RESET_ON_INIT HAS_RESET COLOR OTP_USER_FRIENDLY_MODE"
  )
    .split(" ")
    .map((n) => `CKA_${n}`),
);
const ULONG = new Set(
  (
    "MODULUS_BITS VALUE_LEN VALUE_BITS PRIME_BITS SUBPRIME_BITS JAVA_MIDP_SECURITY_DOMAIN OBJECT_VALIDATION_FLAGS " +
    "PIXEL_X PIXEL_Y RESOLUTION CHAR_ROWS CHAR_COLUMNS BITS_PER_PIXEL OTP_FORMAT OTP_LENGTH OTP_TIME_INTERVAL " +
    "OTP_CHALLENGE_REQUIREMENT OTP_TIME_REQUIREMENT OTP_COUNTER_REQUIREMENT OTP_PIN_REQUIREMENT PROFILE_ID HW_FEATURE_TYPE"
  )
    .split(" ")
    .map((n) => `CKA_${n}`),
);
const TEXT = new Set(["CKA_LABEL", "CKA_APPLICATION", "CKA_URL", "CKA_UNIQUE_ID", "CKA_CHAR_SETS", "CKA_ENCODING_METHODS", "CKA_MIME_TYPES"]);
const DATES = new Set(["CKA_START_DATE", "CKA_END_DATE"]);

// Known curves by CKA_EC_PARAMS (DER of the named curve's OID), in hex.
const CURVES = {
  "06082a8648ce3d030107": "secp256r1 (P-256)",
  "06052b81040022": "secp384r1 (P-384)",
  "06052b81040023": "secp521r1 (P-521)",
  "06052b8104000a": "secp256k1",
  "06032b6570": "edwards25519 (Ed25519)",
  "06032b656e": "curve25519 (X25519)",
  "06032b6571": "edwards448 (Ed448)",
  "06032b656f": "curve448 (X448)",
};

function curveName(params) {
  const h = Buffer.from(params).toString("hex");
  if (CURVES[h]) return CURVES[h];
  if (params[0] === 0x13) return Buffer.from(params.subarray(2)).toString("latin1");
  return undefined;
}

/** Every attribute type the package names (for `show`), preferred names. */
export function allAttributeTypes(lib) {
  const seen = new Set();
  const out = [];
  for (const [name, v] of Object.entries(lib)) {
    if (!name.startsWith("CKA_") || typeof v !== "number" || seen.has(v) || name === "CKA_VENDOR_DEFINED") continue;
    seen.add(v);
    out.push(v);
  }
  return out;
}

/**
 * Reads `types` of an object: Map type -> Buffer, or { error: "CKR_..." }
 * for those the token refuses (sensitive, not on this class). One call
 * when all are readable, else one per attribute.
 */
export function readAttributes(p, session, handle, types) {
  const out = new Map();
  try {
    const got = p.C_GetAttributeValue(session, handle, types.map((type) => ({ type })));
    for (const a of got) out.set(a.type, a.value);
    return out;
  } catch {}
  for (const type of types) {
    try {
      out.set(type, p.C_GetAttributeValue(session, handle, [{ type }])[0].value);
    } catch (e) {
      out.set(type, { error: e.message });
    }
  }
  return out;
}

export const ulong = (b) => (b.length >= 4 ? b.readUInt32LE(0) : undefined);
export const bool = (b) => b.length > 0 && b[0] !== 0;
export const isValue = (v) => Buffer.isBuffer(v) || v instanceof Uint8Array;

/**
 * { text, json } of one attribute value for people and scripts.
 * `obj`: { cls, keyType } of the object (some values depend on them).
 */
export function decodeAttribute(lib, type, value, obj = {}) {
  const name = nameOf(lib, "CKA", type);
  if (!isValue(value)) {
    // A template attribute (CKA_WRAP_TEMPLATE...) comes back as an array.
    if (Array.isArray(value)) {
      const inner = value.map((a) => `${nameOf(lib, "CKA", a.type)}=${decodeAttribute(lib, a.type, a.value, obj).text}`);
      return { text: inner.length ? inner.join(", ") : "(empty)", json: Object.fromEntries(value.map((a) => [nameOf(lib, "CKA", a.type), decodeAttribute(lib, a.type, a.value, obj).json])) };
    }
    return { text: "?", json: null };
  }
  const b = Buffer.from(value);
  if (BOOL.has(name)) return { text: String(bool(b)), json: bool(b) };
  if (TEXT.has(name)) return { text: b.toString("utf8"), json: b.toString("utf8") };
  if (DATES.has(name)) {
    const s = b.toString("latin1");
    const t = b.length === 0 ? "(none)" : `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
    return { text: t, json: b.length === 0 ? null : t };
  }
  const n = ulong(b);
  const named = (text) => ({ text, json: text });
  switch (name) {
    case "CKA_CLASS":
      return named(nameOf(lib, "CKO", n));
    case "CKA_KEY_TYPE":
      return named(nameOf(lib, "CKK", n));
    case "CKA_CERTIFICATE_TYPE":
      return named(nameOf(lib, "CKC", n));
    case "CKA_KEY_GEN_MECHANISM":
    case "CKA_NAME_HASH_ALGORITHM":
    case "CKA_MECHANISM_TYPE":
      return n === 0xffffffff ? named("CK_UNAVAILABLE_INFORMATION") : named(mechanismName(lib, n));
    case "CKA_CERTIFICATE_CATEGORY":
      return named(CATEGORY_NAMES[n] ?? String(n));
    case "CKA_ALLOWED_MECHANISMS": {
      const list = [];
      for (let at = 0; at + 8 <= b.length; at += 8) list.push(mechanismName(lib, b.readUInt32LE(at)));
      return { text: list.length ? list.join(", ") : "(any)", json: list };
    }
    case "CKA_PARAMETER_SET": {
      const family = obj.keyType === lib.CKK_ML_KEM ? "ML_KEM" : obj.keyType === lib.CKK_ML_DSA ? "ML_DSA" : undefined;
      const match = family && Object.entries(lib).find(([k, v]) => k.startsWith(`CKP_${family}_`) && v === n);
      return named(match ? match[0] : String(n));
    }
    case "CKA_EC_PARAMS": {
      const curve = curveName(b);
      return { text: curve ? `${curve} (${b.toString("hex")})` : b.toString("hex"), json: { curve: curve ?? null, hex: b.toString("hex") } };
    }
    case "CKA_PUBLIC_EXPONENT":
      return b.length <= 6 ? named(String(b.readUIntBE(0, b.length || 1))) : named(b.toString("hex"));
    case "CKA_MODULUS":
      return { text: `${b.toString("hex")} (${bitLength(b)} bits)`, json: b.toString("hex") };
  }
  if (ULONG.has(name) && n !== undefined) return { text: String(n), json: n };
  return { text: b.length === 0 ? "(empty)" : b.toString("hex"), json: b.toString("hex") };
}

function bitLength(b) {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return i === b.length ? 0 : (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]));
}
