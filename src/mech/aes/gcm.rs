//! CKM_AES_GCM: GCM after NIST SP 800-38D (GHASH: `ghash.rs`).
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::block::{Cipher, len_error, xor};
use super::ctr::Keystream;
use super::ghash::Ghash;
use super::host::{self, HostOp};
use super::{BLOCK, GCM_TAG_BITS};
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::{CipherOp, check_key};
use crate::object::Object;
use crate::rv::CkResult;

/// Longest GCM plaintext: 2^39 - 256 bits (SP 800-38D section 5.2.1.1).
const GCM_MAX_TEXT: u64 = (1 << 36) - 32;

// ---------------------------------------------------------------------------
// GCM (NIST SP 800-38D)

/// The GCM state shared by both directions.
#[derive(Clone)]
pub(super) struct Gcm {
    /// GCTR from inc32(J0).
    pub(super) stream: Keystream,
    ghash: Ghash,
    /// E_K(J0), which masks the tag.
    tag_mask: Zeroizing<[u8; BLOCK]>,
    aad_len: u64,
    text_len: u64,
    tag_len: usize,
    /// The IV and AAD again, for a host AES that does the whole GCM.
    iv: Vec<u8>,
    aad: Vec<u8>,
}

impl Gcm {
    pub(super) fn new(cipher: Cipher, iv: &[u8], aad: &[u8], tag_len: usize) -> Self {
        let mut h = [0u8; BLOCK];
        cipher.encrypt(&mut h);
        // J0 = IV || 0^31 || 1 for 96-bit IVs, else GHASH(IV padded || len(IV)).
        let j0: [u8; BLOCK] = if iv.len() == 12 {
            let mut j0 = [0u8; BLOCK];
            j0[..12].copy_from_slice(iv);
            j0[BLOCK - 1] = 1;
            j0
        } else {
            let mut lengths = [0u8; BLOCK];
            lengths[8..].copy_from_slice(&(iv.len() as u64 * 8).to_be_bytes());
            Ghash::once(h, iv, lengths)
        };
        let mut tag_mask = Zeroizing::new(j0);
        cipher.encrypt(&mut tag_mask[..]);
        let mut stream = Keystream::new(cipher, j0, 32);
        stream.next_counter(); // the text starts at inc32(J0)
        let mut ghash = Ghash::new(h);
        h.zeroize();
        ghash.feed(aad);
        ghash.pad();
        Gcm {
            stream,
            ghash,
            tag_mask,
            aad_len: aad.len() as u64,
            text_len: 0,
            tag_len,
            iv: iv.to_vec(),
            aad: aad.to_vec(),
        }
    }

    /// Fails unless `more` bytes of text keep the total within the GCM limit.
    fn reserve(&mut self, more: usize, encrypt: bool) -> CkResult<()> {
        match self.text_len.checked_add(more as u64) {
            Some(total) if total <= GCM_MAX_TEXT => {
                self.text_len = total;
                Ok(())
            }
            _ => Err(len_error(encrypt)),
        }
    }

    /// GcmSeal or GcmOpen of `data` by the host AES, if it takes it.
    fn by_host(&self, op: HostOp, data: &mut [u8], tag: &mut [u8]) -> Option<bool> {
        let cipher = self.stream.cipher();
        cipher.host(op, &self.iv, &self.aad, data, tag)
    }

    /// The tag over everything fed to GHASH, cut to `tag_len` bytes.
    fn tag(&mut self) -> Zeroizing<Vec<u8>> {
        self.ghash.pad();
        let mut lengths = [0u8; BLOCK];
        lengths[..8].copy_from_slice(&(self.aad_len * 8).to_be_bytes());
        lengths[8..].copy_from_slice(&(self.text_len * 8).to_be_bytes());
        let mut hash = self.ghash.clone();
        hash.feed(&lengths);
        let mut tag = Zeroizing::new(hash.value().to_vec());
        xor(&mut tag, &self.tag_mask[..]);
        tag.truncate(self.tag_len);
        tag
    }
}

/// GCM encryption: ciphertext is returned as it is made, the tag at the end.
#[derive(Clone)]
struct GcmEncrypt {
    gcm: Gcm,
}

impl CipherOp for GcmEncrypt {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let tag_len = self.gcm.tag_len;
        if self.gcm.text_len == 0 && input.len() as u64 <= GCM_MAX_TEXT && host::takes(input.len())
        {
            let mut out = Vec::with_capacity(input.len().saturating_add(tag_len));
            out.extend_from_slice(input);
            let mut tag = [0u8; BLOCK];
            if self
                .gcm
                .by_host(HostOp::GcmSeal, &mut out, &mut tag[..tag_len])
                == Some(true)
            {
                out.extend_from_slice(&tag[..tag_len]);
                return Ok(out);
            }
            out.zeroize();
        }
        let mut out = self.update(input)?;
        out.extend_from_slice(&self.finalize()?);
        Ok(out)
    }

    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.gcm.reserve(input.len(), true)?;
        let mut out = Vec::with_capacity(input.len().saturating_add(self.gcm.tag_len));
        out.extend_from_slice(input);
        self.gcm.stream.apply(&mut out);
        self.gcm.ghash.feed(&out);
        Ok(out)
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        Ok(self.gcm.tag().to_vec())
    }

    fn output_bound(&self, input_len: usize, last: bool) -> usize {
        if last {
            input_len.saturating_add(self.gcm.tag_len)
        } else {
            input_len
        }
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

/// GCM decryption: all input is held until the end, and plaintext is
/// released only once the tag checks (as the 3.x text asks of AEAD modes).
#[derive(Clone)]
struct GcmDecrypt {
    gcm: Gcm,
    input: Vec<u8>,
}

impl CipherOp for GcmDecrypt {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.update(input)?;
        self.finalize()
    }

    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let total = self.input.len() as u64 + input.len() as u64;
        if total > GCM_MAX_TEXT + self.gcm.tag_len as u64 {
            return Err(CKR_ENCRYPTED_DATA_LEN_RANGE);
        }
        self.input.extend_from_slice(input);
        Ok(Vec::new())
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        let split = self
            .input
            .len()
            .checked_sub(self.gcm.tag_len)
            .ok_or(CKR_ENCRYPTED_DATA_LEN_RANGE)?;
        let (ciphertext, tag) = self.input.split_at_mut(split);
        self.gcm.reserve(ciphertext.len(), false)?;
        match self.gcm.by_host(HostOp::GcmOpen, ciphertext, tag) {
            Some(true) => {
                let mut out = core::mem::take(&mut self.input);
                out.truncate(split);
                return Ok(out);
            }
            Some(false) => return Err(CKR_ENCRYPTED_DATA_INVALID),
            None => {}
        }
        self.gcm.ghash.feed(ciphertext);
        if !bool::from(self.gcm.tag().ct_eq(&*tag)) {
            return Err(CKR_ENCRYPTED_DATA_INVALID);
        }
        // Decrypted in place: the held input becomes the output.
        let mut out = core::mem::take(&mut self.input);
        out.truncate(split);
        self.gcm.stream.apply(&mut out);
        Ok(out)
    }

    fn output_bound(&self, input_len: usize, last: bool) -> usize {
        if last {
            self.input
                .len()
                .saturating_add(input_len)
                .saturating_sub(self.gcm.tag_len)
        } else {
            0
        }
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

// ---------------------------------------------------------------------------
// The token's own sealing (PIN blobs in token::pin, private records in
// store::protect): AES-GCM with a 96-bit nonce and a 128-bit tag, by this
// same code, so the module carries one AES and one GCM, not a second pair
// from the aes-gcm crate (issue 15 item 1: ~10 KB of the core module).

/// `plain` encrypted and authenticated with `aad` under `key` (16, 24 or
/// 32 bytes): ciphertext || tag.
pub(crate) fn seal(key: &[u8], nonce: &[u8; 12], aad: &[u8], plain: &[u8]) -> CkResult<Vec<u8>> {
    let gcm = Gcm::new(Cipher::from_bytes(key)?, nonce, aad, BLOCK);
    GcmEncrypt { gcm }.one_shot(plain)
}

/// The plaintext of `sealed` (ciphertext || tag), released only if the tag
/// checks: else CKR_ENCRYPTED_DATA_INVALID (or CKR_ENCRYPTED_DATA_LEN_RANGE
/// if it is shorter than a tag).
pub(crate) fn open(
    key: &[u8],
    nonce: &[u8; 12],
    aad: &[u8],
    sealed: &[u8],
) -> CkResult<Zeroizing<Vec<u8>>> {
    let gcm = Gcm::new(Cipher::from_bytes(key)?, nonce, aad, BLOCK);
    let input = Vec::new();
    GcmDecrypt { gcm, input }
        .one_shot(sealed)
        .map(Zeroizing::new)
}

// ---------------------------------------------------------------------------
// Entry points (C_EncryptInit and the PKCS#11 3.x message-based functions)

/// An AES-GCM encryption or decryption under the AES key object `key`,
/// after checking the CK_GCM_PARAMS values: ulIvLen 1..2^32-1 and ulAADLen
/// 0..2^32-1 bytes, and a tag length NIST SP 800-38D allows
/// (CKR_MECHANISM_PARAM_INVALID otherwise).
pub(crate) fn gcm_cipher(
    key: &Object,
    iv: &[u8],
    aad: &[u8],
    tag_bits: CK_ULONG,
    encrypt: bool,
) -> CkResult<Box<dyn CipherOp>> {
    check_key(key, CKO_SECRET_KEY, &[CKK_AES])?;
    let max = u32::MAX as u64;
    if iv.is_empty()
        || iv.len() as u64 > max
        || aad.len() as u64 > max
        || !GCM_TAG_BITS.contains(&tag_bits)
    {
        return Err(CKR_MECHANISM_PARAM_INVALID);
    }
    let gcm = Gcm::new(Cipher::new(key)?, iv, aad, (tag_bits / 8) as usize);
    Ok(if encrypt {
        Box::new(GcmEncrypt { gcm })
    } else {
        Box::new(GcmDecrypt {
            gcm,
            input: Vec::new(),
        })
    })
}
