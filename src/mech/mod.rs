//! Mechanisms: one trait whose methods default to "not supported by this
//! mechanism", implemented per algorithm family in its own file, and one
//! registry that also answers C_GetMechanismList / C_GetMechanismInfo.
//!
//! The engine (`module`) does every generic check before it calls in here:
//! session and operation state, that the registry lists the function for
//! the mechanism (info flags), key handle, key usage attribute, and
//! CKA_ALLOWED_MECHANISMS. A mechanism checks its parameters, the key's
//! class, type and size, and the data.
use std::collections::BTreeMap;
use std::sync::OnceLock;

use zeroize::Zeroizing;

use crate::CK_ULONG;
use crate::attr::Attribute;
use crate::attr::policy::{AttrMap, Rule};
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

pub mod aes;
pub mod chacha;
pub mod digest;
pub mod ec;
pub mod edwards;
mod field25519;
pub mod hmac;
pub mod kdf;
pub mod message;
pub mod mldsa;
pub mod mlkem;
pub mod montgomery;
pub mod proxy;
pub mod rsa;

/// The parameter of a CK_MECHANISM, decoded from the caller's form
/// (pkcs11js parameter objects, or a raw Buffer).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Param {
    #[default]
    None,
    /// A raw byte parameter: an IV (AES-CBC), a counter block, ...
    Bytes(Vec<u8>),
    /// CK_GCM_PARAMS (section 2.12.3 of the 3.1 mechanisms document).
    Gcm {
        iv: Vec<u8>,
        aad: Vec<u8>,
        tag_bits: CK_ULONG,
    },
    /// CK_AES_CTR_PARAMS.
    Ctr {
        counter_bits: CK_ULONG,
        counter_block: Vec<u8>,
    },
    /// CK_RSA_PKCS_OAEP_PARAMS.
    Oaep {
        hash_alg: CK_ULONG,
        mgf: CK_ULONG,
        source: CK_ULONG,
        source_data: Vec<u8>,
    },
    /// CK_RSA_PKCS_PSS_PARAMS.
    Pss {
        hash_alg: CK_ULONG,
        mgf: CK_ULONG,
        salt_len: CK_ULONG,
    },
    /// CK_ECDH1_DERIVE_PARAMS.
    Ecdh1 {
        kdf: CK_ULONG,
        shared_data: Vec<u8>,
        public_data: Vec<u8>,
    },
    // --- AES / ChaCha20 helper ---
    /// CK_AES_CBC_ENCRYPT_DATA_PARAMS (pkcs11js CK_PARAMS_AES_CBC).
    AesCbcEncryptData { iv: Vec<u8>, data: Vec<u8> },
    /// CK_SALSA20_CHACHA20_POLY1305_PARAMS (pkcs11-wasm tag 0x1002).
    ChaCha20Poly1305 { nonce: Vec<u8>, aad: Vec<u8> },
    // --- 3.x functions helper (message-based AEAD, see `message`) ---
    /// CK_GCM_MESSAGE_PARAMS (pkcs11-wasm tag 0x1009). `tag` is the
    /// caller's tag buffer: its length is the room for an output tag
    /// (encryption) or it holds the tag to check (decryption).
    GcmMessage {
        iv: Vec<u8>,
        iv_fixed_bits: CK_ULONG,
        iv_generator: CK_ULONG,
        tag: Vec<u8>,
        tag_bits: CK_ULONG,
    },
    /// CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS (pkcs11-wasm tag 0x100A).
    ChaCha20Poly1305Message { nonce: Vec<u8>, tag: Vec<u8> },
    // --- RSA / post-quantum helper ---
    /// CK_RSA_AES_KEY_WRAP_PARAMS (pkcs11-wasm tag 0x1007): its
    /// pOAEPParams is the `Param::Oaep` in `oaep`.
    RsaAesKeyWrap {
        aes_key_bits: CK_ULONG,
        oaep: Box<Param>,
    },
    /// CK_SIGN_ADDITIONAL_CONTEXT (pkcs11-wasm tag 0x1008; ML-DSA).
    SignAdditionalContext {
        hedge_variant: CK_ULONG,
        context: Vec<u8>,
    },
    // --- EC helper ---
    /// CK_EDDSA_PARAMS (pkcs11-wasm tag 0x1003; CKM_EDDSA).
    Eddsa { ph_flag: bool, context: Vec<u8> },
    // --- digest / KDF helper (see `kdf`) ---
    // CK_KEY_DERIVATION_STRING_DATA (tag 0x1001) is `Bytes` (its data).
    /// CK_HKDF_PARAMS (pkcs11-wasm tag 0x1004).
    Hkdf {
        extract: bool,
        expand: bool,
        prf_hash: CK_ULONG,
        salt_type: CK_ULONG,
        salt: Vec<u8>,
        salt_key: CK_ULONG,
        info: Vec<u8>,
    },
    /// CK_PKCS5_PBKD2_PARAMS2 (pkcs11-wasm tag 0x1005).
    Pbkdf2 {
        salt_source: CK_ULONG,
        salt: Vec<u8>,
        iterations: CK_ULONG,
        prf: CK_ULONG,
        prf_data: Vec<u8>,
        password: Zeroizing<Vec<u8>>,
    },
    /// CK_SP800_108_KDF_PARAMS without additional derived keys
    /// (pkcs11-wasm tag 0x1006).
    Sp800108 {
        prf_type: CK_ULONG,
        data_params: Vec<kdf::PrfDataParam>,
    },
}

/// A CK_MECHANISM: the type and its decoded parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CkMechanism {
    pub kind: CK_ULONG,
    pub param: Param,
}

impl CkMechanism {
    pub fn new(kind: CK_ULONG) -> Self {
        CkMechanism {
            kind,
            param: Param::None,
        }
    }
    pub fn with(kind: CK_ULONG, param: Param) -> Self {
        CkMechanism { kind, param }
    }
    /// Mechanisms that take no parameter must be given none.
    pub fn no_param(&self) -> CkResult<()> {
        match &self.param {
            Param::None => Ok(()),
            Param::Bytes(b) if b.is_empty() => Ok(()),
            _ => Err(CKR_MECHANISM_PARAM_INVALID),
        }
    }
}

/// CK_MECHANISM_INFO.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MechInfo {
    pub min_key_size: CK_ULONG,
    pub max_key_size: CK_ULONG,
    pub flags: CK_ULONG,
}

/// A single- or multi-part encryption or decryption in progress.
pub trait CipherOp: Send {
    /// C_Encrypt / C_Decrypt.
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>>;
    /// `one_shot` for C_WrapKey / C_UnwrapKey, whose input (or output) is
    /// key material: an implementation that copies data around wipes it.
    fn one_shot_key(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.one_shot(input)
    }
    /// C_EncryptUpdate / C_DecryptUpdate.
    fn update(&mut self, _input: &[u8]) -> CkResult<Vec<u8>> {
        Err(CKR_FUNCTION_NOT_SUPPORTED)
    }
    /// C_EncryptFinal / C_DecryptFinal.
    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        Err(CKR_FUNCTION_NOT_SUPPORTED)
    }
    /// An upper bound of the output for `input_len` more bytes (and the
    /// end of the operation when `last`): lets the engine answer
    /// CKR_BUFFER_TOO_SMALL without running the operation.
    fn output_bound(&self, input_len: usize, last: bool) -> usize;
    /// A copy to run a trial on when the caller's buffer is below the bound.
    fn box_clone(&self) -> Box<dyn CipherOp>;
}

/// A digest in progress.
pub trait DigestOp: Send {
    fn update(&mut self, data: &[u8]);
    fn finalize(&mut self) -> Vec<u8>;
    fn output_len(&self) -> usize;
}

/// A signature or MAC computation in progress.
pub trait SignOp: Send {
    /// C_Sign. Defaults to update + finalize.
    fn one_shot(&mut self, data: &[u8]) -> CkResult<Vec<u8>> {
        self.update(data)?;
        self.finalize()
    }
    fn update(&mut self, _data: &[u8]) -> CkResult<()> {
        Err(CKR_FUNCTION_NOT_SUPPORTED)
    }
    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        Err(CKR_FUNCTION_NOT_SUPPORTED)
    }
    /// Exact signature length (known at init for every mechanism here).
    fn signature_len(&self) -> usize;
}

/// A verification in progress: errors are CKR_SIGNATURE_INVALID or
/// CKR_SIGNATURE_LEN_RANGE (or CKR_DATA_LEN_RANGE for the data).
pub trait VerifyOp: Send {
    fn one_shot(&mut self, data: &[u8], signature: &[u8]) -> CkResult<()> {
        self.update(data)?;
        self.finalize(signature)
    }
    fn update(&mut self, _data: &[u8]) -> CkResult<()> {
        Err(CKR_FUNCTION_NOT_SUPPORTED)
    }
    fn finalize(&mut self, _signature: &[u8]) -> CkResult<()> {
        Err(CKR_FUNCTION_NOT_SUPPORTED)
    }
}

/// What a key generation returns: the attributes the token computed
/// (key material, CKA_KEY_TYPE, CKA_VALUE_LEN, CKA_MODULUS...). The engine
/// merges them over the caller's template.
pub type Generated = Vec<Attribute>;

/// One algorithm family's implementation. Every method defaults to
/// CKR_MECHANISM_INVALID; the registry's info flags say which are real.
pub trait Mechanism: Send + Sync {
    fn encrypt_init(&self, _m: &CkMechanism, _key: &Object) -> CkResult<Box<dyn CipherOp>> {
        Err(CKR_MECHANISM_INVALID)
    }
    fn decrypt_init(&self, _m: &CkMechanism, _key: &Object) -> CkResult<Box<dyn CipherOp>> {
        Err(CKR_MECHANISM_INVALID)
    }
    fn digest_init(&self, _m: &CkMechanism) -> CkResult<Box<dyn DigestOp>> {
        Err(CKR_MECHANISM_INVALID)
    }
    fn sign_init(&self, _m: &CkMechanism, _key: &Object) -> CkResult<Box<dyn SignOp>> {
        Err(CKR_MECHANISM_INVALID)
    }
    fn verify_init(&self, _m: &CkMechanism, _key: &Object) -> CkResult<Box<dyn VerifyOp>> {
        Err(CKR_MECHANISM_INVALID)
    }
    /// C_GenerateKey: `template` is the caller's (already policy-checked).
    fn generate_key(&self, _m: &CkMechanism, _template: &[Attribute]) -> CkResult<Generated> {
        Err(CKR_MECHANISM_INVALID)
    }
    /// C_GenerateKeyPair: returns (public, private) computed attributes.
    fn generate_key_pair(
        &self,
        _m: &CkMechanism,
        _public: &[Attribute],
        _private: &[Attribute],
    ) -> CkResult<(Generated, Generated)> {
        Err(CKR_MECHANISM_INVALID)
    }
    /// C_WrapKey of a secret key with a block mode that has no padding
    /// zero-pads the key value to a multiple of this size.
    fn wrap_block(&self, _m: &CkMechanism) -> usize {
        1
    }
    /// C_DeriveKey: the derived secret bytes.
    /// `len` is the CKA_VALUE_LEN of the caller's template (never 0), if
    /// given. A mechanism whose output length is a choice (a KDF) returns
    /// exactly `len` bytes, and CKR_TEMPLATE_INCOMPLETE when it is None
    /// (unless the mechanism has a natural length); one with a fixed
    /// output (ECDH with CKD_NULL) may ignore it: the engine keeps the
    /// trailing `len` bytes, or fails with CKR_TEMPLATE_INCONSISTENT if
    /// fewer came back.
    /// `keys` resolves other key handles a parameter names (e.g.
    /// CKM_CONCATENATE_BASE_AND_KEY), with the session's visibility rules.
    fn derive(
        &self,
        _m: &CkMechanism,
        _base: &Object,
        _len: Option<usize>,
        _keys: &dyn KeyLookup,
    ) -> CkResult<Zeroizing<Vec<u8>>> {
        Err(CKR_MECHANISM_INVALID)
    }
    /// C_EncapsulateKey (PKCS#11 3.2, key management functions): a fresh shared
    /// secret and its ciphertext under the public `key`, as
    /// (ciphertext, secret). The engine makes the secret a new key.
    fn encapsulate(
        &self,
        _m: &CkMechanism,
        _key: &Object,
    ) -> CkResult<(Vec<u8>, Zeroizing<Vec<u8>>)> {
        Err(CKR_MECHANISM_INVALID)
    }
    /// C_DecapsulateKey (PKCS#11 3.2): the shared secret that
    /// `ciphertext` carries for the private `key`.
    fn decapsulate(
        &self,
        _m: &CkMechanism,
        _key: &Object,
        _ciphertext: &[u8],
    ) -> CkResult<Zeroizing<Vec<u8>>> {
        Err(CKR_MECHANISM_INVALID)
    }
    /// C_UnwrapKey of a secret key takes its CKA_VALUE_LEN bytes from the
    /// end of the decrypted bytes rather than the start (CKM_RSA_X_509,
    /// whose plaintext is the key value left-padded with zeros).
    fn unwrap_from_end(&self, _m: &CkMechanism) -> bool {
        false
    }
}

/// Resolves a key handle named inside a mechanism parameter.
pub trait KeyLookup {
    /// The key object, or CKR_KEY_HANDLE_INVALID (or CKR_USER_NOT_LOGGED_IN).
    fn key(&self, handle: CK_ULONG) -> CkResult<&Object>;
}

/// A lookup that knows no keys: for callers (and tests) of mechanisms
/// whose parameters name none.
pub struct NoKeys;

impl KeyLookup for NoKeys {
    fn key(&self, _handle: CK_ULONG) -> CkResult<&Object> {
        Err(CKR_KEY_HANDLE_INVALID)
    }
}

/// A key type (CKK_*): its attribute rules per class (empty = the class
/// does not exist for this type) and the hooks the engine needs.
pub struct KeyTypeDef {
    pub ckk: CK_ULONG,
    pub public: &'static [Rule],
    pub private: &'static [Rule],
    pub secret: &'static [Rule],
    /// Validates a created/unwrapped/derived key of `class` and fills the
    /// attributes derived from others (CKA_VALUE_LEN, CKA_MODULUS_BITS...).
    pub complete: fn(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()>,
    /// The bytes C_WrapKey wraps for a private key (PKCS#8 PrivateKeyInfo);
    /// secret keys wrap CKA_VALUE and need no hook.
    pub export_private: Option<fn(&Object) -> CkResult<Zeroizing<Vec<u8>>>>,
    /// The inverse of `export_private` for C_UnwrapKey: the key attributes.
    pub import_private: Option<fn(&[u8]) -> CkResult<Vec<Attribute>>>,
}

/// All mechanisms and key types the token implements.
#[derive(Default)]
pub struct Registry {
    mechanisms: BTreeMap<CK_ULONG, (MechInfo, &'static dyn Mechanism)>,
    key_types: BTreeMap<CK_ULONG, &'static KeyTypeDef>,
}

impl Registry {
    pub fn add(&mut self, kind: CK_ULONG, info: MechInfo, imp: &'static dyn Mechanism) {
        self.mechanisms.insert(kind, (info, imp));
    }
    pub fn add_key_type(&mut self, def: &'static KeyTypeDef) {
        self.key_types.insert(def.ckk, def);
    }
    /// The mechanism if it supports `flag` (CKF_ENCRYPT, ...), else
    /// CKR_MECHANISM_INVALID (PKCS#11 3.1 section 5.2 return codes).
    pub fn get(&self, kind: CK_ULONG, flag: CK_ULONG) -> CkResult<&'static dyn Mechanism> {
        match self.mechanisms.get(&kind) {
            Some((info, imp)) if info.flags & flag == flag => Ok(*imp),
            _ => Err(CKR_MECHANISM_INVALID),
        }
    }
    pub fn info(&self, kind: CK_ULONG) -> Option<MechInfo> {
        self.mechanisms.get(&kind).map(|(i, _)| *i)
    }
    pub fn list(&self) -> Vec<CK_ULONG> {
        self.mechanisms.keys().copied().collect()
    }
    pub fn key_type(&self, ckk: CK_ULONG) -> Option<&'static KeyTypeDef> {
        self.key_types.get(&ckk).copied()
    }
}

/// The registry, built once: the core wasm build (feature `split-core`)
/// has proxies for the families the extra module runs (`proxy`).
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        if cfg!(feature = "split-core") {
            build_registry(proxy::moved::register)
        } else {
            build_registry(proxy::moved::register_local)
        }
    })
}

/// Every family; `moved` registers the moved ones (as proxies, or local).
pub fn build_registry(moved: fn(&mut Registry)) -> Registry {
    {
        let mut r = Registry::default();
        aes::register(&mut r);
        digest::register(&mut r);
        hmac::register(&mut r);
        kdf::register(&mut r);
        rsa::register(&mut r);
        ec::register(&mut r);
        moved(&mut r);
        // Last: adds the message-based flags to what the families registered.
        message::augment(&mut r);
        r
    }
}

/// Random bytes from the platform CSPRNG (crypto.getRandomValues in wasm).
pub fn random_bytes(len: usize) -> CkResult<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(vec![0u8; len]);
    getrandom::fill(&mut buf).map_err(|_| CKR_FUNCTION_FAILED)?;
    Ok(buf)
}

/// Fails with CKR_KEY_TYPE_INCONSISTENT unless `key` is of `class` and one
/// of `types`.
pub fn check_key(key: &Object, class: CK_ULONG, types: &[CK_ULONG]) -> CkResult<()> {
    if key.class() != class || !key.key_type().is_some_and(|t| types.contains(&t)) {
        return Err(CKR_KEY_TYPE_INCONSISTENT);
    }
    Ok(())
}

/// Shorthand for MechInfo.
pub const fn info(min_key_size: CK_ULONG, max_key_size: CK_ULONG, flags: CK_ULONG) -> MechInfo {
    MechInfo {
        min_key_size,
        max_key_size,
        flags,
    }
}
