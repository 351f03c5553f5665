//! PKCS#1 v1.5 and PSS signatures, raw and hashing.
use sha2::Sha256;

use super::*;
use crate::mech::Param;

#[test]
fn pkcs1_raw_sign_verify() {
    let p = pair_2048();
    let k = k_of(p);
    let m = CkMechanism::new(CKM_RSA_PKCS);
    let digest_info = [
        HashAlg::Sha256.digest_info_prefix(),
        &HashAlg::Sha256.digest(&[b"msg"]),
    ]
    .concat();
    let sig = sign(&m, &p.private, &digest_info).unwrap();
    verify(&m, &p.public, &digest_info, &sig).unwrap();
    // The same signature as the hashing mechanism.
    let hashed = CkMechanism::new(CKM_SHA256_RSA_PKCS);
    assert_eq!(sign(&hashed, &p.private, b"msg").unwrap(), sig);
    verify(&hashed, &p.public, b"msg", &sig).unwrap();
    // Data bounds: k - 11 octets at most.
    let max = vec![0x42; k - 11];
    let sig_max = sign(&m, &p.private, &max).unwrap();
    verify(&m, &p.public, &max, &sig_max).unwrap();
    assert_eq!(
        sign(&m, &p.private, &vec![0; k - 10]),
        Err(CKR_DATA_LEN_RANGE)
    );
    assert_eq!(
        verify(&m, &p.public, &vec![0; k - 10], &sig),
        Err(CKR_DATA_LEN_RANGE)
    );
    // Wrong data, tampered or mis-sized signatures.
    assert_eq!(
        verify(&m, &p.public, b"other", &sig),
        Err(CKR_SIGNATURE_INVALID)
    );
    let mut bad = sig.clone();
    bad[k / 2] ^= 1;
    assert_eq!(
        verify(&m, &p.public, &digest_info, &bad),
        Err(CKR_SIGNATURE_INVALID)
    );
    assert_eq!(
        verify(&m, &p.public, &digest_info, &sig[1..]),
        Err(CKR_SIGNATURE_LEN_RANGE)
    );
    assert_eq!(
        verify(
            &m,
            &p.public,
            &digest_info,
            &[sig.clone(), vec![0]].concat()
        ),
        Err(CKR_SIGNATURE_LEN_RANGE)
    );
    assert_eq!(
        verify(&m, &p.public, &digest_info, &vec![0xff; k]),
        Err(CKR_SIGNATURE_INVALID)
    );
    // Single-part only.
    let mut op = RSA.sign_init(&m, &p.private).unwrap();
    assert_eq!(op.update(b"x"), Err(CKR_FUNCTION_NOT_SUPPORTED));
    let mut op = RSA.verify_init(&m, &p.public).unwrap();
    assert_eq!(op.update(b"x"), Err(CKR_FUNCTION_NOT_SUPPORTED));
}

#[test]
fn hashed_pkcs1_multi_part() {
    let p = pair_2048();
    let public = crate_public(&p.public);
    for (kind, hash) in PKCS1_HASHED {
        let m = CkMechanism::new(kind);
        let mut op = RSA.sign_init(&m, &p.private).unwrap();
        op.update(b"hello ").unwrap();
        op.update(b"").unwrap();
        op.update(b"world").unwrap();
        let sig = op.finalize().unwrap();
        assert_eq!(
            sig,
            sign(&m, &p.private, b"hello world").unwrap(),
            "deterministic"
        );
        let mut op = RSA.verify_init(&m, &p.public).unwrap();
        op.update(b"hello").unwrap();
        op.update(b" world").unwrap();
        op.finalize(&sig).unwrap();
        assert_eq!(
            verify(&m, &p.public, b"hello world!", &sig),
            Err(CKR_SIGNATURE_INVALID)
        );
        assert_eq!(
            verify(&m, &p.public, b"hello world", &sig[..10]),
            Err(CKR_SIGNATURE_LEN_RANGE)
        );
        let with_param = CkMechanism::with(kind, Param::Bytes(vec![1]));
        assert_eq!(
            RSA.sign_init(&with_param, &p.private).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        if hash == HashAlg::Sha256 {
            public
                .pkcs1v15_verify::<Sha256>(b"hello world", &sig)
                .unwrap();
        }
    }
}

#[test]
fn pss_every_hash_and_mgf() {
    let p = pair_2048();
    for (hash, _) in HASHES {
        let h = HashAlg::from_ckm(hash).unwrap();
        let m_hash = h.digest(&[b"message"]);
        for (_, mgf) in HASHES {
            for salt in [0, 20, h.len() as CK_ULONG] {
                let m = pss(CKM_RSA_PKCS_PSS, hash, mgf, salt);
                let sig = sign(&m, &p.private, &m_hash).unwrap();
                verify(&m, &p.public, &m_hash, &sig).unwrap();
                // Another salt length or MGF does not verify.
                let other = pss(CKM_RSA_PKCS_PSS, hash, mgf, salt + 1);
                assert_eq!(
                    verify(&other, &p.public, &m_hash, &sig),
                    Err(CKR_SIGNATURE_INVALID)
                );
                let other_mgf = if mgf == CKG_MGF1_SHA1 {
                    CKG_MGF1_SHA256
                } else {
                    CKG_MGF1_SHA1
                };
                let other = pss(CKM_RSA_PKCS_PSS, hash, other_mgf, salt);
                assert_eq!(
                    verify(&other, &p.public, &m_hash, &sig),
                    Err(CKR_SIGNATURE_INVALID)
                );
            }
            let m = pss(CKM_RSA_PKCS_PSS, hash, mgf, 8);
            assert_eq!(sign(&m, &p.private, &m_hash[1..]), Err(CKR_DATA_LEN_RANGE));
            let sig = sign(&m, &p.private, &m_hash).unwrap();
            assert_eq!(
                verify(&m, &p.public, &[m_hash.clone(), vec![0]].concat(), &sig),
                Err(CKR_DATA_LEN_RANGE)
            );
            let mut wrong = m_hash.clone();
            wrong[0] ^= 0x80;
            assert_eq!(
                verify(&m, &p.public, &wrong, &sig),
                Err(CKR_SIGNATURE_INVALID)
            );
            assert_eq!(
                verify(&m, &p.public, &m_hash, &sig[1..]),
                Err(CKR_SIGNATURE_LEN_RANGE)
            );
        }
    }
}

#[test]
fn pss_with_em_len_below_k() {
    let p = pair_1025();
    let h = HashAlg::Sha256;
    let m_hash = h.digest(&[b"edge"]);
    // emLen = 128 = hLen + sLen + 2 at the largest salt.
    let largest = (128 - 32 - 2) as CK_ULONG;
    for salt in [0, 32, largest] {
        let m = pss(CKM_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256, salt);
        let sig = sign(&m, &p.private, &m_hash).unwrap();
        assert_eq!(sig.len(), 129);
        verify(&m, &p.public, &m_hash, &sig).unwrap();
    }
    let m = pss(CKM_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256, largest + 1);
    assert_eq!(
        RSA.sign_init(&m, &p.private).err(),
        Some(CKR_KEY_SIZE_RANGE)
    );
    assert_eq!(
        RSA.verify_init(&m, &p.public).err(),
        Some(CKR_KEY_SIZE_RANGE)
    );
    let m = pss(CKM_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256, u64::MAX);
    assert!(RSA.sign_init(&m, &p.private).is_err());
}

#[test]
fn hashed_pss_multi_part_and_crate_interop() {
    let p = pair_2048();
    let public = crate_public(&p.public);
    let private = crate_private(&p.private);
    for (kind, hash) in PSS_HASHED {
        let m = pss(kind, hash.ckm(), CKG_MGF1_SHA1, hash.len() as CK_ULONG);
        let mut op = RSA.sign_init(&m, &p.private).unwrap();
        op.update(b"multi").unwrap();
        op.update(b"part").unwrap();
        let sig = op.finalize().unwrap();
        verify(&m, &p.public, b"multipart", &sig).unwrap();
        let raw = pss(
            CKM_RSA_PKCS_PSS,
            hash.ckm(),
            CKG_MGF1_SHA1,
            hash.len() as CK_ULONG,
        );
        verify(&raw, &p.public, &hash.digest(&[b"multipart"]), &sig).unwrap();
        assert_eq!(
            verify(&m, &p.public, b"multipart?", &sig),
            Err(CKR_SIGNATURE_INVALID)
        );
        // hashAlg must be the mechanism's hash.
        let other = if hash == HashAlg::Sha1 {
            CKM_SHA256
        } else {
            CKM_SHA_1
        };
        let mismatch = pss(kind, other, CKG_MGF1_SHA1, 20);
        assert_eq!(
            RSA.sign_init(&mismatch, &p.private).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            RSA.verify_init(&mismatch, &p.public).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            RSA.sign_init(&CkMechanism::new(kind), &p.private).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
    }
    // Same hash for MGF1: the crate's PSS agrees both ways.
    let m = pss(CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256, 32);
    let sig = sign(&m, &p.private, b"interop").unwrap();
    public.pss_verify::<Sha256>(b"interop", &sig).unwrap();
    let theirs = private.pss_sign::<Sha256>(b"interop").unwrap();
    verify(&m, &p.public, b"interop", &theirs).unwrap();
}

/// The SHA-3 mechanisms: PKCS#1 v1.5 equals CKM_RSA_PKCS over the SHA-3
/// DigestInfo; PSS round-trips with SHA-3 MGF1, and SHA-512/t is a valid
/// PSS hashAlg with another MGF1 hash.
#[test]
fn sha3_and_sha512_t_hashes() {
    let p = pair_2048();
    let raw = CkMechanism::new(CKM_RSA_PKCS);
    for (kind, h) in [
        (CKM_SHA3_224_RSA_PKCS, HashAlg::Sha3_224),
        (CKM_SHA3_256_RSA_PKCS, HashAlg::Sha3_256),
        (CKM_SHA3_384_RSA_PKCS, HashAlg::Sha3_384),
        (CKM_SHA3_512_RSA_PKCS, HashAlg::Sha3_512),
    ] {
        let m = CkMechanism::new(kind);
        let sig = sign(&m, &p.private, b"sha3").unwrap();
        let di = [h.digest_info_prefix(), &h.digest(&[b"sha3"])].concat();
        assert_eq!(sign(&raw, &p.private, &di).unwrap(), sig);
        verify(&m, &p.public, b"sha3", &sig).unwrap();
    }
    for (kind, hash, mgf) in [
        (CKM_SHA3_224_RSA_PKCS_PSS, CKM_SHA3_224, CKG_MGF1_SHA3_224),
        (CKM_SHA3_256_RSA_PKCS_PSS, CKM_SHA3_256, CKG_MGF1_SHA3_256),
        (CKM_SHA3_384_RSA_PKCS_PSS, CKM_SHA3_384, CKG_MGF1_SHA1),
        (CKM_SHA3_512_RSA_PKCS_PSS, CKM_SHA3_512, CKG_MGF1_SHA3_512),
    ] {
        let m = pss(kind, hash, mgf, 20);
        let sig = sign(&m, &p.private, b"sha3").unwrap();
        verify(&m, &p.public, b"sha3", &sig).unwrap();
        // hashAlg must match the mechanism's hash.
        let wrong = pss(kind, CKM_SHA256, mgf, 20);
        assert_eq!(
            RSA.sign_init(&wrong, &p.private).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
    }
    let t = pss(CKM_RSA_PKCS_PSS, CKM_SHA512_224, CKG_MGF1_SHA256, 28);
    let digest = HashAlg::Sha512_224.digest(&[b"t"]);
    let sig = sign(&t, &p.private, &digest).unwrap();
    verify(&t, &p.public, &digest, &sig).unwrap();
    let label = oaep(CKM_SHA512_256, CKG_MGF1_SHA1, b"L");
    let ct = encrypt(&label, &p.public, b"secret").unwrap();
    assert_eq!(decrypt(&label, &p.private, &ct).unwrap(), b"secret");
}
