//! RSASSA-PSS (RFC 8017 8.1, EMSA-PSS 9.1) for CKM_RSA_PKCS_PSS and
//! CKM_SHA*_RSA_PKCS_PSS (PKCS#11 3.1 mechanisms 2.1.12, 2.1.13), on the
//! crate's raw RSA primitive: the crate's PSS uses the message hash for
//! MGF1, while CK_RSA_PKCS_PSS_PARAMS may name another.

use super::key::{RsaPrivate, RsaPublic};

use super::hash::{HashAlg, mgf1_xor};
use super::key::{private_op, public_op};
use crate::constants::*;
use crate::mech::{Param, random_bytes};
use crate::rv::CkResult;

/// Decoded CK_RSA_PKCS_PSS_PARAMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PssParams {
    pub hash: HashAlg,
    pub mgf: HashAlg,
    pub salt_len: usize,
}

impl PssParams {
    /// For the CKM_SHA*_RSA_PKCS_PSS mechanisms `mechanism_hash` is their
    /// hash, which hashAlg must name (3.1 mechanisms 2.1.13).
    pub fn parse(param: &Param, mechanism_hash: Option<HashAlg>) -> CkResult<Self> {
        let Param::Pss {
            hash_alg,
            mgf,
            salt_len,
        } = param
        else {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        };
        let hash = HashAlg::from_ckm(*hash_alg)?;
        if mechanism_hash.is_some_and(|h| h != hash) {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        }
        let salt_len = usize::try_from(*salt_len).map_err(|_| CKR_MECHANISM_PARAM_INVALID)?;
        Ok(PssParams {
            hash,
            mgf: HashAlg::from_mgf(*mgf)?,
            salt_len,
        })
    }

    /// emBits = modBits - 1 must hold hLen + sLen + 2 octets; otherwise
    /// the key is too small for these parameters.
    pub fn check_key(&self, key: &RsaPublic) -> CkResult<()> {
        let em_len = em_len(key);
        match self
            .hash
            .len()
            .checked_add(self.salt_len)
            .and_then(|n| n.checked_add(2))
        {
            Some(need) if need <= em_len => Ok(()),
            _ => Err(CKR_KEY_SIZE_RANGE),
        }
    }
}

/// emLen = ceil((modBits - 1) / 8): k, or k - 1 when modBits = 8k - 7.
fn em_len(key: &RsaPublic) -> usize {
    em_bits(key).div_ceil(8)
}

fn em_bits(key: &RsaPublic) -> usize {
    key.bits().saturating_sub(1)
}

/// The mask clearing the bits of EM[0] above emBits.
fn top_mask(key: &RsaPublic) -> u8 {
    0xffu8 >> (8 * em_len(key) - em_bits(key))
}

/// H = Hash(0x00 * 8 || mHash || salt).
fn h_prime(p: &PssParams, m_hash: &[u8], salt: &[u8]) -> Vec<u8> {
    p.hash.digest(&[&[0u8; 8], m_hash, salt])
}

/// RSASSA-PSS-SIGN of the digest `m_hash` (hLen octets, checked by the caller).
pub fn sign(key: &RsaPrivate, p: &PssParams, m_hash: &[u8]) -> CkResult<Vec<u8>> {
    let public = key.as_public_key();
    p.check_key(public)?;
    let (k, em_len, h_len) = (public.size(), em_len(public), p.hash.len());
    let salt = random_bytes(p.salt_len)?;
    let h = h_prime(p, m_hash, &salt);
    // EM (left-padded to k octets) = maskedDB || H || 0xbc with
    // DB = PS || 0x01 || salt.
    let mut em = vec![0u8; k];
    let em_body = em.get_mut(k - em_len..).ok_or(CKR_GENERAL_ERROR)?;
    let (db, tail) = em_body.split_at_mut(em_len - h_len - 1);
    let db_len = db.len();
    db[db_len - p.salt_len - 1] = 1;
    db[db_len - p.salt_len..].copy_from_slice(&salt);
    mgf1_xor(p.mgf, &h, db);
    db[0] &= top_mask(public);
    tail[..h_len].copy_from_slice(&h);
    tail[h_len] = 0xbc;
    let s = private_op(key, &em).map_err(|_| CKR_FUNCTION_FAILED)?;
    Ok(s.to_vec())
}

/// RSASSA-PSS-VERIFY of `m_hash` against `signature` with the salt
/// length of the parameters. Only public values are involved.
pub fn verify(key: &RsaPublic, p: &PssParams, m_hash: &[u8], signature: &[u8]) -> CkResult<()> {
    p.check_key(key)?;
    if signature.len() != key.size() {
        return Err(CKR_SIGNATURE_LEN_RANGE);
    }
    let em = public_op(key, signature).ok_or(CKR_SIGNATURE_INVALID)?;
    if emsa_pss_verify(key, p, m_hash, &em) {
        Ok(())
    } else {
        Err(CKR_SIGNATURE_INVALID)
    }
}

/// EMSA-PSS-VERIFY (RFC 8017 9.1.2) on the k-octet output of RSAVP1.
fn emsa_pss_verify(key: &RsaPublic, p: &PssParams, m_hash: &[u8], em_k: &[u8]) -> bool {
    let (k, em_len, h_len, s_len) = (em_k.len(), em_len(key), p.hash.len(), p.salt_len);
    // With emLen = k - 1 the extra leading octet must be zero (I2OSP).
    let Some((lead, em)) = k.checked_sub(em_len).and_then(|n| em_k.split_at_checked(n)) else {
        return false;
    };
    if lead.iter().any(|&b| b != 0) || em.last() != Some(&0xbc) {
        return false;
    }
    let Some((masked_db, h)) = em[..em_len - 1].split_at_checked(em_len - h_len - 1) else {
        return false;
    };
    let mask = top_mask(key);
    if masked_db.first().is_none_or(|&b| b & !mask != 0) {
        return false;
    }
    let mut db = masked_db.to_vec();
    mgf1_xor(p.mgf, h, &mut db);
    db[0] &= mask;
    // DB = PS (zeros) || 0x01 || salt.
    let ps_len = em_len - h_len - s_len - 2;
    let (ps, rest) = db.split_at(ps_len);
    if ps.iter().any(|&b| b != 0) || rest.first() != Some(&1) {
        return false;
    }
    let salt = &rest[1..];
    h_prime(p, m_hash, salt) == h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_checked() {
        let pss = |hash_alg, mgf, salt_len| Param::Pss {
            hash_alg,
            mgf,
            salt_len,
        };
        let p = PssParams::parse(&pss(CKM_SHA256, CKG_MGF1_SHA1, 20), None).unwrap();
        assert_eq!(
            p,
            PssParams {
                hash: HashAlg::Sha256,
                mgf: HashAlg::Sha1,
                salt_len: 20
            }
        );
        assert!(
            PssParams::parse(&pss(CKM_SHA256, CKG_MGF1_SHA1, 20), Some(HashAlg::Sha256)).is_ok()
        );
        assert_eq!(
            PssParams::parse(&pss(CKM_SHA256, CKG_MGF1_SHA256, 32), Some(HashAlg::Sha384)),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            PssParams::parse(&pss(CKM_SHA256, 0, 32), None),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            PssParams::parse(&pss(0x1234, CKG_MGF1_SHA1, 32), None),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            PssParams::parse(&Param::None, None),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
    }
}
