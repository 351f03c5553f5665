//! Raw RSA for CKM_RSA_X_509 (PKCS#11 3.1 mechanisms 2.1.12 "X.509 (raw)
//! RSA"): RSAEP / RSADP on the input left-padded with zero octets to the
//! modulus length k, no encoding. Single-part only.

use super::key::{RsaPrivate, RsaPublic};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::key::{PrivateOpError, private_op, public_op};
use crate::constants::*;
use crate::rv::CkResult;

/// The input as a k-octet string: at most k octets (else `too_long`).
fn pad(data: &[u8], k: usize, too_long: u64) -> CkResult<Zeroizing<Vec<u8>>> {
    let start = k.checked_sub(data.len()).ok_or(too_long)?;
    let mut out = Zeroizing::new(vec![0u8; k]);
    out[start..].copy_from_slice(data);
    Ok(out)
}

/// C_Encrypt / C_WrapKey: input of at most k octets whose value is below
/// the modulus (else CKR_DATA_INVALID, as the mechanism text says).
pub fn encrypt(key: &RsaPublic, data: &[u8]) -> CkResult<Vec<u8>> {
    let m = pad(data, key.size(), CKR_DATA_LEN_RANGE)?;
    public_op(key, &m).ok_or(CKR_DATA_INVALID)
}

/// C_Decrypt / C_UnwrapKey: exactly k octets in and out.
pub fn decrypt(key: &RsaPrivate, ciphertext: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
    if ciphertext.len() != key.size() {
        return Err(CKR_ENCRYPTED_DATA_LEN_RANGE);
    }
    private_op(key, ciphertext).map_err(|e| match e {
        PrivateOpError::Decryption => CKR_ENCRYPTED_DATA_INVALID,
        _ => CKR_FUNCTION_FAILED,
    })
}

/// C_Sign: the private operation on at most k octets below the modulus.
pub fn sign(key: &RsaPrivate, data: &[u8]) -> CkResult<Vec<u8>> {
    let m = pad(data, key.size(), CKR_DATA_LEN_RANGE)?;
    let mut s = private_op(key, &m).map_err(|e| match e {
        PrivateOpError::Decryption => CKR_DATA_INVALID,
        _ => CKR_FUNCTION_FAILED,
    })?;
    Ok(std::mem::take(&mut *s))
}

/// C_Verify: the signature (k octets, below the modulus) raised to e must
/// equal the data left-padded to k octets.
pub fn verify(key: &RsaPublic, data: &[u8], signature: &[u8]) -> CkResult<()> {
    let k = key.size();
    let expected = pad(data, k, CKR_DATA_LEN_RANGE)?;
    if signature.len() != k {
        return Err(CKR_SIGNATURE_LEN_RANGE);
    }
    let got = public_op(key, signature).ok_or(CKR_SIGNATURE_INVALID)?;
    if bool::from(got.ct_eq(&expected)) {
        Ok(())
    } else {
        Err(CKR_SIGNATURE_INVALID)
    }
}

/// Whether 1 < z < n - 1 for big-endian k-octet strings (z and n of the
/// same length): the range of RSASVE's secret (NIST SP 800-56B rev. 2,
/// sections 7.2.1.2 and 7.2.1.3).
fn secret_in_range(z: &[u8], n: &[u8]) -> bool {
    let mut n_minus_1 = n.to_vec();
    // n is odd, so n - 1 only clears its lowest bit.
    if let Some(last) = n_minus_1.last_mut() {
        *last &= 0xfe;
    }
    let one_below = z.iter().rev().skip(1).all(|&b| b == 0) && z.last().is_some_and(|&b| b <= 1);
    !one_below && z < &n_minus_1[..]
}

/// C_EncapsulateKey with CKM_RSA_X_509: RSASVE.GENERATE (SP 800-56B rev. 2
/// section 7.2.1.2): a random z with 1 < z < n - 1, the ciphertext z^e mod
/// n, and the shared secret Z = z as k octets.
pub fn encapsulate(key: &RsaPublic) -> CkResult<(Vec<u8>, Zeroizing<Vec<u8>>)> {
    let n = key.n_bytes();
    let k = key.size();
    let top_bits = n.first().map_or(8, |b| 8 - b.leading_zeros());
    let mask = ((1u16 << top_bits) - 1) as u8;
    // Rejection sampling below n: at most a few draws on average.
    for _ in 0..128 {
        let mut z = crate::mech::random_bytes(k)?;
        if let Some(first) = z.first_mut() {
            *first &= mask;
        }
        if secret_in_range(&z, &n) {
            let c = public_op(key, &z).ok_or(CKR_GENERAL_ERROR)?;
            return Ok((c, z));
        }
    }
    Err(CKR_FUNCTION_FAILED)
}

/// C_DecapsulateKey with CKM_RSA_X_509: RSASVE.RECOVER (section 7.2.1.3):
/// z = c^d mod n, refused unless 1 < z < n - 1.
pub fn decapsulate(key: &RsaPrivate, ciphertext: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
    let z = decrypt(key, ciphertext)?;
    if !secret_in_range(&z, &key.n_bytes()) {
        return Err(CKR_ENCRYPTED_DATA_INVALID);
    }
    Ok(z)
}
