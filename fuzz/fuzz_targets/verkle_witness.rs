//! Fuzzes the verkle (EIP-6800) verifier's untrusted inputs: execution witnesses as JSON and as
//! SSZ, compressed points (one by one and batched), IPA proofs and multiproofs; whenever a witness
//! decodes, its pre-state proof is checked against a fixed root (and the post-state root
//! recomputed when that succeeds). Any panic is a bug.
//!
//! Run: `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run verkle_witness`
//! (seed corpus: `$MANA_FIXTURES/verkle/witness/*.json`).

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mana_verkle::{Crs, Element, ExecutionWitness, IpaProof, MultiProof};

/// The Kaustinen-6 block-72 parent state root.
const ROOT: [u8; 32] = [
    0x64, 0xe1, 0xa6, 0x47, 0xf4, 0x2e, 0x5c, 0x2e, 0x3c, 0x43, 0x45, 0x31, 0xcc, 0xf5, 0x29, 0xe1,
    0xb3, 0xe9, 0x33, 0x63, 0xa4, 0x0d, 0xb9, 0xfc, 0x8e, 0xec, 0x81, 0xf4, 0x92, 0x12, 0x35, 0x10,
];

fn crs() -> &'static Crs {
    static CRS: OnceLock<Crs> = OnceLock::new();
    CRS.get_or_init(Crs::new)
}

fn check(witness: &ExecutionWitness) {
    let crs = crs();
    let mut roots = vec![ROOT];
    if let Some(parent) = witness.parent_state_root {
        roots.push(parent);
    }
    for root in roots {
        if let Ok(pre) = witness.verify_pre_state(crs, &root) {
            let _ = witness.post_state_root_from(crs, &pre);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(witness) = ExecutionWitness::from_json(data) {
        check(&witness);
        let _ = ExecutionWitness::from_ssz(&witness.to_ssz());
    }
    if let Ok(witness) = ExecutionWitness::from_ssz(data) {
        check(&witness);
    }
    let _ = Element::from_bytes(data);
    let _ = Element::from_uncompressed_le(data);
    let _ = Element::from_uncompressed_be(data);
    if let Some(head) = data.get(..32) {
        if let Ok(p) = Element::from_bytes(head) {
            let _ = p.map_to_scalar_field();
            assert_eq!(Element::from_bytes(&p.to_bytes()).ok(), Some(p), "point round trip");
        }
    }
    let chunks: Vec<[u8; 32]> =
        data.chunks_exact(32).map(|c| c.try_into().unwrap_or([0u8; 32])).collect();
    let batch = Element::batch_from_bytes(&chunks);
    let single: Result<Vec<Element>, _> = chunks.iter().map(|c| Element::from_bytes(c)).collect();
    assert_eq!(batch, single, "batch and one-by-one decoding agree");
    let _ = IpaProof::from_bytes(data);
    let _ = MultiProof::from_bytes(data);
});
