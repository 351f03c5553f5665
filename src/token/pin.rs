//! PIN blobs: the token's master key wrapped with AES-256-GCM under a key
//! derived from a PIN with PBKDF2-HMAC-SHA256. Checking a PIN is unwrapping
//! the master key (no PIN hash is kept). The KDF parameters travel with
//! each blob so they can be raised later. The blob's associated data names
//! its role (SO or user) and its token, so a user blob copied over the SO
//! blob, or a blob from another token, does not unwrap.
use zeroize::Zeroizing;

use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::aes::{gcm_open, gcm_seal};
use crate::mech::random_bytes;
use crate::rv::CkResult;

/// A 256-bit key that is wiped when dropped.
pub type MasterKey = Zeroizing<[u8; 32]>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinBlob {
    /// Whether role and token id are bound in the associated data (blobs
    /// written by format version 1 are not; the first login rewraps them).
    pub bound: bool,
    pub salt: [u8; 16],
    pub iterations: u32,
    pub nonce: [u8; 12],
    /// The master key encrypted, followed by the 16-byte GCM tag.
    pub wrapped: Vec<u8>,
}

/// Associated data binding the blob to its purpose, KDF parameters and,
/// when `bound`, its role (CKU_SO / CKU_USER) and token.
fn aad(bound: bool, iterations: u32, role: CK_ULONG, token_id: &[u8; 16]) -> Vec<u8> {
    if !bound {
        let mut a = b"pkcs11-wasm pin blob v1".to_vec();
        a.extend_from_slice(&iterations.to_be_bytes());
        return a;
    }
    let mut a = b"pkcs11-wasm pin blob v2".to_vec();
    a.extend_from_slice(&iterations.to_be_bytes());
    a.push(if role == CKU_SO { b'S' } else { b'U' });
    a.extend_from_slice(token_id);
    a
}

fn derive_kek(pin: &[u8], salt: &[u8; 16], iterations: u32) -> CkResult<Zeroizing<[u8; 32]>> {
    super::pin_kdf::pbkdf2_sha256_32(pin, salt, iterations).ok_or(CKR_GENERAL_ERROR)
}

pub fn new_master_key() -> CkResult<MasterKey> {
    let bytes = random_bytes(32)?;
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&bytes);
    Ok(key)
}

/// Wraps `master` under `pin` for `role` of token `token_id`.
pub fn wrap(
    master: &MasterKey,
    pin: &[u8],
    iterations: u32,
    role: CK_ULONG,
    token_id: &[u8; 16],
) -> CkResult<PinBlob> {
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&random_bytes(16)?);
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&random_bytes(12)?);
    let kek = derive_kek(pin, &salt, iterations)?;
    let aad = aad(true, iterations, role, token_id);
    let wrapped = gcm_seal(kek.as_ref(), &nonce, &aad, master.as_ref())?;
    Ok(PinBlob {
        bound: true,
        salt,
        iterations,
        nonce,
        wrapped,
    })
}

/// Unwraps the master key; a wrong PIN (or a blob of another role or
/// token) fails the GCM tag: CKR_PIN_INCORRECT.
pub fn unwrap(
    blob: &PinBlob,
    pin: &[u8],
    role: CK_ULONG,
    token_id: &[u8; 16],
) -> CkResult<MasterKey> {
    let kek = derive_kek(pin, &blob.salt, blob.iterations)?;
    let aad = aad(blob.bound, blob.iterations, role, token_id);
    let plain =
        gcm_open(kek.as_ref(), &blob.nonce, &aad, &blob.wrapped).map_err(|_| CKR_PIN_INCORRECT)?;
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
    fn right_pin_unwraps_wrong_pin_role_or_token_fails() {
        let mk = new_master_key().unwrap();
        let id = [5; 16];
        let blob = wrap(&mk, b"1234", 10, CKU_USER, &id).unwrap();
        assert_eq!(*unwrap(&blob, b"1234", CKU_USER, &id).unwrap(), *mk);
        assert_eq!(
            unwrap(&blob, b"1235", CKU_USER, &id),
            Err(CKR_PIN_INCORRECT)
        );
        // The user blob copied over the SO blob, or onto another token.
        assert_eq!(unwrap(&blob, b"1234", CKU_SO, &id), Err(CKR_PIN_INCORRECT));
        assert_eq!(
            unwrap(&blob, b"1234", CKU_USER, &[6; 16]),
            Err(CKR_PIN_INCORRECT)
        );
        let mut tampered = blob.clone();
        tampered.iterations = 11;
        assert_eq!(
            unwrap(&tampered, b"1234", CKU_USER, &id),
            Err(CKR_PIN_INCORRECT)
        );
        let mut unbound = blob.clone();
        unbound.bound = false;
        assert_eq!(
            unwrap(&unbound, b"1234", CKU_USER, &id),
            Err(CKR_PIN_INCORRECT)
        );
    }
}
