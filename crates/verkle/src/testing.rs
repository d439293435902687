//! Synthetic multiproofs for benchmarks and timing tests (feature `test-utils`).

use alloc::vec::Vec;

use crate::{
    Crs, Element, Fr, MultiProof, Opening, ProverQuery, Result, Transcript, prove_multiproof,
};

/// `n` openings of `n` distinct polynomials `f_i = a_i·F + b_i·e_{k_i}` (`F` fixed, `e_k` a unit
/// vector), whose commitments are cheap to derive (`a_i·[F] + b_i·G_{k_i}`), each opened at
/// `z_i = i mod 256`; proved under the transcript label `bench`. The commitments come back
/// through their 32-byte encoding, normalized like decoded ones.
// Index arithmetic on the loop counter (`i < n`) and modulo 256 cannot overflow.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
pub fn synthetic_openings(crs: &Crs, n: usize) -> Result<(Vec<Element>, Vec<Opening>, MultiProof)> {
    let base: Vec<Fr> = (0..256u64).map(|i| Fr::from(i * i + 7)).collect();
    let base_commitment = crs.commit(&base);
    let mut queries = Vec::with_capacity(n);
    let mut openings = Vec::with_capacity(n);
    let mut commitments = Vec::with_capacity(n);
    for i in 0..n {
        let a = Fr::from(i as u64 + 1);
        let b = Fr::from(3 * i as u64 + 5);
        let k = (i * 7) % 256;
        let mut poly: Vec<Fr> = base.iter().map(|v| *v * a).collect();
        if let Some(slot) = poly.get_mut(k) {
            *slot += b;
        }
        let g = crs.basis(k).copied().unwrap_or_default();
        let commitment = base_commitment.mul(&a) + g.mul(&b);
        let z = (i % 256) as u8;
        let y = poly.get(usize::from(z)).copied().unwrap_or_default();
        openings.push(Opening { commitment: i, z, y });
        commitments.push(commitment);
        queries.push(ProverQuery { commitment, poly, z });
    }
    let proof = prove_multiproof(crs, &mut Transcript::new(b"bench"), &queries)?;
    let commitments = Element::batch_from_bytes(&Element::batch_to_bytes(&commitments))?;
    Ok((commitments, openings, proof))
}
