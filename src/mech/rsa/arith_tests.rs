//! The constant-time helpers against u128 arithmetic and against
//! identities on large values.
use super::*;

fn limbs(x: u128) -> Limbs {
    let mut out = zeros(5);
    for (i, l) in out.iter_mut().enumerate() {
        *l = (x >> (BITS * i)) as u32 & MASK;
    }
    out
}

fn value(x: &[u32]) -> u128 {
    x.iter()
        .rev()
        .fold(0u128, |acc, &l| (acc << BITS) | u128::from(l))
}

fn random_u128(bits: u32) -> u128 {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).unwrap();
    u128::from_le_bytes(b) >> (128 - bits)
}

fn gcd_u128(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[test]
fn division_matches_u128() {
    for _ in 0..300 {
        let a = random_u128(120);
        let b = random_u128(1 + (a as u32 % 119)).max(1);
        let (q, r) = div_rem(&limbs(a), &limbs(b)).unwrap();
        assert_eq!((value(&q), value(&r)), (a / b, a % b), "{a} / {b}");
    }
    let (q, r) = div_rem(&limbs(7), &limbs(7)).unwrap();
    assert_eq!((value(&q), value(&r)), (1, 0));
    assert!(div_rem(&limbs(7), &limbs(0)).is_none());
    // Short divisors (the remainder takes the divisor's length).
    let (q, r) = div_rem(&limbs(1 << 100), &[3]).unwrap();
    assert_eq!((value(&q), value(&r)), ((1 << 100) / 3, (1u128 << 100) % 3));
}

#[test]
fn gcd_matches_euclid() {
    for (a, b) in [
        (12u128, 18),
        (1, 1),
        (0, 5),
        (5, 0),
        (1 << 90, 1 << 40),
        (97, 89),
    ] {
        assert_eq!(value(&gcd(&limbs(a), &limbs(b))), gcd_u128(a, b), "{a} {b}");
    }
    for _ in 0..200 {
        let g = random_u128(20).max(1);
        let (a, b) = (random_u128(100) * g, random_u128(90).max(1) * g);
        assert_eq!(value(&gcd(&limbs(a), &limbs(b))), gcd_u128(a, b));
    }
}

#[test]
fn small_inverses() {
    for m in [3u64, 5, 9, 15, 17, 65537, (1 << 33) - 1, 3 * 5 * 7 * 11] {
        for a in 0..m.min(500) {
            let inv = inverse_u64(a, m);
            if gcd_u128(u128::from(a), u128::from(m)) == 1 {
                assert_eq!(
                    u128::from(a) * u128::from(inv) % u128::from(m),
                    1,
                    "{a} {m}"
                );
            } else {
                assert_eq!(inv, 0, "{a} {m}");
            }
        }
    }
}

#[test]
fn inverse_of_a_small_exponent() {
    for e in [3u64, 17, 65537, (1 << 33) - 1] {
        for _ in 0..50 {
            // Even, as p - 1 and lambda are; below 2^94, so that e x fits.
            let m = random_u128(94) | 2;
            let x = inverse_of_small(e, &limbs(m));
            if gcd_u128(u128::from(e), m) == 1 {
                let x = value(&x.unwrap());
                assert!(x < m);
                assert_eq!(u128::from(e) * x % m, 1, "{e} {m}");
            } else {
                assert!(x.is_none());
            }
        }
    }
    // Large m: e x = 1 mod m checked with `div_rem`.
    let mut m = bignum::from_be(&[0xa7; 256], 80).unwrap();
    m[0] &= !1;
    let x = inverse_of_small(65537, &m).unwrap();
    let t = bignum::mul_plain(&x, &[65537, 0]);
    let (_, r) = div_rem(&t, &m).unwrap();
    assert!(bool::from(is_one(&r)));
    assert!(inverse_of_small(3, &limbs(9)).is_none());
}
