//! A session and the operations active in it (PKCS#11 3.1 section 5.6).
//! Each operation kind has its own slot: one of each may be active at
//! once, as the dual-function calls require.
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::{CipherOp, DigestOp, SignOp, VerifyOp};

/// A C_FindObjects search: the handles matched at C_FindObjectsInit.
#[derive(Debug, Default)]
pub struct Find {
    pub handles: Vec<CK_ULONG>,
    pub next: usize,
}

#[derive(Default)]
pub struct Ops {
    pub find: Option<Find>,
    pub encrypt: Option<Box<dyn CipherOp>>,
    pub decrypt: Option<Box<dyn CipherOp>>,
    pub digest: Option<Box<dyn DigestOp>>,
    pub sign: Option<Box<dyn SignOp>>,
    pub verify: Option<Box<dyn VerifyOp>>,
    /// PKCS#11 3.x operations: message-based functions, C_VerifySignature*.
    pub ext: crate::module::ExtOps,
}

pub struct Session {
    pub handle: CK_ULONG,
    pub slot_id: CK_ULONG,
    pub rw: bool,
    pub ops: Ops,
    /// Message-based AES-GCM IV counters: they outlive operations and
    /// logins, so a session never repeats a generated IV for a key.
    pub iv_counters: crate::mech::message::IvCounters,
}

impl Session {
    /// CK_SESSION_INFO.state from the R/W flag and the token's login.
    pub fn state(&self, login: Option<CK_ULONG>) -> CK_ULONG {
        match (self.rw, login) {
            (false, None) => CKS_RO_PUBLIC_SESSION,
            (false, Some(_)) => CKS_RO_USER_FUNCTIONS,
            (true, None) => CKS_RW_PUBLIC_SESSION,
            (true, Some(CKU_SO)) => CKS_RW_SO_FUNCTIONS,
            (true, Some(_)) => CKS_RW_USER_FUNCTIONS,
        }
    }

    pub fn flags(&self) -> CK_ULONG {
        CKF_SERIAL_SESSION | if self.rw { CKF_RW_SESSION } else { 0 }
    }
}
