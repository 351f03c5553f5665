//! Token storage, the core half: what a token writes and reads, already
//! encoded and protected. The module emits ordered write operations
//! ([`StoreOp`], one transaction per mutating call) and accepts records
//! read back or changed by another instance; the raw backends that move
//! the bytes (memory, a Node token directory, IndexedDB) live outside the
//! core because their I/O is asynchronous and platform-specific.
//!
//! Record keys, per token: `meta` (identity, label, PIN blobs), `counters`
//! (failed PIN attempts) and `o/<CKA_UNIQUE_ID>` (one object each).
pub mod checksum;
pub mod format;
pub mod format_v1;
pub mod protect;

use crate::CK_ULONG;

pub const KEY_META: &str = "meta";
pub const KEY_COUNTERS: &str = "counters";
pub const OBJECT_PREFIX: &str = "o/";

/// The record key of the token object with unique id `uid`.
pub fn object_key(uid: &str) -> String {
    format!("{OBJECT_PREFIX}{uid}")
}

/// One write to a token's storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreOp {
    Put {
        key: String,
        value: Vec<u8>,
    },
    Delete {
        key: String,
    },
    /// Removes every record of the token (C_InitToken, token deletion).
    Clear,
}

/// The writes of one mutating call on one slot: the backend applies them
/// atomically (all or none survive a crash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub slot_id: CK_ULONG,
    pub ops: Vec<StoreOp>,
}

/// Something the application should hear about: a record that failed its
/// integrity check, a token refused because of its format version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageEvent {
    pub slot_id: CK_ULONG,
    /// "tampered", "rollback", "refused" or "orphan" (the core's; the
    /// facade adds "unreadable", "write-failed" and "insecure").
    pub kind: &'static str,
    /// The record key concerned ("" for the whole token).
    pub key: String,
    pub message: String,
}
