//! The counter mode keystream (shared with GCM's GCTR) and CKM_AES_CTR.
use zeroize::Zeroizing;

use super::BLOCK;
use super::block::{Cipher, len_error, xor};
use crate::mech::CipherOp;
use crate::rv::CkResult;

// ---------------------------------------------------------------------------
// Counter mode keystream (CTR, and GCM's GCTR)

/// Blocks of keystream made per call of the block cipher (lets the cipher
/// work on several blocks in parallel).
const BATCH: usize = 32;

/// E_K(counter block) for successive counter blocks, of which only the
/// low bits selected by `mask` change (modulo 2^bits).
#[derive(Clone)]
pub(super) struct Keystream {
    cipher: Cipher,
    pub(super) counter: u128,
    mask: u128,
    /// The keystream block in use and how many of its bytes are spent.
    spare: Zeroizing<[u8; BLOCK]>,
    used: usize,
}

impl Keystream {
    pub(super) fn new(cipher: Cipher, counter_block: [u8; BLOCK], bits: u32) -> Self {
        let mask = if bits >= 128 {
            u128::MAX
        } else {
            (1u128 << bits) - 1
        };
        let counter = u128::from_be_bytes(counter_block);
        Keystream {
            cipher,
            counter,
            mask,
            spare: Zeroizing::new([0; BLOCK]),
            used: BLOCK,
        }
    }

    /// The block cipher making the stream.
    pub(super) fn cipher(&self) -> &Cipher {
        &self.cipher
    }

    /// Returns the current counter block and steps to the next.
    pub(super) fn next_counter(&mut self) -> [u8; BLOCK] {
        let current = self.counter;
        self.counter = (current & !self.mask) | (current.wrapping_add(1) & self.mask);
        current.to_be_bytes()
    }

    /// Writes the next counter blocks into `out` (whole blocks) and steps
    /// past them. When no step carries out of the low 32 bits or wraps
    /// the counter field (nearly always), the blocks differ only in their
    /// last four bytes: written from a 32-bit count, without the 128-bit
    /// arithmetic of `next_counter` per block.
    fn fill_counters(&mut self, out: &mut [u8]) {
        let n = (out.len() / BLOCK) as u32;
        let low = self.counter as u32;
        let field = self.counter & self.mask;
        let simple = n > 0
            && low.checked_add(n - 1).is_some()
            && (self.mask >> 32 != 0 || field + (n as u128 - 1) <= self.mask);
        if !simple {
            for block in out.chunks_exact_mut(BLOCK) {
                block.copy_from_slice(&self.next_counter());
            }
            return;
        }
        let template = self.counter.to_be_bytes();
        for (i, block) in out.chunks_exact_mut(BLOCK).enumerate() {
            block[..12].copy_from_slice(&template[..12]);
            block[12..].copy_from_slice(&low.wrapping_add(i as u32).to_be_bytes());
        }
        self.counter =
            (self.counter & !self.mask) | (self.counter.wrapping_add(n as u128) & self.mask);
    }

    /// How many new counter blocks `len` more bytes consume.
    fn blocks_for(&self, len: usize) -> u128 {
        let spare = BLOCK.saturating_sub(self.used);
        (len.saturating_sub(spare) as u128).div_ceil(BLOCK as u128)
    }

    /// XORs the keystream into `data`.
    pub(super) fn apply(&mut self, data: &mut [u8]) {
        let spare = BLOCK.saturating_sub(self.used).min(data.len());
        let (head, mut rest) = data.split_at_mut(spare);
        xor(head, self.spare.get(self.used..).unwrap_or_default());
        self.used += spare;
        let mut stream = Zeroizing::new([0u8; BATCH * BLOCK]);
        while rest.len() >= BLOCK {
            let n = (rest.len() / BLOCK).min(BATCH) * BLOCK;
            self.fill_counters(&mut stream[..n]);
            self.cipher.encrypt(&mut stream[..n]);
            let (now, later) = rest.split_at_mut(n);
            xor(now, &stream[..n]);
            rest = later;
        }
        if !rest.is_empty() {
            *self.spare = self.next_counter();
            self.cipher.encrypt(&mut self.spare[..]);
            xor(rest, &self.spare[..]);
            self.used = rest.len();
        }
    }
}

/// CKM_AES_CTR: the low `counter_bits` bits of the counter block count up.
/// Data that would make them wrap is refused, since that would reuse
/// keystream ("AES with Counter").
#[derive(Clone)]
pub(super) struct CtrOp {
    stream: Keystream,
    /// Counter blocks left before the counter wraps.
    blocks_left: u128,
    encrypt: bool,
}

impl CtrOp {
    pub(super) fn new(cipher: Cipher, block: [u8; BLOCK], bits: u32, encrypt: bool) -> Self {
        let stream = Keystream::new(cipher, block, bits);
        let blocks_left = (stream.mask - (stream.counter & stream.mask)).saturating_add(1);
        CtrOp {
            stream,
            blocks_left,
            encrypt,
        }
    }
}

impl CipherOp for CtrOp {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.update(input)
    }

    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let needed = self.stream.blocks_for(input.len());
        if needed > self.blocks_left {
            return Err(len_error(self.encrypt));
        }
        self.blocks_left -= needed;
        let mut out = input.to_vec();
        self.stream.apply(&mut out);
        Ok(out)
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        Ok(Vec::new())
    }

    fn output_bound(&self, input_len: usize, _last: bool) -> usize {
        input_len
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keystream, batched with the 32-bit fast path, equals E_K of the
    /// counter blocks stepped one by one, where a batch starts just below
    /// a carry out of the low word, a wrap of the counter field, or both.
    #[test]
    fn batched_counters_equal_single_steps() {
        let cipher = Cipher::from_bytes(&[7; 32]).unwrap();
        let prefix = 0x0123_4567_89ab_cdef_0011_2233_0000_0000u128;
        for (low, bits) in [
            (0u32, 32),
            (0xffff_fff0, 32),
            (0xffff_fff0, 64),
            (0xffff_fff0, 128),
            (0x0000_00f0, 8),
            (0x0000_ffe0, 16),
            (0x1234_5678, 40),
        ] {
            let start = (prefix | low as u128).to_be_bytes();
            let mut fast = Keystream::new(cipher.clone(), start, bits);
            let mut got = vec![0u8; 16 * 80 + 5];
            fast.apply(&mut got);
            let mut slow = Keystream::new(cipher.clone(), start, bits);
            let mut want = vec![0u8; got.len()];
            for chunk in want.chunks_mut(BLOCK) {
                let mut ks = slow.next_counter();
                cipher.encrypt(&mut ks);
                chunk.copy_from_slice(&ks[..chunk.len()]);
            }
            assert_eq!(got, want, "low {low:#x}, {bits} bits");
            assert_eq!(fast.counter, slow.counter, "low {low:#x}, {bits} bits");
        }
    }
}
