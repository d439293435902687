//! The crate's error type, a verdict naming the first failing check, and the typed rules a
//! block can break: [`HeaderRule`] (header and body), [`TxRule`] (one transaction),
//! [`BlockRule`] (block-level execution) and the [`HeaderField`] a post-execution
//! [`Error::Mismatch`] names. Each keeps the values involved as fields, so a caller (a
//! conformance runner, a host reporting a verdict) can tell which rule failed without reading
//! text.

use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;

use alloy_consensus::{Transaction, TxEnvelope};
use alloy_eips::eip2935::HISTORY_STORAGE_ADDRESS;
use alloy_eips::eip4788::BEACON_ROOTS_ADDRESS;
use alloy_eips::eip7002::WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS;
use alloy_eips::eip7251::CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS;
use alloy_evm::block::{BlockExecutionError, BlockValidationError};
use alloy_primitives::{Address, B64, B256, U256};
use revm::context_interface::result::InvalidTransaction;

use crate::rules::Fork;

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
    /// A code the execution needs cannot be loaded: it starts with the EIP-7702 delegation
    /// prefix `0xef01` but is not a well-formed designator (`0xef0100` followed by a 20-byte
    /// address). No valid state holds such code (EIP-3541 refuses new code starting with `0xef`),
    /// so the pre-state the witness proves is not one the chain can have reached.
    #[error("code {hash} is malformed: {reason}")]
    MalformedCode {
        /// `keccak256` of the code.
        hash: B256,
        /// What is wrong.
        reason: String,
    },
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
    /// A header or body rule fails (checklist B.7–B.11): the header against its parent and its
    /// fork, or the body against the header's commitments.
    #[error("invalid header: {0}")]
    InvalidHeader(HeaderRule),
    /// A transaction rule fails: one that needs no state (checklist B.12, checked before
    /// execution) or one the EVM checks against the state (nonce, balance, sender code).
    #[error("invalid transaction {index}: {rule}{}", sender_note(*.sender))]
    InvalidTransaction {
        /// Position in the block.
        index: usize,
        /// The recovered sender, when recovery got that far.
        sender: Option<Address>,
        /// The rule and the values involved.
        rule: TxRule,
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
    /// A block-level rule of execution fails (checklist C): a system contract call, the gas the
    /// block has left for a transaction, the layout of deposit events.
    #[error("invalid block: {0}")]
    InvalidBlock(BlockRule),
    /// The EVM could not execute the block, for a reason none of the typed rules names (the
    /// executor's own message).
    #[error("execution failed: {0}")]
    Execution(String),
    /// A post-execution value differs from the header (checklist D).
    #[error("{field}: the header says {expected}, execution gives {computed}")]
    Mismatch {
        /// The header field: gas used, receipts root, logs bloom, requests hash, blob gas used
        /// or state root.
        field: HeaderField,
        /// The header's value.
        expected: String,
        /// The recomputed value.
        computed: String,
    },
}

/// `" (sender 0x…)"` when the sender is known.
fn sender_note(sender: Option<Address>) -> String {
    sender.map(|s| format!(" (sender {s})")).unwrap_or_default()
}

/// A header field a rule or a post-execution comparison names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderField {
    /// `base_fee_per_gas` (EIP-1559).
    BaseFee,
    /// `gas_used`.
    GasUsed,
    /// `receipts_root`.
    ReceiptsRoot,
    /// `logs_bloom`.
    LogsBloom,
    /// `state_root`.
    StateRoot,
    /// `withdrawals_root` (EIP-4895).
    WithdrawalsRoot,
    /// `blob_gas_used` (EIP-4844).
    BlobGasUsed,
    /// `excess_blob_gas` (EIP-4844).
    ExcessBlobGas,
    /// `parent_beacon_block_root` (EIP-4788).
    ParentBeaconBlockRoot,
    /// `requests_hash` (EIP-7685).
    RequestsHash,
    /// `block_access_list_hash` (EIP-7928, Amsterdam).
    BlockAccessListHash,
    /// `slot_number` (Amsterdam).
    SlotNumber,
}

impl HeaderField {
    /// The field's name in words ("gas used", "receipts root", …).
    pub const fn name(self) -> &'static str {
        match self {
            Self::BaseFee => "base fee",
            Self::GasUsed => "gas used",
            Self::ReceiptsRoot => "receipts root",
            Self::LogsBloom => "logs bloom",
            Self::StateRoot => "state root",
            Self::WithdrawalsRoot => "withdrawals root",
            Self::BlobGasUsed => "blob gas used",
            Self::ExcessBlobGas => "excess blob gas",
            Self::ParentBeaconBlockRoot => "parent beacon block root",
            Self::RequestsHash => "requests hash",
            Self::BlockAccessListHash => "block access list hash",
            Self::SlotNumber => "slot number",
        }
    }
}

impl fmt::Display for HeaderField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A header or body rule that fails, with the values involved. [`HeaderRule::name`] is the
/// rule in words; the display is `<name>: <values>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderRule {
    /// The block's fork is recognised but not verified yet (Amsterdam).
    #[error("fork: {fork} (timestamp {timestamp}) is not supported yet")]
    UnsupportedFork {
        /// The fork active at the block's timestamp.
        fork: Fork,
        /// The block's timestamp.
        timestamp: u64,
    },
    /// EIP-3675: the difficulty is not 0 after the merge.
    #[error("difficulty: {0} is not 0")]
    Difficulty(U256),
    /// EIP-3675: the nonce is not 0 after the merge.
    #[error("nonce: {0} is not 0")]
    Nonce(B64),
    /// EIP-3675: the ommers hash is not the empty list's hash, or not the hash of the body's
    /// ommers.
    #[error("ommers hash: the header says {header}, expected {expected}")]
    OmmersHash {
        /// The header's ommers hash.
        header: B256,
        /// The empty list's hash, or the body's ommers' hash.
        expected: B256,
    },
    /// EIP-3675: the body carries ommers after the merge.
    #[error("ommers: {0} ommers after the merge (EIP-3675)")]
    Ommers(usize),
    /// Yellow Paper §4.3.4: `extra_data` is longer than 32 bytes.
    #[error("extra data: {0} bytes, at most 32")]
    ExtraDataTooLong(usize),
    /// The parent hash is not the verified parent's hash.
    #[error("parent hash: {parent_hash} is not the parent's hash {expected}")]
    ParentHash {
        /// The header's parent hash.
        parent_hash: B256,
        /// The verified parent's hash.
        expected: B256,
    },
    /// The number is not the parent's plus one.
    #[error("number: {number} does not follow the parent's {parent}")]
    Number {
        /// The header's number.
        number: u64,
        /// The parent's number.
        parent: u64,
    },
    /// The timestamp is not after the parent's.
    #[error("timestamp: {timestamp} is not after the parent's {parent}")]
    Timestamp {
        /// The header's timestamp.
        timestamp: u64,
        /// The parent's timestamp.
        parent: u64,
    },
    /// `gas_used` exceeds `gas_limit`.
    #[error("gas used: {gas_used} exceeds the gas limit {gas_limit}")]
    GasUsedAboveLimit {
        /// The header's gas used.
        gas_used: u64,
        /// The header's gas limit.
        gas_limit: u64,
    },
    /// The gas limit exceeds `2^63 - 1` (geth `params.MaxGasLimit`).
    #[error("gas limit: {0} exceeds 2^63 - 1")]
    GasLimitTooHigh(u64),
    /// Yellow Paper §4.3.4: the gas limit moves by `parent / 1024` or more.
    #[error(
        "gas limit: {gas_limit} moves {} from the parent's {parent_gas_limit}, less than {bound} \
         allowed",
        .gas_limit.abs_diff(*.parent_gas_limit)
    )]
    GasLimitChange {
        /// The header's gas limit.
        gas_limit: u64,
        /// The parent's gas limit.
        parent_gas_limit: u64,
        /// `parent_gas_limit / 1024`: the change must stay below it.
        bound: u64,
    },
    /// Yellow Paper §4.3.4: the gas limit is below 5000.
    #[error("gas limit: {0} is below the minimum 5000")]
    GasLimitTooLow(u64),
    /// EIP-1559: the base fee is not the one the parent gives.
    #[error("base fee: {got:?}, the parent gives {expected} (EIP-1559)")]
    BaseFee {
        /// The header's base fee.
        got: Option<u64>,
        /// The base fee computed from the parent.
        expected: u64,
    },
    /// EIP-1559: the parent has no base fee to derive the child's from.
    #[error("base fee: the parent has no base fee")]
    ParentWithoutBaseFee,
    /// EIP-1559: the parent's gas target (`gas_limit / 2`) is 0.
    #[error("base fee: the parent's gas target is 0")]
    ZeroGasTarget,
    /// EIP-1559: the next base fee does not fit in 64 bits.
    #[error("base fee: the next base fee overflows 64 bits")]
    BaseFeeOverflow,
    /// A field is present before the fork that adds it.
    #[error("{field}: present before its fork ({fork})")]
    FieldBeforeFork {
        /// The field.
        field: HeaderField,
        /// The fork active at the block's timestamp.
        fork: Fork,
    },
    /// A field the active fork requires is missing.
    #[error("{field}: missing in a {fork} header")]
    FieldMissing {
        /// The field.
        field: HeaderField,
        /// The fork active at the block's timestamp.
        fork: Fork,
    },
    /// The configuration has no blob schedule at a Cancun-or-later timestamp.
    #[error("blob schedule: none at timestamp {0}")]
    NoBlobSchedule(u64),
    /// EIP-4844: a Cancun parent lacks `blob_gas_used` or `excess_blob_gas`.
    #[error("excess blob gas: the parent lacks its blob gas fields")]
    ParentBlobFields,
    /// EIP-4844: the excess blob gas computation overflows 64 bits.
    #[error("excess blob gas: blob gas arithmetic overflows")]
    BlobGasOverflow,
    /// EIP-4844: `blob_gas_used` is not a multiple of `GAS_PER_BLOB` (2^17).
    #[error("blob gas used: {0} is not a multiple of 131072 (EIP-4844)")]
    BlobGasUsedNotMultiple(u64),
    /// EIP-4844, EIP-7691, EIP-7892: the block's blob gas exceeds the schedule's maximum.
    #[error("blob gas used: {blob_gas_used} exceeds the block maximum {max}")]
    BlobGasUsedAboveMax {
        /// The block's blob gas (header, or the blobs of its transactions).
        blob_gas_used: u64,
        /// `max_blob_count · GAS_PER_BLOB` at the block's timestamp.
        max: u64,
    },
    /// EIP-4844: `blob_gas_used` is not `GAS_PER_BLOB` times the blobs of the transactions.
    #[error("blob gas used: the header says {header:?}, the transactions carry {blobs} blobs")]
    BlobGasUsed {
        /// The header's blob gas used.
        header: Option<u64>,
        /// Blobs carried by the block's transactions.
        blobs: u64,
    },
    /// EIP-4844, EIP-7918: `excess_blob_gas` is not the one the parent gives.
    #[error("excess blob gas: {got:?}, the parent gives {expected}")]
    ExcessBlobGas {
        /// The header's excess blob gas.
        got: Option<u64>,
        /// The excess blob gas computed from the parent.
        expected: u64,
    },
    /// EIP-7934 (Osaka): the RLP-encoded block is larger than allowed.
    #[error("block size: RLP block of {size} bytes, at most {max} (EIP-7934)")]
    BlockTooLarge {
        /// The RLP-encoded block's size.
        size: usize,
        /// `MAX_RLP_BLOCK_SIZE`.
        max: usize,
    },
    /// The transactions root is not the root of the body's transactions.
    #[error("transactions root: the header says {header}, the body gives {computed}")]
    TransactionsRoot {
        /// The header's transactions root.
        header: B256,
        /// The root of the body's transactions.
        computed: B256,
    },
    /// EIP-4895: the withdrawals root is not the root of the body's withdrawals.
    #[error("withdrawals root: the header says {header}, the body gives {computed}")]
    WithdrawalsRoot {
        /// The header's withdrawals root.
        header: B256,
        /// The root of the body's withdrawals.
        computed: B256,
    },
    /// EIP-4895: the withdrawals root and list must both be present from Shanghai on and both
    /// absent before.
    #[error(
        "withdrawals root: {fork} block with the withdrawals root {} and the list {} (EIP-4895: \
         both from Shanghai on, neither before)",
        presence(*.root),
        presence(*.list)
    )]
    Withdrawals {
        /// The fork active at the block's timestamp.
        fork: Fork,
        /// The header has a withdrawals root.
        root: bool,
        /// The body has a withdrawals list.
        list: bool,
    },
}

const fn presence(present: bool) -> &'static str {
    if present { "present" } else { "absent" }
}

impl HeaderRule {
    /// The rule in words ("base fee", "gas limit", "withdrawals root", …): the field or the
    /// check it is about, the same for every variant of one check.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::UnsupportedFork { .. } => "fork",
            Self::Difficulty(_) => "difficulty",
            Self::Nonce(_) => "nonce",
            Self::OmmersHash { .. } => "ommers hash",
            Self::Ommers(_) => "ommers",
            Self::ExtraDataTooLong(_) => "extra data",
            Self::ParentHash { .. } => "parent hash",
            Self::Number { .. } => "number",
            Self::Timestamp { .. } => "timestamp",
            Self::GasUsedAboveLimit { .. } => "gas used",
            Self::GasLimitTooHigh(_) | Self::GasLimitChange { .. } | Self::GasLimitTooLow(_) => {
                "gas limit"
            }
            Self::BaseFee { .. }
            | Self::ParentWithoutBaseFee
            | Self::ZeroGasTarget
            | Self::BaseFeeOverflow => "base fee",
            Self::FieldBeforeFork { field, .. } | Self::FieldMissing { field, .. } => field.name(),
            Self::NoBlobSchedule(_) => "blob schedule",
            Self::ParentBlobFields | Self::BlobGasOverflow | Self::ExcessBlobGas { .. } => {
                "excess blob gas"
            }
            Self::BlobGasUsedNotMultiple(_)
            | Self::BlobGasUsedAboveMax { .. }
            | Self::BlobGasUsed { .. } => "blob gas used",
            Self::BlockTooLarge { .. } => "block size",
            Self::TransactionsRoot { .. } => "transactions root",
            Self::WithdrawalsRoot { .. } | Self::Withdrawals { .. } => "withdrawals root",
        }
    }
}

/// A transaction rule that fails, with the values involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TxRule {
    /// The transaction type is not active at the block's fork: blob transactions (type 3) from
    /// Cancun (EIP-4844), set-code transactions (type 4) from Prague (EIP-7702).
    #[error("type: type-{tx_type} transaction before its fork ({fork})")]
    TypeBeforeFork {
        /// The EIP-2718 type.
        tx_type: u8,
        /// The fork active at the block's timestamp.
        fork: Fork,
    },
    /// EIP-4844: a blob transaction in its network form (with the sidecar) inside a block.
    #[error("type: blob transaction in network form (with sidecar) inside a block")]
    BlobSidecar,
    /// EIP-155: the chain id is not the chain's.
    #[error("chain id: {got}, the chain is {expected}")]
    ChainId {
        /// The transaction's chain id.
        got: u64,
        /// The chain's.
        expected: u64,
    },
    /// EIP-2: the signature's `s` is above `secp256k1n / 2`.
    #[error("signature: s above secp256k1n/2 (EIP-2)")]
    HighS,
    /// No sender recovers from the signature.
    #[error("signature: no sender recovers from it")]
    Signature,
    /// EIP-2681: the nonce is `2^64 - 1`.
    #[error("nonce: 2^64 - 1 (EIP-2681)")]
    NonceMax,
    /// The nonce is below the sender's account nonce.
    #[error("nonce: {tx} is below the sender's {state}")]
    NonceTooLow {
        /// The transaction's nonce.
        tx: u64,
        /// The sender's account nonce.
        state: u64,
    },
    /// The nonce is above the sender's account nonce.
    #[error("nonce: {tx} is above the sender's {state}")]
    NonceTooHigh {
        /// The transaction's nonce.
        tx: u64,
        /// The sender's account nonce.
        state: u64,
    },
    /// EIP-3607: the sender has code that is not an EIP-7702 delegation.
    #[error("sender: has code that is not an EIP-7702 delegation (EIP-3607)")]
    SenderNotEoa,
    /// The sender's balance does not cover `gas_limit · max_fee + value` (plus the blob fee).
    #[error("balance: {balance} does not cover {cost}")]
    InsufficientFunds {
        /// What the transaction may cost at most.
        cost: U256,
        /// The sender's balance.
        balance: U256,
    },
    /// The gas limit exceeds the block's gas limit.
    #[error("gas limit: {gas_limit} exceeds the block gas limit {block_gas_limit}")]
    GasLimitAboveBlock {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The block's gas limit.
        block_gas_limit: u64,
    },
    /// EIP-7825 (Osaka): the gas limit exceeds `2^24`.
    #[error("gas limit: {gas_limit} exceeds the cap {cap} (EIP-7825)")]
    GasLimitAboveCap {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The cap.
        cap: u64,
    },
    /// EIP-3860 (Shanghai): the initcode of a creation is longer than 49,152 bytes.
    #[error("initcode: {size} bytes, at most 49152 (EIP-3860)")]
    InitcodeTooLarge {
        /// The initcode's length.
        size: usize,
    },
    /// The gas limit is below the intrinsic gas.
    #[error("intrinsic gas: gas limit {gas_limit} below {intrinsic}")]
    IntrinsicGas {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The intrinsic gas.
        intrinsic: u64,
    },
    /// EIP-7623 (Prague): the gas limit is below the calldata floor.
    #[error("calldata floor: gas limit {gas_limit} below {floor} (EIP-7623)")]
    CalldataFloor {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// The floor.
        floor: u64,
    },
    /// EIP-1559: `max_fee_per_gas` is below the block's base fee.
    #[error("max fee: {max_fee} below the base fee {base_fee}")]
    MaxFeeBelowBaseFee {
        /// The transaction's max fee per gas.
        max_fee: u128,
        /// The block's base fee.
        base_fee: u64,
    },
    /// EIP-1559: `max_priority_fee_per_gas` is above `max_fee_per_gas`.
    #[error("priority fee: {priority_fee} above the max fee {max_fee}")]
    PriorityAboveMaxFee {
        /// The transaction's max priority fee per gas.
        priority_fee: u128,
        /// The transaction's max fee per gas.
        max_fee: u128,
    },
    /// EIP-4844: a blob transaction without blobs.
    #[error("blobs: a blob transaction without blobs")]
    NoBlobs,
    /// EIP-4844: a versioned hash whose version byte is not `0x01`.
    #[error("blobs: versioned hash {0} is not version 0x01")]
    BlobVersion(B256),
    /// EIP-7594 (Osaka): more blobs than one transaction may carry.
    #[error("blobs: {count} blobs, at most {max} per transaction")]
    TooManyBlobs {
        /// The transaction's blobs.
        count: u64,
        /// The per-transaction limit.
        max: u64,
    },
    /// EIP-4844, EIP-7691: more blobs than the whole block may carry.
    #[error("blobs: {count} blobs, at most {max} per block")]
    BlobsAboveBlockMax {
        /// The transaction's blobs.
        count: u64,
        /// The block's limit.
        max: u64,
    },
    /// EIP-4844: `max_fee_per_blob_gas` is below the block's blob base fee.
    #[error(
        "blob fee: max fee per blob gas {max_fee_per_blob_gas} below the blob base fee \
         {blob_base_fee}"
    )]
    BlobFeeTooLow {
        /// The transaction's max fee per blob gas.
        max_fee_per_blob_gas: u128,
        /// The block's blob base fee.
        blob_base_fee: u128,
    },
    /// EIP-7702: a set-code transaction with an empty authorization list.
    #[error("authorizations: empty authorization list (EIP-7702)")]
    EmptyAuthorizationList,
}

/// A block-level rule of execution that fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlockRule {
    /// A transaction's gas limit exceeds the gas the block has left after the transactions
    /// before it (the executor reports no transaction index).
    #[error("a transaction's gas limit {gas_limit} exceeds the {available} gas the block has left")]
    GasAllowanceExceeded {
        /// The transaction's gas limit.
        gas_limit: u64,
        /// `block.gas_limit` minus the gas used before it.
        available: u64,
    },
    /// EIP-7002, EIP-7251: a request contract the block must call at its end has no code.
    #[error("system contract {address} has no code")]
    SystemContractEmpty {
        /// The contract.
        address: Address,
    },
    /// A system call fails (reverts, halts, or cannot run): the EIP-4788 beacon-roots or
    /// EIP-2935 history call before the transactions, the EIP-7002 or EIP-7251 request calls
    /// after them.
    #[error("system contract {address} call failed: {reason}")]
    SystemContractCall {
        /// The contract.
        address: Address,
        /// The executor's account of the failure.
        reason: String,
    },
    /// EIP-6110: a `DepositEvent` log of the deposit contract does not have the layout the
    /// contract emits.
    #[error("deposit event layout: {0}")]
    DepositEventLayout(String),
}

impl Error {
    /// The typed error for a failure of the block executor: a transaction the EVM refuses
    /// against the state (located by its hash among `transactions`, whose recovered `senders`
    /// are in the same order), a failing system call, the gas the block has left, a deposit log
    /// that does not decode; anything else is [`Error::Execution`] with the executor's message.
    pub(crate) fn from_block_execution(
        error: &BlockExecutionError,
        transactions: &[TxEnvelope],
        senders: &[Address],
    ) -> Self {
        let other = || Self::Execution(error.to_string());
        let Some(validation) = error.as_validation() else { return other() };
        let system = |address: Address, reason: &String| {
            Self::InvalidBlock(BlockRule::SystemContractCall { address, reason: reason.clone() })
        };
        match validation {
            BlockValidationError::InvalidTx { hash, error: tx_error } => {
                let Some(index) = transactions.iter().position(|tx| tx.tx_hash() == hash) else {
                    return other();
                };
                let rule =
                    tx_error.as_invalid_tx_err().and_then(|e| tx_rule(e, transactions.get(index)?));
                match rule {
                    Some(rule) => Self::InvalidTransaction {
                        index,
                        sender: senders.get(index).copied(),
                        rule,
                    },
                    None => other(),
                }
            }
            BlockValidationError::TransactionGasLimitMoreThanAvailableBlockGas {
                transaction_gas_limit,
                block_available_gas,
            } => Self::InvalidBlock(BlockRule::GasAllowanceExceeded {
                gas_limit: *transaction_gas_limit,
                available: *block_available_gas,
            }),
            BlockValidationError::BeaconRootContractCall { message, .. } => {
                system(BEACON_ROOTS_ADDRESS, message)
            }
            BlockValidationError::BlockHashContractCall { message } => {
                system(HISTORY_STORAGE_ADDRESS, message)
            }
            BlockValidationError::WithdrawalRequestsContractCall { message } => {
                system(WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS, message)
            }
            BlockValidationError::ConsolidationRequestsContractCall { message } => {
                system(CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS, message)
            }
            BlockValidationError::DepositRequestDecode(message) => {
                Self::InvalidBlock(BlockRule::DepositEventLayout(message.clone()))
            }
            _ => other(),
        }
    }
}

/// The rule behind a transaction the EVM refuses, for the refusals Mana's static checks do not
/// make first (those depend on the state); `None` for the others.
fn tx_rule(error: &InvalidTransaction, transaction: &TxEnvelope) -> Option<TxRule> {
    Some(match error {
        InvalidTransaction::NonceTooLow { tx, state } => {
            TxRule::NonceTooLow { tx: *tx, state: *state }
        }
        InvalidTransaction::NonceTooHigh { tx, state } => {
            TxRule::NonceTooHigh { tx: *tx, state: *state }
        }
        InvalidTransaction::NonceOverflowInTransaction => TxRule::NonceMax,
        InvalidTransaction::RejectCallerWithCode => TxRule::SenderNotEoa,
        InvalidTransaction::LackOfFundForMaxFee { fee, balance } => {
            TxRule::InsufficientFunds { cost: **fee, balance: **balance }
        }
        InvalidTransaction::CallGasCostMoreThanGasLimit { initial_gas, gas_limit } => {
            TxRule::IntrinsicGas { gas_limit: *gas_limit, intrinsic: *initial_gas }
        }
        InvalidTransaction::GasFloorMoreThanGasLimit { gas_floor, gas_limit } => {
            TxRule::CalldataFloor { gas_limit: *gas_limit, floor: *gas_floor }
        }
        InvalidTransaction::TxGasLimitGreaterThanCap { gas_limit, cap } => {
            TxRule::GasLimitAboveCap { gas_limit: *gas_limit, cap: *cap }
        }
        InvalidTransaction::CreateInitCodeSizeLimit => {
            TxRule::InitcodeTooLarge { size: transaction.input().len() }
        }
        InvalidTransaction::PriorityFeeGreaterThanMaxFee => TxRule::PriorityAboveMaxFee {
            priority_fee: transaction.max_priority_fee_per_gas()?,
            max_fee: transaction.max_fee_per_gas(),
        },
        InvalidTransaction::BlobGasPriceGreaterThanMax {
            block_blob_gas_price,
            tx_max_fee_per_blob_gas,
        } => TxRule::BlobFeeTooLow {
            max_fee_per_blob_gas: *tx_max_fee_per_blob_gas,
            blob_base_fee: *block_blob_gas_price,
        },
        InvalidTransaction::EmptyBlobs => TxRule::NoBlobs,
        InvalidTransaction::TooManyBlobs { max, have } => TxRule::TooManyBlobs {
            count: u64::try_from(*have).unwrap_or(u64::MAX),
            max: u64::try_from(*max).unwrap_or(u64::MAX),
        },
        InvalidTransaction::EmptyAuthorizationList => TxRule::EmptyAuthorizationList,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use alloc::boxed::Box;
    use alloc::vec;
    use alloc::vec::Vec;

    use alloy_consensus::{Signed, TxLegacy};
    use alloy_primitives::Signature;

    use super::*;

    fn transactions() -> Vec<TxEnvelope> {
        (0..3u64)
            .map(|nonce| {
                let tx = TxLegacy { nonce, gas_limit: 21_000, ..TxLegacy::default() };
                let signature = Signature::new(U256::from(1), U256::from(1), false);
                TxEnvelope::Legacy(Signed::new_unhashed(tx, signature))
            })
            .collect()
    }

    fn invalid_tx(hash: B256, error: InvalidTransaction) -> BlockExecutionError {
        BlockValidationError::InvalidTx { hash, error: Box::new(error) }.into()
    }

    #[test]
    fn executor_failures_become_typed_rules() {
        let txs = transactions();
        let senders =
            vec![Address::repeat_byte(1), Address::repeat_byte(2), Address::repeat_byte(3)];
        let convert = |e: &BlockExecutionError| Error::from_block_execution(e, &txs, &senders);

        let low =
            invalid_tx(*txs[1].tx_hash(), InvalidTransaction::NonceTooLow { tx: 1, state: 2 });
        assert_eq!(
            convert(&low),
            Error::InvalidTransaction {
                index: 1,
                sender: Some(Address::repeat_byte(2)),
                rule: TxRule::NonceTooLow { tx: 1, state: 2 },
            }
        );
        let funds = invalid_tx(
            *txs[2].tx_hash(),
            InvalidTransaction::LackOfFundForMaxFee {
                fee: Box::new(U256::from(10)),
                balance: Box::new(U256::from(9)),
            },
        );
        assert!(matches!(
            convert(&funds),
            Error::InvalidTransaction { index: 2, rule: TxRule::InsufficientFunds { .. }, .. }
        ));
        // A hash that is not the block's, or a refusal without a typed rule: the message.
        let stranger = invalid_tx(B256::repeat_byte(9), InvalidTransaction::RejectCallerWithCode);
        assert!(matches!(convert(&stranger), Error::Execution(_)));
        let untyped = invalid_tx(*txs[0].tx_hash(), InvalidTransaction::MissingChainId);
        assert!(matches!(convert(&untyped), Error::Execution(_)));

        let gas: BlockExecutionError =
            BlockValidationError::TransactionGasLimitMoreThanAvailableBlockGas {
                transaction_gas_limit: 30,
                block_available_gas: 20,
            }
            .into();
        assert_eq!(
            convert(&gas),
            Error::InvalidBlock(BlockRule::GasAllowanceExceeded { gas_limit: 30, available: 20 })
        );
        let call: BlockExecutionError = BlockValidationError::ConsolidationRequestsContractCall {
            message: "execution reverted".into(),
        }
        .into();
        assert!(matches!(
            convert(&call),
            Error::InvalidBlock(BlockRule::SystemContractCall { address, .. })
                if address == CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS
        ));
        let deposit: BlockExecutionError =
            BlockValidationError::DepositRequestDecode("offset".into()).into();
        assert!(matches!(convert(&deposit), Error::InvalidBlock(BlockRule::DepositEventLayout(_))));
        assert!(matches!(convert(&BlockExecutionError::msg("internal")), Error::Execution(_)));
    }

    #[test]
    fn a_header_rule_displays_its_name_first() {
        let rules = [
            HeaderRule::GasLimitChange { gas_limit: 10, parent_gas_limit: 2048, bound: 2 },
            HeaderRule::FieldMissing { field: HeaderField::RequestsHash, fork: Fork::Prague },
            HeaderRule::Withdrawals { fork: Fork::Paris, root: true, list: false },
            HeaderRule::BaseFeeOverflow,
            HeaderRule::BlobGasUsed { header: Some(1), blobs: 2 },
        ];
        for rule in rules {
            let text = rule.to_string();
            assert!(text.starts_with(&format!("{}: ", rule.name())), "{text}");
        }
        let error = Error::InvalidTransaction {
            index: 4,
            sender: Some(Address::ZERO),
            rule: TxRule::NonceMax,
        };
        assert_eq!(
            error.to_string(),
            "invalid transaction 4: nonce: 2^64 - 1 (EIP-2681) (sender \
             0x0000000000000000000000000000000000000000)"
        );
    }
}
