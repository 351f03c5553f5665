//! The core's way to the extra module (feature `split-core`): the JS
//! facade gives a function (pkg-templates/src/extra.js) that takes a
//! request and returns the response, or undefined when the extra module
//! is not loaded (the facade then says so). Both JS copies are wiped here
//! right after the call: they may hold key material.
use std::cell::RefCell;

use js_sys::{Function, Uint8Array};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

thread_local! {
    static HOOK: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Called once by the facade after instantiating the core.
#[wasm_bindgen]
pub fn set_extra_hook(hook: Function) {
    HOOK.with(|h| *h.borrow_mut() = Some(hook));
    crate::mech::proxy::set_transport(Some(transport));
}

fn transport(request: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let hook = HOOK.with(|h| h.borrow().clone())?;
    let input = Uint8Array::from(request);
    let result = hook.call1(&JsValue::NULL, &input);
    input.fill(0, 0, input.length());
    let output = result.ok()?.dyn_into::<Uint8Array>().ok()?;
    let mut response = Zeroizing::new(vec![0u8; output.length() as usize]);
    output.copy_to(&mut response);
    output.fill(0, 0, output.length());
    Some(response)
}
