//! Unit tests with a few constants from the notes (the full vector suite lives in
//! `tests/tests/verkle_vectors.rs`).

use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use crate::*;

fn hex32(s: &str) -> [u8; 32] {
    crate::hex::decode_array(s, "test").unwrap()
}

#[test]
fn generator_map_to_field() {
    let g = Element::generator();
    assert_eq!(
        fr_to_le(&g.map_to_scalar_field()),
        hex32("d1e7de2aaea9603d5bc6c208d319596376556ecd8336671ba7670c2139772d14")
    );
    assert_eq!(
        g.to_bytes(),
        hex32("4a2c7486fd924882bf02c6908de395122843e3e05264d7991e18e7985dad51e9")
    );
    assert_eq!(
        g.double().to_bytes(),
        hex32("43aa74ef706605705989e8fd38df46873b7eae5921fbed115ac9d937399ce4d5")
    );
}

#[test]
fn identity_round_trip() {
    let id = Element::from_bytes(&[0u8; 32]).unwrap();
    assert!(id.is_identity());
    assert_eq!(id, Element::IDENTITY);
    assert_eq!(Element::IDENTITY.to_bytes(), [0u8; 32]);
    assert_eq!(Element::IDENTITY.map_to_scalar_field(), Fr::from(0u64));
}

#[test]
fn crs_embedded_matches_seed() {
    let crs = Crs::new();
    let mut hasher = Sha256::new();
    for i in 0..WIDTH {
        hasher.update(crs.basis(i).unwrap().to_bytes());
    }
    let digest: [u8; 32] = hasher.finalize().into();
    assert_eq!(digest, hex32("1fcaea10bf24f750200e06fa473c76ff0468007291fa548e2d99f09ba9256fdb"));
    assert_eq!(
        crs.basis(0).unwrap().to_bytes(),
        hex32("01587ad1336675eb912550ec2a28eb8923b824b490dd2ba82e48f14590a298a0")
    );
    assert_eq!(*crs.q(), Element::generator());
    let (points, tried) = Crs::generate_basis(CRS_SEED, WIDTH);
    assert_eq!(tried, 1061);
    for (i, p) in points.iter().enumerate() {
        assert_eq!(p.to_bytes(), crs.basis(i).unwrap().to_bytes());
    }
}

#[test]
fn transcript_vectors() {
    let mut t = Transcript::new(b"simple_protocol");
    assert_eq!(
        fr_to_le(&t.challenge_scalar(b"simple_challenge")),
        hex32("c2aa02607cbdf5595f00ee0dd94a2bbff0bed6a2bf8452ada9011eadb538d003")
    );
    let mut t = Transcript::new(b"simple_protocol");
    t.append_scalar(b"five", &Fr::from(5u64));
    t.append_scalar(b"five again", &Fr::from(5u64));
    assert_eq!(
        fr_to_le(&t.challenge_scalar(b"simple_challenge")),
        hex32("498732b694a8ae1622d4a9347535be589e4aee6999ffc0181d13fe9e4d037b0b")
    );
}

#[test]
fn multiproof_round_trip() {
    let crs = Crs::new();
    let poly: Vec<Fr> = (0..256u64).map(|i| Fr::from(i % 32 + 1)).collect();
    let c = crs.commit(&poly);
    let queries = [
        ProverQuery { commitment: c, poly: poly.clone(), z: 0 },
        ProverQuery { commitment: c, poly: poly.clone(), z: 200 },
    ];
    let proof = prove_multiproof(&crs, &mut Transcript::new(b"t"), &queries).unwrap();
    let openings = [
        Opening { commitment: 0, z: 0, y: Fr::from(1u64) },
        Opening { commitment: 0, z: 200, y: Fr::from(200 % 32 + 1u64) },
    ];
    verify_multiproof(&crs, &mut Transcript::new(b"t"), &[c], &openings, &proof).unwrap();
    let bad = [openings[0], Opening { y: Fr::from(5u64), ..openings[1] }];
    assert_eq!(
        verify_multiproof(&crs, &mut Transcript::new(b"t"), &[c], &bad, &proof),
        Err(Error::ProofFailed)
    );
    let decoded = MultiProof::from_bytes(&proof.to_bytes()).unwrap();
    assert_eq!(decoded, proof);
}

#[test]
fn pedersen_hash_vectors() {
    let crs = Crs::new();
    assert_eq!(
        pedersen_hash(&crs, &[0u8; 64]),
        hex32("1a100684fd68185060405f3f160e4bb6e034194336b547bdae323f888d533207")
    );
    assert_eq!(
        pedersen_hash(&crs, &[1u8; 64]),
        hex32("3afb8486ed3053ac55f62864da803c074844509d253260d870337c20fd73eb11")
    );
}

#[test]
fn single_insert_root() {
    let crs = Crs::new();
    let key: [u8; 32] = core::array::from_fn(|i| i as u8 + 1);
    let mut tree = MemoryTree::new();
    tree.insert(&key, &key);
    let root = tree.root_commitment(&crs);
    assert_eq!(
        root.to_bytes(),
        hex32("6f5e7cfc3a158a64e5718b0d2f18f564171342380f5808f3d2a82f7e7f3c2778")
    );
    assert_eq!(
        fr_to_le(&root.map_to_scalar_field()),
        hex32("029b6c4c8af9001f0ac76472766c6579f41eec84a73898da06eb97ebdab80a09")
    );
    assert_eq!(MemoryTree::new().root(&crs), [0u8; 32]);
}
