//! Attacks by someone who can write a token's storage (issue: "no record
//! is trusted without the master key"), each played against the core and
//! expected to fail: planted and edited records, swapped PIN blobs,
//! rollbacks, downgrades to format 1, absurd KDF costs; plus migration of
//! a real format 1 token and re-keying.
use zeroize::Zeroizing;

use super::tests_storage::{
    Disk, RW, SECRET, SO_PIN, USER_PIN, config, contains, find_label, stored_token,
};
use super::*;
use crate::attr::Attribute as A;
use crate::attr::policy::AttrMap;
use crate::store::StoreOp;
use crate::store::format::{self, MAC_LEN, ObjectBody};

const UID: &str = "00112233445566778899aabbccddeeff";

fn attrs(list: &[(CK_ULONG, &[u8])]) -> AttrMap {
    list.iter()
        .map(|(k, v)| (*k, Zeroizing::new(v.to_vec())))
        .collect()
}

/// A version 2 public record signed with a MAC the attacker cannot compute.
fn forged_public(uid: &str, a: &AttrMap) -> Vec<u8> {
    let mut r = format::encode_public(uid, 1, a);
    r.extend_from_slice(&[0x5a; MAC_LEN]);
    r
}

/// Re-encodes a stored public record with changed attributes, keeping its
/// (now wrong) MAC.
fn edit_public(record: &[u8], change: impl FnOnce(&mut AttrMap)) -> Vec<u8> {
    let p = format::decode_object(record).unwrap();
    let ObjectBody::Public(mut a) = p.body else {
        panic!("not public")
    };
    change(&mut a);
    let mut out = format::encode_public(&p.uid, p.version, &a);
    out.extend_from_slice(&record[record.len() - MAC_LEN..]);
    out
}

fn events(m: &mut Module) -> Vec<(&'static str, String)> {
    m.take_storage_events()
        .into_iter()
        .map(|e| (e.kind, e.key))
        .collect()
}

fn user_login(m: &mut Module) -> CK_ULONG {
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    h
}

fn public_key_record(disk: &Disk) -> (String, Vec<u8>) {
    disk.0
        .iter()
        .find(|(k, v)| k.starts_with("o/") && v[5] == format::KIND_PUBLIC)
        .map(|(k, v)| (k.clone(), v.clone()))
        .unwrap()
}

#[test]
fn a_planted_clear_record_claiming_a_secret_is_refused() {
    let (mut disk, _) = stored_token();
    let value: &[u8] = b"attacker knows this key value!!!";
    let planted = attrs(&[
        (CKA_CLASS, &crate::attr::ulong_bytes(CKO_SECRET_KEY)),
        (CKA_KEY_TYPE, &crate::attr::ulong_bytes(CKK_AES)),
        (CKA_TOKEN, &[1]),
        (CKA_PRIVATE, &[1]),
        (CKA_SENSITIVE, &[1]),
        (CKA_LOCAL, &[1]),
        (CKA_NEVER_EXTRACTABLE, &[1]),
        (CKA_ENCRYPT, &[1]),
        (CKA_LABEL, b"planted"),
        (CKA_VALUE, value),
        (CKA_UNIQUE_ID, UID.as_bytes()),
    ]);
    disk.0
        .insert(format!("o/{UID}"), forged_public(UID, &planted));
    let mut m = disk.open(3);
    assert_eq!(events(&mut m), vec![("tampered", format!("o/{UID}"))]);
    let h = user_login(&mut m);
    assert!(find_label(&mut m, h, b"planted").is_empty());
}

#[test]
fn an_unsigned_public_record_shows_before_login_and_is_dropped_at_login() {
    let (mut disk, _) = stored_token();
    let planted = attrs(&[
        (CKA_CLASS, &crate::attr::ulong_bytes(CKO_DATA)),
        (CKA_TOKEN, &[1]),
        (CKA_PRIVATE, &[0]),
        (CKA_LABEL, b"planted-data"),
        (CKA_UNIQUE_ID, UID.as_bytes()),
    ]);
    disk.0
        .insert(format!("o/{UID}"), forged_public(UID, &planted));
    let mut m = disk.open(3);
    assert!(
        events(&mut m).is_empty(),
        "nothing can be checked before a login"
    );
    let h = m.open_session(0, RW).unwrap();
    assert_eq!(find_label(&mut m, h, b"planted-data").len(), 1);
    m.login(h, CKU_USER, USER_PIN).unwrap();
    assert!(find_label(&mut m, h, b"planted-data").is_empty());
    assert_eq!(events(&mut m), vec![("tampered", format!("o/{UID}"))]);
    // The genuine public object passed the same check.
    assert_eq!(find_label(&mut m, h, b"open-label").len(), 1);
}

#[test]
fn trust_is_not_taken_from_a_record_nobody_checked() {
    let mut m = Module::new(config(3));
    m.initialize().unwrap();
    m.set_persistent(0).unwrap();
    m.init_token(0, SO_PIN, b"trust").unwrap();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_SO, SO_PIN).unwrap();
    m.init_pin(h, USER_PIN).unwrap();
    let ec_params = vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let point = {
        // A public key the SO marks trusted, and one it does not.
        let (pubk, _) = m
            .generate_key_pair(
                h,
                &crate::mech::CkMechanism::new(CKM_EC_KEY_PAIR_GEN),
                &[A::new(CKA_EC_PARAMS, ec_params.clone())],
                &[A::bool(CKA_PRIVATE, false)],
            )
            .unwrap();
        m.get_attribute_value(h, pubk, &[CKA_EC_POINT]).unwrap()[0]
            .clone()
            .unwrap()
    };
    for (label, trusted) in [(&b"trusted"[..], true), (b"plain", false)] {
        m.create_object(
            h,
            &[
                A::ulong(CKA_CLASS, CKO_PUBLIC_KEY),
                A::ulong(CKA_KEY_TYPE, CKK_EC),
                A::bool(CKA_TOKEN, true),
                A::bool(CKA_TRUSTED, trusted),
                A::new(CKA_LABEL, label.to_vec()),
                A::new(CKA_EC_PARAMS, ec_params.clone()),
                A::new(CKA_EC_POINT, point.clone()),
            ],
        )
        .unwrap();
    }
    m.close_session(h).unwrap();
    let mut disk = Disk::default();
    disk.write(&mut m);
    // The attacker makes the plain key trusted and a wrapping key.
    let plain_key = disk
        .0
        .iter()
        .find(|(k, v)| k.starts_with("o/") && v[5] == format::KIND_PUBLIC && contains(v, b"plain"))
        .map(|(k, _)| k.clone())
        .unwrap();
    let edited = edit_public(&disk.0[&plain_key], |a| {
        a.insert(CKA_TRUSTED, Zeroizing::new(vec![1]));
        a.insert(CKA_WRAP, Zeroizing::new(vec![1]));
    });
    disk.0.insert(plain_key.clone(), edited);
    let mut m = disk.open(3);
    let h = m.open_session(0, RW).unwrap();
    let trusted = |m: &mut Module, h, label: &[u8]| {
        let found = find_label(m, h, label);
        found.first().map(|o| {
            m.get_attribute_value(h, *o, &[CKA_TRUSTED]).unwrap()[0]
                .clone()
                .unwrap()
        })
    };
    // Before a login nothing is checked: no record says "trusted".
    assert_eq!(trusted(&mut m, h, b"plain"), Some(vec![0]));
    assert_eq!(trusted(&mut m, h, b"trusted"), Some(vec![0]));
    m.login(h, CKU_USER, USER_PIN).unwrap();
    assert_eq!(
        trusted(&mut m, h, b"plain"),
        None,
        "the edited record is dropped"
    );
    assert_eq!(
        trusted(&mut m, h, b"trusted"),
        Some(vec![1]),
        "the genuine one regains trust"
    );
    assert_eq!(events(&mut m), vec![("tampered", plain_key)]);
}

#[test]
fn records_must_name_their_own_object() {
    let (mut disk, _) = stored_token();
    let (key, record) = public_key_record(&disk);
    disk.0.insert(format!("o/{UID}"), record);
    let mut m = disk.open(3);
    assert_eq!(events(&mut m), vec![("tampered", format!("o/{UID}"))]);
    let h = user_login(&mut m);
    assert_eq!(
        find_label(&mut m, h, b"open-label").len(),
        1,
        "{key} still loads"
    );
    // Keys that are not record names are never used.
    let mut m = disk.open(3);
    m.storage_apply(0, vec![("o/../../x".into(), Some(vec![1, 2, 3]))])
        .unwrap();
    assert_eq!(events(&mut m)[1].0, "tampered");
}

fn rewrite_meta(disk: &mut Disk, change: impl FnOnce(&mut format::TokenRecord)) {
    let meta = disk.0["meta"].clone();
    let mut t = format::decode_token(&meta).unwrap();
    change(&mut t);
    let mut out = format::encode_token(&t);
    out.extend_from_slice(&meta[meta.len() - MAC_LEN..]);
    disk.0.insert("meta".into(), out);
}

#[test]
fn pin_blobs_are_bound_to_their_role_and_token() {
    let (mut disk, _) = stored_token();
    let (other, _) = stored_token();
    // The user's blob copied over the SO blob: the user PIN is no SO PIN.
    let mut swapped = disk.clone();
    rewrite_meta(&mut swapped, |t| t.so_pin = t.user_pin.clone());
    let mut m = swapped.open(3);
    let h = m.open_session(0, RW).unwrap();
    assert_eq!(m.login(h, CKU_SO, USER_PIN), Err(CKR_PIN_INCORRECT));
    // Another token's user blob (same PIN) does not open this token.
    let foreign = format::decode_token(&other.0["meta"]).unwrap().user_pin;
    rewrite_meta(&mut disk, |t| t.user_pin = foreign);
    let mut m = disk.open(3);
    let h = m.open_session(0, RW).unwrap();
    assert_eq!(m.login(h, CKU_USER, USER_PIN), Err(CKR_PIN_INCORRECT));
}

#[test]
fn an_edited_token_record_is_refused_at_login() {
    let (mut disk, _) = stored_token();
    rewrite_meta(&mut disk, |t| t.label = crate::token::padded(b"renamed"));
    let mut m = disk.open(3);
    assert_eq!(&m.get_token_info(0).unwrap().label[..7], b"renamed");
    let h = m.open_session(0, RW).unwrap();
    assert_eq!(m.login(h, CKU_USER, USER_PIN), Err(CKR_DEVICE_ERROR));
    assert_eq!(events(&mut m), vec![("tampered", "meta".into())]);
    assert_eq!(m.get_token_info(0).err(), Some(CKR_TOKEN_NOT_RECOGNIZED));
}

#[test]
fn a_running_instance_refuses_older_records_and_keeps_destroyed_objects_gone() {
    let (_, mut m) = stored_token();
    let h = user_login(&mut m);
    let data = find_label(&mut m, h, b"open-label")[0];
    m.take_transactions();
    m.set_attribute_value(h, data, &[A::new(CKA_VALUE, b"v2".to_vec())])
        .unwrap();
    let put = |t: Vec<crate::store::Transaction>| match &t[0].ops[0] {
        StoreOp::Put { key, value } => (key.clone(), value.clone()),
        op => panic!("{op:?}"),
    };
    let (key, older) = put(m.take_transactions());
    m.set_attribute_value(h, data, &[A::new(CKA_VALUE, b"v3".to_vec())])
        .unwrap();
    m.take_transactions();
    m.storage_apply(0, vec![(key.clone(), Some(older.clone()))])
        .unwrap();
    assert_eq!(events(&mut m), vec![("rollback", key.clone())]);
    let value = m.get_attribute_value(h, data, &[CKA_VALUE]).unwrap();
    assert_eq!(value[0], Ok(b"v3".to_vec()));
    // Destroyed: its tombstone outranks every older copy.
    m.destroy_object(h, data).unwrap();
    let (_, tombstone) = put(m.take_transactions());
    assert_eq!(
        format::decode_object(&tombstone).unwrap().body,
        ObjectBody::Tombstone
    );
    m.storage_apply(0, vec![(key.clone(), Some(older))])
        .unwrap();
    assert_eq!(events(&mut m), vec![("rollback", key)]);
    assert!(find_label(&mut m, h, b"open-label").is_empty());
}

fn v1_disk() -> Disk {
    let mut disk = Disk::default();
    let dir = std::path::Path::new("tests/data/v1-token");
    for name in ["meta", "counters"] {
        disk.0
            .insert(name.into(), std::fs::read(dir.join(name)).unwrap());
    }
    for e in std::fs::read_dir(dir.join("objects")).unwrap() {
        let e = e.unwrap();
        let key = format!("o/{}", e.file_name().to_string_lossy());
        disk.0.insert(key, std::fs::read(e.path()).unwrap());
    }
    disk
}

#[test]
fn a_version_1_token_loads_and_is_rewritten_at_the_first_login() {
    let mut disk = v1_disk();
    let mut m = disk.open(3);
    assert!(events(&mut m).is_empty());
    let h = m.open_session(0, RW).unwrap();
    assert_eq!(find_label(&mut m, h, b"v1-public-data").len(), 1);
    m.login(h, CKU_USER, b"user-pin-v1").unwrap();
    for label in [&b"v1-aes"[..], b"v1-ec", b"v1-public-data"] {
        assert!(!find_label(&mut m, h, label).is_empty(), "{label:?}");
    }
    let aes = find_label(&mut m, h, b"v1-aes")[0];
    let value = m.get_attribute_value(h, aes, &[CKA_VALUE]).unwrap();
    assert_eq!(value[0], Ok((0u8..32).collect::<Vec<u8>>()));
    // Everything was rewritten in format 2, in one transaction.
    let t = m.take_transactions();
    assert_eq!(t.len(), 1);
    disk.apply(t);
    for (k, v) in &disk.0 {
        assert_eq!(v[4], format::VERSION, "{k} still in format 1");
    }
    let mut m = disk.open(3);
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_SO, b"so-pin-v1").unwrap();
    m.logout(h).unwrap();
    m.login(h, CKU_USER, b"user-pin-v1").unwrap();
    assert_eq!(find_label(&mut m, h, b"v1-ec").len(), 2);
    assert!(events(&mut m).is_empty());
    // A format 1 record planted in the rewritten token is a downgrade.
    let old = v1_disk();
    let (key, v1_record) = old.0.iter().find(|(k, _)| k.starts_with("o/")).unwrap();
    disk.0.insert(key.clone(), v1_record.clone());
    let mut m = disk.open(3);
    assert_eq!(events(&mut m), vec![("tampered", key.clone())]);
}

#[test]
fn an_absurd_stored_kdf_cost_is_refused_at_load() {
    let (mut disk, _) = stored_token();
    rewrite_meta(&mut disk, |t| {
        if let Some(b) = t.user_pin.as_mut() {
            b.iterations = u32::MAX;
        }
    });
    let mut m = disk.open(3);
    assert_eq!(events(&mut m), vec![("tampered", "meta".into())]);
    assert_eq!(m.open_session(0, RW).err(), Some(CKR_TOKEN_NOT_RECOGNIZED));
}

#[test]
fn writes_to_a_persistent_token_need_a_login() {
    let (_, mut m) = stored_token();
    let h = m.open_session(0, RW).unwrap();
    let data = |token| {
        vec![
            A::ulong(CKA_CLASS, CKO_DATA),
            A::bool(CKA_TOKEN, token),
            A::bool(CKA_PRIVATE, false),
        ]
    };
    assert_eq!(m.create_object(h, &data(true)), Err(CKR_USER_NOT_LOGGED_IN));
    let public = find_label(&mut m, h, b"open-label")[0];
    assert_eq!(m.destroy_object(h, public), Err(CKR_USER_NOT_LOGGED_IN));
    m.create_object(h, &data(false)).unwrap();
    m.login(h, CKU_SO, SO_PIN).unwrap();
    m.create_object(h, &data(true)).unwrap();
}

#[test]
fn no_secret_is_ever_a_public_token_object() {
    // Token objects holding secrets must be private (the SO, who cannot
    // make private objects, cannot store a public secret key either), so
    // nothing secret is ever written in clear.
    let (mut disk, mut m) = stored_token();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_SO, SO_PIN).unwrap();
    let value = [0x42u8; 32];
    let escrow = |token: bool| {
        vec![
            A::ulong(CKA_CLASS, CKO_SECRET_KEY),
            A::ulong(CKA_KEY_TYPE, CKK_AES),
            A::bool(CKA_TOKEN, token),
            A::bool(CKA_PRIVATE, false),
            A::bool(CKA_TRUSTED, true),
            A::new(CKA_VALUE, value.to_vec()),
        ]
    };
    assert_eq!(
        m.create_object(h, &escrow(true)),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    m.create_object(h, &escrow(false)).unwrap();
    m.close_session(h).unwrap();
    disk.write(&mut m);
    assert!(!contains(&disk.bytes(), &value));
    assert!(
        !contains(&disk.bytes(), SECRET),
        "the user's private key is sealed"
    );
}

#[test]
fn re_keying_leaves_an_old_token_record_useless() {
    let (mut disk, mut m) = stored_token();
    let old_meta = disk.0["meta"].clone();
    m.rekey_token(0, SO_PIN, Some(USER_PIN)).unwrap();
    let h = user_login(&mut m);
    m.create_object(
        h,
        &[
            A::ulong(CKA_CLASS, CKO_DATA),
            A::bool(CKA_TOKEN, true),
            A::new(CKA_LABEL, b"after-rekey".to_vec()),
        ],
    )
    .unwrap();
    m.close_session(h).unwrap();
    disk.write(&mut m);
    // Same PINs, new master key: everything is there.
    let mut m = disk.open(3);
    let h = user_login(&mut m);
    for label in [&b"hidden-label"[..], b"open-label", b"after-rekey"] {
        assert_eq!(find_label(&mut m, h, label).len(), 1, "{label:?}");
    }
    // The old token record with the old PIN opens nothing written since.
    disk.0.insert("meta".into(), old_meta);
    let mut m = disk.open(3);
    let h = user_login(&mut m);
    assert!(find_label(&mut m, h, b"after-rekey").is_empty());
    assert!(find_label(&mut m, h, b"hidden-label").is_empty());
    assert!(events(&mut m).iter().all(|(k, _)| *k == "tampered"));
    // Re-keying needs both PINs and no open session.
    let (_, mut m) = stored_token();
    assert_eq!(m.rekey_token(0, SO_PIN, None), Err(CKR_ARGUMENTS_BAD));
    let h = m.open_session(0, RW).unwrap();
    assert_eq!(
        m.rekey_token(0, SO_PIN, Some(USER_PIN)),
        Err(CKR_SESSION_EXISTS)
    );
    m.close_session(h).unwrap();
    assert_eq!(
        m.rekey_token(0, SO_PIN, Some(b"wrong")),
        Err(CKR_PIN_INCORRECT)
    );
}
