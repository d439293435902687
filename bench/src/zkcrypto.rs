//! A [`BlsVerifier`] on the pure-Rust `bls12_381` crate (zkcrypto), implemented the way Rust
//! light clients commonly use it: participants' keys are decompressed and summed on every call.
//! It exists for comparison benchmarks only.

use bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve};
use bls12_381::{G1Affine, G1Projective, G2Affine, G2Prepared, G2Projective, multi_miller_loop};
use mana_consensus::BlsError;
use mana_consensus::bls::{BlsVerifier, ETH_DST};
use mana_consensus::types::common::{BlsPubkey, BlsSignature};

/// The zkcrypto-backed verifier.
#[derive(Debug, Clone, Copy, Default)]
pub struct ZkcryptoVerifier;

fn pubkey(bytes: &BlsPubkey, index: usize) -> Result<G1Affine, BlsError> {
    let point: Option<G1Affine> = G1Affine::from_compressed(bytes).into();
    let point = point.ok_or(BlsError::InvalidPubkey { index })?;
    if bool::from(point.is_identity()) {
        return Err(BlsError::InfinityPubkey { index });
    }
    Ok(point)
}

fn sum_pubkeys(pubkeys: &[BlsPubkey]) -> Result<G1Affine, BlsError> {
    if pubkeys.is_empty() {
        return Err(BlsError::EmptyPubkeys);
    }
    let mut sum = G1Projective::identity();
    for (index, bytes) in pubkeys.iter().enumerate() {
        sum += pubkey(bytes, index)?;
    }
    Ok(G1Affine::from(sum))
}

fn verify(
    aggregate: &G1Affine,
    message: &[u8],
    signature: &BlsSignature,
) -> Result<bool, BlsError> {
    let sig: Option<G2Affine> = G2Affine::from_compressed(signature).into();
    let sig = sig.ok_or(BlsError::InvalidSignatureEncoding)?;
    let hashed = <G2Projective as HashToCurve<ExpandMsgXmd<sha2::Sha256>>>::hash_to_curve(
        [message],
        ETH_DST,
    );
    let hashed = G2Prepared::from(G2Affine::from(hashed));
    let neg_g1 = -G1Affine::generator();
    let sig = G2Prepared::from(sig);
    let result = multi_miller_loop(&[(aggregate, &hashed), (&neg_g1, &sig)]).final_exponentiation();
    Ok(bool::from(group::Group::is_identity(&result)))
}

impl BlsVerifier for ZkcryptoVerifier {
    type Committee = Vec<BlsPubkey>;

    fn prepare_committee(&self, pubkeys: &[BlsPubkey]) -> Vec<BlsPubkey> {
        pubkeys.to_vec()
    }

    fn verify_committee_signature(
        &self,
        committee: &Vec<BlsPubkey>,
        participation: &[bool],
        message: &[u8],
        signature: &BlsSignature,
    ) -> Result<(), BlsError> {
        let participants: Vec<BlsPubkey> =
            committee.iter().zip(participation).filter(|(_, bit)| **bit).map(|(k, _)| *k).collect();
        if self.fast_aggregate_verify(&participants, message, signature)? {
            Ok(())
        } else {
            Err(BlsError::VerificationFailed)
        }
    }

    fn fast_aggregate_verify(
        &self,
        pubkeys: &[BlsPubkey],
        message: &[u8],
        signature: &BlsSignature,
    ) -> Result<bool, BlsError> {
        verify(&sum_pubkeys(pubkeys)?, message, signature)
    }

    fn aggregate_verify(
        &self,
        pubkeys: &[BlsPubkey],
        messages: &[&[u8]],
        signature: &BlsSignature,
    ) -> Result<bool, BlsError> {
        match (pubkeys, messages) {
            ([pk], [msg]) => verify(&pubkey(pk, 0)?, msg, signature),
            _ => Err(BlsError::EmptyPubkeys),
        }
    }

    fn eth_aggregate_pubkeys(&self, pubkeys: &[BlsPubkey]) -> Result<BlsPubkey, BlsError> {
        Ok(sum_pubkeys(pubkeys)?.to_compressed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zkcrypto_path_accepts_the_fixture_and_rejects_tampering() {
        let mut fixture = crate::fixture(ZkcryptoVerifier, 0);
        fixture.verify();
        let mut bad = fixture.update.clone();
        bad.sync_aggregate.sync_committee_signature =
            crate::blst_fixture(1).update.sync_aggregate.sync_committee_signature;
        assert!(fixture.client.validate_update(&bad, fixture.current_slot).is_err());
    }
}
