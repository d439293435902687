//! The execution-apis rpc-compat fixtures (`apis/execution-apis@main/tests`) verified with
//! `mana-execution`, under the trust model of Mana's provider.
//!
//! The only trusted input is the head block hash of `headfcu.json` (in Mana it comes from a
//! light-client-verified beacon header). `chain.rlp` is decoded, its last header must hash to the
//! trusted head and the parent hashes are walked back to block 1, so every block hash is trusted;
//! block 1's parent hash is the genesis hash, and the genesis header rebuilt from `genesis.json`
//! (its state root computed from the allocation) must hash to it. Every body is checked against
//! its header (transactions root with signer recovery, ommers hash, withdrawals root).
//!
//! Each recorded response of a handled method is then verified against that trusted chain, as if
//! an untrusted upstream had served it: headers by hash, bodies and receipts by their roots,
//! proofs against the state root, logs against verified receipts and blooms. Responses that name
//! data the trusted chain does not have must be `null` or an error. A method directory that is
//! neither handled nor listed in [`NOT_APPLICABLE`] fails the run, and so does a case of a
//! handled method that is not fully verified unless it is listed in [`UNVERIFIED_CASES`]: the
//! shared `Tally` fails on any file under the fixture root that is neither verified nor on one of
//! the two lists, and on a list entry that matches no file.
//!
//! A second test replays tampered copies of recorded responses and expects the precise
//! `mana_execution::Error` variant for each.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use alloy_consensus::proofs::{state_root_unhashed, storage_root_unhashed};
use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::{
    Block, BlockBody, EMPTY_OMMER_ROOT_HASH, EMPTY_ROOT_HASH, Header, ReceiptEnvelope,
    Transaction as _, TrieAccount, TxEnvelope,
};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, B64, B256, Bloom, Bytes, U256, keccak256};
use alloy_rlp::{Decodable, Encodable};
use alloy_rpc_types_eth::{
    Block as RpcBlock, BlockTransactions, EIP1186AccountProofResponse, Filter, FilterBlockOption,
    Log as RpcLog, Transaction as RpcTransaction, TransactionReceipt,
};
use mana_execution::{
    Account, Error, LogFilter, bloom_may_match, transaction_hash, verify_account, verify_code,
    verify_header, verify_ommers, verify_parent_chain, verify_receipts, verify_storage,
    verify_transactions, verify_withdrawals,
};
use serde_json::Value;

/// Cases of handled methods that are not (fully) verified, each with the reason: the handler
/// returns `Skipped` (part of the response cannot be checked against any commitment the
/// fixtures provide) or `NotApplicable` (an error answer to a malformed request carries no chain
/// data). A case on this list that verifies, or such a case missing from it, fails the run.
const UNVERIFIED_CASES: &[(&str, &str)] = &[
    (
        "eth_getTransactionReceipt/get-access-list.io",
        "no fixture serves the other receipts of block 24: status, cumulative gas and logs are \
         not checked against the receipts root",
    ),
    (
        "eth_getTransactionReceipt/get-blob-tx.io",
        "no fixture serves the other receipts of block 42: status, cumulative gas and logs are \
         not checked against the receipts root",
    ),
    (
        "eth_getTransactionReceipt/get-dynamic-fee.io",
        "no fixture serves the other receipts of block 27: status, cumulative gas and logs are \
         not checked against the receipts root",
    ),
    (
        "eth_getTransactionReceipt/get-setcode-tx.io",
        "no fixture serves the other receipts of block 45: status, cumulative gas and logs are \
         not checked against the receipts root",
    ),
    (
        "eth_getLogs/contract-addr.io",
        "blocks 2 and 4 may hold matching logs but no fixture serves their receipts: presence \
         and completeness are not checked against the receipts root",
    ),
    (
        "eth_getLogs/filter-with-blockHash-and-topics.io",
        "block 4 may hold matching logs but no fixture serves its receipts",
    ),
    (
        "eth_getLogs/filter-with-blockHash.io",
        "block 4 may hold matching logs but no fixture serves its receipts",
    ),
    (
        "eth_getLogs/topic-exact-match.io",
        "block 4 may hold matching logs but no fixture serves its receipts",
    ),
    (
        "eth_getLogs/topic-null-wildcard.io",
        "block 4 may hold matching logs but no fixture serves its receipts",
    ),
    (
        "eth_getLogs/topic-wildcard.io",
        "block 4 may hold matching logs but no fixture serves its receipts",
    ),
    (
        "eth_getLogs/filter-error-invalid-blockHash-and-range.io",
        "an error answer to a malformed request: no chain data",
    ),
    (
        "eth_getLogs/filter-error-reversed-block-range.io",
        "an error answer to a malformed request: no chain data",
    ),
    (
        "debug_getRawBlock/get-invalid-number.io",
        "an error answer to a malformed request: no chain data",
    ),
    (
        "debug_getRawHeader/get-invalid-number.io",
        "an error answer to a malformed request: no chain data",
    ),
    (
        "debug_getRawReceipts/get-invalid-number.io",
        "an error answer to a malformed request: no chain data",
    ),
    (
        "debug_getRawTransaction/get-invalid-hash.io",
        "an error answer to a malformed request: no chain data",
    ),
];

/// Methods whose responses the fixtures give no way to verify, each with the reason.
const NOT_APPLICABLE: &[(&str, &str)] = &[
    ("eth_call", "EVM execution result: needs the state and an EVM, not a commitment check"),
    ("eth_estimateGas", "EVM execution (gas search); no commitment covers the estimate"),
    ("eth_createAccessList", "EVM execution (access tracing); no commitment covers the list"),
    ("eth_simulateV1", "simulated blocks on top of the state: EVM execution, not chain data"),
    ("debug_traceBlockByHash", "execution traces: EVM re-execution, not committed by any root"),
    ("debug_traceBlockByNumber", "execution traces: EVM re-execution, not committed by any root"),
    ("debug_traceTransaction", "execution traces: EVM re-execution, not committed by any root"),
    ("txpool_content", "node-local mempool contents, not part of the chain"),
    ("txpool_contentFrom", "node-local mempool contents, not part of the chain"),
    ("txpool_status", "node-local mempool counters, not part of the chain"),
    ("testing_buildBlockV1", "node test hook that builds a block from the mempool"),
    ("eth_sendRawTransaction", "submission to the node's mempool; nothing on chain to check"),
    ("eth_config", "node fork configuration, not committed by the chain"),
    ("eth_capabilities", "node capability advertisement, not chain data"),
    ("eth_feeHistory", "fee statistics (reward percentiles) derived by the node, not committed"),
    ("eth_baseFee", "gas price oracle value for the next block, not committed chain data"),
    ("eth_blobBaseFee", "gas price oracle value for the next block, not committed chain data"),
    ("eth_getBalance", "state read without a proof: unverifiable from the fixture alone"),
    ("eth_getCode", "state read without a proof: unverifiable from the fixture alone"),
    ("eth_getStorageAt", "state read without a proof: unverifiable from the fixture alone"),
    ("eth_getStorageValues", "state read without a proof: unverifiable from the fixture alone"),
    ("eth_getTransactionCount", "state read without a proof: unverifiable from the fixture alone"),
    ("eth_syncing", "node sync status, not chain data"),
];

type Handler = fn(&mut Ctx<'_>, &[Value], &Reply<'_>) -> Outcome;

/// Handled methods, in the order they run: the receipt sources first, so that receipt and log
/// checks can use the receipts they verified.
const HANDLED: &[(&str, Handler)] = &[
    ("eth_getBlockReceipts", block_receipts),
    ("debug_getRawReceipts", raw_receipts),
    ("eth_getTransactionReceipt", transaction_receipt),
    ("eth_getLogs", logs),
    ("eth_getBlockByNumber", block),
    ("eth_getBlockByHash", block),
    ("eth_getTransactionByHash", transaction_by_hash),
    ("eth_getTransactionByBlockHashAndIndex", transaction_by_block_and_index),
    ("eth_getTransactionByBlockNumberAndIndex", transaction_by_block_and_index),
    ("eth_getBlockTransactionCountByHash", transaction_count),
    ("eth_getBlockTransactionCountByNumber", transaction_count),
    ("eth_getProof", proof),
    ("eth_chainId", chain_id),
    ("net_version", net_version),
    ("eth_blockNumber", block_number),
    ("debug_getRawHeader", raw_header),
    ("debug_getRawBlock", raw_block),
    ("debug_getRawTransaction", raw_transaction),
];

// ---------------------------------------------------------------------------------------------
// Outcomes

/// Why a response does not verify: a typed verifier error, or a plain mismatch found here.
#[derive(Debug)]
enum Fail {
    Exec(Error),
    Check(String),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Self::Exec(e)
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exec(e) => write!(f, "mana-execution: {e}"),
            Self::Check(s) => f.write_str(s),
        }
    }
}

/// What a case proved.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// The whole response was verified against the trusted chain.
    Verified,
    /// Part of the response cannot be verified from the fixtures (what could be was checked).
    Skipped(String),
    /// The response carries no chain data (an error for a malformed request).
    NotApplicable(String),
}

type Outcome = Result<Verdict, Fail>;

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(Fail::Check(format!($($fmt)+)));
        }
    };
}

macro_rules! ensure_eq {
    ($served:expr, $expected:expr, $what:expr) => {{
        let (served, expected) = (&$served, &$expected);
        if served != expected {
            return Err(Fail::Check(format!(
                "{}: served {:?}, expected {:?}",
                $what, served, expected
            )));
        }
    }};
}

fn check(message: impl Into<String>) -> Fail {
    Fail::Check(message.into())
}

fn decode<T: serde::de::DeserializeOwned>(value: &Value, what: &str) -> Result<T, Fail> {
    serde_json::from_value(value.clone()).map_err(|e| check(format!("decoding {what}: {e}")))
}

// ---------------------------------------------------------------------------------------------
// Fixture files

/// One `.io` file: comments and request/response pairs.
struct Case {
    method: String,
    path: PathBuf,
    exchanges: Vec<(Value, Value)>,
}

fn read_case(method: &str, path: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading: {e}"))?;
    let mut exchanges = Vec::new();
    let mut request = None;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if line.starts_with("//") {
            continue;
        } else if let Some(json) = line.strip_prefix(">> ") {
            let value = serde_json::from_str(json).map_err(|e| format!("request: {e}"))?;
            if request.replace(value).is_some() {
                return Err("two requests without a response".into());
            }
        } else if let Some(json) = line.strip_prefix("<< ") {
            let response = serde_json::from_str(json).map_err(|e| format!("response: {e}"))?;
            let request = request.take().ok_or("a response without a request")?;
            exchanges.push((request, response));
        } else {
            return Err(format!("unrecognised line {line:?}"));
        }
    }
    if request.is_some() {
        return Err("a request without a response".into());
    }
    Ok(Case { method: method.to_string(), path: path.to_path_buf(), exchanges })
}

fn rpc_compat_root() -> PathBuf {
    mana_tests::fixtures().join("apis/execution-apis@main/tests")
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("json {}: {e}", path.display()))
}

/// The response of an exchange: its `result` or its `error`.
#[derive(Debug)]
enum Reply<'a> {
    Result(&'a Value),
    Error(&'a Value),
}

impl<'a> Reply<'a> {
    fn of(response: &'a Value) -> Result<Self, Fail> {
        match (response.get("result"), response.get("error")) {
            (Some(result), None) => Ok(Self::Result(result)),
            (None, Some(error)) => Ok(Self::Error(error)),
            _ => Err(check("a response needs exactly one of result and error")),
        }
    }

    /// The non-null result, or `None` for `null` and errors.
    fn found(&self) -> Option<&'a Value> {
        match self {
            Self::Result(v) if !v.is_null() => Some(v),
            _ => None,
        }
    }

    fn result(&self) -> Result<&'a Value, Fail> {
        match self {
            Self::Result(v) => Ok(v),
            Self::Error(e) => Err(check(format!("unexpected error response {e}"))),
        }
    }
}

/// An error for a request that is itself malformed carries no chain data.
fn malformed(reply: &Reply<'_>, why: &str) -> Outcome {
    match reply {
        Reply::Error(e) => Ok(Verdict::NotApplicable(format!(
            "error {} for a malformed request ({why}); no chain data to verify",
            e.get("code").unwrap_or(&Value::Null)
        ))),
        Reply::Result(_) => Err(check(format!("served a result for a malformed request ({why})"))),
    }
}

/// The request names something the trusted chain does not have: the reply must be `null` or an
/// error.
fn absent(reply: &Reply<'_>, what: &str) -> Outcome {
    match reply.found() {
        None => Ok(Verdict::Verified),
        Some(_) => Err(check(format!("served data for {what}, which the trusted chain lacks"))),
    }
}

// ---------------------------------------------------------------------------------------------
// Strict request parameters (the JSON-RPC spec requires `0x` prefixes)

fn text(value: &Value) -> Result<&str, String> {
    value.as_str().ok_or_else(|| format!("{value} is not a string"))
}

fn hex_digits(value: &str) -> Result<&str, String> {
    value.strip_prefix("0x").ok_or_else(|| format!("{value:?} lacks the 0x prefix"))
}

fn quantity(value: &Value) -> Result<u64, String> {
    let s = text(value)?;
    let digits = hex_digits(s)?;
    if digits.is_empty() || digits.len() > 16 {
        return Err(format!("{s:?} is not a 64-bit quantity"));
    }
    u64::from_str_radix(digits, 16).map_err(|e| format!("{s:?}: {e}"))
}

fn fixed<const N: usize>(value: &Value) -> Result<[u8; N], String> {
    let s = text(value)?;
    let digits = hex_digits(s)?;
    let bytes = hex::decode(digits).map_err(|e| format!("{s:?}: {e}"))?;
    bytes.try_into().map_err(|_| format!("{s:?} is not {N} bytes"))
}

fn hash(value: &Value) -> Result<B256, String> {
    fixed::<32>(value).map(B256::from)
}

fn address(value: &Value) -> Result<Address, String> {
    fixed::<20>(value).map(Address::from)
}

/// A storage key as `eth_getProof` takes it: up to 32 bytes of hex, left-padded.
fn storage_key(value: &Value) -> Result<B256, String> {
    let s = text(value)?;
    let digits = hex_digits(s)?;
    if digits.len() > 64 {
        return Err(format!("{s:?} is longer than 32 bytes"));
    }
    U256::from_str_radix(digits, 16).map(B256::from).map_err(|e| format!("{s:?}: {e}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockRef {
    Number(u64),
    Hash(B256),
    Earliest,
    Latest,
    Safe,
    Finalized,
    Pending,
}

fn block_ref(value: &Value) -> Result<BlockRef, String> {
    if let Some(object) = value.as_object() {
        // EIP-1898 block parameter.
        return match (object.get("blockHash"), object.get("blockNumber")) {
            (Some(h), None) => hash(h).map(BlockRef::Hash),
            (None, Some(n)) => block_ref(n),
            _ => Err(format!("{value} is not an EIP-1898 block parameter")),
        };
    }
    let s = text(value)?;
    Ok(match s {
        "earliest" => BlockRef::Earliest,
        "latest" => BlockRef::Latest,
        "safe" => BlockRef::Safe,
        "finalized" => BlockRef::Finalized,
        "pending" => BlockRef::Pending,
        _ if s.len() == 66 => BlockRef::Hash(hash(value)?),
        _ => BlockRef::Number(quantity(value)?),
    })
}

fn param(params: &[Value], index: usize) -> Result<&Value, String> {
    params.get(index).ok_or_else(|| format!("parameter {index} is missing"))
}

// ---------------------------------------------------------------------------------------------
// The trusted chain

/// Blocks `0..=head`, every one trusted through the parent-hash walk from the trusted head.
#[derive(Debug)]
struct Chain {
    head: u64,
    /// By number; block 0 is the genesis block rebuilt from `genesis.json`.
    blocks: Vec<Block<TxEnvelope>>,
    /// Trusted hashes by number.
    hashes: Vec<B256>,
    by_hash: HashMap<B256, u64>,
    /// Recovered signers of every block's transactions.
    signers: Vec<Vec<Address>>,
    /// Transaction hash → (block, index).
    transactions: HashMap<B256, (u64, usize)>,
}

/// The genesis header of a geth-style `genesis.json`, its state root computed from `alloc`.
fn genesis_header(genesis: &Value) -> Result<Header, Fail> {
    let field = |name: &str| genesis.get(name).filter(|v| !v.is_null());
    let num = |name: &str| -> Result<u64, Fail> {
        field(name)
            .map_or(Ok(0), |v| quantity(v).map_err(|e| check(format!("genesis {name}: {e}"))))
    };
    let alloc =
        genesis.get("alloc").and_then(Value::as_object).ok_or(check("genesis has no alloc"))?;
    let mut accounts = Vec::new();
    for (addr, account) in alloc {
        let address: Address =
            addr.parse().map_err(|e| check(format!("genesis alloc address {addr}: {e}")))?;
        let u256 = |v: &Value| -> Result<U256, Fail> {
            let s = v.as_str().ok_or(check("genesis: not a string"))?;
            U256::from_str_radix(s.trim_start_matches("0x"), 16)
                .map_err(|e| check(format!("genesis {address}: {e}")))
        };
        let balance = account.get("balance").map_or(Ok(U256::ZERO), u256)?;
        let nonce = account
            .get("nonce")
            .map_or(Ok(0), |v| quantity(v).map_err(|e| check(format!("genesis nonce: {e}"))))?;
        let code_hash = match account.get("code").and_then(Value::as_str) {
            Some(code) => keccak256(mana_tests::hex_bytes(code)),
            None => alloy_consensus::constants::KECCAK_EMPTY,
        };
        let mut storage = Vec::new();
        if let Some(slots) = account.get("storage").and_then(Value::as_object) {
            for (slot, value) in slots {
                let slot: B256 = slot.parse().map_err(|e| check(format!("genesis slot: {e}")))?;
                let value = u256(value)?;
                if !value.is_zero() {
                    storage.push((slot, value));
                }
            }
        }
        let storage_root = storage_root_unhashed(storage);
        accounts.push((address, TrieAccount { nonce, balance, storage_root, code_hash }));
    }
    let bytes = |name: &str| field(name).and_then(Value::as_str).map(mana_tests::hex_bytes);
    let base_fee = field("baseFeePerGas")
        .map(|v| quantity(v).map_err(|e| check(format!("genesis baseFeePerGas: {e}"))))
        .transpose()?;
    Ok(Header {
        parent_hash: B256::ZERO,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: bytes("coinbase").map(|b| Address::from_slice(&b)).unwrap_or_default(),
        state_root: state_root_unhashed(accounts),
        transactions_root: EMPTY_ROOT_HASH,
        receipts_root: EMPTY_ROOT_HASH,
        logs_bloom: Bloom::ZERO,
        difficulty: U256::from(num("difficulty")?),
        number: num("number")?,
        gas_limit: num("gasLimit")?,
        gas_used: num("gasUsed")?,
        timestamp: num("timestamp")?,
        extra_data: bytes("extraData").unwrap_or_default().into(),
        mix_hash: bytes("mixHash").map(|b| B256::from_slice(&b)).unwrap_or_default(),
        nonce: B64::from(num("nonce")?),
        base_fee_per_gas: base_fee,
        ..Header::default()
    })
}

impl Chain {
    /// Builds the trusted chain from the only trusted input, `head_hash`, and the untrusted
    /// `chain.rlp` and `genesis.json`.
    fn build(head_hash: B256, mut rlp: &[u8], genesis: &Value) -> Result<Self, Fail> {
        let mut decoded = Vec::new();
        while !rlp.is_empty() {
            let block = Block::<TxEnvelope>::decode(&mut rlp)
                .map_err(|e| check(format!("chain.rlp block {}: {e}", decoded.len() + 1)))?;
            decoded.push(block);
        }
        let (head, older) = decoded.split_last().ok_or(check("chain.rlp holds no block"))?;
        verify_header(&head.header, &head_hash)?;
        let ancestors: Vec<Header> = older.iter().rev().map(|b| b.header.clone()).collect();
        verify_parent_chain(&head.header, &ancestors)?;
        let first = &decoded[0].header;
        ensure!(first.number == 1, "chain.rlp starts at block {}, not 1", first.number);
        let genesis_hash = first.parent_hash;
        let genesis = genesis_header(genesis)?;
        verify_header(&genesis, &genesis_hash)?;

        let genesis_block = Block {
            header: genesis,
            body: BlockBody { transactions: Vec::new(), ommers: Vec::new(), withdrawals: None },
        };
        let blocks: Vec<Block<TxEnvelope>> =
            std::iter::once(genesis_block).chain(decoded).collect();
        let head = blocks.len() as u64 - 1;
        // The hash of each block is its child's parent hash (all linked above) and the trusted
        // head hash for the head.
        let mut hashes: Vec<B256> = blocks.iter().skip(1).map(|b| b.header.parent_hash).collect();
        hashes.push(head_hash);
        let mut signers = Vec::new();
        let mut transactions = HashMap::new();
        for (number, block) in blocks.iter().enumerate() {
            let body = &block.body;
            signers.push(verify_transactions(&block.header, &body.transactions)?);
            verify_ommers(&block.header, &body.ommers)?;
            verify_withdrawals(&block.header, body.withdrawals.as_ref().map(|w| w.as_slice()))?;
            for (index, tx) in body.transactions.iter().enumerate() {
                transactions.insert(transaction_hash(tx), (number as u64, index));
            }
        }
        let by_hash = hashes.iter().enumerate().map(|(n, h)| (*h, n as u64)).collect();
        Ok(Self { head, blocks, hashes, by_hash, signers, transactions })
    }

    fn load(root: &Path) -> Self {
        let fcu = read_json(&root.join("headfcu.json"));
        let state = &fcu["params"][0];
        let head = hash(&state["headBlockHash"]).expect("headfcu.json headBlockHash");
        for tag in ["safeBlockHash", "finalizedBlockHash"] {
            assert_eq!(hash(&state[tag]).ok(), Some(head), "{tag} differs from the head");
        }
        let rlp = std::fs::read(root.join("chain.rlp")).expect("chain.rlp");
        let genesis = read_json(&root.join("genesis.json"));
        Self::build(head, &rlp, &genesis).unwrap_or_else(|e| panic!("trusted chain: {e}"))
    }

    /// The block number `r` names in the trusted chain, if it has it. The fork-choice update
    /// names the head as safe and finalized too.
    fn resolve(&self, r: BlockRef) -> Option<u64> {
        match r {
            BlockRef::Number(n) => (n <= self.head).then_some(n),
            BlockRef::Hash(h) => self.by_hash.get(&h).copied(),
            BlockRef::Earliest => Some(0),
            BlockRef::Latest | BlockRef::Safe | BlockRef::Finalized => Some(self.head),
            BlockRef::Pending => None,
        }
    }

    fn header(&self, n: u64) -> &Header {
        &self.blocks[n as usize].header
    }

    fn txs(&self, n: u64) -> &[TxEnvelope] {
        &self.blocks[n as usize].body.transactions
    }

    fn hash(&self, n: u64) -> B256 {
        self.hashes[n as usize]
    }
}

// ---------------------------------------------------------------------------------------------
// Shared checks

struct Ctx<'a> {
    chain: &'a Chain,
    forkenv: &'a Value,
    /// Receipts verified against their block's receipts root (blooms recomputed), by block.
    receipts: BTreeMap<u64, Vec<ReceiptEnvelope>>,
}

impl Ctx<'_> {
    fn forkenv_u64(&self, key: &str) -> Result<u64, Fail> {
        self.forkenv
            .get(key)
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| check(format!("forkenv.json has no numeric {key}")))
    }

    /// The blob base fee of block `n` (EIP-4844 `fake_exponential` with the update fraction of
    /// the block's fork from `forkenv.json`).
    fn blob_base_fee(&self, n: u64) -> Result<Option<u128>, Fail> {
        let header = self.chain.header(n);
        let Some(excess) = header.excess_blob_gas else { return Ok(None) };
        let mut fraction = None;
        for fork in ["CANCUN", "PRAGUE", "OSAKA", "BPO1", "BPO2"] {
            if self.forkenv_u64(&format!("HIVE_{fork}_TIMESTAMP"))? <= header.timestamp {
                fraction =
                    Some(self.forkenv_u64(&format!("HIVE_{fork}_BLOB_BASE_FEE_UPDATE_FRACTION"))?);
            }
        }
        let fraction = fraction.ok_or(check("blob gas fields before Cancun"))?;
        Ok(Some(alloy_eips::eip4844::fake_exponential(1, excess.into(), fraction.into())))
    }

    /// Stores receipts of block `n` that verified against its receipts root.
    fn remember(&mut self, n: u64, receipts: Vec<ReceiptEnvelope>) -> Result<(), Fail> {
        if let Some(known) = self.receipts.get(&n) {
            ensure!(*known == receipts, "block {n}: two verified receipt lists differ");
        }
        self.receipts.insert(n, receipts);
        Ok(())
    }
}

fn encoded(tx: &impl Encodable2718) -> Vec<u8> {
    tx.encoded_2718()
}

/// Checks an RPC transaction object served as transaction `i` of trusted block `n`, whose
/// envelope and signer were verified (against the root and by recovery) to be `tx` and `signer`.
/// `json` is the served object, for its `hash` field. (alloy keeps that field unchecked as the
/// cached hash of the decoded envelope; `transaction_hash` recomputes it.)
fn check_rpc_tx(
    chain: &Chain,
    json: &Value,
    served: &RpcTransaction,
    (n, i): (u64, usize),
    tx: &TxEnvelope,
    signer: Address,
) -> Result<(), Fail> {
    let header = chain.header(n);
    let what = |field: &str| format!("block {n} tx {i} {field}");
    ensure!(
        encoded(served.inner.inner()) == encoded(tx),
        "{}",
        what("differs from the trusted one")
    );
    let served_hash = hash(json.get("hash").unwrap_or(&Value::Null)).map_err(check)?;
    ensure_eq!(served_hash, transaction_hash(tx), what("hash"));
    ensure_eq!(served.inner.signer(), signer, what("from"));
    ensure_eq!(served.block_hash, Some(chain.hash(n)), what("blockHash"));
    ensure_eq!(served.block_number, Some(n), what("blockNumber"));
    ensure_eq!(served.transaction_index, Some(i as u64), what("transactionIndex"));
    if let Some(timestamp) = served.block_timestamp {
        ensure_eq!(timestamp, header.timestamp, what("blockTimestamp"));
    }
    if let Some(price) = served.effective_gas_price {
        ensure_eq!(price, tx.effective_gas_price(header.base_fee_per_gas), what("gasPrice"));
    }
    Ok(())
}

/// Checks an RPC receipt served for transaction `i` of trusted block `n`. `verified` are the
/// block's receipts when they were verified against its receipts root; without them the
/// consensus part (status, cumulative gas, logs) is only checked for internal consistency.
fn check_rpc_receipt(
    ctx: &Ctx<'_>,
    served: &TransactionReceipt,
    n: u64,
    i: usize,
    verified: Option<&[ReceiptEnvelope]>,
) -> Result<(), Fail> {
    let chain = ctx.chain;
    let header = chain.header(n);
    let tx = chain.txs(n).get(i).ok_or_else(|| check(format!("block {n} has no tx {i}")))?;
    let signer = chain.signers[n as usize][i];
    let what = |field: &str| format!("receipt of block {n} tx {i}: {field}");
    ensure_eq!(served.block_hash, Some(chain.hash(n)), what("blockHash"));
    ensure_eq!(served.block_number, Some(n), what("blockNumber"));
    ensure_eq!(served.transaction_index, Some(i as u64), what("transactionIndex"));
    ensure_eq!(served.transaction_hash, transaction_hash(tx), what("transactionHash"));
    ensure_eq!(served.inner.tx_type(), tx.tx_type(), what("type"));
    ensure_eq!(served.from, signer, what("from"));
    ensure_eq!(served.to, tx.to(), what("to"));
    let created = tx.kind().is_create().then(|| signer.create(tx.nonce()));
    ensure_eq!(served.contract_address, created, what("contractAddress"));
    let price = tx.effective_gas_price(header.base_fee_per_gas);
    ensure_eq!(served.effective_gas_price, price, what("effectiveGasPrice"));
    ensure_eq!(served.blob_gas_used, tx.blob_gas_used(), what("blobGasUsed"));
    let blob_price = if tx.is_eip4844() { ctx.blob_base_fee(n)? } else { None };
    ensure_eq!(served.blob_gas_price, blob_price, what("blobGasPrice"));

    let consensus: ReceiptEnvelope = served.inner.clone().map_logs(|l: RpcLog| l.inner);
    let mut bloom = Bloom::ZERO;
    for log in consensus.logs() {
        bloom.accrue_log(log);
    }
    ensure_eq!(*consensus.logs_bloom(), bloom, what("logsBloom (against its logs)"));
    let first_log_index = match verified {
        Some(receipts) => {
            let trusted = receipts.get(i).ok_or_else(|| check(what("beyond the receipts")))?;
            ensure!(
                consensus.encoded_2718() == trusted.encoded_2718(),
                "{}",
                what("differs from the verified receipt")
            );
            let before = if i == 0 { 0 } else { receipts[i - 1].cumulative_gas_used() };
            let gas = trusted.cumulative_gas_used().checked_sub(before);
            ensure_eq!(Some(served.gas_used), gas, what("gasUsed"));
            Some(receipts[..i].iter().map(|r| r.logs().len() as u64).sum::<u64>())
        }
        None if i == 0 => {
            ensure_eq!(served.gas_used, consensus.cumulative_gas_used(), what("gasUsed"));
            Some(0)
        }
        None => None,
    };
    for (j, log) in served.inner.logs().iter().enumerate() {
        let what = |field: &str| what(&format!("log {j} {field}"));
        ensure_eq!(log.block_hash, Some(chain.hash(n)), what("blockHash"));
        ensure_eq!(log.block_number, Some(n), what("blockNumber"));
        ensure_eq!(log.transaction_hash, Some(transaction_hash(tx)), what("transactionHash"));
        ensure_eq!(log.transaction_index, Some(i as u64), what("transactionIndex"));
        ensure!(!log.removed, "{}", what("removed"));
        if let Some(timestamp) = log.block_timestamp {
            ensure_eq!(timestamp, header.timestamp, what("blockTimestamp"));
        }
        if let Some(first) = first_log_index {
            ensure_eq!(log.log_index, Some(first + j as u64), what("logIndex"));
        }
        // Holds even when the block's receipts are unknown: its bloom covers every log.
        ensure!(
            header.logs_bloom.contains_log(&log.inner),
            "{}",
            what("is not in the block bloom")
        );
    }
    Ok(())
}

/// Verifies a block's full receipt list against its header and every RPC field; returns the
/// verified receipts.
fn verify_rpc_receipts(
    ctx: &Ctx<'_>,
    n: u64,
    served: &[TransactionReceipt],
) -> Result<Vec<ReceiptEnvelope>, Fail> {
    let consensus: Vec<ReceiptEnvelope> =
        served.iter().map(|r| r.inner.clone().map_logs(|l: RpcLog| l.inner)).collect();
    let verified = verify_receipts(ctx.chain.header(n), &consensus)?;
    ensure!(
        served.len() == ctx.chain.txs(n).len(),
        "block {n}: {} receipts for {} transactions",
        served.len(),
        ctx.chain.txs(n).len()
    );
    for (i, receipt) in served.iter().enumerate() {
        check_rpc_receipt(ctx, receipt, n, i, Some(&verified))?;
    }
    Ok(verified)
}

// ---------------------------------------------------------------------------------------------
// Handlers

fn block(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    let chain = ctx.chain;
    let r = match param(params, 0).and_then(block_ref) {
        Ok(r) => r,
        Err(why) => return malformed(reply, &why),
    };
    let full = params.get(1).and_then(Value::as_bool).unwrap_or(false);
    let Some(n) = chain.resolve(r) else { return absent(reply, &format!("block {r:?}")) };
    let served: RpcBlock = decode(reply.result()?, "block")?;
    let expected = chain.hash(n);
    // The header is verified by its hash alone.
    verify_header(&served.header.inner, &expected)?;
    ensure_eq!(served.header.hash, expected, "block hash field");
    let header = &served.header.inner;
    let trusted = &chain.blocks[n as usize];
    if let Some(size) = served.header.size {
        ensure_eq!(size, U256::from(trusted.length()), "block size");
    }
    let json = reply.result()?;
    match &served.transactions {
        BlockTransactions::Full(txs) => {
            ensure!(full || txs.is_empty(), "full transactions for a hashes-only request");
            let envelopes: Vec<TxEnvelope> = txs.iter().map(|t| t.inner.inner().clone()).collect();
            let signers = verify_transactions(header, &envelopes)?;
            for (i, (tx, signer)) in txs.iter().zip(signers).enumerate() {
                let tx_json = &json["transactions"][i];
                check_rpc_tx(chain, tx_json, tx, (n, i), &envelopes[i], signer)?;
            }
        }
        BlockTransactions::Hashes(hashes) => {
            ensure!(!full || hashes.is_empty(), "hashes for a full-transactions request");
            let expected: Vec<B256> =
                trusted.body.transactions.iter().map(transaction_hash).collect();
            ensure_eq!(*hashes, expected, "transaction hashes");
        }
        BlockTransactions::Uncle => return Err(check("an uncle-shaped block")),
    }
    let uncles: Vec<B256> = trusted.body.ommers.iter().map(Header::hash_slow).collect();
    ensure_eq!(served.uncles, uncles, "uncles");
    verify_withdrawals(header, served.withdrawals.as_ref().map(|w| w.as_slice()))?;
    Ok(Verdict::Verified)
}

fn block_receipts(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    let r = match param(params, 0).and_then(block_ref) {
        Ok(r) => r,
        Err(why) => return malformed(reply, &why),
    };
    let Some(n) = ctx.chain.resolve(r) else { return absent(reply, &format!("block {r:?}")) };
    let served: Vec<TransactionReceipt> = decode(reply.result()?, "receipts")?;
    let verified = verify_rpc_receipts(ctx, n, &served)?;
    ctx.remember(n, verified)?;
    Ok(Verdict::Verified)
}

fn raw_receipts(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    let r = match param(params, 0).and_then(block_ref) {
        Ok(r) => r,
        Err(why) => return malformed(reply, &why),
    };
    let Some(n) = ctx.chain.resolve(r) else { return absent(reply, &format!("block {r:?}")) };
    let raw: Vec<Bytes> = decode(reply.result()?, "raw receipts")?;
    let mut served = Vec::new();
    for (i, bytes) in raw.iter().enumerate() {
        let mut buf = bytes.as_ref();
        let receipt = ReceiptEnvelope::decode_2718(&mut buf)
            .map_err(|e| check(format!("raw receipt {i}: {e}")))?;
        ensure!(buf.is_empty(), "raw receipt {i}: trailing bytes");
        served.push(receipt);
    }
    let verified = verify_receipts(ctx.chain.header(n), &served)?;
    ensure_eq!(served.len(), ctx.chain.txs(n).len(), "receipt count");
    for (i, (s, v)) in served.iter().zip(&verified).enumerate() {
        ensure_eq!(s.logs_bloom(), v.logs_bloom(), format!("raw receipt {i} bloom"));
        ensure_eq!(s.tx_type(), ctx.chain.txs(n)[i].tx_type(), format!("raw receipt {i} type"));
    }
    ctx.remember(n, verified)?;
    Ok(Verdict::Verified)
}

fn transaction_receipt(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    let tx_hash = match param(params, 0).and_then(hash) {
        Ok(h) => h,
        Err(why) => return malformed(reply, &why),
    };
    let Some(&(n, i)) = ctx.chain.transactions.get(&tx_hash) else {
        return absent(reply, &format!("transaction {tx_hash}"));
    };
    let served: TransactionReceipt = decode(reply.result()?, "receipt")?;
    if let Some(known) = ctx.receipts.get(&n) {
        check_rpc_receipt(ctx, &served, n, i, Some(known))?;
        return Ok(Verdict::Verified);
    }
    let count = ctx.chain.txs(n).len();
    if count == 1 {
        // The only receipt of the block is the whole receipts list.
        let verified = verify_rpc_receipts(ctx, n, std::slice::from_ref(&served))?;
        ctx.remember(n, verified)?;
        return Ok(Verdict::Verified);
    }
    check_rpc_receipt(ctx, &served, n, i, None)?;
    Ok(Verdict::Skipped(format!(
        "block {n} has {count} transactions and no fixture serves all its receipts: this \
         receipt's status, cumulative gas and logs cannot be checked against the receipts root \
         (block, transaction, sender, recipient, contract address and prices were verified)"
    )))
}

fn transaction_by_hash(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    let tx_hash = match param(params, 0).and_then(hash) {
        Ok(h) => h,
        Err(why) => return malformed(reply, &why),
    };
    let Some(&(n, i)) = ctx.chain.transactions.get(&tx_hash) else {
        return absent(reply, &format!("transaction {tx_hash}"));
    };
    served_transaction(ctx.chain, reply, n, i)
}

fn transaction_by_block_and_index(
    ctx: &mut Ctx<'_>,
    params: &[Value],
    reply: &Reply<'_>,
) -> Outcome {
    let parsed = param(params, 0).and_then(block_ref).and_then(|r| {
        let index = param(params, 1).and_then(quantity)?;
        Ok((r, index))
    });
    let (r, index) = match parsed {
        Ok(p) => p,
        Err(why) => return malformed(reply, &why),
    };
    let Some(n) = ctx.chain.resolve(r) else { return absent(reply, &format!("block {r:?}")) };
    if index >= ctx.chain.txs(n).len() as u64 {
        return absent(reply, &format!("transaction {index} of block {n}"));
    }
    served_transaction(ctx.chain, reply, n, index as usize)
}

/// A served transaction object must be transaction `i` of trusted block `n`.
fn served_transaction(chain: &Chain, reply: &Reply<'_>, n: u64, i: usize) -> Outcome {
    let json = reply.result()?;
    let served: RpcTransaction = decode(json, "transaction")?;
    let tx = &chain.txs(n)[i];
    // Recover from the served envelope itself: the signer must be its `from`.
    let signer = served
        .inner
        .inner()
        .recover_signer()
        .map_err(|_| Fail::Exec(Error::InvalidSignature { index: i }))?;
    check_rpc_tx(chain, json, &served, (n, i), tx, signer)?;
    ensure_eq!(signer, chain.signers[n as usize][i], "signer");
    Ok(Verdict::Verified)
}

fn transaction_count(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    let r = match param(params, 0).and_then(block_ref) {
        Ok(r) => r,
        Err(why) => return malformed(reply, &why),
    };
    let Some(n) = ctx.chain.resolve(r) else { return absent(reply, &format!("block {r:?}")) };
    let count = quantity(reply.result()?).map_err(check)?;
    ensure_eq!(count, ctx.chain.txs(n).len() as u64, format!("transaction count of block {n}"));
    Ok(Verdict::Verified)
}

fn proof(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    let parsed = (|| -> Result<_, String> {
        let account = param(params, 0).and_then(address)?;
        let keys = param(params, 1)?.as_array().ok_or("storage keys are not a list")?;
        let keys = keys.iter().map(storage_key).collect::<Result<Vec<_>, _>>()?;
        let r = params.get(2).map_or(Ok(BlockRef::Latest), block_ref)?;
        Ok((account, keys, r))
    })();
    let (account, keys, r) = match parsed {
        Ok(p) => p,
        Err(why) => return malformed(reply, &why),
    };
    let Some(n) = ctx.chain.resolve(r) else { return absent(reply, &format!("block {r:?}")) };
    let served: EIP1186AccountProofResponse = decode(reply.result()?, "proof")?;
    verify_proof_response(ctx.chain.header(n), account, &keys, &served)?;
    Ok(Verdict::Verified)
}

fn verify_proof_response(
    header: &Header,
    account: Address,
    keys: &[B256],
    served: &EIP1186AccountProofResponse,
) -> Result<(), Fail> {
    ensure_eq!(served.address, account, "proof address");
    let claimed = Account {
        nonce: served.nonce,
        balance: served.balance,
        storage_root: served.storage_hash,
        code_hash: served.code_hash,
    };
    verify_account(&header.state_root, &account, &claimed, &served.account_proof)?;
    let served_keys: Vec<B256> = served.storage_proof.iter().map(|p| p.key.as_b256()).collect();
    ensure_eq!(served_keys, keys.to_vec(), "storage proof keys");
    for p in &served.storage_proof {
        verify_storage(&account, &served.storage_hash, &p.key.as_b256(), &p.value, &p.proof)?;
    }
    Ok(())
}

fn logs(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    let chain = ctx.chain;
    let filter: Filter = match param(params, 0).map_err(check).and_then(|f| decode(f, "filter")) {
        Ok(f) => f,
        Err(why) => return malformed(reply, &why.to_string()),
    };
    let numbers: Vec<u64> = match filter.block_option {
        FilterBlockOption::AtBlockHash(h) => match chain.by_hash.get(&h) {
            Some(&n) => vec![n],
            None => return absent(reply, &format!("block {h}")),
        },
        FilterBlockOption::Range { from_block, to_block } => {
            let bound = |b: Option<alloy_eips::BlockNumberOrTag>| -> Option<u64> {
                use alloy_eips::BlockNumberOrTag as T;
                match b.unwrap_or(T::Latest) {
                    T::Number(n) => Some(n),
                    T::Earliest => Some(0),
                    T::Latest | T::Safe | T::Finalized => Some(chain.head),
                    T::Pending => None,
                }
            };
            let (Some(from), Some(to)) = (bound(from_block), bound(to_block)) else {
                return absent(reply, "the pending block");
            };
            if from > to {
                return malformed(reply, &format!("reversed range {from}..={to}"));
            }
            if to > chain.head {
                return absent(reply, &format!("blocks up to {to} (head {})", chain.head));
            }
            (from..=to).collect()
        }
    };
    let wanted = LogFilter {
        addresses: filter.address.iter().copied().collect(),
        topics: filter.topics.clone().map(|t| t.iter().copied().collect()),
    };
    let served: Vec<RpcLog> = decode(reply.result()?, "logs")?;

    let mut by_block: BTreeMap<u64, Vec<&RpcLog>> = BTreeMap::new();
    let mut previous = None;
    for (k, log) in served.iter().enumerate() {
        let n = log.block_number.ok_or_else(|| check(format!("log {k} has no blockNumber")))?;
        ensure!(numbers.contains(&n), "log {k} is from block {n}, outside the filter");
        let header = chain.header(n);
        ensure_eq!(log.block_hash, Some(chain.hash(n)), format!("log {k} blockHash"));
        ensure!(wanted.matches(&log.inner), "log {k} does not match the filter");
        ensure!(!log.removed, "log {k} is marked removed");
        let i = log.transaction_index.ok_or_else(|| check(format!("log {k} has no index")))?;
        let tx =
            chain.txs(n).get(i as usize).ok_or_else(|| check(format!("log {k}: no tx {i}")))?;
        ensure_eq!(
            log.transaction_hash,
            Some(transaction_hash(tx)),
            format!("log {k} transactionHash")
        );
        if let Some(timestamp) = log.block_timestamp {
            ensure_eq!(timestamp, header.timestamp, format!("log {k} blockTimestamp"));
        }
        // The block's bloom must hold the log's address and every topic.
        ensure!(header.logs_bloom.contains_log(&log.inner), "log {k} is not in block {n}'s bloom");
        let position = (n, log.log_index);
        ensure!(previous < Some(position), "log {k} is out of order");
        previous = Some(position);
        by_block.entry(n).or_default().push(log);
    }

    let mut unverified = Vec::new();
    for &n in &numbers {
        let returned = by_block.remove(&n).unwrap_or_default();
        if !bloom_may_match(&chain.header(n).logs_bloom, &wanted) {
            ensure!(returned.is_empty(), "logs served for block {n}, whose bloom cannot match");
            continue;
        }
        let Some(receipts) = ctx.receipts.get(&n) else {
            unverified.push(n);
            continue;
        };
        // With the verified receipts the answer is exact: every matching log, in order.
        let mut expected = Vec::new();
        let mut log_index = 0u64;
        for (i, receipt) in receipts.iter().enumerate() {
            for log in receipt.logs() {
                if wanted.matches(log) {
                    expected.push((log.clone(), i as u64, log_index));
                }
                log_index += 1;
            }
        }
        let got: Vec<_> = returned
            .iter()
            .map(|l| {
                (
                    l.inner.clone(),
                    l.transaction_index.unwrap_or(u64::MAX),
                    l.log_index.unwrap_or(u64::MAX),
                )
            })
            .collect();
        ensure_eq!(got, expected, format!("logs of block {n}"));
    }
    if unverified.is_empty() {
        Ok(Verdict::Verified)
    } else {
        Ok(Verdict::Skipped(format!(
            "blocks {unverified:?} may hold matching logs (bloom) but no fixture serves their \
             receipts: the served logs there were checked against the filter, the bloom, the \
             block and the transaction hash, not for presence in or completeness against the \
             receipts root"
        )))
    }
}

fn chain_id(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    ensure!(params.is_empty(), "eth_chainId takes no parameters");
    let served = quantity(reply.result()?).map_err(check)?;
    ensure_eq!(served, ctx.forkenv_u64("HIVE_CHAIN_ID")?, "chain id against forkenv.json");
    // Every replay-protected transaction of the trusted chain commits to the chain id.
    let ids: Vec<u64> = ctx
        .chain
        .blocks
        .iter()
        .flat_map(|b| &b.body.transactions)
        .filter_map(|t| t.chain_id())
        .collect();
    ensure!(!ids.is_empty(), "no transaction carries a chain id");
    ensure!(ids.iter().all(|id| *id == served), "a trusted transaction has another chain id");
    Ok(Verdict::Verified)
}

fn net_version(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    ensure!(params.is_empty(), "net_version takes no parameters");
    let served = reply.result()?.as_str().ok_or(check("net_version is not a string"))?;
    let served: u64 = served.parse().map_err(|e| check(format!("net_version {served:?}: {e}")))?;
    ensure_eq!(served, ctx.forkenv_u64("HIVE_NETWORK_ID")?, "network id against forkenv.json");
    Ok(Verdict::Verified)
}

fn block_number(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    ensure!(params.is_empty(), "eth_blockNumber takes no parameters");
    let served = quantity(reply.result()?).map_err(check)?;
    ensure_eq!(served, ctx.chain.head, "head number");
    Ok(Verdict::Verified)
}

fn raw_bytes(reply: &Reply<'_>) -> Result<Bytes, Fail> {
    decode(reply.result()?, "raw bytes")
}

fn raw_header(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    let r = match param(params, 0).and_then(block_ref) {
        Ok(r) => r,
        Err(why) => return malformed(reply, &why),
    };
    let Some(n) = ctx.chain.resolve(r) else { return absent(reply, &format!("block {r:?}")) };
    let raw = raw_bytes(reply)?;
    let mut buf = raw.as_ref();
    let header = Header::decode(&mut buf).map_err(|e| check(format!("raw header: {e}")))?;
    ensure!(buf.is_empty(), "raw header: trailing bytes");
    verify_header(&header, &ctx.chain.hash(n))?;
    ensure!(alloy_rlp::encode(&header) == raw.as_ref(), "raw header is not canonical RLP");
    Ok(Verdict::Verified)
}

fn raw_block(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    let r = match param(params, 0).and_then(block_ref) {
        Ok(r) => r,
        Err(why) => return malformed(reply, &why),
    };
    let Some(n) = ctx.chain.resolve(r) else { return absent(reply, &format!("block {r:?}")) };
    let raw = raw_bytes(reply)?;
    let mut buf = raw.as_ref();
    let block =
        Block::<TxEnvelope>::decode(&mut buf).map_err(|e| check(format!("raw block: {e}")))?;
    ensure!(buf.is_empty(), "raw block: trailing bytes");
    verify_header(&block.header, &ctx.chain.hash(n))?;
    let signers = verify_transactions(&block.header, &block.body.transactions)?;
    ensure_eq!(signers, ctx.chain.signers[n as usize], "signers");
    verify_ommers(&block.header, &block.body.ommers)?;
    verify_withdrawals(&block.header, block.body.withdrawals.as_ref().map(|w| w.as_slice()))?;
    ensure!(alloy_rlp::encode(&block) == raw.as_ref(), "raw block is not canonical RLP");
    Ok(Verdict::Verified)
}

fn raw_transaction(ctx: &mut Ctx<'_>, params: &[Value], reply: &Reply<'_>) -> Outcome {
    let tx_hash = match param(params, 0).and_then(hash) {
        Ok(h) => h,
        Err(why) => return malformed(reply, &why),
    };
    let Some(&(n, i)) = ctx.chain.transactions.get(&tx_hash) else {
        return absent(reply, &format!("transaction {tx_hash}"));
    };
    let raw = raw_bytes(reply)?;
    ensure_eq!(keccak256(&raw), tx_hash, "hash of the raw transaction");
    let mut buf = raw.as_ref();
    let tx = TxEnvelope::decode_2718(&mut buf).map_err(|e| check(format!("raw tx: {e}")))?;
    ensure!(buf.is_empty(), "raw transaction: trailing bytes");
    ensure!(encoded(&tx) == encoded(&ctx.chain.txs(n)[i]), "raw tx differs from the trusted one");
    let signer =
        tx.recover_signer().map_err(|_| Fail::Exec(Error::InvalidSignature { index: i }))?;
    ensure_eq!(signer, ctx.chain.signers[n as usize][i], "signer");
    Ok(Verdict::Verified)
}

// ---------------------------------------------------------------------------------------------
// The runner

fn run_exchange(ctx: &mut Ctx<'_>, handler: Handler, request: &Value, response: &Value) -> Outcome {
    let params = match request.get("params") {
        None => Vec::new(),
        Some(Value::Array(params)) => params.clone(),
        Some(other) => return Err(check(format!("params {other} are not a list"))),
    };
    ensure_eq!(request.get("id"), response.get("id"), "response id");
    handler(ctx, &params, &Reply::of(response)?)
}

#[derive(Debug, Default)]
struct Counts {
    passed: usize,
    failed: usize,
    skipped: usize,
    not_applicable: usize,
}

#[test]
fn execution_apis_rpc_compat() {
    let root = rpc_compat_root();
    let chain = Chain::load(&root);
    let forkenv = read_json(&root.join("forkenv.json"));
    let mut ctx = Ctx { chain: &chain, forkenv: &forkenv, receipts: BTreeMap::new() };
    println!(
        "trusted chain: head {} = {} (blocks 0..={}, {} transactions)",
        chain.head,
        chain.hash(chain.head),
        chain.head,
        chain.transactions.len()
    );

    for (method, _) in HANDLED {
        assert!(
            !NOT_APPLICABLE.iter().any(|(m, _)| m == method),
            "{method} is both handled and not applicable"
        );
    }
    let mut tally = mana_tests::Tally::new("execution-apis rpc-compat (files)");
    tally.skip_all(NOT_APPLICABLE).skip_all(UNVERIFIED_CASES);
    // The chain and its configuration, read by `Chain::load` and above.
    for file in ["chain.rlp", "genesis.json", "headfcu.json", "forkenv.json"] {
        tally.touch(&root.join(file));
    }
    let dirs = mana_tests::subdirs(&root);
    let mut unexpected = Vec::new();
    let mut cases_by_method: BTreeMap<String, Vec<Case>> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    for dir in &dirs {
        let method = dir.file_name().unwrap().to_string_lossy().into_owned();
        let handled = HANDLED.iter().any(|(m, _)| *m == method);
        let not_applicable = NOT_APPLICABLE.iter().any(|(m, _)| *m == method);
        if !handled && !not_applicable {
            unexpected.push(method.clone());
        }
        for file in mana_tests::files_under(dir) {
            if file.extension().is_none_or(|e| e != "io") {
                failures.push(format!("{}: not an .io file", file.display()));
                tally.touch(&file);
                tally.record(&file, Err("not an .io file".into()));
                continue;
            }
            if not_applicable {
                // Not touched: the method is on the skip list.
                counts.entry(method.clone()).or_default().not_applicable += 1;
                continue;
            }
            match read_case(&method, &file) {
                Ok(case) => cases_by_method.entry(method.clone()).or_default().push(case),
                Err(e) => {
                    counts.entry(method.clone()).or_default().failed += 1;
                    failures.push(format!("{}: {e}", file.display()));
                    tally.touch(&file);
                    tally.record(&file, Err(e.to_string()));
                }
            }
        }
    }
    for (method, _) in NOT_APPLICABLE {
        if !dirs.iter().any(|d| d.ends_with(method)) {
            notes.push(format!("{method}: listed as not applicable but has no fixtures"));
        }
    }

    for (method, handler) in HANDLED {
        for case in cases_by_method.remove(*method).unwrap_or_default() {
            let name = case.path.strip_prefix(&root).unwrap_or(&case.path).display().to_string();
            let outcome = if case.exchanges.len() == 1 {
                let (request, response) = &case.exchanges[0];
                if request.get("method").and_then(Value::as_str) == Some(case.method.as_str()) {
                    run_exchange(&mut ctx, *handler, request, response)
                } else {
                    Err(check(format!("request method differs from the directory {method}")))
                }
            } else {
                Err(check(format!("{} exchanges, expected one", case.exchanges.len())))
            };
            let count = counts.entry(method.to_string()).or_default();
            let relative = case.path.strip_prefix(&root).unwrap_or(&case.path);
            let listed = tally.skip_reason(relative).is_some();
            match outcome {
                Ok(Verdict::Verified) => {
                    count.passed += 1;
                    tally.touch(&case.path);
                    tally.record(&case.path, Ok(()));
                }
                Ok(Verdict::Skipped(reason) | Verdict::NotApplicable(reason)) if !listed => {
                    count.failed += 1;
                    failures.push(format!(
                        "{name}: not verified, and not in UNVERIFIED_CASES: {reason}"
                    ));
                    tally.touch(&case.path);
                    tally.record(&case.path, Err(format!("unexpected skip: {reason}")));
                }
                // Not touched: the case is on the skip list.
                Ok(Verdict::Skipped(reason)) => {
                    count.skipped += 1;
                    notes.push(format!("SKIPPED {name}: {reason}"));
                }
                Ok(Verdict::NotApplicable(reason)) => {
                    count.not_applicable += 1;
                    notes.push(format!("N/A {name}: {reason}"));
                }
                Err(fail) => {
                    count.failed += 1;
                    failures.push(format!("{name}: {fail}"));
                    tally.touch(&case.path);
                    tally.record(&case.path, Err(fail.to_string()));
                }
            }
        }
    }

    let total = counts.values().fold(Counts::default(), |a, c| Counts {
        passed: a.passed + c.passed,
        failed: a.failed + c.failed,
        skipped: a.skipped + c.skipped,
        not_applicable: a.not_applicable + c.not_applicable,
    });
    println!(
        "execution-apis rpc-compat: {} passed, {} failed, {} not applicable ({} methods)",
        total.passed,
        total.failed,
        total.not_applicable + total.skipped,
        dirs.len()
    );
    println!(
        "  not applicable = {} cases of {} not-applicable methods + {} errors for malformed \
         requests + {} cases skipped in handled methods (part of the response unverifiable)",
        NOT_APPLICABLE
            .iter()
            .filter_map(|(m, _)| counts.get(*m))
            .map(|c| c.not_applicable)
            .sum::<usize>(),
        NOT_APPLICABLE.iter().filter(|(m, _)| counts.contains_key(*m)).count(),
        HANDLED.iter().filter_map(|(m, _)| counts.get(*m)).map(|c| c.not_applicable).sum::<usize>(),
        total.skipped
    );
    println!("  verified receipts of blocks {:?}", ctx.receipts.keys().collect::<Vec<_>>());
    for (method, c) in &counts {
        let reason = NOT_APPLICABLE.iter().find(|(m, _)| m == method).map(|(_, r)| *r);
        match reason {
            Some(reason) => println!("  {method}: {} not applicable ({reason})", c.not_applicable),
            None => println!(
                "  {method}: {} passed, {} failed, {} skipped, {} not applicable",
                c.passed, c.failed, c.skipped, c.not_applicable
            ),
        }
    }
    for note in &notes {
        println!("  {note}");
    }
    for failure in &failures {
        println!("  FAILED {failure}");
    }
    assert!(unexpected.is_empty(), "method directories neither handled nor listed: {unexpected:?}");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(total.passed > 0, "nothing verified");
    tally.finish(&[root]);
}

// ---------------------------------------------------------------------------------------------
// Tampered responses

/// Loads the one exchange of `<method>/<case>.io`.
fn exchange(method: &str, case: &str) -> (Value, Value) {
    let path = rpc_compat_root().join(method).join(format!("{case}.io"));
    let mut case = read_case(method, &path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(case.exchanges.len(), 1);
    case.exchanges.remove(0)
}

fn handler_of(method: &str) -> Handler {
    HANDLED.iter().find(|(m, _)| *m == method).map(|(_, h)| *h).expect("handled method")
}

/// Runs `<method>/<case>.io` with its response changed by `tamper`.
fn tampered(
    ctx: &mut Ctx<'_>,
    method: &str,
    case: &str,
    tamper: impl FnOnce(&mut Value),
) -> Outcome {
    let (request, mut response) = exchange(method, case);
    tamper(&mut response);
    run_exchange(ctx, handler_of(method), &request, &response)
}

fn at<'a>(value: &'a mut Value, pointer: &str) -> &'a mut Value {
    value.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer} in the response"))
}

/// Flips the lowest bit of the last byte of a hex string.
fn flip_last_byte(value: &mut Value) {
    let mut bytes = mana_tests::hex_bytes(value.as_str().unwrap());
    *bytes.last_mut().unwrap() ^= 1;
    *value = Value::String(format!("0x{}", hex::encode(bytes)));
}

/// Replaces a quantity with `f(quantity)`.
fn map_quantity(value: &mut Value, f: impl FnOnce(u128) -> u128) {
    let n = u128::from_str_radix(value.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    *value = Value::String(format!("{:#x}", f(n)));
}

#[track_caller]
fn expect_exec(outcome: Outcome, what: &str, expected: impl Fn(&Error) -> bool) {
    match outcome {
        Err(Fail::Exec(e)) if expected(&e) => println!("  {what}: {e}"),
        other => panic!("{what}: unexpected outcome {other:?}"),
    }
}

#[track_caller]
fn expect_check(outcome: Outcome, what: &str, needle: &str) {
    match outcome {
        Err(Fail::Check(message)) if message.contains(needle) => println!("  {what}: {message}"),
        other => panic!("{what}: expected a {needle:?} mismatch, got {other:?}"),
    }
}

#[test]
fn tampered_responses_give_precise_errors() {
    let root = rpc_compat_root();
    let chain = Chain::load(&root);
    let forkenv = read_json(&root.join("forkenv.json"));
    let mut ctx = Ctx { chain: &chain, forkenv: &forkenv, receipts: BTreeMap::new() };

    // The untouched responses verify.
    for (method, case) in [
        ("eth_getProof", "get-account-proof-with-storage"),
        ("eth_getBlockReceipts", "get-block-receipts-latest"),
        ("eth_getBlockReceipts", "get-block-receipts-n"),
        ("eth_getBlockByNumber", "get-latest"),
        ("eth_getBlockByHash", "get-block-by-hash"),
        ("eth_getTransactionByHash", "get-blob-tx"),
        ("debug_getRawHeader", "get-block-n"),
        ("debug_getRawReceipts", "get-block-n"),
    ] {
        let outcome = tampered(&mut ctx, method, case, |_| {});
        assert!(matches!(outcome, Ok(Verdict::Verified)), "{method}/{case}: {outcome:?}");
    }
    // Receipts are remembered once verified: start the receipt cases from scratch.
    ctx.receipts.clear();

    let proof = ("eth_getProof", "get-account-proof-with-storage");
    let proven = address(&exchange(proof.0, proof.1).0["params"][0]).unwrap();
    let account_proof = |e: &Error| {
        matches!(e, Error::InvalidAccountProof { address, state_root, .. }
            if *address == proven && *state_root == chain.header(chain.head).state_root)
    };
    let storage_proof = |e: &Error| {
        matches!(e, Error::InvalidStorageProof(failure)
            if failure.address == proven && failure.slot == B256::ZERO)
    };
    for node in 0..3 {
        expect_exec(
            tampered(&mut ctx, proof.0, proof.1, |r| {
                flip_last_byte(at(r, &format!("/result/accountProof/{node}")));
            }),
            &format!("account proof node {node} with a flipped byte"),
            account_proof,
        );
    }
    expect_exec(
        tampered(&mut ctx, proof.0, proof.1, |r| map_quantity(at(r, "/result/balance"), |b| b + 1)),
        "balance + 1",
        account_proof,
    );
    expect_exec(
        tampered(&mut ctx, proof.0, proof.1, |r| map_quantity(at(r, "/result/nonce"), |n| n + 1)),
        "nonce + 1",
        account_proof,
    );
    expect_exec(
        tampered(&mut ctx, proof.0, proof.1, |r| flip_last_byte(at(r, "/result/codeHash"))),
        "code hash changed",
        account_proof,
    );
    expect_exec(
        tampered(&mut ctx, proof.0, proof.1, |r| flip_last_byte(at(r, "/result/storageHash"))),
        "storage root changed",
        account_proof,
    );
    expect_exec(
        tampered(&mut ctx, proof.0, proof.1, |r| {
            flip_last_byte(at(r, "/result/storageProof/0/proof/0"));
        }),
        "storage proof root node with a flipped byte",
        storage_proof,
    );
    expect_exec(
        tampered(&mut ctx, proof.0, proof.1, |r| {
            map_quantity(at(r, "/result/storageProof/0/value"), |v| v + 1);
        }),
        "storage value + 1",
        storage_proof,
    );
    expect_exec(
        tampered(&mut ctx, proof.0, proof.1, |r| {
            *at(r, "/result/storageProof/0/value") = Value::String("0x0".into());
        }),
        "storage value claimed zero",
        storage_proof,
    );
    expect_check(
        tampered(&mut ctx, proof.0, proof.1, |r| {
            *at(r, "/result/storageProof/0/key") = Value::String("0x1".into());
        }),
        "storage proof for another key",
        "storage proof keys",
    );

    // eth_getCode at the same block, checked against the proven code hash.
    let (_, code) = exchange("eth_getCode", "get-code");
    let code = mana_tests::hex_bytes(code["result"].as_str().unwrap());
    let (_, served) = exchange(proof.0, proof.1);
    let served: EIP1186AccountProofResponse =
        serde_json::from_value(served["result"].clone()).unwrap();
    assert_eq!(verify_code(&served.address, &served.code_hash, &code), Ok(()));
    let mut other = code.clone();
    other[0] ^= 1;
    expect_exec(
        Err(verify_code(&served.address, &served.code_hash, &other).unwrap_err().into()),
        "code with a flipped byte against the proven code hash",
        |e| matches!(e, Error::CodeHashMismatch { .. }),
    );

    // Receipts of the head block (its first receipt has logs).
    let receipts = ("eth_getBlockReceipts", "get-block-receipts-latest");
    let receipts_root = |e: &Error| matches!(e, Error::ReceiptsRootMismatch { .. });
    expect_exec(
        tampered(&mut ctx, receipts.0, receipts.1, |r| {
            let status = at(r, "/result/0/status");
            *status = Value::String(if status == "0x1" { "0x0" } else { "0x1" }.into());
        }),
        "receipt status flipped",
        receipts_root,
    );
    expect_exec(
        tampered(&mut ctx, receipts.0, receipts.1, |r| {
            map_quantity(at(r, "/result/0/cumulativeGasUsed"), |g| g + 1);
        }),
        "cumulative gas + 1",
        receipts_root,
    );
    let with_logs = {
        let (_, response) = exchange(receipts.0, receipts.1);
        response["result"]
            .as_array()
            .unwrap()
            .iter()
            .position(|r| !r["logs"].as_array().unwrap().is_empty())
            .expect("a receipt with logs in the head block")
    };
    expect_exec(
        tampered(&mut ctx, receipts.0, receipts.1, |r| {
            flip_last_byte(at(r, &format!("/result/{with_logs}/logs/0/data")));
        }),
        "log data changed",
        receipts_root,
    );
    expect_exec(
        tampered(&mut ctx, receipts.0, receipts.1, |r| {
            at(r, &format!("/result/{with_logs}/logs")).as_array_mut().unwrap().remove(0);
        }),
        "a log dropped",
        receipts_root,
    );
    expect_exec(
        tampered(&mut ctx, receipts.0, receipts.1, |r| {
            at(r, "/result").as_array_mut().unwrap().pop();
        }),
        "the last receipt dropped",
        receipts_root,
    );
    expect_check(
        tampered(&mut ctx, receipts.0, receipts.1, |r| {
            flip_last_byte(at(r, &format!("/result/{with_logs}/logsBloom")));
        }),
        "bloom changed (not in the root: recomputed, then compared)",
        "logsBloom",
    );
    expect_check(
        tampered(&mut ctx, receipts.0, receipts.1, |r| {
            map_quantity(at(r, "/result/0/gasUsed"), |g| g - 1);
        }),
        "gasUsed (derived from cumulative gas)",
        "gasUsed",
    );
    expect_check(
        tampered(&mut ctx, receipts.0, receipts.1, |r| {
            flip_last_byte(at(r, "/result/0/from"));
        }),
        "receipt from",
        "from",
    );
    expect_exec(
        tampered(&mut ctx, "debug_getRawReceipts", "get-block-n", |r| {
            // Block 3 predates Byzantium: its receipts carry a post-state root, at bytes 4..36.
            let raw = at(r, "/result/0");
            let mut bytes = mana_tests::hex_bytes(raw.as_str().unwrap());
            bytes[10] ^= 1;
            *raw = Value::String(format!("0x{}", hex::encode(bytes)));
        }),
        "raw pre-Byzantium receipt with a changed post-state root",
        receipts_root,
    );

    // Blocks and transactions.
    let latest = ("eth_getBlockByNumber", "get-latest");
    let tx_root = |e: &Error| matches!(e, Error::TransactionsRootMismatch { .. });
    let block_hash = |e: &Error| matches!(e, Error::BlockHashMismatch { .. });
    expect_exec(
        tampered(&mut ctx, latest.0, latest.1, |r| {
            map_quantity(at(r, "/result/transactions/0/value"), |v| v + 1);
        }),
        "transaction value + 1",
        tx_root,
    );
    expect_exec(
        tampered(&mut ctx, latest.0, latest.1, |r| {
            at(r, "/result/transactions").as_array_mut().unwrap().pop();
        }),
        "a transaction dropped",
        tx_root,
    );
    expect_check(
        tampered(&mut ctx, latest.0, latest.1, |r| {
            flip_last_byte(at(r, "/result/transactions/0/from"));
        }),
        "transaction from",
        "from",
    );
    expect_check(
        tampered(&mut ctx, latest.0, latest.1, |r| {
            flip_last_byte(at(r, "/result/transactions/0/hash"));
        }),
        "transaction hash field",
        "hash",
    );
    for field in ["gasUsed", "timestamp", "baseFeePerGas", "excessBlobGas"] {
        expect_exec(
            tampered(&mut ctx, latest.0, latest.1, |r| {
                map_quantity(at(r, &format!("/result/{field}")), |v| v + 1);
            }),
            &format!("header {field} + 1"),
            block_hash,
        );
    }
    for field in ["stateRoot", "receiptsRoot", "parentBeaconBlockRoot", "requestsHash"] {
        expect_exec(
            tampered(&mut ctx, latest.0, latest.1, |r| {
                flip_last_byte(at(r, &format!("/result/{field}")))
            }),
            &format!("header {field} changed"),
            block_hash,
        );
    }
    expect_check(
        tampered(&mut ctx, latest.0, latest.1, |r| flip_last_byte(at(r, "/result/hash"))),
        "block hash field",
        "block hash field",
    );
    expect_exec(
        tampered(&mut ctx, latest.0, latest.1, |r| {
            at(r, "/result/withdrawals").as_array_mut().unwrap().push(serde_json::json!({
                "index": "0x0", "validatorIndex": "0x1", "address": format!("{}", Address::ZERO),
                "amount": "0x1"
            }));
        }),
        "a withdrawal added",
        |e| matches!(e, Error::WithdrawalsRootMismatch { .. }),
    );
    let flip_parity = |tx: &mut Value| {
        for key in ["v", "yParity"] {
            if let Some(v) = tx.get_mut(key) {
                // `yParity` and typed `v` are 0/1; legacy `v` is 27/28 or 35 + 2 * chainId + parity.
                map_quantity(v, |v| match v {
                    0 | 1 => v ^ 1,
                    27 | 28 => 55 - v,
                    _ if (v - 35) % 2 == 0 => v + 1,
                    _ => v - 1,
                });
            }
        }
    };
    expect_exec(
        tampered(&mut ctx, latest.0, latest.1, |r| flip_parity(at(r, "/result/transactions/0"))),
        "signature parity flipped in a full block",
        tx_root,
    );
    expect_check(
        tampered(&mut ctx, "eth_getTransactionByHash", "get-blob-tx", |r| {
            flip_parity(at(r, "/result"));
        }),
        "signature parity flipped in a single transaction",
        "differs from the trusted one",
    );
    expect_check(
        tampered(&mut ctx, "eth_getTransactionByHash", "get-blob-tx", |r| {
            map_quantity(at(r, "/result/transactionIndex"), |i| i + 1);
        }),
        "transaction index",
        "transactionIndex",
    );
    expect_exec(
        tampered(&mut ctx, "debug_getRawHeader", "get-block-n", |r| {
            flip_last_byte(at(r, "/result"))
        }),
        "raw header with a flipped byte",
        block_hash,
    );

    // A tampered chain.rlp or head hash breaks the trust walk itself.
    let rlp = std::fs::read(root.join("chain.rlp")).unwrap();
    let genesis = read_json(&root.join("genesis.json"));
    let head = chain.hash(chain.head);
    let mut blocks: Vec<Block<TxEnvelope>> = chain.blocks[1..].to_vec();
    let encode_all = |blocks: &[Block<TxEnvelope>]| {
        let mut out = Vec::new();
        for b in blocks {
            b.encode(&mut out);
        }
        out
    };
    assert_eq!(encode_all(&blocks), rlp, "chain.rlp re-encodes byte for byte");
    let mut other_head = head;
    other_head.0[0] ^= 1;
    expect_exec(
        Chain::build(other_head, &rlp, &genesis).map(|_| Verdict::Verified),
        "another head hash",
        block_hash,
    );
    blocks[9].header.gas_used += 1;
    expect_exec(
        Chain::build(head, &encode_all(&blocks), &genesis).map(|_| Verdict::Verified),
        "block 10 header changed",
        |e| matches!(e, Error::BrokenParentChain { number: 11, parent_number: 10, .. }),
    );
    blocks[9].header.gas_used -= 1;
    let (n, i) = (1, 0);
    if let TxEnvelope::Legacy(signed) = &blocks[n - 1].body.transactions[i] {
        let mut tx = signed.tx().clone();
        tx.value += U256::from(1);
        blocks[n - 1].body.transactions[i] =
            TxEnvelope::Legacy(alloy_consensus::Signed::new_unhashed(tx, *signed.signature()));
    } else {
        panic!("block 1 tx 0 is a legacy transaction");
    }
    expect_exec(
        Chain::build(head, &encode_all(&blocks), &genesis).map(|_| Verdict::Verified),
        "a block 1 transaction changed in chain.rlp",
        tx_root,
    );
    let mut other_genesis = genesis.clone();
    other_genesis["gasLimit"] = Value::String("0x1".into());
    expect_exec(
        Chain::build(head, &rlp, &other_genesis).map(|_| Verdict::Verified),
        "genesis.json changed",
        block_hash,
    );
}
