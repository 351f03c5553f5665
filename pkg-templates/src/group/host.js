// One member of a token group where it runs (the group's thread for a
// LocalMember, a worker for a ThreadMember): its own engine (a WasmModule
// with one slot, slot 0) over its own storage (a TokenStorage, reused as
// is). The group talks to it in requests `{ op, ... }`; answers are plain
// objects (they cross threads):
//   call      { fn, args, mode, init? } -> { value, rv, writes, desc }: one shell
//             call; `rv` is the CK_RV the engine answered; `writes` the
//             storage operations it produced (already queued here, to be
//             replicated); `desc` what the handles it returned are.
//   apply     { ops }: another member's writes, applied to the engine and
//             queued on the storage verbatim (records stay sealed).
//   lookup    { uids } -> { value: [handle or 0] }: token objects by
//             CKA_UNIQUE_ID.
//   load      -> { tokenId, records }: opens the storage (records as read).
//   records   -> { value: [{key, value}] }: what the storage holds, once
//             everything queued is written.
//   flush, flushSync, initialize { config }, finalize, close, fault { kind }
import { WasmModule } from "@gen/glue";
import { TokenStorage } from "../storage/manager.js";
import { tokenIdOf } from "./records.js";

export const SLOT = 0;
// `mode` bits of a call.
export const REFRESH = 1; // pick up other processes' writes first
export const PIN = 4; // a PIN check: under the storage's lock, counted durably
export const DESC_ONE = 8; // describe the returned handle
export const DESC_PAIR = 16; // ... the two returned handles
export const DESC_LIST = 32; // ... the returned handle list
export const DESC_ENCAP = 64; // ... the handle in the first 8 bytes

const CKA_TOKEN = 0x1;
const CKA_PRIVATE = 0x2;
const CKA_UNIQUE_ID = 0x4;
const CKR_DEVICE_ERROR = 0x30;
const RW_SESSION = 0x6; // CKF_SERIAL_SESSION | CKF_RW_SESSION
const DESCRIBE = new Uint32Array([CKA_TOKEN, CKA_PRIVATE, CKA_UNIQUE_ID]);
/** Requests whose answer is awaited. */
export const ASYNC_OPS = new Set(["load", "records", "flush", "close"]);

/** A TokenStorage that also hands over what it wrote and first read. */
class MemberStorage extends TokenStorage {
  constructor(module, storage, emit) {
    super(module, [{ slot: SLOT, kind: storage.kind, name: storage.name }], emit);
    this.taken = [];
    this.initial = undefined;
  }

  afterCall() {
    if (!this.module.has_storage_work()) return;
    for (const t of this.module.take_transactions()) {
      this.backends.get(t.slot)?.enqueue(t.ops);
      for (const op of t.ops) this.taken.push(op);
    }
    this.deliverEvents();
  }

  apply(slot, changes) {
    if (!this.loaded && this.initial === undefined) this.initial = changes ?? [];
    super.apply(slot, changes);
  }

  /** A member holds its whole token at once: resync compares every record. */
  loadSync() {
    super.loadSync();
    for (const [slot, b] of this.backends) {
      if (!b.deferred) continue;
      const objects = b.loadObjects();
      this.initial = [...(this.initial ?? []), ...objects];
      super.apply(slot, objects);
    }
  }
}

/** A 12-byte template entry list: [CKA_UNIQUE_ID = uid]. */
function uidTemplate(uid) {
  const text = new TextEncoder().encode(uid);
  const t = new Uint8Array(8 + text.length);
  const dv = new DataView(t.buffer);
  dv.setUint32(0, CKA_UNIQUE_ID, true);
  dv.setUint32(4, text.length, true);
  t.set(text, 8);
  return t;
}

export class MemberHost {
  /** `storage` {kind, name}; `config` the engine's; `emit(event)` storage events. */
  constructor(storage, config, emit) {
    this.module = new WasmModule(config);
    this.module.initialize(undefined);
    this.emitEvent = emit;
    this.faulty = undefined;
    this.disposed = false;
    // (A disposed engine's store may still report a late write: not the member's news any more.)
    this.storage = new MemberStorage(this.module, storage, (ev) => this.disposed || this.emitEvent(ev));
    this.backend = this.storage.backends.get(SLOT);
  }

  /** Sync requests (and the sync part of the others). */
  handle(req) {
    if (this.faulty) throw new Error(this.faulty);
    switch (req.op) {
      case "call":
        return this.call(req.fn, req.args, req.mode, req.init);
      case "apply":
        return this.apply(req.ops);
      case "lookup":
        return { value: this.lookup(req.uids) };
      case "load":
        return this.loadSync();
      case "flushSync":
        this.storage.flushSync();
        return {};
      case "initialize":
        this.module.initialize(req.config);
        return {};
      case "finalize":
        return this.finalize();
      case "fault":
        return this.fault(req.kind);
      default:
        throw new Error(`unknown member request ${req.op}`);
    }
  }

  async handleAsync(req) {
    if (this.faulty) throw new Error(this.faulty);
    switch (req.op) {
      case "load":
        if (!this.storage.needsAsync) return this.loadSync();
        await this.storage.load();
        return this.loaded();
      case "records":
        await this.storage.flush();
        return { value: await this.backend.records() };
      case "flush":
        await this.storage.flush();
        return {};
      case "close":
        await this.close();
        return {};
      default:
        return this.handle(req);
    }
  }

  /** `init` ({fn, args}): an operation's Init the group deferred, run first (its CK_RV answers if it fails). */
  call(fn, args, mode, init) {
    if (mode & REFRESH) this.storage.refresh();
    let value;
    let rv;
    try {
      if (init) this.module[init.fn](...init.args);
      value = mode & PIN ? this.pinned(fn, args) : this.module[fn](...args);
    } catch (e) {
      if (typeof e !== "number") throw e;
      rv = e;
    }
    const out = this.answer(value, rv);
    if (rv === undefined && mode >= DESC_ONE) out.desc = this.describe(args[0], this.returnedHandles(value, mode));
    return out;
  }

  /** A PIN call under the storage's lock (its own function: call() makes no closures). */
  pinned(fn, args) {
    return this.storage.pinCall(SLOT, () => this.module[fn](...args), () => CKR_DEVICE_ERROR);
  }

  /**
   * call(fn, args, 0) for group/fast.js, with the engine's method itself
   * (`method` of WasmModule.prototype): no refresh, PIN lock or handle
   * description; writes are taken as call() takes them.
   */
  callMethod(method, args) {
    let value;
    let rv;
    try {
      value = method.apply(this.module, args);
    } catch (e) {
      if (typeof e !== "number") throw e;
      rv = e;
    }
    return this.answer(value, rv);
  }

  /**
   * A call's answer, with the writes it made: every call's writes are taken
   * (has_storage_work is a cheap check), the group replicates whatever a
   * member wrote.
   */
  answer(value, rv) {
    this.storage.afterCall();
    const out = { value, rv };
    if (this.storage.taken.length > 0) {
      out.writes = this.storage.taken;
      this.storage.taken = [];
    }
    return out;
  }

  returnedHandles(value, mode) {
    if (mode & DESC_ONE) return [value];
    if (mode & DESC_PAIR) return Array.from(value);
    if (mode & DESC_LIST) return Array.from(value);
    const dv = new DataView(value.buffer, value.byteOffset, 8);
    return [dv.getUint32(0, true) + dv.getUint32(4, true) * 4294967296];
  }

  /** [{ uid, token, priv }] of handles the session can see. */
  describe(session, handles) {
    return handles.map((h) => {
      let a;
      try {
        a = this.module.get_attribute_value(session, h, DESCRIBE);
      } catch (e) {
        if (typeof e !== "number") throw e;
        return { uid: "", token: false, priv: false };
      }
      const dv = new DataView(a.buffer, a.byteOffset, a.byteLength);
      const attrs = [];
      let at = 4;
      for (let k = 0; k < 3; k++) {
        const len = dv.getUint32(at + 4, true);
        attrs.push(a.subarray(at + 8, at + 8 + len));
        at += 8 + len;
      }
      return { uid: new TextDecoder().decode(attrs[2]), token: attrs[0][0] === 1, priv: attrs[1][0] === 1 };
    });
  }

  apply(ops) {
    const changes = [];
    for (const op of ops) {
      if (op.op === "put") changes.push({ key: op.key, value: op.value });
      else if (op.op === "delete") changes.push({ key: op.key, value: null });
      else changes.push({ key: "meta", value: null }); // clear: the token record gone resets the slot
    }
    this.storage.apply(SLOT, changes);
    this.backend.enqueue(ops);
    return {};
  }

  /** Member handles of token objects by unique id (0: not here). */
  lookup(uids) {
    this.storage.refresh();
    const m = this.module;
    const s = m.open_session(SLOT, RW_SESSION);
    try {
      return uids.map((uid) => {
        m.find_objects_init(s, uidTemplate(uid));
        const found = m.find_objects(s, 2);
        m.find_objects_final(s);
        return found.length === 1 ? found[0] : 0;
      });
    } finally {
      m.close_session(s);
    }
  }

  loadSync() {
    this.storage.loadSync();
    return this.loaded();
  }

  /** After loading: a token directory that disappears is a failure, not a new token. */
  loaded() {
    const b = this.backend;
    if (b.kind === "directory") {
      const check = b.checkTree.bind(b);
      b.checkTree = () => check(false);
    }
    const records = (this.storage.initial ?? []).filter((r) => r.value);
    const meta = records.find((r) => r.key === "meta");
    return { tokenId: tokenIdOf(meta?.value), records, refused: b.refused === true };
  }

  finalize() {
    try {
      this.module.finalize();
    } catch (e) {
      if (typeof e !== "number") throw e;
    }
    try {
      this.storage.flushSync();
    } catch {}
    return {};
  }

  async close() {
    try {
      await this.storage.flush();
    } finally {
      this.dispose();
    }
  }

  dispose() {
    this.disposed = true;
    // No more news from other instances (IndexedDB's channel) for a freed engine.
    this.backend.onRemote = undefined;
    this.backend.channel?.close();
    this.storage.refresh = () => {};
    try {
      this.module.free();
    } catch {}
  }

  fault(kind) {
    if (kind === "storage") {
      this.faulty = "injected storage failure";
      this.emitEvent({ slot: SLOT, kind: "write-failed", key: "", message: "writing token storage failed: injected storage failure (groupFault)" });
      return {};
    }
    throw new Error(`unknown fault ${kind}`);
  }
}
