//! A real Anvil 1.7.1 dev execution node for end-to-end tests, started on a free port and killed
//! by its own PID, and the scenario (`tests/execution/scenario.mjs`) that fills it with
//! contracts and every transaction type.
//!
//! The npm install of `tests/execution/package.json` is found through `MANA_EXECUTION_NODE_DIR`
//! (`cargo xtask setup` installs it); [`node_dir`] returns `None` when it is not set, unless
//! `MANA_REQUIRE_E2E=1` makes that a failure.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A port nothing listens on right now (the OS picks it).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    listener.local_addr().expect("addr").port()
}

/// Waits until something accepts connections on `port` (at most 30 s; `what` names it).
pub fn wait_for_port(port: u16, what: &str) {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "{what} did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A running Anvil; killed (by PID) when dropped.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    /// Its JSON-RPC URL.
    pub url: String,
}

impl Anvil {
    /// Starts the Anvil binary of the npm install at `dir` on a free port and waits for it.
    pub fn start(dir: &Path) -> Self {
        let port = free_port();
        // The binary itself, not the npm wrapper script, so that its PID is the node's.
        let child = Command::new(dir.join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--silent"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start anvil");
        let anvil = Self { child, url: format!("http://127.0.0.1:{port}") };
        wait_for_port(port, "anvil");
        anvil
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The npm install with Anvil, solc, viem and ethers, if configured.
pub fn node_dir() -> Option<PathBuf> {
    match std::env::var("MANA_EXECUTION_NODE_DIR") {
        Ok(dir) => Some(PathBuf::from(dir)),
        Err(_) if std::env::var("MANA_REQUIRE_E2E").is_ok_and(|v| v == "1") => {
            panic!("MANA_EXECUTION_NODE_DIR is not set; run `cargo xtask setup`")
        }
        Err(_) => {
            println!(
                "skipping: MANA_EXECUTION_NODE_DIR not set (cargo xtask setup installs Anvil)"
            );
            None
        }
    }
}

/// Runs `tests/execution/<script>` under node with `args`; returns its stdout as JSON.
pub fn node_script(dir: &Path, script: &str, args: &[&str]) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("execution").join(script);
    let out = Command::new("node")
        .arg(&path)
        .args(args)
        .env("MANA_EXECUTION_NODE_DIR", dir)
        .stderr(Stdio::inherit())
        .output()
        .expect("run node");
    assert!(out.status.success(), "{script} failed");
    serde_json::from_slice(&out.stdout).expect("script output is JSON")
}

/// Builds the scenario chain on the Anvil at `url`; returns what it made.
pub fn scenario(dir: &Path, url: &str) -> Value {
    node_script(dir, "scenario.mjs", &[url])
}

/// One raw JSON-RPC call (no verification); the whole response object.
pub async fn raw_response(url: &str, method: &str, params: Value) -> Value {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON response")
}

/// One raw JSON-RPC call's result; panics on a JSON-RPC error.
pub async fn raw(url: &str, method: &str, params: Value) -> Value {
    let response = raw_response(url, method, params).await;
    response.get("result").cloned().unwrap_or_else(|| panic!("{method}: {response}"))
}

/// Anvil's head: `(number, hash)`.
pub async fn head(url: &str) -> (u64, alloy_primitives::B256) {
    let block = raw(url, "eth_getBlockByNumber", json!(["latest", false])).await;
    let number = block["number"].as_str().expect("number").trim_start_matches("0x");
    let number = u64::from_str_radix(number, 16).expect("hex number");
    (number, block["hash"].as_str().expect("hash").parse().expect("hash"))
}
