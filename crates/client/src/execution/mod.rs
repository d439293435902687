//! Verified execution: an EIP-1193-style JSON-RPC provider whose answers are checked against
//! execution blocks the light client vouches for, over execution JSON-RPC upstreams with
//! failover.

#[cfg(feature = "evm")]
mod evm;
mod provider;
mod rpc;
mod trusted;

#[cfg(feature = "evm")]
pub(crate) use evm::revert_reason;
pub use provider::{ProviderConfig, VerifiedBlock, VerifiedProvider};
/// The EVM specification (hard fork) local execution runs under; see
/// [`ProviderConfig::evm_spec`].
#[cfg(feature = "evm")]
pub use revm::primitives::hardfork::SpecId;
pub use rpc::ExecutionRpc;
pub use trusted::{HeadNotes, SharedHeads, TrustedBlock, TrustedHeaders, TrustedHeads};
