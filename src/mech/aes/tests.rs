use aes::Aes128;

use super::gcm::Gcm;

use super::*;

pub(super) fn hex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).expect("test hex")
}

fn key_object(value: &[u8]) -> Object {
    let mut attrs = AttrMap::new();
    attrs.insert(CKA_CLASS, Zeroizing::new(ulong_bytes(CKO_SECRET_KEY)));
    attrs.insert(CKA_KEY_TYPE, Zeroizing::new(ulong_bytes(CKK_AES)));
    attrs.insert(CKA_VALUE, Zeroizing::new(value.to_vec()));
    Object::new(attrs)
}

fn op(encrypt: bool, kind: CK_ULONG, param: Param, key: &[u8]) -> CkResult<Box<dyn CipherOp>> {
    let m = CkMechanism::with(kind, param);
    if encrypt {
        Aes.encrypt_init(&m, &key_object(key))
    } else {
        Aes.decrypt_init(&m, &key_object(key))
    }
}

pub(super) fn enc(kind: CK_ULONG, param: Param, key: &[u8]) -> Box<dyn CipherOp> {
    op(true, kind, param, key).expect("encrypt_init")
}

pub(super) fn dec(kind: CK_ULONG, param: Param, key: &[u8]) -> Box<dyn CipherOp> {
    op(false, kind, param, key).expect("decrypt_init")
}

fn ctr(bits: CK_ULONG, block: &[u8]) -> Param {
    Param::Ctr {
        counter_bits: bits,
        counter_block: block.to_vec(),
    }
}

pub(super) fn gcm(iv: &[u8], aad: &[u8], tag_bits: CK_ULONG) -> Param {
    Param::Gcm {
        iv: iv.to_vec(),
        aad: aad.to_vec(),
        tag_bits,
    }
}

/// xorshift64*: deterministic data and chunkings.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub(super) fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// Up to `max` bytes.
    pub(super) fn some_bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.below(max + 1);
        self.bytes(n)
    }
}

/// C_Encrypt / C_Decrypt, checking the output against the announced bound.
pub(super) fn single(mut op: Box<dyn CipherOp>, input: &[u8]) -> CkResult<Vec<u8>> {
    let bound = op.output_bound(input.len(), true);
    let out = op.one_shot(input)?;
    assert!(out.len() <= bound, "one_shot {} > bound {bound}", out.len());
    Ok(out)
}

/// Update in random chunks (empty ones included), then final; each
/// output checked against the bound announced before the call. Half
/// way through, a clone is taken: finishing it in one go must give the
/// same result (box_clone carries all the state).
pub(super) fn multi(mut op: Box<dyn CipherOp>, input: &[u8], rng: &mut Rng) -> CkResult<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = input;
    let mut twin = None;
    while !rest.is_empty() {
        if twin.is_none() && rest.len() * 2 <= input.len() {
            twin = Some((op.box_clone(), out.clone(), rest));
        }
        let n = match rng.below(4) {
            0 => 0,
            1 => rng.below(rest.len().min(16) + 1),
            _ => rng.below(rest.len() + 1),
        };
        let (now, later) = rest.split_at(n);
        let bound = op.output_bound(n, false);
        let part = op.update(now)?;
        assert!(part.len() <= bound, "update {} > bound {bound}", part.len());
        out.extend_from_slice(&part);
        rest = later;
    }
    let bound = op.output_bound(0, true);
    let last = op.finalize()?;
    assert!(last.len() <= bound, "final {} > bound {bound}", last.len());
    out.extend_from_slice(&last);
    if let Some((mut twin, mut early, rest)) = twin {
        early.extend_from_slice(&twin.update(rest)?);
        early.extend_from_slice(&twin.finalize()?);
        assert_eq!(early, out, "the clone finished differently");
    }
    Ok(out)
}

// NIST SP 800-38A appendix F: the plaintext, keys and IVs shared by the examples.
const PT: &str = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
                  30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
const KEYS: [&str; 3] = [
    "2b7e151628aed2a6abf7158809cf4f3c",
    "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
    "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
];
const CBC_IV: &str = "000102030405060708090a0b0c0d0e0f";
const CTR_BLOCK: &str = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/// Encrypts and decrypts one known answer, single- and multi-part.
fn known_answer(kind: CK_ULONG, param: Param, key: &str, pt: &str, ct: &str) {
    let (key, pt, ct) = (hex(key), hex(pt.replace('\n', "").as_str()), hex(ct));
    let mut rng = Rng(0x5eed ^ key.len() as u64);
    assert_eq!(single(enc(kind, param.clone(), &key), &pt).unwrap(), ct);
    assert_eq!(single(dec(kind, param.clone(), &key), &ct).unwrap(), pt);
    for _ in 0..20 {
        assert_eq!(
            multi(enc(kind, param.clone(), &key), &pt, &mut rng).unwrap(),
            ct
        );
        assert_eq!(
            multi(dec(kind, param.clone(), &key), &ct, &mut rng).unwrap(),
            pt
        );
    }
}

#[test]
fn sp800_38a_f1_ecb() {
    let cts = [
        "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4",
        "bd334f1d6e45f25ff712a214571fa5cc974104846d0ad3ad7734ecb3ecee4eefef7afd2270e2e60adce0ba2face6444e9a4b41ba738d6c72fb16691603c18e0e",
        "f3eed1bdb5d2a03c064b5a7e3db181f8591ccb10d410ed26dc5ba74a31362870b6ed21b99ca6f4f9f153e7b1beafed1d23304b7a39f9f3ff067d8d8f9e24ecc7",
    ];
    for (key, ct) in KEYS.iter().zip(cts) {
        known_answer(CKM_AES_ECB, Param::None, key, PT, ct);
    }
}

#[test]
fn sp800_38a_f2_cbc() {
    let cts = [
        "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7",
        "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd",
        "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b",
    ];
    for (key, ct) in KEYS.iter().zip(cts) {
        known_answer(CKM_AES_CBC, Param::Bytes(hex(CBC_IV)), key, PT, ct);
        // CBC_PAD adds one block of padding (16 x 0x10) after the same blocks.
        let mut padded = enc(CKM_AES_CBC, Param::Bytes(hex(CBC_IV)), &hex(key));
        let mut want = padded.update(&hex(PT.replace('\n', "").as_str())).unwrap();
        assert_eq!(want, hex(ct));
        want.extend(padded.update(&[16; 16]).unwrap());
        known_answer(
            CKM_AES_CBC_PAD,
            Param::Bytes(hex(CBC_IV)),
            key,
            PT,
            &hex::encode(want),
        );
    }
}

#[test]
fn sp800_38a_f5_ctr() {
    let cts = [
        "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee",
        "1abc932417521ca24f2b0459fe7e6e0b090339ec0aa6faefd5ccc2c6f4ce8e941e36b26bd1ebc670d1bd1d665620abf74f78a7f6d29809585a97daec58c6b050",
        "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6",
    ];
    for (key, ct) in KEYS.iter().zip(cts) {
        // The counter goes ...feff to ...ff02: 9 counter bits suffice.
        for bits in [9, 16, 32, 64, 128] {
            known_answer(CKM_AES_CTR, ctr(bits, &hex(CTR_BLOCK)), key, PT, ct);
        }
        // With 8 bits the counter would wrap after ...ffff: refused.
        let mut op = enc(CKM_AES_CTR, ctr(8, &hex(CTR_BLOCK)), &hex(key));
        assert_eq!(
            op.one_shot(&hex(PT.replace('\n', "").as_str())),
            Err(CKR_DATA_LEN_RANGE)
        );
    }
}

/// The gcm-spec.pdf (McGrew & Viega) test cases 1 and 2.
#[test]
fn gcm_known_answers() {
    let key = [0u8; 16];
    let iv = [0u8; 12];
    assert_eq!(
        single(enc(CKM_AES_GCM, gcm(&iv, &[], 128), &key), &[]).unwrap(),
        hex("58e2fccefa7e3061367f1d57a4e7455a")
    );
    let ct = hex("0388dace60b6a392f328c2b971b2fe78 ab6e47d42cec13bdf53a67b21257bddf");
    assert_eq!(
        single(enc(CKM_AES_GCM, gcm(&iv, &[], 128), &key), &[0; 16]).unwrap(),
        ct
    );
    assert_eq!(
        single(dec(CKM_AES_GCM, gcm(&iv, &[], 128), &key), &ct).unwrap(),
        [0; 16]
    );
}

#[test]
fn multi_part_equals_single_part() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for round in 0..300 {
        let key = rng.bytes([16, 24, 32][round % 3]);
        let len = match round % 4 {
            0 => rng.below(17),
            1 => rng.below(4) * 16,
            _ => rng.below(300),
        };
        let pt = rng.bytes(len);
        let iv = rng.bytes(16);
        let gcm_iv = rng.bytes([12, 1, 16, 60][round % 4]);
        let aad = rng.some_bytes(40);
        let tag = GCM_TAG_BITS[round % GCM_TAG_BITS.len()];
        let whole = |len: usize| len.is_multiple_of(16);
        let ctr_bits = 1 + rng.below(if round % 2 == 0 { 8 } else { 127 }) as CK_ULONG;
        let cases = [
            (CKM_AES_ECB, Param::None, whole(len)),
            (CKM_AES_CBC, Param::Bytes(iv.clone()), whole(len)),
            (CKM_AES_CBC_PAD, Param::Bytes(iv.clone()), true),
            // Counter from 0: fits unless the data needs over 2^bits blocks.
            (
                CKM_AES_CTR,
                ctr(ctr_bits, &[0; 16]),
                len.div_ceil(16) as u128 <= 1u128 << ctr_bits,
            ),
            (CKM_AES_GCM, gcm(&gcm_iv, &aad, tag), true),
        ];
        for (kind, param, ok) in cases {
            let once = single(enc(kind, param.clone(), &key), &pt);
            let parts = multi(enc(kind, param.clone(), &key), &pt, &mut rng);
            assert_eq!(once, parts, "mechanism {kind:#x} len {len}");
            if !ok {
                assert_eq!(once, Err(CKR_DATA_LEN_RANGE));
                continue;
            }
            let ct = once.unwrap();
            assert_eq!(single(dec(kind, param.clone(), &key), &ct).unwrap(), pt);
            assert_eq!(
                multi(dec(kind, param.clone(), &key), &ct, &mut rng).unwrap(),
                pt
            );
        }
    }
}

/// Same results as the RustCrypto mode crates (for their fixed-size
/// variants) and as `aes-gcm` (which computes J0 itself for any nonce size).
#[test]
fn agrees_with_rustcrypto() {
    use aes_gcm::AesGcm;
    use aes_gcm::aead::{Aead, Payload};
    use cipher::block_padding::{NoPadding, Pkcs7};
    use cipher::consts::{U12, U16};
    use cipher::{BlockModeEncrypt, KeyInit as _, KeyIvInit, StreamCipher};

    let mut rng = Rng(0xfeed_beef);
    for _ in 0..100 {
        let key = rng.bytes(16);
        let iv = rng.bytes(16);
        let pt = rng.some_bytes(200);
        let blocks = &pt[..pt.len() / 16 * 16];

        let want = cbc::Encryptor::<Aes128>::new_from_slices(&key, &iv)
            .unwrap()
            .encrypt_padded_vec::<Pkcs7>(&pt);
        assert_eq!(
            single(enc(CKM_AES_CBC_PAD, Param::Bytes(iv.clone()), &key), &pt).unwrap(),
            want
        );
        let want = cbc::Encryptor::<Aes128>::new_from_slices(&key, &iv)
            .unwrap()
            .encrypt_padded_vec::<NoPadding>(blocks);
        assert_eq!(
            single(enc(CKM_AES_CBC, Param::Bytes(iv.clone()), &key), blocks).unwrap(),
            want
        );
        let want = ecb::Encryptor::<Aes128>::new_from_slice(&key)
            .unwrap()
            .encrypt_padded_vec::<NoPadding>(blocks);
        assert_eq!(
            single(enc(CKM_AES_ECB, Param::None, &key), blocks).unwrap(),
            want
        );

        // Keep the 64-bit counter away from its wrap, which we refuse.
        let mut block = iv.clone();
        block[8] &= 0x7f;
        let mut want = pt.clone();
        ::ctr::Ctr64BE::<Aes128>::new_from_slices(&key, &block)
            .unwrap()
            .apply_keystream(&mut want);
        assert_eq!(
            single(enc(CKM_AES_CTR, ctr(64, &block), &key), &pt).unwrap(),
            want
        );

        let aad = rng.some_bytes(50);
        let payload = || Payload {
            msg: &pt,
            aad: &aad,
        };
        let want = AesGcm::<Aes128, U12>::new_from_slice(&key)
            .unwrap()
            .encrypt(iv[..12].try_into().unwrap(), payload())
            .unwrap();
        assert_eq!(
            single(enc(CKM_AES_GCM, gcm(&iv[..12], &aad, 128), &key), &pt).unwrap(),
            want
        );
        let want = AesGcm::<Aes128, U16, U12>::new_from_slice(&key)
            .unwrap()
            .encrypt(iv.as_slice().try_into().unwrap(), payload())
            .unwrap();
        assert_eq!(
            single(enc(CKM_AES_GCM, gcm(&iv, &aad, 96), &key), &pt).unwrap(),
            want
        );
    }
}

/// The token's own sealing (PIN blobs, private records): AES-256-GCM
/// records the aes-gcm crate (what sealed them before) opens and makes
/// byte for byte; any changed byte, a wrong key, nonce or associated data,
/// or a record cut short is refused without plaintext.
#[test]
fn token_sealing_agrees_with_aes_gcm_and_refuses_tampering() {
    use aes_gcm::Aes256Gcm;
    use aes_gcm::aead::{Aead, KeyInit as _, Payload};

    let mut rng = Rng(0x5ea1_ed00);
    for _ in 0..50 {
        let key = rng.bytes(32);
        let nonce: [u8; 12] = rng.bytes(12).try_into().unwrap();
        let aad = rng.some_bytes(80);
        let plain = rng.some_bytes(300);
        let sealed = gcm_seal(&key, &nonce, &aad, &plain).unwrap();
        let reference = Aes256Gcm::new_from_slice(&key).unwrap();
        let payload = |msg| Payload { msg, aad: &aad };
        assert_eq!(
            reference.encrypt(&nonce.into(), payload(&plain)).unwrap(),
            sealed
        );
        assert_eq!(
            reference.decrypt(&nonce.into(), payload(&sealed)).unwrap(),
            plain
        );
        assert_eq!(*gcm_open(&key, &nonce, &aad, &sealed).unwrap(), plain);

        let at = rng.bytes(2);
        let mut flipped = sealed.clone();
        let i = usize::from(u16::from_le_bytes([at[0], at[1]])) % flipped.len();
        flipped[i] ^= 0x01;
        assert_eq!(
            gcm_open(&key, &nonce, &aad, &flipped).unwrap_err(),
            CKR_ENCRYPTED_DATA_INVALID
        );
        let mut other = key.clone();
        other[0] ^= 0x80;
        assert!(gcm_open(&other, &nonce, &aad, &sealed).is_err());
        let mut other_nonce = nonce;
        other_nonce[11] ^= 1;
        assert!(gcm_open(&key, &other_nonce, &aad, &sealed).is_err());
        let mut other_aad = aad.clone();
        other_aad.push(0);
        assert!(gcm_open(&key, &nonce, &other_aad, &sealed).is_err());
        assert!(gcm_open(&key, &nonce, &aad, &sealed[..sealed.len() - 1]).is_err());
        assert!(gcm_open(&key, &nonce, &aad, &sealed[..15]).is_err());
    }
}

#[test]
fn cbc_pad_rejects_bad_padding() {
    let key = [7u8; 16];
    let iv = [9u8; 16];
    // Last plaintext blocks whose padding is wrong, encrypted without padding.
    let mut bad: Vec<[u8; 16]> = vec![[0; 16], [17; 16], [0xff; 16]];
    let mut inconsistent = [3u8; 16];
    inconsistent[13] = 2; // claims 3 bytes of padding, one differs
    bad.push(inconsistent);
    let mut long = [16u8; 16];
    long[0] = 15; // claims a whole block of padding, first byte differs
    bad.push(long);
    for last in bad {
        for prefix in [0usize, 32] {
            let mut pt = vec![1u8; prefix];
            pt.extend_from_slice(&last);
            let ct = single(enc(CKM_AES_CBC, Param::Bytes(iv.to_vec()), &key), &pt).unwrap();
            let d = single(dec(CKM_AES_CBC_PAD, Param::Bytes(iv.to_vec()), &key), &ct);
            assert_eq!(d, Err(CKR_ENCRYPTED_DATA_INVALID), "{last:?}");
            let d = multi(
                dec(CKM_AES_CBC_PAD, Param::Bytes(iv.to_vec()), &key),
                &ct,
                &mut Rng(3),
            );
            assert_eq!(d, Err(CKR_ENCRYPTED_DATA_INVALID), "{last:?}");
        }
    }
    // Every valid padding length is accepted.
    for pad in 1..=16u8 {
        let mut pt = vec![pad; 16];
        pt[..16 - pad as usize].fill(0xaa);
        let ct = single(enc(CKM_AES_CBC, Param::Bytes(iv.to_vec()), &key), &pt).unwrap();
        let d = single(dec(CKM_AES_CBC_PAD, Param::Bytes(iv.to_vec()), &key), &ct).unwrap();
        assert_eq!(d, pt[..16 - pad as usize]);
    }
}

#[test]
fn length_errors() {
    let key = [1u8; 32];
    let iv = Param::Bytes(vec![0; 16]);
    for (kind, param) in [(CKM_AES_ECB, Param::None), (CKM_AES_CBC, iv.clone())] {
        for len in [1, 15, 17, 31] {
            assert_eq!(
                single(enc(kind, param.clone(), &key), &vec![0; len]),
                Err(CKR_DATA_LEN_RANGE)
            );
            assert_eq!(
                single(dec(kind, param.clone(), &key), &vec![0; len]),
                Err(CKR_ENCRYPTED_DATA_LEN_RANGE)
            );
            // Multi-part: the updates take it, the final refuses it.
            let mut e = enc(kind, param.clone(), &key);
            assert_eq!(e.update(&vec![0; len]).unwrap().len(), len / 16 * 16);
            assert_eq!(e.finalize(), Err(CKR_DATA_LEN_RANGE));
        }
        assert_eq!(single(enc(kind, param.clone(), &key), &[]), Ok(vec![]));
    }
    for len in [0, 1, 15, 17, 33] {
        let d = single(dec(CKM_AES_CBC_PAD, iv.clone(), &key), &vec![0; len]);
        assert_eq!(d, Err(CKR_ENCRYPTED_DATA_LEN_RANGE), "len {len}");
    }
    for (tag_bits, len) in [(128, 15), (128, 0), (32, 3), (96, 11)] {
        let d = single(
            dec(CKM_AES_GCM, gcm(&[0; 12], &[], tag_bits), &key),
            &vec![0; len],
        );
        assert_eq!(
            d,
            Err(CKR_ENCRYPTED_DATA_LEN_RANGE),
            "tag {tag_bits} len {len}"
        );
    }
}

#[test]
fn gcm_tags_and_streaming_decrypt() {
    let key = [2u8; 16];
    let pt = b"attack at dawn, bring snacks".to_vec();
    let full = single(enc(CKM_AES_GCM, gcm(&[5; 12], b"hdr", 128), &key), &pt).unwrap();
    for bits in GCM_TAG_BITS {
        let p = gcm(&[5; 12], b"hdr", bits);
        let ct = single(enc(CKM_AES_GCM, p.clone(), &key), &pt).unwrap();
        // A short tag is the leading bytes of the full tag.
        assert_eq!(ct, full[..pt.len() + bits as usize / 8]);
        assert_eq!(single(dec(CKM_AES_GCM, p.clone(), &key), &ct).unwrap(), pt);
        for i in 0..ct.len() {
            let mut bad = ct.clone();
            bad[i] ^= 0x40;
            assert_eq!(
                single(dec(CKM_AES_GCM, p.clone(), &key), &bad),
                Err(CKR_ENCRYPTED_DATA_INVALID)
            );
        }
        let wrong_aad = gcm(&[5; 12], b"hdR", bits);
        assert_eq!(
            single(dec(CKM_AES_GCM, wrong_aad, &key), &ct),
            Err(CKR_ENCRYPTED_DATA_INVALID)
        );
    }
    // Decryption releases nothing before the tag is checked.
    let mut d = dec(CKM_AES_GCM, gcm(&[5; 12], b"hdr", 128), &key);
    for chunk in full.chunks(5) {
        assert_eq!(d.output_bound(chunk.len(), false), 0);
        assert_eq!(d.update(chunk).unwrap(), Vec::<u8>::new());
    }
    assert_eq!(d.output_bound(0, true), pt.len());
    assert_eq!(d.finalize().unwrap(), pt);
}

#[test]
fn ctr_counter_wrap_is_refused() {
    let key = [3u8; 16];
    let mut block = [0xabu8; 16];
    block[15] = 0xfe; // with 8 counter bits: blocks ..fe and ..ff, then a wrap
    for encrypt in [true, false] {
        let code = if encrypt {
            CKR_DATA_LEN_RANGE
        } else {
            CKR_ENCRYPTED_DATA_LEN_RANGE
        };
        assert_eq!(
            single(
                op(encrypt, CKM_AES_CTR, ctr(8, &block), &key).unwrap(),
                &[0; 32]
            )
            .map(|v| v.len()),
            Ok(32)
        );
        assert_eq!(
            single(
                op(encrypt, CKM_AES_CTR, ctr(8, &block), &key).unwrap(),
                &[0; 33]
            ),
            Err(code)
        );
        let mut o = op(encrypt, CKM_AES_CTR, ctr(8, &block), &key).unwrap();
        assert_eq!(o.update(&[0; 20]).map(|v| v.len()), Ok(20));
        assert_eq!(o.update(&[0; 12]).map(|v| v.len()), Ok(12)); // ends the second block
        assert_eq!(o.update(&[0; 1]), Err(code));
        assert_eq!(o.update(&[]), Ok(vec![]));
    }
    // The bits above the counter never change: the keystream is E(..fe), E(..ff).
    let mut want = [block, block].concat();
    want[31] = 0xff;
    Cipher::new(&key_object(&key)).unwrap().encrypt(&mut want);
    assert_eq!(
        single(enc(CKM_AES_CTR, ctr(8, &block), &key), &[0; 32]).unwrap(),
        want
    );
    // A full 128-bit counter at its top value allows exactly one block.
    let top = [0xffu8; 16];
    assert!(single(enc(CKM_AES_CTR, ctr(128, &top), &key), &[0; 16]).is_ok());
    assert_eq!(
        single(enc(CKM_AES_CTR, ctr(128, &top), &key), &[0; 17]),
        Err(CKR_DATA_LEN_RANGE)
    );
    // One counter bit set to 0: two blocks.
    let mut one = [0u8; 16];
    one[15] = 0x80; // the high bits are nonce; the low bit is the counter
    assert!(single(enc(CKM_AES_CTR, ctr(1, &one), &key), &[0; 32]).is_ok());
    assert_eq!(
        single(enc(CKM_AES_CTR, ctr(1, &one), &key), &[0; 33]),
        Err(CKR_DATA_LEN_RANGE)
    );
}

/// GCTR counts modulo 2^32 (SP 800-38D inc32): it may wrap, unlike CTR.
#[test]
fn gcm_counter_wraps_mod_2_32() {
    let key = [4u8; 16];
    let mut iv = [0u8; 12];
    iv[11] = 1;
    let mut state = Gcm::new(Cipher::new(&key_object(&key)).unwrap(), &iv, &[], 16);
    state.stream.counter |= 0xffff_fffe; // as if J0 ended in ...fffffffe
    let before = state.stream.counter;
    state.stream.apply(&mut [0u8; 48]);
    assert_eq!(state.stream.counter, (before & !0xffff_ffff) | 1);
}

#[test]
fn bounds_are_tight_where_known() {
    let key = [5u8; 16];
    let iv = Param::Bytes(vec![0; 16]);
    let mut e = enc(CKM_AES_CBC_PAD, iv.clone(), &key);
    assert_eq!(e.output_bound(5, false), 0);
    assert_eq!(e.update(&[0; 5]).unwrap().len(), 0);
    assert_eq!(e.output_bound(11, false), 16);
    assert_eq!(e.output_bound(11, true), 32);
    assert_eq!(e.output_bound(0, true), 16);
    let mut d = dec(CKM_AES_CBC_PAD, iv.clone(), &key);
    assert_eq!(d.output_bound(16, false), 0); // the last block is held back
    assert_eq!(d.update(&[0; 16]).unwrap().len(), 0);
    assert_eq!(d.output_bound(16, false), 16);
    assert_eq!(d.output_bound(0, true), 15);
    let e = enc(CKM_AES_GCM, gcm(&[0; 12], &[], 96), &key);
    assert_eq!(
        (e.output_bound(10, false), e.output_bound(10, true)),
        (10, 22)
    );
    let e = enc(CKM_AES_CTR, ctr(32, &[0; 16]), &key);
    assert_eq!(
        (e.output_bound(10, false), e.output_bound(10, true)),
        (10, 10)
    );
}

#[test]
fn parameter_and_key_checks() {
    let key = [6u8; 16];
    let bad_params = [
        (CKM_AES_ECB, Param::Bytes(vec![0; 16])),
        (CKM_AES_CBC, Param::None),
        (CKM_AES_CBC, Param::Bytes(vec![0; 15])),
        (CKM_AES_CBC_PAD, Param::Bytes(vec![0; 17])),
        (CKM_AES_CBC_PAD, ctr(128, &[0; 16])),
        (CKM_AES_CTR, ctr(0, &[0; 16])),
        (CKM_AES_CTR, ctr(129, &[0; 16])),
        (CKM_AES_CTR, ctr(64, &[0; 15])),
        (CKM_AES_CTR, Param::Bytes(vec![0; 16])),
        (CKM_AES_GCM, gcm(&[], &[], 128)),
        (CKM_AES_GCM, gcm(&[0; 12], &[], 0)),
        (CKM_AES_GCM, gcm(&[0; 12], &[], 8)),
        (CKM_AES_GCM, gcm(&[0; 12], &[], 100)),
        (CKM_AES_GCM, gcm(&[0; 12], &[], 136)),
        (CKM_AES_GCM, Param::Bytes(vec![0; 12])),
    ];
    for (kind, param) in bad_params {
        for encrypt in [true, false] {
            let r = op(encrypt, kind, param.clone(), &key).map(|_| ());
            assert_eq!(r, Err(CKR_MECHANISM_PARAM_INVALID), "{kind:#x} {param:?}");
        }
    }
    for len in [0, 8, 15, 17, 33, 64] {
        let r = op(true, CKM_AES_ECB, Param::None, &vec![0; len]).map(|_| ());
        assert_eq!(r, Err(CKR_KEY_SIZE_RANGE));
    }
    let m = CkMechanism::new(CKM_AES_ECB);
    let mut wrong_type = key_object(&key);
    wrong_type.attrs.insert(
        CKA_KEY_TYPE,
        Zeroizing::new(ulong_bytes(CKK_GENERIC_SECRET)),
    );
    let mut wrong_class = key_object(&key);
    wrong_class
        .attrs
        .insert(CKA_CLASS, Zeroizing::new(ulong_bytes(CKO_PRIVATE_KEY)));
    for k in [wrong_type, wrong_class] {
        assert_eq!(
            Aes.encrypt_init(&m, &k).map(|_| ()),
            Err(CKR_KEY_TYPE_INCONSISTENT)
        );
        assert_eq!(
            Aes.decrypt_init(&m, &k).map(|_| ()),
            Err(CKR_KEY_TYPE_INCONSISTENT)
        );
    }
    let m = CkMechanism::new(CKM_AES_KEY_GEN);
    assert_eq!(
        Aes.encrypt_init(&m, &key_object(&key)).map(|_| ()),
        Err(CKR_MECHANISM_INVALID)
    );
}

#[test]
fn key_generation() {
    let m = CkMechanism::new(CKM_AES_KEY_GEN);
    for len in [16, 24, 32] {
        let got = Aes
            .generate_key(&m, &[Attribute::ulong(CKA_VALUE_LEN, len)])
            .unwrap();
        assert_eq!(
            crate::attr::find(&got, CKA_VALUE).map(<[u8]>::len),
            Some(len as usize)
        );
        assert_eq!(find_ulong(&got, CKA_VALUE_LEN), Ok(Some(len)));
        assert_eq!(find_ulong(&got, CKA_KEY_TYPE), Ok(Some(CKK_AES)));
    }
    let a = Aes
        .generate_key(&m, &[Attribute::ulong(CKA_VALUE_LEN, 16)])
        .unwrap();
    let b = Aes
        .generate_key(&m, &[Attribute::ulong(CKA_VALUE_LEN, 16)])
        .unwrap();
    assert_ne!(
        crate::attr::find(&a, CKA_VALUE),
        crate::attr::find(&b, CKA_VALUE)
    );
    assert_eq!(Aes.generate_key(&m, &[]), Err(CKR_TEMPLATE_INCOMPLETE));
    for len in [0, 8, 17, 64] {
        assert_eq!(
            Aes.generate_key(&m, &[Attribute::ulong(CKA_VALUE_LEN, len)]),
            Err(BAD_GEN_LEN)
        );
    }
    let wrong = [
        Attribute::ulong(CKA_VALUE_LEN, 16),
        Attribute::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
    ];
    assert_eq!(Aes.generate_key(&m, &wrong), Err(CKR_TEMPLATE_INCONSISTENT));
    let with_param = CkMechanism::with(CKM_AES_KEY_GEN, Param::Bytes(vec![1]));
    assert_eq!(
        Aes.generate_key(&with_param, &[Attribute::ulong(CKA_VALUE_LEN, 16)]),
        Err(CKR_MECHANISM_PARAM_INVALID)
    );
}

#[test]
fn complete_checks_value() {
    let attrs = |value: Option<usize>, value_len: Option<CK_ULONG>| {
        let mut a = AttrMap::new();
        if let Some(n) = value {
            a.insert(CKA_VALUE, Zeroizing::new(vec![0; n]));
        }
        if let Some(n) = value_len {
            a.insert(CKA_VALUE_LEN, Zeroizing::new(ulong_bytes(n)));
        }
        a
    };
    for n in [16, 24, 32] {
        for given in [None, Some(n as CK_ULONG)] {
            let mut a = attrs(Some(n), given);
            assert_eq!(complete(CKO_SECRET_KEY, &mut a), Ok(()));
            assert_eq!(
                a.get(&CKA_VALUE_LEN).map(|v| parse_ulong(v)),
                Some(Ok(n as CK_ULONG))
            );
        }
        assert_eq!(
            complete(CKO_SECRET_KEY, &mut attrs(Some(n), Some(8))),
            Err(CKR_TEMPLATE_INCONSISTENT)
        );
    }
    for n in [0, 1, 15, 20, 33] {
        assert_eq!(
            complete(CKO_SECRET_KEY, &mut attrs(Some(n), None)),
            Err(CKR_ATTRIBUTE_VALUE_INVALID)
        );
    }
    assert_eq!(
        complete(CKO_SECRET_KEY, &mut attrs(None, Some(16))),
        Err(CKR_TEMPLATE_INCOMPLETE)
    );
    assert_eq!(
        complete(CKO_PRIVATE_KEY, &mut attrs(Some(16), None)),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
}

#[test]
fn registered_info() {
    let mut r = Registry::default();
    register(&mut r);
    let both = CKF_ENCRYPT | CKF_DECRYPT;
    let wrap = both | CKF_WRAP | CKF_UNWRAP;
    let want = [
        (CKM_AES_KEY_GEN, CKF_GENERATE),
        (CKM_AES_ECB, wrap),
        (CKM_AES_CBC, wrap),
        (CKM_AES_CBC_PAD, wrap),
        (CKM_AES_CTR, both),
        (CKM_AES_GCM, wrap),
        (CKM_AES_CTS, both),
        (CKM_AES_KEY_WRAP, wrap),
        (CKM_AES_KEY_WRAP_KWP, wrap),
        (CKM_AES_KEY_WRAP_PAD, wrap),
        (CKM_AES_KEY_WRAP_PKCS7, wrap),
        (CKM_AES_CMAC, CKF_SIGN | CKF_VERIFY),
        (CKM_AES_CMAC_GENERAL, CKF_SIGN | CKF_VERIFY),
        (CKM_AES_ECB_ENCRYPT_DATA, CKF_DERIVE),
        (CKM_AES_CBC_ENCRYPT_DATA, CKF_DERIVE),
    ];
    for (kind, flags) in want {
        assert_eq!(r.info(kind), Some(info(16, 32, flags)), "{kind:#x}");
    }
    assert_eq!(r.list().len(), want.len());
    assert!(
        r.key_type(CKK_AES)
            .is_some_and(|d| d.secret.len() == 2 && d.public.is_empty())
    );
}
