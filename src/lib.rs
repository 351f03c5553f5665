//! pkcs11-wasm: a PKCS#11 (Cryptoki) software token.
//!
//! The core engine (everything but `wasm`) is plain Rust: it builds and is
//! tested natively. [`module::Module`] owns the slots and implements the
//! C_* functions, grouped by the chapters of PKCS#11 3.1 section 5.
#![allow(non_camel_case_types)]
// The split wasm builds leave some families' code unreferenced (the
// linker drops it): no warnings for that there.
#![cfg_attr(
    any(feature = "split-core", feature = "extra-module"),
    allow(dead_code, unused_imports)
)]

/// `CK_ULONG` as pkcs11js sees it on 64-bit platforms (8 bytes).
pub type CK_ULONG = u64;

pub mod attr;
pub mod constants;
pub mod mech;
pub mod module;
pub mod object;
pub mod rv;
pub mod session;
pub mod store;
pub mod token;

// The extra wasm module (feature `extra-module`) exports only its entry
// point (`wasm_extra`): the engine and the shell stay out of it.
#[cfg(all(target_arch = "wasm32", not(feature = "extra-module")))]
mod wasm;
#[cfg(all(target_arch = "wasm32", feature = "extra-module"))]
mod wasm_extra;

pub use module::Module;
pub use rv::{CkResult, Rv};
