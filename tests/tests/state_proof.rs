//! Both witnesses behind the one state-proof seam (`mana_primitives::StateProof`): the verkle
//! execution witness of Kaustinen-6 block 72 (EIP-6800) and the Merkle-Patricia witnesses of
//! real mainnet blocks (every file of `stateless/mainnet`, counted by the shared `Tally`),
//! checked by the same generic code; then the MPT side with tampered input.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use alloy_primitives::{B256, Bytes, U256};
use mana_primitives::StateProof;
use mana_stateless::Error;
use mana_stateless::execute::StateChanges;
use mana_stateless::mpt::NodePool;
use mana_stateless::rules::ChainConfig;
use mana_stateless::state_proof::{MptStateProof, StateKey, StateValue};
use mana_stateless::verify_block_with_changes;
use mana_stateless::witness::{BlockInput, Trusted, verify_ancestry};
use mana_tests::{Tally, fixtures, hex_array, mainnet_blocks};
use mana_verkle::{Crs, ExecutionWitness, VerkleStateProof};
use serde_json::Value;

/// What a block verifier asks of any state proof: the pre-state verifies against the parent's
/// root, and the post-state root is the block's. Returns the number of proven keys.
fn check<P: StateProof>(proof: &P, pre: &[u8; 32], post: &[u8; 32]) -> Result<usize, P::Error> {
    let proven = proof.verify_pre_state(pre)?;
    assert_eq!(&proof.post_state_root(pre)?, post, "post-state root");
    Ok(proven.len())
}

#[test]
fn the_verkle_witness_is_a_state_proof() {
    let dir = fixtures().join("verkle/witness");
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let case = &index["cases"][0];
    let bytes = std::fs::read(dir.join(case["file"].as_str().unwrap())).unwrap();
    let witness = ExecutionWitness::from_json(&bytes).unwrap();
    let pre = hex_array::<32>(case["pre_state_root"].as_str().unwrap());
    let post = hex_array::<32>(case["post_state_root_in_header"].as_str().unwrap());
    let crs = Crs::new();
    let proof = VerkleStateProof { crs: &crs, witness: &witness };
    let keys = check(&proof, &pre, &post).unwrap();
    assert_eq!(keys as u64, case["stats"]["keys"].as_u64().unwrap());
    let mut wrong = pre;
    wrong[31] ^= 1;
    assert!(proof.verify_pre_state(&wrong).is_err());
    assert!(proof.post_state_root(&wrong).is_err());
}

/// A verified mainnet block: its witness pool, the keys its changes touch, the changes, and the
/// pre- and post-state roots.
struct Block {
    path: std::path::PathBuf,
    name: String,
    nodes: Vec<Bytes>,
    pool: NodePool,
    keys: Vec<StateKey>,
    changes: StateChanges,
    pre: [u8; 32],
    post: [u8; 32],
}

fn blocks() -> Vec<Block> {
    let config = ChainConfig::mainnet();
    mainnet_blocks()
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            let json: Value = serde_json::from_slice(&bytes).unwrap();
            let input = BlockInput::from_fixture_json(&bytes).unwrap();
            let hash: B256 = json["blockHash"].as_str().unwrap().parse().unwrap();
            let (_, changes) =
                verify_block_with_changes(&input, Trusted::BlockHash(hash), &config).unwrap();
            let ancestors = verify_ancestry(
                &input.block.header,
                &input.witness.headers,
                Trusted::BlockHash(hash),
            )
            .unwrap();
            let mut keys = Vec::new();
            for account in &changes.accounts {
                keys.push(StateKey::Account(account.address));
                if !account.wiped {
                    keys.extend(
                        account.storage.iter().map(|(s, _)| StateKey::Slot(account.address, *s)),
                    );
                }
            }
            Block {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
                pool: NodePool::from_nodes(&input.witness.state),
                nodes: input.witness.state.clone(),
                keys,
                changes,
                pre: ancestors.parent().state_root.0,
                post: input.block.header.state_root.0,
            }
        })
        .collect()
}

impl Block {
    fn proof(&self) -> MptStateProof<'_> {
        MptStateProof { pool: &self.pool, keys: &self.keys, changes: &self.changes }
    }
}

#[test]
fn the_merkle_patricia_witness_is_a_state_proof() {
    let blocks = blocks();
    assert!(!blocks.is_empty());
    let mut tally = Tally::new("MPT witnesses as state proofs");
    for block in &blocks {
        tally.touch(&block.path);
        tally.run(&block.path, || {
            let proven = check(&block.proof(), &block.pre, &block.post)
                .unwrap_or_else(|e| panic!("{}: {e}", block.name));
            assert_eq!(proven, block.keys.iter().collect::<std::collections::BTreeSet<_>>().len());
            let values = block.proof().verify_pre_state(&block.pre).unwrap();
            // Every changed account that existed before has its leaf proven; a proven slot value is
            // never zero (zero slots are absent from the trie).
            let accounts =
                values.values().flatten().filter(|v| matches!(v, StateValue::Account(_)));
            assert!(accounts.count() > 0, "{}", block.name);
            assert!(values.values().flatten().all(|v| *v != StateValue::Slot(U256::ZERO)));
            println!("{}: {proven} keys proven, post-state root reproduced", block.name);
            Ok(())
        });
    }
    tally.finish(&[fixtures().join("stateless/mainnet")]);
}

#[test]
fn tampered_merkle_patricia_proofs_are_refused() {
    let block = blocks().swap_remove(0);
    // A wrong pre-state root: its node is not in the pool.
    let mut wrong = block.pre;
    wrong[0] ^= 1;
    assert_eq!(
        block.proof().verify_pre_state(&wrong).unwrap_err(),
        Error::MissingNode(B256::from(wrong))
    );
    assert!(matches!(block.proof().post_state_root(&wrong), Err(Error::MissingNode(_))));

    // A node missing, or with a flipped byte (then it hashes to a different key, so the node
    // the trie asks for is missing): the walks through it fail.
    let nodes = &block.nodes;
    let root_node = nodes
        .iter()
        .position(|n| alloy_primitives::keccak256(n) == B256::from(block.pre))
        .expect("the witness holds the root node");
    for flip in [false, true] {
        let mut tampered = nodes.clone();
        if flip {
            let mut node = tampered[root_node].to_vec();
            let last = node.len() - 1;
            node[last] ^= 0x01;
            tampered[root_node] = node.into();
        } else {
            tampered.remove(root_node);
        }
        let pool = NodePool::from_nodes(&tampered);
        let proof = MptStateProof { pool: &pool, keys: &block.keys, changes: &block.changes };
        assert_eq!(
            proof.verify_pre_state(&block.pre).unwrap_err(),
            Error::MissingNode(B256::from(block.pre))
        );
    }

    // Changes other than the block's: another post-state root.
    let mut changes = block.changes.clone();
    let account = changes.accounts.iter_mut().find(|a| a.info.is_some()).unwrap();
    if let Some((_, balance, _)) = account.info.as_mut() {
        *balance += U256::from(1);
    }
    let proof = MptStateProof { pool: &block.pool, keys: &block.keys, changes: &changes };
    assert_ne!(proof.post_state_root(&block.pre).unwrap(), block.post);
}
