//! The light-client sync protocol (`altair/light-client/sync-protocol.md` with the Capella,
//! Deneb and Electra modifications): store initialisation, update validation, processing,
//! application, forced updates, and the finality/optimistic update wrappers.
//!
//! The caller passes `current_slot`; nothing here reads a clock or does I/O.

use alloc::vec::Vec;

use mana_primitives::{
    ChainSpec, DOMAIN_SYNC_COMMITTEE, Slot, compute_domain, compute_signing_root,
};

use super::containers::{
    LightClientBootstrap, LightClientFinalityUpdate, LightClientHeader,
    LightClientOptimisticUpdate, LightClientUpdate, hash_tree_root,
};
use crate::bls::BlsVerifier;
use crate::error::{Error, HeaderRole, Result};
use crate::merkle::{StateProofIndices, is_valid_normalized_merkle_branch};
use crate::types::common::{B256, SyncAggregate, SyncCommittee};

/// `LightClientStore`: the light client's whole trusted state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LightClientStore<const S: usize> {
    /// Latest finalized header.
    pub finalized_header: LightClientHeader,
    /// Committee of the finalized header's period.
    pub current_sync_committee: SyncCommittee<S>,
    /// Committee of the next period, once learned.
    pub next_sync_committee: Option<SyncCommittee<S>>,
    /// Best valid update seen that has not been applied (used by forced updates).
    pub best_valid_update: Option<LightClientUpdate<S>>,
    /// Latest header with enough signers to be trusted optimistically.
    pub optimistic_header: LightClientHeader,
    /// Most participants seen in the previous period.
    pub previous_max_active_participants: u64,
    /// Most participants seen in the current period.
    pub current_max_active_participants: u64,
}

/// What processing an update changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpdateEffect {
    /// The finalized header advanced (or the next committee was learned).
    pub finalized_advanced: bool,
    /// The optimistic header advanced.
    pub optimistic_advanced: bool,
    /// The store moved to a new sync-committee period.
    pub period_rotated: bool,
}

/// `sum(bits) * 3 >= len(bits) * 2`.
fn has_supermajority(participants: u64, size: usize) -> bool {
    participants.saturating_mul(3) >= (size as u64).saturating_mul(2)
}

fn period(spec: &ChainSpec, slot: Slot) -> Result<u64> {
    Ok(spec.sync_committee_period_at_slot(slot)?)
}

/// The committee size `S` must be the preset's, and the genesis validators root the network's
/// when the network knows it.
fn check_chain<const S: usize>(spec: &ChainSpec, genesis_validators_root: &B256) -> Result<()> {
    if spec.preset.sync_committee_size != S {
        return Err(Error::CommitteeSizeMismatch {
            preset: spec.preset.sync_committee_size,
            client: S,
        });
    }
    if let Some(known) = spec.genesis_validators_root
        && known != *genesis_validators_root
    {
        return Err(Error::GenesisValidatorsRootMismatch);
    }
    Ok(())
}

/// `is_better_update(new_update, old_update)` (altair `sync-protocol.md`).
pub fn is_better_update<const S: usize>(
    spec: &ChainSpec,
    new: &LightClientUpdate<S>,
    old: &LightClientUpdate<S>,
) -> Result<bool> {
    let new_active = new.sync_aggregate.participants();
    let old_active = old.sync_aggregate.participants();
    let new_super = has_supermajority(new_active, S);
    let old_super = has_supermajority(old_active, S);
    if new_super != old_super {
        return Ok(new_super);
    }
    if !new_super && new_active != old_active {
        return Ok(new_active > old_active);
    }
    let relevant = |u: &LightClientUpdate<S>| -> Result<bool> {
        Ok(u.is_sync_committee_update()
            && period(spec, u.attested_header.beacon.slot)? == period(spec, u.signature_slot)?)
    };
    let (new_relevant, old_relevant) = (relevant(new)?, relevant(old)?);
    if new_relevant != old_relevant {
        return Ok(new_relevant);
    }
    let (new_final, old_final) = (new.is_finality_update(), old.is_finality_update());
    if new_final != old_final {
        return Ok(new_final);
    }
    if new_final {
        let committee_final = |u: &LightClientUpdate<S>| -> Result<bool> {
            Ok(period(spec, u.finalized_header.beacon.slot)?
                == period(spec, u.attested_header.beacon.slot)?)
        };
        let (n, o) = (committee_final(new)?, committee_final(old)?);
        if n != o {
            return Ok(n);
        }
    }
    if new_active != old_active {
        return Ok(new_active > old_active);
    }
    if new.attested_header.beacon.slot != old.attested_header.beacon.slot {
        return Ok(new.attested_header.beacon.slot < old.attested_header.beacon.slot);
    }
    Ok(new.signature_slot < old.signature_slot)
}

/// The proof of the next committee an update carries.
fn next_committee_proof<const S: usize>(update: &LightClientUpdate<S>) -> Option<CommitteeProof> {
    update.next_sync_committee.as_ref().map(|_| CommitteeProof {
        header: update.attested_header.clone(),
        as_next: true,
        branch: update.next_sync_committee_branch.clone(),
    })
}

/// `apply_light_client_update(store, update)`, keeping the committees' proofs in `assurance`.
fn apply_update<const S: usize>(
    spec: &ChainSpec,
    store: &mut LightClientStore<S>,
    assurance: &mut Assurance,
    update: &LightClientUpdate<S>,
) -> Result<UpdateEffect> {
    let store_period = period(spec, store.finalized_header.beacon.slot)?;
    let finalized_period = period(spec, update.finalized_header.beacon.slot)?;
    let mut effect = UpdateEffect::default();
    if store.next_sync_committee.is_none() {
        if finalized_period != store_period {
            return Err(Error::FinalizedPeriodMismatch);
        }
        store.next_sync_committee = update.next_sync_committee.clone();
        assurance.next_committee_proof = next_committee_proof(update);
        effect.finalized_advanced = update.next_sync_committee.is_some();
    } else if Some(finalized_period) == store_period.checked_add(1) {
        if let Some(next) = store.next_sync_committee.take() {
            store.current_sync_committee = next;
            assurance.current_committee_proof = assurance.next_committee_proof.take();
        }
        store.next_sync_committee = update.next_sync_committee.clone();
        assurance.next_committee_proof = next_committee_proof(update);
        store.previous_max_active_participants = store.current_max_active_participants;
        store.current_max_active_participants = 0;
        effect.period_rotated = true;
    }
    if update.finalized_header.beacon.slot > store.finalized_header.beacon.slot {
        store.finalized_header = update.finalized_header.clone();
        effect.finalized_advanced = true;
        if store.finalized_header.beacon.slot > store.optimistic_header.beacon.slot {
            store.optimistic_header = store.finalized_header.clone();
            effect.optimistic_advanced = true;
        }
    }
    Ok(effect)
}

/// When [`LightClient::force_update`] may apply the best valid update after `UPDATE_TIMEOUT`
/// slots without finality.
///
/// A forced update trusts a header that never reached finality, and the spec lets any valid
/// update (one signer suffices) become the best one; during a long non-finality period — or
/// simply when a client is reopened more than `UPDATE_TIMEOUT` slots after its last finalized
/// header — a single malicious committee member could then rotate the store onto a committee
/// of their choice. [`ForceUpdatePolicy::SUPERMAJORITY`] is the safe choice and the default of
/// every Mana client; [`ForceUpdatePolicy::SPEC`] reproduces
/// `process_light_client_store_force_update` exactly and exists for the conformance vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForceUpdatePolicy {
    /// Fewest participants the best valid update must have.
    pub min_participants: u64,
    /// Whether a 2/3 supermajority of the committee is required for any forced update.
    pub require_supermajority: bool,
    /// Whether a forced update that carries a next sync committee (a committee rotation)
    /// needs a 2/3 supermajority, whatever `require_supermajority` says.
    pub committee_needs_supermajority: bool,
}

impl ForceUpdatePolicy {
    /// Exactly the spec: any best valid update. Only for the conformance vectors: one rogue
    /// committee member can rotate the committee under this policy.
    pub const SPEC: Self = Self {
        min_participants: 1,
        require_supermajority: false,
        committee_needs_supermajority: false,
    };
    /// Only a best valid update signed by at least 2/3 of the committee.
    pub const SUPERMAJORITY: Self = Self {
        min_participants: 1,
        require_supermajority: true,
        committee_needs_supermajority: true,
    };

    /// Whether an update with `participants` signers of `size`, carrying a next committee or
    /// not, may be forced.
    #[must_use]
    pub fn allows(&self, participants: u64, size: usize, rotates_committee: bool) -> bool {
        let supermajority = has_supermajority(participants, size);
        participants >= self.min_participants
            && (supermajority || !self.require_supermajority)
            && (supermajority || !rotates_committee || !self.committee_needs_supermajority)
    }
}

impl Default for ForceUpdatePolicy {
    fn default() -> Self {
        Self::SUPERMAJORITY
    }
}

/// How far the headers of a [`LightClient`] are backed, beyond the spec's store.
///
/// The spec moves `optimistic_header` on any valid update signed by more than half the most
/// participants seen (a threshold of 0 right after a bootstrap, so one signer suffices), and a
/// forced update makes `finalized_header` a header that never reached finality. A client that
/// serves answers anchored to those headers needs the stronger marks kept here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assurance {
    /// The newest header known final: the trusted checkpoint, or a finalized header proven by
    /// a finality branch in an update signed by at least 2/3 of the committee. Never a header
    /// applied by a forced update.
    pub finalized: LightClientHeader,
    /// The newest header signed by at least 2/3 of its sync committee (an attested header of a
    /// valid update, or [`Assurance::finalized`] when that is newer).
    pub supermajority_head: LightClientHeader,
    /// How the store's current committee was proven (`None` for stores persisted before
    /// proofs were kept).
    pub current_committee_proof: Option<CommitteeProof>,
    /// How the store's next committee was proven, when it is known.
    pub next_committee_proof: Option<CommitteeProof>,
}

/// How a sync committee was proven: a Merkle branch from the committee to the state root of a
/// header whose state holds it (a bootstrap's `current_sync_committee`, an update's
/// `next_sync_committee`). Kept so that a store loaded from storage can be checked again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitteeProof {
    /// The header whose state root the branch leads to.
    pub header: LightClientHeader,
    /// Whether the committee is that state's `next_sync_committee` (else its
    /// `current_sync_committee`).
    pub as_next: bool,
    /// The branch.
    pub branch: Vec<B256>,
}

impl CommitteeProof {
    /// Whether the branch proves `committee` against the header's state root.
    pub fn proves<const S: usize>(&self, spec: &ChainSpec, committee: &SyncCommittee<S>) -> bool {
        let indices = StateProofIndices::at_slot(spec, self.header.beacon.slot);
        let gindex =
            if self.as_next { indices.next_sync_committee } else { indices.current_sync_committee };
        is_valid_normalized_merkle_branch(
            &hash_tree_root(committee),
            &self.branch,
            gindex,
            &self.header.beacon.state_root,
        )
    }
}

impl Assurance {
    /// Marks for a store whose finalized header is known final (a checkpoint).
    pub fn at(header: &LightClientHeader) -> Self {
        Self {
            finalized: header.clone(),
            supermajority_head: header.clone(),
            current_committee_proof: None,
            next_committee_proof: None,
        }
    }

    /// Whether the store's finalized header went past the proven one by a forced update.
    pub fn forced<const S: usize>(&self, store: &LightClientStore<S>) -> bool {
        store.finalized_header.beacon.slot > self.finalized.beacon.slot
    }
}

/// Position in `cache` of `committee`'s prepared keys, preparing them on first sight.
fn prepared_index<V: BlsVerifier, const S: usize>(
    cache: &mut Vec<(SyncCommittee<S>, V::Committee)>,
    bls: &V,
    committee: &SyncCommittee<S>,
) -> usize {
    if let Some(i) = cache.iter().position(|(c, _)| c == committee) {
        return i;
    }
    // Keep at most the current and next committees (and one being rotated in).
    if cache.len() >= 3 {
        cache.remove(0);
    }
    cache.push((committee.clone(), bls.prepare_committee(&committee.pubkeys)));
    cache.len().saturating_sub(1)
}

/// A light client: the store, the chain it follows and a BLS backend with decompressed keys of
/// the store's committees cached.
pub struct LightClient<V: BlsVerifier, const S: usize> {
    spec: ChainSpec,
    genesis_validators_root: B256,
    store: LightClientStore<S>,
    bls: V,
    /// Prepared committees keyed by their compressed keys (current, next).
    cache: Vec<(SyncCommittee<S>, V::Committee)>,
    /// What the store's headers are backed by.
    assurance: Assurance,
}

impl<V: BlsVerifier, const S: usize> core::fmt::Debug for LightClient<V, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LightClient")
            .field("network", &self.spec.config_name)
            .field("finalized_slot", &self.store.finalized_header.beacon.slot)
            .field("optimistic_slot", &self.store.optimistic_header.beacon.slot)
            .finish_non_exhaustive()
    }
}

impl<V: BlsVerifier, const S: usize> LightClient<V, S> {
    /// `initialize_light_client_store(trusted_block_root, bootstrap)`.
    pub fn bootstrap(
        spec: ChainSpec,
        genesis_validators_root: B256,
        trusted_block_root: &B256,
        bootstrap: LightClientBootstrap<S>,
        bls: V,
    ) -> Result<Self> {
        check_chain::<S>(&spec, &genesis_validators_root)?;
        bootstrap.header.check(&spec, HeaderRole::Bootstrap)?;
        let root = bootstrap.header.beacon_root();
        if root != *trusted_block_root {
            return Err(Error::TrustedRootMismatch { expected: *trusted_block_root, got: root });
        }
        let gindex =
            StateProofIndices::at_slot(&spec, bootstrap.header.beacon.slot).current_sync_committee;
        if !is_valid_normalized_merkle_branch(
            &hash_tree_root(&bootstrap.current_sync_committee),
            &bootstrap.current_sync_committee_branch,
            gindex,
            &bootstrap.header.beacon.state_root,
        ) {
            return Err(Error::InvalidCurrentSyncCommitteeBranch);
        }
        let proof = CommitteeProof {
            header: bootstrap.header.clone(),
            as_next: false,
            branch: bootstrap.current_sync_committee_branch.clone(),
        };
        let store = LightClientStore {
            finalized_header: bootstrap.header.clone(),
            current_sync_committee: bootstrap.current_sync_committee,
            next_sync_committee: None,
            best_valid_update: None,
            optimistic_header: bootstrap.header,
            previous_max_active_participants: 0,
            current_max_active_participants: 0,
        };
        let mut client = Self::from_store(spec, genesis_validators_root, store, bls)?;
        client.assurance.current_committee_proof = Some(proof);
        Ok(client)
    }

    /// Resumes from a store persisted earlier (it was verified when it was built). Its
    /// finalized header is taken as final; use [`LightClient::with_assurance`] to restore marks
    /// persisted with it.
    pub fn from_store(
        spec: ChainSpec,
        genesis_validators_root: B256,
        store: LightClientStore<S>,
        bls: V,
    ) -> Result<Self> {
        check_chain::<S>(&spec, &genesis_validators_root)?;
        let assurance = Assurance::at(&store.finalized_header);
        Ok(Self { spec, genesis_validators_root, store, bls, cache: Vec::new(), assurance })
    }

    /// Restores marks persisted with the store. They may not claim more than the store holds:
    /// the proven finalized header is at most the store's, the supermajority head at most the
    /// optimistic one.
    pub fn with_assurance(mut self, assurance: Assurance) -> Result<Self> {
        let store = &self.store;
        let proven = assurance.finalized.beacon.slot;
        let head = assurance.supermajority_head.beacon.slot;
        if proven > store.finalized_header.beacon.slot
            || head > store.optimistic_header.beacon.slot.max(store.finalized_header.beacon.slot)
            || (proven == store.finalized_header.beacon.slot
                && assurance.finalized != store.finalized_header)
        {
            return Err(Error::AssuranceBeyondStore);
        }
        self.assurance = assurance;
        Ok(self)
    }

    /// What the store's headers are backed by.
    pub fn assurance(&self) -> &Assurance {
        &self.assurance
    }

    /// Re-checks a store restored from storage as far as it can be: every header's execution
    /// branch against its body root, each committee against the state root it was proven in
    /// (when the proof was kept), and the best valid update in full (its branches and its
    /// signature against the store's committees), as at `current_slot`.
    pub fn recheck(&mut self, current_slot: Slot) -> Result<()> {
        let store = &self.store;
        let assurance = &self.assurance;
        for header in [
            &store.finalized_header,
            &store.optimistic_header,
            &assurance.finalized,
            &assurance.supermajority_head,
        ] {
            header.check(&self.spec, HeaderRole::Attested)?;
        }
        // Each committee against the state root it was proven in, where the proof was kept.
        if let Some(proof) = &assurance.current_committee_proof {
            proof.header.check(&self.spec, HeaderRole::Attested)?;
            if !proof.proves(&self.spec, &store.current_sync_committee) {
                return Err(Error::InvalidCurrentSyncCommitteeBranch);
            }
        }
        match (&assurance.next_committee_proof, &store.next_sync_committee) {
            (Some(proof), Some(next)) => {
                proof.header.check(&self.spec, HeaderRole::Attested)?;
                if !proof.proves(&self.spec, next) {
                    return Err(Error::InvalidNextSyncCommitteeBranch);
                }
            }
            (Some(_), None) => return Err(Error::AssuranceBeyondStore),
            _ => {}
        }
        if let Some(best) = self.store.best_valid_update.clone() {
            self.validate_update(&best, current_slot.max(best.signature_slot))?;
        }
        Ok(())
    }

    /// The trusted state.
    pub fn store(&self) -> &LightClientStore<S> {
        &self.store
    }

    /// Consumes the client, returning its store.
    pub fn into_store(self) -> LightClientStore<S> {
        self.store
    }

    /// The chain spec.
    pub fn spec(&self) -> &ChainSpec {
        &self.spec
    }

    /// The genesis validators root.
    pub fn genesis_validators_root(&self) -> &B256 {
        &self.genesis_validators_root
    }

    /// Period of the store's finalized header.
    pub fn store_period(&self) -> Result<u64> {
        period(&self.spec, self.store.finalized_header.beacon.slot)
    }

    fn verify_signature(
        &mut self,
        use_next: bool,
        aggregate: &SyncAggregate<S>,
        attested: &LightClientHeader,
        signature_slot: Slot,
    ) -> Result<()> {
        let committee = if use_next {
            self.store.next_sync_committee.as_ref()
        } else {
            Some(&self.store.current_sync_committee)
        };
        // `validate_light_client_update` only picks `next` after checking it is known.
        let Some(committee) = committee else { return Err(Error::NextSyncCommitteeMismatch) };
        let index = prepared_index(&mut self.cache, &self.bls, committee);
        let fork_version_slot = signature_slot.max(1).saturating_sub(1);
        let fork_version =
            self.spec.fork_version_at_epoch(self.spec.epoch_at_slot(fork_version_slot));
        let domain =
            compute_domain(DOMAIN_SYNC_COMMITTEE, fork_version, &self.genesis_validators_root);
        let signing_root = compute_signing_root(&attested.beacon_root(), &domain);
        let participation: Vec<bool> =
            (0..S).map(|i| aggregate.sync_committee_bits.get(i).unwrap_or(false)).collect();
        let Some((_, prepared)) = self.cache.get(index) else {
            return Err(Error::NextSyncCommitteeMismatch);
        };
        self.bls
            .verify_committee_signature(
                prepared,
                &participation,
                &signing_root,
                &aggregate.sync_committee_signature,
            )
            .map_err(Error::Bls)
    }

    /// `validate_light_client_update(store, update, current_slot, genesis_validators_root)`.
    pub fn validate_update(
        &mut self,
        update: &LightClientUpdate<S>,
        current_slot: Slot,
    ) -> Result<()> {
        let spec = &self.spec;
        let participants = update.sync_aggregate.participants();
        let min = spec.preset.min_sync_committee_participants;
        if participants < min {
            return Err(Error::TooFewParticipants { participants, min });
        }
        update.attested_header.check(spec, HeaderRole::Attested)?;
        let attested_slot = update.attested_header.beacon.slot;
        let finalized_slot = update.finalized_header.beacon.slot;
        if update.signature_slot > current_slot {
            return Err(Error::SignatureSlotInFuture {
                signature_slot: update.signature_slot,
                current_slot,
            });
        }
        if !(update.signature_slot > attested_slot && attested_slot >= finalized_slot) {
            return Err(Error::NonIncreasingSlots {
                finalized_slot,
                attested_slot,
                signature_slot: update.signature_slot,
            });
        }
        let store_period = period(spec, self.store.finalized_header.beacon.slot)?;
        let signature_period = period(spec, update.signature_slot)?;
        let next_known = self.store.next_sync_committee.is_some();
        let period_ok = if next_known {
            signature_period == store_period
                || Some(signature_period) == store_period.checked_add(1)
        } else {
            signature_period == store_period
        };
        if !period_ok {
            return Err(Error::SignaturePeriodOutOfRange { signature_period, store_period });
        }
        let attested_period = period(spec, attested_slot)?;
        let supplies_next =
            !next_known && update.is_sync_committee_update() && attested_period == store_period;
        if !(attested_slot > self.store.finalized_header.beacon.slot || supplies_next) {
            return Err(Error::NotRelevant {
                attested_slot,
                store_finalized_slot: self.store.finalized_header.beacon.slot,
            });
        }
        let indices = StateProofIndices::at_slot(spec, attested_slot);
        if !update.is_finality_update() {
            if update.finalized_header != LightClientHeader::default() {
                return Err(Error::NonEmptyWithoutBranch("finalized_header"));
            }
        } else {
            let finalized_root = if finalized_slot == 0 {
                if update.finalized_header != LightClientHeader::default() {
                    return Err(Error::NonEmptyWithoutBranch("genesis finalized_header"));
                }
                [0u8; 32]
            } else {
                update.finalized_header.check(spec, HeaderRole::Finalized)?;
                update.finalized_header.beacon_root()
            };
            if !is_valid_normalized_merkle_branch(
                &finalized_root,
                &update.finality_branch,
                indices.finalized_root,
                &update.attested_header.beacon.state_root,
            ) {
                return Err(Error::InvalidFinalityBranch);
            }
        }
        if !update.is_sync_committee_update() {
            if update.next_sync_committee.is_some() {
                return Err(Error::NonEmptyWithoutBranch("next_sync_committee"));
            }
        } else {
            // A zero committee decodes as `None`; no real state holds one.
            let Some(committee) = &update.next_sync_committee else {
                return Err(Error::InvalidNextSyncCommitteeBranch);
            };
            if attested_period == store_period
                && let Some(known) = &self.store.next_sync_committee
                && known != committee
            {
                return Err(Error::NextSyncCommitteeMismatch);
            }
            if !is_valid_normalized_merkle_branch(
                &hash_tree_root(committee),
                &update.next_sync_committee_branch,
                indices.next_sync_committee,
                &update.attested_header.beacon.state_root,
            ) {
                return Err(Error::InvalidNextSyncCommitteeBranch);
            }
        }
        let use_next = signature_period != store_period;
        self.verify_signature(
            use_next,
            &update.sync_aggregate,
            &update.attested_header,
            update.signature_slot,
        )
    }

    /// `process_light_client_update(store, update, current_slot, genesis_validators_root)`.
    ///
    /// Atomic: on error the store is unchanged. As in the spec, the optimistic header follows any
    /// valid update with more than half the most participants seen this period and last, so right
    /// after a bootstrap a single signer can move it; only the finalized header needs 2/3.
    pub fn process_update(
        &mut self,
        update: LightClientUpdate<S>,
        current_slot: Slot,
    ) -> Result<UpdateEffect> {
        self.validate_update(&update, current_slot)?;
        // Work on a copy so that a failure leaves the store exactly as it was.
        let mut store = self.store.clone();
        let participants = update.sync_aggregate.participants();
        let better = match &store.best_valid_update {
            None => true,
            Some(best) => is_better_update(&self.spec, &update, best)?,
        };
        store.current_max_active_participants =
            store.current_max_active_participants.max(participants);
        let mut effect = UpdateEffect::default();
        let mut assurance = self.assurance.clone();
        if has_supermajority(participants, S)
            && update.attested_header.beacon.slot > assurance.supermajority_head.beacon.slot
        {
            assurance.supermajority_head = update.attested_header.clone();
        }
        let threshold =
            store.previous_max_active_participants.max(store.current_max_active_participants) / 2;
        if participants > threshold
            && update.attested_header.beacon.slot > store.optimistic_header.beacon.slot
        {
            store.optimistic_header = update.attested_header.clone();
            effect.optimistic_advanced = true;
        }
        let finalizes_next_committee = store.next_sync_committee.is_none()
            && update.is_sync_committee_update()
            && update.is_finality_update()
            && period(&self.spec, update.finalized_header.beacon.slot)?
                == period(&self.spec, update.attested_header.beacon.slot)?;
        if has_supermajority(participants, S)
            && (update.finalized_header.beacon.slot > store.finalized_header.beacon.slot
                || finalizes_next_committee)
        {
            let applied = apply_update(&self.spec, &mut store, &mut assurance, &update)?;
            store.best_valid_update = None;
            // Signed by 2/3 with a valid finality branch: the finalized header is final.
            if store.finalized_header.beacon.slot > assurance.finalized.beacon.slot {
                assurance.finalized = store.finalized_header.clone();
            }
            if assurance.finalized.beacon.slot > assurance.supermajority_head.beacon.slot {
                assurance.supermajority_head = assurance.finalized.clone();
            }
            effect.finalized_advanced |= applied.finalized_advanced;
            effect.optimistic_advanced |= applied.optimistic_advanced;
            effect.period_rotated |= applied.period_rotated;
        } else if better {
            store.best_valid_update = Some(update);
        }
        self.store = store;
        self.assurance = assurance;
        Ok(effect)
    }

    /// `process_light_client_finality_update`.
    pub fn process_finality_update(
        &mut self,
        update: LightClientFinalityUpdate<S>,
        current_slot: Slot,
    ) -> Result<UpdateEffect> {
        self.process_update(update.into(), current_slot)
    }

    /// `process_light_client_optimistic_update`.
    pub fn process_optimistic_update(
        &mut self,
        update: LightClientOptimisticUpdate<S>,
        current_slot: Slot,
    ) -> Result<UpdateEffect> {
        self.process_update(update.into(), current_slot)
    }

    /// Whether `process_light_client_store_force_update` would act at `current_slot`.
    pub fn force_update_due(&self, current_slot: Slot) -> bool {
        let timeout = self.spec.preset.update_timeout();
        current_slot > self.store.finalized_header.beacon.slot.saturating_add(timeout)
            && self.store.best_valid_update.is_some()
    }

    /// `process_light_client_store_force_update(store, current_slot)`, gated by `policy`.
    ///
    /// The spec makes this optional because it trusts an update that never reached finality;
    /// tell the user when it happens. [`LightClient::assurance`] keeps the last header that did
    /// reach finality: a forced header must never be served as finalized. Returns `Ok(None)` when no forced update is due or the
    /// best valid update does not satisfy `policy` (it is then kept).
    pub fn force_update(
        &mut self,
        current_slot: Slot,
        policy: ForceUpdatePolicy,
    ) -> Result<Option<UpdateEffect>> {
        if !self.force_update_due(current_slot) {
            return Ok(None);
        }
        let Some(best) = &self.store.best_valid_update else { return Ok(None) };
        let participants = best.sync_aggregate.participants();
        if !policy.allows(participants, S, best.next_sync_committee.is_some()) {
            return Ok(None);
        }
        let mut store = self.store.clone();
        let Some(mut best) = store.best_valid_update.take() else { return Ok(None) };
        if best.finalized_header.beacon.slot <= store.finalized_header.beacon.slot {
            best.finalized_header = best.attested_header.clone();
        }
        let mut assurance = self.assurance.clone();
        let effect = apply_update(&self.spec, &mut store, &mut assurance, &best)?;
        self.store = store;
        self.assurance = assurance;
        Ok(Some(effect))
    }
}
