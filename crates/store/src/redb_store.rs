//! The native backend: one redb file.

use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, TableDefinition};

use crate::{Error, Op, Result, Store};

const TABLE: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("mana");

/// A store in a redb database file. Each [`Store::write`] is one durable transaction.
#[derive(Debug)]
pub struct RedbStore {
    db: Database,
    path: PathBuf,
}

impl RedbStore {
    /// Opens (or creates) the database at `path`. Fails when another process holds it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let open_err =
            |reason: String| Error::Open { location: path.display().to_string(), reason };
        let db = Database::create(&path).map_err(|e| open_err(e.to_string()))?;
        // Create the table up front so reads never meet a missing table.
        let tx = db.begin_write().map_err(|e| open_err(e.to_string()))?;
        tx.open_table(TABLE).map_err(|e| open_err(e.to_string()))?;
        tx.commit().map_err(|e| open_err(e.to_string()))?;
        Ok(Self { db, path })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Store for RedbStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>> {
        let tx = self.db.begin_read().map_err(|e| Error::Read(e.to_string()))?;
        let table = tx.open_table(TABLE).map_err(|e| Error::Read(e.to_string()))?;
        let value = table.get(key).map_err(|e| Error::Read(e.to_string()))?;
        Ok(value.map(|v| v.value().to_vec()))
    }

    async fn write(&self, batch: Vec<Op>) -> Result<()> {
        let write_err = |e: &dyn std::fmt::Display| Error::Write(e.to_string());
        let tx = self.db.begin_write().map_err(|e| write_err(&e))?;
        {
            let mut table = tx.open_table(TABLE).map_err(|e| write_err(&e))?;
            for op in &batch {
                match op {
                    Op::Put(key, value) => {
                        table.insert(key.as_str(), value.as_slice()).map_err(|e| write_err(&e))?;
                    }
                    Op::Delete(key) => {
                        table.remove(key.as_str()).map_err(|e| write_err(&e))?;
                    }
                }
            }
        }
        // Dropping an uncommitted transaction aborts it, so an error above writes nothing.
        tx.commit().map_err(|e| write_err(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_path(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("mana-store-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("store.redb")
    }

    #[tokio::test]
    async fn redb_store_meets_the_contract_and_persists() {
        let path = temp_path("contract");
        {
            let store = RedbStore::open(&path).unwrap();
            crate::contract::contract(&store).await;
            store.write(vec![Op::Put("kept".into(), b"value".to_vec())]).await.unwrap();
        }
        let reopened = RedbStore::open(&path).unwrap();
        assert_eq!(reopened.get("kept").await.unwrap(), Some(b"value".to_vec()));
        assert_eq!(reopened.get("a").await.unwrap(), None);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[tokio::test]
    async fn a_second_open_of_a_held_database_is_an_error() {
        let path = temp_path("locked");
        let _held = RedbStore::open(&path).unwrap();
        let err = RedbStore::open(&path).unwrap_err();
        assert!(matches!(err, Error::Open { .. }), "{err}");
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn garbage_file_is_an_open_error() {
        let path = temp_path("garbage");
        std::fs::write(&path, b"not a redb file at all").unwrap();
        let err = RedbStore::open(&path).unwrap_err();
        assert!(matches!(err, Error::Open { .. }), "{err}");
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
