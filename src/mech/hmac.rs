//! Generic secret keys and HMAC, one table row per hash.
//!
//! - Key types CKK_GENERIC_SECRET (PKCS#11 3.1 "Generic secret key") and the
//!   3.x per-hash HMAC key types CKK_SHA_1_HMAC, CKK_SHA224_HMAC, ...,
//!   CKK_SHA512_224_HMAC, CKK_SHA512_256_HMAC, CKK_SHA3_*_HMAC (the
//!   "... HMAC key objects" of each hash's section), all with the same rules.
//! - CKM_GENERIC_SECRET_KEY_GEN ("Generic secret key generation") and the
//!   per-hash key generations CKM_SHA256_KEY_GEN, CKM_SHA3_256_KEY_GEN, ...
//!   ("... key generation" of each hash's section).
//! - CKM_*_HMAC and CKM_*_HMAC_GENERAL for SHA-1, SHA-224/256/384/512,
//!   SHA-512/224, SHA-512/256 and SHA3-224/256/384/512 (sections "General-
//!   length ... HMAC" and "... HMAC"): sign/verify, multi-part, keyed by a
//!   generic secret or the matching per-hash HMAC key.
//!
//! The keyed HMAC state (`Prf`) is shared with the key-derivation family
//! (HKDF, SP 800-108).
use digest::block_api::EagerHash;
use digest::common::BlockSizeUser;
use digest::typenum::Unsigned;
use digest::{Digest, OutputSizeUser};
use hmac::{Hmac, KeyInit, Mac};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::{
    CkMechanism, Generated, KeyTypeDef, Mechanism, Param, Registry, SignOp, VerifyOp, check_key,
    info, random_bytes,
};
use crate::CK_ULONG;
use crate::attr::policy::{AttrMap, Default, Kind, Rule, flag::*};
use crate::attr::{self, Attribute};
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

/// Largest secret this token creates or accepts, in bytes. The spec sets no
/// bound; this one covers every HMAC and key-derivation use while keeping
/// templates small.
pub const MAX_SECRET_LEN: usize = 4096;

/// CKA_VALUE is the key (footnotes 1, 4, 6, 7); CKA_VALUE_LEN must be given
/// to C_GenerateKey (3). We are lenient: CKA_VALUE_LEN may also come with
/// C_CreateObject / C_UnwrapKey if it matches the value (`complete`).
static SECRET_RULES: &[Rule] = &[
    Rule {
        kind: CKA_VALUE,
        value: Kind::Bytes,
        flags: REQ_CREATE | NO_GEN | NO_UNWRAP | SENSITIVE,
        default: Default::None,
    },
    Rule {
        kind: CKA_VALUE_LEN,
        value: Kind::Ulong,
        flags: REQ_GEN,
        default: Default::None,
    },
];

/// A secret key type whose value is any byte string (generic secret,
/// per-hash HMAC keys, CKK_HKDF).
pub(crate) const fn secret_type(ckk: CK_ULONG) -> KeyTypeDef {
    KeyTypeDef {
        ckk,
        public: &[],
        private: &[],
        secret: SECRET_RULES,
        complete: complete_secret,
        export_private: None,
        import_private: None,
    }
}

static GENERIC_SECRET: KeyTypeDef = secret_type(CKK_GENERIC_SECRET);

/// CKA_CHECK_VALUE of a generic secret: the first three bytes of the SHA-1
/// of CKA_VALUE (3.1 "Generic secret key objects").
fn check_value(value: &[u8]) -> Vec<u8> {
    use digest::Digest;
    super::digest::sha1::Sha1::digest(value)[..3].to_vec()
}

/// Validates a created, unwrapped or derived secret: a value of
/// 1..=MAX_SECRET_LEN bytes, a matching CKA_VALUE_LEN (filled in when
/// absent), and a matching CKA_CHECK_VALUE (computed when absent; an empty
/// one given by the caller means "none", as for C_GenerateKey).
pub(crate) fn complete_secret(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
    if class != CKO_SECRET_KEY {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    let value = attrs.get(&CKA_VALUE).ok_or(CKR_TEMPLATE_INCOMPLETE)?;
    if !(1..=MAX_SECRET_LEN).contains(&value.len()) {
        return Err(CKR_ATTRIBUTE_VALUE_INVALID);
    }
    let len = value.len() as CK_ULONG;
    let kcv = check_value(value);
    if let Some(given) = attrs.get(&CKA_VALUE_LEN)
        && attr::parse_ulong(given)? != len
    {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    match attrs.get(&CKA_CHECK_VALUE) {
        Some(given) if !given.is_empty() && **given != kcv => {
            return Err(CKR_ATTRIBUTE_VALUE_INVALID);
        }
        Some(_) => {}
        None => {
            attrs.insert(CKA_CHECK_VALUE, Zeroizing::new(kcv));
        }
    }
    attrs.insert(CKA_VALUE_LEN, Zeroizing::new(attr::ulong_bytes(len)));
    Ok(())
}

/// A keyed HMAC state (RFC 2104). `tag` does not consume it, so one keyed
/// state serves many messages through `box_clone` (the KDFs' PRF calls).
pub trait Prf: Send {
    fn update(&mut self, data: &[u8]);
    /// The MAC of everything fed so far (the full hash length).
    fn tag(&self) -> Zeroizing<Vec<u8>>;
    /// A copy of this state.
    fn box_clone(&self) -> Box<dyn Prf>;
    /// The MAC of everything fed so far followed by `data`, into `out`
    /// (at most the hash length); this state is left as it was. PBKDF2's
    /// inner loop: `Eager` makes it without a heap copy per iteration.
    fn tag_after(&self, data: &[u8], out: &mut [u8]) {
        let mut next = self.box_clone();
        next.update(data);
        let tag = next.tag();
        out.copy_from_slice(&tag[..out.len()]);
    }
}

/// The `hmac` crate's HMAC, for hashes with a block-level API (SHA-1,
/// SHA-2). Its states, which stand for the key, are wiped on drop by the
/// digest crates' `zeroize` feature.
#[derive(Clone)]
struct Eager<D: EagerHash>(Hmac<D>);

impl<D: EagerHash + Send + 'static> Prf for Eager<D>
where
    Hmac<D>: Mac + Clone + Send,
{
    fn update(&mut self, data: &[u8]) {
        Mac::update(&mut self.0, data);
    }
    fn tag(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.clone().finalize().into_bytes().to_vec())
    }
    fn box_clone(&self) -> Box<dyn Prf> {
        Box::new(self.clone())
    }
    fn tag_after(&self, data: &[u8], out: &mut [u8]) {
        let mut next = self.0.clone();
        Mac::update(&mut next, data);
        let mut tag = next.finalize().into_bytes();
        out.copy_from_slice(&tag[..out.len()]);
        tag.as_mut_slice().zeroize();
    }
}

fn eager<D: EagerHash + Send + 'static>(key: &[u8]) -> CkResult<Box<dyn Prf>>
where
    Hmac<D>: Mac + KeyInit + Clone + Send,
{
    let mac = <Hmac<D> as KeyInit>::new_from_slice(key).map_err(|_| CKR_KEY_SIZE_RANGE)?;
    Ok(Box::new(Eager(mac)))
}

/// HMAC over a hash without a block-level API (SHA-3). The `hmac` crate's
/// `SimpleHmac` would do, but it does not wipe its padded key; this keeps
/// the key block in a `Zeroizing` and the hash states wipe themselves.
#[derive(Clone)]
struct Sponge<D> {
    /// H((K ^ ipad) || message so far).
    inner: D,
    /// K ^ opad, one block.
    opad_key: Zeroizing<Vec<u8>>,
}

impl<D: Digest + BlockSizeUser + Clone + Send + 'static> Prf for Sponge<D> {
    fn update(&mut self, data: &[u8]) {
        Digest::update(&mut self.inner, data);
    }
    fn tag(&self) -> Zeroizing<Vec<u8>> {
        let mut inner = self.inner.clone().finalize();
        let mut outer = D::new();
        Digest::update(&mut outer, &*self.opad_key);
        Digest::update(&mut outer, &inner);
        inner.as_mut_slice().zeroize();
        Zeroizing::new(outer.finalize().to_vec())
    }
    fn box_clone(&self) -> Box<dyn Prf> {
        Box::new(self.clone())
    }
}

fn sponge<D: Digest + BlockSizeUser + Clone + Send + 'static>(
    key: &[u8],
) -> CkResult<Box<dyn Prf>> {
    // RFC 2104 section 2: a key longer than a block is hashed first; the
    // key is zero-padded to one block.
    let block = <D as BlockSizeUser>::BlockSize::USIZE;
    let mut k = Zeroizing::new(vec![0u8; block]);
    if key.len() > block {
        let mut h = D::digest(key);
        k[..h.len()].copy_from_slice(&h);
        h.as_mut_slice().zeroize();
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    k.iter_mut().for_each(|b| *b ^= 0x36);
    let mut inner = D::new();
    Digest::update(&mut inner, &*k);
    k.iter_mut().for_each(|b| *b ^= 0x36 ^ 0x5c);
    Ok(Box::new(Sponge { inner, opad_key: k }))
}

/// One HMAC family member: its hash and mechanisms, key types and the
/// keyed-state constructor.
pub struct HmacAlg {
    /// The digest mechanism (CKM_SHA256...): what HKDF's prfHashMechanism
    /// names.
    pub hash: CK_ULONG,
    /// CKM_*_HMAC: what SP 800-108's prfType names.
    pub mech: CK_ULONG,
    pub general: CK_ULONG,
    pub key_type: CK_ULONG,
    pub key_gen: CK_ULONG,
    /// The full MAC length (the hash output) in bytes.
    pub len: usize,
    new: fn(&[u8]) -> CkResult<Box<dyn Prf>>,
}

impl HmacAlg {
    /// A keyed HMAC state.
    pub fn keyed(&self, key: &[u8]) -> CkResult<Box<dyn Prf>> {
        (self.new)(key)
    }
}

/// A row for a SHA-1/SHA-2 hash (the `hmac` crate's block-level HMAC).
const fn sha<D: EagerHash + Send + 'static>(ids: [CK_ULONG; 5]) -> HmacAlg
where
    Hmac<D>: Mac + KeyInit + Clone + Send,
{
    let [hash, mech, general, key_type, key_gen] = ids;
    HmacAlg {
        hash,
        mech,
        general,
        key_type,
        key_gen,
        len: <D as OutputSizeUser>::OutputSize::USIZE,
        new: eager::<D>,
    }
}

/// A row for a SHA-3 hash.
const fn sha3<D: Digest + BlockSizeUser + Clone + Send + 'static>(ids: [CK_ULONG; 5]) -> HmacAlg {
    let [hash, mech, general, key_type, key_gen] = ids;
    HmacAlg {
        hash,
        mech,
        general,
        key_type,
        key_gen,
        len: <D as OutputSizeUser>::OutputSize::USIZE,
        new: sponge::<D>,
    }
}

/// Every HMAC: [hash, HMAC, HMAC_GENERAL, key type, key generation].
pub static ALGS: [HmacAlg; 11] = [
    sha::<super::digest::sha1::Sha1>([
        CKM_SHA_1,
        CKM_SHA_1_HMAC,
        CKM_SHA_1_HMAC_GENERAL,
        CKK_SHA_1_HMAC,
        CKM_SHA_1_KEY_GEN,
    ]),
    sha::<sha2::Sha224>([
        CKM_SHA224,
        CKM_SHA224_HMAC,
        CKM_SHA224_HMAC_GENERAL,
        CKK_SHA224_HMAC,
        CKM_SHA224_KEY_GEN,
    ]),
    sha::<sha2::Sha256>([
        CKM_SHA256,
        CKM_SHA256_HMAC,
        CKM_SHA256_HMAC_GENERAL,
        CKK_SHA256_HMAC,
        CKM_SHA256_KEY_GEN,
    ]),
    sha::<sha2::Sha384>([
        CKM_SHA384,
        CKM_SHA384_HMAC,
        CKM_SHA384_HMAC_GENERAL,
        CKK_SHA384_HMAC,
        CKM_SHA384_KEY_GEN,
    ]),
    sha::<sha2::Sha512>([
        CKM_SHA512,
        CKM_SHA512_HMAC,
        CKM_SHA512_HMAC_GENERAL,
        CKK_SHA512_HMAC,
        CKM_SHA512_KEY_GEN,
    ]),
    sha::<sha2::Sha512_224>([
        CKM_SHA512_224,
        CKM_SHA512_224_HMAC,
        CKM_SHA512_224_HMAC_GENERAL,
        CKK_SHA512_224_HMAC,
        CKM_SHA512_224_KEY_GEN,
    ]),
    sha::<sha2::Sha512_256>([
        CKM_SHA512_256,
        CKM_SHA512_256_HMAC,
        CKM_SHA512_256_HMAC_GENERAL,
        CKK_SHA512_256_HMAC,
        CKM_SHA512_256_KEY_GEN,
    ]),
    sha3::<sha3::Sha3_224>([
        CKM_SHA3_224,
        CKM_SHA3_224_HMAC,
        CKM_SHA3_224_HMAC_GENERAL,
        CKK_SHA3_224_HMAC,
        CKM_SHA3_224_KEY_GEN,
    ]),
    sha3::<sha3::Sha3_256>([
        CKM_SHA3_256,
        CKM_SHA3_256_HMAC,
        CKM_SHA3_256_HMAC_GENERAL,
        CKK_SHA3_256_HMAC,
        CKM_SHA3_256_KEY_GEN,
    ]),
    sha3::<sha3::Sha3_384>([
        CKM_SHA3_384,
        CKM_SHA3_384_HMAC,
        CKM_SHA3_384_HMAC_GENERAL,
        CKK_SHA3_384_HMAC,
        CKM_SHA3_384_KEY_GEN,
    ]),
    sha3::<sha3::Sha3_512>([
        CKM_SHA3_512,
        CKM_SHA3_512_HMAC,
        CKM_SHA3_512_HMAC_GENERAL,
        CKK_SHA3_512_HMAC,
        CKM_SHA3_512_KEY_GEN,
    ]),
];

/// The per-hash HMAC key types, in `ALGS` order.
static HMAC_KEY_TYPES: [KeyTypeDef; 11] = [
    secret_type(CKK_SHA_1_HMAC),
    secret_type(CKK_SHA224_HMAC),
    secret_type(CKK_SHA256_HMAC),
    secret_type(CKK_SHA384_HMAC),
    secret_type(CKK_SHA512_HMAC),
    secret_type(CKK_SHA512_224_HMAC),
    secret_type(CKK_SHA512_256_HMAC),
    secret_type(CKK_SHA3_224_HMAC),
    secret_type(CKK_SHA3_256_HMAC),
    secret_type(CKK_SHA3_384_HMAC),
    secret_type(CKK_SHA3_512_HMAC),
];

/// The HMAC whose CKM_*_HMAC mechanism is `mech`.
pub fn by_mech(mech: CK_ULONG) -> Option<&'static HmacAlg> {
    ALGS.iter().find(|a| a.mech == mech)
}

/// The HMAC over the digest mechanism `hash`.
pub fn by_hash(hash: CK_ULONG) -> Option<&'static HmacAlg> {
    ALGS.iter().find(|a| a.hash == hash)
}

/// A CK_ULONG mechanism parameter (CK_MAC_GENERAL_PARAMS): pkcs11js passes
/// it as a Buffer holding sizeof(CK_ULONG) = 8 little-endian bytes.
fn ulong_param(p: &Param) -> CkResult<CK_ULONG> {
    match p {
        Param::Bytes(b) => attr::parse_ulong(b).map_err(|_| CKR_MECHANISM_PARAM_INVALID),
        _ => Err(CKR_MECHANISM_PARAM_INVALID),
    }
}

/// An HMAC computation; the same op signs and verifies.
struct MacOp {
    prf: Box<dyn Prf>,
    /// Bytes of the MAC to output or compare (the _GENERAL length).
    tag_len: usize,
}

impl MacOp {
    fn tag(&self) -> Zeroizing<Vec<u8>> {
        let mut full = self.prf.tag();
        full.truncate(self.tag_len);
        full
    }
}

impl SignOp for MacOp {
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.prf.update(data);
        Ok(())
    }
    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        Ok(self.tag().to_vec())
    }
    fn signature_len(&self) -> usize {
        self.tag_len
    }
}

impl VerifyOp for MacOp {
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        self.prf.update(data);
        Ok(())
    }
    /// Wrong length is CKR_SIGNATURE_LEN_RANGE; the comparison itself takes
    /// the same time whatever the bytes.
    fn finalize(&mut self, signature: &[u8]) -> CkResult<()> {
        if signature.len() != self.tag_len {
            return Err(CKR_SIGNATURE_LEN_RANGE);
        }
        if bool::from(self.tag().as_slice().ct_eq(signature)) {
            Ok(())
        } else {
            Err(CKR_SIGNATURE_INVALID)
        }
    }
}

/// What sign_init and verify_init share: the algorithm, the MAC length
/// from the parameter, and the keyed state.
fn prepare(m: &CkMechanism, key: &Object) -> CkResult<MacOp> {
    let alg = ALGS
        .iter()
        .find(|a| a.mech == m.kind || a.general == m.kind)
        .ok_or(CKR_MECHANISM_INVALID)?;
    let tag_len = if m.kind == alg.general {
        // CK_MAC_GENERAL_PARAMS: the output length, at most the hash size.
        let n = ulong_param(&m.param)?;
        if n == 0 || n > alg.len as CK_ULONG {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        }
        n as usize
    } else {
        m.no_param()?;
        alg.len
    };
    check_key(key, CKO_SECRET_KEY, &[CKK_GENERIC_SECRET, alg.key_type])?;
    let value = key.require(CKA_VALUE)?;
    if !(1..=MAX_SECRET_LEN).contains(&value.len()) {
        return Err(CKR_KEY_SIZE_RANGE);
    }
    Ok(MacOp {
        prf: alg.keyed(value)?,
        tag_len,
    })
}

struct HmacMech;
static HMAC: HmacMech = HmacMech;

impl Mechanism for HmacMech {
    fn sign_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn SignOp>> {
        Ok(Box::new(prepare(m, key)?))
    }

    fn verify_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn VerifyOp>> {
        Ok(Box::new(prepare(m, key)?))
    }
}

/// The key type a secret-key generation mechanism makes: generic secret,
/// a per-hash HMAC key, or an HKDF key (3.1 "HKDF Key gen": "generates a
/// new random HKDF key. CKA_VALUE_LEN must be set in the template").
fn generated_type(kind: CK_ULONG) -> Option<CK_ULONG> {
    match kind {
        CKM_GENERIC_SECRET_KEY_GEN => Some(CKK_GENERIC_SECRET),
        CKM_HKDF_KEY_GEN => Some(CKK_HKDF),
        _ => ALGS.iter().find(|a| a.key_gen == kind).map(|a| a.key_type),
    }
}

/// Random secret keys of any length (the key generations above).
pub(crate) struct SecretKeyGen;
pub(crate) static SECRET_KEY_GEN: SecretKeyGen = SecretKeyGen;

impl Mechanism for SecretKeyGen {
    /// 3.1 "Generic secret key generation" (and the per-hash ones, which
    /// follow it): no parameter; CKA_VALUE_LEN (bytes) must be in the
    /// template. As in SoftHSMv2, an empty CKA_CHECK_VALUE in the template
    /// asks for no check value.
    fn generate_key(&self, m: &CkMechanism, template: &[Attribute]) -> CkResult<Generated> {
        m.no_param()?;
        let ckk = generated_type(m.kind).ok_or(CKR_MECHANISM_INVALID)?;
        if attr::find_ulong(template, CKA_CLASS)?.is_some_and(|c| c != CKO_SECRET_KEY)
            || attr::find_ulong(template, CKA_KEY_TYPE)?.is_some_and(|t| t != ckk)
        {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        let len = attr::find_ulong(template, CKA_VALUE_LEN)?.ok_or(CKR_TEMPLATE_INCOMPLETE)?;
        if len == 0 || len > MAX_SECRET_LEN as CK_ULONG {
            return Err(CKR_ATTRIBUTE_VALUE_INVALID);
        }
        let want_kcv = match attr::find(template, CKA_CHECK_VALUE) {
            None => true,
            Some([]) => false,
            Some(_) => return Err(CKR_ATTRIBUTE_VALUE_INVALID),
        };
        let value = random_bytes(len as usize)?;
        let mut out = vec![
            Attribute::ulong(CKA_KEY_TYPE, ckk),
            Attribute::ulong(CKA_VALUE_LEN, len),
            Attribute::new(CKA_VALUE, value.as_slice()),
        ];
        if want_kcv {
            out.push(Attribute::new(CKA_CHECK_VALUE, check_value(&value)));
        }
        Ok(out)
    }
}

pub fn register(r: &mut Registry) {
    r.add_key_type(&GENERIC_SECRET);
    for def in &HMAC_KEY_TYPES {
        r.add_key_type(def);
    }
    // Key sizes: bits for generic secret key generation (its section in
    // 3.1 says so); bytes for the per-hash key generations ("... key
    // generation": "in bytes") and for the HMAC mechanisms, as SoftHSMv2
    // reports.
    let max = MAX_SECRET_LEN as CK_ULONG;
    r.add(
        CKM_GENERIC_SECRET_KEY_GEN,
        info(8, max * 8, CKF_GENERATE),
        &SECRET_KEY_GEN,
    );
    for alg in &ALGS {
        r.add(alg.mech, info(1, max, CKF_SIGN | CKF_VERIFY), &HMAC);
        r.add(alg.general, info(1, max, CKF_SIGN | CKF_VERIFY), &HMAC);
        r.add(alg.key_gen, info(1, max, CKF_GENERATE), &SECRET_KEY_GEN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn key(ckk: CK_ULONG, value: &[u8]) -> Object {
        let mut attrs = AttrMap::new();
        attrs.insert(CKA_CLASS, Zeroizing::new(attr::ulong_bytes(CKO_SECRET_KEY)));
        attrs.insert(CKA_KEY_TYPE, Zeroizing::new(attr::ulong_bytes(ckk)));
        attrs.insert(CKA_VALUE, Zeroizing::new(value.to_vec()));
        complete_secret(CKO_SECRET_KEY, &mut attrs).unwrap();
        Object::new(attrs)
    }

    fn general(kind: CK_ULONG, len: CK_ULONG) -> CkMechanism {
        CkMechanism::with(kind, Param::Bytes(attr::ulong_bytes(len)))
    }

    fn sign(m: &CkMechanism, k: &Object, data: &[u8]) -> CkResult<Vec<u8>> {
        HMAC.sign_init(m, k)?.one_shot(data)
    }

    fn verify(m: &CkMechanism, k: &Object, data: &[u8], sig: &[u8]) -> CkResult<()> {
        HMAC.verify_init(m, k)?.one_shot(data, sig)
    }

    /// RFC 4231 test cases 1-4, 6, 7 (case 5, truncated, is below) and
    /// RFC 2202 for HMAC-SHA-1 (cases 1-4, 6, 7).
    #[test]
    fn rfc_4231_and_2202() {
        let key_aa_131 = [0xaa; 131];
        let key_aa_80 = [0xaa; 80];
        let seq: Vec<u8> = (1..=25).collect();
        let big_msg: &[u8] = b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.";
        let inputs: [(&[u8], &[u8]); 6] = [
            (&[0x0b; 20], b"Hi There"),
            (b"Jefe", b"what do ya want for nothing?"),
            (&[0xaa; 20], &[0xdd; 50]),
            (&seq, &[0xcd; 50]),
            (
                &key_aa_131,
                b"Test Using Larger Than Block-Size Key - Hash Key First",
            ),
            (&key_aa_131, big_msg),
        ];
        let want: [(CK_ULONG, [&str; 6]); 4] = [
            (
                CKM_SHA224_HMAC,
                [
                    "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
                    "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
                    "7fb3cb3588c6c1f6ffa9694d7d6ad2649365b0c1f65d69d1ec8333ea",
                    "6c11506874013cac6a2abc1bb382627cec6a90d86efc012de7afec5a",
                    "95e9a0db962095adaebe9b2d6f0dbce2d499f112f2d2b7273fa6870e",
                    "3a854166ac5d9f023f54d517d0b39dbd946770db9c2b95c9f6f565d1",
                ],
            ),
            (
                CKM_SHA256_HMAC,
                [
                    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                    "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
                    "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
                    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
                    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
                ],
            ),
            (
                CKM_SHA384_HMAC,
                [
                    "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
                    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
                    "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
                    "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
                    "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
                    "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
                ],
            ),
            (
                CKM_SHA512_HMAC,
                [
                    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
                    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
                    "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
                    "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
                    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
                    "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
                ],
            ),
        ];
        for (mech, tags) in want {
            for ((k, msg), tag) in inputs.iter().zip(tags) {
                let k = key(CKK_GENERIC_SECRET, k);
                let m = CkMechanism::new(mech);
                assert_eq!(sign(&m, &k, msg).unwrap(), hex(tag), "{mech:#x}");
                assert_eq!(verify(&m, &k, msg, &hex(tag)), Ok(()));
            }
        }
        let sha1_inputs: [(&[u8], &[u8], &str); 6] = [
            (
                &[0x0b; 20],
                b"Hi There",
                "b617318655057264e28bc0b6fb378c8ef146be00",
            ),
            (
                b"Jefe",
                b"what do ya want for nothing?",
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            ),
            (
                &[0xaa; 20],
                &[0xdd; 50],
                "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
            ),
            (
                &seq,
                &[0xcd; 50],
                "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
            ),
            (
                &key_aa_80,
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "aa4ae5e15272d00e95705637ce8a3b55ed402112",
            ),
            (
                &key_aa_80,
                b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
                "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
            ),
        ];
        for (k, msg, tag) in sha1_inputs {
            let k = key(CKK_SHA_1_HMAC, k);
            assert_eq!(
                sign(&CkMechanism::new(CKM_SHA_1_HMAC), &k, msg).unwrap(),
                hex(tag)
            );
        }
    }

    /// RFC 4231 test case 5 (output truncated to 128 bits) through the
    /// _GENERAL mechanisms, and RFC 2202 case 5 (HMAC-SHA-1-96).
    #[test]
    fn truncated_general() {
        let k = key(CKK_GENERIC_SECRET, &[0x0c; 20]);
        let msg = b"Test With Truncation";
        for (mech, len, tag) in [
            (
                CKM_SHA224_HMAC_GENERAL,
                16,
                "0e2aea68a90c8d37c988bcdb9fca6fa8",
            ),
            (
                CKM_SHA256_HMAC_GENERAL,
                16,
                "a3b6167473100ee06e0c796c2955552b",
            ),
            (
                CKM_SHA384_HMAC_GENERAL,
                16,
                "3abf34c3503b2a23a46efc619baef897",
            ),
            (
                CKM_SHA512_HMAC_GENERAL,
                16,
                "415fad6271580a531d4179bc891d87a6",
            ),
            (CKM_SHA_1_HMAC_GENERAL, 12, "4c1a03424b55e07fe7f27be1"),
        ] {
            let m = general(mech, len);
            assert_eq!(
                HMAC.sign_init(&m, &k).unwrap().signature_len(),
                len as usize
            );
            assert_eq!(sign(&m, &k, msg).unwrap(), hex(tag));
            assert_eq!(verify(&m, &k, msg, &hex(tag)), Ok(()));
            // A full-length tag is the wrong length for this parameter.
            let full = sign(
                &CkMechanism::new(ALGS.iter().find(|a| a.general == mech).unwrap().mech),
                &k,
                msg,
            )
            .unwrap();
            assert_eq!(verify(&m, &k, msg, &full), Err(CKR_SIGNATURE_LEN_RANGE));
        }
        for bad in [0, 33] {
            assert_eq!(
                HMAC.sign_init(&general(CKM_SHA256_HMAC_GENERAL, bad), &k)
                    .err(),
                Some(CKR_MECHANISM_PARAM_INVALID)
            );
        }
        let no_param = CkMechanism::new(CKM_SHA256_HMAC_GENERAL);
        assert_eq!(
            HMAC.sign_init(&no_param, &k).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        let short = CkMechanism::with(CKM_SHA256_HMAC_GENERAL, Param::Bytes(vec![16, 0, 0, 0]));
        assert_eq!(
            HMAC.sign_init(&short, &k).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
    }

    /// SHA-3 HMACs: NIST CSRC "HMAC_SHA3-224/256/384/512" examples 1 and 2
    /// (key 00 01 02 ... of the hash length, then of the block length).
    /// SHA-512/224, SHA-512/256 (no NIST example file): the same inputs,
    /// answers from CPython's `hmac`. The key longer than a block (hashed
    /// first) is checked against CPython's `hmac` for all six.
    #[test]
    fn sha3_and_sha512_t() {
        let seq = |n: usize| (0..n).map(|i| i as u8).collect::<Vec<u8>>();
        let cases: [(CK_ULONG, usize, usize, [&str; 3]); 6] = [
            (
                CKM_SHA3_224_HMAC,
                28,
                144,
                [
                    "332cfd59347fdb8e576e77260be4aba2d6dc53117b3bfb52c6d18c04",
                    "d8b733bcf66c644a12323d564e24dcf3fc75f231f3b67968359100c7",
                    "f0e4f4cc58eae511dda05f43b52d2a8328d3d841986cb1a0e2c5ac2a",
                ],
            ),
            (
                CKM_SHA3_256_HMAC,
                32,
                136,
                [
                    "4fe8e202c4f058e8dddc23d8c34e467343e23555e24fc2f025d598f558f67205",
                    "68b94e2e538a9be4103bebb5aa016d47961d4d1aa906061313b557f8af2c3faa",
                    "b9da693edadb9e3c79ced534dd34a3bc380d966c9bd58f0a03d0b60964404f06",
                ],
            ),
            (
                CKM_SHA3_384_HMAC,
                48,
                104,
                [
                    "d588a3c51f3f2d906e8298c1199aa8ff6296218127f6b38a90b6afe2c5617725bc99987f79b22a557b6520db710b7f42",
                    "a27d24b592e8c8cbf6d4ce6fc5bf62d8fc98bf2d486640d9eb8099e24047837f5f3bffbe92dcce90b4ed5b1e7e44fa90",
                    "e126762bb49f3780689e8f2b65d1cec556f6de63507409582647e09329737ec5f5e8a4eba798687b3678b7b0491b56be",
                ],
            ),
            (
                CKM_SHA3_512_HMAC,
                64,
                72,
                [
                    "4efd629d6c71bf86162658f29943b1c308ce27cdfa6db0d9c3ce81763f9cbce5f7ebe9868031db1a8f8eb7b6b95e5c5e3f657a8996c86a2f6527e307f0213196",
                    "544e257ea2a3e5ea19a590e6a24b724ce6327757723fe2751b75bf007d80f6b360744bf1b7a88ea585f9765b47911976d3191cf83c039f5ffab0d29cc9d9b6da",
                    "cb50bfbac703e59555321bc608a2af261006e3df1ce6882f7f171fb276b9e8353295cd4d98868c80326cbd70cef30aad4c3329b75e732c87496dbd484556cec7",
                ],
            ),
            (
                CKM_SHA512_224_HMAC,
                28,
                128,
                [
                    "",
                    "40ee7e692cb14386134f125f57c2dd9f4501545eb1adc217a9ce9843",
                    "4051cf7cf04ccdf58581d80ebb8d9682ab40b052c4cb0f78fec9abbd",
                ],
            ),
            (
                CKM_SHA512_256_HMAC,
                32,
                128,
                [
                    "",
                    "25a3d3f3693d21aaddf3c8e3242f7b3ebc72e9c641a4501fd3d52f35e84cb46b",
                    "01fa5ddaccf502248a7210c579c0376415aaa6de265eb6c41dc32e36f46646b3",
                ],
            ),
        ];
        for (mech, len, block, [short, equal, long]) in cases {
            let alg = by_mech(mech).unwrap();
            assert_eq!(alg.len, len);
            let inputs: [(Vec<u8>, &[u8], &str); 3] = [
                (seq(len), b"Sample message for keylen<blocklen", short),
                (seq(block), b"Sample message for keylen=blocklen", equal),
                (seq(block + 4), b"Sample message for keylen>blocklen", long),
            ];
            for (k, msg, tag) in inputs {
                if tag.is_empty() {
                    continue;
                }
                for ckk in [CKK_GENERIC_SECRET, alg.key_type] {
                    let k = key(ckk, &k);
                    let m = CkMechanism::new(mech);
                    assert_eq!(sign(&m, &k, msg).unwrap(), hex(tag), "{mech:#x}");
                    assert_eq!(verify(&m, &k, msg, &hex(tag)), Ok(()));
                    // Multi-part and the truncated _GENERAL form.
                    let mut op = HMAC.sign_init(&m, &k).unwrap();
                    op.update(&msg[..7]).unwrap();
                    op.update(&msg[7..]).unwrap();
                    assert_eq!(op.finalize().unwrap(), hex(tag));
                    let g = general(alg.general, 10);
                    assert_eq!(sign(&g, &k, msg).unwrap(), hex(&tag[..20]));
                    assert_eq!(verify(&g, &k, msg, &hex(&tag[..20])), Ok(()));
                }
            }
        }
        // RFC 4231 test cases 1 and 2 inputs for SHA-512/224 and /256
        // (answers from CPython's `hmac`).
        for (mech, t1, t2) in [
            (
                CKM_SHA512_224_HMAC,
                "b244ba01307c0e7a8ccaad13b1067a4cf6b961fe0c6a20bda3d92039",
                "4a530b31a79ebcce36916546317c45f247d83241dfb818fd37254bde",
            ),
            (
                CKM_SHA512_256_HMAC,
                "9f9126c3d9c3c330d760425ca8a217e31feae31bfe70196ff81642b868402eab",
                "6df7b24630d5ccb2ee335407081a87188c221489768fa2020513b2d593359456",
            ),
        ] {
            let m = CkMechanism::new(mech);
            let k1 = key(CKK_GENERIC_SECRET, &[0x0b; 20]);
            assert_eq!(sign(&m, &k1, b"Hi There").unwrap(), hex(t1));
            let k2 = key(CKK_GENERIC_SECRET, b"Jefe");
            assert_eq!(
                sign(&m, &k2, b"what do ya want for nothing?").unwrap(),
                hex(t2)
            );
        }
        // A SHA-3 key type is refused by the SHA-2 mechanism and vice versa.
        assert_eq!(
            HMAC.sign_init(
                &CkMechanism::new(CKM_SHA256_HMAC),
                &key(CKK_SHA3_256_HMAC, b"k")
            )
            .err(),
            Some(CKR_KEY_TYPE_INCONSISTENT)
        );
        assert_eq!(
            HMAC.sign_init(
                &general(CKM_SHA3_256_HMAC_GENERAL, 33),
                &key(CKK_SHA3_256_HMAC, b"k")
            )
            .err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
    }

    /// The keyed state is reusable: `tag` does not consume it, clones are
    /// independent.
    #[test]
    fn prf_states() {
        for alg in &ALGS {
            let mut a = alg.keyed(b"key").unwrap();
            let fresh = a.box_clone();
            a.update(b"abc");
            let t1 = a.tag();
            assert_eq!(a.tag(), t1);
            let mut b = fresh.box_clone();
            b.update(b"ab");
            b.update(b"c");
            assert_eq!(b.tag(), t1);
            assert_ne!(fresh.tag(), t1);
            assert_eq!(t1.len(), alg.len);
            assert_eq!(by_hash(alg.hash).unwrap().mech, alg.mech);
        }
    }

    #[test]
    fn multi_part_and_verify_errors() {
        let k = key(CKK_SHA256_HMAC, b"key");
        let m = CkMechanism::new(CKM_SHA256_HMAC);
        let whole = sign(&m, &k, b"The quick brown fox jumps over the lazy dog").unwrap();
        assert_eq!(
            whole,
            hex("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        );
        let mut op = HMAC.sign_init(&m, &k).unwrap();
        for part in [
            &b"The quick brown "[..],
            b"",
            b"fox jumps over the lazy dog",
        ] {
            op.update(part).unwrap();
        }
        assert_eq!(op.finalize().unwrap(), whole);
        let mut v = HMAC.verify_init(&m, &k).unwrap();
        v.update(b"The quick brown fox ").unwrap();
        v.update(b"jumps over the lazy dog").unwrap();
        assert_eq!(v.finalize(&whole), Ok(()));
        let mut bad = whole.clone();
        bad[31] ^= 1;
        assert_eq!(
            verify(&m, &k, b"The quick brown fox jumps over the lazy dog", &bad),
            Err(CKR_SIGNATURE_INVALID)
        );
        assert_eq!(
            verify(&m, &k, b"x", &whole[..31]),
            Err(CKR_SIGNATURE_LEN_RANGE)
        );
        assert_eq!(
            verify(&m, &k, b"x", &[whole.clone(), vec![0]].concat()),
            Err(CKR_SIGNATURE_LEN_RANGE)
        );
        assert_eq!(verify(&m, &k, b"x", &[]), Err(CKR_SIGNATURE_LEN_RANGE));
    }

    #[test]
    fn key_checks() {
        let m = CkMechanism::new(CKM_SHA256_HMAC);
        // The other hash's HMAC key type is refused; generic secret is not.
        assert_eq!(
            HMAC.sign_init(&m, &key(CKK_SHA384_HMAC, b"k")).err(),
            Some(CKR_KEY_TYPE_INCONSISTENT)
        );
        assert!(HMAC.sign_init(&m, &key(CKK_GENERIC_SECRET, b"k")).is_ok());
        let mut aes = key(CKK_GENERIC_SECRET, &[0; 16]);
        aes.attrs
            .insert(CKA_KEY_TYPE, Zeroizing::new(attr::ulong_bytes(CKK_AES)));
        assert_eq!(
            HMAC.verify_init(&m, &aes).err(),
            Some(CKR_KEY_TYPE_INCONSISTENT)
        );
        let mut private = key(CKK_GENERIC_SECRET, b"k");
        private.attrs.insert(
            CKA_CLASS,
            Zeroizing::new(attr::ulong_bytes(CKO_PRIVATE_KEY)),
        );
        assert_eq!(
            HMAC.sign_init(&m, &private).err(),
            Some(CKR_KEY_TYPE_INCONSISTENT)
        );
        let mut empty = key(CKK_GENERIC_SECRET, b"k");
        empty.attrs.insert(CKA_VALUE, Zeroizing::new(vec![]));
        assert_eq!(HMAC.sign_init(&m, &empty).err(), Some(CKR_KEY_SIZE_RANGE));
        let with_param = CkMechanism::with(CKM_SHA256_HMAC, Param::Bytes(vec![1]));
        assert_eq!(
            HMAC.sign_init(&with_param, &key(CKK_GENERIC_SECRET, b"k"))
                .err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
    }

    #[test]
    fn complete_rules() {
        let map = |pairs: &[(CK_ULONG, Vec<u8>)]| -> AttrMap {
            pairs
                .iter()
                .map(|(k, v)| (*k, Zeroizing::new(v.clone())))
                .collect()
        };
        let mut a = map(&[(CKA_VALUE, vec![1, 2, 3])]);
        complete_secret(CKO_SECRET_KEY, &mut a).unwrap();
        assert_eq!(
            a[&CKA_VALUE_LEN].as_slice(),
            attr::ulong_bytes(3).as_slice()
        );
        // SHA-1(01 02 03) = 7037807198c22a7d2b0807371d763779a84fdfcf
        assert_eq!(a[&CKA_CHECK_VALUE].as_slice(), &[0x70, 0x37, 0x80]);
        let mut consistent = map(&[
            (CKA_VALUE, vec![1, 2, 3]),
            (CKA_VALUE_LEN, attr::ulong_bytes(3)),
            (CKA_CHECK_VALUE, vec![0x70, 0x37, 0x80]),
        ]);
        assert_eq!(complete_secret(CKO_SECRET_KEY, &mut consistent), Ok(()));
        let mut no_kcv = map(&[(CKA_VALUE, vec![1, 2, 3]), (CKA_CHECK_VALUE, vec![])]);
        assert_eq!(complete_secret(CKO_SECRET_KEY, &mut no_kcv), Ok(()));
        assert!(no_kcv[&CKA_CHECK_VALUE].is_empty());
        let mut bad_kcv = map(&[(CKA_VALUE, vec![1, 2, 3]), (CKA_CHECK_VALUE, vec![0, 0, 0])]);
        assert_eq!(
            complete_secret(CKO_SECRET_KEY, &mut bad_kcv),
            Err(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        let mut bad_len = map(&[
            (CKA_VALUE, vec![1, 2, 3]),
            (CKA_VALUE_LEN, attr::ulong_bytes(4)),
        ]);
        assert_eq!(
            complete_secret(CKO_SECRET_KEY, &mut bad_len),
            Err(CKR_TEMPLATE_INCONSISTENT)
        );
        assert_eq!(
            complete_secret(CKO_SECRET_KEY, &mut map(&[(CKA_VALUE, vec![])])),
            Err(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        let too_long = vec![0; MAX_SECRET_LEN + 1];
        assert_eq!(
            complete_secret(CKO_SECRET_KEY, &mut map(&[(CKA_VALUE, too_long)])),
            Err(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        assert_eq!(
            complete_secret(CKO_SECRET_KEY, &mut map(&[])),
            Err(CKR_TEMPLATE_INCOMPLETE)
        );
        assert_eq!(
            complete_secret(CKO_PRIVATE_KEY, &mut map(&[(CKA_VALUE, vec![1])])),
            Err(CKR_TEMPLATE_INCONSISTENT)
        );
    }

    #[test]
    fn generate() {
        let keygen = |t: &[Attribute]| {
            SECRET_KEY_GEN.generate_key(&CkMechanism::new(CKM_GENERIC_SECRET_KEY_GEN), t)
        };
        let out = keygen(&[Attribute::ulong(CKA_VALUE_LEN, 48)]).unwrap();
        let value = attr::find(&out, CKA_VALUE).unwrap().to_vec();
        assert_eq!(value.len(), 48);
        assert_eq!(
            attr::find_ulong(&out, CKA_KEY_TYPE),
            Ok(Some(CKK_GENERIC_SECRET))
        );
        assert_eq!(
            attr::find(&out, CKA_CHECK_VALUE),
            Some(check_value(&value).as_slice())
        );
        let other = keygen(&[Attribute::ulong(CKA_VALUE_LEN, 48)]).unwrap();
        assert_ne!(attr::find(&other, CKA_VALUE).unwrap(), value.as_slice());
        let no_kcv = keygen(&[
            Attribute::ulong(CKA_VALUE_LEN, 1),
            Attribute::new(CKA_CHECK_VALUE, vec![]),
        ])
        .unwrap();
        assert_eq!(attr::find(&no_kcv, CKA_CHECK_VALUE), None);
        assert_eq!(keygen(&[]), Err(CKR_TEMPLATE_INCOMPLETE));
        assert_eq!(
            keygen(&[Attribute::ulong(CKA_VALUE_LEN, 0)]),
            Err(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        assert_eq!(
            keygen(&[Attribute::ulong(
                CKA_VALUE_LEN,
                MAX_SECRET_LEN as CK_ULONG + 1
            )]),
            Err(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        assert_eq!(
            keygen(&[Attribute::new(CKA_VALUE_LEN, vec![1])]),
            Err(CKR_ATTRIBUTE_VALUE_INVALID)
        );
        let wrong_type = [
            Attribute::ulong(CKA_VALUE_LEN, 16),
            Attribute::ulong(CKA_KEY_TYPE, CKK_AES),
        ];
        assert_eq!(keygen(&wrong_type), Err(CKR_TEMPLATE_INCONSISTENT));
        let kcv_given = [
            Attribute::ulong(CKA_VALUE_LEN, 16),
            Attribute::new(CKA_CHECK_VALUE, vec![1, 2, 3]),
        ];
        assert_eq!(keygen(&kcv_given), Err(CKR_ATTRIBUTE_VALUE_INVALID));
        let m = CkMechanism::with(CKM_GENERIC_SECRET_KEY_GEN, Param::Bytes(vec![0]));
        assert_eq!(
            SECRET_KEY_GEN.generate_key(&m, &[Attribute::ulong(CKA_VALUE_LEN, 16)]),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
    }

    #[test]
    fn registered() {
        let mut r = Registry::default();
        register(&mut r);
        assert_eq!(
            r.info(CKM_SHA384_HMAC).unwrap().flags,
            CKF_SIGN | CKF_VERIFY
        );
        assert_eq!(
            r.info(CKM_SHA_1_HMAC_GENERAL).unwrap().flags,
            CKF_SIGN | CKF_VERIFY
        );
        assert_eq!(
            r.info(CKM_GENERIC_SECRET_KEY_GEN).unwrap().flags,
            CKF_GENERATE
        );
        for ckk in [CKK_GENERIC_SECRET]
            .into_iter()
            .chain(ALGS.iter().map(|a| a.key_type))
        {
            let def = r.key_type(ckk).unwrap();
            assert!(def.public.is_empty() && def.private.is_empty() && !def.secret.is_empty());
        }
        // 11 hashes x (HMAC, HMAC_GENERAL, key gen) + generic secret key gen.
        assert_eq!(r.list().len(), 34);
        for alg in &ALGS {
            assert_eq!(r.info(alg.key_gen).unwrap().flags, CKF_GENERATE);
            let out = SECRET_KEY_GEN
                .generate_key(
                    &CkMechanism::new(alg.key_gen),
                    &[Attribute::ulong(CKA_VALUE_LEN, 24)],
                )
                .unwrap();
            assert_eq!(attr::find_ulong(&out, CKA_KEY_TYPE), Ok(Some(alg.key_type)));
            let wrong = [
                Attribute::ulong(CKA_VALUE_LEN, 24),
                Attribute::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
            ];
            assert_eq!(
                SECRET_KEY_GEN.generate_key(&CkMechanism::new(alg.key_gen), &wrong),
                Err(CKR_TEMPLATE_INCONSISTENT)
            );
        }
        assert_eq!(
            SECRET_KEY_GEN.generate_key(
                &CkMechanism::new(CKM_AES_KEY_GEN),
                &[Attribute::ulong(CKA_VALUE_LEN, 16)]
            ),
            Err(CKR_MECHANISM_INVALID)
        );
    }
}
