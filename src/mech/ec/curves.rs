//! The short Weierstrass curves the token implements, and their
//! arithmetic on byte strings.
//!
//! Curves live in one table; each row points at a `CurveOps`: for P-256,
//! P-384, P-521 and secp256k1 one made by `curve_ops!` from a RustCrypto
//! curve crate (P-256 with our fixed-base comb, `p256_fast`), for P-192,
//! P-224 and the brainpool curves the generic constant-time arithmetic
//! (`generic`) on a row of domain parameters (`params`).
use ecdsa::hazmat;
use p256::elliptic_curve;
use zeroize::Zeroizing;

use super::{der, params};
use crate::CK_ULONG;
use crate::constants::*;
use crate::rv::CkResult;

/// One curve's arithmetic on byte strings. Inputs of the wrong length or
/// out of range give `None` / `false`: callers choose the CKR.
pub(super) trait CurveOps: Sync {
    /// A SEC1 point (02/03 compressed or 04 uncompressed) on the curve and
    /// not the identity, re-encoded uncompressed.
    fn point(&self, sec1: &[u8]) -> Option<Vec<u8>>;
    /// Whether a scalar of the curve's length is in [1, n-1].
    fn scalar_ok(&self, d: &[u8]) -> bool;
    /// d·G, uncompressed.
    fn public_point(&self, d: &[u8]) -> Option<Vec<u8>>;
    /// A uniformly random scalar in [1, n-1].
    fn generate(&self) -> CkResult<Zeroizing<Vec<u8>>>;
    /// ECDSA of `z` (already bits2int-reduced to the order's bit length,
    /// `Curve::bits2int`) with an RFC 6979 nonce drawn from `nonce_h` (the
    /// message hash, at most the order's byte length) hedged with
    /// `entropy`; raw r||s. The nonce generator's HMAC uses the curve's
    /// own SHA-2 whatever hashed the message: with added entropy any
    /// strong hash serves, and one instance per curve keeps the wasm small.
    fn sign(&self, d: &[u8], z: &[u8], nonce_h: &[u8], entropy: &[u8]) -> Option<Vec<u8>>;
    /// Checks a raw r||s signature of `z` (bits2int-reduced) under the
    /// uncompressed point `q`. High S is accepted on every curve: PKCS#11
    /// does not ask for low-S, and ECDSA (X9.62, FIPS 186) has no such rule.
    fn verify(&self, q: &[u8], z: &[u8], sig: &[u8]) -> bool;
    /// The x-coordinate of d·Q (SEC 1 3.3.1 ECDH primitive).
    fn ecdh(&self, d: &[u8], q: &[u8]) -> Option<Zeroizing<Vec<u8>>>;
}

/// Implements `CurveOps` for a RustCrypto curve (p256::NistP256, ...).
macro_rules! curve_ops {
    ($name:ident, $curve:ty) => {
        struct $name;

        impl $name {
            fn secret(d: &[u8]) -> Option<elliptic_curve::SecretKey<$curve>> {
                let bytes = Zeroizing::new(elliptic_curve::FieldBytes::<$curve>::try_from(d).ok()?);
                elliptic_curve::SecretKey::<$curve>::from_bytes(&bytes).ok()
            }
            fn public(q: &[u8]) -> Option<elliptic_curve::PublicKey<$curve>> {
                elliptic_curve::PublicKey::<$curve>::from_sec1_bytes(q).ok()
            }
            fn encode(q: &elliptic_curve::PublicKey<$curve>) -> Vec<u8> {
                use elliptic_curve::sec1::ToSec1Point;
                q.to_sec1_point(false).as_bytes().to_vec()
            }
        }

        impl CurveOps for $name {
            fn point(&self, sec1: &[u8]) -> Option<Vec<u8>> {
                Self::public(sec1).map(|q| Self::encode(&q))
            }
            fn scalar_ok(&self, d: &[u8]) -> bool {
                Self::secret(d).is_some()
            }
            fn public_point(&self, d: &[u8]) -> Option<Vec<u8>> {
                Self::secret(d).map(|sk| Self::encode(&sk.public_key()))
            }
            fn generate(&self) -> CkResult<Zeroizing<Vec<u8>>> {
                use elliptic_curve::Generate;
                use elliptic_curve::common::getrandom::SysRng;
                let sk = elliptic_curve::SecretKey::<$curve>::try_generate_from_rng(&mut SysRng)
                    .map_err(|_| CKR_FUNCTION_FAILED)?;
                Ok(Zeroizing::new(Zeroizing::new(sk.to_bytes()).to_vec()))
            }
            fn sign(&self, d: &[u8], z: &[u8], nonce_h: &[u8], entropy: &[u8]) -> Option<Vec<u8>> {
                use elliptic_curve::Curve;
                use elliptic_curve::ff::PrimeField;
                type Own = <$curve as ecdsa::DigestAlgorithm>::Digest;
                let x = Zeroizing::new(Self::secret(d)?.to_nonzero_scalar());
                let key = Zeroizing::new(x.to_repr());
                let order = <$curve as Curve>::ORDER;
                let mut kgen = rfc6979::KGenerator::<Own, <$curve as Curve>::Uint>::new(
                    &key, nonce_h, entropy, &order,
                );
                // Each round fails with probability about 2^-bits.
                for _ in 0..64 {
                    let mut k = Zeroizing::new(elliptic_curve::FieldBytes::<$curve>::default());
                    kgen.fill_next_k(&mut k);
                    let Some(k) =
                        elliptic_curve::NonZeroScalar::<$curve>::from_repr(*k).into_option()
                    else {
                        continue;
                    };
                    let k = Zeroizing::new(k);
                    if let Ok((sig, _)) = hazmat::sign_prehashed::<$curve>(&x, &k, z) {
                        return Some(sig.to_bytes().to_vec());
                    }
                }
                None
            }
            fn verify(&self, q: &[u8], z: &[u8], sig: &[u8]) -> bool {
                let (Some(q), Ok(sig)) =
                    (Self::public(q), ecdsa::Signature::<$curve>::from_slice(sig))
                else {
                    return false;
                };
                // (r, s) and (r, n - s) are both valid or both invalid; the
                // library refuses high S on curves that normalise (secp256k1).
                let sig = sig.normalize_s();
                hazmat::verify_prehashed::<$curve>(&q.to_projective(), z, &sig).is_ok()
            }
            fn ecdh(&self, d: &[u8], q: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
                let shared = Self::secret(d)?.diffie_hellman(&Self::public(q)?);
                Some(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
            }
        }
    };
}

curve_ops!(P256Ops, p256::NistP256);

/// P-256 with our fixed-base multiplication (`p256_fast`) where the
/// secret scalar multiplies G (signing and public-key derivation) and our
/// verification (`p256_verify`); the p256 crate for the rest.
struct P256Fast;

impl CurveOps for P256Fast {
    fn point(&self, sec1: &[u8]) -> Option<Vec<u8>> {
        P256Ops.point(sec1)
    }
    fn scalar_ok(&self, d: &[u8]) -> bool {
        P256Ops.scalar_ok(d)
    }
    fn public_point(&self, d: &[u8]) -> Option<Vec<u8>> {
        super::p256_fast::public_point(d)
    }
    fn generate(&self) -> CkResult<Zeroizing<Vec<u8>>> {
        P256Ops.generate()
    }
    fn sign(&self, d: &[u8], z: &[u8], nonce_h: &[u8], entropy: &[u8]) -> Option<Vec<u8>> {
        super::p256_fast::sign(d, z, nonce_h, entropy)
    }
    fn verify(&self, q: &[u8], z: &[u8], sig: &[u8]) -> bool {
        super::p256_verify::verify(q, z, sig)
    }
    fn ecdh(&self, d: &[u8], q: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        P256Ops.ecdh(d, q)
    }
}

/// The generic P-256 path, for tests comparing the two.
#[cfg(test)]
pub(super) static P256_GENERIC: &dyn CurveOps = &P256Ops;
curve_ops!(P384Ops, p384::NistP384);
curve_ops!(P521Ops, p521::NistP521);
curve_ops!(K256Ops, k256::Secp256k1);

/// A supported curve.
pub struct Curve {
    pub name: &'static str,
    /// CKA_EC_PARAMS: DER of the curve's OID (the namedCurve choice).
    pub params: &'static [u8],
    /// Names accepted in the curveName (PrintableString) choice of 3.x.
    names: &'static [&'static str],
    /// The size PKCS#11 reports for the key: bits of the order n (also the
    /// qlen of bits2int).
    pub bits: CK_ULONG,
    /// Bytes of a field element, a scalar and each signature half.
    pub len: usize,
    pub(super) ops: &'static dyn CurveOps,
}

/// Every short Weierstrass curve the token implements.
/// The curves other than P-256 run in the extra module in the core wasm
/// build (feature `split-core`): their rows hold a `RemoteCurve` (the row's
/// index) instead of their arithmetic, which the linker then drops.
#[cfg(not(feature = "split-core"))]
macro_rules! moved {
    ($ops:expr, $index:expr) => {
        $ops
    };
}
#[cfg(feature = "split-core")]
macro_rules! moved {
    ($ops:expr, $index:expr) => {
        &super::remote::RemoteCurve($index)
    };
}

pub static CURVES: &[Curve] = &[
    Curve {
        name: "secp256r1 (P-256)",
        // 1.2.840.10045.3.1.7
        params: &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
        names: &["prime256v1", "secp256r1", "P-256"],
        bits: 256,
        len: 32,
        ops: &P256Fast,
    },
    Curve {
        name: "secp384r1 (P-384)",
        // 1.3.132.0.34
        params: &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
        names: &["secp384r1", "P-384"],
        bits: 384,
        len: 48,
        ops: moved!(&P384Ops, 1),
    },
    Curve {
        name: "secp521r1 (P-521)",
        // 1.3.132.0.35
        params: &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23],
        names: &["secp521r1", "P-521"],
        bits: 521,
        len: 66,
        ops: moved!(&P521Ops, 2),
    },
    Curve {
        name: "secp256k1",
        // 1.3.132.0.10
        params: &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a],
        names: &["secp256k1"],
        bits: 256,
        len: 32,
        ops: moved!(&K256Ops, 3),
    },
    Curve {
        name: "secp192r1 (P-192)",
        // 1.2.840.10045.3.1.1
        params: &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01],
        names: &["prime192v1", "secp192r1", "P-192"],
        bits: 192,
        len: 24,
        ops: moved!(&params::P192, 4),
    },
    Curve {
        name: "secp224r1 (P-224)",
        // 1.3.132.0.33
        params: &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21],
        names: &["secp224r1", "P-224"],
        bits: 224,
        len: 28,
        ops: moved!(&params::P224, 5),
    },
    Curve {
        name: "brainpoolP160r1",
        // 1.3.36.3.3.2.8.1.1.1
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x01,
        ],
        names: &["brainpoolP160r1"],
        bits: 160,
        len: 20,
        ops: moved!(&params::P160R1, 6),
    },
    Curve {
        name: "brainpoolP160t1",
        // 1.3.36.3.3.2.8.1.1.2
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x02,
        ],
        names: &["brainpoolP160t1"],
        bits: 160,
        len: 20,
        ops: moved!(&params::P160T1, 7),
    },
    Curve {
        name: "brainpoolP192r1",
        // 1.3.36.3.3.2.8.1.1.3
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x03,
        ],
        names: &["brainpoolP192r1"],
        bits: 192,
        len: 24,
        ops: moved!(&params::P192R1, 8),
    },
    Curve {
        name: "brainpoolP192t1",
        // 1.3.36.3.3.2.8.1.1.4
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x04,
        ],
        names: &["brainpoolP192t1"],
        bits: 192,
        len: 24,
        ops: moved!(&params::P192T1, 9),
    },
    Curve {
        name: "brainpoolP224r1",
        // 1.3.36.3.3.2.8.1.1.5
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x05,
        ],
        names: &["brainpoolP224r1"],
        bits: 224,
        len: 28,
        ops: moved!(&params::P224R1, 10),
    },
    Curve {
        name: "brainpoolP224t1",
        // 1.3.36.3.3.2.8.1.1.6
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x06,
        ],
        names: &["brainpoolP224t1"],
        bits: 224,
        len: 28,
        ops: moved!(&params::P224T1, 11),
    },
    Curve {
        name: "brainpoolP256r1",
        // 1.3.36.3.3.2.8.1.1.7
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07,
        ],
        names: &["brainpoolP256r1"],
        bits: 256,
        len: 32,
        ops: moved!(&params::P256R1, 12),
    },
    Curve {
        name: "brainpoolP256t1",
        // 1.3.36.3.3.2.8.1.1.8
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x08,
        ],
        names: &["brainpoolP256t1"],
        bits: 256,
        len: 32,
        ops: moved!(&params::P256T1, 13),
    },
    Curve {
        name: "brainpoolP320r1",
        // 1.3.36.3.3.2.8.1.1.9
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x09,
        ],
        names: &["brainpoolP320r1"],
        bits: 320,
        len: 40,
        ops: moved!(&params::P320R1, 14),
    },
    Curve {
        name: "brainpoolP320t1",
        // 1.3.36.3.3.2.8.1.1.10
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0a,
        ],
        names: &["brainpoolP320t1"],
        bits: 320,
        len: 40,
        ops: moved!(&params::P320T1, 15),
    },
    Curve {
        name: "brainpoolP384r1",
        // 1.3.36.3.3.2.8.1.1.11
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b,
        ],
        names: &["brainpoolP384r1"],
        bits: 384,
        len: 48,
        ops: moved!(&params::P384R1, 16),
    },
    Curve {
        name: "brainpoolP384t1",
        // 1.3.36.3.3.2.8.1.1.12
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0c,
        ],
        names: &["brainpoolP384t1"],
        bits: 384,
        len: 48,
        ops: moved!(&params::P384T1, 17),
    },
    Curve {
        name: "brainpoolP512r1",
        // 1.3.36.3.3.2.8.1.1.13
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0d,
        ],
        names: &["brainpoolP512r1"],
        bits: 512,
        len: 64,
        ops: moved!(&params::P512R1, 18),
    },
    Curve {
        name: "brainpoolP512t1",
        // 1.3.36.3.3.2.8.1.1.14
        params: &[
            0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0e,
        ],
        names: &["brainpoolP512t1"],
        bits: 512,
        len: 64,
        ops: moved!(&params::P512T1, 19),
    },
];

/// The curve named by a CKA_EC_PARAMS value: the DER of its OID, or (3.x)
/// of a PrintableString curve name. Well-formed parameters of a curve we
/// lack give CKR_CURVE_NOT_SUPPORTED; explicit ECParameters or
/// implicitlyCA give CKR_DOMAIN_PARAMS_INVALID (we do not advertise
/// CKF_EC_ECPARAMETERS); anything else is CKR_ATTRIBUTE_VALUE_INVALID.
pub fn curve_of(params: &[u8]) -> CkResult<&'static Curve> {
    if let Some(c) = CURVES.iter().find(|c| c.params == params) {
        return Ok(c);
    }
    match der::tlv(params) {
        Some((0x13, name)) if !name.is_empty() => CURVES
            .iter()
            .find(|c| c.names.iter().any(|n| n.as_bytes() == name))
            .ok_or(CKR_CURVE_NOT_SUPPORTED),
        Some((0x06, v)) if !v.is_empty() => Err(CKR_CURVE_NOT_SUPPORTED),
        Some((0x30, _)) | Some((0x05, [])) => Err(CKR_DOMAIN_PARAMS_INVALID),
        _ => Err(CKR_ATTRIBUTE_VALUE_INVALID),
    }
}

impl Curve {
    fn is_sec1_len(&self, b: &[u8]) -> bool {
        match b.first() {
            Some(4) => b.len() == 1 + 2 * self.len,
            Some(2 | 3) => b.len() == 1 + self.len,
            _ => false,
        }
    }

    /// A point given raw (SEC1, X9.62 A.5.2) or as a DER OCTET STRING
    /// around SEC1 (the CKA_EC_POINT form), checked to be on the curve;
    /// returned uncompressed. The two forms cannot be confused: a raw
    /// point's length never matches its own first bytes read as a DER
    /// header.
    pub fn parse_point(&self, b: &[u8]) -> Option<Vec<u8>> {
        let raw = if self.is_sec1_len(b) {
            b
        } else {
            match der::tlv(b)? {
                (0x04, inner) if self.is_sec1_len(inner) => inner,
                _ => return None,
            }
        };
        self.ops.point(raw)
    }

    /// A big-endian scalar of any length (leading zeros allowed or
    /// stripped) as exactly `len` bytes, if in [1, n-1].
    pub fn normalise_scalar(&self, b: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
        let digits = b.get(start..)?;
        if digits.len() > self.len {
            return None;
        }
        let mut out = Zeroizing::new(vec![0u8; self.len]);
        out.get_mut(self.len - digits.len()..)?
            .copy_from_slice(digits);
        self.ops.scalar_ok(&out).then_some(out)
    }

    /// FIPS 186-5 6.4.1 bits2int of a hash of any length, as a big-endian
    /// integer of at most `len` bytes: the leftmost `bits` bits. (The
    /// library would keep the rightmost ones of a P-521 input longer than
    /// 521 bits.) An empty input is the integer 0.
    pub fn bits2int(&self, h: &[u8]) -> Vec<u8> {
        let qlen = self.bits as usize;
        if h.len() * 8 <= qlen {
            return if h.is_empty() { vec![0] } else { h.to_vec() };
        }
        let kept = h.get(..self.len).unwrap_or(h);
        let shift = (self.len * 8 - qlen) as u32;
        if shift == 0 {
            return kept.to_vec();
        }
        let mut out = Vec::with_capacity(kept.len());
        let mut carry = 0u8;
        for &b in kept {
            out.push((b >> shift) | carry);
            carry = b << (8 - shift);
        }
        out
    }

    /// The part of the hash the nonce generator needs (RFC 6979 bits2int
    /// runs inside it): at most the order's length, never empty.
    pub fn nonce_input<'a>(&self, h: &'a [u8]) -> &'a [u8] {
        if h.is_empty() {
            return &[0];
        }
        h.get(..self.len).unwrap_or(h)
    }
}
