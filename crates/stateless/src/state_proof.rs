//! The Merkle-Patricia side of the state-proof seam ([`StateProof`], shared with the verkle
//! witness of `mana-verkle`): the pre-state a witness node pool proves for the accounts and
//! slots a block reads, and the post-state root after the block's [`StateChanges`].
//!
//! Block re-execution reads and writes through the same tries (`TrieState`), so this is the
//! code the stateless verifier runs.

use alloc::format;
use alloc::vec::Vec;

use alloy_primitives::map::HashMap;
use alloy_primitives::{Address, B256, U256};
use alloy_rlp::Decodable;
use alloy_trie::{EMPTY_ROOT_HASH, TrieAccount};
pub use mana_primitives::{Proven, StateProof};

use crate::execute::StateChanges;
use crate::mpt::{NodePool, SparseTrie, TrieKey};
use crate::{Error, Result};

/// The state trie and the storage tries resolved so far from one node pool.
#[derive(Debug)]
pub(crate) struct TrieState<'a> {
    pool: &'a NodePool,
    state: SparseTrie,
    /// Storage tries of the accounts read so far, by address: `(pre-state storage root, trie)`.
    storage: HashMap<Address, (B256, SparseTrie)>,
}

impl<'a> TrieState<'a> {
    /// The state committed to by `state_root`, resolved from `pool`.
    pub(crate) fn new(pool: &'a NodePool, state_root: B256) -> Self {
        Self { pool, state: SparseTrie::new(state_root), storage: HashMap::default() }
    }

    /// The account at `address`, or `None` when the trie proves it absent.
    pub(crate) fn account(&mut self, address: Address) -> Result<Option<TrieAccount>> {
        let Some(encoded) = self.state.get(self.pool, &TrieKey::account(&address))? else {
            return Ok(None);
        };
        let account = TrieAccount::decode(&mut encoded.as_slice()).map_err(|e| {
            Error::MalformedWitness(format!("account {address} does not decode: {e}"))
        })?;
        self.storage
            .entry(address)
            .or_insert_with(|| (account.storage_root, SparseTrie::new(account.storage_root)));
        Ok(Some(account))
    }

    /// The value of slot `index` of `address` (zero when proven absent).
    pub(crate) fn slot(&mut self, address: Address, index: U256) -> Result<U256> {
        let pool = self.pool;
        let trie = self.storage_trie(address)?;
        let Some(encoded) = trie.get(pool, &TrieKey::storage(&index))? else {
            return Ok(U256::ZERO);
        };
        U256::decode(&mut encoded.as_slice()).map_err(|e| {
            Error::MalformedWitness(format!(
                "storage of {address} slot {index} does not decode: {e}"
            ))
        })
    }

    fn storage_trie(&mut self, address: Address) -> Result<&mut SparseTrie> {
        if !self.storage.contains_key(&address) {
            let root = self.account(address)?.map_or(EMPTY_ROOT_HASH, |a| a.storage_root);
            self.storage.insert(address, (root, SparseTrie::new(root)));
        }
        self.storage
            .get_mut(&address)
            .map(|(_, trie)| trie)
            .ok_or_else(|| Error::Execution(format!("storage of {address} not loaded")))
    }

    /// Applies `changes` and returns the post-state root: each changed account's storage
    /// (wiped first when the account was destroyed or re-created), then the accounts; in every
    /// trie inserts and updates go before deletes (see [`SparseTrie::apply`]).
    pub(crate) fn post_state_root(&mut self, changes: &StateChanges) -> Result<B256> {
        let pool = self.pool;
        let mut account_changes: Vec<(TrieKey, Option<Vec<u8>>)> = Vec::new();
        for change in &changes.accounts {
            let address = change.address;
            let Some((nonce, balance, code_hash)) = change.info else {
                account_changes.push((TrieKey::account(&address), None));
                continue;
            };
            let storage_root = if change.wiped {
                let mut trie = SparseTrie::empty();
                apply_storage(&mut trie, pool, &change.storage)?;
                trie.root()
            } else if change.storage.is_empty() {
                match self.account(address)? {
                    Some(pre) => pre.storage_root,
                    None => EMPTY_ROOT_HASH,
                }
            } else {
                let trie = self.storage_trie(address)?;
                apply_storage(trie, pool, &change.storage)?;
                trie.root()
            };
            let leaf = TrieAccount { nonce, balance, storage_root, code_hash };
            account_changes.push((TrieKey::account(&address), Some(alloy_rlp::encode(leaf))));
        }
        self.state.apply(pool, account_changes)?;
        Ok(self.state.root())
    }
}

fn apply_storage(trie: &mut SparseTrie, pool: &NodePool, slots: &[(U256, U256)]) -> Result<()> {
    let changes: Vec<(TrieKey, Option<Vec<u8>>)> = slots
        .iter()
        .map(|(slot, value)| {
            let encoded = (!value.is_zero()).then(|| alloy_rlp::encode(value));
            (TrieKey::storage(slot), encoded)
        })
        .collect();
    trie.apply(pool, changes)
}

/// What the Merkle-Patricia witness proves: an account, or one slot of an account's storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StateKey {
    /// The account at this address.
    Account(Address),
    /// A storage slot of this address.
    Slot(Address, U256),
}

/// A proven value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateValue {
    /// An account leaf: nonce, balance, storage root and code hash.
    Account(TrieAccount),
    /// A non-zero storage value (a zero slot is absent from the trie).
    Slot(U256),
}

/// A Merkle-Patricia execution witness (its `state` nodes), the accounts and slots a block reads,
/// and the changes it makes: the MPT [`StateProof`].
#[derive(Debug, Clone, Copy)]
pub struct MptStateProof<'a> {
    /// The witness nodes.
    pub pool: &'a NodePool,
    /// The keys to prove.
    pub keys: &'a [StateKey],
    /// The block's state changes (as [`crate::verify_block_with_changes`] reports them).
    pub changes: &'a StateChanges,
}

impl StateProof for MptStateProof<'_> {
    type Key = StateKey;
    type Value = StateValue;
    type Error = Error;

    /// Walks the tries from `pre_root` for every key: a value is proven by the nodes on its path,
    /// an absence by a path that ends early. A node the pool lacks is [`Error::MissingNode`].
    fn verify_pre_state(&self, pre_root: &[u8; 32]) -> Result<Proven<StateKey, StateValue>> {
        let mut state = TrieState::new(self.pool, B256::from(*pre_root));
        let mut proven = Proven::new();
        for key in self.keys {
            let value = match *key {
                StateKey::Account(address) => state.account(address)?.map(StateValue::Account),
                StateKey::Slot(address, index) => {
                    Some(state.slot(address, index)?).filter(|v| !v.is_zero()).map(StateValue::Slot)
                }
            };
            proven.insert(*key, value);
        }
        Ok(proven)
    }

    fn post_state_root(&self, pre_root: &[u8; 32]) -> Result<[u8; 32]> {
        TrieState::new(self.pool, B256::from(*pre_root))
            .post_state_root(self.changes)
            .map(B256::into)
    }
}
