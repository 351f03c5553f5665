// Backup, restore and clone through the `pkcs11-wasm` command (issue 13):
// a backup restored into a new directory gives back the same token and
// objects; a clone is a working replica (same identity, serial, PINs and
// keys); backups are sealed (no key value in them); damaged backups and
// non-empty targets are refused without writing anything.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fails, initToken, library, ok, pins, scratch, snapshot, KDF, USER_PIN } from "./fixtures/cli-install.mjs";

/** The objects the user sees, without handles: what must survive a copy. */
function objectsOf(dir, env) {
  return ok(["objects", "--directory", dir, "--login", "--json"], { env })
    .json()
    .objects.sort((a, b) => a.uid.localeCompare(b.uid));
}

/** A token with an imported AES key (its value known), an EC key pair and a generated HMAC key. */
function populatedToken(s) {
  const dir = initToken(s, "token", "backed up");
  const env = pins(s);
  const aes = crypto.randomBytes(32);
  writeFileSync(s.path("aes.bin"), aes);
  ok(["import", "--directory", dir, s.path("aes.bin"), "--type", "aes", "--label", "aes"], { env });
  ok(["generate", "--directory", dir, "--key-type", "ec:P-256", "--label", "signer"], { env });
  ok(["generate", "--directory", dir, "--key-type", "generic:32", "--label", "mac"], { env });
  return { dir, env, aes };
}

test("backup, then restore into a new directory: the same token and objects, keys that still work", (t) => {
  const s = scratch(t);
  const { dir, env, aes } = populatedToken(s);
  const before = objectsOf(dir, env);
  const backup = ok(["backup", "--directory", dir, "-o", s.path("token.p11wbak"), "--json"]).json();
  assert.equal(backup.label, "backed up");
  assert.ok(backup.records >= 6, `records: ${backup.records}`);
  assert.equal(statSync(s.path("token.p11wbak")).mode & 0o777, 0o600);
  const bytes = readFileSync(s.path("token.p11wbak"));
  assert.equal(bytes.subarray(0, 8).toString("latin1"), "P11WBKUP");
  assert.equal(bytes.indexOf(aes), -1, "the backup holds no key value in clear");
  assert.equal(bytes.indexOf(aes.subarray(0, 16)), -1);
  const info = ok(["backup-info", s.path("token.p11wbak"), "--json"]).json();
  assert.equal(info.serial, backup.serial);
  assert.equal(info.records, backup.records);
  assert.equal(info.version, 1);

  const restored = s.path("restored");
  const r = ok(["restore", s.path("token.p11wbak"), "--to-directory", restored, "--json"]).json();
  assert.deepEqual(r, { restored: true, label: "backed up", serial: backup.serial, records: backup.records, target: `directory ${restored}` });
  assert.deepEqual(objectsOf(restored, env), before, "the same objects, ids and unique ids");
  const [slot] = ok(["slots", "--directory", restored, "--json"]).json().slots;
  assert.equal(slot.token.serial, backup.serial);
  // The restored key is the same key: it decrypts what the original encrypted.
  writeFileSync(s.path("plain"), "restored keys still work");
  ok(["encrypt", "--directory", dir, "--label", "aes", "-i", s.path("plain"), "-o", s.path("sealed")], { env });
  assert.equal(ok(["decrypt", "--directory", restored, "--label", "aes", "-i", s.path("sealed")], { env }).stdout, "restored keys still work");
  // Restore writes only into new or empty storage.
  const untouched = snapshot(dir);
  assert.match(fails(["restore", s.path("token.p11wbak"), "--to-directory", dir]).line, /is not empty \(restore and clone write only into a new or empty directory\)/);
  assert.deepEqual(snapshot(dir), untouched);
});

test("clone: the replica has the same identity, PINs and keys, and both work on their own", async (t) => {
  const s = scratch(t);
  const { dir, env } = populatedToken(s);
  const replica = s.path("replica");
  const r = ok(["clone", "--directory", dir, "--to-directory", replica, "--json"]).json();
  assert.equal(r.cloned, true);
  assert.deepEqual(objectsOf(replica, env), objectsOf(dir, env));
  // Both in one configuration, as members of a future token group are.
  const conf = s.path("pair.json");
  writeFileSync(conf, JSON.stringify({ kdfIterations: KDF, slots: [{ storage: { directory: dir } }, { storage: { directory: replica } }] }));
  const slots = ok(["slots", "--config", conf, "--json"]).json().slots;
  assert.equal(slots[0].token.serial, slots[1].token.serial);
  assert.equal(slots[0].token.label, slots[1].token.label);
  // A signature by one member verifies on the other; the same PIN opens both.
  writeFileSync(s.path("data"), "signed on one replica");
  ok(["sign", "--config", conf, "--slot", "0", "--label", "signer", "-i", s.path("data"), "-o", s.path("sig")], { env });
  ok(["verify", "--config", conf, "--slot", "1", "--label", "signer", "-i", s.path("data"), "-s", s.path("sig")]);
  const C = await library();
  const p = new C.PKCS11({ kdfIterations: KDF, slots: [{ storage: { directory: dir } }, { storage: { directory: replica } }] });
  p.C_Initialize();
  t.after(() => p.C_Finalize());
  const macs = [];
  for (const slot of p.C_GetSlotList(true)) {
    const session = p.C_OpenSession(slot, C.CKF_SERIAL_SESSION);
    p.C_Login(session, C.CKU_USER, USER_PIN);
    p.C_FindObjectsInit(session, [{ type: C.CKA_LABEL, value: "mac" }]);
    const [key] = p.C_FindObjects(session, 2);
    p.C_FindObjectsFinal(session);
    p.C_SignInit(session, { mechanism: C.CKM_SHA256_HMAC }, key);
    macs.push(Buffer.from(p.C_Sign(session, Buffer.from("same key?"), Buffer.alloc(32))).toString("hex"));
  }
  assert.equal(macs[0], macs[1], "the generated (never exported) HMAC key is the same on both");
  // After the copy they are separate tokens: a key made on one is not on the other.
  ok(["generate", "--config", conf, "--slot", "1", "--key-type", "aes", "--label", "only-on-replica"], { env });
  assert.equal(objectsOf(dir, env).filter((o) => o.label === "only-on-replica").length, 0);
  assert.match(fails(["clone", "--config", conf, "--slot", "0", "--to-slot", "1"]).line, /is not empty/);
});

test("damaged backups are refused and nothing is written", (t) => {
  const s = scratch(t);
  const { dir } = populatedToken(s);
  ok(["backup", "--directory", dir, "-o", s.path("b")]);
  const good = readFileSync(s.path("b"));
  const cases = {
    truncated: [good.subarray(0, good.length - 100), /not a usable token backup: its checksum does not match \(truncated or damaged\)/],
    "one bit": [Buffer.from(good).fill(good[200] ^ 1, 200, 201), /its checksum does not match/],
    "not a backup": [crypto.randomBytes(4096), /not a usable token backup: it does not start with P11WBKUP/],
    empty: [Buffer.alloc(0), /not a usable token backup/],
  };
  for (const [name, [bytes, message]] of Object.entries(cases)) {
    writeFileSync(s.path(name), bytes);
    const target = s.path(`target-${name.replace(/ /g, "-")}`);
    assert.match(fails(["restore", s.path(name), "--to-directory", target]).line, message, name);
    assert.equal(existsSync(target), false, `${name}: nothing written`);
  }
  assert.match(fails(["backup", "--directory", dir, "-o", s.path("b")]).line, /b exists: add --force to overwrite it/);
  assert.match(fails(["restore", s.path("b")], {}, 2).line, /name the target with --to-directory DIR or --to-slot ID/);
});
