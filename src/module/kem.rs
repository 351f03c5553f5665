//! Key encapsulation (PKCS#11 3.2, key management functions
//! C_EncapsulateKey and C_DecapsulateKey): the mechanism computes a shared
//! secret (and, to encapsulate, its ciphertext); here it becomes a new
//! secret key object under the caller's template.
use zeroize::Zeroizing;

use super::Module;
use super::objects::new_object;
use crate::CK_ULONG;
use crate::attr::policy::Op;
use crate::attr::{Attribute, find, find_ulong};
use crate::constants::*;
use crate::mech::CkMechanism;
use crate::rv::CkResult;

/// C_DecapsulateKey treats its private key like an unwrapping key and the
/// ciphertext like a wrapped key (the codes its return value list names).
fn decapsulate_error(rv: CK_ULONG) -> CK_ULONG {
    match rv {
        CKR_KEY_TYPE_INCONSISTENT => CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT,
        CKR_KEY_SIZE_RANGE => CKR_UNWRAPPING_KEY_SIZE_RANGE,
        CKR_ENCRYPTED_DATA_LEN_RANGE => CKR_WRAPPED_KEY_LEN_RANGE,
        CKR_ENCRYPTED_DATA_INVALID => CKR_WRAPPED_KEY_INVALID,
        other => other,
    }
}

impl Module {
    /// C_EncapsulateKey: returns (ciphertext, new key handle). `cap` is
    /// the caller's ciphertext buffer size; CKR_BUFFER_TOO_SMALL creates
    /// no key (section 5.2 convention on producing output).
    pub fn encapsulate_key(
        &mut self,
        h: CK_ULONG,
        m: &CkMechanism,
        public_key: CK_ULONG,
        template: &[Attribute],
        cap: Option<usize>,
    ) -> CkResult<(Vec<u8>, CK_ULONG)> {
        self.open_for(h, public_key);
        let is_so = self.login_of(h)? == Some(CKU_SO);
        let (imp, key) = self.key_for(
            h,
            m,
            public_key,
            CKF_ENCAPSULATE,
            CKA_ENCAPSULATE,
            CKR_KEY_HANDLE_INVALID,
        )?;
        // The key's CKA_ENCAPSULATE_TEMPLATE joins the caller's (as
        // CKA_UNWRAP_TEMPLATE does for C_UnwrapKey).
        let template = &crate::attr::template::merged(key, CKA_ENCAPSULATE_TEMPLATE, template)?;
        let (ciphertext, secret) = imp.encapsulate(m, key)?;
        if cap.is_some_and(|c| c < ciphertext.len()) {
            return Err(CKR_BUFFER_TOO_SMALL);
        }
        let handle = self.new_shared_key(h, template, &secret, is_so)?;
        Ok((ciphertext, handle))
    }

    /// C_DecapsulateKey: returns the new key's handle.
    pub fn decapsulate_key(
        &mut self,
        h: CK_ULONG,
        m: &CkMechanism,
        private_key: CK_ULONG,
        template: &[Attribute],
        ciphertext: &[u8],
    ) -> CkResult<CK_ULONG> {
        self.open_for(h, private_key);
        let is_so = self.login_of(h)? == Some(CKU_SO);
        let (imp, key) = self.key_for(
            h,
            m,
            private_key,
            CKF_DECAPSULATE,
            CKA_DECAPSULATE,
            CKR_UNWRAPPING_KEY_HANDLE_INVALID,
        )?;
        let mut template = crate::attr::template::merged(key, CKA_DECAPSULATE_TEMPLATE, template)?;
        // RSASVE decapsulation is the raw RSA decryption of any input the
        // caller picks: the secret it yields may be a padded key or message
        // someone encrypted to this key. From a protected key (sensitive or
        // not extractable) it is therefore protected too, whatever the
        // template says, as a derived key is (section 2.43's rule; README,
        // "Derivation and key extraction"). ML-KEM secrets reveal nothing.
        if m.kind == CKM_RSA_X_509 && (key.bool(CKA_SENSITIVE) || !key.bool(CKA_EXTRACTABLE)) {
            template.retain(|a| a.kind != CKA_SENSITIVE && a.kind != CKA_EXTRACTABLE);
            template.push(Attribute::bool(CKA_SENSITIVE, true));
            template.push(Attribute::bool(CKA_EXTRACTABLE, false));
        }
        let secret = imp
            .decapsulate(m, key, ciphertext)
            .map_err(decapsulate_error)?;
        self.new_shared_key(h, &template, &secret, is_so)
    }

    /// The secret key made from a shared secret. The template follows the
    /// C_UnwrapKey rules (CKA_CLASS may be omitted, CKA_KEY_TYPE must be
    /// given, CKA_VALUE must not); CKA_VALUE_LEN, if given, takes that
    /// many leading bytes. As both functions specify: CKA_EXTRACTABLE
    /// defaults to true, and CKA_LOCAL, CKA_ALWAYS_SENSITIVE and
    /// CKA_NEVER_EXTRACTABLE are false.
    fn new_shared_key(
        &mut self,
        h: CK_ULONG,
        template: &[Attribute],
        secret: &[u8],
        is_so: bool,
    ) -> CkResult<CK_ULONG> {
        let class = find_ulong(template, CKA_CLASS)?.unwrap_or(CKO_SECRET_KEY);
        if class != CKO_SECRET_KEY {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        let len = match find_ulong(template, CKA_VALUE_LEN)? {
            Some(n) if n == 0 || n > secret.len() as CK_ULONG => {
                return Err(CKR_TEMPLATE_INCONSISTENT);
            }
            Some(n) => n as usize,
            None => secret.len(),
        };
        let mut full = template.to_vec();
        if find(template, CKA_EXTRACTABLE).is_none() {
            full.push(Attribute::bool(CKA_EXTRACTABLE, true));
        }
        let value = Zeroizing::new(secret.get(..len).ok_or(CKR_GENERAL_ERROR)?.to_vec());
        let mut key = new_object(
            Op::Unwrap,
            class,
            &full,
            &[Attribute::new(CKA_VALUE, value.to_vec())],
            is_so,
        )?;
        for kind in [CKA_LOCAL, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE] {
            key.attrs.insert(kind, Zeroizing::new(vec![0]));
        }
        self.check_write(h, key.is_token(), key.is_private())?;
        self.insert_object(h, key)
    }
}
