//! Banderwagon: the quotient of the bandersnatch prime-order subgroup (plus the 2-torsion point)
//! by `(x, y) ~ (−x, −y)` — notes §2–§3, EIP-6800 "Banderwagon".
//!
//! Points are kept in extended twisted Edwards coordinates `(X : Y : T : Z)` with
//! `x = X/Z`, `y = Y/Z`, `T = X·Y/Z`, and added with the unified formulas for `a = −5`.

// Operators here are finite-field and curve arithmetic (arkworks `Fp`, `Element`), which cannot
// overflow; integer arithmetic is on loop bounds and table indices derived from constants.
#![allow(clippy::arithmetic_side_effects)]

use alloc::vec::Vec;
use core::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use ark_ec::twisted_edwards::TECurveConfig;
use ark_ed_on_bls12_381_bandersnatch::{BandersnatchConfig, TE_GENERATOR_X, TE_GENERATOR_Y};
use ark_ff::{AdditiveGroup, Field, Zero};

use crate::error::{Error, Result};
use crate::field::{
    Fq, Fr, Invert, batch_invert, fadd, fmul, fmul_call, fq_from_be, fq_from_le, fq_is_square,
    fq_to_be, fq_to_fr, fq_to_le, fsq_call, fsub, is_largest,
};

/// The twisted Edwards coefficient `d`.
const D: Fq = BandersnatchConfig::COEFF_D;

/// Multiplication by `a = −5`.
#[inline(always)]
fn mul_by_a(v: Fq) -> Fq {
    -(v.double().double() + v)
}

/// `5v` by additions.
#[inline(always)]
fn mul_by_5(v: &Fq) -> Fq {
    let v2 = fadd(v, v);
    fadd(v, &fadd(&v2, &v2))
}

/// `b − a·v = b + 5v` for the formulas.
#[inline(always)]
fn sub_mul_by_a(b: &Fq, v: &Fq) -> Fq {
    fadd(b, &mul_by_5(v))
}

/// A banderwagon group element.
///
/// Equality is the quotient equality `x1·y2 == x2·y1` (never raw coordinates), so `P` and
/// `P + T₂` compare equal and serialize identically.
#[derive(Clone, Copy, Debug)]
pub struct Element {
    pub(crate) x: Fq,
    pub(crate) y: Fq,
    pub(crate) t: Fq,
    pub(crate) z: Fq,
}

/// An affine point with `d·x·y` precomputed, the operand of the cheap mixed addition (table
/// entries and decoded commitments).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Affine {
    pub(crate) x: Fq,
    pub(crate) y: Fq,
    pub(crate) dxy: Fq,
}

impl Affine {
    pub(crate) const IDENTITY: Self = Self { x: Fq::ZERO, y: Fq::ONE, dxy: Fq::ZERO };

    pub(crate) fn new(x: Fq, y: Fq) -> Self {
        Self { x, y, dxy: fmul(&fmul(&D, &x), &y) }
    }

    pub(crate) fn neg(&self) -> Self {
        Self { x: -self.x, y: self.y, dxy: -self.dxy }
    }
}

impl PartialEq for Element {
    fn eq(&self, other: &Self) -> bool {
        self.x * other.y == other.x * self.y
    }
}

impl Eq for Element {}

impl Default for Element {
    fn default() -> Self {
        Self::IDENTITY
    }
}

impl Element {
    /// The identity (`x = 0`).
    pub const IDENTITY: Self = Self { x: Fq::ZERO, y: Fq::ONE, t: Fq::ZERO, z: Fq::ONE };

    /// The bandersnatch generator (the IPA point `Q`, notes §4).
    pub fn generator() -> Self {
        Self::from_affine(TE_GENERATOR_X, TE_GENERATOR_Y)
    }

    pub(crate) fn from_affine(x: Fq, y: Fq) -> Self {
        Self { x, y, t: x * y, z: Fq::ONE }
    }

    /// Whether this is the identity (`x == 0`).
    pub fn is_identity(&self) -> bool {
        self.x.is_zero()
    }

    /// Point doubling (dbl-2008-hwcd).
    #[must_use]
    pub fn double(&self) -> Self {
        let a = fsq_call(&self.x);
        let b = fsq_call(&self.y);
        let z2 = fsq_call(&self.z);
        let c = fadd(&z2, &z2);
        let d = mul_by_a(a);
        let e = fsub(&fsub(&fsq_call(&fadd(&self.x, &self.y)), &a), &b);
        let g = fadd(&d, &b);
        let f = fsub(&g, &c);
        let h = fsub(&d, &b);
        Self {
            x: fmul_call(&e, &f),
            y: fmul_call(&g, &h),
            t: fmul_call(&e, &h),
            z: fmul_call(&f, &g),
        }
    }

    /// Mixed addition with a precomputed affine point (madd-2008-hwcd with `d·x2·y2` cached).
    #[inline]
    pub(crate) fn add_affine(&self, q: &Affine) -> Self {
        let a = fmul_call(&self.x, &q.x);
        let b = fmul_call(&self.y, &q.y);
        let c = fmul_call(&self.t, &q.dxy);
        let d = self.z;
        let e = fsub(&fsub(&fmul_call(&fadd(&self.x, &self.y), &fadd(&q.x, &q.y)), &a), &b);
        let f = fsub(&d, &c);
        let g = fadd(&d, &c);
        let h = sub_mul_by_a(&b, &a);
        Self {
            x: fmul_call(&e, &f),
            y: fmul_call(&g, &h),
            t: fmul_call(&e, &h),
            z: fmul_call(&f, &g),
        }
    }

    #[inline]
    pub(crate) fn sub_affine(&self, q: &Affine) -> Self {
        self.add_affine(&q.neg())
    }

    /// Full addition: the dedicated law (add-2008-hwcd-2, 9 M, no multiplication by `d`),
    /// falling back to the unified law where it is undefined (`Z3 = 0`: equal points up to
    /// `T₂`, identities, `y1·y2 = −a·x1·x2`). Inside the banderwagon group (`x = 0` only for the
    /// identity and `T₂`) every other output is correct.
    fn add_full(&self, q: &Self) -> Self {
        let a = fmul_call(&self.x, &q.x);
        let b = fmul_call(&self.y, &q.y);
        let c = fmul_call(&self.z, &q.t);
        let d = fmul_call(&self.t, &q.z);
        let e = fadd(&d, &c);
        let f = fadd(&fsub(&fmul_call(&fsub(&self.x, &self.y), &fadd(&q.x, &q.y)), &a), &b);
        let g = fsub(&b, &mul_by_5(&a));
        let h = fsub(&d, &c);
        let z = fmul_call(&f, &g);
        if z.is_zero() {
            return self.add_unified(q);
        }
        Self { x: fmul_call(&e, &f), y: fmul_call(&g, &h), t: fmul_call(&e, &h), z }
    }

    /// The unified addition law (add-2008-hwcd, complete on the banderwagon group).
    fn add_unified(&self, q: &Self) -> Self {
        let a = fmul_call(&self.x, &q.x);
        let b = fmul_call(&self.y, &q.y);
        let c = fmul_call(&fmul_call(&D, &self.t), &q.t);
        let d = fmul_call(&self.z, &q.z);
        let e = fsub(&fsub(&fmul_call(&fadd(&self.x, &self.y), &fadd(&q.x, &q.y)), &a), &b);
        let f = fsub(&d, &c);
        let g = fadd(&d, &c);
        let h = sub_mul_by_a(&b, &a);
        Self {
            x: fmul_call(&e, &f),
            y: fmul_call(&g, &h),
            t: fmul_call(&e, &h),
            z: fmul_call(&f, &g),
        }
    }

    /// Scalar multiplication (4-bit fixed windows; variable time — all inputs are public).
    #[must_use]
    pub fn mul(&self, scalar: &Fr) -> Self {
        crate::msm::mul_one(self, scalar)
    }

    /// The affine coordinates `(x, y)`.
    pub(crate) fn to_affine(self) -> (Fq, Fq) {
        let zinv = self.z.invert().unwrap_or(Fq::ZERO);
        (self.x * zinv, self.y * zinv)
    }

    /// Compressed 32-byte serialization: the big-endian x of the representative whose y is
    /// lexicographically largest (notes §3).
    pub fn to_bytes(&self) -> [u8; 32] {
        let (x, y) = self.to_affine();
        encode_affine(x, y)
    }

    /// Decodes a compressed point from untrusted bytes with every check of notes §3: exact
    /// length, `x < p`, on the curve, the lexicographically largest `y`, and the subgroup check
    /// `legendre(1 − a·x²) = +1`. Thirty-two zero bytes decode to the identity.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let array: &[u8; 32] = bytes.try_into().map_err(|_| Error::WrongLength {
            what: "compressed point",
            expected: 32,
            got: bytes.len(),
        })?;
        let x = fq_from_be(array).ok_or(Error::PointNotCanonical)?;
        let y = y_from_x(&x)?;
        Ok(Self::from_affine(x, y))
    }

    /// Decodes many compressed points with the checks of [`Element::from_bytes`], sharing one
    /// inversion among them. Fails with the error of the first point that does not decode.
    pub fn batch_from_bytes(encoded: &[[u8; 32]]) -> Result<Vec<Self>> {
        let mut xs = Vec::with_capacity(encoded.len());
        let mut vs = Vec::with_capacity(encoded.len());
        // Points before the first non-canonical x are checked first, so the error is the one
        // decoding them one by one would give.
        let mut pending = None;
        for bytes in encoded {
            let Some(x) = fq_from_be(bytes) else {
                pending = Some(Error::PointNotCanonical);
                break;
            };
            vs.push(Fq::ONE - D * x.square());
            xs.push(x);
        }
        batch_invert(&mut vs);
        let points = xs
            .iter()
            .zip(&vs)
            .map(|(x, vinv)| Ok(Self::from_affine(*x, y_from_x_with(x, vinv)?)))
            .collect::<Result<Vec<_>>>()?;
        match pending {
            Some(error) => Err(error),
            None => Ok(points),
        }
    }

    /// Decodes the 64-byte arkworks uncompressed form (`x LE ‖ y LE`), requiring the point to be
    /// on the curve, in the subgroup, and to carry the lexicographically largest y.
    pub fn from_uncompressed_le(bytes: &[u8]) -> Result<Self> {
        let (x, y) = split_uncompressed(bytes)?;
        let x = fq_from_le(&x).ok_or(Error::PointNotCanonical)?;
        let y = fq_from_le(&y).ok_or(Error::PointNotCanonical)?;
        Self::from_checked_affine(x, y)
    }

    /// Decodes the 64-byte go-ipa uncompressed form (`x BE ‖ y BE`) with the same checks as
    /// [`Element::from_uncompressed_le`].
    pub fn from_uncompressed_be(bytes: &[u8]) -> Result<Self> {
        let (x, y) = split_uncompressed(bytes)?;
        let x = fq_from_be(&x).ok_or(Error::PointNotCanonical)?;
        let y = fq_from_be(&y).ok_or(Error::PointNotCanonical)?;
        Self::from_checked_affine(x, y)
    }

    /// Decodes a raw 64-byte arkworks affine point (`x LE ‖ y LE`) with either sign of the
    /// representative — the form rust-verkle's FFI passes between its own calls. Checks
    /// canonical coordinates, the curve equation and the subgroup, but not the y choice: use it
    /// only for such trusted internal values, never for proofs.
    pub fn from_raw_affine_le(bytes: &[u8]) -> Result<Self> {
        let (x, y) = split_uncompressed(bytes)?;
        let x = fq_from_le(&x).ok_or(Error::PointNotCanonical)?;
        let y = fq_from_le(&y).ok_or(Error::PointNotCanonical)?;
        let expected = y_from_x(&x)?;
        if expected != y && expected != -y {
            return Err(Error::PointNotOnCurve);
        }
        Ok(Self::from_affine(x, y))
    }

    fn from_checked_affine(x: Fq, y: Fq) -> Result<Self> {
        let expected = y_from_x(&x)?;
        if expected != y {
            // Either the other root (not canonical) or not on the curve at all.
            return if expected == -y {
                Err(Error::PointNotLargestY)
            } else {
                Err(Error::PointNotOnCurve)
            };
        }
        Ok(Self::from_affine(x, y))
    }

    /// The 64-byte arkworks uncompressed form (`x LE ‖ y LE`) of the canonical representative.
    pub fn to_uncompressed_le(&self) -> [u8; 64] {
        let (mut x, mut y) = self.to_affine();
        if !is_largest(&y) {
            x = -x;
            y = -y;
        }
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&fq_to_le(&x));
        out[32..].copy_from_slice(&fq_to_le(&y));
        out
    }

    /// `map_to_scalar_field` ("group_to_field"): `(x / y mod p) mod r` (notes §3). The identity
    /// maps to 0.
    pub fn map_to_scalar_field(&self) -> Fr {
        // x/y = X/Y in projective coordinates.
        let yinv = self.y.invert().unwrap_or(Fq::ZERO);
        fq_to_fr(&(self.x * yinv))
    }

    /// [`Element::map_to_scalar_field`] for many points with one batch inversion.
    pub fn batch_map_to_scalar_field(points: &[Self]) -> Vec<Fr> {
        let mut ys: Vec<Fq> = points.iter().map(|p| p.y).collect();
        batch_invert(&mut ys);
        points.iter().zip(ys).map(|(p, yinv)| fq_to_fr(&(p.x * yinv))).collect()
    }

    /// Compressed serializations of many points with one batch inversion.
    pub fn batch_to_bytes(points: &[Self]) -> Vec<[u8; 32]> {
        let mut zs: Vec<Fq> = points.iter().map(|p| p.z).collect();
        batch_invert(&mut zs);
        points.iter().zip(zs).map(|(p, zinv)| encode_affine(p.x * zinv, p.y * zinv)).collect()
    }

    /// Normalizes many points to precomputed affine form with one batch inversion.
    pub(crate) fn batch_to_table_affine(points: &[Self]) -> Vec<Affine> {
        let mut zs: Vec<Fq> = points.iter().map(|p| p.z).collect();
        batch_invert(&mut zs);
        points
            .iter()
            .zip(zs)
            .map(|(p, zinv)| Affine::new(fmul(&p.x, &zinv), fmul(&p.y, &zinv)))
            .collect()
    }
}

impl Affine {
    /// Normalizes projective `[X, Y, Z]` points (`Z ≠ 0`) with one batch inversion.
    pub(crate) fn batch_from_projective(points: &[[Fq; 3]]) -> Vec<Self> {
        let mut zs: Vec<Fq> = points.iter().map(|[_, _, z]| *z).collect();
        batch_invert(&mut zs);
        points
            .iter()
            .zip(zs)
            .map(|([x, y, _], zinv)| Self::new(fmul(x, &zinv), fmul(y, &zinv)))
            .collect()
    }
}

fn split_uncompressed(bytes: &[u8]) -> Result<([u8; 32], [u8; 32])> {
    let array: &[u8; 64] = bytes.try_into().map_err(|_| Error::WrongLength {
        what: "uncompressed point",
        expected: 64,
        got: bytes.len(),
    })?;
    let mut x = [0u8; 32];
    let mut y = [0u8; 32];
    x.copy_from_slice(&array[..32]);
    y.copy_from_slice(&array[32..]);
    Ok((x, y))
}

fn encode_affine(x: Fq, y: Fq) -> [u8; 32] {
    let x = if is_largest(&y) { x } else { -x };
    fq_to_be(&x)
}

/// The lexicographically largest y for x, with the on-curve and subgroup checks (notes §3).
///
/// `y² = u/v` with `u = 1 − a·x²`, `v = 1 − d·x²`: one table-based Tonelli–Shanks square root of
/// `u·v` (a square exactly when `u/v` is), `y = √(u·v)/v`, and the subgroup check
/// `legendre(u) = +1` by a safegcd Jacobi symbol.
fn y_from_x(x: &Fq) -> Result<Fq> {
    let v = Fq::ONE - D * x.square();
    let vinv = v.invert().ok_or(Error::PointNotOnCurve)?;
    y_from_x_with(x, &vinv)
}

/// [`y_from_x`] given `1/v` (zero when `v = 0`, which is then rejected).
fn y_from_x_with(x: &Fq, vinv: &Fq) -> Result<Fq> {
    if vinv.is_zero() {
        return Err(Error::PointNotOnCurve);
    }
    let x2 = x.square();
    let u = Fq::ONE - mul_by_a(x2);
    let v = Fq::ONE - D * x2;
    let s = crate::sqrt::sqrt(&(u * v)).ok_or(Error::PointNotOnCurve)?;
    if !fq_is_square(&u) {
        return Err(Error::PointNotInSubgroup);
    }
    let y = s * vinv;
    Ok(if is_largest(&y) { y } else { -y })
}

impl Add for Element {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        self.add_full(&rhs)
    }
}

impl AddAssign for Element {
    fn add_assign(&mut self, rhs: Self) {
        *self = self.add_full(&rhs);
    }
}

impl Sub for Element {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        self.add_full(&-rhs)
    }
}

impl SubAssign for Element {
    fn sub_assign(&mut self, rhs: Self) {
        *self = self.add_full(&-rhs);
    }
}

impl Neg for Element {
    type Output = Self;
    fn neg(self) -> Self {
        Self { x: -self.x, y: self.y, t: -self.t, z: self.z }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::fr_from_le_reduced;
    use sha2::{Digest, Sha256};

    fn scalar(i: u64) -> Fr {
        fr_from_le_reduced(&Sha256::digest(i.to_le_bytes()).into())
    }

    /// The same projective point (not only the same banderwagon class), with `T·Z = X·Y`.
    fn same_point(p: &Element, q: &Element) -> bool {
        p.x * q.z == q.x * p.z && p.y * q.z == q.y * p.z && p.t * p.z == p.x * p.y
    }

    /// `p` with its coordinates scaled by `k`.
    fn scaled(p: &Element, k: u64) -> Element {
        let k = Fq::from(k);
        Element { x: p.x * k, y: p.y * k, t: p.t * k, z: p.z * k }
    }

    #[test]
    fn dedicated_addition_matches_unified() {
        let g = Element::generator();
        let t2 = Element { x: Fq::ZERO, y: -Fq::ONE, t: Fq::ZERO, z: Fq::ONE };
        let mut points = vec![Element::IDENTITY, t2, g, -g, g + t2, g.double()];
        for i in 0..40 {
            points.push(scaled(&g.mul(&scalar(i)), i + 2));
        }
        for p in &points {
            for q in &points {
                let expected = p.add_unified(q);
                assert!(same_point(&p.add_full(q), &expected));
                assert!(same_point(&(*p + *q), &expected));
            }
            assert!(same_point(&p.add_full(p), &p.double()));
        }
    }
}
