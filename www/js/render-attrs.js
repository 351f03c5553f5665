// Attribute values as people read them: names for enumerations, numbers
// for integers, text for labels, curve names for EC parameters, and
// "sensitive" (with the reason) for values the token will not reveal.
import { K, CKA, CKO, CKK, CKM, CKC, nameOf, parameterSetName } from "./names.js";
import { attrKind, CURVES, oidText } from "./attr-kinds.js";
import { toHex, asText, ulongOf } from "./bytes.js";

/** { text, detail? } for one attribute value (a Uint8Array, or a nested template array). */
export function renderValue(type, value, object = {}) {
  const kind = attrKind(type);
  if (Array.isArray(value)) {
    if (value.length === 0) return { text: "(empty template)" };
    return { text: value.map((a) => `${nameOf(CKA, a.type)} = ${renderValue(a.type, a.value).text}`).join("; ") };
  }
  const b = value;
  if (b.length === 0 && kind !== "text") return { text: "(empty)" };
  switch (kind) {
    case "bool":
      return { text: b.length === 1 ? (b[0] ? "true" : "false") : toHex(b) };
    case "class":
      return enumText(b, CKO);
    case "keyType":
      return enumText(b, CKK);
    case "certType":
      return enumText(b, CKC);
    case "mechType":
      return enumText(b, CKM);
    case "paramSet": {
      const v = ulongOf(b);
      return { text: v === null ? toHex(b) : parameterSetName(v, object.keyType), detail: `${v}` };
    }
    case "ulong": {
      const v = ulongOf(b);
      return v === null ? { text: toHex(b) } : { text: String(v) };
    }
    case "text": {
      const s = asText(b);
      return s === null ? { text: toHex(b), detail: "not UTF-8" } : { text: s === "" ? "(empty)" : `"${s}"` };
    }
    case "date": {
      const s = asText(b);
      return s && /^\d{8}$/.test(s) ? { text: `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}` } : { text: toHex(b) };
    }
    case "bigint": {
      const n = BigInt("0x" + toHex(b));
      return b.length <= 8
        ? { text: `${n} (0x${toHex(b)})` }
        : { text: toHex(b), detail: `${b.length * 8 - (Math.clz32(b[0]) - 24)}-bit integer` };
    }
    case "mechs": {
      const list = [];
      for (let i = 0; i + 8 <= b.length; i += 8) list.push(nameOf(CKM, ulongOf(b.subarray(i, i + 8))));
      return { text: list.join(", ") || "(none)" };
    }
    case "ecParams":
      return ecParams(b);
    case "ecPoint":
      return { text: toHex(b), detail: ecPointDetail(b) };
    case "idBytes": {
      const s = asText(b);
      return { text: toHex(b), detail: s ? `text "${s}"` : undefined };
    }
    default: {
      const s = asText(b);
      return { text: toHex(b), detail: s && b.length > 1 ? `as text: "${s}"` : `${b.length} bytes` };
    }
  }
}

function enumText(b, table) {
  const v = ulongOf(b);
  return v === null ? { text: toHex(b) } : { text: nameOf(table, v), detail: `0x${v.toString(16)}` };
}

function ecParams(b) {
  const h = toHex(b);
  const known = CURVES.find((c) => c[2] === h);
  if (known) return { text: `${known[0]} (OID ${known[1]})`, detail: h };
  if (b[0] === 0x06 && b[1] === b.length - 2) return { text: `OID ${oidText(b.subarray(2))}`, detail: h };
  if (b[0] === 0x13 || b[0] === 0x0c) return { text: `curve name "${asText(b.subarray(2)) ?? "?"}"`, detail: h };
  return { text: h };
}

function ecPointDetail(b) {
  // DER OCTET STRING around the point; 04 = uncompressed (x, y).
  const inner = b[0] === 0x04 && b[1] === b.length - 2 ? b.subarray(2) : b;
  if (inner[0] === 0x04 && inner.length % 2 === 1) return `uncompressed point, ${((inner.length - 1) / 2) * 8}-bit coordinates`;
  return `${inner.length}-byte point`;
}

/** Why the token will not show a value, from the object's own flags. */
export function sensitiveReason(object) {
  const why = [];
  if (object.sensitive === true) why.push("CKA_SENSITIVE is true");
  if (object.extractable === false) why.push("CKA_EXTRACTABLE is false");
  if (why.length === 0) why.push("the token marks this attribute as secret");
  return `${why.join(" and ")}: the token never reveals this value in plain form; it can still be used${
    object.extractable === false ? "" : ", and wrapped under another key (C_WrapKey)"
  }.`;
}

/** Useful facts about an object from its summary attributes. */
export const SUMMARY_ATTRS = [
  "CKA_CLASS", "CKA_KEY_TYPE", "CKA_LABEL", "CKA_ID", "CKA_TOKEN", "CKA_PRIVATE", "CKA_SENSITIVE", "CKA_EXTRACTABLE",
  "CKA_LOCAL", "CKA_ENCRYPT", "CKA_DECRYPT", "CKA_SIGN", "CKA_VERIFY", "CKA_WRAP", "CKA_UNWRAP", "CKA_DERIVE",
  "CKA_VALUE_LEN", "CKA_MODULUS_BITS", "CKA_EC_PARAMS", "CKA_PARAMETER_SET", "CKA_UNIQUE_ID",
].filter((n) => K[n] !== undefined);

export const USAGE = ["CKA_ENCRYPT", "CKA_DECRYPT", "CKA_SIGN", "CKA_VERIFY", "CKA_WRAP", "CKA_UNWRAP", "CKA_DERIVE"];

/** Builds an object summary from C_GetAttributeValue records (one attribute each). */
export function summarize(handle, records) {
  const o = { handle, attrs: new Map() };
  for (const r of records) {
    if (!r.ok) continue;
    const t = r.value[0].type;
    o.attrs.set(t, r.value[0].value);
  }
  const get = (n) => o.attrs.get(K[n]);
  const bool = (n) => (get(n) ? get(n)[0] === 1 : undefined);
  const num = (n) => (get(n) ? ulongOf(get(n)) : undefined);
  o.cls = num("CKA_CLASS");
  o.keyType = num("CKA_KEY_TYPE");
  const label = get("CKA_LABEL");
  o.label = label ? (asText(label) ?? toHex(label)) : "";
  o.id = get("CKA_ID") ? toHex(get("CKA_ID")) : "";
  o.token = bool("CKA_TOKEN");
  o.private = bool("CKA_PRIVATE");
  o.sensitive = bool("CKA_SENSITIVE");
  o.extractable = bool("CKA_EXTRACTABLE");
  o.local = bool("CKA_LOCAL");
  o.uid = get("CKA_UNIQUE_ID") ? asText(get("CKA_UNIQUE_ID")) : null; // also the storage record's key
  o.usage = USAGE.filter((n) => bool(n)).map((n) => n.slice(4).toLowerCase());
  o.size = num("CKA_VALUE_LEN") ? `${num("CKA_VALUE_LEN") * 8}-bit`
    : num("CKA_MODULUS_BITS") ? `${num("CKA_MODULUS_BITS")}-bit`
    : get("CKA_EC_PARAMS") ? ecParams(get("CKA_EC_PARAMS")).text.replace(/ \(.*/, "")
    : get("CKA_PARAMETER_SET") ? parameterSetName(num("CKA_PARAMETER_SET"), o.keyType).replace(/^CKP_/, "")
    : "";
  o.className = o.cls === undefined ? "?" : nameOf(CKO, o.cls).replace(/^CKO_/, "");
  o.keyTypeName = o.keyType === undefined ? "" : nameOf(CKK, o.keyType).replace(/^CKK_/, "");
  return o;
}

/** A short line naming an object: "AES secret key 'demo' (#3)". */
export function objectTitle(o) {
  const what = o.keyTypeName ? `${o.keyTypeName} ${o.className.toLowerCase().replace(/_/g, " ")}` : o.className.toLowerCase().replace(/_/g, " ");
  return `#${o.handle} ${what}${o.label ? ` “${o.label}”` : ""}`;
}
