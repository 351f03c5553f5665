//! Attributes: the `{type, value}` pairs of templates, their value codecs,
//! and the per-class policy tables (`policy`) that decide what a template
//! may contain (PKCS#11 3.1 section 4).
use crate::CK_ULONG;
use crate::constants::*;
use crate::rv::CkResult;

pub mod check_value;
pub mod policy;
pub mod template;

/// One template entry as callers pass it: the value is the raw encoding
/// (CK_BBOOL = 1 byte, CK_ULONG = 8 bytes little-endian, byte arrays as is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    pub kind: CK_ULONG,
    pub value: Vec<u8>,
}

impl Attribute {
    pub fn new(kind: CK_ULONG, value: impl Into<Vec<u8>>) -> Self {
        Attribute {
            kind,
            value: value.into(),
        }
    }
    pub fn bool(kind: CK_ULONG, v: bool) -> Self {
        Attribute {
            kind,
            value: vec![v as u8],
        }
    }
    pub fn ulong(kind: CK_ULONG, v: CK_ULONG) -> Self {
        Attribute {
            kind,
            value: ulong_bytes(v),
        }
    }
}

impl Drop for Attribute {
    fn drop(&mut self) {
        // Templates carry key values on import and generation.
        zeroize::Zeroize::zeroize(&mut self.value);
    }
}

/// Encodes a CK_ULONG the way pkcs11js does on 64-bit hosts.
pub fn ulong_bytes(v: CK_ULONG) -> Vec<u8> {
    v.to_le_bytes().to_vec()
}

/// Decodes a CK_ULONG: exactly sizeof(CK_ULONG) = 8 bytes.
pub fn parse_ulong(b: &[u8]) -> CkResult<CK_ULONG> {
    let bytes: [u8; 8] = b.try_into().map_err(|_| CKR_ATTRIBUTE_VALUE_INVALID)?;
    Ok(u64::from_le_bytes(bytes))
}

/// Decodes a CK_BBOOL: exactly one byte; any non-zero byte is true.
pub fn parse_bool(b: &[u8]) -> CkResult<bool> {
    match b {
        [v] => Ok(*v != 0),
        _ => Err(CKR_ATTRIBUTE_VALUE_INVALID),
    }
}

/// Finds the value of `kind` in a template (the last one wins; duplicates
/// with different values are rejected earlier by `policy`).
pub fn find(template: &[Attribute], kind: CK_ULONG) -> Option<&[u8]> {
    template
        .iter()
        .rev()
        .find(|a| a.kind == kind)
        .map(|a| a.value.as_slice())
}

pub fn find_ulong(template: &[Attribute], kind: CK_ULONG) -> CkResult<Option<CK_ULONG>> {
    find(template, kind).map(parse_ulong).transpose()
}

pub fn find_bool(template: &[Attribute], kind: CK_ULONG) -> CkResult<Option<bool>> {
    find(template, kind).map(parse_bool).transpose()
}
