//! A stored object: its attribute map plus typed accessors.
use crate::CK_ULONG;
use crate::attr::parse_ulong;
use crate::attr::policy::AttrMap;
use crate::constants::*;
use crate::rv::CkResult;

#[derive(Clone, Debug)]
pub struct Object {
    pub attrs: AttrMap,
}

impl Object {
    pub fn new(attrs: AttrMap) -> Self {
        Object { attrs }
    }

    pub fn get(&self, kind: CK_ULONG) -> Option<&[u8]> {
        self.attrs.get(&kind).map(|v| v.as_slice())
    }

    /// A byte attribute the key must have (e.g. CKA_VALUE of a secret key).
    pub fn require(&self, kind: CK_ULONG) -> CkResult<&[u8]> {
        self.get(kind).ok_or(CKR_KEY_TYPE_INCONSISTENT)
    }

    pub fn bool(&self, kind: CK_ULONG) -> bool {
        self.get(kind).is_some_and(|v| v.first() == Some(&1))
    }

    pub fn ulong(&self, kind: CK_ULONG) -> Option<CK_ULONG> {
        self.get(kind).and_then(|v| parse_ulong(v).ok())
    }

    pub fn class(&self) -> CK_ULONG {
        self.ulong(CKA_CLASS).unwrap_or(CKO_VENDOR_DEFINED)
    }

    pub fn key_type(&self) -> Option<CK_ULONG> {
        self.ulong(CKA_KEY_TYPE)
    }

    pub fn is_token(&self) -> bool {
        self.bool(CKA_TOKEN)
    }

    pub fn is_private(&self) -> bool {
        self.bool(CKA_PRIVATE)
    }

    pub fn is_key(&self) -> bool {
        matches!(
            self.class(),
            CKO_SECRET_KEY | CKO_PUBLIC_KEY | CKO_PRIVATE_KEY
        )
    }

    /// CKA_ALLOWED_MECHANISMS: empty means any mechanism.
    pub fn allows_mechanism(&self, mechanism: CK_ULONG) -> bool {
        match self.get(CKA_ALLOWED_MECHANISMS) {
            None => true,
            Some(list) if list.is_empty() => true,
            Some(list) => list
                .chunks_exact(8)
                .any(|c| parse_ulong(c) == Ok(mechanism)),
        }
    }

    /// Approximate storage size for C_GetObjectSize: the sum of the values
    /// plus a fixed per-attribute header.
    pub fn size(&self) -> CK_ULONG {
        self.attrs.values().map(|v| v.len() as CK_ULONG + 16).sum()
    }

    /// True if every template entry equals this object's value (C_FindObjects).
    pub fn matches(&self, template: &[crate::attr::Attribute]) -> bool {
        template
            .iter()
            .all(|a| self.get(a.kind) == Some(a.value.as_slice()))
    }
}
