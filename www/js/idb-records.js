// Reads a token's IndexedDB database directly, not through PKCS#11: the
// raw records as stored (lesson 8 shows them; lesson 11 reads an unplugged
// group member's database this way, its worker being gone).

/** The records of database `dbName`: [{ key, value: Uint8Array }] ([] when it does not exist). */
export async function readRecords(dbName) {
  const names = (await indexedDB.databases?.()) ?? [];
  if (!names.some((d) => d.name === dbName)) return [];
  const db = await new Promise((resolve, reject) => {
    const req = indexedDB.open(dbName);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    if (!db.objectStoreNames.contains("records")) return [];
    const store = db.transaction("records", "readonly").objectStore("records");
    const get = (req) => new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const [keys, values] = await Promise.all([get(store.getAllKeys()), get(store.getAll())]);
    return keys.map((key, i) => ({ key: String(key), value: new Uint8Array(values[i]) }));
  } finally {
    db.close();
  }
}
