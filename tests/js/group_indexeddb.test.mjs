// Token groups whose members are IndexedDB databases, in-thread (Node with
// fake-indexeddb; Web Worker members with real IndexedDB run in headless
// Chromium in tests/e2e/group_workers.test.mjs): they load asynchronously,
// so C_Initialize refuses and C_InitializeAsync works; writes, resync and
// records as with the other stores.
import "fake-indexeddb/auto"; // before the package: it looks for globalThis.indexedDB
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  C,
  PKCS11,
  assertReplicas,
  dataObject,
  findAll,
  groupConfig,
  openGroupAsync,
  slotOf,
  states,
  userSession,
} from "./fixtures/group-helpers.mjs";

const db = (x) => ({ storage: { indexedDB: `pkcs11-wasm-group-${x}-${randomBytes(4).toString("hex")}` } });

test("IndexedDB members: C_InitializeAsync, replication, resync", async () => {
  const members = [db("a"), db("b")];
  const sync = new PKCS11(groupConfig(members));
  sync.ongroupevent = null;
  assert.throws(() => sync.C_Initialize(), /C_InitializeAsync/);

  const p = await openGroupAsync(groupConfig(members));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  await p.C_CreateObjectAsync(s, dataObject("durable on both", "x", { priv: true }));
  await assertReplicas(p, slot, [0, 1], "after a durable create");
  p.disableMember(slot, 1);
  p.C_CreateObject(s, dataObject("while b is away", "y"));
  await p.enableMember(slot, 1);
  assert.deepEqual(states(p, slot), ["live", "live"]);
  await p.flush();
  await assertReplicas(p, slot, [0, 1], "after the resync");
  await p.C_FinalizeAsync();

  // A second application loads both databases and sees both objects.
  const q = await openGroupAsync(groupConfig(members));
  const s2 = q.C_OpenSession(slot, 6);
  q.C_Login(s2, C.CKU_USER, "user-pin-1234");
  assert.equal(findAll(q, s2).length, 2);
  await q.C_FinalizeAsync();
});
