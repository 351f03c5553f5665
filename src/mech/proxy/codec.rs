//! The binary form of what crosses between the core and the extra module:
//! CK_ULONGs as 8 bytes LE, byte strings as a u32 LE length and the bytes,
//! attribute lists as a count and (type, value) pairs, and `Param` as a tag
//! byte and its fields in declaration order. A malformed message (never
//! expected: both ends are built from these sources) decodes to
//! CKR_GENERAL_ERROR. The helpers are kept out of line: the proxies' code
//! stays small in the core.
//!
//! A message (`Writer::new`) is a frame: a kind byte (the request's op, or
//! the response's status), a u32 LE count of the leading bytes that may
//! hold secrets (`secret_len`: the header, the mechanism, key attributes,
//! templates...; everything written except `Writer::data`), then the body.
//! Whoever holds a copy of a frame wipes that prefix once done with it;
//! the caller's bulk data (plaintext, ciphertext, a message to sign), which
//! the protocol puts last, is not wiped: it is the caller's, and wiping
//! 1 MiB several times per call was as slow as the cipher. Message buffers
//! are reused (`pool`): each grows to the largest message seen, no more.
use std::cell::RefCell;

use zeroize::{Zeroize, Zeroizing};

use crate::CK_ULONG;
use crate::attr::Attribute;
use crate::attr::policy::AttrMap;
use crate::constants::*;
use crate::mech::kdf::PrfDataParam;
use crate::mech::{CkMechanism, Param};
use crate::rv::CkResult;

/// What `Writer::key` sends of a key: what the families of the extra module
/// read from the key of a sign, verify, cipher, derive or KEM operation.
pub const OPERATION_ATTRS: [CK_ULONG; 9] = [
    CKA_CLASS,
    CKA_KEY_TYPE,
    CKA_VALUE,
    CKA_VALUE_LEN,
    CKA_EC_PARAMS,
    CKA_EC_POINT,
    CKA_PARAMETER_SET,
    CKA_SEED,
    CKA_PUBLIC_KEY_INFO,
];

/// Bytes before a frame's body: kind and secret length.
pub const HEADER: usize = 5;

/// Spare message buffers of this thread (at most `POOL_MAX`), their secret
/// prefixes already wiped.
const POOL_MAX: usize = 2;
thread_local! {
    static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// A buffer from the pool (empty), or a new one.
pub fn take_buffer() -> Vec<u8> {
    POOL.with_borrow_mut(|p| p.pop()).unwrap_or_default()
}

/// Wipes `buf`'s first `secret` bytes and gives it back to the pool.
pub fn give_buffer(mut buf: Vec<u8>, secret: usize) {
    let n = secret.min(buf.len());
    buf[..n].zeroize();
    buf.clear();
    if buf.capacity() == 0 {
        return;
    }
    POOL.with_borrow_mut(|p| {
        if p.len() < POOL_MAX {
            p.push(buf);
        }
    });
}

/// The secret prefix a frame declares (all of it when it is malformed).
pub fn secret_len(frame: &[u8]) -> usize {
    match frame.get(1..HEADER) {
        Some(b) => (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize).min(frame.len()),
        None => frame.len(),
    }
}

/// Builds one message. Dropping it wipes its secret prefix.
#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
    /// Bytes from the start that may hold secrets.
    secret: usize,
    /// Whether `buf` starts with a frame header (`new`).
    framed: bool,
}

impl Drop for Writer {
    fn drop(&mut self) {
        give_buffer(std::mem::take(&mut self.buf), self.secret);
    }
}

impl Writer {
    /// A frame of kind `op` (a request's op, a response's status).
    pub fn new(op: u8) -> Self {
        let mut buf = take_buffer();
        buf.extend_from_slice(&[op, 0, 0, 0, 0]);
        Writer {
            buf,
            secret: HEADER,
            framed: true,
        }
    }
    /// The message (for a frame, its header carries the secret length).
    pub fn frame(&mut self) -> &[u8] {
        if self.framed && self.buf.len() >= HEADER {
            let n = (self.secret as u32).to_le_bytes();
            self.buf[1..HEADER].copy_from_slice(&n);
        }
        &self.buf
    }
    /// Appends `b`; grows by hand so that a reallocation never leaves a
    /// copy of the secret prefix behind.
    #[inline(never)]
    fn put(&mut self, b: &[u8], secret: bool) {
        let need = self.buf.len().saturating_add(b.len());
        if need > self.buf.capacity() {
            let mut bigger = Vec::with_capacity(need.max(self.buf.capacity().saturating_mul(2)));
            bigger.extend_from_slice(&self.buf);
            let mut old = std::mem::replace(&mut self.buf, bigger);
            let n = self.secret.min(old.len());
            old[..n].zeroize();
        }
        self.buf.extend_from_slice(b);
        if secret {
            self.secret = self.buf.len();
        }
    }
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.put(&[v], true);
        self
    }
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u8(v as u8)
    }
    pub fn ulong(&mut self, v: CK_ULONG) -> &mut Self {
        self.put(&v.to_le_bytes(), true);
        self
    }
    fn len(&mut self, n: usize) -> &mut Self {
        self.put(&(n as u32).to_le_bytes(), true);
        self
    }
    /// A byte string that may be secret (wiped with the prefix).
    #[inline(never)]
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.len(b.len()).put(b, true);
        self
    }
    /// Bytes already encoded (e.g. a mechanism and key kept by an
    /// operation in progress), secret.
    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.put(b, true);
        self
    }
    /// The caller's bulk data (plaintext, ciphertext, a message): not
    /// secret to the token, not wiped; it goes last in a message so that
    /// the secret prefix stays short.
    #[inline(never)]
    pub fn data(&mut self, b: &[u8]) -> &mut Self {
        self.len(b.len()).put(b, false);
        self
    }
    #[inline(never)]
    pub fn attrs(&mut self, list: &[Attribute]) -> &mut Self {
        self.len(list.len());
        for a in list {
            self.ulong(a.kind).bytes(&a.value);
        }
        self
    }
    #[inline(never)]
    pub fn map(&mut self, map: &AttrMap) -> &mut Self {
        self.len(map.len());
        for (kind, value) in map {
            self.ulong(*kind).bytes(value);
        }
        self
    }
    /// The attributes of the key an operation runs under that the moved
    /// families read (`OPERATION_ATTRS`), as a map: the engine has checked
    /// the rest (usage flags, policy) before any mechanism is reached, and
    /// a whole key object (~30 attributes) costs more to frame, hash for
    /// the init answers, copy, parse and wipe than the signature it serves.
    pub fn key(&mut self, map: &AttrMap) -> &mut Self {
        let present = || {
            OPERATION_ATTRS
                .iter()
                .filter_map(|k| map.get(k).map(|v| (*k, v)))
        };
        self.len(present().count());
        for (kind, value) in present() {
            self.ulong(kind).bytes(value);
        }
        self
    }
    #[inline(never)]
    pub fn mechanism(&mut self, m: &CkMechanism) -> &mut Self {
        self.ulong(m.kind).param(&m.param)
    }
    #[inline(never)]
    pub fn param(&mut self, p: &Param) -> &mut Self {
        match p {
            Param::None => self.u8(0),
            Param::Bytes(b) => self.u8(1).bytes(b),
            Param::Gcm { iv, aad, tag_bits } => self.u8(2).bytes(iv).bytes(aad).ulong(*tag_bits),
            Param::Ctr {
                counter_bits,
                counter_block,
            } => self.u8(3).ulong(*counter_bits).bytes(counter_block),
            Param::Oaep {
                hash_alg,
                mgf,
                source,
                source_data,
            } => self
                .u8(4)
                .ulong(*hash_alg)
                .ulong(*mgf)
                .ulong(*source)
                .bytes(source_data),
            Param::Pss {
                hash_alg,
                mgf,
                salt_len,
            } => self.u8(5).ulong(*hash_alg).ulong(*mgf).ulong(*salt_len),
            Param::Ecdh1 {
                kdf,
                shared_data,
                public_data,
            } => self.u8(6).ulong(*kdf).bytes(shared_data).bytes(public_data),
            Param::AesCbcEncryptData { iv, data } => self.u8(7).bytes(iv).bytes(data),
            Param::ChaCha20Poly1305 { nonce, aad } => self.u8(8).bytes(nonce).bytes(aad),
            Param::GcmMessage {
                iv,
                iv_fixed_bits,
                iv_generator,
                tag,
                tag_bits,
            } => self
                .u8(9)
                .bytes(iv)
                .ulong(*iv_fixed_bits)
                .ulong(*iv_generator)
                .bytes(tag)
                .ulong(*tag_bits),
            Param::ChaCha20Poly1305Message { nonce, tag } => self.u8(10).bytes(nonce).bytes(tag),
            Param::RsaAesKeyWrap { aes_key_bits, oaep } => {
                self.u8(11).ulong(*aes_key_bits).param(oaep)
            }
            Param::SignAdditionalContext {
                hedge_variant,
                context,
            } => self.u8(12).ulong(*hedge_variant).bytes(context),
            Param::Eddsa { ph_flag, context } => self.u8(13).bool(*ph_flag).bytes(context),
            Param::Hkdf {
                extract,
                expand,
                prf_hash,
                salt_type,
                salt,
                salt_key,
                info,
            } => self
                .u8(14)
                .bool(*extract)
                .bool(*expand)
                .ulong(*prf_hash)
                .ulong(*salt_type)
                .bytes(salt)
                .ulong(*salt_key)
                .bytes(info),
            Param::Pbkdf2 {
                salt_source,
                salt,
                iterations,
                prf,
                prf_data,
                password,
            } => self
                .u8(15)
                .ulong(*salt_source)
                .bytes(salt)
                .ulong(*iterations)
                .ulong(*prf)
                .bytes(prf_data)
                .bytes(password),
            Param::Sp800108 {
                prf_type,
                data_params,
            } => {
                self.u8(16)
                    .ulong(*prf_type)
                    .ulong(data_params.len() as CK_ULONG);
                for d in data_params {
                    match d {
                        PrfDataParam::IterationVariable {
                            little_endian,
                            width_bits,
                        } => self.u8(0).bool(*little_endian).ulong(*width_bits),
                        PrfDataParam::Counter {
                            little_endian,
                            width_bits,
                        } => self.u8(1).bool(*little_endian).ulong(*width_bits),
                        PrfDataParam::DkmLength {
                            method,
                            little_endian,
                            width_bits,
                        } => self
                            .u8(2)
                            .ulong(*method)
                            .bool(*little_endian)
                            .ulong(*width_bits),
                        PrfDataParam::ByteArray(b) => self.u8(3).bytes(b),
                        PrfDataParam::KeyHandle(h) => self.u8(4).ulong(*h),
                    };
                }
                self
            }
        }
    }
}

/// Reads one message.
pub struct Reader<'a> {
    buf: &'a [u8],
}

const BAD: CK_ULONG = CKR_GENERAL_ERROR;

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }
    fn take(&mut self, n: usize) -> CkResult<&'a [u8]> {
        if self.buf.len() < n {
            return Err(BAD);
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }
    pub fn u8(&mut self) -> CkResult<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn bool(&mut self) -> CkResult<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(BAD),
        }
    }
    pub fn ulong(&mut self) -> CkResult<CK_ULONG> {
        let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| BAD)?;
        Ok(CK_ULONG::from_le_bytes(b))
    }
    fn len(&mut self) -> CkResult<usize> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| BAD)?;
        Ok(u32::from_le_bytes(b) as usize)
    }
    #[inline(never)]
    pub fn bytes(&mut self) -> CkResult<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }
    pub fn vec(&mut self) -> CkResult<Vec<u8>> {
        Ok(self.bytes()?.to_vec())
    }
    #[inline(never)]
    pub fn attrs(&mut self) -> CkResult<Vec<Attribute>> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n.min(self.buf.len() / 12));
        for _ in 0..n {
            let kind = self.ulong()?;
            out.push(Attribute::new(kind, self.bytes()?));
        }
        Ok(out)
    }
    #[inline(never)]
    pub fn map(&mut self) -> CkResult<AttrMap> {
        let n = self.len()?;
        let mut out = AttrMap::new();
        for _ in 0..n {
            let kind = self.ulong()?;
            out.insert(kind, Zeroizing::new(self.vec()?));
        }
        Ok(out)
    }
    #[inline(never)]
    pub fn mechanism(&mut self) -> CkResult<CkMechanism> {
        let kind = self.ulong()?;
        Ok(CkMechanism::with(kind, self.param(1)?))
    }
    /// `depth`: how many nested parameters may follow (RsaAesKeyWrap's).
    #[inline(never)]
    fn param(&mut self, depth: u8) -> CkResult<Param> {
        Ok(match self.u8()? {
            0 => Param::None,
            1 => Param::Bytes(self.vec()?),
            2 => Param::Gcm {
                iv: self.vec()?,
                aad: self.vec()?,
                tag_bits: self.ulong()?,
            },
            3 => Param::Ctr {
                counter_bits: self.ulong()?,
                counter_block: self.vec()?,
            },
            4 => Param::Oaep {
                hash_alg: self.ulong()?,
                mgf: self.ulong()?,
                source: self.ulong()?,
                source_data: self.vec()?,
            },
            5 => Param::Pss {
                hash_alg: self.ulong()?,
                mgf: self.ulong()?,
                salt_len: self.ulong()?,
            },
            6 => Param::Ecdh1 {
                kdf: self.ulong()?,
                shared_data: self.vec()?,
                public_data: self.vec()?,
            },
            7 => Param::AesCbcEncryptData {
                iv: self.vec()?,
                data: self.vec()?,
            },
            8 => Param::ChaCha20Poly1305 {
                nonce: self.vec()?,
                aad: self.vec()?,
            },
            9 => Param::GcmMessage {
                iv: self.vec()?,
                iv_fixed_bits: self.ulong()?,
                iv_generator: self.ulong()?,
                tag: self.vec()?,
                tag_bits: self.ulong()?,
            },
            10 => Param::ChaCha20Poly1305Message {
                nonce: self.vec()?,
                tag: self.vec()?,
            },
            11 if depth > 0 => Param::RsaAesKeyWrap {
                aes_key_bits: self.ulong()?,
                oaep: Box::new(self.param(depth - 1)?),
            },
            12 => Param::SignAdditionalContext {
                hedge_variant: self.ulong()?,
                context: self.vec()?,
            },
            13 => Param::Eddsa {
                ph_flag: self.bool()?,
                context: self.vec()?,
            },
            14 => Param::Hkdf {
                extract: self.bool()?,
                expand: self.bool()?,
                prf_hash: self.ulong()?,
                salt_type: self.ulong()?,
                salt: self.vec()?,
                salt_key: self.ulong()?,
                info: self.vec()?,
            },
            15 => Param::Pbkdf2 {
                salt_source: self.ulong()?,
                salt: self.vec()?,
                iterations: self.ulong()?,
                prf: self.ulong()?,
                prf_data: self.vec()?,
                password: Zeroizing::new(self.vec()?),
            },
            16 => {
                let prf_type = self.ulong()?;
                let n = self.ulong()?;
                let mut data_params = Vec::new();
                for _ in 0..n {
                    data_params.push(match self.u8()? {
                        0 => PrfDataParam::IterationVariable {
                            little_endian: self.bool()?,
                            width_bits: self.ulong()?,
                        },
                        1 => PrfDataParam::Counter {
                            little_endian: self.bool()?,
                            width_bits: self.ulong()?,
                        },
                        2 => PrfDataParam::DkmLength {
                            method: self.ulong()?,
                            little_endian: self.bool()?,
                            width_bits: self.ulong()?,
                        },
                        3 => PrfDataParam::ByteArray(self.vec()?),
                        4 => PrfDataParam::KeyHandle(self.ulong()?),
                        _ => return Err(BAD),
                    });
                }
                Param::Sp800108 {
                    prf_type,
                    data_params,
                }
            }
            _ => return Err(BAD),
        })
    }
    /// The message must end here.
    pub fn end(&self) -> CkResult<()> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(BAD)
        }
    }
}
