//! Pruning the tombstones of destroyed token objects. A stored token keeps
//! a signed tombstone in place of each destroyed object so that no older
//! copy of it comes back: from another replica of a group, or from an
//! instance that has not seen the destruction yet. Kept forever, they grow
//! the store and every instance's memory with every object ever destroyed.
//!
//! Record versions are a Lamport clock, so "how long ago" can be counted
//! in writes: a tombstone is deleted (from storage, in the same transaction
//! as the write that ages it out, and from memory) once the token's clock
//! is more than `tombstoneWrites` (default 10,000) past its version. Only
//! a copy that stayed behind for that many writes can still hold the
//! object, and the group treats such a member as stale: it refills it
//! rather than merge its records (`pkg-templates/src/group/records.js`).
use super::Module;
use crate::CK_ULONG;
use crate::store::format::{self, KIND_TOMBSTONE};
use crate::store::{self, StoreOp};

impl Module {
    /// Notes a tombstone of version `version` for `uid` (written here or
    /// read from storage), to be pruned once it ages out.
    pub(super) fn note_tombstone(&mut self, slot_id: CK_ULONG, uid: &str, version: u64) {
        self.store_of(slot_id)
            .tombstones
            .insert((version, uid.to_string()));
    }

    /// After a batch read from storage: tombstones it deleted that had
    /// aged out by the clock the batch brought (its deletions may come
    /// before the write that aged them) leave nothing behind. One deleted
    /// younger than that (not what a writer does) keeps its version, so an
    /// older copy of its object is still refused.
    pub(super) fn forget_vanished(&mut self, slot_id: CK_ULONG, vanished: Vec<(String, u64)>) {
        for (uid, version) in vanished {
            if self.tombstone_expired(slot_id, version) {
                let st = self.store_of(slot_id);
                if !st.records.contains_key(&uid) && st.versions.get(&uid) == Some(&version) {
                    st.versions.remove(&uid);
                    st.tombstones.remove(&(version, uid));
                }
            }
        }
    }

    /// Whether a tombstone of `version` is older than the token's clock
    /// allows: more than `tombstone_writes` writes behind it.
    pub(super) fn tombstone_expired(&mut self, slot_id: CK_ULONG, version: u64) -> bool {
        let keep = self.limits(slot_id).tombstone_writes;
        version.saturating_add(keep) < self.store_of(slot_id).clock
    }

    /// Deletes the tombstones that aged out, at most `PRUNE_PER_CALL` of
    /// them: its record, its version and its stored copy. A tombstone
    /// since replaced by a newer record of the same object is only
    /// forgotten here.
    pub(super) fn prune_tombstones(&mut self, slot_id: CK_ULONG) {
        let mut gone = Vec::new();
        while gone.len() < PRUNE_PER_CALL {
            let st = self.store_of(slot_id);
            let Some(&(version, _)) = st.tombstones.first() else {
                break;
            };
            if !self.tombstone_expired(slot_id, version) {
                break;
            }
            let st = self.store_of(slot_id);
            let Some((version, uid)) = st.tombstones.pop_first() else {
                break;
            };
            if st.versions.get(&uid) != Some(&version) {
                continue; // a newer record of the object replaced it
            }
            match st.records.get(&uid) {
                Some(r) if is_tombstone(r) => {
                    st.records.remove(&uid);
                    st.versions.remove(&uid);
                    st.unverified.remove(&uid);
                    gone.push(uid);
                }
                // Pruned by another instance or replica already.
                None => {
                    st.versions.remove(&uid);
                }
                Some(_) => {}
            }
        }
        for uid in gone {
            let key = store::object_key(&uid);
            self.emit(slot_id, StoreOp::Delete { key });
        }
    }
}

/// A backlog (a token written before tombstones aged out, or after
/// `tombstoneWrites` was lowered) is deleted this many at a time, with
/// each destruction, so that no single call writes a huge transaction.
pub(super) const PRUNE_PER_CALL: usize = 256;

/// Whether stored bytes are a tombstone record (any format version).
pub(super) fn is_tombstone(record: &[u8]) -> bool {
    matches!(format::header(record), Ok((_, KIND_TOMBSTONE)))
}
