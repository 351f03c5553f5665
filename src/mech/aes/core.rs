//! The AES block cipher (FIPS 197) on 16-byte vectors: every byte of the
//! state is inverted in GF(2^8) by nine 16-entry lookups done as SIMD byte
//! shuffles (`tower.rs` derives the tables), so no memory access depends on
//! the key or the data: constant time without AES instructions. Rounds
//! work in the tower representation; the linear steps (the S-box's affine
//! map, MixColumns, the change of representation) live in the output
//! tables, ShiftRows and the column rotations are fixed byte permutations
//! (a swizzle by a constant index vector, 32-bit rotations, a constant
//! shuffle: whichever V8 turns into the fewest x64 instructions).
//! Decryption is FIPS 197's equivalent inverse cipher (section 5.3.5).
//!
//! Several blocks go through each step together (`N`), which lets the
//! engine overlap their instructions; CBC encryption has only one.
use std::cell::OnceCell;

use zeroize::Zeroize;

use super::tower::{self, Out};
use super::vector::{self, INV_SHIFT_ROWS, ROT2, SHIFT_ROWS, V};

const BLOCK: usize = 16;

const INV: [u8; 16] = tower::INV;
const DK: [u8; 16] = tower::DK;
const ENC_IN: tower::Pair = tower::input(false);
const DEC_IN: tower::Pair = tower::input(true);
const ENC1: tower::Pair = tower::pair(Out::EncRound(1));
const ENC2: tower::Pair = tower::pair(Out::EncRound(2));
const ENC_LAST: tower::Pair = tower::pair(Out::EncLast);
const DEC14: tower::Pair = tower::pair(Out::DecRound(14));
const DEC11: tower::Pair = tower::pair(Out::DecRound(11));
const DEC13: tower::Pair = tower::pair(Out::DecRound(13));
const DEC9: tower::Pair = tower::pair(Out::DecRound(9));
const DEC_LAST: tower::Pair = tower::pair(Out::DecLast);

/// An expanded AES key: the round keys in the forms the rounds add them
/// (see `AesKey::new`), wiped on drop. The decryption keys are made at
/// the first decryption (GCM, CTR, CMAC and CBC encryption never need
/// them), from the standard round keys kept for that.
#[derive(Clone)]
pub(super) struct AesKey {
    rounds: usize,
    enc: [[u8; BLOCK]; 15],
    round_keys: [[u8; BLOCK]; 15],
    dec: OnceCell<[[u8; BLOCK]; 15]>,
}

impl Drop for AesKey {
    fn drop(&mut self) {
        self.enc.zeroize();
        self.round_keys.zeroize();
        if let Some(d) = self.dec.get_mut() {
            d.zeroize();
        }
    }
}

/// A pair of output tables as vectors.
#[derive(Clone, Copy)]
struct Tables([V; 2]);

impl Tables {
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn of(p: &tower::Pair) -> Tables {
        Tables([V::from_bytes(p[0]), V::from_bytes(p[1])])
    }
    /// table[0][io] ^ table[1][jo].
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn get(self, (io, jo): (V, V)) -> V {
        V::lookup(self.0[0], io).xor(V::lookup(self.0[1], jo))
    }
    /// The map the input tables stand for, on standard bytes.
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn map(self, x: V) -> V {
        V::lookup(self.0[0], x.lo_nibbles()).xor(V::lookup(self.0[1], x.hi_nibbles()))
    }
}

/// The inversion's two outputs (io, jo) for each byte of `v` (tower form).
#[inline]
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn invert(v: V, inv: V, dk: V) -> (V, V) {
    let i = v.hi_nibbles();
    let k = v.lo_nibbles();
    let j = i.xor(k);
    let ak = V::lookup(dk, k);
    let iak = V::lookup(inv, i).xor(ak);
    let jak = V::lookup(inv, j).xor(ak);
    (V::lookup(inv, jak).xor(i), V::lookup(inv, iak).xor(j))
}

/// The S-box on each byte of a standard-form vector (key expansion).
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn sub_bytes(x: V) -> V {
    let v = Tables::of(&ENC_IN).map(x);
    let inv = invert(v, V::from_bytes(INV), V::from_bytes(DK));
    Tables::of(&ENC_LAST).get(inv).xor(V::splat(0x63))
}

/// x * 2 in GF(2^8), without a branch.
const fn xtime(a: u8) -> u8 {
    (a << 1) ^ (0x1b & 0u8.wrapping_sub(a >> 7))
}

/// InvMixColumns of a standard-form block (FIPS 197 section 5.3.3),
/// branch-free: 9 = 8+1, 11 = 8+2+1, 13 = 8+4+1, 14 = 8+4+2.
fn inv_mix_columns(b: &[u8; BLOCK]) -> [u8; BLOCK] {
    let mut out = [0u8; BLOCK];
    for c in 0..4 {
        let s: [u8; 4] = core::array::from_fn(|r| b[4 * c + r]);
        let x2 = s.map(xtime);
        let x4 = x2.map(xtime);
        let x8 = x4.map(xtime);
        for r in 0..4 {
            let at = |i: usize| (r + i) % 4;
            let m14 = x8[at(0)] ^ x4[at(0)] ^ x2[at(0)];
            let m11 = x8[at(1)] ^ x2[at(1)] ^ s[at(1)];
            let m13 = x8[at(2)] ^ x4[at(2)] ^ s[at(2)];
            let m9 = x8[at(3)] ^ s[at(3)];
            out[4 * c + r] = m14 ^ m11 ^ m13 ^ m9;
        }
    }
    out
}

impl AesKey {
    /// Expands a 16-, 24- or 32-byte key (FIPS 197 section 5.2); None for
    /// another length.
    ///
    /// Encryption adds: round 0 the tower form of k0, rounds 1..Nr-1 the
    /// tower form of k_r ^ 0x63.. (the S-box constant, which MixColumns
    /// leaves alone), the last round k_Nr ^ 0x63.. in standard form.
    /// Decryption (equivalent inverse cipher) adds: first the decryption
    /// tower form of k_Nr, then of InvMixColumns(k_r), each with the
    /// constant of InvSubBytes, and last k0 in standard form.
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    pub(super) fn new(key: &[u8]) -> Option<AesKey> {
        let nk = match key.len() {
            16 | 24 | 32 => key.len() / 4,
            _ => return None,
        };
        let rounds = nk + 6;
        let mut w = [[0u8; 4]; 60];
        for (i, word) in key.chunks_exact(4).enumerate() {
            w[i].copy_from_slice(word);
        }
        let mut rcon = 1u8;
        for i in nk..4 * (rounds + 1) {
            let mut t = w[i - 1];
            if i % nk == 0 || (nk > 6 && i % nk == 4) {
                if i % nk == 0 {
                    t.rotate_left(1);
                }
                let mut b = [0u8; BLOCK];
                b[..4].copy_from_slice(&t);
                let s = sub_bytes(V::from_bytes(b)).to_bytes();
                t.copy_from_slice(&s[..4]);
                b.zeroize();
                if i % nk == 0 {
                    t[0] ^= rcon;
                    rcon = xtime(rcon);
                }
            }
            w[i] = core::array::from_fn(|b| w[i - nk][b] ^ t[b]);
            t.zeroize();
        }
        let mut k = AesKey {
            rounds,
            enc: [[0; BLOCK]; 15],
            round_keys: core::array::from_fn(|r| {
                core::array::from_fn(|b| w[(4 * r + b / 4) % 60][b % 4])
            }),
            dec: OnceCell::new(),
        };
        w.zeroize();
        let enc_in = Tables::of(&ENC_IN);
        k.enc[0] = enc_in.map(V::from_bytes(k.round_keys[0])).to_bytes();
        for r in 1..rounds {
            k.enc[r] = enc_in
                .map(V::from_bytes(k.round_keys[r]))
                .xor(V::splat(tower::ENC_CONST))
                .to_bytes();
        }
        k.enc[rounds] = k.round_keys[rounds].map(|b| b ^ 0x63);
        Some(k)
    }

    /// The decryption round keys, made at the first call.
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn dec(&self) -> &[[u8; BLOCK]; 15] {
        self.dec.get_or_init(|| {
            let rounds = self.rounds;
            let dec_in = Tables::of(&DEC_IN);
            let form = |b: [u8; BLOCK]| {
                dec_in
                    .map(V::from_bytes(b))
                    .xor(V::splat(tower::DEC_CONST))
                    .to_bytes()
            };
            let mut dec = [[0u8; BLOCK]; 15];
            dec[0] = form(self.round_keys[rounds]);
            for r in 1..rounds {
                let mut m = inv_mix_columns(&self.round_keys[r]);
                dec[rounds - r] = form(m);
                m.zeroize();
            }
            dec[rounds] = self.round_keys[0];
            dec
        })
    }

    /// Encrypts the whole blocks of `data` in place.
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    pub(super) fn encrypt(&self, data: &mut [u8]) {
        run(&EncTables::load(), &self.enc, self.rounds, data)
    }

    /// Decrypts the whole blocks of `data` in place.
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    pub(super) fn decrypt(&self, data: &mut [u8]) {
        run(&DecTables::load(), self.dec(), self.rounds, data)
    }

    /// CBC encryption of the whole blocks of `data` in place, chained from
    /// `chain` (left holding the last ciphertext block): one block at a
    /// time, the tables loaded once.
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    pub(super) fn cbc_encrypt(&self, chain: &mut [u8; BLOCK], data: &mut [u8]) {
        let t = EncTables::load();
        let key = |r: usize| V::from_bytes(self.enc[r]);
        let mut c = V::from_bytes(*chain);
        for block in data.chunks_exact_mut(BLOCK) {
            let mut a = t.input(V::load(block).xor(c)).xor(key(0));
            for r in 1..self.rounds {
                a = t.round(a, key(r));
            }
            c = t.last(a, key(self.rounds));
            c.store(block);
        }
        *chain = c.to_bytes();
    }
}

/// One direction of the cipher: its input map and its rounds.
trait Rounds {
    fn input(&self, x: V) -> V;
    fn round(&self, v: V, key: V) -> V;
    fn last(&self, v: V, key: V) -> V;
}

/// The whole blocks of `data` through the cipher in place: four at a time
/// (written out, so that their instructions interleave), then one by one.
#[inline]
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn run<T: Rounds>(t: &T, keys: &[[u8; BLOCK]; 15], rounds: usize, data: &mut [u8]) {
    let key = |r: usize| V::from_bytes(keys[r]);
    let mut quads = data.chunks_exact_mut(4 * BLOCK);
    for q in &mut quads {
        let k0 = key(0);
        let mut a = t.input(V::load(&q[..])).xor(k0);
        let mut b = t.input(V::load(&q[BLOCK..])).xor(k0);
        let mut c = t.input(V::load(&q[2 * BLOCK..])).xor(k0);
        let mut d = t.input(V::load(&q[3 * BLOCK..])).xor(k0);
        for r in 1..rounds {
            let k = key(r);
            a = t.round(a, k);
            b = t.round(b, k);
            c = t.round(c, k);
            d = t.round(d, k);
        }
        let k = key(rounds);
        t.last(a, k).store(&mut q[..]);
        t.last(b, k).store(&mut q[BLOCK..]);
        t.last(c, k).store(&mut q[2 * BLOCK..]);
        t.last(d, k).store(&mut q[3 * BLOCK..]);
    }
    for block in quads.into_remainder().chunks_exact_mut(BLOCK) {
        let mut a = t.input(V::load(block)).xor(key(0));
        for r in 1..rounds {
            a = t.round(a, key(r));
        }
        t.last(a, key(rounds)).store(block);
    }
}

/// What both directions share: the inversion's tables, the input map
/// and the last round's output tables.
#[derive(Clone, Copy)]
struct Sbox {
    inv: V,
    dk: V,
    /// (Inv)ShiftRows as swizzle indices: a swizzle by a vector held in a
    /// local costs V8 fewer instructions than a constant `i8x16.shuffle`,
    /// whose index vector it rebuilds from immediates at every use.
    shift: V,
    input: Tables,
    last: Tables,
}

impl Sbox {
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn of<const P: u8>(input: &tower::Pair, last: &tower::Pair) -> Sbox {
        Sbox {
            inv: V::from_bytes(INV),
            dk: V::from_bytes(DK),
            shift: V::from_bytes(vector::order(P)),
            input: Tables::of(input),
            last: Tables::of(last),
        }
    }

    /// The inversion of each byte of `v` after (Inv)ShiftRows.
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn invert(&self, v: V) -> (V, V) {
        invert(V::lookup(v, self.shift), self.inv, self.dk)
    }

    /// The last round: no (Inv)MixColumns, output in standard form.
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn last(&self, v: V, key: V) -> V {
        self.last.get(self.invert(v)).xor(key)
    }
}

/// The encryption tables as vectors, loaded once per call: passed through
/// `black_box` so that the compiler keeps them in locals rather than
/// rematerializing each constant at every use inside the rounds (a wasm
/// engine builds a `v128.const` from immediates every time).
#[derive(Clone, Copy)]
struct EncTables {
    s: Sbox,
    e1: Tables,
    e2: Tables,
}

impl EncTables {
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn load() -> EncTables {
        core::hint::black_box(EncTables {
            s: Sbox::of::<SHIFT_ROWS>(&ENC_IN, &ENC_LAST),
            e1: Tables::of(&ENC1),
            e2: Tables::of(&ENC2),
        })
    }
}

impl Rounds for EncTables {
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn input(&self, x: V) -> V {
        self.s.input.map(x)
    }

    /// ShiftRows, SubBytes, MixColumns, AddRoundKey, in tower form.
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn round(&self, v: V, key: V) -> V {
        let x = self.s.invert(v);
        let p1 = self.e1.get(x);
        let p2 = self.e2.get(x);
        // MixColumns, 2 s0 + 3 s1 + s2 + s3 per row, with two rotations:
        // w = p2 + rot2(p1), and w + rot1(w + p1) expands to p2 + rot1(p2)
        // + rot1(p1) + rot2(p1) + rot3(p1). rot1 (row r from row r + 1) is
        // a 32-bit rotation by 24 bits (two shifts and an OR: cheaper in V8
        // than a byte shuffle, and off the shuffle port the lookups need).
        let w = p2.xor(p1.permute::<ROT2>());
        w.xor(w.xor(p1).rotl32::<24>()).xor(key)
    }

    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn last(&self, v: V, key: V) -> V {
        self.s.last(v, key)
    }
}

/// The decryption tables (see `EncTables`).
#[derive(Clone, Copy)]
struct DecTables {
    s: Sbox,
    d14: Tables,
    d11: Tables,
    d13: Tables,
    d9: Tables,
}

impl DecTables {
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn load() -> DecTables {
        core::hint::black_box(DecTables {
            s: Sbox::of::<INV_SHIFT_ROWS>(&DEC_IN, &DEC_LAST),
            d14: Tables::of(&DEC14),
            d11: Tables::of(&DEC11),
            d13: Tables::of(&DEC13),
            d9: Tables::of(&DEC9),
        })
    }
}

impl Rounds for DecTables {
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn input(&self, x: V) -> V {
        self.s.input.map(x)
    }

    /// InvShiftRows, InvSubBytes, InvMixColumns, AddRoundKey (equivalent
    /// inverse cipher), in the decryption tower form.
    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn round(&self, v: V, key: V) -> V {
        let x = self.s.invert(v);
        self.d14
            .get(x)
            .xor(self.d11.get(x).rotl32::<24>())
            .xor(self.d13.get(x).permute::<ROT2>())
            .xor(self.d9.get(x).rotl32::<8>())
            .xor(key)
    }

    #[inline]
    #[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
    fn last(&self, v: V, key: V) -> V {
        self.s.last(v, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    /// FIPS 197 appendix C: AES-128, -192, -256 on 00112233..ff.
    #[test]
    fn fips197_appendix_c() {
        let pt = hex("00112233445566778899aabbccddeeff");
        for (key, ct) in [
            (
                "000102030405060708090a0b0c0d0e0f",
                "69c4e0d86a7b0430d8cdb78070b4c55a",
            ),
            (
                "000102030405060708090a0b0c0d0e0f1011121314151617",
                "dda97ca4864cdfe06eaf70a0ec0d7191",
            ),
            (
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
                "8ea2b7ca516745bfeafc49904b496089",
            ),
        ] {
            let k = AesKey::new(&hex(key)).unwrap();
            let mut b = pt.clone();
            k.encrypt(&mut b);
            assert_eq!(hex::encode(&b), ct);
            k.decrypt(&mut b);
            assert_eq!(b, pt);
        }
        assert!(AesKey::new(&[0; 20]).is_none());
    }

    /// Against the `aes` crate on pseudo-random keys and runs of 1..13
    /// blocks (the 4-block lanes and the single-block rest).
    #[test]
    fn matches_the_aes_crate() {
        let mut seed = 0x1234_5678_9abc_def0u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        };
        for round in 0..60 {
            let len = [16, 24, 32][round % 3];
            let key: Vec<u8> = (0..len).map(|_| next()).collect();
            let blocks = 1 + round % 13;
            let data: Vec<u8> = (0..16 * blocks).map(|_| next()).collect();
            let mut want = data.clone();
            let (chunks, _) = aes::Block::slice_as_chunks_mut(&mut want);
            match len {
                16 => aes::Aes128::new_from_slice(&key)
                    .unwrap()
                    .encrypt_blocks(chunks),
                24 => aes::Aes192::new_from_slice(&key)
                    .unwrap()
                    .encrypt_blocks(chunks),
                _ => aes::Aes256::new_from_slice(&key)
                    .unwrap()
                    .encrypt_blocks(chunks),
            }
            let k = AesKey::new(&key).unwrap();
            let mut got = data.clone();
            k.encrypt(&mut got);
            assert_eq!(got, want, "encrypt, key length {len}, {blocks} blocks");
            let mut back = want.clone();
            let (chunks, _) = aes::Block::slice_as_chunks_mut(&mut back);
            match len {
                16 => aes::Aes128::new_from_slice(&key)
                    .unwrap()
                    .decrypt_blocks(chunks),
                24 => aes::Aes192::new_from_slice(&key)
                    .unwrap()
                    .decrypt_blocks(chunks),
                _ => aes::Aes256::new_from_slice(&key)
                    .unwrap()
                    .decrypt_blocks(chunks),
            }
            k.decrypt(&mut got);
            assert_eq!(got, back, "decrypt");
            assert_eq!(got, data);
        }
    }
}
