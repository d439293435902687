//! Verkle (EIP-6800) verification natively, single thread: the Kaustinen-6 block-72 witness
//! (decode + pre-state + post root, and pre-state alone), synthetic multiproofs of 1,000 and
//! 16,000 openings (proved outside the timing; commitments decoded outside the timing, and a
//! variant that includes decoding), tree-key derivation, and a one-leaf commitment update up to
//! the root.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use criterion::{Criterion, criterion_group, criterion_main};
use mana_tests::{fixtures, hex_array};
use mana_verkle::testing::synthetic_openings;
use mana_verkle::{
    AddressPoint, Crs, Element, ExecutionWitness, Fr, MultiProof, Transcript, address32,
    get_tree_key, tree_index, verify_multiproof,
};

fn block72(c: &mut Criterion) {
    let crs = Crs::new();
    let path = fixtures().join("verkle/witness/kaustinen6_block72_witness.json");
    let bytes = std::fs::read(&path).unwrap();
    let pre: [u8; 32] =
        hex_array("0x64e1a647f42e5c2e3c434531ccf529e1b3e93363a40db9fc8eec81f492123510");
    let post: [u8; 32] =
        hex_array("0x18d1dfcc6ccc6f34d14af48a865895bf34bde7f3571d9ba24a4b98122841048c");
    let witness = ExecutionWitness::from_json(&bytes).unwrap();
    let mut group = c.benchmark_group("verkle/block72");
    group.bench_function("decode_verify_pre_and_post", |b| {
        b.iter(|| {
            let w = ExecutionWitness::from_json(&bytes).unwrap();
            w.verify(&crs, &pre, Some(&post)).unwrap()
        })
    });
    group.bench_function("verify_pre_state", |b| {
        b.iter(|| witness.verify_pre_state(&crs, &pre).unwrap())
    });
    group.finish();
}

fn multiproof(c: &mut Criterion) {
    let crs = Crs::new();
    let mut group = c.benchmark_group("verkle/multiproof");
    group.sample_size(10);
    for n in [1_000usize, 16_000] {
        let (commitments, openings, proof) = synthetic_openings(&crs, n).unwrap();
        verify_multiproof(&crs, &mut Transcript::new(b"bench"), &commitments, &openings, &proof)
            .unwrap();
        group.bench_function(format!("verify_{n}_openings"), |b| {
            b.iter(|| {
                verify_multiproof(
                    &crs,
                    &mut Transcript::new(b"bench"),
                    &commitments,
                    &openings,
                    &proof,
                )
                .unwrap()
            })
        });
        let encoded: Vec<[u8; 32]> = commitments.iter().map(Element::to_bytes).collect();
        let proof_bytes = proof.to_bytes();
        group.bench_function(format!("decode_and_verify_{n}_openings"), |b| {
            b.iter(|| {
                let decoded = Element::batch_from_bytes(&encoded).unwrap();
                let proof = MultiProof::from_bytes(&proof_bytes).unwrap();
                verify_multiproof(&crs, &mut Transcript::new(b"bench"), &decoded, &openings, &proof)
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn keys_and_updates(c: &mut Criterion) {
    let crs = Crs::new();
    let mut group = c.benchmark_group("verkle");
    let address: [u8; 20] = hex_array("0x71562b71999873DB5b286dF957af199Ec94617f7");
    let a32 = address32(&address);
    let mut counter = 0u64;
    group.bench_function("tree_key", |b| {
        b.iter(|| {
            counter = counter.wrapping_add(1);
            get_tree_key(&crs, &a32, &tree_index(counter % 4096), 0)
        })
    });
    let point = AddressPoint::new(&crs, &a32);
    group.bench_function("tree_key_cached_address", |b| {
        b.iter(|| {
            counter = counter.wrapping_add(1);
            point.tree_key(&crs, &tree_index(counter % 4096), 0)
        })
    });
    group.bench_function("crs_new", |b| b.iter(Crs::new));
    // One leaf value changes: C1 (two slots), the leaf, two internal nodes, the root.
    let values: Vec<Fr> = (0..256u64).map(|i| Fr::from(i + 1)).collect();
    let c1 = crs.commit(&values);
    let leaf = crs.commit(&values[..4]);
    let inner = crs.commit(&values[..200]);
    let mid = crs.commit(&values[..100]);
    let root = crs.commit(&values[..50]);
    group.bench_function("commitment_update_leaf_to_root", |b| {
        b.iter(|| {
            let lo = Fr::from(12345u64);
            let hi = Fr::from(678u64);
            let c1n = crs.update(&crs.update(&c1, 10, &lo), 11, &hi);
            let mut maps = Element::batch_map_to_scalar_field(&[c1, c1n]);
            let leafn = crs.update(&leaf, 2, &(maps[1] - maps[0]));
            maps = Element::batch_map_to_scalar_field(&[leaf, leafn]);
            let innern = crs.update(&inner, 17, &(maps[1] - maps[0]));
            maps = Element::batch_map_to_scalar_field(&[inner, innern]);
            let midn = crs.update(&mid, 99, &(maps[1] - maps[0]));
            maps = Element::batch_map_to_scalar_field(&[mid, midn]);
            crs.update(&root, 200, &(maps[1] - maps[0])).to_bytes()
        })
    });
    group.finish();
}

criterion_group!(benches, block72, multiproof, keys_and_updates);
criterion_main!(benches);
