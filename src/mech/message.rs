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

/// The IV counters of a module (CKG_GENERATE_COUNTER,
/// CKG_GENERATE_COUNTER_XOR, and CKG_GENERATE when it counts), by key
/// (CKA_UNIQUE_ID) and IV length.
///
/// A counter makes IVs unique only if nothing else counts for the same
/// key value: not another session (so the counters are the module's, not a
/// session's), not another instance of the library, not a later run. Only
/// keys registered here may count: session keys this module generated at
/// random (`register`). A token key's value lives on in storage and in
/// other instances, which keep no common count, and a session key made
/// from known bytes (created, unwrapped, derived, copied) may exist
/// elsewhere too; for those, counter generation is
/// CKR_MECHANISM_PARAM_INVALID, and CKG_GENERATE_RANDOM (96 random bits or
/// more) is the way to have the token choose IVs.
#[derive(Debug, Default)]
pub struct IvCounters {
    keys: BTreeMap<Vec<u8>, BTreeMap<usize, Counter>>,
    /// How many keys were kept at the last `retain`: pruning runs when the
    /// map has grown well past it, so its cost is spread over many keys.
    kept: usize,
}

/// The counter of one key and IV length.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Counter {
    /// CKG_GENERATE_COUNTER_XOR's IV buffer; None for the plain counter.
    /// One key keeps one kind and one buffer: a counter XORed into two
    /// different buffers (or mixed with plain counting) can repeat IVs.
    xor_base: Option<Vec<u8>>,
    /// The next counter value.
    next: u64,
    /// The fewest free (non-fixed) bits of any IV counted so far. Every
    /// count stays below 2^min_free_bits, so IVs with different fixed-bit
    /// counts cannot meet either.
    min_free_bits: u64,
}

impl IvCounters {
    /// Lets the key with CKA_UNIQUE_ID `key_id` count IVs.
    pub fn register(&mut self, key_id: &[u8]) {
        self.keys.insert(key_id.to_vec(), BTreeMap::new());
    }

    /// Whether enough keys were registered since the last `retain` to
    /// look for dead ones.
    pub fn wants_pruning(&self) -> bool {
        self.keys.len() > 2 * self.kept + 64
    }

    /// How many keys may count.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Forgets the keys for which `alive` is false (destroyed objects:
    /// their random unique IDs never come back).
    pub fn retain(&mut self, alive: impl Fn(&[u8]) -> bool) {
        self.keys.retain(|k, _| alive(k));
        self.kept = self.keys.len();
    }
}

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
    /// The counter to store once the message is accepted (a
    /// CKR_BUFFER_TOO_SMALL answer uses up no IV).
    commit: Option<Reserved>,
}

/// A counter's state after the message that used it: key, IV length and
/// counter.
type Reserved = (Vec<u8>, usize, Counter);

impl Message {
    /// Stores the IV counter this message used.
    pub fn commit(&mut self, counters: &mut IvCounters) {
        if let Some((key, iv_len, counter)) = self.commit.take()
            && let Some(by_len) = counters.keys.get_mut(&key)
        {
            by_len.insert(iv_len, counter);
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
/// - CKG_GENERATE_COUNTER: fixed part, then the key's counter.
/// - CKG_GENERATE_COUNTER_XOR: the buffer XOR the key's counter (the
///   caller must pass the same buffer every time: another one is refused).
/// - CKG_GENERATE_RANDOM: fixed part, then at least 96 random bits.
/// - CKG_GENERATE ("method not defined"): random when at least 96 bits are
///   free, else the counter.
///
/// Counting needs a key registered in `counters` (see `IvCounters`). A
/// counter that has used up the free bits is CKR_MECHANISM_PARAM_INVALID
/// (these parameters can make no new IV), as are fixed bits that leave
/// nothing to generate.
#[allow(clippy::type_complexity)]
fn generate_iv(
    iv: &[u8],
    fixed_bits: CK_ULONG,
    generator: CK_ULONG,
    key_id: &[u8],
    counters: &IvCounters,
) -> CkResult<(Vec<u8>, Option<Vec<u8>>, Option<Reserved>)> {
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
    let by_len = counters
        .keys
        .get(key_id)
        .ok_or(CKR_MECHANISM_PARAM_INVALID)?;
    let xor = generator == CKG_GENERATE_COUNTER_XOR;
    let counter = match by_len.get(&iv.len()) {
        None => Counter {
            xor_base: xor.then(|| iv.to_vec()),
            next: 0,
            min_free_bits: free_bits,
        },
        Some(c) if c.xor_base.as_deref() == xor.then_some(iv) => c.clone(),
        Some(_) => return Err(CKR_MECHANISM_PARAM_INVALID),
    };
    let min_free_bits = counter.min_free_bits.min(free_bits);
    let count = counter.next;
    if (min_free_bits < 64 && count >= 1u64 << min_free_bits) || count == u64::MAX {
        return Err(CKR_MECHANISM_PARAM_INVALID);
    }
    if !xor {
        keep_high_bits(&mut out, fixed);
    }
    xor_low(&mut out, count);
    let next = Counter {
        next: count + 1,
        min_free_bits,
        ..counter
    };
    Ok((
        out.clone(),
        Some(out),
        Some((key_id.to_vec(), iv.len(), next)),
    ))
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

    /// Counters that know the keys `ids`.
    fn registered(ids: &[&[u8]]) -> IvCounters {
        let mut c = IvCounters::default();
        for id in ids {
            c.register(id);
        }
        c
    }

    /// Encrypts one message with IV generation and commits it.
    fn next_iv(
        counters: &mut IvCounters,
        key: &[u8],
        iv: &[u8],
        fixed: CK_ULONG,
        generator: CK_ULONG,
    ) -> CkResult<Vec<u8>> {
        let p = gcm(iv, fixed, generator);
        let mut m = message(CKM_AES_GCM, &p, b"", true, key, counters)?;
        let out = iv_of(&m);
        assert_eq!(m.iv_out.as_deref(), Some(out.as_slice()));
        m.commit(counters);
        Ok(out)
    }

    #[test]
    fn counter_keeps_the_fixed_part_and_counts_from_zero() {
        let mut counters = registered(&[b"k1", b"k2"]);
        let base = [0xAAu8; 12];
        for expected in 0u64..5 {
            let iv = next_iv(&mut counters, b"k1", &base, 32, CKG_GENERATE_COUNTER).unwrap();
            assert_eq!(&iv[..4], &[0xAA; 4], "fixed part kept");
            assert_eq!(u64::from_be_bytes(iv[4..].try_into().unwrap()), expected);
        }
        // Another key counts on its own.
        let iv = next_iv(&mut counters, b"k2", &base, 32, CKG_GENERATE_COUNTER).unwrap();
        assert_eq!(&iv[4..], &[0; 8]);
        // Another fixed part goes on with the key's one counter.
        let iv = next_iv(&mut counters, b"k1", &[0xBB; 12], 32, CKG_GENERATE_COUNTER).unwrap();
        assert_eq!(u64::from_be_bytes(iv[4..].try_into().unwrap()), 5);
    }

    #[test]
    fn only_registered_keys_count() {
        let mut counters = registered(&[b"born-here"]);
        for generator in [CKG_GENERATE_COUNTER, CKG_GENERATE_COUNTER_XOR] {
            assert_eq!(
                next_iv(&mut counters, b"token-key", &[0; 12], 32, generator),
                Err(CKR_MECHANISM_PARAM_INVALID)
            );
        }
        // CKG_GENERATE with fewer than 96 free bits counts: refused too.
        assert_eq!(
            next_iv(&mut counters, b"token-key", &[0; 12], 8, CKG_GENERATE),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        // Random IVs need no counter.
        assert!(
            next_iv(
                &mut counters,
                b"token-key",
                &[0; 16],
                32,
                CKG_GENERATE_RANDOM
            )
            .is_ok()
        );
        assert!(next_iv(&mut counters, b"token-key", &[0; 12], 0, CKG_GENERATE).is_ok());
        // Forgotten keys stop counting.
        let count =
            |c: &mut IvCounters| next_iv(c, b"born-here", &[0; 12], 32, CKG_GENERATE_COUNTER);
        assert!(count(&mut counters).is_ok());
        counters.retain(|_| false);
        assert_eq!(count(&mut counters), Err(CKR_MECHANISM_PARAM_INVALID));
    }

    #[test]
    fn uncommitted_messages_reuse_nothing_and_lose_nothing() {
        let counters = registered(&[b"k"]);
        let p = gcm(&[1; 12], 0, CKG_GENERATE_COUNTER);
        let a = message(CKM_AES_GCM, &p, b"", true, b"k", &counters).unwrap();
        let b = message(CKM_AES_GCM, &p, b"", true, b"k", &counters).unwrap();
        // Not committed: the same IV is offered again (nothing was sent).
        assert_eq!(iv_of(&a), iv_of(&b));
        assert_eq!(iv_of(&a), vec![0; 12]);
    }

    #[test]
    fn counter_xor_and_exhaustion() {
        let mut counters = registered(&[b"k"]);
        let base = [0x0Fu8; 12];
        for c in 0u64..3 {
            let iv = next_iv(&mut counters, b"k", &base, 88, CKG_GENERATE_COUNTER_XOR).unwrap();
            assert_eq!(&iv[..11], &base[..11]);
            assert_eq!(iv[11], 0x0F ^ c as u8);
        }
        // The XOR counter keeps its buffer and its kind.
        let other = [0x0Eu8; 12];
        for (iv, generator) in [
            (&other, CKG_GENERATE_COUNTER_XOR),
            (&base, CKG_GENERATE_COUNTER),
        ] {
            assert_eq!(
                next_iv(&mut counters, b"k", iv, 88, generator),
                Err(CKR_MECHANISM_PARAM_INVALID)
            );
        }
        // A 16-byte IV has a counter of its own.
        assert!(next_iv(&mut counters, b"k", &[0; 16], 32, CKG_GENERATE_COUNTER).is_ok());
        // 92 fixed bits leave 4: 16 IVs, then the parameters are used up.
        let mut counters = registered(&[b"k"]);
        for _ in 0..16 {
            next_iv(&mut counters, b"k", &base, 92, CKG_GENERATE_COUNTER).unwrap();
        }
        assert_eq!(
            next_iv(&mut counters, b"k", &base, 92, CKG_GENERATE_COUNTER),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        // Fewer fixed bits later do not lift the bound the 4-bit IVs set:
        // a count of 16 would give the IV of count 0 with fixed bits 0001.
        assert_eq!(
            next_iv(&mut counters, b"k", &base, 32, CKG_GENERATE_COUNTER),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
    }

    /// Every IV of a key is distinct, whatever fixed parts and fixed-bit
    /// counts the caller mixes (exhaustive over a small IV space).
    #[test]
    fn mixed_layouts_never_repeat_an_iv() {
        let mut counters = registered(&[b"k"]);
        let mut seen = std::collections::BTreeSet::new();
        let mut refused = 0;
        for i in 0..600u32 {
            let fixed = [84u64, 88, 90, 92][(i % 4) as usize];
            let iv = [(i * 37 % 256) as u8; 12];
            match next_iv(&mut counters, b"k", &iv, fixed, CKG_GENERATE_COUNTER) {
                Ok(iv) => assert!(seen.insert(iv), "IV repeated at message {i}"),
                Err(e) => {
                    assert_eq!(e, CKR_MECHANISM_PARAM_INVALID);
                    refused += 1;
                }
            }
        }
        assert!(seen.len() >= 16 && refused > 0);
    }

    #[test]
    fn random_iv_keeps_fixed_bits_and_needs_96_bits() {
        let counters = registered(&[b"k"]);
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
        let counters = registered(&[b"k"]);
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
