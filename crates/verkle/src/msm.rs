//! Multi-scalar multiplication: a variable-base bucket method (Pippenger) with signed digits,
//! and a fixed-base variant over precomputed shifted copies of the CRS points (notes §15:
//! "fixed-base precomputation for G₀ = Σ sᵢGᵢ with small windows").

// Operators here are finite-field and curve arithmetic (arkworks `Fp`, `Element`), which cannot
// overflow; integer arithmetic is on loop bounds and table indices derived from constants.
#![allow(clippy::arithmetic_side_effects)]

use alloc::vec;
use alloc::vec::Vec;

use crate::field::{Fq, Fr, fr_limbs};
use crate::glv;
use crate::point::{Affine, Element};

/// Bits covered by the signed-digit recoding of a scalar below r (< 2^253) plus its carry.
const SCALAR_BITS: usize = 256;

/// Extracts the `width`-bit window starting at `bit` from little-endian limbs.
#[inline]
fn window(limbs: &[u64; 4], bit: usize, width: usize) -> u64 {
    let limb = bit / 64;
    let shift = bit % 64;
    let Some(&lo) = limbs.get(limb) else { return 0 };
    let mut value = lo >> shift;
    if shift + width > 64
        && let Some(&hi) = limbs.get(limb + 1)
    {
        value |= hi << (64 - shift);
    }
    value & ((1u64 << width) - 1)
}

/// Signed digits of `limbs` in base `2^width`, each in `[−2^(width−1), 2^(width−1)]`, written
/// into `out` (length `ceil(256 / width)`), least significant first.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_wrap)]
fn signed_digits(limbs: &[u64; 4], width: usize, out: &mut [i32]) {
    let half = 1i64 << (width - 1);
    let full = 1i64 << width;
    let mut carry = 0i64;
    for (j, digit) in out.iter_mut().enumerate() {
        let mut d = window(limbs, j * width, width) as i64 + carry;
        if d > half {
            d -= full;
            carry = 1;
        } else {
            carry = 0;
        }
        *digit = d as i32;
    }
}

/// Sums `Σ (b+1)·bucket[b]` with the running-sum trick (2 additions per bucket, none for the
/// top one).
fn sum_buckets(buckets: &[Element]) -> Element {
    let mut rest = buckets.iter().rev();
    let Some(&top) = rest.next() else { return Element::IDENTITY };
    let mut running = top;
    let mut total = top;
    for bucket in rest {
        running += *bucket;
        total += running;
    }
    total
}

/// Adds `sign · point` into the bucket for `|digit|`.
#[inline]
#[allow(clippy::arithmetic_side_effects)]
fn add_to_bucket(buckets: &mut [Element], digit: i32, point: &Affine) {
    if digit == 0 {
        return;
    }
    let index = digit.unsigned_abs() as usize - 1;
    if let Some(bucket) = buckets.get_mut(index) {
        *bucket = if digit > 0 { bucket.add_affine(point) } else { bucket.sub_affine(point) };
    }
}

/// Cost of a mixed addition and of a full (dedicated) addition, in field multiplications.
const MIXED_COST: usize = 8;
const FULL_COST: usize = 9;
/// Cost of `ψ(P)` and its share of the batch normalization (7 M + 1 S, then 7 M).
const ENDOMORPHISM_COST: usize = 15;

/// Signed-digit windows needed for scalars below `2^bits` at `width` (one more bit for the
/// carry out of the top digit).
fn windows_for(bits: usize, width: usize) -> usize {
    (bits + 1).div_ceil(width)
}

/// The window width minimizing the estimated cost (one mixed addition per point and window, two
/// full additions per bucket and window) of `points` points with scalars below `2^bits`, and
/// that cost.
#[allow(clippy::arithmetic_side_effects)]
fn best_width(points: usize, bits: usize) -> (usize, usize) {
    let mut best = (2, usize::MAX);
    for c in 2..=16usize {
        let per_window = points * MIXED_COST + (1usize << (c - 1)) * 2 * FULL_COST;
        let cost = windows_for(bits, c) * per_window;
        if cost < best.1 {
            best = (c, cost);
        }
    }
    best
}

/// Below this many points, [`msm`] uses interleaved fixed windows (Straus) instead of buckets.
const STRAUS_MAX: usize = 48;
/// Window width of the Straus method.
const STRAUS_WIDTH: usize = 5;

/// `Σ scalarsᵢ · pointsᵢ` by Straus' method: shared doublings, per-point tables of `1..=16`
/// multiples (one batch normalization), one mixed addition per non-zero 5-bit signed digit.
#[allow(clippy::arithmetic_side_effects)]
fn straus(points: &[Affine], scalars: &[Fr]) -> Element {
    const MULTIPLES: usize = 1 << (STRAUS_WIDTH - 1);
    const WINDOWS: usize = SCALAR_BITS.div_ceil(STRAUS_WIDTH);
    let n = points.len().min(scalars.len());
    let mut projective = Vec::with_capacity(n * MULTIPLES);
    for point in points.iter().take(n) {
        let mut acc = Element::IDENTITY.add_affine(point);
        projective.push(acc);
        for _ in 1..MULTIPLES {
            acc = acc.add_affine(point);
            projective.push(acc);
        }
    }
    let table = Element::batch_to_table_affine(&projective);
    let mut digits = vec![0i32; n * WINDOWS];
    for (chunk, scalar) in digits.chunks_exact_mut(WINDOWS).zip(scalars) {
        signed_digits(&fr_limbs(scalar), STRAUS_WIDTH, chunk);
    }
    let mut acc = Element::IDENTITY;
    for j in (0..WINDOWS).rev() {
        for _ in 0..STRAUS_WIDTH {
            acc = acc.double();
        }
        for i in 0..n {
            let d = digits.get(i * WINDOWS + j).copied().unwrap_or(0);
            if d == 0 {
                continue;
            }
            if let Some(entry) = table.get(i * MULTIPLES + d.unsigned_abs() as usize - 1) {
                acc = if d > 0 { acc.add_affine(entry) } else { acc.sub_affine(entry) };
            }
        }
    }
    acc
}

/// Bits of the scalars of [`msm`] (`r < 2^253`).
const FR_BITS: usize = 253;
/// Bits of the GLV halves (`|k₁|, |k₂| < 2^127`).
const GLV_BITS: usize = 127;

/// `Σ scalarsᵢ · pointsᵢ` for arbitrary points (variable-time; inputs are public). Few points:
/// Straus; many: Pippenger, over the `2n` points `±Pᵢ`, `±ψ(Pᵢ)` with the GLV halves of the
/// scalars when the cost model says that pays (from about a hundred to several thousand
/// points).
#[allow(clippy::arithmetic_side_effects)]
pub(crate) fn msm(points: &[Affine], scalars: &[Fr]) -> Element {
    let n = points.len().min(scalars.len());
    if n == 0 {
        return Element::IDENTITY;
    }
    if n <= STRAUS_MAX {
        return straus(points, scalars);
    }
    let points = points.get(..n).unwrap_or_default();
    let scalars = scalars.get(..n).unwrap_or_default();
    let (plain_width, plain_cost) = best_width(n, FR_BITS);
    let (glv_width, glv_cost) = best_width(2 * n, GLV_BITS);
    // GLV only where the model promises a clear gain: it doubles the memory the buckets are fed
    // from, which the count of multiplications does not see (at 16,000 points the estimated
    // gain is ~1 % and not measurable).
    if (glv_cost + n * ENDOMORPHISM_COST) * 100 < plain_cost * 97 {
        return msm_glv(points, scalars, glv_width);
    }
    msm_plain(points, scalars, plain_width)
}

/// [`msm`] by Pippenger over the points as given, with full-length scalars.
#[allow(clippy::arithmetic_side_effects)]
fn msm_plain(points: &[Affine], scalars: &[Fr], width: usize) -> Element {
    let n = points.len().min(scalars.len());
    let windows = windows_for(FR_BITS, width);
    let mut digits = vec![0i32; n * windows];
    let mut scalar_digits = vec![0i32; windows];
    for (i, scalar) in scalars.iter().take(n).enumerate() {
        signed_digits(&fr_limbs(scalar), width, &mut scalar_digits);
        scatter(&scalar_digits, &mut digits, i, n);
    }
    pippenger(points.get(..n).unwrap_or_default(), &digits, width)
}

/// Writes the digits of scalar `i` into column `i` of the window-major `digits` (`n` columns).
#[allow(clippy::arithmetic_side_effects)]
fn scatter(scalar_digits: &[i32], digits: &mut [i32], i: usize, n: usize) {
    for (j, &d) in scalar_digits.iter().enumerate() {
        if let Some(slot) = digits.get_mut(j * n + i) {
            *slot = d;
        }
    }
}

/// [`msm`] with the GLV split: `kᵢ·Pᵢ = k₁ᵢ·Pᵢ + k₂ᵢ·ψ(Pᵢ)`, signs moved onto the points.
#[allow(clippy::arithmetic_side_effects)]
fn msm_glv(points: &[Affine], scalars: &[Fr], width: usize) -> Element {
    let n = points.len();
    let projective: Vec<[Fq; 3]> = points.iter().map(glv::endomorphism).collect();
    let images = Affine::batch_from_projective(&projective);
    let windows = windows_for(GLV_BITS, width);
    let mut all = Vec::with_capacity(2 * n);
    let mut digits = vec![0i32; 2 * n * windows];
    let mut scalar_digits = vec![0i32; windows];
    let halves: Vec<(i128, i128)> = scalars.iter().map(|k| glv::decompose(&fr_limbs(k))).collect();
    for (i, ((point, image), (k1, k2))) in points.iter().zip(&images).zip(&halves).enumerate() {
        for (j, (p, k)) in [(point, k1), (image, k2)].into_iter().enumerate() {
            all.push(if *k < 0 { p.neg() } else { *p });
            let m = k.unsigned_abs();
            signed_digits(&[m as u64, (m >> 64) as u64, 0, 0], width, &mut scalar_digits);
            scatter(&scalar_digits, &mut digits, 2 * i + j, 2 * n);
        }
    }
    pippenger(&all, &digits, width)
}

/// Signed-digit Pippenger: `digits` holds the windows of every scalar, window-major
/// (`digits[j·n + i]` is digit `j` of scalar `i`), most significant window last.
#[allow(clippy::arithmetic_side_effects)]
fn pippenger(points: &[Affine], digits: &[i32], width: usize) -> Element {
    let n = points.len();
    if n == 0 {
        return Element::IDENTITY;
    }
    let mut buckets = vec![Element::IDENTITY; 1usize << (width - 1)];
    let mut acc = Element::IDENTITY;
    let mut started = false;
    for row in digits.chunks_exact(n).rev() {
        if started {
            for _ in 0..width {
                acc = acc.double();
            }
        }
        buckets.iter_mut().for_each(|b| *b = Element::IDENTITY);
        for (&d, point) in row.iter().zip(points) {
            add_to_bucket(&mut buckets, d, point);
        }
        acc += sum_buckets(&buckets);
        started = true;
    }
    acc
}

/// `scalar · point` with 4-bit signed windows.
#[allow(clippy::arithmetic_side_effects)]
pub(crate) fn mul_one(point: &Element, scalar: &Fr) -> Element {
    let mut multiples = [*point; 8];
    let mut acc = *point;
    for slot in multiples.iter_mut().skip(1) {
        acc += *point;
        *slot = acc;
    }
    let mut digits = [0i32; 64];
    signed_digits(&fr_limbs(scalar), 4, &mut digits);
    let mut acc = Element::IDENTITY;
    for &d in digits.iter().rev() {
        acc = acc.double().double().double().double();
        if d != 0
            && let Some(m) = multiples.get(d.unsigned_abs() as usize - 1)
        {
            acc = if d > 0 { acc + *m } else { acc - *m };
        }
    }
    acc
}

/// Shift granularity of the fixed-base tables, in bits.
const SHIFT_BITS: usize = 4;
/// Shifted copies per base: `2^(4j)·P` for `j < 64`.
const SHIFTS: usize = SCALAR_BITS / SHIFT_BITS;

/// Precomputed `2^(4j)·Pᵢ` for a fixed list of bases, used by [`FixedBase::msm`] with 4- or
/// 8-bit windows and no doublings.
#[derive(Debug, Clone)]
pub(crate) struct FixedBase {
    /// `SHIFTS` entries per base.
    shifted: Vec<Affine>,
    bases: usize,
}

impl FixedBase {
    pub(crate) fn new(bases: &[Element]) -> Self {
        let mut projective = Vec::with_capacity(bases.len() * SHIFTS);
        for base in bases {
            let mut p = *base;
            for _ in 0..SHIFTS {
                projective.push(p);
                for _ in 0..SHIFT_BITS {
                    p = p.double();
                }
            }
        }
        Self { shifted: Element::batch_to_table_affine(&projective), bases: bases.len() }
    }

    /// `2^(4·shift) · base`.
    #[allow(clippy::arithmetic_side_effects)]
    pub(crate) fn shifted(&self, base: usize, shift: usize) -> Option<&Affine> {
        self.shifted.get(base * SHIFTS + shift)
    }

    /// `Σ scalarsᵢ · baseᵢ` for `(base index, scalar)` pairs. Zero digits cost nothing, so sparse
    /// and short scalars are cheap.
    #[allow(clippy::arithmetic_side_effects)]
    pub(crate) fn msm<'a>(&self, terms: impl Iterator<Item = (usize, &'a Fr)> + Clone) -> Element {
        // Few terms: 4-bit windows (8 buckets); many: 8-bit windows (128 buckets).
        let count = terms.clone().take(9).count();
        let width = if count <= 8 { 4 } else { 8 };
        let step = width / SHIFT_BITS;
        let windows = SCALAR_BITS / width;
        let mut buckets = vec![Element::IDENTITY; 1usize << (width - 1)];
        let mut digits = [0i32; 64];
        for (base, scalar) in terms {
            if base >= self.bases {
                continue;
            }
            let digits = digits.get_mut(..windows).unwrap_or(&mut []);
            signed_digits(&fr_limbs(scalar), width, digits);
            for (j, &d) in digits.iter().enumerate() {
                if d != 0
                    && let Some(point) = self.shifted(base, j * step)
                {
                    add_to_bucket(&mut buckets, d, point);
                }
            }
        }
        sum_buckets(&buckets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{AdditiveGroup, Field};
    use sha2::{Digest, Sha256};

    pub(crate) fn pseudo_random(i: u64) -> Fr {
        let h: [u8; 32] = Sha256::digest(i.to_le_bytes()).into();
        crate::field::fr_from_le_reduced(&h)
    }

    fn naive(points: &[Element], scalars: &[Fr]) -> Element {
        let mut acc = Element::IDENTITY;
        for (p, s) in points.iter().zip(scalars) {
            acc += p.mul(s);
        }
        acc
    }

    #[test]
    fn msm_matches_naive() {
        let g = Element::generator();
        for n in [1usize, 2, 3, 17, 48, 49, 70, 130, 300] {
            let points: Vec<Element> =
                (0..n).map(|i| g.mul(&Fr::from(i as u64 * 7919 + 3))).collect();
            let scalars: Vec<Fr> =
                (0..n).map(|i| pseudo_random(i as u64 + 1000 * n as u64)).collect();
            let affine = Element::batch_to_table_affine(&points);
            assert_eq!(msm(&affine, &scalars), naive(&points, &scalars));
            let table = FixedBase::new(&points);
            assert_eq!(table.msm(scalars.iter().enumerate()), naive(&points, &scalars));
        }
    }

    #[test]
    fn glv_and_plain_pippenger_agree_on_special_inputs() {
        let g = Element::generator();
        let t2 = Element { x: Fq::ZERO, y: -Fq::ONE, t: Fq::ZERO, z: Fq::ONE };
        let mut points = vec![Element::IDENTITY, t2, g, g, -g, g + t2, g.double()];
        let mut scalars = vec![pseudo_random(1), pseudo_random(2), Fr::from(0u64), Fr::from(1u64)];
        scalars.extend([-Fr::from(1u64), pseudo_random(3), -pseudo_random(3)]);
        for i in 0..90u64 {
            points.push(g.mul(&pseudo_random(100 + i)));
            scalars.push(if i % 7 == 0 { Fr::from(i) } else { pseudo_random(200 + i) });
        }
        let expected = naive(&points, &scalars);
        let affine = Element::batch_to_table_affine(&points);
        assert_eq!(msm(&affine, &scalars), expected);
        for width in [3usize, 8, 11] {
            assert_eq!(msm_glv(&affine, &scalars, width), expected);
            assert_eq!(msm_plain(&affine, &scalars, width), expected);
        }
    }

    #[test]
    fn mul_small() {
        let g = Element::generator();
        assert_eq!(g.mul(&Fr::from(2u64)), g.double());
        assert_eq!(g.mul(&Fr::from(3u64)), g.double() + g);
        assert_eq!(g.mul(&-Fr::from(1u64)), -g);
        assert!(g.mul(&Fr::from(0u64)).is_identity());
        let s = pseudo_random(5);
        let t = pseudo_random(6);
        assert_eq!(g.mul(&(s * t)), g.mul(&s).mul(&t));
    }
}
