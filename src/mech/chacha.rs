//! ChaCha20 (PKCS#11 3.1 mechanisms, "ChaCha20" and "ChaCha20/Poly1305"):
//! the CKK_CHACHA20 key type (a 32-byte CKA_VALUE), CKM_CHACHA20_KEY_GEN
//! and the CKM_CHACHA20_POLY1305 AEAD of RFC 8439 section 2.8.
//!
//! The AEAD takes CK_SALSA20_CHACHA20_POLY1305_PARAMS {pNonce, pAAD}; the
//! output is ciphertext || 16-byte tag. Only the 96-bit nonce of RFC 8439
//! is accepted: with a 64-bit nonce the construction is not settled
//! (draft-agl's original ChaCha20-Poly1305 authenticates the lengths
//! differently from RFC 8439, and zero-extending the nonce, as OpenSSL
//! does, is a third choice), so such parameters are refused with
//! CKR_MECHANISM_PARAM_INVALID rather than risk an incompatible result.
//!
//! Built on the `chacha20` and `poly1305` crates so that encryption can
//! stream: C_EncryptUpdate returns ciphertext as it is made and
//! C_EncryptFinal the tag. Decryption holds everything until
//! C_DecryptFinal and releases plaintext only once the tag checks, as for
//! AES-GCM.
use poly1305::Poly1305;
use poly1305::universal_hash::{KeyInit, UniversalHash};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::{
    CipherOp, CkMechanism, Generated, KeyTypeDef, Mechanism, Param, Registry, check_key, info,
    random_bytes,
};
use crate::CK_ULONG;
use crate::attr::policy::{AttrMap, Default as AttrDefault, Kind, Rule, flag};
use crate::attr::{Attribute, find_ulong, parse_ulong, ulong_bytes};
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// ChaCha20 block size: block 0 keys Poly1305, the text starts at block 1.
const CHACHA_BLOCK: u64 = 64;
/// Longest text: 2^32 - 1 blocks after block 0 (RFC 8439 section 2.8).
const MAX_TEXT: u64 = ((1 << 32) - 1) * CHACHA_BLOCK;
/// Poly1305 block.
const POLY_BLOCK: usize = 16;

// ---------------------------------------------------------------------------
// Key type

static CHACHA20_SECRET: &[Rule] = &[
    Rule {
        kind: CKA_VALUE,
        value: Kind::Bytes,
        flags: flag::REQ_CREATE | flag::NO_GEN | flag::NO_UNWRAP | flag::SENSITIVE,
        default: AttrDefault::None,
    },
    // The length is fixed; given anywhere, it must be 32 (lenient, as AES).
    Rule {
        kind: CKA_VALUE_LEN,
        value: Kind::Ulong,
        flags: 0,
        default: AttrDefault::None,
    },
];

/// CKK_CHACHA20: secret keys of exactly 256 bits ("ChaCha20 secret key
/// objects").
pub static CHACHA20_KEY: KeyTypeDef = KeyTypeDef {
    ckk: CKK_CHACHA20,
    public: &[],
    private: &[],
    secret: CHACHA20_SECRET,
    complete,
    export_private: None,
    import_private: None,
};

fn complete(class: CK_ULONG, attrs: &mut AttrMap) -> CkResult<()> {
    if class != CKO_SECRET_KEY {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    let len = attrs.get(&CKA_VALUE).ok_or(CKR_TEMPLATE_INCOMPLETE)?.len();
    if len != KEY_LEN {
        return Err(CKR_ATTRIBUTE_VALUE_INVALID);
    }
    if let Some(given) = attrs.get(&CKA_VALUE_LEN)
        && parse_ulong(given)? != KEY_LEN as CK_ULONG
    {
        return Err(CKR_TEMPLATE_INCONSISTENT);
    }
    attrs.insert(
        CKA_VALUE_LEN,
        Zeroizing::new(ulong_bytes(KEY_LEN as CK_ULONG)),
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// Registration

pub struct ChaCha;

static CHACHA: ChaCha = ChaCha;

/// Key sizes in bytes, the unit of CKA_VALUE_LEN (as for AES).
pub fn register(r: &mut Registry) {
    let cipher = CKF_ENCRYPT | CKF_DECRYPT | CKF_WRAP | CKF_UNWRAP;
    r.add(CKM_CHACHA20_KEY_GEN, info(32, 32, CKF_GENERATE), &CHACHA);
    r.add(CKM_CHACHA20_POLY1305, info(32, 32, cipher), &CHACHA);
    r.add_key_type(&CHACHA20_KEY);
}

impl Mechanism for ChaCha {
    fn encrypt_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn CipherOp>> {
        init(m, key, true)
    }

    fn decrypt_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn CipherOp>> {
        init(m, key, false)
    }

    /// "ChaCha20 key generation": 32 random bytes.
    fn generate_key(&self, m: &CkMechanism, template: &[Attribute]) -> CkResult<Generated> {
        if m.kind != CKM_CHACHA20_KEY_GEN {
            return Err(CKR_MECHANISM_INVALID);
        }
        m.no_param()?;
        if find_ulong(template, CKA_CLASS)?.is_some_and(|c| c != CKO_SECRET_KEY)
            || find_ulong(template, CKA_KEY_TYPE)?.is_some_and(|t| t != CKK_CHACHA20)
        {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        if find_ulong(template, CKA_VALUE_LEN)?.is_some_and(|n| n != KEY_LEN as CK_ULONG) {
            return Err(CKR_ATTRIBUTE_VALUE_INVALID);
        }
        let value = random_bytes(KEY_LEN)?;
        Ok(vec![
            Attribute::new(CKA_VALUE, value.as_slice()),
            Attribute::ulong(CKA_VALUE_LEN, KEY_LEN as CK_ULONG),
            Attribute::ulong(CKA_KEY_TYPE, CKK_CHACHA20),
        ])
    }
}

fn init(m: &CkMechanism, key: &Object, encrypt: bool) -> CkResult<Box<dyn CipherOp>> {
    if m.kind != CKM_CHACHA20_POLY1305 {
        return Err(CKR_MECHANISM_INVALID);
    }
    let Param::ChaCha20Poly1305 { nonce, aad } = &m.param else {
        return Err(CKR_MECHANISM_PARAM_INVALID);
    };
    chacha20_poly1305_cipher(key, nonce, aad, encrypt)
}

// ---------------------------------------------------------------------------
// Entry point

/// A ChaCha20-Poly1305 encryption or decryption under the CKK_CHACHA20
/// key object `key`; the nonce must be 12 bytes.
pub(crate) fn chacha20_poly1305_cipher(
    key: &Object,
    nonce: &[u8],
    aad: &[u8],
    encrypt: bool,
) -> CkResult<Box<dyn CipherOp>> {
    check_key(key, CKO_SECRET_KEY, &[CKK_CHACHA20])?;
    let key: [u8; KEY_LEN] = key
        .require(CKA_VALUE)?
        .try_into()
        .map_err(|_| CKR_KEY_SIZE_RANGE)?;
    let key = Zeroizing::new(key);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CKR_MECHANISM_PARAM_INVALID)?;
    if aad.len() as u64 > u32::MAX as u64 {
        return Err(CKR_MECHANISM_PARAM_INVALID);
    }
    let aead = Aead::new(key, nonce, aad)?;
    Ok(if encrypt {
        Box::new(Encrypt { aead })
    } else {
        Box::new(Decrypt {
            aead,
            input: Vec::new(),
        })
    })
}

// ---------------------------------------------------------------------------
// The construction (RFC 8439 section 2.8)

/// The ChaCha20 keystream from a byte position (`stream.rs`: four blocks
/// at a time in SIMD).
#[derive(Clone)]
struct Keystream {
    key: Zeroizing<[u8; KEY_LEN]>,
    nonce: [u8; NONCE_LEN],
    pos: u64,
}

impl Keystream {
    /// XORs the next data.len() keystream bytes into `data`; the callers
    /// keep the total within MAX_TEXT after block 0 (`Aead::reserve`).
    fn apply(&mut self, data: &mut [u8]) -> CkResult<()> {
        let end = self
            .pos
            .checked_add(data.len() as u64)
            .ok_or(CKR_GENERAL_ERROR)?;
        if end > MAX_TEXT + CHACHA_BLOCK {
            return Err(CKR_GENERAL_ERROR);
        }
        stream::xor_keystream(&self.key, &self.nonce, self.pos, data);
        self.pos = end;
        Ok(())
    }
}

/// Poly1305 fed in pieces of any length: keeps the partial block.
#[derive(Clone)]
struct Mac {
    poly: Poly1305,
    partial: Zeroizing<[u8; POLY_BLOCK]>,
    len: usize,
}

impl Mac {
    fn feed(&mut self, mut data: &[u8]) {
        if self.len > 0 {
            let n = (POLY_BLOCK - self.len).min(data.len());
            let (head, rest) = data.split_at(n);
            self.partial[self.len..self.len + n].copy_from_slice(head);
            self.len += n;
            data = rest;
            if self.len < POLY_BLOCK {
                return;
            }
            self.poly.update(&[poly1305::Block::from(*self.partial)]);
            self.len = 0;
        }
        let (blocks, tail) = poly1305::Block::slice_as_chunks(data);
        self.poly.update(blocks);
        self.partial[..tail.len()].copy_from_slice(tail);
        self.len = tail.len();
    }

    /// Ends a section zero-padded to 16 bytes (the AAD or the ciphertext).
    fn pad(&mut self) {
        if self.len > 0 {
            self.poly.update_padded(&self.partial[..self.len]);
            self.len = 0;
        }
    }
}

#[derive(Clone)]
struct Aead {
    stream: Keystream,
    mac: Mac,
    aad_len: u64,
    text_len: u64,
}

impl Aead {
    fn new(key: Zeroizing<[u8; KEY_LEN]>, nonce: [u8; NONCE_LEN], aad: &[u8]) -> CkResult<Self> {
        let mut stream = Keystream { key, nonce, pos: 0 };
        // The one-time Poly1305 key: the first 32 bytes of block 0.
        let mut poly_key = Zeroizing::new([0u8; 32]);
        stream.apply(&mut poly_key[..])?;
        let poly = Poly1305::new(&(*poly_key).into());
        stream.pos = CHACHA_BLOCK;
        let mut mac = Mac {
            poly,
            partial: Zeroizing::new([0; POLY_BLOCK]),
            len: 0,
        };
        mac.feed(aad);
        mac.pad();
        Ok(Aead {
            stream,
            mac,
            aad_len: aad.len() as u64,
            text_len: 0,
        })
    }

    fn reserve(&mut self, more: usize, encrypt: bool) -> CkResult<()> {
        match self.text_len.checked_add(more as u64) {
            Some(total) if total <= MAX_TEXT => {
                self.text_len = total;
                Ok(())
            }
            _ if encrypt => Err(CKR_DATA_LEN_RANGE),
            _ => Err(CKR_ENCRYPTED_DATA_LEN_RANGE),
        }
    }

    /// Poly1305 over the padded AAD and ciphertext and the two lengths.
    fn tag(&mut self) -> [u8; TAG_LEN] {
        self.mac.pad();
        let mut lengths = [0u8; POLY_BLOCK];
        lengths[..8].copy_from_slice(&self.aad_len.to_le_bytes());
        lengths[8..].copy_from_slice(&self.text_len.to_le_bytes());
        let mut poly = self.mac.poly.clone();
        poly.update(&[poly1305::Block::from(lengths)]);
        poly.finalize().into()
    }
}

/// Encryption: ciphertext as it is made, the tag at the end.
#[derive(Clone)]
struct Encrypt {
    aead: Aead,
}

impl CipherOp for Encrypt {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let mut out = self.update(input)?;
        out.extend_from_slice(&self.finalize()?);
        Ok(out)
    }

    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.aead.reserve(input.len(), true)?;
        let mut out = Vec::with_capacity(input.len().saturating_add(TAG_LEN));
        out.extend_from_slice(input);
        self.aead.stream.apply(&mut out)?;
        self.aead.mac.feed(&out);
        Ok(out)
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        Ok(self.aead.tag().to_vec())
    }

    fn output_bound(&self, input_len: usize, last: bool) -> usize {
        if last {
            input_len.saturating_add(TAG_LEN)
        } else {
            input_len
        }
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

/// Decryption: input is held until the end; plaintext only after the tag
/// checks.
#[derive(Clone)]
struct Decrypt {
    aead: Aead,
    input: Vec<u8>,
}

impl CipherOp for Decrypt {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.update(input)?;
        self.finalize()
    }

    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let total = self.input.len() as u64 + input.len() as u64;
        if total > MAX_TEXT + TAG_LEN as u64 {
            return Err(CKR_ENCRYPTED_DATA_LEN_RANGE);
        }
        self.input.extend_from_slice(input);
        Ok(Vec::new())
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        let split = self
            .input
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(CKR_ENCRYPTED_DATA_LEN_RANGE)?;
        let (ciphertext, tag) = self.input.split_at(split);
        self.aead.reserve(ciphertext.len(), false)?;
        self.aead.mac.feed(ciphertext);
        if !bool::from(self.aead.tag().ct_eq(tag)) {
            return Err(CKR_ENCRYPTED_DATA_INVALID);
        }
        let mut out = ciphertext.to_vec();
        self.aead.stream.apply(&mut out)?;
        self.input.clear();
        Ok(out)
    }

    fn output_bound(&self, input_len: usize, last: bool) -> usize {
        if last {
            self.input
                .len()
                .saturating_add(input_len)
                .saturating_sub(TAG_LEN)
        } else {
            0
        }
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

mod stream;
#[cfg(test)]
mod tests;
