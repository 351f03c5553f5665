//! GF(2^255 - 19), shared by Curve25519 (the X25519 ladder, `montgomery`)
//! and edwards25519 (Ed25519 verification, `edwards`): one field element
//! at a time (`field`), two at a time on wasm SIMD (`field_pair`, with
//! `pair_scalar` as its stand-in on other targets), and inversion
//! (`invert`).
pub(crate) mod field;
#[cfg(target_arch = "wasm32")]
pub(crate) mod field_pair;
pub(crate) mod invert;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod pair_scalar;

/// Two field elements in one value: wasm SIMD lanes, or a pair of
/// `field::Fe` elsewhere (same operations, same results).
#[cfg(target_arch = "wasm32")]
pub(crate) use field_pair::{Fe2, Fe2x2};
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use pair_scalar::{Fe2, Fe2x2};
