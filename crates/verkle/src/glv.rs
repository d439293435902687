//! The GLV endomorphism of bandersnatch (Masson–Sanso–Zhang, "Bandersnatch: a fast elliptic curve
//! built over the BLS12-381 scalar field", §4): `ψ` of degree 2 with `ψ(P) = λ·P` on the
//! prime-order subgroup, `λ² = −2 (mod r)`, and the split of a scalar `k` into `k₁ + k₂·λ` with
//! `|k₁|, |k₂| < 2^127`. A large MSM then runs over `2n` points with 127-bit scalars (half the
//! windows, so half the bucket sums).
//!
//! On the banderwagon group: `ψ` kills `T₂` (`ψ(P + T₂) = ψ(P)`), so `k₁·P + k₂·ψ(P)` is
//! `k·P` up to `T₂` — the same banderwagon element — for every representative `P`.

// Operators here are finite-field arithmetic and digit arithmetic on fixed-size limbs whose
// bounds are stated where they are used (column sums below 2^64, scalars mod 2^128).
#![allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]

use ark_ff::{AdditiveGroup, Field, MontFp, Zero};

use crate::field::{Fq, fadd, fmul, fsq, fsub};
use crate::point::Affine;

/// `b` of the endomorphism: `ψ(x, y, z) = (f(y)·h(y), g(y)·x·y, h(y)·x·y)` with
/// `f(y) = c·(z² − y²)`, `g(y) = b·(y² + b·z²)`, `h(y) = y² − b·z²`.
const PSI_B: Fq =
    MontFp!("37446463827641770816307242315180085052603635617490163568005256780843403514036");
/// `c` of the endomorphism.
const PSI_C: Fq =
    MontFp!("49199877423542878313146170939139662862850515542392585932876811575731455068989");

// A short basis of the lattice `{(u, v) : u + v·λ ≡ 0 (mod r)}`: `(A, B)` and `(−C, A)`, with
// `A² + B·C = r` (found by the extended Euclidean algorithm on `(r, λ)`).
const BASIS_A: u128 = 0x555f_e200_4be6_928e_4b02_f94a_9789_181f;
const BASIS_B: u128 = 0x0814_b3ee_e55e_8f5d_f8e2_591a_23d6_1f44;
const BASIS_C: u128 = 0x1029_67dd_cabd_1ebb_f1c4_b234_47ac_3e88;
/// `round(A·2^256 / r)` in 32-bit limbs, little-endian (130 bits).
const G1: [u32; 5] = [0x3f47_47c2, 0xdeba_c77a, 0x541c_f632, 0xf21d_f5b0, 0x2];
/// `round(B·2^256 / r)` in 32-bit limbs, little-endian (127 bits).
const G2: [u32; 5] = [0x5477_68ab, 0x993b_75e7, 0xd876_7bde, 0x4760_f127, 0x0];

/// `⌊k·g / 2^256⌋` for `k < 2^256` and `g < 2^160`, by 32-bit schoolbook products (no 128-bit
/// multiplication, which wasm32 lacks). The result is below `2^128` for the constants here.
fn mul_shift_256(k: &[u64; 4], g: &[u32; 5]) -> u128 {
    let mut k32 = [0u32; 8];
    for (pair, limb) in k32.chunks_exact_mut(2).zip(k) {
        if let [lo, hi] = pair {
            *lo = *limb as u32;
            *hi = (*limb >> 32) as u32;
        }
    }
    let mut out = [0u32; 13];
    for (i, &ki) in k32.iter().enumerate() {
        let mut carry = 0u64;
        for (j, &gj) in g.iter().enumerate() {
            if let Some(slot) = out.get_mut(i + j) {
                // (2^32 − 1)² + 2·(2^32 − 1) = 2^64 − 1: no overflow.
                let t = u64::from(ki) * u64::from(gj) + u64::from(*slot) + carry;
                *slot = t as u32;
                carry = t >> 32;
            }
        }
        if let Some(slot) = out.get_mut(i + 5) {
            *slot = carry as u32;
        }
    }
    let mut high = 0u128;
    for limb in out.iter().skip(8).take(4).rev() {
        high = (high << 32) | u128::from(*limb);
    }
    high
}

/// Splits a scalar `k < r` (little-endian limbs) into `k₁ + k₂·λ ≡ k (mod r)`, returned as
/// `(k₁, k₂)` with `|kᵢ| < 2^127` (Babai rounding against the basis above: the rounding errors
/// are below 1, so `|k₁| ≤ A + C < 2^126.7` and `|k₂| ≤ A + B < 2^126.6`). The arithmetic is
/// modulo `2^128`, exact because the results are that small.
pub(crate) fn decompose(k: &[u64; 4]) -> (i128, i128) {
    let c1 = mul_shift_256(k, &G1);
    let c2 = mul_shift_256(k, &G2);
    let low = u128::from(k[0]) | (u128::from(k[1]) << 64);
    let k1 = low.wrapping_sub(c1.wrapping_mul(BASIS_A)).wrapping_sub(c2.wrapping_mul(BASIS_C));
    let k2 = c2.wrapping_mul(BASIS_A).wrapping_sub(c1.wrapping_mul(BASIS_B));
    (k1 as i128, k2 as i128)
}

/// `ψ(P)` for an affine point as projective `[X, Y, Z]` (7 M + 1 S). The identity and `T₂`
/// (`x = 0`, the kernel) map to the identity.
pub(crate) fn endomorphism(p: &Affine) -> [Fq; 3] {
    if p.x.is_zero() {
        return [Fq::ZERO, Fq::ONE, Fq::ONE];
    }
    let y2 = fsq(&p.y);
    let xy = fmul(&p.x, &p.y);
    let f = fmul(&PSI_C, &fsub(&Fq::ONE, &y2));
    let g = fmul(&PSI_B, &fadd(&y2, &PSI_B));
    let h = fsub(&y2, &PSI_B);
    [fmul(&f, &h), fmul(&g, &xy), fmul(&h, &xy)]
}

/// `ψ` of a projective point `[X, Y, Z]` (`Z ≠ 0`): the formulas of [`endomorphism`] made
/// homogeneous (`1` becomes `Z²`; 7 M + 2 S). The identity and `T₂` map to the identity.
pub(crate) fn endomorphism_projective([x, y, z]: &[Fq; 3]) -> [Fq; 3] {
    if x.is_zero() {
        return [Fq::ZERO, Fq::ONE, Fq::ONE];
    }
    let y2 = fsq(y);
    let z2 = fsq(z);
    let bz2 = fmul(&PSI_B, &z2);
    let xy = fmul(x, y);
    let f = fmul(&PSI_C, &fsub(&z2, &y2));
    let g = fmul(&PSI_B, &fadd(&y2, &bz2));
    let h = fsub(&y2, &bz2);
    [fmul(&f, &h), fmul(&g, &xy), fmul(&h, &xy)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{Fr, fr_from_le_reduced, fr_limbs};
    use crate::point::Element;
    use ark_ff::{BigInt, PrimeField};
    use sha2::{Digest, Sha256};

    const LAMBDA: Fr =
        MontFp!("8913659658109529928382530854484400854125314752504019737736543920008458395397");

    fn fr_signed(v: i128) -> Fr {
        let magnitude = Fr::from(v.unsigned_abs());
        if v < 0 { -magnitude } else { magnitude }
    }

    #[test]
    fn lambda_is_a_root_of_minus_two() {
        assert_eq!(LAMBDA * LAMBDA, -Fr::from(2u64));
    }

    #[test]
    fn decomposition_is_exact_and_short() {
        let mut scalars = vec![Fr::from(0u64), Fr::from(1u64), -Fr::from(1u64), LAMBDA, -LAMBDA];
        scalars.push(Fr::from_bigint(BigInt::new([0, 0, 0, 1 << 60])).unwrap());
        for i in 0..2000u64 {
            scalars.push(fr_from_le_reduced(&Sha256::digest(i.to_le_bytes()).into()));
        }
        for k in scalars {
            let (k1, k2) = decompose(&fr_limbs(&k));
            assert!(k1.unsigned_abs() < 1 << 127 && k2.unsigned_abs() < 1 << 127);
            assert_eq!(fr_signed(k1) + fr_signed(k2) * LAMBDA, k);
        }
    }

    #[test]
    fn endomorphism_is_multiplication_by_lambda() {
        let g = Element::generator();
        let t2 = Element { x: Fq::ZERO, y: -Fq::ONE, t: Fq::ZERO, z: Fq::ONE };
        let psi = |q: &Element| {
            let affine = Element::batch_to_table_affine(&[*q]);
            let [x, y, z] = endomorphism(&affine[0]);
            let zinv = z.inverse().unwrap();
            Element::from_affine(x * zinv, y * zinv)
        };
        for i in 1..20u64 {
            let p = g.mul(&Fr::from(i * 1_000_003));
            for q in [p, p + t2, -p] {
                assert_eq!(psi(&q), q.mul(&LAMBDA));
            }
        }
        for q in [Element::IDENTITY, t2] {
            assert!(psi(&q).is_identity());
        }
        // The projective form agrees on scaled coordinates.
        for i in 1..10u64 {
            let p = g.mul(&Fr::from(i * 7_000_001));
            let k = Fq::from(i + 5);
            let [x, y, z] = endomorphism_projective(&[p.x * k, p.y * k, p.z * k]);
            let zinv = z.inverse().unwrap();
            assert_eq!(Element::from_affine(x * zinv, y * zinv), p.mul(&LAMBDA));
        }
    }
}
