//! A JSON-RPC proxy between Mana's verified provider and a real execution node that corrupts
//! one class of response at a time (a balance, a proof node, a receipt status, a log, ...) and
//! can add latency to every round trip (for the verified-vs-unverified latency benchmark).
//! Batches are handled: each answer is matched to its request's method by id.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use alloy_primitives::U256;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::Value;

/// The response class a proxy corrupts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    /// Forwards unchanged.
    Nothing,
    /// `eth_getProof`: balance + 1 wei.
    Balance,
    /// `eth_getProof`: nonce + 1.
    Nonce,
    /// `eth_getCode`: last byte flipped.
    Code,
    /// `eth_getProof`: first storage value + 1.
    StorageValue,
    /// `eth_getProof`: a byte of the last account proof node flipped.
    ProofNode,
    /// Blocks: `gasUsed` + 1.
    BlockField,
    /// Blocks with full transactions: first transaction's `value` + 1.
    TransactionField,
    /// Blocks with full transactions: first transaction's `hash` replaced.
    TransactionHash,
    /// `eth_getBlockReceipts`: first receipt's status flipped.
    ReceiptStatus,
    /// `eth_getBlockReceipts`: first log's data changed.
    LogData,
    /// `eth_getBlockReceipts`: first log removed.
    OmittedLog,
    /// `eth_getBlockReceipts`: a copy of the first log appended to its receipt.
    ExtraLog,
    /// `eth_createAccessList`: the access list emptied.
    WrongAccessList,
    /// `eth_getProof` and `eth_getCode`: answered with the JSON-RPC error of a reverted call
    /// (code 3) instead of the data (not in [`Tamper::ALL`]: it corrupts no data).
    RevertError,
}

impl Tamper {
    /// Every corrupting class.
    pub const ALL: [Tamper; 13] = [
        Tamper::Balance,
        Tamper::Nonce,
        Tamper::Code,
        Tamper::StorageValue,
        Tamper::ProofNode,
        Tamper::BlockField,
        Tamper::TransactionField,
        Tamper::TransactionHash,
        Tamper::ReceiptStatus,
        Tamper::LogData,
        Tamper::OmittedLog,
        Tamper::ExtraLog,
        Tamper::WrongAccessList,
    ];
}

fn plus_one(v: &mut Value) -> bool {
    let Some(n) = v.as_str().and_then(|s| s.parse::<U256>().ok()) else { return false };
    *v = Value::String(format!("{:#x}", n.wrapping_add(U256::from(1))));
    true
}

fn flip_hex_byte(v: &mut Value, position: Option<usize>) -> bool {
    let Some(s) = v.as_str() else { return false };
    let Ok(mut bytes) = hex::decode(s.trim_start_matches("0x")) else { return false };
    if bytes.is_empty() {
        bytes.push(0);
    } else {
        let i = position.unwrap_or(bytes.len() - 1).min(bytes.len() - 1);
        bytes[i] ^= 0x40;
    }
    *v = Value::String(format!("0x{}", hex::encode(bytes)));
    true
}

fn first_log_receipt(result: &mut Value) -> Option<&mut Value> {
    result.as_array_mut()?.iter_mut().find(|r| r["logs"].as_array().is_some_and(|l| !l.is_empty()))
}

/// Corrupts `result` (the answer to `method`) when it is of the tampered class.
pub fn tamper(kind: Tamper, method: &str, result: &mut Value) -> bool {
    let block = matches!(method, "eth_getBlockByHash" | "eth_getBlockByNumber");
    match kind {
        Tamper::Nothing => false,
        Tamper::Balance if method == "eth_getProof" => plus_one(&mut result["balance"]),
        Tamper::Nonce if method == "eth_getProof" => plus_one(&mut result["nonce"]),
        Tamper::Code if method == "eth_getCode" => flip_hex_byte(result, None),
        Tamper::StorageValue if method == "eth_getProof" => {
            result["storageProof"].get_mut(0).is_some_and(|p| plus_one(&mut p["value"]))
        }
        Tamper::ProofNode if method == "eth_getProof" => {
            let nodes = result["accountProof"].as_array_mut();
            nodes.and_then(|n| n.last_mut()).is_some_and(|n| flip_hex_byte(n, Some(40)))
        }
        Tamper::BlockField if block && !result.is_null() => plus_one(&mut result["gasUsed"]),
        Tamper::TransactionField if block => result["transactions"]
            .get_mut(0)
            .filter(|t| t.is_object())
            .is_some_and(|t| plus_one(&mut t["value"])),
        Tamper::TransactionHash if block => result["transactions"]
            .get_mut(0)
            .filter(|t| t.is_object())
            .is_some_and(|t| flip_hex_byte(&mut t["hash"], Some(0))),
        Tamper::ReceiptStatus if method == "eth_getBlockReceipts" => {
            match result.get_mut(0).map(|r| &mut r["status"]) {
                Some(status) => {
                    let flipped = if status == "0x1" { "0x0" } else { "0x1" };
                    *status = Value::String(flipped.into());
                    true
                }
                None => false,
            }
        }
        Tamper::LogData if method == "eth_getBlockReceipts" => first_log_receipt(result)
            .is_some_and(|r| flip_hex_byte(&mut r["logs"][0]["data"], Some(0))),
        Tamper::OmittedLog if method == "eth_getBlockReceipts" => {
            first_log_receipt(result).and_then(|r| r["logs"].as_array_mut()).is_some_and(|logs| {
                logs.remove(0);
                true
            })
        }
        Tamper::ExtraLog if method == "eth_getBlockReceipts" => {
            first_log_receipt(result).and_then(|r| r["logs"].as_array_mut()).is_some_and(|logs| {
                let copy = logs[0].clone();
                logs.push(copy);
                true
            })
        }
        Tamper::WrongAccessList if method == "eth_createAccessList" => {
            result["accessList"] = Value::Array(Vec::new());
            true
        }
        _ => false,
    }
}

#[derive(Debug)]
struct Shared {
    upstream: String,
    kind: Tamper,
    latency: Duration,
    http: reqwest::Client,
    round_trips: AtomicU64,
    tampered: AtomicU64,
}

/// A running proxy; stops when dropped.
#[derive(Debug)]
pub struct TamperProxy {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl TamperProxy {
    /// Its URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// HTTP round trips forwarded so far.
    pub fn round_trips(&self) -> u64 {
        self.shared.round_trips.load(Ordering::Relaxed)
    }

    /// Responses corrupted so far.
    pub fn tampered(&self) -> u64 {
        self.shared.tampered.load(Ordering::Relaxed)
    }
}

impl Drop for TamperProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn forward(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    shared.round_trips.fetch_add(1, Ordering::Relaxed);
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let answer = shared
        .http
        .post(&shared.upstream)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_vec())
        .send()
        .await;
    let mut response: Value = match answer {
        Ok(r) => r.json().await.unwrap_or(Value::Null),
        Err(e) => {
            return (axum::http::StatusCode::BAD_GATEWAY, e.to_string()).into_response();
        }
    };
    let method_of = |id: &Value| -> String {
        let find =
            |r: &Value| (r["id"] == *id).then(|| r["method"].as_str().unwrap_or("").to_string());
        match &request {
            Value::Array(items) => items.iter().find_map(find).unwrap_or_default(),
            single => find(single).unwrap_or_default(),
        }
    };
    let mut apply = |item: &mut Value| {
        let method = method_of(&item["id"]);
        if shared.kind == Tamper::RevertError
            && matches!(method.as_str(), "eth_getProof" | "eth_getCode")
        {
            let error =
                serde_json::json!({"code": 3, "message": "execution reverted", "data": "0x"});
            *item = serde_json::json!({"jsonrpc": "2.0", "id": item["id"].clone(), "error": error});
            shared.tampered.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if let Some(result) = item.get_mut("result")
            && tamper(shared.kind, &method, result)
        {
            shared.tampered.fetch_add(1, Ordering::Relaxed);
        }
    };
    match &mut response {
        Value::Array(items) => items.iter_mut().for_each(&mut apply),
        single => apply(single),
    }
    ([(header::CONTENT_TYPE, "application/json")], response.to_string()).into_response()
}

/// Starts a proxy to `upstream` on 127.0.0.1 that corrupts `kind` and delays each round trip
/// by `latency`.
pub async fn start(upstream: &str, kind: Tamper, latency: Duration) -> TamperProxy {
    let shared = Arc::new(Shared {
        upstream: upstream.to_string(),
        kind,
        latency,
        http: reqwest::Client::new(),
        round_trips: AtomicU64::new(0),
        tampered: AtomicU64::new(0),
    });
    let app = Router::new().route("/", post(forward)).with_state(Arc::clone(&shared));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    TamperProxy { addr, shared, task }
}
