//! CKK_RSA keys (PKCS#11 3.1 mechanisms 2.1.2 and 2.1.3): attribute rules,
//! validation of imported keys, PKCS#8 for wrapping, and the conversion of
//! objects into the keys the operations use.
//!
//! Big integers are stored big-endian without leading zero octets
//! (`complete` normalises what callers give; a zero keeps one octet), so
//! stored values compare byte for byte.
//!
//! What is stored and what is used differ on purpose (issue 11 item 9):
//! a public key object may hold any modulus and exponent, as PKCS#11
//! allows and SoftHSM does (legacy keys, placeholder keys in test
//! suites); a private key whose modulus is outside MIN_BITS..=MAX_BITS is
//! stored as given, unchecked. Such keys are refused when an operation
//! starts: CKR_KEY_SIZE_RANGE for the size, CKR_KEY_TYPE_INCONSISTENT for
//! values that make no RSA key (even modulus, bad exponent). Private keys
//! of a usable size are validated on creation, as before.
use zeroize::Zeroizing;

use crate::CK_ULONG;
use crate::attr::policy::{AttrMap, Default as D, Kind as K, Rule, flag::*};
use crate::attr::{Attribute, ulong_bytes};
use crate::constants::*;
use crate::mech::{KeyTypeDef, check_key};
use crate::object::Object;
use crate::rv::CkResult;

use super::components::{self, PrivateParts};
use super::crt::CrtKey;
use super::pkcs8;
pub use super::public::{MAX_PUB_EXPONENT, RsaPublic, bit_len, public_op, spki, strip};

/// Modulus sizes accepted for imported keys and for operations (bits).
pub const MIN_BITS: usize = 1024;
pub const MAX_BITS: usize = 8192;

const fn r(kind: CK_ULONG, value: K, flags: u32) -> Rule {
    Rule {
        kind,
        value,
        flags,
        default: D::None,
    }
}

/// RSA public key attributes (3.1 mechanisms, section 2.1.2).
static PUBLIC: &[Rule] = &[
    r(CKA_MODULUS, K::Bytes, REQ_CREATE | NO_GEN),
    r(CKA_MODULUS_BITS, K::Ulong, REQ_GEN | NO_CREATE),
    r(CKA_PUBLIC_EXPONENT, K::Bytes, REQ_CREATE),
];

/// RSA private key attributes (3.1 mechanisms, section 2.1.3).
static PRIVATE: &[Rule] = &[
    r(CKA_MODULUS, K::Bytes, REQ_CREATE | NO_GEN | NO_UNWRAP),
    r(CKA_PUBLIC_EXPONENT, K::Bytes, NO_GEN | NO_UNWRAP),
    r(
        CKA_PRIVATE_EXPONENT,
        K::Bytes,
        REQ_CREATE | NO_GEN | NO_UNWRAP | SENSITIVE,
    ),
    r(CKA_PRIME_1, K::Bytes, NO_GEN | NO_UNWRAP | SENSITIVE),
    r(CKA_PRIME_2, K::Bytes, NO_GEN | NO_UNWRAP | SENSITIVE),
    r(CKA_EXPONENT_1, K::Bytes, NO_GEN | NO_UNWRAP | SENSITIVE),
    r(CKA_EXPONENT_2, K::Bytes, NO_GEN | NO_UNWRAP | SENSITIVE),
    r(CKA_COEFFICIENT, K::Bytes, NO_GEN | NO_UNWRAP | SENSITIVE),
];

pub static RSA_KEY: KeyTypeDef = KeyTypeDef {
    ckk: CKK_RSA,
    public: PUBLIC,
    private: PRIVATE,
    secret: &[],
    complete,
    export_private: Some(export_private),
    import_private: Some(import_private),
};

/// Why a key could not be built: callers map these to the CKR_* of their
/// context (import vs. operation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// Modulus outside MIN_BITS..=MAX_BITS.
    Size,
    /// Not a consistent RSA key (bad exponent, n != p*q, ...).
    Invalid,
}

fn check_size(n: &[u8]) -> Result<(), KeyError> {
    if !(MIN_BITS..=MAX_BITS).contains(&bit_len(n)) {
        return Err(KeyError::Size);
    }
    Ok(())
}

/// The public exponent of a private key: odd, 3 <= e <= MAX_PUB_EXPONENT.
fn exponent(e: &[u8]) -> Result<u64, KeyError> {
    let s = strip(e);
    if s.len() > 8 {
        return Err(KeyError::Invalid);
    }
    let e = s.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if e < 3 || e.is_multiple_of(2) || e > MAX_PUB_EXPONENT {
        return Err(KeyError::Invalid);
    }
    Ok(e)
}

/// The private key from n, e, d and, when known, the primes (without
/// them the primes are recovered from n, e, d: NIST SP 800-56B appendix
/// C.2). The key is checked (n = p q, e d = 1 modulo p - 1 and q - 1,
/// q invertible modulo p) and its CRT values computed (`components`).
pub fn build_private(
    n: &[u8],
    e: &[u8],
    d: &[u8],
    primes: Option<(&[u8], &[u8])>,
) -> Result<PrivateParts, KeyError> {
    check_size(n)?;
    let e = exponent(e)?;
    let parts = match primes {
        Some((p, q)) => components::from_primes(e, p, q, Some(d)),
        None => {
            let (p, q) = components::recover_primes(n, e, d).ok_or(KeyError::Invalid)?;
            components::from_primes(e, &p, &q, Some(d))
        }
    }
    .ok_or(KeyError::Invalid)?;
    if parts.n != strip(n) {
        return Err(KeyError::Invalid);
    }
    Ok(parts)
}

/// The public key of a CKO_PUBLIC_KEY object of type CKK_RSA.
pub fn public_from_object(key: &Object) -> CkResult<RsaPublic> {
    check_key(key, CKO_PUBLIC_KEY, &[CKK_RSA])?;
    RsaPublic::new(key.require(CKA_MODULUS)?, key.require(CKA_PUBLIC_EXPONENT)?).map_err(op_error)
}

/// The checked integers of a CKO_PRIVATE_KEY object of type CKK_RSA
/// (for PKCS#8 export and keys whose stored CRT values `CrtKey` refuses).
pub fn private_from_object(key: &Object) -> CkResult<PrivateParts> {
    check_key(key, CKO_PRIVATE_KEY, &[CKK_RSA])?;
    let primes = key.get(CKA_PRIME_1).zip(key.get(CKA_PRIME_2));
    let e = key
        .get(CKA_PUBLIC_EXPONENT)
        .ok_or(CKR_KEY_TYPE_INCONSISTENT)?;
    build_private(
        key.require(CKA_MODULUS)?,
        e,
        key.require(CKA_PRIVATE_EXPONENT)?,
        primes,
    )
    .map_err(op_error)
}

/// In an operation: a size we do not handle is CKR_KEY_SIZE_RANGE;
/// stored values that make no RSA key are CKR_KEY_TYPE_INCONSISTENT (the
/// key cannot serve the mechanism).
fn op_error(e: KeyError) -> u64 {
    match e {
        KeyError::Size => CKR_KEY_SIZE_RANGE,
        KeyError::Invalid => CKR_KEY_TYPE_INCONSISTENT,
    }
}

/// All attributes of a private key: n, e, d, p, q, d mod (p-1),
/// d mod (q-1), q^-1 mod p.
pub fn private_attributes(key: &PrivateParts) -> Vec<Attribute> {
    vec![
        Attribute::new(CKA_MODULUS, key.n.clone()),
        Attribute::new(CKA_PUBLIC_EXPONENT, key.e.clone()),
        Attribute::new(CKA_PRIVATE_EXPONENT, key.d.to_vec()),
        Attribute::new(CKA_PRIME_1, key.p.to_vec()),
        Attribute::new(CKA_PRIME_2, key.q.to_vec()),
        Attribute::new(CKA_EXPONENT_1, key.dp.to_vec()),
        Attribute::new(CKA_EXPONENT_2, key.dq.to_vec()),
        Attribute::new(CKA_COEFFICIENT, key.qinv.to_vec()),
    ]
}

/// Sets an attribute the token derives; a different value given by the
/// caller is refused.
fn set_derived(
    attrs: &mut AttrMap,
    kind: CK_ULONG,
    value: &[u8],
    fill_empty: bool,
) -> CkResult<()> {
    match attrs.get(&kind) {
        Some(v) if fill_empty && v.is_empty() => {}
        Some(v) if strip(v) != strip(value) => return Err(CKR_ATTRIBUTE_VALUE_INVALID),
        _ => {}
    }
    attrs.insert(kind, Zeroizing::new(value.to_vec()));
    Ok(())
}

fn required(attrs: &AttrMap, kind: CK_ULONG) -> CkResult<&[u8]> {
    attrs
        .get(&kind)
        .map(|v| v.as_slice())
        .ok_or(CKR_TEMPLATE_INCOMPLETE)
}

/// A stored big integer: no leading zero octets; a zero keeps one octet.
fn normalised(x: &[u8]) -> Vec<u8> {
    match strip(x) {
        [] if !x.is_empty() => vec![0],
        s => s.to_vec(),
    }
}

/// The big integers of a private key object.
pub(super) const PRIVATE_INTEGERS: [CK_ULONG; 8] = [
    CKA_MODULUS,
    CKA_PUBLIC_EXPONENT,
    CKA_PRIVATE_EXPONENT,
    CKA_PRIME_1,
    CKA_PRIME_2,
    CKA_EXPONENT_1,
    CKA_EXPONENT_2,
    CKA_COEFFICIENT,
];

/// Completes an imported RSA key: normalises its integers, fills
/// CKA_MODULUS_BITS (public keys) and CKA_PUBLIC_KEY_INFO, and for a
/// private key of a usable size checks it and fills the primes and CRT
/// values it lacks (`components` recovers p and q from n, e, d). See
/// the module comment for what is stored unchecked.
fn complete(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
    match class {
        CKO_PUBLIC_KEY => {
            let n = normalised(required(attrs, CKA_MODULUS)?);
            let e = normalised(required(attrs, CKA_PUBLIC_EXPONENT)?);
            let bits = ulong_bytes(bit_len(&n) as CK_ULONG);
            if attrs
                .get(&CKA_MODULUS_BITS)
                .is_some_and(|given| **given != bits)
            {
                return Err(CKR_TEMPLATE_INCONSISTENT);
            }
            attrs.insert(CKA_MODULUS_BITS, Zeroizing::new(bits));
            set_derived(attrs, CKA_PUBLIC_KEY_INFO, &spki(&n, &e), true)?;
            attrs.insert(CKA_MODULUS, Zeroizing::new(n));
            attrs.insert(CKA_PUBLIC_EXPONENT, Zeroizing::new(e));
            Ok(())
        }
        CKO_PRIVATE_KEY if check_size(required(attrs, CKA_MODULUS)?).is_err() => {
            required(attrs, CKA_PRIVATE_EXPONENT)?;
            for kind in PRIVATE_INTEGERS {
                if let Some(v) = attrs.get_mut(&kind) {
                    let n = Zeroizing::new(normalised(v));
                    *v = n;
                }
            }
            if let (Some(n), Some(e)) = (attrs.get(&CKA_MODULUS), attrs.get(&CKA_PUBLIC_EXPONENT)) {
                let info = spki(n, e);
                set_derived(attrs, CKA_PUBLIC_KEY_INFO, &info, true)?;
            }
            Ok(())
        }
        CKO_PRIVATE_KEY => {
            let invalid = |_| CKR_ATTRIBUTE_VALUE_INVALID;
            let primes = match (attrs.get(&CKA_PRIME_1), attrs.get(&CKA_PRIME_2)) {
                (Some(p), Some(q)) => Some((p.as_slice(), q.as_slice())),
                (None, None) => None,
                _ => return Err(CKR_TEMPLATE_INCOMPLETE),
            };
            let key = build_private(
                required(attrs, CKA_MODULUS)?,
                required(attrs, CKA_PUBLIC_EXPONENT)?,
                required(attrs, CKA_PRIVATE_EXPONENT)?,
                primes,
            )
            .map_err(invalid)?;
            for a in private_attributes(&key) {
                set_derived(attrs, a.kind, &a.value, false)?;
            }
            let info = spki(&key.n, &key.e);
            set_derived(attrs, CKA_PUBLIC_KEY_INFO, &info, true)
        }
        _ => Err(CKR_TEMPLATE_INCONSISTENT),
    }
}

/// C_WrapKey of an RSA private key: PKCS#8 PrivateKeyInfo DER (RFC 5208)
/// holding a PKCS#1 RSAPrivateKey.
fn export_private(key: &Object) -> CkResult<Zeroizing<Vec<u8>>> {
    let key = private_from_object(key).map_err(|e| match e {
        CKR_KEY_SIZE_RANGE => CKR_KEY_NOT_WRAPPABLE,
        e => e,
    })?;
    Ok(pkcs8::encode([
        &key.n, &key.e, &key.d, &key.p, &key.q, &key.dp, &key.dq, &key.qinv,
    ]))
}

/// C_UnwrapKey into an RSA private key: the inverse of `export_private`.
/// The key is checked as on import; CRT values that differ from the ones
/// the primes give are refused.
fn import_private(der: &[u8]) -> CkResult<Vec<Attribute>> {
    let bad = CKR_WRAPPED_KEY_INVALID;
    let [n, e, d, p, q, dp, dq, qinv] = pkcs8::decode(der).ok_or(bad)?;
    let key = build_private(n, e, d, Some((p, q))).map_err(|_| bad)?;
    let given = [dp, dq, qinv].map(|x| Zeroizing::new(normalised(x)));
    let derived = [&key.dp, &key.dq, &key.qinv];
    if !given
        .iter()
        .zip(derived)
        .all(|(g, d)| components::same(g, d))
    {
        return Err(bad);
    }
    Ok(private_attributes(&key))
}

/// An RSA private key ready for the private-key operation: the public
/// key for sizes and encodings, and the engine that does the arithmetic.
/// Dereferences to the public key (`size()`, `n_bytes()`...).
#[derive(Clone)]
pub struct RsaPrivate {
    public: RsaPublic,
    /// Our constant-time CRT code (`crt`).
    crt: CrtKey,
}

impl std::ops::Deref for RsaPrivate {
    type Target = RsaPublic;
    fn deref(&self) -> &RsaPublic {
        &self.public
    }
}

impl RsaPrivate {
    pub fn as_public_key(&self) -> &RsaPublic {
        &self.public
    }

    /// The key of a CKO_PRIVATE_KEY object of type CKK_RSA. The object's
    /// values were validated and completed when it was made (`complete`);
    /// stored CRT values `CrtKey` refuses anyway are derived again from
    /// n, e, d and the primes, and a value that is inconsistent still makes
    /// the result fail its check in `private_op` (an error, never a wrong
    /// result).
    pub fn from_object(key: &Object) -> CkResult<Self> {
        check_key(key, CKO_PRIVATE_KEY, &[CKK_RSA])?;
        let n = key.require(CKA_MODULUS)?;
        check_size(n).map_err(op_error)?;
        let e = key
            .get(CKA_PUBLIC_EXPONENT)
            .ok_or(CKR_KEY_TYPE_INCONSISTENT)?;
        let public = RsaPublic::new(n, e).map_err(op_error)?;
        let crt = match (
            key.get(CKA_PRIME_1),
            key.get(CKA_PRIME_2),
            key.get(CKA_EXPONENT_1),
            key.get(CKA_EXPONENT_2),
            key.get(CKA_COEFFICIENT),
        ) {
            (Some(p), Some(q), Some(dp), Some(dq), Some(qinv)) => {
                CrtKey::new(n, e, p, q, dp, dq, qinv)
            }
            _ => None,
        };
        let crt = match crt {
            Some(crt) => crt,
            None => {
                let k = private_from_object(key)?;
                CrtKey::new(&k.n, &k.e, &k.p, &k.q, &k.dp, &k.dq, &k.qinv)
                    .ok_or(CKR_KEY_TYPE_INCONSISTENT)?
            }
        };
        if crt.size() != public.size() {
            return Err(CKR_KEY_TYPE_INCONSISTENT);
        }
        Ok(RsaPrivate { public, crt })
    }
}

/// Why a private-key operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrivateOpError {
    /// The representative is not below n (RFC 8017 "decryption error" /
    /// "message representative out of range").
    Decryption,
    /// The random source failed.
    Rng,
    /// The result failed its check (a fault).
    Internal,
}

/// Raw RSADP / RSASP1 (RFC 8017 5.1.2, 5.2.1) on a k-octet string.
/// `Err(Decryption)` when the representative is not below n;
/// `Err(Internal)` when the result fails its check (a fault).
///
/// The CRT engine blinds the exponents with fresh random multiples of
/// p-1 and q-1 and checks s^e = x.
pub fn private_op(key: &RsaPrivate, input: &[u8]) -> Result<Zeroizing<Vec<u8>>, PrivateOpError> {
    if !below(input, key.n_bytes()) {
        return Err(PrivateOpError::Decryption);
    }
    let mut blind = Zeroizing::new([0u8; 16]);
    getrandom::fill(&mut *blind).map_err(|_| PrivateOpError::Rng)?;
    let s = key
        .crt
        .private_op(input, &blind)
        .ok_or(PrivateOpError::Internal)?;
    to_k_octets(&s, key.size()).ok_or(PrivateOpError::Internal)
}

/// Whether the big-endian `x` is below the big-endian `n` (public values).
fn below(x: &[u8], n: &[u8]) -> bool {
    let (x, n) = (strip(x), strip(n));
    x.len() < n.len() || (x.len() == n.len() && x < n)
}

/// The last k octets of a big-endian value below n (I2OSP).
fn to_k_octets(bytes: &[u8], k: usize) -> Option<Zeroizing<Vec<u8>>> {
    let start = bytes.len().checked_sub(k)?;
    Some(Zeroizing::new(bytes.get(start..)?.to_vec()))
}

/// The public exponent a caller asked for in CKA_PUBLIC_EXPONENT: odd, at
/// least 3 and at most MAX_PUB_EXPONENT (2^33 - 1).
pub fn parse_public_exponent(bytes: &[u8]) -> CkResult<u64> {
    let s = strip(bytes);
    if s.len() > 8 {
        return Err(CKR_ATTRIBUTE_VALUE_INVALID);
    }
    let e = s.iter().fold(0u64, |acc, &b| (acc << 8) | b as u64);
    if e < 3 || e.is_multiple_of(2) || e > MAX_PUB_EXPONENT {
        return Err(CKR_ATTRIBUTE_VALUE_INVALID);
    }
    Ok(e)
}
