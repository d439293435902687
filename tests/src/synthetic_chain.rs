//! A generated mainnet-preset light-client chain for benchmarks: `periods` consecutive
//! sync-committee periods in the Fulu era, each with its own 512-member committee, every update
//! signed by all 512 members with real BLS signatures (`mana_consensus::testing`).
//!
//! The official light-client vectors exist for the minimal preset only (32 members, a handful of
//! periods); catching up months of mainnet needs mainnet-sized objects, so this chain is built
//! instead and served by [`crate::beacon_server`] like any recorded case.

use std::collections::BTreeMap;

use mana_consensus::testing;
use mana_consensus::{
    LightClientFinalityUpdate, LightClientOptimisticUpdate, MAINNET_SYNC_COMMITTEE_SIZE as M,
};
use mana_primitives::ChainSpec;

use crate::beacon_server::{CaseData, Object};

/// The first period of the chain (mainnet, after the Fulu fork).
pub const FIRST_PERIOD: u64 = 1610;

/// The mainnet chain of `periods` periods with 512-member committees (see [`chain`]).
pub fn mainnet_chain(periods: u64) -> CaseData {
    chain::<M>(ChainSpec::mainnet(), "mainnet", periods)
}

/// Builds a chain on `spec` (a built-in network, `network` its name) with `N`-member
/// committees: a bootstrap at the start of [`FIRST_PERIOD`], then for each of `periods` periods
/// one update (attested 200 slots in, finalizing slot 128 of the period, carrying the next
/// committee). The latest finality and optimistic updates repeat the last update's attested
/// data, as a beacon node at that head would serve them. Tests shrink the committee
/// (`spec.preset.sync_committee_size = N`) to keep long chains cheap.
pub fn chain<const N: usize>(spec: ChainSpec, network: &str, periods: u64) -> CaseData {
    let gvr = spec.genesis_validators_root.unwrap_or_default();
    let period_start = |p: u64| spec.start_slot_of_period(p).expect("mainnet period");
    let object = |slot: u64, ssz: Vec<u8>| Object {
        fork: spec.fork_at_slot(slot),
        digest: spec.fork_digest(&gvr, spec.epoch_at_slot(slot)),
        ssz,
    };
    let committee = |index: u64| testing::committee::<N>(index as usize * N);

    let start = period_start(FIRST_PERIOD);
    let (mut keys, first) = committee(0);
    let (trusted_root, bootstrap) = testing::bootstrap(&spec, start, &first);
    let bootstrap = object(start, bootstrap.to_ssz(spec.fork_at_slot(start)).expect("encode"));

    let mut updates = BTreeMap::new();
    let mut last = None;
    for k in 0..periods {
        let slot = period_start(FIRST_PERIOD + k);
        let (next_keys, next) = committee(k + 1);
        let signers: Vec<Option<[u8; 32]>> = keys.iter().copied().map(Some).collect();
        let update = testing::update(&spec, &gvr, &signers, slot + 200, slot + 128, &next);
        let fork = spec.fork_at_slot(slot + 200);
        updates.insert(FIRST_PERIOD + k, object(slot + 200, update.to_ssz(fork).expect("encode")));
        last = Some(update);
        keys = next_keys;
    }

    let (finality, optimistic, current_slot) = match last {
        Some(u) => {
            let slot = u.attested_header.beacon.slot;
            let fork = spec.fork_at_slot(slot);
            let finality = LightClientFinalityUpdate {
                attested_header: u.attested_header.clone(),
                finalized_header: u.finalized_header.clone(),
                finality_branch: u.finality_branch.clone(),
                sync_aggregate: u.sync_aggregate.clone(),
                signature_slot: u.signature_slot,
            };
            let optimistic = LightClientOptimisticUpdate {
                attested_header: u.attested_header.clone(),
                sync_aggregate: u.sync_aggregate.clone(),
                signature_slot: u.signature_slot,
            };
            (
                Some(object(slot, finality.to_ssz(fork).expect("encode"))),
                Some(object(slot, optimistic.to_ssz(fork).expect("encode"))),
                u.signature_slot + 1,
            )
        }
        None => (None, None, start + 1),
    };

    CaseData {
        name: format!("synthetic-{network}-{N}-{periods}-periods"),
        network: Some(network.into()),
        spec,
        config_yaml: String::new(),
        genesis_validators_root: gvr,
        trusted_root,
        bootstrap,
        updates,
        finality,
        optimistic,
        current_slot,
    }
}
