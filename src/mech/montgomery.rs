//! Montgomery curve keys (CKK_EC_MONTGOMERY, PKCS#11 3.1 "Montgomery
//! Elliptic curve public/private key objects") on Curve25519:
//! CKM_EC_MONTGOMERY_KEY_PAIR_GEN and X25519 (RFC 7748) through
//! CKM_ECDH1_DERIVE, which `ec::ecdh` routes here for these keys.
//!
//! - CKA_EC_PARAMS: DER of the PrintableString "curve25519" or of the OID
//!   id-X25519 (1.3.101.110, RFC 8410); kept in the form given.
//! - CKA_EC_POINT: the 32-byte u-coordinate as RFC 7748 encodes it, raw
//!   ("Public key bytes in little endian order", 3.1); a DER OCTET STRING
//!   or BIT STRING around it is accepted on input (3.0 tokens wrote those).
//! - Private CKA_VALUE: the 32-byte RFC 7748 scalar (clamped when used).
//!
//! The shared secret comes from our own ladder (`ladder`, on the field
//! arithmetic of `field25519::field`), ~2x faster in wasm than x25519-dalek's;
//! public keys come from the Edwards base-point table of `edwards`.
//!
//! X448 is not implemented: its RustCrypto crate (ed448-goldilocks) has
//! only pre-releases for this dependency tree.
use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;

mod ladder;

use super::ec::okp::OkpCurve;
use super::ec::{self, check_template, fill_spki};
use super::{CkMechanism, Generated, KeyTypeDef, Mechanism, Registry, info, random_bytes};
use crate::CK_ULONG;
use crate::attr::policy::AttrMap;
use crate::attr::{self, Attribute};
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

/// The key size CK_MECHANISM_INFO reports for X25519 (bits of p).
pub const MIN_BITS: CK_ULONG = 255;

static CURVES: &[OkpCurve] = &[OkpCurve {
    // 1.3.101.110
    oid: &[0x06, 0x03, 0x2b, 0x65, 0x6e],
    name: "curve25519",
    len: 32,
    bits: 255,
}];

/// The 32-byte private scalar of a stored key.
fn secret(key: &Object) -> CkResult<StaticSecret> {
    OkpCurve::find(CURVES, key.require(CKA_EC_PARAMS)?).map_err(|_| CKR_KEY_TYPE_INCONSISTENT)?;
    let d: Zeroizing<[u8; 32]> = Zeroizing::new(
        key.require(CKA_VALUE)?
            .try_into()
            .map_err(|_| CKR_KEY_TYPE_INCONSISTENT)?,
    );
    Ok(StaticSecret::from(*d))
}

/// The public key: X25519(d, 9) by the Edwards base-point table
/// (`edwards::x25519_public`, constant time).
fn public_of(d: &StaticSecret) -> [u8; 32] {
    super::edwards::x25519_public(d.as_bytes())
}

/// X25519(d, peer) for CKM_ECDH1_DERIVE: the peer's u-coordinate raw (as
/// 3.1 says CK_ECDH1_DERIVE_PARAMS carries it) or DER-wrapped. An all-zero
/// result (a peer point of small order, RFC 7748 section 6.1) is refused
/// as a bad parameter.
pub(crate) fn x25519_shared(base: &Object, peer: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
    let d = secret(base)?;
    let curve = &CURVES[0];
    let peer: [u8; 32] = curve
        .parse_public(peer)
        .and_then(|p| p.try_into().ok())
        .ok_or(CKR_MECHANISM_PARAM_INVALID)?;
    let shared = Zeroizing::new(ladder::x25519(d.as_bytes(), &peer));
    // Whether the result is zero is public (the call fails or not): no
    // need to hide which byte differs.
    if shared.iter().all(|&b| b == 0) {
        return Err(CKR_MECHANISM_PARAM_INVALID);
    }
    Ok(Zeroizing::new(shared.to_vec()))
}

/// Validates an imported Montgomery key and stores its point raw; fills
/// CKA_PUBLIC_KEY_INFO (RFC 8410).
fn complete(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
    let curve = OkpCurve::find(
        CURVES,
        attrs.get(&CKA_EC_PARAMS).ok_or(CKR_TEMPLATE_INCOMPLETE)?,
    )?;
    let public = match class {
        CKO_PUBLIC_KEY => {
            let given = attrs.get(&CKA_EC_POINT).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
            let q = curve
                .parse_public(given)
                .ok_or(CKR_ATTRIBUTE_VALUE_INVALID)?
                .to_vec();
            attrs.insert(CKA_EC_POINT, Zeroizing::new(q.clone()));
            q
        }
        CKO_PRIVATE_KEY => {
            let given = attrs.get(&CKA_VALUE).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
            let d: Zeroizing<[u8; 32]> = Zeroizing::new(
                given
                    .as_slice()
                    .try_into()
                    .map_err(|_| CKR_ATTRIBUTE_VALUE_INVALID)?,
            );
            public_of(&StaticSecret::from(*d)).to_vec()
        }
        _ => return Err(CKR_TEMPLATE_INCONSISTENT),
    };
    fill_spki(curve.spki(&public), attrs)
}

fn export_private(key: &Object) -> CkResult<Zeroizing<Vec<u8>>> {
    let d = secret(key)?;
    Ok(CURVES[0].to_pkcs8(d.as_bytes()))
}

fn import_private(der: &[u8]) -> CkResult<Vec<Attribute>> {
    let (curve, d) = OkpCurve::parse_pkcs8(CURVES, der)?;
    Ok(vec![
        Attribute::ulong(CKA_KEY_TYPE, CKK_EC_MONTGOMERY),
        Attribute::new(CKA_EC_PARAMS, curve.oid),
        Attribute::new(CKA_VALUE, d.as_slice()),
    ])
}

static MONTGOMERY_KEY: KeyTypeDef = KeyTypeDef {
    ckk: CKK_EC_MONTGOMERY,
    public: ec::PUBLIC_RULES,
    private: ec::PRIVATE_RULES,
    secret: &[],
    complete,
    export_private: Some(export_private),
    import_private: Some(import_private),
};

/// Key pair generation for an RFC 8410 curve: the curve from the public
/// template's CKA_EC_PARAMS, a random private key, its public key from
/// `public_of`. Shared with `edwards`.
pub(crate) fn generate_okp(
    m: &CkMechanism,
    public: &[Attribute],
    private: &[Attribute],
    ckk: CK_ULONG,
    curves: &'static [OkpCurve],
    public_of: impl Fn(&[u8]) -> CkResult<Vec<u8>>,
) -> CkResult<(Generated, Generated)> {
    m.no_param()?;
    check_template(public, CKO_PUBLIC_KEY, ckk)?;
    check_template(private, CKO_PRIVATE_KEY, ckk)?;
    let params = attr::find(public, CKA_EC_PARAMS).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
    let curve = OkpCurve::find(curves, params)?;
    let private_params = attr::find(private, CKA_EC_PARAMS);
    if private_params.is_some_and(|p| !curve.matches(p)) {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    let d = random_bytes(curve.len)?;
    let q = public_of(&d)?;
    let spki = curve.spki(&q);
    Ok((
        vec![
            Attribute::ulong(CKA_KEY_TYPE, ckk),
            Attribute::new(CKA_EC_PARAMS, params),
            Attribute::new(CKA_EC_POINT, q),
            Attribute::new(CKA_PUBLIC_KEY_INFO, spki.clone()),
        ],
        vec![
            Attribute::ulong(CKA_KEY_TYPE, ckk),
            Attribute::new(CKA_EC_PARAMS, private_params.unwrap_or(params)),
            Attribute::new(CKA_VALUE, d.as_slice()),
            Attribute::new(CKA_PUBLIC_KEY_INFO, spki),
        ],
    ))
}

struct KeyPairGen;
static KEY_PAIR_GEN: KeyPairGen = KeyPairGen;

impl Mechanism for KeyPairGen {
    fn generate_key_pair(
        &self,
        m: &CkMechanism,
        public: &[Attribute],
        private: &[Attribute],
    ) -> CkResult<(Generated, Generated)> {
        generate_okp(m, public, private, CKK_EC_MONTGOMERY, CURVES, |d| {
            let d: Zeroizing<[u8; 32]> =
                Zeroizing::new(d.try_into().map_err(|_| CKR_GENERAL_ERROR)?);
            Ok(public_of(&StaticSecret::from(*d)).to_vec())
        })
    }
}

pub fn register(r: &mut Registry) {
    r.add_key_type(&MONTGOMERY_KEY);
    // CKF_EC_CURVENAME: named by PrintableString; CKF_EC_OID: by OID.
    r.add(
        CKM_EC_MONTGOMERY_KEY_PAIR_GEN,
        info(
            MIN_BITS,
            MIN_BITS,
            CKF_GENERATE_KEY_PAIR | CKF_EC_OID | CKF_EC_CURVENAME,
        ),
        &KEY_PAIR_GEN,
    );
}

#[cfg(test)]
mod tests;
