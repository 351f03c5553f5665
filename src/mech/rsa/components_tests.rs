//! Key assembly against the `rsa` crate: d and the CRT values from the
//! primes, the checks of imported values, and prime recovery.
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BoxedUint, PrivateKey};

use super::*;

fn be(x: &BoxedUint) -> Vec<u8> {
    strip(&x.to_be_bytes()).to_vec()
}

fn crate_key(bits: usize, e: u64) -> PrivateKey {
    PrivateKey::new_with_exp(&mut getrandom::SysRng, bits, BoxedUint::from(e)).unwrap()
}

/// Our parts equal the crate's (d modulo lambda, dp, dq, qinv).
fn assert_same(ours: &PrivateParts, key: &PrivateKey) {
    let [p, q] = key.primes() else { panic!() };
    assert_eq!(ours.n, *key.n_bytes());
    assert_eq!(ours.e, *key.e_bytes());
    assert_eq!(*ours.p, be(p.as_ref()));
    assert_eq!(*ours.q, be(q.as_ref()));
    assert_eq!(*ours.dp, be(key.dp().unwrap()));
    assert_eq!(*ours.dq, be(key.dq().unwrap()));
    assert_eq!(*ours.qinv, be(&key.crt_coefficient().unwrap()));
}

#[test]
fn crt_values_and_d_match_the_rsa_crate() {
    for (bits, e) in [(1024, 65537u64), (2048, 3), (1032, 17), (2048, 65537)] {
        let key = crate_key(bits, e);
        let [p, q] = key.primes() else { panic!() };
        let (p, q) = (be(p.as_ref()), be(q.as_ref()));
        // From p, q and e alone (key generation): d modulo lambda, as
        // the crate's `from_p_q` makes it.
        let made = from_primes(e, &p, &q, None).unwrap();
        let theirs = PrivateKey::from_p_q(
            BoxedUint::from_be_slice(&p, (p.len() * 8) as u32).unwrap(),
            BoxedUint::from_be_slice(&q, (q.len() * 8) as u32).unwrap(),
            BoxedUint::from(e),
        )
        .unwrap();
        assert_eq!(*made.d, be(theirs.d()), "{bits} {e}");
        assert_same(&made, &theirs);
        // With the crate's d given (import): kept as given.
        let given = from_primes(e, &p, &q, Some(&be(key.d()))).unwrap();
        assert_eq!(*given.d, be(key.d()));
        assert_same(&given, &key);
        // The primes swapped: the coefficient is p^-1 mod q.
        let swapped = from_primes(e, &q, &p, Some(&be(key.d()))).unwrap();
        assert_eq!(*swapped.dp, *given.dq);
        assert_eq!(swapped.n, given.n);
    }
}

#[test]
fn inconsistent_values_are_refused() {
    let key = crate_key(1024, 65537);
    let [p, q] = key.primes() else { panic!() };
    let (p, q, d) = (be(p.as_ref()), be(q.as_ref()), be(key.d()));
    assert!(from_primes(65537, &p, &q, Some(&d)).is_some());
    // e d != 1 modulo p - 1 or q - 1: a wrong d, a wrong e.
    let mut bad_d = d.clone();
    *bad_d.last_mut().unwrap() ^= 2;
    assert!(from_primes(65537, &p, &q, Some(&bad_d)).is_none());
    assert!(from_primes(3, &p, &q, Some(&d)).is_none());
    // e not invertible modulo lambda (3 divides p - 1 for one of these).
    let mut found = false;
    for _ in 0..40 {
        let k = crate_key(1024, 65537);
        let [p, q] = k.primes() else { panic!() };
        let (p, q) = (be(p.as_ref()), be(q.as_ref()));
        let r = |x: &[u8]| x.iter().fold(0u32, |a, &b| (a * 256 + u32::from(b)) % 3);
        if r(&p) == 1 || r(&q) == 1 {
            assert!(from_primes(3, &p, &q, None).is_none());
            found = true;
            break;
        }
    }
    assert!(found);
    // Even, equal, tiny and composite "primes".
    let mut even = p.clone();
    *even.last_mut().unwrap() ^= 1;
    assert!(from_primes(65537, &even, &q, None).is_none());
    assert!(from_primes(65537, &p, &p, None).is_none());
    assert!(from_primes(65537, &[1], &q, None).is_none());
    assert!(from_primes(65537, &[], &q, None).is_none());
    let composite = bignum::to_be(&bignum::mul_plain(&[101], &[103]), 2).unwrap();
    assert!(from_primes(65537, &composite, &q, None).is_none());
}

#[test]
fn primes_are_recovered_from_n_e_d() {
    for (bits, e) in [(1024, 65537u64), (2048, 3), (1536, 17)] {
        let key = crate_key(bits, e);
        let [p, q] = key.primes() else { panic!() };
        let (p, q) = (be(p.as_ref()), be(q.as_ref()));
        let (big, small) = if p > q { (p, q) } else { (q, p) };
        let (rp, rq) = recover_primes(&key.n_bytes(), e, &be(key.d())).unwrap();
        assert_eq!((rp.to_vec(), rq.to_vec()), (big, small), "{bits}");
    }
    // A d that fits no key: nothing splits n (or e d - 1 is odd).
    let key = crate_key(1024, 65537);
    let mut bad_d = be(key.d());
    *bad_d.last_mut().unwrap() ^= 2;
    assert!(recover_primes(&key.n_bytes(), 65537, &bad_d).is_none());
    let mut odd_k = be(key.d());
    *odd_k.last_mut().unwrap() ^= 1;
    assert!(recover_primes(&key.n_bytes(), 65537, &odd_k).is_none());
    assert!(recover_primes(&key.n_bytes(), 65537, &[]).is_none());
}

/// The 8192-bit fixture: recovery and assembly on the row-by-row
/// products (n and the primes above `bignum::MAX_LIMBS` limbs).
#[test]
fn wide_key_is_recovered_and_assembled() {
    use rsa::pkcs8::DecodePrivateKey;
    let der = include_bytes!("../../../tests/vectors/rsa-8192.pk8.der");
    let key = PrivateKey::from_pkcs8_der(der).unwrap();
    let e = 65537;
    assert_eq!(key.e_bytes().to_vec(), vec![1, 0, 1]);
    let (p, q) = recover_primes(&key.n_bytes(), e, &be(key.d())).unwrap();
    let made = from_primes(e, &p, &q, Some(&be(key.d()))).unwrap();
    assert_eq!(made.n, *key.n_bytes());
    let [kp, _] = key.primes() else { panic!() };
    if *p == be(kp.as_ref()) {
        assert_same(&made, &key);
    }
}
