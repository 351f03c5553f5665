//! HKDF (PKCS#11 3.1 mechanisms section 2.62; RFC 5869): CKM_HKDF_DERIVE
//! (a secret key), CKM_HKDF_DATA (the same bytes as a CKO_DATA object) and
//! CKM_HKDF_KEY_GEN (random CKK_HKDF keys, made by the secret-key generator
//! in `hmac`).
//!
//! Choices where the section leaves room:
//! - prfHashMechanism may name any digest with an HMAC here (SHA-1, SHA-2,
//!   SHA-512/t, SHA-3);
//! - the base key may have any length (RFC 5869 allows any IKM; the
//!   section's "length must be the size of the underlying hash" is not
//!   enforced, as in kryoptic); a CKO_DATA base object is not supported;
//! - CKF_HKDF_SALT_DATA with an empty salt is accepted and, like
//!   CKF_HKDF_SALT_NULL, means HashLen zero bytes (an HMAC key is zero-padded,
//!   so the two are the same PRK);
//! - without CKA_VALUE_LEN the output is HashLen bytes; extract-only output
//!   is always HashLen; expand output is at most 255 * HashLen (RFC 5869
//!   section 2.3), more is CKR_TEMPLATE_INCONSISTENT.
use zeroize::Zeroizing;

use super::{MAX_OUTPUT, other_key, output_len, secret_value};
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::hmac::{self, HmacAlg, SECRET_KEY_GEN, secret_type};
use crate::mech::{CkMechanism, KeyLookup, KeyTypeDef, Mechanism, Param, Registry, info};
use crate::object::Object;
use crate::rv::CkResult;

static HKDF_KEY: KeyTypeDef = secret_type(CKK_HKDF);

/// Base and salt keys HKDF accepts (section 2.62.3).
const KEY_TYPES: [CK_ULONG; 2] = [CKK_GENERIC_SECRET, CKK_HKDF];

/// RFC 5869 section 2.2: PRK = HMAC-Hash(salt, IKM).
pub fn extract(alg: &HmacAlg, salt: &[u8], ikm: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
    let mut prf = alg.keyed(salt)?;
    prf.update(ikm);
    Ok(prf.tag())
}

/// RFC 5869 section 2.3: the first `len` bytes of T(1) | T(2) | ...,
/// T(i) = HMAC-Hash(PRK, T(i-1) | info | i).
pub fn expand(alg: &HmacAlg, prk: &[u8], info: &[u8], len: usize) -> CkResult<Zeroizing<Vec<u8>>> {
    if len > 255 * alg.len {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    let keyed = alg.keyed(prk)?;
    let mut okm = Zeroizing::new(Vec::with_capacity(len + alg.len));
    let mut t = Zeroizing::new(Vec::new());
    let mut i = 0u8;
    while okm.len() < len {
        i += 1;
        let mut prf = keyed.box_clone();
        prf.update(&t);
        prf.update(info);
        prf.update(&[i]);
        t = prf.tag();
        okm.extend_from_slice(&t);
    }
    okm.truncate(len);
    Ok(okm)
}

struct Hkdf;
static HKDF: Hkdf = Hkdf;

impl Mechanism for Hkdf {
    fn derive(
        &self,
        m: &CkMechanism,
        base: &Object,
        len: Option<usize>,
        keys: &dyn KeyLookup,
    ) -> CkResult<Zeroizing<Vec<u8>>> {
        let Param::Hkdf {
            extract: do_extract,
            expand: do_expand,
            prf_hash,
            salt_type,
            salt,
            salt_key,
            info,
        } = &m.param
        else {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        };
        if !do_extract && !do_expand {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        }
        let alg = hmac::by_hash(*prf_hash).ok_or(CKR_MECHANISM_PARAM_INVALID)?;
        let ikm = secret_value(base, &KEY_TYPES)?;
        let out_len = output_len(len, Some(alg.len))?;
        if !do_expand && out_len != alg.len {
            // "If it is false CKA_VALUE_LEN may be set to the length of the
            // hash" (and to nothing else).
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        let prk = if *do_extract {
            // The salt matters only when extracting (section 2.62.3).
            let salt: &[u8] = match *salt_type {
                CKF_HKDF_SALT_NULL => &[],
                CKF_HKDF_SALT_DATA => salt,
                CKF_HKDF_SALT_KEY => other_key(keys.key(*salt_key)?, m.kind, &KEY_TYPES)?,
                _ => return Err(CKR_MECHANISM_PARAM_INVALID),
            };
            extract(alg, salt, ikm)?
        } else {
            Zeroizing::new(ikm.to_vec())
        };
        if *do_expand {
            expand(alg, &prk, info, out_len)
        } else {
            Ok(prk)
        }
    }
}

pub fn register(r: &mut Registry) {
    r.add_key_type(&HKDF_KEY);
    // Key sizes in bytes: the base key for derivation, the new key for
    // generation ("HKDF Key gen": CKA_VALUE_LEN, a byte count).
    let max = MAX_OUTPUT as CK_ULONG;
    r.add(CKM_HKDF_DERIVE, info(1, max, CKF_DERIVE), &HKDF);
    r.add(CKM_HKDF_DATA, info(1, max, CKF_DERIVE), &HKDF);
    r.add(
        CKM_HKDF_KEY_GEN,
        info(1, max, CKF_GENERATE),
        &SECRET_KEY_GEN,
    );
}
