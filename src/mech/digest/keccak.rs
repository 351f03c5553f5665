//! SHA3-224/256/384/512 (FIPS 202): the sponge over Keccak-f[1600] with
//! the 25 lanes written out as separate values (macro-unrolled steps with
//! constant indices), which a compiler keeps in registers/locals; the
//! `keccak` crate's generic loops keep the state in memory, which costs
//! about 1.7x in WebAssembly. The round constants and rotation offsets are
//! computed here from FIPS 202's definitions (algorithms 2 and 5).
use zeroize::Zeroize;

use crate::mech::DigestOp;

/// rc(t) of FIPS 202 algorithm 5: an LFSR bit.
const fn rc_bit(t: usize) -> u64 {
    if t % 255 == 0 {
        return 1;
    }
    let mut r: u16 = 0x80; // R = 10000000 (bit 0 first, as the standard writes it)
    let mut i = 1;
    while i <= t % 255 {
        // R = 0 || R; R[0] ^= R[8]; R[4] ^= R[8]; R[5] ^= R[8]; R[6] ^= R[8]; drop R[8].
        let mut bits = [0u8; 9];
        let mut k = 0;
        while k < 8 {
            bits[k + 1] = ((r >> (7 - k)) & 1) as u8;
            k += 1;
        }
        bits[0] ^= bits[8];
        bits[4] ^= bits[8];
        bits[5] ^= bits[8];
        bits[6] ^= bits[8];
        r = 0;
        k = 0;
        while k < 8 {
            r |= (bits[k] as u16) << (7 - k);
            k += 1;
        }
        i += 1;
    }
    (r >> 7) as u64 & 1
}

/// The 24 round constants (algorithm 6, iota).
const RC: [u64; 24] = {
    let mut rc = [0u64; 24];
    let mut round = 0;
    while round < 24 {
        let mut j = 0;
        while j <= 6 {
            rc[round] |= rc_bit(j + 7 * round) << ((1 << j) - 1);
            j += 1;
        }
        round += 1;
    }
    rc
};

/// The rho offsets by lane index x + 5 y (algorithm 2).
const RHO: [u32; 25] = {
    let mut r = [0u32; 25];
    let (mut x, mut y) = (1usize, 0usize);
    let mut t = 0;
    while t < 24 {
        r[x + 5 * y] = (((t + 1) * (t + 2) / 2) % 64) as u32;
        let nx = y;
        let ny = (2 * x + 3 * y) % 5;
        x = nx;
        y = ny;
        t += 1;
    }
    r
};

/// Where pi moves lane x + 5 y: to y + 5 ((2 x + 3 y) mod 5).
const PI: [usize; 25] = {
    let mut p = [0usize; 25];
    let mut i = 0;
    while i < 25 {
        let (x, y) = (i % 5, i / 5);
        p[i] = y + 5 * ((2 * x + 3 * y) % 5);
        i += 1;
    }
    p
};

/// Repeats a statement for the literal indices 0..25 (or 0..5).
macro_rules! each25 {
    ($i:ident => $body:expr) => {{
        each25!(@ $i => $body; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24);
    }};
    (@ $i:ident => $body:expr; $($n:literal)*) => {{
        $( { const $i: usize = $n; $body; } )*
    }};
}
macro_rules! each5 {
    ($i:ident => $body:expr) => {{
        each25!(@ $i => $body; 0 1 2 3 4);
    }};
}

/// Keccak-f[1600] (algorithm 7 with 24 rounds).
fn keccak_f(state: &mut [u64; 25]) {
    let mut a = *state;
    for rc in RC {
        // theta
        let mut c = [0u64; 5];
        each5!(X => c[X] = a[X] ^ a[X + 5] ^ a[X + 10] ^ a[X + 15] ^ a[X + 20]);
        let mut d = [0u64; 5];
        each5!(X => d[X] = c[(X + 4) % 5] ^ c[(X + 1) % 5].rotate_left(1));
        // rho and pi
        let mut b = [0u64; 25];
        each25!(I => b[PI[I]] = (a[I] ^ d[I % 5]).rotate_left(RHO[I]));
        // chi
        each25!(I => a[I] = b[I] ^ (!b[I / 5 * 5 + (I + 1) % 5] & b[I / 5 * 5 + (I + 2) % 5]));
        // iota
        a[0] ^= rc;
    }
    *state = a;
    a.zeroize();
}

/// A running SHA3 hash with an output of LEN bytes (rate 200 - 2 LEN).
#[derive(Clone)]
pub(super) struct Sha3<const LEN: usize> {
    state: [u64; 25],
    buf: [u8; 200],
    used: usize,
}

impl<const LEN: usize> Sha3<LEN> {
    const RATE: usize = 200 - 2 * LEN;

    pub(super) fn new() -> Self {
        Sha3 {
            state: [0; 25],
            buf: [0; 200],
            used: 0,
        }
    }

    fn absorb(state: &mut [u64; 25], block: &[u8]) {
        for (lane, bytes) in state.iter_mut().zip(block.chunks_exact(8)) {
            *lane ^= u64::from_le_bytes(bytes.try_into().unwrap_or_default());
        }
        keccak_f(state);
    }
}

impl<const LEN: usize> DigestOp for Sha3<LEN> {
    fn update(&mut self, mut data: &[u8]) {
        let rate = Self::RATE;
        if self.used > 0 {
            let n = (rate - self.used).min(data.len());
            self.buf[self.used..self.used + n].copy_from_slice(&data[..n]);
            self.used += n;
            data = &data[n..];
            if self.used < rate {
                return;
            }
            Self::absorb(&mut self.state, &self.buf[..rate]);
            self.used = 0;
        }
        let mut blocks = data.chunks_exact(rate);
        for block in &mut blocks {
            Self::absorb(&mut self.state, block);
        }
        let tail = blocks.remainder();
        self.buf[..tail.len()].copy_from_slice(tail);
        self.used = tail.len();
    }

    /// The digest; the hash starts over (its state wiped).
    fn finalize(&mut self) -> Vec<u8> {
        let rate = Self::RATE;
        // SHA-3 domain bits 01, then pad10*1 (FIPS 202 sections 6.1, 5.1).
        self.buf[self.used..rate].fill(0);
        self.buf[self.used] ^= 0x06;
        self.buf[rate - 1] ^= 0x80;
        let block = self.buf;
        Self::absorb(&mut self.state, &block[..rate]);
        let mut out: Vec<u8> = self
            .state
            .iter()
            .flat_map(|l| l.to_le_bytes())
            .take(LEN)
            .collect();
        out.shrink_to_fit();
        self.state.zeroize();
        self.buf.zeroize();
        self.used = 0;
        out
    }

    fn output_len(&self) -> usize {
        LEN
    }
}

impl<const LEN: usize> Drop for Sha3<LEN> {
    fn drop(&mut self) {
        self.state.zeroize();
        self.buf.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha3::Digest;

    fn one<const LEN: usize>(data: &[u8]) -> Vec<u8> {
        let mut h = Sha3::<LEN>::new();
        h.update(data);
        h.finalize()
    }

    /// FIPS 202 / NIST CSRC example values for "" and "abc".
    #[test]
    fn known_answers() {
        assert_eq!(
            hex::encode(one::<32>(b"")),
            "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"
        );
        assert_eq!(
            hex::encode(one::<32>(b"abc")),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
        );
        assert_eq!(
            hex::encode(one::<28>(b"abc")),
            "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf"
        );
    }

    /// Against the `sha3` crate for every length, in pieces.
    #[test]
    fn matches_the_sha3_crate() {
        let data: Vec<u8> = (0..1200u32).map(|i| (i * 37 + 11) as u8).collect();
        for len in [0, 1, 71, 72, 73, 135, 136, 137, 143, 144, 200, 1000, 1200] {
            let d = &data[..len];
            assert_eq!(
                one::<28>(d),
                sha3::Sha3_224::digest(d).to_vec(),
                "224, {len}"
            );
            assert_eq!(
                one::<32>(d),
                sha3::Sha3_256::digest(d).to_vec(),
                "256, {len}"
            );
            assert_eq!(
                one::<48>(d),
                sha3::Sha3_384::digest(d).to_vec(),
                "384, {len}"
            );
            assert_eq!(
                one::<64>(d),
                sha3::Sha3_512::digest(d).to_vec(),
                "512, {len}"
            );
            // In pieces, and the hash reusable after finalize.
            let mut h = Sha3::<32>::new();
            for piece in d.chunks(50) {
                h.update(piece);
            }
            assert_eq!(h.finalize(), sha3::Sha3_256::digest(d).to_vec());
            h.update(b"abc");
            assert_eq!(
                hex::encode(h.finalize()),
                "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
            );
        }
    }
}
