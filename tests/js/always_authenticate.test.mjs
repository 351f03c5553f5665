// CKA_ALWAYS_AUTHENTICATE (issue 11, item 5; PKCS#11 3.1 base sections 4.9
// and 5.6.8): a private key with it needs C_Login(CKU_CONTEXT_SPECIFIC)
// after C_SignInit / C_DecryptInit, for every use. Without it the calls
// answer CKR_USER_NOT_LOGGED_IN and the operation stays active; a wrong
// PIN counts toward the lockout (also on disk); locking the PIN logs the
// user out; without such an operation the login answers
// CKR_OPERATION_NOT_INITIALIZED. One-call uses (C_UnwrapKey, C_DeriveKey)
// cannot be re-authenticated and are refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { join } from "node:path";
import { C, KDF, USER_PIN, flags, initToken, open, session, slotOf, tempDir, throwsRv } from "./fixtures/storage-helpers.mjs";

const P256 = Buffer.from("06082a8648ce3d030107", "hex");
const ECDSA = { mechanism: C.CKM_ECDSA };
const DIGEST = crypto.createHash("sha256").update("pay 100 EUR").digest();

function ecPair(p, s, extra = []) {
  return p.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_EC_KEY_PAIR_GEN },
    [{ type: C.CKA_EC_PARAMS, value: P256 }],
    [{ type: C.CKA_ALWAYS_AUTHENTICATE, value: true }, ...extra],
  );
}

function verified(p, s, publicKey, sig) {
  p.C_VerifyInit(s, ECDSA, publicKey);
  return p.C_Verify(s, DIGEST, sig);
}

test("signing: the PIN before every signature; without it CKR_USER_NOT_LOGGED_IN and the operation stays", () => {
  const p = open({ maxPinTries: 3 });
  const slot = slotOf(p);
  initToken(p, slot, "always auth");
  const s = session(p, slot);
  const { publicKey, privateKey } = ecPair(p, s);
  assert.equal(p.C_GetAttributeValue(s, privateKey, [{ type: C.CKA_ALWAYS_AUTHENTICATE }])[0].value[0], 1);

  throwsRv(() => p.C_Login(s, C.CKU_CONTEXT_SPECIFIC, USER_PIN), "CKR_OPERATION_NOT_INITIALIZED", "no operation yet");
  p.C_SignInit(s, ECDSA, privateKey);
  throwsRv(() => p.C_Sign(s, DIGEST, Buffer.alloc(64)), "CKR_USER_NOT_LOGGED_IN");
  throwsRv(() => p.C_SignInit(s, ECDSA, privateKey), "CKR_OPERATION_ACTIVE", "the operation is still active");
  throwsRv(() => p.C_Login(s, C.CKU_CONTEXT_SPECIFIC, "wrong-pin"), "CKR_PIN_INCORRECT");
  assert.ok(flags(p, slot) & C.CKF_USER_PIN_COUNT_LOW, "the wrong PIN was counted");
  throwsRv(() => p.C_Sign(s, DIGEST, Buffer.alloc(64)), "CKR_USER_NOT_LOGGED_IN");
  p.C_Login(s, C.CKU_CONTEXT_SPECIFIC, USER_PIN);
  const sig = Buffer.from(p.C_Sign(s, DIGEST, Buffer.alloc(64)));
  assert.equal(verified(p, s, publicKey, sig), true);

  // The next signature needs the PIN again.
  p.C_SignInit(s, ECDSA, privateKey);
  throwsRv(() => p.C_Sign(s, DIGEST, Buffer.alloc(64)), "CKR_USER_NOT_LOGGED_IN");
  p.C_Login(s, C.CKU_CONTEXT_SPECIFIC, USER_PIN);
  p.C_Sign(s, DIGEST, Buffer.alloc(64));

  // A key without the attribute: the context-specific login has nothing to do.
  const plain = p.C_GenerateKeyPair(s, { mechanism: C.CKM_EC_KEY_PAIR_GEN }, [{ type: C.CKA_EC_PARAMS, value: P256 }], []);
  p.C_SignInit(s, ECDSA, plain.privateKey);
  throwsRv(() => p.C_Login(s, C.CKU_CONTEXT_SPECIFIC, USER_PIN), "CKR_OPERATION_NOT_INITIALIZED");
  p.C_Sign(s, DIGEST, Buffer.alloc(64));

  // ECDH with such a key happens in one call: no way to re-authenticate.
  const derivable = ecPair(p, s, [{ type: C.CKA_DERIVE, value: true }]);
  const point = p.C_GetAttributeValue(s, plain.publicKey, [{ type: C.CKA_EC_POINT }])[0].value;
  throwsRv(
    () =>
      p.C_DeriveKey(s, { mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData: point } }, derivable.privateKey, [
        { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
        { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
        { type: C.CKA_VALUE_LEN, value: 32 },
        { type: C.CKA_EXTRACTABLE, value: true },
      ]),
    "CKR_USER_NOT_LOGGED_IN",
  );

  // Wrong PINs lock the PIN; the locking answer logs the user out.
  p.C_SignInit(s, ECDSA, privateKey);
  throwsRv(() => p.C_Login(s, C.CKU_CONTEXT_SPECIFIC, "wrong-pin"), "CKR_PIN_INCORRECT");
  throwsRv(() => p.C_Login(s, C.CKU_CONTEXT_SPECIFIC, "wrong-pin"), "CKR_PIN_INCORRECT");
  throwsRv(() => p.C_Login(s, C.CKU_CONTEXT_SPECIFIC, "wrong-pin"), "CKR_PIN_LOCKED");
  assert.ok(flags(p, slot) & C.CKF_USER_PIN_LOCKED);
  assert.equal(p.C_GetSessionInfo(s).state, 2, "CKS_RW_PUBLIC_SESSION: logged out");
  throwsRv(() => p.C_Sign(s, DIGEST, Buffer.alloc(64)), "CKR_OPERATION_NOT_INITIALIZED");
  p.C_Finalize();
});

test("decryption and unwrapping with an RSA key; wrong context PINs are stored like any other", (t) => {
  const tmp = tempDir("pkcs11-wasm-reauth-");
  t.after(tmp.remove);
  const config = { kdfIterations: KDF, slots: [{ storage: { directory: join(tmp.dir, "token") } }] };
  const p = open(config);
  initToken(p, slotOf(p), "always auth rsa");
  const s = session(p, slotOf(p));
  const { publicKey, privateKey } = p.C_GenerateKeyPair(
    s,
    { mechanism: C.CKM_RSA_PKCS_KEY_PAIR_GEN },
    [
      { type: C.CKA_MODULUS_BITS, value: 2048 },
      { type: C.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
    ],
    [
      { type: C.CKA_TOKEN, value: true },
      { type: C.CKA_ALWAYS_AUTHENTICATE, value: true },
    ],
  );
  const oaep = { mechanism: C.CKM_RSA_PKCS_OAEP, parameter: { type: C.CK_PARAMS_RSA_OAEP, hashAlg: C.CKM_SHA256, mgf: C.CKG_MGF1_SHA256, source: 1 } };
  p.C_EncryptInit(s, oaep, publicKey);
  const sealed = Buffer.from(p.C_Encrypt(s, Buffer.from("top secret"), Buffer.alloc(256)));
  p.C_DecryptInit(s, oaep, privateKey);
  throwsRv(() => p.C_Decrypt(s, sealed, Buffer.alloc(256)), "CKR_USER_NOT_LOGGED_IN");
  throwsRv(() => p.C_Login(s, C.CKU_CONTEXT_SPECIFIC, "wrong-pin"), "CKR_PIN_INCORRECT");
  p.C_Login(s, C.CKU_CONTEXT_SPECIFIC, USER_PIN);
  assert.equal(Buffer.from(p.C_Decrypt(s, sealed, Buffer.alloc(256))).toString(), "top secret");
  // Unwrapping decrypts into a new key: it would bypass the PIN.
  throwsRv(
    () =>
      p.C_UnwrapKey(s, oaep, privateKey, sealed, [
        { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
        { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
        { type: C.CKA_EXTRACTABLE, value: true },
      ]),
    "CKR_USER_NOT_LOGGED_IN",
  );
  p.C_DecryptInit(s, oaep, privateKey);
  throwsRv(() => p.C_Login(s, C.CKU_CONTEXT_SPECIFIC, "wrong-pin"), "CKR_PIN_INCORRECT");
  p.C_Finalize();
  // The two wrong PINs are in the stored counter.
  const q = open(config);
  assert.ok(flags(q, slotOf(q)) & C.CKF_USER_PIN_COUNT_LOW, "counted on disk");
  q.C_Finalize();
});
