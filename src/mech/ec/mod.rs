//! Elliptic curve keys (CKK_EC) on P-192, P-224, P-256, P-384, P-521,
//! secp256k1 and the fourteen brainpool curves (RFC 5639, 160 to 512
//! bits, r1 and t1): key pair generation, ECDSA and ECDH (PKCS#11 3.1, mechanisms, "Elliptic
//! Curve"). CKM_ECDH1_DERIVE also serves CKK_EC_MONTGOMERY keys
//! (X25519, `montgomery`): the registry holds one entry per mechanism.
//!
//! - CKA_EC_PARAMS is the DER of the curve's OID (namedCurve) or, as 3.x
//!   allows, of a PrintableString curve name; only curves in `CURVES`.
//! - CKA_EC_POINT is stored as a DER OCTET STRING wrapping the
//!   uncompressed point ("EC public key objects"); imports may give
//!   it raw or wrapped, compressed or uncompressed.
//! - Private CKA_VALUE is the big-endian scalar, stored at the curve's
//!   length.
use zeroize::Zeroizing;

use super::{CkMechanism, Generated, KeyTypeDef, Mechanism, Registry, info};
use crate::CK_ULONG;
use crate::attr::policy::{AttrMap, Default, Kind, Rule, flag::*};
use crate::attr::{self, Attribute};
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

mod curves;
pub(crate) mod der;
mod ecdh;
mod ecdsa;
mod field;
mod generic;
mod jacobian;
pub(crate) mod okp;
mod p256_base;
mod p256_fast;
mod p256_verify;
mod params;
mod pkcs8;
pub(crate) mod remote;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_curves;
#[cfg(test)]
mod tests_engine;
#[cfg(test)]
mod tests_generic;
mod weierstrass;

pub use curves::{CURVES, Curve, curve_of};
#[cfg(test)]
pub(crate) use ecdh::x963_kdf;

/// Fills CKA_PUBLIC_KEY_INFO from the point when absent or empty; a value
/// given by the caller must be the same encoding.
pub(crate) fn fill_spki(spki: Vec<u8>, attrs: &mut AttrMap) -> CkResult<()> {
    match attrs.get(&CKA_PUBLIC_KEY_INFO) {
        Some(given) if !given.is_empty() && **given != spki => Err(CKR_TEMPLATE_INCONSISTENT),
        _ => {
            attrs.insert(CKA_PUBLIC_KEY_INFO, Zeroizing::new(spki));
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------
// The CKK_EC key type ("EC public key objects", "EC private key objects").

/// EC public key: CKA_EC_PARAMS (footnotes 1, 3), CKA_EC_POINT (1, 4).
pub(crate) static PUBLIC_RULES: &[Rule] = &[
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
pub(crate) static PRIVATE_RULES: &[Rule] = &[
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
    let q = match class {
        CKO_PUBLIC_KEY => {
            let given = attrs.get(&CKA_EC_POINT).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
            let q = curve
                .parse_point(given)
                .ok_or(CKR_ATTRIBUTE_VALUE_INVALID)?;
            attrs.insert(CKA_EC_POINT, Zeroizing::new(der::octet_string(&q)));
            q
        }
        CKO_PRIVATE_KEY => {
            let given = attrs.get(&CKA_VALUE).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
            let d = curve
                .normalise_scalar(given)
                .ok_or(CKR_ATTRIBUTE_VALUE_INVALID)?;
            let q = curve.ops.public_point(&d).ok_or(CKR_GENERAL_ERROR)?;
            attrs.insert(CKA_VALUE, d);
            q
        }
        _ => return Err(CKR_TEMPLATE_INCONSISTENT),
    };
    fill_spki(pkcs8::spki(curve, &q), attrs)
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

/// The curve and uncompressed point of a stored public key.
fn public_parts(key: &Object) -> CkResult<(&'static Curve, Vec<u8>)> {
    let curve = curve_of(key.require(CKA_EC_PARAMS)?)?;
    let q = curve
        .parse_point(key.require(CKA_EC_POINT)?)
        .ok_or(CKR_KEY_TYPE_INCONSISTENT)?;
    Ok((curve, q))
}

/// PKCS#8 PrivateKeyInfo (RFC 5208 + RFC 5915 ECPrivateKey with the
/// public key), for C_WrapKey.
fn export_private(key: &Object) -> CkResult<Zeroizing<Vec<u8>>> {
    let (curve, d) = private_parts(key)?;
    let q = curve.ops.public_point(d).ok_or(CKR_GENERAL_ERROR)?;
    Ok(pkcs8::to_pkcs8(curve, d, &q))
}

/// The inverse of `export_private` for C_UnwrapKey: the curve comes from
/// the AlgorithmIdentifier parameters.
fn import_private(der: &[u8]) -> CkResult<Vec<Attribute>> {
    let (curve, d) = pkcs8::parse_pkcs8(der)?;
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
pub(crate) fn check_template(t: &[Attribute], class: CK_ULONG, ckk: CK_ULONG) -> CkResult<()> {
    if attr::find_ulong(t, CKA_CLASS)?.is_some_and(|c| c != class)
        || attr::find_ulong(t, CKA_KEY_TYPE)?.is_some_and(|k| k != ckk)
    {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    Ok(())
}

impl Mechanism for EcKeyPairGen {
    /// The curve comes from CKA_EC_PARAMS in the public template; both keys
    /// keep the caller's encoding of it (OID or name).
    fn generate_key_pair(
        &self,
        m: &CkMechanism,
        public: &[Attribute],
        private: &[Attribute],
    ) -> CkResult<(Generated, Generated)> {
        m.no_param()?;
        check_template(public, CKO_PUBLIC_KEY, CKK_EC)?;
        check_template(private, CKO_PRIVATE_KEY, CKK_EC)?;
        let params = attr::find(public, CKA_EC_PARAMS).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
        let curve = curve_of(params)?;
        let same = |p: &[u8]| curve_of(p).is_ok_and(|c| std::ptr::eq(c, curve));
        if attr::find(private, CKA_EC_PARAMS).is_some_and(|p| !same(p)) {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        let d = curve.ops.generate()?;
        let q = curve.ops.public_point(&d).ok_or(CKR_FUNCTION_FAILED)?;
        let spki = pkcs8::spki(curve, &q);
        let public_out = vec![
            Attribute::ulong(CKA_KEY_TYPE, CKK_EC),
            Attribute::new(CKA_EC_PARAMS, params),
            Attribute::new(CKA_EC_POINT, der::octet_string(&q)),
            Attribute::new(CKA_PUBLIC_KEY_INFO, spki.clone()),
        ];
        let private_out = vec![
            Attribute::ulong(CKA_KEY_TYPE, CKK_EC),
            Attribute::new(
                CKA_EC_PARAMS,
                attr::find(private, CKA_EC_PARAMS).unwrap_or(params),
            ),
            Attribute::new(CKA_VALUE, d.as_slice()),
            Attribute::new(CKA_PUBLIC_KEY_INFO, spki),
        ];
        Ok((public_out, private_out))
    }
}

pub fn register(r: &mut Registry) {
    r.add_key_type(&EC_KEY);
    let min = CURVES.iter().map(|c| c.bits).min().unwrap_or(0);
    let max = CURVES.iter().map(|c| c.bits).max().unwrap_or(0);
    // Prime fields, curves named by OID or (3.x) by name, uncompressed
    // points out.
    let ec = CKF_EC_F_P | CKF_EC_OID | CKF_EC_CURVENAME | CKF_EC_UNCOMPRESS;
    r.add(
        CKM_EC_KEY_PAIR_GEN,
        info(min, max, CKF_GENERATE_KEY_PAIR | ec),
        &EC_KEY_PAIR_GEN,
    );
    ecdsa::register(r, info(min, max, CKF_SIGN | CKF_VERIFY | ec));
    ecdh::register(r, min, max, ec);
}
