use super::*;
use crate::attr;
use crate::mech::ec::der;
use ed25519_dalek::SigningKey;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

const OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
const NAME: &[u8] = b"\x13\x0cedwards25519";

fn object(class: CK_ULONG, pairs: &[(CK_ULONG, Vec<u8>)]) -> CkResult<Object> {
    let mut attrs: AttrMap = pairs
        .iter()
        .map(|(k, v)| (*k, Zeroizing::new(v.clone())))
        .collect();
    attrs.insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(class)));
    attrs.insert(
        CKA_KEY_TYPE,
        Zeroizing::new(attr::ulong_bytes(CKK_EC_EDWARDS)),
    );
    complete(class, &mut attrs)?;
    Ok(Object::new(attrs))
}

fn pair(seed: &str, public: &str) -> (Object, Object) {
    (
        object(
            CKO_PRIVATE_KEY,
            &[(CKA_EC_PARAMS, OID.to_vec()), (CKA_VALUE, hex(seed))],
        )
        .unwrap(),
        object(
            CKO_PUBLIC_KEY,
            &[(CKA_EC_PARAMS, NAME.to_vec()), (CKA_EC_POINT, hex(public))],
        )
        .unwrap(),
    )
}

/// A private key object for `seed` and a public key object for `a`.
fn objects(seed: [u8; 32], a: [u8; 32]) -> (Object, Object) {
    (
        object(
            CKO_PRIVATE_KEY,
            &[(CKA_EC_PARAMS, OID.to_vec()), (CKA_VALUE, seed.to_vec())],
        )
        .unwrap(),
        object(
            CKO_PUBLIC_KEY,
            &[(CKA_EC_PARAMS, OID.to_vec()), (CKA_EC_POINT, a.to_vec())],
        )
        .unwrap(),
    )
}

fn eddsa(ph: Option<bool>, ctx: &[u8]) -> CkMechanism {
    match ph {
        None => CkMechanism::new(CKM_EDDSA),
        Some(ph_flag) => CkMechanism::with(
            CKM_EDDSA,
            Param::Eddsa {
                ph_flag,
                context: ctx.to_vec(),
            },
        ),
    }
}

fn sign(m: &CkMechanism, key: &Object, msg: &[u8]) -> CkResult<Vec<u8>> {
    EDDSA.sign_init(m, key)?.one_shot(msg)
}

fn verify(m: &CkMechanism, key: &Object, msg: &[u8], sig: &[u8]) -> CkResult<()> {
    EDDSA.verify_init(m, key)?.one_shot(msg, sig)
}

/// (phFlag, context, seed, public key, message, signature).
type Case = (
    Option<bool>,
    &'static [u8],
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// RFC 8032 7.1 TEST 1 (Ed25519), 7.2 (Ed25519ctx, contexts "foo" and
/// "bar") and 7.3 (Ed25519ph, "abc").
#[test]
fn rfc_8032_vectors() {
    let cases: [Case; 5] = [
        (
            None,
            b"",
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            Some(false),
            b"",
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        ),
        (
            Some(false),
            b"foo",
            "0305334e381af78f141cb666f6199f57bc3495335a256a95bd2a55bf546663f6",
            "dfc9425e4f968f7f0c29f0259cf5f9aed6851c2bb4ad8bfb860cfee0ab248292",
            "f726936d19c800494e3fdaff20b276a8",
            "55a4cc2f70a54e04288c5f4cd1e45a7bb520b36292911876cada7323198dd87a8b36950b95130022907a7fb7c4e9b2d5f6cca685a587b4b21f4b888e4e7edb0d",
        ),
        (
            Some(false),
            b"bar",
            "0305334e381af78f141cb666f6199f57bc3495335a256a95bd2a55bf546663f6",
            "dfc9425e4f968f7f0c29f0259cf5f9aed6851c2bb4ad8bfb860cfee0ab248292",
            "f726936d19c800494e3fdaff20b276a8",
            "fc60d5872fc46b3aa69f8b5b4351d5808f92bcc044606db097abab6dbcb1aee3216c48e8b3b66431b5b186d1d28f8ee15a5ca2df6668346291c2043d4eb3e90d",
        ),
        (
            Some(true),
            b"",
            "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
            "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
            "616263",
            "98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406",
        ),
    ];
    for (ph, ctx, seed, public, msg, sig) in cases {
        let (private, public_key) = pair(seed, public);
        let m = eddsa(ph, ctx);
        let (msg, sig) = (hex(msg), hex(sig));
        assert_eq!(sign(&m, &private, &msg), Ok(sig.clone()), "{ph:?} {ctx:?}");
        assert_eq!(verify(&m, &public_key, &msg, &sig), Ok(()));
        // Multi-part: the same signature from pieces.
        let mut op = EDDSA.sign_init(&m, &private).unwrap();
        for chunk in msg.chunks(5) {
            op.update(chunk).unwrap();
        }
        assert_eq!(op.finalize(), Ok(sig.clone()));
        let mut v = EDDSA.verify_init(&m, &public_key).unwrap();
        for chunk in msg.chunks(3) {
            v.update(chunk).unwrap();
        }
        assert_eq!(v.finalize(&sig), Ok(()));
        // Another variant, context or message fails.
        let other = eddsa(Some(!ph.unwrap_or(false)), b"x");
        assert_eq!(
            verify(&other, &public_key, &msg, &sig),
            Err(CKR_SIGNATURE_INVALID)
        );
        assert_eq!(
            verify(&m, &public_key, &[msg.clone(), vec![0]].concat(), &sig),
            Err(CKR_SIGNATURE_INVALID)
        );
        assert_eq!(
            verify(&m, &public_key, &msg, &sig[..63]),
            Err(CKR_SIGNATURE_LEN_RANGE)
        );
        let mut bad = sig.clone();
        bad[10] ^= 1;
        assert_eq!(
            verify(&m, &public_key, &msg, &bad),
            Err(CKR_SIGNATURE_INVALID)
        );
    }
}

/// S must be below the group order (RFC 8032 5.1.7 step 1): S + L is
/// refused although the equation holds for it.
#[test]
fn non_canonical_s_is_refused() {
    let (private, public) = pair(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    );
    for m in [
        eddsa(None, b""),
        eddsa(Some(false), b"c"),
        eddsa(Some(true), b""),
    ] {
        let sig = sign(&m, &private, b"msg").unwrap();
        // L, little-endian.
        let l = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        let mut s_plus_l = sig.clone();
        let mut carry = 0u16;
        for i in 0..32 {
            let v = sig[32 + i] as u16 + l[i] as u16 + carry;
            s_plus_l[32 + i] = v as u8;
            carry = v >> 8;
        }
        assert_eq!(
            verify(&m, &public, b"msg", &s_plus_l),
            Err(CKR_SIGNATURE_INVALID)
        );
    }
}

#[test]
fn parameters_and_keys() {
    let (private, public) = pair(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    );
    let long = CkMechanism::with(
        CKM_EDDSA,
        Param::Eddsa {
            ph_flag: false,
            context: vec![0; 256],
        },
    );
    assert_eq!(
        EDDSA.sign_init(&long, &private).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(
        EDDSA
            .sign_init(
                &CkMechanism::with(CKM_EDDSA, Param::Bytes(vec![1])),
                &private
            )
            .err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(
        EDDSA.sign_init(&eddsa(None, b""), &public).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        EDDSA.verify_init(&eddsa(None, b""), &private).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    // The point is stored raw whatever form came in; the SPKI is RFC 8410.
    let raw = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assert_eq!(public.get(CKA_EC_POINT), Some(raw.as_slice()));
    let wrapped = object(
        CKO_PUBLIC_KEY,
        &[
            (CKA_EC_PARAMS, OID.to_vec()),
            (CKA_EC_POINT, der::octet_string(&raw)),
        ],
    )
    .unwrap();
    assert_eq!(wrapped.get(CKA_EC_POINT), Some(raw.as_slice()));
    let spki = public.get(CKA_PUBLIC_KEY_INFO).unwrap();
    assert_eq!(spki, CURVES[0].spki(&raw).as_slice());
    assert_eq!(private.get(CKA_PUBLIC_KEY_INFO), Some(spki));
    // Errors on import.
    let err = |class, pairs: &[(CK_ULONG, Vec<u8>)]| object(class, pairs).err();
    assert_eq!(
        err(
            CKO_PUBLIC_KEY,
            &[
                (CKA_EC_PARAMS, OID.to_vec()),
                (CKA_EC_POINT, raw[1..].to_vec())
            ]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    // y = 2 is not on the curve (no x solves it).
    let mut off = vec![0u8; 32];
    off[0] = 2;
    assert_eq!(
        err(
            CKO_PUBLIC_KEY,
            &[(CKA_EC_PARAMS, OID.to_vec()), (CKA_EC_POINT, off)]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        err(
            CKO_PRIVATE_KEY,
            &[(CKA_EC_PARAMS, OID.to_vec()), (CKA_VALUE, vec![1; 31])]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        err(
            CKO_PRIVATE_KEY,
            &[
                (CKA_EC_PARAMS, b"\x13\x0aedwards448".to_vec()),
                (CKA_VALUE, vec![1; 32])
            ]
        ),
        Some(CKR_CURVE_NOT_SUPPORTED)
    );
    assert_eq!(
        err(CKO_PRIVATE_KEY, &[(CKA_VALUE, vec![1; 32])]),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
}

#[test]
fn generate_wrap_and_sign() {
    let m = CkMechanism::new(CKM_EC_EDWARDS_KEY_PAIR_GEN);
    let (public, private) = KEY_PAIR_GEN
        .generate_key_pair(&m, &[Attribute::new(CKA_EC_PARAMS, NAME)], &[])
        .unwrap();
    assert_eq!(
        attr::find_ulong(&public, CKA_KEY_TYPE),
        Ok(Some(CKK_EC_EDWARDS))
    );
    assert_eq!(attr::find(&public, CKA_EC_PARAMS), Some(NAME));
    assert_eq!(attr::find(&private, CKA_EC_PARAMS), Some(NAME));
    assert_eq!(attr::find(&public, CKA_EC_POINT).unwrap().len(), 32);
    let to_object = |class: CK_ULONG, attrs: &[Attribute]| {
        let mut map: AttrMap = attrs
            .iter()
            .map(|a| (a.kind, Zeroizing::new(a.value.clone())))
            .collect();
        map.insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(class)));
        // What generation returns passes the import checks unchanged.
        let before = map.clone();
        complete(class, &mut map).unwrap();
        assert_eq!(map, before);
        Object::new(map)
    };
    let (public, private) = (
        to_object(CKO_PUBLIC_KEY, &public),
        to_object(CKO_PRIVATE_KEY, &private),
    );
    let sig = sign(&eddsa(None, b""), &private, b"generated").unwrap();
    assert_eq!(
        verify(&eddsa(None, b""), &public, b"generated", &sig),
        Ok(())
    );
    // PKCS#8 round trip (RFC 8410).
    let der_bytes = export_private(&private).unwrap();
    let attrs = import_private(&der_bytes).unwrap();
    assert_eq!(attr::find(&attrs, CKA_VALUE), private.get(CKA_VALUE));
    assert_eq!(attr::find(&attrs, CKA_EC_PARAMS), Some(OID));
    // Template checks.
    let gen_err = |public: &[Attribute], private: &[Attribute]| {
        KEY_PAIR_GEN.generate_key_pair(&m, public, private).err()
    };
    assert_eq!(gen_err(&[], &[]), Some(CKR_TEMPLATE_INCOMPLETE));
    assert_eq!(
        gen_err(
            &[Attribute::new(
                CKA_EC_PARAMS,
                b"\x13\x0acurve25519".to_vec()
            )],
            &[]
        ),
        Some(CKR_CURVE_NOT_SUPPORTED)
    );
    assert_eq!(
        gen_err(
            &[Attribute::new(CKA_EC_PARAMS, OID)],
            &[Attribute::ulong(CKA_KEY_TYPE, CKK_EC)]
        ),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
    assert_eq!(
        gen_err(
            &[Attribute::new(CKA_EC_PARAMS, OID)],
            &[Attribute::new(
                CKA_EC_PARAMS,
                b"\x13\x0acurve25519".to_vec()
            )]
        ),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
}

#[test]
fn registered() {
    let mut r = Registry::default();
    register(&mut r);
    let i = r.info(CKM_EDDSA).unwrap();
    assert_eq!((i.min_key_size, i.max_key_size), (255, 255));
    assert_eq!(i.flags & (CKF_SIGN | CKF_VERIFY), CKF_SIGN | CKF_VERIFY);
    let g = r.info(CKM_EC_EDWARDS_KEY_PAIR_GEN).unwrap();
    assert_eq!(g.flags & CKF_GENERATE_KEY_PAIR, CKF_GENERATE_KEY_PAIR);
    assert!(r.key_type(CKK_EC_EDWARDS).is_some());
}

/// Signing takes A from the private key's CKA_PUBLIC_KEY_INFO (see
/// `SignKey::new`). Try to make it use another A: a template with a
/// foreign CKA_PUBLIC_KEY_INFO is refused; a key without one (stored
/// before the token kept it) signs the same as one with it.
#[test]
fn signing_public_key_cannot_be_chosen_by_the_caller() {
    let seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    let want = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    let (private, _) = pair(
        seed,
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    );
    assert_eq!(
        hex::encode(sign(&eddsa(None, b""), &private, b"").unwrap()),
        want
    );

    // Another key's SPKI in the template.
    let other = CURVES[0].spki(&hex(
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    ));
    let refused = object(
        CKO_PRIVATE_KEY,
        &[
            (CKA_EC_PARAMS, OID.to_vec()),
            (CKA_VALUE, hex(seed)),
            (CKA_PUBLIC_KEY_INFO, other),
        ],
    );
    assert_eq!(refused.err(), Some(CKR_TEMPLATE_INCONSISTENT));

    // No stored SPKI, or a malformed one: A is computed from the seed.
    for spki in [None, Some(vec![1u8, 2, 3])] {
        let mut attrs = private.attrs.clone();
        match spki {
            None => attrs.remove(&CKA_PUBLIC_KEY_INFO),
            Some(v) => attrs.insert(CKA_PUBLIC_KEY_INFO, Zeroizing::new(v)),
        };
        let key = Object::new(attrs);
        assert_eq!(
            hex::encode(sign(&eddsa(None, b""), &key, b"").unwrap()),
            want
        );
    }
}

/// The cache of decompressed public keys never answers for another key:
/// twelve keys (more than it holds) in turn, each signature verifies
/// under its own key only, on every round.
#[test]
fn decompressed_key_cache_keeps_keys_apart() {
    let keys: Vec<(Object, Object)> = (1u8..=12)
        .map(|i| {
            let seed = [i; 32];
            objects(
                seed,
                SigningKey::from_bytes(&seed).verifying_key().to_bytes(),
            )
        })
        .collect();
    let m = eddsa(None, b"");
    let sigs: Vec<Vec<u8>> = keys
        .iter()
        .map(|(sk, _)| sign(&m, sk, b"m").unwrap())
        .collect();
    for _ in 0..2 {
        for (i, (_, pk)) in keys.iter().enumerate() {
            assert_eq!(verify(&m, pk, b"m", &sigs[i]), Ok(()));
            let other = &sigs[(i + 1) % sigs.len()];
            assert_eq!(verify(&m, pk, b"m", other), Err(CKR_SIGNATURE_INVALID));
        }
    }
}

/// Every variant against ed25519-dalek's own signing and verification
/// (the reference our curve arithmetic replaced), public keys included:
/// Ed25519, Ed25519ctx and Ed25519ph with and without a context, over
/// several keys and lengths; each side verifies the other's signature.
#[test]
fn every_variant_agrees_with_ed25519_dalek() {
    use ed25519_dalek::{Signature, Signer, Verifier};
    for i in 0u8..6 {
        let seed = [i.wrapping_mul(37).wrapping_add(1); 32];
        let dalek = SigningKey::from_bytes(&seed);
        let a = dalek.verifying_key().to_bytes();
        assert_eq!(public_key(&seed), a);
        let (private, public) = objects(seed, a);
        let msg: Vec<u8> = (0..usize::from(i) * 61).map(|j| j as u8).collect();
        let ctx = b"context".as_slice();
        // Ed25519.
        let ours = sign(&eddsa(None, b""), &private, &msg).unwrap();
        let theirs = dalek.sign(&msg).to_bytes();
        assert_eq!(ours, theirs.to_vec());
        assert!(
            dalek
                .verifying_key()
                .verify(&msg, &Signature::from_slice(&ours).unwrap())
                .is_ok()
        );
        // Ed25519ph, with and without a context.
        for c in [b"".as_slice(), ctx] {
            let ours = sign(&eddsa(Some(true), c), &private, &msg).unwrap();
            let theirs = dalek
                .sign_prehashed(Sha512::new().chain_update(&msg), Some(c))
                .unwrap()
                .to_bytes();
            assert_eq!(ours, theirs.to_vec());
            assert_eq!(
                verify(&eddsa(Some(true), c), &public, &msg, &theirs),
                Ok(())
            );
        }
        // Ed25519ctx: dalek has no Ed25519ctx signer; our signature must
        // verify under ours and fail as plain Ed25519.
        let ours = sign(&eddsa(Some(false), ctx), &private, &msg).unwrap();
        assert_eq!(
            verify(&eddsa(Some(false), ctx), &public, &msg, &ours),
            Ok(())
        );
        assert!(
            dalek
                .verifying_key()
                .verify(&msg, &Signature::from_slice(&ours).unwrap())
                .is_err()
        );
    }
}
