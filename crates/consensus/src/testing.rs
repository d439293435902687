#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]
//! Synthetic, correctly signed light-client data for tests and benchmarks (feature
//! `test-utils`; never enabled in production builds).
//!
//! The official vectors carry valid signatures only for the minimal preset. Benchmarks need a
//! mainnet-preset update with 512 signers, so this module builds one: deterministic secret keys,
//! beacon states reduced to the Merkle paths the light client checks (every other node is filler),
//! and real BLS signatures over real signing roots.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use libssz_types::{SszBitvector, SszVector};
use mana_primitives::{
    ChainSpec, DOMAIN_SYNC_COMMITTEE, Slot, compute_domain, compute_signing_root, sha256,
    sha256_pair,
};

use crate::bls::{BlsVerifier, BlstVerifier};
use crate::light_client::{
    LightClientBootstrap, LightClientHeader, LightClientUpdate, hash_tree_root,
};
use crate::merkle::{EXECUTION_PAYLOAD_GINDEX, StateProofIndices, gindex_depth};
use crate::types::common::{
    B256, BeaconBlockHeader, BlsPubkey, ExecutionPayloadHeader, SyncAggregate, SyncCommittee,
};

/// A Merkle tree with chosen nodes at given generalized indices and filler elsewhere.
#[derive(Debug, Clone)]
struct SparseTree {
    nodes: BTreeMap<u64, B256>,
}

impl SparseTree {
    fn new(depth: u32, fixed: &[(u64, B256)], seed: u8) -> Self {
        let mut nodes = BTreeMap::new();
        let first_leaf = 1u64 << depth;
        for g in first_leaf..(first_leaf << 1) {
            let mut filler = [seed; 32];
            filler[..8].copy_from_slice(&g.to_le_bytes());
            nodes.insert(g, sha256(&filler));
        }
        for (g, value) in fixed {
            nodes.insert(*g, *value);
        }
        for g in (1..first_leaf).rev() {
            if fixed.iter().any(|(f, _)| *f == g) {
                continue;
            }
            let left = nodes.get(&(2 * g)).copied().unwrap_or_default();
            let right = nodes.get(&(2 * g + 1)).copied().unwrap_or_default();
            nodes.insert(g, sha256_pair(&left, &right));
        }
        Self { nodes }
    }

    fn root(&self) -> B256 {
        self.nodes.get(&1).copied().unwrap_or_default()
    }

    fn branch(&self, mut gindex: u64) -> Vec<B256> {
        let mut out = Vec::new();
        while gindex > 1 {
            out.push(self.nodes.get(&(gindex ^ 1)).copied().unwrap_or_default());
            gindex /= 2;
        }
        out
    }
}

/// The secret key of synthetic validator `index` (a small non-zero scalar).
pub fn secret_key(index: usize) -> [u8; 32] {
    let mut sk = [0u8; 32];
    sk[24..].copy_from_slice(&(index as u64 + 1).to_be_bytes());
    sk
}

/// The sum of `keys` when every key is below 2^64 (as [`secret_key`]s are), so the sum stays far
/// below the group order; `None` otherwise or for no keys.
fn small_key_sum(keys: &[[u8; 32]]) -> Option<[u8; 32]> {
    let mut sum: u128 = 0;
    for key in keys {
        if key[..24].iter().any(|b| *b != 0) {
            return None;
        }
        let mut low = [0u8; 8];
        low.copy_from_slice(&key[24..]);
        sum += u128::from(u64::from_be_bytes(low));
    }
    let mut out = [0u8; 32];
    out[16..].copy_from_slice(&sum.to_be_bytes());
    (sum != 0).then_some(out)
}

/// A synthetic committee of `S` validators starting at validator `first`.
pub fn committee<const S: usize>(first: usize) -> (Vec<[u8; 32]>, SyncCommittee<S>) {
    let bls = BlstVerifier;
    let keys: Vec<[u8; 32]> = (first..first + S).map(secret_key).collect();
    let pubkeys: Vec<BlsPubkey> =
        keys.iter().map(|sk| bls.public_key(sk).unwrap_or([0; 48])).collect();
    let aggregate_pubkey = bls.eth_aggregate_pubkeys(&pubkeys).unwrap_or([0; 48]);
    let pubkeys = SszVector::try_from(pubkeys).unwrap_or_else(|_| unreachable_vector());
    (keys, SyncCommittee { pubkeys, aggregate_pubkey })
}

#[allow(clippy::panic)]
fn unreachable_vector<T>() -> T {
    panic!("synthetic committee has exactly S keys")
}

/// A header at `slot` whose execution branch is valid and whose state root is `state_root`.
pub fn header(spec: &ChainSpec, slot: Slot, state_root: B256) -> LightClientHeader {
    header_with_execution(spec, slot, state_root, None)
}

/// Like [`header`], with the execution payload's block number and hash given (a real execution
/// chain's block, for end-to-end tests of verified execution); by default `slot` and a hash of
/// it.
pub fn header_with_execution(
    spec: &ChainSpec,
    slot: Slot,
    state_root: B256,
    execution_block: Option<(u64, B256)>,
) -> LightClientHeader {
    let (block_number, block_hash) =
        execution_block.unwrap_or_else(|| (slot, sha256(&slot.to_le_bytes())));
    let mut execution =
        ExecutionPayloadHeader { block_number, timestamp: slot * 12, ..Default::default() };
    execution.block_hash = block_hash;
    let mut header = LightClientHeader {
        beacon: BeaconBlockHeader {
            slot,
            proposer_index: slot % 1000,
            parent_root: [1; 32],
            state_root,
            body_root: [0; 32],
        },
        execution,
        execution_branch: [[0; 32]; 4],
    };
    if spec.fork_at_slot(slot) >= mana_primitives::Fork::Capella {
        let leaf = header.execution_root(spec);
        let tree = SparseTree::new(
            gindex_depth(EXECUTION_PAYLOAD_GINDEX),
            &[(EXECUTION_PAYLOAD_GINDEX, leaf)],
            7,
        );
        let branch = tree.branch(EXECUTION_PAYLOAD_GINDEX);
        for (dst, src) in header.execution_branch.iter_mut().zip(branch) {
            *dst = src;
        }
        header.beacon.body_root = tree.root();
    }
    header
}

/// A bootstrap at `slot` for `committee`, with its trusted block root.
pub fn bootstrap<const S: usize>(
    spec: &ChainSpec,
    slot: Slot,
    committee: &SyncCommittee<S>,
) -> (B256, LightClientBootstrap<S>) {
    bootstrap_with_execution(spec, slot, committee, None)
}

/// Like [`bootstrap`], with the header carrying `execution_block` (number, hash) as its
/// execution payload (see [`header_with_execution`]).
pub fn bootstrap_with_execution<const S: usize>(
    spec: &ChainSpec,
    slot: Slot,
    committee: &SyncCommittee<S>,
    execution_block: Option<(u64, B256)>,
) -> (B256, LightClientBootstrap<S>) {
    let gindex = StateProofIndices::at_slot(spec, slot).current_sync_committee;
    let tree = SparseTree::new(gindex_depth(gindex), &[(gindex, hash_tree_root(committee))], 3);
    let header = header_with_execution(spec, slot, tree.root(), execution_block);
    let root = header.beacon_root();
    (
        root,
        LightClientBootstrap {
            header,
            current_sync_committee: committee.clone(),
            current_sync_committee_branch: tree.branch(gindex),
        },
    )
}

/// An update signed by `signers` (secret keys, in committee order, `None` for absentees) with
/// attested slot `attested_slot`, finalizing `finalized_slot` and carrying `next_committee`.
pub fn update<const S: usize>(
    spec: &ChainSpec,
    genesis_validators_root: &B256,
    signers: &[Option<[u8; 32]>],
    attested_slot: Slot,
    finalized_slot: Slot,
    next_committee: &SyncCommittee<S>,
) -> LightClientUpdate<S> {
    update_with_execution(
        spec,
        genesis_validators_root,
        signers,
        attested_slot,
        finalized_slot,
        next_committee,
        None,
    )
}

/// Like [`update`], with both the finalized and the attested header carrying
/// `execution_block` (number, hash) as their execution payload (see [`header_with_execution`]).
pub fn update_with_execution<const S: usize>(
    spec: &ChainSpec,
    genesis_validators_root: &B256,
    signers: &[Option<[u8; 32]>],
    attested_slot: Slot,
    finalized_slot: Slot,
    next_committee: &SyncCommittee<S>,
    execution_block: Option<(u64, B256)>,
) -> LightClientUpdate<S> {
    let bls = BlstVerifier;
    let finalized = header_with_execution(
        spec,
        finalized_slot,
        sha256(&finalized_slot.to_be_bytes()),
        execution_block,
    );
    let indices = StateProofIndices::at_slot(spec, attested_slot);
    let depth = gindex_depth(indices.finalized_root).max(gindex_depth(indices.next_sync_committee));
    let tree = SparseTree::new(
        depth,
        &[
            (indices.finalized_root, finalized.beacon_root()),
            (indices.next_sync_committee, hash_tree_root(next_committee)),
        ],
        5,
    );
    let attested = header_with_execution(spec, attested_slot, tree.root(), execution_block);
    let signature_slot = attested_slot + 1;
    let fork_version = spec.fork_version_at_epoch(spec.epoch_at_slot(signature_slot - 1));
    let domain = compute_domain(DOMAIN_SYNC_COMMITTEE, fork_version, genesis_validators_root);
    let signing_root = compute_signing_root(&attested.beacon_root(), &domain);
    let mut bits = SszBitvector::<S>::default();
    let mut keys = Vec::new();
    for (i, signer) in signers.iter().enumerate() {
        if let Some(sk) = signer {
            if bits.set(i, true).is_err() {
                continue;
            }
            keys.push(*sk);
        }
    }
    let signature = match small_key_sum(&keys) {
        // Signing is linear in the key: one signature with the summed key is the aggregate.
        Some(sum) => bls.sign(&sum, &signing_root).unwrap_or([0; 96]),
        None => {
            let signatures: Vec<_> =
                keys.iter().map(|sk| bls.sign(sk, &signing_root).unwrap_or([0; 96])).collect();
            bls.aggregate_signatures(&signatures).unwrap_or([0; 96])
        }
    };
    LightClientUpdate {
        attested_header: attested,
        next_sync_committee: Some(next_committee.clone()),
        next_sync_committee_branch: tree.branch(indices.next_sync_committee),
        finalized_header: finalized,
        finality_branch: tree.branch(indices.finalized_root),
        sync_aggregate: SyncAggregate {
            sync_committee_bits: bits,
            sync_committee_signature: signature,
        },
        signature_slot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LightClient;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn synthetic_mainnet_update_verifies() {
        // Mainnet forks with a 32-member committee keeps the test fast.
        let mut spec = ChainSpec::mainnet();
        spec.preset.sync_committee_size = 32;
        let gvr = spec.genesis_validators_root.unwrap();
        let period_start = spec.start_slot_of_period(1500).unwrap();
        let (keys, current) = committee::<32>(0);
        let (_, next) = committee::<32>(32);
        let (root, boot) = bootstrap(&spec, period_start, &current);
        let mut client =
            LightClient::bootstrap(spec.clone(), gvr, &root, boot, BlstVerifier).unwrap();
        let signers: Vec<Option<[u8; 32]>> =
            keys.iter().enumerate().map(|(i, k)| (i != 3).then_some(*k)).collect();
        let upd = update(&spec, &gvr, &signers, period_start + 100, period_start + 64, &next);
        client.validate_update(&upd, period_start + 200).unwrap();
        let mut bad = upd.clone();
        bad.sync_aggregate.sync_committee_bits.set(3, true).unwrap();
        assert!(client.validate_update(&bad, period_start + 200).is_err());
        let effect = client.process_update(upd, period_start + 200).unwrap();
        assert!(effect.finalized_advanced);
        assert_eq!(client.store().finalized_header.beacon.slot, period_start + 64);
    }

    #[test]
    fn force_update_policy_gates_weak_updates() {
        use crate::ForceUpdatePolicy;
        let mut spec = ChainSpec::mainnet();
        spec.preset.sync_committee_size = 32;
        let gvr = spec.genesis_validators_root.unwrap();
        let start = spec.start_slot_of_period(1500).unwrap();
        let (keys, current) = committee::<32>(0);
        let (_, next) = committee::<32>(32);
        let (root, boot) = bootstrap(&spec, start, &current);
        let mut client =
            LightClient::bootstrap(spec.clone(), gvr, &root, boot, BlstVerifier).unwrap();
        // Five signers: valid, but no supermajority, so it only becomes the best valid update.
        let signers: Vec<Option<[u8; 32]>> =
            keys.iter().enumerate().map(|(i, k)| (i < 5).then_some(*k)).collect();
        let weak = update(&spec, &gvr, &signers, start + 100, start + 64, &next);
        let effect = client.process_update(weak, start + 200).unwrap();
        assert!(!effect.finalized_advanced);
        assert!(client.store().best_valid_update.is_some());
        let late = start + spec.preset.update_timeout() + 1;
        assert!(!client.force_update_due(start + 1));
        let before = client.store().clone();
        assert_eq!(client.force_update(late, ForceUpdatePolicy::SUPERMAJORITY).unwrap(), None);
        assert_eq!(client.store(), &before);
        // The weak update rotates the committee: a policy that otherwise accepts minorities
        // still refuses it.
        let minority_ok =
            ForceUpdatePolicy { require_supermajority: false, ..ForceUpdatePolicy::SPEC };
        let guarded = ForceUpdatePolicy { committee_needs_supermajority: true, ..minority_ok };
        assert_eq!(client.force_update(late, guarded).unwrap(), None);
        assert_eq!(client.store(), &before);
        assert_eq!(ForceUpdatePolicy::default(), ForceUpdatePolicy::SUPERMAJORITY);
        let effect = client.force_update(late, ForceUpdatePolicy::SPEC).unwrap().unwrap();
        assert!(effect.finalized_advanced);
        assert_eq!(client.store().finalized_header.beacon.slot, start + 64);
        assert!(client.store().best_valid_update.is_none());
        // The forced header is not final: the assurance keeps the checkpoint.
        assert!(client.assurance().forced(client.store()));
        assert_eq!(client.assurance().finalized.beacon.slot, start);
        assert_eq!(client.assurance().supermajority_head.beacon.slot, start);
    }

    /// The attack of a rogue committee member right after a bootstrap: one signature moves the
    /// spec's optimistic header, never the supermajority head; a 2/3 update moves both.
    #[test]
    fn one_signer_moves_only_the_spec_optimistic_header() {
        let mut spec = ChainSpec::mainnet();
        spec.preset.sync_committee_size = 32;
        let gvr = spec.genesis_validators_root.unwrap();
        let start = spec.start_slot_of_period(1500).unwrap();
        let (keys, current) = committee::<32>(0);
        let (_, next) = committee::<32>(32);
        let (root, boot) = bootstrap(&spec, start, &current);
        let mut client =
            LightClient::bootstrap(spec.clone(), gvr, &root, boot, BlstVerifier).unwrap();
        let one: Vec<Option<[u8; 32]>> =
            keys.iter().enumerate().map(|(i, k)| (i == 7).then_some(*k)).collect();
        let rogue = update(&spec, &gvr, &one, start + 150, start + 64, &next);
        let effect = client.process_update(rogue, start + 200).unwrap();
        assert!(effect.optimistic_advanced, "the spec's threshold is 0 after a bootstrap");
        assert_eq!(client.store().optimistic_header.beacon.slot, start + 150);
        assert_eq!(client.assurance().supermajority_head.beacon.slot, start);
        assert_eq!(client.assurance().finalized.beacon.slot, start);
        let most: Vec<Option<[u8; 32]>> =
            keys.iter().enumerate().map(|(i, k)| (i < 22).then_some(*k)).collect();
        let honest = update(&spec, &gvr, &most, start + 160, start + 96, &next);
        client.process_update(honest, start + 200).unwrap();
        assert_eq!(client.assurance().supermajority_head.beacon.slot, start + 160);
        assert_eq!(client.assurance().finalized.beacon.slot, start + 96);
        assert!(!client.assurance().forced(client.store()));
        // Restored marks may not claim more than the store holds.
        let store = client.store().clone();
        let marks = client.assurance().clone();
        let resumed = LightClient::from_store(spec.clone(), gvr, store.clone(), BlstVerifier)
            .unwrap()
            .with_assurance(marks.clone())
            .unwrap();
        assert_eq!(resumed.assurance(), &marks);
        let mut inflated = marks;
        inflated.finalized = store.optimistic_header.clone();
        assert!(
            LightClient::from_store(spec, gvr, store, BlstVerifier)
                .unwrap()
                .with_assurance(inflated)
                .is_err()
        );
    }
}
