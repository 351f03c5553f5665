// Post-quantum mechanisms through the facade: ML-DSA (CKM_ML_DSA with
// CK_PARAMS_SIGN_ADDITIONAL_CONTEXT), ML-KEM (C_EncapsulateKey /
// C_DecapsulateKey in their sync, callback and Async forms), mechanism
// info, key attributes, NIST ACVP known answers (tests/vectors/), wrapping
// of post-quantum private keys, and node:crypto interop where Node has
// ML-DSA / ML-KEM (OpenSSL 3.5+; Node 20 has neither, so those skip).
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pkcs11js = require("../../pkg/index.cjs");
const { PKCS11, Pkcs11Error } = pkcs11js;
const C = pkcs11js;

const SO_PIN = "so-pqc-test";
const USER_PIN = "user-pqc-test";

const pkcs11 = new PKCS11();
pkcs11.C_Initialize({ libraryParameters: JSON.stringify({ kdfIterations: "insecure-test" }) });
const slot = pkcs11.C_GetSlotList(true).find((x) => !(pkcs11.C_GetTokenInfo(x).flags & C.CKF_TOKEN_INITIALIZED));
pkcs11.C_InitToken(slot, SO_PIN, "pqc");
const s = pkcs11.C_OpenSession(slot, C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION);
pkcs11.C_Login(s, C.CKU_SO, SO_PIN);
pkcs11.C_InitPIN(s, USER_PIN);
pkcs11.C_Logout(s);
pkcs11.C_Login(s, C.CKU_USER, USER_PIN);

const hex = (b) => Buffer.from(b).toString("hex");
const attr = (obj, type) => pkcs11.C_GetAttributeValue(s, obj, [{ type }])[0].value;
const ulong = (b) => Number(Buffer.from(b).readBigUInt64LE(0));
const vectors = (name) => JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), "utf8"));
const MESSAGE_FLAGS = C.CKF_MESSAGE_ENCRYPT | C.CKF_MESSAGE_DECRYPT | C.CKF_MESSAGE_SIGN | C.CKF_MESSAGE_VERIFY | C.CKF_MULTI_MESSAGE;

function expectRv(fn, name) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof Pkcs11Error, `expected ${name}, got ${thrown?.stack ?? "success"}`);
  assert.equal(thrown.message, name);
  assert.equal(thrown.code, C[name]);
}

function sign(mech, key, data) {
  pkcs11.C_SignInit(s, mech, key);
  return Buffer.from(pkcs11.C_Sign(s, data, Buffer.alloc(5000)));
}
function verify(mech, key, data, sig) {
  pkcs11.C_VerifyInit(s, mech, key);
  return pkcs11.C_Verify(s, data, sig);
}

const DSA_SETS = [
  ["ML-DSA-44", C.CKP_ML_DSA_44, 1312, 2560, 2420, "0609608648016503040311"],
  ["ML-DSA-65", C.CKP_ML_DSA_65, 1952, 4032, 3309, "0609608648016503040312"],
  ["ML-DSA-87", C.CKP_ML_DSA_87, 2592, 4896, 4627, "0609608648016503040313"],
];
const KEM_SETS = [
  ["ML-KEM-512", C.CKP_ML_KEM_512, 800, 1632, 768, "0609608648016503040401"],
  ["ML-KEM-768", C.CKP_ML_KEM_768, 1184, 2400, 1088, "0609608648016503040402"],
  ["ML-KEM-1024", C.CKP_ML_KEM_1024, 1568, 3168, 1568, "0609608648016503040403"],
];

function dsaPair(ckp, privateExtra = []) {
  return pkcs11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_ML_DSA_KEY_PAIR_GEN },
    [{ type: C.CKA_PARAMETER_SET, value: ckp }, { type: C.CKA_TOKEN, value: false }],
    [{ type: C.CKA_TOKEN, value: false }, ...privateExtra],
  );
}
function kemPair(ckp, privateExtra = []) {
  return pkcs11.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_ML_KEM_KEY_PAIR_GEN },
    [{ type: C.CKA_PARAMETER_SET, value: ckp }],
    privateExtra,
  );
}
const ctx = (context, hedgeVariant) => ({
  mechanism: C.CKM_ML_DSA,
  parameter: { type: C.CK_PARAMS_SIGN_ADDITIONAL_CONTEXT, hedgeVariant, context },
});
const aesTemplate = (extra = []) => [
  { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
  { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
  ...extra,
];

test("mechanism list and info of the post-quantum mechanisms", () => {
  const list = pkcs11.C_GetMechanismList(slot);
  for (const m of [C.CKM_ML_DSA_KEY_PAIR_GEN, C.CKM_ML_DSA, C.CKM_ML_KEM_KEY_PAIR_GEN, C.CKM_ML_KEM]) {
    assert.ok(list.includes(m), `mechanism ${m} listed`);
  }
  const info = (m) => {
    const i = pkcs11.C_GetMechanismInfo(slot, m);
    return [i.minKeySize, i.maxKeySize, i.flags & ~MESSAGE_FLAGS];
  };
  assert.deepEqual(info(C.CKM_ML_DSA), [1312, 2592, C.CKF_SIGN | C.CKF_VERIFY]);
  assert.deepEqual(info(C.CKM_ML_DSA_KEY_PAIR_GEN), [1312, 2592, C.CKF_GENERATE_KEY_PAIR]);
  assert.deepEqual(info(C.CKM_ML_KEM), [800, 1568, C.CKF_ENCAPSULATE | C.CKF_DECAPSULATE]);
  assert.deepEqual(info(C.CKM_ML_KEM_KEY_PAIR_GEN), [800, 1568, C.CKF_GENERATE_KEY_PAIR]);
  assert.equal(C.CK_PARAMS_SIGN_ADDITIONAL_CONTEXT, 0x1008);
  assert.equal(C.CK_PARAMS_RSA_AES_KEY_WRAP, 0x1007);
});

test("ML-DSA-44/65/87: generate, sign and verify, with and without a context", () => {
  const data = Buffer.from("post-quantum signed");
  for (const [name, ckp, pkLen, skLen, sigLen, oid] of DSA_SETS) {
    const { publicKey, privateKey } = dsaPair(ckp, [{ type: C.CKA_EXTRACTABLE, value: true }]);
    assert.equal(attr(publicKey, C.CKA_VALUE).length, pkLen, name);
    assert.equal(attr(privateKey, C.CKA_VALUE).length, skLen);
    assert.equal(attr(privateKey, C.CKA_SEED).length, 32);
    assert.equal(ulong(attr(privateKey, C.CKA_PARAMETER_SET)), ckp);
    assert.equal(ulong(attr(privateKey, C.CKA_KEY_GEN_MECHANISM)), C.CKM_ML_DSA_KEY_PAIR_GEN);
    const info = attr(publicKey, C.CKA_PUBLIC_KEY_INFO);
    assert.ok(hex(info).includes(oid), `${name} SPKI names its OID`);
    assert.equal(hex(info.subarray(info.length - pkLen)), hex(attr(publicKey, C.CKA_VALUE)));
    assert.equal(hex(attr(privateKey, C.CKA_PUBLIC_KEY_INFO)), hex(info));

    const plain = { mechanism: C.CKM_ML_DSA };
    const sig = sign(plain, privateKey, data);
    assert.equal(sig.length, sigLen);
    assert.equal(verify(plain, publicKey, data, sig), true);
    expectRv(() => verify(plain, publicKey, Buffer.from("forged"), sig), "CKR_SIGNATURE_INVALID");
    expectRv(() => verify(plain, publicKey, data, sig.subarray(1)), "CKR_SIGNATURE_LEN_RANGE");

    const det = ctx(Buffer.from("app context"), C.CKH_DETERMINISTIC_REQUIRED);
    const d1 = sign(det, privateKey, data);
    assert.equal(hex(sign(det, privateKey, data)), hex(d1), "deterministic variant repeats");
    assert.equal(verify(ctx(Buffer.from("app context")), publicKey, data, d1), true);
    expectRv(() => verify(ctx(Buffer.from("other context")), publicKey, data, d1), "CKR_SIGNATURE_INVALID");
    const hedged = ctx(Buffer.from("app context"), C.CKH_HEDGE_REQUIRED);
    assert.notEqual(hex(sign(hedged, privateKey, data)), hex(sign(hedged, privateKey, data)));
  }
});

test("ML-DSA: multi-part signing, parameter and key checks, sensitive keys", () => {
  const { publicKey, privateKey } = dsaPair(C.CKP_ML_DSA_44, [{ type: C.CKA_SENSITIVE, value: true }]);
  const det = ctx(undefined, C.CKH_DETERMINISTIC_REQUIRED);
  pkcs11.C_SignInit(s, det, privateKey);
  pkcs11.C_SignUpdate(s, Buffer.from("multi "));
  pkcs11.C_SignUpdate(s, Buffer.from("part"));
  const sig = Buffer.from(pkcs11.C_SignFinal(s, Buffer.alloc(2420)));
  assert.equal(hex(sign(det, privateKey, Buffer.from("multi part"))), hex(sig));
  pkcs11.C_VerifyInit(s, { mechanism: C.CKM_ML_DSA }, publicKey);
  pkcs11.C_VerifyUpdate(s, Buffer.from("multi part"));
  assert.equal(pkcs11.C_VerifyFinal(s, sig), true);
  // Too small a buffer keeps the operation; the size is exact.
  pkcs11.C_SignInit(s, det, privateKey);
  expectRv(() => pkcs11.C_Sign(s, Buffer.from("x"), Buffer.alloc(2419)), "CKR_BUFFER_TOO_SMALL");
  assert.equal(pkcs11.C_Sign(s, Buffer.from("x"), Buffer.alloc(2420)).length, 2420);
  // Sensitive: the seed and the expanded key stay inside.
  expectRv(() => attr(privateKey, C.CKA_SEED), "CKR_ATTRIBUTE_SENSITIVE");
  expectRv(() => attr(privateKey, C.CKA_VALUE), "CKR_ATTRIBUTE_SENSITIVE");
  // Parameters: checked in the facade, then in the token.
  assert.throws(() => pkcs11.C_SignInit(s, ctx("text"), privateKey), {
    name: "TypeError",
    message: "Property 'context' of CK_SIGN_ADDITIONAL_CONTEXT mechanism parameter should be Buffer",
  });
  expectRv(() => pkcs11.C_SignInit(s, ctx(Buffer.alloc(256)), privateKey), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(() => pkcs11.C_SignInit(s, ctx(undefined, 7), privateKey), "CKR_MECHANISM_PARAM_INVALID");
  expectRv(() => pkcs11.C_SignInit(s, { mechanism: C.CKM_ML_DSA }, publicKey), "CKR_KEY_FUNCTION_NOT_PERMITTED");
  expectRv(
    () => pkcs11.C_GenerateKeyPair(s, { mechanism: C.CKM_ML_DSA_KEY_PAIR_GEN }, [{ type: C.CKA_PARAMETER_SET, value: 9 }], []),
    "CKR_PARAMETER_SET_NOT_SUPPORTED",
  );
  expectRv(() => pkcs11.C_GenerateKeyPair(s, { mechanism: C.CKM_ML_DSA_KEY_PAIR_GEN }, [], []), "CKR_TEMPLATE_INCOMPLETE");
});

test("ML-KEM-512/768/1024: C_EncapsulateKey and C_DecapsulateKey agree; the keys work", () => {
  for (const [name, ckp, ekLen, dkLen, ctLen, oid] of KEM_SETS) {
    const { publicKey, privateKey } = kemPair(ckp, [{ type: C.CKA_EXTRACTABLE, value: true }]);
    assert.equal(attr(publicKey, C.CKA_VALUE).length, ekLen, name);
    assert.equal(attr(privateKey, C.CKA_VALUE).length, dkLen);
    assert.equal(attr(privateKey, C.CKA_SEED).length, 64);
    assert.equal(attr(publicKey, C.CKA_ENCAPSULATE)[0], 1);
    assert.equal(attr(privateKey, C.CKA_DECAPSULATE)[0], 1);
    assert.ok(hex(attr(publicKey, C.CKA_PUBLIC_KEY_INFO)).includes(oid));

    const mech = { mechanism: C.CKM_ML_KEM };
    const out = Buffer.alloc(2000);
    const enc = pkcs11.C_EncapsulateKey(s, mech, publicKey, aesTemplate([{ type: C.CKA_EXTRACTABLE, value: true }]), out);
    assert.equal(enc.ciphertext.length, ctLen);
    assert.equal(enc.ciphertext.buffer, out.buffer, "the ciphertext is the caller's buffer");
    assert.equal(enc.key.length, 8);
    const dec = pkcs11.C_DecapsulateKey(s, mech, privateKey, aesTemplate([{ type: C.CKA_EXTRACTABLE, value: true }]), enc.ciphertext);
    assert.equal(hex(attr(enc.key, C.CKA_VALUE)), hex(attr(dec, C.CKA_VALUE)));
    assert.equal(attr(dec, C.CKA_VALUE).length, 32);
    for (const k of [enc.key, dec]) {
      assert.equal(attr(k, C.CKA_LOCAL)[0], 0);
      assert.equal(attr(k, C.CKA_ALWAYS_SENSITIVE)[0], 0);
      assert.equal(attr(k, C.CKA_NEVER_EXTRACTABLE)[0], 0);
    }
    // The shared key encrypts on one side and decrypts on the other.
    const gcm = { mechanism: C.CKM_AES_GCM, parameter: { type: C.CK_PARAMS_GCM, iv: Buffer.alloc(12, 1), ivBits: 96, tagBits: 128 } };
    pkcs11.C_EncryptInit(s, gcm, enc.key);
    const ct = Buffer.from(pkcs11.C_Encrypt(s, Buffer.from("kem message"), Buffer.alloc(64)));
    pkcs11.C_DecryptInit(s, gcm, dec);
    assert.equal(Buffer.from(pkcs11.C_Decrypt(s, ct, Buffer.alloc(64))).toString(), "kem message");
  }
});

test("C_EncapsulateKey / C_DecapsulateKey: callback and Async forms, errors", async () => {
  const { publicKey, privateKey } = kemPair(C.CKP_ML_KEM_768);
  const mech = { mechanism: C.CKM_ML_KEM };
  const generic = [
    { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
    { type: C.CKA_VALUE_LEN, value: 24 },
  ];
  const enc = await pkcs11.C_EncapsulateKeyAsync(s, mech, publicKey, generic, Buffer.alloc(1088));
  const dec = await pkcs11.C_DecapsulateKeyAsync(s, mech, privateKey, generic, enc.ciphertext);
  assert.equal(attr(dec, C.CKA_VALUE).length, 24);
  assert.equal(hex(attr(dec, C.CKA_VALUE)), hex(attr(enc.key, C.CKA_VALUE)));
  const viaCallback = await new Promise((resolve, reject) =>
    pkcs11.C_EncapsulateKey(s, mech, publicKey, generic, Buffer.alloc(1088), (err, r) => (err ? reject(err) : resolve(r))),
  );
  const back = await new Promise((resolve, reject) =>
    pkcs11.C_DecapsulateKeyCallback(s, mech, privateKey, generic, viaCallback.ciphertext, (err, r) => (err ? reject(err) : resolve(r))),
  );
  assert.equal(hex(attr(back, C.CKA_VALUE)), hex(attr(viaCallback.key, C.CKA_VALUE)));

  // Too small a buffer: no key is made.
  pkcs11.C_FindObjectsInit(s, []);
  const before = pkcs11.C_FindObjects(s, 1000).length;
  pkcs11.C_FindObjectsFinal(s);
  expectRv(() => pkcs11.C_EncapsulateKey(s, mech, publicKey, generic, Buffer.alloc(1087)), "CKR_BUFFER_TOO_SMALL");
  await assert.rejects(pkcs11.C_EncapsulateKeyAsync(s, mech, publicKey, generic, Buffer.alloc(10)), { message: "CKR_BUFFER_TOO_SMALL" });
  pkcs11.C_FindObjectsInit(s, []);
  assert.equal(pkcs11.C_FindObjects(s, 1000).length, before);
  pkcs11.C_FindObjectsFinal(s);

  expectRv(() => pkcs11.C_DecapsulateKey(s, mech, privateKey, generic, Buffer.alloc(1087)), "CKR_WRAPPED_KEY_LEN_RANGE");
  expectRv(() => pkcs11.C_EncapsulateKey(s, mech, privateKey, generic, Buffer.alloc(1088)), "CKR_KEY_FUNCTION_NOT_PERMITTED");
  expectRv(() => pkcs11.C_EncapsulateKey(s, mech, publicKey, [], Buffer.alloc(1088)), "CKR_TEMPLATE_INCOMPLETE");
  expectRv(() => pkcs11.C_EncapsulateKey(s, { mechanism: C.CKM_RSA_PKCS }, publicKey, generic, Buffer.alloc(1088)), "CKR_MECHANISM_INVALID");
  pkcs11.C_SetAttributeValue(s, privateKey, [{ type: C.CKA_DECAPSULATE, value: false }]);
  expectRv(() => pkcs11.C_DecapsulateKey(s, mech, privateKey, generic, enc.ciphertext), "CKR_KEY_FUNCTION_NOT_PERMITTED");
  // pkcs11js-style argument checks.
  assert.throws(() => pkcs11.C_EncapsulateKey(s, mech, publicKey, generic), {
    name: "TypeError",
    message: "Parameters are required. Expected 5 arguments, but received 4.",
  });
  assert.throws(() => pkcs11.C_DecapsulateKey(s, mech, privateKey, generic, "ciphertext"), {
    name: "TypeError",
    message: "Argument 4 has wrong type. Should be a Buffer",
  });
  await assert.rejects(pkcs11.C_DecapsulateKeyAsync(s, mech, Buffer.alloc(4), generic, enc.ciphertext), {
    name: "TypeError",
    message: "Argument 2 has wrong length. Should be 8 bytes.",
  });
});

test("NIST ACVP known answers through the facade (ML-KEM keyGen/decapsulation, ML-DSA keyGen)", () => {
  const kem = vectors("acvp-ml-kem.json");
  const set = (name, sets) => sets.find((x) => x[0] === name)[1];
  for (const c of kem.keyGen) {
    const key = pkcs11.C_CreateObject(s, [
      { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
      { type: C.CKA_KEY_TYPE, value: C.CKK_ML_KEM },
      { type: C.CKA_PARAMETER_SET, value: set(c.parameterSet, KEM_SETS) },
      { type: C.CKA_SEED, value: Buffer.from(c.d + c.z, "hex") },
      { type: C.CKA_EXTRACTABLE, value: true },
    ]);
    assert.equal(hex(attr(key, C.CKA_VALUE)), c.dk.toLowerCase(), `ML-KEM keyGen tc ${c.tcId}`);
  }
  for (const g of kem.decapsulation) {
    const key = pkcs11.C_CreateObject(s, [
      { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
      { type: C.CKA_KEY_TYPE, value: C.CKK_ML_KEM },
      { type: C.CKA_PARAMETER_SET, value: set(g.parameterSet, KEM_SETS) },
      { type: C.CKA_VALUE, value: Buffer.from(g.dk, "hex") },
    ]);
    for (const t of g.tests) {
      const k = pkcs11.C_DecapsulateKey(
        s,
        { mechanism: C.CKM_ML_KEM },
        key,
        [{ type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET }, { type: C.CKA_EXTRACTABLE, value: true }],
        Buffer.from(t.c, "hex"),
      );
      assert.equal(hex(attr(k, C.CKA_VALUE)), t.k.toLowerCase(), `ML-KEM decapsulation tc ${t.tcId} (${t.reason})`);
    }
  }
  const dsa = vectors("acvp-ml-dsa.json");
  for (const c of dsa.keyGen) {
    const key = pkcs11.C_CreateObject(s, [
      { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
      { type: C.CKA_KEY_TYPE, value: C.CKK_ML_DSA },
      { type: C.CKA_PARAMETER_SET, value: set(c.parameterSet, DSA_SETS) },
      { type: C.CKA_SEED, value: Buffer.from(c.seed, "hex") },
      { type: C.CKA_EXTRACTABLE, value: true },
    ]);
    assert.equal(hex(attr(key, C.CKA_VALUE)), c.sk.toLowerCase(), `ML-DSA keyGen tc ${c.tcId}`);
    const info = attr(key, C.CKA_PUBLIC_KEY_INFO);
    assert.equal(hex(info.subarray(info.length - c.pk.length / 2)), c.pk.toLowerCase());
  }
});

test("post-quantum private keys wrap (PKCS#8) and unwrap", () => {
  const kwp = pkcs11.C_GetMechanismList(slot).includes(C.CKM_AES_KEY_WRAP_KWP);
  const mech = kwp
    ? { mechanism: C.CKM_AES_KEY_WRAP_KWP }
    : { mechanism: C.CKM_AES_CBC_PAD, parameter: Buffer.alloc(16, 7) };
  const kek = pkcs11.C_GenerateKey(s, { mechanism: C.CKM_AES_KEY_GEN }, [{ type: C.CKA_VALUE_LEN, value: 32 }]);
  for (const [gen, keyType, ckp] of [
    [dsaPair, C.CKK_ML_DSA, C.CKP_ML_DSA_65],
    [kemPair, C.CKK_ML_KEM, C.CKP_ML_KEM_1024],
  ]) {
    const { privateKey } = gen(ckp, [{ type: C.CKA_EXTRACTABLE, value: true }]);
    const wrapped = pkcs11.C_WrapKey(s, mech, kek, privateKey, Buffer.alloc(8192));
    const back = pkcs11.C_UnwrapKey(s, mech, kek, wrapped, [
      { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
      { type: C.CKA_KEY_TYPE, value: keyType },
      { type: C.CKA_EXTRACTABLE, value: true },
    ]);
    for (const a of [C.CKA_VALUE, C.CKA_SEED, C.CKA_PARAMETER_SET, C.CKA_PUBLIC_KEY_INFO]) {
      assert.equal(hex(attr(back, a)), hex(attr(privateKey, a)), `attribute ${a}`);
    }
  }
});

// node:crypto gained ML-DSA / ML-KEM with OpenSSL 3.5 (Node 24); Node 20 has neither.
const nodeHas = (type) => {
  try {
    crypto.generateKeyPairSync(type);
    return true;
  } catch {
    return false;
  }
};
const noMlDsa = !nodeHas("ml-dsa-44") && "node:crypto has no ML-DSA here (needs OpenSSL 3.5+)";
const noMlKem = !nodeHas("ml-kem-768") && "node:crypto has no ML-KEM here (needs OpenSSL 3.5+)";

test("ML-DSA interop with node:crypto", { skip: noMlDsa }, () => {
  const { publicKey, privateKey } = dsaPair(C.CKP_ML_DSA_65);
  const data = Buffer.from("interop");
  const theirPub = crypto.createPublicKey({ key: attr(publicKey, C.CKA_PUBLIC_KEY_INFO), format: "der", type: "spki" });
  assert.equal(crypto.verify(null, data, theirPub, sign({ mechanism: C.CKM_ML_DSA }, privateKey, data)), true);
  const node = crypto.generateKeyPairSync("ml-dsa-65");
  const raw = node.publicKey.export({ format: "der", type: "spki" });
  const imported = pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PUBLIC_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_ML_DSA },
    { type: C.CKA_PARAMETER_SET, value: C.CKP_ML_DSA_65 },
    { type: C.CKA_VALUE, value: raw.subarray(raw.length - 1952) },
  ]);
  assert.equal(verify({ mechanism: C.CKM_ML_DSA }, imported, data, crypto.sign(null, data, node.privateKey)), true);
});

test("ML-KEM interop with node:crypto", { skip: noMlKem }, () => {
  const { publicKey, privateKey } = kemPair(C.CKP_ML_KEM_768, [{ type: C.CKA_EXTRACTABLE, value: true }]);
  const theirPub = crypto.createPublicKey({ key: attr(publicKey, C.CKA_PUBLIC_KEY_INFO), format: "der", type: "spki" });
  const { sharedKey, ciphertext } = crypto.encapsulate(theirPub);
  const k = pkcs11.C_DecapsulateKey(s, { mechanism: C.CKM_ML_KEM }, privateKey, [{ type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET }, { type: C.CKA_EXTRACTABLE, value: true }], ciphertext);
  assert.equal(hex(attr(k, C.CKA_VALUE)), hex(sharedKey));
});
