//! C_VerifySignatureInit, C_VerifySignature, C_VerifySignatureUpdate and
//! C_VerifySignatureFinal (PKCS#11 3.2 section 5.15): verification with
//! the signature given at initialization. It runs the mechanism's usual
//! `VerifyOp` ("any mechanism that supports C_VerifyInit must also support
//! C_VerifySignatureInit") in an operation slot of its own.
use super::Module;
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::{CkMechanism, VerifyOp};
use crate::rv::CkResult;

/// An active C_VerifySignatureInit operation.
pub struct VerifySignature {
    op: Box<dyn VerifyOp>,
    signature: Vec<u8>,
    /// C_VerifySignatureUpdate was called: C_VerifySignature may not be.
    multi_part: bool,
}

impl Module {
    /// C_VerifySignatureInit. `m` None (NULL_PTR in C) ends an active
    /// operation. The signature's length is checked when it is verified.
    pub fn verify_signature_init(
        &mut self,
        h: CK_ULONG,
        m: Option<&CkMechanism>,
        key: CK_ULONG,
        signature: &[u8],
    ) -> CkResult<()> {
        self.open_for(h, key);
        let Some(m) = m else {
            self.session_mut(h)?.ops.ext.verify_signature = None;
            return Ok(());
        };
        if self.session(h)?.ops.ext.verify_signature.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        let (imp, o) = self.key_for(h, m, key, CKF_VERIFY, CKA_VERIFY, CKR_KEY_HANDLE_INVALID)?;
        let op = imp.verify_init(m, o)?;
        self.session_mut(h)?.ops.ext.verify_signature = Some(VerifySignature {
            op,
            signature: signature.to_vec(),
            multi_part: false,
        });
        Ok(())
    }

    /// C_VerifySignature: Ok, or CKR_SIGNATURE_INVALID /
    /// CKR_SIGNATURE_LEN_RANGE; ends the operation. After
    /// C_VerifySignatureUpdate it is CKR_OPERATION_ACTIVE ("cannot be used
    /// to terminate a multi-part operation"), and the operation goes on.
    pub fn verify_signature(&mut self, h: CK_ULONG, data: &[u8]) -> CkResult<()> {
        let slot = &mut self.session_mut(h)?.ops.ext.verify_signature;
        let v = slot.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        if v.multi_part {
            return Err(CKR_OPERATION_ACTIVE);
        }
        let result = v.op.one_shot(data, &v.signature);
        *slot = None;
        result
    }

    /// C_VerifySignatureUpdate: an error ends the operation.
    pub fn verify_signature_update(&mut self, h: CK_ULONG, data: &[u8]) -> CkResult<()> {
        let slot = &mut self.session_mut(h)?.ops.ext.verify_signature;
        let v = slot.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        v.multi_part = true;
        let result = v.op.update(data);
        if result.is_err() {
            *slot = None;
        }
        result
    }

    /// C_VerifySignatureFinal: checks the signature; always ends the
    /// operation.
    pub fn verify_signature_final(&mut self, h: CK_ULONG) -> CkResult<()> {
        let slot = &mut self.session_mut(h)?.ops.ext.verify_signature;
        let mut v = slot.take().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        v.op.finalize(&v.signature)
    }
}
