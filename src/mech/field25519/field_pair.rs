//! Two field elements at once on wasm SIMD (wasm32 only): limb i of
//! both in one v128, the first in 32-bit lane 0, the second in lane 1
//! (lanes 2 and 3 unused). `i64x2.extmul_low_i32x4_u` forms both 32x32
//! ->64-bit products of a limb pair in one instruction, off the scalar
//! multiplier that bounds `field::Fe` (one `i64.mul` per product). Same
//! radix, formulas and bounds as `field` (every lane value below 2^32:
//! 19 and 38 times a limb below 2^27.6 / 2^26.6 included).
use core::arch::wasm32::*;

use super::field::{Fe, TWO_P, carry_chain};

#[derive(Clone, Copy)]
pub(crate) struct Fe2(pub(crate) [v128; 10]);

/// The limbs as read from memory, volatile so that LLVM cannot fold the
/// read into `m`'s widening: it would read them with `v128.load32x2_u`
/// and form their products with `i64x2.mul`, which engines without
/// AVX-512 emulate with three multiplications. (An OR with a zero it
/// cannot see through did the same at one more instruction per operand.)
#[inline(always)]
fn opaque_load(x: &[v128; 10]) -> [v128; 10] {
    // SAFETY: reads of a valid reference.
    core::array::from_fn(|i| unsafe { core::ptr::read_volatile(&x[i]) })
}

/// Both 64-bit products of lanes 0 and 1.
#[inline]
#[target_feature(enable = "simd128")]
fn m(a: v128, b: v128) -> v128 {
    u64x2_extmul_low_u32x4(a, b)
}

/// Lanes A and B of (x, y) in lanes 0 and 1. Lanes 2 and 3, which no
/// operation reads, are chosen so that V8 emits one instruction where it
/// can: (x0, y0) as `punpckldq` (<0, 4, 1, 5>) rather than its generic
/// two-input shuffle (two `pshufd` and a blend) for <0, 4, 2, 3>.
#[inline]
#[target_feature(enable = "simd128")]
fn pick<const A: usize, const B: usize>(x: v128, y: v128) -> v128 {
    if A == 0 && B == 4 {
        i32x4_shuffle::<0, 4, 1, 5>(x, y)
    } else {
        i32x4_shuffle::<A, B, 2, 3>(x, y)
    }
}

impl Fe2 {
    /// (a, b); limbs of a carried (or `add`/`sub`) element fit in 32 bits.
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn new(a: &Fe, b: &Fe) -> Fe2 {
        Fe2(core::array::from_fn(|i| {
            u32x4(a.0[i] as u32, b.0[i] as u32, 0, 0)
        }))
    }

    /// The element in lane `L` (0 or 1).
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn lane<const L: usize>(&self) -> Fe {
        Fe(core::array::from_fn(|i| {
            u64::from(u32x4_extract_lane::<L>(self.0[i]))
        }))
    }

    /// (a, self's lane 1); a carried.
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn with_lane0(&self, a: &Fe) -> Fe2 {
        Fe2(core::array::from_fn(|i| {
            u32x4_replace_lane::<0>(self.0[i], a.0[i] as u32)
        }))
    }

    #[inline]
    #[target_feature(enable = "simd128")]
    fn map(&self, f: impl Fn(v128) -> v128) -> Fe2 {
        Fe2(core::array::from_fn(|i| f(self.0[i])))
    }

    #[inline]
    #[target_feature(enable = "simd128")]
    fn zip(&self, o: &Fe2, f: impl Fn(v128, v128) -> v128) -> Fe2 {
        Fe2(core::array::from_fn(|i| f(self.0[i], o.0[i])))
    }

    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn add(&self, o: &Fe2) -> Fe2 {
        self.zip(o, |a, b| i32x4_add(a, b))
    }

    /// self - o + 2p, lane-wise (o carried).
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn sub(&self, o: &Fe2) -> Fe2 {
        Fe2(core::array::from_fn(|i| {
            i32x4_sub(i32x4_add(self.0[i], u32x4_splat(TWO_P[i] as u32)), o.0[i])
        }))
    }

    /// Lanes picked from two pairs, per limb (`S` a shuffle of 32-bit
    /// lanes: 0..4 from self, 4..8 from o).
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn shuffle<const A: usize, const B: usize>(&self, o: &Fe2) -> Fe2 {
        self.zip(o, |x, y| pick::<A, B>(x, y))
    }

    /// (self's lane k, o's lane k): k = 1 where `mask` is all ones, 0
    /// where it is 0, no branch.
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn lanes_of(&self, o: &Fe2, mask: u32) -> Fe2 {
        let mask = u32x4_splat(core::hint::black_box(mask));
        self.zip(o, |x, y| {
            let both = i32x4_shuffle::<0, 4, 1, 5>(x, y); // (x0, y0, x1, y1)
            v128_bitselect(i32x4_shuffle::<2, 3, 0, 1>(both, both), both, mask)
        })
    }

    /// (l0 + l1, l0 - l1 + 2p) of self's lanes (carried): one lane move,
    /// with `sub`'s lane 1 as ~l1 + (2p + 1) + l0 (mod 2^32).
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn sum_and_difference(&self) -> Fe2 {
        let flip = u32x4(0, !0, 0, 0);
        Fe2(core::array::from_fn(|i| {
            let x = self.0[i];
            let swapped = i32x4_shuffle::<1, 0, 3, 2>(x, x);
            let neg = i32x4_add(v128_xor(x, flip), u32x4(0, TWO_P[i] as u32 + 1, 0, 0));
            i32x4_add(swapped, neg)
        }))
    }

    /// `o` where `mask` is all ones, self where it is 0 (both lanes): no
    /// branch.
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn select(&self, o: &Fe2, mask: u32) -> Fe2 {
        let mask = u32x4_splat(core::hint::black_box(mask));
        self.zip(o, |a, b| v128_bitselect(b, a, mask))
    }

    /// (self's lane 0, 2p - lane 1): the second element negated (carried).
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn neg_lane1(&self) -> Fe2 {
        Fe2(core::array::from_fn(|i| {
            let neg = i32x4_sub(u32x4_splat(TWO_P[i] as u32), self.0[i]);
            i32x4_shuffle::<0, 5, 2, 3>(self.0[i], neg)
        }))
    }

    /// Overwrites both elements with zeros (secret values, once used).
    pub(crate) fn wipe(&mut self) {
        self.0 = [u64x2_splat(0); 10];
        core::hint::black_box(&self.0);
    }

    /// Both elements carried (lanes below 2^32 in, as `Fe::carry`).
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn carry(&self) -> Fe2 {
        carry(self.0.map(|x| u64x2_extend_low_u32x4(x)))
    }

    /// Both products, carried (the terms of `Fe::mul`).
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn mul(&self, g: &Fe2) -> Fe2 {
        self.product(g)
    }

    /// Both products and, in the same function body, the scalar product
    /// a b (`Fe::mul`): the CPU then runs the scalar multiplier's work
    /// among the vector unit's. Called one after the other, the two ran
    /// apart: the X25519 ladder's unpaired product cost ~12% of a
    /// derivation that way, ~6% this way.
    #[inline(never)]
    pub(crate) fn mul_and_scalar(&self, g: &Fe2, a: &Fe, b: &Fe) -> (Fe2, Fe) {
        (self.product(g), a.product(b))
    }

    /// `mul`'s body (always inlined: `mul_and_scalar` needs it in line).
    #[inline(always)]
    fn product(&self, g: &Fe2) -> Fe2 {
        let f = opaque_load(&self.0);
        let g = opaque_load(&g.0);
        let g19 = g.map(|x| i32x4_mul(x, u32x4_splat(19)));
        // Row by row (f_i times every g_j): the ten running sums and one
        // row's operands can stay in registers. As in `Fe::mul`, an odd
        // limb times an odd limb counts twice (f2, radix 2^25.5) and a
        // column past 9 wraps around times 19 (g19).
        let mut h = [u64x2_splat(0); 10];
        h[0] = u64x2_add(h[0], m(f[0], g[0]));
        h[1] = u64x2_add(h[1], m(f[0], g[1]));
        h[2] = u64x2_add(h[2], m(f[0], g[2]));
        h[3] = u64x2_add(h[3], m(f[0], g[3]));
        h[4] = u64x2_add(h[4], m(f[0], g[4]));
        h[5] = u64x2_add(h[5], m(f[0], g[5]));
        h[6] = u64x2_add(h[6], m(f[0], g[6]));
        h[7] = u64x2_add(h[7], m(f[0], g[7]));
        h[8] = u64x2_add(h[8], m(f[0], g[8]));
        h[9] = u64x2_add(h[9], m(f[0], g[9]));
        let f2 = i32x4_shl(f[1], 1);
        h[1] = u64x2_add(h[1], m(f[1], g[0]));
        h[2] = u64x2_add(h[2], m(f2, g[1]));
        h[3] = u64x2_add(h[3], m(f[1], g[2]));
        h[4] = u64x2_add(h[4], m(f2, g[3]));
        h[5] = u64x2_add(h[5], m(f[1], g[4]));
        h[6] = u64x2_add(h[6], m(f2, g[5]));
        h[7] = u64x2_add(h[7], m(f[1], g[6]));
        h[8] = u64x2_add(h[8], m(f2, g[7]));
        h[9] = u64x2_add(h[9], m(f[1], g[8]));
        h[0] = u64x2_add(h[0], m(f2, g19[9]));
        h[2] = u64x2_add(h[2], m(f[2], g[0]));
        h[3] = u64x2_add(h[3], m(f[2], g[1]));
        h[4] = u64x2_add(h[4], m(f[2], g[2]));
        h[5] = u64x2_add(h[5], m(f[2], g[3]));
        h[6] = u64x2_add(h[6], m(f[2], g[4]));
        h[7] = u64x2_add(h[7], m(f[2], g[5]));
        h[8] = u64x2_add(h[8], m(f[2], g[6]));
        h[9] = u64x2_add(h[9], m(f[2], g[7]));
        h[0] = u64x2_add(h[0], m(f[2], g19[8]));
        h[1] = u64x2_add(h[1], m(f[2], g19[9]));
        let f2 = i32x4_shl(f[3], 1);
        h[3] = u64x2_add(h[3], m(f[3], g[0]));
        h[4] = u64x2_add(h[4], m(f2, g[1]));
        h[5] = u64x2_add(h[5], m(f[3], g[2]));
        h[6] = u64x2_add(h[6], m(f2, g[3]));
        h[7] = u64x2_add(h[7], m(f[3], g[4]));
        h[8] = u64x2_add(h[8], m(f2, g[5]));
        h[9] = u64x2_add(h[9], m(f[3], g[6]));
        h[0] = u64x2_add(h[0], m(f2, g19[7]));
        h[1] = u64x2_add(h[1], m(f[3], g19[8]));
        h[2] = u64x2_add(h[2], m(f2, g19[9]));
        h[4] = u64x2_add(h[4], m(f[4], g[0]));
        h[5] = u64x2_add(h[5], m(f[4], g[1]));
        h[6] = u64x2_add(h[6], m(f[4], g[2]));
        h[7] = u64x2_add(h[7], m(f[4], g[3]));
        h[8] = u64x2_add(h[8], m(f[4], g[4]));
        h[9] = u64x2_add(h[9], m(f[4], g[5]));
        h[0] = u64x2_add(h[0], m(f[4], g19[6]));
        h[1] = u64x2_add(h[1], m(f[4], g19[7]));
        h[2] = u64x2_add(h[2], m(f[4], g19[8]));
        h[3] = u64x2_add(h[3], m(f[4], g19[9]));
        let f2 = i32x4_shl(f[5], 1);
        h[5] = u64x2_add(h[5], m(f[5], g[0]));
        h[6] = u64x2_add(h[6], m(f2, g[1]));
        h[7] = u64x2_add(h[7], m(f[5], g[2]));
        h[8] = u64x2_add(h[8], m(f2, g[3]));
        h[9] = u64x2_add(h[9], m(f[5], g[4]));
        h[0] = u64x2_add(h[0], m(f2, g19[5]));
        h[1] = u64x2_add(h[1], m(f[5], g19[6]));
        h[2] = u64x2_add(h[2], m(f2, g19[7]));
        h[3] = u64x2_add(h[3], m(f[5], g19[8]));
        h[4] = u64x2_add(h[4], m(f2, g19[9]));
        h[6] = u64x2_add(h[6], m(f[6], g[0]));
        h[7] = u64x2_add(h[7], m(f[6], g[1]));
        h[8] = u64x2_add(h[8], m(f[6], g[2]));
        h[9] = u64x2_add(h[9], m(f[6], g[3]));
        h[0] = u64x2_add(h[0], m(f[6], g19[4]));
        h[1] = u64x2_add(h[1], m(f[6], g19[5]));
        h[2] = u64x2_add(h[2], m(f[6], g19[6]));
        h[3] = u64x2_add(h[3], m(f[6], g19[7]));
        h[4] = u64x2_add(h[4], m(f[6], g19[8]));
        h[5] = u64x2_add(h[5], m(f[6], g19[9]));
        let f2 = i32x4_shl(f[7], 1);
        h[7] = u64x2_add(h[7], m(f[7], g[0]));
        h[8] = u64x2_add(h[8], m(f2, g[1]));
        h[9] = u64x2_add(h[9], m(f[7], g[2]));
        h[0] = u64x2_add(h[0], m(f2, g19[3]));
        h[1] = u64x2_add(h[1], m(f[7], g19[4]));
        h[2] = u64x2_add(h[2], m(f2, g19[5]));
        h[3] = u64x2_add(h[3], m(f[7], g19[6]));
        h[4] = u64x2_add(h[4], m(f2, g19[7]));
        h[5] = u64x2_add(h[5], m(f[7], g19[8]));
        h[6] = u64x2_add(h[6], m(f2, g19[9]));
        h[8] = u64x2_add(h[8], m(f[8], g[0]));
        h[9] = u64x2_add(h[9], m(f[8], g[1]));
        h[0] = u64x2_add(h[0], m(f[8], g19[2]));
        h[1] = u64x2_add(h[1], m(f[8], g19[3]));
        h[2] = u64x2_add(h[2], m(f[8], g19[4]));
        h[3] = u64x2_add(h[3], m(f[8], g19[5]));
        h[4] = u64x2_add(h[4], m(f[8], g19[6]));
        h[5] = u64x2_add(h[5], m(f[8], g19[7]));
        h[6] = u64x2_add(h[6], m(f[8], g19[8]));
        h[7] = u64x2_add(h[7], m(f[8], g19[9]));
        let f2 = i32x4_shl(f[9], 1);
        h[9] = u64x2_add(h[9], m(f[9], g[0]));
        h[0] = u64x2_add(h[0], m(f2, g19[1]));
        h[1] = u64x2_add(h[1], m(f[9], g19[2]));
        h[2] = u64x2_add(h[2], m(f2, g19[3]));
        h[3] = u64x2_add(h[3], m(f[9], g19[4]));
        h[4] = u64x2_add(h[4], m(f2, g19[5]));
        h[5] = u64x2_add(h[5], m(f[9], g19[6]));
        h[6] = u64x2_add(h[6], m(f2, g19[7]));
        h[7] = u64x2_add(h[7], m(f[9], g19[8]));
        h[8] = u64x2_add(h[8], m(f2, g19[9]));
        carry(h)
    }

    /// Both squares, carried (the terms of `Fe::square`).
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn square(&self) -> Fe2 {
        let f = opaque_load(&self.0);
        let f2 = f.map(|x| i32x4_shl(x, 1));
        let f19 = f.map(|x| i32x4_mul(x, u32x4_splat(19)));
        // 38 times the odd limbs only (an even one could pass 2^32).
        let f38 = [1, 3, 5, 7, 9].map(|i| i32x4_mul(f[i], u32x4_splat(38)));
        // Row by row, as `product`: f_i f_j for j >= i, twice when i != j.
        let mut h = [u64x2_splat(0); 10];
        h[0] = u64x2_add(h[0], m(f[0], f[0]));
        h[1] = u64x2_add(h[1], m(f2[0], f[1]));
        h[2] = u64x2_add(h[2], m(f2[0], f[2]));
        h[3] = u64x2_add(h[3], m(f2[0], f[3]));
        h[4] = u64x2_add(h[4], m(f2[0], f[4]));
        h[5] = u64x2_add(h[5], m(f2[0], f[5]));
        h[6] = u64x2_add(h[6], m(f2[0], f[6]));
        h[7] = u64x2_add(h[7], m(f2[0], f[7]));
        h[8] = u64x2_add(h[8], m(f2[0], f[8]));
        h[9] = u64x2_add(h[9], m(f2[0], f[9]));
        h[2] = u64x2_add(h[2], m(f2[1], f[1]));
        h[3] = u64x2_add(h[3], m(f2[1], f[2]));
        h[4] = u64x2_add(h[4], m(f2[1], f2[3]));
        h[5] = u64x2_add(h[5], m(f2[1], f[4]));
        h[6] = u64x2_add(h[6], m(f2[1], f2[5]));
        h[7] = u64x2_add(h[7], m(f2[1], f[6]));
        h[8] = u64x2_add(h[8], m(f2[1], f2[7]));
        h[9] = u64x2_add(h[9], m(f2[1], f[8]));
        h[0] = u64x2_add(h[0], m(f2[1], f38[4]));
        h[4] = u64x2_add(h[4], m(f[2], f[2]));
        h[5] = u64x2_add(h[5], m(f2[2], f[3]));
        h[6] = u64x2_add(h[6], m(f2[2], f[4]));
        h[7] = u64x2_add(h[7], m(f2[2], f[5]));
        h[8] = u64x2_add(h[8], m(f2[2], f[6]));
        h[9] = u64x2_add(h[9], m(f2[2], f[7]));
        h[0] = u64x2_add(h[0], m(f2[2], f19[8]));
        h[1] = u64x2_add(h[1], m(f2[2], f19[9]));
        h[6] = u64x2_add(h[6], m(f2[3], f[3]));
        h[7] = u64x2_add(h[7], m(f2[3], f[4]));
        h[8] = u64x2_add(h[8], m(f2[3], f2[5]));
        h[9] = u64x2_add(h[9], m(f2[3], f[6]));
        h[0] = u64x2_add(h[0], m(f2[3], f38[3]));
        h[1] = u64x2_add(h[1], m(f2[3], f19[8]));
        h[2] = u64x2_add(h[2], m(f2[3], f38[4]));
        h[8] = u64x2_add(h[8], m(f[4], f[4]));
        h[9] = u64x2_add(h[9], m(f2[4], f[5]));
        h[0] = u64x2_add(h[0], m(f2[4], f19[6]));
        h[1] = u64x2_add(h[1], m(f2[4], f19[7]));
        h[2] = u64x2_add(h[2], m(f2[4], f19[8]));
        h[3] = u64x2_add(h[3], m(f2[4], f19[9]));
        h[0] = u64x2_add(h[0], m(f2[5], f19[5]));
        h[1] = u64x2_add(h[1], m(f2[5], f19[6]));
        h[2] = u64x2_add(h[2], m(f2[5], f38[3]));
        h[3] = u64x2_add(h[3], m(f2[5], f19[8]));
        h[4] = u64x2_add(h[4], m(f2[5], f38[4]));
        h[2] = u64x2_add(h[2], m(f[6], f19[6]));
        h[3] = u64x2_add(h[3], m(f2[6], f19[7]));
        h[4] = u64x2_add(h[4], m(f2[6], f19[8]));
        h[5] = u64x2_add(h[5], m(f2[6], f19[9]));
        h[4] = u64x2_add(h[4], m(f2[7], f19[7]));
        h[5] = u64x2_add(h[5], m(f2[7], f19[8]));
        h[6] = u64x2_add(h[6], m(f2[7], f38[4]));
        h[6] = u64x2_add(h[6], m(f[8], f19[8]));
        h[7] = u64x2_add(h[7], m(f2[8], f19[9]));
        h[8] = u64x2_add(h[8], m(f2[9], f19[9]));
        carry(h)
    }
}

/// 64-bit column sums (u64x2) to 26/25-bit limbs in 32-bit lanes 0 and 1,
/// in `Fe::carry`'s order.
#[inline]
#[target_feature(enable = "simd128")]
fn carry(mut h: [v128; 10]) -> Fe2 {
    let m26 = u64x2_splat((1 << 26) - 1);
    let m25 = u64x2_splat((1 << 25) - 1);
    macro_rules! step {
        ($i:literal, $w:literal, $next:literal) => {
            let c = u64x2_shr(h[$i], $w);
            h[$i] = v128_and(h[$i], if $w == 26 { m26 } else { m25 });
            h[$next] = u64x2_add(h[$next], c);
        };
    }
    macro_rules! wrap {
        () => {
            let c = u64x2_shr(h[9], 25);
            h[9] = v128_and(h[9], m25);
            // 19 c = 16 c + 2 c + c (i64x2.mul is slow in engines without AVX-512).
            let c19 = u64x2_add(u64x2_add(u64x2_shl(c, 4), u64x2_shl(c, 1)), c);
            h[0] = u64x2_add(h[0], c19);
        };
    }
    carry_chain!(step, wrap);
    // 64-bit lanes to 32-bit lanes 0 and 1.
    Fe2(h.map(|x| i32x4_shuffle::<0, 2, 0, 2>(x, x)))
}

/// Two pairs in one set of vectors, the first in lanes 0 and 1, the
/// second in lanes 2 and 3: a table entry read in half the loads and
/// masked selects of two `Fe2`.
#[derive(Clone, Copy)]
pub(crate) struct Fe2x2([v128; 10]);

impl Fe2x2 {
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn new(a: &Fe2, b: &Fe2) -> Fe2x2 {
        Fe2x2(core::array::from_fn(|i| {
            i32x4_shuffle::<0, 1, 4, 5>(a.0[i], b.0[i])
        }))
    }

    /// The two pairs (each with the other's lanes in lanes 2 and 3, which
    /// no `Fe2` operation reads).
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn split(&self) -> (Fe2, Fe2) {
        (
            Fe2(self.0),
            Fe2(self.0.map(|x| i32x4_shuffle::<2, 3, 0, 1>(x, x))),
        )
    }

    /// `o` where `mask` is all ones, self where it is 0: no branch.
    #[inline]
    #[target_feature(enable = "simd128")]
    pub(crate) fn select(&self, o: &Fe2x2, mask: u32) -> Fe2x2 {
        let mask = u32x4_splat(core::hint::black_box(mask));
        Fe2x2(core::array::from_fn(|i| {
            v128_bitselect(o.0[i], self.0[i], mask)
        }))
    }

    /// Overwrites both pairs with zeros (secret values, once used).
    pub(crate) fn wipe(&mut self) {
        self.0 = [u64x2_splat(0); 10];
        core::hint::black_box(&self.0);
    }
}
