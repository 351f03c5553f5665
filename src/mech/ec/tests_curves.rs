//! Every curve: signatures, agreement, PKCS#8; P-384 and P-521 RFC 6979
//! answers, bits2int on P-521, high S on secp256k1, curve names.
use super::ecdh::ECDH;
use super::tests::*;
use super::*;
use crate::mech::NoKeys;
use crate::mech::digest::hasher_for;

fn key_pair(params: &[u8]) -> (Object, Object) {
    let m = CkMechanism::new(CKM_EC_KEY_PAIR_GEN);
    let (public, private) = EC_KEY_PAIR_GEN
        .generate_key_pair(&m, &[Attribute::new(CKA_EC_PARAMS, params)], &[])
        .unwrap();
    let to_object = |class: CK_ULONG, attrs: &[Attribute]| {
        let mut map: AttrMap = attrs
            .iter()
            .map(|a| (a.kind, Zeroizing::new(a.value.clone())))
            .collect();
        map.insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(class)));
        Object::new(map)
    };
    (
        to_object(CKO_PUBLIC_KEY, &public),
        to_object(CKO_PRIVATE_KEY, &private),
    )
}

#[test]
fn every_curve_signs_and_agrees() {
    for c in CURVES {
        let (public, private) = key_pair(c.params);
        let point = public.get(CKA_EC_POINT).unwrap();
        assert_eq!(
            der::tlv(point).unwrap().1.len(),
            1 + 2 * c.len,
            "{}",
            c.name
        );
        assert_eq!(private.get(CKA_VALUE).unwrap().len(), c.len);
        for kind in [
            CKM_ECDSA_SHA1,
            CKM_ECDSA_SHA224,
            CKM_ECDSA_SHA256,
            CKM_ECDSA_SHA384,
            CKM_ECDSA_SHA512,
        ] {
            let sig = sign(kind, &private, b"message").unwrap();
            assert_eq!(sig.len(), 2 * c.len, "{} {kind:#x}", c.name);
            assert_eq!(verify(kind, &public, b"message", &sig), Ok(()));
            assert_eq!(
                verify(kind, &public, b"massage", &sig),
                Err(CKR_SIGNATURE_INVALID)
            );
            assert_eq!(
                verify(kind, &public, b"message", &sig[1..]),
                Err(CKR_SIGNATURE_LEN_RANGE)
            );
        }
        // PKCS#8 round trip, the curve named in the AlgorithmIdentifier.
        let der_bytes = export_private(&private).unwrap();
        let attrs = import_private(&der_bytes).unwrap();
        assert_eq!(attr::find(&attrs, CKA_EC_PARAMS), Some(c.params));
        assert_eq!(attr::find(&attrs, CKA_VALUE), private.get(CKA_VALUE));
        // ECDH agrees both ways, peer point raw or DER.
        let (other_public, other_private) = key_pair(c.params);
        let other_point = other_public.get(CKA_EC_POINT).unwrap().to_vec();
        let raw = der::tlv(point).unwrap().1.to_vec();
        for kind in [CKM_ECDH1_DERIVE, CKM_ECDH1_COFACTOR_DERIVE] {
            let m = |p: Vec<u8>| CkMechanism::with(kind, ecdh_param(CKD_NULL, vec![], p).param);
            let ab = ECDH
                .derive(&m(other_point.clone()), &private, None, &NoKeys)
                .unwrap();
            let ba = ECDH
                .derive(&m(raw.clone()), &other_private, None, &NoKeys)
                .unwrap();
            assert_eq!(ab.len(), c.len);
            assert_eq!(ab, ba);
        }
        // A point of another curve is a bad parameter.
        let (p256_public, _) = key_pair(P256);
        if c.params != P256 {
            let m = ecdh_param(
                CKD_NULL,
                vec![],
                p256_public.get(CKA_EC_POINT).unwrap().to_vec(),
            );
            assert_eq!(
                ECDH.derive(&m, &private, None, &NoKeys).err(),
                Some(CKR_MECHANISM_PARAM_INVALID)
            );
        }
    }
}

/// ECDH with the X9.63 KDFs: the derived bytes are the KDF of the
/// CKD_NULL secret with the shared data, at the requested length.
#[test]
fn ecdh_with_kdfs() {
    let (_, a) = key_pair(P384);
    let (b_public, _) = key_pair(P384);
    let peer = b_public.get(CKA_EC_POINT).unwrap().to_vec();
    let z = ECDH
        .derive(
            &ecdh_param(CKD_NULL, vec![], peer.clone()),
            &a,
            None,
            &NoKeys,
        )
        .unwrap();
    for (ckd, hash) in [
        (CKD_SHA1_KDF, CKM_SHA_1),
        (CKD_SHA224_KDF, CKM_SHA224),
        (CKD_SHA256_KDF, CKM_SHA256),
        (CKD_SHA384_KDF, CKM_SHA384),
        (CKD_SHA512_KDF, CKM_SHA512),
    ] {
        for len in [1, 16, 32, 100] {
            let got = ECDH
                .derive(
                    &ecdh_param(ckd, b"shared".to_vec(), peer.clone()),
                    &a,
                    Some(len),
                    &NoKeys,
                )
                .unwrap();
            assert_eq!(got.len(), len);
            // The first block by hand: H(Z || 00000001 || SharedInfo).
            let mut h = hasher_for(hash).unwrap();
            h.update(&z);
            h.update(&[0, 0, 0, 1]);
            h.update(b"shared");
            let first = h.finalize();
            let n = len.min(first.len());
            assert_eq!(&got[..n], &first[..n], "{ckd:#x}");
        }
        // Shared data changes the key.
        let with = ECDH
            .derive(
                &ecdh_param(ckd, b"x".to_vec(), peer.clone()),
                &a,
                Some(16),
                &NoKeys,
            )
            .unwrap();
        let without = ECDH
            .derive(
                &ecdh_param(ckd, vec![], peer.clone()),
                &a,
                Some(16),
                &NoKeys,
            )
            .unwrap();
        assert_ne!(with, without);
    }
}

/// RFC 6979 A.2.6 (P-384) and A.2.7 (P-521): the deterministic signature
/// of "sample" with the curve's SHA-2 when no entropy is added.
#[test]
fn rfc_6979_p384_p521() {
    let cases = [
        (
            P384,
            CKM_SHA384,
            "6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5",
            concat!(
                "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46",
                "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8"
            ),
        ),
        (
            P521,
            CKM_SHA512,
            "00fad06daa62ba3b25d2fb40133da757205de67f5bb0018fee8c86e1b68c7e75caa896eb32f1f47c70855836a6d16fcc1466f6d8fbec67db89ec0c08b0e996b83538",
            concat!(
                "00c328fafcbd79dd77850370c46325d987cb525569fb63c5d3bc53950e6d4c5f174e25a1ee9017b5d450606add152b534931d7d4e8455cc91f9b15bf05ec36e377fa",
                "00617cce7cf5064806c467f678d3b4080d6f1cc50af26ca209417308281b68af282623eaa63e5b5c0723d8b8c37ff0777b1a20f8ccb1dccc43997f1ee0e44da4a67a"
            ),
        ),
    ];
    for (params, hash, d, want) in cases {
        let c = curve_of(params).unwrap();
        let mut h = hasher_for(hash).unwrap();
        h.update(b"sample");
        let z = h.finalize();
        let sig = c.ops.sign(&hex(d), &c.bits2int(&z), &z, &[]);
        assert_eq!(sig, Some(hex(want)), "{}", c.name);
    }
}

/// FIPS 186-5 bits2int keeps the leftmost bits of a long hash: on P-521 a
/// 70-byte CKM_ECDSA input counts as its first 521 bits. The vector was
/// made with OpenSSL 3.0's ECDSA_do_sign (a raw 70-byte digest) for this
/// test; the library's own reduction would keep the rightmost bits.
#[test]
fn p521_long_hash_is_truncated_on_the_left() {
    let q = hex(concat!(
        "040193858d81c3d56dbc4ddd085a5298115a79a778233f1ed4ff298cde8edbe40a973325d88307772d3921c099a9f8",
        "1345557a098dd11e006300b90480c51b02d22f7f014355b24f64e30858bc67a57647c71c595a188197ac3bc2e6be1c",
        "c3bd0232d09ebe2d6de8707acc3a4c3a5a80de76dec422f6fe1b5884dcd77a5aa98c0b14083a32"
    ));
    let h = hex(concat!(
        "f1dffcdae3a8bc0e0f2a903d2172831c7c2074958c3f5a534602a3e0a09f95d1359d517694a04338e416cb5c26b5fd",
        "3285dd28bd2eafa3d05db811bb0226a088518f3fa47f67"
    ));
    let sig = hex(concat!(
        "00cf7571105ee0b2fbbf44eaa022da0fef0f00b8093337c9d35e27618df92371c896ce5c90c54d653366c6701ca8a2",
        "f4fd9d262170abcd34cfa4ba5e1e19ee23e872019812e9c68b661edb2b9e0eb837c44b23c0d63199b74e73f730e8ab",
        "891aefbc736fe0347652f672c3328b3346a541bbce47859ddc60922e9dc5feb164a5b06c5432"
    ));
    let public = object(
        CKO_PUBLIC_KEY,
        &[(CKA_EC_PARAMS, P521.to_vec()), (CKA_EC_POINT, q)],
    )
    .unwrap();
    assert_eq!(verify(CKM_ECDSA, &public, &h, &sig), Ok(()));
    // Only the first 521 bits count: changing the last 39 bits does not
    // matter, changing bit 520 does.
    let mut tail = h.clone();
    tail[69] ^= 0xff;
    tail[66] ^= 0x7f;
    assert_eq!(verify(CKM_ECDSA, &public, &tail, &sig), Ok(()));
    let mut bit520 = h.clone();
    bit520[65] ^= 0x80;
    assert_eq!(
        verify(CKM_ECDSA, &public, &bit520, &sig),
        Err(CKR_SIGNATURE_INVALID)
    );
    // And our signatures of long inputs verify the same way.
    let c = curve_of(P521).unwrap();
    assert_eq!(c.bits2int(&h).len(), 66);
    assert_eq!(c.bits2int(&h)[0], h[0] >> 7);
    let (public, private) = key_pair(P521);
    let s = sign(CKM_ECDSA, &private, &h).unwrap();
    assert_eq!(verify(CKM_ECDSA, &public, &tail, &s), Ok(()));
    assert_eq!(
        verify(CKM_ECDSA, &public, &bit520, &s),
        Err(CKR_SIGNATURE_INVALID)
    );
}

/// secp256k1 signs low-S (the library normalises) and verifies high-S as
/// valid: ECDSA and PKCS#11 have no low-S rule (Wycheproof's plain
/// secp256k1 files agree; only its "bitcoin" variants reject high S).
#[test]
fn secp256k1_high_s() {
    let (public, private) = key_pair(K256);
    let n = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    let sig = sign(CKM_ECDSA_SHA256, &private, b"k").unwrap();
    let s = &sig[32..];
    assert!(s < &n[..], "s < n");
    // n - s
    let mut high = vec![0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let v = n[i] as i16 - s[i] as i16 - borrow;
        borrow = (v < 0) as i16;
        high[i] = v.rem_euclid(256) as u8;
    }
    assert!(high.as_slice() > s, "the library signed low-S");
    let high_sig = [sig[..32].to_vec(), high].concat();
    assert_eq!(verify(CKM_ECDSA_SHA256, &public, b"k", &high_sig), Ok(()));
    assert_eq!(
        verify(CKM_ECDSA_SHA256, &public, b"j", &high_sig),
        Err(CKR_SIGNATURE_INVALID)
    );
}

#[test]
fn curve_names_are_kept_as_given() {
    let name = b"\x13\x09secp384r1";
    let m = CkMechanism::new(CKM_EC_KEY_PAIR_GEN);
    let (public, private) = EC_KEY_PAIR_GEN
        .generate_key_pair(&m, &[Attribute::new(CKA_EC_PARAMS, &name[..])], &[])
        .unwrap();
    assert_eq!(attr::find(&public, CKA_EC_PARAMS), Some(&name[..]));
    assert_eq!(attr::find(&private, CKA_EC_PARAMS), Some(&name[..]));
    // The private template may name the same curve by OID.
    assert!(
        EC_KEY_PAIR_GEN
            .generate_key_pair(
                &m,
                &[Attribute::new(CKA_EC_PARAMS, &name[..])],
                &[Attribute::new(CKA_EC_PARAMS, P384)]
            )
            .is_ok()
    );
}
