//! The verified JSON-RPC endpoint: the verified provider over HTTP (single calls and batches)
//! and WebSocket on the same address, so stock tools (viem, ethers, curl) use it unchanged.
//! WebSocket clients may also `eth_subscribe` to `newHeads` and `logs`; notifications are built
//! from verified blocks only.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use mana_client::execution::{
    ExecutionRpc, ProviderConfig, SharedHeads, TrustedHeaders, VerifiedProvider,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;

/// The provider the endpoint serves.
pub(crate) type Provider = VerifiedProvider<SharedHeads>;

/// What the handlers share: the provider and the heads it is anchored to.
pub(crate) struct Endpoint {
    /// The verified provider.
    pub(crate) provider: Provider,
    /// Its trusted heads (subscriptions watch them).
    pub(crate) heads: SharedHeads,
}

/// Largest request body accepted.
const MAX_REQUEST: usize = 4 * 1024 * 1024;
/// Largest batch accepted.
const MAX_BATCH: usize = 1000;
/// How often subscriptions look for a new verified head.
const HEAD_POLL: Duration = Duration::from_millis(500);

impl Endpoint {
    /// A provider over `urls` anchored at `heads`.
    pub(crate) fn new(
        urls: &[String],
        timeout: Duration,
        config: ProviderConfig,
        heads: SharedHeads,
    ) -> Result<Arc<Self>, mana_client::Error> {
        let rpcs =
            urls.iter().map(|u| ExecutionRpc::new(u, timeout)).collect::<Result<Vec<_>, _>>()?;
        let provider = VerifiedProvider::new(heads.clone(), rpcs, config)?;
        Ok(Arc::new(Self { provider, heads }))
    }
}

/// JSON-RPC error code and message (and data) for a provider error.
pub(crate) fn error_object(e: &mana_client::Error) -> Value {
    match e.json_rpc_data() {
        Some(data) => json!({"code": e.json_rpc_code(), "message": e.to_string(), "data": data}),
        None => json!({"code": e.json_rpc_code(), "message": e.to_string()}),
    }
}

async fn answer(provider: &Provider, request: Value) -> Option<Value> {
    let id = request.get("id").cloned();
    let method = request.get("method").and_then(Value::as_str);
    let Some(method) = method else {
        return Some(
            json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32600, "message": "invalid request"}}),
        );
    };
    let params = request.get("params").cloned().unwrap_or(Value::Null);
    let outcome = provider.request(method, params).await;
    // A request without an id is a notification: no answer.
    let id = id?;
    Some(match outcome {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(e) => json!({"jsonrpc": "2.0", "id": id, "error": error_object(&e)}),
    })
}

/// One HTTP or WebSocket message: a request or a batch.
async fn handle(provider: &Provider, body: &[u8]) -> Option<Value> {
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Some(json!({"jsonrpc": "2.0", "id": null,
                "error": {"code": -32700, "message": format!("parse error: {e}")}}));
        }
    };
    match parsed {
        Value::Array(items) if items.is_empty() || items.len() > MAX_BATCH => Some(json!({
            "jsonrpc": "2.0", "id": null,
            "error": {"code": -32600, "message": format!("a batch holds 1 to {MAX_BATCH} requests")}
        })),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Some(a) = answer(provider, item).await {
                    out.push(a);
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        single => answer(provider, single).await,
    }
}

async fn http(State(endpoint): State<Arc<Endpoint>>, body: Bytes) -> Response {
    match handle(&endpoint.provider, &body).await {
        Some(v) => ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response(),
        None => axum::http::StatusCode::NO_CONTENT.into_response(),
    }
}

async fn ws(State(endpoint): State<Arc<Endpoint>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.max_message_size(MAX_REQUEST).on_upgrade(move |socket| session(endpoint, socket))
}

/// One subscription of a WebSocket session.
enum Subscription {
    Heads,
    Logs(Value),
}

async fn session(endpoint: Arc<Endpoint>, mut socket: WebSocket) {
    let (notify, mut notifications) = mpsc::channel::<Value>(256);
    let mut subscriptions: Vec<(String, tokio::task::JoinHandle<()>)> = Vec::new();
    let mut next_id = 0u64;
    loop {
        tokio::select! {
            message = socket.recv() => {
                let Some(Ok(message)) = message else { break };
                let text = match message {
                    Message::Text(t) => t.to_string(),
                    Message::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
                    Message::Close(_) => break,
                    _ => continue,
                };
                let request: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let method = request.get("method").and_then(Value::as_str).unwrap_or_default();
                let id = request.get("id").cloned().unwrap_or(Value::Null);
                let param = |i: usize| request.get("params").and_then(|p| p.get(i));
                let reply = match method {
                    "eth_subscribe" => {
                        let kind = param(0).and_then(Value::as_str).unwrap_or_default();
                        let subscription = match kind {
                            "newHeads" => Some(Subscription::Heads),
                            "logs" => Some(Subscription::Logs(param(1).cloned().unwrap_or(json!({})))),
                            _ => None,
                        };
                        match subscription {
                            Some(s) => {
                                next_id = next_id.saturating_add(1);
                                let subscription_id = format!("{next_id:#x}");
                                let task = tokio::spawn(follow(Arc::clone(&endpoint), s, subscription_id.clone(), notify.clone()));
                                subscriptions.push((subscription_id.clone(), task));
                                json!({"jsonrpc": "2.0", "id": id, "result": subscription_id})
                            }
                            None => json!({"jsonrpc": "2.0", "id": id,
                                "error": {"code": -32602, "message": format!("unsupported subscription {kind:?}; newHeads and logs are")}}),
                        }
                    }
                    "eth_unsubscribe" => {
                        let wanted = param(0).and_then(Value::as_str).unwrap_or_default();
                        let found = subscriptions.iter().position(|(s, _)| s == wanted);
                        if let Some(i) = found {
                            let (_, task) = subscriptions.swap_remove(i);
                            task.abort();
                        }
                        json!({"jsonrpc": "2.0", "id": id, "result": found.is_some()})
                    }
                    _ => match handle(&endpoint.provider, text.as_bytes()).await {
                        Some(v) => v,
                        None => continue,
                    },
                };
                if socket.send(Message::Text(reply.to_string().into())).await.is_err() {
                    break;
                }
            }
            Some(notification) = notifications.recv() => {
                if socket.send(Message::Text(notification.to_string().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    for (_, task) in subscriptions {
        task.abort();
    }
}

/// Sends a notification for every newly verified head (`newHeads`) or every log of it that
/// matches (`logs`), in block order.
async fn follow(endpoint: Arc<Endpoint>, kind: Subscription, id: String, out: mpsc::Sender<Value>) {
    let provider = &endpoint.provider;
    let head_of = |e: &Endpoint| e.heads.heads().latest.map(|b| b.number);
    let mut last = head_of(&endpoint);
    loop {
        tokio::time::sleep(HEAD_POLL).await;
        let Some(head) = head_of(&endpoint) else { continue };
        let from = match last {
            Some(l) if l >= head => continue,
            Some(l) => l.saturating_add(1),
            None => head,
        };
        let results: Vec<Value> = match &kind {
            Subscription::Heads => {
                let mut heads = Vec::new();
                for n in from..=head {
                    let block = provider
                        .request("eth_getBlockByNumber", json!([format!("{n:#x}"), false]))
                        .await;
                    match block {
                        Ok(mut b) => {
                            if let Some(o) = b.as_object_mut() {
                                o.remove("transactions");
                                o.remove("uncles");
                                o.remove("withdrawals");
                                o.remove("size");
                            }
                            heads.push(b);
                        }
                        Err(e) => tracing::warn!(error = %e, "newHeads: block {n} not verified"),
                    }
                }
                heads
            }
            Subscription::Logs(filter) => {
                let mut filter = filter.clone();
                if let Some(f) = filter.as_object_mut() {
                    f.insert("fromBlock".into(), json!(format!("{from:#x}")));
                    f.insert("toBlock".into(), json!(format!("{head:#x}")));
                    f.remove("blockHash");
                }
                match provider.request("eth_getLogs", json!([filter])).await {
                    Ok(Value::Array(logs)) => logs,
                    Ok(_) => Vec::new(),
                    Err(e) => {
                        tracing::warn!(error = %e, "logs subscription: range not verified");
                        Vec::new()
                    }
                }
            }
        };
        last = Some(head);
        for result in results {
            let message = json!({"jsonrpc": "2.0", "method": "eth_subscription",
                "params": {"subscription": id, "result": result}});
            if out.send(message).await.is_err() {
                return;
            }
        }
    }
}

/// Binds `addr` now (a busy port fails at startup) and serves in the background.
pub(crate) async fn serve(
    addr: SocketAddr,
    endpoint: Arc<Endpoint>,
) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = Router::new()
        .route("/", post(http).get(ws))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST))
        .with_state(endpoint);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "JSON-RPC server stopped");
        }
    });
    Ok(bound)
}
