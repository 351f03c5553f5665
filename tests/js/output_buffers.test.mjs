// C_Encrypt, C_Decrypt, C_EncryptUpdate and C_DecryptUpdate write their
// output straight into the caller's buffer (the shell's `crypt_into`, no
// array in between): what pkcs11js callers see must not change. The
// returned value is a view of the caller's buffer (its type kept), only
// the first n bytes are written, offsets into a larger ArrayBuffer are
// kept, the input may be the output buffer, and a short buffer is
// CKR_BUFFER_TOO_SMALL with nothing written and the operation still
// active. Outputs are checked against Node's OpenSSL.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { C, SESSION_KEY, expectRv, openUserSession } from "./fixtures/token-session.mjs";

const token = openUserSession("output-buffers");
const { pkcs11, s } = token;
const keyBytes = crypto.randomBytes(32);
const key = token.createKey(C.CKO_SECRET_KEY, C.CKK_AES, [
  { type: C.CKA_VALUE, value: keyBytes },
  { type: C.CKA_ENCRYPT, value: true },
  { type: C.CKA_DECRYPT, value: true },
  SESSION_KEY,
]);
const iv = crypto.randomBytes(16);
const cbc = { mechanism: C.CKM_AES_CBC_PAD, parameter: iv };

function openssl(plain) {
  const c = crypto.createCipheriv("aes-256-cbc", keyBytes, iv);
  return Buffer.concat([c.update(plain), c.final()]);
}

test("the result is a view of the caller's buffer; bytes after it are untouched", () => {
  for (const len of [0, 1, 15, 16, 1000, 65536 + 7]) {
    const plain = crypto.randomBytes(len);
    const want = openssl(plain);
    const out = Buffer.alloc(want.length + 40, 0xa5);
    pkcs11.C_EncryptInit(s, cbc, key);
    const got = pkcs11.C_Encrypt(s, plain, out);
    assert.ok(Buffer.isBuffer(got), "a Buffer in, a Buffer out");
    assert.equal(got.buffer, out.buffer);
    assert.equal(got.byteOffset, out.byteOffset);
    assert.deepEqual(got, want, `length ${len}`);
    assert.ok(out.subarray(want.length).every((b) => b === 0xa5), "nothing written past the output");

    const back = new Uint8Array(len + 40).fill(0x5a);
    pkcs11.C_DecryptInit(s, cbc, key);
    const plainBack = pkcs11.C_Decrypt(s, got, back);
    assert.ok(plainBack instanceof Uint8Array && !Buffer.isBuffer(plainBack), "a Uint8Array in, a Uint8Array out");
    assert.equal(plainBack.buffer, back.buffer);
    assert.deepEqual(Buffer.from(plainBack), plain);
    assert.ok(back.subarray(len).every((b) => b === 0x5a));
  }
});

test("an output buffer at an offset of a larger ArrayBuffer is written at that offset", () => {
  const plain = crypto.randomBytes(100);
  const backing = new Uint8Array(400).fill(7);
  const out = backing.subarray(50, 250);
  pkcs11.C_EncryptInit(s, cbc, key);
  const got = pkcs11.C_Encrypt(s, plain, out);
  assert.equal(got.byteOffset, 50);
  assert.deepEqual(Buffer.from(got), openssl(plain));
  assert.ok(backing.subarray(0, 50).every((b) => b === 7), "nothing before the view");
  assert.ok(backing.subarray(50 + got.length).every((b) => b === 7), "nothing after the output");
});

test("the input buffer may be the output buffer", () => {
  const plain = crypto.randomBytes(64);
  const buf = Buffer.alloc(80);
  plain.copy(buf);
  pkcs11.C_EncryptInit(s, cbc, key);
  const ct = pkcs11.C_Encrypt(s, buf.subarray(0, 64), buf);
  assert.deepEqual(ct, openssl(plain));
  pkcs11.C_DecryptInit(s, cbc, key);
  assert.deepEqual(pkcs11.C_Decrypt(s, buf, buf), plain);
});

test("a short buffer: CKR_BUFFER_TOO_SMALL, nothing written, the operation still active", () => {
  const plain = crypto.randomBytes(40);
  const short = Buffer.alloc(47, 0xee);
  pkcs11.C_EncryptInit(s, cbc, key);
  expectRv(() => pkcs11.C_Encrypt(s, plain, short), "CKR_BUFFER_TOO_SMALL");
  assert.ok(short.every((b) => b === 0xee));
  assert.deepEqual(pkcs11.C_Encrypt(s, plain, Buffer.alloc(48)), openssl(plain));

  pkcs11.C_EncryptInit(s, cbc, key);
  expectRv(() => pkcs11.C_EncryptUpdate(s, plain, Buffer.alloc(31, 0xee)), "CKR_BUFFER_TOO_SMALL");
  const first = Buffer.from(pkcs11.C_EncryptUpdate(s, plain, Buffer.alloc(32)));
  const last = Buffer.from(pkcs11.C_EncryptFinal(s, Buffer.alloc(16)));
  assert.deepEqual(Buffer.concat([first, last]), openssl(plain));
});

test("multi-part encryption and decryption into caller buffers match OpenSSL", () => {
  const plain = crypto.randomBytes(5000);
  const parts = [0, 1, 17, 999, 16, 3967];
  const out = Buffer.alloc(6000);
  pkcs11.C_EncryptInit(s, cbc, key);
  const chunks = [];
  let at = 0;
  for (const n of parts) {
    chunks.push(Buffer.from(pkcs11.C_EncryptUpdate(s, plain.subarray(at, at + n), out)));
    at += n;
  }
  chunks.push(Buffer.from(pkcs11.C_EncryptFinal(s, out)));
  const ct = Buffer.concat(chunks);
  assert.deepEqual(ct, openssl(plain));

  pkcs11.C_DecryptInit(s, cbc, key);
  const back = [];
  for (let i = 0; i < ct.length; i += 1024) back.push(Buffer.from(pkcs11.C_DecryptUpdate(s, ct.subarray(i, i + 1024), out)));
  back.push(Buffer.from(pkcs11.C_DecryptFinal(s, out)));
  assert.deepEqual(Buffer.concat(back), plain);
});

test("the callback and Async forms write into the caller's buffer too", async () => {
  const plain = crypto.randomBytes(33);
  const out = Buffer.alloc(64, 1);
  pkcs11.C_EncryptInit(s, cbc, key);
  const got = await pkcs11.C_EncryptAsync(s, plain, out);
  assert.equal(got.buffer, out.buffer);
  assert.deepEqual(got, openssl(plain));
  pkcs11.C_DecryptInit(s, cbc, key);
  const back = await new Promise((resolve, reject) =>
    pkcs11.C_Decrypt(s, got, Buffer.alloc(48), (err, r) => (err ? reject(err) : resolve(r))),
  );
  assert.deepEqual(back, plain);
});
