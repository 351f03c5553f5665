//! NIST ACVP known answers for ML-KEM (FIPS 203) and ML-DSA (FIPS 204),
//! from the small files in tests/vectors/ (their source is noted inside
//! and in tests/vectors/README.md).
//!
//! Through the token (`Module`): key generation from a seed (C_CreateObject
//! with CKA_SEED must yield the ACVP CKA_VALUE and public key), import of
//! expanded keys, and ML-KEM decapsulation (C_DecapsulateKey must yield the
//! ACVP shared secret, also for modified ciphertexts: implicit rejection).
//! Through the mechanisms' known-answer hooks: ML-KEM encapsulation with the
//! ACVP message m (the token draws m at random), and ML-DSA sigGen/sigVer,
//! which at this ACVP vintage test the internal interface that CKM_ML_DSA
//! does not expose.
use pkcs11_wasm::attr::Attribute as A;
use pkcs11_wasm::constants::*;
use pkcs11_wasm::mech::{CkMechanism, mldsa, mlkem};
use pkcs11_wasm::module::Config;
use pkcs11_wasm::{CK_ULONG, Module};
use serde_json::Value;

fn session() -> (Module, CK_ULONG) {
    let mut m = Module::new(Config {
        kdf_iterations: 10,
        ..Config::default()
    });
    m.initialize().unwrap();
    m.init_token(0, b"so-secret", b"acvp").unwrap();
    let h = m
        .open_session(0, CKF_SERIAL_SESSION | CKF_RW_SESSION)
        .unwrap();
    m.login(h, CKU_SO, b"so-secret").unwrap();
    m.init_pin(h, b"user-1234").unwrap();
    m.logout(h).unwrap();
    m.login(h, CKU_USER, b"user-1234").unwrap();
    (m, h)
}

fn value(m: &mut Module, h: CK_ULONG, o: CK_ULONG, kind: CK_ULONG) -> Vec<u8> {
    m.get_attribute_value(h, o, &[kind]).unwrap()[0]
        .clone()
        .unwrap()
}

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn hex(v: &Value, field: &str) -> Vec<u8> {
    hex::decode(v[field].as_str().unwrap_or_else(|| panic!("field {field}"))).unwrap()
}

fn cases<'a>(v: &'a Value, field: &str) -> &'a Vec<Value> {
    v[field].as_array().unwrap()
}

/// A private key object of `key_type` from its values, readable.
fn private_key(
    m: &mut Module,
    h: CK_ULONG,
    key_type: CK_ULONG,
    ckp: CK_ULONG,
    values: &[(CK_ULONG, &[u8])],
) -> CK_ULONG {
    let mut t = vec![
        A::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
        A::ulong(CKA_KEY_TYPE, key_type),
        A::ulong(CKA_PARAMETER_SET, ckp),
        A::bool(CKA_EXTRACTABLE, true),
    ];
    t.extend(values.iter().map(|(k, v)| A::new(*k, v.to_vec())));
    m.create_object(h, &t).unwrap()
}

fn public_key(
    m: &mut Module,
    h: CK_ULONG,
    key_type: CK_ULONG,
    ckp: CK_ULONG,
    v: &[u8],
) -> CK_ULONG {
    m.create_object(
        h,
        &[
            A::ulong(CKA_CLASS, CKO_PUBLIC_KEY),
            A::ulong(CKA_KEY_TYPE, key_type),
            A::ulong(CKA_PARAMETER_SET, ckp),
            A::new(CKA_VALUE, v.to_vec()),
        ],
    )
    .unwrap()
}

/// The public key inside a CKA_PUBLIC_KEY_INFO (the BIT STRING's tail).
fn spki_key(info: &[u8], len: usize) -> &[u8] {
    &info[info.len() - len..]
}

fn kem_set(name: &str) -> (mlkem::Set, CK_ULONG) {
    match name {
        "ML-KEM-512" => (mlkem::Set::MlKem512, CKP_ML_KEM_512),
        "ML-KEM-768" => (mlkem::Set::MlKem768, CKP_ML_KEM_768),
        "ML-KEM-1024" => (mlkem::Set::MlKem1024, CKP_ML_KEM_1024),
        other => panic!("parameter set {other}"),
    }
}

fn dsa_set(name: &str) -> (mldsa::Set, CK_ULONG) {
    match name {
        "ML-DSA-44" => (mldsa::Set::MlDsa44, CKP_ML_DSA_44),
        "ML-DSA-65" => (mldsa::Set::MlDsa65, CKP_ML_DSA_65),
        "ML-DSA-87" => (mldsa::Set::MlDsa87, CKP_ML_DSA_87),
        other => panic!("parameter set {other}"),
    }
}

#[test]
fn ml_kem() {
    let v = load("acvp-ml-kem.json");
    let (mut m, h) = session();
    let mut counts = [0usize; 3];

    for c in cases(&v, "keyGen") {
        let (_, ckp) = kem_set(c["parameterSet"].as_str().unwrap());
        let (ek, dk) = (hex(c, "ek"), hex(c, "dk"));
        let seed = [hex(c, "d"), hex(c, "z")].concat();
        let key = private_key(&mut m, h, CKK_ML_KEM, ckp, &[(CKA_SEED, &seed)]);
        assert_eq!(
            value(&mut m, h, key, CKA_VALUE),
            dk,
            "keyGen tc {}",
            c["tcId"]
        );
        let info = value(&mut m, h, key, CKA_PUBLIC_KEY_INFO);
        assert_eq!(spki_key(&info, ek.len()), &ek[..]);
        // The expanded key alone and the public key import to the same.
        let expanded = private_key(&mut m, h, CKK_ML_KEM, ckp, &[(CKA_VALUE, &dk)]);
        assert_eq!(value(&mut m, h, expanded, CKA_PUBLIC_KEY_INFO), info);
        let public = public_key(&mut m, h, CKK_ML_KEM, ckp, &ek);
        assert_eq!(value(&mut m, h, public, CKA_PUBLIC_KEY_INFO), info);
        counts[0] += 1;
    }

    for c in cases(&v, "encapsulation") {
        let (set, ckp) = kem_set(c["parameterSet"].as_str().unwrap());
        let ek = hex(c, "ek");
        public_key(&mut m, h, CKK_ML_KEM, ckp, &ek);
        let (ct, k) = mlkem::encapsulate_with(set, &ek, &hex(c, "m")).unwrap();
        assert_eq!(ct, hex(c, "c"), "encapsulation tc {}", c["tcId"]);
        assert_eq!(k.to_vec(), hex(c, "k"));
        counts[1] += 1;
    }

    let secret = [
        A::ulong(CKA_CLASS, CKO_SECRET_KEY),
        A::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        A::bool(CKA_EXTRACTABLE, true),
    ];
    for g in cases(&v, "decapsulation") {
        let (_, ckp) = kem_set(g["parameterSet"].as_str().unwrap());
        let key = private_key(&mut m, h, CKK_ML_KEM, ckp, &[(CKA_VALUE, &hex(g, "dk"))]);
        for c in cases(g, "tests") {
            let mech = CkMechanism::new(CKM_ML_KEM);
            let k = m
                .decapsulate_key(h, &mech, key, &secret, &hex(c, "c"))
                .unwrap();
            assert_eq!(
                value(&mut m, h, k, CKA_VALUE),
                hex(c, "k"),
                "decapsulation tc {} ({})",
                c["tcId"],
                c["reason"]
            );
            counts[2] += 1;
        }
    }
    println!(
        "ACVP ML-KEM: keyGen {} passed, encapsulation {} passed, decapsulation {} passed; 0 failed, 0 skipped",
        counts[0], counts[1], counts[2]
    );
    assert!(counts.iter().all(|&n| n >= 3));
}

#[test]
fn ml_dsa() {
    let v = load("acvp-ml-dsa.json");
    let (mut m, h) = session();
    let mut counts = [0usize; 3];

    for c in cases(&v, "keyGen") {
        let (_, ckp) = dsa_set(c["parameterSet"].as_str().unwrap());
        let (pk, sk) = (hex(c, "pk"), hex(c, "sk"));
        let key = private_key(&mut m, h, CKK_ML_DSA, ckp, &[(CKA_SEED, &hex(c, "seed"))]);
        assert_eq!(
            value(&mut m, h, key, CKA_VALUE),
            sk,
            "keyGen tc {}",
            c["tcId"]
        );
        let info = value(&mut m, h, key, CKA_PUBLIC_KEY_INFO);
        assert_eq!(spki_key(&info, pk.len()), &pk[..]);
        let expanded = private_key(&mut m, h, CKK_ML_DSA, ckp, &[(CKA_VALUE, &sk)]);
        assert_eq!(value(&mut m, h, expanded, CKA_PUBLIC_KEY_INFO), info);
        let public = public_key(&mut m, h, CKK_ML_DSA, ckp, &pk);
        assert_eq!(value(&mut m, h, public, CKA_PUBLIC_KEY_INFO), info);
        // A signature from the imported key verifies under the ACVP pk.
        let mech = CkMechanism::new(CKM_ML_DSA);
        m.sign_init(h, &mech, expanded).unwrap();
        let sig = m.sign(h, b"acvp", None).unwrap();
        m.verify_init(h, &mech, public).unwrap();
        m.verify(h, b"acvp", &sig).unwrap();
        counts[0] += 1;
    }

    for c in cases(&v, "sigGen") {
        let (set, ckp) = dsa_set(c["parameterSet"].as_str().unwrap());
        let sk = hex(c, "sk");
        // The expanded key imports (range checks pass).
        private_key(&mut m, h, CKK_ML_DSA, ckp, &[(CKA_VALUE, &sk)]);
        let rnd = if c["deterministic"].as_bool().unwrap() {
            vec![0u8; 32]
        } else {
            hex(c, "rnd")
        };
        let sig = mldsa::kat::sign(set, &sk, &hex(c, "message"), &rnd).unwrap();
        assert_eq!(sig, hex(c, "signature"), "sigGen tc {}", c["tcId"]);
        counts[1] += 1;
    }

    for g in cases(&v, "sigVer") {
        let (set, ckp) = dsa_set(g["parameterSet"].as_str().unwrap());
        let pk = hex(g, "pk");
        public_key(&mut m, h, CKK_ML_DSA, ckp, &pk);
        for c in cases(g, "tests") {
            let ok =
                mldsa::kat::verify(set, &pk, &hex(c, "message"), &hex(c, "signature")).unwrap();
            assert_eq!(
                ok,
                c["testPassed"].as_bool().unwrap(),
                "sigVer tc {} ({})",
                c["tcId"],
                c["reason"]
            );
            counts[2] += 1;
        }
    }
    println!(
        "ACVP ML-DSA: keyGen {} passed, sigGen {} passed, sigVer {} passed; 0 failed, 0 skipped",
        counts[0], counts[1], counts[2]
    );
    assert!(counts.iter().all(|&n| n >= 3));
}
