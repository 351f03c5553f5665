//! Variable-time point arithmetic for ECDSA verification, where every
//! input is public: Jacobian coordinates (x = X/Z^2, y = Y/Z^3) and
//! R = u1·G + u2·Q over width-w NAFs with shared doublings. One
//! implementation for P-256 (`p256_verify`, on `p256_base`'s field) and
//! the generic curves (`generic`, on `field`), through `Arith`.
//!
//! Formulas of the Explicit-Formulas Database: doubling "dbl-2001-b"
//! (a = -3, 3M + 5S) or "dbl-2007-bl" (any a, 1M + 8S + a·ZZ^2);
//! addition "add-2007-bl"; mixed addition "madd-2007-bl". The identity
//! (`None`) and P = ±Q are handled by branches: the values are public.

/// The field operations the formulas need (Montgomery form or not: the
/// formulas only add, subtract and multiply).
pub(super) trait Arith {
    type Fe: Copy + PartialEq;
    fn add(&self, a: &Self::Fe, b: &Self::Fe) -> Self::Fe;
    fn sub(&self, a: &Self::Fe, b: &Self::Fe) -> Self::Fe;
    fn mul(&self, a: &Self::Fe, b: &Self::Fe) -> Self::Fe;
    fn sqr(&self, a: &Self::Fe) -> Self::Fe {
        self.mul(a, a)
    }
    fn zero(&self) -> Self::Fe;
    fn one(&self) -> Self::Fe;
    /// The curve's a, or `None` when a = -3 (the faster doubling).
    fn a(&self) -> Option<Self::Fe>;
}

/// A Jacobian point; `None` is the identity.
pub(super) type Jac<F> = Option<[F; 3]>;

fn twice<A: Arith>(f: &A, v: &A::Fe) -> A::Fe {
    f.add(v, v)
}

pub(super) fn double<A: Arith>(f: &A, p: &Jac<A::Fe>) -> Jac<A::Fe> {
    let [x, y, z] = p.as_ref()?;
    if *y == f.zero() {
        return None;
    }
    let (x3, y3, z3) = match f.a() {
        None => {
            let delta = f.sqr(z);
            let gamma = f.sqr(y);
            let beta = f.mul(x, &gamma);
            let t = f.mul(&f.sub(x, &delta), &f.add(x, &delta));
            let alpha = f.add(&twice(f, &t), &t);
            let beta4 = twice(f, &twice(f, &beta));
            let x3 = f.sub(&f.sqr(&alpha), &twice(f, &beta4));
            let z3 = f.sub(&f.sub(&f.sqr(&f.add(y, z)), &gamma), &delta);
            let g8 = twice(f, &twice(f, &twice(f, &f.sqr(&gamma))));
            (x3, f.sub(&f.mul(&alpha, &f.sub(&beta4, &x3)), &g8), z3)
        }
        Some(a) => {
            let xx = f.sqr(x);
            let yy = f.sqr(y);
            let yyyy = f.sqr(&yy);
            let zz = f.sqr(z);
            let s = twice(f, &f.sub(&f.sub(&f.sqr(&f.add(x, &yy)), &xx), &yyyy));
            let m = f.add(&f.add(&twice(f, &xx), &xx), &f.mul(&a, &f.sqr(&zz)));
            let x3 = f.sub(&f.sqr(&m), &twice(f, &s));
            let y8 = twice(f, &twice(f, &twice(f, &yyyy)));
            let y3 = f.sub(&f.mul(&m, &f.sub(&s, &x3)), &y8);
            let z3 = f.sub(&f.sub(&f.sqr(&f.add(y, z)), &yy), &zz);
            (x3, y3, z3)
        }
    };
    Some([x3, y3, z3])
}

/// The end of both additions from U1, S1, H = U2 - U1, r = S2 - S1 and
/// Z3, or the special cases P = ±Q.
fn finish<A: Arith>(f: &A, p: &Jac<A::Fe>, [u1, s1, h, r]: [A::Fe; 4], z3: A::Fe) -> Jac<A::Fe> {
    if h == f.zero() {
        return if r == f.zero() { double(f, p) } else { None };
    }
    let i = f.sqr(&twice(f, &h));
    let j = f.mul(&h, &i);
    let r2 = twice(f, &r);
    let v = f.mul(&u1, &i);
    let x3 = f.sub(&f.sub(&f.sqr(&r2), &j), &twice(f, &v));
    let y3 = f.sub(&f.mul(&r2, &f.sub(&v, &x3)), &twice(f, &f.mul(&s1, &j)));
    Some([x3, y3, z3])
}

/// P + Q, both Jacobian.
pub(super) fn add<A: Arith>(f: &A, p: &Jac<A::Fe>, q: &Jac<A::Fe>) -> Jac<A::Fe> {
    let ([x1, y1, z1], [x2, y2, z2]) = match (p, q) {
        (None, _) => return *q,
        (_, None) => return *p,
        (Some(a), Some(b)) => (a, b),
    };
    let z1z1 = f.sqr(z1);
    let z2z2 = f.sqr(z2);
    let u1 = f.mul(x1, &z2z2);
    let s1 = f.mul(&f.mul(y1, z2), &z2z2);
    let h = f.sub(&f.mul(x2, &z1z1), &u1);
    let r = f.sub(&f.mul(&f.mul(y2, z1), &z1z1), &s1);
    let z3 = f.mul(&f.sub(&f.sub(&f.sqr(&f.add(z1, z2)), &z1z1), &z2z2), &h);
    finish(f, p, [u1, s1, h, r], z3)
}

/// P + (x, y) for an affine point, negated when `minus`.
pub(super) fn add_affine<A: Arith>(
    f: &A,
    p: &Jac<A::Fe>,
    q: &[A::Fe; 2],
    minus: bool,
) -> Jac<A::Fe> {
    let y2 = if minus { f.sub(&f.zero(), &q[1]) } else { q[1] };
    let Some([x1, y1, z1]) = p else {
        return Some([q[0], y2, f.one()]);
    };
    let z1z1 = f.sqr(z1);
    let h = f.sub(&f.mul(&q[0], &z1z1), x1);
    let r = f.sub(&f.mul(&f.mul(&y2, z1), &z1z1), y1);
    // (Z1 + H)^2 - Z1Z1 - H^2 = 2 Z1 H.
    let z3 = twice(f, &f.mul(z1, &h));
    finish(f, p, [*x1, *y1, h, r], z3)
}

/// -P.
pub(super) fn neg<A: Arith>(f: &A, p: &Jac<A::Fe>) -> Jac<A::Fe> {
    p.map(|[x, y, z]| [x, f.sub(&f.zero(), &y), z])
}

/// The width-w NAF of a big-endian k (w <= 7), least significant digit
/// first: digits 0 or odd with |d| < 2^(w-1), at most one non-zero in
/// any w consecutive ones.
pub(super) fn wnaf(k: &[u8], w: u32) -> Vec<i8> {
    // k as little-endian 32-bit limbs, one spare for the carries.
    let mut x: Vec<u32> = k
        .rchunks(4)
        .map(|c| c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
        .collect();
    x.push(0);
    let (window, half) = (1i64 << w, 1i64 << (w - 1));
    let mut out = Vec::with_capacity(k.len() * 8 + 1);
    while x.iter().any(|&l| l != 0) {
        let mut d = 0i64;
        if x[0] & 1 == 1 {
            d = i64::from(x[0]) & (window - 1);
            if d >= half {
                d -= window;
            }
            // x -= d: subtract a positive d or add |d|, carrying.
            let mut carry = -d;
            for l in x.iter_mut() {
                let t = i64::from(*l) + carry;
                *l = t as u32;
                carry = t >> 32;
            }
        }
        out.push(d as i8);
        for i in 0..x.len() {
            x[i] = (x[i] >> 1) | (x.get(i + 1).copied().unwrap_or(0) << 31);
        }
    }
    out
}

/// The odd multiples P, 3P, ..., (2^(w-1) - 1)P of a Jacobian P.
pub(super) fn odd_multiples<A: Arith>(f: &A, p: &Jac<A::Fe>, w: u32) -> Vec<Jac<A::Fe>> {
    let twice_p = double(f, p);
    let mut out = vec![*p];
    for i in 1..1usize << (w - 2) {
        out.push(add(f, &out[i - 1], &twice_p));
    }
    out
}

/// k·P from the odd multiples of P (Jacobian, width `w`).
pub(super) fn mul<A: Arith>(f: &A, p: &[Jac<A::Fe>], w: u32, k: &[u8]) -> Jac<A::Fe> {
    mul2(f, &[], 2, &[], p, w, k)
}

/// u1·G + u2·Q: `g` holds the odd multiples of G (affine, width `wg`),
/// `q` those of Q (Jacobian, width `wq`); one chain of doublings.
pub(super) fn mul2<A: Arith>(
    f: &A,
    g: &[[A::Fe; 2]],
    wg: u32,
    u1: &[u8],
    q: &[Jac<A::Fe>],
    wq: u32,
    u2: &[u8],
) -> Jac<A::Fe> {
    let (d1, d2) = (wnaf(u1, wg), wnaf(u2, wq));
    let mut acc = None;
    for i in (0..d1.len().max(d2.len())).rev() {
        acc = double(f, &acc);
        match d1.get(i).copied().unwrap_or(0) {
            0 => {}
            d => acc = add_affine(f, &acc, &g[(d.unsigned_abs() / 2) as usize], d < 0),
        }
        match d2.get(i).copied().unwrap_or(0) {
            0 => {}
            d if d > 0 => acc = add(f, &acc, &q[(d / 2) as usize]),
            d => acc = add(f, &acc, &neg(f, &q[(d.unsigned_abs() / 2) as usize])),
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wNAF digits recombine to k and have the NAF shape.
    #[test]
    fn wnaf_recombines() {
        for w in [2u32, 4, 5, 7] {
            for seed in 0..40u8 {
                let len = 1 + seed as usize % 40;
                let k: Vec<u8> = (0..len)
                    .map(|i| {
                        seed.wrapping_mul(37)
                            .wrapping_add((i as u8).wrapping_mul(11))
                    })
                    .collect();
                let k = if seed == 0 { vec![0xff; 32] } else { k };
                let d = wnaf(&k, w);
                // Compared modulo the prime 2^61 - 1.
                let mut acc: i128 = 0;
                let m = (1i128 << 61) - 1;
                for (i, &di) in d.iter().enumerate().rev() {
                    acc = (2 * acc + i128::from(di)).rem_euclid(m);
                    if di != 0 {
                        assert!(di % 2 != 0 && i128::from(di).abs() < 1 << (w - 1));
                        let next = &d[i + 1..d.len().min(i + w as usize)];
                        assert!(next.iter().all(|&x| x == 0), "w {w}");
                    }
                }
                let want = k
                    .iter()
                    .fold(0i128, |a, &b| (a * 256 + i128::from(b)).rem_euclid(m));
                assert_eq!(acc, want, "w {w} seed {seed}");
            }
        }
        assert!(wnaf(&[0, 0], 5).is_empty());
    }
}
