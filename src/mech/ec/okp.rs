//! What Edwards (CKK_EC_EDWARDS) and Montgomery (CKK_EC_MONTGOMERY) keys
//! share: a curve named in CKA_EC_PARAMS by OID (RFC 8410) or by
//! PrintableString name (PKCS#11 3.1 "Edwards / Montgomery Elliptic curve
//! public key objects"), fixed
//! length little-endian key bytes, and the RFC 8410 SPKI and PKCS#8 forms.
use zeroize::Zeroizing;

use super::der;
use crate::CK_ULONG;
use crate::constants::*;
use crate::rv::CkResult;

/// A curve whose keys are plain byte strings (Ed25519, X25519).
pub(crate) struct OkpCurve {
    /// DER of the RFC 8410 OID (id-Ed25519, id-X25519).
    pub oid: &'static [u8],
    /// The PKCS#11 curve name ("edwards25519", "curve25519").
    pub name: &'static str,
    /// Bytes of a public key and of a private key.
    pub len: usize,
    /// The key size PKCS#11 reports (bits of the field prime).
    pub bits: CK_ULONG,
}

impl OkpCurve {
    /// Whether CKA_EC_PARAMS names this curve: the DER of its OID or of a
    /// PrintableString holding its name.
    pub fn matches(&self, params: &[u8]) -> bool {
        params == self.oid
            || matches!(der::tlv(params), Some((0x13, n)) if n == self.name.as_bytes())
    }

    /// The curve of `params` among `curves`, or the error `curve_of` gives
    /// for parameters it does not know.
    pub fn find(curves: &'static [OkpCurve], params: &[u8]) -> CkResult<&'static OkpCurve> {
        if let Some(c) = curves.iter().find(|c| c.matches(params)) {
            return Ok(c);
        }
        match der::tlv(params) {
            Some((0x06 | 0x13, v)) if !v.is_empty() => Err(CKR_CURVE_NOT_SUPPORTED),
            Some((0x30, _)) | Some((0x05, [])) => Err(CKR_DOMAIN_PARAMS_INVALID),
            _ => Err(CKR_ATTRIBUTE_VALUE_INVALID),
        }
    }

    /// A public key given as PKCS#11 3.1 stores it (the raw bytes), or as
    /// 3.0 implementations did: a DER OCTET STRING (SoftHSMv2, OpenSC) or
    /// BIT STRING around them. The forms differ in length.
    pub fn parse_public<'a>(&self, b: &'a [u8]) -> Option<&'a [u8]> {
        if b.len() == self.len {
            return Some(b);
        }
        match der::tlv(b)? {
            (0x04, inner) if inner.len() == self.len => Some(inner),
            (0x03, [0, inner @ ..]) if inner.len() == self.len => Some(inner),
            _ => None,
        }
    }

    fn algorithm(&self) -> Vec<u8> {
        der::encode(0x30, self.oid)
    }

    /// RFC 8410 SubjectPublicKeyInfo.
    pub fn spki(&self, public: &[u8]) -> Vec<u8> {
        let key = der::encode(0x03, &[&[0u8][..], public].concat());
        der::encode(0x30, &[self.algorithm(), key].concat())
    }

    /// RFC 8410 PKCS#8 PrivateKeyInfo (version 0, no public key).
    pub fn to_pkcs8(&self, private: &[u8]) -> Zeroizing<Vec<u8>> {
        let inner = Zeroizing::new(der::octet_string(private));
        let outer = Zeroizing::new(der::octet_string(&inner));
        let body = Zeroizing::new([&[2u8, 1, 0][..], &self.algorithm(), &outer].concat());
        Zeroizing::new(der::encode(0x30, &body))
    }

    /// The curve and private key of an RFC 8410 PrivateKeyInfo (v1, or v2
    /// with a public key, which is not checked here).
    pub fn parse_pkcs8(
        curves: &'static [OkpCurve],
        der_bytes: &[u8],
    ) -> CkResult<(&'static OkpCurve, Zeroizing<Vec<u8>>)> {
        use p256::elliptic_curve::pkcs8::PrivateKeyInfoRef;
        use p256::elliptic_curve::pkcs8::der::{Decode, Encode};
        let info = PrivateKeyInfoRef::from_der(der_bytes).map_err(|_| CKR_WRAPPED_KEY_INVALID)?;
        if info.algorithm.parameters.is_some() {
            return Err(CKR_WRAPPED_KEY_INVALID);
        }
        let oid = info
            .algorithm
            .oid
            .to_der()
            .map_err(|_| CKR_WRAPPED_KEY_INVALID)?;
        let curve = curves
            .iter()
            .find(|c| c.oid == oid.as_slice())
            .ok_or(CKR_WRAPPED_KEY_INVALID)?;
        match der::tlv(info.private_key.as_bytes()) {
            Some((0x04, key)) if key.len() == curve.len => {
                Ok((curve, Zeroizing::new(key.to_vec())))
            }
            _ => Err(CKR_WRAPPED_KEY_INVALID),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED: OkpCurve = OkpCurve {
        oid: &[0x06, 0x03, 0x2b, 0x65, 0x70],
        name: "edwards25519",
        len: 32,
        bits: 255,
    };
    static CURVES: &[OkpCurve] = &[ED];

    #[test]
    fn params_and_points() {
        assert!(ED.matches(&[0x06, 0x03, 0x2b, 0x65, 0x70]));
        assert!(ED.matches(b"\x13\x0cedwards25519"));
        assert!(!ED.matches(b"\x13\x0acurve25519"));
        assert!(!ED.matches(b"\x0c\x0cedwards25519"), "UTF8String");
        assert_eq!(
            OkpCurve::find(CURVES, b"\x13\x0aedwards448").err(),
            Some(CKR_CURVE_NOT_SUPPORTED)
        );
        assert_eq!(
            OkpCurve::find(CURVES, &[0x06, 0x03, 0x2b, 0x65, 0x71]).err(),
            Some(CKR_CURVE_NOT_SUPPORTED)
        );
        assert_eq!(
            OkpCurve::find(CURVES, &[0x06, 0x03, 0x2b]).err(),
            Some(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        let pk = [7u8; 32];
        assert_eq!(ED.parse_public(&pk), Some(&pk[..]));
        assert_eq!(ED.parse_public(&der::octet_string(&pk)), Some(&pk[..]));
        let bits = der::encode(0x03, &[&[0u8][..], &pk].concat());
        assert_eq!(ED.parse_public(&bits), Some(&pk[..]));
        assert_eq!(ED.parse_public(&pk[..31]), None);
        assert_eq!(ED.parse_public(&[pk.to_vec(), vec![0]].concat()), None);
        assert_eq!(ED.parse_public(&der::octet_string(&pk[..31])), None);
    }

    /// RFC 8410 section 10.3: the example Ed25519 private key.
    #[test]
    fn pkcs8_and_spki() {
        let key: Vec<u8> = (0..32).collect();
        let der_bytes = ED.to_pkcs8(&key);
        assert_eq!(
            &der_bytes[..16],
            &[
                0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
                0x04, 0x20
            ]
        );
        let (c, back) = OkpCurve::parse_pkcs8(CURVES, &der_bytes).unwrap();
        assert_eq!(c.name, "edwards25519");
        assert_eq!(back.as_slice(), key.as_slice());
        assert_eq!(
            OkpCurve::parse_pkcs8(CURVES, &der_bytes[..40]).err(),
            Some(CKR_WRAPPED_KEY_INVALID)
        );
        let mut other = der_bytes.to_vec();
        other[11] = 0x6e;
        assert_eq!(
            OkpCurve::parse_pkcs8(CURVES, &other).err(),
            Some(CKR_WRAPPED_KEY_INVALID)
        );
        let spki = ED.spki(&[9; 32]);
        assert_eq!(
            &spki[..12],
            &[
                0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
            ]
        );
        assert_eq!(spki.len(), 44);
    }
}
