//! ML-KEM (FIPS 203) as PKCS#11 3.2 defines it (mechanisms section
//! "ML-KEM"): CKK_ML_KEM keys with CKA_PARAMETER_SET =
//! CKP_ML_KEM_512/768/1024, CKM_ML_KEM_KEY_PAIR_GEN, and CKM_ML_KEM for
//! C_EncapsulateKey / C_DecapsulateKey (ML-KEM.Encaps and ML-KEM.Decaps,
//! Algorithms 20 and 21; the engine side is `module::kem`).
//!
//! Built on RustCrypto's `ml-kem`. Private keys keep the 64-byte seed
//! d || z (CKA_SEED) when it is known and always the expanded
//! decapsulation key dk (CKA_VALUE).
#![allow(deprecated)] // ExpandedKeyEncoding: CKA_VALUE is the expanded dk.

use ml_kem::{B32, Decapsulate, ExpandedKeyEncoding, KeyExport, Seed};
use zeroize::{Zeroize, Zeroizing};

use crate::CK_ULONG;
use crate::attr::policy::{AttrMap, Default as D, Kind as K, Rule, flag::*};
use crate::attr::{Attribute, find_ulong};
use crate::constants::*;
use crate::mech::mldsa::pqkey::{self, PrivateForm};
use crate::mech::{
    CkMechanism, Generated, KeyTypeDef, Mechanism, Registry, check_key, info, random_bytes,
};
use crate::object::Object;
use crate::rv::CkResult;

#[cfg(test)]
mod tests;

/// An ML-KEM parameter set (FIPS 203 section 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Set {
    MlKem512,
    MlKem768,
    MlKem1024,
}

/// Runs `$body` with `$m` naming the crate's module of the set
/// (`ml_kem_512`, ...), whose types are then `$m::DecapsulationKey` etc.
macro_rules! with_set {
    ($set:expr, $m:ident => $body:expr) => {
        match $set {
            Set::MlKem512 => {
                use ml_kem::ml_kem_512 as $m;
                $body
            }
            Set::MlKem768 => {
                use ml_kem::ml_kem_768 as $m;
                $body
            }
            Set::MlKem1024 => {
                use ml_kem::ml_kem_1024 as $m;
                $body
            }
        }
    };
}

impl Set {
    pub const ALL: [Set; 3] = [Set::MlKem512, Set::MlKem768, Set::MlKem1024];

    /// The set named by CKA_PARAMETER_SET.
    pub fn from_ckp(ckp: CK_ULONG) -> CkResult<Set> {
        match ckp {
            CKP_ML_KEM_512 => Ok(Set::MlKem512),
            CKP_ML_KEM_768 => Ok(Set::MlKem768),
            CKP_ML_KEM_1024 => Ok(Set::MlKem1024),
            _ => Err(CKR_PARAMETER_SET_NOT_SUPPORTED),
        }
    }

    pub fn ckp(self) -> CK_ULONG {
        match self {
            Set::MlKem512 => CKP_ML_KEM_512,
            Set::MlKem768 => CKP_ML_KEM_768,
            Set::MlKem1024 => CKP_ML_KEM_1024,
        }
    }

    /// Encapsulation key, expanded decapsulation key and ciphertext
    /// sizes in bytes (FIPS 203 section 8, Table 3).
    pub fn sizes(self) -> (usize, usize, usize) {
        match self {
            Set::MlKem512 => (800, 1632, 768),
            Set::MlKem768 => (1184, 2400, 1088),
            Set::MlKem1024 => (1568, 3168, 1568),
        }
    }

    /// id-alg-ml-kem-512/768/1024, DER with tag and length.
    pub fn oid(self) -> [u8; 11] {
        let leaf = match self {
            Set::MlKem512 => 1,
            Set::MlKem768 => 2,
            Set::MlKem1024 => 3,
        };
        pqkey::nist_oid(4, leaf)
    }

    fn from_oid(oid: &[u8]) -> Option<Set> {
        Set::ALL.into_iter().find(|s| s.oid() == oid)
    }
}

/// d || z (FIPS 203 Algorithm 19).
const SEED_LEN: usize = 64;
/// The message m of ML-KEM.Encaps and the shared secret K.
const SECRET_LEN: usize = 32;

/// ML-KEM.KeyGen_internal(d, z) (FIPS 203 Algorithm 16): (ek, dk).
pub fn keygen(set: Set, seed: &[u8]) -> CkResult<(Vec<u8>, Zeroizing<Vec<u8>>)> {
    let mut seed = Seed::try_from(seed).map_err(|_| CKR_ATTRIBUTE_VALUE_INVALID)?;
    let out = with_set!(set, m => {
        let dk = m::DecapsulationKey::from_seed(seed);
        let mut expanded = dk.to_expanded_bytes();
        let pair = (
            dk.encapsulation_key().to_bytes().to_vec(),
            Zeroizing::new(expanded.to_vec()),
        );
        expanded.zeroize();
        pair
    });
    seed.zeroize();
    Ok(out)
}

/// The encapsulation key inside an expanded decapsulation key, after the
/// checks of FIPS 203 section 7.3 (length, and H(ek) as stored); `None`
/// if they fail.
pub fn check_expanded(set: Set, dk: &[u8]) -> Option<Vec<u8>> {
    with_set!(set, m => {
        let mut bytes = m::ExpandedDecapsulationKey::try_from(dk).ok()?;
        let key = m::DecapsulationKey::from_expanded_bytes(&bytes);
        bytes.zeroize();
        key.ok().map(|k| k.encapsulation_key().to_bytes().to_vec())
    })
}

/// Whether `ek` passes the encapsulation key checks of FIPS 203 section
/// 7.2 (length and modulus check).
pub fn check_public(set: Set, ek: &[u8]) -> bool {
    with_set!(set, m => {
        ml_kem::Key::<m::EncapsulationKey>::try_from(ek)
            .ok()
            .is_some_and(|k| m::EncapsulationKey::new(&k).is_ok())
    })
}

/// ML-KEM.Encaps_internal(ek, m) (FIPS 203 Algorithm 17): (c, K). Public
/// so the known-answer tests can fix m; the mechanism draws m at random.
#[doc(hidden)]
pub fn encapsulate_with(
    set: Set,
    ek: &[u8],
    msg: &[u8],
) -> CkResult<(Vec<u8>, Zeroizing<Vec<u8>>)> {
    let mut msg = B32::try_from(msg).map_err(|_| CKR_GENERAL_ERROR)?;
    let out = with_set!(set, m => {
        let ek = ml_kem::Key::<m::EncapsulationKey>::try_from(ek)
            .map_err(|_| CKR_KEY_TYPE_INCONSISTENT)?;
        let ek = m::EncapsulationKey::new(&ek).map_err(|_| CKR_KEY_TYPE_INCONSISTENT)?;
        let (ct, mut secret) = ek.encapsulate_deterministic(&msg);
        let pair = (ct.to_vec(), Zeroizing::new(secret.to_vec()));
        secret.zeroize();
        pair
    });
    msg.zeroize();
    Ok(out)
}

/// ML-KEM.Decaps (FIPS 203 Algorithm 21), from the seed when known. A
/// ciphertext of the wrong length is CKR_WRAPPED_KEY_LEN_RANGE; any other
/// ciphertext yields a key (implicit rejection gives a pseudorandom one).
pub fn decapsulate_with(
    set: Set,
    seed: Option<&[u8]>,
    dk: &[u8],
    ct: &[u8],
) -> CkResult<Zeroizing<Vec<u8>>> {
    with_set!(set, m => {
        let ct = m::Ciphertext::try_from(ct).map_err(|_| CKR_WRAPPED_KEY_LEN_RANGE)?;
        let key = match seed {
            Some(seed) => {
                let mut seed = Seed::try_from(seed).map_err(|_| CKR_GENERAL_ERROR)?;
                let key = m::DecapsulationKey::from_seed(seed);
                seed.zeroize();
                key
            }
            None => {
                let mut bytes = m::ExpandedDecapsulationKey::try_from(dk)
                    .map_err(|_| CKR_GENERAL_ERROR)?;
                let key = m::DecapsulationKey::from_expanded_bytes(&bytes);
                bytes.zeroize();
                key.map_err(|_| CKR_GENERAL_ERROR)?
            }
        };
        let mut secret = key.decapsulate(&ct);
        let out = Zeroizing::new(secret.to_vec());
        secret.zeroize();
        Ok(out)
    })
}

fn key_set(key: &Object) -> CkResult<Set> {
    Set::from_ckp(
        key.ulong(CKA_PARAMETER_SET)
            .ok_or(CKR_KEY_TYPE_INCONSISTENT)?,
    )
    .map_err(|_| CKR_KEY_TYPE_INCONSISTENT)
}

pub struct MlKem;
static ML_KEM: MlKem = MlKem;

impl Mechanism for MlKem {
    /// CKM_ML_KEM in C_EncapsulateKey: ML-KEM.Encaps with a fresh m.
    fn encapsulate(
        &self,
        m: &CkMechanism,
        key: &Object,
    ) -> CkResult<(Vec<u8>, Zeroizing<Vec<u8>>)> {
        if m.kind != CKM_ML_KEM {
            return Err(CKR_MECHANISM_INVALID);
        }
        m.no_param()?;
        check_key(key, CKO_PUBLIC_KEY, &[CKK_ML_KEM])?;
        let set = key_set(key)?;
        let msg = random_bytes(SECRET_LEN)?;
        encapsulate_with(set, key.require(CKA_VALUE)?, &msg)
    }

    /// CKM_ML_KEM in C_DecapsulateKey.
    fn decapsulate(
        &self,
        m: &CkMechanism,
        key: &Object,
        ciphertext: &[u8],
    ) -> CkResult<Zeroizing<Vec<u8>>> {
        if m.kind != CKM_ML_KEM {
            return Err(CKR_MECHANISM_INVALID);
        }
        m.no_param()?;
        check_key(key, CKO_PRIVATE_KEY, &[CKK_ML_KEM])?;
        let set = key_set(key)?;
        let seed = key.get(CKA_SEED).filter(|s| s.len() == SEED_LEN);
        decapsulate_with(set, seed, key.require(CKA_VALUE)?, ciphertext)
    }

    /// CKM_ML_KEM_KEY_PAIR_GEN: ML-KEM.KeyGen (FIPS 203 Algorithm 19) for
    /// the CKA_PARAMETER_SET of the public template.
    fn generate_key_pair(
        &self,
        m: &CkMechanism,
        public: &[Attribute],
        _private: &[Attribute],
    ) -> CkResult<(Generated, Generated)> {
        if m.kind != CKM_ML_KEM_KEY_PAIR_GEN {
            return Err(CKR_MECHANISM_INVALID);
        }
        m.no_param()?;
        let ckp = find_ulong(public, CKA_PARAMETER_SET)?.ok_or(CKR_TEMPLATE_INCOMPLETE)?;
        let set = Set::from_ckp(ckp)?;
        let seed = random_bytes(SEED_LEN)?;
        let (ek, dk) = keygen(set, &seed)?;
        let info = pqkey::spki(&set.oid(), &ek);
        let public = vec![
            Attribute::ulong(CKA_KEY_TYPE, CKK_ML_KEM),
            Attribute::ulong(CKA_PARAMETER_SET, ckp),
            Attribute::new(CKA_VALUE, ek),
            Attribute::new(CKA_PUBLIC_KEY_INFO, info.clone()),
        ];
        let private = vec![
            Attribute::ulong(CKA_KEY_TYPE, CKK_ML_KEM),
            Attribute::ulong(CKA_PARAMETER_SET, ckp),
            Attribute::new(CKA_SEED, seed.to_vec()),
            Attribute::new(CKA_VALUE, dk.to_vec()),
            Attribute::new(CKA_PUBLIC_KEY_INFO, info),
        ];
        Ok((public, private))
    }
}

const fn r(kind: CK_ULONG, value: K, flags: u32, default: D) -> Rule {
    Rule {
        kind,
        value,
        flags,
        default,
    }
}

/// ML-KEM public key attributes (3.2 mechanisms, "ML-KEM public key
/// objects"; CKA_ENCAPSULATE is a common public key attribute).
static PUBLIC: &[Rule] = &[
    r(CKA_PARAMETER_SET, K::Ulong, REQ_CREATE | REQ_GEN, D::None),
    r(CKA_VALUE, K::Bytes, REQ_CREATE | NO_GEN, D::None),
];

/// ML-KEM private key attributes ("ML-KEM private key objects"). As for
/// ML-DSA, `complete` asks for CKA_SEED or CKA_VALUE, at least one.
static PRIVATE: &[Rule] = &[
    r(
        CKA_PARAMETER_SET,
        K::Ulong,
        REQ_CREATE | NO_GEN | NO_UNWRAP,
        D::None,
    ),
    r(CKA_SEED, K::Bytes, NO_GEN | NO_UNWRAP | SENSITIVE, D::None),
    r(CKA_VALUE, K::Bytes, NO_GEN | NO_UNWRAP | SENSITIVE, D::None),
];

pub static ML_KEM_KEY: KeyTypeDef = KeyTypeDef {
    ckk: CKK_ML_KEM,
    public: PUBLIC,
    private: PRIVATE,
    secret: &[],
    complete,
    export_private: Some(export_private),
    import_private: Some(import_private),
};

/// Validates an imported key (sizes, the FIPS 203 key checks, seed and
/// expanded key consistent), fills CKA_VALUE from a seed given alone, and
/// CKA_PUBLIC_KEY_INFO.
fn complete(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
    let set = Set::from_ckp(pqkey::parameter_set(attrs)?)?;
    let public = match class {
        CKO_PUBLIC_KEY => {
            let ek = pqkey::bytes(attrs, CKA_VALUE).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
            if !check_public(set, ek) {
                return Err(CKR_ATTRIBUTE_VALUE_INVALID);
            }
            ek.to_vec()
        }
        CKO_PRIVATE_KEY => {
            let seed = pqkey::bytes(attrs, CKA_SEED).map(|s| Zeroizing::new(s.to_vec()));
            let dk = pqkey::bytes(attrs, CKA_VALUE).map(|s| Zeroizing::new(s.to_vec()));
            match (seed, dk) {
                (None, None) => return Err(CKR_TEMPLATE_INCOMPLETE),
                (Some(seed), given) => {
                    if seed.len() != SEED_LEN {
                        return Err(CKR_ATTRIBUTE_VALUE_INVALID);
                    }
                    let (ek, dk) = keygen(set, &seed)?;
                    if given.is_some_and(|g| g.as_slice() != dk.as_slice()) {
                        return Err(CKR_ATTRIBUTE_VALUE_INVALID);
                    }
                    attrs.insert(CKA_VALUE, dk);
                    ek
                }
                (None, Some(dk)) => check_expanded(set, &dk).ok_or(CKR_ATTRIBUTE_VALUE_INVALID)?,
            }
        }
        _ => return Err(CKR_TEMPLATE_INCONSISTENT),
    };
    pqkey::set_derived(
        attrs,
        CKA_PUBLIC_KEY_INFO,
        &pqkey::spki(&set.oid(), &public),
    )
}

/// C_WrapKey of an ML-KEM private key: PKCS#8 with the seed when known,
/// else the expanded key.
fn export_private(key: &Object) -> CkResult<Zeroizing<Vec<u8>>> {
    check_key(key, CKO_PRIVATE_KEY, &[CKK_ML_KEM])?;
    let set = key_set(key)?;
    let seed = key.get(CKA_SEED).filter(|s| !s.is_empty());
    Ok(pqkey::pkcs8(&set.oid(), seed, key.require(CKA_VALUE)?))
}

/// C_UnwrapKey into an ML-KEM private key (any of the three forms).
fn import_private(der: &[u8]) -> CkResult<Vec<Attribute>> {
    let (oid, form) = pqkey::parse_pkcs8(der).ok_or(CKR_WRAPPED_KEY_INVALID)?;
    let set = Set::from_oid(oid).ok_or(CKR_WRAPPED_KEY_INVALID)?;
    let mut out = vec![Attribute::ulong(CKA_PARAMETER_SET, set.ckp())];
    match form {
        PrivateForm::Seed(s) => out.push(Attribute::new(CKA_SEED, s)),
        PrivateForm::Expanded(e) => out.push(Attribute::new(CKA_VALUE, e)),
        PrivateForm::Both(s, e) => {
            out.push(Attribute::new(CKA_SEED, s));
            out.push(Attribute::new(CKA_VALUE, e));
        }
    }
    Ok(out)
}

/// Adds CKM_ML_KEM_KEY_PAIR_GEN, CKM_ML_KEM and CKK_ML_KEM. Key sizes are
/// the encapsulation key lengths in bytes, as the 3.2 text specifies.
pub fn register(r: &mut Registry) {
    let (min, max) = (
        Set::MlKem512.sizes().0 as CK_ULONG,
        Set::MlKem1024.sizes().0 as CK_ULONG,
    );
    r.add_key_type(&ML_KEM_KEY);
    r.add(
        CKM_ML_KEM_KEY_PAIR_GEN,
        info(min, max, CKF_GENERATE_KEY_PAIR),
        &ML_KEM,
    );
    r.add(
        CKM_ML_KEM,
        info(min, max, CKF_ENCAPSULATE | CKF_DECAPSULATE),
        &ML_KEM,
    );
}
