//! Key generation, import (C_CreateObject), PKCS#8 wrapping, key checks.
use zeroize::Zeroizing;

use super::*;
use crate::attr::policy::AttrMap;
use crate::mech::Param;

#[test]
fn generated_pair_has_the_expected_attributes() {
    let p = pair_2048();
    assert_eq!(p.public.ulong(CKA_MODULUS_BITS), Some(2048));
    assert_eq!(p.public.get(CKA_PUBLIC_EXPONENT), Some(&[1, 0, 1][..]));
    assert_eq!(p.public.key_type(), Some(CKK_RSA));
    assert_eq!(p.private.key_type(), Some(CKK_RSA));
    assert_eq!(p.public.get(CKA_MODULUS), p.private.get(CKA_MODULUS));
    for a in [
        CKA_PRIVATE_EXPONENT,
        CKA_PRIME_1,
        CKA_PRIME_2,
        CKA_EXPONENT_1,
        CKA_EXPONENT_2,
        CKA_COEFFICIENT,
    ] {
        assert!(
            p.private.get(a).is_some_and(|v| !v.is_empty() && v[0] != 0),
            "attribute {a:#x}"
        );
    }
    assert_eq!(
        p.public.get(CKA_PUBLIC_KEY_INFO),
        p.private.get(CKA_PUBLIC_KEY_INFO)
    );
    // The engine-side validation accepts the generated values unchanged.
    for obj in [&p.public, &p.private] {
        let mut attrs = obj.attrs.clone();
        (RSA_KEY.complete)(obj.class(), &mut attrs).unwrap();
        assert_eq!(attrs, obj.attrs);
    }
    let odd = pair_1025();
    assert_eq!(odd.public.ulong(CKA_MODULUS_BITS), Some(1025));
    assert_eq!(odd.public.get(CKA_PUBLIC_EXPONENT), Some(&[3][..]));
}

#[test]
fn key_pair_generation_checks_its_template() {
    let m = CkMechanism::new(CKM_RSA_PKCS_KEY_PAIR_GEN);
    let gen_ = |t: &[Attribute]| RSA.generate_key_pair(&m, t, &[]).map(|_| ());
    assert_eq!(gen_(&[]), Err(CKR_TEMPLATE_INCOMPLETE));
    for bits in [0, 512, 1023, 4097, 8192, u64::MAX] {
        assert_eq!(
            gen_(&[Attribute::ulong(CKA_MODULUS_BITS, bits)]),
            Err(CKR_KEY_SIZE_RANGE),
            "{bits}"
        );
    }
    for e in [
        &[][..],
        &[1],
        &[2],
        &[0, 1, 0, 0],
        &[2, 0, 0, 0, 1],
        &[1, 0, 0, 0, 0, 0, 0, 0, 1],
    ] {
        let t = [
            Attribute::ulong(CKA_MODULUS_BITS, 1024),
            Attribute::new(CKA_PUBLIC_EXPONENT, e),
        ];
        assert_eq!(gen_(&t), Err(CKR_ATTRIBUTE_VALUE_INVALID), "{e:?}");
    }
    let with_param = CkMechanism::with(CKM_RSA_PKCS_KEY_PAIR_GEN, Param::Bytes(vec![1]));
    let t = [Attribute::ulong(CKA_MODULUS_BITS, 1024)];
    assert_eq!(
        RSA.generate_key_pair(&with_param, &t, &[]).map(|_| ()),
        Err(CKR_MECHANISM_PARAM_INVALID)
    );
}

#[test]
fn keys_of_the_wrong_class_or_type_are_refused() {
    let p = pair_2048();
    let m = CkMechanism::new(CKM_RSA_PKCS);
    assert_eq!(
        RSA.encrypt_init(&m, &p.private).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        RSA.decrypt_init(&m, &p.public).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        RSA.sign_init(&m, &p.public).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        RSA.verify_init(&m, &p.private).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    let mut ec = p.public.clone();
    ec.attrs.insert(
        CKA_KEY_TYPE,
        Zeroizing::new(crate::attr::ulong_bytes(CKK_EC)),
    );
    assert_eq!(
        RSA.verify_init(&m, &ec).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    let secret = object(CKO_SECRET_KEY, &[Attribute::ulong(CKA_KEY_TYPE, CKK_RSA)]);
    assert_eq!(
        RSA.encrypt_init(&m, &secret).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        RSA.encrypt_init(&CkMechanism::new(CKM_SHA256), &p.public)
            .err(),
        Some(CKR_MECHANISM_INVALID)
    );
}

fn complete(class: CK_ULONG, attrs: &[Attribute]) -> CkResult<AttrMap> {
    let mut map = object(class, attrs).attrs;
    map.insert(
        CKA_KEY_TYPE,
        Zeroizing::new(crate::attr::ulong_bytes(CKK_RSA)),
    );
    (RSA_KEY.complete)(class, &mut map)?;
    Ok(map)
}

fn attr_of(o: &Object, kind: CK_ULONG) -> Attribute {
    Attribute::new(kind, o.get(kind).unwrap())
}

#[test]
fn import_public_keys() {
    let p = pair_2048();
    let n = p.public.get(CKA_MODULUS).unwrap();
    // Leading zeros are accepted and removed.
    let map = complete(
        CKO_PUBLIC_KEY,
        &[
            Attribute::new(CKA_MODULUS, [&[0, 0][..], n].concat()),
            Attribute::new(CKA_PUBLIC_EXPONENT, [0, 1, 0, 1]),
        ],
    )
    .unwrap();
    assert_eq!(map.get(&CKA_MODULUS).unwrap().as_slice(), n);
    assert_eq!(
        map.get(&CKA_PUBLIC_EXPONENT).unwrap().as_slice(),
        &[1, 0, 1]
    );
    assert_eq!(Object::new(map.clone()).ulong(CKA_MODULUS_BITS), Some(2048));
    assert_eq!(
        map.get(&CKA_PUBLIC_KEY_INFO).map(|v| v.as_slice()),
        p.public.get(CKA_PUBLIC_KEY_INFO)
    );

    let e = Attribute::new(CKA_PUBLIC_EXPONENT, [1, 0, 1]);
    assert_eq!(
        complete(CKO_PUBLIC_KEY, std::slice::from_ref(&e)).err(),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        complete(CKO_PUBLIC_KEY, &[Attribute::new(CKA_MODULUS, n)]).err(),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    let t = [
        Attribute::new(CKA_MODULUS, n),
        e.clone(),
        Attribute::ulong(CKA_MODULUS_BITS, 2047),
    ];
    assert_eq!(
        complete(CKO_PUBLIC_KEY, &t).err(),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
}

/// Public keys are stored whatever their values (PKCS#11 sets no rule;
/// SoftHSM stores them too); an operation refuses a modulus outside
/// 1024..=8192 bits with CKR_KEY_SIZE_RANGE and values that make no RSA
/// key with CKR_KEY_TYPE_INCONSISTENT.
#[test]
fn unusual_public_keys_are_stored_and_refused_at_use() {
    let p = pair_2048();
    let n = p.public.get(CKA_MODULUS).unwrap();
    let e = Attribute::new(CKA_PUBLIC_EXPONENT, [1, 0, 1]);
    // 128 octets holding a small number; 512 and 8200 bits; an even
    // modulus; an empty one.
    let mut small = vec![0u8; 128];
    small[127] = 0x65;
    let cases: [(&[u8], &[u8], CK_ULONG, CK_ULONG); 5] = [
        (&small, &[0x65], 7, CKR_KEY_SIZE_RANGE),
        (&n[..64], &n[..64], 512, CKR_KEY_SIZE_RANGE),
        (&[0xff; 1025], &[0xff; 1025], 8200, CKR_KEY_SIZE_RANGE),
        (
            &[&n[..255], &[0x10][..]].concat(),
            &[&n[..255], &[0x10][..]].concat(),
            2048,
            CKR_KEY_TYPE_INCONSISTENT,
        ),
        (&[], &[], 0, CKR_KEY_SIZE_RANGE),
    ];
    let sha256 = CkMechanism::new(CKM_SHA256_RSA_PKCS);
    for (given, stored, bits, at_use) in cases {
        let map = complete(
            CKO_PUBLIC_KEY,
            &[Attribute::new(CKA_MODULUS, given), e.clone()],
        )
        .unwrap();
        let key = Object::new(map);
        assert_eq!(key.get(CKA_MODULUS), Some(stored));
        assert_eq!(key.ulong(CKA_MODULUS_BITS), Some(bits));
        assert!(key.get(CKA_PUBLIC_KEY_INFO).is_some_and(|i| i[0] == 0x30));
        assert_eq!(RSA.verify_init(&sha256, &key).err(), Some(at_use), "{bits}");
        assert_eq!(
            RSA.encrypt_init(&CkMechanism::new(CKM_RSA_PKCS), &key)
                .err(),
            Some(at_use)
        );
    }
    // Exponents that make no RSA key: stored, refused at use.
    for bad_e in [&[][..], &[1], &[2], &[1, 0, 0], &[1; 9]] {
        let t = [
            Attribute::new(CKA_MODULUS, n),
            Attribute::new(CKA_PUBLIC_EXPONENT, bad_e),
        ];
        let key = Object::new(complete(CKO_PUBLIC_KEY, &t).unwrap());
        assert_eq!(
            RSA.verify_init(&sha256, &key).err(),
            Some(CKR_KEY_TYPE_INCONSISTENT),
            "{bad_e:?}"
        );
    }
    // A zero keeps one octet.
    let map = complete(
        CKO_PUBLIC_KEY,
        &[Attribute::new(CKA_MODULUS, [0, 0]), e.clone()],
    )
    .unwrap();
    assert_eq!(map.get(&CKA_MODULUS).unwrap().as_slice(), [0]);
}

/// A private key of an unusual size is stored as given (normalised, not
/// checked); operations answer CKR_KEY_SIZE_RANGE and wrapping
/// CKR_KEY_NOT_WRAPPABLE. Usable sizes are still checked on creation.
#[test]
fn unusual_private_keys_are_stored_and_refused_at_use() {
    let mut n = vec![0u8, 0xc1];
    n.extend([0x33; 62]);
    let t = [
        Attribute::new(CKA_MODULUS, n.clone()),
        Attribute::new(CKA_PUBLIC_EXPONENT, [0, 1, 0, 1]),
        Attribute::new(CKA_PRIVATE_EXPONENT, [0x44; 64]),
        Attribute::new(CKA_PRIME_1, [0, 7]),
    ];
    let map = complete(CKO_PRIVATE_KEY, &t).unwrap();
    assert_eq!(map.get(&CKA_MODULUS).unwrap().as_slice(), &n[1..]);
    assert_eq!(map.get(&CKA_PUBLIC_EXPONENT).unwrap().as_slice(), [1, 0, 1]);
    assert_eq!(map.get(&CKA_PRIME_1).unwrap().as_slice(), [7]);
    assert!(map.contains_key(&CKA_PUBLIC_KEY_INFO));
    let key = Object::new(map);
    assert_eq!(
        RSA.sign_init(&CkMechanism::new(CKM_SHA256_RSA_PKCS), &key)
            .err(),
        Some(CKR_KEY_SIZE_RANGE)
    );
    assert_eq!(
        RSA.decrypt_init(&CkMechanism::new(CKM_RSA_PKCS), &key)
            .err(),
        Some(CKR_KEY_SIZE_RANGE)
    );
    assert_eq!(
        (RSA_KEY.export_private.unwrap())(&key).err(),
        Some(CKR_KEY_NOT_WRAPPABLE)
    );
    // Without its private exponent it is still incomplete.
    assert_eq!(
        complete(CKO_PRIVATE_KEY, &t[..2]).err(),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
}

#[test]
fn import_private_keys() {
    let p = pair_2048();
    let all: Vec<Attribute> = key::PRIVATE_INTEGERS
        .iter()
        .map(|&k| attr_of(&p.private, k))
        .collect();
    let full = complete(CKO_PRIVATE_KEY, &all).unwrap();
    // Only n, e, d: the primes are recovered and the CRT values computed.
    let map = complete(CKO_PRIVATE_KEY, &all[..3]).unwrap();
    let recovered = Object::new(map);
    let (p1, p2) = (
        recovered.get(CKA_PRIME_1).unwrap(),
        recovered.get(CKA_PRIME_2).unwrap(),
    );
    let same_order = p1 == p.private.get(CKA_PRIME_1).unwrap();
    assert!(same_order || p2 == p.private.get(CKA_PRIME_1).unwrap());
    if same_order {
        assert_eq!(recovered.attrs, full);
    }
    // The recovered key works.
    let m = CkMechanism::new(CKM_SHA256_RSA_PKCS);
    let sig = sign(&m, &recovered, b"recovered").unwrap();
    verify(&m, &p.public, b"recovered", &sig).unwrap();

    // p and q without the CRT values.
    complete(CKO_PRIVATE_KEY, &all[..5]).unwrap();
    assert_eq!(
        complete(CKO_PRIVATE_KEY, &all[..4]).err(),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        complete(CKO_PRIVATE_KEY, &[all[0].clone(), all[2].clone()]).err(),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        complete(CKO_PRIVATE_KEY, &all[..1]).err(),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    // Inconsistent values.
    for i in [2, 3, 5, 6, 7] {
        let mut bad = all.clone();
        let last = bad[i].value.len() - 1;
        bad[i].value[last] ^= 2;
        assert_eq!(
            complete(CKO_PRIVATE_KEY, &bad).err(),
            Some(CKR_ATTRIBUTE_VALUE_INVALID),
            "attr {i}"
        );
    }
    let mut swapped = all.clone();
    swapped[1] = Attribute::new(CKA_PUBLIC_EXPONENT, [3]);
    assert_eq!(
        complete(CKO_PRIVATE_KEY, &swapped).err(),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        complete(CKO_DATA, &all).err(),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
}

#[test]
fn pkcs8_wrap_round_trip() {
    let p = pair_2048();
    let export = RSA_KEY.export_private.unwrap();
    let import = RSA_KEY.import_private.unwrap();
    let der = export(&p.private).unwrap();
    assert_eq!(der[0], 0x30);
    let attrs = import(&der).unwrap();
    for a in &attrs {
        assert_eq!(
            Some(a.value.as_slice()),
            p.private.get(a.kind),
            "attribute {:#x}",
            a.kind
        );
    }
    assert_eq!(attrs.len(), 8);
    assert_eq!(
        import(&der[..der.len() - 1]).err(),
        Some(CKR_WRAPPED_KEY_INVALID)
    );
    assert_eq!(import(b"garbage").err(), Some(CKR_WRAPPED_KEY_INVALID));
    assert_eq!(export(&p.public).err(), Some(CKR_KEY_TYPE_INCONSISTENT));
}

/// Our PKCS#8 against the `rsa` crate's, both ways, and CRT values in a
/// PrivateKeyInfo that do not fit its primes refused.
#[test]
fn pkcs8_interoperates_with_the_crate() {
    use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
    let p = pair_2048();
    let export = RSA_KEY.export_private.unwrap();
    let import = RSA_KEY.import_private.unwrap();
    let ours = export(&p.private).unwrap();
    let theirs = rsa::PrivateKey::from_pkcs8_der(&ours).unwrap();
    assert_eq!(*theirs.to_pkcs8_der().unwrap().as_bytes(), *ours);
    let fresh = rsa::PrivateKey::new(&mut getrandom::SysRng, 1024).unwrap();
    let der = fresh.to_pkcs8_der().unwrap();
    let attrs = import(der.as_bytes()).unwrap();
    assert_eq!(attrs, crate_private_attributes(&fresh));
    // The last octet of the coefficient (the last INTEGER) changed.
    let mut bad = der.as_bytes().to_vec();
    *bad.last_mut().unwrap() ^= 2;
    assert_eq!(import(&bad).err(), Some(CKR_WRAPPED_KEY_INVALID));
}

#[test]
fn registry_lists_the_mechanisms() {
    let mut r = Registry::default();
    register(&mut r);
    assert!(r.key_type(CKK_RSA).is_some());
    let gen_info = r.info(CKM_RSA_PKCS_KEY_PAIR_GEN).unwrap();
    assert_eq!(
        (gen_info.min_key_size, gen_info.max_key_size, gen_info.flags),
        (1024, 4096, CKF_GENERATE_KEY_PAIR)
    );
    assert!(
        r.get(CKM_RSA_PKCS, CKF_WRAP | CKF_UNWRAP | CKF_SIGN | CKF_DECRYPT)
            .is_ok()
    );
    assert!(r.get(CKM_RSA_PKCS_OAEP, CKF_WRAP | CKF_UNWRAP).is_ok());
    assert!(r.get(CKM_RSA_PKCS_OAEP, CKF_SIGN).is_err());
    assert!(r.get(CKM_RSA_PKCS_PSS, CKF_ENCRYPT).is_err());
    for (kind, _) in PKCS1_HASHED.iter().chain(PSS_HASHED.iter()) {
        assert_eq!(r.info(*kind).unwrap().flags, CKF_SIGN | CKF_VERIFY);
    }
    // + CKM_RSA_X_509, CKM_RSA_AES_KEY_WRAP and the 8 CKM_SHA3_*_RSA_*.
    assert_eq!(r.list().len(), 24);
}
