//! The sync driver end to end against a local Beacon API server serving recorded
//! consensus-spec `data_collection` data: time from start (nothing persisted) to the first
//! verified head, and bytes downloaded on the way.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use mana_client::checkpoint::CheckpointPolicy;
use mana_client::{Clock, HttpOptions, SyncConfig, Syncer, UpstreamPool};
use mana_consensus::MINIMAL_SYNC_COMMITTEE_SIZE as S;
use mana_store::MemoryStore;
use mana_tests::beacon_server::{Behaviour, CaseData, serve};

struct FixedClock(u64);
impl Clock for FixedClock {
    fn now_unix_ms(&self) -> u64 {
        self.0
    }
}

/// Bootstrap, catch up every period, follow finality and the head; returns bytes downloaded.
async fn first_head(case: &CaseData, url: &str) -> u64 {
    let pool = UpstreamPool::new([url], &HttpOptions::default()).unwrap();
    let config = SyncConfig {
        poll_interval: Some(Duration::from_millis(1)),
        stale_after_slots: u64::MAX,
        force_update: None,
        checkpoint_policy: CheckpointPolicy { allow_old: true, ..CheckpointPolicy::default() },
    };
    let mut syncer = Syncer::<S, _, _>::open(
        case.spec.clone(),
        case.genesis_validators_root,
        pool,
        MemoryStore::new(),
        FixedClock(case.now_unix_ms()),
        Some(case.trusted_root),
        config,
        Box::new(|_| {}),
    )
    .await
    .unwrap();
    syncer.catch_up().await.unwrap();
    syncer.poll_head().await.unwrap();
    syncer.pool().bytes_downloaded()
}

fn sync(c: &mut Criterion) {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let case = CaseData::all()
        .into_iter()
        .find(|c| c.name == "capella-deneb_electra_reorg_unaligned")
        .expect("case");
    let server = runtime.block_on(serve(vec![case.clone()], Behaviour::Honest, 0));
    let url = server.url(&case.name);
    let bytes = runtime.block_on(first_head(&case, &url));
    println!(
        "sync/first_verified_head: {} periods (Capella→Deneb→Electra), {bytes} bytes downloaded",
        case.updates.len()
    );
    let mut group = c.benchmark_group("sync");
    group.sample_size(20);
    group.bench_function("first_verified_head_local_server", |b| {
        b.to_async(&runtime).iter(|| first_head(&case, &url));
    });
    group.finish();
}

criterion_group!(benches, sync);
criterion_main!(benches);
