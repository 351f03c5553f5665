//! Round trips through the Mechanism trait for every RSA mechanism,
//! parameter, length and key errors, key import and PKCS#8 wrapping, and
//! cross-checks against the `rsa` crate's own implementations.
use std::sync::OnceLock;

use rsa::traits::PublicKeyParts;
use zeroize::Zeroizing;

use super::*;
use crate::attr::policy::AttrMap;
use crate::mech::Param;

mod crypt;
mod keys;
mod module;
mod sign;
mod x509;

/// An object of `class` made of CKA_CLASS and the attributes given.
fn object(class: CK_ULONG, attrs: &[Attribute]) -> Object {
    let mut map = AttrMap::new();
    map.insert(CKA_CLASS, Zeroizing::new(crate::attr::ulong_bytes(class)));
    for a in attrs {
        map.insert(a.kind, Zeroizing::new(a.value.clone()));
    }
    Object::new(map)
}

struct Pair {
    public: Object,
    private: Object,
}

fn generate(bits: CK_ULONG, exponent: Option<&[u8]>) -> CkResult<Pair> {
    let mut template = vec![Attribute::ulong(CKA_MODULUS_BITS, bits)];
    if let Some(e) = exponent {
        template.push(Attribute::new(CKA_PUBLIC_EXPONENT, e));
    }
    let (public, private) =
        RSA.generate_key_pair(&CkMechanism::new(CKM_RSA_PKCS_KEY_PAIR_GEN), &template, &[])?;
    Ok(Pair {
        public: object(CKO_PUBLIC_KEY, &public),
        private: object(CKO_PRIVATE_KEY, &private),
    })
}

/// Key pairs are slow to make in debug builds: share them.
fn pair_2048() -> &'static Pair {
    static P: OnceLock<Pair> = OnceLock::new();
    P.get_or_init(|| generate(2048, None).unwrap())
}

/// modBits = 8k - 7, so EMSA-PSS has emLen = k - 1.
fn pair_1025() -> &'static Pair {
    static P: OnceLock<Pair> = OnceLock::new();
    P.get_or_init(|| generate(1025, Some(&[3])).unwrap())
}

/// The `rsa` crate's key of (n, e), to check against it.
fn crate_public_of(n: &[u8], e: &[u8]) -> rsa::PublicKey {
    let uint = |x: &[u8]| rsa::BoxedUint::from_be_slice(x, (x.len() * 8).max(64) as u32).unwrap();
    rsa::PublicKey::new_with_size_limits(uint(n), uint(e), 1024..=8192).unwrap()
}

/// The `rsa` crate's key of a public key object.
fn crate_public(o: &Object) -> rsa::PublicKey {
    crate_public_of(
        o.get(CKA_MODULUS).unwrap(),
        o.get(CKA_PUBLIC_EXPONENT).unwrap(),
    )
}

fn k_of(p: &Pair) -> usize {
    p.public.get(CKA_MODULUS).unwrap().len()
}

fn encrypt(m: &CkMechanism, key: &Object, data: &[u8]) -> CkResult<Vec<u8>> {
    RSA.encrypt_init(m, key)?.one_shot(data)
}

fn decrypt(m: &CkMechanism, key: &Object, data: &[u8]) -> CkResult<Vec<u8>> {
    RSA.decrypt_init(m, key)?.one_shot(data)
}

fn sign(m: &CkMechanism, key: &Object, data: &[u8]) -> CkResult<Vec<u8>> {
    let mut op = RSA.sign_init(m, key)?;
    let sig = op.one_shot(data)?;
    assert_eq!(sig.len(), op.signature_len());
    Ok(sig)
}

fn verify(m: &CkMechanism, key: &Object, data: &[u8], sig: &[u8]) -> CkResult<()> {
    RSA.verify_init(m, key)?.one_shot(data, sig)
}

fn oaep(hash_alg: CK_ULONG, mgf: CK_ULONG, label: &[u8]) -> CkMechanism {
    CkMechanism::with(
        CKM_RSA_PKCS_OAEP,
        Param::Oaep {
            hash_alg,
            mgf,
            source: CKZ_DATA_SPECIFIED,
            source_data: label.to_vec(),
        },
    )
}

fn pss(kind: CK_ULONG, hash_alg: CK_ULONG, mgf: CK_ULONG, salt_len: CK_ULONG) -> CkMechanism {
    CkMechanism::with(
        kind,
        Param::Pss {
            hash_alg,
            mgf,
            salt_len,
        },
    )
}

const HASHES: [(CK_ULONG, CK_ULONG); 5] = [
    (CKM_SHA_1, CKG_MGF1_SHA1),
    (CKM_SHA224, CKG_MGF1_SHA224),
    (CKM_SHA256, CKG_MGF1_SHA256),
    (CKM_SHA384, CKG_MGF1_SHA384),
    (CKM_SHA512, CKG_MGF1_SHA512),
];

/// The `rsa` crate's private key of a private key object (n, e, d, p, q).
fn crate_private(o: &Object) -> rsa::PrivateKey {
    let uint = |k| {
        let x: &[u8] = o.get(k).unwrap();
        rsa::BoxedUint::from_be_slice(x, (x.len() * 8).max(64) as u32).unwrap()
    };
    let primes = vec![uint(CKA_PRIME_1), uint(CKA_PRIME_2)];
    rsa::PrivateKey::from_components(
        uint(CKA_MODULUS),
        uint(CKA_PUBLIC_EXPONENT),
        uint(CKA_PRIVATE_EXPONENT),
        primes,
    )
    .unwrap()
}

/// The eight integer attributes of a key of the `rsa` crate.
fn crate_private_attributes(key: &rsa::PrivateKey) -> Vec<Attribute> {
    use rsa::traits::PrivateKeyParts;
    let be = |x: &rsa::BoxedUint| {
        let b = x.to_be_bytes();
        key::strip(&b).to_vec()
    };
    let [p, q] = key.primes() else {
        panic!("two primes")
    };
    vec![
        Attribute::new(CKA_MODULUS, key.n_bytes().to_vec()),
        Attribute::new(CKA_PUBLIC_EXPONENT, key.e_bytes().to_vec()),
        Attribute::new(CKA_PRIVATE_EXPONENT, be(key.d())),
        Attribute::new(CKA_PRIME_1, be(p.as_ref())),
        Attribute::new(CKA_PRIME_2, be(q.as_ref())),
        Attribute::new(CKA_EXPONENT_1, be(key.dp().unwrap())),
        Attribute::new(CKA_EXPONENT_2, be(key.dq().unwrap())),
        Attribute::new(CKA_COEFFICIENT, be(&key.crt_coefficient().unwrap())),
    ]
}
