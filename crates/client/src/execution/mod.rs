//! Verified execution: an EIP-1193-style JSON-RPC provider whose answers are checked against
//! execution blocks the light client vouches for, over execution JSON-RPC upstreams with
//! failover.

mod provider;
mod rpc;
mod trusted;

pub use provider::{ProviderConfig, VerifiedBlock, VerifiedProvider};
pub use rpc::ExecutionRpc;
pub use trusted::{SharedHeads, TrustedBlock, TrustedHeaders, TrustedHeads};
