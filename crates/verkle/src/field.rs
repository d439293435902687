//! Field helpers: canonical byte encodings of the base field `Fq` (= BLS12-381 scalar field) and
//! the banderwagon scalar field `Fr` (notes §2, §3, §7).

// Operators here are finite-field and curve arithmetic (arkworks `Fp`, `Element`), which cannot
// overflow; integer arithmetic is on loop bounds and table indices derived from constants.
#![allow(clippy::arithmetic_side_effects)]

use ark_ff::{BigInt, BigInteger, Field, PrimeField, Zero};

pub(crate) use ark_ed_on_bls12_381_bandersnatch::Fq;
pub use ark_ed_on_bls12_381_bandersnatch::Fr;

use crate::error::{Error, Result};
use crate::safegcd::{self, ModInfo};

const FQ_MOD: ModInfo = ModInfo::new(&Fq::MODULUS.0);
const FR_MOD: ModInfo = ModInfo::new(&Fr::MODULUS.0);
/// The value `R²` (internal form `R³`): turns a raw inverse of a Montgomery form back into one.
const FQ_R2: Fq = Fq::new(Fq::R2);
const FR_R2: Fr = Fr::new(Fr::R2);

/// Fast (safegcd) inversion; `None` for zero.
pub(crate) trait Invert: Field {
    fn invert(&self) -> Option<Self>;
}

impl Invert for Fq {
    #[inline]
    fn invert(&self) -> Option<Self> {
        if self.is_zero() {
            return None;
        }
        // internal(x) = xR; its integer inverse is x⁻¹R⁻¹, read as a Montgomery form that is the
        // value x⁻¹R⁻²; multiplying by R² gives x⁻¹.
        Some(Fq::new_unchecked(BigInt(safegcd::inverse(&self.0.0, &FQ_MOD))) * FQ_R2)
    }
}

impl Invert for Fr {
    #[inline]
    fn invert(&self) -> Option<Self> {
        if self.is_zero() {
            return None;
        }
        Some(Fr::new_unchecked(BigInt(safegcd::inverse(&self.0.0, &FR_MOD))) * FR_R2)
    }
}

/// Whether `x` is a non-zero square in `Fq` (safegcd Jacobi symbol; the Montgomery factor
/// `R = 2^256` is itself a square).
pub(crate) fn fq_is_square(x: &Fq) -> bool {
    if x.is_zero() {
        return false;
    }
    match safegcd::jacobi(&x.0.0, &FQ_MOD) {
        Some(j) => j == 1,
        None => x.legendre().is_qr(),
    }
}

/// Limbs of 32 little-endian bytes.
fn limbs_le(bytes: &[u8; 32]) -> [u64; 4] {
    let mut limbs = [0u64; 4];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(word);
    }
    limbs
}

fn bytes_le(limbs: &[u64; 4]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(limbs) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

/// `Fq` from 32 big-endian bytes; `None` when the value is not below p.
pub(crate) fn fq_from_be(bytes: &[u8; 32]) -> Option<Fq> {
    let mut le = *bytes;
    le.reverse();
    Fq::from_bigint(BigInt::new(limbs_le(&le)))
}

/// `Fq` as 32 big-endian bytes.
pub(crate) fn fq_to_be(x: &Fq) -> [u8; 32] {
    let mut out = bytes_le(&x.into_bigint().0);
    out.reverse();
    out
}

/// `Fq` from 32 little-endian bytes; `None` when the value is not below p.
pub(crate) fn fq_from_le(bytes: &[u8; 32]) -> Option<Fq> {
    Fq::from_bigint(BigInt::new(limbs_le(bytes)))
}

/// `Fq` as 32 little-endian bytes.
pub(crate) fn fq_to_le(x: &Fq) -> [u8; 32] {
    bytes_le(&x.into_bigint().0)
}

/// Whether `y` is "lexicographically largest": `y > (p − 1)/2` (notes §3).
pub(crate) fn is_largest(y: &Fq) -> bool {
    y.into_bigint() > Fq::MODULUS_MINUS_ONE_DIV_TWO
}

/// Reduces a base-field element modulo r (p < 5r, so a few subtractions).
pub(crate) fn fq_to_fr(x: &Fq) -> Fr {
    let mut value = x.into_bigint();
    while value >= Fr::MODULUS {
        let _borrow = value.sub_with_borrow(&Fr::MODULUS);
    }
    Fr::from_bigint(value).unwrap_or_default()
}

/// `Fr` from 32 little-endian bytes, rejecting values not below r.
pub fn fr_from_le(bytes: &[u8; 32]) -> Option<Fr> {
    Fr::from_bigint(BigInt::new(limbs_le(bytes)))
}

/// `Fr` from 32 little-endian bytes reduced modulo r (transcript challenges, notes §7).
pub(crate) fn fr_from_le_reduced(bytes: &[u8; 32]) -> Fr {
    Fr::from_le_bytes_mod_order(bytes)
}

/// `Fr` as 32 little-endian bytes.
pub fn fr_to_le(x: &Fr) -> [u8; 32] {
    bytes_le(&x.into_bigint().0)
}

/// `Fr` from a checked little-endian scalar, mapping failure to [`Error::ScalarNotCanonical`].
pub(crate) fn fr_canonical(bytes: &[u8; 32], what: &'static str) -> Result<Fr> {
    fr_from_le(bytes).ok_or(Error::ScalarNotCanonical { what })
}

/// `Fr` from up to 16 little-endian bytes (a 128-bit integer, always below r).
pub(crate) fn fr_from_u128_le(bytes: &[u8]) -> Fr {
    let mut word = [0u8; 32];
    for (dst, src) in word.iter_mut().zip(bytes.iter().take(16)) {
        *dst = *src;
    }
    Fr::from_bigint(BigInt::new(limbs_le(&word))).unwrap_or_default()
}

/// `Fr` from up to 31 little-endian bytes (a stem, always below r).
pub(crate) fn fr_from_stem(stem: &[u8; 31]) -> Fr {
    let mut word = [0u8; 32];
    for (dst, src) in word.iter_mut().zip(stem.iter()) {
        *dst = *src;
    }
    Fr::from_bigint(BigInt::new(limbs_le(&word))).unwrap_or_default()
}

/// The four little-endian limbs of a canonical scalar.
pub(crate) fn fr_limbs(x: &Fr) -> [u64; 4] {
    x.into_bigint().0
}

/// `2^128` in `Fr`, the marker added to the low half of a present leaf value (notes §6).
pub(crate) fn two_pow_128() -> Fr {
    Fr::from_bigint(BigInt::new([0, 0, 1, 0])).unwrap_or_default()
}

/// In-place batch inversion by Montgomery's trick with one fast inversion (zeros stay zero).
pub(crate) fn batch_invert<F: Invert>(values: &mut [F]) {
    let mut prefix = alloc::vec::Vec::with_capacity(values.len());
    let mut acc = F::ONE;
    for v in values.iter() {
        if !v.is_zero() {
            acc *= v;
        }
        prefix.push(acc);
    }
    let Some(mut inv) = acc.invert() else { return };
    for (i, v) in values.iter_mut().enumerate().rev() {
        if v.is_zero() {
            continue;
        }
        let before = match i.checked_sub(1) {
            Some(j) => prefix.get(j).copied().unwrap_or(F::ONE),
            None => F::ONE,
        };
        let next = inv * *v;
        *v = inv * before;
        inv = next;
    }
}

/// `Fr` from a small integer.
pub(crate) fn fr_u64(v: u64) -> Fr {
    Fr::from(v)
}
