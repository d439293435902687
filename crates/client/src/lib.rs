#![doc = include_str!("../README.md")]
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

mod beacon;
pub mod checkpoint;
mod clock;
mod error;
mod events;
pub mod execution;
mod http;
mod json;
mod persist;
mod sync;
mod upstream;

pub use beacon::{BeaconApi, HttpOptions};
pub use clock::{Clock, SystemClock, sleep};
pub use error::{Error, Result};
pub use events::{Event, Fault};
pub use persist::{
    PersistedLightClient, STORE_KEY, STORE_SCHEMA_VERSION, load_persisted, persisted_committee_size,
};
pub use sync::{SyncConfig, SyncStats, SyncStatus, Syncer};
pub use upstream::{Endpoint, UpstreamPool, UpstreamStatus};

pub use mana_consensus::types::common::B256;
