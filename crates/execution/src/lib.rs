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

mod error;
pub mod header;
pub mod logs;
pub mod proof;
pub mod roots;

pub use alloy_consensus::Header;
pub use alloy_primitives::{Address, B256, Bloom, Bytes, U256};
pub use error::{Error, Result, StorageProofFailure};
pub use header::{verify_header, verify_parent_chain};
pub use logs::{LogFilter, bloom_may_match};
pub use proof::{Account, verify_account, verify_code, verify_storage};
pub use roots::{
    ommers_hash, receipts_root, transaction_hash, transactions_root, verify_ommers,
    verify_receipts, verify_transactions, verify_withdrawals, withdrawals_root,
};
