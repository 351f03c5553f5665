// Token groups: failover. A stream of single-part calls survives members
// failing and coming back with no failed call; a multi-part operation on a
// lost member ends with CKR_DEVICE_ERROR and the session stays usable; with
// every member lost the slot's token is absent (CKR_DEVICE_REMOVED,
// CKR_TOKEN_NOT_PRESENT) until one comes back, logged in as before; session
// objects die with the member holding them, token objects keep their handles.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import {
  C,
  USER_PIN,
  RW,
  assertReplicas,
  findAll,
  groupConfig,
  mem,
  openGroup,
  slotOf,
  states,
  throwsRv,
  tokenAesKey,
  tokenEcPair,
  userSession,
} from "./fixtures/group-helpers.mjs";

const P256_SPKI_PREFIX = Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex");

/** Node's public key for a P-256 CKA_EC_POINT (DER OCTET STRING of 04||x||y). */
function nodeKey(p, s, pub) {
  const point = Buffer.from(p.C_GetAttributeValue(s, pub, [{ type: C.CKA_EC_POINT }])[0].value);
  const raw = point.length === 67 ? point.subarray(2) : point;
  return crypto.createPublicKey({ key: Buffer.concat([P256_SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

/** An AES-256 token key with a value the test knows (to check ciphertexts with Node). */
function knownAesKey(p, s, value) {
  return p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_PRIVATE, value: true },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: true },
  ]);
}

function gcm(iv) {
  return { mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv, tagBits: 128 } };
}

function nodeGcmOpen(key, iv, sealed) {
  const d = crypto.createDecipheriv("aes-256-gcm", key, iv);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

test("a stream of 1,000 single-part calls: members fail and come back, no call fails", async () => {
  const p = openGroup(groupConfig([mem("fo-a"), mem("fo-b"), mem("fo-c")]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const aesValue = crypto.randomBytes(32);
  const aes = knownAesKey(p, s, aesValue);
  const { publicKey, privateKey } = tokenEcPair(p, s);
  const verifier = nodeKey(p, s, publicKey);
  const served = [0, 0, 0];
  p.ongroupcall = (ev) => ev.method !== "C_SignInit" && ev.method !== "C_EncryptInit" && served[ev.member]++;
  let failed = 0;
  for (let i = 0; i < 1000; i++) {
    if (i === 200) p.groupFault(slot, 1, "crash"); // its engine ends as in a crash
    if (i === 400) p.groupFault(slot, 2, "storage"); // its store fails
    if (i === 600) await p.enableMember(slot, 1);
    if (i === 800) await p.enableMember(slot, 2);
    try {
      const data = Buffer.from(`message ${i}`);
      if (i % 2 === 0) {
        p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, privateKey);
        const sig = p.C_Sign(s, data, Buffer.alloc(64));
        assert.ok(crypto.verify("sha256", data, { key: verifier, dsaEncoding: "ieee-p1363" }, sig), `signature ${i}`);
      } else {
        const iv = crypto.randomBytes(12);
        p.C_EncryptInit(s, gcm(iv), aes);
        const sealed = p.C_Encrypt(s, data, Buffer.alloc(64));
        assert.deepEqual(nodeGcmOpen(aesValue, iv, sealed), data, `ciphertext ${i}`);
      }
    } catch (e) {
      failed++;
      console.error(`call ${i} failed: ${e.stack}`);
    }
  }
  assert.equal(failed, 0, "no call failed");
  assert.deepEqual(states(p, slot), ["live", "live", "live"]);
  // Every member served part of the stream (balanced while live).
  for (const [i, n] of served.entries()) assert.ok(n > 100, `member ${i} served ${n} calls`);
  const kinds = p.groupEvents.map((e) => `${e.kind}:${e.member}`);
  for (const k of ["lost:1", "lost:2", "syncing:1", "rejoined:1", "syncing:2", "rejoined:2"]) assert.ok(kinds.includes(k), `event ${k} in ${kinds}`);
  const status = p.groupStatus(slot);
  assert.ok(status.members[2].lastError.includes("injected storage failure"));
  assert.ok(status.members[2].lastErrorAt);
  await assertReplicas(p, slot, [0, 1, 2], "after the stream");
  p.C_Finalize();
});

test("a member failing between an Init and its single-part call: another member answers it", () => {
  const p = openGroup(groupConfig([mem("fi-a"), mem("fi-b"), mem("fi-c")]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const aesValue = crypto.randomBytes(32);
  const aes = knownAesKey(p, s, aesValue);
  let initOn;
  p.ongroupcall = (ev) => ev.method === "C_EncryptInit" && (initOn = ev.member);
  for (const [round, kind] of [[0, "storage"], [1, "crash"]]) {
    const iv = crypto.randomBytes(12);
    const data = Buffer.from(`round ${round}`);
    p.C_EncryptInit(s, gcm(iv), aes);
    const on = initOn; // (the retry's Init, elsewhere, sets initOn again)
    p.groupFault(slot, on, kind);
    const sealed = p.C_Encrypt(s, data, Buffer.alloc(64));
    assert.deepEqual(nodeGcmOpen(aesValue, iv, sealed), data, `${kind}: the retried call's ciphertext`);
    assert.ok(initOn !== on, `${kind}: the Init ran again on another member`);
    assert.ok(p.groupEvents.some((e) => e.kind === "lost" && e.member === on), `${kind}: member ${on} was lost`);
    // The session goes on (the group's handles were not changed by the attempt).
    p.C_EncryptInit(s, gcm(iv), aes);
    assert.deepEqual(nodeGcmOpen(aesValue, iv, p.C_Encrypt(s, data, Buffer.alloc(64))), data, `${kind}: the next call`);
  }
  p.C_Finalize();
});

test("the ...Async forms spread over the members and fail over too", async () => {
  const p = openGroup(groupConfig([mem("fa-a"), mem("fa-b")]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const { publicKey, privateKey } = tokenEcPair(p, s);
  const verifier = nodeKey(p, s, publicKey);
  const sessions = [0, 1, 2, 3].map(() => p.C_OpenSession(slot, RW));
  let done = 0;
  await Promise.all(
    sessions.map(async (x, k) => {
      for (let i = 0; i < 50; i++) {
        if (k === 0 && i === 20) p.groupFault(slot, 0, "crash");
        const data = Buffer.from(`async ${k} ${i}`);
        p.C_SignInit(x, { mechanism: C.CKM_ECDSA_SHA256 }, privateKey);
        const sig = await p.C_SignAsync(x, data, Buffer.alloc(64));
        assert.ok(crypto.verify("sha256", data, { key: verifier, dsaEncoding: "ieee-p1363" }, sig));
        done++;
      }
    }),
  );
  assert.equal(done, 200);
  assert.deepEqual(states(p, slot), ["lost", "live"]);
  // Callback forms too.
  p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, privateKey);
  const sig = await new Promise((resolve, reject) => p.C_Sign(s, Buffer.from("cb"), Buffer.alloc(64), (e, r) => (e ? reject(e) : resolve(r))));
  assert.equal(sig.length, 64);
  p.C_Finalize();
});

test("a multi-part operation on a lost member ends with CKR_DEVICE_ERROR; the session goes on", () => {
  const p = openGroup(groupConfig([mem("mp-a"), mem("mp-b"), mem("mp-c")]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const { publicKey, privateKey } = tokenEcPair(p, s);
  p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, privateKey);
  p.C_SignUpdate(s, Buffer.from("part one"));
  const holder = p.groupStatus(slot).lastCall.member;
  p.disableMember(slot, holder);
  throwsRv(() => p.C_SignUpdate(s, Buffer.from("part two")), "CKR_DEVICE_ERROR", "the operation's member is gone");
  throwsRv(() => p.C_SignFinal(s, Buffer.alloc(64)), "CKR_OPERATION_NOT_INITIALIZED", "and the operation is over");
  // An Init that has consumed no data moves: C_SignInit, its member lost,
  // then C_SignUpdate and C_SignFinal run on another member.
  p.C_SignInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, privateKey);
  const second = p.groupStatus(slot).lastCall.member;
  assert.notEqual(second, holder);
  p.disableMember(slot, second);
  p.C_SignUpdate(s, Buffer.from("all of it"));
  const sig = p.C_SignFinal(s, Buffer.alloc(64));
  const last = p.groupStatus(slot).lastCall.member;
  assert.ok(last !== holder && last !== second, "the third member finished it");
  p.C_VerifyInit(s, { mechanism: C.CKM_ECDSA_SHA256 }, publicKey);
  assert.equal(p.C_Verify(s, Buffer.from("all of it"), sig), true);
  // Digest in parts: same rule.
  p.C_DigestInit(s, { mechanism: C.CKM_SHA256 });
  p.C_DigestUpdate(s, Buffer.from("abc"));
  assert.deepEqual(Buffer.from(p.C_DigestFinal(s, Buffer.alloc(32))), crypto.createHash("sha256").update("abc").digest());
  p.C_Finalize();
});

test("every member lost: the token is absent until one comes back, logged in as before", async () => {
  const p = openGroup(groupConfig([mem("al-a"), mem("al-b")]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const key = tokenAesKey(p, s, "survivor");
  p.disableMember(slot, 0);
  p.groupFault(slot, 1, "crash");
  assert.deepEqual(states(p, slot), ["disabled", "lost"]);
  throwsRv(() => p.C_GetSessionInfo(s), "CKR_DEVICE_REMOVED");
  throwsRv(() => p.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, key), "CKR_DEVICE_REMOVED");
  throwsRv(() => p.C_GetTokenInfo(slot), "CKR_TOKEN_NOT_PRESENT");
  throwsRv(() => p.C_OpenSession(slot, RW), "CKR_TOKEN_NOT_PRESENT");
  assert.equal(p.C_GetSlotInfo(slot).flags & C.CKF_TOKEN_PRESENT, 0, "no token present");
  assert.ok(!p.C_GetSlotList(true).some((x) => x.equals(slot)), "not in the list of slots with a token");
  assert.ok(p.C_GetSlotList(false).some((x) => x.equals(slot)), "still a slot");
  assert.equal(p.groupStatus(slot).tokenPresent, false);

  await p.enableMember(slot, 1);
  assert.deepEqual(states(p, slot), ["disabled", "live"]);
  assert.equal(p.C_GetSlotInfo(slot).flags & C.CKF_TOKEN_PRESENT, C.CKF_TOKEN_PRESENT);
  assert.equal(p.C_GetSessionInfo(s).state, 3, "the session is back, the user logged in (CKS_RW_USER_FUNCTIONS)");
  p.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, key);
  assert.equal(p.C_Encrypt(s, Buffer.alloc(16), Buffer.alloc(16)).length, 16, "the same key handle works");
  await p.enableMember(slot, 0);
  assert.deepEqual(states(p, slot), ["live", "live"]);
  assert.equal(findAll(p, s, [{ type: C.CKA_LABEL, value: "survivor" }]).length, 1);
  p.C_Finalize();
});

test("a rejoining member is logged in for the application: it serves private keys", async () => {
  const p = openGroup(groupConfig([mem("lg-a"), mem("lg-b")]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const key = tokenAesKey(p, s, "private key");
  p.disableMember(slot, 0);
  await p.enableMember(slot, 0);
  p.disableMember(slot, 1); // only the rejoined member is left
  p.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, key);
  assert.equal(p.C_Encrypt(s, Buffer.alloc(16), Buffer.alloc(16)).length, 16);
  assert.equal(p.groupStatus(slot).lastCall.member, 0);
  // After a logout the PIN is gone: a member rejoining then is not logged in.
  p.C_Logout(s);
  await p.enableMember(slot, 1);
  p.disableMember(slot, 0);
  assert.equal(p.C_GetSessionInfo(s).state, 2, "CKS_RW_PUBLIC_SESSION");
  throwsRv(() => p.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, key), "CKR_KEY_HANDLE_INVALID");
  p.C_Login(s, C.CKU_USER, USER_PIN);
  assert.equal(findAll(p, s, [{ type: C.CKA_LABEL, value: "private key" }]).length, 1);
  p.C_Finalize();
});

test("session objects live on one member and die with it; token objects keep their handles", () => {
  const p = openGroup(groupConfig([mem("so-a"), mem("so-b")]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const token = tokenAesKey(p, s, "token key");
  const sessionKey = p.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [
    { type: C.CKA_VALUE_LEN, value: 32 },
    { type: C.CKA_LABEL, value: "session key" },
  ]);
  const holder = p.groupStatus(slot).sessionMember;
  assert.ok(holder === 0 || holder === 1);
  assert.equal(findAll(p, s, [{ type: C.CKA_LABEL, value: "session key" }]).length, 1);
  p.disableMember(slot, holder);
  throwsRv(() => p.C_GetAttributeValue(s, sessionKey, [{ type: C.CKA_LABEL }]), "CKR_OBJECT_HANDLE_INVALID");
  throwsRv(() => p.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, sessionKey), "CKR_KEY_HANDLE_INVALID");
  assert.equal(findAll(p, s, [{ type: C.CKA_LABEL, value: "session key" }]).length, 0);
  const found = findAll(p, s, [{ type: C.CKA_LABEL, value: "token key" }]);
  assert.equal(found.length, 1);
  assert.ok(found[0].equals(token), "the token object's handle did not change");
  assert.equal(p.groupStatus(slot).sessionMember, 1 - holder, "another session member");
  p.C_Finalize();
});

test("a search goes on when its member is lost, without repeating what it returned", () => {
  const p = openGroup(groupConfig([mem("fs-a"), mem("fs-b")]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  for (let i = 0; i < 10; i++) tokenAesKey(p, s, "many");
  p.C_FindObjectsInit(s, [{ type: C.CKA_LABEL, value: "many" }]);
  const first = p.C_FindObjects(s, 4);
  p.disableMember(slot, p.groupStatus(slot).sessionMember);
  const rest = p.C_FindObjects(s, 100);
  p.C_FindObjectsFinal(s);
  const all = [...first, ...rest].map((h) => h.toString("hex"));
  assert.equal(all.length, 10);
  assert.equal(new Set(all).size, 10, "no handle twice");
  p.C_Finalize();
});
