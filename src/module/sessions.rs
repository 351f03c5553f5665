//! Session management (PKCS#11 3.1 section 5.6).
use super::Module;
use super::info::SessionInfo;
use crate::CK_ULONG;
use crate::constants::*;
use crate::rv::CkResult;
use crate::session::{Gate, Session};

impl Module {
    /// C_OpenSession (5.6.1). Notification callbacks are not supported
    /// (none is ever made).
    pub fn open_session(&mut self, slot_id: CK_ULONG, flags: CK_ULONG) -> CkResult<CK_ULONG> {
        let slot = self.slot(slot_id)?;
        self.check_recognized(slot_id)?;
        if flags & CKF_SERIAL_SESSION == 0 {
            return Err(CKR_SESSION_PARALLEL_NOT_SUPPORTED);
        }
        if !slot.token.is_initialized() {
            return Err(CKR_TOKEN_NOT_RECOGNIZED);
        }
        let rw = flags & CKF_RW_SESSION != 0;
        if !rw && slot.token.login == Some(CKU_SO) {
            return Err(CKR_SESSION_READ_WRITE_SO_EXISTS);
        }
        let handle = self.new_handle();
        self.sessions.insert(
            handle,
            Session {
                handle,
                slot_id,
                rw,
                ops: Default::default(),
                made_objects: false,
            },
        );
        Ok(handle)
    }

    /// C_CloseSession (5.6.2): destroys the session's objects; closing the
    /// last session of a token logs its user out.
    pub fn close_session(&mut self, h: CK_ULONG) -> CkResult<()> {
        let s = self.session(h)?;
        let (slot_id, made_objects) = (s.slot_id, s.made_objects);
        self.sessions.remove(&h);
        if made_objects {
            self.objects.retain(|_, e| e.session != Some(h));
        }
        if !self.sessions.values().any(|s| s.slot_id == slot_id) {
            self.end_login(slot_id);
        }
        Ok(())
    }

    /// C_CloseAllSessions (5.6.3).
    pub fn close_all_sessions(&mut self, slot_id: CK_ULONG) -> CkResult<()> {
        self.slot(slot_id)?;
        let handles: Vec<CK_ULONG> = self
            .sessions
            .values()
            .filter(|s| s.slot_id == slot_id)
            .map(|s| s.handle)
            .collect();
        for h in handles {
            self.close_session(h)?;
        }
        self.end_login(slot_id);
        Ok(())
    }

    /// C_GetSessionInfo (5.6.4).
    pub fn get_session_info(&self, h: CK_ULONG) -> CkResult<SessionInfo> {
        let s = self.session(h)?;
        let login = self.token_of(s.slot_id).login;
        Ok(SessionInfo {
            slot_id: s.slot_id,
            state: s.state(login),
            flags: s.flags(),
            device_error: 0,
        })
    }

    /// C_Login (5.6.8). Login is per token for the whole application: one
    /// user at a time; the SO cannot log in while a R/O session exists.
    pub fn login(&mut self, h: CK_ULONG, user: CK_ULONG, pin: &[u8]) -> CkResult<()> {
        let slot_id = self.session(h)?.slot_id;
        if !matches!(user, CKU_SO | CKU_USER | CKU_CONTEXT_SPECIFIC) {
            return Err(CKR_USER_TYPE_INVALID);
        }
        let current = self.token_of(slot_id).login;
        if user == CKU_CONTEXT_SPECIFIC {
            return self.login_context_specific(h, pin);
        }
        match current {
            Some(u) if u == user => return Err(CKR_USER_ALREADY_LOGGED_IN),
            Some(_) => return Err(CKR_USER_ANOTHER_ALREADY_LOGGED_IN),
            None => {}
        }
        if user == CKU_SO
            && self
                .sessions
                .values()
                .any(|s| s.slot_id == slot_id && !s.rw)
        {
            return Err(CKR_SESSION_READ_ONLY_EXISTS);
        }
        if user == CKU_USER && self.token_of(slot_id).user_pin.is_none() {
            return Err(CKR_USER_PIN_NOT_INITIALIZED);
        }
        let master = self.check_pin_counted(slot_id, user, pin)?;
        self.verify_token_record(slot_id, &master)?;
        let token = self.token_of_mut(slot_id);
        token.master_key = Some(master);
        token.login = Some(user);
        self.after_login(slot_id, user, pin);
        Ok(())
    }

    /// C_Login(CKU_CONTEXT_SPECIFIC) (5.6.8 and base section 4.9,
    /// CKA_ALWAYS_AUTHENTICATE): re-authenticates the operations of session
    /// `h` that wait for it, with the PIN of the user the key belongs to
    /// (the normal user: such keys are private). Without such an
    /// operation: CKR_OPERATION_NOT_INITIALIZED, nothing else changes. A
    /// wrong PIN is counted like any other (the operations stay waiting);
    /// once the PIN is locked the answer is CKR_PIN_LOCKED and the user is
    /// logged out ("this also logs the user out from the token").
    fn login_context_specific(&mut self, h: CK_ULONG, pin: &[u8]) -> CkResult<()> {
        let s = self.session(h)?;
        let slot_id = s.slot_id;
        let (ops, r) = (&s.ops, &s.ops.reauth);
        let waiting = [
            (r.sign, ops.sign.is_some()),
            (r.decrypt, ops.decrypt.is_some()),
            (r.msg_sign, ops.ext.is_signing()),
            (r.msg_decrypt, ops.ext.is_decrypting()),
        ]
        .iter()
        .any(|(gate, active)| *active && *gate != Gate::Open);
        if !waiting {
            return Err(CKR_OPERATION_NOT_INITIALIZED);
        }
        if self.token_of(slot_id).login != Some(CKU_USER) {
            return Err(CKR_USER_NOT_LOGGED_IN);
        }
        match self.check_pin_counted(slot_id, CKU_USER, pin) {
            Ok(_master) => {
                let r = &mut self.session_mut(h)?.ops.reauth;
                for gate in [
                    &mut r.sign,
                    &mut r.decrypt,
                    &mut r.msg_sign,
                    &mut r.msg_decrypt,
                ] {
                    if *gate == Gate::Locked {
                        *gate = Gate::Unlocked;
                    }
                }
                Ok(())
            }
            Err(rv) => {
                let tries = self.limits(slot_id).max_pin_tries;
                let failures = self.token_of(slot_id).user_counter.failures;
                if tries > 0 && failures >= tries {
                    self.end_login(slot_id);
                    return Err(CKR_PIN_LOCKED);
                }
                Err(rv)
            }
        }
    }

    /// C_Logout (5.6.10): ends every operation on the token, destroys
    /// private session objects, and takes private token objects out of
    /// memory (see `end_login`); a new USER login brings them back under
    /// new handles, so old handles stay invalid as 5.6.10 requires.
    pub fn logout(&mut self, h: CK_ULONG) -> CkResult<()> {
        let slot_id = self.session(h)?.slot_id;
        if self.token_of(slot_id).login.is_none() {
            return Err(CKR_USER_NOT_LOGGED_IN);
        }
        self.end_login(slot_id);
        Ok(())
    }
}
