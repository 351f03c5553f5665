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

const STORE = "records"; // src/wasm_idb.rs: one object store, string keys

const live = new Set(); // WeakRefs to initialized instances
const tracked = new WeakSet();
const connections = new Map(); // database name -> IDBDatabase (or a pending open)
const opening = new Map(); // database name -> promise of its open

/**
 * Opens (once) the connection the pagehide write will use; resolves when it
 * is open (or failed), so that C_InitializeAsync can wait for it: a page
 * that writes and reloads at once must not find it still opening.
 */
function keepOpen(name) {
  if (connections.has(name)) return opening.get(name);
  connections.set(name, null);
  let done;
  opening.set(name, new Promise((resolve) => (done = resolve)));
  const request = indexedDB.open(name, 1);
  // As src/wasm_idb.rs opens it (the store exists by now: the token loaded).
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
  };
  request.onsuccess = () => {
    const db = request.result;
    // Never stand in the way of deleteToken() or a newer version.
    db.onversionchange = () => {
      db.close();
      connections.delete(name);
    };
    connections.set(name, db);
    done();
  };
  request.onerror = () => {
    connections.delete(name);
    done();
  };
  return opening.get(name);
}

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
      const db = connections.get(backend.name);
      const ops = backend.queue.flat();
      if (!db || ops.length === 0) continue;
      try {
        const tx = db.transaction(STORE, "readwrite", { durability: "strict" });
        const store = tx.objectStore(STORE);
        for (const op of ops) {
          if (op.op === "put") store.put(op.value, op.key);
          else if (op.op === "delete") store.delete(op.key);
          else store.clear();
        }
        tx.commit?.();
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
