//! Tampered and malformed light-client data, built from a real minimal-preset Deneb sync vector:
//! every rejection is a precise typed error, and no input panics.

use mana_consensus::bls::BlstVerifier;
use mana_consensus::{
    BlsError, Error, HeaderError, HeaderRole, LightClient, LightClientBootstrap, LightClientUpdate,
};
use mana_primitives::{ChainSpec, Fork};
use mana_tests::{consensus_tests, hex_array, read_ssz_snappy, read_yaml};

const S: usize = 32;

struct Case {
    spec: ChainSpec,
    gvr: [u8; 32],
    trusted: [u8; 32],
    bootstrap: LightClientBootstrap<S>,
    update_bytes: Vec<u8>,
    update: LightClientUpdate<S>,
    current_slot: u64,
}

fn case() -> Case {
    let dir =
        consensus_tests().join("minimal/deneb/light_client/sync/pyspec_tests/light_client_sync");
    let spec =
        ChainSpec::from_config_yaml(&std::fs::read_to_string(dir.join("config.yaml")).unwrap())
            .unwrap();
    let meta = read_yaml(&dir.join("meta.yaml"));
    let gvr = hex_array(meta["genesis_validators_root"].as_str().unwrap());
    let trusted = hex_array(meta["trusted_block_root"].as_str().unwrap());
    let bootstrap = LightClientBootstrap::from_ssz(
        Fork::Deneb,
        &read_ssz_snappy(&dir.join("bootstrap.ssz_snappy")),
    )
    .unwrap();
    let steps = read_yaml(&dir.join("steps.yaml"));
    let first = &steps[0]["process_update"];
    let name = first["update"].as_str().unwrap().trim();
    let update_bytes = read_ssz_snappy(&dir.join(format!("{name}.ssz_snappy")));
    let update = LightClientUpdate::from_ssz(Fork::Deneb, &update_bytes).unwrap();
    let current_slot = first["current_slot"].as_u64().unwrap();
    Case { spec, gvr, trusted, bootstrap, update_bytes, update, current_slot }
}

impl Case {
    fn client(&self) -> LightClient<BlstVerifier, S> {
        LightClient::bootstrap(
            self.spec.clone(),
            self.gvr,
            &self.trusted,
            self.bootstrap.clone(),
            BlstVerifier,
        )
        .unwrap()
    }

    fn process(&self, update: LightClientUpdate<S>) -> Result<(), Error> {
        self.client().process_update(update, self.current_slot).map(|_| ())
    }
}

#[test]
fn the_untampered_update_is_accepted() {
    let c = case();
    assert!(c.update.is_sync_committee_update() && c.update.is_finality_update());
    let mut client = c.client();
    let effect = client.process_update(c.update.clone(), c.current_slot).unwrap();
    assert!(effect.finalized_advanced && effect.optimistic_advanced);
}

#[test]
fn truncated_and_oversized_ssz() {
    let c = case();
    let short = &c.update_bytes[..c.update_bytes.len() - 1];
    assert!(matches!(
        LightClientUpdate::<S>::from_ssz(Fork::Deneb, short),
        Err(Error::Decode { what: "LightClientUpdate", fork: Fork::Deneb, .. })
    ));
    assert!(matches!(
        LightClientUpdate::<S>::from_ssz(Fork::Deneb, &[]),
        Err(Error::Decode { .. })
    ));
    // Trailing bytes land in the last variable field (the finalized header's `extra_data`,
    // at most 32 bytes); 40 more bytes overflow it.
    let mut long = c.update_bytes.clone();
    long.extend_from_slice(&[0u8; 40]);
    assert!(matches!(
        LightClientUpdate::<S>::from_ssz(Fork::Deneb, &long),
        Err(Error::Decode { .. })
    ));
    let huge = vec![0u8; 1 << 20];
    assert!(matches!(
        LightClientUpdate::<S>::from_ssz(Fork::Deneb, &huge),
        Err(Error::Oversized { len: 1_048_576, .. })
    ));
    assert!(matches!(
        LightClientUpdate::<S>::from_ssz(Fork::Phase0, &c.update_bytes),
        Err(Error::UnsupportedFork { fork: Fork::Phase0, .. })
    ));
}

#[test]
fn wrong_merkle_branches() {
    let c = case();
    let mut u = c.update.clone();
    u.finality_branch[2][7] ^= 1;
    assert_eq!(c.process(u), Err(Error::InvalidFinalityBranch));

    let mut u = c.update.clone();
    u.next_sync_committee_branch[0][0] ^= 0x80;
    assert_eq!(c.process(u), Err(Error::InvalidNextSyncCommitteeBranch));

    let mut u = c.update.clone();
    u.attested_header.execution_branch[1][3] ^= 1;
    assert_eq!(
        c.process(u),
        Err(Error::InvalidHeader {
            role: HeaderRole::Attested,
            reason: HeaderError::InvalidExecutionBranch
        })
    );

    let mut u = c.update.clone();
    u.finalized_header.execution.gas_used ^= 1;
    assert_eq!(
        c.process(u),
        Err(Error::InvalidHeader {
            role: HeaderRole::Finalized,
            reason: HeaderError::InvalidExecutionBranch
        })
    );

    // A branch with a non-zero node where a normalized branch must be zero-padded.
    let mut u = c.update.clone();
    u.finality_branch.insert(0, [1; 32]);
    assert_eq!(c.process(u), Err(Error::InvalidFinalityBranch));

    let mut b = c.bootstrap.clone();
    b.current_sync_committee_branch[4][31] ^= 1;
    assert_eq!(
        LightClient::bootstrap(c.spec.clone(), c.gvr, &c.trusted, b, BlstVerifier).err(),
        Some(Error::InvalidCurrentSyncCommitteeBranch)
    );
}

#[test]
fn wrong_trusted_root() {
    let c = case();
    let mut root = c.trusted;
    root[0] ^= 1;
    assert!(matches!(
        LightClient::bootstrap(c.spec.clone(), c.gvr, &root, c.bootstrap.clone(), BlstVerifier),
        Err(Error::TrustedRootMismatch { .. })
    ));
}

#[test]
fn too_few_participants() {
    let c = case();
    let mut u = c.update.clone();
    for i in 0..S {
        u.sync_aggregate.sync_committee_bits.set(i, false).unwrap();
    }
    assert_eq!(c.process(u), Err(Error::TooFewParticipants { participants: 0, min: 1 }));
}

#[test]
fn signature_by_the_wrong_committee() {
    let c = case();
    // A store whose current committee is another committee (one participating member replaced
    // by another validator's key): the real signature must not verify against it.
    let mut store = c.client().into_store();
    let bits = &c.update.sync_aggregate.sync_committee_bits;
    let participant = (0..S).find(|i| bits.get(*i) == Some(true)).unwrap();
    let mut keys = store.current_sync_committee.pubkeys.clone().into_inner();
    let other = keys.iter().copied().find(|k| *k != keys[participant]).unwrap();
    keys[participant] = other;
    store.current_sync_committee.pubkeys = keys.try_into().unwrap();
    assert_ne!(store.current_sync_committee, c.bootstrap.current_sync_committee);
    let mut client = LightClient::from_store(c.spec.clone(), c.gvr, store, BlstVerifier).unwrap();
    assert_eq!(
        client.process_update(c.update.clone(), c.current_slot).map(|_| ()),
        Err(Error::Bls(BlsError::VerificationFailed))
    );

    // One participation bit flipped: the aggregate no longer matches the signers.
    let mut u = c.update.clone();
    let bit = u.sync_aggregate.sync_committee_bits.get(0).unwrap();
    u.sync_aggregate.sync_committee_bits.set(0, !bit).unwrap();
    assert_eq!(c.process(u), Err(Error::Bls(BlsError::VerificationFailed)));

    // A different genesis validators root means a different signing domain.
    let mut other = c.gvr;
    other[31] ^= 1;
    let mut client =
        LightClient::from_store(c.spec.clone(), other, c.client().into_store(), BlstVerifier)
            .unwrap();
    assert_eq!(
        client.process_update(c.update.clone(), c.current_slot).map(|_| ()),
        Err(Error::Bls(BlsError::VerificationFailed))
    );
}

#[test]
fn wrong_fork_digest() {
    let c = case();
    let deneb = c.spec.fork_digest(&c.gvr, c.spec.fork_schedule(Fork::Deneb).epoch);
    assert!(
        LightClientUpdate::<S>::from_ssz_with_digest(&c.spec, &c.gvr, deneb, &c.update_bytes)
            .is_ok()
    );
    assert_eq!(
        LightClientUpdate::<S>::from_ssz_with_digest(
            &c.spec,
            &c.gvr,
            [0xde, 0xad, 0xbe, 0xef],
            &c.update_bytes
        ),
        Err(Error::UnknownForkDigest([0xde, 0xad, 0xbe, 0xef]))
    );
    // The digest of another fork of this network: the update's slot belongs to Deneb.
    let spec = {
        let mut s = c.spec.clone();
        s.forks[4].epoch = 1_000; // schedule Electra so that it has a digest
        s
    };
    let electra = spec.fork_digest(&c.gvr, 1_000);
    let bytes = c.update.to_ssz(Fork::Electra).unwrap();
    assert_eq!(
        LightClientUpdate::<S>::from_ssz_with_digest(&spec, &c.gvr, electra, &bytes),
        Err(Error::WrongForkDigest { expected: Fork::Deneb, got: Fork::Electra })
    );
}

#[test]
fn slot_ordering() {
    let c = case();
    assert_eq!(
        c.client().process_update(c.update.clone(), c.update.signature_slot - 1).map(|_| ()),
        Err(Error::SignatureSlotInFuture {
            signature_slot: c.update.signature_slot,
            current_slot: c.update.signature_slot - 1
        })
    );
    let mut u = c.update.clone();
    u.signature_slot = u.attested_header.beacon.slot;
    assert!(matches!(c.process(u), Err(Error::NonIncreasingSlots { .. })));

    // An update from a later period than the store can verify.
    let mut u = c.update.clone();
    let period_slots = c.spec.preset.update_timeout();
    u.signature_slot += 3 * period_slots;
    let err = c.client().process_update(u, u64::MAX).map(|_| ());
    assert!(matches!(
        err,
        Err(Error::SignaturePeriodOutOfRange { signature_period: 3, store_period: 0 })
    ));

    // A store already finalized at the update's attested slot, next committee known: the
    // update brings nothing new.
    let mut store = c.client().into_store();
    store.finalized_header = c.update.attested_header.clone();
    store.next_sync_committee = c.update.next_sync_committee.clone();
    let mut client = LightClient::from_store(c.spec.clone(), c.gvr, store, BlstVerifier).unwrap();
    assert!(matches!(
        client.process_update(c.update.clone(), c.current_slot),
        Err(Error::NotRelevant { .. })
    ));
}

#[test]
fn malformed_bls_points() {
    let c = case();
    let mut u = c.update.clone();
    u.sync_aggregate.sync_committee_signature = [0x11; 96];
    assert_eq!(c.process(u), Err(Error::Bls(BlsError::InvalidSignatureEncoding)));

    // An infinity signature is well-formed but never verifies for real keys.
    let mut u = c.update.clone();
    let mut infinity = [0u8; 96];
    infinity[0] = 0xc0;
    u.sync_aggregate.sync_committee_signature = infinity;
    assert_eq!(c.process(u), Err(Error::Bls(BlsError::VerificationFailed)));

    // A committee key that is not a curve point, for a participating member.
    let mut store = c.client().into_store();
    let mut keys = store.current_sync_committee.pubkeys.clone().into_inner();
    let participant =
        (0..S).find(|i| c.update.sync_aggregate.sync_committee_bits.get(*i) == Some(true)).unwrap();
    keys[participant] = [0xaa; 48];
    store.current_sync_committee.pubkeys = keys.try_into().unwrap();
    let mut client = LightClient::from_store(c.spec.clone(), c.gvr, store, BlstVerifier).unwrap();
    assert_eq!(
        client.process_update(c.update.clone(), c.current_slot).map(|_| ()),
        Err(Error::Bls(BlsError::InvalidPubkey { index: participant }))
    );
}

#[test]
fn next_committee_contradiction() {
    let c = case();
    let mut client = c.client();
    client.process_update(c.update.clone(), c.current_slot).unwrap();
    assert!(client.store().next_sync_committee.is_some());
}

/// Deterministic mutation fuzzing: flipped, inserted and removed bytes in a real update must
/// produce errors or valid values, never a panic.
#[test]
fn mutated_updates_never_panic() {
    let c = case();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut decoded = 0;
    for round in 0..3000 {
        let mut bytes = c.update_bytes.clone();
        for _ in 0..(1 + next() % 4) {
            let pos = (next() as usize) % bytes.len();
            match round % 3 {
                0 => bytes[pos] ^= 1 << (next() % 8),
                1 => bytes.truncate(pos),
                _ => bytes.insert(pos, next() as u8),
            }
            if bytes.is_empty() {
                break;
            }
        }
        for fork in [Fork::Altair, Fork::Capella, Fork::Deneb, Fork::Electra] {
            if let Ok(update) = LightClientUpdate::<S>::from_ssz(fork, &bytes) {
                decoded += 1;
                let _ = c.client().process_update(update, c.current_slot);
            }
        }
    }
    // Bit flips keep the size, so many mutants still decode and reach the verifier.
    assert!(decoded > 100, "only {decoded} mutants decoded");
}
