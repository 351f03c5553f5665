// Token groups with thread members in Node (worker_threads): synchronous
// calls block on shared memory until the member's worker answers, Async
// calls overlap on several workers; a worker that exits, stops answering
// or whose token directory disappears is lost, its calls finish elsewhere,
// and a probe brings it back (filled, logged in) without the application
// doing anything.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  C,
  RW,
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
  tokenAesKey,
  tokenEcPair,
  userSession,
  waitFor,
} from "./fixtures/group-helpers.mjs";

test("a stream of 1,000 calls on thread members: a worker killed and restored, no call fails", async () => {
  const tmp = tempDir("pkcs11-wasm-group-");
  try {
    const p = openGroup(groupConfig([0, 1].map((i) => dirMember(join(tmp.dir, `m${i}`), true))));
    const slot = slotOf(p);
    const s = userSession(p, slot);
    const aes = tokenAesKey(p, s, "stream key");
    const { publicKey, privateKey } = tokenEcPair(p, s);
    let failed = 0;
    const served = [0, 0];
    p.ongroupcall = (ev) => (ev.method === "C_Sign" || ev.method === "C_Encrypt") && served[ev.member]++;
    for (let i = 0; i < 1000; i++) {
      if (i === 300) p.groupFault(slot, 0, "crash"); // its worker exits
      if (i === 700) await p.enableMember(slot, 0);
      try {
        if (i % 2 === 0) {
          p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, privateKey);
          const sig = p.C_Sign(s, Buffer.from(`m${i}`), Buffer.alloc(64));
          p.C_VerifyInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, publicKey);
          p.C_Verify(s, Buffer.from(`m${i}`), sig);
        } else {
          p.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, aes);
          assert.equal(p.C_Encrypt(s, Buffer.alloc(16, i & 255), Buffer.alloc(16)).length, 16);
        }
      } catch (e) {
        failed++;
        console.error(`call ${i}: ${e.stack}`);
      }
    }
    assert.equal(failed, 0);
    assert.deepEqual(states(p, slot), ["live", "live"]);
    assert.ok(served[0] > 100 && served[1] > 100, `both workers served (${served})`);
    assert.match(p.groupEvents.find((e) => e.kind === "lost").message, /thread exited/);
    await assertReplicas(p, slot, [0, 1], "thread members");
    p.C_Finalize();
  } finally {
    tmp.remove();
  }
});

test("Async calls overlap on the workers; a worker that stops answering times out and is replaced", async () => {
  const p = openGroup(groupConfig([mem("th-a", true), mem("th-b", true)], { callTimeout: 2000 }));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const { privateKey } = tokenEcPair(p, s);
  const sessions = [0, 1, 2, 3].map(() => p.C_OpenSession(slot, RW));
  const busyAtOnce = new Set();
  await Promise.all(
    sessions.map(async (x) => {
      for (let i = 0; i < 20; i++) {
        p.C_SignInit(x, { mechanism: C.CKM_ECDSA_SHA256 }, privateKey);
        const pending = p.C_SignAsync(x, Buffer.from("overlap"), Buffer.alloc(64));
        const inFlight = p.groupStatus(slot).members.map((m) => m.inFlight);
        if (inFlight[0] > 0 && inFlight[1] > 0) busyAtOnce.add(i);
        assert.equal((await pending).length, 64);
      }
    }),
  );
  assert.ok(busyAtOnce.size > 0, "both members had calls in flight at the same time");

  // A member hangs for 5 s; the call on it times out after 2 s and runs on
  // the other. (A new key: an Init seen before would be deferred to the
  // C_Sign and go to the least busy member, not to the hung one.)
  const { privateKey: fresh } = tokenEcPair(p, s, "fresh");
  p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, fresh);
  const on = p.groupStatus(slot).lastCall.member;
  p.groupFault(slot, on, "hang", 5000);
  const t0 = Date.now();
  assert.equal(p.C_Sign(s, Buffer.from("after a hang"), Buffer.alloc(64)).length, 64);
  assert.ok(Date.now() - t0 >= 1900, "waited for the timeout");
  const st = p.groupStatus(slot).members[on];
  assert.equal(st.state, "lost");
  assert.match(st.lastError, /did not answer/);
  await p.enableMember(slot, on);
  assert.deepEqual(states(p, slot), ["live", "live"]);
  p.C_Finalize();
});

test("a member whose token directory disappears is lost, then a probe refills it", async () => {
  const tmp = tempDir("pkcs11-wasm-group-");
  try {
    const dirs = [0, 1].map((i) => join(tmp.dir, `m${i}`));
    const p = openGroup(groupConfig(dirs.map((d) => dirMember(d, true)), { probeInterval: 100 }));
    const slot = slotOf(p);
    const s = userSession(p, slot);
    for (let i = 0; i < 5; i++) p.C_CreateObject(s, dataObject(`kept ${i}`, "x", { priv: true }));
    await p.flush();
    // The directory goes while the group runs: the next write to it fails.
    rmSync(dirs[1], { recursive: true, force: true });
    p.C_CreateObject(s, dataObject("written while one is gone", "y"));
    await waitFor(() => p.groupStatus(slot).members[1].lastError?.includes("writing token storage failed"), "member 1 lost", 5000);
    // The probe brings it back: an empty directory, filled from member 0.
    await waitFor(() => states(p, slot)[1] === "live" && p.groupEvents.some((e) => e.kind === "rejoined"), "member 1 rejoined", 10000);
    await assertReplicas(p, slot, [0, 1], "refilled");
    p.disableMember(slot, 0);
    assert.equal(findAll(p, s).length, 6, "it serves every object, logged in");
    p.C_Finalize();
  } finally {
    tmp.remove();
  }
});

test("thread members keep PINs and key values off the caller's buffers", () => {
  const p = openGroup(groupConfig([mem("tp-a", true), mem("tp-b", true)]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const value = crypto.randomBytes(32);
  const k = p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_ENCRYPT, value: true },
  ]);
  p.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, k);
  const nodeCt = crypto.createCipheriv("aes-256-ecb", value, null).setAutoPadding(false).update(Buffer.alloc(16));
  assert.deepEqual(Buffer.from(p.C_Encrypt(s, Buffer.alloc(16), Buffer.alloc(16))), nodeCt);
  p.C_Finalize();
});

test("a repeated Init is deferred to the call after it (no wait for a busy worker), with the same answers", async () => {
  const p = openGroup(groupConfig([mem("di-a", true), mem("di-b", true)]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const { publicKey, privateKey } = tokenEcPair(p, s, "deferred");
  const calls = [];
  p.ongroupcall = (ev) => calls.push(ev.method);
  for (let i = 0; i < 6; i++) {
    p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, privateKey);
    assert.equal((await p.C_SignAsync(s, Buffer.from("d"), Buffer.alloc(64))).length, 64);
  }
  assert.equal(calls.filter((m) => m === "C_SignInit").length, 1, "only the first Init ran on its own");
  assert.equal(calls.filter((m) => m === "C_Sign").length, 6);
  // A deferred Init is an active operation.
  p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, privateKey);
  assert.throws(() => p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, privateKey), /CKR_OPERATION_ACTIVE/);
  assert.throws(() => p.C_GetOperationState(s), /CKR_STATE_UNSAVEABLE/);
  // The key destroyed after the Init: the operation still signs (the Init ran before the destruction).
  p.C_DestroyObject(s, privateKey);
  const sig = p.C_Sign(s, Buffer.from("after"), Buffer.alloc(64));
  p.C_VerifyInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, publicKey);
  assert.equal(p.C_Verify(s, Buffer.from("after"), sig), true);
  // C_SessionCancel ends a deferred Init too.
  const again = tokenEcPair(p, s, "again").privateKey;
  p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, again);
  p.C_Sign(s, Buffer.from("x"), Buffer.alloc(64));
  p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, again); // deferred
  p.C_SessionCancel(s, C.CKF_SIGN);
  assert.throws(() => p.C_Sign(s, Buffer.from("x"), Buffer.alloc(64)), /CKR_OPERATION_NOT_INITIALIZED/);
  p.C_Finalize();
});
