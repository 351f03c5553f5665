// Token groups: replication and resync. Partition and heal (a member away
// while 100 token objects are created and 50 destroyed) ends with every
// member holding the same objects and byte-identical records; two members
// that diverged converge by the conflict rule (higher record version, then
// the larger bytes); PIN counters; C_InitToken on a group; a member whose
// token was replaced while it was away, and one that is no replica.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  C,
  PKCS11,
  RW,
  SO_PIN,
  USER_PIN,
  KDF,
  assertReplicas,
  dataObject,
  dirMember,
  findAll,
  groupConfig,
  mem,
  openGroup,
  recordsOf,
  slotOf,
  states,
  tempDir,
  throwsRv,
  tokenAesKey,
  userSession,
} from "./fixtures/group-helpers.mjs";

const labels = (p, s, tmpl = []) =>
  findAll(p, s, tmpl)
    .map((h) => Buffer.from(p.C_GetAttributeValue(s, h, [{ type: C.CKA_LABEL }])[0].value).toString())
    .sort();

/** The labels member i alone sees (the others disabled for the look, then back). */
async function labelsOn(p, slot, s, i, n) {
  for (let k = 0; k < n; k++) if (k !== i) p.disableMember(slot, k);
  const out = labels(p, s);
  for (let k = 0; k < n; k++) if (k !== i) await p.enableMember(slot, k);
  return out;
}

/** A token directory's files (meta, counters, objects/*) as name -> hex. */
function files(dir) {
  const out = new Map();
  for (const f of ["meta", "counters"]) out.set(f, readFileSync(join(dir, f)).toString("hex"));
  for (const f of readdirSync(join(dir, "objects"))) out.set(`o/${f}`, readFileSync(join(dir, "objects", f)).toString("hex"));
  return out;
}

test("partition and heal: 100 objects created and 50 destroyed while a member is away", async () => {
  const tmp = tempDir("pkcs11-wasm-group-");
  try {
    const dirs = [0, 1, 2].map((i) => join(tmp.dir, `member-${i}`));
    const p = openGroup(groupConfig(dirs.map((d) => dirMember(d))));
    const slot = slotOf(p);
    const s = userSession(p, slot);
    const before = [];
    for (let i = 0; i < 10; i++) before.push(p.C_CreateObject(s, dataObject(`before ${i}`, `value ${i}`, { priv: i % 2 === 0 })));
    p.disableMember(slot, 2);
    const made = [];
    for (let i = 0; i < 100; i++) {
      made.push(i % 3 === 0 ? tokenAesKey(p, s, `while away ${i}`) : p.C_CreateObject(s, dataObject(`while away ${i}`, `v${i}`, { priv: i % 2 === 0 })));
    }
    // 50 destroyed: 45 of the new ones and 5 that the away member holds.
    for (let i = 0; i < 45; i++) p.C_DestroyObject(s, made[i * 2]);
    for (let i = 0; i < 5; i++) p.C_DestroyObject(s, before[i]);
    p.C_SetAttributeValue(s, before[9], [{ type: C.CKA_LABEL, value: "before 9, renamed" }]);
    const expected = labels(p, s);
    assert.equal(expected.length, 10 + 100 - 50);

    await p.enableMember(slot, 2);
    assert.deepEqual(states(p, slot), ["live", "live", "live"]);
    const records = await assertReplicas(p, slot, [0, 1, 2], "after the heal");
    assert.equal([...records.keys()].filter((k) => k.startsWith("o/")).length, 110, "60 objects and 50 tombstones");
    for (let i = 0; i < 3; i++) assert.deepEqual(await labelsOn(p, slot, s, i, 3), expected, `member ${i}'s objects`);
    await p.flush();
    const onDisk = dirs.map(files);
    for (const k of [1, 2]) assert.deepEqual(onDisk[k], onDisk[0], `the files of member ${k} equal member 0's`);
    // Nothing destroyed came back, nothing older overwrote the rename.
    assert.ok(!expected.includes("before 0"));
    assert.ok(expected.includes("before 9, renamed") && !expected.includes("before 9"));
    p.C_Finalize();
  } finally {
    tmp.remove();
  }
});

/** [version, bytes] of a stored object record (src/store/format.rs). */
function version(hex) {
  const b = Buffer.from(hex, "hex");
  return Number(b.readBigUInt64BE(7 + b[6]));
}

test("two members that diverged converge: higher version wins, then the larger bytes", async () => {
  const config = groupConfig([mem("dv-a"), mem("dv-b")]);
  const one = openGroup(config);
  const slot = slotOf(one);
  const s1 = userSession(one, slot);
  const shared = one.C_CreateObject(s1, dataObject("shared", "v0"));
  const uid = Buffer.from(one.C_GetAttributeValue(s1, shared, [{ type: C.CKA_UNIQUE_ID }])[0].value).toString();
  // A second application on the same configuration; then a partition:
  // the first sees only member a, the second only member b.
  const two = openGroup(config);
  one.disableMember(slot, 1);
  two.disableMember(slot, 0);
  const s2 = two.C_OpenSession(slot, RW);
  two.C_Login(s2, C.CKU_USER, USER_PIN);
  one.C_CreateObject(s1, dataObject("only on a", "a"));
  two.C_CreateObject(s2, dataObject("only on b", "b"));
  const [sharedOn2] = findAll(two, s2, [{ type: C.CKA_LABEL, value: "shared" }]);
  one.C_SetAttributeValue(s1, shared, [{ type: C.CKA_LABEL, value: "shared, changed on a" }]);
  two.C_SetAttributeValue(s2, sharedOn2, [{ type: C.CKA_LABEL, value: "shared, changed on b" }]);
  two.C_SetAttributeValue(s2, sharedOn2, [{ type: C.CKA_APPLICATION, value: "twice on b" }]);
  const a = (await recordsOf(one, slot, 0)).get(`o/${uid}`);
  const b = (await recordsOf(two, slot, 1)).get(`o/${uid}`);
  assert.ok(version(b) > version(a), "b changed it twice: a higher version");

  await one.enableMember(slot, 1); // the partition heals
  const healed = await assertReplicas(one, slot, [0, 1], "after the heal");
  assert.equal(healed.get(`o/${uid}`), b, "the higher version won");
  assert.deepEqual(labels(one, s1), ["only on a", "only on b", "shared, changed on b"]);

  // Equal versions: the larger bytes win, on every replica alike.
  one.disableMember(slot, 1);
  two.C_Finalize();
  const three = openGroup(config);
  three.disableMember(slot, 0);
  const s3 = three.C_OpenSession(slot, RW);
  three.C_Login(s3, C.CKU_USER, USER_PIN);
  const [on3] = findAll(three, s3, [{ type: C.CKA_LABEL, value: "only on a" }]);
  const [on1] = findAll(one, s1, [{ type: C.CKA_LABEL, value: "only on a" }]);
  const uid2 = Buffer.from(one.C_GetAttributeValue(s1, on1, [{ type: C.CKA_UNIQUE_ID }])[0].value).toString();
  one.C_SetAttributeValue(s1, on1, [{ type: C.CKA_LABEL, value: "tie from a" }]);
  three.C_SetAttributeValue(s3, on3, [{ type: C.CKA_LABEL, value: "tie from b" }]);
  const ta = (await recordsOf(one, slot, 0)).get(`o/${uid2}`);
  const tb = (await recordsOf(three, slot, 1)).get(`o/${uid2}`);
  assert.equal(version(ta), version(tb), "the same version on both sides");
  await one.enableMember(slot, 1);
  const tie = await assertReplicas(one, slot, [0, 1], "after the tie");
  assert.equal(tie.get(`o/${uid2}`), Buffer.compare(Buffer.from(ta, "hex"), Buffer.from(tb, "hex")) > 0 ? ta : tb, "the larger bytes won");
  three.C_Finalize();
  one.C_Finalize();
});

test("PIN counters: the live group's win for a rejoining member; each role's maximum at start", async () => {
  const p = openGroup(groupConfig([mem("pc-a"), mem("pc-b")]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  p.C_Logout(s);
  p.disableMember(slot, 1);
  throwsRv(() => p.C_Login(s, C.CKU_USER, "wrong-pin"), "CKR_PIN_INCORRECT");
  await p.enableMember(slot, 1);
  const rec = await assertReplicas(p, slot, [0, 1], "counters");
  assert.equal(rec.get("counters").slice(12, 28), "0000000000000001", "SO 0, user 1 failure");
  p.C_Finalize();

  // Diverged copies of the counters (each member alone saw wrong PINs).
  for (const [store, user, times] of [["pc-a", C.CKU_SO, 2], ["pc-b", C.CKU_USER, 3]]) {
    const plain = new PKCS11({ kdfIterations: KDF, slots: [{ storage: { memory: store } }] });
    plain.onstorageevent = () => {};
    plain.C_Initialize();
    const x = plain.C_OpenSession(plain.C_GetSlotList(false)[0], RW);
    for (let i = 0; i < times; i++) throwsRv(() => plain.C_Login(x, user, "wrong-pin"), "CKR_PIN_INCORRECT");
    plain.C_Finalize();
  }
  const q = openGroup(groupConfig([mem("pc-a"), mem("pc-b")]));
  const merged = await assertReplicas(q, slot, [0, 1], "merged counters");
  assert.equal(merged.get("counters").slice(12, 28), "0000000200000004", "SO 2 (from a), user 1 + 3 (from b)");
  const flags = q.C_GetTokenInfo(slot).flags;
  assert.equal(flags & C.CKF_SO_PIN_COUNT_LOW, C.CKF_SO_PIN_COUNT_LOW);
  assert.equal(flags & C.CKF_USER_PIN_COUNT_LOW, C.CKF_USER_PIN_COUNT_LOW);
  q.C_Finalize();
});

test("C_InitToken on a group makes every member a replica; re-initialization; a member away is refilled", async () => {
  const p = openGroup(groupConfig([mem("it-a"), mem("it-b"), mem("it-c")]));
  const slot = slotOf(p);
  let s = userSession(p, slot, "first token");
  p.C_CreateObject(s, dataObject("old object", "x"));
  await assertReplicas(p, slot, [0, 1, 2], "after C_InitToken");
  p.C_CloseSession(s);
  p.disableMember(slot, 2); // away while the token is replaced
  throwsRv(() => p.C_InitToken(slot, "wrong-so-pin", "second token"), "CKR_PIN_INCORRECT");
  p.C_InitToken(slot, SO_PIN, "second token");
  assert.equal(p.C_GetTokenInfo(slot).label.trim(), "second token");
  s = p.C_OpenSession(slot, RW);
  p.C_Login(s, C.CKU_SO, SO_PIN);
  p.C_InitPIN(s, USER_PIN);
  p.C_Logout(s);
  p.C_Login(s, C.CKU_USER, USER_PIN);
  assert.deepEqual(labels(p, s), [], "the old objects are gone");
  p.C_CreateObject(s, dataObject("new object", "y"));
  await p.enableMember(slot, 2); // it held the replaced token: emptied, refilled
  const rec = await assertReplicas(p, slot, [0, 1, 2], "after the re-initialization");
  assert.equal([...rec.keys()].filter((k) => k.startsWith("o/")).length, 1);
  assert.deepEqual(await labelsOn(p, slot, s, 2, 3), ["new object"]);
  p.C_Finalize();
});

test("a member holding another token is refused when it tries to rejoin", async () => {
  const p = openGroup(groupConfig([mem("ot-a"), mem("ot-b")]));
  const slot = slotOf(p);
  userSession(p, slot);
  p.disableMember(slot, 1);
  // Someone initializes a different token in member b's store meanwhile.
  const plain = new PKCS11({ kdfIterations: KDF, slots: [{ storage: { memory: "ot-b" } }] });
  plain.onstorageevent = () => {};
  plain.C_Initialize();
  plain.C_InitToken(plain.C_GetSlotList(false)[0], SO_PIN, "another token");
  plain.C_Finalize();
  await assert.rejects(p.enableMember(slot, 1), /holds another token/);
  const st = p.groupStatus(slot).members[1];
  assert.equal(st.state, "lost");
  assert.match(st.lastError, /not a replica/);
  p.C_Finalize();
});

test("the records replicated are the sealed ones: no key value reaches another member in clear", async () => {
  const p = openGroup(groupConfig([mem("sl-a"), mem("sl-b")]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const value = crypto.randomBytes(32);
  p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_VALUE, value },
  ]);
  for (const i of [0, 1]) {
    const all = Buffer.concat((await p.memberRecords(slot, i)).map((r) => Buffer.from(r.value)));
    assert.equal(all.indexOf(value), -1, `member ${i} holds no key value in clear`);
  }
  await assertReplicas(p, slot, [0, 1], "sealed records");
  p.C_Finalize();
});

test("rekeyToken and deleteToken on a group reach every member", async () => {
  const p = openGroup(groupConfig([mem("rk-a"), mem("rk-b")]));
  const slot = slotOf(p);
  let s = userSession(p, slot);
  p.C_CreateObject(s, dataObject("kept through the re-key", "v", { priv: true }));
  const before = await recordsOf(p, slot, 0);
  p.C_CloseSession(s);
  p.rekeyToken(slot, SO_PIN, USER_PIN);
  const after = await assertReplicas(p, slot, [0, 1], "after rekeyToken");
  assert.notEqual(after.get("meta"), before.get("meta"), "a new token record");
  for (const i of [0, 1]) {
    p.disableMember(slot, 1 - i);
    s = p.C_OpenSession(slot, RW);
    p.C_Login(s, C.CKU_USER, USER_PIN);
    assert.deepEqual(labels(p, s), ["kept through the re-key"], `member ${i} opens its re-keyed records`);
    p.C_CloseSession(s);
    await p.enableMember(slot, 1 - i);
  }
  await p.deleteToken(slot);
  assert.equal(p.C_GetTokenInfo(slot).flags & C.CKF_TOKEN_INITIALIZED, 0);
  for (const i of [0, 1]) assert.equal((await p.memberRecords(slot, i)).length, 0, `member ${i} holds nothing`);
  p.C_Finalize();
});
