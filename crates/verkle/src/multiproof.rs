//! The multiproof (notes §9): many openings `(C_i, z_i, y_i)` of committed polynomials reduced
//! to one IPA. Verifier (one MSM over the distinct commitments for `E`) and deterministic prover.

// Operators here are finite-field and curve arithmetic (arkworks `Fp`, `Element`), which cannot
// overflow; integer arithmetic is on loop bounds and table indices derived from constants.
#![allow(clippy::arithmetic_side_effects)]

use alloc::vec;
use alloc::vec::Vec;

use ark_ff::Zero;

use crate::crs::{Crs, WIDTH, domain_point};
use crate::error::{Error, Result};
use crate::field::{Fr, batch_invert};
use crate::ipa::{IPA_PROOF_SIZE, IpaProof, prove_ipa, verify_with_bytes};
use crate::msm::msm_elements;
use crate::point::Element;
use crate::transcript::Transcript;

/// Wire size of a multiproof: `D` and the IPA proof.
pub const MULTIPROOF_SIZE: usize = 32 + IPA_PROOF_SIZE;

/// A multiproof: the commitment `D` to the quotient and the IPA proof (notes §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiProof {
    pub(crate) d: Element,
    pub(crate) d_bytes: [u8; 32],
    pub(crate) ipa: IpaProof,
}

/// One opening to verify: the index of its commitment in the commitment list, the domain point
/// `z` and the claimed value `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    /// Index into the commitment list.
    pub commitment: usize,
    /// The evaluation point in the domain `0..=255`.
    pub z: u8,
    /// The claimed evaluation.
    pub y: Fr,
}

/// One opening to prove: the polynomial (256 evaluations), its commitment and the point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProverQuery {
    /// The commitment to `poly`.
    pub commitment: Element,
    /// The polynomial in evaluation form.
    pub poly: Vec<Fr>,
    /// The evaluation point in the domain.
    pub z: u8,
}

impl MultiProof {
    /// Decodes the 576-byte wire form `D ‖ IPA`; any other length is rejected.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != MULTIPROOF_SIZE {
            return Err(Error::WrongLength {
                what: "multiproof",
                expected: MULTIPROOF_SIZE,
                got: bytes.len(),
            });
        }
        let (d, ipa) = bytes.split_at(32);
        let ipa = IpaProof::from_bytes(ipa)?;
        let mut d_bytes = [0u8; 32];
        d_bytes.copy_from_slice(d);
        Ok(Self { d: Element::from_bytes(d)?, d_bytes, ipa })
    }

    /// Builds a multiproof from `D` (compressed) and an IPA proof.
    pub fn from_parts(d: &[u8; 32], ipa: IpaProof) -> Result<Self> {
        Ok(Self { d: Element::from_bytes(d)?, d_bytes: *d, ipa })
    }

    /// The 576-byte wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MULTIPROOF_SIZE);
        out.extend_from_slice(&self.d_bytes);
        out.extend_from_slice(&self.ipa.to_bytes());
        out
    }

    /// The compressed `D`.
    pub fn d_bytes(&self) -> &[u8; 32] {
        &self.d_bytes
    }

    /// The IPA part.
    pub fn ipa(&self) -> &IpaProof {
        &self.ipa
    }
}

/// `1/(t − z)` for every domain point `z` (one batch inversion).
fn inverse_t_minus_z(t: &Fr) -> Result<Vec<Fr>> {
    let mut values: Vec<Fr> = (0..WIDTH).map(|z| *t - domain_point(z as u8)).collect();
    if values.iter().any(Zero::is_zero) {
        // t is a hash output; hitting the domain is a failed proof, not a panic.
        return Err(Error::ProofFailed);
    }
    batch_invert(&mut values);
    Ok(values)
}

/// Verifies `proof` for `openings` over `commitments` (notes §9), continuing `transcript`.
///
/// The opening order is part of the transcript. `commitment_bytes` must be the compressed forms
/// of `commitments` (as decoded; use [`verify_multiproof`] to have them computed).
pub(crate) fn verify_with_bytes_list(
    crs: &Crs,
    transcript: &mut Transcript,
    commitments: &[Element],
    commitment_bytes: &[[u8; 32]],
    openings: &[Opening],
    proof: &MultiProof,
) -> Result<()> {
    if commitments.len() != commitment_bytes.len() {
        return Err(Error::QueryLengthMismatch);
    }
    transcript.domain_sep(b"multiproof");
    for opening in openings {
        let bytes = commitment_bytes.get(opening.commitment).ok_or(Error::QueryLengthMismatch)?;
        transcript.append_point_bytes(b"C", bytes);
        transcript.append_scalar(b"z", &domain_point(opening.z));
        transcript.append_scalar(b"y", &opening.y);
    }
    let r = transcript.challenge_scalar(b"r");
    transcript.append_point_bytes(b"D", &proof.d_bytes);
    let t = transcript.challenge_scalar(b"t");
    let inv = inverse_t_minus_z(&t)?;
    // Aggregate per commitment: E = Σ_C (Σ_{i: C_i = C} r^i/(t − z_i))·C; g₂(t) = Σ r^i y_i/(t − z_i).
    let mut coefficients = vec![Fr::zero(); commitments.len()];
    let mut g2 = Fr::zero();
    let mut power = Fr::from(1u64);
    for opening in openings {
        let weight = power * inv.get(usize::from(opening.z)).copied().unwrap_or_default();
        if let Some(c) = coefficients.get_mut(opening.commitment) {
            *c += weight;
        }
        g2 += weight * opening.y;
        power *= r;
    }
    let e = msm_elements(commitments, &coefficients);
    let points = Element::batch_to_bytes(&[e, e - proof.d]);
    let (e_bytes, c_bytes) = match points.as_slice() {
        [e_bytes, c_bytes] => (*e_bytes, *c_bytes),
        _ => return Err(Error::ProofFailed),
    };
    transcript.append_point_bytes(b"E", &e_bytes);
    verify_with_bytes(crs, transcript, &(e - proof.d), &c_bytes, &t, &g2, &proof.ipa)
}

/// Verifies a multiproof: `openings[i]` claims that the polynomial committed in
/// `commitments[openings[i].commitment]` evaluates to `y` at `z` (notes §9).
pub fn verify_multiproof(
    crs: &Crs,
    transcript: &mut Transcript,
    commitments: &[Element],
    openings: &[Opening],
    proof: &MultiProof,
) -> Result<()> {
    let bytes = Element::batch_to_bytes(commitments);
    verify_with_bytes_list(crs, transcript, commitments, &bytes, openings, proof)
}

/// Proves `queries` deterministically (notes §9), continuing `transcript`. Each query's `y` is
/// `poly[z]`.
pub fn prove_multiproof(
    crs: &Crs,
    transcript: &mut Transcript,
    queries: &[ProverQuery],
) -> Result<MultiProof> {
    transcript.domain_sep(b"multiproof");
    for query in queries {
        if query.poly.len() != WIDTH {
            return Err(Error::PolynomialLength(query.poly.len()));
        }
        transcript.append_point(b"C", &query.commitment);
        transcript.append_scalar(b"z", &domain_point(query.z));
        let y = query.poly.get(usize::from(query.z)).copied().unwrap_or_default();
        transcript.append_scalar(b"y", &y);
    }
    let r = transcript.challenge_scalar(b"r");
    // Group by z: F_z = Σ r^i f_i, then g = Σ_z (F_z − F_z(z)) / (X − z) on the domain.
    let mut grouped: Vec<Option<Vec<Fr>>> = vec![None; WIDTH];
    let mut powers = Vec::with_capacity(queries.len());
    let mut power = Fr::from(1u64);
    for query in queries {
        powers.push(power);
        let slot = grouped.get_mut(usize::from(query.z)).ok_or(Error::ProofFailed)?;
        let acc = slot.get_or_insert_with(|| vec![Fr::zero(); WIDTH]);
        for (a, f) in acc.iter_mut().zip(&query.poly) {
            *a += power * f;
        }
        power *= r;
    }
    let domain = &crs.domain;
    let mut g = vec![Fr::zero(); WIDTH];
    for (z, f) in grouped.iter().enumerate() {
        let Some(f) = f else { continue };
        let y = f.get(z).copied().unwrap_or_default();
        let a_prime_z = domain.a_prime.get(z).copied().unwrap_or_default();
        let mut at_z = Fr::zero();
        for (j, (gj, fj)) in g.iter_mut().zip(f).enumerate() {
            if j == z {
                continue;
            }
            let q = (*fj - y) * domain.inv_diff(j, z);
            *gj += q;
            let a_inv_j = domain.a_prime_inv.get(j).copied().unwrap_or_default();
            at_z -= q * a_prime_z * a_inv_j;
        }
        if let Some(gz) = g.get_mut(z) {
            *gz += at_z;
        }
    }
    let d = crs.commit(&g);
    transcript.append_point(b"D", &d);
    let t = transcript.challenge_scalar(b"t");
    let inv = inverse_t_minus_z(&t)?;
    let mut h = vec![Fr::zero(); WIDTH];
    for (z, f) in grouped.iter().enumerate() {
        let Some(f) = f else { continue };
        let w = inv.get(z).copied().unwrap_or_default();
        for (hj, fj) in h.iter_mut().zip(f) {
            *hj += w * fj;
        }
    }
    let e = crs.commit(&h);
    transcript.append_point(b"E", &e);
    let h_minus_g: Vec<Fr> = h.iter().zip(&g).map(|(a, b)| *a - b).collect();
    let (ipa, _) = prove_ipa(crs, transcript, &(e - d), &h_minus_g, &t)?;
    Ok(MultiProof { d, d_bytes: d.to_bytes(), ipa })
}
