//! The state-proof seam (verkle notes §1): "verify a pre-state proof against a 32-byte root, and
//! compute the post-state root from a diff". The verkle witness (EIP-6800, `mana-verkle`) and the
//! Merkle-Patricia witness (`mana-stateless`) both implement [`StateProof`], so what a block
//! verifier asks of the state does not depend on which tree the chain commits to (a binary tree,
//! EIP-7864, would be one more implementation).

use alloc::collections::BTreeMap;

/// Proven key → value; `None` when the key is proven absent.
pub type Proven<K, V> = BTreeMap<K, Option<V>>;

/// A stateless proof of part of a state, together with the change a block makes to it.
pub trait StateProof {
    /// A proven key: a 32-byte tree key in verkle, an account or a storage slot in the MPT.
    type Key: Ord;
    /// A proven value.
    type Value;
    /// Why a proof is rejected.
    type Error;

    /// Verifies the pre-state proof against the trusted `pre_root` and returns every proven key
    /// with its value (`None` when the key is proven absent).
    ///
    /// # Errors
    /// When the proof does not verify against `pre_root` or is malformed.
    fn verify_pre_state(
        &self,
        pre_root: &[u8; 32],
    ) -> Result<Proven<Self::Key, Self::Value>, Self::Error>;

    /// Computes the post-state root: the proven pre-state with the change applied.
    ///
    /// # Errors
    /// When the proof does not verify against `pre_root`, or lacks what the change needs.
    fn post_state_root(&self, pre_root: &[u8; 32]) -> Result<[u8; 32], Self::Error>;
}
