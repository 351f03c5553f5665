//! GHASH (NIST SP 800-38D section 6.4) fed in pieces of any length: the
//! `ghash` crate (constant-time software multiplication) for short inputs,
//! and for long runs of whole blocks a SIMD method of ours, constant time
//! too: 16 interleaved Horner streams multiplied by G = H^16 with 4-bit
//! table lookups done as byte shuffles.
//!
//! Why 16 streams: multiplication by a fixed G is linear over GF(2), so it
//! is a sum of 32 lookups (one per nibble of the input) in tables of 16
//! entries that depend on G only. A byte shuffle (`i8x16.swizzle`) looks up
//! 16 indices in one 16-entry table at once: that fits when the 16 lanes
//! are 16 different inputs to be multiplied by the same G. Splitting the
//! blocks C_0 .. C_{16m-1} by index mod 16 gives such inputs:
//!
//!   GHASH contribution = sum_i C_i H^(16m-i) = sum_s X_s H^(16-s),
//!   X_s = sum_g C_(16g+s) G^(m-1-g)   (Horner: X_s <- X_s G + C_(16g+s))
//!
//! The state held before the run is added into C_0. Lanes hold one byte
//! of each stream (the blocks are transposed 16 x 16), and the tables are
//! transposed likewise: `table[(2q+h) 16 + b]` has in lane n byte b of
//! (nibble h of byte q = n) G. No lookup index is anything but a lane
//! value, so nothing depends on secret data but register contents.
use std::sync::Arc;

use ghash::GHash;
use ghash::universal_hash::UniversalHash;
use zeroize::{Zeroize, Zeroizing};

use super::BLOCK;
use super::vector::V;

type Block = ghash::Block;

/// Whole blocks a feed must bring to take the SIMD path: below that the
/// table (~8 KB, built per operation) and the final folding cost more
/// than they save.
const BULK_MIN: usize = 4096;
/// Blocks per step of the SIMD path (the stream count).
const STREAMS: usize = 16;

/// GHASH under one key, fed in pieces of any length.
#[derive(Clone)]
pub(super) struct Ghash {
    h: Zeroizing<[u8; BLOCK]>,
    hash: GHash,
    /// A state to add into the next block `hash` takes (set after a SIMD
    /// run, which leaves `hash` fresh).
    carry: Option<Zeroizing<[u8; BLOCK]>>,
    partial: Zeroizing<[u8; BLOCK]>,
    len: usize,
    /// The SIMD tables, built at the first long feed (shared by clones).
    bulk: Option<Arc<Bulk>>,
}

impl Ghash {
    pub(super) fn new(h: [u8; BLOCK]) -> Self {
        Ghash {
            hash: GHash::new(&Block::from(h)),
            h: Zeroizing::new(h),
            carry: None,
            partial: Zeroizing::new([0; BLOCK]),
            len: 0,
            bulk: None,
        }
    }

    /// GHASH of `data` zero-padded, then `lengths`, from a fresh state (J0
    /// for IVs that are not 96 bits).
    pub(super) fn once(h: [u8; BLOCK], data: &[u8], lengths: [u8; BLOCK]) -> [u8; BLOCK] {
        let mut g = Ghash::new(h);
        g.feed(data);
        g.pad();
        g.feed(&lengths);
        g.value()
    }

    pub(super) fn feed(&mut self, mut data: &[u8]) {
        if self.len > 0 {
            let n = (BLOCK - self.len).min(data.len());
            let (head, rest) = data.split_at(n);
            self.partial[self.len..self.len + n].copy_from_slice(head);
            self.len += n;
            data = rest;
            if self.len < BLOCK {
                return;
            }
            let block = *self.partial;
            self.blocks(&block);
            self.len = 0;
        }
        let whole = data.len() / BLOCK * BLOCK;
        let (blocks, tail) = data.split_at(whole);
        self.blocks(blocks);
        self.partial[..tail.len()].copy_from_slice(tail);
        self.len = tail.len();
    }

    /// Ends a zero-padded section (the AAD or the ciphertext).
    pub(super) fn pad(&mut self) {
        if self.len > 0 {
            self.partial[self.len..].fill(0);
            let block = *self.partial;
            self.blocks(&block);
            self.len = 0;
        }
    }

    /// The value so far (whole blocks fed; call `pad` first).
    pub(super) fn value(&self) -> [u8; BLOCK] {
        match &self.carry {
            Some(c) => **c,
            None => self.hash.clone().finalize().into(),
        }
    }

    /// Whole blocks: the SIMD path for the long run of them, else the crate.
    fn blocks(&mut self, data: &[u8]) {
        let bulk_len = if data.len() >= BULK_MIN {
            data.len() / (STREAMS * BLOCK) * (STREAMS * BLOCK)
        } else {
            0
        };
        let (run, rest) = data.split_at(bulk_len);
        if !run.is_empty() {
            let y = self.value();
            let bulk = self
                .bulk
                .get_or_insert_with(|| Arc::new(Bulk::new(&self.h)));
            let folded = bulk.absorb(y, run);
            self.hash = GHash::new(&Block::from(*self.h));
            self.carry = Some(Zeroizing::new(folded));
        }
        let (blocks, _) = Block::slice_as_chunks(rest);
        let Some((first, others)) = blocks.split_first() else {
            return;
        };
        match self.carry.take() {
            Some(c) => {
                let mut b = *first;
                b.iter_mut().zip(c.iter()).for_each(|(x, y)| *x ^= y);
                self.hash.update(&[b]);
                b.as_mut_slice().zeroize();
            }
            None => self.hash.update(core::slice::from_ref(first)),
        }
        self.hash.update(others);
    }
}

/// a * b in GHASH's field (the `ghash` crate: one block from a zero state).
fn mul(a: &[u8; BLOCK], b: &[u8; BLOCK]) -> [u8; BLOCK] {
    let mut g = GHash::new(&Block::from(*b));
    g.update(&[Block::from(*a)]);
    g.finalize().into()
}

/// The SIMD path's tables for G = H^16 and the powers H^1..H^16.
struct Bulk {
    table: Box<[V; 32 * 16]>,
    /// powers[k] = H^(k+1).
    powers: [[u8; BLOCK]; STREAMS],
}

impl Drop for Bulk {
    fn drop(&mut self) {
        self.powers.zeroize();
        for v in self.table.iter_mut() {
            *v = V::zero();
        }
        core::hint::black_box(&self.table);
    }
}

impl Bulk {
    fn new(h: &[u8; BLOCK]) -> Bulk {
        let mut powers = [[0u8; BLOCK]; STREAMS];
        powers[0] = *h;
        for k in 1..STREAMS {
            powers[k] = mul(&powers[k - 1], h);
        }
        Bulk {
            table: build_table(&powers[STREAMS - 1]),
            powers,
        }
    }

    /// The GHASH state after `state` and the whole groups of 16 blocks of
    /// `data` (a non-empty multiple of 256 bytes).
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn absorb(&self, state: [u8; BLOCK], data: &[u8]) -> [u8; BLOCK] {
        let mut x = [V::zero(); STREAMS];
        for (g, group) in data.chunks_exact(STREAMS * BLOCK).enumerate() {
            let mut c: [V; STREAMS] = core::array::from_fn(|s| V::load(&group[BLOCK * s..]));
            if g == 0 {
                c[0] = c[0].xor(V::from_bytes(state));
            }
            transpose(&mut c);
            // X <- X G + C (X starts at 0: the first group is C itself).
            let xg = if g == 0 { x } else { self.times_g(x) };
            x = core::array::from_fn(|b| xg[b].xor(c[b]));
        }
        // Undo the transposition: x[s] is stream s; fold with H^(16-s).
        transpose(&mut x);
        let mut out = [0u8; BLOCK];
        for (s, xs) in x.iter().enumerate() {
            let p = mul(&xs.to_bytes(), &self.powers[STREAMS - 1 - s]);
            out.iter_mut().zip(p).for_each(|(o, p)| *o ^= p);
        }
        x.iter_mut().for_each(|v| *v = V::zero());
        out
    }

    /// y G for 16 transposed values (lane s of y[b] = byte b of value s).
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn times_g(&self, y: [V; STREAMS]) -> [V; STREAMS] {
        // Half of the output bytes per pass, input byte by byte: the eight
        // sums and the two nibble vectors stay in registers (all 16 sums,
        // or all 32 nibble vectors, would not fit), and each lookup is a
        // table load, a swizzle and an XOR.
        let mut out = [V::zero(); STREAMS];
        for (half, sums) in out.chunks_exact_mut(STREAMS / 2).enumerate() {
            let mut acc = [V::zero(); STREAMS / 2];
            for (q, yq) in y.iter().enumerate() {
                let (lo, hi) = (yq.lo_nibbles(), yq.hi_nibbles());
                let at = |h: usize| (2 * q + h) * STREAMS + half * STREAMS / 2;
                let t_lo = &self.table[at(0)..at(0) + STREAMS / 2];
                let t_hi = &self.table[at(1)..at(1) + STREAMS / 2];
                for (i, a) in acc.iter_mut().enumerate() {
                    *a = a.xor(V::lookup(t_lo[i], lo)).xor(V::lookup(t_hi[i], hi));
                }
            }
            sums.copy_from_slice(&acc);
        }
        out
    }
}

/// The transposed lookup tables of multiplication by `g` (see the module
/// comment), from the 128 products x^p g, p = 0..127 (GCM's bit order:
/// bit 7 of byte 0 is x^0; times x is a right shift, reduced by 0xE1).
fn build_table(g: &[u8; BLOCK]) -> Box<[V; 32 * 16]> {
    let mut basis = Zeroizing::new([0u128; 128]);
    let mut v = u128::from_be_bytes(*g);
    for b in basis.iter_mut() {
        *b = v;
        let reduce = 0u128.wrapping_sub(v & 1) & (0xe1u128 << 120);
        v = (v >> 1) ^ reduce;
    }
    v.zeroize();
    let mut table = Box::new([V::zero(); 32 * 16]);
    for q in 0..BLOCK {
        for h in 0..2 {
            // Bit i of nibble h of byte q is bit 4h + i of the byte: x^(8q + 7 - 4h - i).
            let mut entries = Zeroizing::new([0u128; 16]);
            for n in 1..16usize {
                let low = n.trailing_zeros() as usize;
                entries[n] = entries[n & (n - 1)] ^ basis[8 * q + 7 - 4 * h - low];
            }
            let mut rows: [V; 16] =
                core::array::from_fn(|n| V::from_bytes(entries[n].to_be_bytes()));
            transpose(&mut rows);
            table[(2 * q + h) * 16..(2 * q + h + 1) * 16].copy_from_slice(&rows);
        }
    }
    table
}

/// Transposes a 16 x 16 byte matrix held as 16 rows: four rounds of
/// pairing row i with row i + 8 byte by byte (each round rotates the
/// 8-bit element address left by one; four swap row and column).
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn transpose(m: &mut [V; 16]) {
    for _ in 0..4 {
        let src = *m;
        for i in 0..8 {
            m[2 * i] = V::interleave_lo(src[i], src[i + 8]);
            m[2 * i + 1] = V::interleave_hi(src[i], src[i + 8]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(seed: u64, n: usize) -> Vec<u8> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 33) as u8
            })
            .collect()
    }

    /// The crate alone, block by block: the reference.
    fn reference(h: [u8; 16], pieces: &[&[u8]]) -> [u8; 16] {
        let mut g = GHash::new(&Block::from(h));
        let all: Vec<u8> = pieces.concat();
        g.update_padded(&all);
        g.finalize().into()
    }

    #[test]
    fn transpose_is_a_transpose() {
        let rows: [V; 16] =
            core::array::from_fn(|r| V::from_bytes(core::array::from_fn(|c| (16 * r + c) as u8)));
        let mut t = rows;
        transpose(&mut t);
        for (c, col) in t.iter().enumerate() {
            assert_eq!(col.to_bytes(), core::array::from_fn(|r| (16 * r + c) as u8));
        }
    }

    /// The SIMD path (long feeds) and the crate agree, whatever the piece
    /// sizes around it and the state before it.
    #[test]
    fn simd_path_equals_the_crate() {
        let h: [u8; 16] = bytes(1, 16).try_into().unwrap();
        for (seed, sizes) in [
            (2, vec![4096]),
            (3, vec![8192 + 256 + 16]),
            (4, vec![5, 4096 + 11, 300, 16 * 300 + 3]),
            (5, vec![100, 10_000, 0, 7, 65_536]),
        ] {
            let data: Vec<Vec<u8>> = sizes
                .iter()
                .enumerate()
                .map(|(i, &n)| bytes(seed * 100 + i as u64, n))
                .collect();
            let pieces: Vec<&[u8]> = data.iter().map(|d| d.as_slice()).collect();
            let mut g = Ghash::new(h);
            for p in &pieces {
                g.feed(p);
            }
            g.pad();
            assert_eq!(g.value(), reference(h, &pieces), "sizes {sizes:?}");
            assert!(g.bulk.is_some(), "the SIMD path ran");
        }
    }

    #[test]
    fn table_times_g_equals_the_crate() {
        let h: [u8; 16] = bytes(9, 16).try_into().unwrap();
        let bulk = Bulk::new(&h);
        let g = bulk.powers[15];
        let inputs: [[u8; 16]; 16] =
            core::array::from_fn(|s| bytes(20 + s as u64, 16).try_into().unwrap());
        let mut y: [V; 16] = core::array::from_fn(|s| V::from_bytes(inputs[s]));
        transpose(&mut y);
        let mut out = bulk.times_g(y);
        transpose(&mut out);
        for s in 0..16 {
            assert_eq!(out[s].to_bytes(), mul(&inputs[s], &g), "stream {s}");
        }
    }
}
