//! Generic secret keys and HMAC.
//!
//! - Key types CKK_GENERIC_SECRET (PKCS#11 3.1 "Generic secret key") and the
//!   3.x per-hash HMAC key types CKK_SHA_1_HMAC, CKK_SHA224_HMAC, ... (the
//!   "SHA-... HMAC key objects" of each hash's section), all with the same
//!   rules.
//! - CKM_GENERIC_SECRET_KEY_GEN ("Generic secret key generation").
//! - CKM_SHA*_HMAC and CKM_SHA*_HMAC_GENERAL (sections "General-length ...
//!   HMAC" and "... HMAC"): sign/verify, multi-part, keyed by a generic
//!   secret or the matching CKK_SHA*_HMAC key.
use digest::block_api::EagerHash;
use hmac::{Hmac, KeyInit, Mac};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

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

const fn secret_type(ckk: CK_ULONG) -> KeyTypeDef {
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
static SHA_1_HMAC_KEY: KeyTypeDef = secret_type(CKK_SHA_1_HMAC);
static SHA224_HMAC_KEY: KeyTypeDef = secret_type(CKK_SHA224_HMAC);
static SHA256_HMAC_KEY: KeyTypeDef = secret_type(CKK_SHA256_HMAC);
static SHA384_HMAC_KEY: KeyTypeDef = secret_type(CKK_SHA384_HMAC);
static SHA512_HMAC_KEY: KeyTypeDef = secret_type(CKK_SHA512_HMAC);

/// CKA_CHECK_VALUE of a generic secret: the first three bytes of the SHA-1
/// of CKA_VALUE (3.1 "Generic secret key objects").
fn check_value(value: &[u8]) -> Vec<u8> {
    use sha1::Digest;
    sha1::Sha1::digest(value)[..3].to_vec()
}

/// Validates a created, unwrapped or derived secret: a value of
/// 1..=MAX_SECRET_LEN bytes, a matching CKA_VALUE_LEN (filled in when
/// absent), and a matching CKA_CHECK_VALUE (computed when absent; an empty
/// one given by the caller means "none", as for C_GenerateKey).
fn complete_secret(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
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

/// One HMAC family member: its mechanisms, key type and hash.
struct HmacAlg {
    mech: CK_ULONG,
    general: CK_ULONG,
    key_type: CK_ULONG,
    /// The full MAC length (the hash output) in bytes.
    len: usize,
}

const ALGS: [HmacAlg; 5] = [
    HmacAlg {
        mech: CKM_SHA_1_HMAC,
        general: CKM_SHA_1_HMAC_GENERAL,
        key_type: CKK_SHA_1_HMAC,
        len: 20,
    },
    HmacAlg {
        mech: CKM_SHA224_HMAC,
        general: CKM_SHA224_HMAC_GENERAL,
        key_type: CKK_SHA224_HMAC,
        len: 28,
    },
    HmacAlg {
        mech: CKM_SHA256_HMAC,
        general: CKM_SHA256_HMAC_GENERAL,
        key_type: CKK_SHA256_HMAC,
        len: 32,
    },
    HmacAlg {
        mech: CKM_SHA384_HMAC,
        general: CKM_SHA384_HMAC_GENERAL,
        key_type: CKK_SHA384_HMAC,
        len: 48,
    },
    HmacAlg {
        mech: CKM_SHA512_HMAC,
        general: CKM_SHA512_HMAC_GENERAL,
        key_type: CKK_SHA512_HMAC,
        len: 64,
    },
];

/// A CK_ULONG mechanism parameter (CK_MAC_GENERAL_PARAMS): pkcs11js passes
/// it as a Buffer holding sizeof(CK_ULONG) = 8 little-endian bytes.
fn ulong_param(p: &Param) -> CkResult<CK_ULONG> {
    match p {
        Param::Bytes(b) => attr::parse_ulong(b).map_err(|_| CKR_MECHANISM_PARAM_INVALID),
        _ => Err(CKR_MECHANISM_PARAM_INVALID),
    }
}

/// An HMAC computation; the same op signs and verifies. The hash states
/// (which stand for the key) are wiped on drop by the digest crates'
/// `zeroize` feature.
struct MacOp<D: EagerHash> {
    mac: Hmac<D>,
    /// Bytes of the MAC to output or compare (the _GENERAL length).
    tag_len: usize,
}

impl<D: EagerHash> MacOp<D>
where
    Hmac<D>: Mac + KeyInit + Clone,
{
    fn boxed(key: &[u8], tag_len: usize) -> CkResult<Box<Self>> {
        let mac = <Hmac<D> as KeyInit>::new_from_slice(key).map_err(|_| CKR_KEY_SIZE_RANGE)?;
        Ok(Box::new(MacOp { mac, tag_len }))
    }

    fn tag(&self) -> Zeroizing<Vec<u8>> {
        // Finalize a copy: the op itself is not consumed.
        let full = self.mac.clone().finalize().into_bytes();
        Zeroizing::new(full.get(..self.tag_len).unwrap_or(&full).to_vec())
    }
}

impl<D: EagerHash + Send> SignOp for MacOp<D>
where
    Hmac<D>: Mac + KeyInit + Clone + Send,
{
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        Mac::update(&mut self.mac, data);
        Ok(())
    }
    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        Ok(self.tag().to_vec())
    }
    fn signature_len(&self) -> usize {
        self.tag_len
    }
}

impl<D: EagerHash + Send> VerifyOp for MacOp<D>
where
    Hmac<D>: Mac + KeyInit + Clone + Send,
{
    fn update(&mut self, data: &[u8]) -> CkResult<()> {
        Mac::update(&mut self.mac, data);
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
/// from the parameter, and the checked key value.
fn prepare<'k>(m: &CkMechanism, key: &'k Object) -> CkResult<(&'static HmacAlg, usize, &'k [u8])> {
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
    Ok((alg, tag_len, value))
}

/// The op for `alg`, boxed as whichever op trait the caller wants.
macro_rules! mac_op {
    ($alg:expr, $key:expr, $tag_len:expr) => {
        match $alg.mech {
            CKM_SHA_1_HMAC => MacOp::<sha1::Sha1>::boxed($key, $tag_len)? as _,
            CKM_SHA224_HMAC => MacOp::<sha2::Sha224>::boxed($key, $tag_len)? as _,
            CKM_SHA256_HMAC => MacOp::<sha2::Sha256>::boxed($key, $tag_len)? as _,
            CKM_SHA384_HMAC => MacOp::<sha2::Sha384>::boxed($key, $tag_len)? as _,
            CKM_SHA512_HMAC => MacOp::<sha2::Sha512>::boxed($key, $tag_len)? as _,
            _ => return Err(CKR_MECHANISM_INVALID),
        }
    };
}

struct HmacMech;
static HMAC: HmacMech = HmacMech;

impl Mechanism for HmacMech {
    fn sign_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn SignOp>> {
        let (alg, tag_len, value) = prepare(m, key)?;
        Ok(mac_op!(alg, value, tag_len))
    }

    fn verify_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn VerifyOp>> {
        let (alg, tag_len, value) = prepare(m, key)?;
        Ok(mac_op!(alg, value, tag_len))
    }
}

struct GenericSecretKeyGen;
static GENERIC_SECRET_KEY_GEN: GenericSecretKeyGen = GenericSecretKeyGen;

impl Mechanism for GenericSecretKeyGen {
    /// 3.1 "Generic secret key generation": no parameter; CKA_VALUE_LEN (bytes) must be
    /// in the template; the key is CKK_GENERIC_SECRET. As in SoftHSMv2, an
    /// empty CKA_CHECK_VALUE in the template asks for no check value.
    fn generate_key(&self, m: &CkMechanism, template: &[Attribute]) -> CkResult<Generated> {
        m.no_param()?;
        if attr::find_ulong(template, CKA_CLASS)?.is_some_and(|c| c != CKO_SECRET_KEY)
            || attr::find_ulong(template, CKA_KEY_TYPE)?.is_some_and(|t| t != CKK_GENERIC_SECRET)
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
            Attribute::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
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
    for def in [
        &GENERIC_SECRET,
        &SHA_1_HMAC_KEY,
        &SHA224_HMAC_KEY,
        &SHA256_HMAC_KEY,
        &SHA384_HMAC_KEY,
        &SHA512_HMAC_KEY,
    ] {
        r.add_key_type(def);
    }
    // Key sizes: bits for generic secret key generation (its section in
    // 3.1 says so); bytes for the HMAC mechanisms, as SoftHSMv2 reports.
    let max = MAX_SECRET_LEN as CK_ULONG;
    r.add(
        CKM_GENERIC_SECRET_KEY_GEN,
        info(8, max * 8, CKF_GENERATE),
        &GENERIC_SECRET_KEY_GEN,
    );
    for alg in &ALGS {
        r.add(alg.mech, info(1, max, CKF_SIGN | CKF_VERIFY), &HMAC);
        r.add(alg.general, info(1, max, CKF_SIGN | CKF_VERIFY), &HMAC);
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
            GENERIC_SECRET_KEY_GEN.generate_key(&CkMechanism::new(CKM_GENERIC_SECRET_KEY_GEN), t)
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
            GENERIC_SECRET_KEY_GEN.generate_key(&m, &[Attribute::ulong(CKA_VALUE_LEN, 16)]),
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
        for ckk in [
            CKK_GENERIC_SECRET,
            CKK_SHA_1_HMAC,
            CKK_SHA224_HMAC,
            CKK_SHA256_HMAC,
            CKK_SHA384_HMAC,
            CKK_SHA512_HMAC,
        ] {
            let def = r.key_type(ckk).unwrap();
            assert!(def.public.is_empty() && def.private.is_empty() && !def.secret.is_empty());
        }
    }
}
