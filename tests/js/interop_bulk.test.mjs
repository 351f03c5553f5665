// The SIMD code paths of the built module (wasm simd128) on long inputs,
// against node:crypto (OpenSSL): AES-GCM from 4 KiB of whole blocks takes
// the 16-stream GHASH, in one call or in pieces of odd sizes; AES
// CBC/CTR/ECB run four blocks per pass plus a rest; ChaCha20 four blocks
// per pass from any offset; SHA-3 the unrolled Keccak. The unit tests run
// the same Rust on a portable model natively; this checks the wasm build.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const C = require("../../pkg/index.cjs");
C.hostAes({ enabled: false });

const p11 = new C.PKCS11({ kdfIterations: "insecure-test", slots: [{ storage: "memory" }] });
p11.C_Initialize();
const [slot] = p11.C_GetSlotList(true);
p11.C_InitToken(slot, "so-bulk-1", "bulk");
const s = p11.C_OpenSession(slot, C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION);
p11.C_Login(s, C.CKU_SO, "so-bulk-1");
p11.C_InitPIN(s, "user-bulk-1");
p11.C_Logout(s);
p11.C_Login(s, C.CKU_USER, "user-bulk-1");

const SESSION = { type: C.CKA_TOKEN, value: false };
const secret = (keyType, value) =>
  p11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: keyType },
    SESSION,
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: true },
    { type: C.CKA_VALUE, value },
  ]);

/** One-shot, then in pieces of `pieces` bytes (the last may be shorter). */
function encrypt(mech, key, data, pieces) {
  if (!pieces) {
    p11.C_EncryptInit(s, mech, key);
    return Buffer.from(p11.C_Encrypt(s, data, Buffer.alloc(data.length + 32)));
  }
  p11.C_EncryptInit(s, mech, key);
  const out = [];
  for (let i = 0; i < data.length; i += pieces) {
    out.push(Buffer.from(p11.C_EncryptUpdate(s, data.subarray(i, i + pieces), Buffer.alloc(pieces + 32))));
  }
  out.push(Buffer.from(p11.C_EncryptFinal(s, Buffer.alloc(32))));
  return Buffer.concat(out);
}

function decrypt(mech, key, data) {
  p11.C_DecryptInit(s, mech, key);
  return Buffer.from(p11.C_Decrypt(s, data, Buffer.alloc(data.length + 32)));
}

const SIZES = [4096, 4096 + 16, 5000, 65_536 + 7, 300_000];

test("AES-GCM on long inputs (the SIMD GHASH) equals OpenSSL, one-shot and in pieces", () => {
  for (const keyLen of [16, 24, 32]) {
    const value = crypto.randomBytes(keyLen);
    const key = secret(C.CKK_AES, value);
    for (const size of SIZES) {
      for (const ivLen of [12, 16]) {
        const iv = crypto.randomBytes(ivLen);
        const aad = crypto.randomBytes(size % 3 === 0 ? 0 : 40);
        const data = crypto.randomBytes(size);
        const c = crypto.createCipheriv(`aes-${keyLen * 8}-gcm`, value, iv);
        c.setAAD(aad);
        const want = Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
        const mech = { mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv, aad, tagBits: 128 } };
        for (const pieces of [0, 4096, 5003]) {
          assert.equal(encrypt(mech, key, data, pieces).toString("hex"), want.toString("hex"), `AES-${keyLen * 8} ${size} B iv ${ivLen} pieces ${pieces}`);
        }
        assert.ok(decrypt(mech, key, want).equals(data));
        const bad = Buffer.from(want);
        bad[size >> 1] ^= 1;
        assert.throws(() => decrypt(mech, key, bad), /CKR_ENCRYPTED_DATA_INVALID/);
      }
    }
  }
});

test("AES-CBC-PAD, CTR and ECB on long inputs equal OpenSSL", () => {
  for (const keyLen of [16, 32]) {
    const value = crypto.randomBytes(keyLen);
    const key = secret(C.CKK_AES, value);
    for (const size of [16 * 67, 300_000 + 5]) {
      const data = crypto.randomBytes(size);
      const iv = crypto.randomBytes(16);
      const cbc = crypto.createCipheriv(`aes-${keyLen * 8}-cbc`, value, iv);
      const cbcWant = Buffer.concat([cbc.update(data), cbc.final()]);
      const cbcMech = { mechanism: C.CKM_AES_CBC_PAD, parameter: iv };
      assert.equal(encrypt(cbcMech, key, data, 0).toString("hex"), cbcWant.toString("hex"), `CBC ${size}`);
      assert.equal(encrypt(cbcMech, key, data, 1000).toString("hex"), cbcWant.toString("hex"), `CBC in pieces ${size}`);
      assert.ok(decrypt(cbcMech, key, cbcWant).equals(data));
      const ctr = crypto.createCipheriv(`aes-${keyLen * 8}-ctr`, value, iv);
      const ctrWant = Buffer.concat([ctr.update(data), ctr.final()]);
      const ctrMech = { mechanism: C.CKM_AES_CTR, parameter: { type: C.CK_PARAMS_AES_CTR, counterBits: 128, cb: iv } };
      assert.equal(encrypt(ctrMech, key, data, 0).toString("hex"), ctrWant.toString("hex"), `CTR ${size}`);
      const whole = data.subarray(0, size - (size % 16));
      const ecb = crypto.createCipheriv(`aes-${keyLen * 8}-ecb`, value, null).setAutoPadding(false);
      const ecbWant = Buffer.concat([ecb.update(whole), ecb.final()]);
      const ecbMech = { mechanism: C.CKM_AES_ECB };
      assert.equal(encrypt(ecbMech, key, whole, 0).toString("hex"), ecbWant.toString("hex"), `ECB ${size}`);
      assert.ok(decrypt(ecbMech, key, ecbWant).equals(whole));
    }
  }
});

test("ChaCha20-Poly1305 on long inputs, in pieces of odd sizes, equals OpenSSL", () => {
  const value = crypto.randomBytes(32);
  const key = secret(C.CKK_CHACHA20, value);
  for (const size of [255, 256, 257, 70_000]) {
    const nonce = crypto.randomBytes(12);
    const aad = crypto.randomBytes(13);
    const data = crypto.randomBytes(size);
    const c = crypto.createCipheriv("chacha20-poly1305", value, nonce, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: size });
    const want = Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
    const mech = { mechanism: C.CKM_CHACHA20_POLY1305, parameter: { type: C.CK_PARAMS_CHACHA20_POLY1305, nonce, aad } };
    for (const pieces of [0, 1, 63, 300]) {
      if (pieces === 1 && size > 300) continue;
      assert.equal(encrypt(mech, key, data, pieces).toString("hex"), want.toString("hex"), `${size} B pieces ${pieces}`);
    }
    assert.ok(decrypt(mech, key, want).equals(data));
  }
});

test("SHA-3 on long inputs and in pieces equals OpenSSL", () => {
  const data = crypto.randomBytes(200_003);
  for (const [mech, name] of [
    [C.CKM_SHA3_224, "sha3-224"],
    [C.CKM_SHA3_256, "sha3-256"],
    [C.CKM_SHA3_384, "sha3-384"],
    [C.CKM_SHA3_512, "sha3-512"],
  ]) {
    const want = crypto.createHash(name).update(data).digest("hex");
    p11.C_DigestInit(s, { mechanism: mech });
    assert.equal(Buffer.from(p11.C_Digest(s, data, Buffer.alloc(64))).toString("hex"), want, name);
    p11.C_DigestInit(s, { mechanism: mech });
    for (let i = 0; i < data.length; i += 7919) p11.C_DigestUpdate(s, data.subarray(i, i + 7919));
    assert.equal(Buffer.from(p11.C_DigestFinal(s, Buffer.alloc(64))).toString("hex"), want, `${name} in pieces`);
  }
});
