//! Message digests (PKCS#11 3.1 mechanism sections "SHA-1", "SHA-224",
//! "SHA-256", "SHA-384", "SHA-512", "SHA-512/224", "SHA-512/256" and
//! "SHA-3"): no parameter, any input length. One table row per hash, which
//! the HMAC and key-derivation families share, as do the hash-then-sign
//! mechanisms and the OAEP/PSS parameters of other families.
use digest::{Digest, FixedOutputReset, OutputSizeUser, typenum::Unsigned};

use super::{CkMechanism, DigestOp, Mechanism, Registry, info};
use crate::CK_ULONG;
use crate::constants::*;
use crate::rv::CkResult;

/// One hash function the token implements.
pub struct Hash {
    /// Its digest mechanism (CKM_SHA256, CKM_SHA3_256, ...).
    pub mech: CK_ULONG,
    /// Output length in bytes.
    pub len: usize,
    new: fn() -> Box<dyn DigestOp>,
}

impl Hash {
    /// A fresh running hash.
    pub fn hasher(&self) -> Box<dyn DigestOp> {
        (self.new)()
    }
}

fn boxed<D: Digest + FixedOutputReset + Send + 'static>() -> Box<dyn DigestOp> {
    Box::new(Hasher(D::new()))
}

const fn row<D: Digest + FixedOutputReset + Send + 'static>(mech: CK_ULONG) -> Hash {
    Hash {
        mech,
        len: <D as OutputSizeUser>::OutputSize::USIZE,
        new: boxed::<D>,
    }
}

/// Every hash, in mechanism-number order of their families.
pub static HASHES: [Hash; 11] = [
    row::<sha1::Sha1>(CKM_SHA_1),
    row::<sha2::Sha224>(CKM_SHA224),
    row::<sha2::Sha256>(CKM_SHA256),
    row::<sha2::Sha384>(CKM_SHA384),
    row::<sha2::Sha512>(CKM_SHA512),
    row::<sha2::Sha512_224>(CKM_SHA512_224),
    row::<sha2::Sha512_256>(CKM_SHA512_256),
    sha3_row::<28>(CKM_SHA3_224),
    sha3_row::<32>(CKM_SHA3_256),
    sha3_row::<48>(CKM_SHA3_384),
    sha3_row::<64>(CKM_SHA3_512),
];

/// SHA-3 of LEN bytes: our unrolled Keccak (`keccak.rs`).
const fn sha3_row<const LEN: usize>(mech: CK_ULONG) -> Hash {
    fn new<const LEN: usize>() -> Box<dyn DigestOp> {
        Box::new(keccak::Sha3::<LEN>::new())
    }
    Hash {
        mech,
        len: LEN,
        new: new::<LEN>,
    }
}

mod keccak;
pub mod sha1;

/// The table row of a digest mechanism.
pub fn hash(mech: CK_ULONG) -> Option<&'static Hash> {
    HASHES.iter().find(|h| h.mech == mech)
}

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
    hash(mech)
        .map(Hash::hasher)
        .ok_or(CKR_MECHANISM_PARAM_INVALID)
}

/// The output length in bytes of a CKM_SHA* mechanism.
pub fn digest_len(mech: CK_ULONG) -> Option<usize> {
    hash(mech).map(|h| h.len)
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
    for h in &HASHES {
        r.add(h.mech, info(0, 0, CKF_DIGEST), &SHA);
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

    /// SHA-512/224 and SHA-512/256: FIPS 180-4 examples (NIST CSRC
    /// "SHA512_224.pdf", "SHA512_256.pdf") for "abc" and the two-block
    /// 896-bit message. SHA-3: FIPS 202 examples (NIST CSRC "SHA3-*_Msg0/
    /// Msg1600" and the "abc" / 448-bit / 896-bit values of the NIST
    /// example files).
    #[test]
    fn fips_180_4_truncated_and_fips_202_known_answers() {
        let two_block = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn\
                          hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
        let cases: [(CK_ULONG, &str, &str); 6] = [
            (
                CKM_SHA512_224,
                "4634270f707b6a54daae7530460842e20e37ed265ceee9a43e8924aa",
                "23fec5bb94d60b23308192640b0c453335d664734fe40e7268674af9",
            ),
            (
                CKM_SHA512_256,
                "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23",
                "3928e184fb8690f840da3988121d31be65cb9d3ef83ee6146feac861e19b563a",
            ),
            (
                CKM_SHA3_224,
                "e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf",
                "543e6868e1666c1a643630df77367ae5a62a85070a51c14cbf665cbc",
            ),
            (
                CKM_SHA3_256,
                "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
                "916f6061fe879741ca6469b43971dfdb28b1a32dc36cb3254e812be27aad1d18",
            ),
            (
                CKM_SHA3_384,
                "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b2\
                 98d88cea927ac7f539f1edf228376d25",
                "79407d3b5916b59c3e30b09822974791c313fb9ecc849e406f23592d04f625dc\
                 8c709b98b43b3852b337216179aa7fc7",
            ),
            (
                CKM_SHA3_512,
                "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e\
                 10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
                "afebb2ef542e6579c50cad06d2e578f9f8dd6881d7dc824d26360feebf18a4fa\
                 73e3261122948efcfd492e74e82e2189ed0fb440d187f382270cb455f21dd185",
            ),
        ];
        for (kind, abc, long) in cases {
            assert_eq!(digest(kind, &[b"abc"]), hex(abc), "{kind:#x}");
            assert_eq!(digest(kind, &[b"ab", b"c"]), hex(abc), "{kind:#x}");
            assert_eq!(digest(kind, &[two_block]), hex(long), "{kind:#x}");
            let (a, b) = two_block.split_at(57);
            assert_eq!(digest(kind, &[a, b]), hex(long), "{kind:#x}");
        }
        // FIPS 202 SHA3-256 of the empty message.
        assert_eq!(
            digest(CKM_SHA3_256, &[]),
            hex("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
        );
        // A message longer than one SHA3-224 rate block (144 bytes),
        // 200 bytes of 0xa3 ("Msg1600" in the NIST SHA-3 examples).
        assert_eq!(
            digest(CKM_SHA3_224, &[&[0xa3; 200]]),
            hex("9376816aba503f72f96ce7eb65ac095deee3be4bf9bbc2a1cb7e11e0")
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
        for h in &HASHES {
            assert_eq!(hasher_for(h.mech).unwrap().output_len(), h.len);
        }
    }

    #[test]
    fn registered() {
        let mut r = Registry::default();
        register(&mut r);
        let mut want: Vec<CK_ULONG> = HASHES.iter().map(|h| h.mech).collect();
        want.sort();
        assert_eq!(want.len(), 11);
        assert_eq!(r.list(), want);
        assert_eq!(r.info(CKM_SHA512).unwrap().flags, CKF_DIGEST);
    }
}
