//! The crate's one error type.

use alloc::boxed::Box;
use alloc::string::String;

use alloy_primitives::{Address, B256, U256};

/// Result alias for this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Why execution data does not match a trusted block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `keccak256(rlp(header))` is not the trusted hash.
    #[error("block header hashes to {computed}, expected {expected}")]
    BlockHashMismatch {
        /// The trusted hash.
        expected: B256,
        /// What the served header hashes to.
        computed: B256,
    },
    /// A header in a parent chain does not link to the next one.
    #[error(
        "block {number} has parent hash {found}, but block {parent_number} hashes to {expected}"
    )]
    BrokenParentChain {
        /// The child's number.
        number: u64,
        /// Its `parentHash`.
        found: B256,
        /// The parent's number.
        parent_number: u64,
        /// What the parent actually hashes to.
        expected: B256,
    },
    /// The account proof does not prove the claimed account under the state root.
    #[error("account proof for {address} does not match state root {state_root}: {reason}")]
    InvalidAccountProof {
        /// The account.
        address: Address,
        /// The trusted state root.
        state_root: B256,
        /// What the trie verifier found.
        reason: String,
    },
    /// The storage proof does not prove the claimed value under the account's storage root.
    #[error(
        "storage proof for {} slot {} (value {}) does not match storage root {}: {}",
        .0.address, .0.slot, .0.value, .0.storage_root, .0.reason
    )]
    InvalidStorageProof(Box<StorageProofFailure>),
    /// The code does not hash to the account's proven code hash.
    #[error("code of {address} hashes to {computed}, the proven code hash is {expected}")]
    CodeHashMismatch {
        /// The account.
        address: Address,
        /// The proven code hash.
        expected: B256,
        /// The served code's hash.
        computed: B256,
    },
    /// The transactions do not build the header's transactions root.
    #[error("transactions build root {computed}, the header says {expected}")]
    TransactionsRootMismatch {
        /// `transactionsRoot` of the trusted header.
        expected: B256,
        /// Root of the served transactions.
        computed: B256,
    },
    /// The receipts do not build the header's receipts root.
    #[error("receipts build root {computed}, the header says {expected}")]
    ReceiptsRootMismatch {
        /// `receiptsRoot` of the trusted header.
        expected: B256,
        /// Root of the served receipts.
        computed: B256,
    },
    /// The withdrawals do not build the header's withdrawals root.
    #[error("withdrawals build root {computed}, the header says {expected}")]
    WithdrawalsRootMismatch {
        /// `withdrawalsRoot` of the trusted header.
        expected: B256,
        /// Root of the served withdrawals.
        computed: B256,
    },
    /// The body carries withdrawals although the header has no `withdrawalsRoot` (before
    /// Shanghai), or lacks them although the header has one.
    #[error(
        "the header {} a withdrawals root but the body {} withdrawals",
        if *in_header { "has" } else { "has no" },
        if *in_header { "has no" } else { "has" }
    )]
    WithdrawalsPresenceMismatch {
        /// Whether the trusted header commits to withdrawals.
        in_header: bool,
    },
    /// The ommer (uncle) headers do not hash to the header's `ommersHash`.
    #[error("ommers hash to {computed}, the header says {expected}")]
    OmmersHashMismatch {
        /// `ommersHash` (`sha3Uncles`) of the trusted header.
        expected: B256,
        /// Hash of the served ommer list.
        computed: B256,
    },
    /// A transaction's signature does not recover a valid signer.
    #[error("transaction {index}: signature does not recover a signer")]
    InvalidSignature {
        /// Position in the block.
        index: usize,
    },
}

/// The details of an [`Error::InvalidStorageProof`], boxed so that [`Error`] stays small (every
/// verifier returns it, on the hot path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageProofFailure {
    /// The account.
    pub address: Address,
    /// The slot.
    pub slot: B256,
    /// The claimed value.
    pub value: U256,
    /// The proven storage root of the account.
    pub storage_root: B256,
    /// What the trie verifier found.
    pub reason: String,
}
