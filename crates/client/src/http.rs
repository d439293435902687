//! One HTTP layer for every upstream (reqwest natively; the platform's `fetch` in browsers,
//! workers and node, which keeps an HTTP stack and URL parser out of the wasm download): base URL
//! checks, a whole-request timeout that also catches bodies trickled slowly, body size limits
//! enforced while reading, and a download counter.

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
    #[cfg(not(target_arch = "wasm32"))]
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
        Ok(Self {
            #[cfg(not(target_arch = "wasm32"))]
            http: Self::client(timeout, &base)?,
            base,
            timeout,
            downloaded: Arc::new(AtomicU64::new(0)),
        })
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

    /// `GET base+path` with `accept`, reading at most `limit` bytes.
    pub(crate) async fn get(&self, path: &str, accept: &str, limit: usize) -> Result<Body> {
        let url = format!("{}{path}", self.base);
        self.send(url, accept, None, limit).await
    }

    /// `POST base` with a JSON body, reading at most `limit` bytes.
    pub(crate) async fn post_json(&self, body: Vec<u8>, limit: usize) -> Result<Body> {
        self.send(self.base.clone(), "application/json", Some(body), limit).await
    }

    /// Counts `chunk` as downloaded and appends it to `bytes`, unless that passes `limit`.
    fn take_chunk(&self, bytes: &mut Vec<u8>, chunk: &[u8], url: &str, limit: usize) -> Result<()> {
        self.downloaded.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        if bytes.len().saturating_add(chunk.len()) > limit {
            return Err(Error::Oversized { url: url.to_string(), limit });
        }
        bytes.extend_from_slice(chunk);
        Ok(())
    }
}

/// The response head and body, before the status check.
struct Received {
    status: u16,
    content_type: Option<String>,
    version: Option<String>,
    bytes: Vec<u8>,
}

impl Received {
    /// The body of a 2xx response, else [`Error::Status`] with the start of the body.
    fn into_body(self, url: String) -> Result<Body> {
        let Self { status, content_type, version, bytes } = self;
        if !(200..300).contains(&status) {
            let text = String::from_utf8_lossy(bytes.get(..bytes.len().min(200)).unwrap_or(&[]));
            return Err(Error::Status { url, status, body: text.trim().to_string() });
        }
        let ssz = content_type.is_some_and(|t| t.to_ascii_lowercase().starts_with(SSZ));
        let version = version.map(|v| v.to_ascii_lowercase());
        Ok(Body { url, ssz, version, bytes })
    }
}

/// Natively: reqwest (rustls, HTTP/2), its whole-request timeout, the body read chunk by chunk.
#[cfg(not(target_arch = "wasm32"))]
impl HttpEndpoint {
    fn client(timeout: Duration, base: &str) -> Result<reqwest::Client> {
        reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("mana/", env!("CARGO_PKG_VERSION")))
            // A redirect is refused (answered as its 3xx status): an upstream is the URL the
            // user configured, not wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Http { url: base.to_string(), reason: e.to_string() })
    }

    fn transport_error(&self, url: &str, e: &reqwest::Error) -> Error {
        if e.is_timeout() {
            return Error::Timeout { url: url.to_string(), timeout_ms: self.timeout_ms() };
        }
        // The source chain says *why* (connection refused, DNS, ...); the top level only
        // repeats the URL.
        let mut parts = Vec::new();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            parts.push(s.to_string());
            source = s.source();
        }
        let reason = if parts.is_empty() { e.to_string() } else { parts.join(": ") };
        Error::Http { url: url.to_string(), reason }
    }

    async fn send(
        &self,
        url: String,
        accept: &str,
        body: Option<Vec<u8>>,
        limit: usize,
    ) -> Result<Body> {
        let request = match body {
            None => self.http.get(&url),
            Some(body) => {
                self.http.post(&url).header("content-type", "application/json").body(body)
            }
        };
        let mut response = request
            .header("accept", accept)
            .send()
            .await
            .map_err(|e| self.transport_error(&url, &e))?;
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
        };
        let content_type = header("content-type");
        let version = header("eth-consensus-version");
        let status = response.status().as_u16();
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(Error::Oversized { url, limit });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) =
            response.chunk().await.map_err(|e| self.transport_error(&url, &e))?
        {
            self.take_chunk(&mut bytes, &chunk, &url, limit)?;
        }
        Received { status, content_type, version, bytes }.into_body(url)
    }
}

/// In browsers, workers and node: the global `fetch`, an `AbortController` fired by a timer for
/// the whole-request timeout, and the body read from its stream chunk by chunk, so an oversized
/// body is cut off as soon as it passes the limit.
#[cfg(target_arch = "wasm32")]
mod fetch {
    use std::cell::Cell;
    use std::rc::Rc;

    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    use super::{Body, Error, HttpEndpoint, Received, Result};

    #[wasm_bindgen]
    extern "C" {
        /// The global `fetch` of windows, workers, service workers and node 18+.
        #[wasm_bindgen(js_name = fetch)]
        fn global_fetch(request: &web_sys::Request) -> js_sys::Promise;
    }

    /// The first line of a JS error's message, with its `cause` (node's `fetch failed` says why
    /// there: `connect ECONNREFUSED …`).
    fn reason(e: &JsValue) -> String {
        let line = |v: &JsValue| -> Option<String> {
            let text = match v.dyn_ref::<js_sys::Error>() {
                Some(err) => String::from(err.message()),
                None => v.as_string()?,
            };
            Some(text.lines().next().unwrap_or_default().to_string())
        };
        let mut text = line(e).unwrap_or_else(|| "fetch failed".to_string());
        let cause = js_sys::Reflect::get(e, &JsValue::from_str("cause")).ok();
        if let Some(cause) = cause.as_ref().and_then(line) {
            text = format!("{text}: {cause}");
        }
        text
    }

    /// Aborts the request when the timeout passes; dropping it cancels the timer.
    struct Deadline {
        fired: Rc<Cell<bool>>,
        _timer: gloo_timers::callback::Timeout,
    }

    impl Deadline {
        fn new(controller: web_sys::AbortController, timeout_ms: u64) -> Self {
            let fired = Rc::new(Cell::new(false));
            let flag = Rc::clone(&fired);
            let ms = u32::try_from(timeout_ms).unwrap_or(u32::MAX);
            let timer = gloo_timers::callback::Timeout::new(ms, move || {
                flag.set(true);
                controller.abort();
            });
            Self { fired, _timer: timer }
        }
    }

    impl HttpEndpoint {
        /// The error for a rejected promise: a timeout when the deadline aborted the request.
        fn fetch_error(&self, url: &str, deadline: &Deadline, e: &JsValue) -> Error {
            if deadline.fired.get() {
                Error::Timeout { url: url.to_string(), timeout_ms: self.timeout_ms() }
            } else {
                Error::Http { url: url.to_string(), reason: reason(e) }
            }
        }

        pub(super) async fn send(
            &self,
            url: String,
            accept: &str,
            body: Option<Vec<u8>>,
            limit: usize,
        ) -> Result<Body> {
            let js = |e: JsValue| Error::Http { url: url.clone(), reason: reason(&e) };
            let controller = web_sys::AbortController::new().map_err(js)?;
            let headers = web_sys::Headers::new().map_err(js)?;
            headers.set("accept", accept).map_err(js)?;
            let init = web_sys::RequestInit::new();
            init.set_signal(Some(&controller.signal()));
            // A redirect is refused: an upstream is the URL the user configured, not wherever
            // it points.
            init.set_redirect(web_sys::RequestRedirect::Error);
            match body {
                None => init.set_method("GET"),
                Some(body) => {
                    init.set_method("POST");
                    headers.set("content-type", "application/json").map_err(js)?;
                    init.set_body(&js_sys::Uint8Array::from(body.as_slice()));
                }
            }
            init.set_headers(&headers);
            let request = web_sys::Request::new_with_str_and_init(&url, &init).map_err(js)?;
            let deadline = Deadline::new(controller, self.timeout_ms());

            let response = JsFuture::from(global_fetch(&request))
                .await
                .map_err(|e| self.fetch_error(&url, &deadline, &e))?;
            let response: web_sys::Response = response.unchecked_into();
            let header = |name: &str| response.headers().get(name).ok().flatten();
            let content_type = header("content-type");
            let version = header("eth-consensus-version");
            if header("content-length")
                .and_then(|n| n.trim().parse::<u64>().ok())
                .is_some_and(|n| n > limit as u64)
            {
                return Err(Error::Oversized { url, limit });
            }
            let mut bytes = Vec::new();
            if let Some(stream) = response.body() {
                let reader: web_sys::ReadableStreamDefaultReader =
                    stream.get_reader().unchecked_into();
                loop {
                    let step = JsFuture::from(reader.read())
                        .await
                        .map_err(|e| self.fetch_error(&url, &deadline, &e))?;
                    let step: web_sys::ReadableStreamReadResult = step.unchecked_into();
                    if step.get_done().unwrap_or(true) {
                        break;
                    }
                    let chunk = js_sys::Uint8Array::new(&step.get_value()).to_vec();
                    if let Err(e) = self.take_chunk(&mut bytes, &chunk, &url, limit) {
                        // Stop the download (awaited, so a rejection is handled, not left
                        // unhandled; its outcome is of no interest).
                        drop(JsFuture::from(reader.cancel()).await);
                        return Err(e);
                    }
                }
            }
            drop(deadline);
            Received { status: response.status(), content_type, version, bytes }.into_body(url)
        }
    }
}
