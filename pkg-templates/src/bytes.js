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

// The buffer, offset and length of an ArrayBufferView read from its
// internal slots, as N-API's napi_get_typedarray_info does for pkcs11js:
// the getters of %TypedArray%.prototype and DataView.prototype, taken when
// this module loads.
const apply = Reflect.apply;
const slot = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
const TYPED = Object.getPrototypeOf(Uint8Array.prototype);
const [taBuffer, taOffset, taLength] = ["buffer", "byteOffset", "byteLength"].map((n) => slot(TYPED, n));
const [dvBuffer, dvOffset, dvLength] = ["buffer", "byteOffset", "byteLength"].map((n) => slot(DataView.prototype, n));

/**
 * A new Uint8Array over the same memory as an ArrayBufferView (no copy),
 * its extent read from internal slots. Never the caller's object itself:
 * the wasm glue sizes its copies by `.length` and writes outputs with
 * `set`/`subarray`, so an own `length` (or a subclass's getter) smaller
 * than the real one overflowed the module's heap, and an own `set` was
 * handed a view of all of wasm memory (tests/js/attack_buffers.test.mjs).
 */
export function u8(v) {
  try {
    return new Uint8Array(apply(taBuffer, v, []), apply(taOffset, v, []), apply(taLength, v, []));
  } catch {
    return new Uint8Array(apply(dvBuffer, v, []), apply(dvOffset, v, []), apply(dvLength, v, []));
  }
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
  // Index reads of a Uint8Array are its real bytes whatever else it says.
  const b = v instanceof Uint8Array ? v : u8(v);
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
