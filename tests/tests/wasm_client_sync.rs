//! The light-client sync driver (`mana-client`) as wasm under node, against the fixture
//! Beacon API server (`src/bin/beacon-fixture-server.rs`) serving the consensus-spec
//! `data_collection` vectors over HTTP.
//!
//! wasm cannot start a server or read the fixtures, so the server runs natively and its URL
//! is baked in at compile time:
//!
//! ```text
//! cargo run -p mana-tests --bin beacon-fixture-server   # prints `listening on http://ADDR`
//! MANA_FIXTURE_SERVER=http://ADDR cargo test -p mana-tests \
//!     --target wasm32-unknown-unknown --test wasm_client_sync
//! ```
//!
//! `cargo xtask test` does both. The server's `GET /cases` lists every case with its config,
//! checkpoint, clock and the store the core alone reaches (the expected outcome).
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::time::Duration;

use mana_client::checkpoint::CheckpointPolicy;
use mana_client::{Clock, HttpOptions, SyncConfig, Syncer, SystemClock, UpstreamPool};
use mana_primitives::ChainSpec;
use mana_store::MemoryStore;
use serde::Deserialize;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

/// The fixture server's base URL, fixed when this test was compiled.
const SERVER: Option<&str> = option_env!("MANA_FIXTURE_SERVER");

/// Sync committee size of the minimal preset.
const S: usize = 32;

/// One entry of the server's `GET /cases` (`mana_tests::beacon_server::CaseSummary`).
#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    config_yaml: String,
    genesis_time: u64,
    genesis_validators_root: String,
    trusted_root: String,
    now_unix_ms: u64,
    expected_finalized_root: String,
    expected_optimistic_root: String,
    expected_optimistic_slot: u64,
}

struct FixedClock(u64);
impl Clock for FixedClock {
    fn now_unix_ms(&self) -> u64 {
        self.0
    }
}

fn root(text: &str) -> Result<[u8; 32], String> {
    let bytes = hex::decode(text.trim_start_matches("0x")).map_err(|e| format!("{text}: {e}"))?;
    bytes.try_into().map_err(|_| format!("{text}: not 32 bytes"))
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
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

/// Syncs `case` from the server and compares the outcome with the expected store.
async fn sync_case(server: &str, case: &Case) -> Result<String, String> {
    let mut spec = ChainSpec::from_config_yaml(&case.config_yaml).map_err(|e| e.to_string())?;
    spec.genesis_time = case.genesis_time;
    let gvr = root(&case.genesis_validators_root)?;
    spec.genesis_validators_root = Some(gvr);
    let url = format!("{}/{}", server.trim_end_matches('/'), case.name);
    let pool = UpstreamPool::new([url], &HttpOptions::default()).map_err(|e| e.to_string())?;
    let mut syncer = Syncer::<S, _, _>::open(
        spec,
        gvr,
        pool,
        MemoryStore::new(),
        FixedClock(case.now_unix_ms),
        Some(root(&case.trusted_root)?),
        config(),
        Box::new(|_| {}),
    )
    .await
    .map_err(|e| format!("open: {e}"))?;
    syncer.catch_up().await.map_err(|e| format!("catch_up: {e}"))?;
    syncer.poll_head().await.map_err(|e| format!("poll_head: {e}"))?;
    let finalized = hex0x(&syncer.finalized_header().beacon_root());
    let optimistic = syncer.optimistic_header();
    let (optimistic_root, optimistic_slot) =
        (hex0x(&optimistic.beacon_root()), optimistic.beacon.slot);
    let mut problems = Vec::new();
    if finalized != case.expected_finalized_root {
        problems
            .push(format!("finalized root {finalized}, expected {}", case.expected_finalized_root));
    }
    if optimistic_root != case.expected_optimistic_root {
        problems.push(format!(
            "optimistic root {optimistic_root}, expected {}",
            case.expected_optimistic_root
        ));
    }
    if optimistic_slot != case.expected_optimistic_slot {
        problems.push(format!(
            "optimistic slot {optimistic_slot}, expected {}",
            case.expected_optimistic_slot
        ));
    }
    if problems.is_empty() {
        Ok(format!(
            "finalized slot {}, head slot {optimistic_slot}",
            syncer.finalized_header().beacon.slot
        ))
    } else {
        Err(problems.join("; "))
    }
}

#[wasm_bindgen_test]
async fn data_collection_vectors_sync_over_http_in_wasm() {
    let Some(server) = SERVER else {
        panic!(
            "MANA_FIXTURE_SERVER was not set when this test was compiled, so there is no server \
             to sync from. Start `cargo run -p mana-tests --bin beacon-fixture-server`, then \
             build the test with MANA_FIXTURE_SERVER=http://ADDR (`cargo xtask test` does both)."
        );
    };
    let started = SystemClock.now_unix_ms();
    let list_url = format!("{}/cases", server.trim_end_matches('/'));
    let response = reqwest::get(&list_url)
        .await
        .unwrap_or_else(|e| panic!("GET {list_url}: {e} (is the fixture server running?)"));
    assert!(response.status().is_success(), "GET {list_url}: {}", response.status());
    let cases: Vec<Case> =
        response.json().await.unwrap_or_else(|e| panic!("GET {list_url}: bad JSON: {e}"));
    let (mut passed, mut failed) = (0, 0);
    for case in &cases {
        let t = SystemClock.now_unix_ms();
        match sync_case(server, case).await {
            Ok(summary) => {
                passed += 1;
                console_log!(
                    "  {}: {summary} ({} ms)",
                    case.name,
                    SystemClock.now_unix_ms().saturating_sub(t)
                );
            }
            Err(e) => {
                failed += 1;
                console_log!("  FAIL {}: {e}", case.name);
            }
        }
    }
    console_log!(
        "wasm data_collection over HTTP: {passed} passed, {failed} failed ({} ms)",
        SystemClock.now_unix_ms().saturating_sub(started)
    );
    assert!(passed + failed >= 10, "expected all 10 data_collection cases, found {}", cases.len());
    assert_eq!(failed, 0, "{failed} cases failed");
}

/// The browser transport (`fetch`) against transport faults: a refused connection, an error
/// status, a body over the size limit (announced by its `Content-Length`, or only found out while
/// streaming) and a body trickled past the timeout each fail with their own error, and the syncer
/// names every upstream that failed.
#[wasm_bindgen_test]
async fn transport_faults_are_precise_errors_in_wasm() {
    let Some(server) = SERVER else {
        panic!("MANA_FIXTURE_SERVER was not set when this test was compiled (see the module docs)");
    };
    let server = server.trim_end_matches('/');
    let list_url = format!("{server}/cases");
    let cases: Vec<Case> = reqwest::get(&list_url).await.unwrap().json().await.unwrap();
    let case = &cases[0];
    let mut spec = ChainSpec::from_config_yaml(&case.config_yaml).unwrap();
    spec.genesis_time = case.genesis_time;
    let gvr = root(&case.genesis_validators_root).unwrap();
    spec.genesis_validators_root = Some(gvr);

    // A privileged loopback port that fetch does not block and nothing listens on.
    let refused = "http://127.0.0.1:2".to_string();
    let missing = format!("{server}/no-such-case");
    let oversized = format!("{server}/misbehave/oversized/{}", case.name);
    let streamed = format!("{server}/misbehave/oversized-streamed/{}", case.name);
    let slow = format!("{server}/misbehave/slow-loris/{}", case.name);
    let urls =
        [refused.clone(), missing.clone(), oversized.clone(), streamed.clone(), slow.clone()];
    let options = HttpOptions { timeout: Duration::from_millis(1500), ..HttpOptions::default() };
    let pool = UpstreamPool::new(urls, &options).unwrap();
    let started = SystemClock.now_unix_ms();
    let result = Syncer::<S, _, _>::open(
        spec,
        gvr,
        pool,
        MemoryStore::new(),
        FixedClock(case.now_unix_ms),
        Some(root(&case.trusted_root).unwrap()),
        config(),
        Box::new(|_| {}),
    )
    .await;
    let elapsed = SystemClock.now_unix_ms().saturating_sub(started);
    let errors = match result {
        Err(mana_client::Error::AllUpstreamsFailed { what, errors }) => {
            assert_eq!(what, "bootstrap");
            errors
        }
        Err(other) => panic!("expected every upstream to fail the bootstrap, got {other}"),
        Ok(_) => panic!("a bootstrap from faulty upstreams only must fail"),
    };
    let error_of = |url: &str| {
        errors
            .iter()
            .find(|(u, _)| u == url)
            .map(|(_, e)| e.clone())
            .unwrap_or_else(|| panic!("no error reported for {url}: {errors:?}"))
    };
    for (url, expected) in [
        (&refused, "request failed: fetch failed: connect ECONNREFUSED"),
        (&missing, "HTTP 404"),
        (&oversized, "response body exceeds"),
        (&streamed, "response body exceeds"),
        (&slow, "no complete response within 1500 ms"),
    ] {
        let error = error_of(url);
        console_log!("  {url}: {error}");
        assert!(error.contains(expected), "{url}: expected {expected:?} in {error:?}");
    }
    console_log!("wasm transport faults: all five reported ({elapsed} ms)");
}
