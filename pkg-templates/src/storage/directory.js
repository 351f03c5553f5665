// The Node token directory: one file per record.
//   <dir>/meta, <dir>/counters, <dir>/objects/<unique id>
//   <dir>/generation   one byte appended after every batch: other processes
//                      poll its size and rescan when it grows
// Why files and not an append-only log: several processes share a token,
// and with one file per object they never contend for the same file
// (concurrent creates cannot lose each other), no compaction is needed,
// and a reader's rescan only reads the files whose identity changed.
// Every write is atomic: a temporary file is written and fsynced, then
// renamed over the record. A transaction of several writes (a key pair,
// C_InitToken's wipe) first writes a journal naming its renames and
// deletions; recovery at open rolls any journal forward, so after a crash
// the transaction is either wholly there or not at all.
import { platform } from "../platform.js";

const KEY = /^(meta|counters|o\/[0-9A-Za-z_-]{1,128})$/;
const STALE_TEMP_MS = 60_000;
// The generation file is replaced by an empty one past this size.
const GENERATION_MAX = 65_536;

function randomName(prefix) {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class DirectoryBackend {
  constructor(dir) {
    this.kind = "directory";
    this.sync = true;
    this.fs = platform.fs;
    this.dir = platform.path.resolve(dir);
    this.objects = platform.path.join(this.dir, "objects");
    this.genFile = platform.path.join(this.dir, "generation");
    this.queue = []; // unwritten transactions (arrays of ops), in call order
    this.known = new Map(); // key -> identity of the file we last read/wrote
    this.generation = undefined;
    this.scheduled = false;
  }

  file(key) {
    if (!KEY.test(key)) throw new Error(`pkcs11-wasm: bad storage key ${JSON.stringify(key)}`);
    return key.startsWith("o/") ? platform.path.join(this.objects, key.slice(2)) : platform.path.join(this.dir, key);
  }

  /** Inode, mtime and size: a record file is only ever replaced by rename. */
  identity(file) {
    const s = this.fs.statSync(file, { throwIfNoEntry: false });
    return s ? `${s.ino}:${s.mtimeMs}:${s.size}` : undefined;
  }

  /** The generation file's inode and size (it only grows, or is replaced). */
  generationNow() {
    const s = this.fs.statSync(this.genFile, { throwIfNoEntry: false });
    return s ? `${s.ino}:${s.size}` : undefined;
  }

  /** Every record key present on disk, with its file. */
  listKeys() {
    const keys = [];
    for (const k of ["meta", "counters"]) keys.push(k);
    let names = [];
    try {
      names = this.fs.readdirSync(this.objects);
    } catch (e) {
      if (e.code !== "ENOENT") throw e;
    }
    for (const n of names) if (!n.startsWith(".") && KEY.test("o/" + n)) keys.push("o/" + n);
    return keys;
  }

  loadSync() {
    this.fs.mkdirSync(this.objects, { recursive: true });
    this.recover();
    this.generation = this.generationNow();
    const out = [];
    for (const key of this.listKeys()) {
      const file = this.file(key);
      const id = this.identity(file);
      if (id === undefined) continue;
      out.push({ key, value: new Uint8Array(this.fs.readFileSync(file)) });
      this.known.set(key, id);
    }
    return out;
  }

  async load() {
    return this.loadSync();
  }

  /** Rolls journals forward and removes stale temporary files. */
  recover() {
    for (const name of this.fs.readdirSync(this.dir)) {
      if (name.startsWith("journal-")) {
        const path = platform.path.join(this.dir, name);
        let journal;
        try {
          journal = JSON.parse(this.fs.readFileSync(path, "utf8"));
        } catch {
          continue; // being written by another process: its temp, not here
        }
        this.replay(journal);
        this.unlink(path);
      }
    }
    const now = Date.now();
    for (const dir of [this.dir, this.objects]) {
      for (const name of this.fs.readdirSync(dir)) {
        if (!name.startsWith(".tmp-")) continue;
        const path = platform.path.join(dir, name);
        try {
          if (now - this.fs.statSync(path).mtimeMs > STALE_TEMP_MS) this.unlink(path);
        } catch {}
      }
    }
  }

  replay(journal) {
    for (const [tmp, final] of journal.renames) {
      try {
        this.fs.renameSync(tmp, final);
      } catch (e) {
        if (e.code !== "ENOENT") throw e; // already renamed
      }
    }
    for (const file of journal.deletes) this.unlink(file);
  }

  unlink(file) {
    try {
      this.fs.unlinkSync(file);
    } catch (e) {
      if (e.code !== "ENOENT") throw e;
    }
  }

  /** Writes `bytes` to a new temporary file beside `final`, fsynced. */
  writeTemp(final, bytes) {
    const tmp = platform.path.join(platform.path.dirname(final), randomName(".tmp-"));
    const fd = this.fs.openSync(tmp, "wx", 0o600);
    try {
      this.fs.writeSync(fd, bytes);
      this.fs.fsyncSync(fd);
    } finally {
      this.fs.closeSync(fd);
    }
    return tmp;
  }

  fsyncDir(dir) {
    const fd = this.fs.openSync(dir, "r");
    try {
      this.fs.fsyncSync(fd);
    } finally {
      this.fs.closeSync(fd);
    }
  }

  enqueue(ops) {
    this.queue.push(ops);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        try {
          this.flushSync();
        } catch (e) {
          this.onWriteError?.(e);
        }
      });
    }
  }


  /** Writes every queued transaction; durable when it returns. */
  flushSync() {
    if (this.queue.length === 0) return;
    this.fs.mkdirSync(this.objects, { recursive: true });
    while (this.queue.length > 0) {
      this.writeTransaction(this.queue[0]);
      this.queue.shift();
    }
    this.fsyncDir(this.objects);
    this.fsyncDir(this.dir);
    this.bumpGeneration();
  }

  /**
   * Tells other processes that something changed: one byte appended (an
   * atomic append). If the file grew by exactly our byte, nobody else
   * wrote since we last looked and we need not rescan our own writes.
   */
  bumpGeneration() {
    const before = this.generationNow();
    if (before && Number(before.split(":")[1]) >= GENERATION_MAX) {
      this.fs.renameSync(this.writeTemp(this.genFile, new Uint8Array(0)), this.genFile);
    }
    const fd = this.fs.openSync(this.genFile, "a", 0o600);
    let s;
    try {
      this.fs.writeSync(fd, "+");
      s = this.fs.fstatSync(fd);
    } finally {
      this.fs.closeSync(fd);
    }
    if (this.generation === `${s.ino}:${s.size - 1}`) this.generation = `${s.ino}:${s.size}`;
  }

  async flush() {
    this.flushSync();
  }

  writeTransaction(ops) {
    const renames = [];
    const deletes = [];
    for (const op of ops) {
      if (op.op === "put") {
        const final = this.file(op.key);
        renames.push([this.writeTemp(final, op.value), final, op.key]);
      } else if (op.op === "delete") {
        deletes.push([this.file(op.key), op.key]);
      } else if (op.op === "clear") {
        for (const key of this.listKeys()) deletes.push([this.file(key), key]);
      }
    }
    // A later put of a key cleared earlier in the same transaction wins.
    const put = new Set(renames.map((r) => r[1]));
    const dels = deletes.filter(([file]) => !put.has(file));
    let journal;
    if (renames.length + dels.length > 1) {
      journal = platform.path.join(this.dir, randomName("journal-"));
      const text = JSON.stringify({ renames: renames.map(([t, f]) => [t, f]), deletes: dels.map(([f]) => f) });
      const tmp = this.writeTemp(journal, new TextEncoder().encode(text));
      this.fs.renameSync(tmp, journal);
      this.fsyncDir(this.dir);
    }
    for (const [tmp, final, key] of renames) {
      this.fs.renameSync(tmp, final);
      this.known.set(key, this.identity(final));
    }
    for (const [file, key] of dels) {
      this.unlink(file);
      this.known.delete(key);
    }
    if (journal) {
      this.fsyncDir(this.objects);
      this.fsyncDir(this.dir);
      this.unlink(journal);
    }
  }

  /**
   * Changes written by other processes since we last looked, or null.
   * Costs one stat when nothing changed.
   */
  poll() {
    // Keys we are about to write keep our version (a queued clear: all).
    const mine = new Set();
    for (const ops of this.queue) {
      for (const op of ops) {
        if (op.op === "clear") return null;
        mine.add(op.key);
      }
    }
    const generation = this.generationNow();
    if (generation === this.generation) return null;
    this.generation = generation;
    const changes = [];
    const seen = new Set();
    for (const key of this.listKeys()) {
      const file = this.file(key);
      const id = this.identity(file);
      if (id === undefined) continue;
      seen.add(key);
      if (this.known.get(key) === id || mine.has(key)) continue;
      try {
        changes.push({ key, value: new Uint8Array(this.fs.readFileSync(file)) });
        this.known.set(key, id);
      } catch (e) {
        if (e.code !== "ENOENT") throw e; // deleted meanwhile
      }
    }
    for (const key of [...this.known.keys()]) {
      if (!seen.has(key) && !mine.has(key)) {
        changes.push({ key, value: null });
        this.known.delete(key);
      }
    }
    return changes;
  }

  async records() {
    return this.listKeys()
      .filter((key) => this.identity(this.file(key)) !== undefined)
      .map((key) => ({ key, value: new Uint8Array(this.fs.readFileSync(this.file(key))) }));
  }

  /** Deletes the token's files, and the directory when nothing else is in it. */
  async destroy() {
    this.queue = [];
    for (const key of this.listKeys()) this.unlink(this.file(key));
    this.unlink(this.genFile);
    this.known.clear();
    for (const dir of [this.objects, this.dir]) {
      try {
        this.fs.rmdirSync(dir);
      } catch {}
    }
  }
}
