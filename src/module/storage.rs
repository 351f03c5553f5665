//! The module's side of token storage (see `crate::store`): it records
//! every change to a persistent token as ordered write operations, keeps
//! the stored form of each token object, locks private objects away at
//! logout (only their ciphertext stays in memory) and decrypts them at
//! USER login, and applies records loaded from storage or written by
//! another instance of the library on the same token.
use std::collections::HashMap;

use super::{Entry, Module};
use crate::CK_ULONG;
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;
use crate::store::format::{self, FormatError, TokenRecord};
use crate::store::{self, StorageEvent, StoreOp, Transaction, protect};
use crate::token::pin::MasterKey;
use crate::token::{PinCounter, Token};

impl Module {
    /// The writes made since the last call, one transaction per slot in
    /// the order of their first write. The JS facade takes them after every
    /// mutating call, so a transaction is one call's writes.
    pub fn take_transactions(&mut self) -> Vec<Transaction> {
        let mut out: Vec<Transaction> = Vec::new();
        for (slot_id, op) in self.pending.drain(..) {
            match out.iter_mut().find(|t| t.slot_id == slot_id) {
                Some(t) => t.ops.push(op),
                None => out.push(Transaction {
                    slot_id,
                    ops: vec![op],
                }),
            }
        }
        out
    }

    pub fn take_storage_events(&mut self) -> Vec<StorageEvent> {
        std::mem::take(&mut self.storage_events)
    }

    /// Whether writes or storage events wait to be taken.
    pub fn has_storage_work(&self) -> bool {
        !self.pending.is_empty() || !self.storage_events.is_empty()
    }

    fn emit(&mut self, slot_id: CK_ULONG, op: StoreOp) {
        if self
            .slot_index(slot_id)
            .is_some_and(|i| self.slots[i].persistent)
        {
            self.pending.push((slot_id, op));
        }
    }

    pub(super) fn emit_clear(&mut self, slot_id: CK_ULONG) {
        self.emit(slot_id, StoreOp::Clear);
    }

    fn report(&mut self, slot_id: CK_ULONG, kind: &'static str, key: &str, message: String) {
        self.storage_events.push(StorageEvent {
            slot_id,
            kind,
            key: key.to_string(),
            message,
        });
    }

    /// Writes the token record (identity, label, PIN blobs).
    pub(super) fn save_token(&mut self, slot_id: CK_ULONG) {
        let t = self.token_of(slot_id);
        let record = format::encode_token(&TokenRecord {
            token_id: t.id,
            label: t.label,
            serial: t.serial,
            so_pin: t.so_pin.clone(),
            user_pin: t.user_pin.clone(),
        });
        self.emit(
            slot_id,
            StoreOp::Put {
                key: store::KEY_META.into(),
                value: record,
            },
        );
    }

    pub(super) fn save_counters(&mut self, slot_id: CK_ULONG) {
        let t = self.token_of(slot_id);
        let value = format::encode_counters(t.so_counter.failures, t.user_counter.failures);
        let key = store::KEY_COUNTERS.into();
        self.emit(slot_id, StoreOp::Put { key, value });
    }

    /// Checks a PIN (counting failures, see `Token::check_pin`) and stores
    /// the counters when they changed, whatever the outcome.
    pub(super) fn check_pin_counted(
        &mut self,
        slot_id: CK_ULONG,
        user: CK_ULONG,
        pin: &[u8],
    ) -> CkResult<MasterKey> {
        let tries = self.limits(slot_id).max_pin_tries;
        let token = self.token_of_mut(slot_id);
        let before = (token.so_counter, token.user_counter);
        let result = token.check_pin(user, pin, tries);
        if before != (token.so_counter, token.user_counter) {
            self.save_counters(slot_id);
        }
        result
    }

    /// Stores token object `handle` (a no-op for session objects): in clear
    /// if public, sealed under the master key if private.
    pub(super) fn save_object(&mut self, handle: CK_ULONG) -> CkResult<()> {
        let Some(e) = self.objects.get(&handle) else {
            return Ok(());
        };
        if !e.object.is_token() {
            return Ok(());
        }
        let slot_id = e.slot_id;
        let uid = unique_id(&e.object);
        let token = self.token_of(slot_id);
        let record = if e.object.is_private() {
            let master = token.master_key.as_ref().ok_or(CKR_USER_NOT_LOGGED_IN)?;
            protect::seal(master, &token.id, &uid, &e.object.attrs)?
        } else {
            format::encode_public(&uid, &e.object.attrs)
        };
        if let Some(i) = self.slot_index(slot_id) {
            self.slots[i].records.insert(uid.clone(), record.clone());
        }
        let key = store::object_key(&uid);
        self.emit(slot_id, StoreOp::Put { key, value: record });
        Ok(())
    }

    /// Removes token object `handle`'s record (before it is destroyed).
    pub(super) fn forget_object(&mut self, handle: CK_ULONG) {
        let Some(e) = self.objects.get(&handle) else {
            return;
        };
        if !e.object.is_token() {
            return;
        }
        let (slot_id, uid) = (e.slot_id, unique_id(&e.object));
        if let Some(i) = self.slot_index(slot_id) {
            self.slots[i].records.remove(&uid);
        }
        let key = store::object_key(&uid);
        self.emit(slot_id, StoreOp::Delete { key });
    }

    /// Ends the login on `slot_id`: the master key is wiped, operations
    /// end, private session objects are destroyed, and private token
    /// objects leave memory (their attribute values are wiped on drop; the
    /// sealed records stay). A later USER login decrypts them again under
    /// new handles, so old handles stay invalid (5.6.10).
    pub(super) fn end_login(&mut self, slot_id: CK_ULONG) {
        self.token_of_mut(slot_id).logout();
        self.cancel_operations(slot_id);
        self.objects
            .retain(|_, e| !(e.slot_id == slot_id && e.object.is_private()));
    }

    /// Decrypts the private token objects of `slot_id` after a USER login.
    pub(super) fn unlock_private(&mut self, slot_id: CK_ULONG) {
        let Some(i) = self.slot_index(slot_id) else {
            return;
        };
        let sealed: Vec<(String, Vec<u8>)> = self.slots[i]
            .records
            .iter()
            .filter(|(_, r)| r.get(5) == Some(&format::KIND_PRIVATE))
            .map(|(u, r)| (u.clone(), r.clone()))
            .collect();
        let mut index = self.uid_index(slot_id);
        let Some(key) = self.token_key(slot_id) else {
            return;
        };
        for (uid, record) in sealed {
            self.load_private(slot_id, &uid, &record, &key, &mut index);
        }
    }

    /// Handles of the token objects of `slot_id` by unique id: built once
    /// per batch of loaded records instead of a scan per record.
    fn uid_index(&self, slot_id: CK_ULONG) -> UidIndex {
        self.objects
            .iter()
            .filter(|(_, e)| e.slot_id == slot_id && e.session.is_none())
            .filter_map(|(h, e)| e.object.get(CKA_UNIQUE_ID).map(|u| (u.to_vec(), *h)))
            .collect()
    }

    /// The sealing key material of the logged-in token in `slot_id`.
    fn token_key(&self, slot_id: CK_ULONG) -> Option<protect::TokenKey> {
        let token = self.token_of(slot_id);
        protect::TokenKey::new(token.master_key.as_ref()?, &token.id)
    }

    /// Opens one sealed record and puts the object in place (replacing the
    /// object with the same unique id, if any). Failures are reported.
    fn load_private(
        &mut self,
        slot_id: CK_ULONG,
        uid: &str,
        record: &[u8],
        key: &protect::TokenKey,
        index: &mut UidIndex,
    ) {
        match protect::open_with(key, record) {
            Ok((found, attrs)) if found == uid => {
                self.put_loaded(slot_id, uid, Object::new(attrs), index);
            }
            _ => self.report(
                slot_id,
                "tampered",
                &store::object_key(uid),
                format!(
                    "private object {uid} failed its integrity check (wrong token, edited or corrupted record); it was not loaded"
                ),
            ),
        }
    }

    /// Puts a loaded token object in the table: same handle if an object
    /// with this unique id is already there, else a new one.
    fn put_loaded(&mut self, slot_id: CK_ULONG, uid: &str, object: Object, index: &mut UidIndex) {
        if let Some(e) = index
            .get(uid.as_bytes())
            .and_then(|h| self.objects.get_mut(h))
        {
            e.object = object;
            return;
        }
        let h = self.new_handle();
        self.objects.insert(
            h,
            Entry {
                slot_id,
                session: None,
                object,
            },
        );
        index.insert(uid.as_bytes().to_vec(), h);
    }

    fn drop_loaded(&mut self, uid: &str, index: &mut UidIndex) {
        if let Some(h) = index.remove(uid.as_bytes()) {
            self.objects.remove(&h);
        }
    }

    /// Forgets everything about the token in `slot_id` (it was
    /// re-initialized or deleted elsewhere, or is being deleted): its
    /// sessions are closed and its token objects dropped.
    fn reset_slot(&mut self, slot_id: CK_ULONG) {
        self.sessions.retain(|_, s| s.slot_id != slot_id);
        self.objects.retain(|_, e| e.slot_id != slot_id);
        if let Some(i) = self.slot_index(slot_id) {
            let serial = self.slots[i].token.serial;
            self.slots[i].token = Token::new_uninitialized(0);
            self.slots[i].token.serial = serial;
            self.slots[i].records.clear();
        }
        self.events.push(slot_id);
    }

    /// Marks a persistent slot as storing token data (the facade calls it
    /// for every slot whose storage is not plain memory).
    pub fn set_persistent(&mut self, slot_id: CK_ULONG) -> CkResult<()> {
        let i = self.slot_index(slot_id).ok_or(CKR_SLOT_ID_INVALID)?;
        self.slots[i].persistent = true;
        Ok(())
    }

    /// Deletes the token in `slot_id` and all its storage; the slot then
    /// holds an uninitialized token. Refused while sessions are open. This
    /// is also the way out for a token whose SO PIN is locked or whose
    /// storage was refused.
    pub fn delete_token(&mut self, slot_id: CK_ULONG) -> CkResult<()> {
        let i = self.slot_index(slot_id).ok_or(CKR_SLOT_ID_INVALID)?;
        if self.sessions.values().any(|s| s.slot_id == slot_id) {
            return Err(CKR_SESSION_EXISTS);
        }
        self.reset_slot(slot_id);
        self.slots[i].refused = None;
        self.emit(slot_id, StoreOp::Clear);
        Ok(())
    }

    /// Applies records read from storage (at start-up, or written by
    /// another instance): `None` means the record is gone. Records that
    /// equal what this instance holds are skipped. A record of a newer
    /// format refuses the whole token (nothing is written to it after);
    /// damaged records are reported and skipped.
    pub fn storage_apply(
        &mut self,
        slot_id: CK_ULONG,
        changes: Vec<(String, Option<Vec<u8>>)>,
    ) -> CkResult<()> {
        let i = self.slot_index(slot_id).ok_or(CKR_SLOT_ID_INVALID)?;
        if self.slots[i].refused.is_some() {
            return Ok(());
        }
        for (key, value) in &changes {
            if let Some(Err(FormatError::NewerVersion(v))) = value.as_deref().map(format::header) {
                let message = format!(
                    "token storage record '{key}' has format version {v}, newer than this library's {}; the token was not opened and nothing in its storage was changed",
                    format::VERSION
                );
                self.reset_slot(slot_id);
                self.slots[i].refused = Some(message.clone());
                self.report(slot_id, "refused", key, message);
                return Ok(());
            }
        }
        let rank = |k: &str| match k {
            store::KEY_META => 0,
            store::KEY_COUNTERS => 1,
            _ => 2,
        };
        let mut changes = changes;
        changes.sort_by_key(|(k, _)| rank(k));
        let mut index = None;
        for (key, value) in changes {
            match key.as_str() {
                store::KEY_META => self.apply_token(slot_id, value.as_deref()),
                store::KEY_COUNTERS => self.apply_counters(slot_id, value.as_deref()),
                k => {
                    if let Some(uid) = k.strip_prefix(store::OBJECT_PREFIX) {
                        // After the token record: it may have reset the slot.
                        let index = index.get_or_insert_with(|| self.uid_index(slot_id));
                        self.apply_object(slot_id, uid, value, index);
                    }
                }
            }
        }
        Ok(())
    }

    fn apply_token(&mut self, slot_id: CK_ULONG, value: Option<&[u8]>) {
        let Some(record) = value else {
            if self.token_of(slot_id).is_initialized() {
                self.reset_slot(slot_id);
            }
            return;
        };
        let t = match format::decode_token(record) {
            Ok(t) => t,
            Err(_) => {
                let message =
                    "the token record failed its integrity check; the token was not opened"
                        .to_string();
                self.reset_slot(slot_id);
                if let Some(i) = self.slot_index(slot_id) {
                    self.slots[i].refused = Some(message.clone());
                }
                return self.report(slot_id, "tampered", store::KEY_META, message);
            }
        };
        let token = self.token_of(slot_id);
        if token.is_initialized() && token.id != t.token_id {
            // Re-initialized by another instance: a different token now.
            self.reset_slot(slot_id);
        }
        let token = self.token_of_mut(slot_id);
        token.id = t.token_id;
        token.label = t.label;
        token.serial = t.serial;
        token.so_pin = t.so_pin;
        token.user_pin = t.user_pin;
    }

    fn apply_counters(&mut self, slot_id: CK_ULONG, value: Option<&[u8]>) {
        let Some(record) = value else { return };
        match format::decode_counters(record) {
            Ok((so, user)) => {
                let token = self.token_of_mut(slot_id);
                token.so_counter = PinCounter { failures: so };
                token.user_counter = PinCounter { failures: user };
            }
            Err(_) => self.report(
                slot_id,
                "tampered",
                store::KEY_COUNTERS,
                "the PIN counter record failed its integrity check; counters kept as they were"
                    .into(),
            ),
        }
    }

    fn apply_object(
        &mut self,
        slot_id: CK_ULONG,
        uid: &str,
        value: Option<Vec<u8>>,
        index: &mut UidIndex,
    ) {
        let Some(i) = self.slot_index(slot_id) else {
            return;
        };
        let Some(record) = value else {
            self.slots[i].records.remove(uid);
            return self.drop_loaded(uid, index);
        };
        if self.slots[i].records.get(uid) == Some(&record) {
            return;
        }
        let key = store::object_key(uid);
        if !self.token_of(slot_id).is_initialized() {
            return self.report(
                slot_id,
                "orphan",
                &key,
                format!("object {uid} is stored without a token record; ignored"),
            );
        }
        match format::header(&record) {
            Ok((format::KIND_PRIVATE, _)) => {
                self.slots[i]
                    .records
                    .insert(uid.to_string(), record.clone());
                // Visible only to a logged-in USER; else kept sealed.
                let key = self.token_key(slot_id);
                match key {
                    Some(key) if self.token_of(slot_id).login == Some(CKU_USER) => {
                        self.load_private(slot_id, uid, &record, &key, index)
                    }
                    _ => self.drop_loaded(uid, index),
                }
            }
            Ok((format::KIND_PUBLIC, _)) => match format::decode_public(&record) {
                Ok((found, attrs)) if found == uid => {
                    self.slots[i].records.insert(uid.to_string(), record);
                    self.put_loaded(slot_id, uid, Object::new(attrs), index);
                }
                _ => self.report_damaged_public(slot_id, uid),
            },
            _ => self.report_damaged_public(slot_id, uid),
        }
    }

    fn report_damaged_public(&mut self, slot_id: CK_ULONG, uid: &str) {
        self.report(
            slot_id,
            "tampered",
            &store::object_key(uid),
            format!("object {uid} failed its integrity check (corrupted or edited record); it was not loaded"),
        );
    }
}

type UidIndex = HashMap<Vec<u8>, CK_ULONG>;

/// CKA_UNIQUE_ID as text (every object gets one when created).
pub(super) fn unique_id(o: &Object) -> String {
    o.get(CKA_UNIQUE_ID)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .unwrap_or_default()
}
