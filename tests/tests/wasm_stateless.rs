//! The stateless verifier on the real mainnet blocks, runnable natively and as wasm under node
//! (`cargo test --target wasm32-unknown-unknown -p mana-tests --test wasm_stateless`): the
//! browser build re-executes a whole mainnet block from its witness and reaches the header's
//! post-state root. The blocks are embedded at build time from `../shared/fixtures`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mana_stateless::rules::ChainConfig;
use mana_stateless::verify_block;
use mana_stateless::witness::{BlockInput, Trusted};

include!(concat!(env!("OUT_DIR"), "/embedded_stateless_blocks.rs"));

#[test]
fn mainnet_blocks_verify_statelessly() {
    assert_eq!(BLOCKS.len(), 2, "the two mainnet fixtures are embedded");
    let config = ChainConfig::mainnet();
    for (name, bytes) in BLOCKS {
        let input = BlockInput::from_fixture_json(bytes).unwrap();
        let json: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let hash = json["blockHash"].as_str().unwrap().parse().unwrap();
        let verdict = verify_block(&input, Trusted::BlockHash(hash), &config)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(verdict.state_root, input.block.header.state_root);
        let mut tampered = input.clone();
        tampered.witness.codes.clear();
        assert!(
            verify_block(&tampered, Trusted::BlockHash(hash), &config).is_err(),
            "{name}: a witness without codes must fail"
        );
    }
}
