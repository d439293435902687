//! Light-client verification benchmarks (mainnet preset, 512-member committee).

#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use mana_bench::{blst_fixture, fixture, zkcrypto::ZkcryptoVerifier};
use mana_consensus::bls::{BlsVerifier, BlstVerifier};

fn light_client(c: &mut Criterion) {
    let mut group = c.benchmark_group("light_client_update");
    group.sample_size(50);

    // Warm: committee keys decompressed once (the steady state of a running client).
    let mut f = blst_fixture(0);
    f.verify();
    group.bench_function("blst/512_signers/full_update", |b| b.iter(|| f.verify()));

    let mut f = blst_fixture(24);
    f.verify();
    group.bench_function("blst/488_signers/full_update", |b| b.iter(|| f.verify()));

    // Cold: a fresh committee each time (first update of a period).
    let f = blst_fixture(0);
    let pubkeys = f.client.store().current_sync_committee.pubkeys.clone();
    group.bench_function("blst/prepare_committee_512", |b| {
        b.iter(|| BlstVerifier.prepare_committee(&pubkeys))
    });
    let signing = f.update.sync_aggregate.sync_committee_signature;
    group.bench_function("blst/fast_aggregate_verify_512_uncached", |b| {
        b.iter(|| BlstVerifier.fast_aggregate_verify(&pubkeys, &[7u8; 32], &signing))
    });

    group.bench_function("blst/hash_to_g2", |b| {
        b.iter(|| BlstVerifier.hash_to_g2(&[7u8; 32], mana_consensus::bls::ETH_DST))
    });
    group.bench_function("blst/decode_signature", |b| {
        b.iter(|| BlstVerifier.check_signature_encoding(&signing))
    });

    let mut z = fixture(ZkcryptoVerifier, 0);
    z.verify();
    group.bench_function("bls12_381/512_signers/full_update", |b| b.iter(|| z.verify()));
    group.finish();
}

criterion_group!(benches, light_client);
criterion_main!(benches);
