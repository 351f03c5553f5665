//! The generic short Weierstrass code (`field`, `weierstrass`, `generic`)
//! against references: the RustCrypto P-256 and secp256k1 crates on the
//! same inputs (the generic code run on their parameters), RFC 6979's
//! deterministic signatures on P-192 and P-224 (appendix A.2.3, A.2.4),
//! RFC 7027's brainpool ECDH values, and public points and ECDH secrets
//! OpenSSL 3 computed (through Node 20's crypto) on every curve of
//! `params`. Wycheproof files: tests/wycheproof_ec_more.rs; Node interop:
//! tests/js/interop_ec_curves.test.mjs.
use super::curves::{CURVES, CurveOps};
use super::field::unhex;
use super::generic::{GenericCurve, NonceHash};
use super::tests::hex;
use super::weierstrass::Params;
use super::*;

/// Every curve of `params`, by the name OpenSSL gives it.
fn generic_curves() -> Vec<(&'static str, &'static GenericCurve)> {
    use super::params::*;
    vec![
        ("prime192v1", &P192),
        ("secp224r1", &P224),
        ("brainpoolP160r1", &P160R1),
        ("brainpoolP160t1", &P160T1),
        ("brainpoolP192r1", &P192R1),
        ("brainpoolP192t1", &P192T1),
        ("brainpoolP224r1", &P224R1),
        ("brainpoolP224t1", &P224T1),
        ("brainpoolP256r1", &P256R1),
        ("brainpoolP256t1", &P256T1),
        ("brainpoolP320r1", &P320R1),
        ("brainpoolP320t1", &P320T1),
        ("brainpoolP384r1", &P384R1),
        ("brainpoolP384t1", &P384T1),
        ("brainpoolP512r1", &P512R1),
        ("brainpoolP512t1", &P512T1),
    ]
}

/// The CKA_EC_PARAMS curveName form of a name.
fn printable(name: &str) -> Vec<u8> {
    der::encode(0x13, name.as_bytes())
}

#[test]
fn every_row_builds_and_g_has_order_n() {
    assert_eq!(CURVES.len(), 20);
    for (name, c) in generic_curves() {
        let g = c.group().unwrap_or_else(|| panic!("{name}: bad row"));
        let curve = curve_of(&printable(name)).unwrap();
        assert_eq!(curve.len, g.fs.bytes(), "{name}");
        assert_eq!(curve.bits as usize, g.fs.bits(), "{name}");
        let n = g.fs.to_be(g.fs.modulus()).unwrap();
        assert!(
            g.to_affine(&g.mul(g.g_table(), &n)).is_none(),
            "{name}: n G = O"
        );
        // (n - 1) G = -G: the same x, y and -y summing to p.
        let mut n1 = n.to_vec();
        *n1.last_mut().unwrap() -= 1;
        let minus_g = g.to_affine(&g.mul(g.g_table(), &n1)).unwrap();
        let one = g.to_affine(&g.mul(g.g_table(), &{
            let mut v = vec![0u8; n.len()];
            *v.last_mut().unwrap() = 1;
            v
        }));
        let (gx, gy) = one.unwrap();
        assert_eq!(minus_g.0, gx, "{name}");
        let sum = g.fp.add(&g.fp.to_mont(&minus_g.1), &g.fp.to_mont(&gy));
        assert_eq!(g.fp.is_zero(&sum), u32::MAX, "{name}");
    }
}

static P256_PARAMS: &[&str] = &[
    "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
    "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
];
static K256_PARAMS: &[&str] = &[
    "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000007",
    "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8",
    "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
];

fn generic_of(p: &'static [&'static str]) -> GenericCurve {
    GenericCurve::new(
        Params {
            p: p[0],
            a: p[1],
            b: p[2],
            gx: p[3],
            gy: p[4],
            n: p[5],
        },
        NonceHash::Sha256,
    )
}

/// The generic code on P-256 (a = -3) and secp256k1 (a = 0) gives the
/// crates' public points, ECDH secrets and (same RFC 6979 nonces)
/// signatures, and each verifies the other's.
#[test]
fn generic_code_matches_the_p256_and_k256_crates() {
    let z = hex("af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf");
    for (params, oid) in [(P256_PARAMS, tests::P256), (K256_PARAMS, tests::K256)] {
        let generic = generic_of(params);
        let crate_ops = curve_of(oid).unwrap().ops;
        let mut d = [0u8; 32];
        for i in 0..8u8 {
            // Small, large and ordinary scalars.
            d = match i {
                0 => {
                    let mut v = [0u8; 32];
                    v[31] = 1;
                    v
                }
                1 => {
                    let mut n = unhex(params[5]).unwrap();
                    n[31] -= 1;
                    n.try_into().unwrap()
                }
                _ => std::array::from_fn(|j| d[j].wrapping_mul(31).wrapping_add(i ^ j as u8)),
            };
            let q = generic.public_point(&d).unwrap();
            assert_eq!(Some(q.clone()), crate_ops.public_point(&d), "{i}");
            let peer = crate_ops.public_point(&[7u8; 32]).unwrap();
            assert_eq!(
                generic.ecdh(&d, &peer).unwrap(),
                crate_ops.ecdh(&d, &peer).unwrap()
            );
            let ours = generic.sign(&d, &z, &z, &[]).unwrap();
            let theirs = crate_ops.sign(&d, &z, &z, &[]).unwrap();
            if oid == tests::P256 {
                assert_eq!(ours, theirs, "{i}");
            } else {
                // k256 answers the low-S form: the same r, s or n - s.
                assert_eq!(ours[..32], theirs[..32], "{i}");
                assert!(generic.verify(&q, &z, &theirs));
            }
            assert!(crate_ops.verify(&q, &z, &ours));
            assert!(generic.verify(&q, &z, &ours));
            let mut bad = ours.clone();
            bad[40] ^= 1;
            assert!(!generic.verify(&q, &z, &bad));
            assert!(!generic.verify(&q, &z[1..], &ours));
        }
    }
}

/// RFC 6979 A.2.3 and A.2.4: (hash, message, r, s).
struct Rfc6979 {
    curve: &'static str,
    d: &'static str,
    q: &'static str,
    cases: &'static [(CK_ULONG, &'static str, &'static str, &'static str)],
}

static RFC6979: &[Rfc6979] = &[
    Rfc6979 {
        curve: "P-192",
        d: "6fab034934e4c0fc9ae67f5b5659a9d7d1fefd187ee09fd4",
        q: concat!(
            "04ac2c77f529f91689fea0ea5efec7f210d8eea0b9e047ed56",
            "3bc723e57670bd4887ebc732c523063d0a7c957bc97c1c43"
        ),
        cases: &[
            (
                CKM_SHA_1,
                "sample",
                "98c6bd12b23eaf5e2a2045132086be3eb8ebd62abf6698ff",
                "57a22b07dea9530f8de9471b1dc6624472e8e2844bc25b64",
            ),
            (
                CKM_SHA224,
                "sample",
                "a1f00dad97aeec91c95585f36200c65f3c01812aa60378f5",
                "e07ec1304c7c6c9debbe980b9692668f81d4de7922a0f97a",
            ),
            (
                CKM_SHA256,
                "sample",
                "4b0b8ce98a92866a2820e20aa6b75b56382e0f9bfd5ecb55",
                "ccdb006926ea9565cbadc840829d8c384e06de1f1e381b85",
            ),
            (
                CKM_SHA384,
                "sample",
                "da63bf0b9abcf948fbb1e9167f136145f7a20426dcc287d5",
                "c3aa2c960972bd7a2003a57e1c4c77f0578f8ae95e31ec5e",
            ),
            (
                CKM_SHA512,
                "sample",
                "4d60c5ab1996bd848343b31c00850205e2ea6922dac2e4b8",
                "3f6e837448f027a1bf4b34e796e32a811cbb4050908d8f67",
            ),
            (
                CKM_SHA_1,
                "test",
                "0f2141a0ebbc44d2e1af90a50ebcfce5e197b3b7d4de036d",
                "eb18bc9e1f3d7387500cb99cf5f7c157070a8961e38700b7",
            ),
            (
                CKM_SHA224,
                "test",
                "6945a1c1d1b2206b8145548f633bb61cef04891baf26ed34",
                "b7fb7fdfc339c0b9bd61a9f5a8eaf9be58fc5cba2cb15293",
            ),
            (
                CKM_SHA256,
                "test",
                "3a718bd8b4926c3b52ee6bbe67ef79b18cb6eb62b1ad97ae",
                "5662e6848a4a19b1f1ae2f72acd4b8bbe50f1eac65d9124f",
            ),
            (
                CKM_SHA384,
                "test",
                "b234b60b4db75a733e19280a7a6034bd6b1ee88af5332367",
                "7994090b2d59bb782be57e74a44c9a1c700413f8abefe77a",
            ),
            (
                CKM_SHA512,
                "test",
                "fe4f4ae86a58b6507946715934fe2d8ff9d95b6b098fe739",
                "74cf5605c98fba0e1ef34d4b5a1577a7dcf59457cae52290",
            ),
        ],
    },
    Rfc6979 {
        curve: "P-224",
        d: "f220266e1105bfe3083e03ec7a3a654651f45e37167e88600bf257c1",
        q: concat!(
            "0400cf08da5ad719e42707fa431292dea11244d64fc51610d94b130d6c",
            "eeab6f3debe455e3dbf85416f7030cbd94f34f2d6f232c69f3c1385a"
        ),
        cases: &[
            (
                CKM_SHA_1,
                "sample",
                "22226f9d40a96e19c4a301ce5b74b115303c0f3a4fd30fc257fb57ac",
                "66d1cdd83e3af75605dd6e2fefF196d30aa7ed7a2edf7af475403d69",
            ),
            (
                CKM_SHA224,
                "sample",
                "1cdfe6662dde1e4a1ec4cdedf6a1f5a2fb7fbd9145c12113e6abfd3e",
                "a6694fd7718a21053f225d3f46197ca699d45006c06f871808f43ebc",
            ),
            (
                CKM_SHA256,
                "sample",
                "61aa3da010e8e8406c656bc477a7a7189895e7e840cdfe8ff42307ba",
                "bc814050dab5d23770879494f9e0a680dc1af7161991bde692b10101",
            ),
            (
                CKM_SHA384,
                "sample",
                "0b115e5e36f0f9ec81f1325a5952878d745e19d7bb3eabfaba77e953",
                "830f34ccdfe826ccfdc81eb4129772e20e122348a2bbd889a1b1af1d",
            ),
            (
                CKM_SHA512,
                "sample",
                "074bd1d979d5f32bf958ddc61e4fb4872adcafeb2256497cdac30397",
                "a4ceca196c3d5a1ff31027b33185dc8ee43f288b21ab342e5d8eb084",
            ),
            (
                CKM_SHA_1,
                "test",
                "deaa646ec2af2ea8ad53ed66b2e2ddaa49a12efd8356561451f3e21c",
                "95987796f6cf2062ab8135271de56ae55366c045f6d9593f53787bd2",
            ),
            (
                CKM_SHA224,
                "test",
                "c441ce8e261ded634e4cf84910e4c5d1d22c5cf3b732bb204dbef019",
                "902f42847a63bdc5f6046ada114953120f99442d76510150f372a3f4",
            ),
            (
                CKM_SHA256,
                "test",
                "ad04dde87b84747a243a631ea47a1ba6d1faa059149ad2440de6fba6",
                "178d49b1ae90e3d8b629be3db5683915f4e8c99fdf6e666cf37adcfd",
            ),
            (
                CKM_SHA384,
                "test",
                "389b92682e399b26518a95506b52c03bc9379a9dadf3391a21fb0ea4",
                "414a718ed3249ff6dbc5b50c27f71f01f070944da22ab1f78f559aab",
            ),
            (
                CKM_SHA512,
                "test",
                "049f050477c5add858cac56208394b5a55baebbe887fdf765047c17c",
                "077eb13e7005929cefa3cd0403c7cdcc077adf4e44f3c41b2f60ecff",
            ),
        ],
    },
];

/// RFC 6979's nonces use HMAC with the message hash; the token's
/// `sign` uses one hash per curve, so the RFC's values are checked
/// through `sign_with` with each hash.
#[test]
fn rfc_6979_p192_p224() {
    use crate::mech::digest::hasher_for;
    for v in RFC6979 {
        let curve = curve_of(&printable(v.curve)).unwrap();
        let ops = if v.curve == "P-192" {
            &super::params::P192
        } else {
            &super::params::P224
        };
        let d = hex(v.d);
        assert_eq!(ops.public_point(&d).unwrap(), hex(v.q), "{}", v.curve);
        for &(hash, msg, r, s) in v.cases {
            let mut hasher = hasher_for(hash).unwrap();
            hasher.update(msg.as_bytes());
            let h = hasher.finalize();
            let (z, nh) = (curve.bits2int(&h), curve.nonce_input(&h));
            let sig = match hash {
                CKM_SHA_1 => ops.sign_with::<crate::mech::digest::sha1::Sha1>(&d, &z, nh, &[]),
                CKM_SHA224 => ops.sign_with::<sha2::Sha224>(&d, &z, nh, &[]),
                CKM_SHA256 => ops.sign_with::<sha2::Sha256>(&d, &z, nh, &[]),
                CKM_SHA384 => ops.sign_with::<sha2::Sha384>(&d, &z, nh, &[]),
                _ => ops.sign_with::<sha2::Sha512>(&d, &z, nh, &[]),
            }
            .unwrap();
            let want = [hex(&r.to_lowercase()), hex(&s.to_lowercase())].concat();
            assert_eq!(sig, want, "{} {hash:#x} {msg}", v.curve);
            assert!(ops.verify(&hex(v.q), &z, &sig));
        }
    }
}

/// RFC 7027 appendix A (the same values as RFC 8734's): key pairs and the
/// shared point on brainpoolP256r1, P384r1 and P512r1.
#[test]
fn rfc_7027_brainpool_ecdh() {
    let cases: [[&str; 8]; 3] = [
        [
            "brainpoolP256r1",
            "81db1ee100150ff2ea338d708271be38300cb54241d79950f77b063039804f1d",
            "44106e913f92bc02a1705d9953a8414db95e1aaa49e81d9e85f929a8e3100be58ab4846f11caccb73ce49cbdd120f5a900a69fd32c272223f789ef10eb089bdc",
            "55e40bc41e37e3e2ad25c3c6654511ffa8474a91a0032087593852d3e7d76bd3",
            "8d2d688c6cf93e1160ad04cc4429117dc2c41825e1e9fca0addd34e6f1b39f7b990c57520812be512641e47034832106bc7d3e8dd0e4c7f1136d7006547cec6a",
            "89afc39d41d3b327814b80940b042590f96556ec91e6ae7939bce31f3a18bf2b",
            "",
            "",
        ],
        [
            "brainpoolP384r1",
            "1e20f5e048a5886f1f157c74e91bde2b98c8b52d58e5003d57053fc4b0bd65d6f15eb5d1ee1610df870795143627d042",
            "68b665dd91c195800650cdd363c625f4e742e8134667b767b1b476793588f885ab698c852d4a6e77a252d6380fcaf06855bc91a39c9ec01dee36017b7d673a931236d2f1f5c83942d049e3fa20607493e0d038ff2fd30c2ab67d15c85f7faa59",
            "032640bc6003c59260f7250c3db58ce647f98e1260acce4acda3dd869f74e01f8ba5e0324309db6a9831497abac96670",
            "4d44326f269a597a5b58bba565da5556ed7fd9a8a9eb76c25f46db69d19dc8ce6ad18e404b15738b2086df37e71d1eb462d692136de56cbe93bf5fa3188ef58bc8a3a0ec6c1e151a21038a42e9185329b5b275903d192f8d4e1f32fe9cc78c48",
            "0bd9d3a7ea0b3d519d09d8e48d0785fb744a6b355e6304bc51c229fbbce239bbadf6403715c35d4fb2a5444f575d4f42",
            "",
            "",
        ],
        [
            "brainpoolP512r1",
            "16302ff0dbbb5a8d733dab7141c1b45acbc8715939677f6a56850a38bd87bd59b09e80279609ff333eb9d4c061231fb26f92eeb04982a5f1d1764cad57665422",
            "0a420517e406aac0acdce90fcd71487718d3b953efd7fbec5f7f27e28c6149999397e91e029e06457db2d3e640668b392c2a7e737a7f0bf04436d11640fd09fd72e6882e8db28aad36237cd25d580db23783961c8dc52dfa2ec138ad472a0fcef3887cf62b623b2a87de5c588301ea3e5fc269b373b60724f5e82a6ad147fde7",
            "230e18e1bcc88a362fa54e4ea3902009292f7f8033624fd471b5d8ace49d12cfabbc19963dab8e2f1eba00bffb29e4d72d13f2224562f405cb80503666b25429",
            "9d45f66de5d67e2e6db6e93a59ce0bb48106097ff78a081de781cdb31fce8ccbaaea8dd4320c4119f1e9cd437a2eab3731fa9668ab268d871deda55a5473199f2fdc313095bcdd5fb3a91636f07a959c8e86b5636a1e930e8396049cb481961d365cc11453a06c719835475b12cb52fc3c383bce35e27ef194512b71876285fa",
            "a7927098655f1f9976fa50a9d566865dc530331846381c87256baf3226244b76d36403c024d7bbf0aa0803eaff405d3d24f11a9b5c0bef679fe1454b21c4cd1f",
            "",
            "",
        ],
    ];
    for [name, da, qa, db, qb, z, ..] in cases {
        let ops = curve_of(&printable(name)).unwrap().ops;
        let (qa, qb) = ([vec![4], hex(qa)].concat(), [vec![4], hex(qb)].concat());
        assert_eq!(ops.public_point(&hex(da)).unwrap(), qa, "{name}");
        assert_eq!(ops.public_point(&hex(db)).unwrap(), qb, "{name}");
        assert_eq!(
            ops.ecdh(&hex(da), &qb).unwrap().as_slice(),
            hex(z),
            "{name}"
        );
        assert_eq!(
            ops.ecdh(&hex(db), &qa).unwrap().as_slice(),
            hex(z),
            "{name}"
        );
    }
}

/// A public point and an ECDH secret as OpenSSL 3 computes them (Node
/// 20's `crypto.createECDH(curve)`), for dA = 01 02 03 ... and dB = 5a 5d
/// 60 ... (the curve's length).
struct Kat {
    curve: &'static str,
    qa: &'static str,
    qb: &'static str,
    z: &'static str,
}

static OPENSSL: &[Kat] = &[
    Kat {
        curve: "prime192v1",
        qa: "049c35bcc7634b6d6c76b11a898e83eac59b888b1a1371fed0c18c001d66446d9c204b40f452d6a7bc394665bf089734c7",
        qb: "044b6afc75e82346cc49c5df0a94d5f1d31c8e22c7c7584251bb42074b5a56735635d8092b9f980693e18ccb569e5db64a",
        z: "48eef75f4b0d5c6dfc6dbdc1c096fb6e74f1cb7fc5a01c15",
    },
    Kat {
        curve: "secp224r1",
        qa: "04627b7c0b3a2fb7a478ac5670e9973194a5fda0bc0791b07506a73ddd99113b3fdea71bbff9921330d9ce980155eebd620c46be927c214543",
        qb: "049363b4e743d09dfd8d20f3b0d6f4ecff5ba10148a77e1d26f5a324f8c807940dae1a96cd082dc9946816eeead30533c676ff854d12e3157a",
        z: "a5afbbb610ed449aa65fe86182a6f86443aa7d28f711b412d26703a1",
    },
    Kat {
        curve: "brainpoolP160r1",
        qa: "04cc389503519a09b4c09924564027fc64c51b15d4b0e448e9ae7e0b4828e0dce37d383b37917eb63a",
        qb: "044b23e6e008014a00d0a51a4f4117974af01a1fd5c5ad97d2a7d0f5f963106d4c2b34ae26529448e8",
        z: "62c6c8c91ef9bd3ad7189f5b6a738625d9f99970",
    },
    Kat {
        curve: "brainpoolP160t1",
        qa: "0408eb21c28fdb1bb2bc4e7a78096f2c192b9d2854adfaf184c5bc7ff89f4cbb5be6786b377141af62",
        qb: "0470c656bcbb464b2bc4fee45ed38e45da6b1ab0e15ebdfb5a6777150822a0ba1711270c874b8b17fb",
        z: "20cc51009a26efb8678143ee851f9a82d384d659",
    },
    Kat {
        curve: "brainpoolP192r1",
        qa: "0471cbabf359727b74662972f7276521a9639638614e4bdb756f3e79ae656385c3d8a52fe947ddd46f4858386e6657a245",
        qb: "04945d8c19fe2741236412c4f6338078412941c930061b952b782b74ff4ab8785ded1fca4622d9da82b4d05d51f2b40b9e",
        z: "8610a0df52d78a41163fdc8aa197db7492b0b1e60177485b",
    },
    Kat {
        curve: "brainpoolP192t1",
        qa: "040a8aa4452552082c817a4a5e5cc13c3004fe16b6a2521d3cb758ecdfd2ef0246600505c5a142febfbdd8d788cfc227b0",
        qb: "0488814cf5a36bd7d184863b16bd89d6882fe197829df5ef0b6bedda63d6aedc8d52fa7f95d3806aa17998c070f562f757",
        z: "1627cdd053fcc28fd49610d1e7b06b7768232b834493bb99",
    },
    Kat {
        curve: "brainpoolP224r1",
        qa: "04bf58b7c63f0dfc2d99e1b26cb59ba682b38729547a017c2b5751adbd73640e2dfade74a2b24d820e7d663109d6923ac3c531fea319469031",
        qb: "0491505638caf2c9a528b85bf47d2247fc8805ba4ade6a1b2dae51876d061fd03b66decd86bd5abc64a36f6148e5874db4cff956a5ec5ea055",
        z: "663c9f186b7602a2f8bda1cfda587fba134475eaacbd925aed309f98",
    },
    Kat {
        curve: "brainpoolP224t1",
        qa: "0495c869cead0fe0a6b42a5f1751a090a5c4ec9b550ce9f1826ae44ffab993957f0de919429689ee7e080c74b65f31387cf0281408e2521f94",
        qb: "04a458e5f9e14f965ece5148e4e7543c75e077d075fee66152ac25b1fdbd1503e84c3109b3a36800045d211713bd85c9500482e73cce1ab0da",
        z: "8955d6168b9c6eb7c0bd13d4fddd3543fd87316b134dc2b7d72a9cae",
    },
    Kat {
        curve: "brainpoolP256r1",
        qa: "044e366cf3c8a982e423831d6715e722acf03cab8452e3c64d1e3b038caf87fc48387a044328d34ce4eb16c6c885b8b82be2584c18b28fc38143cbbf2b9b3520f9",
        qb: "047b4a4a79d4768444ce2dcd036586ae66962d5a3c9115ddce7f0993651346cdb028013c988665f8228509e0f5b8a583763934b822d89d539508c22c9822ca630e",
        z: "22f1aadb74c0da82be17a41ede1eac1986e01f9b171a81b546d99b363603fb0e",
    },
    Kat {
        curve: "brainpoolP256t1",
        qa: "045015cb98df400b4eff249b3e389436253b555c2622e5288331981bc309f5768f0adcd8ae5f6dd80434c867dc72a7c891d74b6f1cdda72bedbd124b616afdbb65",
        qb: "04395cf9d214295fc9ee1d227e5caefc3a068425f5b81f88a96b1c1d628957e53249419cdcc737ab3e3e88d96d32fbb3e1b35e0e7f892145070cb08bad57430f34",
        z: "6f47bfd2eda53f3dc09f03a9d416c2c7887f1ad53d3c42aec513d15421f138a4",
    },
    Kat {
        curve: "brainpoolP320r1",
        qa: "0476ae3ad8e5f493791115df5918de27c402c17f2b50b3464c35099a1015df3daf212ffa0fdb2042d6d00e407efba738dda30990c70d165fe52d0b8695e61c9c088faf38fe0139e5103dbb7ef17a0f1d0b",
        qb: "04d0e7e4e97beb3cd22dc6f4c00e29a4843bd90ae346df9419d9a8b3b53416ff78c14d9c34e8162b388ec78c28f7967f8c3506ba211139e2fda6291fb92e5de79154e6d3d051044206e5cf411dee2a3cc1",
        z: "526afcaaf09b83993849f1430b3ddcd6ecd4dc49d97a28a74841f6ef7e49fe1472384f4828951735",
    },
    Kat {
        curve: "brainpoolP320t1",
        qa: "0457da4c47f38f0b119be86b47223ebcb119e362936aadf626ba87ba78ab5b07070d40ef157a4da7652ededac393ff8340108d4e1e266b422a2cceaac750216448ba2c4a6e25d200aa7e037c458941a084",
        qb: "0454d01fec22eb8d53a8172b2a5656ac9a58bca66fe5b456b7e942a190b4725eff51133869c545133f91c10f9d3c7247c9e9a1dcac4a6d1b7b700c572bf85b8bfb7b1ceb48b1c0ab487230f761eedc7bd2",
        z: "5b0c6d7d932b656477d5c74d4edb93770a3b2bdf7b6ec417df54cb603789003bb71bc16492a9504c",
    },
    Kat {
        curve: "brainpoolP384r1",
        qa: "0478083585d7bc642b9899c0547604dac754db56d69ba822c40d79ba4a33e61d6486869b012305179fd4b2cac97e66cffa103cc292b2d65dd9f241d6c89e9ef7793c7abc119c126a799cb664520bafdbe30b57adfd31ca35c5e6a3fdb31f99b096",
        qb: "0462ad1a907c88180eb5b641609a408537504ff01be75ca1e6f7e8876360924e85e43adb4afcd40275a91a0db77bfbcf594bf6832513c68ee20eebbf93806e897a5eca5140d117ac29f2c022e8c16565809d1d87193fe954cafefeffff1ce0d056",
        z: "33cbe6427c23804d6d485079f2c0fb983ad8a3c8bdbe41c84e1516fa57dd2747cdceef8875c6386877e23e285bfb8dde",
    },
    Kat {
        curve: "brainpoolP384t1",
        qa: "045e119196f964eb0d46c23cca3a6a02175891e83a95a86970be07189faec12b454ff60823d8ebc881084db556b5f85a5c3dfb6cd2827dee8d5abee496ed6888c367536f445ec3529dbc3d98e6c164735114c5352d29b380f8ea3c4e0c50ee4b7f",
        qb: "047452e472d268a1f9ee49a37f42c4e688b1240418aac27d32e352b1aac975a0a952f623cfea86242d9c28149c80e4c7f71d8b6e07a49d12c173e8c87489af8575bd39efe08cb7c981461c64054358fccbc1599b3126e275da8b90a6987a9e01ff",
        z: "64a260e5b6c8be232e654a352ac273afb378c971023c961388c08526a3f117691e512dc198f67f79c5fac1850f9909bb",
    },
    Kat {
        curve: "brainpoolP512r1",
        qa: "041e1195c011872592277227075a078e9f8d562c5e3facf5c4c0f07f884c8552cfe99dba89fcc30bcfb82645176c34e5a1604db7de6e4c8daed9aaefe137e2a7e9173e661791f1edd270cd914e30db932ffff253c17b863bcef75f88305463123c9d75ba85c13284b8fd87f5aff78fb6c4b313cd36e3eeadb69905508521a87b30",
        qb: "04503303592501bc89c4953d9a342a7d443a4950baa627ff408cf06c57070ddcbcdca5e00f0c93d4522d67972fd02b1c1515cae169ddc827589a2260e38a99f3d7a7712ab9c8d25184ca44dbc4f7046d2eb08a0a564842857dec11c74acd7ee076510c6e00e041d2563d1c13f2757ddc379e19a1cbb56b9ef95c7a0847d85a23f6",
        z: "0442048d55d2ce4fffc8f0b3e26d567a9709bd119bcf5627bdaacd3d589a7adb43888424728f925f186743d9b3dde974120d83351aaf2637590335723df21dec",
    },
    Kat {
        curve: "brainpoolP512t1",
        qa: "0417dd1189aa8f45da6a2715edb11990dbd946d652c2ba8115052504a191c09cb26ccd46c366dd0d8f3f3d1782132838a81008cde64828fee3447c7f5a60e6522451260676db0fd0b1cdf8270fc3524ece37ad92b7ec47bf4d69c91633fe622452a2f612d9a17564d419da9d30ce33f6fca6c9922ca4f07169a4eddbf3acd59e2f",
        qb: "049469d952c02425d55bf683cf5a71d79ccf07741bc92be6e1cf3afbde15963d0608265807378e34d3dd2ac21b21d64b1dcbed4de702f70cd1c08f999fe5e394994e2c59188f27baf44cbbe6e12758955f7b0c31c2ed8cf2add2d28b81208a8187f617c51101f818f2485ad6282be8991e63b8657398cf93ca9c809d835f266f9f",
        z: "9f34feb3e2d8018069d7eacb747b4343b1e36755f5fd93bea73df01da554bbd06058141ad1e8ccc0e8ab41f999005de22a78b37270257c833396cea9e68a57d7",
    },
];

#[test]
fn openssl_points_and_secrets_on_every_curve() {
    assert_eq!(OPENSSL.len(), generic_curves().len());
    for k in OPENSSL {
        let curve = curve_of(&printable(k.curve)).unwrap();
        let len = curve.len;
        let da: Vec<u8> = (0..len).map(|i| (i + 1) as u8).collect();
        let db: Vec<u8> = (0..len).map(|i| (0x5a + 3 * i) as u8).collect();
        let (qa, qb) = (hex(k.qa), hex(k.qb));
        assert_eq!(curve.ops.public_point(&da).unwrap(), qa, "{}", k.curve);
        assert_eq!(curve.ops.public_point(&db).unwrap(), qb, "{}", k.curve);
        assert_eq!(
            curve.ops.ecdh(&da, &qb).unwrap().as_slice(),
            hex(k.z),
            "{}",
            k.curve
        );
        assert_eq!(
            curve.ops.ecdh(&db, &qa).unwrap().as_slice(),
            hex(k.z),
            "{}",
            k.curve
        );
        // Compressed forms name the same points (P-224's square roots
        // take the Tonelli-Shanks loop: p = 1 mod 2^96).
        for q in [&qa, &qb] {
            let mut c = vec![2 | (q[2 * len] & 1)];
            c.extend_from_slice(&q[1..=len]);
            assert_eq!(curve.parse_point(&c).as_ref(), Some(q), "{}", k.curve);
            c[0] ^= 1;
            assert_ne!(curve.parse_point(&c).as_ref(), Some(q), "{}", k.curve);
        }
        // Off the curve; a coordinate of p or more; the wrong length.
        let mut off = qa.clone();
        off[len] ^= 1;
        assert!(curve.parse_point(&off).is_none(), "{}", k.curve);
        let g = generic_curves()
            .into_iter()
            .find(|(n, _)| *n == k.curve)
            .unwrap()
            .1;
        let p = g
            .group()
            .unwrap()
            .fp
            .to_be(g.group().unwrap().fp.modulus())
            .unwrap();
        let mut big = qa.clone();
        big[1..=len].copy_from_slice(&p);
        assert!(curve.parse_point(&big).is_none(), "{}", k.curve);
        assert!(
            curve.parse_point(&qa[..qa.len() - 1]).is_none(),
            "{}",
            k.curve
        );
        // Signatures verify, and not under another key.
        let z = vec![0x5c; len];
        let sig = curve.ops.sign(&da, &z, &z, b"entropy").unwrap();
        assert!(curve.ops.verify(&qa, &z, &sig), "{}", k.curve);
        assert!(!curve.ops.verify(&qb, &z, &sig), "{}", k.curve);
        // Scalars: 0 and n are refused, n - 1 accepted.
        assert!(!curve.ops.scalar_ok(&vec![0; len]));
        let mut n = g
            .group()
            .unwrap()
            .fs
            .to_be(g.group().unwrap().fs.modulus())
            .unwrap()
            .to_vec();
        assert!(!curve.ops.scalar_ok(&n));
        *n.last_mut().unwrap() -= 1;
        assert!(curve.ops.scalar_ok(&n));
        let d = curve.ops.generate().unwrap();
        assert!(curve.ops.scalar_ok(&d));
    }
}

/// Timings per curve (`cargo test --release -- --ignored timings
/// --nocapture`); figures only, no assertion.
#[test]
#[ignore]
fn timings() {
    use std::time::Instant;
    let z = vec![0x5c; 66];
    for c in CURVES {
        let d = c.ops.generate().unwrap();
        let q = c.ops.public_point(&d).unwrap();
        let zz = c.bits2int(&z);
        let sig = c.ops.sign(&d, &zz, &z[..c.len], b"e").unwrap();
        let time = |f: &dyn Fn()| {
            let t = Instant::now();
            for _ in 0..20 {
                f();
            }
            t.elapsed().as_micros() / 20
        };
        println!(
            "{:20} keygen {:6} us  sign {:6} us  verify {:6} us  ecdh {:6} us",
            c.name,
            time(&|| drop(c.ops.public_point(&d))),
            time(&|| drop(c.ops.sign(&d, &zz, &z[..c.len], b"e"))),
            time(&|| assert!(c.ops.verify(&q, &zz, &sig))),
            time(&|| drop(c.ops.ecdh(&d, &q))),
        );
    }
}
