//! The execution-apis rpc-compat fixtures (`apis/execution-apis@main/tests`) replayed through
//! Mana's real [`VerifiedProvider`], over a fixture-backed upstream.
//!
//! The upstream is an axum JSON-RPC server on 127.0.0.1 (single calls and batches) that answers
//! what the provider asks for from the fixtures:
//!
//! * blocks (by hash or number, with or without full transactions) and transactions by hash
//!   are derived from `chain.rlp` (blocks 1..=head) and `genesis.json` (block 0, its state root
//!   computed from the allocation), serialised as alloy's RPC types;
//! * everything it cannot derive (receipts, proofs, code, forwarded submissions) is answered
//!   with the recorded response of the same request in the fixtures: the recorded `.io`
//!   exchanges are indexed by method and normalised parameters (block ids resolved to block
//!   hashes, addresses lower-cased, storage keys as 32-byte words), so the provider's
//!   `eth_getProof [addr, [], {"blockHash": h}]` is answered by a recording of
//!   `eth_getProof [addr, [], "latest"]` when `h` is the head. Anything else is a JSON-RPC error
//!   and is recorded as a miss of the upstream.
//!
//! The provider is anchored at the head block hash of `headfcu.json` (as `latest` and
//! `finalized`), the only trusted input; the upstream is untrusted and the provider verifies
//! everything it serves. Each recorded request of a driven method is then sent through
//! `VerifiedProvider::request` (a fresh provider per case file) and its answer compared with the
//! recorded response: a recorded result must be equal JSON up to the normalisations of
//! [`OMITTED_FIELDS`] and [`ADDED_FIELDS`] (each must be used by some case); a recorded `null`
//! must be `null`; a recorded error must be an error (codes and messages are node-specific and
//! not compared), and a recorded invalid-params error (-32602) must be `Error::InvalidParams` or
//! an error given before any upstream call. The provider's blob schedule is configured from
//! `genesis.json` (receipts' blob gas prices and `eth_blobBaseFee` depend on it).
//!
//! Every method directory is driven unless it is on [`NOT_DRIVEN`], and each listed method must
//! be refused by the provider as `Error::Unsupported`. A case whose answer differs while the
//! upstream missed data (or that matches a recorded error only through such a miss) is "lacking
//! data" and must be on [`LACKING_DATA`]; one the provider refuses as `Error::Unsupported` must
//! be on [`REFUSED`]; a listed case that passes or belongs elsewhere fails, as does every other
//! difference. The shared `Tally` fails on a fixture file neither driven nor listed and on a
//! stale entry.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alloy_consensus::proofs::{state_root_unhashed, storage_root_unhashed};
use alloy_consensus::transaction::{Recovered, SignerRecoverable};
use alloy_consensus::{
    Block, BlockBody, EMPTY_OMMER_ROOT_HASH, EMPTY_ROOT_HASH, Header, TrieAccount, TxEnvelope,
};
use alloy_eips::eip7840::BlobParams;
use alloy_primitives::{Address, B64, B256, Bloom, U256, keccak256};
use alloy_rlp::{Decodable, Encodable};
use alloy_rpc_types_eth as rpc;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use mana_client::Error;
use mana_client::execution::{
    ExecutionRpc, ProviderConfig, SharedHeads, TrustedBlock, TrustedHeads, VerifiedProvider,
};
use serde_json::{Value, json};

/// Method directories not driven through the provider, each with the reason.
const NOT_DRIVEN: &[(&str, &str)] = &[
    ("debug_getRawBlock", "not implemented by the provider (refused as unverifiable)"),
    ("debug_getRawHeader", "not implemented by the provider (refused as unverifiable)"),
    ("debug_getRawReceipts", "not implemented by the provider (refused as unverifiable)"),
    ("debug_getRawTransaction", "not implemented by the provider (refused as unverifiable)"),
    ("debug_traceBlockByHash", "not implemented by the provider: execution traces"),
    ("debug_traceBlockByNumber", "not implemented by the provider: execution traces"),
    ("debug_traceTransaction", "not implemented by the provider: execution traces"),
    ("eth_baseFee", "not implemented by the provider"),
    ("eth_capabilities", "not implemented by the provider: node capabilities"),
    ("eth_config", "not implemented by the provider: node fork configuration"),
    ("eth_getStorageValues", "not implemented by the provider"),
    ("eth_simulateV1", "not implemented by the provider"),
    ("testing_buildBlockV1", "not implemented by the provider: node test hook"),
    ("txpool_content", "not implemented by the provider: node-local mempool"),
    ("txpool_contentFrom", "not implemented by the provider: node-local mempool"),
    ("txpool_status", "not implemented by the provider: node-local mempool"),
];

/// Cases the provider cannot answer because the fixture upstream lacks the data, each with the
/// reason. A listed case must differ from its recording (or match a recorded error only through
/// an error of its own) *and* make the upstream miss a request.
const LACKING_DATA: &[(&str, &str)] = &[
    (
        "eth_call/call-callenv-options-eip1559.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_call/call-callenv.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_call/call-contract.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_call/call-eip7702-delegation.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_call/call-revert-abi-error.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only (the recorded revert is matched only by the upstream's refusal)",
    ),
    (
        "eth_call/call-revert-abi-panic.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only (the recorded revert is matched only by the upstream's refusal)",
    ),
    (
        "eth_createAccessList/create-al-abi-revert.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_createAccessList/create-al-contract-eip1559.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_createAccessList/create-al-contract.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_createAccessList/create-al-value-transfer.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_estimateGas/estimate-call-abi-error.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only (the recorded revert is matched only by the upstream's refusal)",
    ),
    (
        "eth_estimateGas/estimate-failed-call.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only (the recorded revert is matched only by the upstream's refusal)",
    ),
    (
        "eth_estimateGas/estimate-simple-transfer.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_estimateGas/estimate-successful-call.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_estimateGas/estimate-with-eip4844.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_estimateGas/estimate-with-eip7702.io",
        "the provider runs it in revm over eth_getProof/eth_getCode answers for every account it touches at the head (after an eth_createAccessList hint); the fixtures record proofs of 0x7dcd… only",
    ),
    (
        "eth_feeHistory/fee-history.io",
        "the reward percentiles need all receipts of block 27; receipts are recorded for blocks 0, 1 and the head only",
    ),
    (
        "eth_getBalance/get-balance-blockhash.io",
        "the proof of 0x7dcd… is recorded at the head only; this asks at block 44",
    ),
    (
        "eth_getBalance/get-balance-unknown-account.io",
        "no recorded proof of 0xc1ca… (the absence proof the provider needs)",
    ),
    ("eth_getCode/get-code-eip7702-delegation.io", "no recorded proof of 0xeda8… (its code hash)"),
    (
        "eth_getCode/get-code-unknown-account.io",
        "no recorded proof of 0xc1ca… (the absence proof the provider needs)",
    ),
    ("eth_getLogs/contract-addr.io", "block 2's bloom matches and its receipts are not recorded"),
    (
        "eth_getStorageAt/get-storage-unknown-account.io",
        "no recorded proof of 0xc1ca… (the absence proof the provider needs)",
    ),
    ("eth_getTransactionCount/get-nonce-default-block.io", "no recorded proof of 0x0300…"),
    ("eth_getTransactionCount/get-nonce-eip7702-account.io", "no recorded proof of 0xeda8…"),
    ("eth_getTransactionCount/get-nonce-unknown-account.io", "no recorded proof of 0xc1ca…"),
    ("eth_getTransactionCount/get-nonce.io", "no recorded proof of 0x0300…"),
    (
        "eth_getTransactionReceipt/get-access-list.io",
        "needs all receipts of block 24; not recorded",
    ),
    ("eth_getTransactionReceipt/get-blob-tx.io", "needs all receipts of block 42; not recorded"),
    (
        "eth_getTransactionReceipt/get-dynamic-fee.io",
        "needs all receipts of block 27; not recorded",
    ),
    ("eth_getTransactionReceipt/get-setcode-tx.io", "needs all receipts of block 45; not recorded"),
];

/// Cases the provider refuses by design with `Error::Unsupported` where the recording has a
/// result, each with the reason.
const REFUSED: &[(&str, &str)] = &[
    (
        "eth_getLogs/filter-with-blockHash-and-topics.io",
        "block 4: a block with uncles: the provider refuses pre-merge blocks with uncles (`blocks with uncles (before the merge) cannot be verified yet`)",
    ),
    (
        "eth_getLogs/filter-with-blockHash.io",
        "block 4: a block with uncles: the provider refuses pre-merge blocks with uncles (`blocks with uncles (before the merge) cannot be verified yet`)",
    ),
    (
        "eth_getLogs/topic-exact-match.io",
        "blocks 3..=6 include a block with uncles: the provider refuses pre-merge blocks with uncles (`blocks with uncles (before the merge) cannot be verified yet`)",
    ),
    (
        "eth_getLogs/topic-null-wildcard.io",
        "blocks 3..=6 include a block with uncles: the provider refuses pre-merge blocks with uncles (`blocks with uncles (before the merge) cannot be verified yet`)",
    ),
    (
        "eth_getLogs/topic-wildcard.io",
        "blocks 3..=6 include a block with uncles: the provider refuses pre-merge blocks with uncles (`blocks with uncles (before the merge) cannot be verified yet`)",
    ),
    (
        "eth_getTransactionByHash/get-legacy-tx.io",
        "block 3: a block with uncles: the provider refuses pre-merge blocks with uncles (`blocks with uncles (before the merge) cannot be verified yet`), although the transaction needs only the transactions root",
    ),
    (
        "eth_getTransactionReceipt/get-legacy-receipt.io",
        "block 3: a block with uncles: the provider refuses pre-merge blocks with uncles (`blocks with uncles (before the merge) cannot be verified yet`), although the receipt needs only the transactions and receipts roots",
    ),
];

/// Fields of a recorded result the provider may leave out: `(method, path, reason)`, the path
/// from `result` with array indices written `[]`. An entry that no case uses fails the run.
const OMITTED_FIELDS: &[(&str, &str, &str)] = &[];

/// Fields the provider may answer that the recording lacks, as [`OMITTED_FIELDS`].
const ADDED_FIELDS: &[(&str, &str, &str)] = &[
    (
        "eth_getBlockReceipts",
        "result[].blockTimestamp",
        "Mana adds the block timestamp to every receipt (as execution-apis does to logs); geth's recording has none and the execution-apis ReceiptInfo schema does not list it",
    ),
    (
        "eth_getTransactionReceipt",
        "result.blockTimestamp",
        "Mana adds the block timestamp to every receipt (as execution-apis does to logs); geth's recording has none and the execution-apis ReceiptInfo schema does not list it",
    ),
];

// ---------------------------------------------------------------------------------------------
// Fixtures

fn root() -> PathBuf {
    mana_tests::fixtures().join("apis/execution-apis@main/tests")
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("json {}: {e}", path.display()))
}

/// The `>> request` / `<< response` pairs of an `.io` file (`//` lines are comments).
fn exchanges(path: &Path) -> Result<Vec<(Value, Value)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading: {e}"))?;
    let mut out = Vec::new();
    let mut pending: Option<Value> = None;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")) {
        if let Some(json) = line.strip_prefix(">>") {
            let request = serde_json::from_str(json.trim()).map_err(|e| format!("request: {e}"))?;
            if pending.replace(request).is_some() {
                return Err("two requests in a row".into());
            }
        } else if let Some(json) = line.strip_prefix("<<") {
            let response =
                serde_json::from_str(json.trim()).map_err(|e| format!("response: {e}"))?;
            out.push((pending.take().ok_or("a response without a request")?, response));
        } else {
            return Err(format!("unrecognised line {line:?}"));
        }
    }
    if pending.is_some() {
        return Err("a request without a response".into());
    }
    Ok(out)
}

fn quantity(value: &Value) -> Option<u64> {
    u64::from_str_radix(value.as_str()?.strip_prefix("0x")?, 16).ok()
}

fn u256(value: &Value) -> Option<U256> {
    U256::from_str_radix(value.as_str()?.strip_prefix("0x")?, 16).ok()
}

/// The genesis header of a geth-style `genesis.json`, its state root computed from `alloc`.
fn genesis_header(genesis: &Value) -> Header {
    let num = |name: &str| genesis.get(name).and_then(quantity).unwrap_or(0);
    let bytes = |name: &str| genesis.get(name).and_then(Value::as_str).map(mana_tests::hex_bytes);
    let alloc = genesis["alloc"].as_object().expect("genesis alloc");
    let accounts = alloc.iter().map(|(address, account)| {
        let address: Address = address.parse().expect("genesis address");
        let storage = account.get("storage").and_then(Value::as_object).map(|slots| {
            slots
                .iter()
                .map(|(k, v)| (k.parse::<B256>().expect("slot"), u256(v).expect("value")))
                .filter(|(_, v)| !v.is_zero())
                .collect::<Vec<_>>()
        });
        let code_hash = account
            .get("code")
            .and_then(Value::as_str)
            .map_or(alloy_consensus::constants::KECCAK_EMPTY, |c| {
                keccak256(mana_tests::hex_bytes(c))
            });
        let trie_account = TrieAccount {
            nonce: account.get("nonce").and_then(quantity).unwrap_or(0),
            balance: account.get("balance").and_then(u256).unwrap_or_default(),
            storage_root: storage_root_unhashed(storage.unwrap_or_default()),
            code_hash,
        };
        (address, trie_account)
    });
    Header {
        parent_hash: B256::ZERO,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: bytes("coinbase").map(|b| Address::from_slice(&b)).unwrap_or_default(),
        state_root: state_root_unhashed(accounts.collect::<Vec<_>>()),
        transactions_root: EMPTY_ROOT_HASH,
        receipts_root: EMPTY_ROOT_HASH,
        logs_bloom: Bloom::ZERO,
        difficulty: U256::from(num("difficulty")),
        number: num("number"),
        gas_limit: num("gasLimit"),
        gas_used: num("gasUsed"),
        timestamp: num("timestamp"),
        extra_data: bytes("extraData").unwrap_or_default().into(),
        mix_hash: bytes("mixHash").map(|b| B256::from_slice(&b)).unwrap_or_default(),
        nonce: B64::from(num("nonce")),
        base_fee_per_gas: genesis.get("baseFeePerGas").and_then(quantity),
        ..Header::default()
    }
}

/// The blob schedule of `genesis.json`'s fork times and `blobSchedule`.
fn blob_schedule(config: &Value) -> Vec<(u64, BlobParams)> {
    let forks = [
        ("cancun", BlobParams::cancun()),
        ("prague", BlobParams::prague()),
        ("osaka", BlobParams::osaka()),
        ("bpo1", BlobParams::bpo1()),
        ("bpo2", BlobParams::bpo2()),
    ];
    let mut schedule = Vec::new();
    for (fork, base) in forks {
        let (Some(time), Some(entry)) =
            (config[format!("{fork}Time")].as_u64(), config["blobSchedule"].get(fork))
        else {
            continue;
        };
        let max = entry["max"].as_u64().expect("blob max");
        let params = BlobParams {
            target_blob_count: entry["target"].as_u64().expect("blob target"),
            max_blob_count: max,
            update_fraction: u128::from(entry["baseFeeUpdateFraction"].as_u64().expect("frac")),
            max_blobs_per_tx: base.max_blobs_per_tx.min(max),
            ..base
        };
        schedule.push((time, params));
    }
    schedule.sort_by_key(|(t, _)| *t);
    schedule
}

// ---------------------------------------------------------------------------------------------
// The fixture-backed upstream

/// What the upstream serves.
struct Upstream {
    /// Blocks by number: the genesis block, then `chain.rlp`.
    blocks: Vec<Block<TxEnvelope>>,
    hashes: Vec<B256>,
    by_hash: HashMap<B256, u64>,
    senders: Vec<Vec<Address>>,
    /// Transaction hash → (block, index).
    transactions: HashMap<B256, (u64, usize)>,
    /// Recorded responses (with `result` or `error`) by [`Upstream::key`].
    recorded: HashMap<String, Value>,
    /// Requests the upstream had no answer for, since the last [`Upstream::take_misses`].
    misses: Mutex<Vec<String>>,
    /// Calls answered so far (a batch counts each of its calls).
    calls: AtomicUsize,
}

impl Upstream {
    fn load(root: &Path) -> Self {
        let genesis = read_json(&root.join("genesis.json"));
        let genesis = Block {
            header: genesis_header(&genesis),
            body: BlockBody { transactions: Vec::new(), ommers: Vec::new(), withdrawals: None },
        };
        let rlp = std::fs::read(root.join("chain.rlp")).expect("chain.rlp");
        let mut rest = rlp.as_slice();
        let mut blocks = vec![genesis];
        while !rest.is_empty() {
            blocks.push(Block::<TxEnvelope>::decode(&mut rest).expect("chain.rlp block"));
        }
        let hashes: Vec<B256> = blocks.iter().map(|b| b.header.hash_slow()).collect();
        let mut transactions = HashMap::new();
        let mut senders = Vec::new();
        for (number, block) in blocks.iter().enumerate() {
            assert_eq!(block.header.number, number as u64, "chain.rlp is not contiguous");
            let mut signers = Vec::new();
            for (index, tx) in block.body.transactions.iter().enumerate() {
                signers.push(tx.recover_signer().expect("signer"));
                transactions.insert(*tx.tx_hash(), (number as u64, index));
            }
            senders.push(signers);
        }
        let by_hash = hashes.iter().enumerate().map(|(n, h)| (*h, n as u64)).collect();
        let mut upstream = Self {
            blocks,
            hashes,
            by_hash,
            senders,
            transactions,
            recorded: HashMap::new(),
            misses: Mutex::new(Vec::new()),
            calls: AtomicUsize::new(0),
        };
        for dir in mana_tests::subdirs(root) {
            for file in mana_tests::files_under(&dir) {
                for (request, response) in exchanges(&file).unwrap_or_default() {
                    let method = request["method"].as_str().unwrap_or_default();
                    let key = upstream.key(method, &request["params"]);
                    upstream.recorded.entry(key).or_insert(response);
                }
            }
        }
        upstream
    }

    fn head(&self) -> u64 {
        self.blocks.len() as u64 - 1
    }

    /// The block number a block id (a tag, a number, a hash or an EIP-1898 object) names;
    /// `None` for `pending` and blocks the chain does not have.
    fn number_of(&self, id: Option<&Value>) -> Option<u64> {
        match id {
            None | Some(Value::Null) => Some(self.head()),
            Some(Value::Object(o)) => match (o.get("blockHash"), o.get("blockNumber")) {
                (Some(h), _) => self.number_of(Some(h)),
                (None, Some(n)) => self.number_of(Some(n)),
                _ => None,
            },
            Some(Value::String(s)) => match s.as_str() {
                "latest" | "safe" | "finalized" => Some(self.head()),
                "earliest" => Some(0),
                "pending" => None,
                hex if hex.len() == 66 => {
                    hex.parse::<B256>().ok().and_then(|h| self.by_hash.get(&h).copied())
                }
                hex => quantity(&json!(hex)).filter(|n| *n <= self.head()),
            },
            Some(_) => None,
        }
    }

    /// The block hash a block id names, or the id itself when the chain has no such block.
    fn block_key(&self, id: Option<&Value>) -> Value {
        match self.number_of(id) {
            Some(n) => json!(self.hashes[n as usize]),
            None => id.cloned().unwrap_or(Value::Null),
        }
    }

    /// The index key of a request: its method and its parameters with block ids as block
    /// hashes, addresses lower-cased and storage keys as 32-byte words.
    fn key(&self, method: &str, params: &Value) -> String {
        let p = |i: usize| params.get(i);
        let address = |i: usize| json!(p(i).and_then(Value::as_str).unwrap_or("").to_lowercase());
        let normalised = match method {
            "eth_getBlockReceipts" => json!([self.block_key(p(0))]),
            "eth_getCode" => json!([address(0), self.block_key(p(1))]),
            "eth_getProof" => {
                let slots: Vec<Value> = p(1)
                    .and_then(Value::as_array)
                    .map(|s| {
                        s.iter()
                            .map(|k| u256(k).map_or(k.clone(), |k| json!(B256::from(k))))
                            .collect()
                    })
                    .unwrap_or_default();
                json!([address(0), slots, self.block_key(p(2))])
            }
            _ => params.clone(),
        };
        format!("{method} {normalised}")
    }

    fn block_json(&self, number: u64, full: bool) -> Value {
        let block = &self.blocks[number as usize];
        let hash = self.hashes[number as usize];
        let header = &block.header;
        let transactions = if full {
            rpc::BlockTransactions::Full(
                block
                    .body
                    .transactions
                    .iter()
                    .enumerate()
                    .map(|(i, _)| self.transaction(number, i))
                    .collect(),
            )
        } else {
            rpc::BlockTransactions::Hashes(
                block.body.transactions.iter().map(|t| *t.tx_hash()).collect(),
            )
        };
        let rpc_block = rpc::Block {
            header: rpc::Header {
                hash,
                inner: header.clone(),
                total_difficulty: None,
                size: Some(U256::from(block.length())),
            },
            uncles: block.body.ommers.iter().map(Header::hash_slow).collect(),
            transactions,
            withdrawals: block.body.withdrawals.clone(),
        };
        serde_json::to_value(rpc_block).expect("block json")
    }

    fn transaction(&self, number: u64, index: usize) -> rpc::Transaction {
        let block = &self.blocks[number as usize];
        let tx = block.body.transactions[index].clone();
        let price =
            alloy_consensus::Transaction::effective_gas_price(&tx, block.header.base_fee_per_gas);
        rpc::Transaction {
            inner: Recovered::new_unchecked(tx, self.senders[number as usize][index]),
            block_hash: Some(self.hashes[number as usize]),
            block_number: Some(number),
            transaction_index: Some(index as u64),
            effective_gas_price: Some(price),
            block_timestamp: Some(block.header.timestamp),
        }
    }

    /// The answer to one call: a `result` or an `error` object.
    fn answer(&self, method: &str, params: &Value) -> Result<Value, Value> {
        let full = || params.get(1).and_then(Value::as_bool).unwrap_or(false);
        match method {
            "eth_getBlockByHash" | "eth_getBlockByNumber" => {
                Ok(match self.number_of(params.get(0)) {
                    Some(n) => self.block_json(n, full()),
                    None => Value::Null,
                })
            }
            "eth_getTransactionByHash" => {
                let hash = params.get(0).and_then(Value::as_str).and_then(|h| h.parse().ok());
                Ok(match hash.and_then(|h: B256| self.transactions.get(&h)) {
                    Some((n, i)) => serde_json::to_value(self.transaction(*n, *i)).unwrap(),
                    None => Value::Null,
                })
            }
            _ => {
                let key = self.key(method, params);
                match self.recorded.get(&key) {
                    Some(response) => match response.get("error") {
                        Some(error) => Err(error.clone()),
                        None => Ok(response.get("result").cloned().unwrap_or(Value::Null)),
                    },
                    None => {
                        self.misses.lock().unwrap().push(key);
                        Err(
                            json!({"code": -32000, "message": "no recorded answer in the fixtures"}),
                        )
                    }
                }
            }
        }
    }

    fn respond(&self, request: &Value) -> Value {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let method = request["method"].as_str().unwrap_or_default();
        let params = request.get("params").cloned().unwrap_or(json!([]));
        let mut out = json!({"jsonrpc": "2.0", "id": request["id"].clone()});
        match self.answer(method, &params) {
            Ok(result) => out["result"] = result,
            Err(error) => out["error"] = error,
        }
        out
    }

    fn take_misses(&self) -> Vec<String> {
        std::mem::take(&mut *self.misses.lock().unwrap())
    }
}

async fn serve(State(upstream): State<Arc<Upstream>>, body: Bytes) -> axum::response::Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let response = match &request {
        Value::Array(calls) => Value::Array(calls.iter().map(|c| upstream.respond(c)).collect()),
        single => upstream.respond(single),
    };
    ([(header::CONTENT_TYPE, "application/json")], response.to_string()).into_response()
}

/// Starts the upstream on 127.0.0.1; returns its URL and the server task.
async fn start(upstream: Arc<Upstream>) -> (String, tokio::task::JoinHandle<()>) {
    let app = Router::new().route("/", post(serve)).with_state(upstream);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

// ---------------------------------------------------------------------------------------------
// Comparison

/// `path` with its array indices written `[]`, as the normalisation lists name fields.
fn pattern(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            c => out.push(c),
        }
    }
    out
}

/// Compares the provider's answer with a recorded result: `diffs` gets every difference the
/// normalisation lists do not allow, `used` the normalisations applied (`method path`).
struct Comparison<'a> {
    method: &'a str,
    diffs: Vec<String>,
    used: &'a mut BTreeSet<String>,
}

impl Comparison<'_> {
    fn allowed(&mut self, list: &[(&str, &str, &str)], path: &str) -> bool {
        let path = pattern(path);
        let hit = list.iter().any(|(m, p, _)| *m == self.method && *p == path);
        if hit {
            self.used.insert(format!("{} {path}", self.method));
        }
        hit
    }

    fn compare(&mut self, answer: &Value, recorded: &Value, path: &str) {
        match (answer, recorded) {
            (Value::Object(a), Value::Object(r)) => {
                for (key, value) in r {
                    let here = format!("{path}.{key}");
                    match a.get(key) {
                        Some(mine) => self.compare(mine, value, &here),
                        None if self.allowed(OMITTED_FIELDS, &here) => {}
                        None => self.diffs.push(format!("{here}: missing (recorded {value})")),
                    }
                }
                for (key, value) in a.iter().filter(|(k, _)| !r.contains_key(*k)) {
                    let here = format!("{path}.{key}");
                    if !self.allowed(ADDED_FIELDS, &here) {
                        self.diffs.push(format!("{here}: not recorded (answered {value})"));
                    }
                }
            }
            (Value::Array(a), Value::Array(r)) if a.len() == r.len() => {
                for (i, (mine, value)) in a.iter().zip(r).enumerate() {
                    self.compare(mine, value, &format!("{path}[{i}]"));
                }
            }
            (Value::Array(a), Value::Array(r)) => {
                self.diffs.push(format!("{path}: {} items, recorded {}", a.len(), r.len()));
            }
            _ if answer == recorded => {}
            _ => self.diffs.push(format!("{path}: answered {answer}, recorded {recorded}")),
        }
    }
}

/// What one case file gave.
#[derive(Default)]
struct CaseOutcome {
    /// Differences from the recordings.
    diffs: Vec<String>,
    /// Exchanges whose recorded error was matched by an error of the provider.
    errors_matched: usize,
    /// `Error::Unsupported` answers where a result was recorded.
    refused: Vec<String>,
    /// A request recorded as invalid was taken for a valid one.
    invalid_accepted: bool,
}

/// A fresh provider over the upstream at `url`, anchored at `head` (as `latest` and
/// `finalized`).
fn provider(
    url: &str,
    head: TrustedBlock,
    config: &ProviderConfig,
) -> VerifiedProvider<SharedHeads> {
    let heads = SharedHeads::new();
    heads.set(TrustedHeads {
        latest: Some(head),
        finalized: Some(head),
        ..TrustedHeads::default()
    });
    let rpc = ExecutionRpc::new(url, Duration::from_secs(60)).expect("rpc");
    VerifiedProvider::new(heads, vec![rpc], config.clone()).expect("provider")
}

/// Sends each recorded request of a case through a fresh provider anchored at `head`.
async fn run_case(
    upstream: &Upstream,
    url: &str,
    head: TrustedBlock,
    config: &ProviderConfig,
    exchanges: &[(Value, Value)],
    used: &mut BTreeSet<String>,
) -> CaseOutcome {
    let provider = provider(url, head, config);
    let mut out = CaseOutcome::default();
    for (request, response) in exchanges {
        let method = request["method"].as_str().unwrap_or_default();
        let params = request.get("params").cloned().unwrap_or(json!([]));
        let calls = upstream.calls.load(Ordering::SeqCst);
        let answer = provider.request(method, params).await;
        let asked_upstream = upstream.calls.load(Ordering::SeqCst) > calls;
        match (answer, response.get("error"), response.get("result")) {
            // A request the recording rejects as invalid must be refused as invalid, or at least
            // before any upstream call: an other error after upstream traffic means the provider
            // took it for a valid request (and would answer it given the data).
            (Err(e), Some(error), _)
                if error["code"] == json!(-32602)
                    && asked_upstream
                    && !matches!(e, Error::InvalidParams(_)) =>
            {
                out.invalid_accepted = true;
                out.diffs.push(format!(
                    "recorded invalid-params error {error}, the provider accepted the request and \
                     asked the upstream (its answer: `{e}`)"
                ));
            }
            (Err(_), Some(_), _) => out.errors_matched += 1,
            (Ok(value), None, Some(recorded)) => {
                let mut comparison = Comparison { method, diffs: Vec::new(), used: &mut *used };
                comparison.compare(&value, recorded, "result");
                out.diffs.append(&mut comparison.diffs);
            }
            (Ok(value), Some(error), _) => {
                out.diffs.push(format!("answered {value}, recorded error {error}"));
            }
            (Ok(_), None, None) => out.diffs.push("recorded neither result nor error".into()),
            (Err(e), None, recorded) => {
                let recorded = recorded.cloned().unwrap_or(Value::Null);
                let short: String = recorded.to_string().chars().take(100).collect();
                if matches!(e, Error::Unsupported { .. }) {
                    out.refused.push(e.to_string());
                }
                out.diffs.push(format!("error `{e}`, recorded {short}"));
            }
        }
    }
    out
}

/// Which list a case belongs on, from its outcome and the upstream's misses.
fn classify(outcome: &CaseOutcome, misses: &[String]) -> Result<(), (&'static str, String)> {
    let diffs = outcome.diffs.join("; ");
    if !outcome.refused.is_empty() {
        return Err(("REFUSED", diffs));
    }
    if !misses.is_empty()
        && !outcome.invalid_accepted
        && (!outcome.diffs.is_empty() || outcome.errors_matched > 0)
    {
        let missed: Vec<&str> = misses.iter().map(|m| m.as_str()).take(3).collect();
        let diffs = if diffs.is_empty() { "matched a recorded error" } else { diffs.as_str() };
        return Err(("LACKING_DATA", format!("{diffs}; upstream missed {missed:?}")));
    }
    if outcome.diffs.is_empty() { Ok(()) } else { Err(("", diffs)) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_compat_through_the_provider() {
    let root = root();
    let upstream = Arc::new(Upstream::load(&root));
    let fcu = read_json(&root.join("headfcu.json"));
    let head_hash: B256 =
        fcu["params"][0]["headBlockHash"].as_str().expect("head").parse().expect("hash");
    // The number comes with the trusted hash (a beacon header carries both); it is read from
    // the untrusted chain here, and the provider checks the hash of every header it uses.
    let head_number = *upstream.by_hash.get(&head_hash).expect("chain.rlp has the head");
    let head = TrustedBlock { number: head_number, hash: head_hash };
    let genesis = read_json(&root.join("genesis.json"));
    let chain_id = genesis["config"]["chainId"].as_u64().expect("chain id");
    let mut config = ProviderConfig::for_chain(chain_id);
    config.blob_schedule = blob_schedule(&genesis["config"]);
    let (url, server) = start(Arc::clone(&upstream)).await;
    println!("fixture upstream at {url}: head {head_number} = {head_hash}, chain {chain_id}");

    let mut tally = mana_tests::Tally::new("execution-apis rpc-compat through VerifiedProvider");
    tally.skip_all(NOT_DRIVEN).skip_all(LACKING_DATA).skip_all(REFUSED);
    for file in ["chain.rlp", "genesis.json", "headfcu.json"] {
        tally.touch(&root.join(file));
    }
    tally.skip("forkenv.json", "hive environment; genesis.json carries the same fork schedule");
    let mut used = BTreeSet::new();
    let mut notes = Vec::new();
    for dir in mana_tests::subdirs(&root) {
        let method = dir.file_name().unwrap().to_string_lossy().into_owned();
        if NOT_DRIVEN.iter().any(|(m, _)| *m == method) {
            // Listed as not implemented: the provider must refuse it as such.
            let request = mana_tests::files_under(&dir)
                .iter()
                .find_map(|f| exchanges(f).ok()?.into_iter().next())
                .map(|(request, _)| request);
            let params = request.and_then(|r| r.get("params").cloned()).unwrap_or(json!([]));
            let provider = provider(&url, head, &config);
            match provider.request(&method, params).await {
                Err(Error::Unsupported { .. }) => {}
                other => tally.record(
                    Path::new(&method),
                    Err(format!("in NOT_DRIVEN but not refused as unsupported: {other:?}")),
                ),
            }
            continue;
        }
        for file in mana_tests::files_under(&dir) {
            let relative = file.strip_prefix(&root).unwrap().to_path_buf();
            let name = relative.display().to_string();
            let on = |list: &[(&str, &str)]| list.iter().any(|(path, _)| *path == name);
            let listed = match (on(LACKING_DATA), on(REFUSED)) {
                (true, _) => Some("LACKING_DATA"),
                (false, true) => Some("REFUSED"),
                (false, false) => None,
            };
            let result = match exchanges(&file) {
                Ok(exchanges) if exchanges.is_empty() => Err("no exchange".to_string()),
                Err(e) => Err(e),
                Ok(exchanges) => {
                    upstream.take_misses();
                    let outcome =
                        run_case(&upstream, &url, head, &config, &exchanges, &mut used).await;
                    let misses = upstream.take_misses();
                    match (classify(&outcome, &misses), listed) {
                        (Ok(()), None) => Ok(()),
                        (Ok(()), Some(list)) => Err(format!("in {list} but answered as recorded")),
                        (Err((kind, why)), Some(list)) if kind == list => {
                            notes.push(format!("{kind} {name}: {why}"));
                            continue;
                        }
                        (Err(("", why)), _) => Err(why),
                        (Err((kind, why)), Some(list)) => {
                            Err(format!("in {list}, but belongs on {kind}: {why}"))
                        }
                        (Err((kind, why)), None) => Err(format!("not in {kind}: {why}")),
                    }
                }
            };
            if listed.is_none() {
                tally.touch(&file);
            }
            tally.record(&relative, result);
        }
    }
    server.abort();
    for (list, entries) in [("OMITTED_FIELDS", OMITTED_FIELDS), ("ADDED_FIELDS", ADDED_FIELDS)] {
        for (method, path, reason) in entries {
            if used.contains(&format!("{method} {path}")) {
                println!("  normalisation {list} {method} {path}: {reason}");
            } else {
                let entry = format!("{list} {method} {path}");
                tally.record(Path::new(&entry), Err("normalisation used by no case".into()));
            }
        }
    }
    for note in &notes {
        println!("  {note}");
    }
    tally.finish(&[root]);
}
