#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::arithmetic_side_effects
    )
)]

extern crate alloc;

mod batch_affine;
mod crs;
mod crs_data;
mod error;
mod field;
mod glv;
mod hex;
mod ipa;
mod keys;
#[cfg(any(not(target_pointer_width = "64"), test))]
mod mont29;
mod msm;
mod multiproof;
mod point;
mod safegcd;
#[cfg(any(not(target_pointer_width = "64"), test))]
mod safegcd30;
mod sqrt;
mod ssz;
mod state_proof;
#[cfg(any(test, feature = "test-utils"))]
pub mod testing;
mod transcript;
mod tree;
mod verify;
mod witness;

pub use crs::{CRS_SEED, Crs, WIDTH};
pub use error::{Error, Result};
pub use field::{Fr, fr_from_le, fr_to_le};
pub use ipa::{IPA_PROOF_SIZE, IPA_ROUNDS, IpaProof, prove_ipa, verify_ipa};
pub use keys::{
    Account, AddressPoint, BASIC_DATA_LEAF_KEY, BasicData, CODE_HASH_LEAF_KEY, CODE_OFFSET,
    HEADER_STORAGE_OFFSET, Layout, account_leaves, address32, chunkify_code, code_chunk_position,
    get_tree_key, pedersen_hash, storage_key, storage_slot_position, tree_index,
};
pub use multiproof::{
    MULTIPROOF_SIZE, MultiProof, Opening, ProverQuery, prove_multiproof, verify_multiproof,
};
pub use point::Element;
pub use state_proof::{Proven, ProvenValues, StateProof, VerkleStateProof};
pub use transcript::Transcript;
pub use tree::{MemoryTree, Stem};
pub use verify::{PreState, Report, TREE_PROOF_LABEL, WitnessStats};
pub use witness::{
    ExecutionWitness, MAX_COMMITMENTS_PER_STEM, MAX_STEMS, StemDiff, SuffixDiff, VerkleProof,
};

#[cfg(test)]
mod tests;
