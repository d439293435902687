//! `mana verify-block` and `mana serve` on the real mainnet fixtures
//! (`shared/fixtures/stateless/mainnet`), on tampered copies, and — for `verify-block --rpc` — on a
//! local mock execution node answering `debug_getRawBlock` and `debug_executionWitness` with the
//! fixtures' recorded block and witness. Every process is started here and killed by PID.
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
        assert!(stdout.contains("verdict: VALID"), "{stdout}");
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
    assert_eq!(verdict["valid"], true);
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
        stdout.contains("verdict: VALID") && stdout.contains("--trust-parent-hash"),
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
        assert_eq!(verdict["valid"], true, "{verdict}");
        assert!(verdict["elapsedMs"].as_f64().unwrap() > 0.0);
        assert!(verdict.get("error").is_none());
    }
    println!("4 concurrent verifications answered in {:?}", started.elapsed());

    // The raw shape with an explicit anchor.
    let fixture = load(&fixture_paths()[0]);
    let raw = json!({
        "blockRlp": fixture["blockRlp"],
        "witness": fixture["executionWitness"],
        "publicKeys": fixture["publicKeys"],
        "trustedBlockHash": fixture["blockHash"],
    });
    let verdict: Value = http
        .post(format!("{}/verify", server.url))
        .body(raw.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verdict["valid"], true, "{verdict}");
    assert_eq!(verdict["blockHash"], fixture["blockHash"]);
    assert_eq!(verdict["gasUsed"], fixture["gasUsed"]);

    // Tampered: a verdict, valid false, with the failing check.
    let tampered = drop_root_node(load(&fixture_paths()[1])).to_string();
    let response = http.post(format!("{}/verify", server.url)).body(tampered).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let verdict: Value = response.json().await.unwrap();
    assert_eq!(verdict["valid"], false, "{verdict}");
    assert_eq!(verdict["error"]["kind"], "missing_node", "{verdict}");
    assert!(verdict["error"]["message"].as_str().unwrap().contains("lacks trie node"));

    // Not a request at all: 400.
    let response =
        http.post(format!("{}/verify", server.url)).body("{\"x\":1}").send().await.unwrap();
    assert_eq!(response.status(), 400);

    // Over the body limit: 413. The server answers before reading the whole body and closes
    // the connection; a client still writing can then see the connection fail instead of the
    // answer (a race of HTTP/1.1), so the request is repeated until the answer is read.
    let big = vec![b' '; 9 * 1024 * 1024];
    let mut status = None;
    for _ in 0..5 {
        match http.post(format!("{}/verify", server.url)).body(big.clone()).send().await {
            Ok(response) => {
                status = Some(response.status().as_u16());
                break;
            }
            Err(e) if e.is_request() => println!("oversized request cut off while writing: {e}"),
            Err(e) => panic!("oversized request: {e}"),
        }
    }
    assert_eq!(status, Some(413));

    let metrics =
        http.get(format!("{}/metrics", server.url)).send().await.unwrap().text().await.unwrap();
    for line in [
        "mana_verify_valid_total 5",
        "mana_verify_invalid_total 1",
        "mana_verify_errors_total 1",
        "mana_verify_in_flight 0",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }
    let gas: u64 =
        fixture_paths().iter().map(|p| load(p)["gasUsed"].as_u64().unwrap()).sum::<u64>() * 2
            + fixture["gasUsed"].as_u64().unwrap();
    assert!(metrics.contains(&format!("mana_verify_gas_total {gas}")), "{metrics}");
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

    // Trusting the node: valid, with the warning.
    let out = run(&["verify-block", "--rpc", &url, "--block", &number]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    println!("{stdout}{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("trusting the node"), "{stderr}");
    assert!(stdout.contains("verdict: VALID"), "{stdout}");

    // An explicit anchor: no warning; a wrong one: invalid.
    let out =
        run(&["verify-block", "--rpc", &url, "--block", &number, "--trust-block-hash", &hash]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("warning"));
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

    // A block the node does not have: an input error.
    let out = run(&["verify-block", "--rpc", &url, "--block", "1"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
}
