//! SSZ Merkle branches (phase0 `is_valid_merkle_branch`; altair/electra
//! `is_valid_normalized_merkle_branch`) and the light-client generalized indices.

use mana_primitives::{Fork, Slot, sha256_pair};

use crate::types::common::B256;

/// `FINALIZED_ROOT_GINDEX` (altair): `get_generalized_index(BeaconState, 'finalized_checkpoint', 'root')`.
pub const FINALIZED_ROOT_GINDEX: u64 = 105;
/// `CURRENT_SYNC_COMMITTEE_GINDEX` (altair).
pub const CURRENT_SYNC_COMMITTEE_GINDEX: u64 = 54;
/// `NEXT_SYNC_COMMITTEE_GINDEX` (altair).
pub const NEXT_SYNC_COMMITTEE_GINDEX: u64 = 55;
/// `FINALIZED_ROOT_GINDEX_ELECTRA`.
pub const FINALIZED_ROOT_GINDEX_ELECTRA: u64 = 169;
/// `CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA`.
pub const CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA: u64 = 86;
/// `NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA`.
pub const NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA: u64 = 87;
/// `EXECUTION_PAYLOAD_GINDEX` (capella): `get_generalized_index(BeaconBlockBody, 'execution_payload')`.
pub const EXECUTION_PAYLOAD_GINDEX: u64 = 25;

/// `floorlog2(gindex)`: the depth of a generalized index.
pub fn gindex_depth(gindex: u64) -> u32 {
    gindex.checked_ilog2().unwrap_or(0)
}

/// `get_subtree_index(gindex)`: the position among the leaves at its depth.
pub fn subtree_index(gindex: u64) -> u64 {
    let depth = gindex_depth(gindex);
    gindex & 1u64.checked_shl(depth).map_or(0, |bit| bit.wrapping_sub(1))
}

/// `is_valid_merkle_branch(leaf, branch, depth, index, root)` (phase0 `beacon-chain.md`).
///
/// Returns `false` (never panics) when `branch` is shorter than `depth`.
pub fn is_valid_merkle_branch(
    leaf: &B256,
    branch: &[B256],
    depth: u32,
    index: u64,
    root: &B256,
) -> bool {
    let Some(nodes) = branch.get(..depth as usize) else { return false };
    let mut value = *leaf;
    for (level, sibling) in nodes.iter().enumerate() {
        let bit = index.checked_shr(level as u32).unwrap_or(0) & 1;
        value = if bit == 1 { sha256_pair(sibling, &value) } else { sha256_pair(&value, sibling) };
    }
    value == *root
}

/// `is_valid_normalized_merkle_branch(leaf, branch, gindex, root)` (altair `sync-protocol.md`):
/// a branch longer than the depth of `gindex` must start with zero nodes (an older, shallower
/// proof padded to a newer fork's length); the rest is checked at the true depth.
pub fn is_valid_normalized_merkle_branch(
    leaf: &B256,
    branch: &[B256],
    gindex: u64,
    root: &B256,
) -> bool {
    let depth = gindex_depth(gindex);
    let Some(extra) = branch.len().checked_sub(depth as usize) else { return false };
    let (padding, proof) = branch.split_at(extra);
    padding.iter().all(|node| *node == [0u8; 32])
        && is_valid_merkle_branch(leaf, proof, depth, subtree_index(gindex), root)
}

/// Generalized indices of the light-client proofs into `BeaconState` for a fork.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateProofIndices {
    /// `finalized_checkpoint.root`.
    pub finalized_root: u64,
    /// `current_sync_committee`.
    pub current_sync_committee: u64,
    /// `next_sync_committee`.
    pub next_sync_committee: u64,
}

impl StateProofIndices {
    /// The indices for data of `fork` (`*_gindex_at_slot` pick by the fork of the attested slot).
    pub const fn for_fork(fork: Fork) -> Self {
        match fork {
            Fork::Phase0 | Fork::Altair | Fork::Bellatrix | Fork::Capella | Fork::Deneb => Self {
                finalized_root: FINALIZED_ROOT_GINDEX,
                current_sync_committee: CURRENT_SYNC_COMMITTEE_GINDEX,
                next_sync_committee: NEXT_SYNC_COMMITTEE_GINDEX,
            },
            Fork::Electra | Fork::Fulu => Self {
                finalized_root: FINALIZED_ROOT_GINDEX_ELECTRA,
                current_sync_committee: CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA,
                next_sync_committee: NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA,
            },
        }
    }

    /// The indices at `slot` of `spec`.
    pub fn at_slot(spec: &mana_primitives::ChainSpec, slot: Slot) -> Self {
        Self::for_fork(spec.fork_at_slot(slot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn gindex_helpers() {
        assert_eq!(gindex_depth(105), 6);
        assert_eq!(subtree_index(105), 41);
        assert_eq!(gindex_depth(169), 7);
        assert_eq!(subtree_index(169), 41);
        assert_eq!(subtree_index(55), 23);
        assert_eq!(gindex_depth(0), 0);
    }

    #[test]
    fn branch_round_trip_and_tampering() {
        let leaf = [1u8; 32];
        let branch = [[2u8; 32], [3u8; 32], [4u8; 32]];
        let index = 5u64; // 0b101
        let l1 = sha256_pair(&branch[0], &leaf);
        let l2 = sha256_pair(&l1, &branch[1]);
        let root = sha256_pair(&branch[2], &l2);
        assert!(is_valid_merkle_branch(&leaf, &branch, 3, index, &root));
        assert!(!is_valid_merkle_branch(&leaf, &branch, 3, 4, &root));
        assert!(!is_valid_merkle_branch(&leaf, &branch[..2], 3, index, &root));
        let gindex = 8 + index;
        assert!(is_valid_normalized_merkle_branch(&leaf, &branch, gindex, &root));
        let padded = [[0u8; 32], branch[0], branch[1], branch[2]];
        assert!(is_valid_normalized_merkle_branch(&leaf, &padded, gindex, &root));
        let bad_pad = [[9u8; 32], branch[0], branch[1], branch[2]];
        assert!(!is_valid_normalized_merkle_branch(&leaf, &bad_pad, gindex, &root));
        assert!(!is_valid_normalized_merkle_branch(&leaf, &branch[..2], gindex, &root));
    }
}
