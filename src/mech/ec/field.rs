//! Arithmetic modulo an odd prime m of up to 512 bits on fixed stack
//! buffers, for the generic short Weierstrass curves (`weierstrass`): the
//! coordinates (mod p) and the scalars (mod n).
//!
//! The Montgomery products are RSA's (`rsa::bignum`: 28-bit limbs, SIMD
//! column sums in wasm), called through `Modulus::mul_to` so that nothing
//! is allocated. Every result is canonical (below m): a product leaves
//! the kernel below 2m and one masked subtraction follows; sums and
//! differences are corrected the same way.
//!
//! Constant time: no branch and no memory address depends on a value;
//! loops run over the modulus length, which is public. `pow` (and so
//! `invert`) takes a public exponent and runs the same steps whatever the
//! base. `sqrt` is variable time, for public values only (compressed
//! points).
use crate::mech::rsa::bignum::{self, BITS, MASK, Modulus};

/// Limbs of the largest field: `bignum::limbs_for_bits(512)`.
pub(super) const MAX_LIMBS: usize = 19;
/// An element: little-endian 28-bit limbs, canonical, in Montgomery form
/// (x R mod m) unless a name says otherwise; limbs past the field's
/// length are zero.
pub(super) type Fe = [u32; MAX_LIMBS];
/// Scratch limbs of one product (2 len + 2).
const SCRATCH: usize = 2 * MAX_LIMBS + 2;

/// 0xffffffff when `bit` (0 or 1) is 1, else 0.
#[inline(always)]
pub(super) fn mask(bit: u32) -> u32 {
    0u32.wrapping_sub(bit)
}

/// a where `m` is all ones, b where it is zero.
#[inline(always)]
pub(super) fn select(m: u32, a: &Fe, b: &Fe) -> Fe {
    std::array::from_fn(|i| (a[i] & m) | (b[i] & !m))
}

/// Big-endian hex digits (the curve table's constants) to bytes.
pub(super) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Bit `i` of plain limbs (public exponents only).
fn bit(e: &Fe, i: usize) -> bool {
    (e[i / BITS] >> (i % BITS)) & 1 == 1
}

/// e >> 1 on plain limbs.
fn half(e: &Fe) -> Fe {
    std::array::from_fn(|i| {
        (e[i] >> 1) | ((e.get(i + 1).copied().unwrap_or(0) << (BITS - 1)) & MASK)
    })
}

/// e - 1 on plain limbs (e odd: only the low bit changes).
fn minus_one_odd(e: &Fe) -> Fe {
    let mut out = *e;
    out[0] &= !1;
    out
}

pub(super) struct Field {
    modulus: Modulus,
    /// Limbs in use (at most MAX_LIMBS).
    len: usize,
    /// Bytes of an encoded element.
    bytes: usize,
    /// Bit length of m.
    bits: usize,
    m: Fe,
    /// R mod m: 1 in Montgomery form.
    one: Fe,
    /// R^2 mod m.
    rr: Fe,
    /// m - 2, plain: the inversion exponent.
    m_minus_2: Fe,
}

impl Field {
    /// The field of the prime m given in big-endian hex; `None` when m is
    /// even, below 3 or above 512 bits (a bad table row, caught by the
    /// tests).
    pub fn new(m_hex: &str) -> Option<Field> {
        let m_be = unhex(m_hex)?;
        let first = m_be.iter().position(|&b| b != 0)?;
        let m_be = m_be.get(first..)?;
        let bits = m_be.len() * 8 - m_be.first()?.leading_zeros() as usize;
        // `Modulus` takes two limbs at least (small primes: tests).
        let len = bignum::limbs_for_bits(bits).max(2);
        if len > MAX_LIMBS || bits < 2 {
            return None;
        }
        let modulus = Modulus::new(m_be, len)?;
        let fe = |l: &[u32]| -> Fe {
            let mut out = [0; MAX_LIMBS];
            out[..l.len()].copy_from_slice(l);
            out
        };
        let m = fe(modulus.limbs());
        // m - 2 for odd m > 2: clear bit 0, then borrow one from bit 1 up.
        let mut m_minus_2 = minus_one_odd(&m);
        let mut borrow = 1u32;
        for l in m_minus_2.iter_mut().take(len) {
            let t = l.wrapping_sub(borrow);
            borrow = t >> 31;
            *l = t & MASK;
        }
        Some(Field {
            one: fe(modulus.one()),
            rr: fe(modulus.rr()),
            modulus,
            len,
            bytes: bits.div_ceil(8),
            bits,
            m,
            m_minus_2,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn bits(&self) -> usize {
        self.bits
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// m, plain limbs.
    pub fn modulus(&self) -> &Fe {
        &self.m
    }

    /// 1 in Montgomery form.
    pub fn one(&self) -> Fe {
        self.one
    }

    /// v - m when v (below 2m) is at least m, else v.
    #[inline]
    pub fn reduce_once(&self, v: &Fe) -> Fe {
        let mut t = [0u32; MAX_LIMBS];
        let mut borrow = 0u32;
        for i in 0..self.len {
            let d = v[i].wrapping_sub(self.m[i]).wrapping_sub(borrow);
            t[i] = d & MASK;
            borrow = d >> 31;
        }
        select(mask(borrow), v, &t)
    }

    /// a + b mod m.
    #[inline]
    pub fn add(&self, a: &Fe, b: &Fe) -> Fe {
        let mut v = [0u32; MAX_LIMBS];
        let mut carry = 0u32;
        for i in 0..self.len {
            let s = a[i] + b[i] + carry;
            v[i] = s & MASK;
            carry = s >> BITS;
        }
        // a + b < 2m < R: no carry out of the last limb.
        self.reduce_once(&v)
    }

    /// a - b mod m.
    #[inline]
    pub fn sub(&self, a: &Fe, b: &Fe) -> Fe {
        let mut v = [0u32; MAX_LIMBS];
        let mut borrow = 0u32;
        for i in 0..self.len {
            let d = a[i].wrapping_sub(b[i]).wrapping_sub(borrow);
            v[i] = d & MASK;
            borrow = d >> 31;
        }
        let add_back = mask(borrow);
        let mut carry = 0u32;
        for i in 0..self.len {
            let s = v[i] + (self.m[i] & add_back) + carry;
            v[i] = s & MASK;
            carry = s >> BITS;
        }
        v
    }

    /// -a mod m.
    pub fn neg(&self, a: &Fe) -> Fe {
        self.sub(&[0; MAX_LIMBS], a)
    }

    /// The Montgomery product a b / R mod m.
    #[inline]
    pub fn mul(&self, a: &Fe, b: &Fe) -> Fe {
        let l = self.len;
        let (mut x, mut y) = ([0u32; SCRATCH], [0u32; SCRATCH]);
        let mut out = [0u32; MAX_LIMBS];
        self.modulus.mul_to(
            &mut out[..l],
            &a[..l],
            &b[..l],
            &mut x[..2 * l + 2],
            &mut y[..2 * l + 2],
        );
        self.reduce_once(&out)
    }

    pub fn sqr(&self, a: &Fe) -> Fe {
        self.mul(a, a)
    }

    /// Plain x below m to Montgomery form.
    pub fn to_mont(&self, x: &Fe) -> Fe {
        self.mul(x, &self.rr)
    }

    /// Montgomery form to plain.
    pub fn from_mont(&self, x: &Fe) -> Fe {
        let mut unit = [0u32; MAX_LIMBS];
        unit[0] = 1;
        self.mul(x, &unit)
    }

    /// All ones when a is zero, else zero.
    pub fn is_zero(&self, a: &Fe) -> u32 {
        let or = a.iter().fold(0u32, |acc, &l| acc | l);
        mask(or.wrapping_sub(1) >> 31)
    }

    /// All ones when a = b, else zero.
    pub fn eq(&self, a: &Fe, b: &Fe) -> u32 {
        let diff: Fe = std::array::from_fn(|i| a[i] ^ b[i]);
        self.is_zero(&diff)
    }

    /// `bytes()` big-endian bytes (leading zeros allowed, nothing longer)
    /// of a value below m, as plain limbs; `None` otherwise. The answer
    /// (in range or not) is public; the comparison reads every limb.
    pub fn from_be(&self, b: &[u8]) -> Option<Fe> {
        if b.len() > self.bytes {
            return None;
        }
        let l = bignum::from_be(b, self.len)?;
        if !bignum::ct_lt(&l, &self.m[..self.len]) {
            return None;
        }
        let mut out = [0u32; MAX_LIMBS];
        out[..self.len].copy_from_slice(&l);
        Some(out)
    }

    /// A big-endian value of at most `bits()` bits (below 2m) reduced
    /// modulo m, as plain limbs: ECDSA's bits2int(h) modulo n.
    pub fn reduce_be(&self, b: &[u8]) -> Option<Fe> {
        let first = b.iter().position(|&x| x != 0).unwrap_or(b.len());
        let digits = b.get(first..)?;
        let bits = digits
            .first()
            .map_or(0, |t| digits.len() * 8 - t.leading_zeros() as usize);
        if bits > self.bits {
            return None;
        }
        let l = bignum::from_be(digits, self.len)?;
        let mut out = [0u32; MAX_LIMBS];
        out[..self.len].copy_from_slice(&l);
        Some(self.reduce_once(&out))
    }

    /// Plain limbs as `bytes()` big-endian bytes.
    pub fn to_be(&self, a: &Fe) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        bignum::to_be(&a[..self.len], self.bytes)
    }

    /// a^e for a plain exponent `e` (public): square and multiply over
    /// its bits, the same steps for every base.
    pub fn pow(&self, a: &Fe, e: &Fe) -> Fe {
        let mut acc = self.one;
        for i in (0..self.len * BITS).rev() {
            acc = self.sqr(&acc);
            if bit(e, i) {
                acc = self.mul(&acc, a);
            }
        }
        acc
    }

    /// a^-1 = a^(m-2) (m prime); 0 for 0.
    pub fn invert(&self, a: &Fe) -> Fe {
        self.pow(a, &self.m_minus_2)
    }

    /// A square root of a (Montgomery form), or `None` when a is not a
    /// square: Tonelli-Shanks (for m = 3 mod 4 it is one exponentiation,
    /// a^((m+1)/4)). Variable time: public values only.
    pub fn sqrt(&self, a: &Fe) -> Option<Fe> {
        if self.is_zero(a) != 0 {
            return Some(*a);
        }
        // m - 1 = q 2^s with q odd.
        let mut q = minus_one_odd(&self.m);
        let mut s = 0;
        while q[0] & 1 == 0 {
            q = half(&q);
            s += 1;
        }
        let one = self.one;
        let minus_one = self.neg(&one);
        let legendre_exp = half(&minus_one_odd(&self.m));
        // The smallest non-residue z (2, 3, ...), in Montgomery form.
        let mut z = self.add(&one, &one);
        while self.eq(&self.pow(&z, &legendre_exp), &minus_one) == 0 {
            z = self.add(&z, &one);
        }
        let mut c = self.pow(&z, &q);
        let mut t = self.pow(a, &q);
        // (q + 1) / 2 = (q >> 1) + 1, q odd.
        let mut q_plus_1_half = half(&q);
        let mut carry = 1u32;
        for l in q_plus_1_half.iter_mut() {
            let v = *l + carry;
            *l = v & MASK;
            carry = v >> BITS;
        }
        let mut r = self.pow(a, &q_plus_1_half);
        let mut m = s;
        while self.eq(&t, &one) == 0 {
            // The least i with t^(2^i) = 1.
            let mut i = 0;
            let mut t2 = t;
            while self.eq(&t2, &one) == 0 {
                t2 = self.sqr(&t2);
                i += 1;
                if i == m {
                    return None;
                }
            }
            let mut b = c;
            for _ in 0..m - i - 1 {
                b = self.sqr(&b);
            }
            m = i;
            c = self.sqr(&b);
            t = self.mul(&t, &c);
            r = self.mul(&r, &b);
        }
        (self.eq(&self.sqr(&r), a) != 0).then_some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain limbs of a small value.
    fn small(v: u64, f: &Field) -> Fe {
        f.from_be(&v.to_be_bytes()[8 - f.bytes().min(8)..]).unwrap()
    }

    #[test]
    fn arithmetic_modulo_a_small_prime() {
        // 2^61 - 1 and 103 (3 mod 4), 97 (1 mod 32: Tonelli-Shanks loops).
        for (hex, m) in [
            ("1fffffffffffffff", 0x1fff_ffff_ffff_ffffu64),
            (
                "0000000000000000000000000000000000000000000000000000000000000067",
                103,
            ),
            (
                "0000000000000000000000000000000000000000000000000000000000000061",
                97,
            ),
        ] {
            let f = Field::new(hex).unwrap();
            let mm = u128::from(m);
            for (a, b) in [(3u64, 5u64), (m - 1, m - 2), (0, 7), (12345 % m, m / 2)] {
                let (fa, fb) = (f.to_mont(&small(a, &f)), f.to_mont(&small(b, &f)));
                let plain = |x: &Fe| {
                    let v = f.to_be(&f.from_mont(x)).unwrap();
                    v.iter().fold(0u128, |acc, &b| (acc << 8) | u128::from(b))
                };
                let (a, b) = (u128::from(a), u128::from(b));
                assert_eq!(plain(&f.add(&fa, &fb)), (a + b) % mm);
                assert_eq!(plain(&f.sub(&fa, &fb)), (a + mm - b) % mm);
                assert_eq!(plain(&f.mul(&fa, &fb)), a * b % mm);
                assert_eq!(plain(&f.neg(&fa)), (mm - a) % mm);
                if a != 0 {
                    assert_eq!(plain(&f.mul(&f.invert(&fa), &fa)), 1);
                    let sq = f.sqr(&fa);
                    let r = f.sqrt(&sq).unwrap();
                    assert!(plain(&r) == a || plain(&r) == mm - a);
                }
            }
            assert_eq!(f.is_zero(&[0; MAX_LIMBS]), u32::MAX);
            assert_eq!(f.is_zero(&f.one()), 0);
            assert!(f.from_be(&m.to_be_bytes()[8 - f.bytes()..]).is_none());
        }
        // 97 = 1 mod 32: 5 is a non-residue, so sqrt(5) is None.
        let f = Field::new("61").unwrap();
        assert!(f.sqrt(&f.to_mont(&small(5, &f))).is_none());
        assert!(Field::new("60").is_none());
    }
}
