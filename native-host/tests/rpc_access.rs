//! Who may call `mana rpc` and how much one client may make it do, checked with a real HTTP
//! client (reqwest) and a real WebSocket client (tokio-tungstenite) against the `mana` binary.
//!
//! The binary is anchored at a recorded real block (block 1 of the execution-apis test chain,
//! from `../shared/fixtures`), served by a stand-in execution node in this process. That node
//! answers only what `mana rpc` needs to start; every other call is counted and never answered,
//! so a refusal shows as "no upstream call" and a request that does reach the provider runs into
//! the endpoint's per-request time limit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects,
    clippy::let_underscore_must_use
)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

/// How long `mana rpc` may take to start.
const START_LIMIT: Duration = Duration::from_secs(60);
/// The endpoint's per-request limit in the tests that reach the provider.
const REQUEST_TIMEOUT_MS: u64 = 1500;
/// A page origin the tests allow.
const WALLET: &str = "https://wallet.example";
/// A page origin nobody allows.
const EVIL: &str = "https://evil.example";

/// The recorded block `mana rpc` is anchored at: `(hash, eth_getBlockByHash result)`.
fn recorded_block() -> (String, Value) {
    let path = mana_tests::fixtures()
        .join("apis/execution-apis@main/tests/eth_getBlockByHash/get-block-by-hash.io");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let answer = text.lines().find_map(|l| l.strip_prefix("<< ")).expect("a recorded answer");
    let answer: Value = serde_json::from_str(answer).unwrap();
    let block = answer["result"].clone();
    (block["hash"].as_str().unwrap().to_string(), block)
}

/// The stand-in execution node.
struct Upstream {
    url: String,
    hash: String,
    /// Calls other than the two it answers.
    calls: Arc<AtomicU64>,
}

struct UpstreamState {
    hash: String,
    block: Value,
    calls: Arc<AtomicU64>,
}

async fn upstream_call(State(state): State<Arc<UpstreamState>>, body: String) -> String {
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let method = request["method"].as_str().unwrap_or_default();
    let result = match method {
        "eth_chainId" => json!("0x1"),
        "eth_getBlockByHash" if request["params"][0] == json!(state.hash) => state.block.clone(),
        _ => {
            // Counted, then never answered: whoever asked runs into its own time limit.
            state.calls.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>().await;
            Value::Null
        }
    };
    json!({"jsonrpc": "2.0", "id": request["id"], "result": result}).to_string()
}

async fn upstream() -> Upstream {
    let (hash, block) = recorded_block();
    let calls = Arc::new(AtomicU64::new(0));
    let state = Arc::new(UpstreamState { hash: hash.clone(), block, calls: Arc::clone(&calls) });
    let app = Router::new().route("/", post(upstream_call)).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Upstream { url, hash, calls }
}

impl Upstream {
    fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }
}

/// `mana rpc` on a port the OS picked; killed by PID when dropped.
struct ManaRpc {
    child: Child,
    /// `127.0.0.1:port`.
    addr: String,
}

impl ManaRpc {
    /// Starts `mana rpc` over `upstream` with `flags` and waits for its bound address (from its
    /// JSON log).
    async fn start(upstream: &Upstream, flags: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mana"))
            .args(["rpc", "--execution-rpc", &upstream.url, "--trust-block", &upstream.hash])
            .args(["--chain-id", "1", "--rpc-addr", "127.0.0.1:0", "--log-format", "json"])
            .args(flags)
            .env_remove("MANA_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start mana rpc");
        let stderr = child.stderr.take().unwrap();
        let (found, address) = tokio::sync::oneshot::channel();
        // Reads the log until the address appears, then keeps draining it.
        std::thread::spawn(move || {
            let mut found = Some(found);
            let mut seen = Vec::new();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let parsed: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
                let address = parsed["fields"]["address"].as_str().map(str::to_string);
                match (address, found.take()) {
                    (Some(a), Some(tx)) => {
                        let _ = tx.send(Ok(a));
                    }
                    (_, tx) => {
                        found = tx;
                        if found.is_some() {
                            seen.push(line);
                        }
                    }
                }
            }
            if let Some(tx) = found {
                let _ = tx.send(Err(seen.join("\n")));
            }
        });
        let addr = match tokio::time::timeout(START_LIMIT, address).await {
            Ok(Ok(Ok(addr))) => addr,
            Ok(Ok(Err(log))) => panic!("mana rpc stopped before serving:\n{log}"),
            Ok(Err(_)) => panic!("mana rpc log reader failed"),
            Err(_) => panic!("mana rpc did not serve within {START_LIMIT:?}"),
        };
        Self { child, addr }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }
}

impl Drop for ManaRpc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A POST of `body` with the given headers: status, headers, body as JSON.
async fn post_raw(
    url: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new().post(url).body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|_| json!({"raw": text}));
    (status, headers, value)
}

/// A well-formed JSON-RPC POST from a native tool: status and body.
async fn post_json(url: &str, body: &Value) -> (StatusCode, Value) {
    let (status, _, value) = post_raw(url, &[("content-type", "application/json")], body).await;
    (status, value)
}

fn call(id: u64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// A request that needs the execution upstream (an `eth_getProof`).
fn balance() -> Value {
    call(1, "eth_getBalance", json!(["0x7435ed30a8b4aeb0877cef0c6e8cffe834eb865f", "latest"]))
}

fn error_message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_else(|| panic!("no error in {body}"))
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a WebSocket with the given extra handshake headers.
async fn ws_connect(url: &str, headers: &[(&str, &str)]) -> Result<Socket, tungstenite::Error> {
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        let name = tungstenite::http::HeaderName::from_bytes(name.as_bytes()).unwrap();
        request.headers_mut().insert(name, value.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request).await.map(|(socket, _)| socket)
}

/// Sends one request on `socket` and returns the next message (the tests' subscriptions never
/// notify: the anchor does not move).
async fn ws_call(socket: &mut Socket, request: &Value) -> Value {
    socket.send(Message::text(request.to_string())).await.unwrap();
    loop {
        match socket.next().await.expect("socket open").unwrap() {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Close(frame) => panic!("socket closed: {frame:?}"),
            _ => {}
        }
    }
}

/// The status and body of a refused handshake.
fn refused_handshake(outcome: Result<Socket, tungstenite::Error>) -> (u16, String) {
    match outcome {
        Err(tungstenite::Error::Http(response)) => {
            let body = response.body().as_deref().unwrap_or_default();
            (response.status().as_u16(), String::from_utf8_lossy(body).into_owned())
        }
        Err(e) => panic!("handshake failed otherwise: {e}"),
        Ok(_) => panic!("handshake accepted"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused_before_the_provider_sees_them() {
    let upstream = upstream().await;
    let timeout = REQUEST_TIMEOUT_MS.to_string();
    let mana = ManaRpc::start(
        &upstream,
        &["--rpc-allow-origin", WALLET, "--rpc-request-timeout-ms", &timeout],
    )
    .await;
    let url = mana.url();

    // What a page can send anywhere without a CORS preflight: text/plain, forms.
    for (content_type, origin) in [
        (Some("text/plain"), None),
        (Some("text/plain;charset=UTF-8"), Some(WALLET)),
        (Some("application/x-www-form-urlencoded"), None),
        (Some("multipart/form-data; boundary=x"), None),
        (None, None),
    ] {
        let mut headers = Vec::new();
        headers.extend(content_type.map(|c| ("content-type", c)));
        headers.extend(origin.map(|o| ("origin", o)));
        let (status, _, body) = post_raw(&url, &headers, &balance()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type:?}: {body}");
        assert!(error_message(&body).contains("application/json"), "{body}");
    }
    // A foreign page, whatever it declares.
    for content_type in ["text/plain", "application/json"] {
        let headers = [("content-type", content_type), ("origin", EVIL)];
        let (status, response_headers, body) = post_raw(&url, &headers, &balance()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{content_type}: {body}");
        assert!(error_message(&body).contains("--rpc-allow-origin"), "{body}");
        assert!(!response_headers.contains_key("access-control-allow-origin"));
    }
    // Its CORS preflight too.
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", EVIL)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::FORBIDDEN);
    assert_eq!(upstream.calls(), 0, "a refused request reached the provider");

    // The allowed page: preflight, then an answer it may read.
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", WALLET)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(preflight.headers()["access-control-allow-origin"], WALLET);
    assert_eq!(preflight.headers()["access-control-allow-methods"], "POST");
    let headers = [("content-type", "application/json; charset=utf-8"), ("origin", WALLET)];
    let (status, response_headers, body) =
        post_raw(&url, &headers, &call(7, "eth_chainId", json!([]))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"], "0x1", "{body}");
    assert_eq!(response_headers["access-control-allow-origin"], WALLET);

    // A native tool (no Origin) reaches the provider; the stand-in node never answers, so the
    // per-request limit answers instead.
    let (status, body) = post_json(&url, &balance()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["error"]["code"], -32002, "{body}");
    assert!(error_message(&body).contains("timed out"), "{body}");
    assert!(upstream.calls() >= 1, "the allowed request did not reach the provider");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_host_names_are_refused_over_http_and_websocket() {
    let upstream = upstream().await;
    let mana = ManaRpc::start(&upstream, &["--rpc-host", "mana.lan"]).await;
    let url = mana.url();
    let port = mana.addr.rsplit(':').next().unwrap().to_string();
    let chain_id = call(1, "eth_chainId", json!([]));

    // DNS rebinding: the page's own name, now pointing at 127.0.0.1.
    for host in ["evil.example".to_string(), format!("evil.example:{port}"), "192.168.1.9".into()] {
        let headers = [("content-type", "application/json"), ("host", host.as_str())];
        let (status, _, body) = post_raw(&url, &headers, &chain_id).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}: {body}");
        assert!(error_message(&body).contains("--rpc-host"), "{body}");
        let outcome = ws_connect(&mana.ws_url(), &[("host", host.as_str())]).await;
        let (status, reason) = refused_handshake(outcome);
        assert_eq!(status, 403, "{host}");
        assert!(reason.contains("--rpc-host"), "{reason}");
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "localhost".into(),
        "mana.lan:8545".into(),
    ] {
        let headers = [("content-type", "application/json"), ("host", host.as_str())];
        let (status, _, body) = post_raw(&url, &headers, &chain_id).await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
        assert_eq!(body["result"], "0x1");
    }
    let mut socket = ws_connect(&mana.ws_url(), &[("host", "mana.lan")]).await.unwrap();
    assert_eq!(ws_call(&mut socket, &chain_id).await["result"], "0x1");
    assert_eq!(upstream.calls(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_handshakes_from_foreign_origins_are_refused() {
    let upstream = upstream().await;
    let mana = ManaRpc::start(&upstream, &["--rpc-allow-origin", WALLET]).await;
    let chain_id = call(1, "eth_chainId", json!([]));

    for origin in [EVIL, "null", "http://localhost:3000"] {
        let (status, reason) =
            refused_handshake(ws_connect(&mana.ws_url(), &[("origin", origin)]).await);
        assert_eq!(status, 403, "{origin}");
        assert!(reason.contains("--rpc-allow-origin"), "{reason}");
    }
    // A native client sends no Origin.
    let mut socket = ws_connect(&mana.ws_url(), &[]).await.unwrap();
    assert_eq!(ws_call(&mut socket, &chain_id).await["result"], "0x1");
    let mut socket = ws_connect(&mana.ws_url(), &[("origin", WALLET)]).await.unwrap();
    assert_eq!(ws_call(&mut socket, &chain_id).await["result"], "0x1");
    assert_eq!(upstream.calls(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_limits_bound_the_work_of_one_client() {
    let upstream = upstream().await;
    let mana = ManaRpc::start(&upstream, &[]).await;
    let url = mana.url();

    // No page is allowed by default.
    let headers = [("content-type", "application/json"), ("origin", "http://localhost:3000")];
    let (status, _, _) = post_raw(&url, &headers, &call(1, "eth_chainId", json!([]))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Batches: at most 100 requests.
    let batch = |n: u64| Value::Array((0..n).map(|i| call(i, "eth_chainId", json!([]))).collect());
    let (_, body) = post_json(&url, &batch(100)).await;
    assert_eq!(body.as_array().map(Vec::len), Some(100), "{body}");
    let (_, body) = post_json(&url, &batch(101)).await;
    assert_eq!(body["error"]["code"], -32600, "{body}");
    assert!(error_message(&body).contains("1 to 100"), "{body}");

    // eth_feeHistory: at most 100 ascending percentiles and 1024 blocks.
    let percentiles: Vec<f64> = (0..101).map(|i| f64::from(i) / 1.01).collect();
    let (_, body) =
        post_json(&url, &call(1, "eth_feeHistory", json!(["0x1", "latest", percentiles]))).await;
    assert_eq!(body["error"]["code"], -32602, "{body}");
    assert!(error_message(&body).contains("101 reward percentiles"), "{body}");
    let (_, body) = post_json(&url, &call(1, "eth_feeHistory", json!(["0x401", "latest"]))).await;
    assert_eq!(body["error"]["code"], -32602, "{body}");
    let (_, body) =
        post_json(&url, &call(1, "eth_feeHistory", json!([2, "latest", [50, 10]]))).await;
    assert_eq!(body["error"]["code"], -32602, "{body}");

    // eth_getLogs and eth_newFilter: at most 10 000 blocks.
    for method in ["eth_getLogs", "eth_newFilter"] {
        let filter = json!([{"fromBlock": "0x0", "toBlock": "0x2710"}]);
        let (_, body) = post_json(&url, &call(1, method, filter)).await;
        assert_eq!(body["error"]["code"], -32602, "{body}");
        assert!(error_message(&body).contains("10001 blocks"), "{body}");
    }
    assert_eq!(upstream.calls(), 0, "a refused request reached the provider");

    // Filters: at most 256 installed; uninstalling one makes room.
    let filters = |from: u64, n: u64| {
        Value::Array((from..from + n).map(|i| call(i, "eth_newBlockFilter", json!([]))).collect())
    };
    let mut ids = Vec::new();
    for (from, n) in [(0, 100), (100, 100), (200, 56)] {
        let (_, body) = post_json(&url, &filters(from, n)).await;
        for answer in body.as_array().unwrap() {
            ids.push(answer["result"].as_str().unwrap_or_else(|| panic!("{answer}")).to_string());
        }
    }
    assert_eq!(ids.len(), 256);
    let (_, body) = post_json(&url, &call(1, "eth_newBlockFilter", json!([]))).await;
    assert_eq!(body["error"]["code"], -32005, "{body}");
    let (_, body) = post_json(&url, &call(1, "eth_uninstallFilter", json!([ids[0]]))).await;
    assert_eq!(body["result"], true, "{body}");
    let (_, body) = post_json(&url, &call(1, "eth_newBlockFilter", json!([]))).await;
    assert!(body["result"].is_string(), "{body}");

    // Subscriptions: at most 16 per connection; another connection has its own.
    let mut socket = ws_connect(&mana.ws_url(), &[]).await.unwrap();
    let mut subscriptions = Vec::new();
    for i in 0..16 {
        let answer = ws_call(&mut socket, &call(i, "eth_subscribe", json!(["newHeads"]))).await;
        subscriptions
            .push(answer["result"].as_str().unwrap_or_else(|| panic!("{answer}")).to_string());
    }
    let excess = ws_call(&mut socket, &call(16, "eth_subscribe", json!(["logs", {}]))).await;
    assert_eq!(excess["error"]["code"], -32005, "{excess}");
    assert!(error_message(&excess).contains("16 subscriptions"), "{excess}");
    let unsubscribed =
        ws_call(&mut socket, &call(17, "eth_unsubscribe", json!([subscriptions[3]]))).await;
    assert_eq!(unsubscribed["result"], true);
    let again = ws_call(&mut socket, &call(18, "eth_subscribe", json!(["newHeads"]))).await;
    assert!(again["result"].is_string(), "{again}");
    let mut other = ws_connect(&mana.ws_url(), &[]).await.unwrap();
    let first = ws_call(&mut other, &call(1, "eth_subscribe", json!(["newHeads"]))).await;
    assert!(first["result"].is_string(), "{first}");
    // The batch limit holds on WebSocket messages too.
    let body = ws_call(&mut other, &batch(101)).await;
    assert_eq!(body["error"]["code"], -32600, "{body}");
    assert_eq!(upstream.calls(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_flags_are_applied() {
    let upstream = upstream().await;
    let timeout = REQUEST_TIMEOUT_MS.to_string();
    let flags = [
        "--rpc-max-batch",
        "3",
        "--rpc-max-subscriptions",
        "1",
        "--rpc-max-filters",
        "1",
        "--rpc-max-log-blocks",
        "2",
        "--rpc-request-timeout-ms",
        &timeout,
    ];
    let mana = ManaRpc::start(&upstream, &flags).await;
    let url = mana.url();
    let chain_ids =
        |n: u64| Value::Array((0..n).map(|i| call(i, "eth_chainId", json!([]))).collect());
    let (_, body) = post_json(&url, &chain_ids(3)).await;
    assert_eq!(body.as_array().map(Vec::len), Some(3), "{body}");
    let (_, body) = post_json(&url, &chain_ids(4)).await;
    assert!(error_message(&body).contains("1 to 3"), "{body}");

    let (_, body) =
        post_json(&url, &call(1, "eth_getLogs", json!([{"fromBlock": "0x0", "toBlock": "0x2"}])))
            .await;
    assert_eq!(body["error"]["code"], -32602, "{body}");
    assert!(error_message(&body).contains("limit of 2"), "{body}");

    let (_, body) = post_json(&url, &call(1, "eth_newBlockFilter", json!([]))).await;
    assert!(body["result"].is_string(), "{body}");
    let (_, body) = post_json(&url, &call(2, "eth_newBlockFilter", json!([]))).await;
    assert_eq!(body["error"]["code"], -32005, "{body}");

    let mut socket = ws_connect(&mana.ws_url(), &[]).await.unwrap();
    let first = ws_call(&mut socket, &call(1, "eth_subscribe", json!(["newHeads"]))).await;
    assert!(first["result"].is_string(), "{first}");
    let second = ws_call(&mut socket, &call(2, "eth_subscribe", json!(["newHeads"]))).await;
    assert_eq!(second["error"]["code"], -32005, "{second}");
    assert_eq!(upstream.calls(), 0);

    // The time limit answers over WebSocket as well.
    let answer = ws_call(&mut socket, &balance()).await;
    assert_eq!(answer["error"]["code"], -32002, "{answer}");
    assert!(error_message(&answer).contains(&format!("{REQUEST_TIMEOUT_MS} ms")), "{answer}");
    assert!(upstream.calls() >= 1);
}
