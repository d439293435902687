//! An execution JSON-RPC client (execution-apis): single calls and JSON-RPC batches over the
//! shared HTTP stack, every body size-limited.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::http::HttpEndpoint;
use crate::upstream::Endpoint;
use crate::{Error, Result};

/// Largest answer to one call (a block with full transactions, a page of logs, receipts).
const CALL_LIMIT: usize = 32 * 1024 * 1024;
/// Largest answer to a batch.
const BATCH_LIMIT: usize = 128 * 1024 * 1024;

/// One execution JSON-RPC endpoint. Cheap to clone; clones share counters.
#[derive(Debug, Clone)]
pub struct ExecutionRpc {
    http: HttpEndpoint,
    next_id: std::sync::Arc<AtomicU64>,
    round_trips: std::sync::Arc<AtomicU64>,
}

impl Endpoint for ExecutionRpc {
    fn url(&self) -> &str {
        self.http.url()
    }

    fn bytes_downloaded(&self) -> u64 {
        self.http.bytes_downloaded()
    }
}

impl ExecutionRpc {
    /// A client for the JSON-RPC endpoint at `url`.
    pub fn new(url: &str, timeout: Duration) -> Result<Self> {
        Ok(Self {
            http: HttpEndpoint::new(url, timeout)?,
            next_id: std::sync::Arc::new(AtomicU64::new(1)),
            round_trips: std::sync::Arc::new(AtomicU64::new(0)),
        })
    }

    /// The endpoint URL.
    pub fn url(&self) -> &str {
        self.http.url()
    }

    /// HTTP round trips made so far (a batch is one).
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    fn bad(&self, reason: impl Into<String>) -> Error {
        Error::BadResponse { url: self.url().to_string(), reason: reason.into() }
    }

    fn outcome(&self, mut response: Value) -> Result<Value> {
        if let Some(error) = response.get("error") {
            let code = error.get("code").and_then(Value::as_i64).unwrap_or(-32603);
            let message =
                error.get("message").and_then(Value::as_str).unwrap_or("no message").to_string();
            return Err(Error::Rpc { url: self.url().to_string(), code, message });
        }
        match response.get_mut("result") {
            Some(result) => Ok(result.take()),
            None => Err(self.bad("response has neither result nor error")),
        }
    }

    /// Calls `method` with `params`; a JSON-RPC error is [`Error::Rpc`].
    pub async fn call(&self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let body = serde_json::to_vec(&body).map_err(|e| self.bad(e.to_string()))?;
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let response = self.http.post_json(body, CALL_LIMIT).await?;
        let value: Value = serde_json::from_slice(&response.bytes)
            .map_err(|e| self.bad(format!("{method}: not JSON: {e}")))?;
        if value.get("id").and_then(Value::as_u64) != Some(id) {
            return Err(self.bad(format!("{method}: response id does not match the request")));
        }
        self.outcome(value)
    }

    /// Sends `calls` as one JSON-RPC batch; answers come back in request order, each its own
    /// result. An empty batch makes no request.
    pub async fn batch(&self, calls: &[(&str, Value)]) -> Result<Vec<Result<Value>>> {
        if calls.is_empty() {
            return Ok(Vec::new());
        }
        let count = u64::try_from(calls.len()).unwrap_or(u64::MAX);
        let first = self.next_id.fetch_add(count, Ordering::Relaxed);
        let body: Vec<Value> = calls
            .iter()
            .zip(first..)
            .map(|((method, params), id)| {
                json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
            })
            .collect();
        let body = serde_json::to_vec(&body).map_err(|e| self.bad(e.to_string()))?;
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let response = self.http.post_json(body, BATCH_LIMIT).await?;
        let value: Value = serde_json::from_slice(&response.bytes)
            .map_err(|e| self.bad(format!("batch: not JSON: {e}")))?;
        let Value::Array(items) = value else {
            // A server that rejects batches answers with one error object.
            return Err(match self.outcome(value) {
                Err(e) => e,
                Ok(_) => self.bad("batch answered with a single result"),
            });
        };
        let mut slots: Vec<Option<Value>> = vec![None; calls.len()];
        for item in items {
            let index = item
                .get("id")
                .and_then(Value::as_u64)
                .and_then(|id| id.checked_sub(first))
                .and_then(|i| usize::try_from(i).ok());
            match index.and_then(|i| slots.get_mut(i)) {
                Some(slot) if slot.is_none() => *slot = Some(item),
                _ => return Err(self.bad("batch answer with an unknown or repeated id")),
            }
        }
        slots
            .into_iter()
            .map(|slot| match slot {
                Some(item) => Ok(self.outcome(item)),
                None => Err(self.bad("batch answer is missing a response")),
            })
            .collect()
    }
}
