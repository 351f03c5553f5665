//! The module split: the core wasm build keeps the engine and the hot
//! families (AES, SHA-1/2/3, HMAC, KDFs, RSA, P-256) and reaches the others
//! (ML-DSA, ML-KEM, Ed25519, X25519, ChaCha20-Poly1305, the curves other
//! than P-256) in a second wasm module, built from these same sources
//! (feature `extra-module`), through one call: a request message in, a
//! response message out (`codec`).
//!
//! - `moved`: what the core registers for the moved families: their real
//!   CK_MECHANISM_INFO and key type rules, with `Remote` (this file) as the
//!   implementation and proxy key type hooks.
//! - `extra`: the other end, which decodes a request and runs the real
//!   implementation.
//! - The transport is set by the platform: the wasm shell's JS hook in the
//!   core build (src/wasm.rs), or an in-process call to `extra::serve` in
//!   native tests.
//!
//! Every proxy contacts the extra module at the start of its C_* function
//! (C_*Init, key generation, C_CreateObject's checks, unwrap...), before
//! the engine changes any state: a call that fails because the extra module
//! is not loaded yet can be retried as is once it is (the browser Async
//! forms do that). The extra module keeps no state between calls:
//! operations in progress keep their input here and make one call at the
//! end; a cipher whose C_EncryptUpdate streams output (ChaCha20-Poly1305
//! encryption) sends the earlier parts with each new one, which the extra
//! module runs again to reach the same state, so each update answers as
//! the local operation would.
use std::cell::Cell;

use zeroize::Zeroizing;

use super::{CipherOp, CkMechanism, Generated, KeyLookup, Mechanism, SignOp, VerifyOp};
use crate::CK_ULONG;
use crate::attr::Attribute;
use crate::attr::policy::AttrMap;
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

pub mod codec;
pub mod extra;
pub mod moved;
#[cfg(test)]
mod tests;

use codec::{Reader, Writer};

/// Request kinds (the first byte of a request).
pub mod op {
    pub const CIPHER_INIT: u8 = 1;
    pub const CIPHER_RUN: u8 = 2;
    pub const SIGN_INIT: u8 = 3;
    pub const SIGN_RUN: u8 = 4;
    pub const VERIFY_INIT: u8 = 5;
    pub const VERIFY_RUN: u8 = 6;
    pub const GENERATE_KEY: u8 = 7;
    pub const GENERATE_KEY_PAIR: u8 = 8;
    pub const DERIVE: u8 = 9;
    pub const ENCAPSULATE: u8 = 10;
    pub const DECAPSULATE: u8 = 11;
    pub const KEY_COMPLETE: u8 = 12;
    pub const KEY_EXPORT: u8 = 13;
    pub const KEY_IMPORT: u8 = 14;
    pub const CURVE: u8 = 15;
    pub const X25519_SHARED: u8 = 16;
    pub const CIPHER_UPDATE: u8 = 17;
}

/// Sends a request frame and puts the response frame into the (empty)
/// buffer given; `None`: the extra module is not available (e.g. not
/// loaded yet on a page's main thread).
pub type Transport = fn(&[u8], &mut Vec<u8>) -> Option<()>;

thread_local! {
    static TRANSPORT: Cell<Option<Transport>> = const { Cell::new(None) };
}

/// Sets how this thread reaches the extra module.
pub fn set_transport(t: Option<Transport>) {
    TRANSPORT.with(|c| c.set(t));
}

/// The extra module in process (native tests): what the wasm shells do,
/// with one copy each way (src/wasm_extra.rs, src/wasm/extra_link.rs).
#[cfg(test)]
pub(crate) fn in_process(request: &[u8], response: &mut Vec<u8>) -> Option<()> {
    response.extend_from_slice(extra::serve(request).frame());
    Some(())
}

/// A response frame of the extra module; its secret prefix is wiped when
/// dropped. Derefs to the payload.
pub(crate) struct Response(Vec<u8>);

impl Drop for Response {
    fn drop(&mut self) {
        let secret = codec::secret_len(&self.0);
        codec::give_buffer(std::mem::take(&mut self.0), secret);
    }
}

impl std::ops::Deref for Response {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.0.get(codec::HEADER..).unwrap_or_default()
    }
}

/// One round trip: the response, or the CK_RV the extra module answered
/// (CKR_FUNCTION_FAILED when it cannot be reached). The request is wiped
/// (its secret prefix) as soon as it is sent.
pub(crate) fn call(mut req: Writer) -> CkResult<Response> {
    let transport = TRANSPORT.with(|c| c.get()).ok_or(CKR_FUNCTION_FAILED)?;
    let mut resp = Response(codec::take_buffer());
    let sent = transport(req.frame(), &mut resp.0);
    drop(req);
    sent.ok_or(CKR_FUNCTION_FAILED)?;
    if resp.0.len() < codec::HEADER {
        return Err(CKR_GENERAL_ERROR);
    }
    match resp.0[0] {
        0 => Ok(resp),
        1 => Err(Reader::new(&resp).ulong()?),
        _ => Err(CKR_GENERAL_ERROR),
    }
}

/// Recent answers to *_INIT requests, newest first, by SHA-256 of the
/// request (so no key material is kept here): an init's answer (output
/// sizes, whether C_*Update is taken) depends on nothing but its request,
/// and an application signs or verifies under the same few keys again and
/// again; a hit spares the round trip (~10 us of an Ed25519 signature).
/// Errors are not remembered: they are asked again.
const PROBES: usize = 8;
thread_local! {
    static PROBE_ANSWERS: std::cell::RefCell<Vec<([u8; 32], Vec<u8>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `call` for an *_INIT request, answered from `PROBE_ANSWERS` when it can.
fn probe(mut req: Writer) -> CkResult<Vec<u8>> {
    use sha2::Digest;
    use subtle::ConstantTimeEq;
    // The extra module must still be there (and a test may unplug it).
    TRANSPORT.with(|c| c.get()).ok_or(CKR_FUNCTION_FAILED)?;
    let digest: [u8; 32] = sha2::Sha256::digest(req.frame()).into();
    let hit = PROBE_ANSWERS.with_borrow_mut(|cache| {
        let i = cache
            .iter()
            .position(|(d, _)| bool::from(d.ct_eq(&digest)))?;
        let entry = cache.remove(i);
        let answer = entry.1.clone();
        cache.insert(0, entry);
        Some(answer)
    });
    if let Some(answer) = hit {
        return Ok(answer);
    }
    let answer = call(req)?.to_vec();
    PROBE_ANSWERS.with_borrow_mut(|cache| {
        cache.truncate(PROBES - 1);
        cache.insert(0, (digest, answer.clone()));
    });
    Ok(answer)
}

/// Mode of a *_RUN request: C_Encrypt (one part) or C_EncryptUpdate(s) +
/// C_EncryptFinal (the buffered parts as one update).
pub const ONE_SHOT: u8 = 0;
pub const MULTI_PART: u8 = 1;
/// A one-part cipher call whose input or output is key material
/// (C_WrapKey, C_UnwrapKey): both travel in the secret prefix, so every
/// buffer they cross is wiped, unlike the caller's bulk data.
pub const ONE_SHOT_KEY: u8 = 2;

/// The implementation the core registers for every moved mechanism.
pub struct Remote;

fn with_key(op: u8, m: &CkMechanism, key: &Object) -> Writer {
    let mut w = Writer::new(op);
    w.mechanism(m).key(&key.attrs);
    w
}

impl Mechanism for Remote {
    fn encrypt_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn CipherOp>> {
        RemoteCipher::init(true, m, key)
    }
    fn decrypt_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn CipherOp>> {
        RemoteCipher::init(false, m, key)
    }
    fn sign_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn SignOp>> {
        let resp = probe(with_key(op::SIGN_INIT, m, key))?;
        let mut r = Reader::new(&resp);
        let signature_len = r.ulong()? as usize;
        let multi_part = r.bool()?;
        Ok(Box::new(RemoteSign {
            call: Pending::new(m, key, multi_part),
            signature_len,
        }))
    }
    fn verify_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn VerifyOp>> {
        let resp = probe(with_key(op::VERIFY_INIT, m, key))?;
        let multi_part = Reader::new(&resp).bool()?;
        Ok(Box::new(RemoteVerify(Pending::new(m, key, multi_part))))
    }
    fn generate_key(&self, m: &CkMechanism, template: &[Attribute]) -> CkResult<Generated> {
        let mut w = Writer::new(op::GENERATE_KEY);
        w.mechanism(m).attrs(template);
        Reader::new(&call(w)?).attrs()
    }
    fn generate_key_pair(
        &self,
        m: &CkMechanism,
        public: &[Attribute],
        private: &[Attribute],
    ) -> CkResult<(Generated, Generated)> {
        let mut w = Writer::new(op::GENERATE_KEY_PAIR);
        w.mechanism(m).attrs(public).attrs(private);
        let resp = call(w)?;
        let mut r = Reader::new(&resp);
        Ok((r.attrs()?, r.attrs()?))
    }
    /// No moved mechanism names other keys in its parameter: `_keys` is
    /// not consulted.
    fn derive(
        &self,
        m: &CkMechanism,
        base: &Object,
        len: Option<usize>,
        _keys: &dyn KeyLookup,
    ) -> CkResult<Zeroizing<Vec<u8>>> {
        let mut w = with_key(op::DERIVE, m, base);
        w.bool(len.is_some()).ulong(len.unwrap_or(0) as CK_ULONG);
        Ok(Zeroizing::new(Reader::new(&call(w)?).vec()?))
    }
    fn encapsulate(
        &self,
        m: &CkMechanism,
        key: &Object,
    ) -> CkResult<(Vec<u8>, Zeroizing<Vec<u8>>)> {
        let resp = call(with_key(op::ENCAPSULATE, m, key))?;
        let mut r = Reader::new(&resp);
        Ok((r.vec()?, Zeroizing::new(r.vec()?)))
    }
    fn decapsulate(
        &self,
        m: &CkMechanism,
        key: &Object,
        ciphertext: &[u8],
    ) -> CkResult<Zeroizing<Vec<u8>>> {
        let mut w = with_key(op::DECAPSULATE, m, key);
        w.bytes(ciphertext);
        Ok(Zeroizing::new(Reader::new(&call(w)?).vec()?))
    }
}

/// What an operation in progress sends at its end: the mechanism, the key
/// and the input buffered since the init.
#[derive(Clone)]
struct Pending {
    /// The mechanism and the key's attributes, encoded once at the init.
    head: Zeroizing<Vec<u8>>,
    /// The caller's data (not secret to the token: not wiped).
    input: Vec<u8>,
    multi_part: bool,
}

impl Pending {
    fn new(m: &CkMechanism, key: &Object, multi_part: bool) -> Self {
        let mut w = Writer::default();
        w.mechanism(m).key(&key.attrs);
        Pending {
            head: Zeroizing::new(w.frame().to_vec()),
            input: Vec::new(),
            multi_part,
        }
    }
    /// C_*Update: what the mechanism would say to a multi-part call it
    /// does not support, else the data is kept for the end.
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        if !self.multi_part {
            return Err(CKR_FUNCTION_NOT_SUPPORTED);
        }
        self.input.extend_from_slice(data);
        Ok(())
    }
    /// A *_RUN request: `head` (fields of the op), then the mechanism,
    /// key, mode, `tail` (more fields) and last `data` (one-shot) or the
    /// buffered input (final).
    fn request(
        &mut self,
        op: u8,
        head: &[bool],
        mode: u8,
        tail: &[u8],
        data: Option<&[u8]>,
    ) -> Writer {
        let mut w = Writer::new(op);
        for b in head {
            w.bool(*b);
        }
        w.raw(&self.head).u8(mode).bytes(tail);
        match data {
            Some(d) if mode == ONE_SHOT_KEY => w.bytes(d),
            Some(d) => w.data(d),
            None => w.data(&self.input),
        };
        self.input = Vec::new();
        w
    }
}

#[derive(Clone)]
struct RemoteCipher {
    encrypt: bool,
    call: Pending,
    /// Output length minus input length at the end (+16 for an AEAD's
    /// encryption, -16 for its decryption).
    delta: i64,
    /// Whether C_*Update gives output as it goes (else all comes at the end).
    streams: bool,
    /// Output already given by updates.
    emitted: usize,
}

impl RemoteCipher {
    fn init(encrypt: bool, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn CipherOp>> {
        let mut w = Writer::new(op::CIPHER_INIT);
        w.bool(encrypt).mechanism(m).key(&key.attrs);
        let resp = probe(w)?;
        let mut r = Reader::new(&resp);
        let delta = r.ulong()? as i64;
        let multi_part = r.bool()?;
        let streams = r.bool()?;
        Ok(Box::new(RemoteCipher {
            encrypt,
            call: Pending::new(m, key, multi_part),
            delta,
            streams,
            emitted: 0,
        }))
    }
    fn run(&mut self, mode: u8, data: Option<&[u8]>) -> CkResult<Vec<u8>> {
        // What the updates already gave (streaming ciphers).
        let skip = (self.emitted as CK_ULONG).to_le_bytes();
        let w = self
            .call
            .request(op::CIPHER_RUN, &[self.encrypt], mode, &skip, data);
        Reader::new(&call(w)?).vec()
    }
}

impl CipherOp for RemoteCipher {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.run(ONE_SHOT, Some(input))
    }
    fn one_shot_key(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.run(ONE_SHOT_KEY, Some(input))
    }
    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        if !self.streams {
            self.call.update(input)?;
            return Ok(Vec::new());
        }
        let mut w = Writer::new(op::CIPHER_UPDATE);
        w.bool(self.encrypt)
            .raw(&self.call.head)
            .data(&self.call.input)
            .data(input);
        let out = Reader::new(&call(w)?).vec()?;
        self.call.update(input)?;
        self.emitted += out.len();
        Ok(out)
    }
    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        self.run(MULTI_PART, None)
    }
    fn output_bound(&self, input_len: usize, last: bool) -> usize {
        if !last {
            return if self.streams { input_len } else { 0 };
        }
        let total = self.call.input.len().saturating_add(input_len) as i64;
        let end = total.saturating_add(self.delta) - self.emitted as i64;
        end.max(0) as usize
    }
    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

struct RemoteSign {
    call: Pending,
    signature_len: usize,
}

impl SignOp for RemoteSign {
    fn one_shot(&mut self, data: &[u8]) -> CkResult<Vec<u8>> {
        let w = self
            .call
            .request(op::SIGN_RUN, &[], ONE_SHOT, &[], Some(data));
        Reader::new(&call(w)?).vec()
    }
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.call.update(data)
    }
    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        let w = self.call.request(op::SIGN_RUN, &[], MULTI_PART, &[], None);
        Reader::new(&call(w)?).vec()
    }
    fn signature_len(&self) -> usize {
        self.signature_len
    }
}

struct RemoteVerify(Pending);

impl RemoteVerify {
    fn run(&mut self, mode: u8, data: Option<&[u8]>, signature: &[u8]) -> CkResult<()> {
        let w = self.0.request(op::VERIFY_RUN, &[], mode, signature, data);
        call(w).map(|_| ())
    }
}

impl VerifyOp for RemoteVerify {
    fn one_shot(&mut self, data: &[u8], signature: &[u8]) -> CkResult<()> {
        self.run(ONE_SHOT, Some(data), signature)
    }
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.0.update(data)
    }
    fn finalize(&mut self, signature: &[u8]) -> CkResult<()> {
        self.run(MULTI_PART, None, signature)
    }
}

// ---------------------------------------------------------------------------
// Key type hooks of the moved key types (`moved::KEY_TYPES`).

/// KeyTypeDef::complete of key type `CKK`.
pub fn complete<const CKK: CK_ULONG>(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
    complete_of(CKK, class, attrs)
}

/// KeyTypeDef::export_private of key type `CKK`.
pub fn export_private<const CKK: CK_ULONG>(key: &Object) -> CkResult<Zeroizing<Vec<u8>>> {
    export_of(CKK, key)
}

/// KeyTypeDef::import_private of key type `CKK`.
pub fn import_private<const CKK: CK_ULONG>(der: &[u8]) -> CkResult<Vec<Attribute>> {
    import_of(CKK, der)
}

#[inline(never)]
fn complete_of(ckk: CK_ULONG, class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
    let mut w = Writer::new(op::KEY_COMPLETE);
    w.ulong(ckk).ulong(class).map(attrs);
    *attrs = Reader::new(&call(w)?).map()?;
    Ok(())
}

#[inline(never)]
fn export_of(ckk: CK_ULONG, key: &Object) -> CkResult<Zeroizing<Vec<u8>>> {
    let mut w = Writer::new(op::KEY_EXPORT);
    w.ulong(ckk).map(&key.attrs);
    Ok(Zeroizing::new(Reader::new(&call(w)?).vec()?))
}

#[inline(never)]
fn import_of(ckk: CK_ULONG, der: &[u8]) -> CkResult<Vec<Attribute>> {
    let mut w = Writer::new(op::KEY_IMPORT);
    w.ulong(ckk).bytes(der);
    Reader::new(&call(w)?).attrs()
}

/// X25519 for CKM_ECDH1_DERIVE on a CKK_EC_MONTGOMERY key (`ec::ecdh`):
/// in the extra module in the core build.
pub(crate) fn x25519_shared(base: &Object, peer: &[u8]) -> CkResult<Zeroizing<Vec<u8>>> {
    if cfg!(feature = "split-core") {
        let mut w = Writer::new(op::X25519_SHARED);
        w.key(&base.attrs).bytes(peer);
        Ok(Zeroizing::new(Reader::new(&call(w)?).vec()?))
    } else {
        super::montgomery::x25519_shared(base, peer)
    }
}
