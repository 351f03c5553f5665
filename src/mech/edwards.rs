//! Placeholder: filled by its family implementation.
use super::Registry;

pub fn register(_r: &mut Registry) {}
