//! The browser backend: one IndexedDB database with one object store.

use idb::{Database, DatabaseEvent, Factory, ObjectStoreParams, TransactionMode};
use js_sys::Uint8Array;
use wasm_bindgen::JsValue;

use crate::{Error, Op, Result, Store};

const OBJECT_STORE: &str = "mana";

/// A store in an IndexedDB database. Each [`Store::write`] is one read-write transaction.
#[derive(Debug)]
pub struct IdbStore {
    db: Database,
}

fn text(e: impl core::fmt::Debug) -> String {
    format!("{e:?}")
}

impl IdbStore {
    /// Opens (or creates) the database `name`.
    pub async fn open(name: &str) -> Result<Self> {
        let open_err = |reason: String| Error::Open { location: name.to_string(), reason };
        let factory = Factory::new().map_err(|e| open_err(text(e)))?;
        let mut request = factory.open(name, Some(1)).map_err(|e| open_err(text(e)))?;
        request.on_upgrade_needed(|event| {
            if let Ok(db) = event.database()
                && !db.store_names().iter().any(|n| n == OBJECT_STORE)
            {
                // An error here fails the open request, which the caller sees below.
                drop(db.create_object_store(OBJECT_STORE, ObjectStoreParams::new()));
            }
        });
        let db = request.await.map_err(|e| open_err(text(e)))?;
        Ok(Self { db })
    }
}

impl Store for IdbStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let read_err = |e: idb::Error| Error::Read(text(e));
        let tx =
            self.db.transaction(&[OBJECT_STORE], TransactionMode::ReadOnly).map_err(read_err)?;
        let store = tx.object_store(OBJECT_STORE).map_err(read_err)?;
        let value = store.get(JsValue::from_str(key)).map_err(read_err)?.await.map_err(read_err)?;
        Ok(value.map(|v| Uint8Array::new(&v).to_vec()))
    }

    async fn write(&self, batch: Vec<Op>) -> Result<()> {
        let write_err = |e: idb::Error| Error::Write(text(e));
        let tx =
            self.db.transaction(&[OBJECT_STORE], TransactionMode::ReadWrite).map_err(write_err)?;
        let store = tx.object_store(OBJECT_STORE).map_err(write_err)?;
        for op in &batch {
            match op {
                Op::Put(key, value) => {
                    let bytes = Uint8Array::from(value.as_slice());
                    store
                        .put(&bytes.into(), Some(&JsValue::from_str(key)))
                        .map_err(write_err)?
                        .await
                        .map_err(write_err)?;
                }
                Op::Delete(key) => {
                    store
                        .delete(JsValue::from_str(key))
                        .map_err(write_err)?
                        .await
                        .map_err(write_err)?;
                }
            }
        }
        tx.commit().map_err(write_err)?.await.map_err(write_err)?;
        Ok(())
    }
}
