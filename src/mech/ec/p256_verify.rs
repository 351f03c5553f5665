//! ECDSA verification on P-256 (FIPS 186-5 6.4.2) on the field code of
//! `p256_base`: R = u1·G + u2·Q with u1 = z/s, u2 = r/s.
//!
//! Everything here is public (the key, the signature, the message hash),
//! so the code may branch and index on values:
//! - u1·G sums the comb table's entries for the signed 6-bit digits of u1
//!   (at most 43 mixed additions, no doubling; zero digits skipped);
//! - u2·Q runs over the width-5 NAF of u2 (digits 0 or odd in [-15, 15],
//!   about one in six non-zero) with the odd multiples Q, 3Q, ..., 15Q:
//!   256 doublings and about 43 additions;
//! - both in Jacobian coordinates (`jacobian`, shared with the generic
//!   curves);
//! - the check x(R) = r mod n without an inversion: X = r Z^2, or
//!   X = (r + n) Z^2 when r + n < p.
//!
//! The scalars (s^-1, u1, u2) use the p256 crate's arithmetic modulo n.
use p256::elliptic_curve::ff::{Field, PrimeField};
use p256::elliptic_curve::ops::Reduce;
use p256::{FieldBytes, Scalar};

use super::jacobian::{self, Arith, Jac};
use super::p256_base::{Base, Fe, P, W, add, from_be, mul, sqr, sub, to_be};

/// `p256_base`'s field for the formulas of `jacobian` (a = -3).
struct P256;

impl Arith for P256 {
    type Fe = Fe;
    #[inline(always)]
    fn add(&self, a: &Fe, b: &Fe) -> Fe {
        add(a, b)
    }
    #[inline(always)]
    fn sub(&self, a: &Fe, b: &Fe) -> Fe {
        sub(a, b)
    }
    #[inline]
    fn mul(&self, a: &Fe, b: &Fe) -> Fe {
        mul(a, b)
    }
    #[inline]
    fn sqr(&self, a: &Fe) -> Fe {
        sqr(a)
    }
    fn zero(&self) -> Fe {
        [0; 8]
    }
    fn one(&self) -> Fe {
        *Base::get().one()
    }
    fn a(&self) -> Option<Fe> {
        None
    }
}

/// u1·G from the comb table: the signed 6-bit digits of u1 (the same
/// recoding as `Base::mul_base`), one table entry per non-zero digit.
fn mul_g(u1: &[u8; 32]) -> Jac<Fe> {
    let base = Base::get();
    let mut le = [0u8; 34];
    for (o, b) in le.iter_mut().zip(u1.iter().rev()) {
        *o = *b;
    }
    let mut acc = None;
    let mut carry = 0u32;
    for row in 0..257usize.div_ceil(W) {
        let (at, off) = (W * row / 8, W * row % 8);
        let pair = u32::from(le[at]) | u32::from(le[at + 1]) << 8;
        let w = ((pair >> off) & ((1 << W) - 1)) + carry;
        let half = 1 << (W - 1);
        let (d, minus) = if w > half {
            ((1 << W) - w, true)
        } else {
            (w, false)
        };
        carry = u32::from(minus);
        if let Some(e) = base.entry(row, d as usize) {
            acc = jacobian::add_affine(&P256, &acc, e, minus);
        }
    }
    acc
}

/// u2·Q for an affine Q (Montgomery form): width-5 NAF.
fn mul_q(q: &[Fe; 2], u2: &[u8; 32]) -> Jac<Fe> {
    let odd = jacobian::odd_multiples(&P256, &Some([q[0], q[1], P256.one()]), 5);
    jacobian::mul(&P256, &odd, 5, u2)
}

/// The affine point of an uncompressed SEC1 encoding, on the curve, in
/// Montgomery form.
fn parse_point(q: &[u8]) -> Option<[Fe; 2]> {
    let base = Base::get();
    let (&4, xy) = q.split_first()? else {
        return None;
    };
    let x: [u8; 32] = xy.get(..32)?.try_into().ok()?;
    let y: [u8; 32] = xy.get(32..)?.try_into().ok()?;
    let below_p = |b: &[u8; 32]| b < &to_be(&P);
    if xy.len() != 64 || !below_p(&x) || !below_p(&y) {
        return None;
    }
    let (x, y) = (base.to_mont(&from_be(&x)), base.to_mont(&from_be(&y)));
    // y^2 = x^3 - 3x + b.
    let x3 = mul(&sqr(&x), &x);
    let rhs = add(&sub(&x3, &add(&add(&x, &x), &x)), base.b());
    (sqr(&y) == rhs).then_some([x, y])
}

/// Whether `sig` (r||s, 64 bytes) is a valid signature of `z` (bits2int
/// of the hash, at most 32 bytes) under the uncompressed point `q`.
pub(super) fn verify(q: &[u8], z: &[u8], sig: &[u8]) -> bool {
    let Some(q) = parse_point(q) else {
        return false;
    };
    let scalar = |b: &[u8]| -> Option<Scalar> {
        let repr = FieldBytes::try_from(b).ok()?;
        Scalar::from_repr(repr)
            .into_option()
            .filter(|s| !bool::from(s.is_zero()))
    };
    let (Some(r), Some(s)) = (
        sig.get(..32).and_then(scalar),
        sig.get(32..64).and_then(scalar),
    ) else {
        return false;
    };
    if sig.len() != 64 || z.len() > 32 {
        return false;
    }
    let mut zb = FieldBytes::default();
    zb[32 - z.len()..].copy_from_slice(z);
    let z = <Scalar as Reduce<FieldBytes>>::reduce(&zb);
    let Some(w) = s.invert_vartime().into_option() else {
        return false;
    };
    let (u1, u2) = ((z * w).to_repr(), (r * w).to_repr());
    let sum = jacobian::add(&P256, &mul_g(&u1.into()), &mul_q(&q, &u2.into()));
    let Some([x, _, zr]) = sum else {
        return false;
    };
    // x(R) = X / Z^2 equals r or, when r + n < p, r + n.
    let base = Base::get();
    let z2 = sqr(&zr);
    let r_bytes: [u8; 32] = r.to_repr().into();
    let matches = |v: &[u8; 32]| mul(&base.to_mont(&from_be(v)), &z2) == x;
    if matches(&r_bytes) {
        return true;
    }
    match add_n(&r_bytes) {
        Some(rn) if rn < to_be(&P) => matches(&rn),
        _ => false,
    }
}

/// r + n as 32 big-endian bytes, `None` when it overflows 2^256.
fn add_n(r: &[u8; 32]) -> Option<[u8; 32]> {
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let t = u16::from(r[i]) + u16::from(N[i]) + carry;
        out[i] = t as u8;
        carry = t >> 8;
    }
    (carry == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the p256 crate's verification: valid signatures of keys and
    /// hashes of every shape, and the same signatures damaged.
    #[test]
    fn agrees_with_the_p256_crate() {
        use super::super::curves::P256_GENERIC as CRATE;
        for i in 0..40u8 {
            let d: [u8; 32] = std::array::from_fn(|j| i.wrapping_mul(13) ^ j as u8 ^ 0x5a);
            let q = CRATE.public_point(&d).unwrap();
            let z: Vec<u8> = (0..(i as usize % 33))
                .map(|j| (j as u8).wrapping_mul(i))
                .collect();
            let sig = CRATE.sign(&d, &z, &[1], b"e").unwrap();
            assert!(verify(&q, &z, &sig), "{i}");
            let mut bad = sig.clone();
            bad[(i as usize * 7) % 64] ^= 1 << (i % 8);
            assert_eq!(verify(&q, &z, &bad), CRATE.verify(&q, &z, &bad), "{i}");
            // Another hash (`verify` takes bits2int's output, 32 bytes at most).
            let mut other = z.clone();
            if other.len() == 32 {
                other[31] ^= 1;
            } else {
                other.push(1);
            }
            assert_eq!(verify(&q, &other, &sig), CRATE.verify(&q, &other, &sig));
            // (r, n - s) verifies too; r = 0 and s = n do not.
            let mut neg = sig.clone();
            let s = Scalar::from_repr(FieldBytes::try_from(&sig[32..]).unwrap()).unwrap();
            neg[32..].copy_from_slice(&(-s).to_repr());
            assert!(verify(&q, &z, &neg));
            let mut zero_r = sig.clone();
            zero_r[..32].fill(0);
            assert!(!verify(&q, &z, &zero_r));
        }
        assert!(!verify(&[4; 65], &[1], &[1; 64]));
    }
}
