// Storage around the calls (see storage/manager.js): calls that read
// token state first pick up what other instances wrote; calls that change
// it queue their writes right after (in call order). `...Async` forms and
// callbacks of mutating calls complete only once their writes are durable.
// Calls that check a PIN run through `pinCall`: under the storage's lock,
// against the freshest token and counter records, and a wrong PIN is
// counted durably before the call answers.
import { handle } from "./args.js";
import { pkcs11Error } from "./errors.js";
import { withExtra } from "./extra.js";
import { PKCS11, STORAGE, MODULE } from "./pkcs11.js";

const CKR_DEVICE_ERROR = 0x30;

// (C_OpenSession is not here: objects are only reached through
// C_FindObjectsInit or calls on their handles, and a stat per session
// would double the cost of opening one.)
const READS = [
  "C_GetTokenInfo",
  "C_FindObjectsInit",
  "C_GetAttributeValue",
  "C_GetObjectSize",
  "C_SetAttributeValue",
  "C_CopyObject",
  "C_DestroyObject",
];

const WRITES = [
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

// Calls that may open a sealed object the login left unopened (the core
// opens one at its first use): a record that fails is reported then, so
// its event is delivered right after the call.
const OPENS = [
  "C_FindObjectsInit",
  "C_GetAttributeValue",
  "C_GetObjectSize",
  "C_EncryptInit",
  "C_DecryptInit",
  "C_SignInit",
  "C_VerifyInit",
  "C_DigestKey",
  "C_WrapKey",
  "C_MessageEncryptInit",
  "C_MessageDecryptInit",
  "C_MessageSignInit",
  "C_MessageVerifyInit",
  "C_VerifySignatureInit",
  "C_Logout",
  "C_CloseSession",
  "C_CloseAllSessions",
];

// Calls that check (or set) a PIN, and how each finds its slot.
const bySession = (m, a) => m.session_slot(handle(a[0], 0));
const bySlot = (m, a) => handle(a[0], 0);
const PIN_CALLS = {
  C_InitToken: bySlot,
  C_InitPIN: bySession,
  C_SetPIN: bySession,
  C_Login: bySession,
  C_LoginUser: bySession,
  rekeyToken: bySlot,
};

// PIN calls that read the token's objects after the check (TokenStorage.pinCall).
const LOGINS = new Set(["C_Login", "C_LoginUser"]);

// Mutating calls that had no Async form in pkcs11js.
const NEW_ASYNC = [
  "C_InitToken",
  "C_InitPIN",
  "C_SetPIN",
  "C_Login",
  "C_LoginUser",
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
      // Token information needs the token and counter records only.
      if (refresh) storage.refresh(name !== "C_GetTokenInfo");
      try {
        return inner.apply(this, a);
      } finally {
        if (write) storage.afterCall();
      }
    },
  }[name]);
}

for (const name of new Set([...READS, ...WRITES, ...OPENS])) {
  if (proto[name]) wrapSync(name, READS.includes(name), WRITES.includes(name) || OPENS.includes(name));
}

/** The slot a PIN call works on, or undefined (the call then fails alone). */
function pinSlot(self, name, a) {
  try {
    return Number(PIN_CALLS[name](self[MODULE](), a));
  } catch {
    return undefined;
  }
}

// The message stays the CKR name, as pkcs11js's; why is in `cause`.
const pinFailed = (name) => (e) => {
  const err = pkcs11Error(CKR_DEVICE_ERROR, name);
  err.cause = new Error(`the PIN attempt could not be counted: writing token storage failed: ${e?.message ?? e}`, { cause: e });
  return err;
};

for (const name of Object.keys(PIN_CALLS)) {
  const inner = proto[name];
  define(name, {
    [name](...a) {
      const storage = this[STORAGE]();
      const slot = storage && pinSlot(this, name, a);
      if (slot === undefined) return inner.apply(this, a);
      return storage.pinCall(slot, () => inner.apply(this, a), pinFailed(name), LOGINS.has(name));
    },
  }[name]);
  // The Async form: where the store locks asynchronously (IndexedDB, Web
  // Locks) this is the form that reads fresh and counts durably.
  define(name + "Async", {
    async [name + "Async"](...a) {
      const storage = this[STORAGE]();
      const slot = storage && pinSlot(this, name, a);
      const result =
        slot === undefined
          ? inner.apply(this, a)
          : await storage.pinCallAsync(slot, () => inner.apply(this, a), pinFailed(name), LOGINS.has(name));
      await this.flush();
      return result;
    },
  }[name + "Async"]);
}

for (const name of NEW_ASYNC.filter((n) => !(n in PIN_CALLS))) {
  define(name + "Async", {
    async [name + "Async"](...a) {
      const result = await withExtra(() => this[name](...a));
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
