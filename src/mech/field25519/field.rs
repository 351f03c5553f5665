//! GF(2^255 - 19) for the X25519 ladder, in radix 2^25.5: ten limbs of
//! 26 and 25 bits alternately (limb i holds bits from ceil(25.5 i)). In
//! wasm the 32x32->64-bit products are single `i64.mul`s; the u64 limbs
//! of curve25519-dalek's 64-bit backend need 128-bit products, which wasm
//! emulates, and its 32-bit backend (used in wasm) reduces after every
//! subtraction and multiplies by (A+2)/4 as a full field element.
//!
//! Limbs are u64 and unsigned. Bounds (checked by the tests' worst cases):
//! a carried element has limbs below 2^26 / 2^25 (limb 1 up to 2^25 +
//! 2^18); `add` of two carried elements and `sub` (which adds 2p so that
//! nothing underflows) give limbs below 2^27.6 / 2^26.6, and every
//! column sum of `mul`/`square` of such inputs stays below 2^63.
//! Everything here runs in time independent of the values.

/// A field element, limbs as described above.
#[derive(Clone, Copy)]
pub(crate) struct Fe(pub(crate) [u64; 10]);

const MASK26: u64 = (1 << 26) - 1;
const MASK25: u64 = (1 << 25) - 1;

/// 2p in the limb layout: what `sub` adds so that no limb underflows.
pub(crate) const TWO_P: [u64; 10] = [
    2 * (MASK26 - 18),
    2 * MASK25,
    2 * MASK26,
    2 * MASK25,
    2 * MASK26,
    2 * MASK25,
    2 * MASK26,
    2 * MASK25,
    2 * MASK26,
    2 * MASK25,
];

/// Bit offset of each limb (ceil(25.5 i)).
const OFFSET: [usize; 10] = [0, 26, 51, 77, 102, 128, 153, 179, 204, 230];

/// Width of limb i.
const fn width(i: usize) -> u32 {
    if i & 1 == 0 { 26 } else { 25 }
}

/// The carry order of `Fe` and of `field_pair::Fe2`, written out (as a
/// loop over the order, LLVM keeps the limbs in memory and indexes them
/// at run time): two interleaved chains, from limb 0 and from limb 4,
/// then `wrap` folds the carry out of limb 9 into limb 0 (2^255 = 19 mod
/// p), then limb 0 once more. `step!(i, width, next)` carries limb i.
macro_rules! carry_chain {
    ($step:ident, $wrap:ident) => {
        $step!(0, 26, 1);
        $step!(4, 26, 5);
        $step!(1, 25, 2);
        $step!(5, 25, 6);
        $step!(2, 26, 3);
        $step!(6, 26, 7);
        $step!(3, 25, 4);
        $step!(7, 25, 8);
        $step!(4, 26, 5);
        $step!(8, 26, 9);
        $wrap!();
        $step!(0, 26, 1);
    };
}
#[cfg(target_arch = "wasm32")]
pub(crate) use carry_chain;

impl Fe {
    pub(crate) const ZERO: Fe = Fe([0; 10]);
    pub(crate) const ONE: Fe = Fe([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

    /// The u-coordinate as RFC 7748 section 5 decodes it: little-endian,
    /// the most significant bit ignored; values in [p, 2^255) are kept
    /// as they are (the arithmetic reduces them).
    pub(crate) fn from_bytes(b: &[u8; 32]) -> Fe {
        let mut f = [0u64; 10];
        for (i, limb) in f.iter_mut().enumerate() {
            // Every limb lies within the 4 bytes from its first one.
            let at = OFFSET[i] / 8;
            let word = u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
            *limb = u64::from(word >> (OFFSET[i] % 8)) & ((1 << width(i)) - 1);
        }
        Fe(f)
    }

    /// The canonical 32-byte little-endian encoding (fully reduced).
    pub(crate) fn to_bytes(self) -> [u8; 32] {
        let mut h = self.carry().0;
        // q = 1 exactly when h >= p, i.e. when h + 19 reaches 2^255.
        let mut q = (h[0] + 19) >> 26;
        for (i, &limb) in h.iter().enumerate().skip(1) {
            q = (limb + q) >> width(i);
        }
        // h - q p = h + 19 q - q 2^255: add 19 q, carry, drop bit 255.
        h[0] += 19 * q;
        for i in 0..9 {
            let c = h[i] >> width(i);
            h[i] &= (1 << width(i)) - 1;
            h[i + 1] += c;
        }
        h[9] &= MASK25;
        let mut out = [0u8; 32];
        let (mut acc, mut bits, mut at) = (0u64, 0u32, 0usize);
        for (i, &limb) in h.iter().enumerate() {
            acc |= limb << bits;
            bits += width(i);
            while bits >= 8 {
                out[at] = acc as u8;
                acc >>= 8;
                bits -= 8;
                at += 1;
            }
        }
        out[at] = acc as u8;
        out
    }

    pub(crate) fn add(&self, g: &Fe) -> Fe {
        Fe(core::array::from_fn(|i| self.0[i] + g.0[i]))
    }

    /// self - g + 2p (g carried).
    pub(crate) fn sub(&self, g: &Fe) -> Fe {
        Fe(core::array::from_fn(|i| self.0[i] + TWO_P[i] - g.0[i]))
    }

    /// self * n for a small n (< 2^17), carried.
    pub(crate) fn mul_small(&self, n: u32) -> Fe {
        let n = u64::from(n);
        Fe(core::array::from_fn(|i| self.0[i] * n)).carry()
    }

    /// Limbs back to 26/25 bits: two interleaved carry chains (more
    /// instruction-level parallelism than one), 2^255 = 19 mod p. Limb 5
    /// may end one above 2^25 - 1 (the second carry out of limb 4).
    pub(crate) fn carry(&self) -> Fe {
        let mut h = self.0;
        macro_rules! step {
            ($i:literal, $w:literal, $next:literal) => {
                let c = h[$i] >> $w;
                h[$i] &= (1 << $w) - 1;
                h[$next] += c;
            };
        }
        macro_rules! wrap {
            () => {
                let c = h[9] >> 25;
                h[9] &= MASK25;
                h[0] += 19 * c;
            };
        }
        carry_chain!(step, wrap);
        Fe(h)
    }

    /// self * g, carried. The products as the schoolbook sum of f_i g_j
    /// 2^(o_i + o_j): a factor 2 when i and j are both odd (o_i + o_j is
    /// one more than the offset of limb i + j), 19 when i + j >= 10
    /// (2^255 = 19 mod p).
    pub(crate) fn mul(&self, g: &Fe) -> Fe {
        self.product(g)
    }

    /// `mul`'s body (always inlined: `Fe2::mul_and_scalar` needs it in
    /// line).
    #[allow(clippy::identity_op)]
    #[inline(always)]
    pub(crate) fn product(&self, g: &Fe) -> Fe {
        let (f, g) = (&self.0, &g.0);
        let f2: [u64; 10] = core::array::from_fn(|i| 2 * f[i]);
        let g19: [u64; 10] = core::array::from_fn(|j| 19 * g[j]);
        let h0 = f[0] * g[0]
            + f2[1] * g19[9]
            + f[2] * g19[8]
            + f2[3] * g19[7]
            + f[4] * g19[6]
            + f2[5] * g19[5]
            + f[6] * g19[4]
            + f2[7] * g19[3]
            + f[8] * g19[2]
            + f2[9] * g19[1];
        let h1 = f[0] * g[1]
            + f[1] * g[0]
            + f[2] * g19[9]
            + f[3] * g19[8]
            + f[4] * g19[7]
            + f[5] * g19[6]
            + f[6] * g19[5]
            + f[7] * g19[4]
            + f[8] * g19[3]
            + f[9] * g19[2];
        let h2 = f[0] * g[2]
            + f2[1] * g[1]
            + f[2] * g[0]
            + f2[3] * g19[9]
            + f[4] * g19[8]
            + f2[5] * g19[7]
            + f[6] * g19[6]
            + f2[7] * g19[5]
            + f[8] * g19[4]
            + f2[9] * g19[3];
        let h3 = f[0] * g[3]
            + f[1] * g[2]
            + f[2] * g[1]
            + f[3] * g[0]
            + f[4] * g19[9]
            + f[5] * g19[8]
            + f[6] * g19[7]
            + f[7] * g19[6]
            + f[8] * g19[5]
            + f[9] * g19[4];
        let h4 = f[0] * g[4]
            + f2[1] * g[3]
            + f[2] * g[2]
            + f2[3] * g[1]
            + f[4] * g[0]
            + f2[5] * g19[9]
            + f[6] * g19[8]
            + f2[7] * g19[7]
            + f[8] * g19[6]
            + f2[9] * g19[5];
        let h5 = f[0] * g[5]
            + f[1] * g[4]
            + f[2] * g[3]
            + f[3] * g[2]
            + f[4] * g[1]
            + f[5] * g[0]
            + f[6] * g19[9]
            + f[7] * g19[8]
            + f[8] * g19[7]
            + f[9] * g19[6];
        let h6 = f[0] * g[6]
            + f2[1] * g[5]
            + f[2] * g[4]
            + f2[3] * g[3]
            + f[4] * g[2]
            + f2[5] * g[1]
            + f[6] * g[0]
            + f2[7] * g19[9]
            + f[8] * g19[8]
            + f2[9] * g19[7];
        let h7 = f[0] * g[7]
            + f[1] * g[6]
            + f[2] * g[5]
            + f[3] * g[4]
            + f[4] * g[3]
            + f[5] * g[2]
            + f[6] * g[1]
            + f[7] * g[0]
            + f[8] * g19[9]
            + f[9] * g19[8];
        let h8 = f[0] * g[8]
            + f2[1] * g[7]
            + f[2] * g[6]
            + f2[3] * g[5]
            + f[4] * g[4]
            + f2[5] * g[3]
            + f[6] * g[2]
            + f2[7] * g[1]
            + f[8] * g[0]
            + f2[9] * g19[9];
        let h9 = f[0] * g[9]
            + f[1] * g[8]
            + f[2] * g[7]
            + f[3] * g[6]
            + f[4] * g[5]
            + f[5] * g[4]
            + f[6] * g[3]
            + f[7] * g[2]
            + f[8] * g[1]
            + f[9] * g[0];
        Fe([h0, h1, h2, h3, h4, h5, h6, h7, h8, h9]).carry()
    }

    /// self^2, carried: `mul`'s terms with f_i f_j and f_j f_i merged.
    pub(crate) fn square(&self) -> Fe {
        let f = &self.0;
        let f2: [u64; 10] = core::array::from_fn(|i| 2 * f[i]);
        let f19: [u64; 10] = core::array::from_fn(|i| 19 * f[i]);
        let f38: [u64; 10] = core::array::from_fn(|i| 38 * f[i]);
        let h0 = f[0] * f[0]
            + f2[1] * f38[9]
            + f2[2] * f19[8]
            + f2[3] * f38[7]
            + f2[4] * f19[6]
            + f[5] * f38[5];
        let h1 = f2[0] * f[1] + f2[2] * f19[9] + f2[3] * f19[8] + f2[4] * f19[7] + f2[5] * f19[6];
        let h2 = f2[0] * f[2]
            + f[1] * f2[1]
            + f2[3] * f38[9]
            + f2[4] * f19[8]
            + f2[5] * f38[7]
            + f[6] * f19[6];
        let h3 = f2[0] * f[3] + f2[1] * f[2] + f2[4] * f19[9] + f2[5] * f19[8] + f2[6] * f19[7];
        let h4 = f2[0] * f[4]
            + f2[1] * f2[3]
            + f[2] * f[2]
            + f2[5] * f38[9]
            + f2[6] * f19[8]
            + f[7] * f38[7];
        let h5 = f2[0] * f[5] + f2[1] * f[4] + f2[2] * f[3] + f2[6] * f19[9] + f2[7] * f19[8];
        let h6 = f2[0] * f[6]
            + f2[1] * f2[5]
            + f2[2] * f[4]
            + f[3] * f2[3]
            + f2[7] * f38[9]
            + f[8] * f19[8];
        let h7 = f2[0] * f[7] + f2[1] * f[6] + f2[2] * f[5] + f2[3] * f[4] + f2[8] * f19[9];
        let h8 = f2[0] * f[8]
            + f2[1] * f2[7]
            + f2[2] * f[6]
            + f2[3] * f2[5]
            + f[4] * f[4]
            + f[9] * f38[9];
        let h9 = f2[0] * f[9] + f2[1] * f[8] + f2[2] * f[7] + f2[3] * f[6] + f2[4] * f[5];
        Fe([h0, h1, h2, h3, h4, h5, h6, h7, h8, h9]).carry()
    }

    /// self^(2^k), k >= 1.
    fn square_times(&self, k: u32) -> Fe {
        let mut x = self.square();
        for _ in 1..k {
            x = x.square();
        }
        x
    }

    /// (self^(2^250 - 1), self^11): the common start of the addition
    /// chains of inversion and of square roots (~250 squarings, 10
    /// products).
    pub(crate) fn pow_2_250_minus_1(&self) -> (Fe, Fe) {
        let z = self;
        let z2 = z.square();
        let z9 = z2.square_times(2).mul(z);
        let z11 = z9.mul(&z2);
        let z_5_0 = z11.square().mul(&z9);
        let z_10_0 = z_5_0.square_times(5).mul(&z_5_0);
        let z_20_0 = z_10_0.square_times(10).mul(&z_10_0);
        let z_40_0 = z_20_0.square_times(20).mul(&z_20_0);
        let z_50_0 = z_40_0.square_times(10).mul(&z_10_0);
        let z_100_0 = z_50_0.square_times(50).mul(&z_50_0);
        let z_200_0 = z_100_0.square_times(100).mul(&z_100_0);
        (z_200_0.square_times(50).mul(&z_50_0), z11)
    }

    /// self^(p-2) = 1/self (0 for 0), by the usual addition chain
    /// (254 squarings, 11 multiplications): the reference `invert.rs` is
    /// tested against.
    #[cfg(test)]
    pub(crate) fn invert(&self) -> Fe {
        let (z_250_0, z11) = self.pow_2_250_minus_1();
        z_250_0.square_times(5).mul(&z11)
    }

    /// Swaps a and b when `mask` is all ones, keeps them when it is 0,
    /// without a branch.
    pub(crate) fn cswap(a: &mut Fe, b: &mut Fe, mask: u64) {
        for (x, y) in a.0.iter_mut().zip(b.0.iter_mut()) {
            let t = mask & (*x ^ *y);
            *x ^= t;
            *y ^= t;
        }
    }
}
