//! Pippenger buckets summed in affine coordinates of a Weierstrass model of bandersnatch, with
//! one shared inversion per round (Montgomery's trick).
//!
//! On the twisted Edwards curve an affine addition costs more than the 8 M mixed extended one;
//! on the birationally equivalent curve
//!
//! `W: V² = U³ + A₂·U² + A₄·U`, `A₂ = (a + d)/2`, `A₄ = c²`, `c = (a − d)/4`
//!
//! (the Montgomery model `B·v² = u³ + A·u² + u`, `A = 2(a + d)/(a − d)`, `B = 4/(a − d)`, scaled
//! by `U = u/B`, `V = v/B`) a chord addition is `λ = (V₂ − V₁)/(U₂ − U₁)`,
//! `U₃ = λ² − A₂ − U₁ − U₂`, `V₃ = λ·(U₁ − U₃) − V₁`: 2 M + 1 S, plus 3 M for the share of a
//! batch inversion. The maps are
//!
//! - Edwards → W: `U = c·(1 + y)/(1 − y)`, `V = U/x`; the points with `x = 0` (the identity and
//!   `T₂ = (0, −1)`, both the banderwagon identity) go to `(0, 0)`, which is the image of `T₂`
//!   (an exact representative of the same banderwagon class);
//! - W → Edwards: `x = U/V`, `y = (U − c)/(U + c)`; `(0, 0)` and "empty" give the identity.
//!
//! Bucket sums are then a tree reduction: every round adds the entries of every bucket in pairs,
//! with one inversion for all the pairs of the round, until each bucket holds at most one point.
//! There is no dependency between the pairs of a round, so no bucket conflicts to schedule.
//!
//! Banderwagon elements live in `{P, P + T₂ : P of order r}`, whose only 2-torsion point is `T₂`;
//! on `W` that is `(0, 0)`, so `U + c ≠ 0` (an Edwards point at infinity) never occurs.

// Operators here are finite-field arithmetic (arkworks `Fp`), which cannot overflow; integer
// arithmetic is on offsets into buffers whose lengths bound them.
#![allow(clippy::arithmetic_side_effects)]

use alloc::vec;
use alloc::vec::Vec;

use ark_ff::{AdditiveGroup, Field, MontFp, Zero};

use crate::field::{Fq, Invert, batch_invert, fadd, fmul, fsq, fsub};
use crate::point::Element;

/// `c = (a − d)/4`.
pub(crate) const C: Fq =
    MontFp!("41180284393978236561320365279764246793818536543197771097409483252169927600582");
/// `A₂ = (a + d)/2`.
pub(crate) const A2: Fq =
    MontFp!("22511181562295907836254750456843438087744031914659733450388350895537307167857");
/// `A₄ = c²`.
pub(crate) const A4: Fq =
    MontFp!("35484827650731063748396669747216844996598387089274032563585525486049249153249");

/// A finite point of `W`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct WPoint {
    pub(crate) u: Fq,
    pub(crate) v: Fq,
}

impl WPoint {
    /// `−P`.
    #[inline(always)]
    pub(crate) fn neg(&self) -> Self {
        Self { u: self.u, v: -self.v }
    }

    /// The banderwagon element of this point (4 M, no inversion).
    pub(crate) fn to_element(self) -> Element {
        if self.v.is_zero() {
            return Element::IDENTITY;
        }
        let n = fsub(&self.u, &C);
        let m = fadd(&self.u, &C);
        Element {
            x: fmul(&self.u, &m),
            y: fmul(&n, &self.v),
            t: fmul(&self.u, &n),
            z: fmul(&self.v, &m),
        }
    }
}

/// Maps projective Edwards points `[X, Y, Z]` (`Z ≠ 0`) to `W` with one batch inversion
/// (`U = c·(Z + Y)/(Z − Y)`, `V = U·Z/X`; 5 M + 3 M for the inversion share).
pub(crate) fn batch_from_projective(points: &[[Fq; 3]]) -> Vec<WPoint> {
    // X = 0 exactly when Z = Y or Z = −Y (x = 0 ⇔ y = ±1 on the curve): the denominator is then
    // zero, stays zero through the batch inversion, and the point comes out as (0, 0).
    let mut dens: Vec<Fq> = points.iter().map(|[x, y, z]| fmul(&fsub(z, y), x)).collect();
    batch_invert(&mut dens);
    points
        .iter()
        .zip(&dens)
        .map(|([x, y, z], inv)| {
            let q = fmul(&fmul(&C, &fadd(z, y)), inv);
            WPoint { u: fmul(&q, x), v: fmul(&q, z) }
        })
        .collect()
}

/// The slope of the line through `p` and `q` (the tangent when equal) given the inverse of
/// [`denominator`]`(p, q)`; `None` when `p + q` is the point at infinity.
#[inline(always)]
fn add_with_inverse(p: &WPoint, q: &WPoint, inv: &Fq) -> Option<WPoint> {
    let lambda = if p.u != q.u {
        fmul(&fsub(&q.v, &p.v), inv)
    } else if p.v == q.v && !p.v.is_zero() {
        // Doubling: λ = (3U² + 2A₂U + A₄)/(2V).
        let u2 = fsq(&p.u);
        let a2u = fmul(&A2, &p.u);
        let num = fadd(&fadd(&fadd(&u2, &u2), &u2), &fadd(&fadd(&a2u, &a2u), &A4));
        fmul(&num, inv)
    } else {
        return None;
    };
    let u = fsub(&fsub(&fsub(&fsq(&lambda), &A2), &p.u), &q.u);
    let v = fsub(&fmul(&lambda, &fsub(&p.u, &u)), &p.v);
    Some(WPoint { u, v })
}

/// The denominator of the slope for `p + q` (zero when the sum is the point at infinity, where
/// [`add_with_inverse`] does not use it).
#[inline(always)]
fn denominator(p: &WPoint, q: &WPoint) -> Fq {
    if p.u != q.u { fsub(&q.u, &p.u) } else { p.v.double() }
}

/// Inverts every value of `dens` in place by Montgomery's trick (prefix products, one inversion,
/// then the inverses from the last to the first: 3 M each). A zero (a sum at infinity, whose
/// inverse is not used) is treated as one.
fn invert_all(dens: &mut [Fq], prefix: &mut Vec<Fq>) {
    if dens.is_empty() {
        return;
    }
    prefix.clear();
    let mut acc = Fq::ONE;
    for den in dens.iter_mut() {
        if den.is_zero() {
            *den = Fq::ONE;
        }
        acc = fmul(&acc, den);
        prefix.push(acc);
    }
    let mut inv = acc.invert().unwrap_or_default();
    let mut before = prefix.iter().rev().skip(1);
    for den in dens.iter_mut().rev() {
        let earlier = before.next().copied().unwrap_or(Fq::ONE);
        let next = fmul(&inv, den);
        *den = fmul(&inv, &earlier);
        inv = next;
    }
}

/// One step of the running sums of all windows: `totals[w] += running[w]` and then
/// `running[w] += column[w]` (`None` is the point at infinity), with one shared inversion (both
/// additions read the old `running`).
fn running_step(
    totals: &mut [Option<WPoint>],
    running: &mut [Option<WPoint>],
    column: &[Option<WPoint>],
    scratch: &mut Scratch,
) {
    let Scratch { dens, prefix } = scratch;
    dens.clear();
    for (a, x) in totals.iter().zip(running.iter()).chain(running.iter().zip(column)) {
        if let (Some(p), Some(q)) = (a, x) {
            dens.push(denominator(p, q));
        }
    }
    invert_all(dens, prefix);
    let mut inverses = dens.iter();
    add_into(totals, running, &mut inverses);
    add_into(running, column, &mut inverses);
}

/// `acc[w] += addends[w]` given the inverses of the denominators of the finite pairs, in order.
fn add_into<'a>(
    acc: &mut [Option<WPoint>],
    addends: &[Option<WPoint>],
    inverses: &mut impl Iterator<Item = &'a Fq>,
) {
    for (a, x) in acc.iter_mut().zip(addends) {
        match (*a, x) {
            (_, None) => {}
            (None, Some(q)) => *a = Some(*q),
            (Some(p), Some(q)) => {
                let inv = inverses.next().copied().unwrap_or_default();
                *a = add_with_inverse(&p, q, &inv);
            }
        }
    }
}

/// Sums the entries of every bucket in place: bucket `b` holds
/// `entries[segments[b].0 .. segments[b].0 + segments[b].1]`; afterwards its length is 0 (the
/// point at infinity) or 1 (the sum, at the segment start).
pub(crate) fn reduce_buckets(
    entries: &mut [WPoint],
    segments: &mut [(usize, usize)],
    scratch: &mut Scratch,
) {
    let Scratch { dens, prefix } = scratch;
    loop {
        dens.clear();
        for &(start, len) in segments.iter() {
            let Some(bucket) = entries.get(start..start + len) else { continue };
            for pair in bucket.chunks_exact(2) {
                if let [p, q] = pair {
                    dens.push(denominator(p, q));
                }
            }
        }
        if dens.is_empty() {
            return;
        }
        invert_all(dens, prefix);
        let mut inverses = dens.iter();
        for segment in segments.iter_mut() {
            let (start, len) = *segment;
            let Some(bucket) = entries.get_mut(start..start + len) else { continue };
            // Results go to the front of the bucket; slot `written` is never ahead of the pair
            // being read (`written ≤ k/2`), so nothing unread is overwritten.
            let mut written = 0;
            let mut k = 0;
            while k + 1 < len {
                let (Some(p), Some(q)) = (bucket.get(k).copied(), bucket.get(k + 1).copied())
                else {
                    break;
                };
                let inv = inverses.next().copied().unwrap_or_default();
                if let Some(sum) = add_with_inverse(&p, &q, &inv)
                    && let Some(slot) = bucket.get_mut(written)
                {
                    *slot = sum;
                    written += 1;
                }
                k += 2;
            }
            if k < len
                && let Some(last) = bucket.get(k).copied()
                && let Some(slot) = bucket.get_mut(written)
            {
                *slot = last;
                written += 1;
            }
            segment.1 = written;
        }
    }
}

/// Reusable buffers of [`reduce_buckets`].
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    dens: Vec<Fq>,
    prefix: Vec<Fq>,
}

/// Entries per reduction: windows are grouped so that one round's inversion serves this many
/// pending points (fewer inversions for small MSMs, a bounded working set for large ones).
const GROUP_ENTRIES: usize = 8192;

/// Signed-digit Pippenger with affine bucket sums on `W`: `digits[j·n + i]` is digit `j` of the
/// scalar of `points[i]`, most significant window last (as `msm::pippenger`).
pub(crate) fn pippenger(points: &[WPoint], digits: &[i32], width: usize) -> Element {
    let n = points.len();
    if n == 0 {
        return Element::IDENTITY;
    }
    let buckets = 1usize << (width - 1);
    let windows = digits.len() / n;
    let group = (GROUP_ENTRIES / n).clamp(1, windows.max(1));
    let mut entries = Vec::with_capacity(n * group);
    let mut segments = vec![(0usize, 0usize); buckets * group];
    let mut scratch = Scratch::default();
    let rows: Vec<&[i32]> = digits.chunks_exact(n).collect();
    // The reduced buckets of every window, bucket-major (`sums[b·windows + w]`).
    let mut sums: Vec<Option<WPoint>> = vec![None; buckets * windows];
    let mut bottom = 0;
    while bottom < rows.len() {
        let top = (bottom + group).min(rows.len());
        let group_rows = rows.get(bottom..top).unwrap_or_default();
        fill(points, group_rows, buckets, &mut entries, &mut segments);
        reduce_buckets(&mut entries, &mut segments, &mut scratch);
        for (g, window) in segments.chunks_exact(buckets).take(top - bottom).enumerate() {
            for (b, &(start, len)) in window.iter().enumerate() {
                if let Some(slot) = sums.get_mut(b * windows + bottom + g) {
                    *slot = if len == 1 { entries.get(start).copied() } else { None };
                }
            }
        }
        bottom = top;
    }
    // Running sums of all windows in lockstep, from the top bucket down: each step is two affine
    // additions per window with one inversion shared by all of them.
    let mut running: Vec<Option<WPoint>> = vec![None; windows];
    let mut totals: Vec<Option<WPoint>> = vec![None; windows];
    for column in sums.chunks_exact(windows).rev() {
        running_step(&mut totals, &mut running, column, &mut scratch);
    }
    let empty = vec![None; windows];
    running_step(&mut totals, &mut running, &empty, &mut scratch);
    let mut acc = Element::IDENTITY;
    for (j, total) in totals.iter().enumerate().rev() {
        if j + 1 < windows {
            for _ in 0..width {
                acc = acc.double();
            }
        }
        if let Some(t) = total {
            acc += t.to_element();
        }
    }
    acc
}

/// The first pass of a counting sort: sizes the bucket `segments` from the bucket index of every
/// entry (`slots`), then turns them into `(start, 0)` ranges laid out back to back. Returns the
/// total number of entries.
#[allow(clippy::arithmetic_side_effects)]
pub(crate) fn lay_out(
    segments: &mut [(usize, usize)],
    slots: impl Iterator<Item = usize>,
) -> usize {
    segments.iter_mut().for_each(|s| *s = (0, 0));
    for slot in slots {
        if let Some(s) = segments.get_mut(slot) {
            s.1 += 1;
        }
    }
    let mut offset = 0;
    for s in segments.iter_mut() {
        s.0 = offset;
        offset += s.1;
        s.1 = 0;
    }
    offset
}

/// Counting sort of the group's (bucket, ±point) pairs into `entries`, bucket by bucket;
/// `segments[g·buckets + b]` is the range of bucket `b` of window `g` of the group.
fn fill(
    points: &[WPoint],
    rows: &[&[i32]],
    buckets: usize,
    entries: &mut Vec<WPoint>,
    segments: &mut [(usize, usize)],
) {
    let slots = rows.iter().enumerate().flat_map(|(g, row)| {
        row.iter().filter(|&&d| d != 0).map(move |&d| g * buckets + d.unsigned_abs() as usize - 1)
    });
    let offset = lay_out(segments, slots);
    entries.clear();
    entries.resize(offset, WPoint { u: Fq::ZERO, v: Fq::ZERO });
    for (g, row) in rows.iter().enumerate() {
        for (&d, point) in row.iter().zip(points) {
            if d == 0 {
                continue;
            }
            if let Some(s) = segments.get_mut(g * buckets + d.unsigned_abs() as usize - 1)
                && let Some(slot) = entries.get_mut(s.0 + s.1)
            {
                *slot = if d > 0 { *point } else { point.neg() };
                s.1 += 1;
            }
        }
    }
}

/// `Σ (b+1)·bucket[b]` of one window's reduced buckets with the running-sum trick.
pub(crate) fn sum_window(entries: &[WPoint], segments: &[(usize, usize)]) -> Element {
    let mut running = Element::IDENTITY;
    let mut total = Element::IDENTITY;
    let mut started = false;
    for &(start, len) in segments.iter().rev() {
        let bucket = match entries.get(start) {
            Some(p) if len == 1 => Some(p.to_element()),
            _ => None,
        };
        if started {
            if let Some(b) = bucket {
                running += b;
            }
            total += running;
        } else if let Some(b) = bucket {
            running = b;
            total = b;
            started = true;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::fr_from_le_reduced;
    use crate::point::Affine;
    use ark_ec::twisted_edwards::TECurveConfig;
    use ark_ed_on_bls12_381_bandersnatch::BandersnatchConfig;
    use sha2::{Digest, Sha256};

    fn to_w(p: &Element) -> WPoint {
        batch_from_projective(&[[p.x, p.y, p.z]])[0]
    }

    fn random_point(i: u64) -> Element {
        Element::generator().mul(&fr_from_le_reduced(&Sha256::digest(i.to_le_bytes()).into()))
    }

    fn on_curve(p: &WPoint) -> bool {
        p.v.square() == p.u * (p.u.square() + A2 * p.u + A4)
    }

    #[test]
    fn constants() {
        let a = BandersnatchConfig::COEFF_A;
        let d = BandersnatchConfig::COEFF_D;
        assert_eq!(C * Fq::from(4u64), a - d);
        assert_eq!(A2.double(), a + d);
        assert_eq!(A4, C * C);
    }

    #[test]
    fn maps_round_trip_and_respect_addition() {
        let t2 = Element { x: Fq::ZERO, y: -Fq::ONE, t: Fq::ZERO, z: Fq::ONE };
        for i in 0..50u64 {
            let p = random_point(i);
            let q = random_point(i + 1000);
            // Scaled projective inputs and the T₂ translate map to points of W and back.
            let k = Fq::from(i + 3);
            let scaled = Element { x: p.x * k, y: p.y * k, t: p.t * k, z: p.z * k };
            for e in [p, scaled, p + t2, -p] {
                let w = to_w(&e);
                assert!(on_curve(&w));
                assert!(same_projective(&w.to_element(), &e));
            }
            let (wp, wq) = (to_w(&p), to_w(&q));
            let sum = add_with_inverse(&wp, &wq, &denominator(&wp, &wq).inverse().unwrap());
            assert_eq!(sum.unwrap().to_element(), p + q);
            let dbl = add_with_inverse(&wp, &wp, &denominator(&wp, &wp).inverse().unwrap());
            assert_eq!(dbl.unwrap().to_element(), p.double());
            assert!(add_with_inverse(&wp, &wp.neg(), &Fq::ZERO).is_none());
            assert_eq!(to_w(&(-p)), wp.neg());
        }
        for e in [Element::IDENTITY, t2] {
            let w = to_w(&e);
            assert_eq!(w, WPoint { u: Fq::ZERO, v: Fq::ZERO });
            assert!(w.to_element().is_identity());
            // (0, 0) doubles to the point at infinity.
            assert!(add_with_inverse(&w, &w, &Fq::ZERO).is_none());
        }
        let (x, y) = random_point(7).to_affine();
        let affine = Affine::new(x, y);
        assert!(on_curve(&batch_from_projective(&[[affine.x, affine.y, Fq::ONE]])[0]));
    }

    /// The same Edwards point (not only the same banderwagon class), with `T·Z = X·Y`.
    fn same_projective(p: &Element, q: &Element) -> bool {
        p.x * q.z == q.x * p.z && p.y * q.z == q.y * p.z && p.t * p.z == p.x * p.y
    }

    #[test]
    fn reduction_handles_repeats_negations_and_torsion() {
        let p = to_w(&random_point(1));
        let q = to_w(&random_point(2));
        let t2 = WPoint { u: Fq::ZERO, v: Fq::ZERO };
        let cases: Vec<Vec<WPoint>> = vec![
            vec![p],
            vec![p, p],
            vec![p, p.neg()],
            vec![p, q, p.neg(), q.neg()],
            vec![p, p, p, p, p],
            vec![t2, t2],
            vec![t2, p, t2],
            vec![p, q, q, q, p.neg(), t2, p, q.neg(), p],
        ];
        let mut entries = Vec::new();
        let mut segments = Vec::new();
        let mut expected = Vec::new();
        for case in &cases {
            segments.push((entries.len(), case.len()));
            entries.extend_from_slice(case);
            let mut sum = Element::IDENTITY;
            for w in case {
                sum += w.to_element();
            }
            expected.push(sum);
        }
        segments.push((entries.len(), 0));
        expected.push(Element::IDENTITY);
        reduce_buckets(&mut entries, &mut segments, &mut Scratch::default());
        for ((start, len), want) in segments.iter().zip(&expected) {
            assert!(*len <= 1);
            let got = if *len == 1 { entries[*start].to_element() } else { Element::IDENTITY };
            assert_eq!(got, *want);
        }
    }
}
