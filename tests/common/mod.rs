//! Harness shared by the Wycheproof integration tests (`mod common;` in
//! each). Every test binary uses a subset, hence the `dead_code` allows.
#![allow(dead_code)]

use std::collections::BTreeMap;

use pkcs11_wasm::attr::policy::AttrMap;
use pkcs11_wasm::constants::*;
use pkcs11_wasm::mech::registry;
use pkcs11_wasm::object::Object;
use pkcs11_wasm::{CK_ULONG, CkResult};
use zeroize::Zeroizing;

/// A key object as C_CreateObject would leave it: the key type's
/// `complete` hook validates and normalises the attributes.
pub fn key_object(
    class: CK_ULONG,
    key_type: CK_ULONG,
    attrs: &[(CK_ULONG, &[u8])],
) -> CkResult<Object> {
    let mut map = AttrMap::new();
    map.insert(CKA_CLASS, Zeroizing::new(class.to_le_bytes().to_vec()));
    map.insert(
        CKA_KEY_TYPE,
        Zeroizing::new(key_type.to_le_bytes().to_vec()),
    );
    for (kind, value) in attrs {
        map.insert(*kind, Zeroizing::new(value.to_vec()));
    }
    let def = registry().key_type(key_type).expect("key type registered");
    (def.complete)(class, &mut map)?;
    Ok(Object::new(map))
}

/// Per-file counts: every vector is counted (checked or skipped with a
/// reason); `report` returns the number of failures for the caller to
/// assert on.
#[derive(Default)]
pub struct Tally {
    file: String,
    total: usize,
    passed: usize,
    failed: Vec<String>,
    skipped: BTreeMap<&'static str, usize>,
}

impl Tally {
    pub fn new(file: impl Into<String>) -> Self {
        Tally {
            file: file.into(),
            ..Default::default()
        }
    }
    pub fn check(&mut self, tc_id: usize, ok: bool, what: impl FnOnce() -> String) {
        self.total += 1;
        if ok {
            self.passed += 1;
        } else {
            self.failed.push(format!("tc {tc_id}: {}", what()));
        }
    }
    pub fn skip(&mut self, reason: &'static str) {
        self.total += 1;
        *self.skipped.entry(reason).or_default() += 1;
    }
    pub fn report(&self, expected_total: usize) -> usize {
        let skipped: usize = self.skipped.values().sum();
        println!(
            "{}: {} vectors, {} passed, {} failed, {} skipped",
            self.file,
            self.total,
            self.passed,
            self.failed.len(),
            skipped
        );
        for (reason, n) in &self.skipped {
            println!("    skipped {n}: {reason}");
        }
        for f in self.failed.iter().take(20) {
            println!("    FAILED {f}");
        }
        assert_eq!(
            self.total, expected_total,
            "{}: every vector is counted",
            self.file
        );
        self.failed.len()
    }
}

/// Per-file tally whose `report` itself asserts zero failures; skips
/// carry their reason, and `extra` records checks derived from the
/// vectors (not counted as vectors; printed only when present).
#[derive(Default)]
pub struct StrictTally {
    passed: usize,
    failed: Vec<String>,
    skipped: BTreeMap<String, usize>,
    extra: BTreeMap<String, usize>,
}

impl StrictTally {
    pub fn check(&mut self, id: usize, ok: bool, what: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failed.push(format!("tcId {id}: {}", what()));
        }
    }

    pub fn skip(&mut self, reason: String) {
        *self.skipped.entry(reason).or_default() += 1;
    }

    pub fn extra(&mut self, id: usize, what: &str, ok: bool) {
        if ok {
            *self.extra.entry(what.to_string()).or_default() += 1;
        } else {
            self.failed.push(format!("tcId {id}: {what} failed"));
        }
    }

    pub fn report(self, file: &str, total: usize) {
        let skipped: usize = self.skipped.values().sum();
        println!(
            "{file}: {total} vectors, {} passed, {} failed, {skipped} skipped",
            self.passed,
            self.failed.len()
        );
        for (reason, n) in &self.skipped {
            println!("  skipped {n}: {reason}");
        }
        for (what, n) in &self.extra {
            println!("  also checked {n}: {what}");
        }
        for f in &self.failed {
            println!("  FAILED {f}");
        }
        assert!(
            self.failed.is_empty(),
            "{file}: {} failures",
            self.failed.len()
        );
        assert_eq!(
            self.passed + skipped,
            total,
            "{file}: every vector accounted for"
        );
        assert!(self.passed > 0);
    }
}

/// Pass/fail/skip counts printed per file (failures printed as they
/// happen); the caller asserts on `fail`.
#[derive(Default)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub skip: BTreeMap<&'static str, usize>,
}

impl Counts {
    /// Skips `n` vectors for `reason`.
    pub fn skip(&mut self, reason: &'static str, n: usize) {
        *self.skip.entry(reason).or_default() += n;
    }
    pub fn check(&mut self, file: &str, tc: usize, ok: bool, what: impl FnOnce() -> String) {
        if ok {
            self.pass += 1;
        } else {
            self.fail += 1;
            println!("FAIL {file} tcId {tc}: {}", what());
        }
    }
    pub fn report(&self, file: &str) {
        println!(
            "{file}: {} passed, {} failed, {} skipped {:?}",
            self.pass,
            self.fail,
            self.skip.values().sum::<usize>(),
            self.skip
        );
    }
}
