//! Fork-independent light-client containers and their SSZ forms per fork.
//!
//! The protocol code works on one shape for every fork: the Deneb-shaped header (which carries
//! all older headers: Altair headers have a zero execution part, Capella headers zero blob gas)
//! and branches of whatever length the fork sent. This is what the specs' `upgrade_lc_*`
//! functions (`{capella,deneb,electra}/light-client/fork.md`) amount to: upgrading adds zero
//! fields and pads branches with zero nodes on the left, which the normalized branch check accepts.

use alloc::vec::Vec;

use libssz::{SszDecode, SszEncode};
use libssz_merkle::HashTreeRoot;
use libssz_types::SszVector;
use mana_primitives::{ChainSpec, Fork, Sha256};

use crate::error::{Error, HeaderError, HeaderRole, Result};
use crate::merkle::{
    EXECUTION_PAYLOAD_GINDEX, gindex_depth, is_valid_merkle_branch, subtree_index,
};
use crate::types::common::{
    B256, BeaconBlockHeader, ExecutionPayloadHeader, SyncAggregate, SyncCommittee,
};
use crate::types::light_client::{
    AltairLightClientHeader, CapellaLightClientHeader, DenebLightClientHeader, WireBootstrap,
    WireFinalityUpdate, WireHeader, WireOptimisticUpdate, WireUpdate,
};

/// The SHA-256 hasher libssz uses for hash tree roots.
#[derive(Debug, Clone, Copy, Default)]
pub struct SszHasher;

impl libssz_merkle::Sha256Hasher for SszHasher {
    fn hash(&self, data: &[u8]) -> [u8; 32] {
        Sha256.digest(data)
    }
}

/// `hash_tree_root(value)`.
pub fn hash_tree_root<T: HashTreeRoot>(value: &T) -> B256 {
    value.hash_tree_root(&SszHasher)
}

/// `LightClientHeader`, in its Deneb shape (used for every fork).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LightClientHeader {
    /// The beacon block header.
    pub beacon: BeaconBlockHeader,
    /// The execution payload header (all zero before Capella).
    pub execution: ExecutionPayloadHeader,
    /// Proof of `execution` under `beacon.body_root` (all zero before Capella).
    pub execution_branch: [B256; 4],
}

impl LightClientHeader {
    /// `hash_tree_root(header.beacon)`: the beacon block root.
    pub fn beacon_root(&self) -> B256 {
        hash_tree_root(&self.beacon)
    }

    /// `get_lc_execution_root(header)` (deneb/electra `sync-protocol.md`): the root of the
    /// execution header as the fork of the header's slot defines it.
    pub fn execution_root(&self, spec: &ChainSpec) -> B256 {
        match spec.fork_at_slot(self.beacon.slot) {
            Fork::Phase0 | Fork::Altair | Fork::Bellatrix => [0; 32],
            Fork::Capella => hash_tree_root(&self.execution.to_capella()),
            Fork::Deneb | Fork::Electra | Fork::Fulu => hash_tree_root(&self.execution),
        }
    }

    /// `is_valid_light_client_header(header)` (deneb/electra `sync-protocol.md`).
    pub fn validate(&self, spec: &ChainSpec) -> core::result::Result<(), HeaderError> {
        let fork = spec.fork_at_slot(self.beacon.slot);
        if fork < Fork::Deneb
            && (self.execution.blob_gas_used != 0 || self.execution.excess_blob_gas != 0)
        {
            return Err(HeaderError::BlobGasBeforeDeneb);
        }
        if fork < Fork::Capella {
            return if self.execution == ExecutionPayloadHeader::default()
                && self.execution_branch == [[0; 32]; 4]
            {
                Ok(())
            } else {
                Err(HeaderError::ExecutionBeforeCapella)
            };
        }
        if is_valid_merkle_branch(
            &self.execution_root(spec),
            &self.execution_branch,
            gindex_depth(EXECUTION_PAYLOAD_GINDEX),
            subtree_index(EXECUTION_PAYLOAD_GINDEX),
            &self.beacon.body_root,
        ) {
            Ok(())
        } else {
            Err(HeaderError::InvalidExecutionBranch)
        }
    }

    pub(crate) fn check(&self, spec: &ChainSpec, role: HeaderRole) -> Result<()> {
        self.validate(spec).map_err(|reason| Error::InvalidHeader { role, reason })
    }
}

fn array4(v: &SszVector<B256, 4>) -> [B256; 4] {
    let mut out = [[0u8; 32]; 4];
    for (o, n) in out.iter_mut().zip(v.iter()) {
        *o = *n;
    }
    out
}

/// Conversion between a fork's wire header and [`LightClientHeader`].
pub trait HeaderShape: WireHeader {
    /// Wire → common form.
    fn into_common(self) -> LightClientHeader;
    /// Common form → wire (fields the older fork lacks are dropped).
    fn from_common(header: &LightClientHeader) -> Result<Self>;
}

impl HeaderShape for AltairLightClientHeader {
    fn into_common(self) -> LightClientHeader {
        LightClientHeader { beacon: self.beacon, ..LightClientHeader::default() }
    }
    fn from_common(header: &LightClientHeader) -> Result<Self> {
        Ok(Self { beacon: header.beacon.clone() })
    }
}

impl HeaderShape for CapellaLightClientHeader {
    fn into_common(self) -> LightClientHeader {
        LightClientHeader {
            beacon: self.beacon,
            execution: ExecutionPayloadHeader::from_capella(self.execution),
            execution_branch: array4(&self.execution_branch),
        }
    }
    fn from_common(header: &LightClientHeader) -> Result<Self> {
        Ok(Self {
            beacon: header.beacon.clone(),
            execution: header.execution.to_capella(),
            execution_branch: fit_branch(&header.execution_branch)?,
        })
    }
}

impl HeaderShape for DenebLightClientHeader {
    fn into_common(self) -> LightClientHeader {
        LightClientHeader {
            beacon: self.beacon,
            execution: self.execution,
            execution_branch: array4(&self.execution_branch),
        }
    }
    fn from_common(header: &LightClientHeader) -> Result<Self> {
        Ok(Self {
            beacon: header.beacon.clone(),
            execution: header.execution.clone(),
            execution_branch: fit_branch(&header.execution_branch)?,
        })
    }
}

/// Fits a branch to a fork's length the way `normalize_merkle_branch` does: shorter branches are
/// padded with zero nodes on the left; longer ones may only shed leading zero nodes.
pub fn fit_branch<const N: usize>(nodes: &[B256]) -> Result<SszVector<B256, N>> {
    let mut out: Vec<B256> = Vec::with_capacity(N);
    if nodes.len() <= N {
        out.resize(N.saturating_sub(nodes.len()), [0; 32]);
        out.extend_from_slice(nodes);
    } else {
        let extra = nodes.len().saturating_sub(N);
        let (padding, rest) = nodes.split_at(extra);
        if padding.iter().any(|node| *node != [0; 32]) {
            return Err(Error::BranchLength { expected: N, got: nodes.len() });
        }
        out.extend_from_slice(rest);
    }
    SszVector::try_from(out).map_err(|_| Error::BranchLength { expected: N, got: nodes.len() })
}

fn zero_committee<const S: usize>() -> Result<SyncCommittee<S>> {
    let pubkeys = SszVector::try_from(alloc::vec![[0u8; 48]; S])
        .map_err(|_| Error::BranchLength { expected: S, got: 0 })?;
    Ok(SyncCommittee { pubkeys, aggregate_pubkey: [0; 48] })
}

fn is_zero_committee<const S: usize>(committee: &SyncCommittee<S>) -> bool {
    committee.aggregate_pubkey == [0; 48] && committee.pubkeys.iter().all(|k| *k == [0; 48])
}

/// `LightClientBootstrap`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LightClientBootstrap<const S: usize> {
    /// Header of the trusted checkpoint block.
    pub header: LightClientHeader,
    /// Sync committee of the checkpoint's period.
    pub current_sync_committee: SyncCommittee<S>,
    /// Proof of the committee under `header.beacon.state_root`.
    pub current_sync_committee_branch: Vec<B256>,
}

/// `LightClientUpdate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LightClientUpdate<const S: usize> {
    /// The header the committee signed.
    pub attested_header: LightClientHeader,
    /// Next committee (`None` when the update carries none: an empty branch and zero committee).
    pub next_sync_committee: Option<SyncCommittee<S>>,
    /// Proof of `next_sync_committee` (all zero when absent).
    pub next_sync_committee_branch: Vec<B256>,
    /// The finalized header (default when absent).
    pub finalized_header: LightClientHeader,
    /// Proof of the finalized root (all zero when absent).
    pub finality_branch: Vec<B256>,
    /// The committee's aggregate signature.
    pub sync_aggregate: SyncAggregate<S>,
    /// Slot at which the aggregate was made.
    pub signature_slot: u64,
}

/// `LightClientFinalityUpdate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LightClientFinalityUpdate<const S: usize> {
    /// The header the committee signed.
    pub attested_header: LightClientHeader,
    /// The finalized header.
    pub finalized_header: LightClientHeader,
    /// Proof of the finalized root.
    pub finality_branch: Vec<B256>,
    /// The committee's aggregate signature.
    pub sync_aggregate: SyncAggregate<S>,
    /// Slot at which the aggregate was made.
    pub signature_slot: u64,
}

/// `LightClientOptimisticUpdate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LightClientOptimisticUpdate<const S: usize> {
    /// The header the committee signed.
    pub attested_header: LightClientHeader,
    /// The committee's aggregate signature.
    pub sync_aggregate: SyncAggregate<S>,
    /// Slot at which the aggregate was made.
    pub signature_slot: u64,
}

impl<const S: usize> LightClientUpdate<S> {
    /// `is_sync_committee_update(update)`: the next-committee branch is not empty.
    pub fn is_sync_committee_update(&self) -> bool {
        self.next_sync_committee_branch.iter().any(|n| *n != [0; 32])
    }

    /// `is_finality_update(update)`: the finality branch is not empty.
    pub fn is_finality_update(&self) -> bool {
        self.finality_branch.iter().any(|n| *n != [0; 32])
    }
}

impl<const S: usize> From<LightClientFinalityUpdate<S>> for LightClientUpdate<S> {
    /// `process_light_client_finality_update`'s wrapping into a full update.
    fn from(u: LightClientFinalityUpdate<S>) -> Self {
        Self {
            attested_header: u.attested_header,
            next_sync_committee: None,
            next_sync_committee_branch: Vec::new(),
            finalized_header: u.finalized_header,
            finality_branch: u.finality_branch,
            sync_aggregate: u.sync_aggregate,
            signature_slot: u.signature_slot,
        }
    }
}

impl<const S: usize> From<LightClientOptimisticUpdate<S>> for LightClientUpdate<S> {
    /// `process_light_client_optimistic_update`'s wrapping into a full update.
    fn from(u: LightClientOptimisticUpdate<S>) -> Self {
        Self {
            attested_header: u.attested_header,
            next_sync_committee: None,
            next_sync_committee_branch: Vec::new(),
            finalized_header: LightClientHeader::default(),
            finality_branch: Vec::new(),
            sync_aggregate: u.sync_aggregate,
            signature_slot: u.signature_slot,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SSZ per fork.

fn decode<T: SszDecode>(what: &'static str, fork: Fork, bytes: &[u8], max: usize) -> Result<T> {
    if bytes.len() > max {
        return Err(Error::Oversized { what, len: bytes.len(), max });
    }
    T::from_ssz_bytes(bytes).map_err(|reason| Error::Decode { what, fork, reason })
}

/// Largest valid SSZ size of a light-client header: the Deneb shape with a full `extra_data`.
pub const MAX_HEADER_BYTES: usize =
    112 + 4 + (32 + 20 + 32 + 32 + 256 + 32 + 8 * 4 + 4 + 32 * 4 + 8 * 2 + 32) + 4 * 32;

/// Largest valid SSZ size of any light-client container with committee size `S` (an update with
/// two full headers and Electra branches).
pub const fn max_container_bytes(sync_committee_size: usize) -> usize {
    let committee = sync_committee_size.saturating_mul(48).saturating_add(48);
    let aggregate = sync_committee_size.div_ceil(8).saturating_add(96);
    committee
        .saturating_add(aggregate)
        .saturating_add(2 * MAX_HEADER_BYTES)
        .saturating_add(13 * 32 + 8 + 4 * 4)
}

macro_rules! by_fork {
    ($fork:expr, $what:literal, |$H:ident, $CB:ident, $NB:ident, $FB:ident| $body:expr) => {
        match $fork {
            Fork::Phase0 => Err(Error::UnsupportedFork { what: $what, fork: $fork }),
            Fork::Altair | Fork::Bellatrix => {
                type $H = AltairLightClientHeader;
                const $CB: usize = 5;
                const $NB: usize = 5;
                const $FB: usize = 6;
                $body
            }
            Fork::Capella => {
                type $H = CapellaLightClientHeader;
                const $CB: usize = 5;
                const $NB: usize = 5;
                const $FB: usize = 6;
                $body
            }
            Fork::Deneb => {
                type $H = DenebLightClientHeader;
                const $CB: usize = 5;
                const $NB: usize = 5;
                const $FB: usize = 6;
                $body
            }
            Fork::Electra | Fork::Fulu => {
                type $H = DenebLightClientHeader;
                const $CB: usize = 6;
                const $NB: usize = 6;
                const $FB: usize = 7;
                $body
            }
        }
    };
}

impl LightClientHeader {
    /// Decodes the `LightClientHeader` SSZ of `fork`.
    pub fn from_ssz(fork: Fork, bytes: &[u8]) -> Result<Self> {
        by_fork!(fork, "LightClientHeader", |H, _CB, _NB, _FB| {
            Ok(decode::<H>("LightClientHeader", fork, bytes, MAX_HEADER_BYTES)?.into_common())
        })
    }

    /// Encodes as the `LightClientHeader` SSZ of `fork`.
    pub fn to_ssz(&self, fork: Fork) -> Result<Vec<u8>> {
        by_fork!(fork, "LightClientHeader", |H, _CB, _NB, _FB| Ok(H::from_common(self)?.to_ssz()))
    }

    /// `hash_tree_root` of the header as the type of `fork`.
    pub fn hash_tree_root(&self, fork: Fork) -> Result<B256> {
        by_fork!(fork, "LightClientHeader", |H, _CB, _NB, _FB| Ok(hash_tree_root(&H::from_common(
            self
        )?)))
    }
}

impl<const S: usize> LightClientBootstrap<S> {
    /// Decodes the `LightClientBootstrap` SSZ of `fork`.
    pub fn from_ssz(fork: Fork, bytes: &[u8]) -> Result<Self> {
        by_fork!(fork, "LightClientBootstrap", |H, CB, _NB, _FB| {
            let w: WireBootstrap<H, S, CB> =
                decode("LightClientBootstrap", fork, bytes, max_container_bytes(S))?;
            Ok(Self {
                header: w.header.into_common(),
                current_sync_committee: w.current_sync_committee,
                current_sync_committee_branch: w.current_sync_committee_branch.into_inner(),
            })
        })
    }

    fn to_wire<H: HeaderShape, const CB: usize>(&self) -> Result<WireBootstrap<H, S, CB>> {
        Ok(WireBootstrap {
            header: H::from_common(&self.header)?,
            current_sync_committee: self.current_sync_committee.clone(),
            current_sync_committee_branch: fit_branch(&self.current_sync_committee_branch)?,
        })
    }

    /// Encodes as the SSZ of `fork`.
    pub fn to_ssz(&self, fork: Fork) -> Result<Vec<u8>> {
        by_fork!(fork, "LightClientBootstrap", |H, CB, _NB, _FB| Ok(self
            .to_wire::<H, CB>()?
            .to_ssz()))
    }

    /// `hash_tree_root` as the type of `fork`.
    pub fn hash_tree_root(&self, fork: Fork) -> Result<B256> {
        by_fork!(fork, "LightClientBootstrap", |H, CB, _NB, _FB| Ok(hash_tree_root(
            &self.to_wire::<H, CB>()?
        )))
    }
}

impl<const S: usize> LightClientUpdate<S> {
    /// Decodes the `LightClientUpdate` SSZ of `fork`.
    pub fn from_ssz(fork: Fork, bytes: &[u8]) -> Result<Self> {
        by_fork!(fork, "LightClientUpdate", |H, _CB, NB, FB| {
            let w: WireUpdate<H, S, NB, FB> =
                decode("LightClientUpdate", fork, bytes, max_container_bytes(S))?;
            let next_sync_committee = if is_zero_committee(&w.next_sync_committee) {
                None
            } else {
                Some(w.next_sync_committee)
            };
            Ok(Self {
                attested_header: w.attested_header.into_common(),
                next_sync_committee,
                next_sync_committee_branch: w.next_sync_committee_branch.into_inner(),
                finalized_header: w.finalized_header.into_common(),
                finality_branch: w.finality_branch.into_inner(),
                sync_aggregate: w.sync_aggregate,
                signature_slot: w.signature_slot,
            })
        })
    }

    fn to_wire<H: HeaderShape, const NB: usize, const FB: usize>(
        &self,
    ) -> Result<WireUpdate<H, S, NB, FB>> {
        let next_sync_committee = match &self.next_sync_committee {
            Some(c) => c.clone(),
            None => zero_committee()?,
        };
        Ok(WireUpdate {
            attested_header: H::from_common(&self.attested_header)?,
            next_sync_committee,
            next_sync_committee_branch: fit_branch(&self.next_sync_committee_branch)?,
            finalized_header: H::from_common(&self.finalized_header)?,
            finality_branch: fit_branch(&self.finality_branch)?,
            sync_aggregate: self.sync_aggregate.clone(),
            signature_slot: self.signature_slot,
        })
    }

    /// Encodes as the SSZ of `fork`.
    pub fn to_ssz(&self, fork: Fork) -> Result<Vec<u8>> {
        by_fork!(fork, "LightClientUpdate", |H, _CB, NB, FB| Ok(self
            .to_wire::<H, NB, FB>()?
            .to_ssz()))
    }

    /// `hash_tree_root` as the type of `fork`.
    pub fn hash_tree_root(&self, fork: Fork) -> Result<B256> {
        by_fork!(fork, "LightClientUpdate", |H, _CB, NB, FB| Ok(hash_tree_root(
            &self.to_wire::<H, NB, FB>()?
        )))
    }
}

impl<const S: usize> LightClientFinalityUpdate<S> {
    /// Decodes the `LightClientFinalityUpdate` SSZ of `fork`.
    pub fn from_ssz(fork: Fork, bytes: &[u8]) -> Result<Self> {
        by_fork!(fork, "LightClientFinalityUpdate", |H, _CB, _NB, FB| {
            let w: WireFinalityUpdate<H, S, FB> =
                decode("LightClientFinalityUpdate", fork, bytes, max_container_bytes(S))?;
            Ok(Self {
                attested_header: w.attested_header.into_common(),
                finalized_header: w.finalized_header.into_common(),
                finality_branch: w.finality_branch.into_inner(),
                sync_aggregate: w.sync_aggregate,
                signature_slot: w.signature_slot,
            })
        })
    }

    fn to_wire<H: HeaderShape, const FB: usize>(&self) -> Result<WireFinalityUpdate<H, S, FB>> {
        Ok(WireFinalityUpdate {
            attested_header: H::from_common(&self.attested_header)?,
            finalized_header: H::from_common(&self.finalized_header)?,
            finality_branch: fit_branch(&self.finality_branch)?,
            sync_aggregate: self.sync_aggregate.clone(),
            signature_slot: self.signature_slot,
        })
    }

    /// Encodes as the SSZ of `fork`.
    pub fn to_ssz(&self, fork: Fork) -> Result<Vec<u8>> {
        by_fork!(fork, "LightClientFinalityUpdate", |H, _CB, _NB, FB| Ok(self
            .to_wire::<H, FB>()?
            .to_ssz()))
    }

    /// `hash_tree_root` as the type of `fork`.
    pub fn hash_tree_root(&self, fork: Fork) -> Result<B256> {
        by_fork!(fork, "LightClientFinalityUpdate", |H, _CB, _NB, FB| Ok(hash_tree_root(
            &self.to_wire::<H, FB>()?
        )))
    }
}

impl<const S: usize> LightClientOptimisticUpdate<S> {
    /// Decodes the `LightClientOptimisticUpdate` SSZ of `fork`.
    pub fn from_ssz(fork: Fork, bytes: &[u8]) -> Result<Self> {
        by_fork!(fork, "LightClientOptimisticUpdate", |H, _CB, _NB, _FB| {
            let w: WireOptimisticUpdate<H, S> =
                decode("LightClientOptimisticUpdate", fork, bytes, max_container_bytes(S))?;
            Ok(Self {
                attested_header: w.attested_header.into_common(),
                sync_aggregate: w.sync_aggregate,
                signature_slot: w.signature_slot,
            })
        })
    }

    fn to_wire<H: HeaderShape>(&self) -> Result<WireOptimisticUpdate<H, S>> {
        Ok(WireOptimisticUpdate {
            attested_header: H::from_common(&self.attested_header)?,
            sync_aggregate: self.sync_aggregate.clone(),
            signature_slot: self.signature_slot,
        })
    }

    /// Encodes as the SSZ of `fork`.
    pub fn to_ssz(&self, fork: Fork) -> Result<Vec<u8>> {
        by_fork!(fork, "LightClientOptimisticUpdate", |H, _CB, _NB, _FB| Ok(self
            .to_wire::<H>()?
            .to_ssz()))
    }

    /// `hash_tree_root` as the type of `fork`.
    pub fn hash_tree_root(&self, fork: Fork) -> Result<B256> {
        by_fork!(fork, "LightClientOptimisticUpdate", |H, _CB, _NB, _FB| Ok(hash_tree_root(
            &self.to_wire::<H>()?
        )))
    }
}

/// Maps a `ForkDigest` context (Beacon API SSZ chunks, libp2p responses, spec tests) to the fork
/// whose types it names.
pub fn fork_of_digest(
    spec: &ChainSpec,
    genesis_validators_root: &B256,
    digest: [u8; 4],
) -> Result<Fork> {
    spec.fork_digests(genesis_validators_root)
        .into_iter()
        .find(|(d, _, _)| *d == digest)
        .map(|(_, fork, _)| fork)
        .ok_or(Error::UnknownForkDigest(digest))
}

impl<const S: usize> LightClientUpdate<S> {
    /// Decodes an update sent under fork digest `digest` and checks that the digest is the one
    /// the update's attested slot requires (the "context" rule of the light-client p2p and REST
    /// interfaces).
    pub fn from_ssz_with_digest(
        spec: &ChainSpec,
        genesis_validators_root: &B256,
        digest: [u8; 4],
        bytes: &[u8],
    ) -> Result<Self> {
        let fork = fork_of_digest(spec, genesis_validators_root, digest)?;
        let update = Self::from_ssz(fork, bytes)?;
        let epoch = spec.epoch_at_slot(update.attested_header.beacon.slot);
        if spec.fork_digest(genesis_validators_root, epoch) != digest {
            return Err(Error::WrongForkDigest { expected: spec.fork_at_epoch(epoch), got: fork });
        }
        Ok(update)
    }
}
