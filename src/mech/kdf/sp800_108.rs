//! NIST SP 800-108 counter-mode KDF, CKM_SP800_108_COUNTER_KDF (PKCS#11
//! 3.1 mechanisms section 2.42; SP 800-108r1 section 4.1).
//!
//! Each PRF call gets the CK_PRF_DATA_PARAM fields concatenated in order
//! (section 2.42.11), the iteration variable being the counter i = 1, 2,
//! ...; the derived key is the first CKA_VALUE_LEN bytes (required) of the
//! PRF outputs.
//!
//! - PRFs: CKM_SHA_1_HMAC ... CKM_SHA512_HMAC, CKM_SHA3_*_HMAC (and, beyond
//!   the section's table, CKM_SHA512_224/256_HMAC) with a generic secret or
//!   the matching HMAC key; CKM_AES_CMAC with an AES key.
//! - Data fields: exactly one CK_SP800_108_ITERATION_VARIABLE (counter of 8,
//!   16, 24 or 32 bits); at most one CK_SP800_108_DKM_LENGTH (8 to 64 bits
//!   in whole bytes; a length that does not fit the width is refused, not
//!   truncated); any number of non-empty CK_SP800_108_BYTE_ARRAY and of
//!   CK_SP800_108_KEY_HANDLE (3.2: that secret key's value, which must be
//!   usable as a base key here). CK_SP800_108_COUNTER is invalid in counter
//!   mode (table "Counter Mode data field requirements").
//! - Additional derived keys (pAdditionalDerivedKeys) are not supported:
//!   C_DeriveKey returns one handle in this API.
//! - More output than (2^r - 1) PRF blocks is CKR_MECHANISM_PARAM_INVALID.
use zeroize::Zeroizing;

use super::{MAX_OUTPUT, other_key, output_len, secret_value};
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::hmac::{self, HmacAlg};
use crate::mech::{CkMechanism, KeyLookup, Mechanism, Param, Registry, info, registry};
use crate::object::Object;
use crate::rv::CkResult;

/// One CK_PRF_DATA_PARAM of CK_SP800_108_KDF_PARAMS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrfDataParam {
    /// CK_SP800_108_ITERATION_VARIABLE with its CK_SP800_108_COUNTER_FORMAT.
    IterationVariable {
        little_endian: bool,
        width_bits: CK_ULONG,
    },
    /// CK_SP800_108_COUNTER (= CK_SP800_108_OPTIONAL_COUNTER) and its
    /// format: only for the feedback and double-pipeline modes.
    Counter {
        little_endian: bool,
        width_bits: CK_ULONG,
    },
    /// CK_SP800_108_DKM_LENGTH with its CK_SP800_108_DKM_LENGTH_FORMAT.
    DkmLength {
        method: CK_ULONG,
        little_endian: bool,
        width_bits: CK_ULONG,
    },
    /// CK_SP800_108_BYTE_ARRAY.
    ByteArray(Vec<u8>),
    /// CK_SP800_108_KEY_HANDLE: the value of this secret key.
    KeyHandle(CK_ULONG),
}

/// The key handles the data fields name.
pub fn key_handles(params: &[PrfDataParam]) -> Vec<CK_ULONG> {
    params
        .iter()
        .filter_map(|p| match p {
            PrfDataParam::KeyHandle(h) => Some(*h),
            _ => None,
        })
        .collect()
}

/// `v` in `width_bits` (a multiple of 8 up to 64), or None if it does not
/// fit.
pub(super) fn encode(v: u64, width_bits: CK_ULONG, little_endian: bool) -> Option<Vec<u8>> {
    if width_bits == 0 || width_bits > 64 || !width_bits.is_multiple_of(8) {
        return None;
    }
    let n = (width_bits / 8) as usize;
    if width_bits < 64 && v >> width_bits != 0 {
        return None;
    }
    Some(if little_endian {
        v.to_le_bytes()[..n].to_vec()
    } else {
        v.to_be_bytes()[8 - n..].to_vec()
    })
}

/// The pseudo-random function: HMAC keyed once, or AES-CMAC through the
/// AES family's CKM_AES_CMAC signing.
enum Prf<'k> {
    Hmac(Box<dyn hmac::Prf>),
    Cmac(&'k Object),
}

impl Prf<'_> {
    fn block(&self, input: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
        match self {
            Prf::Hmac(keyed) => {
                let mut prf = keyed.box_clone();
                prf.update(input);
                Ok(prf.tag())
            }
            Prf::Cmac(key) => {
                let m = CkMechanism::new(CKM_AES_CMAC);
                let mut op = registry().get(CKM_AES_CMAC, CKF_SIGN)?.sign_init(&m, key)?;
                Ok(Zeroizing::new(op.one_shot(input)?))
            }
        }
    }
}

/// The PRF for prfType, its output length, and the key types its keys may
/// have.
fn prf_kind(prf_type: CK_ULONG) -> CkResult<(Option<&'static HmacAlg>, usize, Vec<CK_ULONG>)> {
    if prf_type == CKM_AES_CMAC && registry().info(CKM_AES_CMAC).is_some() {
        return Ok((None, 16, vec![CKK_AES]));
    }
    let alg = hmac::by_mech(prf_type).ok_or(CKR_MECHANISM_PARAM_INVALID)?;
    Ok((Some(alg), alg.len, vec![CKK_GENERIC_SECRET, alg.key_type]))
}

/// Checks the counter-mode field rules and returns the counter format.
fn counter_format(params: &[PrfDataParam]) -> CkResult<(bool, CK_ULONG)> {
    let mut counter = None;
    let mut dkm_seen = false;
    for p in params {
        match p {
            PrfDataParam::IterationVariable {
                little_endian,
                width_bits,
            } => {
                if counter.is_some() || !matches!(width_bits, 8 | 16 | 24 | 32) {
                    return Err(CKR_MECHANISM_PARAM_INVALID);
                }
                counter = Some((*little_endian, *width_bits));
            }
            PrfDataParam::Counter { .. } => return Err(CKR_MECHANISM_PARAM_INVALID),
            PrfDataParam::DkmLength {
                method, width_bits, ..
            } => {
                let method_ok = matches!(
                    *method,
                    CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS | CK_SP800_108_DKM_LENGTH_SUM_OF_SEGMENTS
                );
                if dkm_seen || !method_ok || encode(0, *width_bits, false).is_none() {
                    return Err(CKR_MECHANISM_PARAM_INVALID);
                }
                dkm_seen = true;
            }
            PrfDataParam::ByteArray(b) if b.is_empty() => {
                return Err(CKR_MECHANISM_PARAM_INVALID);
            }
            PrfDataParam::ByteArray(_) | PrfDataParam::KeyHandle(_) => {}
        }
    }
    counter.ok_or(CKR_MECHANISM_PARAM_INVALID)
}

struct CounterKdf;
static COUNTER_KDF: CounterKdf = CounterKdf;

impl Mechanism for CounterKdf {
    fn derive(
        &self,
        m: &CkMechanism,
        base: &Object,
        len: Option<usize>,
        keys: &dyn KeyLookup,
    ) -> CkResult<Zeroizing<Vec<u8>>> {
        let Param::Sp800108 {
            prf_type,
            data_params,
        } = &m.param
        else {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        };
        let (alg, h, key_types) = prf_kind(*prf_type)?;
        let (ctr_le, ctr_bits) = counter_format(data_params)?;
        let value = secret_value(base, &key_types)?;
        let len = output_len(len, None)?;
        let blocks = len.div_ceil(h);
        if blocks as u64 > (1u64 << ctr_bits) - 1 {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        }
        let prf = match alg {
            Some(alg) => Prf::Hmac(alg.keyed(value)?),
            None => Prf::Cmac(base),
        };
        // The fields other than the counter are the same in every call.
        let mut fixed: Vec<(bool, Zeroizing<Vec<u8>>)> = Vec::new();
        for p in data_params {
            let bytes = match p {
                PrfDataParam::IterationVariable { .. } => {
                    fixed.push((true, Zeroizing::new(Vec::new())));
                    continue;
                }
                PrfDataParam::DkmLength {
                    method,
                    little_endian,
                    width_bits,
                } => {
                    let bytes = if *method == CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS {
                        len
                    } else {
                        blocks * h
                    };
                    encode(bytes as u64 * 8, *width_bits, *little_endian)
                        .ok_or(CKR_MECHANISM_PARAM_INVALID)?
                }
                PrfDataParam::ByteArray(b) => b.clone(),
                PrfDataParam::KeyHandle(k) => {
                    other_key(keys.key(*k)?, m.kind, &key_types)?.to_vec()
                }
                PrfDataParam::Counter { .. } => return Err(CKR_MECHANISM_PARAM_INVALID),
            };
            fixed.push((false, Zeroizing::new(bytes)));
        }
        let mut out = Zeroizing::new(Vec::with_capacity(blocks * h));
        for i in 1..=blocks as u64 {
            let counter = encode(i, ctr_bits, ctr_le).ok_or(CKR_MECHANISM_PARAM_INVALID)?;
            let mut input = Zeroizing::new(Vec::new());
            for (is_counter, bytes) in &fixed {
                input.extend_from_slice(if *is_counter { &counter } else { bytes });
            }
            out.extend_from_slice(&prf.block(&input)?);
        }
        out.truncate(len);
        Ok(out)
    }
}

pub fn register(r: &mut Registry) {
    // Key sizes: the base key in bits (section 2.42 says so), 8 bits to the
    // largest secret the token keeps.
    r.add(
        CKM_SP800_108_COUNTER_KDF,
        info(8, MAX_OUTPUT as CK_ULONG * 8, CKF_DERIVE),
        &COUNTER_KDF,
    );
}
