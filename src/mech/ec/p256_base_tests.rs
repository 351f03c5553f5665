//! The field arithmetic and k·G against the p256 crate and known answers.
use p256::elliptic_curve::bigint::{NonZero, U256};
use p256::elliptic_curve::ff::PrimeField;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::{FieldBytes, ProjectivePoint, Scalar};
use sha2::{Digest, Sha256};

use super::*;

/// Deterministic test bytes.
fn bytes(seed: &str, i: usize) -> [u8; 32] {
    Sha256::digest(format!("{seed}{i}")).into()
}

/// Reference arithmetic modulo p: crypto-bigint's generic modular ops.
fn fe(b: &[u8; 32]) -> Option<U256> {
    let v = U256::from_be_slice(b);
    (v < U256::from_be_slice(&to_be(&P))).then_some(v)
}

fn modulus() -> NonZero<U256> {
    NonZero::new(U256::from_be_slice(&to_be(&P))).unwrap()
}

fn be(v: &U256) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&v.to_be_bytes());
    out
}

fn p_minus(k: u8) -> [u8; 32] {
    let mut b = to_be(&P);
    b[31] -= k;
    b
}

#[test]
fn constants() {
    let base = Base::get();
    // R^2 mod p and R mod p (known values for P-256).
    let r2 =
        hex::decode("00000004fffffffdfffffffffffffffefffffffbffffffff0000000000000003").unwrap();
    assert_eq!(to_be(&base.r2).as_slice(), r2.as_slice());
    let r =
        hex::decode("00000000fffffffeffffffffffffffffffffffff000000000000000000000001").unwrap();
    assert_eq!(to_be(&base.one).as_slice(), r.as_slice());
}

#[test]
fn field_ops_match_p256() {
    let base = Base::get();
    let mut samples: Vec<[u8; 32]> = (0..200).map(|i| bytes("fe", i)).collect();
    let mut one = [0u8; 32];
    one[31] = 1;
    samples.extend([[0u8; 32], one, p_minus(1), p_minus(2), [0xff; 32]]);
    let samples: Vec<[u8; 32]> = samples.into_iter().filter(|b| fe(b).is_some()).collect();
    assert!(samples.len() > 150);
    for (i, a) in samples.iter().enumerate() {
        let b = &samples[(i * 7 + 3) % samples.len()];
        let (fa, fb) = (fe(a).unwrap(), fe(b).unwrap());
        let (ma, mb) = (base.to_mont(&from_be(a)), base.to_mont(&from_be(b)));
        assert_eq!(to_be(&base.out_of_mont(&ma)), *a);
        let got = |m: &Fe| to_be(&base.out_of_mont(m));
        let p = modulus();
        assert_eq!(got(&mul(&ma, &mb)), be(&fa.mul_mod(&fb, &p)), "mul {i}");
        assert_eq!(got(&mul(&ma, &ma)), be(&fa.mul_mod(&fa, &p)), "mul sqr {i}");
        assert_eq!(got(&sqr(&ma)), be(&fa.mul_mod(&fa, &p)), "sqr {i}");
        assert_eq!(got(&add(&ma, &mb)), be(&fa.add_mod(&fb, &p)), "add {i}");
        assert_eq!(got(&sub(&ma, &mb)), be(&fa.sub_mod(&fb, &p)), "sub {i}");
        assert_eq!(got(&sub(&mb, &ma)), be(&fb.sub_mod(&fa, &p)), "sub' {i}");
        // Plain (non-Montgomery) inputs: add and sub are the same ops.
        assert_eq!(
            to_be(&add(&from_be(a), &from_be(b))),
            be(&fa.add_mod(&fb, &p))
        );
        // The inverse: a a^-1 = 1 (0 maps to 0).
        let inv = invert(&ma);
        let expect = if fa == U256::ZERO {
            [0u8; 32]
        } else {
            to_be(&[1, 0, 0, 0, 0, 0, 0, 0])
        };
        assert_eq!(got(&mul(&inv, &ma)), expect, "inv {i}");
    }
}

fn affine(k: &Scalar) -> ([u8; 32], [u8; 32]) {
    let a = (ProjectivePoint::GENERATOR * k).to_affine();
    (a.x().into(), a.y().into())
}

#[test]
fn mul_base_known_answers() {
    let base = Base::get();
    let mut k = [0u8; 32];
    k[31] = 1;
    let (x, y) = base.mul_base(&k).unwrap();
    assert_eq!(
        hex::encode(x),
        "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    );
    assert_eq!(
        hex::encode(y),
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"
    );
    k[31] = 2;
    let (x, y) = base.mul_base(&k).unwrap();
    assert_eq!(
        hex::encode(x),
        "7cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978"
    );
    assert_eq!(
        hex::encode(y),
        "07775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1"
    );
    // n and 0 give the identity.
    assert!(base.mul_base(&[0u8; 32]).is_none());
    let n: [u8; 32] = (Scalar::ZERO - Scalar::ONE).to_repr().into();
    let mut n_plus = n;
    n_plus[31] += 1;
    assert!(base.mul_base(&n_plus).is_none());
    // n - 1: -G.
    let (x, y) = base.mul_base(&n).unwrap();
    assert_eq!((x, y), affine(&(Scalar::ZERO - Scalar::ONE)));
}

#[test]
fn mul_base_matches_p256() {
    let base = Base::get();
    let mut scalars: Vec<Scalar> = (0..100)
        .map(|i| Scalar::from_repr(FieldBytes::from(bytes("k", i))).unwrap_or(Scalar::ONE))
        .collect();
    // Digits of 0 and 15 in runs.
    for pat in [
        0x0fu8, 0xf0, 0x10, 0x01, 0x80, 0xff, 0x82, 0x08, 0x41, 0x20, 0x21, 0xc3,
    ] {
        let mut b = [pat; 32];
        b[0] &= 0x7f;
        scalars.push(Scalar::from_repr(FieldBytes::from(b)).unwrap());
        b[..16].fill(0);
        scalars.push(Scalar::from_repr(FieldBytes::from(b)).unwrap());
    }
    scalars.push(Scalar::from(16u64));
    scalars.push(Scalar::from(15u64));
    for k in &scalars {
        let kb: [u8; 32] = k.to_repr().into();
        assert_eq!(
            base.mul_base(&kb).unwrap(),
            affine(k),
            "k = {}",
            hex::encode(kb)
        );
    }
}

#[test]
fn sign_and_public_point_match_generic() {
    use super::super::curves::P256_GENERIC;
    for i in 0..40 {
        let d = bytes("d", i);
        if Scalar::from_repr(FieldBytes::from(d))
            .into_option()
            .is_none()
        {
            continue;
        }
        let h = bytes("h", i);
        let e = bytes("e", i);
        let z: &[u8] = if i % 5 == 0 { &h[..20] } else { &h };
        assert_eq!(
            super::super::p256_fast::public_point(&d),
            P256_GENERIC.public_point(&d)
        );
        assert_eq!(
            super::super::p256_fast::sign(&d, z, z, &e),
            P256_GENERIC.sign(&d, z, z, &e),
            "sign {i}"
        );
    }
}
