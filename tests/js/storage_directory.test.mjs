// The Node token directory with real files (issue 3): what is stored is
// sealed (a scan of every byte finds no private key value or private
// label), it comes back with the PIN and only with it, PIN lockout counts
// persist, tampered records are reported while the rest loads, a newer
// format is refused untouched, C_InitToken and deleteToken wipe the
// storage, and write failures surface.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  C,
  SO_PIN,
  USER_PIN,
  RW,
  assertAbsent,
  assertPresent,
  attr,
  checkMaterial,
  createMaterial,
  dataObject,
  findAll,
  labelsOf,
  findByLabel,
  flags,
  initToken,
  knownMaterial,
  open,
  oneSlot,
  rvName,
  secretsOf,
  session,
  slotOf,
  tempDir,
  throwsRv,
  touchObjects,
  waitFor,
  walk,
} from "./fixtures/storage-helpers.mjs";

/** A temp token directory, a config for it, removed after the test. */
function tokenDir(t, extra) {
  const tmp = tempDir("pkcs11-wasm-dir-");
  t.after(tmp.remove);
  const dir = join(tmp.dir, "token");
  return { dir, config: oneSlot({ directory: dir }, extra) };
}

/** A fresh instance on `config` with an initialized token; returns { p, slot }. */
function freshToken(config) {
  const p = open(config);
  const slot = slotOf(p);
  initToken(p, slot);
  return { p, slot };
}

test("private key material never reaches the files in any form; it comes back with the PIN only", async (t) => {
  const { dir, config } = tokenDir(t);
  const material = knownMaterial("DIR");
  {
    const { p, slot } = freshToken(config);
    const s = session(p, slot);
    const handles = createMaterial(p, s, material);
    // The record of each object is named by its CKA_UNIQUE_ID.
    const uids = handles.map((h) => attr(p, s, h, C.CKA_UNIQUE_ID).toString("utf8"));
    await p.flush();
    for (const uid of uids) {
      const rec = readFileSync(join(dir, "objects", uid));
      assert.equal(rec.subarray(0, 4).toString("latin1"), "P11W", "magic");
      assert.equal(rec[4], 2, "format version");
      assert.equal(rec[5], 4, `private object ${uid} is a sealed record (kind 4)`);
    }
    p.C_Finalize();
  }

  const files = walk(dir);
  const names = files.map((f) => f.rel).sort();
  assert.ok(names.includes("meta"), `meta written (files: ${names})`);
  assert.equal(names.filter((n) => n.startsWith("objects/")).length, 5, `one file per token object (files: ${names})`);
  assert.ok(!names.some((n) => /(^|\/)(\.tmp-|journal-)/.test(n)), `no temporary or journal files left (${names})`);
  for (const [secret, what] of secretsOf(material)) assertAbsent(files, secret, what);
  // The scan can see what is stored in clear, so its silence above means something.
  assertPresent(files, material.pub.label, "the public object's label");
  assertPresent(files, material.pub.value, "the public object's value");

  // A new instance: the public object without login, the rest after it.
  const p2 = open(config);
  const slot = slotOf(p2);
  const s2 = session(p2, slot, null);
  assert.deepEqual(
    findAll(p2, s2).map((h) => attr(p2, s2, h, C.CKA_LABEL).toString()),
    [material.pub.label],
    "before login only the public object is visible",
  );
  throwsRv(() => p2.C_Login(s2, C.CKU_USER, "wrong-pin-0000"), "CKR_PIN_INCORRECT", "wrong PIN");
  assert.equal(findAll(p2, s2).length, 1, "still nothing private after a failed login");
  p2.C_Login(s2, C.CKU_USER, USER_PIN);
  checkMaterial(p2, s2, material);
  // The restored RSA key works: sign, and verify with Node.
  const rsa = findByLabel(p2, s2, material.objects[1].label)[0];
  p2.C_SignInit(s2, { mechanism: C.CKM_SHA256_RSA_PKCS }, rsa);
  const sig = p2.C_Sign(s2, Buffer.from("persisted"), Buffer.alloc(256));
  assert.equal(sig.length, 256);
  p2.C_Finalize();
});

test("PIN lockout: flags through the countdown, counters persist across reopen, SO unlocks", async (t) => {
  const { config } = tokenDir(t, { maxPinTries: 3 });
  const USER = { low: C.CKF_USER_PIN_COUNT_LOW, last: C.CKF_USER_PIN_FINAL_TRY, locked: C.CKF_USER_PIN_LOCKED };
  const SO = { low: C.CKF_SO_PIN_COUNT_LOW, last: C.CKF_SO_PIN_FINAL_TRY, locked: C.CKF_SO_PIN_LOCKED };
  const pinFlags = (p, slot, f) => flags(p, slot) & (f.low | f.last | f.locked);

  let { p, slot } = freshToken(config);
  let s = p.C_OpenSession(slot, RW);
  assert.equal(pinFlags(p, slot, USER), 0);

  // A good login resets the count.
  throwsRv(() => p.C_Login(s, C.CKU_USER, "wrong-1"), "CKR_PIN_INCORRECT");
  assert.equal(pinFlags(p, slot, USER), USER.low);
  p.C_Login(s, C.CKU_USER, USER_PIN);
  p.C_Logout(s);
  assert.equal(pinFlags(p, slot, USER), 0, "a good login clears COUNT_LOW");

  throwsRv(() => p.C_Login(s, C.CKU_USER, "wrong-1"), "CKR_PIN_INCORRECT", "1st wrong PIN");
  assert.equal(pinFlags(p, slot, USER), USER.low, "COUNT_LOW after one failure");
  throwsRv(() => p.C_Login(s, C.CKU_USER, "wrong-2"), "CKR_PIN_INCORRECT", "2nd wrong PIN");
  assert.equal(pinFlags(p, slot, USER), USER.low | USER.last, "FINAL_TRY with one try left");
  await p.C_FinalizeAsync();

  // A new instance still has one try left.
  p = open(config);
  slot = slotOf(p);
  assert.equal(pinFlags(p, slot, USER), USER.low | USER.last, "the count survived a reopen");
  s = p.C_OpenSession(slot, RW);
  throwsRv(() => p.C_Login(s, C.CKU_USER, "wrong-3"), "CKR_PIN_INCORRECT", "the last wrong PIN is still incorrect, and locks");
  assert.equal(pinFlags(p, slot, USER), USER.locked, "LOCKED alone once locked");
  throwsRv(() => p.C_Login(s, C.CKU_USER, USER_PIN), "CKR_PIN_LOCKED", "the right PIN once locked");
  assert.equal(pinFlags(p, slot, SO), 0, "the SO count is separate");
  p.C_Finalize();

  p = open(config);
  slot = slotOf(p);
  assert.equal(pinFlags(p, slot, USER), USER.locked, "still locked after a reopen");
  s = p.C_OpenSession(slot, RW);
  throwsRv(() => p.C_Login(s, C.CKU_USER, USER_PIN), "CKR_PIN_LOCKED", "right PIN after reopen");
  // The SO resets the user PIN, which unlocks it.
  p.C_Login(s, C.CKU_SO, SO_PIN);
  p.C_InitPIN(s, "new-user-pin");
  p.C_Logout(s);
  assert.equal(pinFlags(p, slot, USER), 0, "C_InitPIN unlocks");
  p.C_Finalize();

  p = open(config);
  slot = slotOf(p);
  assert.equal(pinFlags(p, slot, USER), 0, "unlocked after a reopen");
  s = p.C_OpenSession(slot, RW);
  throwsRv(() => p.C_Login(s, C.CKU_USER, USER_PIN), "CKR_PIN_INCORRECT", "the old PIN is gone");
  p.C_Login(s, C.CKU_USER, "new-user-pin");
  p.C_Logout(s);

  // SO lockout.
  throwsRv(() => p.C_Login(s, C.CKU_SO, "wrong-so-1"), "CKR_PIN_INCORRECT");
  assert.equal(pinFlags(p, slot, SO), SO.low);
  throwsRv(() => p.C_Login(s, C.CKU_SO, "wrong-so-2"), "CKR_PIN_INCORRECT");
  assert.equal(pinFlags(p, slot, SO), SO.low | SO.last);
  throwsRv(() => p.C_Login(s, C.CKU_SO, "wrong-so-3"), "CKR_PIN_INCORRECT");
  assert.equal(pinFlags(p, slot, SO), SO.locked);
  throwsRv(() => p.C_Login(s, C.CKU_SO, SO_PIN), "CKR_PIN_LOCKED", "right SO PIN once locked");
  p.C_CloseSession(s);
  throwsRv(() => p.C_InitToken(slot, SO_PIN, "again"), "CKR_PIN_LOCKED", "C_InitToken with a locked SO PIN");
  p.C_Finalize();

  p = open(config);
  slot = slotOf(p);
  assert.equal(pinFlags(p, slot, SO), SO.locked, "SO lock survived a reopen");
  // A locked SO PIN leaves deleting the token as the way out.
  await p.deleteToken(slot);
  assert.equal(flags(p, slot) & C.CKF_TOKEN_INITIALIZED, 0, "deleted token is uninitialized");
  assert.equal(pinFlags(p, slot, SO) | pinFlags(p, slot, USER), 0, "no lock flags on the new token");
  initToken(p, slot);
  p.C_Finalize();
});

test("a flipped byte in an object file is reported naming the object, and the other objects load", async (t) => {
  const { dir, config } = tokenDir(t);
  let uids;
  {
    const { p, slot } = freshToken(config);
    const s = session(p, slot);
    const hs = [0, 1, 2].map((i) => p.C_CreateObject(s, dataObject(`obj-${i}`, Buffer.alloc(64, i), { priv: i !== 2 })));
    uids = hs.map((h) => attr(p, s, h, C.CKA_UNIQUE_ID).toString());
    await p.flush();
    p.C_Finalize();
  }
  // Flip a byte inside the sealed (private) object 0 and the clear (public) object 2.
  for (const i of [0, 2]) {
    const f = join(dir, "objects", uids[i]);
    const b = readFileSync(f);
    b[b.length - 40] ^= 0x01;
    writeFileSync(f, b);
  }
  const p = open(config);
  const slot = slotOf(p);
  const s = session(p, slot);
  const tamperedKeys = () => p.storageEvents.filter((e) => e.kind === "tampered").map((e) => e.key);
  assert.deepEqual(tamperedKeys(), [`o/${uids[2]}`], "the clear record at load; the sealed one is opened at its first use");
  assert.deepEqual(labelsOf(p, s, findAll(p, s)), ["obj-1"], "the damaged sealed object's handle fails at its first use");
  const tampered = p.storageEvents.filter((e) => e.kind === "tampered");
  assert.deepEqual(tampered.map((e) => e.key).sort(), [`o/${uids[0]}`, `o/${uids[2]}`].sort(), JSON.stringify(p.storageEvents));
  for (const e of tampered) {
    assert.equal(e.slot, 0);
    assert.equal(typeof e.message, "string");
    assert.ok(e.message.length > 0);
  }
  assert.deepEqual(
    findAll(p, s).map((h) => attr(p, s, h, C.CKA_LABEL).toString()),
    ["obj-1"],
    "the undamaged object loads, the damaged ones do not",
  );
  assert.equal(attr(p, s, findByLabel(p, s, "obj-1")[0], C.CKA_VALUE).toString("hex"), Buffer.alloc(64, 1).toString("hex"));
  p.C_Finalize();
});

test("the onstorageevent handler hears of tampered records: public ones at load, sealed ones at login", async (t) => {
  const { dir, config } = tokenDir(t);
  let pubUid, privUid;
  {
    const { p, slot } = freshToken(config);
    const s = session(p, slot);
    pubUid = attr(p, s, p.C_CreateObject(s, dataObject("pub", "y")), C.CKA_UNIQUE_ID).toString();
    privUid = attr(p, s, p.C_CreateObject(s, dataObject("priv", "y", { priv: true })), C.CKA_UNIQUE_ID).toString();
    p.C_Finalize();
  }
  // Byte 10 lies in the unique id the record carries (readable without the
  // master key): a record moved to another name is refused at load.
  for (const uid of [pubUid, privUid]) {
    const f = join(dir, "objects", uid);
    const b = readFileSync(f);
    b[10] ^= 0x80;
    writeFileSync(f, b);
  }
  const { PKCS11 } = C;
  const p = new PKCS11(config);
  const heard = [];
  p.onstorageevent = (ev) => heard.push(ev);
  p.C_Initialize();
  touchObjects(p); // object records are read at the first call that needs them
  const expected = [pubUid, privUid].sort().map((uid) => [0, "tampered", `o/${uid}`]);
  const seen = () => heard.map((e) => [e.slot, e.kind, e.key]).sort((a, b) => a[2].localeCompare(b[2]));
  assert.deepEqual(seen(), expected, "both at load");
  const s = p.C_OpenSession(slotOf(p), RW);
  p.C_Login(s, C.CKU_USER, USER_PIN);
  assert.deepEqual(seen(), expected, "nothing more at login");
  assert.deepEqual(p.storageEvents, heard);
  assert.equal(findAll(p, s).length, 0, "neither loads");
  p.C_Finalize();
});

test("a token written by a newer format version is refused and left byte-for-byte untouched", async (t) => {
  const { dir, config } = tokenDir(t);
  {
    const { p, slot } = freshToken(config);
    const s = session(p, slot);
    p.C_CreateObject(s, dataObject("keep-me", "value", { priv: true }));
    p.C_CreateObject(s, dataObject("keep-me-too", "value"));
    p.C_Finalize();
  }
  const meta = join(dir, "meta");
  const b = readFileSync(meta);
  assert.equal(b[4], 2);
  b[4] = 99;
  writeFileSync(meta, b);
  const before = walk(dir);
  const dirMtime = statSync(dir, { bigint: true }).mtimeNs;

  const p = open(config);
  const slot = slotOf(p);
  const refused = p.storageEvents.filter((e) => e.kind === "refused");
  assert.equal(refused.length, 1, JSON.stringify(p.storageEvents));
  assert.equal(refused[0].slot, 0);
  assert.match(refused[0].message, /99/, "the message names the version found");
  throwsRv(() => p.C_GetTokenInfo(slot), "CKR_TOKEN_NOT_RECOGNIZED", "C_GetTokenInfo");
  throwsRv(() => p.C_OpenSession(slot, RW), "CKR_TOKEN_NOT_RECOGNIZED", "C_OpenSession");
  throwsRv(() => p.C_InitToken(slot, SO_PIN, "overwrite"), "CKR_TOKEN_NOT_RECOGNIZED", "C_InitToken");
  await p.flush();
  p.C_Finalize();

  const after = walk(dir);
  assert.deepEqual(
    after.map((f) => [f.rel, f.bytes.toString("hex"), f.mtimeNs]),
    before.map((f) => [f.rel, f.bytes.toString("hex"), f.mtimeNs]),
    "every file identical, mtimes unchanged, nothing added or removed",
  );
  assert.equal(statSync(dir, { bigint: true }).mtimeNs, dirMtime, "no entry was added to or removed from the directory");
});

test("C_InitToken on an existing token needs the SO PIN and removes the object files; deleteToken removes the storage", async (t) => {
  const { dir, config } = tokenDir(t);
  const { p, slot } = freshToken(config);
  let s = session(p, slot);
  for (let i = 0; i < 3; i++) p.C_CreateObject(s, dataObject(`gone-${i}`, "v", { priv: i % 2 === 0 }));
  await p.flush();
  assert.equal(readdirSync(join(dir, "objects")).length, 3);

  throwsRv(() => p.C_InitToken(slot, SO_PIN, "again"), "CKR_SESSION_EXISTS", "with a session open");
  p.C_CloseSession(s);
  throwsRv(() => p.C_InitToken(slot, "wrong-so-pin", "again"), "CKR_PIN_INCORRECT", "wrong SO PIN");
  await p.flush();
  assert.equal(readdirSync(join(dir, "objects")).length, 3, "a wrong SO PIN removes nothing");

  p.C_InitToken(slot, SO_PIN, "re-initialized");
  await p.flush();
  assert.deepEqual(readdirSync(join(dir, "objects")), [], "object files removed");
  assert.equal(p.C_GetTokenInfo(slot).label.trim(), "re-initialized");

  // A new instance agrees: initialized, no objects, no user PIN yet.
  {
    const p2 = open(config);
    const slot2 = slotOf(p2);
    const info = p2.C_GetTokenInfo(slot2);
    assert.equal(info.label.trim(), "re-initialized");
    assert.equal(info.flags & C.CKF_USER_PIN_INITIALIZED, 0);
    const s2 = p2.C_OpenSession(slot2, RW);
    assert.equal(findAll(p2, s2).length, 0);
    p2.C_Finalize();
  }

  s = p.C_OpenSession(slot, RW);
  p.C_Login(s, C.CKU_SO, SO_PIN);
  p.C_InitPIN(s, USER_PIN);
  p.C_CreateObject(s, dataObject("public-after-reinit", "v"));
  await assert.rejects(p.deleteToken(slot), (e) => rvName(e) === "CKR_SESSION_EXISTS", "deleteToken with a session open");
  p.C_CloseSession(s);
  await p.deleteToken(slot);
  const left = existsSync(dir) ? walk(dir).map((f) => f.rel) : [];
  assert.deepEqual(left, [], "no file of the token is left");
  assert.equal(flags(p, slot) & C.CKF_TOKEN_INITIALIZED, 0, "the slot holds an uninitialized token");
  p.C_Finalize();

  // And a reopen agrees.
  const p3 = open(config);
  assert.equal(flags(p3, slotOf(p3)) & C.CKF_TOKEN_INITIALIZED, 0, "uninitialized after a reopen");
  p3.C_Finalize();
});

/** Runs a write that must fail, checking flush() rejects and an event says so. */
async function expectWriteFailure(t, config, breakIt) {
  const { p, slot } = freshToken(config);
  await p.flush();
  const s = session(p, slot);
  const heard = [];
  p.onstorageevent = (ev) => heard.push(ev);
  breakIt();
  p.C_CreateObject(s, dataObject("doomed", "v", { priv: true }));
  await assert.rejects(p.flush(), (e) => e instanceof Error, "flush() rejects with the write error");
  await assert.rejects(p.C_CreateObjectAsync(s, dataObject("doomed-2", "v")), "the Async form rejects too");
  // The event names the slot whose write failed.
  await waitFor(
    () => p.storageEvents.some((e) => e.kind === "write-failed" && e.slot === 0),
    `a write-failed event for slot 0 (events: ${JSON.stringify(p.storageEvents)})`,
  );
  for (const e of p.storageEvents) {
    assert.equal(e.kind, "write-failed");
    assert.ok(e.message.length > 0);
  }
  assert.deepEqual(heard, p.storageEvents, "the handler heard each one");
  return p;
}

test("a failed write (objects/ replaced by a file) rejects flush() and raises a write-failed event", async (t) => {
  const { dir, config } = tokenDir(t);
  const p = await expectWriteFailure(t, config, () => {
    rmSync(join(dir, "objects"), { recursive: true, force: true });
    writeFileSync(join(dir, "objects"), "not a directory");
  });
  try {
    p.C_Finalize();
  } catch {} // it may report the failed write again
});

test("a failed write (read-only objects/) rejects flush() and raises a write-failed event", { skip: process.getuid?.() === 0 && "root ignores file permissions" }, async (t) => {
  const { dir, config } = tokenDir(t);
  t.after(() => chmodSync(join(dir, "objects"), 0o700));
  const p = await expectWriteFailure(t, config, () => chmodSync(join(dir, "objects"), 0o500));
  try {
    p.C_Finalize();
  } catch {}
});

test("C_Finalize makes every write durable without an explicit flush", async (t) => {
  const { config } = tokenDir(t);
  const { p, slot } = freshToken(config);
  const s = session(p, slot);
  for (let i = 0; i < 20; i++) p.C_CreateObject(s, dataObject(`fin-${i}`, `v${i}`, { priv: i % 2 === 0 }));
  p.C_Finalize(); // no flush, no await
  const p2 = open(config);
  const s2 = session(p2, slotOf(p2));
  assert.equal(findAll(p2, s2).length, 20);
  p2.C_Finalize();
});

test("the Async forms of mutating calls resolve once their write is on disk", async (t) => {
  const { dir, config } = tokenDir(t);
  const { p, slot } = freshToken(config);
  const s = session(p, slot);
  const h = await p.C_CreateObjectAsync(s, dataObject("async-1", "v1", { priv: true }));
  const uid = attr(p, s, h, C.CKA_UNIQUE_ID).toString();
  assert.ok(existsSync(join(dir, "objects", uid)), "the object file exists when C_CreateObjectAsync resolves");
  const before = readFileSync(join(dir, "objects", uid));
  await p.C_SetAttributeValueAsync(s, h, [{ type: C.CKA_LABEL, value: "async-2" }]);
  assert.notEqual(readFileSync(join(dir, "objects", uid)).toString("hex"), before.toString("hex"), "rewritten when C_SetAttributeValueAsync resolves");
  const key = await p.C_GenerateKeyAsync(s, { mechanism: C.CKM_AES_KEY_GEN }, [
    { type: C.CKA_VALUE_LEN, value: 32 },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_LABEL, value: "gen" },
  ]);
  assert.ok(existsSync(join(dir, "objects", attr(p, s, key, C.CKA_UNIQUE_ID).toString())));
  await p.C_DestroyObjectAsync(s, h);
  assert.equal(readFileSync(join(dir, "objects", uid))[5], 5, "a tombstone replaces it when C_DestroyObjectAsync resolves");
  p.C_Finalize();
});

test("configuration errors: a bad storage value is a TypeError", () => {
  const { PKCS11 } = C;
  for (const storage of [42, { directory: "" }, { directory: "/a", memory: "b" }, { nowhere: "x" }]) {
    assert.throws(
      () => {
        const p = new PKCS11({ slots: [{ storage }] });
        p.C_Initialize();
      },
      TypeError,
      JSON.stringify(storage),
    );
  }
});

test("stale temporary files are removed: the token directory's at open, objects/'s when objects are first read; recent ones stay", async (t) => {
  const { dir, config } = tokenDir(t);
  {
    const { p } = freshToken(config);
    p.C_Finalize();
  }
  const old = new Date(Date.now() - 5 * 60_000); // older than the 60 s a writer may take
  const temps = {
    staleTop: join(dir, ".tmp-00000000000000a1"),
    staleObjects: join(dir, "objects", ".tmp-00000000000000a2"),
    recentObjects: join(dir, "objects", ".tmp-00000000000000a3"),
  };
  for (const f of Object.values(temps)) writeFileSync(f, "partial write");
  for (const f of [temps.staleTop, temps.staleObjects]) utimesSync(f, old, old);
  const p = open(config);
  const slot = slotOf(p);
  p.C_GetTokenInfo(slot); // C_Initialize read the token record only
  assert.equal(existsSync(temps.staleTop), false, "the token directory's stale temp is removed at open");
  assert.equal(existsSync(temps.staleObjects), true, "objects/ is not listed before objects are needed");
  findAll(p, session(p, slot, null)); // reads the object records
  assert.equal(existsSync(temps.staleObjects), false, "objects/'s stale temp is removed with the first read of the objects");
  assert.equal(existsSync(temps.recentObjects), true, "a recent temp may be another process's write in progress: kept");
  p.C_Finalize();
});
