//! What the driver reports while it works.

use crate::B256;

/// Why an upstream lost health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// It did not answer usefully (down, timeout, error status, nothing to serve).
    Unavailable,
    /// It served data that failed decoding or verification.
    InvalidData,
    /// Its head lags the wall clock.
    Stale,
}

impl core::fmt::Display for Fault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Unavailable => "unavailable",
            Self::InvalidData => "served invalid data",
            Self::Stale => "stale",
        })
    }
}

/// A report from the [`crate::Syncer`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A store was built from a verified bootstrap of the trusted checkpoint.
    Bootstrapped {
        /// The checkpoint block root.
        root: B256,
        /// Its slot.
        slot: u64,
    },
    /// The persisted store was loaded; no checkpoint was needed.
    Resumed {
        /// Finalized slot of the store.
        finalized_slot: u64,
        /// Optimistic slot of the store.
        optimistic_slot: u64,
    },
    /// Catching up: the store is in `period`, the wall clock in `target_period`.
    SyncProgress {
        /// The store's period.
        period: u64,
        /// Period of the wall clock.
        target_period: u64,
        /// Periods left.
        remaining: u64,
    },
    /// The store reached the wall clock's period.
    CaughtUp {
        /// Finalized slot.
        finalized_slot: u64,
        /// Optimistic slot.
        optimistic_slot: u64,
    },
    /// A new finalized header was verified and persisted.
    Finalized {
        /// Beacon slot.
        slot: u64,
        /// Beacon block root.
        root: B256,
        /// Execution block number (0 before Capella).
        block_number: u64,
        /// Execution block hash (zero before Capella).
        block_hash: B256,
    },
    /// A new optimistic header was verified and persisted.
    Optimistic {
        /// Beacon slot.
        slot: u64,
        /// Beacon block root.
        root: B256,
        /// Execution block number (0 before Capella).
        block_number: u64,
    },
    /// The store moved to a new sync-committee period.
    PeriodRotated {
        /// The new period.
        period: u64,
    },
    /// A forced update (`process_light_client_store_force_update`) was applied: the header it
    /// trusts was never finalized.
    ForcedUpdate {
        /// The new finalized slot.
        slot: u64,
    },
    /// No header newer than `head_slot` for longer than the stale threshold.
    Stale {
        /// The optimistic head slot.
        head_slot: u64,
        /// The wall-clock slot.
        current_slot: u64,
    },
    /// The head is moving again after a stale period.
    Recovered {
        /// The optimistic head slot.
        head_slot: u64,
    },
    /// A poll failed as a whole (every upstream failed); it will be retried.
    Retrying {
        /// What failed.
        reason: String,
    },
    /// An upstream failed or misbehaved.
    UpstreamFault {
        /// The upstream's base URL.
        url: String,
        /// The kind of fault.
        fault: Fault,
        /// What happened.
        reason: String,
        /// Its health score afterwards.
        score: i64,
    },
}
