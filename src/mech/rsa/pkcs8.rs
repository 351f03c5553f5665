//! PKCS#8 PrivateKeyInfo (RFC 5208; RFC 5958 v2 read too) holding a
//! PKCS#1 RSAPrivateKey (RFC 8017 appendix A.1.2), written and read with
//! the small DER helpers the EC keys use (`ec::der`). Secret octets stay
//! in buffers that are wiped when dropped.
use zeroize::Zeroizing;

use super::components::Bytes;
use crate::mech::ec::der;

/// AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }.
const ALGORITHM: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];
/// The contents of rsaEncryption's OBJECT IDENTIFIER.
const OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// DER of `tag` around `content`, in a buffer sized once and wiped.
fn tlv(tag: u8, content: &[u8]) -> Bytes {
    let mut out = Zeroizing::new(Vec::with_capacity(content.len() + 6));
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// DER INTEGER of a non-negative big-endian value without leading zeros.
fn integer(x: &[u8]) -> Bytes {
    let mut v = Zeroizing::new(Vec::with_capacity(x.len() + 1));
    if x.first().is_none_or(|&b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(x);
    tlv(0x02, &v)
}

/// The PrivateKeyInfo of the integers n, e, d, p, q, dp, dq, qinv.
pub fn encode(integers: [&[u8]; 8]) -> Bytes {
    let mut body = Zeroizing::new(vec![0x02, 0x01, 0x00]);
    for x in integers {
        body.extend_from_slice(&integer(x));
    }
    let rsa_key = tlv(0x30, &body);
    let mut info = Zeroizing::new(vec![0x02, 0x01, 0x00]);
    info.extend_from_slice(ALGORITHM);
    info.extend_from_slice(&tlv(0x04, &rsa_key));
    tlv(0x30, &info)
}

/// The next element of `b` if it has `tag`: (contents, rest).
fn take(tag: u8, b: &[u8]) -> Option<(&[u8], &[u8])> {
    match der::tlv_prefix(b)? {
        (t, contents, rest) if t == tag => Some((contents, rest)),
        _ => None,
    }
}

/// A non-negative DER INTEGER in minimal form, without its sign octet.
fn take_integer(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let (v, rest) = take(0x02, b)?;
    match v {
        [] => None,
        [0x00, next, ..] if next & 0x80 == 0 => None,
        [0x00, tail @ ..] if !tail.is_empty() => Some((tail, rest)),
        [first, ..] if first & 0x80 != 0 => None,
        _ => Some((v, rest)),
    }
}

/// The eight integers of a two-prime key's PrivateKeyInfo (version 0 or
/// 1, algorithm rsaEncryption with NULL or absent parameters); `None`
/// when the DER is malformed or holds something else.
pub fn decode(input: &[u8]) -> Option<[&[u8]; 8]> {
    let (info, rest) = take(0x30, input)?;
    if !rest.is_empty() {
        return None;
    }
    let (version, info) = take_integer(info)?;
    if version.len() > 1 || version.first().is_some_and(|&v| v > 1) {
        return None;
    }
    let (algorithm, info) = take(0x30, info)?;
    let (oid, params) = take(0x06, algorithm)?;
    if oid != OID || !(params.is_empty() || params == [0x05, 0x00]) {
        return None;
    }
    // Attributes ([0]) and the public key ([1], v2) may follow: unused.
    let (key, _) = take(0x04, info)?;
    let (body, rest) = take(0x30, key)?;
    if !rest.is_empty() {
        return None;
    }
    let (version, mut body) = take_integer(body)?;
    if version != [0] {
        return None;
    }
    let mut out: [&[u8]; 8] = [&[]; 8];
    for slot in out.iter_mut() {
        let (v, rest) = take_integer(body)?;
        *slot = v;
        body = rest;
    }
    body.is_empty().then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_refusals() {
        assert_eq!(*integer(&[]), [2, 1, 0]);
        assert_eq!(*integer(&[0x80]), [2, 2, 0, 0x80]);
        assert_eq!(take_integer(&[2, 1, 0]), Some((&[0][..], &[][..])));
        assert_eq!(take_integer(&[2, 2, 0, 0x80]), Some((&[0x80][..], &[][..])));
        assert_eq!(take_integer(&[2, 2, 0, 0x7f]), None);
        assert_eq!(take_integer(&[2, 1, 0x80]), None);
        assert_eq!(take_integer(&[2, 0]), None);
        let long = vec![7u8; 300];
        let ints: [&[u8]; 8] = [&long, &[1, 0, 1], &[5], &[7], &[11], &[13], &[17], &[0x80]];
        let der = encode(ints);
        assert_eq!(decode(&der), Some(ints));
        assert_eq!(decode(&der[..der.len() - 1]), None);
        let mut extra = der.to_vec();
        extra.push(0);
        assert_eq!(decode(&extra), None);
    }
}
