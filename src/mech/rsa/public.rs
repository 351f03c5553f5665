//! RSA public keys as the operations use them, and the public-key
//! operation RSAEP / RSAVP1 (RFC 8017 5.1.1, 5.2.2) on our Montgomery
//! arithmetic (`bignum`).
//!
//! Everything here is public: the exponentiation runs over the bits of e
//! (for 65537: 16 squarings and one multiplication) and need not be
//! constant time. The modulus' Montgomery constants (R^2 mod n, about as
//! costly as the operation itself) are kept in a small cache keyed by n,
//! so that a C_VerifyInit / C_EncryptInit on a key seen before does not
//! recompute them.
use std::sync::{Arc, Mutex};

use super::bignum::{self, Modulus};
use super::key::{KeyError, MAX_BITS, MIN_BITS};
use crate::mech::ec::der;

/// The largest public exponent accepted (2^33 - 1, as the `rsa` crate
/// did; key generation takes the same bound).
pub const MAX_PUB_EXPONENT: u64 = (1 << 33) - 1;

/// Moduli whose constants are kept (most recently used last).
const CACHED: usize = 8;

/// A big-endian integer without its leading zero octets.
pub fn strip(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

/// Bit length of a big-endian integer.
pub fn bit_len(x: &[u8]) -> usize {
    let s = strip(x);
    s.first()
        .map_or(0, |&top| s.len() * 8 - top.leading_zeros() as usize)
}

/// DER INTEGER of a non-negative big-endian value.
fn der_integer(x: &[u8]) -> Vec<u8> {
    let s = strip(x);
    let mut v = Vec::with_capacity(s.len() + 1);
    if s.first().is_none_or(|&b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(s);
    der::encode(0x02, &v)
}

/// SubjectPublicKeyInfo (RFC 3279 2.3.1: rsaEncryption, NULL
/// parameters, RSAPublicKey) of any (n, e), for CKA_PUBLIC_KEY_INFO.
pub fn spki(n: &[u8], e: &[u8]) -> Vec<u8> {
    // AlgorithmIdentifier { 1.2.840.113549.1.1.1, NULL }.
    const ALGORITHM: &[u8] = &[
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let key = der::encode(0x30, &[der_integer(n), der_integer(e)].concat());
    let bits = der::encode(0x03, &[&[0u8][..], &key].concat());
    der::encode(0x30, &[ALGORITHM, &bits].concat())
}

/// A usable RSA public key: n within MIN_BITS..=MAX_BITS, odd, and e odd
/// with 3 <= e <= MAX_PUB_EXPONENT (below n).
#[derive(Clone)]
pub struct RsaPublic {
    n: Vec<u8>,
    m: Arc<Modulus>,
    e: u64,
}

impl RsaPublic {
    /// The key (n, e); `KeyError::Size` for a modulus outside the sizes
    /// we operate on, `KeyError::Invalid` for values that make no RSA
    /// public key.
    pub fn new(n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let (n, e) = (strip(n), strip(e));
        let bits = bit_len(n);
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return Err(KeyError::Size);
        }
        let e_value = match e.len() {
            0..=8 => e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
            _ => return Err(KeyError::Invalid),
        };
        // n of MIN_BITS or more is above any e below 2^33.
        let n_odd = n.last().is_some_and(|b| b & 1 == 1);
        if !n_odd || e_value < 3 || e_value % 2 == 0 || e_value > MAX_PUB_EXPONENT {
            return Err(KeyError::Invalid);
        }
        let m = cached_modulus(n).ok_or(KeyError::Invalid)?;
        Ok(RsaPublic {
            n: n.to_vec(),
            m,
            e: e_value,
        })
    }

    /// The modulus length in octets (k).
    pub fn size(&self) -> usize {
        self.n.len()
    }

    /// The modulus length in bits.
    pub fn bits(&self) -> usize {
        bit_len(&self.n)
    }

    pub fn n_bytes(&self) -> &[u8] {
        &self.n
    }
}

/// RSAEP / RSAVP1 on a k-octet string: `None` when it is not below n.
pub fn public_op(key: &RsaPublic, input: &[u8]) -> Option<Vec<u8>> {
    let k = key.size();
    let x = strip(input);
    if x.len() > k || (x.len() == k && x >= key.n.as_slice()) {
        return None;
    }
    let xl = bignum::from_be(x, key.m.len())?;
    let y = bignum::to_be(&key.m.pow_public_plain(&xl, key.e), k)?;
    Some(y.to_vec())
}

/// The Montgomery modulus of n (odd, public), from the cache or made and
/// cached; `None` when n needs more limbs than `bignum` takes.
fn cached_modulus(n: &[u8]) -> Option<Arc<Modulus>> {
    static CACHE: Mutex<Vec<(Vec<u8>, Arc<Modulus>)>> = Mutex::new(Vec::new());
    let len = bignum::limbs_for_bits(bit_len(n));
    if len > bignum::MAX_WIDE_LIMBS {
        return None;
    }
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(at) = cache.iter().position(|(key, _)| key == n) {
        let hit = cache.remove(at);
        let m = Arc::clone(&hit.1);
        cache.push(hit);
        return Some(m);
    }
    let m = Arc::new(Modulus::new(n, len)?);
    if cache.len() == CACHED {
        cache.remove(0);
    }
    cache.push((n.to_vec(), Arc::clone(&m)));
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_of_small_and_odd_values() {
        assert_eq!(der_integer(&[]), [2, 1, 0]);
        assert_eq!(der_integer(&[0, 0]), [2, 1, 0]);
        assert_eq!(der_integer(&[0x7f]), [2, 1, 0x7f]);
        assert_eq!(der_integer(&[0, 0x80]), [2, 2, 0, 0x80]);
        assert_eq!(bit_len(&[0, 0, 5]), 3);
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(spki(&[3], &[3]).len(), 2 + 15 + 2 + 1 + 2 + 3 + 3);
    }

    /// Our public operation (the row-by-row products for a 4096-bit
    /// modulus, which needs more than `bignum::MAX_LIMBS` limbs) against
    /// the `rsa` crate's.
    #[test]
    fn public_op_matches_the_rsa_crate() {
        use rsa::traits::PublicKeyParts;
        use rsa::{BoxedUint, PrivateKey};
        for (bits, e) in [
            (1024, 65537u64),
            (2048, 3),
            (2056, 17),
            (1536, (1 << 32) + 1),
            (4096, 65537),
        ] {
            let key =
                PrivateKey::new_with_exp(&mut getrandom::SysRng, bits, BoxedUint::from(e)).unwrap();
            let theirs = key.as_public_key();
            let ours = RsaPublic::new(&theirs.n_bytes(), &theirs.e_bytes()).unwrap();
            assert_eq!(ours.m.len() > bignum::MAX_LIMBS, bits == 4096);
            let k = ours.size();
            assert_eq!((ours.bits(), ours.n_bytes()), (bits, &theirs.n_bytes()[..]));
            for i in 0..4u8 {
                let mut x = crate::mech::random_bytes(k).unwrap().to_vec();
                x[0] &= 0x3f;
                x[1] ^= i;
                let c = BoxedUint::from_be_slice(&x, theirs.n_bits_precision()).unwrap();
                let want = rsa::hazmat::rsa_encrypt(theirs, &c).unwrap().to_be_bytes();
                assert_eq!(public_op(&ours, &x).unwrap(), want[want.len() - k..]);
            }
            // 0 and 1 are fixed points; n and above are refused.
            let mut one = vec![0; k];
            assert_eq!(public_op(&ours, &one).unwrap(), one);
            one[k - 1] = 1;
            assert_eq!(public_op(&ours, &one).unwrap(), one);
            assert!(public_op(&ours, &theirs.n_bytes()).is_none());
            assert!(public_op(&ours, &vec![0xff; k]).is_none());
        }
    }

    #[test]
    fn unusable_keys_are_told_apart() {
        let n = [&[0xc5u8][..], &[0x5a; 126], &[0x5b]].concat();
        assert!(RsaPublic::new(&n, &[1, 0, 1]).is_ok());
        assert_eq!(
            RsaPublic::new(&n[..64], &[1, 0, 1]).err(),
            Some(KeyError::Size)
        );
        assert_eq!(RsaPublic::new(&[], &[1, 0, 1]).err(), Some(KeyError::Size));
        let mut even = n.clone();
        even[127] = 0x10;
        assert_eq!(RsaPublic::new(&even, &[3]).err(), Some(KeyError::Invalid));
        for e in [&[][..], &[1], &[2], &[1, 0, 0], &[2, 0, 0, 0, 1], &[1; 9]] {
            assert_eq!(
                RsaPublic::new(&n, e).err(),
                Some(KeyError::Invalid),
                "{e:?}"
            );
        }
        assert!(RsaPublic::new(&n, &[1, 0, 0, 0, 1]).is_ok());
    }
}
