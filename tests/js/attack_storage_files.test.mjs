// Attacks on a token directory's files and on several processes sharing it
// (issue 10, items 7, 8, 9, 13): planted journals, symbolic links, loose
// permissions, stale instances, concurrent PIN guessing, a process killed
// right after a wrong PIN, and records that cannot be read at all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import {
  C,
  SO_PIN,
  USER_PIN,
  RW,
  attr,
  dataObject,
  findByLabel,
  initToken,
  open,
  oneSlot,
  runChild,
  session,
  slotOf,
  tempDir,
  throwsRv,
  touchObjects,
} from "./fixtures/storage-helpers.mjs";
import { parseCounters } from "./fixtures/records.mjs";

function setup(t) {
  const tmp = tempDir("pkcs11-wasm-files-");
  t.after(tmp.remove);
  const dir = join(tmp.dir, "token");
  return { root: tmp.dir, dir, config: oneSlot({ directory: dir }, { maxPinTries: 3 }) };
}

function freshToken(config) {
  const p = open(config);
  initToken(p, slotOf(p));
  return p;
}

const kinds = (p) => p.storageEvents.map((e) => e.kind);

test("a planted journal naming files outside the token directory renames and deletes nothing", (t) => {
  const { root, dir, config } = setup(t);
  freshToken(config).C_Finalize();
  const victim = join(root, "victim.txt");
  const victim2 = join(root, "victim2.txt");
  writeFileSync(victim, "keep me");
  writeFileSync(victim2, "keep me too");
  const tmpOutside = join(root, ".tmp-0011223344556677");
  writeFileSync(tmpOutside, "attacker bytes");
  writeFileSync(
    join(dir, "journal-00112233aabbccdd"),
    JSON.stringify({ renames: [[tmpOutside, victim]], deletes: [victim2, join(dir, "meta")] }),
  );
  writeFileSync(join(dir, "journal-aabbccdd00112233"), JSON.stringify({ renames: [[".tmp-0011223344556677", "../../victim.txt"]], deletes: ["o/../../x"] }));
  const p = open(config);
  assert.equal(readFileSync(victim, "utf8"), "keep me");
  assert.equal(readFileSync(victim2, "utf8"), "keep me too");
  assert.ok(existsSync(join(dir, "meta")), "the token record was not deleted by the planted journal");
  assert.deepEqual(kinds(p), ["tampered", "tampered"]);
  assert.ok(!existsSync(join(dir, "journal-00112233aabbccdd")), "the planted journal is removed");
  const s = session(p, slotOf(p));
  assert.ok(s);
  p.C_Finalize();
});

test("objects/ as a symbolic link: the token is refused, and C_InitToken and deleteToken delete nothing in its target", async (t) => {
  const { root, dir, config } = setup(t);
  freshToken(config).C_Finalize();
  const elsewhere = join(root, "elsewhere");
  mkdirSync(elsewhere);
  const precious = join(elsewhere, "0123456789abcdef0123456789abcdef");
  writeFileSync(precious, "not a record");
  rmSync(join(dir, "objects"), { recursive: true });
  symlinkSync(elsewhere, join(dir, "objects"));
  const p = open(config);
  const slot = slotOf(p);
  assert.deepEqual(kinds(p), ["refused"]);
  throwsRv(() => p.C_InitToken(slot, SO_PIN, "again"), "CKR_TOKEN_NOT_RECOGNIZED");
  await p.deleteToken(slot);
  assert.equal(readFileSync(precious, "utf8"), "not a record", "the link's target is untouched");
  p.C_Finalize();
});

test("a symbolic link as the token directory or as generation: refused, the target never written", (t) => {
  const { root, dir, config } = setup(t);
  freshToken(config).C_Finalize();
  const victim = join(root, "appended-to");
  writeFileSync(victim, "");
  rmSync(join(dir, "generation"));
  symlinkSync(victim, join(dir, "generation"));
  let p = open(config);
  assert.deepEqual(kinds(p), ["refused"]);
  p.C_Finalize();
  assert.equal(readFileSync(victim, "utf8"), "", "nothing appended through the link");
  const linked = join(root, "linked-token");
  symlinkSync(dir, linked);
  p = open(oneSlot({ directory: linked }));
  assert.deepEqual(kinds(p), ["refused"]);
  p.C_Finalize();
});

test("token directories are created 0700; a group- or world-writable one is reported", (t) => {
  const { dir, config } = setup(t);
  const p = freshToken(config);
  p.C_Finalize();
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, "objects")).mode & 0o777, 0o700);
  chmodSync(dir, 0o777);
  const q = open(config);
  const insecure = q.storageEvents.filter((e) => e.kind === "insecure");
  assert.equal(insecure.length, 1);
  assert.match(insecure[0].message, /chmod 700/);
  q.C_Finalize();
});

test("a stale instance holding an old PIN cannot undo the owner's PIN change", (t) => {
  const { config } = setup(t);
  const owner = freshToken(config);
  const stale = open(config);
  const ss = stale.C_OpenSession(slotOf(stale), RW); // opened before the change
  const so = session(owner, slotOf(owner));
  owner.C_SetPIN(so, USER_PIN, "owners-new-pin");
  owner.flushSync?.();
  throwsRv(() => stale.C_SetPIN(ss, USER_PIN, "attackers-pin"), "CKR_PIN_INCORRECT", "stale C_SetPIN");
  throwsRv(() => stale.C_Login(ss, C.CKU_USER, USER_PIN), "CKR_PIN_INCORRECT", "stale C_Login");
  owner.C_Logout(so);
  owner.C_Login(so, C.CKU_USER, "owners-new-pin");
  owner.C_Finalize();
  stale.C_Finalize();
});

test("stale counters never lower a stored lock", (t) => {
  const { dir, config } = setup(t);
  freshToken(config).C_Finalize();
  const stale = open(config); // read the counters at 0
  const ss = stale.C_OpenSession(slotOf(stale), RW);
  const other = open(config);
  const so = other.C_OpenSession(slotOf(other), RW);
  for (let i = 0; i < 3; i++) throwsRv(() => other.C_Login(so, C.CKU_USER, `wrong-${i}`), i < 3 ? "CKR_PIN_INCORRECT" : "CKR_PIN_LOCKED");
  other.C_Finalize();
  assert.equal(parseCounters(readFileSync(join(dir, "counters"))).user, 3);
  throwsRv(() => stale.C_Login(ss, C.CKU_USER, USER_PIN), "CKR_PIN_LOCKED", "the right PIN after the lock");
  throwsRv(() => stale.C_Login(ss, C.CKU_USER, "wrong"), "CKR_PIN_LOCKED");
  stale.C_Finalize();
  assert.equal(parseCounters(readFileSync(join(dir, "counters"))).user, 3, "still locked on disk");
});

test("six processes guessing at once get maxPinTries (3) wrong PINs in all, not 3 each", async (t) => {
  const { dir, config } = setup(t);
  freshToken(config).C_Finalize();
  const start = Date.now() + 1500;
  const answers = [];
  const runs = Array.from({ length: 6 }, () => runChild("pin-guesser.mjs", [dir, "3", "", String(start)], { onLine: (l) => answers.push(l) }).done);
  const results = await Promise.all(runs);
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  assert.equal(answers.length, 18);
  assert.equal(answers.filter((a) => a === "CKR_PIN_INCORRECT").length, 3, answers.join(" "));
  assert.equal(answers.filter((a) => a === "CKR_PIN_LOCKED").length, 15);
  assert.equal(parseCounters(readFileSync(join(dir, "counters"))).user, 3);
});

test("a wrong PIN is on disk before C_Login answers: a process killed right after it loses nothing", async (t) => {
  const { dir, config } = setup(t);
  freshToken(config).C_Finalize();
  for (let round = 1; round <= 2; round++) {
    const answers = [];
    const r = await runChild("pin-guesser.mjs", [dir, "1", "kill", "0"], { onLine: (l) => answers.push(l) }).done;
    assert.equal(r.signal, "SIGKILL");
    assert.deepEqual(answers, ["CKR_PIN_INCORRECT"]);
    assert.equal(parseCounters(readFileSync(join(dir, "counters"))).user, round);
  }
});

test("a directory (or anything unreadable) in place of a record is reported while the rest loads, at open and live", (t) => {
  const { dir, config } = setup(t);
  const p = freshToken(config);
  const s = session(p, slotOf(p));
  const keep = p.C_CreateObject(s, dataObject("keep", "v", { priv: true }));
  const broken = p.C_CreateObject(s, dataObject("broken", "v"));
  const brokenUid = attr(p, s, broken, C.CKA_UNIQUE_ID).toString();
  assert.ok(keep);
  p.C_Finalize();
  const file = join(dir, "objects", brokenUid);
  rmSync(file);
  mkdirSync(file);
  rmSync(join(dir, "counters"));
  mkdirSync(join(dir, "counters"));
  const q = touchObjects(open(config));
  assert.deepEqual(
    q.storageEvents.map((e) => [e.kind, e.key]).sort(),
    [["unreadable", "counters"], ["unreadable", `o/${brokenUid}`]],
  );
  const sq = session(q, slotOf(q));
  assert.equal(findByLabel(q, sq, "keep").length, 1, "the rest loads");
  // Live: another process's write reveals a record that became unreadable.
  const r = open(config);
  const sr = session(r, slotOf(r));
  const h = r.C_CreateObject(sr, dataObject("later", "v"));
  const laterUid = attr(r, sr, h, C.CKA_UNIQUE_ID).toString();
  r.C_Finalize();
  rmSync(join(dir, "objects", laterUid));
  mkdirSync(join(dir, "objects", laterUid));
  const w = open(config);
  w.C_CreateObject(session(w, slotOf(w)), dataObject("nudge", "v"));
  w.C_Finalize();
  findByLabel(q, sq, "keep");
  assert.ok(q.storageEvents.some((e) => e.kind === "unreadable" && e.key === `o/${laterUid}`), JSON.stringify(q.storageEvents));
  // meta itself unreadable: the token does not open, and nothing throws.
  rmSync(join(dir, "meta"));
  mkdirSync(join(dir, "meta"));
  const m = open(config);
  assert.ok(m.storageEvents.some((e) => e.kind === "unreadable" && e.key === "meta"));
  q.C_Finalize();
  m.C_Finalize();
});

test("a wrong PIN whose count cannot be written answers CKR_DEVICE_ERROR, not CKR_PIN_INCORRECT", (t) => {
  const { dir, config } = setup(t);
  freshToken(config).C_Finalize();
  const p = open(config);
  const s = p.C_OpenSession(slotOf(p), RW);
  // The counter record cannot be replaced: a directory stands in its place.
  rmSync(join(dir, "counters"));
  mkdirSync(join(dir, "counters"));
  const e = throwsRv(() => p.C_Login(s, C.CKU_USER, "wrong"), "CKR_DEVICE_ERROR", "an uncounted attempt");
  assert.match(e.cause.message, /could not be counted/);
  assert.ok(p.storageEvents.some((e) => e.kind === "write-failed"));
  // A right PIN still logs in: a success needs no count.
  p.C_Login(s, C.CKU_USER, USER_PIN);
  p.C_Logout(s);
  p.C_CloseSession(s);
  rmSync(join(dir, "counters"), { recursive: true });
  p.C_Finalize();
});
