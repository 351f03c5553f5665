//! PKCS #5 PBKDF2 key generation, CKM_PKCS5_PBKD2 (PKCS#11 3.1 mechanisms
//! section 2.37.5 "PKCS #5 PBKD2 key generation"; RFC 8018 section 5.2).
//!
//! A C_GenerateKey mechanism whose parameter is CK_PKCS5_PBKD2_PARAMS2
//! (the 2.40 errata form with the password length passed by value):
//! - saltSource must be CKZ_SALT_SPECIFIED (the only one defined); the salt
//!   may be empty;
//! - prf is CKP_PKCS5_PBKD2_HMAC_SHA1 / SHA224 / SHA256 / SHA384 / SHA512 /
//!   SHA512_224 / SHA512_256 (GOST R 34.11 is not implemented), with no
//!   pPrfData;
//! - iterations is 1..=MAX_ITERATIONS; more is refused rather than letting
//!   one call block the page for minutes;
//! - the new key's type is the template's CKA_KEY_TYPE (default
//!   CKK_GENERIC_SECRET) and its length CKA_VALUE_LEN, which is required;
//!   the key type's own checks (AES lengths, check values) apply.
use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::output_len;
use crate::CK_ULONG;
use crate::attr::{self, Attribute};
use crate::constants::*;
use crate::mech::hmac::{self, Prf};
use crate::mech::{CkMechanism, Generated, Mechanism, Param, Registry, info, registry};
use crate::rv::CkResult;

/// The most iterations one call runs: 2^24, the largest count in RFC 6070
/// and Wycheproof; about 7 s of HMAC-SHA-256 in wasm (600 000, OWASP's
/// 2023 advice for PBKDF2-HMAC-SHA256, take ~0.25 s).
pub const MAX_ITERATIONS: CK_ULONG = 1 << 24;

/// The hash of each PRF of section 2.37.4 this token implements (its
/// HMAC is `mech::hmac`'s, keyed once with the password).
fn prf_hash(id: CK_ULONG) -> Option<CK_ULONG> {
    Some(match id {
        CKP_PKCS5_PBKD2_HMAC_SHA1 => CKM_SHA_1,
        CKP_PKCS5_PBKD2_HMAC_SHA224 => CKM_SHA224,
        CKP_PKCS5_PBKD2_HMAC_SHA256 => CKM_SHA256,
        CKP_PKCS5_PBKD2_HMAC_SHA384 => CKM_SHA384,
        CKP_PKCS5_PBKD2_HMAC_SHA512 => CKM_SHA512,
        CKP_PKCS5_PBKD2_HMAC_SHA512_224 => CKM_SHA512_224,
        CKP_PKCS5_PBKD2_HMAC_SHA512_256 => CKM_SHA512_256,
        _ => return None,
    })
}

/// RFC 8018 PBKDF2 with the PRF `prf_id`: `len` bytes.
pub fn derive(
    prf_id: CK_ULONG,
    password: &[u8],
    salt: &[u8],
    iterations: CK_ULONG,
    len: usize,
) -> CkResult<Zeroizing<Vec<u8>>> {
    let alg = prf_hash(prf_id)
        .and_then(hmac::by_hash)
        .ok_or(CKR_MECHANISM_PARAM_INVALID)?;
    let iterations = u32::try_from(iterations).map_err(|_| CKR_MECHANISM_PARAM_INVALID)?;
    if iterations == 0 || CK_ULONG::from(iterations) > MAX_ITERATIONS {
        return Err(CKR_MECHANISM_PARAM_INVALID);
    }
    let prf = alg.keyed(password)?;
    let mut dk = Zeroizing::new(vec![0u8; len]);
    pbkdf2(&*prf, alg.len, salt, iterations, &mut dk);
    Ok(dk)
}

/// RFC 8018 section 5.2 over `prf` (HMAC keyed with the password, output
/// `h_len` <= 64 bytes). One loop for every hash, where the `pbkdf2`
/// crate's generic function was compiled once per hash (~23 KB of the
/// core module for seven PRFs); its speed is the same, the PRF's state
/// copied on the stack per iteration in both.
fn pbkdf2(prf: &dyn Prf, h_len: usize, salt: &[u8], iterations: u32, dk: &mut [u8]) {
    let mut u = Zeroizing::new([0u8; 64]);
    let mut next = Zeroizing::new([0u8; 64]);
    let mut t = Zeroizing::new([0u8; 64]);
    let mut first = salt.to_vec();
    for (i, block) in (1u32..).zip(dk.chunks_mut(h_len)) {
        // U_1 = PRF(P, S || INT(i)); T_i = U_1 ^ ... ^ U_c.
        first.truncate(salt.len());
        first.extend_from_slice(&i.to_be_bytes());
        let (mut prev, mut cur) = (&mut u[..h_len], &mut next[..h_len]);
        prf.tag_after(&first, prev);
        let t = &mut t[..h_len];
        t.copy_from_slice(prev);
        for _ in 1..iterations {
            prf.tag_after(prev, cur);
            t.iter_mut().zip(cur.iter()).for_each(|(t, u)| *t ^= u);
            // The buffers trade places (the references, not the bytes).
            std::mem::swap(&mut prev, &mut cur);
        }
        block.copy_from_slice(&t[..block.len()]);
    }
}

struct Pbkd2;
static PBKD2: Pbkd2 = Pbkd2;

impl Mechanism for Pbkd2 {
    fn generate_key(&self, m: &CkMechanism, template: &[Attribute]) -> CkResult<Generated> {
        let Param::Pbkdf2 {
            salt_source,
            salt,
            iterations,
            prf,
            prf_data,
            password,
        } = &m.param
        else {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        };
        if *salt_source != CKZ_SALT_SPECIFIED || !prf_data.is_empty() {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        }
        if attr::find_ulong(template, CKA_CLASS)?.is_some_and(|c| c != CKO_SECRET_KEY) {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        let ckk = attr::find_ulong(template, CKA_KEY_TYPE)?.unwrap_or(CKK_GENERIC_SECRET);
        let def = registry()
            .key_type(ckk)
            .filter(|d| !d.secret.is_empty())
            .ok_or(CKR_TEMPLATE_INCONSISTENT)?;
        let len = attr::find_ulong(template, CKA_VALUE_LEN)?
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        let len = output_len(len, None)?;
        let dk = derive(*prf, password, salt, *iterations, len)?;
        // The key type validates the value (e.g. AES lengths) and computes
        // what derives from it (CKA_VALUE_LEN, CKA_CHECK_VALUE), as for an
        // imported key; a CKA_CHECK_VALUE in the template is checked.
        let mut attrs = BTreeMap::new();
        attrs.insert(CKA_VALUE, Zeroizing::new(dk.to_vec()));
        for kind in [CKA_VALUE_LEN, CKA_CHECK_VALUE] {
            if let Some(v) = attr::find(template, kind) {
                attrs.insert(kind, Zeroizing::new(v.to_vec()));
            }
        }
        (def.complete)(CKO_SECRET_KEY, &mut attrs)?;
        let mut out = vec![Attribute::ulong(CKA_KEY_TYPE, ckk)];
        out.extend(attrs.iter().map(|(k, v)| Attribute::new(*k, v.to_vec())));
        Ok(out)
    }
}

pub fn register(r: &mut Registry) {
    // Key sizes: the generated key's length in bytes.
    r.add(
        CKM_PKCS5_PBKD2,
        info(1, super::MAX_OUTPUT as CK_ULONG, CKF_GENERATE),
        &PBKD2,
    );
}
