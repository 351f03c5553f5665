//! [a]B for a secret scalar a (an Ed25519 signature's nonce r), in
//! constant time, on the paired field arithmetic of `point`.
//!
//! The method is curve25519-dalek's: a in signed radix 16, a = sum of
//! a_i 16^i with a_i in [-8, 8); a table of 1..8 times 256^j B for j in
//! 0..32; then [a]B = 16 (sum of a_(2j+1) 256^j B) + sum of a_(2j) 256^j B,
//! 64 additions and 4 doublings. No branch and no memory address depends
//! on a: each table entry is picked by scanning the row with masks and
//! negated by mask, and the addition formulas are complete.
use super::point::{Cached, Point};
use crate::mech::field25519::Fe2x2;

/// Row j: 1..8 times 256^j B (row 0 holds B, 2B, ..., 8B), each entry's
/// two pairs packed in one set of vectors (half the loads and selects),
/// with Z = 1 (`Point::add_affine`: one paired product fewer per
/// addition; the identity has Z = 1 too).
type Row = [Fe2x2; 8];

/// The table, built on first use (~512 point operations).
fn rows() -> &'static [Row] {
    static TABLE: std::sync::OnceLock<Vec<Row>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut p = Point::base();
        (0..32)
            .map(|_| {
                let (mut m, step) = (p, p.cached());
                let row = core::array::from_fn(|k| {
                    if k > 0 {
                        m = m.add(&step, true);
                    }
                    m.normalized().cached().packed()
                });
                for _ in 0..8 {
                    p = p.double(true);
                }
                row
            })
            .collect()
    })
}

/// The signed radix-16 digits of a scalar below 2^255: 64 digits in
/// [-8, 8) (the last may be 8), no branch.
fn radix16(a: &[u8; 32]) -> [i8; 64] {
    let mut e = [0i8; 64];
    for (i, b) in a.iter().enumerate() {
        e[2 * i] = (b & 15) as i8;
        e[2 * i + 1] = (b >> 4) as i8;
    }
    let mut carry = 0i8;
    for d in e.iter_mut().take(63) {
        *d += carry;
        carry = (*d + 8) >> 4;
        *d -= carry << 4;
    }
    e[63] += carry;
    e
}

/// All ones when x == y, else 0, without a branch.
fn eq_mask(x: u8, y: u8) -> u32 {
    let d = u32::from(x ^ y);
    // d - 1 borrows into bit 31 only when d is 0.
    0u32.wrapping_sub((d.wrapping_sub(1) >> 31) & 1)
}

/// d times the row's point (d in [-8, 8]): every entry read, the one
/// wanted kept by mask, then negated by mask.
fn select(row: &Row, d: i8) -> Cached {
    let sign = (d as u8) >> 7;
    let abs = ((d as u8) ^ 0u8.wrapping_sub(sign)).wrapping_add(sign);
    let mut t = Cached::identity().packed();
    for (k, entry) in row.iter().enumerate() {
        // Every entry is read; the one wanted is kept by mask.
        t = t.select(entry, eq_mask(abs, k as u8 + 1));
    }
    let mut packed = t;
    let mut t = Cached::unpacked(&packed);
    packed.wipe();
    let mut neg = t.neg();
    let out = t.select(&neg, 0u32.wrapping_sub(u32::from(sign)));
    neg.wipe();
    t.wipe();
    out
}

/// The encoding of [a]B (a below 2^255, secret), in constant time.
pub(super) fn mul_base(a: &[u8; 32]) -> [u8; 32] {
    let mut p = mul_base_point(a);
    let out = p.compress();
    p.wipe();
    out
}

/// X25519(k, 9), the public key of an X25519 private key k: the
/// Montgomery u-coordinate of [clamp(k)]B (RFC 7748: the base points
/// correspond), in constant time.
pub(super) fn x25519_base(k: &[u8; 32]) -> [u8; 32] {
    let mut k = *k;
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    let mut p = mul_base_point(&k);
    let out = p.montgomery_u();
    p.wipe();
    k.fill(0);
    core::hint::black_box(&k);
    out
}

/// [a]B (a below 2^255, secret), in constant time.
fn mul_base_point(a: &[u8; 32]) -> Point {
    let rows = rows();
    let mut e = radix16(a);
    let mut p = Point::identity();
    for (j, row) in rows.iter().enumerate() {
        let mut q = select(row, e[2 * j + 1]);
        p = p.add_affine(&q, true);
        q.wipe();
    }
    for i in 0..4 {
        p = p.double(i == 3);
    }
    for (j, row) in rows.iter().enumerate() {
        let mut q = select(row, e[2 * j]);
        p = p.add_affine(&q, j + 1 < rows.len());
        q.wipe();
    }
    e.fill(0);
    core::hint::black_box(&e);
    p
}

#[cfg(test)]
#[path = "base_mul_tests.rs"]
mod tests;
