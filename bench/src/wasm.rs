//! wasm-bindgen exports timed by `bench/wasm/run.mjs` under node.

// wasm-bindgen exports must be `pub` although the module is private: they are reached from JS.
#![allow(unreachable_pub)]

use std::cell::RefCell;

use mana_consensus::bls::BlstVerifier;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::zkcrypto::ZkcryptoVerifier;
use crate::{Fixture, blst_fixture, fixture};

thread_local! {
    static BLST: RefCell<Option<Fixture<BlstVerifier>>> = const { RefCell::new(None) };
    static ZK: RefCell<Option<Fixture<ZkcryptoVerifier>>> = const { RefCell::new(None) };
}

/// Builds the fixtures (signing 512 times; not timed).
#[wasm_bindgen]
pub fn setup(absent: usize) {
    BLST.with(|f| *f.borrow_mut() = Some(blst_fixture(absent)));
    ZK.with(|f| *f.borrow_mut() = Some(fixture(ZkcryptoVerifier, absent)));
}

/// One full update verification with blst (committee cache warm after the first call).
#[wasm_bindgen]
pub fn verify_blst() {
    BLST.with(|f| {
        if let Some(f) = f.borrow_mut().as_mut() {
            f.verify();
        }
    });
}

/// One full update verification with blst from a cold committee cache.
#[wasm_bindgen]
pub fn verify_blst_cold(absent: usize) {
    let mut f = blst_fixture(absent);
    f.verify();
}

/// One full update verification with the pure-Rust `bls12_381` crate.
#[wasm_bindgen]
pub fn verify_bls12_381() {
    ZK.with(|f| {
        if let Some(f) = f.borrow_mut().as_mut() {
            f.verify();
        }
    });
}

/// Decompressing and validating the 512 committee keys.
#[wasm_bindgen]
pub fn prepare_committee() {
    use mana_consensus::bls::BlsVerifier;
    BLST.with(|f| {
        if let Some(f) = f.borrow().as_ref() {
            let _ =
                BlstVerifier.prepare_committee(&f.client.store().current_sync_committee.pubkeys);
        }
    });
}

/// Hash-to-G2 of a 32-byte signing root (part of every verification).
#[wasm_bindgen]
pub fn hash_to_g2() {
    let _ = BlstVerifier.hash_to_g2(&[7u8; 32], mana_consensus::bls::ETH_DST);
}

/// Decompressing and subgroup-checking the update's signature (part of every verification).
#[wasm_bindgen]
pub fn decode_signature() {
    BLST.with(|f| {
        if let Some(f) = f.borrow().as_ref() {
            let checked = BlstVerifier
                .check_signature_encoding(&f.update.sync_aggregate.sync_committee_signature);
            std::hint::black_box(checked.is_ok());
        }
    });
}

/// `hash_tree_root` of the update's next sync committee (part of every sync-committee update).
#[wasm_bindgen]
pub fn committee_root() {
    BLST.with(|f| {
        if let Some(c) = f.borrow().as_ref().and_then(|f| f.update.next_sync_committee.as_ref()) {
            std::hint::black_box(mana_consensus::light_client::hash_tree_root(c));
        }
    });
}

/// Bootstraps from `trusted_root` and catches up every period served at `url` (a Beacon API
/// base URL serving a mainnet-preset chain, e.g. the fixture server's generated case) with the
/// wall clock fixed at `now_unix_ms`. Checks that the finalized header reached has beacon root
/// `expected_finalized_root` and returns the bytes downloaded.
#[wasm_bindgen]
pub async fn sync_catch_up(
    url: String,
    trusted_root: String,
    now_unix_ms: f64,
    expected_finalized_root: String,
) -> Result<f64, wasm_bindgen::JsError> {
    use std::time::Duration;

    use mana_client::checkpoint::CheckpointPolicy;
    use mana_client::{Clock, HttpOptions, SyncConfig, Syncer, UpstreamPool};
    use mana_consensus::MAINNET_SYNC_COMMITTEE_SIZE as M;
    use mana_primitives::ChainSpec;
    use mana_store::MemoryStore;
    use wasm_bindgen::JsError;

    struct FixedClock(u64);
    impl Clock for FixedClock {
        fn now_unix_ms(&self) -> u64 {
            self.0
        }
    }
    fn root(text: &str) -> Result<[u8; 32], JsError> {
        let bytes =
            hex::decode(text.trim_start_matches("0x")).map_err(|e| JsError::new(&e.to_string()))?;
        bytes.try_into().map_err(|_| JsError::new("a root is 32 bytes"))
    }

    let spec = ChainSpec::mainnet();
    let gvr = spec.genesis_validators_root.ok_or_else(|| JsError::new("mainnet has a GVR"))?;
    let pool = UpstreamPool::new([url], &HttpOptions::default())
        .map_err(|e| JsError::new(&e.to_string()))?;
    let config = SyncConfig {
        poll_interval: Some(Duration::from_millis(1)),
        stale_after_slots: u64::MAX,
        force_update: None,
        checkpoint_policy: CheckpointPolicy { allow_old: true, ..CheckpointPolicy::default() },
    };
    let mut syncer = Syncer::<M, _, _>::open(
        spec,
        gvr,
        pool,
        MemoryStore::new(),
        FixedClock(now_unix_ms as u64),
        Some(root(&trusted_root)?),
        config,
        Box::new(|_| {}),
    )
    .await
    .map_err(|e| JsError::new(&e.to_string()))?;
    syncer.catch_up().await.map_err(|e| JsError::new(&e.to_string()))?;
    let reached = syncer.finalized_header().beacon_root();
    if reached != root(&expected_finalized_root)? {
        return Err(JsError::new(&format!(
            "finalized 0x{} after catching up, expected {expected_finalized_root}",
            hex::encode(reached)
        )));
    }
    Ok(syncer.pool().bytes_downloaded() as f64)
}

thread_local! {
    static BLOCK: RefCell<Option<(mana_stateless::witness::BlockInput, alloy_primitives::B256)>> =
        const { RefCell::new(None) };
}

/// Reads a mainnet-fixture JSON (block, witness, public keys); returns the block's gas used.
#[wasm_bindgen]
pub fn stateless_setup(json: &[u8]) -> Result<f64, wasm_bindgen::JsError> {
    use mana_stateless::witness::BlockInput;
    let input = BlockInput::from_fixture_json(json)
        .map_err(|e| wasm_bindgen::JsError::new(&e.to_string()))?;
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| wasm_bindgen::JsError::new(&e.to_string()))?;
    let hash = value
        .get("blockHash")
        .and_then(|h| h.as_str())
        .and_then(|h| h.parse().ok())
        .ok_or_else(|| wasm_bindgen::JsError::new("no blockHash"))?;
    let gas = input.block.header.gas_used as f64;
    BLOCK.with(|b| *b.borrow_mut() = Some((input, hash)));
    Ok(gas)
}

/// Verifies the block set up by [`stateless_setup`] end to end (decoding excluded), with the
/// supplied public keys or recovering senders.
#[wasm_bindgen]
pub fn stateless_verify(public_keys: bool) -> Result<(), wasm_bindgen::JsError> {
    use mana_stateless::rules::ChainConfig;
    use mana_stateless::witness::Trusted;
    BLOCK.with(|b| {
        let guard = b.borrow();
        let Some((input, hash)) = guard.as_ref() else {
            return Err(wasm_bindgen::JsError::new("call stateless_setup first"));
        };
        let mut input = input.clone();
        if !public_keys {
            input.public_keys = None;
        }
        mana_stateless::verify_block(&input, Trusted::BlockHash(*hash), &ChainConfig::mainnet())
            .map(|_| ())
            .map_err(|e| wasm_bindgen::JsError::new(&e.to_string()))
    })
}
