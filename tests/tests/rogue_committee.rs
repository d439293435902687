//! A rogue sync-committee member against the light-client driver and the verified provider,
//! over a local Beacon API server: one signature must never move what Mana serves, a forced
//! update must never be served as `finalized`, and a head that stopped moving must stop
//! answering for `latest`.
//!
//! Each attack is first replayed through the core under the spec's own rules, to show the data
//! is a real attack (the spec's store takes it), then through the driver, which must refuse it.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use alloy_eips::{BlockId, BlockNumberOrTag};
use mana_client::checkpoint::CheckpointPolicy;
use mana_client::execution::{
    ExecutionRpc, ProviderConfig, SharedHeads, TrustedBlock, VerifiedProvider,
};
use mana_client::{
    Clock, Error, Event, HttpOptions, PersistedLightClient, STORE_KEY, SyncConfig, Syncer,
    UpstreamPool,
};
use mana_consensus::bls::BlstVerifier;
use mana_consensus::{
    ForceUpdatePolicy, LightClient, LightClientBootstrap, LightClientUpdate,
    MINIMAL_SYNC_COMMITTEE_SIZE as S,
};
use mana_store::{MemoryStore, Store};
use mana_tests::beacon_server::{Behaviour, CaseData, serve};
use mana_tests::synthetic_chain::{ATTACKER_COMMITTEE, Rogue, rogue_chain};
use serde_json::json;

const HONEST: (u64, [u8; 32]) = (1000, [0xaa; 32]);
const ROGUE: (u64, [u8; 32]) = (1001, [0xee; 32]);

#[derive(Clone, Copy)]
struct FixedClock(u64);
impl Clock for FixedClock {
    fn now_unix_ms(&self) -> u64 {
        self.0
    }
}

fn now_s() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn case(rogue: Rogue) -> CaseData {
    let base = CaseData::all()
        .into_iter()
        .find(|c| c.name.starts_with("electra") && !c.config_yaml.is_empty())
        .expect("an electra data_collection case for the config");
    rogue_chain(&base.config_yaml, 31_337, rogue, HONEST, ROGUE, now_s())
}

fn block((number, hash): (u64, [u8; 32])) -> TrustedBlock {
    TrustedBlock { number, hash: hash.into() }
}

/// What the spec's own rules make of the case: bootstrap, the update, a forced update under
/// [`ForceUpdatePolicy::SPEC`] when due.
fn spec_replay(case: &CaseData) -> LightClient<BlstVerifier, S> {
    let bootstrap =
        LightClientBootstrap::<S>::from_ssz(case.bootstrap.fork, &case.bootstrap.ssz).unwrap();
    let mut client = LightClient::bootstrap(
        case.spec.clone(),
        case.genesis_validators_root,
        &case.trusted_root,
        bootstrap,
        BlstVerifier,
    )
    .unwrap();
    let object = &case.updates[&1];
    let update = LightClientUpdate::<S>::from_ssz(object.fork, &object.ssz).unwrap();
    client.process_update(update, case.current_slot).unwrap();
    client.force_update(case.current_slot, ForceUpdatePolicy::SPEC).unwrap();
    client
}

type Events = Rc<RefCell<Vec<Event>>>;

/// A change made to a persisted store behind the client's back.
type Edit = fn(&mut PersistedLightClient<S>);

async fn sync<St: Store>(
    case: &CaseData,
    url: &str,
    store: St,
    config: SyncConfig,
) -> (Syncer<S, St, FixedClock>, Events) {
    let pool = UpstreamPool::new(&[url.to_string()], &HttpOptions::default()).unwrap();
    let events: Events = Rc::default();
    let sink = Rc::clone(&events);
    let mut syncer = Syncer::<S, _, _>::open(
        case.spec.clone(),
        case.genesis_validators_root,
        pool,
        store,
        FixedClock(case.now_unix_ms()),
        Some(case.trusted_root),
        config,
        Box::new(move |e: &Event| sink.borrow_mut().push(e.clone())),
    )
    .await
    .unwrap();
    syncer.catch_up().await.unwrap();
    syncer.poll_head().await.unwrap();
    (syncer, events)
}

fn config() -> SyncConfig {
    SyncConfig {
        poll_interval: Some(Duration::from_millis(10)),
        checkpoint_policy: CheckpointPolicy { allow_old: true, ..CheckpointPolicy::default() },
        ..SyncConfig::default()
    }
}

/// A provider over the syncer's heads; its upstream is never reached by these checks.
fn provider(heads: &SharedHeads) -> VerifiedProvider<SharedHeads> {
    let dead = ExecutionRpc::new("http://127.0.0.1:9", Duration::from_secs(1)).unwrap();
    VerifiedProvider::new(heads.clone(), vec![dead], ProviderConfig::for_chain(31_337)).unwrap()
}

fn forced(events: &Events) -> bool {
    events.borrow().iter().any(|e| matches!(e, Event::ForcedUpdate { .. }))
}

#[tokio::test]
async fn one_signer_after_bootstrap_never_sets_latest() {
    let case = case(Rogue::OneSignerHead);
    // The attack under the spec: one signature moves the optimistic header.
    let replay = spec_replay(&case);
    assert_eq!(replay.store().optimistic_header.execution.block_hash, ROGUE.1);

    let server = serve(vec![case.clone()], Behaviour::Honest, 0).await;
    let (syncer, _) = sync(&case, &server.url(&case.name), MemoryStore::new(), config()).await;
    assert_eq!(syncer.optimistic_header().execution.block_hash, ROGUE.1, "spec store as replayed");
    let heads = syncer.trusted_heads();
    assert_eq!(heads.latest, Some(block(HONEST)), "latest must rest on 2/3 of the committee");
    assert_eq!(heads.finalized, Some(block(HONEST)));
    assert!(heads.notes.latest_is_finalized && heads.notes.weak_optimistic_ignored);
    let status = syncer.status().unwrap();
    assert_eq!(status.head_slot, status.proven_finalized_slot);
    assert!(!status.forced_update && !status.head_too_old);

    let shared = SharedHeads::new();
    shared.set(heads);
    let provider = provider(&shared);
    let latest = provider.resolve(BlockId::Number(BlockNumberOrTag::Latest)).await.unwrap();
    assert_eq!(latest, block(HONEST));
    assert_eq!(provider.request("eth_blockNumber", json!([])).await.unwrap(), json!("0x3e8"));
    let syncing = provider.request("eth_syncing", json!([])).await.unwrap();
    assert_eq!(syncing["mana"]["latestIsFinalized"], json!(true), "{syncing}");
}

#[tokio::test]
async fn one_signer_never_rotates_the_committee_by_a_forced_update() {
    let case = case(Rogue::OneSignerRotation);
    // The attack under the spec: the forced update installs the attacker's committee and
    // trusts the rogue header as finalized.
    let replay = spec_replay(&case);
    let (_, attacker) = mana_consensus::testing::committee::<S>(ATTACKER_COMMITTEE * S);
    assert_eq!(replay.store().next_sync_committee.as_ref(), Some(&attacker));
    assert_eq!(replay.store().finalized_header.execution.block_hash, ROGUE.1);

    let server = serve(vec![case.clone()], Behaviour::Honest, 0).await;
    // The default policy, and even the spec's own policy: the driver never forces a committee
    // rotation signed by fewer than 2/3.
    for policy in [None, Some(ForceUpdatePolicy::SPEC)] {
        let config = match policy {
            None => config(),
            Some(p) => SyncConfig { force_update: Some(p), ..config() },
        };
        let (syncer, events) =
            sync(&case, &server.url(&case.name), MemoryStore::new(), config).await;
        assert!(!forced(&events), "{policy:?}: forced the rogue update");
        assert_eq!(syncer.store().next_sync_committee, None, "{policy:?}");
        assert_ne!(syncer.finalized_header().execution.block_hash, ROGUE.1, "{policy:?}");
        let heads = syncer.trusted_heads();
        assert_eq!(heads.latest, Some(block(HONEST)), "{policy:?}");
        assert_eq!(heads.finalized, Some(block(HONEST)), "{policy:?}");

        // The wall clock is past 3 epochs after the head: `latest` is refused with a clear
        // error, `finalized` still answers, `eth_syncing` says why.
        assert!(syncer.status().unwrap().head_too_old);
        let shared = SharedHeads::new();
        shared.set(heads);
        let provider = provider(&shared);
        let err = provider.resolve(BlockId::Number(BlockNumberOrTag::Latest)).await.unwrap_err();
        assert!(matches!(err, Error::HeadTooOld { block: 1000, .. }), "{err}");
        assert_eq!(err.json_rpc_code(), -32001);
        let err = provider.request("eth_blockNumber", json!([])).await.unwrap_err();
        assert!(matches!(err, Error::HeadTooOld { .. }), "{err}");
        let finalized =
            provider.resolve(BlockId::Number(BlockNumberOrTag::Finalized)).await.unwrap();
        assert_eq!(finalized, block(HONEST));
        let syncing = provider.request("eth_syncing", json!([])).await.unwrap();
        let reason = syncing["mana"]["reason"].as_str().unwrap();
        assert!(reason.contains("behind the wall clock"), "{syncing}");
    }
    // The core's default policy refuses it too.
    assert_eq!(ForceUpdatePolicy::default(), ForceUpdatePolicy::SUPERMAJORITY);
}

#[tokio::test]
async fn a_forced_header_is_never_served_as_finalized() {
    let case = case(Rogue::ForcedSupermajority);
    let server = serve(vec![case.clone()], Behaviour::Honest, 0).await;
    let store = MemoryStore::new();
    let (syncer, events) = sync(&case, &server.url(&case.name), &store, config()).await;
    // 2/3 signed it, so the default policy forces it ...
    assert!(forced(&events), "the supermajority update was not forced");
    assert_eq!(syncer.finalized_header().execution.block_hash, ROGUE.1);
    // ... but it never reached finality: `finalized` and `safe` stay at the checkpoint.
    let heads = syncer.trusted_heads();
    assert_eq!(heads.finalized, Some(block(HONEST)));
    assert_eq!(heads.latest, Some(block(ROGUE)), "2/3 signed the forced header");
    assert!(heads.notes.forced_update);
    let status = syncer.status().unwrap();
    assert!(status.forced_update);
    assert!(status.proven_finalized_slot < status.finalized_slot);

    // The mark survives a restart.
    let bytes = store.get(STORE_KEY).await.unwrap().unwrap();
    let persisted = PersistedLightClient::<S>::decode(&bytes).unwrap();
    assert_eq!(persisted.assurance.finalized.execution.block_hash, HONEST.1);
    drop(syncer);
    let (resumed, _) = sync(&case, &server.url(&case.name), &store, config()).await;
    assert_eq!(resumed.trusted_heads().finalized, Some(block(HONEST)));
    assert!(resumed.status().unwrap().forced_update);

    let shared = SharedHeads::new();
    shared.set(heads);
    let provider = provider(&shared);
    for tag in [BlockNumberOrTag::Finalized, BlockNumberOrTag::Safe] {
        assert_eq!(provider.resolve(BlockId::Number(tag)).await.unwrap(), block(HONEST));
    }
    let syncing = provider.request("eth_syncing", json!([])).await.unwrap();
    assert_eq!(syncing["mana"]["forcedUpdate"], json!(true), "{syncing}");
}

#[tokio::test]
async fn an_edited_store_fails_its_recheck_on_load() {
    let case = case(Rogue::OneSignerHead);
    let server = serve(vec![case.clone()], Behaviour::Honest, 0).await;
    let store = MemoryStore::new();
    let (syncer, _) = sync(&case, &server.url(&case.name), &store, config()).await;
    drop(syncer);
    // Someone with write access swaps the best valid update's signature and fixes the
    // checksum: the store still parses, but the recheck on load refuses it.
    let original = store.get(STORE_KEY).await.unwrap().unwrap();
    let reopen = || async {
        let pool = UpstreamPool::new(&[server.url(&case.name)], &HttpOptions::default()).unwrap();
        Syncer::<S, _, _>::open(
            case.spec.clone(),
            case.genesis_validators_root,
            pool,
            &store,
            FixedClock(case.now_unix_ms()),
            None,
            config(),
            Box::new(|_| {}),
        )
        .await
        .map(|_| ())
    };
    let edits: [(&str, Edit); 2] = [
        ("a signer added to the best valid update", |p| {
            let best = p.store.best_valid_update.as_mut().expect("a best valid update");
            best.sync_aggregate.sync_committee_bits.set(9, true).unwrap();
        }),
        ("the current committee swapped for the attacker's", |p| {
            let (_, attacker) = mana_consensus::testing::committee::<S>(ATTACKER_COMMITTEE * S);
            p.store.current_sync_committee = attacker;
            // Only the committee proof can catch it then.
            p.store.best_valid_update = None;
        }),
    ];
    for (what, edit) in edits {
        let mut persisted = PersistedLightClient::<S>::decode(&original).unwrap();
        assert!(persisted.assurance.current_committee_proof.is_some());
        edit(&mut persisted);
        let bytes = persisted.encode().unwrap();
        store.write(vec![mana_store::Op::Put(STORE_KEY.into(), bytes)]).await.unwrap();
        let err = reopen().await.unwrap_err();
        assert!(matches!(err, Error::StoreCorrupt(_)), "{what}: {err}");
    }
    // The store as written verifies.
    store.write(vec![mana_store::Op::Put(STORE_KEY.into(), original.clone())]).await.unwrap();
    reopen().await.unwrap();
}
