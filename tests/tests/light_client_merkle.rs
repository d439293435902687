//! consensus-spec-tests v1.6.1 `light_client/single_merkle_proof`, every fork and preset
//! present under `../shared/fixtures`.
//!
//! Each case holds an object (`BeaconState` or `BeaconBlockBody`, the suite name) and a proof of
//! the node at `leaf_index`. The object is decoded with the schema engine of
//! `mana_tests::schema`; the runner checks that `is_valid_merkle_branch` accepts the proof
//! against the object's root, that the engine generates exactly the same leaf and branch, that
//! a flipped byte in any branch node or in the leaf is rejected, and that `leaf_index` agrees
//! with the light-client generalized indices of `mana_consensus::merkle`.

use std::path::{Path, PathBuf};

use mana_consensus::merkle::{
    EXECUTION_PAYLOAD_GINDEX, StateProofIndices, gindex_depth, is_valid_merkle_branch,
    subtree_index,
};
use mana_primitives::Fork;
use mana_tests::schema::{SszPreset, Type, beacon_block_body, beacon_state};
use mana_tests::{Tally, consensus_tests, hex_array, read_ssz_snappy, read_yaml, subdirs};
use serde_yaml::Value;

const PRESETS: [&str; 2] = ["minimal", "mainnet"];
const FORKS: [&str; 6] = ["altair", "bellatrix", "capella", "deneb", "electra", "fulu"];

/// `(preset, fork, single_merkle_proof directory)` for every directory that exists.
fn handler_dirs() -> Vec<(&'static SszPreset, Fork, PathBuf)> {
    let mut out = Vec::new();
    for preset in PRESETS {
        for fork in FORKS {
            let dir = consensus_tests()
                .join(preset)
                .join(fork)
                .join("light_client")
                .join("single_merkle_proof");
            if dir.is_dir() {
                let preset = SszPreset::by_name(preset).expect("preset");
                out.push((preset, Fork::from_name(fork).expect("fork"), dir));
            }
        }
    }
    out
}

/// The schema of the suite `suite` (the SSZ type name).
fn suite_type(suite: &str, fork: Fork, preset: &SszPreset) -> Option<Type> {
    match suite {
        "BeaconState" => beacon_state(fork, preset),
        "BeaconBlockBody" => beacon_block_body(fork, preset),
        _ => None,
    }
}

/// The field path a light-client case proves and the generalized index Mana's light client
/// uses for it, when the case name is one of the known light-client proofs.
fn known_gindex(suite: &str, case: &str, fork: Fork) -> Option<(&'static [&'static str], u64)> {
    let state = StateProofIndices::for_fork(fork);
    match (suite, case) {
        ("BeaconState", "finality_root_merkle_proof") => {
            Some((&["finalized_checkpoint", "root"], state.finalized_root))
        }
        ("BeaconState", "current_sync_committee_merkle_proof") => {
            Some((&["current_sync_committee"], state.current_sync_committee))
        }
        ("BeaconState", "next_sync_committee_merkle_proof") => {
            Some((&["next_sync_committee"], state.next_sync_committee))
        }
        ("BeaconBlockBody", "execution_merkle_proof") => {
            Some((&["execution_payload"], EXECUTION_PAYLOAD_GINDEX))
        }
        _ => None,
    }
}

fn run_case(ty: &Type, suite: &str, fork: Fork, case: &Path) -> Result<(), String> {
    let bytes = read_ssz_snappy(&case.join("object.ssz_snappy"));
    let proof = read_yaml(&case.join("proof.yaml"));
    let leaf: [u8; 32] =
        hex_array(proof.get("leaf").and_then(Value::as_str).ok_or("missing `leaf`")?);
    let leaf_index =
        proof.get("leaf_index").and_then(Value::as_u64).ok_or("missing `leaf_index`")?;
    let branch: Vec<[u8; 32]> = proof
        .get("branch")
        .and_then(Value::as_sequence)
        .ok_or("missing `branch`")?
        .iter()
        .map(|node| node.as_str().map(hex_array::<32>).ok_or("branch node not a string"))
        .collect::<Result<_, _>>()?;

    let object = ty.decode(&bytes).map_err(|e| format!("decoding {suite}: {e}"))?;
    let root = ty.hash_tree_root(&object).map_err(|e| format!("hash_tree_root: {e}"))?;
    // A byte short or a byte over is either malformed (most suites: the last variable-size
    // part is a list of wider elements) or a different object (bellatrix `BeaconState` ends
    // in `extra_data`, a byte list), never the same root.
    let mut longer = bytes.clone();
    longer.push(0);
    for (what, variant) in
        [("short", &bytes[..bytes.len().saturating_sub(1)]), ("long", &longer[..])]
    {
        if let Ok(other) = ty.decode(variant)
            && ty.hash_tree_root(&other).ok() == Some(root)
        {
            return Err(format!("object a byte too {what} decodes to the same root"));
        }
    }

    let depth = gindex_depth(leaf_index);
    let index = subtree_index(leaf_index);
    if branch.len() != depth as usize {
        return Err(format!("branch has {} nodes, depth of {leaf_index} is {depth}", branch.len()));
    }
    if !is_valid_merkle_branch(&leaf, &branch, depth, index, &root) {
        return Err("is_valid_merkle_branch rejects the fixture proof".into());
    }

    let (own_leaf, own_branch) =
        ty.prove(&object, leaf_index).map_err(|e| format!("proving {leaf_index}: {e}"))?;
    if own_leaf != leaf {
        return Err(format!("leaf at {leaf_index} is 0x{}", hex::encode(own_leaf)));
    }
    if own_branch != branch {
        return Err(format!("generated branch differs: {own_branch:x?}"));
    }

    for position in 0..branch.len() {
        let mut tampered = branch.clone();
        tampered[position][position % 32] ^= 0x01;
        if is_valid_merkle_branch(&leaf, &tampered, depth, index, &root) {
            return Err(format!("branch with node {position} flipped accepted"));
        }
    }
    let mut bad_leaf = leaf;
    bad_leaf[31] ^= 0x80;
    if is_valid_merkle_branch(&bad_leaf, &branch, depth, index, &root) {
        return Err("tampered leaf accepted".into());
    }
    if let Some((_, shorter)) = branch.split_last()
        && is_valid_merkle_branch(&leaf, shorter, depth, index, &root)
    {
        return Err("truncated branch accepted".into());
    }

    let case_name = case.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if let Some((path, mana_gindex)) = known_gindex(suite, case_name, fork) {
        let schema_gindex = ty.field_gindex(path);
        if schema_gindex != Some(leaf_index) || mana_gindex != leaf_index {
            return Err(format!(
                "leaf_index {leaf_index}: schema gives {schema_gindex:?} for {path:?}, \
                 mana_consensus::merkle {mana_gindex}"
            ));
        }
    }
    Ok(())
}

#[test]
fn single_merkle_proof() {
    let mut tally = Tally::new("light_client/single_merkle_proof");
    let mut roots = Vec::new();
    for (preset, fork, dir) in handler_dirs() {
        for suite_dir in subdirs(&dir) {
            let suite = suite_dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let Some(ty) = suite_type(suite, fork, preset) else {
                // Not touched: `finish` reports the suite's files as unhandled.
                continue;
            };
            for case in subdirs(&suite_dir) {
                tally.touch_dir(&case);
                tally.run(&case, || run_case(&ty, suite, fork, &case));
            }
        }
        roots.push(dir);
    }
    tally.finish(&roots);
}
