//! The X25519 function of RFC 7748 section 5 on our own field arithmetic
//! (`field`): the Montgomery ladder exactly as the RFC writes it, with a
//! conditional swap by mask (no branch and no index depends on the
//! scalar) and a fixed 255 steps.
use zeroize::Zeroize;

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
/// time (the reference for the wasm SIMD ladder, and native builds).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
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
    x3.0.zeroize();
    z3.0.zeroize();
    (x2, z2)
}

#[cfg(not(target_arch = "wasm32"))]
use ladder_scalar as ladder;

/// The same steps two field operations at a time on wasm SIMD
/// (`field_pair`): (x_2, x_3) in one pair and (z_2, z_3) in another, so
/// that the swap exchanges lanes; the step's four squarings and five
/// products run as two paired squarings, two paired products and one
/// product on the scalar multiplier (`field::Fe`), fused with the last
/// paired product so that it overlaps the vector work.
#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
fn ladder(k: &[u8; 32], x1: &Fe) -> (Fe, Fe) {
    use core::arch::wasm32::u32x4_splat;

    use crate::mech::field25519::field_pair::Fe2;
    let x1v = Fe2::new(x1, x1);
    let mut p = Fe2::new(&Fe::ONE, x1); // (x_2, x_3)
    let mut q = Fe2::new(&Fe::ZERO, &Fe::ONE); // (z_2, z_3)
    let mut swap = 0u64;
    for t in (0..255).rev() {
        let bit = bit(k, t);
        swap ^= bit;
        let mask = u32x4_splat(swap_mask(swap) as u32);
        p = p.cswap_lanes(mask);
        q = q.cswap_lanes(mask);
        swap = bit;

        let s = p.add(&q); // (A, C)
        let d = p.sub(&q); // (B, D)
        let ab = s.shuffle::<0, 4>(&d); // (A, B)
        let sq = ab.square(); // (AA, BB)
        let m = s.mul(&d.shuffle::<1, 0>(&d)); // (A, C) (D, B) = (DA, CB)
        let mm = m.shuffle::<1, 0>(&m); // (CB, DA)
        let u = m.add(&mm).shuffle::<0, 4>(&m.sub(&mm)); // (DA + CB, DA - CB)
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
    let mask = u32x4_splat(swap_mask(swap) as u32);
    let (p, q) = (p.cswap_lanes(mask), q.cswap_lanes(mask));
    (p.lane::<0>(), q.lane::<0>())
}

#[cfg(test)]
#[path = "ladder_tests.rs"]
mod tests;
