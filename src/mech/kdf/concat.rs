//! The miscellaneous simple key derivations (PKCS#11 3.1 mechanisms
//! section 2.43): CKM_CONCATENATE_BASE_AND_KEY (2.43.3),
//! CKM_CONCATENATE_BASE_AND_DATA (2.43.4), CKM_CONCATENATE_DATA_AND_BASE
//! (2.43.5) and CKM_XOR_BASE_AND_DATA (2.43.6).
//!
//! Parameters: BASE_AND_KEY takes a CK_OBJECT_HANDLE (pkcs11js: an 8-byte
//! little-endian Buffer); the others a CK_KEY_DERIVATION_STRING_DATA, which
//! arrives as its bytes (a raw Buffer, or the facade's
//! CK_PARAMS_KEY_DERIVATION_STRING_DATA `{data}`). The data must not be
//! empty (as kryoptic; an empty XOR would make an empty key).
//!
//! The new key is the first CKA_VALUE_LEN bytes of the result, or all of
//! them (for XOR: the shorter of key and data); asking for more is
//! CKR_TEMPLATE_INCONSISTENT. Its type defaults to generic secret and its
//! protection follows the source keys (see `super::derive_rules`). Base
//! and other key may be secret keys of any type.
//!
//! Key extraction (Clulow's attacks): a short result would hand out part
//! of a key, which can then be found by trying its few values through any
//! use of the short key (an HMAC, a check value). So when a source key is
//! protected (sensitive or not extractable), the result must hold all of
//! it: a CKA_VALUE_LEN that cuts into it is CKR_TEMPLATE_INCONSISTENT (a
//! token-specific requirement, 3.1 base section 4.1.1), and XOR data
//! shorter than such a base key is CKR_MECHANISM_PARAM_INVALID.
use zeroize::Zeroizing;

use super::{MAX_OUTPUT, other_key, output_len, secret_value};
use crate::CK_ULONG;
use crate::attr;
use crate::attr::policy::is_protected;
use crate::constants::*;
use crate::mech::{CkMechanism, KeyLookup, Mechanism, Param, Registry, info};
use crate::object::Object;
use crate::rv::CkResult;

/// CKM_CONCATENATE_BASE_AND_KEY's parameter: the other key's handle.
pub fn other_key_handle(p: &Param) -> CkResult<CK_ULONG> {
    match p {
        Param::Bytes(b) if b.len() == 8 => {
            attr::parse_ulong(b).map_err(|_| CKR_MECHANISM_PARAM_INVALID)
        }
        _ => Err(CKR_MECHANISM_PARAM_INVALID),
    }
}

/// CK_KEY_DERIVATION_STRING_DATA: non-empty bytes.
fn string_data(p: &Param) -> CkResult<&[u8]> {
    match p {
        Param::Bytes(b) if !b.is_empty() => Ok(b),
        _ => Err(CKR_MECHANISM_PARAM_INVALID),
    }
}

struct Simple;
static SIMPLE: Simple = Simple;

impl Mechanism for Simple {
    fn derive(
        &self,
        m: &CkMechanism,
        base: &Object,
        len: Option<usize>,
        keys: &dyn KeyLookup,
    ) -> CkResult<Zeroizing<Vec<u8>>> {
        let value = secret_value(base, &[])?;
        let base_kept = is_protected(&base.attrs);
        let mut out = Zeroizing::new(Vec::new());
        // The shortest result that still holds every protected source key
        // whole.
        let mut keep = 0;
        match m.kind {
            CKM_CONCATENATE_BASE_AND_KEY => {
                let other = keys.key(other_key_handle(&m.param)?)?;
                out.extend_from_slice(value);
                out.extend_from_slice(other_key(other, m.kind, &[])?);
                if base_kept {
                    keep = value.len();
                }
                if is_protected(&other.attrs) {
                    keep = out.len();
                }
            }
            CKM_CONCATENATE_BASE_AND_DATA => {
                out.extend_from_slice(value);
                out.extend_from_slice(string_data(&m.param)?);
                if base_kept {
                    keep = value.len();
                }
            }
            CKM_CONCATENATE_DATA_AND_BASE => {
                out.extend_from_slice(string_data(&m.param)?);
                out.extend_from_slice(value);
                if base_kept {
                    keep = out.len();
                }
            }
            CKM_XOR_BASE_AND_DATA => {
                let data = string_data(&m.param)?;
                if base_kept && data.len() < value.len() {
                    return Err(CKR_MECHANISM_PARAM_INVALID);
                }
                out.extend(value.iter().zip(data).map(|(k, d)| k ^ d));
                if base_kept {
                    keep = out.len();
                }
            }
            _ => return Err(CKR_MECHANISM_INVALID),
        }
        let n = output_len(len, Some(out.len()))?;
        if n > out.len() {
            // "If the requested type of key requires more bytes than are
            // available ..., an error is generated."
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        if n < keep {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        out.truncate(n);
        Ok(out)
    }
}

pub fn register(r: &mut Registry) {
    // Key sizes: the base key's length in bytes.
    let max = MAX_OUTPUT as CK_ULONG;
    for kind in [
        CKM_CONCATENATE_BASE_AND_KEY,
        CKM_CONCATENATE_BASE_AND_DATA,
        CKM_CONCATENATE_DATA_AND_BASE,
        CKM_XOR_BASE_AND_DATA,
    ] {
        r.add(kind, info(1, max, CKF_DERIVE), &SIMPLE);
    }
}
