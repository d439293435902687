//! Where trust in execution blocks comes from: the light client's verified beacon headers
//! (their `execution` payload headers) in production, injected block hashes in tests.

use std::sync::{Arc, Mutex, PoisonError};

use alloy_primitives::B256;

/// An execution block the verified chain vouches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedBlock {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
}

/// The verified heads the provider anchors every answer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrustedHeads {
    /// The newest verified block: the execution block of the newest header signed by at least
    /// 2/3 of its sync committee (the finalized block until such a header is seen).
    pub latest: Option<TrustedBlock>,
    /// The newest block known final. Also answers `safe`: a light client does not see
    /// justification, so `safe` is never newer than what is proven final. Never a header that
    /// a forced update applied.
    pub finalized: Option<TrustedBlock>,
    /// Unix time (ms) after which `latest` is too old to stand for the chain's current state:
    /// answers anchored to it are refused from then on. `None`: no limit.
    pub latest_expires_ms: Option<u64>,
    /// The lag allowed behind the wall clock that `latest_expires_ms` was computed with (ms),
    /// for error messages.
    pub latest_lag_limit_ms: u64,
    /// Why the heads are what they are (reported by `eth_syncing`).
    pub notes: HeadNotes,
}

/// Facts about [`TrustedHeads`] a user should be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeadNotes {
    /// No header newer than the finalized one was signed by 2/3 of its committee yet, so
    /// `latest` is the finalized block.
    pub latest_is_finalized: bool,
    /// The light client saw a newer header signed by fewer than 2/3 of the committee; it is
    /// not served.
    pub weak_optimistic_ignored: bool,
    /// Trust advanced by a forced update (a header that never reached finality); `finalized`
    /// stays at the last block that did.
    pub forced_update: bool,
}

/// A source of [`TrustedHeads`].
pub trait TrustedHeaders: Send + Sync {
    /// The current heads.
    fn heads(&self) -> TrustedHeads;
}

/// Heads shared between a producer (the light-client sync driver, or a test injecting hashes)
/// and the provider. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct SharedHeads(Arc<Mutex<TrustedHeads>>);

impl SharedHeads {
    /// Empty heads: nothing verified yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the heads.
    pub fn set(&self, heads: TrustedHeads) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = heads;
    }

    /// Sets `latest`, and `finalized` too when given.
    pub fn advance(&self, latest: TrustedBlock, finalized: Option<TrustedBlock>) {
        let mut heads = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        heads.latest = Some(latest);
        if finalized.is_some() {
            heads.finalized = finalized;
        }
    }
}

impl TrustedHeaders for SharedHeads {
    fn heads(&self) -> TrustedHeads {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
