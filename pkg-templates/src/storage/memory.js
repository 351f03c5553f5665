// A named in-process store: a Map of records shared by every module
// instance that names it, so two instances see each other's writes (the
// test double of a token directory or database). Writes are immediate.
const stores = new Map();

export class MemoryBackend {
  constructor(name) {
    this.kind = "memory";
    this.sync = true;
    this.name = name;
    if (!stores.has(name)) stores.set(name, { records: new Map(), version: 0 });
    this.store = stores.get(name);
    this.seenVersion = -1;
    this.known = new Map(); // key -> the record object last applied or written
  }

  loadSync() {
    this.seenVersion = this.store.version;
    const out = [];
    for (const [key, value] of this.store.records) {
      this.known.set(key, value);
      out.push({ key, value });
    }
    return out;
  }

  async load() {
    return this.loadSync();
  }

  enqueue(ops) {
    const records = this.store.records;
    // Our own writes are already applied in the core: remember them as
    // seen, and only them (others' writes still show up in poll()).
    for (const op of ops) {
      if (op.op === "put") {
        records.set(op.key, op.value);
        this.known.set(op.key, op.value);
      } else if (op.op === "delete") {
        records.delete(op.key);
        this.known.delete(op.key);
      } else if (op.op === "clear") {
        for (const key of records.keys()) this.known.delete(key);
        records.clear();
      }
    }
    // Nobody else wrote since we looked: poll() has nothing to compare
    // (a diff of the whole store after each of our own writes made every
    // call cost O(records), tombstones included).
    const upToDate = this.seenVersion === this.store.version;
    this.store.version++;
    if (upToDate) this.seenVersion = this.store.version;
  }


  flushSync() {}

  async flush() {}

  /** Changes made by other instances since we last looked. */
  poll() {
    if (this.seenVersion === this.store.version) return null;
    this.seenVersion = this.store.version;
    const changes = [];
    const now = this.store.records;
    for (const [key, value] of now) if (this.known.get(key) !== value) changes.push({ key, value });
    for (const key of this.known.keys()) if (!now.has(key)) changes.push({ key, value: null });
    this.known = new Map(now);
    return changes;
  }

  /** Raw records, for inspection (the playground's "what is stored"). */
  async records() {
    return [...this.store.records].map(([key, value]) => ({ key, value }));
  }

  async destroy() {
    this.store.records.clear();
    this.store.version++;
    this.known.clear();
  }
}
