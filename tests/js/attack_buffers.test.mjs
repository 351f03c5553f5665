// Attacker: a caller whose Buffers lie. pkcs11js reads a Buffer's real
// bytes (N-API), whatever JavaScript properties say; the wasm glue sizes
// its copies by `.length` and writes with `set`/`subarray`, so a Buffer
// with an own `length` smaller than its real one overflowed the module's
// heap (a wasm trap, then every call failing), and an output Buffer with
// its own `set` was handed a view of all of wasm memory, keys included.
// Every argument below is offered as an honest Buffer and as liars; the
// answers must be the honest ones (the real bytes are what count, as in
// pkcs11js), the module must stay usable, and no liar's method may be
// handed a view of the module's memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { C, SESSION_KEY, openUserSession } from "./fixtures/token-session.mjs";

const token = openUserSession("attack-buffers");
const { pkcs11, s } = token;
const secret = crypto.randomBytes(32);
const aes = token.createKey(C.CKO_SECRET_KEY, C.CKK_AES, [
  { type: C.CKA_VALUE, value: secret },
  { type: C.CKA_ENCRYPT, value: true },
  { type: C.CKA_DECRYPT, value: true },
  { type: C.CKA_SENSITIVE, value: true },
  { type: C.CKA_EXTRACTABLE, value: false },
  SESSION_KEY,
]);
const hmacKey = token.createKey(C.CKO_SECRET_KEY, C.CKK_GENERIC_SECRET, [
  { type: C.CKA_VALUE, value: crypto.randomBytes(32) },
  { type: C.CKA_SIGN, value: true },
  { type: C.CKA_VERIFY, value: true },
  SESSION_KEY,
]);

/** Typed arrays handed to a liar's methods (their buffers). */
const seen = [];
const note = (args) => {
  for (const a of args) if (ArrayBuffer.isView(a)) seen.push(a.buffer);
};
const METHODS = ["set", "subarray", "slice", "fill", "copyWithin", "map", "filter", "at"];

/** A subclass whose methods spy, honest about its length. */
class Spying extends Uint8Array {}
for (const name of METHODS) {
  Spying.prototype[name] = function (...args) {
    note(args);
    return Uint8Array.prototype[name].apply(this, args);
  };
}

/** The same, lying about its length too. */
class Lying extends Spying {
  get length() {
    return 1;
  }
  get byteLength() {
    return 1;
  }
}

/**
 * The same bytes as `buf`, as liars: a Buffer with its own spying methods
 * (honest length, then with own `length`/`byteLength` of 1), and the two
 * subclasses. A liar about its length fails some calls early, so spies
 * with honest lengths are there to reach every copy.
 */
function liars(buf) {
  const ownMethods = (lie) => {
    const b = Buffer.from(buf);
    if (lie) {
      Object.defineProperty(b, "length", { value: 1 });
      Object.defineProperty(b, "byteLength", { value: 1 });
    }
    for (const name of METHODS) {
      const original = b[name];
      Object.defineProperty(b, name, {
        value(...args) {
          note(args);
          return original.apply(this, args);
        },
      });
    }
    return b;
  };
  const subclass = (Class) => {
    const b = new Class(buf.byteLength);
    Uint8Array.prototype.set.call(b, buf);
    return b;
  };
  return [ownMethods(false), subclass(Spying), ownMethods(true), subclass(Lying)];
}

/** What a call answered, in bytes read from internal slots (a liar's view lies about its length), or the error's message. */
const show = (f) => {
  try {
    const r = f();
    // slice copies by the real length (into the same class: its buffer is exact).
    return r !== null && typeof r === "object" ? Buffer.from(Uint8Array.prototype.slice.call(r).buffer).toString("hex") : r;
  } catch (e) {
    return e.message;
  }
};

/** The first `n` bytes of `b` as they really are (whatever `b` says), as a plain Buffer. */
const real = (b, n) => Buffer.from(Uint8Array.prototype.slice.call(b, 0, n).buffer);

/** `call(arg)` with `honest` and with each liar: the same answer, and the module still answers. */
function sameAnswers(what, honest, call) {
  const want = show(() => call(honest));
  for (const [i, liar] of liars(honest).entries()) {
    assert.equal(show(() => call(liar)), want, `${what}, liar ${i}`);
    pkcs11.C_DigestInit(s, { mechanism: C.CKM_SHA256 });
    assert.equal(Buffer.from(pkcs11.C_Digest(s, Buffer.from("x"), Buffer.alloc(32))).length, 32, `${what}, liar ${i}: the module is still usable`);
  }
}

test("data, signatures and output buffers that misstate their length: the real bytes count, the module stays usable", () => {
  const data = crypto.randomBytes(4096);
  const iv = crypto.randomBytes(16);
  const cbc = { mechanism: C.CKM_AES_CBC, parameter: iv };
  sameAnswers("C_Digest data", data, (d) => {
    pkcs11.C_DigestInit(s, { mechanism: C.CKM_SHA256 });
    return pkcs11.C_Digest(s, d, Buffer.alloc(32));
  });
  sameAnswers("C_DigestUpdate data", data, (d) => {
    pkcs11.C_DigestInit(s, { mechanism: C.CKM_SHA256 });
    pkcs11.C_DigestUpdate(s, d);
    return pkcs11.C_DigestFinal(s, Buffer.alloc(32));
  });
  sameAnswers("C_Encrypt data", data, (d) => {
    pkcs11.C_EncryptInit(s, cbc, aes);
    return pkcs11.C_Encrypt(s, d, Buffer.alloc(4096));
  });
  // Outputs: what was written into the buffer (the returned view is the
  // caller's own object's subarray, lies included).
  sameAnswers("C_Encrypt output", Buffer.alloc(4096), (out) => {
    pkcs11.C_EncryptInit(s, cbc, aes);
    pkcs11.C_Encrypt(s, data, out);
    return real(out, 4096);
  });
  sameAnswers("C_EncryptUpdate output", Buffer.alloc(4096), (out) => {
    pkcs11.C_EncryptInit(s, cbc, aes);
    pkcs11.C_EncryptUpdate(s, data, out);
    pkcs11.C_EncryptFinal(s, Buffer.alloc(16));
    return real(out, 4096);
  });
  sameAnswers("C_Sign data", data, (d) => {
    pkcs11.C_SignInit(s, { mechanism: C.CKM_SHA256_HMAC }, hmacKey);
    return pkcs11.C_Sign(s, d, Buffer.alloc(32));
  });
  pkcs11.C_SignInit(s, { mechanism: C.CKM_SHA256_HMAC }, hmacKey);
  const mac = Buffer.from(pkcs11.C_Sign(s, data, Buffer.alloc(32)));
  sameAnswers("C_Verify signature", mac, (sig) => {
    pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_HMAC }, hmacKey);
    return pkcs11.C_Verify(s, data, sig);
  });
  sameAnswers("C_GenerateRandom output", Buffer.alloc(64), (out) => {
    pkcs11.C_GenerateRandom(s, out);
    return real(out, 64).some((b) => b !== 0);
  });
});

test("mechanism parameters and template values that misstate their length", () => {
  const data = crypto.randomBytes(64);
  sameAnswers("raw IV parameter", crypto.randomBytes(16), (iv) => {
    pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_CBC_PAD, parameter: iv }, aes);
    return pkcs11.C_Encrypt(s, data, Buffer.alloc(128));
  });
  sameAnswers("GCM iv field", crypto.randomBytes(12), (iv) => {
    pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv, tagBits: 128 } }, aes);
    return pkcs11.C_Encrypt(s, data, Buffer.alloc(128));
  });
  sameAnswers("GCM aad field", crypto.randomBytes(4000), (aad) => {
    pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv: Buffer.alloc(12, 1), aad, tagBits: 128 } }, aes);
    return pkcs11.C_Encrypt(s, data, Buffer.alloc(128));
  });
  sameAnswers("CKA_VALUE in a template", crypto.randomBytes(32), (value) => {
    const k = token.createKey(C.CKO_SECRET_KEY, C.CKK_AES, [{ type: C.CKA_VALUE, value }, { type: C.CKA_ENCRYPT, value: true }, SESSION_KEY]);
    pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, k);
    return pkcs11.C_Encrypt(s, Buffer.alloc(16), Buffer.alloc(16));
  });
  sameAnswers("CKA_LABEL in a template", Buffer.from("a label of some length"), (label) => {
    const o = pkcs11.C_CreateObject(s, [
      { type: C.CKA_CLASS, value: C.CKO_DATA },
      { type: C.CKA_LABEL, value: label },
      SESSION_KEY,
    ]);
    return pkcs11.C_GetAttributeValue(s, o, [{ type: C.CKA_LABEL }])[0].value;
  });
});

test("output buffers with their own methods, through every form (sync, update/final, callback, Async): the real bytes are written", async () => {
  const plain = crypto.randomBytes(3000);
  const mech = { mechanism: C.CKM_AES_CBC_PAD, parameter: crypto.randomBytes(16) };
  pkcs11.C_EncryptInit(s, mech, aes);
  const sealed = Buffer.from(pkcs11.C_Encrypt(s, plain, Buffer.alloc(3008)));
  for (const out of liars(Buffer.alloc(4096))) {
    pkcs11.C_EncryptInit(s, mech, aes);
    pkcs11.C_Encrypt(s, plain, out);
    assert.ok(real(out, 3008).equals(sealed), "C_Encrypt");
    pkcs11.C_DecryptInit(s, mech, aes);
    pkcs11.C_Decrypt(s, sealed, out);
    assert.ok(real(out, 3000).equals(plain), "C_Decrypt");
    pkcs11.C_EncryptInit(s, mech, aes);
    pkcs11.C_EncryptUpdate(s, plain, out);
    pkcs11.C_EncryptFinal(s, out);
    pkcs11.C_DecryptInit(s, mech, aes);
    pkcs11.C_DecryptUpdate(s, sealed, out);
    pkcs11.C_DecryptFinal(s, out);
    pkcs11.C_EncryptInit(s, mech, aes);
    await pkcs11.C_EncryptAsync(s, plain, out);
    assert.ok(real(out, 3008).equals(sealed), "C_EncryptAsync");
    pkcs11.C_DecryptInit(s, mech, aes);
    await new Promise((resolve, reject) => pkcs11.C_Decrypt(s, sealed, out, (e, r) => (e ? reject(e) : resolve(r))));
    assert.ok(real(out, 3000).equals(plain), "C_Decrypt with a callback");
  }
});

test("no liar's method was handed a view of the module's memory", () => {
  const exposed = seen
    .map((b) => ({ bytes: b.byteLength, holdsKey: Buffer.from(b).indexOf(secret) >= 0 }))
    .filter((b) => b.bytes >= 65536 || b.holdsKey);
  assert.deepEqual(exposed, []);
});
