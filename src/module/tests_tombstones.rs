//! Tombstones of destroyed token objects age out (`tombstones`): a stored
//! token's records, versions and memory stay bounded over any number of
//! create/destroy cycles, in the writer and in every instance reading its
//! writes, and a young tombstone still keeps its object from coming back.
use super::tests_storage::{RW, USER_PIN, changes_of, find_label, pass_writes, stored_token};
use super::*;
use crate::attr::Attribute as A;
use crate::store::StoreOp;

const KEEP: u32 = 10;

fn data_object(label: &[u8]) -> Vec<A> {
    vec![
        A::ulong(CKA_CLASS, CKO_DATA),
        A::bool(CKA_TOKEN, true),
        A::bool(CKA_PRIVATE, false),
        A::new(CKA_LABEL, label.to_vec()),
    ]
}

fn keeping(m: &mut Module, keep: u32) {
    m.slots[0].limits.tombstone_writes = keep;
}

/// (records, versions, tombstones noted and not pruned) of slot 0.
fn held(m: &Module) -> (usize, usize, usize) {
    let st = &m.slots[0].store;
    (
        st.records.len(),
        st.versions.len(),
        st.tombstones.len() - st.tombstones_done,
    )
}

fn user(m: &mut Module) -> CK_ULONG {
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    h
}

#[test]
fn tombstones_age_out_and_nothing_grows_with_destroyed_objects() {
    let (mut disk, mut m) = stored_token();
    keeping(&mut m, KEEP);
    let mut other = disk.open(3);
    keeping(&mut other, KEEP);
    let h = user(&mut m);
    let mut sizes = Vec::new();
    for round in 0..300 {
        let o = m.create_object(h, &data_object(b"brief")).unwrap();
        m.destroy_object(h, o).unwrap();
        let writes = m.take_transactions();
        // The destroy's transaction deletes what aged out with it.
        if round >= 10 {
            let last = &writes.last().unwrap().ops;
            assert!(
                last.iter().any(|op| matches!(op, StoreOp::Delete { .. })),
                "{last:?}"
            );
        }
        for t in writes.clone() {
            apply_to(&mut other, t);
        }
        disk.apply(writes);
        if round == 100 || round == 299 {
            sizes.push((held(&m), held(&other), disk.0.len()));
        }
    }
    // KEEP writes = 5 cycles of a create and a destroy: at most 6
    // tombstones, plus the token's two objects (and the token record's
    // version).
    let (writer, reader, stored) = sizes[1];
    assert_eq!(sizes[0], sizes[1], "no growth between 100 and 300 cycles");
    assert!(
        writer.0 <= 2 + 6 && writer.1 <= 3 + 6 && writer.2 <= 6,
        "{writer:?}"
    );
    assert!(
        reader.0 <= 2 + 6 && reader.1 <= 3 + 6 && reader.2 <= 6,
        "{reader:?}"
    );
    // The lists themselves are compacted as they go: bounded too.
    for instance in [&m, &other] {
        assert!(instance.slots[0].store.tombstones.len() <= 2 * 6 + 2);
    }
    assert!(
        stored <= 2 + 2 + 6,
        "meta, counters, 2 objects, tombstones: {stored}"
    );
    // The reader saw every object go; a fresh load of the store too.
    let h2 = user(&mut other);
    assert!(find_label(&mut other, h2, b"brief").is_empty());
    assert_eq!(find_label(&mut other, h2, b"open-label").len(), 1);
    let mut fresh = disk.open(3);
    let h3 = user(&mut fresh);
    assert!(find_label(&mut fresh, h3, b"brief").is_empty());
    assert_eq!(find_label(&mut fresh, h3, b"hidden-label").len(), 1);
}

/// One transaction as another instance reads it back, deletions first
/// (a directory lists them in any order).
fn apply_to(m: &mut Module, t: crate::store::Transaction) {
    let mut changes = changes_of(t);
    changes.sort_by_key(|(_, v)| v.is_some());
    m.storage_apply(0, changes).unwrap();
}

#[test]
fn a_young_tombstone_removed_from_storage_still_keeps_its_object_gone() {
    let (_, mut m) = stored_token();
    keeping(&mut m, KEEP);
    m.take_transactions();
    let h = user(&mut m);
    let o = m.create_object(h, &data_object(b"victim")).unwrap();
    let created = m.take_transactions();
    let (key, old_copy) = match &created[0].ops[0] {
        StoreOp::Put { key, value } => (key.clone(), value.clone()),
        op => panic!("{op:?}"),
    };
    m.destroy_object(h, o).unwrap();
    m.take_transactions();
    // Someone deletes the tombstone and puts the old record back.
    m.storage_apply(0, vec![(key.clone(), None)]).unwrap();
    m.storage_apply(0, vec![(key.clone(), Some(old_copy.clone()))])
        .unwrap();
    let kinds: Vec<_> = m
        .take_storage_events()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, vec!["rollback"]);
    assert!(find_label(&mut m, h, b"victim").is_empty());
}

#[test]
fn an_aged_out_tombstone_deleted_by_another_instance_is_forgotten() {
    let (disk, mut a) = stored_token();
    keeping(&mut a, KEEP);
    let mut b = disk.open(3);
    keeping(&mut b, KEEP);
    let ha = user(&mut a);
    let first = a.create_object(ha, &data_object(b"first")).unwrap();
    a.destroy_object(ha, first).unwrap();
    pass_writes(&mut a, &mut b);
    assert_eq!(held(&b).2, 1);
    let uid = b.slots[0].store.tombstones[0].1.clone();
    assert!(b.slots[0].store.versions.contains_key(&uid));
    // Enough later writes for the first tombstone to age out at the writer,
    // which deletes it; B reads that deletion in the same batches.
    for _ in 0..KEEP {
        let o = a.create_object(ha, &data_object(b"later")).unwrap();
        a.destroy_object(ha, o).unwrap();
    }
    assert!(
        !a.slots[0].store.versions.contains_key(&uid),
        "the writer pruned it"
    );
    pass_writes(&mut a, &mut b);
    let st = &b.slots[0].store;
    assert!(!st.records.contains_key(&uid) && !st.versions.contains_key(&uid));
    assert!(
        st.tombstones
            .iter()
            .skip(st.tombstones_done)
            .all(|(_, u)| *u != uid)
    );
    let (records, versions, noted) = held(&b);
    assert!(
        records <= 2 + 6 && versions <= 3 + 6 && noted <= 6,
        "{:?}",
        held(&b)
    );
}

#[test]
fn tombstone_writes_is_configured_per_module_and_slot() {
    let parse = |json: &str| {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        <Config as serde::Deserialize>::deserialize(v).map_err(|e| e.to_string())
    };
    assert_eq!(
        parse("{}").unwrap().tombstone_writes,
        DEFAULT_TOMBSTONE_WRITES
    );
    let c = parse(r#"{"tombstoneWrites":50,"slots":[{"persistent":true,"tombstoneWrites":7},{}]}"#)
        .unwrap();
    let m = Module::new(c);
    assert_eq!(m.slots[0].limits.tombstone_writes, 7);
    assert_eq!(m.slots[1].limits.tombstone_writes, 50);
    assert_eq!(
        parse(r#"{"tombstoneWrites":0}"#).unwrap().tombstone_writes,
        0
    );
    for bad in ["-1", "1.5", "4294967296", "true", "\"10\""] {
        let e = parse(&format!(r#"{{"tombstoneWrites":{bad}}}"#));
        assert!(e.is_err(), "{bad} accepted");
        let e = parse(&format!(r#"{{"slots":[{{"tombstoneWrites":{bad}}}]}}"#));
        assert!(e.is_err(), "slots: {bad} accepted");
    }
}

#[test]
fn a_backlog_of_tombstones_is_deleted_a_bounded_number_at_a_time() {
    // A token whose tombstones never aged out (written by an older
    // version, or with a large window) meets a small window.
    let (_, mut m) = stored_token();
    let h = user(&mut m);
    for _ in 0..600 {
        let o = m.create_object(h, &data_object(b"old")).unwrap();
        m.destroy_object(h, o).unwrap();
    }
    m.take_transactions();
    assert_eq!(held(&m).2, 600);
    keeping(&mut m, KEEP);
    let deletions = |m: &mut Module| -> usize {
        m.take_transactions()
            .iter()
            .flat_map(|t| &t.ops)
            .filter(|op| matches!(op, StoreOp::Delete { .. }))
            .count()
    };
    let mut per_call = Vec::new();
    for _ in 0..4 {
        let o = m.create_object(h, &data_object(b"new")).unwrap();
        m.destroy_object(h, o).unwrap();
        per_call.push(deletions(&mut m));
    }
    let cap = super::tombstones::PRUNE_PER_CALL;
    assert_eq!(per_call[..2], [cap, cap]);
    assert!(per_call[2] < cap && per_call[3] <= 1, "{per_call:?}");
    assert!(held(&m).2 <= 6);
    // The list itself is compacted as it goes: bounded too.
    assert!(m.slots[0].store.tombstones.len() <= 2 * 6 + 2);
}
