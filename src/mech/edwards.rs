//! Edwards curve keys (CKK_EC_EDWARDS, PKCS#11 3.1 "Edwards Elliptic
//! curve public/private key objects") on edwards25519:
//! CKM_EC_EDWARDS_KEY_PAIR_GEN and CKM_EDDSA (RFC 8032 Ed25519, Ed25519ctx
//! and Ed25519ph, chosen by CK_EDDSA_PARAMS).
//!
//! - CKA_EC_PARAMS: DER of the PrintableString "edwards25519" or of the
//!   OID id-Ed25519 (1.3.101.112, RFC 8410); kept in the form given.
//! - CKA_EC_POINT: the 32-byte RFC 8032 public key, raw ("Public key bytes
//!   in little endian order as defined in RFC 8032", 3.1; 3.0 said
//!   "DER-encoding of" it, and tokens wrote a DER OCTET STRING, which is
//!   accepted on input, as is a BIT STRING).
//! - Private CKA_VALUE: the 32-byte RFC 8032 private key (the seed).
//!
//! Ed448 is not implemented: its RustCrypto crate (ed448-goldilocks) has
//! only pre-releases for this dependency tree.
use std::sync::Arc;

use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::hazmat::ExpandedSecretKey;
use ed25519_dalek::{Digest, Sha512, VerifyingKey};
use zeroize::Zeroizing;

mod base_mul;
mod point;
use point::KeyMultiples;

use super::ec::okp::OkpCurve;
use super::ec::{self, fill_spki};
use super::montgomery::generate_okp;
use super::{
    CkMechanism, Generated, KeyTypeDef, Mechanism, Param, Registry, SignOp, VerifyOp, check_key,
    info,
};
use crate::CK_ULONG;
use crate::attr::Attribute;
use crate::attr::policy::AttrMap;
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

static CURVES: &[OkpCurve] = &[OkpCurve {
    // 1.3.101.112
    oid: &[0x06, 0x03, 0x2b, 0x65, 0x70],
    name: "edwards25519",
    len: 32,
    bits: 255,
}];

const SIG_LEN: usize = 64;

/// The seed (RFC 8032 private key) of a stored private key.
fn seed(key: &Object) -> CkResult<Zeroizing<[u8; 32]>> {
    OkpCurve::find(CURVES, key.require(CKA_EC_PARAMS)?).map_err(|_| CKR_KEY_TYPE_INCONSISTENT)?;
    Ok(Zeroizing::new(
        key.require(CKA_VALUE)?
            .try_into()
            .map_err(|_| CKR_KEY_TYPE_INCONSISTENT)?,
    ))
}

/// The RFC 8032 public key of a seed: [a]B for the seed's expanded
/// scalar, on our constant-time base-point multiplication.
fn public_key(seed: &[u8; 32]) -> [u8; 32] {
    base_mul::mul_base(ExpandedSecretKey::from(seed).scalar.as_bytes())
}

/// X25519(k, 9): the public key of an X25519 private key, on the same
/// constant-time base-point multiplication (for `montgomery`).
pub(crate) fn x25519_public(k: &[u8; 32]) -> [u8; 32] {
    base_mul::x25519_base(k)
}

/// A stored public key ready to verify under: A as encoded (it is
/// hashed) and its odd multiples.
#[derive(Clone)]
struct VerifyKey {
    a: [u8; 32],
    multiples: Arc<KeyMultiples>,
}

/// The verifying key of a stored public key.
fn verify_key(key: &Object) -> CkResult<VerifyKey> {
    let curve = OkpCurve::find(CURVES, key.require(CKA_EC_PARAMS)?)
        .map_err(|_| CKR_KEY_TYPE_INCONSISTENT)?;
    let a: [u8; 32] = curve
        .parse_public(key.require(CKA_EC_POINT)?)
        .and_then(|a| a.try_into().ok())
        .ok_or(CKR_KEY_TYPE_INCONSISTENT)?;
    decompressed(&a).ok_or(CKR_KEY_TYPE_INCONSISTENT)
}

/// Public keys recently decompressed, newest first (at most
/// `DECOMPRESSED_KEYS`).
const DECOMPRESSED_KEYS: usize = 8;
thread_local! {
    static DECOMPRESSED: std::cell::RefCell<Vec<VerifyKey>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A's decoding and odd multiples, remembered for the last few keys:
/// decompressing A (a square root, ~250 squarings) and its multiples are
/// ~15% of a verification, and an application verifies under the same
/// few keys again and again. A public key is no secret: nothing to wipe.
fn decompressed(a: &[u8; 32]) -> Option<VerifyKey> {
    DECOMPRESSED.with_borrow_mut(|cache| {
        if let Some(i) = cache.iter().position(|k| k.a == *a) {
            let key = cache.remove(i);
            cache.insert(0, key.clone());
            return Some(key);
        }
        let key = VerifyKey {
            a: *a,
            multiples: Arc::new(KeyMultiples::new(a)?),
        };
        cache.truncate(DECOMPRESSED_KEYS - 1);
        cache.insert(0, key.clone());
        Some(key)
    })
}

/// Validates an imported Edwards key: a public key must decode to a curve
/// point; stores it raw and fills CKA_PUBLIC_KEY_INFO (RFC 8410).
fn complete(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
    let curve = OkpCurve::find(
        CURVES,
        attrs.get(&CKA_EC_PARAMS).ok_or(CKR_TEMPLATE_INCOMPLETE)?,
    )?;
    let public = match class {
        CKO_PUBLIC_KEY => {
            let given = attrs.get(&CKA_EC_POINT).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
            let a: [u8; 32] = curve
                .parse_public(given)
                .and_then(|a| a.try_into().ok())
                .ok_or(CKR_ATTRIBUTE_VALUE_INVALID)?;
            VerifyingKey::from_bytes(&a).map_err(|_| CKR_ATTRIBUTE_VALUE_INVALID)?;
            attrs.insert(CKA_EC_POINT, Zeroizing::new(a.to_vec()));
            a
        }
        CKO_PRIVATE_KEY => {
            let given = attrs.get(&CKA_VALUE).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
            let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
                given
                    .as_slice()
                    .try_into()
                    .map_err(|_| CKR_ATTRIBUTE_VALUE_INVALID)?,
            );
            public_key(&seed)
        }
        _ => return Err(CKR_TEMPLATE_INCONSISTENT),
    };
    fill_spki(curve.spki(&public), attrs)
}

fn export_private(key: &Object) -> CkResult<Zeroizing<Vec<u8>>> {
    Ok(CURVES[0].to_pkcs8(&*seed(key)?))
}

fn import_private(der: &[u8]) -> CkResult<Vec<Attribute>> {
    let (curve, d) = OkpCurve::parse_pkcs8(CURVES, der)?;
    Ok(vec![
        Attribute::ulong(CKA_KEY_TYPE, CKK_EC_EDWARDS),
        Attribute::new(CKA_EC_PARAMS, curve.oid),
        Attribute::new(CKA_VALUE, d.as_slice()),
    ])
}

static EDWARDS_KEY: KeyTypeDef = KeyTypeDef {
    ckk: CKK_EC_EDWARDS,
    public: ec::PUBLIC_RULES,
    private: ec::PRIVATE_RULES,
    secret: &[],
    complete,
    export_private: Some(export_private),
    import_private: Some(import_private),
};

struct KeyPairGen;
static KEY_PAIR_GEN: KeyPairGen = KeyPairGen;

impl Mechanism for KeyPairGen {
    fn generate_key_pair(
        &self,
        m: &CkMechanism,
        public: &[Attribute],
        private: &[Attribute],
    ) -> CkResult<(Generated, Generated)> {
        generate_okp(m, public, private, CKK_EC_EDWARDS, CURVES, |d| {
            let seed: Zeroizing<[u8; 32]> =
                Zeroizing::new(d.try_into().map_err(|_| CKR_GENERAL_ERROR)?);
            Ok(public_key(&seed).to_vec())
        })
    }
}

// ---------------------------------------------------------------------------
// CKM_EDDSA ("EdDSA", parameters CK_EDDSA_PARAMS).

/// The RFC 8032 variant CK_EDDSA_PARAMS selects.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Variant {
    /// Ed25519: no parameter, or phFlag false with no context (Ed25519ctx
    /// needs a non-empty context, RFC 8032 section 5.1).
    Pure,
    /// Ed25519ctx: phFlag false, a context of 1..=255 bytes.
    Ctx(Vec<u8>),
    /// Ed25519ph: phFlag true, a context of 0..=255 bytes; the message is
    /// hashed with SHA-512 as it streams.
    Ph(Vec<u8>),
}

fn variant(m: &CkMechanism) -> CkResult<Variant> {
    match &m.param {
        Param::Eddsa { context, .. } if context.len() > 255 => Err(CKR_MECHANISM_PARAM_INVALID),
        Param::Eddsa {
            ph_flag: true,
            context,
        } => Ok(Variant::Ph(context.clone())),
        Param::Eddsa {
            ph_flag: false,
            context,
        } if !context.is_empty() => Ok(Variant::Ctx(context.clone())),
        Param::Eddsa { .. } => Ok(Variant::Pure),
        _ => m.no_param().map(|_| Variant::Pure),
    }
}

/// A private key ready to sign: the expanded seed and the public key A.
struct SignKey {
    esk: ExpandedSecretKey,
    public: [u8; 32],
}

impl SignKey {
    /// From a stored private key. A comes from the key's
    /// CKA_PUBLIC_KEY_INFO when it has one: the token computes that value
    /// from the seed itself (`complete` for created, unwrapped and derived
    /// keys, `generate_okp` for generated ones), the template cannot
    /// change it (a given value must match) and nothing may modify it
    /// later (no MODIFIABLE/COPY flag), so it is A. This matters: signing
    /// one message under two different A would reveal the secret scalar.
    /// Taking it saves a base-point multiplication per C_SignInit.
    fn new(key: &Object) -> CkResult<SignKey> {
        let esk = ExpandedSecretKey::from(&*seed(key)?);
        let stored = key.get(CKA_PUBLIC_KEY_INFO).and_then(|spki| {
            let a: [u8; 32] = spki.get(spki.len().checked_sub(32)?..)?.try_into().ok()?;
            (CURVES[0].spki(&a) == *spki).then_some(a)
        });
        let public = match stored {
            Some(a) => a,
            None => base_mul::mul_base(esk.scalar.as_bytes()),
        };
        Ok(SignKey { esk, public })
    }

    /// RFC 8032 section 5.1.6 signing: Ed25519 (no `dom`), Ed25519ctx
    /// (`dom` = dom2(0, ctx)) or Ed25519ph (dom2(1, ctx), and the message
    /// is SHA-512 of the data); the same steps as ed25519-dalek's, R = [r]B
    /// on our paired field arithmetic (`base_mul`, constant time).
    #[allow(non_snake_case)]
    fn sign(&self, dom: Option<&[u8]>, msg: &[u8]) -> [u8; SIG_LEN] {
        let hasher = || {
            let mut h = Sha512::new();
            if let Some(d) = dom {
                h.update(d);
            }
            h
        };
        let mut h = hasher();
        h.update(self.esk.hash_prefix);
        h.update(msg);
        let r = Zeroizing::new(Scalar::from_hash(h));
        let R = base_mul::mul_base(r.as_bytes());
        let mut h = hasher();
        h.update(R);
        h.update(self.public);
        h.update(msg);
        let k = Scalar::from_hash(h);
        let s = k * self.esk.scalar + *r;
        let mut sig = [0u8; SIG_LEN];
        sig[..32].copy_from_slice(&R);
        sig[32..].copy_from_slice(s.as_bytes());
        sig
    }
}

/// RFC 8032 dom2(phflag, ctx) as bytes: the prefix of both hashes of
/// Ed25519ctx (phflag 0) and Ed25519ph (phflag 1).
fn dom2_bytes(phflag: u8, ctx: &[u8]) -> Vec<u8> {
    let mut d = b"SigEd25519 no Ed25519 collisions".to_vec();
    d.extend_from_slice(&[phflag, ctx.len() as u8]);
    d.extend_from_slice(ctx);
    d
}

/// RFC 8032 section 5.1.7 verification, as ed25519-dalek's `verify` and
/// `verify_prehashed` do it: S must be canonical (below the group
/// order), k = SHA-512(dom || R || A || message) and [S]B - [k]A must
/// encode to R byte for byte (so R is not decoded; A may have a
/// small-order component, as RFC 8032 allows).
fn verify_signature(key: &VerifyKey, dom: &[u8], message: &[u8], sig: &[u8; SIG_LEN]) -> bool {
    let (r, s) = sig.split_at(32);
    let Some(s) = <[u8; 32]>::try_from(s)
        .ok()
        .and_then(|s| Scalar::from_canonical_bytes(s).into_option())
    else {
        return false;
    };
    let mut h = Sha512::new();
    h.update(dom);
    h.update(r);
    h.update(key.a);
    h.update(message);
    let k = Scalar::from_hash(h);
    point::s_b_minus_k_a(&key.multiples, k.as_bytes(), s.as_bytes()) == *r
}

/// The message as it arrives: buffered (Ed25519, Ed25519ctx hash it
/// twice) or hashed (Ed25519ph).
enum Input {
    Buffer(Vec<u8>),
    Hash(Sha512),
}

impl Input {
    fn new(v: &Variant) -> Self {
        match v {
            Variant::Ph(_) => Input::Hash(Sha512::new()),
            _ => Input::Buffer(Vec::new()),
        }
    }
    fn update(&mut self, data: &[u8]) {
        match self {
            Input::Buffer(b) => b.extend_from_slice(data),
            Input::Hash(h) => h.update(data),
        }
    }
    fn take(&mut self) -> Input {
        std::mem::replace(self, Input::Buffer(Vec::new()))
    }
}

struct EddsaSign {
    key: SignKey,
    variant: Variant,
    input: Input,
}

impl SignOp for EddsaSign {
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.input.update(data);
        Ok(())
    }
    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        let sig = match (&self.variant, self.input.take()) {
            (Variant::Pure, Input::Buffer(msg)) => self.key.sign(None, &msg),
            (Variant::Ctx(ctx), Input::Buffer(msg)) => {
                self.key.sign(Some(&dom2_bytes(0, ctx)), &msg)
            }
            (Variant::Ph(ctx), Input::Hash(h)) => {
                self.key.sign(Some(&dom2_bytes(1, ctx)), &h.finalize())
            }
            _ => return Err(CKR_GENERAL_ERROR),
        };
        Ok(sig.to_vec())
    }
    fn signature_len(&self) -> usize {
        SIG_LEN
    }
}

struct EddsaVerify {
    key: VerifyKey,
    variant: Variant,
    input: Input,
}

impl VerifyOp for EddsaVerify {
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.input.update(data);
        Ok(())
    }
    fn finalize(&mut self, signature: &[u8]) -> CkResult<()> {
        let sig: [u8; SIG_LEN] = signature.try_into().map_err(|_| CKR_SIGNATURE_LEN_RANGE)?;
        let ok = match (&self.variant, self.input.take()) {
            (Variant::Pure, Input::Buffer(msg)) => verify_signature(&self.key, &[], &msg, &sig),
            (Variant::Ctx(ctx), Input::Buffer(msg)) => {
                verify_signature(&self.key, &dom2_bytes(0, ctx), &msg, &sig)
            }
            (Variant::Ph(ctx), Input::Hash(h)) => {
                verify_signature(&self.key, &dom2_bytes(1, ctx), &h.finalize(), &sig)
            }
            _ => return Err(CKR_GENERAL_ERROR),
        };
        if ok {
            Ok(())
        } else {
            Err(CKR_SIGNATURE_INVALID)
        }
    }
}

struct Eddsa;
static EDDSA: Eddsa = Eddsa;

impl Mechanism for Eddsa {
    fn sign_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn SignOp>> {
        let variant = variant(m)?;
        check_key(key, CKO_PRIVATE_KEY, &[CKK_EC_EDWARDS])?;
        Ok(Box::new(EddsaSign {
            key: SignKey::new(key)?,
            input: Input::new(&variant),
            variant,
        }))
    }

    fn verify_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn VerifyOp>> {
        let variant = variant(m)?;
        check_key(key, CKO_PUBLIC_KEY, &[CKK_EC_EDWARDS])?;
        Ok(Box::new(EddsaVerify {
            key: verify_key(key)?,
            input: Input::new(&variant),
            variant,
        }))
    }
}

pub fn register(r: &mut Registry) {
    r.add_key_type(&EDWARDS_KEY);
    let bits = CURVES[0].bits;
    // CKF_EC_CURVENAME: named by PrintableString; CKF_EC_OID: by OID.
    let named = CKF_EC_OID | CKF_EC_CURVENAME;
    r.add(
        CKM_EC_EDWARDS_KEY_PAIR_GEN,
        info(bits, bits, CKF_GENERATE_KEY_PAIR | named),
        &KEY_PAIR_GEN,
    );
    r.add(
        CKM_EDDSA,
        info(bits, bits, CKF_SIGN | CKF_VERIFY | named),
        &EDDSA,
    );
}

#[cfg(test)]
mod tests;
