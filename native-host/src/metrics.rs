//! The Prometheus endpoint (`GET /metrics`, text exposition format 0.0.4).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use mana_client::{SyncStats, UpstreamStatus};

/// One labelled series per upstream: name, help, type, value.
type Series = (&'static str, &'static str, &'static str, fn(&UpstreamStatus) -> i64);

/// Values the node publishes; shared between the sync task and the HTTP server.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    pub(crate) current_slot: AtomicU64,
    pub(crate) head_slot: AtomicU64,
    pub(crate) finalized_slot: AtomicU64,
    pub(crate) finalized_period: AtomicU64,
    pub(crate) target_period: AtomicU64,
    pub(crate) stale: AtomicU64,
    pub(crate) verified: AtomicU64,
    pub(crate) rejected: AtomicU64,
    pub(crate) ignored: AtomicU64,
    pub(crate) forced: AtomicU64,
    pub(crate) upstreams: Mutex<Vec<UpstreamStatus>>,
}

impl Metrics {
    pub(crate) fn set_stats(&self, stats: SyncStats) {
        self.verified.store(stats.updates_verified, Ordering::Relaxed);
        self.rejected.store(stats.updates_rejected, Ordering::Relaxed);
        self.ignored.store(stats.updates_ignored, Ordering::Relaxed);
        self.forced.store(stats.forced_updates, Ordering::Relaxed);
    }

    pub(crate) fn set_upstreams(&self, status: Vec<UpstreamStatus>) {
        if let Ok(mut guard) = self.upstreams.lock() {
            *guard = status;
        }
    }

    /// The exposition text.
    pub(crate) fn render(&self) -> String {
        let mut out = String::new();
        let mut gauge = |name: &str, help: &str, kind: &str, value: u64| {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n"));
        };
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        gauge("mana_current_slot", "Slot of the wall clock.", "gauge", get(&self.current_slot));
        gauge(
            "mana_head_slot",
            "Slot of the verified optimistic header.",
            "gauge",
            get(&self.head_slot),
        );
        gauge(
            "mana_finalized_slot",
            "Slot of the verified finalized header.",
            "gauge",
            get(&self.finalized_slot),
        );
        gauge(
            "mana_finalized_period",
            "Sync-committee period of the finalized header.",
            "gauge",
            get(&self.finalized_period),
        );
        gauge(
            "mana_target_period",
            "Sync-committee period of the wall clock.",
            "gauge",
            get(&self.target_period),
        );
        gauge(
            "mana_head_stale",
            "1 while the head lags the wall clock.",
            "gauge",
            get(&self.stale),
        );
        gauge(
            "mana_updates_verified_total",
            "Light-client updates that verified.",
            "counter",
            get(&self.verified),
        );
        gauge(
            "mana_updates_rejected_total",
            "Light-client updates rejected as invalid.",
            "counter",
            get(&self.rejected),
        );
        gauge(
            "mana_updates_ignored_total",
            "Valid but unusable light-client updates.",
            "counter",
            get(&self.ignored),
        );
        gauge("mana_forced_updates_total", "Forced updates applied.", "counter", get(&self.forced));
        let upstreams = self.upstreams.lock().map(|g| g.clone()).unwrap_or_default();
        let series: [Series; 5] = [
            (
                "mana_upstream_score",
                "Health score of a beacon upstream (100 is perfect).",
                "gauge",
                |u| u.score,
            ),
            (
                "mana_upstream_successes_total",
                "Useful answers from a beacon upstream.",
                "counter",
                |u| i64::try_from(u.successes).unwrap_or(i64::MAX),
            ),
            (
                "mana_upstream_failures_total",
                "Failed requests to a beacon upstream.",
                "counter",
                |u| i64::try_from(u.failures).unwrap_or(i64::MAX),
            ),
            (
                "mana_upstream_invalid_total",
                "Invalid responses from a beacon upstream.",
                "counter",
                |u| i64::try_from(u.invalid).unwrap_or(i64::MAX),
            ),
            (
                "mana_upstream_bytes_total",
                "Bytes downloaded from a beacon upstream.",
                "counter",
                |u| i64::try_from(u.bytes_downloaded).unwrap_or(i64::MAX),
            ),
        ];
        for (name, help, kind, value) in series {
            out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
            for u in &upstreams {
                let url = u.url.replace('\\', "\\\\").replace('"', "\\\"");
                out.push_str(&format!("{name}{{upstream=\"{url}\"}} {}\n", value(u)));
            }
        }
        out
    }
}

/// Binds the endpoint now (so a busy port fails at startup) and serves it in the background.
pub(crate) async fn serve(addr: SocketAddr, metrics: Arc<Metrics>) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = Router::new().route(
        "/metrics",
        get(move || {
            let metrics = Arc::clone(&metrics);
            async move {
                ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], metrics.render())
                    .into_response()
            }
        }),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "metrics server stopped");
        }
    });
    Ok(bound)
}
