// Byte helpers: hex, base64, UTF-8, little-endian CK_ULONGs.
const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

export const utf8 = (s) => enc.encode(s);

export function toHex(b) {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Hex with optional spaces, colons or 0x; throws on anything else. */
export function fromHex(s) {
  const clean = s.replace(/^0x/i, "").replace(/[\s:]/g, "");
  if (!/^([0-9a-f]{2})*$/i.test(clean)) throw new Error("not hex (an even number of 0-9 a-f digits)");
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

export function toBase64(b) {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

export function fromBase64(s) {
  let bin;
  try {
    bin = atob(s.replace(/\s/g, ""));
  } catch {
    throw new Error("not base64");
  }
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** UTF-8 text if the bytes are printable text, else null. */
export function asText(b) {
  if (b.length === 0) return "";
  try {
    const s = dec.decode(b);
    return /^[\P{C}\n\t]*$/u.test(s) ? s : null;
  } catch {
    return null;
  }
}

/** A CK_ULONG attribute value (8 bytes little-endian here) as a number. */
export function ulongOf(b) {
  if (b.length === 8) return Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true));
  if (b.length === 4) return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  return null;
}

/** The bytes of a list of CK_ULONGs (CKA_ALLOWED_MECHANISMS). */
export function ulongList(values) {
  const b = new Uint8Array(values.length * 8);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv.setBigUint64(i * 8, BigInt(v), true));
  return b;
}

export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Short hex for lists: "3f9a…c2 (32 bytes)". */
export function shortHex(b, max = 16) {
  if (b.length <= max) return toHex(b) || "(empty)";
  return `${toHex(b.subarray(0, max / 2))}…${toHex(b.subarray(b.length - 4))} (${b.length} bytes)`;
}
