//! The key-derivation family through the engine (`Module`), as the facade
//! drives it: what C_DeriveKey / C_GenerateKey make of the mechanisms'
//! bytes (class, key type, length, protection attributes).
use pkcs11_wasm::CK_ULONG;
use pkcs11_wasm::attr::{Attribute as A, parse_ulong};
use pkcs11_wasm::constants::*;
use pkcs11_wasm::mech::kdf::PrfDataParam;
use pkcs11_wasm::mech::{CkMechanism, Param};
use pkcs11_wasm::module::Config;
use pkcs11_wasm::{CkResult, Module};
use zeroize::Zeroizing;

const RW: CK_ULONG = CKF_SERIAL_SESSION | CKF_RW_SESSION;

/// A user session on a fresh token.
fn session() -> (Module, CK_ULONG) {
    let mut m = Module::new(Config {
        kdf_iterations: 10,
        ..Config::default()
    });
    m.initialize().unwrap();
    m.init_token(0, b"so-secret", b"kdf").unwrap();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_SO, b"so-secret").unwrap();
    m.init_pin(h, b"user-1234").unwrap();
    m.logout(h).unwrap();
    m.login(h, CKU_USER, b"user-1234").unwrap();
    (m, h)
}

fn secret(m: &mut Module, h: CK_ULONG, value: &[u8], extra: &[A]) -> CK_ULONG {
    let mut t = vec![
        A::ulong(CKA_CLASS, CKO_SECRET_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        A::new(CKA_VALUE, value.to_vec()),
        A::bool(CKA_DERIVE, true),
    ];
    t.retain(|a| extra.iter().all(|e| e.kind != a.kind));
    t.extend_from_slice(extra);
    m.create_object(h, &t).unwrap()
}

fn get(m: &mut Module, h: CK_ULONG, o: CK_ULONG, kind: CK_ULONG) -> CkResult<Vec<u8>> {
    m.get_attribute_value(h, o, &[kind])?.remove(0)
}

fn flag(m: &mut Module, h: CK_ULONG, o: CK_ULONG, kind: CK_ULONG) -> bool {
    get(m, h, o, kind).unwrap() == [1]
}

fn ulong(m: &mut Module, h: CK_ULONG, o: CK_ULONG, kind: CK_ULONG) -> CK_ULONG {
    parse_ulong(&get(m, h, o, kind).unwrap()).unwrap()
}

fn hkdf(kind: CK_ULONG) -> CkMechanism {
    CkMechanism::with(
        kind,
        Param::Hkdf {
            extract: true,
            expand: true,
            prf_hash: CKM_SHA256,
            salt_type: CKF_HKDF_SALT_DATA,
            salt: (0..13).collect(),
            salt_key: 0,
            info: (0xf0..0xfa).collect(),
        },
    )
}

/// RFC 5869 test case 1 as a data object and as an AES key.
#[test]
fn hkdf_data_object_and_key() {
    let (mut m, h) = session();
    let base = secret(&mut m, h, &[0x0b; 22], &[]);
    let okm =
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865";
    let okm: Vec<u8> = (0..okm.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&okm[i..i + 2], 16).unwrap())
        .collect();
    let data = m
        .derive_key(
            h,
            &hkdf(CKM_HKDF_DATA),
            base,
            &[A::ulong(CKA_VALUE_LEN, 42)],
        )
        .unwrap();
    assert_eq!(ulong(&mut m, h, data, CKA_CLASS), CKO_DATA);
    assert_eq!(get(&mut m, h, data, CKA_VALUE), Ok(okm.clone()));
    assert_eq!(
        get(&mut m, h, data, CKA_VALUE_LEN),
        Err(CKR_ATTRIBUTE_TYPE_INVALID)
    );
    // An explicit data class is fine; a key class is not; default length
    // is HashLen.
    let data2 = m
        .derive_key(
            h,
            &hkdf(CKM_HKDF_DATA),
            base,
            &[
                A::ulong(CKA_CLASS, CKO_DATA),
                A::new(CKA_LABEL, b"iv".to_vec()),
            ],
        )
        .unwrap();
    assert_eq!(get(&mut m, h, data2, CKA_VALUE), Ok(okm[..32].to_vec()));
    assert_eq!(
        m.derive_key(
            h,
            &hkdf(CKM_HKDF_DATA),
            base,
            &[A::ulong(CKA_CLASS, CKO_SECRET_KEY)]
        ),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    assert_eq!(
        m.derive_key(
            h,
            &hkdf(CKM_HKDF_DERIVE),
            base,
            &[A::ulong(CKA_CLASS, CKO_DATA)]
        ),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    let aes = m
        .derive_key(
            h,
            &hkdf(CKM_HKDF_DERIVE),
            base,
            &[
                A::ulong(CKA_KEY_TYPE, CKK_AES),
                A::ulong(CKA_VALUE_LEN, 32),
                A::bool(CKA_EXTRACTABLE, true),
            ],
        )
        .unwrap();
    assert_eq!(get(&mut m, h, aes, CKA_VALUE), Ok(okm[..32].to_vec()));
    assert_eq!(ulong(&mut m, h, aes, CKA_KEY_TYPE), CKK_AES);
    // AES has no 20-byte keys.
    assert_eq!(
        m.derive_key(
            h,
            &hkdf(CKM_HKDF_DERIVE),
            base,
            &[A::ulong(CKA_KEY_TYPE, CKK_AES), A::ulong(CKA_VALUE_LEN, 20)]
        ),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
}

/// Section 2.43.3: the new key is sensitive if either key is, extractable
/// only if both are, always sensitive / never extractable only if both
/// are; no key type means generic secret.
#[test]
fn concatenation_protection() {
    let (mut m, h) = session();
    let open = secret(&mut m, h, &[1, 2], &[A::bool(CKA_EXTRACTABLE, true)]);
    let closed = secret(
        &mut m,
        h,
        &[3, 4],
        &[
            A::bool(CKA_SENSITIVE, true),
            A::bool(CKA_EXTRACTABLE, false),
        ],
    );
    let handle = |k: CK_ULONG| Param::Bytes(k.to_le_bytes().to_vec());
    let mech = |k| CkMechanism::with(CKM_CONCATENATE_BASE_AND_KEY, handle(k));
    let asked = [
        A::bool(CKA_SENSITIVE, false),
        A::bool(CKA_EXTRACTABLE, true),
    ];
    let both_open = m.derive_key(h, &mech(open), open, &asked).unwrap();
    assert_eq!(get(&mut m, h, both_open, CKA_VALUE), Ok(vec![1, 2, 1, 2]));
    assert_eq!(
        ulong(&mut m, h, both_open, CKA_KEY_TYPE),
        CKK_GENERIC_SECRET
    );
    assert!(!flag(&mut m, h, both_open, CKA_SENSITIVE));
    let mixed = m.derive_key(h, &mech(closed), open, &asked).unwrap();
    assert!(flag(&mut m, h, mixed, CKA_SENSITIVE));
    assert!(!flag(&mut m, h, mixed, CKA_EXTRACTABLE));
    assert_eq!(
        get(&mut m, h, mixed, CKA_VALUE),
        Err(CKR_ATTRIBUTE_SENSITIVE)
    );
    // Created keys were never always sensitive: neither is the result.
    assert!(!flag(&mut m, h, mixed, CKA_ALWAYS_SENSITIVE));
    assert!(!flag(&mut m, h, mixed, CKA_NEVER_EXTRACTABLE));
    // Generated keys are; the result is only if both sources are.
    let generate = |m: &mut Module| {
        m.generate_key(
            h,
            &CkMechanism::new(CKM_GENERIC_SECRET_KEY_GEN),
            &[
                A::ulong(CKA_VALUE_LEN, 16),
                A::bool(CKA_SENSITIVE, true),
                A::bool(CKA_DERIVE, true),
            ],
        )
        .unwrap()
    };
    let (g1, g2) = (generate(&mut m), generate(&mut m));
    let t = [A::bool(CKA_SENSITIVE, true)];
    let strong = m.derive_key(h, &mech(g2), g1, &t).unwrap();
    assert!(flag(&mut m, h, strong, CKA_ALWAYS_SENSITIVE));
    assert!(flag(&mut m, h, strong, CKA_NEVER_EXTRACTABLE));
    let weak = m.derive_key(h, &mech(open), g1, &t).unwrap();
    assert!(!flag(&mut m, h, weak, CKA_ALWAYS_SENSITIVE));
    assert!(!flag(&mut m, h, weak, CKA_NEVER_EXTRACTABLE));
    // The other key must exist, be a key, and allow derivation.
    assert_eq!(
        m.derive_key(h, &mech(9999), open, &[]),
        Err(CKR_KEY_HANDLE_INVALID)
    );
    let no_derive = secret(&mut m, h, &[5], &[A::bool(CKA_DERIVE, false)]);
    assert_eq!(
        m.derive_key(h, &mech(no_derive), open, &[]),
        Err(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    // Data and XOR variants, and a key type with a length.
    let data = CkMechanism::with(CKM_XOR_BASE_AND_DATA, Param::Bytes(vec![0xff, 0xff]));
    let x = m
        .derive_key(h, &data, open, &[A::bool(CKA_EXTRACTABLE, true)])
        .unwrap();
    assert_eq!(get(&mut m, h, x, CKA_VALUE), Ok(vec![0xfe, 0xfd]));
    let x = m
        .derive_key(h, &data, closed, &[A::bool(CKA_EXTRACTABLE, true)])
        .unwrap();
    assert!(flag(&mut m, h, x, CKA_SENSITIVE) && !flag(&mut m, h, x, CKA_EXTRACTABLE));
    let cat = CkMechanism::with(CKM_CONCATENATE_DATA_AND_BASE, Param::Bytes(vec![9; 14]));
    let aes = m
        .derive_key(
            h,
            &cat,
            open,
            &[A::ulong(CKA_KEY_TYPE, CKK_AES), A::ulong(CKA_VALUE_LEN, 16)],
        )
        .unwrap();
    assert_eq!(ulong(&mut m, h, aes, CKA_VALUE_LEN), 16);
    assert_eq!(
        m.derive_key(h, &cat, open, &[A::ulong(CKA_VALUE_LEN, 17)]),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
}

/// Section 2.42.10: attributes the template leaves out come from the base
/// key.
#[test]
fn sp800_108_defaults_from_base() {
    let (mut m, h) = session();
    let closed = secret(
        &mut m,
        h,
        &[7; 32],
        &[
            A::bool(CKA_SENSITIVE, true),
            A::bool(CKA_EXTRACTABLE, false),
        ],
    );
    let open = secret(&mut m, h, &[7; 32], &[A::bool(CKA_EXTRACTABLE, true)]);
    let mech = CkMechanism::with(
        CKM_SP800_108_COUNTER_KDF,
        Param::Sp800108 {
            prf_type: CKM_SHA256_HMAC,
            data_params: vec![
                PrfDataParam::IterationVariable {
                    little_endian: false,
                    width_bits: 32,
                },
                PrfDataParam::ByteArray(b"label".to_vec()),
            ],
        },
    );
    let t = [A::ulong(CKA_KEY_TYPE, CKK_AES), A::ulong(CKA_VALUE_LEN, 16)];
    let k1 = m.derive_key(h, &mech, closed, &t).unwrap();
    assert!(flag(&mut m, h, k1, CKA_SENSITIVE) && !flag(&mut m, h, k1, CKA_EXTRACTABLE));
    let k2 = m.derive_key(h, &mech, open, &t).unwrap();
    assert!(!flag(&mut m, h, k2, CKA_SENSITIVE) && flag(&mut m, h, k2, CKA_EXTRACTABLE));
    let v = get(&mut m, h, k2, CKA_VALUE).unwrap();
    assert_eq!(v.len(), 16);
    // The template still decides when it says.
    let t3 = [
        A::ulong(CKA_KEY_TYPE, CKK_AES),
        A::ulong(CKA_VALUE_LEN, 16),
        A::bool(CKA_SENSITIVE, false),
        A::bool(CKA_EXTRACTABLE, true),
    ];
    let k3 = m.derive_key(h, &mech, closed, &t3).unwrap();
    assert_eq!(get(&mut m, h, k3, CKA_VALUE), Ok(v));
    // No length: CKR_TEMPLATE_INCOMPLETE.
    assert_eq!(
        m.derive_key(
            h,
            &mech,
            open,
            &[A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)]
        ),
        Err(CKR_TEMPLATE_INCOMPLETE)
    );
}

#[test]
fn pbkdf2_and_hkdf_key_generation() {
    let (mut m, h) = session();
    let pbkd2 = CkMechanism::with(
        CKM_PKCS5_PBKD2,
        Param::Pbkdf2 {
            salt_source: CKZ_SALT_SPECIFIED,
            salt: b"salt".to_vec(),
            iterations: 2,
            prf: CKP_PKCS5_PBKD2_HMAC_SHA1,
            prf_data: vec![],
            password: Zeroizing::new(b"password".to_vec()),
        },
    );
    let k = m
        .generate_key(
            h,
            &pbkd2,
            &[
                A::ulong(CKA_KEY_TYPE, CKK_AES),
                A::ulong(CKA_VALUE_LEN, 16),
                A::bool(CKA_EXTRACTABLE, true),
            ],
        )
        .unwrap();
    // RFC 6070 case 2, first 16 bytes.
    assert_eq!(
        get(&mut m, h, k, CKA_VALUE),
        Ok(vec![
            0xea, 0x6c, 0x01, 0x4d, 0xc7, 0x2d, 0x6f, 0x8c, 0xcd, 0x1e, 0xd9, 0x2a, 0xce, 0x1d,
            0x41, 0xf0
        ])
    );
    assert_eq!(ulong(&mut m, h, k, CKA_KEY_GEN_MECHANISM), CKM_PKCS5_PBKD2);
    assert!(flag(&mut m, h, k, CKA_LOCAL));
    // The caller holds the password: the value was never secret from them,
    // so a PBKDF2 key is never "always sensitive" or "never extractable".
    let closed = m
        .generate_key(
            h,
            &pbkd2,
            &[
                A::ulong(CKA_KEY_TYPE, CKK_AES),
                A::ulong(CKA_VALUE_LEN, 16),
                A::bool(CKA_SENSITIVE, true),
                A::bool(CKA_EXTRACTABLE, false),
            ],
        )
        .unwrap();
    assert!(!flag(&mut m, h, closed, CKA_ALWAYS_SENSITIVE));
    assert!(!flag(&mut m, h, closed, CKA_NEVER_EXTRACTABLE));
    assert!(flag(&mut m, h, closed, CKA_SENSITIVE));
    assert_eq!(
        m.generate_key(h, &pbkd2, &[A::ulong(CKA_KEY_TYPE, CKK_AES)]),
        Err(CKR_TEMPLATE_INCOMPLETE)
    );
    let hk = m
        .generate_key(
            h,
            &CkMechanism::new(CKM_HKDF_KEY_GEN),
            &[A::ulong(CKA_VALUE_LEN, 32), A::bool(CKA_DERIVE, true)],
        )
        .unwrap();
    assert_eq!(ulong(&mut m, h, hk, CKA_KEY_TYPE), CKK_HKDF);
    let out = m
        .derive_key(
            h,
            &hkdf(CKM_HKDF_DERIVE),
            hk,
            &[A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)],
        )
        .unwrap();
    assert_eq!(ulong(&mut m, h, out, CKA_VALUE_LEN), 32);
    // SHA-3 HMAC key generation makes a key the SHA-3 HMAC accepts.
    let k3 = m
        .generate_key(
            h,
            &CkMechanism::new(CKM_SHA3_256_KEY_GEN),
            &[A::ulong(CKA_VALUE_LEN, 32), A::bool(CKA_SIGN, true)],
        )
        .unwrap();
    assert_eq!(ulong(&mut m, h, k3, CKA_KEY_TYPE), CKK_SHA3_256_HMAC);
}
