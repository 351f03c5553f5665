//! CKM_ECDH1_DERIVE and CKM_ECDH1_COFACTOR_DERIVE (PKCS#11 3.1, Elliptic
//! Curve: "Elliptic curve Diffie-Hellman key derivation", "... with
//! cofactor key derivation"; CK_ECDH1_DERIVE_PARAMS in "EC mechanism
//! parameters") with the key derivation functions CK_EC_KDF_TYPE lists:
//! CKD_NULL, the ANSI X9.63 hash KDFs CKD_SHA*_KDF and the NIST SP 800-56C
//! single-step ones CKD_SHA*_KDF_SP800 (3.0).
//!
//! CKM_ECDH1_DERIVE also takes CKK_EC_MONTGOMERY base keys (X25519: 3.0
//! uses the same mechanism for Montgomery keys): the registry has one
//! entry per mechanism type, so the key type picks the arithmetic here.
use zeroize::Zeroizing;

use super::super::digest::{digest_len, hasher_for};
use super::super::montgomery;
use super::super::{CkMechanism, KeyLookup, Mechanism, Param, Registry, check_key, info};
use super::private_parts;
use crate::CK_ULONG;
use crate::constants::*;
use crate::object::Object;
use crate::rv::CkResult;

/// The most bytes a KDF here produces (a derived key, not a stream).
const MAX_KDF_OUTPUT: usize = 1 << 16;

/// How a CKD_* turns the shared secret into key bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kdf {
    Null,
    /// ANSI X9.63 (SEC 1 3.6.1): H(Z || counter || SharedInfo) blocks.
    X963(CK_ULONG),
    /// SP 800-56C rev. 2 option 1: H(counter || Z || OtherInfo) blocks.
    Sp800(CK_ULONG),
}

fn kdf_of(ckd: CK_ULONG) -> CkResult<Kdf> {
    Ok(match ckd {
        CKD_NULL => Kdf::Null,
        CKD_SHA1_KDF => Kdf::X963(CKM_SHA_1),
        CKD_SHA224_KDF => Kdf::X963(CKM_SHA224),
        CKD_SHA256_KDF => Kdf::X963(CKM_SHA256),
        CKD_SHA384_KDF => Kdf::X963(CKM_SHA384),
        CKD_SHA512_KDF => Kdf::X963(CKM_SHA512),
        CKD_SHA3_224_KDF => Kdf::X963(CKM_SHA3_224),
        CKD_SHA3_256_KDF => Kdf::X963(CKM_SHA3_256),
        CKD_SHA3_384_KDF => Kdf::X963(CKM_SHA3_384),
        CKD_SHA3_512_KDF => Kdf::X963(CKM_SHA3_512),
        CKD_SHA1_KDF_SP800 => Kdf::Sp800(CKM_SHA_1),
        CKD_SHA224_KDF_SP800 => Kdf::Sp800(CKM_SHA224),
        CKD_SHA256_KDF_SP800 => Kdf::Sp800(CKM_SHA256),
        CKD_SHA384_KDF_SP800 => Kdf::Sp800(CKM_SHA384),
        CKD_SHA512_KDF_SP800 => Kdf::Sp800(CKM_SHA512),
        CKD_SHA3_224_KDF_SP800 => Kdf::Sp800(CKM_SHA3_224),
        CKD_SHA3_256_KDF_SP800 => Kdf::Sp800(CKM_SHA3_256),
        CKD_SHA3_384_KDF_SP800 => Kdf::Sp800(CKM_SHA3_384),
        CKD_SHA3_512_KDF_SP800 => Kdf::Sp800(CKM_SHA3_512),
        _ => return Err(CKR_MECHANISM_PARAM_INVALID),
    })
}

/// The ANSI X9.63 KDF (SEC 1 3.6.1) with hash `hash` (CKM_SHA*): `len`
/// bytes of H(z || 1 || info) || H(z || 2 || info) || ..., the counter a
/// 32-bit big-endian integer. With `counter_first`, H(counter || z || info)
/// (SP 800-56C single-step KDF with a hash).
pub(crate) fn x963_kdf(
    hash: CK_ULONG,
    z: &[u8],
    info: &[u8],
    len: usize,
    counter_first: bool,
) -> CkResult<Zeroizing<Vec<u8>>> {
    let block = digest_len(hash).ok_or(CKR_MECHANISM_PARAM_INVALID)?;
    let blocks = len.div_ceil(block.max(1));
    let mut out = Zeroizing::new(Vec::with_capacity(blocks * block));
    for counter in 1..=u32::try_from(blocks).map_err(|_| CKR_KEY_SIZE_RANGE)? {
        let mut h = hasher_for(hash).map_err(|_| CKR_MECHANISM_PARAM_INVALID)?;
        if counter_first {
            h.update(&counter.to_be_bytes());
            h.update(z);
        } else {
            h.update(z);
            h.update(&counter.to_be_bytes());
        }
        h.update(info);
        out.extend_from_slice(&Zeroizing::new(h.finalize()));
    }
    out.truncate(len);
    Ok(out)
}

/// Applies the KDF of the parameters to the shared secret `z`.
fn apply_kdf(
    kdf: Kdf,
    shared_data: &[u8],
    z: Zeroizing<Vec<u8>>,
    len: Option<usize>,
) -> CkResult<Zeroizing<Vec<u8>>> {
    let (hash, counter_first) = match kdf {
        // "the shared data must be NULL" (CK_ECDH1_DERIVE_PARAMS); the engine cuts Z to
        // CKA_VALUE_LEN.
        Kdf::Null if shared_data.is_empty() => return Ok(z),
        Kdf::Null => return Err(CKR_MECHANISM_PARAM_INVALID),
        Kdf::X963(h) => (h, false),
        Kdf::Sp800(h) => (h, true),
    };
    // A KDF's output length is the new key's: the template must say it.
    let len = len.ok_or(CKR_TEMPLATE_INCOMPLETE)?;
    if len > MAX_KDF_OUTPUT {
        return Err(CKR_KEY_SIZE_RANGE);
    }
    x963_kdf(hash, &z, shared_data, len, counter_first)
}

pub(super) struct Ecdh;
pub(super) static ECDH: Ecdh = Ecdh;

impl Mechanism for Ecdh {
    /// The shared secret: the x-coordinate of d·Q (SEC 1 3.3.1; with the
    /// cofactor variant, h·d·Q, and h = 1 for every curve here), or the
    /// X25519 output, through the KDF. A peer point that is malformed or
    /// not on the base key's curve is a bad mechanism parameter:
    /// CKR_MECHANISM_PARAM_INVALID.
    fn derive(
        &self,
        m: &CkMechanism,
        base: &Object,
        len: Option<usize>,
        _keys: &dyn KeyLookup,
    ) -> CkResult<Zeroizing<Vec<u8>>> {
        let Param::Ecdh1 {
            kdf,
            shared_data,
            public_data,
        } = &m.param
        else {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        };
        let kdf = kdf_of(*kdf)?;
        if kdf == Kdf::Null && !shared_data.is_empty() {
            return Err(CKR_MECHANISM_PARAM_INVALID);
        }
        let montgomery_ok = m.kind == CKM_ECDH1_DERIVE;
        let z = match base.key_type() {
            Some(CKK_EC_MONTGOMERY) if montgomery_ok => {
                check_key(base, CKO_PRIVATE_KEY, &[CKK_EC_MONTGOMERY])?;
                crate::mech::proxy::x25519_shared(base, public_data)?
            }
            _ => {
                check_key(base, CKO_PRIVATE_KEY, &[CKK_EC])?;
                let (curve, d) = private_parts(base)?;
                let q = curve
                    .parse_point(public_data)
                    .ok_or(CKR_MECHANISM_PARAM_INVALID)?;
                curve.ops.ecdh(d, &q).ok_or(CKR_FUNCTION_FAILED)?
            }
        };
        apply_kdf(kdf, shared_data, z, len)
    }
}

/// ECDH1_DERIVE's sizes span X25519's 255 bits as well.
pub(super) fn register(r: &mut Registry, min: CK_ULONG, max: CK_ULONG, ec: CK_ULONG) {
    let x25519 = montgomery::MIN_BITS.min(min);
    r.add(CKM_ECDH1_DERIVE, info(x25519, max, CKF_DERIVE | ec), &ECDH);
    r.add(
        CKM_ECDH1_COFACTOR_DERIVE,
        info(min, max, CKF_DERIVE | ec),
        &ECDH,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// ANSI X9.63 KDF known answers from the NIST CAVS "ansx963_2001"
    /// vectors (SHA-256 without and with shared info, SHA-1), which
    /// OpenSSL 3's X963KDF reproduces.
    #[test]
    fn x963_known_answers() {
        let out = x963_kdf(
            CKM_SHA256,
            &hex("96c05619d56c328ab95fe84b18264b08725b85e33fd34f08"),
            &[],
            16,
            false,
        )
        .unwrap();
        assert_eq!(out.as_slice(), hex("443024c3dae66b95e6f5670601558f71"));
        let out = x963_kdf(
            CKM_SHA256,
            &hex("22518b10e70f2a3f243810ae3254139efbee04aa57c7af7d"),
            &hex("75eef81aa3041e33b80971203d2c0c52"),
            128,
            false,
        )
        .unwrap();
        assert_eq!(
            out.as_slice(),
            hex(concat!(
                "c498af77161cc59f2962b9a713e2b215152d139766ce34a776df11866a69bf2e",
                "52a13d9c7c6fc878c50c5ea0bc7b00e0da2447cfd874f6cf92f30d0097111485",
                "500c90c3af8b487872d04685d14c8d1dc8d7fa08beb0ce0ababc11f0bd496269",
                "142d43525a78e5bc79a17f59676a5706dc54d54d4d1f0bd7e386128ec26afc21"
            ))
        );
        let out = x963_kdf(
            CKM_SHA_1,
            &hex("1c7d7b5f0597b03d06a018466ed1a93e30ed4b04dc64ccdd"),
            &[],
            16,
            false,
        )
        .unwrap();
        assert_eq!(out.as_slice(), hex("bf71dffd8f4d99223936beb46fee8ccc"));
    }

    #[test]
    fn kdf_choices() {
        assert_eq!(kdf_of(CKD_NULL), Ok(Kdf::Null));
        assert_eq!(kdf_of(CKD_SHA384_KDF), Ok(Kdf::X963(CKM_SHA384)));
        assert_eq!(kdf_of(CKD_SHA256_KDF_SP800), Ok(Kdf::Sp800(CKM_SHA256)));
        for bad in [
            0,
            CKD_SHA1_KDF_ASN1,
            CKD_SHA1_KDF_CONCATENATE,
            CKD_CPDIVERSIFY_KDF,
            0x99,
        ] {
            assert_eq!(kdf_of(bad), Err(CKR_MECHANISM_PARAM_INVALID), "{bad:#x}");
        }
        let z = || Zeroizing::new(vec![1u8; 32]);
        assert_eq!(apply_kdf(Kdf::Null, &[], z(), Some(5)).unwrap().len(), 32);
        assert_eq!(
            apply_kdf(Kdf::Null, &[1], z(), None).err(),
            Some(CKR_MECHANISM_PARAM_INVALID)
        );
        assert_eq!(
            apply_kdf(Kdf::X963(CKM_SHA256), &[], z(), None).err(),
            Some(CKR_TEMPLATE_INCOMPLETE)
        );
        assert_eq!(
            apply_kdf(Kdf::X963(CKM_SHA256), &[], z(), Some(MAX_KDF_OUTPUT + 1)).err(),
            Some(CKR_KEY_SIZE_RANGE)
        );
        let a = apply_kdf(Kdf::X963(CKM_SHA256), b"info", z(), Some(40)).unwrap();
        let b = apply_kdf(Kdf::Sp800(CKM_SHA256), b"info", z(), Some(40)).unwrap();
        assert_eq!((a.len(), b.len()), (40, 40));
        assert_ne!(a, b);
        // Both as OpenSSL 3 computes them (`openssl kdf ... X963KDF` and
        // `SSKDF`, SHA-256, 32 bytes of 01, info "info", 40 bytes).
        assert_eq!(
            a.as_slice(),
            hex("db2cbec72e076ecc82d96803737d285524f59fda481e584a7128e76de606f1f4105b03cd006038bd")
        );
        assert_eq!(
            b.as_slice(),
            hex("59d8998ff7a87d58ca3e929894fe6da3048bb5d94bc7c869ff520c20b43554b2ed6621167d3bf45b")
        );
    }
}
