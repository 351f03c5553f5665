//! XXH32 (seed 0), the checksum of the token directory's object cache
//! (pkg-templates/src/storage/object-cache.js): a copy of the records that
//! must not be used if an accident (a torn write, a damaged disk) changed
//! it. Not a defence against forgery: every record in it is checked by the
//! core as a record read from its own file is.
//!
//! Why not node:zlib's CRC-32, which the cache used: loading node:zlib took
//! 2-4 ms of a first login on a token of 1,000 objects, more than checking
//! the ~700 KB copy here, four lanes at a time with wasm SIMD.
const P1: u32 = 0x9E37_79B1;
const P2: u32 = 0x85EB_CA77;
const P3: u32 = 0xC2B2_AE3D;
const P4: u32 = 0x27D4_EB2F;
const P5: u32 = 0x1656_67B1;
const STRIPE: usize = 16;

/// The XXH32 of `data` with seed 0.
pub fn xxh32(data: &[u8]) -> u32 {
    let stripes = data.len() / STRIPE * STRIPE;
    let mut h = if data.len() >= STRIPE {
        let [v1, v2, v3, v4] = lanes(&data[..stripes]);
        v1.rotate_left(1)
            .wrapping_add(v2.rotate_left(7))
            .wrapping_add(v3.rotate_left(12))
            .wrapping_add(v4.rotate_left(18))
    } else {
        P5
    };
    h = h.wrapping_add(data.len() as u32);
    let mut words = data[stripes..].chunks_exact(4);
    for w in &mut words {
        let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        h = h
            .wrapping_add(w.wrapping_mul(P3))
            .rotate_left(17)
            .wrapping_mul(P4);
    }
    for &b in words.remainder() {
        h = h
            .wrapping_add(u32::from(b).wrapping_mul(P5))
            .rotate_left(11)
            .wrapping_mul(P1);
    }
    h ^= h >> 15;
    h = h.wrapping_mul(P2);
    h ^= h >> 13;
    h = h.wrapping_mul(P3);
    h ^ (h >> 16)
}

const START: [u32; 4] = [P1.wrapping_add(P2), P2, 0, 0u32.wrapping_sub(P1)];

/// The four accumulators after the 16-byte stripes of `data`.
#[cfg(not(target_arch = "wasm32"))]
fn lanes(data: &[u8]) -> [u32; 4] {
    let mut v = START;
    for stripe in data.chunks_exact(STRIPE) {
        for (lane, w) in v.iter_mut().zip(stripe.chunks_exact(4)) {
            let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            *lane = lane
                .wrapping_add(w.wrapping_mul(P2))
                .rotate_left(13)
                .wrapping_mul(P1);
        }
    }
    v
}

/// The same, the four lanes in one vector (lane i: bytes 4i..4i+4 of each
/// stripe, little-endian as wasm loads them).
#[cfg(target_arch = "wasm32")]
fn lanes(data: &[u8]) -> [u32; 4] {
    use core::arch::wasm32::*;
    let (p1, p2) = (u32x4_splat(P1), u32x4_splat(P2));
    let [a, b, c, d] = START;
    let mut v = u32x4(a, b, c, d);
    for stripe in data.chunks_exact(STRIPE) {
        // SAFETY: `stripe` is 16 readable bytes; v128_load has no alignment requirement.
        let x = unsafe { v128_load(stripe.as_ptr().cast()) };
        v = i32x4_add(v, i32x4_mul(x, p2));
        v = v128_or(i32x4_shl(v, 13), u32x4_shr(v, 19));
        v = i32x4_mul(v, p1);
    }
    [
        u32x4_extract_lane::<0>(v),
        u32x4_extract_lane::<1>(v),
        u32x4_extract_lane::<2>(v),
        u32x4_extract_lane::<3>(v),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_xxhash_reference() {
        assert_eq!(xxh32(b""), 0x02CC_5D05);
        assert_eq!(xxh32(b"abc"), 0x32D1_53FF);
        // Every length around the stripe and word boundaries, and a long input.
        let data: Vec<u8> = (0..5000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for n in (0..70).chain([255, 256, 257, 4096, 5000]) {
            assert_eq!(
                xxh32(&data[..n]),
                xxhash_rust::xxh32::xxh32(&data[..n], 0),
                "{n} bytes"
            );
        }
    }
}
