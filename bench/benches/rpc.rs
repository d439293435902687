//! Verified against unverified JSON-RPC latency, with a proxy adding 50 ms to every upstream
//! round trip (a remote provider), over a real Anvil node filled by the test scenario:
//! `eth_getBalance`, an ERC-20 `balanceOf` `eth_call`, and a DEX-style quote `eth_call` that
//! reads two pairs and four token balances. Also counts round trips per request.
//!
//! Needs `MANA_EXECUTION_NODE_DIR` (`cargo xtask setup` installs Anvil); skipped without it.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use mana_client::execution::{
    ExecutionRpc, ProviderConfig, SharedHeads, TrustedBlock, TrustedHeads, VerifiedProvider,
};
use mana_tests::execution_node::{Anvil, head, node_dir, scenario};
use mana_tests::tamper_proxy::{self, Tamper};
use serde_json::{Value, json};

const LATENCY: Duration = Duration::from_millis(50);

fn selector(signature: &str) -> String {
    hex::encode(&alloy_primitives::keccak256(signature.as_bytes())[..4])
}

fn word(hex_address: &str) -> String {
    format!("{:0>64}", hex_address.trim_start_matches("0x"))
}

fn rpc(c: &mut Criterion) {
    let Some(dir) = node_dir() else { return };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let anvil = Anvil::start(&dir);
    let made = scenario(&dir, &anvil.url);
    let (number, hash) = runtime.block_on(head(&anvil.url));
    let proxy = runtime.block_on(tamper_proxy::start(&anvil.url, Tamper::Nothing, LATENCY));
    let heads = SharedHeads::new();
    let trusted = TrustedBlock { number, hash };
    heads.set(TrustedHeads {
        latest: Some(trusted),
        finalized: Some(trusted),
        ..TrustedHeads::default()
    });
    let upstream = ExecutionRpc::new(&proxy.url(), Duration::from_secs(10)).unwrap();
    // The unverified baseline: the same HTTP client, asking the upstream directly.
    let plain = upstream.clone();
    let provider =
        VerifiedProvider::new(heads, vec![upstream], ProviderConfig::for_chain(31337)).unwrap();

    let alice = made["accounts"][0].as_str().unwrap().to_string();
    let token = made["contracts"]["token"].as_str().unwrap().to_string();
    let quoter = made["contracts"]["quoter"].as_str().unwrap().to_string();
    let pairs: Vec<String> = made["contracts"]["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let balance_of = format!("0x{}{}", selector("balanceOf(address)"), word(&alice));
    // quote(address[] pairs, uint256 amountIn): offset, amount, length, elements.
    let quote = format!(
        "0x{}{:064x}{:064x}{:064x}{}",
        selector("quote(address[],uint256)"),
        64,
        10u128.pow(18),
        pairs.len(),
        pairs.iter().map(|p| word(p)).collect::<String>()
    );
    let requests: Vec<(&str, &str, Value)> = vec![
        ("eth_getBalance", "eth_getBalance", json!([alice, "latest"])),
        ("erc20_balanceOf", "eth_call", json!([{"to": token, "data": balance_of}, "latest"])),
        ("dex_quote", "eth_call", json!([{"to": quoter, "data": quote}, "latest"])),
    ];

    // Round trips per request, header cached (as in steady state) and cold.
    for (name, method, params) in &requests {
        let before = proxy.round_trips();
        let verified = runtime.block_on(provider.request(method, params.clone()));
        let verified_trips = proxy.round_trips() - before;
        let before = proxy.round_trips();
        let unverified = runtime.block_on(plain.call(method, params.clone())).unwrap();
        let plain_trips = proxy.round_trips() - before;
        match verified {
            Ok(v) => assert_eq!(v, unverified, "{name}: verified answer differs"),
            Err(e) => panic!("{name}: {e}"),
        }
        println!(
            "rpc/{name}: {verified_trips} round trips verified (warm), {plain_trips} unverified"
        );
    }

    let mut group = c.benchmark_group("rpc_50ms_upstream");
    group.sample_size(10);
    for (name, method, params) in &requests {
        group.bench_function(format!("{name}/verified"), |b| {
            b.to_async(&runtime).iter(|| provider.request(method, params.clone()));
        });
        group.bench_function(format!("{name}/unverified"), |b| {
            b.to_async(&runtime).iter(|| plain.call(method, params.clone()));
        });
    }
    group.finish();
    drop(proxy);
    drop(anvil);
}

criterion_group!(benches, rpc);
criterion_main!(benches);
