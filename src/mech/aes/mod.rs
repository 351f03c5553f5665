//! AES: the CKK_AES key type, CKM_AES_KEY_GEN and the ECB, CBC, CBC_PAD,
//! CTR and GCM ciphers (PKCS#11 3.1 "Current Mechanisms": sections "AES",
//! "AES with Counter" and "AES-GCM authenticated Encryption / Decryption"),
//! AES-CTS, the key wraps (KW, KWP, and the 2.40 KEY_WRAP_PAD: see `kw`),
//! CMAC, and key derivation by data encryption (ECB/CBC_ENCRYPT_DATA).
//!
//! Every mode is built here on one AES block cipher whose key size is
//! chosen at run time, so buffering, cloning and wiping work the same way
//! for all of them: the RustCrypto mode crates fix the key size in the type,
//! have no counter of arbitrary width (CK_AES_CTR_PARAMS.ulCounterBits), and
//! `aes-gcm` neither streams nor takes IVs whose length is known only at run
//! time. GCM follows NIST SP 800-38D with GHASH from the `ghash` crate. The
//! tests check each mode against NIST and Wycheproof vectors and against the
//! RustCrypto crates.

mod block;
mod cmac;
mod core;
mod ctr;
mod cts;
mod encrypt_data;
mod gcm;
mod ghash;
pub mod host;
mod kw;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_host;
#[cfg(test)]
mod tests_more;
mod tower;
pub(crate) mod vector;

use zeroize::Zeroizing;

// For CKM_RSA_AES_KEY_WRAP and other users of the AES primitives.
pub(crate) use self::gcm::gcm_cipher;
pub(crate) use self::gcm::{open as gcm_open, seal as gcm_seal};
pub(crate) use self::kw::{kwp_unwrap, kwp_wrap};

use self::block::{BlockOp, Cipher, Mode};
use self::cmac::Cmac;
use self::ctr::CtrOp;
use self::cts::CtsOp;
use self::kw::{KeyWrapOp, Variant};
use super::{
    CipherOp, CkMechanism, Generated, KeyLookup, KeyTypeDef, Mechanism, Param, Registry, SignOp,
    VerifyOp, check_key, info, random_bytes,
};
use crate::CK_ULONG;
use crate::attr::policy::{AttrMap, Default as AttrDefault, Kind, Rule, flag};
use crate::attr::{Attribute, find_ulong, parse_ulong, ulong_bytes};
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

const BLOCK: usize = 16;

/// C_GenerateKey with a CKA_VALUE_LEN other than 16, 24 or 32: the base
/// spec's code for an invalid value of a valid attribute (section 4.1.1),
/// as SoftHSMv2 answers (kryoptic answers CKR_KEY_SIZE_RANGE).
const BAD_GEN_LEN: CK_ULONG = CKR_ATTRIBUTE_VALUE_INVALID;

/// GCM tag lengths allowed by NIST SP 800-38D section 5.2.1.2. The 3.1 text
/// allows any ulTagBits up to 128, but tags that are not whole bytes cannot
/// be appended to the ciphertext, and shorter ones are forgeable.
const GCM_TAG_BITS: [CK_ULONG; 7] = [32, 64, 96, 104, 112, 120, 128];

// ---------------------------------------------------------------------------
// Key type

static AES_SECRET: &[Rule] = &[
    Rule {
        kind: CKA_VALUE,
        value: Kind::Bytes,
        flags: flag::REQ_CREATE | flag::NO_GEN | flag::NO_UNWRAP | flag::SENSITIVE,
        default: AttrDefault::None,
    },
    // Lenient: may also be given on create/unwrap if it matches CKA_VALUE.
    Rule {
        kind: CKA_VALUE_LEN,
        value: Kind::Ulong,
        flags: flag::REQ_GEN,
        default: AttrDefault::None,
    },
];

/// CKK_AES: secret keys only ("AES secret key objects").
pub static AES_KEY: KeyTypeDef = KeyTypeDef {
    ckk: CKK_AES,
    public: &[],
    private: &[],
    secret: AES_SECRET,
    complete,
    export_private: None,
    import_private: None,
};

/// Checks CKA_VALUE is an AES key and sets CKA_VALUE_LEN from it.
fn complete(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
    if class != CKO_SECRET_KEY {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    let len = attrs.get(&CKA_VALUE).ok_or(CKR_TEMPLATE_INCOMPLETE)?.len() as CK_ULONG;
    if !matches!(len, 16 | 24 | 32) {
        return Err(CKR_ATTRIBUTE_VALUE_INVALID);
    }
    if let Some(given) = attrs.get(&CKA_VALUE_LEN)
        && parse_ulong(given)? != len
    {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    attrs.insert(CKA_VALUE_LEN, Zeroizing::new(ulong_bytes(len)));
    Ok(())
}

// ---------------------------------------------------------------------------
// Registration

/// All AES mechanisms: one stateless implementation dispatching on the type.
pub struct Aes;

static AES: Aes = Aes;

pub fn register(r: &mut Registry) {
    let cipher = CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP | CKF_UNWRAP;
    r.add(CKM_AES_KEY_GEN, info(16, 32, CKF_GENERATE), &AES);
    r.add(CKM_AES_ECB, info(16, 32, cipher), &AES);
    r.add(CKM_AES_CBC, info(16, 32, cipher), &AES);
    r.add(CKM_AES_CBC_PAD, info(16, 32, cipher), &AES);
    r.add(CKM_AES_CTR, info(16, 32, CKF_ENCRYPT | CKF_DECRYPT), &AES);
    r.add(CKM_AES_GCM, info(16, 32, cipher), &AES);
    r.add(CKM_AES_CTS, info(16, 32, CKF_ENCRYPT | CKF_DECRYPT), &AES);
    // Key wrap: the 3.x table allows encrypt/decrypt as well as wrap/unwrap
    // for all of them (SoftHSMv2 lists only wrap/unwrap).
    r.add(CKM_AES_KEY_WRAP, info(16, 32, cipher), &AES);
    r.add(CKM_AES_KEY_WRAP_KWP, info(16, 32, cipher), &AES);
    r.add(CKM_AES_KEY_WRAP_PAD, info(16, 32, cipher), &AES);
    r.add(CKM_AES_KEY_WRAP_PKCS7, info(16, 32, cipher), &AES);
    r.add(CKM_AES_CMAC, info(16, 32, CKF_SIGN | CKF_VERIFY), &AES);
    r.add(
        CKM_AES_CMAC_GENERAL,
        info(16, 32, CKF_SIGN | CKF_VERIFY),
        &AES,
    );
    r.add(CKM_AES_ECB_ENCRYPT_DATA, info(16, 32, CKF_DERIVE), &AES);
    r.add(CKM_AES_CBC_ENCRYPT_DATA, info(16, 32, CKF_DERIVE), &AES);
    r.add_key_type(&AES_KEY);
}

impl Mechanism for Aes {
    /// ECB and CBC have no padding: a wrapped secret is zero-padded to
    /// the block size (PKCS#11 3.1 mechanisms, AES-ECB/CBC wrapping).
    /// CKM_AES_KEY_WRAP zero-pads a key value to the 8-byte semiblock
    /// (2.40 and 3.x text of "AES Key Wrap").
    fn wrap_block(&self, m: &CkMechanism) -> usize {
        match m.kind {
            CKM_AES_ECB | CKM_AES_CBC => 16,
            CKM_AES_KEY_WRAP => 8,
            _ => 1,
        }
    }
    fn encrypt_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn CipherOp>> {
        init(m, key, true)
    }

    fn decrypt_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn CipherOp>> {
        init(m, key, false)
    }

    fn sign_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn SignOp>> {
        Ok(Box::new(cmac_init(m, key)?))
    }

    fn verify_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn VerifyOp>> {
        Ok(Box::new(cmac_init(m, key)?))
    }

    fn derive(
        &self,
        m: &CkMechanism,
        base: &Object,
        len: Option<usize>,
        _keys: &dyn KeyLookup,
    ) -> CkResult<Zeroizing<Vec<u8>>> {
        if !matches!(m.kind, CKM_AES_ECB_ENCRYPT_DATA | CKM_AES_CBC_ENCRYPT_DATA) {
            return Err(CKR_MECHANISM_INVALID);
        }
        check_key(base, CKO_SECRET_KEY, &[CKK_AES])?;
        encrypt_data::derive(m, base, len)
    }

    /// "AES key generation": CKA_VALUE_LEN (bytes) is required.
    fn generate_key(&self, m: &CkMechanism, template: &[Attribute]) -> CkResult<Generated> {
        if m.kind != CKM_AES_KEY_GEN {
            return Err(CKR_MECHANISM_INVALID);
        }
        m.no_param()?;
        if find_ulong(template, CKA_CLASS)?.is_some_and(|c| c != CKO_SECRET_KEY)
            || find_ulong(template, CKA_KEY_TYPE)?.is_some_and(|t| t != CKK_AES)
        {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        let len = find_ulong(template, CKA_VALUE_LEN)?.ok_or(CKR_TEMPLATE_INCOMPLETE)?;
        if !matches!(len, 16 | 24 | 32) {
            return Err(BAD_GEN_LEN);
        }
        let value = random_bytes(len as usize)?;
        Ok(vec![
            Attribute::new(CKA_VALUE, value.as_slice()),
            Attribute::ulong(CKA_VALUE_LEN, len),
            Attribute::ulong(CKA_KEY_TYPE, CKK_AES),
        ])
    }
}

/// C_EncryptInit / C_DecryptInit for every AES cipher mechanism.
fn init(m: &CkMechanism, key: &Object, encrypt: bool) -> CkResult<Box<dyn CipherOp>> {
    check_key(key, CKO_SECRET_KEY, &[CKK_AES])?;
    let op: Box<dyn CipherOp> = match m.kind {
        CKM_AES_ECB => {
            m.no_param()?;
            Box::new(BlockOp::new(
                Cipher::new(key)?,
                Mode::Ecb,
                encrypt,
                [0; BLOCK],
            ))
        }
        CKM_AES_CBC | CKM_AES_CBC_PAD => {
            let iv = block_iv(m)?;
            let mode = if m.kind == CKM_AES_CBC {
                Mode::Cbc
            } else {
                Mode::CbcPad
            };
            Box::new(BlockOp::new(Cipher::new(key)?, mode, encrypt, iv))
        }
        CKM_AES_CTR => {
            let Param::Ctr {
                counter_bits,
                counter_block,
            } = &m.param
            else {
                return Err(CKR_MECHANISM_PARAM_INVALID);
            };
            let block = <[u8; BLOCK]>::try_from(counter_block.as_slice())
                .map_err(|_| CKR_MECHANISM_PARAM_INVALID)?;
            if !(1..=128).contains(counter_bits) {
                return Err(CKR_MECHANISM_PARAM_INVALID);
            }
            Box::new(CtrOp::new(
                Cipher::new(key)?,
                block,
                *counter_bits as u32,
                encrypt,
            ))
        }
        CKM_AES_GCM => {
            let Param::Gcm { iv, aad, tag_bits } = &m.param else {
                return Err(CKR_MECHANISM_PARAM_INVALID);
            };
            gcm_cipher(key, iv, aad, *tag_bits, encrypt)?
        }
        CKM_AES_CTS => Box::new(CtsOp::new(Cipher::new(key)?, block_iv(m)?, encrypt)),
        kind => match Variant::of(kind) {
            Some(variant) => Box::new(KeyWrapOp::new(
                Cipher::new(key)?,
                variant,
                &m.param,
                encrypt,
            )?),
            None => return Err(CKR_MECHANISM_INVALID),
        },
    };
    Ok(op)
}

/// A 16-byte IV given as the raw parameter.
fn block_iv(m: &CkMechanism) -> CkResult<[u8; BLOCK]> {
    match &m.param {
        Param::Bytes(iv) => {
            <[u8; BLOCK]>::try_from(iv.as_slice()).map_err(|_| CKR_MECHANISM_PARAM_INVALID)
        }
        _ => Err(CKR_MECHANISM_PARAM_INVALID),
    }
}

/// C_SignInit / C_VerifyInit for CKM_AES_CMAC(_GENERAL).
fn cmac_init(m: &CkMechanism, key: &Object) -> CkResult<Cmac> {
    let tag_len = match m.kind {
        CKM_AES_CMAC => {
            m.no_param()?;
            BLOCK
        }
        // CK_MAC_GENERAL_PARAMS: 8 little-endian bytes (a pkcs11js number).
        CKM_AES_CMAC_GENERAL => match &m.param {
            Param::Bytes(b) => match parse_ulong(b) {
                Ok(n @ 1..=16) => n as usize,
                _ => return Err(CKR_MECHANISM_PARAM_INVALID),
            },
            _ => return Err(CKR_MECHANISM_PARAM_INVALID),
        },
        _ => return Err(CKR_MECHANISM_INVALID),
    };
    check_key(key, CKO_SECRET_KEY, &[CKK_AES])?;
    Ok(Cmac::new(Cipher::new(key)?, tag_len))
}
