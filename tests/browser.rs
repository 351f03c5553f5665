//! The core engine compiled to wasm32 and run in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown --test browser`, with
//! `wasm-bindgen-test-runner` as the cargo runner, see .cargo/config.toml).
//!
//! What only a browser run shows: the crypto crates build and give the right
//! answers on wasm32, and randomness comes from `crypto.getRandomValues`
//! (getrandom's `wasm_js` backend), which has a 64 KiB limit per call.
#![cfg(target_arch = "wasm32")]

use pkcs11_wasm::attr::Attribute;
use pkcs11_wasm::constants::*;
use pkcs11_wasm::mech::{CkMechanism, Param};
use pkcs11_wasm::module::Config;
use pkcs11_wasm::{CK_ULONG, Module};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SO_PIN: &[u8] = b"so-secret";
const USER_PIN: &[u8] = b"user-1234";

/// A module with an initialized token, a user PIN set, and a R/W session
/// logged in as the user. The KDF is cheap: these tests are not about it.
fn user_session() -> (Module, CK_ULONG) {
    let mut m = Module::new(Config {
        kdf_iterations: 1_000,
        ..Config::default()
    });
    m.initialize().unwrap();
    m.init_token(0, SO_PIN, b"browser test").unwrap();
    let h = m
        .open_session(0, CKF_SERIAL_SESSION | CKF_RW_SESSION)
        .unwrap();
    m.login(h, CKU_SO, SO_PIN).unwrap();
    m.init_pin(h, USER_PIN).unwrap();
    m.logout(h).unwrap();
    assert_eq!(m.login(h, CKU_USER, b"wrong-pin"), Err(CKR_PIN_INCORRECT));
    m.login(h, CKU_USER, USER_PIN).unwrap();
    (m, h)
}

/// Proves the runner put us in a page, not in Node.
#[wasm_bindgen_test]
fn runs_in_a_browser_page() {
    let global = js_sys::global();
    for name in ["document", "crypto", "indexedDB"] {
        assert!(
            js_sys::Reflect::has(&global, &name.into()).unwrap(),
            "globalThis.{name} missing"
        );
    }
}

#[wasm_bindgen_test]
fn aes_gcm_round_trip_and_tamper() {
    let (mut m, h) = user_session();
    let template = [
        Attribute::ulong(CKA_VALUE_LEN, 32),
        Attribute::bool(CKA_ENCRYPT, true),
        Attribute::bool(CKA_DECRYPT, true),
    ];
    let key = m
        .generate_key(h, &CkMechanism::new(CKM_AES_KEY_GEN), &template)
        .unwrap();
    let gcm = CkMechanism::with(
        CKM_AES_GCM,
        Param::Gcm {
            iv: vec![7; 12],
            aad: b"header".to_vec(),
            tag_bits: 128,
        },
    );
    let plain = b"hello from headless chromium".to_vec();

    m.encrypt_init(h, &gcm, key).unwrap();
    let sealed = m.encrypt(h, &plain, None).unwrap();
    assert_eq!(sealed.len(), plain.len() + 16);

    m.decrypt_init(h, &gcm, key).unwrap();
    assert_eq!(m.decrypt(h, &sealed, None).unwrap(), plain);

    let mut bad = sealed.clone();
    if let Some(last) = bad.last_mut() {
        *last ^= 1;
    }
    m.decrypt_init(h, &gcm, key).unwrap();
    assert_eq!(m.decrypt(h, &bad, None), Err(CKR_ENCRYPTED_DATA_INVALID));
}

#[wasm_bindgen_test]
fn sha256_known_answer() {
    let (mut m, h) = user_session();
    m.digest_init(h, &CkMechanism::new(CKM_SHA256)).unwrap();
    let out = m.digest(h, b"abc", None).unwrap();
    let hex: String = out.iter().map(|b| format!("{b:02x}")).collect();
    // FIPS 180-4 example "abc".
    assert_eq!(
        hex,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[wasm_bindgen_test]
fn rsa_keygen_sign_verify() {
    let (mut m, h) = user_session();
    let public = [
        Attribute::ulong(CKA_MODULUS_BITS, 2048),
        Attribute::new(CKA_PUBLIC_EXPONENT, vec![1, 0, 1]),
        Attribute::bool(CKA_VERIFY, true),
    ];
    let private = [
        Attribute::bool(CKA_SIGN, true),
        Attribute::bool(CKA_SENSITIVE, true),
    ];
    let (pub_key, priv_key) = m
        .generate_key_pair(
            h,
            &CkMechanism::new(CKM_RSA_PKCS_KEY_PAIR_GEN),
            &public,
            &private,
        )
        .unwrap();
    let mech = CkMechanism::new(CKM_SHA256_RSA_PKCS);
    let data = b"signed in wasm".to_vec();

    m.sign_init(h, &mech, priv_key).unwrap();
    let sig = m.sign(h, &data, None).unwrap();
    assert_eq!(sig.len(), 256);

    m.verify_init(h, &mech, pub_key).unwrap();
    m.verify(h, &data, &sig).unwrap();

    m.verify_init(h, &mech, pub_key).unwrap();
    assert_eq!(m.verify(h, b"other data", &sig), Err(CKR_SIGNATURE_INVALID));
}

#[wasm_bindgen_test]
fn ecdsa_p256_keygen_sign_verify() {
    let (mut m, h) = user_session();
    // DER of the OID prime256v1 (1.2.840.10045.3.1.7).
    let p256 = vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let public = [
        Attribute::new(CKA_EC_PARAMS, p256),
        Attribute::bool(CKA_VERIFY, true),
    ];
    let private = [Attribute::bool(CKA_SIGN, true)];
    let (pub_key, priv_key) = m
        .generate_key_pair(h, &CkMechanism::new(CKM_EC_KEY_PAIR_GEN), &public, &private)
        .unwrap();
    let mech = CkMechanism::new(CKM_ECDSA_SHA256);

    m.sign_init(h, &mech, priv_key).unwrap();
    let sig = m.sign(h, b"p-256 in wasm", None).unwrap();
    assert_eq!(sig.len(), 64, "r || s, 32 bytes each");

    m.verify_init(h, &mech, pub_key).unwrap();
    m.verify(h, b"p-256 in wasm", &sig).unwrap();

    let mut bad = sig.clone();
    if let Some(first) = bad.first_mut() {
        *first ^= 0x80;
    }
    m.verify_init(h, &mech, pub_key).unwrap();
    assert_eq!(
        m.verify(h, b"p-256 in wasm", &bad),
        Err(CKR_SIGNATURE_INVALID)
    );
}

/// C_GenerateRandom through getrandom's `wasm_js` backend: more than the
/// 64 KiB one getRandomValues call may fill, so the chunking is exercised.
#[wasm_bindgen_test]
fn generate_random_uses_the_browser_csprng() {
    let (mut m, h) = user_session();
    let len = 65_536 + 100;
    let a = m.generate_random(h, len).unwrap();
    let b = m.generate_random(h, len).unwrap();
    assert_eq!(a.len(), len);
    assert_ne!(a, b);
    // No all-zero 32-byte window: a gap in the fill would show up as zeros.
    assert!(a.chunks(32).all(|c| c.iter().any(|&x| x != 0)));
}
