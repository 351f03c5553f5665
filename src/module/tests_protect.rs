//! Engine tests of what keeps key values inside the token: derivation
//! rules against Clulow-style extraction, CKA_DERIVE and CKA_PRIVATE
//! rules, CKA_CHECK_VALUE, CKA_ALWAYS_AUTHENTICATE and the PIN KDF cost
//! per storage.
use super::tests::{
    RW, SO_PIN, USER_PIN, aes_template, fast, ready, ready_with, rsa_pair, user_session,
};
use super::*;
use crate::attr::{Attribute as A, parse_ulong};
use crate::mech::kdf::PrfDataParam;
use crate::mech::{CkMechanism, Param};

const P256: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

fn attr(m: &mut Module, h: CK_ULONG, o: CK_ULONG, kind: CK_ULONG) -> Result<Vec<u8>, CK_ULONG> {
    m.get_attribute_value(h, o, &[kind]).unwrap().remove(0)
}

fn flag(m: &mut Module, h: CK_ULONG, o: CK_ULONG, kind: CK_ULONG) -> bool {
    attr(m, h, o, kind).unwrap() == [1]
}

/// A generated AES-128 session key with `extra` attributes.
fn aes_key(m: &mut Module, h: CK_ULONG, extra: &[A]) -> CK_ULONG {
    let mut t = vec![A::ulong(CKA_VALUE_LEN, 16)];
    t.extend_from_slice(extra);
    m.generate_key(h, &CkMechanism::new(CKM_AES_KEY_GEN), &t)
        .unwrap()
}

/// A generated AES-128 session key that may be read, derived from and used
/// to wrap and unwrap.
fn open_key(m: &mut Module, h: CK_ULONG) -> CK_ULONG {
    let usable = [CKA_EXTRACTABLE, CKA_DERIVE, CKA_WRAP, CKA_UNWRAP];
    aes_key(m, h, &usable.map(|k| A::bool(k, true)))
}

fn ec_pair(m: &mut Module, h: CK_ULONG, private: &[A]) -> CkResult<(CK_ULONG, CK_ULONG)> {
    m.generate_key_pair(
        h,
        &CkMechanism::new(CKM_EC_KEY_PAIR_GEN),
        &[A::new(CKA_EC_PARAMS, P256.to_vec())],
        private,
    )
}

fn derive(
    m: &mut Module,
    h: CK_ULONG,
    kind: CK_ULONG,
    param: Param,
    base: CK_ULONG,
    template: &[A],
) -> CkResult<CK_ULONG> {
    m.derive_key(h, &CkMechanism::with(kind, param), base, template)
}

#[test]
fn derive_cannot_be_turned_on_for_a_protected_key() {
    let mut m = ready();
    let h = user_session(&mut m);
    let on = [A::bool(CKA_DERIVE, true)];
    for (sensitive, extractable) in [(true, true), (false, false), (true, false)] {
        let k = aes_key(
            &mut m,
            h,
            &[
                A::bool(CKA_SENSITIVE, sensitive),
                A::bool(CKA_EXTRACTABLE, extractable),
            ],
        );
        assert_eq!(
            m.set_attribute_value(h, k, &on),
            Err(CKR_ATTRIBUTE_READ_ONLY)
        );
        assert_eq!(m.copy_object(h, k, &on), Err(CKR_ATTRIBUTE_READ_ONLY));
        // The path: a modifiable copy first, then the flag.
        let copy = m
            .copy_object(h, k, &[A::bool(CKA_MODIFIABLE, true)])
            .unwrap();
        assert_eq!(
            m.set_attribute_value(h, copy, &on),
            Err(CKR_ATTRIBUTE_READ_ONLY)
        );
        assert!(!flag(&mut m, h, copy, CKA_DERIVE));
        // Turning it off stays possible.
        let d = aes_key(
            &mut m,
            h,
            &[A::bool(CKA_SENSITIVE, sensitive), A::bool(CKA_DERIVE, true)],
        );
        m.set_attribute_value(h, d, &[A::bool(CKA_DERIVE, false)])
            .unwrap();
    }
    // A readable key may be opened to derivation.
    let open = aes_key(
        &mut m,
        h,
        &[
            A::bool(CKA_SENSITIVE, false),
            A::bool(CKA_EXTRACTABLE, true),
        ],
    );
    m.set_attribute_value(h, open, &on).unwrap();
}

/// Clulow's attack through the engine: a generated, sensitive key with
/// CKA_DERIVE true cannot be cut into short keys by any section 2.43
/// mechanism, and a whole result keeps it hidden.
#[test]
fn short_derivations_of_protected_keys_are_refused() {
    let mut m = ready();
    let h = user_session(&mut m);
    let victim = aes_key(
        &mut m,
        h,
        &[A::bool(CKA_SENSITIVE, true), A::bool(CKA_DERIVE, true)],
    );
    let data = Param::Bytes(vec![0x5a; 16]);
    let open_other = m
        .create_object(
            h,
            &aes_template(&[A::bool(CKA_DERIVE, true), A::bool(CKA_EXTRACTABLE, true)]),
        )
        .unwrap();
    let other = Param::Bytes(crate::attr::ulong_bytes(open_other));
    for n in 1..16u64 {
        let len = [A::ulong(CKA_VALUE_LEN, n)];
        for (kind, p) in [
            (CKM_CONCATENATE_BASE_AND_DATA, &data),
            (CKM_CONCATENATE_DATA_AND_BASE, &data),
            (CKM_XOR_BASE_AND_DATA, &data),
            (CKM_CONCATENATE_BASE_AND_KEY, &other),
        ] {
            assert_eq!(
                derive(&mut m, h, kind, p.clone(), victim, &len),
                Err(CKR_TEMPLATE_INCONSISTENT),
                "{kind:#x} with {n} bytes"
            );
        }
    }
    // DATA_AND_BASE as a 16-byte AES key would be the data only.
    let aes16 = [A::ulong(CKA_KEY_TYPE, CKK_AES), A::ulong(CKA_VALUE_LEN, 16)];
    assert_eq!(
        derive(
            &mut m,
            h,
            CKM_CONCATENATE_DATA_AND_BASE,
            data.clone(),
            victim,
            &aes16
        ),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    // XOR with one byte of data would keep one byte of the key.
    assert_eq!(
        derive(
            &mut m,
            h,
            CKM_XOR_BASE_AND_DATA,
            Param::Bytes(vec![1]),
            victim,
            &[]
        ),
        Err(CKR_MECHANISM_PARAM_INVALID)
    );
    // Whole results are allowed, sensitive whatever the template says.
    let asked = [
        A::bool(CKA_SENSITIVE, false),
        A::bool(CKA_EXTRACTABLE, true),
    ];
    let whole = derive(
        &mut m,
        h,
        CKM_CONCATENATE_BASE_AND_DATA,
        data,
        victim,
        &asked,
    )
    .unwrap();
    assert!(flag(&mut m, h, whole, CKA_SENSITIVE));
    assert_eq!(
        attr(&mut m, h, whole, CKA_VALUE),
        Err(CKR_ATTRIBUTE_SENSITIVE)
    );
    assert_eq!(
        parse_ulong(&attr(&mut m, h, whole, CKA_VALUE_LEN).unwrap()),
        Ok(32)
    );
}

fn sp800_108(prf: CK_ULONG, fields: Vec<PrfDataParam>) -> Param {
    let mut data_params = vec![PrfDataParam::IterationVariable {
        little_endian: false,
        width_bits: 8,
    }];
    data_params.extend(fields);
    Param::Sp800108 {
        prf_type: prf,
        data_params,
    }
}

/// A key named inside a parameter protects the result (issue: a known
/// AES-CMAC base key with the victim in a CK_SP800_108_KEY_HANDLE field
/// gave the victim back in one call), and the always/never flags count
/// it.
#[test]
fn keys_named_in_parameters_protect_the_result() {
    let mut m = ready();
    let h = user_session(&mut m);
    let known = m
        .create_object(
            h,
            &aes_template(&[
                A::bool(CKA_DERIVE, true),
                A::bool(CKA_EXTRACTABLE, true),
                A::bool(CKA_SENSITIVE, false),
            ]),
        )
        .unwrap();
    let victim = aes_key(
        &mut m,
        h,
        &[A::bool(CKA_SENSITIVE, true), A::bool(CKA_DERIVE, true)],
    );
    assert!(flag(&mut m, h, victim, CKA_ALWAYS_SENSITIVE));
    let asked = [
        A::ulong(CKA_CLASS, CKO_SECRET_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_AES),
        A::ulong(CKA_VALUE_LEN, 16),
        A::bool(CKA_SENSITIVE, false),
        A::bool(CKA_EXTRACTABLE, true),
    ];
    let p = sp800_108(CKM_AES_CMAC, vec![PrfDataParam::KeyHandle(victim)]);
    let out = derive(&mut m, h, CKM_SP800_108_COUNTER_KDF, p, known, &asked).unwrap();
    assert_eq!(
        attr(&mut m, h, out, CKA_VALUE),
        Err(CKR_ATTRIBUTE_SENSITIVE)
    );
    assert!(flag(&mut m, h, out, CKA_SENSITIVE));
    assert!(!flag(&mut m, h, out, CKA_EXTRACTABLE));
    // Not always sensitive: the known base key never was.
    assert!(!flag(&mut m, h, out, CKA_ALWAYS_SENSITIVE));
    // An open key in the data leaves the template in charge.
    let open_data = sp800_108(CKM_AES_CMAC, vec![PrfDataParam::KeyHandle(known)]);
    let readable = derive(
        &mut m,
        h,
        CKM_SP800_108_COUNTER_KDF,
        open_data,
        known,
        &asked,
    )
    .unwrap();
    assert_eq!(
        attr(&mut m, h, readable, CKA_VALUE).map(|v| v.len()),
        Ok(16)
    );

    // HKDF: a protected salt key protects the key, and a data object (which
    // cannot be protected) is refused.
    let ikm = m
        .create_object(
            h,
            &[
                A::ulong(CKA_CLASS, CKO_SECRET_KEY),
                A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
                A::new(CKA_VALUE, vec![9; 32]),
                A::bool(CKA_DERIVE, true),
                A::bool(CKA_EXTRACTABLE, true),
            ],
        )
        .unwrap();
    let salt_key = m
        .generate_key(
            h,
            &CkMechanism::new(CKM_GENERIC_SECRET_KEY_GEN),
            &[
                A::ulong(CKA_VALUE_LEN, 32),
                A::bool(CKA_SENSITIVE, true),
                A::bool(CKA_DERIVE, true),
            ],
        )
        .unwrap();
    let hkdf = Param::Hkdf {
        extract: true,
        expand: true,
        prf_hash: CKM_SHA256,
        salt_type: CKF_HKDF_SALT_KEY,
        salt: Vec::new(),
        salt_key,
        info: b"info".to_vec(),
    };
    let asked = [
        A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        A::ulong(CKA_VALUE_LEN, 32),
        A::bool(CKA_SENSITIVE, false),
        A::bool(CKA_EXTRACTABLE, true),
    ];
    let k = derive(&mut m, h, CKM_HKDF_DERIVE, hkdf.clone(), ikm, &asked).unwrap();
    assert_eq!(attr(&mut m, h, k, CKA_VALUE), Err(CKR_ATTRIBUTE_SENSITIVE));
    assert_eq!(
        derive(
            &mut m,
            h,
            CKM_HKDF_DATA,
            hkdf,
            ikm,
            &[A::ulong(CKA_VALUE_LEN, 32)]
        ),
        Err(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    // HKDF with a protected base key follows the template (the base is
    // the PRF's key): a readable result is the spec's behaviour.
    let plain = Param::Hkdf {
        extract: true,
        expand: true,
        prf_hash: CKM_SHA256,
        salt_type: CKF_HKDF_SALT_NULL,
        salt: Vec::new(),
        salt_key: 0,
        info: Vec::new(),
    };
    let from_protected = derive(&mut m, h, CKM_HKDF_DERIVE, plain, salt_key, &asked).unwrap();
    assert_eq!(
        attr(&mut m, h, from_protected, CKA_VALUE).map(|v| v.len()),
        Ok(32)
    );
}

/// Token objects holding a secret must be private, by any path; copies
/// may not drop CKA_PRIVATE; session objects may be public.
#[test]
fn token_secrets_are_private() {
    let mut m = ready();
    let h = user_session(&mut m);
    let public_token = [A::bool(CKA_TOKEN, true), A::bool(CKA_PRIVATE, false)];
    assert_eq!(
        m.create_object(h, &aes_template(&public_token)),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    let mut t = vec![A::ulong(CKA_VALUE_LEN, 16)];
    t.extend_from_slice(&public_token);
    assert_eq!(
        m.generate_key(h, &CkMechanism::new(CKM_AES_KEY_GEN), &t),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    assert_eq!(
        ec_pair(&mut m, h, &public_token),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    let open = open_key(&mut m, h);
    let mut derive_t = public_token.to_vec();
    derive_t.push(A::ulong(CKA_VALUE_LEN, 16));
    let xor = Param::Bytes(vec![1; 16]);
    assert_eq!(
        derive(&mut m, h, CKM_XOR_BASE_AND_DATA, xor, open, &derive_t),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    let kw = CkMechanism::new(CKM_AES_KEY_WRAP);
    let wrapped = m.wrap_key(h, &kw, open, open, None).unwrap();
    let mut unwrap_t = vec![
        A::ulong(CKA_CLASS, CKO_SECRET_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_AES),
    ];
    unwrap_t.extend_from_slice(&public_token);
    assert_eq!(
        m.unwrap_key(h, &kw, open, &wrapped, &unwrap_t),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    // The defaults are private; a copy may not make them public.
    let token_key = aes_key(&mut m, h, &[A::bool(CKA_TOKEN, true)]);
    assert!(flag(&mut m, h, token_key, CKA_PRIVATE));
    let (_, private_key) = ec_pair(&mut m, h, &[]).unwrap();
    assert!(flag(&mut m, h, private_key, CKA_PRIVATE));
    for k in [token_key, private_key, open] {
        assert_eq!(
            m.copy_object(h, k, &[A::bool(CKA_PRIVATE, false)]),
            Err(CKR_ATTRIBUTE_READ_ONLY)
        );
    }
    // A public session secret may exist, but not be copied to the token.
    let public_session = m
        .create_object(h, &aes_template(&[A::bool(CKA_PRIVATE, false)]))
        .unwrap();
    assert_eq!(
        m.copy_object(h, public_session, &[A::bool(CKA_TOKEN, true)]),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    m.copy_object(
        h,
        public_session,
        &[A::bool(CKA_TOKEN, true), A::bool(CKA_PRIVATE, true)],
    )
    .unwrap();
    // Data objects and public keys may still be public token objects.
    let (public_key, _) = ec_pair(&mut m, h, &[]).unwrap();
    assert!(!flag(&mut m, h, public_key, CKA_PRIVATE));
    // CKA_ALWAYS_AUTHENTICATE needs CKA_PRIVATE (section 4.9).
    assert_eq!(
        ec_pair(
            &mut m,
            h,
            &[
                A::bool(CKA_PRIVATE, false),
                A::bool(CKA_ALWAYS_AUTHENTICATE, true)
            ]
        ),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
}

/// CKA_CHECK_VALUE of AES keys on every path that makes one, checked
/// against an encryption of the zero block through the engine.
#[test]
fn aes_check_values() {
    let mut m = ready();
    let h = user_session(&mut m);
    let kcv_of = |m: &mut Module, k| {
        m.encrypt_init(h, &CkMechanism::new(CKM_AES_ECB), k)
            .unwrap();
        m.encrypt(h, &[0; 16], None).unwrap()[..3].to_vec()
    };
    let generated = open_key(&mut m, h);
    let kcv = kcv_of(&mut m, generated);
    assert_eq!(attr(&mut m, h, generated, CKA_CHECK_VALUE), Ok(kcv.clone()));
    // C_CreateObject: the right value is accepted, a wrong one refused,
    // an empty one asks for none.
    let created = m
        .create_object(h, &aes_template(&[A::new(CKA_CHECK_VALUE, vec![])]))
        .unwrap();
    assert_eq!(attr(&mut m, h, created, CKA_CHECK_VALUE), Ok(vec![]));
    let created = m.create_object(h, &aes_template(&[])).unwrap();
    let kcv7 = kcv_of(&mut m, created);
    assert_eq!(attr(&mut m, h, created, CKA_CHECK_VALUE), Ok(kcv7.clone()));
    m.create_object(h, &aes_template(&[A::new(CKA_CHECK_VALUE, kcv7.clone())]))
        .unwrap();
    let mut wrong = kcv7.clone();
    wrong[0] ^= 1;
    assert_eq!(
        m.create_object(h, &aes_template(&[A::new(CKA_CHECK_VALUE, wrong)])),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    // Generation with a value given cannot match a key not yet made.
    assert_eq!(
        m.generate_key(
            h,
            &CkMechanism::new(CKM_AES_KEY_GEN),
            &[
                A::ulong(CKA_VALUE_LEN, 16),
                A::new(CKA_CHECK_VALUE, vec![1, 2, 3])
            ]
        ),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    // Unwrapped and derived keys get theirs.
    let kw = CkMechanism::new(CKM_AES_KEY_WRAP);
    let wrapped = m.wrap_key(h, &kw, generated, generated, None).unwrap();
    let unwrapped = m
        .unwrap_key(
            h,
            &kw,
            generated,
            &wrapped,
            &[
                A::ulong(CKA_CLASS, CKO_SECRET_KEY),
                A::ulong(CKA_KEY_TYPE, CKK_AES),
            ],
        )
        .unwrap();
    assert_eq!(attr(&mut m, h, unwrapped, CKA_CHECK_VALUE), Ok(kcv));
    let derived = derive(
        &mut m,
        h,
        CKM_XOR_BASE_AND_DATA,
        Param::Bytes(vec![3; 16]),
        generated,
        &[A::ulong(CKA_KEY_TYPE, CKK_AES)],
    )
    .unwrap();
    let kcv_derived = kcv_of(&mut m, derived);
    assert_eq!(attr(&mut m, h, derived, CKA_CHECK_VALUE), Ok(kcv_derived));
    // Certificates: SHA-1 of the value; a wrong one is refused.
    let cert = |kcv: Option<Vec<u8>>| {
        let mut t = vec![
            A::ulong(CKA_CLASS, CKO_CERTIFICATE),
            A::ulong(CKA_CERTIFICATE_TYPE, CKC_X_509),
            A::new(CKA_SUBJECT, b"s".to_vec()),
            A::new(CKA_VALUE, b"abc".to_vec()),
        ];
        t.extend(kcv.map(|v| A::new(CKA_CHECK_VALUE, v)));
        t
    };
    let c = m.create_object(h, &cert(None)).unwrap();
    assert_eq!(
        attr(&mut m, h, c, CKA_CHECK_VALUE),
        Ok(vec![0xa9, 0x99, 0x3e])
    );
    assert_eq!(
        m.create_object(h, &cert(Some(vec![0, 0, 0]))),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
}

/// CKA_ALWAYS_AUTHENTICATE (base sections 4.9 and 5.6.8): each signature
/// needs C_Login(CKU_CONTEXT_SPECIFIC) after C_SignInit; without it
/// CKR_USER_NOT_LOGGED_IN and the operation stays active.
#[test]
fn always_authenticate_signing() {
    let mut m = ready();
    let h = user_session(&mut m);
    let (_, key) = ec_pair(&mut m, h, &[A::bool(CKA_ALWAYS_AUTHENTICATE, true)]).unwrap();
    let (_, plain) = ec_pair(&mut m, h, &[]).unwrap();
    let ecdsa = CkMechanism::new(CKM_ECDSA);
    let digest = [7u8; 32];
    // Nothing waits for a context-specific login yet.
    assert_eq!(
        m.login(h, CKU_CONTEXT_SPECIFIC, USER_PIN),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    m.sign_init(h, &ecdsa, plain).unwrap();
    assert_eq!(
        m.login(h, CKU_CONTEXT_SPECIFIC, USER_PIN),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    m.sign(h, &digest, None).unwrap();

    m.sign_init(h, &ecdsa, key).unwrap();
    assert_eq!(m.sign(h, &digest, None), Err(CKR_USER_NOT_LOGGED_IN));
    assert_eq!(m.sign_update(h, &digest), Err(CKR_USER_NOT_LOGGED_IN));
    assert_eq!(
        m.sign_init(h, &ecdsa, key),
        Err(CKR_OPERATION_ACTIVE),
        "kept"
    );
    // A wrong PIN counts and changes nothing else.
    assert_eq!(
        m.login(h, CKU_CONTEXT_SPECIFIC, b"wrong-pin"),
        Err(CKR_PIN_INCORRECT)
    );
    assert_ne!(
        m.get_token_info(0).unwrap().flags & CKF_USER_PIN_COUNT_LOW,
        0
    );
    assert_eq!(m.sign(h, &digest, None), Err(CKR_USER_NOT_LOGGED_IN));
    m.login(h, CKU_CONTEXT_SPECIFIC, USER_PIN).unwrap();
    assert_eq!(
        m.get_token_info(0).unwrap().flags & CKF_USER_PIN_COUNT_LOW,
        0
    );
    // CKR_BUFFER_TOO_SMALL ends nothing, the login included.
    assert_eq!(m.sign(h, &digest, Some(1)), Err(CKR_BUFFER_TOO_SMALL));
    assert_eq!(m.sign(h, &digest, None).map(|s| s.len()), Ok(64));
    // The next signature needs the PIN again; a multi-part one keeps
    // the login to its end.
    m.sign_init(h, &CkMechanism::new(CKM_ECDSA_SHA256), key)
        .unwrap();
    assert_eq!(m.sign(h, &digest, None), Err(CKR_USER_NOT_LOGGED_IN));
    m.login(h, CKU_CONTEXT_SPECIFIC, USER_PIN).unwrap();
    m.sign_update(h, &digest).unwrap();
    m.sign_update(h, &digest).unwrap();
    assert!(m.sign_final(h, None).is_ok());
    // Another session's login does not count for this one.
    let h2 = m.open_session(0, RW).unwrap();
    m.sign_init(h, &ecdsa, key).unwrap();
    assert_eq!(
        m.login(h2, CKU_CONTEXT_SPECIFIC, USER_PIN),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    assert_eq!(m.sign(h, &digest, None), Err(CKR_USER_NOT_LOGGED_IN));
    // Message-based signing: the PIN before each message.
    m.message_sign_init(h2, Some(&ecdsa), key).unwrap();
    assert_eq!(
        m.sign_message(h2, &Param::None, &digest, None),
        Err(CKR_USER_NOT_LOGGED_IN)
    );
    m.login(h2, CKU_CONTEXT_SPECIFIC, USER_PIN).unwrap();
    m.sign_message(h2, &Param::None, &digest, None).unwrap();
    assert_eq!(
        m.sign_message(h2, &Param::None, &digest, None),
        Err(CKR_USER_NOT_LOGGED_IN)
    );
    assert_eq!(
        m.sign_message_begin(h2, &Param::None),
        Err(CKR_USER_NOT_LOGGED_IN)
    );
    m.login(h2, CKU_CONTEXT_SPECIFIC, USER_PIN).unwrap();
    m.sign_message_begin(h2, &Param::None).unwrap();
    m.sign_message_next(h2, &Param::None, &digest, true, None)
        .unwrap();
    assert_eq!(
        m.sign_message(h2, &Param::None, &digest, None),
        Err(CKR_USER_NOT_LOGGED_IN)
    );
    // Single-call uses could not be re-authenticated: refused.
    let (derive_pub, derive_key) = ec_pair(
        &mut m,
        h,
        &[
            A::bool(CKA_ALWAYS_AUTHENTICATE, true),
            A::bool(CKA_DERIVE, true),
        ],
    )
    .unwrap();
    let point = Param::Ecdh1 {
        kdf: CKD_NULL,
        shared_data: Vec::new(),
        public_data: attr(&mut m, h, derive_pub, CKA_EC_POINT).unwrap(),
    };
    assert_eq!(
        derive(
            &mut m,
            h,
            CKM_ECDH1_DERIVE,
            point,
            derive_key,
            &[A::ulong(CKA_VALUE_LEN, 16)]
        ),
        Err(CKR_USER_NOT_LOGGED_IN)
    );
}

/// Decryption with such a key, and what too many wrong PINs do: the PIN
/// locks, the answer is CKR_PIN_LOCKED and the user is logged out.
#[test]
fn always_authenticate_decryption_and_lockout() {
    let mut m = ready_with(Config {
        max_pin_tries: 3,
        ..fast()
    });
    let h = user_session(&mut m);
    let (public, private) = rsa_pair(&mut m, h, &[A::bool(CKA_ALWAYS_AUTHENTICATE, true)]);
    let pkcs1 = CkMechanism::new(CKM_RSA_PKCS);
    m.encrypt_init(h, &pkcs1, public).unwrap();
    let sealed = m.encrypt(h, b"secret", None).unwrap();
    m.decrypt_init(h, &pkcs1, private).unwrap();
    assert_eq!(m.decrypt(h, &sealed, None), Err(CKR_USER_NOT_LOGGED_IN));
    assert_eq!(
        m.decrypt_update(h, &sealed, None),
        Err(CKR_USER_NOT_LOGGED_IN)
    );
    m.login(h, CKU_CONTEXT_SPECIFIC, USER_PIN).unwrap();
    assert_eq!(m.decrypt(h, &sealed, None), Ok(b"secret".to_vec()));
    // Unwrapping is a decryption in one call: refused.
    assert_eq!(
        m.unwrap_key(
            h,
            &pkcs1,
            private,
            &sealed,
            &[
                A::ulong(CKA_CLASS, CKO_SECRET_KEY),
                A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
                A::bool(CKA_EXTRACTABLE, true),
            ]
        ),
        Err(CKR_USER_NOT_LOGGED_IN)
    );
    // Three wrong PINs: the third locks the PIN and logs the user out.
    m.decrypt_init(h, &pkcs1, private).unwrap();
    for _ in 0..2 {
        assert_eq!(
            m.login(h, CKU_CONTEXT_SPECIFIC, b"bad-pin"),
            Err(CKR_PIN_INCORRECT)
        );
    }
    assert_eq!(
        m.login(h, CKU_CONTEXT_SPECIFIC, b"bad-pin"),
        Err(CKR_PIN_LOCKED)
    );
    assert_eq!(m.get_session_info(h).unwrap().state, CKS_RW_PUBLIC_SESSION);
    assert_ne!(m.get_token_info(0).unwrap().flags & CKF_USER_PIN_LOCKED, 0);
    assert_eq!(
        m.decrypt(h, &sealed, None),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
}

/// The PIN KDF costs what the slot's storage calls for.
#[test]
fn kdf_iterations_follow_the_storage() {
    let c = Config {
        slots: Some(vec![
            SlotConfig::default(),
            SlotConfig {
                persistent: true,
                ..SlotConfig::default()
            },
        ]),
        ..Config::default()
    };
    let m = Module::new(c);
    assert_eq!(
        m.slots[0].limits.kdf_iterations,
        config::MEMORY_KDF_ITERATIONS
    );
    assert_eq!(
        m.slots[1].limits.kdf_iterations,
        config::STORED_KDF_ITERATIONS
    );
    // A memory token is initialized at the low cost.
    let mut m = Module::new(Config::default());
    m.initialize().unwrap();
    m.init_token(0, SO_PIN, b"quick").unwrap();
    let blob = m.token_of(0).so_pin.as_ref().unwrap();
    assert_eq!(blob.iterations, 1_000);
}
