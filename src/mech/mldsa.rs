//! ML-DSA (FIPS 204) as PKCS#11 3.2 defines it (mechanisms section
//! "ML-DSA"): CKK_ML_DSA keys with CKA_PARAMETER_SET = CKP_ML_DSA_44/65/87,
//! CKM_ML_DSA_KEY_PAIR_GEN, and CKM_ML_DSA (pure ML-DSA.Sign / Verify,
//! Algorithms 2 and 3, with an optional CK_SIGN_ADDITIONAL_CONTEXT).
//!
//! Built on RustCrypto's `ml-dsa`. Private keys keep the 32-byte seed ξ
//! (CKA_SEED) when it is known and always the expanded key sk (CKA_VALUE);
//! operations rebuild the key from the seed when there is one.
use ml_dsa::{
    B32, EncodedSignature, EncodedVerifyingKey, ExpandedSigningKey, ExpandedSigningKeyBytes,
    MlDsa44, MlDsa65, MlDsa87, MlDsaParams, Signature, VerifyingKey,
};
use zeroize::{Zeroize, Zeroizing};

use crate::CK_ULONG;
use crate::attr::policy::{AttrMap, Default as D, Kind as K, Rule, flag::*};
use crate::attr::{Attribute, find_ulong};
use crate::constants::*;
use crate::mech::{
    CkMechanism, Generated, KeyTypeDef, Mechanism, Param, Registry, SignOp, VerifyOp, check_key,
    info, random_bytes,
};
use crate::object::Object;
use crate::rv::CkResult;

pub(crate) mod pqkey;
#[cfg(test)]
mod tests;

use pqkey::PrivateForm;

/// An ML-DSA parameter set (FIPS 204 section 4, Table 1 and 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Set {
    MlDsa44,
    MlDsa65,
    MlDsa87,
}

/// Calls a function generic over the parameter set with the set's type.
macro_rules! with_set {
    ($set:expr, $f:ident ( $($arg:expr),* $(,)? )) => {
        match $set {
            Set::MlDsa44 => $f::<MlDsa44>($($arg),*),
            Set::MlDsa65 => $f::<MlDsa65>($($arg),*),
            Set::MlDsa87 => $f::<MlDsa87>($($arg),*),
        }
    };
}

impl Set {
    pub const ALL: [Set; 3] = [Set::MlDsa44, Set::MlDsa65, Set::MlDsa87];

    /// The set named by CKA_PARAMETER_SET.
    pub fn from_ckp(ckp: CK_ULONG) -> CkResult<Set> {
        match ckp {
            CKP_ML_DSA_44 => Ok(Set::MlDsa44),
            CKP_ML_DSA_65 => Ok(Set::MlDsa65),
            CKP_ML_DSA_87 => Ok(Set::MlDsa87),
            _ => Err(CKR_PARAMETER_SET_NOT_SUPPORTED),
        }
    }

    pub fn ckp(self) -> CK_ULONG {
        match self {
            Set::MlDsa44 => CKP_ML_DSA_44,
            Set::MlDsa65 => CKP_ML_DSA_65,
            Set::MlDsa87 => CKP_ML_DSA_87,
        }
    }

    /// Public key, expanded private key and signature sizes (bytes).
    pub fn sizes(self) -> (usize, usize, usize) {
        match self {
            Set::MlDsa44 => (1312, 2560, 2420),
            Set::MlDsa65 => (1952, 4032, 3309),
            Set::MlDsa87 => (2592, 4896, 4627),
        }
    }

    /// (eta, k, l): the private vectors' bound and dimensions.
    fn shape(self) -> (u8, usize, usize) {
        match self {
            Set::MlDsa44 => (2, 4, 4),
            Set::MlDsa65 => (4, 6, 5),
            Set::MlDsa87 => (2, 8, 7),
        }
    }

    /// id-ml-dsa-44/65/87 (RFC 9881), DER with tag and length.
    pub fn oid(self) -> [u8; 11] {
        let leaf = match self {
            Set::MlDsa44 => 17,
            Set::MlDsa65 => 18,
            Set::MlDsa87 => 19,
        };
        pqkey::nist_oid(3, leaf)
    }

    fn from_oid(oid: &[u8]) -> Option<Set> {
        Set::ALL.into_iter().find(|s| s.oid() == oid)
    }
}

const SEED_LEN: usize = 32;
/// FIPS 204 section 5.2: the context string is at most 255 bytes.
const MAX_CONTEXT: usize = 255;

/// Whether the s1 and s2 vectors of an expanded key are in range: each
/// coefficient is packed as eta - c in bitlen(2 eta) bits, so every packed
/// value must be at most 2 eta (FIPS 204 Algorithm 17 BitUnpack; the crate
/// asserts this, so out-of-range keys must never reach it).
fn expanded_in_range(set: Set, sk: &[u8]) -> bool {
    let (eta, k, l) = set.shape();
    let bits = if eta == 2 { 3 } else { 4 };
    let len = (k + l) * 32 * bits;
    let Some(packed) = sk.get(128..128 + len) else {
        return false;
    };
    let max = 2 * eta as u32;
    // Little-endian bit packing: every `bits` bytes hold 8 coefficients.
    packed.chunks_exact(bits).all(|chunk| {
        let word = chunk
            .iter()
            .rev()
            .fold(0u32, |acc, &b| (acc << 8) | b as u32);
        (0..8).all(|i| (word >> (i * bits)) & ((1 << bits) - 1) <= max)
    })
}

/// The signing key from the seed if known, else from the expanded key.
fn signing_key<P: MlDsaParams>(seed: Option<&[u8]>, sk: &[u8]) -> CkResult<ExpandedSigningKey<P>> {
    if let Some(seed) = seed {
        let mut xi = B32::try_from(seed).map_err(|_| CKR_GENERAL_ERROR)?;
        let key = ExpandedSigningKey::<P>::from_seed(&xi);
        xi.zeroize();
        return Ok(key);
    }
    let mut bytes = ExpandedSigningKeyBytes::<P>::try_from(sk).map_err(|_| CKR_GENERAL_ERROR)?;
    #[allow(deprecated)] // the expanded form is what CKA_VALUE holds
    let key = ExpandedSigningKey::<P>::from_expanded(&bytes);
    bytes.zeroize();
    Ok(key)
}

/// ML-DSA.KeyGen_internal(ξ) (FIPS 204 Algorithm 6): (pk, sk).
fn keygen<P: MlDsaParams>(seed: &[u8]) -> CkResult<(Vec<u8>, Zeroizing<Vec<u8>>)> {
    let key = signing_key::<P>(Some(seed), &[])?;
    Ok(key_bytes(&key))
}

/// pkEncode and skEncode of a key.
fn key_bytes<P: MlDsaParams>(key: &ExpandedSigningKey<P>) -> (Vec<u8>, Zeroizing<Vec<u8>>) {
    let pk = key.verifying_key().encode().to_vec();
    #[allow(deprecated)]
    let mut sk = key.to_expanded();
    let out = Zeroizing::new(sk.to_vec());
    sk.zeroize();
    (pk, out)
}

/// The public key of an expanded private key (recomputed from s1, s2).
fn public_of<P: MlDsaParams>(seed: Option<&[u8]>, sk: &[u8]) -> CkResult<Vec<u8>> {
    Ok(signing_key::<P>(seed, sk)?
        .verifying_key()
        .encode()
        .to_vec())
}

/// ML-DSA.Sign (FIPS 204 Algorithm 2), hedged or deterministic.
fn sign<P: MlDsaParams>(
    seed: Option<&[u8]>,
    sk: &[u8],
    msg: &[u8],
    ctx: &[u8],
    deterministic: bool,
) -> CkResult<Vec<u8>> {
    let key = signing_key::<P>(seed, sk)?;
    let sig = if deterministic {
        key.sign_deterministic(msg, ctx)
    } else {
        key.sign_randomized(msg, ctx, &mut getrandom::SysRng)
    };
    // Only a failing CSPRNG or (with negligible probability) exhausted
    // rejection sampling gets here.
    Ok(sig.map_err(|_| CKR_FUNCTION_FAILED)?.encode().to_vec())
}

/// ML-DSA.Verify (FIPS 204 Algorithm 3).
fn verify<P: MlDsaParams>(pk: &[u8], msg: &[u8], ctx: &[u8], sig: &[u8]) -> CkResult<()> {
    let pk = EncodedVerifyingKey::<P>::try_from(pk).map_err(|_| CKR_GENERAL_ERROR)?;
    let sig = EncodedSignature::<P>::try_from(sig).map_err(|_| CKR_SIGNATURE_LEN_RANGE)?;
    // sigDecode fails on a malformed hint or an out-of-range z.
    let sig = Signature::<P>::decode(&sig).ok_or(CKR_SIGNATURE_INVALID)?;
    if VerifyingKey::<P>::decode(&pk).verify_with_context(msg, ctx, &sig) {
        Ok(())
    } else {
        Err(CKR_SIGNATURE_INVALID)
    }
}

/// Known-answer hooks for tests/acvp_pqc.rs. The NIST ACVP vectors of
/// the committed vintage exercise the internal interface (Algorithms 7 and
/// 8 on the message as given), which CKM_ML_DSA does not expose: it always
/// prefixes the context (Algorithm 2). Keys are checked as on import.
#[doc(hidden)]
pub mod kat {
    use super::*;

    fn sign_internal<P: MlDsaParams>(sk: &[u8], msg: &[u8], rnd: &[u8]) -> CkResult<Vec<u8>> {
        let rnd = B32::try_from(rnd).map_err(|_| CKR_ARGUMENTS_BAD)?;
        let key = signing_key::<P>(None, sk)?;
        Ok(key.sign_internal(&[msg], &rnd).encode().to_vec())
    }

    fn verify_internal<P: MlDsaParams>(pk: &[u8], msg: &[u8], sig: &[u8]) -> CkResult<bool> {
        let pk = EncodedVerifyingKey::<P>::try_from(pk).map_err(|_| CKR_ARGUMENTS_BAD)?;
        let Ok(sig) = EncodedSignature::<P>::try_from(sig) else {
            return Ok(false);
        };
        Ok(Signature::<P>::decode(&sig)
            .is_some_and(|sig| VerifyingKey::<P>::decode(&pk).verify_internal(msg, &sig)))
    }

    /// ML-DSA.Sign_internal(sk, M', rnd) on an expanded key.
    pub fn sign(set: Set, sk: &[u8], msg: &[u8], rnd: &[u8]) -> CkResult<Vec<u8>> {
        if sk.len() != set.sizes().1 || !expanded_in_range(set, sk) {
            return Err(CKR_ARGUMENTS_BAD);
        }
        with_set!(set, sign_internal(sk, msg, rnd))
    }

    /// ML-DSA.Verify_internal(pk, M', sigma).
    pub fn verify(set: Set, pk: &[u8], msg: &[u8], sig: &[u8]) -> CkResult<bool> {
        with_set!(set, verify_internal(pk, msg, sig))
    }
}

/// The CK_SIGN_ADDITIONAL_CONTEXT of CKM_ML_DSA (optional; absent means
/// CKH_HEDGE_PREFERRED and no context): (deterministic?, context).
fn sign_context(m: &CkMechanism) -> CkResult<(bool, Vec<u8>)> {
    match &m.param {
        Param::None => Ok((false, Vec::new())),
        Param::Bytes(b) if b.is_empty() => Ok((false, Vec::new())),
        Param::SignAdditionalContext {
            hedge_variant,
            context,
        } if context.len() <= MAX_CONTEXT => {
            // HEDGE_PREFERRED lets the token choose: hedged, as FIPS 204
            // section 3.4 recommends.
            let deterministic = match *hedge_variant {
                CKH_HEDGE_PREFERRED | CKH_HEDGE_REQUIRED => false,
                CKH_DETERMINISTIC_REQUIRED => true,
                _ => return Err(CKR_MECHANISM_PARAM_INVALID),
            };
            Ok((deterministic, context.clone()))
        }
        _ => Err(CKR_MECHANISM_PARAM_INVALID),
    }
}

fn key_set(key: &Object) -> CkResult<Set> {
    Set::from_ckp(
        key.ulong(CKA_PARAMETER_SET)
            .ok_or(CKR_KEY_TYPE_INCONSISTENT)?,
    )
    .map_err(|_| CKR_KEY_TYPE_INCONSISTENT)
}

/// C_Sign / C_SignUpdate+Final with CKM_ML_DSA: the message is collected
/// (the signature needs all of it) and signed at the end.
struct Sign {
    set: Set,
    seed: Option<Zeroizing<Vec<u8>>>,
    sk: Zeroizing<Vec<u8>>,
    context: Vec<u8>,
    deterministic: bool,
    data: Zeroizing<Vec<u8>>,
}

impl SignOp for Sign {
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.data.extend_from_slice(data);
        Ok(())
    }
    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        let seed = self.seed.as_deref().map(|s| s.as_slice());
        with_set!(
            self.set,
            sign(
                seed,
                &self.sk,
                &self.data,
                &self.context,
                self.deterministic
            )
        )
    }
    fn signature_len(&self) -> usize {
        self.set.sizes().2
    }
}

struct Verify {
    set: Set,
    pk: Vec<u8>,
    context: Vec<u8>,
    data: Zeroizing<Vec<u8>>,
}

impl VerifyOp for Verify {
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.data.extend_from_slice(data);
        Ok(())
    }
    fn finalize(&mut self, signature: &[u8]) -> CkResult<()> {
        with_set!(
            self.set,
            verify(&self.pk, &self.data, &self.context, signature)
        )
    }
}

pub struct MlDsa;
static ML_DSA: MlDsa = MlDsa;

impl Mechanism for MlDsa {
    fn sign_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn SignOp>> {
        if m.kind != CKM_ML_DSA {
            return Err(CKR_MECHANISM_INVALID);
        }
        let (deterministic, context) = sign_context(m)?;
        check_key(key, CKO_PRIVATE_KEY, &[CKK_ML_DSA])?;
        let set = key_set(key)?;
        let seed = key
            .get(CKA_SEED)
            .filter(|s| s.len() == SEED_LEN)
            .map(|s| Zeroizing::new(s.to_vec()));
        let sk = key.require(CKA_VALUE)?;
        if sk.len() != set.sizes().1 || !expanded_in_range(set, sk) {
            return Err(CKR_KEY_TYPE_INCONSISTENT);
        }
        Ok(Box::new(Sign {
            set,
            seed,
            sk: Zeroizing::new(sk.to_vec()),
            context,
            deterministic,
            data: Zeroizing::new(Vec::new()),
        }))
    }

    fn verify_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn VerifyOp>> {
        if m.kind != CKM_ML_DSA {
            return Err(CKR_MECHANISM_INVALID);
        }
        let (_, context) = sign_context(m)?;
        check_key(key, CKO_PUBLIC_KEY, &[CKK_ML_DSA])?;
        let set = key_set(key)?;
        let pk = key.require(CKA_VALUE)?;
        if pk.len() != set.sizes().0 {
            return Err(CKR_KEY_TYPE_INCONSISTENT);
        }
        Ok(Box::new(Verify {
            set,
            pk: pk.to_vec(),
            context,
            data: Zeroizing::new(Vec::new()),
        }))
    }

    /// CKM_ML_DSA_KEY_PAIR_GEN: ML-DSA.KeyGen (FIPS 204 Algorithm 1) for
    /// the CKA_PARAMETER_SET of the public template.
    fn generate_key_pair(
        &self,
        m: &CkMechanism,
        public: &[Attribute],
        _private: &[Attribute],
    ) -> CkResult<(Generated, Generated)> {
        if m.kind != CKM_ML_DSA_KEY_PAIR_GEN {
            return Err(CKR_MECHANISM_INVALID);
        }
        m.no_param()?;
        let ckp = find_ulong(public, CKA_PARAMETER_SET)?.ok_or(CKR_TEMPLATE_INCOMPLETE)?;
        let set = Set::from_ckp(ckp)?;
        let seed = random_bytes(SEED_LEN)?;
        let (pk, sk) = with_set!(set, keygen(&seed))?;
        let info = pqkey::spki(&set.oid(), &pk);
        let public = vec![
            Attribute::ulong(CKA_KEY_TYPE, CKK_ML_DSA),
            Attribute::ulong(CKA_PARAMETER_SET, ckp),
            Attribute::new(CKA_VALUE, pk),
            Attribute::new(CKA_PUBLIC_KEY_INFO, info.clone()),
        ];
        let private = vec![
            Attribute::ulong(CKA_KEY_TYPE, CKK_ML_DSA),
            Attribute::ulong(CKA_PARAMETER_SET, ckp),
            Attribute::new(CKA_SEED, seed.to_vec()),
            Attribute::new(CKA_VALUE, sk.to_vec()),
            Attribute::new(CKA_PUBLIC_KEY_INFO, info),
        ];
        Ok((public, private))
    }
}

const fn r(kind: CK_ULONG, value: K, flags: u32) -> Rule {
    Rule {
        kind,
        value,
        flags,
        default: D::None,
    }
}

/// ML-DSA public key attributes (3.2 mechanisms, "ML-DSA public key
/// objects"): footnotes 1,3 and 1,4.
static PUBLIC: &[Rule] = &[
    r(CKA_PARAMETER_SET, K::Ulong, REQ_CREATE | REQ_GEN),
    r(CKA_VALUE, K::Bytes, REQ_CREATE | NO_GEN),
];

/// ML-DSA private key attributes ("ML-DSA private key objects"). CKA_VALUE
/// carries footnote 1 in the table, but the text asks for "at least one
/// of CKA_SEED and CKA_VALUE" on C_CreateObject: `complete` checks that.
static PRIVATE: &[Rule] = &[
    r(CKA_PARAMETER_SET, K::Ulong, REQ_CREATE | NO_GEN | NO_UNWRAP),
    r(CKA_SEED, K::Bytes, NO_GEN | NO_UNWRAP | SENSITIVE),
    r(CKA_VALUE, K::Bytes, NO_GEN | NO_UNWRAP | SENSITIVE),
];

pub static ML_DSA_KEY: KeyTypeDef = KeyTypeDef {
    ckk: CKK_ML_DSA,
    public: PUBLIC,
    private: PRIVATE,
    secret: &[],
    complete,
    export_private: Some(export_private),
    import_private: Some(import_private),
};

/// Validates an imported key: sizes per parameter set, an expanded key in
/// range, seed and expanded key consistent; fills CKA_VALUE from a seed
/// given alone, and CKA_PUBLIC_KEY_INFO.
fn complete(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
    let set = Set::from_ckp(pqkey::parameter_set(attrs)?)?;
    let (pk_len, sk_len, _) = set.sizes();
    let public = match class {
        CKO_PUBLIC_KEY => {
            let pk = pqkey::bytes(attrs, CKA_VALUE).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
            if pk.len() != pk_len {
                return Err(CKR_ATTRIBUTE_VALUE_INVALID);
            }
            pk.to_vec()
        }
        CKO_PRIVATE_KEY => {
            let seed = pqkey::bytes(attrs, CKA_SEED).map(|s| Zeroizing::new(s.to_vec()));
            let sk = pqkey::bytes(attrs, CKA_VALUE).map(|s| Zeroizing::new(s.to_vec()));
            if seed.as_ref().is_some_and(|s| s.len() != SEED_LEN)
                || sk
                    .as_ref()
                    .is_some_and(|s| s.len() != sk_len || !expanded_in_range(set, s))
            {
                return Err(CKR_ATTRIBUTE_VALUE_INVALID);
            }
            match (&seed, &sk) {
                (None, None) => return Err(CKR_TEMPLATE_INCOMPLETE),
                (Some(seed), given) => {
                    let (pk, sk) = with_set!(set, keygen(seed))?;
                    if given
                        .as_ref()
                        .is_some_and(|g| g.as_slice() != sk.as_slice())
                    {
                        return Err(CKR_ATTRIBUTE_VALUE_INVALID);
                    }
                    attrs.insert(CKA_VALUE, sk);
                    pk
                }
                (None, Some(sk)) => with_set!(set, public_of(None, sk))?,
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

/// C_WrapKey of an ML-DSA private key: PKCS#8 with the seed when known,
/// else the expanded key (RFC 9881 section 6).
fn export_private(key: &Object) -> CkResult<Zeroizing<Vec<u8>>> {
    check_key(key, CKO_PRIVATE_KEY, &[CKK_ML_DSA])?;
    let set = key_set(key)?;
    let seed = key.get(CKA_SEED).filter(|s| !s.is_empty());
    Ok(pqkey::pkcs8(&set.oid(), seed, key.require(CKA_VALUE)?))
}

/// C_UnwrapKey into an ML-DSA private key: any of the three RFC 9881
/// forms; `complete` then checks and fills the rest.
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

/// Adds CKM_ML_DSA_KEY_PAIR_GEN, CKM_ML_DSA and CKK_ML_DSA. Key sizes are
/// the public key lengths in bytes, as the 3.2 text specifies.
pub fn register(r: &mut Registry) {
    let (min, max) = (
        Set::MlDsa44.sizes().0 as CK_ULONG,
        Set::MlDsa87.sizes().0 as CK_ULONG,
    );
    r.add_key_type(&ML_DSA_KEY);
    r.add(
        CKM_ML_DSA_KEY_PAIR_GEN,
        info(min, max, CKF_GENERATE_KEY_PAIR),
        &ML_DSA,
    );
    r.add(CKM_ML_DSA, info(min, max, CKF_SIGN | CKF_VERIFY), &ML_DSA);
}
