//! The AES block cipher with its key size chosen at run time, and the
//! ECB, CBC and CBC_PAD modes built on it.
use subtle::{ConstantTimeEq, ConstantTimeGreater};
use zeroize::Zeroizing;

use super::BLOCK;
use super::core::AesKey;
use super::host::{self, HostCall, HostOp};
use super::vector::V;
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::CipherOp;
use crate::object::Object;
use crate::rv::CkResult;

// ---------------------------------------------------------------------------
// The block cipher

/// AES with the key size chosen at run time (`core.rs`: constant-time,
/// SIMD; the round keys are wiped on drop), and the key itself for bulk
/// work by a host AES (`host.rs`).
#[derive(Clone)]
pub(super) struct Cipher {
    schedule: AesKey,
    key: Zeroizing<Vec<u8>>,
}

impl Cipher {
    /// The cipher for an AES key object's CKA_VALUE.
    pub(super) fn new(key: &Object) -> CkResult<Self> {
        Self::from_bytes(key.require(CKA_VALUE)?)
    }

    /// The cipher for raw key bytes (16, 24 or 32 of them).
    pub(super) fn from_bytes(value: &[u8]) -> CkResult<Self> {
        let schedule = AesKey::new(value).ok_or(CKR_KEY_SIZE_RANGE)?;
        let key = Zeroizing::new(value.to_vec());
        Ok(Cipher { schedule, key })
    }

    /// `op` by the host AES, if one is installed and takes `data` (see
    /// `host::run`); None when the wasm AES must do it.
    pub(super) fn host(
        &self,
        op: HostOp,
        iv: &[u8],
        aad: &[u8],
        data: &mut [u8],
        tag: &mut [u8],
    ) -> Option<bool> {
        let key = &self.key;
        host::run(HostCall {
            op,
            key,
            iv,
            aad,
            data,
            tag,
        })
    }

    /// Encrypts the whole blocks of `data` in place (callers pass whole blocks).
    pub(super) fn encrypt(&self, data: &mut [u8]) {
        self.schedule.encrypt(data)
    }

    /// Decrypts the whole blocks of `data` in place.
    pub(super) fn decrypt(&self, data: &mut [u8]) {
        self.schedule.decrypt(data)
    }

    /// CBC-encrypts the whole blocks of `data` in place from `chain`, which
    /// ends as the last ciphertext block.
    pub(super) fn cbc_encrypt(&self, chain: &mut [u8; BLOCK], data: &mut [u8]) {
        self.schedule.cbc_encrypt(chain, data)
    }
}

/// data ^= with, over the shorter of the two (16 bytes at a time in SIMD).
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
pub(super) fn xor(data: &mut [u8], with: &[u8]) {
    let n = data.len().min(with.len());
    let (data, with) = (&mut data[..n], &with[..n]);
    let mut d = data.chunks_exact_mut(BLOCK);
    let mut w = with.chunks_exact(BLOCK);
    for (d, w) in (&mut d).zip(&mut w) {
        V::load(d).xor(V::load(w)).store(d);
    }
    let (d, w) = (d.into_remainder(), w.remainder());
    d.iter_mut().zip(w).for_each(|(d, k)| *d ^= k);
}

/// The error for a bad input length: CKR_DATA_LEN_RANGE when encrypting,
/// CKR_ENCRYPTED_DATA_LEN_RANGE when decrypting (base spec, CK_RV meanings).
pub(super) fn len_error(encrypt: bool) -> CK_ULONG {
    if encrypt {
        CKR_DATA_LEN_RANGE
    } else {
        CKR_ENCRYPTED_DATA_LEN_RANGE
    }
}

// ---------------------------------------------------------------------------
// ECB, CBC and CBC_PAD

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    Ecb,
    Cbc,
    /// CBC with PKCS #7 padding ("AES-CBC with PKCS padding").
    CbcPad,
}

/// Bytes of CBC decryption per pass (whole blocks; fits the L1 cache).
const CBC_CHUNK: usize = 4096;

/// ECB / CBC / CBC_PAD in progress: input is processed a whole block at a
/// time and the rest is held until more arrives.
#[derive(Clone)]
pub(super) struct BlockOp {
    cipher: Cipher,
    mode: Mode,
    encrypt: bool,
    /// The CBC chaining value: the IV, then the last ciphertext block.
    chain: [u8; BLOCK],
    /// Input not processed yet (plaintext when encrypting: wiped).
    pending: Zeroizing<Vec<u8>>,
}

impl BlockOp {
    pub(super) fn new(cipher: Cipher, mode: Mode, encrypt: bool, iv: [u8; BLOCK]) -> Self {
        BlockOp {
            cipher,
            mode,
            encrypt,
            chain: iv,
            pending: Zeroizing::new(Vec::with_capacity(BLOCK)),
        }
    }

    /// How many of `total` available bytes can be processed now. A CBC_PAD
    /// decryption keeps the last block back: it may be the padding.
    fn ready(&self, total: usize) -> usize {
        if self.mode == Mode::CbcPad && !self.encrypt {
            total.saturating_sub(1) / BLOCK * BLOCK
        } else {
            total / BLOCK * BLOCK
        }
    }

    /// Runs the mode over whole blocks in place.
    fn process(&mut self, data: &mut [u8]) {
        if self.process_by_host(data) {
            return;
        }
        match (self.mode, self.encrypt) {
            (Mode::Ecb, true) => self.cipher.encrypt(data),
            (Mode::Ecb, false) => self.cipher.decrypt(data),
            (_, true) => self.cipher.cbc_encrypt(&mut self.chain, data),
            (_, false) => {
                // A chunk at a time, its ciphertext saved on the stack (the
                // chaining values), rather than a copy of the whole input.
                let mut saved = [0u8; CBC_CHUNK];
                for chunk in data.chunks_mut(CBC_CHUNK) {
                    let n = chunk.len();
                    saved[..n].copy_from_slice(chunk);
                    self.cipher.decrypt(chunk);
                    xor(&mut chunk[..BLOCK], &self.chain);
                    xor(&mut chunk[BLOCK..], &saved[..n - BLOCK]);
                    self.chain.copy_from_slice(&saved[n - BLOCK..n]);
                }
            }
        }
    }

    /// `process` by the host AES; false (data untouched) when it did not.
    fn process_by_host(&mut self, data: &mut [u8]) -> bool {
        let op = match (self.mode, self.encrypt) {
            (Mode::Ecb, true) => HostOp::EcbEncrypt,
            (Mode::Ecb, false) => HostOp::EcbDecrypt,
            (_, true) => HostOp::CbcEncrypt,
            (_, false) => HostOp::CbcDecrypt,
        };
        let Some(last) = data.len().checked_sub(BLOCK) else {
            return false;
        };
        // The next chaining value is the last ciphertext block: the input
        // when decrypting (saved now), the output when encrypting.
        let mut next = self.chain;
        if !self.encrypt {
            next.copy_from_slice(&data[last..]);
        }
        let iv = if self.mode == Mode::Ecb {
            &[][..]
        } else {
            &self.chain[..]
        };
        if self.cipher.host(op, iv, &[], data, &mut []) != Some(true) {
            return false;
        }
        if self.encrypt {
            next.copy_from_slice(&data[last..]);
        }
        self.chain = next;
        true
    }

    /// Strips the PKCS #7 padding of the last decrypted block without
    /// branching on its bytes; returns the length of the data in it.
    fn unpad(block: &[u8; BLOCK]) -> CkResult<usize> {
        let pad = block[BLOCK - 1];
        let mut ok = pad.ct_gt(&0) & !pad.ct_gt(&(BLOCK as u8));
        for (i, b) in block.iter().enumerate() {
            let in_pad = !((BLOCK - i) as u8).ct_gt(&pad);
            ok &= !in_pad | b.ct_eq(&pad);
        }
        if bool::from(ok) {
            Ok(BLOCK - pad as usize)
        } else {
            Err(CKR_ENCRYPTED_DATA_INVALID)
        }
    }
}

impl CipherOp for BlockOp {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let mut out = self.update(input)?;
        out.extend_from_slice(&self.finalize()?);
        Ok(out)
    }

    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let ready = self.ready(self.pending.len().saturating_add(input.len()));
        if ready == 0 {
            self.pending.extend_from_slice(input);
            return Ok(Vec::new());
        }
        // ready >= BLOCK >= pending.len(), so this splits the input.
        let (now, later) = input
            .split_at_checked(ready - self.pending.len())
            .ok_or(CKR_GENERAL_ERROR)?;
        let mut out = Vec::with_capacity(ready);
        out.extend_from_slice(&self.pending);
        out.extend_from_slice(now);
        self.pending.clear();
        self.pending.extend_from_slice(later);
        self.process(&mut out);
        Ok(out)
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        match (self.mode, self.encrypt) {
            (Mode::CbcPad, true) => {
                let pad = BLOCK - self.pending.len();
                let mut block = Zeroizing::new([pad as u8; BLOCK]);
                block[..self.pending.len()].copy_from_slice(&self.pending);
                self.pending.clear();
                self.process(&mut block[..]);
                Ok(block.to_vec())
            }
            (Mode::CbcPad, false) => {
                let mut block = Zeroizing::new(
                    <[u8; BLOCK]>::try_from(self.pending.as_slice())
                        .map_err(|_| CKR_ENCRYPTED_DATA_LEN_RANGE)?,
                );
                self.pending.clear();
                self.process(&mut block[..]);
                let len = Self::unpad(&block)?;
                Ok(block[..len].to_vec())
            }
            _ if !self.pending.is_empty() => Err(len_error(self.encrypt)),
            _ => Ok(Vec::new()),
        }
    }

    fn output_bound(&self, input_len: usize, last: bool) -> usize {
        let total = self.pending.len().saturating_add(input_len);
        match (last, self.mode, self.encrypt) {
            (false, _, _) => self.ready(total),
            (true, Mode::CbcPad, true) => (total / BLOCK * BLOCK).saturating_add(BLOCK),
            // At least one byte of padding goes.
            (true, Mode::CbcPad, false) => total.saturating_sub(1),
            (true, _, _) => total / BLOCK * BLOCK,
        }
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}
