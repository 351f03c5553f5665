//! The curves other than P-256 in the core wasm build (feature
//! `split-core`): their rows in `CURVES` hold a `RemoteCurve`, which runs
//! each `CurveOps` call in the extra module (`mech::proxy`), and `serve`
//! is the extra module's side. A call the extra module cannot answer gives
//! what a failed operation gives (`None`, `false`, CKR_FUNCTION_FAILED).
// Native builds keep the curves local: only the tests use `RemoteCurve`.
#![cfg_attr(not(any(test, feature = "split-core")), allow(dead_code))]
use zeroize::Zeroizing;

use super::curves::{CURVES, CurveOps};
use crate::constants::*;
use crate::mech::proxy::codec::{Reader, Writer};
use crate::mech::proxy::{Response, call, op};
use crate::rv::CkResult;

/// A curve by its index in `CURVES`.
pub(super) struct RemoteCurve(pub usize);

const POINT: u8 = 0;
const SCALAR_OK: u8 = 1;
const PUBLIC_POINT: u8 = 2;
const GENERATE: u8 = 3;
const SIGN: u8 = 4;
const VERIFY: u8 = 5;
const ECDH: u8 = 6;

impl RemoteCurve {
    fn call(&self, method: u8, args: &[&[u8]]) -> CkResult<Response> {
        let mut w = Writer::new(op::CURVE);
        w.u8(method).ulong(self.0 as u64);
        for a in args {
            w.bytes(a);
        }
        call(w)
    }
    /// An optional byte string answer.
    fn maybe(&self, method: u8, args: &[&[u8]]) -> Option<Vec<u8>> {
        let resp = self.call(method, args).ok()?;
        let mut r = Reader::new(&resp);
        r.bool().ok()?.then(|| r.vec().ok()).flatten()
    }
    fn yes(&self, method: u8, args: &[&[u8]]) -> bool {
        self.call(method, args)
            .is_ok_and(|resp| Reader::new(&resp).bool() == Ok(true))
    }
}

impl CurveOps for RemoteCurve {
    fn point(&self, sec1: &[u8]) -> Option<Vec<u8>> {
        self.maybe(POINT, &[sec1])
    }
    fn scalar_ok(&self, d: &[u8]) -> bool {
        self.yes(SCALAR_OK, &[d])
    }
    fn public_point(&self, d: &[u8]) -> Option<Vec<u8>> {
        self.maybe(PUBLIC_POINT, &[d])
    }
    fn generate(&self) -> CkResult<Zeroizing<Vec<u8>>> {
        let resp = self.call(GENERATE, &[])?;
        Ok(Zeroizing::new(Reader::new(&resp).vec()?))
    }
    fn sign(&self, d: &[u8], z: &[u8], nonce_h: &[u8], entropy: &[u8]) -> Option<Vec<u8>> {
        self.maybe(SIGN, &[d, z, nonce_h, entropy])
    }
    fn verify(&self, q: &[u8], z: &[u8], sig: &[u8]) -> bool {
        self.yes(VERIFY, &[q, z, sig])
    }
    fn ecdh(&self, d: &[u8], q: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        self.maybe(ECDH, &[d, q]).map(Zeroizing::new)
    }
}

/// The extra module's side of a CURVE request.
pub(crate) fn serve(r: &mut Reader, w: &mut Writer) -> CkResult<()> {
    let method = r.u8()?;
    let curve = CURVES.get(r.ulong()? as usize).ok_or(CKR_GENERAL_ERROR)?;
    let ops = curve.ops;
    let mut args: Vec<&[u8]> = Vec::new();
    let want = [1, 1, 1, 0, 4, 3, 2]
        .get(method as usize)
        .ok_or(CKR_GENERAL_ERROR)?;
    for _ in 0..*want {
        args.push(r.bytes()?);
    }
    r.end()?;
    let opt = |w: &mut Writer, v: Option<&[u8]>| {
        w.bool(v.is_some()).bytes(v.unwrap_or(&[]));
    };
    match method {
        POINT => opt(w, ops.point(args[0]).as_deref()),
        SCALAR_OK => {
            w.bool(ops.scalar_ok(args[0]));
        }
        PUBLIC_POINT => opt(w, ops.public_point(args[0]).as_deref()),
        GENERATE => {
            w.bytes(&ops.generate()?);
        }
        SIGN => opt(w, ops.sign(args[0], args[1], args[2], args[3]).as_deref()),
        VERIFY => {
            w.bool(ops.verify(args[0], args[1], args[2]));
        }
        _ => opt(w, ops.ecdh(args[0], args[1]).as_deref().map(|v| &v[..])),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mech::proxy::{in_process, set_transport};

    /// Each moved curve through the proxy gives what its local code gives.
    #[test]
    fn moved_curves_through_the_proxy() {
        set_transport(Some(in_process));
        for (i, curve) in CURVES.iter().enumerate().skip(1) {
            let (remote, local) = (RemoteCurve(i), curve.ops);
            let d = remote.generate().unwrap();
            assert_eq!(d.len(), curve.len, "{}", curve.name);
            assert!(remote.scalar_ok(&d));
            let q = remote.public_point(&d).unwrap();
            assert_eq!(local.public_point(&d).unwrap(), q, "{}", curve.name);
            assert_eq!(remote.point(&q), local.point(&q));
            assert_eq!(remote.point(&q[1..]), None);
            let z = vec![0x5a; curve.len];
            let sig = remote.sign(&d, &z, &z, b"entropy").unwrap();
            assert!(local.verify(&q, &z, &sig));
            assert!(remote.verify(&q, &z, &sig));
            assert!(!remote.verify(&q, &z, &sig[1..]));
            let e = local.generate().unwrap();
            let qe = local.public_point(&e).unwrap();
            assert_eq!(*remote.ecdh(&d, &qe).unwrap(), *local.ecdh(&e, &q).unwrap());
            assert!(!remote.scalar_ok(&vec![0; curve.len]));
        }
    }

    /// Without the extra module a curve answers as a failed operation.
    #[test]
    fn unreachable_curve_fails_cleanly() {
        set_transport(None);
        let remote = RemoteCurve(1);
        assert!(remote.public_point(&[1; 48]).is_none());
        assert!(!remote.scalar_ok(&[1; 48]));
        assert_eq!(remote.generate().err(), Some(CKR_FUNCTION_FAILED));
    }
}
