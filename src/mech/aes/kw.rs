//! AES key wrap (PKCS#11 3.1 mechanisms, "AES Key Wrap"), after NIST SP 800-38F:
//!
//! - CKM_AES_KEY_WRAP: KW, RFC 3394. The input is a whole number (at
//!   least two) of 8-byte semiblocks; C_WrapKey zero-pads a key value to
//!   a multiple of 8 (as the 2.40 text says).
//! - CKM_AES_KEY_WRAP_KWP: KWP, RFC 5649: any length from 1 byte, the
//!   length is kept in the integrity check value.
//! - CKM_AES_KEY_WRAP_PAD: as PKCS#11 2.40 defines it, "the usual padding"
//!   done by the token before the AES key wrap algorithm, which the TC's
//!   2017 clarification (carried into 3.x) names as PKCS #7 padding to the
//!   8-byte semiblock, then KW. It is therefore the same algorithm as 3.1's
//!   CKM_AES_KEY_WRAP_PKCS7, registered too. SoftHSMv2 instead runs RFC 5649
//!   (OpenSSL's wrap-pad) under this number; use CKM_AES_KEY_WRAP_KWP for
//!   that.
//!
//! The optional parameter is the initial value: 8 bytes for KW and the
//! PKCS #7 variant, the 4-byte prefix of the alternative initial value for
//! KWP (the 3.x text's "8 byte IV or 4 byte IV, depending on the key wrap
//! mechanism"). They run single-part only, as the spec says.
use subtle::{Choice, ConstantTimeEq, ConstantTimeGreater};
use zeroize::Zeroizing;

use super::block::Cipher;
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::{CipherOp, Param};
use crate::rv::CkResult;

const SEMI: usize = 8;
/// The default initial value of KW (RFC 3394 section 2.2.3.1).
const KW_IV: [u8; SEMI] = [0xA6; SEMI];
/// The constant half of KWP's alternative initial value (RFC 5649 section 3).
const KWP_PREFIX: [u8; 4] = [0xA6, 0x59, 0x59, 0xA6];

/// Which key wrap a mechanism runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Variant {
    Kw,
    Kwp,
    Pkcs7,
}

impl Variant {
    pub(super) fn of(kind: CK_ULONG) -> Option<Self> {
        match kind {
            CKM_AES_KEY_WRAP => Some(Variant::Kw),
            CKM_AES_KEY_WRAP_KWP => Some(Variant::Kwp),
            CKM_AES_KEY_WRAP_PAD | CKM_AES_KEY_WRAP_PKCS7 => Some(Variant::Pkcs7),
            _ => None,
        }
    }

    /// The initial value from the mechanism parameter: none (or empty)
    /// selects the default.
    fn iv(self, param: &Param) -> CkResult<Vec<u8>> {
        let (default, len): (&[u8], usize) = match self {
            Variant::Kwp => (&KWP_PREFIX, 4),
            _ => (&KW_IV, SEMI),
        };
        match param {
            Param::None => Ok(default.to_vec()),
            Param::Bytes(b) if b.is_empty() => Ok(default.to_vec()),
            Param::Bytes(b) if b.len() == len => Ok(b.clone()),
            _ => Err(CKR_MECHANISM_PARAM_INVALID),
        }
    }
}

// ---------------------------------------------------------------------------
// The wrapping function W and its inverse (SP 800-38F algorithms 1 and 2,
// in RFC 3394 section 2.2's indexed form)

/// W: wraps the semiblocks `r` (at least two) in place under the initial
/// value `a`; returns the final A.
fn wrap_core(cipher: &Cipher, mut a: [u8; SEMI], r: &mut [u8]) -> [u8; SEMI] {
    let n = r.len() / SEMI;
    let mut block = Zeroizing::new([0u8; 2 * SEMI]);
    let mut t: u64 = 0;
    for _ in 0..6 {
        for ri in r.chunks_exact_mut(SEMI) {
            t += 1;
            block[..SEMI].copy_from_slice(&a);
            block[SEMI..].copy_from_slice(ri);
            cipher.encrypt(&mut block[..]);
            a.copy_from_slice(&block[..SEMI]);
            xor_counter(&mut a, t);
            ri.copy_from_slice(&block[SEMI..]);
        }
    }
    debug_assert_eq!(t, 6 * n as u64);
    a
}

/// W^-1: unwraps the semiblocks `r` in place from the wrapped A `a`;
/// returns the recovered initial value.
fn unwrap_core(cipher: &Cipher, mut a: [u8; SEMI], r: &mut [u8]) -> [u8; SEMI] {
    let n = (r.len() / SEMI) as u64;
    let mut block = Zeroizing::new([0u8; 2 * SEMI]);
    let mut t = 6 * n;
    for _ in 0..6 {
        for ri in r.chunks_exact_mut(SEMI).rev() {
            xor_counter(&mut a, t);
            t -= 1;
            block[..SEMI].copy_from_slice(&a);
            block[SEMI..].copy_from_slice(ri);
            cipher.decrypt(&mut block[..]);
            a.copy_from_slice(&block[..SEMI]);
            ri.copy_from_slice(&block[SEMI..]);
        }
    }
    a
}

/// A ^= t, t as a 64-bit big-endian number.
fn xor_counter(a: &mut [u8; SEMI], t: u64) {
    a.iter_mut().zip(t.to_be_bytes()).for_each(|(x, y)| *x ^= y);
}

fn semiblock(b: &[u8]) -> CkResult<[u8; SEMI]> {
    <[u8; SEMI]>::try_from(b).map_err(|_| CKR_GENERAL_ERROR)
}

// ---------------------------------------------------------------------------
// KW (RFC 3394)

/// KW-AE: `data` a multiple of 8 bytes, at least 16.
fn kw_wrap(cipher: &Cipher, iv: &[u8], data: &[u8]) -> CkResult<Vec<u8>> {
    if !data.len().is_multiple_of(SEMI) || data.len() < 2 * SEMI {
        return Err(CKR_DATA_LEN_RANGE);
    }
    let mut out = vec![0u8; SEMI];
    out.extend_from_slice(data);
    let a = wrap_core(cipher, semiblock(iv)?, &mut out[SEMI..]);
    out[..SEMI].copy_from_slice(&a);
    Ok(out)
}

/// KW-AD: the plaintext, or CKR_ENCRYPTED_DATA_INVALID if the recovered
/// initial value is not `iv`.
fn kw_unwrap(cipher: &Cipher, iv: &[u8], wrapped: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
    if !wrapped.len().is_multiple_of(SEMI) || wrapped.len() < 3 * SEMI {
        return Err(CKR_ENCRYPTED_DATA_LEN_RANGE);
    }
    let (a, r) = wrapped.split_at(SEMI);
    let mut plain = Zeroizing::new(r.to_vec());
    let a = unwrap_core(cipher, semiblock(a)?, &mut plain);
    if bool::from(a.ct_eq(iv)) {
        Ok(plain)
    } else {
        Err(CKR_ENCRYPTED_DATA_INVALID)
    }
}

/// W with any initial value, for tests that build malformed KWP inputs.
#[cfg(test)]
pub(super) fn kw_raw(cipher: &Cipher, a: &[u8], r: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; SEMI];
    out.extend_from_slice(r);
    let a = wrap_core(cipher, a.try_into().expect("8-byte A"), &mut out[SEMI..]);
    out[..SEMI].copy_from_slice(&a);
    out
}

// ---------------------------------------------------------------------------
// KWP (RFC 5649)

/// KWP-AE: 1 to 2^32 - 1 bytes.
fn kwp_wrap_with(cipher: &Cipher, prefix: &[u8], data: &[u8]) -> CkResult<Vec<u8>> {
    let len = u32::try_from(data.len()).map_err(|_| CKR_DATA_LEN_RANGE)?;
    if len == 0 {
        return Err(CKR_DATA_LEN_RANGE);
    }
    let mut aiv = [0u8; SEMI];
    aiv[..4].copy_from_slice(prefix);
    aiv[4..].copy_from_slice(&len.to_be_bytes());
    let padded_len = data.len().div_ceil(SEMI) * SEMI;
    let mut out = vec![0u8; SEMI + padded_len];
    out[SEMI..SEMI + data.len()].copy_from_slice(data);
    if padded_len == SEMI {
        // One semiblock: a single AES encryption of AIV || P (section 4.1).
        out[..SEMI].copy_from_slice(&aiv);
        cipher.encrypt(&mut out);
    } else {
        let a = wrap_core(cipher, aiv, &mut out[SEMI..]);
        out[..SEMI].copy_from_slice(&a);
    }
    Ok(out)
}

/// KWP-AD: checks the prefix, the length indicator and the zero padding.
fn kwp_unwrap_with(cipher: &Cipher, prefix: &[u8], wrapped: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
    if !wrapped.len().is_multiple_of(SEMI) || wrapped.len() < 2 * SEMI {
        return Err(CKR_ENCRYPTED_DATA_LEN_RANGE);
    }
    let mut plain = Zeroizing::new(wrapped.to_vec());
    let a = if wrapped.len() == 2 * SEMI {
        cipher.decrypt(&mut plain);
        semiblock(&plain[..SEMI])?
    } else {
        let (a, r) = plain.split_at_mut(SEMI);
        unwrap_core(cipher, semiblock(a)?, r)
    };
    plain.drain(..SEMI);
    let padded_len = plain.len();
    let mli = u32::from_be_bytes([a[4], a[5], a[6], a[7]]) as usize;
    // 8 * (n - 1) < MLI <= 8 * n, and the padding bytes are zero.
    let mut ok = a[..4].ct_eq(prefix);
    let in_range = mli > padded_len - SEMI && mli <= padded_len;
    ok &= Choice::from(in_range as u8);
    let pad_start = mli.min(padded_len);
    for b in &plain[pad_start..] {
        ok &= b.ct_eq(&0);
    }
    if bool::from(ok) {
        plain.truncate(mli);
        Ok(plain)
    } else {
        Err(CKR_ENCRYPTED_DATA_INVALID)
    }
}

/// RFC 5649 key wrap under `kek` (16, 24 or 32 bytes) with the default
/// initial value: for mechanisms that wrap with a temporary AES key
/// (CKM_RSA_AES_KEY_WRAP, PKCS#11 3.1 mechanisms 2.1.21).
pub(crate) fn kwp_wrap(kek: &[u8], data: &[u8]) -> CkResult<Vec<u8>> {
    kwp_wrap_with(&Cipher::from_bytes(kek)?, &KWP_PREFIX, data)
}

/// The inverse of `kwp_wrap`: CKR_ENCRYPTED_DATA_LEN_RANGE for a length
/// that cannot be a KWP output, CKR_ENCRYPTED_DATA_INVALID if the integrity
/// check fails.
pub(crate) fn kwp_unwrap(kek: &[u8], wrapped: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
    kwp_unwrap_with(&Cipher::from_bytes(kek)?, &KWP_PREFIX, wrapped)
}

// ---------------------------------------------------------------------------
// PKCS #7 padding, then KW

fn pkcs7_wrap(cipher: &Cipher, iv: &[u8], data: &[u8]) -> CkResult<Vec<u8>> {
    // KW needs two semiblocks, so at least one whole byte more than 7.
    if data.len() < SEMI {
        return Err(CKR_DATA_LEN_RANGE);
    }
    let pad = SEMI - data.len() % SEMI;
    let mut padded = Zeroizing::new(Vec::with_capacity(data.len() + pad));
    padded.extend_from_slice(data);
    padded.resize(data.len() + pad, pad as u8);
    kw_wrap(cipher, iv, &padded)
}

fn pkcs7_unwrap(cipher: &Cipher, iv: &[u8], wrapped: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
    let mut plain = kw_unwrap(cipher, iv, wrapped)?;
    let pad = *plain.last().ok_or(CKR_ENCRYPTED_DATA_INVALID)?;
    let mut ok = pad.ct_ne(&0) & !pad.ct_gt(&(SEMI as u8));
    let tail = &plain[plain.len() - SEMI..];
    for (i, b) in tail.iter().enumerate() {
        let in_pad = !((SEMI - i) as u8).ct_gt(&pad);
        ok &= !in_pad | b.ct_eq(&pad);
    }
    if !bool::from(ok) {
        return Err(CKR_ENCRYPTED_DATA_INVALID);
    }
    let len = plain.len() - pad as usize;
    plain.truncate(len);
    Ok(plain)
}

// ---------------------------------------------------------------------------
// The operation

/// A key wrap encryption or decryption: single-part only.
#[derive(Clone)]
pub(super) struct KeyWrapOp {
    cipher: Cipher,
    variant: Variant,
    iv: Vec<u8>,
    encrypt: bool,
}

impl KeyWrapOp {
    pub(super) fn new(
        cipher: Cipher,
        variant: Variant,
        param: &Param,
        encrypt: bool,
    ) -> CkResult<Self> {
        Ok(KeyWrapOp {
            iv: variant.iv(param)?,
            cipher,
            variant,
            encrypt,
        })
    }
}

impl CipherOp for KeyWrapOp {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let (c, iv) = (&self.cipher, self.iv.as_slice());
        match (self.variant, self.encrypt) {
            (Variant::Kw, true) => kw_wrap(c, iv, input),
            (Variant::Kwp, true) => kwp_wrap_with(c, iv, input),
            (Variant::Pkcs7, true) => pkcs7_wrap(c, iv, input),
            (Variant::Kw, false) => kw_unwrap(c, iv, input).map(|p| p.to_vec()),
            (Variant::Kwp, false) => kwp_unwrap_with(c, iv, input).map(|p| p.to_vec()),
            (Variant::Pkcs7, false) => pkcs7_unwrap(c, iv, input).map(|p| p.to_vec()),
        }
    }

    fn output_bound(&self, input_len: usize, _last: bool) -> usize {
        if self.encrypt {
            // Padding to the next semiblock (a whole one for PKCS #7), plus A.
            (input_len / SEMI * SEMI).saturating_add(2 * SEMI)
        } else {
            input_len.saturating_sub(SEMI)
        }
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}
