//! `field_pair::Fe2`'s operations on two `field::Fe` (targets without
//! wasm SIMD: native builds and their tests). Same formulas, so the same
//! limbs come out; code written on pairs runs and is tested natively.
use super::field::Fe;

#[derive(Clone, Copy)]
pub(crate) struct Fe2([Fe; 2]);

#[cfg(test)]
thread_local! {
    /// Products, squarings and selects so far on this thread (tests check
    /// that constant-time code does the same work for every secret).
    pub(crate) static OPERATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts one operation (test builds only).
fn count() {
    #[cfg(test)]
    OPERATIONS.set(OPERATIONS.get() + 1);
}

impl Fe2 {
    pub(crate) fn new(a: &Fe, b: &Fe) -> Fe2 {
        Fe2([*a, *b])
    }

    /// The element in lane `L` (0 or 1).
    pub(crate) fn lane<const L: usize>(&self) -> Fe {
        self.0[L]
    }

    /// (a, self's lane 1).
    pub(crate) fn with_lane0(&self, a: &Fe) -> Fe2 {
        Fe2([*a, self.0[1]])
    }

    /// `o` where `mask` is all ones, self where it is 0: no branch.
    pub(crate) fn select(&self, o: &Fe2, mask: u32) -> Fe2 {
        count();
        let m = u64::from(core::hint::black_box(mask)) * 0x1_0000_0001;
        let pick = |a: &Fe, b: &Fe| Fe(core::array::from_fn(|i| (a.0[i] & !m) | (b.0[i] & m)));
        Fe2([pick(&self.0[0], &o.0[0]), pick(&self.0[1], &o.0[1])])
    }

    /// (self's lane k, o's lane k): k = 1 where `mask` is all ones, 0
    /// where it is 0, no branch.
    pub(crate) fn lanes_of(&self, o: &Fe2, mask: u32) -> Fe2 {
        count();
        let m = u64::from(core::hint::black_box(mask)) * 0x1_0000_0001;
        let pick = |a: &Fe, b: &Fe| Fe(core::array::from_fn(|i| (a.0[i] & !m) | (b.0[i] & m)));
        Fe2([pick(&self.0[0], &self.0[1]), pick(&o.0[0], &o.0[1])])
    }

    /// (l0 + l1, l0 - l1 + 2p) of self's lanes (carried).
    pub(crate) fn sum_and_difference(&self) -> Fe2 {
        Fe2([self.0[0].add(&self.0[1]), self.0[0].sub(&self.0[1])]).fits_lanes()
    }

    /// (self's lane 0, 2p - lane 1): the second element negated (carried).
    pub(crate) fn neg_lane1(&self) -> Fe2 {
        Fe2([self.0[0], Fe::ZERO.sub(&self.0[1])]).fits_lanes()
    }

    /// Overwrites both elements with zeros (secret values, once used).
    pub(crate) fn wipe(&mut self) {
        self.0 = [Fe::ZERO; 2];
        core::hint::black_box(&self.0);
    }

    pub(crate) fn add(&self, o: &Fe2) -> Fe2 {
        Fe2([self.0[0].add(&o.0[0]), self.0[1].add(&o.0[1])]).fits_lanes()
    }

    /// self - o + 2p, lane-wise (o carried; an underflow panics in test
    /// builds, where overflow checks are on).
    pub(crate) fn sub(&self, o: &Fe2) -> Fe2 {
        Fe2([self.0[0].sub(&o.0[0]), self.0[1].sub(&o.0[1])]).fits_lanes()
    }

    /// Checks (debug builds) that every limb fits the 32-bit lanes of
    /// `field_pair`, whose additions wrap: what runs natively here runs
    /// there.
    fn fits_lanes(self) -> Fe2 {
        debug_assert!(self.0.iter().all(|f| f.0.iter().all(|&l| l < 1 << 32)));
        self
    }

    /// Checks (debug builds) the input bound of `mul` and `square`, which
    /// `field_pair` relies on to keep 19 and 38 times a limb within 32
    /// bits: a carried element plus 2p, at most (even limbs below 3 2^26,
    /// odd ones below 3 2^25 + 2^19).
    fn product_input(&self) -> &Fe2 {
        debug_assert!(self.0.iter().all(|f| {
            f.0.iter().enumerate().all(|(i, &l)| {
                l < if i % 2 == 0 {
                    3 << 26
                } else {
                    (3 << 25) + (1 << 19)
                }
            })
        }));
        self
    }

    /// Lanes picked from two pairs: `A` and `B` name a lane of self (0, 1)
    /// or of o (4, 5), as the 32-bit lane indexes of `field_pair`'s
    /// shuffle do.
    pub(crate) fn shuffle<const A: usize, const B: usize>(&self, o: &Fe2) -> Fe2 {
        let pick = |i: usize| if i < 4 { self.0[i] } else { o.0[i - 4] };
        Fe2([pick(A), pick(B)])
    }

    pub(crate) fn mul(&self, g: &Fe2) -> Fe2 {
        count();
        let (f, g) = (self.product_input(), g.product_input());
        Fe2([f.0[0].mul(&g.0[0]), f.0[1].mul(&g.0[1])])
    }

    /// `mul` and the scalar product a b, as `field_pair` fuses them.
    pub(crate) fn mul_and_scalar(&self, g: &Fe2, a: &Fe, b: &Fe) -> (Fe2, Fe) {
        (self.mul(g), a.mul(b))
    }

    pub(crate) fn square(&self) -> Fe2 {
        count();
        let f = self.product_input();
        Fe2([f.0[0].square(), f.0[1].square()])
    }

    /// Both elements carried (lanes below 2^32 in).
    pub(crate) fn carry(&self) -> Fe2 {
        let f = self.fits_lanes();
        Fe2([f.0[0].carry(), f.0[1].carry()])
    }
}

/// `field_pair::Fe2x2`: two pairs in one value, selected together.
#[derive(Clone, Copy)]
pub(crate) struct Fe2x2(Fe2, Fe2);

impl Fe2x2 {
    pub(crate) fn new(a: &Fe2, b: &Fe2) -> Fe2x2 {
        Fe2x2(*a, *b)
    }

    pub(crate) fn split(&self) -> (Fe2, Fe2) {
        (self.0, self.1)
    }

    /// `o` where `mask` is all ones, self where it is 0: no branch (one
    /// counted operation, as the vectors do it in one pass).
    pub(crate) fn select(&self, o: &Fe2x2, mask: u32) -> Fe2x2 {
        count();
        let m = u64::from(core::hint::black_box(mask)) * 0x1_0000_0001;
        let pick = |a: &Fe, b: &Fe| Fe(core::array::from_fn(|i| (a.0[i] & !m) | (b.0[i] & m)));
        let both = |a: &Fe2, b: &Fe2| Fe2([pick(&a.0[0], &b.0[0]), pick(&a.0[1], &b.0[1])]);
        Fe2x2(both(&self.0, &o.0), both(&self.1, &o.1))
    }

    /// Overwrites both pairs with zeros (secret values, once used).
    pub(crate) fn wipe(&mut self) {
        self.0.wipe();
        self.1.wipe();
    }
}
