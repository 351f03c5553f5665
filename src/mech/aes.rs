//! AES: the CKK_AES key type, CKM_AES_KEY_GEN and the ECB, CBC, CBC_PAD,
//! CTR and GCM ciphers (PKCS#11 3.1 "Current Mechanisms": sections "AES",
//! "AES with Counter" and "AES-GCM authenticated Encryption / Decryption").
//!
//! Every mode is built here on one AES block cipher whose key size is
//! chosen at run time, so buffering, cloning and wiping work the same way
//! for all of them: the RustCrypto mode crates fix the key size in the type,
//! have no counter of arbitrary width (CK_AES_CTR_PARAMS.ulCounterBits), and
//! `aes-gcm` neither streams nor takes IVs whose length is known only at run
//! time. GCM follows NIST SP 800-38D with GHASH from the `ghash` crate. The
//! tests check each mode against NIST and Wycheproof vectors and against the
//! RustCrypto crates.
use aes::{Aes128, Aes192, Aes256, Block};
use cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use ghash::GHash;
use ghash::universal_hash::UniversalHash;
use subtle::{ConstantTimeEq, ConstantTimeGreater};
use zeroize::{Zeroize, Zeroizing};

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

const BLOCK: usize = 16;

/// C_GenerateKey with a CKA_VALUE_LEN other than 16, 24 or 32: the base
/// spec's code for an invalid value of a valid attribute (section 4.1.1),
/// as SoftHSMv2 answers (kryoptic answers CKR_KEY_SIZE_RANGE).
const BAD_GEN_LEN: CK_ULONG = CKR_ATTRIBUTE_VALUE_INVALID;

/// GCM tag lengths allowed by NIST SP 800-38D section 5.2.1.2. The 3.1 text
/// allows any ulTagBits up to 128, but tags that are not whole bytes cannot
/// be appended to the ciphertext, and shorter ones are forgeable.
const GCM_TAG_BITS: [CK_ULONG; 7] = [32, 64, 96, 104, 112, 120, 128];

/// Longest GCM plaintext: 2^39 - 256 bits (SP 800-38D section 5.2.1.1).
const GCM_MAX_TEXT: u64 = (1 << 36) - 32;

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
    r.add_key_type(&AES_KEY);
}

impl Mechanism for Aes {
    /// ECB and CBC have no padding: a wrapped secret is zero-padded to
    /// the block size (PKCS#11 3.1 mechanisms, AES-ECB/CBC wrapping).
    fn wrap_block(&self, m: &CkMechanism) -> usize {
        if matches!(m.kind, CKM_AES_ECB | CKM_AES_CBC) { 16 } else { 1 }
    }
    fn encrypt_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn CipherOp>> {
        init(m, key, true)
    }

    fn decrypt_init(&self, m: &CkMechanism, key: &Object) -> CkResult<Box<dyn CipherOp>> {
        init(m, key, false)
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
            let iv = match &m.param {
                Param::Bytes(iv) => <[u8; BLOCK]>::try_from(iv.as_slice())
                    .map_err(|_| CKR_MECHANISM_PARAM_INVALID)?,
                _ => return Err(CKR_MECHANISM_PARAM_INVALID),
            };
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
            // ulIvLen 1..2^32-1 and ulAADLen 0..2^32-1 bytes (CK_GCM_PARAMS).
            let max = u32::MAX as u64;
            if iv.is_empty()
                || iv.len() as u64 > max
                || aad.len() as u64 > max
                || !GCM_TAG_BITS.contains(tag_bits)
            {
                return Err(CKR_MECHANISM_PARAM_INVALID);
            }
            let gcm = Gcm::new(Cipher::new(key)?, iv, aad, (*tag_bits / 8) as usize);
            if encrypt {
                Box::new(GcmEncrypt { gcm })
            } else {
                Box::new(GcmDecrypt {
                    gcm,
                    input: Vec::new(),
                })
            }
        }
        _ => return Err(CKR_MECHANISM_INVALID),
    };
    Ok(op)
}

// ---------------------------------------------------------------------------
// The block cipher

/// AES with the key size chosen at run time. The `aes` crate's `zeroize`
/// feature wipes the round keys on drop.
#[derive(Clone)]
enum Cipher {
    A128(Aes128),
    A192(Aes192),
    A256(Aes256),
}

impl Cipher {
    /// The cipher for an AES key object's CKA_VALUE.
    fn new(key: &Object) -> CkResult<Self> {
        let value = key.require(CKA_VALUE)?;
        let bad = |_| CKR_KEY_SIZE_RANGE;
        Ok(match value.len() {
            16 => Cipher::A128(Aes128::new_from_slice(value).map_err(bad)?),
            24 => Cipher::A192(Aes192::new_from_slice(value).map_err(bad)?),
            32 => Cipher::A256(Aes256::new_from_slice(value).map_err(bad)?),
            _ => return Err(CKR_KEY_SIZE_RANGE),
        })
    }

    /// Encrypts the whole blocks of `data` in place (callers pass whole blocks).
    fn encrypt(&self, data: &mut [u8]) {
        let (blocks, _) = Block::slice_as_chunks_mut(data);
        match self {
            Cipher::A128(c) => c.encrypt_blocks(blocks),
            Cipher::A192(c) => c.encrypt_blocks(blocks),
            Cipher::A256(c) => c.encrypt_blocks(blocks),
        }
    }

    /// Decrypts the whole blocks of `data` in place.
    fn decrypt(&self, data: &mut [u8]) {
        let (blocks, _) = Block::slice_as_chunks_mut(data);
        match self {
            Cipher::A128(c) => c.decrypt_blocks(blocks),
            Cipher::A192(c) => c.decrypt_blocks(blocks),
            Cipher::A256(c) => c.decrypt_blocks(blocks),
        }
    }
}

fn xor(data: &mut [u8], with: &[u8]) {
    data.iter_mut().zip(with).for_each(|(d, k)| *d ^= k);
}

/// The error for a bad input length: CKR_DATA_LEN_RANGE when encrypting,
/// CKR_ENCRYPTED_DATA_LEN_RANGE when decrypting (base spec, CK_RV meanings).
fn len_error(encrypt: bool) -> CK_ULONG {
    if encrypt {
        CKR_DATA_LEN_RANGE
    } else {
        CKR_ENCRYPTED_DATA_LEN_RANGE
    }
}

// ---------------------------------------------------------------------------
// ECB, CBC and CBC_PAD

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Ecb,
    Cbc,
    /// CBC with PKCS #7 padding ("AES-CBC with PKCS padding").
    CbcPad,
}

/// ECB / CBC / CBC_PAD in progress: input is processed a whole block at a
/// time and the rest is held until more arrives.
#[derive(Clone)]
struct BlockOp {
    cipher: Cipher,
    mode: Mode,
    encrypt: bool,
    /// The CBC chaining value: the IV, then the last ciphertext block.
    chain: [u8; BLOCK],
    /// Input not processed yet (plaintext when encrypting: wiped).
    pending: Zeroizing<Vec<u8>>,
}

impl BlockOp {
    fn new(cipher: Cipher, mode: Mode, encrypt: bool, iv: [u8; BLOCK]) -> Self {
        BlockOp {
            cipher,
            mode,
            encrypt,
            chain: iv,
            pending: Zeroizing::new(Vec::with_capacity(BLOCK)),
        }
    }

    /// How many of `total` available bytes can be processed now. A CBC_PAD
    /// decryption keeps the last block back: it may be the padding.
    fn ready(&self, total: usize) -> usize {
        if self.mode == Mode::CbcPad && !self.encrypt {
            total.saturating_sub(1) / BLOCK * BLOCK
        } else {
            total / BLOCK * BLOCK
        }
    }

    /// Runs the mode over whole blocks in place.
    fn process(&mut self, data: &mut [u8]) {
        match (self.mode, self.encrypt) {
            (Mode::Ecb, true) => self.cipher.encrypt(data),
            (Mode::Ecb, false) => self.cipher.decrypt(data),
            (_, true) => {
                for block in data.chunks_exact_mut(BLOCK) {
                    xor(block, &self.chain);
                    self.cipher.encrypt(block);
                    self.chain.copy_from_slice(block);
                }
            }
            (_, false) => {
                let Some(last) = data.len().checked_sub(BLOCK) else {
                    return;
                };
                let ciphertext = data.to_vec();
                self.cipher.decrypt(data);
                let previous = self.chain.iter().chain(&ciphertext);
                data.iter_mut().zip(previous).for_each(|(d, p)| *d ^= p);
                self.chain.copy_from_slice(&ciphertext[last..last + BLOCK]);
            }
        }
    }

    /// Strips the PKCS #7 padding of the last decrypted block without
    /// branching on its bytes; returns the length of the data in it.
    fn unpad(block: &[u8; BLOCK]) -> CkResult<usize> {
        let pad = block[BLOCK - 1];
        let mut ok = pad.ct_gt(&0) & !pad.ct_gt(&(BLOCK as u8));
        for (i, b) in block.iter().enumerate() {
            let in_pad = !((BLOCK - i) as u8).ct_gt(&pad);
            ok &= !in_pad | b.ct_eq(&pad);
        }
        if bool::from(ok) {
            Ok(BLOCK - pad as usize)
        } else {
            Err(CKR_ENCRYPTED_DATA_INVALID)
        }
    }
}

impl CipherOp for BlockOp {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let mut out = self.update(input)?;
        out.extend_from_slice(&self.finalize()?);
        Ok(out)
    }

    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let ready = self.ready(self.pending.len().saturating_add(input.len()));
        if ready == 0 {
            self.pending.extend_from_slice(input);
            return Ok(Vec::new());
        }
        // ready >= BLOCK >= pending.len(), so this splits the input.
        let (now, later) = input
            .split_at_checked(ready - self.pending.len())
            .ok_or(CKR_GENERAL_ERROR)?;
        let mut out = Vec::with_capacity(ready);
        out.extend_from_slice(&self.pending);
        out.extend_from_slice(now);
        self.pending.clear();
        self.pending.extend_from_slice(later);
        self.process(&mut out);
        Ok(out)
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        match (self.mode, self.encrypt) {
            (Mode::CbcPad, true) => {
                let pad = BLOCK - self.pending.len();
                let mut block = Zeroizing::new([pad as u8; BLOCK]);
                block[..self.pending.len()].copy_from_slice(&self.pending);
                self.pending.clear();
                self.process(&mut block[..]);
                Ok(block.to_vec())
            }
            (Mode::CbcPad, false) => {
                let mut block = Zeroizing::new(
                    <[u8; BLOCK]>::try_from(self.pending.as_slice())
                        .map_err(|_| CKR_ENCRYPTED_DATA_LEN_RANGE)?,
                );
                self.pending.clear();
                self.process(&mut block[..]);
                let len = Self::unpad(&block)?;
                Ok(block[..len].to_vec())
            }
            _ if !self.pending.is_empty() => Err(len_error(self.encrypt)),
            _ => Ok(Vec::new()),
        }
    }

    fn output_bound(&self, input_len: usize, last: bool) -> usize {
        let total = self.pending.len().saturating_add(input_len);
        match (last, self.mode, self.encrypt) {
            (false, _, _) => self.ready(total),
            (true, Mode::CbcPad, true) => (total / BLOCK * BLOCK).saturating_add(BLOCK),
            // At least one byte of padding goes.
            (true, Mode::CbcPad, false) => total.saturating_sub(1),
            (true, _, _) => total / BLOCK * BLOCK,
        }
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

// ---------------------------------------------------------------------------
// Counter mode keystream (CTR, and GCM's GCTR)

/// Blocks of keystream made per call of the block cipher (lets the cipher
/// work on several blocks in parallel).
const BATCH: usize = 32;

/// E_K(counter block) for successive counter blocks, of which only the
/// low bits selected by `mask` change (modulo 2^bits).
#[derive(Clone)]
struct Keystream {
    cipher: Cipher,
    counter: u128,
    mask: u128,
    /// The keystream block in use and how many of its bytes are spent.
    spare: Zeroizing<[u8; BLOCK]>,
    used: usize,
}

impl Keystream {
    fn new(cipher: Cipher, counter_block: [u8; BLOCK], bits: u32) -> Self {
        let mask = if bits >= 128 {
            u128::MAX
        } else {
            (1u128 << bits) - 1
        };
        let counter = u128::from_be_bytes(counter_block);
        Keystream {
            cipher,
            counter,
            mask,
            spare: Zeroizing::new([0; BLOCK]),
            used: BLOCK,
        }
    }

    /// Returns the current counter block and steps to the next.
    fn next_counter(&mut self) -> [u8; BLOCK] {
        let current = self.counter;
        self.counter = (current & !self.mask) | (current.wrapping_add(1) & self.mask);
        current.to_be_bytes()
    }

    /// How many new counter blocks `len` more bytes consume.
    fn blocks_for(&self, len: usize) -> u128 {
        let spare = BLOCK.saturating_sub(self.used);
        (len.saturating_sub(spare) as u128).div_ceil(BLOCK as u128)
    }

    /// XORs the keystream into `data`.
    fn apply(&mut self, data: &mut [u8]) {
        let spare = BLOCK.saturating_sub(self.used).min(data.len());
        let (head, mut rest) = data.split_at_mut(spare);
        xor(head, self.spare.get(self.used..).unwrap_or_default());
        self.used += spare;
        let mut stream = Zeroizing::new([0u8; BATCH * BLOCK]);
        while rest.len() >= BLOCK {
            let n = (rest.len() / BLOCK).min(BATCH) * BLOCK;
            for block in stream[..n].chunks_exact_mut(BLOCK) {
                block.copy_from_slice(&self.next_counter());
            }
            self.cipher.encrypt(&mut stream[..n]);
            let (now, later) = rest.split_at_mut(n);
            xor(now, &stream[..n]);
            rest = later;
        }
        if !rest.is_empty() {
            *self.spare = self.next_counter();
            self.cipher.encrypt(&mut self.spare[..]);
            xor(rest, &self.spare[..]);
            self.used = rest.len();
        }
    }
}

/// CKM_AES_CTR: the low `counter_bits` bits of the counter block count up.
/// Data that would make them wrap is refused, since that would reuse
/// keystream ("AES with Counter").
#[derive(Clone)]
struct CtrOp {
    stream: Keystream,
    /// Counter blocks left before the counter wraps.
    blocks_left: u128,
    encrypt: bool,
}

impl CtrOp {
    fn new(cipher: Cipher, block: [u8; BLOCK], bits: u32, encrypt: bool) -> Self {
        let stream = Keystream::new(cipher, block, bits);
        let blocks_left = (stream.mask - (stream.counter & stream.mask)).saturating_add(1);
        CtrOp {
            stream,
            blocks_left,
            encrypt,
        }
    }
}

impl CipherOp for CtrOp {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.update(input)
    }

    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let needed = self.stream.blocks_for(input.len());
        if needed > self.blocks_left {
            return Err(len_error(self.encrypt));
        }
        self.blocks_left -= needed;
        let mut out = input.to_vec();
        self.stream.apply(&mut out);
        Ok(out)
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        Ok(Vec::new())
    }

    fn output_bound(&self, input_len: usize, _last: bool) -> usize {
        input_len
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

// ---------------------------------------------------------------------------
// GCM (NIST SP 800-38D)

/// GHASH fed in pieces of any length: keeps the partial block.
#[derive(Clone)]
struct Ghash {
    hash: GHash,
    partial: [u8; BLOCK],
    len: usize,
}

impl Ghash {
    fn feed(&mut self, mut data: &[u8]) {
        if self.len > 0 {
            let n = (BLOCK - self.len).min(data.len());
            let (head, rest) = data.split_at(n);
            self.partial[self.len..self.len + n].copy_from_slice(head);
            self.len += n;
            data = rest;
            if self.len < BLOCK {
                return;
            }
            self.hash.update(&[Block::from(self.partial)]);
            self.len = 0;
        }
        let (blocks, tail) = Block::slice_as_chunks(data);
        self.hash.update(blocks);
        self.partial[..tail.len()].copy_from_slice(tail);
        self.len = tail.len();
    }

    /// Ends a zero-padded section (the AAD or the ciphertext).
    fn pad(&mut self) {
        if self.len > 0 {
            self.hash.update_padded(&self.partial[..self.len]);
            self.len = 0;
        }
    }
}

/// The GCM state shared by both directions.
#[derive(Clone)]
struct Gcm {
    /// GCTR from inc32(J0).
    stream: Keystream,
    ghash: Ghash,
    /// E_K(J0), which masks the tag.
    tag_mask: Zeroizing<[u8; BLOCK]>,
    aad_len: u64,
    text_len: u64,
    tag_len: usize,
}

impl Gcm {
    fn new(cipher: Cipher, iv: &[u8], aad: &[u8], tag_len: usize) -> Self {
        let mut h = Block::default();
        cipher.encrypt(&mut h);
        let hash = GHash::new(&h);
        h.as_mut_slice().zeroize();
        // J0 = IV || 0^31 || 1 for 96-bit IVs, else GHASH(IV padded || len(IV)).
        let j0: [u8; BLOCK] = if iv.len() == 12 {
            let mut j0 = [0u8; BLOCK];
            j0[..12].copy_from_slice(iv);
            j0[BLOCK - 1] = 1;
            j0
        } else {
            let mut g = hash.clone();
            g.update_padded(iv);
            let mut lengths = [0u8; BLOCK];
            lengths[8..].copy_from_slice(&(iv.len() as u64 * 8).to_be_bytes());
            g.update(&[Block::from(lengths)]);
            g.finalize().into()
        };
        let mut tag_mask = Zeroizing::new(j0);
        cipher.encrypt(&mut tag_mask[..]);
        let mut stream = Keystream::new(cipher, j0, 32);
        stream.next_counter(); // the text starts at inc32(J0)
        let mut ghash = Ghash {
            hash,
            partial: [0; BLOCK],
            len: 0,
        };
        ghash.feed(aad);
        ghash.pad();
        Gcm {
            stream,
            ghash,
            tag_mask,
            aad_len: aad.len() as u64,
            text_len: 0,
            tag_len,
        }
    }

    /// Fails unless `more` bytes of text keep the total within the GCM limit.
    fn reserve(&mut self, more: usize, encrypt: bool) -> CkResult<()> {
        match self.text_len.checked_add(more as u64) {
            Some(total) if total <= GCM_MAX_TEXT => {
                self.text_len = total;
                Ok(())
            }
            _ => Err(len_error(encrypt)),
        }
    }

    /// The tag over everything fed to GHASH, cut to `tag_len` bytes.
    fn tag(&mut self) -> Zeroizing<Vec<u8>> {
        self.ghash.pad();
        let mut lengths = [0u8; BLOCK];
        lengths[..8].copy_from_slice(&(self.aad_len * 8).to_be_bytes());
        lengths[8..].copy_from_slice(&(self.text_len * 8).to_be_bytes());
        let mut hash = self.ghash.hash.clone();
        hash.update(&[Block::from(lengths)]);
        let mut tag = Zeroizing::new(hash.finalize().to_vec());
        xor(&mut tag, &self.tag_mask[..]);
        tag.truncate(self.tag_len);
        tag
    }
}

/// GCM encryption: ciphertext is returned as it is made, the tag at the end.
#[derive(Clone)]
struct GcmEncrypt {
    gcm: Gcm,
}

impl CipherOp for GcmEncrypt {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let mut out = self.update(input)?;
        out.extend_from_slice(&self.finalize()?);
        Ok(out)
    }

    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.gcm.reserve(input.len(), true)?;
        let mut out = Vec::with_capacity(input.len().saturating_add(self.gcm.tag_len));
        out.extend_from_slice(input);
        self.gcm.stream.apply(&mut out);
        self.gcm.ghash.feed(&out);
        Ok(out)
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        Ok(self.gcm.tag().to_vec())
    }

    fn output_bound(&self, input_len: usize, last: bool) -> usize {
        if last {
            input_len.saturating_add(self.gcm.tag_len)
        } else {
            input_len
        }
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

/// GCM decryption: all input is held until the end, and plaintext is
/// released only once the tag checks (as the 3.x text asks of AEAD modes).
#[derive(Clone)]
struct GcmDecrypt {
    gcm: Gcm,
    input: Vec<u8>,
}

impl CipherOp for GcmDecrypt {
    fn one_shot(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        self.update(input)?;
        self.finalize()
    }

    fn update(&mut self, input: &[u8]) -> CkResult<Vec<u8>> {
        let total = self.input.len() as u64 + input.len() as u64;
        if total > GCM_MAX_TEXT + self.gcm.tag_len as u64 {
            return Err(CKR_ENCRYPTED_DATA_LEN_RANGE);
        }
        self.input.extend_from_slice(input);
        Ok(Vec::new())
    }

    fn finalize(&mut self) -> CkResult<Vec<u8>> {
        let split = self
            .input
            .len()
            .checked_sub(self.gcm.tag_len)
            .ok_or(CKR_ENCRYPTED_DATA_LEN_RANGE)?;
        let (ciphertext, tag) = self.input.split_at(split);
        self.gcm.reserve(ciphertext.len(), false)?;
        self.gcm.ghash.feed(ciphertext);
        if !bool::from(self.gcm.tag().ct_eq(tag)) {
            return Err(CKR_ENCRYPTED_DATA_INVALID);
        }
        let mut out = ciphertext.to_vec();
        self.gcm.stream.apply(&mut out);
        self.input.clear();
        Ok(out)
    }

    fn output_bound(&self, input_len: usize, last: bool) -> usize {
        if last {
            self.input
                .len()
                .saturating_add(input_len)
                .saturating_sub(self.gcm.tag_len)
        } else {
            0
        }
    }

    fn box_clone(&self) -> Box<dyn CipherOp> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).expect("test hex")
    }

    fn key_object(value: &[u8]) -> Object {
        let mut attrs = AttrMap::new();
        attrs.insert(CKA_CLASS, Zeroizing::new(ulong_bytes(CKO_SECRET_KEY)));
        attrs.insert(CKA_KEY_TYPE, Zeroizing::new(ulong_bytes(CKK_AES)));
        attrs.insert(CKA_VALUE, Zeroizing::new(value.to_vec()));
        Object::new(attrs)
    }

    fn op(encrypt: bool, kind: CK_ULONG, param: Param, key: &[u8]) -> CkResult<Box<dyn CipherOp>> {
        let m = CkMechanism::with(kind, param);
        if encrypt {
            Aes.encrypt_init(&m, &key_object(key))
        } else {
            Aes.decrypt_init(&m, &key_object(key))
        }
    }

    fn enc(kind: CK_ULONG, param: Param, key: &[u8]) -> Box<dyn CipherOp> {
        op(true, kind, param, key).expect("encrypt_init")
    }

    fn dec(kind: CK_ULONG, param: Param, key: &[u8]) -> Box<dyn CipherOp> {
        op(false, kind, param, key).expect("decrypt_init")
    }

    fn ctr(bits: CK_ULONG, block: &[u8]) -> Param {
        Param::Ctr {
            counter_bits: bits,
            counter_block: block.to_vec(),
        }
    }

    fn gcm(iv: &[u8], aad: &[u8], tag_bits: CK_ULONG) -> Param {
        Param::Gcm {
            iv: iv.to_vec(),
            aad: aad.to_vec(),
            tag_bits,
        }
    }

    /// xorshift64*: deterministic data and chunkings.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next() as u8).collect()
        }
        /// Up to `max` bytes.
        fn some_bytes(&mut self, max: usize) -> Vec<u8> {
            let n = self.below(max + 1);
            self.bytes(n)
        }
    }

    /// C_Encrypt / C_Decrypt, checking the output against the announced bound.
    fn single(mut op: Box<dyn CipherOp>, input: &[u8]) -> CkResult<Vec<u8>> {
        let bound = op.output_bound(input.len(), true);
        let out = op.one_shot(input)?;
        assert!(out.len() <= bound, "one_shot {} > bound {bound}", out.len());
        Ok(out)
    }

    /// Update in random chunks (empty ones included), then final; each
    /// output checked against the bound announced before the call. Half
    /// way through, a clone is taken: finishing it in one go must give the
    /// same result (box_clone carries all the state).
    fn multi(mut op: Box<dyn CipherOp>, input: &[u8], rng: &mut Rng) -> CkResult<Vec<u8>> {
        let mut out = Vec::new();
        let mut rest = input;
        let mut twin = None;
        while !rest.is_empty() {
            if twin.is_none() && rest.len() * 2 <= input.len() {
                twin = Some((op.box_clone(), out.clone(), rest));
            }
            let n = match rng.below(4) {
                0 => 0,
                1 => rng.below(rest.len().min(16) + 1),
                _ => rng.below(rest.len() + 1),
            };
            let (now, later) = rest.split_at(n);
            let bound = op.output_bound(n, false);
            let part = op.update(now)?;
            assert!(part.len() <= bound, "update {} > bound {bound}", part.len());
            out.extend_from_slice(&part);
            rest = later;
        }
        let bound = op.output_bound(0, true);
        let last = op.finalize()?;
        assert!(last.len() <= bound, "final {} > bound {bound}", last.len());
        out.extend_from_slice(&last);
        if let Some((mut twin, mut early, rest)) = twin {
            early.extend_from_slice(&twin.update(rest)?);
            early.extend_from_slice(&twin.finalize()?);
            assert_eq!(early, out, "the clone finished differently");
        }
        Ok(out)
    }

    // NIST SP 800-38A appendix F: the plaintext, keys and IVs shared by the examples.
    const PT: &str = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
                      30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
    const KEYS: [&str; 3] = [
        "2b7e151628aed2a6abf7158809cf4f3c",
        "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
        "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
    ];
    const CBC_IV: &str = "000102030405060708090a0b0c0d0e0f";
    const CTR_BLOCK: &str = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

    /// Encrypts and decrypts one known answer, single- and multi-part.
    fn known_answer(kind: CK_ULONG, param: Param, key: &str, pt: &str, ct: &str) {
        let (key, pt, ct) = (hex(key), hex(pt.replace('\n', "").as_str()), hex(ct));
        let mut rng = Rng(0x5eed ^ key.len() as u64);
        assert_eq!(single(enc(kind, param.clone(), &key), &pt).unwrap(), ct);
        assert_eq!(single(dec(kind, param.clone(), &key), &ct).unwrap(), pt);
        for _ in 0..20 {
            assert_eq!(
                multi(enc(kind, param.clone(), &key), &pt, &mut rng).unwrap(),
                ct
            );
            assert_eq!(
                multi(dec(kind, param.clone(), &key), &ct, &mut rng).unwrap(),
                pt
            );
        }
    }

    #[test]
    fn sp800_38a_f1_ecb() {
        let cts = [
            "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4",
            "bd334f1d6e45f25ff712a214571fa5cc974104846d0ad3ad7734ecb3ecee4eefef7afd2270e2e60adce0ba2face6444e9a4b41ba738d6c72fb16691603c18e0e",
            "f3eed1bdb5d2a03c064b5a7e3db181f8591ccb10d410ed26dc5ba74a31362870b6ed21b99ca6f4f9f153e7b1beafed1d23304b7a39f9f3ff067d8d8f9e24ecc7",
        ];
        for (key, ct) in KEYS.iter().zip(cts) {
            known_answer(CKM_AES_ECB, Param::None, key, PT, ct);
        }
    }

    #[test]
    fn sp800_38a_f2_cbc() {
        let cts = [
            "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7",
            "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd",
            "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b",
        ];
        for (key, ct) in KEYS.iter().zip(cts) {
            known_answer(CKM_AES_CBC, Param::Bytes(hex(CBC_IV)), key, PT, ct);
            // CBC_PAD adds one block of padding (16 x 0x10) after the same blocks.
            let mut padded = enc(CKM_AES_CBC, Param::Bytes(hex(CBC_IV)), &hex(key));
            let mut want = padded.update(&hex(PT.replace('\n', "").as_str())).unwrap();
            assert_eq!(want, hex(ct));
            want.extend(padded.update(&[16; 16]).unwrap());
            known_answer(
                CKM_AES_CBC_PAD,
                Param::Bytes(hex(CBC_IV)),
                key,
                PT,
                &hex::encode(want),
            );
        }
    }

    #[test]
    fn sp800_38a_f5_ctr() {
        let cts = [
            "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee",
            "1abc932417521ca24f2b0459fe7e6e0b090339ec0aa6faefd5ccc2c6f4ce8e941e36b26bd1ebc670d1bd1d665620abf74f78a7f6d29809585a97daec58c6b050",
            "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6",
        ];
        for (key, ct) in KEYS.iter().zip(cts) {
            // The counter goes ...feff to ...ff02: 9 counter bits suffice.
            for bits in [9, 16, 32, 64, 128] {
                known_answer(CKM_AES_CTR, ctr(bits, &hex(CTR_BLOCK)), key, PT, ct);
            }
            // With 8 bits the counter would wrap after ...ffff: refused.
            let mut op = enc(CKM_AES_CTR, ctr(8, &hex(CTR_BLOCK)), &hex(key));
            assert_eq!(
                op.one_shot(&hex(PT.replace('\n', "").as_str())),
                Err(CKR_DATA_LEN_RANGE)
            );
        }
    }

    /// The gcm-spec.pdf (McGrew & Viega) test cases 1 and 2.
    #[test]
    fn gcm_known_answers() {
        let key = [0u8; 16];
        let iv = [0u8; 12];
        assert_eq!(
            single(enc(CKM_AES_GCM, gcm(&iv, &[], 128), &key), &[]).unwrap(),
            hex("58e2fccefa7e3061367f1d57a4e7455a")
        );
        let ct = hex("0388dace60b6a392f328c2b971b2fe78 ab6e47d42cec13bdf53a67b21257bddf");
        assert_eq!(
            single(enc(CKM_AES_GCM, gcm(&iv, &[], 128), &key), &[0; 16]).unwrap(),
            ct
        );
        assert_eq!(
            single(dec(CKM_AES_GCM, gcm(&iv, &[], 128), &key), &ct).unwrap(),
            [0; 16]
        );
    }

    #[test]
    fn multi_part_equals_single_part() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for round in 0..300 {
            let key = rng.bytes([16, 24, 32][round % 3]);
            let len = match round % 4 {
                0 => rng.below(17),
                1 => rng.below(4) * 16,
                _ => rng.below(300),
            };
            let pt = rng.bytes(len);
            let iv = rng.bytes(16);
            let gcm_iv = rng.bytes([12, 1, 16, 60][round % 4]);
            let aad = rng.some_bytes(40);
            let tag = GCM_TAG_BITS[round % GCM_TAG_BITS.len()];
            let whole = |len: usize| len.is_multiple_of(16);
            let ctr_bits = 1 + rng.below(if round % 2 == 0 { 8 } else { 127 }) as CK_ULONG;
            let cases = [
                (CKM_AES_ECB, Param::None, whole(len)),
                (CKM_AES_CBC, Param::Bytes(iv.clone()), whole(len)),
                (CKM_AES_CBC_PAD, Param::Bytes(iv.clone()), true),
                // Counter from 0: fits unless the data needs over 2^bits blocks.
                (
                    CKM_AES_CTR,
                    ctr(ctr_bits, &[0; 16]),
                    len.div_ceil(16) as u128 <= 1u128 << ctr_bits,
                ),
                (CKM_AES_GCM, gcm(&gcm_iv, &aad, tag), true),
            ];
            for (kind, param, ok) in cases {
                let once = single(enc(kind, param.clone(), &key), &pt);
                let parts = multi(enc(kind, param.clone(), &key), &pt, &mut rng);
                assert_eq!(once, parts, "mechanism {kind:#x} len {len}");
                if !ok {
                    assert_eq!(once, Err(CKR_DATA_LEN_RANGE));
                    continue;
                }
                let ct = once.unwrap();
                assert_eq!(single(dec(kind, param.clone(), &key), &ct).unwrap(), pt);
                assert_eq!(
                    multi(dec(kind, param.clone(), &key), &ct, &mut rng).unwrap(),
                    pt
                );
            }
        }
    }

    /// Same results as the RustCrypto mode crates (for their fixed-size
    /// variants) and as `aes-gcm` (which computes J0 itself for any nonce size).
    #[test]
    fn agrees_with_rustcrypto() {
        use aes_gcm::AesGcm;
        use aes_gcm::aead::{Aead, Payload};
        use cipher::block_padding::{NoPadding, Pkcs7};
        use cipher::consts::{U12, U16};
        use cipher::{BlockModeEncrypt, KeyInit as _, KeyIvInit, StreamCipher};

        let mut rng = Rng(0xfeed_beef);
        for _ in 0..100 {
            let key = rng.bytes(16);
            let iv = rng.bytes(16);
            let pt = rng.some_bytes(200);
            let blocks = &pt[..pt.len() / 16 * 16];

            let want = cbc::Encryptor::<Aes128>::new_from_slices(&key, &iv)
                .unwrap()
                .encrypt_padded_vec::<Pkcs7>(&pt);
            assert_eq!(
                single(enc(CKM_AES_CBC_PAD, Param::Bytes(iv.clone()), &key), &pt).unwrap(),
                want
            );
            let want = cbc::Encryptor::<Aes128>::new_from_slices(&key, &iv)
                .unwrap()
                .encrypt_padded_vec::<NoPadding>(blocks);
            assert_eq!(
                single(enc(CKM_AES_CBC, Param::Bytes(iv.clone()), &key), blocks).unwrap(),
                want
            );
            let want = ecb::Encryptor::<Aes128>::new_from_slice(&key)
                .unwrap()
                .encrypt_padded_vec::<NoPadding>(blocks);
            assert_eq!(
                single(enc(CKM_AES_ECB, Param::None, &key), blocks).unwrap(),
                want
            );

            // Keep the 64-bit counter away from its wrap, which we refuse.
            let mut block = iv.clone();
            block[8] &= 0x7f;
            let mut want = pt.clone();
            ctr::Ctr64BE::<Aes128>::new_from_slices(&key, &block)
                .unwrap()
                .apply_keystream(&mut want);
            assert_eq!(
                single(enc(CKM_AES_CTR, ctr(64, &block), &key), &pt).unwrap(),
                want
            );

            let aad = rng.some_bytes(50);
            let payload = || Payload {
                msg: &pt,
                aad: &aad,
            };
            let want = AesGcm::<Aes128, U12>::new_from_slice(&key)
                .unwrap()
                .encrypt(iv[..12].try_into().unwrap(), payload())
                .unwrap();
            assert_eq!(
                single(enc(CKM_AES_GCM, gcm(&iv[..12], &aad, 128), &key), &pt).unwrap(),
                want
            );
            let want = AesGcm::<Aes128, U16, U12>::new_from_slice(&key)
                .unwrap()
                .encrypt(iv.as_slice().try_into().unwrap(), payload())
                .unwrap();
            assert_eq!(
                single(enc(CKM_AES_GCM, gcm(&iv, &aad, 96), &key), &pt).unwrap(),
                want
            );
        }
    }

    #[test]
    fn cbc_pad_rejects_bad_padding() {
        let key = [7u8; 16];
        let iv = [9u8; 16];
        // Last plaintext blocks whose padding is wrong, encrypted without padding.
        let mut bad: Vec<[u8; 16]> = vec![[0; 16], [17; 16], [0xff; 16]];
        let mut inconsistent = [3u8; 16];
        inconsistent[13] = 2; // claims 3 bytes of padding, one differs
        bad.push(inconsistent);
        let mut long = [16u8; 16];
        long[0] = 15; // claims a whole block of padding, first byte differs
        bad.push(long);
        for last in bad {
            for prefix in [0usize, 32] {
                let mut pt = vec![1u8; prefix];
                pt.extend_from_slice(&last);
                let ct = single(enc(CKM_AES_CBC, Param::Bytes(iv.to_vec()), &key), &pt).unwrap();
                let d = single(dec(CKM_AES_CBC_PAD, Param::Bytes(iv.to_vec()), &key), &ct);
                assert_eq!(d, Err(CKR_ENCRYPTED_DATA_INVALID), "{last:?}");
                let d = multi(
                    dec(CKM_AES_CBC_PAD, Param::Bytes(iv.to_vec()), &key),
                    &ct,
                    &mut Rng(3),
                );
                assert_eq!(d, Err(CKR_ENCRYPTED_DATA_INVALID), "{last:?}");
            }
        }
        // Every valid padding length is accepted.
        for pad in 1..=16u8 {
            let mut pt = vec![pad; 16];
            pt[..16 - pad as usize].fill(0xaa);
            let ct = single(enc(CKM_AES_CBC, Param::Bytes(iv.to_vec()), &key), &pt).unwrap();
            let d = single(dec(CKM_AES_CBC_PAD, Param::Bytes(iv.to_vec()), &key), &ct).unwrap();
            assert_eq!(d, pt[..16 - pad as usize]);
        }
    }

    #[test]
    fn length_errors() {
        let key = [1u8; 32];
        let iv = Param::Bytes(vec![0; 16]);
        for (kind, param) in [(CKM_AES_ECB, Param::None), (CKM_AES_CBC, iv.clone())] {
            for len in [1, 15, 17, 31] {
                assert_eq!(
                    single(enc(kind, param.clone(), &key), &vec![0; len]),
                    Err(CKR_DATA_LEN_RANGE)
                );
                assert_eq!(
                    single(dec(kind, param.clone(), &key), &vec![0; len]),
                    Err(CKR_ENCRYPTED_DATA_LEN_RANGE)
                );
                // Multi-part: the updates take it, the final refuses it.
                let mut e = enc(kind, param.clone(), &key);
                assert_eq!(e.update(&vec![0; len]).unwrap().len(), len / 16 * 16);
                assert_eq!(e.finalize(), Err(CKR_DATA_LEN_RANGE));
            }
            assert_eq!(single(enc(kind, param.clone(), &key), &[]), Ok(vec![]));
        }
        for len in [0, 1, 15, 17, 33] {
            let d = single(dec(CKM_AES_CBC_PAD, iv.clone(), &key), &vec![0; len]);
            assert_eq!(d, Err(CKR_ENCRYPTED_DATA_LEN_RANGE), "len {len}");
        }
        for (tag_bits, len) in [(128, 15), (128, 0), (32, 3), (96, 11)] {
            let d = single(
                dec(CKM_AES_GCM, gcm(&[0; 12], &[], tag_bits), &key),
                &vec![0; len],
            );
            assert_eq!(
                d,
                Err(CKR_ENCRYPTED_DATA_LEN_RANGE),
                "tag {tag_bits} len {len}"
            );
        }
    }

    #[test]
    fn gcm_tags_and_streaming_decrypt() {
        let key = [2u8; 16];
        let pt = b"attack at dawn, bring snacks".to_vec();
        let full = single(enc(CKM_AES_GCM, gcm(&[5; 12], b"hdr", 128), &key), &pt).unwrap();
        for bits in GCM_TAG_BITS {
            let p = gcm(&[5; 12], b"hdr", bits);
            let ct = single(enc(CKM_AES_GCM, p.clone(), &key), &pt).unwrap();
            // A short tag is the leading bytes of the full tag.
            assert_eq!(ct, full[..pt.len() + bits as usize / 8]);
            assert_eq!(single(dec(CKM_AES_GCM, p.clone(), &key), &ct).unwrap(), pt);
            for i in 0..ct.len() {
                let mut bad = ct.clone();
                bad[i] ^= 0x40;
                assert_eq!(
                    single(dec(CKM_AES_GCM, p.clone(), &key), &bad),
                    Err(CKR_ENCRYPTED_DATA_INVALID)
                );
            }
            let wrong_aad = gcm(&[5; 12], b"hdR", bits);
            assert_eq!(
                single(dec(CKM_AES_GCM, wrong_aad, &key), &ct),
                Err(CKR_ENCRYPTED_DATA_INVALID)
            );
        }
        // Decryption releases nothing before the tag is checked.
        let mut d = dec(CKM_AES_GCM, gcm(&[5; 12], b"hdr", 128), &key);
        for chunk in full.chunks(5) {
            assert_eq!(d.output_bound(chunk.len(), false), 0);
            assert_eq!(d.update(chunk).unwrap(), Vec::<u8>::new());
        }
        assert_eq!(d.output_bound(0, true), pt.len());
        assert_eq!(d.finalize().unwrap(), pt);
    }

    #[test]
    fn ctr_counter_wrap_is_refused() {
        let key = [3u8; 16];
        let mut block = [0xabu8; 16];
        block[15] = 0xfe; // with 8 counter bits: blocks ..fe and ..ff, then a wrap
        for encrypt in [true, false] {
            let code = if encrypt {
                CKR_DATA_LEN_RANGE
            } else {
                CKR_ENCRYPTED_DATA_LEN_RANGE
            };
            assert_eq!(
                single(
                    op(encrypt, CKM_AES_CTR, ctr(8, &block), &key).unwrap(),
                    &[0; 32]
                )
                .map(|v| v.len()),
                Ok(32)
            );
            assert_eq!(
                single(
                    op(encrypt, CKM_AES_CTR, ctr(8, &block), &key).unwrap(),
                    &[0; 33]
                ),
                Err(code)
            );
            let mut o = op(encrypt, CKM_AES_CTR, ctr(8, &block), &key).unwrap();
            assert_eq!(o.update(&[0; 20]).map(|v| v.len()), Ok(20));
            assert_eq!(o.update(&[0; 12]).map(|v| v.len()), Ok(12)); // ends the second block
            assert_eq!(o.update(&[0; 1]), Err(code));
            assert_eq!(o.update(&[]), Ok(vec![]));
        }
        // The bits above the counter never change: the keystream is E(..fe), E(..ff).
        let mut want = [block, block].concat();
        want[31] = 0xff;
        Cipher::new(&key_object(&key)).unwrap().encrypt(&mut want);
        assert_eq!(
            single(enc(CKM_AES_CTR, ctr(8, &block), &key), &[0; 32]).unwrap(),
            want
        );
        // A full 128-bit counter at its top value allows exactly one block.
        let top = [0xffu8; 16];
        assert!(single(enc(CKM_AES_CTR, ctr(128, &top), &key), &[0; 16]).is_ok());
        assert_eq!(
            single(enc(CKM_AES_CTR, ctr(128, &top), &key), &[0; 17]),
            Err(CKR_DATA_LEN_RANGE)
        );
        // One counter bit set to 0: two blocks.
        let mut one = [0u8; 16];
        one[15] = 0x80; // the high bits are nonce; the low bit is the counter
        assert!(single(enc(CKM_AES_CTR, ctr(1, &one), &key), &[0; 32]).is_ok());
        assert_eq!(
            single(enc(CKM_AES_CTR, ctr(1, &one), &key), &[0; 33]),
            Err(CKR_DATA_LEN_RANGE)
        );
    }

    /// GCTR counts modulo 2^32 (SP 800-38D inc32): it may wrap, unlike CTR.
    #[test]
    fn gcm_counter_wraps_mod_2_32() {
        let key = [4u8; 16];
        let mut iv = [0u8; 12];
        iv[11] = 1;
        let mut state = Gcm::new(Cipher::new(&key_object(&key)).unwrap(), &iv, &[], 16);
        state.stream.counter |= 0xffff_fffe; // as if J0 ended in ...fffffffe
        let before = state.stream.counter;
        state.stream.apply(&mut [0u8; 48]);
        assert_eq!(state.stream.counter, (before & !0xffff_ffff) | 1);
    }

    #[test]
    fn bounds_are_tight_where_known() {
        let key = [5u8; 16];
        let iv = Param::Bytes(vec![0; 16]);
        let mut e = enc(CKM_AES_CBC_PAD, iv.clone(), &key);
        assert_eq!(e.output_bound(5, false), 0);
        assert_eq!(e.update(&[0; 5]).unwrap().len(), 0);
        assert_eq!(e.output_bound(11, false), 16);
        assert_eq!(e.output_bound(11, true), 32);
        assert_eq!(e.output_bound(0, true), 16);
        let mut d = dec(CKM_AES_CBC_PAD, iv.clone(), &key);
        assert_eq!(d.output_bound(16, false), 0); // the last block is held back
        assert_eq!(d.update(&[0; 16]).unwrap().len(), 0);
        assert_eq!(d.output_bound(16, false), 16);
        assert_eq!(d.output_bound(0, true), 15);
        let e = enc(CKM_AES_GCM, gcm(&[0; 12], &[], 96), &key);
        assert_eq!(
            (e.output_bound(10, false), e.output_bound(10, true)),
            (10, 22)
        );
        let e = enc(CKM_AES_CTR, ctr(32, &[0; 16]), &key);
        assert_eq!(
            (e.output_bound(10, false), e.output_bound(10, true)),
            (10, 10)
        );
    }

    #[test]
    fn parameter_and_key_checks() {
        let key = [6u8; 16];
        let bad_params = [
            (CKM_AES_ECB, Param::Bytes(vec![0; 16])),
            (CKM_AES_CBC, Param::None),
            (CKM_AES_CBC, Param::Bytes(vec![0; 15])),
            (CKM_AES_CBC_PAD, Param::Bytes(vec![0; 17])),
            (CKM_AES_CBC_PAD, ctr(128, &[0; 16])),
            (CKM_AES_CTR, ctr(0, &[0; 16])),
            (CKM_AES_CTR, ctr(129, &[0; 16])),
            (CKM_AES_CTR, ctr(64, &[0; 15])),
            (CKM_AES_CTR, Param::Bytes(vec![0; 16])),
            (CKM_AES_GCM, gcm(&[], &[], 128)),
            (CKM_AES_GCM, gcm(&[0; 12], &[], 0)),
            (CKM_AES_GCM, gcm(&[0; 12], &[], 8)),
            (CKM_AES_GCM, gcm(&[0; 12], &[], 100)),
            (CKM_AES_GCM, gcm(&[0; 12], &[], 136)),
            (CKM_AES_GCM, Param::Bytes(vec![0; 12])),
        ];
        for (kind, param) in bad_params {
            for encrypt in [true, false] {
                let r = op(encrypt, kind, param.clone(), &key).map(|_| ());
                assert_eq!(r, Err(CKR_MECHANISM_PARAM_INVALID), "{kind:#x} {param:?}");
            }
        }
        for len in [0, 8, 15, 17, 33, 64] {
            let r = op(true, CKM_AES_ECB, Param::None, &vec![0; len]).map(|_| ());
            assert_eq!(r, Err(CKR_KEY_SIZE_RANGE));
        }
        let m = CkMechanism::new(CKM_AES_ECB);
        let mut wrong_type = key_object(&key);
        wrong_type.attrs.insert(
            CKA_KEY_TYPE,
            Zeroizing::new(ulong_bytes(CKK_GENERIC_SECRET)),
        );
        let mut wrong_class = key_object(&key);
        wrong_class
            .attrs
            .insert(CKA_CLASS, Zeroizing::new(ulong_bytes(CKO_PRIVATE_KEY)));
        for k in [wrong_type, wrong_class] {
            assert_eq!(
                Aes.encrypt_init(&m, &k).map(|_| ()),
                Err(CKR_KEY_TYPE_INCONSISTENT)
            );
            assert_eq!(
                Aes.decrypt_init(&m, &k).map(|_| ()),
                Err(CKR_KEY_TYPE_INCONSISTENT)
            );
        }
        let m = CkMechanism::new(CKM_AES_KEY_GEN);
        assert_eq!(
            Aes.encrypt_init(&m, &key_object(&key)).map(|_| ()),
            Err(CKR_MECHANISM_INVALID)
        );
    }

    #[test]
    fn key_generation() {
        let m = CkMechanism::new(CKM_AES_KEY_GEN);
        for len in [16, 24, 32] {
            let got = Aes
                .generate_key(&m, &[Attribute::ulong(CKA_VALUE_LEN, len)])
                .unwrap();
            assert_eq!(
                crate::attr::find(&got, CKA_VALUE).map(<[u8]>::len),
                Some(len as usize)
            );
            assert_eq!(find_ulong(&got, CKA_VALUE_LEN), Ok(Some(len)));
            assert_eq!(find_ulong(&got, CKA_KEY_TYPE), Ok(Some(CKK_AES)));
        }
        let a = Aes
            .generate_key(&m, &[Attribute::ulong(CKA_VALUE_LEN, 16)])
            .unwrap();
        let b = Aes
            .generate_key(&m, &[Attribute::ulong(CKA_VALUE_LEN, 16)])
            .unwrap();
        assert_ne!(
            crate::attr::find(&a, CKA_VALUE),
            crate::attr::find(&b, CKA_VALUE)
        );
        assert_eq!(Aes.generate_key(&m, &[]), Err(CKR_TEMPLATE_INCOMPLETE));
        for len in [0, 8, 17, 64] {
            assert_eq!(
                Aes.generate_key(&m, &[Attribute::ulong(CKA_VALUE_LEN, len)]),
                Err(BAD_GEN_LEN)
            );
        }
        let wrong = [
            Attribute::ulong(CKA_VALUE_LEN, 16),
            Attribute::ulong(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
        ];
        assert_eq!(Aes.generate_key(&m, &wrong), Err(CKR_TEMPLATE_INCONSISTENT));
        let with_param = CkMechanism::with(CKM_AES_KEY_GEN, Param::Bytes(vec![1]));
        assert_eq!(
            Aes.generate_key(&with_param, &[Attribute::ulong(CKA_VALUE_LEN, 16)]),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
    }

    #[test]
    fn complete_checks_value() {
        let attrs = |value: Option<usize>, value_len: Option<CK_ULONG>| {
            let mut a = AttrMap::new();
            if let Some(n) = value {
                a.insert(CKA_VALUE, Zeroizing::new(vec![0; n]));
            }
            if let Some(n) = value_len {
                a.insert(CKA_VALUE_LEN, Zeroizing::new(ulong_bytes(n)));
            }
            a
        };
        for n in [16, 24, 32] {
            for given in [None, Some(n as CK_ULONG)] {
                let mut a = attrs(Some(n), given);
                assert_eq!(complete(CKO_SECRET_KEY, &mut a), Ok(()));
                assert_eq!(
                    a.get(&CKA_VALUE_LEN).map(|v| parse_ulong(v)),
                    Some(Ok(n as CK_ULONG))
                );
            }
            assert_eq!(
                complete(CKO_SECRET_KEY, &mut attrs(Some(n), Some(8))),
                Err(CKR_TEMPLATE_INCONSISTENT)
            );
        }
        for n in [0, 1, 15, 20, 33] {
            assert_eq!(
                complete(CKO_SECRET_KEY, &mut attrs(Some(n), None)),
                Err(CKR_ATTRIBUTE_VALUE_INVALID)
            );
        }
        assert_eq!(
            complete(CKO_SECRET_KEY, &mut attrs(None, Some(16))),
            Err(CKR_TEMPLATE_INCOMPLETE)
        );
        assert_eq!(
            complete(CKO_PRIVATE_KEY, &mut attrs(Some(16), None)),
            Err(CKR_TEMPLATE_INCONSISTENT)
        );
    }

    #[test]
    fn registered_info() {
        let mut r = Registry::default();
        register(&mut r);
        let both = CKF_ENCRYPT | CKF_DECRYPT;
        let wrap = both | CKF_WRAP | CKF_UNWRAP;
        let want = [
            (CKM_AES_KEY_GEN, CKF_GENERATE),
            (CKM_AES_ECB, wrap),
            (CKM_AES_CBC, wrap),
            (CKM_AES_CBC_PAD, wrap),
            (CKM_AES_CTR, both),
            (CKM_AES_GCM, wrap),
        ];
        for (kind, flags) in want {
            assert_eq!(r.info(kind), Some(info(16, 32, flags)), "{kind:#x}");
        }
        assert_eq!(r.list().len(), want.len());
        assert!(
            r.key_type(CKK_AES)
                .is_some_and(|d| d.secret.len() == 2 && d.public.is_empty())
        );
    }
}
