//! The stored record format, version 1. Every record starts with the
//! magic "P11W", a format version byte and a kind byte:
//!
//! | kind | record | body |
//! |---|---|---|
//! | 1 | token | token id [16], label [32], serial [16], flags u8 (bit 0 SO blob, bit 1 user blob), blobs, SHA-256 [32] |
//! | 2 | PIN counters | SO failures u32, user failures u32, SHA-256 [32] |
//! | 3 | public object | uid len u8, uid, attributes, SHA-256 [32] |
//! | 4 | private object | uid len u8, uid, nonce [12], AES-256-GCM(attributes) with tag |
//!
//! A PIN blob is salt [16], PBKDF2 iterations u32, nonce [12], length u16
//! and the wrapped master key. Attributes are a count u32 then per
//! attribute its type u64, length u32 and value. Integers are big-endian.
//! The SHA-256 trailer of clear records detects corruption, not forgery
//! (anyone who can write the store can recompute it); private records are
//! authenticated by their AEAD tag (see `protect`).
use sha2::{Digest, Sha256};

use crate::CK_ULONG;
use crate::attr::policy::AttrMap;
use crate::token::pin::PinBlob;

pub const MAGIC: &[u8; 4] = b"P11W";
/// The format this library writes; records with a higher version are
/// refused untouched.
pub const VERSION: u8 = 1;

pub const KIND_TOKEN: u8 = 1;
pub const KIND_COUNTERS: u8 = 2;
pub const KIND_PUBLIC: u8 = 3;
pub const KIND_PRIVATE: u8 = 4;

const HEADER: usize = 6;
const CHECKSUM: usize = 32;

/// Why a record could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// Written by a newer library: refuse, do not touch.
    NewerVersion(u8),
    /// Truncated, wrong magic, bad checksum or tag: corruption or tampering.
    Damaged,
}

/// The token record's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    pub token_id: [u8; 16],
    pub label: [u8; 32],
    pub serial: [u8; 16],
    pub so_pin: Option<PinBlob>,
    pub user_pin: Option<PinBlob>,
}

/// A record's header: checks magic and version, returns (kind, body).
pub fn header(record: &[u8]) -> Result<(u8, &[u8]), FormatError> {
    if record.len() < HEADER || &record[..4] != MAGIC {
        return Err(FormatError::Damaged);
    }
    if record[4] > VERSION {
        return Err(FormatError::NewerVersion(record[4]));
    }
    if record[4] != VERSION {
        return Err(FormatError::Damaged);
    }
    Ok((record[5], &record[HEADER..]))
}

fn start(kind: u8) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.push(VERSION);
    out.push(kind);
    out
}

fn seal_checksum(mut out: Vec<u8>) -> Vec<u8> {
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

/// The body of a clear record after verifying its SHA-256 trailer.
fn checked(record: &[u8]) -> Result<&[u8], FormatError> {
    let split = record
        .len()
        .checked_sub(CHECKSUM)
        .filter(|n| *n >= HEADER)
        .ok_or(FormatError::Damaged)?;
    let (data, sum) = record.split_at(split);
    if Sha256::digest(data).as_slice() != sum {
        return Err(FormatError::Damaged);
    }
    Ok(&data[HEADER..])
}

/// A cursor over a body; every read is bounds-checked.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        if self.0.len() < n {
            return Err(FormatError::Damaged);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], FormatError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, FormatError> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, FormatError> {
        Ok(u16::from_be_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, FormatError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, FormatError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn end(&self) -> Result<(), FormatError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(FormatError::Damaged)
        }
    }
}

fn put_blob(out: &mut Vec<u8>, b: &PinBlob) {
    out.extend_from_slice(&b.salt);
    out.extend_from_slice(&b.iterations.to_be_bytes());
    out.extend_from_slice(&b.nonce);
    out.extend_from_slice(&(b.wrapped.len() as u16).to_be_bytes());
    out.extend_from_slice(&b.wrapped);
}

fn read_blob(r: &mut Reader) -> Result<PinBlob, FormatError> {
    let salt = r.array()?;
    let iterations = r.u32()?;
    let nonce = r.array()?;
    let n = r.u16()? as usize;
    Ok(PinBlob {
        salt,
        iterations,
        nonce,
        wrapped: r.take(n)?.to_vec(),
    })
}

pub fn encode_token(t: &TokenRecord) -> Vec<u8> {
    let mut out = start(KIND_TOKEN);
    out.extend_from_slice(&t.token_id);
    out.extend_from_slice(&t.label);
    out.extend_from_slice(&t.serial);
    out.push(t.so_pin.is_some() as u8 | (t.user_pin.is_some() as u8) << 1);
    for b in [&t.so_pin, &t.user_pin].into_iter().flatten() {
        put_blob(&mut out, b);
    }
    seal_checksum(out)
}

pub fn decode_token(record: &[u8]) -> Result<TokenRecord, FormatError> {
    expect_kind(record, KIND_TOKEN)?;
    let mut r = Reader(checked(record)?);
    let token_id = r.array()?;
    let label = r.array()?;
    let serial = r.array()?;
    let flags = r.u8()?;
    let so_pin = if flags & 1 != 0 {
        Some(read_blob(&mut r)?)
    } else {
        None
    };
    let user_pin = if flags & 2 != 0 {
        Some(read_blob(&mut r)?)
    } else {
        None
    };
    r.end()?;
    Ok(TokenRecord {
        token_id,
        label,
        serial,
        so_pin,
        user_pin,
    })
}

pub fn encode_counters(so: u32, user: u32) -> Vec<u8> {
    let mut out = start(KIND_COUNTERS);
    out.extend_from_slice(&so.to_be_bytes());
    out.extend_from_slice(&user.to_be_bytes());
    seal_checksum(out)
}

pub fn decode_counters(record: &[u8]) -> Result<(u32, u32), FormatError> {
    expect_kind(record, KIND_COUNTERS)?;
    let mut r = Reader(checked(record)?);
    let counters = (r.u32()?, r.u32()?);
    r.end()?;
    Ok(counters)
}

fn expect_kind(record: &[u8], kind: u8) -> Result<(), FormatError> {
    match header(record)? {
        (k, _) if k == kind => Ok(()),
        _ => Err(FormatError::Damaged),
    }
}

/// Attributes as bytes (the plaintext of a private record): wipe after use.
pub fn encode_attrs(attrs: &AttrMap) -> Vec<u8> {
    let size = attrs.values().map(|v| 12 + v.len()).sum::<usize>();
    let mut out = Vec::with_capacity(4 + size);
    out.extend_from_slice(&(attrs.len() as u32).to_be_bytes());
    for (kind, value) in attrs {
        out.extend_from_slice(&kind.to_be_bytes());
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value);
    }
    out
}

pub fn decode_attrs(bytes: &[u8]) -> Result<AttrMap, FormatError> {
    let mut r = Reader(bytes);
    let count = r.u32()?;
    let mut attrs = AttrMap::new();
    for _ in 0..count {
        let kind: CK_ULONG = r.u64()?;
        let n = r.u32()? as usize;
        attrs.insert(kind, zeroize::Zeroizing::new(r.take(n)?.to_vec()));
    }
    r.end()?;
    Ok(attrs)
}

fn put_uid(out: &mut Vec<u8>, uid: &str) {
    // Unique ids are 32 hex digits; longer ones are cut to what u8 holds.
    let uid = &uid.as_bytes()[..uid.len().min(255)];
    out.push(uid.len() as u8);
    out.extend_from_slice(uid);
}

fn read_uid(r: &mut Reader) -> Result<String, FormatError> {
    let n = r.u8()? as usize;
    String::from_utf8(r.take(n)?.to_vec()).map_err(|_| FormatError::Damaged)
}

pub fn encode_public(uid: &str, attrs: &AttrMap) -> Vec<u8> {
    let mut out = start(KIND_PUBLIC);
    put_uid(&mut out, uid);
    out.extend_from_slice(&encode_attrs(attrs));
    seal_checksum(out)
}

pub fn decode_public(record: &[u8]) -> Result<(String, AttrMap), FormatError> {
    expect_kind(record, KIND_PUBLIC)?;
    let mut r = Reader(checked(record)?);
    let uid = read_uid(&mut r)?;
    Ok((uid, decode_attrs(r.0)?))
}

/// The parts of a private record: (uid, nonce, ciphertext with tag). The
/// header and uid bytes are the AEAD's associated data (`protect`).
pub struct PrivateRecord<'a> {
    pub uid: String,
    pub nonce: [u8; 12],
    pub ciphertext: &'a [u8],
}

/// The record up to the nonce: header and uid, authenticated as AAD.
pub fn private_prefix(uid: &str) -> Vec<u8> {
    let mut out = start(KIND_PRIVATE);
    put_uid(&mut out, uid);
    out
}

pub fn split_private(record: &[u8]) -> Result<PrivateRecord<'_>, FormatError> {
    expect_kind(record, KIND_PRIVATE)?;
    let mut r = Reader(&record[HEADER..]);
    let uid = read_uid(&mut r)?;
    let nonce = r.array()?;
    Ok(PrivateRecord {
        uid,
        nonce,
        ciphertext: r.0,
    })
}

/// The kind of an object record and its uid, without decrypting it.
pub fn object_uid(record: &[u8]) -> Result<String, FormatError> {
    match header(record)? {
        (KIND_PUBLIC, _) => decode_public(record).map(|(uid, _)| uid),
        (KIND_PRIVATE, _) => split_private(record).map(|p| p.uid),
        _ => Err(FormatError::Damaged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn attrs() -> AttrMap {
        let mut a = AttrMap::new();
        a.insert(3, Zeroizing::new(b"label".to_vec()));
        a.insert(0x11, Zeroizing::new(vec![1, 2, 3]));
        a
    }

    #[test]
    fn records_round_trip_and_flipped_bytes_are_caught() {
        let t = TokenRecord {
            token_id: [7; 16],
            label: [b'x'; 32],
            serial: [b'1'; 16],
            so_pin: Some(PinBlob {
                salt: [1; 16],
                iterations: 1000,
                nonce: [2; 12],
                wrapped: vec![3; 48],
            }),
            user_pin: None,
        };
        let rec = encode_token(&t);
        assert_eq!(decode_token(&rec).unwrap(), t);
        let public = encode_public("ab", &attrs());
        assert_eq!(decode_public(&public).unwrap(), ("ab".into(), attrs()));
        assert_eq!(decode_counters(&encode_counters(3, 4)).unwrap(), (3, 4));
        for rec in [rec, public] {
            for i in 0..rec.len() {
                let mut bad = rec.clone();
                bad[i] ^= 0x01;
                let r = if rec[5] == KIND_TOKEN {
                    decode_token(&bad).map(|_| ())
                } else {
                    decode_public(&bad).map(|_| ())
                };
                assert!(r.is_err(), "flip at {i} not caught");
            }
        }
    }

    #[test]
    fn newer_versions_are_named_garbage_is_damaged() {
        let mut rec = encode_counters(0, 0);
        rec[4] = 9;
        assert_eq!(decode_counters(&rec), Err(FormatError::NewerVersion(9)));
        assert_eq!(header(b"P1"), Err(FormatError::Damaged));
        assert_eq!(decode_attrs(&[0, 0, 0, 9]), Err(FormatError::Damaged));
        assert_eq!(
            split_private(b"P11W\x01\x04\xff").err(),
            Some(FormatError::Damaged)
        );
    }
}
