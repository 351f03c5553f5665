//! CKM_AES_ECB_ENCRYPT_DATA and CKM_AES_CBC_ENCRYPT_DATA (PKCS#11 3.1
//! mechanisms, "Key derivation by data encryption - DES & AES"): the new
//! key's value is the encryption of the parameter's data under the base
//! AES key, without padding (the data is a non-empty multiple of 16 bytes).
//! A CKA_VALUE_LEN in the template takes the leading bytes of that
//! ciphertext, as SoftHSMv2 does.
use zeroize::Zeroizing;

use super::BLOCK;
use super::block::{BlockOp, Cipher, Mode};
use crate::constants::*;
use crate::mech::{CipherOp, CkMechanism, Param};
use crate::object::Object;
use crate::rv::CkResult;

/// The data to encrypt must be a non-empty multiple of the block size.
fn check_data(data: &[u8]) -> CkResult<()> {
    if data.is_empty() || !data.len().is_multiple_of(BLOCK) {
        Err(CKR_MECHANISM_PARAM_INVALID)
    } else {
        Ok(())
    }
}

/// The derived bytes for `m` with base key `base`, `len` of them if given.
pub(super) fn derive(
    m: &CkMechanism,
    base: &Object,
    len: Option<usize>,
) -> CkResult<Zeroizing<Vec<u8>>> {
    let (mode, iv, data) = match (m.kind, &m.param) {
        // CK_KEY_DERIVATION_STRING_DATA: the data as a raw parameter.
        (CKM_AES_ECB_ENCRYPT_DATA, Param::Bytes(data)) => (Mode::Ecb, [0; BLOCK], data),
        // CK_AES_CBC_ENCRYPT_DATA_PARAMS.
        (CKM_AES_CBC_ENCRYPT_DATA, Param::AesCbcEncryptData { iv, data }) => {
            let iv =
                <[u8; BLOCK]>::try_from(iv.as_slice()).map_err(|_| CKR_MECHANISM_PARAM_INVALID)?;
            (Mode::Cbc, iv, data)
        }
        _ => return Err(CKR_MECHANISM_PARAM_INVALID),
    };
    check_data(data)?;
    let mut op = BlockOp::new(Cipher::new(base)?, mode, true, iv);
    let mut out = Zeroizing::new(op.one_shot_key(data)?);
    if let Some(n) = len {
        // Longer than the ciphertext: the engine answers
        // CKR_TEMPLATE_INCONSISTENT.
        out.truncate(n);
    }
    Ok(out)
}
