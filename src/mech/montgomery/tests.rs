use super::*;
use crate::mech::ec::der;
use crate::mech::{NoKeys, Param, registry};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

const OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x6e];
const NAME: &[u8] = b"\x13\x0acurve25519";

fn object(class: CK_ULONG, pairs: &[(CK_ULONG, Vec<u8>)]) -> CkResult<Object> {
    let mut attrs: AttrMap = pairs
        .iter()
        .map(|(k, v)| (*k, Zeroizing::new(v.clone())))
        .collect();
    attrs.insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(class)));
    attrs.insert(
        CKA_KEY_TYPE,
        Zeroizing::new(attr::ulong_bytes(CKK_EC_MONTGOMERY)),
    );
    complete(class, &mut attrs)?;
    Ok(Object::new(attrs))
}

fn derive(
    kind: CK_ULONG,
    base: &Object,
    kdf: CK_ULONG,
    public_data: Vec<u8>,
    len: Option<usize>,
) -> CkResult<Zeroizing<Vec<u8>>> {
    let m = CkMechanism::with(
        kind,
        Param::Ecdh1 {
            kdf,
            shared_data: vec![],
            public_data,
        },
    );
    registry()
        .get(kind, CKF_DERIVE)?
        .derive(&m, base, len, &NoKeys)
}

/// RFC 7748 section 6.1: Alice's and Bob's keys and their secret,
/// through CKM_ECDH1_DERIVE (the EC mechanism routes Montgomery keys
/// here).
#[test]
fn rfc_7748_agreement() {
    let alice = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    let alice_pub = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    let bob = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    let bob_pub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    let shared = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    let a = object(
        CKO_PRIVATE_KEY,
        &[(CKA_EC_PARAMS, OID.to_vec()), (CKA_VALUE, hex(alice))],
    )
    .unwrap();
    let b = object(
        CKO_PRIVATE_KEY,
        &[(CKA_EC_PARAMS, NAME.to_vec()), (CKA_VALUE, hex(bob))],
    )
    .unwrap();
    // The private key's SPKI carries its public key.
    assert!(
        a.get(CKA_PUBLIC_KEY_INFO)
            .unwrap()
            .ends_with(&hex(alice_pub))
    );
    let ab = derive(CKM_ECDH1_DERIVE, &a, CKD_NULL, hex(bob_pub), None).unwrap();
    let ba = derive(
        CKM_ECDH1_DERIVE,
        &b,
        CKD_NULL,
        der::octet_string(&hex(alice_pub)),
        None,
    )
    .unwrap();
    assert_eq!(ab.as_slice(), shared.as_slice());
    assert_eq!(ba.as_slice(), shared.as_slice());
    // With a KDF: X9.63 over the X25519 output.
    let k = derive(CKM_ECDH1_DERIVE, &a, CKD_SHA256_KDF, hex(bob_pub), Some(16)).unwrap();
    let want = crate::mech::ec::x963_kdf(CKM_SHA256, &shared, &[], 16, false).unwrap();
    assert_eq!(k, want);
    // The cofactor variant is for short Weierstrass keys only.
    assert_eq!(
        derive(CKM_ECDH1_COFACTOR_DERIVE, &a, CKD_NULL, hex(bob_pub), None).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    // A point of small order gives the all-zero secret: refused.
    assert_eq!(
        derive(CKM_ECDH1_DERIVE, &a, CKD_NULL, vec![0; 32], None).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    let mut one = vec![0; 32];
    one[0] = 1;
    assert_eq!(
        derive(CKM_ECDH1_DERIVE, &a, CKD_NULL, one, None).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(
        derive(CKM_ECDH1_DERIVE, &a, CKD_NULL, vec![9; 31], None).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
}

#[test]
fn generate_import_wrap() {
    let m = CkMechanism::new(CKM_EC_MONTGOMERY_KEY_PAIR_GEN);
    let gen_pair = || {
        let (public, private) = KEY_PAIR_GEN
            .generate_key_pair(&m, &[Attribute::new(CKA_EC_PARAMS, OID)], &[])
            .unwrap();
        let point = attr::find(&public, CKA_EC_POINT).unwrap().to_vec();
        let mut map: AttrMap = private
            .iter()
            .map(|a| (a.kind, Zeroizing::new(a.value.clone())))
            .collect();
        map.insert(
            CKA_CLASS,
            Zeroizing::new(attr::ulong_bytes(CKO_PRIVATE_KEY)),
        );
        let before = map.clone();
        complete(CKO_PRIVATE_KEY, &mut map).unwrap();
        assert_eq!(map, before);
        (point, Object::new(map))
    };
    let (pa, a) = gen_pair();
    let (pb, b) = gen_pair();
    assert_eq!(pa.len(), 32);
    let ab = derive(CKM_ECDH1_DERIVE, &a, CKD_NULL, pb, None).unwrap();
    let ba = derive(CKM_ECDH1_DERIVE, &b, CKD_NULL, pa.clone(), None).unwrap();
    assert_eq!(ab, ba);
    // PKCS#8 round trip.
    let der_bytes = export_private(&a).unwrap();
    let attrs = import_private(&der_bytes).unwrap();
    assert_eq!(attr::find(&attrs, CKA_VALUE), a.get(CKA_VALUE));
    assert_eq!(attr::find(&attrs, CKA_EC_PARAMS), Some(OID));
    // Public key import keeps the raw form.
    let public = object(
        CKO_PUBLIC_KEY,
        &[
            (CKA_EC_PARAMS, NAME.to_vec()),
            (CKA_EC_POINT, der::octet_string(&pa)),
        ],
    )
    .unwrap();
    assert_eq!(public.get(CKA_EC_POINT), Some(pa.as_slice()));
    assert_eq!(
        object(
            CKO_PUBLIC_KEY,
            &[(CKA_EC_PARAMS, OID.to_vec()), (CKA_EC_POINT, vec![1; 33])]
        )
        .err(),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        object(
            CKO_PRIVATE_KEY,
            &[
                (CKA_EC_PARAMS, b"\x13\x08curve448".to_vec()),
                (CKA_VALUE, vec![1; 56])
            ]
        )
        .err(),
        Some(CKR_CURVE_NOT_SUPPORTED)
    );
    assert_eq!(
        KEY_PAIR_GEN
            .generate_key_pair(
                &m,
                &[Attribute::new(
                    CKA_EC_PARAMS,
                    b"\x13\x0cedwards25519".to_vec()
                )],
                &[]
            )
            .err(),
        Some(CKR_CURVE_NOT_SUPPORTED)
    );
}
