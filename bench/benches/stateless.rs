//! Stateless verification of real mainnet blocks end to end (hash and index the witness nodes
//! → ancestry and rules → re-execute → post-state root), with senders recovered from
//! signatures and with the supplied public keys. The fixture's JSON is parsed once, outside the
//! timing (as in the wasm runner). Reports Mgas/s.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{Criterion, criterion_group, criterion_main};
use mana_stateless::rules::ChainConfig;
use mana_stateless::verify_block;
use mana_stateless::witness::{BlockInput, Trusted};
use mana_tests::mainnet_blocks;

fn stateless(c: &mut Criterion) {
    let files = mainnet_blocks();
    let config = ChainConfig::mainnet();
    let mut group = c.benchmark_group("stateless");
    group.sample_size(20);
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let hash = json["blockHash"].as_str().unwrap().parse().unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let parsed = BlockInput::from_fixture_json(&bytes).unwrap();
        let gas = parsed.block.header.gas_used;
        for keys in [false, true] {
            let label = format!("{name}/{}", if keys { "public_keys" } else { "recover" });
            let mut input = parsed.clone();
            if !keys {
                input.public_keys = None;
            }
            let run = || verify_block(&input, Trusted::BlockHash(hash), &config).unwrap();
            let started = std::time::Instant::now();
            let rounds = 10;
            for _ in 0..rounds {
                run();
            }
            let per = started.elapsed().as_secs_f64() / f64::from(rounds);
            println!(
                "stateless/{label}: {gas} gas, {:.1} ms, {:.0} Mgas/s",
                per * 1e3,
                gas as f64 / per / 1e6
            );
            group.bench_function(label, |b| b.iter(run));
        }
    }
    group.finish();
}

criterion_group!(benches, stateless);
criterion_main!(benches);
