//! Known answers (RFC 5869, RFC 6070, RFC 7914, NIST CAVP SP 800-108) and
//! parameter, key and length rules of the key-derivation family.
use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::*;
use crate::attr::policy::AttrMap;
use crate::mech::{KeyLookup, NoKeys, registry};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn key(ckk: CK_ULONG, value: &[u8]) -> Object {
    let mut attrs = AttrMap::new();
    attrs.insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(CKO_SECRET_KEY)));
    attrs.insert(CKA_KEY_TYPE, Zeroizing::new(attr::ulong_bytes(ckk)));
    attrs.insert(CKA_VALUE, Zeroizing::new(value.to_vec()));
    attrs.insert(CKA_DERIVE, Zeroizing::new(vec![1]));
    Object::new(attrs)
}

/// `k` made readable: extractable and not sensitive.
fn open(mut k: Object) -> Object {
    k.attrs.insert(CKA_EXTRACTABLE, Zeroizing::new(vec![1]));
    k.attrs.insert(CKA_SENSITIVE, Zeroizing::new(vec![0]));
    k
}

/// `k` with CKA_SENSITIVE and CKA_EXTRACTABLE as given.
fn flagged(mut k: Object, sensitive: bool, extractable: bool) -> Object {
    k.attrs
        .insert(CKA_SENSITIVE, Zeroizing::new(vec![sensitive as u8]));
    k.attrs
        .insert(CKA_EXTRACTABLE, Zeroizing::new(vec![extractable as u8]));
    k
}

/// Keys by handle, as a session would resolve them.
struct Keys(BTreeMap<CK_ULONG, Object>);

impl KeyLookup for Keys {
    fn key(&self, handle: CK_ULONG) -> CkResult<&Object> {
        self.0.get(&handle).ok_or(CKR_KEY_HANDLE_INVALID)
    }
}

fn derive(
    m: &CkMechanism,
    base: &Object,
    len: Option<usize>,
    keys: &dyn KeyLookup,
) -> CkResult<Vec<u8>> {
    registry()
        .get(m.kind, CKF_DERIVE)?
        .derive(m, base, len, keys)
        .map(|v| v.to_vec())
}

fn hkdf_param(
    extract: bool,
    expand: bool,
    hash: CK_ULONG,
    salt_type: CK_ULONG,
    salt: &[u8],
    info: &[u8],
) -> Param {
    Param::Hkdf {
        extract,
        expand,
        prf_hash: hash,
        salt_type,
        salt: salt.to_vec(),
        salt_key: 0,
        info: info.to_vec(),
    }
}

/// RFC 5869 appendix A, test cases 1-4 and 7: PRK through extract-only,
/// OKM through extract-and-expand and through expand-only from the PRK,
/// with CKM_HKDF_DERIVE and CKM_HKDF_DATA alike.
#[test]
#[allow(clippy::type_complexity)]
fn rfc_5869() {
    let seq = |a: u8, b: u8| (a..b).collect::<Vec<u8>>();
    let cases: [(CK_ULONG, Vec<u8>, Option<Vec<u8>>, Vec<u8>, &str, &str); 5] = [
        (
            CKM_SHA256,
            vec![0x0b; 22],
            Some(seq(0, 13)),
            seq(0xf0, 0xfa),
            "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        ),
        (
            CKM_SHA256,
            seq(0, 0x50),
            Some(seq(0x60, 0xb0)),
            seq(0xb0, 0xff).into_iter().chain([0xff]).collect(),
            "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271\
             cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
        ),
        (
            CKM_SHA256,
            vec![0x0b; 22],
            Some(vec![]),
            vec![],
            "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
        ),
        (
            CKM_SHA_1,
            vec![0x0b; 11],
            Some(seq(0, 13)),
            seq(0xf0, 0xfa),
            "9b6c18c432a7bf8f0e71c8eb88f4b30baa2ba243",
            "085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896",
        ),
        // Test case 7: salt not provided.
        (
            CKM_SHA_1,
            vec![0x0c; 22],
            None,
            vec![],
            "2adccada18779e7c2077ad2eb19d3f3e731385dd",
            "2c91117204d745f3500d636a62f64f0ab3bae548aa53d423b0d1f27ebba6f5e5673a081d70cce7acfc48",
        ),
    ];
    for (hash, ikm, salt, info, prk, okm) in cases {
        let (prk, okm) = (hex(prk), hex(okm));
        let (salt_type, salt) = match &salt {
            Some(s) => (CKF_HKDF_SALT_DATA, s.as_slice()),
            None => (CKF_HKDF_SALT_NULL, &[][..]),
        };
        for kind in [CKM_HKDF_DERIVE, CKM_HKDF_DATA] {
            for ckk in [CKK_GENERIC_SECRET, CKK_HKDF] {
                let base = key(ckk, &ikm);
                let both =
                    CkMechanism::with(kind, hkdf_param(true, true, hash, salt_type, salt, &info));
                assert_eq!(
                    derive(&both, &base, Some(okm.len()), &NoKeys),
                    Ok(okm.clone())
                );
                let ext =
                    CkMechanism::with(kind, hkdf_param(true, false, hash, salt_type, salt, b"x"));
                assert_eq!(derive(&ext, &base, None, &NoKeys), Ok(prk.clone()));
                assert_eq!(
                    derive(&ext, &base, Some(prk.len()), &NoKeys),
                    Ok(prk.clone())
                );
                // Expand-only ignores the salt type (even an invalid one).
                let exp = CkMechanism::with(kind, hkdf_param(false, true, hash, 99, b"", &info));
                let prk_key = key(ckk, &prk);
                assert_eq!(
                    derive(&exp, &prk_key, Some(okm.len()), &NoKeys),
                    Ok(okm.clone())
                );
                // Shorter outputs are prefixes; no length means HashLen.
                assert_eq!(
                    derive(&both, &base, Some(5), &NoKeys),
                    Ok(okm[..5].to_vec())
                );
                assert_eq!(
                    derive(&both, &base, None, &NoKeys).unwrap().len(),
                    prk.len()
                );
            }
        }
    }
}

#[test]
fn hkdf_salt_key_and_rules() {
    let ikm = [0x0b; 22];
    let salt: Vec<u8> = (0..13).collect();
    let want =
        hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    let mut keys = Keys(BTreeMap::new());
    keys.0.insert(7, key(CKK_HKDF, &salt));
    keys.0.insert(8, key(CKK_AES, &salt));
    let mut no_derive = key(CKK_GENERIC_SECRET, &salt);
    no_derive.attrs.insert(CKA_DERIVE, Zeroizing::new(vec![0]));
    keys.0.insert(9, no_derive);
    let base = key(CKK_GENERIC_SECRET, &ikm);
    let with_key = |h: CK_ULONG| {
        CkMechanism::with(
            CKM_HKDF_DERIVE,
            Param::Hkdf {
                extract: true,
                expand: true,
                prf_hash: CKM_SHA256,
                salt_type: CKF_HKDF_SALT_KEY,
                salt: vec![],
                salt_key: h,
                info: (0xf0..0xfa).collect(),
            },
        )
    };
    assert_eq!(derive(&with_key(7), &base, Some(42), &keys), Ok(want));
    assert_eq!(
        derive(&with_key(8), &base, Some(42), &keys),
        Err(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        derive(&with_key(9), &base, Some(42), &keys),
        Err(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    assert_eq!(
        derive(&with_key(10), &base, Some(42), &keys),
        Err(CKR_KEY_HANDLE_INVALID)
    );
    let m = |p: Param| CkMechanism::with(CKM_HKDF_DERIVE, p);
    let ok = hkdf_param(true, true, CKM_SHA256, CKF_HKDF_SALT_NULL, b"", b"");
    // Neither extract nor expand; unknown hash; unknown salt type.
    for bad in [
        hkdf_param(false, false, CKM_SHA256, CKF_HKDF_SALT_NULL, b"", b""),
        hkdf_param(true, true, CKM_SHA256_HMAC, CKF_HKDF_SALT_NULL, b"", b""),
        hkdf_param(true, true, CKM_MD5, CKF_HKDF_SALT_NULL, b"", b""),
        hkdf_param(true, true, CKM_SHA256, 8, b"", b""),
        Param::Bytes(vec![1; 8]),
        Param::None,
    ] {
        assert_eq!(
            derive(&m(bad), &base, Some(32), &NoKeys),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
    }
    // SHA-3 and SHA-512/256 PRFs are accepted.
    for hash in [CKM_SHA3_256, CKM_SHA3_512, CKM_SHA512_256] {
        let p = hkdf_param(true, true, hash, CKF_HKDF_SALT_NULL, b"", b"");
        assert_eq!(derive(&m(p), &base, Some(100), &NoKeys).unwrap().len(), 100);
    }
    // Extract-only output is HashLen exactly.
    let ext = hkdf_param(true, false, CKM_SHA256, CKF_HKDF_SALT_NULL, b"", b"");
    assert_eq!(
        derive(&m(ext), &base, Some(16), &NoKeys),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    // RFC 5869: at most 255 * HashLen (above the token's MAX_OUTPUT for
    // every hash, so checked on `expand` itself).
    let sha1 = crate::mech::hmac::by_hash(CKM_SHA_1).unwrap();
    assert_eq!(
        hkdf::expand(sha1, &[1; 20], b"", 255 * 20).unwrap().len(),
        5100
    );
    assert_eq!(
        hkdf::expand(sha1, &[1; 20], b"", 255 * 20 + 1).err(),
        Some(CKR_TEMPLATE_INCONSISTENT)
    );
    assert_eq!(
        derive(&m(ok.clone()), &base, Some(MAX_OUTPUT), &NoKeys)
            .unwrap()
            .len(),
        MAX_OUTPUT
    );
    assert_eq!(
        derive(&m(ok.clone()), &base, Some(MAX_OUTPUT + 1), &NoKeys),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    // Base key types: generic secret and CKK_HKDF only; a value is needed.
    assert_eq!(
        derive(&m(ok.clone()), &key(CKK_AES, &[0; 16]), None, &NoKeys),
        Err(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        derive(&m(ok), &key(CKK_GENERIC_SECRET, &[]), None, &NoKeys),
        Err(CKR_KEY_SIZE_RANGE)
    );
}

fn pbkdf2_param(prf: CK_ULONG, password: &[u8], salt: &[u8], iterations: CK_ULONG) -> CkMechanism {
    CkMechanism::with(
        CKM_PKCS5_PBKD2,
        Param::Pbkdf2 {
            salt_source: CKZ_SALT_SPECIFIED,
            salt: salt.to_vec(),
            iterations,
            prf,
            prf_data: vec![],
            password: Zeroizing::new(password.to_vec()),
        },
    )
}

fn pbkdf2(m: &CkMechanism, template: &[Attribute]) -> CkResult<Vec<Attribute>> {
    registry()
        .get(CKM_PKCS5_PBKD2, CKF_GENERATE)?
        .generate_key(m, template)
}

fn pbkdf2_value(m: &CkMechanism, len: CK_ULONG) -> CkResult<Vec<u8>> {
    let out = pbkdf2(m, &[Attribute::ulong(CKA_VALUE_LEN, len)])?;
    Ok(attr::find(&out, CKA_VALUE).unwrap().to_vec())
}

/// RFC 6070 (PBKDF2-HMAC-SHA1; the 16777216-iteration case is left out)
/// and RFC 7914 section 11 (PBKDF2-HMAC-SHA256).
#[test]
#[allow(clippy::type_complexity)]
fn rfc_6070_and_7914() {
    let cases: [(CK_ULONG, &[u8], &[u8], CK_ULONG, &str); 7] = [
        (
            CKP_PKCS5_PBKD2_HMAC_SHA1,
            b"password",
            b"salt",
            1,
            "0c60c80f961f0e71f3a9b524af6012062fe037a6",
        ),
        (
            CKP_PKCS5_PBKD2_HMAC_SHA1,
            b"password",
            b"salt",
            2,
            "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957",
        ),
        (
            CKP_PKCS5_PBKD2_HMAC_SHA1,
            b"password",
            b"salt",
            4096,
            "4b007901b765489abead49d926f721d065a429c1",
        ),
        (
            CKP_PKCS5_PBKD2_HMAC_SHA1,
            b"passwordPASSWORDpassword",
            b"saltSALTsaltSALTsaltSALTsaltSALTsalt",
            4096,
            "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038",
        ),
        (
            CKP_PKCS5_PBKD2_HMAC_SHA1,
            b"pass\0word",
            b"sa\0lt",
            4096,
            "56fa6aa75548099dcc37d7f03425e0c3",
        ),
        (
            CKP_PKCS5_PBKD2_HMAC_SHA256,
            b"passwd",
            b"salt",
            1,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc\
             49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
        ),
        (
            CKP_PKCS5_PBKD2_HMAC_SHA256,
            b"Password",
            b"NaCl",
            80000,
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56\
             a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
        ),
    ];
    for (prf, password, salt, c, dk) in cases {
        let dk = hex(dk);
        let m = pbkdf2_param(prf, password, salt, c);
        assert_eq!(pbkdf2_value(&m, dk.len() as CK_ULONG), Ok(dk));
    }
}

/// Every PRF (RFC vectors cover SHA-1 and SHA-256 only) against the
/// `pbkdf2` crate: lengths across several blocks, a few iteration counts.
#[test]
fn pbkdf2_every_prf_matches_the_pbkdf2_crate() {
    type Reference = fn(&[u8], &[u8], u32, &mut [u8]);
    macro_rules! reference {
        ($hash:ty) => {
            |p, s, c, o| ::pbkdf2::pbkdf2_hmac::<$hash>(p, s, c, o)
        };
    }
    let cases: [(CK_ULONG, Reference); 7] = [
        (CKP_PKCS5_PBKD2_HMAC_SHA1, reference!(sha1::Sha1)),
        (CKP_PKCS5_PBKD2_HMAC_SHA224, reference!(sha2::Sha224)),
        (CKP_PKCS5_PBKD2_HMAC_SHA256, reference!(sha2::Sha256)),
        (CKP_PKCS5_PBKD2_HMAC_SHA384, reference!(sha2::Sha384)),
        (CKP_PKCS5_PBKD2_HMAC_SHA512, reference!(sha2::Sha512)),
        (
            CKP_PKCS5_PBKD2_HMAC_SHA512_224,
            reference!(sha2::Sha512_224),
        ),
        (
            CKP_PKCS5_PBKD2_HMAC_SHA512_256,
            reference!(sha2::Sha512_256),
        ),
    ];
    // A password longer than SHA-256's block (hashed first as an HMAC key).
    let long: Vec<u8> = (0..200u8).collect();
    for (prf, reference) in cases {
        for (password, salt) in [(&b"pw"[..], &b""[..]), (&long[..], &b"NaCl salt"[..])] {
            for iterations in [1u32, 2, 3, 100] {
                for len in [1usize, 20, 32, 65, 130] {
                    let mut want = vec![0u8; len];
                    reference(password, salt, iterations, &mut want);
                    let m = pbkdf2_param(prf, password, salt, iterations.into());
                    assert_eq!(
                        pbkdf2_value(&m, len as CK_ULONG),
                        Ok(want),
                        "prf {prf:#x} c {iterations} len {len}"
                    );
                }
            }
        }
    }
}

#[test]
fn pbkdf2_key_types_and_parameters() {
    let m = pbkdf2_param(CKP_PKCS5_PBKD2_HMAC_SHA256, b"pw", b"salt", 10);
    // Generic secret by default, with its check value.
    let out = pbkdf2(&m, &[Attribute::ulong(CKA_VALUE_LEN, 20)]).unwrap();
    assert_eq!(
        attr::find_ulong(&out, CKA_KEY_TYPE),
        Ok(Some(CKK_GENERIC_SECRET))
    );
    assert_eq!(attr::find_ulong(&out, CKA_VALUE_LEN), Ok(Some(20)));
    assert_eq!(attr::find(&out, CKA_CHECK_VALUE).map(|v| v.len()), Some(3));
    // An AES key: the AES rules apply.
    let aes = |len| {
        pbkdf2(
            &m,
            &[
                Attribute::ulong(CKA_KEY_TYPE, CKK_AES),
                Attribute::ulong(CKA_VALUE_LEN, len),
            ],
        )
    };
    assert_eq!(
        attr::find(&aes(32).unwrap(), CKA_VALUE).map(|v| v.len()),
        Some(32)
    );
    assert_eq!(aes(20), Err(CKR_ATTRIBUTE_VALUE_INVALID));
    // Same inputs, same key; the SHA-512/t and SHA-224/384/512 PRFs work.
    assert_eq!(pbkdf2_value(&m, 16), pbkdf2_value(&m, 16));
    for prf in [
        CKP_PKCS5_PBKD2_HMAC_SHA224,
        CKP_PKCS5_PBKD2_HMAC_SHA384,
        CKP_PKCS5_PBKD2_HMAC_SHA512,
        CKP_PKCS5_PBKD2_HMAC_SHA512_224,
        CKP_PKCS5_PBKD2_HMAC_SHA512_256,
    ] {
        let v = pbkdf2_value(&pbkdf2_param(prf, b"", b"", 1), 70).unwrap();
        assert_eq!(v.len(), 70);
    }
    // Length: required, 1..=MAX_OUTPUT.
    assert_eq!(pbkdf2(&m, &[]), Err(CKR_TEMPLATE_INCOMPLETE));
    assert_eq!(pbkdf2_value(&m, 0), Err(CKR_ATTRIBUTE_VALUE_INVALID));
    assert_eq!(
        pbkdf2_value(&m, MAX_OUTPUT as CK_ULONG + 1),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    // Class and key type.
    let t = [
        Attribute::ulong(CKA_VALUE_LEN, 16),
        Attribute::ulong(CKA_CLASS, CKO_PRIVATE_KEY),
    ];
    assert_eq!(pbkdf2(&m, &t), Err(CKR_TEMPLATE_INCONSISTENT));
    let t = [
        Attribute::ulong(CKA_VALUE_LEN, 16),
        Attribute::ulong(CKA_KEY_TYPE, CKK_RSA),
    ];
    assert_eq!(pbkdf2(&m, &t), Err(CKR_TEMPLATE_INCONSISTENT));
    // Parameters.
    let with = |f: &dyn Fn(&mut Param)| {
        let mut p = m.param.clone();
        f(&mut p);
        pbkdf2_value(&CkMechanism::with(CKM_PKCS5_PBKD2, p), 16)
    };
    let bad: [&dyn Fn(&mut Param); 6] = [
        &|p| {
            if let Param::Pbkdf2 { salt_source, .. } = p {
                *salt_source = 2
            }
        },
        &|p| {
            if let Param::Pbkdf2 { prf, .. } = p {
                *prf = CKP_PKCS5_PBKD2_HMAC_GOSTR3411
            }
        },
        &|p| {
            if let Param::Pbkdf2 { prf, .. } = p {
                *prf = 99
            }
        },
        &|p| {
            if let Param::Pbkdf2 { prf_data, .. } = p {
                *prf_data = vec![1]
            }
        },
        &|p| {
            if let Param::Pbkdf2 { iterations, .. } = p {
                *iterations = 0
            }
        },
        &|p| {
            if let Param::Pbkdf2 { iterations, .. } = p {
                *iterations = pbkdf2::MAX_ITERATIONS + 1
            }
        },
    ];
    for f in bad {
        assert_eq!(with(f), Err(CKR_MECHANISM_PARAM_INVALID));
    }
    assert_eq!(
        pbkdf2_value(
            &CkMechanism::with(CKM_PKCS5_PBKD2, Param::Bytes(vec![0; 8])),
            16
        ),
        Err(CKR_MECHANISM_PARAM_INVALID)
    );
}

/// Section 2.43's own examples: base 0x01234567 with key or data
/// 0x89ABCDEF.
#[test]
fn simple_derivations() {
    let base = open(key(CKK_GENERIC_SECRET, &hex("01234567")));
    let data = Param::Bytes(hex("89abcdef"));
    let mut keys = Keys(BTreeMap::new());
    keys.0.insert(5, key(CKK_AES, &hex("89abcdef")));
    let mut no_derive = key(CKK_GENERIC_SECRET, &[1]);
    no_derive.attrs.insert(CKA_DERIVE, Zeroizing::new(vec![0]));
    keys.0.insert(6, no_derive);
    let handle = |h: CK_ULONG| Param::Bytes(attr::ulong_bytes(h));
    let d = |kind, p: &Param, len| derive(&CkMechanism::with(kind, p.clone()), &base, len, &keys);
    assert_eq!(
        d(CKM_CONCATENATE_BASE_AND_KEY, &handle(5), None),
        Ok(hex("0123456789abcdef"))
    );
    assert_eq!(
        d(CKM_CONCATENATE_BASE_AND_DATA, &data, None),
        Ok(hex("0123456789abcdef"))
    );
    assert_eq!(
        d(CKM_CONCATENATE_DATA_AND_BASE, &data, None),
        Ok(hex("89abcdef01234567"))
    );
    assert_eq!(d(CKM_XOR_BASE_AND_DATA, &data, None), Ok(hex("88888888")));
    // A length takes the first bytes; more than there is fails.
    assert_eq!(
        d(CKM_CONCATENATE_BASE_AND_DATA, &data, Some(5)),
        Ok(hex("0123456789"))
    );
    assert_eq!(
        d(CKM_CONCATENATE_DATA_AND_BASE, &data, Some(8)),
        Ok(hex("89abcdef01234567"))
    );
    assert_eq!(
        d(CKM_CONCATENATE_BASE_AND_KEY, &handle(5), Some(9)),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    // XOR: the shorter of key and data.
    let long = Param::Bytes(hex("ffffffffff"));
    assert_eq!(d(CKM_XOR_BASE_AND_DATA, &long, None), Ok(hex("fedcba98")));
    assert_eq!(
        d(CKM_XOR_BASE_AND_DATA, &long, Some(5)),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    assert_eq!(
        d(CKM_XOR_BASE_AND_DATA, &Param::Bytes(vec![0xff]), None),
        Ok(hex("fe"))
    );
    // Parameters: non-empty data; an 8-byte handle of a usable secret key.
    for kind in [
        CKM_CONCATENATE_BASE_AND_DATA,
        CKM_CONCATENATE_DATA_AND_BASE,
        CKM_XOR_BASE_AND_DATA,
    ] {
        for bad in [
            Param::Bytes(vec![]),
            Param::None,
            Param::Ctr {
                counter_bits: 1,
                counter_block: vec![],
            },
        ] {
            assert_eq!(d(kind, &bad, None), Err(CKR_MECHANISM_PARAM_INVALID));
        }
    }
    let k = CKM_CONCATENATE_BASE_AND_KEY;
    assert_eq!(
        d(k, &Param::Bytes(vec![5, 0, 0, 0]), None),
        Err(CKR_MECHANISM_PARAM_INVALID)
    );
    assert_eq!(d(k, &Param::None, None), Err(CKR_MECHANISM_PARAM_INVALID));
    assert_eq!(d(k, &handle(4), None), Err(CKR_KEY_HANDLE_INVALID));
    assert_eq!(d(k, &handle(6), None), Err(CKR_KEY_FUNCTION_NOT_PERMITTED));
    // Too long a result without a length is refused like an oversized key.
    let big = Param::Bytes(vec![1; MAX_OUTPUT]);
    assert_eq!(
        d(CKM_CONCATENATE_BASE_AND_DATA, &big, None),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        d(CKM_CONCATENATE_BASE_AND_DATA, &big, Some(4)),
        Ok(hex("01234567"))
    );
    // The base key must be a secret key with a value.
    let mut public = key(CKK_GENERIC_SECRET, &[1]);
    public
        .attrs
        .insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(CKO_PUBLIC_KEY)));
    assert_eq!(
        derive(
            &CkMechanism::with(CKM_XOR_BASE_AND_DATA, data),
            &public,
            None,
            &NoKeys
        ),
        Err(CKR_KEY_TYPE_INCONSISTENT)
    );
}

/// Clulow's extraction: a protected source key (sensitive, or not
/// extractable) must be in a section 2.43 result whole; any cut into it is
/// refused, however the length is asked for.
#[test]
fn protected_keys_stay_whole() {
    let value = hex("00112233445566778899aabbccddeeff");
    let data = Param::Bytes(hex("a0a1a2a3"));
    let long = Param::Bytes(vec![0x5a; 20]);
    let other = |protected: bool| {
        let k = key(CKK_AES, &hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"));
        if protected {
            flagged(k, true, true)
        } else {
            open(k)
        }
    };
    for (sensitive, extractable) in [(true, true), (false, false), (true, false)] {
        let base = flagged(key(CKK_AES, &value), sensitive, extractable);
        let mut keys = Keys(BTreeMap::new());
        keys.0.insert(5, other(false));
        keys.0.insert(6, other(true));
        let handle = |h: CK_ULONG| Param::Bytes(attr::ulong_bytes(h));
        let d =
            |kind, p: &Param, len| derive(&CkMechanism::with(kind, p.clone()), &base, len, &keys);
        for n in 1..16 {
            for (kind, p) in [
                (CKM_CONCATENATE_BASE_AND_DATA, &data),
                (CKM_CONCATENATE_DATA_AND_BASE, &data),
                (CKM_CONCATENATE_BASE_AND_KEY, &handle(5)),
                (CKM_XOR_BASE_AND_DATA, &long),
            ] {
                assert_eq!(
                    d(kind, p, Some(n)),
                    Err(CKR_TEMPLATE_INCONSISTENT),
                    "{kind:#x} {n}"
                );
            }
        }
        // Whole: the base first, or everything when the base comes last.
        assert_eq!(
            d(CKM_CONCATENATE_BASE_AND_DATA, &data, Some(16)),
            Ok(value.clone())
        );
        assert_eq!(
            d(CKM_CONCATENATE_DATA_AND_BASE, &data, Some(19)),
            Err(CKR_TEMPLATE_INCONSISTENT)
        );
        assert_eq!(
            d(CKM_CONCATENATE_DATA_AND_BASE, &data, None).map(|v| v.len()),
            Ok(20)
        );
        assert_eq!(
            d(CKM_XOR_BASE_AND_DATA, &long, None).map(|v| v.len()),
            Ok(16)
        );
        // XOR data shorter than the key would cut it.
        assert_eq!(
            d(CKM_XOR_BASE_AND_DATA, &data, None),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        // A protected other key must be whole too: all 32 bytes.
        assert_eq!(
            d(CKM_CONCATENATE_BASE_AND_KEY, &handle(6), Some(31)),
            Err(CKR_TEMPLATE_INCONSISTENT)
        );
        assert_eq!(
            d(CKM_CONCATENATE_BASE_AND_KEY, &handle(6), None).map(|v| v.len()),
            Ok(32)
        );
    }
    // An open base with a protected other key: the base may not be cut
    // away from it either, as the other key comes last.
    let base = open(key(CKK_AES, &value));
    let mut keys = Keys(BTreeMap::new());
    keys.0.insert(6, other(true));
    let m = CkMechanism::with(
        CKM_CONCATENATE_BASE_AND_KEY,
        Param::Bytes(attr::ulong_bytes(6)),
    );
    assert_eq!(
        derive(&m, &base, Some(16), &keys),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    assert_eq!(derive(&m, &base, Some(32), &keys).map(|v| v.len()), Ok(32));
    // Open keys may be cut anywhere (the spec's own behaviour).
    let m = CkMechanism::with(CKM_XOR_BASE_AND_DATA, data);
    assert_eq!(derive(&m, &base, Some(1), &NoKeys).map(|v| v.len()), Ok(1));
}

fn sp800(prf: CK_ULONG, data_params: Vec<PrfDataParam>) -> CkMechanism {
    CkMechanism::with(
        CKM_SP800_108_COUNTER_KDF,
        Param::Sp800108 {
            prf_type: prf,
            data_params,
        },
    )
}

fn counter(bits: CK_ULONG) -> PrfDataParam {
    PrfDataParam::IterationVariable {
        little_endian: false,
        width_bits: bits,
    }
}

/// NIST CAVP KBKDF counter-mode vectors (HMAC PRFs; see the data file for
/// its source): counter before, after and in the middle of the fixed data.
#[test]
fn nist_cavp_sp800_108_counter() {
    let text = include_str!("../../../tests/data/nist_kbkdf_ctr_hmac.txt");
    let mut n = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split(' ').collect();
        let prf = match f[0] {
            "HMAC_SHA1" => CKM_SHA_1_HMAC,
            "HMAC_SHA224" => CKM_SHA224_HMAC,
            "HMAC_SHA256" => CKM_SHA256_HMAC,
            "HMAC_SHA384" => CKM_SHA384_HMAC,
            "HMAC_SHA512" => CKM_SHA512_HMAC,
            other => panic!("{other}"),
        };
        let r: CK_ULONG = f[1].parse().unwrap();
        let l_bits: usize = f[2].parse().unwrap();
        let bytes = |s: &str| if s == "-" { vec![] } else { hex(s) };
        let mut params = vec![];
        if f[4] != "-" {
            params.push(PrfDataParam::ByteArray(bytes(f[4])));
        }
        params.push(counter(r));
        if f[5] != "-" {
            params.push(PrfDataParam::ByteArray(bytes(f[5])));
        }
        let base = key(CKK_GENERIC_SECRET, &hex(f[3]));
        let got = derive(&sp800(prf, params), &base, Some(l_bits / 8), &NoKeys);
        assert_eq!(got, Ok(hex(f[6])), "{line}");
        n += 1;
    }
    assert_eq!(n, 240);
}

/// Field encodings against a hand-built PRF input: section 2.42.12's
/// sample ([i]_2 || Label || 0x00 || Context || [L]_2, 16-bit fields),
/// little-endian fields, the DKM methods and a key-handle field.
#[test]
fn sp800_108_fields() {
    use crate::mech::hmac::by_mech;
    let ki = [0x42u8; 32];
    let base = key(CKK_SHA256_HMAC, &ki);
    let mac = |input: &[u8]| {
        let mut p = by_mech(CKM_SHA256_HMAC).unwrap().keyed(&ki).unwrap();
        p.update(input);
        p.tag().to_vec()
    };
    let label = hex("deadbeef");
    let context = hex("feedbeef");
    let sample = |method, le| {
        vec![
            PrfDataParam::IterationVariable {
                little_endian: le,
                width_bits: 16,
            },
            PrfDataParam::ByteArray(label.clone()),
            PrfDataParam::ByteArray(vec![0]),
            PrfDataParam::ByteArray(context.clone()),
            PrfDataParam::KeyHandle(3),
            PrfDataParam::DkmLength {
                method,
                little_endian: le,
                width_bits: 16,
            },
        ]
    };
    let other = hex("0102030405");
    let mut keys = Keys(BTreeMap::new());
    keys.0.insert(3, key(CKK_GENERIC_SECRET, &other));
    let input = |i: u16, l_bits: u16, le: bool| {
        let enc = |v: u16| if le { v.to_le_bytes() } else { v.to_be_bytes() };
        [&enc(i)[..], &label, &[0], &context, &other, &enc(l_bits)].concat()
    };
    // 40 bytes: two SHA-256 blocks; SUM_OF_KEYS = 320 bits, SUM_OF_SEGMENTS = 512.
    for le in [false, true] {
        let keys_len = derive(
            &sp800(
                CKM_SHA256_HMAC,
                sample(CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, le),
            ),
            &base,
            Some(40),
            &keys,
        );
        let want = [mac(&input(1, 320, le)), mac(&input(2, 320, le))].concat();
        assert_eq!(keys_len, Ok(want[..40].to_vec()));
        let segs = derive(
            &sp800(
                CKM_SHA256_HMAC,
                sample(CK_SP800_108_DKM_LENGTH_SUM_OF_SEGMENTS, le),
            ),
            &base,
            Some(40),
            &keys,
        );
        let want = [mac(&input(1, 512, le)), mac(&input(2, 512, le))].concat();
        assert_eq!(segs, Ok(want[..40].to_vec()));
    }
    // 24- and 32-bit counters, SHA-3 PRF with its own key type.
    let sha3_key = key(CKK_SHA3_256_HMAC, &ki);
    let got = derive(
        &sp800(CKM_SHA3_256_HMAC, vec![counter(24)]),
        &sha3_key,
        Some(32),
        &NoKeys,
    )
    .unwrap();
    let mut p = by_mech(CKM_SHA3_256_HMAC).unwrap().keyed(&ki).unwrap();
    p.update(&[0, 0, 1]);
    assert_eq!(got, p.tag().to_vec());
    assert!(
        derive(
            &sp800(CKM_SHA256_HMAC, vec![counter(32)]),
            &base,
            Some(32),
            &NoKeys
        )
        .is_ok()
    );
}

#[test]
fn sp800_108_rules() {
    let base = key(CKK_GENERIC_SECRET, &[7; 32]);
    let d = |prf, params: Vec<PrfDataParam>, len| derive(&sp800(prf, params), &base, len, &NoKeys);
    let bytes = PrfDataParam::ByteArray(vec![1]);
    let dkm = |method, width_bits| PrfDataParam::DkmLength {
        method,
        little_endian: false,
        width_bits,
    };
    // Output length is required.
    assert_eq!(
        d(CKM_SHA256_HMAC, vec![counter(8)], None),
        Err(CKR_TEMPLATE_INCOMPLETE)
    );
    let invalid = [
        vec![bytes.clone()],          // no iteration variable
        vec![counter(8), counter(8)], // two
        vec![counter(12)],            // odd width
        vec![counter(64)],            // too wide for a counter
        vec![
            counter(8),
            PrfDataParam::Counter {
                little_endian: false,
                width_bits: 8,
            },
        ],
        vec![counter(8), PrfDataParam::ByteArray(vec![])],
        vec![
            counter(8),
            dkm(CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 8),
            dkm(CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 16),
        ],
        vec![counter(8), dkm(3, 16)],
        vec![counter(8), dkm(CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 72)],
        vec![counter(8), dkm(CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 4)],
        // 32 bytes = 256 bits does not fit an 8-bit length.
        vec![counter(8), dkm(CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 8)],
    ];
    for params in invalid {
        assert_eq!(
            d(CKM_SHA256_HMAC, params.clone(), Some(32)),
            Err(CKR_MECHANISM_PARAM_INVALID),
            "{params:?}"
        );
    }
    assert!(
        d(
            CKM_SHA256_HMAC,
            vec![counter(8), dkm(CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 64)],
            Some(32)
        )
        .is_ok()
    );
    assert!(
        d(
            CKM_SHA256_HMAC,
            vec![counter(8), dkm(CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS, 8)],
            Some(31)
        )
        .is_ok()
    );
    // PRF types.
    for prf in [CKM_SHA256, CKM_MD5_HMAC, CKM_SHA256_HMAC_GENERAL, 0] {
        assert_eq!(
            d(prf, vec![counter(8)], Some(16)),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
    }
    // An 8-bit counter allows 255 blocks: SHA-1 gives 20 each.
    let sha1 = key(CKK_GENERIC_SECRET, &[7; 20]);
    let d1 = |len| {
        derive(
            &sp800(CKM_SHA_1_HMAC, vec![counter(8)]),
            &sha1,
            Some(len),
            &NoKeys,
        )
    };
    assert!(d1(MAX_OUTPUT).is_ok());
    assert_eq!(d1(MAX_OUTPUT + 1), Err(CKR_ATTRIBUTE_VALUE_INVALID));
    assert_eq!(sp800_108::encode(255, 8, false), Some(vec![255]));
    assert_eq!(sp800_108::encode(256, 8, false), None);
    assert_eq!(sp800_108::encode(0x010203, 24, true), Some(vec![3, 2, 1]));
    assert_eq!(sp800_108::encode(u64::MAX, 64, false), Some(vec![255; 8]));
    // Key types: generic secret or the PRF's HMAC type; AES with AES-CMAC.
    let aes = key(CKK_AES, &[1; 16]);
    let sha384_key = key(CKK_SHA384_HMAC, &[1; 16]);
    let m = sp800(CKM_SHA256_HMAC, vec![counter(8)]);
    assert_eq!(
        derive(&m, &aes, Some(16), &NoKeys),
        Err(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        derive(&m, &sha384_key, Some(16), &NoKeys),
        Err(CKR_KEY_TYPE_INCONSISTENT)
    );
    let cmac = sp800(CKM_AES_CMAC, vec![counter(8), bytes.clone()]);
    if registry().info(CKM_AES_CMAC).is_some() {
        assert_eq!(
            derive(&cmac, &base, Some(16), &NoKeys),
            Err(CKR_KEY_TYPE_INCONSISTENT)
        );
        let out = derive(&cmac, &aes, Some(40), &NoKeys).unwrap();
        assert_eq!(out.len(), 40);
        // 16-byte blocks: 4096 bytes need 256, one more than 8 bits count.
        assert_eq!(
            derive(&cmac, &aes, Some(4080), &NoKeys).unwrap().len(),
            4080
        );
        assert_eq!(
            derive(&cmac, &aes, Some(4096), &NoKeys),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
    }
    // Key-handle fields must name usable keys.
    let with_handle = sp800(
        CKM_SHA256_HMAC,
        vec![counter(8), PrfDataParam::KeyHandle(1)],
    );
    let mut keys = Keys(BTreeMap::new());
    assert_eq!(
        derive(&with_handle, &base, Some(16), &keys),
        Err(CKR_KEY_HANDLE_INVALID)
    );
    keys.0.insert(1, key(CKK_AES, &[1; 16]));
    assert_eq!(
        derive(&with_handle, &base, Some(16), &keys),
        Err(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        derive(
            &sp800(CKM_SHA256_HMAC, vec![counter(8)]),
            &base,
            Some(16),
            &NoKeys
        ),
        derive(
            &sp800(CKM_SHA256_HMAC, vec![counter(8)]),
            &base,
            Some(32),
            &NoKeys
        )
        .map(|v| v[..16].to_vec())
    );
}

/// NIST CAVP KBKDF AES-CMAC counter vector (KDFCTR_gen.txt, PRF=CMAC_AES128,
/// CTRLOCATION=BEFORE_FIXED, RLEN=8_BITS, COUNT=0).
#[test]
fn nist_cavp_sp800_108_cmac() {
    if registry().info(CKM_AES_CMAC).is_none() {
        return;
    }
    let base = key(CKK_AES, &hex("dff1e50ac0b69dc40f1051d46c2b069c"));
    let fixed = hex(
        "c16e6e02c5a3dcc8d78b9ac1306877761310455b4e41469951d9e6c2245a064b\
         33fd8c3b01203a7824485bf0a64060c4648b707d2607935699316ea5",
    );
    let m = sp800(
        CKM_AES_CMAC,
        vec![counter(8), PrfDataParam::ByteArray(fixed)],
    );
    assert_eq!(
        derive(&m, &base, Some(16), &NoKeys),
        Ok(hex("8be8f0869b3c0ba97b71863d1b9f7813"))
    );
}

#[test]
fn rules_for_the_engine() {
    let m = |kind, p| CkMechanism::with(kind, p);
    let r = derive_rules(&m(CKM_HKDF_DATA, Param::None));
    assert_eq!(r.class, CKO_DATA);
    let r = derive_rules(&m(
        CKM_CONCATENATE_BASE_AND_KEY,
        Param::Bytes(attr::ulong_bytes(9)),
    ));
    assert_eq!(
        (r.protection, r.other_keys.clone()),
        (Protection::Forced, vec![9])
    );
    assert_eq!(r.default_key_type, Some(CKK_GENERIC_SECRET));
    let r = derive_rules(&m(CKM_CONCATENATE_BASE_AND_KEY, Param::None));
    assert!(r.other_keys.is_empty());
    let r = derive_rules(&sp800(
        CKM_SHA256_HMAC,
        vec![
            counter(8),
            PrfDataParam::KeyHandle(4),
            PrfDataParam::KeyHandle(5),
        ],
    ));
    assert_eq!(
        (r.protection, r.other_keys),
        (Protection::BaseDefaults, vec![4, 5])
    );
    let r = derive_rules(&m(CKM_ECDH1_DERIVE, Param::None));
    assert_eq!(
        (r.class, r.protection, r.default_key_type),
        (CKO_SECRET_KEY, Protection::Template, None)
    );

    // Template adjustments.
    let flags = |sensitive: bool, extractable: bool| {
        let mut k = key(CKK_GENERIC_SECRET, &[1]);
        k.attrs
            .insert(CKA_SENSITIVE, Zeroizing::new(vec![sensitive as u8]));
        k.attrs
            .insert(CKA_EXTRACTABLE, Zeroizing::new(vec![extractable as u8]));
        k
    };
    let (open, closed) = (flags(false, true), flags(true, false));
    let forced = derive_rules(&m(CKM_XOR_BASE_AND_DATA, Param::None));
    let asked = [
        Attribute::bool(CKA_SENSITIVE, false),
        Attribute::bool(CKA_EXTRACTABLE, true),
    ];
    let t = forced.template(&asked, &[&open, &closed]).unwrap();
    assert_eq!(attr::find_bool(&t, CKA_SENSITIVE), Ok(Some(true)));
    assert_eq!(attr::find_bool(&t, CKA_EXTRACTABLE), Ok(Some(false)));
    assert_eq!(
        attr::find_ulong(&t, CKA_KEY_TYPE),
        Ok(Some(CKK_GENERIC_SECRET))
    );
    assert_eq!(attr::find_ulong(&t, CKA_CLASS), Ok(Some(CKO_SECRET_KEY)));
    assert_eq!(t.iter().filter(|a| a.kind == CKA_SENSITIVE).count(), 1);
    let t = forced.template(&asked, &[&open]).unwrap();
    assert_eq!(attr::find_bool(&t, CKA_SENSITIVE), Ok(Some(false)));
    assert_eq!(attr::find_bool(&t, CKA_EXTRACTABLE), Ok(Some(true)));
    let aes = [Attribute::ulong(CKA_KEY_TYPE, CKK_AES)];
    let t = forced.template(&aes, &[&open]).unwrap();
    assert_eq!(attr::find_ulong(&t, CKA_KEY_TYPE), Ok(Some(CKK_AES)));
    // SP 800-108: absent attributes take the base key's values.
    let kbkdf = derive_rules(&sp800(CKM_SHA256_HMAC, vec![]));
    let t = kbkdf.template(&[], &[&closed]).unwrap();
    assert_eq!(attr::find_bool(&t, CKA_SENSITIVE), Ok(Some(true)));
    assert_eq!(attr::find_bool(&t, CKA_EXTRACTABLE), Ok(Some(false)));
    let t = kbkdf.template(&asked, &[&closed]).unwrap();
    assert_eq!(attr::find_bool(&t, CKA_SENSITIVE), Ok(Some(false)));
    assert_eq!(attr::find_bool(&t, CKA_KEY_TYPE), Ok(None));
    // HKDF_DATA: CKA_VALUE_LEN leaves the template.
    let data = derive_rules(&m(CKM_HKDF_DATA, Param::None));
    let t = data
        .template(&[Attribute::ulong(CKA_VALUE_LEN, 5)], &[&open])
        .unwrap();
    assert_eq!(t, vec![Attribute::ulong(CKA_CLASS, CKO_DATA)]);
}

#[test]
fn registered() {
    let r = registry();
    for (kind, flag) in [
        (CKM_HKDF_DERIVE, CKF_DERIVE),
        (CKM_HKDF_DATA, CKF_DERIVE),
        (CKM_HKDF_KEY_GEN, CKF_GENERATE),
        (CKM_PKCS5_PBKD2, CKF_GENERATE),
        (CKM_CONCATENATE_BASE_AND_KEY, CKF_DERIVE),
        (CKM_CONCATENATE_BASE_AND_DATA, CKF_DERIVE),
        (CKM_CONCATENATE_DATA_AND_BASE, CKF_DERIVE),
        (CKM_XOR_BASE_AND_DATA, CKF_DERIVE),
        (CKM_SP800_108_COUNTER_KDF, CKF_DERIVE),
    ] {
        assert_eq!(r.info(kind).map(|i| i.flags), Some(flag), "{kind:#x}");
    }
    assert_eq!(r.info(CKM_SP800_108_COUNTER_KDF).unwrap().min_key_size, 8);
    let def = r.key_type(CKK_HKDF).unwrap();
    assert!(def.public.is_empty() && !def.secret.is_empty());
    // CKM_HKDF_KEY_GEN makes CKK_HKDF keys.
    let out = r
        .get(CKM_HKDF_KEY_GEN, CKF_GENERATE)
        .unwrap()
        .generate_key(
            &CkMechanism::new(CKM_HKDF_KEY_GEN),
            &[Attribute::ulong(CKA_VALUE_LEN, 32)],
        )
        .unwrap();
    assert_eq!(attr::find_ulong(&out, CKA_KEY_TYPE), Ok(Some(CKK_HKDF)));
    assert_eq!(attr::find(&out, CKA_VALUE).map(|v| v.len()), Some(32));
}
