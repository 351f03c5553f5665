//! Storage tests: what a persistent token writes, and a second module
//! instance rebuilt from those writes (a reload, or another tab/process).
use std::collections::BTreeMap;

use super::*;
use crate::attr::Attribute as A;
use crate::store::{StoreOp, format};

pub(super) const SO_PIN: &[u8] = b"so-secret";
pub(super) const USER_PIN: &[u8] = b"user-1234";
pub(super) const RW: CK_ULONG = CKF_SERIAL_SESSION | CKF_RW_SESSION;
pub(super) const SECRET: &[u8] = b"0123456789abcdef0123456789ABCDEF";

/// A raw backend in a map, applying transactions as a real one would.
#[derive(Default, Clone)]
pub(super) struct Disk(pub(super) BTreeMap<String, Vec<u8>>);

impl Disk {
    pub(super) fn write(&mut self, m: &mut Module) {
        self.apply(m.take_transactions());
    }

    pub(super) fn apply(&mut self, transactions: Vec<crate::store::Transaction>) {
        for t in transactions {
            for op in t.ops {
                match op {
                    StoreOp::Put { key, value } => {
                        self.0.insert(key, value);
                    }
                    StoreOp::Delete { key } => {
                        self.0.remove(&key);
                    }
                    StoreOp::Clear => self.0.clear(),
                }
            }
        }
    }

    /// A new module loading this disk into slot 0.
    pub(super) fn open(&self, tries: u32) -> Module {
        let mut m = Module::new(config(tries));
        m.initialize().unwrap();
        m.set_persistent(0).unwrap();
        let changes = self
            .0
            .iter()
            .map(|(k, v)| (k.clone(), Some(v.clone())))
            .collect();
        m.storage_apply(0, changes).unwrap();
        m
    }

    pub(super) fn bytes(&self) -> Vec<u8> {
        self.0.values().flatten().copied().collect()
    }
}

pub(super) fn config(tries: u32) -> Config {
    Config {
        kdf_iterations: 10,
        max_pin_tries: tries,
        slots: Some(vec![SlotConfig {
            persistent: true,
            ..Default::default()
        }]),
        ..Config::default()
    }
}

pub(super) fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A persistent token with a user PIN, a private AES key labelled
/// "hidden-label" and a public data object labelled "open-label".
pub(super) fn stored_token() -> (Disk, Module) {
    let mut m = Module::new(config(3));
    m.initialize().unwrap();
    m.set_persistent(0).unwrap();
    m.init_token(0, SO_PIN, b"store").unwrap();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_SO, SO_PIN).unwrap();
    m.init_pin(h, USER_PIN).unwrap();
    m.logout(h).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    m.create_object(
        h,
        &[
            A::ulong(CKA_CLASS, CKO_SECRET_KEY),
            A::ulong(CKA_KEY_TYPE, CKK_AES),
            A::bool(CKA_TOKEN, true),
            A::new(CKA_VALUE, SECRET.to_vec()),
            A::new(CKA_LABEL, b"hidden-label".to_vec()),
            A::bool(CKA_SENSITIVE, false),
            A::bool(CKA_EXTRACTABLE, true),
        ],
    )
    .unwrap();
    m.create_object(
        h,
        &[
            A::ulong(CKA_CLASS, CKO_DATA),
            A::bool(CKA_TOKEN, true),
            A::bool(CKA_PRIVATE, false),
            A::new(CKA_LABEL, b"open-label".to_vec()),
        ],
    )
    .unwrap();
    m.close_session(h).unwrap();
    let mut disk = Disk::default();
    disk.write(&mut m);
    (disk, m)
}

/// Applies `from`'s writes to `to`, as another instance sharing the
/// store sees them (a clear is left out).
pub(super) fn pass_writes(from: &mut Module, to: &mut Module) {
    for t in from.take_transactions() {
        to.storage_apply(0, changes_of(t)).unwrap();
    }
}

/// A transaction's writes as another instance reads them back (a clear
/// is left out).
pub(super) fn changes_of(t: crate::store::Transaction) -> Vec<(String, Option<Vec<u8>>)> {
    t.ops
        .into_iter()
        .filter_map(|op| match op {
            StoreOp::Put { key, value } => Some((key, Some(value))),
            StoreOp::Delete { key } => Some((key, None)),
            StoreOp::Clear => None,
        })
        .collect()
}

pub(super) fn find_label(m: &mut Module, h: CK_ULONG, label: &[u8]) -> Vec<CK_ULONG> {
    m.find_objects_init(h, &[A::new(CKA_LABEL, label.to_vec())])
        .unwrap();
    let found = m.find_objects(h, 10).unwrap();
    m.find_objects_final(h).unwrap();
    found
}

#[test]
fn private_objects_are_sealed_and_come_back_with_the_pin() {
    let (disk, _) = stored_token();
    let raw = disk.bytes();
    assert!(!contains(&raw, SECRET), "key value in the store");
    assert!(
        !contains(&raw, b"hidden-label"),
        "private label in the store"
    );
    assert!(
        contains(&raw, b"open-label"),
        "public objects are stored in clear"
    );

    let mut m = disk.open(3);
    let h = m.open_session(0, RW).unwrap();
    assert_eq!(find_label(&mut m, h, b"open-label").len(), 1);
    assert!(find_label(&mut m, h, b"hidden-label").is_empty());
    assert_eq!(m.login(h, CKU_USER, b"wrong-pin"), Err(CKR_PIN_INCORRECT));
    m.login(h, CKU_USER, USER_PIN).unwrap();
    let key = find_label(&mut m, h, b"hidden-label");
    assert_eq!(key.len(), 1);
    let got = m.get_attribute_value(h, key[0], &[CKA_VALUE]).unwrap();
    assert_eq!(got[0].as_deref(), Ok(SECRET));
    // Logout takes the private object out of memory, login brings it back
    // under a new handle.
    m.logout(h).unwrap();
    assert!(m.objects.values().all(|e| !e.object.is_private()));
    m.login(h, CKU_USER, USER_PIN).unwrap();
    let again = find_label(&mut m, h, b"hidden-label");
    assert_eq!(again.len(), 1);
    assert_ne!(again, key);
}

#[test]
fn changes_and_destruction_are_written() {
    let (mut disk, mut m) = stored_token();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    let key = find_label(&mut m, h, b"hidden-label")[0];
    m.set_attribute_value(h, key, &[A::new(CKA_LABEL, b"renamed".to_vec())])
        .unwrap();
    let data = find_label(&mut m, h, b"open-label")[0];
    m.destroy_object(h, data).unwrap();
    let session_obj = m
        .create_object(
            h,
            &[A::ulong(CKA_CLASS, CKO_DATA), A::bool(CKA_PRIVATE, false)],
        )
        .unwrap();
    assert!(session_obj > 0);
    disk.write(&mut m);
    let mut other = disk.open(3);
    let h2 = other.open_session(0, RW).unwrap();
    assert!(find_label(&mut other, h2, b"open-label").is_empty());
    other.login(h2, CKU_USER, USER_PIN).unwrap();
    assert_eq!(find_label(&mut other, h2, b"renamed").len(), 1);
    other.find_objects_init(h2, &[]).unwrap();
    assert_eq!(
        other.find_objects(h2, 10).unwrap().len(),
        1,
        "session objects are not stored"
    );
}

#[test]
fn a_flipped_byte_is_reported_and_the_rest_loads() {
    let (mut disk, _) = stored_token();
    let keys: Vec<String> = disk
        .0
        .keys()
        .filter(|k| k.starts_with("o/"))
        .cloned()
        .collect();
    for key in &keys {
        let v = disk.0.get_mut(key).unwrap();
        if v[5] == format::KIND_PRIVATE {
            let n = v.len();
            v[n - 3] ^= 1;
        }
    }
    let mut m = disk.open(3);
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    assert_eq!(find_label(&mut m, h, b"open-label").len(), 1);
    assert!(find_label(&mut m, h, b"hidden-label").is_empty());
    let events = m.take_storage_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "tampered");
    assert!(events[0].key.starts_with("o/") && events[0].message.contains("master key"));

    // A damaged public record is reported at load.
    for v in disk.0.values_mut().filter(|v| v[5] == format::KIND_PUBLIC) {
        v[10] ^= 1;
    }
    let mut m = disk.open(3);
    assert_eq!(m.take_storage_events()[0].kind, "tampered");
    let h = m.open_session(0, RW).unwrap();
    assert!(find_label(&mut m, h, b"open-label").is_empty());
}

#[test]
fn a_newer_format_is_refused_and_nothing_is_written() {
    let (mut disk, _) = stored_token();
    disk.0.get_mut("meta").unwrap()[4] = format::VERSION + 1;
    let before = disk.clone();
    let mut m = disk.open(3);
    let events = m.take_storage_events();
    assert_eq!(events[0].kind, "refused");
    assert!(events[0].message.contains("newer"), "{}", events[0].message);
    assert_eq!(m.get_token_info(0).err(), Some(CKR_TOKEN_NOT_RECOGNIZED));
    assert_eq!(m.open_session(0, RW).err(), Some(CKR_TOKEN_NOT_RECOGNIZED));
    assert_eq!(m.init_token(0, SO_PIN, b"x"), Err(CKR_TOKEN_NOT_RECOGNIZED));
    assert!(m.take_transactions().is_empty());
    assert_eq!(disk.0, before.0);
    // Deleting the token is the way out.
    m.delete_token(0).unwrap();
    assert_eq!(m.take_transactions()[0].ops, vec![StoreOp::Clear]);
    m.init_token(0, SO_PIN, b"fresh").unwrap();
}

#[test]
fn lockout_counters_persist_and_the_so_unlocks() {
    let (mut disk, _) = stored_token();
    let mut m = disk.open(3);
    let h = m.open_session(0, RW).unwrap();
    let flags = |m: &Module| m.get_token_info(0).unwrap().flags;
    assert_eq!(m.login(h, CKU_USER, b"bad-pin"), Err(CKR_PIN_INCORRECT));
    assert_ne!(flags(&m) & CKF_USER_PIN_COUNT_LOW, 0);
    assert_eq!(m.login(h, CKU_USER, b"bad-pin"), Err(CKR_PIN_INCORRECT));
    assert_ne!(flags(&m) & CKF_USER_PIN_FINAL_TRY, 0);
    disk.write(&mut m);
    // The counter survives a reload: one more wrong PIN locks.
    let mut m = disk.open(3);
    assert_ne!(flags(&m) & CKF_USER_PIN_FINAL_TRY, 0);
    let h = m.open_session(0, RW).unwrap();
    assert_eq!(m.login(h, CKU_USER, b"bad-pin"), Err(CKR_PIN_INCORRECT));
    assert_eq!(m.login(h, CKU_USER, USER_PIN), Err(CKR_PIN_LOCKED));
    assert_ne!(flags(&m) & CKF_USER_PIN_LOCKED, 0);
    m.login(h, CKU_SO, SO_PIN).unwrap();
    m.init_pin(h, b"new-user-pin").unwrap();
    m.logout(h).unwrap();
    assert_eq!(
        flags(&m) & (CKF_USER_PIN_LOCKED | CKF_USER_PIN_COUNT_LOW),
        0
    );
    disk.write(&mut m);
    let mut m = disk.open(3);
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_USER, b"new-user-pin").unwrap();
    assert_eq!(find_label(&mut m, h, b"hidden-label").len(), 1);
}

#[test]
fn another_instance_sees_changes_and_pin_changes() {
    let (mut disk, mut a) = stored_token();
    let mut b = disk.open(3);
    // A changes the user PIN and creates an object; B applies A's writes.
    let ha = a.open_session(0, RW).unwrap();
    a.login(ha, CKU_USER, USER_PIN).unwrap();
    a.set_pin(ha, USER_PIN, b"changed-pin").unwrap();
    a.create_object(
        ha,
        &[
            A::ulong(CKA_CLASS, CKO_DATA),
            A::bool(CKA_TOKEN, true),
            A::new(CKA_LABEL, b"from-a".to_vec()),
        ],
    )
    .unwrap();
    pass_writes(&mut a, &mut b);
    let hb = b.open_session(0, RW).unwrap();
    assert_eq!(b.login(hb, CKU_USER, USER_PIN), Err(CKR_PIN_INCORRECT));
    b.login(hb, CKU_USER, b"changed-pin").unwrap();
    assert_eq!(find_label(&mut b, hb, b"from-a").len(), 1);
    // Re-initialization wipes storage in one transaction.
    a.close_all_sessions(0).unwrap();
    a.init_token(0, SO_PIN, b"again").unwrap();
    let t = a.take_transactions();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].ops[0], StoreOp::Clear);
    disk.apply(t);
    assert_eq!(disk.0.len(), 2, "only the token and counter records remain");
}

#[test]
fn memory_slots_write_nothing() {
    let mut m = Module::new(Config {
        kdf_iterations: 10,
        ..Config::default()
    });
    m.initialize().unwrap();
    m.init_token(0, SO_PIN, b"mem").unwrap();
    assert!(m.take_transactions().is_empty());
}

#[test]
fn a_memory_token_keeps_nothing_of_destroyed_objects() {
    // Issue 15 item 5: a memory token's secret keys are sealed in memory
    // (they lock at logout); destroying one must leave no record and no
    // version behind, or every create/destroy cycle grows the module.
    let mut m = super::tests::ready();
    let h = super::tests::user_session(&mut m);
    let template = [
        A::ulong(CKA_CLASS, CKO_SECRET_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_AES),
        A::bool(CKA_TOKEN, true),
        A::new(CKA_VALUE, SECRET.to_vec()),
    ];
    let kept = m.create_object(h, &template).unwrap();
    let sizes = |m: &Module| {
        let st = &m.slots[0].store;
        (st.records.len(), st.versions.len(), st.unverified.len())
    };
    let before = sizes(&m);
    assert_eq!(before.0, 1, "the kept key's sealed record");
    for _ in 0..100 {
        let k = m.create_object(h, &template).unwrap();
        m.destroy_object(h, k).unwrap();
    }
    assert_eq!(sizes(&m), before);
    assert!(m.take_transactions().is_empty());
    // The kept key is still there and usable after a logout and login.
    m.logout(h).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    m.find_objects_init(h, &[]).unwrap();
    assert_eq!(m.find_objects(h, 10).unwrap().len(), 1);
    m.find_objects_final(h).unwrap();
    let _ = kept;
}
