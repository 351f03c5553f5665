//! PKCS#11 3.x session functions: C_SessionCancel (3.1 section 5.6.5),
//! C_GetOperationState / C_SetOperationState (5.6.6, 5.6.7) and
//! C_LoginUser (5.6.9); and `ExtOps`, the session's slots for the 3.x
//! operations (message-based functions, C_VerifySignature*).
use super::Module;
use super::message::{MsgCipher, MsgSign, MsgVerify};
use super::verify_signature::VerifySignature;
use crate::CK_ULONG;
use crate::constants::*;
use crate::rv::CkResult;

/// The 3.x operations active in a session; like the others, one of each.
#[derive(Default)]
pub struct ExtOps {
    pub(super) msg_encrypt: Option<MsgCipher>,
    pub(super) msg_decrypt: Option<MsgCipher>,
    pub(super) msg_sign: Option<MsgSign>,
    pub(super) msg_verify: Option<MsgVerify>,
    pub(super) verify_signature: Option<VerifySignature>,
}

impl ExtOps {
    /// Whether a message-based signing process is active.
    pub fn is_signing(&self) -> bool {
        self.msg_sign.is_some()
    }

    /// Whether a message-based decryption process is active.
    pub fn is_decrypting(&self) -> bool {
        self.msg_decrypt.is_some()
    }
}

impl Module {
    /// C_SessionCancel (5.6.5): ends the operations named by `flags` (the
    /// CK_MECHANISM_INFO flag of each function, plus CKF_FIND_OBJECTS).
    /// Flags of inactive operations and of functions this token has no
    /// operation for (CKF_SIGN_RECOVER, ...) are ignored, as the text
    /// asks; every operation here can be cancelled. CKF_VERIFY also ends a
    /// C_VerifySignatureInit operation (3.2 has no flag of its own for it).
    pub fn session_cancel(&mut self, h: CK_ULONG, flags: CK_ULONG) -> CkResult<()> {
        let ops = &mut self.session_mut(h)?.ops;
        let on = |f: CK_ULONG| flags & f != 0;
        if on(CKF_ENCRYPT) {
            ops.encrypt = None;
        }
        if on(CKF_DECRYPT) {
            ops.decrypt = None;
        }
        if on(CKF_DIGEST) {
            ops.digest = None;
        }
        if on(CKF_SIGN) {
            ops.sign = None;
        }
        if on(CKF_VERIFY) {
            ops.verify = None;
            ops.ext.verify_signature = None;
        }
        if on(CKF_FIND_OBJECTS) {
            ops.find = None;
        }
        if on(CKF_MESSAGE_ENCRYPT) {
            ops.ext.msg_encrypt = None;
        }
        if on(CKF_MESSAGE_DECRYPT) {
            ops.ext.msg_decrypt = None;
        }
        if on(CKF_MESSAGE_SIGN) {
            ops.ext.msg_sign = None;
        }
        if on(CKF_MESSAGE_VERIFY) {
            ops.ext.msg_verify = None;
        }
        Ok(())
    }

    /// C_GetOperationState (5.6.6). Operations here hold their key
    /// material and cipher state as opaque Rust values with no stable
    /// encoding, so no state can be saved: CKR_STATE_UNSAVEABLE while a
    /// savable kind of operation (encryption, decryption, digest, sign,
    /// verify) is active, else CKR_OPERATION_NOT_INITIALIZED, as the text
    /// distinguishes them.
    pub fn get_operation_state(&self, h: CK_ULONG) -> CkResult<Vec<u8>> {
        let ops = &self.session(h)?.ops;
        let active = ops.encrypt.is_some()
            || ops.decrypt.is_some()
            || ops.digest.is_some()
            || ops.sign.is_some()
            || ops.verify.is_some();
        Err(if active {
            CKR_STATE_UNSAVEABLE
        } else {
            CKR_OPERATION_NOT_INITIALIZED
        })
    }

    /// C_SetOperationState (5.6.7): this token never hands out a state, so
    /// any state given is not one of its own: CKR_SAVED_STATE_INVALID.
    pub fn set_operation_state(
        &mut self,
        h: CK_ULONG,
        _state: &[u8],
        _encryption_key: CK_ULONG,
        _authentication_key: CK_ULONG,
    ) -> CkResult<()> {
        self.session(h)?;
        Err(CKR_SAVED_STATE_INVALID)
    }

    /// C_LoginUser (5.6.9): C_Login with a user name. This token has one
    /// SO and one normal user and no user names, and the text defines no
    /// error for a name a token does not know, so the name is accepted
    /// and not used: the PIN alone decides (the call behaves exactly like
    /// C_Login, CKU_CONTEXT_SPECIFIC included).
    pub fn login_user(
        &mut self,
        h: CK_ULONG,
        user: CK_ULONG,
        pin: &[u8],
        _username: &[u8],
    ) -> CkResult<()> {
        self.login(h, user, pin)
    }
}
