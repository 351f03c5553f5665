// Same-origin script posting on the BroadcastChannel that IndexedDB
// instances use to hear of each other's writes (issue 10, item 12): a
// message is only a hint to re-read the database, so forged records and
// counters in a message change nothing. Also: the Async PIN forms count a
// wrong PIN in the database before they answer.
import "fake-indexeddb/auto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { C, RW, USER_PIN, findByLabel, initToken, oneSlot, openAsync, rejectsRv, slotOf, throwsRv, waitFor } from "./fixtures/storage-helpers.mjs";
import { encodeCounters, encodePublic, parseCounters, ulong } from "./fixtures/records.mjs";

const dbName = () => `pkcs11-wasm-channel-${randomBytes(4).toString("hex")}`;

async function counters(name) {
  const db = await new Promise((res, rej) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  const value = await new Promise((res, rej) => {
    const r = db.transaction("records").objectStore("records").get("counters");
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  db.close();
  return parseCounters(Buffer.from(value));
}

test("forged BroadcastChannel messages neither reset a lockout nor plant a key", async () => {
  const name = dbName();
  const config = oneSlot({ indexedDB: name }, { maxPinTries: 3 });
  const p = await openAsync(config);
  const slot = slotOf(p);
  initToken(p, slot);
  await p.flush();
  const s = p.C_OpenSession(slot, RW);
  for (let i = 0; i < 3; i++) await rejectsRv(p.C_LoginAsync(s, C.CKU_USER, `wrong-${i}`), "CKR_PIN_INCORRECT");
  assert.equal((await counters(name)).user, 3, "counted in the database before each answer");
  const uid = "abcdefabcdefabcdefabcdefabcdef01";
  const planted = encodePublic({
    uid,
    attrs: [
      [C.CKA_CLASS, ulong(C.CKO_DATA)],
      [C.CKA_TOKEN, Buffer.from([1])],
      [C.CKA_LABEL, Buffer.from("planted")],
      [C.CKA_UNIQUE_ID, Buffer.from(uid)],
    ],
  });
  const channel = new BroadcastChannel(`pkcs11-wasm:indexeddb:${name}`);
  // The old message shape carried records; the new one names keys.
  channel.postMessage({ sender: "attacker", ops: [{ op: "put", key: "counters", value: encodeCounters(0, 0) }, { op: "put", key: `o/${uid}`, value: planted }] });
  channel.postMessage({ sender: "attacker", keys: ["counters", `o/${uid}`, "../../etc"] });
  channel.postMessage({ sender: "attacker", clear: true });
  channel.postMessage("garbage");
  await new Promise((r) => setTimeout(r, 200));
  channel.close();
  throwsRv(() => p.C_Login(s, C.CKU_USER, USER_PIN), "CKR_PIN_LOCKED", "still locked");
  assert.equal(findByLabel(p, s, "planted").length, 0);
  assert.equal(p.storageEvents.length, 0, JSON.stringify(p.storageEvents));
  await p.C_FinalizeAsync();
});

test("a genuine write by another instance still arrives through the hint", async () => {
  const name = dbName();
  const config = oneSlot({ indexedDB: name });
  const a = await openAsync(config);
  initToken(a, slotOf(a));
  await a.flush();
  const b = await openAsync(config);
  const sa = a.C_OpenSession(slotOf(a), RW);
  await a.C_LoginAsync(sa, C.CKU_USER, USER_PIN);
  await a.C_CreateObjectAsync(sa, [
    { type: C.CKA_CLASS, value: C.CKO_DATA },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_PRIVATE, value: false },
    { type: C.CKA_LABEL, value: "from-a" },
  ]);
  const sb = b.C_OpenSession(slotOf(b), RW);
  await waitFor(() => findByLabel(b, sb, "from-a").length === 1, "B sees A's object");
  await a.C_FinalizeAsync();
  await b.C_FinalizeAsync();
});

test("an IndexedDB token written by the format 1 code opens, and the first login rewrites it in format 2", async () => {
  const { readdirSync, readFileSync } = await import("node:fs");
  const name = dbName();
  const dir = new URL("../data/v1-token/", import.meta.url).pathname;
  const records = [["meta", readFileSync(dir + "meta")], ["counters", readFileSync(dir + "counters")]];
  for (const f of readdirSync(dir + "objects")) records.push([`o/${f}`, readFileSync(dir + "objects/" + f)]);
  // The database as storage/idb-raw.js lays it out: one store "records".
  const db = await new Promise((res, rej) => {
    const r = indexedDB.open(name, 1);
    r.onupgradeneeded = () => r.result.createObjectStore("records");
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
  await new Promise((res, rej) => {
    const tx = db.transaction("records", "readwrite");
    for (const [k, v] of records) tx.objectStore("records").put(new Uint8Array(v), k);
    tx.oncomplete = res;
    tx.onerror = () => rej(tx.error);
  });
  db.close();
  const p = await openAsync(oneSlot({ indexedDB: name }));
  const s = p.C_OpenSession(slotOf(p), RW);
  await p.C_LoginAsync(s, C.CKU_USER, "user-pin-v1");
  assert.equal(findByLabel(p, s, "v1-aes").length, 1);
  assert.equal(findByLabel(p, s, "v1-ec").length, 2);
  await p.flush();
  const stored = await p.storageRecords(slotOf(p));
  assert.equal(stored.length, records.length);
  for (const r of stored) assert.equal(r.value[4], 2, `${r.key} rewritten in format 2`);
  assert.deepEqual(p.storageEvents, []);
  await p.C_FinalizeAsync();
});
