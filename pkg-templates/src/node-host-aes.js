// The host AES in Node (src/mech/aes/host.rs, src/wasm/host_aes.rs): bulk
// ECB, CBC and GCM by OpenSSL through node:crypto (AES-NI or the CPU's
// equivalent, constant-time), 5-15x the wasm AES on large inputs. The
// core has already checked the key, its flags and the parameters, and
// strips CBC padding itself; this only runs the raw mode. Key, IV, AAD and
// data arrive as views of wasm memory: the key is never copied into the
// JavaScript heap (OpenSSL keeps its schedule in the cipher context,
// cleansed when the call ends), and decrypted output is wiped here once
// it is in wasm memory.
//
// node:crypto is loaded at the first bulk call, not with the package (it
// costs ~3 ms of start-up); its two functions are copied out then, so a
// later change to its exports never sees a key, and checked once against
// known answers: a runtime whose node:crypto answers wrongly (another
// engine's emulation, a polyfill) is never used, the wasm AES is.
import { createRequire } from "node:module";

const requireHere = createRequire(typeof __filename === "string" ? __filename : import.meta.url);

const DONE = 1;
const BAD_TAG = 2;
const NOT_DONE = 0;
const [ECB_ENCRYPT, ECB_DECRYPT, CBC_ENCRYPT, CBC_DECRYPT, GCM_SEAL, GCM_OPEN] = [0, 1, 2, 3, 4, 5];

/** { createCipheriv, createDecipheriv } once node:crypto passed the known answers; null if it did not; undefined before the first call. */
let ciphers;

/** Runs the core's op (HostOp order: ECB enc/dec, CBC enc/dec, GCM seal/open) in place on `data`. */
function run(op, key, iv, aad, data, tag) {
  if (ciphers === undefined) ciphers = checkedCiphers();
  return ciphers === null ? NOT_DONE : compute(ciphers, op, key, iv, aad, data, tag);
}

function compute({ createCipheriv, createDecipheriv }, op, key, iv, aad, data, tag) {
  const bits = key.length * 8;
  if (bits !== 128 && bits !== 192 && bits !== 256) return NOT_DONE;
  const decrypting = op % 2 === 1;
  let out;
  try {
    if (op <= CBC_DECRYPT) {
      const name = `aes-${bits}-${op <= ECB_DECRYPT ? "ecb" : "cbc"}`;
      const c = (decrypting ? createDecipheriv : createCipheriv)(name, key, op <= ECB_DECRYPT ? null : iv);
      c.setAutoPadding(false);
      out = c.update(data);
      if (c.final().length !== 0) return NOT_DONE;
    } else {
      const name = `aes-${bits}-gcm`;
      const options = { authTagLength: tag.length };
      const c = (decrypting ? createDecipheriv : createCipheriv)(name, key, iv, options);
      if (aad.length) c.setAAD(aad);
      if (decrypting) c.setAuthTag(tag);
      out = c.update(data);
      try {
        c.final();
      } catch {
        return decrypting ? BAD_TAG : NOT_DONE;
      }
      if (!decrypting) {
        const t = c.getAuthTag();
        if (t.length !== tag.length) return NOT_DONE;
        tag.set(t);
      }
    }
    if (out.length !== data.length) return NOT_DONE;
    data.set(out);
    return DONE;
  } catch {
    return NOT_DONE;
  } finally {
    if (decrypting) out?.fill(0);
  }
}

const hex = (s) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// Known answers: FIPS 197 C.3 (AES-256), SP 800-38A F.2.1/F.2.2 (CBC-AES128,
// first block), and GCM test case 5 of McGrew and Viega's GCM
// specification (a 64-bit IV, which goes through GHASH).
const KAT = {
  ecb: ["000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "00112233445566778899aabbccddeeff", "8ea2b7ca516745bfeafc49904b496089"],
  cbc: ["2b7e151628aed2a6abf7158809cf4f3c", "000102030405060708090a0b0c0d0e0f", "6bc1bee22e409f96e93d7e117393172a", "7649abac8119b246cee98e9b12e9197d"],
  gcm: [
    "feffe9928665731c6d6a8f9467308308",
    "cafebabefacedbad",
    "feedfacedeadbeeffeedfacedeadbeefabaddad2",
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
    "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598",
    "3612d2e79e3b0785561be14aaca2fccb",
  ],
};

/** Both ways of one op pair on a known answer: encrypting gives `want`, decrypting gives `plain` back. */
function roundTrip(fns, [enc, dec], key, iv, aad, plain, want, tag = new Uint8Array(0), wantTag = tag) {
  const data = Uint8Array.from(plain);
  const t = new Uint8Array(tag.length);
  if (compute(fns, enc, key, iv, aad, data, t) !== DONE || !same(data, want) || !same(t, wantTag)) return false;
  if (compute(fns, dec, key, iv, aad, data, Uint8Array.from(wantTag)) !== DONE || !same(data, plain)) return false;
  return true;
}

/** node:crypto's cipher functions if they give the known answers (and refuse a bad GCM tag), else null. */
function checkedCiphers() {
  try {
    const { createCipheriv, createDecipheriv } = requireHere("node:crypto");
    const fns = { createCipheriv, createDecipheriv };
    const [ecbKey, ecbPlain, ecbCipher] = KAT.ecb.map(hex);
    const [cbcKey, cbcIv, cbcPlain, cbcCipher] = KAT.cbc.map(hex);
    const [gcmKey, gcmIv, gcmAad, gcmPlain, gcmCipher, gcmTag] = KAT.gcm.map(hex);
    const none = new Uint8Array(0);
    const badTag = Uint8Array.from(gcmTag, (b, i) => (i === 0 ? b ^ 1 : b));
    const ok =
      roundTrip(fns, [ECB_ENCRYPT, ECB_DECRYPT], ecbKey, none, none, ecbPlain, ecbCipher) &&
      roundTrip(fns, [CBC_ENCRYPT, CBC_DECRYPT], cbcKey, cbcIv, none, cbcPlain, cbcCipher) &&
      roundTrip(fns, [GCM_SEAL, GCM_OPEN], gcmKey, gcmIv, gcmAad, gcmPlain, gcmCipher, new Uint8Array(16), gcmTag) &&
      compute(fns, GCM_OPEN, gcmKey, gcmIv, gcmAad, Uint8Array.from(gcmCipher), badTag) === BAD_TAG;
    return ok ? fns : null;
  } catch {
    return null;
  }
}

/** The object the core calls (`JsHostAes`); `usable()`: false once node:crypto failed its known answers. */
export const nodeHostAes = Object.freeze({ run, usable: () => ciphers !== null });
