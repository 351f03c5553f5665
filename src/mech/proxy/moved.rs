//! What the core build registers for the families it leaves to the extra
//! module: their C_GetMechanismList / C_GetMechanismInfo entries and their
//! key types' attribute rules (the policy engine applies those before any
//! key reaches a mechanism), with `Remote` and the proxy hooks as the
//! implementation. The full build registers the same mechanisms from the
//! families' own files; `tests.rs` checks that both registries list the
//! same mechanisms with the same info and the same key type rules.
use super::{Remote, complete, export_private, import_private};
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::{KeyTypeDef, MechInfo, Registry, chacha, ec, info, mldsa, mlkem};

/// Bits PKCS#11 reports for X25519 and Ed25519 keys (bits of the prime).
const CURVE25519_BITS: CK_ULONG = 255;
/// ML-DSA key sizes: public key bytes of ML-DSA-44 and ML-DSA-87.
const ML_DSA_SIZES: (CK_ULONG, CK_ULONG) = (1312, 2592);
/// ML-KEM key sizes: encapsulation key bytes of ML-KEM-512 and -1024.
const ML_KEM_SIZES: (CK_ULONG, CK_ULONG) = (800, 1568);

const NAMED_CURVE: CK_ULONG = CKF_EC_OID | CKF_EC_CURVENAME;

/// The moved mechanisms and their CK_MECHANISM_INFO (before
/// `message::augment` adds the message-based flags, as for any family).
pub fn mechanisms() -> [(CK_ULONG, MechInfo); 9] {
    let x = CURVE25519_BITS;
    let (dsa_min, dsa_max) = ML_DSA_SIZES;
    let (kem_min, kem_max) = ML_KEM_SIZES;
    let cipher = CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP | CKF_UNWRAP;
    [
        (CKM_CHACHA20_KEY_GEN, info(32, 32, CKF_GENERATE)),
        (CKM_CHACHA20_POLY1305, info(32, 32, cipher)),
        (
            CKM_EC_EDWARDS_KEY_PAIR_GEN,
            info(x, x, CKF_GENERATE_KEY_PAIR | NAMED_CURVE),
        ),
        (CKM_EDDSA, info(x, x, CKF_SIGN | CKF_VERIFY | NAMED_CURVE)),
        (
            CKM_EC_MONTGOMERY_KEY_PAIR_GEN,
            info(x, x, CKF_GENERATE_KEY_PAIR | NAMED_CURVE),
        ),
        (
            CKM_ML_DSA_KEY_PAIR_GEN,
            info(dsa_min, dsa_max, CKF_GENERATE_KEY_PAIR),
        ),
        (CKM_ML_DSA, info(dsa_min, dsa_max, CKF_SIGN | CKF_VERIFY)),
        (
            CKM_ML_KEM_KEY_PAIR_GEN,
            info(kem_min, kem_max, CKF_GENERATE_KEY_PAIR),
        ),
        (
            CKM_ML_KEM,
            info(kem_min, kem_max, CKF_ENCAPSULATE | CKF_DECAPSULATE),
        ),
    ]
}

/// A moved key type: the family's rules (read at compile time, which
/// links none of its code), the proxy hooks.
macro_rules! proxied {
    ($ckk:expr, $public:expr, $private:expr, $secret:expr, $wraps:expr) => {
        KeyTypeDef {
            ckk: $ckk,
            public: $public,
            private: $private,
            secret: $secret,
            complete: complete::<{ $ckk }>,
            export_private: if $wraps {
                Some(export_private::<{ $ckk }>)
            } else {
                None
            },
            import_private: if $wraps {
                Some(import_private::<{ $ckk }>)
            } else {
                None
            },
        }
    };
}

static KEY_TYPES: [KeyTypeDef; 5] = [
    proxied!(CKK_CHACHA20, &[], &[], chacha::CHACHA20_KEY.secret, false),
    proxied!(
        CKK_EC_EDWARDS,
        ec::PUBLIC_RULES,
        ec::PRIVATE_RULES,
        &[],
        true
    ),
    proxied!(
        CKK_EC_MONTGOMERY,
        ec::PUBLIC_RULES,
        ec::PRIVATE_RULES,
        &[],
        true
    ),
    proxied!(
        CKK_ML_DSA,
        mldsa::ML_DSA_KEY.public,
        mldsa::ML_DSA_KEY.private,
        &[],
        true
    ),
    proxied!(
        CKK_ML_KEM,
        mlkem::ML_KEM_KEY.public,
        mlkem::ML_KEM_KEY.private,
        &[],
        true
    ),
];

/// Registers the moved families as proxies.
pub fn register(r: &mut Registry) {
    for def in &KEY_TYPES {
        r.add_key_type(def);
    }
    for (kind, info) in mechanisms() {
        r.add(kind, info, &Remote);
    }
}

/// The families' own registration (the extra module's registry, and the
/// full build's).
pub fn register_local(r: &mut Registry) {
    chacha::register(r);
    crate::mech::edwards::register(r);
    crate::mech::montgomery::register(r);
    mldsa::register(r);
    mlkem::register(r);
}
