//! The wasm-bindgen shell: one exported class, `WasmModule`, wrapping the
//! core [`Module`]. It only converts values; every rule lives in the core
//! and every pkcs11js nicety (TypeErrors, Buffers, Dates) in the JS facade.
//!
//! Boundary conventions (the facade in `pkg-templates/src` relies on them):
//! - every CK_ULONG (handle, flags, type, length) crosses as an `f64`;
//!   anything that is not an integer in 0..2^53 maps to `u64::MAX`, which is
//!   never a valid handle, so a garbage handle gets the core's "handle
//!   invalid" answer instead of aliasing a real one;
//! - byte strings cross as `&[u8]` / `Vec<u8>` (one copy each way); PINs
//!   and templates as `&mut [u8]`, wiped after use (see `wiped`);
//! - a template is one byte string of entries `[type u32 LE][len u32 LE]
//!   [value]` (pkcs11js reads attribute types as uint32), so a template
//!   crosses in one copy instead of one boundary call per attribute;
//! - CK_*_INFO structures come back as their C layout with CK_ULONG = 8
//!   bytes LE, versions as 2 bytes and no padding (see `put_*` below);
//! - a failing call throws the CK_RV as a JS number; a bad configuration
//!   throws a JS TypeError carrying serde's explanation.
//!
//! Mechanism parameters arrive as the JS value the facade has already
//! type-checked: `undefined`/`null`, a `Uint8Array` (raw bytes, including
//! pointer-free C structs), or a pkcs11js `{type: CK_PARAMS_*, ...}` object.
//! Objects are read with `js_sys::Reflect` rather than serde-wasm-bindgen:
//! a parameter has at most four fields, the facade has checked their types,
//! and a few property reads need neither a serde model per tag nor its code
//! size. Fields of the wrong type here (direct callers only) are
//! CKR_ARGUMENTS_BAD.
use js_sys::{Reflect, Uint8Array};
use serde::Deserialize;
use serde::de::value::MapDeserializer;
use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

use crate::attr::Attribute;
use crate::constants::*;
use crate::mech::{CkMechanism, Param, registry};
use crate::module::info::{Info, SessionInfo, SlotInfo, TokenInfo, Version};
use crate::module::{Config, attribute_result_rv};
use crate::rv::CkResult;
use crate::{CK_ULONG, Module};

mod config_de;
#[cfg(feature = "split-core")]
mod extra_link;
mod host_aes;
mod storage;

/// pkcs11-wasm extension tag (outside pkcs11js's 0..28): CK_AES_CTR_PARAMS
/// as `{type, counterBits: number, cb: Uint8Array(16)}`.
const CK_PARAMS_AES_CTR: u64 = 0x1000;
/// pkcs11-wasm extension tag: CK_SALSA20_CHACHA20_POLY1305_PARAMS as
/// `{type, nonce: Uint8Array, aad?: Uint8Array}`.
const CK_PARAMS_CHACHA20_POLY1305: u64 = 0x1002;
/// pkcs11-wasm extension tags of the message-based AEAD parameters:
/// CK_GCM_MESSAGE_PARAMS `{iv, ivFixedBits, ivGenerator, tag, tagBits}`
/// and CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS `{nonce, tag}`.
const CK_PARAMS_GCM_MESSAGE: u64 = 0x1009;
const CK_PARAMS_CHACHA20_POLY1305_MESSAGE: u64 = 0x100A;
/// pkcs11-wasm extension tags of the key-derivation family (`mech::kdf`):
/// CK_KEY_DERIVATION_STRING_DATA `{data}`, CK_HKDF_PARAMS,
/// CK_PKCS5_PBKD2_PARAMS2 and CK_SP800_108_KDF_PARAMS (field names in
/// pkg-templates/index.d.ts).
const CK_PARAMS_KEY_DERIVATION_STRING_DATA: u64 = 0x1001;
const CK_PARAMS_HKDF: u64 = 0x1004;
const CK_PARAMS_PKCS5_PBKD2: u64 = 0x1005;
const CK_PARAMS_SP800_108_KDF: u64 = 0x1006;
/// pkcs11-wasm extension tag: CK_EDDSA_PARAMS as `{type, phFlag?: boolean,
/// context?: Uint8Array}` (CKM_EDDSA: Ed25519ph / Ed25519ctx).
const CK_PARAMS_EDDSA: u64 = 0x1003;
/// pkcs11-wasm extension tags of the RSA / post-quantum family:
/// CK_RSA_AES_KEY_WRAP_PARAMS as `{type, aesKeyBits, oaepParams: {hashAlg,
/// mgf, source, sourceData?}}`, CK_SIGN_ADDITIONAL_CONTEXT (CKM_ML_DSA) as
/// `{type, hedgeVariant?, context?}`.
const CK_PARAMS_RSA_AES_KEY_WRAP: u64 = 0x1007;
const CK_PARAMS_SIGN_ADDITIONAL_CONTEXT: u64 = 0x1008;

/// sizeof(CK_AES_CTR_PARAMS) and sizeof(CK_RSA_PKCS_PSS_PARAMS) on LP64:
/// the pointer-free structs a pkcs11js caller may pass as a raw Buffer.
const CTR_STRUCT_LEN: usize = 8 + 16;
const PSS_STRUCT_LEN: usize = 3 * 8;

type JsResult<T> = Result<T, JsValue>;

/// The thrown value for a CK_RV.
fn rv(code: CK_ULONG) -> JsValue {
    JsValue::from_f64(code as f64)
}

fn ck<T>(r: CkResult<T>) -> JsResult<T> {
    r.map_err(rv)
}

fn bad() -> JsValue {
    rv(CKR_ARGUMENTS_BAD)
}

/// An f64 from JS as a CK_ULONG (see the module comment).
fn ulong(v: f64) -> CK_ULONG {
    const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    if (0.0..LIMIT).contains(&v) && v.fract() == 0.0 {
        v as CK_ULONG
    } else {
        CK_ULONG::MAX
    }
}

/// A caller's output buffer size: `None` (undefined) means unlimited.
fn cap(v: Option<f64>) -> Option<usize> {
    // `as` saturates: NaN and negatives become 0, huge values usize::MAX.
    v.map(|c| c as usize)
}

fn handles(hs: Vec<CK_ULONG>) -> Vec<f64> {
    hs.into_iter().map(|h| h as f64).collect()
}

/// A `Config` from a plain JS object. Goes through the object's own keys
/// (reading only the known field names, `deny_unknown_fields` would never
/// see a misspelt key).
fn parse_config(value: JsValue) -> JsResult<Config> {
    let fail = |e: &dyn std::fmt::Display| -> JsValue {
        js_sys::TypeError::new(&format!("pkcs11-wasm: invalid configuration: {e}")).into()
    };
    let obj = value
        .dyn_ref::<js_sys::Object>()
        .ok_or_else(|| fail(&"not an object"))?;
    let map = MapDeserializer::<_, config_de::Error>::new(config_de::entries(obj).into_iter());
    Config::deserialize(map).map_err(|e| fail(&e))
}

/// Runs `f` on a secret-bearing argument (PIN, template), then wipes it.
/// Such arguments are `&mut [u8]`: wasm-bindgen copies the wiped bytes back
/// into the facade's own temporary array, so neither copy keeps them.
fn wiped<T>(buf: &mut [u8], f: impl FnOnce(&[u8]) -> T) -> T {
    let r = f(buf);
    buf.zeroize();
    r
}

fn take_u32(b: &[u8]) -> JsResult<(u32, &[u8])> {
    let (head, rest) = b.split_first_chunk::<4>().ok_or_else(bad)?;
    Ok((u32::from_le_bytes(*head), rest))
}

/// Decodes the flat template encoding.
fn template(mut rest: &[u8]) -> JsResult<Vec<Attribute>> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (kind, r) = take_u32(rest)?;
        let (len, r) = take_u32(r)?;
        let (value, r) = r.split_at_checked(len as usize).ok_or_else(bad)?;
        out.push(Attribute::new(kind as CK_ULONG, value));
        rest = r;
    }
    Ok(out)
}

/// Property names are made into JS strings once and kept: making one
/// decodes UTF-8 across the boundary, ~10% of a 64-byte AES-GCM call.
/// (`try_borrow*`: a getter re-entering the module gets an uncached name
/// instead of a panic.)
fn field(obj: &JsValue, name: &str) -> JsResult<JsValue> {
    use std::cell::RefCell;
    thread_local! {
        static NAMES: RefCell<Vec<(String, JsValue)>> = const { RefCell::new(Vec::new()) };
    }
    let get = |key: &JsValue| Reflect::get(obj, key).map_err(|_| bad());
    NAMES.with(|names| {
        if let Ok(mut list) = names.try_borrow_mut()
            && !list.iter().any(|(n, _)| n == name)
        {
            list.push((name.to_owned(), JsValue::from_str(name)));
        }
        match names.try_borrow() {
            Ok(list) => match list.iter().find(|(n, _)| n == name) {
                Some((_, key)) => get(key),
                None => get(&JsValue::from_str(name)),
            },
            Err(_) => get(&JsValue::from_str(name)),
        }
    })
}

/// A required (`Some(default)` = optional) number field.
fn num_field(obj: &JsValue, name: &str, default: Option<CK_ULONG>) -> JsResult<CK_ULONG> {
    let v = field(obj, name)?;
    match (v.as_f64(), default) {
        // pkcs11js reads these as doubles cast to CK_ULONG, not as uint32.
        (Some(n), _) => Ok(n as CK_ULONG),
        (None, Some(d)) if v.is_undefined() || v.is_null() => Ok(d),
        _ => Err(bad()),
    }
}

/// The bytes of a Uint8Array the caller made, through a copy made by
/// `new Uint8Array(a)`: `to_vec` sizes its buffer by the `length`
/// property, which an object of the caller's can misstate (an own
/// property, a subclass getter) while the copy into wasm memory takes the
/// real length, overflowing the module's heap. The new array's length is
/// its real one.
fn bytes_of(a: &Uint8Array) -> Vec<u8> {
    Uint8Array::new(a).to_vec()
}

/// A required (`optional` = absent is empty) byte field.
fn bytes_field(obj: &JsValue, name: &str, optional: bool) -> JsResult<Vec<u8>> {
    let v = field(obj, name)?;
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        Ok(bytes_of(a))
    } else if optional && (v.is_undefined() || v.is_null()) {
        Ok(Vec::new())
    } else {
        Err(bad())
    }
}

/// An optional boolean field (absent is false).
fn bool_field(obj: &JsValue, name: &str) -> JsResult<bool> {
    let v = field(obj, name)?;
    match v.as_bool() {
        Some(b) => Ok(b),
        None if v.is_undefined() || v.is_null() => Ok(false),
        None => Err(bad()),
    }
}

/// An optional object-handle field (the facade turned the 8-byte Buffer
/// into a number; absent is CK_INVALID_HANDLE).
fn handle_field(obj: &JsValue, name: &str) -> JsResult<CK_ULONG> {
    let v = field(obj, name)?;
    match v.as_f64() {
        Some(n) => Ok(ulong(n)),
        None if v.is_undefined() || v.is_null() => Ok(CK_INVALID_HANDLE),
        None => Err(bad()),
    }
}

/// CK_SP800_108_KDF_PARAMS.pDataParams: an array of `{type, ...}` objects
/// (see `mech::kdf::PrfDataParam`). A type the core does not know is
/// CKR_MECHANISM_PARAM_INVALID.
fn prf_data_params(list: &JsValue) -> JsResult<Vec<crate::mech::kdf::PrfDataParam>> {
    use crate::mech::kdf::PrfDataParam as D;
    let list = list.dyn_ref::<js_sys::Array>().ok_or_else(bad)?;
    let mut out = Vec::with_capacity(list.length() as usize);
    for p in list.iter() {
        if !p.is_object() {
            return Err(bad());
        }
        let p = &p;
        out.push(match num_field(p, "type", None)? {
            CK_SP800_108_ITERATION_VARIABLE => D::IterationVariable {
                little_endian: bool_field(p, "littleEndian")?,
                width_bits: num_field(p, "widthInBits", None)?,
            },
            CK_SP800_108_COUNTER => D::Counter {
                little_endian: bool_field(p, "littleEndian")?,
                width_bits: num_field(p, "widthInBits", None)?,
            },
            CK_SP800_108_DKM_LENGTH => D::DkmLength {
                method: num_field(p, "dkmLengthMethod", None)?,
                little_endian: bool_field(p, "littleEndian")?,
                width_bits: num_field(p, "widthInBits", None)?,
            },
            CK_SP800_108_BYTE_ARRAY => D::ByteArray(bytes_field(p, "data", false)?),
            CK_SP800_108_KEY_HANDLE => D::KeyHandle(handle_field(p, "handle")?),
            _ => return Err(rv(CKR_MECHANISM_PARAM_INVALID)),
        });
    }
    Ok(out)
}

/// A parameter object the core has no `Param` for: the mechanism cannot be
/// one we implement with it.
fn unrepresentable(kind: CK_ULONG) -> JsValue {
    rv(if registry().info(kind).is_some() {
        CKR_MECHANISM_PARAM_INVALID
    } else {
        CKR_MECHANISM_INVALID
    })
}

fn le_u64(b: &[u8]) -> Option<u64> {
    b.first_chunk::<8>().map(|c| u64::from_le_bytes(*c))
}

/// Raw bytes as a parameter. Pointer-free C structs passed as a Buffer
/// (as pkcs11js callers must for CK_AES_CTR_PARAMS) are decoded here, like
/// the C API would read them; everything else stays `Param::Bytes`.
fn raw_param(kind: CK_ULONG, b: Vec<u8>) -> Param {
    let pss = matches!(
        kind,
        CKM_RSA_PKCS_PSS
            | CKM_SHA1_RSA_PKCS_PSS
            | CKM_SHA224_RSA_PKCS_PSS
            | CKM_SHA256_RSA_PKCS_PSS
            | CKM_SHA384_RSA_PKCS_PSS
            | CKM_SHA512_RSA_PKCS_PSS
    );
    match (kind, b.len()) {
        (CKM_AES_CTR, CTR_STRUCT_LEN) => match (le_u64(&b), b.get(8..)) {
            (Some(counter_bits), Some(cb)) => Param::Ctr {
                counter_bits,
                counter_block: cb.to_vec(),
            },
            _ => Param::Bytes(b),
        },
        (_, PSS_STRUCT_LEN) if pss => match (
            le_u64(&b),
            b.get(8..).and_then(le_u64),
            b.get(16..).and_then(le_u64),
        ) {
            (Some(hash_alg), Some(mgf), Some(salt_len)) => Param::Pss {
                hash_alg,
                mgf,
                salt_len,
            },
            _ => Param::Bytes(b),
        },
        _ => Param::Bytes(b),
    }
}

/// A CK_MECHANISM from its type and the facade-checked parameter value.
#[allow(non_upper_case_globals)] // CK_PARAMS_AES_GCM_v240 is pkcs11js's name
fn mechanism(kind: f64, param: &JsValue) -> JsResult<CkMechanism> {
    let kind = ulong(kind);
    if param.is_undefined() || param.is_null() {
        return Ok(CkMechanism::new(kind));
    }
    if let Some(a) = param.dyn_ref::<Uint8Array>() {
        return Ok(CkMechanism::with(kind, raw_param(kind, bytes_of(a))));
    }
    if !param.is_object() {
        return Err(bad());
    }
    let tag = num_field(param, "type", None)?;
    let p = param;
    let value = match tag {
        // CK_GCM_PARAMS; ulIvBits is not used (3.1 mechanisms 2.12.3 says so).
        CK_PARAMS_AES_GCM | CK_PARAMS_AES_GCM_v240 | CK_PARAMS_GCM => Param::Gcm {
            iv: bytes_field(p, "iv", false)?,
            aad: bytes_field(p, "aad", true)?,
            tag_bits: num_field(p, "tagBits", Some(0))?,
        },
        CK_PARAMS_RSA_OAEP => Param::Oaep {
            hash_alg: num_field(p, "hashAlg", None)?,
            mgf: num_field(p, "mgf", None)?,
            source: num_field(p, "source", None)?,
            source_data: bytes_field(p, "sourceData", true)?,
        },
        CK_PARAMS_RSA_PSS => Param::Pss {
            hash_alg: num_field(p, "hashAlg", None)?,
            mgf: num_field(p, "mgf", None)?,
            salt_len: num_field(p, "saltLen", None)?,
        },
        CK_PARAMS_EC_DH => Param::Ecdh1 {
            kdf: num_field(p, "kdf", None)?,
            shared_data: bytes_field(p, "sharedData", true)?,
            public_data: bytes_field(p, "publicData", false)?,
        },
        // pkcs11js's CK_PARAMS_AES_CBC is CK_AES_CBC_ENCRYPT_DATA_PARAMS.
        CK_PARAMS_AES_CBC => Param::AesCbcEncryptData {
            iv: bytes_field(p, "iv", false)?,
            data: bytes_field(p, "data", true)?,
        },
        CK_PARAMS_CHACHA20_POLY1305 => Param::ChaCha20Poly1305 {
            nonce: bytes_field(p, "nonce", false)?,
            aad: bytes_field(p, "aad", true)?,
        },
        CK_PARAMS_AES_CTR => Param::Ctr {
            counter_bits: num_field(p, "counterBits", None)?,
            counter_block: bytes_field(p, "cb", false)?,
        },
        CK_PARAMS_GCM_MESSAGE => {
            let tag = bytes_field(p, "tag", false)?;
            Param::GcmMessage {
                iv: bytes_field(p, "iv", false)?,
                iv_fixed_bits: num_field(p, "ivFixedBits", Some(0))?,
                iv_generator: num_field(p, "ivGenerator", Some(CKG_NO_GENERATE))?,
                // Absent: the tag buffer's length says it.
                tag_bits: num_field(p, "tagBits", Some(tag.len() as CK_ULONG * 8))?,
                tag,
            }
        }
        CK_PARAMS_CHACHA20_POLY1305_MESSAGE => Param::ChaCha20Poly1305Message {
            nonce: bytes_field(p, "nonce", false)?,
            tag: bytes_field(p, "tag", false)?,
        },
        CK_PARAMS_KEY_DERIVATION_STRING_DATA => Param::Bytes(bytes_field(p, "data", false)?),
        CK_PARAMS_HKDF => Param::Hkdf {
            extract: bool_field(p, "extract")?,
            expand: bool_field(p, "expand")?,
            prf_hash: num_field(p, "prfHashMechanism", None)?,
            salt_type: num_field(p, "saltType", None)?,
            salt: bytes_field(p, "salt", true)?,
            salt_key: handle_field(p, "saltKey")?,
            info: bytes_field(p, "info", true)?,
        },
        CK_PARAMS_PKCS5_PBKD2 => Param::Pbkdf2 {
            salt_source: num_field(p, "saltSource", None)?,
            salt: bytes_field(p, "salt", false)?,
            iterations: num_field(p, "iterations", None)?,
            prf: num_field(p, "prf", None)?,
            prf_data: bytes_field(p, "prfData", true)?,
            password: zeroize::Zeroizing::new(bytes_field(p, "password", false)?),
        },
        CK_PARAMS_SP800_108_KDF => Param::Sp800108 {
            prf_type: num_field(p, "prfType", None)?,
            data_params: prf_data_params(&field(p, "dataParams")?)?,
        },
        CK_PARAMS_EDDSA => Param::Eddsa {
            ph_flag: bool_field(p, "phFlag")?,
            context: bytes_field(p, "context", true)?,
        },
        CK_PARAMS_RSA_AES_KEY_WRAP => {
            let o = field(p, "oaepParams")?;
            if !o.is_object() {
                return Err(bad());
            }
            Param::RsaAesKeyWrap {
                aes_key_bits: num_field(p, "aesKeyBits", None)?,
                oaep: Box::new(Param::Oaep {
                    hash_alg: num_field(&o, "hashAlg", None)?,
                    mgf: num_field(&o, "mgf", None)?,
                    source: num_field(&o, "source", None)?,
                    source_data: bytes_field(&o, "sourceData", true)?,
                }),
            }
        }
        CK_PARAMS_SIGN_ADDITIONAL_CONTEXT => Param::SignAdditionalContext {
            hedge_variant: num_field(p, "hedgeVariant", Some(CKH_HEDGE_PREFERRED))?,
            context: bytes_field(p, "context", true)?,
        },
        _ => return Err(unrepresentable(kind)),
    };
    Ok(CkMechanism::with(kind, value))
}

fn put_u64(out: &mut Vec<u8>, v: CK_ULONG) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_version(out: &mut Vec<u8>, v: Version) {
    out.extend_from_slice(&[v.major, v.minor]);
}

/// CK_INFO: 2 + 32 + 8 + 32 + 2 = 76 bytes.
fn put_info(i: &Info) -> Vec<u8> {
    let mut o = Vec::with_capacity(76);
    put_version(&mut o, i.cryptoki_version);
    o.extend_from_slice(&i.manufacturer_id);
    put_u64(&mut o, i.flags);
    o.extend_from_slice(&i.library_description);
    put_version(&mut o, i.library_version);
    o
}

/// CK_SLOT_INFO: 64 + 32 + 8 + 2 + 2 = 108 bytes.
fn put_slot_info(i: &SlotInfo) -> Vec<u8> {
    let mut o = Vec::with_capacity(108);
    o.extend_from_slice(&i.slot_description);
    o.extend_from_slice(&i.manufacturer_id);
    put_u64(&mut o, i.flags);
    put_version(&mut o, i.hardware_version);
    put_version(&mut o, i.firmware_version);
    o
}

/// CK_TOKEN_INFO in C field order: 96 bytes of text, 11 CK_ULONGs,
/// two versions, utcTime: 204 bytes.
fn put_token_info(i: &TokenInfo) -> Vec<u8> {
    let mut o = Vec::with_capacity(204);
    for text in [&i.label[..], &i.manufacturer_id, &i.model, &i.serial_number] {
        o.extend_from_slice(text);
    }
    for v in [
        i.flags,
        i.max_session_count,
        i.session_count,
        i.max_rw_session_count,
        i.rw_session_count,
        i.max_pin_len,
        i.min_pin_len,
        i.total_public_memory,
        i.free_public_memory,
        i.total_private_memory,
        i.free_private_memory,
    ] {
        put_u64(&mut o, v);
    }
    put_version(&mut o, i.hardware_version);
    put_version(&mut o, i.firmware_version);
    o.extend_from_slice(&i.utc_time);
    o
}

/// CK_SESSION_INFO: 4 CK_ULONGs.
fn put_session_info(i: &SessionInfo) -> Vec<u8> {
    let mut o = Vec::with_capacity(32);
    for v in [i.slot_id, i.state, i.flags, i.device_error] {
        put_u64(&mut o, v);
    }
    o
}

/// One PKCS#11 module instance (its own slots, tokens and sessions).
#[wasm_bindgen]
pub struct WasmModule {
    m: Module,
}

#[wasm_bindgen]
impl WasmModule {
    /// `config`: a `Config` object (camelCase keys) or undefined/null.
    #[wasm_bindgen(constructor)]
    pub fn new(config: JsValue) -> JsResult<WasmModule> {
        let config = if config.is_undefined() || config.is_null() {
            Config::default()
        } else {
            parse_config(config)?
        };
        Ok(WasmModule {
            m: Module::new(config),
        })
    }

    /// C_Initialize; `config` (if given) replaces the configuration once
    /// initialization succeeds.
    pub fn initialize(&mut self, config: JsValue) -> JsResult<()> {
        let config = if config.is_undefined() || config.is_null() {
            None
        } else {
            Some(parse_config(config)?)
        };
        ck(self.m.initialize())?;
        if let Some(c) = config {
            self.m.reconfigure(c);
        }
        Ok(())
    }

    pub fn finalize(&mut self) -> JsResult<()> {
        ck(self.m.finalize())
    }

    pub fn get_info(&self) -> JsResult<Vec<u8>> {
        ck(self.m.get_info()).map(|i| put_info(&i))
    }

    pub fn get_slot_list(&self, token_present: bool) -> JsResult<Vec<f64>> {
        ck(self.m.get_slot_list(token_present)).map(handles)
    }

    pub fn get_slot_info(&self, slot: f64) -> JsResult<Vec<u8>> {
        ck(self.m.get_slot_info(ulong(slot))).map(|i| put_slot_info(&i))
    }

    pub fn get_token_info(&self, slot: f64) -> JsResult<Vec<u8>> {
        ck(self.m.get_token_info(ulong(slot))).map(|i| put_token_info(&i))
    }

    pub fn wait_for_slot_event(&mut self, flags: f64) -> JsResult<f64> {
        ck(self.m.wait_for_slot_event(ulong(flags))).map(|s| s as f64)
    }

    pub fn get_mechanism_list(&self, slot: f64) -> JsResult<Vec<f64>> {
        ck(self.m.get_mechanism_list(ulong(slot))).map(handles)
    }

    /// CK_MECHANISM_INFO: min, max, flags as CK_ULONGs.
    pub fn get_mechanism_info(&self, slot: f64, kind: f64) -> JsResult<Vec<u8>> {
        let i = ck(self.m.get_mechanism_info(ulong(slot), ulong(kind)))?;
        let mut o = Vec::with_capacity(24);
        for v in [i.min_key_size, i.max_key_size, i.flags] {
            put_u64(&mut o, v);
        }
        Ok(o)
    }

    pub fn init_token(&mut self, slot: f64, so_pin: &mut [u8], label: &[u8]) -> JsResult<()> {
        wiped(so_pin, |pin| ck(self.m.init_token(ulong(slot), pin, label)))
    }

    pub fn init_pin(&mut self, session: f64, pin: &mut [u8]) -> JsResult<()> {
        wiped(pin, |pin| ck(self.m.init_pin(ulong(session), pin)))
    }

    pub fn set_pin(
        &mut self,
        session: f64,
        old_pin: &mut [u8],
        new_pin: &mut [u8],
    ) -> JsResult<()> {
        wiped(old_pin, |old| {
            wiped(new_pin, |new| ck(self.m.set_pin(ulong(session), old, new)))
        })
    }

    pub fn open_session(&mut self, slot: f64, flags: f64) -> JsResult<f64> {
        ck(self.m.open_session(ulong(slot), ulong(flags))).map(|h| h as f64)
    }

    pub fn close_session(&mut self, session: f64) -> JsResult<()> {
        ck(self.m.close_session(ulong(session)))
    }

    pub fn close_all_sessions(&mut self, slot: f64) -> JsResult<()> {
        ck(self.m.close_all_sessions(ulong(slot)))
    }

    pub fn get_session_info(&self, session: f64) -> JsResult<Vec<u8>> {
        ck(self.m.get_session_info(ulong(session))).map(|i| put_session_info(&i))
    }

    pub fn login(&mut self, session: f64, user: f64, pin: &mut [u8]) -> JsResult<()> {
        wiped(pin, |pin| {
            ck(self.m.login(ulong(session), ulong(user), pin))
        })
    }

    pub fn logout(&mut self, session: f64) -> JsResult<()> {
        ck(self.m.logout(ulong(session)))
    }

    pub fn create_object(&mut self, session: f64, tmpl: &mut [u8]) -> JsResult<f64> {
        let t = wiped(tmpl, template)?;
        ck(self.m.create_object(ulong(session), &t)).map(|h| h as f64)
    }

    pub fn copy_object(&mut self, session: f64, object: f64, tmpl: &mut [u8]) -> JsResult<f64> {
        let t = wiped(tmpl, template)?;
        ck(self.m.copy_object(ulong(session), ulong(object), &t)).map(|h| h as f64)
    }

    pub fn destroy_object(&mut self, session: f64, object: f64) -> JsResult<()> {
        ck(self.m.destroy_object(ulong(session), ulong(object)))
    }

    pub fn get_object_size(&mut self, session: f64, object: f64) -> JsResult<f64> {
        ck(self.m.get_object_size(ulong(session), ulong(object))).map(|n| n as f64)
    }

    /// C_GetAttributeValue: `[overall rv u32]` then per type `[rv u32][len
    /// u32][value]` (rv 0 = value present; else SENSITIVE / TYPE_INVALID).
    /// The overall rv is what a C caller would get back.
    pub fn get_attribute_value(
        &mut self,
        session: f64,
        object: f64,
        types: &[u32],
    ) -> JsResult<Vec<u8>> {
        let kinds: Vec<CK_ULONG> = types.iter().map(|&t| t as CK_ULONG).collect();
        let mut results = ck(self
            .m
            .get_attribute_value(ulong(session), ulong(object), &kinds))?;
        let size = results
            .iter()
            .map(|r| 8 + r.as_ref().map_or(0, Vec::len))
            .sum::<usize>();
        let mut o = Vec::with_capacity(4 + size);
        o.extend_from_slice(&(attribute_result_rv(&results) as u32).to_le_bytes());
        for r in &results {
            let (code, value) = match r {
                Ok(v) => (CKR_OK, v.as_slice()),
                Err(e) => (*e, &[][..]),
            };
            o.extend_from_slice(&(code as u32).to_le_bytes());
            o.extend_from_slice(&(value.len() as u32).to_le_bytes());
            o.extend_from_slice(value);
        }
        // Wipe our copy (sensitive values never get here; extractable key
        // values may).
        results.iter_mut().flatten().for_each(|v| v.zeroize());
        Ok(o)
    }

    pub fn set_attribute_value(
        &mut self,
        session: f64,
        object: f64,
        tmpl: &mut [u8],
    ) -> JsResult<()> {
        let t = wiped(tmpl, template)?;
        ck(self
            .m
            .set_attribute_value(ulong(session), ulong(object), &t))
    }

    pub fn find_objects_init(&mut self, session: f64, tmpl: &mut [u8]) -> JsResult<()> {
        let t = wiped(tmpl, template)?;
        ck(self.m.find_objects_init(ulong(session), &t))
    }

    pub fn find_objects(&mut self, session: f64, max: f64) -> JsResult<Vec<f64>> {
        ck(self.m.find_objects(ulong(session), max as usize)).map(handles)
    }

    pub fn find_objects_final(&mut self, session: f64) -> JsResult<()> {
        ck(self.m.find_objects_final(ulong(session)))
    }

    pub fn encrypt_init(
        &mut self,
        session: f64,
        mech: f64,
        param: JsValue,
        key: f64,
    ) -> JsResult<()> {
        let m = mechanism(mech, &param)?;
        ck(self.m.encrypt_init(ulong(session), &m, ulong(key)))
    }

    pub fn encrypt(
        &mut self,
        session: f64,
        data: &[u8],
        out_len: Option<f64>,
    ) -> JsResult<Vec<u8>> {
        ck(self.m.encrypt(ulong(session), data, cap(out_len)))
    }

    /// C_Encrypt (`op` 0), C_Decrypt (1), C_EncryptUpdate (2) or
    /// C_DecryptUpdate (3) writing the output straight into the caller's
    /// buffer `out` (its length the capacity); returns the length written.
    /// A returned `Vec<u8>` costs a new JS array and the facade's second
    /// copy into the caller's buffer: this way is 2.5-4% faster for 1 MiB
    /// of AES and ~8% for AES-GCM of 64 bytes (A/B in one process; for
    /// C_Sign's short outputs it made no difference). Our copy of the
    /// output is wiped before it is freed.
    pub fn crypt_into(
        &mut self,
        op: u32,
        session: f64,
        data: &[u8],
        out: &Uint8Array,
    ) -> JsResult<f64> {
        let (s, room) = (ulong(session), Some(out.length() as usize));
        let mut output = ck(match op {
            0 => self.m.encrypt(s, data, room),
            1 => self.m.decrypt(s, data, room),
            2 => self.m.encrypt_update(s, data, room),
            3 => self.m.decrypt_update(s, data, room),
            _ => return Err(bad()),
        })?;
        let n = output.len() as u32;
        // The module checked the room; a shorter buffer is never written.
        let written = n <= out.length();
        if written {
            out.subarray(0, n).copy_from(&output);
        }
        output.zeroize();
        if written {
            Ok(f64::from(n))
        } else {
            Err(rv(CKR_BUFFER_TOO_SMALL))
        }
    }

    pub fn encrypt_update(
        &mut self,
        session: f64,
        data: &[u8],
        out_len: Option<f64>,
    ) -> JsResult<Vec<u8>> {
        ck(self.m.encrypt_update(ulong(session), data, cap(out_len)))
    }

    pub fn encrypt_final(&mut self, session: f64, out_len: Option<f64>) -> JsResult<Vec<u8>> {
        ck(self.m.encrypt_final(ulong(session), cap(out_len)))
    }

    pub fn decrypt_init(
        &mut self,
        session: f64,
        mech: f64,
        param: JsValue,
        key: f64,
    ) -> JsResult<()> {
        let m = mechanism(mech, &param)?;
        ck(self.m.decrypt_init(ulong(session), &m, ulong(key)))
    }

    pub fn decrypt(
        &mut self,
        session: f64,
        data: &[u8],
        out_len: Option<f64>,
    ) -> JsResult<Vec<u8>> {
        ck(self.m.decrypt(ulong(session), data, cap(out_len)))
    }

    pub fn decrypt_update(
        &mut self,
        session: f64,
        data: &[u8],
        out_len: Option<f64>,
    ) -> JsResult<Vec<u8>> {
        ck(self.m.decrypt_update(ulong(session), data, cap(out_len)))
    }

    pub fn decrypt_final(&mut self, session: f64, out_len: Option<f64>) -> JsResult<Vec<u8>> {
        ck(self.m.decrypt_final(ulong(session), cap(out_len)))
    }

    pub fn digest_init(&mut self, session: f64, mech: f64, param: JsValue) -> JsResult<()> {
        let m = mechanism(mech, &param)?;
        ck(self.m.digest_init(ulong(session), &m))
    }

    pub fn digest(&mut self, session: f64, data: &[u8], out_len: Option<f64>) -> JsResult<Vec<u8>> {
        ck(self.m.digest(ulong(session), data, cap(out_len)))
    }

    pub fn digest_update(&mut self, session: f64, data: &[u8]) -> JsResult<()> {
        ck(self.m.digest_update(ulong(session), data))
    }

    pub fn digest_key(&mut self, session: f64, key: f64) -> JsResult<()> {
        ck(self.m.digest_key(ulong(session), ulong(key)))
    }

    pub fn digest_final(&mut self, session: f64, out_len: Option<f64>) -> JsResult<Vec<u8>> {
        ck(self.m.digest_final(ulong(session), cap(out_len)))
    }

    pub fn sign_init(&mut self, session: f64, mech: f64, param: JsValue, key: f64) -> JsResult<()> {
        let m = mechanism(mech, &param)?;
        ck(self.m.sign_init(ulong(session), &m, ulong(key)))
    }

    pub fn sign(&mut self, session: f64, data: &[u8], out_len: Option<f64>) -> JsResult<Vec<u8>> {
        ck(self.m.sign(ulong(session), data, cap(out_len)))
    }

    pub fn sign_update(&mut self, session: f64, data: &[u8]) -> JsResult<()> {
        ck(self.m.sign_update(ulong(session), data))
    }

    pub fn sign_final(&mut self, session: f64, out_len: Option<f64>) -> JsResult<Vec<u8>> {
        ck(self.m.sign_final(ulong(session), cap(out_len)))
    }

    pub fn verify_init(
        &mut self,
        session: f64,
        mech: f64,
        param: JsValue,
        key: f64,
    ) -> JsResult<()> {
        let m = mechanism(mech, &param)?;
        ck(self.m.verify_init(ulong(session), &m, ulong(key)))
    }

    pub fn verify(&mut self, session: f64, data: &[u8], signature: &[u8]) -> JsResult<()> {
        ck(self.m.verify(ulong(session), data, signature))
    }

    pub fn verify_update(&mut self, session: f64, data: &[u8]) -> JsResult<()> {
        ck(self.m.verify_update(ulong(session), data))
    }

    pub fn verify_final(&mut self, session: f64, signature: &[u8]) -> JsResult<()> {
        ck(self.m.verify_final(ulong(session), signature))
    }

    pub fn generate_key(
        &mut self,
        session: f64,
        mech: f64,
        param: JsValue,
        tmpl: &mut [u8],
    ) -> JsResult<f64> {
        let m = mechanism(mech, &param)?;
        let t = wiped(tmpl, template)?;
        ck(self.m.generate_key(ulong(session), &m, &t)).map(|h| h as f64)
    }

    /// Returns `[public, private]`.
    pub fn generate_key_pair(
        &mut self,
        session: f64,
        mech: f64,
        param: JsValue,
        public: &mut [u8],
        private: &mut [u8],
    ) -> JsResult<Vec<f64>> {
        let m = mechanism(mech, &param)?;
        let (pu, pr) = (wiped(public, template)?, wiped(private, template)?);
        ck(self.m.generate_key_pair(ulong(session), &m, &pu, &pr))
            .map(|(a, b)| vec![a as f64, b as f64])
    }

    pub fn wrap_key(
        &mut self,
        session: f64,
        mech: f64,
        param: JsValue,
        wrapping_key: f64,
        key: f64,
        out_len: Option<f64>,
    ) -> JsResult<Vec<u8>> {
        let m = mechanism(mech, &param)?;
        ck(self.m.wrap_key(
            ulong(session),
            &m,
            ulong(wrapping_key),
            ulong(key),
            cap(out_len),
        ))
    }

    pub fn unwrap_key(
        &mut self,
        session: f64,
        mech: f64,
        param: JsValue,
        unwrapping_key: f64,
        wrapped: &[u8],
        tmpl: &mut [u8],
    ) -> JsResult<f64> {
        let m = mechanism(mech, &param)?;
        let t = wiped(tmpl, template)?;
        ck(self
            .m
            .unwrap_key(ulong(session), &m, ulong(unwrapping_key), wrapped, &t))
        .map(|h| h as f64)
    }

    pub fn derive_key(
        &mut self,
        session: f64,
        mech: f64,
        param: JsValue,
        base_key: f64,
        tmpl: &mut [u8],
    ) -> JsResult<f64> {
        let m = mechanism(mech, &param)?;
        let t = wiped(tmpl, template)?;
        ck(self.m.derive_key(ulong(session), &m, ulong(base_key), &t)).map(|h| h as f64)
    }

    /// C_EncapsulateKey (PKCS#11 3.2): the new key's handle (8 bytes LE)
    /// followed by the ciphertext. `out_len` is the caller's ciphertext
    /// buffer size.
    pub fn encapsulate_key(
        &mut self,
        session: f64,
        mech: f64,
        param: JsValue,
        public_key: f64,
        tmpl: &mut [u8],
        out_len: Option<f64>,
    ) -> JsResult<Vec<u8>> {
        let m = mechanism(mech, &param)?;
        let t = wiped(tmpl, template)?;
        let (ciphertext, key) =
            ck(self
                .m
                .encapsulate_key(ulong(session), &m, ulong(public_key), &t, cap(out_len)))?;
        let mut out = Vec::with_capacity(8 + ciphertext.len());
        put_u64(&mut out, key);
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// C_DecapsulateKey (PKCS#11 3.2): the new key's handle.
    pub fn decapsulate_key(
        &mut self,
        session: f64,
        mech: f64,
        param: JsValue,
        private_key: f64,
        tmpl: &mut [u8],
        ciphertext: &[u8],
    ) -> JsResult<f64> {
        let m = mechanism(mech, &param)?;
        let t = wiped(tmpl, template)?;
        ck(self
            .m
            .decapsulate_key(ulong(session), &m, ulong(private_key), &t, ciphertext))
        .map(|h| h as f64)
    }

    pub fn seed_random(&mut self, session: f64, seed: &[u8]) -> JsResult<()> {
        ck(self.m.seed_random(ulong(session), seed))
    }

    pub fn generate_random(&mut self, session: f64, len: f64) -> JsResult<Vec<u8>> {
        ck(self.m.generate_random(ulong(session), len as usize))
    }
}

// ---------------------------------------------------------------------------
// PKCS#11 3.x functions (src/module/message.rs, session_ext.rs,
// verify_signature.rs). A per-message parameter is decoded like a
// mechanism parameter of the active process's mechanism. An encryption
// step returns `[iv_len u32][iv][tag_len u32][tag][ciphertext]` (the
// parameter's output fields, empty when not produced), which the facade
// writes back into the caller's parameter Buffers.

/// A mechanism that may be absent (NULL_PTR ends a 3.x operation).
fn optional_mechanism(kind: Option<f64>, param: &JsValue) -> JsResult<Option<CkMechanism>> {
    kind.map(|k| mechanism(k, param)).transpose()
}

fn put_message_output(o: crate::module::MsgOutput) -> Vec<u8> {
    let iv = o.iv.unwrap_or_default();
    let tag = o.tag.unwrap_or_default();
    let mut out = Vec::with_capacity(8 + iv.len() + tag.len() + o.data.len());
    out.extend_from_slice(&(iv.len() as u32).to_le_bytes());
    out.extend_from_slice(&iv);
    out.extend_from_slice(&(tag.len() as u32).to_le_bytes());
    out.extend_from_slice(&tag);
    out.extend_from_slice(&o.data);
    out
}

#[wasm_bindgen]
impl WasmModule {
    /// A per-message parameter of the process named by `flag`.
    fn message_param(&self, session: f64, flag: CK_ULONG, param: &JsValue) -> JsResult<Param> {
        let kind = ck(self.m.message_mechanism(ulong(session), flag))?;
        Ok(mechanism(kind as f64, param)?.param)
    }

    pub fn login_user(
        &mut self,
        session: f64,
        user: f64,
        pin: &mut [u8],
        username: &[u8],
    ) -> JsResult<()> {
        wiped(pin, |pin| {
            ck(self
                .m
                .login_user(ulong(session), ulong(user), pin, username))
        })
    }

    pub fn session_cancel(&mut self, session: f64, flags: f64) -> JsResult<()> {
        ck(self.m.session_cancel(ulong(session), ulong(flags)))
    }

    pub fn get_operation_state(&self, session: f64) -> JsResult<Vec<u8>> {
        ck(self.m.get_operation_state(ulong(session)))
    }

    pub fn set_operation_state(
        &mut self,
        session: f64,
        state: &[u8],
        encryption_key: f64,
        authentication_key: f64,
    ) -> JsResult<()> {
        ck(self.m.set_operation_state(
            ulong(session),
            state,
            ulong(encryption_key),
            ulong(authentication_key),
        ))
    }

    pub fn message_encrypt_init(
        &mut self,
        session: f64,
        mech: Option<f64>,
        param: JsValue,
        key: f64,
    ) -> JsResult<()> {
        let m = optional_mechanism(mech, &param)?;
        ck(self
            .m
            .message_encrypt_init(ulong(session), m.as_ref(), ulong(key)))
    }

    pub fn encrypt_message(
        &mut self,
        session: f64,
        param: JsValue,
        aad: &[u8],
        data: &[u8],
        out_len: Option<f64>,
    ) -> JsResult<Vec<u8>> {
        let p = self.message_param(session, CKF_MESSAGE_ENCRYPT, &param)?;
        ck(self
            .m
            .encrypt_message(ulong(session), &p, aad, data, cap(out_len)))
        .map(put_message_output)
    }

    pub fn encrypt_message_begin(
        &mut self,
        session: f64,
        param: JsValue,
        aad: &[u8],
    ) -> JsResult<Vec<u8>> {
        let p = self.message_param(session, CKF_MESSAGE_ENCRYPT, &param)?;
        ck(self.m.encrypt_message_begin(ulong(session), &p, aad)).map(put_message_output)
    }

    pub fn encrypt_message_next(
        &mut self,
        session: f64,
        param: JsValue,
        data: &[u8],
        out_len: Option<f64>,
        flags: f64,
    ) -> JsResult<Vec<u8>> {
        let p = self.message_param(session, CKF_MESSAGE_ENCRYPT, &param)?;
        ck(self
            .m
            .encrypt_message_next(ulong(session), &p, data, cap(out_len), ulong(flags)))
        .map(put_message_output)
    }

    pub fn message_encrypt_final(&mut self, session: f64) -> JsResult<()> {
        ck(self.m.message_encrypt_final(ulong(session)))
    }

    pub fn message_decrypt_init(
        &mut self,
        session: f64,
        mech: Option<f64>,
        param: JsValue,
        key: f64,
    ) -> JsResult<()> {
        let m = optional_mechanism(mech, &param)?;
        ck(self
            .m
            .message_decrypt_init(ulong(session), m.as_ref(), ulong(key)))
    }

    pub fn decrypt_message(
        &mut self,
        session: f64,
        param: JsValue,
        aad: &[u8],
        data: &[u8],
        out_len: Option<f64>,
    ) -> JsResult<Vec<u8>> {
        let p = self.message_param(session, CKF_MESSAGE_DECRYPT, &param)?;
        ck(self
            .m
            .decrypt_message(ulong(session), &p, aad, data, cap(out_len)))
    }

    pub fn decrypt_message_begin(
        &mut self,
        session: f64,
        param: JsValue,
        aad: &[u8],
    ) -> JsResult<()> {
        let p = self.message_param(session, CKF_MESSAGE_DECRYPT, &param)?;
        ck(self.m.decrypt_message_begin(ulong(session), &p, aad))
    }

    pub fn decrypt_message_next(
        &mut self,
        session: f64,
        param: JsValue,
        data: &[u8],
        out_len: Option<f64>,
        flags: f64,
    ) -> JsResult<Vec<u8>> {
        let p = self.message_param(session, CKF_MESSAGE_DECRYPT, &param)?;
        ck(self
            .m
            .decrypt_message_next(ulong(session), &p, data, cap(out_len), ulong(flags)))
    }

    pub fn message_decrypt_final(&mut self, session: f64) -> JsResult<()> {
        ck(self.m.message_decrypt_final(ulong(session)))
    }

    pub fn message_sign_init(
        &mut self,
        session: f64,
        mech: Option<f64>,
        param: JsValue,
        key: f64,
    ) -> JsResult<()> {
        let m = optional_mechanism(mech, &param)?;
        ck(self
            .m
            .message_sign_init(ulong(session), m.as_ref(), ulong(key)))
    }

    pub fn sign_message(
        &mut self,
        session: f64,
        param: JsValue,
        data: &[u8],
        out_len: Option<f64>,
    ) -> JsResult<Vec<u8>> {
        let p = self.message_param(session, CKF_MESSAGE_SIGN, &param)?;
        ck(self.m.sign_message(ulong(session), &p, data, cap(out_len)))
    }

    pub fn sign_message_begin(&mut self, session: f64, param: JsValue) -> JsResult<()> {
        let p = self.message_param(session, CKF_MESSAGE_SIGN, &param)?;
        ck(self.m.sign_message_begin(ulong(session), &p))
    }

    /// `last`: a signature buffer was given; returns the signature then,
    /// else an empty array.
    pub fn sign_message_next(
        &mut self,
        session: f64,
        param: JsValue,
        data: &[u8],
        last: bool,
        out_len: Option<f64>,
    ) -> JsResult<Vec<u8>> {
        let p = self.message_param(session, CKF_MESSAGE_SIGN, &param)?;
        ck(self
            .m
            .sign_message_next(ulong(session), &p, data, last, cap(out_len)))
        .map(Option::unwrap_or_default)
    }

    pub fn message_sign_final(&mut self, session: f64) -> JsResult<()> {
        ck(self.m.message_sign_final(ulong(session)))
    }

    pub fn message_verify_init(
        &mut self,
        session: f64,
        mech: Option<f64>,
        param: JsValue,
        key: f64,
    ) -> JsResult<()> {
        let m = optional_mechanism(mech, &param)?;
        ck(self
            .m
            .message_verify_init(ulong(session), m.as_ref(), ulong(key)))
    }

    pub fn verify_message(
        &mut self,
        session: f64,
        param: JsValue,
        data: &[u8],
        signature: &[u8],
    ) -> JsResult<()> {
        let p = self.message_param(session, CKF_MESSAGE_VERIFY, &param)?;
        ck(self.m.verify_message(ulong(session), &p, data, signature))
    }

    pub fn verify_message_begin(&mut self, session: f64, param: JsValue) -> JsResult<()> {
        let p = self.message_param(session, CKF_MESSAGE_VERIFY, &param)?;
        ck(self.m.verify_message_begin(ulong(session), &p))
    }

    /// `signature` undefined: more parts follow.
    pub fn verify_message_next(
        &mut self,
        session: f64,
        param: JsValue,
        data: &[u8],
        signature: Option<Vec<u8>>,
    ) -> JsResult<()> {
        let p = self.message_param(session, CKF_MESSAGE_VERIFY, &param)?;
        ck(self
            .m
            .verify_message_next(ulong(session), &p, data, signature.as_deref()))
    }

    pub fn message_verify_final(&mut self, session: f64) -> JsResult<()> {
        ck(self.m.message_verify_final(ulong(session)))
    }

    pub fn verify_signature_init(
        &mut self,
        session: f64,
        mech: Option<f64>,
        param: JsValue,
        key: f64,
        signature: &[u8],
    ) -> JsResult<()> {
        let m = optional_mechanism(mech, &param)?;
        ck(self
            .m
            .verify_signature_init(ulong(session), m.as_ref(), ulong(key), signature))
    }

    pub fn verify_signature(&mut self, session: f64, data: &[u8]) -> JsResult<()> {
        ck(self.m.verify_signature(ulong(session), data))
    }

    pub fn verify_signature_update(&mut self, session: f64, data: &[u8]) -> JsResult<()> {
        ck(self.m.verify_signature_update(ulong(session), data))
    }

    pub fn verify_signature_final(&mut self, session: f64) -> JsResult<()> {
        ck(self.m.verify_signature_final(ulong(session)))
    }
}
