// Memory storage and storage configuration (issue 3): the default keeps
// nothing beyond the instance, "memory" slots neither, a named memory
// store is shared by the instances that name it, and PKCS11_WASM_CONF
// names a JSON file listing the slots.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  C,
  KDF,
  RW,
  PKCS11,
  SO_PIN,
  USER_PIN,
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
} from "./fixtures/storage-helpers.mjs";

const storeName = (what) => `test-${what}-${randomBytes(4).toString("hex")}`;

test("default configuration: one in-memory slot as before, nothing shared with a new instance", () => {
  const p = new PKCS11();
  p.C_Initialize({ libraryParameters: JSON.stringify({ kdfIterations: KDF }) });
  const slots = p.C_GetSlotList(false);
  assert.equal(slots.length, 1, "one slot");
  initToken(p, slots[0], "default");
  const s = session(p, slots[0]);
  p.C_CreateObject(s, dataObject("in-memory", "v", { priv: true }));
  assert.equal(findAll(p, s).length, 1);
  assert.equal(p.C_GetSlotList(false).length, 2, "a free slot is offered once the first is initialized (unchanged behaviour)");
  assert.deepEqual(p.storageEvents ?? [], []);

  const q = new PKCS11();
  q.C_Initialize({ libraryParameters: JSON.stringify({ kdfIterations: KDF }) });
  assert.equal(flags(q, q.C_GetSlotList(false)[0]) & C.CKF_TOKEN_INITIALIZED, 0, "a new instance starts empty");
  p.C_Finalize();
  q.C_Finalize();
});

test('"memory" slots keep nothing between instances; slot IDs are the indexes of slots', async () => {
  const cfg = { kdfIterations: KDF, slots: [{ storage: "memory" }, { storage: "memory", maxPinTries: 2 }] };
  const p = open(cfg);
  const slots = p.C_GetSlotList(false);
  assert.deepEqual(slots.map((s) => Number(Buffer.from(s).readBigUInt64LE(0))), [0, 1], "slot IDs are 0 and 1");
  initToken(p, slots[0]);
  initToken(p, slots[1]);
  assert.equal(p.C_GetSlotList(false).length, 2, "configured slots: no extra free slot appears");
  // Per-slot maxPinTries: slot 1 locks after 2 failures.
  const s1 = p.C_OpenSession(slots[1], C.CKF_SERIAL_SESSION);
  throwsRv(() => p.C_Login(s1, C.CKU_USER, "bad-pin-1"), "CKR_PIN_INCORRECT");
  throwsRv(() => p.C_Login(s1, C.CKU_USER, "bad-pin-2"), "CKR_PIN_INCORRECT");
  throwsRv(() => p.C_Login(s1, C.CKU_USER, "bad-pin-3"), "CKR_PIN_LOCKED", "slot 1 is locked after 2");
  const s0 = p.C_OpenSession(slots[0], C.CKF_SERIAL_SESSION);
  throwsRv(() => p.C_Login(s0, C.CKU_USER, "bad-pin-1"), "CKR_PIN_INCORRECT");
  throwsRv(() => p.C_Login(s0, C.CKU_USER, "bad-pin-2"), "CKR_PIN_INCORRECT");
  throwsRv(() => p.C_Login(s0, C.CKU_USER, "bad-pin-3"), "CKR_PIN_INCORRECT", "slot 0 keeps the default of 10");
  await p.flush(); // resolves at once: nothing to write
  p.C_Finalize();
  const q = open(cfg);
  for (const slot of q.C_GetSlotList(false)) assert.equal(flags(q, slot) & C.CKF_TOKEN_INITIALIZED, 0);
  q.C_Finalize();
});

test("a named memory store is shared by the instances that name it", async () => {
  const cfg = oneSlot({ memory: storeName("shared") });
  const a = open(cfg);
  initToken(a, slotOf(a));
  const sa = session(a, slotOf(a));
  const h = a.C_CreateObject(sa, dataObject("shared", "v", { priv: true }));
  await a.flush();

  const b = open(cfg);
  const sb = session(b, slotOf(b));
  assert.equal(findByLabel(b, sb, "shared").length, 1, "a new instance loads it");
  const other = open(oneSlot({ memory: storeName("other") }));
  assert.equal(flags(other, slotOf(other)) & C.CKF_TOKEN_INITIALIZED, 0, "another name is another store");
  other.C_Finalize();

  // Live changes both ways.
  a.C_SetAttributeValue(sa, h, [{ type: C.CKA_LABEL, value: "renamed" }]);
  await a.flush();
  assert.equal(findByLabel(b, sb, "renamed").length, 1, "B sees A's change");
  b.C_CreateObject(sb, dataObject("from-b", "vb"));
  await b.flush();
  assert.equal(findByLabel(a, sa, "from-b").length, 1, "A sees B's object");
  a.C_DestroyObject(sa, h);
  await a.flush();
  assert.equal(findByLabel(b, sb, "renamed").length, 0, "B sees A's destruction");

  // Interleaved writes with no read between them lose nothing.
  a.C_CreateObject(sa, dataObject("a-1", "1"));
  b.C_CreateObject(sb, dataObject("b-1", "2"));
  a.C_CreateObject(sa, dataObject("a-2", "3"));
  await Promise.all([a.flush(), b.flush()]);
  const want = ["a-1", "a-2", "b-1", "from-b"];
  assert.deepEqual(findAll(a, sa).map((x) => attr(a, sa, x, C.CKA_LABEL).toString()).sort(), want, "A sees everything");
  assert.deepEqual(findAll(b, sb).map((x) => attr(b, sb, x, C.CKA_LABEL).toString()).sort(), want, "B sees everything");

  // PIN change by one, honoured by the other.
  a.C_SetPIN(sa, USER_PIN, "new-user-pin");
  await a.flush();
  b.C_Logout(sb);
  throwsRv(() => b.C_Login(sb, C.CKU_USER, USER_PIN), "CKR_PIN_INCORRECT");
  b.C_Login(sb, C.CKU_USER, "new-user-pin");
  a.C_Finalize();
  b.C_Finalize();
});

test("PKCS11_WASM_CONF names a JSON file with the slots (child process)", async (t) => {
  const tmp = tempDir("pkcs11-wasm-conf-");
  t.after(tmp.remove);
  const dir = join(tmp.dir, "token");
  const conf = join(tmp.dir, "pkcs11-wasm.json");
  writeFileSync(conf, JSON.stringify({ kdfIterations: KDF, slots: [{ storage: "memory" }, { storage: { directory: dir } }] }));
  const lines = [];
  const { done } = runChild("conf-child.mjs", [], { env: { PKCS11_WASM_CONF: conf }, onLine: (l) => lines.push(l) });
  const { code, stderr } = await done;
  assert.equal(code, 0, stderr);
  assert.deepEqual(lines, ["slots 2", "created"], stderr);

  // The token the child made in slot 1 is in the directory.
  const p = open(oneSlot({ directory: dir }));
  const s = session(p, slotOf(p));
  assert.equal(p.C_GetTokenInfo(slotOf(p)).label.trim(), "from env conf");
  assert.equal(findByLabel(p, s, "made-by-child").length, 1);
  p.C_Finalize();
});

test("PKCS11_WASM_CONF in this process; the load() argument overrides it key by key", async (t) => {
  const tmp = tempDir("pkcs11-wasm-conf-");
  t.after(tmp.remove);
  const conf = join(tmp.dir, "conf.json");
  const name = storeName("env");
  writeFileSync(conf, JSON.stringify({ kdfIterations: KDF, maxPinTries: 2, slots: [{ storage: { memory: name } }] }));
  const saved = process.env.PKCS11_WASM_CONF;
  process.env.PKCS11_WASM_CONF = conf;
  t.after(() => (saved === undefined ? delete process.env.PKCS11_WASM_CONF : (process.env.PKCS11_WASM_CONF = saved)));

  const a = new PKCS11();
  a.onstorageevent = () => {};
  a.C_Initialize();
  initToken(a, slotOf(a));
  const sa = a.C_OpenSession(slotOf(a), C.CKF_SERIAL_SESSION);
  throwsRv(() => a.C_Login(sa, C.CKU_USER, "bad-pin-1"), "CKR_PIN_INCORRECT");
  throwsRv(() => a.C_Login(sa, C.CKU_USER, "bad-pin-2"), "CKR_PIN_INCORRECT");
  throwsRv(() => a.C_Login(sa, C.CKU_USER, "bad-pin-3"), "CKR_PIN_LOCKED", "maxPinTries 2 from the file");
  a.C_Finalize();

  // Same named store through the file; the argument raises maxPinTries.
  const b = new PKCS11({ maxPinTries: 5 });
  b.onstorageevent = () => {};
  b.C_Initialize();
  const slot = slotOf(b);
  const userFlags = C.CKF_USER_PIN_COUNT_LOW | C.CKF_USER_PIN_FINAL_TRY | C.CKF_USER_PIN_LOCKED;
  assert.equal(
    flags(b, slot) & userFlags,
    C.CKF_USER_PIN_COUNT_LOW,
    "the store from the file holds the token with 2 failures, which 5 tries no longer lock",
  );
  const sb = b.C_OpenSession(slot, RW);
  b.C_Login(sb, C.CKU_USER, USER_PIN);
  b.C_Logout(sb);
  b.C_Login(sb, C.CKU_SO, SO_PIN);
  b.C_Finalize();
});
