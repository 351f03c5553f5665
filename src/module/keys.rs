//! Key management (PKCS#11 3.1 section 5.14): generation, wrapping,
//! unwrapping and derivation. Mechanisms compute key material; the
//! attribute policy and the token-set attributes are applied here.
use zeroize::Zeroizing;

use super::Module;
use super::objects::new_object;
use crate::CK_ULONG;
use crate::attr::policy::Op;
use crate::attr::{Attribute, find_ulong, ulong_bytes};
use crate::constants::*;
use crate::mech::kdf::derive_rules;
use crate::mech::{CkMechanism, KeyLookup, registry};
use crate::object::Object;
use crate::rv::CkResult;

fn set(o: &mut Object, kind: CK_ULONG, value: Vec<u8>) {
    o.attrs.insert(kind, Zeroizing::new(value));
}

/// Token-set attributes of a key made on the token (section 4.7-4.10).
fn mark_generated(o: &mut Object, mechanism: CK_ULONG) {
    set(o, CKA_LOCAL, vec![1]);
    set(o, CKA_KEY_GEN_MECHANISM, ulong_bytes(mechanism));
    if o.class() != CKO_PUBLIC_KEY {
        // A PBKDF2 key comes from a password the caller holds: its value
        // has always been known outside the token, whatever the template.
        let known = mechanism == CKM_PKCS5_PBKD2;
        let (sensitive, extractable) = (
            o.bool(CKA_SENSITIVE) && !known,
            o.bool(CKA_EXTRACTABLE) || known,
        );
        set(o, CKA_ALWAYS_SENSITIVE, vec![sensitive as u8]);
        set(o, CKA_NEVER_EXTRACTABLE, vec![!extractable as u8]);
    }
}

/// Maps a cipher error to the code the wrapping functions use.
fn wrap_error(rv: CK_ULONG, unwrap: bool) -> CK_ULONG {
    match (rv, unwrap) {
        (CKR_KEY_TYPE_INCONSISTENT, false) => CKR_WRAPPING_KEY_TYPE_INCONSISTENT,
        (CKR_KEY_SIZE_RANGE, false) => CKR_WRAPPING_KEY_SIZE_RANGE,
        (CKR_DATA_LEN_RANGE, false) => CKR_KEY_SIZE_RANGE,
        (CKR_KEY_TYPE_INCONSISTENT, true) => CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT,
        (CKR_KEY_SIZE_RANGE, true) => CKR_UNWRAPPING_KEY_SIZE_RANGE,
        (CKR_ENCRYPTED_DATA_INVALID, true) => CKR_WRAPPED_KEY_INVALID,
        (CKR_ENCRYPTED_DATA_LEN_RANGE, true) => CKR_WRAPPED_KEY_LEN_RANGE,
        (other, _) => other,
    }
}

/// Key handles inside mechanism parameters, seen from one session.
struct SessionKeys<'a> {
    module: &'a Module,
    session: CK_ULONG,
}

impl KeyLookup for SessionKeys<'_> {
    fn key(&self, handle: CK_ULONG) -> CkResult<&Object> {
        let o = self
            .module
            .object(self.session, handle, CKR_KEY_HANDLE_INVALID)?;
        if o.is_key() {
            Ok(o)
        } else {
            Err(CKR_KEY_HANDLE_INVALID)
        }
    }
}

impl Module {
    /// C_GenerateKey (5.14.1).
    pub fn generate_key(
        &mut self,
        h: CK_ULONG,
        m: &CkMechanism,
        template: &[Attribute],
    ) -> CkResult<CK_ULONG> {
        let is_so = self.login_of(h)? == Some(CKU_SO);
        let imp = registry().get(m.kind, CKF_GENERATE)?;
        let class = find_ulong(template, CKA_CLASS)?.unwrap_or(CKO_SECRET_KEY);
        if class != CKO_SECRET_KEY {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        let generated = imp.generate_key(m, template)?;
        let mut key = new_object(Op::Generate, class, template, &generated, is_so)?;
        mark_generated(&mut key, m.kind);
        self.check_write(h, key.is_token(), key.is_private())?;
        let session_key = !key.is_token();
        let handle = self.insert_object(h, key)?;
        // A random session key exists in this module only: it may count
        // message IVs (CKM_PKCS5_PBKD2's keys come from a password, which
        // another instance may know too).
        if session_key && m.kind != CKM_PKCS5_PBKD2 {
            self.register_iv_counter(handle);
        }
        Ok(handle)
    }

    /// C_GenerateKeyPair (5.14.2): returns (public, private) handles.
    pub fn generate_key_pair(
        &mut self,
        h: CK_ULONG,
        m: &CkMechanism,
        public: &[Attribute],
        private: &[Attribute],
    ) -> CkResult<(CK_ULONG, CK_ULONG)> {
        let is_so = self.login_of(h)? == Some(CKU_SO);
        let imp = registry().get(m.kind, CKF_GENERATE_KEY_PAIR)?;
        if find_ulong(public, CKA_CLASS)?.is_some_and(|c| c != CKO_PUBLIC_KEY)
            || find_ulong(private, CKA_CLASS)?.is_some_and(|c| c != CKO_PRIVATE_KEY)
        {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        let (pub_gen, priv_gen) = imp.generate_key_pair(m, public, private)?;
        let mut pub_key = new_object(Op::Generate, CKO_PUBLIC_KEY, public, &pub_gen, is_so)?;
        let mut priv_key = new_object(Op::Generate, CKO_PRIVATE_KEY, private, &priv_gen, is_so)?;
        mark_generated(&mut pub_key, m.kind);
        mark_generated(&mut priv_key, m.kind);
        self.check_write(h, pub_key.is_token(), pub_key.is_private())?;
        self.check_write(h, priv_key.is_token(), priv_key.is_private())?;
        let pub_handle = self.insert_object(h, pub_key)?;
        let priv_handle = self.insert_object(h, priv_key)?;
        Ok((pub_handle, priv_handle))
    }

    /// C_WrapKey (5.14.3): a secret key wraps as its CKA_VALUE, a private
    /// key as PKCS#8 PrivateKeyInfo; the wrapping is the mechanism's
    /// single-part encryption.
    pub fn wrap_key(
        &mut self,
        h: CK_ULONG,
        m: &CkMechanism,
        wrapping_key: CK_ULONG,
        key: CK_ULONG,
        cap: Option<usize>,
    ) -> CkResult<Vec<u8>> {
        self.open_for(h, wrapping_key);
        self.open_for(h, key);
        let (imp, wrapper) = self.key_for(
            h,
            m,
            wrapping_key,
            CKF_WRAP,
            CKA_WRAP,
            CKR_WRAPPING_KEY_HANDLE_INVALID,
        )?;
        let target = self.object(h, key, CKR_KEY_HANDLE_INVALID)?;
        match target.class() {
            CKO_SECRET_KEY | CKO_PRIVATE_KEY => {}
            CKO_PUBLIC_KEY => return Err(CKR_KEY_NOT_WRAPPABLE),
            _ => return Err(CKR_KEY_HANDLE_INVALID),
        }
        if !target.bool(CKA_EXTRACTABLE) {
            return Err(CKR_KEY_UNEXTRACTABLE);
        }
        if target.bool(CKA_WRAP_WITH_TRUSTED) && !wrapper.bool(CKA_TRUSTED) {
            return Err(CKR_KEY_NOT_WRAPPABLE);
        }
        crate::attr::template::check_wrap(wrapper, target)?;
        let bytes = match target.class() {
            CKO_SECRET_KEY => {
                let mut value =
                    Zeroizing::new(target.get(CKA_VALUE).ok_or(CKR_KEY_NOT_WRAPPABLE)?.to_vec());
                let block = imp.wrap_block(m).max(1);
                let padded_len = value.len().div_ceil(block) * block;
                value.resize(padded_len, 0);
                value
            }
            CKO_PRIVATE_KEY => {
                let def = target
                    .key_type()
                    .and_then(|t| registry().key_type(t))
                    .ok_or(CKR_KEY_NOT_WRAPPABLE)?;
                let export = def.export_private.ok_or(CKR_KEY_NOT_WRAPPABLE)?;
                export(target)?
            }
            _ => return Err(CKR_KEY_NOT_WRAPPABLE),
        };
        let mut op = imp
            .encrypt_init(m, wrapper)
            .map_err(|e| wrap_error(e, false))?;
        if cap.is_some_and(|c| c < op.output_bound(bytes.len(), true)) {
            // Compute to learn the exact size; a wrap has no state to keep.
            let out = op.one_shot_key(&bytes).map_err(|e| wrap_error(e, false))?;
            return if cap.is_some_and(|c| c < out.len()) {
                Err(CKR_BUFFER_TOO_SMALL)
            } else {
                Ok(out)
            };
        }
        op.one_shot_key(&bytes).map_err(|e| wrap_error(e, false))
    }

    /// C_UnwrapKey (5.14.4): the template must name CKA_CLASS and
    /// CKA_KEY_TYPE. A secret key's value is cut to CKA_VALUE_LEN if given
    /// (mechanisms without padding leave trailing pad bytes).
    pub fn unwrap_key(
        &mut self,
        h: CK_ULONG,
        m: &CkMechanism,
        unwrapping_key: CK_ULONG,
        wrapped: &[u8],
        template: &[Attribute],
    ) -> CkResult<CK_ULONG> {
        self.open_for(h, unwrapping_key);
        let is_so = self.login_of(h)? == Some(CKU_SO);
        let (imp, unwrapper) = self.key_for(
            h,
            m,
            unwrapping_key,
            CKF_UNWRAP,
            CKA_UNWRAP,
            CKR_UNWRAPPING_KEY_HANDLE_INVALID,
        )?;
        // The unwrapping key's CKA_UNWRAP_TEMPLATE joins the caller's.
        let merged = crate::attr::template::merged(unwrapper, CKA_UNWRAP_TEMPLATE, template)?;
        let template = merged.as_slice();
        let class = find_ulong(template, CKA_CLASS)?.ok_or(CKR_TEMPLATE_INCOMPLETE)?;
        let key_type = find_ulong(template, CKA_KEY_TYPE)?.ok_or(CKR_TEMPLATE_INCOMPLETE)?;
        let mut op = imp
            .decrypt_init(m, unwrapper)
            .map_err(|e| wrap_error(e, true))?;
        let plain = Zeroizing::new(op.one_shot_key(wrapped).map_err(|e| wrap_error(e, true))?);
        let material = match class {
            CKO_SECRET_KEY => {
                let len = match find_ulong(template, CKA_VALUE_LEN)? {
                    Some(n) if n as usize > plain.len() => return Err(CKR_TEMPLATE_INCONSISTENT),
                    Some(n) => n as usize,
                    None => plain.len(),
                };
                // CKM_RSA_X_509 takes the key from the end (zero-padded).
                let start = imp.unwrap_from_end(m).then(|| plain.len() - len);
                let value = &plain[start.unwrap_or(0)..][..len];
                vec![Attribute::new(CKA_VALUE, value.to_vec())]
            }
            CKO_PRIVATE_KEY => {
                let def = registry()
                    .key_type(key_type)
                    .ok_or(CKR_TEMPLATE_INCONSISTENT)?;
                let import = def.import_private.ok_or(CKR_TEMPLATE_INCONSISTENT)?;
                import(&plain).map_err(|_| CKR_WRAPPED_KEY_INVALID)?
            }
            _ => return Err(CKR_TEMPLATE_INCONSISTENT),
        };
        let key = new_object(Op::Unwrap, class, template, &material, is_so)?;
        self.check_write(h, key.is_token(), key.is_private())?;
        self.insert_object(h, key)
    }

    /// C_DeriveKey (5.14.5): the mechanism yields secret bytes, told the
    /// template's CKA_VALUE_LEN (KDFs produce that many); the new key takes
    /// CKA_VALUE_LEN of them (the trailing ones, as SoftHSMv2 does for
    /// ECDH) or all of them. CKM_HKDF_DATA makes a data object instead.
    pub fn derive_key(
        &mut self,
        h: CK_ULONG,
        m: &CkMechanism,
        base: CK_ULONG,
        template: &[Attribute],
    ) -> CkResult<CK_ULONG> {
        self.open_all_for(h); // the parameters may name other keys
        let is_so = self.login_of(h)? == Some(CKU_SO);
        let (imp, base_key) =
            self.key_for(h, m, base, CKF_DERIVE, CKA_DERIVE, CKR_KEY_HANDLE_INVALID)?;
        // The base key's CKA_DERIVE_TEMPLATE joins the caller's.
        let merged = crate::attr::template::merged(base_key, CKA_DERIVE_TEMPLATE, template)?;
        let template = merged.as_slice();
        let keys = SessionKeys {
            module: self,
            session: h,
        };
        // What the mechanism's section says around the bytes (mech::kdf):
        // the output class (CKO_DATA for CKM_HKDF_DATA), a default key type,
        // and how protection follows the source keys: the base key and any
        // other key the parameter names.
        let rules = derive_rules(m);
        let mut sources = vec![base_key];
        for &other in &rules.other_keys {
            sources.push(keys.key(other)?);
        }
        let adjusted = rules.template(template, &sources)?;
        let class = find_ulong(&adjusted, CKA_CLASS)?.unwrap_or(rules.class);
        if class != rules.class {
            return Err(CKR_TEMPLATE_INCONSISTENT);
        }
        // Always sensitive / never extractable only if every source key is
        // (3.1 mechanisms 2.43.3 for two keys).
        let (base_always_sensitive, base_never_extractable) = (
            sources.iter().all(|k| k.bool(CKA_ALWAYS_SENSITIVE)),
            sources.iter().all(|k| k.bool(CKA_NEVER_EXTRACTABLE)),
        );
        let wanted = match find_ulong(template, CKA_VALUE_LEN)? {
            Some(0) => return Err(CKR_TEMPLATE_INCONSISTENT),
            Some(n) => Some(usize::try_from(n).map_err(|_| CKR_TEMPLATE_INCONSISTENT)?),
            None => None,
        };
        let secret = imp.derive(m, base_key, wanted, &keys)?;
        let len = match wanted {
            Some(n) if n > secret.len() => return Err(CKR_TEMPLATE_INCONSISTENT),
            Some(n) => n,
            None => secret.len(),
        };
        let value = secret[secret.len() - len..].to_vec();
        let mut key = new_object(
            Op::Derive,
            class,
            &adjusted,
            &[Attribute::new(CKA_VALUE, value)],
            is_so,
        )?;
        if class == CKO_SECRET_KEY {
            let (sensitive, extractable) = (key.bool(CKA_SENSITIVE), key.bool(CKA_EXTRACTABLE));
            set(
                &mut key,
                CKA_ALWAYS_SENSITIVE,
                vec![(base_always_sensitive && sensitive) as u8],
            );
            set(
                &mut key,
                CKA_NEVER_EXTRACTABLE,
                vec![(base_never_extractable && !extractable) as u8],
            );
        }
        self.check_write(h, key.is_token(), key.is_private())?;
        self.insert_object(h, key)
    }
}
