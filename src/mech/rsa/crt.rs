//! The RSA private-key operation (RSADP / RSASP1, RFC 8017 5.1.2 and
//! 5.2.1) with the Chinese remainder theorem on our own constant-time
//! arithmetic (`bignum`), for two-prime keys whose stored CRT values
//! (PKCS#11 CKA_PRIME_1/2, CKA_EXPONENT_1/2, CKA_COEFFICIENT) are known.
//!
//! Side-channel defences: the arithmetic is constant time (see `bignum`);
//! each operation blinds the exponents with a fresh 64-bit random multiple
//! of p-1 and q-1 (dp + k (p-1); CFRG RSA guidance, draft-irtf-cfrg-rsa-
//! guidance section 6.4); and the result is checked against the input
//! (s^e = x modulo p and modulo q, with n = p q checked when the key is
//! built) so that a fault cannot leak a prime (Boneh, DeMillo, Lipton
//! 1997).
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::bignum::{self, Limbs, Modulus};

/// Extra exponent bits from blinding.
const BLIND_BITS: usize = 64;

#[derive(Clone)]
pub struct CrtKey {
    /// The modulus, big-endian without leading zeros (public).
    n: Vec<u8>,
    e: u64,
    p: Modulus,
    q: Modulus,
    dp: Limbs,
    dq: Limbs,
    /// q^-1 mod p in Montgomery form.
    qinv: Limbs,
}

fn strip(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

impl CrtKey {
    /// `None` when the values do not make a two-prime key this code can
    /// handle (the caller then uses the `rsa` crate): sizes beyond
    /// `bignum::MAX_LIMBS`, n != p q, dp >= p, dq >= q, qinv >= p, even
    /// primes, or an exponent above 64 bits.
    pub fn new(
        n: &[u8],
        e: &[u8],
        p: &[u8],
        q: &[u8],
        dp: &[u8],
        dq: &[u8],
        qinv: &[u8],
    ) -> Option<Self> {
        let n = strip(n);
        let e = strip(e);
        if e.len() > 8 || n.is_empty() {
            return None;
        }
        let e = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if e < 3 {
            return None;
        }
        let bits = |x: &[u8]| {
            let x = strip(x);
            x.first()
                .map_or(0, |t| x.len() * 8 - t.leading_zeros() as usize)
        };
        let len = bignum::limbs_for_bits(bits(p).max(bits(q)));
        let p = Modulus::new(p, len)?;
        let q = Modulus::new(q, len)?;
        let dp = bignum::from_be(dp, len)?;
        let dq = bignum::from_be(dq, len)?;
        let qinv = bignum::from_be(qinv, len)?;
        if !bignum::ct_lt(&dp, p.limbs())
            || !bignum::ct_lt(&dq, q.limbs())
            || !bignum::ct_lt(&qinv, p.limbs())
        {
            return None;
        }
        // n = p q; this also bounds every input below p R and q R.
        let pq = bignum::mul_plain(p.limbs(), q.limbs());
        if bignum::to_be(&pq, n.len()).is_none_or(|b| *b != *n) {
            return None;
        }
        let qinv = p.to_mont(&qinv);
        Some(CrtKey {
            n: n.to_vec(),
            e,
            p,
            q,
            dp,
            dq,
            qinv,
        })
    }

    /// The modulus length in octets.
    pub fn size(&self) -> usize {
        self.n.len()
    }

    /// x^d mod n for a big-endian x of at most `size()` octets, with the
    /// exponent blinding factors taken from `blind`. `None` when x >= n or
    /// when the result fails its check.
    pub fn private_op(&self, x: &[u8], blind: &[u8; 16]) -> Option<Zeroizing<Vec<u8>>> {
        let k = self.n.len();
        // x is public (a ciphertext or an encoded message): a plain
        // comparison is fine.
        let xs = strip(x);
        if xs.len() > k || (xs.len() == k && xs >= self.n.as_slice()) {
            return None;
        }
        let len = self.p.len();
        let x = bignum::from_be(xs, 2 * len)?;
        let (kp, kq) = blind.split_at(8);
        let (ep, eq) = (
            blinded(&self.p, &self.dp, kp)?,
            blinded(&self.q, &self.dq, kq)?,
        );
        let bp = self.p.to_mont(&self.p.reduce(&x));
        let bq = self.q.to_mont(&self.q.reduce(&x));
        // Every exponent of this key has this many bits at most.
        let bits = self.p.bits().max(self.q.bits()) + BLIND_BITS;
        let (yp, yq) = bignum::pow_pair(&self.p, &self.q, [&bp, &bq], [&ep, &eq], bits)?;
        let (sp, sq) = (self.p.retrieve(&yp), self.q.retrieve(&yq));
        // Garner: h = qinv (sp - sq) mod p, s = sq + h q.
        let sq_mod_p = self.p.reduce(&sq);
        let diff = self.p.sub_mod(&sp, &sq_mod_p);
        let h = self.p.canonical(&self.p.mul(&diff, &self.qinv));
        let mut s = bignum::mul_plain(&h, self.q.limbs());
        add_into(&mut s, &sq);
        // The check: s^e = x modulo both primes.
        for m in [&self.p, &self.q] {
            let sm = m.to_mont(&m.reduce(&s));
            let got = m.retrieve(&m.pow_public(&sm, self.e));
            let want = m.canonical(&m.reduce(&x));
            if !bool::from(got.as_slice().ct_eq(want.as_slice())) {
                return None;
            }
        }
        bignum::to_be(&s, k)
    }
}

/// The blinded exponent d + k (m - 1) with k from 8 random octets: below
/// m 2^64.
fn blinded(m: &Modulus, d: &[u32], k: &[u8]) -> Option<Limbs> {
    let k = bignum::from_be(k, 3)?;
    let mut m1 = Zeroizing::new(m.limbs().to_vec());
    m1[0] &= !1; // m is odd: m - 1 clears the low bit
    let mut exp = bignum::mul_plain(&m1, &k);
    add_into(&mut exp, d);
    Some(exp)
}

/// a += b (b no longer than a), carrying through a.
fn add_into(a: &mut [u32], b: &[u32]) {
    let mut carry = 0u32;
    for (i, x) in a.iter_mut().enumerate() {
        let t = *x + b.get(i).copied().unwrap_or(0) + carry;
        *x = t & bignum::MASK;
        carry = t >> bignum::BITS;
    }
}

#[cfg(test)]
#[path = "crt_tests.rs"]
mod tests;
