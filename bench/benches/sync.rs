//! The sync driver end to end against a local Beacon API server:
//! - `first_verified_head_local_server`: recorded consensus-spec `data_collection` data (minimal
//!   preset, Capella→Deneb→Electra): time from start (nothing persisted) to the first verified
//!   head, and bytes downloaded on the way;
//! - `catch_up_mainnet_N_periods`: a generated mainnet-preset chain (512-member committees, one
//!   per period): CPU time of the client's thread to bootstrap and catch up N periods
//!   (`MANA_BENCH_PERIODS`, default 32), and bytes downloaded. The server runs on its own thread,
//!   so its work is not counted.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::arithmetic_side_effects)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use mana_client::checkpoint::CheckpointPolicy;
use mana_client::{Clock, HttpOptions, SyncConfig, Syncer, UpstreamPool};
use mana_consensus::{MAINNET_SYNC_COMMITTEE_SIZE as M, MINIMAL_SYNC_COMMITTEE_SIZE as S};
use mana_store::MemoryStore;
use mana_tests::beacon_server::{Behaviour, CaseData, serve};
use mana_tests::synthetic_chain::mainnet_chain;

struct FixedClock(u64);
impl Clock for FixedClock {
    fn now_unix_ms(&self) -> u64 {
        self.0
    }
}

/// Bootstrap, catch up every period, follow finality and the head (unless `catch_up_only`);
/// returns bytes downloaded.
async fn sync<const N: usize>(case: &CaseData, url: &str, catch_up_only: bool) -> u64 {
    let pool = UpstreamPool::new([url], &HttpOptions::default()).unwrap();
    let config = SyncConfig {
        poll_interval: Some(Duration::from_millis(1)),
        stale_after_slots: u64::MAX,
        force_update: None,
        checkpoint_policy: CheckpointPolicy { allow_old: true, ..CheckpointPolicy::default() },
        ..SyncConfig::default()
    };
    let mut syncer = Syncer::<N, _, _>::open(
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
    if catch_up_only {
        // The generated chain's last update finalizes a header in its last period.
        let last_period = case.updates.keys().next_back().copied().unwrap_or_default();
        let finalized = syncer.finalized_header().beacon.slot;
        assert_eq!(case.spec.sync_committee_period_at_slot(finalized).unwrap(), last_period);
    } else {
        syncer.poll_head().await.unwrap();
    }
    syncer.pool().bytes_downloaded()
}

async fn first_head(case: &CaseData, url: &str) -> u64 {
    sync::<S>(case, url, false).await
}

/// CPU time consumed so far by the calling thread (Linux `schedstat`), else wall time.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = stat.split_whitespace().next()?.parse::<u64>().ok()?;
    Some(Duration::from_nanos(ns))
}

fn catch_up_mainnet(c: &mut Criterion) {
    let periods = std::env::var("MANA_BENCH_PERIODS").ok().and_then(|v| v.parse().ok());
    let periods: u64 = periods.unwrap_or(32);
    let generated = std::time::Instant::now();
    let case = mainnet_chain(periods);
    println!(
        "sync/catch_up: generated {periods} mainnet periods in {:.1} s",
        generated.elapsed().as_secs_f64()
    );
    // The server gets its own runtime thread; the client runs on this thread alone.
    let server_runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let server = server_runtime.block_on(serve(vec![case.clone()], Behaviour::Honest, 0));
    let url = server.url(&case.name);
    let client = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let cpu_before = thread_cpu_time();
    let wall = std::time::Instant::now();
    let bytes = client.block_on(sync::<M>(&case, &url, true));
    let wall = wall.elapsed();
    let cpu = thread_cpu_time().zip(cpu_before).map(|(a, b)| a.saturating_sub(b));
    println!(
        "sync/catch_up: {periods} mainnet periods, {bytes} bytes downloaded ({} per period), \
         {:.0} ms wall, {} CPU",
        bytes / periods.max(1),
        wall.as_secs_f64() * 1e3,
        cpu.map_or("n/a".into(), |c| format!("{:.0} ms", c.as_secs_f64() * 1e3)),
    );
    let mut group = c.benchmark_group("sync");
    group.sample_size(10);
    group.bench_function(format!("catch_up_mainnet_{periods}_periods_cpu"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let wall = std::time::Instant::now();
                let before = thread_cpu_time();
                client.block_on(sync::<M>(&case, &url, true));
                total += match (thread_cpu_time(), before) {
                    (Some(after), Some(before)) => after.saturating_sub(before),
                    _ => wall.elapsed(),
                };
            }
            total
        });
    });
    group.finish();
    drop(server);
}

fn first_verified_head(c: &mut Criterion) {
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

criterion_group!(benches, first_verified_head, catch_up_mainnet);
criterion_main!(benches);
