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
//! object; a group's merge drops such a record rather than bring it back
//! (`mergeRecords` in `pkg-templates/src/group/records.js`).
use super::Module;
use crate::CK_ULONG;
use crate::store::format::{self, KIND_TOMBSTONE};
use crate::store::{self, StoreOp};

/// A backlog (a token written before tombstones aged out, or after
/// `tombstoneWrites` was lowered) is deleted this many at a time, with
/// each destruction, so that no single call writes a huge transaction.
pub(super) const PRUNE_PER_CALL: usize = 256;

impl Module {
    /// Notes a tombstone of version `version` for `uid` (written here or
    /// read from storage), to be pruned once it ages out.
    pub(super) fn note_tombstone(&mut self, slot_id: CK_ULONG, uid: &str, version: u64) {
        self.store_of(slot_id)
            .tombstones
            .push((version, uid.to_string()));
    }

    /// Goes through the tombstones that aged out (more than
    /// `tombstone_writes` writes behind the token's clock), oldest first.
    /// The instance that writes (`write`: at a destruction) deletes them,
    /// at most `PRUNE_PER_CALL`: record, version and stored copy. Any
    /// instance forgets one its writer already deleted from storage (a
    /// reader after a batch of changes; a tombstone someone removed younger
    /// keeps its version until then, so an older copy of its object stays
    /// refused). A tombstone a newer record replaced is only dropped here.
    pub(super) fn prune_tombstones(&mut self, slot_id: CK_ULONG, write: bool) {
        let keep = u64::from(self.limits(slot_id).tombstone_writes);
        let st = self.store_of(slot_id);
        let mut gone = Vec::new();
        // Entries before `done` are finished with (their unique ids taken):
        // removed once they are half of the list, so each costs O(1).
        let mut done = st.tombstones_done;
        while let Some((version, uid)) = st.tombstones.get_mut(done) {
            if version.saturating_add(keep) >= st.clock || gone.len() == PRUNE_PER_CALL {
                break;
            }
            let stored = st.records.get(uid.as_str()).map(|r| is_tombstone(r));
            if st.versions.get(uid.as_str()) == Some(version) && stored != Some(false) {
                if stored.is_some() && !write {
                    break; // still stored: its writer deletes it
                }
                let uid = std::mem::take(uid);
                st.forget(&uid, stored.is_some());
                if stored.is_some() {
                    gone.push(uid);
                }
            }
            done += 1;
        }
        if done * 2 > st.tombstones.len() {
            st.tombstones.drain(..done);
            done = 0;
        }
        st.tombstones_done = done;
        for uid in gone {
            let key = store::object_key(&uid);
            self.emit(slot_id, StoreOp::Delete { key });
        }
    }
}

/// Whether stored bytes are a tombstone record (any format version).
pub(super) fn is_tombstone(record: &[u8]) -> bool {
    matches!(format::header(record), Ok((_, KIND_TOMBSTONE)))
}
