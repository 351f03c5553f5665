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
//! - both in Jacobian coordinates (x = X/Z^2, y = Y/Z^3; doubling with
//!   a = -3 in 3M + 5S, "dbl-2001-b"; addition "add-2007-bl", mixed
//!   addition "madd-2007-bl" of the Explicit-Formulas Database), with the
//!   identity and P = ±Q handled by branches;
//! - the check x(R) = r mod n without an inversion: X = r Z^2, or
//!   X = (r + n) Z^2 when r + n < p.
//!
//! The scalars (s^-1, u1, u2) use the p256 crate's arithmetic modulo n.
use p256::elliptic_curve::ff::{Field, PrimeField};
use p256::elliptic_curve::ops::Reduce;
use p256::{FieldBytes, Scalar};

use super::p256_base::{Base, Entry, Fe, P, W, add, from_be, mul, sqr, sub, to_be};

/// A point in Jacobian coordinates (Montgomery form); `None` is the
/// identity.
type Jac = Option<[Fe; 3]>;

fn double(p: &Jac) -> Jac {
    let [x, y, z] = p.as_ref()?;
    if y.iter().all(|&l| l == 0) {
        return None;
    }
    let delta = sqr(z);
    let gamma = sqr(y);
    let beta = mul(x, &gamma);
    let t = mul(&sub(x, &delta), &add(x, &delta));
    let alpha = add(&add(&t, &t), &t);
    let beta2 = add(&beta, &beta);
    let beta4 = add(&beta2, &beta2);
    let beta8 = add(&beta4, &beta4);
    let x3 = sub(&sqr(&alpha), &beta8);
    let yz = add(y, z);
    let z3 = sub(&sub(&sqr(&yz), &gamma), &delta);
    let g2 = sqr(&gamma);
    let g4 = add(&g2, &g2);
    let g8 = add(&g4, &g4);
    let y3 = sub(&mul(&alpha, &sub(&beta4, &x3)), &add(&g8, &g8));
    Some([x3, y3, z3])
}

/// The end of both additions: from U1, S1, H = U2 - U1, r = S2 - S1
/// (not yet doubled) and the Z3 factor, or the special cases.
fn finish(p: &Jac, u1: &Fe, s1: &Fe, h: &Fe, r: &Fe, z3: Fe) -> Jac {
    let zero = |v: &Fe| v.iter().all(|&l| l == 0);
    if zero(h) {
        // Same x: P + P or P - P.
        return if zero(r) { double(p) } else { None };
    }
    let h2 = add(h, h);
    let i = sqr(&h2);
    let j = mul(h, &i);
    let r2 = add(r, r);
    let v = mul(u1, &i);
    let x3 = sub(&sub(&sqr(&r2), &j), &add(&v, &v));
    let s1j = mul(s1, &j);
    let y3 = sub(&mul(&r2, &sub(&v, &x3)), &add(&s1j, &s1j));
    Some([x3, y3, z3])
}

/// P + Q, both Jacobian.
fn add_jac(p: &Jac, q: &Jac) -> Jac {
    let ([x1, y1, z1], [x2, y2, z2]) = match (p, q) {
        (None, _) => return *q,
        (_, None) => return *p,
        (Some(a), Some(b)) => (a, b),
    };
    let z1z1 = sqr(z1);
    let z2z2 = sqr(z2);
    let u1 = mul(x1, &z2z2);
    let u2 = mul(x2, &z1z1);
    let s1 = mul(&mul(y1, z2), &z2z2);
    let s2 = mul(&mul(y2, z1), &z1z1);
    let h = sub(&u2, &u1);
    let z3 = mul(&sub(&sub(&sqr(&add(z1, z2)), &z1z1), &z2z2), &h);
    finish(p, &u1, &s1, &h, &sub(&s2, &s1), z3)
}

/// P + (x, y) for an affine (x, y) (Z = 1), negated when `minus`.
fn add_affine(p: &Jac, e: &Entry, minus: bool) -> Jac {
    let [x2, y2] = e;
    let y2 = if minus { sub(&[0; 8], y2) } else { *y2 };
    let Some([x1, y1, z1]) = p else {
        return Some([*x2, y2, *Base::get().one()]);
    };
    let z1z1 = sqr(z1);
    let u2 = mul(x2, &z1z1);
    let s2 = mul(&mul(&y2, z1), &z1z1);
    let h = sub(&u2, x1);
    // (Z1 + H)^2 - Z1Z1 - H^2 = 2 Z1 H.
    let z1h = mul(z1, &h);
    finish(p, x1, y1, &h, &sub(&s2, y1), add(&z1h, &z1h))
}

/// u1·G from the comb table: the signed 6-bit digits of u1 (the same
/// recoding as `Base::mul_base`), one table entry per non-zero digit.
fn mul_g(u1: &[u8; 32]) -> Jac {
    let base = Base::get();
    let mut le = [0u8; 34];
    for (o, b) in le.iter_mut().zip(u1.iter().rev()) {
        *o = *b;
    }
    let mut acc: Jac = None;
    let mut carry = 0u32;
    for row in 0..257usize.div_ceil(W) {
        let (at, off) = (W * row / 8, W * row % 8);
        let pair = u32::from(le[at]) | u32::from(le[at + 1]) << 8;
        let w = ((pair >> off) & ((1 << W) - 1)) + carry;
        let half = 1 << (W - 1);
        let (d, minus) = if w > half { ((1 << W) - w, true) } else { (w, false) };
        carry = u32::from(minus);
        if let Some(e) = base.entry(row, d as usize) {
            acc = add_affine(&acc, e, minus);
        }
    }
    acc
}

/// The width-5 NAF of k, least significant digit first.
fn wnaf5(k: &[u8; 32]) -> [i8; 257] {
    // k as nine little-endian 32-bit limbs (one spare for the carries).
    let mut x = [0u32; 9];
    for (i, l) in x.iter_mut().take(8).enumerate() {
        let at = 28 - 4 * i;
        *l = u32::from_be_bytes([k[at], k[at + 1], k[at + 2], k[at + 3]]);
    }
    let mut out = [0i8; 257];
    for digit in out.iter_mut() {
        if x.iter().all(|&l| l == 0) {
            break;
        }
        if x[0] & 1 == 1 {
            let d = (x[0] & 31) as i32;
            let d = if d > 16 { d - 32 } else { d };
            *digit = d as i8;
            // x -= d (x + |d| for a negative d).
            let (mut carry, neg) = (i64::from(d.unsigned_abs()), d < 0);
            for l in x.iter_mut() {
                let t = if neg { i64::from(*l) + carry } else { i64::from(*l) - carry };
                *l = t as u32;
                carry = if neg { t >> 32 } else { i64::from(t < 0) };
            }
        }
        for i in 0..9 {
            x[i] = (x[i] >> 1) | (x.get(i + 1).copied().unwrap_or(0) << 31);
        }
    }
    out
}

/// u2·Q for an affine Q (Montgomery form).
fn mul_q(q: &[Fe; 2], u2: &[u8; 32]) -> Jac {
    let one = *Base::get().one();
    let q1: Jac = Some([q[0], q[1], one]);
    let q2 = double(&q1);
    // Q, 3Q, 5Q, ..., 15Q.
    let mut odd = [q1; 8];
    for i in 1..8 {
        odd[i] = add_jac(&odd[i - 1], &q2);
    }
    let digits = wnaf5(u2);
    let top = digits.iter().rposition(|&d| d != 0);
    let mut acc: Jac = None;
    for i in (0..=top.unwrap_or(0)).rev() {
        acc = double(&acc);
        let d = digits[i];
        if d != 0 {
            let mut e = odd[(d.unsigned_abs() / 2) as usize];
            if d < 0
                && let Some(p) = e.as_mut()
            {
                p[1] = sub(&[0; 8], &p[1]);
            }
            acc = add_jac(&acc, &e);
        }
    }
    acc
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
    let sum = add_jac(&mul_g(&u1.into()), &mul_q(&q, &u2.into()));
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

    /// wNAF digits recombine to k; each non-zero digit is odd, below 16 in
    /// size, and followed by four zeros.
    #[test]
    fn wnaf_recombines() {
        use p256::elliptic_curve::bigint::U256;
        for seed in 0..50u8 {
            let k: [u8; 32] = std::array::from_fn(|i| seed.wrapping_mul(37).wrapping_add((i as u8).wrapping_mul(11)));
            let mut k = k;
            if seed == 0 {
                k = [0xff; 32];
            }
            let d = wnaf5(&k);
            let mut acc = U256::ZERO;
            for (i, &di) in d.iter().enumerate().rev() {
                acc = acc.wrapping_add(&acc);
                if di > 0 {
                    acc = acc.wrapping_add(&U256::from_u64(di as u64));
                } else if di < 0 {
                    acc = acc.wrapping_sub(&U256::from_u64(di.unsigned_abs() as u64));
                }
                if di != 0 {
                    assert!(di % 2 != 0 && di.abs() < 16);
                    assert!(d[i.saturating_sub(4)..i].iter().all(|&x| x == 0) || i < 4);
                }
            }
            assert_eq!(acc, U256::from_be_slice(&k), "{seed}");
        }
    }

    /// Against the p256 crate's verification: valid signatures of keys and
    /// hashes of every shape, and the same signatures damaged.
    #[test]
    fn agrees_with_the_p256_crate() {
        use super::super::curves::P256_GENERIC as CRATE;
        for i in 0..40u8 {
            let d: [u8; 32] = std::array::from_fn(|j| i.wrapping_mul(13) ^ j as u8 ^ 0x5a);
            let q = CRATE.public_point(&d).unwrap();
            let z: Vec<u8> = (0..(i as usize % 33)).map(|j| (j as u8).wrapping_mul(i)).collect();
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
