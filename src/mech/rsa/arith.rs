//! Constant-time integer helpers for assembling RSA keys (key generation
//! and import), on `bignum`'s 28-bit limbs: division with remainder, the
//! greatest common divisor, and the inverse of a small public exponent
//! modulo a large secret value. The secret values of a key (primes, d,
//! lambda) pass through them, so no branch and no memory address depends
//! on a value; loop counts depend only on lengths, which are public. They
//! run once per key, so they favour short code over speed (bit by bit).
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, ConstantTimeLess};

use super::bignum::{self, BITS, Limbs, MASK, sub, zeros};

/// The limbs of a value below 2^84.
pub fn small(x: u64) -> [u32; 3] {
    [
        x as u32 & MASK,
        (x >> BITS) as u32 & MASK,
        (x >> (2 * BITS)) as u32,
    ]
}

/// Bit `i` of x (0 past its end).
fn bit(x: &[u32], i: usize) -> u32 {
    (x.get(i / BITS).copied().unwrap_or(0) >> (i % BITS)) & 1
}

/// x = 2x + b (b is 0 or 1); the caller leaves room at the top.
fn shl1(x: &mut [u32], b: u32) {
    let mut carry = b;
    for l in x.iter_mut() {
        let t = (*l << 1) | carry;
        *l = t & MASK;
        carry = t >> BITS;
    }
}

/// x = x / 2.
fn shr1(x: &mut [u32]) {
    let mut carry = 0;
    for l in x.iter_mut().rev() {
        let t = *l | (carry << BITS);
        carry = t & 1;
        *l = t >> 1;
    }
}

/// a = b where `take` is set.
fn assign_if(a: &mut [u32], b: &[u32], take: Choice) {
    for (x, y) in a.iter_mut().zip(b) {
        x.conditional_assign(y, take);
    }
}

/// Limbs of `x` padded or cut to `len` (the caller knows the value fits).
pub fn resized(x: &[u32], len: usize) -> Limbs {
    let mut out = zeros(len);
    for (o, &l) in out.iter_mut().zip(x) {
        *o = l;
    }
    out
}

/// Whether x = 0, in constant time (the answer is what callers check).
pub fn is_zero(x: &[u32]) -> Choice {
    x.iter().fold(0u32, |acc, &l| acc | l).ct_eq(&0)
}

/// Whether x = 1, in constant time.
pub fn is_one(x: &[u32]) -> Choice {
    let rest = x.iter().skip(1).fold(0u32, |acc, &l| acc | l);
    let low = x.first().copied().unwrap_or(0);
    rest.ct_eq(&0) & low.ct_eq(&1)
}

/// (a / b, a mod b): restoring division one bit of a at a time, the
/// subtraction kept or not by a mask. The quotient has a's length, the
/// remainder b's. `None` when b = 0 (a public fact for every caller).
pub fn div_rem(a: &[u32], b: &[u32]) -> Option<(Limbs, Limbs)> {
    if bool::from(is_zero(b)) {
        return None;
    }
    let n = b.len() + 1;
    let divisor = resized(b, n);
    let (mut r, mut t) = (zeros(n), zeros(n));
    let mut q = zeros(a.len());
    for i in (0..a.len() * BITS).rev() {
        shl1(&mut r, bit(a, i));
        let keep = 1 - sub(&mut t, &r, &divisor);
        assign_if(&mut r, &t, Choice::from(keep as u8));
        q[i / BITS] |= keep << (i % BITS);
    }
    Some((q, resized(&r, b.len())))
}

/// gcd(a, b) for a, b not both zero, over max(len) limbs: Stein's binary
/// algorithm with every step computed and selected by masks, run for as
/// many steps as the worst case of these lengths needs.
pub fn gcd(a: &[u32], b: &[u32]) -> Limbs {
    let len = a.len().max(b.len());
    let (mut a, mut b) = (resized(a, len), resized(b, len));
    let steps = 2 * len * BITS;
    // The common factor 2^shift first.
    let mut shift = 0u32;
    for _ in 0..len * BITS {
        let both_even = Choice::from((((a[0] | b[0]) & 1) ^ 1) as u8) & !is_zero(&a) & !is_zero(&b);
        let (mut ha, mut hb) = (a.clone(), b.clone());
        shr1(&mut ha);
        shr1(&mut hb);
        assign_if(&mut a, &ha, both_even);
        assign_if(&mut b, &hb, both_even);
        shift += u32::from(both_even.unwrap_u8());
    }
    // Then one of a, b is odd; each step halves one of them (after
    // subtracting the smaller from the larger when both are odd).
    let (mut d, mut e) = (zeros(len), zeros(len));
    for _ in 0..steps {
        let a_even = Choice::from(((a[0] & 1) ^ 1) as u8);
        let b_even = Choice::from(((b[0] & 1) ^ 1) as u8) & !a_even;
        let both_odd = !a_even & !b_even;
        let a_smaller = Choice::from(sub(&mut d, &a, &b) as u8);
        sub(&mut e, &b, &a);
        shr1(&mut d);
        shr1(&mut e);
        let mut ha = a.clone();
        shr1(&mut ha);
        let mut hb = b.clone();
        shr1(&mut hb);
        assign_if(&mut a, &ha, a_even);
        assign_if(&mut b, &hb, b_even);
        assign_if(&mut a, &d, both_odd & !a_smaller);
        assign_if(&mut b, &e, both_odd & a_smaller);
    }
    // One of them is 0 now; the other times 2^shift is the gcd.
    let mut g = a.clone();
    bignum::add_assign(&mut g, &b);
    let mut g = resized(&g, len + 1);
    for i in 0..(len * BITS) as u32 {
        let mut doubled = g.clone();
        shl1(&mut doubled, 0);
        assign_if(&mut g, &doubled, i.ct_lt(&shift));
    }
    g
}

/// a^-1 mod m for an odd m below 2^62 and a below m; 0 when gcd(a, m) is
/// not 1. The binary extended Euclid with masks (x1 a = u and x2 a = v
/// modulo m throughout, v odd); each step takes a bit off u or v, so 128
/// steps finish any a, m below 2^62.
fn inverse_u64(a: u64, m: u64) -> u64 {
    let mask = |c: u64| 0u64.wrapping_sub(c);
    let (mut u, mut v, mut x1, mut x2) = (a, m, 1u64, 0u64);
    for _ in 0..128 {
        let u_odd = u & 1;
        let swap = mask(u_odd & (u.wrapping_sub(v) >> 63));
        let (tu, tx) = ((u ^ v) & swap, (x1 ^ x2) & swap);
        (u, v, x1, x2) = (u ^ tu, v ^ tu, x1 ^ tx, x2 ^ tx);
        u -= v & mask(u_odd);
        let t = x1.wrapping_sub(x2 & mask(u_odd));
        x1 = t.wrapping_add(m & mask(t >> 63));
        u >>= 1;
        x1 = (x1 + (m & mask(x1 & 1))) >> 1;
    }
    x2 & mask(u64::from(v == 1))
}

/// e^-1 mod m for a small public e (odd, below 2^62) and a large secret
/// m: with k = -m^-1 mod e, 1 + k m is a multiple of e and (1 + k m) / e
/// is the inverse, below m. `None` when gcd(e, m) is not 1 (a secret
/// fact, but one that ends key generation or import).
pub fn inverse_of_small(e: u64, m: &[u32]) -> Option<Limbs> {
    let e_limbs = small(e);
    let (_, r) = div_rem(m, &e_limbs)?;
    let r = r
        .iter()
        .rev()
        .fold(0u64, |acc, &l| (acc << BITS) | u64::from(l));
    let r_inv = inverse_u64(r, e);
    if r_inv == 0 {
        return None;
    }
    let k = e - r_inv;
    let mut t = bignum::mul_plain(m, &small(k));
    let mut one = zeros(t.len());
    one[0] = 1;
    bignum::add_assign(&mut t, &one);
    let (x, rest) = div_rem(&t, &e_limbs)?;
    if !bool::from(is_zero(&rest)) {
        return None;
    }
    Some(resized(&x, m.len()))
}

#[cfg(test)]
#[path = "arith_tests.rs"]
mod tests;
