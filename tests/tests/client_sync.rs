//! The light-client driver against local Beacon API servers that serve the consensus-spec
//! `data_collection` vectors (Altair through Fulu, with fork transitions): honest servers,
//! hostile ones, persistence and resume.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use mana_client::checkpoint::CheckpointPolicy;
use mana_client::{Clock, Error, Event, Fault, HttpOptions, SyncConfig, Syncer, UpstreamPool};
use mana_consensus::{LightClientBootstrap, MINIMAL_SYNC_COMMITTEE_SIZE as S};
use mana_primitives::ChainSpec;
use mana_store::{MemoryStore, RedbStore, Store};
use mana_tests::beacon_server::{Behaviour, CaseData, dead_url, expected_store, serve};
use mana_tests::synthetic_chain;

struct FixedClock(u64);
impl Clock for FixedClock {
    fn now_unix_ms(&self) -> u64 {
        self.0
    }
}

fn config() -> SyncConfig {
    SyncConfig {
        poll_interval: Some(Duration::from_millis(10)),
        stale_after_slots: u64::MAX,
        force_update: None,
        checkpoint_policy: CheckpointPolicy { allow_old: true, ..CheckpointPolicy::default() },
        ..SyncConfig::default()
    }
}

type Events = Rc<RefCell<Vec<Event>>>;
type Sink = Box<dyn FnMut(&Event)>;

fn recorder() -> (Events, Sink) {
    let events: Events = Rc::default();
    let sink = Rc::clone(&events);
    (events, Box::new(move |e: &Event| sink.borrow_mut().push(e.clone())))
}

async fn sync_case<const N: usize, St: Store>(
    case: &CaseData,
    urls: &[String],
    store: St,
    options: &HttpOptions,
) -> Result<(Syncer<N, St, FixedClock>, Events), Error> {
    let pool = UpstreamPool::new(urls, options)?;
    let (events, sink) = recorder();
    let mut syncer = Syncer::<N, _, _>::open(
        case.spec.clone(),
        case.genesis_validators_root,
        pool,
        store,
        FixedClock(case.now_unix_ms()),
        Some(case.trusted_root),
        config(),
        sink,
    )
    .await?;
    syncer.catch_up().await?;
    syncer.poll_head().await?;
    Ok((syncer, events))
}

#[tokio::test]
async fn data_collection_vectors_sync_over_http() {
    let cases = CaseData::all();
    let server = serve(cases.clone(), Behaviour::Honest, 0).await;
    let (mut passed, mut failed) = (0, 0);
    for case in &cases {
        let expected = expected_store::<S>(case);
        let outcome =
            sync_case(case, &[server.url(&case.name)], MemoryStore::new(), &HttpOptions::default())
                .await;
        let verdict = match &outcome {
            Ok((syncer, _)) if *syncer.store() == expected => {
                let bootstrap_slot =
                    LightClientBootstrap::<S>::from_ssz(case.bootstrap.fork, &case.bootstrap.ssz)
                        .unwrap()
                        .header
                        .beacon
                        .slot;
                if syncer.optimistic_header().beacon.slot > bootstrap_slot {
                    Ok(())
                } else {
                    Err("no progress past the bootstrap".to_string())
                }
            }
            Ok((syncer, _)) => Err(format!(
                "store differs: finalized {} vs {}, optimistic {} vs {}",
                syncer.finalized_header().beacon.slot,
                expected.finalized_header.beacon.slot,
                syncer.optimistic_header().beacon.slot,
                expected.optimistic_header.beacon.slot
            )),
            Err(e) => Err(e.to_string()),
        };
        match verdict {
            Ok(()) => {
                passed += 1;
                let (syncer, _) = outcome.as_ref().unwrap();
                println!(
                    "  {}: {} periods served, finalized slot {}, head slot {} (fork {})",
                    case.name,
                    case.updates.len(),
                    syncer.finalized_header().beacon.slot,
                    syncer.optimistic_header().beacon.slot,
                    case.spec.fork_at_slot(syncer.optimistic_header().beacon.slot).name()
                );
            }
            Err(e) => {
                failed += 1;
                println!("  FAIL {}: {e}", case.name);
            }
        }
    }
    println!("light_client data_collection over HTTP: {passed} passed, {failed} failed");
    assert!(passed >= 10, "expected all 10 data_collection cases, found {passed}");
    assert_eq!(failed, 0);
}

#[tokio::test]
async fn catching_up_more_than_128_periods_takes_several_pages() {
    // Mainnet's forks and period length with 32-member committees keep 130 periods cheap.
    const N: usize = 32;
    let mut spec = ChainSpec::mainnet();
    spec.preset.sync_committee_size = N;
    let case = synthetic_chain::chain::<N>(spec, "mainnet", 130);
    let expected = expected_store::<N>(&case);
    let server = serve(vec![case.clone()], Behaviour::Honest, 0).await;
    let (syncer, events) = sync_case::<N, _>(
        &case,
        &[server.url(&case.name)],
        MemoryStore::new(),
        &HttpOptions::default(),
    )
    .await
    .unwrap();
    assert!(*syncer.store() == expected, "store differs from the core's replay");
    let first = synthetic_chain::FIRST_PERIOD;
    assert_eq!(
        case.spec.sync_committee_period_at_slot(syncer.finalized_header().beacon.slot).unwrap(),
        first + 129
    );
    // The server answers at most 128 updates per request, so the driver needs two pages.
    let pages: Vec<(u64, u64)> = events
        .borrow()
        .iter()
        .filter_map(|e| match e {
            Event::SyncProgress { period, target_period, .. } => Some((*period, *target_period)),
            _ => None,
        })
        .collect();
    // Page one: periods first..first+127 from the bootstrap's period; page two: the last two
    // from the period the first page reached.
    assert_eq!(pages, [(first, first + 129), (first + 127, first + 129)], "{pages:?}");
    let stats = syncer.stats();
    // 130 range updates, then the head's finality and optimistic updates.
    assert_eq!((stats.updates_verified, stats.updates_rejected), (132, 0), "{stats:?}");
}

/// The case with the most periods and a fork transition (Capella → Deneb → Electra).
fn rich_case(cases: &[CaseData]) -> CaseData {
    cases
        .iter()
        .find(|c| c.name == "capella-deneb_electra_reorg_unaligned")
        .cloned()
        .expect("capella-deneb_electra_reorg_unaligned")
}

#[tokio::test]
async fn hostile_upstreams_are_reported_and_the_honest_one_wins() {
    let cases = CaseData::all();
    let case = rich_case(&cases);
    let expected = expected_store::<S>(&case);
    let honest = serve(vec![case.clone()], Behaviour::Honest, 0).await;
    let options = HttpOptions { timeout: Duration::from_secs(2), prefer_ssz: true };
    for (behaviour, fault) in [
        (Behaviour::FlipSignature, Fault::InvalidData),
        (Behaviour::WrongBranch, Fault::InvalidData),
        (Behaviour::WrongFork, Fault::InvalidData),
        (Behaviour::Oversized, Fault::InvalidData),
        (Behaviour::OversizedStreamed, Fault::InvalidData),
        (Behaviour::SlowLoris, Fault::Unavailable),
    ] {
        let hostile = serve(vec![case.clone()], behaviour, 0).await;
        let down = dead_url().await;
        let hostile_url = hostile.url(&case.name);
        let urls = [down.clone(), hostile_url.clone(), honest.url(&case.name)];
        let (syncer, events) = sync_case(&case, &urls, MemoryStore::new(), &options)
            .await
            .unwrap_or_else(|e| panic!("{behaviour:?}: {e}"));
        assert_eq!(*syncer.store(), expected, "{behaviour:?}: store differs from the honest sync");
        let events = events.borrow();
        let reported = |url: &str, kind: Fault| {
            events.iter().any(|e| matches!(e, Event::UpstreamFault { url: u, fault, .. } if u == url && *fault == kind))
        };
        assert!(reported(&down, Fault::Unavailable), "{behaviour:?}: dead upstream not reported");
        assert!(
            reported(&hostile_url, fault),
            "{behaviour:?}: hostile upstream not reported as {fault:?}"
        );
        let status = syncer.pool().status();
        let hostile_status = status.iter().find(|s| s.url == hostile_url).unwrap();
        let honest_status = status.iter().find(|s| s.url != hostile_url && s.url != down).unwrap();
        assert!(hostile_status.score < honest_status.score, "{behaviour:?}: {status:?}");
        if fault == Fault::InvalidData {
            assert!(hostile_status.invalid > 0, "{behaviour:?}: {status:?}");
        }
        let reason = events
            .iter()
            .find_map(|e| match e {
                Event::UpstreamFault { url, reason, .. } if *url == hostile_url => {
                    Some(reason.clone())
                }
                _ => None,
            })
            .unwrap();
        println!("  {behaviour:?}: reported as {fault}: {reason}");
    }
}

#[tokio::test]
async fn only_hostile_upstreams_mean_no_progress_and_a_clear_error() {
    let cases = CaseData::all();
    let case = rich_case(&cases);
    let hostile = serve(vec![case.clone()], Behaviour::WrongBranch, 0).await;
    let err = sync_case::<S, _>(
        &case,
        &[hostile.url(&case.name)],
        MemoryStore::new(),
        &HttpOptions::default(),
    )
    .await
    .expect_err("a tampered bootstrap must not be accepted");
    match err {
        Error::AllUpstreamsFailed { what, errors } => {
            assert_eq!(what, "bootstrap");
            assert!(errors[0].1.contains("current sync committee branch is invalid"), "{errors:?}");
        }
        other => panic!("unexpected error {other}"),
    }
}

#[tokio::test]
async fn the_store_persists_and_resumes_without_a_checkpoint() {
    let cases = CaseData::all();
    let case = rich_case(&cases);
    let server = serve(vec![case.clone()], Behaviour::Honest, 0).await;
    let dir = std::env::temp_dir().join(format!("mana-resume-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("light-client.redb");
    let urls = [server.url(&case.name)];
    let synced = {
        let store = RedbStore::open(&path).unwrap();
        let (syncer, _) = sync_case(&case, &urls, store, &HttpOptions::default()).await.unwrap();
        syncer.store().clone()
    };
    // Opens a syncer without a checkpoint: it must resume from `store` or refuse.
    let reopen = |store, now, root, config, sink| {
        let pool = UpstreamPool::new(&urls, &HttpOptions::default()).unwrap();
        Syncer::<S, _, _>::open(
            case.spec.clone(),
            root,
            pool,
            store,
            FixedClock(now),
            None,
            config,
            sink,
        )
    };
    let gvr = case.genesis_validators_root;
    let now = case.now_unix_ms();

    // Resume: no checkpoint, nothing fetched for the bootstrap.
    let (events, sink) = recorder();
    let resumed = reopen(RedbStore::open(&path).unwrap(), now, gvr, config(), sink).await.unwrap();
    assert_eq!(*resumed.store(), synced);
    assert!(matches!(events.borrow()[0], Event::Resumed { .. }));
    drop(resumed);

    // Too old for the weak-subjectivity policy unless forced.
    let strict = SyncConfig { checkpoint_policy: CheckpointPolicy::default(), ..config() };
    let far_future = now + 30 * 24 * 3600 * 1000;
    let err = reopen(RedbStore::open(&path).unwrap(), far_future, gvr, strict, Box::new(|_| {}))
        .await
        .expect_err("an old store must be refused");
    assert!(matches!(err, Error::CheckpointTooOld { .. }), "{err}");

    // Another network's root is refused.
    let err = reopen(RedbStore::open(&path).unwrap(), now, [9; 32], config(), Box::new(|_| {}))
        .await
        .expect_err("another network's store must be refused");
    assert!(matches!(err, Error::WrongNetwork { .. }), "{err}");

    // Nothing persisted and no checkpoint: a clear error.
    let pool = UpstreamPool::new(&urls, &HttpOptions::default()).unwrap();
    let fresh = MemoryStore::new();
    let err = Syncer::<S, _, _>::open(
        case.spec.clone(),
        gvr,
        pool,
        fresh,
        FixedClock(now),
        None,
        config(),
        Box::new(|_| {}),
    )
    .await
    .expect_err("nothing to resume and no checkpoint");
    assert!(matches!(err, Error::NoCheckpoint), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn redirects_are_refused() {
    // A server that redirects every request to an honest one: following it would sync from an
    // upstream the user never configured.
    let case = CaseData::all().into_iter().next().unwrap();
    let honest = serve(vec![case.clone()], Behaviour::Honest, 0).await;
    let target = format!("http://{}", honest.addr);
    let redirect = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let location = format!("{target}{uri}");
        async move {
            (axum::http::StatusCode::TEMPORARY_REDIRECT, [(axum::http::header::LOCATION, location)])
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move { axum::serve(listener, redirect).await.unwrap() });
    let url = format!("http://{addr}/{}", case.name);
    let err =
        match sync_case::<S, _>(&case, &[url], MemoryStore::new(), &HttpOptions::default()).await {
            Ok(_) => panic!("synced through a redirect"),
            Err(e) => e,
        };
    assert!(err.to_string().contains("307"), "{err}");
    task.abort();
}
