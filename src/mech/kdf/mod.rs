//! Key derivation (PKCS#11 3.1 mechanisms document):
//! - HKDF (section 2.62, RFC 5869): CKM_HKDF_DERIVE, CKM_HKDF_DATA and
//!   CKM_HKDF_KEY_GEN with key type CKK_HKDF (`hkdf`);
//! - PKCS #5 PBKDF2 (section 2.37, RFC 8018): CKM_PKCS5_PBKD2 through
//!   C_GenerateKey (`pbkdf2`);
//! - the miscellaneous simple derivations (section 2.43):
//!   CKM_CONCATENATE_BASE_AND_KEY / BASE_AND_DATA / DATA_AND_BASE and
//!   CKM_XOR_BASE_AND_DATA (`concat`);
//! - NIST SP 800-108 counter mode (section 2.42):
//!   CKM_SP800_108_COUNTER_KDF (`sp800_108`).
//!
//! The mechanisms compute bytes; `derive_rules` tells the engine what
//! C_DeriveKey does around them (output class, default key type, how the
//! new key's protection follows the keys it came from).
//!
//! Key extraction by derivation (Clulow's attacks), decided per mechanism
//! (the README's "Derivation and key extraction" says the same):
//! - the section 2.43 mechanisms put source keys into the result as they
//!   are: a protected source key (sensitive or not extractable) must be in
//!   the result whole (`concat`), and protects the result (2.43's rule);
//! - every other key a parameter names (CONCATENATE_BASE_AND_KEY's other
//!   key, SP 800-108 CK_SP800_108_KEY_HANDLE data fields, the HKDF salt
//!   key) protects the result the same way, whatever the mechanism: such
//!   a key is input data to a function whose other inputs the caller may
//!   know (an AES-CMAC PRF under a known key can be inverted), so what
//!   comes out must stay in the token. CKM_HKDF_DATA, whose result is a
//!   readable data object, refuses a protected named key;
//! - the base key of HKDF, SP 800-108, AES ECB/CBC_ENCRYPT_DATA and ECDH
//!   is the key of a pseudo-random function (or the scalar of a point
//!   multiplication): any number of output bytes, truncated or not, says
//!   nothing usable about it, so the template decides as the spec says.
use super::{CkMechanism, Param, Registry};
use crate::CK_ULONG;
use crate::attr::policy::is_protected;
use crate::attr::{self, Attribute};
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

pub mod concat;
pub mod hkdf;
pub mod pbkdf2;
pub mod sp800_108;

pub use sp800_108::PrfDataParam;

/// The most bytes a KDF here produces: the largest secret the token keeps
/// (`hmac::MAX_SECRET_LEN`), also for CKM_HKDF_DATA's data objects.
pub const MAX_OUTPUT: usize = super::hmac::MAX_SECRET_LEN;

/// How CKA_SENSITIVE and CKA_EXTRACTABLE of a derived key follow the keys
/// it was derived from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    /// The template, or the defaults, decide (HKDF, section 2.62.3, and
    /// every mechanism outside this family).
    Template,
    /// Section 2.43: if any source key is sensitive, so is the new key; if
    /// any source key is not extractable, neither is the new key.
    Forced,
    /// Section 2.42.10 (SP 800-108): the template decides; an attribute it
    /// leaves out takes the base key's value.
    BaseDefaults,
}

/// What C_DeriveKey does around one of these mechanisms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeriveRules {
    /// The class of the new object: CKO_DATA for CKM_HKDF_DATA (section
    /// 2.62.4), otherwise CKO_SECRET_KEY.
    pub class: CK_ULONG,
    /// CKA_KEY_TYPE when the template names none: generic secret for the
    /// section 2.43 mechanisms ("If no length or key type is provided in the
    /// template, then the key produced ... will be a generic secret key").
    pub default_key_type: Option<CK_ULONG>,
    pub protection: Protection,
    /// Keys named in the parameter whose value goes into the new key,
    /// besides the base key (CKM_CONCATENATE_BASE_AND_KEY's other key,
    /// SP 800-108 CK_SP800_108_KEY_HANDLE fields, the HKDF salt key). A
    /// sensitive one makes the new key sensitive, one that is not
    /// extractable makes it not extractable, whatever the mechanism. They
    /// count with the base key for CKA_ALWAYS_SENSITIVE /
    /// CKA_NEVER_EXTRACTABLE: the new key has them only if every source
    /// key has them.
    pub other_keys: Vec<CK_ULONG>,
}

impl DeriveRules {
    /// The caller's template adjusted by these rules, given the source keys
    /// (base key first, then `other_keys`): the class and default key type
    /// filled in, the protection rules applied, and for a data object
    /// CKA_VALUE_LEN removed (it names the length, but is no attribute of
    /// data objects). A data object cannot be protected: a protected named
    /// key makes it CKR_KEY_FUNCTION_NOT_PERMITTED.
    pub fn template(
        &self,
        template: &[Attribute],
        sources: &[&Object],
    ) -> CkResult<Vec<Attribute>> {
        let named = sources.get(1..).unwrap_or_default();
        let mut t = template.to_vec();
        if attr::find_ulong(&t, CKA_CLASS)?.is_none() {
            t.push(Attribute::ulong(CKA_CLASS, self.class));
        }
        if self.class == CKO_DATA {
            if named.iter().any(|k| is_protected(&k.attrs)) {
                return Err(CKR_KEY_FUNCTION_NOT_PERMITTED);
            }
            t.retain(|a| a.kind != CKA_VALUE_LEN);
            return Ok(t);
        }
        if let Some(ckk) = self.default_key_type
            && attr::find(&t, CKA_KEY_TYPE).is_none()
        {
            t.push(Attribute::ulong(CKA_KEY_TYPE, ckk));
        }
        let mut set = |kind: CK_ULONG, v: bool| {
            t.retain(|a| a.kind != kind);
            t.push(Attribute::bool(kind, v));
        };
        match self.protection {
            Protection::Template => {}
            Protection::Forced => {
                if sources.iter().any(|k| k.bool(CKA_SENSITIVE)) {
                    set(CKA_SENSITIVE, true);
                }
                if sources.iter().any(|k| !k.bool(CKA_EXTRACTABLE)) {
                    set(CKA_EXTRACTABLE, false);
                }
            }
            Protection::BaseDefaults => {
                if let Some(base) = sources.first() {
                    for kind in [CKA_SENSITIVE, CKA_EXTRACTABLE] {
                        if attr::find(template, kind).is_none() {
                            set(kind, base.bool(kind));
                        }
                    }
                }
            }
        }
        if named.iter().any(|k| k.bool(CKA_SENSITIVE)) {
            set(CKA_SENSITIVE, true);
        }
        if named.iter().any(|k| !k.bool(CKA_EXTRACTABLE)) {
            set(CKA_EXTRACTABLE, false);
        }
        Ok(t)
    }
}

/// The rules for mechanism `m` (the plain C_DeriveKey behaviour for
/// mechanisms outside this family). A malformed parameter yields the rules
/// without other keys; the mechanism itself then rejects the parameter.
pub fn derive_rules(m: &CkMechanism) -> DeriveRules {
    let mut rules = DeriveRules {
        class: CKO_SECRET_KEY,
        default_key_type: None,
        protection: Protection::Template,
        other_keys: Vec::new(),
    };
    if let Param::Hkdf {
        salt_type: CKF_HKDF_SALT_KEY,
        salt_key,
        extract: true,
        ..
    } = &m.param
    {
        rules.other_keys.push(*salt_key);
    }
    match m.kind {
        CKM_HKDF_DATA => rules.class = CKO_DATA,
        CKM_CONCATENATE_BASE_AND_KEY
        | CKM_CONCATENATE_BASE_AND_DATA
        | CKM_CONCATENATE_DATA_AND_BASE
        | CKM_XOR_BASE_AND_DATA => {
            rules.default_key_type = Some(CKK_GENERIC_SECRET);
            rules.protection = Protection::Forced;
            if m.kind == CKM_CONCATENATE_BASE_AND_KEY
                && let Ok(h) = concat::other_key_handle(&m.param)
            {
                rules.other_keys.push(h);
            }
        }
        CKM_SP800_108_COUNTER_KDF => {
            rules.protection = Protection::BaseDefaults;
            if let Param::Sp800108 { data_params, .. } = &m.param {
                rules.other_keys = sp800_108::key_handles(data_params);
            }
        }
        _ => {}
    }
    rules
}

/// The number of bytes a KDF with a free output length produces: the
/// template's CKA_VALUE_LEN, else `natural` (the PRF output for HKDF), else
/// CKR_TEMPLATE_INCOMPLETE. Above MAX_OUTPUT is CKR_ATTRIBUTE_VALUE_INVALID
/// (as for generic secret key generation).
fn output_len(len: Option<usize>, natural: Option<usize>) -> CkResult<usize> {
    let n = len.or(natural).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
    if n == 0 || n > MAX_OUTPUT {
        return Err(CKR_ATTRIBUTE_VALUE_INVALID);
    }
    Ok(n)
}

/// The value of a secret key used as derivation input: CKO_SECRET_KEY of
/// one of `types` (any type when empty) with a non-empty CKA_VALUE.
fn secret_value<'k>(key: &'k Object, types: &[CK_ULONG]) -> CkResult<&'k [u8]> {
    if key.class() != CKO_SECRET_KEY
        || (!types.is_empty() && !key.key_type().is_some_and(|t| types.contains(&t)))
    {
        return Err(CKR_KEY_TYPE_INCONSISTENT);
    }
    match key.get(CKA_VALUE) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(CKR_KEY_SIZE_RANGE),
    }
}

/// The value of a second key named in the parameter of `mech`: it must
/// allow derivation with this mechanism (CKA_DERIVE, CKA_ALLOWED_MECHANISMS)
/// as the engine requires of the base key (and with the same codes).
fn other_key<'k>(key: &'k Object, mech: CK_ULONG, types: &[CK_ULONG]) -> CkResult<&'k [u8]> {
    if !key.bool(CKA_DERIVE) {
        return Err(CKR_KEY_FUNCTION_NOT_PERMITTED);
    }
    if !key.allows_mechanism(mech) {
        return Err(CKR_MECHANISM_INVALID);
    }
    secret_value(key, types)
}

pub fn register(r: &mut Registry) {
    hkdf::register(r);
    pbkdf2::register(r);
    concat::register(r);
    sp800_108::register(r);
}

#[cfg(test)]
mod tests;
