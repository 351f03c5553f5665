// Bulk AES by the host (Node: OpenSSL through node:crypto; see
// src/mech/aes/host.rs and pkg-templates/src/node-host-aes.js): the same
// answers as the wasm AES on Wycheproof's AES-GCM and AES-CBC-PKCS5 files
// and against OpenSSL directly, across the size threshold and multi-part
// splits; the token's checks stay in force; a bad tag releases nothing;
// and a script that replaces node:crypto's functions once the host AES
// has run never sees a key.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { C, SESSION_KEY, expectRv, openUserSession } from "./fixtures/token-session.mjs";
import { wycheproofFile } from "./fixtures/wycheproof.mjs";

const token = openUserSession("host-aes");
const { pkcs11, s } = token;

const aesKey = (value, extra = []) =>
  token.createKey(C.CKO_SECRET_KEY, C.CKK_AES, [
    { type: C.CKA_VALUE, value },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: true },
    SESSION_KEY,
    ...extra,
  ]);

const gcmMech = (iv, aad, tagBits = 128) => ({ mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv, aad, tagBits } });

/** One-shot (pieces 0) or C_*Update in pieces then C_*Final; the output, or the CKR_* name thrown. */
function crypt(encrypt, mech, key, data, pieces = 0) {
  const [init, once, update, final] = encrypt
    ? [pkcs11.C_EncryptInit, pkcs11.C_Encrypt, pkcs11.C_EncryptUpdate, pkcs11.C_EncryptFinal]
    : [pkcs11.C_DecryptInit, pkcs11.C_Decrypt, pkcs11.C_DecryptUpdate, pkcs11.C_DecryptFinal];
  try {
    init.call(pkcs11, s, mech, key);
    if (!pieces) return Buffer.from(once.call(pkcs11, s, data, Buffer.alloc(data.length + 32)));
    const out = [];
    for (let i = 0; i < data.length; i += pieces) {
      out.push(Buffer.from(update.call(pkcs11, s, data.subarray(i, i + pieces), Buffer.alloc(pieces + 32))));
    }
    out.push(Buffer.from(final.call(pkcs11, s, Buffer.alloc(data.length + 32))));
    return Buffer.concat(out);
  } catch (e) {
    if (!e.message.startsWith("CKR_")) throw e;
    return e.message;
  }
}

/** `fn()` with the host AES on for every length (minBytes 0), then off: both answers. */
function bothWays(fn) {
  try {
    C.hostAes({ enabled: true, minBytes: 0 });
    const hosted = fn();
    C.hostAes({ enabled: false });
    return [hosted, fn()];
  } finally {
    C.hostAes({ enabled: true, minBytes: 1024 });
  }
}

const show = (x) => (typeof x === "string" ? x : x.toString("hex"));

test("the host AES is on by default in Node, from 1 KiB", () => {
  assert.deepEqual(C.hostAes(), { enabled: true, minBytes: 1024, available: true });
});

test("Wycheproof aes_gcm_test.json: the same answers by OpenSSL and by the wasm AES", (t) => {
  const found = wycheproofFile("aes_gcm_test.json");
  if (found.skip) return t.skip(found.skip);
  const groups = JSON.parse(readFileSync(found.file, "utf8")).testGroups;
  let checked = 0;
  const [hosted, wasm] = bothWays(() =>
    groups.flatMap((g) =>
      g.tests.map((v) => {
        const [key, iv, aad, msg, ct, tag] = [v.key, v.iv, v.aad, v.msg, v.ct, v.tag].map((x) => Buffer.from(x, "hex"));
        const k = aesKey(key);
        const mech = gcmMech(iv, aad, g.tagSize);
        const sealed = crypt(true, mech, k, msg);
        const opened = crypt(false, mech, k, Buffer.concat([ct, tag]));
        pkcs11.C_DestroyObject(s, k);
        return { v, sealed: show(sealed), opened: show(opened) };
      }),
    ),
  );
  for (const [i, h] of hosted.entries()) {
    const { v } = h;
    assert.deepEqual({ sealed: h.sealed, opened: h.opened }, { sealed: wasm[i].sealed, opened: wasm[i].opened }, `tcId ${v.tcId}`);
    if (v.iv.length === 0) {
      assert.equal(h.opened, "CKR_MECHANISM_PARAM_INVALID", `tcId ${v.tcId}: empty IV`);
    } else if (v.result === "valid") {
      assert.equal(h.sealed, v.ct + v.tag, `tcId ${v.tcId}`);
      assert.equal(h.opened, v.msg, `tcId ${v.tcId}`);
    } else if (v.result === "invalid") {
      assert.equal(h.opened, "CKR_ENCRYPTED_DATA_INVALID", `tcId ${v.tcId} (${v.comment})`);
    }
    checked++;
  }
  assert.ok(checked > 200, `${checked} vectors`);
});

test("Wycheproof aes_cbc_pkcs5_test.json (CKM_AES_CBC_PAD): the same answers by OpenSSL and by the wasm AES", (t) => {
  const found = wycheproofFile("aes_cbc_pkcs5_test.json");
  if (found.skip) return t.skip(found.skip);
  const groups = JSON.parse(readFileSync(found.file, "utf8")).testGroups;
  const [hosted, wasm] = bothWays(() =>
    groups.flatMap((g) =>
      g.tests.map((v) => {
        const [key, iv, msg, ct] = [v.key, v.iv, v.msg, v.ct].map((x) => Buffer.from(x, "hex"));
        const k = aesKey(key);
        const mech = { mechanism: C.CKM_AES_CBC_PAD, parameter: iv };
        const r = { v, sealed: show(crypt(true, mech, k, msg)), opened: show(crypt(false, mech, k, ct)), split: show(crypt(false, mech, k, ct, 17)) };
        pkcs11.C_DestroyObject(s, k);
        return r;
      }),
    ),
  );
  for (const [i, h] of hosted.entries()) {
    const { v } = h;
    assert.deepEqual([h.sealed, h.opened, h.split], [wasm[i].sealed, wasm[i].opened, wasm[i].split], `tcId ${v.tcId}`);
    if (v.result === "valid") {
      assert.equal(h.sealed, v.ct, `tcId ${v.tcId}`);
      assert.equal(h.opened, v.msg, `tcId ${v.tcId}`);
      assert.equal(h.split, v.msg, `tcId ${v.tcId}`);
    } else if (v.result === "invalid") {
      assert.match(h.opened, /^CKR_ENCRYPTED_DATA_(INVALID|LEN_RANGE)$/, `tcId ${v.tcId} (${v.comment})`);
    }
  }
  assert.ok(hosted.length > 100);
});

test("around the 1 KiB threshold and across multi-part splits: ECB, CBC, CBC_PAD and GCM equal OpenSSL", () => {
  for (const keyLen of [16, 24, 32]) {
    const value = crypto.randomBytes(keyLen);
    const key = aesKey(value);
    const alg = (mode) => `aes-${keyLen * 8}-${mode}`;
    for (const size of [1008, 1023, 1024, 1040, 4096 + 3, 100_000]) {
      const data = crypto.randomBytes(size);
      const blocks = data.subarray(0, size - (size % 16));
      const iv = crypto.randomBytes(16);
      const openssl = (mode, input, pad, ivUsed, aad) => {
        const c = crypto.createCipheriv(alg(mode), value, ivUsed, mode === "gcm" ? { authTagLength: 12 } : undefined);
        if (aad) c.setAAD(aad);
        if (!pad) c.setAutoPadding(false);
        return Buffer.concat([c.update(input), c.final(), mode === "gcm" ? c.getAuthTag() : Buffer.alloc(0)]);
      };
      const aad = crypto.randomBytes(size % 50);
      const cases = [
        [{ mechanism: C.CKM_AES_ECB }, blocks, openssl("ecb", blocks, false, null)],
        [{ mechanism: C.CKM_AES_CBC, parameter: iv }, blocks, openssl("cbc", blocks, false, iv)],
        [{ mechanism: C.CKM_AES_CBC_PAD, parameter: iv }, data, openssl("cbc", data, true, iv)],
        [gcmMech(iv.subarray(0, 12), aad, 96), data, openssl("gcm", data, false, iv.subarray(0, 12), aad)],
      ];
      for (const [mech, input, want] of cases) {
        const what = `${mech.mechanism} AES-${keyLen * 8} ${size} B`;
        for (const pieces of [0, 1000, 1024, 2049]) {
          assert.equal(show(crypt(true, mech, key, input, pieces)), want.toString("hex"), `${what} encrypt, pieces ${pieces}`);
          assert.equal(show(crypt(false, mech, key, want, pieces)), input.toString("hex"), `${what} decrypt, pieces ${pieces}`);
        }
      }
    }
  }
});

test("a damaged GCM tag or ciphertext: CKR_ENCRYPTED_DATA_INVALID and the caller's buffer untouched", () => {
  const value = crypto.randomBytes(32);
  const key = aesKey(value);
  const iv = crypto.randomBytes(12);
  const data = crypto.randomBytes(64 * 1024);
  const sealed = crypt(true, gcmMech(iv, Buffer.alloc(0)), key, data);
  for (const at of [0, 30_000, sealed.length - 1]) {
    const bad = Buffer.from(sealed);
    bad[at] ^= 0x80;
    pkcs11.C_DecryptInit(s, gcmMech(iv, Buffer.alloc(0)), key);
    const out = Buffer.alloc(data.length, 0xee);
    expectRv(() => pkcs11.C_Decrypt(s, bad, out), "CKR_ENCRYPTED_DATA_INVALID");
    assert.ok(out.every((b) => b === 0xee), "no plaintext in the output buffer");
  }
});

test("the token's checks still decide: a key without CKA_DECRYPT, a short output buffer, a bad IV length", () => {
  const value = crypto.randomBytes(16);
  const encryptOnly = token.createKey(C.CKO_SECRET_KEY, C.CKK_AES, [
    { type: C.CKA_VALUE, value },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: false },
    { type: C.CKA_SENSITIVE, value: true },
    { type: C.CKA_EXTRACTABLE, value: false },
    SESSION_KEY,
  ]);
  const iv = crypto.randomBytes(16);
  const data = crypto.randomBytes(8192);
  const ct = crypt(true, { mechanism: C.CKM_AES_CBC, parameter: iv }, encryptOnly, data);
  const c = crypto.createCipheriv("aes-128-cbc", value, iv).setAutoPadding(false);
  assert.ok(ct.equals(Buffer.concat([c.update(data), c.final()])), "a sensitive, non-extractable key works");
  assert.equal(crypt(false, { mechanism: C.CKM_AES_CBC, parameter: iv }, encryptOnly, ct), "CKR_KEY_FUNCTION_NOT_PERMITTED");
  assert.equal(crypt(true, { mechanism: C.CKM_AES_CBC, parameter: iv.subarray(0, 8) }, encryptOnly, data), "CKR_MECHANISM_PARAM_INVALID");
  assert.equal(crypt(true, { mechanism: C.CKM_AES_CBC, parameter: iv }, encryptOnly, data.subarray(0, 8190)), "CKR_DATA_LEN_RANGE");
  pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_CBC, parameter: iv }, encryptOnly);
  expectRv(() => pkcs11.C_Encrypt(s, data, Buffer.alloc(100)), "CKR_BUFFER_TOO_SMALL");
  const out = pkcs11.C_Encrypt(s, data, Buffer.alloc(data.length));
  assert.ok(Buffer.from(out).equals(ct), "the operation stayed active after CKR_BUFFER_TOO_SMALL");
  expectRv(() => pkcs11.C_GetAttributeValue(s, encryptOnly, [{ type: C.CKA_VALUE }]), "CKR_ATTRIBUTE_SENSITIVE");
});

test("attacker: node:crypto's functions replaced after the first bulk AES call never receive a key", () => {
  const seen = [];
  const saved = { createCipheriv: crypto.createCipheriv, createDecipheriv: crypto.createDecipheriv };
  const spy = (name) =>
    function (...args) {
      seen.push([name, Buffer.from(args[1] ?? []).toString("hex")]);
      return saved[name].apply(this, args);
    };
  const value = crypto.randomBytes(32);
  const key = aesKey(value, [{ type: C.CKA_SENSITIVE, value: true }]);
  crypt(true, { mechanism: C.CKM_AES_ECB }, key, Buffer.alloc(4096)); // the first bulk call takes node:crypto's functions
  try {
    crypto.createCipheriv = spy("createCipheriv");
    crypto.createDecipheriv = spy("createDecipheriv");
    const iv = crypto.randomBytes(12);
    const data = crypto.randomBytes(32 * 1024);
    const sealed = crypt(true, gcmMech(iv, Buffer.alloc(0)), key, data);
    assert.ok(crypt(false, gcmMech(iv, Buffer.alloc(0)), key, sealed).equals(data));
    crypt(true, { mechanism: C.CKM_AES_CBC_PAD, parameter: crypto.randomBytes(16) }, key, data);
  } finally {
    Object.assign(crypto, saved);
  }
  assert.deepEqual(seen, []);
  assert.equal(C.hostAes().enabled, true, "and the host AES was in use");
});

test("hostAes: argument checks; PKCS11_WASM_HOST_AES=0 keeps AES in wasm", () => {
  assert.throws(() => C.hostAes(1), TypeError);
  assert.throws(() => C.hostAes(null), TypeError);
  assert.throws(() => C.hostAes({ enabled: "yes" }), TypeError);
  assert.throws(() => C.hostAes({ minBytes: -1 }), TypeError);
  assert.throws(() => C.hostAes({ minBytes: 1.5 }), TypeError);
  assert.deepEqual(C.hostAes(), { enabled: true, minBytes: 1024, available: true }, "nothing changed");
  const script = `const C = require(${JSON.stringify(new URL("../../pkg/index.cjs", import.meta.url).pathname)});
    process.stdout.write(JSON.stringify(C.hostAes()));`;
  const r = spawnSync(process.execPath, ["-e", script], { env: { ...process.env, PKCS11_WASM_HOST_AES: "0" }, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { enabled: false, minBytes: 1024, available: true });
});

test("a node:crypto that answers wrongly is caught by the known answers at the first bulk call: the wasm AES answers", () => {
  // A child process whose node:crypto is altered before the package's first
  // bulk AES call (another engine's emulation or a polyfill gone wrong):
  // CBC output with one bit flipped, GCM as usual. Every answer must still
  // be OpenSSL's own (computed before the change).
  const pkg = new URL("../../pkg/index.cjs", import.meta.url).pathname;
  const script = `
    const crypto = require("node:crypto");
    const C = require(${JSON.stringify(pkg)});
    const key = crypto.randomBytes(16), iv = crypto.randomBytes(16), data = crypto.randomBytes(8192);
    const real = crypto.createCipheriv("aes-128-cbc", key, iv).setAutoPadding(false);
    const want = Buffer.concat([real.update(data), real.final()]).toString("hex");
    const original = crypto.createCipheriv;
    crypto.createCipheriv = function (name, ...rest) {
      const c = original.call(this, name, ...rest);
      if (!name.endsWith("-cbc")) return c;
      const update = c.update.bind(c);
      c.update = (d) => { const out = update(d); out[0] ^= 1; return out; };
      return c;
    };
    const { p, s } = require(${JSON.stringify(new URL("./fixtures/child-user-session.cjs", import.meta.url).pathname)})(C);
    const k = p.C_CreateObject(s, [
      { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY }, { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
      { type: C.CKA_TOKEN, value: false }, { type: C.CKA_ENCRYPT, value: true }, { type: C.CKA_VALUE, value: key },
    ]);
    p.C_EncryptInit(s, { mechanism: C.CKM_AES_CBC, parameter: iv }, k);
    const got = Buffer.from(p.C_Encrypt(s, data, Buffer.alloc(data.length))).toString("hex");
    process.stdout.write(JSON.stringify({ same: got === want, settings: C.hostAes() }));`;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { same: true, settings: { enabled: false, minBytes: 1024, available: false } });
});
