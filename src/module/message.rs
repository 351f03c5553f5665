//! Message-based encryption, decryption, signing and verification
//! (PKCS#11 3.1 sections 5.9, 5.11, 5.14 and 5.16).
//!
//! A message-based process (C_Message*Init ... C_Message*Final) keeps the
//! mechanism and a copy of the key; each message is one fresh
//! single-message operation of the mechanism:
//! - AEAD (CKM_AES_GCM, CKM_CHACHA20_POLY1305): `mech::message` turns the
//!   per-message parameter into the mechanism's C_EncryptInit parameter;
//!   the tag is returned in (encryption) or taken from (decryption) the
//!   message parameter instead of the ciphertext's end;
//! - signing and verifying (any mechanism with CKF_SIGN / CKF_VERIFY): a
//!   C_SignInit-style operation per message. A per-message parameter, if
//!   given, is that message's mechanism parameter; else the one given to
//!   C_MessageSignInit is used. Multi-part messages use the mechanism's
//!   multi-part operation, or, for mechanisms that only sign in one part
//!   (CKM_ECDSA, CKM_RSA_PKCS, ...), collect the parts and sign them once.
//!
//! Errors end the message they occur in, never the process, except that
//! CKR_BUFFER_TOO_SMALL ends nothing (section 5.2).
//!
//! A signing or decryption key with CKA_ALWAYS_AUTHENTICATE needs
//! C_Login(CKU_CONTEXT_SPECIFIC) before each message (its "use"); without
//! it the message calls answer CKR_USER_NOT_LOGGED_IN and change nothing.
//!
//! Generated IVs count per key across the whole module (`IvCounters`).
use zeroize::Zeroizing;

use super::Module;
use super::session_ext::ExtOps;
use crate::CK_ULONG;
use crate::constants::*;
use crate::mech::message as aead;
use crate::mech::{CipherOp, CkMechanism, Mechanism, Param, SignOp, VerifyOp};
use crate::object::Object;
use crate::rv::CkResult;
use crate::session::{Gate, Ops, Session};

/// The result of an encryption step: ciphertext and the message
/// parameter's output fields.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MsgOutput {
    pub data: Vec<u8>,
    /// The IV the token generated (CK_GCM_MESSAGE_PARAMS.pIv), if it did.
    pub iv: Option<Vec<u8>>,
    /// The tag (pTag), once a message is complete.
    pub tag: Option<Vec<u8>>,
}

/// The mechanism and key of a message-based process.
struct Process {
    kind: CK_ULONG,
    imp: &'static dyn Mechanism,
    /// C_Message*Init's parameter.
    param: Param,
    /// A copy of the key; its values are wiped when dropped.
    key: Object,
}

impl Process {
    /// C_Message*Init: the usual key checks (mechanism flag, usage
    /// attribute, CKA_ALLOWED_MECHANISMS) with `flag` and `usage`.
    fn new(
        module: &Module,
        h: CK_ULONG,
        m: &CkMechanism,
        key: CK_ULONG,
        flag: CK_ULONG,
        usage: CK_ULONG,
    ) -> CkResult<(Process, Vec<u8>)> {
        let (imp, o) = module.key_for(h, m, key, flag, usage, CKR_KEY_HANDLE_INVALID)?;
        // A token key never counts IVs, whatever unique ID a stored record
        // may claim: no ID (which no counter has) stands for it.
        let key_id = if o.is_token() {
            Vec::new()
        } else {
            o.get(CKA_UNIQUE_ID).unwrap_or_default().to_vec()
        };
        let process = Process {
            kind: m.kind,
            imp,
            param: m.param.clone(),
            key: o.clone(),
        };
        Ok((process, key_id))
    }

    /// The mechanism of one message: its own parameter, else the process's.
    fn mechanism(&self, param: &Param) -> CkMechanism {
        let param = match param {
            Param::None => self.param.clone(),
            Param::Bytes(b) if b.is_empty() => self.param.clone(),
            other => other.clone(),
        };
        CkMechanism::with(self.kind, param)
    }
}

/// A message-based encryption or decryption process.
pub struct MsgCipher {
    process: Process,
    /// The key's CKA_UNIQUE_ID: names its IV counters.
    key_id: Vec<u8>,
    /// The message being processed in parts, if any.
    part: Option<CipherPart>,
}

struct CipherPart {
    op: Box<dyn CipherOp>,
    tag_len: usize,
}

/// A message-based signing process.
pub struct MsgSign {
    process: Process,
    part: Option<SignPart>,
}

/// A message-based verification process.
pub struct MsgVerify {
    process: Process,
    part: Option<VerifyPart>,
}

/// A multi-part message being signed: streamed into the operation, or
/// collected for mechanisms that sign in one part only.
struct SignPart {
    op: Box<dyn SignOp>,
    collected: Option<Zeroizing<Vec<u8>>>,
    streamed: bool,
}

struct VerifyPart {
    op: Box<dyn VerifyOp>,
    collected: Option<Zeroizing<Vec<u8>>>,
    streamed: bool,
}

/// Feeds a part to a streaming operation (`update`), switching to
/// collecting the parts when the first one shows the operation has no
/// multi-part form.
fn feed(
    streamed: &mut bool,
    collected: &mut Option<Zeroizing<Vec<u8>>>,
    data: &[u8],
    update: impl FnOnce(&[u8]) -> CkResult<()>,
) -> CkResult<()> {
    if let Some(c) = collected {
        c.extend_from_slice(data);
        return Ok(());
    }
    match update(data) {
        Err(CKR_FUNCTION_NOT_SUPPORTED) if !*streamed => {
            *collected = Some(Zeroizing::new(data.to_vec()));
            Ok(())
        }
        r => {
            *streamed = true;
            r
        }
    }
}

/// Splits the tag off a single-message AEAD output.
fn split_tag(mut sealed: Vec<u8>, tag_len: usize) -> CkResult<(Vec<u8>, Vec<u8>)> {
    let at = sealed.len().checked_sub(tag_len).ok_or(CKR_GENERAL_ERROR)?;
    let tag = sealed.split_off(at);
    Ok((sealed, tag))
}

/// A failed tag check is CKR_AEAD_DECRYPT_FAILED in the message-based
/// functions (5.11.2, 5.11.4).
fn aead_error(rv: CK_ULONG) -> CK_ULONG {
    match rv {
        CKR_ENCRYPTED_DATA_INVALID => CKR_AEAD_DECRYPT_FAILED,
        other => other,
    }
}

/// Runs one step of a multi-part message on the caller's buffer of `cap`
/// bytes, of which the last `tail` output bytes (a tag) do not take room.
/// Below the operation's output bound the step runs on a copy that is
/// kept only if its output fits, so CKR_BUFFER_TOO_SMALL changes nothing.
fn cipher_step(
    op: &mut Box<dyn CipherOp>,
    cap: Option<usize>,
    input_len: usize,
    last: bool,
    tail: usize,
    step: impl FnOnce(&mut dyn CipherOp) -> CkResult<Vec<u8>>,
) -> CkResult<Vec<u8>> {
    match cap {
        Some(cap) if cap < op.output_bound(input_len, last).saturating_sub(tail) => {
            let mut trial = op.box_clone();
            let out = step(trial.as_mut())?;
            if out.len().saturating_sub(tail) > cap {
                return Err(CKR_BUFFER_TOO_SMALL);
            }
            *op = trial;
            Ok(out)
        }
        _ => step(op.as_mut()),
    }
}

/// Ends the current message unless the call only lacked room, or, for a
/// part that is not the last, succeeded.
fn settle<T, P>(slot: &mut Option<P>, result: &CkResult<T>, last: bool) {
    match result {
        Err(CKR_BUFFER_TOO_SMALL) => {}
        Err(_) => *slot = None,
        Ok(_) if last => *slot = None,
        Ok(_) => {}
    }
}

/// The session's message-based encryption (or decryption) slot.
fn cipher_slot(
    module: &mut Module,
    h: CK_ULONG,
    encrypt: bool,
) -> CkResult<&mut Option<MsgCipher>> {
    let ext = &mut module.session_mut(h)?.ops.ext;
    Ok(if encrypt {
        &mut ext.msg_encrypt
    } else {
        &mut ext.msg_decrypt
    })
}

fn encrypting(ops: &mut ExtOps) -> CkResult<&mut MsgCipher> {
    ops.msg_encrypt
        .as_mut()
        .ok_or(CKR_OPERATION_NOT_INITIALIZED)
}

fn decrypting(ops: &mut ExtOps) -> CkResult<&mut MsgCipher> {
    ops.msg_decrypt
        .as_mut()
        .ok_or(CKR_OPERATION_NOT_INITIALIZED)
}

impl Module {
    /// Lets the session key `handle`, just generated, count message IVs;
    /// now and then forgets keys that no longer exist.
    pub(super) fn register_iv_counter(&mut self, handle: CK_ULONG) {
        if self.iv_counters.wants_pruning() {
            // Inserted one by one: collect() would sort first, and the
            // sort's code would be in the module only for this.
            let mut live = std::collections::BTreeSet::<&[u8]>::new();
            let ids = self.objects.values().filter(|e| e.session.is_some());
            for id in ids.filter_map(|e| e.object.get(CKA_UNIQUE_ID)) {
                live.insert(id);
            }
            self.iv_counters.retain(|id| live.contains(id));
        }
        if let Some(id) = self
            .objects
            .get(&handle)
            .and_then(|e| e.object.get(CKA_UNIQUE_ID))
        {
            self.iv_counters.register(id);
        }
    }

    /// The mechanism of the active message-based process named by its
    /// CK_MECHANISM_INFO flag (CKF_MESSAGE_ENCRYPT, ...), for callers that
    /// decode per-message parameters by mechanism.
    pub fn message_mechanism(&self, h: CK_ULONG, flag: CK_ULONG) -> CkResult<CK_ULONG> {
        let ops = &self.session(h)?.ops.ext;
        let kind = match flag {
            CKF_MESSAGE_ENCRYPT => ops.msg_encrypt.as_ref().map(|p| p.process.kind),
            CKF_MESSAGE_DECRYPT => ops.msg_decrypt.as_ref().map(|p| p.process.kind),
            CKF_MESSAGE_SIGN => ops.msg_sign.as_ref().map(|p| p.process.kind),
            CKF_MESSAGE_VERIFY => ops.msg_verify.as_ref().map(|p| p.process.kind),
            _ => None,
        };
        kind.ok_or(CKR_OPERATION_NOT_INITIALIZED)
    }

    /// C_MessageEncryptInit / C_MessageDecryptInit. `m` None (NULL_PTR in
    /// C) ends an active process and its message.
    fn message_cipher_init(
        &mut self,
        h: CK_ULONG,
        m: Option<&CkMechanism>,
        key: CK_ULONG,
        encrypt: bool,
    ) -> CkResult<()> {
        self.open_for(h, key);
        let Some(m) = m else {
            *cipher_slot(self, h, encrypt)? = None;
            return Ok(());
        };
        if cipher_slot(self, h, encrypt)?.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        let (flag, usage) = if encrypt {
            (CKF_MESSAGE_ENCRYPT, CKA_ENCRYPT)
        } else {
            (CKF_MESSAGE_DECRYPT, CKA_DECRYPT)
        };
        let (process, key_id) = Process::new(self, h, m, key, flag, usage)?;
        aead::check_init_param(m.kind, &m.param)?;
        // The key checks of C_EncryptInit (type, size), on a dummy message.
        let probe = aead::probe(m.kind)?;
        if encrypt {
            process.imp.encrypt_init(&probe, &process.key)?;
        } else {
            process.imp.decrypt_init(&probe, &process.key)?;
        }
        let gate = Gate::for_key(&process.key);
        *cipher_slot(self, h, encrypt)? = Some(MsgCipher {
            process,
            key_id,
            part: None,
        });
        if !encrypt {
            self.session_mut(h)?.ops.reauth.msg_decrypt = gate;
        }
        Ok(())
    }

    /// C_MessageEncryptInit (5.9.1).
    pub fn message_encrypt_init(
        &mut self,
        h: CK_ULONG,
        m: Option<&CkMechanism>,
        key: CK_ULONG,
    ) -> CkResult<()> {
        self.message_cipher_init(h, m, key, true)
    }

    /// C_EncryptMessage (5.9.2): the ciphertext, the generated IV if the
    /// parameter asked for one, and the tag.
    pub fn encrypt_message(
        &mut self,
        h: CK_ULONG,
        param: &Param,
        aad: &[u8],
        data: &[u8],
        cap: Option<usize>,
    ) -> CkResult<MsgOutput> {
        let (s, counters) = self.session_and_counters(h)?;
        let p = encrypting(&mut s.ops.ext)?;
        if p.part.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        let kind = p.process.kind;
        let mut msg = aead::message(kind, param, aad, true, &p.key_id, counters)?;
        aead::tag_of(kind, param, msg.tag_len)?;
        let mut op = p.process.imp.encrypt_init(&msg.mechanism, &p.process.key)?;
        let (ciphertext, tag) = split_tag(op.one_shot(data)?, msg.tag_len)?;
        if cap.is_some_and(|c| c < ciphertext.len()) {
            return Err(CKR_BUFFER_TOO_SMALL);
        }
        msg.commit(counters);
        Ok(MsgOutput {
            data: ciphertext,
            iv: msg.iv_out,
            tag: Some(tag),
        })
    }

    /// C_EncryptMessageBegin (5.9.3): starts a message; returns the
    /// generated IV, if any.
    pub fn encrypt_message_begin(
        &mut self,
        h: CK_ULONG,
        param: &Param,
        aad: &[u8],
    ) -> CkResult<MsgOutput> {
        let (s, counters) = self.session_and_counters(h)?;
        let p = encrypting(&mut s.ops.ext)?;
        if p.part.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        let kind = p.process.kind;
        let mut msg = aead::message(kind, param, aad, true, &p.key_id, counters)?;
        let op = p.process.imp.encrypt_init(&msg.mechanism, &p.process.key)?;
        msg.commit(counters);
        p.part = Some(CipherPart {
            op,
            tag_len: msg.tag_len,
        });
        Ok(MsgOutput {
            iv: msg.iv_out,
            ..MsgOutput::default()
        })
    }

    /// C_EncryptMessageNext (5.9.4): `flags` CKF_END_OF_MESSAGE marks the
    /// last part, whose call also returns the tag (and needs a parameter
    /// with room for it; earlier parts' parameters are not used).
    pub fn encrypt_message_next(
        &mut self,
        h: CK_ULONG,
        param: &Param,
        data: &[u8],
        cap: Option<usize>,
        flags: CK_ULONG,
    ) -> CkResult<MsgOutput> {
        let p = encrypting(&mut self.session_mut(h)?.ops.ext)?;
        let kind = p.process.kind;
        let last = flags & CKF_END_OF_MESSAGE != 0;
        let part = p.part.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        let tag_len = part.tag_len;
        let result = if last {
            aead::tag_of(kind, param, tag_len).and_then(|_| {
                let out = cipher_step(&mut part.op, cap, data.len(), true, tag_len, |op| {
                    let mut out = op.update(data)?;
                    out.extend_from_slice(&op.finalize()?);
                    Ok(out)
                })?;
                let (data, tag) = split_tag(out, tag_len)?;
                Ok(MsgOutput {
                    data,
                    iv: None,
                    tag: Some(tag),
                })
            })
        } else {
            cipher_step(&mut part.op, cap, data.len(), false, 0, |op| {
                op.update(data)
            })
            .map(|data| MsgOutput {
                data,
                ..MsgOutput::default()
            })
        };
        settle(&mut p.part, &result, last);
        result
    }

    /// C_MessageEncryptFinal (5.9.5); also ends a message in progress.
    pub fn message_encrypt_final(&mut self, h: CK_ULONG) -> CkResult<()> {
        end_process(&mut self.session_mut(h)?.ops.ext.msg_encrypt)
    }

    /// C_MessageDecryptInit (5.11.1).
    pub fn message_decrypt_init(
        &mut self,
        h: CK_ULONG,
        m: Option<&CkMechanism>,
        key: CK_ULONG,
    ) -> CkResult<()> {
        self.message_cipher_init(h, m, key, false)
    }

    /// C_DecryptMessage (5.11.2): the plaintext, released only if the tag
    /// in the parameter checks (else CKR_AEAD_DECRYPT_FAILED).
    pub fn decrypt_message(
        &mut self,
        h: CK_ULONG,
        param: &Param,
        aad: &[u8],
        data: &[u8],
        cap: Option<usize>,
    ) -> CkResult<Vec<u8>> {
        let (s, counters) = self.session_and_counters(h)?;
        let Ops { ext, reauth, .. } = &mut s.ops;
        let p = decrypting(ext)?;
        if p.part.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        reauth.msg_decrypt.check()?;
        let result = (|| {
            let msg = aead::message(p.process.kind, param, aad, false, &p.key_id, counters)?;
            let tag = msg.tag.ok_or(CKR_MECHANISM_PARAM_INVALID)?;
            let mut op = p.process.imp.decrypt_init(&msg.mechanism, &p.process.key)?;
            let mut input = Vec::with_capacity(data.len() + tag.len());
            input.extend_from_slice(data);
            input.extend_from_slice(&tag);
            let plain = Zeroizing::new(op.one_shot(&input).map_err(aead_error)?);
            if cap.is_some_and(|c| c < plain.len()) {
                return Err(CKR_BUFFER_TOO_SMALL);
            }
            Ok(plain.to_vec())
        })();
        reauth.msg_decrypt.settle(&result, true);
        result
    }

    /// C_DecryptMessageBegin (5.11.3). The tag comes with the last part.
    pub fn decrypt_message_begin(
        &mut self,
        h: CK_ULONG,
        param: &Param,
        aad: &[u8],
    ) -> CkResult<()> {
        let (s, counters) = self.session_and_counters(h)?;
        let Ops { ext, reauth, .. } = &mut s.ops;
        let p = decrypting(ext)?;
        if p.part.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        reauth.msg_decrypt.check()?;
        let msg = aead::message(p.process.kind, param, aad, false, &p.key_id, counters)
            .inspect_err(|_| reauth.msg_decrypt.used())?;
        let op = p
            .process
            .imp
            .decrypt_init(&msg.mechanism, &p.process.key)
            .inspect_err(|_| reauth.msg_decrypt.used())?;
        p.part = Some(CipherPart {
            op,
            tag_len: msg.tag_len,
        });
        Ok(())
    }

    /// C_DecryptMessageNext (5.11.4): with CKF_END_OF_MESSAGE, `param`
    /// brings the tag and the plaintext is released once it checks.
    pub fn decrypt_message_next(
        &mut self,
        h: CK_ULONG,
        param: &Param,
        data: &[u8],
        cap: Option<usize>,
        flags: CK_ULONG,
    ) -> CkResult<Vec<u8>> {
        let Ops { ext, reauth, .. } = &mut self.session_mut(h)?.ops;
        let p = decrypting(ext)?;
        let kind = p.process.kind;
        let last = flags & CKF_END_OF_MESSAGE != 0;
        let part = p.part.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        reauth.msg_decrypt.check()?;
        let result = if last {
            aead::tag_of(kind, param, part.tag_len).and_then(|tag| {
                let len = data.len() + tag.len();
                cipher_step(&mut part.op, cap, len, true, 0, |op| {
                    let mut out = op.update(data)?;
                    out.extend_from_slice(&op.update(&tag)?);
                    out.extend_from_slice(&op.finalize()?);
                    Ok(out)
                })
                .map_err(aead_error)
            })
        } else {
            cipher_step(&mut part.op, cap, data.len(), false, 0, |op| {
                op.update(data)
            })
        };
        settle(&mut p.part, &result, last);
        reauth.msg_decrypt.settle(&result, last);
        result
    }

    /// C_MessageDecryptFinal (5.11.5).
    pub fn message_decrypt_final(&mut self, h: CK_ULONG) -> CkResult<()> {
        end_process(&mut self.session_mut(h)?.ops.ext.msg_decrypt)
    }

    /// C_MessageSignInit (5.14.1): checks the key and parameter as
    /// C_SignInit would. `m` None ends an active process.
    pub fn message_sign_init(
        &mut self,
        h: CK_ULONG,
        m: Option<&CkMechanism>,
        key: CK_ULONG,
    ) -> CkResult<()> {
        self.open_for(h, key);
        let Some(m) = m else {
            self.session_mut(h)?.ops.ext.msg_sign = None;
            return Ok(());
        };
        if self.session(h)?.ops.ext.msg_sign.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        let (process, _) = Process::new(self, h, m, key, CKF_MESSAGE_SIGN, CKA_SIGN)?;
        process.imp.sign_init(m, &process.key)?;
        let ops = &mut self.session_mut(h)?.ops;
        ops.reauth.msg_sign = Gate::for_key(&process.key);
        ops.ext.msg_sign = Some(MsgSign {
            process,
            part: None,
        });
        Ok(())
    }

    /// The active message-based signing process and its gate.
    fn signing(&mut self, h: CK_ULONG) -> CkResult<(&mut MsgSign, &mut Gate)> {
        let Ops { ext, reauth, .. } = &mut self.session_mut(h)?.ops;
        let p = ext.msg_sign.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        Ok((p, &mut reauth.msg_sign))
    }

    /// The session `h` and the module's IV counters, borrowed together.
    fn session_and_counters(
        &mut self,
        h: CK_ULONG,
    ) -> CkResult<(&mut Session, &mut aead::IvCounters)> {
        self.check_init()?;
        let s = self
            .sessions
            .get_mut(&h)
            .ok_or(CKR_SESSION_HANDLE_INVALID)?;
        Ok((s, &mut self.iv_counters))
    }

    /// C_SignMessage (5.14.2).
    pub fn sign_message(
        &mut self,
        h: CK_ULONG,
        param: &Param,
        data: &[u8],
        cap: Option<usize>,
    ) -> CkResult<Vec<u8>> {
        let (p, gate) = self.signing(h)?;
        if p.part.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        gate.check()?;
        let result = (|| {
            let m = p.process.mechanism(param);
            let mut op = p.process.imp.sign_init(&m, &p.process.key)?;
            if cap.is_some_and(|c| c < op.signature_len()) {
                return Err(CKR_BUFFER_TOO_SMALL);
            }
            op.one_shot(data)
        })();
        gate.settle(&result, true);
        result
    }

    /// C_SignMessageBegin (5.14.3).
    pub fn sign_message_begin(&mut self, h: CK_ULONG, param: &Param) -> CkResult<()> {
        let (p, gate) = self.signing(h)?;
        if p.part.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        gate.check()?;
        let m = p.process.mechanism(param);
        let op = p
            .process
            .imp
            .sign_init(&m, &p.process.key)
            .inspect_err(|_| gate.used())?;
        p.part = Some(SignPart {
            op,
            collected: None,
            streamed: false,
        });
        Ok(())
    }

    /// C_SignMessageNext (5.14.4): `last` (a non-NULL pulSignatureLen in
    /// C) ends the message and returns the signature. The room is checked
    /// before the part is taken in, so a retry after CKR_BUFFER_TOO_SMALL
    /// does not feed the part twice.
    pub fn sign_message_next(
        &mut self,
        h: CK_ULONG,
        _param: &Param,
        data: &[u8],
        last: bool,
        cap: Option<usize>,
    ) -> CkResult<Option<Vec<u8>>> {
        let (p, gate) = self.signing(h)?;
        let part = p.part.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        gate.check()?;
        if last && cap.is_some_and(|c| c < part.op.signature_len()) {
            return Err(CKR_BUFFER_TOO_SMALL);
        }
        let SignPart {
            op,
            collected,
            streamed,
        } = part;
        let result = feed(streamed, collected, data, |d| op.update(d)).and_then(|()| {
            if !last {
                return Ok(None);
            }
            match collected {
                Some(all) => op.one_shot(all).map(Some),
                None => op.finalize().map(Some),
            }
        });
        settle(&mut p.part, &result, last);
        gate.settle(&result, last);
        result
    }

    /// C_MessageSignFinal (5.14.5).
    pub fn message_sign_final(&mut self, h: CK_ULONG) -> CkResult<()> {
        end_process(&mut self.session_mut(h)?.ops.ext.msg_sign)
    }

    /// C_MessageVerifyInit (5.16.1).
    pub fn message_verify_init(
        &mut self,
        h: CK_ULONG,
        m: Option<&CkMechanism>,
        key: CK_ULONG,
    ) -> CkResult<()> {
        self.open_for(h, key);
        let Some(m) = m else {
            self.session_mut(h)?.ops.ext.msg_verify = None;
            return Ok(());
        };
        if self.session(h)?.ops.ext.msg_verify.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        let (process, _) = Process::new(self, h, m, key, CKF_MESSAGE_VERIFY, CKA_VERIFY)?;
        process.imp.verify_init(m, &process.key)?;
        self.session_mut(h)?.ops.ext.msg_verify = Some(MsgVerify {
            process,
            part: None,
        });
        Ok(())
    }

    fn verifying(&mut self, h: CK_ULONG) -> CkResult<&mut MsgVerify> {
        let ext = &mut self.session_mut(h)?.ops.ext;
        ext.msg_verify.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)
    }

    /// C_VerifyMessage (5.16.2): Ok, or CKR_SIGNATURE_INVALID /
    /// CKR_SIGNATURE_LEN_RANGE.
    pub fn verify_message(
        &mut self,
        h: CK_ULONG,
        param: &Param,
        data: &[u8],
        signature: &[u8],
    ) -> CkResult<()> {
        let p = self.verifying(h)?;
        if p.part.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        let m = p.process.mechanism(param);
        let mut op = p.process.imp.verify_init(&m, &p.process.key)?;
        op.one_shot(data, signature)
    }

    /// C_VerifyMessageBegin (5.16.3).
    pub fn verify_message_begin(&mut self, h: CK_ULONG, param: &Param) -> CkResult<()> {
        let p = self.verifying(h)?;
        if p.part.is_some() {
            return Err(CKR_OPERATION_ACTIVE);
        }
        let m = p.process.mechanism(param);
        let op = p.process.imp.verify_init(&m, &p.process.key)?;
        p.part = Some(VerifyPart {
            op,
            collected: None,
            streamed: false,
        });
        Ok(())
    }

    /// C_VerifyMessageNext (5.16.4): a `signature` (non-NULL in C) marks
    /// the last part and is checked; that call always ends the message.
    pub fn verify_message_next(
        &mut self,
        h: CK_ULONG,
        _param: &Param,
        data: &[u8],
        signature: Option<&[u8]>,
    ) -> CkResult<()> {
        let p = self.verifying(h)?;
        let part = p.part.as_mut().ok_or(CKR_OPERATION_NOT_INITIALIZED)?;
        let VerifyPart {
            op,
            collected,
            streamed,
        } = part;
        let result = feed(streamed, collected, data, |d| op.update(d)).and_then(|()| {
            let Some(sig) = signature else {
                return Ok(());
            };
            match collected {
                Some(all) => op.one_shot(all, sig),
                None => op.finalize(sig),
            }
        });
        if result.is_err() || signature.is_some() {
            p.part = None;
        }
        result
    }

    /// C_MessageVerifyFinal (5.16.5).
    pub fn message_verify_final(&mut self, h: CK_ULONG) -> CkResult<()> {
        end_process(&mut self.session_mut(h)?.ops.ext.msg_verify)
    }
}

/// C_Message*Final: ends a message-based process, or says none was active.
fn end_process<T>(slot: &mut Option<T>) -> CkResult<()> {
    slot.take().map(|_| ()).ok_or(CKR_OPERATION_NOT_INITIALIZED)
}
