//! ML-KEM through the Mechanism trait and the key type hooks, and
//! C_EncapsulateKey / C_DecapsulateKey through the engine (`Module`).
//! Known answers are in tests/acvp_pqc.rs and tests/wycheproof_pqc.rs.
use zeroize::Zeroizing;

use super::*;
use crate::Module;
use crate::attr::ulong_bytes;
use crate::module::Config;

fn object(class: CK_ULONG, attrs: &[Attribute]) -> Object {
    let mut map = AttrMap::new();
    map.insert(CKA_CLASS, Zeroizing::new(ulong_bytes(class)));
    for a in attrs {
        map.insert(a.kind, Zeroizing::new(a.value.clone()));
    }
    Object::new(map)
}

fn pair(set: Set) -> (Object, Object) {
    let m = CkMechanism::new(CKM_ML_KEM_KEY_PAIR_GEN);
    let t = [Attribute::ulong(CKA_PARAMETER_SET, set.ckp())];
    let (public, private) = ML_KEM.generate_key_pair(&m, &t, &[]).unwrap();
    (
        object(CKO_PUBLIC_KEY, &public),
        object(CKO_PRIVATE_KEY, &private),
    )
}

const KEM: CkMechanism = CkMechanism {
    kind: CKM_ML_KEM,
    param: crate::mech::Param::None,
};

#[test]
fn every_parameter_set_round_trips() {
    for set in Set::ALL {
        let (public, private) = pair(set);
        let (ek_len, dk_len, ct_len) = set.sizes();
        assert_eq!(public.get(CKA_VALUE).unwrap().len(), ek_len);
        assert_eq!(private.get(CKA_VALUE).unwrap().len(), dk_len);
        assert_eq!(private.get(CKA_SEED).unwrap().len(), 64);
        let (ct, secret) = ML_KEM.encapsulate(&KEM, &public).unwrap();
        assert_eq!((ct.len(), secret.len()), (ct_len, 32));
        assert_eq!(ML_KEM.decapsulate(&KEM, &private, &ct).unwrap(), secret);
        // Without the seed, the expanded key decapsulates the same.
        let expanded_only = object(
            CKO_PRIVATE_KEY,
            &[
                Attribute::ulong(CKA_KEY_TYPE, CKK_ML_KEM),
                Attribute::ulong(CKA_PARAMETER_SET, set.ckp()),
                Attribute::new(CKA_VALUE, private.get(CKA_VALUE).unwrap()),
            ],
        );
        assert_eq!(
            ML_KEM.decapsulate(&KEM, &expanded_only, &ct).unwrap(),
            secret
        );
        // A changed ciphertext decapsulates to another (implicit rejection).
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert_ne!(ML_KEM.decapsulate(&KEM, &private, &bad).unwrap(), secret);
        assert_eq!(
            ML_KEM.decapsulate(&KEM, &private, &ct[1..]).err(),
            Some(CKR_WRAPPED_KEY_LEN_RANGE)
        );
        // Two encapsulations differ.
        assert_ne!(ML_KEM.encapsulate(&KEM, &public).unwrap().0, ct);
    }
}

#[test]
fn mechanism_and_key_checks() {
    let (public, private) = pair(Set::MlKem512);
    assert_eq!(
        ML_KEM.encapsulate(&KEM, &private).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        ML_KEM.decapsulate(&KEM, &public, &[0; 768]).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    let with_param = CkMechanism::with(CKM_ML_KEM, crate::mech::Param::Bytes(vec![1]));
    assert_eq!(
        ML_KEM.encapsulate(&with_param, &public).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    let gen_ = CkMechanism::new(CKM_ML_KEM_KEY_PAIR_GEN);
    assert_eq!(
        ML_KEM.generate_key_pair(&gen_, &[], &[]).err(),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        ML_KEM
            .generate_key_pair(&gen_, &[Attribute::ulong(CKA_PARAMETER_SET, 0)], &[])
            .err(),
        Some(CKR_PARAMETER_SET_NOT_SUPPORTED)
    );
}

fn completed(class: CK_ULONG, attrs: &[Attribute]) -> CkResult<AttrMap> {
    let mut map = object(class, attrs).attrs;
    (ML_KEM_KEY.complete)(class, &mut map).map(|_| map)
}

#[test]
fn import_checks_and_fills() {
    let (public, private) = pair(Set::MlKem768);
    let set = Attribute::ulong(CKA_PARAMETER_SET, CKP_ML_KEM_768);
    let seed = private.get(CKA_SEED).unwrap();
    let dk = private.get(CKA_VALUE).unwrap();
    let ek = public.get(CKA_VALUE).unwrap();
    let info = public.get(CKA_PUBLIC_KEY_INFO).unwrap();
    for o in [&public, &private] {
        let mut map = o.attrs.clone();
        (ML_KEM_KEY.complete)(o.class(), &mut map).unwrap();
        assert_eq!(map, o.attrs);
    }
    let from_seed = completed(
        CKO_PRIVATE_KEY,
        &[set.clone(), Attribute::new(CKA_SEED, seed)],
    )
    .unwrap();
    assert_eq!(from_seed.get(&CKA_VALUE).unwrap().as_slice(), dk);
    assert_eq!(
        from_seed.get(&CKA_PUBLIC_KEY_INFO).unwrap().as_slice(),
        info
    );
    let from_dk = completed(
        CKO_PRIVATE_KEY,
        &[set.clone(), Attribute::new(CKA_VALUE, dk)],
    )
    .unwrap();
    assert_eq!(from_dk.get(&CKA_PUBLIC_KEY_INFO).unwrap().as_slice(), info);

    let bad = |class, attrs: &[Attribute]| completed(class, attrs).err();
    assert_eq!(
        bad(CKO_PRIVATE_KEY, std::slice::from_ref(&set)),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    // The hash of ek inside dk must match (FIPS 203 section 7.3).
    let mut tampered = dk.to_vec();
    tampered[dk.len() - 40] ^= 1;
    assert_eq!(
        bad(
            CKO_PRIVATE_KEY,
            &[set.clone(), Attribute::new(CKA_VALUE, tampered)]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        bad(
            CKO_PRIVATE_KEY,
            &[
                set.clone(),
                Attribute::new(CKA_SEED, seed),
                Attribute::new(CKA_VALUE, &dk[..dk.len() - 1])
            ]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        bad(
            CKO_PRIVATE_KEY,
            &[set.clone(), Attribute::new(CKA_SEED, &seed[..32])]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    // Modulus check (FIPS 203 section 7.2): a coefficient of 0xfff >= q.
    let mut overflow = ek.to_vec();
    overflow[0] = 0xff;
    overflow[1] |= 0x0f;
    assert_eq!(
        bad(
            CKO_PUBLIC_KEY,
            &[set.clone(), Attribute::new(CKA_VALUE, overflow)]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        bad(
            CKO_PUBLIC_KEY,
            &[
                Attribute::ulong(CKA_PARAMETER_SET, CKP_ML_KEM_512),
                Attribute::new(CKA_VALUE, ek)
            ]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
}

#[test]
fn pkcs8_wrap_round_trip() {
    let (_, private) = pair(Set::MlKem1024);
    let attrs = import_private(&export_private(&private).unwrap()).unwrap();
    let mut map = object(CKO_PRIVATE_KEY, &attrs).attrs;
    (ML_KEM_KEY.complete)(CKO_PRIVATE_KEY, &mut map).unwrap();
    assert_eq!(
        map.get(&CKA_VALUE).unwrap().as_slice(),
        private.get(CKA_VALUE).unwrap()
    );
}

// --- the engine: C_EncapsulateKey / C_DecapsulateKey ---

const PIN: &[u8] = b"user-1234";

fn session() -> (Module, CK_ULONG) {
    let mut m = Module::new(Config {
        kdf_iterations: 10,
        ..Config::default()
    });
    m.initialize().unwrap();
    m.init_token(0, b"so-secret", b"kem").unwrap();
    let rw = CKF_SERIAL_SESSION | CKF_RW_SESSION;
    let h = m.open_session(0, rw).unwrap();
    m.login(h, CKU_SO, b"so-secret").unwrap();
    m.init_pin(h, PIN).unwrap();
    m.logout(h).unwrap();
    m.login(h, CKU_USER, PIN).unwrap();
    (m, h)
}

fn aes_template(extra: &[Attribute]) -> Vec<Attribute> {
    let mut t = vec![
        Attribute::ulong(CKA_CLASS, CKO_SECRET_KEY),
        Attribute::ulong(CKA_KEY_TYPE, CKK_AES),
    ];
    t.extend_from_slice(extra);
    t
}

fn value(m: &mut Module, h: CK_ULONG, key: CK_ULONG, kind: CK_ULONG) -> Vec<u8> {
    m.get_attribute_value(h, key, &[kind]).unwrap()[0]
        .clone()
        .unwrap()
}

#[test]
fn engine_encapsulates_and_decapsulates() {
    let (mut m, h) = session();
    let (public, private) = m
        .generate_key_pair(
            h,
            &CkMechanism::new(CKM_ML_KEM_KEY_PAIR_GEN),
            &[Attribute::ulong(CKA_PARAMETER_SET, CKP_ML_KEM_768)],
            &[Attribute::bool(CKA_SENSITIVE, true)],
        )
        .unwrap();
    assert_eq!(value(&mut m, h, public, CKA_ENCAPSULATE), vec![1]);
    assert_eq!(value(&mut m, h, private, CKA_DECAPSULATE), vec![1]);
    assert_eq!(
        value(&mut m, h, private, CKA_PARAMETER_SET),
        ulong_bytes(CKP_ML_KEM_768)
    );
    let (ct, k1) = m
        .encapsulate_key(h, &KEM, public, &aes_template(&[]), None)
        .unwrap();
    assert_eq!(ct.len(), 1088);
    let k2 = m
        .decapsulate_key(h, &KEM, private, &aes_template(&[]), &ct)
        .unwrap();
    let v1 = value(&mut m, h, k1, CKA_VALUE);
    assert_eq!(v1.len(), 32);
    assert_eq!(v1, value(&mut m, h, k2, CKA_VALUE));
    for k in [k1, k2] {
        assert_eq!(value(&mut m, h, k, CKA_VALUE_LEN), ulong_bytes(32));
        assert_eq!(value(&mut m, h, k, CKA_EXTRACTABLE), vec![1]);
        for kind in [CKA_LOCAL, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE] {
            assert_eq!(value(&mut m, h, k, kind), vec![0]);
        }
    }
    // CKA_VALUE_LEN takes the leading bytes; CKA_EXTRACTABLE as asked.
    let short = aes_template(&[
        Attribute::ulong(CKA_VALUE_LEN, 16),
        Attribute::bool(CKA_EXTRACTABLE, false),
        Attribute::bool(CKA_SENSITIVE, true),
    ]);
    let k3 = m.decapsulate_key(h, &KEM, private, &short, &ct).unwrap();
    assert_eq!(value(&mut m, h, k3, CKA_VALUE_LEN), ulong_bytes(16));
    assert_eq!(value(&mut m, h, k3, CKA_EXTRACTABLE), vec![0]);
    let generic = [
        Attribute::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        Attribute::ulong(CKA_VALUE_LEN, 20),
    ];
    let k4 = m.decapsulate_key(h, &KEM, private, &generic, &ct).unwrap();
    assert_eq!(value(&mut m, h, k4, CKA_VALUE), v1[..20].to_vec());
}

#[test]
fn engine_checks() {
    let (mut m, h) = session();
    let (public, private) = m
        .generate_key_pair(
            h,
            &CkMechanism::new(CKM_ML_KEM_KEY_PAIR_GEN),
            &[Attribute::ulong(CKA_PARAMETER_SET, CKP_ML_KEM_512)],
            &[],
        )
        .unwrap();
    let t = aes_template(&[]);
    // Too small a buffer: the size is known and no key is made.
    m.find_objects_init(h, &[]).unwrap();
    let before = m.find_objects(h, 100).unwrap().len();
    m.find_objects_final(h).unwrap();
    assert_eq!(
        m.encapsulate_key(h, &KEM, public, &t, Some(767)).err(),
        Some(CKR_BUFFER_TOO_SMALL)
    );
    m.find_objects_init(h, &[]).unwrap();
    assert_eq!(m.find_objects(h, 100).unwrap().len(), before);
    m.find_objects_final(h).unwrap();
    assert!(m.encapsulate_key(h, &KEM, public, &t, Some(768)).is_ok());
    // Template rules: a key type is needed, CKA_VALUE may not be given,
    // only secret keys, a length the secret can supply.
    let bad = |m: &mut Module, t: &[Attribute]| m.encapsulate_key(h, &KEM, public, t, None).err();
    assert_eq!(bad(&mut m, &[]), Some(CKR_TEMPLATE_INCOMPLETE));
    assert_eq!(
        bad(
            &mut m,
            &aes_template(&[Attribute::new(CKA_VALUE, vec![0; 32])])
        ),
        Some(CKR_ATTRIBUTE_READ_ONLY)
    );
    assert_eq!(
        bad(
            &mut m,
            &[
                Attribute::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
                Attribute::ulong(CKA_KEY_TYPE, CKK_AES)
            ]
        ),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
    assert_eq!(
        bad(
            &mut m,
            &aes_template(&[Attribute::ulong(CKA_VALUE_LEN, 33)])
        ),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
    assert_eq!(
        bad(
            &mut m,
            &aes_template(&[Attribute::ulong(CKA_VALUE_LEN, 20)])
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    // Keys: the right class, the usage attribute, the handle.
    assert_eq!(
        m.encapsulate_key(h, &KEM, private, &t, None).err(),
        Some(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    assert_eq!(
        m.decapsulate_key(h, &KEM, public, &t, &[0; 768]).err(),
        Some(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    assert_eq!(
        m.decapsulate_key(h, &KEM, 9999, &t, &[0; 768]).err(),
        Some(CKR_UNWRAPPING_KEY_HANDLE_INVALID)
    );
    assert_eq!(
        m.encapsulate_key(h, &KEM, 9999, &t, None).err(),
        Some(CKR_KEY_HANDLE_INVALID)
    );
    assert_eq!(
        m.decapsulate_key(h, &KEM, private, &t, &[0; 767]).err(),
        Some(CKR_WRAPPED_KEY_LEN_RANGE)
    );
    m.set_attribute_value(h, public, &[Attribute::bool(CKA_ENCAPSULATE, false)])
        .unwrap();
    assert_eq!(
        m.encapsulate_key(h, &KEM, public, &t, None).err(),
        Some(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    // Other mechanisms cannot encapsulate.
    let rsa = CkMechanism::new(CKM_RSA_PKCS);
    assert_eq!(
        m.decapsulate_key(h, &rsa, private, &t, &[0; 768]).err(),
        Some(CKR_MECHANISM_INVALID)
    );
    // Creating keys by value, and a read-only session.
    let ek = value(&mut m, h, public, CKA_VALUE);
    let imported = m
        .create_object(
            h,
            &[
                Attribute::ulong(CKA_CLASS, CKO_PUBLIC_KEY),
                Attribute::ulong(CKA_KEY_TYPE, CKK_ML_KEM),
                Attribute::ulong(CKA_PARAMETER_SET, CKP_ML_KEM_512),
                Attribute::new(CKA_VALUE, ek),
            ],
        )
        .unwrap();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let (ct, _) = m.encapsulate_key(ro, &KEM, imported, &t, None).unwrap();
    assert_eq!(
        m.decapsulate_key(
            ro,
            &KEM,
            private,
            &aes_template(&[Attribute::bool(CKA_TOKEN, true)]),
            &ct
        )
        .err(),
        Some(CKR_SESSION_READ_ONLY)
    );
}

#[test]
fn registry_info() {
    let r = crate::mech::registry();
    assert_eq!(
        r.info(CKM_ML_KEM),
        Some(info(800, 1568, CKF_ENCAPSULATE | CKF_DECAPSULATE))
    );
    assert_eq!(
        r.info(CKM_ML_KEM_KEY_PAIR_GEN),
        Some(info(800, 1568, CKF_GENERATE_KEY_PAIR))
    );
}
