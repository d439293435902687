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
    /// The newest verified block: the light client's optimistic (attested) header.
    pub latest: Option<TrustedBlock>,
    /// The light client's finalized header. Also answers `safe`: a light client does not see
    /// justification, so `safe` is never newer than what is proven final.
    pub finalized: Option<TrustedBlock>,
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
