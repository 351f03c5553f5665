//! CKM_AES_CTS (PKCS#11 3.1 mechanisms, "AES-CTS"): CBC with ciphertext
//! stealing after the addendum to NIST SP 800-38A. PKCS#11 does not say
//! which of its three variants; this is CBC-CS1, as NSS and kryoptic
//! (OpenSSL's default) implement it: the ciphertext is C1 .. Cn-2,
//! the first d bytes of Cn-1, then Cn, where d is the length of the last
//! partial block. Whole-block input gives plain CBC. The parameter is a
//! 16-byte IV; the input is at least one block.
use zeroize::Zeroizing;

use super::BLOCK;
use super::block::{Cipher, len_error, xor};
use crate::mech::CipherOp;
use crate::rv::CkResult;

/// CTS in progress. The last two (possibly partial) blocks are held until
/// the end, since where the message ends decides how they are processed.
#[derive(Clone)]
pub(super) struct CtsOp {
    cipher: Cipher,
    encrypt: bool,
    /// The CBC chaining value: the IV, then the last ciphertext block.
    chain: [u8; BLOCK],
    /// Input not processed yet (plaintext when encrypting: wiped).
    pending: Zeroizing<Vec<u8>>,
}

/// How many of `total` held bytes can go through CBC now: all but the
/// last 17 to 32 (a message's tail may still be stolen into).
fn ready(total: usize) -> usize {
    if total > 2 * BLOCK {
        (total - (BLOCK + 1)) / BLOCK * BLOCK
    } else {
        0
    }
}

impl CtsOp {
    pub(super) fn new(cipher: Cipher, iv: [u8; BLOCK], encrypt: bool) -> Self {
        CtsOp {
            cipher,
            encrypt,
            chain: iv,
            pending: Zeroizing::new(Vec::new()),
        }
    }

    /// CBC over whole blocks in place, in the operation's direction.
    fn cbc(&mut self, data: &mut [u8]) {
        for block in data.chunks_exact_mut(BLOCK) {
            if self.encrypt {
                xor(block, &self.chain);
                self.cipher.encrypt(block);
                self.chain.copy_from_slice(block);
            } else {
                let mut c = [0u8; BLOCK];
                c.copy_from_slice(block);
                self.cipher.decrypt(block);
                xor(block, &self.chain);
                self.chain = c;
            }
        }
    }

    /// The last 17 to 31 bytes: one whole block and a partial one.
    fn steal(&mut self, tail: &[u8]) -> Vec<u8> {
        let d = tail.len() - BLOCK;
        let mut out = Zeroizing::new(vec![0u8; tail.len()]);
        if self.encrypt {
            // C(n-1) = CBC(P(n-1)); Cn = E(C(n-1) ^ (Pn || 0)).
            let mut c_prev = Zeroizing::new([0u8; BLOCK]);
            c_prev.copy_from_slice(&tail[..BLOCK]);
            self.cbc(&mut c_prev[..]);
            let mut c_last = Zeroizing::new([0u8; BLOCK]);
            c_last[..d].copy_from_slice(&tail[BLOCK..]);
            xor(&mut c_last[..], &c_prev[..]);
            self.cipher.encrypt(&mut c_last[..]);
            out[..d].copy_from_slice(&c_prev[..d]);
            out[d..].copy_from_slice(&c_last[..]);
        } else {
            // Z = D(Cn) = C(n-1) ^ (Pn || 0): Pn = Z[..d] ^ C*(n-1), and
            // C(n-1) = C*(n-1) || Z[d..].
            let (c_star, c_last) = tail.split_at(d);
            let mut z = Zeroizing::new([0u8; BLOCK]);
            z.copy_from_slice(c_last);
            self.cipher.decrypt(&mut z[..]);
            let mut c_prev = Zeroizing::new([0u8; BLOCK]);
            c_prev[..d].copy_from_slice(c_star);
            c_prev[d..].copy_from_slice(&z[d..]);
            out[BLOCK..].copy_from_slice(&z[..d]);
            xor(&mut out[BLOCK..], c_star);
            self.cbc(&mut c_prev[..]);
            out[..BLOCK].copy_from_slice(&c_prev[..]);
        }
        out.to_vec()
    }
}

impl CipherOp for CtsOp {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let mut out = self.update(input)?;
        out.extend_from_slice(&self.finalize()?);
        Ok(out)
    }

    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.pending.extend_from_slice(input);
        let n = ready(self.pending.len());
        let mut out: Vec<u8> = self.pending.drain(..n).collect();
        self.cbc(&mut out);
        Ok(out)
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        let tail = Zeroizing::new(std::mem::take(&mut *self.pending));
        if tail.len() < BLOCK {
            return Err(len_error(self.encrypt));
        }
        if tail.len() > 2 * BLOCK {
            // `update` never holds more than two blocks.
            return Err(crate::constants::CKR_GENERAL_ERROR);
        }
        if tail.len().is_multiple_of(BLOCK) {
            let mut out = tail.to_vec();
            self.cbc(&mut out);
            return Ok(out);
        }
        Ok(self.steal(&tail))
    }

    fn output_bound(&self, input_len: usize, last: bool) -> usize {
        let total = self.pending.len().saturating_add(input_len);
        if last { total } else { ready(total) }
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}
