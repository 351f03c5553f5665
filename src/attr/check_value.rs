//! CKA_CHECK_VALUE, the key (or certificate) checksum, for the object
//! kinds whose own section does not already compute it:
//! - AES keys: "the first three bytes of the ECB encryption of a single
//!   block of null (0x00) bytes, using the default cipher and mode (e.g.
//!   AES-ECB) associated with the key type of the secret key object"
//!   (3.1 base section 4.10, common secret key attributes);
//! - certificates: "the first three bytes of the SHA-1 hash of the
//!   certificate object's CKA_VALUE attribute" (section 4.6, common
//!   certificate attributes);
//! - key types with no ECB cipher (ChaCha20 and the other stream or
//!   signature keys) have none: only an empty value is accepted.
//!
//! Generic secret and HMAC-family keys compute theirs in `mech::hmac`
//! (SHA-1 of the value, section "Generic secret key objects").
//!
//! As in SoftHSMv2, an empty CKA_CHECK_VALUE in a template asks for none;
//! a value given that differs from the computed one is
//! CKR_ATTRIBUTE_VALUE_INVALID.
use digest::Digest;
use zeroize::Zeroizing;

use super::parse_ulong;
use super::policy::AttrMap;
use crate::constants::*;
use crate::mech::{CkMechanism, registry};
use crate::object::Object;
use crate::rv::CkResult;

/// The first three bytes of AES-ECB(value, zero block).
pub fn aes(value: &[u8]) -> CkResult<Vec<u8>> {
    let mut attrs = AttrMap::new();
    attrs.insert(
        CKA_CLASS,
        Zeroizing::new(super::ulong_bytes(CKO_SECRET_KEY)),
    );
    attrs.insert(CKA_KEY_TYPE, Zeroizing::new(super::ulong_bytes(CKK_AES)));
    attrs.insert(CKA_VALUE, Zeroizing::new(value.to_vec()));
    let key = Object::new(attrs);
    let m = CkMechanism::new(CKM_AES_ECB);
    let mut op = registry()
        .get(CKM_AES_ECB, CKF_ENCRYPT)?
        .encrypt_init(&m, &key)?;
    let block = op.one_shot(&[0u8; 16])?;
    Ok(block[..3].to_vec())
}

/// The first three bytes of SHA-1(value).
pub fn sha1(value: &[u8]) -> Vec<u8> {
    crate::mech::digest::sha1::Sha1::digest(value)[..3].to_vec()
}

/// What CKA_CHECK_VALUE should be for this object, if it is one of the
/// kinds handled here: Some(bytes), or None for a kind that has none.
fn expected(attrs: &AttrMap) -> Option<CkResult<Option<Vec<u8>>>> {
    let ulong = |k| attrs.get(&k).and_then(|v| parse_ulong(v).ok());
    let value = attrs
        .get(&CKA_VALUE)
        .map(|v| v.as_slice())
        .unwrap_or_default();
    match (ulong(CKA_CLASS)?, ulong(CKA_KEY_TYPE)) {
        (CKO_CERTIFICATE, _) => Some(Ok(Some(sha1(value)))),
        (CKO_SECRET_KEY, Some(CKK_AES)) => Some(aes(value).map(Some)),
        (CKO_SECRET_KEY, Some(CKK_CHACHA20)) => Some(Ok(None)),
        _ => None,
    }
}

/// Fills in or checks CKA_CHECK_VALUE of a new object whose value is
/// final (after C_CreateObject's checks, or with the generated, unwrapped
/// or derived value in place).
pub fn complete(attrs: &mut AttrMap) -> CkResult<()> {
    let Some(expected) = expected(attrs) else {
        return Ok(());
    };
    let expected = expected?;
    match (attrs.get(&CKA_CHECK_VALUE), expected) {
        (Some(given), _) if given.is_empty() => Ok(()),
        (Some(given), Some(kcv)) if **given == kcv => Ok(()),
        (Some(_), _) => Err(CKR_ATTRIBUTE_VALUE_INVALID),
        (None, Some(kcv)) => {
            attrs.insert(CKA_CHECK_VALUE, Zeroizing::new(kcv));
            Ok(())
        }
        (None, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CK_ULONG;
    use crate::attr::ulong_bytes;

    fn map(entries: &[(CK_ULONG, Vec<u8>)]) -> AttrMap {
        entries
            .iter()
            .map(|(k, v)| (*k, Zeroizing::new(v.clone())))
            .collect()
    }

    /// FIPS 197 appendix C: AES-128/192/256 of 00112233... under
    /// 000102...; the check value is the same cipher on the zero block,
    /// here checked through the SP 800-38A ECB known answers instead:
    /// AES-128 key 2b7e1516..., zero block -> 0x7df76b0c1ab899b33e42f047b91b546f
    /// (computed independently with OpenSSL: `openssl enc -aes-128-ecb`).
    #[test]
    fn aes_check_values_known_answers() {
        let key = 0x2b7e151628aed2a6abf7158809cf4f3c_u128.to_be_bytes();
        assert_eq!(aes(&key).unwrap(), [0x7d, 0xf7, 0x6b]);
        // AES-256 with the all-zero key: AES_0(0) = dc95c078a2408989ad48a21492842087.
        assert_eq!(aes(&[0; 32]).unwrap(), [0xdc, 0x95, 0xc0]);
        // AES-128 with the all-zero key: 66e94bd4ef8a2c3b884cfa59ca342b2e.
        assert_eq!(aes(&[0; 16]).unwrap(), [0x66, 0xe9, 0x4b]);
    }

    #[test]
    fn certificate_check_value_is_sha1_of_the_value() {
        // SHA-1("abc") = a9993e36...
        let mut a = map(&[
            (CKA_CLASS, ulong_bytes(CKO_CERTIFICATE)),
            (CKA_VALUE, b"abc".to_vec()),
        ]);
        complete(&mut a).unwrap();
        assert_eq!(a[&CKA_CHECK_VALUE].as_slice(), [0xa9, 0x99, 0x3e]);
        let mut bad = a.clone();
        bad.insert(CKA_CHECK_VALUE, Zeroizing::new(vec![1, 2, 3]));
        assert_eq!(complete(&mut bad), Err(CKR_ATTRIBUTE_VALUE_INVALID));
    }

    #[test]
    fn given_values_match_or_are_refused() {
        let aes_key = |kcv: Option<Vec<u8>>| {
            let mut m = map(&[
                (CKA_CLASS, ulong_bytes(CKO_SECRET_KEY)),
                (CKA_KEY_TYPE, ulong_bytes(CKK_AES)),
                (CKA_VALUE, vec![0; 16]),
            ]);
            if let Some(k) = kcv {
                m.insert(CKA_CHECK_VALUE, Zeroizing::new(k));
            }
            m
        };
        let mut m = aes_key(None);
        complete(&mut m).unwrap();
        assert_eq!(m[&CKA_CHECK_VALUE].as_slice(), [0x66, 0xe9, 0x4b]);
        assert!(complete(&mut aes_key(Some(vec![0x66, 0xe9, 0x4b]))).is_ok());
        let mut none = aes_key(Some(vec![]));
        complete(&mut none).unwrap();
        assert!(none[&CKA_CHECK_VALUE].is_empty(), "empty asks for none");
        assert_eq!(
            complete(&mut aes_key(Some(vec![0x66, 0xe9, 0x4c]))),
            Err(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        // ChaCha20 defines no check value: only an empty one is accepted.
        let chacha = |kcv: Vec<u8>| {
            map(&[
                (CKA_CLASS, ulong_bytes(CKO_SECRET_KEY)),
                (CKA_KEY_TYPE, ulong_bytes(CKK_CHACHA20)),
                (CKA_VALUE, vec![0; 32]),
                (CKA_CHECK_VALUE, kcv),
            ])
        };
        assert!(complete(&mut chacha(vec![])).is_ok());
        assert_eq!(
            complete(&mut chacha(vec![1, 2, 3])),
            Err(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        // Generic secrets are left to their own key type.
        let mut generic = map(&[
            (CKA_CLASS, ulong_bytes(CKO_SECRET_KEY)),
            (CKA_KEY_TYPE, ulong_bytes(CKK_GENERIC_SECRET)),
            (CKA_VALUE, vec![1]),
            (CKA_CHECK_VALUE, vec![9, 9, 9]),
        ]);
        assert!(complete(&mut generic).is_ok());
    }
}
