// Pages keep one IndexedDB connection per token database open (pagehide.js
// opens it at C_Initialize): the pagehide flush writes on it, and so does
// the ordinary write queue (indexeddb.js). Writing on an open connection
// creates the transaction at once, in call order; opening a connection per
// write (idb_write in idb-raw.js) creates it later, and a write still
// opening when the page went could land after the pagehide flush and put
// older records back over newer ones (seen under load: a token lost).
// Workers and Node have no such connection and use idb_write.

export const STORE = "records"; // one object store, string keys (idb-raw.js)

const connections = new Map(); // database name -> IDBDatabase (or null while opening)
const opening = new Map(); // database name -> promise of its open

/** Opens database `name` (version 1), creating its store on first use. */
export function openRequest(name) {
  const request = indexedDB.open(name, 1);
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
  };
  return request;
}

/** The open connection kept for `name`, if any. */
export function keptConnection(name) {
  return connections.get(name) ?? undefined;
}

/**
 * Opens (once) the connection kept for `name`; resolves when it is open
 * (or failed), so that C_InitializeAsync can wait for it.
 */
export function keepOpen(name) {
  if (connections.has(name)) return opening.get(name);
  connections.set(name, null);
  let done;
  opening.set(name, new Promise((resolve) => (done = resolve)));
  const request = openRequest(name);
  request.onsuccess = () => {
    const db = request.result;
    // Never stand in the way of deleteToken() or a newer version.
    db.onversionchange = () => {
      db.close();
      connections.delete(name);
      opening.delete(name);
    };
    connections.set(name, db);
    done();
  };
  request.onerror = () => {
    connections.delete(name);
    opening.delete(name);
    done();
  };
  return opening.get(name);
}

/**
 * Applies `ops` (put / delete / clear, in order) in one readwrite
 * transaction on `db`, created now (throws at once if `db` is closed or
 * an operation is refused, writing nothing); the promise settles when it
 * commits or fails.
 */
export function writeOn(db, ops) {
  const tx = db.transaction(STORE, "readwrite", { durability: "strict" });
  const store = tx.objectStore(STORE);
  try {
    for (const op of ops) {
      if (op.op === "put") store.put(op.value, op.key);
      else if (op.op === "delete") store.delete(op.key);
      else store.clear();
    }
  } catch (e) {
    tx.abort(); // all or nothing: the requests made so far would commit
    throw e;
  }
  const done = new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error("IndexedDB write aborted"));
  });
  tx.commit?.();
  return done;
}
