// The token directory's object cache (objects.cache, issue 15 item 2): a
// later open reads one file instead of one per object, and only while the
// directory is as it was when the copy was made. Each test tries to make
// the copy say something the files do not: a changed, added or deleted
// record, a destroyed object, a damaged or forged copy, a link.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createXXHash32 } from "hash-wasm";
import { appendFileSync, existsSync, lstatSync, readFileSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import {
  C,
  assertAbsent,
  attr,
  createMaterial,
  checkMaterial,
  dataObject,
  findAll,
  initToken,
  knownMaterial,
  oneSlot,
  open,
  secretsOf,
  session,
  slotOf,
  tempDir,
  walk,
} from "./fixtures/storage-helpers.mjs";

const fs = createRequire(import.meta.url)("node:fs");

function tokenDir(t) {
  const tmp = tempDir("pkcs11-wasm-cache-");
  t.after(tmp.remove);
  const dir = join(tmp.dir, "token");
  return { dir, config: oneSlot({ directory: dir }), cache: join(dir, "objects.cache") };
}

/** A token with `n` data objects (every third one public); returns their labels by unique id. */
async function filledToken(config, n = 6) {
  const p = open(config);
  const slot = slotOf(p);
  initToken(p, slot);
  const s = session(p, slot);
  const labels = new Map();
  for (let i = 0; i < n; i++) {
    const h = p.C_CreateObject(s, dataObject(`object-${i}`, Buffer.alloc(40, i), { priv: i % 3 !== 0 }));
    labels.set(attr(p, s, h, C.CKA_UNIQUE_ID).toString(), `object-${i}`);
  }
  await p.flush();
  p.C_Finalize();
  return labels;
}

/** Opens the token, logs in and returns the labels and values it finds (and the instance's events). */
function readToken(config) {
  const p = open(config);
  const s = session(p, slotOf(p));
  const found = findAll(p, s)
    .map((h) => `${attr(p, s, h, C.CKA_LABEL)}=${attr(p, s, h, C.CKA_VALUE).toString("hex")}`)
    .sort();
  const events = p.storageEvents.map((e) => e.kind);
  p.C_Finalize();
  return { found, events };
}

/**
 * The cache `good` rebuilt with its entry list edited by `edit` (a record
 * keeps its bytes under whatever name the edit gives it) and a correct
 * checksum: what someone who can write the directory can make.
 */
async function forge(good, edit) {
  const headerLength = good.readUInt32LE(8);
  const header = JSON.parse(good.subarray(12, 12 + headerLength).toString());
  let at = 12 + headerLength;
  const bytes = new Map();
  for (const [name, , length] of header.entries) {
    bytes.set(name, good.subarray(at, at + length));
    at += length;
  }
  const entries = edit(header.entries);
  const values = entries.map(([name], i) => bytes.get(name) ?? bytes.get(header.entries[i % header.entries.length][0]));
  const text = Buffer.from(JSON.stringify({ ...header, entries: entries.map((e, i) => [e[0], e[1], values[i].length]) }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(text.length);
  const body = Buffer.concat([good.subarray(0, 8), length, text, ...values]);
  const check = Buffer.alloc(4);
  check.writeUInt32LE(await xxh32(body));
  return Buffer.concat([body, check]);
}

/** XXH32 (seed 0) of `bytes` by hash-wasm, a reference no one here wrote. */
async function xxh32(bytes) {
  const h = await createXXHash32(0);
  h.update(bytes);
  return Number.parseInt(h.digest("hex"), 16);
}

const expected = (n) =>
  Array.from({ length: n }, (_, i) => `object-${i}=${Buffer.alloc(40, i).toString("hex")}`).sort();

/** The paths `fn` opens with fs.openSync (the package's own calls included). */
function opensDuring(fn) {
  const opened = [];
  const original = fs.openSync;
  fs.openSync = (path, ...rest) => {
    opened.push(String(path));
    return original(path, ...rest);
  };
  syncBuiltinESMExports();
  try {
    return { result: fn(), opened };
  } finally {
    fs.openSync = original;
    syncBuiltinESMExports();
  }
}

test("a token opened again reads its objects from one cache file, and finds the same objects", async (t) => {
  const { dir, config, cache } = tokenDir(t);
  await filledToken(config);
  assert.equal(existsSync(cache), false, "the writing instance left no cache (its writes drop it)");
  const first = opensDuring(() => readToken(config));
  assert.deepEqual(first.result.found, expected(6));
  assert.equal(first.opened.filter((f) => f.includes(`${join(dir, "objects")}/`)).length, 6, "first open: one file per object");
  assert.ok(existsSync(cache), "then the cache is saved");
  assert.equal(lstatSync(cache).mode & 0o777, 0o600, "readable by the owner only");

  const second = opensDuring(() => readToken(config));
  assert.deepEqual(second.result.found, expected(6), "the same objects, values and labels from the cache");
  assert.deepEqual(second.result.events, [], "nothing reported");
  assert.deepEqual(
    second.opened.filter((f) => f.startsWith(join(dir, "objects"))),
    [cache],
    "second open: the cache file only, no object file",
  );
});

test("any write drops the cache; a destroyed object's record does not live on in it", async (t) => {
  const { dir, config, cache } = tokenDir(t);
  await filledToken(config);
  readToken(config);
  const p = open(config);
  const s = session(p, slotOf(p));
  const victim = findAll(p, s).find((h) => attr(p, s, h, C.CKA_LABEL).toString() === "object-1");
  const uid = attr(p, s, victim, C.CKA_UNIQUE_ID).toString();
  const sealed = readFileSync(join(dir, "objects", uid));
  assert.ok(readFileSync(cache).includes(sealed), "the cache holds the object's sealed record");
  p.C_DestroyObject(s, victim);
  await p.flush();
  assert.equal(existsSync(cache), false, "the write dropped the cache");
  for (const f of walk(dir)) assert.equal(f.bytes.indexOf(sealed), -1, `the destroyed record is gone from ${f.rel}`);
  p.C_Finalize();
  assert.deepEqual(readToken(config).found, expected(6).filter((x) => !x.startsWith("object-1=")));
  assert.deepEqual(readToken(config).found, expected(6).filter((x) => !x.startsWith("object-1=")), "and from the new cache");
});

test("the cache is not used once the directory changed behind it: a record changed, added or deleted by another writer", async (t) => {
  const { dir, config, cache } = tokenDir(t);
  const labels = await filledToken(config);
  const [uid0, uid1] = [...labels.keys()];
  const objects = join(dir, "objects");
  readToken(config);
  const saved = readFileSync(cache);

  // A writer that does not know the cache (an older version of this
  // library): it renames a new record into place and bumps the generation.
  // Here the "new" record is another object's, so the copy would be stale.
  const old0 = readFileSync(join(objects, uid0));
  writeFileSync(join(objects, ".tmp-00000000000000b1"), readFileSync(join(objects, uid1)));
  renameSync(join(objects, ".tmp-00000000000000b1"), join(objects, uid0));
  appendFileSync(join(dir, "generation"), "+");
  writeFileSync(cache, saved); // and the old copy put back
  const moved = readToken(config);
  assert.ok(moved.events.includes("tampered"), "the record under the wrong name is read from its file and refused");

  // Restore it, and delete another record outright (objects/ changes, the generation does not).
  writeFileSync(join(objects, ".tmp-00000000000000b2"), old0);
  renameSync(join(objects, ".tmp-00000000000000b2"), join(objects, uid0));
  readToken(config); // a new cache
  unlinkSync(join(objects, uid1));
  assert.deepEqual(readToken(config).found, expected(6).filter((x) => !x.startsWith(`${labels.get(uid1)}=`)), "a deleted file's object does not come back from the cache");

  // An extra file in objects/ (a record copied in) is not in the cache: the files are read.
  readToken(config);
  const extra = "f".repeat(32);
  writeFileSync(join(objects, extra), old0);
  const withExtra = readToken(config);
  assert.ok(withExtra.events.includes("tampered"), "the copied-in record is read (and refused: it is another object's)");
});

test("a damaged, forged or linked cache is ignored, never trusted over the files", async (t) => {
  const { dir, config, cache } = tokenDir(t);
  const labels = await filledToken(config);
  readToken(config);
  const good = readFileSync(cache);

  // The checksum is XXH32 (seed 0) of all before it, as hash-wasm computes it.
  assert.equal(good.readUInt32LE(good.length - 4), await xxh32(good.subarray(0, good.length - 4)));
  assert.equal(good.subarray(0, 8).toString("latin1"), "P11WOC\0\x02", "layout version 0.2");

  // One flipped bit anywhere: the checksum fails, the files are read, nothing is reported, a good copy returns.
  for (const at of [3, 20, good.length >> 1, good.length - 1]) {
    const bad = Buffer.from(good);
    bad[at] ^= 0x10;
    writeFileSync(cache, bad);
    const r = opensDuring(() => readToken(config));
    assert.deepEqual(r.result.found, expected(6), `flip at ${at}`);
    assert.deepEqual(r.result.events, [], `flip at ${at}: a bad cache is not a tampered record`);
    assert.ok(r.opened.some((f) => f.startsWith(join(dir, "objects") + "/")), `flip at ${at}: the files were read`);
    assert.ok(readFileSync(cache).equals(good), `flip at ${at}: the same copy is made again`);
  }

  // A copy of layout 0.1 (a CRC-32 from node:zlib) is not used, and replaced.
  {
    const old = Buffer.from(good);
    old[7] = 1;
    writeFileSync(cache, old);
    const r = opensDuring(() => readToken(config));
    assert.deepEqual(r.result.found, expected(6));
    assert.deepEqual(r.result.events, []);
    assert.ok(r.opened.some((f) => f.startsWith(join(dir, "objects") + "/")), "layout 0.1: the files were read");
    assert.ok(readFileSync(cache).equals(good), "layout 0.1: replaced by a copy of the current layout");
  }

  // Well-formed copies with a correct checksum whose list differs from objects/:
  // a record under a name objects/ does not hold, one more, one fewer.
  const forged = [
    ["renamed", (entries) => [["e".repeat(32), ...entries[0].slice(1)], ...entries.slice(1)]],
    ["one more", (entries) => [...entries, ["e".repeat(32), ...entries[0].slice(1)]]],
    ["one fewer", (entries) => entries.slice(1)],
  ];
  for (const [what, edit] of forged) {
    writeFileSync(cache, await forge(good, edit));
    const r = readToken(config);
    assert.deepEqual(r.found, expected(6), `${what}: the objects of the files`);
    assert.deepEqual(r.events, [], `${what}: nothing loaded from the forged copy`);
  }
  assert.equal(labels.size, 6);

  // A link in the cache's place is not followed, and is replaced, not written through.
  const target = join(dir, "..", "elsewhere");
  writeFileSync(target, "not a cache");
  unlinkSync(cache);
  symlinkSync(target, cache);
  assert.deepEqual(readToken(config).found, expected(6));
  assert.equal(readFileSync(target, "utf8"), "not a cache", "the link's target is untouched");
  assert.equal(lstatSync(cache).isSymbolicLink(), false, "the link was replaced by a real copy");
});

test("the cache holds the stored records only: no key material in any form", async (t) => {
  const { dir, config, cache } = tokenDir(t);
  const material = knownMaterial("CACHE");
  {
    const p = open(config);
    const slot = slotOf(p);
    initToken(p, slot);
    createMaterial(p, session(p, slot), material);
    await p.flush();
    p.C_Finalize();
  }
  const p = open(config);
  const s = session(p, slotOf(p));
  checkMaterial(p, s, material);
  p.C_Finalize();
  assert.ok(existsSync(cache));
  const files = walk(dir);
  for (const [secret, what] of secretsOf(material)) assertAbsent(files, secret, what);
  const p2 = open(config);
  checkMaterial(p2, session(p2, slotOf(p2)), material);
  p2.C_Finalize();
});
