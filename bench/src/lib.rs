//! Shared fixtures for Mana's benchmarks: a mainnet-preset light-client update signed by all 512
//! members of a synthetic committee, and the pure-Rust `bls12_381` backend used for comparison.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

pub mod zkcrypto;

#[cfg(target_arch = "wasm32")]
mod wasm;

use mana_consensus::bls::{BlsVerifier, BlstVerifier};
use mana_consensus::testing;
use mana_consensus::{LightClient, LightClientUpdate, MAINNET_SYNC_COMMITTEE_SIZE as S};
use mana_primitives::ChainSpec;

#[allow(missing_debug_implementations)]
/// A mainnet light client one period into the Fulu era and an update to verify against it.
pub struct Fixture<V: BlsVerifier> {
    /// The client (bootstrapped; committee cache warm after the first verification).
    pub client: LightClient<V, S>,
    /// The update: 512 participants (or fewer, see [`fixture`]), finality and next committee.
    pub update: LightClientUpdate<S>,
    /// A current slot at which the update is valid.
    pub current_slot: u64,
}

/// Builds the fixture with `absent` committee members not signing.
pub fn fixture<V: BlsVerifier>(bls: V, absent: usize) -> Fixture<V> {
    let spec = ChainSpec::mainnet();
    let gvr = spec.genesis_validators_root.expect("mainnet gvr");
    let start = spec.start_slot_of_period(1610).expect("slot");
    let (keys, current) = testing::committee::<S>(0);
    let (_, next) = testing::committee::<S>(S);
    let (root, bootstrap) = testing::bootstrap(&spec, start, &current);
    let client =
        LightClient::bootstrap(spec.clone(), gvr, &root, bootstrap, bls).expect("bootstrap");
    let signers: Vec<Option<[u8; 32]>> =
        keys.iter().enumerate().map(|(i, k)| (i >= absent).then_some(*k)).collect();
    let update = testing::update(&spec, &gvr, &signers, start + 200, start + 128, &next);
    Fixture { client, update, current_slot: start + 300 }
}

/// The blst fixture.
pub fn blst_fixture(absent: usize) -> Fixture<BlstVerifier> {
    fixture(BlstVerifier, absent)
}

impl<V: BlsVerifier> Fixture<V> {
    /// One full `validate_light_client_update`: header checks, both branches, signature.
    pub fn verify(&mut self) {
        self.client.validate_update(&self.update, self.current_slot).expect("valid update");
    }
}
