//! A 16-byte vector with the few operations the AES, GHASH and ChaCha20
//! code needs:
//! WebAssembly SIMD (`v128`) on wasm32, and a portable model with the same
//! lane semantics elsewhere, so that `cargo test` on the host runs the very
//! logic the module runs. The one operation with a subtle meaning is
//! `lookup`: `i8x16.swizzle`, where an index of 16 or more yields 0 (the
//! AES code uses that on purpose).
//!
//! Every operation is branch-free and table lookups are register
//! permutations: nothing depends on secret data but the lanes' values.

#[cfg(target_arch = "wasm32")]
mod imp {
    use core::arch::wasm32::*;

    /// Sixteen bytes in one SIMD register.
    #[derive(Clone, Copy)]
    #[repr(transparent)]
    pub struct V(v128);

    impl V {
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn from_bytes(b: [u8; 16]) -> V {
            V(u8x16(
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                b[13], b[14], b[15],
            ))
        }
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn load(b: &[u8]) -> V {
            let b: &[u8; 16] = b[..16].try_into().unwrap_or(&[0; 16]);
            // SAFETY: `b` is 16 readable bytes; v128_load has no alignment need.
            V(unsafe { v128_load(b.as_ptr() as *const v128) })
        }
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn store(self, out: &mut [u8]) {
            if let Some(out) = out.get_mut(..16) {
                // SAFETY: 16 writable bytes; no alignment need.
                unsafe { v128_store(out.as_mut_ptr() as *mut v128, self.0) }
            }
        }
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn to_bytes(self) -> [u8; 16] {
            let mut b = [0u8; 16];
            self.store(&mut b);
            b
        }
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn splat(x: u8) -> V {
            V(u8x16_splat(x))
        }
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn zero() -> V {
            V(u64x2_splat(0))
        }
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn xor(self, o: V) -> V {
            V(v128_xor(self.0, o.0))
        }
        /// Each byte's low nibble.
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn lo_nibbles(self) -> V {
            V(v128_and(self.0, u8x16_splat(0x0f)))
        }
        /// Each byte's high nibble, moved down.
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn hi_nibbles(self) -> V {
            V(v128_and(u16x8_shr(self.0, 4), u8x16_splat(0x0f)))
        }
        /// `table[idx[i]]` per lane, 0 where idx[i] >= 16 (`i8x16.swizzle`).
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn lookup(table: V, idx: V) -> V {
            V(i8x16_swizzle(table.0, idx.0))
        }
        /// Four 32-bit lanes.
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn from_u32(w: [u32; 4]) -> V {
            V(u32x4(w[0], w[1], w[2], w[3]))
        }
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn splat32(x: u32) -> V {
            V(u32x4_splat(x))
        }
        /// Lane-wise 32-bit addition (wrapping).
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn add32(self, o: V) -> V {
            V(u32x4_add(self.0, o.0))
        }
        /// Lane-wise 32-bit rotation left by N (0 < N < 32).
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn rotl32<const N: u32>(self) -> V {
            V(v128_or(u32x4_shl(self.0, N), u32x4_shr(self.0, 32 - N)))
        }
        /// 32-bit lanes 0, 1 of `a` and `b` interleaved: a0 b0 a1 b1.
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn interleave32_lo(a: V, b: V) -> V {
            V(u32x4_shuffle::<0, 4, 1, 5>(a.0, b.0))
        }
        /// 32-bit lanes 2, 3 of `a` and `b` interleaved: a2 b2 a3 b3.
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn interleave32_hi(a: V, b: V) -> V {
            V(u32x4_shuffle::<2, 6, 3, 7>(a.0, b.0))
        }
        /// The low 64 bits of `a`, then of `b`.
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn concat64_lo(a: V, b: V) -> V {
            V(u64x2_shuffle::<0, 2>(a.0, b.0))
        }
        /// The high 64 bits of `a`, then of `b`.
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn concat64_hi(a: V, b: V) -> V {
            V(u64x2_shuffle::<1, 3>(a.0, b.0))
        }
        /// Bytes 0..8 of `a` and `b` interleaved: a0 b0 a1 b1 ...
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn interleave_lo(a: V, b: V) -> V {
            V(i8x16_shuffle::<
                0,
                16,
                1,
                17,
                2,
                18,
                3,
                19,
                4,
                20,
                5,
                21,
                6,
                22,
                7,
                23,
            >(a.0, b.0))
        }
        /// Bytes 8..16 of `a` and `b` interleaved: a8 b8 a9 b9 ...
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn interleave_hi(a: V, b: V) -> V {
            V(i8x16_shuffle::<
                8,
                24,
                9,
                25,
                10,
                26,
                11,
                27,
                12,
                28,
                13,
                29,
                14,
                30,
                15,
                31,
            >(a.0, b.0))
        }
        /// Bytes in the order `P` names (a constant `i8x16.shuffle`).
        #[inline]
        #[target_feature(enable = "simd128")]
        pub fn permute<const P: u8>(self) -> V {
            let a = self.0;
            V(match P {
                super::ROT1 => {
                    i8x16_shuffle::<1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12>(a, a)
                }
                super::ROT2 => {
                    i8x16_shuffle::<2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13>(a, a)
                }
                super::ROT3 => {
                    i8x16_shuffle::<3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14>(a, a)
                }
                super::SHIFT_ROWS => {
                    i8x16_shuffle::<0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11>(a, a)
                }
                super::INV_SHIFT_ROWS => {
                    i8x16_shuffle::<0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3>(a, a)
                }
                _ => a,
            })
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    /// Sixteen bytes; the portable model of the wasm `v128` operations.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct V([u8; 16]);

    impl V {
        #[inline(always)]
        pub fn from_bytes(b: [u8; 16]) -> V {
            V(b)
        }
        #[inline(always)]
        pub fn load(b: &[u8]) -> V {
            let mut v = [0u8; 16];
            v.copy_from_slice(&b[..16]);
            V(v)
        }
        #[inline(always)]
        pub fn store(self, out: &mut [u8]) {
            out[..16].copy_from_slice(&self.0);
        }
        #[inline(always)]
        pub fn to_bytes(self) -> [u8; 16] {
            self.0
        }
        #[inline(always)]
        pub fn splat(x: u8) -> V {
            V([x; 16])
        }
        #[inline(always)]
        pub fn zero() -> V {
            V([0; 16])
        }
        #[inline(always)]
        pub fn xor(self, o: V) -> V {
            V(core::array::from_fn(|i| self.0[i] ^ o.0[i]))
        }
        #[inline(always)]
        pub fn lo_nibbles(self) -> V {
            V(self.0.map(|b| b & 0x0f))
        }
        #[inline(always)]
        pub fn hi_nibbles(self) -> V {
            V(self.0.map(|b| b >> 4))
        }
        #[inline(always)]
        pub fn lookup(table: V, idx: V) -> V {
            V(idx.0.map(|i| if i < 16 { table.0[i as usize] } else { 0 }))
        }
        #[inline(always)]
        fn words(self) -> [u32; 4] {
            core::array::from_fn(|i| {
                u32::from_le_bytes(self.0[4 * i..4 * i + 4].try_into().unwrap_or_default())
            })
        }
        #[inline(always)]
        pub fn from_u32(w: [u32; 4]) -> V {
            let mut b = [0u8; 16];
            for (i, x) in w.iter().enumerate() {
                b[4 * i..4 * i + 4].copy_from_slice(&x.to_le_bytes());
            }
            V(b)
        }
        #[inline(always)]
        pub fn splat32(x: u32) -> V {
            V::from_u32([x; 4])
        }
        #[inline(always)]
        pub fn add32(self, o: V) -> V {
            let (a, b) = (self.words(), o.words());
            V::from_u32(core::array::from_fn(|i| a[i].wrapping_add(b[i])))
        }
        #[inline(always)]
        pub fn rotl32<const N: u32>(self) -> V {
            V::from_u32(self.words().map(|w| w.rotate_left(N)))
        }
        #[inline(always)]
        pub fn interleave32_lo(a: V, b: V) -> V {
            let (a, b) = (a.words(), b.words());
            V::from_u32([a[0], b[0], a[1], b[1]])
        }
        #[inline(always)]
        pub fn interleave32_hi(a: V, b: V) -> V {
            let (a, b) = (a.words(), b.words());
            V::from_u32([a[2], b[2], a[3], b[3]])
        }
        #[inline(always)]
        pub fn concat64_lo(a: V, b: V) -> V {
            let (a, b) = (a.words(), b.words());
            V::from_u32([a[0], a[1], b[0], b[1]])
        }
        #[inline(always)]
        pub fn concat64_hi(a: V, b: V) -> V {
            let (a, b) = (a.words(), b.words());
            V::from_u32([a[2], a[3], b[2], b[3]])
        }
        #[inline(always)]
        pub fn interleave_lo(a: V, b: V) -> V {
            V(core::array::from_fn(|i| {
                if i % 2 == 0 { a.0[i / 2] } else { b.0[i / 2] }
            }))
        }
        #[inline(always)]
        pub fn interleave_hi(a: V, b: V) -> V {
            V(core::array::from_fn(|i| {
                if i % 2 == 0 {
                    a.0[8 + i / 2]
                } else {
                    b.0[8 + i / 2]
                }
            }))
        }
        #[inline(always)]
        pub fn permute<const P: u8>(self) -> V {
            let order = super::order(P);
            V(core::array::from_fn(|i| self.0[order[i] as usize]))
        }
    }
}

pub(crate) use imp::V;

/// Byte orders for `V::permute`. Within each 4-byte column (AES state
/// order, byte 4c + r = row r of column c): ROTn takes row r from row r+n.
pub(crate) const ROT1: u8 = 1;
pub(crate) const ROT2: u8 = 2;
pub(crate) const ROT3: u8 = 3;
/// AES ShiftRows: row r of column c from row r of column c + r.
pub(super) const SHIFT_ROWS: u8 = 4;
pub(super) const INV_SHIFT_ROWS: u8 = 5;

/// The source index of each output byte of `V::permute::<P>` (the wasm
/// version spells the same orders as shuffle immediates).
pub(super) const fn order(p: u8) -> [u8; 16] {
    let mut o = [0u8; 16];
    let mut i = 0;
    while i < 16 {
        let (c, r) = (i / 4, i % 4);
        o[i] = match p {
            ROT1 => 4 * c + (r + 1) % 4,
            ROT2 => 4 * c + (r + 2) % 4,
            ROT3 => 4 * c + (r + 3) % 4,
            SHIFT_ROWS => 4 * ((c + r) % 4) + r,
            INV_SHIFT_ROWS => 4 * ((c + 4 - r) % 4) + r,
            _ => i,
        } as u8;
        i += 1;
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wasm shuffle immediates spell `order` (checked here against the
    /// literal lists written in the wasm module).
    #[test]
    fn orders_match_the_wasm_immediates() {
        assert_eq!(
            order(ROT1),
            [1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12]
        );
        assert_eq!(
            order(ROT2),
            [2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13]
        );
        assert_eq!(
            order(ROT3),
            [3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14]
        );
        assert_eq!(
            order(SHIFT_ROWS),
            [0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11]
        );
        assert_eq!(
            order(INV_SHIFT_ROWS),
            [0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3]
        );
    }

    #[test]
    fn lookup_zeroes_out_of_range_indices() {
        let table = V::from_bytes(core::array::from_fn(|i| 100 + i as u8));
        let idx = V::from_bytes([0, 15, 16, 0x80, 0x8f, 0xff, 3, 7, 0, 0, 0, 0, 0, 0, 0, 17]);
        let got = V::lookup(table, idx).to_bytes();
        assert_eq!(
            got,
            [
                100, 115, 0, 0, 0, 0, 103, 107, 100, 100, 100, 100, 100, 100, 100, 0
            ]
        );
    }
}
