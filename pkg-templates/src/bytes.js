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

/**
 * A new Uint8Array over the bytes of `v` (an ArrayBufferView) for the
 * module to write into: never the caller's object itself, since the glue
 * calls `set`/`subarray` on it with a view of wasm memory, and a method
 * the caller defined on its buffer (or its class) would be handed that
 * view, all of the module's memory. What `v` says its buffer is decides
 * only where its own output goes.
 */
export function writableView(v) {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
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

/** Zeroed bytes: a Buffer where there is one (what pkcs11js returns), else a Uint8Array. */
function zeroed(n) {
  const B = globalThis.Buffer;
  return typeof B === "function" && typeof B.alloc === "function" ? B.alloc(n) : new Uint8Array(n);
}

/** Writes handle `h` (a non-negative integer below 2^53) at `b[at..at + 8]`, little-endian. */
function putHandle(b, at, h) {
  const lo = h >>> 0;
  const hi = (h - lo) / TWO_32;
  b[at] = lo & 255;
  b[at + 1] = (lo >>> 8) & 255;
  b[at + 2] = (lo >>> 16) & 255;
  b[at + 3] = lo >>> 24;
  b[at + 4] = hi & 255;
  b[at + 5] = (hi >>> 8) & 255;
  b[at + 6] = (hi >>> 16) & 255;
  b[at + 7] = hi >>> 24;
}

/**
 * A handle (a non-negative integer below 2^53) as a fresh 8-byte LE Buffer.
 * Buffer.alloc rather than `out(new Uint8Array(...))`: wrapping an
 * ArrayBuffer in a Buffer cost ~10x more, half of C_OpenSession +
 * C_CloseSession.
 */
export function handleBytes(h) {
  const b = zeroed(8);
  putHandle(b, 0, h);
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

/**
 * Handles from a Float64Array the shell returned, as 8-byte Buffers:
 * views of one block that holds only these handles (a fresh block per
 * handle cost ~2 ms per 1,000, a C_FindObjects of a whole token).
 */
export function handleList(f64) {
  const block = zeroed(8 * f64.length);
  const list = new Array(f64.length);
  for (let i = 0; i < f64.length; i++) {
    putHandle(block, 8 * i, f64[i]);
    list[i] = block.subarray(8 * i, 8 * i + 8);
  }
  return list;
}
