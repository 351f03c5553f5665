//! Attribute policy as data: which attributes each object class has, their
//! value format, default, and the footnote rules of PKCS#11 3.1 section 4
//! (Table 10 "Common footnotes for object attribute tables"). One engine
//! (`build` and `change`) applies the tables for every C_* call that makes
//! or changes an object.
use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::{Attribute, parse_bool, parse_ulong};
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech;
use crate::rv::CkResult;

/// An object's attributes; values are wiped when dropped.
pub type AttrMap = BTreeMap<CK_ULONG, Zeroizing<Vec<u8>>>;

/// Footnote flags (the number in each comment is the footnote in Table 10).
pub mod flag {
    /// 1: must be specified when created with C_CreateObject.
    pub const REQ_CREATE: u32 = 1 << 1;
    /// 2: must not be specified when created with C_CreateObject.
    pub const NO_CREATE: u32 = 1 << 2;
    /// 3: must be specified when generated with C_GenerateKey(Pair).
    pub const REQ_GEN: u32 = 1 << 3;
    /// 4: must not be specified when generated with C_GenerateKey(Pair).
    pub const NO_GEN: u32 = 1 << 4;
    /// 5: must be specified when unwrapped with C_UnwrapKey.
    pub const REQ_UNWRAP: u32 = 1 << 5;
    /// 6: must not be specified when unwrapped with C_UnwrapKey.
    pub const NO_UNWRAP: u32 = 1 << 6;
    /// 7: cannot be revealed if CKA_SENSITIVE is true or CKA_EXTRACTABLE false.
    pub const SENSITIVE: u32 = 1 << 7;
    /// 8: may be modified with C_SetAttributeValue or during C_CopyObject.
    pub const MODIFIABLE: u32 = 1 << 8;
    /// 10: can only be set to true by the SO user.
    pub const SO_ONLY_TRUE: u32 = 1 << 10;
    /// 11: cannot be changed once set to true.
    pub const STICKY_TRUE: u32 = 1 << 11;
    /// 12: cannot be changed once set to false.
    pub const STICKY_FALSE: u32 = 1 << 12;
    /// 17: can be changed while copying with C_CopyObject (CKA_TOKEN, ...).
    pub const COPY: u32 = 1 << 17;
    /// Ours: cannot go from false to true while the key is protected
    /// (`is_protected`). CKA_DERIVE: turning it on would open a key that
    /// was made closed to derivation. 3.1 base section 4.1.1 lets a token
    /// make attributes read-only "in conjunction with some combinations
    /// of other attributes": CKR_ATTRIBUTE_READ_ONLY.
    pub const NO_ENABLE_IF_PROTECTED: u32 = 1 << 20;
    /// Set by the token only (footnotes 2, 4 and 6 together).
    pub const TOKEN_SET: u32 = NO_CREATE | NO_GEN | NO_UNWRAP;
}
use flag::*;

/// How a value is encoded; checked on every write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Bool,
    Ulong,
    Bytes,
    /// CK_DATE: 8 ASCII digits YYYYMMDD, or empty.
    Date,
    /// An array of CK_MECHANISM_TYPE (8 bytes each).
    MechArray,
    /// A template attribute (CKA_WRAP_TEMPLATE...) in the form of
    /// `attr::template`.
    Template,
}

/// The value an absent attribute gets when an object is made.
#[derive(Clone, Copy, Debug)]
pub enum Default {
    None,
    Bool(bool),
    Ulong(CK_ULONG),
    Empty,
}

#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub kind: CK_ULONG,
    pub value: Kind,
    pub flags: u32,
    pub default: Default,
}

const fn r(kind: CK_ULONG, value: Kind, flags: u32, default: Default) -> Rule {
    Rule {
        kind,
        value,
        flags,
        default,
    }
}
use self::Default as D;
use self::Kind as K;

/// Common object attributes (section 4.2) and storage attributes (4.4).
/// CKA_PRIVATE defaults to true except for certificates and public keys,
/// as in SoftHSMv2, so keys are private unless asked otherwise.
static STORAGE: &[Rule] = &[
    r(CKA_CLASS, K::Ulong, 0, D::None),
    r(CKA_TOKEN, K::Bool, COPY, D::Bool(false)),
    r(CKA_PRIVATE, K::Bool, COPY, D::Bool(true)),
    r(CKA_MODIFIABLE, K::Bool, COPY, D::Bool(true)),
    r(CKA_LABEL, K::Bytes, MODIFIABLE, D::Empty),
    r(CKA_COPYABLE, K::Bool, STICKY_FALSE | COPY, D::Bool(true)),
    r(CKA_DESTROYABLE, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_UNIQUE_ID, K::Bytes, TOKEN_SET, D::None),
];

/// Data objects (section 4.5).
static DATA: &[Rule] = &[
    r(CKA_APPLICATION, K::Bytes, MODIFIABLE, D::Empty),
    r(CKA_OBJECT_ID, K::Bytes, MODIFIABLE, D::Empty),
    r(CKA_VALUE, K::Bytes, MODIFIABLE, D::Empty),
];

/// Certificates (4.6) and X.509 public key certificates (4.6.3).
static CERTIFICATE: &[Rule] = &[
    r(CKA_CERTIFICATE_TYPE, K::Ulong, REQ_CREATE, D::None),
    r(CKA_TRUSTED, K::Bool, SO_ONLY_TRUE, D::Bool(false)),
    r(CKA_CERTIFICATE_CATEGORY, K::Ulong, 0, D::Ulong(0)),
    r(CKA_CHECK_VALUE, K::Bytes, 0, D::None),
    r(CKA_START_DATE, K::Date, MODIFIABLE, D::Empty),
    r(CKA_END_DATE, K::Date, MODIFIABLE, D::Empty),
    r(CKA_PUBLIC_KEY_INFO, K::Bytes, 0, D::Empty),
    r(CKA_SUBJECT, K::Bytes, REQ_CREATE, D::None),
    r(CKA_ID, K::Bytes, MODIFIABLE, D::Empty),
    r(CKA_ISSUER, K::Bytes, MODIFIABLE, D::Empty),
    r(CKA_SERIAL_NUMBER, K::Bytes, MODIFIABLE, D::Empty),
    r(CKA_VALUE, K::Bytes, REQ_CREATE, D::None),
    r(CKA_URL, K::Bytes, 0, D::Empty),
    r(CKA_HASH_OF_SUBJECT_PUBLIC_KEY, K::Bytes, 0, D::Empty),
    r(CKA_HASH_OF_ISSUER_PUBLIC_KEY, K::Bytes, 0, D::Empty),
    r(CKA_JAVA_MIDP_SECURITY_DOMAIN, K::Ulong, 0, D::Ulong(0)),
    r(CKA_NAME_HASH_ALGORITHM, K::Ulong, 0, D::Ulong(CKM_SHA_1)),
];

/// Common key attributes (section 4.7).
static KEY: &[Rule] = &[
    r(CKA_KEY_TYPE, K::Ulong, REQ_CREATE | REQ_UNWRAP, D::None),
    r(CKA_ID, K::Bytes, MODIFIABLE, D::Empty),
    r(CKA_START_DATE, K::Date, MODIFIABLE, D::Empty),
    r(CKA_END_DATE, K::Date, MODIFIABLE, D::Empty),
    r(
        CKA_DERIVE,
        K::Bool,
        MODIFIABLE | NO_ENABLE_IF_PROTECTED,
        D::Bool(false),
    ),
    r(CKA_LOCAL, K::Bool, TOKEN_SET, D::Bool(false)),
    r(
        CKA_KEY_GEN_MECHANISM,
        K::Ulong,
        TOKEN_SET,
        D::Ulong(CK_UNAVAILABLE_INFORMATION),
    ),
    r(CKA_ALLOWED_MECHANISMS, K::MechArray, 0, D::Empty),
];

/// Public keys (section 4.8). Usage flags default to true as in SoftHSMv2.
static PUBLIC_KEY: &[Rule] = &[
    r(CKA_SUBJECT, K::Bytes, MODIFIABLE, D::Empty),
    r(CKA_ENCRYPT, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_VERIFY, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_VERIFY_RECOVER, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_WRAP, K::Bool, MODIFIABLE, D::Bool(true)),
    // PKCS#11 3.2: usable with C_EncapsulateKey.
    r(CKA_ENCAPSULATE, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_TRUSTED, K::Bool, SO_ONLY_TRUE, D::Bool(false)),
    r(CKA_PUBLIC_KEY_INFO, K::Bytes, 0, D::Empty),
    // Empty: no restriction (C_WrapKey, section 5.18.3).
    r(CKA_WRAP_TEMPLATE, K::Template, 0, D::Empty),
    r(CKA_ENCAPSULATE_TEMPLATE, K::Template, 0, D::Empty),
];

/// CKA_PRIVATE of objects holding a secret (private and secret keys):
/// true by default (4.4 leaves the default to the token) and, once true,
/// never made false by C_CopyObject, which would take a copy of the key
/// out of the login's protection (CKR_ATTRIBUTE_READ_ONLY, as for the
/// other one-way attributes).
const SECRET_PRIVACY: Rule = r(CKA_PRIVATE, K::Bool, COPY | STICKY_TRUE, D::Bool(true));

/// Private keys (section 4.9). CKA_SENSITIVE and CKA_EXTRACTABLE default to
/// false as in SoftHSMv2: a key is readable only when asked for explicitly.
static PRIVATE_KEY: &[Rule] = &[
    SECRET_PRIVACY,
    r(CKA_SUBJECT, K::Bytes, MODIFIABLE, D::Empty),
    r(
        CKA_SENSITIVE,
        K::Bool,
        MODIFIABLE | STICKY_TRUE,
        D::Bool(false),
    ),
    r(CKA_DECRYPT, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_SIGN, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_SIGN_RECOVER, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_UNWRAP, K::Bool, MODIFIABLE, D::Bool(true)),
    // PKCS#11 3.2: usable with C_DecapsulateKey.
    r(CKA_DECAPSULATE, K::Bool, MODIFIABLE, D::Bool(true)),
    r(
        CKA_EXTRACTABLE,
        K::Bool,
        MODIFIABLE | STICKY_FALSE,
        D::Bool(false),
    ),
    r(CKA_ALWAYS_SENSITIVE, K::Bool, TOKEN_SET, D::Bool(false)),
    r(CKA_NEVER_EXTRACTABLE, K::Bool, TOKEN_SET, D::Bool(false)),
    r(
        CKA_WRAP_WITH_TRUSTED,
        K::Bool,
        MODIFIABLE | STICKY_TRUE,
        D::Bool(false),
    ),
    r(CKA_ALWAYS_AUTHENTICATE, K::Bool, 0, D::Bool(false)),
    r(CKA_PUBLIC_KEY_INFO, K::Bytes, 0, D::Empty),
    r(CKA_UNWRAP_TEMPLATE, K::Template, 0, D::Empty),
    r(CKA_DERIVE_TEMPLATE, K::Template, 0, D::Empty),
    r(CKA_DECAPSULATE_TEMPLATE, K::Template, 0, D::Empty),
];

/// Secret keys (section 4.10).
static SECRET_KEY: &[Rule] = &[
    SECRET_PRIVACY,
    r(
        CKA_SENSITIVE,
        K::Bool,
        MODIFIABLE | STICKY_TRUE,
        D::Bool(false),
    ),
    r(CKA_ENCRYPT, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_DECRYPT, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_SIGN, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_VERIFY, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_WRAP, K::Bool, MODIFIABLE, D::Bool(true)),
    r(CKA_UNWRAP, K::Bool, MODIFIABLE, D::Bool(true)),
    r(
        CKA_EXTRACTABLE,
        K::Bool,
        MODIFIABLE | STICKY_FALSE,
        D::Bool(false),
    ),
    r(CKA_ALWAYS_SENSITIVE, K::Bool, TOKEN_SET, D::Bool(false)),
    r(CKA_NEVER_EXTRACTABLE, K::Bool, TOKEN_SET, D::Bool(false)),
    r(CKA_CHECK_VALUE, K::Bytes, 0, D::None),
    r(
        CKA_WRAP_WITH_TRUSTED,
        K::Bool,
        MODIFIABLE | STICKY_TRUE,
        D::Bool(false),
    ),
    r(CKA_TRUSTED, K::Bool, SO_ONLY_TRUE, D::Bool(false)),
    r(CKA_WRAP_TEMPLATE, K::Template, 0, D::Empty),
    r(CKA_UNWRAP_TEMPLATE, K::Template, 0, D::Empty),
    r(CKA_DERIVE_TEMPLATE, K::Template, 0, D::Empty),
];

/// Which C_* call is making or changing the object: decides which
/// footnotes apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Create,
    Generate,
    Unwrap,
    /// C_DeriveKey follows the C_GenerateKey footnotes (as SoftHSMv2 does),
    /// except that nothing is required: the length defaults to the output.
    Derive,
    Copy,
    Set,
}

/// The rule tables that apply to an object of `class` (and `key_type`).
pub fn rules_for(class: CK_ULONG, key_type: Option<CK_ULONG>) -> CkResult<Vec<&'static Rule>> {
    type Memo = Vec<((CK_ULONG, Option<CK_ULONG>), Vec<&'static Rule>)>;
    thread_local! {
        /// Answers so far (merging the tables is quadratic, and every
        /// object creation and attribute read asks): a few classes times
        /// the registered key types, whose tables never change. Errors
        /// are not kept; the key type counts for key classes only.
        static MEMO: std::cell::RefCell<Memo> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let is_key = matches!(class, CKO_PUBLIC_KEY | CKO_PRIVATE_KEY | CKO_SECRET_KEY);
    let at = (class, if is_key { key_type } else { None });
    let hit = MEMO.with_borrow(|m| m.iter().find(|(k, _)| *k == at).map(|(_, r)| r.clone()));
    if let Some(rules) = hit {
        return Ok(rules);
    }
    let rules = merged_rules(class, key_type)?;
    MEMO.with_borrow_mut(|m| m.push((at, rules.clone())));
    Ok(rules)
}

fn merged_rules(class: CK_ULONG, key_type: Option<CK_ULONG>) -> CkResult<Vec<&'static Rule>> {
    let mut tables: Vec<&'static [Rule]> = vec![STORAGE];
    match class {
        CKO_DATA => tables.push(DATA),
        CKO_CERTIFICATE => tables.push(CERTIFICATE),
        CKO_PUBLIC_KEY | CKO_PRIVATE_KEY | CKO_SECRET_KEY => {
            let kt = key_type.ok_or(CKR_TEMPLATE_INCOMPLETE)?;
            let def = mech::registry()
                .key_type(kt)
                .ok_or(CKR_ATTRIBUTE_VALUE_INVALID)?;
            let (class_rules, type_rules) = match class {
                CKO_PUBLIC_KEY => (PUBLIC_KEY, def.public),
                CKO_PRIVATE_KEY => (PRIVATE_KEY, def.private),
                _ => (SECRET_KEY, def.secret),
            };
            if type_rules.is_empty() {
                return Err(CKR_TEMPLATE_INCONSISTENT);
            }
            tables.extend([KEY, class_rules, type_rules]);
        }
        _ => return Err(CKR_ATTRIBUTE_VALUE_INVALID),
    }
    // A later table refines an earlier one (e.g. CKA_VALUE of a key type).
    let mut out: Vec<&'static Rule> = Vec::new();
    for t in tables {
        for rule in t {
            out.retain(|r| r.kind != rule.kind);
            out.push(rule);
        }
    }
    Ok(out)
}

fn rule_of<'a>(rules: &'a [&'static Rule], kind: CK_ULONG) -> Option<&'a Rule> {
    rules.iter().find(|r| r.kind == kind).copied()
}

/// Checks a value's encoding against its rule.
fn check_value(rule: &Rule, value: &[u8]) -> CkResult<()> {
    match rule.value {
        Kind::Bool => parse_bool(value).map(|_| ()),
        Kind::Ulong => parse_ulong(value).map(|_| ()),
        Kind::Bytes => Ok(()),
        Kind::Date if value.is_empty() => Ok(()),
        Kind::Date if value.len() == 8 && value.iter().all(u8::is_ascii_digit) => Ok(()),
        Kind::Date => Err(CKR_ATTRIBUTE_VALUE_INVALID),
        Kind::MechArray if value.len().is_multiple_of(8) => Ok(()),
        Kind::MechArray => Err(CKR_ATTRIBUTE_VALUE_INVALID),
        Kind::Template => super::template::decode(value).map(|_| ()),
    }
}

/// Normalises a value to its stored encoding (CK_ULONG always 8 bytes).
fn normalise(rule: &Rule, value: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
    check_value(rule, value)?;
    Ok(Zeroizing::new(match rule.value {
        Kind::Ulong => super::ulong_bytes(parse_ulong(value)?),
        Kind::Bool => vec![parse_bool(value)? as u8],
        _ => value.to_vec(),
    }))
}

/// Rejects a template naming one attribute twice with different values.
fn check_duplicates(template: &[Attribute]) -> CkResult<()> {
    for (i, a) in template.iter().enumerate() {
        if template[..i]
            .iter()
            .any(|b| b.kind == a.kind && b.value != a.value)
        {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
    }
    Ok(())
}

/// Makes the attribute map of a new object from a caller's template:
/// every attribute must belong to the class, be allowed for `op`, and be
/// well encoded; required ones must be present; the rest get defaults.
/// Values the token computes (key material, CKA_LOCAL...) are added by the
/// caller afterwards.
pub fn build(
    op: Op,
    class: CK_ULONG,
    key_type: Option<CK_ULONG>,
    template: &[Attribute],
    is_so: bool,
) -> CkResult<AttrMap> {
    check_duplicates(template)?;
    let rules = rules_for(class, key_type)?;
    let mut map = AttrMap::new();
    for a in template {
        let rule = rule_of(&rules, a.kind).ok_or(CKR_ATTRIBUTE_TYPE_INVALID)?;
        let forbidden = match op {
            Op::Create => NO_CREATE,
            Op::Generate | Op::Derive => NO_GEN,
            Op::Unwrap => NO_UNWRAP,
            Op::Copy | Op::Set => 0,
        };
        if rule.flags & forbidden != 0 {
            return Err(CKR_ATTRIBUTE_READ_ONLY);
        }
        let value = normalise(rule, &a.value)?;
        if rule.flags & SO_ONLY_TRUE != 0 && !is_so && value[0] != 0 {
            return Err(CKR_ATTRIBUTE_READ_ONLY);
        }
        map.insert(a.kind, value);
    }
    if map
        .get(&CKA_CLASS)
        .is_some_and(|v| parse_ulong(v) != Ok(class))
    {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    map.insert(CKA_CLASS, Zeroizing::new(super::ulong_bytes(class)));
    if let Some(kt) = key_type {
        if map
            .get(&CKA_KEY_TYPE)
            .is_some_and(|v| parse_ulong(v) != Ok(kt))
        {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        map.insert(CKA_KEY_TYPE, Zeroizing::new(super::ulong_bytes(kt)));
    }
    let required = match op {
        Op::Create => REQ_CREATE,
        Op::Generate => REQ_GEN,
        // The derived length defaults to all the mechanism's output.
        Op::Derive => 0,
        Op::Unwrap => REQ_UNWRAP,
        Op::Copy | Op::Set => 0,
    };
    for rule in &rules {
        if map.contains_key(&rule.kind) {
            continue;
        }
        if rule.flags & required != 0 {
            return Err(CKR_TEMPLATE_INCOMPLETE);
        }
        let default = match rule.default {
            Default::None => continue,
            Default::Bool(b) => vec![b as u8],
            Default::Ulong(u) => super::ulong_bytes(u),
            Default::Empty => Vec::new(),
        };
        map.insert(rule.kind, Zeroizing::new(default));
    }
    // Certificates and public keys are public unless asked otherwise.
    if matches!(class, CKO_CERTIFICATE | CKO_PUBLIC_KEY)
        && !template.iter().any(|a| a.kind == CKA_PRIVATE)
    {
        map.insert(CKA_PRIVATE, Zeroizing::new(vec![0]));
    }
    Ok(map)
}

/// Applies C_SetAttributeValue (`Op::Set`) or the template of
/// C_CopyObject (`Op::Copy`) to an existing object's attributes, all or
/// nothing: returns the changed map, or the first error.
pub fn change(op: Op, current: &AttrMap, template: &[Attribute], is_so: bool) -> CkResult<AttrMap> {
    check_duplicates(template)?;
    let class = current
        .get(&CKA_CLASS)
        .map(|v| parse_ulong(v))
        .transpose()?
        .ok_or(CKR_GENERAL_ERROR)?;
    let key_type = current
        .get(&CKA_KEY_TYPE)
        .map(|v| parse_ulong(v))
        .transpose()?;
    let rules = rules_for(class, key_type)?;
    let mut out = current.clone();
    for a in template {
        let rule = rule_of(&rules, a.kind).ok_or(CKR_ATTRIBUTE_TYPE_INVALID)?;
        let value = normalise(rule, &a.value)?;
        let old = current.get(&a.kind);
        if old.is_some_and(|o| **o == *value) {
            continue; // restating the current value changes nothing
        }
        let allowed = match op {
            Op::Copy => MODIFIABLE | COPY,
            _ => MODIFIABLE,
        };
        if rule.flags & allowed == 0 {
            return Err(CKR_ATTRIBUTE_READ_ONLY);
        }
        let old_true = old.is_some_and(|o| o.first() == Some(&1));
        if rule.flags & STICKY_TRUE != 0 && old_true {
            return Err(CKR_ATTRIBUTE_READ_ONLY);
        }
        if rule.flags & STICKY_FALSE != 0 && old.is_some() && !old_true {
            return Err(CKR_ATTRIBUTE_READ_ONLY);
        }
        if rule.flags & SO_ONLY_TRUE != 0 && !is_so && value[0] != 0 {
            return Err(CKR_ATTRIBUTE_READ_ONLY);
        }
        if rule.flags & NO_ENABLE_IF_PROTECTED != 0 && !old_true && is_protected(current) {
            return Err(CKR_ATTRIBUTE_READ_ONLY);
        }
        out.insert(a.kind, value);
    }
    Ok(out)
}

/// A key whose value must not leave the token in clear: a secret or
/// private key that is sensitive or not extractable (an absent
/// CKA_EXTRACTABLE counts as false).
pub fn is_protected(attrs: &AttrMap) -> bool {
    let class = attrs.get(&CKA_CLASS).and_then(|v| parse_ulong(v).ok());
    let flag = |k| attrs.get(&k).is_some_and(|v| v.first() == Some(&1));
    matches!(class, Some(CKO_SECRET_KEY | CKO_PRIVATE_KEY))
        && (flag(CKA_SENSITIVE) || !flag(CKA_EXTRACTABLE))
}

/// Rules across attributes, checked on every new object (create,
/// generate, unwrap, derive, copy). Breaking one is CKR_TEMPLATE_INCONSISTENT
/// (3.1 base section 4.1.1: "a template with an attribute that violates
/// some token specific requirement").
/// - A token object holding a secret (CKO_SECRET_KEY, CKO_PRIVATE_KEY) must
///   be private: public token objects are usable without a login and
///   stored where anyone who reads the store can read them. Session
///   objects are never stored and may be public.
/// - CKA_ALWAYS_AUTHENTICATE "may only be set to CK_TRUE when CKA_PRIVATE
///   is also CK_TRUE" (section 4.9).
pub fn check_consistency(attrs: &AttrMap) -> CkResult<()> {
    let class = attrs.get(&CKA_CLASS).and_then(|v| parse_ulong(v).ok());
    let flag = |k| attrs.get(&k).is_some_and(|v| v.first() == Some(&1));
    let holds_secret = matches!(class, Some(CKO_SECRET_KEY | CKO_PRIVATE_KEY));
    if holds_secret && flag(CKA_TOKEN) && !flag(CKA_PRIVATE) {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    if flag(CKA_ALWAYS_AUTHENTICATE) && !flag(CKA_PRIVATE) {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    Ok(())
}

/// Whether reading `kind` of this object is refused (footnote 7).
pub fn is_hidden(attrs: &AttrMap, kind: CK_ULONG) -> bool {
    let class = attrs.get(&CKA_CLASS).and_then(|v| parse_ulong(v).ok());
    let key_type = attrs.get(&CKA_KEY_TYPE).and_then(|v| parse_ulong(v).ok());
    let Some(class) = class else { return true };
    let Ok(rules) = rules_for(class, key_type) else {
        return true;
    };
    let sensitive_rule = rule_of(&rules, kind).is_some_and(|r| r.flags & SENSITIVE != 0);
    if !sensitive_rule {
        return false;
    }
    let flag = |k| attrs.get(&k).map(|v| v.first() == Some(&1));
    flag(CKA_SENSITIVE) == Some(true) || flag(CKA_EXTRACTABLE) == Some(false)
}
