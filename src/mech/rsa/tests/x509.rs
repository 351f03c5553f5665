//! CKM_RSA_X_509 (raw RSA) and CKM_RSA_AES_KEY_WRAP through the trait.
use rsa::BoxedUint;

use super::*;

const RAW: CkMechanism = CkMechanism {
    kind: CKM_RSA_X_509,
    param: Param::None,
};

#[test]
fn raw_rsa_round_trips_and_lengths() {
    let p = pair_2048();
    let k = k_of(p);
    let n = p.public.get(CKA_MODULUS).unwrap().to_vec();
    for len in [0, 1, 100, k - 1] {
        let data: Vec<u8> = (0..len).map(|i| (i as u8) | 1).collect();
        let ct = encrypt(&RAW, &p.public, &data).unwrap();
        assert_eq!(ct.len(), k);
        // Decryption gives back exactly k octets: the data left-padded.
        let plain = decrypt(&RAW, &p.private, &ct).unwrap();
        assert_eq!(plain.len(), k);
        assert!(plain[..k - len].iter().all(|&b| b == 0));
        assert_eq!(&plain[k - len..], &data[..]);
        let sig = sign(&RAW, &p.private, &data).unwrap();
        verify(&RAW, &p.public, &data, &sig).unwrap();
        // Leading zeros do not change the value.
        verify(&RAW, &p.public, &[&[0u8][..], &data].concat(), &sig).unwrap();
    }
    // Raw RSA is the textbook permutation: sign is decrypt.
    let data = vec![0x42; k];
    let sig = sign(&RAW, &p.private, &data).unwrap();
    assert_eq!(
        decrypt(&RAW, &p.private, &encrypt(&RAW, &p.public, &data).unwrap()).unwrap(),
        data
    );
    assert_eq!(encrypt(&RAW, &p.public, &sig).unwrap(), data);
    // Lengths and values at or above the modulus.
    assert_eq!(
        encrypt(&RAW, &p.public, &vec![0; k + 1]),
        Err(CKR_DATA_LEN_RANGE)
    );
    assert_eq!(encrypt(&RAW, &p.public, &n), Err(CKR_DATA_INVALID));
    assert_eq!(
        encrypt(&RAW, &p.public, &vec![0xff; k]),
        Err(CKR_DATA_INVALID)
    );
    assert_eq!(sign(&RAW, &p.private, &n), Err(CKR_DATA_INVALID));
    assert_eq!(
        sign(&RAW, &p.private, &vec![0; k + 1]),
        Err(CKR_DATA_LEN_RANGE)
    );
    assert_eq!(
        decrypt(&RAW, &p.private, &vec![1; k - 1]),
        Err(CKR_ENCRYPTED_DATA_LEN_RANGE)
    );
    assert_eq!(
        decrypt(&RAW, &p.private, &n),
        Err(CKR_ENCRYPTED_DATA_INVALID)
    );
    assert_eq!(
        verify(&RAW, &p.public, &data, &sig[1..]),
        Err(CKR_SIGNATURE_LEN_RANGE)
    );
    assert_eq!(
        verify(&RAW, &p.public, &data, &n),
        Err(CKR_SIGNATURE_INVALID)
    );
    assert_eq!(
        verify(&RAW, &p.public, &data[1..], &sig),
        Err(CKR_SIGNATURE_INVALID)
    );
    assert_eq!(
        verify(&RAW, &p.public, &vec![0; k + 1], &sig),
        Err(CKR_DATA_LEN_RANGE)
    );
    // No parameter, single-part only.
    let with_param = CkMechanism::with(CKM_RSA_X_509, Param::Bytes(vec![0]));
    assert_eq!(
        RSA.encrypt_init(&with_param, &p.public).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(
        RSA.sign_init(&with_param, &p.private).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    let mut op = RSA.sign_init(&RAW, &p.private).unwrap();
    assert_eq!(op.update(b"x"), Err(CKR_FUNCTION_NOT_SUPPORTED));
}

/// Raw RSA agrees with the crate's own primitive (c = m^e mod n).
#[test]
fn raw_rsa_matches_the_crate() {
    let p = pair_1025();
    let key = crate_public(&p.public);
    let data = [7u8; 20];
    let ct = encrypt(&RAW, &p.public, &data).unwrap();
    let m = BoxedUint::from_be_slice(&data, key.n_bits_precision()).unwrap();
    let c = rsa::hazmat::rsa_encrypt(&key, &m).unwrap();
    let expected = c.to_be_bytes();
    assert_eq!(&ct[..], &expected[expected.len() - ct.len()..]);
}

fn aes_wrap(bits: CK_ULONG, hash_alg: CK_ULONG, mgf: CK_ULONG, label: &[u8]) -> CkMechanism {
    CkMechanism::with(
        CKM_RSA_AES_KEY_WRAP,
        Param::RsaAesKeyWrap {
            aes_key_bits: bits,
            oaep: Box::new(oaep(hash_alg, mgf, label).param),
        },
    )
}

#[test]
fn rsa_aes_key_wrap_round_trips() {
    let p = pair_2048();
    let k = k_of(p);
    for (bits, (hash, mgf)) in [128, 192, 256]
        .into_iter()
        .zip(HASHES.iter().copied().cycle())
    {
        let m = aes_wrap(bits, hash, mgf, b"label");
        for len in [1usize, 8, 16, 32, 1217] {
            let target: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut w = RSA.encrypt_init(&m, &p.public).unwrap();
            let wrapped = w.one_shot(&target).unwrap();
            assert_eq!(wrapped.len(), k + len.div_ceil(8) * 8 + 8);
            assert!(wrapped.len() <= w.output_bound(len, true));
            let mut u = RSA.decrypt_init(&m, &p.private).unwrap();
            assert_eq!(u.one_shot(&wrapped).unwrap(), target);
            // Tampering with either half, or the wrong label, fails.
            for at in [0, k, wrapped.len() - 1] {
                let mut bad = wrapped.clone();
                bad[at] ^= 1;
                let e = RSA
                    .decrypt_init(&m, &p.private)
                    .unwrap()
                    .one_shot(&bad)
                    .unwrap_err();
                assert!(e == CKR_ENCRYPTED_DATA_INVALID, "{e:#x}");
            }
            let other = aes_wrap(bits, hash, mgf, b"other");
            assert_eq!(
                RSA.decrypt_init(&other, &p.private)
                    .unwrap()
                    .one_shot(&wrapped),
                Err(CKR_ENCRYPTED_DATA_INVALID)
            );
        }
    }
    // The declared AES length must be the one inside.
    let m128 = aes_wrap(128, CKM_SHA_1, CKG_MGF1_SHA1, b"");
    let wrapped = RSA
        .encrypt_init(&m128, &p.public)
        .unwrap()
        .one_shot(&[1; 16])
        .unwrap();
    let m256 = aes_wrap(256, CKM_SHA_1, CKG_MGF1_SHA1, b"");
    assert_eq!(
        RSA.decrypt_init(&m256, &p.private)
            .unwrap()
            .one_shot(&wrapped),
        Err(CKR_ENCRYPTED_DATA_INVALID)
    );
    assert_eq!(
        RSA.decrypt_init(&m128, &p.private)
            .unwrap()
            .one_shot(&wrapped[..k + 8]),
        Err(CKR_ENCRYPTED_DATA_LEN_RANGE)
    );
}

#[test]
fn rsa_aes_key_wrap_parameters() {
    let p = pair_2048();
    for bits in [0, 64, 127, 512] {
        let m = aes_wrap(bits, CKM_SHA_1, CKG_MGF1_SHA1, b"");
        assert_eq!(
            RSA.encrypt_init(&m, &p.public).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
    }
    let bad_oaep = CkMechanism::with(
        CKM_RSA_AES_KEY_WRAP,
        Param::RsaAesKeyWrap {
            aes_key_bits: 128,
            oaep: Box::new(Param::None),
        },
    );
    assert_eq!(
        RSA.encrypt_init(&bad_oaep, &p.public).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    let none = CkMechanism::new(CKM_RSA_AES_KEY_WRAP);
    assert_eq!(
        RSA.decrypt_init(&none, &p.private).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    // Keys: public wraps, private unwraps.
    let m = aes_wrap(256, CKM_SHA512, CKG_MGF1_SHA512, b"");
    assert_eq!(
        RSA.encrypt_init(&m, &p.private).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        RSA.decrypt_init(&m, &p.public).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    // A 1025-bit key (k = 129) cannot carry OAEP with SHA-512.
    assert_eq!(
        RSA.encrypt_init(&m, &pair_1025().public).err(),
        Some(CKR_KEY_SIZE_RANGE)
    );
}
