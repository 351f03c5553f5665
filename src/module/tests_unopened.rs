//! Sealed objects opened at first use (`unopened`): a USER login opens
//! nothing; every call that takes an object handle opens that object
//! first; a damaged record is reported at that first use; logout keeps
//! what is public; other instances' changes reach unopened handles.
use super::tests_storage::{
    Disk, RW, SECRET, SO_PIN, USER_PIN, find_label, pass_writes, stored_token,
};
use super::*;
use crate::attr::Attribute as A;
use crate::mech::{CkMechanism, Param};
use crate::store::format;

const HANDLE_ERRORS: [CK_ULONG; 4] = [
    CKR_OBJECT_HANDLE_INVALID,
    CKR_KEY_HANDLE_INVALID,
    CKR_WRAPPING_KEY_HANDLE_INVALID,
    CKR_UNWRAPPING_KEY_HANDLE_INVALID,
];

/// A stored token (`stored_token`) plus two private AES keys allowed
/// every use ("aes-1", "aes-2") and a private ML-KEM-512 pair ("kem").
fn rich_token() -> Disk {
    let (mut disk, mut m) = stored_token();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    for label in [&b"aes-1"[..], b"aes-2"] {
        let mut t = vec![
            A::ulong(CKA_CLASS, CKO_SECRET_KEY),
            A::ulong(CKA_KEY_TYPE, CKK_AES),
            A::bool(CKA_TOKEN, true),
            A::new(CKA_VALUE, SECRET.to_vec()),
            A::new(CKA_LABEL, label.to_vec()),
            A::bool(CKA_SENSITIVE, false),
            A::bool(CKA_EXTRACTABLE, true),
        ];
        for usage in [
            CKA_ENCRYPT,
            CKA_DECRYPT,
            CKA_SIGN,
            CKA_VERIFY,
            CKA_WRAP,
            CKA_UNWRAP,
            CKA_DERIVE,
        ] {
            t.push(A::bool(usage, true));
        }
        m.create_object(h, &t).unwrap();
    }
    let label = |l: &[u8]| A::new(CKA_LABEL, l.to_vec());
    m.generate_key_pair(
        h,
        &CkMechanism::new(CKM_ML_KEM_KEY_PAIR_GEN),
        &[
            A::bool(CKA_TOKEN, true),
            A::bool(CKA_PRIVATE, true),
            A::ulong(CKA_PARAMETER_SET, CKP_ML_KEM_512),
            label(b"kem-public"),
        ],
        &[A::bool(CKA_TOKEN, true), label(b"kem-private")],
    )
    .unwrap();
    m.close_session(h).unwrap();
    disk.write(&mut m);
    disk
}

/// A new instance on `disk`, the USER logged in: (module, session).
fn logged_in(disk: &Disk) -> (Module, CK_ULONG) {
    let mut m = disk.open(3);
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    (m, h)
}

fn find_all(m: &mut Module, h: CK_ULONG) -> Vec<CK_ULONG> {
    m.find_objects_init(h, &[]).unwrap();
    let found = m.find_objects(h, 100).unwrap();
    m.find_objects_final(h).unwrap();
    found
}

/// The handle of the unopened object labelled `label` (opened by the
/// lookup itself, so found by unique id through a second instance).
fn unopened_labelled(disk: &Disk, m: &Module, label: &[u8]) -> CK_ULONG {
    let (mut probe, ph) = logged_in(disk);
    let found = find_label(&mut probe, ph, label);
    let uid = probe
        .get_attribute_value(ph, found[0], &[CKA_UNIQUE_ID])
        .unwrap()[0]
        .clone()
        .unwrap();
    let uid = String::from_utf8(uid).unwrap();
    *m.unopened
        .iter()
        .find(|(_, u)| super::unopened::uid_of(u) == uid)
        .map(|(h, _)| h)
        .unwrap()
}

fn aes_key_template() -> Vec<A> {
    vec![
        A::ulong(CKA_CLASS, CKO_SECRET_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_AES),
        A::ulong(CKA_VALUE_LEN, 16),
    ]
}

#[test]
fn a_login_opens_nothing_and_finding_all_opens_nothing() {
    let disk = rich_token();
    let (mut m, h) = logged_in(&disk);
    let sealed = disk
        .0
        .values()
        .filter(|r| r[5] == format::KIND_PRIVATE)
        .count();
    assert_eq!(
        sealed, 5,
        "hidden-label, aes-1, aes-2 and the KEM pair are sealed"
    );
    assert_eq!(m.unopened.len(), sealed, "the login opened no record");
    assert!(m.objects.values().all(|e| !e.object.is_private()));
    let all = find_all(&mut m, h);
    assert_eq!(
        all.len(),
        sealed + 1,
        "every object is found (and the public one)"
    );
    assert_eq!(m.unopened.len(), sealed, "an empty template opens nothing");
    // One object's attributes open that object only.
    let one = *all.iter().find(|x| m.unopened.contains_key(x)).unwrap();
    let label = m.get_attribute_value(h, one, &[CKA_LABEL]).unwrap();
    assert!(label[0].is_ok());
    assert_eq!(m.unopened.len(), sealed - 1);
    assert!(m.objects.contains_key(&one), "opened under the same handle");
    // A search by attribute opens the rest, and finds by what was sealed.
    assert_eq!(find_label(&mut m, h, b"hidden-label").len(), 1);
    assert!(m.unopened.is_empty());
    assert_eq!(
        find_all(&mut m, h),
        all,
        "the same handles before and after opening"
    );
    assert!(m.take_storage_events().is_empty());
}

#[test]
fn every_call_that_takes_a_handle_opens_it_first() {
    let disk = rich_token();
    let ecb = CkMechanism::new(CKM_AES_ECB);
    let cmac = CkMechanism::new(CKM_AES_CMAC);
    let gcm = CkMechanism::new(CKM_AES_GCM); // message-based: each message brings its IV
    let kw = CkMechanism::new(CKM_AES_KEY_WRAP);
    let derive = CkMechanism::with(CKM_AES_ECB_ENCRYPT_DATA, Param::Bytes(vec![7; 16]));
    let kem = CkMechanism::new(CKM_ML_KEM);
    type Call = Box<dyn Fn(&mut Module, CK_ULONG, CK_ULONG, CK_ULONG) -> CkResult<()>>;
    let calls: Vec<(&str, &[u8], Call)> = vec![
        (
            "C_GetAttributeValue",
            b"aes-1",
            Box::new(|m, h, k, _| m.get_attribute_value(h, k, &[CKA_LABEL]).map(drop)),
        ),
        (
            "C_GetObjectSize",
            b"aes-1",
            Box::new(|m, h, k, _| m.get_object_size(h, k).map(drop)),
        ),
        (
            "C_SetAttributeValue",
            b"aes-1",
            Box::new(|m, h, k, _| m.set_attribute_value(h, k, &[A::new(CKA_LABEL, b"x".to_vec())])),
        ),
        (
            "C_CopyObject",
            b"aes-1",
            Box::new(|m, h, k, _| m.copy_object(h, k, &[]).map(drop)),
        ),
        (
            "C_DestroyObject",
            b"aes-1",
            Box::new(|m, h, k, _| m.destroy_object(h, k)),
        ),
        (
            "C_EncryptInit",
            b"aes-1",
            Box::new(move |m, h, k, _| m.encrypt_init(h, &ecb.clone(), k)),
        ),
        (
            "C_DecryptInit",
            b"aes-1",
            Box::new(|m, h, k, _| m.decrypt_init(h, &CkMechanism::new(CKM_AES_ECB), k)),
        ),
        (
            "C_SignInit",
            b"aes-1",
            Box::new(move |m, h, k, _| m.sign_init(h, &cmac.clone(), k)),
        ),
        (
            "C_VerifyInit",
            b"aes-1",
            Box::new(|m, h, k, _| m.verify_init(h, &CkMechanism::new(CKM_AES_CMAC), k)),
        ),
        (
            "C_VerifySignatureInit",
            b"aes-1",
            Box::new(|m, h, k, _| {
                m.verify_signature_init(h, Some(&CkMechanism::new(CKM_AES_CMAC)), k, &[0; 16])
            }),
        ),
        (
            "C_DigestKey",
            b"aes-1",
            Box::new(|m, h, k, _| {
                m.digest_init(h, &CkMechanism::new(CKM_SHA256))?;
                m.digest_key(h, k)
            }),
        ),
        (
            "C_WrapKey (wrapping key)",
            b"aes-1",
            Box::new(|m, h, k, other| {
                m.wrap_key(h, &CkMechanism::new(CKM_AES_KEY_WRAP), k, other, None)
                    .map(drop)
            }),
        ),
        (
            "C_WrapKey (key wrapped)",
            b"aes-2",
            Box::new(|m, h, k, other| {
                m.wrap_key(h, &CkMechanism::new(CKM_AES_KEY_WRAP), other, k, None)
                    .map(drop)
            }),
        ),
        (
            "C_UnwrapKey",
            b"aes-1",
            Box::new(move |m, h, k, _| {
                m.unwrap_key(h, &kw.clone(), k, &[1; 24], &aes_key_template())
                    .map(drop)
            }),
        ),
        (
            "C_DeriveKey",
            b"aes-1",
            Box::new(move |m, h, k, _| {
                m.derive_key(h, &derive.clone(), k, &aes_key_template())
                    .map(drop)
            }),
        ),
        (
            "C_MessageEncryptInit",
            b"aes-1",
            Box::new(move |m, h, k, _| m.message_encrypt_init(h, Some(&gcm.clone()), k)),
        ),
        (
            "C_MessageDecryptInit",
            b"aes-1",
            Box::new(|m, h, k, _| {
                m.message_decrypt_init(h, Some(&CkMechanism::new(CKM_AES_GCM)), k)
            }),
        ),
        (
            "C_MessageSignInit",
            b"aes-1",
            Box::new(|m, h, k, _| m.message_sign_init(h, Some(&CkMechanism::new(CKM_AES_CMAC)), k)),
        ),
        (
            "C_MessageVerifyInit",
            b"aes-1",
            Box::new(|m, h, k, _| {
                m.message_verify_init(h, Some(&CkMechanism::new(CKM_AES_CMAC)), k)
            }),
        ),
        (
            "C_EncapsulateKey",
            b"kem-public",
            Box::new(move |m, h, k, _| {
                m.encapsulate_key(h, &kem.clone(), k, &aes_key_template(), None)
                    .map(drop)
            }),
        ),
        (
            "C_DecapsulateKey",
            b"kem-private",
            Box::new(|m, h, k, _| {
                m.decapsulate_key(
                    h,
                    &CkMechanism::new(CKM_ML_KEM),
                    k,
                    &aes_key_template(),
                    &[0; 768],
                )
                .map(drop)
            }),
        ),
    ];
    for (name, label, call) in calls {
        let (mut m, h) = logged_in(&disk);
        let key = unopened_labelled(&disk, &m, label);
        let other_label: &[u8] = if label == b"aes-2" {
            b"aes-1"
        } else {
            b"aes-2"
        };
        let other = unopened_labelled(&disk, &m, other_label);
        let result = call(&mut m, h, key, other);
        assert!(
            !matches!(result, Err(rv) if HANDLE_ERRORS.contains(&rv)),
            "{name}: {result:?} for a handle that was never opened"
        );
        assert!(
            !m.unopened.contains_key(&key),
            "{name}: the object is open now"
        );
        assert!(m.take_storage_events().is_empty(), "{name}");
    }
}

#[test]
fn a_damaged_record_is_reported_at_its_first_use_and_its_handle_dies() {
    let mut disk = rich_token();
    let (m, _) = logged_in(&disk);
    let victim = unopened_labelled(&disk, &m, b"aes-1");
    let uid = super::unopened::uid_of(&m.unopened[&victim]).to_string();
    let record = disk.0.get_mut(&format!("o/{uid}")).unwrap();
    let n = record.len();
    record[n - 5] ^= 0x40;
    let (mut m, h) = logged_in(&disk);
    assert!(
        m.take_storage_events().is_empty(),
        "nothing is opened at login, so nothing reported"
    );
    let all = find_all(&mut m, h);
    let victim = *m
        .unopened
        .iter()
        .find(|(_, u)| super::unopened::uid_of(u) == uid)
        .unwrap()
        .0;
    assert!(
        all.contains(&victim),
        "an empty template finds the unopened record"
    );
    assert_eq!(
        m.sign_init(h, &CkMechanism::new(CKM_AES_CMAC), victim),
        Err(CKR_KEY_HANDLE_INVALID),
        "its first use fails as for a handle that is gone"
    );
    let events = m.take_storage_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, "tampered");
    assert_eq!(events[0].key, format!("o/{uid}"));
    assert_eq!(
        m.get_attribute_value(h, victim, &[CKA_LABEL]),
        Err(CKR_OBJECT_HANDLE_INVALID)
    );
    assert_eq!(
        find_all(&mut m, h).len(),
        all.len() - 1,
        "and it is found no more"
    );
    assert!(
        find_label(&mut m, h, b"aes-2").len() == 1,
        "the others open"
    );
}

/// `stored_token` plus a sealed record whose object is public
/// ("public-secret": a secret key with CKA_PRIVATE false; no call makes
/// one now, older versions did).
fn with_sealed_public_object() -> Disk {
    let (mut disk, mut m) = stored_token();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    let hidden = find_label(&mut m, h, b"hidden-label")[0];
    let mut attrs = m.objects[&hidden].object.attrs.clone();
    let uid = "00112233445566778899aabbccddeeff";
    attrs.insert(CKA_PRIVATE, vec![0].into());
    attrs.insert(CKA_LABEL, b"public-secret".to_vec().into());
    attrs.insert(CKA_UNIQUE_ID, uid.as_bytes().to_vec().into());
    let record = m.token_keys(0).unwrap().seal(uid, 1, &attrs).unwrap();
    disk.0.insert(format!("o/{uid}"), record);
    disk
}

#[test]
fn logout_keeps_sealed_public_objects_and_drops_private_ones() {
    let disk = with_sealed_public_object();
    let (mut m, h) = logged_in(&disk);
    let before = find_all(&mut m, h);
    assert_eq!(m.unopened.len(), 2);
    m.logout(h).unwrap();
    assert!(
        m.unopened.is_empty(),
        "nothing stays unopened without the master key"
    );
    let after = find_all(&mut m, h);
    assert_eq!(
        after.len(),
        2,
        "the public data object and the public secret key"
    );
    assert!(
        after.iter().all(|x| before.contains(x)),
        "public handles stay valid (5.6.10)"
    );
    assert_eq!(find_label(&mut m, h, b"public-secret").len(), 1);
    assert!(find_label(&mut m, h, b"hidden-label").is_empty());
    // A second login: the sealed public object, opened at the logout,
    // keeps its one handle (its record gets no second one); the private
    // one comes back unopened.
    m.login(h, CKU_USER, USER_PIN).unwrap();
    assert_eq!(m.unopened.len(), 1);
    assert_eq!(find_all(&mut m, h).len(), before.len());
    // C_Finalize drops unopened handles without opening them.
    let (mut m, _) = logged_in(&disk);
    assert_eq!(m.unopened.len(), 2);
    m.finalize().unwrap();
    assert!(m.unopened.is_empty());
    assert!(
        m.objects
            .values()
            .all(|e| !e.object.bool(CKA_SENSITIVE) || e.object.get(CKA_VALUE).is_none())
    );
}

#[test]
fn another_instances_changes_reach_unopened_handles() {
    let disk = rich_token();
    let (mut a, ha) = logged_in(&disk);
    let (mut b, hb) = logged_in(&disk);
    let in_b = find_label(&mut b, hb, b"aes-1")[0];
    let in_a = unopened_labelled(&disk, &a, b"aes-1");
    let gone_b = find_label(&mut b, hb, b"aes-2")[0];
    let gone_a = unopened_labelled(&disk, &a, b"aes-2");
    b.set_attribute_value(hb, in_b, &[A::new(CKA_LABEL, b"renamed".to_vec())])
        .unwrap();
    b.destroy_object(hb, gone_b).unwrap();
    pass_writes(&mut b, &mut a);
    assert!(
        a.unopened.contains_key(&in_a),
        "a changed record stays unopened"
    );
    assert_eq!(
        a.get_attribute_value(ha, in_a, &[CKA_LABEL]).unwrap()[0],
        Ok(b"renamed".to_vec()),
        "and opens as the newer record, under the same handle"
    );
    assert!(!a.unopened.contains_key(&gone_a), "a destroyed one is gone");
    assert_eq!(
        a.get_attribute_value(ha, gone_a, &[CKA_LABEL]),
        Err(CKR_OBJECT_HANDLE_INVALID)
    );
    assert!(a.take_storage_events().is_empty());
}

#[test]
fn an_so_login_still_opens_what_it_may_see() {
    let disk = with_sealed_public_object();
    let mut m = disk.open(3);
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_SO, SO_PIN).unwrap();
    assert!(m.unopened.is_empty(), "the SO's login defers nothing");
    assert_eq!(
        find_label(&mut m, h, b"public-secret").len(),
        1,
        "the sealed public object is opened for the SO"
    );
    assert!(
        find_label(&mut m, h, b"hidden-label").is_empty(),
        "a private one is not"
    );
    assert!(m.take_storage_events().is_empty());
}

/// A new instance on `disk` given only the token and counter records, a
/// session and `user` logged in, then the object records: the order the
/// facade uses for a login (TokenStorage.pinCall).
fn objects_after_login(disk: &Disk, user: CK_ULONG, pin: &[u8]) -> (Module, CK_ULONG) {
    let mut m = Module::new(super::tests_storage::config(3));
    m.initialize().unwrap();
    m.set_persistent(0).unwrap();
    let (objects, token): (Vec<_>, Vec<_>) = disk
        .0
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .partition(|(k, _)| k.starts_with("o/"));
    m.storage_apply(0, token).unwrap();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, user, pin).unwrap();
    m.storage_apply(0, objects).unwrap();
    (m, h)
}

#[test]
fn objects_read_after_the_login_are_filed_as_if_read_before() {
    let disk = rich_token();
    let (mut before, hb) = logged_in(&disk);
    let (mut after, ha) = objects_after_login(&disk, CKU_USER, USER_PIN);
    assert_eq!(
        after.unopened.len(),
        before.unopened.len(),
        "sealed ones wait, unopened"
    );
    assert_eq!(
        find_all(&mut after, ha).len(),
        find_all(&mut before, hb).len()
    );
    assert!(
        after.store_of(0).unverified.is_empty(),
        "public records were checked as they came"
    );
    for label in [&b"aes-1"[..], b"kem-private", b"hidden-label"] {
        assert_eq!(find_label(&mut after, ha, label).len(), 1, "{label:?}");
    }
    assert!(after.take_storage_events().is_empty());

    // A public record whose MAC fails is refused as it comes, logged in.
    let mut forged = disk.clone();
    let (key, record) = forged
        .0
        .iter_mut()
        .find(|(k, r)| k.starts_with("o/") && r[5] == format::KIND_PUBLIC)
        .unwrap();
    let key = key.clone();
    *record.last_mut().unwrap() ^= 1;
    let (mut m, h) = objects_after_login(&forged, CKU_USER, USER_PIN);
    let events = m.take_storage_events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        (events[0].kind, events[0].key.as_str()),
        ("tampered", key.as_str())
    );
    assert_eq!(
        find_all(&mut m, h).len(),
        find_all(&mut before, hb).len() - 1
    );

    // The SO sees the sealed public object, opened, and no private one.
    let disk = with_sealed_public_object();
    let (mut m, h) = objects_after_login(&disk, CKU_SO, SO_PIN);
    assert!(m.unopened.is_empty());
    assert_eq!(find_label(&mut m, h, b"public-secret").len(), 1);
    assert!(find_label(&mut m, h, b"hidden-label").is_empty());
    assert!(m.take_storage_events().is_empty());
}
