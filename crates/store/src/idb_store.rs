//! The browser backend: one IndexedDB database with one object store.

use idb::{
    Database, DatabaseEvent, Factory, ObjectStoreParams, Transaction, TransactionMode,
    TransactionResult,
};
use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};

use crate::{Error, Op, Result, Store};

const OBJECT_STORE: &str = "mana";

/// A store in an IndexedDB database. Each [`Store::write`] is one read-write transaction.
///
/// Dropping the store closes its connection, so the database can then be deleted or upgraded
/// (from this page or another tab) without waiting for garbage collection.
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
                // The handler cannot fail the open request; the check below reports a failure.
                drop(db.create_object_store(OBJECT_STORE, ObjectStoreParams::new()));
            }
        });
        let db = request.await.map_err(|e| open_err(text(e)))?;
        // Also catches a database of this name at version 1 that something else created
        // without our object store: every transaction on it would fail.
        if !db.store_names().iter().any(|n| n == OBJECT_STORE) {
            db.close();
            return Err(open_err(format!("no `{OBJECT_STORE}` object store in the database")));
        }
        Ok(Self { db })
    }
}

impl Drop for IdbStore {
    fn drop(&mut self) {
        // Pending transactions still complete; the connection closes after them.
        self.db.close();
    }
}

/// Queues every op of `batch` on `tx` without waiting for any of them.
fn queue(tx: &Transaction, batch: &[Op]) -> core::result::Result<(), idb::Error> {
    let store = tx.object_store(OBJECT_STORE)?;
    for op in batch {
        // The requests report through the transaction: a failed request aborts it.
        match op {
            Op::Put(key, value) => {
                let bytes = Uint8Array::from(value.as_slice());
                store.put(&bytes.into(), Some(&JsValue::from_str(key)))?;
            }
            Op::Delete(key) => {
                store.delete(JsValue::from_str(key))?;
            }
        }
    }
    Ok(())
}

impl Store for IdbStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let read_err = |e: idb::Error| Error::Read(text(e));
        let tx =
            self.db.transaction(&[OBJECT_STORE], TransactionMode::ReadOnly).map_err(read_err)?;
        let store = tx.object_store(OBJECT_STORE).map_err(read_err)?;
        let value = store.get(JsValue::from_str(key)).map_err(read_err)?.await.map_err(read_err)?;
        value
            .map(|v| {
                v.dyn_into::<Uint8Array>()
                    .map(|bytes| bytes.to_vec())
                    .map_err(|v| Error::Read(format!("value of {key:?} is not bytes: {v:?}")))
            })
            .transpose()
    }

    async fn write(&self, batch: Vec<Op>) -> Result<()> {
        let write_err = |e: idb::Error| Error::Write(text(e));
        let tx =
            self.db.transaction(&[OBJECT_STORE], TransactionMode::ReadWrite).map_err(write_err)?;
        if let Err(e) = queue(&tx, &batch) {
            // Left alone, the requests queued so far would commit: abort them. `abort` fails
            // only when the transaction has already finished, which leaves nothing to undo.
            drop(tx.abort());
            return Err(write_err(e));
        }
        // One wait for the whole batch; the transaction's outcome is the batch's. A failed
        // request aborts it and comes back as `Err` (idb's error text is unhelpful there: it
        // expects the transaction as the event target and finds the request); an abort without
        // a failed request (quota, the connection closing) comes back as `Ok(Aborted)`.
        let outcome = tx.commit().map_err(write_err)?.await.map_err(|e| {
            Error::Write(format!("a request failed, IndexedDB aborted the transaction ({e:?})"))
        })?;
        match outcome {
            TransactionResult::Committed => Ok(()),
            TransactionResult::Aborted => {
                Err(Error::Write("IndexedDB aborted the transaction".into()))
            }
        }
    }
}
