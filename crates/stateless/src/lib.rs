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

pub mod blockchain_test;
mod error;
pub mod execute;
pub mod mpt;
#[cfg(any(target_arch = "x86_64", target_arch = "wasm32"))]
mod precompiles;
pub mod rules;
pub mod state_proof;
pub mod witness;

pub use error::{BlockRule, Error, HeaderField, HeaderRule, Result, TxRule};
pub use execute::{Verdict, verify_block, verify_block_with_changes};
