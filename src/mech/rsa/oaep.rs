//! RSAES-OAEP (RFC 8017 7.1) for CKM_RSA_PKCS_OAEP (PKCS#11 3.1
//! mechanisms 2.1.8), on the crate's raw RSA primitive: the crate's OAEP
//! fixes both hashes at compile time, the parameters here choose them at
//! run time and may differ.

use super::key::{RsaPrivate, RsaPublic};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use super::hash::{HashAlg, mgf1_xor};
use super::key::{PrivateOpError, private_op, public_op};
use crate::constants::*;
use crate::mech::{Param, random_bytes};
use crate::rv::CkResult;

/// Decoded CK_RSA_PKCS_OAEP_PARAMS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OaepParams {
    pub hash: HashAlg,
    pub mgf: HashAlg,
    pub label: Vec<u8>,
}

impl OaepParams {
    /// hashAlg and mgf must be supported; source is CKZ_DATA_SPECIFIED
    /// (the label is pSourceData), or 0 with no label, which some callers
    /// pass for "empty label".
    pub fn parse(param: &Param) -> CkResult<Self> {
        let Param::Oaep {
            hash_alg,
            mgf,
            source,
            source_data,
        } = param
        else {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        };
        let label = match *source {
            CKZ_DATA_SPECIFIED => source_data.clone(),
            0 if source_data.is_empty() => Vec::new(),
            _ => return Err(CKR_MECHANISM_PARAM_INVALID),
        };
        Ok(OaepParams {
            hash: HashAlg::from_ckm(*hash_alg)?,
            mgf: HashAlg::from_mgf(*mgf)?,
            label,
        })
    }

    /// The largest message for a k-octet modulus, or CKR_KEY_SIZE_RANGE if
    /// the key is too small for the hash (k < 2 hLen + 2).
    pub fn max_data(&self, k: usize) -> CkResult<usize> {
        k.checked_sub(2 * self.hash.len() + 2)
            .ok_or(CKR_KEY_SIZE_RANGE)
    }
}

/// RSAES-OAEP-ENCRYPT.
pub fn encrypt(key: &RsaPublic, p: &OaepParams, msg: &[u8]) -> CkResult<Vec<u8>> {
    let k = key.size();
    let h_len = p.hash.len();
    if msg.len() > p.max_data(k)? {
        return Err(CKR_DATA_LEN_RANGE);
    }
    // EM = 0x00 || maskedSeed || maskedDB, DB = lHash || PS || 0x01 || M.
    let mut em = Zeroizing::new(vec![0u8; k]);
    let (seed, db) = em
        .get_mut(1..)
        .ok_or(CKR_GENERAL_ERROR)?
        .split_at_mut(h_len);
    seed.copy_from_slice(&random_bytes(h_len)?);
    let db_len = db.len();
    db[..h_len].copy_from_slice(&p.hash.digest(&[&p.label]));
    db[db_len - msg.len() - 1] = 1;
    db[db_len - msg.len()..].copy_from_slice(msg);
    mgf1_xor(p.mgf, seed, db);
    mgf1_xor(p.mgf, db, seed);
    public_op(key, &em).ok_or(CKR_GENERAL_ERROR)
}

/// RSAES-OAEP-DECRYPT. Every check is folded into one secret bit that is
/// revealed once at the end (RFC 8017 7.1.2 note: the failures must not
/// be told apart).
pub fn decrypt(
    key: &RsaPrivate,
    p: &OaepParams,
    ciphertext: &[u8],
) -> CkResult<Zeroizing<Vec<u8>>> {
    let k = key.size();
    p.max_data(k)?;
    if ciphertext.len() != k {
        return Err(CKR_ENCRYPTED_DATA_LEN_RANGE);
    }
    let mut em = private_op(key, ciphertext).map_err(|e| match e {
        PrivateOpError::Decryption => CKR_ENCRYPTED_DATA_INVALID,
        _ => CKR_FUNCTION_FAILED,
    })?;
    let h_len = p.hash.len();
    let l_hash = p.hash.digest(&[&p.label]);
    let (y, rest) = em.split_first_mut().ok_or(CKR_GENERAL_ERROR)?;
    let (seed, db) = rest.split_at_mut(h_len);
    mgf1_xor(p.mgf, db, seed);
    mgf1_xor(p.mgf, seed, db);

    let mut valid = y.ct_eq(&0) & db[..h_len].ct_eq(&l_hash);
    // After lHash: zero or more 0x00 octets, then 0x01, then M.
    let mut looking = Choice::from(1);
    let mut start = 0u32;
    for (i, octet) in (0u32..).zip(db.iter()).skip(h_len) {
        let one = octet.ct_eq(&1);
        let zero = octet.ct_eq(&0);
        start.conditional_assign(&(i + 1), looking & one);
        valid &= !(looking & !one & !zero);
        looking &= !one;
    }
    valid &= !looking;
    if !bool::from(valid) {
        return Err(CKR_ENCRYPTED_DATA_INVALID);
    }
    Ok(Zeroizing::new(
        db.get(start as usize..)
            .ok_or(CKR_ENCRYPTED_DATA_INVALID)?
            .to_vec(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(hash_alg: u64, mgf: u64, source: u64, data: &[u8]) -> Param {
        Param::Oaep {
            hash_alg,
            mgf,
            source,
            source_data: data.to_vec(),
        }
    }

    #[test]
    fn parameters_are_checked() {
        let ok =
            OaepParams::parse(&param(CKM_SHA256, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, b"L")).unwrap();
        assert_eq!(
            ok,
            OaepParams {
                hash: HashAlg::Sha256,
                mgf: HashAlg::Sha1,
                label: b"L".to_vec()
            }
        );
        assert!(OaepParams::parse(&param(CKM_SHA_1, CKG_MGF1_SHA1, 0, b"")).is_ok());
        for bad in [
            param(CKM_SHA_1, CKG_MGF1_SHA1, 0, b"label"),
            param(CKM_SHA_1, CKG_MGF1_SHA1, 2, b""),
            param(CKM_SHA256 + 1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, b""),
            param(CKM_SHA_1, 0x99, CKZ_DATA_SPECIFIED, b""),
        ] {
            assert_eq!(OaepParams::parse(&bad), Err(CKR_MECHANISM_PARAM_INVALID));
        }
        assert_eq!(
            OaepParams::parse(&Param::None),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            OaepParams::parse(&Param::Bytes(vec![1])),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
    }

    #[test]
    fn message_bound() {
        let p = OaepParams {
            hash: HashAlg::Sha512,
            mgf: HashAlg::Sha1,
            label: Vec::new(),
        };
        assert_eq!(p.max_data(256), Ok(256 - 130));
        assert_eq!(p.max_data(129), Err(CKR_KEY_SIZE_RANGE));
    }
}
