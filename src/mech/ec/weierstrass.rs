//! Points of a short Weierstrass curve y^2 = x^3 + a x + b of prime order
//! over any prime field up to 512 bits (`field`), from a table row of
//! domain parameters: the one implementation behind P-192, P-224 and the
//! brainpool curves.
//!
//! Projective coordinates (X : Y : Z) with the complete formulas of
//! Renes, Costello and Batina, "Complete addition formulas for prime
//! order elliptic curves" (2016), Algorithm 1 (addition) and 3 (doubling)
//! for any a: no input, the identity (0 : 1 : 0) and P + P included,
//! needs a branch. They are complete because the curves have prime
//! order (cofactor 1: no point of order 2).
//!
//! Scalar multiplication runs over fixed 4-bit windows, most significant
//! first: four doublings, then the addition of a table entry j·P read
//! with every entry of the table masked (no address depends on the
//! scalar); j = 0 adds the identity. Every window of the scalar's full
//! byte length is processed, leading zeros included.
use zeroize::Zeroize;

use super::field::{Fe, Field, MAX_LIMBS, mask, select};
use super::jacobian::{self, Arith};

/// A projective point, coordinates in Montgomery form.
pub(super) type Point = [Fe; 3];
/// j·P for j in 0..16.
pub(super) type Table = [Point; 16];

const WINDOW: usize = 4;
/// NAF width of the precomputed odd multiples of G for verification
/// (32 affine points).
pub(super) const G_NAF: u32 = 7;

/// One curve's domain parameters, big-endian hex (SEC 2, RFC 5639).
pub(super) struct Params {
    pub p: &'static str,
    pub a: &'static str,
    pub b: &'static str,
    pub gx: &'static str,
    pub gy: &'static str,
    pub n: &'static str,
}

/// A curve ready to compute: its two fields, constants in Montgomery
/// form and the table of multiples of G.
pub(super) struct Group {
    /// Coordinates, modulo p.
    pub fp: Field,
    /// Scalars, modulo the order n.
    pub fs: Field,
    a: Fe,
    b: Fe,
    /// 3b, as the formulas use it.
    b3: Fe,
    /// a = -3 (P-192, P-224, the brainpool t1 curves).
    a_minus_3: bool,
    g_table: Box<Table>,
    /// G, 3G, 5G, ..., affine, for `jacobian::mul2`.
    g_odd: Vec<[Fe; 2]>,
}

/// The field of a group for the variable-time formulas of `jacobian`.
pub(super) struct Vartime<'a> {
    fp: &'a Field,
    a: Option<Fe>,
}

impl Arith for Vartime<'_> {
    type Fe = Fe;
    fn add(&self, a: &Fe, b: &Fe) -> Fe {
        self.fp.add(a, b)
    }
    fn sub(&self, a: &Fe, b: &Fe) -> Fe {
        self.fp.sub(a, b)
    }
    fn mul(&self, a: &Fe, b: &Fe) -> Fe {
        self.fp.mul(a, b)
    }
    fn zero(&self) -> Fe {
        [0; MAX_LIMBS]
    }
    fn one(&self) -> Fe {
        self.fp.one()
    }
    fn a(&self) -> Option<Fe> {
        self.a
    }
}

impl Group {
    /// The group of a table row; `None` when the row is malformed: a
    /// parameter out of range, G off the curve, or orders and fields of
    /// different sizes (the tests build every row).
    pub fn new(params: &Params) -> Option<Group> {
        let fp = Field::new(params.p)?;
        let fs = Field::new(params.n)?;
        // ECDSA's r = x mod n by one conditional subtraction needs p < 2n
        // on the same limbs; scalars and coordinates share one length.
        if fp.len() != fs.len() || fp.bytes() != fs.bytes() || fp.bits() != fs.bits() {
            return None;
        }
        let coord = |f: &Field, hex: &str| {
            let bytes = super::field::unhex(hex)?;
            f.from_be(&bytes).map(|x| f.to_mont(&x))
        };
        let (a, b) = (coord(&fp, params.a)?, coord(&fp, params.b)?);
        let b3 = fp.add(&fp.add(&b, &b), &b);
        let g = [coord(&fp, params.gx)?, coord(&fp, params.gy)?, fp.one()];
        let three = fp.add(&fp.add(&fp.one(), &fp.one()), &fp.one());
        let mut group = Group {
            a_minus_3: fp.eq(&fp.neg(&three), &a) != 0,
            a,
            b,
            b3,
            g_table: Box::new([[[0; MAX_LIMBS]; 3]; 16]),
            g_odd: Vec::new(),
            fp,
            fs,
        };
        if !group.on_curve(&g[0], &g[1]) {
            return None;
        }
        group.g_table = Box::new(group.table(&g));
        let v = group.vartime();
        let odd = jacobian::odd_multiples(&v, &Some(g), G_NAF);
        group.g_odd = group.batch_affine(&odd)?;
        Some(group)
    }

    pub fn vartime(&self) -> Vartime<'_> {
        Vartime {
            fp: &self.fp,
            a: (!self.a_minus_3).then_some(self.a),
        }
    }

    pub fn g_odd(&self) -> &[[Fe; 2]] {
        &self.g_odd
    }

    /// Jacobian points (none the identity) to affine, Montgomery form,
    /// with one inversion (Montgomery's trick: prefix products).
    fn batch_affine(&self, points: &[jacobian::Jac<Fe>]) -> Option<Vec<[Fe; 2]>> {
        let f = &self.fp;
        let zs: Vec<Fe> = points
            .iter()
            .map(|p| p.map(|[_, _, z]| z))
            .collect::<Option<_>>()?;
        let mut prefix = Vec::with_capacity(zs.len());
        let mut acc = f.one();
        for z in &zs {
            acc = f.mul(&acc, z);
            prefix.push(acc);
        }
        let mut inv = f.invert(&acc);
        let mut out = vec![[[0; MAX_LIMBS]; 2]; zs.len()];
        for i in (0..zs.len()).rev() {
            let zinv = if i == 0 {
                inv
            } else {
                f.mul(&inv, &prefix[i - 1])
            };
            inv = f.mul(&inv, &zs[i]);
            let [x, y, _] = points[i]?;
            let zinv2 = f.sqr(&zinv);
            out[i] = [f.mul(&x, &zinv2), f.mul(&y, &f.mul(&zinv2, &zinv))];
        }
        Some(out)
    }

    pub fn identity(&self) -> Point {
        [[0; MAX_LIMBS], self.fp.one(), [0; MAX_LIMBS]]
    }

    /// Whether affine (x, y) (Montgomery form) satisfies the equation.
    pub fn on_curve(&self, x: &Fe, y: &Fe) -> bool {
        let f = &self.fp;
        let rhs = f.add(&f.mul(&f.add(&f.sqr(x), &self.a), x), &self.b);
        f.eq(&f.sqr(y), &rhs) != 0
    }

    /// P + Q (RCB 2016 Algorithm 1).
    pub fn add(&self, p: &Point, q: &Point) -> Point {
        let f = &self.fp;
        let [x1, y1, z1] = p;
        let [x2, y2, z2] = q;
        let mut t0 = f.mul(x1, x2);
        let mut t1 = f.mul(y1, y2);
        let mut t2 = f.mul(z1, z2);
        let mut t3 = f.mul(&f.add(x1, y1), &f.add(x2, y2));
        let mut t4 = f.add(&t0, &t1);
        t3 = f.sub(&t3, &t4);
        t4 = f.mul(&f.add(x1, z1), &f.add(x2, z2));
        let mut t5 = f.add(&t0, &t2);
        t4 = f.sub(&t4, &t5);
        t5 = f.mul(&f.add(y1, z1), &f.add(y2, z2));
        let mut x3 = f.add(&t1, &t2);
        t5 = f.sub(&t5, &x3);
        let mut z3 = f.mul(&self.a, &t4);
        x3 = f.mul(&self.b3, &t2);
        z3 = f.add(&x3, &z3);
        x3 = f.sub(&t1, &z3);
        z3 = f.add(&t1, &z3);
        let mut y3 = f.mul(&x3, &z3);
        t1 = f.add(&f.add(&t0, &t0), &t0);
        t2 = f.mul(&self.a, &t2);
        t4 = f.mul(&self.b3, &t4);
        t1 = f.add(&t1, &t2);
        t2 = f.mul(&self.a, &f.sub(&t0, &t2));
        t4 = f.add(&t4, &t2);
        t0 = f.mul(&t1, &t4);
        y3 = f.add(&y3, &t0);
        t0 = f.mul(&t5, &t4);
        x3 = f.sub(&f.mul(&t3, &x3), &t0);
        t0 = f.mul(&t3, &t1);
        z3 = f.add(&f.mul(&t5, &z3), &t0);
        [x3, y3, z3]
    }

    /// 2P (RCB 2016 Algorithm 3).
    pub fn double(&self, p: &Point) -> Point {
        let f = &self.fp;
        let [x, y, z] = p;
        let mut t0 = f.sqr(x);
        let t1 = f.sqr(y);
        let mut t2 = f.sqr(z);
        let mut t3 = f.mul(x, y);
        t3 = f.add(&t3, &t3);
        let mut z3 = f.mul(x, z);
        z3 = f.add(&z3, &z3);
        let mut x3 = f.mul(&self.a, &z3);
        let mut y3 = f.mul(&self.b3, &t2);
        y3 = f.add(&x3, &y3);
        x3 = f.sub(&t1, &y3);
        y3 = f.add(&t1, &y3);
        y3 = f.mul(&x3, &y3);
        x3 = f.mul(&t3, &x3);
        z3 = f.mul(&self.b3, &z3);
        t2 = f.mul(&self.a, &t2);
        t3 = f.mul(&self.a, &f.sub(&t0, &t2));
        t3 = f.add(&t3, &z3);
        z3 = f.add(&t0, &t0);
        t0 = f.add(&z3, &t0);
        t0 = f.add(&t0, &t2);
        t0 = f.mul(&t0, &t3);
        y3 = f.add(&y3, &t0);
        t2 = f.mul(y, z);
        t2 = f.add(&t2, &t2);
        t0 = f.mul(&t2, &t3);
        x3 = f.sub(&x3, &t0);
        z3 = f.mul(&t2, &t1);
        z3 = f.add(&z3, &z3);
        z3 = f.add(&z3, &z3);
        [x3, y3, z3]
    }

    /// j·P for j in 0..16.
    pub fn table(&self, p: &Point) -> Table {
        let mut t = [self.identity(); 16];
        t[1] = *p;
        for j in 2..16 {
            t[j] = if j % 2 == 0 {
                self.double(&t[j / 2])
            } else {
                self.add(&t[j - 1], p)
            };
        }
        t
    }

    pub fn g_table(&self) -> &Table {
        &self.g_table
    }

    /// Table entry `j`, reading every entry.
    fn lookup(table: &Table, j: u32) -> Point {
        let mut out = [[0u32; MAX_LIMBS]; 3];
        for (i, entry) in table.iter().enumerate() {
            let m = mask(((i as u32 ^ j).wrapping_sub(1)) >> 31);
            for c in 0..3 {
                out[c] = select(m, &entry[c], &out[c]);
            }
        }
        out
    }

    /// The 4-bit windows of a big-endian scalar, most significant first.
    fn windows(k: &[u8]) -> impl Iterator<Item = u32> + '_ {
        k.iter()
            .flat_map(|&b| [u32::from(b >> WINDOW), u32::from(b & 0x0f)])
    }

    /// k·P for a big-endian scalar k (secret: constant time) and the
    /// table of P.
    pub fn mul(&self, table: &Table, k: &[u8]) -> Point {
        let mut acc = self.identity();
        for (i, w) in Self::windows(k).enumerate() {
            if i > 0 {
                for _ in 0..WINDOW {
                    acc = self.double(&acc);
                }
            }
            let mut entry = Self::lookup(table, w);
            acc = self.add(&acc, &entry);
            entry.zeroize();
        }
        acc
    }

    /// Affine (x, y) of P, plain (not Montgomery); `None` for the
    /// identity (Z = 0, which depends on public values only: a scalar in
    /// [1, n-1] times a point of prime order n is never the identity).
    pub fn to_affine(&self, p: &Point) -> Option<(Fe, Fe)> {
        let f = &self.fp;
        if f.is_zero(&p[2]) != 0 {
            return None;
        }
        let zinv = f.invert(&p[2]);
        Some((
            f.from_mont(&f.mul(&p[0], &zinv)),
            f.from_mont(&f.mul(&p[1], &zinv)),
        ))
    }

    /// A SEC1 point (X9.62 / SEC 1 2.3.4): 04 x y, or 02/03 x; checked to
    /// be on the curve with coordinates below p. Returns the projective
    /// point (Z = 1). The identity (a lone 00) is refused.
    pub fn decode(&self, sec1: &[u8]) -> Option<Point> {
        let f = &self.fp;
        let len = f.bytes();
        let (&tag, rest) = sec1.split_first()?;
        let x = f.to_mont(&f.from_be(rest.get(..len)?)?);
        let y = match (tag, rest.len()) {
            (4, l) if l == 2 * len => {
                let y = f.to_mont(&f.from_be(rest.get(len..)?)?);
                if !self.on_curve(&x, &y) {
                    return None;
                }
                y
            }
            (2 | 3, l) if l == len => {
                let rhs = f.add(&f.mul(&f.add(&f.sqr(&x), &self.a), &x), &self.b);
                let y = f.sqrt(&rhs)?;
                let odd = f.from_mont(&y)[0] & 1;
                if odd == u32::from(tag & 1) {
                    y
                } else {
                    f.neg(&y)
                }
            }
            _ => return None,
        };
        Some([x, y, f.one()])
    }

    /// 04 x y of a point (uncompressed SEC1); `None` for the identity.
    pub fn encode(&self, p: &Point) -> Option<Vec<u8>> {
        let (x, y) = self.to_affine(p)?;
        self.sec1(&x, &y)
    }

    /// 04 x y of plain affine coordinates.
    pub fn sec1(&self, x: &Fe, y: &Fe) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(1 + 2 * self.fp.bytes());
        out.push(4);
        out.extend_from_slice(&self.fp.to_be(&x)?);
        out.extend_from_slice(&self.fp.to_be(&y)?);
        Some(out)
    }
}
