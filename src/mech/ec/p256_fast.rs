//! ECDSA signing and public-key derivation on P-256 over the fixed-base
//! multiplication of `p256_base`; the rest of the curve (parsing,
//! verification, ECDH) stays with the p256 crate (`curves`).
use p256::elliptic_curve::ff::{Field, PrimeField};
use p256::elliptic_curve::ops::Reduce;
use p256::{FieldBytes, NonZeroScalar, Scalar};
use zeroize::Zeroizing;

use super::p256_base::Base;

/// The secret scalar of 32 big-endian bytes, if in [1, n-1].
fn secret(d: &[u8]) -> Option<NonZeroScalar> {
    let bytes = Zeroizing::new(<[u8; 32]>::try_from(d).ok()?);
    NonZeroScalar::from_repr(FieldBytes::from(*bytes)).into_option()
}

/// d·G, uncompressed SEC1.
pub(super) fn public_point(d: &[u8]) -> Option<Vec<u8>> {
    let d = secret(d)?;
    let bytes = Zeroizing::new(<[u8; 32]>::from(d.to_repr()));
    let (x, y) = Base::get().mul_base(&bytes)?;
    let mut out = Vec::with_capacity(65);
    out.push(4);
    out.extend_from_slice(&x);
    out.extend_from_slice(&y);
    Some(out)
}

/// ECDSA (FIPS 186-5 6.4.1) of `z` (bits2int-reduced, at most 32 bytes)
/// with the RFC 6979 nonce generator hedged by `entropy` (RFC 6979
/// 3.6, additional data k'): raw r||s. Same nonces and results as the
/// generic `curve_ops!` path; only k·G is computed here.
pub(super) fn sign(d: &[u8], z: &[u8], nonce_h: &[u8], entropy: &[u8]) -> Option<Vec<u8>> {
    use p256::elliptic_curve::Curve;
    let x = Zeroizing::new(secret(d)?);
    let key = Zeroizing::new(x.to_repr());
    let mut zb = FieldBytes::default();
    zb.get_mut(32usize.checked_sub(z.len())?..)?
        .copy_from_slice(z);
    let z = <Scalar as Reduce<FieldBytes>>::reduce(&zb);
    let order = <p256::NistP256 as Curve>::ORDER;
    let mut kgen = rfc6979::KGenerator::<
        <p256::NistP256 as ecdsa::DigestAlgorithm>::Digest,
        <p256::NistP256 as Curve>::Uint,
    >::new(&key, nonce_h, entropy, &order);
    let base = Base::get();
    // Each round fails with probability about 2^-256.
    for _ in 0..64 {
        let mut kb = Zeroizing::new(FieldBytes::default());
        kgen.fill_next_k(&mut kb);
        let Some(k) = NonZeroScalar::from_repr(*kb).into_option() else {
            continue;
        };
        let k = Zeroizing::new(k);
        let kbytes = Zeroizing::new(<[u8; 32]>::from(*kb));
        let Some((rx, _)) = base.mul_base(&kbytes) else {
            continue;
        };
        let r = <Scalar as Reduce<FieldBytes>>::reduce(&FieldBytes::from(rx));
        let kinv = Zeroizing::new(Scalar::invert(k.as_ref()).into_option()?);
        let s = *kinv * (z + r * *x.as_ref());
        if bool::from(r.is_zero()) || bool::from(s.is_zero()) {
            continue;
        }
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&r.to_repr());
        out.extend_from_slice(&s.to_repr());
        return Some(out);
    }
    None
}
