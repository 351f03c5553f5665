//! Slot and token management (PKCS#11 3.1 section 5.5).
use super::Module;
use super::info::*;
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::{MechInfo, registry};
use crate::rv::CkResult;
use crate::token::{padded, pin};

impl Module {
    /// C_GetSlotList (5.5.1). Every slot holds a token, so `token_present`
    /// changes nothing. Slot IDs are stable: a slot keeps its ID for the
    /// life of the module, and new slots get new IDs.
    pub fn get_slot_list(&self, _token_present: bool) -> CkResult<Vec<CK_ULONG>> {
        self.check_init()?;
        Ok(self.slots.iter().map(|s| s.id).collect())
    }

    /// C_GetSlotInfo (5.5.2).
    pub fn get_slot_info(&self, slot_id: CK_ULONG) -> CkResult<SlotInfo> {
        let slot = self.slot(slot_id)?;
        Ok(SlotInfo {
            slot_description: padded(format!("pkcs11-wasm slot {}", slot.id).as_bytes()),
            manufacturer_id: padded(MANUFACTURER),
            flags: CKF_TOKEN_PRESENT,
            hardware_version: LIBRARY_VERSION,
            firmware_version: LIBRARY_VERSION,
        })
    }

    /// C_GetTokenInfo (5.5.3).
    pub fn get_token_info(&self, slot_id: CK_ULONG) -> CkResult<TokenInfo> {
        let slot = self.slot(slot_id)?;
        self.check_recognized(slot_id)?;
        let limits = slot.limits;
        let sessions = self.sessions.values().filter(|s| s.slot_id == slot_id);
        let (count, rw) = sessions.fold((0, 0), |(c, rw), s| (c + 1, rw + s.rw as CK_ULONG));
        let t = &slot.token;
        Ok(TokenInfo {
            label: t.label,
            manufacturer_id: padded(MANUFACTURER),
            model: padded(b"software token"),
            serial_number: t.serial,
            flags: t.flags(limits.max_pin_tries),
            max_session_count: CK_EFFECTIVELY_INFINITE,
            session_count: count,
            max_rw_session_count: CK_EFFECTIVELY_INFINITE,
            rw_session_count: rw,
            max_pin_len: limits.max_pin_len as CK_ULONG,
            min_pin_len: limits.min_pin_len as CK_ULONG,
            total_public_memory: CK_UNAVAILABLE_INFORMATION,
            free_public_memory: CK_UNAVAILABLE_INFORMATION,
            total_private_memory: CK_UNAVAILABLE_INFORMATION,
            free_private_memory: CK_UNAVAILABLE_INFORMATION,
            hardware_version: LIBRARY_VERSION,
            firmware_version: LIBRARY_VERSION,
            utc_time: [b' '; 16],
        })
    }

    /// C_WaitForSlotEvent (5.5.4). Blocking is impossible in a single
    /// JavaScript thread, so only CKF_DONT_BLOCK is supported.
    pub fn wait_for_slot_event(&mut self, flags: CK_ULONG) -> CkResult<CK_ULONG> {
        self.check_init()?;
        if flags & CKF_DONT_BLOCK == 0 {
            return Err(CKR_FUNCTION_NOT_SUPPORTED);
        }
        if self.events.is_empty() {
            return Err(CKR_NO_EVENT);
        }
        Ok(self.events.remove(0))
    }

    /// C_GetMechanismList (5.5.5).
    pub fn get_mechanism_list(&self, slot_id: CK_ULONG) -> CkResult<Vec<CK_ULONG>> {
        self.slot(slot_id)?;
        Ok(registry().list())
    }

    /// C_GetMechanismInfo (5.5.6).
    pub fn get_mechanism_info(&self, slot_id: CK_ULONG, mechanism: CK_ULONG) -> CkResult<MechInfo> {
        self.slot(slot_id)?;
        registry().info(mechanism).ok_or(CKR_MECHANISM_INVALID)
    }

    fn check_pin_len(&self, slot_id: CK_ULONG, pin: &[u8]) -> CkResult<()> {
        let (n, limits) = (pin.len() as u32, self.limits(slot_id));
        if n < limits.min_pin_len || n > limits.max_pin_len {
            return Err(CKR_PIN_LEN_RANGE);
        }
        Ok(())
    }

    /// C_InitToken (5.5.7): (re)initializes the token in `slot_id`. On an
    /// initialized token the SO PIN must match; all objects are destroyed
    /// and the user PIN is cleared. When the last free slot is taken, a new
    /// uninitialized slot appears (as in SoftHSMv2).
    pub fn init_token(&mut self, slot_id: CK_ULONG, so_pin: &[u8], label: &[u8]) -> CkResult<()> {
        self.slot(slot_id)?;
        self.check_recognized(slot_id)?;
        if self.sessions.values().any(|s| s.slot_id == slot_id) {
            return Err(CKR_SESSION_EXISTS);
        }
        self.check_pin_len(slot_id, so_pin)?;
        let limits = self.limits(slot_id);
        let was_initialized = self.token_of(slot_id).is_initialized();
        if was_initialized {
            self.check_pin_counted(slot_id, CKU_SO, so_pin)?;
        }
        let master = pin::new_master_key()?;
        let mut id = [0u8; 16];
        id.copy_from_slice(&crate::mech::random_bytes(16)?);
        self.token_of_mut(slot_id).draw_serial()?;
        let so_blob = pin::wrap(&master, so_pin, limits.kdf_iterations, CKU_SO, &id)?;
        self.forget_unopened(slot_id); // the objects go
        self.end_login(slot_id);
        let token = self.token_of_mut(slot_id);
        token.id = id;
        token.so_pin = Some(so_blob);
        token.user_pin = None;
        token.label = padded(label);
        self.objects.retain(|_, e| e.slot_id != slot_id);
        self.store_of(slot_id).clear();
        // One transaction: the old objects go, the new token record comes.
        self.emit_clear(slot_id);
        self.save_token(slot_id, &master)?;
        self.reset_counters(slot_id, true);
        self.events.push(slot_id);
        if !was_initialized
            && self.config.slots.is_none()
            && self.slots.iter().all(|s| s.token.is_initialized())
        {
            self.add_free_slot(&Default::default());
        }
        Ok(())
    }

    /// C_InitPIN (5.5.8): only in the "R/W SO Functions" state.
    pub fn init_pin(&mut self, h: CK_ULONG, user_pin: &[u8]) -> CkResult<()> {
        let s = self.session(h)?;
        let (slot_id, rw) = (s.slot_id, s.rw);
        if self.token_of(slot_id).login != Some(CKU_SO) {
            return Err(CKR_USER_NOT_LOGGED_IN);
        }
        if !rw {
            return Err(CKR_SESSION_READ_ONLY);
        }
        self.check_pin_len(slot_id, user_pin)?;
        let iterations = self.limits(slot_id).kdf_iterations;
        let token = self.token_of_mut(slot_id);
        let master = token.master_key.clone().ok_or(CKR_GENERAL_ERROR)?;
        token.user_pin = Some(pin::wrap(
            &master, user_pin, iterations, CKU_USER, &token.id,
        )?);
        self.save_token(slot_id, &master)?;
        self.reset_counters(slot_id, false);
        Ok(())
    }

    /// C_SetPIN (5.5.9): changes the SO PIN in "R/W SO Functions", else
    /// the user PIN ("R/W Public" or "R/W User Functions"). Only the
    /// master key is re-wrapped.
    pub fn set_pin(&mut self, h: CK_ULONG, old_pin: &[u8], new_pin: &[u8]) -> CkResult<()> {
        let s = self.session(h)?;
        let (slot_id, rw) = (s.slot_id, s.rw);
        if !rw {
            return Err(CKR_SESSION_READ_ONLY);
        }
        let user = if self.token_of(slot_id).login == Some(CKU_SO) {
            CKU_SO
        } else {
            CKU_USER
        };
        let iterations = self.limits(slot_id).kdf_iterations;
        let master = self.check_pin_counted(slot_id, user, old_pin)?;
        self.check_pin_len(slot_id, new_pin)?;
        self.verify_token_record(slot_id, &master)?;
        let blob = pin::wrap(
            &master,
            new_pin,
            iterations,
            user,
            &self.token_of(slot_id).id,
        )?;
        let token = self.token_of_mut(slot_id);
        match user {
            CKU_SO => token.so_pin = Some(blob),
            _ => token.user_pin = Some(blob),
        }
        self.save_token(slot_id, &master)?;
        Ok(())
    }
}
