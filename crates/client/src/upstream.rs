//! Several upstreams (Beacon APIs, execution JSON-RPC endpoints) with health scores and
//! failover.

use crate::events::Fault;
use crate::{BeaconApi, Error, HttpOptions, Result};

/// A client an [`UpstreamPool`] can hold.
pub trait Endpoint: Clone {
    /// The endpoint's URL.
    fn url(&self) -> &str;
    /// Response bytes downloaded from it so far.
    fn bytes_downloaded(&self) -> u64;
}

impl Endpoint for BeaconApi {
    fn url(&self) -> &str {
        BeaconApi::url(self)
    }

    fn bytes_downloaded(&self) -> u64 {
        BeaconApi::bytes_downloaded(self)
    }
}

/// Highest (and starting) score.
const MAX_SCORE: i64 = 100;
/// Lowest score: a misbehaving upstream recovers slowly but is never written off for good.
const MIN_SCORE: i64 = -500;
const SUCCESS_BONUS: i64 = 5;
const UNAVAILABLE_PENALTY: i64 = 20;
const STALE_PENALTY: i64 = 10;
const INVALID_PENALTY: i64 = 100;

/// Health of one upstream as seen from outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamStatus {
    /// Base URL.
    pub url: String,
    /// Score: 100 is perfect; below zero the upstream served invalid data recently.
    pub score: i64,
    /// Requests that produced usable data.
    pub successes: u64,
    /// Requests that failed (down, timeout, error status).
    pub failures: u64,
    /// Responses rejected as invalid.
    pub invalid: u64,
    /// Bytes downloaded from it.
    pub bytes_downloaded: u64,
    /// The most recent error.
    pub last_error: Option<String>,
}

#[derive(Debug, Clone)]
struct Member<A> {
    api: A,
    score: i64,
    successes: u64,
    failures: u64,
    invalid: u64,
    last_error: Option<String>,
}

/// Upstreams ordered by health (Beacon APIs unless said otherwise).
#[derive(Debug, Clone)]
pub struct UpstreamPool<A = BeaconApi> {
    upstreams: Vec<Member<A>>,
}

impl UpstreamPool<BeaconApi> {
    /// A pool of Beacon APIs at the given base URLs.
    pub fn new<I, U>(urls: I, options: &HttpOptions) -> Result<Self>
    where
        I: IntoIterator<Item = U>,
        U: AsRef<str>,
    {
        let apis = urls
            .into_iter()
            .map(|u| BeaconApi::new(u.as_ref(), options.clone()))
            .collect::<Result<Vec<_>>>()?;
        Self::from_endpoints(apis)
    }
}

impl<A: Endpoint> UpstreamPool<A> {
    /// A pool over `endpoints`, all starting healthy; at least one is required.
    pub fn from_endpoints(endpoints: Vec<A>) -> Result<Self> {
        if endpoints.is_empty() {
            return Err(Error::NoUpstreams);
        }
        let upstreams = endpoints
            .into_iter()
            .map(|api| Member {
                api,
                score: MAX_SCORE,
                successes: 0,
                failures: 0,
                invalid: 0,
                last_error: None,
            })
            .collect();
        Ok(Self { upstreams })
    }

    /// Upstream indices, healthiest first (ties keep configuration order).
    pub(crate) fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.upstreams.len()).collect();
        order.sort_by_key(|&i| {
            std::cmp::Reverse(self.upstreams.get(i).map_or(MIN_SCORE, |u| u.score))
        });
        order
    }

    /// The client of upstream `index`.
    pub(crate) fn api(&self, index: usize) -> Option<A> {
        self.upstreams.get(index).map(|u| u.api.clone())
    }

    /// Records a useful answer.
    pub(crate) fn succeeded(&mut self, index: usize) {
        if let Some(u) = self.upstreams.get_mut(index) {
            u.successes = u.successes.saturating_add(1);
            u.score = u.score.saturating_add(SUCCESS_BONUS).min(MAX_SCORE);
        }
    }

    /// Records a fault; returns `(url, fault, new score)` for reporting.
    pub(crate) fn penalise(&mut self, index: usize, error: &Error) -> Option<(String, Fault, i64)> {
        let fault = if error.is_invalid_data() { Fault::InvalidData } else { Fault::Unavailable };
        self.record(index, fault, error.to_string())
    }

    /// Records that an upstream's head lags.
    pub(crate) fn stale(&mut self, index: usize, reason: String) -> Option<(String, Fault, i64)> {
        self.record(index, Fault::Stale, reason)
    }

    fn record(
        &mut self,
        index: usize,
        fault: Fault,
        reason: String,
    ) -> Option<(String, Fault, i64)> {
        let u = self.upstreams.get_mut(index)?;
        let penalty = match fault {
            Fault::InvalidData => {
                u.invalid = u.invalid.saturating_add(1);
                INVALID_PENALTY
            }
            Fault::Unavailable => {
                u.failures = u.failures.saturating_add(1);
                UNAVAILABLE_PENALTY
            }
            Fault::Stale => STALE_PENALTY,
        };
        u.score = u.score.saturating_sub(penalty).max(MIN_SCORE);
        u.last_error = Some(reason);
        Some((u.api.url().to_string(), fault, u.score))
    }

    /// Health of every upstream, in configuration order.
    pub fn status(&self) -> Vec<UpstreamStatus> {
        self.upstreams
            .iter()
            .map(|u| UpstreamStatus {
                url: u.api.url().to_string(),
                score: u.score,
                successes: u.successes,
                failures: u.failures,
                invalid: u.invalid,
                bytes_downloaded: u.api.bytes_downloaded(),
                last_error: u.last_error.clone(),
            })
            .collect()
    }

    /// Bytes downloaded from all upstreams.
    pub fn bytes_downloaded(&self) -> u64 {
        self.upstreams.iter().map(|u| u.api.bytes_downloaded()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_reorder_the_pool() {
        let mut pool =
            UpstreamPool::new(["http://a", "http://b", "http://c"], &HttpOptions::default())
                .unwrap();
        assert_eq!(pool.order(), vec![0, 1, 2]);
        let down = Error::Http { url: "http://a".into(), reason: "refused".into() };
        let (_, fault, score) = pool.penalise(0, &down).unwrap();
        assert_eq!((fault, score), (Fault::Unavailable, 80));
        assert_eq!(pool.order(), vec![1, 2, 0]);
        let invalid = Error::Verify(mana_consensus::Error::InvalidFinalityBranch);
        let (_, fault, score) = pool.penalise(1, &invalid).unwrap();
        assert_eq!((fault, score), (Fault::InvalidData, 0));
        assert_eq!(pool.order(), vec![2, 0, 1]);
        pool.succeeded(0);
        assert_eq!(pool.status()[0].score, 85);
        assert_eq!(pool.status()[1].invalid, 1);
        assert!(UpstreamPool::new(Vec::<String>::new(), &HttpOptions::default()).is_err());
        assert!(UpstreamPool::new(["ftp://x"], &HttpOptions::default()).is_err());
    }

    #[test]
    fn benign_rejections_are_not_invalid_data() {
        let old = Error::Verify(mana_consensus::Error::NotRelevant {
            attested_slot: 1,
            store_finalized_slot: 2,
        });
        assert!(!old.is_invalid_data());
        assert!(
            Error::Verify(mana_consensus::Error::InvalidNextSyncCommitteeBranch).is_invalid_data()
        );
        assert!(Error::Oversized { url: String::new(), limit: 1 }.is_invalid_data());
        assert!(!Error::Timeout { url: String::new(), timeout_ms: 1 }.is_invalid_data());
    }
}
