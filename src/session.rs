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
    /// Re-authentication of the operations whose key has
    /// CKA_ALWAYS_AUTHENTICATE.
    pub reauth: ReAuth,
}

/// Where an operation stands with CKA_ALWAYS_AUTHENTICATE (3.1 base
/// section 4.9): such a key needs C_Login(CKU_CONTEXT_SPECIFIC) after the
/// operation's Init, and the login lasts until the operation ends (for a
/// message-based process: until the message ends).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Gate {
    /// The key does not ask for it.
    #[default]
    Open,
    /// Waiting for the context-specific login: calls using the key answer
    /// CKR_USER_NOT_LOGGED_IN and leave the operation active.
    Locked,
    /// Logged in for this operation (or message).
    Unlocked,
}

impl Gate {
    /// The gate of a new operation with `key`.
    pub fn for_key(key: &crate::object::Object) -> Gate {
        if key.bool(CKA_ALWAYS_AUTHENTICATE) {
            Gate::Locked
        } else {
            Gate::Open
        }
    }

    /// CKR_USER_NOT_LOGGED_IN while locked.
    pub fn check(self) -> crate::rv::CkResult<()> {
        match self {
            Gate::Locked => Err(CKR_USER_NOT_LOGGED_IN),
            _ => Ok(()),
        }
    }

    /// A use of the key ended (a message of a message-based process): the
    /// next one needs a new login.
    pub fn used(&mut self) {
        if *self == Gate::Unlocked {
            *self = Gate::Locked;
        }
    }

    /// After a call that took part in a message: the message ended if the
    /// call failed (other than CKR_BUFFER_TOO_SMALL, which changes nothing,
    /// section 5.2) or was its `last` part.
    pub fn settle<T>(&mut self, result: &crate::rv::CkResult<T>, last: bool) {
        match result {
            Err(CKR_BUFFER_TOO_SMALL) => {}
            Err(_) => self.used(),
            Ok(_) if last => self.used(),
            Ok(_) => {}
        }
    }
}

/// The gates of the operations that can use a private key with
/// CKA_ALWAYS_AUTHENTICATE ("a cryptographic operation such as sign or
/// decrypt"). A gate means something only while its operation is active;
/// each Init sets it afresh.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReAuth {
    pub sign: Gate,
    pub decrypt: Gate,
    pub msg_sign: Gate,
    pub msg_decrypt: Gate,
}

pub struct Session {
    pub handle: CK_ULONG,
    pub slot_id: CK_ULONG,
    pub rw: bool,
    pub ops: Ops,
    /// Whether a session object was ever made in this session: only then
    /// does C_CloseSession go through the objects (all of them, token
    /// objects included) for its own.
    pub made_objects: bool,
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
