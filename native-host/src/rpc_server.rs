//! The verified JSON-RPC endpoint: the verified provider over HTTP (single calls and batches)
//! and WebSocket on the same address, so stock tools (viem, ethers, curl) use it unchanged.
//! WebSocket clients may also `eth_subscribe` to `newHeads` and `logs`; notifications are built
//! from verified blocks only.
//!
//! The endpoint listens on loopback, but any web page the user opens can reach loopback too. So
//! every request passes [`RpcPolicy`] first, before the provider sees it:
//!
//! - `Origin`: a request that carries one (every request a browser makes on a page's behalf,
//!   including WebSocket handshakes) must come from an origin the user allowed
//!   (`--rpc-allow-origin`, none by default); a request without one (curl, native tools) is
//!   served. Refused with `403`.
//! - `Host`: must name a loopback host (`localhost`, `127.0.0.0/8`, `[::1]`, any port) or one the
//!   user listed (`--rpc-host`). This defeats DNS rebinding, where a page's own host name is
//!   re-pointed at `127.0.0.1` so the request looks same-origin. Refused with `403`.
//! - HTTP `POST` bodies must be declared `application/json`. A page can send `text/plain`,
//!   form or multipart bodies to any address without asking (no CORS preflight); it cannot send
//!   `application/json` to an origin that does not allow it. Refused with `415`.
//!
//! Allowed origins get CORS answers (preflight and `Access-Control-Allow-Origin`), so a page
//! the user trusts can read them. Then the work one client can cause is bounded: requests per
//! batch, filters installed, subscriptions per WebSocket connection, the block range of
//! `eth_getLogs` and `eth_newFilter`, the block count and reward percentiles of
//! `eth_feeHistory`, and the time one request may take.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use alloy_rpc_types_eth::{BlockNumberOrTag, Filter, FilterBlockOption};
use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
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
/// How often subscriptions look for a new verified head.
const HEAD_POLL: Duration = Duration::from_millis(500);
/// Most blocks one `eth_feeHistory` may cover.
pub(crate) const MAX_FEE_HISTORY_BLOCKS: u64 = 1024;
/// Most reward percentiles one `eth_feeHistory` may ask for.
pub(crate) const MAX_REWARD_PERCENTILES: usize = 100;
/// Default of [`RpcPolicy::max_batch`].
pub(crate) const DEFAULT_MAX_BATCH: usize = 100;
/// Default of [`RpcPolicy::max_subscriptions`].
pub(crate) const DEFAULT_MAX_SUBSCRIPTIONS: usize = 16;
/// Default of [`RpcPolicy::max_filters`].
pub(crate) const DEFAULT_MAX_FILTERS: usize = 256;
/// Default of [`RpcPolicy::max_log_blocks`].
pub(crate) const DEFAULT_MAX_LOG_BLOCKS: u64 = 10_000;
/// Default of [`RpcPolicy::request_timeout`], in milliseconds.
pub(crate) const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;

/// JSON-RPC error code of a request over a limit (EIP-1474 "limit exceeded").
const LIMIT_EXCEEDED: i64 = -32005;
/// JSON-RPC error code of a request that ran out of time (the code geth uses).
const TIMED_OUT: i64 = -32002;
/// JSON-RPC error code of invalid parameters.
const INVALID_PARAMS: i64 = -32602;
/// JSON-RPC error code of an invalid request (also used in the bodies of refused HTTP requests).
const INVALID_REQUEST: i64 = -32600;

/// Who may use the endpoint, and how much work one client may cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RpcPolicy {
    /// Web origins (`Origin` header values such as `https://app.example`) allowed to call; `*`
    /// allows every origin. Requests without an `Origin` header are always allowed.
    pub(crate) allowed_origins: Vec<String>,
    /// Host names the `Host` header may carry besides the loopback ones; `*` allows any.
    pub(crate) allowed_hosts: Vec<String>,
    /// Most requests in one batch.
    pub(crate) max_batch: usize,
    /// Most subscriptions open on one WebSocket connection.
    pub(crate) max_subscriptions: usize,
    /// Most filters (`eth_newFilter`, `eth_newBlockFilter`) installed at once, all clients
    /// together (filters are shared: any client may poll any filter id).
    pub(crate) max_filters: usize,
    /// Largest block range of `eth_getLogs` and `eth_newFilter` (the provider itself scans at
    /// most its own `max_log_blocks`).
    pub(crate) max_log_blocks: u64,
    /// Longest time one request (each request of a batch) may take.
    pub(crate) request_timeout: Duration,
}

impl Default for RpcPolicy {
    fn default() -> Self {
        Self {
            allowed_origins: Vec::new(),
            allowed_hosts: Vec::new(),
            max_batch: DEFAULT_MAX_BATCH,
            max_subscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
            max_filters: DEFAULT_MAX_FILTERS,
            max_log_blocks: DEFAULT_MAX_LOG_BLOCKS,
            request_timeout: Duration::from_millis(DEFAULT_REQUEST_TIMEOUT_MS),
        }
    }
}

impl RpcPolicy {
    /// Whether a request with this `Origin` header value may be served.
    fn origin_allowed(&self, origin: &str) -> bool {
        let origin = normalise_origin(origin);
        self.allowed_origins.iter().any(|o| o == "*" || normalise_origin(o) == origin)
    }

    /// Whether a request with this `Host` header value (or URI authority) may be served.
    fn host_allowed(&self, host: &str) -> bool {
        let Some(name) = host_name(host) else { return false };
        is_loopback(&name)
            || self.allowed_hosts.iter().any(|h| h == "*" || host_name(h).as_ref() == Some(&name))
    }
}

/// An origin as browsers serialise it: no trailing slash, lower case.
fn normalise_origin(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// The host name of a `Host` value (`name`, `name:port`, `[v6]`, `[v6]:port`), lower case,
/// without brackets or a trailing dot; `None` when it is malformed.
fn host_name(host: &str) -> Option<String> {
    let host = host.trim();
    let name = if host.parse::<IpAddr>().is_ok() {
        // A bare address (`::1` as a listed host).
        host
    } else if let Some(rest) = host.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || is_port(after.strip_prefix(':')?)) {
            return None;
        }
        inside
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) && !name.contains(':') => name,
            Some(_) => return None,
            None => host,
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    (!name.is_empty()).then(|| name.to_ascii_lowercase())
}

fn is_port(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `localhost`, or an address in `127.0.0.0/8` or `::1`.
fn is_loopback(name: &str) -> bool {
    name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

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

fn rpc_error(code: i64, message: impl Into<String>) -> Value {
    json!({"code": code, "message": message.into()})
}

/// Filter ids installed through the endpoint, and installs under way.
#[derive(Debug, Default)]
struct FilterBook {
    installed: BTreeSet<u64>,
    pending: usize,
}

fn lock(book: &Mutex<FilterBook>) -> MutexGuard<'_, FilterBook> {
    book.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One slot of [`FilterBook::pending`], given back when the install ends (or is abandoned).
struct Reservation<'a>(&'a Mutex<FilterBook>);

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let mut book = lock(self.0);
        book.pending = book.pending.saturating_sub(1);
    }
}

/// What the handlers share: the endpoint, the policy and the installed filters.
struct Server {
    endpoint: Arc<Endpoint>,
    policy: RpcPolicy,
    filters: Mutex<FilterBook>,
}

/// A JSON-RPC quantity (`"0x1a"` or a JSON number) as a `u64`; a longer hex number saturates.
fn quantity(value: &Value) -> Option<u64> {
    if let Some(n) = value.as_u64() {
        return Some(n);
    }
    let digits = value.as_str()?.strip_prefix("0x")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(u64::from_str_radix(digits, 16).unwrap_or(u64::MAX))
}

/// Refuses an `eth_feeHistory` over [`MAX_FEE_HISTORY_BLOCKS`] blocks, or with more than
/// [`MAX_REWARD_PERCENTILES`] percentiles or percentiles that are not ascending values from 0 to
/// 100. Parameters it cannot read are left to the provider, which reports them.
fn check_fee_history(params: &Value) -> Result<(), Value> {
    if let Some(count) = params.get(0).and_then(quantity)
        && count > MAX_FEE_HISTORY_BLOCKS
    {
        return Err(rpc_error(
            INVALID_PARAMS,
            format!(
                "eth_feeHistory: {count} blocks asked, at most {MAX_FEE_HISTORY_BLOCKS} served"
            ),
        ));
    }
    let Some(percentiles) = params.get(2).and_then(Value::as_array) else { return Ok(()) };
    if percentiles.len() > MAX_REWARD_PERCENTILES {
        return Err(rpc_error(
            INVALID_PARAMS,
            format!(
                "eth_feeHistory: {} reward percentiles asked, at most {MAX_REWARD_PERCENTILES} served",
                percentiles.len()
            ),
        ));
    }
    let mut previous = 0.0;
    for p in percentiles.iter().filter_map(Value::as_f64) {
        if !(0.0..=100.0).contains(&p) || p < previous {
            return Err(rpc_error(
                INVALID_PARAMS,
                "eth_feeHistory: reward percentiles must ascend from 0 to 100",
            ));
        }
        previous = p;
    }
    Ok(())
}

impl Server {
    /// Refuses `eth_getLogs` and `eth_newFilter` whose block range (tags resolved against the
    /// current heads) exceeds the limit. Filters it cannot read are left to the provider.
    fn check_log_range(&self, method: &str, params: &Value) -> Result<(), Value> {
        let Some(filter) = params.get(0) else { return Ok(()) };
        let Ok(filter) = serde_json::from_value::<Filter>(filter.clone()) else { return Ok(()) };
        let FilterBlockOption::Range { from_block, to_block } = filter.block_option else {
            return Ok(());
        };
        let heads = self.endpoint.heads.heads();
        let Some(latest) = heads.latest else { return Ok(()) };
        let finalized = heads.finalized.unwrap_or(latest);
        let number = |tag: BlockNumberOrTag| match tag {
            BlockNumberOrTag::Number(n) => n,
            BlockNumberOrTag::Earliest => 0,
            BlockNumberOrTag::Latest | BlockNumberOrTag::Pending => latest.number,
            BlockNumberOrTag::Safe | BlockNumberOrTag::Finalized => finalized.number,
        };
        let to = to_block.map_or(latest.number, number);
        // An absent `fromBlock` is `toBlock` for `eth_getLogs`, the next block for a filter.
        let from = match from_block {
            Some(tag) => number(tag),
            None if method == "eth_getLogs" => to,
            None => latest.number.saturating_add(1),
        };
        let limit = self.policy.max_log_blocks.min(self.endpoint.provider.config().max_log_blocks);
        let span = to.saturating_sub(from).saturating_add(1);
        if from <= to && span > limit {
            return Err(rpc_error(
                INVALID_PARAMS,
                format!("{method}: a range of {span} blocks exceeds the limit of {limit}"),
            ));
        }
        Ok(())
    }

    /// The provider's answer, or a timeout error after [`RpcPolicy::request_timeout`].
    async fn provider_call(&self, method: &str, params: Value) -> Result<Value, Value> {
        let timeout = self.policy.request_timeout;
        match tokio::time::timeout(timeout, self.endpoint.provider.request(method, params)).await {
            Ok(Ok(result)) => Ok(result),
            Ok(Err(e)) => Err(error_object(&e)),
            Err(_) => Err(rpc_error(
                TIMED_OUT,
                format!("{method} timed out after {} ms", timeout.as_millis()),
            )),
        }
    }

    /// Installs a filter unless [`RpcPolicy::max_filters`] are installed already.
    async fn install_filter(&self, method: &str, params: Value) -> Result<Value, Value> {
        {
            let mut book = lock(&self.filters);
            if book.installed.len().saturating_add(book.pending) >= self.policy.max_filters {
                return Err(rpc_error(
                    LIMIT_EXCEEDED,
                    format!(
                        "{method}: {} filters are installed, the limit; uninstall one first",
                        self.policy.max_filters
                    ),
                ));
            }
            book.pending = book.pending.saturating_add(1);
        }
        let reservation = Reservation(&self.filters);
        let outcome = self.provider_call(method, params).await;
        if let Some(id) = outcome.as_ref().ok().and_then(quantity) {
            lock(&self.filters).installed.insert(id);
        }
        drop(reservation);
        outcome
    }

    /// One request after the policy's checks.
    async fn call(&self, method: &str, params: Value) -> Result<Value, Value> {
        match method {
            "eth_getLogs" => self.check_log_range(method, &params)?,
            "eth_feeHistory" => check_fee_history(&params)?,
            "eth_newFilter" => {
                self.check_log_range(method, &params)?;
                return self.install_filter(method, params).await;
            }
            "eth_newBlockFilter" => return self.install_filter(method, params).await,
            "eth_uninstallFilter" => {
                let id = params.get(0).and_then(quantity);
                let outcome = self.provider_call(method, params).await;
                if let Some(id) = id
                    && outcome == Ok(Value::Bool(true))
                {
                    lock(&self.filters).installed.remove(&id);
                }
                return outcome;
            }
            _ => {}
        }
        self.provider_call(method, params).await
    }

    async fn answer(&self, request: Value) -> Option<Value> {
        let id = request.get("id").cloned();
        let method = request.get("method").and_then(Value::as_str);
        let Some(method) = method else {
            return Some(json!({"jsonrpc": "2.0", "id": id,
                "error": rpc_error(INVALID_REQUEST, "invalid request")}));
        };
        let params = request.get("params").cloned().unwrap_or(Value::Null);
        let outcome = self.call(method, params).await;
        // A request without an id is a notification: no answer.
        let id = id?;
        Some(match outcome {
            Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
            Err(error) => json!({"jsonrpc": "2.0", "id": id, "error": error}),
        })
    }

    /// One HTTP or WebSocket message: a request or a batch.
    async fn handle(&self, body: &[u8]) -> Option<Value> {
        let parsed: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                return Some(json!({"jsonrpc": "2.0", "id": null,
                    "error": rpc_error(-32700, format!("parse error: {e}"))}));
            }
        };
        let max = self.policy.max_batch;
        match parsed {
            Value::Array(items) if items.is_empty() || items.len() > max => Some(json!({
                "jsonrpc": "2.0", "id": null,
                "error": rpc_error(INVALID_REQUEST, format!(
                    "a batch holds 1 to {max} requests, this one {}", items.len()))
            })),
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(a) = self.answer(item).await {
                        out.push(a);
                    }
                }
                (!out.is_empty()).then_some(Value::Array(out))
            }
            single => self.answer(single).await,
        }
    }
}

/// A refused HTTP request: `status` and a JSON-RPC error body saying why.
fn refuse(status: StatusCode, reason: String) -> Response {
    tracing::debug!(%status, %reason, "JSON-RPC request refused");
    let body = json!({"jsonrpc": "2.0", "id": null, "error": rpc_error(INVALID_REQUEST, reason)});
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// Whether the body is declared `application/json` (parameters such as `charset` allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// The policy's checks, run on every request (HTTP and WebSocket handshakes) before any
/// handler; allowed origins get their CORS headers.
async fn guard(State(server): State<Arc<Server>>, request: Request, next: Next) -> Response {
    let policy = &server.policy;
    let headers = request.headers();
    // An absolute request URI names the host too; both must pass.
    let hosts = headers
        .get(header::HOST)
        .into_iter()
        .map(|h| h.to_str().ok())
        .chain(request.uri().authority().map(|a| Some(a.as_str())));
    for host in hosts {
        match host {
            Some(h) if policy.host_allowed(h) => {}
            Some(h) => {
                return refuse(
                    StatusCode::FORBIDDEN,
                    format!(
                        "host {h:?} is not allowed: only loopback names are, and those given with --rpc-host"
                    ),
                );
            }
            None => return refuse(StatusCode::FORBIDDEN, "unreadable Host header".into()),
        }
    }
    let origin = match headers.get(header::ORIGIN).map(HeaderValue::to_str) {
        None => None,
        Some(Ok(o)) if policy.origin_allowed(o) => Some(o.to_string()),
        Some(Ok(o)) => {
            return refuse(
                StatusCode::FORBIDDEN,
                format!("origin {o:?} is not allowed: list it with --rpc-allow-origin"),
            );
        }
        Some(Err(_)) => return refuse(StatusCode::FORBIDDEN, "unreadable Origin header".into()),
    };
    if request.method() == Method::POST && !is_json(headers) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be declared Content-Type: application/json".into(),
        );
    }
    let mut response = next.run(request).await;
    if let Some(origin) = origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.append(header::VARY, HeaderValue::from_static("origin"));
    }
    response
}

/// The CORS preflight of an allowed origin (the guard has checked it).
async fn preflight(headers: HeaderMap) -> Response {
    let requested = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("content-type"));
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST")),
            (header::ACCESS_CONTROL_ALLOW_HEADERS, requested),
            (header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600")),
        ],
    )
        .into_response()
}

async fn http(State(server): State<Arc<Server>>, body: Bytes) -> Response {
    match server.handle(&body).await {
        Some(v) => ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn ws(State(server): State<Arc<Server>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.max_message_size(MAX_REQUEST).on_upgrade(move |socket| session(server, socket))
}

/// One subscription of a WebSocket session.
enum Subscription {
    Heads,
    Logs(Value),
}

async fn session(server: Arc<Server>, mut socket: WebSocket) {
    let (notify, mut notifications) = mpsc::channel::<Value>(256);
    let mut subscriptions: Vec<(String, tokio::task::JoinHandle<()>)> = Vec::new();
    let mut next_id = 0u64;
    let max_subscriptions = server.policy.max_subscriptions;
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
                    "eth_subscribe" if subscriptions.len() >= max_subscriptions => {
                        json!({"jsonrpc": "2.0", "id": id, "error": rpc_error(LIMIT_EXCEEDED,
                            format!("{max_subscriptions} subscriptions are open on this connection, the limit; unsubscribe first"))})
                    }
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
                                let task = tokio::spawn(follow(Arc::clone(&server.endpoint), s, subscription_id.clone(), notify.clone()));
                                subscriptions.push((subscription_id.clone(), task));
                                json!({"jsonrpc": "2.0", "id": id, "result": subscription_id})
                            }
                            None => json!({"jsonrpc": "2.0", "id": id,
                                "error": rpc_error(INVALID_PARAMS, format!("unsupported subscription {kind:?}; newHeads and logs are"))}),
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
                    _ => match server.handle(text.as_bytes()).await {
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

/// Binds `addr` now (a busy port fails at startup) and serves in the background under
/// `policy`.
pub(crate) async fn serve(
    addr: SocketAddr,
    endpoint: Arc<Endpoint>,
    policy: RpcPolicy,
) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let server = Arc::new(Server { endpoint, policy, filters: Mutex::new(FilterBook::default()) });
    let app = Router::new()
        .route("/", post(http).get(ws).options(preflight))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_REQUEST))
        .layer(middleware::from_fn_with_state(Arc::clone(&server), guard))
        .with_state(server);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "JSON-RPC server stopped");
        }
    });
    Ok(bound)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let policy = RpcPolicy {
            allowed_hosts: vec!["Mana.LAN".into(), "fd00::5".into()],
            ..RpcPolicy::default()
        };
        for ok in [
            "localhost",
            "localhost:8545",
            "LOCALHOST.:1",
            "127.0.0.1",
            "127.1.2.3:80",
            "[::1]",
            "[::1]:8545",
            "mana.lan:9",
            "[fd00::5]:8545",
        ] {
            assert!(policy.host_allowed(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:8545",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "192.168.1.5:8545",
            "[::2]:1",
            "[::1]x",
            "localhost:x",
            "",
        ] {
            assert!(!policy.host_allowed(refused), "{refused}");
        }
        let any = RpcPolicy { allowed_hosts: vec!["*".into()], ..RpcPolicy::default() };
        assert!(any.host_allowed("evil.example:1"));
    }

    #[test]
    fn origins() {
        let policy = RpcPolicy {
            allowed_origins: vec!["https://Wallet.example/".into()],
            ..RpcPolicy::default()
        };
        assert!(policy.origin_allowed("https://wallet.example"));
        assert!(!policy.origin_allowed("http://wallet.example"));
        assert!(!policy.origin_allowed("https://wallet.example.evil"));
        assert!(!policy.origin_allowed("null"));
        assert!(!RpcPolicy::default().origin_allowed("http://localhost:3000"));
        let any = RpcPolicy { allowed_origins: vec!["*".into()], ..RpcPolicy::default() };
        assert!(any.origin_allowed("null"));
    }

    #[test]
    fn fee_history_bounds() {
        let percentiles = |n: usize| Value::from(vec![50.0; n]);
        assert!(check_fee_history(&json!(["0x400", "latest", percentiles(100)])).is_ok());
        let too_many = check_fee_history(&json!(["0x1", "latest", percentiles(101)]));
        assert_eq!(too_many.unwrap_err()["code"], INVALID_PARAMS);
        let too_long = check_fee_history(&json!(["0x401", "latest"]));
        assert_eq!(too_long.unwrap_err()["code"], INVALID_PARAMS);
        let huge = check_fee_history(&json!(["0xffffffffffffffffffff", "latest"]));
        assert!(huge.is_err());
        assert!(check_fee_history(&json!([4, "latest", [10, 5]])).is_err());
        assert!(check_fee_history(&json!([4, "latest", [10, 101]])).is_err());
        assert!(check_fee_history(&json!([4, "latest", [0, 10, 10, 100]])).is_ok());
    }
}
