// Token groups: C_Encrypt, C_Decrypt and their Updates write into the
// caller's buffer (CompositeModule.crypt_into). With in-thread members the
// serving member's engine writes it, as a plain slot's does; otherwise the
// group's call returns the bytes and they are copied. Both must give the
// plain slot's answers: the bytes in the caller's window and nowhere else,
// CKR_BUFFER_TOO_SMALL with nothing written and the operation still
// active, multi-part operations, a member lost between the Init and the call.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { C, groupConfig, mem, openGroup, slotOf, throwsRv, userSession } from "./fixtures/group-helpers.mjs";

function aesKey(p, s, value) {
  return p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: true },
  ]);
}

const gcm = (iv) => ({ mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv, tagBits: 128 } });

function nodeGcm(key, iv, data) {
  const c = crypto.createCipheriv("aes-256-gcm", key, iv);
  return Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
}

for (const thread of [false, true]) {
  const kind = thread ? "thread members" : "in-thread members";

  test(`group of 2 ${kind}: C_Encrypt / C_Decrypt into a window of the caller's buffer`, () => {
    const p = openGroup(groupConfig([mem(`ci-${thread}-a`, thread), mem(`ci-${thread}-b`, thread)]));
    const s = userSession(p, slotOf(p));
    const value = crypto.randomBytes(32);
    const key = aesKey(p, s, value);
    for (const len of [0, 16, 64, 1000]) {
      const iv = crypto.randomBytes(12);
      const data = crypto.randomBytes(len);
      const whole = Buffer.alloc(len + 16 + 20, 0xee);
      const window = whole.subarray(10, whole.length - 10);
      p.C_EncryptInit(s, gcm(iv), key);
      const sealed = p.C_Encrypt(s, data, window);
      assert.deepEqual(Buffer.from(sealed), nodeGcm(value, iv, data), `ciphertext of ${len} bytes`);
      assert.equal(sealed.buffer, whole.buffer, "written in the caller's buffer");
      assert.ok(whole.subarray(0, 10).every((b) => b === 0xee) && whole.subarray(whole.length - 10).every((b) => b === 0xee), "nothing outside the window");
      p.C_DecryptInit(s, gcm(iv), key);
      assert.deepEqual(Buffer.from(p.C_Decrypt(s, Buffer.from(sealed), Buffer.alloc(len + 8))), data, `plaintext of ${len} bytes`);
    }
    p.C_Finalize();
  });

  test(`group of 2 ${kind}: CKR_BUFFER_TOO_SMALL writes nothing and keeps the operation`, () => {
    const p = openGroup(groupConfig([mem(`cs-${thread}-a`, thread), mem(`cs-${thread}-b`, thread)]));
    const s = userSession(p, slotOf(p));
    const value = crypto.randomBytes(32);
    const key = aesKey(p, s, value);
    const iv = crypto.randomBytes(12);
    const data = crypto.randomBytes(40);
    p.C_EncryptInit(s, gcm(iv), key);
    const short = Buffer.alloc(40, 0xaa);
    throwsRv(() => p.C_Encrypt(s, data, short), "CKR_BUFFER_TOO_SMALL");
    assert.ok(short.every((b) => b === 0xaa), "the short buffer untouched");
    assert.deepEqual(Buffer.from(p.C_Encrypt(s, data, Buffer.alloc(56))), nodeGcm(value, iv, data));
    p.C_Finalize();
  });

  test(`group of 2 ${kind}: multi-part AES-CBC-PAD through Update and Final`, () => {
    const p = openGroup(groupConfig([mem(`cm-${thread}-a`, thread), mem(`cm-${thread}-b`, thread)]));
    const s = userSession(p, slotOf(p));
    const value = crypto.randomBytes(32);
    const key = aesKey(p, s, value);
    const iv = crypto.randomBytes(16);
    const cbc = { mechanism: C.CKM_AES_CBC_PAD, parameter: iv };
    const parts = [crypto.randomBytes(5), crypto.randomBytes(40), crypto.randomBytes(100)];
    p.C_EncryptInit(s, cbc, key);
    const out = [];
    for (const part of parts) out.push(Buffer.from(p.C_EncryptUpdate(s, part, Buffer.alloc(256))));
    out.push(Buffer.from(p.C_EncryptFinal(s, Buffer.alloc(32))));
    const c = crypto.createCipheriv("aes-256-cbc", value, iv);
    assert.deepEqual(Buffer.concat(out), Buffer.concat([c.update(Buffer.concat(parts)), c.final()]));
    p.C_Finalize();
  });
}

test("group of 2 in-thread members: a member lost between the Init and C_Encrypt, the other writes the buffer", () => {
  const p = openGroup(groupConfig([mem("cf-a"), mem("cf-b")]));
  const slot = slotOf(p);
  const s = userSession(p, slot);
  const value = crypto.randomBytes(32);
  const key = aesKey(p, s, value);
  let initOn;
  p.ongroupcall = (ev) => ev.method === "C_EncryptInit" && (initOn = ev.member);
  const iv = crypto.randomBytes(12);
  const data = crypto.randomBytes(64);
  p.C_EncryptInit(s, gcm(iv), key);
  p.groupFault(slot, initOn, "crash");
  const out = Buffer.alloc(80);
  const sealed = p.C_Encrypt(s, data, out);
  assert.equal(sealed.buffer, out.buffer);
  assert.deepEqual(Buffer.from(sealed), nodeGcm(value, iv, data));
  p.C_Finalize();
});
