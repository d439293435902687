//! The light-client sync protocol and its containers.

mod containers;
mod sync;

pub use containers::{
    HeaderShape, LightClientBootstrap, LightClientFinalityUpdate, LightClientHeader,
    LightClientOptimisticUpdate, LightClientUpdate, MAX_HEADER_BYTES, SszHasher, fit_branch,
    fork_of_digest, hash_tree_root, max_container_bytes,
};
pub use sync::{
    Assurance, CommitteeProof, ForceUpdatePolicy, LightClient, LightClientStore, UpdateEffect,
    is_better_update,
};
