//! Fuzzes the stateless verifier's untrusted inputs: witness and fixture JSON decoding, and
//! arbitrary bytes as trie nodes (reads, writes and root recomputation over a pool holding
//! them). Any panic is a bug.
//!
//! Run: `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run witness`

#![no_main]

use alloy_primitives::{B256, keccak256};
use libfuzzer_sys::fuzz_target;
use mana_stateless::mpt::{NodePool, SparseTrie, TrieKey};
use mana_stateless::witness::{BlockInput, Witness};

fuzz_target!(|data: &[u8]| {
    let _ = Witness::from_json(data);
    let _ = BlockInput::from_fixture_json(data);

    // The input as a trie node (and, split in two, as a node and its child) named by the root.
    let (a, b) = data.split_at(data.len() / 2);
    let pool = NodePool::from_nodes([data, a, b]);
    for root in [keccak256(data), keccak256(a)] {
        let mut trie = SparseTrie::new(root);
        let key = TrieKey::from_hashed(keccak256(b));
        let _ = trie.get(&pool, &key);
        let _ = trie.insert(&pool, &key, b"value");
        let _ = trie.remove(&pool, &TrieKey::from_hashed(B256::ZERO));
        let _ = trie.root();
    }
});
