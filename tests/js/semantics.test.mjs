// PKCS#11 semantics as a pkcs11js user sees them through the facade:
// session states, login rules, PIN rules, object visibility, attribute
// protection, operation state, error codes (PKCS#11 3.1 sections 4, 5).
// Every error is asserted by its exact CKR_* code.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pkcs11js = require("../../pkg/index.cjs");
const { PKCS11, Pkcs11Error, NativeError } = pkcs11js;
const C = pkcs11js;

// Not exported by pkcs11js (callers write them as literals).
const CKS_RO_PUBLIC_SESSION = 0;
const CKS_RO_USER_FUNCTIONS = 1;
const CKS_RW_PUBLIC_SESSION = 2;
const CKS_RW_USER_FUNCTIONS = 3;
const CKS_RW_SO_FUNCTIONS = 4;
const CK_UNAVAILABLE_INFORMATION_BYTES = Buffer.alloc(8, 0xff);

const SO_PIN = "so-secret-1";
const USER_PIN = "user-secret-1";
const RW = C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION;
const RO = C.CKF_SERIAL_SESSION;

const pkcs11 = new PKCS11();
pkcs11.C_Initialize({ libraryParameters: JSON.stringify({ kdfIterations: "insecure-test" }) });

// ---------------------------------------------------------------- helpers

/** The CK_RV carried by an error, whichever form pkcs11js gives it:
 * a Pkcs11Error (message = name, code = number) or, for the four methods
 * pkcs11js leaves unwrapped, a plain Error("CKR_NAME:code"). */
function rvOf(e) {
  if (e instanceof Pkcs11Error) return { name: e.message, code: e.code };
  const m = /^(CKR_\w+):(\d+)$/.exec(e?.message ?? "");
  return m ? { name: m[1], code: Number(m[2]) } : undefined;
}

/** Asserts that fn throws exactly CKR `name`. */
function throwsRv(fn, name) {
  const code = C[name];
  assert.equal(typeof code, "number", `unknown constant ${name}`);
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `expected ${name} (${code}), but the call succeeded`);
  const rv = rvOf(thrown);
  assert.ok(rv, `expected ${name}, got a non-PKCS#11 error: ${thrown?.stack ?? thrown}`);
  assert.deepEqual(rv, { name, code }, `expected ${name}`);
  return thrown;
}

const ulong = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const hex = (b) => Buffer.from(b).toString("hex");

function attr(session, obj, type) {
  return pkcs11.C_GetAttributeValue(session, obj, [{ type }])[0].value;
}
function attrUlong(session, obj, type) {
  const v = attr(session, obj, type);
  assert.equal(v.length, 8, `attribute 0x${type.toString(16)} is a CK_ULONG (8 bytes)`);
  return Number(v.readBigUInt64LE(0));
}
function attrBool(session, obj, type) {
  const v = attr(session, obj, type);
  assert.equal(v.length, 1, `attribute 0x${type.toString(16)} is a CK_BBOOL (1 byte)`);
  return v[0] === 1;
}

function freeSlot() {
  const free = pkcs11.C_GetSlotList(true).filter((s) => !(pkcs11.C_GetTokenInfo(s).flags & C.CKF_TOKEN_INITIALIZED));
  assert.ok(free.length >= 1, "an uninitialized slot is always offered");
  return free[0];
}

/** A fresh token with the user PIN set, nobody logged in, no session. */
function newToken(label) {
  const slot = freeSlot();
  pkcs11.C_InitToken(slot, SO_PIN, label);
  const s = pkcs11.C_OpenSession(slot, RW);
  pkcs11.C_Login(s, C.CKU_SO, SO_PIN);
  pkcs11.C_InitPIN(s, USER_PIN);
  pkcs11.C_Logout(s);
  pkcs11.C_CloseSession(s);
  return slot;
}

/** A R/W session on a fresh token with the user logged in. */
function userSession(label) {
  const slot = newToken(label);
  const s = pkcs11.C_OpenSession(slot, RW);
  pkcs11.C_Login(s, C.CKU_USER, USER_PIN);
  return { slot, s };
}

/** `base` with the attributes of `extra` replacing those of the same type. */
function merge(base, extra) {
  return [...base.filter((a) => !extra.some((e) => e.type === a.type)), ...extra];
}

function aesKey(s, extra = []) {
  return pkcs11.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, merge([{ type: C.CKA_VALUE_LEN, value: 32 }, { type: C.CKA_TOKEN, value: false }], extra));
}

function aesKeyFromValue(s, value, extra = []) {
  return pkcs11.C_CreateObject(
    s,
    merge(
      [
        { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
        { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
        { type: C.CKA_VALUE, value },
        { type: C.CKA_TOKEN, value: false },
      ],
      extra,
    ),
  );
}

function rsaPair(s, pubExtra = [], privExtra = []) {
  return pkcs11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN },
    merge(
      [
        { type: C.CKA_TOKEN, value: false },
        { type: C.CKA_MODULUS_BITS, value: 2048 },
        { type: C.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        { type: C.CKA_VERIFY, value: true },
      ],
      pubExtra,
    ),
    merge([{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_SIGN, value: true }], privExtra),
  );
}

function dataObject(s, extra) {
  return pkcs11.C_CreateObject(s, merge([{ type: C.CKA_CLASS, value: C.CKO_DATA }, { type: C.CKA_VALUE, value: Buffer.from("payload") }], extra));
}

function findAll(s, template) {
  pkcs11.C_FindObjectsInit(s, template);
  const found = pkcs11.C_FindObjects(s, 100);
  pkcs11.C_FindObjectsFinal(s);
  return found;
}

const gcm = (iv, aad) => ({
  mechanism: C.CKM_AES_GCM,
  parameter: { type: C.CK_PARAMS_AES_GCM, iv, aad, tagBits: 128 },
});

// ------------------------------------------------------------------ tests

// Configured slots (PKCS11_WASM_CONF: group_conformance.test.mjs runs this
// file against token groups) do not grow a free slot.
const configured = process.env.PKCS11_WASM_CONF ? "configured slots: no free slot appears" : false;

test("token flags, and a fresh uninitialized slot appears after C_InitToken", { skip: configured }, () => {
  const before = pkcs11.C_GetSlotList(true);
  const slot = freeSlot();
  let info = pkcs11.C_GetTokenInfo(slot);
  assert.equal(info.flags & C.CKF_TOKEN_INITIALIZED, 0, "free token: not initialized");
  assert.equal(info.flags & C.CKF_USER_PIN_INITIALIZED, 0);
  assert.equal(info.flags & C.CKF_RNG, C.CKF_RNG);
  assert.equal(info.flags & C.CKF_LOGIN_REQUIRED, C.CKF_LOGIN_REQUIRED);

  pkcs11.C_InitToken(slot, SO_PIN, "flags token");
  info = pkcs11.C_GetTokenInfo(slot);
  assert.equal(info.label, "flags token".padEnd(32, " "), "label is blank padded to 32 bytes");
  assert.equal(info.flags & C.CKF_TOKEN_INITIALIZED, C.CKF_TOKEN_INITIALIZED);
  assert.equal(info.flags & C.CKF_USER_PIN_INITIALIZED, 0, "no user PIN yet");
  assert.equal(info.flags & C.CKF_RNG, C.CKF_RNG);
  assert.equal(info.flags & C.CKF_LOGIN_REQUIRED, C.CKF_LOGIN_REQUIRED);

  const after = pkcs11.C_GetSlotList(true);
  assert.equal(after.length, before.length + 1, "one new slot");
  for (const old of before) assert.ok(after.some((s) => s.equals(old)), "old slot IDs are kept");
  const added = after.filter((s) => !before.some((b) => b.equals(s)));
  assert.equal(added.length, 1);
  const addedInfo = pkcs11.C_GetTokenInfo(added[0]);
  assert.equal(addedInfo.flags & C.CKF_TOKEN_INITIALIZED, 0, "the new slot's token is uninitialized");
  assert.equal(pkcs11.C_GetSlotInfo(added[0]).flags & C.CKF_TOKEN_PRESENT, C.CKF_TOKEN_PRESENT);

  const s = pkcs11.C_OpenSession(slot, RW);
  pkcs11.C_Login(s, C.CKU_SO, SO_PIN);
  pkcs11.C_InitPIN(s, USER_PIN);
  assert.equal(pkcs11.C_GetTokenInfo(slot).flags & C.CKF_USER_PIN_INITIALIZED, C.CKF_USER_PIN_INITIALIZED);
  pkcs11.C_Logout(s);
  pkcs11.C_CloseSession(s);
});

test("session states through C_GetSessionInfo (3.1 section 5.6, table 8)", () => {
  const slot = newToken("states");
  const ro = pkcs11.C_OpenSession(slot, RO);
  const rw = pkcs11.C_OpenSession(slot, RW);
  let info = pkcs11.C_GetSessionInfo(ro);
  assert.deepEqual(Object.keys(info), ["slotID", "state", "flags", "deviceError"]);
  assert.ok(info.slotID.equals(slot));
  assert.equal(info.state, CKS_RO_PUBLIC_SESSION);
  assert.equal(info.flags, C.CKF_SERIAL_SESSION);
  info = pkcs11.C_GetSessionInfo(rw);
  assert.equal(info.state, CKS_RW_PUBLIC_SESSION);
  assert.equal(info.flags, C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION);
  const tinfo = pkcs11.C_GetTokenInfo(slot);
  assert.equal(tinfo.sessionCount, 2);
  assert.equal(tinfo.rwSessionCount, 1);

  // A login applies to every session of the application on the token.
  pkcs11.C_Login(ro, C.CKU_USER, USER_PIN);
  assert.equal(pkcs11.C_GetSessionInfo(ro).state, CKS_RO_USER_FUNCTIONS);
  assert.equal(pkcs11.C_GetSessionInfo(rw).state, CKS_RW_USER_FUNCTIONS);
  throwsRv(() => pkcs11.C_Login(rw, C.CKU_USER, USER_PIN), "CKR_USER_ALREADY_LOGGED_IN");
  pkcs11.C_CloseSession(ro);
  throwsRv(() => pkcs11.C_Login(rw, C.CKU_SO, SO_PIN), "CKR_USER_ANOTHER_ALREADY_LOGGED_IN");
  pkcs11.C_Logout(rw);
  assert.equal(pkcs11.C_GetSessionInfo(rw).state, CKS_RW_PUBLIC_SESSION);
  throwsRv(() => pkcs11.C_Logout(rw), "CKR_USER_NOT_LOGGED_IN");

  // The SO cannot log in while a R/O session exists ...
  const ro2 = pkcs11.C_OpenSession(slot, RO);
  throwsRv(() => pkcs11.C_Login(rw, C.CKU_SO, SO_PIN), "CKR_SESSION_READ_ONLY_EXISTS");
  pkcs11.C_CloseSession(ro2);
  pkcs11.C_Login(rw, C.CKU_SO, SO_PIN);
  assert.equal(pkcs11.C_GetSessionInfo(rw).state, CKS_RW_SO_FUNCTIONS);
  // ... and no R/O session can be opened while the SO is logged in.
  throwsRv(() => pkcs11.C_OpenSession(slot, RO), "CKR_SESSION_READ_WRITE_SO_EXISTS");
  throwsRv(() => pkcs11.C_Login(rw, C.CKU_USER, USER_PIN), "CKR_USER_ANOTHER_ALREADY_LOGGED_IN");
  pkcs11.C_Logout(rw);

  throwsRv(() => pkcs11.C_OpenSession(slot, C.CKF_RW_SESSION), "CKR_SESSION_PARALLEL_NOT_SUPPORTED");
  throwsRv(() => pkcs11.C_Login(rw, 7, USER_PIN), "CKR_USER_TYPE_INVALID");
  pkcs11.C_CloseSession(rw);
  throwsRv(() => pkcs11.C_GetSessionInfo(rw), "CKR_SESSION_HANDLE_INVALID");
  assert.equal(pkcs11.C_GetTokenInfo(slot).sessionCount, 0);
});

test("closing the last session logs the user out; C_CloseAllSessions", () => {
  const slot = newToken("close");
  const a = pkcs11.C_OpenSession(slot, RW);
  const b = pkcs11.C_OpenSession(slot, RW);
  pkcs11.C_Login(a, C.CKU_USER, USER_PIN);
  pkcs11.C_CloseSession(a);
  assert.equal(pkcs11.C_GetSessionInfo(b).state, CKS_RW_USER_FUNCTIONS, "still logged in: b is open");
  pkcs11.C_CloseSession(b);
  const c = pkcs11.C_OpenSession(slot, RW);
  assert.equal(pkcs11.C_GetSessionInfo(c).state, CKS_RW_PUBLIC_SESSION, "last close logged out");
  pkcs11.C_OpenSession(slot, RO);
  pkcs11.C_CloseAllSessions(slot);
  assert.equal(pkcs11.C_GetTokenInfo(slot).sessionCount, 0);
  throwsRv(() => pkcs11.C_GetSessionInfo(c), "CKR_SESSION_HANDLE_INVALID");
});

test("PIN rules: not initialized, incorrect, length range, C_SetPIN, C_InitPIN state", () => {
  const slot = freeSlot();
  pkcs11.C_InitToken(slot, SO_PIN, "pins");
  const s = pkcs11.C_OpenSession(slot, RW);
  throwsRv(() => pkcs11.C_Login(s, C.CKU_USER, USER_PIN), "CKR_USER_PIN_NOT_INITIALIZED");
  throwsRv(() => pkcs11.C_InitPIN(s, USER_PIN), "CKR_USER_NOT_LOGGED_IN");
  throwsRv(() => pkcs11.C_Login(s, C.CKU_SO, "wrong-so-pin"), "CKR_PIN_INCORRECT");
  assert.equal(pkcs11.C_GetTokenInfo(slot).flags & C.CKF_SO_PIN_COUNT_LOW, C.CKF_SO_PIN_COUNT_LOW);
  pkcs11.C_Login(s, C.CKU_SO, SO_PIN);
  assert.equal(pkcs11.C_GetTokenInfo(slot).flags & C.CKF_SO_PIN_COUNT_LOW, 0, "cleared by a good login");

  const { minPinLen, maxPinLen } = pkcs11.C_GetTokenInfo(slot);
  assert.ok(minPinLen >= 1 && maxPinLen >= minPinLen, `minPinLen ${minPinLen} maxPinLen ${maxPinLen}`);
  throwsRv(() => pkcs11.C_InitPIN(s, "x".repeat(minPinLen - 1)), "CKR_PIN_LEN_RANGE");
  throwsRv(() => pkcs11.C_InitPIN(s, "x".repeat(maxPinLen + 1)), "CKR_PIN_LEN_RANGE");
  assert.equal(pkcs11.C_GetTokenInfo(slot).flags & C.CKF_USER_PIN_INITIALIZED, 0, "failed InitPIN sets nothing");
  pkcs11.C_InitPIN(s, "x".repeat(minPinLen));
  pkcs11.C_InitPIN(s, USER_PIN); // the SO may reset it
  pkcs11.C_Logout(s);

  throwsRv(() => pkcs11.C_Login(s, C.CKU_USER, "x".repeat(minPinLen)), "CKR_PIN_INCORRECT");
  assert.equal(pkcs11.C_GetTokenInfo(slot).flags & C.CKF_USER_PIN_COUNT_LOW, C.CKF_USER_PIN_COUNT_LOW);
  pkcs11.C_Login(s, C.CKU_USER, USER_PIN);
  assert.equal(pkcs11.C_GetTokenInfo(slot).flags & C.CKF_USER_PIN_COUNT_LOW, 0);
  throwsRv(() => pkcs11.C_InitPIN(s, USER_PIN), "CKR_USER_NOT_LOGGED_IN");

  // C_SetPIN as the user.
  throwsRv(() => pkcs11.C_SetPIN(s, "not-the-pin", "new-user-pin"), "CKR_PIN_INCORRECT");
  throwsRv(() => pkcs11.C_SetPIN(s, USER_PIN, "x".repeat(minPinLen - 1)), "CKR_PIN_LEN_RANGE");
  pkcs11.C_SetPIN(s, USER_PIN, "new-user-pin");
  pkcs11.C_Logout(s);
  throwsRv(() => pkcs11.C_Login(s, C.CKU_USER, USER_PIN), "CKR_PIN_INCORRECT");
  pkcs11.C_Login(s, C.CKU_USER, "new-user-pin");
  pkcs11.C_Logout(s);

  // C_SetPIN in a R/O session.
  const ro = pkcs11.C_OpenSession(slot, RO);
  throwsRv(() => pkcs11.C_SetPIN(ro, "new-user-pin", USER_PIN), "CKR_SESSION_READ_ONLY");
  pkcs11.C_CloseSession(ro);

  // C_InitToken: refused with a session open; re-init needs the SO PIN.
  throwsRv(() => pkcs11.C_InitToken(slot, SO_PIN, "pins"), "CKR_SESSION_EXISTS");
  pkcs11.C_CloseSession(s);
  throwsRv(() => pkcs11.C_InitToken(slot, "wrong-so-pin", "pins"), "CKR_PIN_INCORRECT");
  pkcs11.C_InitToken(slot, SO_PIN, "pins again");
  const info = pkcs11.C_GetTokenInfo(slot);
  assert.equal(info.label, "pins again".padEnd(32, " "));
  assert.equal(info.flags & C.CKF_USER_PIN_INITIALIZED, 0, "re-init clears the user PIN");
});

test("a R/O session cannot create, change or destroy token objects", () => {
  const { slot, s: rw } = userSession("read-only");
  const ro = pkcs11.C_OpenSession(slot, RO);
  assert.equal(pkcs11.C_GetSessionInfo(ro).state, CKS_RO_USER_FUNCTIONS);
  throwsRv(() => dataObject(ro, [{ type: C.CKA_TOKEN, value: true }]), "CKR_SESSION_READ_ONLY");
  throwsRv(() => aesKey(ro, [{ type: C.CKA_TOKEN, value: true }]), "CKR_SESSION_READ_ONLY");
  // Session objects are fine in a R/O session (3.1 section 4.4 / 5.6).
  const sessionObj = dataObject(ro, [{ type: C.CKA_TOKEN, value: false }]);
  pkcs11.C_SetAttributeValue(ro, sessionObj, [{ type: C.CKA_LABEL, value: "session object" }]);
  const tokenObj = dataObject(rw, [{ type: C.CKA_TOKEN, value: true }]);
  throwsRv(() => pkcs11.C_SetAttributeValue(ro, tokenObj, [{ type: C.CKA_LABEL, value: "x" }]), "CKR_SESSION_READ_ONLY");
  throwsRv(() => pkcs11.C_DestroyObject(ro, tokenObj), "CKR_SESSION_READ_ONLY");
  throwsRv(() => pkcs11.C_CopyObject(ro, tokenObj, []), "CKR_SESSION_READ_ONLY");
  pkcs11.C_DestroyObject(ro, sessionObj);
  pkcs11.C_DestroyObject(rw, tokenObj);
  pkcs11.C_CloseAllSessions(slot);
});

test("private objects are invisible without a user login; logout destroys private session objects", () => {
  const { slot, s } = userSession("visibility");
  const pub = dataObject(s, [
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_PRIVATE, value: false },
    { type: C.CKA_LABEL, value: "vis" },
  ]);
  const priv = dataObject(s, [
    { type: C.CKA_TOKEN, value: true },
    { type: C.CKA_PRIVATE, value: true },
    { type: C.CKA_LABEL, value: "vis" },
  ]);
  const privSession = dataObject(s, [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_PRIVATE, value: true },
    { type: C.CKA_LABEL, value: "vis" },
  ]);
  assert.equal(findAll(s, [{ type: C.CKA_LABEL, value: "vis" }]).length, 3);
  pkcs11.C_Logout(s);

  const found = findAll(s, [{ type: C.CKA_LABEL, value: "vis" }]);
  assert.equal(found.length, 1, "only the public object");
  assert.ok(found[0].equals(pub), "and it is the public one, with a stable handle");
  assert.equal(findAll(s, []).length, 1, "an empty template finds public objects only");
  throwsRv(() => dataObject(s, [{ type: C.CKA_PRIVATE, value: true }, { type: C.CKA_TOKEN, value: false }]), "CKR_USER_NOT_LOGGED_IN");

  pkcs11.C_Login(s, C.CKU_USER, USER_PIN);
  const again = findAll(s, [{ type: C.CKA_LABEL, value: "vis" }]);
  assert.equal(again.length, 2, "the token objects; the private session object was destroyed by C_Logout");
  // 3.1 section 5.6.10: handles to private objects stay invalid after logout.
  throwsRv(() => attr(s, priv, C.CKA_LABEL), "CKR_OBJECT_HANDLE_INVALID");
  throwsRv(() => attr(s, privSession, C.CKA_LABEL), "CKR_OBJECT_HANDLE_INVALID");
  const privNow = again.find((h) => !h.equals(pub));
  assert.equal(attrBool(s, privNow, C.CKA_PRIVATE), true);
  // Single-result form: pkcs11js returns a handle, then null.
  pkcs11.C_FindObjectsInit(s, [{ type: C.CKA_LABEL, value: "vis" }, { type: C.CKA_PRIVATE, value: true }]);
  const one = pkcs11.C_FindObjects(s);
  assert.ok(Buffer.isBuffer(one) && one.equals(privNow));
  assert.equal(pkcs11.C_FindObjects(s), null);
  pkcs11.C_FindObjectsFinal(s);
  pkcs11.C_CloseAllSessions(slot);
});

test("C_GetAttributeValue: sensitive values, invalid types, the whole call throws", () => {
  const { slot, s } = userSession("attributes");
  const sensitive = aesKey(s, [{ type: C.CKA_SENSITIVE, value: true }]);
  throwsRv(() => attr(s, sensitive, C.CKA_VALUE), "CKR_ATTRIBUTE_SENSITIVE");
  throwsRv(() => pkcs11.C_GetAttributeValue(s, sensitive, [{ type: C.CKA_LABEL }, { type: C.CKA_VALUE }]), "CKR_ATTRIBUTE_SENSITIVE");
  assert.equal(attrUlong(s, sensitive, C.CKA_VALUE_LEN), 32);
  throwsRv(() => attr(s, sensitive, C.CKA_MODULUS), "CKR_ATTRIBUTE_TYPE_INVALID");
  throwsRv(() => attr(s, sensitive, 0x7ffffff0), "CKR_ATTRIBUTE_TYPE_INVALID");
  throwsRv(() => pkcs11.C_GetAttributeValue(s, sensitive, [{ type: C.CKA_LABEL }, { type: C.CKA_MODULUS }]), "CKR_ATTRIBUTE_TYPE_INVALID");

  // Footnote 7: CKA_EXTRACTABLE false also hides the value.
  const unextractable = aesKey(s, [{ type: C.CKA_SENSITIVE, value: false }, { type: C.CKA_EXTRACTABLE, value: false }]);
  throwsRv(() => attr(s, unextractable, C.CKA_VALUE), "CKR_ATTRIBUTE_SENSITIVE");

  const open = aesKey(s, [{ type: C.CKA_SENSITIVE, value: false }, { type: C.CKA_EXTRACTABLE, value: true }]);
  const template = [{ type: C.CKA_CLASS }, { type: C.CKA_KEY_TYPE }, { type: C.CKA_VALUE }, { type: C.CKA_LABEL }];
  const result = pkcs11.C_GetAttributeValue(s, open, template);
  assert.equal(result, template, "pkcs11js returns the same array, filled in place");
  assert.ok(result.every((a) => Buffer.isBuffer(a.value)));
  assert.equal(hex(result[0].value), hex(ulong(C.CKO_SECRET_KEY)));
  assert.equal(hex(result[1].value), hex(ulong(C.CKK_AES)));
  assert.equal(result[2].value.length, 32);
  assert.equal(result[3].value.length, 0, "absent label is empty");

  const { publicKey, privateKey } = rsaPair(s, [], [{ type: C.CKA_SENSITIVE, value: true }]);
  throwsRv(() => attr(s, privateKey, C.CKA_PRIVATE_EXPONENT), "CKR_ATTRIBUTE_SENSITIVE");
  throwsRv(() => attr(s, privateKey, C.CKA_PRIME_1), "CKR_ATTRIBUTE_SENSITIVE");
  assert.equal(attr(s, privateKey, C.CKA_MODULUS).length, 256);
  assert.equal(hex(attr(s, publicKey, C.CKA_MODULUS)), hex(attr(s, privateKey, C.CKA_MODULUS)));
  throwsRv(() => attr(s, publicKey, C.CKA_PRIVATE_EXPONENT), "CKR_ATTRIBUTE_TYPE_INVALID");

  // An attribute the class does not have, or an unknown one, on create.
  throwsRv(() => aesKeyFromValue(s, crypto.randomBytes(16), [{ type: 0x7ffffff0, value: true }]), "CKR_ATTRIBUTE_TYPE_INVALID");
  throwsRv(() => aesKeyFromValue(s, crypto.randomBytes(15)), "CKR_ATTRIBUTE_VALUE_INVALID");
  throwsRv(
    () => pkcs11.C_CreateObject(s, [{ type: C.CKA_CLASS, value: C.CKO_SECRET_KEY }, { type: C.CKA_KEY_TYPE, value: C.CKK_AES }, { type: C.CKA_TOKEN, value: false }]),
    "CKR_TEMPLATE_INCOMPLETE",
  );
  pkcs11.C_CloseAllSessions(slot);
});

test("CKA_SENSITIVE and CKA_EXTRACTABLE change one way only", () => {
  const { slot, s } = userSession("one-way");
  const k = aesKey(s, [{ type: C.CKA_SENSITIVE, value: false }, { type: C.CKA_EXTRACTABLE, value: true }]);
  assert.equal(attr(s, k, C.CKA_VALUE).length, 32);
  pkcs11.C_SetAttributeValue(s, k, [{ type: C.CKA_SENSITIVE, value: true }]);
  throwsRv(() => attr(s, k, C.CKA_VALUE), "CKR_ATTRIBUTE_SENSITIVE");
  throwsRv(() => pkcs11.C_SetAttributeValue(s, k, [{ type: C.CKA_SENSITIVE, value: false }]), "CKR_ATTRIBUTE_READ_ONLY");
  assert.equal(attrBool(s, k, C.CKA_SENSITIVE), true);
  pkcs11.C_SetAttributeValue(s, k, [{ type: C.CKA_EXTRACTABLE, value: false }]);
  throwsRv(() => pkcs11.C_SetAttributeValue(s, k, [{ type: C.CKA_EXTRACTABLE, value: true }]), "CKR_ATTRIBUTE_READ_ONLY");
  assert.equal(attrBool(s, k, C.CKA_EXTRACTABLE), false);
  // History attributes keep what the key was at generation.
  assert.equal(attrBool(s, k, C.CKA_ALWAYS_SENSITIVE), false);
  assert.equal(attrBool(s, k, C.CKA_NEVER_EXTRACTABLE), false);
  // Token-set and fixed attributes cannot be set.
  throwsRv(() => pkcs11.C_SetAttributeValue(s, k, [{ type: C.CKA_LOCAL, value: false }]), "CKR_ATTRIBUTE_READ_ONLY");
  throwsRv(() => pkcs11.C_SetAttributeValue(s, k, [{ type: C.CKA_ALWAYS_SENSITIVE, value: true }]), "CKR_ATTRIBUTE_READ_ONLY");
  throwsRv(() => pkcs11.C_SetAttributeValue(s, k, [{ type: C.CKA_VALUE_LEN, value: 16 }]), "CKR_ATTRIBUTE_READ_ONLY");
  // All or nothing: a failing template changes nothing.
  throwsRv(
    () => pkcs11.C_SetAttributeValue(s, k, [{ type: C.CKA_LABEL, value: "changed" }, { type: C.CKA_SENSITIVE, value: false }]),
    "CKR_ATTRIBUTE_READ_ONLY",
  );
  assert.equal(attr(s, k, C.CKA_LABEL).length, 0);
  pkcs11.C_SetAttributeValue(s, k, [{ type: C.CKA_LABEL, value: "changed" }]);
  assert.equal(attr(s, k, C.CKA_LABEL).toString(), "changed");
  pkcs11.C_CloseAllSessions(slot);
});

test("CKA_LOCAL, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_KEY_GEN_MECHANISM", () => {
  const { slot, s } = userSession("history");
  const gen = aesKey(s, [{ type: C.CKA_SENSITIVE, value: true }, { type: C.CKA_EXTRACTABLE, value: false }]);
  assert.equal(attrBool(s, gen, C.CKA_LOCAL), true);
  assert.equal(attrBool(s, gen, C.CKA_ALWAYS_SENSITIVE), true);
  assert.equal(attrBool(s, gen, C.CKA_NEVER_EXTRACTABLE), true);
  assert.equal(attrUlong(s, gen, C.CKA_KEY_GEN_MECHANISM), C.CKM_AES_KEY_GEN);
  assert.equal(attrUlong(s, gen, C.CKA_CLASS), C.CKO_SECRET_KEY);
  assert.equal(attrUlong(s, gen, C.CKA_KEY_TYPE), C.CKK_AES);
  assert.equal(attrUlong(s, gen, C.CKA_VALUE_LEN), 32);

  const imported = aesKeyFromValue(s, crypto.randomBytes(16), [{ type: C.CKA_SENSITIVE, value: true }]);
  assert.equal(attrBool(s, imported, C.CKA_LOCAL), false);
  assert.equal(attrBool(s, imported, C.CKA_ALWAYS_SENSITIVE), false, "its value was known outside the token");
  assert.equal(hex(attr(s, imported, C.CKA_KEY_GEN_MECHANISM)), hex(CK_UNAVAILABLE_INFORMATION_BYTES));
  assert.equal(attrUlong(s, imported, C.CKA_VALUE_LEN), 16, "derived from CKA_VALUE");
  // Token-set attributes cannot be given by the caller.
  throwsRv(() => aesKeyFromValue(s, crypto.randomBytes(16), [{ type: C.CKA_LOCAL, value: true }]), "CKR_ATTRIBUTE_READ_ONLY");
  throwsRv(() => aesKey(s, [{ type: C.CKA_ALWAYS_SENSITIVE, value: true }]), "CKR_ATTRIBUTE_READ_ONLY");

  const { publicKey, privateKey } = rsaPair(s, [], [{ type: C.CKA_SENSITIVE, value: true }, { type: C.CKA_EXTRACTABLE, value: false }]);
  for (const h of [publicKey, privateKey]) {
    assert.equal(attrBool(s, h, C.CKA_LOCAL), true);
    assert.equal(attrUlong(s, h, C.CKA_KEY_GEN_MECHANISM), C.CKM_RSA_PKCS_KEY_PAIR_GEN);
  }
  assert.equal(attrBool(s, privateKey, C.CKA_ALWAYS_SENSITIVE), true);
  assert.equal(attrBool(s, privateKey, C.CKA_NEVER_EXTRACTABLE), true);
  assert.equal(attrUlong(s, publicKey, C.CKA_MODULUS_BITS), 2048);
  assert.equal(hex(attr(s, publicKey, C.CKA_PUBLIC_EXPONENT)), "010001");
  assert.equal(attrUlong(s, publicKey, C.CKA_CLASS), C.CKO_PUBLIC_KEY);
  assert.equal(attrUlong(s, privateKey, C.CKA_CLASS), C.CKO_PRIVATE_KEY);
  assert.equal(attrBool(s, publicKey, C.CKA_PRIVATE), false, "public keys are public by default");
  pkcs11.C_CloseAllSessions(slot);
});

test("C_CopyObject, and CKA_COPYABLE / CKA_DESTROYABLE / CKA_MODIFIABLE (CKR_ACTION_PROHIBITED)", () => {
  const { slot, s } = userSession("lifecycle");
  const original = dataObject(s, [{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_LABEL, value: "original" }]);
  const copy = pkcs11.C_CopyObject(s, original, [{ type: C.CKA_TOKEN, value: true }, { type: C.CKA_LABEL, value: "copy" }]);
  assert.ok(!copy.equals(original));
  assert.equal(attrBool(s, copy, C.CKA_TOKEN), true);
  assert.equal(attr(s, copy, C.CKA_LABEL).toString(), "copy");
  assert.equal(attr(s, original, C.CKA_LABEL).toString(), "original");
  assert.equal(hex(attr(s, copy, C.CKA_VALUE)), hex(Buffer.from("payload")));
  assert.ok(pkcs11.C_GetObjectSize(s, copy) > 0);

  // CKR_ACTION_PROHIBITED is PKCS#11 3.0 (0x1B); pkcs11js would name it CKR_VENDOR_DEFINED.
  const fixedObj = dataObject(s, [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_COPYABLE, value: false },
    { type: C.CKA_DESTROYABLE, value: false },
    { type: C.CKA_MODIFIABLE, value: false },
  ]);
  throwsRv(() => pkcs11.C_CopyObject(s, fixedObj, []), "CKR_ACTION_PROHIBITED");
  throwsRv(() => pkcs11.C_DestroyObject(s, fixedObj), "CKR_ACTION_PROHIBITED");
  throwsRv(() => pkcs11.C_SetAttributeValue(s, fixedObj, [{ type: C.CKA_LABEL, value: "x" }]), "CKR_ACTION_PROHIBITED");
  // CKA_COPYABLE false is final (and storage attributes other than the
  // label are not changed by C_SetAttributeValue, 3.1 section 4.4).
  const k = aesKey(s, [{ type: C.CKA_COPYABLE, value: false }]);
  throwsRv(() => pkcs11.C_SetAttributeValue(s, k, [{ type: C.CKA_COPYABLE, value: true }]), "CKR_ATTRIBUTE_READ_ONLY");
  throwsRv(() => pkcs11.C_CopyObject(s, k, []), "CKR_ACTION_PROHIBITED");
  // A copy cannot make a sensitive key readable.
  const sensitive = aesKey(s, [{ type: C.CKA_SENSITIVE, value: true }]);
  throwsRv(() => pkcs11.C_CopyObject(s, sensitive, [{ type: C.CKA_SENSITIVE, value: false }]), "CKR_ATTRIBUTE_READ_ONLY");
  pkcs11.C_CloseAllSessions(slot);
});

test("templates: inconsistent, incomplete and invalid values (3.1 section 4.1.1)", () => {
  const { slot, s } = userSession("templates");
  const gen = (t) => pkcs11.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [{ type: C.CKA_TOKEN, value: false }, ...t]);
  throwsRv(() => gen([]), "CKR_TEMPLATE_INCOMPLETE");
  throwsRv(() => gen([{ type: C.CKA_VALUE_LEN, value: 17 }]), "CKR_ATTRIBUTE_VALUE_INVALID");
  throwsRv(() => gen([{ type: C.CKA_VALUE_LEN, value: 16 }, { type: C.CKA_CLASS, value: C.CKO_PUBLIC_KEY }]), "CKR_TEMPLATE_INCONSISTENT");
  throwsRv(() => gen([{ type: C.CKA_VALUE_LEN, value: 16 }, { type: C.CKA_KEY_TYPE, value: C.CKK_RSA }]), "CKR_TEMPLATE_INCONSISTENT");
  throwsRv(() => gen([{ type: C.CKA_VALUE_LEN, value: 16 }, { type: C.CKA_VALUE_LEN, value: 32 }]), "CKR_TEMPLATE_INCONSISTENT");
  throwsRv(() => gen([{ type: C.CKA_VALUE_LEN, value: 16 }, { type: C.CKA_ENCRYPT, value: Buffer.from([1, 2]) }]), "CKR_ATTRIBUTE_VALUE_INVALID");
  throwsRv(() => gen([{ type: C.CKA_VALUE_LEN, value: 16 }, { type: C.CKA_VALUE, value: Buffer.alloc(16) }]), "CKR_ATTRIBUTE_READ_ONLY");
  throwsRv(
    () => pkcs11.C_GenerateKeyPair(s, { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN }, [{ type: C.CKA_TOKEN, value: false }], [{ type: C.CKA_TOKEN, value: false }]),
    "CKR_TEMPLATE_INCOMPLETE",
  );
  // secp224k1 is not offered (CKR_CURVE_NOT_SUPPORTED, PKCS#11 3.0).
  throwsRv(
    () => pkcs11.C_GenerateKeyPair(s, { mechanism: C.CKM_EC_KEY_PAIR_GEN }, [{ type: C.CKA_EC_PARAMS, value: Buffer.from("06052b81040020", "hex") }], []),
    "CKR_CURVE_NOT_SUPPORTED",
  );
  throwsRv(() => pkcs11.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN, parameter: Buffer.alloc(4) }, [{ type: C.CKA_VALUE_LEN, value: 16 }]), "CKR_MECHANISM_PARAM_INVALID");
  throwsRv(() => pkcs11.C_GenerateKey(s, { mechanism: C.CKM_AES_GCM }, [{ type: C.CKA_VALUE_LEN, value: 16 }]), "CKR_MECHANISM_INVALID");
  // Without a login, private (the default for keys) objects cannot be made.
  pkcs11.C_Logout(s);
  throwsRv(() => gen([{ type: C.CKA_VALUE_LEN, value: 16 }]), "CKR_USER_NOT_LOGGED_IN");
  pkcs11.C_CloseAllSessions(slot);
});

test("derived keys: CKA_LOCAL false, history attributes from the base key (ECDH rules)", () => {
  const { slot, s } = userSession("derive");
  const P256 = Buffer.from("06082a8648ce3d030107", "hex");
  const ec = pkcs11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_EC_KEY_PAIR_GEN },
    [{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_EC_PARAMS, value: P256 }],
    [{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_DERIVE, value: true }, { type: C.CKA_SENSITIVE, value: true }, { type: C.CKA_EXTRACTABLE, value: false }],
  );
  assert.equal(attrBool(s, ec.privateKey, C.CKA_ALWAYS_SENSITIVE), true);
  assert.equal(attrBool(s, ec.privateKey, C.CKA_NEVER_EXTRACTABLE), true);
  const peer = crypto.createECDH("prime256v1");
  peer.generateKeys();
  const mech = { mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData: peer.getPublicKey() } };
  const derive = (extra) =>
    pkcs11.C_DeriveKey(s, mech, ec.privateKey, [
      { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
      { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
      { type: C.CKA_TOKEN, value: false },
      { type: C.CKA_VALUE_LEN, value: 32 },
      ...extra,
    ]);
  const closed = derive([{ type: C.CKA_SENSITIVE, value: true }, { type: C.CKA_EXTRACTABLE, value: false }]);
  assert.equal(attrBool(s, closed, C.CKA_LOCAL), false);
  assert.equal(attrBool(s, closed, C.CKA_ALWAYS_SENSITIVE), true, "base always sensitive, derived sensitive");
  assert.equal(attrBool(s, closed, C.CKA_NEVER_EXTRACTABLE), true, "base never extractable, derived not extractable");
  const open = derive([{ type: C.CKA_SENSITIVE, value: false }, { type: C.CKA_EXTRACTABLE, value: true }]);
  assert.equal(attrBool(s, open, C.CKA_ALWAYS_SENSITIVE), false);
  assert.equal(attrBool(s, open, C.CKA_NEVER_EXTRACTABLE), false);
  assert.equal(attr(s, open, C.CKA_VALUE).length, 32);
  // The base key must allow derivation.
  const noDerive = pkcs11.C_GenerateKeyPair(s, { mechanism: C.CKM_EC_KEY_PAIR_GEN }, [{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_EC_PARAMS, value: P256 }], [{ type: C.CKA_TOKEN, value: false }]);
  throwsRv(() => pkcs11.C_DeriveKey(s, mech, noDerive.privateKey, [{ type: C.CKA_VALUE_LEN, value: 32 }]), "CKR_KEY_FUNCTION_NOT_PERMITTED");
  pkcs11.C_CloseAllSessions(slot);
});

test("operation state: ACTIVE, NOT_INITIALIZED, KEY_FUNCTION_NOT_PERMITTED, bad handles and mechanisms", () => {
  const { slot, s } = userSession("operations");
  const k = aesKey(s);
  const noEncrypt = aesKey(s, [{ type: C.CKA_ENCRYPT, value: false }]);
  const iv = crypto.randomBytes(12);
  throwsRv(() => pkcs11.C_EncryptInit(s, gcm(iv), noEncrypt), "CKR_KEY_FUNCTION_NOT_PERMITTED");
  pkcs11.C_DecryptInit(s, gcm(iv), noEncrypt); // decrypt is still allowed
  throwsRv(() => pkcs11.C_DecryptInit(s, gcm(iv), k), "CKR_OPERATION_ACTIVE");
  throwsRv(() => pkcs11.C_Decrypt(s, Buffer.alloc(4), Buffer.alloc(64)), "CKR_ENCRYPTED_DATA_LEN_RANGE");
  throwsRv(() => pkcs11.C_Decrypt(s, Buffer.alloc(20), Buffer.alloc(64)), "CKR_OPERATION_NOT_INITIALIZED");

  pkcs11.C_EncryptInit(s, gcm(iv), k);
  throwsRv(() => pkcs11.C_EncryptInit(s, gcm(iv), k), "CKR_OPERATION_ACTIVE");
  const ct = pkcs11.C_Encrypt(s, Buffer.from("hello"), Buffer.alloc(64));
  assert.equal(ct.length, 5 + 16);
  throwsRv(() => pkcs11.C_Encrypt(s, Buffer.from("hello"), Buffer.alloc(64)), "CKR_OPERATION_NOT_INITIALIZED");
  throwsRv(() => pkcs11.C_EncryptUpdate(s, Buffer.from("hello"), Buffer.alloc(64)), "CKR_OPERATION_NOT_INITIALIZED");
  throwsRv(() => pkcs11.C_EncryptFinal(s, Buffer.alloc(64)), "CKR_OPERATION_NOT_INITIALIZED");
  throwsRv(() => pkcs11.C_SignFinal(s, Buffer.alloc(64)), "CKR_OPERATION_NOT_INITIALIZED");
  throwsRv(() => pkcs11.C_VerifyFinal(s, Buffer.alloc(64)), "CKR_OPERATION_NOT_INITIALIZED");
  throwsRv(() => pkcs11.C_DigestUpdate(s, Buffer.alloc(1)), "CKR_OPERATION_NOT_INITIALIZED");
  throwsRv(() => pkcs11.C_FindObjects(s, 1), "CKR_OPERATION_NOT_INITIALIZED");
  throwsRv(() => pkcs11.C_FindObjectsFinal(s), "CKR_OPERATION_NOT_INITIALIZED");
  pkcs11.C_FindObjectsInit(s, []);
  throwsRv(() => pkcs11.C_FindObjectsInit(s, []), "CKR_OPERATION_ACTIVE");
  pkcs11.C_FindObjectsFinal(s);
  pkcs11.C_DigestInit(s, { mechanism: C.CKM_SHA256 });
  throwsRv(() => pkcs11.C_DigestInit(s, { mechanism: C.CKM_SHA256 }), "CKR_OPERATION_ACTIVE");
  pkcs11.C_DigestFinal(s, Buffer.alloc(32));

  const { publicKey, privateKey } = rsaPair(s, [], [{ type: C.CKA_SIGN, value: false }]);
  throwsRv(() => pkcs11.C_SignInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, privateKey), "CKR_KEY_FUNCTION_NOT_PERMITTED");
  throwsRv(() => pkcs11.C_EncryptInit(s, gcm(iv), publicKey), "CKR_KEY_TYPE_INCONSISTENT");
  throwsRv(() => pkcs11.C_EncryptInit(s, { mechanism: 0x7ffffff0 }, k), "CKR_MECHANISM_INVALID");
  throwsRv(() => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_SHA256 }, k), "CKR_MECHANISM_INVALID");
  throwsRv(() => pkcs11.C_EncryptInit(s, gcm(iv), Buffer.from("ffffff7f00000000", "hex")), "CKR_KEY_HANDLE_INVALID");
  throwsRv(
    () => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_AES_GCM, iv, tagBits: 130 } }, k),
    "CKR_MECHANISM_PARAM_INVALID",
  );
  throwsRv(() => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_CBC_PAD, parameter: Buffer.alloc(8) }, k), "CKR_MECHANISM_PARAM_INVALID");
  throwsRv(() => pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_CBC_PAD }, k), "CKR_MECHANISM_PARAM_INVALID");
  throwsRv(() => pkcs11.C_DigestInit(s, { mechanism: C.CKM_SHA256, parameter: Buffer.alloc(4) }), "CKR_MECHANISM_PARAM_INVALID");
  // A failed Init leaves no operation behind.
  throwsRv(() => pkcs11.C_Encrypt(s, Buffer.alloc(16), Buffer.alloc(64)), "CKR_OPERATION_NOT_INITIALIZED");
  pkcs11.C_CloseAllSessions(slot);
});

test("CKR_BUFFER_TOO_SMALL keeps the operation (3.1 section 5.2)", () => {
  const { slot, s } = userSession("buffers");
  const k = aesKey(s);
  const iv = crypto.randomBytes(12);
  const data = crypto.randomBytes(40);
  pkcs11.C_EncryptInit(s, gcm(iv), k);
  throwsRv(() => pkcs11.C_Encrypt(s, data, Buffer.alloc(10)), "CKR_BUFFER_TOO_SMALL");
  const ct = pkcs11.C_Encrypt(s, data, Buffer.alloc(56));
  assert.equal(ct.length, 56);
  pkcs11.C_DecryptInit(s, gcm(iv), k);
  throwsRv(() => pkcs11.C_Decrypt(s, ct, Buffer.alloc(39)), "CKR_BUFFER_TOO_SMALL");
  assert.equal(hex(pkcs11.C_Decrypt(s, ct, Buffer.alloc(40))), hex(data));

  // Multi-part CBC: an Update that does not fit is retried.
  const cbcIv = crypto.randomBytes(16);
  pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_CBC_PAD, parameter: cbcIv }, k);
  throwsRv(() => pkcs11.C_EncryptUpdate(s, data, Buffer.alloc(16)), "CKR_BUFFER_TOO_SMALL");
  const p1 = pkcs11.C_EncryptUpdate(s, data, Buffer.alloc(64));
  assert.equal(p1.length, 32);
  throwsRv(() => pkcs11.C_EncryptFinal(s, Buffer.alloc(15)), "CKR_BUFFER_TOO_SMALL");
  const p2 = pkcs11.C_EncryptFinal(s, Buffer.alloc(16));
  assert.equal(p2.length, 16);
  pkcs11.C_DecryptInit(s, { mechanism: C.CKM_AES_CBC_PAD, parameter: cbcIv }, k);
  assert.equal(hex(pkcs11.C_Decrypt(s, Buffer.concat([p1, p2]), Buffer.alloc(48))), hex(data));

  pkcs11.C_DigestInit(s, { mechanism: C.CKM_SHA256 });
  throwsRv(() => pkcs11.C_Digest(s, data, Buffer.alloc(31)), "CKR_BUFFER_TOO_SMALL");
  assert.equal(hex(pkcs11.C_Digest(s, data, Buffer.alloc(32))), crypto.createHash("sha256").update(data).digest("hex"));

  const { publicKey, privateKey } = rsaPair(s);
  pkcs11.C_SignInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, privateKey);
  throwsRv(() => pkcs11.C_Sign(s, data, Buffer.alloc(255)), "CKR_BUFFER_TOO_SMALL");
  const sig = pkcs11.C_Sign(s, data, Buffer.alloc(256));
  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, publicKey);
  assert.equal(pkcs11.C_Verify(s, data, sig), true);
  pkcs11.C_CloseAllSessions(slot);
});

test("bad GCM tag, bad padding and bad lengths are CKR_ENCRYPTED_DATA_* / CKR_DATA_LEN_RANGE", () => {
  const { slot, s } = userSession("ciphertexts");
  const value = crypto.randomBytes(32);
  const k = aesKeyFromValue(s, value);
  const iv = crypto.randomBytes(12);
  const aad = Buffer.from("header");
  pkcs11.C_EncryptInit(s, gcm(iv, aad), k);
  const ct = pkcs11.C_Encrypt(s, Buffer.from("attack at dawn"), Buffer.alloc(64));
  const bad = Buffer.from(ct);
  bad[bad.length - 1] ^= 1;
  pkcs11.C_DecryptInit(s, gcm(iv, aad), k);
  throwsRv(() => pkcs11.C_Decrypt(s, bad, Buffer.alloc(64)), "CKR_ENCRYPTED_DATA_INVALID");
  throwsRv(() => pkcs11.C_Decrypt(s, ct, Buffer.alloc(64)), "CKR_OPERATION_NOT_INITIALIZED");
  pkcs11.C_DecryptInit(s, gcm(iv, Buffer.from("other")), k);
  throwsRv(() => pkcs11.C_Decrypt(s, ct, Buffer.alloc(64)), "CKR_ENCRYPTED_DATA_INVALID");
  pkcs11.C_DecryptInit(s, gcm(iv, aad), k);
  assert.equal(pkcs11.C_Decrypt(s, ct, Buffer.alloc(64)).toString(), "attack at dawn");

  // CBC-PAD: a last block whose padding byte is 0 is invalid.
  const cbcIv = crypto.randomBytes(16);
  const c = crypto.createCipheriv("aes-256-cbc", value, cbcIv).setAutoPadding(false);
  const badPad = Buffer.concat([c.update(Buffer.alloc(16, 0)), c.final()]);
  pkcs11.C_DecryptInit(s, { mechanism: C.CKM_AES_CBC_PAD, parameter: cbcIv }, k);
  throwsRv(() => pkcs11.C_Decrypt(s, badPad, Buffer.alloc(64)), "CKR_ENCRYPTED_DATA_INVALID");
  pkcs11.C_DecryptInit(s, { mechanism: C.CKM_AES_CBC_PAD, parameter: cbcIv }, k);
  throwsRv(() => pkcs11.C_Decrypt(s, Buffer.alloc(17), Buffer.alloc(64)), "CKR_ENCRYPTED_DATA_LEN_RANGE");
  pkcs11.C_EncryptInit(s, { mechanism: C.CKM_AES_CBC, parameter: cbcIv }, k);
  throwsRv(() => pkcs11.C_Encrypt(s, Buffer.alloc(15), Buffer.alloc(64)), "CKR_DATA_LEN_RANGE");
  pkcs11.C_DecryptInit(s, { mechanism: C.CKM_AES_CBC, parameter: cbcIv }, k);
  throwsRv(() => pkcs11.C_Decrypt(s, Buffer.alloc(15), Buffer.alloc(64)), "CKR_ENCRYPTED_DATA_LEN_RANGE");
  pkcs11.C_CloseAllSessions(slot);
});

test("RSA and HMAC length rules: DATA_LEN_RANGE, ENCRYPTED_DATA_LEN_RANGE, SIGNATURE_LEN_RANGE", () => {
  const { slot, s } = userSession("lengths");
  const { publicKey, privateKey } = rsaPair(s, [{ type: C.CKA_ENCRYPT, value: true }], [{ type: C.CKA_DECRYPT, value: true }]);
  const once = (init, key, mech, fn) => {
    pkcs11[init](s, mech, key);
    return fn();
  };
  const pkcs1 = { mechanism: C.CKM_RSA_PKCS };
  // PKCS#1 v1.5 carries at most k - 11 = 245 bytes for a 2048-bit key.
  assert.equal(once("C_SignInit", privateKey, pkcs1, () => pkcs11.C_Sign(s, Buffer.alloc(245, 1), Buffer.alloc(256))).length, 256);
  throwsRv(() => once("C_SignInit", privateKey, pkcs1, () => pkcs11.C_Sign(s, Buffer.alloc(246, 1), Buffer.alloc(256))), "CKR_DATA_LEN_RANGE");
  throwsRv(() => once("C_EncryptInit", publicKey, pkcs1, () => pkcs11.C_Encrypt(s, Buffer.alloc(246, 1), Buffer.alloc(256))), "CKR_DATA_LEN_RANGE");
  throwsRv(() => once("C_DecryptInit", privateKey, pkcs1, () => pkcs11.C_Decrypt(s, Buffer.alloc(255, 1), Buffer.alloc(256))), "CKR_ENCRYPTED_DATA_LEN_RANGE");
  // OAEP with SHA-256 carries at most k - 2*32 - 2 = 190 bytes.
  const oaep = { mechanism: C.CKM_RSA_PKCS_OAEP, parameter: { type: C.CK_PARAMS_RSA_OAEP, hashAlg: C.CKM_SHA256, mgf: C.CKG_MGF1_SHA256, source: 1 } };
  assert.equal(once("C_EncryptInit", publicKey, oaep, () => pkcs11.C_Encrypt(s, Buffer.alloc(190, 1), Buffer.alloc(256))).length, 256);
  throwsRv(() => once("C_EncryptInit", publicKey, oaep, () => pkcs11.C_Encrypt(s, Buffer.alloc(191, 1), Buffer.alloc(256))), "CKR_DATA_LEN_RANGE");
  const garbage = crypto.randomBytes(256);
  garbage[0] = 0; // below the modulus
  throwsRv(() => once("C_DecryptInit", privateKey, oaep, () => pkcs11.C_Decrypt(s, garbage, Buffer.alloc(256))), "CKR_ENCRYPTED_DATA_INVALID");
  throwsRv(() => pkcs11.C_SignInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS_PSS }, privateKey), "CKR_MECHANISM_PARAM_INVALID");

  const hmacKey = pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
    { type: C.CKA_VALUE, value: crypto.randomBytes(32) },
    { type: C.CKA_TOKEN, value: false },
  ]);
  const hmac = { mechanism: C.CKM_SHA256_HMAC };
  throwsRv(() => once("C_VerifyInit", hmacKey, hmac, () => pkcs11.C_Verify(s, Buffer.from("x"), Buffer.alloc(31))), "CKR_SIGNATURE_LEN_RANGE");
  const general = { mechanism: C.CKM_SHA256_HMAC_GENERAL, parameter: 16 };
  const full = once("C_SignInit", hmacKey, hmac, () => Buffer.from(pkcs11.C_Sign(s, Buffer.from("x"), Buffer.alloc(64))));
  const short = once("C_SignInit", hmacKey, general, () => Buffer.from(pkcs11.C_Sign(s, Buffer.from("x"), Buffer.alloc(64))));
  assert.equal(hex(short), hex(full.subarray(0, 16)), "HMAC_GENERAL is the truncated HMAC");
  throwsRv(() => pkcs11.C_SignInit(s, { mechanism: C.CKM_SHA256_HMAC_GENERAL, parameter: 33 }, hmacKey), "CKR_MECHANISM_PARAM_INVALID");
  pkcs11.C_CloseAllSessions(slot);
});

test("a bad signature throws Pkcs11Error CKR_SIGNATURE_INVALID (sync, callback, Async)", async () => {
  const { slot, s } = userSession("signatures");
  const { publicKey, privateKey } = rsaPair(s);
  const data = Buffer.from("signed message");
  pkcs11.C_SignInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, privateKey);
  const sig = pkcs11.C_Sign(s, data, Buffer.alloc(256));
  const bad = Buffer.from(sig);
  bad[10] ^= 0x80;

  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, publicKey);
  const e = throwsRv(() => pkcs11.C_Verify(s, data, bad), "CKR_SIGNATURE_INVALID");
  assert.ok(e instanceof Pkcs11Error && e instanceof NativeError && e instanceof Error);
  assert.equal(e.name, "Pkcs11Error");
  assert.equal(e.code, 192);
  assert.equal(e.method, "C_Verify");
  assert.match(e.nativeStack, /C_Verify/);
  // The operation ended with the failure.
  throwsRv(() => pkcs11.C_Verify(s, data, sig), "CKR_OPERATION_NOT_INITIALIZED");

  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, publicKey);
  throwsRv(() => pkcs11.C_Verify(s, data, sig.subarray(0, 255)), "CKR_SIGNATURE_LEN_RANGE");

  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, publicKey);
  pkcs11.C_VerifyUpdate(s, data.subarray(0, 5));
  pkcs11.C_VerifyUpdate(s, data.subarray(5));
  throwsRv(() => pkcs11.C_VerifyFinal(s, bad), "CKR_SIGNATURE_INVALID");

  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, publicKey);
  await assert.rejects(pkcs11.C_VerifyAsync(s, data, bad), (err) => err instanceof Pkcs11Error && err.code === 192 && err.message === "CKR_SIGNATURE_INVALID");

  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, publicKey);
  const [err, result] = await new Promise((resolve) => {
    let sync = true;
    pkcs11.C_Verify(s, data, bad, (error, res) => {
      assert.equal(sync, false, "callbacks are called asynchronously");
      resolve([error, res]);
    });
    sync = false;
  });
  assert.ok(err instanceof Pkcs11Error);
  assert.equal(err.code, 192);
  assert.equal(result, null);

  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, publicKey);
  assert.equal(await pkcs11.C_VerifyAsync(s, data, sig), true);
  pkcs11.C_CloseAllSessions(slot);
});

test("wrap/unwrap an AES key with AES-CBC-PAD", () => {
  const { slot, s } = userSession("wrap-aes");
  const kekValue = crypto.randomBytes(32);
  const kek = aesKeyFromValue(s, kekValue, [{ type: C.CKA_WRAP, value: true }, { type: C.CKA_UNWRAP, value: true }]);
  const targetValue = crypto.randomBytes(32);
  const target = aesKeyFromValue(s, targetValue, [{ type: C.CKA_EXTRACTABLE, value: true }, { type: C.CKA_SENSITIVE, value: true }]);
  const iv = crypto.randomBytes(16);
  const mech = { mechanism: C.CKM_AES_CBC_PAD, parameter: iv };
  const wrapped = pkcs11.C_WrapKey(s, mech, kek, target, Buffer.alloc(256));
  const c = crypto.createCipheriv("aes-256-cbc", kekValue, iv);
  assert.equal(hex(wrapped), hex(Buffer.concat([c.update(targetValue), c.final()])), "wrapped = AES-CBC-PAD(CKA_VALUE)");
  throwsRv(() => pkcs11.C_WrapKey(s, mech, kek, target, Buffer.alloc(47)), "CKR_BUFFER_TOO_SMALL");

  const unwrapped = pkcs11.C_UnwrapKey(s, mech, kek, wrapped, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SENSITIVE, value: false },
    { type: C.CKA_EXTRACTABLE, value: true },
  ]);
  assert.equal(hex(attr(s, unwrapped, C.CKA_VALUE)), hex(targetValue));
  assert.equal(attrUlong(s, unwrapped, C.CKA_VALUE_LEN), 32);
  assert.equal(attrBool(s, unwrapped, C.CKA_LOCAL), false);
  assert.equal(attrBool(s, unwrapped, C.CKA_ALWAYS_SENSITIVE), false);
  assert.equal(attrBool(s, unwrapped, C.CKA_NEVER_EXTRACTABLE), false);

  const unextractable = aesKey(s, [{ type: C.CKA_EXTRACTABLE, value: false }]);
  throwsRv(() => pkcs11.C_WrapKey(s, mech, kek, unextractable, Buffer.alloc(256)), "CKR_KEY_UNEXTRACTABLE");
  const noWrap = aesKeyFromValue(s, crypto.randomBytes(32), [{ type: C.CKA_WRAP, value: false }]);
  throwsRv(() => pkcs11.C_WrapKey(s, mech, noWrap, target, Buffer.alloc(256)), "CKR_KEY_FUNCTION_NOT_PERMITTED");
  const tmpl = [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_TOKEN, value: false },
  ];
  const c2 = crypto.createCipheriv("aes-256-cbc", kekValue, iv).setAutoPadding(false);
  const badPad = Buffer.concat([c2.update(Buffer.alloc(32, 0)), c2.final()]);
  throwsRv(() => pkcs11.C_UnwrapKey(s, mech, kek, badPad, tmpl), "CKR_WRAPPED_KEY_INVALID");
  throwsRv(() => pkcs11.C_UnwrapKey(s, mech, kek, wrapped.subarray(0, 40), tmpl), "CKR_WRAPPED_KEY_LEN_RANGE");
  throwsRv(() => pkcs11.C_UnwrapKey(s, mech, kek, wrapped, tmpl.slice(1)), "CKR_TEMPLATE_INCOMPLETE");
  pkcs11.C_CloseAllSessions(slot);
});

test("wrap/unwrap an RSA private key with AES-CBC-PAD (PKCS#8 PrivateKeyInfo)", () => {
  const { slot, s } = userSession("wrap-rsa");
  const kekValue = crypto.randomBytes(32);
  const kek = aesKeyFromValue(s, kekValue, [{ type: C.CKA_WRAP, value: true }, { type: C.CKA_UNWRAP, value: true }]);
  const { publicKey, privateKey } = rsaPair(s, [], [{ type: C.CKA_EXTRACTABLE, value: true }, { type: C.CKA_SENSITIVE, value: true }]);
  const iv = crypto.randomBytes(16);
  const mech = { mechanism: C.CKM_AES_CBC_PAD, parameter: iv };
  const wrapped = pkcs11.C_WrapKey(s, mech, kek, privateKey, Buffer.alloc(4096));
  const d = crypto.createDecipheriv("aes-256-cbc", kekValue, iv);
  const pkcs8 = Buffer.concat([d.update(wrapped), d.final()]);
  const nodeKey = crypto.createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  assert.equal(nodeKey.asymmetricKeyType, "rsa");
  const jwk = nodeKey.export({ format: "jwk" });
  assert.equal(Buffer.from(jwk.n, "base64url").toString("hex"), hex(attr(s, publicKey, C.CKA_MODULUS)));

  // Node signs with the exported key; the token's public key verifies.
  const data = Buffer.from("wrapped and unwrapped");
  const nodeSig = crypto.sign("sha256", data, nodeKey);
  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, publicKey);
  assert.equal(pkcs11.C_Verify(s, data, nodeSig), true);

  const unwrapped = pkcs11.C_UnwrapKey(s, mech, kek, wrapped, [
    { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_RSA },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SIGN, value: true },
    { type: C.CKA_SENSITIVE, value: true },
  ]);
  assert.equal(hex(attr(s, unwrapped, C.CKA_MODULUS)), hex(attr(s, publicKey, C.CKA_MODULUS)));
  assert.equal(attrBool(s, unwrapped, C.CKA_LOCAL), false);
  throwsRv(() => attr(s, unwrapped, C.CKA_PRIVATE_EXPONENT), "CKR_ATTRIBUTE_SENSITIVE");
  pkcs11.C_SignInit(s, { mechanism: C.CKM_SHA256_RSA_PKCS }, unwrapped);
  const sig = pkcs11.C_Sign(s, data, Buffer.alloc(256));
  assert.equal(hex(sig), hex(nodeSig), "PKCS#1 v1.5 is deterministic: same key, same signature");
  pkcs11.C_CloseAllSessions(slot);
});

test("handles are never reused; stale handles are invalid", () => {
  const { slot, s } = userSession("handles");
  const seenObjects = new Set();
  const destroyed = [];
  for (let i = 0; i < 5; i++) {
    const h = dataObject(s, [{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_PRIVATE, value: false }]);
    assert.equal(h.length, 8, "handles are 8-byte Buffers");
    assert.ok(!seenObjects.has(hex(h)));
    seenObjects.add(hex(h));
    pkcs11.C_DestroyObject(s, h);
    destroyed.push(h);
  }
  for (let i = 0; i < 5; i++) {
    const h = aesKey(s);
    assert.ok(!seenObjects.has(hex(h)), "a destroyed object's handle is not given out again");
    seenObjects.add(hex(h));
  }
  for (const h of destroyed) throwsRv(() => attr(s, h, C.CKA_LABEL), "CKR_OBJECT_HANDLE_INVALID");
  throwsRv(() => pkcs11.C_DestroyObject(s, destroyed[0]), "CKR_OBJECT_HANDLE_INVALID");

  const seenSessions = new Set([hex(s)]);
  for (let i = 0; i < 5; i++) {
    const h = pkcs11.C_OpenSession(slot, RW);
    assert.ok(!seenSessions.has(hex(h)), "a closed session's handle is not given out again");
    seenSessions.add(hex(h));
    pkcs11.C_CloseSession(h);
    throwsRv(() => pkcs11.C_GetSessionInfo(h), "CKR_SESSION_HANDLE_INVALID");
    throwsRv(() => pkcs11.C_CloseSession(h), "CKR_SESSION_HANDLE_INVALID");
  }
  // Session objects die with their session.
  const s2 = pkcs11.C_OpenSession(slot, RW);
  const obj = dataObject(s2, [{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_PRIVATE, value: false }, { type: C.CKA_LABEL, value: "mortal" }]);
  assert.equal(findAll(s, [{ type: C.CKA_LABEL, value: "mortal" }]).length, 1, "visible from other sessions");
  pkcs11.C_CloseSession(s2);
  throwsRv(() => attr(s, obj, C.CKA_LABEL), "CKR_OBJECT_HANDLE_INVALID");
  // The same object always has the same handle bytes.
  const keep = dataObject(s, [{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_PRIVATE, value: false }, { type: C.CKA_LABEL, value: "stable" }]);
  const f1 = findAll(s, [{ type: C.CKA_LABEL, value: "stable" }]);
  const f2 = findAll(s, [{ type: C.CKA_LABEL, value: "stable" }]);
  assert.ok(f1[0].equals(keep) && f2[0].equals(keep) && f1[0] !== f2[0], "equal bytes, fresh Buffers");
  pkcs11.C_CloseAllSessions(slot);
});

test("C_GenerateRandom, C_SeedRandom, C_WaitForSlotEvent", () => {
  const { slot, s } = userSession("random");
  const buf = Buffer.alloc(32);
  assert.equal(pkcs11.C_GenerateRandom(s, buf), buf, "pkcs11js returns the same Buffer");
  throwsRv(() => pkcs11.C_SeedRandom(s, Buffer.from("seed")), "CKR_RANDOM_SEED_NOT_SUPPORTED");
  // Drain events left by earlier C_InitToken calls, then none is pending.
  for (let i = 0; i < 100 && pkcs11.C_WaitForSlotEvent(C.CKF_DONT_BLOCK) !== null; i++);
  assert.equal(pkcs11.C_WaitForSlotEvent(C.CKF_DONT_BLOCK), null);
  pkcs11.C_CloseAllSessions(slot);
});

test("C_Initialize twice, C_Finalize, and token objects surviving C_Finalize", () => {
  const e = throwsRv(() => pkcs11.C_Initialize({ libraryParameters: JSON.stringify({ kdfIterations: "insecure-test" }) }), "CKR_CRYPTOKI_ALREADY_INITIALIZED");
  assert.ok(e instanceof Pkcs11Error);
  assert.equal(e.code, 401);
  assert.equal(e.method, "C_Initialize");

  const { slot, s } = userSession("finalize");
  const label = "survives finalize";
  dataObject(s, [{ type: C.CKA_TOKEN, value: true }, { type: C.CKA_PRIVATE, value: true }, { type: C.CKA_LABEL, value: label }]);
  dataObject(s, [{ type: C.CKA_TOKEN, value: false }, { type: C.CKA_PRIVATE, value: false }, { type: C.CKA_LABEL, value: label }]);
  pkcs11.C_Finalize();
  throwsRv(() => pkcs11.C_GetSlotList(true), "CKR_CRYPTOKI_NOT_INITIALIZED");
  throwsRv(() => pkcs11.C_GetSessionInfo(s), "CKR_CRYPTOKI_NOT_INITIALIZED");
  const f = throwsRv(() => pkcs11.C_Finalize(), "CKR_CRYPTOKI_NOT_INITIALIZED");
  assert.equal(f.method, "C_Finalize");

  pkcs11.C_Initialize({ libraryParameters: JSON.stringify({ kdfIterations: "insecure-test" }) });
  const slots = pkcs11.C_GetSlotList(true);
  assert.ok(slots.some((x) => x.equals(slot)), "the slot ID is stable across C_Finalize");
  const s2 = pkcs11.C_OpenSession(slot, RW);
  assert.equal(pkcs11.C_GetSessionInfo(s2).state, CKS_RW_PUBLIC_SESSION, "C_Finalize logged out");
  pkcs11.C_Login(s2, C.CKU_USER, USER_PIN);
  const found = findAll(s2, [{ type: C.CKA_LABEL, value: label }]);
  assert.equal(found.length, 1, "the token object survives, the session object does not");
  assert.equal(attrBool(s2, found[0], C.CKA_TOKEN), true);
  pkcs11.C_CloseAllSessions(slot);
});
