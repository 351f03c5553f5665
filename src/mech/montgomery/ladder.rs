//! The X25519 function of RFC 7748 section 5 on our own field arithmetic
//! (`field`): the Montgomery ladder exactly as the RFC writes it, with a
//! conditional swap by mask (no branch and no index depends on the
//! scalar) and a fixed 255 steps.
use zeroize::Zeroize;

use super::field::Fe;

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
    let x1 = Fe::from_bytes(u);
    let (mut x2, mut z2, mut x3, mut z3) = (Fe::ONE, Fe::ZERO, x1, Fe::ONE);
    let mut swap = 0u64;
    for t in (0..255).rev() {
        let bit = u64::from((k[t / 8] >> (t % 8)) & 1);
        swap ^= bit;
        // The mask goes through black_box so that the compiler cannot
        // turn the swap back into a branch on the bit.
        let mask = core::hint::black_box(0u64.wrapping_sub(swap));
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
    let mask = core::hint::black_box(0u64.wrapping_sub(swap));
    Fe::cswap(&mut x2, &mut x3, mask);
    Fe::cswap(&mut z2, &mut z3, mask);
    let out = x2.mul(&z2.invert()).to_bytes();
    k.zeroize();
    for f in [&mut x2, &mut z2, &mut x3, &mut z3] {
        f.0.zeroize();
    }
    out
}

#[cfg(test)]
#[path = "ladder_tests.rs"]
mod tests;
