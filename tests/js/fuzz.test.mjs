// Randomized garbage-argument test of the pkcs11js facade: every C_* method
// (sync, callback and Async forms) is called many times with wrong types,
// wrong argument counts, random handles, templates and mechanisms. Each
// call must succeed or fail with a TypeError or a Pkcs11Error/NativeError
// (pkcs11js' plain Error("CKR_X:n") is accepted for the methods it leaves
// unwrapped) -- never a wasm trap, another error type, or a non-Error.
// Afterwards the token must still work.
//
// FUZZ_SEED=<n> replays a run; FUZZ_CALLS and FUZZ_SECONDS bound it.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { createRequire } from "node:module";
import { mulberry32 } from "../../scripts/bench/seeded-random.mjs";

const require = createRequire(import.meta.url);
const pkcs11js = require("../../pkg/index.cjs");
const { PKCS11, Pkcs11Error, NativeError } = pkcs11js;
const C = pkcs11js;

const SEED = Number(process.env.FUZZ_SEED ?? crypto.randomInt(2 ** 31));
const MAX_CALLS = Number(process.env.FUZZ_CALLS ?? 30000);
const MAX_MS = Number(process.env.FUZZ_SECONDS ?? 40) * 1000;
const CALLBACK_TIMEOUT_MS = 5000;

const SO_PIN = "fuzz-so-pin-never-in-the-pool";
const USER_PIN = "fuzz-user-pin";
/** The user PIN now: a fuzzed C_SetPIN may change it. */
let userPin = USER_PIN;
// No lockout: random wrong PINs must not lock the user out of the final check.
const GOOD_INIT = { libraryParameters: JSON.stringify({ kdfIterations: "insecure-test", maxPinTries: 0 }) };
const RW = C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION;
const P256_OID = Buffer.from("06082a8648ce3d030107", "hex");

// ------------------------------------------------------------- the PRNG

const rand = mulberry32(SEED);
const int = (n) => Math.floor(rand() * n);
const chance = (p) => rand() < p;
const pick = (a) => a[int(a.length)];
const u32 = () => int(2 ** 32);
const bytes = (n) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
};
/** A Uint8Array subclass whose length getters say anything. */
class Lying extends Uint8Array {
  get length() {
    return int(2 * super.length + 2);
  }
  get byteLength() {
    return int(2 * super.byteLength + 2);
  }
}

/**
 * `n` bytes as a view that is not a plain Buffer: own `length`/`byteLength`
 * that lie (a short one overflowed the wasm heap before stop 27), a lying
 * subclass, a DataView, a SharedArrayBuffer, a resizable (length-tracking)
 * ArrayBuffer, or a detached one.
 */
const exoticBytes = (n) => {
  const real = bytes(n);
  switch (int(7)) {
    case 0: {
      Object.defineProperty(real, "length", { value: int(n + 1) });
      return real;
    }
    case 1: {
      Object.defineProperty(real, "byteLength", { value: int(2 * n + 2) });
      Object.defineProperty(real, "length", { value: 2 * n + 1 });
      return real;
    }
    case 2:
      return new Lying(real);
    case 3:
      return new DataView(real.buffer, real.byteOffset, real.byteLength);
    case 4: {
      const v = new Uint8Array(new SharedArrayBuffer(n));
      v.set(real);
      return v;
    }
    case 5: {
      const v = new Uint8Array(new ArrayBuffer(n, { maxByteLength: 2 * n + 16 }));
      v.set(real);
      return v;
    }
    default: {
      const v = new Uint8Array(real);
      structuredClone(v.buffer, { transfer: [v.buffer] });
      return v;
    }
  }
};

const handleBuf = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

// ------------------------------------------------------------- token setup

const pkcs11 = new PKCS11();
pkcs11.C_Initialize(GOOD_INIT);
const slot = pkcs11.C_GetSlotList(true).find((x) => !(pkcs11.C_GetTokenInfo(x).flags & C.CKF_TOKEN_INITIALIZED));
pkcs11.C_InitToken(slot, SO_PIN, "fuzz");
{
  const s = pkcs11.C_OpenSession(slot, RW);
  pkcs11.C_Login(s, C.CKU_SO, SO_PIN);
  pkcs11.C_InitPIN(s, USER_PIN);
  pkcs11.C_Logout(s);
  pkcs11.C_CloseSession(s);
}

const pool = {
  sessions: [],
  staleSessions: [],
  slots: [],
  objects: [],
  mechanisms: [],
  ecPoint: Buffer.alloc(65, 4),
  keyValues: [],
  /** Pool objects by kind: aes, hmac, rsaPublic, rsaPrivate, ecPublic, ecPrivate, data. */
  keys: {},
  /** Objects the fuzzer made (destroyable, modifiable), newest last. */
  created: [],
  /** An AES key wrapped with AES-CBC-PAD under pool AES key, and its IV. */
  wrapped: Buffer.alloc(48),
  wrapIv: Buffer.alloc(16),
};
let session;

// Pool objects are public, indestructible, unmodifiable token objects, so
// they survive the fuzzer's C_Logout / C_CloseAllSessions / C_Finalize.
const fixed = [
  { type: C.CKA_TOKEN, value: true },
  { type: C.CKA_PRIVATE, value: false },
  { type: C.CKA_DESTROYABLE, value: false },
  { type: C.CKA_MODIFIABLE, value: false },
  { type: C.CKA_LABEL, value: "pool" },
];
// Secret and private keys must be private on the token (public token
// secrets are refused): they come back, under new handles, at each login.
const fixedSecret = fixed.map((a) => (a.type === C.CKA_PRIVATE ? { ...a, value: true } : a));
const usage = [C.CKA_ENCRYPT, C.CKA_DECRYPT, C.CKA_SIGN, C.CKA_VERIFY, C.CKA_WRAP, C.CKA_UNWRAP, C.CKA_DERIVE];

function openSession() {
  session = pkcs11.C_OpenSession(slot, RW);
  pool.sessions = [session, pkcs11.C_OpenSession(slot, C.CKF_SERIAL_SESSION)];
  try {
    pkcs11.C_Login(session, C.CKU_USER, userPin);
  } catch (e) {
    if (!(e instanceof Pkcs11Error && e.code === C.CKR_USER_ALREADY_LOGGED_IN)) throw e;
  }
}

function makePool() {
  const s = session;
  const aesValue = bytes(32);
  const hmacValue = bytes(32);
  pool.keyValues = [aesValue, hmacValue];
  pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_VALUE, value: aesValue },
    { type: C.CKA_EXTRACTABLE, value: true },
    ...usage.map((type) => ({ type, value: true })),
    ...fixedSecret,
  ]);
  pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
    { type: C.CKA_VALUE, value: hmacValue },
    { type: C.CKA_SIGN, value: true },
    { type: C.CKA_VERIFY, value: true },
    { type: C.CKA_DERIVE, value: true },
    ...fixedSecret,
  ]);
  pkcs11.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [{ type: C.CKA_VALUE_LEN, value: 16 }, { type: C.CKA_SENSITIVE, value: true }, ...fixedSecret]);
  pkcs11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [{ type: C.CKA_MODULUS_BITS, value: 2048 }, { type: C.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }, ...fixed],
    [{ type: C.CKA_EXTRACTABLE, value: true }, ...fixedSecret],
  );
  const ec = pkcs11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_EC_KEY_PAIR_GEN },
    [{ type: C.CKA_EC_PARAMS, value: P256_OID }, ...fixed],
    [{ type: C.CKA_DERIVE, value: true }, ...fixedSecret],
  );
  const point = pkcs11.C_GetAttributeValue(s, ec.publicKey, [{ type: C.CKA_EC_POINT }])[0].value;
  pool.ecPoint = point.length === 67 ? point.subarray(2) : point;
  pkcs11.C_CreateObject(s, [{ type: C.CKA_CLASS, value: C.CKO_DATA }, { type: C.CKA_VALUE, value: bytes(20) }, ...fixed]);
}

function findPoolObjects() {
  try {
    pkcs11.C_FindObjectsFinal(session);
  } catch {
    /* no search active */
  }
  pkcs11.C_FindObjectsInit(session, [{ type: C.CKA_LABEL, value: "pool" }]);
  pool.objects = pkcs11.C_FindObjects(session, 100);
  pkcs11.C_FindObjectsFinal(session);
  const kinds = { [C.CKK_AES]: "aes", [C.CKK_GENERIC_SECRET]: "hmac", [C.CKK_RSA]: "rsa", [C.CKK_EC]: "ec" };
  pool.keys = {};
  for (const h of pool.objects) {
    const [cls] = pkcs11.C_GetAttributeValue(session, h, [{ type: C.CKA_CLASS }]);
    const c = cls.value.readUInt32LE(0);
    if (c === C.CKO_DATA) {
      (pool.keys.data ??= []).push(h);
      continue;
    }
    const [kt, enc] = pkcs11.C_GetAttributeValue(session, h, [{ type: C.CKA_KEY_TYPE }, { type: C.CKA_CLASS }]);
    const kind = kinds[kt.value.readUInt32LE(0)];
    const suffix = enc.value.readUInt32LE(0) === C.CKO_PUBLIC_KEY ? "Public" : enc.value.readUInt32LE(0) === C.CKO_PRIVATE_KEY ? "Private" : "";
    (pool.keys[kind + suffix] ??= []).push(h);
  }
}
const key = (kind) => pick(pool.keys[kind] ?? pool.objects);

openSession();
makePool();
findPoolObjects();
const originals = [...pool.objects];
// Stable across logins (the private ones come back under new handles).
const originalIds = originals.map((h) => pkcs11.C_GetAttributeValue(session, h, [{ type: C.CKA_UNIQUE_ID }])[0].value);
pool.wrapIv = bytes(16);
pool.wrapped = pkcs11.C_WrapKey(session, { mechanism: C.CKM_AES_CBC_PAD, parameter: pool.wrapIv }, pool.keys.aes[0], pool.keys.aes[0], Buffer.alloc(64));
pool.slots = pkcs11.C_GetSlotList(false);
pool.mechanisms = pkcs11.C_GetMechanismList(slot);

/** Brings the harness back to: initialized, our R/W session open, user
 * logged in. Runs after every call, so the fuzzer keeps reaching deep. */
let repairs = 0;
function repair() {
  let ok = false;
  try {
    ok = pkcs11.C_GetSessionInfo(session).state === 3; // CKS_RW_USER_FUNCTIONS
  } catch {
    ok = false;
  }
  if (ok) return;
  repairs++;
  try {
    pkcs11.C_Initialize(GOOD_INIT);
  } catch (e) {
    if (!(e instanceof Pkcs11Error && e.code === C.CKR_CRYPTOKI_ALREADY_INITIALIZED)) throw e;
  }
  pool.staleSessions.push(...pool.sessions);
  pool.staleSessions = pool.staleSessions.slice(-8);
  try {
    pkcs11.C_CloseSession(session);
  } catch {
    /* already gone */
  }
  openSession();
  findPoolObjects();
}

/** After the fuzzer initialized or finalized the library, restart it with
 * the harness configuration (a garbage libraryParameters may have been
 * accepted with defaults, which would enable PIN lockout). */
function reinit() {
  try {
    pkcs11.C_Finalize();
  } catch {
    /* not initialized */
  }
  pkcs11.C_Initialize(GOOD_INIT);
  openSession();
  findPoolObjects();
  repairs++;
}

// ---------------------------------------------------------- garbage makers

const hostile = () => ({
  valueOf() {
    throw new Error("valueOf must not be called");
  },
  toString() {
    throw new Error("toString must not be called");
  },
});

const GARBAGE = [
  () => undefined,
  () => null,
  () => 0,
  () => 1,
  () => -1,
  () => NaN,
  () => Infinity,
  () => -Infinity,
  () => 2 ** 32,
  () => 2 ** 32 - 1,
  () => 2 ** 53,
  () => 2 ** 64,
  () => 0.5,
  () => -0,
  () => u32(),
  () => "",
  () => "abc",
  () => "\u0000",
  () => "x".repeat(int(3000)),
  () => "ünïcödé \u{1F511}",
  () => true,
  () => false,
  () => ({}),
  () => [],
  () => [u32(), "a"],
  () => ({ type: u32() }),
  () => ({ mechanism: u32() }),
  () => Buffer.alloc(0),
  () => bytes(8),
  () => bytes(8),
  () => handleBuf(int(300)),
  () => bytes(int(64)),
  () => bytes(pick([1, 4, 7, 9, 16, 24, 32, 33, 65, 255, 256, 1024, 65536])),
  () => new Uint8Array(bytes(int(16))),
  () => exoticBytes(int(64)),
  () => exoticBytes(pick([8, 16, 4096])),
  () => new ArrayBuffer(8),
  () => new Uint32Array(2),
  () => 1n,
  () => 2n ** 64n,
  () => Symbol("garbage"),
  () => () => {},
  () => new Date(int(2e12)),
  () => new Map(),
  () => hostile(),
  () => pick(pool.objects),
  () => pick(pool.created.length ? pool.created : pool.objects),
  () => pick(pool.sessions),
  () => pick(pool.slots),
];
const garbage = () => pick(GARBAGE)();

const NUMBERS = [0, 1, 2, 3, 4, 6, 7, 8, 12, 16, 20, 24, 32, 64, 96, 128, 256, 1024, 2048, 65537, 2 ** 31, 2 ** 32 - 1, -1, NaN, 1.5];
const number = () => (chance(0.8) ? pick(NUMBERS) : u32());

const ATTRIBUTE_TYPES = Object.entries(C)
  .filter(([k, v]) => k.startsWith("CKA_") && typeof v === "number")
  .map(([, v]) => v);

function attrValue() {
  switch (int(9)) {
    case 0:
      return chance(0.5);
    case 1:
      return number();
    case 2:
      return bytes(pick([0, 1, 8, 16, 24, 32, 65, 67, 256]));
    case 3:
      return pick(["", "label", "pool", "20250101", "x".repeat(300)]);
    case 4:
      return pick([P256_OID, pool.ecPoint, Buffer.concat([Buffer.from([4, 0x41]), pool.ecPoint]), ...pool.keyValues]);
    case 5:
      return null;
    case 6:
      return undefined;
    default:
      return garbage();
  }
}

function attribute() {
  if (chance(0.05)) return garbage();
  const a = { type: chance(0.9) ? pick(ATTRIBUTE_TYPES) : chance(0.5) ? u32() : garbage() };
  if (!chance(0.1)) a.value = attrValue();
  return a;
}

const GOOD_TEMPLATES = [
  () => [{ type: C.CKA_VALUE_LEN, value: pick([16, 24, 32, 0, 33, 2 ** 31]) }, { type: C.CKA_TOKEN, value: false }],
  () => [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: pick([C.CKK_AES, C.CKK_GENERIC_SECRET, u32()]) },
    { type: C.CKA_VALUE, value: bytes(pick([0, 15, 16, 32, 64])) },
    { type: C.CKA_TOKEN, value: false },
  ],
  () => [{ type: C.CKA_MODULUS_BITS, value: pick([1024, 0, 1, 100, 2 ** 31, 2 ** 32 - 1]) }, { type: C.CKA_PUBLIC_EXPONENT, value: pick([Buffer.from([1, 0, 1]), Buffer.from([3]), Buffer.alloc(0), bytes(9)]) }],
  () => [{ type: C.CKA_EC_PARAMS, value: pick([P256_OID, bytes(10), Buffer.alloc(0)]) }, { type: C.CKA_TOKEN, value: false }],
  () => [
    { type: C.CKA_CLASS, value: pick([C.CKO_PRIVATE_KEY, C.CKO_PUBLIC_KEY]) },
    { type: C.CKA_KEY_TYPE, value: pick([C.CKK_RSA, C.CKK_EC]) },
    { type: C.CKA_MODULUS, value: bytes(pick([0, 128, 256])) },
    { type: C.CKA_PUBLIC_EXPONENT, value: bytes(pick([0, 1, 3])) },
    { type: C.CKA_EC_PARAMS, value: P256_OID },
    { type: C.CKA_EC_POINT, value: bytes(pick([0, 65, 67])) },
    { type: C.CKA_VALUE, value: bytes(pick([0, 32, 33])) },
    { type: C.CKA_TOKEN, value: false },
  ],
  () => [{ type: C.CKA_CLASS, value: C.CKO_DATA }, { type: C.CKA_TOKEN, value: chance(0.5) }, { type: C.CKA_LABEL, value: "data" }],
  () => [{ type: C.CKA_LABEL, value: "pool" }],
  () => [{ type: C.CKA_SENSITIVE, value: chance(0.5) }, { type: C.CKA_EXTRACTABLE, value: chance(0.5) }, { type: C.CKA_LABEL, value: "changed" }],
  () => [{ type: C.CKA_START_DATE, value: pick(["20250101", "2025", Buffer.alloc(8), new Date(), 5]) }],
  () => [{ type: C.CKA_VALUE }, { type: C.CKA_MODULUS }, { type: C.CKA_EC_POINT }, { type: C.CKA_CLASS, value: null }],
];

function template() {
  if (chance(0.1)) return garbage();
  if (chance(0.5)) {
    const t = pick(GOOD_TEMPLATES)();
    if (chance(0.5) && t.length) t[int(t.length)] = attribute();
    if (chance(0.3)) t.push(attribute());
    return t;
  }
  return Array.from({ length: int(7) }, attribute);
}

const PARAM_FIELDS = [
  "iv", "aad", "tagBits", "ivBits", "data", "hashAlg", "mgf", "saltLen", "source", "sourceData", "kdf", "publicData",
  "sharedData", "dataLength", "macLength", "dataLen", "macLen", "nonce", "privateDataLen", "privateData", "publicData2",
  "otherInfo", "publicKey", "isSender", "randomA", "randomB", "effectiveBits", "wordSize", "rounds", "initVector",
  "password", "salt", "iteration", "bc", "x", "wrapOID", "ukm", "key", "counterBits", "cb",
];

function paramObject() {
  const o = { type: chance(0.85) ? int(31) : garbage() };
  for (const f of PARAM_FIELDS) {
    if (!chance(0.25)) continue;
    o[f] = chance(0.5) ? pick([bytes(pick([0, 1, 8, 12, 16, 24, 32, 65, 300])), number(), pool.ecPoint, pick(pool.objects)]) : garbage();
  }
  return o;
}

const GOOD_MECHANISMS = [
  () => ({ mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv: bytes(pick([0, 1, 12, 16, 300])), aad: chance(0.5) ? bytes(int(40)) : undefined, tagBits: pick([0, 32, 96, 104, 128, 129, 2 ** 32 - 1]) } }),
  () => ({ mechanism: pick([C.CKM_AES_CBC, C.CKM_AES_CBC_PAD]), parameter: bytes(pick([0, 8, 15, 16, 17])) }),
  () => ({ mechanism: C.CKM_AES_ECB }),
  () => ({ mechanism: C.CKM_AES_CTR, parameter: Buffer.concat([handleBuf(pick([0, 1, 32, 64, 128, 129, 2 ** 40])), bytes(16)]) }),
  () => ({ mechanism: pick([C.CKM_SHA_1, C.CKM_SHA224, C.CKM_SHA256, C.CKM_SHA384, C.CKM_SHA512]) }),
  () => ({ mechanism: pick([C.CKM_SHA256_HMAC, C.CKM_SHA_1_HMAC, C.CKM_SHA512_HMAC]), parameter: chance(0.2) ? number() : undefined }),
  () => ({ mechanism: pick([C.CKM_RSA_PKCS, C.CKM_SHA256_RSA_PKCS, C.CKM_SHA1_RSA_PKCS]) }),
  () => ({ mechanism: pick([C.CKM_RSA_PKCS_PSS, C.CKM_SHA256_RSA_PKCS_PSS]), parameter: { type: C.CK_PARAMS_RSA_PSS, hashAlg: pick([C.CKM_SHA256, C.CKM_SHA_1, u32()]), mgf: pick([C.CKG_MGF1_SHA256, 0, 99]), saltLen: pick([0, 32, 222, 2 ** 32 - 1]) } }),
  () => ({ mechanism: C.CKM_RSA_PKCS_OAEP, parameter: { type: C.CK_PARAMS_RSA_OAEP, hashAlg: pick([C.CKM_SHA256, C.CKM_SHA_1, 7]), mgf: pick([C.CKG_MGF1_SHA256, C.CKG_MGF1_SHA1, 0]), source: pick([0, 1, 2]), sourceData: chance(0.5) ? bytes(int(20)) : undefined } }),
  () => ({ mechanism: pick([C.CKM_ECDSA, C.CKM_ECDSA_SHA256]) }),
  () => ({ mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: pick([C.CKD_NULL, C.CKD_SHA1_KDF, 77]), publicData: pick([pool.ecPoint, bytes(65), Buffer.alloc(0), bytes(33)]), sharedData: chance(0.3) ? bytes(8) : undefined } }),
  () => ({ mechanism: pick([C.CKM_AES_KEY_GEN, C.CKM_GENERIC_SECRET_KEY_GEN, C.CKM_RSA_PKCS_KEY_PAIR_GEN, C.CKM_EC_KEY_PAIR_GEN]) }),
];

function mechanism() {
  if (chance(0.1)) return garbage();
  if (chance(0.5)) {
    const m = pick(GOOD_MECHANISMS)();
    if (chance(0.3)) m.parameter = chance(0.5) ? paramObject() : garbage();
    return m;
  }
  const m = { mechanism: chance(0.7) ? pick(pool.mechanisms) : chance(0.5) ? u32() : garbage() };
  const r = int(6);
  if (r === 1) m.parameter = bytes(pick([0, 8, 12, 16, 24, 32]));
  else if (r === 2) m.parameter = number();
  else if (r === 3 || r === 4) m.parameter = paramObject();
  else if (r === 5) m.parameter = garbage();
  return m;
}

const PINS = ["", "1", "123", "1234", "wrong-pin", "x".repeat(300), "ünï", "\u0000\u0000\u0000\u0000"];
const INIT_OPTIONS = [
  () => undefined,
  () => null,
  () => ({}),
  () => ({ flags: u32() }),
  () => ({ flags: C.CKF_OS_LOCKING_OK }),
  () => GOOD_INIT,
  () => ({ libraryParameters: JSON.stringify({ kdfIterations: pick([0, 1, 1000, 2 ** 32 - 1, -1]), maxPinTries: 0 }) }),
  () => ({ libraryParameters: pick(["", "{", "null", "[]", '{"unknown":1}', '{"kdfIterations":"x"}', "x".repeat(1000)]) }),
  () => ({ libraryParameters: garbage() }),
];

/** A value for an argument of the given kind: usually plausible, so calls
 * get past the first check, sometimes garbage. */
function arg(kind) {
  if (chance(0.12)) return garbage();
  switch (kind) {
    case "slot":
      return chance(0.8) ? pick(pool.slots) : handleBuf(int(10));
    case "session":
      return chance(0.75) ? session : chance(0.4) ? pool.sessions[1] : chance(0.5) ? pick(pool.staleSessions.length ? pool.staleSessions : pool.sessions) : handleBuf(int(100));
    case "object":
      return chance(0.45) ? pick(pool.objects) : chance(0.7) && pool.created.length ? pick(pool.created) : handleBuf(int(300));
    case "mech":
      return mechanism();
    case "mechType":
      return chance(0.8) ? pick(pool.mechanisms) : number();
    case "tmpl":
      return template();
    case "buf":
      if (chance(0.1)) return exoticBytes(pick([0, 16, 32, 100, 4096]));
      return chance(0.2) ? pick([pool.ecPoint, ...pool.keyValues]) : bytes(pick([0, 1, 15, 16, 20, 28, 32, 48, 64, 100, 256, 1000]));
    case "out":
      if (chance(0.1)) return exoticBytes(pick([0, 16, 64, 4096]));
      return Buffer.alloc(pick([0, 1, 8, 15, 16, 20, 32, 48, 64, 100, 255, 256, 512, 1024, 4096, 1 << 20]));
    case "count":
      return pick([0, 1, 2, 10, 100, 2 ** 31, 2 ** 32 - 1, -1, NaN, 1.5]);
    case "flags":
      return pick([0, 1, 2, 4, 6, RW, u32()]);
    case "userType":
      return pick([C.CKU_USER, C.CKU_USER, C.CKU_SO, C.CKU_CONTEXT_SPECIFIC, 3, -1, u32()]);
    case "pin":
      return pick(PINS);
    case "userPin":
      return chance(0.4) ? userPin : pick(PINS);
    case "label":
      return pick(["", "fuzz label", "x".repeat(100)]);
    case "bool":
      return chance(0.5);
    case "init":
      return pick(INIT_OPTIONS)();
    default:
      return garbage();
  }
}

// Argument kinds of the pkcs11js methods (sync form).
const SIGNATURES = {
  C_Initialize: ["init"],
  C_Finalize: [],
  C_GetInfo: [],
  C_GetSlotList: ["bool"],
  C_GetSlotInfo: ["slot"],
  C_GetTokenInfo: ["slot"],
  C_GetMechanismList: ["slot"],
  C_GetMechanismInfo: ["slot", "mechType"],
  C_InitToken: ["slot", "pin", "label"],
  C_InitPIN: ["session", "pin"],
  C_SetPIN: ["session", "userPin", "pin"],
  C_OpenSession: ["slot", "flags"],
  C_CloseSession: ["session"],
  C_CloseAllSessions: ["slot"],
  C_GetSessionInfo: ["session"],
  C_GetOperationState: ["session"],
  C_SetOperationState: ["session", "buf", "object", "object"],
  C_Login: ["session", "userType", "userPin"],
  C_Logout: ["session"],
  C_CreateObject: ["session", "tmpl"],
  C_CopyObject: ["session", "object", "tmpl"],
  C_DestroyObject: ["session", "object"],
  C_GetObjectSize: ["session", "object"],
  C_GetAttributeValue: ["session", "object", "tmpl"],
  C_SetAttributeValue: ["session", "object", "tmpl"],
  C_FindObjectsInit: ["session", "tmpl"],
  C_FindObjects: ["session", "count"],
  C_FindObjectsFinal: ["session"],
  C_EncryptInit: ["session", "mech", "object"],
  C_Encrypt: ["session", "buf", "out"],
  C_EncryptUpdate: ["session", "buf", "out"],
  C_EncryptFinal: ["session", "out"],
  C_DecryptInit: ["session", "mech", "object"],
  C_Decrypt: ["session", "buf", "out"],
  C_DecryptUpdate: ["session", "buf", "out"],
  C_DecryptFinal: ["session", "out"],
  C_DigestInit: ["session", "mech"],
  C_Digest: ["session", "buf", "out"],
  C_DigestUpdate: ["session", "buf"],
  C_DigestKey: ["session", "object"],
  C_DigestFinal: ["session", "out"],
  C_SignInit: ["session", "mech", "object"],
  C_Sign: ["session", "buf", "out"],
  C_SignUpdate: ["session", "buf"],
  C_SignFinal: ["session", "out"],
  C_SignRecoverInit: ["session", "mech", "object"],
  C_SignRecover: ["session", "buf", "out"],
  C_VerifyInit: ["session", "mech", "object"],
  C_Verify: ["session", "buf", "buf"],
  C_VerifyUpdate: ["session", "buf"],
  C_VerifyFinal: ["session", "buf"],
  C_VerifyRecoverInit: ["session", "mech", "object"],
  C_VerifyRecover: ["session", "buf", "out"],
  C_DigestEncryptUpdate: ["session", "buf", "out"],
  C_DecryptDigestUpdate: ["session", "buf", "out"],
  C_SignEncryptUpdate: ["session", "buf", "out"],
  C_DecryptVerifyUpdate: ["session", "buf", "out"],
  C_GenerateKey: ["session", "mech", "tmpl"],
  C_GenerateKeyPair: ["session", "mech", "tmpl", "tmpl"],
  C_WrapKey: ["session", "mech", "object", "object", "out"],
  C_UnwrapKey: ["session", "mech", "object", "buf", "tmpl"],
  C_DeriveKey: ["session", "mech", "object", "tmpl"],
  C_SeedRandom: ["session", "buf"],
  C_GenerateRandom: ["session", "out"],
  C_WaitForSlotEvent: ["flags"],
};
const S = () => session;
// Public session objects: they survive the fuzzer's C_Logout calls.
const secretTemplate = () => [
  { type: C.CKA_PRIVATE, value: false },
  { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
  { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
  { type: C.CKA_TOKEN, value: false },
  { type: C.CKA_EXTRACTABLE, value: true },
];
const encMech = () => pick(GOOD_MECHANISMS.slice(0, 4))();
const rsaEnc = () => pick([{ mechanism: C.CKM_RSA_PKCS }, GOOD_MECHANISMS[8]()]);
const signPair = () =>
  pick([
    () => [{ mechanism: pick([C.CKM_SHA256_HMAC, C.CKM_SHA_1_HMAC, C.CKM_SHA512_HMAC]) }, "hmac"],
    () => [GOOD_MECHANISMS[6](), "rsa"],
    () => [GOOD_MECHANISMS[7](), "rsa"],
    () => [{ mechanism: pick([C.CKM_ECDSA, C.CKM_ECDSA_SHA256]) }, "ec"],
  ])();

/** Valid argument lists (before mutation) for the methods that need a
 * particular combination to get anywhere. */
const GOOD_ARGS = {
  C_GenerateKey: () => [
    S(),
    { mechanism: pick([C.CKM_AES_KEY_GEN, C.CKM_GENERIC_SECRET_KEY_GEN]) },
    [{ type: C.CKA_VALUE_LEN, value: pick([16, 32]) }, { type: C.CKA_TOKEN, value: false }, { type: C.CKA_PRIVATE, value: false }],
  ],
  C_GenerateKeyPair: () =>
    chance(0.9)
      ? [S(), { mechanism: C.CKM_EC_KEY_PAIR_GEN }, [{ type: C.CKA_EC_PARAMS, value: P256_OID }, { type: C.CKA_TOKEN, value: false }], [{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_PRIVATE, value: false }, { type: C.CKA_DERIVE, value: true }]]
      : [S(), { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN }, [{ type: C.CKA_MODULUS_BITS, value: 1024 }, { type: C.CKA_TOKEN, value: false }], [{ type: C.CKA_TOKEN, value: false }]],
  C_DeriveKey: () => [S(), GOOD_MECHANISMS[10](), key("ecPrivate"), [...secretTemplate(), { type: C.CKA_VALUE_LEN, value: pick([16, 32]) }]],
  C_WrapKey: () => [S(), { mechanism: C.CKM_AES_CBC_PAD, parameter: bytes(16) }, key("aes"), pick([key("aes"), key("rsaPrivate")]), Buffer.alloc(pick([16, 48, 4096]))],
  C_UnwrapKey: () => [S(), { mechanism: C.CKM_AES_CBC_PAD, parameter: pool.wrapIv }, key("aes"), chance(0.7) ? pool.wrapped : bytes(pick([16, 32, 48])), secretTemplate()],
  C_CreateObject: () => [S(), chance(0.5) ? [...secretTemplate(), { type: C.CKA_VALUE, value: bytes(pick([16, 32])) }] : [{ type: C.CKA_CLASS, value: C.CKO_DATA }, { type: C.CKA_PRIVATE, value: false }, { type: C.CKA_VALUE, value: bytes(8) }]],
  C_CopyObject: () => [S(), pick(pool.created.length ? pool.created : pool.objects), [{ type: C.CKA_LABEL, value: "copy" }]],
  C_SetAttributeValue: () => [S(), pool.created.at(-1) ?? pick(pool.objects), [{ type: C.CKA_LABEL, value: "set" }]],
  C_DestroyObject: () => [S(), pick(pool.created.length ? pool.created : pool.objects)],
  C_GetAttributeValue: () => [S(), pick([...pool.objects, ...pool.created]), [{ type: pick(ATTRIBUTE_TYPES) }]],
  C_EncryptInit: () => (chance(0.7) ? [S(), encMech(), key("aes")] : [S(), rsaEnc(), key("rsaPublic")]),
  C_DecryptInit: () => (chance(0.7) ? [S(), encMech(), key("aes")] : [S(), rsaEnc(), key("rsaPrivate")]),
  C_SignInit: () => {
    const [m, k] = signPair();
    return [S(), m, key(k === "hmac" ? "hmac" : `${k}Private`)];
  },
  C_VerifyInit: () => {
    const [m, k] = signPair();
    return [S(), m, key(k === "hmac" ? "hmac" : `${k}Public`)];
  },
  C_DigestInit: () => [S(), GOOD_MECHANISMS[4]()],
  C_FindObjectsInit: () => [S(), chance(0.5) ? [] : [{ type: C.CKA_LABEL, value: "pool" }]],
  C_Login: () => [S(), C.CKU_USER, userPin],
  C_Verify: () => [S(), pool.signed.data, pool.signed.signature],
  C_VerifyFinal: () => [S(), pool.signed.signature],
};

/** Valid calls run (and checked) before a fuzzed call, so that operation
 * steps meet an active operation and logins meet a logged-out token. */
const PREP = {};
const prepWith = (init) => () => pkcs11[init](...GOOD_ARGS[init]());
for (const m of ["C_Encrypt", "C_EncryptUpdate", "C_EncryptFinal", "C_DigestEncryptUpdate", "C_SignEncryptUpdate"]) PREP[m] = prepWith("C_EncryptInit");
for (const m of ["C_Decrypt", "C_DecryptUpdate", "C_DecryptFinal", "C_DecryptDigestUpdate", "C_DecryptVerifyUpdate"]) PREP[m] = prepWith("C_DecryptInit");
for (const m of ["C_Digest", "C_DigestUpdate", "C_DigestKey", "C_DigestFinal"]) PREP[m] = prepWith("C_DigestInit");
for (const m of ["C_Sign", "C_SignUpdate", "C_SignFinal"]) PREP[m] = prepWith("C_SignInit");
for (const m of ["C_Verify", "C_VerifyUpdate", "C_VerifyFinal"]) PREP[m] = prepWith("C_VerifyInit");
for (const m of ["C_FindObjects", "C_FindObjectsFinal"]) PREP[m] = prepWith("C_FindObjectsInit");
// Verification meets a real signature (an HMAC made just before) half the time.
pool.signed = { data: Buffer.alloc(0), signature: Buffer.alloc(32) };
function prepVerify(feed) {
  const m = { mechanism: pick([C.CKM_SHA256_HMAC, C.CKM_SHA_1_HMAC, C.CKM_SHA512_HMAC]) };
  const k = key("hmac");
  const data = bytes(int(100));
  pkcs11.C_SignInit(session, m, k);
  pool.signed = { data, signature: Buffer.from(pkcs11.C_Sign(session, data, Buffer.alloc(64))) };
  pkcs11.C_VerifyInit(session, m, k);
  if (feed) pkcs11.C_VerifyUpdate(session, data);
}
PREP.C_Verify = () => (chance(0.5) ? prepVerify(false) : prepWith("C_VerifyInit")());
PREP.C_VerifyFinal = () => (chance(0.5) ? prepVerify(true) : prepWith("C_VerifyInit")());
PREP.C_Login = () => pkcs11.C_Logout(session);
PREP.C_Initialize = () => pkcs11.C_Finalize();

/** The argument list of one fuzzed call. */
function makeArgs(base, sig) {
  const good = GOOD_ARGS[base];
  if (good && chance(0.4)) {
    const a = good();
    if (chance(0.5)) {
      const i = int(a.length);
      a[i] = chance(0.5) ? garbage() : arg(sig[i] ?? "garbage");
    }
    return a;
  }
  if (chance(0.1)) return Array.from({ length: int(sig.length + 3) }, () => (chance(0.5) ? garbage() : arg(pick(sig.length ? sig : ["garbage"]))));
  return sig.map(arg);
}

/** Remembers what a successful call made, for later calls to use. */
function harvest(base, args, result) {
  const add = (h) => Buffer.isBuffer(h) && h.length === 8 && pool.created.push(h);
  if (["C_CreateObject", "C_CopyObject", "C_GenerateKey", "C_UnwrapKey", "C_DeriveKey"].includes(base)) add(result);
  if (base === "C_GenerateKeyPair" && result) {
    add(result.publicKey);
    add(result.privateKey);
  }
  if (pool.created.length > 40) pool.created.splice(0, pool.created.length - 40);
  if (base === "C_SetPIN") userPin = args[2];
}

// pkcs11js methods whose sync form also takes a trailing callback.
const CALLBACK_OVERLOADS = new Set([
  "C_Digest", "C_Sign", "C_Encrypt", "C_Decrypt", "C_DigestFinal", "C_SignFinal", "C_EncryptFinal", "C_DecryptFinal",
  "C_Verify", "C_VerifyFinal", "C_GenerateKey", "C_GenerateKeyPair", "C_DeriveKey", "C_WrapKey", "C_UnwrapKey",
  "C_DigestEncryptUpdate", "C_DecryptDigestUpdate", "C_SignEncryptUpdate", "C_DecryptVerifyUpdate",
]);

// --------------------------------------------------------------- outcomes

const WASM_FAILURE = /unreachable|RuntimeError|out of bounds|recursive use|already (mutably )?borrowed|panicked|null pointer passed to rust|memory access|stack overflow/i;

/** The category of a thrown value; "BAD: ..." for anything not allowed. */
function classify(e) {
  if (e instanceof Pkcs11Error) {
    if (!Number.isInteger(e.code) || e.code <= 0 || !/^CKR_\w+$/.test(e.message)) return `BAD: malformed Pkcs11Error (${e.message}, code ${e.code})`;
    return "Pkcs11Error";
  }
  if (e instanceof NativeError) return WASM_FAILURE.test(e.message) ? `BAD: NativeError hiding a wasm failure: ${e.message}` : "NativeError";
  if (e instanceof TypeError) return WASM_FAILURE.test(e.message) ? `BAD: TypeError hiding a wasm failure: ${e.message}` : "TypeError";
  if (e instanceof Error && e.constructor === Error && /^CKR_[A-Z0-9_]+:\d+$/.test(e.message)) return "Error(CKR_X:n)";
  if (e instanceof WebAssembly.RuntimeError) return `BAD: WebAssembly.RuntimeError: ${e.message}`;
  if (e instanceof Error) return `BAD: ${e.constructor?.name}: ${e.message}`;
  return `BAD: non-Error thrown: ${typeof e} ${String(e)}`;
}

function describe(v) {
  if (Buffer.isBuffer(v)) return v.length <= 16 ? `<Buffer ${v.toString("hex")}>` : `<Buffer ${v.length} bytes>`;
  if (typeof v === "string") return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...(${v.length})` : v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "symbol") return String(v);
  if (typeof v === "function") return "<function>";
  if (v === undefined) return "undefined";
  try {
    return JSON.stringify(v, (k, x) => (Buffer.isBuffer(x) || x?.type === "Buffer" ? `<${x.length ?? x.data?.length} bytes>` : typeof x === "bigint" ? `${x}n` : x))?.slice(0, 200);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

const delay = (ms) => new Promise((r) => setTimeout(r, ms));

// -------------------------------------------------------------------- test

test(`fuzz every C_* method with garbage (seed ${SEED})`, async (t) => {
  const names = new Set();
  for (let o = pkcs11; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const k of Object.getOwnPropertyNames(o)) if (k.startsWith("C_") && typeof pkcs11[k] === "function") names.add(k);
  }
  const methods = [...names].sort();
  for (const base of Object.keys(SIGNATURES)) assert.ok(names.has(base), `the facade has ${base}`);
  const unknown = methods.filter((m) => !SIGNATURES[m.replace(/(Async|Callback)$/, "")]);

  const counts = {};
  const perMethod = {};
  const succeeded = {};
  const bad = [];
  const pending = [];
  let calls = 0;
  let prepared = 0;
  const start = Date.now();
  const record = (method, args, form, outcome, e) => {
    counts[outcome.startsWith("BAD") ? "BAD" : outcome] = (counts[outcome.startsWith("BAD") ? "BAD" : outcome] ?? 0) + 1;
    perMethod[method] = (perMethod[method] ?? 0) + 1;
    if (outcome === "ok") succeeded[method] = (succeeded[method] ?? 0) + 1;
    if (outcome.startsWith("BAD")) {
      bad.push({ method, form, outcome, args: args.map(describe).join(", "), stack: e?.stack?.split("\n").slice(0, 6).join("\n") });
    }
  };

  for (let round = 0; calls < MAX_CALLS && Date.now() - start < MAX_MS; round++) {
    // Every method once per round, in a fresh random order.
    const order = [...methods];
    for (let i = order.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const method of order) {
      if (calls >= MAX_CALLS || Date.now() - start >= MAX_MS) break;
      calls++;
      const base = method.replace(/(Async|Callback)$/, "");
      const form = method.endsWith("Async") ? "async" : method.endsWith("Callback") ? "callback" : "sync";
      const sig = SIGNATURES[base] ?? Array.from({ length: int(6) }, () => "garbage");
      if (PREP[base] && chance(0.6)) {
        try {
          PREP[base]();
          prepared++;
        } catch (e) {
          const c = classify(e);
          if (c.startsWith("BAD")) record(`${base} (valid set-up call)`, [], "sync", c, e);
        }
      }
      const args = makeArgs(base, sig);
      let callback = null;
      const wantsCallback = form === "callback" || (form === "sync" && CALLBACK_OVERLOADS.has(base) && chance(0.15));
      if (wantsCallback && chance(0.9)) {
        let calledBack = 0;
        let syncReturn = true;
        let resolve;
        const done = new Promise((r) => (resolve = r));
        callback = (err, result) => {
          calledBack++;
          resolve({ err, result, calledBack, synchronous: syncReturn });
        };
        callback.state = () => calledBack;
        callback.done = done;
        callback.returned = () => (syncReturn = false);
        args.push(callback);
      }

      let outcome;
      let thrown;
      try {
        const r = pkcs11[method](...args);
        if (form === "async") {
          if (!(r instanceof Promise)) outcome = `BAD: ${method} did not return a Promise`;
          else {
            try {
              harvest(base, args, await Promise.race([r, delay(CALLBACK_TIMEOUT_MS).then(() => Promise.reject(new Error("Async method never settled")))]));
              outcome = "ok";
            } catch (e) {
              thrown = e;
              outcome = e?.message === "Async method never settled" ? `BAD: ${method} never settled` : classify(e);
            }
          }
        } else if (callback) {
          callback.returned();
          const res = await Promise.race([callback.done, delay(CALLBACK_TIMEOUT_MS).then(() => null)]);
          if (!res) outcome = `BAD: ${method} never called its callback`;
          else if (res.synchronous) outcome = `BAD: ${method} called its callback synchronously`;
          else if (res.err === null || res.err === undefined) {
            outcome = "ok";
            harvest(base, args, res.result);
          }
          else {
            thrown = res.err;
            outcome = classify(res.err);
            if (res.result !== null && res.result !== undefined) outcome = `BAD: callback got an error and a result`;
          }
          pending.push({ method, args, callback });
        } else {
          outcome = "ok";
          harvest(base, args, r);
        }
      } catch (e) {
        thrown = e;
        outcome = form === "async" ? `BAD: ${method} threw synchronously instead of rejecting: ${classify(e)}` : classify(e);
      }
      record(method, args, form, outcome, thrown);

      if (base === "C_Initialize" || base === "C_Finalize") reinit();
      else repair();
    }
  }

  // A callback must be called exactly once.
  await delay(50);
  for (const p of pending) if (p.callback.state() !== 1) record(p.method, p.args, "callback", `BAD: callback called ${p.callback.state()} times`);

  const elapsed = ((Date.now() - start) / 1000).toFixed(1);
  const summary = [
    `seed ${SEED} (replay with FUZZ_SEED=${SEED})`,
    `${calls} calls over ${methods.length} methods in ${elapsed} s (${prepared} valid set-up calls, ${repairs} harness repairs)`,
    `outcomes: ${JSON.stringify(counts)}`,
    `methods not in the pkcs11js signature table (fuzzed with random arguments): ${unknown.join(", ") || "none"}`,
    `methods that never succeeded: ${methods.filter((m) => !succeeded[m]).join(", ") || "none"}`,
  ];
  for (const line of summary) t.diagnostic(line);
  console.log(summary.join("\n"));
  const starved = methods.filter((m) => !perMethod[m]);
  assert.deepEqual(starved, [], "every method was called");
  if (bad.length) {
    const byKind = new Map();
    for (const b of bad) if (!byKind.has(b.method + b.outcome)) byKind.set(b.method + b.outcome, b);
    const report = [...byKind.values()].slice(0, 25).map((b) => `${b.method} [${b.form}] (${b.args}) -> ${b.outcome}\n${b.stack ?? ""}`);
    assert.fail(`${bad.length} disallowed outcomes (seed ${SEED}), distinct:\n${report.join("\n\n")}`);
  }
});

test("the token still works after the fuzzing", () => {
  try {
    pkcs11.C_Initialize(GOOD_INIT);
  } catch (e) {
    assert.ok(e instanceof Pkcs11Error && e.code === C.CKR_CRYPTOKI_ALREADY_INITIALIZED, String(e));
  }
  pkcs11.C_CloseAllSessions(slot);
  const s = pkcs11.C_OpenSession(slot, RW);
  assert.equal(pkcs11.C_GetSessionInfo(s).state, 2, "a fresh R/W public session");
  pkcs11.C_Login(s, C.CKU_USER, userPin);

  const key = pkcs11.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [{ type: C.CKA_VALUE_LEN, value: 32 }, { type: C.CKA_TOKEN, value: false }]);
  const iv = crypto.randomBytes(12);
  const mech = { mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv, aad: Buffer.from("aad"), tagBits: 128 } };
  const data = crypto.randomBytes(100);
  pkcs11.C_EncryptInit(s, mech, key);
  const ct = pkcs11.C_Encrypt(s, data, Buffer.alloc(200));
  assert.equal(ct.length, 116);
  pkcs11.C_DecryptInit(s, mech, key);
  assert.ok(pkcs11.C_Decrypt(s, ct, Buffer.alloc(200)).equals(data), "AES-GCM round trip");

  const { publicKey, privateKey } = pkcs11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_MODULUS_BITS, value: 2048 }, { type: C.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) }],
    [{ type: C.CKA_TOKEN, value: false }],
  );
  pkcs11.C_SignInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, privateKey);
  const sig = pkcs11.C_Sign(s, data, Buffer.alloc(256));
  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, publicKey);
  assert.equal(pkcs11.C_Verify(s, data, sig), true, "RSA sign/verify");
  const bad = Buffer.from(sig);
  bad[0] ^= 1;
  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, publicKey);
  assert.throws(() => pkcs11.C_Verify(s, data, bad), (e) => e instanceof Pkcs11Error && e.code === C.CKR_SIGNATURE_INVALID);

  // The pool objects made before the fuzzing are intact (AES, HMAC,
  // generated AES, RSA pair, EC pair, data object). The private ones have
  // new handles since the fuzzer's logouts: found by label.
  assert.equal(originalIds.length, 8);
  for (const id of originalIds) {
    pkcs11.C_FindObjectsInit(s, [{ type: C.CKA_UNIQUE_ID, value: id }]);
    const [h] = pkcs11.C_FindObjects(s, 2);
    pkcs11.C_FindObjectsFinal(s);
    assert.equal(pkcs11.C_GetAttributeValue(s, h, [{ type: C.CKA_LABEL }])[0].value.toString(), "pool");
  }
  pkcs11.C_CloseSession(s);
  pkcs11.C_Finalize();
});
