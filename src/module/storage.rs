//! The module's side of token storage (see `crate::store`): it records
//! every change to a persistent token as ordered write operations, keeps
//! the stored form of each token object, locks private objects away at
//! logout (only their ciphertext stays in memory) and decrypts them at
//! USER login, checks at login what was loaded before it could be checked,
//! and rewrites records of an older format. Applying what storage holds is
//! `storage_load`.
use std::collections::{BTreeMap, HashMap, HashSet};

use super::Module;
use crate::CK_ULONG;
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;
use crate::store::format::{self, ObjectBody, TokenRecord};
use crate::store::protect::TokenKeys;
use crate::store::{self, StorageEvent, StoreOp, Transaction};
use crate::token::PinCounter;
use crate::token::pin::{self, MasterKey};

/// What the module keeps of one token's storage.
#[derive(Debug, Default)]
pub struct SlotStore {
    /// The token record as last loaded or written.
    pub meta: Option<Vec<u8>>,
    /// Whether `meta` was checked under the master key (or written here).
    pub meta_verified: bool,
    /// The stored form of each token object by unique id: sealed private
    /// objects (only these while no USER is logged in), public objects and
    /// tombstones of destroyed ones.
    pub records: BTreeMap<String, Vec<u8>>,
    /// Unique ids of public records and tombstones loaded without their MAC
    /// checked (nobody was logged in): checked at the next login.
    pub unverified: HashSet<String>,
    /// The highest record version seen per record key.
    pub versions: HashMap<String, u64>,
    /// The highest record version seen on this token (Lamport clock).
    pub clock: u64,
    /// Tombstones as (version, unique id) in the order written or read
    /// (oldest first but for a load's), until they are pruned
    /// (`tombstones`); entries a newer record replaced are skipped then.
    /// (A list, not an ordered set: a set's code would cost the core
    /// module ~3 KB of brotli.)
    pub tombstones: Vec<(u64, String)>,
    /// How many of `tombstones`, from the start, are pruned already.
    pub tombstones_done: usize,
    /// Records of format version 1 were loaded: the next login rewrites them.
    pub legacy: bool,
}

impl SlotStore {
    pub fn clear(&mut self) {
        *self = SlotStore::default();
    }

    /// The version for a new write of record `key`: above everything seen.
    pub(super) fn next_version(&mut self, key: &str) -> u64 {
        let known = self.versions.get(key).copied().unwrap_or(0);
        self.clock = self.clock.max(known) + 1;
        self.versions.insert(key.to_string(), self.clock);
        self.clock
    }

    /// Forgets record `uid`: its version, whether it awaits a check, and
    /// its bytes if `record` (one copy of this code for every caller).
    #[inline(never)]
    pub(super) fn forget(&mut self, uid: &str, record: bool) {
        if record {
            self.records.remove(uid);
        }
        self.versions.remove(uid);
        self.unverified.remove(uid);
    }

    /// Notes a version read from storage.
    pub(super) fn saw(&mut self, key: &str, version: u64) {
        self.clock = self.clock.max(version);
        let v = self.versions.entry(key.to_string()).or_insert(version);
        *v = (*v).max(version);
    }
}

/// Whether a stored record is a sealed (encrypted) object.
fn sealed(record: &[u8]) -> bool {
    record.get(5) == Some(&format::KIND_PRIVATE)
}

/// Classes whose objects hold a secret value: their records are never
/// written in clear, whatever CKA_PRIVATE says.
pub(super) fn holds_secret(o: &Object) -> bool {
    matches!(o.class(), CKO_SECRET_KEY | CKO_PRIVATE_KEY)
}

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

    pub(super) fn is_persistent(&self, slot_id: CK_ULONG) -> bool {
        self.slot_index(slot_id)
            .is_some_and(|i| self.slots[i].persistent)
    }

    pub(super) fn emit(&mut self, slot_id: CK_ULONG, op: StoreOp) {
        if self.is_persistent(slot_id) {
            self.pending.push((slot_id, op));
        }
    }

    pub(super) fn emit_clear(&mut self, slot_id: CK_ULONG) {
        self.emit(slot_id, StoreOp::Clear);
    }

    pub(super) fn report(
        &mut self,
        slot_id: CK_ULONG,
        kind: &'static str,
        key: &str,
        message: String,
    ) {
        self.storage_events.push(StorageEvent {
            slot_id,
            kind,
            key: key.to_string(),
            message,
        });
    }

    pub(super) fn store_of(&mut self, slot_id: CK_ULONG) -> &mut SlotStore {
        let i = self.slot_index(slot_id).unwrap_or(0);
        &mut self.slots[i].store
    }

    /// The record keys of the token in `slot_id` while someone is logged in.
    pub(super) fn token_keys(&self, slot_id: CK_ULONG) -> Option<TokenKeys> {
        let token = self.token_of(slot_id);
        TokenKeys::new(token.master_key.as_ref()?, &token.id)
    }

    /// Writes the token record (identity, label, PIN blobs), signed under
    /// `master` (every caller has it: a new token, or a login).
    pub(super) fn save_token(&mut self, slot_id: CK_ULONG, master: &MasterKey) -> CkResult<()> {
        if !self.is_persistent(slot_id) {
            return Ok(());
        }
        let version = self.store_of(slot_id).next_version(store::KEY_META);
        let t = self.token_of(slot_id);
        let keys = TokenKeys::new(master, &t.id).ok_or(CKR_GENERAL_ERROR)?;
        let record = keys.sign(format::encode_token(&TokenRecord {
            token_id: t.id,
            label: t.label,
            serial: t.serial,
            version,
            so_pin: t.so_pin.clone(),
            user_pin: t.user_pin.clone(),
        }))?;
        let st = self.store_of(slot_id);
        st.meta = Some(record.clone());
        st.meta_verified = true;
        self.emit(
            slot_id,
            StoreOp::Put {
                key: store::KEY_META.into(),
                value: record,
            },
        );
        Ok(())
    }

    pub(super) fn save_counters(&mut self, slot_id: CK_ULONG) {
        let t = self.token_of(slot_id);
        let value = format::encode_counters(t.so_counter.failures, t.user_counter.failures);
        let key = store::KEY_COUNTERS.into();
        self.emit(slot_id, StoreOp::Put { key, value });
    }

    /// Checks a PIN (counting failures, see `Token::check_pin`) and stores
    /// the counters when they changed, whatever the outcome. The facade
    /// runs PIN-checking calls with the freshest token and counter records
    /// applied and writes the counters durably before it answers.
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

    /// Stores token object `handle` (a no-op for session objects): private
    /// objects (and any object holding a secret) sealed under the master
    /// key, public ones signed with it. A persistent token's public object
    /// needs a login for that (`check_write` asks for one); a plain memory
    /// token keeps no record of public objects.
    pub(super) fn save_object(&mut self, handle: CK_ULONG) -> CkResult<()> {
        let Some(e) = self.objects.get(&handle) else {
            return Ok(());
        };
        if !e.object.is_token() {
            return Ok(());
        }
        let slot_id = e.slot_id;
        let sealed = e.object.is_private();
        // A secret is never written in clear: a public object holding one
        // (the SO's trusted wrapping key; the SO cannot make private
        // objects) is sealed too, and loads at the next login of anyone.
        let sealed = sealed || holds_secret(&e.object);
        if !sealed && !self.is_persistent(slot_id) {
            return Ok(());
        }
        let uid = unique_id(&e.object).ok_or(CKR_GENERAL_ERROR)?;
        let keys = self.token_keys(slot_id).ok_or(CKR_USER_NOT_LOGGED_IN)?;
        let version = self.store_of(slot_id).next_version(&uid);
        let attrs = &self.objects[&handle].object.attrs;
        let record = if sealed {
            keys.seal(&uid, version, attrs)?
        } else {
            keys.sign(format::encode_public(&uid, version, attrs))?
        };
        let st = self.store_of(slot_id);
        st.records.insert(uid.clone(), record.clone());
        st.unverified.remove(&uid);
        let key = store::object_key(&uid);
        self.emit(slot_id, StoreOp::Put { key, value: record });
        Ok(())
    }

    /// Marks token object `handle` destroyed (before it is): a persistent
    /// token writes a signed tombstone, so the destruction wins over any
    /// older copy of the object (another replica, a stale instance).
    pub(super) fn forget_object(&mut self, handle: CK_ULONG) {
        let Some(e) = self.objects.get(&handle) else {
            return;
        };
        if !e.object.is_token() {
            return;
        }
        let slot_id = e.slot_id;
        let Some(uid) = unique_id(&e.object) else {
            return;
        };
        let key = store::object_key(&uid);
        let tombstone = match self.token_keys(slot_id) {
            Some(keys) if self.is_persistent(slot_id) => {
                let version = self.store_of(slot_id).next_version(&uid);
                keys.sign(format::encode_tombstone(&uid, version))
                    .ok()
                    .map(|t| (t, version))
            }
            _ => None,
        };
        let st = self.store_of(slot_id);
        st.unverified.remove(&uid);
        match tombstone {
            Some((value, version)) => {
                st.records.insert(uid.clone(), value.clone());
                self.emit(slot_id, StoreOp::Put { key, value });
                self.note_tombstone(slot_id, &uid, version);
                self.prune_tombstones(slot_id, true);
            }
            None => {
                // Nothing else writes this token's records: no tombstone,
                // and no version to remember either (it would be kept
                // forever, one entry per destroyed object).
                st.forget(&uid, true);
                self.emit(slot_id, StoreOp::Delete { key });
            }
        }
    }

    /// Ends the login on `slot_id`: the master key is wiped, operations
    /// end, private session objects are destroyed, and private token
    /// objects leave memory (their attribute values are wiped on drop; the
    /// sealed records stay). A later USER login decrypts them again under
    /// new handles, so old handles stay invalid (5.6.10).
    pub(super) fn end_login(&mut self, slot_id: CK_ULONG) {
        // Public objects among the unopened (a secret with CKA_PRIVATE
        // false) stay after the login; opening needs the master key.
        self.open_all(slot_id);
        self.token_of_mut(slot_id).logout();
        self.cancel_operations(slot_id);
        self.objects
            .retain(|_, e| !(e.slot_id == slot_id && e.object.is_private()));
    }

    /// Checks the stored token record against the master key a PIN just
    /// unwrapped, before the login takes effect. A token record that fails
    /// (edited label or serial, swapped PIN blobs, another token's record)
    /// is reported and the token is no longer used: CKR_DEVICE_ERROR.
    pub(super) fn verify_token_record(
        &mut self,
        slot_id: CK_ULONG,
        master: &MasterKey,
    ) -> CkResult<()> {
        let st = &self.slots[self.slot_index(slot_id).unwrap_or(0)].store;
        let Some(record) = st.meta.as_ref().filter(|_| !st.meta_verified) else {
            return Ok(());
        };
        let keys = TokenKeys::new(master, &self.token_of(slot_id).id).ok_or(CKR_GENERAL_ERROR)?;
        let ok = match format::header(record) {
            Ok((1, _)) => true, // format 1 had no MAC: rewritten now
            Ok(_) => keys.verify(record),
            Err(_) => false,
        };
        if ok {
            self.store_of(slot_id).meta_verified = true;
            return Ok(());
        }
        let message = "the token record failed its check under the master key (edited, swapped or from another token); the token is no longer used".to_string();
        self.refuse_slot(slot_id, "tampered", store::KEY_META, message);
        Err(CKR_DEVICE_ERROR)
    }

    /// After a successful login of `user` with `pin`: checks the records
    /// loaded before any login, rewrites the role's PIN blob and every
    /// record of an older format, and (USER) decrypts private objects.
    pub(super) fn after_login(&mut self, slot_id: CK_ULONG, user: CK_ULONG, pin: &[u8]) {
        self.verify_loaded(slot_id);
        self.upgrade_pin_blob(slot_id, user, pin);
        if self.store_of(slot_id).legacy {
            self.migrate(slot_id);
        }
        self.unlock_sealed(slot_id, user);
    }

    /// Checks the MAC of every public record and tombstone loaded while
    /// nobody was logged in; good ones are reloaded whole (CKA_TRUSTED
    /// included), bad ones dropped and reported.
    fn verify_loaded(&mut self, slot_id: CK_ULONG) {
        let Some(keys) = self.token_keys(slot_id) else {
            return;
        };
        let pending: Vec<String> = self.store_of(slot_id).unverified.drain().collect();
        let mut index = self.uid_index(slot_id);
        for uid in pending {
            let Some(record) = self.store_of(slot_id).records.get(&uid).cloned() else {
                continue;
            };
            let parsed = match format::decode_object(&record) {
                Ok(p) if p.format == 1 || keys.verify(&record) => p,
                _ => {
                    self.store_of(slot_id).records.remove(&uid);
                    self.drop_loaded(&uid, &mut index);
                    self.report_tampered(
                        slot_id,
                        &uid,
                        "its MAC does not match the token's master key",
                    );
                    continue;
                }
            };
            if let ObjectBody::Public(attrs) = parsed.body {
                self.put_loaded(slot_id, &uid, Object::new(attrs), &mut index);
            }
        }
    }

    /// Rewraps a format 1 PIN blob of `user` (bound to neither role nor
    /// token) as a bound one, with the PIN that just opened it.
    fn upgrade_pin_blob(&mut self, slot_id: CK_ULONG, user: CK_ULONG, pin: &[u8]) {
        let iterations = self.limits(slot_id).kdf_iterations;
        let token = self.token_of_mut(slot_id);
        let (Some(master), id) = (token.master_key.clone(), token.id) else {
            return;
        };
        let blob = match user {
            CKU_SO => &mut token.so_pin,
            _ => &mut token.user_pin,
        };
        let Some(old) = blob.as_ref().filter(|b| !b.bound) else {
            return;
        };
        // Keep the cost the blob was made with, unless the configuration
        // now asks for more.
        let iterations = old.iterations.max(iterations);
        if let Ok(new) = pin::wrap(&master, pin, iterations, user, &id) {
            *blob = Some(new);
            let _ = self.save_token(slot_id, &master);
        }
    }

    /// Rewrites every record of format version 1 in the current format
    /// (one transaction), now that the master key is known.
    fn migrate(&mut self, slot_id: CK_ULONG) {
        let Some(keys) = self.token_keys(slot_id) else {
            return;
        };
        if self
            .store_of(slot_id)
            .meta
            .as_ref()
            .is_some_and(|m| matches!(format::header(m), Ok((1, _))))
            && let Some(master) = self.token_of(slot_id).master_key.clone()
        {
            let _ = self.save_token(slot_id, &master);
        }
        self.save_counters(slot_id);
        let old: Vec<(String, Vec<u8>)> = self
            .store_of(slot_id)
            .records
            .iter()
            .filter(|(_, r)| matches!(format::header(r), Ok((1, _))))
            .map(|(u, r)| (u.clone(), r.clone()))
            .collect();
        for (uid, record) in old {
            let version = self.store_of(slot_id).next_version(&uid);
            let new = match format::decode_object(&record) {
                Ok(p) => match p.body {
                    ObjectBody::Public(attrs) => {
                        keys.sign(format::encode_public(&uid, version, &attrs))
                    }
                    ObjectBody::Private { .. } => match keys.open(&record) {
                        Ok((_, _, attrs)) => keys.seal(&uid, version, &attrs),
                        Err(_) => continue, // reported when it was loaded
                    },
                    ObjectBody::Tombstone => continue,
                },
                Err(_) => continue,
            };
            if let Ok(value) = new {
                self.store_of(slot_id)
                    .records
                    .insert(uid.clone(), value.clone());
                let key = store::object_key(&uid);
                self.emit(slot_id, StoreOp::Put { key, value });
            }
        }
        self.store_of(slot_id).legacy = false;
    }

    /// Brings back the sealed token objects of `slot_id` after a login:
    /// all of them for the USER, as handles opened at first use
    /// (`unopened`); for the SO, the public ones (secrets the SO made),
    /// opened now, since only opening tells which those are.
    pub(super) fn unlock_sealed(&mut self, slot_id: CK_ULONG, user: CK_ULONG) {
        let mut index = self.uid_index(slot_id);
        if user == CKU_USER {
            return self.defer_all_sealed(slot_id, &index);
        }
        let to_open: Vec<(String, Vec<u8>)> = self
            .store_of(slot_id)
            .records
            .iter()
            .filter(|(_, r)| sealed(r))
            .map(|(u, r)| (u.clone(), r.clone()))
            .collect();
        let Some(keys) = self.token_keys(slot_id) else {
            return;
        };
        for (uid, record) in to_open {
            self.load_sealed(slot_id, &uid, &record, &keys, user, &mut index);
        }
    }

    /// USER login: a handle, unopened, for every sealed record not loaded
    /// yet. Never inlined into the login, for the reason `apply_record`
    /// gives: a loop over 1,000 records would make the whole login hot.
    #[inline(never)]
    fn defer_all_sealed(&mut self, slot_id: CK_ULONG, index: &UidIndex) {
        let uids: Vec<String> = self
            .store_of(slot_id)
            .records
            .iter()
            .filter(|(_, r)| sealed(r))
            .map(|(u, _)| u.clone())
            .collect();
        // The unique ids of `records` are distinct: only objects already
        // loaded need looking up (none, at a token's first login: an empty
        // map hashes nothing).
        for uid in uids {
            if !index.contains_key(uid.as_bytes()) {
                self.defer_new(slot_id, uid);
            }
        }
    }

    /// Opens one sealed record and puts the object in place (replacing the
    /// object with the same unique id, if any) if `user` may see it.
    /// Failures are reported and the record is forgotten.
    pub(super) fn load_sealed(
        &mut self,
        slot_id: CK_ULONG,
        uid: &str,
        record: &[u8],
        keys: &TokenKeys,
        user: CK_ULONG,
        index: &mut UidIndex,
    ) {
        match keys.open(record) {
            Ok((found, _, attrs)) if found == uid => {
                let object = Object::new(attrs);
                if unique_id(&object).as_deref() == Some(uid) {
                    if user == CKU_USER || !object.is_private() {
                        self.put_loaded(slot_id, uid, object, index);
                    }
                    return;
                }
            }
            _ => {}
        }
        self.store_of(slot_id).records.remove(uid);
        self.drop_loaded(uid, index);
        self.report_tampered(
            slot_id,
            uid,
            "it does not open under the token's master key (wrong token, edited or corrupted record)",
        );
    }

    #[cold]
    #[inline(never)]
    pub(super) fn report_tampered(&mut self, slot_id: CK_ULONG, uid: &str, why: &str) {
        self.report(
            slot_id,
            "tampered",
            &store::object_key(uid),
            format!("object {uid} was not loaded: {why}"),
        );
    }

    /// Handles of the token objects of `slot_id` by unique id: built once
    /// per batch of loaded records instead of a scan per record.
    /// Unopened handles are included.
    pub(super) fn uid_index(&self, slot_id: CK_ULONG) -> UidIndex {
        self.objects
            .iter()
            .chain(&self.unopened)
            .filter(|(_, e)| e.slot_id == slot_id && e.session.is_none())
            .filter_map(|(h, e)| e.object.get(CKA_UNIQUE_ID).map(|u| (u.to_vec(), *h)))
            .collect()
    }

    /// Puts a loaded token object in the table: same handle if an object
    /// with this unique id is already there, else a new one.
    pub(super) fn put_loaded(
        &mut self,
        slot_id: CK_ULONG,
        uid: &str,
        object: Object,
        index: &mut UidIndex,
    ) {
        // The same handle (opened or not yet) if the object is there.
        let h = match index.get(uid.as_bytes()) {
            Some(&h) => {
                self.unopened.remove(&h);
                h
            }
            None => self.new_handle(),
        };
        self.objects.insert(
            h,
            super::Entry {
                slot_id,
                session: None,
                object,
            },
        );
        index.insert(uid.as_bytes().to_vec(), h);
    }

    pub(super) fn drop_loaded(&mut self, uid: &str, index: &mut UidIndex) {
        if index.is_empty() {
            return; // nothing loaded (a token's first load): no hashing
        }
        if let Some(h) = index.remove(uid.as_bytes()) {
            self.objects.remove(&h);
            self.unopened.remove(&h);
        }
    }

    /// Forgets everything about the token in `slot_id` (it was
    /// re-initialized or deleted elsewhere, or is being deleted): its
    /// sessions are closed and its token objects dropped.
    pub(super) fn reset_slot(&mut self, slot_id: CK_ULONG) {
        self.sessions.retain(|_, s| s.slot_id != slot_id);
        self.objects.retain(|_, e| e.slot_id != slot_id);
        self.forget_unopened(slot_id);
        if let Some(i) = self.slot_index(slot_id) {
            let serial = self.slots[i].token.serial;
            self.slots[i].token = crate::token::Token::new_uninitialized();
            self.slots[i].token.serial = serial;
            self.slots[i].store.clear();
        }
        self.events.push(slot_id);
    }

    /// Stops using the token in `slot_id` (its storage cannot be trusted or
    /// read): token functions answer CKR_TOKEN_NOT_RECOGNIZED until the
    /// token is deleted or the module reloaded.
    pub(super) fn refuse_slot(
        &mut self,
        slot_id: CK_ULONG,
        kind: &'static str,
        key: &str,
        message: String,
    ) {
        self.reset_slot(slot_id);
        if let Some(i) = self.slot_index(slot_id) {
            self.slots[i].refused = Some(message.clone());
        }
        self.report(slot_id, kind, key, message);
    }

    /// Marks a persistent slot as storing token data (the facade calls it
    /// for every slot whose storage is not plain memory).
    pub fn set_persistent(&mut self, slot_id: CK_ULONG) -> CkResult<()> {
        let i = self.slot_index(slot_id).ok_or(CKR_SLOT_ID_INVALID)?;
        self.slots[i].persistent = true;
        Ok(())
    }

    /// Refuses the token in `slot_id` because its storage cannot be used
    /// (the facade found a link or a non-directory where the token lives).
    pub fn refuse_storage(&mut self, slot_id: CK_ULONG, message: String) -> CkResult<()> {
        self.slot_index(slot_id).ok_or(CKR_SLOT_ID_INVALID)?;
        self.refuse_slot(slot_id, "refused", "", message);
        Ok(())
    }

    /// The slot of session `h` (the facade runs PIN-checking calls under
    /// the lock of that slot's storage).
    pub fn session_slot(&self, h: CK_ULONG) -> CkResult<CK_ULONG> {
        Ok(self.session(h)?.slot_id)
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

    /// Resets the failure counters (C_InitToken, C_InitPIN).
    pub(super) fn reset_counters(&mut self, slot_id: CK_ULONG, so: bool) {
        let token = self.token_of_mut(slot_id);
        if so {
            token.so_counter = PinCounter::default();
        }
        token.user_counter = PinCounter::default();
        self.save_counters(slot_id);
    }
}

pub(super) type UidIndex = HashMap<Vec<u8>, CK_ULONG>;

/// CKA_UNIQUE_ID as text (every object gets one when created; a loaded
/// object's is checked against its record).
pub(super) fn unique_id(o: &Object) -> Option<String> {
    o.get(CKA_UNIQUE_ID)
        .and_then(|v| std::str::from_utf8(v).ok())
        .filter(|u| format::valid_uid(u))
        .map(str::to_string)
}
