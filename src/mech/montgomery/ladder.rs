//! The X25519 function of RFC 7748 section 5 on our own field arithmetic
//! (`field25519`): the RFC's Montgomery ladder, a fixed 255 steps, two
//! field operations at a time, with the RFC's conditional swap done as a
//! pick by mask (no branch and no index depends on the scalar). The
//! RFC's own form, one element at a time, is kept as the tests' reference.
use zeroize::Zeroize;

use crate::mech::field25519::Fe2;
use crate::mech::field25519::field::Fe;

/// (A - 2) / 4 for Curve25519 (A = 486662), as RFC 7748 uses it.
const A24: u32 = 121_665;

/// RFC 7748 decodeScalar25519: clear the 3 low bits and the top bit, set
/// bit 254.
fn clamp(k: &[u8; 32]) -> [u8; 32] {
    let mut k = *k;
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    k
}

/// X25519(k, u): the u-coordinate of [clamp(k)] (u, ...), 32 bytes
/// little-endian. An all-zero result means u had small order (the
/// caller decides whether to refuse it, RFC 7748 section 6.1).
pub(crate) fn x25519(k: &[u8; 32], u: &[u8; 32]) -> [u8; 32] {
    let mut k = clamp(k);
    let (mut x2, mut z2) = ladder(&k, &Fe::from_bytes(u));
    let out = x2
        .mul(&crate::mech::field25519::invert::invert(&z2))
        .to_bytes();
    k.zeroize();
    x2.0.zeroize();
    z2.0.zeroize();
    out
}

/// The mask of a swap bit through black_box, so that the compiler
/// cannot turn the swap back into a branch on the bit.
fn swap_mask(swap: u64) -> u64 {
    core::hint::black_box(0u64.wrapping_sub(swap))
}

/// Bit t of the clamped scalar (t public: the loop counter).
fn bit(k: &[u8; 32], t: usize) -> u64 {
    u64::from((k[t / 8] >> (t % 8)) & 1)
}

/// (x_2, z_2) after RFC 7748's 255 ladder steps, one field element at a
/// time: the reference for `ladder` (tests compare the two).
#[cfg(test)]
fn ladder_scalar(k: &[u8; 32], x1: &Fe) -> (Fe, Fe) {
    let (mut x2, mut z2, mut x3, mut z3) = (Fe::ONE, Fe::ZERO, *x1, Fe::ONE);
    let mut swap = 0u64;
    for t in (0..255).rev() {
        let bit = bit(k, t);
        swap ^= bit;
        let mask = swap_mask(swap);
        Fe::cswap(&mut x2, &mut x3, mask);
        Fe::cswap(&mut z2, &mut z3, mask);
        swap = bit;

        let a = x2.add(&z2);
        let aa = a.square();
        let b = x2.sub(&z2);
        let bb = b.square();
        let e = aa.sub(&bb);
        let c = x3.add(&z3);
        let d = x3.sub(&z3);
        let da = d.mul(&a);
        let cb = c.mul(&b);
        x3 = da.add(&cb).square();
        z3 = x1.mul(&da.sub(&cb).square());
        x2 = aa.mul(&bb);
        z2 = e.mul(&aa.add(&e.mul_small(A24)));
    }
    let mask = swap_mask(swap);
    Fe::cswap(&mut x2, &mut x3, mask);
    Fe::cswap(&mut z2, &mut z3, mask);
    (x2, z2)
}

/// The same steps two field operations at a time (`Fe2`: the lanes of
/// wasm SIMD, two `Fe` elsewhere): (x_2, x_3) in one pair and (z_2, z_3)
/// in another. The step's four squarings and five products run as two
/// paired squarings, two paired products and one product on the scalar
/// multiplier, fused with the last paired product so that it overlaps
/// the vector work.
///
/// RFC 7748's conditional swap is not done on the pairs: only the
/// doubling's (A, B) depends on which lane holds (x_2, z_2), and it is
/// picked from its lane by mask. The sum's products DA and CB merely
/// trade lanes when the points do, and reach the result only as
/// (DA + CB)^2 and (DA - CB)^2. The doubling always lands in lane 0 and
/// the sum in lane 1, as after the RFC's swap; `swap` says which lane
/// the next step doubles.
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn ladder(k: &[u8; 32], x1: &Fe) -> (Fe, Fe) {
    let x1v = Fe2::new(x1, x1);
    let mut p = Fe2::new(&Fe::ONE, x1); // (x_2, x_3)
    let mut q = Fe2::new(&Fe::ZERO, &Fe::ONE); // (z_2, z_3)
    let mut swap = 0u64;
    for t in (0..255).rev() {
        let bit = bit(k, t);
        swap ^= bit;
        let mask = swap_mask(swap) as u32;
        swap = bit;

        let s = p.add(&q); // (A, C), or (C, A) when swapped
        let d = p.sub(&q); // (B, D), or (D, B)
        let sq = s.lanes_of(&d, mask).square(); // (AA, BB)
        let m = s.mul(&d.shuffle::<1, 0>(&d)); // (DA, CB), or (CB, DA)
        let u = m.sum_and_difference(); // (DA + CB, DA - CB), up to sign
        // z_2' = E (AA + a24 E) is the step's one unpaired product: the
        // scalar multiplier computes it in the same function as the
        // vector unit's last paired product (`mul_and_scalar`), so the
        // CPU runs the two together (a paired product with one lane
        // unused cost as much as a full one; a separate call ran apart).
        let (aa, bb) = (sq.lane::<0>(), sq.lane::<1>());
        let e = aa.sub(&bb);
        let sq2 = u.square(); // (x_3', (DA - CB)^2)
        let (r, z2) = sq.shuffle::<0, 5>(&x1v).mul_and_scalar(
            &sq.shuffle::<1, 5>(&sq2),
            &e,
            &aa.add(&e.mul_small(A24)),
        ); // (x_2', z_3')
        p = r.shuffle::<0, 4>(&sq2);
        q = r.with_lane0(&z2); // (z_2', z_3')
    }
    let mut out = p.lanes_of(&q, swap_mask(swap) as u32); // (x_2, z_2)
    let xz = (out.lane::<0>(), out.lane::<1>());
    p.wipe();
    q.wipe();
    out.wipe();
    xz
}

#[cfg(test)]
#[path = "ladder_tests.rs"]
mod tests;
