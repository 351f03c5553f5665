// Our side of the rows shared with the WebAssembly/JavaScript peers
// (peer-rows.mjs) that the main workload (pkcs11-rows.mjs) does not have:
// every call goes through the PKCS#11 API, Init + one-shot call, as an
// application would make it. Keys are session objects; objects a batch
// derives are destroyed after it, untimed.
import { alloc } from "./data.mjs";

const ED25519_OID = Uint8Array.from([0x06, 0x03, 0x2b, 0x65, 0x70]);
const X25519_OID = Uint8Array.from([0x06, 0x03, 0x2b, 0x65, 0x6e]);

/** Row implementations (see harness.mjs) by id; `ctx` as pkcs11Rows', `P` = peerData(). */
export function pkcs11PeerRows(ctx, P) {
  const { p11, C, DATA, session } = ctx;
  const rows = {};
  const SESSION = { type: C.CKA_TOKEN, value: false };
  const mib = DATA.plain["1m"];

  for (const [id, mechanism, len] of [
    ["sha1.1m", C.CKM_SHA_1, 20],
    ["sha512.1m", C.CKM_SHA512, 64],
    ["sha3_256.1m", C.CKM_SHA3_256, 32],
  ]) {
    const out = alloc(len);
    rows[id] = {
      op: () => {
        p11.C_DigestInit(session, { mechanism });
        p11.C_Digest(session, mib, out);
      },
    };
  }

  // PBKDF2-HMAC-SHA256 into a 32-byte generic secret (C_GenerateKey, as
  // PKCS#11 3.1 "PKCS #5 PBKDF2 key generation" defines it).
  const derived = [];
  const destroyDerived = () => {
    for (const h of derived.splice(0)) p11.C_DestroyObject(session, h);
  };
  const pbkdf2 = {
    mechanism: C.CKM_PKCS5_PBKD2,
    parameter: {
      type: C.CK_PARAMS_PKCS5_PBKD2,
      saltSource: C.CKZ_SALT_SPECIFIED,
      salt: P.salt,
      iterations: P.pbkdf2Iterations,
      prf: C.CKP_PKCS5_PBKD2_HMAC_SHA256,
      password: P.password,
    },
  };
  const pbkdf2Template = [SESSION, { type: C.CKA_VALUE_LEN, value: 32 }];
  rows["pbkdf2.sha256"] = {
    op: () => derived.push(p11.C_GenerateKey(session, pbkdf2, pbkdf2Template)),
    after: destroyDerived,
  };

  // ChaCha20-Poly1305 (RFC 8439), 1 MiB.
  const chachaKey = p11.C_CreateObject(session, [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_CHACHA20 },
    SESSION,
    { type: C.CKA_ENCRYPT, value: true },
    { type: C.CKA_DECRYPT, value: true },
    { type: C.CKA_VALUE, value: P.chachaKey },
  ]);
  const chacha = { mechanism: C.CKM_CHACHA20_POLY1305, parameter: { type: C.CK_PARAMS_CHACHA20_POLY1305, nonce: P.nonce12 } };
  const sealedOut = alloc(mib.length + 16);
  rows["chacha.enc.1m"] = {
    op: () => {
      p11.C_EncryptInit(session, chacha, chachaKey);
      p11.C_Encrypt(session, mib, sealedOut);
    },
  };
  p11.C_EncryptInit(session, chacha, chachaKey);
  const sealed = Uint8Array.from(p11.C_Encrypt(session, mib, alloc(mib.length + 16)));
  const openedOut = alloc(mib.length + 16);
  rows["chacha.dec.1m"] = {
    op: () => {
      p11.C_DecryptInit(session, chacha, chachaKey);
      p11.C_Decrypt(session, sealed, openedOut);
    },
  };

  // Ed25519 (CKM_EDDSA, pure) of 1 KiB.
  const pair = (mechanism, oid, usage) =>
    p11.C_GenerateKeyPair(
      session,
      { mechanism },
      [SESSION, { type: C.CKA_EC_PARAMS, value: oid }, { type: C.CKA_VERIFY, value: true }],
      [SESSION, { type: C.CKA_PRIVATE, value: true }, { type: C.CKA_SENSITIVE, value: true }, { type: usage, value: true }],
    );
  const ed = pair(C.CKM_EC_EDWARDS_KEY_PAIR_GEN, ED25519_OID, C.CKA_SIGN);
  const eddsa = { mechanism: C.CKM_EDDSA };
  const msg = DATA.plain["1k"];
  const sigOut = alloc(64);
  rows["ed25519.sign.1k"] = {
    op: () => {
      p11.C_SignInit(session, eddsa, ed.privateKey);
      p11.C_Sign(session, msg, sigOut);
    },
  };
  p11.C_SignInit(session, eddsa, ed.privateKey);
  const sig = Uint8Array.from(p11.C_Sign(session, msg, alloc(64)));
  rows["ed25519.verify.1k"] = {
    op: () => {
      p11.C_VerifyInit(session, eddsa, ed.publicKey);
      p11.C_Verify(session, msg, sig);
    },
  };

  // X25519 (CKM_ECDH1_DERIVE, CKD_NULL) into a 32-byte generic secret.
  const x = pair(C.CKM_EC_MONTGOMERY_KEY_PAIR_GEN, X25519_OID, C.CKA_DERIVE);
  const ecdh = { mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData: P.x25519PeerPublic } };
  const secretTemplate = [
    { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
    SESSION,
  ];
  rows["x25519.derive"] = {
    op: () => derived.push(p11.C_DeriveKey(session, ecdh, x.privateKey, secretTemplate)),
    after: destroyDerived,
  };
  return rows;
}
