//! The stored record format. Every record starts with the magic "P11W", a
//! format version byte and a kind byte. This library writes version 2 and
//! still reads version 1 (`format_v1`); higher versions are refused.
//!
//! | kind | record | body (version 2) |
//! |---|---|---|
//! | 1 | token | token id [16], label [32], serial [16], record version u64, flags u8 (bit 0 SO blob, bit 1 user blob), blobs, MAC [32] |
//! | 2 | PIN counters | SO failures u32, user failures u32, SHA-256 [32] |
//! | 3 | public object | uid len u8, uid, record version u64, attributes, MAC [32] |
//! | 4 | private object | uid len u8, uid, record version u64, nonce [12], AES-256-GCM(attributes) with tag |
//! | 5 | tombstone | uid len u8, uid, record version u64, MAC [32] |
//!
//! A PIN blob is binding u8 (2: role and token id are in its AEAD's
//! associated data; 1: a version 1 blob, bound to neither), salt [16],
//! PBKDF2 iterations u32, nonce [12], length u16 and the wrapped master
//! key. Attributes are a count u32 then per attribute its type u64, length
//! u32 and value. Integers are big-endian.
//!
//! The MAC is HMAC-SHA256 under a key derived from the master key over the
//! token id and every byte before it (`protect`), so a record can only be
//! checked once the master key is known (a login). Private records are
//! authenticated by their AEAD tag. The PIN counters cannot be: a wrong PIN
//! is counted by someone who has no key; their SHA-256 trailer detects
//! corruption only (see the README's security model).
//!
//! Record versions are a Lamport clock per token: a write takes one more
//! than the highest version the writer has seen. They order the states of
//! one record (a running instance refuses an older one: rollback), and let
//! replicas of a token converge (the higher version wins).
use sha2::{Digest, Sha256};

use crate::CK_ULONG;
use crate::attr::policy::AttrMap;
use crate::token::pin::PinBlob;

pub use super::format_v1::{FormatError, Reader};

pub const MAGIC: &[u8; 4] = b"P11W";
/// The format this library writes; records with a higher version are
/// refused untouched.
pub const VERSION: u8 = 2;

pub const KIND_TOKEN: u8 = 1;
pub const KIND_COUNTERS: u8 = 2;
pub const KIND_PUBLIC: u8 = 3;
pub const KIND_PRIVATE: u8 = 4;
pub const KIND_TOMBSTONE: u8 = 5;

pub const HEADER: usize = 6;
pub const MAC_LEN: usize = 32;
const CHECKSUM: usize = 32;

/// PBKDF2 iteration counts a stored PIN blob may name: a damaged or forged
/// record must not make C_Login spin for hours (10,000,000 iterations take
/// about 4 s here), and zero would make the PIN key a constant.
pub const MAX_STORED_ITERATIONS: u32 = 10_000_000;

/// The token record's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRecord {
    pub token_id: [u8; 16],
    pub label: [u8; 32],
    pub serial: [u8; 16],
    /// The record version (0 for a version 1 record).
    pub version: u64,
    pub so_pin: Option<PinBlob>,
    pub user_pin: Option<PinBlob>,
}

/// A record's header: checks magic and version, returns (format version,
/// kind).
pub fn header(record: &[u8]) -> Result<(u8, u8), FormatError> {
    if record.len() < HEADER || &record[..4] != MAGIC {
        return Err(FormatError::Damaged);
    }
    match record[4] {
        v if v > VERSION => Err(FormatError::NewerVersion(v)),
        0 => Err(FormatError::Damaged),
        v => Ok((v, record[5])),
    }
}

fn start(kind: u8) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.push(VERSION);
    out.push(kind);
    out
}

/// Appends the SHA-256 of everything before it (corruption check).
pub(super) fn seal_checksum(mut out: Vec<u8>) -> Vec<u8> {
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

/// The body of a record with a SHA-256 trailer, after verifying it.
pub(super) fn checked(record: &[u8]) -> Result<&[u8], FormatError> {
    let (data, sum) = split_tail(record, CHECKSUM)?;
    if Sha256::digest(data).as_slice() != sum {
        return Err(FormatError::Damaged);
    }
    Ok(&data[HEADER..])
}

/// (everything before the last `n` bytes, those bytes); the first part
/// holds at least the header.
fn split_tail(record: &[u8], n: usize) -> Result<(&[u8], &[u8]), FormatError> {
    let split = record
        .len()
        .checked_sub(n)
        .filter(|s| *s >= HEADER)
        .ok_or(FormatError::Damaged)?;
    Ok(record.split_at(split))
}

/// (signed part, MAC) of a version 2 token, public or tombstone record.
pub fn split_mac(record: &[u8]) -> Result<(&[u8], &[u8]), FormatError> {
    split_tail(record, MAC_LEN)
}

fn put_blob(out: &mut Vec<u8>, b: &PinBlob) {
    out.push(if b.bound { 2 } else { 1 });
    out.extend_from_slice(&b.salt);
    out.extend_from_slice(&b.iterations.to_be_bytes());
    out.extend_from_slice(&b.nonce);
    out.extend_from_slice(&(b.wrapped.len() as u16).to_be_bytes());
    out.extend_from_slice(&b.wrapped);
}

fn read_blob(r: &mut Reader) -> Result<PinBlob, FormatError> {
    let bound = match r.u8()? {
        1 => false,
        2 => true,
        _ => return Err(FormatError::Damaged),
    };
    let mut blob = super::format_v1::read_blob(r)?;
    blob.bound = bound;
    Ok(blob)
}

/// Checks a blob's KDF cost is one a token could have written.
pub(super) fn check_iterations(b: &PinBlob) -> Result<(), FormatError> {
    if b.iterations == 0 || b.iterations > MAX_STORED_ITERATIONS {
        return Err(FormatError::Damaged);
    }
    Ok(())
}

/// The token record without its MAC (`protect::TokenKeys::sign` adds it).
pub fn encode_token(t: &TokenRecord) -> Vec<u8> {
    let mut out = start(KIND_TOKEN);
    out.extend_from_slice(&t.token_id);
    out.extend_from_slice(&t.label);
    out.extend_from_slice(&t.serial);
    out.extend_from_slice(&t.version.to_be_bytes());
    out.push(t.so_pin.is_some() as u8 | (t.user_pin.is_some() as u8) << 1);
    for b in [&t.so_pin, &t.user_pin].into_iter().flatten() {
        put_blob(&mut out, b);
    }
    out
}

/// Reads a token record of either version. The MAC of a version 2 record
/// is not checked here (that needs the master key).
pub fn decode_token(record: &[u8]) -> Result<TokenRecord, FormatError> {
    let t = match header(record)? {
        (1, KIND_TOKEN) => super::format_v1::decode_token(record)?,
        (VERSION, KIND_TOKEN) => {
            let mut r = Reader(&split_mac(record)?.0[HEADER..]);
            let token_id = r.array()?;
            let label = r.array()?;
            let serial = r.array()?;
            let version = r.u64()?;
            let flags = r.u8()?;
            if flags & !3 != 0 {
                return Err(FormatError::Damaged);
            }
            let so_pin = (flags & 1 != 0).then(|| read_blob(&mut r)).transpose()?;
            let user_pin = (flags & 2 != 0).then(|| read_blob(&mut r)).transpose()?;
            r.end()?;
            TokenRecord {
                token_id,
                label,
                serial,
                version,
                so_pin,
                user_pin,
            }
        }
        _ => return Err(FormatError::Damaged),
    };
    for b in [&t.so_pin, &t.user_pin].into_iter().flatten() {
        check_iterations(b)?;
    }
    Ok(t)
}

pub fn encode_counters(so: u32, user: u32) -> Vec<u8> {
    let mut out = start(KIND_COUNTERS);
    out.extend_from_slice(&so.to_be_bytes());
    out.extend_from_slice(&user.to_be_bytes());
    seal_checksum(out)
}

/// (SO failures, user failures), from a counter record of either version.
pub fn decode_counters(record: &[u8]) -> Result<(u32, u32), FormatError> {
    if header(record)?.1 != KIND_COUNTERS {
        return Err(FormatError::Damaged);
    }
    let mut r = Reader(checked(record)?);
    let counters = (r.u32()?, r.u32()?);
    r.end()?;
    Ok(counters)
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
        if attrs
            .insert(kind, zeroize::Zeroizing::new(r.take(n)?.to_vec()))
            .is_some()
        {
            return Err(FormatError::Damaged); // an attribute twice
        }
    }
    r.end()?;
    Ok(attrs)
}

/// Unique ids are what `Module::insert_object` makes: 32 lowercase hex
/// digits. Anything else in a record is damage or a forgery, and never
/// becomes a storage key.
pub fn valid_uid(uid: &str) -> bool {
    uid.len() == 32 && uid.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub(super) fn put_uid(out: &mut Vec<u8>, uid: &str) {
    let uid = &uid.as_bytes()[..uid.len().min(255)];
    out.push(uid.len() as u8);
    out.extend_from_slice(uid);
}

/// The unique id, borrowed from the record (a load reads thousands).
pub(super) fn read_uid<'a>(r: &mut Reader<'a>) -> Result<&'a str, FormatError> {
    let n = r.u8()? as usize;
    let uid = std::str::from_utf8(r.take(n)?).map_err(|_| FormatError::Damaged)?;
    if !valid_uid(uid) {
        return Err(FormatError::Damaged);
    }
    Ok(uid)
}

/// The start of an object record of `kind`: header, uid and version.
fn object_prefix(kind: u8, uid: &str, version: u64) -> Vec<u8> {
    let mut out = start(kind);
    put_uid(&mut out, uid);
    out.extend_from_slice(&version.to_be_bytes());
    out
}

/// A public object record without its MAC.
pub fn encode_public(uid: &str, version: u64, attrs: &AttrMap) -> Vec<u8> {
    let mut out = object_prefix(KIND_PUBLIC, uid, version);
    out.extend_from_slice(&encode_attrs(attrs));
    out
}

/// A tombstone (the record of a destroyed object) without its MAC.
pub fn encode_tombstone(uid: &str, version: u64) -> Vec<u8> {
    object_prefix(KIND_TOMBSTONE, uid, version)
}

/// The private record up to the nonce (header, uid, version): authenticated
/// as associated data.
pub fn private_prefix(uid: &str, version: u64) -> Vec<u8> {
    object_prefix(KIND_PRIVATE, uid, version)
}

/// What an object record holds.
#[derive(Debug, PartialEq, Eq)]
pub enum ObjectBody<'a> {
    /// The attributes of a public object, not yet authenticated.
    Public(AttrMap),
    /// A sealed private object: its associated data is the record up to
    /// the nonce.
    Private {
        aad_prefix: &'a [u8],
        nonce: [u8; 12],
        ciphertext: &'a [u8],
    },
    /// A destroyed object.
    Tombstone,
}

/// An object record, parsed but not authenticated.
#[derive(Debug, PartialEq, Eq)]
pub struct ObjectRecord<'a> {
    /// The format version it was written in (1 or 2).
    pub format: u8,
    pub uid: &'a str,
    /// The record version (0 for a version 1 record).
    pub version: u64,
    pub body: ObjectBody<'a>,
}

pub fn decode_object(record: &[u8]) -> Result<ObjectRecord<'_>, FormatError> {
    let (format, kind) = header(record)?;
    if format == 1 {
        return super::format_v1::decode_object(record);
    }
    let signed = match kind {
        KIND_PUBLIC | KIND_TOMBSTONE => split_mac(record)?.0,
        KIND_PRIVATE => record,
        _ => return Err(FormatError::Damaged),
    };
    let mut r = Reader(&signed[HEADER..]);
    let uid = read_uid(&mut r)?;
    let version = r.u64()?;
    let body = match kind {
        KIND_PUBLIC => ObjectBody::Public(decode_attrs(r.0)?),
        KIND_TOMBSTONE => {
            r.end()?;
            ObjectBody::Tombstone
        }
        _ => {
            let aad_prefix = &record[..record.len() - r.0.len()];
            let nonce = r.array()?;
            ObjectBody::Private {
                aad_prefix,
                nonce,
                ciphertext: r.0,
            }
        }
    };
    Ok(ObjectRecord {
        format,
        uid,
        version,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    const UID: &str = "0123456789abcdef0123456789abcdef";

    fn attrs() -> AttrMap {
        let mut a = AttrMap::new();
        a.insert(3, Zeroizing::new(b"label".to_vec()));
        a.insert(0x11, Zeroizing::new(vec![1, 2, 3]));
        a
    }

    fn blob(bound: bool) -> PinBlob {
        PinBlob {
            bound,
            salt: [1; 16],
            iterations: 1000,
            nonce: [2; 12],
            wrapped: vec![3; 48],
        }
    }

    #[test]
    fn records_round_trip() {
        let t = TokenRecord {
            token_id: [7; 16],
            label: [b'x'; 32],
            serial: [b'1'; 16],
            version: 9,
            so_pin: Some(blob(true)),
            user_pin: Some(blob(false)),
        };
        let mut rec = encode_token(&t);
        rec.extend_from_slice(&[0; MAC_LEN]);
        assert_eq!(decode_token(&rec).unwrap(), t);
        let mut public = encode_public(UID, 5, &attrs());
        public.extend_from_slice(&[0; MAC_LEN]);
        let parsed = decode_object(&public).unwrap();
        assert_eq!((parsed.uid, parsed.version), (UID, 5));
        assert_eq!(parsed.body, ObjectBody::Public(attrs()));
        let mut tomb = encode_tombstone(UID, 6);
        tomb.extend_from_slice(&[0; MAC_LEN]);
        assert_eq!(decode_object(&tomb).unwrap().body, ObjectBody::Tombstone);
        assert_eq!(decode_counters(&encode_counters(3, 4)).unwrap(), (3, 4));
    }

    #[test]
    fn bad_uids_iterations_and_versions_are_refused() {
        let mut rec = encode_counters(0, 0);
        rec[4] = 9;
        assert_eq!(decode_counters(&rec), Err(FormatError::NewerVersion(9)));
        assert_eq!(header(b"P1"), Err(FormatError::Damaged));
        assert_eq!(decode_attrs(&[0, 0, 0, 9]), Err(FormatError::Damaged));
        for uid in ["", "../../etc/passwd", "0123456789ABCDEF0123456789abcdef"] {
            let mut public = encode_public(uid, 1, &attrs());
            public.extend_from_slice(&[0; MAC_LEN]);
            assert_eq!(decode_object(&public), Err(FormatError::Damaged), "{uid:?}");
        }
        for iterations in [0, MAX_STORED_ITERATIONS + 1] {
            let t = TokenRecord {
                token_id: [7; 16],
                label: [b'x'; 32],
                serial: [b'1'; 16],
                version: 1,
                so_pin: Some(PinBlob {
                    iterations,
                    ..blob(true)
                }),
                user_pin: None,
            };
            let mut rec = encode_token(&t);
            rec.extend_from_slice(&[0; MAC_LEN]);
            assert_eq!(decode_token(&rec), Err(FormatError::Damaged));
        }
    }
}
