//! The RSA mechanisms through the engine (`Module`): C_WrapKey and
//! C_UnwrapKey with CKM_RSA_PKCS, CKM_RSA_PKCS_OAEP, CKM_RSA_X_509 and
//! CKM_RSA_AES_KEY_WRAP (secret and private keys), mechanism info, key
//! sizes at the limits (generate 4096, import 8192), CKA_PUBLIC_KEY_INFO.
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};

use super::*;
use crate::Module;
use crate::attr::ulong_bytes;
use crate::module::Config;

/// An 8192-bit key made with `openssl genpkey -algorithm RSA -pkeyopt
/// rsa_keygen_bits:8192 -outform DER` (PKCS#8).
const RSA_8192: &[u8] = include_bytes!("../../../../tests/vectors/rsa-8192.pk8.der");

fn session() -> (Module, CK_ULONG) {
    let mut m = Module::new(Config {
        kdf_iterations: 10,
        ..Config::default()
    });
    m.initialize().unwrap();
    m.init_token(0, b"so-secret", b"rsa").unwrap();
    let h = m
        .open_session(0, CKF_SERIAL_SESSION | CKF_RW_SESSION)
        .unwrap();
    m.login(h, CKU_SO, b"so-secret").unwrap();
    m.init_pin(h, b"user-1234").unwrap();
    m.logout(h).unwrap();
    m.login(h, CKU_USER, b"user-1234").unwrap();
    (m, h)
}

fn value(m: &mut Module, h: CK_ULONG, key: CK_ULONG, kind: CK_ULONG) -> Vec<u8> {
    m.get_attribute_value(h, key, &[kind]).unwrap()[0]
        .clone()
        .unwrap()
}

/// Imports a key pair object by value (C_CreateObject), extractable.
fn import(m: &mut Module, h: CK_ULONG, p: &Pair) -> (CK_ULONG, CK_ULONG) {
    let copy = |o: &Object, class: CK_ULONG, kinds: &[CK_ULONG]| {
        let mut t = vec![
            Attribute::ulong(CKA_CLASS, class),
            Attribute::ulong(CKA_KEY_TYPE, CKK_RSA),
        ];
        t.extend(kinds.iter().map(|&k| Attribute::new(k, o.get(k).unwrap())));
        t
    };
    let public = copy(
        &p.public,
        CKO_PUBLIC_KEY,
        &[CKA_MODULUS, CKA_PUBLIC_EXPONENT],
    );
    let mut private = copy(
        &p.private,
        CKO_PRIVATE_KEY,
        &[
            CKA_MODULUS,
            CKA_PUBLIC_EXPONENT,
            CKA_PRIVATE_EXPONENT,
            CKA_PRIME_1,
            CKA_PRIME_2,
        ],
    );
    private.push(Attribute::bool(CKA_EXTRACTABLE, true));
    (
        m.create_object(h, &public).unwrap(),
        m.create_object(h, &private).unwrap(),
    )
}

fn aes_key(m: &mut Module, h: CK_ULONG, len: CK_ULONG) -> CK_ULONG {
    m.generate_key(
        h,
        &CkMechanism::new(CKM_AES_KEY_GEN),
        &[
            Attribute::ulong(CKA_VALUE_LEN, len),
            Attribute::bool(CKA_EXTRACTABLE, true),
        ],
    )
    .unwrap()
}

fn aes_wrap_mech(bits: CK_ULONG) -> CkMechanism {
    CkMechanism::with(
        CKM_RSA_AES_KEY_WRAP,
        Param::RsaAesKeyWrap {
            aes_key_bits: bits,
            oaep: Box::new(oaep(CKM_SHA256, CKG_MGF1_SHA256, b"").param),
        },
    )
}

#[test]
fn secret_keys_wrap_and_unwrap() {
    let (mut m, h) = session();
    let (public, private) = import(&mut m, h, pair_2048());
    let k = k_of(pair_2048());
    let secret = aes_key(&mut m, h, 32);
    let value_of_secret = value(&mut m, h, secret, CKA_VALUE);
    let template = [
        Attribute::ulong(CKA_CLASS, CKO_SECRET_KEY),
        Attribute::ulong(CKA_KEY_TYPE, CKK_AES),
        Attribute::ulong(CKA_VALUE_LEN, 32),
        Attribute::bool(CKA_EXTRACTABLE, true),
    ];
    for (mech, len) in [
        (CkMechanism::new(CKM_RSA_PKCS), k),
        (oaep(CKM_SHA256, CKG_MGF1_SHA1, b"label"), k),
        (CkMechanism::new(CKM_RSA_X_509), k),
        (aes_wrap_mech(128), k + 40),
        (aes_wrap_mech(256), k + 40),
    ] {
        assert_eq!(
            m.wrap_key(h, &mech, public, secret, Some(len - 1)).err(),
            Some(CKR_BUFFER_TOO_SMALL),
            "{:#x}",
            mech.kind
        );
        let wrapped = m.wrap_key(h, &mech, public, secret, Some(len)).unwrap();
        assert_eq!(wrapped.len(), len);
        let unwrapped = m
            .unwrap_key(h, &mech, private, &wrapped, &template)
            .unwrap();
        assert_eq!(value(&mut m, h, unwrapped, CKA_VALUE), value_of_secret);
        // Keys unwrapped are not local (3.1 section 4.7).
        assert_eq!(value(&mut m, h, unwrapped, CKA_LOCAL), vec![0]);
    }
    // CKM_RSA_X_509 without a length: all k octets, too long for AES.
    let raw = CkMechanism::new(CKM_RSA_X_509);
    let wrapped = m.wrap_key(h, &raw, public, secret, None).unwrap();
    assert_eq!(
        m.unwrap_key(h, &raw, private, &wrapped, &template[..2])
            .err(),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    let generic = [
        Attribute::ulong(CKA_CLASS, CKO_SECRET_KEY),
        Attribute::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
    ];
    let all = m.unwrap_key(h, &raw, private, &wrapped, &generic).unwrap();
    let v = value(&mut m, h, all, CKA_VALUE_LEN);
    assert_eq!(v, ulong_bytes(k as CK_ULONG));
    // A tampered wrap is CKR_WRAPPED_KEY_INVALID.
    let mech = aes_wrap_mech(192);
    let mut wrapped = m.wrap_key(h, &mech, public, secret, None).unwrap();
    let last = wrapped.len() - 1;
    wrapped[last] ^= 1;
    assert_eq!(
        m.unwrap_key(h, &mech, private, &wrapped, &template).err(),
        Some(CKR_WRAPPED_KEY_INVALID)
    );
    assert_eq!(
        m.unwrap_key(h, &mech, private, &wrapped[..k], &template)
            .err(),
        Some(CKR_WRAPPED_KEY_LEN_RANGE)
    );
}

#[test]
fn private_keys_wrap_with_rsa_aes_key_wrap() {
    let (mut m, h) = session();
    let (public, private) = import(&mut m, h, pair_2048());
    let mech = aes_wrap_mech(256);
    let rsa_template = [
        Attribute::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
        Attribute::ulong(CKA_KEY_TYPE, CKK_RSA),
        Attribute::bool(CKA_EXTRACTABLE, true),
    ];
    let wrapped = m.wrap_key(h, &mech, public, private, None).unwrap();
    let back = m
        .unwrap_key(h, &mech, private, &wrapped, &rsa_template)
        .unwrap();
    for kind in [CKA_MODULUS, CKA_PRIVATE_EXPONENT, CKA_PUBLIC_KEY_INFO] {
        assert_eq!(
            value(&mut m, h, back, kind),
            value(&mut m, h, private, kind)
        );
    }
    // PKCS#8 does not fit in one RSA block.
    assert_eq!(
        m.wrap_key(h, &CkMechanism::new(CKM_RSA_PKCS), public, private, None)
            .err(),
        Some(CKR_KEY_SIZE_RANGE)
    );
    // An ML-DSA private key travels as PKCS#8 too.
    let (_, dsa) = m
        .generate_key_pair(
            h,
            &CkMechanism::new(CKM_ML_DSA_KEY_PAIR_GEN),
            &[Attribute::ulong(CKA_PARAMETER_SET, CKP_ML_DSA_65)],
            &[Attribute::bool(CKA_EXTRACTABLE, true)],
        )
        .unwrap();
    let wrapped = m.wrap_key(h, &mech, public, dsa, None).unwrap();
    let dsa_template = [
        Attribute::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
        Attribute::ulong(CKA_KEY_TYPE, CKK_ML_DSA),
        Attribute::bool(CKA_EXTRACTABLE, true),
    ];
    let back = m
        .unwrap_key(h, &mech, private, &wrapped, &dsa_template)
        .unwrap();
    for kind in [CKA_VALUE, CKA_SEED, CKA_PARAMETER_SET, CKA_PUBLIC_KEY_INFO] {
        assert_eq!(value(&mut m, h, back, kind), value(&mut m, h, dsa, kind));
    }
    // The wrap-only mechanism does not encrypt.
    assert_eq!(m.encrypt_init(h, &mech, public), Err(CKR_MECHANISM_INVALID));
    assert_eq!(
        m.decrypt_init(h, &mech, private),
        Err(CKR_MECHANISM_INVALID)
    );
}

/// The message-based flags (3.x functions helper) are added on top.
fn without_message_flags(i: crate::mech::MechInfo) -> crate::mech::MechInfo {
    let message = CKF_MESSAGE_ENCRYPT
        | CKF_MESSAGE_DECRYPT
        | CKF_MESSAGE_SIGN
        | CKF_MESSAGE_VERIFY
        | CKF_MULTI_MESSAGE;
    info(i.min_key_size, i.max_key_size, i.flags & !message)
}

#[test]
fn mechanism_info() {
    let r = crate::mech::registry();
    let info_of = |kind| r.info(kind).map(without_message_flags);
    let wrap = CKF_WRAP | CKF_UNWRAP;
    let all = CKF_ENCRYPT | CKF_DECRYPT | CKF_SIGN | CKF_VERIFY | wrap;
    let kem = CKF_ENCAPSULATE | CKF_DECAPSULATE;
    assert_eq!(info_of(CKM_RSA_X_509), Some(info(1024, 8192, all | kem)));
    assert_eq!(info_of(CKM_RSA_PKCS), Some(info(1024, 8192, all)));
    assert_eq!(
        info_of(CKM_RSA_PKCS_OAEP),
        Some(info(1024, 8192, CKF_ENCRYPT | CKF_DECRYPT | wrap))
    );
    assert_eq!(info_of(CKM_RSA_AES_KEY_WRAP), Some(info(1024, 8192, wrap)));
}

#[test]
fn key_sizes_and_public_key_info() {
    let (mut m, h) = session();
    // Generation up to 4096 bits.
    let (public, private) = m
        .generate_key_pair(
            h,
            &CkMechanism::new(CKM_RSA_PKCS_KEY_PAIR_GEN),
            &[Attribute::ulong(CKA_MODULUS_BITS, 4096)],
            &[],
        )
        .unwrap();
    assert_eq!(
        value(&mut m, h, public, CKA_MODULUS_BITS),
        ulong_bytes(4096)
    );
    let info = value(&mut m, h, public, CKA_PUBLIC_KEY_INFO);
    assert_eq!(info, value(&mut m, h, private, CKA_PUBLIC_KEY_INFO));
    let n = value(&mut m, h, public, CKA_MODULUS);
    let crate_key = crate_public_of(&n, &[1, 0, 1]);
    assert_eq!(info, crate_key.to_public_key_der().unwrap().as_bytes());
    assert_eq!(
        m.generate_key_pair(
            h,
            &CkMechanism::new(CKM_RSA_PKCS_KEY_PAIR_GEN),
            &[Attribute::ulong(CKA_MODULUS_BITS, 8192)],
            &[],
        )
        .err(),
        Some(CKR_KEY_SIZE_RANGE)
    );
    // Import of an 8192-bit key, by value and by unwrapping.
    let key = rsa::PrivateKey::from_pkcs8_der(RSA_8192).unwrap();
    let attrs = crate_private_attributes(&key);
    let mut t = vec![
        Attribute::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
        Attribute::ulong(CKA_KEY_TYPE, CKK_RSA),
        Attribute::bool(CKA_EXTRACTABLE, true),
    ];
    t.extend(attrs.iter().cloned());
    let big = m.create_object(h, &t).unwrap();
    let spki = key.as_public_key().to_public_key_der().unwrap();
    assert_eq!(value(&mut m, h, big, CKA_PUBLIC_KEY_INFO), spki.as_bytes());
    let big_public = m
        .create_object(
            h,
            &[
                Attribute::ulong(CKA_CLASS, CKO_PUBLIC_KEY),
                Attribute::ulong(CKA_KEY_TYPE, CKK_RSA),
                Attribute::new(CKA_MODULUS, key.n_bytes().to_vec()),
                Attribute::new(CKA_PUBLIC_EXPONENT, key.e_bytes().to_vec()),
            ],
        )
        .unwrap();
    assert_eq!(
        value(&mut m, h, big_public, CKA_MODULUS_BITS),
        ulong_bytes(8192)
    );
    assert_eq!(
        value(&mut m, h, big_public, CKA_PUBLIC_KEY_INFO),
        spki.as_bytes()
    );
    let mech = CkMechanism::new(CKM_SHA256_RSA_PKCS);
    m.sign_init(h, &mech, big).unwrap();
    let sig = m.sign(h, b"eight thousand", None).unwrap();
    assert_eq!(sig.len(), 1024);
    m.verify_init(h, &mech, big_public).unwrap();
    m.verify(h, b"eight thousand", &sig).unwrap();
    // The 8192-bit key wraps (PKCS#8) under the 4096-bit one and back.
    let wrap = aes_wrap_mech(256);
    let wrapped = m.wrap_key(h, &wrap, public, big, None).unwrap();
    let back = m.unwrap_key(h, &wrap, private, &wrapped, &t[..3]).unwrap();
    assert_eq!(
        value(&mut m, h, back, CKA_PRIME_1),
        value(&mut m, h, big, CKA_PRIME_1)
    );
}

#[test]
fn raw_rsa_encapsulates() {
    let (mut m, h) = session();
    let (public, private) = import(&mut m, h, pair_1025());
    let raw = CkMechanism::new(CKM_RSA_X_509);
    let generic = [
        Attribute::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        Attribute::bool(CKA_EXTRACTABLE, true),
    ];
    for _ in 0..8 {
        let (ct, k1) = m.encapsulate_key(h, &raw, public, &generic, None).unwrap();
        assert_eq!(ct.len(), 129);
        let k2 = m.decapsulate_key(h, &raw, private, &generic, &ct).unwrap();
        let z = value(&mut m, h, k1, CKA_VALUE);
        assert_eq!(z.len(), 129);
        assert_eq!(z, value(&mut m, h, k2, CKA_VALUE));
        // The ciphertext is z^e mod n: raw decryption gives z back.
        m.decrypt_init(h, &raw, private).unwrap();
        assert_eq!(m.decrypt(h, &ct, None).unwrap(), z);
    }
    // Secrets outside 1 < z < n - 1 are refused.
    let n = pair_1025().public.get(CKA_MODULUS).unwrap().to_vec();
    let mut one = vec![0u8; n.len()];
    *one.last_mut().unwrap() = 1;
    let mut n_minus_1 = n.clone();
    *n_minus_1.last_mut().unwrap() &= 0xfe;
    for z in [one, n_minus_1] {
        m.encrypt_init(h, &raw, public).unwrap();
        let ct = m.encrypt(h, &z, None).unwrap();
        assert_eq!(
            m.decapsulate_key(h, &raw, private, &generic, &ct).err(),
            Some(CKR_WRAPPED_KEY_INVALID)
        );
    }
    assert_eq!(
        m.decapsulate_key(h, &raw, private, &generic, &[1; 128])
            .err(),
        Some(CKR_WRAPPED_KEY_LEN_RANGE)
    );
    let pkcs = CkMechanism::new(CKM_RSA_PKCS);
    assert_eq!(
        m.encapsulate_key(h, &pkcs, public, &generic, None).err(),
        Some(CKR_MECHANISM_INVALID)
    );
}

#[test]
fn raw_rsa_decapsulation_is_no_way_round_a_protected_key() {
    // Someone encrypted a secret to this key (RSA PKCS#1 v1.5). The key may
    // not decrypt; RSASVE decapsulation is raw decryption of whatever the
    // caller passes, so its secret must stay inside the token.
    let (mut m, h) = session();
    let (public, private) = import(&mut m, h, pair_1025());
    m.set_attribute_value(h, private, &[Attribute::bool(CKA_DECRYPT, false)])
        .unwrap();
    let secret = b"a victim key: sixteen+16 bytes!!";
    m.encrypt_init(h, &CkMechanism::new(CKM_RSA_PKCS), public)
        .unwrap();
    let ct = m.encrypt(h, secret, None).unwrap();
    let raw = CkMechanism::new(CKM_RSA_X_509);
    let readable = [
        Attribute::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        Attribute::bool(CKA_EXTRACTABLE, true),
        Attribute::bool(CKA_SENSITIVE, false),
    ];
    // An extractable, non-sensitive private key: the result is readable
    // (nothing to protect), and holds the padded secret.
    let k = m.decapsulate_key(h, &raw, private, &readable, &ct).unwrap();
    assert!(value(&mut m, h, k, CKA_VALUE).ends_with(secret));
    // A sensitive one: the result is sensitive and not extractable too.
    m.set_attribute_value(h, private, &[Attribute::bool(CKA_SENSITIVE, true)])
        .unwrap();
    let k = m.decapsulate_key(h, &raw, private, &readable, &ct).unwrap();
    assert_eq!(
        m.get_attribute_value(h, k, &[CKA_VALUE]).unwrap(),
        vec![Err(CKR_ATTRIBUTE_SENSITIVE)]
    );
    assert_eq!(value(&mut m, h, k, CKA_EXTRACTABLE), vec![0]);
    // The key's CKA_DECAPSULATE_TEMPLATE binds the new key, as
    // CKA_UNWRAP_TEMPLATE binds an unwrapped one (and the public key's
    // CKA_ENCAPSULATE_TEMPLATE the encapsulated one).
    let only_session = crate::attr::template::encode(&[Attribute::bool(CKA_TOKEN, false)]);
    let (public, private) = m
        .generate_key_pair(
            h,
            &CkMechanism::new(CKM_RSA_PKCS_KEY_PAIR_GEN),
            &[
                Attribute::ulong(CKA_MODULUS_BITS, 1024),
                Attribute::new(CKA_ENCAPSULATE_TEMPLATE, only_session.clone()),
            ],
            &[Attribute::new(CKA_DECAPSULATE_TEMPLATE, only_session)],
        )
        .unwrap();
    let token = [
        Attribute::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        Attribute::bool(CKA_TOKEN, true),
    ];
    assert_eq!(
        m.encapsulate_key(h, &raw, public, &token, None).err(),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
    let (ct, _) = m
        .encapsulate_key(h, &raw, public, &token[..1], None)
        .unwrap();
    assert_eq!(
        m.decapsulate_key(h, &raw, private, &token, &ct).err(),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
    m.decapsulate_key(h, &raw, private, &token[..1], &ct)
        .unwrap();
}
