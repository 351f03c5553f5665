//! PIN blobs: the token's master key wrapped with AES-256-GCM under a key
//! derived from a PIN with PBKDF2-HMAC-SHA256. Checking a PIN is unwrapping
//! the master key (no PIN hash is kept). The KDF parameters travel with
//! each blob so they can be raised later.
use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use zeroize::Zeroizing;

use crate::constants::*;
use crate::mech::random_bytes;
use crate::rv::CkResult;

/// A 256-bit key that is wiped when dropped.
pub type MasterKey = Zeroizing<[u8; 32]>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinBlob {
    pub salt: [u8; 16],
    pub iterations: u32,
    pub nonce: [u8; 12],
    /// The master key encrypted, followed by the 16-byte GCM tag.
    pub wrapped: Vec<u8>,
}

/// Associated data binding the blob to its purpose and KDF parameters.
fn aad(iterations: u32) -> Vec<u8> {
    let mut a = b"pkcs11-wasm pin blob v1".to_vec();
    a.extend_from_slice(&iterations.to_be_bytes());
    a
}

fn derive_kek(pin: &[u8], salt: &[u8; 16], iterations: u32) -> Zeroizing<[u8; 32]> {
    let mut kek = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pin, salt, iterations, kek.as_mut());
    kek
}

pub fn new_master_key() -> CkResult<MasterKey> {
    let bytes = random_bytes(32)?;
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&bytes);
    Ok(key)
}

/// Wraps `master` under `pin`.
pub fn wrap(master: &MasterKey, pin: &[u8], iterations: u32) -> CkResult<PinBlob> {
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&random_bytes(16)?);
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&random_bytes(12)?);
    let kek = derive_kek(pin, &salt, iterations);
    let cipher = Aes256Gcm::new_from_slice(kek.as_ref()).map_err(|_| CKR_GENERAL_ERROR)?;
    let aad = aad(iterations);
    let wrapped = cipher
        .encrypt(
            &nonce.into(),
            Payload {
                msg: master.as_ref(),
                aad: &aad,
            },
        )
        .map_err(|_| CKR_GENERAL_ERROR)?;
    Ok(PinBlob {
        salt,
        iterations,
        nonce,
        wrapped,
    })
}

/// Unwraps the master key; a wrong PIN fails the GCM tag: CKR_PIN_INCORRECT.
pub fn unwrap(blob: &PinBlob, pin: &[u8]) -> CkResult<MasterKey> {
    let kek = derive_kek(pin, &blob.salt, blob.iterations);
    let cipher = Aes256Gcm::new_from_slice(kek.as_ref()).map_err(|_| CKR_GENERAL_ERROR)?;
    let aad = aad(blob.iterations);
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                &blob.nonce.into(),
                Payload {
                    msg: &blob.wrapped,
                    aad: &aad,
                },
            )
            .map_err(|_| CKR_PIN_INCORRECT)?,
    );
    let mut key = Zeroizing::new([0u8; 32]);
    if plain.len() != 32 {
        return Err(CKR_PIN_INCORRECT);
    }
    key.copy_from_slice(&plain);
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_pin_unwraps_wrong_pin_fails() {
        let mk = new_master_key().unwrap();
        let blob = wrap(&mk, b"1234", 10).unwrap();
        assert_eq!(*unwrap(&blob, b"1234").unwrap(), *mk);
        assert_eq!(unwrap(&blob, b"1235"), Err(CKR_PIN_INCORRECT));
        let mut tampered = blob.clone();
        tampered.iterations = 11;
        assert_eq!(unwrap(&tampered, b"1234"), Err(CKR_PIN_INCORRECT));
    }
}
