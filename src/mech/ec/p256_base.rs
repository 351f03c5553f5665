//! Constant-time fixed-base scalar multiplication k·G on P-256, the cost
//! that dominates ECDSA signing and key generation.
//!
//! Why not the p256 crate's own basepoint table: on wasm32 its field
//! arithmetic uses 64-bit limbs, and each 64x64->128 product is an
//! emulated `__multi3` call. Here the field uses eight 32-bit limbs:
//! in wasm the 64 limb products of a field multiplication take 32 SIMD
//! `i64x2.extmul` instructions (the module already requires SIMD128 for
//! RSA), natively one u64 product each. The Montgomery reduction uses
//! the shape of p = 2^256 - 2^224 + 2^192 + 2^96 - 1: with R = 2^256,
//! -p^-1 mod 2^32 is 1, so each reduction step adds the low limb q at
//! four positions instead of multiplying (no products at all).
//!
//! The multiplication: k = sum e_i 2^(6 i) with 43 signed digits e_i in
//! [-32, 32], and a table of d·2^(6 i)·G (affine, Montgomery form) for
//! every i and d in [1, 32] (88 KB), computed once on first use with the
//! p256 crate (about 1,400 additions and one batch inversion). k·G is
//! the sum of 43 table entries, negated where e_i < 0: 43 complete mixed
//! additions (Renes, Costello and Batina, "Complete addition formulas for
//! prime order elliptic curves", 2016, Algorithm 5, a = -3) and no
//! doubling. The affine result divides by Z with a Fermat inversion.
//!
//! Constant time: no branch and no memory address depends on k. Each
//! lookup reads all 32 entries of its row and masks; the sign is a masked
//! negation; a zero digit adds a dummy entry and keeps the old sum by a
//! masked select. Field operations are branch-free (masked corrections);
//! the inversion is a fixed chain.
//! The table set-up uses the p256 crate (it holds public multiples of G).
use std::sync::OnceLock;

use p256::ProjectivePoint;
use p256::elliptic_curve::group::Curve as _;
use p256::elliptic_curve::point::AffineCoordinates;
use zeroize::Zeroize;

/// A field element: eight little-endian 32-bit limbs, canonical (below p),
/// in Montgomery form (x R mod p) unless a name says otherwise.
pub(super) type Fe = [u32; 8];

/// p, little-endian limbs.
pub(super) const P: Fe = [
    0xffff_ffff,
    0xffff_ffff,
    0xffff_ffff,
    0,
    0,
    0,
    1,
    0xffff_ffff,
];

/// The curve's b (plain, big-endian).
const B_BE: [u8; 32] = [
    0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86, 0xbc,
    0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2, 0x60, 0x4b,
];

/// 0xffffffff when `bit` (0 or 1) is 1, else 0.
#[inline(always)]
fn mask(bit: u32) -> u32 {
    0u32.wrapping_sub(bit)
}

/// v - p when v + top 2^256 >= p, else v (v + top 2^256 below 2p).
#[inline(always)]
fn reduce_once(v: &Fe, top: u32) -> Fe {
    let mut t = [0u32; 8];
    let mut borrow = 0u64;
    for i in 0..8 {
        let d = u64::from(v[i])
            .wrapping_sub(u64::from(P[i]))
            .wrapping_sub(borrow);
        t[i] = d as u32;
        borrow = d >> 63;
    }
    let take = mask(top | (borrow as u32 ^ 1));
    let mut out = [0u32; 8];
    for i in 0..8 {
        out[i] = (t[i] & take) | (v[i] & !take);
    }
    out
}

/// a + b mod p.
#[inline(always)]
pub(super) fn add(a: &Fe, b: &Fe) -> Fe {
    let mut v = [0u32; 8];
    let mut carry = 0u64;
    for i in 0..8 {
        let s = u64::from(a[i]) + u64::from(b[i]) + carry;
        v[i] = s as u32;
        carry = s >> 32;
    }
    reduce_once(&v, carry as u32)
}

/// a - b mod p.
#[inline(always)]
pub(super) fn sub(a: &Fe, b: &Fe) -> Fe {
    let mut v = [0u32; 8];
    let mut borrow = 0u64;
    for i in 0..8 {
        let d = u64::from(a[i])
            .wrapping_sub(u64::from(b[i]))
            .wrapping_sub(borrow);
        v[i] = d as u32;
        borrow = d >> 63;
    }
    // Add p back when it wrapped.
    let m = mask(borrow as u32);
    let mut out = [0u32; 8];
    let mut carry = 0u64;
    for i in 0..8 {
        let s = u64::from(v[i]) + u64::from(P[i] & m) + carry;
        out[i] = s as u32;
        carry = s >> 32;
    }
    out
}

/// Montgomery product a b / 2^256 mod p.
///
/// The 512-bit product lands in signed 64-bit columns, each 32x32-bit
/// product split into its halves, so columns never overflow and carries
/// wait. Reduction step i takes q = column i mod 2^32 and adds q p / 2^(32 i):
/// -q at i (clearing it), +q at i+3, +q at i+6, -q at i+7, +q at i+8.
/// The result (T + Q p) / R is below 2p: one masked subtraction.
#[cfg(not(target_arch = "wasm32"))]
#[inline(always)]
pub(super) fn mul(a: &Fe, b: &Fe) -> Fe {
    redc(columns(a, b))
}

#[cfg(target_arch = "wasm32")]
#[target_feature(enable = "simd128")]
#[inline]
pub(super) fn mul(a: &Fe, b: &Fe) -> Fe {
    redc(columns(a, b))
}

/// The product columns of `mul`, two products per SIMD multiply
/// (`lanes`): row i of a_i b_j, j = 0..7, is four 2-lane products
/// covering columns i..i+7. A lane pair holds two adjacent columns, so
/// two accumulator sets are kept: `even` (columns 2k, 2k+1) and `odd`
/// (2k+1, 2k+2). An even row's low halves land in `even` and high halves
/// (one column up) in `odd`; an odd row the other way round.
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
#[inline]
fn columns(a: &Fe, b: &Fe) -> [i64; 17] {
    use lanes::*;
    let mut even = [zero(); 9];
    let mut odd = [zero(); 9];
    // Written out per row, each multiplication with operands of its own
    // (fresh opaque zeros), so that LLVM neither hoists nor shares the
    // lane extensions: shared, they become `i64x2.mul`.
    macro_rules! row {
        ($i:literal) => {{
            let (z0, z1) = (opaque_zero(), opaque_zero());
            let (b0, b1) = (load4(&b[..4], z0), load4(&b[4..], z1));
            let (a0, a1) = (splat(a[$i], z0), splat(a[$i], z1));
            let rows = [
                mul_lo(a0, b0),
                mul_hi(a0, b0),
                mul_lo(a1, b1),
                mul_hi(a1, b1),
            ];
            let m = $i / 2;
            for (t, p) in rows.into_iter().enumerate() {
                if $i % 2 == 0 {
                    even[m + t] = add(even[m + t], low32(p));
                    odd[m + t] = add(odd[m + t], high32(p));
                } else {
                    odd[m + t] = add(odd[m + t], low32(p));
                    even[m + t + 1] = add(even[m + t + 1], high32(p));
                }
            }
        }};
    }
    row!(0);
    row!(1);
    row!(2);
    row!(3);
    row!(4);
    row!(5);
    row!(6);
    row!(7);
    let mut c = [0i64; 17];
    for k in 0..8 {
        let [e0, e1] = get(even[k]);
        let [o0, o1] = get(odd[k]);
        c[2 * k] += e0 as i64;
        c[2 * k + 1] += (e1 + o0) as i64;
        c[2 * k + 2] += o1 as i64;
    }
    c
}

/// Two-lane 64-bit arithmetic on 32-bit operands: wasm SIMD
/// (`i64x2.extmul_*_i32x4_u`, four 32x32->64 products per two
/// instructions) or a portable model with the same lane semantics, which
/// the native tests run.
#[cfg(target_arch = "wasm32")]
mod lanes {
    use core::arch::wasm32::*;
    pub type W = v128;
    pub type D = v128;

    /// A zero the compiler cannot see through: without it LLVM may fold
    /// the zero-extension into `i64x2.mul`, which engines emulate slowly
    /// (see rsa/bignum.rs).
    #[inline(always)]
    pub fn opaque_zero() -> v128 {
        core::hint::black_box(u64x2_splat(0))
    }
    #[inline(always)]
    pub fn load4(x: &[u32], z: v128) -> W {
        v128_or(u32x4(x[0], x[1], x[2], x[3]), z)
    }
    #[inline(always)]
    pub fn splat(x: u32, z: v128) -> W {
        v128_or(u32x4_splat(x), z)
    }
    #[inline(always)]
    pub fn zero() -> D {
        u64x2_splat(0)
    }
    /// (a0 b0, a1 b1).
    #[inline(always)]
    pub fn mul_lo(a: W, b: W) -> D {
        u64x2_extmul_low_u32x4(a, b)
    }
    /// (a2 b2, a3 b3).
    #[inline(always)]
    pub fn mul_hi(a: W, b: W) -> D {
        u64x2_extmul_high_u32x4(a, b)
    }
    #[inline(always)]
    pub fn low32(p: D) -> D {
        v128_and(p, u64x2_splat(0xffff_ffff))
    }
    #[inline(always)]
    pub fn high32(p: D) -> D {
        u64x2_shr(p, 32)
    }
    #[inline(always)]
    pub fn add(a: D, b: D) -> D {
        u64x2_add(a, b)
    }
    #[inline(always)]
    pub fn get(a: D) -> [u64; 2] {
        [u64x2_extract_lane::<0>(a), u64x2_extract_lane::<1>(a)]
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod lanes {
    pub type W = [u32; 4];
    pub type D = [u64; 2];

    #[inline(always)]
    pub fn opaque_zero() {}
    #[inline(always)]
    pub fn load4(x: &[u32], _: ()) -> W {
        [x[0], x[1], x[2], x[3]]
    }
    #[inline(always)]
    pub fn splat(x: u32, _: ()) -> W {
        [x; 4]
    }
    #[inline(always)]
    pub fn zero() -> D {
        [0; 2]
    }
    #[inline(always)]
    pub fn mul_lo(a: W, b: W) -> D {
        [
            u64::from(a[0]) * u64::from(b[0]),
            u64::from(a[1]) * u64::from(b[1]),
        ]
    }
    #[inline(always)]
    pub fn mul_hi(a: W, b: W) -> D {
        [
            u64::from(a[2]) * u64::from(b[2]),
            u64::from(a[3]) * u64::from(b[3]),
        ]
    }
    #[inline(always)]
    pub fn low32(p: D) -> D {
        [p[0] & 0xffff_ffff, p[1] & 0xffff_ffff]
    }
    #[inline(always)]
    pub fn high32(p: D) -> D {
        [p[0] >> 32, p[1] >> 32]
    }
    #[inline(always)]
    pub fn add(a: D, b: D) -> D {
        [a[0] + b[0], a[1] + b[1]]
    }
    #[inline(always)]
    pub fn get(a: D) -> [u64; 2] {
        a
    }
}

/// Montgomery square a a / 2^256 mod p: 36 products, the off-diagonal
/// ones counted twice.
pub(super) fn sqr(a: &Fe) -> Fe {
    let mut c = [0i64; 17];
    for i in 0..8 {
        let x = u64::from(a[i]) * u64::from(a[i]);
        c[2 * i] += (x & 0xffff_ffff) as i64;
        c[2 * i + 1] += (x >> 32) as i64;
        for j in i + 1..8 {
            let x = u64::from(a[i]) * u64::from(a[j]);
            c[i + j] += 2 * (x & 0xffff_ffff) as i64;
            c[i + j + 1] += 2 * (x >> 32) as i64;
        }
    }
    redc(c)
}

/// The Montgomery reduction of `mul` and `sqr` on product columns.
#[inline(always)]
fn redc(mut c: [i64; 17]) -> Fe {
    for i in 0..8 {
        let t = c[i];
        let q = t & 0xffff_ffff;
        c[i + 1] += t >> 32;
        c[i + 3] += q;
        c[i + 6] += q;
        c[i + 7] -= q;
        c[i + 8] += q;
    }
    let mut v = [0u32; 8];
    let mut carry = 0i64;
    for i in 0..8 {
        let t = c[i + 8] + carry;
        v[i] = t as u32;
        carry = t >> 32;
    }
    carry += c[16];
    reduce_once(&v, carry as u32)
}

/// a^(2^n) b (n squarings, then one product; in wasm the SIMD `mul`
/// measured no faster for the squarings). Out of line: `invert` calls it
/// 13 times, and inlined each copy of `sqr` and `mul` cost ~1 KB of code
/// for nothing measurable (a call per 2 to 128 squarings).
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
#[inline(never)]
fn sqr_n_mul(a: &Fe, n: usize, b: &Fe) -> Fe {
    let mut r = *a;
    for _ in 0..n {
        r = sqr(&r);
    }
    mul(&r, b)
}

/// a^-1 = a^(p-2) mod p (0 for 0), Fermat with a fixed addition chain:
/// p - 2 = ffffffff 00000001 0^96 ffffffff ffffffff fffffffd (hex
/// words), built from the runs of ones x_k = a^(2^k - 1).
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
pub(super) fn invert(a: &Fe) -> Fe {
    let x2 = sqr_n_mul(a, 1, a);
    let x4 = sqr_n_mul(&x2, 2, &x2);
    let x8 = sqr_n_mul(&x4, 4, &x4);
    let x16 = sqr_n_mul(&x8, 8, &x8);
    let x24 = sqr_n_mul(&x16, 8, &x8);
    let x28 = sqr_n_mul(&x24, 4, &x4);
    let x30 = sqr_n_mul(&x28, 2, &x2);
    let x32 = sqr_n_mul(&x30, 2, &x2);
    let mut r = sqr_n_mul(&x32, 32, a);
    r = sqr_n_mul(&r, 128, &x32);
    r = sqr_n_mul(&r, 32, &x32);
    r = sqr_n_mul(&r, 30, &x30);
    sqr_n_mul(&r, 2, a)
}

/// Big-endian bytes to limbs (no reduction).
pub(super) fn from_be(b: &[u8; 32]) -> Fe {
    let mut out = [0u32; 8];
    for (i, o) in out.iter_mut().enumerate() {
        let at = 28 - 4 * i;
        *o = u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    }
    out
}

/// Limbs to big-endian bytes.
pub(super) fn to_be(a: &Fe) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, l) in a.iter().enumerate() {
        let at = 28 - 4 * i;
        out[at..at + 4].copy_from_slice(&l.to_be_bytes());
    }
    out
}

/// Bits per signed digit: digits in [-32, 32], 32 entries per row.
pub(super) const W: usize = 6;
const ENTRIES: usize = 1 << (W - 1);
/// Rows: W * ROWS >= 257 bits (k below 2^256 plus the recoding carry).
const ROWS: usize = 257_usize.div_ceil(W);

/// An affine table entry (x, y), Montgomery form.
pub(super) type Entry = [Fe; 2];

/// Constants and the basepoint table, built on first use.
pub(super) struct Base {
    /// R^2 mod p: x -> x R is a Montgomery product with it.
    r2: Fe,
    /// R mod p: 1 in Montgomery form.
    one: Fe,
    /// b and 3b in Montgomery form.
    b: Fe,
    b3: Fe,
    /// Row i, entry d-1: d·2^(W i)·G for d in [1, 32].
    table: Vec<[Entry; ENTRIES]>,
}

impl Base {
    pub(super) fn get() -> &'static Base {
        static BASE: OnceLock<Base> = OnceLock::new();
        BASE.get_or_init(Base::build)
    }

    fn build() -> Base {
        // R mod p = 2^256 - p, then doubled 256 times: R·2^256 = R^2.
        let mut one = [0u32; 8];
        let mut borrow = 0u64;
        for i in 0..8 {
            let d = 0u64.wrapping_sub(u64::from(P[i])).wrapping_sub(borrow);
            one[i] = d as u32;
            borrow = d >> 63;
        }
        let mut r2 = one;
        for _ in 0..256 {
            r2 = add(&r2, &r2);
        }
        let mont = |x: &Fe| mul(x, &r2);
        let b = mont(&from_be(&B_BE));
        let b3 = add(&add(&b, &b), &b);
        let mut points = Vec::with_capacity(ROWS * ENTRIES);
        let mut base = ProjectivePoint::GENERATOR;
        for _ in 0..ROWS {
            let mut acc = base;
            for _ in 0..ENTRIES {
                points.push(acc);
                acc += base;
            }
            for _ in 0..W {
                base += base;
            }
        }
        let mut affine = vec![p256::AffinePoint::IDENTITY; points.len()];
        ProjectivePoint::batch_normalize(&points, &mut affine);
        let table = affine
            .chunks_exact(ENTRIES)
            .map(|row| {
                std::array::from_fn(|d| {
                    let x: [u8; 32] = row[d].x().into();
                    let y: [u8; 32] = row[d].y().into();
                    [mont(&from_be(&x)), mont(&from_be(&y))]
                })
            })
            .collect();
        Base {
            r2,
            one,
            b,
            b3,
            table,
        }
    }

    pub(super) fn to_mont(&self, x: &Fe) -> Fe {
        mul(x, &self.r2)
    }

    /// 1 and b in Montgomery form.
    pub(super) fn one(&self) -> &Fe {
        &self.one
    }

    pub(super) fn b(&self) -> &Fe {
        &self.b
    }

    /// d·2^(W row)·G, affine, for d in [1, 32].
    pub(super) fn entry(&self, row: usize, d: usize) -> Option<&Entry> {
        self.table.get(row)?.get(d.checked_sub(1)?)
    }

    pub(super) fn out_of_mont(&self, x: &Fe) -> Fe {
        let mut unit = [0u32; 8];
        unit[0] = 1;
        mul(x, &unit)
    }

    /// (X, Y, Z) + (x, y) for an affine (x, y) that is not the identity
    /// (RCB 2016 Algorithm 5, a = -3; complete for any projective input,
    /// the identity (0 : 1 : 0) included).
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    #[inline]
    fn add_mixed(&self, p: &[Fe; 3], q: &Entry) -> [Fe; 3] {
        let [x1, y1, z1] = p;
        let [x2, y2] = q;
        let triple = |v: &Fe| add(&add(v, v), v);
        let xx = mul(x1, x2);
        let yy = mul(y1, y2);
        let xy = sub(&mul(&add(x1, y1), &add(x2, y2)), &add(&xx, &yy));
        let yz = add(&mul(y2, z1), y1);
        let xz = add(&mul(x2, z1), x1);
        // 3 (xz - b z1) = 3 xz - 3b z1.
        let bz3 = sub(&triple(&xz), &mul(&self.b3, z1));
        let yy_m = sub(&yy, &bz3);
        let yy_p = add(&yy, &bz3);
        let z3 = triple(z1);
        // 3 (b xz - (3 z1 + xx)).
        let bxz3 = sub(&mul(&self.b3, &xz), &triple(&add(&z3, &xx)));
        let xx3_m_z3 = sub(&triple(&xx), &z3);
        [
            sub(&mul(&yy_p, &xy), &mul(&yz, &bxz3)),
            add(&mul(&yy_p, &yy_m), &mul(&xx3_m_z3, &bxz3)),
            add(&mul(&yy_m, &yz), &mul(&xy, &xx3_m_z3)),
        ]
    }

    /// k·G for a big-endian scalar k, as affine big-endian (x, y);
    /// `None` when k·G is the identity (k = 0 mod n).
    ///
    /// k is recoded into signed digits e_i in [-32, 32] (k = sum e_i
    /// 2^(6 i)): a window value w above 32 becomes w - 64 and carries 1
    /// into the next window, by masks. A negative digit adds the entry
    /// with y negated.
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    pub(super) fn mul_base(&self, k: &[u8; 32]) -> Option<([u8; 32], [u8; 32])> {
        let mut le = [0u8; 34];
        for (o, b) in le.iter_mut().zip(k.iter().rev()) {
            *o = *b;
        }
        let mut acc: [Fe; 3] = [[0; 8], self.one, [0; 8]];
        let mut sel: Entry = [[0; 8]; 2];
        let mut carry = 0u32;
        for (i, row) in self.table.iter().enumerate() {
            let (at, off) = (W * i / 8, W * i % 8);
            let pair = u32::from(le[at]) | u32::from(le[at + 1]) << 8;
            let w = ((pair >> off) & ((1 << W) - 1)) + carry;
            carry = (ENTRIES as u32).wrapping_sub(w) >> 31;
            // |digit|: w, or 64 - w when it wrapped.
            let neg = mask(carry);
            let d = (w & !neg) | ((1u32 << W).wrapping_sub(w) & neg);
            select(&mut sel, row, d);
            let minus_y = sub(&[0; 8], &sel[1]);
            for l in 0..8 {
                sel[1][l] = (sel[1][l] & !neg) | (minus_y[l] & neg);
            }
            let sum = self.add_mixed(&acc, &sel);
            let keep = mask(d.wrapping_sub(1) >> 31);
            for c in 0..3 {
                for l in 0..8 {
                    acc[c][l] = (acc[c][l] & keep) | (sum[c][l] & !keep);
                }
            }
        }
        le.zeroize();
        sel.zeroize();
        // Z is 0 only for the identity (k = 0 mod n), which is public.
        let z_zero = acc[2].iter().fold(0, |a, &l| a | l) == 0;
        let zinv = invert(&acc[2]);
        let x = to_be(&self.out_of_mont(&mul(&acc[0], &zinv)));
        let y = to_be(&self.out_of_mont(&mul(&acc[1], &zinv)));
        acc.zeroize();
        (!z_zero).then_some((x, y))
    }
}

/// out = row entry d - 1 (1 <= d <= 32), unchanged for d = 0, reading
/// every entry: masks, no secret-dependent address. (A wasm SIMD
/// version measured no faster.)
fn select(out: &mut Entry, row: &[Entry; ENTRIES], d: u32) {
    for (j, entry) in row.iter().enumerate() {
        // 0xffffffff when j + 1 == d.
        let x = (j as u32 + 1) ^ d;
        let m = mask(x.wrapping_sub(1) >> 31);
        for c in 0..2 {
            for l in 0..8 {
                out[c][l] = (out[c][l] & !m) | (entry[c][l] & m);
            }
        }
    }
}

#[cfg(test)]
#[path = "p256_base_tests.rs"]
mod tests;
