//! Execution-spec-tests (EEST) `blockchain_test` fixtures, run statelessly.
//!
//! A fixture file maps test ids to cases, each with a `config` (network and chain id), `pre`
//! (the accounts of the genesis state), `genesisRLP`, `blocks` (each with `rlp`, and
//! `expectException` for a block that must be rejected), `postState` or `postStateHash` and
//! `lastblockhash`. [`run_case`] verifies the blocks one by one with
//! [`verify_block_with_changes`] against [`Trusted::ParentHash`] of the last verified block:
//!
//! - the witness is the block's own `executionWitness` when it carries one (the
//!   `debug_executionWitness` shape, `{state, codes, keys, headers}`; without `headers` the
//!   verified ancestors are supplied), otherwise the complete pre-state: every node of the
//!   account trie and of each storage trie built from the carried [`State`], every code seen so
//!   far and the verified ancestors ending at the parent;
//! - a valid block's reported changes are applied to the carried state; a rejected block leaves
//!   it (and the chain) as it was;
//! - a block with `expectException` must be rejected **for one of the expected reasons**: each
//!   EEST exception name maps to the typed Mana verdicts that mean the same rule
//!   ([`EXCEPTIONS`], [`meets`]); a rejection for another reason is a failure, and so is an
//!   exception name the table does not know;
//! - at the end the carried state's root must be the root of `postState` (or `postStateHash`)
//!   and the head must hash to `lastblockhash`.
//!
//! The first block not judged as the fixture expects ends the case ([`CaseFailure`]).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use alloy_consensus::Header;
use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256, keccak256};
use alloy_trie::proof::ProofRetainer;
use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, Nibbles, TrieAccount};
use serde_json::Value;

use crate::execute::StateChanges;
use crate::rules::ChainConfig;
use crate::witness::{BlockInput, MAX_WITNESS_HEADERS, Trusted, Witness};
use crate::{BlockRule, Error, HeaderField, HeaderRule, TxRule, verify_block_with_changes};

/// One account of the carried state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// The account nonce.
    pub nonce: u64,
    /// The balance in wei.
    pub balance: U256,
    /// `keccak256` of the code ([`KECCAK256_EMPTY`] without code).
    pub code_hash: B256,
    /// The non-zero storage slots.
    pub storage: BTreeMap<U256, U256>,
}

/// The full state a case carries from block to block, with every code seen so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// Every account, by address.
    pub accounts: BTreeMap<Address, Account>,
    /// Every code, by `keccak256(code)`.
    pub codes: BTreeMap<B256, Bytes>,
}

fn field<'a>(value: &'a Value, name: &str) -> Result<&'a Value, String> {
    value.get(name).ok_or_else(|| format!("no \"{name}\""))
}

fn quantity(value: &Value, what: &str) -> Result<U256, String> {
    value
        .as_str()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| format!("{what}: {value} is not a quantity"))
}

fn hex_bytes(value: &Value, what: &str) -> Result<Bytes, String> {
    value
        .as_str()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| format!("{what}: not a hex string"))
}

impl State {
    /// Reads `pre` / `postState`: `{address: {nonce, balance, code, storage}}`. Zero storage
    /// values are dropped.
    pub fn from_alloc(alloc: &Value) -> Result<Self, String> {
        let mut state = Self::default();
        let accounts = alloc.as_object().ok_or("the allocation is not an object")?;
        for (address, account) in accounts {
            let code = hex_bytes(field(account, "code")?, "code")?;
            let code_hash = if code.is_empty() { KECCAK256_EMPTY } else { keccak256(&code) };
            if !code.is_empty() {
                state.codes.insert(code_hash, code);
            }
            let mut storage = BTreeMap::new();
            let slots = field(account, "storage")?.as_object().ok_or("storage: not an object")?;
            for (slot, value) in slots {
                let slot: U256 =
                    slot.parse().map_err(|_| format!("storage slot {slot} is not a quantity"))?;
                let value = quantity(value, "storage value")?;
                if !value.is_zero() {
                    storage.insert(slot, value);
                }
            }
            let nonce = u64::try_from(quantity(field(account, "nonce")?, "nonce")?)
                .map_err(|_| format!("{address}: nonce above 64 bits"))?;
            let balance = quantity(field(account, "balance")?, "balance")?;
            let address: Address =
                address.parse().map_err(|_| format!("{address} is not an address"))?;
            state.accounts.insert(address, Account { nonce, balance, code_hash, storage });
        }
        Ok(state)
    }

    /// Applies a verified block's changes.
    pub fn apply(&mut self, changes: StateChanges) {
        for code in changes.codes {
            if !code.is_empty() {
                self.codes.insert(keccak256(&code), code);
            }
        }
        for change in changes.accounts {
            let Some((nonce, balance, code_hash)) = change.info else {
                self.accounts.remove(&change.address);
                continue;
            };
            let account = self.accounts.entry(change.address).or_default();
            if change.wiped {
                account.storage.clear();
            }
            account.nonce = nonce;
            account.balance = balance;
            account.code_hash = code_hash;
            for (slot, value) in change.storage {
                if value.is_zero() {
                    account.storage.remove(&slot);
                } else {
                    account.storage.insert(slot, value);
                }
            }
        }
    }

    /// The state root and every node of the account trie and of each storage trie.
    pub fn trie(&self) -> (B256, Vec<Bytes>) {
        let mut nodes = Vec::new();
        let mut leaves = Vec::with_capacity(self.accounts.len());
        for (address, account) in &self.accounts {
            let slots = account.storage.iter().map(|(slot, value)| {
                (keccak256(slot.to_be_bytes::<32>()), alloy_rlp::encode(value))
            });
            let storage_root = full_trie(slots, &mut nodes);
            let leaf = TrieAccount {
                nonce: account.nonce,
                balance: account.balance,
                storage_root,
                code_hash: account.code_hash,
            };
            leaves.push((keccak256(address), alloy_rlp::encode(leaf)));
        }
        let root = full_trie(leaves.into_iter(), &mut nodes);
        (root, nodes)
    }

    /// The complete witness of this state: every trie node and code, and `headers`.
    pub fn witness(&self, headers: Vec<Header>) -> Witness {
        Witness {
            state: self.trie().1,
            codes: self.codes.values().cloned().collect(),
            keys: Vec::new(),
            headers,
        }
    }
}

/// The root of the trie over `leaves` (hashed key, RLP value); pushes all its nodes to `nodes`.
pub fn full_trie(leaves: impl Iterator<Item = (B256, Vec<u8>)>, nodes: &mut Vec<Bytes>) -> B256 {
    let mut leaves: Vec<(Nibbles, Vec<u8>)> =
        leaves.map(|(key, value)| (Nibbles::unpack(key), value)).collect();
    if leaves.is_empty() {
        return EMPTY_ROOT_HASH;
    }
    leaves.sort_by_key(|leaf| leaf.0);
    let targets = leaves.iter().map(|(key, _)| *key).collect();
    let mut builder = HashBuilder::default().with_proof_retainer(ProofRetainer::new(targets));
    for (key, value) in &leaves {
        builder.add_leaf(*key, value);
    }
    let root = builder.root();
    nodes.extend(builder.take_proof_nodes().into_inner().into_values());
    root
}

/// A Mana verdict that one EEST exception name accepts.
pub type Matches = fn(&Error) -> bool;

fn header(e: &Error, f: impl Fn(&HeaderRule) -> bool) -> bool {
    matches!(e, Error::InvalidHeader(rule) if f(rule))
}

fn tx(e: &Error, f: impl Fn(&TxRule) -> bool) -> bool {
    matches!(e, Error::InvalidTransaction { rule, .. } if f(rule))
}

fn block(e: &Error, f: impl Fn(&BlockRule) -> bool) -> bool {
    matches!(e, Error::InvalidBlock(rule) if f(rule))
}

fn mismatch(e: &Error, field: HeaderField) -> bool {
    matches!(e, Error::Mismatch { field: f, .. } if *f == field)
}

/// Every EEST exception name (execution-specs `BlockException` / `TransactionException`) Mana
/// knows, with the Mana verdicts that mean the same rule. An `expectException` naming several
/// (`A|B`) is met by a verdict matching any of them. Where Mana reports the rule at a different
/// stage than EEST names it, the entry says so.
pub const EXCEPTIONS: &[(&str, Matches)] = &[
    // Block structure and RLP.
    ("BlockException.RLP_STRUCTURES_ENCODING", |e| matches!(e, Error::MalformedBlock(_))),
    ("BlockException.INCORRECT_BLOCK_FORMAT", |e| {
        // A field that does not decode, or a field of a fork that is not active (or missing).
        matches!(e, Error::MalformedBlock(_))
            || header(e, |r| {
                matches!(
                    r,
                    HeaderRule::FieldBeforeFork { .. }
                        | HeaderRule::FieldMissing { .. }
                        | HeaderRule::Withdrawals { .. }
                )
            })
    }),
    ("BlockException.RLP_BLOCK_LIMIT_EXCEEDED", |e| {
        header(e, |r| matches!(r, HeaderRule::BlockTooLarge { .. }))
    }),
    // The block hash is never claimed to Mana here (each block is anchored by its parent's
    // hash); a hash that does not link is a header-chain failure.
    ("BlockException.INVALID_BLOCK_HASH", |e| matches!(e, Error::HeaderChain(_))),
    // Header against parent.
    ("BlockException.INVALID_BLOCK_NUMBER", |e| {
        header(e, |r| matches!(r, HeaderRule::Number { .. }))
    }),
    ("BlockException.INVALID_BLOCK_TIMESTAMP_OLDER_THAN_PARENT", |e| {
        header(e, |r| matches!(r, HeaderRule::Timestamp { .. }))
    }),
    ("BlockException.EXTRA_DATA_TOO_BIG", |e| {
        header(e, |r| matches!(r, HeaderRule::ExtraDataTooLong(_)))
    }),
    ("BlockException.INVALID_DIFFICULTY", |e| {
        header(e, |r| matches!(r, HeaderRule::Difficulty(_)))
    }),
    ("BlockException.IMPORT_IMPOSSIBLE_DIFFICULTY_OVER_PARIS", |e| {
        header(e, |r| matches!(r, HeaderRule::Difficulty(_)))
    }),
    ("BlockException.INVALID_UNCLES_HASH", |e| {
        header(e, |r| matches!(r, HeaderRule::OmmersHash { .. }))
    }),
    ("BlockException.IMPORT_IMPOSSIBLE_UNCLES_OVER_PARIS", |e| {
        header(e, |r| matches!(r, HeaderRule::Ommers(_) | HeaderRule::OmmersHash { .. }))
    }),
    ("BlockException.INVALID_GASLIMIT", |e| {
        header(e, |r| {
            matches!(
                r,
                HeaderRule::GasLimitChange { .. }
                    | HeaderRule::GasLimitTooLow(_)
                    | HeaderRule::GasLimitTooHigh(_)
            )
        })
    }),
    ("BlockException.GASLIMIT_TOO_BIG", |e| {
        header(e, |r| matches!(r, HeaderRule::GasLimitTooHigh(_)))
    }),
    ("BlockException.INVALID_GAS_USED_ABOVE_LIMIT", |e| {
        header(e, |r| matches!(r, HeaderRule::GasUsedAboveLimit { .. }))
    }),
    ("BlockException.INVALID_BASEFEE_PER_GAS", |e| {
        header(e, |r| matches!(r, HeaderRule::BaseFee { .. }))
    }),
    ("BlockException.INCORRECT_EXCESS_BLOB_GAS", |e| {
        header(e, |r| matches!(r, HeaderRule::ExcessBlobGas { .. }))
    }),
    ("BlockException.BLOB_GAS_USED_ABOVE_LIMIT", |e| {
        header(e, |r| matches!(r, HeaderRule::BlobGasUsedAboveMax { .. }))
    }),
    ("BlockException.INCORRECT_BLOB_GAS_USED", |e| {
        header(e, |r| {
            matches!(r, HeaderRule::BlobGasUsed { .. } | HeaderRule::BlobGasUsedNotMultiple(_))
        }) || mismatch(e, HeaderField::BlobGasUsed)
    }),
    // Body against header.
    ("BlockException.INVALID_TRANSACTIONS_ROOT", |e| {
        header(e, |r| matches!(r, HeaderRule::TransactionsRoot { .. }))
    }),
    ("BlockException.INVALID_WITHDRAWALS_ROOT", |e| {
        header(e, |r| {
            matches!(r, HeaderRule::WithdrawalsRoot { .. } | HeaderRule::Withdrawals { .. })
        })
    }),
    // The consensus layer's versioned hashes (engine API) are not part of a block: Mana has
    // nothing to compare them with, so no verdict of Mana's means this.
    ("BlockException.INVALID_VERSIONED_HASHES", |_| false),
    // Execution results against header.
    ("BlockException.INVALID_GAS_USED", |e| mismatch(e, HeaderField::GasUsed)),
    ("BlockException.INVALID_RECEIPTS_ROOT", |e| mismatch(e, HeaderField::ReceiptsRoot)),
    ("BlockException.INVALID_LOG_BLOOM", |e| mismatch(e, HeaderField::LogsBloom)),
    ("BlockException.INVALID_STATE_ROOT", |e| mismatch(e, HeaderField::StateRoot)),
    ("BlockException.INVALID_REQUESTS", |e| mismatch(e, HeaderField::RequestsHash)),
    // Block-level execution rules.
    ("BlockException.INVALID_DEPOSIT_EVENT_LAYOUT", |e| {
        block(e, |r| matches!(r, BlockRule::DepositEventLayout(_)))
    }),
    ("BlockException.SYSTEM_CONTRACT_EMPTY", |e| {
        block(e, |r| matches!(r, BlockRule::SystemContractEmpty { .. }))
    }),
    ("BlockException.SYSTEM_CONTRACT_CALL_FAILED", |e| {
        block(e, |r| matches!(r, BlockRule::SystemContractCall { .. }))
    }),
    // Transactions: type, signature, chain.
    ("TransactionException.TYPE_3_TX_PRE_FORK", |e| {
        tx(e, |r| matches!(r, TxRule::TypeBeforeFork { tx_type: 3, .. }))
    }),
    ("TransactionException.TYPE_3_TX_ZERO_BLOBS_PRE_FORK", |e| {
        tx(e, |r| matches!(r, TxRule::TypeBeforeFork { tx_type: 3, .. }))
    }),
    ("TransactionException.TYPE_4_TX_PRE_FORK", |e| {
        tx(e, |r| matches!(r, TxRule::TypeBeforeFork { tx_type: 4, .. }))
    }),
    // Blob and set-code transactions have no creation form in their RLP: a `to` left empty
    // makes the block undecodable, which is how Mana sees it.
    ("TransactionException.TYPE_3_TX_CONTRACT_CREATION", |e| matches!(e, Error::MalformedBlock(_))),
    ("TransactionException.TYPE_4_TX_CONTRACT_CREATION", |e| matches!(e, Error::MalformedBlock(_))),
    ("TransactionException.TYPE_3_TX_WITH_FULL_BLOBS", |e| {
        tx(e, |r| matches!(r, TxRule::BlobSidecar))
    }),
    ("TransactionException.INVALID_CHAINID", |e| tx(e, |r| matches!(r, TxRule::ChainId { .. }))),
    ("TransactionException.INVALID_SIGNATURE_VRS", |e| {
        tx(e, |r| matches!(r, TxRule::HighS | TxRule::Signature))
    }),
    // Transactions: gas.
    ("TransactionException.INTRINSIC_GAS_TOO_LOW", |e| {
        tx(e, |r| matches!(r, TxRule::IntrinsicGas { .. }))
    }),
    ("TransactionException.INTRINSIC_GAS_BELOW_FLOOR_GAS_COST", |e| {
        tx(e, |r| matches!(r, TxRule::CalldataFloor { .. }))
    }),
    ("TransactionException.GAS_LIMIT_EXCEEDS_MAXIMUM", |e| {
        tx(e, |r| matches!(r, TxRule::GasLimitAboveCap { .. }))
    }),
    // The block's gas left: a transaction above the whole block's limit is caught before
    // execution, one above what the earlier transactions left by the executor.
    ("TransactionException.GAS_ALLOWANCE_EXCEEDED", |e| {
        tx(e, |r| matches!(r, TxRule::GasLimitAboveBlock { .. }))
            || block(e, |r| matches!(r, BlockRule::GasAllowanceExceeded { .. }))
    }),
    ("TransactionException.INITCODE_SIZE_EXCEEDED", |e| {
        tx(e, |r| matches!(r, TxRule::InitcodeTooLarge { .. }))
    }),
    // Transactions: fees and balance.
    ("TransactionException.INSUFFICIENT_MAX_FEE_PER_GAS", |e| {
        tx(e, |r| matches!(r, TxRule::MaxFeeBelowBaseFee { .. }))
    }),
    ("TransactionException.PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS", |e| {
        tx(e, |r| matches!(r, TxRule::PriorityAboveMaxFee { .. }))
    }),
    ("TransactionException.INSUFFICIENT_MAX_FEE_PER_BLOB_GAS", |e| {
        tx(e, |r| matches!(r, TxRule::BlobFeeTooLow { .. }))
    }),
    ("TransactionException.INSUFFICIENT_ACCOUNT_FUNDS", |e| {
        tx(e, |r| matches!(r, TxRule::InsufficientFunds { .. }))
    }),
    // Transactions: nonce and sender.
    ("TransactionException.NONCE_MISMATCH_TOO_LOW", |e| {
        tx(e, |r| matches!(r, TxRule::NonceTooLow { .. }))
    }),
    ("TransactionException.NONCE_MISMATCH_TOO_HIGH", |e| {
        tx(e, |r| matches!(r, TxRule::NonceTooHigh { .. }))
    }),
    ("TransactionException.NONCE_IS_MAX", |e| tx(e, |r| matches!(r, TxRule::NonceMax))),
    ("TransactionException.SENDER_NOT_EOA", |e| tx(e, |r| matches!(r, TxRule::SenderNotEoa))),
    // Transactions: blobs and authorizations.
    ("TransactionException.TYPE_3_TX_ZERO_BLOBS", |e| tx(e, |r| matches!(r, TxRule::NoBlobs))),
    ("TransactionException.TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH", |e| {
        tx(e, |r| matches!(r, TxRule::BlobVersion(_)))
    }),
    ("TransactionException.TYPE_3_TX_BLOB_COUNT_EXCEEDED", |e| {
        tx(e, |r| matches!(r, TxRule::TooManyBlobs { .. }))
    }),
    // More blob gas than the block allows: Mana finds it either on the transaction or on the
    // header's `blob_gas_used` (which the body must match), whichever check comes first.
    ("TransactionException.TYPE_3_TX_MAX_BLOB_GAS_ALLOWANCE_EXCEEDED", |e| {
        tx(e, |r| matches!(r, TxRule::BlobsAboveBlockMax { .. }))
            || header(e, |r| matches!(r, HeaderRule::BlobGasUsedAboveMax { .. }))
    }),
    ("TransactionException.TYPE_4_EMPTY_AUTHORIZATION_LIST", |e| {
        tx(e, |r| matches!(r, TxRule::EmptyAuthorizationList))
    }),
];

/// Whether Mana's verdict `e` meets `expected` (one EEST exception name or several joined by
/// `|`); `Err` lists the names [`EXCEPTIONS`] does not know.
pub fn meets(expected: &str, e: &Error) -> Result<bool, Vec<String>> {
    let mut unknown = Vec::new();
    let mut met = false;
    for name in expected.split('|').map(str::trim) {
        match EXCEPTIONS.iter().find(|(known, _)| *known == name) {
            Some((_, matches)) => met |= matches(e),
            None => unknown.push(name.to_string()),
        }
    }
    if unknown.is_empty() { Ok(met) } else { Err(unknown) }
}

/// Whether `value` is a blockchain-test file: a non-empty JSON object whose every value is a
/// case object with `blocks`, `pre` and a genesis (`genesisBlockHeader` or `genesisRLP`).
pub fn is_blockchain_test(value: &Value) -> bool {
    value.as_object().is_some_and(|cases| {
        !cases.is_empty()
            && cases.values().all(|case| {
                case.get("blocks").is_some_and(Value::is_array)
                    && case.get("pre").is_some_and(Value::is_object)
                    && (case.get("genesisBlockHeader").is_some()
                        || case.get("genesisRLP").is_some())
            })
    })
}

/// How one block was judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockReport {
    /// The block's position in the case's `blocks` (0 for the first).
    pub index: usize,
    /// The header's number and hash, when the block decodes.
    pub number: Option<u64>,
    /// `keccak256(rlp(header))`, when the block decodes.
    pub hash: Option<B256>,
    /// The fixture's `expectException`; `None` when the block must be valid.
    pub expected: Option<String>,
    /// The block was verified against its own `executionWitness` rather than the full
    /// pre-state.
    pub own_witness: bool,
    /// Mana's verdict: `Ok` for a block that verified, else the first failing check.
    pub verdict: Result<(), Error>,
    /// The verdict is the one the fixture expects (valid, or rejected for an expected reason).
    pub as_expected: bool,
}

/// Why a case did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseFailure {
    /// The case cannot be run (configuration, pre-state, genesis or shape).
    Setup(String),
    /// A block was not judged as the fixture expects.
    Block {
        /// The block's position in `blocks`.
        index: usize,
        /// What the fixture expects (`valid`, or the exception names).
        expected: String,
        /// What Mana found.
        got: String,
    },
    /// After the blocks, the carried state's root is not the expected post-state root.
    PostState {
        /// The carried state's root.
        got: B256,
        /// The root of `postState` (or `postStateHash`).
        expected: B256,
    },
    /// After the blocks, the head is not `lastblockhash`.
    Head {
        /// The hash of the last verified block (or of genesis).
        got: B256,
        /// The fixture's `lastblockhash`.
        expected: String,
    },
}

impl fmt::Display for CaseFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Setup(message) => f.write_str(message),
            Self::Block { index, expected, got } => {
                write!(f, "block {index}: expected {expected}, got {got}")
            }
            Self::PostState { got, expected } => {
                write!(f, "post-state root {got}, expected {expected}")
            }
            Self::Head { got, expected } => write!(f, "head {got}, lastblockhash {expected}"),
        }
    }
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReport {
    /// The blocks judged, in order, up to and including the first one not judged as expected.
    pub blocks: Vec<BlockReport>,
    /// Exception names met by the block that failed and [`EXCEPTIONS`] does not know.
    pub unknown: Vec<String>,
    /// `Ok` when every block was judged as expected and the end state matches.
    pub result: Result<(), CaseFailure>,
}

impl CaseReport {
    /// Every block was judged as the fixture expects and the end state matches.
    pub const fn passed(&self) -> bool {
        self.result.is_ok()
    }
}

/// Runs one case (a value of a blockchain-test file); see the module documentation.
pub fn run_case(case: &Value) -> CaseReport {
    let mut report = CaseReport { blocks: Vec::new(), unknown: Vec::new(), result: Ok(()) };
    report.result = run_blocks(case, &mut report);
    report
}

fn setup(message: String) -> CaseFailure {
    CaseFailure::Setup(message)
}

/// The witness for one block: its own `executionWitness` (ancestors supplied when it has no
/// headers), or the complete carried state.
fn block_witness(entry: &Value, state: &State, ancestors: &[Header]) -> Result<Witness, Error> {
    let Some(own) = entry.get("executionWitness") else {
        return Ok(state.witness(ancestors.to_vec()));
    };
    let mut witness = Witness::from_json_value(own.clone())?;
    if witness.headers.is_empty() {
        witness.headers = ancestors.to_vec();
    }
    Ok(witness)
}

fn run_blocks(case: &Value, report: &mut CaseReport) -> Result<(), CaseFailure> {
    let config = field(case, "config").map_err(setup).and_then(|c| {
        ChainConfig::from_eest_config(c).map_err(|e| setup(format!("config: {e}")))
    })?;
    let mut state = State::from_alloc(field(case, "pre").map_err(setup)?)
        .map_err(|e| setup(format!("pre: {e}")))?;
    let genesis_rlp =
        field(case, "genesisRLP").and_then(|v| hex_bytes(v, "genesisRLP")).map_err(setup)?;
    let genesis =
        BlockInput::decode_block(&genesis_rlp).map_err(|e| setup(format!("genesis: {e}")))?;
    let (root, _) = state.trie();
    if root != genesis.header.state_root {
        return Err(setup(format!(
            "pre-state root {root} differs from the genesis state root {}",
            genesis.header.state_root
        )));
    }
    // Verified headers, the head last.
    let mut chain: Vec<Header> = alloc::vec![genesis.header];
    let blocks = field(case, "blocks")
        .map_err(setup)?
        .as_array()
        .ok_or_else(|| setup(String::from("blocks: not an array")))?;
    for (index, entry) in blocks.iter().enumerate() {
        let expected = entry.get("expectException").and_then(Value::as_str);
        let rlp = field(entry, "rlp")
            .and_then(|v| hex_bytes(v, "rlp"))
            .map_err(|e| setup(format!("block {index}: {e}")))?;
        let parent = chain.last().map(Header::hash_slow).unwrap_or_default();
        let ancestors =
            chain.get(chain.len().saturating_sub(MAX_WITNESS_HEADERS)..).unwrap_or_default();
        let own_witness = entry.get("executionWitness").is_some();
        let decoded = BlockInput::decode_block(&rlp);
        let (number, hash) = match &decoded {
            Ok(block) => (Some(block.header.number), Some(block.header.hash_slow())),
            Err(_) => (None, None),
        };
        let outcome = decoded.and_then(|block| {
            let witness = block_witness(entry, &state, ancestors)?;
            let input = BlockInput { block, witness, chain_id: config.chain_id, public_keys: None };
            verify_block_with_changes(&input, Trusted::ParentHash(parent), &config)
                .map(|(verdict, changes)| (input.block.header, verdict, changes))
        });
        let verdict = outcome.as_ref().map(|_| ()).map_err(Clone::clone);
        let mut judged = BlockReport {
            index,
            number,
            hash,
            expected: expected.map(String::from),
            own_witness,
            verdict,
            as_expected: false,
        };
        let failure = |expected: &str, got: String| CaseFailure::Block {
            index,
            expected: String::from(expected),
            got,
        };
        let failed = match (expected, outcome) {
            (None, Ok((header, verdict, changes))) => {
                let stated = entry.get("blockHeader").and_then(|h| h.get("hash"));
                match stated.and_then(Value::as_str) {
                    Some(hash) if verdict.block_hash.to_string() != hash => Some(failure(
                        &format!("a valid block with hash {hash}"),
                        format!("a valid block with hash {}", verdict.block_hash),
                    )),
                    _ => {
                        state.apply(changes);
                        chain.push(header);
                        None
                    }
                }
            }
            (None, Err(e)) => Some(failure("valid", format!("rejected: {e}"))),
            (Some(exception), Ok(_)) => Some(failure(exception, String::from("accepted"))),
            (Some(exception), Err(e)) => match meets(exception, &e) {
                Ok(true) => None,
                Err(unknown) => {
                    let got = format!(
                        "rejected ({e}); exception names without a Mana mapping: {unknown:?}"
                    );
                    report.unknown = unknown;
                    Some(failure(exception, got))
                }
                // A complete witness is handed over: an incomplete-witness or ancestry error
                // is not a rejection of the block for a rule.
                Ok(false)
                    if matches!(
                        e,
                        Error::MissingNode(_)
                            | Error::MissingCode(_)
                            | Error::MissingAncestor(_)
                            | Error::MalformedWitness(_)
                            | Error::HeaderChain(_)
                    ) =>
                {
                    Some(failure(exception, format!("rejected for the witness: {e}")))
                }
                Ok(false) => Some(failure(exception, format!("rejected for another reason: {e}"))),
            },
        };
        judged.as_expected = failed.is_none();
        report.blocks.push(judged);
        if let Some(failure) = failed {
            return Err(failure);
        }
    }
    let (root, _) = state.trie();
    let expected_root = match (case.get("postState"), case.get("postStateHash")) {
        (Some(post), _) => {
            State::from_alloc(post).map_err(|e| setup(format!("postState: {e}")))?.trie().0
        }
        (None, Some(hash)) => hash
            .as_str()
            .and_then(|h| h.parse().ok())
            .ok_or_else(|| setup(String::from("postStateHash is not a hash")))?,
        (None, None) => return Err(setup(String::from("neither postState nor postStateHash"))),
    };
    if root != expected_root {
        return Err(CaseFailure::PostState { got: root, expected: expected_root });
    }
    let head = chain.last().map(Header::hash_slow).unwrap_or_default();
    if let Some(last) = case.get("lastblockhash").and_then(Value::as_str)
        && head.to_string() != last
    {
        return Err(CaseFailure::Head { got: head, expected: String::from(last) });
    }
    Ok(())
}
