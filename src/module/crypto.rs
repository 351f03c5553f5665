//! Encryption, decryption, message digesting, signing and verifying
//! (PKCS#11 3.1 sections 5.8-5.13). An operation ends when a call fails or
//! completes, except on CKR_BUFFER_TOO_SMALL (section 5.2), which leaves
//! it as it was so the caller can retry with a larger buffer.
//!
//! CKA_ALWAYS_AUTHENTICATE (base section 4.9): signing or decrypting with
//! such a key needs C_Login(CKU_CONTEXT_SPECIFIC) after C_SignInit /
//! C_DecryptInit; until then every call of the operation answers
//! CKR_USER_NOT_LOGGED_IN and leaves it active (`session::Gate`).
use super::Module;
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::{CipherOp, CkMechanism, Mechanism, registry};
use crate::object::Object;
use crate::rv::CkResult;
use crate::session::{Gate, Ops};

/// Runs one step of a cipher operation. `cap` is the caller's output
/// buffer size (None: unlimited); `last` says the step ends the operation.
fn cipher_step(
    slot: &mut Option<Box<dyn CipherOp>>,
    cap: Option<usize>,
    input_len: usize,
    last: bool,
    step: impl FnOnce(&mut dyn CipherOp) -> CkResult<Vec<u8>>,
) -> CkResult<Vec<u8>> {
    let op = slot.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
    let result = match cap {
        // Below the bound: try on a copy, keep the operation if it does not fit.
        Some(cap) if cap < op.output_bound(input_len, last) => {
            let mut trial = op.box_clone();
            match step(trial.as_mut()) {
                Ok(out) if out.len() > cap => return Err(CKR_BUFFER_TOO_SMALL),
                Ok(out) => {
                    *op = trial;
                    Ok(out)
                }
                Err(e) => Err(e),
            }
        }
        _ => step(op.as_mut()),
    };
    if result.is_err() || last {
        *slot = None;
    }
    result
}

/// Runs one step of an operation whose output length is known up front
/// (`out_len`, checked against `cap` when the step produces output).
fn fixed_step<O: ?Sized, T>(
    slot: &mut Option<Box<O>>,
    cap: Option<usize>,
    out_len: impl FnOnce(&O) -> usize,
    last: bool,
    step: impl FnOnce(&mut O) -> CkResult<T>,
) -> CkResult<T> {
    let op = slot.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
    if let Some(cap) = cap
        && cap < out_len(op)
    {
        return Err(CKR_BUFFER_TOO_SMALL);
    }
    let result = step(op);
    if result.is_err() || last {
        *slot = None;
    }
    result
}

impl Module {
    /// The session's operation slots, for one step of an operation.
    fn ops(&mut self, h: CK_ULONG) -> CkResult<&mut Ops> {
        Ok(&mut self.session_mut(h)?.ops)
    }

    /// The common checks of every *Init that uses a key: the mechanism
    /// must offer `flag`, the key must be visible, a key, allowed to
    /// `usage` (else CKR_KEY_FUNCTION_NOT_PERMITTED), and allowed this
    /// mechanism by CKA_ALLOWED_MECHANISMS.
    pub(super) fn key_for(
        &self,
        h: CK_ULONG,
        m: &CkMechanism,
        key: CK_ULONG,
        flag: CK_ULONG,
        usage: CK_ULONG,
        missing: CK_ULONG,
    ) -> CkResult<(&'static dyn Mechanism, &Object)> {
        let imp = registry().get(m.kind, flag)?;
        let o = self.object(h, key, missing)?;
        if !o.is_key() {
            return Err(missing);
        }
        if !o.bool(usage) {
            return Err(CKR_KEY_FUNCTION_NOT_PERMITTED);
        }
        if !o.allows_mechanism(m.kind) {
            return Err(CKR_MECHANISM_INVALID);
        }
        // C_UnwrapKey, C_DeriveKey and C_DecapsulateKey do their work in
        // one call, with no operation a context-specific login could come
        // after; run with a CKA_ALWAYS_AUTHENTICATE key they would decrypt
        // (into a new key) without the PIN, so they are refused with the
        // answer 4.9 gives to a use that was not re-authenticated.
        if o.bool(CKA_ALWAYS_AUTHENTICATE)
            && matches!(usage, CKA_UNWRAP | CKA_DERIVE | CKA_DECAPSULATE)
        {
            return Err(CKR_USER_NOT_LOGGED_IN);
        }
        Ok((imp, o))
    }

    /// The session's operations for a step of the operation `active`
    /// says is running, unless its `gate` still waits for the
    /// context-specific login (CKR_USER_NOT_LOGGED_IN, the operation kept).
    fn gated(
        &mut self,
        h: CK_ULONG,
        gate: impl FnOnce(&Ops) -> Gate,
        active: impl FnOnce(&Ops) -> bool,
    ) -> CkResult<&mut Ops> {
        let ops = self.ops(h)?;
        if active(ops) {
            gate(ops).check()?;
        }
        Ok(ops)
    }

    fn check_idle<T: ?Sized>(slot: &Option<Box<T>>) -> CkResult<()> {
        if slot.is_some() {
            Err(CKR_OPERATION_ACTIVE)
        } else {
            Ok(())
        }
    }

    /// C_EncryptInit (5.8.1).
    pub fn encrypt_init(&mut self, h: CK_ULONG, m: &CkMechanism, key: CK_ULONG) -> CkResult<()> {
        self.open_for(h, key);
        Self::check_idle(&self.session(h)?.ops.encrypt)?;
        let (imp, o) = self.key_for(h, m, key, CKF_ENCRYPT, CKA_ENCRYPT, CKR_KEY_HANDLE_INVALID)?;
        let op = imp.encrypt_init(m, o)?;
        self.ops(h)?.encrypt = Some(op);
        Ok(())
    }

    /// C_Encrypt (5.8.2).
    pub fn encrypt(&mut self, h: CK_ULONG, data: &[u8], cap: Option<usize>) -> CkResult<Vec<u8>> {
        cipher_step(&mut self.ops(h)?.encrypt, cap, data.len(), true, |op| {
            op.one_shot(data)
        })
    }

    /// C_EncryptUpdate (5.8.3).
    pub fn encrypt_update(
        &mut self,
        h: CK_ULONG,
        data: &[u8],
        cap: Option<usize>,
    ) -> CkResult<Vec<u8>> {
        cipher_step(&mut self.ops(h)?.encrypt, cap, data.len(), false, |op| {
            op.update(data)
        })
    }

    /// C_EncryptFinal (5.8.4).
    pub fn encrypt_final(&mut self, h: CK_ULONG, cap: Option<usize>) -> CkResult<Vec<u8>> {
        cipher_step(&mut self.ops(h)?.encrypt, cap, 0, true, |op| op.finalize())
    }

    /// C_DecryptInit (5.9.1).
    pub fn decrypt_init(&mut self, h: CK_ULONG, m: &CkMechanism, key: CK_ULONG) -> CkResult<()> {
        self.open_for(h, key);
        Self::check_idle(&self.session(h)?.ops.decrypt)?;
        let (imp, o) = self.key_for(h, m, key, CKF_DECRYPT, CKA_DECRYPT, CKR_KEY_HANDLE_INVALID)?;
        let op = imp.decrypt_init(m, o)?;
        let gate = Gate::for_key(o);
        let ops = self.ops(h)?;
        ops.decrypt = Some(op);
        ops.reauth.decrypt = gate;
        Ok(())
    }

    /// C_Decrypt (5.9.2).
    pub fn decrypt(&mut self, h: CK_ULONG, data: &[u8], cap: Option<usize>) -> CkResult<Vec<u8>> {
        let ops = self.gated(h, |o| o.reauth.decrypt, |o| o.decrypt.is_some())?;
        cipher_step(&mut ops.decrypt, cap, data.len(), true, |op| {
            op.one_shot(data)
        })
    }

    /// C_DecryptUpdate (5.9.3).
    pub fn decrypt_update(
        &mut self,
        h: CK_ULONG,
        data: &[u8],
        cap: Option<usize>,
    ) -> CkResult<Vec<u8>> {
        let ops = self.gated(h, |o| o.reauth.decrypt, |o| o.decrypt.is_some())?;
        cipher_step(&mut ops.decrypt, cap, data.len(), false, |op| {
            op.update(data)
        })
    }

    /// C_DecryptFinal (5.9.4).
    pub fn decrypt_final(&mut self, h: CK_ULONG, cap: Option<usize>) -> CkResult<Vec<u8>> {
        let ops = self.gated(h, |o| o.reauth.decrypt, |o| o.decrypt.is_some())?;
        cipher_step(&mut ops.decrypt, cap, 0, true, |op| op.finalize())
    }

    /// C_DigestInit (5.10.1).
    pub fn digest_init(&mut self, h: CK_ULONG, m: &CkMechanism) -> CkResult<()> {
        Self::check_idle(&self.session(h)?.ops.digest)?;
        let op = registry().get(m.kind, CKF_DIGEST)?.digest_init(m)?;
        self.ops(h)?.digest = Some(op);
        Ok(())
    }

    /// C_Digest (5.10.2).
    pub fn digest(&mut self, h: CK_ULONG, data: &[u8], cap: Option<usize>) -> CkResult<Vec<u8>> {
        fixed_step(
            &mut self.ops(h)?.digest,
            cap,
            |op| op.output_len(),
            true,
            |op| {
                op.update(data);
                Ok(op.finalize())
            },
        )
    }

    /// C_DigestUpdate (5.10.3).
    pub fn digest_update(&mut self, h: CK_ULONG, data: &[u8]) -> CkResult<()> {
        fixed_step(
            &mut self.ops(h)?.digest,
            None,
            |_| 0,
            false,
            |op| {
                op.update(data);
                Ok(())
            },
        )
    }

    /// C_DigestKey (5.10.4): digests a secret key's value; other objects
    /// are CKR_KEY_INDIGESTIBLE.
    pub fn digest_key(&mut self, h: CK_ULONG, key: CK_ULONG) -> CkResult<()> {
        self.open_for(h, key);
        let value = match self.object(h, key, CKR_KEY_HANDLE_INVALID) {
            Ok(o) if o.class() == CKO_SECRET_KEY => o
                .get(CKA_VALUE)
                .map(|v| zeroize::Zeroizing::new(v.to_vec()))
                .ok_or(CKR_KEY_INDIGESTIBLE),
            Ok(o) if o.is_key() => Err(CKR_KEY_INDIGESTIBLE),
            Ok(_) => Err(CKR_KEY_HANDLE_INVALID),
            Err(e) => Err(e),
        };
        let ops = self.ops(h)?;
        if ops.digest.is_none() {
            return Err(CKR_OPERATION_NOT_INITIALIZED);
        }
        match value {
            Ok(v) => fixed_step(
                &mut ops.digest,
                None,
                |_| 0,
                false,
                |op| {
                    op.update(&v);
                    Ok(())
                },
            ),
            Err(e) => {
                ops.digest = None;
                Err(e)
            }
        }
    }

    /// C_DigestFinal (5.10.5).
    pub fn digest_final(&mut self, h: CK_ULONG, cap: Option<usize>) -> CkResult<Vec<u8>> {
        fixed_step(
            &mut self.ops(h)?.digest,
            cap,
            |op| op.output_len(),
            true,
            |op| Ok(op.finalize()),
        )
    }

    /// C_SignInit (5.11.1).
    pub fn sign_init(&mut self, h: CK_ULONG, m: &CkMechanism, key: CK_ULONG) -> CkResult<()> {
        self.open_for(h, key);
        Self::check_idle(&self.session(h)?.ops.sign)?;
        let (imp, o) = self.key_for(h, m, key, CKF_SIGN, CKA_SIGN, CKR_KEY_HANDLE_INVALID)?;
        let op = imp.sign_init(m, o)?;
        let gate = Gate::for_key(o);
        let ops = self.ops(h)?;
        ops.sign = Some(op);
        ops.reauth.sign = gate;
        Ok(())
    }

    /// C_Sign (5.11.2).
    pub fn sign(&mut self, h: CK_ULONG, data: &[u8], cap: Option<usize>) -> CkResult<Vec<u8>> {
        let ops = self.gated(h, |o| o.reauth.sign, |o| o.sign.is_some())?;
        fixed_step(
            &mut ops.sign,
            cap,
            |op| op.signature_len(),
            true,
            |op| op.one_shot(data),
        )
    }

    /// C_SignUpdate (5.11.3).
    pub fn sign_update(&mut self, h: CK_ULONG, data: &[u8]) -> CkResult<()> {
        let ops = self.gated(h, |o| o.reauth.sign, |o| o.sign.is_some())?;
        fixed_step(&mut ops.sign, None, |_| 0, false, |op| op.update(data))
    }

    /// C_SignFinal (5.11.4).
    pub fn sign_final(&mut self, h: CK_ULONG, cap: Option<usize>) -> CkResult<Vec<u8>> {
        let ops = self.gated(h, |o| o.reauth.sign, |o| o.sign.is_some())?;
        fixed_step(
            &mut ops.sign,
            cap,
            |op| op.signature_len(),
            true,
            |op| op.finalize(),
        )
    }

    /// C_VerifyInit (5.13.1).
    pub fn verify_init(&mut self, h: CK_ULONG, m: &CkMechanism, key: CK_ULONG) -> CkResult<()> {
        self.open_for(h, key);
        Self::check_idle(&self.session(h)?.ops.verify)?;
        let (imp, o) = self.key_for(h, m, key, CKF_VERIFY, CKA_VERIFY, CKR_KEY_HANDLE_INVALID)?;
        let op = imp.verify_init(m, o)?;
        self.ops(h)?.verify = Some(op);
        Ok(())
    }

    /// C_Verify (5.13.2): Ok, or CKR_SIGNATURE_INVALID / CKR_SIGNATURE_LEN_RANGE.
    pub fn verify(&mut self, h: CK_ULONG, data: &[u8], signature: &[u8]) -> CkResult<()> {
        fixed_step(
            &mut self.ops(h)?.verify,
            None,
            |_| 0,
            true,
            |op| op.one_shot(data, signature),
        )
    }

    /// C_VerifyUpdate (5.13.3).
    pub fn verify_update(&mut self, h: CK_ULONG, data: &[u8]) -> CkResult<()> {
        fixed_step(
            &mut self.ops(h)?.verify,
            None,
            |_| 0,
            false,
            |op| op.update(data),
        )
    }

    /// C_VerifyFinal (5.13.4).
    pub fn verify_final(&mut self, h: CK_ULONG, signature: &[u8]) -> CkResult<()> {
        fixed_step(
            &mut self.ops(h)?.verify,
            None,
            |_| 0,
            true,
            |op| op.finalize(signature),
        )
    }
}
