// Token groups: configuration and membership. Clear TypeErrors for bad
// group entries; members that are not replicas refused at C_Initialize
// with nothing written; a member added to the configuration catches up
// (at the next C_Initialize, and through reload() without a restart); a
// member removed stops receiving calls; groupStatus and the events.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  C,
  KDF,
  PKCS11,
  RW,
  SO_PIN,
  assertReplicas,
  dataObject,
  dirMember,
  findAll,
  groupConfig,
  mem,
  openGroup,
  slotOf,
  states,
  tempDir,
  userSession,
} from "./fixtures/group-helpers.mjs";

function rejects(config, pattern, what) {
  assert.throws(() => new PKCS11(config), (e) => e instanceof TypeError && pattern.test(e.message), what);
}

test("bad group entries are TypeErrors that say what is wrong", () => {
  const g = (group, extra = {}) => ({ slots: [{ group, ...extra }] });
  rejects(g({ members: [mem("x")], balanse: "round-robin" }), /slots\[0\]\.group has unknown key balanse/, "unknown group key");
  rejects(g({ members: [{ storage: { memory: "x" }, threads: true }] }), /members\[0\] has unknown key threads/, "unknown member key");
  rejects(g({ members: [] }), /members must be a non-empty array/, "no members");
  rejects(g({ members: [mem("x"), mem("x")] }), /members\[1\] names the same store as members\[0\]/, "a member twice");
  rejects(g({ members: [mem("x")], balance: "fastest" }), /balance must be one of "least-busy", "round-robin"/, "balance");
  rejects(g({ members: [mem("x")], probeInterval: 0 }), /probeInterval must be a number of milliseconds/, "probe interval");
  rejects(g({ members: [mem("x")], showMembers: "yes" }), /showMembers must be true or false/, "showMembers");
  rejects(g({ members: [{ storage: { memory: "x" }, thread: 1 }] }), /thread must be true or false/, "thread");
  rejects(g({ members: [{ storage: { disk: "/x" } }] }), /slots\[0\]\.group\.members\[0\]\.storage must have exactly one of the keys/, "a bad store");
  rejects(g({ members: [{}] }), /members\[0\] needs a `storage`/, "no store");
  rejects(g({ members: [mem("x")] }, { storage: { memory: "y" } }), /has both `group` and `storage`/, "a store of its own");
  rejects(
    { slots: [{ group: { members: [mem("s1"), mem("s2")] } }, { group: { members: [mem("s3"), mem("s2")] } }] },
    /slots\[1\] \(a group\) uses the store memory s2 that slots\[0\] \(a group\) also uses/,
    "two groups on one store",
  );
  rejects(
    { slots: [{ storage: { memory: "s1" } }, { group: { members: [mem("s1")] } }] },
    /uses the store memory s1 that slots\[0\] also uses/,
    "a group and a plain slot on one store",
  );
  rejects({ slots: [{ group: { members: [mem("x")] }, kdfIterations: "lots" }] }, /"lots"/, "per-slot keys are checked");
  // Directories are compared as resolved paths.
  rejects(g({ members: [dirMember("/tmp/pkcs11-wasm-x"), dirMember("/tmp/../tmp/pkcs11-wasm-x")] }), /names the same store/, "one directory, two spellings");
});

test("members that are not replicas are refused at C_Initialize, with nothing written", () => {
  const tmp = tempDir("pkcs11-wasm-group-");
  try {
    const dirs = ["a", "b"].map((x) => join(tmp.dir, x));
    // Two separately initialized tokens.
    for (const d of dirs) {
      const plain = new PKCS11({ kdfIterations: KDF, slots: [{ storage: { directory: d } }] });
      plain.onstorageevent = () => {};
      plain.C_Initialize();
      plain.C_InitToken(plain.C_GetSlotList(false)[0], SO_PIN, `token in ${d}`);
      plain.C_Finalize();
    }
    const snapshot = () => dirs.flatMap((d) => readdirSync(d).map((f) => [f, statSync(join(d, f)).mtimeMs, f === "meta" ? readFileSync(join(d, f)).toString("hex") : ""]));
    const before = JSON.stringify(snapshot());
    const p = new PKCS11(groupConfig(dirs.map((d) => dirMember(d))));
    p.ongroupevent = null;
    assert.throws(
      () => p.C_Initialize(),
      (e) => e instanceof TypeError && /members 0 \(directory .*\/a\) and 1 \(directory .*\/b\) hold different tokens/.test(e.message) && /not replicas/.test(e.message),
    );
    assert.equal(JSON.stringify(snapshot()), before, "nothing written");
    assert.throws(() => p.C_GetSlotList(false), /CKR_CRYPTOKI_NOT_INITIALIZED/);
  } finally {
    tmp.remove();
  }
});

test("a member added to the configuration catches up at the next C_Initialize", async () => {
  const tmp = tempDir("pkcs11-wasm-group-");
  try {
    const dirs = ["a", "b", "c"].map((x) => join(tmp.dir, x));
    const p = openGroup(groupConfig(dirs.slice(0, 2).map((d) => dirMember(d))));
    const slot = slotOf(p);
    const s = userSession(p, slot);
    for (let i = 0; i < 20; i++) p.C_CreateObject(s, dataObject(`object ${i}`, `v${i}`, { priv: i % 2 === 1 }));
    p.C_Finalize();
    // The configuration file names a third member: a fresh, empty directory.
    const conf = join(tmp.dir, "group.json");
    writeFileSync(conf, JSON.stringify(groupConfig(dirs.map((d) => dirMember(d)))));
    const q = openGroup(conf);
    assert.deepEqual(states(q, slot), ["live", "live", "live"]);
    await assertReplicas(q, slot, [0, 1, 2], "the new member was filled");
    q.disableMember(slot, 0);
    q.disableMember(slot, 1);
    const s2 = q.C_OpenSession(slot, RW);
    q.C_Login(s2, C.CKU_USER, "user-pin-1234");
    assert.equal(findAll(q, s2).length, 20, "the new member alone serves every object");
    q.C_Finalize();
  } finally {
    tmp.remove();
  }
});

test("reload(): members added join without a restart, members removed stop receiving calls", async () => {
  const tmp = tempDir("pkcs11-wasm-group-");
  try {
    const conf = join(tmp.dir, "group.json");
    writeFileSync(conf, JSON.stringify(groupConfig([mem("rl-a"), mem("rl-b")])));
    const p = openGroup(conf);
    const slot = slotOf(p);
    const s = userSession(p, slot);
    p.C_CreateObject(s, dataObject("before reload", "x"));
    const events = [];
    p.ongroupevent = (e) => events.push(`${e.kind}:${e.member}`);
    writeFileSync(conf, JSON.stringify(groupConfig([mem("rl-a"), mem("rl-b"), mem("rl-c")])));
    assert.deepEqual(await p.reload(), [{ slot: 0, added: [2], removed: [] }]);
    assert.deepEqual(states(p, slot), ["live", "live", "live"]);
    assert.deepEqual(events, ["added:2", "syncing:2", "rejoined:2"]);
    await assertReplicas(p, slot, [0, 1, 2], "the added member");
    // It is logged in and serves: the others away, it alone answers.
    p.disableMember(slot, 0);
    p.disableMember(slot, 1);
    assert.equal(findAll(p, s, [{ type: C.CKA_LABEL, value: "before reload" }]).length, 1);
    await p.enableMember(slot, 0);
    await p.enableMember(slot, 1);

    // Removal: member a leaves the configuration (reload with an object argument).
    events.length = 0;
    const out = await p.reload(groupConfig([mem("rl-b"), mem("rl-c")]));
    assert.deepEqual(out, [{ slot: 0, added: [], removed: ["memory store rl-a"] }]);
    assert.deepEqual(events, ["removed:0"]);
    const st = p.groupStatus(slot);
    assert.deepEqual(st.members.map((m) => m.storage), ["memory store rl-b", "memory store rl-c"]);
    const servedBefore = st.members.map((m) => m.served);
    p.C_CreateObject(s, dataObject("after removal", "y"));
    const records = await assertReplicas(p, slot, [0, 1], "the remaining members");
    // The removed member's store did not get the new object.
    const plain = new PKCS11({ kdfIterations: KDF, slots: [{ storage: { memory: "rl-a" } }] });
    plain.onstorageevent = () => {};
    plain.C_Initialize();
    const stored = await plain.storageRecords(plain.C_GetSlotList(false)[0]);
    assert.equal(stored.length, records.size - 1, "one object fewer in the removed member's store");
    assert.ok(p.groupStatus(slot).members.reduce((n, m) => n + m.served, 0) > servedBefore.reduce((a, b) => a + b, 0));
    p.C_Finalize();
  } finally {
    tmp.remove();
  }
});

test("groupStatus: the shape the CLI and the playground read", () => {
  const p = openGroup(groupConfig([mem("st-a"), mem("st-b")], { balance: "round-robin", probeInterval: 1234 }));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const st = p.groupStatus(slot);
  assert.deepEqual(Object.keys(st), ["slot", "balance", "probeInterval", "callTimeout", "tokenPresent", "sessionMember", "sessions", "loggedIn", "lastCall", "members"]);
  assert.equal(st.balance, "round-robin");
  assert.equal(st.probeInterval, 1234);
  assert.equal(st.tokenPresent, true);
  assert.equal(st.sessions, 1);
  assert.equal(st.loggedIn, "user");
  assert.deepEqual(Object.keys(st.members[0]), ["index", "storage", "thread", "state", "served", "inFlight", "lastError", "lastErrorAt"]);
  assert.deepEqual(st.members[0].storage, "memory store st-a");
  // Round-robin: C_GenerateRandom alternates.
  const who = [];
  for (let i = 0; i < 4; i++) {
    p.C_GenerateRandom(s, Buffer.alloc(8));
    who.push(p.groupStatus(slot).lastCall.member);
  }
  assert.deepEqual(who.slice(0, 2).sort(), [0, 1]);
  assert.notEqual(who[0], who[1]);
  assert.equal(p.groupStatus(slot).lastCall.method, "C_GenerateRandom");
  assert.throws(() => p.groupStatus(p.C_GetSlotList(false)[1]), /slot 1 is not a token group/);
  assert.throws(() => p.disableMember(slot, 5), /has no group member 5/);
  // The group's slot info.
  assert.match(p.C_GetSlotInfo(slot).slotDescription, /^pkcs11-wasm group slot 0 \(2 members\)/);
  p.C_Finalize();
});

test("showMembers: each member is also a plain slot (hidden by default)", () => {
  const hidden = openGroup(groupConfig([mem("sm-a"), mem("sm-b")]));
  assert.equal(hidden.C_GetSlotList(false).length, 2, "the group's slot and the plain slot");
  hidden.C_Finalize();
  const p = openGroup(groupConfig([mem("sm-a"), mem("sm-b")], { showMembers: true }));
  const slots = p.C_GetSlotList(true);
  assert.equal(slots.length, 4, "plus one slot per member");
  const slot = slots[0];
  const s = userSession(p, slot, "shown");
  p.C_CreateObject(s, dataObject("through the group", "x"));
  assert.match(p.C_GetSlotInfo(slots[2]).slotDescription, /^pkcs11-wasm group slot 0 member 0/);
  for (const m of [2, 3]) {
    assert.equal(p.C_GetTokenInfo(slots[m]).label.trim(), "shown", "each member slot holds the group's token");
    const ms = p.C_OpenSession(slots[m], C.CKF_SERIAL_SESSION);
    assert.ok(p.C_GetSessionInfo(ms).slotID.equals(slots[m]));
    assert.equal(findAll(p, ms, [{ type: C.CKA_LABEL, value: "through the group" }]).length, 1, `member ${m - 2} has the object`);
    p.C_CloseSession(ms);
  }
  p.disableMember(slot, 1);
  assert.equal(p.C_GetSlotList(true).length, 3, "a stopped member's slot has no token");
  p.C_Finalize();
});
