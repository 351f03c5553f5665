// The storage manager of one module instance: it takes each mutating
// call's writes from the core and queues them on the slot's backend (in
// call order), hands the core what other instances wrote, and delivers
// storage events (damaged records, refused tokens, failed writes).
import { newBackend } from "./backends.js";
import { PackedRecords, packChanges } from "./packed.js";
import { StorageRefused } from "./refused.js";

// What a PIN check reads fresh: the PIN blobs and the failure counters.
const PIN_RECORDS = ["meta", "counters"];

// Sync backends with queued writes, flushed when the process exits.
const live = new Set();
let exitHook = false;

function hookExit() {
  if (exitHook || typeof process === "undefined" || typeof process.on !== "function") return;
  exitHook = true;
  process.on("exit", () => {
    for (const b of live) {
      try {
        b.flushSync();
      } catch (e) {
        console.error(`pkcs11-wasm: writing token storage at exit failed: ${e.message}`);
      }
    }
  });
}

export class TokenStorage {
  /** `storages`: [{slot, kind, name}] from splitStorage; `emit(event)`. */
  constructor(module, storages, emit) {
    this.module = module;
    this.emit = emit;
    this.backends = new Map();
    this.loaded = false;
    this.reported = new WeakSet();
    for (const { slot, kind, name } of storages) {
      const b = newBackend(kind, name);
      b.onWriteError = (e) => this.writeFailed(slot, e);
      b.onRemote = (changes) => this.apply(slot, changes);
      b.onEvent = (kind, key, message) => this.emit({ slot, kind, key, message });
      this.backends.set(slot, b);
      module.set_persistent(slot);
      if (b.sync) live.add(b);
    }
    if (live.size > 0) hookExit();
  }

  get needsAsync() {
    return [...this.backends.values()].some((b) => !b.sync);
  }

  loadSync() {
    for (const [slot, b] of this.backends) this.loadOne(slot, () => b.loadSync());
    this.loaded = true;
  }

  async load() {
    for (const [slot, b] of this.backends) {
      let records;
      try {
        records = await b.load();
      } catch (e) {
        if (!(e instanceof StorageRefused)) throw e;
        this.refuse(slot, e);
        continue;
      }
      this.apply(slot, records);
    }
    this.loaded = true;
  }

  loadOne(slot, load) {
    let records;
    try {
      records = load();
    } catch (e) {
      if (!(e instanceof StorageRefused)) throw e;
      return this.refuse(slot, e);
    }
    this.apply(slot, records);
  }

  /** The slot's storage must not be used: its token is refused. */
  refuse(slot, e) {
    this.module.storage_refuse(slot, e.message);
    this.deliverEvents();
  }

  /**
   * Runs a PIN-checking call `fn` on `slot` (C_Login, C_SetPIN, C_InitPIN,
   * C_InitToken, rekeyToken) so that it checks against the current token
   * and counter records and counts a wrong PIN durably before it answers:
   * under the storage's lock (other processes wait), with those records
   * read fresh, and its writes flushed before the lock is released. A
   * failed write turns a failed check into CKR_DEVICE_ERROR (the attempt
   * must not go uncounted); a successful call stands.
   *
   * `login`: the call is a login, whose check needs only the token and
   * counter records, so object records not read yet are read after it.
   * At a first login on a token of 1,000 objects this derives the PIN's
   * key while V8 has nothing else to compile, and files each record once,
   * logged in, instead of filing it and then giving it a handle (issue 15
   * item 2). Other PIN calls (C_InitToken, rekeyToken...) act on the
   * objects, and read them first.
   */
  pinCall(slot, fn, failed, login = false) {
    this.refresh(!login);
    try {
      const b = this.backends.get(slot);
      if (!b || b.refused || !b.exclusiveSync) {
        try {
          return fn();
        } finally {
          this.afterCall();
        }
      }
      return b.exclusiveSync(() => {
        this.apply(slot, b.readFresh(PIN_RECORDS));
        return this.counted(slot, fn, failed, () => b.flushSync());
      });
    } finally {
      if (login) this.refresh();
    }
  }

  /** `pinCall` for stores that lock and read asynchronously (IndexedDB). */
  async pinCallAsync(slot, fn, failed, login = false) {
    this.refresh(!login);
    const b = this.backends.get(slot);
    if (!b || b.refused || !b.exclusive) return this.pinCall(slot, fn, failed, login);
    try {
      return await b.exclusive(async () => {
        this.apply(slot, await b.readFresh(PIN_RECORDS));
        return this.counted(slot, fn, failed, () => b.flush());
      });
    } finally {
      if (login) this.refresh();
    }
  }

  /**
   * Runs the PIN check `fn`, queues its writes and makes them durable with
   * `flush` (synchronous, or returning a promise): `fn`'s result or error;
   * if the flush fails after a failed check, `failed(error)` instead.
   */
  counted(slot, fn, failed, flush) {
    let outcome;
    try {
      outcome = { value: fn() };
    } catch (e) {
      outcome = { error: e };
    }
    this.afterCall();
    const settle = (flushError) => {
      if (flushError) {
        this.writeFailed(slot, flushError.error);
        if ("error" in outcome) throw failed(flushError.error);
      }
      if ("error" in outcome) throw outcome.error;
      return outcome.value;
    };
    let flushed;
    try {
      flushed = flush();
    } catch (error) {
      return settle({ error });
    }
    return flushed instanceof Promise ? flushed.then(() => settle(), (error) => settle({ error })) : settle();
  }

  /**
   * Applies records (loaded, or written by another instance) to the core:
   * [{key, value}] or PackedRecords. One crossing into wasm for the whole
   * batch (a token's load can be thousands of records): two lengths per
   * record (the value's -1: gone), the keys' bytes, the values. Keys as JS
   * strings would cost a crossing and an allocation each (~3 ms of a cold
   * start-up with 1,000 objects).
   */
  apply(slot, changes) {
    if (!changes || changes.length === 0) return;
    const { lengths, keys, values } = changes instanceof PackedRecords ? changes.wire() : packChanges(changes);
    this.module.storage_apply(slot, lengths, keys, values);
    this.deliverEvents();
  }

  deliverEvents() {
    for (const ev of this.module.take_storage_events()) {
      // A refused token's storage is left alone until deleteToken.
      if (ev.kind === "refused") {
        const b = this.backends.get(ev.slot);
        if (b) b.refused = true;
      }
      this.emit(ev);
    }
  }

  /** After a mutating call: queue its writes. */
  afterCall() {
    if (!this.module.has_storage_work()) return;
    for (const t of this.module.take_transactions()) this.backends.get(t.slot)?.enqueue(t.ops);
    this.deliverEvents();
  }

  /**
   * Before a call that reads token state: pick up other instances' writes.
   * `objects` false: only the token and counter records are needed (token
   * information), so objects not read yet stay unread.
   */
  refresh(objects = true) {
    for (const [slot, b] of this.backends) {
      if (b.refused) continue;
      let changes;
      try {
        if (objects && b.deferred) this.apply(slot, b.loadObjects());
        changes = b.poll();
      } catch (e) {
        if (!(e instanceof StorageRefused)) throw e;
        this.refuse(slot, e);
        continue;
      }
      if (changes) this.apply(slot, changes);
    }
  }

  /** Reports a failed write once (the queued writes stay for a retry). */
  writeFailed(slot, e) {
    if (e !== null && typeof e === "object") {
      if (this.reported.has(e)) return;
      this.reported.add(e);
    }
    this.emit({ slot, kind: "write-failed", key: "", message: `writing token storage failed: ${e?.message ?? e}` });
  }

  /** Resolves once every write so far is durable; rejects if one failed. */
  async flush() {
    this.afterCall();
    const flushes = [...this.backends].map(async ([slot, b]) => {
      try {
        await b.flush();
      } catch (e) {
        this.writeFailed(slot, e);
        throw e;
      }
    });
    const results = await Promise.allSettled(flushes);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /**
   * Writes what can be written synchronously (all but IndexedDB, which
   * starts); throws the first error, after reporting each.
   */
  flushSync() {
    this.afterCall();
    let error;
    for (const [slot, b] of this.backends) {
      try {
        b.flushSync();
      } catch (e) {
        this.writeFailed(slot, e);
        error ??= e;
      }
    }
    if (error) throw error;
  }

  /** Deletes the storage of `slot` (after the core forgot its token). */
  async destroy(slot) {
    // The core's "clear" write is superseded by deleting everything.
    for (const t of this.module.take_transactions()) {
      if (t.slot !== slot) this.backends.get(t.slot)?.enqueue(t.ops);
    }
    const b = this.backends.get(slot);
    await b?.destroy();
    if (b) b.refused = false;
  }

  /** The raw stored records of `slot` ([{key, value}]), for inspection. */
  async records(slot) {
    const b = this.backends.get(slot);
    return b ? b.records() : [];
  }
}
