//! The EEST `blockchain_test` fixtures (`../shared/fixtures/eest`, see its `SOURCES.md`) run
//! statelessly: for every case the full pre-state trie is built from `pre` and handed over whole
//! as the witness (every node, every code, the verified ancestors ending at the parent), then the
//! blocks are verified one by one with `Trusted::ParentHash`, the runner carrying the state
//! forward from each valid block's reported changes. A block with `expectException` must be
//! rejected **for one of the expected reasons**: each EEST exception name maps to the typed Mana
//! verdicts that mean the same rule ([`EXCEPTIONS`]); a block rejected for another reason fails,
//! and so does an exception name the table does not know. Rejected blocks leave the state as it
//! was; at the end the carried state's root must equal the root of `postState` and the head must
//! be `lastblockhash`.
//!
//! Every file under `eest/` is run or is on the explicit skip list ([`SKIPS`]); the shared
//! [`Tally`] fails on any other file and on a skip entry that matches nothing.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Instant;

use alloy_consensus::Header;
use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256, keccak256};
use alloy_trie::proof::ProofRetainer;
use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, Nibbles, TrieAccount};
use mana_stateless::execute::StateChanges;
use mana_stateless::rules::ChainConfig;
use mana_stateless::witness::{BlockInput, MAX_WITNESS_HEADERS, Trusted, Witness};
use mana_stateless::{
    BlockRule, Error, HeaderField, HeaderRule, TxRule, verify_block_with_changes,
};
use mana_tests::{Tally, files_under, fixtures};
use serde_json::Value;

/// One account of the carried state.
#[derive(Debug, Clone, Default)]
struct Account {
    nonce: u64,
    balance: U256,
    code_hash: B256,
    storage: BTreeMap<U256, U256>,
}

/// The full state a case carries from block to block, with every code seen so far.
#[derive(Debug, Clone, Default)]
struct State {
    accounts: HashMap<Address, Account>,
    codes: HashMap<B256, Bytes>,
}

fn quantity_u256(v: &Value) -> U256 {
    v.as_str().unwrap().parse().unwrap()
}

fn hex_bytes(v: &Value) -> Bytes {
    v.as_str().unwrap().parse().unwrap()
}

impl State {
    /// `pre` / `postState`: `{address: {nonce, balance, code, storage}}`.
    fn from_alloc(alloc: &Value) -> Self {
        let mut state = Self::default();
        for (address, account) in alloc.as_object().unwrap() {
            let code = hex_bytes(&account["code"]);
            let code_hash = if code.is_empty() { KECCAK256_EMPTY } else { keccak256(&code) };
            if !code.is_empty() {
                state.codes.insert(code_hash, code);
            }
            let storage = account["storage"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.parse::<U256>().unwrap(), quantity_u256(v)))
                .filter(|(_, v)| !v.is_zero())
                .collect();
            let nonce = u64::try_from(quantity_u256(&account["nonce"])).unwrap();
            state.accounts.insert(
                address.parse().unwrap(),
                Account { nonce, balance: quantity_u256(&account["balance"]), code_hash, storage },
            );
        }
        state
    }

    /// Applies a verified block's changes.
    fn apply(&mut self, changes: StateChanges) {
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
    fn trie(&self) -> (B256, Vec<Bytes>) {
        let mut nodes = Vec::new();
        let leaves = self.accounts.iter().map(|(address, account)| {
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
            (keccak256(address), alloy_rlp::encode(leaf))
        });
        let leaves: Vec<_> = leaves.collect();
        let root = full_trie(leaves.into_iter(), &mut nodes);
        (root, nodes)
    }
}

/// The root of the trie over `leaves` (hashed key, RLP value); pushes all its nodes to `nodes`.
fn full_trie(leaves: impl Iterator<Item = (B256, Vec<u8>)>, nodes: &mut Vec<Bytes>) -> B256 {
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

/// Files and folders under `eest/` that are not run, each with the reason (matched by trailing
/// path components; a folder covers every file below it).
const SKIPS: &[(&str, &str)] = &[
    ("SOURCES.md", "provenance notes, not a fixture"),
    (
        "blockchain_tests_devnet/for_amsterdam",
        "Amsterdam devnet fixtures (EIP-7928 block access lists and the other Amsterdam EIPs): \
         Mana refuses Amsterdam blocks until it verifies them",
    ),
    (
        "blockchain_tests_devnet/for_bpo2toamsterdamattime15k",
        "transitions into Amsterdam (BPO2ToAmsterdamAtTime15k), not verified yet",
    ),
];

/// A Mana verdict that one EEST exception name accepts.
type Matches = fn(&Error) -> bool;

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

/// Every EEST exception name (execution-specs `BlockException` / `TransactionException`) the
/// runner knows, with the Mana verdicts that mean the same rule. An `expectException` naming
/// several (`A|B`) is met by a verdict matching any of them. Where Mana reports the rule at a
/// different stage than EEST names it, the entry says so.
const EXCEPTIONS: &[(&str, Matches)] = &[
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

/// Whether Mana's verdict `e` meets `expected` (one name or several joined by `|`); `Err` lists
/// the names the table does not know.
fn meets(expected: &str, e: &Error) -> Result<bool, Vec<String>> {
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

/// What a run of the suite saw besides passes and failures.
#[derive(Debug, Default)]
struct Seen {
    /// Invalid blocks rejected for an expected reason, by `expectException`.
    rejected: BTreeMap<String, usize>,
    /// Exception names without a mapping.
    unknown: BTreeMap<String, usize>,
}

/// Runs one case; `Err` describes the first failure.
fn run_case(case: &Value, seen: &mut Seen) -> Result<(), String> {
    let config =
        ChainConfig::from_eest_config(&case["config"]).map_err(|e| format!("config: {e}"))?;
    let mut state = State::from_alloc(&case["pre"]);
    let genesis_rlp = hex_bytes(&case["genesisRLP"]);
    let genesis = BlockInput::decode_block(&genesis_rlp).map_err(|e| format!("genesis: {e}"))?;
    let (root, _) = state.trie();
    if root != genesis.header.state_root {
        return Err(format!(
            "pre-state root {root} differs from the genesis state root {}",
            genesis.header.state_root
        ));
    }
    // Verified headers, the head last.
    let mut chain: Vec<Header> = vec![genesis.header];
    for (n, entry) in case["blocks"].as_array().unwrap().iter().enumerate() {
        let expected = entry.get("expectException").and_then(Value::as_str);
        let rlp = hex_bytes(&entry["rlp"]);
        let outcome = BlockInput::decode_block(&rlp).and_then(|block| {
            let (_, state_nodes) = state.trie();
            let headers = chain[chain.len().saturating_sub(MAX_WITNESS_HEADERS)..].to_vec();
            let witness = Witness {
                state: state_nodes,
                codes: state.codes.values().cloned().collect(),
                keys: Vec::new(),
                headers,
            };
            let input = BlockInput { block, witness, chain_id: config.chain_id, public_keys: None };
            let parent = chain.last().unwrap().hash_slow();
            verify_block_with_changes(&input, Trusted::ParentHash(parent), &config)
                .map(|(verdict, changes)| (input.block.header, verdict, changes))
        });
        match (expected, outcome) {
            (None, Ok((header, verdict, changes))) => {
                if let Some(hash) = entry["blockHeader"]["hash"].as_str()
                    && verdict.block_hash.to_string() != hash
                {
                    return Err(format!("block {n}: hash {} != {hash}", verdict.block_hash));
                }
                state.apply(changes);
                chain.push(header);
            }
            (None, Err(e)) => return Err(format!("block {n}: valid block rejected: {e}")),
            (Some(exception), Ok(_)) => {
                return Err(format!("block {n}: invalid block ({exception}) accepted"));
            }
            (Some(exception), Err(e)) => match meets(exception, &e) {
                Ok(true) => *seen.rejected.entry(exception.to_string()).or_default() += 1,
                Err(unknown) => {
                    for name in &unknown {
                        *seen.unknown.entry(name.clone()).or_default() += 1;
                    }
                    return Err(format!(
                        "block {n}: exception names without a Mana mapping: {unknown:?} (Mana \
                         rejected the block: {e})"
                    ));
                }
                // A complete witness is handed over: an incomplete-witness or ancestry error
                // is a runner bug, not a rejection of the block.
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
                    return Err(format!("block {n} ({exception}) rejected for the witness: {e}"));
                }
                Ok(false) => {
                    return Err(format!(
                        "block {n}: expected {exception}, Mana rejects it for another reason: {e}"
                    ));
                }
            },
        }
    }
    let (root, _) = state.trie();
    let expected_root = match (case.get("postState"), case.get("postStateHash")) {
        (Some(post), _) => State::from_alloc(post).trie().0,
        (None, Some(hash)) => hash.as_str().unwrap().parse().unwrap(),
        (None, None) => return Err(String::from("neither postState nor postStateHash")),
    };
    if root != expected_root {
        return Err(format!("post-state root {root}, expected {expected_root}"));
    }
    let head = chain.last().unwrap().hash_slow();
    if let Some(last) = case["lastblockhash"].as_str()
        && head.to_string() != last
    {
        return Err(format!("head {head}, lastblockhash {last}"));
    }
    Ok(())
}

#[test]
fn eest_blockchain_tests_verify_statelessly() {
    let root = fixtures().join("eest");
    let mut tally = Tally::new("EEST blockchain tests (stateless)");
    tally.skip_all(SKIPS);
    let started = Instant::now();
    // Per directory (the EIP folder, or the test folder below it): passed, failed.
    let mut per_dir: BTreeMap<String, [usize; 2]> = BTreeMap::new();
    let mut seen = Seen::default();
    for path in files_under(&root) {
        let relative = path.strip_prefix(&root).unwrap();
        // Not touched: `finish` fails on a file neither run nor on the skip list.
        if tally.skip_reason(relative).is_some() || path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        tally.touch(&path);
        let dir = relative.parent().unwrap_or(relative);
        let json: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for (id, case) in json.as_object().unwrap() {
            let result = run_case(case, &mut seen);
            let counts = per_dir.entry(dir.display().to_string()).or_default();
            counts[usize::from(result.is_err())] += 1;
            tally.record(&PathBuf::from(format!("{} {id}", relative.display())), result);
        }
    }
    for (dir, [passed, failed]) in &per_dir {
        println!("{dir}: {passed} passed, {failed} failed");
    }
    println!(
        "invalid blocks rejected for an expected reason ({} exception names mapped):",
        EXCEPTIONS.len()
    );
    for (exception, count) in &seen.rejected {
        println!("  {count:4} {exception}");
    }
    for (name, count) in &seen.unknown {
        println!("  UNMAPPED exception name {name} ({count} blocks)");
    }
    println!("{:.1} s", started.elapsed().as_secs_f64());
    assert!(seen.unknown.is_empty(), "exception names without a mapping: {:?}", seen.unknown);
    tally.finish(&[root]);
}

#[test]
fn the_exception_table_is_strict() {
    let mut names: Vec<&str> = EXCEPTIONS.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), EXCEPTIONS.len(), "an exception name is mapped twice");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("BlockException.") || n.starts_with("TransactionException."))
    );
    let funds = Error::InvalidTransaction {
        index: 0,
        sender: None,
        rule: TxRule::InsufficientFunds { cost: U256::from(2), balance: U256::from(1) },
    };
    assert_eq!(meets("TransactionException.INSUFFICIENT_ACCOUNT_FUNDS", &funds), Ok(true));
    // Any rejection is not enough: another rule does not meet the expectation.
    assert_eq!(meets("TransactionException.NONCE_MISMATCH_TOO_LOW", &funds), Ok(false));
    assert_eq!(
        meets(
            "BlockException.INVALID_REQUESTS|TransactionException.INSUFFICIENT_ACCOUNT_FUNDS",
            &funds
        ),
        Ok(true)
    );
    // An unknown name fails even next to a matching one.
    assert_eq!(
        meets("TransactionException.INSUFFICIENT_ACCOUNT_FUNDS|BlockException.NOT_A_NAME", &funds),
        Err(vec![String::from("BlockException.NOT_A_NAME")])
    );
}
