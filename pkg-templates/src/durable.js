// Storage around the calls (see storage/manager.js): calls that read
// token state first pick up what other instances wrote; calls that change
// it queue their writes right after (in call order, failed calls too: a
// wrong PIN writes its counter). `...Async` forms and callbacks of
// mutating calls complete only once their writes are durable.
import { PKCS11, STORAGE } from "./pkcs11.js";

// (C_OpenSession is not here: objects are only reached through
// C_FindObjectsInit or calls on their handles, and a stat per session
// would double the cost of opening one.)
const READS = [
  "C_GetTokenInfo",
  "C_Login",
  "C_LoginUser",
  "C_FindObjectsInit",
  "C_GetAttributeValue",
  "C_GetObjectSize",
  "C_SetAttributeValue",
  "C_CopyObject",
  "C_DestroyObject",
];

const WRITES = [
  "C_InitToken",
  "C_InitPIN",
  "C_SetPIN",
  "C_Login",
  "C_LoginUser",
  "C_CreateObject",
  "C_CopyObject",
  "C_DestroyObject",
  "C_SetAttributeValue",
  "C_GenerateKey",
  "C_GenerateKeyPair",
  "C_DeriveKey",
  "C_UnwrapKey",
  "C_EncapsulateKey",
  "C_DecapsulateKey",
];

// Mutating calls that had no Async form in pkcs11js.
const NEW_ASYNC = [
  "C_InitToken",
  "C_InitPIN",
  "C_SetPIN",
  "C_CreateObject",
  "C_CopyObject",
  "C_DestroyObject",
  "C_SetAttributeValue",
];

const proto = PKCS11.prototype;

function define(name, fn) {
  Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
}

function wrapSync(name, refresh, write) {
  const inner = proto[name];
  define(name, {
    [name](...a) {
      const storage = this[STORAGE]();
      if (!storage) return inner.apply(this, a);
      if (refresh) storage.refresh();
      try {
        return inner.apply(this, a);
      } finally {
        if (write) storage.afterCall();
      }
    },
  }[name]);
}

for (const name of new Set([...READS, ...WRITES])) wrapSync(name, READS.includes(name), WRITES.includes(name));

for (const name of NEW_ASYNC) {
  define(name + "Async", {
    async [name + "Async"](...a) {
      const result = this[name](...a);
      await this.flush();
      return result;
    },
  }[name + "Async"]);
}

// Async and callback forms that async.js defined: durable before they end.
for (const name of WRITES) {
  const asyncForm = proto[name + "Async"];
  if (asyncForm && !NEW_ASYNC.includes(name)) {
    define(name + "Async", {
      async [name + "Async"](...a) {
        const storage = this[STORAGE]();
        storage?.refresh();
        const result = await asyncForm.apply(this, a);
        storage?.afterCall();
        await this.flush();
        return result;
      },
    }[name + "Async"]);
  }
  const callbackForm = proto[name + "Callback"];
  if (callbackForm) {
    define(name + "Callback", {
      [name + "Callback"](...a) {
        const storage = this[STORAGE]();
        const cb = a[a.length - 1];
        if (!storage || typeof cb !== "function") return callbackForm.apply(this, a);
        storage.refresh();
        a[a.length - 1] = (error, result) => {
          if (error) return cb(error, result);
          this.flush().then(
            () => cb(null, result),
            (e) => cb(e, null),
          );
        };
        try {
          return callbackForm.apply(this, a);
        } finally {
          storage.afterCall();
        }
      },
    }[name + "Callback"]);
  }
}
