//! The ladder against RFC 7748's known answers and x25519-dalek, and the
//! field's limb bounds at their worst case (overflow checks are on in
//! test builds: a column sum past 2^64 panics).
use super::{ladder, ladder_scalar, x25519};
use crate::mech::field25519::field::Fe;
use crate::mech::field25519::invert::invert;

fn h32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

/// RFC 7748 section 5.2, the two single-call vectors (the second u has
/// its top bit set: it must be ignored).
#[test]
fn rfc_7748_vectors() {
    for (k, u, out) in [
        (
            "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
            "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
        ),
        (
            "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
            "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
            "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
        ),
    ] {
        assert_eq!(hex::encode(x25519(&h32(k), &h32(u))), out);
    }
}

/// RFC 7748 section 5.2, iterated: k = u = 9, then (k, u) = (X25519(k,
/// u), k), after 1 and 1,000 iterations.
#[test]
fn rfc_7748_iterated() {
    let mut k = [0u8; 32];
    k[0] = 9;
    let mut u = k;
    for i in 1..=1000 {
        let r = x25519(&k, &u);
        u = k;
        k = r;
        match i {
            1 => assert_eq!(
                hex::encode(k),
                "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079"
            ),
            1000 => assert_eq!(
                hex::encode(k),
                "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51"
            ),
            _ => {}
        }
    }
}

/// Random scalars and u-coordinates (any 32 bytes: twist points,
/// non-canonical u in [p, 2^255), the top bit set) agree with
/// x25519-dalek.
#[test]
fn agrees_with_x25519_dalek() {
    let mut seed = [7u8; 32];
    for _ in 0..300 {
        let k = x25519_dalek::x25519(seed, [9; 32]);
        let u = x25519_dalek::x25519(k, seed);
        assert_eq!(x25519(&k, &u), x25519_dalek::x25519(k, u));
        seed = k;
    }
    // u = p .. 2^255 - 1 and 2^255 .. (top bit ignored), and 0.
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    for u in [p, [0xff; 32], [0; 32], {
        let mut q = p;
        q[0] = 0xff;
        q
    }] {
        assert_eq!(x25519(&seed, &u), x25519_dalek::x25519(seed, u));
    }
}

/// The paired ladder, which picks the doubling's lane rather than swap
/// the pairs, lands on the same point as RFC 7748's ladder, step for
/// step of the scalar's bits (scalars with every bit pattern, top bits
/// and runs of equal bits included).
#[test]
fn paired_ladder_agrees_with_the_rfc_ladder() {
    let affine = |(x, z): (Fe, Fe)| x.mul(&invert(&z)).to_bytes();
    let mut seed = [3u8; 32];
    let mut cases = vec![[0u8; 32], [0xff; 32], [0x55; 32], [0xaa; 32]];
    for _ in 0..100 {
        seed = x25519_dalek::x25519(seed, [9; 32]);
        cases.push(seed);
    }
    for k in cases {
        let u = Fe::from_bytes(&x25519_dalek::x25519(k, [9; 32]));
        assert_eq!(affine(ladder(&k, &u)), affine(ladder_scalar(&k, &u)));
    }
}

/// The same work for every scalar: as many paired products, squarings
/// and lane picks for all-zero, all-one, alternating and random scalars
/// (a step skipped or a pick left out for some bit would show here).
#[test]
fn same_work_for_every_scalar() {
    use crate::mech::field25519::pair_scalar::OPERATIONS;
    let u = Fe::from_bytes(&[9; 32]);
    let mut seed = [5u8; 32];
    let mut scalars = vec![[0u8; 32], [0xff; 32], [0x55; 32]];
    for _ in 0..20 {
        seed = x25519_dalek::x25519(seed, [9; 32]);
        scalars.push(seed);
    }
    let counts: Vec<u64> = scalars
        .iter()
        .map(|k| {
            let before = OPERATIONS.get();
            ladder(k, &u);
            OPERATIONS.get() - before
        })
        .collect();
    assert!(counts[0] >= 255 * 5, "{counts:?}");
    assert!(counts.iter().all(|&c| c == counts[0]), "{counts:?}");
}

/// The largest limbs the ladder feeds `mul` and `square` (a `sub` of
/// zero from the largest carried element, and the sum of two of them)
/// do not overflow, and `square` agrees with `mul`.
#[test]
fn limb_bounds() {
    let max = Fe(core::array::from_fn(|i| {
        (1u64 << if i % 2 == 0 { 26 } else { 25 }) - 1 + if i == 1 { 1 << 18 } else { 0 }
    }));
    let big = max.sub(&Fe::ZERO);
    let sum = max.add(&max);
    for x in [big, sum, max] {
        for y in [big, sum, max] {
            let _ = x.mul(&y);
        }
        assert_eq!(x.square().to_bytes(), x.mul(&x).to_bytes());
        let _ = x.mul_small(121_665).add(&max);
    }
    // Encoding is canonical: p encodes as 0, p + 1 as 1.
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    assert_eq!(Fe::from_bytes(&p).mul(&Fe::ONE).to_bytes(), [0; 32]);
    p[0] = 0xee;
    assert_eq!(
        Fe::from_bytes(&p).mul(&Fe::ONE).to_bytes(),
        Fe::ONE.to_bytes()
    );
}
