// pkcs11-wasm: the PKCS#11 3.2 key encapsulation functions (pkcs11js has
// none), in pkcs11js's style. async.js adds their callback and ...Async
// forms from `OPS_KEM`.
//
//   C_EncapsulateKey(session, mechanism, publicKey, template, ciphertext)
//     -> { ciphertext, key }: the ciphertext is written into the caller's
//        Buffer and returned as `ciphertext.subarray(0, n)`; `key` is the
//        new secret key's handle. A Buffer too small throws
//        CKR_BUFFER_TOO_SMALL and creates no key.
//   C_DecapsulateKey(session, mechanism, privateKey, template, ciphertext)
//     -> the new secret key's handle.
import { bytes, handle } from "./args.js";
import { handleBytes, out } from "./bytes.js";
import * as mechanism from "./mechanism.js";
import { into } from "./pkcs11.js";
import * as template from "./template.js";

export const OPS_KEM = {
  C_EncapsulateKey: [
    5,
    (m, a) => {
      const h = handle(a[0], 0);
      const mk = mechanism.parse(a[1], 1);
      const key = handle(a[2], 2);
      const t = template.encode(a[3], 3);
      const o = bytes(a[4], 4);
      return () => {
        // The shell answers [handle: 8 bytes LE][ciphertext].
        const answer = m.encapsulate_key(h, mk.kind, mk.param, key, t, o.byteLength);
        return { ciphertext: into(a[4], answer.subarray(8)), key: out(answer.slice(0, 8)) };
      };
    },
  ],
  C_DecapsulateKey: [
    5,
    (m, a) => {
      const h = handle(a[0], 0);
      const mk = mechanism.parse(a[1], 1);
      const key = handle(a[2], 2);
      const t = template.encode(a[3], 3);
      const c = bytes(a[4], 4);
      return () => handleBytes(m.decapsulate_key(h, mk.kind, mk.param, key, t, c));
    },
  ],
};
