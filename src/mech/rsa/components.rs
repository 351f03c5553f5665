//! The integers of a two-prime RSA private key (RFC 8017 section 3.2)
//! made and checked with our own arithmetic (`arith`, `bignum`): d and
//! the CRT values from p, q and e (key generation, and import of keys
//! given without CRT values), and p and q from n, e and d (import of keys
//! given without primes).
//!
//! Constant time, as the `rsa` crate's was: deriving d modulo lambda =
//! lcm(p - 1, q - 1) (NIST SP 800-56B 6.2.1), d mod (p - 1), d mod
//! (q - 1) and q^-1 mod p (Fermat: q^(p-2) mod p, then checked) and the
//! consistency checks. Not constant time: recovering the primes from n,
//! e and d (SP 800-56B appendix C.2) tries random bases until one splits
//! n, and how many squarings that takes depends on the key; it runs only
//! when a key is imported without its primes, once.
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::arith::{self, div_rem, gcd, is_one, is_zero, small};
use super::bignum::{self, BITS, Limbs, MASK, Modulus};
use super::public::{bit_len, strip};

pub type Bytes = Zeroizing<Vec<u8>>;

/// A private key's integers, big-endian without leading zeros.
pub struct PrivateParts {
    pub n: Vec<u8>,
    pub e: Vec<u8>,
    pub d: Bytes,
    pub p: Bytes,
    pub q: Bytes,
    pub dp: Bytes,
    pub dq: Bytes,
    pub qinv: Bytes,
}

/// Random bases tried when recovering the primes (each splits n with
/// probability at least 1/2 for a consistent key).
const RECOVERY_TRIES: usize = 100;

/// Big-endian octets without leading zeros of a limb value.
fn octets(x: &[u32]) -> Bytes {
    let full = bignum::to_be(x, (x.len() * BITS).div_ceil(8)).unwrap_or_default();
    Zeroizing::new(strip(&full).to_vec())
}

/// x with its lowest bit cleared: x - 1 for an odd x.
fn minus_one(x: &[u32]) -> Limbs {
    let mut out = Zeroizing::new(x.to_vec());
    if let Some(l) = out.first_mut() {
        *l &= !1;
    }
    out
}

/// The key of primes p and q (odd, above 1) and public exponent e, with
/// the private exponent `d` when given (import; it is kept as given and
/// must satisfy e d = 1 modulo p - 1 and q - 1), else d = e^-1 mod
/// lcm(p - 1, q - 1). `None` when the values make no key (a composite p
/// may fail the check of q^-1 mod p: refused).
pub fn from_primes(e: u64, p: &[u8], q: &[u8], d: Option<&[u8]>) -> Option<PrivateParts> {
    let (p, q) = (strip(p), strip(q));
    let len = bignum::limbs_for_bits(bit_len(p).max(bit_len(q))).max(2);
    let pm = Modulus::new(p, len)?;
    let ql = bignum::from_be(q, len)?;
    // q odd and above 1 (p's checks are `Modulus::new`'s).
    if ql[0] & 1 == 0 || bit_len(q) < 2 {
        return None;
    }
    let pl = Zeroizing::new(pm.limbs().to_vec());
    let (p1, q1) = (minus_one(&pl), minus_one(&ql));
    let d = match d {
        Some(d) => bignum::from_be(strip(d), 2 * len)?,
        None => {
            let g = gcd(&p1, &q1);
            let (q1_over_g, _) = div_rem(&q1, &g)?;
            let lambda = bignum::mul_plain(&p1, &q1_over_g);
            arith::inverse_of_small(e, &lambda)?
        }
    };
    let (_, dp) = div_rem(&d, &p1)?;
    let (_, dq) = div_rem(&d, &q1)?;
    if !(inverts_mod(&dp, &small(e), &p1) & inverts_mod(&dq, &small(e), &q1)) {
        return None;
    }
    // q^-1 = q^(p-2) mod p, then checked: q (p-2 is secret: `pow`).
    let mut p_minus_2 = Zeroizing::new(pl.to_vec());
    let mut two = bignum::zeros(len);
    two[0] = 2;
    bignum::sub(&mut p_minus_2, &pl, &two);
    let qm = pm.to_mont(&pm.reduce(&ql));
    let qinv = pm.retrieve(&pm.pow(&qm, &p_minus_2, pm.bits()));
    if !inverts_mod(&qinv, &ql, &pl) {
        return None;
    }
    let n = bignum::mul_plain(&pl, &ql);
    Some(PrivateParts {
        n: octets(&n).to_vec(),
        e: strip(&e.to_be_bytes()).to_vec(),
        d: octets(&d),
        p: Zeroizing::new(p.to_vec()),
        q: Zeroizing::new(q.to_vec()),
        dp: octets(&dp),
        dq: octets(&dq),
        qinv: octets(&qinv),
    })
}

/// Whether a b = 1 mod m.
fn inverts_mod(a: &[u32], b: &[u32], m: &[u32]) -> bool {
    let t = bignum::mul_plain(a, b);
    div_rem(&t, m).is_some_and(|(_, r)| bool::from(is_one(&r)))
}

/// The primes (larger first) of the modulus n given e and d: NIST SP
/// 800-56B appendix C.2. With k = e d - 1 = 2^t r (r odd), a random g
/// gives g^(r 2^i) = 1 at some i for a consistent key, and a square root
/// of 1 other than +-1 shares a prime with n. `None` when no base splits
/// n (e d - 1 is no multiple of lambda(n)).
pub fn recover_primes(n: &[u8], e: u64, d: &[u8]) -> Option<(Bytes, Bytes)> {
    let n = strip(n);
    let bits = bit_len(n);
    let len = bignum::limbs_for_bits(bits).max(2);
    let m = Modulus::new(n, len)?;
    let nl = bignum::from_be(n, len)?;
    // k = e d - 1, then k = 2^t r.
    let mut k = bignum::mul_plain(&bignum::from_be(strip(d), len)?, &small(e));
    let mut one = bignum::zeros(k.len());
    one[0] = 1;
    let mut k_minus_1 = bignum::zeros(k.len());
    if bool::from(is_zero(&k)) || bignum::sub(&mut k_minus_1, &k, &one) != 0 {
        return None;
    }
    k = k_minus_1;
    let t = (0..k.len() * BITS).find(|&i| (k[i / BITS] >> (i % BITS)) & 1 == 1)?;
    if t == 0 {
        return None;
    }
    let r = shr(&k, t);
    let r_bits = k.len() * BITS - t;
    let one = m.one().to_vec();
    let zero = bignum::zeros(len);
    let minus_one = m.canonical(&m.sub_mod(&zero, &one));
    for _ in 0..RECOVERY_TRIES {
        // g in [2, 2^(bits-1)): below n.
        let mut g = crate::mech::random_bytes(n.len()).ok()?;
        g[0] &= 0xffu8
            .checked_shr((n.len() * 8 - (bits - 1)) as u32)
            .unwrap_or(0);
        let gl = bignum::from_be(&g, len)?;
        if bool::from(is_zero(&gl) | is_one(&gl)) {
            continue;
        }
        let mut y = m.canonical(&m.pow(&m.to_mont(&gl), &r, r_bits));
        if *y == *one || *y == *minus_one {
            continue;
        }
        for _ in 0..t {
            let x = m.canonical(&m.sqr(&y));
            if *x == *minus_one {
                break;
            }
            if *x == *one {
                // y is a square root of 1 other than +-1: gcd(y - 1, n).
                let plain = m.retrieve(&y);
                let mut y_minus_1 = bignum::zeros(len);
                bignum::sub(&mut y_minus_1, &plain, &arith::resized(&[1], len));
                let p = gcd(&y_minus_1, &nl);
                let (q, rest) = div_rem(&nl, &p)?;
                if !bool::from(is_zero(&rest)) || bool::from(is_one(&p) | is_one(&q)) {
                    return None;
                }
                let (p, q) = (octets(&p), octets(&q));
                let p_larger = p.len() > q.len() || (p.len() == q.len() && *p > *q);
                return Some(if p_larger { (p, q) } else { (q, p) });
            }
            y = x;
        }
    }
    None
}

/// x >> s (public shift).
fn shr(x: &[u32], s: usize) -> Limbs {
    let mut out = bignum::zeros(x.len());
    for (i, o) in out.iter_mut().enumerate() {
        let at = i * BITS + s;
        let (l, off) = (at / BITS, at % BITS);
        let lo = x.get(l).copied().unwrap_or(0) >> off;
        let hi = x.get(l + 1).copied().unwrap_or(0) << (BITS - off);
        *o = (lo | if off == 0 { 0 } else { hi }) & MASK;
    }
    out
}

/// Whether two secret values are equal, in constant time.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
#[path = "components_tests.rs"]
mod tests;
