#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

extern crate alloc;

mod config;
mod error;
mod fork;
mod hash;
mod signing;
mod spec;
mod state_proof;

pub use config::{ConfigFile, ConfigValue};
pub use error::{Error, Result};
pub use fork::{BlobParameters, Fork, ForkSchedule};
pub use hash::{Sha256, sha256, sha256_pair};
pub use signing::{
    DOMAIN_BEACON_PROPOSER, DOMAIN_SYNC_COMMITTEE, Domain, DomainType, compute_domain,
    compute_fork_data_root, compute_signing_root,
};
pub use spec::{ChainSpec, Preset, PresetBase};
pub use state_proof::{Proven, StateProof};

/// A 32-byte SSZ root or hash (`Root`, `Bytes32`, `Hash32` in the specs).
pub type Root = [u8; 32];
/// A 4-byte fork version (`Version` in the specs).
pub type Version = [u8; 4];
/// A 4-byte fork digest (`ForkDigest` in the specs).
pub type ForkDigest = [u8; 4];
/// A beacon chain slot.
pub type Slot = u64;
/// A beacon chain epoch.
pub type Epoch = u64;
/// A sync-committee period.
pub type Period = u64;

/// `FAR_FUTURE_EPOCH` (phase0 constants): an epoch that never arrives; unscheduled forks use it.
pub const FAR_FUTURE_EPOCH: Epoch = u64::MAX;
