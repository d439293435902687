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
    let layout = Layout { first_period: FIRST_PERIOD, attested: 200, finalized: 128 };
    let mut case = build::<N>(spec, periods, layout, None);
    case.name = format!("synthetic-{network}-{N}-{periods}-periods");
    case.network = Some(network.into());
    case
}

/// Where a generated chain's updates sit: the first period, and the attested and finalized
/// slots' offsets into each period.
#[derive(Debug, Clone, Copy)]
struct Layout {
    first_period: u64,
    attested: u64,
    finalized: u64,
}

/// The name of [`live_chain`]'s case.
pub const LIVE_CASE: &str = "live";

/// Slot duration of [`live_chain`], milliseconds.
pub const LIVE_SLOT_MS: u64 = 60_000;

/// `config_yaml` with the keys of `lines` (`KEY: value`) replaced by those lines.
fn with_lines(config_yaml: &str, lines: &[String]) -> String {
    let keys: Vec<&str> = lines.iter().filter_map(|l| l.split(':').next()).collect();
    config_yaml
        .lines()
        .filter(|l| !keys.iter().any(|k| l.starts_with(&format!("{k}:"))))
        .map(str::to_string)
        .chain(lines.iter().cloned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What one rogue sync-committee member (or a forced update) tries, for [`rogue_chain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rogue {
    /// Right after the bootstrap, one member signs a header carrying `rogue_block`: the spec
    /// moves its optimistic header on it (its threshold is 0 before any honest update).
    OneSignerHead,
    /// One member signs an update carrying the attacker's next committee, and the wall clock
    /// is past `UPDATE_TIMEOUT`: the spec's forced update would rotate the store onto it.
    OneSignerRotation,
    /// 2/3 of the committee sign a header that never reached finality (the finality it
    /// carries is older than the store's), and the wall clock is past `UPDATE_TIMEOUT`: a
    /// forced update applies it.
    ForcedSupermajority,
}

impl Rogue {
    /// Every attack.
    pub const ALL: [Self; 3] =
        [Self::OneSignerHead, Self::OneSignerRotation, Self::ForcedSupermajority];

    /// The case name (`rogue-head`, `rogue-rotation`, `rogue-forced`).
    pub fn case_name(self) -> &'static str {
        match self {
            Self::OneSignerHead => "rogue-head",
            Self::OneSignerRotation => "rogue-rotation",
            Self::ForcedSupermajority => "rogue-forced",
        }
    }
}

/// Index of the committee the attacker controls in [`rogue_chain`] (its members' secret keys
/// are `testing::committee(ATTACKER_COMMITTEE * 32)`).
pub const ATTACKER_COMMITTEE: usize = 1000;

/// A minimal-preset chain (32-member committees) on `config_yaml` with `DEPOSIT_CHAIN_ID`
/// `chain_id`: a checkpoint at the start of period 1 whose header carries `honest_block`, and
/// one update made by the attack `rogue` (every route serves it: `updates`, finality and
/// optimistic), its headers carrying `rogue_block`. Genesis is placed so that the case's "now"
/// is `now_unix_s`.
pub fn rogue_chain(
    config_yaml: &str,
    chain_id: u64,
    rogue: Rogue,
    honest_block: (u64, [u8; 32]),
    rogue_block: (u64, [u8; 32]),
    now_unix_s: u64,
) -> CaseData {
    const N: usize = mana_consensus::MINIMAL_SYNC_COMMITTEE_SIZE;
    // Minute-long slots as in [`live_chain`]: the served head stays within the 3-epoch lag
    // limit while the tests run (or, where the attack needs it, far past it).
    let yaml = with_lines(
        config_yaml,
        &[
            format!("DEPOSIT_CHAIN_ID: {chain_id}"),
            format!("SLOT_DURATION_MS: {LIVE_SLOT_MS}"),
            format!("SECONDS_PER_SLOT: {}", LIVE_SLOT_MS / 1000),
        ],
    );
    let mut spec = ChainSpec::from_config_yaml(&yaml).expect("config");
    assert_eq!(spec.preset.sync_committee_size, N, "rogue chains use the minimal preset");
    spec.genesis_validators_root = Some([0x52; 32]);
    let gvr = [0x52; 32];
    let start = spec.start_slot_of_period(1).expect("period 1");
    let attested = start + if rogue == Rogue::OneSignerHead { 3 } else { 20 };
    let (keys, current) = testing::committee::<N>(0);
    let (_, honest_next) = testing::committee::<N>(N);
    let (_, attacker_next) = testing::committee::<N>(ATTACKER_COMMITTEE * N);
    let (signers, finalized, next, current_slot) = match rogue {
        Rogue::OneSignerHead => (1, start + 1, &attacker_next, attested + 2),
        Rogue::OneSignerRotation => {
            (1, start + 8, &attacker_next, start + spec.preset.update_timeout() + 30)
        }
        Rogue::ForcedSupermajority => {
            (22, start - 8, &honest_next, start + spec.preset.update_timeout() + 30)
        }
    };
    let seconds = spec.slot_duration_ms / 1000;
    spec.genesis_time = now_unix_s - current_slot * seconds;
    let signing: Vec<Option<[u8; 32]>> =
        keys.iter().enumerate().map(|(i, k)| (i < signers).then_some(*k)).collect();
    let update = testing::update_with_execution(
        &spec,
        &gvr,
        &signing,
        attested,
        finalized,
        next,
        Some(rogue_block),
    );
    let (trusted_root, bootstrap) =
        testing::bootstrap_with_execution(&spec, start, &current, Some(honest_block));
    let object = |slot: u64, ssz: Vec<u8>| Object {
        fork: spec.fork_at_slot(slot),
        digest: spec.fork_digest(&gvr, spec.epoch_at_slot(slot)),
        ssz,
    };
    let fork = spec.fork_at_slot(attested);
    let finality = LightClientFinalityUpdate {
        attested_header: update.attested_header.clone(),
        finalized_header: update.finalized_header.clone(),
        finality_branch: update.finality_branch.clone(),
        sync_aggregate: update.sync_aggregate.clone(),
        signature_slot: update.signature_slot,
    };
    let optimistic = LightClientOptimisticUpdate {
        attested_header: update.attested_header.clone(),
        sync_aggregate: update.sync_aggregate.clone(),
        signature_slot: update.signature_slot,
    };
    CaseData {
        name: rogue.case_name().into(),
        network: None,
        bootstrap: object(start, bootstrap.to_ssz(spec.fork_at_slot(start)).expect("encode")),
        updates: BTreeMap::from([(1, object(attested, update.to_ssz(fork).expect("encode")))]),
        finality: Some(object(attested, finality.to_ssz(fork).expect("encode"))),
        optimistic: Some(object(attested, optimistic.to_ssz(fork).expect("encode"))),
        spec,
        config_yaml: yaml,
        genesis_validators_root: gvr,
        trusted_root,
        current_slot,
    }
}

/// A chain on the consensus config `config_yaml` (minimal preset, 32-member committees) whose
/// head is *now*: genesis is placed so that the last of `periods` updates was signed in the
/// previous slot at `now_unix_s`. Its last finalized and attested headers carry
/// `execution_block` (number, hash) as their execution payload, so a light client that syncs
/// it vouches for that block of a real execution node (the end-to-end tests of the npm
/// package point it at Anvil's head). `DEPOSIT_CHAIN_ID` is set to `chain_id`.
pub fn live_chain(
    config_yaml: &str,
    chain_id: u64,
    periods: u64,
    execution_block: Option<(u64, [u8; 32])>,
    now_unix_s: u64,
) -> CaseData {
    const N: usize = mana_consensus::MINIMAL_SYNC_COMMITTEE_SIZE;
    // Minute-long slots: the chain's head does not move while the tests run, and a verified
    // head more than 3 epochs (24 slots) behind the wall clock no longer answers for `latest`.
    let yaml = with_lines(
        config_yaml,
        &[
            format!("DEPOSIT_CHAIN_ID: {chain_id}"),
            format!("SLOT_DURATION_MS: {LIVE_SLOT_MS}"),
            format!("SECONDS_PER_SLOT: {}", LIVE_SLOT_MS / 1000),
        ],
    );
    let mut spec = ChainSpec::from_config_yaml(&yaml).expect("config");
    assert_eq!(spec.preset.sync_committee_size, N, "live chains use the minimal preset");
    let period = spec.preset.slots_per_epoch * spec.preset.epochs_per_sync_committee_period;
    let layout = Layout { first_period: 1, attested: period - 20, finalized: period - 36 };
    let last_signature_slot = (layout.first_period + periods - 1) * period + layout.attested + 1;
    let seconds = spec.slot_duration_ms / 1000;
    spec.genesis_time = now_unix_s - (last_signature_slot + 1) * seconds;
    spec.genesis_validators_root = Some([0x4d; 32]);
    let mut case = build::<N>(spec, periods, layout, execution_block);
    case.name = LIVE_CASE.into();
    case.config_yaml = yaml;
    case
}

fn build<const N: usize>(
    spec: ChainSpec,
    periods: u64,
    layout: Layout,
    execution_block: Option<(u64, [u8; 32])>,
) -> CaseData {
    let Layout { first_period, attested, finalized } = layout;
    let gvr = spec.genesis_validators_root.unwrap_or_default();
    let period_start = |p: u64| spec.start_slot_of_period(p).expect("mainnet period");
    let object = |slot: u64, ssz: Vec<u8>| Object {
        fork: spec.fork_at_slot(slot),
        digest: spec.fork_digest(&gvr, spec.epoch_at_slot(slot)),
        ssz,
    };
    let committee = |index: u64| testing::committee::<N>(index as usize * N);

    let start = period_start(first_period);
    let (mut keys, first) = committee(0);
    let (trusted_root, bootstrap) = testing::bootstrap(&spec, start, &first);
    let bootstrap = object(start, bootstrap.to_ssz(spec.fork_at_slot(start)).expect("encode"));

    let mut updates = BTreeMap::new();
    let mut last = None;
    for k in 0..periods {
        let slot = period_start(first_period + k);
        let (next_keys, next) = committee(k + 1);
        let signers: Vec<Option<[u8; 32]>> = keys.iter().copied().map(Some).collect();
        let execution = execution_block.filter(|_| k + 1 == periods);
        let update = testing::update_with_execution(
            &spec,
            &gvr,
            &signers,
            slot + attested,
            slot + finalized,
            &next,
            execution,
        );
        let fork = spec.fork_at_slot(slot + attested);
        updates.insert(
            first_period + k,
            object(slot + attested, update.to_ssz(fork).expect("encode")),
        );
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
        name: String::new(),
        network: None,
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
