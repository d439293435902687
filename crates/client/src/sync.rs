//! The sync driver: bootstrap or resume, catch up period by period, follow the head
//! (consensus-specs `altair/light-client/light-client.md`, "Light client sync process").

use std::time::Duration;

use mana_consensus::bls::BlstVerifier;
use mana_consensus::{
    ForceUpdatePolicy, LightClient, LightClientHeader, LightClientStore, LightClientUpdate,
    UpdateEffect,
};
use mana_primitives::ChainSpec;
use mana_store::Store;

use crate::beacon::MAX_REQUEST_UPDATES;
use crate::checkpoint::CheckpointPolicy;
use crate::error::is_benign;
use crate::execution::{HeadNotes, TrustedBlock, TrustedHeads};
use crate::persist::{PersistedLightClient, load_persisted};
use crate::{B256, Clock, Error, Event, Result, UpstreamPool, sleep};

/// Driver settings.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// Pause between head polls; `None` polls once per slot, a third into it.
    pub poll_interval: Option<Duration>,
    /// The head is stale when the optimistic header lags the wall clock by more slots.
    pub stale_after_slots: u64,
    /// Apply `process_light_client_store_force_update` when it is due, under this policy
    /// (default: [`ForceUpdatePolicy::SUPERMAJORITY`]). Whatever the policy, a forced update
    /// that rotates the sync committee needs a 2/3 supermajority of signers, and a forced
    /// header is never served as finalized.
    pub force_update: Option<ForceUpdatePolicy>,
    /// Age limit on trusted headers.
    pub checkpoint_policy: CheckpointPolicy,
    /// Answers anchored to `latest` are refused once the verified head is more than this many
    /// epochs behind the wall clock (finalized-anchored answers keep working).
    pub max_head_lag_epochs: u64,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            poll_interval: None,
            stale_after_slots: 5,
            force_update: Some(ForceUpdatePolicy::SUPERMAJORITY),
            checkpoint_policy: CheckpointPolicy::default(),
            max_head_lag_epochs: 3,
        }
    }
}

/// Counters of the verifier's verdicts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncStats {
    /// Updates that verified (and may have changed the store).
    pub updates_verified: u64,
    /// Updates rejected as invalid.
    pub updates_rejected: u64,
    /// Valid-looking updates that were not usable (old, too few signers, wrong period).
    pub updates_ignored: u64,
    /// Forced updates applied.
    pub forced_updates: u64,
}

/// Where the client stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStatus {
    /// Slot of the wall clock.
    pub current_slot: u64,
    /// The store's finalized header slot (a forced header when [`SyncStatus::forced_update`]).
    pub finalized_slot: u64,
    /// The spec's optimistic header slot (it may rest on few signatures).
    pub optimistic_slot: u64,
    /// Sync-committee period of the finalized header.
    pub finalized_period: u64,
    /// Whether the next committee is known.
    pub next_committee_known: bool,
    /// Whether the head is stale.
    pub stale: bool,
    /// Slot of the served head: the newest header signed by 2/3 of its committee.
    pub head_slot: u64,
    /// Slot of the newest header known final (served as `finalized` and `safe`).
    pub proven_finalized_slot: u64,
    /// Trust advanced by a forced update: the store's finalized header never reached finality.
    pub forced_update: bool,
    /// The served head is more than `max_head_lag_epochs` behind the wall clock: answers
    /// anchored to `latest` are refused.
    pub head_too_old: bool,
}

/// Dedup key of a processed finality or optimistic update.
type SeenKey = (u64, u64, u64, B256);

/// The light-client driver. `S` is the preset's sync-committee size.
pub struct Syncer<const S: usize, St: Store, C: Clock> {
    client: LightClient<BlstVerifier, S>,
    anchor_root: B256,
    pool: UpstreamPool,
    store: St,
    clock: C,
    config: SyncConfig,
    on_event: Box<dyn FnMut(&Event)>,
    stats: SyncStats,
    stale: bool,
    last_finality: Option<SeenKey>,
    last_optimistic: Option<SeenKey>,
    head_source: Option<usize>,
}

impl<const S: usize, St: Store, C: Clock> core::fmt::Debug for Syncer<S, St, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Syncer")
            .field("client", &self.client)
            .field("pool", &self.pool)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

fn seen_key<const S: usize>(u: &LightClientUpdate<S>) -> SeenKey {
    (
        u.signature_slot,
        u.attested_header.beacon.slot,
        u.finalized_header.beacon.slot,
        u.attested_header.beacon_root(),
    )
}

impl<const S: usize, St: Store, C: Clock> Syncer<S, St, C> {
    /// Resumes from the persisted store, or bootstraps from `checkpoint`.
    ///
    /// The persisted store is used when no checkpoint is given or the checkpoint is the one it
    /// was built from; a different checkpoint starts over from that checkpoint. Either way the
    /// trusted header must pass the checkpoint age policy.
    #[allow(clippy::too_many_arguments)]
    pub async fn open(
        spec: ChainSpec,
        genesis_validators_root: B256,
        mut pool: UpstreamPool,
        store: St,
        clock: C,
        checkpoint: Option<B256>,
        config: SyncConfig,
        mut on_event: Box<dyn FnMut(&Event)>,
    ) -> Result<Self> {
        let persisted = match load_persisted::<S>(&store).await {
            Ok(p) => p,
            // A corrupt store is replaced when the user supplies a new checkpoint.
            Err(Error::StoreCorrupt(_)) if checkpoint.is_some() => None,
            Err(e) => return Err(e),
        };
        let now = clock.now_unix_ms();
        if let Some(p) = persisted
            && checkpoint.is_none_or(|c| c == p.anchor_root)
        {
            if p.genesis_validators_root != genesis_validators_root {
                return Err(Error::WrongNetwork { expected: spec.config_name, found: p.network });
            }
            config.checkpoint_policy.check(&spec, p.store.finalized_header.beacon.slot, now)?;
            on_event(&Event::Resumed {
                finalized_slot: p.store.finalized_header.beacon.slot,
                optimistic_slot: p.store.optimistic_header.beacon.slot,
            });
            let current_slot = spec.slot_at_time(now / 1000).ok_or(Error::BeforeGenesis)?;
            // The checksum only catches accidents: re-check what a store edited to hold data
            // the committees never signed would fail.
            let mut client =
                LightClient::from_store(spec, genesis_validators_root, p.store, BlstVerifier)?
                    .with_assurance(p.assurance)
                    .map_err(|e| Error::StoreCorrupt(format!("assurance marks: {e}")))?;
            client
                .recheck(current_slot)
                .map_err(|e| Error::StoreCorrupt(format!("persisted store fails a check: {e}")))?;
            return Ok(Self::assemble(client, p.anchor_root, pool, store, clock, config, on_event));
        }
        let root = checkpoint.ok_or(Error::NoCheckpoint)?;
        let mut errors = Vec::new();
        for index in pool.order() {
            let Some(api) = pool.api(index) else { continue };
            let outcome = match api.bootstrap::<S>(&spec, &root).await {
                Ok(bootstrap) => LightClient::bootstrap(
                    spec.clone(),
                    genesis_validators_root,
                    &root,
                    bootstrap,
                    BlstVerifier,
                )
                .map_err(Error::from),
                Err(e) => Err(e),
            };
            match outcome {
                Ok(client) => {
                    pool.succeeded(index);
                    let slot = client.store().finalized_header.beacon.slot;
                    config.checkpoint_policy.check(&spec, slot, now)?;
                    let mut syncer =
                        Self::assemble(client, root, pool, store, clock, config, on_event);
                    syncer.persist().await?;
                    syncer.emit(&Event::Bootstrapped { root, slot });
                    return Ok(syncer);
                }
                Err(e) => {
                    if let Some((url, fault, score)) = pool.penalise(index, &e) {
                        on_event(&Event::UpstreamFault {
                            url: url.clone(),
                            fault,
                            reason: e.to_string(),
                            score,
                        });
                        errors.push((url, e.to_string()));
                    }
                }
            }
        }
        Err(Error::AllUpstreamsFailed { what: "bootstrap".into(), errors })
    }

    fn assemble(
        client: LightClient<BlstVerifier, S>,
        anchor_root: B256,
        pool: UpstreamPool,
        store: St,
        clock: C,
        config: SyncConfig,
        on_event: Box<dyn FnMut(&Event)>,
    ) -> Self {
        Self {
            client,
            anchor_root,
            pool,
            store,
            clock,
            config,
            on_event,
            stats: SyncStats::default(),
            stale: false,
            last_finality: None,
            last_optimistic: None,
            head_source: None,
        }
    }

    /// The verified store.
    pub fn store(&self) -> &LightClientStore<S> {
        self.client.store()
    }

    /// The latest finalized header.
    pub fn finalized_header(&self) -> &LightClientHeader {
        &self.client.store().finalized_header
    }

    /// The latest optimistic header.
    pub fn optimistic_header(&self) -> &LightClientHeader {
        &self.client.store().optimistic_header
    }

    /// The chain spec.
    pub fn spec(&self) -> &ChainSpec {
        self.client.spec()
    }

    /// The upstreams and their health.
    pub fn pool(&self) -> &UpstreamPool {
        &self.pool
    }

    /// Verification counters.
    pub fn stats(&self) -> SyncStats {
        self.stats
    }

    /// The checkpoint root the store descends from.
    pub fn anchor_root(&self) -> B256 {
        self.anchor_root
    }

    fn emit(&mut self, event: &Event) {
        (self.on_event)(event);
    }

    fn current_slot(&self) -> Result<u64> {
        self.client.spec().slot_at_time(self.clock.now_unix_ms() / 1000).ok_or(Error::BeforeGenesis)
    }

    /// Where the client stands now.
    pub fn status(&self) -> Result<SyncStatus> {
        let store = self.client.store();
        let assurance = self.client.assurance();
        let current_slot = self.current_slot()?;
        let head_slot = assurance.supermajority_head.beacon.slot;
        Ok(SyncStatus {
            current_slot,
            finalized_slot: store.finalized_header.beacon.slot,
            optimistic_slot: store.optimistic_header.beacon.slot,
            finalized_period: self.client.store_period()?,
            next_committee_known: store.next_sync_committee.is_some(),
            stale: self.stale,
            head_slot,
            proven_finalized_slot: assurance.finalized.beacon.slot,
            forced_update: assurance.forced(store),
            head_too_old: current_slot.saturating_sub(head_slot) > self.max_head_lag_slots(),
        })
    }

    fn max_head_lag_slots(&self) -> u64 {
        self.config.max_head_lag_epochs.saturating_mul(self.client.spec().preset.slots_per_epoch)
    }

    /// What the verified provider may anchor to: `latest` is the newest execution block of a
    /// header signed by 2/3 of its committee (the finalized block until one is seen), and
    /// `finalized`/`safe` the newest block known final — never a header applied by a forced
    /// update. `latest` expires `max_head_lag_epochs` after its slot.
    pub fn trusted_heads(&self) -> TrustedHeads {
        let assurance = self.client.assurance();
        let store = self.client.store();
        let spec = self.client.spec();
        let block = |h: &LightClientHeader| {
            (h.execution.block_hash != [0; 32]).then(|| TrustedBlock {
                number: h.execution.block_number,
                hash: h.execution.block_hash.into(),
            })
        };
        let head = &assurance.supermajority_head;
        let lag_ms = self.max_head_lag_slots().saturating_mul(spec.slot_duration_ms);
        let slot_start_ms = head
            .beacon
            .slot
            .saturating_mul(spec.slot_duration_ms)
            .saturating_add(spec.genesis_time.saturating_mul(1000));
        TrustedHeads {
            latest: block(head),
            finalized: block(&assurance.finalized),
            latest_expires_ms: Some(slot_start_ms.saturating_add(lag_ms)),
            latest_lag_limit_ms: lag_ms,
            notes: HeadNotes {
                latest_is_finalized: head.beacon.slot <= assurance.finalized.beacon.slot,
                weak_optimistic_ignored: store.optimistic_header.beacon.slot > head.beacon.slot,
                forced_update: assurance.forced(store),
            },
        }
    }

    async fn persist(&mut self) -> Result<()> {
        let persisted = PersistedLightClient {
            network: self.client.spec().config_name.clone(),
            genesis_validators_root: *self.client.genesis_validators_root(),
            anchor_root: self.anchor_root,
            store: self.client.store().clone(),
            assurance: self.client.assurance().clone(),
        };
        persisted.save(&self.store).await
    }

    fn fault(&mut self, index: usize, error: &Error) {
        if let Some((url, fault, score)) = self.pool.penalise(index, error) {
            self.emit(&Event::UpstreamFault { url, fault, reason: error.to_string(), score });
        }
    }

    /// Persists and announces what an applied update changed.
    async fn announce(&mut self, effect: UpdateEffect) -> Result<()> {
        self.persist().await?;
        let store = self.client.store();
        let finalized = &store.finalized_header;
        let optimistic = &store.optimistic_header;
        let fin = Event::Finalized {
            slot: finalized.beacon.slot,
            root: finalized.beacon_root(),
            block_number: finalized.execution.block_number,
            block_hash: finalized.execution.block_hash,
        };
        let opt = Event::Optimistic {
            slot: optimistic.beacon.slot,
            root: optimistic.beacon_root(),
            block_number: optimistic.execution.block_number,
        };
        let period = self.client.store_period()?;
        if effect.period_rotated {
            self.emit(&Event::PeriodRotated { period });
        }
        if effect.finalized_advanced {
            self.emit(&fin);
        }
        if effect.optimistic_advanced {
            self.emit(&opt);
        }
        Ok(())
    }

    /// Verifies one update and, if it changes the store, persists the new store before
    /// announcing it. Returns whether the store changed. Benign rejections are `Ok(false)`.
    async fn apply(&mut self, update: LightClientUpdate<S>, current_slot: u64) -> Result<bool> {
        let before = self.client.store().clone();
        match self.client.process_update(update, current_slot) {
            Ok(effect) => {
                self.stats.updates_verified = self.stats.updates_verified.saturating_add(1);
                if *self.client.store() == before {
                    return Ok(false);
                }
                self.announce(effect).await?;
                Ok(true)
            }
            Err(e) if is_benign(&e) => {
                self.stats.updates_ignored = self.stats.updates_ignored.saturating_add(1);
                Ok(false)
            }
            Err(e) => {
                self.stats.updates_rejected = self.stats.updates_rejected.saturating_add(1);
                Err(Error::Verify(e))
            }
        }
    }

    /// Marker that changes whenever catching up made progress.
    fn progress(&self) -> (u64, bool) {
        let store = self.client.store();
        (store.finalized_header.beacon.slot, store.next_sync_committee.is_some())
    }

    /// The first period whose update the store still needs, if the wall clock has reached it.
    fn needed_period(&self, current_slot: u64) -> Result<Option<(u64, u64)>> {
        let spec = self.client.spec();
        let current_period = spec.sync_committee_period_at_slot(current_slot)?;
        let store_period = self.client.store_period()?;
        let start = if self.client.store().next_sync_committee.is_some() {
            store_period.saturating_add(1)
        } else {
            store_period
        };
        Ok((start <= current_period).then_some((start, current_period)))
    }

    /// Catches up with the wall clock's period through `updates` requests of up to 128
    /// periods each, for as many pages as it takes. Returns when the store is in the current
    /// period or no upstream has anything newer.
    pub async fn catch_up(&mut self) -> Result<()> {
        loop {
            let current_slot = self.current_slot()?;
            let Some((start, current_period)) = self.needed_period(current_slot)? else { break };
            let store_period = self.client.store_period()?;
            self.emit(&Event::SyncProgress {
                period: store_period,
                target_period: current_period,
                remaining: current_period.saturating_sub(store_period),
            });
            let count =
                current_period.saturating_sub(start).saturating_add(1).min(MAX_REQUEST_UPDATES);
            let before = self.progress();
            self.fetch_updates(start, count, current_slot).await?;
            if self.progress() == before {
                break;
            }
        }
        let status = self.status()?;
        self.emit(&Event::CaughtUp {
            finalized_slot: status.finalized_slot,
            optimistic_slot: status.optimistic_slot,
        });
        Ok(())
    }

    /// One `updates` request, answered by the healthiest upstream that gives usable data.
    async fn fetch_updates(&mut self, start: u64, count: u64, current_slot: u64) -> Result<()> {
        let spec = self.client.spec().clone();
        let root = *self.client.genesis_validators_root();
        let mut errors = Vec::new();
        let mut answered = false;
        for index in self.pool.order() {
            let Some(api) = self.pool.api(index) else { continue };
            let mut fetched = api.updates::<S>(&spec, &root, start, count).await;
            if count > 1 && matches!(fetched, Err(Error::Status { .. })) {
                // Some servers fail a whole range when one period is missing; ask for one.
                fetched = api.updates::<S>(&spec, &root, start, 1).await;
            }
            let updates = match fetched {
                Ok(updates) => updates,
                Err(e) => {
                    self.fault(index, &e);
                    errors.push((api.url().to_string(), e.to_string()));
                    continue;
                }
            };
            let before = self.progress();
            let mut outcome = Ok(());
            for update in updates {
                if let Err(e) = self.apply(update, current_slot).await {
                    outcome = Err(e);
                    break;
                }
            }
            match outcome {
                Ok(()) => {
                    self.pool.succeeded(index);
                    answered = true;
                    if self.progress() != before {
                        return Ok(());
                    }
                }
                Err(e) if e.is_invalid_data() => {
                    self.fault(index, &e);
                    errors.push((api.url().to_string(), e.to_string()));
                }
                Err(e) => return Err(e),
            }
        }
        if answered {
            Ok(())
        } else {
            Err(Error::AllUpstreamsFailed {
                what: format!("updates from period {start} (count {count})"),
                errors,
            })
        }
    }

    /// Polls finality and optimistic updates once, applies a due forced update, and checks
    /// the head for staleness. Catches up first when the store is a period or more behind.
    pub async fn poll_head(&mut self) -> Result<SyncStatus> {
        let current_slot = self.current_slot()?;
        let behind = match self.needed_period(current_slot)? {
            Some((start, current_period)) => {
                start < current_period || self.client.store().next_sync_committee.is_none()
            }
            None => false,
        };
        if behind {
            // Following the head must not stall while the next period's update is not served
            // yet; a failed catch-up is reported and retried at the next poll.
            match self.catch_up().await {
                Ok(()) => {}
                Err(e @ (Error::Store(_) | Error::StoreCorrupt(_))) => return Err(e),
                Err(e) => self.emit(&Event::Retrying { reason: e.to_string() }),
            }
        }
        self.follow(true, current_slot).await?;
        self.follow(false, current_slot).await?;
        // A committee rotation is never forced on a minority's word, whatever the policy.
        let policy = self
            .config
            .force_update
            .map(|p| ForceUpdatePolicy { committee_needs_supermajority: true, ..p });
        if let Some(policy) = policy
            && let Some(effect) = self.client.force_update(current_slot, policy)?
        {
            self.stats.forced_updates = self.stats.forced_updates.saturating_add(1);
            let slot = self.client.store().finalized_header.beacon.slot;
            self.announce(effect).await?;
            self.emit(&Event::ForcedUpdate { slot });
        }
        self.check_stale(current_slot);
        self.status()
    }

    /// Fetches the latest finality (or optimistic) update from the healthiest upstream that
    /// serves a valid one.
    async fn follow(&mut self, finality: bool, current_slot: u64) -> Result<()> {
        let spec = self.client.spec().clone();
        for index in self.pool.order() {
            let Some(api) = self.pool.api(index) else { continue };
            let fetched = if finality {
                api.finality_update::<S>(&spec).await.map(LightClientUpdate::from)
            } else {
                api.optimistic_update::<S>(&spec).await.map(LightClientUpdate::from)
            };
            let update = match fetched {
                Ok(update) => update,
                Err(e) => {
                    self.fault(index, &e);
                    continue;
                }
            };
            let key = seen_key(&update);
            let seen = if finality { self.last_finality } else { self.last_optimistic };
            if seen == Some(key) {
                self.pool.succeeded(index);
                return Ok(());
            }
            match self.apply(update, current_slot).await {
                Ok(changed) => {
                    self.pool.succeeded(index);
                    if finality {
                        self.last_finality = Some(key);
                    } else {
                        self.last_optimistic = Some(key);
                    }
                    if changed || !finality {
                        self.head_source = Some(index);
                    }
                    return Ok(());
                }
                Err(e) if e.is_invalid_data() => self.fault(index, &e),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn check_stale(&mut self, current_slot: u64) {
        let head_slot = self.client.store().optimistic_header.beacon.slot;
        let lag = current_slot.saturating_sub(head_slot);
        if lag > self.config.stale_after_slots {
            if !self.stale {
                self.stale = true;
                self.emit(&Event::Stale { head_slot, current_slot });
            }
            // Let another upstream serve the head next time.
            if let Some(index) = self.head_source.take()
                && let Some((url, fault, score)) =
                    self.pool.stale(index, format!("head {lag} slots behind the clock"))
            {
                self.emit(&Event::UpstreamFault {
                    url,
                    fault,
                    reason: format!("head slot {head_slot} is {lag} slots behind"),
                    score,
                });
            }
        } else if self.stale {
            self.stale = false;
            self.emit(&Event::Recovered { head_slot });
        }
    }

    /// How long to wait before the next head poll.
    pub fn poll_delay(&self) -> Duration {
        if let Some(interval) = self.config.poll_interval {
            return interval;
        }
        let spec = self.client.spec();
        let slot_ms = spec.slot_duration_ms.max(1);
        let now = self.clock.now_unix_ms();
        let since_genesis = now.saturating_sub(spec.genesis_time.saturating_mul(1000));
        let into_slot = since_genesis.checked_rem(slot_ms).unwrap_or(0);
        let target = slot_ms / 3;
        let wait = if into_slot < target {
            target.saturating_sub(into_slot)
        } else {
            slot_ms.saturating_sub(into_slot).saturating_add(target)
        };
        Duration::from_millis(wait)
    }

    /// Catches up, then follows the head forever. Returns only on a store error (the caller
    /// must not go on without persistence) or, during the first catch-up, when no upstream can
    /// be reached at all; later upstream failures are reported and retried.
    pub async fn run(&mut self) -> Result<()> {
        self.catch_up().await?;
        loop {
            match self.poll_head().await {
                Ok(_) => {}
                Err(e @ (Error::Store(_) | Error::StoreCorrupt(_))) => return Err(e),
                Err(e) => self.emit(&Event::Retrying { reason: e.to_string() }),
            }
            sleep(self.poll_delay()).await;
        }
    }
}
