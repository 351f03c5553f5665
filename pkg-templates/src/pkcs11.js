// The PKCS11 class: pkcs11js's methods, argument checks and return shapes
// over the wasm shell (`WasmModule`, src/wasm.rs). Methods with callback and
// `...Async` forms are added by async.js.
import { preloading } from "./extra.js";
import { count, countBetween, bytes, handle, number, string, optionalString } from "./args.js";
import { u8, out, handleBytes, handleList } from "./bytes.js";
import { loadConfig, initConfig } from "./config.js";
import { NativeError, fail, notLoaded, pkcs11Error } from "./errors.js";
import { canCreateModule, createModule } from "./group/lazy.js";
import { groupHost, warnLost } from "./group/events.js";
import * as info from "./info.js";
import * as mechanism from "./mechanism.js";
import { platform } from "./platform.js";
import { splitStorage } from "./storage/config.js";
import { TokenStorage } from "./storage/manager.js";
import * as template from "./template.js";
import * as tokens from "./tokens.js";

export const STATE = Symbol("pkcs11-wasm state");
/** Returns the instance's WasmModule, creating it on first use. */
export const MODULE = Symbol("pkcs11-wasm module");
/** Returns the instance's TokenStorage, if any (durable.js). */
export const STORAGE = Symbol("pkcs11-wasm storage");

const CKR_NO_EVENT = 0x8;
const CKR_DEVICE_ERROR = 0x30;
const CKR_FUNCTION_NOT_SUPPORTED = 0x54;

/** Runs a shell call, turning what it throws into Pkcs11Error & co. */
function exec(method, f) {
  try {
    return f();
  } catch (e) {
    throw fail(e, method);
  }
}

/** Output-buffer convention: fill the caller's buffer, return the used part. */
export function into(outArg, result) {
  u8(outArg).set(result);
  return outArg.subarray(0, result.length);
}

/**
 * `m[fn](h, d, capacity)` into the caller's buffer `outArg` (`o` its
 * bytes, a new view from `u8`: the module is never handed the caller's
 * object, whose own methods would see wasm memory): written there by the
 * module (`crypt_into` operation `op`, no array in between) where it can,
 * else returned and copied (`op` undefined, or a CompositeModule, which
 * has no `crypt_into`).
 */
export function output(m, op, fn, h, d, o, outArg) {
  if (op !== undefined && m.crypt_into) return outArg.subarray(0, m.crypt_into(op, h, d, o));
  return into(outArg, m[fn](h, d, o.byteLength));
}

/**
 * Writes what is queued before the module goes away (load(), close());
 * a failure is already reported as a storage event, and these calls have
 * no error to return in pkcs11js.
 */
function flushQuietly(storage) {
  try {
    storage?.flushSync();
  } catch {}
}

/** Functions the engine does not implement (PKCS#11 lets us say so). */
function notSupported(method) {
  return pkcs11Error(CKR_FUNCTION_NOT_SUPPORTED, method);
}

export class PKCS11 {
  /** `arg`: optional configuration (see config.js), as for `load()`. */
  constructor(arg) {
    Object.defineProperty(this, STATE, {
      value: { module: undefined, closed: false, resolved: false, config: undefined, storage: undefined, storages: [] },
    });
    /** Every storage event so far: {slot, kind, key, message}. */
    this.storageEvents = [];
    /** Storage event handler (damaged records, refused tokens, failed writes). */
    this.onstorageevent = (ev) => console.warn(`pkcs11-wasm: slot ${ev.slot}: ${ev.message}`);
    /** Token groups (group/facade.js): membership events, their handler, a handler per member call. */
    this.groupEvents = [];
    this.ongroupevent = warnLost;
    this.ongroupcall = null;
    if (arg) this.load(arg);
  }

  /**
   * There is no native library to load: `arg` may be a configuration
   * object, a `.json` file path (Node), inline JSON, or anything else
   * (ignored). Starts a fresh module (all state of a previous one is gone).
   */
  load(arg) {
    const s = this[STATE];
    const config = loadConfig(arg);
    const split = splitStorage(config);
    // A configuration with groups whose code loads asynchronously (browsers):
    // the module is made once it is there (C_InitializeAsync awaits it).
    const fresh = platform.ready && canCreateModule(split) ? createModule(split, groupHost(this)) : undefined;
    flushQuietly(s.storage);
    s.module?.free();
    Object.assign(s, { module: fresh, closed: false, resolved: true, config, arg, storage: undefined, storages: split.storages });
    this.libPath = typeof arg === "string" ? arg : "";
  }

  /** Frees the module; later calls throw "PKCS11 module not loaded yet". */
  close() {
    const s = this[STATE];
    flushQuietly(s.storage);
    s.module?.free();
    Object.assign(s, { module: undefined, closed: true, storage: undefined });
  }

  [STORAGE]() {
    return this[STATE].storage;
  }

  [MODULE]() {
    const s = this[STATE];
    if (s.module) return s.module;
    if (s.closed) throw notLoaded();
    if (!platform.ready) throw new NativeError("pkcs11-wasm is not initialized: call `await init()` first");
    if (!s.resolved) {
      s.config = loadConfig(undefined);
      s.resolved = true;
    }
    const split = splitStorage(s.config);
    s.storages = split.storages;
    s.module = createModule(split, groupHost(this));
    return s.module;
  }

  // --- general (PKCS#11 3.1 section 5.4) ---

  C_Initialize(options) {
    const { m, config, storage } = this.#prepareInitialize(options);
    if ((storage && !storage.loaded && storage.needsAsync) || m.groupsNeedAsync?.()) {
      throw new TypeError(
        "pkcs11-wasm: IndexedDB storage (and a browser's thread members) load asynchronously: call `await pkcs11.C_InitializeAsync()` instead of C_Initialize()",
      );
    }
    exec("C_Initialize", () => m.initialize(config));
    this.#load(storage, () => storage.loadSync());
    if (m.loadGroupsSync) {
      try {
        m.loadGroupsSync();
      } catch (e) {
        m.finalize();
        throw e;
      }
    }
  }

  /**
   * C_Initialize that also works with IndexedDB storage: resolves once
   * every configured token is loaded.
   */
  async C_InitializeAsync(options) {
    // The extra module, when `preload()` or `init({ extras: true })` asked for it.
    const extra = preloading();
    if (extra) await extra;
    let prepared;
    try {
      prepared = this.#prepareInitialize(options);
    } catch (e) {
      // Token groups' code, in browsers (group/lazy.js): awaited, then again.
      if (!e?.groupsLoading) throw e;
      await e.groupsLoading;
      prepared = this.#prepareInitialize(options);
    }
    const { m, config, storage } = prepared;
    exec("C_Initialize", () => m.initialize(config));
    if (storage && !storage.loaded) {
      try {
        await storage.load();
      } catch (e) {
        m.finalize();
        throw e;
      }
    } else {
      storage?.refresh();
    }
    try {
      await m.loadGroups?.();
    } catch (e) {
      m.finalize();
      throw e;
    }
  }

  /** Checks the options; the module (re)built for their slots; its storage. */
  #prepareInitialize(options) {
    const s = this[STATE];
    let m = this[MODULE]();
    let config;
    if (options !== undefined && options !== null) {
      if (typeof options !== "object") throw new TypeError("Argument 0 has wrong type. Should be an Object");
      if ("libraryParameters" in options) {
        const lp = options.libraryParameters;
        if (typeof lp !== "string") {
          throw new TypeError("Argument 0 has wrong type. Property 'libraryParameters' should be a String");
        }
        config = initConfig(s.config, lp);
      }
    }
    let split;
    if (config) {
      split = splitStorage(config);
      // New slots from libraryParameters: a module built for them, if no
      // token has been loaded into this one yet.
      if (config.slots !== undefined && !s.storage?.loaded && JSON.stringify(config.slots) !== JSON.stringify(s.config?.slots)) {
        const fresh = createModule(split, groupHost(this)); // may throw (groups not loaded): nothing changed then
        m.free();
        m = s.module = fresh;
        s.storages = split.storages;
        s.storage = undefined;
      }
    }
    if (!s.storage && s.storages.length > 0) {
      s.storage = new TokenStorage(m, s.storages, (ev) => this.#storageEvent(ev));
    }
    return { m, config: split?.core, storage: s.storage };
  }

  #load(storage, load) {
    if (!storage) return;
    if (storage.loaded) return storage.refresh();
    try {
      load();
    } catch (e) {
      this[MODULE]().finalize();
      throw e;
    }
  }

  #storageEvent(ev) {
    this.storageEvents.push(ev);
    try {
      this.onstorageevent?.(ev);
    } catch {}
  }

  /** C_Finalize; writes what is queued (IndexedDB: starts; see C_FinalizeAsync). */
  C_Finalize() {
    const m = this[MODULE]();
    exec("C_Finalize", () => m.finalize());
    try {
      this[STATE].storage?.flushSync();
    } catch (e) {
      const err = pkcs11Error(CKR_DEVICE_ERROR, "C_Finalize");
      err.cause = e; // the message stays the CKR name, as pkcs11js's
      throw err;
    }
  }

  /** C_Finalize that resolves once every write is durable. */
  async C_FinalizeAsync() {
    const m = this[MODULE]();
    exec("C_Finalize", () => m.finalize());
    await this.flush();
  }

  /**
   * Resolves when every write made so far is durable (sync calls write
   * behind); rejects with the error if a write failed.
   */
  async flush() {
    await this[STATE].storage?.flush();
    await this[STATE].module?.flushGroups?.();
  }

  /**
   * Deletes the token in `slot` and its storage; the slot then holds an
   * uninitialized token. No session may be open on it.
   */
  async deleteToken(slot) {
    const m = this[MODULE]();
    const id = handle(slot, 0);
    exec("deleteToken", () => m.delete_token(id));
    await this[STATE].storage?.destroy(id);
  }

  /**
   * Gives the token in `slot` a new master key: both PIN blobs are rewrapped
   * and every stored record re-sealed, so an old copy of the token record
   * (and a PIN that opened it) opens nothing written from now on. Needs the
   * SO PIN and, when one is set, the user PIN; no session may be open.
   * `rekeyTokenAsync` resolves once the new records are durable.
   */
  rekeyToken(slot, soPin, userPin) {
    const m = this[MODULE]();
    countBetween(2, 3, arguments.length);
    const id = handle(slot, 0);
    const so = string(soPin, 1);
    const user = userPin === undefined || userPin === null ? undefined : string(userPin, 2);
    exec("rekeyToken", () => m.rekey_token(id, so, user ?? new Uint8Array(0), user !== undefined));
  }

  /** The raw stored records of `slot`: [{key, value: Uint8Array}]. */
  async storageRecords(slot) {
    this[MODULE]();
    const storage = this[STATE].storage;
    return storage ? storage.records(handle(slot, 0)) : [];
  }

  // --- token backup, restore and replicas (pkcs11-wasm; tokens.js) ---

  /** A backup of the token in `slot`: its stored records, sealed as stored, never decrypted. */
  async exportToken(slot) {
    return tokens.exportToken(this, slot);
  }

  /** Writes a backup into an empty storage (a `slots[i].storage` value); returns its header. */
  async importToken(storage, backup) {
    return tokens.importToken(storage, backup);
  }

  /** Copies the token in `slot` into an empty storage: a replica (same identity, PINs, objects). */
  async cloneToken(slot, storage) {
    return tokens.cloneToken(this, slot, storage);
  }

  /** A backup's header (label, serial, created, records) after checking it; writes nothing. */
  async inspectBackup(backup) {
    const { version, header, records } = await tokens.readBackup(backup);
    return { ...header, version, records: records.length };
  }

  C_GetInfo() {
    const m = this[MODULE]();
    return info.moduleInfo(exec("C_GetInfo", () => m.get_info()));
  }

  // --- slots and tokens (5.5) ---

  C_GetSlotList(tokenPresent) {
    const m = this[MODULE]();
    let present = false;
    if (arguments.length > 0) {
      if (typeof tokenPresent !== "boolean") throw new TypeError("Argument 0 has wrong type. Should be a Boolean");
      present = tokenPresent;
    }
    return handleList(exec("C_GetSlotList", () => m.get_slot_list(present)));
  }

  C_GetSlotInfo(slot) {
    const m = this[MODULE]();
    count(1, arguments.length);
    const id = handle(slot, 0);
    return info.slotInfo(exec("C_GetSlotInfo", () => m.get_slot_info(id)));
  }

  C_GetTokenInfo(slot) {
    const m = this[MODULE]();
    count(1, arguments.length);
    const id = handle(slot, 0);
    return info.tokenInfo(exec("C_GetTokenInfo", () => m.get_token_info(id)));
  }

  C_GetMechanismList(slot) {
    const m = this[MODULE]();
    count(1, arguments.length);
    const id = handle(slot, 0);
    return Array.from(exec("C_GetMechanismList", () => m.get_mechanism_list(id)), (t) => t >>> 0);
  }

  C_GetMechanismInfo(slot, type) {
    const m = this[MODULE]();
    count(2, arguments.length);
    const id = handle(slot, 0);
    const kind = number(type, 1);
    return info.mechanismInfo(exec("C_GetMechanismInfo", () => m.get_mechanism_info(id, kind)));
  }

  /** Returns the label (pkcs11js 2.x returns undefined; its typings and graphene expect the label). */
  C_InitToken(slot, pin, label) {
    const m = this[MODULE]();
    countBetween(1, 3, arguments.length);
    const id = handle(slot, 0);
    const soPin = optionalString(pin, 1);
    const labelBytes = optionalString(label, 2);
    exec("C_InitToken", () => m.init_token(id, soPin, labelBytes));
    return label === undefined ? "" : label;
  }

  C_InitPIN(session, pin) {
    const m = this[MODULE]();
    countBetween(1, 2, arguments.length);
    const h = handle(session, 0);
    const p = optionalString(pin, 1);
    exec("C_InitPIN", () => m.init_pin(h, p));
  }

  C_SetPIN(session, oldPin, newPin) {
    const m = this[MODULE]();
    count(3, arguments.length);
    const h = handle(session, 0);
    const o = string(oldPin, 1);
    const n = string(newPin, 2);
    exec("C_SetPIN", () => m.set_pin(h, o, n));
  }

  /** Returns a slot handle, or null when no event is pending (CKF_DONT_BLOCK). */
  C_WaitForSlotEvent(flags) {
    const m = this[MODULE]();
    count(1, arguments.length);
    const f = number(flags, 0);
    try {
      return handleBytes(m.wait_for_slot_event(f));
    } catch (e) {
      if (e === CKR_NO_EVENT) return null;
      throw fail(e, "C_WaitForSlotEvent");
    }
  }

  // --- sessions (5.6) ---

  C_OpenSession(slot, flags) {
    const m = this[MODULE]();
    count(2, arguments.length);
    const id = handle(slot, 0);
    const f = number(flags, 1);
    return handleBytes(exec("C_OpenSession", () => m.open_session(id, f)));
  }

  C_CloseSession(session) {
    const m = this[MODULE]();
    count(1, arguments.length);
    const h = handle(session, 0);
    exec("C_CloseSession", () => m.close_session(h));
  }

  C_CloseAllSessions(slot) {
    const m = this[MODULE]();
    count(1, arguments.length);
    const id = handle(slot, 0);
    exec("C_CloseAllSessions", () => m.close_all_sessions(id));
  }

  C_GetSessionInfo(session) {
    const m = this[MODULE]();
    count(1, arguments.length);
    const h = handle(session, 0);
    return info.sessionInfo(exec("C_GetSessionInfo", () => m.get_session_info(h)));
  }

  /**
   * No state can be saved (operations hold opaque key and cipher state):
   * throws CKR_STATE_UNSAVEABLE while an encryption, decryption, digest,
   * sign or verify operation is active, else CKR_OPERATION_NOT_INITIALIZED.
   */
  C_GetOperationState(session) {
    const m = this[MODULE]();
    count(1, arguments.length);
    const h = handle(session, 0);
    return out(exec("C_GetOperationState", () => m.get_operation_state(h)));
  }

  /** Throws CKR_SAVED_STATE_INVALID: this token hands out no states. */
  C_SetOperationState(session, state, encryptionKey, authenticationKey) {
    const m = this[MODULE]();
    count(4, arguments.length);
    const h = handle(session, 0);
    const st = bytes(state, 1);
    const enc = handle(encryptionKey, 2);
    const auth = handle(authenticationKey, 3);
    exec("C_SetOperationState", () => m.set_operation_state(h, st, enc, auth));
  }

  C_Login(session, userType, pin) {
    const m = this[MODULE]();
    countBetween(2, 3, arguments.length);
    const h = handle(session, 0);
    const user = number(userType, 1);
    const p = optionalString(pin, 2);
    exec("C_Login", () => m.login(h, user, p));
  }

  C_Logout(session) {
    const m = this[MODULE]();
    count(1, arguments.length);
    const h = handle(session, 0);
    exec("C_Logout", () => m.logout(h));
  }

  // --- objects (5.7) ---

  C_CreateObject(session, tmpl) {
    template.convertDates(tmpl);
    const m = this[MODULE]();
    count(2, arguments.length);
    const h = handle(session, 0);
    const t = template.encode(tmpl, 1);
    return handleBytes(exec("C_CreateObject", () => m.create_object(h, t)));
  }

  C_CopyObject(session, object, tmpl) {
    template.convertDates(tmpl);
    const m = this[MODULE]();
    count(3, arguments.length);
    const h = handle(session, 0);
    const o = handle(object, 1);
    const t = template.encode(tmpl, 2);
    return handleBytes(exec("C_CopyObject", () => m.copy_object(h, o, t)));
  }

  C_DestroyObject(session, object) {
    const m = this[MODULE]();
    count(2, arguments.length);
    const h = handle(session, 0);
    const o = handle(object, 1);
    exec("C_DestroyObject", () => m.destroy_object(h, o));
  }

  C_GetObjectSize(session, object) {
    const m = this[MODULE]();
    count(2, arguments.length);
    const h = handle(session, 0);
    const o = handle(object, 1);
    return exec("C_GetObjectSize", () => m.get_object_size(h, o)) >>> 0;
  }

  /** Fills in `value` (a Buffer) on each element of `tmpl` and returns `tmpl`. */
  C_GetAttributeValue(session, object, tmpl) {
    const m = this[MODULE]();
    count(3, arguments.length);
    const h = handle(session, 0);
    const o = handle(object, 1);
    const parsed = template.parse(tmpl, 2);
    const answer = exec("C_GetAttributeValue", () => m.get_attribute_value(h, o, parsed.types));
    return template.applyAttributeValues(tmpl, parsed, answer, "C_GetAttributeValue");
  }

  C_SetAttributeValue(session, object, tmpl) {
    template.convertDates(tmpl);
    const m = this[MODULE]();
    count(3, arguments.length);
    const h = handle(session, 0);
    const o = handle(object, 1);
    const t = template.encode(tmpl, 2);
    exec("C_SetAttributeValue", () => m.set_attribute_value(h, o, t));
  }

  C_FindObjectsInit(session, tmpl) {
    const m = this[MODULE]();
    count(2, arguments.length);
    const h = handle(session, 0);
    const t = template.encode(tmpl, 1);
    exec("C_FindObjectsInit", () => m.find_objects_init(h, t));
  }

  /** `(session)`: the next handle or null; `(session, max)`: up to `max` handles. */
  C_FindObjects(session, maxObjectCount) {
    const m = this[MODULE]();
    if (arguments.length < 2) {
      // pkcs11js calls the native function with an appended 1.
      count(2, arguments.length + 1);
      const h = handle(session, 0);
      const found = exec("C_FindObjects", () => m.find_objects(h, 1));
      return found.length > 0 ? handleBytes(found[0]) : null;
    }
    count(2, arguments.length);
    const h = handle(session, 0);
    const max = number(maxObjectCount, 1);
    return handleList(exec("C_FindObjects", () => m.find_objects(h, max)));
  }

  C_FindObjectsFinal(session) {
    const m = this[MODULE]();
    count(1, arguments.length);
    const h = handle(session, 0);
    exec("C_FindObjectsFinal", () => m.find_objects_final(h));
  }

  // --- cryptographic operations (5.8-5.13); one-shot and final steps with
  // callback forms are in async.js ---

  C_EncryptInit(session, mech, key) {
    this.#init("C_EncryptInit", "encrypt_init", arguments.length, session, mech, key);
  }

  C_EncryptUpdate(session, inData, outData) {
    return this.#update("C_EncryptUpdate", "encrypt_update", arguments.length, session, inData, outData, 2);
  }

  C_DecryptInit(session, mech, key) {
    this.#init("C_DecryptInit", "decrypt_init", arguments.length, session, mech, key);
  }

  C_DecryptUpdate(session, inData, outData) {
    return this.#update("C_DecryptUpdate", "decrypt_update", arguments.length, session, inData, outData, 3);
  }

  C_DigestInit(session, mech) {
    const m = this[MODULE]();
    count(2, arguments.length);
    const h = handle(session, 0);
    const mk = mechanism.parse(mech, 1);
    exec("C_DigestInit", () => m.digest_init(h, mk.kind, mk.param));
  }

  C_DigestUpdate(session, data) {
    this.#feed("C_DigestUpdate", "digest_update", arguments.length, session, data);
  }

  C_DigestKey(session, key) {
    const m = this[MODULE]();
    count(2, arguments.length);
    const h = handle(session, 0);
    const k = handle(key, 1);
    exec("C_DigestKey", () => m.digest_key(h, k));
  }

  C_SignInit(session, mech, key) {
    this.#init("C_SignInit", "sign_init", arguments.length, session, mech, key);
  }

  C_SignUpdate(session, data) {
    this.#feed("C_SignUpdate", "sign_update", arguments.length, session, data);
  }

  C_VerifyInit(session, mech, key) {
    this.#init("C_VerifyInit", "verify_init", arguments.length, session, mech, key);
  }

  C_VerifyUpdate(session, data) {
    this.#feed("C_VerifyUpdate", "verify_update", arguments.length, session, data);
  }

  C_SignRecoverInit(session, mech, key) {
    this.#init("C_SignRecoverInit", undefined, arguments.length, session, mech, key);
  }

  C_SignRecover(session, inData, outData) {
    return this.#update("C_SignRecover", undefined, arguments.length, session, inData, outData);
  }

  C_VerifyRecoverInit(session, mech, key) {
    this.#init("C_VerifyRecoverInit", undefined, arguments.length, session, mech, key);
  }

  C_VerifyRecover(session, signature, outData) {
    return this.#update("C_VerifyRecover", undefined, arguments.length, session, signature, outData);
  }

  // --- random numbers (5.15) ---

  C_SeedRandom(session, seed) {
    this.#feed("C_SeedRandom", "seed_random", arguments.length, session, seed);
  }

  /** Fills `buf` and returns that same object. */
  C_GenerateRandom(session, buf) {
    const m = this[MODULE]();
    count(2, arguments.length);
    const h = handle(session, 0);
    const target = bytes(buf, 1);
    target.set(exec("C_GenerateRandom", () => m.generate_random(h, target.byteLength)));
    return buf;
  }

  // (session, mechanism, key) -> void; `fn` undefined: not implemented.
  #init(method, fn, argc, session, mech, key) {
    const m = this[MODULE]();
    count(3, argc);
    const h = handle(session, 0);
    const mk = mechanism.parse(mech, 1);
    const k = handle(key, 2);
    if (fn === undefined) throw notSupported(method);
    exec(method, () => m[fn](h, mk.kind, mk.param, k));
  }

  // (session, data) -> void
  #feed(method, fn, argc, session, data) {
    const m = this[MODULE]();
    count(2, argc);
    const h = handle(session, 0);
    const d = bytes(data, 1);
    exec(method, () => m[fn](h, d));
  }

  // (session, in, out) -> out.subarray(0, n); `fn` undefined: not
  // implemented; `op`: the module's `crypt_into` operation (see `output`).
  #update(method, fn, argc, session, inData, outData, op) {
    const m = this[MODULE]();
    count(3, argc);
    const h = handle(session, 0);
    const d = bytes(inData, 1);
    const o = bytes(outData, 2);
    if (fn === undefined) throw notSupported(method);
    return exec(method, () => output(m, op, fn, h, d, o, outData));
  }
}
