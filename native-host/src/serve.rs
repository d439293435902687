//! `mana serve`: stateless block verification over HTTP.
//!
//! `POST /verify` takes one block with its witness (the fixture shape, or
//! `{blockRlp, witness, publicKeys?, trustedBlockHash?, trustedParentHash?}`) and answers the JSON
//! verdict. An execution-spec-tests `blockchain_test` file as the body is run whole (every case,
//! every block judged against the fixture's expectation, as `mana verify-block FILE` does) and
//! answers the report `{format, verdict, passed, failed, cases: [...]}`. Parsing and verification run on the blocking pool, at most `--max-concurrent` at once,
//! so concurrent requests use every core while the async workers stay free to accept. No state is
//! kept between requests: any number of instances can sit behind a load balancer.
//!
//! Every anchor here comes with the request (`trustedBlockHash`, `trustedParentHash`, the fixture's
//! `blockHash`, or the block's own hash), so a block that re-executes to its header is
//! `"verdict": "valid-unanchored"` with `"valid": false`: the caller must check the hash against
//! a chain it trusts. Limits: the body (`--max-body-mb`, 413), the block's gas limit
//! (`--max-gas`, 422, refused before execution) and a deadline from the body's arrival to the
//! answer (`--request-timeout-ms`, 504). Any answer given before the body was read to its end
//! carries `Connection: close`, since the server then drops the connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Bytes, HttpBody};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mana_stateless::rules::ChainConfig;
use mana_stateless::witness::{BlockInput, Trusted};
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tracing::{info, warn};

use crate::Error;
use crate::config::ServeArgs;
use crate::verify::{self, Anchor};

/// Counters of `GET /metrics`.
#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    valid: AtomicU64,
    unanchored: AtomicU64,
    invalid: AtomicU64,
    errors: AtomicU64,
    refused: AtomicU64,
    timeouts: AtomicU64,
    gas: AtomicU64,
    micros: AtomicU64,
    in_flight: AtomicU64,
}

#[derive(Debug)]
struct Service {
    config: ChainConfig,
    chain: &'static str,
    /// Verification slots (`--max-concurrent`); a slot is held until its work ends, also when
    /// the request was answered with a timeout.
    permits: Arc<Semaphore>,
    /// `--max-concurrent`: the number of slots.
    slots: usize,
    /// The largest block gas limit verified (`--max-gas`).
    max_gas: u64,
    /// From the body's arrival to the answer (`--request-timeout-ms`).
    timeout: Duration,
    counters: Counters,
}

/// A JSON answer without a verdict.
fn no_verdict(kind: &str, message: impl Into<String>) -> Value {
    json!({"valid": false, "error": {"kind": kind, "message": message.into()}})
}

impl Service {
    fn render(&self) -> String {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut series = |name: &str, help: &str, kind: &str, value: String| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"));
        };
        series(
            "mana_verify_requests_total",
            "POST /verify requests.",
            "counter",
            get(&c.requests).to_string(),
        );
        series(
            "mana_verify_valid_total",
            "Blocks that re-executed to their header (anchored or not).",
            "counter",
            get(&c.valid).to_string(),
        );
        series(
            "mana_verify_unanchored_total",
            "Of the valid blocks, those anchored only by the request itself (valid-unanchored).",
            "counter",
            get(&c.unanchored).to_string(),
        );
        series(
            "mana_verify_invalid_total",
            "Blocks that failed a check (or that their witness could not prove).",
            "counter",
            get(&c.invalid).to_string(),
        );
        series(
            "mana_verify_errors_total",
            "Requests without a verdict (unreadable input, internal failure).",
            "counter",
            get(&c.errors).to_string(),
        );
        series(
            "mana_verify_refused_total",
            "Requests refused by a limit (body over --max-body-mb, block over --max-gas).",
            "counter",
            get(&c.refused).to_string(),
        );
        series(
            "mana_verify_timeouts_total",
            "Requests answered 504: no verdict within --request-timeout-ms.",
            "counter",
            get(&c.timeouts).to_string(),
        );
        series(
            "mana_verify_gas_total",
            "Gas of the blocks that verified.",
            "counter",
            get(&c.gas).to_string(),
        );
        series(
            "mana_verify_seconds_total",
            "Time spent verifying (parsing excluded).",
            "counter",
            format!("{:.6}", get(&c.micros) as f64 / 1e6),
        );
        series(
            "mana_verify_in_flight",
            "Requests being verified or waiting.",
            "gauge",
            get(&c.in_flight).to_string(),
        );
        series(
            "mana_verify_running",
            "Verification slots in use (including work whose request timed out).",
            "gauge",
            self.slots.saturating_sub(self.permits.available_permits()).to_string(),
        );
        out
    }

    /// Parses and verifies one request body; runs on the blocking pool. Past `deadline` (or once
    /// `abandoned` says the request was answered with a timeout) the work stops before verifying
    /// and answers 504 itself.
    fn verify(
        &self,
        body: &[u8],
        deadline: Option<Instant>,
        abandoned: &AtomicBool,
    ) -> (StatusCode, Value) {
        let parsed = match verify::parse_json(body, &self.config) {
            Ok(verify::Request::Block(parsed)) => parsed,
            Ok(verify::Request::BlockchainTest(file)) => {
                return self.verify_blockchain_test(&file, deadline, abandoned);
            }
            Err(message) => {
                self.counters.errors.fetch_add(1, Ordering::Relaxed);
                return (StatusCode::BAD_REQUEST, no_verdict("bad_request", message));
            }
        };
        let header = &parsed.input.block.header;
        if header.gas_limit > self.max_gas {
            self.counters.refused.fetch_add(1, Ordering::Relaxed);
            let message = format!(
                "block {} has a gas limit of {}, above this server's cap of {} (--max-gas): \
                 refused without executing it",
                header.number, header.gas_limit, self.max_gas
            );
            return (StatusCode::UNPROCESSABLE_ENTITY, no_verdict("gas_cap", message));
        }
        if abandoned.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
            return self.timed_out();
        }
        // Whatever the request names, the hash comes from the caller: never an independent
        // anchor.
        let unanchored = "came with the request, not anchored independently";
        let (trusted, note) =
            match (parsed.trusted_block_hash, parsed.trusted_parent_hash, parsed.stated_hash) {
                (Some(hash), _, _) => (
                    Trusted::BlockHash(hash),
                    format!("trusting the request's trustedBlockHash ({hash}): {unanchored}"),
                ),
                (None, Some(hash), _) => (
                    Trusted::ParentHash(hash),
                    format!("trusting the request's trustedParentHash ({hash}): {unanchored}"),
                ),
                (None, None, Some(hash)) => (
                    Trusted::BlockHash(hash),
                    format!("trusting the request's blockHash ({hash}): {unanchored}"),
                ),
                (None, None, None) => {
                    let hash = header.hash_slow();
                    (
                        Trusted::BlockHash(hash),
                        format!(
                            "no anchor in the request: trusting the block's own hash ({hash}), \
                             not anchored"
                        ),
                    )
                }
            };
        let anchor = Anchor { trusted, anchored: false, note };
        let outcome = verify::run(&parsed.input, anchor.trusted, &self.config);
        let micros = u64::try_from(outcome.elapsed.as_micros()).unwrap_or(u64::MAX);
        self.counters.micros.fetch_add(micros, Ordering::Relaxed);
        if outcome.valid() {
            self.counters.valid.fetch_add(1, Ordering::Relaxed);
            self.counters.unanchored.fetch_add(1, Ordering::Relaxed);
            self.counters.gas.fetch_add(outcome.gas_used, Ordering::Relaxed);
        } else {
            self.counters.invalid.fetch_add(1, Ordering::Relaxed);
        }
        (StatusCode::OK, outcome.to_json(&anchor))
    }

    /// Runs a blockchain-test file (see [`verify::run_blockchain_test`]). Every block is checked
    /// against the gas cap before anything runs; the deadline is checked before each case.
    fn verify_blockchain_test(
        &self,
        file: &Value,
        deadline: Option<Instant>,
        abandoned: &AtomicBool,
    ) -> (StatusCode, Value) {
        let cases = file.as_object().map(|cases| cases.iter()).into_iter().flatten();
        for (name, case) in cases {
            let blocks =
                case.get("blocks").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
            for (index, entry) in blocks.iter().enumerate() {
                let rlp = entry.get("rlp").and_then(Value::as_str).unwrap_or_default();
                let Ok(rlp) = hex::decode(rlp.strip_prefix("0x").unwrap_or(rlp)) else { continue };
                // An undecodable block is judged (rejected) without executing anything.
                let Ok(block) = BlockInput::decode_block(&rlp) else { continue };
                if block.header.gas_limit > self.max_gas {
                    self.counters.refused.fetch_add(1, Ordering::Relaxed);
                    let message = format!(
                        "case {name}, block {index} has a gas limit of {}, above this server's \
                         cap of {} (--max-gas): refused without executing it",
                        block.header.gas_limit, self.max_gas
                    );
                    return (StatusCode::UNPROCESSABLE_ENTITY, no_verdict("gas_cap", message));
                }
            }
        }
        let stop =
            || abandoned.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d);
        let Some(runs) = verify::run_blockchain_test(file, stop) else {
            return self.timed_out();
        };
        for run in &runs {
            let micros = u64::try_from(run.elapsed.as_micros()).unwrap_or(u64::MAX);
            self.counters.micros.fetch_add(micros, Ordering::Relaxed);
            for block in &run.report.blocks {
                if block.verdict.is_ok() {
                    // Anchored by the request's own genesis: never independently.
                    self.counters.valid.fetch_add(1, Ordering::Relaxed);
                    self.counters.unanchored.fetch_add(1, Ordering::Relaxed);
                } else {
                    self.counters.invalid.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        (StatusCode::OK, verify::blockchain_test_json(&runs))
    }

    /// The answer of a request past its deadline.
    fn timed_out(&self) -> (StatusCode, Value) {
        let message = format!(
            "no verdict within {} ms (--request-timeout-ms): waiting for a slot, parsing and \
             verifying",
            self.timeout.as_millis()
        );
        (StatusCode::GATEWAY_TIMEOUT, no_verdict("timeout", message))
    }

    /// Waits for a slot and verifies `body` on the blocking pool, answering 504 at the deadline.
    /// A timed-out verification keeps its slot until it ends (so no more than `--max-concurrent`
    /// run at once); it stops before executing if it had not started, else it is bounded by the
    /// gas cap.
    async fn answer(self: &Arc<Self>, body: Bytes) -> (StatusCode, Value) {
        // `None` only for a timeout beyond the clock's range: no deadline then.
        let deadline = Instant::now().checked_add(self.timeout);
        let abandoned = Arc::new(AtomicBool::new(false));
        let work = async {
            let Ok(permit) = Arc::clone(&self.permits).acquire_owned().await else {
                return Ok((
                    StatusCode::SERVICE_UNAVAILABLE,
                    no_verdict("shutting_down", "closed"),
                ));
            };
            let (task, flag) = (Arc::clone(self), Arc::clone(&abandoned));
            tokio::task::spawn_blocking(move || {
                let answer = task.verify(&body, deadline, &flag);
                drop(permit);
                answer
            })
            .await
        };
        let answer = match tokio::time::timeout(self.timeout, work).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => {
                self.counters.errors.fetch_add(1, Ordering::Relaxed);
                warn!(error = %e, "verification task failed");
                (StatusCode::INTERNAL_SERVER_ERROR, no_verdict("internal", e.to_string()))
            }
            Err(_) => {
                abandoned.store(true, Ordering::Relaxed);
                self.timed_out()
            }
        };
        // Counted here once, whether the timer or the work itself noticed the deadline.
        if answer.0 == StatusCode::GATEWAY_TIMEOUT {
            self.counters.timeouts.fetch_add(1, Ordering::Relaxed);
        }
        answer
    }
}

/// Marks a response given after the request body was read to its end (see [`close_unread`]).
#[derive(Debug, Clone, Copy)]
struct BodyRead;

/// Adds `Connection: close` to every answer given while the request body was not read to its
/// end (an oversized body refused on its `Content-Length`, a route or method that takes no
/// body): the server drops such a connection once it has answered, and the header keeps a
/// client from sending its next request over it.
async fn close_unread(request: Request, next: Next) -> Response {
    let has_body = !request.body().is_end_stream();
    let mut response = next.run(request).await;
    let read = response.extensions_mut().remove::<BodyRead>().is_some();
    if has_body && !read {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

async fn handle_verify(
    State(service): State<Arc<Service>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let counters = &service.counters;
    counters.requests.fetch_add(1, Ordering::Relaxed);
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            // Not read to its end: `close_unread` closes the connection.
            let status = rejection.status();
            let kind = if status == StatusCode::PAYLOAD_TOO_LARGE {
                counters.refused.fetch_add(1, Ordering::Relaxed);
                "too_large"
            } else {
                counters.errors.fetch_add(1, Ordering::Relaxed);
                "bad_body"
            };
            info!(status = status.as_u16(), kind, "POST /verify");
            return json_response(status, &no_verdict(kind, rejection.body_text()));
        }
    };
    counters.in_flight.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let (status, value) = service.answer(body).await;
    counters.in_flight.fetch_sub(1, Ordering::Relaxed);
    info!(
        status = status.as_u16(),
        verdict = value.get("verdict").and_then(serde_json::Value::as_str).unwrap_or("none"),
        number = value.get("number").and_then(serde_json::Value::as_u64).unwrap_or(0),
        ms = started.elapsed().as_millis(),
        "POST /verify"
    );
    let mut response = json_response(status, &value);
    response.extensions_mut().insert(BodyRead);
    response
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], value.to_string()).into_response()
}

async fn handle_metrics(State(service): State<Arc<Service>>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], service.render()).into_response()
}

async fn handle_health(State(service): State<Arc<Service>>) -> Response {
    let value = json!({"status": "ok", "chain": service.chain, "chainId": service.config.chain_id});
    json_response(StatusCode::OK, &value)
}

/// `mana serve`: binds, prints the bound address, serves until Ctrl-C.
pub(crate) async fn run(args: ServeArgs) -> Result<(), Error> {
    crate::node::init_tracing(args.log_format);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let permits = args.max_concurrent.unwrap_or(cores).max(1);
    let chain = match args.chain {
        crate::config::ChainName::Mainnet => "mainnet",
        crate::config::ChainName::Sepolia => "sepolia",
        crate::config::ChainName::Hoodi => "hoodi",
    };
    let service = Arc::new(Service {
        config: verify::chain_config(args.chain),
        chain,
        permits: Arc::new(Semaphore::new(permits)),
        slots: permits,
        max_gas: args.max_gas,
        timeout: Duration::from_millis(args.request_timeout_ms),
        counters: Counters::default(),
    });
    let limit = args.max_body_mb.saturating_mul(1024 * 1024);
    let app = Router::new()
        .route("/verify", post(handle_verify))
        .route("/metrics", get(handle_metrics))
        .route("/health", get(handle_health))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(close_unread))
        .with_state(service);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| Error::Io(format!("cannot listen on {}: {e}", args.addr)))?;
    let bound: SocketAddr =
        listener.local_addr().map_err(|e| Error::Io(format!("no local address: {e}")))?;
    // The first stdout line, for scripts and tests that bind port 0.
    println!("listening on http://{bound}");
    info!(
        address = %bound,
        chain,
        max_concurrent = permits,
        max_body_mb = args.max_body_mb,
        max_gas = args.max_gas,
        request_timeout_ms = args.request_timeout_ms,
        "stateless verification at http://{bound}/verify"
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                warn!(error = %e, "cannot wait for Ctrl-C");
                std::future::pending::<()>().await;
            }
            info!("interrupted");
        })
        .await
        .map_err(|e| Error::Io(format!("server stopped: {e}")))
}
