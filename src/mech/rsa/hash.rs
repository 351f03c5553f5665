//! The hash functions RSA mechanisms name at run time (CKM_SHA_1 ...
//! CKM_SHA512 and CKG_MGF1_*), their DigestInfo prefixes, and MGF1.
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

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
}

impl HashAlg {
    /// From a CK_MECHANISM_TYPE hashAlg (CK_RSA_PKCS_PSS_PARAMS,
    /// CK_RSA_PKCS_OAEP_PARAMS).
    pub fn from_ckm(ckm: CK_ULONG) -> CkResult<Self> {
        match ckm {
            CKM_SHA_1 => Ok(HashAlg::Sha1),
            CKM_SHA224 => Ok(HashAlg::Sha224),
            CKM_SHA256 => Ok(HashAlg::Sha256),
            CKM_SHA384 => Ok(HashAlg::Sha384),
            CKM_SHA512 => Ok(HashAlg::Sha512),
            _ => Err(CKR_MECHANISM_PARAM_INVALID),
        }
    }

    /// From a CK_RSA_PKCS_MGF_TYPE (CKG_MGF1_*).
    pub fn from_mgf(mgf: CK_ULONG) -> CkResult<Self> {
        match mgf {
            CKG_MGF1_SHA1 => Ok(HashAlg::Sha1),
            CKG_MGF1_SHA224 => Ok(HashAlg::Sha224),
            CKG_MGF1_SHA256 => Ok(HashAlg::Sha256),
            CKG_MGF1_SHA384 => Ok(HashAlg::Sha384),
            CKG_MGF1_SHA512 => Ok(HashAlg::Sha512),
            _ => Err(CKR_MECHANISM_PARAM_INVALID),
        }
    }

    #[cfg(test)]
    pub fn ckm(self) -> CK_ULONG {
        match self {
            HashAlg::Sha1 => CKM_SHA_1,
            HashAlg::Sha224 => CKM_SHA224,
            HashAlg::Sha256 => CKM_SHA256,
            HashAlg::Sha384 => CKM_SHA384,
            HashAlg::Sha512 => CKM_SHA512,
        }
    }

    pub fn len(self) -> usize {
        match self {
            HashAlg::Sha1 => 20,
            HashAlg::Sha224 => 28,
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
        }
    }

    /// The DER of DigestInfo up to the digest octets (RFC 8017 section
    /// 9.2, note 1): EMSA-PKCS1-v1_5 signs prefix || H.
    pub fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            HashAlg::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
                0x14,
            ],
            HashAlg::Sha224 => &[
                0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x04, 0x05, 0x00, 0x04, 0x1c,
            ],
            HashAlg::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            HashAlg::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            HashAlg::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }

    pub fn hasher(self) -> Hasher {
        match self {
            HashAlg::Sha1 => Hasher::Sha1(Sha1::new()),
            HashAlg::Sha224 => Hasher::Sha224(Sha224::new()),
            HashAlg::Sha256 => Hasher::Sha256(Sha256::new()),
            HashAlg::Sha384 => Hasher::Sha384(Sha384::new()),
            HashAlg::Sha512 => Hasher::Sha512(Sha512::new()),
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
}

impl Hasher {
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha224(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    /// The digest; the hasher starts over afterwards.
    pub fn finalize(&mut self) -> Vec<u8> {
        match self {
            Hasher::Sha1(h) => h.finalize_reset().to_vec(),
            Hasher::Sha224(h) => h.finalize_reset().to_vec(),
            Hasher::Sha256(h) => h.finalize_reset().to_vec(),
            Hasher::Sha384(h) => h.finalize_reset().to_vec(),
            Hasher::Sha512(h) => h.finalize_reset().to_vec(),
        }
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
        for h in [
            HashAlg::Sha1,
            HashAlg::Sha224,
            HashAlg::Sha256,
            HashAlg::Sha384,
            HashAlg::Sha512,
        ] {
            let p = h.digest_info_prefix();
            // Outer SEQUENCE length covers the rest; the last byte is the hash length.
            assert_eq!(p[1] as usize, p.len() - 2 + h.len());
            assert_eq!(p[p.len() - 1] as usize, h.len());
            assert_eq!(h.digest(&[b"abc"]).len(), h.len());
            assert_eq!(HashAlg::from_ckm(h.ckm()), Ok(h));
        }
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
        assert_eq!(
            HashAlg::from_mgf(CKG_MGF1_SHA3_256),
            Err(CKR_MECHANISM_PARAM_INVALID)
        );
    }
}
