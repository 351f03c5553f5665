// The host AES in Node (src/mech/aes/host.rs, src/wasm/host_aes.rs): bulk
// ECB, CBC and GCM by OpenSSL through node:crypto (AES-NI or the CPU's
// equivalent, constant-time), 5-15x the wasm AES on large inputs. The
// core has already checked the key, its flags and the parameters, and
// strips CBC padding itself; this only runs the raw mode. Key, IV, AAD and
// data arrive as views of wasm memory: the key is never copied into the
// JavaScript heap (OpenSSL keeps its schedule in the cipher context,
// cleansed when the call ends), and decrypted output is wiped here once
// it is in wasm memory. node:crypto is loaded at the first bulk call,
// not with the package (it costs ~3 ms of start-up), and its two
// functions are copied out then, so a later change to its exports never
// sees a key.
import { createRequire } from "node:module";

const requireHere = createRequire(typeof __filename === "string" ? __filename : import.meta.url);
let ciphers;

const DONE = 1;
const BAD_TAG = 2;
const NOT_DONE = 0;

/** Runs the core's op (HostOp order: ECB enc/dec, CBC enc/dec, GCM seal/open) in place on `data`. */
function run(op, key, iv, aad, data, tag) {
  const bits = key.length * 8;
  if (bits !== 128 && bits !== 192 && bits !== 256) return NOT_DONE;
  const decrypting = op % 2 === 1;
  let out;
  try {
    ciphers ??= (({ createCipheriv, createDecipheriv }) => ({ createCipheriv, createDecipheriv }))(requireHere("node:crypto"));
    const { createCipheriv, createDecipheriv } = ciphers;
    if (op <= 3) {
      const name = `aes-${bits}-${op <= 1 ? "ecb" : "cbc"}`;
      const c = (decrypting ? createDecipheriv : createCipheriv)(name, key, op <= 1 ? null : iv);
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

/** The object the core calls (`JsHostAes`). */
export const nodeHostAes = Object.freeze({ run });
