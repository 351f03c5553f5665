//! `bignum` against u128 arithmetic on one- to three-limb moduli (every
//! carry and reduction path at small sizes), and against the `rsa`
//! crate's big-integer arithmetic on RSA-size primes.
use super::*;

/// xorshift64*: deterministic test values.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn limbs_u128(x: u128, len: usize) -> Limbs {
    from_be(&x.to_be_bytes(), len).unwrap()
}

fn value(l: &[u32]) -> u128 {
    u128::from_be_bytes(to_be(l, 16).unwrap().as_slice().try_into().unwrap())
}

fn mulmod(a: u128, b: u128, m: u128) -> u128 {
    // m < 2^63: split b to stay within u128.
    let (hi, lo) = (b >> 32, b & 0xffff_ffff);
    ((((a * hi) % m) << 32) % m + (a * lo) % m) % m
}

fn powmod(b: u128, e: u128, m: u128) -> u128 {
    let mut r = 1 % m;
    for i in (0..128).rev() {
        r = mulmod(r, r, m);
        if (e >> i) & 1 == 1 {
            r = mulmod(r, b % m, m);
        }
    }
    r
}

#[test]
fn octet_conversions_round_trip_and_refuse_excess() {
    let mut rng = Rng(7);
    for n in 0..80 {
        let bytes = rng.bytes(n);
        let len = (n * 8).div_ceil(BITS).max(1);
        let l = from_be(&bytes, len).unwrap();
        assert!(l.iter().all(|&x| x <= MASK));
        assert_eq!(*to_be(&l, n).unwrap(), bytes);
        // Leading zeros in and out.
        let mut padded = vec![0u8; 3];
        padded.extend_from_slice(&bytes);
        assert_eq!(*from_be(&padded, len).unwrap(), *l);
        assert_eq!(*to_be(&l, n + 3).unwrap(), padded);
        if bytes.first().is_some_and(|&b| b != 0) {
            assert!(to_be(&l, n - 1).is_none());
            if n * 8 <= (len - 1) * BITS + 7 || (n * 8).div_ceil(BITS) == len {
                // Fewer limbs than the value needs.
                let needed = (n * 8 - bytes[0].leading_zeros() as usize).div_ceil(BITS);
                assert!(from_be(&bytes, needed - 1).is_none());
                assert!(from_be(&bytes, needed).is_some());
            }
        }
    }
}

#[test]
fn modulus_refuses_even_small_and_oversized() {
    assert!(Modulus::new(&[0x10, 0x00], 2).is_none());
    assert!(Modulus::new(&[1], 2).is_none());
    assert!(Modulus::new(&[], 2).is_none());
    assert!(Modulus::new(&[0; 4], 2).is_none());
    // 57 bits need 3 limbs with the headroom.
    let m = [0x01, 0, 0, 0, 0, 0, 0, 0x01];
    assert!(Modulus::new(&m, 2).is_none());
    assert!(Modulus::new(&m, 3).is_some());
    assert!(Modulus::new(&[0xff; 8], MAX_WIDE_LIMBS + 1).is_none());
}

#[test]
fn small_moduli_match_u128_arithmetic() {
    let mut rng = Rng(0x1234_5678);
    for bits in [
        3usize, 5, 23, 24, 27, 28, 29, 31, 40, 52, 55, 56, 57, 60, 62, 63,
    ] {
        for _ in 0..40 {
            let m = (u128::from(rng.next()) >> (64 - bits)) | (1 << (bits - 1)) | 1;
            let len = limbs_for_bits(bits).max(2);
            let md = Modulus::new(&m.to_be_bytes(), len).unwrap();
            assert_eq!(md.bits(), bits);
            let r = 1u128 << (BITS * len);
            assert!(16 * m <= r);
            let a = u128::from(rng.next()) % m;
            let b = u128::from(rng.next()) % m;
            let (am, bm) = (
                md.to_mont(&limbs_u128(a, len)),
                md.to_mont(&limbs_u128(b, len)),
            );
            assert!(value(&am) < 2 * m && value(&am) % m == mulmod(a, r % m, m));
            let prod = md.mul(&am, &bm);
            assert!(value(&prod) < 2 * m);
            assert_eq!(value(&md.retrieve(&prod)), mulmod(a, b, m));
            let sq = md.sqr(&am);
            assert!(value(&sq) < 2 * m);
            assert_eq!(value(&md.retrieve(&sq)), mulmod(a, a, m));
            // Lazy inputs up to 4m - 1 still give outputs below 2m.
            let big = limbs_u128(4 * m - 1, len);
            let out = md.mul(&big, &big);
            assert!(value(&out) < 2 * m);
            assert_eq!(
                value(&out) % m,
                mulmod(mulmod(m - 1, m - 1, m), inv_r(r, m), m)
            );
            // Exponentiation with a secret-style exponent of fixed length.
            let e = u128::from(rng.next()) >> (rng.next() % 64);
            let exp = limbs_u128(e, 3);
            let y = md.retrieve(&md.pow(&am, &exp, 64));
            assert_eq!(value(&y), powmod(a, e, m), "m={m} a={a} e={e}");
            let y = md.retrieve(&md.pow_public(&am, e as u64));
            assert_eq!(value(&y), powmod(a, e as u64 as u128, m));
            // Reduction of a double-length value below m R.
            let t = (u128::from(rng.next()) % m) * (u128::from(rng.next()) % m);
            let red = md.reduce(&limbs_u128(t, 2 * len));
            assert!(value(&red) < 2 * m);
            assert_eq!(value(&md.canonical(&red)), t % m);
            // Subtraction modulo m.
            let d = md.sub_mod(&limbs_u128(a, len), &limbs_u128(b + m, len));
            assert_eq!(value(&d) % m, (a + m - b) % m);
        }
    }
}

/// R^-1 mod m by brute force over the small residues (m is odd).
fn inv_r(r: u128, m: u128) -> u128 {
    // Extended Euclid on (r mod m, m).
    let (mut a, mut b) = ((r % m) as i128, m as i128);
    let (mut x0, mut x1) = (1i128, 0i128);
    while b != 0 {
        let q = a / b;
        (a, b) = (b, a - q * b);
        (x0, x1) = (x1, x0 - q * x1);
    }
    assert_eq!(a, 1);
    x0.rem_euclid(m as i128) as u128
}

#[test]
fn exponent_edge_cases() {
    let m: u128 = 0xffff_ffff_ffff_ffc5; // the largest 64-bit prime
    let len = limbs_for_bits(64);
    let md = Modulus::new(&m.to_be_bytes(), len).unwrap();
    let a = 0x1234_5678_9abc_def0u128;
    let am = md.to_mont(&limbs_u128(a, len));
    // Exponent 0 and 1, all-ones, and bits beyond the limbs given.
    for (e, bits) in [
        (0u128, 1),
        (1, 1),
        (0x1f, 5),
        (u64::MAX as u128, 64),
        (1 << 63, 64),
    ] {
        let y = md.retrieve(&md.pow(&am, &limbs_u128(e, 3), bits));
        assert_eq!(value(&y), powmod(a, e, m));
    }
    // Fermat: a^(m-1) = 1.
    let y = md.retrieve(&md.pow(&am, &limbs_u128(m - 1, 3), 64));
    assert_eq!(value(&y), 1);
    // Zero base.
    let z = md.to_mont(&limbs_u128(0, len));
    assert_eq!(value(&md.retrieve(&md.pow(&z, &limbs_u128(5, 3), 64))), 0);
}

#[test]
fn plain_product_and_comparison() {
    let mut rng = Rng(99);
    for _ in 0..200 {
        let (a, b) = (u128::from(rng.next() >> 4), u128::from(rng.next() >> 8));
        let p = mul_plain(&limbs_u128(a, 3), &limbs_u128(b, 2));
        assert_eq!(p.len(), 5);
        assert_eq!(value(&p), a * b);
        assert_eq!(ct_lt(&limbs_u128(a, 3), &limbs_u128(b, 3)), a < b);
        assert!(!ct_lt(&limbs_u128(a, 3), &limbs_u128(a, 3)));
    }
}

/// RSA-size moduli (the primes of generated keys) against the `rsa`
/// crate's big integers (crypto-bigint's `pow_mod`).
#[test]
fn rsa_size_primes_match_the_rsa_crate() {
    use rsa::BoxedUint;
    use rsa::traits::PrivateKeyParts;
    let mut rng = Rng(2024);
    for bits in [1024usize, 1536, 2048] {
        let key = rsa::PrivateKey::new(&mut getrandom::SysRng, bits).unwrap();
        for prime in key.primes() {
            let p_be = prime.as_ref().to_be_bytes();
            let pbits = prime.as_ref().bit_width_vartime() as usize;
            let len = limbs_for_bits(pbits);
            let md = Modulus::new(&p_be, len).unwrap();
            for _ in 0..3 {
                let x = rng.bytes(pbits / 8 - 1);
                let e = rng.bytes(24);
                let xm = md.to_mont(&from_be(&x, len).unwrap());
                let ours = md.retrieve(&md.pow(&xm, &from_be(&e, 7).unwrap(), 192));
                let ours = to_be(&ours, p_be.len()).unwrap();
                let precision = prime.as_ref().bits_precision();
                let base = BoxedUint::from_be_slice(&x, precision).unwrap();
                let expo = BoxedUint::from_be_slice(&e, 192).unwrap();
                let want = base.pow_mod(&expo, prime);
                assert_eq!(ours.as_slice(), want.to_be_bytes().as_ref());
                // Products and squares of full-size values.
                let y = from_be(&rng.bytes(pbits / 8 - 1), len).unwrap();
                let ym = md.to_mont(&y);
                let prod = to_be(&md.retrieve(&md.mul(&xm, &ym)), p_be.len()).unwrap();
                let yb =
                    BoxedUint::from_be_slice(&to_be(&y, p_be.len()).unwrap(), precision).unwrap();
                let want = base.mul_mod(&yb, prime.as_nz_ref());
                assert_eq!(prod.as_slice(), want.to_be_bytes().as_ref());
            }
        }
    }
}

/// `pow2` and `pow_public_plain` agree with `pow` / `pow_public` at every
/// length.
#[test]
fn pow2_and_public_powers_agree_with_pow() {
    let mut rng = Rng(77);
    for len in (2..=40).chain([74, 110, MAX_LIMBS]) {
        let bits = len * BITS - 4;
        let mut m = rng.bytes(bits.div_ceil(8));
        m[0] &= 0xff >> (m.len() * 8 - bits);
        m[0] |= 1 << ((bits - 1) % 8);
        *m.last_mut().unwrap() |= 1;
        let md = Modulus::new(&m, len).unwrap();
        let exp = from_be(&rng.bytes(8), 3).unwrap();
        let two = md.to_mont(&from_be(&[2], len).unwrap());
        assert_eq!(
            *md.canonical(&md.pow2(&exp, 64)),
            *md.canonical(&md.pow(&two, &exp, 64)),
            "len {len}"
        );
        let x = from_be(&rng.bytes(bits.div_ceil(8) - 1), len).unwrap();
        for e in [3u64, 17, 65537, (1 << 32) + 1, 1, 2] {
            let want = md.retrieve(&md.pow_public(&md.to_mont(&x), e));
            assert_eq!(*md.pow_public_plain(&x, e), *want, "len {len} e {e}");
        }
    }
}

#[test]
fn pow_pair_matches_pow_per_modulus() {
    let mut rng = Rng(0x5eed_0001);
    // Odd moduli of equal limb count, the second one bit shorter (as
    // RSA primes may be), and exponents of unequal lengths.
    // Odd and even limb counts (37, 19, 3; 28, 4).
    for (bits_p, bits_q) in [
        (1024, 1024),
        (1024, 1023),
        (521, 500),
        (56, 50),
        (768, 768),
        (100, 97),
    ] {
        let len = limbs_for_bits(bits_p.max(bits_q));
        let modulus = |rng: &mut Rng, bits: usize| {
            let mut m = rng.bytes(bits.div_ceil(8));
            m[0] &= 0xff >> (8 * m.len() - bits);
            m[0] |= 0x80 >> (8 * m.len() - bits);
            *m.last_mut().unwrap() |= 1;
            Modulus::new(&m, len).unwrap()
        };
        let (p, q) = (modulus(&mut rng, bits_p), modulus(&mut rng, bits_q));
        let exp_bits = bits_p + 64;
        let ep = from_be(&rng.bytes(exp_bits / 8), len + 3).unwrap();
        let eq = from_be(&rng.bytes(exp_bits / 8 - 3), len + 3).unwrap();
        let bp = p.to_mont(&p.reduce(&from_be(&rng.bytes(bits_p / 8), 2 * len).unwrap()));
        let bq = q.to_mont(&q.reduce(&from_be(&rng.bytes(bits_q / 8), 2 * len).unwrap()));
        let (yp, yq) = pow_pair(&p, &q, [&bp, &bq], [&ep, &eq], exp_bits).unwrap();
        assert_eq!(p.retrieve(&yp), p.retrieve(&p.pow(&bp, &ep, exp_bits)));
        assert_eq!(q.retrieve(&yq), q.retrieve(&q.pow(&bq, &eq, exp_bits)));
    }
    // Moduli of different limb counts are refused.
    let p = Modulus::new(&[0xff; 128], limbs_for_bits(1024)).unwrap();
    let q = Modulus::new(&[0xff; 64], limbs_for_bits(512)).unwrap();
    assert!(pow_pair(&p, &q, [p.one(), q.one()], [&[1], &[1]], 8).is_none());
}
