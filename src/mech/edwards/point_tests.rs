//! Our edwards25519 arithmetic against curve25519-dalek's (the reference:
//! it decoded and verified before), on random and edge inputs. Native
//! builds run the pair code on `pair_scalar`; the wasm SIMD pairs are
//! checked through the built module (tests/js/ed25519_verify.test.mjs).
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;

use super::*;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self) -> [u8; 32] {
        let mut b = [0u8; 32];
        for c in b.chunks_mut(8) {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        b
    }
    fn scalar(&mut self) -> Scalar {
        let mut wide = [0u8; 64];
        wide[..32].copy_from_slice(&self.bytes());
        wide[32..].copy_from_slice(&self.bytes());
        Scalar::from_bytes_mod_order_wide(&wide)
    }
}

/// The encodings of the 8 points of small order, and non-canonical
/// encodings of some of them (y >= p, x = 0 with the sign bit set), as
/// "Taming the many EdDSAs" (Chalkias et al., 2020) lists them.
fn odd_encodings() -> Vec<[u8; 32]> {
    [
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "0000000000000000000000000000000000000000000000000000000000000000",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "0100000000000000000000000000000000000000000000000000000000000080",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ]
    .iter()
    .map(|h| hex::decode(h).unwrap().try_into().unwrap())
    .collect()
}

fn reference(a: &[u8; 32], k: &Scalar, s: &Scalar) -> [u8; 32] {
    let a = CompressedEdwardsY(*a).decompress().unwrap();
    EdwardsPoint::vartime_double_scalar_mul_basepoint(k, &-a, s)
        .compress()
        .to_bytes()
}

#[test]
fn constants() {
    // d 121666 = -121665, sqrt(-1)^2 = -1.
    let minus = |x: u32| Fe::ZERO.sub(&Fe::ONE.mul_small(x)).carry().to_bytes();
    assert_eq!(
        d().mul(&Fe::ONE.mul_small(121_666)).to_bytes(),
        minus(121_665)
    );
    let i = Fe::from_bytes(&SQRT_M1);
    assert_eq!(i.square().to_bytes(), minus(1));
    assert_eq!(
        BASE,
        curve25519_dalek::constants::ED25519_BASEPOINT_COMPRESSED.to_bytes()
    );
}

/// Decoding accepts exactly what curve25519-dalek accepts and gives the
/// same point: random byte strings (about half name no point), random
/// points, the odd encodings.
#[test]
fn decompress_agrees_with_dalek() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut cases = odd_encodings();
    for _ in 0..300 {
        cases.push(rng.bytes());
        cases.push(EdwardsPoint::mul_base(&rng.scalar()).compress().to_bytes());
    }
    let mut valid = 0;
    for enc in &cases {
        let ours = Point::decompress(enc);
        let theirs = CompressedEdwardsY(*enc).decompress();
        assert_eq!(ours.is_some(), theirs.is_some(), "{}", hex::encode(enc));
        if let (Some(p), Some(q)) = (ours, theirs) {
            valid += 1;
            assert_eq!(
                p.compress(),
                q.compress().to_bytes(),
                "{}",
                hex::encode(enc)
            );
        }
    }
    assert!(valid > 400, "{valid}");
}

/// The non-adjacent form adds back up to the scalar, and its digits are
/// odd, small and spaced as the window says.
#[test]
fn wnaf_is_a_non_adjacent_form() {
    let mut rng = Rng(7);
    let mut scalars = vec![Scalar::ZERO, Scalar::ONE, -Scalar::ONE];
    scalars.extend((0..200).map(|_| rng.scalar()));
    for w in [A_WINDOW, B_WINDOW] {
        for k in &scalars {
            let naf = wnaf(k.as_bytes(), w);
            let mut sum = Scalar::ZERO;
            let mut last = None;
            for (i, &d) in naf.iter().enumerate().rev() {
                sum = sum + sum;
                if d != 0 {
                    assert_eq!(d % 2, 1 - 2 * i8::from(d < 0), "odd");
                    assert!(i32::from(d).abs() < 1 << (w - 1));
                    if let Some(j) = last {
                        assert!(j - i >= w as usize, "window");
                    }
                    last = Some(i);
                    let m = Scalar::from(u64::from(d.unsigned_abs()));
                    sum = if d > 0 { sum + m } else { sum - m };
                }
            }
            assert_eq!(sum, *k);
        }
    }
}

/// [s]B - [k]A against curve25519-dalek's: random keys, keys with a
/// small-order component, the odd encodings; random and edge scalars.
#[test]
fn double_scalar_product_agrees_with_dalek() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let mut keys = odd_encodings();
    let torsion = CompressedEdwardsY(odd_encodings()[4]).decompress().unwrap();
    for i in 0..40 {
        let p = EdwardsPoint::mul_base(&rng.scalar());
        keys.push(
            if i % 4 == 0 { p + torsion } else { p }
                .compress()
                .to_bytes(),
        );
    }
    let edges = [Scalar::ZERO, Scalar::ONE, -Scalar::ONE, Scalar::from(16u64)];
    for a in &keys {
        let table = KeyMultiples::new(a).unwrap();
        let mut pairs: Vec<(Scalar, Scalar)> =
            (0..6).map(|_| (rng.scalar(), rng.scalar())).collect();
        pairs.extend(edges.iter().flat_map(|k| edges.iter().map(|s| (*k, *s))));
        for (k, s) in pairs {
            assert_eq!(
                s_b_minus_k_a(&table, k.as_bytes(), s.as_bytes()),
                reference(a, &k, &s),
                "{} {:?} {:?}",
                hex::encode(a),
                k.as_bytes(),
                s.as_bytes()
            );
        }
    }
}
