//! The ChaCha20 keystream (RFC 8439 section 2.3/2.4: 32-bit block counter,
//! 96-bit nonce), four blocks at a time on 128-bit vectors: vector i holds
//! word i of four consecutive blocks, so a quarter round is 12 lane-wise
//! operations for all four (rotations by 16 and 8 are byte shuffles), and
//! a 4 x 4 transposition of 32-bit words turns the result back into bytes.
//! ARX only: nothing depends on secret data but register contents.
use zeroize::Zeroize;

use crate::mech::aes::vector::{ROT2, ROT3, V};

const BLOCK: usize = 64;
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// XORs the keystream of (`key`, `nonce`) from byte `pos` into `data`.
/// The caller keeps pos + data.len() within 2^32 blocks.
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
pub(super) fn xor_keystream(key: &[u8; 32], nonce: &[u8; 12], pos: u64, data: &mut [u8]) {
    let word = |b: &[u8], i: usize| {
        u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]])
    };
    let mut input = [0u32; 16];
    input[..4].copy_from_slice(&SIGMA);
    for i in 0..8 {
        input[4 + i] = word(key, i);
    }
    for i in 0..3 {
        input[13 + i] = word(nonce, i);
    }
    let mut counter = (pos / BLOCK as u64) as u32;
    let mut skip = (pos % BLOCK as u64) as usize;
    let mut rest = data;
    let mut spare = [0u8; 4 * BLOCK];
    while !rest.is_empty() {
        input[12] = counter;
        let ks = four_blocks(&input);
        let (now, later) = rest.split_at_mut(rest.len().min(4 * BLOCK - skip));
        if skip == 0 && now.len() == 4 * BLOCK {
            for (k, chunk) in ks.iter().zip(now.chunks_exact_mut(16)) {
                V::load(chunk).xor(*k).store(chunk);
            }
        } else {
            for (k, chunk) in ks.iter().zip(spare.chunks_exact_mut(16)) {
                k.store(chunk);
            }
            now.iter_mut()
                .zip(&spare[skip..])
                .for_each(|(d, k)| *d ^= k);
        }
        rest = later;
        skip = 0;
        counter = counter.wrapping_add(4);
    }
    spare.zeroize();
    input.zeroize();
}

/// Blocks counter .. counter+3 of the state `input` (word 12 = counter),
/// as 16 vectors in output order (block 0 bytes 0..16, 16..32, ...).
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn four_blocks(input: &[u32; 16]) -> [V; 16] {
    let start: [V; 16] = core::array::from_fn(|i| {
        if i == 12 {
            let c = input[12];
            V::from_u32([c, c.wrapping_add(1), c.wrapping_add(2), c.wrapping_add(3)])
        } else {
            V::splat32(input[i])
        }
    });
    let mut x = start;
    for _ in 0..10 {
        quarter(&mut x, 0, 4, 8, 12);
        quarter(&mut x, 1, 5, 9, 13);
        quarter(&mut x, 2, 6, 10, 14);
        quarter(&mut x, 3, 7, 11, 15);
        quarter(&mut x, 0, 5, 10, 15);
        quarter(&mut x, 1, 6, 11, 12);
        quarter(&mut x, 2, 7, 8, 13);
        quarter(&mut x, 3, 4, 9, 14);
    }
    for (xi, si) in x.iter_mut().zip(start) {
        *xi = xi.add32(si);
    }
    // Words 4g..4g+3 of the four blocks: a 4 x 4 transposition gives the
    // 16 bytes 16g.. of each block.
    let mut out = [V::zero(); 16];
    for g in 0..4 {
        let (a, b, c, d) = (x[4 * g], x[4 * g + 1], x[4 * g + 2], x[4 * g + 3]);
        let ab_lo = V::interleave32_lo(a, b);
        let ab_hi = V::interleave32_hi(a, b);
        let cd_lo = V::interleave32_lo(c, d);
        let cd_hi = V::interleave32_hi(c, d);
        out[g] = V::concat64_lo(ab_lo, cd_lo);
        out[4 + g] = V::concat64_hi(ab_lo, cd_lo);
        out[8 + g] = V::concat64_lo(ab_hi, cd_hi);
        out[12 + g] = V::concat64_hi(ab_hi, cd_hi);
    }
    out
}

/// The quarter round (RFC 8439 section 2.1) on four blocks at once.
#[inline]
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn quarter(x: &mut [V; 16], a: usize, b: usize, c: usize, d: usize) {
    x[a] = x[a].add32(x[b]);
    x[d] = x[d].xor(x[a]).permute::<ROT2>(); // <<< 16
    x[c] = x[c].add32(x[d]);
    x[b] = x[b].xor(x[c]).rotl32::<12>();
    x[a] = x[a].add32(x[b]);
    x[d] = x[d].xor(x[a]).permute::<ROT3>(); // <<< 8
    x[c] = x[c].add32(x[d]);
    x[b] = x[b].xor(x[c]).rotl32::<7>();
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20::ChaCha20;
    use chacha20::cipher::{KeyIvInit, StreamCipher, StreamCipherSeek};

    /// RFC 8439 section 2.4.2: the sunscreen example.
    #[test]
    fn rfc8439_encryption_example() {
        let key: [u8; 32] = core::array::from_fn(|i| i as u8);
        let nonce = [0, 0, 0, 0, 0, 0, 0, 0x4a, 0, 0, 0, 0];
        let mut text = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".to_vec();
        xor_keystream(&key, &nonce, 64, &mut text);
        assert_eq!(
            hex::encode(&text[..32]),
            "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
        );
        assert_eq!(
            hex::encode(&text[text.len() - 10..]),
            "b40b8eedf2785e42874d"
        );
    }

    /// Against the `chacha20` crate at every offset and length mix.
    #[test]
    fn matches_the_chacha20_crate() {
        let key: [u8; 32] = core::array::from_fn(|i| (i * 7 + 3) as u8);
        let nonce: [u8; 12] = core::array::from_fn(|i| (i * 13 + 1) as u8);
        for (pos, len) in [
            (0, 1000),
            (64, 256),
            (3, 700),
            (255, 2),
            (1000, 1),
            (0, 0),
            (4096 - 5, 600),
        ] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
            let mut want = data.clone();
            let mut c = ChaCha20::new(&key.into(), &nonce.into());
            c.seek(pos as u64);
            c.apply_keystream(&mut want);
            let mut got = data.clone();
            xor_keystream(&key, &nonce, pos as u64, &mut got);
            assert_eq!(got, want, "pos {pos} len {len}");
        }
    }
}
