//! A token: its identity, PIN blobs, lockout counters and login state
//! (PKCS#11 3.1 sections 2.4-2.6 and 5.5-5.6). Objects live in the module's
//! object table, keyed by slot.
use zeroize::Zeroizing;

use crate::CK_ULONG;
use crate::constants::*;
use crate::rv::CkResult;

pub mod pin;
mod pin_kdf;
use pin::{MasterKey, PinBlob};

/// Failed-attempt state of one PIN; the limit comes from the config.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PinCounter {
    pub failures: u32,
}

#[derive(Debug)]
pub struct Token {
    /// CK_TOKEN_INFO.label, blank padded to 32 bytes.
    pub label: [u8; 32],
    /// CK_TOKEN_INFO.serialNumber, blank padded to 16 bytes.
    pub serial: [u8; 16],
    /// Random identity chosen at C_InitToken; binds stored records to this
    /// token (associated data of every sealed object).
    pub id: [u8; 16],
    pub so_pin: Option<PinBlob>,
    pub user_pin: Option<PinBlob>,
    pub so_counter: PinCounter,
    pub user_counter: PinCounter,
    /// Who is logged in (CKU_SO or CKU_USER), for this application.
    pub login: Option<CK_ULONG>,
    /// The unwrapped master key while someone is logged in.
    pub master_key: Option<MasterKey>,
}

/// Blank-pads (or cuts) `text` to `N` bytes, as CK_UTF8CHAR fields are.
pub fn padded<const N: usize>(text: &[u8]) -> [u8; N] {
    let mut out = [b' '; N];
    let n = text.len().min(N);
    out[..n].copy_from_slice(&text[..n]);
    out
}

impl Token {
    /// A token not initialized yet: blank label and serial (C_InitToken
    /// draws the serial, `draw_serial`).
    pub fn new_uninitialized() -> Self {
        Token {
            label: [b' '; 32],
            serial: [b' '; 16],
            id: [0; 16],
            so_pin: None,
            user_pin: None,
            so_counter: PinCounter::default(),
            user_counter: PinCounter::default(),
            login: None,
            master_key: None,
        }
    }

    /// Gives the token a random serial (16 hex digits) unless it has one: a
    /// token keeps its serial when it is initialized again.
    pub fn draw_serial(&mut self) -> CkResult<()> {
        if self.serial == [b' '; 16] {
            let r = crate::mech::random_bytes(8)?;
            let n = r.iter().fold(0u64, |a, x| a << 8 | *x as u64);
            self.serial = padded(format!("{n:016x}").as_bytes());
        }
        Ok(())
    }

    pub fn is_initialized(&self) -> bool {
        self.so_pin.is_some()
    }

    pub fn logout(&mut self) {
        self.login = None;
        self.master_key = None; // Zeroizing wipes it
    }

    /// Checks `pin` for `user` (CKU_SO / CKU_USER), counting failures:
    /// CKR_PIN_INCORRECT for every wrong PIN, and CKR_PIN_LOCKED for any
    /// PIN once `max_tries` wrong ones have been counted.
    pub fn check_pin(&mut self, user: CK_ULONG, pin: &[u8], max_tries: u32) -> CkResult<MasterKey> {
        let token_id = self.id;
        let (blob, counter) = match user {
            CKU_SO => (self.so_pin.as_ref(), &mut self.so_counter),
            _ => (self.user_pin.as_ref(), &mut self.user_counter),
        };
        let blob = blob.ok_or(CKR_USER_PIN_NOT_INITIALIZED)?;
        if max_tries > 0 && counter.failures >= max_tries {
            return Err(CKR_PIN_LOCKED);
        }
        match pin::unwrap(blob, pin, user, &token_id) {
            Ok(key) => {
                counter.failures = 0;
                Ok(key)
            }
            Err(e) => {
                // The attempt that locks is still a wrong PIN: it answers
                // CKR_PIN_INCORRECT; CKR_PIN_LOCKED comes from then on.
                counter.failures = counter.failures.saturating_add(1);
                Err(e)
            }
        }
    }

    /// CKF_* flags of CK_TOKEN_INFO for this token.
    pub fn flags(&self, max_tries: u32) -> CK_ULONG {
        let mut f = CKF_RNG | CKF_LOGIN_REQUIRED | CKF_RESTORE_KEY_NOT_NEEDED;
        if self.is_initialized() {
            f |= CKF_TOKEN_INITIALIZED;
        }
        if self.user_pin.is_some() {
            f |= CKF_USER_PIN_INITIALIZED;
        }
        let counter_flags = |c: &PinCounter, low, last, locked| {
            if max_tries == 0 || c.failures == 0 {
                0
            } else if c.failures >= max_tries {
                locked
            } else if c.failures + 1 == max_tries {
                low | last
            } else {
                low
            }
        };
        f |= counter_flags(
            &self.so_counter,
            CKF_SO_PIN_COUNT_LOW,
            CKF_SO_PIN_FINAL_TRY,
            CKF_SO_PIN_LOCKED,
        );
        f |= counter_flags(
            &self.user_counter,
            CKF_USER_PIN_COUNT_LOW,
            CKF_USER_PIN_FINAL_TRY,
            CKF_USER_PIN_LOCKED,
        );
        f
    }
}

/// A PIN as given by the caller, wiped when dropped.
pub type Pin = Zeroizing<Vec<u8>>;
