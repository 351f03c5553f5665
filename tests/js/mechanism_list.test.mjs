// Issue 4's bar: the mechanism list is a strict superset of SoftHSMv2
// 2.7's, minus the legacy families we leave out (DES, DSA, DH, GOST, MD5).
import test from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const pkcs11js = require("../../pkg/index.cjs");

// SoftHSMv2's mechanism table (src/lib/SoftHSM.cpp), legacy families removed.
const SOFTHSM_NON_LEGACY = [
  "AES_CBC", "AES_CBC_ENCRYPT_DATA", "AES_CBC_PAD", "AES_CMAC", "AES_CTR", "AES_ECB", "AES_ECB_ENCRYPT_DATA",
  "AES_GCM", "AES_KEY_GEN", "AES_KEY_WRAP", "AES_KEY_WRAP_PAD", "CONCATENATE_BASE_AND_DATA",
  "CONCATENATE_BASE_AND_KEY", "CONCATENATE_DATA_AND_BASE", "ECDH1_DERIVE", "ECDSA", "ECDSA_SHA1",
  "ECDSA_SHA224", "ECDSA_SHA256", "ECDSA_SHA384", "ECDSA_SHA512", "EC_EDWARDS_KEY_PAIR_GEN",
  "EC_KEY_PAIR_GEN", "EDDSA", "GENERIC_SECRET_KEY_GEN", "ML_DSA", "ML_DSA_KEY_PAIR_GEN", "RSA_AES_KEY_WRAP",
  "RSA_PKCS", "RSA_PKCS_KEY_PAIR_GEN", "RSA_PKCS_OAEP", "RSA_PKCS_PSS", "RSA_X_509", "SHA1_RSA_PKCS",
  "SHA1_RSA_PKCS_PSS", "SHA224", "SHA224_HMAC", "SHA224_RSA_PKCS", "SHA224_RSA_PKCS_PSS", "SHA256",
  "SHA256_HMAC", "SHA256_RSA_PKCS", "SHA256_RSA_PKCS_PSS", "SHA384", "SHA384_HMAC", "SHA384_RSA_PKCS",
  "SHA384_RSA_PKCS_PSS", "SHA512", "SHA512_HMAC", "SHA512_RSA_PKCS", "SHA512_RSA_PKCS_PSS", "SHA_1",
  "SHA_1_HMAC",
];

test("mechanism list is a strict superset of SoftHSMv2's non-legacy list", () => {
  const p = new pkcs11js.PKCS11();
  p.C_Initialize();
  const [slot] = p.C_GetSlotList(false);
  const ours = new Set(p.C_GetMechanismList(slot));
  const missing = SOFTHSM_NON_LEGACY.filter((n) => !ours.has(pkcs11js[`CKM_${n}`]));
  assert.deepEqual(missing, []);
  assert.ok(ours.size > SOFTHSM_NON_LEGACY.length, `${ours.size} mechanisms`);
  for (const m of ours) {
    const info = p.C_GetMechanismInfo(slot, m);
    assert.ok(info.flags !== 0, `mechanism 0x${m.toString(16)} has functions`);
    assert.ok(info.minKeySize <= info.maxKeySize, `mechanism 0x${m.toString(16)} key sizes ordered`);
  }
  p.C_Finalize();
});
