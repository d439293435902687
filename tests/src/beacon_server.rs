//! A local Beacon API server for the light-client routes, serving the consensus-spec-tests
//! `light_client/data_collection` vectors (the data a full node must serve to light clients,
//! Altair through Fulu) exactly as a beacon node would: SSZ with `Eth-Consensus-Version`,
//! `updates` as `length ‖ fork digest ‖ SSZ` chunks.
//!
//! Each case is served under its own prefix, `http://ADDR/<fork>-<case>/eth/v1/...`, and
//! `GET /cases` lists them ([`CaseSummary`]) for clients that cannot read the fixtures (wasm).
//! A server can also misbehave in one chosen way, for the failover tests.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use mana_consensus::bls::BlstVerifier;
use mana_consensus::light_client::fork_of_digest;
use mana_consensus::{
    LightClient, LightClientBootstrap, LightClientFinalityUpdate, LightClientOptimisticUpdate,
    LightClientStore, LightClientUpdate, MAINNET_SYNC_COMMITTEE_SIZE,
    MINIMAL_SYNC_COMMITTEE_SIZE as S,
};
use mana_primitives::{ChainSpec, Fork};
use serde::{Deserialize, Serialize};

use crate::{consensus_tests, hex_array, read_ssz_snappy, read_yaml};

/// One SSZ object and the fork it is typed by.
#[derive(Debug, Clone)]
pub struct Object {
    /// The fork of the object's (attested) slot.
    pub fork: Fork,
    /// The fork digest it was published under.
    pub digest: [u8; 4],
    /// Its SSZ bytes.
    pub ssz: Vec<u8>,
}

/// What a beacon node serves at the last head of a `data_collection` case.
#[derive(Debug, Clone)]
pub struct CaseData {
    /// `<fork>-<case>`, the URL prefix.
    pub name: String,
    /// A built-in network's name when the case is on one (generated chains), else `None`
    /// and the network is [`CaseData::config_yaml`].
    pub network: Option<String>,
    /// The network (minimal preset for the vectors), genesis time from the initial state.
    pub spec: ChainSpec,
    /// The case's `config.yaml`, verbatim (the network without genesis time and root).
    pub config_yaml: String,
    /// From the initial state.
    pub genesis_validators_root: [u8; 32],
    /// The block root with the oldest available bootstrap (the client's checkpoint).
    pub trusted_root: [u8; 32],
    /// Its bootstrap.
    pub bootstrap: Object,
    /// Best update per period.
    pub updates: BTreeMap<u64, Object>,
    /// Latest finality update.
    pub finality: Option<Object>,
    /// Latest optimistic update.
    pub optimistic: Option<Object>,
    /// A slot after every signature slot served (the "now" of the case).
    pub current_slot: u64,
}

fn field<'a>(v: &'a serde_yaml::Value, key: &str) -> &'a serde_yaml::Value {
    v.get(key).unwrap_or_else(|| panic!("missing {key}"))
}

fn text<'a>(v: &'a serde_yaml::Value, key: &str) -> &'a str {
    field(v, key).as_str().unwrap_or_else(|| panic!("{key} is not a string"))
}

impl CaseData {
    /// Loads the final head of a `data_collection` case directory.
    pub fn load(dir: &Path) -> Self {
        let config = std::fs::read_to_string(dir.join("config.yaml")).expect("config.yaml");
        let mut spec = ChainSpec::from_config_yaml(&config).expect("config");
        let state = read_ssz_snappy(&dir.join("initial_state.ssz_snappy"));
        // BeaconState starts with genesis_time (u64) and genesis_validators_root (Bytes32).
        spec.genesis_time = u64::from_le_bytes(state[0..8].try_into().expect("state"));
        let gvr: [u8; 32] = state[8..40].try_into().expect("state");
        spec.genesis_validators_root = Some(gvr);
        let steps = read_yaml(&dir.join("steps.yaml"));
        let last = steps
            .as_sequence()
            .expect("steps")
            .iter()
            .rev()
            .find_map(|s| s.get("new_head"))
            .expect("a new_head step");
        let checks = field(last, "checks");
        let object = |v: &serde_yaml::Value| -> Object {
            let digest = hex_array(text(v, "fork_digest"));
            let fork = fork_of_digest(&spec, &gvr, digest).expect("digest");
            let ssz = read_ssz_snappy(&dir.join(format!("{}.ssz_snappy", text(v, "data"))));
            Object { fork, digest, ssz }
        };
        let (trusted_root, bootstrap) = field(checks, "bootstraps")
            .as_sequence()
            .expect("bootstraps")
            .iter()
            .filter_map(|b| {
                b.get("bootstrap").map(|o| (hex_array(text(b, "block_root")), object(o)))
            })
            .min_by_key(|(_, o)| {
                LightClientBootstrap::<S>::from_ssz(o.fork, &o.ssz)
                    .expect("bootstrap")
                    .header
                    .beacon
                    .slot
            })
            .expect("a bootstrap");
        let mut updates = BTreeMap::new();
        for entry in field(checks, "best_updates").as_sequence().expect("best_updates") {
            if let Some(u) = entry.get("update") {
                updates.insert(field(entry, "period").as_u64().expect("period"), object(u));
            }
        }
        let finality = checks.get("latest_finality_update").map(object);
        let optimistic = checks.get("latest_optimistic_update").map(object);
        let mut current_slot = 0;
        for u in updates.values() {
            let u = LightClientUpdate::<S>::from_ssz(u.fork, &u.ssz).expect("update");
            current_slot = current_slot.max(u.signature_slot);
        }
        if let Some(f) = &finality {
            current_slot = current_slot.max(
                LightClientFinalityUpdate::<S>::from_ssz(f.fork, &f.ssz)
                    .expect("finality")
                    .signature_slot,
            );
        }
        if let Some(o) = &optimistic {
            current_slot = current_slot.max(
                LightClientOptimisticUpdate::<S>::from_ssz(o.fork, &o.ssz)
                    .expect("optimistic")
                    .signature_slot,
            );
        }
        let fork = dir.ancestors().nth(4).and_then(|p| p.file_name()).expect("fork dir");
        let case = dir.file_name().expect("case dir");
        Self {
            name: format!("{}-{}", fork.to_string_lossy(), case.to_string_lossy()),
            network: None,
            spec,
            config_yaml: config,
            genesis_validators_root: gvr,
            trusted_root,
            bootstrap,
            updates,
            finality,
            optimistic,
            current_slot: current_slot + 1,
        }
    }

    /// Every `data_collection` case of the minimal preset.
    pub fn all() -> Vec<Self> {
        let root = consensus_tests().join("minimal");
        let mut out = Vec::new();
        for fork in crate::subdirs(&root) {
            let dir = fork.join("light_client/data_collection/pyspec_tests");
            if dir.is_dir() {
                out.extend(crate::subdirs(&dir).iter().map(|c| Self::load(c)));
            }
        }
        out
    }

    /// Unix milliseconds a third into [`CaseData::current_slot`].
    pub fn now_unix_ms(&self) -> u64 {
        self.spec.genesis_time * 1000
            + self.current_slot * self.spec.slot_duration_ms
            + self.spec.slot_duration_ms / 3
    }
}

/// What the core alone makes of the served data: bootstrap, every best update in period
/// order, the finality update, the optimistic update. A synced client must end up here.
pub fn expected_store<const N: usize>(case: &CaseData) -> LightClientStore<N> {
    let b = LightClientBootstrap::<N>::from_ssz(case.bootstrap.fork, &case.bootstrap.ssz)
        .expect("bootstrap");
    let mut client = LightClient::bootstrap(
        case.spec.clone(),
        case.genesis_validators_root,
        &case.trusted_root,
        b,
        BlstVerifier,
    )
    .expect("bootstrap verifies");
    let mut feed: Vec<LightClientUpdate<N>> = case
        .updates
        .values()
        .map(|o| LightClientUpdate::from_ssz(o.fork, &o.ssz).expect("update"))
        .collect();
    if let Some(o) = &case.finality {
        feed.push(
            LightClientFinalityUpdate::<N>::from_ssz(o.fork, &o.ssz).expect("finality").into(),
        );
    }
    if let Some(o) = &case.optimistic {
        feed.push(
            LightClientOptimisticUpdate::<N>::from_ssz(o.fork, &o.ssz).expect("optimistic").into(),
        );
    }
    for update in feed {
        // Old or not-yet-usable updates are skipped, as the driver does.
        let _ = client.process_update(update, case.current_slot);
    }
    client.into_store()
}

/// One entry of `GET /cases`: everything a client that cannot read the fixtures (wasm) needs
/// to sync a case from this server and check the outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseSummary {
    /// `<fork>-<case>`, the URL prefix.
    pub name: String,
    /// A built-in network's name, for generated chains ([`CaseData::network`]).
    #[serde(default)]
    pub network: Option<String>,
    /// The case's `config.yaml` text (empty with a `network`).
    pub config_yaml: String,
    /// Genesis time (Unix seconds), from the initial state.
    pub genesis_time: u64,
    /// `0x` hex.
    pub genesis_validators_root: String,
    /// The checkpoint block root, `0x` hex.
    pub trusted_root: String,
    /// The wall clock to sync at.
    pub now_unix_ms: u64,
    /// Beacon root of the expected finalized header, `0x` hex.
    pub expected_finalized_root: String,
    /// Beacon root of the expected optimistic header, `0x` hex.
    pub expected_optimistic_root: String,
    /// Slot of the expected optimistic header.
    pub expected_optimistic_slot: u64,
}

impl CaseSummary {
    /// Summarises `case`, replaying it through the core for the expected outcome.
    pub fn of(case: &CaseData) -> Self {
        let (finalized, optimistic) =
            if case.spec.preset.sync_committee_size == MAINNET_SYNC_COMMITTEE_SIZE {
                let store = expected_store::<MAINNET_SYNC_COMMITTEE_SIZE>(case);
                (store.finalized_header, store.optimistic_header)
            } else {
                let store = expected_store::<S>(case);
                (store.finalized_header, store.optimistic_header)
            };
        Self {
            name: case.name.clone(),
            network: case.network.clone(),
            config_yaml: case.config_yaml.clone(),
            genesis_time: case.spec.genesis_time,
            genesis_validators_root: format!("0x{}", hex::encode(case.genesis_validators_root)),
            trusted_root: format!("0x{}", hex::encode(case.trusted_root)),
            now_unix_ms: case.now_unix_ms(),
            expected_finalized_root: format!("0x{}", hex::encode(finalized.beacon_root())),
            expected_optimistic_root: format!("0x{}", hex::encode(optimistic.beacon_root())),
            expected_optimistic_slot: optimistic.beacon.slot,
        }
    }
}

/// How a server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Serves the vectors unchanged.
    Honest,
    /// Flips a bit of every sync-committee signature.
    FlipSignature,
    /// Corrupts a Merkle branch in every object.
    WrongBranch,
    /// Labels every object with another fork.
    WrongFork,
    /// Answers with 64 MiB.
    Oversized,
    /// Streams 64 MiB in 64 KiB chunks without a `Content-Length`: only a limit enforced while
    /// reading stops it.
    OversizedStreamed,
    /// Sends headers, then one byte every half second.
    SlowLoris,
}

struct Served {
    cases: Arc<BTreeMap<String, CaseData>>,
    behaviour: Behaviour,
    /// `GET /cases`, computed on first request (the replay verifies every signature).
    summaries: OnceLock<Vec<CaseSummary>>,
}

/// A running server; stops when dropped.
#[derive(Debug)]
pub struct BeaconServer {
    /// Where it listens.
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl BeaconServer {
    /// Base URL of a case.
    pub fn url(&self, case: &str) -> String {
        format!("http://{}/{case}", self.addr)
    }
}

impl Drop for BeaconServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn other_fork(fork: Fork) -> Fork {
    if fork == Fork::Altair { Fork::Capella } else { Fork::Altair }
}

fn tamper_update(u: &mut LightClientUpdate<S>, behaviour: Behaviour) {
    match behaviour {
        Behaviour::FlipSignature => u.sync_aggregate.sync_committee_signature[10] ^= 0x20,
        Behaviour::WrongBranch => {
            let branch = if u.is_finality_update() {
                &mut u.finality_branch
            } else {
                &mut u.next_sync_committee_branch
            };
            if let Some(node) = branch.last_mut() {
                node[0] ^= 1;
            }
            // Without a branch to corrupt, corrupt the attested state root (breaks the
            // signature too).
            if !u.is_finality_update() && !u.is_sync_committee_update() {
                u.attested_header.beacon.state_root[0] ^= 1;
            }
        }
        _ => {}
    }
}

fn ssz_response(fork: Fork, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::HeaderName::from_static("eth-consensus-version"), fork.name().to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// `body` labelled as Fulu SSZ.
fn fulu_ssz(body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::HeaderName::from_static("eth-consensus-version"), "fulu"),
        ],
        body,
    )
        .into_response()
}

fn deliver(behaviour: Behaviour, honest: Response) -> Response {
    match behaviour {
        // A body of known size: sent with its `Content-Length`.
        Behaviour::Oversized => fulu_ssz(Body::from(vec![0u8; 64 << 20])),
        Behaviour::OversizedStreamed => {
            let stream = futures_util::stream::iter(
                (0..1024).map(|_| Ok::<_, std::io::Error>(vec![0u8; 64 << 10])),
            );
            fulu_ssz(Body::from_stream(stream))
        }
        Behaviour::SlowLoris => {
            let stream = futures_util::stream::unfold(0u32, |n| async move {
                if n >= 10_000 {
                    return None;
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
                Some((Ok::<_, std::io::Error>(vec![0u8]), n + 1))
            });
            fulu_ssz(Body::from_stream(stream))
        }
        _ => honest,
    }
}

fn not_found(what: &str) -> Response {
    (StatusCode::NOT_FOUND, format!("{{\"code\":404,\"message\":\"{what} not available\"}}"))
        .into_response()
}

async fn bootstrap(
    State(served): State<Arc<Served>>,
    UrlPath((case, root)): UrlPath<(String, String)>,
) -> Response {
    let Some(data) = served.cases.get(&case) else { return not_found("case") };
    if root.trim_start_matches("0x") != hex::encode(data.trusted_root) {
        return not_found("bootstrap");
    }
    let o = &data.bootstrap;
    let honest = match served.behaviour {
        Behaviour::WrongBranch => {
            let mut b = LightClientBootstrap::<S>::from_ssz(o.fork, &o.ssz).expect("bootstrap");
            if let Some(node) = b.current_sync_committee_branch.last_mut() {
                node[0] ^= 1;
            }
            ssz_response(o.fork, b.to_ssz(o.fork).expect("encode"))
        }
        Behaviour::WrongFork => ssz_response(other_fork(o.fork), o.ssz.clone()),
        _ => ssz_response(o.fork, o.ssz.clone()),
    };
    deliver(served.behaviour, honest)
}

#[derive(Deserialize)]
struct Range {
    start_period: u64,
    count: u64,
}

async fn updates(
    State(served): State<Arc<Served>>,
    UrlPath(case): UrlPath<String>,
    Query(range): Query<Range>,
) -> Response {
    let Some(data) = served.cases.get(&case) else { return not_found("case") };
    let end = range.start_period.saturating_add(range.count.min(128));
    let mut body = Vec::new();
    for (_, o) in data.updates.range(range.start_period..end) {
        let digest = if served.behaviour == Behaviour::WrongFork {
            let epoch = data.spec.fork_schedule(other_fork(o.fork)).epoch;
            data.spec.fork_digest(&data.genesis_validators_root, epoch)
        } else {
            o.digest
        };
        // Honest data goes out as stored (whatever the preset); only tampering decodes it.
        let ssz = if served.behaviour == Behaviour::Honest {
            o.ssz.clone()
        } else {
            let mut update = LightClientUpdate::<S>::from_ssz(o.fork, &o.ssz).expect("update");
            tamper_update(&mut update, served.behaviour);
            update.to_ssz(o.fork).expect("encode")
        };
        body.extend_from_slice(&(ssz.len() as u64 + 4).to_le_bytes());
        body.extend_from_slice(&digest);
        body.extend_from_slice(&ssz);
    }
    let honest = ([(header::CONTENT_TYPE, "application/octet-stream")], body).into_response();
    deliver(served.behaviour, honest)
}

async fn finality(State(served): State<Arc<Served>>, UrlPath(case): UrlPath<String>) -> Response {
    let Some(o) = served.cases.get(&case).and_then(|d| d.finality.as_ref()) else {
        return not_found("finality update");
    };
    if served.behaviour == Behaviour::Honest {
        return ssz_response(o.fork, o.ssz.clone());
    }
    let mut u: LightClientUpdate<S> =
        LightClientFinalityUpdate::<S>::from_ssz(o.fork, &o.ssz).expect("finality").into();
    tamper_update(&mut u, served.behaviour);
    let u = LightClientFinalityUpdate {
        attested_header: u.attested_header,
        finalized_header: u.finalized_header,
        finality_branch: u.finality_branch,
        sync_aggregate: u.sync_aggregate,
        signature_slot: u.signature_slot,
    };
    let label = if served.behaviour == Behaviour::WrongFork { other_fork(o.fork) } else { o.fork };
    deliver(served.behaviour, ssz_response(label, u.to_ssz(o.fork).expect("encode")))
}

async fn optimistic(State(served): State<Arc<Served>>, UrlPath(case): UrlPath<String>) -> Response {
    let Some(o) = served.cases.get(&case).and_then(|d| d.optimistic.as_ref()) else {
        return not_found("optimistic update");
    };
    if served.behaviour == Behaviour::Honest {
        return ssz_response(o.fork, o.ssz.clone());
    }
    let mut u: LightClientUpdate<S> =
        LightClientOptimisticUpdate::<S>::from_ssz(o.fork, &o.ssz).expect("optimistic").into();
    tamper_update(&mut u, served.behaviour);
    let u = LightClientOptimisticUpdate {
        attested_header: u.attested_header,
        sync_aggregate: u.sync_aggregate,
        signature_slot: u.signature_slot,
    };
    let label = if served.behaviour == Behaviour::WrongFork { other_fork(o.fork) } else { o.fork };
    deliver(served.behaviour, ssz_response(label, u.to_ssz(o.fork).expect("encode")))
}

async fn case_list(State(served): State<Arc<Served>>) -> Response {
    let summaries = tokio::task::spawn_blocking(move || {
        served
            .summaries
            .get_or_init(|| served.cases.values().map(CaseSummary::of).collect())
            .clone()
    })
    .await
    .expect("case summaries");
    let body = serde_json::to_vec(&summaries).expect("json");
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The routes of one server, every answer passed through `served.behaviour`.
fn routes(served: Arc<Served>) -> Router {
    Router::new()
        .route("/cases", get(case_list))
        .route("/{case}/eth/v1/beacon/light_client/bootstrap/{root}", get(bootstrap))
        .route("/{case}/eth/v1/beacon/light_client/updates", get(updates))
        .route("/{case}/eth/v1/beacon/light_client/finality_update", get(finality))
        .route("/{case}/eth/v1/beacon/light_client/optimistic_update", get(optimistic))
        .with_state(served)
}

/// Starts a server for `cases` on 127.0.0.1 (`port` 0 picks a free one). An honest server also
/// serves the transport faults under `/misbehave/oversized/…`, `/misbehave/oversized-streamed/…`
/// and `/misbehave/slow-loris/…`, so that a client that cannot start servers (wasm) reaches them
/// through one address.
pub async fn serve(cases: Vec<CaseData>, behaviour: Behaviour, port: u16) -> BeaconServer {
    let cases: Arc<BTreeMap<_, _>> =
        Arc::new(cases.into_iter().map(|c| (c.name.clone(), c)).collect());
    let served = |behaviour| {
        Arc::new(Served { cases: Arc::clone(&cases), behaviour, summaries: OnceLock::new() })
    };
    let mut app = routes(served(behaviour));
    if behaviour == Behaviour::Honest {
        app = app
            .nest("/misbehave/oversized", routes(served(Behaviour::Oversized)))
            .nest("/misbehave/oversized-streamed", routes(served(Behaviour::OversizedStreamed)))
            .nest("/misbehave/slow-loris", routes(served(Behaviour::SlowLoris)));
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    BeaconServer { addr, task }
}

/// A URL on which nothing listens (connection refused).
pub async fn dead_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}
