// The IndexedDB token store (the IndexedDB calls are in idb-raw.js): one
// database per token, one readwrite transaction with strict durability
// per mutating call.
// Other tabs and workers on the same database hear of each write on a
// BroadcastChannel. A message there is only a hint naming the keys that
// changed: any script of the origin can post on the channel, so records
// are always read back from the database itself (and checked by the core
// like any stored record). PIN checks in the `...Async` forms run under a
// Web Lock with the token and counter records read fresh.
import { idb_delete, idb_get, idb_load, idb_write } from "./idb-raw.js";
import { keptConnection, writeOn } from "./idb-connections.js";

// Hints longer than this are treated as "reload everything".
const MAX_HINT_KEYS = 1000;
// The keys a record can have (anything else in a hint is ignored).
const KEY = /^(meta|counters|o\/[0-9a-f]{32})$/;

function randomId() {
  const b = new Uint8Array(8);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export class IndexedDbBackend {
  constructor(name) {
    this.kind = "indexeddb";
    this.sync = false;
    this.name = name;
    this.id = randomId();
    this.queue = []; // transactions not yet committed, in call order
    this.running = undefined; // the promise draining the queue
    this.known = new Set(); // keys present, as far as we know
    this.onRemote = undefined; // set by the storage manager
    this.channel = undefined;
  }

  listen() {
    if (this.channel || typeof BroadcastChannel === "undefined") return;
    this.channel = new BroadcastChannel(`pkcs11-wasm:indexeddb:${this.name}`);
    this.channel.onmessage = (ev) => this.onMessage(ev.data);
    // Never keep a Node process alive just to listen.
    this.channel.unref?.();
  }

  async onMessage(msg) {
    if (!msg || typeof msg !== "object" || msg.sender === this.id) return;
    const keys = Array.isArray(msg.keys) ? msg.keys.filter((k) => typeof k === "string" && KEY.test(k)) : undefined;
    let changes;
    try {
      changes = keys && keys.length <= MAX_HINT_KEYS ? await this.readFresh(keys) : await this.reloadAll();
    } catch {
      return; // the database is gone or busy: the next hint or call retries
    }
    // Keys we are about to write keep our version (last writer wins).
    const mine = new Set(this.queue.flat().map((op) => op.key));
    this.onRemote?.(changes.filter((c) => !mine.has(c.key)));
  }

  /** Every record, and the keys we knew that are gone. */
  async reloadAll() {
    const records = await idb_load(this.name);
    const now = new Set(records.map((r) => r.key));
    const gone = [...this.known].filter((k) => !now.has(k)).map((key) => ({ key, value: null }));
    this.known = now;
    return [...gone, ...records];
  }

  /** `keys` as the database holds them now (value null: gone). */
  async readFresh(keys) {
    const found = await idb_get(this.name, keys);
    for (const c of found) c.value ? this.known.add(c.key) : this.known.delete(c.key);
    return found;
  }

  /** Runs `fn` under this database's Web Lock where the runtime has them. */
  async exclusive(fn) {
    const locks = globalThis.navigator?.locks;
    if (!locks?.request) return fn();
    return locks.request(`pkcs11-wasm:indexeddb:${this.name}`, fn);
  }

  async load() {
    this.listen();
    const records = await idb_load(this.name);
    this.known = new Set(records.map((r) => r.key));
    return records;
  }

  loadSync() {
    throw new TypeError(
      "pkcs11-wasm: IndexedDB storage loads asynchronously: call `await pkcs11.C_InitializeAsync()` instead of C_Initialize()",
    );
  }

  enqueue(ops) {
    this.queue.push(ops);
    for (const op of ops) {
      if (op.op === "put") this.known.add(op.key);
      else if (op.op === "delete") this.known.delete(op.key);
      else this.known.clear();
    }
    this.start();
  }

  start() {
    if (this.running || this.queue.length === 0) return;
    this.running = this.drain().finally(() => (this.running = undefined));
    // A failure is reported through onWriteError and by flush(); this
    // background promise must not become an unhandled rejection.
    this.running.catch(() => {});
  }

  async drain() {
    while (this.queue.length > 0) {
      // Several queued calls go in one IndexedDB transaction: each call
      // stays all-or-nothing, and the batch is as durable as its parts.
      const batch = this.queue.slice();
      const ops = batch.flat();
      try {
        await this.write(ops);
      } catch (e) {
        this.onWriteError?.(e);
        throw e;
      }
      this.queue.splice(0, batch.length);
      this.hint(ops);
    }
  }


  /**
   * One transaction of `ops`: on the page's kept connection when there is
   * one (the transaction exists when this returns, so it is ordered before
   * a later pagehide flush), else through idb_write.
   */
  write(ops) {
    const db = keptConnection(this.name);
    if (db) {
      try {
        return writeOn(db, ops);
      } catch {
        // closed (a version change, deleteToken): open one for this write
      }
    }
    return idb_write(this.name, ops);
  }

  /** Tells other instances which records `ops` changed (they re-read them). */
  hint(ops) {
    const clear = ops.some((op) => op.op === "clear");
    const keys = clear ? undefined : [...new Set(ops.map((op) => op.key))];
    this.channel?.postMessage({ sender: this.id, keys, clear });
  }

  /** Starts writing (IndexedDB cannot be waited for synchronously). */
  flushSync() {
    this.start();
  }

  /** Resolves when every queued transaction has committed. */
  async flush() {
    if (this.running) await this.running.catch(() => {});
    this.start(); // retries what failed before
    if (this.running) await this.running;
  }

  poll() {
    return null; // changes arrive by BroadcastChannel
  }

  async records() {
    return idb_load(this.name);
  }

  async destroy() {
    this.queue = [];
    if (this.running) await this.running.catch(() => {});
    await idb_delete(this.name);
    this.known.clear();
    this.channel?.postMessage({ sender: this.id, clear: true });
  }
}
