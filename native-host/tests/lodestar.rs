//! End to end against a real beacon node: Lodestar 1.5.1 `lodestar dev` (minimal preset, 2 s
//! slots, Altair from genesis), installed by `cargo xtask setup` into `MANA_LODESTAR_DIR`.
//!
//! `mana node` bootstraps from Lodestar's finalized root, is killed with SIGKILL at random
//! moments and restarted without a checkpoint (it must resume from its store and never go
//! backwards), follows finality across a sync-committee period rotation, and ends with a
//! finalized root that Lodestar itself reports for that slot.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::let_underscore_must_use
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mana_tests::execution_node::free_port;
use serde_json::Value;

/// A child process killed (SIGKILL, by its own PID) when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn get_json(http: &reqwest::Client, url: &str) -> Option<Value> {
    let response = http.get(url).send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().await.ok()
}

fn field<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
    path.iter().fold(v, |v, k| &v[*k])
}

fn as_u64(v: &Value) -> u64 {
    v.as_str().map_or_else(|| v.as_u64().unwrap(), |s| s.parse().unwrap())
}

/// A `config.yaml` for Mana from the node's own `/eth/v1/config/spec` and genesis.
fn write_config(spec: &Value, genesis: &Value, path: &Path) {
    let mut yaml = String::new();
    for key in [
        "PRESET_BASE",
        "CONFIG_NAME",
        "GENESIS_FORK_VERSION",
        "ALTAIR_FORK_VERSION",
        "ALTAIR_FORK_EPOCH",
        "BELLATRIX_FORK_VERSION",
        "BELLATRIX_FORK_EPOCH",
        "CAPELLA_FORK_VERSION",
        "CAPELLA_FORK_EPOCH",
        "SECONDS_PER_SLOT",
        "DEPOSIT_CHAIN_ID",
    ] {
        let value = spec[key].as_str().unwrap_or_else(|| panic!("spec lacks {key}"));
        writeln!(yaml, "{key}: {value}").unwrap();
    }
    let time = as_u64(&genesis["genesis_time"]);
    writeln!(yaml, "MIN_GENESIS_TIME: {time}\nGENESIS_DELAY: 0").unwrap();
    let root = genesis["genesis_validators_root"].as_str().unwrap();
    writeln!(yaml, "GENESIS_VALIDATORS_ROOT: {root}").unwrap();
    std::fs::write(path, yaml).unwrap();
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn checkpoint(datadir: &Path, config: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_mana"))
        .args(["checkpoint", "--json", "--datadir"])
        .arg(datadir)
        .arg("--network")
        .arg(config)
        .output()
        .unwrap();
    assert!(out.status.success(), "mana checkpoint: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Lodestar 1.5.1 serves its light-client routes as JSON only (asked for SSZ first, it answers
/// JSON), so `mana node` below syncs through the client's JSON decoder. Checked here directly:
/// the served encoding, a bootstrap decoded from it that the core accepts for the finalized
/// root, and an update that decodes (the finality and optimistic updates are checked at the
/// end, once Lodestar has them).
async fn light_client_routes_decode_from_json(
    http: &reqwest::Client,
    beacon: &str,
    config: &Path,
    root: &str,
) {
    use mana_client::{B256, BeaconApi, HttpOptions};
    use mana_consensus::LightClient;
    use mana_consensus::bls::BlstVerifier;
    const S: usize = 32; // the minimal preset's sync committee
    let spec =
        mana_primitives::ChainSpec::from_config_yaml(&std::fs::read_to_string(config).unwrap())
            .unwrap();
    let path = format!("{beacon}/eth/v1/beacon/light_client/bootstrap/{root}");
    let response =
        http.get(&path).header("accept", "application/octet-stream").send().await.unwrap();
    let served = response.headers()["content-type"].to_str().unwrap().to_string();
    assert!(served.starts_with("application/json"), "Lodestar now serves {served}");
    let api = BeaconApi::new(beacon, HttpOptions::default()).unwrap();
    let root: B256 = hex::decode(root.trim_start_matches("0x")).unwrap().try_into().unwrap();
    let (_, gvr) = api.genesis().await.unwrap();
    let bootstrap = api.bootstrap::<S>(&spec, &root).await.unwrap();
    LightClient::<_, S>::bootstrap(spec.clone(), gvr, &root, bootstrap, BlstVerifier).unwrap();
    assert_eq!(api.updates::<S>(&spec, &gvr, 0, 1).await.unwrap().len(), 1);
    println!("Lodestar's JSON bootstrap verifies and its updates decode");
}

/// Lodestar's finality and optimistic updates (JSON) decode, once it has them.
async fn json_finality_and_optimistic_updates_decode(beacon: &str, config: &Path) {
    use mana_client::{BeaconApi, HttpOptions};
    const S: usize = 32;
    let spec =
        mana_primitives::ChainSpec::from_config_yaml(&std::fs::read_to_string(config).unwrap())
            .unwrap();
    let api = BeaconApi::new(beacon, HttpOptions::default()).unwrap();
    let mut last = None;
    for _ in 0..15 {
        match (api.finality_update::<S>(&spec).await, api.optimistic_update::<S>(&spec).await) {
            (Ok(finality), Ok(optimistic)) => {
                assert!(finality.finalized_header.beacon.slot > 0);
                assert!(optimistic.attested_header.beacon.slot > 0);
                println!("Lodestar's JSON finality and optimistic updates decode");
                return;
            }
            other => last = Some(format!("{other:?}")),
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    panic!("no finality and optimistic update decoded: {last:?}");
}

fn metric(text: &str, name: &str) -> Option<u64> {
    text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

#[tokio::test]
async fn mana_node_follows_a_real_lodestar_dev_node_through_kills_and_a_period_rotation() {
    let Some(lodestar_dir) = std::env::var_os("MANA_LODESTAR_DIR").map(PathBuf::from) else {
        assert!(
            std::env::var_os("MANA_REQUIRE_E2E").is_none(),
            "MANA_REQUIRE_E2E is set but MANA_LODESTAR_DIR is not"
        );
        println!("SKIPPED: set MANA_LODESTAR_DIR (cargo xtask setup installs Lodestar) to run");
        return;
    };
    let work = std::env::temp_dir().join(format!("mana-lodestar-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let (rest, p2p, metrics_port) = (free_port(), free_port(), free_port());
    let beacon = format!("http://127.0.0.1:{rest}");
    let log = std::fs::File::create(work.join("lodestar.log")).unwrap();
    let lodestar = Command::new(lodestar_dir.join("node_modules/.bin/lodestar"))
        .args(["dev", "--genesisValidators", "8", "--startValidators", "0..7", "--reset"])
        .arg("--dataDir")
        .arg(work.join("lodestar"))
        .args(["--rest.address", "127.0.0.1", "--rest.port", &rest.to_string()])
        .args(["--rest.namespace", "*", "--server", &beacon, "--discv5=false"])
        .args(["--port", &p2p.to_string(), "--params.SECONDS_PER_SLOT", "2"])
        .args(["--params.ALTAIR_FORK_EPOCH", "0"])
        // `lodestar dev` writes genesis.ssz into its working directory.
        .current_dir(&work)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start lodestar");
    let _lodestar = Guard(lodestar);
    println!("lodestar dev started, REST {beacon}");

    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let started = Instant::now();
    // Finality at epoch >= 2 (~70 s after start).
    let finalized_root = loop {
        assert!(
            started.elapsed() < Duration::from_secs(240),
            "lodestar did not finalize; see {}",
            work.display()
        );
        if let Some(v) =
            get_json(&http, &format!("{beacon}/eth/v1/beacon/states/head/finality_checkpoints"))
                .await
        {
            let fin = field(&v, &["data", "finalized"]);
            if as_u64(&fin["epoch"]) >= 2 {
                break fin["root"].as_str().unwrap().to_string();
            }
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    };
    println!("finalized root {finalized_root} after {:?}", started.elapsed());
    let spec = get_json(&http, &format!("{beacon}/eth/v1/config/spec")).await.unwrap();
    let genesis = get_json(&http, &format!("{beacon}/eth/v1/beacon/genesis")).await.unwrap();
    let config = work.join("config.yaml");
    write_config(&spec["data"], &genesis["data"], &config);
    light_client_routes_decode_from_json(&http, &beacon, &config, &finalized_root).await;

    let datadir = work.join("mana");
    let metrics = format!("127.0.0.1:{metrics_port}");
    let start_mana = |with_checkpoint: bool, round: usize| {
        let log = std::fs::File::create(work.join(format!("mana-{round}.log"))).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mana"));
        cmd.arg("node").arg("--network").arg(&config).arg("--beacon-api").arg(&beacon);
        cmd.arg("--datadir").arg(&datadir).args([
            "--metrics-addr",
            &metrics,
            "--log-format",
            "json",
        ]);
        if with_checkpoint {
            cmd.args(["--checkpoint", &finalized_root]);
        }
        Guard(cmd.stdout(Stdio::null()).stderr(log).spawn().expect("start mana"))
    };

    // Kill -9 at random moments, restart without a checkpoint, never go backwards.
    let mut rng = Rng(u64::from(std::process::id()) ^ 0x9e37_79b9_7f4a_7c15);
    let mut last_finalized = 0;
    let mut last_head = 0;
    for round in 0..4 {
        let mut mana = start_mana(round == 0, round);
        let wait_ms = 1_500 + rng.below(6_000);
        tokio::time::sleep(Duration::from_millis(wait_ms)).await;
        mana.0.kill().unwrap();
        let status = mana.0.wait().unwrap();
        assert!(!status.success(), "mana exited on its own in round {round}; see mana-{round}.log");
        let persisted = checkpoint(&datadir, &config);
        let finalized = as_u64(&persisted["finalized"]["slot"]);
        let head = as_u64(&persisted["optimistic"]["slot"]);
        println!(
            "round {round}: killed after {wait_ms} ms; persisted finalized {finalized}, head {head}"
        );
        assert!(
            finalized >= last_finalized && head >= last_head,
            "went backwards in round {round}"
        );
        assert!(head >= finalized);
        if round > 0 {
            let log = std::fs::read_to_string(work.join(format!("mana-{round}.log"))).unwrap();
            assert!(
                log.contains("resumed from the persisted store"),
                "round {round} did not resume"
            );
        }
        last_finalized = finalized;
        last_head = head;
    }

    // Follow until the finalized header is in period 1 (slot >= 64 with 8-slot epochs and
    // 8-epoch periods), i.e. across a committee rotation.
    let _mana = start_mana(false, 4);
    let period_start = 64;
    let mut text;
    let reached = loop {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "no rotation; see {}",
            work.display()
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
        let Ok(response) = http.get(format!("http://{metrics}/metrics")).send().await else {
            continue;
        };
        text = response.text().await.unwrap_or_default();
        let finalized = metric(&text, "mana_finalized_slot").unwrap_or(0);
        assert!(finalized >= last_finalized, "metrics went backwards");
        if finalized >= period_start {
            break finalized;
        }
    };
    let head = metric(&text, "mana_head_slot").unwrap();
    println!("finalized slot {reached}, head {head} after {:?}", started.elapsed());
    assert!(head >= reached);
    assert_eq!(metric(&text, "mana_updates_rejected_total"), Some(0), "{text}");
    assert!(metric(&text, "mana_updates_verified_total").unwrap() > 0);
    assert!(text.contains("mana_upstream_score{upstream=\"http://127.0.0.1"), "{text}");
    drop(_mana);

    // The persisted finalized root is the one Lodestar has at that slot.
    let persisted = checkpoint(&datadir, &config);
    let slot = as_u64(&persisted["finalized"]["slot"]);
    assert!(as_u64(&persisted["finalized"]["period"]) >= 1, "{persisted}");
    let header = get_json(&http, &format!("{beacon}/eth/v1/beacon/headers/{slot}")).await.unwrap();
    assert_eq!(
        persisted["finalized"]["root"],
        field(&header, &["data", "root"]).clone(),
        "{persisted}"
    );
    println!("persisted finalized root matches lodestar at slot {slot}");
    json_finality_and_optimistic_updates_decode(&beacon, &config).await;
    std::fs::remove_dir_all(&work).unwrap();
}
