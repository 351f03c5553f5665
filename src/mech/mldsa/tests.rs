//! ML-DSA through the Mechanism trait and the key type hooks: generation,
//! signing and verification for every parameter set, parameters, key
//! import checks and PKCS#8 round trips. Known answers are in
//! tests/acvp_pqc.rs and tests/wycheproof_pqc.rs.
use zeroize::Zeroizing;

use super::*;
use crate::attr::ulong_bytes;

fn object(class: CK_ULONG, attrs: &[Attribute]) -> Object {
    let mut map = AttrMap::new();
    map.insert(CKA_CLASS, Zeroizing::new(ulong_bytes(class)));
    for a in attrs {
        map.insert(a.kind, Zeroizing::new(a.value.clone()));
    }
    Object::new(map)
}

fn pair(set: Set) -> (Object, Object) {
    let m = CkMechanism::new(CKM_ML_DSA_KEY_PAIR_GEN);
    let t = [Attribute::ulong(CKA_PARAMETER_SET, set.ckp())];
    let (public, private) = ML_DSA.generate_key_pair(&m, &t, &[]).unwrap();
    (
        object(CKO_PUBLIC_KEY, &public),
        object(CKO_PRIVATE_KEY, &private),
    )
}

fn ctx(hedge: CK_ULONG, context: &[u8]) -> CkMechanism {
    CkMechanism::with(
        CKM_ML_DSA,
        Param::SignAdditionalContext {
            hedge_variant: hedge,
            context: context.to_vec(),
        },
    )
}

fn sign(m: &CkMechanism, key: &Object, data: &[u8]) -> CkResult<Vec<u8>> {
    let mut op = ML_DSA.sign_init(m, key)?;
    let sig = op.one_shot(data)?;
    assert_eq!(sig.len(), op.signature_len());
    Ok(sig)
}

fn verify(m: &CkMechanism, key: &Object, data: &[u8], sig: &[u8]) -> CkResult<()> {
    ML_DSA.verify_init(m, key)?.one_shot(data, sig)
}

#[test]
fn every_parameter_set_signs_and_verifies() {
    for set in Set::ALL {
        let (public, private) = pair(set);
        let (pk_len, sk_len, sig_len) = set.sizes();
        assert_eq!(public.get(CKA_VALUE).unwrap().len(), pk_len);
        assert_eq!(private.get(CKA_VALUE).unwrap().len(), sk_len);
        assert_eq!(private.get(CKA_SEED).unwrap().len(), 32);
        assert_eq!(private.ulong(CKA_PARAMETER_SET), Some(set.ckp()));
        assert_eq!(
            public.get(CKA_PUBLIC_KEY_INFO),
            private.get(CKA_PUBLIC_KEY_INFO)
        );
        let m = CkMechanism::new(CKM_ML_DSA);
        let sig = sign(&m, &private, b"message").unwrap();
        assert_eq!(sig.len(), sig_len);
        verify(&m, &public, b"message", &sig).unwrap();
        assert_eq!(
            verify(&m, &public, b"massage", &sig),
            Err(CKR_SIGNATURE_INVALID)
        );
        assert_eq!(
            verify(&m, &public, b"message", &sig[1..]),
            Err(CKR_SIGNATURE_LEN_RANGE)
        );
        // Hedged signatures differ; deterministic ones repeat.
        assert_ne!(sign(&m, &private, b"message").unwrap(), sig);
        let det = ctx(CKH_DETERMINISTIC_REQUIRED, b"");
        assert_eq!(
            sign(&det, &private, b"message").unwrap(),
            sign(&det, &private, b"message").unwrap()
        );
    }
}

#[test]
fn multi_part_equals_single_part() {
    let (public, private) = pair(Set::MlDsa44);
    let det = ctx(CKH_DETERMINISTIC_REQUIRED, b"ctx");
    let mut op = ML_DSA.sign_init(&det, &private).unwrap();
    op.update(b"hello ").unwrap();
    op.update(b"world").unwrap();
    let sig = op.finalize().unwrap();
    assert_eq!(sig, sign(&det, &private, b"hello world").unwrap());
    let mut v = ML_DSA.verify_init(&det, &public).unwrap();
    v.update(b"hello").unwrap();
    v.update(b" world").unwrap();
    v.finalize(&sig).unwrap();
}

#[test]
fn context_binds_the_signature() {
    let (public, private) = pair(Set::MlDsa65);
    let a = ctx(CKH_HEDGE_REQUIRED, b"context A");
    let sig = sign(&a, &private, b"m").unwrap();
    verify(&a, &public, b"m", &sig).unwrap();
    // Verification ignores the hedge variant but not the context.
    verify(
        &ctx(CKH_DETERMINISTIC_REQUIRED, b"context A"),
        &public,
        b"m",
        &sig,
    )
    .unwrap();
    assert_eq!(
        verify(&ctx(CKH_HEDGE_PREFERRED, b"context B"), &public, b"m", &sig),
        Err(CKR_SIGNATURE_INVALID)
    );
    assert_eq!(
        verify(&CkMechanism::new(CKM_ML_DSA), &public, b"m", &sig),
        Err(CKR_SIGNATURE_INVALID)
    );
    // 255 bytes of context is the limit (FIPS 204 section 5.2).
    let long = ctx(CKH_HEDGE_PREFERRED, &[1; 255]);
    let sig = sign(&long, &private, b"m").unwrap();
    verify(&long, &public, b"m", &sig).unwrap();
}

#[test]
fn parameters_are_checked() {
    let (public, private) = pair(Set::MlDsa44);
    for bad in [
        ctx(3, b""),
        ctx(CKH_HEDGE_PREFERRED, &[0; 256]),
        CkMechanism::with(CKM_ML_DSA, Param::Bytes(vec![0; 8])),
        CkMechanism::with(
            CKM_ML_DSA,
            Param::Gcm {
                iv: vec![],
                aad: vec![],
                tag_bits: 0,
            },
        ),
    ] {
        assert_eq!(
            ML_DSA.sign_init(&bad, &private).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            ML_DSA.verify_init(&bad, &public).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
    }
    let m = CkMechanism::new(CKM_ML_DSA);
    assert_eq!(
        ML_DSA.sign_init(&m, &public).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        ML_DSA.verify_init(&m, &private).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    let gen_ = CkMechanism::new(CKM_ML_DSA_KEY_PAIR_GEN);
    assert_eq!(
        ML_DSA.generate_key_pair(&gen_, &[], &[]).err(),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        ML_DSA
            .generate_key_pair(&gen_, &[Attribute::ulong(CKA_PARAMETER_SET, 4)], &[])
            .err(),
        Some(CKR_PARAMETER_SET_NOT_SUPPORTED)
    );
    let with_param = CkMechanism::with(CKM_ML_DSA_KEY_PAIR_GEN, Param::Bytes(vec![1]));
    assert_eq!(
        ML_DSA
            .generate_key_pair(&with_param, &[Attribute::ulong(CKA_PARAMETER_SET, 1)], &[])
            .err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
}

fn completed(class: CK_ULONG, attrs: &[Attribute]) -> CkResult<AttrMap> {
    let mut map = object(class, attrs).attrs;
    (ML_DSA_KEY.complete)(class, &mut map).map(|_| map)
}

#[test]
fn import_checks_and_fills() {
    let (public, private) = pair(Set::MlDsa87);
    let set = Attribute::ulong(CKA_PARAMETER_SET, CKP_ML_DSA_87);
    let seed = private.get(CKA_SEED).unwrap();
    let sk = private.get(CKA_VALUE).unwrap();
    let pk = public.get(CKA_VALUE).unwrap();
    let info = public.get(CKA_PUBLIC_KEY_INFO).unwrap();
    // The generated attributes pass unchanged.
    for o in [&public, &private] {
        let mut map = o.attrs.clone();
        (ML_DSA_KEY.complete)(o.class(), &mut map).unwrap();
        assert_eq!(map, o.attrs);
    }
    // A seed alone yields the expanded key and the public key info.
    let from_seed = completed(
        CKO_PRIVATE_KEY,
        &[set.clone(), Attribute::new(CKA_SEED, seed)],
    )
    .unwrap();
    assert_eq!(from_seed.get(&CKA_VALUE).unwrap().as_slice(), sk);
    assert_eq!(
        from_seed.get(&CKA_PUBLIC_KEY_INFO).unwrap().as_slice(),
        info
    );
    // The expanded key alone yields the public key info.
    let from_sk = completed(
        CKO_PRIVATE_KEY,
        &[set.clone(), Attribute::new(CKA_VALUE, sk)],
    )
    .unwrap();
    assert_eq!(from_sk.get(&CKA_PUBLIC_KEY_INFO).unwrap().as_slice(), info);
    assert!(!from_sk.contains_key(&CKA_SEED));
    // Signing works from the expanded key alone.
    let o = object(
        CKO_PRIVATE_KEY,
        &[
            set.clone(),
            Attribute::ulong(CKA_KEY_TYPE, CKK_ML_DSA),
            Attribute::new(CKA_VALUE, sk),
        ],
    );
    let sig = sign(&CkMechanism::new(CKM_ML_DSA), &o, b"x").unwrap();
    verify(&CkMechanism::new(CKM_ML_DSA), &public, b"x", &sig).unwrap();

    let bad = |class, attrs: &[Attribute]| completed(class, attrs).err();
    assert_eq!(
        bad(CKO_PRIVATE_KEY, std::slice::from_ref(&set)),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        bad(CKO_PRIVATE_KEY, &[Attribute::new(CKA_SEED, seed)]),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        bad(
            CKO_PRIVATE_KEY,
            &[
                Attribute::ulong(CKA_PARAMETER_SET, 9),
                Attribute::new(CKA_SEED, seed)
            ]
        ),
        Some(CKR_PARAMETER_SET_NOT_SUPPORTED)
    );
    assert_eq!(
        bad(
            CKO_PRIVATE_KEY,
            &[set.clone(), Attribute::new(CKA_SEED, &seed[1..])]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    let mut other_sk = sk.to_vec();
    other_sk[0] ^= 1;
    assert_eq!(
        bad(
            CKO_PRIVATE_KEY,
            &[
                set.clone(),
                Attribute::new(CKA_SEED, seed),
                Attribute::new(CKA_VALUE, other_sk)
            ]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    // s1 coefficient out of range: 3-bit value 7 > 2 eta = 4.
    let mut out_of_range = sk.to_vec();
    out_of_range[128] |= 0x07;
    assert_eq!(
        bad(
            CKO_PRIVATE_KEY,
            &[set.clone(), Attribute::new(CKA_VALUE, out_of_range)]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        bad(
            CKO_PRIVATE_KEY,
            &[set.clone(), Attribute::new(CKA_VALUE, &sk[1..])]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        bad(
            CKO_PUBLIC_KEY,
            &[set.clone(), Attribute::new(CKA_VALUE, &pk[1..])]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        bad(
            CKO_PUBLIC_KEY,
            &[
                set.clone(),
                Attribute::new(CKA_VALUE, pk),
                Attribute::new(CKA_PUBLIC_KEY_INFO, b"x".to_vec())
            ]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(bad(CKO_PUBLIC_KEY, &[set]), Some(CKR_TEMPLATE_INCOMPLETE));
}

#[test]
fn range_check_matches_the_packing() {
    // ML-DSA-65 packs 4 bits per coefficient: 8 is the largest valid value.
    let (_, private) = pair(Set::MlDsa65);
    let mut sk = private.get(CKA_VALUE).unwrap().to_vec();
    assert!(expanded_in_range(Set::MlDsa65, &sk));
    let last = 128 + (6 + 5) * 32 * 4 - 1;
    sk[last] = 0x88;
    assert!(expanded_in_range(Set::MlDsa65, &sk));
    sk[last] = 0x98;
    assert!(!expanded_in_range(Set::MlDsa65, &sk));
    assert!(!expanded_in_range(Set::MlDsa65, &sk[..last]));
}

#[test]
fn pkcs8_wrap_round_trip() {
    let (_, private) = pair(Set::MlDsa44);
    let der = export_private(&private).unwrap();
    let attrs = import_private(&der).unwrap();
    let mut map = object(CKO_PRIVATE_KEY, &attrs).attrs;
    (ML_DSA_KEY.complete)(CKO_PRIVATE_KEY, &mut map).unwrap();
    assert_eq!(
        map.get(&CKA_VALUE).unwrap().as_slice(),
        private.get(CKA_VALUE).unwrap()
    );
    // Without a seed, the expanded key travels.
    let no_seed = object(
        CKO_PRIVATE_KEY,
        &[
            Attribute::ulong(CKA_KEY_TYPE, CKK_ML_DSA),
            Attribute::ulong(CKA_PARAMETER_SET, CKP_ML_DSA_44),
            Attribute::new(CKA_VALUE, private.get(CKA_VALUE).unwrap()),
        ],
    );
    let attrs = import_private(&export_private(&no_seed).unwrap()).unwrap();
    assert_eq!(attrs.len(), 2);
    assert_eq!(crate::attr::find(&attrs, CKA_VALUE), private.get(CKA_VALUE));
    assert_eq!(
        import_private(&der[..der.len() - 1]).err(),
        Some(CKR_WRAPPED_KEY_INVALID)
    );
    // An ML-KEM OID is not an ML-DSA key.
    let kem = pqkey::pkcs8(&pqkey::nist_oid(4, 1), Some(&[0; 64]), &[]);
    assert_eq!(import_private(&kem).err(), Some(CKR_WRAPPED_KEY_INVALID));
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
fn registry_info() {
    let r = crate::mech::registry();
    assert_eq!(
        r.info(CKM_ML_DSA).map(without_message_flags),
        Some(info(1312, 2592, CKF_SIGN | CKF_VERIFY))
    );
    assert_eq!(
        r.info(CKM_ML_DSA_KEY_PAIR_GEN),
        Some(info(1312, 2592, CKF_GENERATE_KEY_PAIR))
    );
    assert!(r.key_type(CKK_ML_DSA).is_some());
}
