#![doc = include_str!("../README.md")]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

use std::collections::BTreeMap;
use std::sync::Mutex;

#[cfg(target_arch = "wasm32")]
mod idb_store;
#[cfg(not(target_arch = "wasm32"))]
mod redb_store;

#[cfg(target_arch = "wasm32")]
pub use idb_store::IdbStore;
#[cfg(not(target_arch = "wasm32"))]
pub use redb_store::RedbStore;

/// Everything a store can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database could not be opened (missing directory, locked by another process, ...).
    #[error("cannot open store at {location}: {reason}")]
    Open {
        /// File path or database name.
        location: String,
        /// What the backend said.
        reason: String,
    },
    /// A read failed.
    #[error("store read failed: {0}")]
    Read(String),
    /// A write failed; nothing of the batch was applied.
    #[error("store write failed (nothing written): {0}")]
    Write(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// One change in a [`Store::write`] batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Set `key` to the value.
    Put(String, Vec<u8>),
    /// Remove `key` (absent keys are fine).
    Delete(String),
}

/// A key-value store with atomic batches.
///
/// Futures are not `Send` (IndexedDB futures cannot be); native callers run them on the task that
/// owns the store.
#[allow(async_fn_in_trait)]
pub trait Store {
    /// The value of `key`, if any.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>>;
    /// Applies every op of `batch`, or none of them.
    async fn write(&self, batch: Vec<Op>) -> Result<()>;
}

impl<T: Store + ?Sized> Store for &T {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        (**self).get(key).await
    }
    async fn write(&self, batch: Vec<Op>) -> Result<()> {
        (**self).write(batch).await
    }
}

/// A store in memory: nothing survives the process.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: Mutex<BTreeMap<String, Vec<u8>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        // A poisoned lock only means another thread panicked mid-batch; batches are applied to
        // a copy first, so the map itself is always consistent.
        self.map.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Store for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.lock().get(key).cloned())
    }

    async fn write(&self, batch: Vec<Op>) -> Result<()> {
        let mut map = self.lock();
        let mut next = map.clone();
        for op in batch {
            match op {
                Op::Put(key, value) => {
                    next.insert(key, value);
                }
                Op::Delete(key) => {
                    next.remove(&key);
                }
            }
        }
        *map = next;
        Ok(())
    }
}

#[cfg(test)]
mod contract;

#[cfg(test)]
mod tests {
    use crate::contract::contract;

    #[cfg_attr(not(target_arch = "wasm32"), tokio::test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    async fn memory_store_meets_the_contract() {
        contract(&crate::MemoryStore::new()).await;
    }
}
