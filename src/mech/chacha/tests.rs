//! ChaCha20-Poly1305: the RFC 8439 vectors, streaming, errors, keys.
use super::*;

fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace([' ', '\n'], "")).expect("test hex")
}

fn key_object(value: &[u8]) -> Object {
    let mut attrs = AttrMap::new();
    attrs.insert(CKA_CLASS, Zeroizing::new(ulong_bytes(CKO_SECRET_KEY)));
    attrs.insert(CKA_KEY_TYPE, Zeroizing::new(ulong_bytes(CKK_CHACHA20)));
    attrs.insert(CKA_VALUE, Zeroizing::new(value.to_vec()));
    Object::new(attrs)
}

fn param(nonce: &[u8], aad: &[u8]) -> Param {
    Param::ChaCha20Poly1305 {
        nonce: nonce.to_vec(),
        aad: aad.to_vec(),
    }
}

fn op(encrypt: bool, p: Param, key: &[u8]) -> CkResult<Box<dyn CipherOp>> {
    let m = CkMechanism::with(CKM_CHACHA20_POLY1305, p);
    if encrypt {
        ChaCha.encrypt_init(&m, &key_object(key))
    } else {
        ChaCha.decrypt_init(&m, &key_object(key))
    }
}

/// C_*Update in pieces of the given sizes (cycled), then C_*Final.
fn chunked(mut op: Box<dyn CipherOp>, input: &[u8], sizes: &[usize]) -> CkResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = input;
    for &size in sizes.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (now, later) = rest.split_at(size.min(rest.len()));
        let bound = op.output_bound(now.len(), false);
        let part = op.update(now)?;
        assert!(part.len() <= bound);
        out.extend(part);
        rest = later;
    }
    let bound = op.output_bound(0, true);
    let last = op.finalize()?;
    assert!(last.len() <= bound);
    out.extend(last);
    Ok(out)
}

/// Key, nonce, AAD, plaintext, ciphertext || tag.
type Vector = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

/// RFC 8439 section 2.8.2.
fn rfc8439_2_8_2() -> Vector {
    let key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    let nonce = hex("070000004041424344454647");
    let aad = hex("50515253c0c1c2c3c4c5c6c7");
    let pt = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip \
               for the future, sunscreen would be it."
        .to_vec();
    let sealed = hex(
        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6
         3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36
         92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
         3ff4def08e4b7a9de576d26586cec64b6116
         1ae10b594f09e26a7e902ecbd0600691",
    );
    (key, nonce, aad, pt, sealed)
}

#[test]
fn rfc8439_aead_vector() {
    let (key, nonce, aad, pt, sealed) = rfc8439_2_8_2();
    let p = param(&nonce, &aad);
    assert_eq!(
        op(true, p.clone(), &key).unwrap().one_shot(&pt),
        Ok(sealed.clone())
    );
    assert_eq!(
        op(false, p.clone(), &key).unwrap().one_shot(&sealed),
        Ok(pt.clone())
    );
    for sizes in [&[1][..], &[0, 5, 64, 7], &[63, 1, 65], &[200]] {
        assert_eq!(
            chunked(op(true, p.clone(), &key).unwrap(), &pt, sizes),
            Ok(sealed.clone())
        );
        assert_eq!(
            chunked(op(false, p.clone(), &key).unwrap(), &sealed, sizes),
            Ok(pt.clone())
        );
    }
}

/// RFC 8439 appendix A.5: decryption of a sealed message.
#[test]
fn rfc8439_a5_decryption() {
    let key = hex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
    let nonce = hex("000000000102030405060708");
    let aad = hex("f33388860000000000004e91");
    let ct = hex(
        "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2
         4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf
         332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855
         9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4
         b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e
         af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a
         0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10
         49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29
         a6ad5cb4022b02709b",
    );
    let tag = hex("eead9d67890cbb22392336fea1851f38");
    let pt = op(false, param(&nonce, &aad), &key)
        .unwrap()
        .one_shot(&[ct.as_slice(), &tag].concat())
        .unwrap();
    let text = "Internet-Drafts are draft documents valid for a maximum of six months and \
                may be updated, replaced, or obsoleted by other documents at any time. It is \
                inappropriate to use Internet-Drafts as reference material or to cite them \
                other than as /\u{201c}work in progress./\u{201d}";
    assert_eq!(pt, text.as_bytes());
}

#[test]
fn tampering_and_lengths() {
    let (key, nonce, aad, pt, sealed) = rfc8439_2_8_2();
    let p = param(&nonce, &aad);
    for i in [0, pt.len() - 1, pt.len(), sealed.len() - 1] {
        let mut bad = sealed.clone();
        bad[i] ^= 0x80;
        assert_eq!(
            op(false, p.clone(), &key).unwrap().one_shot(&bad),
            Err(CKR_ENCRYPTED_DATA_INVALID)
        );
    }
    let mut other_aad = aad.clone();
    other_aad[0] ^= 1;
    assert_eq!(
        op(false, param(&nonce, &other_aad), &key)
            .unwrap()
            .one_shot(&sealed),
        Err(CKR_ENCRYPTED_DATA_INVALID)
    );
    assert_eq!(
        op(false, p.clone(), &key).unwrap().one_shot(&sealed[..15]),
        Err(CKR_ENCRYPTED_DATA_LEN_RANGE)
    );
    // Empty text: the tag alone.
    let tag = op(true, p.clone(), &key).unwrap().one_shot(&[]).unwrap();
    assert_eq!(tag.len(), 16);
    assert_eq!(op(false, p, &key).unwrap().one_shot(&tag), Ok(vec![]));
}

#[test]
fn parameters_and_keys() {
    let key = [9u8; 32];
    for p in [
        param(&[0; 8], &[]),
        param(&[0; 11], &[]),
        param(&[0; 13], &[]),
        param(&[0; 24], &[]),
        Param::Bytes(vec![0; 12]),
        Param::None,
    ] {
        assert_eq!(
            op(true, p.clone(), &key).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(op(false, p, &key).err(), Some(CKR_MECHANISM_PARAM_INVALID));
    }
    assert_eq!(
        op(true, param(&[0; 12], &[]), &[9; 16]).err(),
        Some(CKR_KEY_SIZE_RANGE)
    );
    let mut aes = key_object(&key);
    aes.attrs
        .insert(CKA_KEY_TYPE, Zeroizing::new(ulong_bytes(CKK_AES)));
    let m = CkMechanism::with(CKM_CHACHA20_POLY1305, param(&[0; 12], &[]));
    assert_eq!(
        ChaCha.encrypt_init(&m, &aes).err(),
        Some(CKR_KEY_TYPE_INCONSISTENT)
    );
    assert_eq!(
        ChaCha
            .encrypt_init(&CkMechanism::new(CKM_CHACHA20_KEY_GEN), &key_object(&key))
            .err(),
        Some(CKR_MECHANISM_INVALID)
    );
}

#[test]
fn key_generation_and_import() {
    let gen_ = CkMechanism::new(CKM_CHACHA20_KEY_GEN);
    let a = ChaCha.generate_key(&gen_, &[]).unwrap();
    let b = ChaCha
        .generate_key(&gen_, &[Attribute::ulong(CKA_VALUE_LEN, 32)])
        .unwrap();
    let value = |g: &Generated| {
        g.iter()
            .find(|a| a.kind == CKA_VALUE)
            .unwrap()
            .value
            .clone()
    };
    assert_eq!(value(&a).len(), 32);
    assert_ne!(value(&a), value(&b));
    assert_eq!(
        ChaCha.generate_key(&gen_, &[Attribute::ulong(CKA_VALUE_LEN, 16)]),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        ChaCha.generate_key(&gen_, &[Attribute::ulong(CKA_KEY_TYPE, CKK_AES)]),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    assert_eq!(
        ChaCha.generate_key(
            &CkMechanism::with(CKM_CHACHA20_KEY_GEN, Param::Bytes(vec![1])),
            &[]
        ),
        Err(CKR_MECHANISM_PARAM_INVALID)
    );

    let mut attrs = AttrMap::new();
    attrs.insert(CKA_VALUE, Zeroizing::new(vec![1; 32]));
    assert_eq!(complete(CKO_SECRET_KEY, &mut attrs), Ok(()));
    assert_eq!(
        attrs.get(&CKA_VALUE_LEN).map(|v| v.to_vec()),
        Some(ulong_bytes(32))
    );
    attrs.insert(CKA_VALUE_LEN, Zeroizing::new(ulong_bytes(31)));
    assert_eq!(
        complete(CKO_SECRET_KEY, &mut attrs),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    let mut short = AttrMap::new();
    short.insert(CKA_VALUE, Zeroizing::new(vec![1; 31]));
    assert_eq!(
        complete(CKO_SECRET_KEY, &mut short),
        Err(CKR_ATTRIBUTE_VALUE_INVALID)
    );
    assert_eq!(
        complete(CKO_SECRET_KEY, &mut AttrMap::new()),
        Err(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        complete(CKO_PRIVATE_KEY, &mut short),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );

    let mut r = Registry::default();
    register(&mut r);
    assert_eq!(
        r.info(CKM_CHACHA20_KEY_GEN),
        Some(info(32, 32, CKF_GENERATE))
    );
    assert_eq!(
        r.info(CKM_CHACHA20_POLY1305),
        Some(info(
            32,
            32,
            CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP | CKF_UNWRAP
        ))
    );
    assert!(r.key_type(CKK_CHACHA20).is_some());
}

/// A cloned operation (the engine's trial run for CKR_BUFFER_TOO_SMALL)
/// continues exactly where the original is.
#[test]
fn clones_continue_the_stream() {
    let (key, nonce, aad, pt, sealed) = rfc8439_2_8_2();
    let mut a = op(true, param(&nonce, &aad), &key).unwrap();
    let mut out = a.update(&pt[..70]).unwrap();
    let mut b = a.box_clone();
    let rest_b = b.one_shot(&pt[70..]).unwrap();
    out.extend(a.update(&pt[70..]).unwrap());
    out.extend(a.finalize().unwrap());
    assert_eq!(out, sealed);
    assert_eq!(rest_b, sealed[70..].to_vec());
}
