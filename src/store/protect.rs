//! At-rest protection of private objects: each record is AES-256-GCM
//! ciphertext of all the object's attributes under its own key,
//! HKDF-SHA256(master key, salt = token id, info = label || unique id),
//! with the record header, the unique id and the token id as associated
//! data. A record therefore cannot be edited, renamed to another object or
//! moved to another token without failing its tag.
use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::format::{self, FormatError};
use crate::attr::policy::AttrMap;
use crate::constants::CKR_GENERAL_ERROR;
use crate::mech::random_bytes;
use crate::rv::CkResult;
use crate::token::pin::MasterKey;

const INFO: &[u8] = b"pkcs11-wasm object key v1";

/// A token's sealing key material: the HKDF-SHA256 extract step,
/// PRK = HMAC(salt = token id, master key), done once for many records.
pub struct TokenKey {
    prk: Zeroizing<[u8; 32]>,
    token_id: [u8; 16],
}

impl TokenKey {
    pub fn new(master: &MasterKey, token_id: &[u8; 16]) -> Option<Self> {
        Some(TokenKey {
            prk: hmac_sha256(token_id, master.as_ref())?,
            token_id: *token_id,
        })
    }

    /// HKDF expand, one block: the object's own key.
    fn object_key(&self, uid: &str) -> Option<Zeroizing<[u8; 32]>> {
        let mut info = INFO.to_vec();
        info.extend_from_slice(uid.as_bytes());
        info.push(1);
        hmac_sha256(self.prk.as_ref(), &info)
    }
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    mac.update(data);
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    Some(out)
}

fn aad(token_id: &[u8; 16], prefix: &[u8]) -> Vec<u8> {
    let mut aad = token_id.to_vec();
    aad.extend_from_slice(prefix);
    aad
}

/// Encrypts a private object's attributes into its stored record.
pub fn seal(
    master: &MasterKey,
    token_id: &[u8; 16],
    uid: &str,
    attrs: &AttrMap,
) -> CkResult<Vec<u8>> {
    let tk = TokenKey::new(master, token_id).ok_or(CKR_GENERAL_ERROR)?;
    let key = tk.object_key(uid).ok_or(CKR_GENERAL_ERROR)?;
    let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| CKR_GENERAL_ERROR)?;
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&random_bytes(12)?);
    let mut record = format::private_prefix(uid);
    let plain = Zeroizing::new(format::encode_attrs(attrs));
    let ct = cipher
        .encrypt(
            &nonce.into(),
            Payload {
                msg: &plain,
                aad: &aad(token_id, &record),
            },
        )
        .map_err(|_| CKR_GENERAL_ERROR)?;
    record.extend_from_slice(&nonce);
    record.extend_from_slice(&ct);
    Ok(record)
}

/// Decrypts a private record: (uid, attributes), or `Damaged` if the tag
/// fails (wrong token, edited or moved record).
pub fn open(
    master: &MasterKey,
    token_id: &[u8; 16],
    record: &[u8],
) -> Result<(String, AttrMap), FormatError> {
    open_with(
        &TokenKey::new(master, token_id).ok_or(FormatError::Damaged)?,
        record,
    )
}

/// `open` with the extract step already done (many records at login).
pub fn open_with(tk: &TokenKey, record: &[u8]) -> Result<(String, AttrMap), FormatError> {
    let token_id = &tk.token_id;
    let parts = format::split_private(record)?;
    let key = tk.object_key(&parts.uid).ok_or(FormatError::Damaged)?;
    let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| FormatError::Damaged)?;
    let prefix = format::private_prefix(&parts.uid);
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                &parts.nonce.into(),
                Payload {
                    msg: parts.ciphertext,
                    aad: &aad(token_id, &prefix),
                },
            )
            .map_err(|_| FormatError::Damaged)?,
    );
    Ok((parts.uid, format::decode_attrs(&plain)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::pin::new_master_key;

    #[test]
    fn sealed_records_open_only_with_their_key_token_and_bytes() {
        let mk = new_master_key().unwrap();
        let mut attrs = AttrMap::new();
        attrs.insert(0x11, Zeroizing::new(b"secret key bytes".to_vec()));
        let rec = seal(&mk, &[1; 16], "abcd", &attrs).unwrap();
        assert!(!rec.windows(16).any(|w| w == b"secret key bytes"));
        assert_eq!(open(&mk, &[1; 16], &rec).unwrap(), ("abcd".into(), attrs));
        assert_eq!(open(&mk, &[2; 16], &rec), Err(FormatError::Damaged));
        assert_eq!(
            open(&new_master_key().unwrap(), &[1; 16], &rec),
            Err(FormatError::Damaged)
        );
        for i in 0..rec.len() {
            let mut bad = rec.clone();
            bad[i] ^= 0x80;
            assert!(open(&mk, &[1; 16], &bad).is_err(), "flip at {i} not caught");
        }
    }
}
