//! Storage methods of `WasmModule` (see `crate::store` and the core's
//! `module/storage.rs`): the facade takes each call's writes, hands back
//! records read from storage or broadcast by another instance, and hears
//! about damaged or refused records.
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::{JsResult, WasmModule, ck, ulong};
use crate::module::Change;
use crate::store::StoreOp;

fn set(obj: &Object, key: &str, value: &JsValue) -> JsResult<()> {
    Reflect::set(obj, &key.into(), value).map(|_| ())
}

#[wasm_bindgen]
impl WasmModule {
    /// Marks `slot` as stored somewhere (its changes become writes).
    pub fn set_persistent(&mut self, slot: f64) -> JsResult<()> {
        ck(self.m.set_persistent(ulong(slot)))
    }

    /// Whether writes or storage events wait to be taken (checked after
    /// every mutating call, so it must stay cheap).
    pub fn has_storage_work(&self) -> bool {
        self.m.has_storage_work()
    }

    /// The writes since the last call: `[{slot, ops: [{op: "put", key,
    /// value} | {op: "delete", key} | {op: "clear"}]}]`, one entry per
    /// slot, each to be applied atomically.
    pub fn take_transactions(&mut self) -> JsResult<Array> {
        let out = Array::new();
        for t in self.m.take_transactions() {
            let ops = Array::new();
            for op in t.ops {
                let o = Object::new();
                match op {
                    StoreOp::Put { key, value } => {
                        set(&o, "op", &"put".into())?;
                        set(&o, "key", &key.into())?;
                        set(&o, "value", &Uint8Array::from(value.as_slice()).into())?;
                    }
                    StoreOp::Delete { key } => {
                        set(&o, "op", &"delete".into())?;
                        set(&o, "key", &key.into())?;
                    }
                    StoreOp::Clear => set(&o, "op", &"clear".into())?,
                }
                ops.push(&o);
            }
            let txn = Object::new();
            set(&txn, "slot", &JsValue::from_f64(t.slot_id as f64))?;
            set(&txn, "ops", &ops)?;
            out.push(&txn);
        }
        Ok(out)
    }

    /// Applies records read from storage or written by another instance,
    /// in one crossing however many there are: record i is its key (UTF-8,
    /// the next `lengths[2i]` bytes of `keys`) and its value (the next
    /// `lengths[2i + 1]` bytes of `values`, or gone when that is < 0). Keys
    /// and values come apart so that records read in one piece (the object
    /// cache) cross as they are.
    pub fn storage_apply(
        &mut self,
        slot: f64,
        lengths: Vec<i32>,
        keys: &[u8],
        values: &[u8],
    ) -> JsResult<()> {
        let list = records_from_wire(&lengths, keys, values)
            .map_err(|what| js_sys::TypeError::new(&format!("storage records: {what}")))?;
        ck(self.m.storage_apply(ulong(slot), list))
    }

    /// Reports since the last call: `[{slot, kind, key, message}]`.
    pub fn take_storage_events(&mut self) -> JsResult<Array> {
        let out = Array::new();
        for e in self.m.take_storage_events() {
            let o = Object::new();
            set(&o, "slot", &JsValue::from_f64(e.slot_id as f64))?;
            set(&o, "kind", &e.kind.into())?;
            set(&o, "key", &e.key.into())?;
            set(&o, "message", &e.message.into())?;
            out.push(&o);
        }
        Ok(out)
    }

    /// Deletes the token in `slot` and (via a "clear" write) its storage.
    pub fn delete_token(&mut self, slot: f64) -> JsResult<()> {
        ck(self.m.delete_token(ulong(slot)))
    }

    /// The storage of `slot` must not be used (a link where a directory
    /// should be...): the token is refused and `message` reported.
    pub fn storage_refuse(&mut self, slot: f64, message: String) -> JsResult<()> {
        ck(self.m.refuse_storage(ulong(slot), message))
    }

    /// The slot of session `session`.
    pub fn session_slot(&self, session: f64) -> JsResult<f64> {
        ck(self.m.session_slot(ulong(session))).map(|s| s as f64)
    }

    /// Re-keys the token in `slot` (see `Module::rekey_token`); `user_pin`
    /// counts only when `has_user_pin`. Both PINs are wiped after use.
    pub fn rekey_token(
        &mut self,
        slot: f64,
        so_pin: &mut [u8],
        user_pin: &mut [u8],
        has_user_pin: bool,
    ) -> JsResult<()> {
        let user = has_user_pin.then_some(&*user_pin);
        let r = self.m.rekey_token(ulong(slot), so_pin, user);
        zeroize::Zeroize::zeroize(so_pin);
        zeroize::Zeroize::zeroize(user_pin);
        ck(r)
    }
}

/// A PIN counter record (kind 2 of `store::format`) with these failure
/// counts. Token groups (pkg-templates/src/group) merge copies of a token
/// that diverged: each role keeps the highest count any copy has, and the
/// record must carry the format's checksum.
#[wasm_bindgen]
pub fn counters_record(so_failures: u32, user_failures: u32) -> Vec<u8> {
    crate::store::format::encode_counters(so_failures, user_failures)
}

/// The records `storage_apply` was given, or what is wrong with them. Never
/// inlined into the export: a loop over 1,000 records would make the whole
/// export hot in V8 (see `Module::apply_record`).
#[inline(never)]
fn records_from_wire(
    lengths: &[i32],
    mut keys: &[u8],
    mut values: &[u8],
) -> Result<Vec<Change>, &'static str> {
    if lengths.len() % 2 != 0 {
        return Err("lengths come in pairs");
    }
    let mut list = Vec::with_capacity(lengths.len() / 2);
    for pair in lengths.chunks_exact(2) {
        let key_len = usize::try_from(pair[0]).map_err(|_| "a key has no length")?;
        let key = take(&mut keys, key_len).ok_or("lengths exceed the keys")?;
        let key = std::str::from_utf8(key).map_err(|_| "a key is not UTF-8")?;
        let value = match usize::try_from(pair[1]) {
            Ok(n) => Some(
                take(&mut values, n)
                    .ok_or("lengths exceed the values")?
                    .to_vec(),
            ),
            Err(_) => None,
        };
        list.push((key.to_string(), value));
    }
    Ok(list)
}

/// The first `n` bytes of `rest`, which then starts after them.
fn take<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, tail) = rest.split_at_checked(n)?;
    *rest = tail;
    Some(head)
}

/// The checksum of the token directory's object cache (XXH32, seed 0):
/// see `crate::store::checksum`.
#[wasm_bindgen]
pub fn object_cache_checksum(data: &[u8]) -> u32 {
    crate::store::checksum::xxh32(data)
}
