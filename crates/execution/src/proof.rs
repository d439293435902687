//! Account and storage proofs (`eth_getProof`, EIP-1186) against a trusted state root.
//!
//! The state trie maps `keccak256(address)` to `rlp([nonce, balance, storageRoot, codeHash])`; an
//! account's storage trie maps `keccak256(slot)` to `rlp(value)` and never holds zero values. A
//! proof is the list of trie nodes from the root towards the key; it proves either the value at
//! the key or that the key is absent (exclusion proof).

use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_trie::{EMPTY_ROOT_HASH, KECCAK_EMPTY, Nibbles, TrieAccount, proof::verify_proof};

use crate::{Error, Result, StorageProofFailure};

/// An account as `eth_getProof` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    /// Transaction count (or contract creations for a contract).
    pub nonce: u64,
    /// Balance in wei.
    pub balance: U256,
    /// Root of the account's storage trie.
    pub storage_root: B256,
    /// `keccak256` of the account's code.
    pub code_hash: B256,
}

impl Account {
    /// An account with no nonce, balance, code or storage: what an absent account reads as.
    pub const EMPTY: Self = Self {
        nonce: 0,
        balance: U256::ZERO,
        storage_root: EMPTY_ROOT_HASH,
        code_hash: KECCAK_EMPTY,
    };

    /// Whether the account is [`Account::EMPTY`].
    pub fn is_empty(&self) -> bool {
        *self == Self::EMPTY
    }

    fn encoded(&self) -> Vec<u8> {
        alloy_rlp::encode(TrieAccount {
            nonce: self.nonce,
            balance: self.balance,
            storage_root: self.storage_root,
            code_hash: self.code_hash,
        })
    }
}

/// Checks that `proof` proves `account` at `address` under `state_root`. An empty account may be
/// proven absent (the usual case) or present.
pub fn verify_account(
    state_root: &B256,
    address: &Address,
    account: &Account,
    proof: &[Bytes],
) -> Result<()> {
    let key = Nibbles::unpack(keccak256(address));
    let present = verify_proof(*state_root, key, Some(account.encoded()), proof);
    let outcome = match present {
        Err(_) if account.is_empty() => verify_proof(*state_root, key, None, proof),
        other => other,
    };
    outcome.map_err(|e| Error::InvalidAccountProof {
        address: *address,
        state_root: *state_root,
        reason: format!("{e}"),
    })
}

/// Checks that `proof` proves `value` at `slot` of `address`'s storage trie `storage_root`
/// (proven by [`verify_account`] first). A zero value must be proven absent.
pub fn verify_storage(
    address: &Address,
    storage_root: &B256,
    slot: &B256,
    value: &U256,
    proof: &[Bytes],
) -> Result<()> {
    let key = Nibbles::unpack(keccak256(slot));
    let expected = (!value.is_zero()).then(|| alloy_rlp::encode(value));
    verify_proof(*storage_root, key, expected, proof).map_err(|e| {
        Error::InvalidStorageProof(Box::new(StorageProofFailure {
            address: *address,
            slot: *slot,
            value: *value,
            storage_root: *storage_root,
            reason: format!("{e}"),
        }))
    })
}

/// Checks that `code` hashes to the proven `code_hash` of `address`.
pub fn verify_code(address: &Address, code_hash: &B256, code: &[u8]) -> Result<()> {
    let computed = keccak256(code);
    if computed == *code_hash {
        Ok(())
    } else {
        Err(Error::CodeHashMismatch { address: *address, expected: *code_hash, computed })
    }
}

#[cfg(test)]
mod tests {
    use alloy_trie::HashBuilder;
    use alloy_trie::proof::ProofRetainer;

    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Builds a trie of `(keccak256(preimage), value)` leaves; returns its root and the proof
    /// of `keccak256(target)`.
    fn trie(leaves: &[(Vec<u8>, Vec<u8>)], target: &[u8]) -> (B256, Vec<Bytes>) {
        let mut sorted: Vec<(Nibbles, &Vec<u8>)> =
            leaves.iter().map(|(k, v)| (Nibbles::unpack(keccak256(k)), v)).collect();
        sorted.sort_by_key(|(key, _)| *key);
        let wanted = Nibbles::unpack(keccak256(target));
        let mut builder =
            HashBuilder::default().with_proof_retainer(ProofRetainer::new(alloc::vec![wanted]));
        for (key, value) in sorted {
            builder.add_leaf(key, value);
        }
        let root = builder.root();
        let proof = builder
            .take_proof_nodes()
            .matching_nodes_sorted(&wanted)
            .into_iter()
            .map(|(_, node)| node)
            .collect();
        (root, proof)
    }

    fn address(n: u8) -> Address {
        Address::repeat_byte(n)
    }

    fn accounts() -> Vec<(Address, Account)> {
        (1..=40u8)
            .map(|n| {
                (
                    address(n),
                    Account {
                        nonce: u64::from(n),
                        balance: U256::from(n) * U256::from(10).pow(U256::from(18)),
                        storage_root: EMPTY_ROOT_HASH,
                        code_hash: KECCAK_EMPTY,
                    },
                )
            })
            .collect()
    }

    fn state(target: Address) -> (B256, Vec<Bytes>) {
        let leaves: Vec<(Vec<u8>, Vec<u8>)> =
            accounts().iter().map(|(a, acc)| (a.to_vec(), acc.encoded())).collect();
        trie(&leaves, target.as_slice())
    }

    #[test]
    fn present_account_verifies_and_any_change_is_caught() {
        let (addr, account) = accounts()[6];
        let (root, proof) = state(addr);
        assert_eq!(verify_account(&root, &addr, &account, &proof), Ok(()));
        let richer = Account { balance: account.balance + U256::from(1), ..account };
        assert!(matches!(
            verify_account(&root, &addr, &richer, &proof),
            Err(Error::InvalidAccountProof { .. })
        ));
        let older = Account { nonce: account.nonce + 1, ..account };
        assert!(verify_account(&root, &addr, &older, &proof).is_err());
        // The proof of one account does not prove another.
        assert!(verify_account(&root, &address(7), &accounts()[7].1, &proof).is_err());
        // A flipped byte in any node, a missing node or a wrong root fails.
        for i in 0..proof.len() {
            let mut bad = proof.clone();
            let mut node = bad[i].to_vec();
            let last = node.len() - 1;
            node[last] ^= 1;
            bad[i] = node.into();
            assert!(verify_account(&root, &addr, &account, &bad).is_err(), "node {i}");
            let mut missing = proof.clone();
            missing.remove(i);
            assert!(verify_account(&root, &addr, &account, &missing).is_err(), "without {i}");
        }
        assert!(verify_account(&B256::repeat_byte(9), &addr, &account, &proof).is_err());
        assert!(verify_account(&root, &addr, &account, &[]).is_err());
    }

    #[test]
    fn absent_account_needs_an_exclusion_proof() {
        let absent = address(0xee);
        let (root, proof) = state(absent);
        assert_eq!(verify_account(&root, &absent, &Account::EMPTY, &proof), Ok(()));
        // Claiming a balance for an absent account fails.
        let claimed = Account { balance: U256::from(1), ..Account::EMPTY };
        assert!(verify_account(&root, &absent, &claimed, &proof).is_err());
        // Claiming a present account is absent fails.
        let (addr, _) = accounts()[3];
        let (root, proof) = state(addr);
        assert!(verify_account(&root, &addr, &Account::EMPTY, &proof).is_err());
    }

    #[test]
    fn storage_values_and_zero_slots() {
        let slots: Vec<(B256, U256)> =
            (1..=20u64).map(|n| (B256::from(U256::from(n)), U256::from(n * 1000))).collect();
        let leaves: Vec<(Vec<u8>, Vec<u8>)> =
            slots.iter().map(|(k, v)| (k.to_vec(), alloy_rlp::encode(v))).collect();
        let a = address(1);
        let (slot, value) = slots[4];
        let (root, proof) = trie(&leaves, slot.as_slice());
        assert_eq!(verify_storage(&a, &root, &slot, &value, &proof), Ok(()));
        assert!(matches!(
            verify_storage(&a, &root, &slot, &(value + U256::from(1)), &proof),
            Err(Error::InvalidStorageProof(_))
        ));
        assert!(verify_storage(&a, &root, &slot, &U256::ZERO, &proof).is_err());
        let empty = B256::from(U256::from(999u64));
        let (root, proof) = trie(&leaves, empty.as_slice());
        assert_eq!(verify_storage(&a, &root, &empty, &U256::ZERO, &proof), Ok(()));
        assert!(verify_storage(&a, &root, &empty, &U256::from(5), &proof).is_err());
        // An empty storage trie proves every slot zero with no nodes.
        assert_eq!(verify_storage(&a, &EMPTY_ROOT_HASH, &empty, &U256::ZERO, &[]), Ok(()));
    }

    #[test]
    fn code_must_hash_to_the_code_hash() {
        let code = [0x60u8, 0x00, 0x60, 0x00, 0xf3];
        let hash = keccak256(code);
        assert_eq!(verify_code(&address(1), &hash, &code), Ok(()));
        assert!(matches!(
            verify_code(&address(1), &hash, &code[..4]),
            Err(Error::CodeHashMismatch { .. })
        ));
        assert!(verify_code(&address(1), &KECCAK_EMPTY, &[]).is_ok());
    }
}
