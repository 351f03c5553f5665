//! General-purpose functions (PKCS#11 3.1 section 5.4).
use super::Module;
use super::info::*;
use crate::constants::*;
use crate::rv::CkResult;
use crate::token::padded;

impl Module {
    /// C_Initialize (5.4.1). The module is single-threaded; locking flags
    /// are accepted since no callbacks are ever made.
    pub fn initialize(&mut self) -> CkResult<()> {
        if self.initialized {
            return Err(CKR_CRYPTOKI_ALREADY_INITIALIZED);
        }
        self.initialized = true;
        Ok(())
    }

    /// C_Finalize (5.4.2): closes every session (destroying session
    /// objects) and logs out of every token (private token objects leave
    /// memory). Token objects stay, as they do in storage.
    pub fn finalize(&mut self) -> CkResult<()> {
        self.check_init()?;
        self.sessions.clear();
        self.objects.retain(|_, e| e.session.is_none());
        let ids: Vec<_> = self.slots.iter().map(|s| s.id).collect();
        for id in ids {
            self.forget_unopened(id); // handles end here: nothing to open
            self.end_login(id);
        }
        self.events.clear();
        self.initialized = false;
        Ok(())
    }

    /// C_GetInfo (5.4.3).
    pub fn get_info(&self) -> CkResult<Info> {
        self.check_init()?;
        Ok(Info {
            cryptoki_version: CRYPTOKI_VERSION,
            manufacturer_id: padded(MANUFACTURER),
            flags: 0,
            library_description: padded(b"PKCS#11 software token (wasm)"),
            library_version: LIBRARY_VERSION,
        })
    }
}
