//! The extra wasm module's entry points (feature `extra-module`): a
//! request from the core's proxies in, the response out (`mech::proxy`).
//! The facade (pkg-templates/src/extra.js) copies the request frame from
//! the core's memory into the buffer `extra_request` gives, calls
//! `extra_serve`, copies the response frame from `extra_response` into
//! the core's memory and calls `extra_release`. Both buffers are reused
//! (each grows to the largest message, no more); their secret prefixes
//! (`codec`: key material, templates) are wiped right after use, the
//! caller's bulk data is not.
use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use crate::mech::proxy::codec::{Writer, secret_len};

thread_local! {
    static REQUEST: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static RESPONSE: RefCell<Option<Writer>> = const { RefCell::new(None) };
}

/// Makes the request buffer `len` bytes long; returns where it starts.
#[wasm_bindgen]
pub fn extra_request(len: usize) -> usize {
    REQUEST.with_borrow_mut(|r| {
        r.resize(len, 0);
        r.as_mut_ptr() as usize
    })
}

/// Answers the request in the buffer, wipes its secret prefix; returns the
/// response's length (its bytes: `extra_response`).
#[wasm_bindgen]
pub fn extra_serve() -> usize {
    let mut response = REQUEST.with_borrow_mut(|r| {
        let response = crate::mech::proxy::extra::serve(r);
        let n = secret_len(r);
        r[..n].zeroize();
        response
    });
    let len = response.frame().len();
    RESPONSE.with_borrow_mut(|slot| *slot = Some(response));
    len
}

/// Where the last response starts.
#[wasm_bindgen]
pub fn extra_response() -> usize {
    RESPONSE.with_borrow_mut(|slot| match slot {
        Some(w) => w.frame().as_ptr() as usize,
        None => 0,
    })
}

/// Wipes the last response's secret prefix (the buffer is kept for reuse).
#[wasm_bindgen]
pub fn extra_release() {
    RESPONSE.with_borrow_mut(|slot| drop(slot.take()));
}
