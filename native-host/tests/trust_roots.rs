//! Where `mana node` and `mana rpc` take their trust roots from: the network's configuration,
//! never an upstream. A custom network without a genesis validators root is refused (a Beacon
//! API would otherwise choose it), and an execution upstream on another chain than the
//! network's is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::process::{Command, Stdio};

use axum::Router;
use axum::routing::post;
use serde_json::{Value, json};

/// Runs `mana` with `args` to completion; returns (exit code, stderr).
fn mana(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mana"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run mana");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_custom_network_without_its_genesis_validators_root_is_refused() {
    let dir = std::env::temp_dir().join(format!("mana-trust-roots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.yaml");
    std::fs::write(
        &config,
        "PRESET_BASE: minimal\nCONFIG_NAME: nogvr\nGENESIS_FORK_VERSION: 0x00000001\n\
         ALTAIR_FORK_VERSION: 0x01000001\nALTAIR_FORK_EPOCH: 0\nSECONDS_PER_SLOT: 6\n\
         MIN_GENESIS_TIME: 1700000000\nGENESIS_DELAY: 0\nDEPOSIT_CHAIN_ID: 1337\n",
    )
    .unwrap();
    let datadir = dir.join("data");
    let (code, stderr) = mana(&[
        "node",
        "--network",
        config.to_str().unwrap(),
        "--beacon-api",
        "http://127.0.0.1:9",
        "--checkpoint",
        &format!("0x{}", "11".repeat(32)),
        "--datadir",
        datadir.to_str().unwrap(),
        "--no-rpc",
        "--no-metrics",
    ]);
    std::fs::remove_dir_all(&dir).ok();
    assert_ne!(code, Some(0));
    assert!(stderr.contains("GENESIS_VALIDATORS_ROOT"), "{stderr}");
}

/// A JSON-RPC upstream that says it is chain `chain_id`.
async fn upstream(chain_id: u64) -> String {
    let app = Router::new().route(
        "/",
        post(move |body: axum::body::Bytes| async move {
            let request: Value = serde_json::from_slice(&body).unwrap_or_default();
            let answer =
                json!({"jsonrpc": "2.0", "id": request["id"], "result": format!("0x{chain_id:x}")});
            ([(axum::http::header::CONTENT_TYPE, "application/json")], answer.to_string())
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/")
}

#[tokio::test(flavor = "multi_thread")]
async fn mana_rpc_takes_the_chain_id_from_the_network_and_refuses_an_upstream_on_another() {
    let url = upstream(31_337).await;
    let trust = format!("0x{}", "22".repeat(32));
    let run = |extra: Vec<String>| {
        let url = url.clone();
        let trust = trust.clone();
        tokio::task::spawn_blocking(move || {
            let mut args = vec!["rpc", "--execution-rpc", &url, "--trust-block", &trust];
            args.extend(["--rpc-addr", "127.0.0.1:0"]);
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            args.extend(extra);
            mana(&args)
        })
    };
    // Neither a network nor a chain id: refused, not taken from the upstream.
    let (code, stderr) = run(vec![]).await.unwrap();
    assert_ne!(code, Some(0));
    assert!(stderr.contains("--network") && stderr.contains("--chain-id"), "{stderr}");
    // Mainnet's chain id is 1; the upstream serves 31337.
    let (code, stderr) = run(vec!["--network".into(), "mainnet".into()]).await.unwrap();
    assert_ne!(code, Some(0));
    assert!(stderr.contains("serve chain 31337, not chain 1"), "{stderr}");
    // A chain id that contradicts the network.
    let args = vec!["--network".into(), "mainnet".into(), "--chain-id".into(), "5".into()];
    let (code, stderr) = run(args).await.unwrap();
    assert_ne!(code, Some(0));
    assert!(stderr.contains("contradicts"), "{stderr}");
}
