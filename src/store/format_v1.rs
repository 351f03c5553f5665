//! Reading records of format version 1 (written before records were
//! authenticated), so tokens stored then stay usable; the first login
//! rewrites them in the current format (`Module::migrate`).
//!
//! | kind | record | body (version 1) |
//! |---|---|---|
//! | 1 | token | token id [16], label [32], serial [16], flags u8, blobs, SHA-256 [32] |
//! | 2 | PIN counters | as version 2 |
//! | 3 | public object | uid len u8, uid, attributes, SHA-256 [32] |
//! | 4 | private object | uid len u8, uid, nonce [12], AES-256-GCM(attributes) with tag |
//!
//! A version 1 PIN blob has no binding byte: salt [16], iterations u32,
//! nonce [12], length u16, wrapped key.
use super::format::{
    HEADER, KIND_PRIVATE, KIND_PUBLIC, ObjectBody, ObjectRecord, TokenRecord, checked,
    decode_attrs, header, read_uid,
};
use crate::token::pin::PinBlob;

/// Why a record could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// Written by a newer library: refuse, do not touch.
    NewerVersion(u8),
    /// Truncated, wrong magic, bad checksum or tag: corruption or tampering.
    Damaged,
}

/// A cursor over a body; every read is bounds-checked.
pub struct Reader<'a>(pub &'a [u8]);

impl<'a> Reader<'a> {
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        if self.0.len() < n {
            return Err(FormatError::Damaged);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], FormatError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    pub fn u8(&mut self) -> Result<u8, FormatError> {
        Ok(self.array::<1>()?[0])
    }
    pub fn u16(&mut self) -> Result<u16, FormatError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    pub fn u32(&mut self) -> Result<u32, FormatError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    pub fn u64(&mut self) -> Result<u64, FormatError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    pub fn end(&self) -> Result<(), FormatError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(FormatError::Damaged)
        }
    }
}

/// A blob in the version 1 layout (also the tail of a version 2 blob).
pub(super) fn read_blob(r: &mut Reader) -> Result<PinBlob, FormatError> {
    let salt = r.array()?;
    let iterations = r.u32()?;
    let nonce = r.array()?;
    let n = r.u16()? as usize;
    Ok(PinBlob {
        bound: false,
        salt,
        iterations,
        nonce,
        wrapped: r.take(n)?.to_vec(),
    })
}

pub(super) fn decode_token(record: &[u8]) -> Result<TokenRecord, FormatError> {
    let mut r = Reader(checked(record)?);
    let token_id = r.array()?;
    let label = r.array()?;
    let serial = r.array()?;
    let flags = r.u8()?;
    let so_pin = (flags & 1 != 0).then(|| read_blob(&mut r)).transpose()?;
    let user_pin = (flags & 2 != 0).then(|| read_blob(&mut r)).transpose()?;
    r.end()?;
    Ok(TokenRecord {
        token_id,
        label,
        serial,
        version: 0,
        so_pin,
        user_pin,
    })
}

pub(super) fn decode_object(record: &[u8]) -> Result<ObjectRecord<'_>, FormatError> {
    let body = match header(record)? {
        (1, KIND_PUBLIC) => {
            let mut r = Reader(checked(record)?);
            let uid = read_uid(&mut r)?;
            return Ok(ObjectRecord {
                format: 1,
                uid,
                version: 0,
                body: ObjectBody::Public(decode_attrs(r.0)?),
            });
        }
        (1, KIND_PRIVATE) => &record[HEADER..],
        _ => return Err(FormatError::Damaged),
    };
    let mut r = Reader(body);
    let uid = read_uid(&mut r)?;
    let aad_prefix = &record[..record.len() - r.0.len()];
    let nonce = r.array()?;
    Ok(ObjectRecord {
        format: 1,
        uid,
        version: 0,
        body: ObjectBody::Private {
            aad_prefix,
            nonce,
            ciphertext: r.0,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::format::{KIND_TOKEN, decode_object as decode, decode_token as token};
    use super::*;

    /// Records written by the version 1 code (tests/data/v1-token).
    const META: &[u8] = include_bytes!("../../tests/data/v1-token/meta");

    #[test]
    fn version_1_records_are_read_and_flips_are_caught() {
        let t = token(META).unwrap();
        assert_eq!(&t.label[..8], b"v1 token");
        assert!(t.so_pin.is_some() && t.user_pin.is_some());
        assert!(!t.so_pin.unwrap().bound);
        for i in 0..META.len() {
            let mut bad = META.to_vec();
            bad[i] ^= 0x01;
            assert!(token(&bad).is_err(), "flip at {i} not caught");
        }
        for entry in std::fs::read_dir("tests/data/v1-token/objects").unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let rec = decode(&bytes).unwrap();
            assert_eq!((rec.format, rec.version), (1, 0));
        }
        assert_eq!(header(META).unwrap(), (1, KIND_TOKEN));
    }
}
