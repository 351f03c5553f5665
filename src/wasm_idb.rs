//! The IndexedDB raw backend (wasm shell, through `indexed_db_futures`):
//! one database per token, one object store "records", string keys
//! ("meta", "counters", "o/<unique id>") and Uint8Array values as the core
//! encodes them. Works in pages and Workers (and under Node with
//! fake-indexeddb). The JS facade queues the calls; each `idb_write` is
//! one IndexedDB transaction with strict durability, so a mutating call's
//! writes survive together or not at all.
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{TransactionDurability, TransactionMode, TransactionOptions};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

const STORE: &str = "records";

fn js_err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> JsValue + '_ {
    move |e| JsError::new(&format!("IndexedDB {what}: {e}")).into()
}

async fn open(name: &str) -> Result<Database, JsValue> {
    Database::open(name)
        .with_version(1u8)
        .with_on_upgrade_needed(|_, db| {
            if !db.object_store_names().any(|n| n == STORE) {
                db.create_object_store(STORE).build()?;
            }
            Ok(())
        })
        .await
        .map_err(js_err("open"))
}

/// Every record of database `name`: an array of `{key, value}`.
#[wasm_bindgen]
pub async fn idb_load(name: String) -> Result<Array, JsValue> {
    let db = open(&name).await?;
    let tx = db.transaction(STORE).build().map_err(js_err("read"))?;
    let store = tx.object_store(STORE).map_err(js_err("read"))?;
    let keys: Vec<JsValue> = store
        .get_all_keys()
        .primitive()
        .map_err(js_err("read"))?
        .await
        .map_err(js_err("read"))?
        .collect::<Result<_, _>>()
        .map_err(js_err("read"))?;
    let values: Vec<JsValue> = store
        .get_all()
        .primitive()
        .map_err(js_err("read"))?
        .await
        .map_err(js_err("read"))?
        .collect::<Result<_, _>>()
        .map_err(js_err("read"))?;
    drop(store);
    drop(tx);
    db.close();
    let out = Array::new();
    for (k, v) in keys.into_iter().zip(values) {
        let rec = js_sys::Object::new();
        Reflect::set(&rec, &"key".into(), &k)?;
        Reflect::set(&rec, &"value".into(), &v)?;
        out.push(&rec);
    }
    Ok(out)
}

/// The records of database `name` under `keys`: an array of `{key,
/// value}`, value `null` for a key that is not there.
#[wasm_bindgen]
pub async fn idb_get(name: String, keys: Array) -> Result<Array, JsValue> {
    let db = open(&name).await?;
    let tx = db.transaction(STORE).build().map_err(js_err("read"))?;
    let store = tx.object_store(STORE).map_err(js_err("read"))?;
    let out = Array::new();
    for key in keys.iter() {
        let Some(name) = key.as_string() else {
            continue;
        };
        let value: Option<JsValue> = store
            .get::<JsValue, String, _>(name)
            .primitive()
            .map_err(js_err("read"))?
            .await
            .map_err(js_err("read"))?;
        let rec = js_sys::Object::new();
        Reflect::set(&rec, &"key".into(), &key)?;
        Reflect::set(&rec, &"value".into(), &value.unwrap_or(JsValue::NULL))?;
        out.push(&rec);
    }
    drop(store);
    drop(tx);
    db.close();
    Ok(out)
}

/// Applies `ops` (`{op: "put", key, value} | {op: "delete", key} |
/// {op: "clear"}`) in one readwrite transaction with strict durability;
/// resolves once it has committed.
#[wasm_bindgen]
pub async fn idb_write(name: String, ops: Array) -> Result<(), JsValue> {
    let db = open(&name).await?;
    let mut opts = TransactionOptions::new();
    opts.set_durability(TransactionDurability::Strict);
    let tx = db
        .transaction(STORE)
        .with_mode(TransactionMode::Readwrite)
        .with_options(opts)
        .build()
        .map_err(js_err("write"))?;
    let store = tx.object_store(STORE).map_err(js_err("write"))?;
    for op in ops.iter() {
        let kind = Reflect::get(&op, &"op".into())?
            .as_string()
            .unwrap_or_default();
        let key = Reflect::get(&op, &"key".into())?;
        match kind.as_str() {
            "put" => {
                let value = Reflect::get(&op, &"value".into())?;
                store
                    .put(value)
                    .with_key(key)
                    .primitive()
                    .map_err(js_err("write"))?;
            }
            "delete" => {
                store.delete(key).primitive().map_err(js_err("write"))?;
            }
            "clear" => {
                store.clear().map_err(js_err("write"))?;
            }
            _ => return Err(JsError::new("IndexedDB write: unknown operation").into()),
        }
    }
    drop(store);
    tx.commit().await.map_err(js_err("commit"))?;
    db.close();
    Ok(())
}

/// Deletes database `name` entirely (the token's storage).
#[wasm_bindgen]
pub async fn idb_delete(name: String) -> Result<(), JsValue> {
    Database::delete_by_name(&name)
        .map_err(js_err("delete"))?
        .await
        .map_err(js_err("delete"))
}
