// Attacks by someone who can write a token directory, played against the
// packed package (issue 10, items 4, 5, 6, 11): planted and edited records,
// swapped PIN blobs, rollbacks, absurd KDF costs. Each must fail: the
// record is refused with a storage event, the key is not usable, the PIN
// does not open. Also: a token written by the format 1 code still opens
// and is rewritten, and no stored byte holds a secret, whatever CKA_PRIVATE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  C,
  SO_PIN,
  USER_PIN,
  RW,
  assertAbsent,
  attr,
  findByLabel,
  initToken,
  open,
  oneSlot,
  session,
  slotOf,
  tempDir,
  throwsRv,
  touchObjects,
  walk,
} from "./fixtures/storage-helpers.mjs";
import { encodeCounters, encodeMeta, encodePublic, parseCounters, parseMeta, parsePublic, ulong } from "./fixtures/records.mjs";

function tokenDir(t) {
  const tmp = tempDir("pkcs11-wasm-attack-");
  t.after(tmp.remove);
  const dir = join(tmp.dir, "token");
  return { dir, config: oneSlot({ directory: dir }, { maxPinTries: 3 }) };
}

function freshToken(config) {
  const p = open(config);
  initToken(p, slotOf(p));
  return p;
}

const objectFile = (dir, uid) => join(dir, "objects", uid);
const uidOf = (p, s, h) => attr(p, s, h, C.CKA_UNIQUE_ID).toString();
const events = (p) => p.storageEvents.map((e) => [e.kind, e.key]);

test("a planted clear record claiming a private, sensitive, never-extractable key is refused", (t) => {
  const { dir, config } = tokenDir(t);
  freshToken(config).C_Finalize();
  const uid = "0123456789abcdef0123456789abcdef";
  const known = Buffer.alloc(32, 0x41);
  writeFileSync(
    objectFile(dir, uid),
    encodePublic({
      uid,
      attrs: [
        [C.CKA_CLASS, ulong(C.CKO_SECRET_KEY)],
        [C.CKA_KEY_TYPE, ulong(C.CKK_AES)],
        [C.CKA_TOKEN, Buffer.from([1])],
        [C.CKA_PRIVATE, Buffer.from([1])],
        [C.CKA_SENSITIVE, Buffer.from([1])],
        [C.CKA_LOCAL, Buffer.from([1])],
        [C.CKA_NEVER_EXTRACTABLE, Buffer.from([1])],
        [C.CKA_ENCRYPT, Buffer.from([1])],
        [C.CKA_LABEL, Buffer.from("app-key")],
        [C.CKA_VALUE, known],
        [C.CKA_UNIQUE_ID, Buffer.from(uid)],
      ],
    }),
  );
  const p = touchObjects(open(config));
  assert.deepEqual(events(p), [["tampered", `o/${uid}`]]);
  const s = session(p, slotOf(p));
  assert.equal(findByLabel(p, s, "app-key").length, 0, "the application finds no key to encrypt with");
  p.C_Finalize();
});

test("an edited public key loses CKA_TRUSTED before login, is dropped at login, and cannot wrap a WRAP_WITH_TRUSTED key", (t) => {
  const { dir, config } = tokenDir(t);
  const p = freshToken(config);
  let s = session(p, slotOf(p));
  const { publicKey: pub } = p.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [
      { type: C.CKA_TOKEN, value: true },
      { type: C.CKA_LABEL, value: "plain-rsa" },
      { type: C.CKA_MODULUS_BITS, value: 1024 },
      { type: C.CKA_WRAP, value: false },
      { type: C.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
    ],
    [{ type: C.CKA_TOKEN, value: false }],
  );
  const uid = uidOf(p, s, pub);
  const guarded = p.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [
    { type: C.CKA_VALUE_LEN, value: 32 },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_LABEL, value: "guarded" },
    { type: C.CKA_EXTRACTABLE, value: true },
    { type: C.CKA_WRAP_WITH_TRUSTED, value: true },
  ]);
  assert.ok(guarded);
  p.C_Finalize();
  // The attacker turns the public key into a trusted wrapping key.
  const file = objectFile(dir, uid);
  const rec = parsePublic(readFileSync(file));
  const attrs = rec.attrs.filter(([type]) => type !== C.CKA_TRUSTED && type !== C.CKA_WRAP);
  attrs.push([C.CKA_TRUSTED, Buffer.from([1])], [C.CKA_WRAP, Buffer.from([1])]);
  writeFileSync(file, encodePublic({ ...rec, attrs }));

  const q = open(config);
  s = q.C_OpenSession(slotOf(q), RW);
  const [edited] = findByLabel(q, s, "plain-rsa");
  assert.equal(attr(q, s, edited, C.CKA_TRUSTED)[0], 0, "no trust from a record nobody checked");
  q.C_Login(s, C.CKU_USER, USER_PIN);
  assert.equal(findByLabel(q, s, "plain-rsa").length, 0, "dropped at login");
  assert.deepEqual(events(q), [["tampered", `o/${uid}`]]);
  const [key] = findByLabel(q, s, "guarded");
  throwsRv(() => q.C_WrapKey(s, { mechanism: C.CKM_RSA_PKCS_OAEP, parameter: { type: C.CK_PARAMS_RSA_OAEP, hashAlg: C.CKM_SHA_1, mgf: C.CKG_MGF1_SHA1, source: 1 } }, edited, key, Buffer.alloc(512)), "CKR_WRAPPING_KEY_HANDLE_INVALID");
  q.C_Finalize();
});

test("a record copied under another object's name, or without CKA_UNIQUE_ID, is refused and blocks no later write", (t) => {
  const { dir, config } = tokenDir(t);
  const p = freshToken(config);
  const s = session(p, slotOf(p));
  const h = p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_DATA },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_PRIVATE, value: false },
    { type: C.CKA_LABEL, value: "original" },
  ]);
  const uid = uidOf(p, s, h);
  p.C_Finalize();
  const copy = "ffffffffffffffffffffffffffffffff";
  writeFileSync(objectFile(dir, copy), readFileSync(objectFile(dir, uid)));
  const noId = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
  writeFileSync(
    objectFile(dir, noId),
    encodePublic({ uid: noId, attrs: [[C.CKA_CLASS, ulong(C.CKO_DATA)], [C.CKA_TOKEN, Buffer.from([1])], [C.CKA_LABEL, Buffer.from("no-id")]] }),
  );
  const q = touchObjects(open(config));
  assert.deepEqual(events(q).sort(), [["tampered", `o/${copy}`], ["tampered", `o/${noId}`]].sort());
  const sq = q.C_OpenSession(slotOf(q), RW);
  // Later writes go through: a wrong PIN is counted, objects are written.
  throwsRv(() => q.C_Login(sq, C.CKU_USER, "wrong-pin"), "CKR_PIN_INCORRECT");
  assert.equal(parseCounters(readFileSync(join(dir, "counters"))).user, 1, "the counter is on disk");
  q.C_Login(sq, C.CKU_USER, USER_PIN);
  assert.equal(findByLabel(q, sq, "original").length, 1);
  assert.equal(findByLabel(q, sq, "no-id").length, 0);
  const n = q.C_CreateObject(sq, [
    { type: C.CKA_CLASS, value: C.CKO_DATA },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_LABEL, value: "later" },
  ]);
  q.C_Finalize();
  assert.ok(readdirSync(join(dir, "objects")).length >= 4, `${n} written`);
});

test("PIN blobs: the user's copied over the SO's does not log in as SO; another token's does not open this one", (t) => {
  const { dir, config } = tokenDir(t);
  freshToken(config).C_Finalize();
  const other = tokenDir(t);
  freshToken(other.config).C_Finalize();
  const original = readFileSync(join(dir, "meta"));
  const meta = parseMeta(original);
  writeFileSync(join(dir, "meta"), encodeMeta({ ...meta, so: meta.user }));
  let p = open(config);
  let s = p.C_OpenSession(slotOf(p), RW);
  throwsRv(() => p.C_Login(s, C.CKU_SO, USER_PIN), "CKR_PIN_INCORRECT", "user PIN as SO");
  p.C_Finalize();
  const foreign = parseMeta(readFileSync(join(other.dir, "meta")));
  writeFileSync(join(dir, "meta"), encodeMeta({ ...meta, user: foreign.user }));
  p = open(config);
  s = p.C_OpenSession(slotOf(p), RW);
  throwsRv(() => p.C_Login(s, C.CKU_USER, USER_PIN), "CKR_PIN_INCORRECT", "another token's blob");
  p.C_Finalize();
  // An edited label (MAC kept) is caught at login: the token is not used.
  writeFileSync(join(dir, "meta"), encodeMeta({ ...meta, label: Buffer.from("evil".padEnd(32)) }));
  p = open(config);
  s = p.C_OpenSession(slotOf(p), RW);
  throwsRv(() => p.C_Login(s, C.CKU_USER, USER_PIN), "CKR_DEVICE_ERROR", "edited token record");
  assert.deepEqual(events(p), [["tampered", "meta"]]);
  p.C_Finalize();
});

test("rollback: an older copy of a record put back under a running instance is refused; a destroyed key stays destroyed", async (t) => {
  const { dir, config } = tokenDir(t);
  const p = freshToken(config);
  const s = session(p, slotOf(p));
  const h = p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_VALUE, value: Buffer.alloc(16, 7) },
    { type: C.CKA_LABEL, value: "key" },
    { type: C.CKA_SENSITIVE, value: false },
    { type: C.CKA_EXTRACTABLE, value: true },
  ]);
  const uid = uidOf(p, s, h);
  await p.flush();
  const older = readFileSync(objectFile(dir, uid));
  p.C_SetAttributeValue(s, h, [{ type: C.CKA_SENSITIVE, value: true }]);
  await p.flush();
  // Another process puts the older record (not sensitive) back, then writes
  // something so that the running instance looks again.
  const putBackAndNudge = () => {
    writeFileSync(objectFile(dir, uid), older);
    const q = open(config);
    const sq = session(q, slotOf(q));
    q.C_CreateObject(sq, [{ type: C.CKA_CLASS, value: C.CKO_DATA }, { type: C.CKA_TOKEN, value: true }]);
    q.C_Finalize();
  };
  putBackAndNudge();
  const [key] = findByLabel(p, s, "key");
  throwsRv(() => p.C_GetAttributeValue(s, key, [{ type: C.CKA_VALUE }]), "CKR_ATTRIBUTE_SENSITIVE", "sticky CKA_SENSITIVE stays");
  assert.deepEqual(events(p), [["rollback", `o/${uid}`]]);
  p.C_DestroyObject(s, key);
  await p.flush();
  putBackAndNudge();
  assert.equal(findByLabel(p, s, "key").length, 0, "not resurrected in the running instance");
  assert.deepEqual(events(p), [["rollback", `o/${uid}`], ["rollback", `o/${uid}`]]);
  p.C_Finalize();
});

test("rekeyToken: an old token record with the old PIN opens nothing written after the re-key", async (t) => {
  const { dir, config } = tokenDir(t);
  const p = freshToken(config);
  p.C_Finalize();
  const oldMeta = readFileSync(join(dir, "meta"));
  const q = open(config);
  const slot = slotOf(q);
  throwsRv(() => q.rekeyToken(slot, SO_PIN, "wrong"), "CKR_PIN_INCORRECT");
  await q.rekeyTokenAsync(slot, SO_PIN, USER_PIN);
  const s = session(q, slot);
  q.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_DATA },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_LABEL, value: "after" },
    { type: C.CKA_VALUE, value: Buffer.from("after the re-key") },
  ]);
  q.C_Finalize();
  writeFileSync(join(dir, "meta"), oldMeta);
  const r = open(config);
  const sr = session(r, slotOf(r));
  assert.equal(findByLabel(r, sr, "after").length, 0);
  assert.ok(events(r).some(([k]) => k === "tampered"));
  r.C_Finalize();
});

test("an absurd PBKDF2 iteration count in the token record is refused at load (C_Login cannot be made to hang)", (t) => {
  const { dir, config } = tokenDir(t);
  freshToken(config).C_Finalize();
  const meta = parseMeta(readFileSync(join(dir, "meta")));
  const user = Buffer.from(meta.user.bytes);
  user.writeUInt32BE(0xffffffff, meta.user.iterationsAt);
  writeFileSync(join(dir, "meta"), encodeMeta({ ...meta, user: { ...meta.user, bytes: user } }));
  const p = open(config);
  assert.deepEqual(events(p), [["tampered", "meta"]]);
  throwsRv(() => p.C_OpenSession(slotOf(p), RW), "CKR_TOKEN_NOT_RECOGNIZED");
  p.C_Finalize();
});

test("no stored byte holds a secret or private key value; no secret can be a public token object, not even the SO's", (t) => {
  const { dir, config } = tokenDir(t);
  const p = freshToken(config);
  const slot = slotOf(p);
  const so = p.C_OpenSession(slot, RW);
  p.C_Login(so, C.CKU_SO, SO_PIN);
  const escrow = Buffer.alloc(32, 0x5e);
  throwsRv(
    () =>
      p.C_CreateObject(so, [
        { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
        { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
        { type: C.CKA_TOKEN, value: true },
        { type: C.CKA_PRIVATE, value: false },
        { type: C.CKA_TRUSTED, value: true },
        { type: C.CKA_VALUE, value: escrow },
      ]),
    "CKR_TEMPLATE_INCONSISTENT",
  );
  p.C_Logout(so);
  p.C_CloseSession(so);
  const s = session(p, slot);
  const aes = Buffer.alloc(32, 0x33);
  const key = p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_VALUE, value: aes },
    { type: C.CKA_LABEL, value: "aes" },
  ]);
  throwsRv(() => p.C_CopyObject(s, key, [{ type: C.CKA_PRIVATE, value: false }]), "CKR_ATTRIBUTE_READ_ONLY", "a public copy");
  p.C_Finalize();
  const files = walk(dir);
  assertAbsent(files, escrow, "the SO's would-be public secret key");
  assertAbsent(files, aes, "a private AES key");
  const q = open(config);
  const sq = session(q, slotOf(q));
  assert.equal(findByLabel(q, sq, "aes").length, 1);
  q.C_Finalize();
});

test("a token directory written by the format 1 code opens, and the first login rewrites it in format 2", (t) => {
  const tmp = tempDir("pkcs11-wasm-v1-");
  t.after(tmp.remove);
  const dir = join(tmp.dir, "token");
  cpSync(new URL("../data/v1-token", import.meta.url).pathname, dir, { recursive: true });
  const config = oneSlot({ directory: dir });
  const p = open(config);
  assert.deepEqual(p.storageEvents, []);
  const s = p.C_OpenSession(slotOf(p), RW);
  assert.equal(findByLabel(p, s, "v1-public-data").length, 1, "public objects before login");
  p.C_Login(s, C.CKU_USER, "user-pin-v1");
  const [aes] = findByLabel(p, s, "v1-aes");
  assert.equal(attr(p, s, aes, C.CKA_VALUE).toString("hex"), Buffer.from([...Array(32).keys()]).toString("hex"));
  assert.equal(findByLabel(p, s, "v1-ec").length, 2);
  p.C_Finalize();
  for (const f of walk(dir).filter((f) => f.rel !== "generation")) assert.equal(f.bytes[4], 2, `${f.rel} rewritten`);
  const q = open(config);
  const sq = q.C_OpenSession(slotOf(q), RW);
  q.C_Login(sq, C.CKU_SO, "so-pin-v1");
  q.C_Logout(sq);
  q.C_Login(sq, C.CKU_USER, "user-pin-v1");
  assert.equal(findByLabel(q, sq, "v1-aes").length, 1);
  assert.deepEqual(q.storageEvents, []);
  q.C_Finalize();
});

test("a forged PIN counter record is the one thing nobody can authenticate: it is honoured only as far as the README says", (t) => {
  // Documented limit: counters are written by failed logins, which hold no
  // key. Resetting them needs write access, which also allows copying the
  // store and guessing offline at the KDF's cost.
  const { dir, config } = tokenDir(t);
  freshToken(config).C_Finalize();
  writeFileSync(join(dir, "counters"), encodeCounters(0, 2));
  const p = open(config);
  assert.notEqual(p.C_GetTokenInfo(slotOf(p)).flags & C.CKF_USER_PIN_FINAL_TRY, 0, "read as written");
  p.C_Finalize();
});
