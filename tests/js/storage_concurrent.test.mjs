// Several instances on one token (issue 3): two processes creating
// objects at the same time in one token directory lose none; an instance
// sees another's created, changed and destroyed objects at its next call
// and honours its PIN changes; session objects stay with their instance.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  C,
  SO_PIN,
  USER_PIN,
  RW,
  attr,
  dataObject,
  findAll,
  findByLabel,
  flags,
  initToken,
  oneSlot,
  open,
  runChild,
  session,
  slotOf,
  tempDir,
  throwsRv,
  valueFor,
} from "./fixtures/storage-helpers.mjs";

function tokenDir(t) {
  const tmp = tempDir("pkcs11-wasm-conc-");
  t.after(tmp.remove);
  const dir = join(tmp.dir, "token");
  const config = oneSlot({ directory: dir });
  const p = open(config);
  initToken(p, slotOf(p));
  p.C_Finalize();
  return { dir, config };
}

test("two processes create 100 objects each in one token directory at the same time: all 200 are there", { timeout: 60_000 }, async (t) => {
  const { dir, config } = tokenDir(t);
  const N = 100;
  // Both start writing at the same moment, once both are loaded.
  const start = Date.now() + 1500;
  const runs = ["A", "B"].map((prefix) => {
    const lines = [];
    const run = runChild("concurrent-writer.mjs", [dir, prefix, String(N), String(start)], { onLine: (l) => lines.push(l) });
    return { prefix, lines, ...run };
  });
  for (const r of runs) {
    const { code, stderr } = await r.done;
    assert.equal(code, 0, `writer ${r.prefix} exited with ${code}: ${stderr}`);
    assert.ok(r.lines.includes("done"), `writer ${r.prefix} finished: ${r.lines.join("\n")}`);
    if (r.lines.includes("late")) t.diagnostic(`writer ${r.prefix} loaded after the common start time: the overlap was partial`);
    assert.ok(!r.lines.some((l) => l.startsWith("events ")), `writer ${r.prefix} had storage events: ${r.lines.join("\n")}`);
  }
  const p = open(config);
  const s = session(p, slotOf(p));
  assert.deepEqual(p.storageEvents, []);
  const labels = findAll(p, s).map((h) => {
    const label = attr(p, s, h, C.CKA_LABEL).toString();
    assert.equal(attr(p, s, h, C.CKA_VALUE).toString("hex"), valueFor(label, 512).toString("hex"), `${label} value`);
    return label;
  });
  const want = ["A", "B"].flatMap((x) => Array.from({ length: N }, (_, i) => `${x}-${i}`));
  assert.deepEqual(labels.sort(), want.sort());
  p.C_Finalize();
});

test("a second instance sees created, changed and destroyed token objects at its next call", async (t) => {
  const { config } = tokenDir(t);
  const a = open(config);
  const b = open(config);
  const sa = session(a, slotOf(a));
  const sb = session(b, slotOf(b)); // open before A writes anything

  // Created (public and private).
  const h1 = a.C_CreateObject(sa, dataObject("shared-public", "v1"));
  const h2 = a.C_CreateObject(sa, dataObject("shared-private", "secret", { priv: true }));
  await a.flush();
  assert.equal(findByLabel(b, sb, "shared-public").length, 1, "B sees A's public object at C_FindObjectsInit");
  const hb = findByLabel(b, sb, "shared-private");
  assert.equal(hb.length, 1, "B (logged in) sees A's private object");
  assert.equal(attr(b, sb, hb[0], C.CKA_VALUE).toString(), "secret");

  // Changed: B's handle reads the new value.
  const hbPub = findByLabel(b, sb, "shared-public")[0];
  a.C_SetAttributeValue(sa, h1, [{ type: C.CKA_LABEL, value: "shared-renamed" }]);
  await a.flush();
  assert.equal(attr(b, sb, hbPub, C.CKA_LABEL).toString(), "shared-renamed", "C_GetAttributeValue shows A's change");
  assert.equal(findByLabel(b, sb, "shared-public").length, 0);

  // Destroyed.
  a.C_DestroyObject(sa, h2);
  await a.flush();
  assert.equal(findByLabel(b, sb, "shared-private").length, 0, "B no longer finds the destroyed object");
  throwsRv(() => b.C_GetAttributeValue(sb, hb[0], [{ type: C.CKA_LABEL }]), "CKR_OBJECT_HANDLE_INVALID", "B's old handle");

  // And the other way round.
  b.C_CreateObject(sb, dataObject("from-b", "vb", { priv: true }));
  await b.flush();
  assert.equal(findByLabel(a, sa, "from-b").length, 1, "A sees B's object");

  // Session objects stay private to their instance.
  a.C_CreateObject(sa, dataObject("session-only", "s", { token: false }));
  await a.flush();
  assert.equal(findByLabel(b, sb, "session-only").length, 0, "A's session object is not B's");
  a.C_Finalize();
  b.C_Finalize();
});

test("writes interleaved without a read in between are not lost by either instance", async (t) => {
  const { config } = tokenDir(t);
  const a = open(config);
  const b = open(config);
  const sa = session(a, slotOf(a));
  const sb = session(b, slotOf(b));
  // A writes, then B writes without any call that reads storage first.
  a.C_CreateObject(sa, dataObject("first-from-a", "1"));
  await a.flush();
  b.C_CreateObject(sb, dataObject("then-from-b", "2"));
  await b.flush();
  a.C_CreateObject(sa, dataObject("again-from-a", "3"));
  await a.flush();
  const want = ["again-from-a", "first-from-a", "then-from-b"];
  for (const [name, p, s] of [["A", a, sa], ["B", b, sb]]) {
    const got = findAll(p, s).map((h) => attr(p, s, h, C.CKA_LABEL).toString()).sort();
    assert.deepEqual(got, want, `${name} sees all three`);
  }
  a.C_Finalize();
  b.C_Finalize();
  const c = open(config);
  const sc = session(c, slotOf(c));
  assert.equal(findAll(c, sc).length, 3, "and all three are stored");
  c.C_Finalize();
});

test("a PIN change by one instance is honoured by the other's next C_Login", async (t) => {
  const { config } = tokenDir(t);
  const a = open(config);
  const b = open(config);
  const sb = b.C_OpenSession(slotOf(b), RW);

  const sa = session(a, slotOf(a));
  a.C_SetPIN(sa, USER_PIN, "changed-by-a");
  await a.flush();
  throwsRv(() => b.C_Login(sb, C.CKU_USER, USER_PIN), "CKR_PIN_INCORRECT", "B with the old PIN");
  b.C_Login(sb, C.CKU_USER, "changed-by-a");
  b.C_Logout(sb);

  // The SO PIN too. B's failed login above queued a counter write that
  // may not be on disk yet: B must still pick up A's change.
  a.C_Logout(sa);
  a.C_Login(sa, C.CKU_SO, SO_PIN);
  a.C_SetPIN(sa, SO_PIN, "so-changed-by-a");
  a.C_Logout(sa);
  await a.flush();
  throwsRv(() => b.C_Login(sb, C.CKU_SO, SO_PIN), "CKR_PIN_INCORRECT", "B with the old SO PIN");
  b.C_Login(sb, C.CKU_SO, "so-changed-by-a");
  b.C_Logout(sb);

  // Failed attempts counted by B are seen by A.
  throwsRv(() => b.C_Login(sb, C.CKU_USER, "wrong-pin"), "CKR_PIN_INCORRECT");
  await b.flush();
  assert.equal(flags(a, slotOf(a)) & C.CKF_USER_PIN_COUNT_LOW, C.CKF_USER_PIN_COUNT_LOW, "A sees B's failed attempt in the token flags");
  a.C_Finalize();
  b.C_Finalize();
});

test("an instance with writes not yet on disk still sees another's changes at its next call", async (t) => {
  const { config } = tokenDir(t);
  const a = open(config);
  const b = open(config);
  const sa = session(a, slotOf(a));
  const sb = session(b, slotOf(b));
  a.C_CreateObject(sa, dataObject("from-a", "1"));
  a.C_SetPIN(sa, USER_PIN, "pin-set-by-a");
  await a.flush();
  // B writes (queued behind, no flush) and reads in the same tick.
  b.C_CreateObject(sb, dataObject("from-b", "2"));
  assert.equal(findByLabel(b, sb, "from-a").length, 1, "B's C_FindObjectsInit sees A's object");
  b.C_Logout(sb);
  throwsRv(() => b.C_Login(sb, C.CKU_USER, USER_PIN), "CKR_PIN_INCORRECT", "B's C_Login honours A's new PIN");
  b.C_Login(sb, C.CKU_USER, "pin-set-by-a");
  await b.flush();
  assert.equal(findByLabel(a, sa, "from-b").length, 1);
  a.C_Finalize();
  b.C_Finalize();
});
