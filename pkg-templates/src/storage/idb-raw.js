// The IndexedDB calls of the token store (indexeddb.js): one database per
// token, one object store "records", string keys ("meta", "counters",
// "o/<unique id>") and Uint8Array values as the core encodes them. Works
// in pages and Workers (and under Node with fake-indexeddb).
//
// In JS rather than in the wasm shell: in Rust (indexed_db_futures and the
// futures runtime under it) the same few calls cost the core module ~70 KB
// of code, Rust's float formatting included, which every page downloads.
import { STORE, openRequest, writeOn } from "./idb-connections.js";

/** Settles with a request's result or its error, named after `what`. */
function settle(request, what) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(failure(what, request.error));
  });
}

function failure(what, error) {
  return new Error(`IndexedDB ${what}: ${error?.message ?? error ?? "failed"}`);
}

/** Opens database `name`, creating its store on first use. */
function open(name) {
  return settle(openRequest(name), "open");
}

/** Runs `f(store)` in a readonly transaction of database `name`, then closes it. */
async function reading(name, f) {
  const db = await open(name);
  try {
    return await f(db.transaction(STORE, "readonly").objectStore(STORE));
  } finally {
    db.close();
  }
}

/** Every record of database `name`: an array of `{key, value}`. */
export function idb_load(name) {
  return reading(name, async (store) => {
    const [keys, values] = await Promise.all([settle(store.getAllKeys(), "read"), settle(store.getAll(), "read")]);
    return keys.map((key, i) => ({ key, value: values[i] }));
  });
}

/**
 * The records of database `name` under `keys` (strings; others are
 * skipped): an array of `{key, value}`, value `null` for a key that is
 * not there.
 */
export function idb_get(name, keys) {
  return reading(name, (store) =>
    Promise.all(
      keys.filter((key) => typeof key === "string").map(async (key) => ({ key, value: (await settle(store.get(key), "read")) ?? null })),
    ),
  );
}

/**
 * Applies `ops` (`{op: "put", key, value} | {op: "delete", key} |
 * {op: "clear"}`) in one readwrite transaction with strict durability;
 * resolves once it has committed. An unknown operation writes nothing.
 */
export async function idb_write(name, ops) {
  if (ops.some((op) => !["put", "delete", "clear"].includes(op?.op))) throw new Error("IndexedDB write: unknown operation");
  const db = await open(name);
  try {
    let committed;
    try {
      committed = writeOn(db, ops);
    } catch (e) {
      throw failure("write", e);
    }
    await committed.catch((e) => {
      throw failure("commit", e);
    });
  } finally {
    db.close();
  }
}

/** Deletes database `name` entirely (the token's storage). */
export function idb_delete(name) {
  return settle(indexedDB.deleteDatabase(name), "delete").then(() => undefined);
}
