//! The contract every [`Store`] backend must meet, as one async check.
//!
//! Compiled only for tests: the crate's unit tests run it against [`MemoryStore`] and
//! [`RedbStore`], and `tests/browser_idb.rs` includes this file by path (integration tests cannot
//! see `cfg(test)` items) to run it against `IdbStore` in headless Chromium. Both places import
//! `Op` and `Store` at their crate root, which is where `crate::` points.
//!
//! [`MemoryStore`]: crate::MemoryStore
//! [`RedbStore`]: crate::RedbStore

use crate::{Op, Store};

/// Keys and values that exercise the edges: the empty key, non-ASCII keys, every byte value,
/// an empty value and a value of 1 MiB.
fn edge_values() -> Vec<(String, Vec<u8>)> {
    vec![
        (String::new(), b"empty key".to_vec()),
        ("ключ/鍵/🔑".into(), vec![7]),
        ("all-bytes".into(), (0..=255).collect()),
        ("empty-value".into(), vec![]),
        ("one-mib".into(), (0..1 << 20).map(|i: u32| i.to_le_bytes()[0] ^ 0x5a).collect()),
    ]
}

/// Runs the contract against a fresh (empty) store. Panics on the first violation.
pub(crate) async fn contract(store: &impl Store) {
    // Missing keys read as `None`, and deleting one is not an error.
    assert_eq!(store.get("a").await.unwrap(), None, "a fresh store must be empty");
    store.write(vec![Op::Delete("missing".into())]).await.unwrap();
    assert_eq!(store.get("missing").await.unwrap(), None);

    // An empty batch is fine and changes nothing.
    store.write(vec![]).await.unwrap();
    assert_eq!(store.get("a").await.unwrap(), None);

    // Put and get.
    store.write(vec![Op::Put("a".into(), vec![1, 2, 3])]).await.unwrap();
    assert_eq!(store.get("a").await.unwrap(), Some(vec![1, 2, 3]));
    assert_eq!(store.get("A").await.unwrap(), None, "keys are case-sensitive");

    // Overwrite, with a shorter value: nothing of the old value remains.
    store.write(vec![Op::Put("a".into(), vec![9])]).await.unwrap();
    assert_eq!(store.get("a").await.unwrap(), Some(vec![9]));

    // Delete.
    store.write(vec![Op::Delete("a".into())]).await.unwrap();
    assert_eq!(store.get("a").await.unwrap(), None);

    // One batch mixing puts, deletes and an overwrite.
    store
        .write(vec![Op::Put("a".into(), vec![1, 2, 3]), Op::Put("b".into(), vec![4])])
        .await
        .unwrap();
    assert_eq!(store.get("a").await.unwrap(), Some(vec![1, 2, 3]));
    assert_eq!(store.get("b").await.unwrap(), Some(vec![4]));
    store.write(vec![Op::Delete("a".into()), Op::Put("b".into(), vec![])]).await.unwrap();
    assert_eq!(store.get("a").await.unwrap(), None);
    assert_eq!(store.get("b").await.unwrap(), Some(vec![]));

    // Ops of a batch apply in order: the last op on a key wins.
    store
        .write(vec![
            Op::Put("order-1".into(), vec![1]),
            Op::Put("order-1".into(), vec![2]),
            Op::Put("order-2".into(), vec![1]),
            Op::Delete("order-2".into()),
            Op::Delete("order-3".into()),
            Op::Put("order-3".into(), vec![3]),
        ])
        .await
        .unwrap();
    assert_eq!(store.get("order-1").await.unwrap(), Some(vec![2]));
    assert_eq!(store.get("order-2").await.unwrap(), None);
    assert_eq!(store.get("order-3").await.unwrap(), Some(vec![3]));

    // A large batch lands whole (IndexedDB: many requests in one transaction).
    let many: Vec<Op> =
        (0..500u32).map(|i| Op::Put(format!("many/{i}"), i.to_be_bytes().to_vec())).collect();
    store.write(many).await.unwrap();
    for i in [0u32, 1, 250, 498, 499] {
        assert_eq!(store.get(&format!("many/{i}")).await.unwrap(), Some(i.to_be_bytes().to_vec()));
    }
    assert_eq!(store.get("many/500").await.unwrap(), None);

    // Edge keys and values round-trip byte for byte.
    let edges = edge_values();
    store.write(edges.iter().map(|(k, v)| Op::Put(k.clone(), v.clone())).collect()).await.unwrap();
    for (key, value) in &edges {
        assert_eq!(store.get(key).await.unwrap().as_ref(), Some(value), "key {key:?}");
    }
}
