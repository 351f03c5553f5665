//! Sealed token objects not opened yet. A USER login gives every sealed
//! record a handle without decrypting it; the record is opened (its
//! AES-GCM tag checked, its attributes decoded) at the first call that
//! needs that object, at the first search with a non-empty template, or
//! at the end of the login (issue 15 item 2; SoftHSM also decrypts on
//! access). PKCS#11 3.1 leaves when a token decrypts its objects to the
//! token.
//!
//! Why: a login on a token of 1,000 private objects spent ~25 ms opening
//! records nobody had asked for, and key material not asked for stays
//! encrypted in memory.
//!
//! An unopened handle lives in `Module::unopened`, never in `objects`
//! (an entry whose object holds only its CKA_UNIQUE_ID: the same type as
//! `objects`, so no second map's code in the module): code that reads
//! objects cannot see it, so a call that forgot to open
//! it would answer CKR_OBJECT_HANDLE_INVALID, never act on an object whose
//! record nobody has checked. A record that fails to open is dropped and
//! reported ("tampered") at that first use, and its handle is invalid from
//! then on.
use zeroize::Zeroizing;

use super::storage::UidIndex;
use super::{Entry, Module};
use crate::CK_ULONG;
use crate::attr::policy::AttrMap;
use crate::constants::{CKA_UNIQUE_ID, CKU_USER};
use crate::object::Object;
use crate::store::protect::TokenKeys;

/// The unique id of an unopened entry (its record: `SlotStore::records`).
pub(super) fn uid_of(e: &Entry) -> &str {
    e.object
        .get(CKA_UNIQUE_ID)
        .and_then(|u| std::str::from_utf8(u).ok())
        .unwrap_or_default()
}

impl Module {
    /// Gives sealed record `uid` a handle without opening it (USER login).
    pub(super) fn defer_sealed(&mut self, slot_id: CK_ULONG, uid: &str, index: &mut UidIndex) {
        let std::collections::hash_map::Entry::Vacant(slot) = index.entry(uid.as_bytes().to_vec())
        else {
            return; // already there, opened or not
        };
        slot.insert(self.defer_new(slot_id, uid.to_string()));
    }

    /// Gives sealed record `uid` a new handle, unopened; the caller knows
    /// no object of the token has this unique id.
    pub(super) fn defer_new(&mut self, slot_id: CK_ULONG, uid: String) -> CK_ULONG {
        let h = self.new_handle();
        // One insert (the map's shared code), not a map built from an array
        // (which brings a sort of its own into this per-record function).
        let mut attrs = AttrMap::new();
        attrs.insert(CKA_UNIQUE_ID, Zeroizing::new(uid.into_bytes()));
        let entry = Entry {
            slot_id,
            session: None,
            object: Object::new(attrs),
        };
        self.unopened.insert(h, entry);
        h
    }

    /// Opens `obj` if it is an unopened object on the token of session
    /// `h` (a bad session or another token's handle: left for the caller's
    /// own checks to refuse). Never inlined: 21 calls take it, and inlined
    /// copies of the opening cost ~20 KiB of the core module.
    #[inline(never)]
    pub(super) fn open_for(&mut self, h: CK_ULONG, obj: CK_ULONG) {
        let Ok(slot_id) = self.session(h).map(|s| s.slot_id) else {
            return;
        };
        if self
            .unopened
            .get(&obj)
            .is_some_and(|u| u.slot_id == slot_id)
        {
            let keys = self.token_keys(slot_id);
            self.open_one(obj, keys.as_ref());
        }
    }

    /// Opens every unopened object on the token of session `h` (searches
    /// by attribute, and calls whose mechanism parameters name keys).
    #[inline(never)]
    pub(super) fn open_all_for(&mut self, h: CK_ULONG) {
        if let Ok(slot_id) = self.session(h).map(|s| s.slot_id) {
            self.open_all(slot_id);
        }
    }

    /// Opens every unopened object of `slot_id`.
    #[inline(never)]
    pub(super) fn open_all(&mut self, slot_id: CK_ULONG) {
        let handles: Vec<CK_ULONG> = self
            .unopened
            .iter()
            .filter(|(_, u)| u.slot_id == slot_id)
            .map(|(h, _)| *h)
            .collect();
        if handles.is_empty() {
            return;
        }
        let keys = self.token_keys(slot_id);
        for h in handles {
            self.open_one(h, keys.as_ref());
        }
    }

    /// Forgets the unopened objects of `slot_id` (its objects are being
    /// dropped: C_Finalize, C_InitToken, a reset token).
    pub(super) fn forget_unopened(&mut self, slot_id: CK_ULONG) {
        self.unopened.retain(|_, u| u.slot_id != slot_id);
    }

    /// Opens unopened handle `h` into `objects` under the same handle; a
    /// record that fails is dropped and reported by `load_sealed`.
    fn open_one(&mut self, h: CK_ULONG, keys: Option<&TokenKeys>) {
        let Some(u) = self.unopened.remove(&h) else {
            return;
        };
        let (slot_id, uid) = (u.slot_id, uid_of(&u));
        let record = self.store_of(slot_id).records.get(uid).cloned();
        let (Some(record), Some(keys)) = (record, keys) else {
            return; // no record any more, or nobody logged in: nothing to show
        };
        let mut index = UidIndex::from([(uid.as_bytes().to_vec(), h)]);
        self.load_sealed(slot_id, uid, &record, keys, CKU_USER, &mut index);
    }
}
