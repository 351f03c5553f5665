//! Elliptic curve keys (CKK_EC), key pair generation, ECDSA and ECDH
//! (PKCS#11 3.1 mechanism section "Elliptic Curve").
//!
//! - CKA_EC_PARAMS is the DER of the curve's OID (the namedCurve choice of
//!   ECParameters); only curves in `CURVES` are accepted.
//! - CKA_EC_POINT is stored as a DER OCTET STRING wrapping the
//!   uncompressed point ("EC public key objects"); imports may give it raw
//!   or wrapped, compressed or uncompressed.
//! - Private CKA_VALUE is the big-endian scalar, stored at the curve's
//!   length.
//!
//! Curves live in one table keyed by OID; each row points at a `CurveOps`
//! made by `curve_ops!` from a RustCrypto curve type, so adding P-384 is a
//! dependency, one macro line and one table row.
use ecdsa::hazmat;
use p256::elliptic_curve;
use zeroize::Zeroizing;

use super::digest::hasher_for;
use super::{
    CkMechanism, DigestOp, Generated, KeyLookup, KeyTypeDef, Mechanism, Param, Registry, SignOp,
    VerifyOp, check_key, info, random_bytes,
};
use crate::CK_ULONG;
use crate::attr::policy::{AttrMap, Default, Kind, Rule, flag::*};
use crate::attr::{self, Attribute};
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

// ---------------------------------------------------------------------------
// Minimal DER: what EC parameters and points need.

/// One DER TLV that spans all of `b`: (tag, contents). Definite, minimal
/// lengths only.
fn der_tlv(b: &[u8]) -> Option<(u8, &[u8])> {
    let (&tag, rest) = b.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (len_bytes, rest) = rest.split_at(n);
        if len_bytes.first() == Some(&0) {
            return None;
        }
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, &x| (acc << 8) | x as usize);
        if len < 0x80 {
            return None;
        }
        (len, rest)
    };
    (rest.len() == len).then_some((tag, rest))
}

/// DER OCTET STRING of `content`.
fn der_octet_string(content: &[u8]) -> Vec<u8> {
    let mut out = vec![0x04];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

// ---------------------------------------------------------------------------
// Curves.

/// One curve's arithmetic on byte strings. Inputs of the wrong length or
/// out of range give `None` / `false`: callers choose the CKR.
trait CurveOps: Sync {
    /// A SEC1 point (02/03 compressed or 04 uncompressed) on the curve and
    /// not the identity, re-encoded uncompressed.
    fn point(&self, sec1: &[u8]) -> Option<Vec<u8>>;
    /// Whether a scalar of the curve's length is in [1, n-1].
    fn scalar_ok(&self, d: &[u8]) -> bool;
    /// d·G, uncompressed.
    fn public_point(&self, d: &[u8]) -> Option<Vec<u8>>;
    /// A uniformly random scalar in [1, n-1].
    fn generate(&self) -> CkResult<Zeroizing<Vec<u8>>>;
    /// ECDSA of the hash `z` (any length; bits2int per FIPS 186-5 6.4.1)
    /// with the RFC 6979 nonce, hedged with `entropy`; raw r||s. The nonce
    /// generator uses `hash` (CKM_SHA*), the message's hash as RFC 6979
    /// says, or the curve's own hash when unknown (CKM_ECDSA).
    fn sign(&self, d: &[u8], z: &[u8], entropy: &[u8], hash: Option<CK_ULONG>) -> Option<Vec<u8>>;
    /// Checks a raw r||s signature of `z` under the uncompressed point `q`.
    fn verify(&self, q: &[u8], z: &[u8], sig: &[u8]) -> bool;
    /// The x-coordinate of d·Q (SEC 1 3.3.1 ECDH primitive).
    fn ecdh(&self, d: &[u8], q: &[u8]) -> Option<Zeroizing<Vec<u8>>>;
    /// DER SubjectPublicKeyInfo of `q`.
    fn spki(&self, q: &[u8]) -> Option<Vec<u8>>;
    /// PKCS#8 PrivateKeyInfo of `d` (with its public key).
    fn to_pkcs8(&self, d: &[u8]) -> Option<Zeroizing<Vec<u8>>>;
    /// The scalar of a PKCS#8 PrivateKeyInfo for this curve.
    fn parse_pkcs8(&self, der: &[u8]) -> Option<Zeroizing<Vec<u8>>>;
}

/// Implements `CurveOps` for a RustCrypto curve (p256::NistP256, ...).
macro_rules! curve_ops {
    ($name:ident, $curve:ty) => {
        struct $name;

        impl $name {
            fn secret(d: &[u8]) -> Option<elliptic_curve::SecretKey<$curve>> {
                let bytes = Zeroizing::new(elliptic_curve::FieldBytes::<$curve>::try_from(d).ok()?);
                elliptic_curve::SecretKey::<$curve>::from_bytes(&bytes).ok()
            }
            fn public(q: &[u8]) -> Option<elliptic_curve::PublicKey<$curve>> {
                elliptic_curve::PublicKey::<$curve>::from_sec1_bytes(q).ok()
            }
            fn encode(q: &elliptic_curve::PublicKey<$curve>) -> Vec<u8> {
                use elliptic_curve::sec1::ToSec1Point;
                q.to_sec1_point(false).as_bytes().to_vec()
            }
        }

        impl CurveOps for $name {
            fn point(&self, sec1: &[u8]) -> Option<Vec<u8>> {
                Self::public(sec1).map(|q| Self::encode(&q))
            }
            fn scalar_ok(&self, d: &[u8]) -> bool {
                Self::secret(d).is_some()
            }
            fn public_point(&self, d: &[u8]) -> Option<Vec<u8>> {
                Self::secret(d).map(|sk| Self::encode(&sk.public_key()))
            }
            fn generate(&self) -> CkResult<Zeroizing<Vec<u8>>> {
                use elliptic_curve::Generate;
                use elliptic_curve::common::getrandom::SysRng;
                let sk = elliptic_curve::SecretKey::<$curve>::try_generate_from_rng(&mut SysRng)
                    .map_err(|_| CKR_FUNCTION_FAILED)?;
                Ok(Zeroizing::new(Zeroizing::new(sk.to_bytes()).to_vec()))
            }
            fn sign(
                &self,
                d: &[u8],
                z: &[u8],
                entropy: &[u8],
                hash: Option<CK_ULONG>,
            ) -> Option<Vec<u8>> {
                use hazmat::sign_prehashed_rfc6979 as sign;
                type Own = <$curve as ecdsa::DigestAlgorithm>::Digest;
                let x = Zeroizing::new(Self::secret(d)?.to_nonzero_scalar());
                let (sig, _) = match hash {
                    Some(CKM_SHA_1) => sign::<$curve, sha1::Sha1>(&x, z, entropy),
                    Some(CKM_SHA224) => sign::<$curve, sha2::Sha224>(&x, z, entropy),
                    Some(CKM_SHA256) => sign::<$curve, sha2::Sha256>(&x, z, entropy),
                    Some(CKM_SHA384) => sign::<$curve, sha2::Sha384>(&x, z, entropy),
                    Some(CKM_SHA512) => sign::<$curve, sha2::Sha512>(&x, z, entropy),
                    _ => sign::<$curve, Own>(&x, z, entropy),
                };
                Some(sig.to_bytes().to_vec())
            }
            fn verify(&self, q: &[u8], z: &[u8], sig: &[u8]) -> bool {
                let (Some(q), Ok(sig)) =
                    (Self::public(q), ecdsa::Signature::<$curve>::from_slice(sig))
                else {
                    return false;
                };
                hazmat::verify_prehashed::<$curve>(&q.to_projective(), z, &sig).is_ok()
            }
            fn ecdh(&self, d: &[u8], q: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
                let shared = Self::secret(d)?.diffie_hellman(&Self::public(q)?);
                Some(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
            }
            fn spki(&self, q: &[u8]) -> Option<Vec<u8>> {
                use elliptic_curve::pkcs8::EncodePublicKey;
                Some(
                    Self::public(q)?
                        .to_public_key_der()
                        .ok()?
                        .as_bytes()
                        .to_vec(),
                )
            }
            fn to_pkcs8(&self, d: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
                use elliptic_curve::pkcs8::EncodePrivateKey;
                let doc = Self::secret(d)?.to_pkcs8_der().ok()?;
                Some(Zeroizing::new(doc.as_bytes().to_vec()))
            }
            fn parse_pkcs8(&self, der: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
                use elliptic_curve::pkcs8::DecodePrivateKey;
                let sk = elliptic_curve::SecretKey::<$curve>::from_pkcs8_der(der).ok()?;
                Some(Zeroizing::new(Zeroizing::new(sk.to_bytes()).to_vec()))
            }
        }
    };
}

curve_ops!(P256Ops, p256::NistP256);

/// A supported curve.
pub struct Curve {
    pub name: &'static str,
    /// CKA_EC_PARAMS: DER of the curve's OID.
    pub params: &'static [u8],
    /// The size PKCS#11 reports for the key (bits of the order n).
    pub bits: CK_ULONG,
    /// Bytes of a field element, a scalar and each signature half.
    pub len: usize,
    ops: &'static dyn CurveOps,
}

/// Every curve the token implements.
pub static CURVES: &[Curve] = &[Curve {
    name: "secp256r1 (P-256)",
    // 1.2.840.10045.3.1.7
    params: &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
    bits: 256,
    len: 32,
    ops: &P256Ops,
}];

/// The curve named by a CKA_EC_PARAMS value. Well-formed parameters of a
/// curve we lack give CKR_CURVE_NOT_SUPPORTED (a named curve: OID or, in
/// 3.x, PrintableString) or CKR_DOMAIN_PARAMS_INVALID (explicit
/// ECParameters or implicitlyCA, which we do not advertise:
/// CKF_EC_ECPARAMETERS is not set); anything else is
/// CKR_ATTRIBUTE_VALUE_INVALID.
pub fn curve_of(params: &[u8]) -> CkResult<&'static Curve> {
    if let Some(c) = CURVES.iter().find(|c| c.params == params) {
        return Ok(c);
    }
    match der_tlv(params) {
        Some((0x06 | 0x13, v)) if !v.is_empty() => Err(CKR_CURVE_NOT_SUPPORTED),
        Some((0x30, _)) | Some((0x05, [])) => Err(CKR_DOMAIN_PARAMS_INVALID),
        _ => Err(CKR_ATTRIBUTE_VALUE_INVALID),
    }
}

impl Curve {
    fn is_sec1_len(&self, b: &[u8]) -> bool {
        match b.first() {
            Some(4) => b.len() == 1 + 2 * self.len,
            Some(2 | 3) => b.len() == 1 + self.len,
            _ => false,
        }
    }

    /// A point given raw (SEC1) or as a DER OCTET STRING around SEC1,
    /// checked to be on the curve; returned uncompressed. The two forms
    /// cannot be confused: a raw point's length never matches its own
    /// first bytes read as a DER header.
    pub fn parse_point(&self, b: &[u8]) -> Option<Vec<u8>> {
        let raw = if self.is_sec1_len(b) {
            b
        } else {
            match der_tlv(b)? {
                (0x04, inner) if self.is_sec1_len(inner) => inner,
                _ => return None,
            }
        };
        self.ops.point(raw)
    }

    /// A big-endian scalar of any length (leading zeros allowed or
    /// stripped) as exactly `len` bytes, if in [1, n-1].
    pub fn normalise_scalar(&self, b: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
        let digits = b.get(start..)?;
        if digits.len() > self.len {
            return None;
        }
        let mut out = Zeroizing::new(vec![0u8; self.len]);
        out.get_mut(self.len - digits.len()..)?
            .copy_from_slice(digits);
        self.ops.scalar_ok(&out).then_some(out)
    }
}

/// Fills CKA_PUBLIC_KEY_INFO from the point when absent or empty; a value
/// given by the caller must be the same encoding.
fn fill_spki(curve: &Curve, q: &[u8], attrs: &mut AttrMap) -> CkResult<()> {
    let spki = curve.ops.spki(q).ok_or(CKR_GENERAL_ERROR)?;
    match attrs.get(&CKA_PUBLIC_KEY_INFO) {
        Some(given) if !given.is_empty() && **given != spki => Err(CKR_TEMPLATE_INCONSISTENT),
        _ => {
            attrs.insert(CKA_PUBLIC_KEY_INFO, Zeroizing::new(spki));
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------
// The CKK_EC key type (3.1 "EC public key objects", "EC private key objects").

/// EC public key: CKA_EC_PARAMS (footnotes 1, 3), CKA_EC_POINT (1, 4).
static PUBLIC_RULES: &[Rule] = &[
    Rule {
        kind: CKA_EC_PARAMS,
        value: Kind::Bytes,
        flags: REQ_CREATE | REQ_GEN,
        default: Default::None,
    },
    Rule {
        kind: CKA_EC_POINT,
        value: Kind::Bytes,
        flags: REQ_CREATE | NO_GEN,
        default: Default::None,
    },
];

/// EC private key: CKA_EC_PARAMS (1, 4, 6), CKA_VALUE (1, 4, 6, 7).
static PRIVATE_RULES: &[Rule] = &[
    Rule {
        kind: CKA_EC_PARAMS,
        value: Kind::Bytes,
        flags: REQ_CREATE | NO_GEN | NO_UNWRAP,
        default: Default::None,
    },
    Rule {
        kind: CKA_VALUE,
        value: Kind::Bytes,
        flags: REQ_CREATE | NO_GEN | NO_UNWRAP | SENSITIVE,
        default: Default::None,
    },
];

static EC_KEY: KeyTypeDef = KeyTypeDef {
    ckk: CKK_EC,
    public: PUBLIC_RULES,
    private: PRIVATE_RULES,
    secret: &[],
    complete: complete_ec,
    export_private: Some(export_private),
    import_private: Some(import_private),
};

/// Validates an imported EC key: a supported curve, a point on it (stored
/// DER-wrapped and uncompressed) or a scalar in range (stored at the
/// curve's length), and fills CKA_PUBLIC_KEY_INFO.
fn complete_ec(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
    let curve = curve_of(attrs.get(&CKA_EC_PARAMS).ok_or(CKR_TEMPLATE_INCOMPLETE)?)?;
    match class {
        CKO_PUBLIC_KEY => {
            let given = attrs.get(&CKA_EC_POINT).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
            let q = curve
                .parse_point(given)
                .ok_or(CKR_ATTRIBUTE_VALUE_INVALID)?;
            attrs.insert(CKA_EC_POINT, Zeroizing::new(der_octet_string(&q)));
            fill_spki(curve, &q, attrs)
        }
        CKO_PRIVATE_KEY => {
            let given = attrs.get(&CKA_VALUE).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
            let d = curve
                .normalise_scalar(given)
                .ok_or(CKR_ATTRIBUTE_VALUE_INVALID)?;
            let q = curve.ops.public_point(&d).ok_or(CKR_GENERAL_ERROR)?;
            attrs.insert(CKA_VALUE, d);
            fill_spki(curve, &q, attrs)
        }
        _ => Err(CKR_TEMPLATE_INCONSISTENT),
    }
}

/// The curve and scalar of a stored private key.
fn private_parts(key: &Object) -> CkResult<(&'static Curve, &[u8])> {
    let curve = curve_of(key.require(CKA_EC_PARAMS)?)?;
    let d = key.require(CKA_VALUE)?;
    if d.len() != curve.len || !curve.ops.scalar_ok(d) {
        return Err(CKR_KEY_TYPE_INCONSISTENT);
    }
    Ok((curve, d))
}

/// PKCS#8 PrivateKeyInfo (RFC 5208 + RFC 5915 ECPrivateKey with the
/// public key), for C_WrapKey.
fn export_private(key: &Object) -> CkResult<Zeroizing<Vec<u8>>> {
    let (curve, d) = private_parts(key)?;
    curve.ops.to_pkcs8(d).ok_or(CKR_GENERAL_ERROR)
}

/// The inverse of `export_private` for C_UnwrapKey: the curve comes from
/// the AlgorithmIdentifier parameters.
fn import_private(der: &[u8]) -> CkResult<Vec<Attribute>> {
    use elliptic_curve::pkcs8::der::{Decode, Encode};
    let info = elliptic_curve::pkcs8::PrivateKeyInfoRef::from_der(der)
        .map_err(|_| CKR_WRAPPED_KEY_INVALID)?;
    let params = info.algorithm.parameters.ok_or(CKR_WRAPPED_KEY_INVALID)?;
    let params = params.to_der().map_err(|_| CKR_WRAPPED_KEY_INVALID)?;
    let curve = curve_of(&params).map_err(|e| {
        if e == CKR_ATTRIBUTE_VALUE_INVALID {
            CKR_WRAPPED_KEY_INVALID
        } else {
            e
        }
    })?;
    let d = curve.ops.parse_pkcs8(der).ok_or(CKR_WRAPPED_KEY_INVALID)?;
    Ok(vec![
        Attribute::ulong(CKA_KEY_TYPE, CKK_EC),
        Attribute::new(CKA_EC_PARAMS, curve.params),
        Attribute::new(CKA_VALUE, d.as_slice()),
    ])
}

// ---------------------------------------------------------------------------
// CKM_EC_KEY_PAIR_GEN ("Elliptic curve key pair generation").

struct EcKeyPairGen;
static EC_KEY_PAIR_GEN: EcKeyPairGen = EcKeyPairGen;

/// A template's CKA_CLASS / CKA_KEY_TYPE, if given, must be these.
fn check_template(t: &[Attribute], class: CK_ULONG) -> CkResult<()> {
    if attr::find_ulong(t, CKA_CLASS)?.is_some_and(|c| c != class)
        || attr::find_ulong(t, CKA_KEY_TYPE)?.is_some_and(|k| k != CKK_EC)
    {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    Ok(())
}

impl Mechanism for EcKeyPairGen {
    /// The curve comes from CKA_EC_PARAMS in the public template.
    fn generate_key_pair(
        &self,
        m: &CkMechanism,
        public: &[Attribute],
        private: &[Attribute],
    ) -> CkResult<(Generated, Generated)> {
        m.no_param()?;
        check_template(public, CKO_PUBLIC_KEY)?;
        check_template(private, CKO_PRIVATE_KEY)?;
        let params = attr::find(public, CKA_EC_PARAMS).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
        let curve = curve_of(params)?;
        if attr::find(private, CKA_EC_PARAMS).is_some_and(|p| p != curve.params) {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        let d = curve.ops.generate()?;
        let q = curve.ops.public_point(&d).ok_or(CKR_FUNCTION_FAILED)?;
        let spki = curve.ops.spki(&q).ok_or(CKR_FUNCTION_FAILED)?;
        let public_out = vec![
            Attribute::ulong(CKA_KEY_TYPE, CKK_EC),
            Attribute::new(CKA_EC_PARAMS, curve.params),
            Attribute::new(CKA_EC_POINT, der_octet_string(&q)),
            Attribute::new(CKA_PUBLIC_KEY_INFO, spki.clone()),
        ];
        let private_out = vec![
            Attribute::ulong(CKA_KEY_TYPE, CKK_EC),
            Attribute::new(CKA_EC_PARAMS, curve.params),
            Attribute::new(CKA_VALUE, d.as_slice()),
            Attribute::new(CKA_PUBLIC_KEY_INFO, spki),
        ];
        Ok((public_out, private_out))
    }
}

// ---------------------------------------------------------------------------
// ECDSA ("ECDSA without hashing", "ECDSA with hashing").

/// The hash of a hash-then-sign ECDSA mechanism; None for CKM_ECDSA.
fn ecdsa_hash(kind: CK_ULONG) -> CkResult<Option<CK_ULONG>> {
    Ok(match kind {
        CKM_ECDSA => None,
        CKM_ECDSA_SHA1 => Some(CKM_SHA_1),
        CKM_ECDSA_SHA224 => Some(CKM_SHA224),
        CKM_ECDSA_SHA256 => Some(CKM_SHA256),
        CKM_ECDSA_SHA384 => Some(CKM_SHA384),
        CKM_ECDSA_SHA512 => Some(CKM_SHA512),
        _ => return Err(CKR_MECHANISM_INVALID),
    })
}

/// A hash-then-sign mechanism's hash (CKM_SHA*) and its running state.
type Hashing = (Option<CK_ULONG>, Option<Box<dyn DigestOp>>);

/// The hash of `m` and a running hasher for it.
fn ecdsa_hasher(m: &CkMechanism) -> CkResult<Hashing> {
    m.no_param()?;
    let alg = ecdsa_hash(m.kind)?;
    Ok((alg, alg.map(hasher_for).transpose()?))
}

/// The value ECDSA signs: CKM_ECDSA's input is already the hash, of any
/// length; only its leftmost `len` bytes can matter to bits2int for the
/// curves here, so longer input is cut (bounding the work). An empty input
/// is the integer 0, which the nonce generator needs spelled out.
fn prehash<'a>(curve: &Curve, z: &'a [u8]) -> &'a [u8] {
    if z.is_empty() {
        return &[0];
    }
    z.get(..curve.len).unwrap_or(z)
}

struct EcdsaSign {
    curve: &'static Curve,
    d: Zeroizing<Vec<u8>>,
    /// The message hash (CKM_SHA*) and its running state; None for CKM_ECDSA.
    hash_alg: Option<CK_ULONG>,
    hash: Option<Box<dyn DigestOp>>,
}

impl EcdsaSign {
    fn sign(&self, z: &[u8]) -> CkResult<Vec<u8>> {
        // Hedged: RFC 6979 with fresh randomness as additional data.
        let entropy = random_bytes(self.curve.len)?;
        self.curve
            .ops
            .sign(&self.d, prehash(self.curve, z), &entropy, self.hash_alg)
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
    fn verify(&self, z: &[u8], signature: &[u8]) -> CkResult<()> {
        if signature.len() != 2 * self.curve.len {
            return Err(CKR_SIGNATURE_LEN_RANGE);
        }
        // r or s of 0 or >= n fail here as well.
        if self
            .curve
            .ops
            .verify(&self.q, prehash(self.curve, z), signature)
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

struct Ecdsa;
static ECDSA: Ecdsa = Ecdsa;

impl Mechanism for Ecdsa {
    fn sign_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn SignOp>> {
        let (hash_alg, hash) = ecdsa_hasher(m)?;
        check_key(key, CKO_PRIVATE_KEY, &[CKK_EC])?;
        let (curve, d) = private_parts(key)?;
        Ok(Box::new(EcdsaSign {
            curve,
            d: Zeroizing::new(d.to_vec()),
            hash_alg,
            hash,
        }))
    }

    fn verify_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn VerifyOp>> {
        let (_, hash) = ecdsa_hasher(m)?;
        check_key(key, CKO_PUBLIC_KEY, &[CKK_EC])?;
        let curve = curve_of(key.require(CKA_EC_PARAMS)?)?;
        let q = curve
            .parse_point(key.require(CKA_EC_POINT)?)
            .ok_or(CKR_KEY_TYPE_INCONSISTENT)?;
        Ok(Box::new(EcdsaVerify { curve, q, hash }))
    }
}

// ---------------------------------------------------------------------------
// CKM_ECDH1_DERIVE ("Elliptic curve Diffie-Hellman key derivation",
// parameters CK_ECDH1_DERIVE_PARAMS).

struct Ecdh;
static ECDH: Ecdh = Ecdh;

impl Mechanism for Ecdh {
    /// The shared x-coordinate (KDF CKD_NULL: no shared data allowed).
    /// A peer point that is malformed or not on the base key's curve is a
    /// bad mechanism parameter: CKR_MECHANISM_PARAM_INVALID.
    fn derive(
        &self,
        m: &CkMechanism,
        base: &Object,
        _keys: &dyn KeyLookup,
    ) -> CkResult<Zeroizing<Vec<u8>>> {
        let Param::Ecdh1 {
            kdf,
            shared_data,
            public_data,
        } = &m.param
        else {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        };
        if *kdf != CKD_NULL || !shared_data.is_empty() {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        }
        check_key(base, CKO_PRIVATE_KEY, &[CKK_EC])?;
        let (curve, d) = private_parts(base)?;
        let q = curve
            .parse_point(public_data)
            .ok_or(CKR_MECHANISM_PARAM_INVALID)?;
        curve.ops.ecdh(d, &q).ok_or(CKR_FUNCTION_FAILED)
    }
}

pub fn register(r: &mut Registry) {
    r.add_key_type(&EC_KEY);
    let min = CURVES.iter().map(|c| c.bits).min().unwrap_or(0);
    let max = CURVES.iter().map(|c| c.bits).max().unwrap_or(0);
    // Prime fields, named curves by OID, uncompressed points out.
    let ec = CKF_EC_F_P | CKF_EC_OID | CKF_EC_UNCOMPRESS;
    r.add(
        CKM_EC_KEY_PAIR_GEN,
        info(min, max, CKF_GENERATE_KEY_PAIR | ec),
        &EC_KEY_PAIR_GEN,
    );
    for kind in [
        CKM_ECDSA,
        CKM_ECDSA_SHA1,
        CKM_ECDSA_SHA224,
        CKM_ECDSA_SHA256,
        CKM_ECDSA_SHA384,
        CKM_ECDSA_SHA512,
    ] {
        r.add(kind, info(min, max, CKF_SIGN | CKF_VERIFY | ec), &ECDSA);
    }
    r.add(CKM_ECDH1_DERIVE, info(min, max, CKF_DERIVE | ec), &ECDH);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mech::NoKeys;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn sha256(data: &[u8]) -> Vec<u8> {
        let mut h = hasher_for(CKM_SHA256).unwrap();
        h.update(data);
        h.finalize()
    }

    const P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// The order n of P-256.
    const N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
    /// RFC 6979 A.2.5: the P-256 key pair.
    const D: &str = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
    const UX: &str = "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6";
    const UY: &str = "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";

    fn point() -> Vec<u8> {
        [vec![4], hex(UX), hex(UY)].concat()
    }

    fn object(class: CK_ULONG, pairs: &[(CK_ULONG, Vec<u8>)]) -> CkResult<Object> {
        let mut attrs: AttrMap = pairs
            .iter()
            .map(|(k, v)| (*k, Zeroizing::new(v.clone())))
            .collect();
        attrs.insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(class)));
        attrs.insert(CKA_KEY_TYPE, Zeroizing::new(attr::ulong_bytes(CKK_EC)));
        complete_ec(class, &mut attrs)?;
        Ok(Object::new(attrs))
    }

    fn rfc_private() -> Object {
        object(
            CKO_PRIVATE_KEY,
            &[(CKA_EC_PARAMS, P256.to_vec()), (CKA_VALUE, hex(D))],
        )
        .unwrap()
    }

    fn rfc_public() -> Object {
        object(
            CKO_PUBLIC_KEY,
            &[(CKA_EC_PARAMS, P256.to_vec()), (CKA_EC_POINT, point())],
        )
        .unwrap()
    }

    fn sign(kind: CK_ULONG, key: &Object, data: &[u8]) -> CkResult<Vec<u8>> {
        ECDSA
            .sign_init(&CkMechanism::new(kind), key)?
            .one_shot(data)
    }

    fn verify(kind: CK_ULONG, key: &Object, data: &[u8], sig: &[u8]) -> CkResult<()> {
        ECDSA
            .verify_init(&CkMechanism::new(kind), key)?
            .one_shot(data, sig)
    }

    /// n - s, big-endian, for s < n.
    fn negate(s: &[u8]) -> Vec<u8> {
        let n = hex(N);
        let mut out = vec![0u8; 32];
        let mut borrow = 0i16;
        for i in (0..32).rev() {
            let v = n[i] as i16 - s[i] as i16 - borrow;
            borrow = (v < 0) as i16;
            out[i] = v.rem_euclid(256) as u8;
        }
        out
    }

    #[test]
    fn der_helpers() {
        assert_eq!(der_tlv(&[0x04, 0x02, 1, 2]), Some((0x04, &[1u8, 2][..])));
        assert_eq!(der_tlv(&[0x04, 0x02, 1]), None);
        assert_eq!(der_tlv(&[0x04, 0x02, 1, 2, 3]), None);
        assert_eq!(
            der_tlv(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]),
            None,
            "long form for a short length"
        );
        assert_eq!(der_tlv(&[0x04, 0x80]), None, "indefinite length");
        assert_eq!(der_tlv(&[0x04]), None);
        assert_eq!(der_tlv(&[]), None);
        let long = vec![7u8; 133];
        let enc = der_octet_string(&long);
        assert_eq!(&enc[..3], &[0x04, 0x81, 0x85]);
        assert_eq!(der_tlv(&enc), Some((0x04, &long[..])));
        let longer = vec![7u8; 300];
        let enc = der_octet_string(&longer);
        assert_eq!(&enc[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(der_tlv(&enc), Some((0x04, &longer[..])));
        assert_eq!(der_octet_string(&[1, 2]), vec![4, 2, 1, 2]);
    }

    #[test]
    fn curve_params() {
        assert_eq!(curve_of(P256).unwrap().bits, 256);
        // secp384r1: a well-formed OID of a curve we lack.
        assert_eq!(
            curve_of(&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]).err(),
            Some(CKR_CURVE_NOT_SUPPORTED)
        );
        // A curve name (PrintableString), explicit parameters, implicitlyCA.
        assert_eq!(
            curve_of(b"\x13\x0aprime256v1").err(),
            Some(CKR_CURVE_NOT_SUPPORTED)
        );
        assert_eq!(
            curve_of(&[0x30, 0x03, 0x02, 0x01, 0x01]).err(),
            Some(CKR_DOMAIN_PARAMS_INVALID)
        );
        assert_eq!(
            curve_of(&[0x05, 0x00]).err(),
            Some(CKR_DOMAIN_PARAMS_INVALID)
        );
        for bad in [
            &[][..],
            &[0x06],
            &[0x06, 0x00],
            &[0x06, 0x09, 0x2a],
            &P256[2..],
            &[0x04, 0x01, 0x00],
        ] {
            assert_eq!(
                curve_of(bad).err(),
                Some(CKR_ATTRIBUTE_VALUE_INVALID),
                "{bad:02x?}"
            );
        }
    }

    #[test]
    fn points() {
        let c = curve_of(P256).unwrap();
        let q = point();
        assert_eq!(c.parse_point(&q), Some(q.clone()));
        assert_eq!(c.parse_point(&der_octet_string(&q)), Some(q.clone()));
        let compressed = [vec![2 + (q[64] & 1)], hex(UX)].concat();
        assert_eq!(c.parse_point(&compressed), Some(q.clone()));
        assert_eq!(
            c.parse_point(&der_octet_string(&compressed)),
            Some(q.clone())
        );
        let mut off_curve = q.clone();
        off_curve[64] ^= 1;
        assert_eq!(c.parse_point(&off_curve), None);
        assert_eq!(c.parse_point(&der_octet_string(&off_curve)), None);
        assert_eq!(c.parse_point(&q[..64]), None);
        assert_eq!(c.parse_point(&[0]), None, "identity");
        assert_eq!(c.parse_point(&der_octet_string(&[0])), None);
        assert_eq!(c.parse_point(&[]), None);
        // Hybrid form (06/07) is not accepted.
        let mut hybrid = q.clone();
        hybrid[0] = 6 + (q[64] & 1);
        assert_eq!(c.parse_point(&hybrid), None);
        // A point wrapped twice, or in the wrong tag.
        assert_eq!(
            c.parse_point(&der_octet_string(&der_octet_string(&q))),
            None
        );
        let mut bit_string = der_octet_string(&q);
        bit_string[0] = 0x03;
        assert_eq!(c.parse_point(&bit_string), None);
    }

    #[test]
    fn scalars() {
        let c = curve_of(P256).unwrap();
        let d = hex(D);
        assert_eq!(c.normalise_scalar(&d).unwrap().as_slice(), d.as_slice());
        assert_eq!(
            c.normalise_scalar(&[vec![0, 0], d.clone()].concat())
                .unwrap()
                .as_slice(),
            d.as_slice()
        );
        assert_eq!(
            c.normalise_scalar(&[1]).unwrap().as_slice(),
            [vec![0; 31], vec![1]].concat().as_slice()
        );
        assert!(c.normalise_scalar(&[]).is_none());
        assert!(c.normalise_scalar(&[0; 32]).is_none());
        assert!(c.normalise_scalar(&hex(N)).is_none());
        assert!(c.normalise_scalar(&[0xff; 32]).is_none());
        assert!(c.normalise_scalar(&[1; 33]).is_none());
        let n_minus_1 = negate(&[vec![0; 31], vec![1]].concat());
        assert!(c.normalise_scalar(&n_minus_1).is_some());
    }

    #[test]
    fn complete_public_and_private() {
        let public = rfc_public();
        assert_eq!(
            public.get(CKA_EC_POINT),
            Some(der_octet_string(&point()).as_slice())
        );
        let spki = public.get(CKA_PUBLIC_KEY_INFO).unwrap().to_vec();
        assert_eq!(&spki[..2], &[0x30, 0x59]);
        assert!(spki.ends_with(&point()));
        let wrapped = object(
            CKO_PUBLIC_KEY,
            &[
                (CKA_EC_PARAMS, P256.to_vec()),
                (CKA_EC_POINT, der_octet_string(&point())),
            ],
        );
        assert_eq!(wrapped.unwrap().get(CKA_EC_POINT), public.get(CKA_EC_POINT));

        let private = rfc_private();
        assert_eq!(private.get(CKA_PUBLIC_KEY_INFO), Some(spki.as_slice()));
        // A scalar with its leading zero stripped is stored at full length.
        let short_d = "00b5cd7a3b04c1b1e1f2d7b4e2f2d4b8e0c1a1d2e3f4a5b6c7d8e9fa0b1c2d3e";
        let k = object(
            CKO_PRIVATE_KEY,
            &[
                (CKA_EC_PARAMS, P256.to_vec()),
                (CKA_VALUE, hex(&short_d[2..])),
            ],
        )
        .unwrap();
        assert_eq!(k.get(CKA_VALUE), Some(hex(short_d).as_slice()));

        let given = |extra: (CK_ULONG, Vec<u8>)| {
            object(
                CKO_PUBLIC_KEY,
                &[
                    (CKA_EC_PARAMS, P256.to_vec()),
                    (CKA_EC_POINT, point()),
                    extra,
                ],
            )
            .map(|_| ())
        };
        assert_eq!(given((CKA_PUBLIC_KEY_INFO, spki.clone())), Ok(()));
        assert_eq!(given((CKA_PUBLIC_KEY_INFO, vec![])), Ok(()));
        assert_eq!(
            given((CKA_PUBLIC_KEY_INFO, vec![0x30, 0x00])),
            Err(CKR_TEMPLATE_INCONSISTENT)
        );

        let mut bad_point = point();
        bad_point[10] ^= 1;
        let err = |class, pairs: &[(CK_ULONG, Vec<u8>)]| object(class, pairs).err();
        assert_eq!(
            err(
                CKO_PUBLIC_KEY,
                &[(CKA_EC_PARAMS, P256.to_vec()), (CKA_EC_POINT, bad_point)]
            ),
            Some(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        assert_eq!(
            err(CKO_PUBLIC_KEY, &[(CKA_EC_PARAMS, P256.to_vec())]),
            Some(CKR_TEMPLATE_INCOMPLETE)
        );
        assert_eq!(
            err(CKO_PUBLIC_KEY, &[(CKA_EC_POINT, point())]),
            Some(CKR_TEMPLATE_INCOMPLETE)
        );
        let p384 = vec![0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
        assert_eq!(
            err(
                CKO_PUBLIC_KEY,
                &[(CKA_EC_PARAMS, p384), (CKA_EC_POINT, point())]
            ),
            Some(CKR_CURVE_NOT_SUPPORTED)
        );
        assert_eq!(
            err(
                CKO_PRIVATE_KEY,
                &[(CKA_EC_PARAMS, P256.to_vec()), (CKA_VALUE, hex(N))]
            ),
            Some(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        assert_eq!(
            err(
                CKO_PRIVATE_KEY,
                &[(CKA_EC_PARAMS, P256.to_vec()), (CKA_VALUE, vec![0])]
            ),
            Some(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        assert_eq!(
            err(CKO_PRIVATE_KEY, &[(CKA_EC_PARAMS, P256.to_vec())]),
            Some(CKR_TEMPLATE_INCOMPLETE)
        );
        assert_eq!(
            err(CKO_SECRET_KEY, &[(CKA_EC_PARAMS, P256.to_vec())]),
            Some(CKR_TEMPLATE_INCONSISTENT)
        );
    }

    /// RFC 6979 A.2.5 (P-256): d·G, and the deterministic signatures of
    /// "sample" (no added entropy reproduces them exactly; the nonce uses
    /// the message's hash).
    #[test]
    fn rfc_6979_known_answers() {
        let c = curve_of(P256).unwrap();
        assert_eq!(c.ops.public_point(&hex(D)), Some(point()));
        let cases: [(CK_ULONG, &str, &str); 5] = [
            (
                CKM_SHA256,
                "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
                "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
            ),
            (
                CKM_SHA_1,
                "61340c88c3aaebeb4f6d667f672ca9759a6ccaa9fa8811313039ee4a35471d32",
                "6d7f147dac089441bb2e2fe8f7a3fa264b9c475098fdcf6e00d7c996e1b8b7eb",
            ),
            (
                CKM_SHA224,
                "53b2fff5d1752b2c689df257c04c40a587fababb3f6fc2702f1343af7ca9aa3f",
                "b9afb64fdc03dc1a131c7d2386d11e349f070aa432a4acc918bea988bf75c74c",
            ),
            (
                CKM_SHA384,
                "0eafea039b20e9b42309fb1d89e213057cbf973dc0cfc8f129edddc800ef7719",
                "4861f0491e6998b9455193e34e7b0d284ddd7149a74b95b9261f13abde940954",
            ),
            (
                CKM_SHA512,
                "8496a60b5e9b47c825488827e0495b0e3fa109ec4568fd3f8d1097678eb97f00",
                "2362ab1adbe2b8adf9cb9edab740ea6049c028114f2460f96554f61fae3302fe",
            ),
        ];
        for (hash, r, s) in cases {
            let mut h = hasher_for(hash).unwrap();
            h.update(b"sample");
            let z = h.finalize();
            let want = [hex(r), hex(s)].concat();
            assert_eq!(
                c.ops.sign(&hex(D), &z, &[], Some(hash)),
                Some(want.clone()),
                "{hash:#x}"
            );
            let mech = [
                CKM_ECDSA_SHA1,
                CKM_ECDSA_SHA224,
                CKM_ECDSA_SHA256,
                CKM_ECDSA_SHA384,
                CKM_ECDSA_SHA512,
            ]
            .into_iter()
            .find(|&k| ecdsa_hash(k) == Ok(Some(hash)))
            .unwrap();
            assert_eq!(verify(mech, &rfc_public(), b"sample", &want), Ok(()));
            assert_eq!(verify(CKM_ECDSA, &rfc_public(), &z, &want), Ok(()));
        }
    }

    #[test]
    fn sign_and_verify() {
        let (private, public) = (rfc_private(), rfc_public());
        let msg = b"PKCS#11 ECDSA test message";
        for kind in [
            CKM_ECDSA_SHA1,
            CKM_ECDSA_SHA224,
            CKM_ECDSA_SHA256,
            CKM_ECDSA_SHA384,
            CKM_ECDSA_SHA512,
        ] {
            let sig = sign(kind, &private, msg).unwrap();
            assert_eq!(sig.len(), 64);
            assert_eq!(verify(kind, &public, msg, &sig), Ok(()), "{kind:#x}");
            assert_eq!(
                verify(kind, &public, b"other", &sig),
                Err(CKR_SIGNATURE_INVALID)
            );
            // Multi-part gives a signature over the same hash.
            let mut op = ECDSA.sign_init(&CkMechanism::new(kind), &private).unwrap();
            assert_eq!(op.signature_len(), 64);
            op.update(&msg[..5]).unwrap();
            op.update(&msg[5..]).unwrap();
            let parts = op.finalize().unwrap();
            let mut v = ECDSA.verify_init(&CkMechanism::new(kind), &public).unwrap();
            v.update(&msg[..7]).unwrap();
            v.update(&msg[7..]).unwrap();
            assert_eq!(v.finalize(&parts), Ok(()));
        }
        // Hedged: two signatures of one message differ, both verify.
        let a = sign(CKM_ECDSA_SHA256, &private, msg).unwrap();
        let b = sign(CKM_ECDSA_SHA256, &private, msg).unwrap();
        assert_ne!(a, b);
        // High S is as valid as low S (no normalisation for P-256).
        let high = [a[..32].to_vec(), negate(&a[32..])].concat();
        assert_eq!(verify(CKM_ECDSA_SHA256, &public, msg, &high), Ok(()));
        // Errors.
        let mut flipped = a.clone();
        flipped[40] ^= 0x80;
        assert_eq!(
            verify(CKM_ECDSA_SHA256, &public, msg, &flipped),
            Err(CKR_SIGNATURE_INVALID)
        );
        assert_eq!(
            verify(CKM_ECDSA_SHA256, &public, msg, &a[..63]),
            Err(CKR_SIGNATURE_LEN_RANGE)
        );
        assert_eq!(
            verify(
                CKM_ECDSA_SHA256,
                &public,
                msg,
                &[a.clone(), vec![0]].concat()
            ),
            Err(CKR_SIGNATURE_LEN_RANGE)
        );
        assert_eq!(
            verify(CKM_ECDSA_SHA256, &public, msg, &[0; 64]),
            Err(CKR_SIGNATURE_INVALID)
        );
        let r_is_n = [hex(N), a[32..].to_vec()].concat();
        assert_eq!(
            verify(CKM_ECDSA_SHA256, &public, msg, &r_is_n),
            Err(CKR_SIGNATURE_INVALID)
        );
    }

    #[test]
    fn raw_ecdsa() {
        let (private, public) = (rfc_private(), rfc_public());
        let z = sha256(b"abc");
        let sig = sign(CKM_ECDSA, &private, &z).unwrap();
        assert_eq!(verify(CKM_ECDSA, &public, &z, &sig), Ok(()));
        assert_eq!(verify(CKM_ECDSA_SHA256, &public, b"abc", &sig), Ok(()));
        // A longer input counts by its leftmost 256 bits; a shorter one is
        // zero-extended on the left (FIPS 186-5 bits2int).
        let long = [z.clone(), vec![0xee; 32]].concat();
        assert_eq!(verify(CKM_ECDSA, &public, &long, &sig), Ok(()));
        let short = sign(CKM_ECDSA, &private, &z[..20]).unwrap();
        assert_eq!(
            verify(
                CKM_ECDSA,
                &public,
                &[vec![0; 12], z[..20].to_vec()].concat(),
                &short
            ),
            Ok(())
        );
        // Empty input signs the integer 0.
        let empty = sign(CKM_ECDSA, &private, &[]).unwrap();
        assert_eq!(verify(CKM_ECDSA, &public, &[0; 32], &empty), Ok(()));
        // Single-part only.
        let mut op = ECDSA
            .sign_init(&CkMechanism::new(CKM_ECDSA), &private)
            .unwrap();
        assert_eq!(op.update(&z), Err(CKR_FUNCTION_NOT_SUPPORTED));
        let mut v = ECDSA
            .verify_init(&CkMechanism::new(CKM_ECDSA), &public)
            .unwrap();
        assert_eq!(v.update(&z), Err(CKR_FUNCTION_NOT_SUPPORTED));
    }

    #[test]
    fn ecdsa_init_checks() {
        let (private, public) = (rfc_private(), rfc_public());
        assert_eq!(
            ECDSA.sign_init(&CkMechanism::new(CKM_ECDSA), &public).err(),
            Some(CKR_KEY_TYPE_INCONSISTENT)
        );
        assert_eq!(
            ECDSA
                .verify_init(&CkMechanism::new(CKM_ECDSA), &private)
                .err(),
            Some(CKR_KEY_TYPE_INCONSISTENT)
        );
        let with_param = CkMechanism::with(CKM_ECDSA_SHA256, Param::Bytes(vec![1]));
        assert_eq!(
            ECDSA.sign_init(&with_param, &private).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        let mut rsa = private.clone();
        rsa.attrs
            .insert(CKA_KEY_TYPE, Zeroizing::new(attr::ulong_bytes(CKK_RSA)));
        assert_eq!(
            ECDSA.sign_init(&CkMechanism::new(CKM_ECDSA), &rsa).err(),
            Some(CKR_KEY_TYPE_INCONSISTENT)
        );
    }

    #[test]
    fn key_pair_generation() {
        let m = CkMechanism::new(CKM_EC_KEY_PAIR_GEN);
        let (public, private) = EC_KEY_PAIR_GEN
            .generate_key_pair(&m, &[Attribute::new(CKA_EC_PARAMS, P256)], &[])
            .unwrap();
        let to_object = |class: CK_ULONG, attrs: &[Attribute]| {
            let mut map: AttrMap = attrs
                .iter()
                .map(|a| (a.kind, Zeroizing::new(a.value.clone())))
                .collect();
            map.insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(class)));
            Object::new(map)
        };
        assert_eq!(attr::find_ulong(&public, CKA_KEY_TYPE), Ok(Some(CKK_EC)));
        assert_eq!(attr::find(&public, CKA_EC_PARAMS), Some(P256));
        assert_eq!(attr::find(&private, CKA_EC_PARAMS), Some(P256));
        let ec_point = attr::find(&public, CKA_EC_POINT).unwrap();
        assert_eq!(&ec_point[..3], &[0x04, 0x41, 0x04]);
        assert_eq!(attr::find(&private, CKA_VALUE).unwrap().len(), 32);
        assert_eq!(attr::find(&private, CKA_EC_POINT), None);
        assert_eq!(
            attr::find(&public, CKA_PUBLIC_KEY_INFO),
            attr::find(&private, CKA_PUBLIC_KEY_INFO)
        );
        let (public, private) = (
            to_object(CKO_PUBLIC_KEY, &public),
            to_object(CKO_PRIVATE_KEY, &private),
        );
        let sig = sign(CKM_ECDSA_SHA256, &private, b"generated").unwrap();
        assert_eq!(
            verify(CKM_ECDSA_SHA256, &public, b"generated", &sig),
            Ok(())
        );
        // What the generator returned passes the import checks unchanged.
        let mut attrs = private.attrs.clone();
        complete_ec(CKO_PRIVATE_KEY, &mut attrs).unwrap();
        assert_eq!(attrs, private.attrs);

        let gen_err = |public: &[Attribute], private: &[Attribute]| {
            EC_KEY_PAIR_GEN.generate_key_pair(&m, public, private).err()
        };
        assert_eq!(gen_err(&[], &[]), Some(CKR_TEMPLATE_INCOMPLETE));
        let p384 = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
        assert_eq!(
            gen_err(&[Attribute::new(CKA_EC_PARAMS, p384)], &[]),
            Some(CKR_CURVE_NOT_SUPPORTED)
        );
        assert_eq!(
            gen_err(&[Attribute::new(CKA_EC_PARAMS, vec![1, 2])], &[]),
            Some(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        let p = [Attribute::new(CKA_EC_PARAMS, P256)];
        assert_eq!(
            gen_err(&p, &[Attribute::new(CKA_EC_PARAMS, p384)]),
            Some(CKR_TEMPLATE_INCONSISTENT)
        );
        assert_eq!(
            gen_err(&p, &[Attribute::ulong(CKA_KEY_TYPE, CKK_RSA)]),
            Some(CKR_TEMPLATE_INCONSISTENT)
        );
        assert_eq!(
            gen_err(
                &[p[0].clone(), Attribute::ulong(CKA_CLASS, CKO_PRIVATE_KEY)],
                &[]
            ),
            Some(CKR_TEMPLATE_INCONSISTENT)
        );
        let with_param = CkMechanism::with(CKM_EC_KEY_PAIR_GEN, Param::Bytes(vec![0]));
        assert_eq!(
            EC_KEY_PAIR_GEN
                .generate_key_pair(&with_param, &p, &[])
                .err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
    }

    fn ecdh_param(kdf: CK_ULONG, shared_data: Vec<u8>, public_data: Vec<u8>) -> CkMechanism {
        CkMechanism::with(
            CKM_ECDH1_DERIVE,
            Param::Ecdh1 {
                kdf,
                shared_data,
                public_data,
            },
        )
    }

    #[test]
    fn ecdh() {
        let m = CkMechanism::new(CKM_EC_KEY_PAIR_GEN);
        let p = [Attribute::new(CKA_EC_PARAMS, P256)];
        let keys: Vec<(Vec<u8>, Object)> = (0..2)
            .map(|_| {
                let (public, private) = EC_KEY_PAIR_GEN.generate_key_pair(&m, &p, &[]).unwrap();
                let point = attr::find(&public, CKA_EC_POINT).unwrap().to_vec();
                let mut map: AttrMap = private
                    .iter()
                    .map(|a| (a.kind, Zeroizing::new(a.value.clone())))
                    .collect();
                map.insert(
                    CKA_CLASS,
                    Zeroizing::new(attr::ulong_bytes(CKO_PRIVATE_KEY)),
                );
                (point, Object::new(map))
            })
            .collect();
        let (a_point, a) = &keys[0];
        let (b_point, b) = &keys[1];
        // The peer point as stored (DER) or raw: both accepted, same secret.
        let ab = ECDH
            .derive(&ecdh_param(CKD_NULL, vec![], b_point.clone()), a, &NoKeys)
            .unwrap();
        let ba = ECDH
            .derive(
                &ecdh_param(CKD_NULL, vec![], a_point[2..].to_vec()),
                b,
                &NoKeys,
            )
            .unwrap();
        assert_eq!(ab.len(), 32);
        assert_eq!(ab, ba);

        let err = |m: CkMechanism| ECDH.derive(&m, a, &NoKeys).err();
        assert_eq!(
            err(ecdh_param(CKD_SHA256_KDF, vec![], b_point.clone())),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            err(ecdh_param(CKD_NULL, vec![1], b_point.clone())),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        let mut off_curve = b_point.clone();
        off_curve[40] ^= 1;
        assert_eq!(
            err(ecdh_param(CKD_NULL, vec![], off_curve)),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            err(ecdh_param(CKD_NULL, vec![], vec![])),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            err(ecdh_param(CKD_NULL, vec![], vec![0])),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            err(CkMechanism::new(CKM_ECDH1_DERIVE)),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            ECDH.derive(
                &ecdh_param(CKD_NULL, vec![], b_point.clone()),
                &rfc_public(),
                &NoKeys
            )
            .err(),
            Some(CKR_KEY_TYPE_INCONSISTENT)
        );
    }

    #[test]
    fn pkcs8_round_trip() {
        let private = rfc_private();
        let der = export_private(&private).unwrap();
        let attrs = import_private(&der).unwrap();
        assert_eq!(attr::find(&attrs, CKA_VALUE), Some(hex(D).as_slice()));
        assert_eq!(attr::find(&attrs, CKA_EC_PARAMS), Some(P256));
        assert_eq!(attr::find_ulong(&attrs, CKA_KEY_TYPE), Ok(Some(CKK_EC)));
        // The PKCS#8 names id-ecPublicKey and prime256v1.
        let alg = hex("301306072a8648ce3d020106082a8648ce3d030107");
        assert!(der.windows(alg.len()).any(|w| w == alg.as_slice()));
        assert_eq!(
            import_private(&der[..der.len() - 1]),
            Err(CKR_WRAPPED_KEY_INVALID)
        );
        assert_eq!(import_private(&[]), Err(CKR_WRAPPED_KEY_INVALID));
        // The same key under a curve we lack: prime239v3 (1.2.840.10045.3.1.6)
        // has an OID of the same length, patched in.
        let mut other = der.to_vec();
        let at = other.windows(P256.len()).position(|w| w == P256).unwrap();
        other[at + P256.len() - 1] = 0x06;
        assert_eq!(import_private(&other).err(), Some(CKR_CURVE_NOT_SUPPORTED));
    }

    #[test]
    fn registered() {
        let mut r = Registry::default();
        register(&mut r);
        let kpg = r.info(CKM_EC_KEY_PAIR_GEN).unwrap();
        assert_eq!((kpg.min_key_size, kpg.max_key_size), (256, 256));
        assert_eq!(
            kpg.flags,
            CKF_GENERATE_KEY_PAIR | CKF_EC_F_P | CKF_EC_OID | CKF_EC_UNCOMPRESS
        );
        assert_eq!(
            r.info(CKM_ECDSA_SHA384).unwrap().flags & (CKF_SIGN | CKF_VERIFY),
            CKF_SIGN | CKF_VERIFY
        );
        assert_eq!(
            r.info(CKM_ECDH1_DERIVE).unwrap().flags & CKF_DERIVE,
            CKF_DERIVE
        );
        assert!(r.key_type(CKK_EC).unwrap().secret.is_empty());
    }
}
