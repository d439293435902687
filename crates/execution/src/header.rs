//! Block headers: `keccak256(rlp(header))` against a trusted block hash, and parent-hash chains.
//!
//! The RLP field list follows the Yellow Paper header with each fork's additions: `baseFeePerGas`
//! (EIP-1559, London), `withdrawalsRoot` (EIP-4895, Shanghai), `blobGasUsed`, `excessBlobGas`
//! (EIP-4844) and `parentBeaconBlockRoot` (EIP-4788) in Cancun, `requestsHash` (EIP-7685) in
//! Prague; Osaka adds no header field. Optional fields are encoded only when present, so one
//! encoder hashes every fork.

use alloy_consensus::Header;
use alloy_primitives::B256;

use crate::{Error, Result};

/// Checks that `header` hashes to `expected` (a trusted block hash). Returns the hash.
pub fn verify_header(header: &Header, expected: &B256) -> Result<B256> {
    let computed = header.hash_slow();
    if computed == *expected {
        Ok(computed)
    } else {
        Err(Error::BlockHashMismatch { expected: *expected, computed })
    }
}

/// Checks a chain of ancestors of a trusted header: `ancestors[0]` must be the trusted header's
/// parent, each next one the parent of the previous. Walking parent hashes is how a block older
/// than the light client's head is verified.
pub fn verify_parent_chain(trusted: &Header, ancestors: &[Header]) -> Result<()> {
    let mut child = trusted;
    for parent in ancestors {
        let expected = parent.hash_slow();
        if child.parent_hash != expected || parent.number.checked_add(1) != Some(child.number) {
            return Err(Error::BrokenParentChain {
                number: child.number,
                found: child.parent_hash,
                parent_number: parent.number,
                expected,
            });
        }
        child = parent;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Bloom, U256, b256};

    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A Prague-shaped header: every optional field present.
    fn prague_like() -> Header {
        Header {
            parent_hash: B256::repeat_byte(1),
            number: 22_431_084,
            gas_limit: 36_000_000,
            gas_used: 1_000_000,
            timestamp: 1_746_612_311,
            base_fee_per_gas: Some(1_000_000_000),
            withdrawals_root: Some(B256::repeat_byte(2)),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(B256::repeat_byte(3)),
            requests_hash: Some(B256::repeat_byte(4)),
            logs_bloom: Bloom::default(),
            difficulty: U256::ZERO,
            ..Header::default()
        }
    }

    #[test]
    fn genesis_of_mainnet_hashes_to_its_known_hash() {
        // Mainnet genesis (Frontier): the well-known block hash d4e5…8fa3.
        let header = Header {
            parent_hash: B256::ZERO,
            ommers_hash: b256!("1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"),
            beneficiary: alloy_primitives::Address::ZERO,
            state_root: b256!("d7f8974fb5ac78d9ac099b9ad5018bedc2ce0a72dad1827a1709da30580f0544"),
            transactions_root: b256!(
                "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
            ),
            receipts_root: b256!(
                "56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
            ),
            logs_bloom: Bloom::default(),
            difficulty: U256::from(0x4_0000_0000u64),
            number: 0,
            gas_limit: 5000,
            gas_used: 0,
            timestamp: 0,
            extra_data: alloy_primitives::bytes!(
                "11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa"
            ),
            mix_hash: B256::ZERO,
            nonce: alloy_primitives::B64::from(0x42u64),
            ..Header::default()
        };
        let expected = b256!("d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3");
        assert_eq!(verify_header(&header, &expected), Ok(expected));
    }

    #[test]
    fn any_changed_field_changes_the_hash() {
        let header = prague_like();
        let hash = header.hash_slow();
        assert!(verify_header(&header, &hash).is_ok());
        let mut tampered = header.clone();
        tampered.requests_hash = Some(B256::repeat_byte(5));
        assert!(matches!(
            verify_header(&tampered, &hash),
            Err(Error::BlockHashMismatch { expected, .. }) if expected == hash
        ));
        let mut tampered = header.clone();
        tampered.requests_hash = None;
        assert!(verify_header(&tampered, &hash).is_err());
        let mut tampered = header;
        tampered.state_root.0[31] ^= 1;
        assert!(verify_header(&tampered, &hash).is_err());
    }

    #[test]
    fn parent_chains_link_by_hash_and_number() {
        let grandparent = Header { number: 9, ..prague_like() };
        let parent = Header { number: 10, parent_hash: grandparent.hash_slow(), ..prague_like() };
        let child = Header { number: 11, parent_hash: parent.hash_slow(), ..prague_like() };
        assert!(verify_parent_chain(&child, &[parent.clone(), grandparent.clone()]).is_ok());
        assert!(verify_parent_chain(&child, &[]).is_ok());
        // Skipping a block breaks the chain.
        assert!(matches!(
            verify_parent_chain(&child, core::slice::from_ref(&grandparent)),
            Err(Error::BrokenParentChain { number: 11, parent_number: 9, .. })
        ));
        let mut forged = parent;
        forged.gas_used += 1;
        assert!(verify_parent_chain(&child, &[forged, grandparent]).is_err());
    }
}
