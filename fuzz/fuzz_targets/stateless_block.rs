//! Fuzzes stateless block verification (`mana_stateless::verify_block`) down to re-execution,
//! with arbitrary contract code and arbitrary witnesses. Any panic is a bug.
//!
//! Two inputs reach execution:
//!
//! - Structured: the first byte picks a fork (Cancun, Prague, Osaka, BPO2); the rest, split in
//!   two, are the codes of the system contracts (EIP-4788 beacon roots, EIP-2935 block hashes,
//!   EIP-7002 and EIP-7251 request contracts) and of one more account they can call (`0x…1000`).
//!   A well-formed pre-state (its trie nodes and the parent header in the witness) and an empty
//!   block over it are built around them, so the system calls at the start and end of the block
//!   load and run the codes: malformed EIP-7702 designators, any opcode sequence, state writes
//!   that reach the post-state root.
//! - The fixture shape (`blockRlp`, `executionWitness`, …) verified against its own block hash:
//!   seeded with real blocks (`$MANA_FIXTURES/stateless/mainnet/*.json` copied into the corpus),
//!   mutated witness nodes and codes reach execution.
//!
//! Run: `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run stateless_block`

#![no_main]

use alloy_consensus::{Block, BlockBody, EMPTY_OMMER_ROOT_HASH, Header};
use alloy_eips::eip4895::Withdrawals;
use alloy_eips::eip7685::EMPTY_REQUESTS_HASH;
use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy_trie::proof::ProofRetainer;
use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, Nibbles, TrieAccount};
use libfuzzer_sys::fuzz_target;
use mana_stateless::rules::{ChainConfig, next_base_fee};
use mana_stateless::verify_block;
use mana_stateless::witness::{BlockInput, Trusted, Witness};

/// Block timestamps on mainnet: Cancun, Prague, Osaka, BPO2.
const TIMESTAMPS: [u64; 4] = [1_720_000_000, 1_750_000_000, 1_765_000_000, 1_770_000_000];

/// The account the system contracts' code can call into.
const CALLEE: Address = address!("0000000000000000000000000000000000001000");

/// The system contracts whose code runs in every block of these forks.
const SYSTEM: [Address; 4] = [
    alloy_eips::eip4788::BEACON_ROOTS_ADDRESS,
    alloy_eips::eip2935::HISTORY_STORAGE_ADDRESS,
    alloy_eips::eip7002::WITHDRAWAL_REQUEST_PREDEPLOY_ADDRESS,
    alloy_eips::eip7251::CONSOLIDATION_REQUEST_PREDEPLOY_ADDRESS,
];

/// The root and every node of the account trie holding `accounts` (storage empty).
fn account_trie(accounts: &[(Address, &[u8])]) -> (B256, Vec<Bytes>) {
    let mut leaves: Vec<(Nibbles, Vec<u8>)> = accounts
        .iter()
        .map(|(address, code)| {
            let account = TrieAccount {
                nonce: 1,
                balance: U256::from(1_000_000u64),
                storage_root: EMPTY_ROOT_HASH,
                code_hash: keccak256(code),
            };
            (Nibbles::unpack(keccak256(address)), alloy_rlp::encode(account))
        })
        .collect();
    leaves.sort_by(|a, b| a.0.cmp(&b.0));
    let retainer = ProofRetainer::from_iter(leaves.iter().map(|(key, _)| *key));
    let mut builder = HashBuilder::default().with_proof_retainer(retainer);
    for (key, value) in &leaves {
        builder.add_leaf(*key, value);
    }
    let root = builder.root();
    (root, builder.take_proof_nodes().into_inner().into_values().collect())
}

/// An empty block at `timestamp` over a pre-state where the system contracts hold `system_code`
/// and [`CALLEE`] holds `callee_code`; anchored at its parent.
fn structured(timestamp: u64, system_code: &[u8], callee_code: &[u8]) -> Option<BlockInput> {
    let mut accounts: Vec<(Address, &[u8])> =
        SYSTEM.iter().map(|address| (*address, system_code)).collect();
    accounts.push((CALLEE, callee_code));
    let (state_root, nodes) = account_trie(&accounts);
    let config = ChainConfig::mainnet();
    let prague = config.prague_time.is_some_and(|t| timestamp >= t);
    let parent = Header {
        number: 20_000_000,
        timestamp: timestamp - 12,
        gas_limit: 30_000_000,
        base_fee_per_gas: Some(1_000_000_000),
        state_root,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        transactions_root: EMPTY_ROOT_HASH,
        receipts_root: EMPTY_ROOT_HASH,
        withdrawals_root: Some(EMPTY_ROOT_HASH),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(B256::repeat_byte(1)),
        requests_hash: prague.then_some(EMPTY_REQUESTS_HASH),
        ..Header::default()
    };
    let header = Header {
        parent_hash: parent.hash_slow(),
        number: parent.number + 1,
        timestamp,
        base_fee_per_gas: Some(next_base_fee(&parent).ok()?),
        parent_beacon_block_root: Some(B256::repeat_byte(2)),
        ..parent.clone()
    };
    let block = Block {
        header,
        body: BlockBody {
            transactions: Vec::new(),
            ommers: Vec::new(),
            withdrawals: Some(Withdrawals::default()),
        },
    };
    let codes = vec![Bytes::copy_from_slice(system_code), Bytes::copy_from_slice(callee_code)];
    let witness = Witness::new(nodes, codes, Vec::new(), vec![parent]).ok()?;
    Some(BlockInput { block, witness, chain_id: config.chain_id, public_keys: None })
}

fuzz_target!(|data: &[u8]| {
    let config = ChainConfig::mainnet();
    if let Some((&selector, rest)) = data.split_first() {
        let timestamp = TIMESTAMPS[usize::from(selector) % TIMESTAMPS.len()];
        let (system_code, callee_code) = rest.split_at(rest.len() / 2);
        if let Some(input) = structured(timestamp, system_code, callee_code) {
            let anchor = Trusted::ParentHash(input.block.header.parent_hash);
            let _ = verify_block(&input, anchor, &config);
        }
    }
    if let Ok(input) = BlockInput::from_fixture_json(data) {
        let anchor = Trusted::BlockHash(input.block.header.hash_slow());
        let _ = verify_block(&input, anchor, &config);
    }
});
