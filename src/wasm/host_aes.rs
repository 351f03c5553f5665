//! The host AES for `mech::aes::host`: an object of the facade's with a
//! `run(op, key, iv, aad, data, tag)` method (in Node, OpenSSL through
//! `node:crypto`). Slices cross as views of wasm memory, so the key is
//! never copied into the JavaScript heap; the method writes its output
//! into `data` (and `tag`) and answers 1 (done), 2 (GCM tag mismatch) or
//! 0 (not done). A throw counts as 0.
use wasm_bindgen::prelude::*;

use crate::mech::aes::host::{self, HostAes, HostCall, HostOp};

#[wasm_bindgen]
extern "C" {
    pub type JsHostAes;

    #[wasm_bindgen(method, catch, js_name = run)]
    fn run_js(
        this: &JsHostAes,
        op: u32,
        key: &[u8],
        iv: &[u8],
        aad: &[u8],
        data: &mut [u8],
        tag: &mut [u8],
    ) -> Result<u32, JsValue>;
}

struct Host(JsHostAes);

impl HostAes for Host {
    fn run(&self, call: HostCall) -> Option<bool> {
        // The numbers the facade's `run` switches on (node-host-aes.js).
        let code = match call.op {
            HostOp::EcbEncrypt => 0,
            HostOp::EcbDecrypt => 1,
            HostOp::CbcEncrypt => 2,
            HostOp::CbcDecrypt => 3,
            HostOp::GcmSeal => 4,
            HostOp::GcmOpen => 5,
        };
        match self
            .0
            .run_js(code, call.key, call.iv, call.aad, call.data, call.tag)
        {
            Ok(1) => Some(true),
            Ok(2) => Some(false),
            _ => None,
        }
    }
}

/// Installs `host` for inputs of `min_len` bytes or more; null or
/// undefined removes the one installed.
#[wasm_bindgen]
pub fn set_host_aes(host: JsValue, min_len: u32) {
    let host = (!host.is_null() && !host.is_undefined())
        .then(|| Box::new(Host(host.unchecked_into())) as Box<dyn HostAes>);
    host::install(host, min_len as usize);
}

/// Whether a host AES is installed.
#[wasm_bindgen]
pub fn has_host_aes() -> bool {
    host::installed()
}
