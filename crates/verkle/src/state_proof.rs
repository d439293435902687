//! The verkle side of the state-proof seam ([`StateProof`], from `mana-primitives`, which the
//! Merkle-Patricia witness of `mana-stateless` implements too): an execution witness proves
//! 32-byte tree keys and carries its state diff.

pub use mana_primitives::{Proven, StateProof};

use crate::crs::Crs;
use crate::error::Error;
use crate::witness::ExecutionWitness;

/// Proven tree key → value (`None` when the key is proven absent).
pub type ProvenValues = Proven<[u8; 32], [u8; 32]>;

/// An execution witness together with the CRS it is checked with: the verkle [`StateProof`].
#[derive(Debug, Clone, Copy)]
pub struct VerkleStateProof<'a> {
    /// The CRS.
    pub crs: &'a Crs,
    /// The witness.
    pub witness: &'a ExecutionWitness,
}

impl StateProof for VerkleStateProof<'_> {
    type Key = [u8; 32];
    type Value = [u8; 32];
    type Error = Error;

    fn verify_pre_state(&self, pre_root: &[u8; 32]) -> Result<ProvenValues, Error> {
        Ok(self.witness.verify_pre_state(self.crs, pre_root)?.values)
    }

    fn post_state_root(&self, pre_root: &[u8; 32]) -> Result<[u8; 32], Error> {
        self.witness.post_state_root(self.crs, pre_root)
    }
}
