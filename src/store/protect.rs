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
/// id, master key), done once for many records, and the record MAC key,
/// each held as an HMAC already keyed with it. Cloning a keyed HMAC
/// skips the two SHA-256 blocks of its key, half the work of each
/// object's key and record MAC (a login opens every private record).
/// The hash states are wiped on drop (the `zeroize` features of sha2 and
/// hmac).
pub struct TokenKeys {
    object_keys: Hmac<Sha256>,
    record_mac: Hmac<Sha256>,
    token_id: [u8; 16],
}

impl TokenKeys {
    pub fn new(master: &MasterKey, token_id: &[u8; 16]) -> Option<Self> {
        let prk = hmac_sha256(&keyed(token_id)?, &[master.as_ref()]);
        let object_keys = keyed(prk.as_ref())?;
        let mac_key = hmac_sha256(&object_keys, &[MAC_INFO, &[1]]);
        Some(TokenKeys {
            object_keys,
            record_mac: keyed(mac_key.as_ref())?,
            token_id: *token_id,
        })
    }

    /// HKDF expand, one block: the object's own key.
    fn object_key(&self, uid: &str) -> Option<Zeroizing<[u8; 32]>> {
        Some(hmac_sha256(
            &self.object_keys,
            &[OBJECT_INFO, uid.as_bytes(), &[1]],
        ))
    }

    fn mac(&self, signed: &[u8]) -> Option<Zeroizing<[u8; 32]>> {
        Some(hmac_sha256(&self.record_mac, &[&self.token_id, signed]))
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
        let key = self.object_key(parsed.uid).ok_or(FormatError::Damaged)?;
        let plain = gcm_open(key.as_ref(), &nonce, &self.aad(aad_prefix), ciphertext)
            .map_err(|_| FormatError::Damaged)?;
        Ok((
            parsed.uid.to_string(),
            parsed.version,
            format::decode_attrs(&plain)?,
        ))
    }
}

/// HMAC-SHA256 keyed with `key`, before any data.
fn keyed(key: &[u8]) -> Option<Hmac<Sha256>> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()
}

/// HMAC of the parts under an already keyed HMAC.
fn hmac_sha256(keyed: &Hmac<Sha256>, parts: &[&[u8]]) -> Zeroizing<[u8; 32]> {
    let mut mac = keyed.clone();
    for p in parts {
        mac.update(p);
    }
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(&mac.finalize().into_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::pin::new_master_key;

    const UID: &str = "0123456789abcdef0123456789abcdef";

    /// The object key and the record MAC are HKDF-SHA256 (RFC 5869) and
    /// HMAC-SHA256 as the module doc says: answers from Node's OpenSSL
    /// (`crypto.hkdfSync("sha256", [7; 32], [1; 16], info, 32)`, then
    /// `createHmac` over token id || record), so a change to how the keys
    /// are computed cannot silently lock out existing tokens.
    #[test]
    fn record_keys_match_openssl_hkdf() {
        let keys = TokenKeys::new(&Zeroizing::new([7; 32]), &[1; 16]).unwrap();
        assert_eq!(
            hex::encode(keys.object_key(UID).unwrap().as_ref()),
            "b600e4dda363167db15da4d4679c00c42e66d61fc17e72d670836a9cfbaa0b20"
        );
        assert_eq!(
            hex::encode(keys.mac(b"signed record").unwrap().as_ref()),
            "8ebff8fb3d4af903e6b05c2617608bd6fe8d35c3caa080a2791722aef5c137eb"
        );
    }

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
