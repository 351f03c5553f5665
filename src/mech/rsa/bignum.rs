//! Constant-time Montgomery arithmetic for RSA,
//! on 28-bit limbs held in `u32` (least significant limb first).
//!
//! Why 28-bit limbs: wasm32 multiplies 32x32->64 bits natively (`i64.mul`)
//! but emulates 64x64->128 (`__multi3`), which 64-bit limbs pay on every
//! product. A product of two 28-bit limbs is below 2^56, so a column of up
//! to 2 * MAX_LIMBS products sums in one `u64` with no carry handling: the
//! Montgomery product scans columns (the "FIPS" ordering of Koç, Acar and
//! Kaliski, "Analyzing and comparing Montgomery multiplication algorithms",
//! 1996) and carries once per column. In wasm the column sums use SIMD
//! (`kernel`): four 32x32->64 products per two 128-bit loads. The module
//! then needs wasm SIMD (Chrome 91, Firefox 89, Safari 16.4, Node 16.4).
//!
//! Used for the private-key operation (`crt`), with public values for the
//! public-key operation, and by the generic elliptic-curve field
//! (`ec::field`), which calls `Modulus::mul_to` on fixed buffers.
//!
//! R = 2^(28 * len) is at least 16 m, so products skip the final
//! subtraction (Walter, "Montgomery exponentiation needs no final
//! subtractions", 1999): inputs below 4m give an output below 2m. Values
//! are therefore kept below 2m and made canonical only at the end.
//!
//! Constant time: no branch and no memory address depends on a secret
//! value; loop bounds depend only on lengths, which are public. Table
//! lookups read every entry. Secrets live in `Zeroizing` buffers.
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

pub const BITS: usize = 28;
pub const MASK: u32 = (1 << BITS) - 1;
/// Keeps every column sum below 2^64: 2 * 127 products below 2^56, plus
/// a carry below 2^36.
pub const MAX_LIMBS: usize = 127;
/// Moduli above MAX_LIMBS limbs, up to this, take the row-by-row product
/// (`wide`): an 8192-bit modulus needs 293 limbs.
pub const MAX_WIDE_LIMBS: usize = 300;
/// Fixed window of the exponentiation: 2^WINDOW table entries.
const WINDOW: usize = 5;

pub type Limbs = Zeroizing<Vec<u32>>;

pub(super) fn zeros(len: usize) -> Limbs {
    Zeroizing::new(vec![0u32; len])
}

/// Limbs for which `16 * m < R` holds, given m's bit length.
pub fn limbs_for_bits(bits: usize) -> usize {
    (bits + 4).div_ceil(BITS)
}

/// Big-endian octets to `len` limbs; `None` when the value needs more.
pub fn from_be(bytes: &[u8], len: usize) -> Option<Limbs> {
    let mut out = zeros(len);
    let mut excess = 0u32;
    for (j, &b) in bytes.iter().rev().enumerate() {
        let bit = j * 8;
        let (limb, off) = (bit / BITS, bit % BITS);
        let v = u64::from(b) << off;
        for (i, part) in [(limb, v as u32 & MASK), (limb + 1, (v >> BITS) as u32)] {
            match out.get_mut(i) {
                Some(x) => *x |= part,
                None => excess |= part,
            }
        }
    }
    (excess == 0).then_some(out)
}

/// `k` big-endian octets of a normalised value; `None` when it needs more.
pub fn to_be(limbs: &[u32], k: usize) -> Option<Zeroizing<Vec<u8>>> {
    let total = k * 8;
    let mut excess = 0u32;
    for (i, &l) in limbs.iter().enumerate() {
        let lo = i * BITS;
        if lo >= total {
            excess |= l;
        } else if lo + BITS > total {
            excess |= l >> (total - lo);
        }
    }
    if excess != 0 {
        return None;
    }
    let mut out = Zeroizing::new(vec![0u8; k]);
    for (j, o) in out.iter_mut().rev().enumerate() {
        let bit = j * 8;
        let (i, off) = (bit / BITS, bit % BITS);
        let mut v = limbs.get(i).copied().unwrap_or(0) >> off;
        if off + 8 > BITS {
            v |= limbs.get(i + 1).copied().unwrap_or(0) << (BITS - off);
        }
        *o = v as u8;
    }
    Some(out)
}

/// out = a - b over the common length; returns the borrow (0 or 1).
pub(super) fn sub(out: &mut [u32], a: &[u32], b: &[u32]) -> u32 {
    let mut borrow = 0u32;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        let t = x.wrapping_sub(y).wrapping_sub(borrow);
        *o = t & MASK;
        borrow = t >> 31;
    }
    borrow
}

/// a += b over the common length; returns the carry.
pub(super) fn add_assign(a: &mut [u32], b: &[u32]) -> u32 {
    let mut carry = 0u32;
    for (x, &y) in a.iter_mut().zip(b) {
        let t = *x + y + carry;
        *x = t & MASK;
        carry = t >> BITS;
    }
    carry
}

/// a -= m when a >= m, in constant time.
fn cond_sub(a: &mut [u32], m: &[u32]) {
    let mut t = zeros(a.len());
    let borrow = sub(&mut t, a, m);
    let keep = subtle::Choice::from(borrow as u8);
    for (x, y) in a.iter_mut().zip(t.iter()) {
        *x = u32::conditional_select(y, x, keep);
    }
}

/// Whether a < b (equal lengths), in constant time; the answer is public.
pub fn ct_lt(a: &[u32], b: &[u32]) -> bool {
    let mut t = zeros(a.len());
    a.len() == b.len() && sub(&mut t, a, b) == 1
}

/// The schoolbook product a * b, normalised, of a.len() + b.len() limbs.
pub fn mul_plain(a: &[u32], b: &[u32]) -> Limbs {
    let mut out = zeros(a.len() + b.len());
    for (i, &x) in a.iter().enumerate() {
        let mut carry = 0u64;
        if let Some(row) = out.get_mut(i..) {
            for (o, &y) in row.iter_mut().zip(b) {
                let t = u64::from(x) * u64::from(y) + u64::from(*o) + carry;
                *o = t as u32 & MASK;
                carry = t >> BITS;
            }
            if let Some(o) = row.get_mut(b.len()) {
                *o = carry as u32;
            }
        }
    }
    out
}

/// An odd modulus m with its Montgomery constants.
#[derive(Clone)]
pub struct Modulus {
    m: Limbs,
    /// -m^-1 mod 2^28.
    m0inv: u32,
    /// R^2 mod m.
    rr: Limbs,
    /// R mod m (1 in Montgomery form), below m.
    one: Limbs,
    bits: usize,
}

impl Modulus {
    /// `m` (big-endian, odd, above 1) on `len` limbs; `None` when it is
    /// even or needs more than `len` limbs (with the 16m < R headroom).
    pub fn new(m_be: &[u8], len: usize) -> Option<Self> {
        let first = m_be.iter().position(|&b| b != 0)?;
        let stripped = m_be.get(first..)?;
        let bits = stripped.len() * 8 - stripped.first()?.leading_zeros() as usize;
        if !(2..=MAX_WIDE_LIMBS).contains(&len) || limbs_for_bits(bits) > len || bits < 2 {
            return None;
        }
        let m = from_be(stripped, len)?;
        let m0 = *m.first()?;
        if m0 & 1 == 0 {
            return None;
        }
        // Newton's iteration for the inverse modulo 2^32: each step doubles
        // the correct low bits (3 -> 6 -> 12 -> 24 -> 48).
        let mut inv = m0;
        for _ in 0..4 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(m0.wrapping_mul(inv)));
        }
        let mut modulus = Modulus {
            m,
            m0inv: inv.wrapping_neg() & MASK,
            rr: zeros(len),
            one: zeros(len),
            bits,
        };
        modulus.compute_constants();
        Some(modulus)
    }

    /// R mod m and R^2 mod m without division: 2^(bits-1) < m doubled
    /// modulo m up to 2^(28 len) = R (at most 32 doublings), then once
    /// more to 2R, which is 2 in Montgomery form; 2^(28 len) in Montgomery
    /// form, by square and multiply over the public exponent 28 len, is
    /// R R mod m.
    fn compute_constants(&mut self) {
        let len = self.len();
        let mut r = zeros(len);
        let top = self.bits - 1;
        if let Some(l) = r.get_mut(top / BITS) {
            *l = 1 << (top % BITS);
        }
        for _ in top..BITS * len {
            self.double(&mut r);
        }
        self.one = Zeroizing::new(r.to_vec());
        self.double(&mut r);
        let mut rr = self.pow_public(&r, (BITS * len) as u64);
        cond_sub(&mut rr, &self.m);
        self.rr = rr;
    }

    /// r = 2r mod m for r below m.
    fn double(&self, r: &mut [u32]) {
        let mut carry = 0u32;
        for x in r.iter_mut() {
            let t = (*x << 1) | carry;
            *x = t & MASK;
            carry = t >> BITS;
        }
        cond_sub(r, &self.m);
    }

    pub fn len(&self) -> usize {
        self.m.len()
    }

    pub fn bits(&self) -> usize {
        self.bits
    }

    pub fn limbs(&self) -> &[u32] {
        &self.m
    }

    /// R mod m (1 in Montgomery form), below m.
    pub fn one(&self) -> &[u32] {
        &self.one
    }

    /// R^2 mod m, below m: x -> x R is a Montgomery product with it.
    pub fn rr(&self) -> &[u32] {
        &self.rr
    }

    /// `mul` into `out` (len limbs) with the caller's scratch `x` and `y`
    /// (2 len + 2 limbs each, contents overwritten): no allocation, for
    /// callers that multiply small values many times (`ec::field`). Moduli
    /// of at most MAX_LIMBS limbs (the column kernel).
    pub fn mul_to(&self, out: &mut [u32], a: &[u32], b: &[u32], x: &mut [u32], y: &mut [u32]) {
        load(x, y, a, b, &self.m);
        kernel::montgomery(out, x, y, self.m0inv, &self.m);
    }

    /// The product for moduli above MAX_LIMBS limbs, with `t` (2 len + 1
    /// limbs at least) as scratch. Out of line, and reached from several
    /// call sites so that wasm-opt does not inline it either: in `mul_to`,
    /// the branch and this code made the usual sizes' products about 10%
    /// slower in V8.
    #[cold]
    #[inline(never)]
    fn mul_wide(&self, out: &mut [u32], a: &[u32], b: &[u32], t: &mut [u32]) {
        let len = self.len();
        let t = &mut t[..2 * len + 1];
        wide::mul(t, a, b);
        self.redc_wide_in_place(t);
        out.copy_from_slice(&t[len..2 * len]);
    }

    #[cold]
    #[inline(never)]
    fn redc_wide_in_place(&self, t: &mut [u32]) {
        wide::redc(t, &self.m, self.m0inv);
    }

    /// Montgomery product a * b / R mod m (below 2m for inputs below 4m).
    pub fn mul(&self, a: &[u32], b: &[u32]) -> Limbs {
        let mut out = zeros(self.len());
        self.mul_into(&mut out, a, b, &mut Scratch::new(self.len()));
        out
    }

    /// Montgomery square a * a / R mod m.
    pub fn sqr(&self, a: &[u32]) -> Limbs {
        self.mul(a, a)
    }

    /// `mul` into `out` (len limbs) with the operands laid out for the
    /// column kernel (see `Scratch`).
    /// All slices have `len` limbs.
    fn mul_into(&self, out: &mut [u32], a: &[u32], b: &[u32], s: &mut Scratch) {
        if self.len() > MAX_LIMBS {
            return self.mul_wide(out, a, b, &mut s.x);
        }
        self.mul_to(out, a, b, &mut s.x, &mut s.y);
    }

    fn sqr_into(&self, out: &mut [u32], a: &[u32], s: &mut Scratch) {
        self.mul_into(out, a, a, s);
    }

    /// Montgomery reduction t / R mod m of a 2 len-limb t below R m
    /// (below 2m).
    fn redc(&self, t: &[u32]) -> Limbs {
        let n: &[u32] = &self.m;
        let len = n.len();
        if len > MAX_LIMBS {
            return self.redc_wide(t);
        }
        let n0 = u64::from(n[0]);
        let mut out = zeros(len);
        let mut q = zeros(len);
        let mut acc: u64 = 0;
        for k in 0..len {
            acc += u64::from(t.get(k).copied().unwrap_or(0));
            for (x, y) in q[..k].iter().zip(n[1..=k].iter().rev()) {
                acc += u64::from(*x) * u64::from(*y);
            }
            let qk = (acc as u32).wrapping_mul(self.m0inv) & MASK;
            q[k] = qk;
            acc += u64::from(qk) * n0;
            acc >>= BITS;
        }
        for k in len..2 * len {
            acc += u64::from(t.get(k).copied().unwrap_or(0));
            let lo = k + 1 - len;
            for (x, y) in q[lo..len].iter().zip(n[lo..len].iter().rev()) {
                acc += u64::from(*x) * u64::from(*y);
            }
            out[k - len] = acc as u32 & MASK;
            acc >>= BITS;
        }
        out
    }

    /// `redc` for moduli above MAX_LIMBS limbs.
    #[cold]
    #[inline(never)]
    fn redc_wide(&self, t: &[u32]) -> Limbs {
        let len = self.len();
        let mut w = zeros(2 * len + 1);
        for (o, &x) in w.iter_mut().zip(t) {
            *o = x;
        }
        self.redc_wide_in_place(&mut w);
        Zeroizing::new(w[len..2 * len].to_vec())
    }

    /// t mod m (below 2m) for t of at most 2 len limbs below R m.
    pub fn reduce(&self, t: &[u32]) -> Limbs {
        let y = self.redc(t);
        self.mul(&y, &self.rr)
    }

    /// x R mod m (below 2m) for x below 4m.
    pub fn to_mont(&self, x: &[u32]) -> Limbs {
        self.mul(x, &self.rr)
    }

    /// The canonical x / R mod m (below m) of a Montgomery form below 4m.
    pub fn retrieve(&self, x: &[u32]) -> Limbs {
        let mut y = self.redc(x);
        cond_sub(&mut y, &self.m);
        y
    }

    /// x mod m, canonical, for x below 2m.
    pub fn canonical(&self, x: &[u32]) -> Limbs {
        let mut y = Zeroizing::new(x.to_vec());
        cond_sub(&mut y, &self.m);
        y
    }

    /// (a - b) mod m, below 3m, for a below m and b below 2m.
    pub fn sub_mod(&self, a: &[u32], b: &[u32]) -> Limbs {
        let mut t = Zeroizing::new(a.to_vec());
        add_assign(&mut t, &self.m);
        add_assign(&mut t, &self.m);
        let mut out = zeros(self.len());
        sub(&mut out, &t, b);
        out
    }

    /// base^exp in Montgomery form (below 2m) for a base in Montgomery
    /// form below 2m and a secret exponent of `exp_bits` bits (public):
    /// fixed 5-bit windows, every table entry read at every step.
    pub fn pow(&self, base: &[u32], exp: &[u32], exp_bits: usize) -> Limbs {
        let len = self.len();
        let entries = 1usize << WINDOW;
        let mut q = Scratch::new(len);
        let mut tmp = zeros(len);
        let mut table = zeros(len * entries);
        table[..len].copy_from_slice(&self.one);
        table[len..2 * len].copy_from_slice(&base[..len]);
        for i in 2..entries {
            let (done, rest) = table.split_at_mut(i * len);
            let dst = &mut rest[..len];
            if i % 2 == 0 {
                self.sqr_into(dst, &done[i / 2 * len..(i / 2 + 1) * len], &mut q);
            } else {
                self.mul_into(dst, &done[(i - 1) * len..i * len], &base[..len], &mut q);
            }
        }
        let windows = exp_bits.div_ceil(WINDOW).max(1);
        let mut acc = Zeroizing::new(self.one.to_vec());
        let mut sel = zeros(len);
        for w in (0..windows).rev() {
            if w + 1 != windows {
                for _ in 0..WINDOW {
                    self.sqr_into(&mut tmp, &acc, &mut q);
                    std::mem::swap(&mut *acc, &mut *tmp);
                }
            }
            let idx = window(exp, w * WINDOW);
            select(&mut sel, &table, idx, len);
            self.mul_into(&mut tmp, &acc, &sel, &mut q);
            std::mem::swap(&mut *acc, &mut *tmp);
        }
        acc
    }

    /// 2^exp in Montgomery form, canonical, for a secret exponent of
    /// `exp_bits` bits (public): per bit a squaring and a doubling kept or
    /// not by a mask. The base-2 Miller-Rabin round of key generation:
    /// a doubling costs far less than `pow`'s multiplications.
    pub fn pow2(&self, exp: &[u32], exp_bits: usize) -> Limbs {
        let len = self.len();
        let mut s = Scratch::new(len);
        let mut acc = Zeroizing::new(self.one.to_vec());
        let mut tmp = zeros(len);
        for i in (0..exp_bits).rev() {
            self.sqr_into(&mut tmp, &acc, &mut s);
            cond_sub(&mut tmp, &self.m);
            acc.copy_from_slice(&tmp);
            self.double(&mut tmp);
            let bit = (exp.get(i / BITS).copied().unwrap_or(0) >> (i % BITS)) & 1;
            let take = subtle::Choice::from(bit as u8);
            for (a, d) in acc.iter_mut().zip(tmp.iter()) {
                a.conditional_assign(d, take);
            }
        }
        acc
    }

    /// x^e mod m, canonical, for a plain x below m and a public e (the
    /// RSA public-key operation). x R costs one product; then squarings
    /// and multiplications by x R over the bits of e below the top; the
    /// last multiplication (e odd) takes the plain x, which also leaves
    /// Montgomery form. For e = 65537: 16 squarings and 2 products.
    pub fn pow_public_plain(&self, x: &[u32], e: u64) -> Limbs {
        if e < 3 || e % 2 == 0 {
            return self.retrieve(&self.pow_public(&self.to_mont(x), e));
        }
        let len = self.len();
        let mut s = Scratch::new(len);
        let xm = self.to_mont(x);
        let mut acc = Zeroizing::new(xm.to_vec());
        let mut tmp = zeros(len);
        let top = 63 - e.leading_zeros();
        for i in (1..top).rev() {
            self.sqr_into(&mut tmp, &acc, &mut s);
            std::mem::swap(&mut *acc, &mut *tmp);
            if (e >> i) & 1 == 1 {
                self.mul_into(&mut tmp, &acc, &xm, &mut s);
                std::mem::swap(&mut *acc, &mut *tmp);
            }
        }
        self.sqr_into(&mut tmp, &acc, &mut s);
        self.mul_into(&mut acc, &tmp, &x[..len], &mut s);
        cond_sub(&mut acc, &self.m);
        acc
    }

    /// base^e in Montgomery form for a public exponent (square and
    /// multiply over e's bits: the time depends on e only).
    pub fn pow_public(&self, base: &[u32], e: u64) -> Limbs {
        let mut acc = Zeroizing::new(self.one.to_vec());
        for i in (0..64 - e.leading_zeros()).rev() {
            acc = self.sqr(&acc);
            if (e >> i) & 1 == 1 {
                acc = self.mul(&acc, base);
            }
        }
        acc
    }
}

impl Drop for Modulus {
    fn drop(&mut self) {
        // The limb buffers wipe themselves; the inverse is derived from m.
        self.m0inv = 0;
    }
}

/// The operands of one Montgomery product in the layout of
/// `kernel::montgomery`: `x` holds pairs (a_i, q_i), `y` pairs
/// (b_j, n_j) in decreasing j, each followed by a zero pair.
struct Scratch {
    x: Limbs,
    y: Limbs,
}

impl Scratch {
    fn new(len: usize) -> Self {
        Scratch {
            x: zeros(2 * len + 2),
            y: zeros(2 * len + 2),
        }
    }
}

/// Lays out a, b and the modulus n (len limbs each) for
/// `kernel::montgomery` in x and y (2 len + 2 limbs each).
fn load(x: &mut [u32], y: &mut [u32], a: &[u32], b: &[u32], n: &[u32]) {
    x.fill(0);
    let len = n.len();
    y[2 * len..].fill(0);
    for (pair, &ai) in x.chunks_exact_mut(2).zip(a.iter().take(len)) {
        pair[0] = ai;
    }
    for (pair, (&bj, &nj)) in y.chunks_exact_mut(2).zip(b.iter().take(len).zip(n).rev()) {
        pair[0] = bj;
        pair[1] = nj;
    }
}

/// Montgomery products for moduli above MAX_LIMBS limbs (keys above
/// about 3550 bits), where a column sum could overflow a `u64`: row by
/// row, each row carried (slower, and rare). Constant time as the rest.
mod wide {
    use super::{BITS, MASK};

    /// t = a b over 2 len + 1 limbs (len = b's length), normalised.
    /// Index loops: in the tests' unoptimised builds (opt-level 1) they
    /// run about twice as fast as zipped iterators.
    pub fn mul(t: &mut [u32], a: &[u32], b: &[u32]) {
        let len = b.len();
        t.fill(0);
        for i in 0..len {
            let x = u64::from(a.get(i).copied().unwrap_or(0));
            let row = &mut t[i..=i + len];
            let mut carry = 0u64;
            for j in 0..len {
                let s = x * u64::from(b[j]) + u64::from(row[j]) + carry;
                row[j] = s as u32 & MASK;
                carry = s >> BITS;
            }
            row[len] = carry as u32;
        }
    }

    /// In place: t[len..2 len] = t / R mod m (below 2m for t below R m),
    /// t of 2 len + 1 normalised limbs.
    pub fn redc(t: &mut [u32], m: &[u32], m0inv: u32) {
        let len = m.len();
        // The carry out of limb i + len, which belongs to limb i + len + 1.
        let mut hi = 0u64;
        for i in 0..len {
            let row = &mut t[i..=i + len];
            let q = u64::from(row[0].wrapping_mul(m0inv) & MASK);
            let mut carry = 0u64;
            for j in 0..len {
                let s = q * u64::from(m[j]) + u64::from(row[j]) + carry;
                row[j] = s as u32 & MASK;
                carry = s >> BITS;
            }
            let s = u64::from(row[len]) + carry + hi;
            row[len] = s as u32 & MASK;
            hi = s >> BITS;
        }
        t[2 * len] = hi as u32;
    }
}

/// The Montgomery product's column sums, two products per pair of
/// 32-bit lanes: with wasm SIMD, `i64x2.extmul_{low,high}_i32x4_u` form
/// four 32x32->64 products per pair of 128-bit loads.
mod kernel {
    use super::{BITS, MASK};

    /// out = (a b + q n) / R for the q that makes the sum divisible by R,
    /// x = [a_0, 0, a_1, 0, ..., a_{L-1}, 0, 0, 0] (the q slots are
    /// filled here), y = [b_{L-1}, n_{L-1}, ..., b_0, n_0, 0, 0].
    ///
    /// Column k sums a_i b_(k-i) + q_i n_(k-i) over the pairs i: pair i
    /// of x meets pair L-1-k+i of y. Sums run over whole 128-bit chunks
    /// (two pairs); the odd pair past the end meets a zero pair.
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    pub fn montgomery(out: &mut [u32], x: &mut [u32], y: &[u32], m0inv: u32, n: &[u32]) {
        let len = out.len();
        let (n0, n1) = (u64::from(n[0]), u64::from(n[1]));
        let mut acc: u64 = 0;
        // q_(k-1) joins column k here and reaches x one column late: the
        // column sum then never loads a slot of x stored a moment before
        // (a 128-bit load over a fresh 32-bit store waits for the store
        // to commit; about 15% of the product's time).
        let mut prev: u64 = 0;
        for k in 0..len {
            let chunks = (k + 2) / 2;
            let [even, odd] = dot(&x[..4 * chunks], &y[2 * (len - 1 - k)..][..4 * chunks]);
            acc += even + odd;
            acc += prev * n1;
            if k > 0 {
                x[2 * k - 1] = prev as u32;
            }
            prev = u64::from((acc as u32).wrapping_mul(m0inv) & MASK);
            acc += prev * n0;
            acc >>= BITS;
        }
        x[2 * len - 1] = prev as u32;
        for k in len..2 * len - 1 {
            let lo = k + 1 - len;
            let chunks = (2 * len - k) / 2;
            let [even, odd] = dot(&x[2 * lo..][..4 * chunks], &y[..4 * chunks]);
            acc += even + odd;
            out[k - len] = acc as u32 & MASK;
            acc >>= BITS;
        }
        out[len - 1] = acc as u32 & MASK;
    }

    /// Sums of x[i] * y[i] over slices of equal length, a multiple of 4:
    /// over the even i and over the odd i.
    /// The loads are `v128.load`s: built from four lanes, LLVM folds the
    /// lane split into `v128.load32x2_u` + `i64x2.mul`, which engines
    /// emulate slowly on x64, instead of `extmul`.
    #[cfg(target_arch = "wasm32")]
    #[target_feature(enable = "simd128")]
    #[inline]
    pub(super) fn dot(x: &[u32], y: &[u32]) -> [u64; 2] {
        use core::arch::wasm32::*;
        // SAFETY: reads the 16 bytes of c[..4] (unaligned loads are allowed).
        let load = |c: &[u32]| unsafe { v128_load(c[..4].as_ptr() as *const v128) };
        let (mut s0, mut s1) = (u64x2_splat(0), u64x2_splat(0));
        let (x8, y8) = (x.chunks_exact(8), y.chunks_exact(8));
        let (xr, yr) = (x8.remainder(), y8.remainder());
        for (a, b) in x8.zip(y8) {
            let (va, vb) = (load(&a[..4]), load(&b[..4]));
            let (wa, wb) = (load(&a[4..]), load(&b[4..]));
            s0 = u64x2_add(s0, u64x2_extmul_low_u32x4(va, vb));
            s1 = u64x2_add(s1, u64x2_extmul_high_u32x4(va, vb));
            s0 = u64x2_add(s0, u64x2_extmul_low_u32x4(wa, wb));
            s1 = u64x2_add(s1, u64x2_extmul_high_u32x4(wa, wb));
        }
        if xr.len() == 4 && yr.len() == 4 {
            let (va, vb) = (load(xr), load(yr));
            s0 = u64x2_add(s0, u64x2_extmul_low_u32x4(va, vb));
            s1 = u64x2_add(s1, u64x2_extmul_high_u32x4(va, vb));
        }
        let sum = u64x2_add(s0, s1);
        [u64x2_extract_lane::<0>(sum), u64x2_extract_lane::<1>(sum)]
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn dot(x: &[u32], y: &[u32]) -> [u64; 2] {
        let mut sums = [0u64; 2];
        for (i, (&a, &b)) in x.iter().zip(y).enumerate() {
            sums[i % 2] += u64::from(a) * u64::from(b);
        }
        sums
    }
}

#[path = "bignum_pair.rs"]
mod pair;
pub use pair::pow_pair;

/// The WINDOW bits of `exp` starting at bit `pos` (public position).
fn window(exp: &[u32], pos: usize) -> u32 {
    let (i, off) = (pos / BITS, pos % BITS);
    let mut v = exp.get(i).copied().unwrap_or(0) >> off;
    if off + WINDOW > BITS {
        v |= exp.get(i + 1).copied().unwrap_or(0) << (BITS - off);
    }
    v & ((1 << WINDOW) - 1)
}

/// out = table entry `idx`, reading every entry (in wasm the masking
/// loop runs on SIMD lanes: scalar, the 218 lookups of 32 entries of a
/// 1024-bit exponentiation cost about as much as its products).
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn select(out: &mut [u32], table: &[u32], idx: u32, len: usize) {
    out.fill(0);
    for (j, entry) in table.chunks_exact(len).enumerate() {
        let hit = (j as u32).ct_eq(&idx);
        let mask = 0u32.wrapping_sub(u32::from(hit.unwrap_u8()));
        for (o, &x) in out.iter_mut().zip(entry) {
            *o |= x & mask;
        }
    }
}

#[cfg(test)]
#[path = "bignum_tests.rs"]
mod tests;
