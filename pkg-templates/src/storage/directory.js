// The Node token directory: one file per record.
//   <dir>/meta, <dir>/counters, <dir>/objects/<unique id>
//   <dir>/generation   one byte appended after every batch: other processes
//                      poll its size and rescan when it grows
//   <dir>/lock         held while a PIN is checked (lock.js)
//   <dir>/objects.cache a copy of objects/ in one file, read instead of
//                      the files while the directory is unchanged
//                      (object-cache.js)
// Why files and not an append-only log: several processes share a token,
// and with one file per object they never contend for the same file
// (concurrent creates cannot lose each other), no compaction is needed,
// and a reader's rescan only reads the files whose identity changed.
// Every write is atomic: a temporary file is written and fsynced, then
// renamed over the record. A transaction of several writes (a key pair,
// C_InitToken's wipe) first writes a journal naming its renames and
// deletions; recovery at open rolls any journal forward, so after a crash
// the transaction is either wholly there or not at all.
//
// What is read from the directory is never trusted as a path: journals
// name record keys and temporary file names, both checked against fixed
// patterns; the token directory, objects/ and generation must not be
// symbolic links; record files are opened without following links and
// must be regular files of bounded size. Directories are created 0700.
import { platform } from "../platform.js";
import { DirectoryLock } from "./lock.js";
import { StorageRefused } from "./refused.js";
import { MAX_CACHE, decodeCache, encodeCache } from "./object-cache.js";
import { PackedRecords } from "./packed.js";

const KEY = /^(meta|counters|o\/[0-9a-f]{32})$/;
const OBJECT_NAME = /^[0-9a-f]{32}$/;
const TEMP = /^\.tmp-[0-9a-f]{16}$/;
const JOURNAL = /^journal-[0-9a-f]{16}$/;
const STALE_TEMP_MS = 60_000;
// The generation file is replaced by an empty one past this size.
const GENERATION_MAX = 65_536;
// Larger files are not records this library writes (the largest object,
// an RSA-16384 private key, is far below): never read them whole.
const MAX_RECORD = 16 * 1024 * 1024;

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
    this.cacheFile = platform.path.join(this.dir, "objects.cache");
    this.queue = []; // unwritten transactions (arrays of ops), in call order
    this.known = new Map(); // key -> identity of the file we last read/wrote
    this.generation = undefined;
    this.scheduled = false;
    this.lock = new DirectoryLock(this.fs, platform.path.join(this.dir, "lock"));
    const c = this.fs.constants ?? {};
    this.noFollow = c.O_NOFOLLOW ?? 0;
    this.readFlags = (c.O_RDONLY ?? 0) | this.noFollow | (c.O_NONBLOCK ?? 0);
    this.onEvent = undefined; // set by the storage manager: (kind, key, message)
    // Object records are read at the first call that needs objects
    // (loadObjects), not at C_Initialize: opening a token for its token
    // information costs two file reads, whatever its size.
    this.deferred = false;
  }

  report(kind, key, message) {
    this.onEvent?.(kind, key, message);
  }

  file(key) {
    if (!KEY.test(key)) throw new Error(`pkcs11-wasm: bad storage key ${JSON.stringify(key)}`);
    return key.startsWith("o/") ? platform.path.join(this.objects, key.slice(2)) : platform.path.join(this.dir, key);
  }

  lstat(path) {
    return this.fs.lstatSync(path, { throwIfNoEntry: false });
  }

  /** Inode, mtime and size: a record file is only ever replaced by rename. */
  identity(file) {
    const s = this.lstat(file);
    return s ? `${s.ino}:${s.mtimeMs}:${s.size}` : undefined;
  }

  /** The generation file's inode and size (it only grows, or is replaced). */
  generationNow() {
    const s = this.lstat(this.genFile);
    return s && s.isFile() ? `${s.ino}:${s.size}` : undefined;
  }

  /**
   * Makes sure the token directory and objects/ are real directories (made
   * 0700 when missing) and generation is no link; throws StorageRefused if
   * not. `create`: make what is missing.
   */
  checkTree(create) {
    const dir = this.lstat(this.dir);
    if (dir?.isSymbolicLink()) throw new StorageRefused(`the token directory ${this.dir} is a symbolic link; it was not used`);
    if (dir && !dir.isDirectory()) throw new StorageRefused(`${this.dir} is not a directory; the token was not opened`);
    if (!dir && create) this.fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const objects = this.lstat(this.objects);
    if (objects?.isSymbolicLink()) throw new StorageRefused(`${this.objects} is a symbolic link; the token was not opened`);
    if (objects && !objects.isDirectory()) throw new StorageRefused(`${this.objects} is not a directory; the token was not opened`);
    if (!objects && create) this.fs.mkdirSync(this.objects, { mode: 0o700 });
    const gen = this.lstat(this.genFile);
    if (gen && !gen.isFile()) throw new StorageRefused(`${this.genFile} is not a regular file; the token was not opened`);
    return dir;
  }

  /** Warns when other users could change the token's files. */
  checkPermissions(stat) {
    if (!stat || process.platform === "win32") return;
    for (const [path, s] of [[this.dir, stat], [this.objects, this.lstat(this.objects)]]) {
      if (s && (s.mode & 0o022) !== 0) {
        const mode = (s.mode & 0o777).toString(8);
        this.report("insecure", "", `${path} is writable by group or others (mode ${mode}); make it 0700 (chmod 700) so other users cannot change the token`);
      }
    }
  }

  /**
   * A record's bytes and identity: {value, id}, or {error} when it is not a readable regular
   * file of sane size (a directory, a link, a FIFO, unreadable...).
   */
  readRecord(file, max = MAX_RECORD) {
    let fd;
    try {
      fd = this.fs.openSync(file, this.readFlags);
    } catch (e) {
      if (e.code === "ENOENT") return { gone: true };
      return { error: e.code === "ELOOP" ? "it is a symbolic link" : e.message };
    }
    try {
      const s = this.fs.fstatSync(fd);
      if (!s.isFile()) return { error: "it is not a regular file" };
      if (s.size > max) return { error: `it is ${s.size} bytes, larger than any record` };
      const value = new Uint8Array(s.size);
      let at = 0;
      while (at < s.size) {
        const n = this.fs.readSync(fd, value, at, s.size - at, at);
        if (n === 0) break;
        at += n;
      }
      return { value: value.subarray(0, at), id: `${s.ino}:${s.mtimeMs}:${s.size}` };
    } catch (e) {
      return { error: e.message };
    } finally {
      this.fs.closeSync(fd);
    }
  }

  /**
   * Reads `key` into `out` (or reports it): true if it was read. The
   * identity remembered is the open file's (fstat), not a separate lstat:
   * one system call less per record at start-up.
   */
  readInto(key, out) {
    const file = this.file(key);
    const r = this.readRecord(file);
    if (r.gone) return false;
    const id = r.id ?? this.identity(file);
    if (id === undefined) return false;
    this.known.set(key, id);
    if (r.error) {
      this.report("unreadable", key, `token record ${key} could not be read (${r.error}); it was not used`);
      return false;
    }
    out.push({ key, value: r.value });
    return true;
  }

  /** Every record key present on disk (objects/ entries with record names). */
  listKeys(names = this.objectNames()) {
    const keys = ["meta", "counters"];
    for (const n of names) if (OBJECT_NAME.test(n)) keys.push("o/" + n);
    return keys;
  }

  /** The entries of objects/ ([] if it is missing). */
  objectNames() {
    try {
      return this.fs.readdirSync(this.objects);
    } catch (e) {
      if (e.code !== "ENOENT") throw e;
      return [];
    }
  }

  /** The token and counter records; the objects follow in loadObjects(). */
  loadSync() {
    const stat = this.checkTree(true);
    this.checkPermissions(stat ?? this.lstat(this.dir));
    this.recover();
    this.generation = this.generationNow();
    const out = [];
    for (const key of ["meta", "counters"]) this.readInto(key, out);
    this.deferred = true;
    return out;
  }

  /**
   * Every object record, the first time objects are needed; else []. The
   * stale temporary files of objects/ are removed here, from the same
   * listing, rather than at open (a second listing of objects/ at every
   * C_Initialize). From the object cache when it is a copy of objects/ as
   * it is now; else file by file, and then a new cache is saved.
   */
  loadObjects() {
    if (!this.deferred) return [];
    this.deferred = false;
    const names = this.objectNames();
    this.removeStaleTemps(this.objects, names);
    // After the removals: they change objects/. The cache must list
    // exactly `records`, which also covers files added since the listing.
    const state = this.directoryState();
    const records = names.filter((n) => OBJECT_NAME.test(n));
    const cached = this.readCache(state, records);
    if (cached) return cached;
    const read = [];
    let all = true;
    for (const name of records) if (!this.readInto("o/" + name, read)) all = false;
    if (all && read.length > 0) this.writeCache(state, read); // a copy only of a whole, readable objects/
    return read;
  }

  /** What the object cache must match: the generation file and objects/ (inode, mtime). */
  directoryState() {
    const objects = this.lstat(this.objects);
    return { generation: this.generationNow(), objects: objects ? `${objects.ino}:${objects.mtimeMs}` : undefined };
  }

  /** The records of objects/ from the cache, if it is a copy of them as they are now. */
  readCache(state, names) {
    if (state.generation === undefined || state.objects === undefined) return undefined;
    const r = this.readRecord(this.cacheFile, MAX_CACHE);
    const cache = r.value && decodeCache(r.value, state, names);
    if (!cache) return undefined;
    const keys = cache.names.map((name, i) => {
      const key = "o/" + name;
      this.known.set(key, cache.ids[i]);
      return key;
    });
    return new PackedRecords(keys, cache.lengths, cache.body);
  }

  /**
   * Saves a copy of `read` (every record of objects/, read in directory
   * state `state`) if nothing changed while they were read. Best effort:
   * without it the files are read one by one.
   */
  writeCache(state, read) {
    const now = this.directoryState();
    if (state.generation === undefined || now.generation !== state.generation || now.objects !== state.objects) return;
    const bytes = encodeCache(
      state,
      read.map(({ key, value }) => ({ name: key.slice(2), id: this.known.get(key), value })),
    );
    if (!bytes) return;
    const tmp = platform.path.join(this.dir, randomName(".tmp-"));
    try {
      // No fsync: a copy lost or torn in a crash fails its hash and is rebuilt.
      this.fs.writeFileSync(tmp, bytes, { mode: 0o600, flag: "wx" });
      this.fs.renameSync(tmp, this.cacheFile);
    } catch {
      // A read-only or full token directory: no copy.
      try {
        this.unlink(tmp);
      } catch {}
    }
  }

  /** Drops the object cache before a write, so that no record outlives its file in it. */
  dropCache() {
    this.unlink(this.cacheFile);
  }

  async load() {
    return this.loadSync();
  }

  /**
   * Rolls journals forward and removes the token directory's stale
   * temporary files (objects/'s go in loadObjects).
   */
  recover() {
    for (const name of this.fs.readdirSync(this.dir)) {
      if (!JOURNAL.test(name)) continue;
      const path = platform.path.join(this.dir, name);
      const r = this.readRecord(path);
      if (r.gone) continue;
      let journal;
      try {
        journal = JSON.parse(new TextDecoder().decode(r.value ?? new Uint8Array()));
      } catch {
        continue; // being written by another process: its temp, not here
      }
      const steps = this.journalSteps(journal);
      if (steps) this.replay(steps);
      else this.report("tampered", "", `journal ${name} names something other than this token's records; it was ignored and removed`);
      this.unlink(path);
    }
    this.removeStaleTemps(this.dir, this.fs.readdirSync(this.dir));
  }

  /** Removes the temporary files among `names` (entries of `dir`) older than STALE_TEMP_MS. */
  removeStaleTemps(dir, names) {
    const now = Date.now();
    for (const name of names) {
      if (!TEMP.test(name)) continue;
      const path = platform.path.join(dir, name);
      const s = this.lstat(path);
      if (s && now - s.mtimeMs > STALE_TEMP_MS) this.unlink(path);
    }
  }

  /**
   * A journal's renames and deletions as [temp path, record file] pairs and
   * record files, or null unless every name in it is a temporary file name
   * and a record key of this token. Journals written before record keys
   * were used (absolute paths) are accepted only when each path is exactly
   * where such a name would be.
   */
  journalSteps(journal) {
    if (!journal || !Array.isArray(journal.renames) || !Array.isArray(journal.deletes)) return null;
    const keyOf = (p) => {
      if (typeof p !== "string") return undefined;
      if (KEY.test(p)) return p;
      const base = platform.path.basename(p);
      for (const key of [base, "o/" + base]) if (KEY.test(key) && this.file(key) === p) return key;
      return undefined;
    };
    const renames = [];
    for (const pair of journal.renames) {
      if (!Array.isArray(pair) || pair.length !== 2) return null;
      const key = keyOf(pair[1]);
      if (key === undefined) return null;
      const final = this.file(key);
      const tmpName = typeof pair[0] === "string" ? platform.path.basename(pair[0]) : "";
      const tmp = platform.path.join(platform.path.dirname(final), tmpName);
      if (!TEMP.test(tmpName) || (pair[0] !== tmpName && pair[0] !== tmp)) return null;
      renames.push([tmp, final]);
    }
    const deletes = [];
    for (const d of journal.deletes) {
      const key = keyOf(d);
      if (key === undefined) return null;
      deletes.push(this.file(key));
    }
    return { renames, deletes };
  }

  replay({ renames, deletes }) {
    for (const [tmp, final] of renames) {
      try {
        this.fs.renameSync(tmp, final);
      } catch (e) {
        if (e.code !== "ENOENT") throw e; // already renamed
      }
    }
    for (const file of deletes) this.unlink(file);
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
    this.checkTree(true);
    this.dropCache();
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
    const c = this.fs.constants ?? {};
    const flags = (c.O_WRONLY ?? 1) | (c.O_APPEND ?? 0) | (c.O_CREAT ?? 0) | this.noFollow;
    const fd = this.fs.openSync(this.genFile, flags, 0o600);
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
      // Names only: recovery resolves them inside this directory.
      journal = platform.path.join(this.dir, randomName("journal-"));
      const text = JSON.stringify({
        renames: renames.map(([tmp, , key]) => [platform.path.basename(tmp), key]),
        deletes: dels.map(([, key]) => key),
      });
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
    const generation = this.generationNow();
    if (generation === this.generation) return null;
    // Keys we are about to write keep our version (a queued clear: all).
    // Only now: the queue holds every write of a synchronous burst, and
    // going through it on every call made N calls cost O(N^2).
    const mine = new Set();
    for (const ops of this.queue) {
      for (const op of ops) {
        if (op.op === "clear") return null;
        mine.add(op.key);
      }
    }
    this.generation = generation;
    this.checkTree(false);
    const changes = [];
    const seen = new Set();
    // Objects not loaded yet are read whole by loadObjects().
    const keys = this.deferred ? ["meta", "counters"] : this.listKeys();
    for (const key of keys) {
      const id = this.identity(this.file(key));
      if (id === undefined) continue;
      seen.add(key);
      if (this.known.get(key) === id || mine.has(key)) continue;
      this.readInto(key, changes);
    }
    for (const key of [...this.known.keys()]) {
      if (!seen.has(key) && !mine.has(key)) {
        changes.push({ key, value: null });
        this.known.delete(key);
      }
    }
    return changes;
  }

  /** `keys` as they are on disk now, where they changed since we looked. */
  readFresh(keys) {
    const changes = [];
    for (const key of keys) {
      const id = this.identity(this.file(key));
      if (id === this.known.get(key)) continue;
      if (id === undefined) {
        this.known.delete(key);
        changes.push({ key, value: null });
      } else {
        this.readInto(key, changes);
      }
    }
    return changes;
  }

  /** Runs `fn` holding the directory's lock (other processes wait). */
  exclusiveSync(fn) {
    this.checkTree(true);
    this.lock.acquire();
    try {
      return fn();
    } finally {
      this.lock.release();
    }
  }

  async records() {
    const out = [];
    for (const key of this.listKeys()) {
      const r = this.readRecord(this.file(key));
      if (r.value) out.push({ key, value: r.value });
    }
    return out;
  }

  /** Deletes the token's files, and the directory when nothing else is in it. */
  async destroy() {
    this.queue = [];
    this.known.clear();
    try {
      this.checkTree(false);
    } catch (e) {
      // Never delete through a link: remove the link itself, nothing more.
      if (this.lstat(this.objects)?.isSymbolicLink()) this.unlink(this.objects);
      if (this.lstat(this.dir)?.isSymbolicLink()) throw e;
    }
    for (const key of this.listKeys()) this.unlink(this.file(key));
    this.unlink(this.cacheFile);
    this.unlink(this.genFile);
    for (const dir of [this.objects, this.dir]) {
      try {
        this.fs.rmdirSync(dir);
      } catch {}
    }
  }
}
