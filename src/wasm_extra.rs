//! The extra wasm module's one export (feature `extra-module`): a request
//! from the core's proxies in, the response out (`mech::proxy`). The
//! request is owned here and wiped after use; the response is copied into
//! a JS array and its wasm copy wiped.
use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

#[wasm_bindgen]
pub fn extra_call(request: Vec<u8>) -> Uint8Array {
    let request = Zeroizing::new(request);
    let response = crate::mech::proxy::extra::serve(&request);
    Uint8Array::from(&response[..])
}
