//! The proxies routed to an in-process extra module (`extra::serve`): what
//! goes through them must give what the local implementations give,
//! errors included, and the core's registry must list the same mechanisms.
use zeroize::Zeroizing;

use super::codec::{Reader, Writer};
use super::*;
use crate::attr::{self, policy::AttrMap};
use crate::mech::kdf::PrfDataParam;
use crate::mech::{NoKeys, Param, Registry, build_registry, registry};

fn connected() {
    set_transport(Some(in_process));
}

fn full() -> Registry {
    build_registry(moved::register_local)
}

fn split() -> Registry {
    build_registry(moved::register)
}

fn key(class: CK_ULONG, ckk: CK_ULONG, generated: &[Attribute]) -> Object {
    let mut attrs: AttrMap = generated
        .iter()
        .map(|a| (a.kind, Zeroizing::new(a.value.clone())))
        .collect();
    attrs.insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(class)));
    attrs.insert(CKA_KEY_TYPE, Zeroizing::new(attr::ulong_bytes(ckk)));
    Object::new(attrs)
}

fn pair(r: &Registry, m: CK_ULONG, ckk: CK_ULONG, public: &[Attribute]) -> (Object, Object) {
    let mech = CkMechanism::new(m);
    let imp = r.get(m, CKF_GENERATE_KEY_PAIR).unwrap();
    let (pu, pr) = imp.generate_key_pair(&mech, public, &[]).unwrap();
    let mut pu_all = public.to_vec();
    pu_all.extend(pu);
    (
        key(CKO_PUBLIC_KEY, ckk, &pu_all),
        key(CKO_PRIVATE_KEY, ckk, &pr),
    )
}

const ED25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
const X25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x6e];

#[test]
fn core_registry_lists_what_the_full_one_lists() {
    let (full, split) = (full(), split());
    assert_eq!(full.list(), split.list());
    for kind in full.list() {
        assert_eq!(full.info(kind), split.info(kind), "mechanism {kind:#x}");
    }
    // The registry the build uses is the full one natively.
    assert_eq!(registry().list(), full.list());
    let rules = |r: &'static [crate::attr::policy::Rule]| format!("{r:?}");
    for ckk in [
        CKK_CHACHA20,
        CKK_EC_EDWARDS,
        CKK_EC_MONTGOMERY,
        CKK_ML_DSA,
        CKK_ML_KEM,
    ] {
        let (a, b) = (full.key_type(ckk).unwrap(), split.key_type(ckk).unwrap());
        assert_eq!(rules(a.public), rules(b.public));
        assert_eq!(rules(a.private), rules(b.private));
        assert_eq!(rules(a.secret), rules(b.secret));
        assert_eq!(a.export_private.is_some(), b.export_private.is_some());
        assert_eq!(a.import_private.is_some(), b.import_private.is_some());
    }
}

#[test]
fn ed25519_through_the_proxy_matches_local() {
    connected();
    let (full, split) = (full(), split());
    let public = [Attribute::new(CKA_EC_PARAMS, ED25519)];
    // A key pair made remotely signs remotely; the local code verifies.
    let (pu, pr) = pair(&split, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, &public);
    let m = CkMechanism::new(CKM_EDDSA);
    let remote = split.get(CKM_EDDSA, CKF_SIGN).unwrap();
    let local = full.get(CKM_EDDSA, CKF_SIGN).unwrap();
    let mut op = remote.sign_init(&m, &pr).unwrap();
    assert_eq!(op.signature_len(), 64);
    let sig = op.one_shot(b"message").unwrap();
    // Ed25519 is deterministic: the local signature is the same.
    assert_eq!(
        local
            .sign_init(&m, &pr)
            .unwrap()
            .one_shot(b"message")
            .unwrap(),
        sig
    );
    local
        .verify_init(&m, &pu)
        .unwrap()
        .one_shot(b"message", &sig)
        .unwrap();
    remote
        .verify_init(&m, &pu)
        .unwrap()
        .one_shot(b"message", &sig)
        .unwrap();
    // Errors keep their codes.
    let mut bad = sig.clone();
    bad[0] ^= 1;
    let verify = |s: &[u8]| remote.verify_init(&m, &pu).unwrap().one_shot(b"message", s);
    let local_verify = |s: &[u8]| local.verify_init(&m, &pu).unwrap().one_shot(b"message", s);
    assert_eq!(verify(&bad), local_verify(&bad));
    assert_eq!(verify(&bad), Err(CKR_SIGNATURE_INVALID));
    assert_eq!(verify(&sig[..63]), local_verify(&sig[..63]));
    assert_eq!(
        remote.sign_init(&m, &pu).err(),
        local.sign_init(&m, &pu).err(),
        "a public key cannot sign"
    );
    let wrong = CkMechanism::with(CKM_EDDSA, Param::Bytes(vec![1]));
    assert_eq!(
        remote.sign_init(&wrong, &pr).err(),
        local.sign_init(&wrong, &pr).err()
    );
    // Multi-part: as the local operation answers C_SignUpdate.
    let mut remote_op = remote.sign_init(&m, &pr).unwrap();
    let mut local_op = local.sign_init(&m, &pr).unwrap();
    let (a, b) = (remote_op.update(b"mess"), local_op.update(b"mess"));
    assert_eq!(a, b);
    if a.is_ok() {
        remote_op.update(b"age").unwrap();
        local_op.update(b"age").unwrap();
        assert_eq!(remote_op.finalize(), local_op.finalize());
    }
}

#[test]
fn key_type_hooks_through_the_proxy_match_local() {
    connected();
    let (full, split) = (full(), split());
    let public = [Attribute::new(CKA_EC_PARAMS, X25519)];
    let (_, pr) = pair(
        &split,
        CKM_EC_MONTGOMERY_KEY_PAIR_GEN,
        CKK_EC_MONTGOMERY,
        &public,
    );
    for ckk in [CKK_EC_MONTGOMERY] {
        let (l, r) = (full.key_type(ckk).unwrap(), split.key_type(ckk).unwrap());
        let der = (r.export_private.unwrap())(&pr).unwrap();
        assert_eq!(*der, *(l.export_private.unwrap())(&pr).unwrap());
        assert_eq!(
            (r.import_private.unwrap())(&der).unwrap(),
            (l.import_private.unwrap())(&der).unwrap()
        );
        assert_eq!(
            (r.import_private.unwrap())(&der[1..]).err(),
            (l.import_private.unwrap())(&der[1..]).err()
        );
        // C_CreateObject's check of a private key: same completed attributes.
        let mut given: AttrMap = [CKA_CLASS, CKA_KEY_TYPE, CKA_EC_PARAMS, CKA_VALUE]
            .iter()
            .map(|k| (*k, Zeroizing::new(pr.get(*k).unwrap().to_vec())))
            .collect();
        let mut local = given.clone();
        (r.complete)(CKO_PRIVATE_KEY, &mut given).unwrap();
        (l.complete)(CKO_PRIVATE_KEY, &mut local).unwrap();
        assert_eq!(given, local);
        local.insert(CKA_VALUE, Zeroizing::new(vec![1; 3]));
        let mut short = local.clone();
        assert_eq!(
            (r.complete)(CKO_PRIVATE_KEY, &mut short),
            (l.complete)(CKO_PRIVATE_KEY, &mut local)
        );
    }
}

#[test]
fn x25519_derive_goes_through_the_proxy_helper() {
    connected();
    let split = split();
    let public = [Attribute::new(CKA_EC_PARAMS, X25519)];
    let (pu_a, pr_a) = pair(
        &split,
        CKM_EC_MONTGOMERY_KEY_PAIR_GEN,
        CKK_EC_MONTGOMERY,
        &public,
    );
    let (pu_b, pr_b) = pair(
        &split,
        CKM_EC_MONTGOMERY_KEY_PAIR_GEN,
        CKK_EC_MONTGOMERY,
        &public,
    );
    let point = |o: &Object| o.get(CKA_EC_POINT).unwrap().to_vec();
    let remote = |base: &Object, peer: &[u8]| {
        let mut w = Writer::new(op::X25519_SHARED);
        w.key(&base.attrs).bytes(peer);
        Reader::new(&call(w).unwrap()).vec().unwrap()
    };
    let (peer_a, peer_b) = (point(&pu_a), point(&pu_b));
    let ab = remote(&pr_a, &peer_b);
    assert_eq!(ab, remote(&pr_b, &peer_a));
    assert_eq!(
        *crate::mech::montgomery::x25519_shared(&pr_a, &peer_b).unwrap(),
        ab
    );
}

#[test]
fn ml_dsa_and_ml_kem_through_the_proxy() {
    connected();
    let (full, split) = (full(), split());
    let set = |p| [Attribute::ulong(CKA_PARAMETER_SET, p)];
    let (pu, pr) = pair(
        &split,
        CKM_ML_DSA_KEY_PAIR_GEN,
        CKK_ML_DSA,
        &set(CKP_ML_DSA_44),
    );
    let m = CkMechanism::new(CKM_ML_DSA);
    let sig = split
        .get(CKM_ML_DSA, CKF_SIGN)
        .unwrap()
        .sign_init(&m, &pr)
        .unwrap()
        .one_shot(b"pq")
        .unwrap();
    let local = full.get(CKM_ML_DSA, CKF_VERIFY).unwrap();
    local
        .verify_init(&m, &pu)
        .unwrap()
        .one_shot(b"pq", &sig)
        .unwrap();
    assert_eq!(
        local.verify_init(&m, &pu).unwrap().one_shot(b"qp", &sig),
        Err(CKR_SIGNATURE_INVALID)
    );

    let (pu, pr) = pair(
        &split,
        CKM_ML_KEM_KEY_PAIR_GEN,
        CKK_ML_KEM,
        &set(CKP_ML_KEM_768),
    );
    let m = CkMechanism::new(CKM_ML_KEM);
    let remote = split.get(CKM_ML_KEM, CKF_ENCAPSULATE).unwrap();
    let (ct, secret) = remote.encapsulate(&m, &pu).unwrap();
    let local = full.get(CKM_ML_KEM, CKF_DECAPSULATE).unwrap();
    assert_eq!(*local.decapsulate(&m, &pr, &ct).unwrap(), *secret);
    assert_eq!(*remote.decapsulate(&m, &pr, &ct).unwrap(), *secret);
    assert_eq!(
        remote.decapsulate(&m, &pr, &ct[1..]).err(),
        local.decapsulate(&m, &pr, &ct[1..]).err()
    );
}

#[test]
fn chacha20_poly1305_through_the_proxy() {
    connected();
    let (full, split) = (full(), split());
    let keygen = CkMechanism::new(CKM_CHACHA20_KEY_GEN);
    let value = split
        .get(CKM_CHACHA20_KEY_GEN, CKF_GENERATE)
        .unwrap()
        .generate_key(&keygen, &[])
        .unwrap();
    let k = key(CKO_SECRET_KEY, CKK_CHACHA20, &value);
    let m = CkMechanism::with(
        CKM_CHACHA20_POLY1305,
        Param::ChaCha20Poly1305 {
            nonce: vec![7; 12],
            aad: b"aad".to_vec(),
        },
    );
    let (remote, local) = (
        split.get(CKM_CHACHA20_POLY1305, CKF_ENCRYPT).unwrap(),
        full.get(CKM_CHACHA20_POLY1305, CKF_ENCRYPT).unwrap(),
    );
    let expected = local
        .encrypt_init(&m, &k)
        .unwrap()
        .one_shot(b"plaintext")
        .unwrap();
    assert_eq!(
        remote
            .encrypt_init(&m, &k)
            .unwrap()
            .one_shot(b"plaintext")
            .unwrap(),
        expected
    );
    // Multi-part: the ciphertext streams out as the local one does, the
    // tag at the end; the bounds say so.
    let mut op = remote.encrypt_init(&m, &k).unwrap();
    assert_eq!(op.output_bound(5, false), 5);
    let mut out = op.update(b"plain").unwrap();
    assert_eq!(out, expected[..5]);
    assert_eq!(op.output_bound(4, true), 4 + 16);
    let mut copy = op.box_clone();
    out.extend(op.update(b"text").unwrap());
    assert_eq!(op.output_bound(0, true), 16);
    out.extend(op.finalize().unwrap());
    assert_eq!(out, expected);
    // A copy (the engine's trial for CKR_BUFFER_TOO_SMALL) goes on alike.
    assert_eq!(copy.update(b"text").unwrap(), expected[5..9]);
    assert_eq!(copy.finalize().unwrap(), expected[9..]);
    let mut op = remote.decrypt_init(&m, &k).unwrap();
    assert_eq!(op.output_bound(7, false), 0);
    assert!(op.update(&expected[..7]).unwrap().is_empty());
    assert!(op.update(&expected[7..]).unwrap().is_empty());
    assert_eq!(op.output_bound(0, true), 9);
    assert_eq!(op.finalize().unwrap(), b"plaintext");
    // Decryption: exact bound, the plaintext, and a bad tag's code.
    let mut op = remote.decrypt_init(&m, &k).unwrap();
    assert_eq!(op.output_bound(expected.len(), true), 9);
    assert_eq!(op.one_shot(&expected).unwrap(), b"plaintext");
    let mut bad = expected.clone();
    bad[0] ^= 1;
    let run = |imp: &dyn Mechanism| imp.decrypt_init(&m, &k).unwrap().one_shot(&bad);
    assert_eq!(run(remote), Err(CKR_ENCRYPTED_DATA_INVALID));
    assert_eq!(run(remote), run(local));
    // Init errors (a short nonce, an AES key) come back at init.
    let short = CkMechanism::with(
        CKM_CHACHA20_POLY1305,
        Param::ChaCha20Poly1305 {
            nonce: vec![7; 11],
            aad: vec![],
        },
    );
    assert_eq!(
        remote.encrypt_init(&short, &k).err(),
        local.encrypt_init(&short, &k).err()
    );
    let aes = key(
        CKO_SECRET_KEY,
        CKK_AES,
        &[Attribute::new(CKA_VALUE, [0u8; 32])],
    );
    assert_eq!(
        remote.encrypt_init(&m, &aes).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
}

#[test]
fn unreachable_extra_module_is_a_clean_error() {
    set_transport(None);
    let split = split();
    let public = [Attribute::new(CKA_EC_PARAMS, ED25519)];
    let imp = split
        .get(CKM_EC_EDWARDS_KEY_PAIR_GEN, CKF_GENERATE_KEY_PAIR)
        .unwrap();
    let m = CkMechanism::new(CKM_EC_EDWARDS_KEY_PAIR_GEN);
    assert_eq!(
        imp.generate_key_pair(&m, &public, &[]).err(),
        Some(CKR_FUNCTION_FAILED)
    );
    fn gone(_: &[u8], _: &mut Vec<u8>) -> Option<()> {
        None
    }
    set_transport(Some(gone));
    assert_eq!(
        imp.generate_key_pair(&m, &public, &[]).err(),
        Some(CKR_FUNCTION_FAILED)
    );
}

#[test]
fn every_param_round_trips() {
    let params = [
        Param::None,
        Param::Bytes(vec![1, 2]),
        Param::Gcm {
            iv: vec![1; 12],
            aad: vec![2],
            tag_bits: 128,
        },
        Param::Ctr {
            counter_bits: 32,
            counter_block: vec![3; 16],
        },
        Param::Oaep {
            hash_alg: 1,
            mgf: 2,
            source: 3,
            source_data: vec![4],
        },
        Param::Pss {
            hash_alg: 1,
            mgf: 2,
            salt_len: 3,
        },
        Param::Ecdh1 {
            kdf: 1,
            shared_data: vec![2],
            public_data: vec![3],
        },
        Param::AesCbcEncryptData {
            iv: vec![1],
            data: vec![2],
        },
        Param::ChaCha20Poly1305 {
            nonce: vec![1],
            aad: vec![],
        },
        Param::GcmMessage {
            iv: vec![1],
            iv_fixed_bits: 2,
            iv_generator: 3,
            tag: vec![4],
            tag_bits: 5,
        },
        Param::ChaCha20Poly1305Message {
            nonce: vec![1],
            tag: vec![2],
        },
        Param::RsaAesKeyWrap {
            aes_key_bits: 256,
            oaep: Box::new(Param::Oaep {
                hash_alg: 1,
                mgf: 2,
                source: 3,
                source_data: vec![],
            }),
        },
        Param::SignAdditionalContext {
            hedge_variant: 1,
            context: vec![2],
        },
        Param::Eddsa {
            ph_flag: true,
            context: vec![1],
        },
        Param::Hkdf {
            extract: true,
            expand: false,
            prf_hash: 1,
            salt_type: 2,
            salt: vec![3],
            salt_key: 4,
            info: vec![5],
        },
        Param::Pbkdf2 {
            salt_source: 1,
            salt: vec![2],
            iterations: 3,
            prf: 4,
            prf_data: vec![5],
            password: Zeroizing::new(vec![6]),
        },
        Param::Sp800108 {
            prf_type: 1,
            data_params: vec![
                PrfDataParam::IterationVariable {
                    little_endian: true,
                    width_bits: 8,
                },
                PrfDataParam::Counter {
                    little_endian: false,
                    width_bits: 16,
                },
                PrfDataParam::DkmLength {
                    method: 1,
                    little_endian: true,
                    width_bits: 32,
                },
                PrfDataParam::ByteArray(vec![1, 2]),
                PrfDataParam::KeyHandle(9),
            ],
        },
    ];
    for p in params {
        let m = CkMechanism::with(0x1234, p);
        let mut w = Writer::default();
        w.mechanism(&m);
        let msg = w.frame().to_vec();
        let mut r = Reader::new(&msg);
        assert_eq!(r.mechanism().unwrap(), m);
        r.end().unwrap();
        // Every truncation is an error, never a panic.
        for n in 0..msg.len() {
            let mut r = Reader::new(&msg[..n]);
            assert!(r.mechanism().is_err() || r.end().is_err() || n == msg.len());
        }
    }
    // A nested parameter may not nest further.
    let deep = Param::RsaAesKeyWrap {
        aes_key_bits: 1,
        oaep: Box::new(Param::RsaAesKeyWrap {
            aes_key_bits: 1,
            oaep: Box::new(Param::None),
        }),
    };
    let mut w = Writer::default();
    w.param(&deep);
    let mut msg = w.frame().to_vec();
    msg.splice(0..0, [0u8; 8]);
    assert!(Reader::new(&msg).mechanism().is_err());
}

#[test]
fn garbage_requests_get_an_error_answer() {
    for request in [
        &[][..],
        &[0],
        &[op::SIGN_RUN],
        &[op::CURVE, 9, 0],
        &[99, 1, 2, 3],
        &[op::CURVE, 0, 0, 0, 0, 9, 0],
        &[op::SIGN_RUN, 255, 255, 255, 255],
    ] {
        let mut resp = extra::serve(request);
        assert_eq!(resp.frame()[0], 1, "{request:?}");
    }
    // A request with trailing bytes is refused too.
    let mut w = Writer::new(op::KEY_IMPORT);
    w.ulong(CKK_EC_EDWARDS).bytes(&[1, 2]).u8(0);
    assert_eq!(extra::serve(&w.frame().to_vec()).frame()[0], 1);
    let _ = NoKeys;
}

thread_local! {
    static CALLS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn counting(request: &[u8], response: &mut Vec<u8>) -> Option<()> {
    CALLS.with(|c| c.set(c.get() + 1));
    in_process(request, response)
}

fn calls() -> usize {
    CALLS.with(|c| c.get())
}

/// A C_SignInit whose request was answered before is answered without a
/// round trip; another key, an error or an unplugged module is not.
#[test]
fn init_answers_are_remembered_by_request() {
    set_transport(Some(counting));
    let split = split();
    let public = [Attribute::new(CKA_EC_PARAMS, ED25519)];
    let (_, pr) = pair(&split, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, &public);
    let (_, other) = pair(&split, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, &public);
    let m = CkMechanism::new(CKM_EDDSA);
    let imp = split.get(CKM_EDDSA, CKF_SIGN).unwrap();
    let sign = |key: &Object| imp.sign_init(&m, key).unwrap().one_shot(b"msg").unwrap();
    let n = calls();
    let first = sign(&pr);
    assert_eq!(calls() - n, 2, "init and run");
    assert_eq!(sign(&pr), first);
    assert_eq!(calls() - n, 3, "the init remembered");
    assert_ne!(sign(&other), first);
    assert_eq!(calls() - n, 5, "another key is asked");
    let bad = CkMechanism::with(CKM_EDDSA, Param::Bytes(vec![1]));
    for i in 0..2 {
        assert_eq!(
            imp.sign_init(&bad, &pr).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(calls() - n, 6 + i, "an error is asked again");
    }
    set_transport(None);
    assert_eq!(imp.sign_init(&m, &pr).err(), Some(CKR_FUNCTION_FAILED));
}

/// An empty and a large message through the proxy, and the buffers are
/// reused: the same answers as the local implementation.
#[test]
fn empty_and_large_data_through_the_proxy() {
    connected();
    let (full, split) = (full(), split());
    let key = key(
        CKO_SECRET_KEY,
        CKK_CHACHA20,
        &[Attribute::new(CKA_VALUE, [7u8; 32])],
    );
    let m = CkMechanism::with(
        CKM_CHACHA20_POLY1305,
        Param::ChaCha20Poly1305 {
            nonce: vec![1; 12],
            aad: vec![2; 3],
        },
    );
    for n in [0usize, 1, (1 << 20) + 3, 5] {
        let plain: Vec<u8> = (0..n).map(|i| i as u8).collect();
        let run = |r: &Registry| {
            r.get(CKM_CHACHA20_POLY1305, CKF_ENCRYPT)
                .unwrap()
                .encrypt_init(&m, &key)
                .unwrap()
                .one_shot(&plain)
                .unwrap()
        };
        let sealed = run(&split);
        assert_eq!(sealed, run(&full), "{n} bytes");
        let opened = split
            .get(CKM_CHACHA20_POLY1305, CKF_DECRYPT)
            .unwrap()
            .decrypt_init(&m, &key)
            .unwrap()
            .one_shot(&sealed)
            .unwrap();
        assert_eq!(opened, plain);
    }
}

thread_local! {
    static SEEN: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn recording(request: &[u8], response: &mut Vec<u8>) -> Option<()> {
    SEEN.with_borrow_mut(|s| s.push(request.to_vec()));
    in_process(request, response)
}

/// An operation sends the extra module what its families read of the key
/// (`OPERATION_ATTRS`) and nothing else: a key's label and ID stay in the
/// core, and the results are those of the whole key.
#[test]
fn operations_send_only_the_key_attributes_the_families_read() {
    set_transport(Some(recording));
    let split = split();
    let public = [Attribute::new(CKA_EC_PARAMS, ED25519)];
    let (pu, mut pr) = pair(&split, CKM_EC_EDWARDS_KEY_PAIR_GEN, CKK_EC_EDWARDS, &public);
    let (label, id) = (
        b"label-that-stays-in-the-core",
        b"id-that-stays-in-the-core",
    );
    pr.attrs.insert(CKA_LABEL, Zeroizing::new(label.to_vec()));
    pr.attrs.insert(CKA_ID, Zeroizing::new(id.to_vec()));
    let value = pr.attrs[&CKA_VALUE].to_vec();
    let m = CkMechanism::new(CKM_EDDSA);
    SEEN.with_borrow_mut(Vec::clear);
    let sig = split
        .get(CKM_EDDSA, CKF_SIGN)
        .unwrap()
        .sign_init(&m, &pr)
        .unwrap()
        .one_shot(b"msg")
        .unwrap();
    let verify = split.get(CKM_EDDSA, CKF_VERIFY).unwrap();
    assert_eq!(
        verify.verify_init(&m, &pu).unwrap().one_shot(b"msg", &sig),
        Ok(())
    );
    let seen = SEEN.with_borrow_mut(std::mem::take);
    set_transport(None);
    assert!(
        seen.len() >= 2,
        "the init and the signature went through the proxy"
    );
    let has = |r: &[u8], x: &[u8]| r.windows(x.len()).any(|w| w == x);
    assert!(seen.iter().any(|r| has(r, &value)), "the key value travels");
    for r in &seen {
        assert!(
            !has(r, label) && !has(r, id),
            "a label or ID went to the extra module"
        );
    }
}
