//! RSA (PKCS#11 3.1 mechanisms section 2.1): CKK_RSA keys, key pair
//! generation, PKCS#1 v1.5 and OAEP encryption, PKCS#1 v1.5 and PSS
//! signatures, raw and with SHA-1/SHA-2/SHA-3 hashing (3.1 mechanisms
//! 2.1.14 and 2.1.15), raw RSA (CKM_RSA_X_509) and CKM_RSA_AES_KEY_WRAP.
//!
//! The arithmetic is our own Montgomery code (`bignum`: 28-bit limbs and,
//! in wasm, SIMD products), several times faster in wasm than the `rsa`
//! crate's 64-bit limbs, whose 64x64->128 products wasm emulates: the
//! constant-time private-key operation of two-prime keys (`crt`), the
//! public-key operation (`public`) and the primality tests of key
//! generation (`keygen`), and the assembly and checks of private keys
//! (`components` and `arith`: d, CRT values, recovered primes), on every
//! size up to 8192 bits (moduli above `bignum::MAX_LIMBS` limbs take
//! row-by-row products). PKCS#8 is read and written in `pkcs8`. The `rsa`
//! crate is only a reference in tests. All paddings
//! (PKCS#1 v1.5, OAEP, PSS) are encoded here on the raw primitives
//! (`key::private_op`, `public::public_op`) because PKCS#11 names their
//! hashes at run time, lets the MGF1 hash differ from the message hash,
//! and wants an explicit error on bad v1.5 padding.
use crate::CK_ULONG;
use crate::attr::{Attribute, find, find_ulong};
use crate::constants::*;
use crate::mech::{CipherOp, CkMechanism, Generated, Mechanism, Registry, SignOp, VerifyOp, info};
use crate::object::Object;
use crate::rv::CkResult;

mod aes_wrap;
mod arith;
pub(crate) mod bignum;
mod components;
mod crt;
mod hash;
mod key;
mod keygen;
mod oaep;
mod ops;
mod pkcs1;
mod pkcs8;
mod pss;
mod public;
#[cfg(test)]
mod tests;
mod x509;

use hash::HashAlg;
use key::{RsaPrivate, public_from_object};
use ops::{Decrypt, EncPadding, Encrypt, Input, SigPadding, Sign, Verify};

pub use key::RSA_KEY;

/// Key sizes (bits) of CKM_RSA_PKCS_KEY_PAIR_GEN.
const GEN_MIN_BITS: usize = 1024;
const GEN_MAX_BITS: usize = 4096;
const DEFAULT_EXPONENT: u64 = 65537;

/// The hashing signature mechanisms and their hash.
const PKCS1_HASHED: [(CK_ULONG, HashAlg); 9] = [
    (CKM_SHA1_RSA_PKCS, HashAlg::Sha1),
    (CKM_SHA224_RSA_PKCS, HashAlg::Sha224),
    (CKM_SHA256_RSA_PKCS, HashAlg::Sha256),
    (CKM_SHA384_RSA_PKCS, HashAlg::Sha384),
    (CKM_SHA512_RSA_PKCS, HashAlg::Sha512),
    (CKM_SHA3_224_RSA_PKCS, HashAlg::Sha3_224),
    (CKM_SHA3_256_RSA_PKCS, HashAlg::Sha3_256),
    (CKM_SHA3_384_RSA_PKCS, HashAlg::Sha3_384),
    (CKM_SHA3_512_RSA_PKCS, HashAlg::Sha3_512),
];
const PSS_HASHED: [(CK_ULONG, HashAlg); 9] = [
    (CKM_SHA1_RSA_PKCS_PSS, HashAlg::Sha1),
    (CKM_SHA224_RSA_PKCS_PSS, HashAlg::Sha224),
    (CKM_SHA256_RSA_PKCS_PSS, HashAlg::Sha256),
    (CKM_SHA384_RSA_PKCS_PSS, HashAlg::Sha384),
    (CKM_SHA512_RSA_PKCS_PSS, HashAlg::Sha512),
    (CKM_SHA3_224_RSA_PKCS_PSS, HashAlg::Sha3_224),
    (CKM_SHA3_256_RSA_PKCS_PSS, HashAlg::Sha3_256),
    (CKM_SHA3_384_RSA_PKCS_PSS, HashAlg::Sha3_384),
    (CKM_SHA3_512_RSA_PKCS_PSS, HashAlg::Sha3_512),
];

fn hash_of(table: &[(CK_ULONG, HashAlg)], kind: CK_ULONG) -> Option<HashAlg> {
    table.iter().find(|(k, _)| *k == kind).map(|(_, h)| *h)
}

pub struct Rsa;
static RSA: Rsa = Rsa;

impl Rsa {
    fn enc_padding(m: &CkMechanism) -> CkResult<EncPadding> {
        match m.kind {
            CKM_RSA_PKCS => m.no_param().map(|_| EncPadding::Pkcs1),
            CKM_RSA_PKCS_OAEP => Ok(EncPadding::Oaep(oaep::OaepParams::parse(&m.param)?)),
            CKM_RSA_X_509 => m.no_param().map(|_| EncPadding::Raw),
            _ => Err(CKR_MECHANISM_INVALID),
        }
    }

    /// The padding and hash of a signature mechanism.
    fn sig_padding(m: &CkMechanism) -> CkResult<(SigPadding, Option<HashAlg>)> {
        if m.kind == CKM_RSA_PKCS {
            m.no_param()?;
            return Ok((SigPadding::Pkcs1, None));
        }
        if m.kind == CKM_RSA_X_509 {
            m.no_param()?;
            return Ok((SigPadding::Raw, None));
        }
        if m.kind == CKM_RSA_PKCS_PSS {
            return Ok((
                SigPadding::Pss(pss::PssParams::parse(&m.param, None)?),
                None,
            ));
        }
        if let Some(h) = hash_of(&PKCS1_HASHED, m.kind) {
            m.no_param()?;
            return Ok((SigPadding::Pkcs1, Some(h)));
        }
        if let Some(h) = hash_of(&PSS_HASHED, m.kind) {
            return Ok((
                SigPadding::Pss(pss::PssParams::parse(&m.param, Some(h))?),
                Some(h),
            ));
        }
        Err(CKR_MECHANISM_INVALID)
    }

    /// Whether the key can carry the padding at all.
    fn check_sig_key(
        padding: &SigPadding,
        hash: Option<HashAlg>,
        key: &key::RsaPublic,
    ) -> CkResult<()> {
        match padding {
            SigPadding::Pss(p) => p.check_key(key),
            SigPadding::Raw => Ok(()),
            SigPadding::Pkcs1 => {
                let t_len = hash.map_or(0, |h| h.digest_info_prefix().len() + h.len());
                if key.size() < t_len + 11 {
                    Err(CKR_KEY_SIZE_RANGE)
                } else {
                    Ok(())
                }
            }
        }
    }
}

impl Mechanism for Rsa {
    fn encrypt_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn CipherOp>> {
        if m.kind == CKM_RSA_AES_KEY_WRAP {
            let params = aes_wrap::Params::parse(&m.param)?;
            let key = public_from_object(key)?;
            params.check_key(key.size())?;
            return Ok(Box::new(aes_wrap::Wrap { key, params }));
        }
        let padding = Self::enc_padding(m)?;
        let key = public_from_object(key)?;
        if let EncPadding::Oaep(p) = &padding {
            p.max_data(key.size())?;
        }
        Ok(Box::new(Encrypt { key, padding }))
    }

    fn decrypt_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn CipherOp>> {
        if m.kind == CKM_RSA_AES_KEY_WRAP {
            let params = aes_wrap::Params::parse(&m.param)?;
            let key = RsaPrivate::from_object(key)?;
            params.check_key(key.size())?;
            return Ok(Box::new(aes_wrap::Unwrap { key, params }));
        }
        let padding = Self::enc_padding(m)?;
        let key = RsaPrivate::from_object(key)?;
        if let EncPadding::Oaep(p) = &padding {
            p.max_data(key.size())?;
        }
        Ok(Box::new(Decrypt { key, padding }))
    }

    fn sign_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn SignOp>> {
        let (padding, hash) = Self::sig_padding(m)?;
        let key = RsaPrivate::from_object(key)?;
        Self::check_sig_key(&padding, hash, key.as_public_key())?;
        Ok(Box::new(Sign {
            key,
            padding,
            input: Input::hashed(hash),
        }))
    }

    fn verify_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn VerifyOp>> {
        let (padding, hash) = Self::sig_padding(m)?;
        let key = public_from_object(key)?;
        Self::check_sig_key(&padding, hash, &key)?;
        Ok(Box::new(Verify {
            key,
            padding,
            input: Input::hashed(hash),
        }))
    }

    /// CKM_RSA_X_509 unwraps the trailing bytes of its k-octet plaintext
    /// (3.1 mechanisms 2.1.12).
    fn unwrap_from_end(&self, m: &CkMechanism) -> bool {
        m.kind == CKM_RSA_X_509
    }

    /// CKM_RSA_X_509 in C_EncapsulateKey: RSASVE (PKCS#11 3.2 "X.509 (raw)
    /// RSA"; the shared secret is k octets).
    fn encapsulate(
        &self,
        m: &CkMechanism,
        key: &Object,
    ) -> CkResult<(Vec<u8>, zeroize::Zeroizing<Vec<u8>>)> {
        if m.kind != CKM_RSA_X_509 {
            return Err(CKR_MECHANISM_INVALID);
        }
        m.no_param()?;
        x509::encapsulate(&public_from_object(key)?)
    }

    fn decapsulate(
        &self,
        m: &CkMechanism,
        key: &Object,
        ciphertext: &[u8],
    ) -> CkResult<zeroize::Zeroizing<Vec<u8>>> {
        if m.kind != CKM_RSA_X_509 {
            return Err(CKR_MECHANISM_INVALID);
        }
        m.no_param()?;
        x509::decapsulate(&RsaPrivate::from_object(key)?, ciphertext)
    }

    /// CKM_RSA_PKCS_KEY_PAIR_GEN (3.1 mechanisms 2.1.5): CKA_MODULUS_BITS
    /// and the optional CKA_PUBLIC_EXPONENT come from the public template.
    fn generate_key_pair(
        &self,
        m: &CkMechanism,
        public: &[Attribute],
        _private: &[Attribute],
    ) -> CkResult<(Generated, Generated)> {
        if m.kind != CKM_RSA_PKCS_KEY_PAIR_GEN {
            return Err(CKR_MECHANISM_INVALID);
        }
        m.no_param()?;
        let bits = find_ulong(public, CKA_MODULUS_BITS)?.ok_or(CKR_TEMPLATE_INCOMPLETE)?;
        let bits = usize::try_from(bits).map_err(|_| CKR_KEY_SIZE_RANGE)?;
        if !(GEN_MIN_BITS..=GEN_MAX_BITS).contains(&bits) {
            return Err(CKR_KEY_SIZE_RANGE);
        }
        let e = match find(public, CKA_PUBLIC_EXPONENT) {
            Some(v) => key::parse_public_exponent(v)?,
            None => DEFAULT_EXPONENT,
        };
        let private = keygen::generate(bits, e)?;
        let info = key::spki(&private.n, &private.e);
        let pub_attrs = vec![
            Attribute::ulong(CKA_KEY_TYPE, CKK_RSA),
            Attribute::new(CKA_MODULUS, private.n.clone()),
            Attribute::new(CKA_PUBLIC_EXPONENT, private.e.clone()),
            Attribute::ulong(CKA_MODULUS_BITS, bits as CK_ULONG),
            Attribute::new(CKA_PUBLIC_KEY_INFO, info.clone()),
        ];
        let mut priv_attrs = key::private_attributes(&private);
        priv_attrs.push(Attribute::ulong(CKA_KEY_TYPE, CKK_RSA));
        priv_attrs.push(Attribute::new(CKA_PUBLIC_KEY_INFO, info));
        Ok((pub_attrs, priv_attrs))
    }
}

/// Adds the RSA mechanisms and CKK_RSA. Operations accept the key sizes
/// that can be imported (1024 to 8192 bits); generation makes 1024 to 4096.
pub fn register(r: &mut Registry) {
    let (min, max) = (key::MIN_BITS as CK_ULONG, key::MAX_BITS as CK_ULONG);
    r.add_key_type(&RSA_KEY);
    r.add(
        CKM_RSA_PKCS_KEY_PAIR_GEN,
        info(
            GEN_MIN_BITS as CK_ULONG,
            GEN_MAX_BITS as CK_ULONG,
            CKF_GENERATE_KEY_PAIR,
        ),
        &RSA,
    );
    let all = CKF_ENCRYPT | CKF_DECRYPT | CKF_SIGN | CKF_VERIFY | CKF_WRAP | CKF_UNWRAP;
    r.add(CKM_RSA_PKCS, info(min, max, all), &RSA);
    // Raw RSA also encapsulates (RSASVE), as PKCS#11 3.2 adds.
    let kem = CKF_ENCAPSULATE | CKF_DECAPSULATE;
    r.add(CKM_RSA_X_509, info(min, max, all | kem), &RSA);
    r.add(
        CKM_RSA_AES_KEY_WRAP,
        info(min, max, CKF_WRAP | CKF_UNWRAP),
        &RSA,
    );
    r.add(
        CKM_RSA_PKCS_OAEP,
        info(min, max, CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP | CKF_UNWRAP),
        &RSA,
    );
    r.add(
        CKM_RSA_PKCS_PSS,
        info(min, max, CKF_SIGN | CKF_VERIFY),
        &RSA,
    );
    for (kind, _) in PKCS1_HASHED.iter().chain(PSS_HASHED.iter()) {
        r.add(*kind, info(min, max, CKF_SIGN | CKF_VERIFY), &RSA);
    }
}
