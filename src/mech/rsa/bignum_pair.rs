//! Two exponentiations at once, modulo p in the even 32-bit lanes and
//! modulo q in the odd ones: the two halves of an RSA-CRT private-key
//! operation (`crt`), whose moduli have the same number of limbs.
//!
//! Why: one Montgomery product of `kernel` spends about as long on each
//! of its 2 len columns (a horizontal sum, the quotient's scalar chain)
//! as on the column's products. Here every SIMD product and every column
//! serves both halves, and the two quotient chains run side by side, so
//! the per-column cost is paid once for two products (with two columns
//! per pass: 2.8 -> 1.9 ms CPU for the two 1024-bit halves of RSA-2048
//! in wasm).
//!
//! A pair value of len limbs is 2 len `u32`: p's limb j at 2j, q's at
//! 2j + 1. Constant time as `bignum`: fixed windows, every table entry
//! read, no branch or address depending on a secret.
use subtle::ConstantTimeEq;

use super::{Limbs, Modulus, WINDOW, window, zeros};

/// (base_p^exp_p mod p, base_q^exp_q mod q) in Montgomery form (below
/// 2p and 2q) for bases in Montgomery form below 2p and 2q and secret
/// exponents of at most `exp_bits` bits (public): `Modulus::pow` for both
/// moduli at once. p and q have the same number of limbs.
pub fn pow_pair(
    p: &Modulus,
    q: &Modulus,
    base: [&[u32]; 2],
    exp: [&[u32]; 2],
    exp_bits: usize,
) -> Option<(Limbs, Limbs)> {
    let len = p.len();
    if q.len() != len || base.iter().any(|b| b.len() < len) {
        return None;
    }
    if len > super::MAX_LIMBS {
        // The pair kernel's column sums would overflow: one at a time.
        let yp = p.pow(base[0], exp[0], exp_bits);
        return Some((yp, q.pow(base[1], exp[1], exp_bits)));
    }
    let pair = Pair::new(p, q);
    let entries = 1usize << WINDOW;
    let width = 2 * len;
    let mut s = pair.scratch();
    let mut table = zeros(width * entries);
    interleave(&mut table[..width], p.one(), q.one());
    interleave(&mut table[width..2 * width], base[0], base[1]);
    for i in 2..entries {
        let (done, rest) = table.split_at_mut(i * width);
        let (a, b) = if i % 2 == 0 {
            let h = &done[i / 2 * width..(i / 2 + 1) * width];
            (h, h)
        } else {
            (&done[(i - 1) * width..i * width], &done[width..2 * width])
        };
        pair.mul(&mut rest[..width], a, b, &mut s);
    }
    let windows = exp_bits.div_ceil(WINDOW).max(1);
    let mut acc = zeros(width);
    acc.copy_from_slice(&table[..width]);
    let mut tmp = zeros(width);
    let mut sel = zeros(width);
    for w in (0..windows).rev() {
        if w + 1 != windows {
            for _ in 0..WINDOW {
                pair.mul(&mut tmp, &acc, &acc, &mut s);
                std::mem::swap(&mut *acc, &mut *tmp);
            }
        }
        let idx = [window(exp[0], w * WINDOW), window(exp[1], w * WINDOW)];
        select_pair(&mut sel, &table, idx, width);
        pair.mul(&mut tmp, &acc, &sel, &mut s);
        std::mem::swap(&mut *acc, &mut *tmp);
    }
    let (mut yp, mut yq) = (zeros(len), zeros(len));
    for ((lanes, a), b) in acc.chunks_exact(2).zip(yp.iter_mut()).zip(yq.iter_mut()) {
        (*a, *b) = (lanes[0], lanes[1]);
    }
    Some((yp, yq))
}

/// out = (p limb j, q limb j) pairs.
fn interleave(out: &mut [u32], p: &[u32], q: &[u32]) {
    for ((lanes, &a), &b) in out.chunks_exact_mut(2).zip(p).zip(q) {
        lanes[0] = a;
        lanes[1] = b;
    }
}

/// The two moduli in the layout of `kernel::montgomery_pair`.
struct Pair<'a> {
    p: &'a Modulus,
    q: &'a Modulus,
}

/// The operands of one pair product: x holds chunks (a_p, a_q, qp, qq)
/// per limb i, y a zero chunk, then chunks (b_p, b_q, p_j, q_j) for j
/// from len - 1 down to 0.
struct Scratch {
    x: Limbs,
    y: Limbs,
}

impl Pair<'_> {
    fn new<'a>(p: &'a Modulus, q: &'a Modulus) -> Pair<'a> {
        Pair { p, q }
    }

    fn scratch(&self) -> Scratch {
        let len = self.p.len();
        let mut y = zeros(4 * len + 4);
        for (chunk, (&pj, &qj)) in y[4..]
            .chunks_exact_mut(4)
            .zip(self.p.limbs().iter().zip(self.q.limbs()).rev())
        {
            chunk[2] = pj;
            chunk[3] = qj;
        }
        Scratch {
            x: zeros(4 * len),
            y,
        }
    }

    /// The Montgomery products of the two halves of a and b (pair values).
    fn mul(&self, out: &mut [u32], a: &[u32], b: &[u32], s: &mut Scratch) {
        for (chunk, lanes) in s.x.chunks_exact_mut(4).zip(a.chunks_exact(2)) {
            chunk.copy_from_slice(&[lanes[0], lanes[1], 0, 0]);
        }
        for (chunk, lanes) in s.y[4..].chunks_exact_mut(4).zip(b.chunks_exact(2).rev()) {
            chunk[0] = lanes[0];
            chunk[1] = lanes[1];
        }
        kernel::montgomery_pair(
            out,
            &mut s.x,
            &s.y,
            [self.p.m0inv, self.q.m0inv],
            [self.p.limbs(), self.q.limbs()],
        );
    }
}

/// out = table entry idx[0] in the even lanes, entry idx[1] in the odd
/// ones, reading every entry.
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn select_pair(out: &mut [u32], table: &[u32], idx: [u32; 2], width: usize) {
    out.fill(0);
    for (j, entry) in table.chunks_exact(width).enumerate() {
        let mask = |i: u32| 0u32.wrapping_sub(u32::from((j as u32).ct_eq(&i).unwrap_u8()));
        let masks = [mask(idx[0]), mask(idx[1]), mask(idx[0]), mask(idx[1])];
        for (o, x) in out.chunks_exact_mut(4).zip(entry.chunks_exact(4)) {
            for ((o, &x), &m) in o.iter_mut().zip(x).zip(&masks) {
                *o |= x & m;
            }
        }
        // len odd: the last pair.
        let tail = width / 4 * 4;
        for ((o, &x), &m) in out[tail..].iter_mut().zip(&entry[tail..]).zip(&masks) {
            *o |= x & m;
        }
    }
}

mod kernel {
    use super::super::kernel::dot;
    use super::super::{BITS, MASK};

    /// out = (a b + q n) / R per half, as `bignum::kernel::montgomery`
    /// with both halves in the lanes: x = chunks (a_p, a_q, 0, 0) per
    /// limb i (the quotients are filled in here), y = a zero chunk, then
    /// chunks (b_p, b_q, p_j, q_j) for j from len - 1 down to 0.
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    pub fn montgomery_pair(
        out: &mut [u32],
        x: &mut [u32],
        y: &[u32],
        m0inv: [u32; 2],
        n: [&[u32]; 2],
    ) {
        let len = out.len() / 2;
        let nj = |j: usize| [n[0], n[1]].map(|n| u64::from(n.get(j).copied().unwrap_or(0)));
        let (n0, n1, n2) = (nj(0), nj(1), nj(2));
        let quotient = |s: u64, h: usize| u64::from((s as u32).wrapping_mul(m0inv[h]) & MASK);
        let mut acc = [0u64; 2];
        // As in `bignum::kernel`, quotients reach x late: before the pass
        // for columns k and k + 1, x holds q_i for i < k - 1, and q_(k-1)
        // (in `prev`), q_k and q_(k+1) join the columns in scalar; so does
        // a_(k+1) b_0, the one product of column k + 1 past x[..k + 1].
        let mut prev = [0u64; 2];
        let mut k = 0;
        while k + 1 < len {
            let [a, b] = dot2(&x[..4 * (k + 1)], &y[4 * (len - 1 - k)..][..4 * (k + 2)]);
            let mut q = [[0u64; 2]; 2];
            for h in 0..2 {
                let s = acc[h] + a[h] + prev[h] * n1[h];
                q[0][h] = quotient(s, h);
                acc[h] = (s + q[0][h] * n0[h]) >> BITS;
                let ab = u64::from(x[4 * (k + 1) + h]) * u64::from(y[4 * len + h]);
                let s = acc[h] + b[h] + ab + prev[h] * n2[h] + q[0][h] * n1[h];
                q[1][h] = quotient(s, h);
                acc[h] = (s + q[1][h] * n0[h]) >> BITS;
            }
            if k > 0 {
                store_q(&mut x[4 * (k - 1)..], prev);
            }
            store_q(&mut x[4 * k..], q[0]);
            prev = q[1];
            k += 2;
        }
        if k < len {
            // len odd: the last column of the first half alone.
            let sums = dot(&x[..4 * (k + 1)], &y[4 * (len - k)..]);
            if k > 0 {
                store_q(&mut x[4 * (k - 1)..], prev);
            }
            for h in 0..2 {
                let s = acc[h] + sums[h] + prev[h] * n1[h];
                prev[h] = quotient(s, h);
                acc[h] = (s + prev[h] * n0[h]) >> BITS;
            }
        }
        store_q(&mut x[4 * (len - 1)..], prev);
        // Two columns per pass: column k + 1 meets y one chunk earlier.
        for k in (len..2 * len).step_by(2) {
            let lo = k + 1 - len;
            let sums = dot2(&x[4 * lo..], &y[..4 * (len - lo + 1)]);
            for (c, sums) in sums.iter().enumerate().take(2 * len - k) {
                for h in 0..2 {
                    acc[h] += sums[h];
                    out[2 * (k + c - len) + h] = acc[h] as u32 & MASK;
                    acc[h] >>= BITS;
                }
            }
        }
    }

    /// `dot` (per half: p in the even lanes, q in the odd) of x with
    /// y[4..] and with y (one chunk earlier) at once, sharing the loads.
    #[cfg(target_arch = "wasm32")]
    #[target_feature(enable = "simd128")]
    #[inline]
    fn dot2(x: &[u32], y: &[u32]) -> [[u64; 2]; 2] {
        use core::arch::wasm32::*;
        // SAFETY: reads the 16 bytes of c[..4] (unaligned loads are allowed).
        let load = |c: &[u32]| unsafe { v128_load(c[..4].as_ptr() as *const v128) };
        let (mut s0, mut s1) = (u64x2_splat(0), u64x2_splat(0));
        let (mut t0, mut t1) = (u64x2_splat(0), u64x2_splat(0));
        let mut prev = load(y);
        for (a, b) in x.chunks_exact(4).zip(y[4..].chunks_exact(4)) {
            let (va, vb) = (load(a), load(b));
            s0 = u64x2_add(s0, u64x2_extmul_low_u32x4(va, vb));
            s1 = u64x2_add(s1, u64x2_extmul_high_u32x4(va, vb));
            t0 = u64x2_add(t0, u64x2_extmul_low_u32x4(va, prev));
            t1 = u64x2_add(t1, u64x2_extmul_high_u32x4(va, prev));
            prev = vb;
        }
        let (s, t) = (u64x2_add(s0, s1), u64x2_add(t0, t1));
        [
            [u64x2_extract_lane::<0>(s), u64x2_extract_lane::<1>(s)],
            [u64x2_extract_lane::<0>(t), u64x2_extract_lane::<1>(t)],
        ]
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn dot2(x: &[u32], y: &[u32]) -> [[u64; 2]; 2] {
        [dot(x, &y[4..]), dot(x, y)]
    }

    #[inline]
    fn store_q(chunk: &mut [u32], q: [u64; 2]) {
        chunk[2] = q[0] as u32;
        chunk[3] = q[1] as u32;
    }
}
