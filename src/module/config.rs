//! Reading and checking the configuration (`Config`) the facade passes in
//! as JSON-shaped values, and the cost of the PIN KDF per token.
//!
//! PBKDF2 iterations (`kdfIterations`, module-wide or per slot):
//! - a token that is stored (a directory, IndexedDB, a named memory
//!   store: `SlotConfig::persistent`) defaults to 600,000 (OWASP's figure
//!   for PBKDF2-HMAC-SHA256) and refuses fewer than 100,000: a copy of its
//!   store can be attacked offline at the cost of one KDF run per guess;
//! - a token that is not stored (`"memory"`) defaults to 1,000: its PIN
//!   blobs never leave the process, so the KDF guards nothing a guess at
//!   the API (counted and locked out) does not, and C_InitToken, C_InitPIN
//!   and C_Login cost well under a millisecond, as with SoftHSM;
//! - `"insecure-test"` asks for 1,000 iterations on any token, stored ones
//!   included: for test suites, never for real PINs;
//! - more than 10,000,000 (about 4 s per login in wasm) is refused, and so
//!   is 0.
use serde::de::{self, Deserializer, Visitor};

use super::{Config, SlotConfig};

/// The fewest iterations a stored token accepts (other than through
/// "insecure-test").
pub const MIN_STORED_KDF_ITERATIONS: u32 = 100_000;
/// The most iterations accepted for new PIN blobs.
pub const MAX_KDF_ITERATIONS: u32 = 10_000_000;
/// The default for a stored token.
pub const STORED_KDF_ITERATIONS: u32 = 600_000;
/// The default for a token that is not stored.
pub const MEMORY_KDF_ITERATIONS: u32 = 1_000;
/// What "insecure-test" means.
pub const INSECURE_TEST_KDF_ITERATIONS: u32 = 1_000;
/// The name of the low-cost setting for tests.
pub const INSECURE_TEST: &str = "insecure-test";

/// The PBKDF2 iterations of the token in slot `c` under module `config`:
/// the slot's own setting, else the module's (0: none), else the default
/// of the slot's storage.
pub fn iterations(config: &Config, c: &SlotConfig) -> u32 {
    c.kdf_iterations
        .or((config.kdf_iterations != 0).then_some(config.kdf_iterations))
        .unwrap_or(if c.persistent {
            STORED_KDF_ITERATIONS
        } else {
            MEMORY_KDF_ITERATIONS
        })
}

/// A `kdfIterations` value as written: a count or the test setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KdfSetting {
    Iterations(u32),
    InsecureTest,
}

impl KdfSetting {
    fn count(self) -> u32 {
        match self {
            KdfSetting::Iterations(n) => n,
            KdfSetting::InsecureTest => INSECURE_TEST_KDF_ITERATIONS,
        }
    }
}

impl<'de> serde::Deserialize<'de> for KdfSetting {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KdfSetting;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(
                    f,
                    "a whole number of iterations from 1 to {MAX_KDF_ITERATIONS}, or \"{INSECURE_TEST}\""
                )
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KdfSetting, E> {
                match u32::try_from(v) {
                    Ok(n) if (1..=MAX_KDF_ITERATIONS).contains(&n) => Ok(KdfSetting::Iterations(n)),
                    _ => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KdfSetting, E> {
                match u64::try_from(v) {
                    Ok(u) => self.visit_u64(u),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<KdfSetting, E> {
                // JavaScript numbers arrive as f64.
                if v.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(&v) {
                    self.visit_u64(v as u64)
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(v), &self))
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KdfSetting, E> {
                if v == INSECURE_TEST {
                    Ok(KdfSetting::InsecureTest)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// `Config` as written, before the cross-field checks.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RawConfig {
    kdf_iterations: Option<KdfSetting>,
    min_pin_len: Option<u32>,
    max_pin_len: Option<u32>,
    max_pin_tries: Option<u32>,
    tombstone_writes: Option<u32>,
    slots: Option<Vec<RawSlot>>,
}

/// `SlotConfig` as written.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RawSlot {
    persistent: bool,
    kdf_iterations: Option<KdfSetting>,
    min_pin_len: Option<u32>,
    max_pin_len: Option<u32>,
    max_pin_tries: Option<u32>,
    tombstone_writes: Option<u32>,
}

impl TryFrom<RawConfig> for Config {
    type Error = String;

    /// Checks the KDF cost of every slot against its storage (see the
    /// module comment); the message names the setting at fault.
    fn try_from(raw: RawConfig) -> Result<Config, String> {
        let check = |setting: Option<KdfSetting>, persistent: bool, what: &str| match setting {
            Some(KdfSetting::Iterations(n)) if persistent && n < MIN_STORED_KDF_ITERATIONS => {
                Err(format!(
                    "{what} {n} is below {MIN_STORED_KDF_ITERATIONS}, the least for a token that is \
                     stored (\"{INSECURE_TEST}\" lowers it for test tokens)"
                ))
            }
            _ => Ok(()),
        };
        let defaults = Config::default();
        let slots = match raw.slots {
            None => {
                // The implicit slots are in memory.
                check(raw.kdf_iterations, false, "kdfIterations")?;
                None
            }
            Some(slots) => Some(
                slots
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        match s.kdf_iterations {
                            Some(_) => check(
                                s.kdf_iterations,
                                s.persistent,
                                &format!("slots[{i}].kdfIterations"),
                            )?,
                            None => check(
                                raw.kdf_iterations,
                                s.persistent,
                                &format!("kdfIterations (for slots[{i}])"),
                            )?,
                        }
                        Ok(SlotConfig {
                            persistent: s.persistent,
                            kdf_iterations: s.kdf_iterations.map(KdfSetting::count),
                            min_pin_len: s.min_pin_len,
                            max_pin_len: s.max_pin_len,
                            max_pin_tries: s.max_pin_tries,
                            tombstone_writes: s.tombstone_writes,
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?,
            ),
        };
        Ok(Config {
            kdf_iterations: raw.kdf_iterations.map_or(0, KdfSetting::count),
            min_pin_len: raw.min_pin_len.unwrap_or(defaults.min_pin_len),
            max_pin_len: raw.max_pin_len.unwrap_or(defaults.max_pin_len),
            max_pin_tries: raw.max_pin_tries.unwrap_or(defaults.max_pin_tries),
            tombstone_writes: raw.tombstone_writes.unwrap_or(defaults.tombstone_writes),
            slots,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde::de::value::MapDeserializer;

    /// Parses a configuration from JSON text, as the facade's objects.
    fn parse(json: &str) -> Result<Config, String> {
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        Config::deserialize(value).map_err(|e| e.to_string())
    }

    fn slot_iterations(c: &Config, i: usize) -> u32 {
        let slots = c.slots.clone().unwrap_or_default();
        iterations(c, slots.get(i).unwrap_or(&SlotConfig::default()))
    }

    #[test]
    fn defaults_follow_the_storage() {
        let c = parse(r#"{"slots":[{"persistent":true},{"persistent":false}]}"#).unwrap();
        assert_eq!(slot_iterations(&c, 0), STORED_KDF_ITERATIONS);
        assert_eq!(slot_iterations(&c, 1), MEMORY_KDF_ITERATIONS);
        let c = parse("{}").unwrap();
        assert_eq!(slot_iterations(&c, 0), MEMORY_KDF_ITERATIONS);
        assert_eq!(c, Config::default());
    }

    #[test]
    fn stored_tokens_have_a_floor() {
        for bad in [
            r#"{"kdfIterations":1000,"slots":[{"persistent":true}]}"#,
            r#"{"slots":[{"persistent":true,"kdfIterations":99999}]}"#,
            r#"{"kdfIterations":600000,"slots":[{"persistent":true,"kdfIterations":1}]}"#,
        ] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains("below 100000"), "{bad}: {e}");
            assert!(e.contains("insecure-test"), "{e}");
        }
        // Memory tokens may go lower; stored ones at the floor or above.
        let c = parse(r#"{"kdfIterations":1,"slots":[{"persistent":false}]}"#).unwrap();
        assert_eq!(slot_iterations(&c, 0), 1);
        let c = parse(
            r#"{"kdfIterations":1000,"slots":[{"persistent":true,"kdfIterations":100000},{}]}"#,
        )
        .unwrap();
        assert_eq!(
            (slot_iterations(&c, 0), slot_iterations(&c, 1)),
            (100_000, 1000)
        );
    }

    #[test]
    fn insecure_test_is_named_and_works_anywhere() {
        let c =
            parse(r#"{"kdfIterations":"insecure-test","slots":[{"persistent":true}]}"#).unwrap();
        assert_eq!(slot_iterations(&c, 0), INSECURE_TEST_KDF_ITERATIONS);
        let c =
            parse(r#"{"slots":[{"persistent":true,"kdfIterations":"insecure-test"}]}"#).unwrap();
        assert_eq!(slot_iterations(&c, 0), INSECURE_TEST_KDF_ITERATIONS);
        assert!(parse(r#"{"kdfIterations":"insecure"}"#).is_err());
    }

    #[test]
    fn zero_fractions_and_huge_counts_are_refused() {
        for bad in ["0", "-1", "1.5", "10000001", "4294967296", "true"] {
            let e = parse(&format!(r#"{{"kdfIterations":{bad}}}"#));
            assert!(e.is_err(), "{bad} accepted");
        }
        assert!(parse(r#"{"kdfIterations":10000000}"#).is_ok());
        assert!(parse(r#"{"unknown":1}"#).is_err());
        assert!(parse(r#"{"slots":[{"storage":"memory"}]}"#).is_err());
    }

    /// The wasm shell hands the keys over one by one.
    #[test]
    fn map_form() {
        let entries = vec![
            ("kdfIterations", serde_json::json!(5000)),
            ("maxPinTries", serde_json::json!(3)),
        ];
        let map = MapDeserializer::<_, serde_json::Error>::new(entries.into_iter());
        let c = Config::deserialize(map).unwrap();
        assert_eq!((c.kdf_iterations, c.max_pin_tries), (5000, 3));
    }
}
