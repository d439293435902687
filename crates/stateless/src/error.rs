//! The crate's one error type: a verdict naming the first failing check.

use alloc::string::String;

use alloy_primitives::B256;

/// Result alias for this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Why a block does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The witness cannot be decoded.
    #[error("malformed witness: {0}")]
    MalformedWitness(String),
    /// A trie node the verification needs is not in the witness (incomplete witness).
    #[error("witness lacks trie node {0}")]
    MissingNode(B256),
    /// A trie node in the witness is not a valid node.
    #[error("trie node {hash} is malformed: {reason}")]
    MalformedNode {
        /// `keccak256` of the node.
        hash: B256,
        /// What is wrong.
        reason: String,
    },
    /// A code the execution needs is not in the witness.
    #[error("witness lacks code {0}")]
    MissingCode(B256),
    /// The block's RLP encoding does not decode (or has trailing bytes): the block is invalid.
    #[error("malformed block: {0}")]
    MalformedBlock(String),
    /// `BLOCKHASH(n)` asked for an ancestor inside the 256-block window that the witness's
    /// verified header chain does not reach (incomplete witness, never answered with zero).
    #[error("witness lacks the ancestor header of block {0}")]
    MissingAncestor(u64),
    /// The block or its ancestors do not link to the trusted hash.
    #[error("header chain: {0}")]
    HeaderChain(String),
    /// A header rule fails.
    #[error("invalid header: {rule}: {detail}")]
    InvalidHeader {
        /// The rule (for example "base fee", "gas limit", "excess blob gas").
        rule: &'static str,
        /// The values involved.
        detail: String,
    },
    /// A transaction rule fails.
    #[error("invalid transaction {index}: {reason}")]
    InvalidTransaction {
        /// Position in the block.
        index: usize,
        /// The rule and values.
        reason: String,
    },
    /// A supplied signer public key (the optional EIP-8025 `public_keys` shortcut) is malformed,
    /// missing, extra, or does not match the transaction's signature. The transaction itself may
    /// be valid: the input is what is wrong, so a caller can retry without keys.
    #[error("public key {index}: {reason}")]
    BadPublicKey {
        /// Position of the transaction (or of the surplus key) in the block.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// A chain configuration cannot be built (unknown network name, inconsistent fork order,
    /// unusable blob schedule).
    #[error("invalid chain config: {0}")]
    InvalidConfig(String),
    /// The EVM could not execute the block.
    #[error("execution failed: {0}")]
    Execution(String),
    /// A post-execution value differs from the header.
    #[error("{field}: the header says {expected}, execution gives {computed}")]
    Mismatch {
        /// The header field (gas used, receipts root, logs bloom, requests hash, blob gas used,
        /// state root).
        field: &'static str,
        /// The header's value.
        expected: String,
        /// The recomputed value.
        computed: String,
    },
}
