//! Re-keying a token: a new master key, both PIN blobs rewrapped under it
//! and every record re-sealed or re-signed, in one transaction. After it, a
//! copy of the old token record (and a PIN that opened it) opens none of
//! the records written since: the answer to a leaked PIN or a rolled-back
//! token record (README, security model). Not a PKCS#11 function: the
//! facade's `rekeyToken`.
use super::Module;
use crate::CK_ULONG;
use crate::constants::*;
use crate::rv::CkResult;
use crate::store::format::{self, ObjectBody};
use crate::store::protect::TokenKeys;
use crate::store::{self, StoreOp};
use crate::token::pin;

impl Module {
    /// Re-keys the token in `slot_id`. Needs the SO PIN, and the user PIN
    /// when one is set (both blobs must be rewrapped); no session may be
    /// open (as for C_InitToken). Wrong PINs count toward lockout.
    pub fn rekey_token(
        &mut self,
        slot_id: CK_ULONG,
        so_pin: &[u8],
        user_pin: Option<&[u8]>,
    ) -> CkResult<()> {
        self.slot(slot_id)?;
        self.check_recognized(slot_id)?;
        if !self.token_of(slot_id).is_initialized() {
            return Err(CKR_TOKEN_NOT_RECOGNIZED);
        }
        if self.sessions.values().any(|s| s.slot_id == slot_id) {
            return Err(CKR_SESSION_EXISTS);
        }
        let old = self.check_pin_counted(slot_id, CKU_SO, so_pin)?;
        self.verify_token_record(slot_id, &old)?;
        let user_pin = match (self.token_of(slot_id).user_pin.is_some(), user_pin) {
            (true, Some(p)) => {
                self.check_pin_counted(slot_id, CKU_USER, p)?;
                Some(p)
            }
            (true, None) => return Err(CKR_ARGUMENTS_BAD),
            (false, _) => None,
        };
        let id = self.token_of(slot_id).id;
        let old_keys = TokenKeys::new(&old, &id).ok_or(CKR_GENERAL_ERROR)?;
        let master = pin::new_master_key()?;
        let keys = TokenKeys::new(&master, &id).ok_or(CKR_GENERAL_ERROR)?;
        let iterations = self.limits(slot_id).kdf_iterations;
        let so_blob = pin::wrap(&master, so_pin, iterations, CKU_SO, &id)?;
        let user_blob = user_pin
            .map(|p| pin::wrap(&master, p, iterations, CKU_USER, &id))
            .transpose()?;
        let records: Vec<(String, Vec<u8>)> = self
            .store_of(slot_id)
            .records
            .iter()
            .map(|(u, r)| (u.clone(), r.clone()))
            .collect();
        let mut resealed = Vec::with_capacity(records.len());
        for (uid, record) in records {
            match reseal(&old_keys, &keys, &uid, &record, self.store_of(slot_id)) {
                Some(value) => resealed.push((uid, value)),
                None => {
                    self.store_of(slot_id).records.remove(&uid);
                    self.report_tampered(
                        slot_id,
                        &uid,
                        "it failed its check while the token was re-keyed; it was dropped",
                    );
                }
            }
        }
        let token = self.token_of_mut(slot_id);
        token.so_pin = Some(so_blob);
        token.user_pin = user_blob;
        self.save_token(slot_id, &master)?;
        let st = self.store_of(slot_id);
        st.unverified.clear();
        st.legacy = false;
        for (uid, value) in resealed {
            self.store_of(slot_id)
                .records
                .insert(uid.clone(), value.clone());
            let key = store::object_key(&uid);
            self.emit(slot_id, StoreOp::Put { key, value });
        }
        Ok(())
    }
}

/// One record under the new keys, with a new version, or `None` if it does
/// not check under the old ones.
fn reseal(
    old: &TokenKeys,
    new: &TokenKeys,
    uid: &str,
    record: &[u8],
    st: &mut super::storage::SlotStore,
) -> Option<Vec<u8>> {
    let parsed = format::decode_object(record).ok()?;
    let signed_ok = parsed.format == 1 || old.verify(record);
    let body = parsed.body;
    let version = st.next_version(uid);
    match body {
        ObjectBody::Public(attrs) if signed_ok => {
            new.sign(format::encode_public(uid, version, &attrs)).ok()
        }
        ObjectBody::Tombstone if signed_ok => {
            st.tombstones.push((version, uid.to_string()));
            new.sign(format::encode_tombstone(uid, version)).ok()
        }
        ObjectBody::Private { .. } => {
            let (_, _, attrs) = old.open(record).ok()?;
            new.seal(uid, version, &attrs).ok()
        }
        _ => None,
    }
}
