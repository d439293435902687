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

pub mod bls;
mod error;
pub mod light_client;
pub mod merkle;
#[cfg(feature = "test-utils")]
pub mod testing;
pub mod types;

pub use error::{BlsError, Error, HeaderError, HeaderRole, Result};
pub use light_client::{
    Assurance, CommitteeProof, ForceUpdatePolicy, LightClient, LightClientBootstrap,
    LightClientFinalityUpdate, LightClientHeader, LightClientOptimisticUpdate, LightClientStore,
    LightClientUpdate, UpdateEffect,
};
pub use mana_primitives as primitives;

/// Committee size of the mainnet preset (`SYNC_COMMITTEE_SIZE`).
pub const MAINNET_SYNC_COMMITTEE_SIZE: usize = 512;
/// Committee size of the minimal preset.
pub const MINIMAL_SYNC_COMMITTEE_SIZE: usize = 32;
