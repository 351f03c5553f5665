//! CKM_AES_CMAC and CKM_AES_CMAC_GENERAL (PKCS#11 3.1 mechanisms, "AES
//! CMAC"): CMAC after NIST SP 800-38B (RFC 4493), single- and multi-part.
//! CMAC_GENERAL's parameter, a CK_MAC_GENERAL_PARAMS (a CK_ULONG), is the
//! tag length in bytes, 1 to 16; CMAC gives the full 16 bytes.
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::BLOCK;
use super::block::{Cipher, xor};
use crate::constants::*;
use crate::mech::{SignOp, VerifyOp};
use crate::rv::CkResult;

/// Doubling in GF(2^128) with the CMAC polynomial (SP 800-38B 6.1).
fn dbl(v: u128) -> u128 {
    (v << 1) ^ ((v >> 127) * 0x87)
}

/// A CMAC in progress; the same state signs and verifies.
#[derive(Clone)]
pub(super) struct Cmac {
    cipher: Cipher,
    k1: Zeroizing<[u8; BLOCK]>,
    k2: Zeroizing<[u8; BLOCK]>,
    /// The CBC-MAC chaining value.
    state: Zeroizing<[u8; BLOCK]>,
    /// Input not chained yet: the last block is held back, since it is
    /// masked with K1 or K2 once the message is known to end.
    pending: Zeroizing<[u8; BLOCK]>,
    pending_len: usize,
    tag_len: usize,
}

impl Cmac {
    /// `tag_len` must be 1..=16 (checked by the caller).
    pub(super) fn new(cipher: Cipher, tag_len: usize) -> Self {
        let mut l = Zeroizing::new([0u8; BLOCK]);
        cipher.encrypt(&mut l[..]);
        let l = Zeroizing::new(u128::from_be_bytes(*l));
        let k1 = Zeroizing::new(dbl(*l));
        let k2 = Zeroizing::new(dbl(*k1));
        Cmac {
            cipher,
            k1: Zeroizing::new(k1.to_be_bytes()),
            k2: Zeroizing::new(k2.to_be_bytes()),
            state: Zeroizing::new([0; BLOCK]),
            pending: Zeroizing::new([0; BLOCK]),
            pending_len: 0,
            tag_len,
        }
    }

    fn chain(&mut self, block: &[u8]) {
        xor(&mut self.state[..], block);
        self.cipher.encrypt(&mut self.state[..]);
    }

    fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.pending_len == BLOCK {
                let block = self.pending.clone();
                self.chain(&block[..]);
                self.pending_len = 0;
            }
            let n = (BLOCK - self.pending_len).min(data.len());
            let (now, later) = data.split_at(n);
            self.pending[self.pending_len..self.pending_len + n].copy_from_slice(now);
            self.pending_len += n;
            data = later;
        }
    }

    /// The tag, cut to `tag_len` bytes; the state is spent.
    fn tag(&mut self) -> Zeroizing<Vec<u8>> {
        let mut last = Zeroizing::new([0u8; BLOCK]);
        last[..self.pending_len].copy_from_slice(&self.pending[..self.pending_len]);
        if self.pending_len == BLOCK {
            xor(&mut last[..], &self.k1[..]);
        } else {
            last[self.pending_len] = 0x80;
            xor(&mut last[..], &self.k2[..]);
        }
        self.chain(&last[..]);
        Zeroizing::new(self.state[..self.tag_len].to_vec())
    }
}

impl SignOp for Cmac {
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.feed(data);
        Ok(())
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        Ok(self.tag().to_vec())
    }

    fn signature_len(&self) -> usize {
        self.tag_len
    }
}

impl VerifyOp for Cmac {
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.feed(data);
        Ok(())
    }

    fn finalize(&mut self, signature: &[u8]) -> CkResult<()> {
        if signature.len() != self.tag_len {
            return Err(CKR_SIGNATURE_LEN_RANGE);
        }
        if bool::from(self.tag().ct_eq(signature)) {
            Ok(())
        } else {
            Err(CKR_SIGNATURE_INVALID)
        }
    }
}
