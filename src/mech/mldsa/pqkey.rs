//! Helpers shared by the ML-DSA and ML-KEM key types: the DER encodings
//! of their public keys (SubjectPublicKeyInfo, for CKA_PUBLIC_KEY_INFO)
//! and private keys (PKCS#8 OneAsymmetricKey, for C_WrapKey), and the
//! attribute checks of `KeyTypeDef::complete`.
//!
//! Encodings: RFC 9881 (ML-DSA in X.509: OIDs id-ml-dsa-44/65/87 under
//! 2.16.840.1.101.3.4.3, no parameters, the public key as the BIT STRING,
//! the private key as `seed [0] | expandedKey | both`), and RFC 9935 /
//! draft-ietf-lamps-kyber-certificates (ML-KEM: id-alg-ml-kem-512/768/1024
//! under 2.16.840.1.101.3.4.4, the same three private key forms).
use zeroize::Zeroizing;

use crate::CK_ULONG;
use crate::attr::parse_ulong;
use crate::attr::policy::AttrMap;
use crate::constants::*;
use crate::rv::CkResult;

/// The DER OBJECT IDENTIFIER (tag and length included) of a NIST
/// algorithm `2.16.840.1.101.3.4.<arc>.<leaf>`.
pub fn nist_oid(arc: u8, leaf: u8) -> [u8; 11] {
    [
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, arc, leaf,
    ]
}

/// A DER length.
fn push_len(out: &mut Vec<u8>, n: usize) {
    match n {
        0..=0x7f => out.push(n as u8),
        0x80..=0xff => out.extend_from_slice(&[0x81, n as u8]),
        _ => out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]),
    }
}

/// Appends tag, length and content (keys here are far below 64 KiB).
fn push_tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    push_len(out, content.len());
    out.extend_from_slice(content);
}

/// A TLV in a buffer that is wiped when dropped (private key encodings).
fn tlv(tag: u8, content: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(content.len() + 4));
    push_tlv(&mut out, tag, content);
    out
}

/// SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier { oid }, BIT
/// STRING (no unused bits) public }.
pub fn spki(oid: &[u8], public: &[u8]) -> Vec<u8> {
    let alg = tlv(0x30, oid);
    let mut bits = Vec::with_capacity(public.len() + 1);
    bits.push(0);
    bits.extend_from_slice(public);
    let mut body = alg.to_vec();
    push_tlv(&mut body, 0x03, &bits);
    let mut out = Vec::with_capacity(body.len() + 4);
    push_tlv(&mut out, 0x30, &body);
    out
}

/// The private key forms of RFC 9881 / the ML-KEM certificate draft.
pub enum PrivateForm<'a> {
    Seed(&'a [u8]),
    Expanded(&'a [u8]),
    Both(&'a [u8], &'a [u8]),
}

/// PKCS#8 PrivateKeyInfo (version 0) of an ML-DSA / ML-KEM private key:
/// the seed alone when known (`seed [0] IMPLICIT OCTET STRING`, the form
/// both RFCs recommend), else the expanded key (`OCTET STRING`).
pub fn pkcs8(oid: &[u8], seed: Option<&[u8]>, expanded: &[u8]) -> Zeroizing<Vec<u8>> {
    let key = match seed {
        Some(s) => tlv(0x80, s),
        None => tlv(0x04, expanded),
    };
    let mut body = Zeroizing::new(vec![0x02, 0x01, 0x00]);
    body.extend_from_slice(&tlv(0x30, oid));
    body.extend_from_slice(&tlv(0x04, &key));
    tlv(0x30, &body)
}

/// A strict DER reader over one buffer.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    /// The next element's tag and content; minimal lengths only.
    fn next(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.0.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, rest) = match first {
            0..=0x7f => (first as usize, rest),
            0x81 => {
                let (&n, rest) = rest.split_first()?;
                if n < 0x80 {
                    return None;
                }
                (n as usize, rest)
            }
            0x82 => {
                let (n, rest) = rest.split_first_chunk::<2>()?;
                let n = u16::from_be_bytes(*n) as usize;
                if n < 0x100 {
                    return None;
                }
                (n, rest)
            }
            _ => return None,
        };
        let (content, rest) = rest.split_at_checked(len)?;
        self.0 = rest;
        Some((tag, content))
    }

    fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        match self.next()? {
            (t, content) if t == tag => Some(content),
            _ => None,
        }
    }
}

/// Parses PKCS#8 (v1 PrivateKeyInfo or v2 OneAsymmetricKey) into the
/// algorithm OID (with tag and length) and the private key form. Any
/// trailing attributes or public key are ignored; AlgorithmIdentifier
/// parameters must be absent.
pub fn parse_pkcs8(der: &[u8]) -> Option<(&[u8], PrivateForm<'_>)> {
    let mut outer = Reader(der);
    let body = outer.expect(0x30)?;
    if !outer.0.is_empty() {
        return None;
    }
    let mut r = Reader(body);
    match r.expect(0x02)? {
        [0] | [1] => {}
        _ => return None,
    }
    let alg = r.expect(0x30)?;
    let oid_len = alg.get(1).copied()? as usize + 2;
    if alg.first() != Some(&0x06) || alg.len() != oid_len {
        return None;
    }
    let key = r.expect(0x04)?;
    let mut k = Reader(key);
    let form = match k.next()? {
        (0x80, seed) => PrivateForm::Seed(seed),
        (0x04, expanded) => PrivateForm::Expanded(expanded),
        (0x30, both) => {
            let mut b = Reader(both);
            let seed = b.expect(0x04)?;
            let expanded = b.expect(0x04)?;
            if !b.0.is_empty() {
                return None;
            }
            PrivateForm::Both(seed, expanded)
        }
        _ => return None,
    };
    if !k.0.is_empty() {
        return None;
    }
    Some((alg, form))
}

/// CKA_PARAMETER_SET of a key being completed.
pub fn parameter_set(attrs: &AttrMap) -> CkResult<CK_ULONG> {
    parse_ulong(
        attrs
            .get(&CKA_PARAMETER_SET)
            .ok_or(CKR_TEMPLATE_INCOMPLETE)?,
    )
}

/// A byte attribute of a key being completed, if present and non-empty.
pub fn bytes(attrs: &AttrMap, kind: CK_ULONG) -> Option<&[u8]> {
    attrs
        .get(&kind)
        .map(|v| v.as_slice())
        .filter(|v| !v.is_empty())
}

/// Sets an attribute the token derives: a value the caller gave must
/// match it (PKCS#11 3.2 section 4.9: a supplied CKA_PUBLIC_KEY_INFO must
/// correspond to the key, else CKR_ATTRIBUTE_VALUE_INVALID); an empty one
/// (the policy default) is filled in.
pub fn set_derived(attrs: &mut AttrMap, kind: CK_ULONG, value: &[u8]) -> CkResult<()> {
    match attrs.get(&kind) {
        Some(v) if !v.is_empty() && v.as_slice() != value => Err(CKR_ATTRIBUTE_VALUE_INVALID),
        _ => {
            attrs.insert(kind, Zeroizing::new(value.to_vec()));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkcs8_round_trips_and_rejects_garbage() {
        let oid = nist_oid(3, 17);
        let der = pkcs8(&oid, Some(&[7; 32]), &[1; 300]);
        let (alg, form) = parse_pkcs8(&der).unwrap();
        assert_eq!(alg, &oid[..]);
        assert!(matches!(form, PrivateForm::Seed(s) if s == [7; 32]));
        let der = pkcs8(&oid, None, &[1; 300]);
        assert!(matches!(parse_pkcs8(&der).unwrap().1, PrivateForm::Expanded(e) if e == [1; 300]));
        // seed and expanded together (the `both` form).
        let mut both = tlv(0x04, &[9; 32]).to_vec();
        both.extend_from_slice(&tlv(0x04, &[8; 200]));
        let key = tlv(0x30, &both);
        let mut body = vec![0x02, 0x01, 0x00];
        body.extend_from_slice(&tlv(0x30, &oid));
        body.extend_from_slice(&tlv(0x04, &key));
        let der = tlv(0x30, &body);
        assert!(matches!(
            parse_pkcs8(&der).unwrap().1,
            PrivateForm::Both(s, e) if s == [9; 32] && e == [8; 200]
        ));
        // Truncations, trailing bytes and non-minimal lengths fail cleanly.
        for n in 0..der.len() {
            assert!(parse_pkcs8(&der[..n]).is_none());
        }
        let mut long = der.to_vec();
        long.push(0);
        assert!(parse_pkcs8(&long).is_none());
        assert!(parse_pkcs8(&[0x30, 0x81, 0x03, 2, 1, 0]).is_none());
    }

    #[test]
    fn spki_layout() {
        let s = spki(&nist_oid(4, 1), &[0xaa; 800]);
        assert_eq!(&s[..4], &[0x30, 0x82, 0x03, 0x32]);
        assert_eq!(
            &s[4..17],
            &[0x30, 0x0b, 6, 9, 0x60, 0x86, 0x48, 1, 0x65, 3, 4, 4, 1]
        );
        assert_eq!(&s[17..22], &[0x03, 0x82, 0x03, 0x21, 0x00]);
        assert_eq!(s.len(), 22 + 800);
    }
}
