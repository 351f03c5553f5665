// Attacker: a script in the same JavaScript realm that, after the package
// has loaded, replaces the built-ins the glue and facade use on wasm
// memory: every method and getter of the typed-array, DataView,
// ArrayBuffer, WebAssembly.Memory, TextDecoder/TextEncoder and Function
// prototypes, @@species and @@hasInstance, crypto.getRandomValues, and the
// global constructors. Each replacement reports what it is handed. A
// sensitive, non-extractable key is used, generated, wrapped and its
// object copied, the extra module runs, the user logs out and back in:
// no replacement may ever be handed the key's bytes or a buffer the size
// of wasm memory (scripts/harden-glue.mjs, pkg-templates/src/extra.js).
// The host AES (node:crypto) is off: it is the documented exception.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { C, SESSION_KEY, openUserSession } from "./fixtures/token-session.mjs";

const token = openUserSession("attack-builtins");
const { pkcs11, s } = token;
C.hostAes({ enabled: false });

// The key's bytes in an ArrayBuffer of their own (not Buffer's pool), and
// the value handed to C_CreateObject wiped once the object exists.
const secret = new Uint8Array(32);
crypto.getRandomValues(secret);
const value = Buffer.from(secret);
const key = token.createKey(C.CKO_SECRET_KEY, C.CKK_AES, [
  { type: C.CKA_VALUE, value },
  { type: C.CKA_ENCRYPT, value: true },
  { type: C.CKA_DECRYPT, value: true },
  { type: C.CKA_WRAP, value: true },
  { type: C.CKA_SIGN, value: true },
  { type: C.CKA_SENSITIVE, value: true },
  { type: C.CKA_EXTRACTABLE, value: false },
  SESSION_KEY,
]);
value.fill(0);

const USER_PIN = "user-attack-builtins";
const ED25519 = Buffer.from("06032b6570", "hex");

/** Everything the package does with wasm memory, several ways. */
function workload() {
  const iv = Buffer.alloc(16, 7);
  for (const size of [64, 4096]) {
    const data = Buffer.alloc(size, 1);
    for (const mech of [
      { mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv: iv.subarray(0, 12), aad: Buffer.from("aad"), tagBits: 128 } },
      { mechanism: C.CKM_AES_CBC_PAD, parameter: iv },
    ]) {
      pkcs11.C_EncryptInit(s, mech, key);
      const sealed = Buffer.from(pkcs11.C_Encrypt(s, data, Buffer.alloc(size + 32)));
      pkcs11.C_DecryptInit(s, mech, key);
      pkcs11.C_Decrypt(s, sealed, Buffer.alloc(size + 32));
      pkcs11.C_EncryptInit(s, mech, key);
      pkcs11.C_EncryptUpdate(s, data, Buffer.alloc(size + 32));
      pkcs11.C_EncryptFinal(s, Buffer.alloc(32));
    }
  }
  pkcs11.C_SignInit(s, { mechanism: C.CKM_AES_CMAC }, key);
  pkcs11.C_Sign(s, Buffer.from("mac me"), Buffer.alloc(16));
  pkcs11.C_DigestInit(s, { mechanism: C.CKM_SHA256 });
  pkcs11.C_DigestKey(s, key);
  pkcs11.C_DigestFinal(s, Buffer.alloc(32));
  pkcs11.C_GenerateRandom(s, Buffer.alloc(48));
  const fresh = pkcs11.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [
    { type: C.CKA_VALUE_LEN, value: 32 },
    { type: C.CKA_EXTRACTABLE, value: true },
    SESSION_KEY,
  ]);
  const wrapped = pkcs11.C_WrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP_KWP }, key, fresh, Buffer.alloc(64));
  pkcs11.C_UnwrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP_KWP }, key, wrapped, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    SESSION_KEY,
  ]);
  const copy = pkcs11.C_CopyObject(s, key, [{ type: C.CKA_LABEL, value: Buffer.from("copy") }]);
  pkcs11.C_GetAttributeValue(s, copy, [{ type: C.CKA_LABEL }, { type: C.CKA_KEY_TYPE }, { type: C.CKA_VALUE_LEN }]);
  pkcs11.C_SetAttributeValue(s, copy, [{ type: C.CKA_LABEL, value: Buffer.from("renamed") }]);
  pkcs11.C_FindObjectsInit(s, [{ type: C.CKA_LABEL, value: Buffer.from("renamed") }]);
  pkcs11.C_FindObjects(s, 10);
  pkcs11.C_FindObjectsFinal(s);
  pkcs11.C_DestroyObject(s, copy);
  const { privateKey } = pkcs11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_EC_EDWARDS_KEY_PAIR_GEN },
    [{ type: C.CKA_EC_PARAMS, value: ED25519 }, SESSION_KEY],
    [{ type: C.CKA_SIGN, value: true }, SESSION_KEY],
  );
  pkcs11.C_SignInit(s, { mechanism: C.CKM_EDDSA }, privateKey);
  pkcs11.C_Sign(s, Buffer.from("extra module"), Buffer.alloc(64));
  pkcs11.C_GetTokenInfo(token.slot);
  pkcs11.C_GetMechanismList(token.slot);
  try {
    pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_GCM, parameter: Buffer.alloc(3) }, key);
  } catch {}
}

// The test's own view of things, with built-ins taken before the attack.
const apply = Reflect.apply;
const TYPED = Object.getPrototypeOf(Uint8Array.prototype);
const getter = (o, n) => Object.getOwnPropertyDescriptor(o, n).get;
const taBuffer = getter(TYPED, "buffer");
const dvBuffer = getter(DataView.prototype, "buffer");
const abLength = getter(ArrayBuffer.prototype, "byteLength");
const U8 = Uint8Array;
const isView = ArrayBuffer.isView;
const indexOf = TYPED.indexOf;

/** The ArrayBuffer behind `x`, if it has one. */
function bufferOf(x) {
  if (x === null || (typeof x !== "object" && typeof x !== "function")) return undefined;
  try {
    if (isView(x)) {
      try {
        return apply(taBuffer, x, []);
      } catch {
        return apply(dvBuffer, x, []);
      }
    }
    apply(abLength, x, []);
    return x;
  } catch {
    return undefined;
  }
}

const WASM_SIZED = 1 << 20;

/** Whether an ArrayBuffer holds the key's bytes or is as large as wasm memory. */
function exposes(buffer) {
  if (apply(abLength, buffer, []) >= WASM_SIZED) return "a buffer the size of wasm memory";
  const all = new U8(buffer);
  for (let at = apply(indexOf, all, [secret[0]]); at >= 0; at = apply(indexOf, all, [secret[0], at + 1])) {
    let same = true;
    for (let i = 1; same && i < 32; i++) same = all[at + i] === secret[i];
    if (same) return "the key's bytes";
  }
  return undefined;
}

test("a script that replaces the built-ins after load is never handed wasm memory or the key", () => {
  workload(); // every path runs once first: lazy captures (the first random draw, the extra module) happen before the attack
  const findings = [];
  let spying = 0;
  let busy = false;
  const inspect = (where, values) => {
    if (busy) return;
    busy = true;
    try {
      spying++;
      for (const v of values) {
        const b = bufferOf(v);
        const what = b && exposes(b);
        if (what) findings.push(`${where}: ${what}`);
      }
    } finally {
      busy = false;
    }
  };

  const restore = [];
  const replace = (obj, name, desc) => {
    const old = Object.getOwnPropertyDescriptor(obj, name);
    if (!old?.configurable) return;
    Object.defineProperty(obj, name, { ...desc, configurable: true });
    restore.push(() => Object.defineProperty(obj, name, old));
  };
  const spyOn = (obj, label) => {
    for (const name of Reflect.ownKeys(obj)) {
      if (name === "constructor") continue;
      const d = Object.getOwnPropertyDescriptor(obj, name);
      const where = `${label}.${String(name)}`;
      if (typeof d.value === "function") {
        const f = d.value;
        replace(obj, name, {
          writable: true,
          value: function (...args) {
            inspect(where, [this, ...args]);
            return new.target ? Reflect.construct(f, args, new.target) : apply(f, this, args);
          },
        });
      } else if (d.get) {
        const g = d.get;
        replace(obj, name, {
          get() {
            inspect(`${where} (getter)`, [this]);
            return apply(g, this, []);
          },
          set: d.set,
        });
      }
    }
  };
  const constructors = ["Uint8Array", "Uint32Array", "Float64Array", "DataView", "ArrayBuffer", "TextDecoder", "TextEncoder"];
  try {
    for (const [obj, label] of [
      [TYPED, "%TypedArray%.prototype"],
      [Uint8Array.prototype, "Uint8Array.prototype"],
      [Float64Array.prototype, "Float64Array.prototype"],
      [Uint32Array.prototype, "Uint32Array.prototype"],
      [DataView.prototype, "DataView.prototype"],
      [ArrayBuffer.prototype, "ArrayBuffer.prototype"],
      [WebAssembly.Memory.prototype, "WebAssembly.Memory.prototype"],
      [TextDecoder.prototype, "TextDecoder.prototype"],
      [TextEncoder.prototype, "TextEncoder.prototype"],
      [Object.getPrototypeOf(globalThis.crypto), "Crypto.prototype"],
      [Function.prototype, "Function.prototype"],
    ]) {
      spyOn(obj, label);
    }
    spyOn(Object.getPrototypeOf(Uint8Array), "%TypedArray%");
    for (const C of [Uint8Array, ArrayBuffer]) {
      replace(C, Symbol.hasInstance, {
        value(x) {
          inspect(`${C.name}[@@hasInstance]`, [x]);
          return apply(Function.prototype[Symbol.hasInstance], this, [x]);
        },
      });
    }
    for (const name of constructors) {
      const Original = globalThis[name];
      replace(globalThis, name, {
        writable: true,
        value: new Proxy(Original, {
          construct(target, args, newTarget) {
            inspect(`new ${name}`, args);
            return Reflect.construct(target, args, newTarget === globalThis[name] ? target : newTarget);
          },
        }),
      });
    }

    // Control: the spies see what they are handed.
    const before = findings.length;
    new U8(WASM_SIZED).subarray(0, 1);
    assert.equal(findings.length, before + 1, "a large buffer handed to a replaced method is seen");
    findings.pop();

    workload();
    // Last (the session key goes with the logout): the PIN's KDF and the
    // master key's unwrap.
    pkcs11.C_Logout(s);
    pkcs11.C_Login(s, C.CKU_USER, USER_PIN);
  } finally {
    for (const undo of restore.reverse()) undo();
  }
  assert.ok(spying > 0, "the replacements were called");
  assert.deepEqual([...new Set(findings)], []);
});
