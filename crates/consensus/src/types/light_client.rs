//! Light-client containers as they travel on the wire, one shape per fork
//! (`{altair,capella,deneb,electra}/light-client/sync-protocol.md`, "Containers").
//!
//! Fulu adds no light-client changes and uses the Electra shapes. The sync protocol works on the
//! fork-independent forms in [`crate::light_client`]; these types exist to decode, re-encode and
//! hash exactly what a server sent.

use alloc::vec::Vec;

use libssz::{SszDecode, SszEncode};
use libssz_derive::{HashTreeRoot, SszDecode, SszEncode};
use libssz_merkle::HashTreeRoot;
use libssz_types::SszVector;

use super::common::{
    B256, BeaconBlockHeader, CapellaExecutionPayloadHeader, ExecutionPayloadHeader, SyncAggregate,
    SyncCommittee,
};

/// `EXECUTION_PAYLOAD_GINDEX` depth (capella): `floorlog2(25)`.
pub const EXECUTION_BRANCH_DEPTH: usize = 4;

/// `LightClientHeader` (altair, bellatrix).
#[derive(Debug, Clone, Default, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct AltairLightClientHeader {
    /// The beacon block header.
    pub beacon: BeaconBlockHeader,
}

/// `LightClientHeader` (capella).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct CapellaLightClientHeader {
    /// The beacon block header.
    pub beacon: BeaconBlockHeader,
    /// The execution payload header of the block.
    pub execution: CapellaExecutionPayloadHeader,
    /// Proof of `execution` under `beacon.body_root`.
    pub execution_branch: SszVector<B256, EXECUTION_BRANCH_DEPTH>,
}

/// `LightClientHeader` (deneb, electra, fulu).
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct DenebLightClientHeader {
    /// The beacon block header.
    pub beacon: BeaconBlockHeader,
    /// The execution payload header of the block.
    pub execution: ExecutionPayloadHeader,
    /// Proof of `execution` under `beacon.body_root`.
    pub execution_branch: SszVector<B256, EXECUTION_BRANCH_DEPTH>,
}

/// Bounds every wire header type satisfies.
pub trait WireHeader: SszEncode + SszDecode + HashTreeRoot + Clone {}
impl WireHeader for AltairLightClientHeader {}
impl WireHeader for CapellaLightClientHeader {}
impl WireHeader for DenebLightClientHeader {}

/// `LightClientBootstrap` with header type `H`, `S` committee members and a current-committee
/// branch of `CB` nodes.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct WireBootstrap<H: WireHeader, const S: usize, const CB: usize> {
    /// Header of the checkpoint block.
    pub header: H,
    /// The committee of the checkpoint's period.
    pub current_sync_committee: SyncCommittee<S>,
    /// Proof of the committee under `header.beacon.state_root`.
    pub current_sync_committee_branch: SszVector<B256, CB>,
}

/// `LightClientUpdate` with header type `H`, `S` committee members, a next-committee branch of
/// `NB` nodes and a finality branch of `FB` nodes.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct WireUpdate<H: WireHeader, const S: usize, const NB: usize, const FB: usize> {
    /// The header the committee signed.
    pub attested_header: H,
    /// Next committee, proven under `attested_header.beacon.state_root`.
    pub next_sync_committee: SyncCommittee<S>,
    /// Proof of `next_sync_committee`.
    pub next_sync_committee_branch: SszVector<B256, NB>,
    /// Finalized header, proven under `attested_header.beacon.state_root`.
    pub finalized_header: H,
    /// Proof of the finalized checkpoint root.
    pub finality_branch: SszVector<B256, FB>,
    /// Committee signature over `attested_header.beacon`.
    pub sync_aggregate: SyncAggregate<S>,
    /// Slot at which the aggregate was created.
    pub signature_slot: u64,
}

/// `LightClientFinalityUpdate`.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct WireFinalityUpdate<H: WireHeader, const S: usize, const FB: usize> {
    /// The header the committee signed.
    pub attested_header: H,
    /// Finalized header.
    pub finalized_header: H,
    /// Proof of the finalized checkpoint root.
    pub finality_branch: SszVector<B256, FB>,
    /// Committee signature over `attested_header.beacon`.
    pub sync_aggregate: SyncAggregate<S>,
    /// Slot at which the aggregate was created.
    pub signature_slot: u64,
}

/// `LightClientOptimisticUpdate`.
#[derive(Debug, Clone, PartialEq, Eq, SszEncode, SszDecode, HashTreeRoot)]
pub struct WireOptimisticUpdate<H: WireHeader, const S: usize> {
    /// The header the committee signed.
    pub attested_header: H,
    /// Committee signature over `attested_header.beacon`.
    pub sync_aggregate: SyncAggregate<S>,
    /// Slot at which the aggregate was created.
    pub signature_slot: u64,
}

/// Altair/Bellatrix update with committee size `S`.
pub type AltairLightClientUpdate<const S: usize> = WireUpdate<AltairLightClientHeader, S, 5, 6>;
/// Capella update.
pub type CapellaLightClientUpdate<const S: usize> = WireUpdate<CapellaLightClientHeader, S, 5, 6>;
/// Deneb update.
pub type DenebLightClientUpdate<const S: usize> = WireUpdate<DenebLightClientHeader, S, 5, 6>;
/// Electra/Fulu update (deeper `BeaconState`, longer branches).
pub type ElectraLightClientUpdate<const S: usize> = WireUpdate<DenebLightClientHeader, S, 6, 7>;

/// Keeps `Vec` in scope for the derive macros.
#[allow(dead_code)]
type DeriveScope = Vec<u8>;
