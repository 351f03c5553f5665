//! PKCS#1 v1.5 (RFC 8017 7.2 and 8.2) for CKM_RSA_PKCS and the
//! CKM_SHA*_RSA_PKCS mechanisms (PKCS#11 3.1 mechanisms 2.1.6, 2.1.10).
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, ConstantTimeGreater};
use zeroize::Zeroizing;

use super::key::{PrivateOpError, RsaPrivate, RsaPublic, private_op, public_op};
use crate::constants::*;
use crate::rv::CkResult;

/// Octets of padding PKCS#1 v1.5 needs around a message.
const OVERHEAD: usize = 11;

fn max_data(k: usize) -> usize {
    k.saturating_sub(OVERHEAD)
}

/// RSAES-PKCS1-v1_5-ENCRYPT (RFC 8017 7.2.1): at most k - 11 octets of
/// data; EM = 0x00 || 0x02 || PS || 0x00 || M with PS random non-zero
/// octets.
pub fn encrypt(key: &RsaPublic, data: &[u8]) -> CkResult<Vec<u8>> {
    let k = key.size();
    if data.len() > max_data(k) {
        return Err(CKR_DATA_LEN_RANGE);
    }
    let mut em = Zeroizing::new(vec![0u8; k]);
    em[1] = 2;
    let sep = k - data.len() - 1;
    // Zero draws are skipped: a few extra octets per batch.
    let mut filled = 2;
    while filled < sep {
        let batch = crate::mech::random_bytes(sep - filled + 16)?;
        for &b in batch.iter().filter(|&&b| b != 0) {
            if filled == sep {
                break;
            }
            em[filled] = b;
            filled += 1;
        }
    }
    em[sep + 1..].copy_from_slice(data);
    public_op(key, &em).ok_or(CKR_GENERAL_ERROR)
}

/// RSAES-PKCS1-v1_5-DECRYPT with an explicit error, as PKCS#11 requires
/// (CKR_ENCRYPTED_DATA_INVALID). The crate's own decryption uses implicit
/// rejection (a synthetic message instead of an error), so the padding is
/// checked here, in constant time up to the final valid/invalid answer.
pub fn decrypt(key: &RsaPrivate, ciphertext: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
    if ciphertext.len() != key.size() {
        return Err(CKR_ENCRYPTED_DATA_LEN_RANGE);
    }
    let em = private_op(key, ciphertext).map_err(|e| match e {
        PrivateOpError::Decryption => CKR_ENCRYPTED_DATA_INVALID,
        _ => CKR_FUNCTION_FAILED,
    })?;
    let (valid, start) = eme_decode(&em);
    if !bool::from(valid) {
        return Err(CKR_ENCRYPTED_DATA_INVALID);
    }
    Ok(Zeroizing::new(
        em.get(start..).ok_or(CKR_ENCRYPTED_DATA_INVALID)?.to_vec(),
    ))
}

/// EME-PKCS1-v1_5 decoding of EM = 0x00 || 0x02 || PS || 0x00 || M with
/// at least 8 non-zero PS octets: (valid, offset of M). Every octet is
/// read whatever the content.
fn eme_decode(em: &[u8]) -> (Choice, usize) {
    let mut valid =
        em.first().copied().unwrap_or(1).ct_eq(&0) & em.get(1).copied().unwrap_or(0).ct_eq(&2);
    let mut looking = Choice::from(1);
    let mut separator = 0u32;
    for (i, octet) in (0u32..).zip(em.iter()).skip(2) {
        let zero = octet.ct_eq(&0);
        separator.conditional_assign(&i, looking & zero);
        looking &= !zero;
    }
    // The separator must exist and follow at least 8 PS octets (index >= 10).
    valid &= !looking & separator.ct_gt(&9);
    (valid, separator as usize + 1)
}

/// RSASSA-PKCS1-v1_5 signature of `t` (a DigestInfo, or any data of at
/// most k - 11 octets for CKM_RSA_PKCS).
pub fn sign(key: &RsaPrivate, t: &[u8]) -> CkResult<Vec<u8>> {
    let k = key.size();
    if t.len() > max_data(k) {
        return Err(CKR_DATA_LEN_RANGE);
    }
    let s = private_op(key, &emsa_encode(t, k)).map_err(|_| CKR_FUNCTION_FAILED)?;
    Ok(s.to_vec())
}

/// EMSA-PKCS1-v1_5 (RFC 8017 9.2 steps 4-5) of t, tLen <= k - 11:
/// 0x00 0x01 PS (0xff octets) 0x00 T.
fn emsa_encode(t: &[u8], k: usize) -> Vec<u8> {
    let mut em = vec![0xffu8; k];
    let sep = k - t.len() - 1;
    em[0] = 0;
    em[1] = 1;
    em[sep] = 0;
    em[sep + 1..].copy_from_slice(t);
    em
}

/// RSASSA-PKCS1-v1_5 verification of `t`: the encoding must match the one
/// `sign` makes octet for octet.
pub fn verify(key: &RsaPublic, t: &[u8], signature: &[u8]) -> CkResult<()> {
    if t.len() > max_data(key.size()) {
        return Err(CKR_DATA_LEN_RANGE);
    }
    if signature.len() != key.size() {
        return Err(CKR_SIGNATURE_LEN_RANGE);
    }
    // RFC 8017 8.2.2: RSAVP1, then compare with the encoding of t.
    match public_op(key, signature) {
        Some(em) if em == emsa_encode(t, key.size()) => Ok(()),
        _ => Err(CKR_SIGNATURE_INVALID),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn em(header: [u8; 2], ps: usize, msg: &[u8], k: usize) -> Vec<u8> {
        let mut v = header.to_vec();
        v.extend(std::iter::repeat_n(0x5a, ps));
        v.push(0);
        v.extend_from_slice(msg);
        v.resize(k, 0x11);
        v
    }

    #[test]
    fn eme_decode_accepts_only_type_2_with_eight_padding_octets() {
        let k = 32;
        let good = em([0, 2], k - 3 - 4, b"abcd", k);
        let (valid, start) = eme_decode(&good);
        assert!(bool::from(valid));
        assert_eq!(&good[start..], b"abcd");
        // Exactly 8 PS octets, empty message.
        let mut min = vec![0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 0];
        assert!(bool::from(eme_decode(&min).0));
        assert_eq!(eme_decode(&min).1, min.len());
        min[9] = 0; // only 7 PS octets
        assert!(!bool::from(eme_decode(&min).0));
        for header in [[1, 2], [0, 1], [0, 0], [0, 3]] {
            assert!(!bool::from(eme_decode(&em(header, 20, b"x", k)).0));
        }
        // No separator at all.
        let mut none = vec![0u8, 2];
        none.extend(std::iter::repeat_n(0x77, k - 2));
        assert!(!bool::from(eme_decode(&none).0));
        assert!(!bool::from(eme_decode(&[]).0));
    }

    #[test]
    fn emsa_encoding_layout() {
        assert_eq!(
            emsa_encode(b"abc", 14),
            [
                0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, b'a', b'b', b'c'
            ]
        );
        assert_eq!(
            emsa_encode(b"", 11)[..],
            [0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0]
        );
    }
}
