//! The state-proof seam (notes §1): "verify a pre-state proof of 32-byte keys against a 32-byte
//! root, and compute the post root from a diff". Verkle implements it here; a binary tree
//! (EIP-7864, EIP-8297) can implement the same trait later, so block verification does not
//! depend on which tree the chain uses.

use alloc::collections::BTreeMap;

use crate::crs::Crs;
use crate::error::Error;
use crate::witness::ExecutionWitness;

/// Proven key → value (`None` when the key is proven absent).
pub type ProvenValues = BTreeMap<[u8; 32], Option<[u8; 32]>>;

/// A stateless proof of part of a 32-byte-key → 32-byte-value state plus its state diff.
pub trait StateProof {
    /// Why a proof is rejected.
    type Error;

    /// Verifies the pre-state proof against the trusted `pre_root` and returns every proven key
    /// with its value (`None` when the key is proven absent).
    fn verify_pre_state(&self, pre_root: &[u8; 32]) -> Result<ProvenValues, Self::Error>;

    /// Verifies the pre-state proof and computes the post-state root after applying the diff.
    fn post_state_root(&self, pre_root: &[u8; 32]) -> Result<[u8; 32], Self::Error>;
}

/// An execution witness together with the CRS it is checked with: the verkle [`StateProof`].
#[derive(Debug, Clone, Copy)]
pub struct VerkleStateProof<'a> {
    /// The CRS.
    pub crs: &'a Crs,
    /// The witness.
    pub witness: &'a ExecutionWitness,
}

impl StateProof for VerkleStateProof<'_> {
    type Error = Error;

    fn verify_pre_state(&self, pre_root: &[u8; 32]) -> Result<ProvenValues, Error> {
        Ok(self.witness.verify_pre_state(self.crs, pre_root)?.values)
    }

    fn post_state_root(&self, pre_root: &[u8; 32]) -> Result<[u8; 32], Error> {
        self.witness.post_state_root(self.crs, pre_root)
    }
}
