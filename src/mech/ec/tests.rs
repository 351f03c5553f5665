//! P-256 and what all curves share: parameters, points, scalars, import
//! checks, RFC 6979 answers, ECDSA and ECDH errors, PKCS#8.
use super::ecdh::ECDH;
use super::ecdsa::{ECDSA, ecdsa_hash};
use super::*;
use crate::mech::digest::hasher_for;
use crate::mech::{NoKeys, Param};

pub(super) fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub(super) fn sha256(data: &[u8]) -> Vec<u8> {
    let mut h = hasher_for(CKM_SHA256).unwrap();
    h.update(data);
    h.finalize()
}

pub(super) const P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
pub(super) const P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
pub(super) const P521: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23];
pub(super) const K256: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a];
/// secp224k1 (1.3.132.0.32): a well-formed OID of a curve we lack.
pub(super) const UNSUPPORTED: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x20];
/// The order n of P-256.
pub(super) const N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
/// RFC 6979 A.2.5: the P-256 key pair.
pub(super) const D: &str = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
pub(super) const UX: &str = "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6";
pub(super) const UY: &str = "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";

pub(super) fn point() -> Vec<u8> {
    [vec![4], hex(UX), hex(UY)].concat()
}

pub(super) fn object(class: CK_ULONG, pairs: &[(CK_ULONG, Vec<u8>)]) -> CkResult<Object> {
    let mut attrs: AttrMap = pairs
        .iter()
        .map(|(k, v)| (*k, Zeroizing::new(v.clone())))
        .collect();
    attrs.insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(class)));
    attrs.insert(CKA_KEY_TYPE, Zeroizing::new(attr::ulong_bytes(CKK_EC)));
    complete_ec(class, &mut attrs)?;
    Ok(Object::new(attrs))
}

pub(super) fn rfc_private() -> Object {
    object(
        CKO_PRIVATE_KEY,
        &[(CKA_EC_PARAMS, P256.to_vec()), (CKA_VALUE, hex(D))],
    )
    .unwrap()
}

pub(super) fn rfc_public() -> Object {
    object(
        CKO_PUBLIC_KEY,
        &[(CKA_EC_PARAMS, P256.to_vec()), (CKA_EC_POINT, point())],
    )
    .unwrap()
}

pub(super) fn sign(kind: CK_ULONG, key: &Object, data: &[u8]) -> CkResult<Vec<u8>> {
    ECDSA
        .sign_init(&CkMechanism::new(kind), key)?
        .one_shot(data)
}

pub(super) fn verify(kind: CK_ULONG, key: &Object, data: &[u8], sig: &[u8]) -> CkResult<()> {
    ECDSA
        .verify_init(&CkMechanism::new(kind), key)?
        .one_shot(data, sig)
}

/// n - s, big-endian, for s < n.
pub(super) fn negate(s: &[u8]) -> Vec<u8> {
    let n = hex(N);
    let mut out = vec![0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let v = n[i] as i16 - s[i] as i16 - borrow;
        borrow = (v < 0) as i16;
        out[i] = v.rem_euclid(256) as u8;
    }
    out
}

#[test]
fn curve_params() {
    assert_eq!(curve_of(P256).unwrap().bits, 256);
    assert_eq!(curve_of(P384).unwrap().bits, 384);
    assert_eq!(curve_of(P521).unwrap().len, 66);
    assert_eq!(curve_of(K256).unwrap().name, "secp256k1");
    assert_eq!(curve_of(UNSUPPORTED).err(), Some(CKR_CURVE_NOT_SUPPORTED));
    // Curve names (PrintableString, 3.x) name the same curves.
    assert_eq!(curve_of(b"\x13\x0aprime256v1").unwrap().params, P256);
    assert_eq!(curve_of(b"\x13\x09secp384r1").unwrap().params, P384);
    assert_eq!(curve_of(b"\x13\x05P-521").unwrap().params, P521);
    assert_eq!(curve_of(b"\x13\x09secp256k1").unwrap().params, K256);
    assert_eq!(
        curve_of(b"\x13\x09secp224k1").err(),
        Some(CKR_CURVE_NOT_SUPPORTED)
    );
    // Explicit parameters, implicitlyCA.
    assert_eq!(
        curve_of(&[0x30, 0x03, 0x02, 0x01, 0x01]).err(),
        Some(CKR_DOMAIN_PARAMS_INVALID)
    );
    assert_eq!(
        curve_of(&[0x05, 0x00]).err(),
        Some(CKR_DOMAIN_PARAMS_INVALID)
    );
    for bad in [
        &[][..],
        &[0x06],
        &[0x06, 0x00],
        &[0x06, 0x09, 0x2a],
        &P256[2..],
        &[0x04, 0x01, 0x00],
    ] {
        assert_eq!(
            curve_of(bad).err(),
            Some(CKR_ATTRIBUTE_VALUE_INVALID),
            "{bad:02x?}"
        );
    }
}

#[test]
fn points() {
    let c = curve_of(P256).unwrap();
    let q = point();
    assert_eq!(c.parse_point(&q), Some(q.clone()));
    assert_eq!(c.parse_point(&der::octet_string(&q)), Some(q.clone()));
    let compressed = [vec![2 + (q[64] & 1)], hex(UX)].concat();
    assert_eq!(c.parse_point(&compressed), Some(q.clone()));
    assert_eq!(
        c.parse_point(&der::octet_string(&compressed)),
        Some(q.clone())
    );
    let mut off_curve = q.clone();
    off_curve[64] ^= 1;
    assert_eq!(c.parse_point(&off_curve), None);
    assert_eq!(c.parse_point(&der::octet_string(&off_curve)), None);
    assert_eq!(c.parse_point(&q[..64]), None);
    assert_eq!(c.parse_point(&[0]), None, "identity");
    assert_eq!(c.parse_point(&der::octet_string(&[0])), None);
    assert_eq!(c.parse_point(&[]), None);
    // Hybrid form (06/07) is not accepted.
    let mut hybrid = q.clone();
    hybrid[0] = 6 + (q[64] & 1);
    assert_eq!(c.parse_point(&hybrid), None);
    // A point wrapped twice, or in the wrong tag.
    assert_eq!(
        c.parse_point(&der::octet_string(&der::octet_string(&q))),
        None
    );
    let mut bit_string = der::octet_string(&q);
    bit_string[0] = 0x03;
    assert_eq!(c.parse_point(&bit_string), None);
}

#[test]
fn scalars() {
    let c = curve_of(P256).unwrap();
    let d = hex(D);
    assert_eq!(c.normalise_scalar(&d).unwrap().as_slice(), d.as_slice());
    assert_eq!(
        c.normalise_scalar(&[vec![0, 0], d.clone()].concat())
            .unwrap()
            .as_slice(),
        d.as_slice()
    );
    assert_eq!(
        c.normalise_scalar(&[1]).unwrap().as_slice(),
        [vec![0; 31], vec![1]].concat().as_slice()
    );
    assert!(c.normalise_scalar(&[]).is_none());
    assert!(c.normalise_scalar(&[0; 32]).is_none());
    assert!(c.normalise_scalar(&hex(N)).is_none());
    assert!(c.normalise_scalar(&[0xff; 32]).is_none());
    assert!(c.normalise_scalar(&[1; 33]).is_none());
    let n_minus_1 = negate(&[vec![0; 31], vec![1]].concat());
    assert!(c.normalise_scalar(&n_minus_1).is_some());
}

#[test]
fn complete_public_and_private() {
    let public = rfc_public();
    assert_eq!(
        public.get(CKA_EC_POINT),
        Some(der::octet_string(&point()).as_slice())
    );
    let spki = public.get(CKA_PUBLIC_KEY_INFO).unwrap().to_vec();
    assert_eq!(&spki[..2], &[0x30, 0x59]);
    assert!(spki.ends_with(&point()));
    let wrapped = object(
        CKO_PUBLIC_KEY,
        &[
            (CKA_EC_PARAMS, P256.to_vec()),
            (CKA_EC_POINT, der::octet_string(&point())),
        ],
    );
    assert_eq!(wrapped.unwrap().get(CKA_EC_POINT), public.get(CKA_EC_POINT));

    let private = rfc_private();
    assert_eq!(private.get(CKA_PUBLIC_KEY_INFO), Some(spki.as_slice()));
    // A scalar with its leading zero stripped is stored at full length.
    let short_d = "00b5cd7a3b04c1b1e1f2d7b4e2f2d4b8e0c1a1d2e3f4a5b6c7d8e9fa0b1c2d3e";
    let k = object(
        CKO_PRIVATE_KEY,
        &[
            (CKA_EC_PARAMS, P256.to_vec()),
            (CKA_VALUE, hex(&short_d[2..])),
        ],
    )
    .unwrap();
    assert_eq!(k.get(CKA_VALUE), Some(hex(short_d).as_slice()));

    let given = |extra: (CK_ULONG, Vec<u8>)| {
        object(
            CKO_PUBLIC_KEY,
            &[
                (CKA_EC_PARAMS, P256.to_vec()),
                (CKA_EC_POINT, point()),
                extra,
            ],
        )
        .map(|_| ())
    };
    assert_eq!(given((CKA_PUBLIC_KEY_INFO, spki.clone())), Ok(()));
    assert_eq!(given((CKA_PUBLIC_KEY_INFO, vec![])), Ok(()));
    assert_eq!(
        given((CKA_PUBLIC_KEY_INFO, vec![0x30, 0x00])),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );

    let mut bad_point = point();
    bad_point[10] ^= 1;
    let err = |class, pairs: &[(CK_ULONG, Vec<u8>)]| object(class, pairs).err();
    assert_eq!(
        err(
            CKO_PUBLIC_KEY,
            &[(CKA_EC_PARAMS, P256.to_vec()), (CKA_EC_POINT, bad_point)]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        err(CKO_PUBLIC_KEY, &[(CKA_EC_PARAMS, P256.to_vec())]),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        err(CKO_PUBLIC_KEY, &[(CKA_EC_POINT, point())]),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        err(
            CKO_PUBLIC_KEY,
            &[
                (CKA_EC_PARAMS, UNSUPPORTED.to_vec()),
                (CKA_EC_POINT, point())
            ]
        ),
        Some(CKR_CURVE_NOT_SUPPORTED)
    );
    // A P-256 point is not on P-384 (nor its length).
    assert_eq!(
        err(
            CKO_PUBLIC_KEY,
            &[(CKA_EC_PARAMS, P384.to_vec()), (CKA_EC_POINT, point())]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        err(
            CKO_PRIVATE_KEY,
            &[(CKA_EC_PARAMS, P256.to_vec()), (CKA_VALUE, hex(N))]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        err(
            CKO_PRIVATE_KEY,
            &[(CKA_EC_PARAMS, P256.to_vec()), (CKA_VALUE, vec![0])]
        ),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        err(CKO_PRIVATE_KEY, &[(CKA_EC_PARAMS, P256.to_vec())]),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        err(CKO_SECRET_KEY, &[(CKA_EC_PARAMS, P256.to_vec())]),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
}

/// RFC 6979 A.2.5 (P-256): d·G, and the deterministic signatures of
/// "sample" with each hash: all verify; with SHA-256, the hash our nonce
/// generator uses on P-256, signing without added entropy reproduces its
/// signature exactly.
#[test]
fn rfc_6979_known_answers() {
    let c = curve_of(P256).unwrap();
    assert_eq!(c.ops.public_point(&hex(D)), Some(point()));
    let cases: [(CK_ULONG, &str, &str); 5] = [
        (
            CKM_SHA256,
            "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
            "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
        ),
        (
            CKM_SHA_1,
            "61340c88c3aaebeb4f6d667f672ca9759a6ccaa9fa8811313039ee4a35471d32",
            "6d7f147dac089441bb2e2fe8f7a3fa264b9c475098fdcf6e00d7c996e1b8b7eb",
        ),
        (
            CKM_SHA224,
            "53b2fff5d1752b2c689df257c04c40a587fababb3f6fc2702f1343af7ca9aa3f",
            "b9afb64fdc03dc1a131c7d2386d11e349f070aa432a4acc918bea988bf75c74c",
        ),
        (
            CKM_SHA384,
            "0eafea039b20e9b42309fb1d89e213057cbf973dc0cfc8f129edddc800ef7719",
            "4861f0491e6998b9455193e34e7b0d284ddd7149a74b95b9261f13abde940954",
        ),
        (
            CKM_SHA512,
            "8496a60b5e9b47c825488827e0495b0e3fa109ec4568fd3f8d1097678eb97f00",
            "2362ab1adbe2b8adf9cb9edab740ea6049c028114f2460f96554f61fae3302fe",
        ),
    ];
    for (hash, r, s) in cases {
        let mut h = hasher_for(hash).unwrap();
        h.update(b"sample");
        let z = h.finalize();
        let want = [hex(r), hex(s)].concat();
        if hash == CKM_SHA256 {
            assert_eq!(c.ops.sign(&hex(D), &z, &z, &[]), Some(want.clone()));
        }
        let mech = [
            CKM_ECDSA_SHA1,
            CKM_ECDSA_SHA224,
            CKM_ECDSA_SHA256,
            CKM_ECDSA_SHA384,
            CKM_ECDSA_SHA512,
        ]
        .into_iter()
        .find(|&k| ecdsa_hash(k) == Ok(Some(hash)))
        .unwrap();
        assert_eq!(verify(mech, &rfc_public(), b"sample", &want), Ok(()));
        assert_eq!(verify(CKM_ECDSA, &rfc_public(), &z, &want), Ok(()));
    }
}

#[test]
fn sign_and_verify() {
    let (private, public) = (rfc_private(), rfc_public());
    let msg = b"PKCS#11 ECDSA test message";
    for kind in [
        CKM_ECDSA_SHA1,
        CKM_ECDSA_SHA224,
        CKM_ECDSA_SHA256,
        CKM_ECDSA_SHA384,
        CKM_ECDSA_SHA512,
    ] {
        let sig = sign(kind, &private, msg).unwrap();
        assert_eq!(sig.len(), 64);
        assert_eq!(verify(kind, &public, msg, &sig), Ok(()), "{kind:#x}");
        assert_eq!(
            verify(kind, &public, b"other", &sig),
            Err(CKR_SIGNATURE_INVALID)
        );
        // Multi-part gives a signature over the same hash.
        let mut op = ECDSA.sign_init(&CkMechanism::new(kind), &private).unwrap();
        assert_eq!(op.signature_len(), 64);
        op.update(&msg[..5]).unwrap();
        op.update(&msg[5..]).unwrap();
        let parts = op.finalize().unwrap();
        let mut v = ECDSA.verify_init(&CkMechanism::new(kind), &public).unwrap();
        v.update(&msg[..7]).unwrap();
        v.update(&msg[7..]).unwrap();
        assert_eq!(v.finalize(&parts), Ok(()));
    }
    // Hedged: two signatures of one message differ, both verify.
    let a = sign(CKM_ECDSA_SHA256, &private, msg).unwrap();
    let b = sign(CKM_ECDSA_SHA256, &private, msg).unwrap();
    assert_ne!(a, b);
    // High S is as valid as low S (no normalisation for P-256).
    let high = [a[..32].to_vec(), negate(&a[32..])].concat();
    assert_eq!(verify(CKM_ECDSA_SHA256, &public, msg, &high), Ok(()));
    // Errors.
    let mut flipped = a.clone();
    flipped[40] ^= 0x80;
    assert_eq!(
        verify(CKM_ECDSA_SHA256, &public, msg, &flipped),
        Err(CKR_SIGNATURE_INVALID)
    );
    assert_eq!(
        verify(CKM_ECDSA_SHA256, &public, msg, &a[..63]),
        Err(CKR_SIGNATURE_LEN_RANGE)
    );
    assert_eq!(
        verify(
            CKM_ECDSA_SHA256,
            &public,
            msg,
            &[a.clone(), vec![0]].concat()
        ),
        Err(CKR_SIGNATURE_LEN_RANGE)
    );
    assert_eq!(
        verify(CKM_ECDSA_SHA256, &public, msg, &[0; 64]),
        Err(CKR_SIGNATURE_INVALID)
    );
    let r_is_n = [hex(N), a[32..].to_vec()].concat();
    assert_eq!(
        verify(CKM_ECDSA_SHA256, &public, msg, &r_is_n),
        Err(CKR_SIGNATURE_INVALID)
    );
}

#[test]
fn raw_ecdsa() {
    let (private, public) = (rfc_private(), rfc_public());
    let z = sha256(b"abc");
    let sig = sign(CKM_ECDSA, &private, &z).unwrap();
    assert_eq!(verify(CKM_ECDSA, &public, &z, &sig), Ok(()));
    assert_eq!(verify(CKM_ECDSA_SHA256, &public, b"abc", &sig), Ok(()));
    // A longer input counts by its leftmost 256 bits; a shorter one is
    // zero-extended on the left (FIPS 186-5 bits2int).
    let long = [z.clone(), vec![0xee; 32]].concat();
    assert_eq!(verify(CKM_ECDSA, &public, &long, &sig), Ok(()));
    let short = sign(CKM_ECDSA, &private, &z[..20]).unwrap();
    assert_eq!(
        verify(
            CKM_ECDSA,
            &public,
            &[vec![0; 12], z[..20].to_vec()].concat(),
            &short
        ),
        Ok(())
    );
    // Empty input signs the integer 0.
    let empty = sign(CKM_ECDSA, &private, &[]).unwrap();
    assert_eq!(verify(CKM_ECDSA, &public, &[0; 32], &empty), Ok(()));
    // Single-part only.
    let mut op = ECDSA
        .sign_init(&CkMechanism::new(CKM_ECDSA), &private)
        .unwrap();
    assert_eq!(op.update(&z), Err(CKR_FUNCTION_NOT_SUPPORTED));
    let mut v = ECDSA
        .verify_init(&CkMechanism::new(CKM_ECDSA), &public)
        .unwrap();
    assert_eq!(v.update(&z), Err(CKR_FUNCTION_NOT_SUPPORTED));
}

#[test]
fn ecdsa_init_checks() {
    let (private, public) = (rfc_private(), rfc_public());
    assert_eq!(
        ECDSA.sign_init(&CkMechanism::new(CKM_ECDSA), &public).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        ECDSA
            .verify_init(&CkMechanism::new(CKM_ECDSA), &private)
            .err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    let with_param = CkMechanism::with(CKM_ECDSA_SHA256, Param::Bytes(vec![1]));
    assert_eq!(
        ECDSA.sign_init(&with_param, &private).err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    let mut rsa = private.clone();
    rsa.attrs
        .insert(CKA_KEY_TYPE, Zeroizing::new(attr::ulong_bytes(CKK_RSA)));
    assert_eq!(
        ECDSA.sign_init(&CkMechanism::new(CKM_ECDSA), &rsa).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
}

#[test]
fn key_pair_generation() {
    let m = CkMechanism::new(CKM_EC_KEY_PAIR_GEN);
    let (public, private) = EC_KEY_PAIR_GEN
        .generate_key_pair(&m, &[Attribute::new(CKA_EC_PARAMS, P256)], &[])
        .unwrap();
    let to_object = |class: CK_ULONG, attrs: &[Attribute]| {
        let mut map: AttrMap = attrs
            .iter()
            .map(|a| (a.kind, Zeroizing::new(a.value.clone())))
            .collect();
        map.insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(class)));
        Object::new(map)
    };
    assert_eq!(attr::find_ulong(&public, CKA_KEY_TYPE), Ok(Some(CKK_EC)));
    assert_eq!(attr::find(&public, CKA_EC_PARAMS), Some(P256));
    assert_eq!(attr::find(&private, CKA_EC_PARAMS), Some(P256));
    let ec_point = attr::find(&public, CKA_EC_POINT).unwrap();
    assert_eq!(&ec_point[..3], &[0x04, 0x41, 0x04]);
    assert_eq!(attr::find(&private, CKA_VALUE).unwrap().len(), 32);
    assert_eq!(attr::find(&private, CKA_EC_POINT), None);
    assert_eq!(
        attr::find(&public, CKA_PUBLIC_KEY_INFO),
        attr::find(&private, CKA_PUBLIC_KEY_INFO)
    );
    let (public, private) = (
        to_object(CKO_PUBLIC_KEY, &public),
        to_object(CKO_PRIVATE_KEY, &private),
    );
    let sig = sign(CKM_ECDSA_SHA256, &private, b"generated").unwrap();
    assert_eq!(
        verify(CKM_ECDSA_SHA256, &public, b"generated", &sig),
        Ok(())
    );
    // What the generator returned passes the import checks unchanged.
    let mut attrs = private.attrs.clone();
    complete_ec(CKO_PRIVATE_KEY, &mut attrs).unwrap();
    assert_eq!(attrs, private.attrs);

    let gen_err = |public: &[Attribute], private: &[Attribute]| {
        EC_KEY_PAIR_GEN.generate_key_pair(&m, public, private).err()
    };
    assert_eq!(gen_err(&[], &[]), Some(CKR_TEMPLATE_INCOMPLETE));
    assert_eq!(
        gen_err(&[Attribute::new(CKA_EC_PARAMS, UNSUPPORTED)], &[]),
        Some(CKR_CURVE_NOT_SUPPORTED)
    );
    assert_eq!(
        gen_err(&[Attribute::new(CKA_EC_PARAMS, vec![1, 2])], &[]),
        Some(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    let p = [Attribute::new(CKA_EC_PARAMS, P256)];
    assert_eq!(
        gen_err(&p, &[Attribute::new(CKA_EC_PARAMS, P384)]),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
    assert_eq!(
        gen_err(&p, &[Attribute::ulong(CKA_KEY_TYPE, CKK_RSA)]),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
    assert_eq!(
        gen_err(
            &[p[0].clone(), Attribute::ulong(CKA_CLASS, CKO_PRIVATE_KEY)],
            &[]
        ),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
    let with_param = CkMechanism::with(CKM_EC_KEY_PAIR_GEN, Param::Bytes(vec![0]));
    assert_eq!(
        EC_KEY_PAIR_GEN
            .generate_key_pair(&with_param, &p, &[])
            .err(),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
}

pub(super) fn ecdh_param(kdf: CK_ULONG, shared_data: Vec<u8>, public_data: Vec<u8>) -> CkMechanism {
    CkMechanism::with(
        CKM_ECDH1_DERIVE,
        Param::Ecdh1 {
            kdf,
            shared_data,
            public_data,
        },
    )
}

#[test]
fn ecdh() {
    let m = CkMechanism::new(CKM_EC_KEY_PAIR_GEN);
    let p = [Attribute::new(CKA_EC_PARAMS, P256)];
    let keys: Vec<(Vec<u8>, Object)> = (0..2)
        .map(|_| {
            let (public, private) = EC_KEY_PAIR_GEN.generate_key_pair(&m, &p, &[]).unwrap();
            let point = attr::find(&public, CKA_EC_POINT).unwrap().to_vec();
            let mut map: AttrMap = private
                .iter()
                .map(|a| (a.kind, Zeroizing::new(a.value.clone())))
                .collect();
            map.insert(
                CKA_CLASS,
                Zeroizing::new(attr::ulong_bytes(CKO_PRIVATE_KEY)),
            );
            (point, Object::new(map))
        })
        .collect();
    let (a_point, a) = &keys[0];
    let (b_point, b) = &keys[1];
    // The peer point as stored (DER) or raw: both accepted, same secret.
    let ab = ECDH
        .derive(
            &ecdh_param(CKD_NULL, vec![], b_point.clone()),
            a,
            None,
            &NoKeys,
        )
        .unwrap();
    let ba = ECDH
        .derive(
            &ecdh_param(CKD_NULL, vec![], a_point[2..].to_vec()),
            b,
            None,
            &NoKeys,
        )
        .unwrap();
    assert_eq!(ab.len(), 32);
    assert_eq!(ab, ba);

    let err = |m: CkMechanism| ECDH.derive(&m, a, None, &NoKeys).err();
    // A KDF needs the key length (CKA_VALUE_LEN); an unknown KDF is a bad
    // parameter.
    assert_eq!(
        err(ecdh_param(CKD_SHA256_KDF, vec![], b_point.clone())),
        Some(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        err(ecdh_param(CKD_SHA1_KDF_ASN1, vec![], b_point.clone())),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(
        err(ecdh_param(CKD_NULL, vec![1], b_point.clone())),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    let mut off_curve = b_point.clone();
    off_curve[40] ^= 1;
    assert_eq!(
        err(ecdh_param(CKD_NULL, vec![], off_curve)),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(
        err(ecdh_param(CKD_NULL, vec![], vec![])),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(
        err(ecdh_param(CKD_NULL, vec![], vec![0])),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(
        err(CkMechanism::new(CKM_ECDH1_DERIVE)),
        Some(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(
        ECDH.derive(
            &ecdh_param(CKD_NULL, vec![], b_point.clone()),
            &rfc_public(),
            None,
            &NoKeys
        )
        .err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
}

#[test]
fn pkcs8_round_trip() {
    let private = rfc_private();
    let der = export_private(&private).unwrap();
    let attrs = import_private(&der).unwrap();
    assert_eq!(attr::find(&attrs, CKA_VALUE), Some(hex(D).as_slice()));
    assert_eq!(attr::find(&attrs, CKA_EC_PARAMS), Some(P256));
    assert_eq!(attr::find_ulong(&attrs, CKA_KEY_TYPE), Ok(Some(CKK_EC)));
    // The PKCS#8 names id-ecPublicKey and prime256v1.
    let alg = hex("301306072a8648ce3d020106082a8648ce3d030107");
    assert!(der.windows(alg.len()).any(|w| w == alg.as_slice()));
    assert_eq!(
        import_private(&der[..der.len() - 1]),
        Err(CKR_WRAPPED_KEY_INVALID)
    );
    assert_eq!(import_private(&[]), Err(CKR_WRAPPED_KEY_INVALID));
    // The same key under a curve we lack: prime239v3 (1.2.840.10045.3.1.6)
    // has an OID of the same length, patched in.
    let mut other = der.to_vec();
    let at = other.windows(P256.len()).position(|w| w == P256).unwrap();
    other[at + P256.len() - 1] = 0x06;
    assert_eq!(import_private(&other).err(), Some(CKR_CURVE_NOT_SUPPORTED));
}

#[test]
fn registered() {
    let mut r = Registry::default();
    register(&mut r);
    let kpg = r.info(CKM_EC_KEY_PAIR_GEN).unwrap();
    assert_eq!((kpg.min_key_size, kpg.max_key_size), (160, 521));
    assert_eq!(
        kpg.flags,
        CKF_GENERATE_KEY_PAIR | CKF_EC_F_P | CKF_EC_OID | CKF_EC_CURVENAME | CKF_EC_UNCOMPRESS
    );
    let ecdh = r.info(CKM_ECDH1_DERIVE).unwrap();
    assert_eq!((ecdh.min_key_size, ecdh.max_key_size), (160, 521));
    let cofactor = r.info(CKM_ECDH1_COFACTOR_DERIVE).unwrap();
    assert_eq!((cofactor.min_key_size, cofactor.max_key_size), (160, 521));
    for kind in [
        CKM_ECDSA,
        CKM_ECDSA_SHA1,
        CKM_ECDSA_SHA224,
        CKM_ECDSA_SHA512,
    ] {
        let i = r.info(kind).unwrap();
        assert_eq!((i.min_key_size, i.max_key_size), (160, 521), "{kind:#x}");
    }
    assert_eq!(
        r.info(CKM_ECDSA_SHA384).unwrap().flags & (CKF_SIGN | CKF_VERIFY),
        CKF_SIGN | CKF_VERIFY
    );
    assert_eq!(
        r.info(CKM_ECDH1_DERIVE).unwrap().flags & CKF_DERIVE,
        CKF_DERIVE
    );
    assert!(r.key_type(CKK_EC).unwrap().secret.is_empty());
}
