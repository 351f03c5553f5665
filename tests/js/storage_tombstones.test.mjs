// Tombstones of destroyed token objects age out after `tombstoneWrites`
// later writes (src/module/tombstones.rs): a stored token's records stay
// bounded over any number of create/destroy cycles, for the instance that
// writes and for another reading the same store, without a destroyed
// object coming back; a group member away for more than that many writes
// rejoins without the objects destroyed meanwhile.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import {
  C,
  KDF,
  PKCS11,
  dataObject,
  findAll,
  findByLabel,
  initToken,
  labelsOf,
  oneSlot,
  open,
  session,
  slotOf,
  tempDir,
} from "./fixtures/storage-helpers.mjs";
import { assertReplicas, groupConfig, mem, openGroup, recordsOf, states, userSession } from "./fixtures/group-helpers.mjs";

const KEEP = 10;
const objectKeys = async (p, slot) => (await p.storageRecords(slot)).map((r) => r.key).filter((k) => k !== "meta" && k !== "counters");

test("a stored token's records stay bounded over create/destroy cycles; nothing destroyed comes back", async () => {
  const store = { memory: `tombstones-${randomBytes(4).toString("hex")}` };
  const a = open(oneSlot(store, { tombstoneWrites: KEEP }));
  const slot = slotOf(a);
  initToken(a, slot);
  const s = session(a, slot);
  a.C_CreateObject(s, dataObject("kept", "stays"));
  const b = open(oneSlot(store, { tombstoneWrites: KEEP }));
  const sb = session(b, slotOf(b));
  const counts = [];
  for (let round = 0; round < 400; round++) {
    a.C_DestroyObject(s, a.C_CreateObject(s, dataObject(`brief ${round}`, "gone")));
    if (round === 99 || round === 399) {
      await a.flush();
      counts.push((await objectKeys(a, slot)).length);
    }
  }
  // KEEP writes = 5 cycles: at most 6 tombstones beside the kept object.
  assert.equal(counts[1], counts[0], "no growth between 100 and 400 cycles");
  assert.ok(counts[1] <= 1 + 6, `${counts[1]} object records`);
  // Another instance on the store, and a fresh one, see only what lives.
  assert.deepEqual(labelsOf(b, sb, findAll(b, sb)), ["kept"]);
  const fresh = open(oneSlot(store, { tombstoneWrites: KEEP }));
  const sf = session(fresh, slotOf(fresh));
  assert.deepEqual(labelsOf(fresh, sf, findAll(fresh, sf)), ["kept"]);
  assert.equal(findByLabel(fresh, sf, "brief 399").length, 0);
  for (const p of [a, b, fresh]) p.C_Finalize();
});

test("a token directory deletes the files of aged-out tombstones", async () => {
  const tmp = tempDir("pkcs11-wasm-tombstones-");
  try {
    const store = { directory: join(tmp.dir, "token") };
    const p = open(oneSlot(store, { tombstoneWrites: KEEP }));
    const slot = slotOf(p);
    initToken(p, slot);
    const s = session(p, slot);
    p.C_CreateObject(s, dataObject("kept", "stays"));
    for (let i = 0; i < 40; i++) p.C_DestroyObject(s, p.C_CreateObject(s, dataObject(`brief ${i}`, "gone")));
    await p.flush();
    const files = readdirSync(join(store.directory, "objects")).filter((f) => /^[0-9a-f]{32}$/.test(f));
    assert.ok(files.length <= 1 + 6, `${files.length} object files`);
    p.C_Finalize();
    const fresh = open(oneSlot(store, { tombstoneWrites: KEEP }));
    const sf = session(fresh, slotOf(fresh));
    assert.deepEqual(labelsOf(fresh, sf, findAll(fresh, sf)), ["kept"]);
    fresh.C_Finalize();
  } finally {
    tmp.remove();
  }
});

test("the default keeps 10,000 writes of tombstones", async () => {
  const store = { memory: `tombstones-${randomBytes(4).toString("hex")}` };
  const p = open(oneSlot(store));
  const slot = slotOf(p);
  initToken(p, slot);
  const s = session(p, slot);
  for (let i = 0; i < 50; i++) p.C_DestroyObject(s, p.C_CreateObject(s, dataObject(`brief ${i}`, "gone")));
  await p.flush();
  assert.equal((await objectKeys(p, slot)).length, 50, "every tombstone is still there");
  p.C_Finalize();
});

test("tombstoneWrites is checked: a whole number from 0 to 2^32 - 1", () => {
  new PKCS11({ tombstoneWrites: 0 }).C_Initialize();
  for (const bad of [-1, 1.5, "10", 2 ** 32]) {
    for (const config of [{ tombstoneWrites: bad }, { slots: [{ storage: "memory", tombstoneWrites: bad }] }]) {
      assert.throws(() => new PKCS11(config).C_Initialize(), (e) => e instanceof TypeError && /tombstoneWrites|invalid/.test(e.message), JSON.stringify(config));
    }
  }
});

test("a group member away for more than tombstoneWrites writes rejoins without what was destroyed meanwhile", async () => {
  const id = randomBytes(4).toString("hex");
  const p = openGroup(groupConfig([0, 1, 2].map((i) => mem(`tomb-${id}-${i}`)), {}, { tombstoneWrites: KEEP }));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const doomed = p.C_CreateObject(s, dataObject("doomed", "x"));
  p.C_CreateObject(s, dataObject("survivor", "y"));
  p.disableMember(slot, 2);
  p.C_DestroyObject(s, doomed);
  for (let i = 0; i < 3 * KEEP; i++) p.C_DestroyObject(s, p.C_CreateObject(s, dataObject(`brief ${i}`, "z")));
  const made = p.C_CreateObject(s, dataObject("made while away", "w"));
  await p.flush();
  // The live members no longer hold the doomed object's tombstone.
  const live = (await recordsOf(p, slot, 0)).size;
  assert.ok(live <= 2 + 3 + 6, `${live} records on the live members`);

  await p.enableMember(slot, 2);
  assert.deepEqual(states(p, slot), ["live", "live", "live"]);
  const records = await assertReplicas(p, slot, [0, 1, 2], "after the rejoin");
  assert.ok(records.size <= 2 + 3 + 6, `${records.size} records`);
  // Member 2 alone: the doomed object did not come back with it.
  p.disableMember(slot, 0);
  p.disableMember(slot, 1);
  assert.deepEqual(labelsOf(p, s, findAll(p, s)).sort(), ["made while away", "survivor"]);
  await p.enableMember(slot, 0);
  await p.enableMember(slot, 1);
  assert.deepEqual(labelsOf(p, s, findAll(p, s)).sort(), ["made while away", "survivor"]);
  assert.ok(made);
  p.C_Finalize();
});

test("a group member away for fewer writes merges as before: a tombstone still there wins", async () => {
  const id = randomBytes(4).toString("hex");
  const p = openGroup(groupConfig([0, 1].map((i) => mem(`tomb2-${id}-${i}`)), {}, { tombstoneWrites: 1000 }));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const doomed = p.C_CreateObject(s, dataObject("doomed", "x"));
  p.disableMember(slot, 1);
  p.C_DestroyObject(s, doomed);
  for (let i = 0; i < 20; i++) p.C_DestroyObject(s, p.C_CreateObject(s, dataObject(`brief ${i}`, "z")));
  await p.enableMember(slot, 1);
  const records = await assertReplicas(p, slot, [0, 1], "after the rejoin");
  assert.equal(records.size, 2 + 21, "meta, counters and 21 tombstones");
  p.disableMember(slot, 0);
  assert.deepEqual(labelsOf(p, s, findAll(p, s)), []);
  await p.enableMember(slot, 0);
  p.C_Finalize();
});
