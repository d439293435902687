//! The common reference string: the 256 Pedersen basis points `G_i` and the IPA point `Q`
//! (notes §4), with the precomputation every commitment and proof uses.

// Operators here are finite-field and curve arithmetic (arkworks `Fp`, `Element`), which cannot
// overflow; integer arithmetic is on loop bounds and table indices derived from constants.
#![allow(clippy::arithmetic_side_effects)]

use alloc::vec::Vec;

use ark_ff::{One, PrimeField, Zero};
use sha2::{Digest, Sha256};

use crate::crs_data::CRS_UNCOMPRESSED_LE_HEX;
use crate::field::{Fq, Fr, batch_invert, fr_u64};
use crate::hex::decode_array;
use crate::msm::FixedBase;
use crate::point::{Affine, Element};

/// Vector width of the tree and of every committed polynomial.
pub const WIDTH: usize = 256;

/// The CRS seed of EIP-6800.
pub const CRS_SEED: &[u8] = b"eth_verkle_oct_2021";

/// Signed 8-bit windows covering a 128-bit scalar plus carry.
pub(crate) const KEY_WINDOWS: usize = 17;
/// Multiples per window: `1..=128`.
const KEY_MULTIPLES: usize = 128;

/// The CRS and its precomputed tables. Build it once (`Crs::new()`, a few milliseconds) and pass
/// it by reference; it holds about 2.5 MB of tables.
#[derive(Debug, Clone)]
pub struct Crs {
    pub(crate) g: Vec<Element>,
    pub(crate) q: Element,
    /// Shifted copies of `G_0..G_255` and `Q` (base index 256).
    pub(crate) fixed: FixedBase,
    /// Full digit tables for `G_1..G_4` (tree keys): `[g][window][multiple − 1]`.
    pub(crate) key_table: Vec<Affine>,
    /// `16386 · G_0`, the constant term of every tree-key hash.
    pub(crate) key_constant: Element,
    pub(crate) domain: Domain,
}

/// Barycentric precomputation over the domain `{0, …, 255}` (notes §8).
#[derive(Debug, Clone)]
pub(crate) struct Domain {
    /// `A'(i) = Π_{j≠i} (i − j)`.
    pub(crate) a_prime: Vec<Fr>,
    /// `1 / A'(i)`.
    pub(crate) a_prime_inv: Vec<Fr>,
    /// `1 / k` for `k = 0..255` (index 0 holds 0).
    pub(crate) inv: Vec<Fr>,
}

impl Default for Crs {
    fn default() -> Self {
        Self::new()
    }
}

impl Crs {
    /// Loads the embedded basis and builds the tables.
    pub fn new() -> Self {
        let mut points = Vec::with_capacity(WIDTH);
        for hex in CRS_UNCOMPRESSED_LE_HEX {
            // The embedded constants are checked against the seed regeneration in the tests;
            // decoding them cannot fail.
            let decoded =
                decode_array::<64>(hex, "crs").and_then(|b| Element::from_uncompressed_le(&b));
            points.push(decoded.unwrap_or(Element::IDENTITY));
        }
        Self::from_points(points, Element::generator())
    }

    fn from_points(g: Vec<Element>, q: Element) -> Self {
        let mut bases = g.clone();
        bases.push(q);
        let fixed = FixedBase::new(&bases);
        let key_table = build_key_table(&fixed);
        let constant = fr_u64(2 + 256 * 64);
        let key_constant = fixed.msm(core::iter::once((0usize, &constant)));
        Self { g, q, fixed, key_table, key_constant, domain: Domain::new() }
    }

    /// The basis point `G_i`.
    pub fn basis(&self, i: usize) -> Option<&Element> {
        self.g.get(i)
    }

    /// The IPA point `Q` (the bandersnatch generator).
    pub fn q(&self) -> &Element {
        &self.q
    }

    /// Regenerates the basis from a seed by try-and-increment (notes §4): for `k = 0, 1, …`,
    /// `x = SHA-256(seed ‖ u64_be(k)) mod p` is decoded as a compressed point with every check,
    /// and the first `n` successes are kept. Returns the points and the number of candidates
    /// tried.
    pub fn generate_basis(seed: &[u8], n: usize) -> (Vec<Element>, u64) {
        let mut points = Vec::with_capacity(n);
        let mut k: u64 = 0;
        while points.len() < n {
            let mut hasher = Sha256::new();
            hasher.update(seed);
            hasher.update(k.to_be_bytes());
            let h = hasher.finalize();
            let x = Fq::from_be_bytes_mod_order(&h);
            let bytes = crate::field::fq_to_be(&x);
            if let Ok(p) = Element::from_bytes(&bytes) {
                points.push(p);
            }
            k = k.saturating_add(1);
        }
        (points, k)
    }

    /// Commits to a vector in evaluation form: `Σ vᵢ·Gᵢ` (at most 256 entries).
    pub fn commit(&self, values: &[Fr]) -> Element {
        self.fixed.msm(values.iter().take(WIDTH).enumerate().filter(|(_, v)| !v.is_zero()))
    }

    /// Commits to a sparse vector given as `(index, value)` pairs (indices ≥ 256 are ignored).
    pub fn commit_sparse(&self, terms: &[(usize, Fr)]) -> Element {
        self.fixed.msm(terms.iter().filter(|(i, _)| *i < WIDTH).map(|(i, v)| (*i, v)))
    }

    /// A sparse update `C + δ·G_i` (`C` unchanged for `i ≥ 256`).
    pub fn update(&self, commitment: &Element, index: usize, delta: &Fr) -> Element {
        if index >= WIDTH {
            return *commitment;
        }
        *commitment + self.fixed.msm(core::iter::once((index, delta)))
    }

    /// Σ over `(g index 1..=4, 128-bit little-endian scalar)` with the full digit tables.
    #[allow(clippy::arithmetic_side_effects)]
    pub(crate) fn key_msm(&self, mut acc: Element, terms: &[(usize, [u64; 2]); 2]) -> Element {
        let mut digits = [0i32; KEY_WINDOWS];
        for (g, scalar) in terms {
            if !(1..=4).contains(g) {
                continue;
            }
            key_digits(scalar, &mut digits);
            let base = (g - 1) * KEY_WINDOWS * KEY_MULTIPLES;
            for (j, &d) in digits.iter().enumerate() {
                if d == 0 {
                    continue;
                }
                let index = base + j * KEY_MULTIPLES + d.unsigned_abs() as usize - 1;
                if let Some(point) = self.key_table.get(index) {
                    acc = if d > 0 { acc.add_affine(point) } else { acc.sub_affine(point) };
                }
            }
        }
        acc
    }
}

/// Signed 8-bit digits of a 128-bit value.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_wrap)]
fn key_digits(value: &[u64; 2], out: &mut [i32; KEY_WINDOWS]) {
    let mut carry = 0i32;
    for (j, digit) in out.iter_mut().enumerate() {
        let byte = match value.get(j / 8) {
            Some(limb) if j < 16 => ((limb >> ((j % 8) * 8)) & 0xff) as i32,
            _ => 0,
        };
        let mut d = byte + carry;
        if d > 128 {
            d -= 256;
            carry = 1;
        } else {
            carry = 0;
        }
        *digit = d;
    }
}

fn build_key_table(fixed: &FixedBase) -> Vec<Affine> {
    let mut projective = Vec::with_capacity(4 * KEY_WINDOWS * KEY_MULTIPLES);
    for g in 1..=4usize {
        for j in 0..KEY_WINDOWS {
            // 2^(8j)·G_g is shift 2j of the 4-bit shift table.
            let base = fixed.shifted(g, j.saturating_mul(2)).copied().unwrap_or(Affine::IDENTITY);
            let mut acc = Element::IDENTITY.add_affine(&base);
            projective.push(acc);
            for _ in 1..KEY_MULTIPLES {
                acc = acc.add_affine(&base);
                projective.push(acc);
            }
        }
    }
    Element::batch_to_table_affine(&projective)
}

impl Domain {
    #[allow(clippy::arithmetic_side_effects)]
    fn new() -> Self {
        let mut a_prime = Vec::with_capacity(WIDTH);
        for i in 0..WIDTH as u64 {
            let mut acc = Fr::one();
            for j in 0..WIDTH as u64 {
                if i != j {
                    acc *= fr_u64(i) - fr_u64(j);
                }
            }
            a_prime.push(acc);
        }
        let mut a_prime_inv = a_prime.clone();
        batch_invert(&mut a_prime_inv);
        let mut inv: Vec<Fr> = (0..WIDTH as u64).map(fr_u64).collect();
        batch_invert(&mut inv);
        Self { a_prime, a_prime_inv, inv }
    }

    /// `1 / (i − j)` for domain points `i ≠ j`.
    pub(crate) fn inv_diff(&self, i: usize, j: usize) -> Fr {
        if i > j {
            self.inv.get(i.saturating_sub(j)).copied().unwrap_or_default()
        } else {
            -self.inv.get(j.saturating_sub(i)).copied().unwrap_or_default()
        }
    }

    /// The barycentric weights `bᵢ` with `f(t) = Σ bᵢ·f(i)`: the unit vector `e_t` inside the
    /// domain, `A(t) / (A'(i)·(t − i))` outside (notes §8).
    pub(crate) fn barycentric(&self, t: &Fr) -> Vec<Fr> {
        let mut diffs: Vec<Fr> = (0..WIDTH as u64).map(|i| *t - fr_u64(i)).collect();
        if let Some(pos) = diffs.iter().position(Zero::is_zero) {
            let mut unit = alloc::vec![Fr::zero(); WIDTH];
            if let Some(slot) = unit.get_mut(pos) {
                *slot = Fr::one();
            }
            return unit;
        }
        let a_t: Fr = diffs.iter().product();
        batch_invert(&mut diffs);
        diffs.iter().zip(&self.a_prime_inv).map(|(d, ai)| a_t * ai * d).collect()
    }
}

/// The point in the domain for `z`, as a field element.
pub(crate) fn domain_point(z: u8) -> Fr {
    fr_u64(u64::from(z))
}
