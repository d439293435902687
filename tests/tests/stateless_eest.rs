//! The EEST `blockchain_test` fixtures (`../shared/fixtures/eest`, see its `SOURCES.md`) run
//! statelessly: for every case the full pre-state trie is built from `pre` and handed over whole
//! as the witness (every node, every code, the verified ancestors ending at the parent), then the
//! blocks are verified one by one with `Trusted::ParentHash`, the runner carrying the state
//! forward from each valid block's reported changes. Blocks with `expectException` must be
//! rejected and leave the state as it was; at the end the carried state's root must equal the
//! root of `postState` and the head must be `lastblockhash`.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

use alloy_consensus::Header;
use alloy_primitives::{Address, B256, Bytes, KECCAK256_EMPTY, U256, keccak256};
use alloy_trie::proof::ProofRetainer;
use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, Nibbles, TrieAccount};
use mana_stateless::execute::StateChanges;
use mana_stateless::rules::ChainConfig;
use mana_stateless::witness::{BlockInput, MAX_WITNESS_HEADERS, Trusted, Witness};
use mana_stateless::{Error, verify_block_with_changes};
use mana_tests::fixtures;
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

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Why a case is not run, or `None` to run it.
fn skip_reason(network: &str) -> Option<&'static str> {
    network.contains("Amsterdam").then_some("Amsterdam (EIP-7928 block access lists) unsupported")
}

/// Runs one case; `Err` describes the first failure.
/// Counts the invalid blocks rejected into `rejected`.
fn run_case(case: &Value, rejected: &mut usize) -> Result<(), String> {
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
            // A complete witness is handed over: an incomplete-witness or ancestry error would
            // be a runner bug, not a rejection of the block.
            (
                Some(exception),
                Err(
                    e @ (Error::MissingNode(_)
                    | Error::MissingCode(_)
                    | Error::MissingAncestor(_)
                    | Error::MalformedWitness(_)
                    | Error::HeaderChain(_)),
                ),
            ) => return Err(format!("block {n} ({exception}) rejected for the witness: {e}")),
            (Some(_), Err(_)) => *rejected += 1,
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
    let files = json_files(&root);
    assert!(files.len() >= 90, "expected the EEST fixtures, found {} files", files.len());
    let started = Instant::now();
    // Per directory (the EIP folder, or the test folder below it): passed, failed, skipped.
    let mut per_dir: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    let mut skipped: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let mut rejected = 0;
    for path in &files {
        let relative = path.strip_prefix(&root).unwrap();
        let dir = relative.parent().unwrap_or(relative);
        let tally = per_dir.entry(dir.display().to_string()).or_default();
        let json: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        for (id, case) in json.as_object().unwrap() {
            if let Some(reason) = skip_reason(case["network"].as_str().unwrap_or_default()) {
                *skipped.entry(reason).or_default() += 1;
                tally[2] += 1;
                continue;
            }
            match run_case(case, &mut rejected) {
                Ok(()) => tally[0] += 1,
                Err(e) => {
                    tally[1] += 1;
                    failures.push(format!("{} {id}: {e}", relative.display()));
                }
            }
        }
    }
    for (dir, [passed, failed, skip]) in &per_dir {
        println!("{dir}: {passed} passed, {failed} failed, {skip} skipped");
    }
    for failure in failures.iter().take(20) {
        println!("FAIL {failure}");
    }
    let total = |i: usize| per_dir.values().map(|t| t[i]).sum::<usize>();
    let reasons = if skipped.is_empty() {
        String::from("none")
    } else {
        skipped.iter().map(|(r, n)| format!("{n}: {r}")).collect::<Vec<_>>().join("; ")
    };
    println!(
        "EEST blockchain tests (stateless): {} passed, {} failed, {} skipped ({reasons}); \
         {rejected} invalid blocks rejected; {:.1} s",
        total(0),
        total(1),
        total(2),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{} EEST cases failed", failures.len());
    assert!(total(0) > 600, "too few EEST cases ran: {}", total(0));
}
