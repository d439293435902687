//! Signing domains and roots (phase0 `beacon-chain.md`, "Helper functions" → "Misc").

use crate::{Root, Version, sha256_pair};

/// A 4-byte `DomainType`.
pub type DomainType = [u8; 4];
/// A 32-byte signature `Domain`.
pub type Domain = [u8; 32];

/// `DOMAIN_BEACON_PROPOSER` (phase0 constants).
pub const DOMAIN_BEACON_PROPOSER: DomainType = [0, 0, 0, 0];
/// `DOMAIN_SYNC_COMMITTEE` (altair constants).
pub const DOMAIN_SYNC_COMMITTEE: DomainType = [7, 0, 0, 0];

/// `compute_fork_data_root(current_version, genesis_validators_root)`: the hash tree root of
/// `ForkData { current_version, genesis_validators_root }`.
pub fn compute_fork_data_root(current_version: Version, genesis_validators_root: &Root) -> Root {
    let mut version_chunk = [0u8; 32];
    version_chunk[..4].copy_from_slice(&current_version);
    sha256_pair(&version_chunk, genesis_validators_root)
}

/// `compute_domain(domain_type, fork_version, genesis_validators_root)`.
pub fn compute_domain(
    domain_type: DomainType,
    fork_version: Version,
    genesis_validators_root: &Root,
) -> Domain {
    let fork_data_root = compute_fork_data_root(fork_version, genesis_validators_root);
    let mut domain = [0u8; 32];
    domain[..4].copy_from_slice(&domain_type);
    domain[4..].copy_from_slice(&fork_data_root[..28]);
    domain
}

/// `compute_signing_root(object, domain)` given the object's hash tree root: the hash tree root
/// of `SigningData { object_root, domain }`.
pub fn compute_signing_root(object_root: &Root, domain: &Domain) -> Root {
    sha256_pair(object_root, domain)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn mainnet_sync_committee_domain_at_fulu() {
        // Domain for the mainnet genesis validators root and the Fulu fork version.
        let gvr = [
            0x4b, 0x36, 0x3d, 0xb9, 0x4e, 0x28, 0x61, 0x20, 0xd7, 0x6e, 0xb9, 0x05, 0x34, 0x0f,
            0xdd, 0x4e, 0x54, 0xbf, 0xe9, 0xf0, 0x6b, 0xf3, 0x3f, 0xf6, 0xcf, 0x5a, 0xd2, 0x7f,
            0x51, 0x1b, 0xfe, 0x95,
        ];
        let domain = compute_domain(DOMAIN_SYNC_COMMITTEE, [6, 0, 0, 0], &gvr);
        assert_eq!(&domain[..4], &DOMAIN_SYNC_COMMITTEE);
        assert_eq!(&domain[4..], &compute_fork_data_root([6, 0, 0, 0], &gvr)[..28]);
        assert_ne!(domain, compute_domain(DOMAIN_SYNC_COMMITTEE, [5, 0, 0, 0], &gvr));
    }
}
