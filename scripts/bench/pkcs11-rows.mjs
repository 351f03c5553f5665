// The workload for any module with pkcs11js's API: this package and
// SoftHSMv2 through pkcs11js run the very same code. Keys are session
// objects unless a row says otherwise; objects a batch creates are
// destroyed after the batch, untimed, so every batch sees the same token.
// Our token objects are stored write-behind: a call queues its writes and
// returns, `flush()` resolves once they are durable. Rows flush untimed
// after each batch (the queue must not grow across batches and rows); the
// "durable" rows time the flush too. SoftHSM writes within the call.
import { alloc, random } from "./data.mjs";
import { since, stamp } from "./harness.mjs";

/** CKA_EC_PARAMS for P-256: the DER OID 1.2.840.10045.3.1.7. */
const P256_OID = Uint8Array.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);

/** A user-logged-in R/W session on `slot` (token initialized, user PIN set). */
export function workSession(p11, C, slot, pin) {
  const session = p11.C_OpenSession(slot, C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION);
  p11.C_Login(session, C.CKU_USER, pin);
  return session;
}

/** C_InitToken + C_InitPIN on a fresh token. */
export function initToken(p11, C, slot, label, soPin, userPin) {
  p11.C_InitToken(slot, soPin, label);
  const s = p11.C_OpenSession(slot, C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION);
  p11.C_Login(s, C.CKU_SO, soPin);
  p11.C_InitPIN(s, userPin);
  p11.C_Logout(s);
  p11.C_CloseSession(s);
}

/** A copy of a result that lives in a reused output buffer. */
const copy = (b) => {
  const c = alloc(b.length);
  c.set(b);
  return c;
};

/** The AES key template for the 1,000/10,000-object rows. */
export function aesObject(C, label, token) {
  return [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_AES },
    { type: C.CKA_TOKEN, value: token },
    { type: C.CKA_PRIVATE, value: true },
    { type: C.CKA_SENSITIVE, value: true },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: true },
    { type: C.CKA_LABEL, value: label },
    { type: C.CKA_VALUE, value: random(32) },
  ];
}

/**
 * Implementations (see harness.mjs) of every row this module can run.
 * `ctx`: { p11, C, DATA (data.mjs), slot, session (user logged in, R/W), login: { rowId:
 * { p11, slot, pin } }, flush? } where `login` names the token each login row uses
 * (it must have no session logged in) and `flush()` (ours) resolves once
 * every write of the work token is durable (absent: writes are synchronous).
 */
export function pkcs11Rows(ctx) {
  const { p11, C, DATA, session } = ctx;
  const flush = ctx.flush ?? (async () => {});
  const rows = {};
  const destroyAll = async (list) => {
    for (const h of list.splice(0)) p11.C_DestroyObject(session, h);
    await flush();
  };

  // --- token level ---
  const rwFlags = C.CKF_SERIAL_SESSION | C.CKF_RW_SESSION;
  rows["session.open_close"] = {
    op: () => p11.C_CloseSession(p11.C_OpenSession(ctx.slot, rwFlags)),
  };
  for (const [rowId, t] of Object.entries(ctx.login)) {
    rows[rowId] = {
      op: () => {
        const s = t.p11.C_OpenSession(t.slot, rwFlags);
        t.p11.C_Login(s, C.CKU_USER, t.pin);
        t.p11.C_Logout(s);
        t.p11.C_CloseSession(s);
      },
    };
  }
  for (const token of [false, true]) {
    const made = [];
    const tmpl = [
      { type: C.CKA_VALUE_LEN, value: 32 },
      { type: C.CKA_TOKEN, value: token },
      { type: C.CKA_PRIVATE, value: true },
      { type: C.CKA_SENSITIVE, value: true },
      { type: C.CKA_ENCRYPT, value: true },
      { type: C.CKA_DECRYPT, value: true },
    ];
    const generate = () => made.push(p11.C_GenerateKey(session, { mechanism: C.CKM_AES_KEY_GEN }, tmpl));
    rows[token ? "key.aes_gen_token" : "key.aes_gen_session"] = { op: generate, after: () => destroyAll(made) };
    if (token) {
      // Durable per call: ours flushes after each key (its temp file,
      // fsync, rename; the directories fsynced); SoftHSM's call writes.
      rows["key.aes_gen_token_durable"] = ctx.flush
        ? {
            async: true,
            op: async () => {
              generate();
              await flush();
            },
            after: () => destroyAll(made),
          }
        : { op: generate, after: () => destroyAll(made) };
    }
  }

  // --- symmetric ---
  const aes = p11.C_GenerateKey(session, { mechanism: C.CKM_AES_KEY_GEN }, [
    { type: C.CKA_VALUE_LEN, value: 32 },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: true },
  ]);
  const gcm = {
    mechanism: C.CKM_AES_GCM,
    parameter: { type: C.CK_PARAMS_AES_GCM, iv: DATA.iv12, ivBits: 96, tagBits: 128 },
  };
  const cbcPad = { mechanism: C.CKM_AES_CBC_PAD, parameter: DATA.iv16 };
  const oneShot = (init, run, mech, key, input, outLen) => {
    const out = alloc(outLen);
    return {
      op: () => {
        p11[init](session, mech, key);
        p11[run](session, input, out);
      },
    };
  };
  for (const [size, data] of Object.entries(DATA.plain)) {
    rows[`gcm.enc.${size}`] = oneShot("C_EncryptInit", "C_Encrypt", gcm, aes, data, data.length + 16);
    p11.C_EncryptInit(session, gcm, aes);
    const sealed = copy(p11.C_Encrypt(session, data, alloc(data.length + 16)));
    rows[`gcm.dec.${size}`] = oneShot("C_DecryptInit", "C_Decrypt", gcm, aes, sealed, data.length + 16);
  }
  const mib = DATA.plain["1m"];
  rows["cbc.enc.1m"] = oneShot("C_EncryptInit", "C_Encrypt", cbcPad, aes, mib, mib.length + 16);
  p11.C_EncryptInit(session, cbcPad, aes);
  const cbcSealed = copy(p11.C_Encrypt(session, mib, alloc(mib.length + 16)));
  rows["cbc.dec.1m"] = oneShot("C_DecryptInit", "C_Decrypt", cbcPad, aes, cbcSealed, mib.length + 16);
  // The same 1 MiB calls with every AES in wasm (ours in Node hands bulk
  // AES to OpenSSL, src/mech/aes/host.rs; another token is unaffected).
  const wasmAes = (row) =>
    C.hostAes?.().available
      ? { ...row, before: () => C.hostAes({ enabled: false }), after: () => C.hostAes({ enabled: true }) }
      : row;
  for (const id of ["gcm.enc.1m", "gcm.dec.1m", "cbc.enc.1m", "cbc.dec.1m"]) rows[`${id}.wasm`] = wasmAes(rows[id]);

  const digestOut = alloc(32);
  rows["sha256.1m"] = {
    op: () => {
      p11.C_DigestInit(session, { mechanism: C.CKM_SHA256 });
      p11.C_Digest(session, mib, digestOut);
    },
  };
  const hmacKey = p11.C_GenerateKey(session, { mechanism: C.CKM_GENERIC_SECRET_KEY_GEN }, [
    { type: C.CKA_VALUE_LEN, value: 32 },
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_SIGN, value: true },
    { type: C.CKA_VERIFY, value: true },
  ]);
  rows["hmac.1k"] = oneShot("C_SignInit", "C_Sign", { mechanism: C.CKM_SHA256_HMAC }, hmacKey, DATA.plain["1k"], 32);

  // --- RSA-2048 ---
  const rsaPub = [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_MODULUS_BITS, value: 2048 },
    { type: C.CKA_PUBLIC_EXPONENT, value: Uint8Array.from([1, 0, 1]) },
    { type: C.CKA_VERIFY, value: true },
    { type: C.CKA_ENCRYPT, value: true },
  ];
  const rsaPriv = [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_PRIVATE, value: true },
    { type: C.CKA_SENSITIVE, value: true },
    { type: C.CKA_SIGN, value: true },
    { type: C.CKA_DECRYPT, value: true },
  ];
  const rsaGen = { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN };
  const pairs = [];
  rows["rsa.keygen"] = {
    op: () => {
      const kp = p11.C_GenerateKeyPair(session, rsaGen, rsaPub, rsaPriv);
      pairs.push(kp.publicKey, kp.privateKey);
    },
    after: () => destroyAll(pairs),
  };
  const rsaPubE3 = rsaPub.map((a) => (a.type === C.CKA_PUBLIC_EXPONENT ? { ...a, value: Uint8Array.from([3]) } : a));
  rows["rsa.keygen.e3"] = {
    op: () => {
      const kp = p11.C_GenerateKeyPair(session, rsaGen, rsaPubE3, rsaPriv);
      pairs.push(kp.publicKey, kp.privateKey);
    },
    after: () => destroyAll(pairs),
  };
  const rsa = p11.C_GenerateKeyPair(session, rsaGen, rsaPub, rsaPriv);
  const sig256 = alloc(256);
  const pkcs1 = { mechanism: C.CKM_SHA256_RSA_PKCS };
  const pss = {
    mechanism: C.CKM_SHA256_RSA_PKCS_PSS,
    parameter: { type: C.CK_PARAMS_RSA_PSS, hashAlg: C.CKM_SHA256, mgf: C.CKG_MGF1_SHA256, saltLen: 32 },
  };
  const oaep = {
    mechanism: C.CKM_RSA_PKCS_OAEP,
    // SHA-1: the only OAEP hash SoftHSM accepts.
    parameter: { type: C.CK_PARAMS_RSA_OAEP, hashAlg: C.CKM_SHA_1, mgf: C.CKG_MGF1_SHA1, source: C.CKZ_DATA_SPECIFIED },
  };
  const msg = DATA.message;
  const signWith = (mech) => {
    p11.C_SignInit(session, mech, rsa.privateKey);
    return copy(p11.C_Sign(session, msg, alloc(256)));
  };
  rows["rsa.pkcs1.sign"] = oneShot("C_SignInit", "C_Sign", pkcs1, rsa.privateKey, msg, 256);
  rows["rsa.pss.sign"] = oneShot("C_SignInit", "C_Sign", pss, rsa.privateKey, msg, 256);
  const verify = (mech, sig) => ({
    op: () => {
      p11.C_VerifyInit(session, mech, rsa.publicKey);
      p11.C_Verify(session, msg, sig);
    },
  });
  rows["rsa.pkcs1.verify"] = verify(pkcs1, signWith(pkcs1));
  rows["rsa.pss.verify"] = verify(pss, signWith(pss));
  rows["rsa.oaep.enc"] = oneShot("C_EncryptInit", "C_Encrypt", oaep, rsa.publicKey, msg, 256);
  p11.C_EncryptInit(session, oaep, rsa.publicKey);
  const oaepSealed = copy(p11.C_Encrypt(session, msg, sig256));
  rows["rsa.oaep.dec"] = oneShot("C_DecryptInit", "C_Decrypt", oaep, rsa.privateKey, oaepSealed, 256);

  // --- P-256 ---
  const ecPub = [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_EC_PARAMS, value: P256_OID },
    { type: C.CKA_VERIFY, value: true },
  ];
  const ecPriv = [
    { type: C.CKA_TOKEN, value: false },
    { type: C.CKA_PRIVATE, value: true },
    { type: C.CKA_SENSITIVE, value: true },
    { type: C.CKA_SIGN, value: true },
  ];
  const ecGen = { mechanism: C.CKM_EC_KEY_PAIR_GEN };
  const ecPairs = [];
  rows["ec.keygen"] = {
    op: () => {
      const kp = p11.C_GenerateKeyPair(session, ecGen, ecPub, ecPriv);
      ecPairs.push(kp.publicKey, kp.privateKey);
    },
    after: () => destroyAll(ecPairs),
  };
  const ec = p11.C_GenerateKeyPair(session, ecGen, ecPub, ecPriv);
  // CKM_ECDSA signs a hash: the SHA-256 of the message, as WebCrypto's
  // ECDSA/SHA-256 would compute (SoftHSM has no CKM_ECDSA_SHA256).
  const ecdsa = { mechanism: C.CKM_ECDSA };
  rows["ec.sign"] = oneShot("C_SignInit", "C_Sign", ecdsa, ec.privateKey, DATA.messageHash, 64);
  p11.C_SignInit(session, ecdsa, ec.privateKey);
  const ecSig = copy(p11.C_Sign(session, DATA.messageHash, alloc(64)));
  rows["ec.verify"] = {
    op: () => {
      p11.C_VerifyInit(session, ecdsa, ec.publicKey);
      p11.C_Verify(session, DATA.messageHash, ecSig);
    },
  };

  // --- 1,000 persisted objects: create, find by label, destroy ---
  rows["objects"] = { round: (warmup) => objectsRound(ctx, flush, warmup ? 10 : 1), warmupScale: 10 };
  return rows;
}

/** Finds by label per round (the same labels for every module). */
const FIND_COUNT = 50;

/**
 * One round of the object scenario: 1,000 token objects created (per call,
 * and in all until durable: the creates plus `flush()`), FIND_COUNT
 * C_FindObjectsInit/C_FindObjects/C_FindObjectsFinal by label among them,
 * then all destroyed (per call; flushed untimed). Returns ms ({wall, cpu})
 * for each step: per call, and for the 1,000 in "objects.durable".
 * `div` > 1: a warm-up with 1/div of the objects and finds.
 */
async function objectsRound({ p11, C, DATA, session }, flush, div) {
  const n = DATA.objectCount / div;
  const finds = FIND_COUNT / div;
  const templates = [];
  for (let i = 0; i < n; i++) templates.push(aesObject(C, `bench-object-${i}`, true));
  const handles = new Array(n);
  let t = stamp();
  for (let i = 0; i < n; i++) handles[i] = p11.C_CreateObject(session, templates[i]);
  const create = since(t, n);
  t = stamp();
  await flush();
  const flushed = since(t);
  const durable = { wall: create.wall * n + flushed.wall, cpu: create.cpu * n + flushed.cpu };

  t = stamp();
  for (let j = 0; j < finds; j++) {
    p11.C_FindObjectsInit(session, [{ type: C.CKA_LABEL, value: `bench-object-${DATA.findOrder[j] % n}` }]);
    const found = p11.C_FindObjects(session, 2);
    p11.C_FindObjectsFinal(session);
    if (found.length !== 1) throw new Error(`C_FindObjects by label found ${found.length} objects, expected 1`);
  }
  const find = since(t, finds);

  t = stamp();
  for (const h of handles) p11.C_DestroyObject(session, h);
  const destroy = since(t, n);
  await flush();
  return { "objects.create": create, "objects.durable": durable, "objects.find": find, "objects.destroy": destroy };
}
