//! `CrtKey` against the `rsa` crate's raw private operation (without
//! blinding) on generated keys, the refusals, and the fault check.
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BoxedUint, PrivateKey};

use super::*;

fn be(x: &BoxedUint) -> Vec<u8> {
    x.to_be_bytes().to_vec()
}

/// The CRT key of `key`, optionally with the primes swapped (the crate
/// then computes the matching coefficient).
fn crt_of(key: &PrivateKey, swap: bool) -> (CrtKey, PrivateKey) {
    let key = if swap {
        let [p, q] = key.primes() else { panic!() };
        PrivateKey::from_components(
            key.n().as_ref().clone(),
            key.e().clone(),
            key.d().clone(),
            vec![q.as_ref().clone(), p.as_ref().clone()],
        )
        .unwrap()
    } else {
        key.clone()
    };
    let [p, q] = key.primes() else { panic!() };
    let crt = CrtKey::new(
        &key.n_bytes(),
        &key.e_bytes(),
        &be(p.as_ref()),
        &be(q.as_ref()),
        &be(key.dp().unwrap()),
        &be(key.dq().unwrap()),
        &be(&key.crt_coefficient().unwrap()),
    )
    .unwrap();
    (crt, key)
}

fn reference(key: &PrivateKey, x: &[u8]) -> Vec<u8> {
    let c = BoxedUint::from_be_slice(x, key.n_bits_precision()).unwrap();
    let m = rsa::hazmat::rsa_decrypt::<getrandom::SysRng>(None, key, &c).unwrap();
    let bytes = m.to_be_bytes();
    bytes[bytes.len() - key.size()..].to_vec()
}

fn random(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    getrandom::fill(&mut v).unwrap();
    v
}

fn blind() -> [u8; 16] {
    random(16).try_into().unwrap()
}

#[test]
fn matches_the_rsa_crate_on_generated_keys() {
    for (bits, e) in [
        (1024, 65537u64),
        (2048, 65537),
        (2048, 3),
        (3072, 65537),
        (1032, 17),
    ] {
        let key =
            PrivateKey::new_with_exp(&mut getrandom::SysRng, bits, BoxedUint::from(e)).unwrap();
        for swap in [false, true] {
            let (crt, key) = crt_of(&key, swap);
            let k = key.size();
            assert_eq!(crt.size(), k);
            let mut n_minus_1 = key.n_bytes().to_vec();
            *n_minus_1.last_mut().unwrap() -= 1; // n is odd
            let mut inputs = vec![vec![0u8; k], vec![1u8], n_minus_1, vec![2u8; k / 2]];
            for _ in 0..6 {
                let mut x = random(k);
                x[0] &= 0x3f;
                inputs.push(x);
            }
            for x in inputs {
                let mut padded = vec![0u8; k - x.len()];
                padded.extend_from_slice(&x);
                let want = reference(&key, &padded);
                let got = crt.private_op(&x, &blind()).unwrap();
                assert_eq!(*got, want, "{bits} bits, swap {swap}");
                // Other blinding factors, including none, give the same.
                assert_eq!(*crt.private_op(&padded, &[0; 16]).unwrap(), want);
                assert_eq!(*crt.private_op(&padded, &[0xff; 16]).unwrap(), want);
            }
        }
    }
}

#[test]
fn inputs_not_below_n_are_refused() {
    let key = PrivateKey::new(&mut getrandom::SysRng, 1024).unwrap();
    let (crt, key) = crt_of(&key, false);
    let n = key.n_bytes().to_vec();
    assert!(crt.private_op(&n, &blind()).is_none());
    assert!(crt.private_op(&[0xff; 128], &blind()).is_none());
    assert!(crt.private_op(&[1; 129], &blind()).is_none());
    let mut longer = vec![0u8; 3];
    longer.extend_from_slice(&n);
    assert!(crt.private_op(&longer, &blind()).is_none());
}

#[test]
fn inconsistent_keys_are_refused_or_caught() {
    let key = PrivateKey::new(&mut getrandom::SysRng, 1024).unwrap();
    let [p, q] = key.primes() else { panic!() };
    let (n, e) = (key.n_bytes().to_vec(), key.e_bytes().to_vec());
    let (p, q) = (be(p.as_ref()), be(q.as_ref()));
    let (dp, dq) = (be(key.dp().unwrap()), be(key.dq().unwrap()));
    let qinv = be(&key.crt_coefficient().unwrap());
    let make =
        |n: &[u8], p: &[u8], dp: &[u8], qinv: &[u8]| CrtKey::new(n, &e, p, &q, dp, &dq, qinv);
    assert!(make(&n, &p, &dp, &qinv).is_some());
    // n != p q.
    let mut bad_n = n.clone();
    bad_n[5] ^= 1;
    assert!(make(&bad_n, &p, &dp, &qinv).is_none());
    // dp >= p, qinv >= p.
    assert!(make(&n, &p, &p, &qinv).is_none());
    assert!(make(&n, &p, &dp, &p).is_none());
    // An even "prime", an empty one, exponents too large or too small.
    let mut even = p.clone();
    *even.last_mut().unwrap() ^= 1;
    assert!(make(&n, &even, &dp, &qinv).is_none());
    assert!(make(&n, &[], &dp, &qinv).is_none());
    assert!(CrtKey::new(&n, &[1; 9], &p, &q, &dp, &dq, &qinv).is_none());
    assert!(CrtKey::new(&n, &[1], &p, &q, &dp, &dq, &qinv).is_none());
    // A wrong dp (or qinv) passes the size checks, but the result fails
    // its check and is never returned.
    let mut bad_dp = dp.clone();
    *bad_dp.last_mut().unwrap() ^= 2;
    let crt = make(&n, &p, &bad_dp, &qinv).unwrap();
    assert!(crt.private_op(&[7; 100], &blind()).is_none());
    let mut bad_qinv = qinv.clone();
    *bad_qinv.last_mut().unwrap() ^= 4;
    let crt = make(&n, &p, &dp, &bad_qinv).unwrap();
    assert!(crt.private_op(&[7; 100], &blind()).is_none());
}

/// An 8192-bit key: primes above `bignum::MAX_LIMBS` limbs take the
/// row-by-row products (and `pow_pair` one prime at a time).
#[test]
fn wide_keys_match_the_rsa_crate() {
    use rsa::pkcs8::DecodePrivateKey;
    let der = include_bytes!("../../../tests/vectors/rsa-8192.pk8.der");
    let key = PrivateKey::from_pkcs8_der(der).unwrap();
    let (crt, key) = crt_of(&key, false);
    let k = key.size();
    for i in 0..3u8 {
        let mut x = random(k);
        x[0] &= 0x3f;
        x[1] ^= i;
        let want = reference(&key, &x);
        assert_eq!(*crt.private_op(&x, &blind()).unwrap(), want);
    }
}
