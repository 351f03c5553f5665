//! Engine tests of the PKCS#11 3.x functions: message-based encryption,
//! decryption, signing and verification, C_SessionCancel, C_LoginUser,
//! C_Get/SetOperationState, C_VerifySignature*, and the wrapping policy
//! (CKA_WRAP_TEMPLATE, CKA_UNWRAP_TEMPLATE, CKA_DERIVE_TEMPLATE,
//! CKA_TRUSTED, CKA_WRAP_WITH_TRUSTED, sensitive keys).
use super::*;
use crate::attr::Attribute as A;
use crate::attr::template::encode as template_bytes;
use crate::mech::{CkMechanism, Param};

const SO_PIN: &[u8] = b"so-secret";
const USER_PIN: &[u8] = b"user-1234";
const RW: CK_ULONG = CKF_SERIAL_SESSION | CKF_RW_SESSION;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// An initialized token in slot 0 with the user PIN set, nobody logged in.
fn ready() -> Module {
    let mut m = Module::new(Config {
        kdf_iterations: 10,
        ..Config::default()
    });
    m.initialize().unwrap();
    m.init_token(0, SO_PIN, b"test").unwrap();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_SO, SO_PIN).unwrap();
    m.init_pin(h, USER_PIN).unwrap();
    m.close_session(h).unwrap();
    m
}

fn user_session(m: &mut Module) -> CK_ULONG {
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    h
}

fn secret(m: &mut Module, h: CK_ULONG, key_type: CK_ULONG, value: &[u8], extra: &[A]) -> CK_ULONG {
    let mut t = vec![
        A::ulong(CKA_CLASS, CKO_SECRET_KEY),
        A::ulong(CKA_KEY_TYPE, key_type),
        A::new(CKA_VALUE, value.to_vec()),
    ];
    t.extend_from_slice(extra);
    m.create_object(h, &t).unwrap()
}

fn gcm_msg(iv: &[u8], fixed: CK_ULONG, generator: CK_ULONG, tag: &[u8]) -> Param {
    Param::GcmMessage {
        iv: iv.to_vec(),
        iv_fixed_bits: fixed,
        iv_generator: generator,
        tag: tag.to_vec(),
        tag_bits: tag.len() as CK_ULONG * 8,
    }
}

const GCM: CK_ULONG = CKM_AES_GCM;

// The GCM specification's test case 3 (McGrew and Viega; NIST's gcmEncryptExtIV128).
const TC3_KEY: &str = "feffe9928665731c6d6a8f9467308308";
const TC3_IV: &str = "cafebabefacedbaddecaf888";
const TC3_P: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
const TC3_C: &str = "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985";
const TC3_T: &str = "4d5c2af327cd64a62cf35abd2ba6fab4";

#[test]
fn message_gcm_known_answer_round_trip_and_bad_tag() {
    let mut m = ready();
    let h = user_session(&mut m);
    let key = secret(&mut m, h, CKK_AES, &hex(TC3_KEY), &[]);
    m.message_encrypt_init(h, Some(&CkMechanism::new(GCM)), key)
        .unwrap();
    let p = gcm_msg(&hex(TC3_IV), 0, CKG_NO_GENERATE, &[0; 16]);
    let out = m.encrypt_message(h, &p, b"", &hex(TC3_P), None).unwrap();
    assert_eq!(out.data, hex(TC3_C));
    assert_eq!(out.tag, Some(hex(TC3_T)));
    assert_eq!(out.iv, None, "the caller's IV: nothing to return");
    // Several messages in one process, with AAD.
    let p2 = gcm_msg(&[9; 12], 0, CKG_NO_GENERATE, &[0; 16]);
    let two = m
        .encrypt_message(h, &p2, b"header", b"second", None)
        .unwrap();
    assert_eq!(
        m.encrypt_message(h, &p2, b"header", b"second", Some(5)),
        Err(CKR_BUFFER_TOO_SMALL)
    );
    m.message_encrypt_final(h).unwrap();
    assert_eq!(
        m.message_encrypt_final(h),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );

    m.message_decrypt_init(h, Some(&CkMechanism::new(GCM)), key)
        .unwrap();
    let d = gcm_msg(&hex(TC3_IV), 0, 0, &hex(TC3_T));
    assert_eq!(
        m.decrypt_message(h, &d, b"", &hex(TC3_C), None).unwrap(),
        hex(TC3_P)
    );
    let mut bad_tag = two.tag.clone().unwrap();
    bad_tag[0] ^= 1;
    let bad = gcm_msg(&[9; 12], 0, 0, &bad_tag);
    assert_eq!(
        m.decrypt_message(h, &bad, b"header", &two.data, None),
        Err(CKR_AEAD_DECRYPT_FAILED)
    );
    let good = gcm_msg(&[9; 12], 0, 0, two.tag.as_deref().unwrap());
    assert_eq!(
        m.decrypt_message(h, &good, b"other aad", &two.data, None),
        Err(CKR_AEAD_DECRYPT_FAILED)
    );
    // A failed message does not end the process.
    assert_eq!(
        m.decrypt_message(h, &good, b"header", &two.data, None)
            .unwrap(),
        b"second"
    );
    // Short tags: the tag is the tail of the full one (NIST SP 800-38D).
    m.message_encrypt_init(h, Some(&CkMechanism::new(GCM)), key)
        .unwrap();
    let short = Param::GcmMessage {
        iv: hex(TC3_IV),
        iv_fixed_bits: 0,
        iv_generator: 0,
        tag: vec![0; 16],
        tag_bits: 96,
    };
    let out = m
        .encrypt_message(h, &short, b"", &hex(TC3_P), None)
        .unwrap();
    assert_eq!(out.tag, Some(hex(TC3_T)[..12].to_vec()));
    // Tag lengths GCM does not allow, and odd bit counts.
    for bits in [0, 8, 100, 136] {
        let p = Param::GcmMessage {
            iv: hex(TC3_IV),
            iv_fixed_bits: 0,
            iv_generator: 0,
            tag: vec![0; 17],
            tag_bits: bits,
        };
        assert_eq!(
            m.encrypt_message(h, &p, b"", b"x", None).err(),
            Some(CKR_MECHANISM_PARAM_INVALID),
            "{bits} tag bits"
        );
    }
    let no_room = gcm_msg(&[1; 12], 0, 0, &[0; 8]);
    let no_room = match no_room {
        Param::GcmMessage { iv, tag, .. } => Param::GcmMessage {
            iv,
            iv_fixed_bits: 0,
            iv_generator: 0,
            tag,
            tag_bits: 128,
        },
        p => p,
    };
    assert_eq!(
        m.encrypt_message(h, &no_room, b"", b"x", None),
        Err(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(
        m.encrypt_message(h, &Param::None, b"", b"x", None),
        Err(CKR_ARGUMENTS_BAD)
    );
}

#[test]
fn message_gcm_multi_part_matches_one_shot() {
    let mut m = ready();
    let h = user_session(&mut m);
    let key = secret(&mut m, h, CKK_AES, &hex(TC3_KEY), &[]);
    m.message_encrypt_init(h, Some(&CkMechanism::new(GCM)), key)
        .unwrap();
    let p = gcm_msg(&hex(TC3_IV), 0, 0, &[0; 16]);
    let plain = hex(TC3_P);
    assert_eq!(m.encrypt_message_begin(h, &p, b"").unwrap().iv, None);
    assert_eq!(
        m.encrypt_message(h, &p, b"", b"x", None),
        Err(CKR_OPERATION_ACTIVE)
    );
    assert_eq!(
        m.encrypt_message_begin(h, &p, b""),
        Err(CKR_OPERATION_ACTIVE)
    );
    let mut cipher = m
        .encrypt_message_next(h, &Param::None, &plain[..20], None, 0)
        .unwrap()
        .data;
    // Too small a buffer changes nothing: the same call can be repeated.
    assert_eq!(
        m.encrypt_message_next(h, &p, &plain[20..], Some(3), CKF_END_OF_MESSAGE),
        Err(CKR_BUFFER_TOO_SMALL)
    );
    let last = m
        .encrypt_message_next(h, &p, &plain[20..], None, CKF_END_OF_MESSAGE)
        .unwrap();
    cipher.extend_from_slice(&last.data);
    assert_eq!(cipher, hex(TC3_C));
    assert_eq!(last.tag, Some(hex(TC3_T)));
    assert_eq!(
        m.encrypt_message_next(h, &p, b"", None, 0),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    // The last part needs a parameter to take the tag.
    m.encrypt_message_begin(h, &p, b"").unwrap();
    assert_eq!(
        m.encrypt_message_next(h, &Param::None, b"abc", None, CKF_END_OF_MESSAGE),
        Err(CKR_ARGUMENTS_BAD)
    );
    // ... and that error ended the message.
    assert_eq!(
        m.encrypt_message_next(h, &p, b"", None, 0),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );

    m.message_decrypt_init(h, Some(&CkMechanism::new(GCM)), key)
        .unwrap();
    // The tag buffer is not read yet, but tagBits is.
    let begin = gcm_msg(&hex(TC3_IV), 0, 0, &[0; 16]);
    m.decrypt_message_begin(h, &begin, b"").unwrap();
    let first = m
        .decrypt_message_next(h, &Param::None, &cipher[..33], None, 0)
        .unwrap();
    assert!(first.is_empty(), "no plaintext before the tag checks");
    let end = gcm_msg(&[], 0, 0, &hex(TC3_T));
    assert_eq!(
        m.decrypt_message_next(h, &end, &cipher[33..], Some(10), CKF_END_OF_MESSAGE),
        Err(CKR_BUFFER_TOO_SMALL)
    );
    let rest = m
        .decrypt_message_next(h, &end, &cipher[33..], None, CKF_END_OF_MESSAGE)
        .unwrap();
    assert_eq!(rest, plain);
    // A bad tag on the last part: CKR_AEAD_DECRYPT_FAILED, message ended.
    m.decrypt_message_begin(h, &begin, b"").unwrap();
    let wrong = gcm_msg(&[], 0, 0, &[0; 16]);
    assert_eq!(
        m.decrypt_message_next(h, &wrong, &cipher, None, CKF_END_OF_MESSAGE),
        Err(CKR_AEAD_DECRYPT_FAILED)
    );
    assert_eq!(
        m.decrypt_message_next(h, &wrong, b"", None, 0),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    // Final while a message is in progress ends both.
    m.decrypt_message_begin(h, &begin, b"").unwrap();
    m.message_decrypt_final(h).unwrap();
    assert_eq!(
        m.decrypt_message_begin(h, &begin, b""),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
}

#[test]
fn message_gcm_generated_ivs_never_repeat() {
    let mut m = ready();
    let h = user_session(&mut m);
    let key = aes_key(&mut m, h, &[]);
    let init = CkMechanism::new(GCM);
    let mut seen = std::collections::BTreeSet::new();
    let fixed = [0xA5u8; 12];
    for round in 0..2 {
        // A new process in the same session continues the count.
        m.message_encrypt_init(h, Some(&init), key).unwrap();
        for i in 0..50u64 {
            let p = gcm_msg(&fixed, 32, CKG_GENERATE_COUNTER, &[0; 16]);
            let out = m.encrypt_message(h, &p, b"", b"data", None).unwrap();
            let iv = out.iv.unwrap();
            assert_eq!(&iv[..4], &fixed[..4]);
            let n = u64::from_be_bytes(iv[4..].try_into().unwrap());
            assert_eq!(n, round * 50 + i);
            assert!(seen.insert(iv.clone()), "IV repeated");
            // The generated IV decrypts the message.
            m.message_decrypt_init(h, Some(&init), key).unwrap();
            let d = gcm_msg(&iv, 0, 0, out.tag.as_deref().unwrap());
            assert_eq!(
                m.decrypt_message(h, &d, b"", &out.data, None).unwrap(),
                b"data"
            );
            m.message_decrypt_final(h).unwrap();
        }
        m.message_encrypt_final(h).unwrap();
    }
    // CKR_BUFFER_TOO_SMALL uses up no IV; Begin returns the IV it used.
    m.message_encrypt_init(h, Some(&init), key).unwrap();
    let p = gcm_msg(&fixed, 32, CKG_GENERATE_COUNTER, &[0; 16]);
    assert_eq!(
        m.encrypt_message(h, &p, b"", b"data", Some(1)),
        Err(CKR_BUFFER_TOO_SMALL)
    );
    let begun = m.encrypt_message_begin(h, &p, b"").unwrap().iv.unwrap();
    assert_eq!(u64::from_be_bytes(begun[4..].try_into().unwrap()), 100);
    m.encrypt_message_next(h, &p, b"x", None, CKF_END_OF_MESSAGE)
        .unwrap();
    // Random IVs (12 bytes, no fixed part) differ; CKG_GENERATE too.
    for generator in [CKG_GENERATE_RANDOM, CKG_GENERATE] {
        let p = gcm_msg(&[0; 12], 0, generator, &[0; 16]);
        let a = m.encrypt_message(h, &p, b"", b"x", None).unwrap().iv;
        let b = m.encrypt_message(h, &p, b"", b"x", None).unwrap().iv;
        assert_ne!(a, b);
        assert!(a.is_some());
    }
    // Another session goes on with the key's count (IVs are unique per
    // key in the module, not per session).
    let h2 = m.open_session(0, RW).unwrap();
    m.message_encrypt_init(h2, Some(&init), key).unwrap();
    let iv = m
        .encrypt_message(h2, &p, b"", b"x", None)
        .unwrap()
        .iv
        .unwrap();
    assert_eq!(u64::from_be_bytes(iv[4..].try_into().unwrap()), 101);
}

/// Keys whose value may exist outside this module (token keys, keys made
/// from known bytes, copies) cannot count IVs: another instance, a later
/// run or a copy would count from zero again.
#[test]
fn message_gcm_counters_only_for_keys_born_here() {
    let mut m = ready();
    let h = user_session(&mut m);
    let born = aes_key(&mut m, h, &[]);
    let token = aes_key(&mut m, h, &[A::bool(CKA_TOKEN, true)]);
    let created = secret(&mut m, h, CKK_AES, &[5; 32], &[]);
    let copied = m.copy_object(h, born, &[]).unwrap();
    let init = CkMechanism::new(GCM);
    for generator in [CKG_GENERATE_COUNTER, CKG_GENERATE_COUNTER_XOR] {
        let p = gcm_msg(&[1; 12], 32, generator, &[0; 16]);
        for key in [token, created, copied] {
            m.message_encrypt_init(h, Some(&init), key).unwrap();
            assert_eq!(
                m.encrypt_message(h, &p, b"", b"x", None).err(),
                Some(CKR_MECHANISM_PARAM_INVALID)
            );
            assert_eq!(
                m.encrypt_message_begin(h, &p, b"").err(),
                Some(CKR_MECHANISM_PARAM_INVALID)
            );
            // Random IVs remain available.
            let r = gcm_msg(&[1; 12], 0, CKG_GENERATE_RANDOM, &[0; 16]);
            assert!(m.encrypt_message(h, &r, b"", b"x", None).is_ok());
            m.message_encrypt_final(h).unwrap();
        }
    }
    // CKG_GENERATE with 32 fixed bits leaves 64: it would count.
    m.message_encrypt_init(h, Some(&init), token).unwrap();
    let p = gcm_msg(&[1; 12], 32, CKG_GENERATE, &[0; 16]);
    assert_eq!(
        m.encrypt_message(h, &p, b"", b"x", None).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    m.message_encrypt_final(h).unwrap();
    // Keys destroyed are forgotten once enough new ones were made.
    for _ in 0..200 {
        let k = aes_key(&mut m, h, &[]);
        m.destroy_object(h, k).unwrap();
    }
    assert!(
        m.iv_counters.len() < 150,
        "{} keys kept",
        m.iv_counters.len()
    );
    m.message_encrypt_init(h, Some(&init), born).unwrap();
    let p = gcm_msg(&[1; 12], 32, CKG_GENERATE_COUNTER, &[0; 16]);
    assert!(m.encrypt_message(h, &p, b"", b"x", None).is_ok());
}

#[test]
fn message_init_checks() {
    let mut m = ready();
    let h = user_session(&mut m);
    let key = secret(&mut m, h, CKK_AES, &[5; 16], &[A::bool(CKA_DECRYPT, false)]);
    let gcm = CkMechanism::new(GCM);
    assert_eq!(
        m.encrypt_message(h, &gcm_msg(&[0; 12], 0, 0, &[0; 16]), b"", b"", None),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    assert_eq!(
        m.message_decrypt_init(h, Some(&gcm), key),
        Err(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    assert_eq!(
        m.message_encrypt_init(h, Some(&CkMechanism::new(CKM_AES_CBC)), key),
        Err(CKR_MECHANISM_INVALID)
    );
    let bad_param = CkMechanism::with(GCM, Param::Bytes(vec![1; 12]));
    assert_eq!(
        m.message_encrypt_init(h, Some(&bad_param), key),
        Err(CKR_MECHANISM_PARAM_INVALID)
    );
    let hmac_key = secret(&mut m, h, CKK_GENERIC_SECRET, &[1; 32], &[]);
    assert_eq!(
        m.message_encrypt_init(h, Some(&gcm), hmac_key),
        Err(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        m.message_encrypt_init(h, Some(&gcm), 9999),
        Err(CKR_KEY_HANDLE_INVALID)
    );
    let with_param = CkMechanism::with(GCM, gcm_msg(&[0; 12], 0, CKG_GENERATE, &[0; 16]));
    m.message_encrypt_init(h, Some(&with_param), key).unwrap();
    assert_eq!(
        m.message_encrypt_init(h, Some(&gcm), key),
        Err(CKR_OPERATION_ACTIVE)
    );
    // NULL_PTR ends the process.
    m.message_encrypt_init(h, None, 0).unwrap();
    m.message_encrypt_init(h, Some(&gcm), key).unwrap();
    // The process is the session's own, and logout ends it.
    let other = m.open_session(0, RW).unwrap();
    assert_eq!(
        m.message_encrypt_final(other),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    m.logout(h).unwrap();
    assert_eq!(
        m.message_encrypt_final(h),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    // Mechanism info lists the message functions.
    let info = m.get_mechanism_info(0, GCM).unwrap();
    let want = CKF_MESSAGE_ENCRYPT | CKF_MESSAGE_DECRYPT | CKF_MULTI_MESSAGE;
    assert_eq!(info.flags & want, want);
    let hmac = m.get_mechanism_info(0, CKM_SHA256_HMAC).unwrap();
    assert_eq!(
        hmac.flags & (CKF_MESSAGE_SIGN | CKF_MESSAGE_VERIFY),
        CKF_MESSAGE_SIGN | CKF_MESSAGE_VERIFY
    );
}

#[test]
fn message_chacha20_poly1305_round_trip() {
    let mut m = ready();
    let h = user_session(&mut m);
    if crate::mech::registry()
        .info(CKM_CHACHA20_POLY1305)
        .is_none()
    {
        eprintln!("skipped: CKM_CHACHA20_POLY1305 is not registered yet");
        return;
    }
    let key = secret(&mut m, h, CKK_CHACHA20, &[3; 32], &[]);
    let mech = CkMechanism::new(CKM_CHACHA20_POLY1305);
    m.message_encrypt_init(h, Some(&mech), key).unwrap();
    let p = Param::ChaCha20Poly1305Message {
        nonce: vec![1; 12],
        tag: vec![0; 16],
    };
    let out = m
        .encrypt_message(h, &p, b"aad", b"hello chacha", None)
        .unwrap();
    assert_eq!(out.data.len(), 12);
    let tag = out.tag.unwrap();
    // The same as the single-message mechanism, whose tag is appended.
    let single = CkMechanism::with(
        CKM_CHACHA20_POLY1305,
        Param::ChaCha20Poly1305 {
            nonce: vec![1; 12],
            aad: b"aad".to_vec(),
        },
    );
    m.encrypt_init(h, &single, key).unwrap();
    let sealed = m.encrypt(h, b"hello chacha", None).unwrap();
    assert_eq!(sealed, [out.data.clone(), tag.clone()].concat());
    // Multi-part.
    m.encrypt_message_begin(h, &p, b"aad").unwrap();
    let a = m.encrypt_message_next(h, &p, b"hello ", None, 0).unwrap();
    let b = m
        .encrypt_message_next(h, &p, b"chacha", None, CKF_END_OF_MESSAGE)
        .unwrap();
    assert_eq!([a.data, b.data].concat(), out.data);
    assert_eq!(b.tag.as_deref(), Some(tag.as_slice()));
    m.message_decrypt_init(h, Some(&mech), key).unwrap();
    let d = Param::ChaCha20Poly1305Message {
        nonce: vec![1; 12],
        tag: tag.clone(),
    };
    assert_eq!(
        m.decrypt_message(h, &d, b"aad", &out.data, None).unwrap(),
        b"hello chacha"
    );
    let short = Param::ChaCha20Poly1305Message {
        nonce: vec![1; 12],
        tag: tag[..15].to_vec(),
    };
    assert_eq!(
        m.decrypt_message(h, &short, b"aad", &out.data, None),
        Err(CKR_MECHANISM_PARAM_INVALID)
    );
    let gcm_param = gcm_msg(&[1; 12], 0, 0, &tag);
    assert_eq!(
        m.decrypt_message(h, &gcm_param, b"aad", &out.data, None),
        Err(CKR_MECHANISM_PARAM_INVALID)
    );
}

#[test]
fn message_sign_and_verify_hmac() {
    let mut m = ready();
    let h = user_session(&mut m);
    let key = secret(&mut m, h, CKK_GENERIC_SECRET, &[0x0b; 20], &[]);
    let mech = CkMechanism::new(CKM_SHA256_HMAC);
    m.sign_init(h, &mech, key).unwrap();
    let expected = m.sign(h, b"Hi There", None).unwrap();
    // RFC 4231 test case 1.
    assert_eq!(
        expected,
        hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    );
    m.message_sign_init(h, Some(&mech), key).unwrap();
    assert_eq!(
        m.sign_message(h, &Param::None, b"Hi There", Some(31)),
        Err(CKR_BUFFER_TOO_SMALL)
    );
    assert_eq!(
        m.sign_message(h, &Param::None, b"Hi There", None).unwrap(),
        expected
    );
    m.sign_message_begin(h, &Param::None).unwrap();
    assert_eq!(
        m.sign_message_next(h, &Param::None, b"Hi ", false, None),
        Ok(None)
    );
    // Too small: nothing fed; the retry gives the right MAC.
    assert_eq!(
        m.sign_message_next(h, &Param::None, b"There", true, Some(4)),
        Err(CKR_BUFFER_TOO_SMALL)
    );
    assert_eq!(
        m.sign_message_next(h, &Param::None, b"There", true, None),
        Ok(Some(expected.clone()))
    );
    assert_eq!(
        m.sign_message_next(h, &Param::None, b"", true, None),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    m.message_sign_final(h).unwrap();

    m.message_verify_init(h, Some(&mech), key).unwrap();
    m.verify_message(h, &Param::None, b"Hi There", &expected)
        .unwrap();
    assert_eq!(
        m.verify_message(h, &Param::None, b"Hi there", &expected),
        Err(CKR_SIGNATURE_INVALID)
    );
    m.verify_message_begin(h, &Param::None).unwrap();
    m.verify_message_next(h, &Param::None, b"Hi ", None)
        .unwrap();
    m.verify_message_next(h, &Param::None, b"There", Some(&expected))
        .unwrap();
    m.verify_message_begin(h, &Param::None).unwrap();
    assert_eq!(
        m.verify_message_next(h, &Param::None, b"Hi", Some(&expected)),
        Err(CKR_SIGNATURE_INVALID)
    );
    // That ended the message, not the process.
    m.verify_message(h, &Param::None, b"Hi There", &expected)
        .unwrap();
    m.message_verify_final(h).unwrap();
    // HMAC_GENERAL: the per-message parameter (the MAC length) overrides
    // the one given at init.
    let general = CkMechanism::with(
        CKM_SHA256_HMAC_GENERAL,
        Param::Bytes(16u64.to_le_bytes().to_vec()),
    );
    m.message_sign_init(h, Some(&general), key).unwrap();
    let mac16 = m.sign_message(h, &Param::None, b"Hi There", None).unwrap();
    assert_eq!(mac16, expected[..16]);
    let p8 = Param::Bytes(8u64.to_le_bytes().to_vec());
    let mac8 = m.sign_message(h, &p8, b"Hi There", None).unwrap();
    assert_eq!(mac8, expected[..8]);
    // A key without CKA_SIGN, a mechanism that cannot sign.
    let no_sign = secret(
        &mut m,
        h,
        CKK_GENERIC_SECRET,
        &[1; 32],
        &[A::bool(CKA_SIGN, false)],
    );
    m.message_sign_final(h).unwrap();
    assert_eq!(
        m.message_sign_init(h, Some(&mech), no_sign),
        Err(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    assert_eq!(
        m.message_sign_init(h, Some(&CkMechanism::new(CKM_SHA256)), key),
        Err(CKR_MECHANISM_INVALID)
    );
}

#[test]
fn message_sign_one_part_mechanisms_collect_the_parts() {
    let mut m = ready();
    let h = user_session(&mut m);
    let p256 = vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let (public, private) = m
        .generate_key_pair(
            h,
            &CkMechanism::new(CKM_EC_KEY_PAIR_GEN),
            &[A::new(CKA_EC_PARAMS, p256)],
            &[],
        )
        .unwrap();
    let ecdsa = CkMechanism::new(CKM_ECDSA);
    let hash = [0x42u8; 32];
    m.message_sign_init(h, Some(&ecdsa), private).unwrap();
    m.sign_message_begin(h, &Param::None).unwrap();
    m.sign_message_next(h, &Param::None, &hash[..10], false, None)
        .unwrap();
    let sig = m
        .sign_message_next(h, &Param::None, &hash[10..], true, None)
        .unwrap()
        .unwrap();
    assert_eq!(sig.len(), 64);
    m.verify_init(h, &ecdsa, public).unwrap();
    m.verify(h, &hash, &sig).unwrap();
    // Verify in parts the same way; and ECDSA_SHA256 streams.
    m.message_verify_init(h, Some(&ecdsa), public).unwrap();
    m.verify_message_begin(h, &Param::None).unwrap();
    m.verify_message_next(h, &Param::None, &hash[..1], None)
        .unwrap();
    m.verify_message_next(h, &Param::None, &hash[1..], Some(&sig))
        .unwrap();
    m.message_verify_final(h).unwrap();
    let hashed = CkMechanism::new(CKM_ECDSA_SHA256);
    m.message_sign_final(h).unwrap();
    m.message_sign_init(h, Some(&hashed), private).unwrap();
    let one = m.sign_message(h, &Param::None, b"message", None).unwrap();
    m.message_verify_init(h, Some(&hashed), public).unwrap();
    m.verify_message_begin(h, &Param::None).unwrap();
    m.verify_message_next(h, &Param::None, b"mess", None)
        .unwrap();
    m.verify_message_next(h, &Param::None, b"age", Some(&one))
        .unwrap();
}

#[test]
fn session_cancel_ends_the_named_operations() {
    let mut m = ready();
    let h = user_session(&mut m);
    let key = secret(&mut m, h, CKK_AES, &[5; 16], &[]);
    let hmac_key = secret(&mut m, h, CKK_GENERIC_SECRET, &[5; 32], &[]);
    let start = |m: &mut Module| {
        m.encrypt_init(h, &CkMechanism::new(CKM_AES_ECB), key)
            .unwrap();
        m.digest_init(h, &CkMechanism::new(CKM_SHA256)).unwrap();
        m.sign_init(h, &CkMechanism::new(CKM_SHA256_HMAC), hmac_key)
            .unwrap();
        m.find_objects_init(h, &[]).unwrap();
        m.message_encrypt_init(h, Some(&CkMechanism::new(GCM)), key)
            .unwrap();
    };
    start(&mut m);
    // No flags, and flags of idle operations: nothing changes.
    m.session_cancel(h, 0).unwrap();
    m.session_cancel(h, CKF_DECRYPT | CKF_VERIFY | CKF_MESSAGE_SIGN)
        .unwrap();
    assert_eq!(
        m.encrypt_init(h, &CkMechanism::new(CKM_AES_ECB), key),
        Err(CKR_OPERATION_ACTIVE)
    );
    m.session_cancel(h, CKF_ENCRYPT | CKF_MESSAGE_ENCRYPT | CKF_FIND_OBJECTS)
        .unwrap();
    m.encrypt_init(h, &CkMechanism::new(CKM_AES_ECB), key)
        .unwrap();
    assert_eq!(m.find_objects(h, 1), Err(CKR_OPERATION_NOT_INITIALIZED));
    assert_eq!(
        m.message_encrypt_final(h),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    // The others are untouched.
    m.digest_update(h, b"abc").unwrap();
    m.sign_update(h, b"abc").unwrap();
    m.session_cancel(h, CKF_DIGEST | CKF_SIGN | CKF_ENCRYPT)
        .unwrap();
    assert_eq!(m.digest_final(h, None), Err(CKR_OPERATION_NOT_INITIALIZED));
    assert_eq!(m.sign_final(h, None), Err(CKR_OPERATION_NOT_INITIALIZED));
    assert_eq!(
        m.session_cancel(9999, CKF_ENCRYPT),
        Err(CKR_SESSION_HANDLE_INVALID)
    );
}

#[test]
fn login_user_and_operation_state() {
    let mut m = ready();
    let h = m.open_session(0, RW).unwrap();
    assert_eq!(
        m.login_user(h, CKU_USER, b"wrong", b"alice"),
        Err(CKR_PIN_INCORRECT)
    );
    m.login_user(h, CKU_USER, USER_PIN, b"alice").unwrap();
    assert_eq!(m.get_session_info(h).unwrap().state, CKS_RW_USER_FUNCTIONS);
    assert_eq!(
        m.login_user(h, CKU_USER, USER_PIN, b""),
        Err(CKR_USER_ALREADY_LOGGED_IN)
    );
    assert_eq!(
        m.login_user(h, CKU_SO, SO_PIN, b"admin"),
        Err(CKR_USER_ANOTHER_ALREADY_LOGGED_IN)
    );
    assert_eq!(
        m.login_user(h, 7, USER_PIN, b""),
        Err(CKR_USER_TYPE_INVALID)
    );
    m.logout(h).unwrap();
    m.login_user(h, CKU_SO, SO_PIN, b"").unwrap();
    assert_eq!(m.get_session_info(h).unwrap().state, CKS_RW_SO_FUNCTIONS);
    m.logout(h).unwrap();

    assert_eq!(m.get_operation_state(h), Err(CKR_OPERATION_NOT_INITIALIZED));
    m.digest_init(h, &CkMechanism::new(CKM_SHA256)).unwrap();
    assert_eq!(m.get_operation_state(h), Err(CKR_STATE_UNSAVEABLE));
    assert_eq!(
        m.set_operation_state(h, b"state", 0, 0),
        Err(CKR_SAVED_STATE_INVALID)
    );
    // The digest goes on.
    m.digest_update(h, b"abc").unwrap();
    assert_eq!(m.digest_final(h, None).unwrap().len(), 32);
}

#[test]
fn verify_signature_functions() {
    let mut m = ready();
    let h = user_session(&mut m);
    let key = secret(&mut m, h, CKK_GENERIC_SECRET, &[0x0b; 20], &[]);
    let mech = CkMechanism::new(CKM_SHA256_HMAC);
    m.sign_init(h, &mech, key).unwrap();
    let mac = m.sign(h, b"Hi There", None).unwrap();
    assert_eq!(
        m.verify_signature(h, b"x"),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    m.verify_signature_init(h, Some(&mech), key, &mac).unwrap();
    assert_eq!(
        m.verify_signature_init(h, Some(&mech), key, &mac),
        Err(CKR_OPERATION_ACTIVE)
    );
    m.verify_signature(h, b"Hi There").unwrap();
    assert_eq!(
        m.verify_signature(h, b"Hi There"),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    m.verify_signature_init(h, Some(&mech), key, &mac).unwrap();
    assert_eq!(
        m.verify_signature(h, b"Hi there"),
        Err(CKR_SIGNATURE_INVALID)
    );
    // Multi-part; C_VerifySignature cannot end it.
    m.verify_signature_init(h, Some(&mech), key, &mac).unwrap();
    m.verify_signature_update(h, b"Hi ").unwrap();
    assert_eq!(m.verify_signature(h, b"There"), Err(CKR_OPERATION_ACTIVE));
    m.verify_signature_update(h, b"There").unwrap();
    m.verify_signature_final(h).unwrap();
    assert_eq!(
        m.verify_signature_final(h),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    m.verify_signature_init(h, Some(&mech), key, &mac[..5])
        .unwrap();
    assert_eq!(
        m.verify_signature(h, b"Hi There"),
        Err(CKR_SIGNATURE_LEN_RANGE)
    );
    // NULL_PTR ends it; C_VerifyInit's operation is a separate one.
    m.verify_signature_init(h, Some(&mech), key, &mac).unwrap();
    m.verify_init(h, &mech, key).unwrap();
    m.verify_signature_init(h, None, 0, &[]).unwrap();
    assert_eq!(
        m.verify_signature_final(h),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    m.verify(h, b"Hi There", &mac).unwrap();
    let no_verify = secret(
        &mut m,
        h,
        CKK_GENERIC_SECRET,
        &[1; 20],
        &[A::bool(CKA_VERIFY, false)],
    );
    assert_eq!(
        m.verify_signature_init(h, Some(&mech), no_verify, &mac),
        Err(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    // CKF_VERIFY cancels it.
    m.verify_signature_init(h, Some(&mech), key, &mac).unwrap();
    m.session_cancel(h, CKF_VERIFY).unwrap();
    assert_eq!(
        m.verify_signature_final(h),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
}

// ------------------------------------------------------------ wrapping policy

fn aes_key(m: &mut Module, h: CK_ULONG, extra: &[A]) -> CK_ULONG {
    let mut t = vec![A::ulong(CKA_VALUE_LEN, 16)];
    t.extend_from_slice(extra);
    m.generate_key(h, &CkMechanism::new(CKM_AES_KEY_GEN), &t)
        .unwrap()
}

fn cbc_pad() -> CkMechanism {
    CkMechanism::with(CKM_AES_CBC_PAD, Param::Bytes(vec![3; 16]))
}

#[test]
fn wrap_template_limits_what_a_key_wraps() {
    let mut m = ready();
    let h = user_session(&mut m);
    let wrap_only_labelled = template_bytes(&[
        A::ulong(CKA_KEY_TYPE, CKK_AES),
        A::new(CKA_LABEL, b"exportable".to_vec()),
    ]);
    let kek = aes_key(
        &mut m,
        h,
        &[A::new(CKA_WRAP_TEMPLATE, wrap_only_labelled.clone())],
    );
    assert_eq!(
        m.get_attribute_value(h, kek, &[CKA_WRAP_TEMPLATE]).unwrap(),
        vec![Ok(wrap_only_labelled)]
    );
    let labelled = aes_key(
        &mut m,
        h,
        &[
            A::bool(CKA_EXTRACTABLE, true),
            A::new(CKA_LABEL, b"exportable".to_vec()),
        ],
    );
    let other = aes_key(
        &mut m,
        h,
        &[
            A::bool(CKA_EXTRACTABLE, true),
            A::new(CKA_LABEL, b"other".to_vec()),
        ],
    );
    let unlabelled = aes_key(&mut m, h, &[A::bool(CKA_EXTRACTABLE, true)]);
    assert!(m.wrap_key(h, &cbc_pad(), kek, labelled, None).is_ok());
    for k in [other, unlabelled] {
        assert_eq!(
            m.wrap_key(h, &cbc_pad(), kek, k, None),
            Err(CKR_KEY_HANDLE_INVALID),
            "the spec's code for a CKA_WRAP_TEMPLATE mismatch"
        );
    }
    // No template: anything extractable; an empty template is the default.
    let plain_kek = aes_key(&mut m, h, &[]);
    assert_eq!(
        m.get_attribute_value(h, plain_kek, &[CKA_WRAP_TEMPLATE])
            .unwrap(),
        vec![Ok(vec![])]
    );
    assert!(m.wrap_key(h, &cbc_pad(), plain_kek, other, None).is_ok());
    // The template is set at creation only, and must be well formed.
    assert_eq!(
        m.set_attribute_value(h, kek, &[A::new(CKA_WRAP_TEMPLATE, vec![])]),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    let bad = [A::new(CKA_WRAP_TEMPLATE, vec![1, 2, 3])];
    assert_eq!(
        m.generate_key(
            h,
            &CkMechanism::new(CKM_AES_KEY_GEN),
            &[&bad[..], &[A::ulong(CKA_VALUE_LEN, 16)]].concat()
        ),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    let nested = template_bytes(&[A::new(CKA_UNWRAP_TEMPLATE, vec![])]);
    assert_eq!(
        m.generate_key(
            h,
            &CkMechanism::new(CKM_AES_KEY_GEN),
            &[
                A::ulong(CKA_VALUE_LEN, 16),
                A::new(CKA_WRAP_TEMPLATE, nested)
            ]
        ),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
}

#[test]
fn unwrap_template_is_added_to_unwrapped_keys() {
    let mut m = ready();
    let h = user_session(&mut m);
    let forced = template_bytes(&[
        A::bool(CKA_SENSITIVE, true),
        A::bool(CKA_EXTRACTABLE, false),
        A::new(CKA_LABEL, b"from-kek".to_vec()),
    ]);
    let kek = aes_key(&mut m, h, &[A::new(CKA_UNWRAP_TEMPLATE, forced)]);
    let movable = aes_key(&mut m, h, &[A::bool(CKA_EXTRACTABLE, true)]);
    let wrapped = m.wrap_key(h, &cbc_pad(), kek, movable, None).unwrap();
    let base = [
        A::ulong(CKA_CLASS, CKO_SECRET_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_AES),
    ];
    let k = m.unwrap_key(h, &cbc_pad(), kek, &wrapped, &base).unwrap();
    let got = m
        .get_attribute_value(
            h,
            k,
            &[CKA_SENSITIVE, CKA_EXTRACTABLE, CKA_LABEL, CKA_VALUE],
        )
        .unwrap();
    assert_eq!(got[0], Ok(vec![1]));
    assert_eq!(got[1], Ok(vec![0]));
    assert_eq!(got[2], Ok(b"from-kek".to_vec()));
    assert_eq!(got[3], Err(CKR_ATTRIBUTE_SENSITIVE));
    // Restating a value is fine; contradicting one is not.
    let same = [&base[..], &[A::bool(CKA_SENSITIVE, true)]].concat();
    assert!(m.unwrap_key(h, &cbc_pad(), kek, &wrapped, &same).is_ok());
    let conflict = [&base[..], &[A::bool(CKA_EXTRACTABLE, true)]].concat();
    assert_eq!(
        m.unwrap_key(h, &cbc_pad(), kek, &wrapped, &conflict),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
}

#[test]
fn derive_template_is_added_to_derived_keys() {
    let mut m = ready();
    let h = user_session(&mut m);
    let p256 = vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let forced = template_bytes(&[
        A::bool(CKA_SENSITIVE, true),
        A::new(CKA_ID, b"derived".to_vec()),
    ]);
    let (public, private) = m
        .generate_key_pair(
            h,
            &CkMechanism::new(CKM_EC_KEY_PAIR_GEN),
            &[A::new(CKA_EC_PARAMS, p256)],
            &[
                A::bool(CKA_DERIVE, true),
                A::new(CKA_DERIVE_TEMPLATE, forced),
            ],
        )
        .unwrap();
    let point = m
        .get_attribute_value(h, public, &[CKA_EC_POINT])
        .unwrap()
        .remove(0)
        .unwrap();
    let ecdh = CkMechanism::with(
        CKM_ECDH1_DERIVE,
        Param::Ecdh1 {
            kdf: CKD_NULL,
            shared_data: vec![],
            public_data: point,
        },
    );
    let t = [
        A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        A::ulong(CKA_VALUE_LEN, 32),
    ];
    let k = m.derive_key(h, &ecdh, private, &t).unwrap();
    let got = m
        .get_attribute_value(h, k, &[CKA_SENSITIVE, CKA_ID])
        .unwrap();
    assert_eq!(got, vec![Ok(vec![1]), Ok(b"derived".to_vec())]);
    let conflict = [&t[..], &[A::bool(CKA_SENSITIVE, false)]].concat();
    assert_eq!(
        m.derive_key(h, &ecdh, private, &conflict),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
}

#[test]
fn trusted_wrapping_keys_and_sensitive_keys() {
    let mut m = ready();
    // The SO makes a public, trusted wrapping key: a session object (a
    // token object holding a secret must be private, which the SO cannot
    // make), used by the user in the same session.
    let so = m.open_session(0, RW).unwrap();
    m.login(so, CKU_SO, SO_PIN).unwrap();
    let kek = |token: bool| {
        [
            A::ulong(CKA_CLASS, CKO_SECRET_KEY),
            A::ulong(CKA_KEY_TYPE, CKK_AES),
            A::new(CKA_VALUE, vec![0x11; 32]),
            A::bool(CKA_TOKEN, token),
            A::bool(CKA_PRIVATE, false),
            A::bool(CKA_TRUSTED, true),
        ]
    };
    assert_eq!(
        m.create_object(so, &kek(true)),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    let trusted_kek = m.create_object(so, &kek(false)).unwrap();
    m.logout(so).unwrap();
    m.login(so, CKU_USER, USER_PIN).unwrap();
    let h = so;
    // The user cannot make a trusted key, whatever the path.
    let trusted = [A::bool(CKA_TRUSTED, true)];
    assert_eq!(
        m.generate_key(
            h,
            &CkMechanism::new(CKM_AES_KEY_GEN),
            &[A::ulong(CKA_VALUE_LEN, 16), trusted[0].clone()]
        ),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    let plain_kek = aes_key(&mut m, h, &[]);
    assert_eq!(
        m.set_attribute_value(h, plain_kek, &trusted),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    assert_eq!(
        m.copy_object(h, plain_kek, &trusted),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    let ec = m.generate_key_pair(
        h,
        &CkMechanism::new(CKM_EC_KEY_PAIR_GEN),
        &[
            A::new(
                CKA_EC_PARAMS,
                vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            ),
            A::bool(CKA_TRUSTED, true),
        ],
        &[],
    );
    assert_eq!(ec.err(), Some(CKR_ATTRIBUTE_READ_ONLY), "public keys too");
    // A key that may only be wrapped with a trusted key.
    let guarded = aes_key(
        &mut m,
        h,
        &[
            A::bool(CKA_EXTRACTABLE, true),
            A::bool(CKA_SENSITIVE, true),
            A::bool(CKA_WRAP_WITH_TRUSTED, true),
        ],
    );
    assert_eq!(
        m.wrap_key(h, &cbc_pad(), plain_kek, guarded, None),
        Err(CKR_KEY_NOT_WRAPPABLE)
    );
    let wrapped = m
        .wrap_key(h, &cbc_pad(), trusted_kek, guarded, None)
        .unwrap();
    // CKA_WRAP_WITH_TRUSTED cannot be turned off, not even in a copy.
    assert_eq!(
        m.set_attribute_value(h, guarded, &[A::bool(CKA_WRAP_WITH_TRUSTED, false)]),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    assert_eq!(
        m.copy_object(h, guarded, &[A::bool(CKA_WRAP_WITH_TRUSTED, false)]),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    // The sensitive key's value leaves only wrapped.
    assert_eq!(
        m.get_attribute_value(h, guarded, &[CKA_VALUE]).unwrap(),
        vec![Err(CKR_ATTRIBUTE_SENSITIVE)]
    );
    assert_eq!(
        m.set_attribute_value(h, guarded, &[A::bool(CKA_SENSITIVE, false)]),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    assert_eq!(
        m.copy_object(h, guarded, &[A::bool(CKA_SENSITIVE, false)]),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    let unwrapped = m
        .unwrap_key(
            h,
            &cbc_pad(),
            trusted_kek,
            &wrapped,
            &[
                A::ulong(CKA_CLASS, CKO_SECRET_KEY),
                A::ulong(CKA_KEY_TYPE, CKK_AES),
                A::ulong(CKA_VALUE_LEN, 16),
                A::bool(CKA_SENSITIVE, true),
            ],
        )
        .unwrap();
    // Same key: both encrypt alike.
    let ecb = CkMechanism::new(CKM_AES_ECB);
    m.encrypt_init(h, &ecb, guarded).unwrap();
    let a = m.encrypt(h, &[1; 16], None).unwrap();
    m.encrypt_init(h, &ecb, unwrapped).unwrap();
    assert_eq!(m.encrypt(h, &[1; 16], None).unwrap(), a);
    // An unextractable sensitive key does not leave at all.
    let stuck = aes_key(&mut m, h, &[A::bool(CKA_SENSITIVE, true)]);
    assert_eq!(
        m.wrap_key(h, &cbc_pad(), trusted_kek, stuck, None),
        Err(CKR_KEY_UNEXTRACTABLE)
    );
    assert_eq!(
        m.set_attribute_value(h, stuck, &[A::bool(CKA_EXTRACTABLE, true)]),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    let attrs = m
        .get_attribute_value(h, trusted_kek, &[CKA_TRUSTED])
        .unwrap();
    assert_eq!(attrs, vec![Ok(vec![1])]);
}
