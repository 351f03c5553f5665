//! The constant-time base-point multiplication against curve25519-dalek's
//! `EdwardsPoint::mul_base`, and its pieces.
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::scalar::Scalar;

use super::*;

/// Random, edge (0, 1, -1, small, every nibble 8 or 15) and unreduced
/// (below 2^255) scalars.
fn scalars() -> Vec<[u8; 32]> {
    let mut s = 0x853c_49e6_748f_ea9bu64;
    let mut out = vec![[0u8; 32], [0x88; 32], [0xff; 32]];
    // Below 2^255; 0x78.. carries its way up to a last digit of 8.
    out[1][31] = 0x78;
    out[2][31] = 0x7f;
    for small in [1u64, 2, 7, 8, 9, 15, 16, 17, 255, 256] {
        let mut b = [0u8; 32];
        b[..8].copy_from_slice(&small.to_le_bytes());
        out.push(b);
    }
    out.push((-Scalar::ONE).to_bytes());
    for _ in 0..300 {
        let mut b = [0u8; 32];
        for c in b.chunks_mut(8) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            c.copy_from_slice(&s.to_le_bytes());
        }
        b[31] &= 0x7f;
        out.push(b);
    }
    out
}

#[test]
fn radix16_adds_back_up() {
    for a in scalars() {
        let e = radix16(&a);
        assert!(e[..63].iter().all(|&d| (-8..8).contains(&d)));
        let mut sum = Scalar::ZERO;
        for &d in e.iter().rev() {
            sum *= Scalar::from(16u64);
            let m = Scalar::from(u64::from(d.unsigned_abs()));
            sum = if d < 0 { sum - m } else { sum + m };
        }
        assert_eq!(sum, Scalar::from_bytes_mod_order(a));
    }
}

#[test]
fn eq_mask_is_all_ones_exactly_when_equal() {
    for x in 0..=255u8 {
        for y in [0u8, 1, 7, 8, 128, 255] {
            assert_eq!(eq_mask(x, y), if x == y { u32::MAX } else { 0 });
        }
    }
}

#[test]
fn agrees_with_dalek_mul_base() {
    for a in scalars() {
        let want = EdwardsPoint::mul_base(&Scalar::from_bytes_mod_order(a))
            .compress()
            .to_bytes();
        assert_eq!(mul_base(&a), want, "{}", hex::encode(a));
    }
}

/// The same work for every scalar: as many paired products, squarings
/// and masked selects for 0, 1, -1 and random scalars (a shortcut taken
/// on a zero digit, say, would show here). The table is built first.
#[test]
fn same_work_for_every_scalar() {
    use crate::mech::field25519::pair_scalar::OPERATIONS;
    rows();
    let counts: Vec<u64> = scalars()
        .iter()
        .map(|a| {
            let before = OPERATIONS.get();
            mul_base(a);
            OPERATIONS.get() - before
        })
        .collect();
    assert!(counts[0] > 64 * 8, "{counts:?}");
    assert!(counts.iter().all(|&c| c == counts[0]), "{counts:?}");
}

/// X25519 public keys against x25519-dalek's (its own base-point table
/// path), on random and edge private keys.
#[test]
fn x25519_base_agrees_with_x25519_dalek() {
    for k in scalars().into_iter().chain([[0xff; 32], [0; 32]]) {
        let want = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from(k)).to_bytes();
        assert_eq!(x25519_base(&k), want, "{}", hex::encode(k));
    }
}
