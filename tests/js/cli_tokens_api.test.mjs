// The library API behind `pkcs11-wasm backup|restore|clone` (issue 13):
// exportToken / importToken / cloneToken / inspectBackup copy a token's
// stored records verbatim (whatever their format) into an empty storage,
// and the copy loads as the same token; bad backups, non-empty targets
// and storage that keeps nothing are refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { C, SO_PIN, USER_PIN, dataObject, findAll, initToken, label, oneSlot, open, session, slotOf, tempDir } from "./fixtures/storage-helpers.mjs";

let n = 0;
const memoryName = () => `tokens-api-${process.pid}-${n++}`;

/** A token on a named memory store with a private key and a public object. */
function sourceToken() {
  const storage = { memory: memoryName() };
  const p = open(oneSlot(storage));
  const slot = slotOf(p);
  initToken(p, slot, "source token");
  const s = session(p, slot);
  p.C_CreateObject(s, dataObject("public note", "hello"));
  p.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_LABEL, value: "secret key" },
    { type: C.CKA_VALUE_LEN, value: 32 },
  ]);
  return { p, slot, s, storage };
}

const sortRecords = (records) => records.map((r) => [r.key, Buffer.from(r.value).toString("hex")]).sort();

test("exportToken + importToken: the records verbatim, loading as the same token with its PINs and keys", async () => {
  const { p, slot } = sourceToken();
  const backup = await p.exportToken(slot);
  assert.ok(backup instanceof Uint8Array);
  const info = await p.inspectBackup(backup);
  assert.equal(info.label, "source token");
  assert.equal(info.version, 1);
  assert.equal(info.serial, p.C_GetTokenInfo(slot).serialNumber.trimEnd());
  const target = { memory: memoryName() };
  const header = await p.importToken(target, backup);
  assert.equal(header.records, info.records);

  const q = open(oneSlot(target));
  const qslot = slotOf(q);
  assert.deepEqual(sortRecords(await q.storageRecords(qslot)), sortRecords(await p.storageRecords(slot)), "every record, byte for byte");
  assert.equal(q.C_GetTokenInfo(qslot).serialNumber, p.C_GetTokenInfo(slot).serialNumber);
  const s = session(q, qslot, USER_PIN);
  assert.deepEqual(findAll(q, s).map((h) => label(q, s, h)).sort(), ["public note", "secret key"]);
  q.C_Logout(s);
  q.C_Login(s, C.CKU_SO, SO_PIN);
  assert.deepEqual(q.storageEvents, []);
});

test("cloneToken into a token directory; a second clone into it is refused, as is a non-empty directory", async (t) => {
  const { p, slot } = sourceToken();
  const tmp = tempDir("pkcs11-wasm-tokens-api-");
  t.after(tmp.remove);
  const dir = join(tmp.dir, "replica");
  await p.cloneToken(slot, { directory: dir });
  const q = open(oneSlot({ directory: dir }));
  const s = session(q, slotOf(q), USER_PIN);
  assert.equal(findAll(q, s).length, 2);
  q.C_Finalize();
  await assert.rejects(p.cloneToken(slot, { directory: dir }), /cloneToken: .*replica is not empty/);
  const other = join(tmp.dir, "other");
  mkdirSync(other);
  writeFileSync(join(other, "unrelated.txt"), "not a token");
  await assert.rejects(p.cloneToken(slot, { directory: other }), /other is not empty/);
  const memory = { memory: memoryName() };
  await p.cloneToken(slot, memory);
  await assert.rejects(p.cloneToken(slot, memory), /cloneToken: the target storage already holds a token/);
});

test("refusals: nothing stored to export, storage that keeps nothing, damaged and newer backups", async () => {
  const p = open({ kdfIterations: "insecure-test", slots: [{ storage: "memory" }] });
  const slot = slotOf(p);
  initToken(p, slot);
  await assert.rejects(p.exportToken(slot), /exportToken: this slot has nothing stored/);
  const { p: src, slot: srcSlot } = sourceToken();
  const backup = await src.exportToken(srcSlot);
  await assert.rejects(src.importToken("memory", backup), (e) => e instanceof TypeError && /storage "memory" keeps nothing/.test(e.message));
  await assert.rejects(src.importToken({ floppy: "a" }, backup), (e) => e instanceof TypeError && /importToken: storage must have exactly one of the keys/.test(e.message));
  await assert.rejects(src.inspectBackup(backup.subarray(0, backup.length - 1)), /checksum does not match/);
  // A newer format version (checksum made right) is refused by name.
  const newer = Buffer.from(backup);
  newer.writeUInt16BE(2, 8);
  createHash("sha256").update(newer.subarray(0, newer.length - 32)).digest().copy(newer, newer.length - 32);
  await assert.rejects(src.inspectBackup(newer), /format version 2 is newer than this library reads \(1\)/);
  const target = { memory: memoryName() };
  await assert.rejects(src.importToken(target, newer), /newer/);
  await assert.rejects(src.importToken(target, Buffer.from("P11WBKUP")), /truncated/);
});
