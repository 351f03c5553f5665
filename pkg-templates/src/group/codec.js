// A small binary encoding of the values a member's answer holds (numbers,
// strings, byte arrays, arrays, plain objects), for the one path that
// cannot use postMessage: a synchronous call, where the caller blocks in
// Atomics.wait and reads the answer from shared memory (channel.js).
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_NUMBER = 4;
const T_STRING = 5;
const T_BYTES = 6;
const T_F64 = 7;
const T_I32 = 8;
const T_ARRAY = 9;
const T_OBJECT = 10;

class Writer {
  constructor() {
    this.buf = new Uint8Array(256);
    this.dv = new DataView(this.buf.buffer);
    this.at = 0;
  }
  room(n) {
    if (this.at + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
  u8(v) {
    this.room(1);
    this.buf[this.at++] = v;
  }
  u32(v) {
    this.room(4);
    this.dv.setUint32(this.at, v, true);
    this.at += 4;
  }
  f64(v) {
    this.room(8);
    this.dv.setFloat64(this.at, v, true);
    this.at += 8;
  }
  bytes(b) {
    this.u32(b.byteLength);
    this.room(b.byteLength);
    this.buf.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), this.at);
    this.at += b.byteLength;
  }
}

function write(w, v) {
  if (v === undefined) return w.u8(T_UNDEFINED);
  if (v === null) return w.u8(T_NULL);
  if (v === false) return w.u8(T_FALSE);
  if (v === true) return w.u8(T_TRUE);
  if (typeof v === "number") {
    w.u8(T_NUMBER);
    return w.f64(v);
  }
  if (typeof v === "string") {
    w.u8(T_STRING);
    return w.bytes(encoder.encode(v));
  }
  if (v instanceof Uint8Array) {
    w.u8(T_BYTES);
    return w.bytes(v);
  }
  if (v instanceof Float64Array) {
    w.u8(T_F64);
    return w.bytes(v);
  }
  if (v instanceof Int32Array) {
    w.u8(T_I32);
    return w.bytes(v);
  }
  if (Array.isArray(v)) {
    w.u8(T_ARRAY);
    w.u32(v.length);
    for (const x of v) write(w, x);
    return;
  }
  if (typeof v === "object") {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined);
    w.u8(T_OBJECT);
    w.u32(keys.length);
    for (const k of keys) {
      w.bytes(encoder.encode(k));
      write(w, v[k]);
    }
    return;
  }
  throw new TypeError(`pkcs11-wasm: cannot encode a ${typeof v} for a member's answer`);
}

/** Encodes `value` as bytes. */
export function encode(value) {
  const w = new Writer();
  write(w, value);
  return w.buf.subarray(0, w.at);
}

/** Decodes what `encode` made. */
export function decode(buf) {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  const u32 = () => {
    const v = dv.getUint32(at, true);
    at += 4;
    return v;
  };
  const slice = () => {
    const n = u32();
    const s = buf.slice(at, at + n);
    at += n;
    return s;
  };
  const read = () => {
    const t = buf[at++];
    switch (t) {
      case T_UNDEFINED:
        return undefined;
      case T_NULL:
        return null;
      case T_FALSE:
        return false;
      case T_TRUE:
        return true;
      case T_NUMBER: {
        const v = dv.getFloat64(at, true);
        at += 8;
        return v;
      }
      case T_STRING:
        return decoder.decode(slice());
      case T_BYTES:
        return slice();
      case T_F64:
        return new Float64Array(slice().buffer);
      case T_I32:
        return new Int32Array(slice().buffer);
      case T_ARRAY: {
        const n = u32();
        const out = new Array(n);
        for (let i = 0; i < n; i++) out[i] = read();
        return out;
      }
      case T_OBJECT: {
        const n = u32();
        const out = {};
        for (let i = 0; i < n; i++) {
          const k = decoder.decode(slice());
          out[k] = read();
        }
        return out;
      }
      default:
        throw new TypeError(`pkcs11-wasm: damaged member answer (tag ${t})`);
    }
  };
  return read();
}
