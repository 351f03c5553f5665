//! A host AES (`host.rs`) in place of the wasm one: the results must be
//! the same whoever computes them, across every split of a multi-part
//! call, and a host that refuses, fails, or is asked about a bad tag must
//! never change an answer or release plaintext. The test host is the
//! RustCrypto crates (AES-128 only; other key sizes are refused, which
//! exercises the fallback).
use std::cell::Cell;
use std::rc::Rc;

use aes::Aes128;
use aes_gcm::AesGcm;
use aes_gcm::aead::AeadInOut;
use cipher::block_padding::NoPadding;
use cipher::consts::U12;
use cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyInit, KeyIvInit};

use super::host::{self, HostAes, HostCall, HostOp};
use super::tests::{Rng, dec, enc, gcm, multi, single};
use super::*;

/// What the test host does with each call.
#[derive(Clone, Copy, PartialEq)]
enum Behaviour {
    /// Computes with RustCrypto.
    Compute,
    /// Answers None (cannot).
    Refuse,
    /// Answers Some(false), which only GcmOpen may (a bad tag), without
    /// touching the data; None to GcmOpen (its false is trusted: a host
    /// can always deny service, never forge a success).
    SayFalse,
}

struct TestHost {
    behaviour: Behaviour,
    calls: Rc<Cell<usize>>,
}

impl HostAes for TestHost {
    fn run(&self, call: HostCall) -> Option<bool> {
        let HostCall {
            op,
            key,
            iv,
            aad,
            data,
            tag,
        } = call;
        self.calls.set(self.calls.get() + 1);
        match self.behaviour {
            Behaviour::Refuse => return None,
            Behaviour::SayFalse => return (op != HostOp::GcmOpen).then_some(false),
            Behaviour::Compute => {}
        }
        if key.len() != 16 {
            return None;
        }
        let out = match op {
            HostOp::EcbEncrypt => ecb::Encryptor::<Aes128>::new_from_slice(key)
                .ok()?
                .encrypt_padded_vec::<NoPadding>(data),
            HostOp::EcbDecrypt => ecb::Decryptor::<Aes128>::new_from_slice(key)
                .ok()?
                .decrypt_padded_vec::<NoPadding>(data)
                .ok()?,
            HostOp::CbcEncrypt => cbc::Encryptor::<Aes128>::new_from_slices(key, iv)
                .ok()?
                .encrypt_padded_vec::<NoPadding>(data),
            HostOp::CbcDecrypt => cbc::Decryptor::<Aes128>::new_from_slices(key, iv)
                .ok()?
                .decrypt_padded_vec::<NoPadding>(data)
                .ok()?,
            HostOp::GcmSeal | HostOp::GcmOpen => {
                let aead = AesGcm::<Aes128, U12>::new_from_slice(key).ok()?;
                let nonce = iv.try_into().ok()?;
                let mut out = data.to_vec();
                if op == HostOp::GcmSeal {
                    let full = aead
                        .encrypt_inout_detached(nonce, aad, out.as_mut_slice().into())
                        .ok()?;
                    tag.copy_from_slice(&full[..tag.len()]);
                } else {
                    let full = (&*tag).try_into().ok()?; // full-length tags only
                    if aead
                        .decrypt_inout_detached(nonce, aad, out.as_mut_slice().into(), full)
                        .is_err()
                    {
                        return Some(false);
                    }
                }
                out
            }
        };
        data.copy_from_slice(&out);
        Some(true)
    }
}

/// Installs a test host for inputs of `min_len` bytes or more; its call count.
fn install(behaviour: Behaviour, min_len: usize) -> Rc<Cell<usize>> {
    let calls = Rc::new(Cell::new(0));
    let host = TestHost {
        behaviour,
        calls: calls.clone(),
    };
    host::install(Some(Box::new(host)), min_len);
    calls
}

/// Every bulk mode, one-shot and multi-part, both directions.
fn cases(rng: &mut Rng, key_len: usize) -> Vec<(CK_ULONG, Param, Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for len in [0, 16, 48, 64, 80, 200, 1024, 4096 + 5] {
        let key = rng.bytes(key_len);
        let pt = rng.bytes(len);
        let blocks = pt[..len / 16 * 16].to_vec();
        let iv = rng.bytes(16);
        out.push((CKM_AES_ECB, Param::None, key.clone(), blocks.clone()));
        out.push((CKM_AES_CBC, Param::Bytes(iv.clone()), key.clone(), blocks));
        out.push((
            CKM_AES_CBC_PAD,
            Param::Bytes(iv.clone()),
            key.clone(),
            pt.clone(),
        ));
        let aad = rng.some_bytes(40);
        for (iv_len, tag_bits) in [(12, 128), (12, 96), (16, 128), (1, 32)] {
            out.push((
                CKM_AES_GCM,
                gcm(&iv[..iv_len], &aad, tag_bits),
                key.clone(),
                pt.clone(),
            ));
        }
    }
    out
}

/// (ciphertext one-shot, ciphertext multi-part, plaintext back one-shot,
/// plaintext back multi-part) for each case.
fn run_all(seed: u64, key_len: usize) -> Vec<[Vec<u8>; 4]> {
    let mut rng = Rng(seed);
    let mut parts = Rng(seed ^ 1);
    cases(&mut rng, key_len)
        .into_iter()
        .map(|(kind, param, key, pt)| {
            let ct = single(enc(kind, param.clone(), &key), &pt).unwrap();
            let ct_multi = multi(enc(kind, param.clone(), &key), &pt, &mut parts).unwrap();
            let back = single(dec(kind, param.clone(), &key), &ct).unwrap();
            let back_multi = multi(dec(kind, param, &key), &ct, &mut parts).unwrap();
            assert_eq!(back, pt);
            assert_eq!(back_multi, pt);
            [ct, ct_multi, back, back_multi]
        })
        .collect()
}

#[test]
fn host_results_equal_the_wasm_aes() {
    let wasm = run_all(7, 16);
    let calls = install(Behaviour::Compute, 64);
    let hosted = run_all(7, 16);
    host::install(None, 0);
    assert!(
        calls.get() > 100,
        "the host was asked {} times",
        calls.get()
    );
    for (i, (a, b)) in wasm.iter().zip(&hosted).enumerate() {
        assert!(a == b, "case {i} differs with the host");
    }
}

#[test]
fn refusing_or_failing_hosts_change_nothing() {
    let wasm = run_all(11, 16);
    for behaviour in [Behaviour::Refuse, Behaviour::SayFalse] {
        let calls = install(behaviour, 0);
        let hosted = run_all(11, 16);
        host::install(None, 0);
        assert!(calls.get() > 100);
        assert!(
            wasm == hosted,
            "a host that answers None or false changed a result"
        );
    }
    // Key sizes the test host refuses (24, 32 bytes) fall back as well.
    for key_len in [24, 32] {
        let wasm = run_all(13, key_len);
        let calls = install(Behaviour::Compute, 0);
        let hosted = run_all(13, key_len);
        host::install(None, 0);
        assert!(calls.get() > 0);
        assert!(wasm == hosted);
    }
}

#[test]
fn short_inputs_stay_in_wasm() {
    let calls = install(Behaviour::Compute, 4096);
    let key = [7u8; 16];
    single(
        enc(CKM_AES_CBC, Param::Bytes(vec![1; 16]), &key),
        &[0; 4080],
    )
    .unwrap();
    single(enc(CKM_AES_GCM, gcm(&[1; 12], b"", 128), &key), &[0; 4095]).unwrap();
    assert_eq!(calls.get(), 0);
    single(
        enc(CKM_AES_CBC, Param::Bytes(vec![1; 16]), &key),
        &[0; 4096],
    )
    .unwrap();
    single(enc(CKM_AES_GCM, gcm(&[1; 12], b"", 128), &key), &[0; 4096]).unwrap();
    host::install(None, 0);
    assert_eq!(calls.get(), 2);
}

/// A tag the host finds wrong: CKR_ENCRYPTED_DATA_INVALID and no
/// plaintext, as from the wasm GCM; likewise for a wrong AAD or IV.
#[test]
fn host_gcm_refuses_bad_tags_without_plaintext() {
    let calls = install(Behaviour::Compute, 0);
    let key = [9u8; 16];
    let pt = vec![0x5a; 1000];
    let ct = single(enc(CKM_AES_GCM, gcm(&[3; 12], b"aad", 128), &key), &pt).unwrap();
    for i in [0, 500, ct.len() - 1] {
        let mut bad = ct.clone();
        bad[i] ^= 1;
        let r = single(dec(CKM_AES_GCM, gcm(&[3; 12], b"aad", 128), &key), &bad);
        assert_eq!(r, Err(CKR_ENCRYPTED_DATA_INVALID));
    }
    let r = single(dec(CKM_AES_GCM, gcm(&[3; 12], b"aaD", 128), &key), &ct);
    assert_eq!(r, Err(CKR_ENCRYPTED_DATA_INVALID));
    let r = single(dec(CKM_AES_GCM, gcm(&[4; 12], b"aad", 128), &key), &ct);
    assert_eq!(r, Err(CKR_ENCRYPTED_DATA_INVALID));
    host::install(None, 0);
    assert!(calls.get() >= 6);
}
