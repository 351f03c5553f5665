// Byte helpers. pkcs11js hands out Node Buffers; we do the same wherever a
// global `Buffer` exists (Node, or a browser app that installed a polyfill)
// and fall back to plain Uint8Arrays otherwise. Looked up per call so a
// polyfill installed after this module loaded is still used.

const encoder = new TextEncoder();
// ignoreBOM: keep a leading U+FEFF like napi_create_string_utf8 does.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const TWO_32 = 4294967296;

/** Anything N-API's napi_is_buffer accepts: every ArrayBufferView. */
export function isBytes(v) {
  return ArrayBuffer.isView(v);
}

/** A Uint8Array over the same memory as an ArrayBufferView (no copy). */
export function u8(v) {
  return v instanceof Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

/** Wraps fresh bytes as a Buffer when the platform has one (no copy). */
export function out(bytes) {
  const B = globalThis.Buffer;
  return typeof B === "function" && typeof B.from === "function"
    ? B.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : bytes;
}

export function utf8(s) {
  return encoder.encode(s);
}

export function text(bytes) {
  return decoder.decode(bytes);
}

/** An 8-byte little-endian CK_ULONG of `v >>> 0` (pkcs11js's number encoding). */
export function ulong32(v) {
  const n = v >>> 0;
  return new Uint8Array([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24, 0, 0, 0, 0]);
}

/**
 * A handle (a non-negative integer below 2^53) as a fresh 8-byte LE Buffer.
 * Buffer.alloc rather than `out(new Uint8Array(...))`: wrapping an
 * ArrayBuffer in a Buffer cost ~10x more, half of C_OpenSession +
 * C_CloseSession.
 */
export function handleBytes(h) {
  const lo = h >>> 0;
  const hi = (h - lo) / TWO_32;
  const B = globalThis.Buffer;
  const b = typeof B === "function" && typeof B.alloc === "function" ? B.alloc(8) : new Uint8Array(8);
  b[0] = lo & 255;
  b[1] = (lo >>> 8) & 255;
  b[2] = (lo >>> 16) & 255;
  b[3] = lo >>> 24;
  b[4] = hi & 255;
  b[5] = (hi >>> 8) & 255;
  b[6] = (hi >>> 16) & 255;
  b[7] = hi >>> 24;
  return b;
}

/**
 * The number for an 8-byte LE handle. Values of 2^53 and above come out
 * inexact but stay >= 2^53, which the wasm shell maps to an invalid handle.
 */
export function handleValue(v) {
  const b = u8(v);
  const lo = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  const hi = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
  return hi * TWO_32 + lo;
}

/** Handles from a Float64Array the shell returned, as fresh Buffers. */
export function handleList(f64) {
  const list = new Array(f64.length);
  for (let i = 0; i < f64.length; i++) list[i] = handleBytes(f64[i]);
  return list;
}
