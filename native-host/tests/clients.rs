//! viem and ethers, unchanged, against `mana rpc` (the verified JSON-RPC endpoint anchored at
//! a trusted block) over a real Anvil node: every read through Mana must equal the same read
//! made straight against Anvil (`tests/execution/clients.mjs`).
//!
//! Needs `MANA_EXECUTION_NODE_DIR` (see `mana_tests::execution_node`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::let_underscore_must_use
)]

use std::process::{Child, Command, Stdio};

use mana_tests::execution_node::{
    Anvil, free_port, head, node_dir, node_script, scenario, wait_for_port,
};

/// `mana rpc`, killed by PID when dropped.
struct ManaRpc {
    child: Child,
    url: String,
}

impl ManaRpc {
    fn start(upstream: &str, trust: &str) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_mana"))
            .args(["rpc", "--execution-rpc", upstream, "--trust-block", trust])
            .args(["--chain-id", "31337"])
            // Anvil has no beacon chain: let the anchor follow its head for the subscriptions.
            .arg("--dev-follow-upstream-head")
            .args(["--rpc-addr", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start mana rpc");
        wait_for_port(port, "mana rpc");
        Self { child, url: format!("http://127.0.0.1:{port}") }
    }
}

impl Drop for ManaRpc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viem_and_ethers_read_the_same_through_mana_as_from_the_node() {
    let Some(dir) = node_dir() else { return };
    let anvil = Anvil::start(&dir);
    let made = scenario(&dir, &anvil.url);
    let (_, hash) = head(&anvil.url).await;
    let mana = ManaRpc::start(&anvil.url, &hash.to_string());
    let file = std::env::temp_dir().join(format!("mana-scenario-{}.json", std::process::id()));
    std::fs::write(&file, made.to_string()).unwrap();
    let args = [mana.url.as_str(), &anvil.url, file.to_str().unwrap(), "subscriptions"];
    let report = node_script(&dir, "clients.mjs", &args);
    let _ = std::fs::remove_file(&file);
    println!(
        "viem/ethers through mana rpc: {} checks, subscriptions {}",
        report["checks"], report["subscriptions"]
    );
    for m in report["mismatches"].as_array().unwrap() {
        println!("  MISMATCH {m}");
    }
    for e in report["errors"].as_array().unwrap() {
        println!("  ERROR {e}");
    }
    assert!(report["checks"].as_u64().unwrap() >= 25);
    assert_eq!(report["mismatches"].as_array().unwrap().len(), 0);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0);
    assert!(report["subscriptions"]["heads"].as_u64().unwrap() >= 2, "newHeads notifications");
    assert!(report["subscriptions"]["logs"].as_u64().unwrap() >= 2, "logs notifications");
}
