//! Operations in progress: encryption and decryption (single-part),
//! signature and verification (single-part for the raw mechanisms,
//! multi-part for the CKM_SHA*_RSA_* ones, which hash as data arrives).

use super::key::{RsaPrivate, RsaPublic};

use super::hash::{HashAlg, Hasher};
use super::oaep::{self, OaepParams};
use super::pkcs1;
use super::pss::{self, PssParams};
use super::x509;
use crate::constants::*;
use crate::mech::{CipherOp, SignOp, VerifyOp};
use crate::rv::CkResult;

/// The encryption scheme of CKM_RSA_PKCS, CKM_RSA_PKCS_OAEP or
/// CKM_RSA_X_509 (raw).
#[derive(Clone, Debug)]
pub enum EncPadding {
    Pkcs1,
    Oaep(OaepParams),
    Raw,
}

#[derive(Clone)]
pub struct Encrypt {
    pub key: RsaPublic,
    pub padding: EncPadding,
}

impl CipherOp for Encrypt {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        match &self.padding {
            EncPadding::Pkcs1 => pkcs1::encrypt(&self.key, input),
            EncPadding::Oaep(p) => oaep::encrypt(&self.key, p, input),
            EncPadding::Raw => x509::encrypt(&self.key, input),
        }
    }
    fn output_bound(&self, _input_len: usize, _last: bool) -> usize {
        self.key.size()
    }
    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

/// `RsaPrivate` wipes its secrets when dropped.
#[derive(Clone)]
pub struct Decrypt {
    pub key: RsaPrivate,
    pub padding: EncPadding,
}

impl CipherOp for Decrypt {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let mut plain = match &self.padding {
            EncPadding::Pkcs1 => pkcs1::decrypt(&self.key, input)?,
            EncPadding::Oaep(p) => oaep::decrypt(&self.key, p, input)?,
            EncPadding::Raw => x509::decrypt(&self.key, input)?,
        };
        // The caller receives the plaintext; the wrapper wipes nothing left.
        Ok(std::mem::take(&mut *plain))
    }
    /// The plaintext is shorter than the modulus.
    fn output_bound(&self, _input_len: usize, _last: bool) -> usize {
        self.key.size()
    }
    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

/// The signature scheme of a signing mechanism.
#[derive(Clone, Copy, Debug)]
pub enum SigPadding {
    /// EMSA-PKCS1-v1_5 over the data (raw) or over DigestInfo(hash).
    Pkcs1,
    Pss(PssParams),
    /// CKM_RSA_X_509: the data itself, left-padded with zeros.
    Raw,
}

/// What is signed: the data as given (CKM_RSA_PKCS, CKM_RSA_PKCS_PSS), or
/// the hash of all data (CKM_SHA*_RSA_PKCS[_PSS]).
pub enum Input {
    Raw,
    Hashed(HashAlg, Box<Hasher>),
}

impl Input {
    pub fn hashed(hash: Option<HashAlg>) -> Self {
        match hash {
            Some(h) => Input::Hashed(h, Box::new(h.hasher())),
            None => Input::Raw,
        }
    }
}

/// The encoded input of the padding: DigestInfo for PKCS#1 v1.5 with a
/// hash, the digest for PSS; for raw input, PSS checks the digest length.
fn finish_input(padding: &SigPadding, input: &mut Input, raw: Option<&[u8]>) -> CkResult<Vec<u8>> {
    match (input, raw) {
        (Input::Hashed(alg, h), None) => {
            let digest = h.finalize();
            Ok(match padding {
                SigPadding::Pkcs1 => [alg.digest_info_prefix(), &digest].concat(),
                SigPadding::Pss(_) | SigPadding::Raw => digest,
            })
        }
        (Input::Raw, Some(data)) => {
            if let SigPadding::Pss(p) = padding
                && data.len() != p.hash.len()
            {
                return Err(CKR_DATA_LEN_RANGE);
            }
            Ok(data.to_vec())
        }
        _ => Err(CKR_FUNCTION_NOT_SUPPORTED),
    }
}

fn update_input(input: &mut Input, data: &[u8]) -> CkResult<()> {
    match input {
        Input::Hashed(_, h) => {
            h.update(data);
            Ok(())
        }
        // Raw mechanisms are single-part (3.1 mechanisms table 39, footnote 1).
        Input::Raw => Err(CKR_FUNCTION_NOT_SUPPORTED),
    }
}

pub struct Sign {
    pub key: RsaPrivate,
    pub padding: SigPadding,
    pub input: Input,
}

impl Sign {
    fn sign(&self, encoded: &[u8]) -> CkResult<Vec<u8>> {
        match &self.padding {
            SigPadding::Pkcs1 => pkcs1::sign(&self.key, encoded),
            SigPadding::Pss(p) => pss::sign(&self.key, p, encoded),
            SigPadding::Raw => x509::sign(&self.key, encoded),
        }
    }
}

impl SignOp for Sign {
    fn one_shot(&mut self, data: &[u8]) -> CkResult<Vec<u8>> {
        if matches!(self.input, Input::Hashed(..)) {
            self.update(data)?;
            return self.finalize();
        }
        let encoded = finish_input(&self.padding, &mut self.input, Some(data))?;
        self.sign(&encoded)
    }
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        update_input(&mut self.input, data)
    }
    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        let encoded = finish_input(&self.padding, &mut self.input, None)?;
        self.sign(&encoded)
    }
    fn signature_len(&self) -> usize {
        self.key.size()
    }
}

pub struct Verify {
    pub key: RsaPublic,
    pub padding: SigPadding,
    pub input: Input,
}

impl Verify {
    fn verify(&self, encoded: &[u8], signature: &[u8]) -> CkResult<()> {
        match &self.padding {
            SigPadding::Pkcs1 => pkcs1::verify(&self.key, encoded, signature),
            SigPadding::Pss(p) => pss::verify(&self.key, p, encoded, signature),
            SigPadding::Raw => x509::verify(&self.key, encoded, signature),
        }
    }
}

impl VerifyOp for Verify {
    fn one_shot(&mut self, data: &[u8], signature: &[u8]) -> CkResult<()> {
        if matches!(self.input, Input::Hashed(..)) {
            self.update(data)?;
            return self.finalize(signature);
        }
        let encoded = finish_input(&self.padding, &mut self.input, Some(data))?;
        self.verify(&encoded, signature)
    }
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        update_input(&mut self.input, data)
    }
    fn finalize(&mut self, signature: &[u8]) -> CkResult<()> {
        let encoded = finish_input(&self.padding, &mut self.input, None)?;
        self.verify(&encoded, signature)
    }
}
