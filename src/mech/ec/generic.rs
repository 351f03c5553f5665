//! `CurveOps` on the generic short Weierstrass arithmetic (`weierstrass`)
//! for every curve of `params`: key checks and generation, ECDSA (FIPS
//! 186-5 6.4) with RFC 6979 nonces hedged with fresh randomness, and the
//! ECDH primitive (SEC 1 3.3.1).
//!
//! Secret scalars (private keys, nonces) go through the constant-time
//! paths only: `Group::mul`, `Field::invert` (a fixed public exponent),
//! masked arithmetic. Verification handles public values with the same
//! code.
use std::sync::OnceLock;

use rfc6979::bigint::U512;
use zeroize::{Zeroize, Zeroizing};

use super::curves::CurveOps;
use super::field::{Fe, MAX_LIMBS};
use super::jacobian;
use super::weierstrass::{G_NAF, Group, Params};
use crate::constants::*;
use crate::rv::CkResult;

/// The HMAC hash of a curve's RFC 6979 nonce generator: with added
/// entropy any strong hash serves; one at least as wide as the order.
#[derive(Clone, Copy)]
pub(super) enum NonceHash {
    Sha256,
    Sha384,
    Sha512,
}

/// A curve of the table: its parameters, and the group built from them
/// at first use.
pub(super) struct GenericCurve {
    params: Params,
    nonce_hash: NonceHash,
    group: OnceLock<Option<Group>>,
}

impl GenericCurve {
    pub const fn new(params: Params, nonce_hash: NonceHash) -> Self {
        GenericCurve {
            params,
            nonce_hash,
            group: OnceLock::new(),
        }
    }

    /// The group; `None` only for a malformed table row (the tests build
    /// every row).
    pub fn group(&self) -> Option<&Group> {
        self.group.get_or_init(|| Group::new(&self.params)).as_ref()
    }

    /// A secret scalar of exactly the order's byte length in [1, n-1], as
    /// plain limbs.
    fn scalar(g: &Group, d: &[u8]) -> Option<Fe> {
        if d.len() != g.fs.bytes() {
            return None;
        }
        let x = g.fs.from_be(d)?;
        (g.fs.is_zero(&x) == 0).then_some(x)
    }

    /// ECDSA with an RFC 6979 nonce generator on the HMAC of hash `D`
    /// (`sign` picks the curve's; the tests pick the message hash to
    /// check the RFC's answers).
    pub fn sign_with<D>(
        &self,
        d: &[u8],
        z: &[u8],
        nonce_h: &[u8],
        entropy: &[u8],
    ) -> Option<Vec<u8>>
    where
        D: digest::Digest + digest::block_api::BlockSizeUser + Clone,
    {
        let g = self.group()?;
        let fs = &g.fs;
        let len = fs.bytes();
        let mut x = Self::scalar(g, d)?;
        let z = fs.reduce_be(z)?;
        let mut n_bytes = [0u8; 64];
        n_bytes[64 - len..].copy_from_slice(&fs.to_be(fs.modulus())?);
        let n = U512::from_be_slice(&n_bytes);
        let mut kgen = rfc6979::KGenerator::<D, U512>::new(d, nonce_h, entropy, &n);
        let mut out = None;
        // Each round fails with probability about 2^-bits.
        for _ in 0..64 {
            let mut kb = Zeroizing::new(vec![0u8; len]);
            kgen.fill_next_k(&mut kb);
            let Some(mut k) = Self::scalar(g, &kb) else {
                continue;
            };
            let mut kg = g.mul(g.g_table(), &kb);
            let rx = g.to_affine(&kg).map(|(x, _)| x);
            kg.zeroize();
            let Some(rx) = rx else { continue };
            // x < p < 2n (same bit length, checked by `Group::new`).
            let r = fs.reduce_once(&rx);
            let mut km = fs.to_mont(&k);
            let mut kinv = fs.invert(&km);
            let mut xm = fs.to_mont(&x);
            let sum = fs.add(&fs.to_mont(&z), &fs.mul(&fs.to_mont(&r), &xm));
            let s = fs.from_mont(&fs.mul(&kinv, &sum));
            for v in [&mut k, &mut km, &mut kinv, &mut xm] {
                v.zeroize();
            }
            if fs.is_zero(&r) != 0 || fs.is_zero(&s) != 0 {
                continue;
            }
            let mut sig = fs.to_be(&r)?.to_vec();
            sig.extend_from_slice(&fs.to_be(&s)?);
            out = Some(sig);
            break;
        }
        x.zeroize();
        out
    }
}

impl CurveOps for GenericCurve {
    fn point(&self, sec1: &[u8]) -> Option<Vec<u8>> {
        let g = self.group()?;
        let [x, y, _] = g.decode(sec1)?;
        g.sec1(&g.fp.from_mont(&x), &g.fp.from_mont(&y))
    }

    fn scalar_ok(&self, d: &[u8]) -> bool {
        self.group().and_then(|g| Self::scalar(g, d)).is_some()
    }

    fn public_point(&self, d: &[u8]) -> Option<Vec<u8>> {
        let g = self.group()?;
        Self::scalar(g, d)?;
        let mut p = g.mul(g.g_table(), d);
        let out = g.encode(&p);
        p.zeroize();
        out
    }

    /// Rejection sampling: `bits(n)` random bits until the value is in
    /// [1, n-1] (each draw succeeds with probability above 1/2).
    fn generate(&self) -> CkResult<Zeroizing<Vec<u8>>> {
        let g = self.group().ok_or(CKR_GENERAL_ERROR)?;
        let (len, bits) = (g.fs.bytes(), g.fs.bits());
        let top = 0xffu8 >> (len * 8 - bits);
        for _ in 0..128 {
            let mut d = crate::mech::random_bytes(len)?;
            d[0] &= top;
            if Self::scalar(g, &d).is_some() {
                return Ok(d);
            }
        }
        Err(CKR_FUNCTION_FAILED)
    }

    fn sign(&self, d: &[u8], z: &[u8], nonce_h: &[u8], entropy: &[u8]) -> Option<Vec<u8>> {
        match self.nonce_hash {
            NonceHash::Sha256 => self.sign_with::<sha2::Sha256>(d, z, nonce_h, entropy),
            NonceHash::Sha384 => self.sign_with::<sha2::Sha384>(d, z, nonce_h, entropy),
            NonceHash::Sha512 => self.sign_with::<sha2::Sha512>(d, z, nonce_h, entropy),
        }
    }

    /// FIPS 186-5 6.4.2: r and s in [1, n-1]; R = (z w) G + (r w) Q with
    /// w = s^-1; valid when R is not the identity and x(R) mod n = r.
    /// Public values only: variable-time `jacobian` arithmetic, and x(R)
    /// compared without an inversion (X = r Z^2 or (r + n) Z^2).
    fn verify(&self, q: &[u8], z: &[u8], sig: &[u8]) -> bool {
        let Some(g) = self.group() else { return false };
        let fs = &g.fs;
        let len = fs.bytes();
        let (Some(r), Some(s), Some(q)) = (
            sig.get(..len).and_then(|r| Self::scalar(g, r)),
            sig.get(len..).and_then(|s| Self::scalar(g, s)),
            g.decode(q),
        ) else {
            return false;
        };
        let Some(z) = fs.reduce_be(z) else {
            return false;
        };
        let w = fs.invert(&fs.to_mont(&s));
        let u1 = fs.from_mont(&fs.mul(&fs.to_mont(&z), &w));
        let u2 = fs.from_mont(&fs.mul(&fs.to_mont(&r), &w));
        let (Some(u1), Some(u2)) = (fs.to_be(&u1), fs.to_be(&u2)) else {
            return false;
        };
        let v = g.vartime();
        let q_odd = jacobian::odd_multiples(&v, &Some(q), 5);
        let Some([x, _, z]) = jacobian::mul2(&v, g.g_odd(), G_NAF, &u1, &q_odd, 5, &u2) else {
            return false;
        };
        let fp = &g.fp;
        let z2 = fp.sqr(&z);
        if fp.mul(&fp.to_mont(&r), &z2) == x {
            return true;
        }
        // r + n, when below p (both share the limb layout: `Group::new`).
        let mut rn = [0u32; MAX_LIMBS];
        let mut carry = 0;
        for (i, l) in rn.iter_mut().enumerate().take(fp.len()) {
            let t = r[i] + fs.modulus()[i] + carry;
            *l = t & crate::mech::rsa::bignum::MASK;
            carry = t >> crate::mech::rsa::bignum::BITS;
        }
        let at_least_p = fp.reduce_once(&rn) != rn;
        carry == 0 && !at_least_p && fp.mul(&fp.to_mont(&rn), &z2) == x
    }

    fn ecdh(&self, d: &[u8], q: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let g = self.group()?;
        Self::scalar(g, d)?;
        let q = g.decode(q)?;
        let mut p = g.mul(&g.table(&q), d);
        let x = g.to_affine(&p).map(|(x, _)| x);
        p.zeroize();
        let mut x = x?;
        let out = g.fp.to_be(&x);
        x.zeroize();
        out
    }
}
