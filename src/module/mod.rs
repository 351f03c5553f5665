//! The Cryptoki module: slots, tokens, sessions and objects, and the C_*
//! functions of PKCS#11 3.1 section 5, one file per chapter:
//! `general` (5.4), `slot_token` (5.5), `sessions` (5.6), `objects` (5.7),
//! `crypto` (5.8-5.13), `keys` (5.14), `random` (5.15).
use std::collections::BTreeMap;

use crate::CK_ULONG;
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;
use crate::session::Session;
use crate::token::Token;

pub mod config;
mod crypto;
mod general;
pub mod info;
mod kem;
mod keys;
mod objects;
pub use objects::{AttrResult, attribute_result_rv};
mod random;
mod rekey;
mod sessions;
mod slot_token;
mod storage;
mod storage_load;
mod tombstones;
mod unique_id;
mod unopened;
pub use storage_load::Change;
// PKCS#11 3.x functions: message-based (5.9, 5.11, 5.14, 5.16), session
// (5.6.5-5.6.7, 5.6.9) and C_VerifySignature* (3.2).
mod message;
pub use message::MsgOutput;
mod session_ext;
pub use session_ext::ExtOps;
mod verify_signature;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_3x;
#[cfg(test)]
mod tests_protect;
#[cfg(test)]
mod tests_storage;
#[cfg(test)]
mod tests_store_attacks;
#[cfg(test)]
mod tests_tombstones;
#[cfg(test)]
mod tests_unopened;

/// Module configuration (PKCS#11 leaves these token-specific). Read from
/// the facade's JSON-shaped values and checked by `config::RawConfig`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "config::RawConfig")]
pub struct Config {
    /// PBKDF2-HMAC-SHA256 iterations for new PIN blobs; 0: each token's
    /// storage decides (see `config`: 600,000 if stored, else 1,000).
    pub kdf_iterations: u32,
    pub min_pin_len: u32,
    pub max_pin_len: u32,
    /// Wrong PINs before a PIN locks; 0 disables lockout.
    pub max_pin_tries: u32,
    /// Later writes to a stored token after which a destroyed object's
    /// tombstone is deleted (`tombstones`; 0 is safe too: the newest
    /// record is never deleted, so readers' clocks stay past what was).
    pub tombstone_writes: u32,
    /// Configured slots, one token each. Without it: one slot with an
    /// in-memory token, and a new free slot whenever the last free one
    /// is initialized (as SoftHSMv2 does).
    pub slots: Option<Vec<SlotConfig>>,
}

/// One configured slot: per-token overrides of the module's limits. The
/// facade interprets the storage location and strips it; `persistent`
/// says whether the token's changes are written anywhere.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlotConfig {
    pub persistent: bool,
    pub kdf_iterations: Option<u32>,
    pub min_pin_len: Option<u32>,
    pub max_pin_len: Option<u32>,
    pub max_pin_tries: Option<u32>,
    pub tombstone_writes: Option<u32>,
}

/// The PIN rules and storage settings of one token: the module's,
/// overridden per slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub kdf_iterations: u32,
    pub min_pin_len: u32,
    pub max_pin_len: u32,
    pub max_pin_tries: u32,
    pub tombstone_writes: u32,
}

/// How many later writes a tombstone outlives by default: a replica or an
/// instance that falls further behind resyncs from the others' records.
pub const DEFAULT_TOMBSTONE_WRITES: u32 = 10_000;

impl Default for Config {
    fn default() -> Self {
        Config {
            kdf_iterations: 0,
            min_pin_len: 4,
            max_pin_len: 255,
            max_pin_tries: 10,
            tombstone_writes: DEFAULT_TOMBSTONE_WRITES,
            slots: None,
        }
    }
}

pub struct Slot {
    pub id: CK_ULONG,
    pub token: Token,
    pub limits: Limits,
    /// Whether changes are emitted as storage writes.
    pub persistent: bool,
    /// Why the stored token was refused (a newer format, a damaged token
    /// record); token functions then answer CKR_TOKEN_NOT_RECOGNIZED.
    pub refused: Option<String>,
    /// What the module keeps of the token's storage (`storage`).
    pub store: storage::SlotStore,
}

/// An object and who owns it: its slot, and for session objects the
/// session whose closing destroys it.
pub struct Entry {
    pub slot_id: CK_ULONG,
    pub session: Option<CK_ULONG>,
    pub object: Object,
}

/// The whole library state. Every C_* function is a method returning
/// `CkResult`; none panics on caller input.
pub struct Module {
    pub config: Config,
    initialized: bool,
    slots: Vec<Slot>,
    sessions: BTreeMap<CK_ULONG, Session>,
    objects: BTreeMap<CK_ULONG, Entry>,
    /// Handles of sealed token objects not opened yet (`unopened`).
    unopened: BTreeMap<CK_ULONG, Entry>,
    /// Source of session and object handles: never reused while the
    /// module lives (PKCS#11 3.1 section 2.5.x "handles").
    next_handle: CK_ULONG,
    /// Slots whose state changed, for C_WaitForSlotEvent.
    events: Vec<CK_ULONG>,
    /// Storage writes not yet taken by the facade (`storage`).
    pending: Vec<(CK_ULONG, crate::store::StoreOp)>,
    storage_events: Vec<crate::store::StorageEvent>,
    /// Message-based AES-GCM IV counters, shared by every session (see
    /// `mech::message::IvCounters`).
    iv_counters: crate::mech::message::IvCounters,
}

impl Default for Module {
    fn default() -> Self {
        Module::new(Config::default())
    }
}

impl Module {
    /// A module with one slot holding an uninitialized token.
    pub fn new(config: Config) -> Self {
        let mut m = Module {
            config,
            initialized: false,
            slots: Vec::new(),
            sessions: BTreeMap::new(),
            objects: BTreeMap::new(),
            unopened: BTreeMap::new(),
            next_handle: 1,
            events: Vec::new(),
            pending: Vec::new(),
            storage_events: Vec::new(),
            iv_counters: Default::default(),
        };
        match m.config.slots.clone() {
            Some(slots) => {
                for c in slots {
                    m.add_free_slot(&c);
                }
            }
            None => m.add_free_slot(&SlotConfig::default()),
        }
        m
    }

    /// Replaces the configuration (C_Initialize's libraryParameters): the
    /// PIN rules of existing slots follow; the slot list does not change.
    pub fn reconfigure(&mut self, config: Config) {
        self.config = config;
        let configured = self.config.slots.clone().unwrap_or_default();
        for i in 0..self.slots.len() {
            let c = configured.get(i).cloned().unwrap_or_default();
            self.slots[i].limits = self.limits_for(&c);
        }
    }

    fn limits_for(&self, c: &SlotConfig) -> Limits {
        let g = &self.config;
        Limits {
            kdf_iterations: config::iterations(g, c),
            min_pin_len: c.min_pin_len.unwrap_or(g.min_pin_len),
            max_pin_len: c.max_pin_len.unwrap_or(g.max_pin_len),
            max_pin_tries: c.max_pin_tries.unwrap_or(g.max_pin_tries),
            tombstone_writes: c.tombstone_writes.unwrap_or(g.tombstone_writes),
        }
    }

    /// Adds a slot holding an uninitialized token.
    fn add_free_slot(&mut self, c: &SlotConfig) {
        let limits = self.limits_for(c);
        let id = self.slots.len() as CK_ULONG;
        // No serial until C_InitToken draws one: no random draw when the
        // module is made (in Node, the first one loads Web Crypto, several
        // ms of every start-up, and a stored token brings its own serial).
        self.slots.push(Slot {
            id,
            token: Token::new_uninitialized(),
            limits,
            persistent: c.persistent,
            refused: None,
            store: Default::default(),
        });
    }

    fn slot_index(&self, slot_id: CK_ULONG) -> Option<usize> {
        self.slots.iter().position(|s| s.id == slot_id)
    }

    /// The PIN rules of the token in `slot_id`.
    fn limits(&self, slot_id: CK_ULONG) -> Limits {
        let i = self.slot_index(slot_id).unwrap_or(0);
        self.slots.get(i).map(|s| s.limits).unwrap_or(Limits {
            kdf_iterations: config::iterations(&self.config, &SlotConfig::default()),
            min_pin_len: self.config.min_pin_len,
            max_pin_len: self.config.max_pin_len,
            max_pin_tries: self.config.max_pin_tries,
            tombstone_writes: self.config.tombstone_writes,
        })
    }

    /// CKR_TOKEN_NOT_RECOGNIZED for a slot whose stored token was refused.
    fn check_recognized(&self, slot_id: CK_ULONG) -> CkResult<()> {
        match self
            .slot_index(slot_id)
            .map(|i| self.slots[i].refused.is_some())
        {
            Some(true) => Err(CKR_TOKEN_NOT_RECOGNIZED),
            _ => Ok(()),
        }
    }

    fn new_handle(&mut self) -> CK_ULONG {
        let h = self.next_handle;
        self.next_handle += 1;
        h
    }

    fn check_init(&self) -> CkResult<()> {
        if self.initialized {
            Ok(())
        } else {
            Err(CKR_CRYPTOKI_NOT_INITIALIZED)
        }
    }

    fn slot(&self, slot_id: CK_ULONG) -> CkResult<&Slot> {
        self.check_init()?;
        self.slots
            .iter()
            .find(|s| s.id == slot_id)
            .ok_or(CKR_SLOT_ID_INVALID)
    }

    fn token_of(&self, slot_id: CK_ULONG) -> &Token {
        // Sessions only exist on existing slots; slots are never removed.
        &self.slots[self.slots.iter().position(|s| s.id == slot_id).unwrap_or(0)].token
    }

    fn token_of_mut(&mut self, slot_id: CK_ULONG) -> &mut Token {
        let i = self.slots.iter().position(|s| s.id == slot_id).unwrap_or(0);
        &mut self.slots[i].token
    }

    fn session(&self, h: CK_ULONG) -> CkResult<&Session> {
        self.check_init()?;
        self.sessions.get(&h).ok_or(CKR_SESSION_HANDLE_INVALID)
    }

    fn session_mut(&mut self, h: CK_ULONG) -> CkResult<&mut Session> {
        self.check_init()?;
        self.sessions.get_mut(&h).ok_or(CKR_SESSION_HANDLE_INVALID)
    }

    /// Who is logged in on the token of session `h`.
    fn login_of(&self, h: CK_ULONG) -> CkResult<Option<CK_ULONG>> {
        let s = self.session(h)?;
        Ok(self.token_of(s.slot_id).login)
    }

    /// The object `obj` as seen from session `h`: it must be on the same
    /// token, and private objects need a USER login (PKCS#11 3.1 section
    /// 4.4: private objects are visible only to the normal user). `missing`
    /// is the code for a bad handle: CKR_OBJECT_HANDLE_INVALID, or
    /// CKR_KEY_HANDLE_INVALID etc. where the spec names the handle a key.
    fn object(&self, h: CK_ULONG, obj: CK_ULONG, missing: CK_ULONG) -> CkResult<&Object> {
        let s = self.session(h)?;
        let e = self
            .objects
            .get(&obj)
            .filter(|e| e.slot_id == s.slot_id)
            .ok_or(missing)?;
        if e.object.is_private() && self.token_of(s.slot_id).login != Some(CKU_USER) {
            return Err(CKR_USER_NOT_LOGGED_IN);
        }
        Ok(&e.object)
    }

    /// May session `h` create or change an object with these properties?
    /// Token objects need a R/W session; private objects a USER login. On a
    /// persistent token, every token object write needs a login (USER or
    /// SO): its record is signed with a key derived from the master key, so
    /// that a record nobody signed is never trusted (README, security model).
    fn check_write(&self, h: CK_ULONG, token: bool, private: bool) -> CkResult<()> {
        let s = self.session(h)?;
        if token && !s.rw {
            return Err(CKR_SESSION_READ_ONLY);
        }
        let login = self.token_of(s.slot_id).login;
        if private && login != Some(CKU_USER) {
            return Err(CKR_USER_NOT_LOGGED_IN);
        }
        if token && login.is_none() && self.is_persistent(s.slot_id) {
            return Err(CKR_USER_NOT_LOGGED_IN);
        }
        Ok(())
    }

    /// Stores a new object for session `h` and returns its handle.
    fn insert_object(&mut self, h: CK_ULONG, mut object: Object) -> CkResult<CK_ULONG> {
        let slot_id = self.session(h)?.slot_id;
        object.attrs.insert(
            CKA_UNIQUE_ID,
            zeroize::Zeroizing::new(unique_id::unique_id()?),
        );
        let session = if object.is_token() { None } else { Some(h) };
        if session.is_some()
            && let Some(s) = self.sessions.get_mut(&h)
        {
            s.made_objects = true;
        }
        let handle = self.new_handle();
        self.objects.insert(
            handle,
            Entry {
                slot_id,
                session,
                object,
            },
        );
        if let Err(e) = self.save_object(handle) {
            self.objects.remove(&handle);
            return Err(e);
        }
        Ok(handle)
    }

    /// Ends every operation of every session on `slot_id` (logout, token init).
    fn cancel_operations(&mut self, slot_id: CK_ULONG) {
        for s in self.sessions.values_mut().filter(|s| s.slot_id == slot_id) {
            s.ops = Default::default();
        }
    }
}
