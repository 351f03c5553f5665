//! The DER forms of EC keys, written and read here once for every curve
//! (the RustCrypto encoders are generic per curve and cost wasm size):
//! SubjectPublicKeyInfo (RFC 5480), PKCS#8 PrivateKeyInfo (RFC 5208, RFC
//! 5958 v2 accepted) holding an ECPrivateKey (RFC 5915).
use zeroize::Zeroizing;

use super::curves::{Curve, curve_of};
use super::der;
use crate::constants::*;
use crate::rv::CkResult;

/// DER of the OID id-ecPublicKey (1.2.840.10045.2.1).
const ID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

/// AlgorithmIdentifier { id-ecPublicKey, namedCurve }.
fn algorithm(curve: &Curve) -> Vec<u8> {
    der::encode(0x30, &[ID_EC_PUBLIC_KEY, curve.params].concat())
}

/// BIT STRING with no unused bits around `bytes`.
fn bit_string(bytes: &[u8]) -> Vec<u8> {
    der::encode(0x03, &[&[0u8][..], bytes].concat())
}

/// SubjectPublicKeyInfo of the uncompressed point `q` (RFC 5480).
pub(super) fn spki(curve: &Curve, q: &[u8]) -> Vec<u8> {
    der::encode(0x30, &[algorithm(curve), bit_string(q)].concat())
}

/// PrivateKeyInfo v1 of the scalar `d`, its ECPrivateKey carrying the
/// public point `q` and not repeating the curve (RFC 5915 section 3).
pub(super) fn to_pkcs8(curve: &Curve, d: &[u8], q: &[u8]) -> Zeroizing<Vec<u8>> {
    let key = Zeroizing::new(der::octet_string(d));
    let public = der::encode(0xa1, &bit_string(q));
    let body = Zeroizing::new([&[2u8, 1, 1][..], &key, &public].concat());
    let ec_private_key = Zeroizing::new(der::encode(0x30, &body));
    let wrapped = Zeroizing::new(der::octet_string(&ec_private_key));
    let info = Zeroizing::new([&[2u8, 1, 0][..], &algorithm(curve), &wrapped].concat());
    Zeroizing::new(der::encode(0x30, &info))
}

/// The next element of a DER SEQUENCE's contents, if it has `tag`.
fn take(tag: u8, b: &[u8]) -> Option<(&[u8], &[u8])> {
    match der::tlv_prefix(b)? {
        (t, contents, rest) if t == tag => Some((contents, rest)),
        _ => None,
    }
}

/// The curve and scalar (at the curve's length) of a PrivateKeyInfo. The
/// curve is the AlgorithmIdentifier's; parameters inside the ECPrivateKey
/// must agree, and a public key there must be d·G. Malformed input is
/// CKR_WRAPPED_KEY_INVALID, a curve we lack CKR_CURVE_NOT_SUPPORTED.
pub(super) fn parse_pkcs8(der_bytes: &[u8]) -> CkResult<(&'static Curve, Zeroizing<Vec<u8>>)> {
    let bad = CKR_WRAPPED_KEY_INVALID;
    let (info, rest) = take(0x30, der_bytes).ok_or(bad)?;
    if !rest.is_empty() {
        return Err(bad);
    }
    // version 0 (v1) or 1 (v2, RFC 5958).
    let (version, info) = take(0x02, info).ok_or(bad)?;
    if version != [0] && version != [1] {
        return Err(bad);
    }
    let (alg, info) = take(0x30, info).ok_or(bad)?;
    let (oid, params) = take(0x06, alg).ok_or(bad)?;
    if der::encode(0x06, oid) != ID_EC_PUBLIC_KEY {
        return Err(bad);
    }
    let curve = match curve_of(params) {
        Ok(c) => c,
        Err(CKR_ATTRIBUTE_VALUE_INVALID) => return Err(bad),
        Err(e) => return Err(e),
    };
    // Attributes [0] and a v2 public key [1] may follow; not needed.
    let (ec_private_key, _) = take(0x04, info).ok_or(bad)?;
    let (body, rest) = take(0x30, ec_private_key).ok_or(bad)?;
    if !rest.is_empty() {
        return Err(bad);
    }
    let (version, body) = take(0x02, body).ok_or(bad)?;
    if version != [1] {
        return Err(bad);
    }
    let (d, mut body) = take(0x04, body).ok_or(bad)?;
    let d = curve.normalise_scalar(d).ok_or(bad)?;
    if let Some((inner, rest)) = take(0xa0, body) {
        if !std::ptr::eq(curve_of(inner).map_err(|_| bad)?, curve) {
            return Err(bad);
        }
        body = rest;
    }
    if let Some((inner, rest)) = take(0xa1, body) {
        let point = match take(0x03, inner) {
            Some(([0, point @ ..], [])) => point,
            _ => return Err(bad),
        };
        if curve.parse_point(point) != curve.ops.public_point(&d) {
            return Err(bad);
        }
        body = rest;
    }
    if !body.is_empty() {
        return Err(bad);
    }
    Ok((curve, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// A P-384 key as `openssl pkcs8 -topk8 -nocrypt -outform DER` wrote it
    /// (OpenSSL 3.0): our encoder gives the same bytes.
    const OPENSSL_P384: &str = concat!(
        "3081b6020100301006072a8648ce3d020106052b8104002204819e30819b02010104301f0e33e3734f05d8",
        "8da5e40a395a945f1b5c1edc953889558aeba626cdc177c16366047480ae975ff1fed899c72bb221a16403",
        "6200047a5f059f1741f5e31ce1a01066da31cb6e9dc336b99dd55cb83a5f2249fdb9dfc519d62e2cee2b2c",
        "c70ccebde7401d5d1bfaed480762ee0c06f2b8679726b56377053cfece813d720afd7b575cf19b956af004",
        "411812db1ccf0162f7c2bd054b"
    );

    #[test]
    fn openssl_pkcs8_round_trip() {
        let der_bytes = hex(OPENSSL_P384);
        let (curve, d) = parse_pkcs8(&der_bytes).unwrap();
        assert_eq!(curve.bits, 384);
        assert_eq!(
            d.as_slice(),
            hex(concat!(
                "1f0e33e3734f05d88da5e40a395a945f1b5c1edc953889558aeba626cdc177c1",
                "6366047480ae975ff1fed899c72bb221"
            ))
        );
        let q = curve.ops.public_point(&d).unwrap();
        assert_eq!(to_pkcs8(curve, &d, &q).as_slice(), der_bytes.as_slice());
        // The SPKI as OpenSSL writes it: the same curve and point.
        let spki_der = spki(curve, &q);
        assert_eq!(&spki_der[..3], &[0x30, 0x76, 0x30]);
        assert!(spki_der.ends_with(&q));
    }

    #[test]
    fn pkcs8_variants_and_errors() {
        let der_bytes = hex(OPENSSL_P384);
        let (curve, d) = parse_pkcs8(&der_bytes).unwrap();
        let q = curve.ops.public_point(&d).unwrap();
        // Build a PrivateKeyInfo around a chosen ECPrivateKey body.
        let info = |version: u8, alg: Vec<u8>, body: Vec<u8>, tail: Vec<u8>| {
            let ec = der::encode(0x30, &body);
            der::encode(
                0x30,
                &[vec![2, 1, version], alg, der::octet_string(&ec), tail].concat(),
            )
        };
        let key = der::octet_string(&d);
        let params = der::encode(0xa0, curve.params);
        let public = der::encode(0xa1, &bit_string(&q));
        let v1 = vec![2u8, 1, 1];
        let ok = |b: &[u8]| parse_pkcs8(b).map(|(c, k)| (c.bits, k.to_vec()));
        let want = Ok((384, d.to_vec()));
        // With [0] parameters, without the public key, v2 with attributes.
        let alg = algorithm(curve);
        let with_params = [v1.clone(), key.clone(), params.clone(), public.clone()].concat();
        assert_eq!(ok(&info(0, alg.clone(), with_params, vec![])), want);
        let bare = [v1.clone(), key.clone()].concat();
        assert_eq!(ok(&info(1, alg.clone(), bare.clone(), vec![])), want);
        let attrs = der::encode(0xa0, &[]);
        assert_eq!(ok(&info(0, alg.clone(), bare.clone(), attrs)), want);
        // A scalar with its leading zero stripped is padded.
        let short = [v1.clone(), der::octet_string(&d[1..])].concat();
        let mut padded = vec![0u8];
        padded.extend_from_slice(&d[1..]);
        let (c, k) = parse_pkcs8(&info(0, alg.clone(), short, vec![])).unwrap();
        assert_eq!((c.bits, k.to_vec()), (384, padded));

        let bad = |b: Vec<u8>| parse_pkcs8(&b).err();
        let invalid = Some(CKR_WRAPPED_KEY_INVALID);
        assert_eq!(bad(vec![]), invalid);
        assert_eq!(bad([der_bytes.clone(), vec![0]].concat()), invalid);
        assert_eq!(bad(der_bytes[..der_bytes.len() - 1].to_vec()), invalid);
        assert_eq!(bad(info(2, alg.clone(), bare.clone(), vec![])), invalid);
        // ECPrivateKey version 0, a public key of another scalar, the
        // parameters of another curve, trailing elements.
        let v0 = [vec![2u8, 1, 0], key.clone()].concat();
        assert_eq!(bad(info(0, alg.clone(), v0, vec![])), invalid);
        let mut other_q = q.clone();
        other_q[10] ^= 1;
        let wrong_public = [
            v1.clone(),
            key.clone(),
            der::encode(0xa1, &bit_string(&other_q)),
        ]
        .concat();
        assert_eq!(bad(info(0, alg.clone(), wrong_public, vec![])), invalid);
        let p256 = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        let wrong_params = [v1.clone(), key.clone(), der::encode(0xa0, &p256)].concat();
        assert_eq!(bad(info(0, alg.clone(), wrong_params, vec![])), invalid);
        let trailing = [v1.clone(), key.clone(), public.clone(), vec![5, 0]].concat();
        assert_eq!(bad(info(0, alg.clone(), trailing, vec![])), invalid);
        // The scalar 0, and one too long.
        let zero = [v1.clone(), der::octet_string(&[0; 48])].concat();
        assert_eq!(bad(info(0, alg.clone(), zero, vec![])), invalid);
        let long = [v1.clone(), der::octet_string(&[1; 49])].concat();
        assert_eq!(bad(info(0, alg.clone(), long, vec![])), invalid);
        // Not an EC key; an EC key on a curve we lack (secp224k1).
        let rsa = der::encode(0x30, &hex("06092a864886f70d0101010500"));
        assert_eq!(bad(info(0, rsa, bare.clone(), vec![])), invalid);
        let unsupported = der::encode(
            0x30,
            &[ID_EC_PUBLIC_KEY.to_vec(), hex("06052b81040020")].concat(),
        );
        assert_eq!(
            bad(info(0, unsupported, bare, vec![])),
            Some(CKR_CURVE_NOT_SUPPORTED)
        );
    }
}
