//! The CK_*_INFO structures (PKCS#11 3.1 section 3), with text fields
//! blank padded to their fixed sizes as C callers (and pkcs11js) see them.
use crate::CK_ULONG;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u8,
    pub minor: u8,
}

pub const CRYPTOKI_VERSION: Version = Version { major: 3, minor: 1 };
pub const LIBRARY_VERSION: Version = Version { major: 0, minor: 1 };
pub const MANUFACTURER: &[u8] = b"pkcs11-wasm";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    pub cryptoki_version: Version,
    pub manufacturer_id: [u8; 32],
    pub flags: CK_ULONG,
    pub library_description: [u8; 32],
    pub library_version: Version,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotInfo {
    pub slot_description: [u8; 64],
    pub manufacturer_id: [u8; 32],
    pub flags: CK_ULONG,
    pub hardware_version: Version,
    pub firmware_version: Version,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    pub label: [u8; 32],
    pub manufacturer_id: [u8; 32],
    pub model: [u8; 16],
    pub serial_number: [u8; 16],
    pub flags: CK_ULONG,
    pub max_session_count: CK_ULONG,
    pub session_count: CK_ULONG,
    pub max_rw_session_count: CK_ULONG,
    pub rw_session_count: CK_ULONG,
    pub max_pin_len: CK_ULONG,
    pub min_pin_len: CK_ULONG,
    pub total_public_memory: CK_ULONG,
    pub free_public_memory: CK_ULONG,
    pub total_private_memory: CK_ULONG,
    pub free_private_memory: CK_ULONG,
    pub hardware_version: Version,
    pub firmware_version: Version,
    pub utc_time: [u8; 16],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    pub slot_id: CK_ULONG,
    pub state: CK_ULONG,
    pub flags: CK_ULONG,
    pub device_error: CK_ULONG,
}
