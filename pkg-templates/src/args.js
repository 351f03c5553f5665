// Argument checks with pkcs11js's TypeError messages (i = argument index).
import { isBytes, u8, utf8, handleValue } from "./bytes.js";

export function count(expected, received) {
  if (received !== expected) {
    throw new TypeError(`Parameters are required. Expected ${expected} arguments, but received ${received}.`);
  }
}

/** Like `count`, for the calls where we accept trailing PINs/labels missing. */
export function countBetween(min, max, received) {
  if (received < min || received > max) count(max, received);
}

export function bytes(v, i) {
  if (!isBytes(v)) throw new TypeError(`Argument ${i} has wrong type. Should be a Buffer`);
  return u8(v);
}

/** A Buffer handle -> its number. */
export function handle(v, i) {
  if (!isBytes(v)) throw new TypeError(`Argument ${i} has wrong type. Should be a Buffer`);
  if (v.byteLength !== 8) throw new TypeError(`Argument ${i} has wrong length. Should be 8 bytes.`);
  return handleValue(v);
}

/** A number read the way napi_get_value_uint32 does. */
export function number(v, i) {
  if (typeof v !== "number") throw new TypeError(`Argument ${i} has wrong type. Should be a Number`);
  return v >>> 0;
}

/** A string -> its UTF-8 bytes. */
export function string(v, i) {
  if (typeof v !== "string") throw new TypeError(`Argument ${i} has wrong type. Should be a String`);
  return utf8(v);
}

/** A PIN we allow to be left out (treated as empty); wrong types still throw. */
export function optionalString(v, i) {
  return v === undefined ? new Uint8Array(0) : string(v, i);
}

export function callback(v, i) {
  if (typeof v !== "function") throw new TypeError(`Argument ${i} has wrong type. Should be a Function`);
  return v;
}
