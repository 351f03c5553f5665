//! The hash functions RSA mechanisms name at run time (CKM_SHA_1 ...
//! CKM_SHA3_512 as hashAlg, CKG_MGF1_*), their DigestInfo prefixes, and
//! MGF1. SHA-512/224 and SHA-512/256 can be an OAEP or PSS hashAlg but
//! not an MGF1 hash: PKCS#11 defines no CKG_MGF1_* code for them.
use crate::mech::digest::sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512, Sha512_224, Sha512_256};
use sha3::{Sha3_224, Sha3_256, Sha3_384, Sha3_512};

use crate::CK_ULONG;
use crate::constants::*;
use crate::rv::CkResult;

/// A hash the RSA mechanisms support.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlg {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha512_224,
    Sha512_256,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
}

/// Every hash, with its hashAlg code, MGF1 code (if any), length and
/// the last arc of its NIST OID (2.16.840.1.101.3.4.2.x; 0 for SHA-1).
const TABLE: [(HashAlg, CK_ULONG, Option<CK_ULONG>, usize, u8); 11] = [
    (HashAlg::Sha1, CKM_SHA_1, Some(CKG_MGF1_SHA1), 20, 0),
    (HashAlg::Sha224, CKM_SHA224, Some(CKG_MGF1_SHA224), 28, 4),
    (HashAlg::Sha256, CKM_SHA256, Some(CKG_MGF1_SHA256), 32, 1),
    (HashAlg::Sha384, CKM_SHA384, Some(CKG_MGF1_SHA384), 48, 2),
    (HashAlg::Sha512, CKM_SHA512, Some(CKG_MGF1_SHA512), 64, 3),
    (HashAlg::Sha512_224, CKM_SHA512_224, None, 28, 5),
    (HashAlg::Sha512_256, CKM_SHA512_256, None, 32, 6),
    (
        HashAlg::Sha3_224,
        CKM_SHA3_224,
        Some(CKG_MGF1_SHA3_224),
        28,
        7,
    ),
    (
        HashAlg::Sha3_256,
        CKM_SHA3_256,
        Some(CKG_MGF1_SHA3_256),
        32,
        8,
    ),
    (
        HashAlg::Sha3_384,
        CKM_SHA3_384,
        Some(CKG_MGF1_SHA3_384),
        48,
        9,
    ),
    (
        HashAlg::Sha3_512,
        CKM_SHA3_512,
        Some(CKG_MGF1_SHA3_512),
        64,
        10,
    ),
];

/// DigestInfo up to the digest for a NIST hash: SEQUENCE { SEQUENCE { OID
/// 2.16.840.1.101.3.4.2.<leaf>, NULL }, OCTET STRING (len) }.
const fn nist_prefix(leaf: u8, len: u8) -> [u8; 19] {
    [
        0x30,
        0x11 + len,
        0x30,
        0x0d,
        0x06,
        0x09,
        0x60,
        0x86,
        0x48,
        0x01,
        0x65,
        0x03,
        0x04,
        0x02,
        leaf,
        0x05,
        0x00,
        0x04,
        len,
    ]
}

impl HashAlg {
    fn row(self) -> &'static (HashAlg, CK_ULONG, Option<CK_ULONG>, usize, u8) {
        // Every variant has its row.
        TABLE.iter().find(|r| r.0 == self).unwrap_or(&TABLE[0])
    }

    /// From a CK_MECHANISM_TYPE hashAlg (CK_RSA_PKCS_PSS_PARAMS,
    /// CK_RSA_PKCS_OAEP_PARAMS).
    pub fn from_ckm(ckm: CK_ULONG) -> CkResult<Self> {
        TABLE
            .iter()
            .find(|r| r.1 == ckm)
            .map(|r| r.0)
            .ok_or(CKR_MECHANISM_PARAM_INVALID)
    }

    /// From a CK_RSA_PKCS_MGF_TYPE (CKG_MGF1_*).
    pub fn from_mgf(mgf: CK_ULONG) -> CkResult<Self> {
        TABLE
            .iter()
            .find(|r| r.2 == Some(mgf))
            .map(|r| r.0)
            .ok_or(CKR_MECHANISM_PARAM_INVALID)
    }

    #[cfg(test)]
    pub fn ckm(self) -> CK_ULONG {
        self.row().1
    }

    pub fn len(self) -> usize {
        self.row().3
    }

    /// The DER of DigestInfo up to the digest octets (RFC 8017 section
    /// 9.2, note 1): EMSA-PKCS1-v1_5 signs prefix || H.
    pub fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            HashAlg::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
                0x14,
            ],
            HashAlg::Sha224 => &const { nist_prefix(4, 28) },
            HashAlg::Sha256 => &const { nist_prefix(1, 32) },
            HashAlg::Sha384 => &const { nist_prefix(2, 48) },
            HashAlg::Sha512 => &const { nist_prefix(3, 64) },
            HashAlg::Sha512_224 => &const { nist_prefix(5, 28) },
            HashAlg::Sha512_256 => &const { nist_prefix(6, 32) },
            HashAlg::Sha3_224 => &const { nist_prefix(7, 28) },
            HashAlg::Sha3_256 => &const { nist_prefix(8, 32) },
            HashAlg::Sha3_384 => &const { nist_prefix(9, 48) },
            HashAlg::Sha3_512 => &const { nist_prefix(10, 64) },
        }
    }

    pub fn hasher(self) -> Hasher {
        match self {
            HashAlg::Sha1 => Hasher::Sha1(Sha1::new()),
            HashAlg::Sha224 => Hasher::Sha224(Sha224::new()),
            HashAlg::Sha256 => Hasher::Sha256(Sha256::new()),
            HashAlg::Sha384 => Hasher::Sha384(Sha384::new()),
            HashAlg::Sha512 => Hasher::Sha512(Sha512::new()),
            HashAlg::Sha512_224 => Hasher::Sha512_224(Sha512_224::new()),
            HashAlg::Sha512_256 => Hasher::Sha512_256(Sha512_256::new()),
            HashAlg::Sha3_224 => Hasher::Sha3_224(Sha3_224::new()),
            HashAlg::Sha3_256 => Hasher::Sha3_256(Sha3_256::new()),
            HashAlg::Sha3_384 => Hasher::Sha3_384(Sha3_384::new()),
            HashAlg::Sha3_512 => Hasher::Sha3_512(Sha3_512::new()),
        }
    }

    /// The hash of the concatenation of `parts`.
    pub fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        let mut h = self.hasher();
        for p in parts {
            h.update(p);
        }
        h.finalize()
    }
}

/// An incremental hash of one of the supported algorithms.
#[derive(Clone)]
pub enum Hasher {
    Sha1(Sha1),
    Sha224(Sha224),
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
    Sha512_224(Sha512_224),
    Sha512_256(Sha512_256),
    Sha3_224(Sha3_224),
    Sha3_256(Sha3_256),
    Sha3_384(Sha3_384),
    Sha3_512(Sha3_512),
}

/// Runs `$e` with `$h` bound to the inner hasher, whatever its type.
macro_rules! each {
    ($self:expr, $h:ident => $e:expr) => {
        match $self {
            Hasher::Sha1($h) => $e,
            Hasher::Sha224($h) => $e,
            Hasher::Sha256($h) => $e,
            Hasher::Sha384($h) => $e,
            Hasher::Sha512($h) => $e,
            Hasher::Sha512_224($h) => $e,
            Hasher::Sha512_256($h) => $e,
            Hasher::Sha3_224($h) => $e,
            Hasher::Sha3_256($h) => $e,
            Hasher::Sha3_384($h) => $e,
            Hasher::Sha3_512($h) => $e,
        }
    };
}

impl Hasher {
    pub fn update(&mut self, data: &[u8]) {
        each!(self, h => h.update(data))
    }

    /// The digest; the hasher starts over afterwards.
    pub fn finalize(&mut self) -> Vec<u8> {
        each!(self, h => h.finalize_reset().to_vec())
    }
}

/// XORs MGF1(seed, out.len()) into `out` (RFC 8017 appendix B.2.1), so
/// no separate mask buffer holds secret-dependent bytes.
pub fn mgf1_xor(hash: HashAlg, seed: &[u8], out: &mut [u8]) {
    let mut h = hash.hasher();
    for (counter, chunk) in (0u32..).zip(out.chunks_mut(hash.len())) {
        h.update(seed);
        h.update(&counter.to_be_bytes());
        let block = h.finalize();
        for (o, m) in chunk.iter_mut().zip(block.iter()) {
            *o ^= m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_info_prefix_lengths_match_the_der() {
        for h in TABLE.map(|r| r.0) {
            let p = h.digest_info_prefix();
            // Outer SEQUENCE length covers the rest; the last byte is the hash length.
            assert_eq!(p[1] as usize, p.len() - 2 + h.len());
            assert_eq!(p[p.len() - 1] as usize, h.len());
            assert_eq!(h.digest(&[b"abc"]).len(), h.len());
            assert_eq!(HashAlg::from_ckm(h.ckm()), Ok(h));
        }
        // SHA3-256("abc") (FIPS 202 example values).
        assert_eq!(
            HashAlg::Sha3_256.digest(&[b"a", b"bc"])[..4],
            [0x3a, 0x98, 0x5d, 0xa7]
        );
        assert_eq!(
            HashAlg::Sha512_224.digest(&[b"abc"])[..4],
            [0x46, 0x34, 0x27, 0x0f]
        );
    }

    #[test]
    fn mgf1_known_answer() {
        // MGF1-SHA1("foo", 3) = 1ac907 (a widely reproduced example).
        let mut out = [0u8; 3];
        mgf1_xor(HashAlg::Sha1, b"foo", &mut out);
        assert_eq!(out, [0x1a, 0xc9, 0x07]);
        let mut out = [0u8; 5];
        mgf1_xor(HashAlg::Sha1, b"bar", &mut out);
        assert_eq!(out, [0xbc, 0x0c, 0x65, 0x5e, 0x01]);
    }

    #[test]
    fn unknown_parameters_are_rejected() {
        assert_eq!(
            HashAlg::from_ckm(CKM_SHA256 + 1),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(HashAlg::from_mgf(0), Err(CKR_MECHANISM_PARAM_INVALID));
        assert_eq!(HashAlg::from_mgf(10), Err(CKR_MECHANISM_PARAM_INVALID));
        assert_eq!(HashAlg::from_mgf(CKG_MGF1_SHA3_256), Ok(HashAlg::Sha3_256));
        assert_eq!(HashAlg::from_ckm(CKM_SHA512_224), Ok(HashAlg::Sha512_224));
        // No MGF1 code names SHA-512/t.
        assert!(
            TABLE
                .iter()
                .all(|r| r.2.is_some() || matches!(r.0, HashAlg::Sha512_224 | HashAlg::Sha512_256))
        );
    }
}
