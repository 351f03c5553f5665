//! ECDSA (PKCS#11 3.1 mechanisms "ECDSA without hashing" and "ECDSA with
//! hashing", SHA-1, SHA-2 and, since 3.0, SHA-3): signatures are raw r||s,
//! each half the curve's length.
use zeroize::Zeroizing;

use super::super::digest::hasher_for;
use super::super::{
    CkMechanism, DigestOp, MechInfo, Mechanism, Registry, SignOp, VerifyOp, check_key, random_bytes,
};
use super::{Curve, private_parts, public_parts};
use crate::CK_ULONG;
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

/// The hash of a hash-then-sign ECDSA mechanism; None for CKM_ECDSA.
pub(super) fn ecdsa_hash(kind: CK_ULONG) -> CkResult<Option<CK_ULONG>> {
    Ok(match kind {
        CKM_ECDSA => None,
        CKM_ECDSA_SHA1 => Some(CKM_SHA_1),
        CKM_ECDSA_SHA224 => Some(CKM_SHA224),
        CKM_ECDSA_SHA256 => Some(CKM_SHA256),
        CKM_ECDSA_SHA384 => Some(CKM_SHA384),
        CKM_ECDSA_SHA512 => Some(CKM_SHA512),
        CKM_ECDSA_SHA3_224 => Some(CKM_SHA3_224),
        CKM_ECDSA_SHA3_256 => Some(CKM_SHA3_256),
        CKM_ECDSA_SHA3_384 => Some(CKM_SHA3_384),
        CKM_ECDSA_SHA3_512 => Some(CKM_SHA3_512),
        _ => return Err(CKR_MECHANISM_INVALID),
    })
}

/// A running hasher for a hash-then-sign mechanism; None for CKM_ECDSA.
fn ecdsa_hasher(m: &CkMechanism) -> CkResult<Option<Box<dyn DigestOp>>> {
    m.no_param()?;
    ecdsa_hash(m.kind)?.map(hasher_for).transpose()
}

/// Bytes of system randomness fetched at once for `hedge`.
const POOL: usize = 1024;

/// `len` bytes of system randomness for the RFC 6979 3.6 additional
/// data, served from a pool refilled `POOL` bytes at a time: one
/// getrandom call (a crossing into JavaScript in wasm, several
/// microseconds) per ~16 signatures instead of one each. Served bytes are
/// wiped from the pool. Should the pool ever repeat (a copied memory
/// image), the nonce falls back to plain deterministic RFC 6979, which
/// is still safe.
fn hedge(len: usize) -> CkResult<Zeroizing<Vec<u8>>> {
    use std::sync::Mutex;
    static STATE: Mutex<(Vec<u8>, usize)> = Mutex::new((Vec::new(), 0));
    if len > POOL {
        return random_bytes(len);
    }
    let mut guard = STATE.lock().unwrap_or_else(|e| e.into_inner());
    let (pool, used) = &mut *guard;
    if pool.len() != POOL || *used + len > POOL {
        let fresh = random_bytes(POOL)?;
        pool.fill(0);
        pool.clear();
        pool.extend_from_slice(&fresh);
        *used = 0;
    }
    let chunk = pool.get_mut(*used..*used + len).ok_or(CKR_GENERAL_ERROR)?;
    let out = Zeroizing::new(chunk.to_vec());
    chunk.fill(0);
    *used += len;
    Ok(out)
}

struct EcdsaSign {
    curve: &'static Curve,
    d: Zeroizing<Vec<u8>>,
    /// The running message hash; None for CKM_ECDSA.
    hash: Option<Box<dyn DigestOp>>,
}

impl EcdsaSign {
    /// Signs the hash `h`. CKM_ECDSA's input is the hash, of any length;
    /// it counts by its leftmost bits (FIPS 186-5 bits2int).
    fn sign(&self, h: &[u8]) -> CkResult<Vec<u8>> {
        // Hedged: RFC 6979 with fresh randomness as additional data.
        let entropy = hedge(self.curve.len)?;
        let z = self.curve.bits2int(h);
        self.curve
            .ops
            .sign(&self.d, &z, self.curve.nonce_input(h), &entropy)
            .ok_or(CKR_FUNCTION_FAILED)
    }
}

impl SignOp for EcdsaSign {
    fn one_shot(&mut self, data: &[u8]) -> CkResult<Vec<u8>> {
        match &mut self.hash {
            None => self.sign(data),
            Some(_) => {
                self.update(data)?;
                self.finalize()
            }
        }
    }
    /// Raw CKM_ECDSA is single-part (the EC mechanisms table marks it so).
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.hash
            .as_mut()
            .ok_or(CKR_FUNCTION_NOT_SUPPORTED)?
            .update(data);
        Ok(())
    }
    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        let z = self
            .hash
            .as_mut()
            .ok_or(CKR_FUNCTION_NOT_SUPPORTED)?
            .finalize();
        self.sign(&z)
    }
    fn signature_len(&self) -> usize {
        2 * self.curve.len
    }
}

struct EcdsaVerify {
    curve: &'static Curve,
    q: Vec<u8>,
    hash: Option<Box<dyn DigestOp>>,
}

impl EcdsaVerify {
    fn verify(&self, h: &[u8], signature: &[u8]) -> CkResult<()> {
        if signature.len() != 2 * self.curve.len {
            return Err(CKR_SIGNATURE_LEN_RANGE);
        }
        // r or s of 0 or >= n fail here as well.
        if self
            .curve
            .ops
            .verify(&self.q, &self.curve.bits2int(h), signature)
        {
            Ok(())
        } else {
            Err(CKR_SIGNATURE_INVALID)
        }
    }
}

impl VerifyOp for EcdsaVerify {
    fn one_shot(&mut self, data: &[u8], signature: &[u8]) -> CkResult<()> {
        match &mut self.hash {
            None => self.verify(data, signature),
            Some(_) => {
                self.update(data)?;
                self.finalize(signature)
            }
        }
    }
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.hash
            .as_mut()
            .ok_or(CKR_FUNCTION_NOT_SUPPORTED)?
            .update(data);
        Ok(())
    }
    fn finalize(&mut self, signature: &[u8]) -> CkResult<()> {
        let z = self
            .hash
            .as_mut()
            .ok_or(CKR_FUNCTION_NOT_SUPPORTED)?
            .finalize();
        self.verify(&z, signature)
    }
}

pub(super) struct Ecdsa;
pub(super) static ECDSA: Ecdsa = Ecdsa;

impl Mechanism for Ecdsa {
    fn sign_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn SignOp>> {
        let hash = ecdsa_hasher(m)?;
        check_key(key, CKO_PRIVATE_KEY, &[CKK_EC])?;
        let (curve, d) = private_parts(key)?;
        Ok(Box::new(EcdsaSign {
            curve,
            d: Zeroizing::new(d.to_vec()),
            hash,
        }))
    }

    fn verify_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn VerifyOp>> {
        let hash = ecdsa_hasher(m)?;
        check_key(key, CKO_PUBLIC_KEY, &[CKK_EC])?;
        let (curve, q) = public_parts(key)?;
        Ok(Box::new(EcdsaVerify { curve, q, hash }))
    }
}

pub(super) fn register(r: &mut Registry, info: MechInfo) {
    for kind in [
        CKM_ECDSA,
        CKM_ECDSA_SHA1,
        CKM_ECDSA_SHA224,
        CKM_ECDSA_SHA256,
        CKM_ECDSA_SHA384,
        CKM_ECDSA_SHA512,
        CKM_ECDSA_SHA3_224,
        CKM_ECDSA_SHA3_256,
        CKM_ECDSA_SHA3_384,
        CKM_ECDSA_SHA3_512,
    ] {
        r.add(kind, info, &ECDSA);
    }
}
