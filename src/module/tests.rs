//! Engine tests: the session/login state machine, attribute policy and
//! operation lifecycle, driven through `Module` as the facade drives it.
use super::*;
use crate::attr::{Attribute as A, parse_ulong};
use crate::mech::{CkMechanism, Param};

pub(super) const SO_PIN: &[u8] = b"so-secret";
pub(super) const USER_PIN: &[u8] = b"user-1234";
pub(super) const RW: CK_ULONG = CKF_SERIAL_SESSION | CKF_RW_SESSION;

pub(super) fn fast() -> Config {
    Config {
        kdf_iterations: 10,
        ..Config::default()
    }
}

/// An initialized token in slot 0 with the user PIN set, nobody logged in.
pub(super) fn ready() -> Module {
    ready_with(fast())
}

/// The same under `config`.
pub(super) fn ready_with(config: Config) -> Module {
    let mut m = Module::new(config);
    m.initialize().unwrap();
    m.init_token(0, SO_PIN, b"test").unwrap();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_SO, SO_PIN).unwrap();
    m.init_pin(h, USER_PIN).unwrap();
    m.close_session(h).unwrap();
    m
}

pub(super) fn user_session(m: &mut Module) -> CK_ULONG {
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    h
}

pub(super) fn aes_template(extra: &[A]) -> Vec<A> {
    let mut t = vec![
        A::ulong(CKA_CLASS, CKO_SECRET_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_AES),
        A::new(CKA_VALUE, vec![7u8; 16]),
    ];
    t.extend_from_slice(extra);
    t
}

fn data_object(token: bool, private: bool) -> Vec<A> {
    vec![
        A::ulong(CKA_CLASS, CKO_DATA),
        A::bool(CKA_TOKEN, token),
        A::bool(CKA_PRIVATE, private),
        A::new(CKA_LABEL, b"d".to_vec()),
    ]
}

#[test]
fn initialize_twice_and_calls_before_init() {
    let mut m = Module::new(fast());
    assert_eq!(m.get_info().err(), Some(CKR_CRYPTOKI_NOT_INITIALIZED));
    assert_eq!(m.finalize(), Err(CKR_CRYPTOKI_NOT_INITIALIZED));
    m.initialize().unwrap();
    assert_eq!(m.initialize(), Err(CKR_CRYPTOKI_ALREADY_INITIALIZED));
    assert_eq!(m.get_info().unwrap().cryptoki_version.major, 3);
    m.finalize().unwrap();
    assert_eq!(
        m.get_slot_list(false).err(),
        Some(CKR_CRYPTOKI_NOT_INITIALIZED)
    );
}

#[test]
fn fresh_slot_appears_after_init_token_and_ids_are_stable() {
    let mut m = Module::new(fast());
    m.initialize().unwrap();
    assert_eq!(m.get_slot_list(true).unwrap(), vec![0]);
    let info = m.get_token_info(0).unwrap();
    assert_eq!(info.flags & CKF_TOKEN_INITIALIZED, 0);
    assert_ne!(info.flags & CKF_RNG, 0);
    assert_eq!(m.open_session(0, RW), Err(CKR_TOKEN_NOT_RECOGNIZED));
    m.init_token(0, SO_PIN, b"first").unwrap();
    assert_eq!(m.get_slot_list(true).unwrap(), vec![0, 1]);
    let info = m.get_token_info(0).unwrap();
    assert_eq!(&info.label[..6], b"first ");
    assert_ne!(info.flags & CKF_TOKEN_INITIALIZED, 0);
    assert_ne!(info.flags & CKF_LOGIN_REQUIRED, 0);
    assert_eq!(info.flags & CKF_USER_PIN_INITIALIZED, 0);
    // Re-initializing needs the SO PIN and adds no slot.
    assert_eq!(m.init_token(0, b"wrong-pin", b"x"), Err(CKR_PIN_INCORRECT));
    m.init_token(0, SO_PIN, b"again").unwrap();
    assert_eq!(m.get_slot_list(true).unwrap(), vec![0, 1]);
    assert_eq!(m.wait_for_slot_event(CKF_DONT_BLOCK), Ok(0));
    assert_eq!(m.get_slot_info(7).err(), Some(CKR_SLOT_ID_INVALID));
    assert_eq!(m.init_token(0, b"123", b"x"), Err(CKR_PIN_LEN_RANGE));
}

#[test]
fn serial_drawn_at_init_token_and_kept_through_reinit() {
    let mut m = Module::new(fast());
    m.initialize().unwrap();
    let serial = |m: &Module, slot| m.get_token_info(slot).unwrap().serial_number;
    // A free slot's token has no serial yet (no random draw at start-up).
    assert_eq!(serial(&m, 0), [b' '; 16]);
    m.init_token(0, SO_PIN, b"first").unwrap();
    let first = serial(&m, 0);
    assert!(first.iter().all(|c| c.is_ascii_hexdigit()), "{first:?}");
    assert_eq!(serial(&m, 1), [b' '; 16], "the new free slot");
    m.init_token(1, SO_PIN, b"second").unwrap();
    assert_ne!(serial(&m, 1), first, "each token draws its own");
    m.init_token(0, SO_PIN, b"again").unwrap();
    assert_eq!(serial(&m, 0), first, "initializing again keeps the serial");
}

#[test]
fn five_session_states() {
    let mut m = ready();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let rw = m.open_session(0, RW).unwrap();
    let state = |m: &Module, h| m.get_session_info(h).unwrap().state;
    assert_eq!(state(&m, ro), CKS_RO_PUBLIC_SESSION);
    assert_eq!(state(&m, rw), CKS_RW_PUBLIC_SESSION);
    m.login(rw, CKU_USER, USER_PIN).unwrap();
    assert_eq!(state(&m, ro), CKS_RO_USER_FUNCTIONS);
    assert_eq!(state(&m, rw), CKS_RW_USER_FUNCTIONS);
    m.logout(ro).unwrap();
    m.close_session(ro).unwrap();
    m.login(rw, CKU_SO, SO_PIN).unwrap();
    assert_eq!(state(&m, rw), CKS_RW_SO_FUNCTIONS);
    assert_eq!(
        m.open_session(0, CKF_SERIAL_SESSION),
        Err(CKR_SESSION_READ_WRITE_SO_EXISTS)
    );
    assert_eq!(
        m.open_session(0, 0),
        Err(CKR_SESSION_PARALLEL_NOT_SUPPORTED)
    );
}

#[test]
fn login_rules() {
    let mut m = ready();
    let h = m.open_session(0, RW).unwrap();
    assert_eq!(m.logout(h), Err(CKR_USER_NOT_LOGGED_IN));
    assert_eq!(m.login(h, 7, USER_PIN), Err(CKR_USER_TYPE_INVALID));
    assert_eq!(m.login(h, CKU_USER, b"nope"), Err(CKR_PIN_INCORRECT));
    m.login(h, CKU_USER, USER_PIN).unwrap();
    assert_eq!(
        m.login(h, CKU_USER, USER_PIN),
        Err(CKR_USER_ALREADY_LOGGED_IN)
    );
    assert_eq!(
        m.login(h, CKU_SO, SO_PIN),
        Err(CKR_USER_ANOTHER_ALREADY_LOGGED_IN)
    );
    m.logout(h).unwrap();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    assert_eq!(
        m.login(h, CKU_SO, SO_PIN),
        Err(CKR_SESSION_READ_ONLY_EXISTS)
    );
    m.close_session(ro).unwrap();
    m.login(h, CKU_SO, SO_PIN).unwrap();
    // InitPIN needs R/W SO; SetPIN in SO state changes the SO PIN.
    m.set_pin(h, SO_PIN, b"new-so-pin").unwrap();
    m.logout(h).unwrap();
    assert_eq!(m.login(h, CKU_SO, SO_PIN), Err(CKR_PIN_INCORRECT));
    m.login(h, CKU_SO, b"new-so-pin").unwrap();
    m.logout(h).unwrap();
    assert_eq!(m.init_pin(h, b"whatever"), Err(CKR_USER_NOT_LOGGED_IN));
}

#[test]
fn user_pin_not_initialized_and_set_pin_in_public_session() {
    let mut m = Module::new(fast());
    m.initialize().unwrap();
    m.init_token(0, SO_PIN, b"t").unwrap();
    let h = m.open_session(0, RW).unwrap();
    assert_eq!(
        m.login(h, CKU_USER, USER_PIN),
        Err(CKR_USER_PIN_NOT_INITIALIZED)
    );
    m.login(h, CKU_SO, SO_PIN).unwrap();
    assert_eq!(m.init_pin(h, b"12"), Err(CKR_PIN_LEN_RANGE));
    m.init_pin(h, USER_PIN).unwrap();
    m.logout(h).unwrap();
    // A R/W public session changes the user PIN.
    assert_eq!(
        m.set_pin(h, b"bad-old", b"new-user-pin"),
        Err(CKR_PIN_INCORRECT)
    );
    assert_eq!(m.set_pin(h, USER_PIN, b"1"), Err(CKR_PIN_LEN_RANGE));
    m.set_pin(h, USER_PIN, b"new-user-pin").unwrap();
    m.login(h, CKU_USER, b"new-user-pin").unwrap();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    assert_eq!(
        m.set_pin(ro, b"new-user-pin", b"another-pin"),
        Err(CKR_SESSION_READ_ONLY)
    );
}

#[test]
fn pin_lockout_counts_and_resets() {
    let mut m = Module::new(Config {
        max_pin_tries: 3,
        ..fast()
    });
    m.initialize().unwrap();
    m.init_token(0, SO_PIN, b"t").unwrap();
    let h = m.open_session(0, RW).unwrap();
    m.login(h, CKU_SO, SO_PIN).unwrap();
    m.init_pin(h, USER_PIN).unwrap();
    m.logout(h).unwrap();
    assert_eq!(m.login(h, CKU_USER, b"wrong1"), Err(CKR_PIN_INCORRECT));
    assert_ne!(
        m.get_token_info(0).unwrap().flags & CKF_USER_PIN_COUNT_LOW,
        0
    );
    assert_eq!(m.login(h, CKU_USER, b"wrong2"), Err(CKR_PIN_INCORRECT));
    assert_ne!(
        m.get_token_info(0).unwrap().flags & CKF_USER_PIN_FINAL_TRY,
        0
    );
    // The third wrong PIN is still "incorrect"; from then on "locked".
    assert_eq!(m.login(h, CKU_USER, b"wrong3"), Err(CKR_PIN_INCORRECT));
    assert_eq!(m.login(h, CKU_USER, USER_PIN), Err(CKR_PIN_LOCKED));
    assert_ne!(m.get_token_info(0).unwrap().flags & CKF_USER_PIN_LOCKED, 0);
    // The SO resets a locked user PIN with C_InitPIN.
    m.login(h, CKU_SO, SO_PIN).unwrap();
    m.init_pin(h, USER_PIN).unwrap();
    m.logout(h).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    assert_eq!(
        m.get_token_info(0).unwrap().flags & (CKF_USER_PIN_LOCKED | CKF_USER_PIN_COUNT_LOW),
        0
    );
}

#[test]
fn ro_sessions_and_private_objects() {
    let mut m = ready();
    let ro = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    assert_eq!(
        m.create_object(ro, &data_object(true, false)),
        Err(CKR_SESSION_READ_ONLY)
    );
    assert_eq!(
        m.create_object(ro, &data_object(false, true)),
        Err(CKR_USER_NOT_LOGGED_IN)
    );
    let public_session_obj = m.create_object(ro, &data_object(false, false)).unwrap();
    let rw = user_session(&mut m);
    let private_token_obj = m.create_object(rw, &data_object(true, true)).unwrap();
    m.find_objects_init(ro, &[]).unwrap();
    let mut seen = m.find_objects(ro, 10).unwrap();
    seen.sort();
    assert_eq!(seen, vec![public_session_obj, private_token_obj]);
    m.find_objects_final(ro).unwrap();
    m.logout(rw).unwrap();
    // Private objects vanish from searches and their old handles die.
    m.find_objects_init(ro, &[]).unwrap();
    assert_eq!(m.find_objects(ro, 10).unwrap(), vec![public_session_obj]);
    m.find_objects_final(ro).unwrap();
    assert_eq!(
        m.get_attribute_value(ro, private_token_obj, &[CKA_LABEL])
            .err(),
        Some(CKR_OBJECT_HANDLE_INVALID)
    );
    m.login(rw, CKU_USER, USER_PIN).unwrap();
    assert_eq!(
        m.get_attribute_value(ro, private_token_obj, &[CKA_LABEL])
            .err(),
        Some(CKR_OBJECT_HANDLE_INVALID)
    );
    m.find_objects_init(ro, &[A::bool(CKA_PRIVATE, true)])
        .unwrap();
    let found = m.find_objects(ro, 10).unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0] > private_token_obj, "handles are never reused");
    assert_eq!(m.find_objects_init(ro, &[]), Err(CKR_OPERATION_ACTIVE));
    m.find_objects_final(ro).unwrap();
    assert_eq!(m.find_objects_final(ro), Err(CKR_OPERATION_NOT_INITIALIZED));
}

#[test]
fn session_objects_die_with_their_session() {
    let mut m = ready();
    let a = user_session(&mut m);
    let b = m.open_session(0, RW).unwrap();
    let obj = m.create_object(a, &data_object(false, false)).unwrap();
    assert!(m.get_object_size(b, obj).unwrap() > 0);
    m.close_session(a).unwrap();
    assert_eq!(m.get_object_size(b, obj), Err(CKR_OBJECT_HANDLE_INVALID));
    // Closing the last session logged the user out? b was open, so no.
    assert_eq!(m.get_session_info(b).unwrap().state, CKS_RW_USER_FUNCTIONS);
    m.close_session(b).unwrap();
    let c = m.open_session(0, RW).unwrap();
    assert_eq!(m.get_session_info(c).unwrap().state, CKS_RW_PUBLIC_SESSION);
}

/// Session objects made every way (create, copy, generate) die with the
/// session that made them, and only they: closing a session that made
/// none (which skips the walk through all objects) leaves the others'.
#[test]
fn closing_a_session_takes_exactly_its_objects() {
    let mut m = ready();
    let a = user_session(&mut m);
    let b = m.open_session(0, RW).unwrap();
    let idle = m.open_session(0, RW).unwrap();
    let token = m.create_object(a, &data_object(true, false)).unwrap();
    let of_a = m.create_object(a, &data_object(false, false)).unwrap();
    let copied = m
        .copy_object(b, token, &[A::bool(CKA_TOKEN, false)])
        .unwrap();
    let keygen = CkMechanism::new(CKM_GENERIC_SECRET_KEY_GEN);
    let generated = m
        .generate_key(b, &keygen, &[A::ulong(CKA_VALUE_LEN, 32)])
        .unwrap();
    m.close_session(idle).unwrap();
    for h in [token, of_a, copied, generated] {
        assert!(m.get_object_size(a, h).is_ok());
    }
    m.close_session(b).unwrap();
    for h in [copied, generated] {
        assert_eq!(m.get_object_size(a, h), Err(CKR_OBJECT_HANDLE_INVALID));
    }
    assert!(m.get_object_size(a, token).is_ok());
    assert!(m.get_object_size(a, of_a).is_ok());
}

#[test]
fn attribute_policy_on_create() {
    let mut m = ready();
    let h = user_session(&mut m);
    assert_eq!(
        m.create_object(h, &[A::new(CKA_LABEL, b"x".to_vec())]),
        Err(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        m.create_object(h, &[A::ulong(CKA_CLASS, 0x1234)]),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    // CKA_LOCAL is token-set: read-only on create.
    assert_eq!(
        m.create_object(h, &aes_template(&[A::bool(CKA_LOCAL, true)])),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    // An attribute that secret keys do not have.
    assert_eq!(
        m.create_object(h, &aes_template(&[A::new(CKA_MODULUS, vec![1])])),
        Err(CKR_ATTRIBUTE_TYPE_INVALID)
    );
    // Badly encoded booleans and conflicting duplicates.
    assert_eq!(
        m.create_object(h, &aes_template(&[A::new(CKA_ENCRYPT, vec![1, 1])])),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        m.create_object(
            h,
            &aes_template(&[A::bool(CKA_ENCRYPT, true), A::bool(CKA_ENCRYPT, false)])
        ),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    // Only the SO may set CKA_TRUSTED.
    assert_eq!(
        m.create_object(h, &aes_template(&[A::bool(CKA_TRUSTED, true)])),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    let key = m
        .create_object(h, &aes_template(&[A::bool(CKA_SENSITIVE, true)]))
        .unwrap();
    let got = m
        .get_attribute_value(
            h,
            key,
            &[
                CKA_VALUE,
                CKA_VALUE_LEN,
                CKA_LOCAL,
                CKA_MODULUS,
                CKA_PRIVATE,
            ],
        )
        .unwrap();
    assert_eq!(got[0], Err(CKR_ATTRIBUTE_SENSITIVE));
    assert_eq!(got[1].as_ref().map(|v| parse_ulong(v).unwrap()), Ok(16));
    assert_eq!(got[2], Ok(vec![0]));
    assert_eq!(got[3], Err(CKR_ATTRIBUTE_TYPE_INVALID));
    assert_eq!(got[4], Ok(vec![1]), "keys are private by default");
    assert_eq!(objects::attribute_result_rv(&got), CKR_ATTRIBUTE_SENSITIVE);
}

#[test]
fn one_way_attributes_and_modifiable() {
    let mut m = ready();
    let h = user_session(&mut m);
    let key = m
        .create_object(h, &aes_template(&[A::bool(CKA_EXTRACTABLE, true)]))
        .unwrap();
    m.set_attribute_value(h, key, &[A::bool(CKA_SENSITIVE, true)])
        .unwrap();
    assert_eq!(
        m.set_attribute_value(h, key, &[A::bool(CKA_SENSITIVE, false)]),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    m.set_attribute_value(h, key, &[A::bool(CKA_EXTRACTABLE, false)])
        .unwrap();
    assert_eq!(
        m.set_attribute_value(h, key, &[A::bool(CKA_EXTRACTABLE, true)]),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    assert_eq!(
        m.set_attribute_value(h, key, &[A::ulong(CKA_KEY_TYPE, CKK_AES)]),
        Ok(()),
        "restating a value is fine"
    );
    assert_eq!(
        m.set_attribute_value(h, key, &[A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET)]),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    // All or nothing: the label is not changed when another entry fails.
    assert_eq!(
        m.set_attribute_value(
            h,
            key,
            &[A::new(CKA_LABEL, b"new".to_vec()), A::bool(CKA_LOCAL, true)]
        ),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    assert_eq!(
        m.get_attribute_value(h, key, &[CKA_LABEL]).unwrap()[0],
        Ok(vec![])
    );
    let frozen = m
        .create_object(h, &aes_template(&[A::bool(CKA_MODIFIABLE, false)]))
        .unwrap();
    assert_eq!(
        m.set_attribute_value(h, frozen, &[A::new(CKA_LABEL, b"x".to_vec())]),
        Err(CKR_ACTION_PROHIBITED)
    );
    let fixed = m
        .create_object(
            h,
            &aes_template(&[
                A::bool(CKA_DESTROYABLE, false),
                A::bool(CKA_COPYABLE, false),
            ]),
        )
        .unwrap();
    assert_eq!(m.destroy_object(h, fixed), Err(CKR_ACTION_PROHIBITED));
    assert_eq!(m.copy_object(h, fixed, &[]), Err(CKR_ACTION_PROHIBITED));
}

#[test]
fn copy_object_rules() {
    let mut m = ready();
    let h = user_session(&mut m);
    let key = m
        .create_object(h, &aes_template(&[A::bool(CKA_EXTRACTABLE, true)]))
        .unwrap();
    let copy = m
        .copy_object(
            h,
            key,
            &[
                A::bool(CKA_TOKEN, true),
                A::new(CKA_LABEL, b"copy".to_vec()),
                A::bool(CKA_EXTRACTABLE, false),
            ],
        )
        .unwrap();
    assert_ne!(copy, key);
    let got = m
        .get_attribute_value(
            h,
            copy,
            &[CKA_TOKEN, CKA_LABEL, CKA_EXTRACTABLE, CKA_UNIQUE_ID],
        )
        .unwrap();
    assert_eq!(got[0], Ok(vec![1]));
    assert_eq!(got[1], Ok(b"copy".to_vec()));
    assert_eq!(got[2], Ok(vec![0]));
    let original_id = m.get_attribute_value(h, key, &[CKA_UNIQUE_ID]).unwrap();
    assert_ne!(got[3], original_id[0], "a copy gets its own unique id");
    assert_eq!(
        m.copy_object(h, copy, &[A::bool(CKA_EXTRACTABLE, true)]),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    assert_eq!(
        m.copy_object(h, key, &[A::bool(CKA_LOCAL, true)]),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
}

#[test]
fn invalid_handles() {
    let mut m = ready();
    let h = user_session(&mut m);
    assert_eq!(
        m.get_session_info(9999).err(),
        Some(CKR_SESSION_HANDLE_INVALID)
    );
    assert_eq!(m.destroy_object(h, 9999), Err(CKR_OBJECT_HANDLE_INVALID));
    let aes = CkMechanism::with(CKM_AES_CBC_PAD, Param::Bytes(vec![0; 16]));
    assert_eq!(m.encrypt_init(h, &aes, 9999), Err(CKR_KEY_HANDLE_INVALID));
    let data = m.create_object(h, &data_object(false, false)).unwrap();
    assert_eq!(
        m.encrypt_init(h, &aes, data),
        Err(CKR_KEY_HANDLE_INVALID),
        "a data object is not a key"
    );
    let key = m.create_object(h, &aes_template(&[])).unwrap();
    assert_eq!(
        m.wrap_key(h, &aes, 9999, key, None),
        Err(CKR_WRAPPING_KEY_HANDLE_INVALID)
    );
    assert_eq!(
        m.unwrap_key(h, &aes, 9999, &[0; 32], &aes_template(&[])),
        Err(CKR_UNWRAPPING_KEY_HANDLE_INVALID)
    );
    assert_eq!(
        m.encrypt_init(h, &CkMechanism::new(0x7fff_0000), key),
        Err(CKR_MECHANISM_INVALID)
    );
    assert_eq!(m.encrypt(h, b"x", None), Err(CKR_OPERATION_NOT_INITIALIZED));
}

#[test]
fn usage_flags_and_allowed_mechanisms() {
    let mut m = ready();
    let h = user_session(&mut m);
    let cbc = CkMechanism::with(CKM_AES_CBC_PAD, Param::Bytes(vec![0; 16]));
    let no_encrypt = m
        .create_object(h, &aes_template(&[A::bool(CKA_ENCRYPT, false)]))
        .unwrap();
    assert_eq!(
        m.encrypt_init(h, &cbc, no_encrypt),
        Err(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    m.decrypt_init(h, &cbc, no_encrypt).unwrap();
    let mut allowed = Vec::new();
    allowed.extend_from_slice(&CKM_AES_GCM.to_le_bytes());
    let only_gcm = m
        .create_object(h, &aes_template(&[A::new(CKA_ALLOWED_MECHANISMS, allowed)]))
        .unwrap();
    assert_eq!(
        m.encrypt_init(h, &cbc, only_gcm),
        Err(CKR_MECHANISM_INVALID)
    );
}

#[test]
fn operation_lifecycle_and_buffer_too_small() {
    let mut m = ready();
    let h = user_session(&mut m);
    let key = m.create_object(h, &aes_template(&[])).unwrap();
    let cbc = CkMechanism::with(CKM_AES_CBC_PAD, Param::Bytes(vec![0; 16]));
    m.encrypt_init(h, &cbc, key).unwrap();
    assert_eq!(m.encrypt_init(h, &cbc, key), Err(CKR_OPERATION_ACTIVE));
    // Too small a buffer keeps the operation; the retry succeeds.
    assert_eq!(m.encrypt(h, b"hello", Some(4)), Err(CKR_BUFFER_TOO_SMALL));
    let ct = m.encrypt(h, b"hello", Some(16)).unwrap();
    assert_eq!(ct.len(), 16);
    assert_eq!(
        m.encrypt(h, b"hello", None),
        Err(CKR_OPERATION_NOT_INITIALIZED),
        "completed"
    );
    // An error ends the operation.
    m.decrypt_init(h, &cbc, key).unwrap();
    assert_eq!(
        m.decrypt(h, &ct[..15], None),
        Err(CKR_ENCRYPTED_DATA_LEN_RANGE)
    );
    assert_eq!(m.decrypt(h, &ct, None), Err(CKR_OPERATION_NOT_INITIALIZED));
    m.decrypt_init(h, &cbc, key).unwrap();
    assert_eq!(m.decrypt(h, &ct, None).unwrap(), b"hello");
    // Digest and sign honour the same rules.
    m.digest_init(h, &CkMechanism::new(CKM_SHA256)).unwrap();
    assert_eq!(m.digest(h, b"abc", Some(31)), Err(CKR_BUFFER_TOO_SMALL));
    assert_eq!(m.digest(h, b"abc", Some(32)).unwrap().len(), 32);
    // C_DigestKey digests a secret key's value.
    m.digest_init(h, &CkMechanism::new(CKM_SHA256)).unwrap();
    m.digest_key(h, key).unwrap();
    let by_key = m.digest_final(h, None).unwrap();
    m.digest_init(h, &CkMechanism::new(CKM_SHA256)).unwrap();
    assert_eq!(m.digest(h, &[7u8; 16], None).unwrap(), by_key);
}

#[test]
fn logout_ends_operations() {
    let mut m = ready();
    let h = user_session(&mut m);
    let key = m.create_object(h, &aes_template(&[])).unwrap();
    m.encrypt_init(h, &CkMechanism::new(CKM_AES_ECB), key)
        .unwrap();
    m.logout(h).unwrap();
    assert_eq!(
        m.encrypt(h, &[0; 16], None),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
}

#[test]
fn generated_keys_get_token_set_attributes() {
    let mut m = ready();
    let h = user_session(&mut m);
    let keygen = CkMechanism::new(CKM_AES_KEY_GEN);
    assert_eq!(
        m.generate_key(
            h,
            &keygen,
            &[A::ulong(CKA_VALUE_LEN, 32), A::new(CKA_VALUE, vec![0; 32])]
        ),
        Err(CKR_ATTRIBUTE_READ_ONLY)
    );
    let key = m
        .generate_key(
            h,
            &keygen,
            &[
                A::ulong(CKA_VALUE_LEN, 32),
                A::bool(CKA_SENSITIVE, true),
                A::bool(CKA_EXTRACTABLE, false),
            ],
        )
        .unwrap();
    let got = m
        .get_attribute_value(
            h,
            key,
            &[
                CKA_LOCAL,
                CKA_KEY_GEN_MECHANISM,
                CKA_ALWAYS_SENSITIVE,
                CKA_NEVER_EXTRACTABLE,
                CKA_KEY_TYPE,
                CKA_CLASS,
            ],
        )
        .unwrap();
    assert_eq!(got[0], Ok(vec![1]));
    assert_eq!(got[1], Ok(CKM_AES_KEY_GEN.to_le_bytes().to_vec()));
    assert_eq!(got[2], Ok(vec![1]));
    assert_eq!(got[3], Ok(vec![1]));
    assert_eq!(got[4], Ok(CKK_AES.to_le_bytes().to_vec()));
    assert_eq!(got[5], Ok(CKO_SECRET_KEY.to_le_bytes().to_vec()));
}

#[test]
fn wrap_and_unwrap_secret_key() {
    let mut m = ready();
    let h = user_session(&mut m);
    let keygen = CkMechanism::new(CKM_AES_KEY_GEN);
    let kek = m
        .generate_key(h, &keygen, &[A::ulong(CKA_VALUE_LEN, 32)])
        .unwrap();
    let secret = m
        .generate_key(
            h,
            &keygen,
            &[A::ulong(CKA_VALUE_LEN, 16), A::bool(CKA_SENSITIVE, true)],
        )
        .unwrap();
    let cbc = CkMechanism::with(CKM_AES_CBC_PAD, Param::Bytes(vec![3; 16]));
    assert_eq!(
        m.wrap_key(h, &cbc, kek, secret, None),
        Err(CKR_KEY_UNEXTRACTABLE)
    );
    let movable = m
        .generate_key(
            h,
            &keygen,
            &[
                A::ulong(CKA_VALUE_LEN, 16),
                A::bool(CKA_SENSITIVE, true),
                A::bool(CKA_EXTRACTABLE, true),
            ],
        )
        .unwrap();
    assert_eq!(
        m.wrap_key(h, &cbc, kek, movable, Some(8)),
        Err(CKR_BUFFER_TOO_SMALL)
    );
    let wrapped = m.wrap_key(h, &cbc, kek, movable, None).unwrap();
    assert_eq!(wrapped.len(), 32);
    let template = [
        A::ulong(CKA_CLASS, CKO_SECRET_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_AES),
        A::bool(CKA_EXTRACTABLE, true),
    ];
    let unwrapped = m.unwrap_key(h, &cbc, kek, &wrapped, &template).unwrap();
    // Both keys encrypt alike.
    let ecb = CkMechanism::new(CKM_AES_ECB);
    m.encrypt_init(h, &ecb, movable).unwrap();
    let a = m.encrypt(h, &[1; 16], None).unwrap();
    m.encrypt_init(h, &ecb, unwrapped).unwrap();
    assert_eq!(m.encrypt(h, &[1; 16], None).unwrap(), a);
    let got = m
        .get_attribute_value(h, unwrapped, &[CKA_LOCAL, CKA_ALWAYS_SENSITIVE])
        .unwrap();
    assert_eq!(got, vec![Ok(vec![0]), Ok(vec![0])]);
    let mut bad = wrapped.clone();
    bad[15] ^= 1; // flips the last pad byte: always invalid
    assert_eq!(
        m.unwrap_key(h, &cbc, kek, &bad, &template),
        Err(CKR_WRAPPED_KEY_INVALID)
    );
}

#[test]
fn random_and_seed() {
    let mut m = ready();
    let h = m.open_session(0, CKF_SERIAL_SESSION).unwrap();
    let a = m.generate_random(h, 32).unwrap();
    let b = m.generate_random(h, 32).unwrap();
    assert_eq!(a.len(), 32);
    assert_ne!(a, b);
    assert_eq!(
        m.seed_random(h, b"seed"),
        Err(CKR_RANDOM_SEED_NOT_SUPPORTED)
    );
    assert_eq!(
        m.generate_random(9999, 1).err(),
        Some(CKR_SESSION_HANDLE_INVALID)
    );
}

pub(super) fn rsa_pair(m: &mut Module, h: CK_ULONG, private_extra: &[A]) -> (CK_ULONG, CK_ULONG) {
    let public = [
        A::ulong(CKA_MODULUS_BITS, 1024),
        A::new(CKA_PUBLIC_EXPONENT, vec![1, 0, 1]),
    ];
    m.generate_key_pair(
        h,
        &CkMechanism::new(CKM_RSA_PKCS_KEY_PAIR_GEN),
        &public,
        private_extra,
    )
    .unwrap()
}

#[test]
fn rsa_pair_sign_verify_and_attributes() {
    let mut m = ready();
    let h = user_session(&mut m);
    let (public, private) = rsa_pair(
        &mut m,
        h,
        &[A::bool(CKA_SENSITIVE, true), A::bool(CKA_TOKEN, true)],
    );
    let got = m
        .get_attribute_value(
            h,
            public,
            &[CKA_MODULUS_BITS, CKA_PRIVATE, CKA_LOCAL, CKA_CLASS],
        )
        .unwrap();
    assert_eq!(got[0], Ok(1024u64.to_le_bytes().to_vec()));
    assert_eq!(got[1], Ok(vec![0]), "public keys are public by default");
    assert_eq!(got[2], Ok(vec![1]));
    assert_eq!(got[3], Ok(CKO_PUBLIC_KEY.to_le_bytes().to_vec()));
    let got = m
        .get_attribute_value(
            h,
            private,
            &[CKA_PRIVATE_EXPONENT, CKA_MODULUS, CKA_ALWAYS_SENSITIVE],
        )
        .unwrap();
    assert_eq!(got[0], Err(CKR_ATTRIBUTE_SENSITIVE));
    assert_eq!(got[1].as_ref().map(|v| v.len()), Ok(128));
    assert_eq!(got[2], Ok(vec![1]));
    let mech = CkMechanism::new(CKM_SHA256_RSA_PKCS);
    m.sign_init(h, &mech, private).unwrap();
    assert_eq!(m.sign(h, b"message", Some(127)), Err(CKR_BUFFER_TOO_SMALL));
    let sig = m.sign(h, b"message", Some(128)).unwrap();
    m.verify_init(h, &mech, public).unwrap();
    m.verify(h, b"message", &sig).unwrap();
    m.verify_init(h, &mech, public).unwrap();
    assert_eq!(m.verify(h, b"massage", &sig), Err(CKR_SIGNATURE_INVALID));
    m.verify_init(h, &mech, public).unwrap();
    assert_eq!(
        m.verify(h, b"message", &sig[1..]),
        Err(CKR_SIGNATURE_LEN_RANGE)
    );
    // Multi-part equals single-part.
    m.verify_init(h, &mech, public).unwrap();
    m.verify_update(h, b"mess").unwrap();
    m.verify_update(h, b"age").unwrap();
    m.verify_final(h, &sig).unwrap();
    // A public key cannot sign: wrong class for the mechanism.
    assert_eq!(
        m.sign_init(h, &mech, public),
        Err(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    // Private keys are unusable once logged out: their handles die
    // (section 5.6.10), even handles learnt after a new login.
    m.logout(h).unwrap();
    m.login(h, CKU_USER, USER_PIN).unwrap();
    m.find_objects_init(h, &[A::ulong(CKA_CLASS, CKO_PRIVATE_KEY)])
        .unwrap();
    let private = m.find_objects(h, 2).unwrap()[0];
    m.find_objects_final(h).unwrap();
    let other = m.open_session(0, RW).unwrap();
    m.logout(h).unwrap();
    assert_eq!(
        m.sign_init(other, &mech, private),
        Err(CKR_KEY_HANDLE_INVALID)
    );
}

#[test]
fn wrap_private_key_as_pkcs8_and_unwrap() {
    let mut m = ready();
    let h = user_session(&mut m);
    let (public, private) = rsa_pair(
        &mut m,
        h,
        &[A::bool(CKA_EXTRACTABLE, true), A::bool(CKA_SENSITIVE, true)],
    );
    let kek = m
        .generate_key(
            h,
            &CkMechanism::new(CKM_AES_KEY_GEN),
            &[A::ulong(CKA_VALUE_LEN, 32)],
        )
        .unwrap();
    let cbc = CkMechanism::with(CKM_AES_CBC_PAD, Param::Bytes(vec![9; 16]));
    let wrapped = m.wrap_key(h, &cbc, kek, private, None).unwrap();
    assert_eq!(
        m.wrap_key(h, &cbc, kek, public, None),
        Err(CKR_KEY_NOT_WRAPPABLE)
    );
    let template = [
        A::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_RSA),
        A::bool(CKA_SIGN, true),
    ];
    let copy = m.unwrap_key(h, &cbc, kek, &wrapped, &template).unwrap();
    let mech = CkMechanism::new(CKM_SHA256_RSA_PKCS);
    m.sign_init(h, &mech, copy).unwrap();
    let sig = m.sign(h, b"data", None).unwrap();
    m.verify_init(h, &mech, public).unwrap();
    m.verify(h, b"data", &sig).unwrap();
    let template = [
        A::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_EC),
    ];
    assert_eq!(
        m.unwrap_key(h, &cbc, kek, &wrapped, &template),
        Err(CKR_WRAPPED_KEY_INVALID)
    );
}

#[test]
fn ecdh_derive_agrees_between_two_pairs() {
    let mut m = ready();
    let h = user_session(&mut m);
    let p256 = vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let new_pair = |m: &mut Module| {
        let public = [A::new(CKA_EC_PARAMS, p256.clone())];
        m.generate_key_pair(
            h,
            &CkMechanism::new(CKM_EC_KEY_PAIR_GEN),
            &public,
            &[A::bool(CKA_DERIVE, true)],
        )
        .unwrap()
    };
    let (pub_a, priv_a) = new_pair(&mut m);
    let (pub_b, priv_b) = new_pair(&mut m);
    let point = |m: &mut Module, k| {
        m.get_attribute_value(h, k, &[CKA_EC_POINT])
            .unwrap()
            .remove(0)
            .unwrap()
    };
    let (point_a, point_b) = (point(&mut m, pub_a), point(&mut m, pub_b));
    let secret_template = [
        A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        A::bool(CKA_EXTRACTABLE, true),
        A::ulong(CKA_VALUE_LEN, 32),
    ];
    let ecdh = |public_data: Vec<u8>| {
        CkMechanism::with(
            CKM_ECDH1_DERIVE,
            Param::Ecdh1 {
                kdf: CKD_NULL,
                shared_data: vec![],
                public_data,
            },
        )
    };
    let ab = m
        .derive_key(h, &ecdh(point_b), priv_a, &secret_template)
        .unwrap();
    let ba = m
        .derive_key(h, &ecdh(point_a.clone()), priv_b, &secret_template)
        .unwrap();
    let value = |m: &mut Module, k| {
        m.get_attribute_value(h, k, &[CKA_VALUE])
            .unwrap()
            .remove(0)
            .unwrap()
    };
    assert_eq!(value(&mut m, ab), value(&mut m, ba));
    assert_eq!(value(&mut m, ab).len(), 32);
    // A derived key was not always sensitive: its base was not sensitive.
    assert_eq!(
        m.get_attribute_value(h, ab, &[CKA_ALWAYS_SENSITIVE, CKA_LOCAL])
            .unwrap(),
        vec![Ok(vec![0]), Ok(vec![0])]
    );
    let short = [A::ulong(CKA_KEY_TYPE, CKK_AES), A::ulong(CKA_VALUE_LEN, 16)];
    let aes = m
        .derive_key(h, &ecdh(point_a.clone()), priv_b, &short)
        .unwrap();
    assert_eq!(
        m.get_attribute_value(h, aes, &[CKA_VALUE_LEN]).unwrap()[0],
        Ok(16u64.to_le_bytes().to_vec())
    );
    let no_derive = new_pair(&mut m).1;
    m.set_attribute_value(h, no_derive, &[A::bool(CKA_DERIVE, false)])
        .unwrap();
    assert_eq!(
        m.derive_key(h, &ecdh(point_a), no_derive, &secret_template),
        Err(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
}
