//! RSA key pair generation (CKM_RSA_PKCS_KEY_PAIR_GEN, PKCS#11 3.1
//! mechanisms 2.1.5) with probable primes made to fit the public
//! exponent: a candidate p with gcd(e, p - 1) != 1 is skipped in the
//! sieve, before any primality test, so a small e (3, 17, ...) costs no
//! more than 65537 (regenerating whole primes that do not fit, as the
//! `rsa` crate does, made e = 3 several times slower and erratic).
//!
//! The shape of FIPS 186-5 appendix A.1.3 (probable primes):
//! - each prime has its half of the modulus bits with the top two set, so
//!   p >= 1.5 2^(bits-1) > sqrt(2) 2^(bits-1) and n = p q has exactly the
//!   requested length;
//! - candidates are a random odd start plus 2j, j < WINDOW, sieved by
//!   every odd prime below 2^16 and by the exponent; the survivors take a
//!   base-2 Miller-Rabin round (a cheap filter: squarings and masked
//!   doublings), then the Miller-Rabin rounds with random bases of FIPS
//!   186-5 table B.1 (error below 2^-112): 5 for 1024-bit primes, 4
//!   for 1536 bits and more, 8 below 1024 bits (FIPS 186-4 table C.2
//!   asked 7 for 512-bit primes);
//! - |p - q| > 2^(bits/2 - 100) and d > 2^(bits/2), else new primes.
//!
//! The exponentiations are `bignum`'s constant-time ones. n, d (modulo
//! lcm(p - 1, q - 1), NIST SP 800-56B 6.2.1) and the CRT values are
//! computed and checked by `components`, constant time too.
use std::sync::OnceLock;

use zeroize::Zeroizing;

use super::bignum::{self, Modulus};
use super::components::{self, PrivateParts};
use super::public::bit_len;
use crate::constants::*;
use crate::mech::random_bytes;
use crate::rv::CkResult;

/// Sieving primes: every odd prime below this.
const SIEVE_LIMIT: usize = 1 << 16;
/// Candidates per random start (start + 2j): with about 35 survivors of
/// the sieve per prime at 1024 bits, a window is rarely used up.
const WINDOW: usize = 4096;
/// Random starts tried before giving up (never reached in practice).
const MAX_STARTS: usize = 1000;

/// The odd primes below SIEVE_LIMIT (Eratosthenes, once).
fn small_primes() -> &'static [u32] {
    static PRIMES: OnceLock<Vec<u32>> = OnceLock::new();
    PRIMES.get_or_init(|| {
        let mut composite = vec![false; SIEVE_LIMIT];
        let mut out = Vec::new();
        for i in 3..SIEVE_LIMIT {
            if composite[i] {
                continue;
            }
            if i % 2 == 1 {
                out.push(i as u32);
            }
            for j in (i * i..SIEVE_LIMIT).step_by(i) {
                composite[j] = true;
            }
        }
        out
    })
}

/// Miller-Rabin rounds with random bases for a prime of `bits` bits.
fn rounds(bits: usize) -> usize {
    match bits {
        0..1024 => 8,
        1024..1536 => 5,
        _ => 4,
    }
}

/// x mod m for a big-endian x and m < 2^33.
fn rem(x: &[u8], m: u64) -> u64 {
    x.iter().fold(0u64, |r, &b| ((r << 8) | u64::from(b)) % m)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Bit `i` (from the least significant) of a big-endian number set.
fn set_bit(x: &mut [u8], i: usize) {
    let at = x.len() - 1 - i / 8;
    x[at] |= 1 << (i % 8);
}

/// x + v in place (big-endian); the carry out of the top is returned.
fn add_small(x: &mut [u8], v: u64) -> bool {
    let mut carry = v;
    for b in x.iter_mut().rev() {
        if carry == 0 {
            break;
        }
        let t = u64::from(*b) + (carry & 0xff);
        *b = t as u8;
        carry = (carry >> 8) + (t >> 8);
    }
    carry != 0
}

/// Whether bits `bits - 1` and `bits - 2` are set and nothing above
/// (the candidate kept its length after `add_small`).
fn has_top_bits(x: &[u8], bits: usize) -> bool {
    let bit = |i: usize| x.len() * 8 > i && (x[x.len() - 1 - i / 8] >> (i % 8)) & 1 == 1;
    let len_ok = (bits..x.len() * 8).all(|i| !bit(i));
    len_ok && bit(bits - 1) && bit(bits - 2)
}

/// A random prime of exactly `bits` bits (the top two set) with
/// gcd(e, p - 1) = 1, big-endian.
pub fn random_prime(bits: usize, e: u64) -> CkResult<Zeroizing<Vec<u8>>> {
    let primes = small_primes();
    let len = bits.div_ceil(8);
    let mut composite = vec![false; WINDOW];
    for _ in 0..MAX_STARTS {
        let mut start = random_bytes(len)?;
        // Clear what is above `bits`, set the top two bits and the lowest.
        let excess = len * 8 - bits;
        start[0] &= 0xff >> excess;
        set_bit(&mut start, bits - 1);
        set_bit(&mut start, bits - 2);
        set_bit(&mut start, 0);
        // start + 2j = 0 mod p for j = -start / 2 mod p.
        composite.fill(false);
        for &p in primes {
            let p = u64::from(p);
            let mut j = ((p - rem(&start, p)) % p) * p.div_ceil(2) % p;
            while (j as usize) < WINDOW {
                composite[j as usize] = true;
                j += p;
            }
        }
        let start_mod_e = rem(&start, e);
        for (j, _) in composite.iter().enumerate().filter(|(_, c)| !**c) {
            let offset = 2 * j as u64;
            // (c - 1) mod e, for gcd(e, c - 1) = 1.
            if gcd(e, (start_mod_e + offset + e - 1) % e) != 1 {
                continue;
            }
            let mut c = Zeroizing::new(start.to_vec());
            if add_small(&mut c, offset) || !has_top_bits(&c, bits) {
                break;
            }
            if is_probable_prime(&c, bits)? {
                return Ok(c);
            }
        }
    }
    Err(CKR_FUNCTION_FAILED)
}

/// Miller-Rabin (FIPS 186-5 B.3.1) on an odd c > 3 of `bits` bits: the
/// base 2 first, then `rounds(bits)` random bases in [2, c - 2].
fn is_probable_prime(c: &[u8], bits: usize) -> CkResult<bool> {
    let len = bignum::limbs_for_bits(bits).max(2);
    let m = Modulus::new(c, len).ok_or(CKR_GENERAL_ERROR)?;
    // c - 1 = d 2^s with d odd.
    let mut c_minus_1 = Zeroizing::new(c.to_vec());
    if let Some(last) = c_minus_1.last_mut() {
        *last &= 0xfe;
    }
    let s = trailing_zeros(&c_minus_1);
    let d = shr(&c_minus_1, s);
    let d_limbs = bignum::from_be(&d, len).ok_or(CKR_GENERAL_ERROR)?;
    let d_bits = bits - s;
    let one = m.one().to_vec();
    let zero = vec![0u32; len];
    let minus_one = m.canonical(&m.sub_mod(&zero, &one));
    // One round: y = b^d, then up to s - 1 squarings looking for -1.
    let round = |mut y: bignum::Limbs| {
        if *y == *one || *y == *minus_one {
            return true;
        }
        for _ in 1..s {
            y = m.canonical(&m.sqr(&y));
            if *y == *minus_one {
                return true;
            }
            if *y == *one {
                return false;
            }
        }
        false
    };
    if !round(m.pow2(&d_limbs, d_bits)) {
        return Ok(false);
    }
    let mut c_minus_3 = bignum::from_be(c, len).ok_or(CKR_GENERAL_ERROR)?;
    add_signed(&mut c_minus_3, -3);
    let mut done = 0;
    let mut draws = 0;
    while done < rounds(bits) {
        draws += 1;
        if draws > 64 * rounds(bits) {
            return Err(CKR_FUNCTION_FAILED);
        }
        // b uniform in [2, c - 2]: bits-bit draws, b - 2 < c - 3.
        let mut b = random_bytes(c.len())?;
        b[0] &= 0xff >> (c.len() * 8 - bits);
        let mut b_limbs = bignum::from_be(&b, len).ok_or(CKR_GENERAL_ERROR)?;
        if !bignum::ct_lt(&b_limbs, &c_minus_3) {
            continue;
        }
        add_signed(&mut b_limbs, 2);
        let y = m.canonical(&m.pow(&m.to_mont(&b_limbs), &d_limbs, d_bits));
        if !round(y) {
            return Ok(false);
        }
        done += 1;
    }
    Ok(true)
}

/// x + v for limbs (small v; the caller knows the result fits and is
/// not negative).
fn add_signed(x: &mut [u32], v: i64) {
    let mut carry = v;
    for l in x.iter_mut() {
        let t = i64::from(*l) + carry;
        *l = (t & i64::from(bignum::MASK)) as u32;
        carry = t >> bignum::BITS;
    }
}

fn trailing_zeros(x: &[u8]) -> usize {
    let mut n = 0;
    for &b in x.iter().rev() {
        if b == 0 {
            n += 8;
        } else {
            return n + b.trailing_zeros() as usize;
        }
    }
    n
}

/// x >> k, big-endian, same length.
fn shr(x: &[u8], k: usize) -> Zeroizing<Vec<u8>> {
    let (bytes, bits) = (k / 8, k % 8);
    let mut out = Zeroizing::new(vec![0u8; x.len()]);
    for i in bytes..x.len() {
        let src = i - bytes;
        let hi = if src == 0 { 0 } else { x[src - 1] };
        out[i] = if bits == 0 {
            x[src]
        } else {
            (x[src] >> bits) | (hi << (8 - bits))
        };
    }
    out
}

/// |a - b| has more than `bits` bits (a and b big-endian, same length).
fn far_apart(a: &[u8], b: &[u8], bits: usize) -> bool {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    let mut diff = hi.to_vec();
    let mut borrow = 0i16;
    for i in (0..diff.len()).rev() {
        let v = i16::from(diff[i]) - i16::from(lo[i]) - borrow;
        borrow = i16::from(v < 0);
        diff[i] = v.rem_euclid(256) as u8;
    }
    let first = diff.iter().position(|&x| x != 0).unwrap_or(diff.len());
    let width = diff
        .get(first)
        .map_or(0, |t| (diff.len() - first) * 8 - t.leading_zeros() as usize);
    width > bits
}

/// A two-prime key of `bits` bits with public exponent `e` (odd, >= 3).
pub fn generate(bits: usize, e: u64) -> CkResult<PrivateParts> {
    let (p_bits, q_bits) = (bits - bits / 2, bits / 2);
    for _ in 0..16 {
        let p = random_prime(p_bits, e)?;
        let q = random_prime(q_bits, e)?;
        let mut q_wide = Zeroizing::new(vec![0u8; p.len() - q.len()]);
        q_wide.extend_from_slice(&q);
        if !far_apart(&p, &q_wide, bits / 2 - 100) {
            continue;
        }
        let key = components::from_primes(e, &p, &q, None).ok_or(CKR_GENERAL_ERROR)?;
        if bit_len(&key.d) <= bits / 2 || bit_len(&key.n) != bits {
            continue;
        }
        return Ok(key);
    }
    Err(CKR_FUNCTION_FAILED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_prime_u64(n: u64) -> bool {
        n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)
    }

    #[test]
    fn small_primes_are_the_odd_primes_below_the_limit() {
        let p = small_primes();
        assert_eq!(p.len(), 6541);
        assert_eq!(&p[..5], &[3, 5, 7, 11, 13]);
        assert_eq!(*p.last().unwrap(), 65521);
        assert!(p.iter().all(|&x| is_prime_u64(u64::from(x))));
    }

    #[test]
    fn miller_rabin_on_known_values() {
        // The Mersenne prime 2^127 - 1, the product of two Mersenne
        // primes (2^61 - 1)(2^31 - 1), primes and composites below 2^64,
        // Carmichael numbers (they fool Fermat, not Miller-Rabin) and a
        // strong pseudoprime to bases 2, 3, 5 and 7.
        let m127 = (u128::MAX >> 1).to_be_bytes();
        assert!(is_probable_prime(&m127, 127).unwrap());
        let product = ((1u128 << 61) - 1) * ((1u128 << 31) - 1);
        let bytes = product.to_be_bytes();
        assert!(!is_probable_prime(&bytes[4..], 92).unwrap());
        for (n, prime) in [
            (0xffff_ffff_ffff_ffc5u64, true), // largest prime below 2^64
            (0xffff_ffff_ffff_ffc3, false),
            (561, false),
            (41041, false),
            (825265, false),
            (3215031751, false), // strong pseudoprime to bases 2, 3, 5, 7
            (65521, true),
            (2147483647, true),
        ] {
            let bytes = n.to_be_bytes();
            let first = bytes.iter().position(|&b| b != 0).unwrap();
            let bits = 64 - n.leading_zeros() as usize;
            assert_eq!(
                is_probable_prime(&bytes[first..], bits).unwrap(),
                prime,
                "{n}"
            );
        }
    }

    #[test]
    fn primes_fit_the_exponent_and_their_length() {
        for (bits, e) in [(256, 3u64), (257, 65537), (300, 17), (256, 3 * 5 * 7)] {
            let p = random_prime(bits, e).unwrap();
            assert!(has_top_bits(&p, bits), "{bits}");
            assert_eq!(p.len(), bits.div_ceil(8));
            assert_eq!(p.last().unwrap() & 1, 1);
            let p_minus_1_mod_e = (rem(&p, e) + e - 1) % e;
            assert_eq!(gcd(e, p_minus_1_mod_e), 1, "{bits} {e}");
            assert!(small_primes().iter().all(|&q| rem(&p, u64::from(q)) != 0));
        }
    }

    #[test]
    fn byte_helpers() {
        let mut x = vec![0x00, 0xff, 0xff];
        assert!(!add_small(&mut x, 3));
        assert_eq!(x, [1, 0, 2]);
        assert!(add_small(&mut vec![0xff, 0xff], 1));
        assert_eq!(*shr(&[0x12, 0x34, 0x56], 4), [0x01, 0x23, 0x45]);
        assert_eq!(*shr(&[0x12, 0x34, 0x56], 8), [0x00, 0x12, 0x34]);
        assert_eq!(trailing_zeros(&[0x10, 0x00]), 12);
        assert!(far_apart(&[0x80, 0], &[0x00, 1], 14));
        assert!(!far_apart(&[0x80, 0], &[0x7f, 0xff], 1));
        assert!(has_top_bits(&[0x00, 0xc0, 0x01], 16));
        assert!(!has_top_bits(&[0x01, 0xc0, 0x01], 16));
        assert!(!has_top_bits(&[0x00, 0x80, 0x01], 16));
    }
}

/// Key generation times against the `rsa` crate's (`cargo test --release
/// -- --ignored keygen_timings --nocapture`); figures only.
#[cfg(test)]
#[test]
#[ignore]
fn keygen_timings() {
    use std::time::Instant;
    for e in [3u64, 65537] {
        let t = Instant::now();
        for _ in 0..10 {
            generate(2048, e).unwrap();
        }
        let ours = t.elapsed().as_millis() / 10;
        let t = Instant::now();
        for _ in 0..10 {
            rsa::PrivateKey::new_with_exp(&mut getrandom::SysRng, 2048, rsa::BoxedUint::from(e))
                .unwrap();
        }
        let theirs = t.elapsed().as_millis() / 10;
        println!("RSA-2048 e = {e}: ours {ours} ms, rsa crate {theirs} ms");
    }
}
