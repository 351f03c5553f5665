// Browsers: a page that goes away (reload, navigation, tab closed) right
// after a synchronous C_Finalize() or any mutating call can lose the
// writes still queued for IndexedDB: each write first opens the database,
// asynchronously, and a discarded page never gets there (a reload lost
// them in 2-3 runs of 10). So each initialized PKCS11 instance keeps one
// IndexedDB connection per token open, and on `pagehide` (the page being
// discarded, not put in the back/forward cache) hands everything still
// queued to a single transaction on it and commits, synchronously: the
// browser finishes a committed transaction after the page is gone.
// `await pkcs11.C_FinalizeAsync()` (or `flush()`) before navigating stays
// the way to know the writes are durable.
import { PKCS11, STORAGE } from "./pkcs11.js";
import { keepOpen, keptConnection, writeOn } from "./storage/idb-connections.js";

const live = new Set(); // WeakRefs to initialized instances
const tracked = new WeakSet();

function track(instance) {
  if (tracked.has(instance) || typeof WeakRef !== "function") return;
  tracked.add(instance);
  live.add(new WeakRef(instance));
}

/** The IndexedDB backends of an instance's storage ({ name, queue, channel, id }). */
function indexedDbBackends(instance) {
  const storage = instance[STORAGE]();
  if (!storage) return [];
  return [...storage.backends.values()].filter((b) => b.kind === "indexeddb");
}

/** After C_Initialize(Async): remember the instance, open its connections. */
function initialized(instance) {
  track(instance);
  return Promise.all(indexedDbBackends(instance).map((b) => keepOpen(b.name)));
}

/**
 * Writes every queued transaction of every live instance in one
 * IndexedDB transaction per token, committed at once. Queued writes are
 * idempotent puts and deletes in call order, so a batch that an earlier
 * (already created) transaction also carries is simply written twice.
 */
export function writeQueued() {
  for (const ref of live) {
    const instance = ref.deref();
    if (!instance) {
      live.delete(ref);
      continue;
    }
    try {
      instance[STORAGE]()?.afterCall(); // anything the core has not handed over yet
    } catch {}
    for (const backend of indexedDbBackends(instance)) {
      const db = keptConnection(backend.name);
      const ops = backend.queue.flat();
      if (!db || ops.length === 0) continue;
      try {
        // (The queue's own writes were created on this connection before
        // this one: it lands last, over them.)
        writeOn(db, ops).catch(() => {});
        backend.hint(ops); // other tabs re-read them
      } catch {
        // Nothing can be reported from a page that is going away.
      }
    }
  }
}

let hooked = false;

/** Hooks `pagehide` once, in pages (workers have no page to hide). */
export function flushOnPageHide() {
  if (hooked || typeof globalThis.addEventListener !== "function" || !("onpagehide" in globalThis)) return;
  if (typeof indexedDB === "undefined") return;
  hooked = true;
  const proto = PKCS11.prototype;
  const initialize = proto.C_Initialize;
  const initializeAsync = proto.C_InitializeAsync;
  Object.defineProperty(proto, "C_Initialize", {
    value: function C_Initialize(...a) {
      const result = initialize.apply(this, a);
      initialized(this);
      return result;
    },
    writable: true,
    configurable: true,
  });
  Object.defineProperty(proto, "C_InitializeAsync", {
    value: async function C_InitializeAsync(...a) {
      const result = await initializeAsync.apply(this, a);
      await initialized(this);
      return result;
    },
    writable: true,
    configurable: true,
  });
  // A page entering the back/forward cache is kept whole (its queued
  // writes go on when it is restored): only a discarded page needs this.
  globalThis.addEventListener("pagehide", (event) => {
    if (!event.persisted) writeQueued();
  });
}
