//! The extra module's side of the split: decodes a request (`codec`), runs
//! the moved family's real implementation, encodes the answer: `[0]` and
//! the payload, or `[1]` and the CK_RV. The key attributes a request
//! carries live in `Zeroizing` buffers and are wiped when it returns.
use std::sync::OnceLock;

use super::codec::{HEADER, Reader, Writer};
use super::{MULTI_PART, ONE_SHOT, ONE_SHOT_KEY, op};
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::{CkMechanism, Mechanism, NoKeys, Registry, ec};
use crate::object::Object;
use crate::rv::CkResult;
use zeroize::Zeroize;

/// The moved families, registered with their real implementations.
fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut r = Registry::default();
        super::moved::register_local(&mut r);
        r
    })
}

/// Answers one request frame (`codec`): a response frame, status 0 and
/// the payload or status 1 and the CK_RV. The caller wipes the request's
/// secret prefix; the response's is wiped when it is dropped.
pub fn serve(request: &[u8]) -> Writer {
    let mut w = Writer::new(0);
    let body = request.get(HEADER..).unwrap_or_default();
    let answer = match request.first() {
        Some(&kind) => dispatch(kind, &mut Reader::new(body), &mut w),
        None => Err(CKR_GENERAL_ERROR),
    };
    match answer {
        Ok(()) => w,
        Err(rv) => {
            drop(w);
            let mut e = Writer::new(1);
            e.ulong(rv);
            e
        }
    }
}

fn mechanism(m: &CkMechanism) -> CkResult<&'static dyn Mechanism> {
    registry().get(m.kind, 0)
}

fn key_type(ckk: CK_ULONG) -> CkResult<&'static crate::mech::KeyTypeDef> {
    registry().key_type(ckk).ok_or(CKR_GENERAL_ERROR)
}

/// Whether an operation takes C_*Update: asked of a throwaway copy.
fn takes_update(r: CkResult<()>) -> bool {
    r != Err(CKR_FUNCTION_NOT_SUPPORTED)
}

fn dispatch(kind: u8, r: &mut Reader, w: &mut Writer) -> CkResult<()> {
    match kind {
        op::CIPHER_INIT => {
            let encrypt = r.bool()?;
            let (m, key) = (r.mechanism()?, Object::new(r.map()?));
            r.end()?;
            let mut probe = cipher(encrypt, &m, &key)?;
            // The bound at the end for some input, minus that input.
            let delta = probe.output_bound(1 << 20, true) as i64 - (1 << 20);
            let streams = probe.output_bound(1 << 20, false) >= 1 << 20;
            w.ulong(delta as CK_ULONG)
                .bool(takes_update(probe.update(&[]).map(|_| ())))
                .bool(streams);
        }
        op::CIPHER_RUN => {
            let encrypt = r.bool()?;
            let (m, key, mode, tail, data) = run_args(r)?;
            // What the updates already gave (streaming ciphers).
            let skip = Reader::new(tail).ulong()? as usize;
            let mut c = cipher(encrypt, &m, &key)?;
            let mut out = match mode {
                ONE_SHOT | ONE_SHOT_KEY => c.one_shot(data)?,
                _ => {
                    let mut out = c.update(data)?;
                    out.extend_from_slice(&c.finalize()?);
                    out
                }
            };
            let out_part = out.get(skip..).ok_or(CKR_GENERAL_ERROR)?;
            if mode == ONE_SHOT_KEY {
                // A key wrapped or unwrapped: secret, wiped everywhere.
                w.bytes(out_part);
                out.zeroize();
            } else {
                // The caller's data (a plaintext too): not wiped.
                w.data(out_part);
            }
        }
        op::CIPHER_UPDATE => {
            // The earlier parts run again to reach the operation's state.
            let encrypt = r.bool()?;
            let (m, key) = (r.mechanism()?, Object::new(r.map()?));
            let (earlier, data) = (r.bytes()?, r.bytes()?);
            r.end()?;
            let mut c = cipher(encrypt, &m, &key)?;
            c.update(earlier)?;
            w.data(&c.update(data)?);
        }
        op::SIGN_INIT => {
            let (m, key) = (r.mechanism()?, Object::new(r.map()?));
            r.end()?;
            let mut probe = mechanism(&m)?.sign_init(&m, &key)?;
            w.ulong(probe.signature_len() as CK_ULONG)
                .bool(takes_update(probe.update(&[])));
        }
        op::SIGN_RUN => {
            let (m, key, mode, _, data) = run_args(r)?;
            let mut s = mechanism(&m)?.sign_init(&m, &key)?;
            let sig = if mode == ONE_SHOT {
                s.one_shot(data)?
            } else {
                s.update(data)?;
                s.finalize()?
            };
            w.data(&sig);
        }
        op::VERIFY_INIT => {
            let (m, key) = (r.mechanism()?, Object::new(r.map()?));
            r.end()?;
            let mut probe = mechanism(&m)?.verify_init(&m, &key)?;
            w.bool(takes_update(probe.update(&[])));
        }
        op::VERIFY_RUN => {
            let (m, key, mode, signature, data) = run_args(r)?;
            let mut v = mechanism(&m)?.verify_init(&m, &key)?;
            if mode == ONE_SHOT {
                v.one_shot(data, signature)?;
            } else {
                v.update(data)?;
                v.finalize(signature)?;
            }
        }
        op::GENERATE_KEY => {
            let (m, template) = (r.mechanism()?, r.attrs()?);
            r.end()?;
            w.attrs(&mechanism(&m)?.generate_key(&m, &template)?);
        }
        op::GENERATE_KEY_PAIR => {
            let (m, public, private) = (r.mechanism()?, r.attrs()?, r.attrs()?);
            r.end()?;
            let (pu, pr) = mechanism(&m)?.generate_key_pair(&m, &public, &private)?;
            w.attrs(&pu).attrs(&pr);
        }
        op::DERIVE => {
            let (m, base) = (r.mechanism()?, Object::new(r.map()?));
            let given = r.bool()?;
            let len = r.ulong()? as usize;
            r.end()?;
            let len = given.then_some(len);
            w.bytes(&mechanism(&m)?.derive(&m, &base, len, &NoKeys)?);
        }
        op::ENCAPSULATE => {
            let (m, key) = (r.mechanism()?, Object::new(r.map()?));
            r.end()?;
            let (ciphertext, secret) = mechanism(&m)?.encapsulate(&m, &key)?;
            w.bytes(&ciphertext).bytes(&secret);
        }
        op::DECAPSULATE => {
            let (m, key, ciphertext) = (r.mechanism()?, Object::new(r.map()?), r.bytes()?);
            r.end()?;
            w.bytes(&mechanism(&m)?.decapsulate(&m, &key, ciphertext)?);
        }
        op::KEY_COMPLETE => {
            let (ckk, class, mut attrs) = (r.ulong()?, r.ulong()?, r.map()?);
            r.end()?;
            (key_type(ckk)?.complete)(class, &mut attrs)?;
            w.map(&attrs);
        }
        op::KEY_EXPORT => {
            let (ckk, key) = (r.ulong()?, Object::new(r.map()?));
            r.end()?;
            let export = key_type(ckk)?.export_private.ok_or(CKR_GENERAL_ERROR)?;
            w.bytes(&export(&key)?);
        }
        op::KEY_IMPORT => {
            let (ckk, der) = (r.ulong()?, r.bytes()?);
            r.end()?;
            let import = key_type(ckk)?.import_private.ok_or(CKR_GENERAL_ERROR)?;
            w.attrs(&import(der)?);
        }
        op::CURVE => ec::remote::serve(r, w)?,
        op::X25519_SHARED => {
            let (base, peer) = (Object::new(r.map()?), r.bytes()?);
            r.end()?;
            w.bytes(&crate::mech::montgomery::x25519_shared(&base, peer)?);
        }
        _ => return Err(CKR_GENERAL_ERROR),
    }
    Ok(())
}

fn cipher(
    encrypt: bool,
    m: &CkMechanism,
    key: &Object,
) -> CkResult<Box<dyn crate::mech::CipherOp>> {
    if encrypt {
        mechanism(m)?.encrypt_init(m, key)
    } else {
        mechanism(m)?.decrypt_init(m, key)
    }
}

/// The fields of every *_RUN request (after the op's own): mechanism,
/// key, mode, the op's tail (skip, signature) and the data, last.
type RunArgs<'a> = (CkMechanism, Object, u8, &'a [u8], &'a [u8]);
fn run_args<'a>(r: &mut Reader<'a>) -> CkResult<RunArgs<'a>> {
    let m = r.mechanism()?;
    let key = Object::new(r.map()?);
    let mode = r.u8()?;
    if !matches!(mode, ONE_SHOT | MULTI_PART | ONE_SHOT_KEY) {
        return Err(CKR_GENERAL_ERROR);
    }
    let (tail, data) = (r.bytes()?, r.bytes()?);
    r.end()?;
    Ok((m, key, mode, tail, data))
}
