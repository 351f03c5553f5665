//! The 16-entry tables of the vector-permute AES (`core.rs`), derived here
//! at compile time from the field arithmetic, after the idea of M. Hamburg,
//! "Accelerating AES with Vector Permute Instructions" (CHES 2009): invert
//! in GF(2^8) seen as a quadratic extension of GF(16), so that every
//! non-linear step is a lookup indexed by a 4-bit value, which one SIMD
//! byte shuffle (`i8x16.swizzle`) does for 16 bytes at once, with no
//! memory access that depends on secret data.
//!
//! The derivation (ours). K = GF(2^8) (AES polynomial), F = GF(16) its
//! subfield {y : y^16 = y}, written as nibbles over the basis 1, b, b^2,
//! b^3 with b = 3^17 (order 15). Pick tau in K \ F with tau + tau^16 = 1
//! and let D = tau^17 (in F). Every x in K is i tau + j tau^16 with i, j
//! in F; a state byte holds i in its high nibble and k = i + j in its low
//! one. With N = x^17 = i j + D k^2 (in F) and x^-1 = x^16 / N:
//!
//!   io = 1/(1/j + 1/(D k)) + i = N / (j + D k)
//!   jo = 1/(1/i + 1/(D k)) + j = N / (i + D k)
//!   x^-1 = (1/io) U + (1/jo) W,  U = (1+D) tau + D tau^16,
//!                                 W = D tau + (1+D) tau^16
//!
//! (solve the 2x2 system; its matrix [[1+D, D], [D, 1+D]] is its own
//! inverse). Where a denominator is 0 the lookup tables hold 0x80 for
//! "1/0": an index of 16 or more makes the swizzle return 0, which is the
//! limit the formulas need (exhaustively checked in the tests for all 256
//! inputs). The output tables map 1/io and 1/jo through whatever linear
//! map follows (the S-box's affine part, a MixColumns coefficient, the
//! change back to this representation), so a round is 5 + 4 lookups.

/// GF(2^8) product, AES polynomial x^8 + x^4 + x^3 + x + 1.
pub(super) const fn gmul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        let carry = a & 0x80;
        a <<= 1;
        if carry != 0 {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    p
}

const fn gpow(a: u8, mut e: u32) -> u8 {
    let mut r = 1u8;
    let mut base = a;
    while e != 0 {
        if e & 1 != 0 {
            r = gmul(r, base);
        }
        base = gmul(base, base);
        e >>= 1;
    }
    r
}

/// a^-1 in GF(2^8), with 0 for 0 (a^254).
pub(super) const fn ginv(a: u8) -> u8 {
    gpow(a, 254)
}

/// The AES S-box's linear part (FIPS 197 section 5.1.1, without 0x63).
pub(super) const fn affine(b: u8) -> u8 {
    b ^ b.rotate_left(1) ^ b.rotate_left(2) ^ b.rotate_left(3) ^ b.rotate_left(4)
}

/// The inverse of `affine` (InvSubBytes' linear part, without 0x05).
pub(super) const fn inv_affine(b: u8) -> u8 {
    b.rotate_left(1) ^ b.rotate_left(3) ^ b.rotate_left(6)
}

/// b = 3^17, a generator of F's multiplicative group.
const BETA: u8 = gpow(3, 17);

/// The element of F (inside K) a nibble stands for.
const fn to_k(n: u8) -> u8 {
    let mut x = 0u8;
    let mut i = 0;
    while i < 4 {
        if n >> i & 1 != 0 {
            x ^= gpow(BETA, i);
        }
        i += 1;
    }
    x
}

/// The nibble of an element of F.
const fn from_k(y: u8) -> u8 {
    let mut n = 0u8;
    while n < 16 {
        if to_k(n) == y {
            return n;
        }
        n += 1;
    }
    panic!("not in GF(16)")
}

/// tau: the first element of K outside F whose trace over F is 1.
const TAU: u8 = {
    let mut t = 2u8;
    loop {
        let conj = gpow(t, 16);
        if conj != t && t ^ conj == 1 {
            break t;
        }
        t += 1;
    }
};
const TAU_BAR: u8 = gpow(TAU, 16);
const D: u8 = gmul(TAU, TAU_BAR);
const U: u8 = gmul(1 ^ D, TAU) ^ gmul(D, TAU_BAR);
const W: u8 = gmul(D, TAU) ^ gmul(1 ^ D, TAU_BAR);

/// The tower form of a standard byte x: (i << 4) | (i + j).
pub(super) const fn to_tower(x: u8) -> u8 {
    // Linear over GF(2): found per bit by search.
    let mut out = 0u8;
    let mut bit = 0;
    while bit < 8 {
        if x >> bit & 1 != 0 {
            out ^= tower_of_bit(1 << bit);
        }
        bit += 1;
    }
    out
}

const fn tower_of_bit(x: u8) -> u8 {
    let mut i = 0u8;
    while i < 16 {
        let mut j = 0u8;
        while j < 16 {
            if gmul(to_k(i), TAU) ^ gmul(to_k(j), TAU_BAR) == x {
                return (i << 4) | (i ^ j);
            }
            j += 1;
        }
        i += 1;
    }
    panic!("tau, tau^16 is not a basis")
}

/// 1/0 in the lookup tables: indexes nothing (the swizzle gives 0).
pub(super) const NONE: u8 = 0x80;

/// INV[n] = 1/n in F (NONE for 0).
pub(super) const INV: [u8; 16] = {
    let mut t = [NONE; 16];
    let mut n = 1;
    while n < 16 {
        t[n] = from_k(ginv(to_k(n as u8)));
        n += 1;
    }
    t
};

/// DK[k] = 1/(D k) in F (NONE for 0).
pub(super) const DK: [u8; 16] = {
    let mut t = [NONE; 16];
    let mut n = 1;
    while n < 16 {
        t[n] = from_k(ginv(gmul(D, to_k(n as u8))));
        n += 1;
    }
    t
};

/// (1/n) U and (1/n) W in K: the two halves of x^-1 (0 for n = 0).
const fn half(n: u8, v: u8) -> u8 {
    if n == 0 { 0 } else { gmul(ginv(to_k(n)), v) }
}

/// A pair of output tables: entry n of the first is lin((1/n) U), of the
/// second lin((1/n) W), for a linear map `lin` given by its kind.
pub(super) type Pair = [[u8; 16]; 2];

/// What follows the inversion, as a map of the byte x^-1 (standard form).
#[derive(Clone, Copy)]
pub(super) enum Out {
    /// The tower form of c * affine(x^-1): an encryption round.
    EncRound(u8),
    /// affine(x^-1): the last encryption round (standard form).
    EncLast,
    /// The decryption tower form of c * x^-1: a decryption round.
    DecRound(u8),
    /// x^-1: the last decryption round (standard form).
    DecLast,
}

const fn apply(out: Out, x: u8) -> u8 {
    match out {
        Out::EncRound(c) => to_tower(gmul(c, affine(x))),
        Out::EncLast => affine(x),
        Out::DecRound(c) => to_tower(inv_affine(gmul(c, x))),
        Out::DecLast => x,
    }
}

pub(super) const fn pair(out: Out) -> Pair {
    let mut p = [[0u8; 16]; 2];
    let mut n = 0;
    while n < 16 {
        p[0][n] = apply(out, half(n as u8, U));
        p[1][n] = apply(out, half(n as u8, W));
        n += 1;
    }
    p
}

/// Input tables (low nibble, high nibble) of a linear map of bytes.
pub(super) const fn input(dec: bool) -> Pair {
    let mut p = [[0u8; 16]; 2];
    let mut n = 0;
    while n < 16 {
        let (lo, hi) = (n as u8, (n as u8) << 4);
        p[0][n] = if dec {
            to_tower(inv_affine(lo))
        } else {
            to_tower(lo)
        };
        p[1][n] = if dec {
            to_tower(inv_affine(hi))
        } else {
            to_tower(hi)
        };
        n += 1;
    }
    p
}

/// The tower form of the S-box constant 0x63 (encryption), and of
/// inv_affine(0x63) = 0x05 (decryption).
pub(super) const ENC_CONST: u8 = to_tower(0x63);
pub(super) const DEC_CONST: u8 = to_tower(inv_affine(0x63));

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS 197 figure 7, first row, and a few more entries.
    #[test]
    fn sbox_reference_entries() {
        let s = |x: u8| affine(ginv(x)) ^ 0x63;
        assert_eq!(
            [0u8, 1, 2, 3, 4, 5, 6, 7].map(s),
            [0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5]
        );
        assert_eq!(s(0x53), 0xed);
        assert_eq!(s(0xff), 0x16);
        for x in 0..=255u8 {
            assert_eq!(inv_affine(s(x) ^ 0x63), ginv(x));
        }
    }

    #[test]
    fn field_setup() {
        assert_ne!(TAU, TAU_BAR);
        assert_eq!(TAU ^ TAU_BAR, 1);
        assert_eq!(gpow(D, 16), D, "D in GF(16)");
        assert_ne!(D, 1);
        // to_tower is a bijection.
        let mut seen = [false; 256];
        for x in 0..=255u8 {
            assert!(!seen[to_tower(x) as usize]);
            seen[to_tower(x) as usize] = true;
        }
    }

    /// The lookup tables' inversion, lane semantics included (index >= 16
    /// gives 0), equals x^-1 for every byte.
    #[test]
    fn tower_inversion_for_all_bytes() {
        let look = |t: &[u8; 16], i: u8| if i < 16 { t[i as usize] } else { 0 };
        let fin = pair(Out::DecLast);
        for x in 0..=255u8 {
            let v = to_tower(x);
            let (i, k) = (v >> 4, v & 15);
            let j = i ^ k;
            let ak = look(&DK, k);
            let iak = look(&INV, i) ^ ak;
            let jak = look(&INV, j) ^ ak;
            let io = look(&INV, jak) ^ i;
            let jo = look(&INV, iak) ^ j;
            let got = look(&fin[0], io) ^ look(&fin[1], jo);
            assert_eq!(got, ginv(x), "x = {x:#04x}");
        }
    }
}
