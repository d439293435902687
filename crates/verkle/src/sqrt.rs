//! Square roots in the base field `Fq` (p − 1 = 2^32·q, q odd) by Tonelli–Shanks with
//! precomputed tables of roots of unity (the go-ipa `fp/sqrt.go` idea, written afresh): one
//! exponentiation `a^((q−1)/2)`, 24 squarings, a few table lookups and at most 10
//! multiplications. Whether `a` is a square falls out of the same computation.
//!
//! The tables (32 KB of `g^{−j·2^{8i}}` and the 256 256th roots of unity) are computed at
//! compile time by `const fn` Montgomery arithmetic, so nothing is built at run time.

// Operators here are finite-field arithmetic (arkworks `Fp`); integer arithmetic is on table
// indices below 256 and on exponent bit positions below 256.
#![allow(clippy::arithmetic_side_effects, clippy::indexing_slicing)]

use ark_ff::{AdditiveGroup, BigInt, FftField, Field, PrimeField, Zero};

use crate::field::{Fq, fmul, fsq};

type Limbs = [u64; 4];

const P: Limbs = Fq::MODULUS.0;
const INV: u64 = Fq::INV;

/// Montgomery multiplication of internal representations (CIOS), usable in `const` context.
const fn mont_mul(a: &Limbs, b: &Limbs) -> Limbs {
    let mut t = [0u64; 6];
    let mut i = 0;
    while i < 4 {
        let mut carry: u128 = 0;
        let mut j = 0;
        while j < 4 {
            let s = t[j] as u128 + (a[j] as u128) * (b[i] as u128) + carry;
            t[j] = s as u64;
            carry = s >> 64;
            j += 1;
        }
        let s = t[4] as u128 + carry;
        t[4] = s as u64;
        t[5] = (s >> 64) as u64;
        let m = t[0].wrapping_mul(INV);
        let s = t[0] as u128 + (m as u128) * (P[0] as u128);
        let mut carry = s >> 64;
        let mut j = 1;
        while j < 4 {
            let s = t[j] as u128 + (m as u128) * (P[j] as u128) + carry;
            t[j - 1] = s as u64;
            carry = s >> 64;
            j += 1;
        }
        let s = t[4] as u128 + carry;
        t[3] = s as u64;
        t[4] = t[5] + ((s >> 64) as u64);
        i += 1;
    }
    let mut r = [t[0], t[1], t[2], t[3]];
    if t[4] != 0 || !lt(&r, &P) {
        let mut borrow = 0u64;
        let mut k = 0;
        while k < 4 {
            let (d1, b1) = r[k].overflowing_sub(P[k]);
            let (d2, b2) = d1.overflowing_sub(borrow);
            r[k] = d2;
            borrow = (b1 | b2) as u64;
            k += 1;
        }
    }
    r
}

const fn lt(a: &Limbs, b: &Limbs) -> bool {
    let mut k = 4;
    while k > 0 {
        k -= 1;
        if a[k] != b[k] {
            return a[k] < b[k];
        }
    }
    false
}

const ONE: Limbs = Fq::ONE.0.0;
const ROOT: Limbs = <Fq as FftField>::TWO_ADIC_ROOT_OF_UNITY.0.0;

/// `(q − 1) / 2` with `q = (p − 1) / 2^32`: `(p − 1) >> 33`.
const EXPONENT: Limbs = {
    let pm1 = [P[0] - 1, P[1], P[2], P[3]];
    [
        pm1[0] >> 33 | pm1[1] << 31,
        pm1[1] >> 33 | pm1[2] << 31,
        pm1[2] >> 33 | pm1[3] << 31,
        pm1[3] >> 33,
    ]
};

struct Tables {
    /// `neg[i][j] = g^{−j·2^{8i}}` (internal representation).
    neg: [[Limbs; 256]; 4],
    /// The 256th roots of unity `ζ^j` (`ζ = g^{2^24}`), sorted by their lowest internal limb,
    /// with `j`.
    roots: [(Limbs, u8); 256],
}

const fn square_n(mut x: Limbs, n: u32) -> Limbs {
    let mut k = 0;
    while k < n {
        x = mont_mul(&x, &x);
        k += 1;
    }
    x
}

const fn build() -> Tables {
    // g^{-1} = g^{2^32 − 1} = Π_{k<32} g^{2^k}.
    let mut ginv = ONE;
    let mut power = ROOT;
    let mut k = 0;
    while k < 32 {
        ginv = mont_mul(&ginv, &power);
        power = mont_mul(&power, &power);
        k += 1;
    }
    let mut neg = [[ONE; 256]; 4];
    let mut i = 0;
    while i < 4 {
        let base = square_n(ginv, 8 * i as u32);
        let mut j = 1;
        while j < 256 {
            neg[i][j] = mont_mul(&neg[i][j - 1], &base);
            j += 1;
        }
        i += 1;
    }
    let zeta = square_n(ROOT, 24);
    let mut roots = [(ONE, 0u8); 256];
    let mut j = 1;
    while j < 256 {
        roots[j] = (mont_mul(&roots[j - 1].0, &zeta), j as u8);
        j += 1;
    }
    // Insertion sort by the lowest limb.
    let mut a = 1;
    while a < 256 {
        let mut b = a;
        while b > 0 && roots[b - 1].0[0] > roots[b].0[0] {
            let tmp = roots[b - 1];
            roots[b - 1] = roots[b];
            roots[b] = tmp;
            b -= 1;
        }
        a += 1;
    }
    Tables { neg, roots }
}

static TABLES: Tables = build();

#[inline]
fn fq(limbs: &Limbs) -> Fq {
    Fq::new_unchecked(BigInt(*limbs))
}

/// `j` with `ζ^j = x`, for `x` a 256th root of unity.
fn dlog256(x: &Fq) -> Option<u32> {
    let key = x.0.0[0];
    let roots = &TABLES.roots;
    let pos = roots.partition_point(|(r, _)| r[0] < key);
    let (r, j) = roots.get(pos)?;
    (r == &x.0.0).then_some(u32::from(*j))
}

/// `g^{−e}` for `e < 2^32`.
fn neg_pow(e: u32) -> Fq {
    let t = &TABLES.neg;
    let b = e.to_le_bytes();
    fq(&t[0][usize::from(b[0])])
        * fq(&t[1][usize::from(b[1])])
        * fq(&t[2][usize::from(b[2])])
        * fq(&t[3][usize::from(b[3])])
}

/// `a^EXPONENT` by a 5-bit sliding window.
fn pow_exponent(a: &Fq) -> Fq {
    // Odd powers a, a^3, …, a^31.
    let a2 = fsq(a);
    let mut odd = [*a; 16];
    for k in 1..16 {
        odd[k] = fmul(&odd[k - 1], &a2);
    }
    let bit = |i: usize| (EXPONENT[i / 64] >> (i % 64)) & 1 == 1;
    let mut acc = Fq::ONE;
    let mut started = false;
    let mut i = 256usize;
    while i > 0 {
        let top = i - 1;
        if !bit(top) {
            if started {
                acc = fsq(&acc);
            }
            i -= 1;
            continue;
        }
        // A window [low, top] of at most 5 bits ending in a set bit.
        let mut low = top.saturating_sub(4);
        while !bit(low) {
            low += 1;
        }
        let mut value = 0usize;
        for b in (low..=top).rev() {
            value = (value << 1) | usize::from(bit(b));
            if started {
                acc = fsq(&acc);
            }
        }
        acc = if started { fmul(&acc, &odd[value >> 1]) } else { odd[value >> 1] };
        started = true;
        i = low;
    }
    acc
}

/// The square root of `a` (one of the two), or `None` when `a` is not a square.
pub(crate) fn sqrt(a: &Fq) -> Option<Fq> {
    if a.is_zero() {
        return Some(Fq::ZERO);
    }
    let w = pow_exponent(a);
    let x = fmul(a, &w); // a^((q+1)/2)
    let b = fmul(&x, &w); // a^q, in the 2^32 roots of unity: b = g^k
    let b1 = {
        let mut t = b;
        for _ in 0..8 {
            t = fsq(&t);
        }
        t
    };
    let b2 = {
        let mut t = b1;
        for _ in 0..8 {
            t = fsq(&t);
        }
        t
    };
    let b3 = {
        let mut t = b2;
        for _ in 0..8 {
            t = fsq(&t);
        }
        t
    };
    let t = &TABLES.neg;
    // k = k0 + 2^8·k1 + 2^16·k2 + 2^24·k3, digit by digit from the bottom.
    let k0 = dlog256(&b3)?;
    if k0 & 1 == 1 {
        return None; // a is not a square
    }
    let k1 = dlog256(&(b2 * fq(&t[2][k0 as usize])))?;
    let k2 = dlog256(&(b1 * fq(&t[1][k0 as usize]) * fq(&t[2][k1 as usize])))?;
    let k3 =
        dlog256(&(b * fq(&t[0][k0 as usize]) * fq(&t[1][k1 as usize]) * fq(&t[2][k2 as usize])))?;
    let k = k0 | k1 << 8 | k2 << 16 | k3 << 24;
    Some(x * neg_pow(k >> 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    pub(crate) fn pseudo_random(i: u64) -> Fq {
        let h: [u8; 32] = Sha256::digest(i.to_le_bytes()).into();
        Fq::from_le_bytes_mod_order(&h)
    }

    #[test]
    fn tables_are_consistent() {
        let g = <Fq as FftField>::TWO_ADIC_ROOT_OF_UNITY;
        assert_eq!(<Fq as FftField>::TWO_ADICITY, 32);
        assert_eq!(fq(&TABLES.neg[0][1]) * g, Fq::ONE);
        assert_eq!(fq(&mont_mul(&ONE, &ROOT)), g);
        for w in TABLES.roots.windows(2) {
            assert!(w[0].0[0] < w[1].0[0], "256th roots must have distinct low limbs");
        }
        assert_eq!(pow_exponent(&Fq::from(7u64)), Fq::from(7u64).pow(EXPONENT));
    }

    #[test]
    fn sqrt_matches_arkworks() {
        for i in 0..2000u64 {
            let a = if i < 50 { Fq::from(i) } else { pseudo_random(i) };
            let ours = sqrt(&a);
            let theirs = a.sqrt();
            assert_eq!(ours.is_some(), theirs.is_some(), "{i}");
            if let Some(r) = ours {
                assert_eq!(r.square(), a);
            }
            let sq = a.square();
            let r = sqrt(&sq).unwrap();
            assert!(r == a || r == -a);
        }
    }
}
