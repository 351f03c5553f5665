// The module a PKCS11 instance uses when its configuration has token
// groups: it answers the shell's methods (the same names as WasmModule's)
// by routing each call on its first argument. Plain slots and their
// sessions go to the core WasmModule, which keeps an inert placeholder
// slot at each group's index (so slot IDs stay the indexes in `slots`);
// a group's slot and its sessions (handles from 2^40 up) go to the group.
// Without groups the facade uses the WasmModule itself (no cost; this
// module is not even evaluated: lazy.js).
import { WasmModule } from "@gen/glue";
import { NOT_AN_ERROR } from "../errors.js";
import { runAsync, runSync } from "./drive.js";
import { Group } from "./group.js";
import { sessionCalls } from "./calls-session.js";
import { objectCalls } from "./calls-objects.js";
import { cryptoCalls } from "./calls-crypto.js";
import { lifecycle } from "./resync.js";
import { memberSlots } from "./member-slots.js";
import { FAST_OPS, SLOW, fastCalls } from "./fast.js";

Object.assign(Group.prototype, sessionCalls, objectCalls, cryptoCalls, lifecycle, fastCalls);

export const GROUP_HANDLE_BASE = 2 ** 40;
const CKR_NO_EVENT = 0x8;
const CKR_SESSION_HANDLE_INVALID = 0xb3;
const CKR_CRYPTOKI_NOT_INITIALIZED = 0x190;
const CKF_TOKEN_PRESENT = 0x1;
const SLOT_INFO_FLAGS_AT = 96; // CK_SLOT_INFO: description [64], manufacturer [32], flags

const SLOT_CALLS = [
  "get_token_info",
  "get_mechanism_list",
  "get_mechanism_info",
  "init_token",
  "open_session",
  "close_all_sessions",
  "delete_token",
  "rekey_token",
];

const SESSION_CALLS = [
  "close_session",
  "get_session_info",
  "login",
  "login_user",
  "logout",
  "init_pin",
  "set_pin",
  "create_object",
  "copy_object",
  "destroy_object",
  "get_object_size",
  "get_attribute_value",
  "set_attribute_value",
  "find_objects_init",
  "find_objects",
  "find_objects_final",
  "generate_key",
  "generate_key_pair",
  "wrap_key",
  "unwrap_key",
  "derive_key",
  "encapsulate_key",
  "decapsulate_key",
  "seed_random",
  "generate_random",
  "get_operation_state",
  "set_operation_state",
  "session_cancel",
  ...["encrypt", "decrypt", "sign", "verify"].flatMap((f) => [`${f}_init`, f, `${f}_update`, `${f}_final`]),
  "digest_init",
  "digest",
  "digest_update",
  "digest_key",
  "digest_final",
  "verify_signature_init",
  "verify_signature",
  "verify_signature_update",
  "verify_signature_final",
  ...["encrypt", "decrypt", "sign", "verify"].flatMap((f) => [
    `message_${f}_init`,
    `${f}_message`,
    `${f}_message_begin`,
    `${f}_message_next`,
    `message_${f}_final`,
  ]),
];

const CORE_CALLS = [
  "get_info",
  "set_persistent",
  "has_storage_work",
  "take_transactions",
  "storage_apply",
  "take_storage_events",
  "storage_refuse",
];

/** Thrown (then caught) by a group call made while the facade captures it (Async forms). */
class Captured {
  constructor(group, fn, args) {
    this.group = group;
    this.fn = fn;
    this.args = args;
  }

  get [NOT_AN_ERROR]() {
    return true;
  }
}

export class CompositeModule {
  /**
   * `split` from splitStorage; `host` receives events: groupEvent(ev),
   * callEvent(ev), storageEvent(ev).
   */
  constructor(split, host) {
    this.core = new WasmModule(split.core);
    this.host = host;
    this.coreConfig = split.core;
    this.nextHandle = GROUP_HANDLE_BASE;
    this.owners = new Map(); // group session handle -> group
    this.groups = split.groups.map((spec) => new Group(this, spec, split.core));
    this.bySlot = new Map(this.groups.map((g) => [g.slotId, g]));
    this.configuredSlots = split.core.slots.length;
    this.memberSessions = new Map(); // session on a listed member slot -> { x, mh } (member-slots.js)
    this.initialized = false;
    this.capturing = false;
    this.captured = undefined;
    this.replay = undefined;
    this.lastOwned = undefined;
    this.lastOwner = undefined;
  }

  newHandle(group, isSession) {
    const h = ++this.nextHandle;
    if (isSession) this.owners.set(h, group);
    return h;
  }

  forgetHandle(h) {
    this.owners.delete(h);
    if (this.lastOwned === h) this.lastOwned = this.lastOwner = undefined;
  }

  /** The group of session handle `h` (the last one answered is kept: calls come in runs). */
  ownerOfSession(h) {
    if (h === this.lastOwned) return this.lastOwner;
    const g = this.owners.get(h);
    if (g !== undefined) {
      this.lastOwned = h;
      this.lastOwner = g;
    }
    return g;
  }

  groupEvent(ev) {
    this.host.groupEvent?.(ev);
  }

  callEvent(ev) {
    this.host.callEvent?.(ev);
  }

  storageEvent(ev) {
    this.host.storageEvent?.(ev);
  }

  /** A handle in the group range that is no session (any more). */
  unknownSession() {
    return this.initialized ? CKR_SESSION_HANDLE_INVALID : CKR_CRYPTOKI_NOT_INITIALIZED;
  }

  /** Runs shell method `fn` on group `g`, synchronously (`spec`: its FAST_OPS entry). */
  run(g, fn, args, spec) {
    if (this.capturing) {
      this.capturing = false;
      this.captured = new Captured(g, fn, args);
      throw this.captured;
    }
    if (this.replay) {
      const r = this.replay;
      this.replay = undefined;
      if (r.error !== undefined) throw r.error;
      return r.value;
    }
    if (!this.initialized) throw CKR_CRYPTOKI_NOT_INITIALIZED;
    const r = spec === undefined ? SLOW : g.fast(fn, args, spec);
    return r === SLOW ? runSync(g, g[fn](...args)) : r;
  }

  // --- what the facade's Async forms use (group/facade.js)

  /** The group `first` (a slot ID or session handle) belongs to, if any. */
  ownerOf(first) {
    return this.bySlot.get(first) ?? this.owners.get(first);
  }

  /**
   * Runs one facade call `call()` with its group call taken out: returns
   * { captured: { group, fn, args }, result }. Without a group call
   * (`captured` undefined) the call ran, or failed its checks, as usual
   * and `result` is what it returned.
   */
  capture(call) {
    this.capturing = true;
    this.captured = undefined;
    let result;
    try {
      result = call();
    } catch (e) {
      if (!(e instanceof Captured)) throw e;
    } finally {
      this.capturing = false;
    }
    const captured = this.captured;
    this.captured = undefined;
    // An async form rejects with the capture: that rejection is ours.
    if (captured) result?.catch?.(() => {});
    return { captured, result };
  }

  /** Runs `call()` with its group call answered by `result` ({value} or {error}). */
  answer(result, call) {
    this.replay = result;
    try {
      return call();
    } finally {
      this.replay = undefined;
    }
  }

  async runGroupAsync(g, fn, args) {
    if (!this.initialized) throw CKR_CRYPTOKI_NOT_INITIALIZED;
    return runAsync(g, g[fn](...args));
  }

  /** Resolves once every group's live members have written what is queued. */
  async flushGroups() {
    await Promise.all(this.groups.map((g) => g.flush()));
  }

  // --- general, slots

  free() {
    for (const g of this.groups) g.shutdown();
    this.core.free();
  }

  initialize(config) {
    this.core.initialize(config);
    if (config) this.coreConfig = config;
    for (const g of this.groups) g.coreConfig = this.coreConfig;
    this.initialized = true;
  }

  /** Whether C_Initialize must be the async form (members that load asynchronously). */
  groupsNeedAsync() {
    return this.groups.some((g) => !g.started && g.needsAsync());
  }

  loadGroupsSync() {
    for (const g of this.groups) runSync(g, g.start());
  }

  async loadGroups() {
    for (const g of this.groups) await runAsync(g, g.start());
  }

  finalize() {
    this.core.finalize();
    this.initialized = false;
    this.memberSessions.clear();
    for (const g of this.groups) runSync(g, g.finish());
  }

  get_slot_list(present) {
    let list = this.core.get_slot_list(present);
    if (present) list = list.filter((s) => !this.bySlot.has(s) || this.bySlot.get(s).live.length > 0);
    const members = this.listedMembers().filter((x) => !present || x.member.running);
    if (members.length === 0) return list;
    return Float64Array.from([...list, ...members.map((x) => x.id)]);
  }

  get_slot_info(slot) {
    const x = this.memberSlot(slot);
    if (x) return this.memberSlotInfo(x);
    const info = this.core.get_slot_info(slot);
    const g = this.bySlot.get(slot);
    if (!g) return info;
    const text = `pkcs11-wasm group slot ${slot} (${g.members.length} members)`;
    info.fill(0x20, 0, 64);
    info.set(new TextEncoder().encode(text).subarray(0, 64), 0);
    const dv = new DataView(info.buffer, info.byteOffset + SLOT_INFO_FLAGS_AT, 8);
    dv.setUint32(0, g.live.length > 0 ? CKF_TOKEN_PRESENT : 0, true);
    return info;
  }

  wait_for_slot_event(flags) {
    try {
      return this.core.wait_for_slot_event(flags);
    } catch (e) {
      if (e !== CKR_NO_EVENT) throw e;
    }
    for (const g of this.groups) if (g.slotEvents.length > 0) return g.slotEvents.shift();
    throw CKR_NO_EVENT;
  }

  session_slot(h) {
    if (h < GROUP_HANDLE_BASE) return this.core.session_slot(h);
    const g = this.owners.get(h);
    if (g) return g.slotId;
    const ms = this.memberSessions.get(h);
    if (ms) return ms.x.id;
    throw this.unknownSession();
  }
}

Object.assign(CompositeModule.prototype, memberSlots);

const proto = CompositeModule.prototype;
for (const fn of SLOT_CALLS) {
  proto[fn] = function (slot, ...rest) {
    const g = this.bySlot.get(slot);
    if (g) return this.run(g, fn, [slot, ...rest]);
    const x = this.memberSlot(slot);
    return x ? this.memberSlotCall(x, fn, rest) : this.core[fn](slot, ...rest);
  };
}
for (const fn of SESSION_CALLS) {
  proto[fn] = function (h, ...rest) {
    if (h < GROUP_HANDLE_BASE) return this.core[fn](h, ...rest);
    const g = this.ownerOfSession(h);
    if (g) return this.run(g, fn, [h, ...rest]);
    const ms = this.memberSessions.get(h);
    if (ms) return this.memberSessionCall(ms, h, fn, rest);
    throw this.unknownSession();
  };
}
// The calls group/fast.js may take have at most four arguments: no rest
// array to make, and their FAST_OPS entry found here once.
for (const [fn, spec] of Object.entries(FAST_OPS)) {
  const slow = proto[fn];
  proto[fn] = function (h, a, b, c) {
    if (h < GROUP_HANDLE_BASE) return this.core[fn](h, a, b, c);
    const g = this.ownerOfSession(h);
    return g ? this.run(g, fn, [h, a, b, c], spec) : slow.call(this, h, a, b, c);
  };
}
/** `crypt_into`'s operations (src/wasm.rs), by code. */
const CRYPT_INTO_FNS = ["encrypt", "decrypt", "encrypt_update", "decrypt_update"];
/**
 * C_Encrypt, C_Decrypt and their Updates into the caller's buffer `out`
 * (pkcs11.js `output`): on group/fast.js's path the in-thread member's
 * engine writes it, as a plain slot's engine does (a returned array of
 * over 64 bytes is a new buffer outside the JS heap, ~0.6 µs); otherwise
 * the group's call, then a copy. Returns the length written.
 */
proto.crypt_into = function (code, h, data, out) {
  if (h < GROUP_HANDLE_BASE) return this.core.crypt_into(code, h, data, out);
  const fn = CRYPT_INTO_FNS[code];
  const g = this.ownerOfSession(h);
  if (g && fn !== undefined && this.initialized && !this.capturing && !this.replay) {
    const n = g.fastInto(fn, code, h, data, out, FAST_OPS[fn]);
    if (n !== SLOW) return n;
  }
  if (fn === undefined) throw new TypeError("crypt_into: unknown operation");
  const result = this[fn](h, data, out.byteLength);
  out.set(result); // (the engine checked the room)
  return result.length;
};
for (const fn of CORE_CALLS) {
  proto[fn] = function (...args) {
    return this.core[fn](...args);
  };
}
