//! `mana serve`: stateless block verification over HTTP.
//!
//! `POST /verify` takes one block with its witness (the fixture shape, or
//! `{blockRlp, witness, publicKeys?, trustedBlockHash?, trustedParentHash?}`) and answers the JSON
//! verdict. Parsing and verification run on the blocking pool, at most `--max-concurrent` at once,
//! so concurrent requests use every core while the async workers stay free to accept. No state is
//! kept between requests: any number of instances can sit behind a load balancer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use mana_stateless::rules::ChainConfig;
use mana_stateless::witness::Trusted;
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
    invalid: AtomicU64,
    errors: AtomicU64,
    gas: AtomicU64,
    micros: AtomicU64,
    in_flight: AtomicU64,
}

#[derive(Debug)]
struct Service {
    config: ChainConfig,
    chain: &'static str,
    permits: Semaphore,
    counters: Counters,
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
            "Blocks that verified.",
            "counter",
            get(&c.valid).to_string(),
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
        out
    }

    /// Parses and verifies one request body; runs on the blocking pool.
    fn verify(&self, body: &[u8]) -> (StatusCode, Value) {
        let parsed = match verify::parse_json(body, &self.config) {
            Ok(parsed) => parsed,
            Err(message) => {
                self.counters.errors.fetch_add(1, Ordering::Relaxed);
                return (
                    StatusCode::BAD_REQUEST,
                    json!({"valid": false, "error": {"kind": "bad_request", "message": message}}),
                );
            }
        };
        let anchor =
            match (parsed.trusted_block_hash, parsed.trusted_parent_hash, parsed.stated_hash) {
                (Some(hash), _, _) => Anchor {
                    trusted: Trusted::BlockHash(hash),
                    note: format!("trusting the request's trustedBlockHash ({hash})"),
                },
                (None, Some(hash), _) => Anchor {
                    trusted: Trusted::ParentHash(hash),
                    note: format!("trusting the request's trustedParentHash ({hash})"),
                },
                (None, None, Some(hash)) => Anchor {
                    trusted: Trusted::BlockHash(hash),
                    note: format!("trusting the request's blockHash ({hash})"),
                },
                (None, None, None) => {
                    let hash = parsed.input.block.header.hash_slow();
                    Anchor {
                        trusted: Trusted::BlockHash(hash),
                        note: format!(
                            "no anchor in the request: trusting the block's own hash ({hash})"
                        ),
                    }
                }
            };
        let outcome = verify::run(&parsed.input, anchor.trusted, &self.config);
        let micros = u64::try_from(outcome.elapsed.as_micros()).unwrap_or(u64::MAX);
        self.counters.micros.fetch_add(micros, Ordering::Relaxed);
        if outcome.valid() {
            self.counters.valid.fetch_add(1, Ordering::Relaxed);
            self.counters.gas.fetch_add(outcome.gas_used, Ordering::Relaxed);
        } else {
            self.counters.invalid.fetch_add(1, Ordering::Relaxed);
        }
        (StatusCode::OK, outcome.to_json(&anchor))
    }
}

async fn handle_verify(State(service): State<Arc<Service>>, body: Bytes) -> Response {
    let counters = &service.counters;
    counters.requests.fetch_add(1, Ordering::Relaxed);
    counters.in_flight.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let result = match service.permits.acquire().await {
        Ok(_permit) => {
            let task = Arc::clone(&service);
            tokio::task::spawn_blocking(move || task.verify(&body)).await
        }
        Err(_) => Ok((
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"valid": false, "error": {"kind": "shutting_down", "message": "closed"}}),
        )),
    };
    counters.in_flight.fetch_sub(1, Ordering::Relaxed);
    let (status, value) = result.unwrap_or_else(|e| {
        counters.errors.fetch_add(1, Ordering::Relaxed);
        warn!(error = %e, "verification task failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"valid": false, "error": {"kind": "internal", "message": e.to_string()}}),
        )
    });
    info!(
        status = status.as_u16(),
        valid = value.get("valid").and_then(serde_json::Value::as_bool).unwrap_or(false),
        number = value.get("number").and_then(serde_json::Value::as_u64).unwrap_or(0),
        ms = started.elapsed().as_millis(),
        "POST /verify"
    );
    json_response(status, &value)
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
        permits: Semaphore::new(permits),
        counters: Counters::default(),
    });
    let limit = args.max_body_mb.saturating_mul(1024 * 1024);
    let app = Router::new()
        .route("/verify", post(handle_verify))
        .route("/metrics", get(handle_metrics))
        .route("/health", get(handle_health))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(service);
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| Error::Io(format!("cannot listen on {}: {e}", args.addr)))?;
    let bound: SocketAddr =
        listener.local_addr().map_err(|e| Error::Io(format!("no local address: {e}")))?;
    // The first stdout line, for scripts and tests that bind port 0.
    println!("listening on http://{bound}");
    info!(address = %bound, chain, max_concurrent = permits, max_body_mb = args.max_body_mb, "stateless verification at http://{bound}/verify");
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
