//! The inner-product argument over the 256-point domain (notes §8): verifier with one fixed-base
//! MSM over the CRS plus a 16-point MSM, and a deterministic prover.

// Operators here are finite-field and curve arithmetic (arkworks `Fp`, `Element`), which cannot
// overflow; integer arithmetic is on loop bounds and table indices derived from constants.
#![allow(clippy::arithmetic_side_effects)]

use alloc::vec::Vec;

use ark_ff::{Field, Zero};

use crate::crs::{Crs, WIDTH};
use crate::error::{Error, Result};
use crate::field::{Fr, batch_invert, fr_canonical, fr_to_le};
use crate::msm::msm;
use crate::point::{Affine, Element};
use crate::transcript::Transcript;

/// Rounds of the argument (`log2 256`).
pub const IPA_ROUNDS: usize = 8;
/// Wire size: 8 L points, 8 R points, the final scalar.
pub const IPA_PROOF_SIZE: usize = 2 * IPA_ROUNDS * 32 + 32;

/// An IPA proof: `L₀..L₇`, `R₀..R₇` and the final scalar `a` (notes §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpaProof {
    pub(crate) l: [Element; IPA_ROUNDS],
    pub(crate) r: [Element; IPA_ROUNDS],
    pub(crate) l_bytes: [[u8; 32]; IPA_ROUNDS],
    pub(crate) r_bytes: [[u8; 32]; IPA_ROUNDS],
    pub(crate) a: Fr,
}

impl IpaProof {
    /// Decodes the 544-byte wire form `L₀..L₇ ‖ R₀..R₇ ‖ a` (points compressed, `a` 32 bytes
    /// little-endian and below r). Exact length; every point fully checked.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() != IPA_PROOF_SIZE {
            return Err(Error::WrongLength {
                what: "IPA proof",
                expected: IPA_PROOF_SIZE,
                got: bytes.len(),
            });
        }
        let mut l = [[0u8; 32]; IPA_ROUNDS];
        let mut r = [[0u8; 32]; IPA_ROUNDS];
        let mut chunks = bytes.chunks_exact(32);
        for slot in l.iter_mut().chain(r.iter_mut()) {
            if let Some(chunk) = chunks.next() {
                slot.copy_from_slice(chunk);
            }
        }
        let mut a = [0u8; 32];
        if let Some(chunk) = chunks.next() {
            a.copy_from_slice(chunk);
        }
        Self::from_parts(&l, &r, &a)
    }

    /// Builds a proof from its parts: compressed L and R points and the little-endian final
    /// scalar.
    pub fn from_parts(
        l: &[[u8; 32]; IPA_ROUNDS],
        r: &[[u8; 32]; IPA_ROUNDS],
        a_le: &[u8; 32],
    ) -> Result<Self> {
        // The scalar first: the cheapest check.
        let a = fr_canonical(a_le, "IPA final evaluation")?;
        let mut encoded = [[0u8; 32]; 2 * IPA_ROUNDS];
        for (dst, src) in encoded.iter_mut().zip(l.iter().chain(r)) {
            *dst = *src;
        }
        let decoded = Element::batch_from_bytes(&encoded)?;
        let mut lp = [Element::IDENTITY; IPA_ROUNDS];
        let mut rp = [Element::IDENTITY; IPA_ROUNDS];
        for (dst, src) in lp.iter_mut().chain(rp.iter_mut()).zip(decoded) {
            *dst = src;
        }
        Ok(Self { l: lp, r: rp, l_bytes: *l, r_bytes: *r, a })
    }

    /// The 544-byte wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(IPA_PROOF_SIZE);
        for point in self.l_bytes.iter().chain(&self.r_bytes) {
            out.extend_from_slice(point);
        }
        out.extend_from_slice(&fr_to_le(&self.a));
        out
    }

    /// The final scalar `a`.
    pub fn final_evaluation(&self) -> Fr {
        self.a
    }

    /// The compressed L points.
    pub fn l_bytes(&self) -> &[[u8; 32]; IPA_ROUNDS] {
        &self.l_bytes
    }

    /// The compressed R points.
    pub fn r_bytes(&self) -> &[[u8; 32]; IPA_ROUNDS] {
        &self.r_bytes
    }
}

/// `s_i = Π_{k: bit (7−k) of i set} x_k⁻¹` (first challenge ↔ most significant bit).
fn folding_scalars(x_inv: &[Fr; IPA_ROUNDS]) -> Vec<Fr> {
    let mut s = Vec::with_capacity(WIDTH);
    s.push(Fr::from(1u64));
    for xi in x_inv {
        let mut next = Vec::with_capacity(s.len().saturating_mul(2));
        for v in &s {
            next.push(*v);
            next.push(*v * xi);
        }
        s = next;
    }
    s
}

/// Verifies an IPA proof that the polynomial committed in `commitment` evaluates to `y` at `t`
/// (notes §8), continuing `transcript`. `commitment_bytes` is its compressed form.
pub(crate) fn verify_with_bytes(
    crs: &Crs,
    transcript: &mut Transcript,
    commitment: &Element,
    commitment_bytes: &[u8; 32],
    t: &Fr,
    y: &Fr,
    proof: &IpaProof,
) -> Result<()> {
    transcript.domain_sep(b"ipa");
    transcript.append_point_bytes(b"C", commitment_bytes);
    transcript.append_scalar(b"input point", t);
    transcript.append_scalar(b"output point", y);
    let w = transcript.challenge_scalar(b"w");
    let mut x = [Fr::zero(); IPA_ROUNDS];
    for ((xk, l), r) in x.iter_mut().zip(&proof.l_bytes).zip(&proof.r_bytes) {
        transcript.append_point_bytes(b"L", l);
        transcript.append_point_bytes(b"R", r);
        *xk = transcript.challenge_scalar(b"x");
    }
    let mut x_inv = x;
    batch_invert(&mut x_inv);
    if x_inv.iter().any(Zero::is_zero) {
        return Err(Error::ProofFailed);
    }
    let s = folding_scalars(&x_inv);
    let b = crs.domain.barycentric(t);
    let b0: Fr = s.iter().zip(&b).map(|(si, bi)| *si * bi).sum();
    let a = proof.a;
    // C + y·w·Q + Σ(x_k L_k + x_k⁻¹ R_k) − a·Σ s_i G_i − a·b₀·w·Q == identity.
    let neg_a = -a;
    let fixed_scalars: Vec<Fr> = s.iter().map(|si| neg_a * si).collect();
    let q_scalar = (*y - a * b0) * w;
    let fixed =
        crs.fixed.msm(fixed_scalars.iter().enumerate().chain(core::iter::once((WIDTH, &q_scalar))));
    let mut points: Vec<Element> = Vec::with_capacity(2 * IPA_ROUNDS);
    points.extend_from_slice(&proof.l);
    points.extend_from_slice(&proof.r);
    let mut scalars: Vec<Fr> = Vec::with_capacity(2 * IPA_ROUNDS);
    scalars.extend_from_slice(&x);
    scalars.extend_from_slice(&x_inv);
    let affine: Vec<Affine> = Element::batch_to_table_affine(&points);
    let variable = msm(&affine, &scalars);
    let check = *commitment + variable + fixed;
    if check.is_identity() { Ok(()) } else { Err(Error::ProofFailed) }
}

/// Verifies an IPA proof of `f(t) = y` for the polynomial committed in `commitment`.
pub fn verify_ipa(
    crs: &Crs,
    transcript: &mut Transcript,
    commitment: &Element,
    t: &Fr,
    y: &Fr,
    proof: &IpaProof,
) -> Result<()> {
    verify_with_bytes(crs, transcript, commitment, &commitment.to_bytes(), t, y, proof)
}

fn inner(a: &[Fr], b: &[Fr]) -> Fr {
    a.iter().zip(b).map(|(x, y)| *x * y).sum()
}

/// Proves the evaluation of `poly` (256 evaluations) at `t`, deterministically. Returns the
/// proof and the evaluation `y`.
pub fn prove_ipa(
    crs: &Crs,
    transcript: &mut Transcript,
    commitment: &Element,
    poly: &[Fr],
    t: &Fr,
) -> Result<(IpaProof, Fr)> {
    if poly.len() != WIDTH {
        return Err(Error::PolynomialLength(poly.len()));
    }
    let mut a: Vec<Fr> = poly.to_vec();
    let mut b = crs.domain.barycentric(t);
    let y = inner(&a, &b);
    transcript.domain_sep(b"ipa");
    transcript.append_point(b"C", commitment);
    transcript.append_scalar(b"input point", t);
    transcript.append_scalar(b"output point", &y);
    let w = transcript.challenge_scalar(b"w");
    let q = crs.q.mul(&w);
    let mut g: Vec<Element> = crs.g.clone();
    let mut l = [Element::IDENTITY; IPA_ROUNDS];
    let mut r = [Element::IDENTITY; IPA_ROUNDS];
    let mut l_bytes = [[0u8; 32]; IPA_ROUNDS];
    let mut r_bytes = [[0u8; 32]; IPA_ROUNDS];
    for (((lk_slot, rk_slot), lb_slot), rb_slot) in
        l.iter_mut().zip(r.iter_mut()).zip(l_bytes.iter_mut()).zip(r_bytes.iter_mut())
    {
        let half = a.len() / 2;
        let (a_lo, a_hi) = a.split_at(half);
        let (b_lo, b_hi) = b.split_at(half);
        let (g_lo, g_hi) = g.split_at(half);
        let g_lo_affine = Element::batch_to_table_affine(g_lo);
        let g_hi_affine = Element::batch_to_table_affine(g_hi);
        let lk = msm(&g_lo_affine, a_hi) + q.mul(&inner(a_hi, b_lo));
        let rk = msm(&g_hi_affine, a_lo) + q.mul(&inner(a_lo, b_hi));
        let lb = lk.to_bytes();
        let rb = rk.to_bytes();
        transcript.append_point_bytes(b"L", &lb);
        transcript.append_point_bytes(b"R", &rb);
        let x = transcript.challenge_scalar(b"x");
        let x_inv = x.inverse().ok_or(Error::ProofFailed)?;
        a = a_lo.iter().zip(a_hi).map(|(lo, hi)| *lo + x * hi).collect();
        b = b_lo.iter().zip(b_hi).map(|(lo, hi)| *lo + x_inv * hi).collect();
        g = g_lo.iter().zip(g_hi).map(|(lo, hi)| *lo + hi.mul(&x_inv)).collect();
        *lk_slot = lk;
        *rk_slot = rk;
        *lb_slot = lb;
        *rb_slot = rb;
    }
    let a0 = a.first().copied().unwrap_or_default();
    Ok((IpaProof { l, r, l_bytes, r_bytes, a: a0 }, y))
}
