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
            let _ = BlstVerifier
                .check_signature_encoding(&f.update.sync_aggregate.sync_committee_signature);
        }
    });
}

/// `hash_tree_root` of the update's next sync committee (part of every sync-committee update).
#[wasm_bindgen]
pub fn committee_root() {
    BLST.with(|f| {
        if let Some(f) = f.borrow().as_ref() {
            if let Some(c) = &f.update.next_sync_committee {
                let _ = mana_consensus::light_client::hash_tree_root(c);
            }
        }
    });
}
