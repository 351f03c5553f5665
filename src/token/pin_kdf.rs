//! The PIN's key-encryption key: PBKDF2-HMAC-SHA256 (RFC 8018 section
//! 5.2), one 32-byte block. The same function as the `pbkdf2` crate's
//! (tested against it): U1 by the `hmac` crate, then the usual loop of two
//! SHA-256 compressions per iteration from the key's precomputed inner and
//! outer states.
//!
//! Why not the crate: its iteration (HMAC state copied, updated, finalized
//! and wiped) is ~3.7 KB of wasm inlined in one loop. At a token's first
//! login V8 runs it in its baseline tier, makes it hot after a few hundred
//! iterations, and compiles it again for a call that is already ending;
//! here the loop is a few hundred bytes and only the compression function
//! (called 2,000 times at 1,000 iterations) is worth V8's optimizing.
use hmac::{Hmac, KeyInit, Mac};
use sha2::block_api::compress256;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

const BLOCK: usize = 64;
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// PBKDF2-HMAC-SHA256(`password`, `salt`, `iterations`) with a 32-byte
/// output; `iterations` 0 counts as 1 (as the crate does). None only if
/// HMAC refused the key, which it does for no length.
pub fn pbkdf2_sha256_32(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Option<Zeroizing<[u8; 32]>> {
    // U1 = HMAC(P, S || INT(1)), by the hmac crate.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(password).ok()?;
    mac.update(salt);
    mac.update(&1u32.to_be_bytes());
    let mut u = Zeroizing::new([0u8; 32]);
    u.copy_from_slice(&mac.finalize().into_bytes());
    // U_j = HMAC(P, U_{j-1}) from HMAC's key block (RFC 2104: a key longer
    // than a block is hashed) compressed once with each pad.
    let mut key = Zeroizing::new([0u8; BLOCK]);
    if password.len() > BLOCK {
        key[..32].copy_from_slice(&Sha256::digest(password));
    } else {
        key[..password.len()].copy_from_slice(password);
    }
    let (inner, outer) = (pad_state(&key, 0x36), pad_state(&key, 0x5c));
    let mut t = Zeroizing::new(*u);
    let mut block = Zeroizing::new([0u8; BLOCK]);
    for _ in 1..iterations {
        iterate(&inner, &outer, &mut u, &mut block);
        for (t, u) in t.iter_mut().zip(u.iter()) {
            *t ^= u;
        }
    }
    Some(t)
}

/// U <- HMAC(P, U) for a 32-byte U: one compression from each state, over
/// a block laid out once (message, 0x80, zeros, bit length 768).
fn iterate(inner: &[u32; 8], outer: &[u32; 8], u: &mut [u8; 32], block: &mut [u8; BLOCK]) {
    block[32] = 0x80;
    block[62..].copy_from_slice(&(((BLOCK + 32) * 8) as u16).to_be_bytes());
    block[..32].copy_from_slice(u);
    let mut state = Zeroizing::new(*inner);
    compress256(&mut state, std::slice::from_ref(block));
    put_words(&state, &mut block[..32]);
    *state = *outer;
    compress256(&mut state, std::slice::from_ref(block));
    put_words(&state, u);
}

/// The state after one compression of the key block XOR `pad`.
fn pad_state(key: &[u8; BLOCK], pad: u8) -> Zeroizing<[u32; 8]> {
    let mut block = Zeroizing::new([0u8; BLOCK]);
    for (b, k) in block.iter_mut().zip(key) {
        *b = k ^ pad;
    }
    let mut state = Zeroizing::new(H0);
    compress256(&mut state, std::slice::from_ref(&*block));
    state
}

fn put_words(state: &[u32; 8], out: &mut [u8]) {
    for (o, w) in out.chunks_exact_mut(4).zip(state) {
        o.copy_from_slice(&w.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
        let mut out = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, &mut out);
        out
    }

    #[test]
    fn matches_rfc_7914_vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", 1), first 32 bytes.
        let expected =
            hex::decode("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
                .unwrap();
        assert_eq!(
            pbkdf2_sha256_32(b"passwd", b"salt", 1).unwrap().as_slice(),
            expected
        );
    }

    #[test]
    fn matches_the_pbkdf2_crate() {
        // Password lengths around the block size (hashed above 64), salts
        // around the padding boundary (55/56 bytes), iteration counts.
        let lengths = [0usize, 1, 15, 32, 55, 56, 63, 64, 65, 100, 200];
        for (n, &plen) in lengths.iter().enumerate() {
            for &slen in &lengths {
                let password: Vec<u8> = (0..plen).map(|i| (i * 7 + n) as u8).collect();
                let salt: Vec<u8> = (0..slen).map(|i| (i * 13 + 1) as u8).collect();
                for iterations in [1, 2, 3, 17] {
                    assert_eq!(
                        *pbkdf2_sha256_32(&password, &salt, iterations).unwrap(),
                        reference(&password, &salt, iterations),
                        "password {plen} B, salt {slen} B, {iterations} iterations"
                    );
                }
            }
        }
        assert_eq!(
            *pbkdf2_sha256_32(b"1234", &[9; 16], 1000).unwrap(),
            reference(b"1234", &[9; 16], 1000)
        );
        assert_eq!(
            *pbkdf2_sha256_32(b"pin", &[3; 16], 0).unwrap(),
            reference(b"pin", &[3; 16], 0)
        );
    }
}
