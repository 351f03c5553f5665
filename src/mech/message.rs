//! Message-based AEAD (PKCS#11 3.1 sections 5.9 and 5.11; mechanisms:
//! "AES-GCM authenticated Encryption / Decryption" with
//! CK_GCM_MESSAGE_PARAMS, "ChaCha20/Poly1305" with
//! CK_SALSA20_CHACHA20_POLY1305_MSG_PARAMS), and the CK_MECHANISM_INFO
//! flags of the message-based functions.
//!
//! A message of a message-based process is one ordinary single-message
//! AEAD operation: its per-message parameter (IV or nonce, tag) is turned
//! here into the mechanism's C_EncryptInit parameter (CK_GCM_PARAMS,
//! CK_SALSA20_CHACHA20_POLY1305_PARAMS) with the message's associated data,
//! and the engine runs the mechanism's own `CipherOp`. The tag, which those
//! operations append to the ciphertext, travels in the message parameter
//! instead. IV generation (CKG_*) is done here.
use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::{CkMechanism, Param, Registry, random_bytes};
use crate::CK_ULONG;
use crate::constants::*;
use crate::rv::CkResult;

/// The IV counters of one session (CKG_GENERATE_COUNTER and
/// CKG_GENERATE_COUNTER_XOR), by key and fixed IV part (see `counter_key`).
/// The 3.1 text asks for IVs unique per session and counters starting at
/// zero; keeping them per session rather than per C_MessageEncryptInit
/// means a second message-based process with the same key and fixed part
/// continues the count instead of repeating IVs.
pub type IvCounters = BTreeMap<Vec<u8>, u64>;

/// NIST SP 800-38D section 8.2.2: an IV from a random bit generator needs
/// at least 96 random bits.
const MIN_RANDOM_IV_BITS: u64 = 96;

/// The AEAD mechanisms with message-based encryption and decryption.
const AEADS: [CK_ULONG; 2] = [CKM_AES_GCM, CKM_CHACHA20_POLY1305];

/// Adds the message-based flags to the mechanisms that have them: every
/// mechanism that signs (verifies) can sign (verify) messages, one fresh
/// single-message operation per message (see `module::message`), and the
/// AEADs can encrypt and decrypt messages. Multi-part messages work for
/// all of them (CKF_MULTI_MESSAGE). Runs after every family registered.
pub fn augment(r: &mut Registry) {
    for (kind, (info, _)) in r.mechanisms.iter_mut() {
        let mut extra = 0;
        if info.flags & CKF_SIGN != 0 {
            extra |= CKF_MESSAGE_SIGN;
        }
        if info.flags & CKF_VERIFY != 0 {
            extra |= CKF_MESSAGE_VERIFY;
        }
        if AEADS.contains(kind) {
            if info.flags & CKF_ENCRYPT != 0 {
                extra |= CKF_MESSAGE_ENCRYPT;
            }
            if info.flags & CKF_DECRYPT != 0 {
                extra |= CKF_MESSAGE_DECRYPT;
            }
        }
        if extra != 0 {
            info.flags |= extra | CKF_MULTI_MESSAGE;
        }
    }
}

/// A single-message parameter that lets C_Message{Encrypt,Decrypt}Init
/// check the key (type, size) the way C_EncryptInit would.
pub fn probe(kind: CK_ULONG) -> CkResult<CkMechanism> {
    let param = match kind {
        CKM_AES_GCM => Param::Gcm {
            iv: vec![0; 12],
            aad: Vec::new(),
            tag_bits: 128,
        },
        CKM_CHACHA20_POLY1305 => Param::ChaCha20Poly1305 {
            nonce: vec![0; 12],
            aad: Vec::new(),
        },
        _ => return Err(CKR_MECHANISM_INVALID),
    };
    Ok(CkMechanism::with(kind, param))
}

/// The C_Message{Encrypt,Decrypt}Init parameter: none, or a message
/// parameter of the mechanism's kind. Its fields are not used: the 3.1
/// text passes the parameter again with every message, and those are the
/// ones that count.
pub fn check_init_param(kind: CK_ULONG, param: &Param) -> CkResult<()> {
    match (kind, param) {
        (_, Param::None) => Ok(()),
        (_, Param::Bytes(b)) if b.is_empty() => Ok(()),
        (CKM_AES_GCM, Param::GcmMessage { .. }) => Ok(()),
        (CKM_CHACHA20_POLY1305, Param::ChaCha20Poly1305Message { .. }) => Ok(()),
        _ => Err(CKR_MECHANISM_PARAM_INVALID),
    }
}

/// One message of a message-based AEAD process.
pub struct Message {
    /// The single-message mechanism: CKM_AES_GCM with CK_GCM_PARAMS, ...
    pub mechanism: CkMechanism,
    /// Tag length in bytes (the tail of the single-message ciphertext).
    pub tag_len: usize,
    /// Encryption with IV generation: the IV the token chose, which goes
    /// back to the caller in the parameter's IV buffer.
    pub iv_out: Option<Vec<u8>>,
    /// Decryption: the tag to check, if the parameter's tag buffer holds
    /// one (C_DecryptMessageBegin may be given none: the final
    /// C_DecryptMessageNext brings it).
    pub tag: Option<Vec<u8>>,
    /// The counter value to store once the message is accepted (a
    /// CKR_BUFFER_TOO_SMALL answer uses up no IV).
    pub commit: Option<(Vec<u8>, u64)>,
}

impl Message {
    /// Stores the IV counter this message used.
    pub fn commit(&mut self, counters: &mut IvCounters) {
        if let Some((k, next)) = self.commit.take() {
            counters.insert(k, next);
        }
    }
}

/// The room a parameter's tag buffer must have: a missing or short one is
/// CKR_MECHANISM_PARAM_INVALID.
fn tag_room(tag: &[u8], tag_len: usize) -> CkResult<()> {
    if tag.len() < tag_len {
        return Err(CKR_MECHANISM_PARAM_INVALID);
    }
    Ok(())
}

/// The message parameter of `kind` for one message. `encrypt` selects the
/// direction; `key_id` (the key's CKA_UNIQUE_ID) and `counters` serve IV
/// generation. A missing parameter is CKR_ARGUMENTS_BAD (a NULL pointer in
/// C), one of the wrong kind CKR_MECHANISM_PARAM_INVALID.
pub fn message(
    kind: CK_ULONG,
    param: &Param,
    aad: &[u8],
    encrypt: bool,
    key_id: &[u8],
    counters: &IvCounters,
) -> CkResult<Message> {
    match (kind, param) {
        (_, Param::None) => Err(CKR_ARGUMENTS_BAD),
        (
            CKM_AES_GCM,
            Param::GcmMessage {
                iv,
                iv_fixed_bits,
                iv_generator,
                tag,
                tag_bits,
            },
        ) => {
            // Whole bytes only: the tag is cut from the ciphertext's end;
            // CKM_AES_GCM itself checks the lengths it allows.
            if *tag_bits % 8 != 0 || *tag_bits > 128 {
                return Err(CKR_MECHANISM_PARAM_INVALID);
            }
            let tag_len = (*tag_bits / 8) as usize;
            let (iv, iv_out, commit) = if encrypt {
                generate_iv(iv, *iv_fixed_bits, *iv_generator, key_id, counters)?
            } else {
                // ulIvFixedBits and ivGenerator are ignored on decryption.
                (iv.clone(), None, None)
            };
            Ok(Message {
                mechanism: CkMechanism::with(
                    CKM_AES_GCM,
                    Param::Gcm {
                        iv,
                        aad: aad.to_vec(),
                        tag_bits: *tag_bits,
                    },
                ),
                tag_len,
                iv_out,
                tag: given_tag(encrypt, tag, tag_len),
                commit,
            })
        }
        (CKM_CHACHA20_POLY1305, Param::ChaCha20Poly1305Message { nonce, tag }) => {
            // "The application must provide 16 bytes of space for the tag."
            const TAG: usize = 16;
            Ok(Message {
                mechanism: CkMechanism::with(
                    CKM_CHACHA20_POLY1305,
                    Param::ChaCha20Poly1305 {
                        nonce: nonce.clone(),
                        aad: aad.to_vec(),
                    },
                ),
                tag_len: TAG,
                iv_out: None,
                tag: given_tag(encrypt, tag, TAG),
                commit: None,
            })
        }
        _ => Err(CKR_MECHANISM_PARAM_INVALID),
    }
}

/// The tag a decryption parameter holds.
fn given_tag(encrypt: bool, tag: &[u8], tag_len: usize) -> Option<Vec<u8>> {
    match tag.get(..tag_len) {
        Some(t) if !encrypt => Some(t.to_vec()),
        _ => None,
    }
}

/// The tag field of a message parameter of `kind`, which must have room
/// for `tag_len` bytes: the tag to check (the final C_DecryptMessageNext
/// brings it), or the buffer an encryption's tag goes to.
pub fn tag_of(kind: CK_ULONG, param: &Param, tag_len: usize) -> CkResult<Vec<u8>> {
    let tag = match (kind, param) {
        (_, Param::None) => return Err(CKR_ARGUMENTS_BAD),
        (CKM_AES_GCM, Param::GcmMessage { tag, .. }) => tag,
        (CKM_CHACHA20_POLY1305, Param::ChaCha20Poly1305Message { tag, .. }) => tag,
        _ => return Err(CKR_MECHANISM_PARAM_INVALID),
    };
    tag_room(tag, tag_len)?;
    Ok(tag[..tag_len].to_vec())
}

/// The key of the counter for this key and fixed IV part: the key's
/// unique ID, the IV length, the fixed bit count and the fixed bits.
fn counter_key(key_id: &[u8], iv: &[u8], fixed_bits: usize) -> Vec<u8> {
    let mut k = Vec::with_capacity(key_id.len() + 16 + iv.len());
    k.extend_from_slice(&(key_id.len() as u64).to_le_bytes());
    k.extend_from_slice(key_id);
    k.extend_from_slice(&(iv.len() as u64).to_le_bytes());
    k.extend_from_slice(&(fixed_bits as u64).to_le_bytes());
    let mut fixed = iv.to_vec();
    keep_high_bits(&mut fixed, fixed_bits);
    k.extend_from_slice(&fixed);
    k
}

/// Zeroes all but the `bits` most significant bits of `buf`.
fn keep_high_bits(buf: &mut [u8], bits: usize) {
    for (i, b) in buf.iter_mut().enumerate() {
        let start = i * 8;
        if start >= bits {
            *b = 0;
        } else if bits - start < 8 {
            *b &= 0xffu8 << (8 - (bits - start));
        }
    }
}

/// XORs `value` (big-endian) into the low bits of `buf`.
fn xor_low(buf: &mut [u8], value: u64) {
    for (b, v) in buf.iter_mut().rev().zip(value.to_be_bytes().iter().rev()) {
        *b ^= v;
    }
}

/// An IV generated from the caller's IV buffer (whose high
/// `ulIvFixedBits` bits are the fixed part) by `generator`. Returns the IV,
/// the copy to hand back, and the counter update to commit.
///
/// - CKG_NO_GENERATE: the buffer is the IV.
/// - CKG_GENERATE_COUNTER: fixed part, then a counter from zero.
/// - CKG_GENERATE_COUNTER_XOR: the buffer XOR a counter from zero (the
///   caller must pass the same buffer every time).
/// - CKG_GENERATE_RANDOM: fixed part, then at least 96 random bits.
/// - CKG_GENERATE ("method not defined"): random when at least 96 bits are
///   free, else the counter.
///
/// A counter that has used up the free bits is CKR_MECHANISM_PARAM_INVALID
/// (these parameters can make no new IV), as are fixed bits that leave
/// nothing to generate.
#[allow(clippy::type_complexity)]
fn generate_iv(
    iv: &[u8],
    fixed_bits: CK_ULONG,
    generator: CK_ULONG,
    key_id: &[u8],
    counters: &IvCounters,
) -> CkResult<(Vec<u8>, Option<Vec<u8>>, Option<(Vec<u8>, u64)>)> {
    if generator == CKG_NO_GENERATE {
        return Ok((iv.to_vec(), None, None));
    }
    let total_bits = iv.len() as u64 * 8;
    if fixed_bits >= total_bits {
        return Err(CKR_MECHANISM_PARAM_INVALID);
    }
    let free_bits = total_bits - fixed_bits;
    let fixed = fixed_bits as usize;
    let random = match generator {
        CKG_GENERATE_RANDOM if free_bits < MIN_RANDOM_IV_BITS => {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        }
        CKG_GENERATE_RANDOM => true,
        CKG_GENERATE => free_bits >= MIN_RANDOM_IV_BITS,
        CKG_GENERATE_COUNTER | CKG_GENERATE_COUNTER_XOR => false,
        _ => return Err(CKR_MECHANISM_PARAM_INVALID),
    };
    let mut out = iv.to_vec();
    if random {
        let noise = random_bytes(out.len())?;
        let mut fixed_part = out.clone();
        keep_high_bits(&mut fixed_part, fixed);
        let mut free_part: Zeroizing<Vec<u8>> = noise;
        // Keep the noise only below the fixed bits.
        for (i, b) in free_part.iter_mut().enumerate() {
            let start = i * 8;
            if start + 8 <= fixed {
                *b = 0;
            } else if start < fixed {
                *b &= 0xffu8 >> (fixed - start);
            }
        }
        for (o, (f, n)) in out.iter_mut().zip(fixed_part.iter().zip(free_part.iter())) {
            *o = f | n;
        }
        return Ok((out.clone(), Some(out), None));
    }
    let key = counter_key(key_id, iv, fixed);
    let count = counters.get(&key).copied().unwrap_or(0);
    if free_bits < 64 && count >= 1u64 << free_bits {
        return Err(CKR_MECHANISM_PARAM_INVALID);
    }
    if count == u64::MAX {
        return Err(CKR_MECHANISM_PARAM_INVALID);
    }
    if generator != CKG_GENERATE_COUNTER_XOR {
        keep_high_bits(&mut out, fixed);
    }
    xor_low(&mut out, count);
    Ok((out.clone(), Some(out), Some((key, count + 1))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gcm(iv: &[u8], fixed: CK_ULONG, generator: CK_ULONG) -> Param {
        Param::GcmMessage {
            iv: iv.to_vec(),
            iv_fixed_bits: fixed,
            iv_generator: generator,
            tag: vec![0; 16],
            tag_bits: 128,
        }
    }

    fn iv_of(m: &Message) -> Vec<u8> {
        match &m.mechanism.param {
            Param::Gcm { iv, .. } => iv.clone(),
            _ => panic!("not GCM"),
        }
    }

    #[test]
    fn counter_keeps_the_fixed_part_and_counts_from_zero() {
        let mut counters = IvCounters::new();
        let base = [0xAAu8; 12];
        let mut seen = Vec::new();
        for expected in 0u64..5 {
            let p = gcm(&base, 32, CKG_GENERATE_COUNTER);
            let mut m = message(CKM_AES_GCM, &p, b"", true, b"k1", &counters).unwrap();
            let iv = iv_of(&m);
            assert_eq!(m.iv_out.as_deref(), Some(iv.as_slice()));
            assert_eq!(&iv[..4], &[0xAA; 4], "fixed part kept");
            assert_eq!(u64::from_be_bytes(iv[4..].try_into().unwrap()), expected);
            m.commit(&mut counters);
            seen.push(iv);
        }
        // Another key counts on its own.
        let p = gcm(&base, 32, CKG_GENERATE_COUNTER);
        let m = message(CKM_AES_GCM, &p, b"", true, b"k2", &counters).unwrap();
        assert_eq!(&iv_of(&m)[4..], &[0; 8]);
    }

    #[test]
    fn uncommitted_messages_reuse_nothing_and_lose_nothing() {
        let counters = IvCounters::new();
        let p = gcm(&[1; 12], 0, CKG_GENERATE_COUNTER);
        let a = message(CKM_AES_GCM, &p, b"", true, b"k", &counters).unwrap();
        let b = message(CKM_AES_GCM, &p, b"", true, b"k", &counters).unwrap();
        // Not committed: the same IV is offered again (nothing was sent).
        assert_eq!(iv_of(&a), iv_of(&b));
        assert_eq!(iv_of(&a), vec![0; 12]);
    }

    #[test]
    fn counter_xor_and_exhaustion() {
        let mut counters = IvCounters::new();
        let base = [0x0Fu8; 12];
        for c in 0u64..3 {
            let p = gcm(&base, 88, CKG_GENERATE_COUNTER_XOR);
            let mut m = message(CKM_AES_GCM, &p, b"", true, b"k", &counters).unwrap();
            let iv = iv_of(&m);
            assert_eq!(&iv[..11], &base[..11]);
            assert_eq!(iv[11], 0x0F ^ c as u8);
            m.commit(&mut counters);
        }
        // 92 fixed bits leave 4: 16 IVs, then the parameters are used up.
        let mut counters = IvCounters::new();
        for _ in 0..16 {
            let p = gcm(&base, 92, CKG_GENERATE_COUNTER);
            let mut m = message(CKM_AES_GCM, &p, b"", true, b"k", &counters).unwrap();
            m.commit(&mut counters);
        }
        let p = gcm(&base, 92, CKG_GENERATE_COUNTER);
        assert_eq!(
            message(CKM_AES_GCM, &p, b"", true, b"k", &counters).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
    }

    #[test]
    fn random_iv_keeps_fixed_bits_and_needs_96_bits() {
        let counters = IvCounters::new();
        let p = gcm(&[0xFF; 16], 20, CKG_GENERATE_RANDOM);
        let a = message(CKM_AES_GCM, &p, b"", true, b"k", &counters).unwrap();
        let b = message(CKM_AES_GCM, &p, b"", true, b"k", &counters).unwrap();
        let (ia, ib) = (iv_of(&a), iv_of(&b));
        assert_ne!(ia, ib);
        assert_eq!(&ia[..2], &[0xFF, 0xFF]);
        assert_eq!(ia[2] & 0xF0, 0xF0);
        let p = gcm(&[0; 12], 8, CKG_GENERATE_RANDOM);
        assert_eq!(
            message(CKM_AES_GCM, &p, b"", true, b"k", &counters).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        // CKG_GENERATE falls back to the counter when fewer bits are free.
        let p = gcm(&[7; 12], 8, CKG_GENERATE);
        let m = message(CKM_AES_GCM, &p, b"", true, b"k", &counters).unwrap();
        assert_eq!(iv_of(&m), [&[7u8][..], &[0; 11]].concat());
    }

    #[test]
    fn bad_parameters() {
        let counters = IvCounters::new();
        let none = message(CKM_AES_GCM, &Param::None, b"", true, b"k", &counters);
        assert_eq!(none.err(), Some(CKR_ARGUMENTS_BAD));
        let p = gcm(&[0; 12], 96, CKG_GENERATE_COUNTER);
        let all_fixed = message(CKM_AES_GCM, &p, b"", true, b"k", &counters);
        assert_eq!(all_fixed.err(), Some(CKR_MECHANISM_PARAM_INVALID));
        let p = gcm(&[0; 12], 0, 9);
        let unknown = message(CKM_AES_GCM, &p, b"", true, b"k", &counters);
        assert_eq!(unknown.err(), Some(CKR_MECHANISM_PARAM_INVALID));
        let p = Param::GcmMessage {
            iv: vec![0; 12],
            iv_fixed_bits: 0,
            iv_generator: 0,
            tag: vec![0; 8],
            tag_bits: 128,
        };
        let short_tag = message(CKM_AES_GCM, &p, b"", false, b"k", &counters).unwrap();
        assert_eq!(short_tag.tag, None);
        assert_eq!(
            tag_of(CKM_AES_GCM, &p, 16),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            tag_of(CKM_AES_GCM, &Param::None, 16),
            Err(CKR_ARGUMENTS_BAD)
        );
        let chacha = Param::ChaCha20Poly1305Message {
            nonce: vec![0; 12],
            tag: vec![0; 16],
        };
        let wrong = message(CKM_AES_GCM, &chacha, b"", true, b"k", &counters);
        assert_eq!(wrong.err(), Some(CKR_MECHANISM_PARAM_INVALID));
        assert!(message(CKM_CHACHA20_POLY1305, &chacha, b"a", false, b"k", &counters).is_ok());
    }

    #[test]
    fn flags_are_added_after_registration() {
        let r = super::super::registry();
        let gcm = r.info(CKM_AES_GCM).unwrap();
        assert_eq!(
            gcm.flags & (CKF_MESSAGE_ENCRYPT | CKF_MESSAGE_DECRYPT | CKF_MULTI_MESSAGE),
            CKF_MESSAGE_ENCRYPT | CKF_MESSAGE_DECRYPT | CKF_MULTI_MESSAGE
        );
        let hmac = r.info(CKM_SHA256_HMAC).unwrap();
        assert_ne!(hmac.flags & CKF_MESSAGE_SIGN, 0);
        assert_ne!(hmac.flags & CKF_MESSAGE_VERIFY, 0);
        let cbc = r.info(CKM_AES_CBC).unwrap();
        assert_eq!(cbc.flags & (CKF_MESSAGE_ENCRYPT | CKF_MULTI_MESSAGE), 0);
    }
}
