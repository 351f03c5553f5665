//! At-rest protection of a token's records, under keys derived from its
//! master key with HKDF-SHA256 (salt = token id):
//! - private objects: each record is AES-256-GCM ciphertext of all the
//!   object's attributes under its own key (info = label || unique id), with
//!   the token id and the record up to the nonce (header, unique id, record
//!   version) as associated data;
//! - every other record but the PIN counters (token record, public objects,
//!   tombstones) ends with an HMAC-SHA256 under the token's record MAC key
//!   over the token id and the record.
//!
//! A record therefore cannot be edited, renamed to another object, moved to
//! another token or given another version without failing its check; the
//! check needs the master key, so it happens at login (see the README's
//! security model for what a session may trust before that).
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::format::{self, FormatError, ObjectBody};
use crate::attr::policy::AttrMap;
use crate::constants::CKR_GENERAL_ERROR;
use crate::mech::aes::{gcm_open, gcm_seal};
use crate::mech::random_bytes;
use crate::rv::CkResult;
use crate::token::pin::MasterKey;

const OBJECT_INFO: &[u8] = b"pkcs11-wasm object key v1";
const MAC_INFO: &[u8] = b"pkcs11-wasm record mac v2";

/// A token's record keys: the HKDF extract step, PRK = HMAC(salt = token
/// id, master key), done once for many records, and the record MAC key.
pub struct TokenKeys {
    prk: Zeroizing<[u8; 32]>,
    mac_key: Zeroizing<[u8; 32]>,
    token_id: [u8; 16],
}

impl TokenKeys {
    pub fn new(master: &MasterKey, token_id: &[u8; 16]) -> Option<Self> {
        let prk = hmac_sha256(token_id, &[master.as_ref()])?;
        let mac_key = hmac_sha256(prk.as_ref(), &[MAC_INFO, &[1]])?;
        Some(TokenKeys {
            prk,
            mac_key,
            token_id: *token_id,
        })
    }

    /// HKDF expand, one block: the object's own key.
    fn object_key(&self, uid: &str) -> Option<Zeroizing<[u8; 32]>> {
        hmac_sha256(self.prk.as_ref(), &[OBJECT_INFO, uid.as_bytes(), &[1]])
    }

    fn mac(&self, signed: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
        hmac_sha256(self.mac_key.as_ref(), &[&self.token_id, signed])
    }

    /// `unsigned` (a token, public or tombstone record without its MAC)
    /// with its MAC appended.
    pub fn sign(&self, mut unsigned: Vec<u8>) -> CkResult<Vec<u8>> {
        let mac = self.mac(&unsigned).ok_or(CKR_GENERAL_ERROR)?;
        unsigned.extend_from_slice(mac.as_ref());
        Ok(unsigned)
    }

    /// Whether a version 2 token, public or tombstone record carries the
    /// MAC of this token's master key.
    pub fn verify(&self, record: &[u8]) -> bool {
        let Ok((signed, mac)) = format::split_mac(record) else {
            return false;
        };
        self.mac(signed)
            .is_some_and(|m| bool::from(m.as_ref().ct_eq(mac)))
    }

    /// Encrypts a private object's attributes into its stored record.
    pub fn seal(&self, uid: &str, version: u64, attrs: &AttrMap) -> CkResult<Vec<u8>> {
        let key = self.object_key(uid).ok_or(CKR_GENERAL_ERROR)?;
        let mut nonce = [0u8; 12];
        nonce.copy_from_slice(&random_bytes(12)?);
        let mut record = format::private_prefix(uid, version);
        let plain = Zeroizing::new(format::encode_attrs(attrs));
        let ct = gcm_seal(key.as_ref(), &nonce, &self.aad(&record), &plain)?;
        record.extend_from_slice(&nonce);
        record.extend_from_slice(&ct);
        Ok(record)
    }

    fn aad(&self, prefix: &[u8]) -> Vec<u8> {
        let mut aad = self.token_id.to_vec();
        aad.extend_from_slice(prefix);
        aad
    }

    /// Decrypts a private record (either format version): (uid, record
    /// version, attributes), or `Damaged` if the tag fails (wrong token,
    /// edited, renamed or re-versioned record).
    pub fn open(&self, record: &[u8]) -> Result<(String, u64, AttrMap), FormatError> {
        let parsed = format::decode_object(record)?;
        let ObjectBody::Private {
            aad_prefix,
            nonce,
            ciphertext,
        } = parsed.body
        else {
            return Err(FormatError::Damaged);
        };
        let key = self.object_key(&parsed.uid).ok_or(FormatError::Damaged)?;
        let plain = gcm_open(key.as_ref(), &nonce, &self.aad(aad_prefix), ciphertext)
            .map_err(|_| FormatError::Damaged)?;
        Ok((parsed.uid, parsed.version, format::decode_attrs(&plain)?))
    }
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Option<Zeroizing<[u8; 32]>> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    for p in parts {
        mac.update(p);
    }
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::pin::new_master_key;

    const UID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn sealed_records_open_only_with_their_key_token_and_bytes() {
        let mk = new_master_key().unwrap();
        let keys = TokenKeys::new(&mk, &[1; 16]).unwrap();
        let mut attrs = AttrMap::new();
        attrs.insert(0x11, Zeroizing::new(b"secret key bytes".to_vec()));
        let rec = keys.seal(UID, 7, &attrs).unwrap();
        assert!(!rec.windows(16).any(|w| w == b"secret key bytes"));
        assert_eq!(keys.open(&rec).unwrap(), (UID.into(), 7, attrs));
        let other_token = TokenKeys::new(&mk, &[2; 16]).unwrap();
        assert_eq!(other_token.open(&rec), Err(FormatError::Damaged));
        let other_master = TokenKeys::new(&new_master_key().unwrap(), &[1; 16]).unwrap();
        assert_eq!(other_master.open(&rec), Err(FormatError::Damaged));
        for i in 0..rec.len() {
            let mut bad = rec.clone();
            bad[i] ^= 0x80;
            assert!(keys.open(&bad).is_err(), "flip at {i} not caught");
        }
    }

    #[test]
    fn macs_catch_every_flip_and_other_tokens() {
        let mk = new_master_key().unwrap();
        let keys = TokenKeys::new(&mk, &[1; 16]).unwrap();
        let rec = keys.sign(format::encode_tombstone(UID, 3)).unwrap();
        assert!(keys.verify(&rec));
        assert!(!TokenKeys::new(&mk, &[2; 16]).unwrap().verify(&rec));
        for i in 0..rec.len() {
            let mut bad = rec.clone();
            bad[i] ^= 0x01;
            assert!(!keys.verify(&bad), "flip at {i} not caught");
        }
        assert!(!keys.verify(b"P11W"));
    }
}
