//! Message digests: CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384 and
//! CKM_SHA512 (PKCS#11 3.1 mechanism sections "SHA-1", "SHA-224",
//! "SHA-256", "SHA-384", "SHA-512": no parameter, any input length), and
//! the hash lookups other families share (hash-then-sign mechanisms,
//! OAEP/PSS parameters).
use digest::{Digest, FixedOutputReset};

use super::{CkMechanism, DigestOp, Mechanism, Registry, info};
use crate::CK_ULONG;
use crate::constants::*;
use crate::rv::CkResult;

/// The digest mechanisms this token implements.
const DIGESTS: [CK_ULONG; 5] = [CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384, CKM_SHA512];

/// A running hash of any RustCrypto digest.
struct Hasher<D>(D);

impl<D: Digest + FixedOutputReset + Send> DigestOp for Hasher<D> {
    fn update(&mut self, data: &[u8]) {
        Digest::update(&mut self.0, data);
    }
    fn finalize(&mut self) -> Vec<u8> {
        // Reset rather than consume: the op stays usable and its state is
        // overwritten.
        Digest::finalize_reset(&mut self.0).to_vec()
    }
    fn output_len(&self) -> usize {
        <D as Digest>::output_size()
    }
}

/// A fresh hasher for a CKM_SHA* mechanism. Other families call this with
/// a hash named in their parameters, so an unknown one is
/// CKR_MECHANISM_PARAM_INVALID.
pub fn hasher_for(mech: CK_ULONG) -> CkResult<Box<dyn DigestOp>> {
    Ok(match mech {
        CKM_SHA_1 => Box::new(Hasher(sha1::Sha1::new())),
        CKM_SHA224 => Box::new(Hasher(sha2::Sha224::new())),
        CKM_SHA256 => Box::new(Hasher(sha2::Sha256::new())),
        CKM_SHA384 => Box::new(Hasher(sha2::Sha384::new())),
        CKM_SHA512 => Box::new(Hasher(sha2::Sha512::new())),
        _ => return Err(CKR_MECHANISM_PARAM_INVALID),
    })
}

/// The output length in bytes of a CKM_SHA* mechanism.
pub fn digest_len(mech: CK_ULONG) -> Option<usize> {
    match mech {
        CKM_SHA_1 => Some(20),
        CKM_SHA224 => Some(28),
        CKM_SHA256 => Some(32),
        CKM_SHA384 => Some(48),
        CKM_SHA512 => Some(64),
        _ => None,
    }
}

/// The hash of a CKG_MGF1_* mask generation function (PKCS#11 3.1
/// "PKCS #1 RSA OAEP mechanism parameters", CK_RSA_PKCS_MGF_TYPE).
pub fn mgf_hash(mgf: CK_ULONG) -> Option<CK_ULONG> {
    match mgf {
        CKG_MGF1_SHA1 => Some(CKM_SHA_1),
        CKG_MGF1_SHA224 => Some(CKM_SHA224),
        CKG_MGF1_SHA256 => Some(CKM_SHA256),
        CKG_MGF1_SHA384 => Some(CKM_SHA384),
        CKG_MGF1_SHA512 => Some(CKM_SHA512),
        _ => None,
    }
}

struct Sha;
static SHA: Sha = Sha;

impl Mechanism for Sha {
    fn digest_init(&self, m: &CkMechanism) -> CkResult<Box<dyn DigestOp>> {
        m.no_param()?;
        hasher_for(m.kind).map_err(|_| CKR_MECHANISM_INVALID)
    }
}

pub fn register(r: &mut Registry) {
    for kind in DIGESTS {
        r.add(kind, info(0, 0, CKF_DIGEST), &SHA);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mech::Param;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn digest(kind: CK_ULONG, parts: &[&[u8]]) -> Vec<u8> {
        let mut op = SHA.digest_init(&CkMechanism::new(kind)).unwrap();
        for p in parts {
            op.update(p);
        }
        assert_eq!(op.output_len(), digest_len(kind).unwrap());
        op.finalize()
    }

    /// FIPS 180-4 examples (NIST CSRC "Examples with intermediate values"):
    /// the one-block message "abc" and the two-block 448/896-bit messages.
    #[test]
    fn fips_180_4_known_answers() {
        let cases: [(CK_ULONG, &str); 5] = [
            (CKM_SHA_1, "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (
                CKM_SHA224,
                "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
            ),
            (
                CKM_SHA256,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                CKM_SHA384,
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
                 8086072ba1e7cc2358baeca134c825a7",
            ),
            (
                CKM_SHA512,
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
                 2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            ),
        ];
        for (kind, want) in cases {
            assert_eq!(digest(kind, &[b"abc"]), hex(want), "{kind:#x}");
            // Multi-part gives the same answer.
            assert_eq!(digest(kind, &[b"a", b"", b"bc"]), hex(want), "{kind:#x}");
        }
        let two_block = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(
            digest(CKM_SHA_1, &[two_block]),
            hex("84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        );
        assert_eq!(
            digest(CKM_SHA256, &[two_block]),
            hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        );
    }

    #[test]
    fn empty_message() {
        assert_eq!(
            digest(CKM_SHA256, &[]),
            hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
    }

    #[test]
    fn finalize_resets() {
        let mut op = hasher_for(CKM_SHA256).unwrap();
        op.update(b"abc");
        let first = op.finalize();
        op.update(b"abc");
        assert_eq!(op.finalize(), first);
    }

    #[test]
    fn parameters_and_lookups() {
        let bad = CkMechanism::with(CKM_SHA256, Param::Bytes(vec![1]));
        assert_eq!(
            SHA.digest_init(&bad).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        let empty = CkMechanism::with(CKM_SHA256, Param::Bytes(vec![]));
        assert!(SHA.digest_init(&empty).is_ok());
        assert_eq!(
            SHA.digest_init(&CkMechanism::new(CKM_MD5)).err(),
            Some(CKR_MECHANISM_INVALID)
        );
        assert_eq!(hasher_for(CKM_MD5).err(), Some(CKR_MECHANISM_PARAM_INVALID));
        assert_eq!(digest_len(CKM_SHA384), Some(48));
        assert_eq!(digest_len(CKM_SHA256_HMAC), None);
        assert_eq!(mgf_hash(CKG_MGF1_SHA224), Some(CKM_SHA224));
        assert_eq!(mgf_hash(CKG_MGF1_SHA3_256), None);
        for kind in DIGESTS {
            assert_eq!(
                hasher_for(kind).unwrap().output_len(),
                digest_len(kind).unwrap()
            );
        }
    }

    #[test]
    fn registered() {
        let mut r = Registry::default();
        register(&mut r);
        let mut want = DIGESTS.to_vec();
        want.sort();
        assert_eq!(r.list(), want);
        assert_eq!(r.info(CKM_SHA512).unwrap().flags, CKF_DIGEST);
    }
}
