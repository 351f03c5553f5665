// The PIN KDF's cost from configuration (issue 10, item 11; issue 11,
// item 10): a stored token (directory, IndexedDB, named memory store)
// defaults to 600,000 PBKDF2 iterations and refuses fewer than 100,000;
// "insecure-test" is the named low-cost setting for test suites; a token
// kept in memory only defaults to 1,000 (nothing of it is ever stored);
// 0 and more than 10,000,000 are refused everywhere. Bad settings are a
// TypeError, as every bad configuration value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { PKCS11, SO_PIN, initToken, open, slotOf, tempDir } from "./fixtures/storage-helpers.mjs";

const be32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** The iteration counts the stored token record holds (u32 after each 16-byte salt). */
async function storedCounts(p, slot, count) {
  const records = await p.storageRecords(slot);
  return records.some((r) => Buffer.from(r.value).includes(be32(count)));
}

test("stored tokens: counts below 100,000 (and 0, and over 10,000,000) are a TypeError", (t) => {
  const tmp = tempDir("pkcs11-wasm-kdf-");
  t.after(tmp.remove);
  const dir = { directory: join(tmp.dir, "token") };
  for (const config of [
    { kdfIterations: 1, slots: [{ storage: dir }] },
    { kdfIterations: 1000, slots: [{ storage: dir }] },
    { slots: [{ storage: dir, kdfIterations: 99999 }] },
    { kdfIterations: 600000, slots: [{ storage: { memory: "kdf-floor" }, kdfIterations: 10 }] },
  ]) {
    assert.throws(() => new PKCS11(config), (e) => e instanceof TypeError && /below 100000/.test(e.message) && /insecure-test/.test(e.message), JSON.stringify(config));
  }
  for (const kdfIterations of [0, -1, 1.5, 10000001, "fast", true]) {
    assert.throws(() => new PKCS11({ kdfIterations }), TypeError, String(kdfIterations));
  }
  // libraryParameters are checked against the slots they apply to.
  const p = new PKCS11({ slots: [{ storage: dir }] });
  assert.throws(() => p.C_Initialize({ libraryParameters: JSON.stringify({ kdfIterations: 1000 }) }), TypeError);
  // At the floor, and for memory tokens below it, all is well.
  new PKCS11({ slots: [{ storage: dir, kdfIterations: 100000 }, { storage: "memory", kdfIterations: 1 }] });
  new PKCS11({ kdfIterations: 10000000 });
});

test('"insecure-test" works on any storage and costs 1,000 iterations', async () => {
  const p = open({ kdfIterations: "insecure-test", slots: [{ storage: { memory: `kdf-${randomBytes(4).toString("hex")}` } }] });
  initToken(p, slotOf(p), "cheap");
  assert.ok(await storedCounts(p, slotOf(p), 1000));
  p.C_Finalize();
});

test("defaults: 600,000 for a stored token", async () => {
  const p = open({ slots: [{ storage: { memory: `kdf-${randomBytes(4).toString("hex")}` } }] });
  p.C_InitToken(slotOf(p), SO_PIN, "strong");
  assert.ok(await storedCounts(p, slotOf(p), 600000));
  p.C_Finalize();
});
