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

use blst::min_pk::{PublicKey, Signature};
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

/// Sum of validated keys (`KeyValidate` on each); an empty list is an error.
fn sum_pubkeys(pubkeys: &[BlsPubkey]) -> Result<blst_p1, BlsError> {
    if pubkeys.is_empty() {
        return Err(BlsError::EmptyPubkeys);
    }
    let mut sum = blst_p1::default();
    for (index, bytes) in pubkeys.iter().enumerate() {
        let key = decode_pubkey(bytes, index)?;
        add_affine(&mut sum, <&blst_p1_affine>::from(&key));
    }
    Ok(sum)
}

fn secret_key(bytes: &[u8; 32]) -> Result<blst::min_pk::SecretKey, BlsError> {
    blst::min_pk::SecretKey::from_bytes(bytes).map_err(|_| BlsError::InvalidSecretKey)
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
            .map(|(index, bytes)| {
                decode_pubkey(bytes, index).map(|pk| *<&blst_p1_affine>::from(&pk))
            })
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
        verify_aggregate(&to_public_key(&sum_pubkeys(pubkeys)?), message, signature)
    }

    fn aggregate_verify(
        &self,
        pubkeys: &[BlsPubkey],
        messages: &[&[u8]],
        signature: &BlsSignature,
    ) -> Result<bool, BlsError> {
        if pubkeys.is_empty() {
            return Err(BlsError::EmptyPubkeys);
        }
        if pubkeys.len() != messages.len() {
            return Ok(false);
        }
        let keys = pubkeys
            .iter()
            .enumerate()
            .map(|(index, bytes)| decode_pubkey(bytes, index))
            .collect::<Result<Vec<PublicKey>, BlsError>>()?;
        let refs: Vec<&PublicKey> = keys.iter().collect();
        let sig = decode_signature(signature)?;
        Ok(sig.aggregate_verify(false, messages, ETH_DST, &refs, false) == BLST_ERROR::BLST_SUCCESS)
    }

    fn eth_aggregate_pubkeys(&self, pubkeys: &[BlsPubkey]) -> Result<BlsPubkey, BlsError> {
        Ok(to_public_key(&sum_pubkeys(pubkeys)?).compress())
    }
}

impl BlstVerifier {
    /// `Sign(secret_key, message)` with the Ethereum ciphersuite. The key is a big-endian scalar;
    /// zero or a value not below the group order is rejected.
    pub fn sign(&self, secret_key: &[u8; 32], message: &[u8]) -> Result<BlsSignature, BlsError> {
        Ok(self::secret_key(secret_key)?.sign(message, ETH_DST, &[]).compress())
    }

    /// The public key of a secret key.
    pub fn public_key(&self, secret_key: &[u8; 32]) -> Result<BlsPubkey, BlsError> {
        Ok(self::secret_key(secret_key)?.sk_to_pk().compress())
    }

    /// `Aggregate(signatures)`: the compressed sum of subgroup-checked signatures.
    pub fn aggregate_signatures(
        &self,
        signatures: &[BlsSignature],
    ) -> Result<BlsSignature, BlsError> {
        let sigs = signatures.iter().map(decode_signature).collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&Signature> = sigs.iter().collect();
        let aggregate = blst::min_pk::AggregateSignature::aggregate(&refs, false)
            .map_err(|_| BlsError::EmptyPubkeys)?;
        Ok(aggregate.to_signature().compress())
    }

    /// Checks that `bytes` is a compressed G1 point in the subgroup (infinity allowed), as the
    /// deserialization vectors define it.
    pub fn check_pubkey_encoding(&self, bytes: &[u8]) -> Result<(), BlsError> {
        let key = PublicKey::uncompress(bytes).map_err(|_| BlsError::InvalidPubkey { index: 0 })?;
        match key.validate() {
            Ok(()) | Err(BLST_ERROR::BLST_PK_IS_INFINITY) => Ok(()),
            Err(_) => Err(BlsError::PubkeyNotInGroup { index: 0 }),
        }
    }

    /// Checks that `bytes` is a compressed G2 point in the subgroup (infinity allowed).
    pub fn check_signature_encoding(&self, bytes: &[u8]) -> Result<(), BlsError> {
        let sig = Signature::uncompress(bytes).map_err(|_| BlsError::InvalidSignatureEncoding)?;
        sig.validate(false).map_err(|_| BlsError::InvalidSignatureEncoding)
    }

    /// `hash_to_curve` onto G2 with domain separation tag `dst`; returns the affine point
    /// uncompressed (`x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`, 48 big-endian bytes each).
    pub fn hash_to_g2(&self, message: &[u8], dst: &[u8]) -> [u8; 192] {
        let mut point = blst::blst_p2::default();
        let mut affine = blst::blst_p2_affine::default();
        let mut out = [0u8; 192];
        // SAFETY: pointers and lengths come from live slices; outputs are live locals of the
        // types blst expects (`out` holds the 192 bytes an uncompressed G2 point takes).
        unsafe {
            blst::blst_hash_to_g2(
                &mut point,
                message.as_ptr(),
                message.len(),
                dst.as_ptr(),
                dst.len(),
                core::ptr::null(),
                0,
            );
            blst::blst_p2_to_affine(&mut affine, &point);
            blst::blst_p2_affine_serialize(out.as_mut_ptr(), &affine);
        }
        out
    }
}
