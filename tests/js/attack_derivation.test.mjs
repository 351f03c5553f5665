// Key extraction by a logged-in user (issue 10, items 1-3), played against
// the built package. Each attack is real: run on a key the token lets go
// (extractable, not sensitive) it recovers the key, which shows the attack
// works; run on a protected key (sensitive or not extractable) it must get
// nothing.
//   1. Clulow-style truncation: CONCATENATE_BASE_AND_DATA / DATA_AND_BASE /
//      BASE_AND_KEY and XOR_BASE_AND_DATA cut to a few bytes, each short key
//      brute-forced offline through HMAC or AES-ECB (256 tries per byte);
//      and the CKA_DERIVE false -> true paths that opened a key to them.
//   2. SP 800-108 with a known AES-CMAC base key and the victim in a
//      CK_SP800_108_KEY_HANDLE field: the CMAC under a known key inverts.
//      The HKDF salt key likewise.
//   3. CKA_PRIVATE false on secrets: a public copy of a sensitive key, or
//      public token keys, stored in clear and usable without login.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { join } from "node:path";
import {
  C,
  KDF,
  assertAbsent,
  attr,
  findAll,
  initToken,
  open,
  session,
  slotOf,
  tempDir,
  throwsRv,
  walk,
} from "./fixtures/storage-helpers.mjs";

// The default token: in memory, so the PIN KDF is cheap (no setting needed).
const p = open(undefined);
const slot = slotOf(p);
initToken(p, slot, "attacks");
const s = session(p, slot);

const MSG = Buffer.from("oracle message");

/** A generated AES-128 session key: protected (sensitive, not extractable) by default. */
function victimKey({ sensitive = true, extractable = false, derive = true } = {}) {
  return p.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [
    { type: C.CKA_VALUE_LEN, value: 16 },
    { type: C.CKA_SENSITIVE, value: sensitive },
    { type: C.CKA_EXTRACTABLE, value: extractable },
    { type: C.CKA_DERIVE, value: derive },
  ]);
}
const READABLE = { sensitive: false, extractable: true };
/** The two ways a key is protected: sensitive, or not extractable. */
const PROTECTED = [{}, { sensitive: false, extractable: false }];

/** A secret key the attacker knows: created from `value`, readable. */
function knownKey(keyType, value) {
  return p.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: keyType },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_DERIVE, value: true },
    { type: C.CKA_EXTRACTABLE, value: true },
  ]);
}

function derive(mechanism, parameter, base, template) {
  return p.C_DeriveKey(s, { mechanism, parameter }, base, template);
}

/** The one byte b for which check(b) holds (256 tries), or throws. */
function bruteForceByte(check) {
  for (let b = 0; b < 256; b++) if (check(b)) return b;
  throw new Error("no byte matched");
}

function hmacIn(key) {
  p.C_SignInit(s, { mechanism: C.CKM_SHA256_HMAC }, key);
  return Buffer.from(p.C_Sign(s, MSG, Buffer.alloc(32)));
}

function aesBlockIn(key) {
  p.C_EncryptInit(s, { mechanism: C.CKM_AES_ECB }, key);
  return Buffer.from(p.C_Encrypt(s, Buffer.alloc(16), Buffer.alloc(16)));
}

const nodeHmac = (key) => crypto.createHmac("sha256", key).update(MSG).digest();
function nodeAes(key, block, decrypt = false) {
  const c = (decrypt ? crypto.createDecipheriv : crypto.createCipheriv)(`aes-${key.length * 8}-ecb`, key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

/**
 * Runs `step(n, known)` for n = 1..16, each returning a check of the n-th
 * byte given the bytes known so far; returns what was recovered and the
 * CKR name that stopped it, if any.
 */
function byteByByte(step) {
  const known = [];
  try {
    for (let n = 1; n <= 16; n++) {
      const check = step(n, Buffer.from(known));
      known.push(bruteForceByte(check));
    }
    return { recovered: Buffer.from(known) };
  } catch (e) {
    return { recovered: Buffer.from(known), refused: e.message };
  }
}

const generic = (n, extra = []) => [
  { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
  { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
  { type: C.CKA_VALUE_LEN, value: n },
  { type: C.CKA_SIGN, value: true },
  ...extra,
];
const aes24 = [
  { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
  { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
  { type: C.CKA_VALUE_LEN, value: 24 },
  { type: C.CKA_ENCRYPT, value: true },
];

// The four truncation attacks: each recovers byte n from a short key that
// holds bytes 1..n of the victim.
const ATTACKS = {
  "CONCATENATE_BASE_AND_DATA, n bytes, HMAC oracle": (victim) => (n, known) => {
    const short = derive(C.CKM_CONCATENATE_BASE_AND_DATA, Buffer.from("x"), victim, generic(n));
    const tag = hmacIn(short);
    return (b) => nodeHmac(Buffer.concat([known, Buffer.from([b])])).equals(tag);
  },
  "XOR_BASE_AND_DATA, n zero bytes, HMAC oracle": (victim) => (n, known) => {
    const short = derive(C.CKM_XOR_BASE_AND_DATA, Buffer.alloc(n), victim, generic(n));
    const tag = hmacIn(short);
    return (b) => nodeHmac(Buffer.concat([known, Buffer.from([b])])).equals(tag);
  },
  "XOR_BASE_AND_DATA, CKA_VALUE_LEN n, HMAC oracle": (victim) => (n, known) => {
    const short = derive(C.CKM_XOR_BASE_AND_DATA, Buffer.alloc(16), victim, generic(n));
    const tag = hmacIn(short);
    return (b) => nodeHmac(Buffer.concat([known, Buffer.from([b])])).equals(tag);
  },
  "CONCATENATE_DATA_AND_BASE into AES-192, AES-ECB oracle": (victim) => (n, known) => {
    const pad = Buffer.alloc(24 - n, 0x33);
    const key = derive(C.CKM_CONCATENATE_DATA_AND_BASE, pad, victim, aes24);
    const block = aesBlockIn(key);
    return (b) => nodeAes(Buffer.concat([pad, known, Buffer.from([b])]), Buffer.alloc(16)).equals(block);
  },
  "CONCATENATE_BASE_AND_KEY with the victim second, AES-ECB oracle": (victim) => (n, known) => {
    const pad = Buffer.alloc(24 - n, 0x44);
    const base = knownKey(C.CKK_GENERIC_SECRET, pad);
    const key = derive(C.CKM_CONCATENATE_BASE_AND_KEY, victim, base, aes24);
    const block = aesBlockIn(key);
    return (b) => nodeAes(Buffer.concat([pad, known, Buffer.from([b])]), Buffer.alloc(16)).equals(block);
  },
};

for (const [name, attack] of Object.entries(ATTACKS)) {
  test(`Clulow truncation, ${name}: works on a readable key, gets nothing of a protected one`, () => {
    const readable = victimKey(READABLE);
    const control = byteByByte(attack(readable));
    assert.equal(control.refused, undefined, "the attack itself works");
    assert.deepEqual(control.recovered, attr(p, s, readable, C.CKA_VALUE), "and recovers a readable key");

    for (const flags of PROTECTED) {
      const victim = victimKey(flags);
      const { recovered, refused } = byteByByte(attack(victim));
      assert.equal(recovered.length, 0, "not one byte recovered");
      assert.ok(
        ["CKR_TEMPLATE_INCONSISTENT", "CKR_MECHANISM_PARAM_INVALID"].includes(refused),
        `the first short derivation is refused (got ${refused})`,
      );
    }
  });
}

test("a protected key's whole value may be derived, and the result stays protected", () => {
  const victim = victimKey();
  const whole = derive(C.CKM_CONCATENATE_BASE_AND_DATA, Buffer.from("tail"), victim, [
    { type: C.CKA_SENSITIVE, value: false },
    { type: C.CKA_EXTRACTABLE, value: true },
  ]);
  throwsRv(() => attr(p, s, whole, C.CKA_VALUE), "CKR_ATTRIBUTE_SENSITIVE");
  assert.equal(attr(p, s, whole, C.CKA_VALUE_LEN).readUInt32LE(0), 20);
  assert.equal(attr(p, s, whole, C.CKA_EXTRACTABLE)[0], 0);
});

test("CKA_DERIVE cannot be turned on for a protected key, directly or through a copy", () => {
  const victim = victimKey({ derive: false });
  const on = [{ type: C.CKA_DERIVE, value: true }];
  throwsRv(() => p.C_SetAttributeValue(s, victim, on), "CKR_ATTRIBUTE_READ_ONLY");
  throwsRv(() => p.C_CopyObject(s, victim, on), "CKR_ATTRIBUTE_READ_ONLY");
  const copy = p.C_CopyObject(s, victim, [{ type: C.CKA_MODIFIABLE, value: true }]);
  throwsRv(() => p.C_SetAttributeValue(s, copy, on), "CKR_ATTRIBUTE_READ_ONLY");
  assert.equal(attr(p, s, copy, C.CKA_DERIVE)[0], 0);
  throwsRv(() => derive(C.CKM_CONCATENATE_BASE_AND_DATA, Buffer.from("x"), copy, generic(1)), "CKR_KEY_FUNCTION_NOT_PERMITTED");
});

/** CMAC subkey doubling (SP 800-38B). */
function dbl(block) {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = ((block[i] << 1) | (i < 15 ? block[i + 1] >> 7 : 0)) & 0xff;
  if (block[0] & 0x80) out[15] ^= 0x87;
  return out;
}

const xor = (a, b) => Buffer.from(a.map((x, i) => x ^ b[i]));

/**
 * The SP 800-108 attack: PRF = AES-CMAC under a key the attacker knows,
 * data = the victim's value then an 8-bit counter. The first output block
 * is T = E(E(victim) ^ K2 ^ (01 80 00...)), which inverts.
 */
function kbkdfAttack(victim) {
  const k = crypto.randomBytes(16);
  const base = knownKey(C.CKK_AES, k);
  const out = derive(
    C.CKM_SP800_108_COUNTER_KDF,
    {
      type: C.CK_PARAMS_SP800_108_KDF,
      prfType: C.CKM_AES_CMAC,
      dataParams: [
        { type: C.CK_SP800_108_KEY_HANDLE, handle: victim },
        { type: C.CK_SP800_108_ITERATION_VARIABLE, widthInBits: 8 },
      ],
    },
    base,
    [...generic(16), { type: C.CKA_SENSITIVE, value: false }, { type: C.CKA_EXTRACTABLE, value: true }],
  );
  const t = attr(p, s, out, C.CKA_VALUE);
  const k2 = dbl(dbl(nodeAes(k, Buffer.alloc(16))));
  const last = Buffer.concat([Buffer.from([0x01, 0x80]), Buffer.alloc(14)]);
  return nodeAes(k, xor(xor(nodeAes(k, t, true), k2), last), true);
}

test("SP 800-108 KEY_HANDLE data field: the CMAC inversion recovers a readable key, not a protected one", () => {
  const readable = victimKey(READABLE);
  assert.deepEqual(kbkdfAttack(readable), attr(p, s, readable, C.CKA_VALUE), "the attack works");
  for (const flags of PROTECTED) {
    const victim = victimKey(flags);
    throwsRv(() => kbkdfAttack(victim), "CKR_ATTRIBUTE_SENSITIVE");
  }
  // The result is protected whatever the template asked, and not always
  // sensitive (the known base key never was), as 3.1 counts every source.
  const victim = victimKey();
  const out = derive(
    C.CKM_SP800_108_COUNTER_KDF,
    {
      type: C.CK_PARAMS_SP800_108_KDF,
      prfType: C.CKM_AES_CMAC,
      dataParams: [{ type: C.CK_SP800_108_ITERATION_VARIABLE, widthInBits: 8 }, { type: C.CK_SP800_108_KEY_HANDLE, handle: victim }],
    },
    knownKey(C.CKK_AES, crypto.randomBytes(16)),
    [...generic(16), { type: C.CKA_EXTRACTABLE, value: true }],
  );
  assert.equal(attr(p, s, out, C.CKA_SENSITIVE)[0], 1);
  assert.equal(attr(p, s, out, C.CKA_EXTRACTABLE)[0], 0);
  assert.equal(attr(p, s, out, C.CKA_ALWAYS_SENSITIVE)[0], 0);
  throwsRv(() => p.C_WrapKey(s, { mechanism: C.CKM_AES_KEY_WRAP }, knownKey(C.CKK_AES, Buffer.alloc(16, 1)), out, Buffer.alloc(64)), "CKR_KEY_UNEXTRACTABLE");
});

test("HKDF salt key: a protected one makes the result protected; CKM_HKDF_DATA is refused", () => {
  const salt = p.C_GenerateKey(s, { mechanism: C.CKM_GENERIC_SECRET_KEY_GEN }, [
    { type: C.CKA_VALUE_LEN, value: 32 },
    { type: C.CKA_SENSITIVE, value: true },
    { type: C.CKA_DERIVE, value: true },
  ]);
  const ikm = knownKey(C.CKK_GENERIC_SECRET, Buffer.alloc(32, 7));
  const parameter = {
    type: C.CK_PARAMS_HKDF,
    extract: true,
    expand: true,
    prfHashMechanism: C.CKM_SHA256,
    saltType: C.CKF_HKDF_SALT_KEY,
    saltKey: salt,
    info: Buffer.from("info"),
  };
  const out = derive(C.CKM_HKDF_DERIVE, parameter, ikm, [...generic(32), { type: C.CKA_SENSITIVE, value: false }, { type: C.CKA_EXTRACTABLE, value: true }]);
  throwsRv(() => attr(p, s, out, C.CKA_VALUE), "CKR_ATTRIBUTE_SENSITIVE");
  throwsRv(
    () => derive(C.CKM_HKDF_DATA, parameter, ikm, [{ type: C.CKA_CLASS, value: C.CKO_DATA }, { type: C.CKA_VALUE_LEN, value: 32 }]),
    "CKR_KEY_FUNCTION_NOT_PERMITTED",
  );
});

test("CKA_PRIVATE false on secrets: refused for token keys and for copies; nothing readable on disk", (t) => {
  const tmp = tempDir("pkcs11-wasm-private-");
  t.after(tmp.remove);
  const q = open({ kdfIterations: KDF, slots: [{ storage: { directory: join(tmp.dir, "token") } }] });
  initToken(q, slotOf(q), "private rule");
  const qs = session(q, slotOf(q));
  const value = crypto.randomBytes(32);
  const sensitive = q.C_CreateObject(qs, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_VALUE, value },
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_SENSITIVE, value: true },
    { type: C.CKA_LABEL, value: "victim" },
  ]);
  assert.equal(attr(q, qs, sensitive, C.CKA_PRIVATE)[0], 1, "private by default");
  // The attack: a public copy, stored in clear and usable without login.
  throwsRv(() => q.C_CopyObject(qs, sensitive, [{ type: C.CKA_PRIVATE, value: false }]), "CKR_ATTRIBUTE_READ_ONLY");
  const publicToken = [{ type: C.CKA_TOKEN, value: true }, { type: C.CKA_PRIVATE, value: false }];
  throwsRv(
    () => q.C_CreateObject(qs, [{ type: C.CKA_CLASS, value: C.CKO_SECRET_KEY }, { type: C.CKA_KEY_TYPE, value: C.CKK_AES }, { type: C.CKA_VALUE, value }, ...publicToken]),
    "CKR_TEMPLATE_INCONSISTENT",
  );
  throwsRv(() => q.C_GenerateKey(qs, { mechanism: C.CKM_AES_KEY_GEN }, [{ type: C.CKA_VALUE_LEN, value: 16 }, ...publicToken]), "CKR_TEMPLATE_INCONSISTENT");
  throwsRv(
    () =>
      q.C_GenerateKeyPair(
        qs,
        { mechanism: C.CKM_EC_KEY_PAIR_GEN },
        [{ type: C.CKA_EC_PARAMS, value: Buffer.from("06082a8648ce3d030107", "hex") }, { type: C.CKA_TOKEN, value: true }],
        publicToken,
      ),
    "CKR_TEMPLATE_INCONSISTENT",
  );
  // A public session copy cannot reach the token either.
  const sessionCopy = q.C_CopyObject(qs, sensitive, [{ type: C.CKA_TOKEN, value: false }]);
  throwsRv(() => q.C_CopyObject(qs, sessionCopy, [{ type: C.CKA_TOKEN, value: true }, { type: C.CKA_PRIVATE, value: false }]), "CKR_ATTRIBUTE_READ_ONLY");
  q.C_Logout(qs);
  assert.deepEqual(findAll(q, qs), [], "no key is usable without login");
  q.C_Finalize();
  const files = walk(tmp.dir);
  assert.ok(files.length > 0);
  assertAbsent(files, value, "the key value in any stored file");
});
