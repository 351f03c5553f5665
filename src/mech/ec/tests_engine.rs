//! The EC family through the engine: the template's CKA_VALUE_LEN reaches
//! the KDF; the 3.0 key types generate, import, sign, agree and wrap.
use super::der;
use super::tests::P521;
use crate::CK_ULONG;
use crate::attr;
use crate::attr::Attribute as A;
use crate::constants::*;
use crate::mech::digest::hasher_for;
use crate::mech::{CkMechanism, Param};
use crate::module::{Config, Module};

const RW: CK_ULONG = CKF_SERIAL_SESSION | CKF_RW_SESSION;

fn session() -> (Module, CK_ULONG) {
    let mut m = Module::new(Config {
        kdf_iterations: 10,
        ..Config::default()
    });
    m.initialize().unwrap();
    m.init_token(0, b"so-secret", b"test").unwrap();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_SO, b"so-secret").unwrap();
    m.init_pin(h, b"user-1234").unwrap();
    m.logout(h).unwrap();
    m.login(h, CKU_USER, b"user-1234").unwrap();
    (m, h)
}

fn pair(m: &mut Module, h: CK_ULONG, kind: CK_ULONG, params: &[u8]) -> (CK_ULONG, CK_ULONG) {
    m.generate_key_pair(
        h,
        &CkMechanism::new(kind),
        &[A::new(CKA_EC_PARAMS, params)],
        &[
            A::bool(CKA_DERIVE, true),
            A::bool(CKA_SIGN, true),
            A::bool(CKA_EXTRACTABLE, true),
        ],
    )
    .unwrap()
}

fn attr_of(m: &mut Module, h: CK_ULONG, k: CK_ULONG, a: CK_ULONG) -> Vec<u8> {
    m.get_attribute_value(h, k, &[a])
        .unwrap()
        .remove(0)
        .unwrap()
}

fn ecdh(kdf: CK_ULONG, shared: &[u8], public_data: Vec<u8>) -> CkMechanism {
    CkMechanism::with(
        CKM_ECDH1_DERIVE,
        Param::Ecdh1 {
            kdf,
            shared_data: shared.to_vec(),
            public_data,
        },
    )
}

#[test]
fn ecdh_kdf_length_comes_from_the_template() {
    let (mut m, h) = session();
    let (pub_a, priv_a) = pair(&mut m, h, CKM_EC_KEY_PAIR_GEN, P521);
    let (pub_b, priv_b) = pair(&mut m, h, CKM_EC_KEY_PAIR_GEN, P521);
    let (qa, qb) = (
        attr_of(&mut m, h, pub_a, CKA_EC_POINT),
        attr_of(&mut m, h, pub_b, CKA_EC_POINT),
    );
    let aes = |len: Option<CK_ULONG>| {
        let mut t = vec![
            A::ulong(CKA_KEY_TYPE, CKK_AES),
            A::bool(CKA_EXTRACTABLE, true),
            A::bool(CKA_SENSITIVE, false),
        ];
        t.extend(len.map(|n| A::ulong(CKA_VALUE_LEN, n)));
        t
    };
    let k1 = m
        .derive_key(
            h,
            &ecdh(CKD_SHA384_KDF, b"info", qb.clone()),
            priv_a,
            &aes(Some(24)),
        )
        .unwrap();
    let k2 = m
        .derive_key(
            h,
            &ecdh(CKD_SHA384_KDF, b"info", qa.clone()),
            priv_b,
            &aes(Some(24)),
        )
        .unwrap();
    let v1 = attr_of(&mut m, h, k1, CKA_VALUE);
    assert_eq!(v1.len(), 24);
    assert_eq!(v1, attr_of(&mut m, h, k2, CKA_VALUE));
    // The KDF of the raw secret, as computed by hand.
    let z = m
        .derive_key(
            h,
            &ecdh(CKD_NULL, b"", qb.clone()),
            priv_a,
            &[
                A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
                A::bool(CKA_EXTRACTABLE, true),
            ],
        )
        .unwrap();
    let z = attr_of(&mut m, h, z, CKA_VALUE);
    assert_eq!(z.len(), 66);
    let mut first = hasher_for(CKM_SHA384).unwrap();
    first.update(&z);
    first.update(&[0, 0, 0, 1]);
    first.update(b"info");
    assert_eq!(v1.as_slice(), &first.finalize()[..24]);
    // No length: a KDF cannot choose one.
    assert_eq!(
        m.derive_key(
            h,
            &ecdh(CKD_SHA256_KDF, b"", qb.clone()),
            priv_a,
            &aes(None)
        ),
        Err(CKR_TEMPLATE_INCOMPLETE)
    );
    // CKD_NULL longer than the secret.
    assert_eq!(
        m.derive_key(
            h,
            &ecdh(CKD_NULL, b"", qb),
            priv_a,
            &[
                A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
                A::ulong(CKA_VALUE_LEN, 67)
            ]
        ),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
}

#[test]
fn ed25519_and_x25519_keys_in_the_token() {
    let (mut m, h) = session();
    // Ed25519: generate, sign with each variant, verify.
    let ed = b"\x13\x0cedwards25519";
    let (public, private) = pair(&mut m, h, CKM_EC_EDWARDS_KEY_PAIR_GEN, ed);
    assert_eq!(attr_of(&mut m, h, public, CKA_EC_POINT).len(), 32);
    assert_eq!(
        attr_of(&mut m, h, public, CKA_KEY_GEN_MECHANISM),
        attr::ulong_bytes(CKM_EC_EDWARDS_KEY_PAIR_GEN)
    );
    for param in [
        Param::None,
        Param::Eddsa {
            ph_flag: true,
            context: b"ctx".to_vec(),
        },
        Param::Eddsa {
            ph_flag: false,
            context: b"ctx".to_vec(),
        },
    ] {
        let mech = CkMechanism::with(CKM_EDDSA, param);
        m.sign_init(h, &mech, private).unwrap();
        let sig = m.sign(h, b"data", None).unwrap();
        assert_eq!(sig.len(), 64);
        m.verify_init(h, &mech, public).unwrap();
        m.verify(h, b"data", &sig).unwrap();
    }
    // Import a public key given as a DER OCTET STRING: stored raw.
    let point = attr_of(&mut m, h, public, CKA_EC_POINT);
    let copy = m
        .create_object(
            h,
            &[
                A::ulong(CKA_CLASS, CKO_PUBLIC_KEY),
                A::ulong(CKA_KEY_TYPE, CKK_EC_EDWARDS),
                A::new(CKA_EC_PARAMS, vec![0x06, 0x03, 0x2b, 0x65, 0x70]),
                A::new(CKA_EC_POINT, der::octet_string(&point)),
            ],
        )
        .unwrap();
    assert_eq!(attr_of(&mut m, h, copy, CKA_EC_POINT), point);
    // Wrap the private key (PKCS#8, RFC 8410) and unwrap it.
    let kek = m
        .generate_key(
            h,
            &CkMechanism::new(CKM_AES_KEY_GEN),
            &[
                A::ulong(CKA_VALUE_LEN, 32),
                A::bool(CKA_WRAP, true),
                A::bool(CKA_UNWRAP, true),
            ],
        )
        .unwrap();
    let cbc = CkMechanism::with(CKM_AES_CBC_PAD, Param::Bytes(vec![3; 16]));
    let wrapped = m.wrap_key(h, &cbc, kek, private, None).unwrap();
    let unwrapped = m
        .unwrap_key(
            h,
            &cbc,
            kek,
            &wrapped,
            &[
                A::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
                A::ulong(CKA_KEY_TYPE, CKK_EC_EDWARDS),
                A::bool(CKA_SIGN, true),
            ],
        )
        .unwrap();
    let pure = CkMechanism::new(CKM_EDDSA);
    m.sign_init(h, &pure, unwrapped).unwrap();
    let sig = m.sign(h, b"again", None).unwrap();
    m.verify_init(h, &pure, public).unwrap();
    m.verify(h, b"again", &sig).unwrap();

    // X25519 through CKM_ECDH1_DERIVE.
    let x = [0x06, 0x03, 0x2b, 0x65, 0x6e];
    let (pub_a, priv_a) = pair(&mut m, h, CKM_EC_MONTGOMERY_KEY_PAIR_GEN, &x);
    let (pub_b, priv_b) = pair(&mut m, h, CKM_EC_MONTGOMERY_KEY_PAIR_GEN, &x);
    let secret = [
        A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        A::ulong(CKA_VALUE_LEN, 32),
        A::bool(CKA_EXTRACTABLE, true),
    ];
    let point_0 = attr_of(&mut m, h, pub_b, CKA_EC_POINT);
    let ab = m
        .derive_key(h, &ecdh(CKD_SHA256_KDF, b"", point_0), priv_a, &secret)
        .unwrap();
    let point_1 = attr_of(&mut m, h, pub_a, CKA_EC_POINT);
    let ba = m
        .derive_key(h, &ecdh(CKD_SHA256_KDF, b"", point_1), priv_b, &secret)
        .unwrap();
    assert_eq!(
        attr_of(&mut m, h, ab, CKA_VALUE),
        attr_of(&mut m, h, ba, CKA_VALUE)
    );
    let wrapped = m.wrap_key(h, &cbc, kek, priv_a, None).unwrap();
    let copy_a = m
        .unwrap_key(
            h,
            &cbc,
            kek,
            &wrapped,
            &[
                A::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
                A::ulong(CKA_KEY_TYPE, CKK_EC_MONTGOMERY),
                A::bool(CKA_DERIVE, true),
            ],
        )
        .unwrap();
    let point_2 = attr_of(&mut m, h, pub_b, CKA_EC_POINT);
    let again = m
        .derive_key(h, &ecdh(CKD_SHA256_KDF, b"", point_2), copy_a, &secret)
        .unwrap();
    assert_eq!(
        attr_of(&mut m, h, again, CKA_VALUE),
        attr_of(&mut m, h, ab, CKA_VALUE)
    );
    // An Ed25519 key is not an ECDH key; the mechanism list has them all.
    assert_eq!(
        m.derive_key(h, &ecdh(CKD_NULL, b"", vec![9; 32]), private, &secret),
        Err(CKR_KEY_TYPE_INCONSISTENT)
    );
}
