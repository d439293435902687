//! One HTTP stack for every upstream (reqwest natively and in browsers): base URL checks, a
//! whole-request timeout that also catches bodies trickled slowly, body size limits enforced
//! while reading, and a download counter.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::{Error, Result};

const SSZ: &str = "application/octet-stream";

/// A response body with the headers that matter.
pub(crate) struct Body {
    /// The request URL.
    pub(crate) url: String,
    /// Whether the content type is SSZ.
    pub(crate) ssz: bool,
    /// `Eth-Consensus-Version`, lower-cased.
    pub(crate) version: Option<String>,
    /// The body.
    pub(crate) bytes: Vec<u8>,
}

/// An HTTP endpoint. Cheap to clone; clones share the download counter.
#[derive(Debug, Clone)]
pub(crate) struct HttpEndpoint {
    base: String,
    http: reqwest::Client,
    timeout: Duration,
    downloaded: Arc<AtomicU64>,
}

impl HttpEndpoint {
    /// An endpoint at `base` (`http://` or `https://`).
    pub(crate) fn new(base: &str, timeout: Duration) -> Result<Self> {
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::BadResponse {
                url: base,
                reason: "upstream URL must start with http:// or https://".into(),
            });
        }
        let builder = reqwest::Client::builder();
        #[cfg(not(target_arch = "wasm32"))]
        let builder = builder
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("mana/", env!("CARGO_PKG_VERSION")));
        let http = builder
            .build()
            .map_err(|e| Error::Http { url: base.clone(), reason: e.to_string() })?;
        Ok(Self { base, http, timeout, downloaded: Arc::new(AtomicU64::new(0)) })
    }

    /// The base URL.
    pub(crate) fn url(&self) -> &str {
        &self.base
    }

    /// Response bytes downloaded so far.
    pub(crate) fn bytes_downloaded(&self) -> u64 {
        self.downloaded.load(Ordering::Relaxed)
    }

    fn timeout_ms(&self) -> u64 {
        u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX)
    }

    fn transport_error(&self, url: &str, e: &reqwest::Error) -> Error {
        if e.is_timeout() {
            Error::Timeout { url: url.to_string(), timeout_ms: self.timeout_ms() }
        } else {
            // The source chain says *why* (connection refused, DNS, ...); the top level only
            // repeats the URL.
            let mut parts = Vec::new();
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                // In browsers the cause is a JS error whose text carries its whole stack: keep
                // its first line (`TypeError: Failed to fetch`).
                let text = s.to_string();
                let first = text.lines().next().unwrap_or_default();
                parts.push(first.strip_prefix("JsValue(").unwrap_or(first).to_string());
                source = s.source();
            }
            let reason = if parts.is_empty() { e.to_string() } else { parts.join(": ") };
            Error::Http { url: url.to_string(), reason }
        }
    }

    /// `GET base+path` with `accept`, reading at most `limit` bytes.
    pub(crate) async fn get(&self, path: &str, accept: &str, limit: usize) -> Result<Body> {
        let url = format!("{}{path}", self.base);
        let request = self.http.get(&url).header("accept", accept);
        self.send(url, request, limit).await
    }

    /// `POST base` with a JSON body, reading at most `limit` bytes.
    pub(crate) async fn post_json(&self, body: Vec<u8>, limit: usize) -> Result<Body> {
        let url = self.base.clone();
        let request = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(body);
        self.send(url, request, limit).await
    }

    async fn send(
        &self,
        url: String,
        request: reqwest::RequestBuilder,
        limit: usize,
    ) -> Result<Body> {
        #[cfg(target_arch = "wasm32")]
        let request = request.timeout(self.timeout);
        #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
        let mut response = request.send().await.map_err(|e| self.transport_error(&url, &e))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase)
        };
        let ssz = header("content-type").is_some_and(|t| t.starts_with(SSZ));
        let version = header("eth-consensus-version");
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(Error::Oversized { url, limit });
        }
        let mut bytes = Vec::new();
        #[cfg(not(target_arch = "wasm32"))]
        while let Some(chunk) =
            response.chunk().await.map_err(|e| self.transport_error(&url, &e))?
        {
            self.downloaded.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            if bytes.len().saturating_add(chunk.len()) > limit {
                return Err(Error::Oversized { url, limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        #[cfg(target_arch = "wasm32")]
        {
            let all = response.bytes().await.map_err(|e| self.transport_error(&url, &e))?;
            self.downloaded.fetch_add(all.len() as u64, Ordering::Relaxed);
            if all.len() > limit {
                return Err(Error::Oversized { url, limit });
            }
            bytes.extend_from_slice(&all);
        }
        if !(200..300).contains(&status) {
            let text = String::from_utf8_lossy(bytes.get(..bytes.len().min(200)).unwrap_or(&[]));
            return Err(Error::Status { url, status, body: text.trim().to_string() });
        }
        Ok(Body { url, ssz, version, bytes })
    }
}
