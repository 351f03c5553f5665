// Templates: pkcs11js's `{type, value}` arrays -> the shell's flat encoding
// (`[type u32 LE][len u32 LE][value]` per attribute), and C_GetAttributeValue
// answers back onto the caller's array.
import { isBytes, u8, utf8, ulong32, out } from "./bytes.js";
import { pkcs11Error } from "./errors.js";

const CKA_START_DATE = 0x110;
const CKA_END_DATE = 0x111;
const CKR_BUFFER_TOO_SMALL = 0x150;
const EMPTY = new Uint8Array(0);

const hex8 = (t) => "0x" + t.toString(16).toUpperCase().padStart(8, "0");

/**
 * pkcs11-wasm: template attributes (CKA_WRAP_TEMPLATE, CKA_UNWRAP_TEMPLATE,
 * CKA_DERIVE_TEMPLATE, CKA_ENCAPSULATE_TEMPLATE, CKA_DECAPSULATE_TEMPLATE),
 * whose C value is a CK_ATTRIBUTE array that pkcs11js cannot express. Here
 * their `value` may be a template array (`[{type, value}]`, values encoded
 * as at the top level), and C_GetAttributeValue returns them as such an
 * array with Buffer values. A Buffer value is passed through as the
 * engine's stored form (src/attr/template.rs): per entry, type and length
 * as 8-byte little-endian CK_ULONGs, then the value.
 */
const TEMPLATE_ATTRIBUTES = new Set([0x40000211, 0x40000212, 0x40000213, 0x62a, 0x62b]);

function encodeNested(list, k) {
  const parts = [];
  let size = 0;
  for (const el of list) {
    if (el === null || typeof el !== "object") throw new TypeError(`Element ${k} has wrong type. Should be an Object`);
    if (typeof el.type !== "number") throw new TypeError(`Element ${k} has wrong type. Property 'type' should be a Number`);
    const type = el.type >>> 0;
    const value = encodeValue(el.value, type, k);
    parts.push([type, value]);
    size += 16 + value.length;
  }
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  let off = 0;
  for (const [type, value] of parts) {
    dv.setUint32(off, type, true);
    dv.setUint32(off + 8, value.length, true);
    buf.set(value, off + 16);
    off += 16 + value.length;
  }
  return buf;
}

function decodeNested(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const list = [];
  for (let off = 0; off + 16 <= bytes.length; ) {
    const type = dv.getUint32(off, true);
    const len = dv.getUint32(off + 8, true);
    list.push({ type, value: out(bytes.slice(off + 16, off + 16 + len)) });
    off += 16 + len;
  }
  return list;
}

/**
 * pkcs11js converts `Date` values of CKA_START_DATE / CKA_END_DATE to
 * "YYYYMMDD" (UTC), in place, in C_CreateObject, C_CopyObject and
 * C_SetAttributeValue only.
 */
export function convertDates(template) {
  if (!Array.isArray(template)) return;
  for (const attr of template) {
    if (attr === null || typeof attr !== "object") continue; // reported by parse()
    if ((attr.type === CKA_START_DATE || attr.type === CKA_END_DATE) && attr.value instanceof Date) {
      attr.value = out(utf8(attr.value.toISOString().slice(0, 10).replace(/-/g, "")));
    }
  }
}

/** One attribute value as bytes, or a TypeError as pkcs11js raises it. */
function encodeValue(value, type, k) {
  let bytes;
  const kind = typeof value;
  if (value === undefined || value === null) bytes = null;
  else if (kind === "number") bytes = ulong32(value);
  else if (kind === "boolean") bytes = new Uint8Array([value ? 1 : 0]);
  else if (kind === "string") bytes = utf8(value);
  else if (isBytes(value)) bytes = u8(value);
  else if (Array.isArray(value) && TEMPLATE_ATTRIBUTES.has(type)) bytes = encodeNested(value, k);
  else throw new TypeError(`Element ${k} has wrong type. Property 'value' should be a Number, Boolean, String or Buffer`);
  if (type === CKA_START_DATE || type === CKA_END_DATE) {
    if (kind === "number" || kind === "boolean") {
      throw new TypeError(`Attribute with type ${hex8(type)} is not convertible to CK_DATE. Should be a String, Buffer or Date`);
    }
    if (bytes !== null && bytes.length < 8) {
      throw new TypeError(
        `Attribute with type ${hex8(type)} is not convertible to CK_DATE. The length of the data should be at least 8 bytes.`,
      );
    }
  }
  return bytes ?? EMPTY;
}

/** Checks a template argument (index i): `{types: Uint32Array, values: Uint8Array[]}`. */
export function parse(template, i) {
  if (!Array.isArray(template)) throw new TypeError(`Argument ${i} has wrong type. Should be an Array`);
  const n = template.length;
  const types = new Uint32Array(n);
  const values = new Array(n);
  for (let k = 0; k < n; k++) {
    const el = template[k];
    if (el === null || typeof el !== "object") throw new TypeError(`Element ${k} has wrong type. Should be an Object`);
    const type = el.type;
    if (typeof type !== "number") throw new TypeError(`Element ${k} has wrong type. Property 'type' should be a Number`);
    types[k] = type >>> 0;
    values[k] = encodeValue(el.value, types[k], k);
  }
  return { types, values };
}

/**
 * A template argument in the shell's flat encoding, as `parse` checks it.
 * Numbers and booleans (most attributes) go straight into the one buffer:
 * a small array per value and a DataView cost ~1 µs of every call that
 * takes a template. Each element's `type` and `value` are read once.
 */
export function encode(template, i) {
  if (!Array.isArray(template)) throw new TypeError(`Argument ${i} has wrong type. Should be an Array`);
  const n = template.length;
  const types = new Array(n);
  const values = new Array(n); // a number or boolean as given, or bytes
  let size = 0;
  for (let k = 0; k < n; k++) {
    const el = template[k];
    if (el === null || typeof el !== "object") throw new TypeError(`Element ${k} has wrong type. Should be an Object`);
    const type = el.type;
    if (typeof type !== "number") throw new TypeError(`Element ${k} has wrong type. Property 'type' should be a Number`);
    const t = type >>> 0;
    const value = el.value;
    const kind = typeof value;
    types[k] = t;
    if ((kind === "number" || kind === "boolean") && t !== CKA_START_DATE && t !== CKA_END_DATE) {
      values[k] = value;
      size += kind === "number" ? 16 : 9;
    } else {
      values[k] = encodeValue(value, t, k);
      size += 8 + values[k].length;
    }
  }
  const buf = new Uint8Array(size);
  let off = 0;
  for (let k = 0; k < n; k++) {
    const v = values[k];
    const kind = typeof v;
    const len = kind === "number" ? 8 : kind === "boolean" ? 1 : v.length;
    put32(buf, off, types[k]);
    put32(buf, off + 4, len);
    // A CK_ULONG is 8 bytes little-endian; the high 4 stay zero (ulong32).
    if (kind === "number") put32(buf, off + 8, v >>> 0);
    else if (kind === "boolean") buf[off + 8] = v ? 1 : 0;
    else buf.set(v, off + 8);
    off += 8 + len;
  }
  return buf;
}

function put32(b, at, v) {
  b[at] = v & 255;
  b[at + 1] = (v >>> 8) & 255;
  b[at + 2] = (v >>> 16) & 255;
  b[at + 3] = v >>> 24;
}

/**
 * Puts a C_GetAttributeValue answer (see `get_attribute_value` in
 * src/wasm.rs) onto the caller's template, all or nothing, as pkcs11js's
 * two-call sequence would: any unreadable attribute throws; an input value
 * shorter than the attribute throws CKR_BUFFER_TOO_SMALL.
 */
export function applyAttributeValues(template, parsed, answer, method) {
  const dv = new DataView(answer.buffer, answer.byteOffset, answer.byteLength);
  const overall = dv.getUint32(0, true);
  if (overall !== 0) throw pkcs11Error(overall, method);
  const found = new Array(parsed.types.length);
  let off = 4;
  for (let k = 0; k < found.length; k++) {
    const len = dv.getUint32(off + 4, true);
    const given = parsed.values[k].length;
    if (given > 0 && given < len) throw pkcs11Error(CKR_BUFFER_TOO_SMALL, method);
    found[k] = answer.slice(off + 8, off + 8 + len);
    off += 8 + len;
  }
  answer.fill(0); // the values now live only in the caller's Buffers
  // Dates come back as their raw bytes; pkcs11js would throw a TypeError
  // for an empty date instead (we return an empty Buffer).
  for (let k = 0; k < found.length; k++) {
    template[k].value = TEMPLATE_ATTRIBUTES.has(parsed.types[k]) ? decodeNested(found[k]) : out(found[k]);
  }
  return template;
}
