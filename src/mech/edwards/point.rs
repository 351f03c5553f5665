//! edwards25519 points on our own field arithmetic (`field25519`), for
//! Ed25519 verification: [s]B - [k]A, the one computation that is most of
//! a verification. In wasm every step runs two field products at once
//! (`field_pair`); ed25519-dalek's field does one at a time.
//!
//! Points are in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z,
//! xy = T/Z, held as two pairs (X, Y) and (Z, T). Doubling and addition
//! go through the "completed" point ((X : Z), (Y : T)) of Hisil, Wong,
//! Carter and Dawson (Asiacrypt 2008), as curve25519-dalek does, with each
//! step's products paired: a doubling is two paired squarings and two
//! paired products, an addition four paired products.
//!
//! Everything here takes public values only (a public key, a signature,
//! a hash of public data) and runs in variable time.
use crate::mech::field25519::field::Fe;
use crate::mech::field25519::invert::invert;
use crate::mech::field25519::{Fe2, Fe2x2};

/// d = -121665/121666, little-endian (RFC 8032 section 5.1).
const D: [u8; 32] = hex32("a3785913ca4deb75abd841414d0a700098e879777940c78c73fe6f2bee6c0352");
/// sqrt(-1) = 2^((p-1)/4), little-endian.
const SQRT_M1: [u8; 32] = hex32("b0a00e4a271beec478e42fad0618432fa7d7fb3d99004d2b0bdfc14f8024832b");
/// The base point B (y = 4/5, x even), encoded.
const BASE: [u8; 32] = hex32("5866666666666666666666666666666666666666666666666666666666666666");

/// Window width of the wNAF of k (A's table: odd multiples up to 15 A).
const A_WINDOW: u32 = 5;
/// Window width of the wNAF of s (B's table: odd multiples up to 127 B,
/// built once).
const B_WINDOW: u32 = 8;

const fn hex32(s: &str) -> [u8; 32] {
    let s = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(s[2 * i]) << 4) | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        _ => c - b'a' + 10,
    }
}

/// A point, extended coordinates: (X, Y) and (Z, T).
#[derive(Clone, Copy)]
pub(super) struct Point {
    xy: Fe2,
    zt: Fe2,
}

/// A point ready to be added: (Y - X, Y + X) and (2Z, 2dT).
#[derive(Clone, Copy)]
pub(super) struct Cached {
    a: Fe2,
    b: Fe2,
}

/// Odd multiples P, 3P, 5P, ... of a point, and their negatives.
struct Multiples {
    pos: Vec<Cached>,
    neg: Vec<Cached>,
}

impl Point {
    pub(super) fn identity() -> Point {
        Point {
            xy: Fe2::new(&Fe::ZERO, &Fe::ONE),
            zt: Fe2::new(&Fe::ONE, &Fe::ZERO),
        }
    }

    /// The base point B.
    pub(super) fn base() -> Point {
        Point::decompress(&BASE).unwrap_or_else(Point::identity)
    }

    /// Overwrites the coordinates with zeros (a secret multiple, once used).
    pub(super) fn wipe(&mut self) {
        self.xy.wipe();
        self.zt.wipe();
    }

    /// From the completed point with (X', Y') in `l` and (T', Z') in `r`
    /// (each lane carried, or an `add`/`sub` of carried elements):
    /// X = X'T', Y = Y'Z', Z = Z'T', and T = X'Y' when `t`. Without T
    /// (what a doubling needs) Z is the one unpaired product: the scalar
    /// multiplier computes it in the same function as the vector unit's X
    /// and Y (`mul_and_scalar`), and T's lane holds Z' (nothing reads it).
    fn from_completed(l: &Fe2, r: &Fe2, t: bool) -> Point {
        if t {
            return Point {
                xy: l.mul(r),
                zt: r.shuffle::<1, 4>(l).mul(&r.shuffle::<0, 5>(l)),
            };
        }
        let (xy, z) = l.mul_and_scalar(r, &r.lane::<1>(), &r.lane::<0>());
        Point {
            xy,
            zt: r.shuffle::<1, 1>(r).with_lane0(&z),
        }
    }

    /// 2P: XX = X^2, YY = Y^2, S = (X + Y)^2, then the completed point
    /// X' = S - (YY + XX), Y' = YY + XX, Z' = YY - XX, T' = 2Z^2 - Z'.
    /// Reads X, Y and Z only; computes T when `t`.
    pub(super) fn double(&self, t: bool) -> Point {
        let sq1 = self.xy.square(); // (XX, YY)
        let sw = sq1.shuffle::<1, 0>(&sq1); // (YY, XX)
        let xpy = self.xy.add(&self.xy.shuffle::<1, 0>(&self.xy)); // (X + Y, X + Y)
        let sq2 = self.zt.shuffle::<0, 5>(&xpy).square(); // (ZZ, S)
        let y1 = sq1.add(&sw).carry(); // (Y', Y')
        let z1 = sw.sub(&sq1); // (Z', -Z')
        let x1 = sq2.sub(&y1); // (., X')
        // 2 ZZ + (XX - YY): three terms, carried before they are multiplied.
        let t1 = sq2.add(&sq2).add(&z1.shuffle::<1, 0>(&z1)).carry(); // (T', .)
        Point::from_completed(&x1.shuffle::<1, 4>(&y1), &t1.shuffle::<0, 4>(&z1), t)
    }

    /// P + Q: MM = (Y - X)(Y2 - X2), PP = (Y + X)(Y2 + X2), ZZ2 = Z 2Z2,
    /// TT2d = T 2d T2, then X' = PP - MM, Y' = PP + MM, Z' = ZZ2 + TT2d,
    /// T' = ZZ2 - TT2d. Computes T when `t`.
    pub(super) fn add(&self, q: &Cached, t: bool) -> Point {
        let ab = self.minus_plus().mul(&q.a); // (MM, PP)
        let dc = self.zt.mul(&q.b); // (ZZ2, TT2d)
        Point::from_sums(&ab, &dc, t)
    }

    /// The end of an addition from (MM, PP) and (ZZ2, TT2d), each carried:
    /// X' = PP - MM, Y' = PP + MM, T' = ZZ2 - TT2d, Z' = ZZ2 + TT2d.
    fn from_sums(ab: &Fe2, dc: &Fe2, t: bool) -> Point {
        let ba = ab.shuffle::<1, 0>(ab); // (PP, MM)
        let cd = dc.shuffle::<1, 0>(dc); // (TT2d, ZZ2)
        let l = ba.sub(ab).shuffle::<0, 4>(&ba.add(ab)); // (X', Y')
        let r = dc.sub(&cd).shuffle::<0, 4>(&dc.add(&cd)); // (T', Z')
        Point::from_completed(&l, &r, t)
    }

    /// (Y - X, Y + X).
    fn minus_plus(&self) -> Fe2 {
        let yx = self.xy.shuffle::<1, 0>(&self.xy);
        yx.sub(&self.xy).shuffle::<0, 4>(&yx.add(&self.xy))
    }

    /// P + Q for a Q with Z2 = 1 (an affine table entry: `normalized`
    /// before `cached`), as `add`: ZZ2 is 2Z, no product, and TT2d is
    /// the one unpaired product, fused with (MM, PP).
    pub(super) fn add_affine(&self, q: &Cached, t: bool) -> Point {
        let (ab, tt2d) =
            self.minus_plus()
                .mul_and_scalar(&q.a, &self.zt.lane::<1>(), &q.b.lane::<1>()); // (MM, PP)
        let z = self.zt.lane::<0>();
        let dc = Fe2::new(&z.add(&z).carry(), &tt2d); // (ZZ2, TT2d)
        Point::from_sums(&ab, &dc, t)
    }

    /// The same point with Z = 1: (X/Z, Y/Z, 1, XY/Z^2).
    pub(super) fn normalized(&self) -> Point {
        let zinv = invert(&self.zt.lane::<0>());
        let xy = self.xy.mul(&Fe2::new(&zinv, &zinv));
        let t = xy.lane::<0>().mul(&xy.lane::<1>());
        Point {
            xy,
            zt: Fe2::new(&Fe::ONE, &t),
        }
    }

    pub(super) fn cached(&self) -> Cached {
        let two_2d = Fe2::new(&Fe::ONE.add(&Fe::ONE), &d().add(&d()));
        Cached {
            a: self.minus_plus(),
            b: self.zt.mul(&two_2d),
        }
    }

    /// The RFC 8032 encoding: y, with the low bit of x in bit 255.
    pub(super) fn compress(&self) -> [u8; 32] {
        let zinv = invert(&self.zt.lane::<0>());
        let x = self.xy.lane::<0>().mul(&zinv).to_bytes();
        let mut y = self.xy.lane::<1>().mul(&zinv).to_bytes();
        y[31] |= (x[0] & 1) << 7;
        y
    }

    /// The u-coordinate of the Montgomery point (Curve25519) this point
    /// maps to, RFC 7748 encoded: u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y)
    /// (0 for the identity).
    pub(super) fn montgomery_u(&self) -> [u8; 32] {
        let (y, z) = (self.xy.lane::<1>(), self.zt.lane::<0>());
        z.add(&y).mul(&invert(&z.sub(&y))).to_bytes()
    }

    /// The point an encoding names, decoded as curve25519-dalek does
    /// (RFC 8032 section 5.1.3, except that a y of p or more is taken mod
    /// p and x = 0 with the sign bit set is accepted as x = 0), or None
    /// when no point has that y.
    fn decompress(bytes: &[u8; 32]) -> Option<Point> {
        let y = Fe::from_bytes(bytes);
        let yy = y.square();
        let u = yy.sub(&Fe::ONE).carry(); // y^2 - 1
        let v = d().mul(&yy).add(&Fe::ONE); // d y^2 + 1
        // x = sqrt(u / v) = u v^3 (u v^7)^((p-5)/8), times sqrt(-1) when
        // that squares to -u / v instead.
        let v3 = v.square().mul(&v);
        let mut x = u.mul(&v3).mul(&pow_p58(&u.mul(&v3.square().mul(&v))));
        let vxx = v.mul(&x.square()).to_bytes();
        if vxx == Fe::ZERO.sub(&u).to_bytes() {
            x = x.mul(&Fe::from_bytes(&SQRT_M1));
        } else if vxx != u.to_bytes() {
            return None;
        }
        // The root with x mod p even, then the sign the encoding asks for.
        let odd = x.to_bytes()[0] & 1 == 1;
        if odd != (bytes[31] >> 7 == 1) {
            x = Fe::ZERO.sub(&x).carry();
        }
        Some(Point {
            xy: Fe2::new(&x, &y),
            zt: Fe2::new(&Fe::ONE, &x.mul(&y)),
        })
    }

    /// P, 3P, 5P, ..., (2n - 1)P and their negatives.
    fn multiples(&self, n: usize) -> Multiples {
        let twice = self.double(true).cached();
        let mut pos = Vec::with_capacity(n);
        let mut p = *self;
        for i in 0..n {
            if i > 0 {
                p = p.add(&twice, true);
            }
            pos.push(p.cached());
        }
        let neg = pos.iter().map(Cached::neg).collect();
        Multiples { pos, neg }
    }
}

impl Cached {
    /// The identity: (1, 1) and (2, 0).
    pub(super) fn identity() -> Cached {
        let two = Fe::ONE.add(&Fe::ONE);
        Cached {
            a: Fe2::new(&Fe::ONE, &Fe::ONE),
            b: Fe2::new(&two, &Fe::ZERO),
        }
    }

    /// `o` where `mask` is all ones, self where it is 0: no branch.
    pub(super) fn select(&self, o: &Cached, mask: u32) -> Cached {
        Cached {
            a: self.a.select(&o.a, mask),
            b: self.b.select(&o.b, mask),
        }
    }

    /// Both pairs in one value (a table entry).
    pub(super) fn packed(&self) -> Fe2x2 {
        Fe2x2::new(&self.a, &self.b)
    }

    pub(super) fn unpacked(p: &Fe2x2) -> Cached {
        let (a, b) = p.split();
        Cached { a, b }
    }

    pub(super) fn wipe(&mut self) {
        self.a.wipe();
        self.b.wipe();
    }

    /// -Q = (-X, Y, Z, -T): (Y + X, Y - X) and (2Z, -2dT).
    pub(super) fn neg(&self) -> Cached {
        Cached {
            a: self.a.shuffle::<1, 0>(&self.a),
            b: self.b.neg_lane1(),
        }
    }
}

impl Multiples {
    /// The entry for an odd wNAF digit (nonzero, |digit| < 2 len).
    fn get(&self, digit: i8) -> &Cached {
        let i = usize::from(digit.unsigned_abs() / 2);
        if digit > 0 {
            &self.pos[i]
        } else {
            &self.neg[i]
        }
    }
}

fn d() -> Fe {
    Fe::from_bytes(&D)
}

/// x^((p-5)/8) = x^(2^252 - 3).
fn pow_p58(z: &Fe) -> Fe {
    z.pow_2_250_minus_1().0.square().square().mul(z)
}

/// The width-`w` non-adjacent form of a scalar below 2^255 (32 bytes,
/// little-endian): digits odd and below 2^(w-1) in absolute value, or 0,
/// any w consecutive digits holding at most one nonzero one.
fn wnaf(scalar: &[u8; 32], w: u32) -> [i8; 256] {
    let mut k = [0u64; 5];
    for (i, chunk) in scalar.chunks_exact(8).enumerate() {
        k[i] = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
    }
    let mut naf = [0i8; 256];
    let (window, half) = (1u64 << w, 1u64 << (w - 1));
    for digit in naf.iter_mut() {
        if k == [0; 5] {
            break;
        }
        if k[0] & 1 == 1 {
            let m = k[0] & (window - 1);
            if m < half {
                *digit = m as i8;
                k[0] -= m;
            } else {
                // A negative digit m - 2^w: k + (2^w - m), carried up.
                *digit = (m as i64 - window as i64) as i8;
                let mut carry = window - m;
                for limb in k.iter_mut() {
                    let (s, c) = limb.overflowing_add(carry);
                    *limb = s;
                    carry = u64::from(c);
                }
            }
        }
        for i in 0..5 {
            k[i] = (k[i] >> 1) | if i < 4 { k[i + 1] << 63 } else { 0 };
        }
    }
    naf
}

/// The base point's odd multiples, built on first use.
fn base_multiples() -> &'static Multiples {
    static TABLE: std::sync::OnceLock<Multiples> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| Point::base().multiples(1 << (B_WINDOW - 2)))
}

/// A public key A ready for verifications: its odd multiples.
pub(super) struct KeyMultiples(Multiples);

impl KeyMultiples {
    /// None when the encoding names no point (curve25519-dalek's rules).
    pub(super) fn new(a: &[u8; 32]) -> Option<KeyMultiples> {
        Some(KeyMultiples(
            Point::decompress(a)?.multiples(1 << (A_WINDOW - 2)),
        ))
    }
}

/// The encoding of [s]B - [k]A (s and k reduced mod the group order, or
/// at least below 2^255): what an Ed25519 signature's R must equal.
pub(super) fn s_b_minus_k_a(a: &KeyMultiples, k: &[u8; 32], s: &[u8; 32]) -> [u8; 32] {
    let (nk, ns) = (wnaf(k, A_WINDOW), wnaf(s, B_WINDOW));
    let b = base_multiples();
    let top = (0..256).rev().find(|&i| nk[i] != 0 || ns[i] != 0);
    let mut r = Point::identity();
    // T is computed only where an addition reads it.
    for i in (0..=top.unwrap_or(0)).rev() {
        r = r.double(nk[i] != 0 || ns[i] != 0);
        if nk[i] != 0 {
            r = r.add(a.0.get(-nk[i]), ns[i] != 0);
        }
        if ns[i] != 0 {
            r = r.add(b.get(ns[i]), false);
        }
    }
    r.compress()
}

#[cfg(test)]
#[path = "point_tests.rs"]
mod tests;
