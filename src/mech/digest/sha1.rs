//! SHA-1 (FIPS 180-4 section 6.1) as a RustCrypto block core, so that
//! `Hmac<Sha1>`, PBKDF2 and the RSA/ECDSA generics take it like any other
//! hash. Ours rather than the `sha1` crate's portable code, which models
//! the x86 SHA instructions on `[u32; 4]` values: in WebAssembly that is
//! ~9% slower than 80 plain rounds over a rolling 16-word schedule, with
//! each round's sum ordered so that only its last addition waits for the
//! previous round (issue 15 item 3: SHA-1 of 1 MiB at parity with
//! hash-wasm before). Everything is data-independent: no table, no branch.
use core::fmt;

use digest::{
    HashMarker, Output,
    array::Array,
    block_api::{
        AlgorithmName, Block, BlockSizeUser, Buffer, BufferKindUser, Eager, FixedOutputCore,
        OutputSizeUser, Reset, UpdateCore,
    },
    typenum::{U20, U64, Unsigned},
};
use zeroize::Zeroize;

const H0: [u32; 5] = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];
const K: [u32; 4] = [0x5A82_7999, 0x6ED9_EBA1, 0x8F1B_BCDC, 0xCA62_C1D6];

digest::buffer_fixed!(
    /// SHA-1 hasher.
    pub struct Sha1(Sha1Core);
    impl: BaseFixedTraits AlgorithmName Default Clone HashMarker Reset FixedOutputReset;
);

/// The block-level state: the five chaining words and the block count.
#[derive(Clone)]
pub struct Sha1Core {
    h: [u32; 5],
    blocks: u64,
}

impl HashMarker for Sha1Core {}

impl BlockSizeUser for Sha1Core {
    type BlockSize = U64;
}

impl BufferKindUser for Sha1Core {
    type BufferKind = Eager;
}

impl OutputSizeUser for Sha1Core {
    type OutputSize = U20;
}

impl UpdateCore for Sha1Core {
    fn update_blocks(&mut self, blocks: &[Block<Self>]) {
        self.blocks = self.blocks.wrapping_add(blocks.len() as u64);
        compress(&mut self.h, Array::cast_slice_to_core(blocks));
    }
}

impl FixedOutputCore for Sha1Core {
    fn finalize_fixed_core(&mut self, buffer: &mut Buffer<Self>, out: &mut Output<Self>) {
        let block_bytes = <Self as BlockSizeUser>::BlockSize::U64;
        let bits = 8u64.wrapping_mul(
            (buffer.get_pos() as u64).wrapping_add(block_bytes.wrapping_mul(self.blocks)),
        );
        let mut h = self.h;
        buffer.len64_padding_be(bits, |block| compress(&mut h, &[block.0]));
        for (chunk, word) in out.chunks_exact_mut(4).zip(h.iter()) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        h.zeroize();
    }
}

impl Default for Sha1Core {
    fn default() -> Self {
        Self { h: H0, blocks: 0 }
    }
}

impl Reset for Sha1Core {
    fn reset(&mut self) {
        self.h.zeroize();
        *self = Self::default();
    }
}

impl AlgorithmName for Sha1Core {
    fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha1")
    }
}

impl fmt::Debug for Sha1Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha1Core { ... }")
    }
}

impl Drop for Sha1Core {
    fn drop(&mut self) {
        self.h.zeroize();
        self.blocks.zeroize();
    }
}

/// The block's 16 big-endian words: four byte swizzles on wasm SIMD
/// (16 scalar byte swaps cost ~5 operations each there).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn load_words(block: &[u8; 64]) -> [u32; 16] {
    use core::arch::wasm32::*;
    let swap = i8x16(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    // SAFETY: each pointer starts 16 readable bytes of `block` (offsets 0,
    // 16, 32, 48 of 64); v128_load has no alignment need.
    let quad = |i: usize| {
        i8x16_swizzle(
            unsafe { v128_load(block.as_ptr().add(16 * i) as *const v128) },
            swap,
        )
    };
    // Constant lane indices throughout, so that the words stay in locals.
    let [q0, q1, q2, q3] = [quad(0), quad(1), quad(2), quad(3)];
    [
        u32x4_extract_lane::<0>(q0),
        u32x4_extract_lane::<1>(q0),
        u32x4_extract_lane::<2>(q0),
        u32x4_extract_lane::<3>(q0),
        u32x4_extract_lane::<0>(q1),
        u32x4_extract_lane::<1>(q1),
        u32x4_extract_lane::<2>(q1),
        u32x4_extract_lane::<3>(q1),
        u32x4_extract_lane::<0>(q2),
        u32x4_extract_lane::<1>(q2),
        u32x4_extract_lane::<2>(q2),
        u32x4_extract_lane::<3>(q2),
        u32x4_extract_lane::<0>(q3),
        u32x4_extract_lane::<1>(q3),
        u32x4_extract_lane::<2>(q3),
        u32x4_extract_lane::<3>(q3),
    ]
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn load_words(block: &[u8; 64]) -> [u32; 16] {
    let mut w = [0u32; 16];
    for (word, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
        *word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    w
}

#[inline(always)]
fn ch(b: u32, c: u32, d: u32) -> u32 {
    d ^ (b & (c ^ d))
}

#[inline(always)]
fn parity(b: u32, c: u32, d: u32) -> u32 {
    b ^ c ^ d
}

/// Majority as a sum: (b & c) and (d & (b ^ c)) share no bit.
#[inline(always)]
fn maj(b: u32, c: u32, d: u32) -> u32 {
    (b & c).wrapping_add(d & (b ^ c))
}

/// The blocks in order, in one function: a call per block costs ~7% in
/// WebAssembly.
#[inline(never)]
pub(crate) fn compress(state: &mut [u32; 5], blocks: &[[u8; 64]]) {
    for block in blocks {
        compress_block(state, block);
    }
}

/// One block (FIPS 180-4 6.1.2), unrolled: the variables rotate by name
/// instead of by assignment, and W lives in a 16-word window.
#[inline(always)]
fn compress_block(state: &mut [u32; 5], block: &[u8; 64]) {
    let mut w = load_words(block);
    let [mut a, mut b, mut c, mut d, mut e] = *state;
    // W[t] for t >= 16 overwrites W[t - 16] in the window.
    macro_rules! word {
        ($t:expr) => {{
            if $t >= 16 {
                w[$t & 15] = (w[($t + 13) & 15] ^ w[($t + 8) & 15] ^ w[($t + 2) & 15] ^ w[$t & 15])
                    .rotate_left(1);
            }
            w[$t & 15]
        }};
    }
    // e += ROTL5(a) + f(b, c, d) + K + W[t]; b = ROTL30(b): the terms that
    // do not depend on the previous round are added first.
    macro_rules! round {
        ($a:ident, $b:ident, $c:ident, $d:ident, $e:ident, $f:ident, $k:expr, $t:expr) => {
            $e = $e
                .wrapping_add(word!($t).wrapping_add($k))
                .wrapping_add($f($b, $c, $d))
                .wrapping_add($a.rotate_left(5));
            $b = $b.rotate_left(30);
        };
    }
    macro_rules! five {
        ($f:ident, $k:expr, $t:expr) => {
            round!(a, b, c, d, e, $f, $k, $t);
            round!(e, a, b, c, d, $f, $k, $t + 1);
            round!(d, e, a, b, c, $f, $k, $t + 2);
            round!(c, d, e, a, b, $f, $k, $t + 3);
            round!(b, c, d, e, a, $f, $k, $t + 4);
        };
    }
    five!(ch, K[0], 0);
    five!(ch, K[0], 5);
    five!(ch, K[0], 10);
    five!(ch, K[0], 15);
    five!(parity, K[1], 20);
    five!(parity, K[1], 25);
    five!(parity, K[1], 30);
    five!(parity, K[1], 35);
    five!(maj, K[2], 40);
    five!(maj, K[2], 45);
    five!(maj, K[2], 50);
    five!(maj, K[2], 55);
    five!(parity, K[3], 60);
    five!(parity, K[3], 65);
    five!(parity, K[3], 70);
    five!(parity, K[3], 75);
    for (s, v) in state.iter_mut().zip([a, b, c, d, e]) {
        *s = s.wrapping_add(v);
    }
    // W is not wiped here: a volatile write would keep the window in
    // linear memory instead of locals (~10% slower). Like the RustCrypto
    // hashes, the words live in locals and the stack is not cleared.
}

#[cfg(test)]
mod tests {
    use digest::{Digest, KeyInit, Mac};

    use super::Sha1;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// FIPS 180-2 appendix A and the "one million a" vector.
    #[test]
    fn fips_180_answers() {
        let cases: [(&[u8], &str); 3] = [
            (b"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
            ),
            (b"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ];
        for (msg, want) in cases {
            assert_eq!(hex(&Sha1::digest(msg)), want);
        }
        let mut h = Sha1::new();
        for _ in 0..1000 {
            h.update([b'a'; 1000]);
        }
        assert_eq!(
            hex(&h.finalize()),
            "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
        );
    }

    /// Every length across three blocks, in one call and split, against
    /// the `sha1` crate.
    #[test]
    fn matches_the_sha1_crate() {
        let data: Vec<u8> = (0..300u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in 0..data.len() {
            let want = sha1::Sha1::digest(&data[..len]);
            assert_eq!(Sha1::digest(&data[..len])[..], want[..], "len {len}");
            let mut h = Sha1::new();
            let (x, y) = data[..len].split_at(len / 3);
            h.update(x);
            h.update(y);
            assert_eq!(h.finalize_reset()[..], want[..], "split {len}");
            // Reset leaves a fresh hasher.
            h.update(&data[..len]);
            assert_eq!(h.finalize()[..], want[..], "after reset {len}");
        }
    }

    /// RFC 2202 test case 2 through the hmac crate's generic HMAC.
    #[test]
    fn hmac_rfc_2202() {
        let mut mac = hmac::Hmac::<Sha1>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac.finalize().into_bytes()),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }
}
