//! Applying what storage holds to the module: records read at start-up or
//! written by another instance of the library on the same token. Nothing
//! read is trusted beyond what can be checked: records that fail their
//! integrity check or name another object are reported and not used,
//! public records read while nobody is logged in lose CKA_TRUSTED until the
//! next login checks their MAC, and a record older than one already seen
//! (a rollback) is refused.
use super::Module;
use super::storage::{UidIndex, holds_secret, unique_id};
use crate::CK_ULONG;
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;
use crate::store;
use crate::store::format::{self, FormatError, ObjectBody};
use crate::store::protect::TokenKeys;
use crate::token::PinCounter;

/// One record from storage: its key and bytes, `None` when it is gone.
pub type Change = (String, Option<Vec<u8>>);

/// What the object records of one batch share, made at the first of them
/// (after the token record, which may reset the slot): the handles of the
/// token's objects by unique id, and the record keys while someone is
/// logged in (derived once, not per record).
struct ObjectBatch {
    index: UidIndex,
    keys: Option<TokenKeys>,
}

/// The records of one `storage_apply` after the token and counter records:
/// how many, and what their object records share (made at the first).
struct Batch {
    objects: usize,
    shared: Option<ObjectBatch>,
}

impl Module {
    /// Applies records read from storage (at start-up, or written by
    /// another instance): `None` means the record is gone. Records that
    /// equal what this instance holds are skipped. A record of a newer
    /// format refuses the whole token (nothing is written to it after);
    /// damaged records are reported and skipped.
    pub fn storage_apply(&mut self, slot_id: CK_ULONG, changes: Vec<Change>) -> CkResult<()> {
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
                self.refuse_slot(slot_id, "refused", key, message);
                return Ok(());
            }
        }
        // The token record first (it may reset the slot), then the PIN
        // counters, then the rest, each in the order given. Loops with small
        // bodies, like every loop over the records here (see `apply_record`).
        let mut changes = changes;
        let all = &changes;
        let first: Vec<usize> = [store::KEY_META, store::KEY_COUNTERS]
            .iter()
            .flat_map(|k| (0..all.len()).filter(move |&n| all[n].0 == *k))
            .collect();
        for &n in &first {
            let (key, value) = (std::mem::take(&mut changes[n].0), changes[n].1.take());
            match key.as_str() {
                store::KEY_META => self.apply_token(slot_id, value.as_deref()),
                _ => self.apply_counters(slot_id, value.as_deref()),
            }
            if self.slots[i].refused.is_some() {
                return Ok(());
            }
        }
        // One allocation for a token's first load (growing would hash every
        // key again at each doubling).
        let objects = changes.len() - first.len();
        self.store_of(slot_id).versions.reserve(objects);
        let mut batch = Batch {
            objects,
            shared: None,
        };
        for (n, (key, value)) in changes.into_iter().enumerate() {
            if first.contains(&n) {
                continue;
            }
            self.apply_record(slot_id, &key, value, &mut batch);
            if self.slots[i].refused.is_some() {
                break;
            }
        }
        if batch.shared.is_some() {
            // Tombstones the batch deleted (pruned by their writer) leave
            // nothing behind once the batch brought the clock past them.
            self.prune_tombstones(slot_id, false);
        }
        Ok(())
    }

    /// Applies one record. This and the functions it calls per record are
    /// never inlined into the loop above (see `scripts/build.mjs`,
    /// NOT_INLINED): V8 compiles a wasm function again with its optimizing
    /// compiler once its loops have run about 1.8 MB of its baseline code,
    /// counted by the loop's size, not by the path taken. A load of 1,000
    /// records made the whole of `storage_apply` (11 KB of code, called once)
    /// that hot, and its compile competed with the login for the CPU.
    #[inline(never)]
    fn apply_record(
        &mut self,
        slot_id: CK_ULONG,
        key: &str,
        value: Option<Vec<u8>>,
        batch: &mut Batch,
    ) {
        match key.strip_prefix(store::OBJECT_PREFIX) {
            Some(uid) if format::valid_uid(uid) => {
                let shared = match &mut batch.shared {
                    Some(shared) => shared,
                    None => {
                        let mut index = self.uid_index(slot_id);
                        index.reserve(batch.objects);
                        batch.shared.insert(ObjectBatch {
                            index,
                            keys: self.token_keys(slot_id),
                        })
                    }
                };
                self.apply_object(slot_id, uid, value, shared);
            }
            _ if value.is_none() => {}
            _ => self.report_unknown_record(slot_id, key),
        }
    }

    #[cold]
    #[inline(never)]
    fn report_unknown_record(&mut self, slot_id: CK_ULONG, key: &str) {
        let message = format!("'{key}' is not a record this library writes; ignored");
        self.report(slot_id, "tampered", key, message);
    }

    #[inline(never)]
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
                return self.refuse_slot(slot_id, "tampered", store::KEY_META, message);
            }
        };
        let token = self.token_of(slot_id);
        let same_token = token.is_initialized() && token.id == t.token_id;
        if token.is_initialized() && !same_token {
            // Re-initialized by another instance: a different token now.
            self.reset_slot(slot_id);
        }
        if same_token {
            // While logged in the record can be checked at once; a record
            // older than the one we hold is a rollback.
            if let Some(keys) = self.token_keys(slot_id)
                && format::header(record).is_ok_and(|(v, _)| v > 1)
                && !keys.verify(record)
            {
                return self.report(
                    slot_id,
                    "tampered",
                    store::KEY_META,
                    "a new token record failed its check under the master key; ignored".into(),
                );
            }
            let known = self
                .store_of(slot_id)
                .versions
                .get(store::KEY_META)
                .copied();
            if known.is_some_and(|k| t.version < k) {
                return self.report_rollback(slot_id, store::KEY_META, t.version, known);
            }
        }
        let verified = same_token && self.token_keys(slot_id).is_some();
        let st = self.store_of(slot_id);
        st.saw(store::KEY_META, t.version);
        st.meta = Some(record.to_vec());
        st.meta_verified = verified;
        if format::header(record).is_ok_and(|(v, _)| v == 1) {
            st.legacy = true;
        }
        let token = self.token_of_mut(slot_id);
        token.id = t.token_id;
        token.label = t.label;
        token.serial = t.serial;
        token.so_pin = t.so_pin;
        token.user_pin = t.user_pin;
    }

    #[inline(never)]
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

    #[cold]
    #[inline(never)]
    fn report_rollback(&mut self, slot_id: CK_ULONG, key: &str, found: u64, known: Option<u64>) {
        self.report(
            slot_id,
            "rollback",
            key,
            format!(
                "record '{key}' went back to version {found} after version {}; the older record was not used",
                known.unwrap_or(0)
            ),
        );
    }

    /// One object record (`None`: gone). Reports and the public object case
    /// are functions of their own: what runs per record stays small.
    #[inline(never)]
    fn apply_object(
        &mut self,
        slot_id: CK_ULONG,
        uid: &str,
        value: Option<Vec<u8>>,
        batch: &mut ObjectBatch,
    ) {
        let ObjectBatch { index, keys } = batch;
        let Some(record) = value else {
            // Its version stays: an older copy is still refused (a pruned
            // tombstone's goes in `prune_tombstones`).
            let st = self.store_of(slot_id);
            st.records.remove(uid);
            st.unverified.remove(uid);
            return self.drop_loaded(uid, index);
        };
        if self.store_of(slot_id).records.get(uid) == Some(&record) {
            return;
        }
        if !self.token_of(slot_id).is_initialized() {
            return self.report_orphan(slot_id, uid);
        }
        let parsed = match format::decode_object(&record) {
            Ok(p) if p.uid == uid => p,
            Ok(_) => return self.report_tampered(slot_id, uid, "its record names another object"),
            Err(_) => return self.report_tampered(slot_id, uid, "the record is damaged"),
        };
        let token_format = self
            .store_of(slot_id)
            .meta
            .as_deref()
            .and_then(|m| format::header(m).ok())
            .map_or(format::VERSION, |(v, _)| v);
        if parsed.format < token_format {
            return self.report_tampered(
                slot_id,
                uid,
                "it is in an older format than its token (a downgrade)",
            );
        }
        let known = self.store_of(slot_id).versions.get(uid).copied();
        if parsed.format > 1 && known.is_some_and(|k| parsed.version < k) {
            return self.report_rollback(slot_id, &store::object_key(uid), parsed.version, known);
        }
        let signed = !matches!(parsed.body, ObjectBody::Private { .. });
        if signed && parsed.format > 1 && keys.as_ref().is_some_and(|k| !k.verify(&record)) {
            return self.report_tampered(
                slot_id,
                uid,
                "its MAC does not match the token's master key",
            );
        }
        let (version, format_1) = (parsed.version, parsed.format == 1);
        match parsed.body {
            ObjectBody::Public(attrs) => {
                let checked = keys.is_some() && !format_1;
                self.apply_public(
                    slot_id,
                    uid,
                    record,
                    (version, format_1, checked),
                    attrs,
                    index,
                );
            }
            ObjectBody::Private { .. } => {
                // Opened while someone is logged in (private objects for the
                // USER only); else kept sealed. For the USER, an object not
                // opened yet stays so (it opens from this newer record),
                // and a new one joins them.
                let login = self.token_of(slot_id).login;
                let opened = login.is_some()
                    && index
                        .get(uid.as_bytes())
                        .is_some_and(|h| self.objects.contains_key(h));
                let open_now =
                    keys.is_some() && login.is_some() && (opened || login != Some(CKU_USER));
                // Only a record opened now is needed once it is kept (most
                // loads happen before a login: no copy of each record).
                let copy = open_now.then(|| record.clone());
                self.keep_record(slot_id, uid, record, version, false, format_1);
                match (keys, login, copy) {
                    (Some(keys), Some(user), Some(record)) => {
                        self.load_sealed(slot_id, uid, &record, keys, user, index)
                    }
                    (Some(_), Some(CKU_USER), None) => self.defer_sealed(slot_id, uid, index),
                    _ => self.drop_loaded(uid, index),
                }
            }
            ObjectBody::Tombstone => {
                self.keep_record(slot_id, uid, record, version, keys.is_none(), false);
                self.note_tombstone(slot_id, uid, version);
                self.drop_loaded(uid, index);
            }
        }
    }

    /// A public object's record, `(version, format 1, MAC checked)`.
    #[inline(never)]
    fn apply_public(
        &mut self,
        slot_id: CK_ULONG,
        uid: &str,
        record: Vec<u8>,
        (version, format_1, checked): (u64, bool, bool),
        attrs: crate::attr::policy::AttrMap,
        index: &mut UidIndex,
    ) {
        let mut object = Object::new(attrs);
        if unique_id(&object).as_deref() != Some(uid) {
            return self.report_tampered(slot_id, uid, "its CKA_UNIQUE_ID differs from its record");
        }
        if object.is_private() || holds_secret(&object) {
            return self.report_tampered(
                slot_id,
                uid,
                "a record in clear claims a private object or a secret",
            );
        }
        if !checked {
            // Only an SO can set CKA_TRUSTED: not from a record nobody has
            // checked yet (the next login checks it).
            object
                .attrs
                .insert(CKA_TRUSTED, zeroize::Zeroizing::new(vec![0]));
        }
        self.keep_record(slot_id, uid, record, version, !checked, format_1);
        self.put_loaded(slot_id, uid, object, index);
    }

    #[cold]
    #[inline(never)]
    fn report_orphan(&mut self, slot_id: CK_ULONG, uid: &str) {
        let message = format!("object {uid} is stored without a token record; ignored");
        self.report(slot_id, "orphan", &store::object_key(uid), message);
    }

    /// Remembers an accepted record: its bytes, version and whether its MAC
    /// still has to be checked at the next login.
    fn keep_record(
        &mut self,
        slot_id: CK_ULONG,
        uid: &str,
        record: Vec<u8>,
        version: u64,
        unchecked: bool,
        format_1: bool,
    ) {
        let st = self.store_of(slot_id);
        st.saw(uid, version);
        st.records.insert(uid.to_string(), record);
        if unchecked {
            st.unverified.insert(uid.to_string());
        } else if !st.unverified.is_empty() {
            // (a token's load hashes each unique id a few times already)
            st.unverified.remove(uid);
        }
        st.legacy |= format_1;
    }
}
