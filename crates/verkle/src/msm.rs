//! Multi-scalar multiplication: a variable-base bucket method (Pippenger) with signed digits,
//! and a fixed-base variant over precomputed shifted copies of the CRS points (notes §15:
//! "fixed-base precomputation for G₀ = Σ sᵢGᵢ with small windows").

// Operators here are finite-field and curve arithmetic (arkworks `Fp`, `Element`), which cannot
// overflow; integer arithmetic is on loop bounds and table indices derived from constants.
#![allow(clippy::arithmetic_side_effects)]

use alloc::vec;
use alloc::vec::Vec;

use ark_ff::{AdditiveGroup, Field};

use crate::batch_affine::{self, Scratch, WPoint};
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

/// Cost of a bucket addition in affine `W` coordinates with its share of the round's inversion
/// (2 M + 1 S + 3 M, plus the inversion and the sorting, rounded up).
const BATCH_AFFINE_COST: usize = 7;
/// Cost per bucket and window of the affine path: two affine additions of the running sums, whose
/// inversions are shared by the windows only.
const BATCH_BUCKET_COST: usize = 2 * (6 + 2);
/// From this many Pippenger points (after the GLV split) on, buckets are summed in affine `W`
/// coordinates ([`batch_affine`]); below, the inversions per round do not pay.
const BATCH_AFFINE_MIN: usize = 96;

/// The window width minimizing the estimated cost (one mixed addition per point and window, two
/// full additions per bucket and window) of `points` points with scalars below `2^bits`, and
/// that cost.
#[allow(clippy::arithmetic_side_effects)]
fn best_width(points: usize, bits: usize) -> (usize, usize) {
    let (point_cost, bucket_cost) = if points >= BATCH_AFFINE_MIN {
        (BATCH_AFFINE_COST, BATCH_BUCKET_COST)
    } else {
        (MIXED_COST, 2 * FULL_COST)
    };
    let mut best = (2, usize::MAX);
    for c in 2..=16usize {
        let per_window = points * point_cost + (1usize << (c - 1)) * bucket_cost;
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
    match method(n) {
        Method::Glv(width) => msm_glv(points, scalars, width),
        Method::Plain(width) => msm_plain(points, scalars, width),
    }
}

/// The bucket method for more than [`STRAUS_MAX`] points, with its window width.
#[derive(Clone, Copy)]
enum Method {
    /// Over `±Pᵢ, ±ψ(Pᵢ)` with the GLV halves of the scalars.
    Glv(usize),
    /// Over the points as given.
    Plain(usize),
}

/// Chooses between [`Method::Glv`] and [`Method::Plain`] for `n` points by the cost model.
#[allow(clippy::arithmetic_side_effects)]
fn method(n: usize) -> Method {
    let (plain_width, plain_cost) = best_width(n, FR_BITS);
    let (glv_width, glv_cost) = best_width(2 * n, GLV_BITS);
    // GLV only where the model promises a clear gain: it doubles the memory the buckets are fed
    // from, which the count of multiplications does not see (at 16,000 points the estimated
    // gain is ~1 % and not measurable).
    if (glv_cost + n * ENDOMORPHISM_COST) * 100 < plain_cost * 97 {
        Method::Glv(glv_width)
    } else {
        Method::Plain(plain_width)
    }
}

/// [`msm`] for points in extended coordinates. Where the buckets are summed on `W`, the points go
/// there straight from projective coordinates (one batch inversion, no Edwards normalization);
/// otherwise they are normalized for [`msm`].
#[allow(clippy::arithmetic_side_effects)]
pub(crate) fn msm_elements(points: &[Element], scalars: &[Fr]) -> Element {
    let n = points.len().min(scalars.len());
    if n > STRAUS_MAX {
        let points = points.get(..n).unwrap_or_default();
        let scalars = scalars.get(..n).unwrap_or_default();
        match method(n) {
            Method::Glv(width) if 2 * n >= BATCH_AFFINE_MIN => {
                let (digits, negate) = glv_digits(scalars, width);
                let mut projective = Vec::with_capacity(2 * n);
                for p in points {
                    projective.push([p.x, p.y, p.z]);
                    projective.push(glv::endomorphism_projective(&[p.x, p.y, p.z]));
                }
                return pippenger_w(&projective, &negate, &digits, width);
            }
            Method::Plain(width) if n >= BATCH_AFFINE_MIN => {
                let digits = plain_digits(scalars, width);
                let projective: Vec<[Fq; 3]> = points.iter().map(|p| [p.x, p.y, p.z]).collect();
                return pippenger_w(&projective, &[], &digits, width);
            }
            _ => {}
        }
    }
    msm(&Element::batch_to_table_affine(points), scalars)
}

/// Pippenger with affine bucket sums ([`batch_affine`]) over projective Edwards points, negated
/// where `negate` says so.
fn pippenger_w(projective: &[[Fq; 3]], negate: &[bool], digits: &[i32], width: usize) -> Element {
    let mut points = batch_affine::batch_from_projective(projective);
    for (p, neg) in points.iter_mut().zip(negate) {
        if *neg {
            *p = p.neg();
        }
    }
    batch_affine::pippenger(&points, digits, width)
}

/// Window-major signed digits of full-length scalars.
#[allow(clippy::arithmetic_side_effects)]
fn plain_digits(scalars: &[Fr], width: usize) -> Vec<i32> {
    let n = scalars.len();
    let windows = windows_for(FR_BITS, width);
    let mut digits = vec![0i32; n * windows];
    let mut scalar_digits = vec![0i32; windows];
    for (i, scalar) in scalars.iter().enumerate() {
        signed_digits(&fr_limbs(scalar), width, &mut scalar_digits);
        scatter(&scalar_digits, &mut digits, i, n);
    }
    digits
}

/// Window-major signed digits of the GLV halves `|k₁ᵢ|, |k₂ᵢ|` (columns `2i`, `2i + 1`) and
/// whether each half is negative.
#[allow(clippy::arithmetic_side_effects)]
fn glv_digits(scalars: &[Fr], width: usize) -> (Vec<i32>, Vec<bool>) {
    let n = scalars.len();
    let windows = windows_for(GLV_BITS, width);
    let mut digits = vec![0i32; 2 * n * windows];
    let mut scalar_digits = vec![0i32; windows];
    let mut negate = Vec::with_capacity(2 * n);
    for (i, k) in scalars.iter().enumerate() {
        let (k1, k2) = glv::decompose(&fr_limbs(k));
        for (j, k) in [k1, k2].into_iter().enumerate() {
            negate.push(k < 0);
            let m = k.unsigned_abs();
            signed_digits(&[m as u64, (m >> 64) as u64, 0, 0], width, &mut scalar_digits);
            scatter(&scalar_digits, &mut digits, 2 * i + j, 2 * n);
        }
    }
    (digits, negate)
}

/// [`msm`] by Pippenger over the points as given, with full-length scalars.
#[allow(clippy::arithmetic_side_effects)]
fn msm_plain(points: &[Affine], scalars: &[Fr], width: usize) -> Element {
    let n = points.len().min(scalars.len());
    let points = points.get(..n).unwrap_or_default();
    let digits = plain_digits(scalars.get(..n).unwrap_or_default(), width);
    if n >= BATCH_AFFINE_MIN {
        let projective: Vec<[Fq; 3]> = points.iter().map(|p| [p.x, p.y, Fq::ONE]).collect();
        return pippenger_w(&projective, &[], &digits, width);
    }
    pippenger(points, &digits, width)
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
    let n = points.len().min(scalars.len());
    let points = points.get(..n).unwrap_or_default();
    let (digits, negate) = glv_digits(scalars.get(..n).unwrap_or_default(), width);
    if 2 * n >= BATCH_AFFINE_MIN {
        // Pᵢ and ψ(Pᵢ) straight to W with one batch inversion (no Edwards normalization of ψ).
        let mut projective = Vec::with_capacity(2 * n);
        for point in points {
            projective.push([point.x, point.y, Fq::ONE]);
            projective.push(glv::endomorphism(point));
        }
        return pippenger_w(&projective, &negate, &digits, width);
    }
    let projective: Vec<[Fq; 3]> = points.iter().map(glv::endomorphism).collect();
    let images = Affine::batch_from_projective(&projective);
    let mut all = Vec::with_capacity(2 * n);
    for (point, image) in points.iter().zip(&images) {
        all.push(*point);
        all.push(*image);
    }
    for (p, neg) in all.iter_mut().zip(&negate) {
        if *neg {
            *p = p.neg();
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
    /// `2^(8j)·Pᵢ` on the Weierstrass model (`WIDE_SHIFTS` per base), for the affine bucket sums
    /// of [`FixedBase::msm`] with many terms.
    wide: Vec<WPoint>,
    bases: usize,
}

/// Window width of the fixed-base MSM with many terms.
const WIDE_WIDTH: usize = 8;
/// Windows of that width per scalar (entries per base of `FixedBase::wide`).
const WIDE_SHIFTS: usize = SCALAR_BITS / WIDE_WIDTH;
/// From this many terms on, [`FixedBase::msm`] sums its buckets in affine `W` coordinates.
const FIXED_BATCH_MIN: usize = 64;

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
        let shifted = Element::batch_to_table_affine(&projective);
        let step = WIDE_WIDTH / SHIFT_BITS;
        let wide: Vec<[Fq; 3]> =
            shifted.iter().step_by(step).map(|p| [p.x, p.y, Fq::ONE]).collect();
        Self { shifted, wide: batch_affine::batch_from_projective(&wide), bases: bases.len() }
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
        // Few terms: 4-bit windows (8 buckets); more: 8-bit windows (128 buckets); many: the
        // same windows with affine bucket sums.
        let count = terms.clone().take(FIXED_BATCH_MIN).count();
        if count >= FIXED_BATCH_MIN {
            return self.msm_affine(terms);
        }
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

    /// [`FixedBase::msm`] with 8-bit windows and the buckets summed on `W`
    /// ([`batch_affine`]): every digit of every term goes to one of 128 buckets (the shifted
    /// copies make the windows share them).
    #[allow(clippy::arithmetic_side_effects)]
    fn msm_affine<'a>(&self, terms: impl Iterator<Item = (usize, &'a Fr)>) -> Element {
        const BUCKETS: usize = 1 << (WIDE_WIDTH - 1);
        let mut digits: Vec<i32> = Vec::new();
        let mut bases = Vec::new();
        for (base, scalar) in terms {
            if base >= self.bases {
                continue;
            }
            let start = digits.len();
            digits.resize(start + WIDE_SHIFTS, 0);
            if let Some(out) = digits.get_mut(start..) {
                signed_digits(&fr_limbs(scalar), WIDE_WIDTH, out);
            }
            bases.push(base);
        }
        let mut segments = vec![(0usize, 0usize); BUCKETS];
        let slots = digits.iter().filter(|&&d| d != 0).map(|&d| d.unsigned_abs() as usize - 1);
        let offset = batch_affine::lay_out(&mut segments, slots);
        let mut entries = vec![WPoint { u: Fq::ZERO, v: Fq::ZERO }; offset];
        for (row, base) in digits.chunks_exact(WIDE_SHIFTS).zip(&bases) {
            let table = self.wide.get(base * WIDE_SHIFTS..).unwrap_or_default();
            for (&d, point) in row.iter().zip(table) {
                if d == 0 {
                    continue;
                }
                if let Some(s) = segments.get_mut(d.unsigned_abs() as usize - 1)
                    && let Some(slot) = entries.get_mut(s.0 + s.1)
                {
                    *slot = if d > 0 { *point } else { point.neg() };
                    s.1 += 1;
                }
            }
        }
        batch_affine::reduce_buckets(&mut entries, &mut segments, &mut Scratch::default());
        batch_affine::sum_window(&entries, &segments)
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

    /// Points with repeats, negations, the identity and the `T₂` representative, and scalars with
    /// zeros, ones and repeats.
    fn special_inputs(n: usize, seed: u64) -> (Vec<Element>, Vec<Fr>) {
        let g = Element::generator();
        let t2 = Element { x: Fq::ZERO, y: -Fq::ONE, t: Fq::ZERO, z: Fq::ONE };
        let p = g.mul(&pseudo_random(seed));
        let specials = [Element::IDENTITY, t2, p, p, -p, p + t2, p.double(), -p.double()];
        let points: Vec<Element> = (0..n)
            .map(|i| match specials.get(i % 11) {
                Some(s) => *s,
                None => g.mul(&pseudo_random(seed + 1 + i as u64)),
            })
            .collect();
        let k = pseudo_random(seed + 7);
        let scalars: Vec<Fr> = (0..n)
            .map(|i| match i % 13 {
                0 => Fr::from(0u64),
                1 => Fr::from(1u64),
                2 | 3 => k,
                4 => -k,
                _ => pseudo_random(seed + 100_000 + i as u64),
            })
            .collect();
        (points, scalars)
    }

    #[test]
    fn affine_buckets_match_edwards_buckets() {
        for (n, seed) in [(1usize, 1u64), (2, 2), (49, 3), (300, 4), (1000, 5), (2000, 6)] {
            let (points, scalars) = special_inputs(n, seed * 1_000_000);
            let expected = naive(&points, &scalars);
            let affine = Element::batch_to_table_affine(&points);
            assert_eq!(msm(&affine, &scalars), expected, "n = {n}");
            // Projective inputs with Z ≠ 1.
            let scaled: Vec<Element> = points
                .iter()
                .zip(1u64..)
                .map(|(p, k)| {
                    let k = Fq::from(k + 1);
                    Element { x: p.x * k, y: p.y * k, t: p.t * k, z: p.z * k }
                })
                .collect();
            assert_eq!(msm_elements(&scaled, &scalars), expected, "n = {n}");
            // Both bucket methods at a few widths, with and without the GLV split.
            let w: Vec<WPoint> = batch_affine::batch_from_projective(
                &affine.iter().map(|p| [p.x, p.y, Fq::ONE]).collect::<Vec<_>>(),
            );
            for width in [2usize, 5, 8] {
                let digits = plain_digits(&scalars, width);
                assert_eq!(batch_affine::pippenger(&w, &digits, width), expected);
                assert_eq!(pippenger(&affine, &digits, width), expected);
                assert_eq!(msm_glv(&affine, &scalars, width), expected);
            }
            let table = FixedBase::new(&points);
            assert_eq!(table.msm(scalars.iter().enumerate()), expected);
            assert_eq!(table.msm_affine(scalars.iter().enumerate()), expected);
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
