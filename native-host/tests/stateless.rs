//! `mana verify-block` and `mana serve` on the real mainnet fixtures
//! (`shared/fixtures/stateless/mainnet`), on tampered copies, and — for `verify-block --rpc` — on a
//! local mock execution node answering `debug_getRawBlock` and `debug_executionWitness` with the
//! fixtures' recorded block and witness. Every process is started here and killed by PID.
//!
//! A block anchored only by its own input (the file's or request's hashes, the node that served
//! it) is `valid-unanchored`; only an independent anchor (`--trust-block-hash`,
//! `--trust-parent-hash`) makes it `valid`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::let_underscore_must_use,
    missing_docs
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use alloy_primitives::{B256, keccak256};
use axum::Router;
use axum::routing::post;
use mana_stateless::witness::Witness;
use serde_json::{Value, json};

const MANA: &str = env!("CARGO_BIN_EXE_mana");

fn fixture_paths() -> Vec<PathBuf> {
    mana_tests::mainnet_blocks()
}

fn load(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The fixture with the witness node of the parent's state root removed: verification must stop
/// at the first state read with `missing_node`.
fn drop_root_node(mut fixture: Value) -> Value {
    let witness = Witness::from_json_value(fixture["executionWitness"].clone()).unwrap();
    let root = witness.headers.last().unwrap().state_root;
    let state = fixture["executionWitness"]["state"].as_array_mut().unwrap();
    let before = state.len();
    state.retain(|node| {
        let hex = node.as_str().unwrap();
        keccak256(hex::decode(hex.trim_start_matches("0x")).unwrap()) != root
    });
    assert_eq!(state.len(), before - 1, "the state root node is in the witness once");
    fixture
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mana-stateless-{}-{name}", std::process::id()))
}

fn run(args: &[&str]) -> Output {
    Command::new(MANA).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn verify_block_accepts_both_mainnet_fixtures() {
    for path in fixture_paths() {
        let out = run(&["verify-block", path.to_str().unwrap()]);
        let stdout = text(&out.stdout);
        println!("{stdout}");
        assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
        // The file's own hash is the anchor: execution valid, not anchored.
        assert!(stdout.contains("verdict: VALID-UNANCHORED in "), "{stdout}");
        assert!(stdout.contains("not anchored"), "{stdout}");
        assert!(stdout.contains("trusting the block hash from the file"), "{stdout}");
        assert!(stdout.contains("witness: ") && stdout.contains("Mgas/s"), "{stdout}");
    }
}

#[test]
fn verify_block_json_without_keys_and_raw_inputs() {
    let path = &fixture_paths()[0];
    let fixture = load(path);
    let hash = fixture["blockHash"].as_str().unwrap();
    let out = run(&[
        "verify-block",
        path.to_str().unwrap(),
        "--json",
        "--no-public-keys",
        "--trust-block-hash",
        hash,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["verdict"], "valid", "{verdict}");
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["executionValid"], true);
    assert_eq!(verdict["anchored"], true);
    assert_eq!(verdict["trust"]["anchored"], true);
    assert_eq!(verdict["blockHash"], hash);
    assert_eq!(verdict["number"], fixture["blockNumber"]);
    assert_eq!(verdict["transactions"], fixture["txCount"]);
    assert_eq!(verdict["trust"]["kind"], "blockHash");

    // The raw form: block RLP as hex, the witness as a `debug_executionWitness` result.
    let rlp = temp_path("block.hex");
    let witness = temp_path("witness.json");
    std::fs::write(&rlp, fixture["blockRlp"].as_str().unwrap()).unwrap();
    std::fs::write(&witness, fixture["executionWitness"].to_string()).unwrap();
    let out = run(&[
        "verify-block",
        "--block-rlp",
        rlp.to_str().unwrap(),
        "--witness",
        witness.to_str().unwrap(),
        "--trust-parent-hash",
        fixture["parentHash"].as_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("verdict: VALID in ") && stdout.contains("--trust-parent-hash"),
        "{stdout}"
    );
    // Binary RLP works too.
    let hex_text = fixture["blockRlp"].as_str().unwrap().trim_start_matches("0x").to_string();
    std::fs::write(&rlp, hex::decode(hex_text).unwrap()).unwrap();
    let out = run(&[
        "verify-block",
        "--block-rlp",
        rlp.to_str().unwrap(),
        "--witness",
        witness.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("trusting the block hash from the file"));
    assert!(text(&out.stdout).contains("verdict: VALID-UNANCHORED"));
    let _ = std::fs::remove_file(&rlp);
    let _ = std::fs::remove_file(&witness);
}

#[test]
fn verify_block_rejects_tampered_input_and_bad_usage() {
    let path = &fixture_paths()[1];
    let tampered = temp_path("tampered.json");
    std::fs::write(&tampered, drop_root_node(load(path)).to_string()).unwrap();
    let out = run(&["verify-block", tampered.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    println!("{stdout}");
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("verdict: INVALID (missing_node)"), "{stdout}");
    let _ = std::fs::remove_file(&tampered);

    // A wrong anchor is an invalid block (header chain), not an input error.
    let out = run(&[
        "verify-block",
        path.to_str().unwrap(),
        "--trust-block-hash",
        &format!("{}", B256::repeat_byte(0x11)),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("INVALID (header_chain)"));

    // Usage and input errors: 2.
    for args in [
        vec!["verify-block"],
        vec!["verify-block", "/nonexistent/block.json"],
        vec!["verify-block", path.to_str().unwrap(), "--chain", "sepolia"],
        vec!["verify-block", path.to_str().unwrap(), "--trust-block-hash", "0x12"],
        vec!["verify-block", "--rpc", "http://127.0.0.1:1"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
    }
}

/// An EEST blockchain-test file with two cases, each one invalid block (a blob transaction
/// before Cancun).
fn eest_invalid_blocks() -> PathBuf {
    mana_tests::fixtures()
        .join("eest/blockchain_tests/cancun/eip4844_blobs/test_blob_type_tx_pre_fork.json")
}

/// An EEST blockchain-test file with one case of three valid blocks across the Cancun fork.
fn eest_valid_blocks() -> PathBuf {
    mana_tests::fixtures()
        .join("eest/blockchain_tests/cancun/eip7516_blobgasfee/test_blobbasefee_during_fork.json")
}

/// Writes `value` to a temporary file and runs `mana verify-block` on it (with `extra` flags).
fn verify_json(name: &str, value: &Value, extra: &[&str]) -> (Option<i32>, String) {
    let path = temp_path(name);
    std::fs::write(&path, value.to_string()).unwrap();
    let mut args = vec!["verify-block", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = run(&args);
    let _ = std::fs::remove_file(&path);
    let stdout = text(&out.stdout);
    println!("{stdout}{}", text(&out.stderr));
    (out.status.code(), stdout)
}

#[test]
fn verify_block_runs_eest_blockchain_test_files() {
    // The real file: every case passes, one line each and the tally.
    let path = eest_invalid_blocks();
    let file = load(&path);
    let names: Vec<&String> = file.as_object().unwrap().keys().collect();
    let out = run(&["verify-block", path.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    println!("{stdout}");
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    for name in &names {
        assert!(stdout.contains(&format!("PASS {name} (1 blocks)")), "{stdout}");
    }
    assert_eq!(stdout.lines().last(), Some("2 passed, 0 failed"), "{stdout}");

    // The JSON report: each block rejected as the fixture expects, from the full pre-state.
    let (code, stdout) = verify_json("eest.json", &file, &["--json"]);
    assert_eq!(code, Some(0));
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["format"], "blockchain_test", "{report}");
    assert_eq!((report["passed"].as_u64(), report["failed"].as_u64()), (Some(2), Some(0)));
    for case in report["cases"].as_array().unwrap() {
        let block = &case["blocks"][0];
        assert_eq!(case["passed"], true, "{case}");
        assert_eq!(block["verdict"], "invalid", "{case}");
        assert_eq!(block["asExpected"], true, "{case}");
        assert_eq!(block["witness"], "pre-state", "{case}");
        assert_eq!(block["error"]["kind"], "invalid_transaction", "{case}");
    }

    // The second case's `expectException` removed: that case fails, named, exit 1.
    let mut tampered = file.clone();
    let second = names[1].clone();
    tampered[&second]["blocks"][0].as_object_mut().unwrap().remove("expectException");
    let (code, stdout) = verify_json("eest-no-exception.json", &tampered, &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains(&format!("PASS {} (1 blocks)", names[0])), "{stdout}");
    assert!(
        stdout.contains(&format!("FAIL {second}: block 0: expected valid, got rejected: ")),
        "{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("1 passed, 1 failed"), "{stdout}");

    // A valid block's state root tampered in its RLP: rejected where the fixture expects valid.
    let path = eest_valid_blocks();
    let file = load(&path);
    let name = file.as_object().unwrap().keys().next().unwrap().clone();
    let out = run(&["verify-block", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains(&format!("PASS {name} (3 blocks)")));
    let mut tampered = file.clone();
    let block = &mut tampered[&name]["blocks"][2];
    let root = block["blockHeader"]["stateRoot"].as_str().unwrap().trim_start_matches("0x");
    let rlp = block["rlp"].as_str().unwrap();
    assert_eq!(rlp.matches(root).count(), 1);
    block["rlp"] = json!(rlp.replace(root, &"11".repeat(32)));
    let (code, stdout) = verify_json("eest-state-root.json", &tampered, &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains(&format!("FAIL {name}: block 2: expected valid, got rejected")));
    assert_eq!(stdout.lines().last(), Some("0 passed, 1 failed"), "{stdout}");

    // A block carrying its own `executionWitness` is verified against it: the complete
    // pre-state passes, a witness without the state nodes fails.
    let mut own = file.clone();
    let state = mana_stateless::blockchain_test::State::from_alloc(&file[&name]["pre"]).unwrap();
    let witness = state.witness(Vec::new());
    own[&name]["blocks"][0]["executionWitness"] =
        json!({"state": witness.state, "codes": witness.codes});
    let (code, stdout) = verify_json("eest-own-witness.json", &own, &["--json"]);
    assert_eq!(code, Some(0), "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let blocks = &report["cases"][0]["blocks"];
    assert_eq!(blocks[0]["witness"], "executionWitness", "{report}");
    assert_eq!(blocks[1]["witness"], "pre-state", "{report}");
    own[&name]["blocks"][0]["executionWitness"]["state"] = json!([]);
    let (code, stdout) = verify_json("eest-own-witness-empty.json", &own, &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains(&format!("FAIL {name}: block 0: expected valid, got rejected")));

    // The anchor flags do not apply to a blockchain-test file.
    let (code, _) = verify_json(
        "eest-anchor.json",
        &file,
        &["--trust-parent-hash", &format!("{}", B256::repeat_byte(0x11))],
    );
    assert_eq!(code, Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_runs_eest_blockchain_test_files() {
    let http = reqwest::Client::new();
    let file = load(&eest_invalid_blocks());
    // The fixtures' blocks have a gas limit of 120M, above the default cap (100M): refused
    // before anything runs, naming the case.
    let server = start_serve(&[]);
    let response =
        http.post(format!("{}/verify", server.url)).body(file.to_string()).send().await.unwrap();
    assert_eq!(response.status(), 422);
    let refusal: Value = response.json().await.unwrap();
    assert_eq!(refusal["error"]["kind"], "gas_cap", "{refusal}");
    let first = file.as_object().unwrap().keys().next().unwrap();
    assert!(refusal["error"]["message"].as_str().unwrap().contains(first.as_str()), "{refusal}");
    drop(server);

    let server = start_serve(&["--max-gas", "120000000"]);
    let post = |body: String| {
        let (http, url) = (http.clone(), format!("{}/verify", server.url));
        async move {
            let response = http.post(url).body(body).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()
        }
    };
    let report = post(file.to_string()).await;
    assert_eq!(report["format"], "blockchain_test", "{report}");
    assert_eq!(report["verdict"], "passed", "{report}");
    assert_eq!((report["passed"].as_u64(), report["failed"].as_u64()), (Some(2), Some(0)));
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        assert!(file.get(case["name"].as_str().unwrap()).is_some(), "{case}");
        assert_eq!(
            case["blocks"][0]["expected"],
            file[case["name"].as_str().unwrap()]["blocks"][0]["expectException"]
        );
        assert_eq!(case["blocks"][0]["asExpected"], true, "{case}");
    }

    let mut tampered = file.clone();
    let name = file.as_object().unwrap().keys().next().unwrap().clone();
    tampered[&name]["blocks"][0].as_object_mut().unwrap().remove("expectException");
    let report = post(tampered.to_string()).await;
    assert_eq!(report["verdict"], "failed", "{report}");
    assert_eq!((report["passed"].as_u64(), report["failed"].as_u64()), (Some(1), Some(1)));
    let failed = report["cases"].as_array().unwrap().iter().find(|c| c["passed"] == false).unwrap();
    assert_eq!(failed["name"], json!(name), "{failed}");
    assert_eq!(failed["failure"]["block"], 0, "{failed}");
    assert_eq!(failed["failure"]["expected"], "valid", "{failed}");
    let metrics = wait_for_metric(&http, &server.url, "mana_verify_invalid_total 4").await;
    assert!(metrics.lines().any(|l| l == "mana_verify_errors_total 0"), "{metrics}");
}

/// A child process killed (by PID) when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_serve(extra: &[&str]) -> Server {
    let mut child = Command::new(MANA)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{line}")).into();
    Server { child, url }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_verifies_concurrently_rejects_tampered_and_oversized() {
    let server = start_serve(&["--max-body-mb", "8"]);
    let http = reqwest::Client::new();
    let health: Value =
        http.get(format!("{}/health", server.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");

    let bodies: Vec<Vec<u8>> = fixture_paths().iter().map(|p| std::fs::read(p).unwrap()).collect();
    // Four at once: both fixtures twice.
    let started = std::time::Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let (http, url, body) = (http.clone(), server.url.clone(), bodies[i % 2].clone());
            tokio::spawn(async move {
                let response = http.post(format!("{url}/verify")).body(body).send().await.unwrap();
                assert_eq!(response.status(), 200);
                response.json::<Value>().await.unwrap()
            })
        })
        .collect();
    for task in tasks {
        let verdict = task.await.unwrap();
        // The anchor (the fixture's blockHash) came with the request.
        assert_eq!(verdict["verdict"], "valid-unanchored", "{verdict}");
        assert_eq!(verdict["valid"], false, "{verdict}");
        assert_eq!(verdict["executionValid"], true, "{verdict}");
        assert_eq!(verdict["anchored"], false, "{verdict}");
        assert!(verdict["elapsedMs"].as_f64().unwrap() > 0.0);
        assert!(verdict.get("error").is_none());
    }
    println!("4 concurrent verifications answered in {:?}", started.elapsed());

    // The raw shape with an anchor in the request, and with none: both unanchored.
    let fixture = load(&fixture_paths()[0]);
    let mut raw = json!({
        "blockRlp": fixture["blockRlp"],
        "witness": fixture["executionWitness"],
        "publicKeys": fixture["publicKeys"],
        "trustedBlockHash": fixture["blockHash"],
    });
    for note in ["the request's trustedBlockHash", "no anchor in the request"] {
        let response =
            http.post(format!("{}/verify", server.url)).body(raw.to_string()).send().await.unwrap();
        assert_eq!(response.status(), 200);
        // The body was read: the connection stays open for the next request.
        assert!(response.headers().get("connection").is_none(), "{:?}", response.headers());
        let verdict: Value = response.json().await.unwrap();
        assert_eq!(verdict["verdict"], "valid-unanchored", "{verdict}");
        assert_eq!(verdict["valid"], false, "{verdict}");
        assert_eq!(verdict["anchored"], false, "{verdict}");
        assert_eq!(verdict["trust"]["anchored"], false, "{verdict}");
        assert!(verdict["trust"]["note"].as_str().unwrap().contains(note), "{verdict}");
        assert_eq!(verdict["blockHash"], fixture["blockHash"]);
        assert_eq!(verdict["gasUsed"], fixture["gasUsed"]);
        raw.as_object_mut().unwrap().remove("trustedBlockHash");
    }

    // Tampered: a verdict, invalid, with the failing check.
    let tampered = drop_root_node(load(&fixture_paths()[1])).to_string();
    let response = http.post(format!("{}/verify", server.url)).body(tampered).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let verdict: Value = response.json().await.unwrap();
    assert_eq!(verdict["verdict"], "invalid", "{verdict}");
    assert_eq!(verdict["valid"], false, "{verdict}");
    assert_eq!(verdict["executionValid"], false, "{verdict}");
    assert_eq!(verdict["error"]["kind"], "missing_node", "{verdict}");
    assert!(verdict["error"]["message"].as_str().unwrap().contains("lacks trie node"));

    // Not a request at all: 400, after reading the body (so the connection is kept).
    let response =
        http.post(format!("{}/verify", server.url)).body("{\"x\":1}").send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("connection").is_none(), "{:?}", response.headers());

    // A body where none is read (wrong method): answered early, so `Connection: close`.
    let response = http.post(format!("{}/health", server.url)).body("x").send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers().get("connection").unwrap(), "close");

    // Over the body limit: 413, answered on the `Content-Length` before the body is read, with
    // `Connection: close` since the server then drops the connection (without the header a
    // client would reuse it for its next request and fail). A client still writing can see the
    // connection fail instead of the answer (a race of HTTP/1.1), so the request is repeated
    // until the answer is read; its own client keeps those connections out of `http`'s pool.
    let oversized = reqwest::Client::new();
    let big = vec![b' '; 9 * 1024 * 1024];
    let mut answer = None;
    for _ in 0..5 {
        match oversized.post(format!("{}/verify", server.url)).body(big.clone()).send().await {
            Ok(response) => {
                answer = Some(response);
                break;
            }
            Err(e) if e.is_request() => println!("oversized request cut off while writing: {e}"),
            Err(e) => panic!("oversized request: {e}"),
        }
    }
    let response = answer.expect("the 413 answer");
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers().get("connection").unwrap(), "close");
    let refusal: Value = response.json().await.unwrap();
    assert_eq!(refusal["error"]["kind"], "too_large", "{refusal}");

    // The pooled client still works (its connections were all kept open by the server).
    let metrics =
        http.get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();
    for line in [
        "mana_verify_valid_total 6",
        "mana_verify_unanchored_total 6",
        "mana_verify_invalid_total 1",
        "mana_verify_errors_total 1",
        "mana_verify_timeouts_total 0",
        "mana_verify_in_flight 0",
        "mana_verify_running 0",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
    // Each 413 that reached the server (a cut-off attempt may have too) is counted.
    assert!(!metrics.contains("mana_verify_refused_total 0\n"), "{metrics}");
    let gas: u64 =
        fixture_paths().iter().map(|p| load(p)["gasUsed"].as_u64().unwrap()).sum::<u64>() * 2
            + fixture["gasUsed"].as_u64().unwrap() * 2;
    assert!(metrics.contains(&format!("mana_verify_gas_total {gas}")), "{metrics}");
}

/// Polls `GET /metrics` until it has `line` (at most 60 s).
async fn wait_for_metric(http: &reqwest::Client, url: &str, line: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let metrics =
            http.get(format!("{url}/metrics")).send().await.unwrap().text().await.unwrap();
        if metrics.lines().any(|l| l == line) {
            return metrics;
        }
        assert!(std::time::Instant::now() < deadline, "{line} never appeared in\n{metrics}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_blocks_over_the_gas_cap_and_answers_timeouts() {
    let http = reqwest::Client::new();
    let body = std::fs::read(&fixture_paths()[0]).unwrap();
    let gas_limit = {
        let fixture = load(&fixture_paths()[0]);
        let rlp = hex::decode(fixture["blockRlp"].as_str().unwrap().trim_start_matches("0x"));
        mana_stateless::witness::BlockInput::decode_block(&rlp.unwrap()).unwrap().header.gas_limit
    };

    // A cap below the block's gas limit: refused before execution.
    let cap = (gas_limit - 1).to_string();
    let server = start_serve(&["--max-gas", &cap]);
    let response = http.post(format!("{}/verify", server.url)).body(body.clone()).send().await;
    let response = response.unwrap();
    assert_eq!(response.status(), 422);
    let refusal: Value = response.json().await.unwrap();
    assert_eq!(refusal["error"]["kind"], "gas_cap", "{refusal}");
    let message = refusal["error"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("gas limit of {gas_limit}")), "{message}");
    assert!(message.contains(&format!("cap of {cap} (--max-gas)")), "{message}");
    assert!(refusal.get("verdict").is_none(), "{refusal}");
    let metrics = wait_for_metric(&http, &server.url, "mana_verify_refused_total 1").await;
    for line in ["mana_verify_valid_total 0", "mana_verify_invalid_total 0"] {
        assert!(metrics.lines().any(|l| l == line), "{line} missing from\n{metrics}");
    }
    // At the block's own gas limit it is verified.
    drop(server);
    let server = start_serve(&["--max-gas", &gas_limit.to_string()]);
    let response = http.post(format!("{}/verify", server.url)).body(body.clone()).send().await;
    let verdict: Value = response.unwrap().json().await.unwrap();
    assert_eq!(verdict["verdict"], "valid-unanchored", "{verdict}");
    drop(server);

    // A deadline far shorter than parsing 5 MB of witness: 504, and the work stops before
    // verifying (its slot is released; nothing is counted as verified).
    let server = start_serve(&["--request-timeout-ms", "1", "--max-concurrent", "1"]);
    let response = http.post(format!("{}/verify", server.url)).body(body).send().await.unwrap();
    assert_eq!(response.status(), 504);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"]["kind"], "timeout", "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("--request-timeout-ms"));
    let metrics = wait_for_metric(&http, &server.url, "mana_verify_running 0").await;
    for line in [
        "mana_verify_timeouts_total 1",
        "mana_verify_valid_total 0",
        "mana_verify_invalid_total 0",
        "mana_verify_in_flight 0",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} missing from\n{metrics}");
    }
}

/// A mock execution node serving the fixtures' recorded block (as `debug_getRawBlock`) and
/// witness (as `debug_executionWitness`), on its own thread and runtime.
fn mock_node(fixtures: Vec<Value>) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let fixtures = std::sync::Arc::new(fixtures);
            let app = Router::new().route(
                "/",
                post(move |body: axum::body::Bytes| {
                    let fixtures = std::sync::Arc::clone(&fixtures);
                    async move {
                        let request: Value = serde_json::from_slice(&body).unwrap();
                        let number = request["params"][0]
                            .as_str()
                            .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok());
                        let fixture = fixtures.iter().find(|f| f["blockNumber"].as_u64() == number);
                        let result = match (request["method"].as_str().unwrap(), fixture) {
                            ("debug_getRawBlock", Some(f)) => Some(f["blockRlp"].clone()),
                            ("debug_executionWitness", Some(f)) => {
                                Some(f["executionWitness"].clone())
                            }
                            _ => None,
                        };
                        let response = match result {
                            Some(result) => {
                                json!({"jsonrpc": "2.0", "id": request["id"], "result": result})
                            }
                            None => json!({"jsonrpc": "2.0", "id": request["id"],
                                "error": {"code": -32000, "message": "block not found"}}),
                        };
                        ([("content-type", "application/json")], response.to_string())
                    }
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

#[test]
fn verify_block_over_rpc_against_recorded_responses() {
    let fixtures: Vec<Value> = fixture_paths().iter().map(|p| load(p)).collect();
    let (number, hash) = (
        fixtures[0]["blockNumber"].to_string(),
        fixtures[0]["blockHash"].as_str().unwrap().to_string(),
    );
    let url = mock_node(fixtures.clone());

    // Trusting the node: execution valid, not anchored, with the warning.
    let out = run(&["verify-block", "--rpc", &url, "--block", &number]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    println!("{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("trusting the node"), "{stderr}");
    assert!(stdout.contains("verdict: VALID-UNANCHORED"), "{stdout}");

    // An explicit anchor: valid, no warning; a wrong one: invalid.
    let out =
        run(&["verify-block", "--rpc", &url, "--block", &number, "--trust-block-hash", &hash]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("warning"));
    assert!(text(&out.stdout).contains("verdict: VALID in "), "{}", text(&out.stdout));
    let wrong = format!("{}", B256::repeat_byte(0x22));
    let out =
        run(&["verify-block", "--rpc", &url, "--block", &number, "--trust-block-hash", &wrong]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));

    // A one-block range anchored at its last block, with JSON output.
    let out = run(&[
        "verify-block",
        "--rpc",
        &url,
        "--from",
        &number,
        "--to",
        &number,
        "--trust-block-hash",
        &hash,
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["verdict"], "valid");

    // A block the node does not have: an input error.
    let out = run(&["verify-block", "--rpc", &url, "--block", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
}
