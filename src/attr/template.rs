//! Template attributes (PKCS#11 3.2 section "Template Attributes"):
//! CKA_WRAP_TEMPLATE, CKA_UNWRAP_TEMPLATE, CKA_DERIVE_TEMPLATE,
//! CKA_ENCAPSULATE_TEMPLATE and CKA_DECAPSULATE_TEMPLATE, whose value in C
//! is an array of CK_ATTRIBUTE. The text leaves the stored form to the
//! token; ours is the serialized array: per entry its type and value
//! length as CK_ULONG (8 bytes little-endian each), then the value bytes.
//! The JS facade writes this form from a template array given as the
//! attribute's value. Templates inside templates are refused with
//! CKR_TEMPLATE_INCONSISTENT, as the text lets a token do.
use super::Attribute;
use crate::CK_ULONG;
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

/// The attribute types whose value is a template.
pub fn is_template(kind: CK_ULONG) -> bool {
    matches!(
        kind,
        CKA_WRAP_TEMPLATE
            | CKA_UNWRAP_TEMPLATE
            | CKA_DERIVE_TEMPLATE
            | CKA_ENCAPSULATE_TEMPLATE
            | CKA_DECAPSULATE_TEMPLATE
    )
}

/// The stored form of a template.
pub fn encode(template: &[Attribute]) -> Vec<u8> {
    let size = template.iter().map(|a| 16 + a.value.len()).sum();
    let mut out = Vec::with_capacity(size);
    for a in template {
        out.extend_from_slice(&a.kind.to_le_bytes());
        out.extend_from_slice(&(a.value.len() as u64).to_le_bytes());
        out.extend_from_slice(&a.value);
    }
    out
}

fn take_ulong(b: &[u8]) -> CkResult<(CK_ULONG, &[u8])> {
    let (head, rest) = b
        .split_first_chunk::<8>()
        .ok_or(CKR_ATTRIBUTE_VALUE_INVALID)?;
    Ok((u64::from_le_bytes(*head), rest))
}

/// A template from its stored form: CKR_ATTRIBUTE_VALUE_INVALID if it is
/// malformed, CKR_TEMPLATE_INCONSISTENT if it holds a template attribute.
pub fn decode(mut rest: &[u8]) -> CkResult<Vec<Attribute>> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (kind, r) = take_ulong(rest)?;
        let (len, r) = take_ulong(r)?;
        let len = usize::try_from(len).map_err(|_| CKR_ATTRIBUTE_VALUE_INVALID)?;
        let (value, r) = r.split_at_checked(len).ok_or(CKR_ATTRIBUTE_VALUE_INVALID)?;
        if is_template(kind) {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        out.push(Attribute::new(kind, value));
        rest = r;
    }
    Ok(out)
}

/// The template stored in the key attribute `kind` (CKA_UNWRAP_TEMPLATE,
/// CKA_DERIVE_TEMPLATE) added to the caller's `template` (C_UnwrapKey and
/// C_DeriveKey, 3.1 sections 5.18.4-5.18.5): an entry the caller also
/// gives with another value is CKR_TEMPLATE_INCONSISTENT.
pub fn merged(key: &Object, kind: CK_ULONG, template: &[Attribute]) -> CkResult<Vec<Attribute>> {
    let stored = decode(key.get(kind).unwrap_or_default())?;
    let mut out = Vec::with_capacity(stored.len() + template.len());
    for a in stored {
        match super::find(template, a.kind) {
            Some(v) if v != a.value.as_slice() => return Err(CKR_TEMPLATE_INCONSISTENT),
            Some(_) => {}
            None => out.push(a),
        }
    }
    out.extend(template.iter().cloned());
    Ok(out)
}

/// C_WrapKey (3.1 section 5.18.3): the key to wrap must match the
/// wrapping key's CKA_WRAP_TEMPLATE as C_FindObjects matches (every entry
/// present with that value), else CKR_KEY_HANDLE_INVALID as the text says.
pub fn check_wrap(wrapping_key: &Object, key: &Object) -> CkResult<()> {
    let stored = decode(wrapping_key.get(CKA_WRAP_TEMPLATE).unwrap_or_default())?;
    if key.matches(&stored) {
        Ok(())
    } else {
        Err(CKR_KEY_HANDLE_INVALID)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_malformed_values() {
        let t = vec![
            Attribute::ulong(CKA_KEY_TYPE, CKK_AES),
            Attribute::bool(CKA_EXTRACTABLE, true),
            Attribute::new(CKA_LABEL, b"x".to_vec()),
            Attribute::new(CKA_ID, Vec::new()),
        ];
        let b = encode(&t);
        assert_eq!(b.len(), 4 * 16 + 8 + 1 + 1);
        assert_eq!(decode(&b).unwrap(), t);
        assert_eq!(decode(&[]).unwrap(), vec![]);
        assert_eq!(decode(&b[..b.len() - 1]), Err(CKR_ATTRIBUTE_VALUE_INVALID));
        assert_eq!(decode(&b[..5]), Err(CKR_ATTRIBUTE_VALUE_INVALID));
        let mut huge = encode(&t[..1]);
        huge[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(decode(&huge), Err(CKR_ATTRIBUTE_VALUE_INVALID));
        let nested = encode(&[Attribute::new(CKA_WRAP_TEMPLATE, b.clone())]);
        assert_eq!(decode(&nested), Err(CKR_TEMPLATE_INCONSISTENT));
    }
}
