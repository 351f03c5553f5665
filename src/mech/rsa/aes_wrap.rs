//! CKM_RSA_AES_KEY_WRAP (PKCS#11 3.1 mechanisms 2.1.19): a temporary AES
//! key wraps the target with CKM_AES_KEY_WRAP_KWP (RFC 5649) and is itself
//! wrapped with CKM_RSA_PKCS_OAEP; the output is the OAEP ciphertext (k
//! octets) followed by the KWP output. Wrap and unwrap only: the engine
//! runs the wrap as this op's single-part encryption and the unwrap as its
//! decryption; the registry offers neither C_Encrypt nor C_Decrypt.

use super::key::{RsaPrivate, RsaPublic};
use zeroize::Zeroizing;

use super::oaep::{self, OaepParams};
use crate::constants::*;
use crate::mech::aes::{kwp_unwrap, kwp_wrap};
use crate::mech::{CipherOp, Param, random_bytes};
use crate::rv::CkResult;

/// Decoded CK_RSA_AES_KEY_WRAP_PARAMS.
#[derive(Clone, Debug)]
pub struct Params {
    /// Temporary AES key length in bytes (ulAESKeyBits: 128, 192 or 256).
    pub aes_len: usize,
    pub oaep: OaepParams,
}

impl Params {
    pub fn parse(param: &Param) -> CkResult<Self> {
        let Param::RsaAesKeyWrap { aes_key_bits, oaep } = param else {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        };
        let aes_len = match *aes_key_bits {
            bits @ (128 | 192 | 256) => (bits / 8) as usize,
            _ => return Err(CKR_MECHANISM_PARAM_INVALID),
        };
        Ok(Params {
            aes_len,
            oaep: OaepParams::parse(oaep)?,
        })
    }

    /// The RSA key must carry the AES key under OAEP.
    pub fn check_key(&self, k: usize) -> CkResult<()> {
        if self.oaep.max_data(k)? < self.aes_len {
            return Err(CKR_KEY_SIZE_RANGE);
        }
        Ok(())
    }
}

/// The KWP output length for `n` octets of key data (RFC 5649 section 4.1).
fn kwp_len(n: usize) -> usize {
    n.div_ceil(8) * 8 + 8
}

#[derive(Clone)]
pub struct Wrap {
    pub key: RsaPublic,
    pub params: Params,
}

impl CipherOp for Wrap {
    fn one_shot(&mut self, target: &[u8]) -> CkResult<Vec<u8>> {
        let aes = random_bytes(self.params.aes_len)?;
        let mut out = oaep::encrypt(&self.key, &self.params.oaep, &aes)?;
        out.extend_from_slice(&kwp_wrap(&aes, target)?);
        Ok(out)
    }
    fn output_bound(&self, input_len: usize, _last: bool) -> usize {
        self.key.size() + kwp_len(input_len)
    }
    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

#[derive(Clone)]
pub struct Unwrap {
    pub key: RsaPrivate,
    pub params: Params,
}

impl CipherOp for Unwrap {
    fn one_shot(&mut self, wrapped: &[u8]) -> CkResult<Vec<u8>> {
        let k = self.key.size();
        // The AES key's ciphertext, then at least one KWP block pair.
        if wrapped.len() < k + 16 {
            return Err(CKR_ENCRYPTED_DATA_LEN_RANGE);
        }
        let (head, tail) = wrapped.split_at(k);
        let aes: Zeroizing<Vec<u8>> = oaep::decrypt(&self.key, &self.params.oaep, head)?;
        if aes.len() != self.params.aes_len {
            return Err(CKR_ENCRYPTED_DATA_INVALID);
        }
        let mut plain = kwp_unwrap(&aes, tail)?;
        Ok(std::mem::take(&mut *plain))
    }
    fn output_bound(&self, input_len: usize, _last: bool) -> usize {
        input_len
    }
    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}
