//! The core's way to the extra module (feature `split-core`): the JS
//! facade gives two functions (pkg-templates/src/extra.js): `call` takes a
//! view of the request frame in this module's memory, copies it into the
//! extra module's memory, runs it there and returns a view of the
//! response frame in the extra module's memory (undefined when the extra
//! module is not loaded: the facade then says so); `release` wipes the
//! secret prefix of that response once it is copied here. No JS array
//! holds a copy: the bytes go from one memory to the other.
use std::cell::RefCell;

use js_sys::{Function, Uint8Array};
use wasm_bindgen::prelude::*;

thread_local! {
    static HOOK: RefCell<Option<(Function, Function)>> = const { RefCell::new(None) };
}

/// Called once by the facade after instantiating the core.
#[wasm_bindgen]
pub fn set_extra_hook(call: Function, release: Function) {
    HOOK.with(|h| *h.borrow_mut() = Some((call, release)));
    crate::mech::proxy::set_transport(Some(transport));
}

fn transport(request: &[u8], response: &mut Vec<u8>) -> Option<()> {
    let (call, release) = HOOK.with(|h| h.borrow().clone())?;
    // SAFETY: the view is used only during the hook, which allocates
    // nothing in this module's memory (so it cannot grow and detach it).
    let view = unsafe { Uint8Array::view(request) };
    let result = call.call1(&JsValue::NULL, &view);
    let output = result.ok()?.dyn_into::<Uint8Array>().ok();
    if let Some(output) = &output {
        let n = output.length() as usize;
        response.clear();
        response.reserve(n);
        // SAFETY: `reserve` made room for `n` bytes, which the copy fills.
        unsafe {
            output.raw_copy_to_ptr(response.as_mut_ptr());
            response.set_len(n);
        }
    }
    // The response's secret prefix in the extra module's memory.
    let _ = release.call0(&JsValue::NULL);
    output.map(|_| ())
}
