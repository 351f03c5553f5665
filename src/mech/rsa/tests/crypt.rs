//! CKM_RSA_PKCS and CKM_RSA_PKCS_OAEP encryption and decryption.
use crate::mech::digest::sha1::Sha1;
use sha2::{Sha256, Sha384};

use super::*;
use crate::mech::Param;

#[test]
fn pkcs1_encrypt_decrypt() {
    let p = pair_2048();
    let m = CkMechanism::new(CKM_RSA_PKCS);
    let k = k_of(p);
    for len in [0, 1, 16, k - 11] {
        let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let ct = encrypt(&m, &p.public, &data).unwrap();
        assert_eq!(ct.len(), k);
        assert_eq!(decrypt(&m, &p.private, &ct).unwrap(), data);
    }
    assert_eq!(
        encrypt(&m, &p.public, &vec![0; k - 10]),
        Err(CKR_DATA_LEN_RANGE)
    );
    let ct = encrypt(&m, &p.public, b"x").unwrap();
    assert_eq!(
        decrypt(&m, &p.private, &ct[1..]),
        Err(CKR_ENCRYPTED_DATA_LEN_RANGE)
    );
    assert_eq!(
        decrypt(&m, &p.private, &[ct.clone(), vec![0]].concat()),
        Err(CKR_ENCRYPTED_DATA_LEN_RANGE)
    );
    // Not below the modulus.
    assert_eq!(
        decrypt(&m, &p.private, &vec![0xff; k]),
        Err(CKR_ENCRYPTED_DATA_INVALID)
    );
    // A PKCS#1 v1.5 signature decrypts to type 1 padding: invalid here.
    let sig = sign(&m, &p.private, b"not an encryption").unwrap();
    assert_eq!(
        decrypt(&m, &p.private, &sig),
        Err(CKR_ENCRYPTED_DATA_INVALID)
    );
    assert_eq!(
        RSA.encrypt_init(
            &CkMechanism::with(CKM_RSA_PKCS, Param::Bytes(vec![0])),
            &p.public
        )
        .err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
}

#[test]
fn pkcs1_encryption_interoperates_with_the_crate() {
    let p = pair_2048();
    let public = crate_public(&p.public);
    let private = crate_private(&p.private);
    let m = CkMechanism::new(CKM_RSA_PKCS);
    let ct = encrypt(&m, &p.public, b"hello").unwrap();
    assert_eq!(private.pkcs1v15_decrypt(&ct).unwrap(), b"hello");
    let ct = public.pkcs1v15_encrypt(b"world").unwrap();
    assert_eq!(decrypt(&m, &p.private, &ct).unwrap(), b"world");
}

#[test]
fn oaep_every_hash_and_mgf() {
    let p = pair_2048();
    let k = k_of(p);
    for (hash, _) in HASHES {
        for (_, mgf) in HASHES {
            let m = oaep(hash, mgf, b"label");
            let h_len = HashAlg::from_ckm(hash).unwrap().len();
            let max = k - 2 * h_len - 2;
            for data in [&b""[..], b"secret", &vec![7u8; max]] {
                let ct = encrypt(&m, &p.public, data).unwrap();
                assert_eq!(decrypt(&m, &p.private, &ct).unwrap(), data);
            }
            assert_eq!(
                encrypt(&m, &p.public, &vec![7u8; max + 1]),
                Err(CKR_DATA_LEN_RANGE)
            );
            let ct = encrypt(&m, &p.public, b"secret").unwrap();
            // Another label, hash or MGF does not decrypt.
            assert_eq!(
                decrypt(&oaep(hash, mgf, b"other"), &p.private, &ct),
                Err(CKR_ENCRYPTED_DATA_INVALID)
            );
            let other_mgf = if mgf == CKG_MGF1_SHA1 {
                CKG_MGF1_SHA256
            } else {
                CKG_MGF1_SHA1
            };
            assert_eq!(
                decrypt(&oaep(hash, other_mgf, b"label"), &p.private, &ct),
                Err(CKR_ENCRYPTED_DATA_INVALID)
            );
            assert_eq!(
                decrypt(&m, &p.private, &ct[..k - 1]),
                Err(CKR_ENCRYPTED_DATA_LEN_RANGE)
            );
        }
    }
}

#[test]
fn oaep_interoperates_with_the_crate() {
    let p = pair_2048();
    let public = crate_public(&p.public);
    let private = crate_private(&p.private);
    let m = oaep(CKM_SHA256, CKG_MGF1_SHA1, b"L");
    let ct = encrypt(&m, &p.public, b"ours").unwrap();
    let crate_oaep = rsa::Oaep::<Sha256, Sha1>::new_with_mgf_hash_and_label(b"L".to_vec());
    assert_eq!(private.decrypt(crate_oaep, &ct).unwrap(), b"ours");
    let crate_oaep = rsa::Oaep::<Sha384, Sha256>::new_with_mgf_hash_and_label(b"label".to_vec());
    let ct = public
        .encrypt(&mut getrandom::SysRng, crate_oaep, b"theirs")
        .unwrap();
    assert_eq!(
        decrypt(
            &oaep(CKM_SHA384, CKG_MGF1_SHA256, b"label"),
            &p.private,
            &ct
        )
        .unwrap(),
        b"theirs"
    );
}

#[test]
fn oaep_parameter_and_key_errors() {
    let p = pair_2048();
    let none = CkMechanism::new(CKM_RSA_PKCS_OAEP);
    assert_eq!(
        RSA.encrypt_init(&none, &p.public).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(
        RSA.decrypt_init(&none, &p.private).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    let bad_mgf = oaep(CKM_SHA256, 0x42, b"");
    assert_eq!(
        RSA.encrypt_init(&bad_mgf, &p.public).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    // A 1025-bit key (k = 129) is too small for OAEP with SHA-512.
    let small = pair_1025();
    let m = oaep(CKM_SHA512, CKG_MGF1_SHA512, b"");
    assert_eq!(
        RSA.encrypt_init(&m, &small.public).err(),
        Some(CKR_KEY_SIZE_RANGE)
    );
    assert_eq!(
        RSA.decrypt_init(&m, &small.private).err(),
        Some(CKR_KEY_SIZE_RANGE)
    );
    let m = oaep(CKM_SHA384, CKG_MGF1_SHA512, b"");
    let ct = encrypt(&m, &small.public, b"fits").unwrap();
    assert_eq!(decrypt(&m, &small.private, &ct).unwrap(), b"fits");
}
