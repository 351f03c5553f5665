// The 19 pkcs11js calls that also come in callback and Promise forms:
// `C_X(...args)`, `C_X(...args, cb)` (routed to `C_XCallback`) and
// `C_XAsync(...args)`. Arguments are checked synchronously in every form
// (TypeErrors throw, or reject in the Async form); the operation itself
// runs at call time on this thread (the engine is synchronous), and a
// callback always gets its result later, from a macrotask.
import { count, callback, bytes, handle } from "./args.js";
import { handleBytes } from "./bytes.js";
import { NOT_AN_ERROR, fail } from "./errors.js";
import * as mechanism from "./mechanism.js";
import { PKCS11, MODULE, into, output } from "./pkcs11.js";
import { OPS_3X } from "./pkcs11_3x.js";
import { OPS_KEM } from "./kem.js";
import { withExtra } from "./extra.js";
import * as template from "./template.js";

const CKR_FUNCTION_NOT_SUPPORTED = 0x54;
const defer = typeof setImmediate === "function" ? setImmediate : (f) => setTimeout(f, 0);

// Each entry: [sync argument count, prep]. `prep(m, a)` checks the
// arguments and returns `run(viaCallback)`, which calls the shell.
// `op`: the module's `crypt_into` operation (C_Encrypt, C_Decrypt; see
// `output` in pkcs11.js).
const oneShot = (fn, op) => [
  3,
  (m, a) => {
    const h = handle(a[0], 0);
    const d = bytes(a[1], 1);
    const o = bytes(a[2], 2);
    return () => output(m, op, fn, h, d, o, a[2]);
  },
];

const final = (fn) => [
  2,
  (m, a) => {
    const h = handle(a[0], 0);
    const o = bytes(a[1], 1);
    return () => into(a[1], m[fn](h, o.byteLength));
  },
];

// C_DigestEncryptUpdate & co.: checked, then CKR_FUNCTION_NOT_SUPPORTED.
const dual = [
  3,
  (m, a) => {
    handle(a[0], 0);
    bytes(a[1], 1);
    bytes(a[2], 2);
    return () => {
      throw CKR_FUNCTION_NOT_SUPPORTED;
    };
  },
];

const OPS = {
  C_Digest: oneShot("digest"),
  C_Sign: oneShot("sign"),
  C_Encrypt: oneShot("encrypt", 0),
  C_Decrypt: oneShot("decrypt", 1),
  C_DigestFinal: final("digest_final"),
  C_SignFinal: final("sign_final"),
  C_EncryptFinal: final("encrypt_final"),
  C_DecryptFinal: final("decrypt_final"),
  // true, or a thrown Pkcs11Error CKR_SIGNATURE_INVALID (never false).
  C_Verify: [
    3,
    (m, a) => {
      const h = handle(a[0], 0);
      const d = bytes(a[1], 1);
      const s = bytes(a[2], 2);
      return () => (m.verify(h, d, s), true);
    },
  ],
  C_VerifyFinal: [
    2,
    (m, a) => {
      const h = handle(a[0], 0);
      const s = bytes(a[1], 1);
      return () => (m.verify_final(h, s), true);
    },
  ],
  C_GenerateKey: [
    3,
    (m, a) => {
      const h = handle(a[0], 0);
      const mk = mechanism.parse(a[1], 1);
      const t = template.encode(a[2], 2);
      return () => handleBytes(m.generate_key(h, mk.kind, mk.param, t));
    },
  ],
  C_GenerateKeyPair: [
    4,
    (m, a) => {
      const h = handle(a[0], 0);
      const mk = mechanism.parse(a[1], 1);
      const pub = template.encode(a[2], 2);
      const priv = template.encode(a[3], 3);
      return (viaCallback) => {
        const [pu, pr] = m.generate_key_pair(h, mk.kind, mk.param, pub, priv);
        // pkcs11js's key order differs between its sync and worker paths.
        return viaCallback
          ? { publicKey: handleBytes(pu), privateKey: handleBytes(pr) }
          : { privateKey: handleBytes(pr), publicKey: handleBytes(pu) };
      };
    },
  ],
  C_DeriveKey: [
    4,
    (m, a) => {
      const h = handle(a[0], 0);
      const mk = mechanism.parse(a[1], 1);
      const base = handle(a[2], 2);
      const t = template.encode(a[3], 3);
      return () => handleBytes(m.derive_key(h, mk.kind, mk.param, base, t));
    },
  ],
  C_WrapKey: [
    5,
    (m, a) => {
      const h = handle(a[0], 0);
      const mk = mechanism.parse(a[1], 1);
      const wrapping = handle(a[2], 2);
      const key = handle(a[3], 3);
      const o = bytes(a[4], 4);
      return () => into(a[4], m.wrap_key(h, mk.kind, mk.param, wrapping, key, o.byteLength));
    },
  ],
  C_UnwrapKey: [
    5,
    (m, a) => {
      const h = handle(a[0], 0);
      const mk = mechanism.parse(a[1], 1);
      const unwrapping = handle(a[2], 2);
      const wrapped = bytes(a[3], 3);
      const t = template.encode(a[4], 4);
      return () => handleBytes(m.unwrap_key(h, mk.kind, mk.param, unwrapping, wrapped, t));
    },
  ],
  C_DigestEncryptUpdate: dual,
  C_DecryptDigestUpdate: dual,
  C_SignEncryptUpdate: dual,
  C_DecryptVerifyUpdate: dual,
  // pkcs11-wasm: PKCS#11 3.x calls that produce output (pkcs11_3x.js).
  ...OPS_3X,
  // pkcs11-wasm: C_EncapsulateKey / C_DecapsulateKey (kem.js).
  ...OPS_KEM,
};

function define(name, fn) {
  Object.defineProperty(PKCS11.prototype, name, { value: fn, writable: true, configurable: true });
}

for (const [name, [n, prep]] of Object.entries(OPS)) {
  define(name, {
    [name](...a) {
      if (a.length > n) return this[name + "Callback"](...a);
      const m = this[MODULE]();
      count(n, a.length);
      const run = prep(m, a);
      try {
        return run(false);
      } catch (e) {
        throw fail(e, name);
      }
    },
  }[name]);

  define(name + "Callback", {
    [name + "Callback"](...a) {
      const m = this[MODULE]();
      count(n + 1, a.length);
      const run = prep(m, a);
      const cb = callback(a[n], n);
      let result = null;
      let error = null;
      try {
        result = run(true);
      } catch (e) {
        error = fail(e, name);
      }
      defer(() => (error ? cb(error, null) : cb(null, result)));
    },
  }[name + "Callback"]);

  define(name + "Async", {
    [name + "Async"](...a) {
      return new Promise((resolve) => {
        const m = this[MODULE]();
        count(n + 1, a.length + 1); // as util.promisify(C_XCallback) counts
        let run = prep(m, a);
        // A page's main thread: await the extra module if the call needs it.
        // (An unnamed arrow: a named one gets the bundle's keepNames call,
        // a defineProperty, at every call.)
        resolve(
          withExtra(() => {
            try {
              // A retry encodes the arguments again: the shell wiped them.
              return (run ?? prep(m, a))(true);
            } catch (e) {
              const err = fail(e, name);
              // A group call taken out for group/facade.js to answer: this
              // form's result is not used, and a rejection would be tracked.
              if (err?.[NOT_AN_ERROR] === true) return undefined;
              throw err;
            } finally {
              run = undefined;
            }
          }),
        );
      });
    },
  }[name + "Async"]);
}
