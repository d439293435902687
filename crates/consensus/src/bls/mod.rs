//! BLS12-381 signatures with Ethereum semantics (`altair/bls.md`), behind a small trait so tests,
//! zkVMs or other backends can swap the implementation.

#[cfg(feature = "blst")]
mod blst_backend;

#[cfg(feature = "blst")]
pub use blst_backend::{BlstCommittee, BlstVerifier};

use crate::error::BlsError;
use crate::types::common::{BlsPubkey, BlsSignature};

/// `DST` of the proof-of-possession ciphersuite used by Ethereum signatures.
pub const ETH_DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// The compressed point at infinity in G1 (`G1_POINT_AT_INFINITY`).
pub const G1_POINT_AT_INFINITY: BlsPubkey = {
    let mut bytes = [0u8; 48];
    bytes[0] = 0xc0;
    bytes
};

/// A BLS backend with Ethereum's rules (`KeyValidate` on every key: no infinity, subgroup
/// checked; signatures subgroup checked).
pub trait BlsVerifier {
    /// A sync committee with its keys decompressed and validated once, so that verifying many
    /// signatures of the same committee does not decompress 512 keys each time.
    type Committee;

    /// Decompresses and validates every key of a committee. A committee may contain invalid keys;
    /// they make a signature invalid only when their member participates.
    fn prepare_committee(&self, pubkeys: &[BlsPubkey]) -> Self::Committee;

    /// `FastAggregateVerify` over the members of `committee` whose `participation` bit is set.
    fn verify_committee_signature(
        &self,
        committee: &Self::Committee,
        participation: &[bool],
        message: &[u8],
        signature: &BlsSignature,
    ) -> Result<(), BlsError>;

    /// `FastAggregateVerify(pubkeys, message, signature)` (IETF BLS draft, `KeyValidate` on
    /// every key). `Ok(false)` for a well-formed signature that does not verify.
    fn fast_aggregate_verify(
        &self,
        pubkeys: &[BlsPubkey],
        message: &[u8],
        signature: &BlsSignature,
    ) -> Result<bool, BlsError>;

    /// `Verify(pubkey, message, signature)` with `KeyValidate` on the key.
    fn verify(
        &self,
        pubkey: &BlsPubkey,
        message: &[u8],
        signature: &BlsSignature,
    ) -> Result<bool, BlsError> {
        self.fast_aggregate_verify(core::slice::from_ref(pubkey), message, signature)
    }

    /// `AggregateVerify(pubkeys, messages, signature)`: one message per key.
    fn aggregate_verify(
        &self,
        pubkeys: &[BlsPubkey],
        messages: &[&[u8]],
        signature: &BlsSignature,
    ) -> Result<bool, BlsError>;

    /// `eth_aggregate_pubkeys(pubkeys)` (`altair/bls.md`): the compressed sum of validated keys;
    /// an empty list is an error.
    fn eth_aggregate_pubkeys(&self, pubkeys: &[BlsPubkey]) -> Result<BlsPubkey, BlsError>;

    /// `eth_fast_aggregate_verify(pubkeys, message, signature)` (`altair/bls.md`): like
    /// `FastAggregateVerify`, but an empty key list with the infinity signature is valid.
    fn eth_fast_aggregate_verify(
        &self,
        pubkeys: &[BlsPubkey],
        message: &[u8],
        signature: &BlsSignature,
    ) -> Result<bool, BlsError> {
        if pubkeys.is_empty() {
            let mut infinity = [0u8; 96];
            infinity[0] = 0xc0;
            return Ok(*signature == infinity);
        }
        self.fast_aggregate_verify(pubkeys, message, signature)
    }
}
