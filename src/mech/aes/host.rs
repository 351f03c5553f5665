//! Bulk AES by the host's own AES, when the shell installs one: in Node,
//! OpenSSL through `node:crypto` (AES-NI or the CPU's equivalent), which
//! is 5-15x faster than any AES wasm SIMD can express (issue 15 item 4).
//!
//! The token stays in charge: every check of C_EncryptInit/C_DecryptInit
//! (key class, usage flags, parameters) and of the call (lengths, GCM
//! limits, padding, which is stripped here in constant time) runs as
//! before; the host is only asked for the raw mode over whole blocks, or
//! for one whole GCM seal/open. It sees the key bytes for that call only,
//! as a view of wasm memory (never a copy in the JavaScript heap). Small
//! inputs stay in wasm, where a call to the host would cost more than the
//! AES (`min_len`). Whatever the host cannot do (it answers `None`, and
//! leaves the data untouched) falls back to the wasm AES.
use std::cell::RefCell;

/// What the host is asked to do, in place on `data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostOp {
    /// ECB over whole blocks, no padding.
    EcbEncrypt,
    EcbDecrypt,
    /// CBC over whole blocks from `iv`, no padding.
    CbcEncrypt,
    CbcDecrypt,
    /// GCM with `iv` and `aad`: `data` is encrypted and `tag` (4-16 bytes)
    /// written.
    GcmSeal,
    /// GCM: `data` is decrypted only if `tag` checks.
    GcmOpen,
}

/// One request to the host: `op` in place on `data` under `key`, with `iv`
/// (CBC, GCM), `aad` and `tag` (GCM; empty otherwise).
pub struct HostCall<'a> {
    pub op: HostOp,
    pub key: &'a [u8],
    pub iv: &'a [u8],
    pub aad: &'a [u8],
    pub data: &'a mut [u8],
    pub tag: &'a mut [u8],
}

/// An AES the host provides (see the module comment).
pub trait HostAes {
    /// Runs `call`: `Some(true)` when done, `Some(false)` when a GcmOpen
    /// tag does not check (data untouched), `None` when the host could not
    /// (data untouched). Must not call back into the module.
    fn run(&self, call: HostCall) -> Option<bool>;
}

struct Installed {
    host: Box<dyn HostAes>,
    min_len: usize,
}

thread_local! {
    // One per thread: the wasm module has one, and native tests install
    // theirs per test thread.
    static HOST: RefCell<Option<Installed>> = const { RefCell::new(None) };
}

/// Installs `host` for inputs of at least `min_len` bytes, or removes the
/// one installed (`None`).
pub fn install(host: Option<Box<dyn HostAes>>, min_len: usize) {
    let installed = host.map(|host| Installed { host, min_len });
    HOST.with(|h| {
        if let Ok(mut h) = h.try_borrow_mut() {
            *h = installed;
        }
    });
}

/// Whether a host AES is installed.
pub fn installed() -> bool {
    HOST.with(|h| h.try_borrow().is_ok_and(|h| h.is_some()))
}

/// Whether an installed host takes inputs of `len` bytes (lets a caller
/// skip work made only for the host).
pub(super) fn takes(len: usize) -> bool {
    HOST.with(|h| {
        h.try_borrow()
            .is_ok_and(|h| h.as_ref().is_some_and(|i| len >= i.min_len))
    })
}

/// Runs `call` on the installed host if there is one and its data is long
/// enough; `None` otherwise (the caller then runs the wasm AES).
pub(super) fn run(call: HostCall) -> Option<bool> {
    HOST.with(|h| {
        let h = h.try_borrow().ok()?;
        let installed = h.as_ref()?;
        if call.data.len() < installed.min_len {
            return None;
        }
        let op = call.op;
        let done = installed.host.run(call)?;
        // Only GcmOpen may refuse; anything else is a host fault.
        (done || op == HostOp::GcmOpen).then_some(done)
    })
}
