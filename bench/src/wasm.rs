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
        ..SyncConfig::default()
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

// ---------------------------------------------------------------------------------------------
// Verkle (EIP-6800): the block-72 witness, synthetic multiproofs, tree keys, commitment updates
// (the same cases as `benches/verkle.rs` natively).

struct VerkleWitness {
    json: Vec<u8>,
    witness: mana_verkle::ExecutionWitness,
    pre: [u8; 32],
    post: [u8; 32],
}

struct VerkleOpenings {
    commitments: Vec<mana_verkle::Element>,
    encoded: Vec<[u8; 32]>,
    openings: Vec<mana_verkle::Opening>,
    proof: mana_verkle::MultiProof,
    proof_bytes: Vec<u8>,
}

thread_local! {
    static VERKLE_CRS: RefCell<Option<mana_verkle::Crs>> = const { RefCell::new(None) };
    static VERKLE_WITNESS: RefCell<Option<VerkleWitness>> = const { RefCell::new(None) };
    static VERKLE_OPENINGS: RefCell<Option<VerkleOpenings>> = const { RefCell::new(None) };
    static VERKLE_COUNTER: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn js_error(e: impl std::fmt::Display) -> wasm_bindgen::JsError {
    wasm_bindgen::JsError::new(&e.to_string())
}

fn root32(text: &str) -> Result<[u8; 32], wasm_bindgen::JsError> {
    let bytes = hex::decode(text.trim_start_matches("0x")).map_err(js_error)?;
    bytes.try_into().map_err(|_| wasm_bindgen::JsError::new("a root is 32 bytes"))
}

fn with_crs<T>(f: impl FnOnce(&mana_verkle::Crs) -> T) -> T {
    VERKLE_CRS.with(|c| f(c.borrow_mut().get_or_insert_with(mana_verkle::Crs::new)))
}

/// Builds the CRS and decodes the witness JSON (a block or a bare `executionWitness`) with its
/// pre- and post-state roots (hex); checks that it verifies.
#[wasm_bindgen]
pub fn verkle_setup(json: &[u8], pre: &str, post: &str) -> Result<(), wasm_bindgen::JsError> {
    let witness = mana_verkle::ExecutionWitness::from_json(json).map_err(js_error)?;
    let (pre, post) = (root32(pre)?, root32(post)?);
    with_crs(|crs| witness.verify(crs, &pre, Some(&post))).map_err(js_error)?;
    VERKLE_WITNESS.with(|w| {
        *w.borrow_mut() = Some(VerkleWitness { json: json.to_vec(), witness, pre, post })
    });
    Ok(())
}

/// Decodes the block-72 witness, verifies the pre-state proof and recomputes the post root.
#[wasm_bindgen]
pub fn verkle_verify_block72() -> Result<(), wasm_bindgen::JsError> {
    VERKLE_WITNESS.with(|w| {
        let guard = w.borrow();
        let w = guard.as_ref().ok_or_else(|| wasm_bindgen::JsError::new("call verkle_setup"))?;
        let witness = mana_verkle::ExecutionWitness::from_json(&w.json).map_err(js_error)?;
        with_crs(|crs| witness.verify(crs, &w.pre, Some(&w.post))).map(|_| ()).map_err(js_error)
    })
}

/// Verifies the already decoded block-72 witness's pre-state proof.
#[wasm_bindgen]
pub fn verkle_verify_block72_pre_state() -> Result<(), wasm_bindgen::JsError> {
    VERKLE_WITNESS.with(|w| {
        let guard = w.borrow();
        let w = guard.as_ref().ok_or_else(|| wasm_bindgen::JsError::new("call verkle_setup"))?;
        with_crs(|crs| w.witness.verify_pre_state(crs, &w.pre)).map(|_| ()).map_err(js_error)
    })
}

/// Proves `n` openings of `n` distinct polynomials (not timed; as in `benches/verkle.rs`).
#[wasm_bindgen]
pub fn verkle_setup_openings(n: usize) -> Result<(), wasm_bindgen::JsError> {
    use mana_verkle::Element;
    let built = with_crs(|crs| {
        let (commitments, openings, proof) = mana_verkle::testing::synthetic_openings(crs, n)?;
        let encoded = Element::batch_to_bytes(&commitments);
        let proof_bytes = proof.to_bytes();
        Ok::<_, mana_verkle::Error>(VerkleOpenings {
            commitments,
            encoded,
            openings,
            proof,
            proof_bytes,
        })
    })
    .map_err(js_error)?;
    VERKLE_OPENINGS.with(|o| *o.borrow_mut() = Some(built));
    verkle_openings()
}

/// Verifies the synthetic multiproof (commitments already decoded).
#[wasm_bindgen]
pub fn verkle_openings() -> Result<(), wasm_bindgen::JsError> {
    VERKLE_OPENINGS.with(|o| {
        let guard = o.borrow();
        let o = guard.as_ref().ok_or_else(|| wasm_bindgen::JsError::new("no openings"))?;
        with_crs(|crs| {
            let mut transcript = mana_verkle::Transcript::new(b"bench");
            mana_verkle::verify_multiproof(
                crs,
                &mut transcript,
                &o.commitments,
                &o.openings,
                &o.proof,
            )
        })
        .map_err(js_error)
    })
}

/// Decodes the synthetic proof and its commitments, then verifies it.
#[wasm_bindgen]
pub fn verkle_decode_openings() -> Result<(), wasm_bindgen::JsError> {
    VERKLE_OPENINGS.with(|o| {
        let guard = o.borrow();
        let o = guard.as_ref().ok_or_else(|| wasm_bindgen::JsError::new("no openings"))?;
        let commitments = mana_verkle::Element::batch_from_bytes(&o.encoded).map_err(js_error)?;
        let proof = mana_verkle::MultiProof::from_bytes(&o.proof_bytes).map_err(js_error)?;
        with_crs(|crs| {
            let mut transcript = mana_verkle::Transcript::new(b"bench");
            mana_verkle::verify_multiproof(crs, &mut transcript, &commitments, &o.openings, &proof)
        })
        .map_err(js_error)
    })
}

const VERKLE_ADDRESS: [u8; 20] = [
    0x71, 0x56, 0x2b, 0x71, 0x99, 0x98, 0x73, 0xdb, 0x5b, 0x28, 0x6d, 0xf9, 0x57, 0xaf, 0x19, 0x9e,
    0xc9, 0x46, 0x17, 0xf7,
];

fn next_index() -> [u8; 32] {
    let n = VERKLE_COUNTER.with(|c| {
        let n = c.get().wrapping_add(1);
        c.set(n);
        n
    });
    mana_verkle::tree_index(n % 4096)
}

/// One tree key (`get_tree_key`, address part included).
#[wasm_bindgen]
pub fn verkle_tree_key() {
    let address = mana_verkle::address32(&VERKLE_ADDRESS);
    let index = next_index();
    with_crs(|crs| std::hint::black_box(mana_verkle::get_tree_key(crs, &address, &index, 0)));
}

/// 1,000 tree keys of one address with its address point cached.
#[wasm_bindgen]
pub fn verkle_tree_keys_cached_1000() {
    let address = mana_verkle::address32(&VERKLE_ADDRESS);
    with_crs(|crs| {
        let point = mana_verkle::AddressPoint::new(crs, &address);
        for _ in 0..1000 {
            std::hint::black_box(point.tree_key(crs, &next_index(), 0));
        }
    });
}

/// Builds the CRS tables from scratch.
#[wasm_bindgen]
pub fn verkle_crs_new() {
    std::hint::black_box(mana_verkle::Crs::new());
}

thread_local! {
    static VERKLE_NODES: RefCell<Option<[mana_verkle::Element; 5]>> = const { RefCell::new(None) };
}

/// One leaf value changes: `C1` (two slots), the leaf, two internal nodes, the root (the five
/// starting commitments are computed once, outside the timing after the first call).
#[wasm_bindgen]
pub fn verkle_commitment_update() {
    use mana_verkle::{Element, Fr};
    with_crs(|crs| {
        let [c1, leaf, inner, mid, root] = VERKLE_NODES.with(|n| {
            *n.borrow_mut().get_or_insert_with(|| {
                let values: Vec<Fr> = (0..256u64).map(|i| Fr::from(i + 1)).collect();
                let commit = |k: usize| crs.commit(values.get(..k).unwrap_or(&[]));
                [commit(256), commit(4), commit(200), commit(100), commit(50)]
            })
        });
        let lo = Fr::from(12345u64);
        let hi = Fr::from(678u64);
        let c1n = crs.update(&crs.update(&c1, 10, &lo), 11, &hi);
        let step = |old: Element, new: Element| {
            let maps = Element::batch_map_to_scalar_field(&[old, new]);
            match maps.as_slice() {
                [a, b] => *b - *a,
                _ => Fr::from(0u64),
            }
        };
        let leafn = crs.update(&leaf, 2, &step(c1, c1n));
        let innern = crs.update(&inner, 17, &step(leaf, leafn));
        let midn = crs.update(&mid, 99, &step(inner, innern));
        std::hint::black_box(crs.update(&root, 200, &step(mid, midn)).to_bytes());
    });
}
