//! The blst backend (`portable` build, `no-threads` on wasm32).
//!
//! Sync-committee signatures are the hot path of the light client. Two things keep it cheap:
//! committee keys are decompressed and subgroup-checked once per committee
//! ([`BlstCommittee`]), and the participants' aggregate key is computed as the committee's
//! aggregate minus the few absentees when more than half participate (typically 1–30 point
//! additions instead of ~500).

// Point negation and projective additions are only exposed by blst's C bindings. Every unsafe
// block below passes pointers to live, properly initialised values owned by the caller.
#![allow(unsafe_code)]

use alloc::vec::Vec;

use blst::min_pk::{AggregatePublicKey, PublicKey, Signature};
use blst::{BLST_ERROR, blst_p1, blst_p1_affine};

use super::{BlsVerifier, ETH_DST};
use crate::error::BlsError;
use crate::types::common::{BlsPubkey, BlsSignature};

/// The blst-backed [`BlsVerifier`].
#[derive(Debug, Clone, Copy, Default)]
pub struct BlstVerifier;

/// A committee with decompressed keys, ready for repeated signature checks.
#[derive(Debug, Clone)]
pub struct BlstCommittee {
    keys: Vec<Result<blst_p1_affine, BlsError>>,
    /// Sum of all keys, when every key is valid.
    total: Option<blst_p1>,
}

impl BlstCommittee {
    /// Number of members.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the committee has no members.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

fn decode_pubkey(bytes: &BlsPubkey, index: usize) -> Result<PublicKey, BlsError> {
    let key = PublicKey::uncompress(bytes).map_err(|_| BlsError::InvalidPubkey { index })?;
    match key.validate() {
        Ok(()) => Ok(key),
        Err(BLST_ERROR::BLST_PK_IS_INFINITY) => Err(BlsError::InfinityPubkey { index }),
        Err(_) => Err(BlsError::PubkeyNotInGroup { index }),
    }
}

fn decode_signature(bytes: &BlsSignature) -> Result<Signature, BlsError> {
    let sig = Signature::uncompress(bytes).map_err(|_| BlsError::InvalidSignatureEncoding)?;
    sig.validate(false).map_err(|_| BlsError::InvalidSignatureEncoding)?;
    Ok(sig)
}


fn add_affine(acc: &mut blst_p1, point: &blst_p1_affine) {
    let current = *acc;
    // SAFETY: `acc`, `current` and `point` are live, initialised points; blst allows any of
    // them to be the point at infinity.
    unsafe { blst::blst_p1_add_or_double_affine(acc, &current, point) };
}

fn subtract(total: &blst_p1, subtrahend: &blst_p1) -> blst_p1 {
    let mut negated = *subtrahend;
    let mut out = blst_p1::default();
    // SAFETY: all three are live, initialised projective points.
    unsafe {
        blst::blst_p1_cneg(&mut negated, true);
        blst::blst_p1_add_or_double(&mut out, total, &negated);
    }
    out
}

fn to_public_key(point: &blst_p1) -> PublicKey {
    let mut affine = blst_p1_affine::default();
    // SAFETY: `affine` and `point` are live values of the right types.
    unsafe { blst::blst_p1_to_affine(&mut affine, point) };
    PublicKey::from(affine)
}

fn verify_aggregate(
    aggregate: &PublicKey,
    message: &[u8],
    signature: &BlsSignature,
) -> Result<bool, BlsError> {
    let sig = decode_signature(signature)?;
    match sig.fast_aggregate_verify_pre_aggregated(false, message, ETH_DST, aggregate) {
        BLST_ERROR::BLST_SUCCESS => Ok(true),
        _ => Ok(false),
    }
}

impl BlsVerifier for BlstVerifier {
    type Committee = BlstCommittee;

    fn prepare_committee(&self, pubkeys: &[BlsPubkey]) -> BlstCommittee {
        let keys: Vec<Result<blst_p1_affine, BlsError>> = pubkeys
            .iter()
            .enumerate()
            .map(|(index, bytes)| decode_pubkey(bytes, index).map(|pk| *<&blst_p1_affine>::from(&pk)))
            .collect();
        let mut total: Option<blst_p1> = None;
        if keys.iter().all(Result::is_ok) {
            let mut acc = blst_p1::default();
            for key in keys.iter().flatten() {
                add_affine(&mut acc, key);
            }
            total = Some(acc);
        }
        BlstCommittee { keys, total }
    }

    fn verify_committee_signature(
        &self,
        committee: &BlstCommittee,
        participation: &[bool],
        message: &[u8],
        signature: &BlsSignature,
    ) -> Result<(), BlsError> {
        if participation.len() != committee.keys.len() {
            return Err(BlsError::CommitteeSizeMismatch);
        }
        let participants = participation.iter().filter(|bit| **bit).count();
        if participants == 0 {
            return Err(BlsError::EmptyPubkeys);
        }
        let absentees = participation.len().saturating_sub(participants);
        let aggregate = match committee.total {
            // More than half participate: subtract the absentees from the committee total.
            Some(total) if absentees < participants => {
                let mut missing = blst_p1::default();
                for (key, bit) in committee.keys.iter().zip(participation) {
                    if let (Ok(point), false) = (key, *bit) {
                        add_affine(&mut missing, point);
                    }
                }
                subtract(&total, &missing)
            }
            _ => {
                let mut sum = blst_p1::default();
                for (key, bit) in committee.keys.iter().zip(participation) {
                    if *bit {
                        add_affine(&mut sum, key.as_ref().map_err(|e| *e)?);
                    }
                }
                sum
            }
        };
        if verify_aggregate(&to_public_key(&aggregate), message, signature)? {
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
        if pubkeys.is_empty() {
            return Err(BlsError::EmptyPubkeys);
        }
        let mut sum = blst_p1::default();
        for (index, bytes) in pubkeys.iter().enumerate() {
            let key = decode_pubkey(bytes, index)?;
            add_affine(&mut sum, <&blst_p1_affine>::from(&key));
        }
        verify_aggregate(&to_public_key(&sum), message, signature)
    }

    fn eth_aggregate_pubkeys(&self, pubkeys: &[BlsPubkey]) -> Result<BlsPubkey, BlsError> {
        let keys = pubkeys
            .iter()
            .enumerate()
            .map(|(index, bytes)| decode_pubkey(bytes, index))
            .collect::<Result<Vec<PublicKey>, BlsError>>()?;
        let refs: Vec<&PublicKey> = keys.iter().collect();
        let aggregate =
            AggregatePublicKey::aggregate(&refs, false).map_err(|_| BlsError::EmptyPubkeys)?;
        Ok(aggregate.to_public_key().compress())
    }
}
