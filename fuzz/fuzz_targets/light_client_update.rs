//! Fuzzes light-client update decoding for every fork and, for whatever decodes, full
//! validation against a bootstrapped mainnet-preset client. Any panic is a bug.
//!
//! Run: `cargo install cargo-fuzz && cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run light_client_update`

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mana_consensus::bls::BlstVerifier;
use mana_consensus::{ForceUpdatePolicy, LightClient, LightClientFinalityUpdate, LightClientOptimisticUpdate, LightClientStore, LightClientUpdate};
use mana_consensus::testing;
use mana_primitives::{ChainSpec, Fork};

const S: usize = 512;

fn store() -> &'static (ChainSpec, [u8; 32], LightClientStore<S>, u64) {
    static STORE: OnceLock<(ChainSpec, [u8; 32], LightClientStore<S>, u64)> = OnceLock::new();
    STORE.get_or_init(|| {
        let spec = ChainSpec::mainnet();
        let gvr = spec.genesis_validators_root.unwrap_or_default();
        let start = spec.start_slot_of_period(1610).unwrap_or_default();
        let (_, committee) = testing::committee::<S>(0);
        let (root, bootstrap) = testing::bootstrap(&spec, start, &committee);
        let client = LightClient::bootstrap(spec.clone(), gvr, &root, bootstrap, BlstVerifier)
            .unwrap_or_else(|e| panic!("bootstrap: {e}"));
        (spec, gvr, client.into_store(), start + 1000)
    })
}

fuzz_target!(|data: &[u8]| {
    let (spec, gvr, store, now) = store();
    for fork in [Fork::Altair, Fork::Capella, Fork::Deneb, Fork::Electra] {
        let Ok(mut client) = LightClient::from_store(spec.clone(), *gvr, store.clone(), BlstVerifier) else {
            return;
        };
        if let Ok(update) = LightClientUpdate::<S>::from_ssz(fork, data) {
            let _ = update.to_ssz(fork);
            let _ = client.process_update(update, *now);
        }
        if let Ok(update) = LightClientFinalityUpdate::<S>::from_ssz(fork, data) {
            let _ = client.process_finality_update(update, *now);
        }
        if let Ok(update) = LightClientOptimisticUpdate::<S>::from_ssz(fork, data) {
            let _ = client.process_optimistic_update(update, *now);
        }
        let _ = client.force_update(u64::MAX, ForceUpdatePolicy::SPEC);
    }
});
