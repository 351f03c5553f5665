// IndexedDB token storage under Node with fake-indexeddb (issue 3); the
// same backend runs in headless Chromium in tests/e2e/idb_two_pages.test.mjs
// (its raw calls: storage_idb_raw.test.mjs). The raw records are read straight
// from the IndexedDB API, not through the package.
import "fake-indexeddb/auto"; // before the package: it looks for globalThis.indexedDB
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  C,
  PKCS11,
  USER_PIN,
  assertAbsent,
  assertPresent,
  attr,
  checkMaterial,
  createMaterial,
  dataObject,
  findAll,
  labelsOf,
  findByLabel,
  initToken,
  knownMaterial,
  oneSlot,
  openAsync,
  secretsOf,
  session,
  slotOf,
  throwsRv,
  waitFor,
} from "./fixtures/storage-helpers.mjs";

const dbName = (what) => `pkcs11-wasm-test-${what}-${randomBytes(4).toString("hex")}`;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Every record of database `name`: [{ rel: key, bytes: value }]. */
async function rawRecords(name) {
  const db = await request(indexedDB.open(name));
  try {
    assert.deepEqual([...db.objectStoreNames], ["records"], "one object store, records");
    const tx = db.transaction("records", "readonly");
    const store = tx.objectStore("records");
    const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
    return keys.map((k, i) => ({ rel: k, bytes: values[i] }));
  } finally {
    db.close();
  }
}

async function putRaw(name, key, value) {
  const db = await request(indexedDB.open(name));
  try {
    const tx = db.transaction("records", "readwrite");
    tx.objectStore("records").put(value, key);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

async function freshToken(name) {
  const p = await openAsync(oneSlot({ indexedDB: name }));
  const slot = slotOf(p);
  initToken(p, slot);
  return { p, slot };
}

test("IndexedDB needs the async C_InitializeAsync: C_Initialize throws a TypeError", () => {
  const p = new PKCS11(oneSlot({ indexedDB: dbName("sync") }));
  p.onstorageevent = () => {};
  assert.throws(() => p.C_Initialize(), TypeError);
});

test("IndexedDB: private material is absent from every stored value, comes back with the PIN only", async () => {
  const name = dbName("roundtrip");
  const material = knownMaterial("IDB");
  {
    const { p, slot } = await freshToken(name);
    const s = session(p, slot);
    const handles = createMaterial(p, s, material);
    const uids = handles.map((h) => attr(p, s, h, C.CKA_UNIQUE_ID).toString());
    await p.flush();
    const records = await rawRecords(name);
    const keys = records.map((r) => r.rel);
    assert.ok(keys.includes("meta"), `meta stored (keys ${keys})`);
    for (const uid of uids) assert.ok(keys.includes(`o/${uid}`), `o/${uid} stored`);
    assert.equal(keys.filter((k) => k.startsWith("o/")).length, 5, "one record per token object");
    for (const r of records) {
      assert.ok(r.bytes instanceof Uint8Array, `${r.rel} is stored as a Uint8Array`);
      assert.equal(Buffer.from(r.bytes.subarray(0, 4)).toString("latin1"), "P11W");
    }
    for (const uid of uids) assert.equal(records.find((r) => r.rel === `o/${uid}`).bytes[5], 4, "private objects are sealed records");
    for (const [secret, what] of secretsOf(material)) assertAbsent(records, secret, what);
    assertPresent(records, material.pub.label, "the public object's label");
    await p.C_FinalizeAsync();
  }
  const p = await openAsync(oneSlot({ indexedDB: name }));
  const slot = slotOf(p);
  const s = session(p, slot, null);
  assert.deepEqual(findAll(p, s).map((h) => attr(p, s, h, C.CKA_LABEL).toString()), [material.pub.label]);
  throwsRv(() => p.C_Login(s, C.CKU_USER, "wrong-pin-0000"), "CKR_PIN_INCORRECT");
  p.C_Login(s, C.CKU_USER, USER_PIN);
  checkMaterial(p, s, material);
  await p.C_FinalizeAsync();
});

test("IndexedDB: a flipped byte is reported naming the record, the rest loads", async () => {
  const name = dbName("tamper");
  let uids;
  {
    const { p, slot } = await freshToken(name);
    const s = session(p, slot);
    uids = [0, 1, 2].map((i) => attr(p, s, p.C_CreateObject(s, dataObject(`t-${i}`, Buffer.alloc(48, i), { priv: i < 2 })), C.CKA_UNIQUE_ID).toString());
    await p.C_FinalizeAsync();
  }
  const rec = (await rawRecords(name)).find((r) => r.rel === `o/${uids[1]}`);
  const flipped = new Uint8Array(rec.bytes);
  flipped[flipped.length - 5] ^= 0x04;
  await putRaw(name, `o/${uids[1]}`, flipped);

  const p = await openAsync(oneSlot({ indexedDB: name }));
  const s = session(p, slotOf(p));
  const tampered = () => p.storageEvents.filter((e) => e.kind === "tampered").map((e) => [e.slot, e.key]);
  assert.deepEqual(tampered(), [], "a sealed record is opened, and checked, at its first use, not at login");
  assert.deepEqual(labelsOf(p, s, findAll(p, s)), ["t-0", "t-2"], "the damaged one's handle fails at its first use");
  assert.deepEqual(tampered(), [[0, `o/${uids[1]}`]], JSON.stringify(p.storageEvents));
  assert.equal(findAll(p, s).length, 2, "and is found no more");
  await p.C_FinalizeAsync();
});

test("IndexedDB: a newer format version is refused and no record is changed", async () => {
  const name = dbName("refused");
  {
    const { p, slot } = await freshToken(name);
    const s = session(p, slot);
    p.C_CreateObject(s, dataObject("kept", "v", { priv: true }));
    await p.C_FinalizeAsync();
  }
  const meta = (await rawRecords(name)).find((r) => r.rel === "meta");
  const newer = new Uint8Array(meta.bytes);
  newer[4] = 99;
  await putRaw(name, "meta", newer);
  const before = (await rawRecords(name)).map((r) => [r.rel, Buffer.from(r.bytes).toString("hex")]);

  const p = await openAsync(oneSlot({ indexedDB: name }));
  const slot = slotOf(p);
  assert.equal(p.storageEvents.filter((e) => e.kind === "refused").length, 1, JSON.stringify(p.storageEvents));
  throwsRv(() => p.C_GetTokenInfo(slot), "CKR_TOKEN_NOT_RECOGNIZED");
  throwsRv(() => p.C_OpenSession(slot, C.CKF_SERIAL_SESSION), "CKR_TOKEN_NOT_RECOGNIZED");
  throwsRv(() => p.C_InitToken(slot, "so-pin-1234", "x"), "CKR_TOKEN_NOT_RECOGNIZED");
  await p.C_FinalizeAsync();
  const after = (await rawRecords(name)).map((r) => [r.rel, Buffer.from(r.bytes).toString("hex")]);
  assert.deepEqual(after, before);
});

test("IndexedDB: two instances on one database see each other's objects", async () => {
  const name = dbName("two");
  const { p: a, slot: slotA } = await freshToken(name);
  await a.flush();
  const b = await openAsync(oneSlot({ indexedDB: name }));
  const sa = session(a, slotA);
  const sb = session(b, slotOf(b));

  const h = a.C_CreateObject(sa, dataObject("from-a", "va", { priv: true }));
  await a.flush();
  await waitFor(() => findByLabel(b, sb, "from-a").length === 1, "B to see A's object");
  const hb = findByLabel(b, sb, "from-a")[0];
  assert.equal(attr(b, sb, hb, C.CKA_VALUE).toString(), "va");

  b.C_CreateObject(sb, dataObject("from-b", "vb"));
  await b.flush();
  await waitFor(() => findByLabel(a, sa, "from-b").length === 1, "A to see B's object");

  a.C_SetAttributeValue(sa, h, [{ type: C.CKA_LABEL, value: "from-a-renamed" }]);
  await a.flush();
  await waitFor(() => findByLabel(b, sb, "from-a-renamed").length === 1, "B to see A's change");

  a.C_DestroyObject(sa, h);
  await a.flush();
  await waitFor(() => findByLabel(b, sb, "from-a-renamed").length === 0, "B to see A's destruction");
  await a.C_FinalizeAsync();
  await b.C_FinalizeAsync();
});

test("IndexedDB: deleteToken removes the database's records and leaves an uninitialized token", async () => {
  const name = dbName("delete");
  const { p, slot } = await freshToken(name);
  const s = session(p, slot);
  p.C_CreateObject(s, dataObject("doomed", "v"));
  await p.flush();
  assert.ok((await rawRecords(name)).length >= 2);
  p.C_CloseSession(s);
  await p.deleteToken(slot);
  assert.equal(p.C_GetTokenInfo(slot).flags & C.CKF_TOKEN_INITIALIZED, 0);
  const dbs = (await indexedDB.databases()).map((d) => d.name);
  if (dbs.includes(name)) assert.deepEqual(await rawRecords(name), [], "no record left");
  await p.C_FinalizeAsync();
  const p2 = await openAsync(oneSlot({ indexedDB: name }));
  assert.equal(p2.C_GetTokenInfo(slotOf(p2)).flags & C.CKF_TOKEN_INITIALIZED, 0, "uninitialized after a reopen");
  await p2.C_FinalizeAsync();
});

test("IndexedDB: the Async forms resolve once the record is committed", async () => {
  const name = dbName("async");
  const { p, slot } = await freshToken(name);
  const s = session(p, slot);
  const h = await p.C_CreateObjectAsync(s, dataObject("committed", "v", { priv: true }));
  const uid = attr(p, s, h, C.CKA_UNIQUE_ID).toString();
  assert.ok((await rawRecords(name)).some((r) => r.rel === `o/${uid}`));
  await p.C_DestroyObjectAsync(s, h);
  const tomb = (await rawRecords(name)).find((r) => r.rel === `o/${uid}`);
  assert.equal(tomb.bytes[5], 5, "a tombstone replaced it");
  await p.C_FinalizeAsync();
});

test("IndexedDB: aged-out tombstones are deleted from the database (tombstoneWrites)", async () => {
  const name = dbName("tombstones");
  const config = { ...oneSlot({ indexedDB: name }), tombstoneWrites: 10 };
  const a = await openAsync(config);
  const slot = slotOf(a);
  initToken(a, slot);
  const s = session(a, slot);
  a.C_CreateObject(s, dataObject("kept", "stays"));
  for (let i = 0; i < 40; i++) a.C_DestroyObject(s, a.C_CreateObject(s, dataObject(`brief ${i}`, "gone")));
  await a.flush();
  const objects = (await rawRecords(name)).filter((r) => r.rel !== "meta" && r.rel !== "counters");
  // 10 writes = 5 cycles: at most 6 tombstones beside the kept object.
  assert.ok(objects.length <= 1 + 6, `${objects.length} object records`);
  await a.C_FinalizeAsync();
  const b = await openAsync(config);
  const sb = session(b, slotOf(b));
  assert.deepEqual(labelsOf(b, sb, findAll(b, sb)), ["kept"]);
  await b.C_FinalizeAsync();
});
