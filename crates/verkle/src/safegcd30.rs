//! Variable-time modular inversion by safegcd divsteps on signed 30-bit limbs, for wasm32 and
//! other 32-bit targets: the algorithm of [`crate::safegcd`] (libsecp256k1's `modinv32_var`,
//! MIT, generic over a < 2^256 odd modulus) with 30 divsteps per batch, an `i32` transition
//! matrix and `i64` products — native on wasm32, where the 62-bit variant's `i128` products are
//! each emulated from four 32-bit halves.
//!
//! Same results as `safegcd::inverse`; compiled natively for the tests.

// Integer arithmetic follows the reference: after 30 divsteps the matrix entries are bounded by
// 2^30, so every `i64` accumulator below stays under 2^62 in magnitude (see the libsecp256k1
// explanation); the 32-bit transition values wrap on purpose and use `wrapping_*`. Limb arrays
// have the fixed length 9 and are indexed by loop counters below 9 or by `len − 1`, `len − 2`
// with `len` kept in 1..=9 (it only shrinks while `len ≥ 2`).
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::indexing_slicing
)]

const M30: u32 = u32::MAX >> 2;
/// Limbs of a value below 2^256 (the top one holds 16 bits, plus sign while iterating).
const LIMBS: usize = 9;

/// A modulus in signed-30 form with its inverse modulo 2^30.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ModInfo30 {
    modulus: [i32; LIMBS],
    inv30: u32,
}

impl ModInfo30 {
    /// From the four little-endian limbs of an odd modulus.
    pub(crate) const fn new(modulus: &[u64; 4]) -> Self {
        let m0 = modulus[0] as u32;
        // Newton iteration for m0^{-1} mod 2^32 (m0·m0 ≡ 1 mod 8 for odd m0).
        let mut inv = m0;
        let mut i = 0;
        while i < 4 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(m0.wrapping_mul(inv)));
            i += 1;
        }
        Self { modulus: to_signed30(modulus), inv30: inv & M30 }
    }
}

/// Little-endian 64-bit limbs to nine signed 30-bit limbs (value below 2^256).
const fn to_signed30(a: &[u64; 4]) -> [i32; LIMBS] {
    let mut out = [0i32; LIMBS];
    let mut k = 0;
    while k < LIMBS {
        let bit = 30 * k;
        let limb = bit / 64;
        let shift = bit % 64;
        let mut v = a[limb] >> shift;
        if shift > 34 && limb + 1 < 4 {
            v |= a[limb + 1] << (64 - shift);
        }
        out[k] = (v as u32 & M30) as i32;
        k += 1;
    }
    out
}

/// Nine normalized (non-negative, below 2^30) signed-30 limbs back to 64-bit limbs.
fn from_signed30(v: &[i32; LIMBS]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (k, &limb) in v.iter().enumerate() {
        let bit = 30 * k;
        let (word, shift) = (bit / 64, bit % 64);
        let value = u64::from(limb as u32);
        out[word] |= value << shift;
        if shift > 34 && word + 1 < 4 {
            out[word + 1] |= value >> (64 - shift);
        }
    }
    out
}

#[derive(Clone, Copy)]
struct Trans {
    u: i32,
    v: i32,
    q: i32,
    r: i32,
}

/// 30 divsteps on the bottom limbs (variable time); returns the new eta.
fn divsteps_30_var(mut eta: i32, f0: u32, g0: u32, t: &mut Trans) -> i32 {
    let (mut u, mut v, mut q, mut r) = (1u32, 0u32, 0u32, 1u32);
    let (mut f, mut g) = (f0, g0);
    let mut i: u32 = 30;
    loop {
        let zeros = (g | (u32::MAX << i)).trailing_zeros();
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        eta -= zeros as i32;
        i -= zeros;
        if i == 0 {
            break;
        }
        let w;
        if eta < 0 {
            eta = -eta;
            let tmp = f;
            f = g;
            g = tmp.wrapping_neg();
            let tmp = u;
            u = q;
            q = tmp.wrapping_neg();
            let tmp = v;
            v = r;
            r = tmp.wrapping_neg();
            let limit = (eta + 1).min(i as i32) as u32;
            let m = (u32::MAX >> (32 - limit)) & 63;
            w = f.wrapping_mul(g).wrapping_mul(f.wrapping_mul(f).wrapping_sub(2)) & m;
        } else {
            let limit = (eta + 1).min(i as i32) as u32;
            let m = (u32::MAX >> (32 - limit)) & 15;
            let w0 = f.wrapping_add(((f.wrapping_add(1)) & 4) << 1);
            w = w0.wrapping_neg().wrapping_mul(g) & m;
        }
        g = g.wrapping_add(f.wrapping_mul(w));
        q = q.wrapping_add(u.wrapping_mul(w));
        r = r.wrapping_add(v.wrapping_mul(w));
    }
    *t = Trans { u: u as i32, v: v as i32, q: q as i32, r: r as i32 };
    eta
}

#[inline(always)]
fn mul(a: i32, b: i32) -> i64 {
    i64::from(a).wrapping_mul(i64::from(b))
}

/// `(t / 2^30)·[d, e] mod modulus`, inputs and outputs in (−2·modulus, modulus).
fn update_de_30(d: &mut [i32; LIMBS], e: &mut [i32; LIMBS], t: &Trans, info: &ModInfo30) {
    let m = &info.modulus;
    let Trans { u, v, q, r } = *t;
    let sd = d[LIMBS - 1] >> 31;
    let se = e[LIMBS - 1] >> 31;
    let mut md = (u & sd).wrapping_add(v & se);
    let mut me = (q & sd).wrapping_add(r & se);
    let mut cd = mul(u, d[0]).wrapping_add(mul(v, e[0]));
    let mut ce = mul(q, d[0]).wrapping_add(mul(r, e[0]));
    md = md.wrapping_sub((info.inv30.wrapping_mul(cd as u32).wrapping_add(md as u32) & M30) as i32);
    me = me.wrapping_sub((info.inv30.wrapping_mul(ce as u32).wrapping_add(me as u32) & M30) as i32);
    cd = cd.wrapping_add(mul(m[0], md));
    ce = ce.wrapping_add(mul(m[0], me));
    cd >>= 30;
    ce >>= 30;
    for k in 1..LIMBS {
        cd = cd.wrapping_add(mul(u, d[k])).wrapping_add(mul(v, e[k])).wrapping_add(mul(m[k], md));
        ce = ce.wrapping_add(mul(q, d[k])).wrapping_add(mul(r, e[k])).wrapping_add(mul(m[k], me));
        d[k - 1] = (cd as u32 & M30) as i32;
        e[k - 1] = (ce as u32 & M30) as i32;
        cd >>= 30;
        ce >>= 30;
    }
    d[LIMBS - 1] = cd as i32;
    e[LIMBS - 1] = ce as i32;
}

/// `(t / 2^30)·[f, g]` on the first `len` limbs.
fn update_fg_30_var(len: usize, f: &mut [i32; LIMBS], g: &mut [i32; LIMBS], t: &Trans) {
    let Trans { u, v, q, r } = *t;
    let mut cf = mul(u, f[0]).wrapping_add(mul(v, g[0]));
    let mut cg = mul(q, f[0]).wrapping_add(mul(r, g[0]));
    cf >>= 30;
    cg >>= 30;
    for k in 1..len {
        cf = cf.wrapping_add(mul(u, f[k])).wrapping_add(mul(v, g[k]));
        cg = cg.wrapping_add(mul(q, f[k])).wrapping_add(mul(r, g[k]));
        f[k - 1] = (cf as u32 & M30) as i32;
        g[k - 1] = (cg as u32 & M30) as i32;
        cf >>= 30;
        cg >>= 30;
    }
    f[len - 1] = cf as i32;
    g[len - 1] = cg as i32;
}

/// Brings `r` from (−2·modulus, modulus) to [0, modulus), negating first when `sign < 0`.
fn normalize_30(r: &mut [i32; LIMBS], sign: i32, info: &ModInfo30) {
    let m = &info.modulus;
    let cond_add = r[LIMBS - 1] >> 31;
    for k in 0..LIMBS {
        r[k] += m[k] & cond_add;
    }
    let cond_negate = sign >> 31;
    for limb in r.iter_mut() {
        *limb = (*limb ^ cond_negate) - cond_negate;
    }
    carry(r);
    let cond_add = r[LIMBS - 1] >> 31;
    for k in 0..LIMBS {
        r[k] += m[k] & cond_add;
    }
    carry(r);
}

/// Propagates signed carries so that limbs 0..8 are in [0, 2^30).
fn carry(r: &mut [i32; LIMBS]) {
    for k in 0..LIMBS - 1 {
        r[k + 1] += r[k] >> 30;
        r[k] &= M30 as i32;
    }
}

/// `x⁻¹ mod modulus` for `0 < x < modulus` (0 maps to 0).
pub(crate) fn inverse(x: &[u64; 4], info: &ModInfo30) -> [u64; 4] {
    let mut d = [0i32; LIMBS];
    let mut e = [0i32; LIMBS];
    e[0] = 1;
    let mut f = info.modulus;
    let mut g = to_signed30(x);
    let mut len = LIMBS;
    let mut eta: i32 = -1;
    // At most 25 × 30 divsteps are needed for 256-bit inputs; the bound only guards the loop.
    for _ in 0..128 {
        let mut t = Trans { u: 0, v: 0, q: 0, r: 0 };
        eta = divsteps_30_var(eta, f[0] as u32, g[0] as u32, &mut t);
        update_de_30(&mut d, &mut e, &t, info);
        update_fg_30_var(len, &mut f, &mut g, &t);
        if g[0] == 0 && g[1..len].iter().all(|&l| l == 0) {
            break;
        }
        let fnn = f[len - 1];
        let gn = g[len - 1];
        let mut cond = (len as i32 - 2) >> 31;
        cond |= fnn ^ (fnn >> 31);
        cond |= gn ^ (gn >> 31);
        if cond == 0 {
            f[len - 2] |= ((fnn as u32) << 30) as i32;
            g[len - 2] |= ((gn as u32) << 30) as i32;
            len -= 1;
        }
    }
    normalize_30(&mut d, f[len - 1], info);
    from_signed30(&d)
}

#[cfg(test)]
mod tests {
    use ark_ff::{BigInt, PrimeField};
    use sha2::{Digest, Sha256};

    use super::{ModInfo30, from_signed30, inverse, to_signed30};
    use crate::field::{Fq, Fr};

    const FQ: ModInfo30 = ModInfo30::new(&Fq::MODULUS.0);
    const FR: ModInfo30 = ModInfo30::new(&Fr::MODULUS.0);

    fn bytes(i: u64) -> [u8; 32] {
        Sha256::digest(i.to_le_bytes()).into()
    }

    /// The raw integer inverse of `x`'s limbs, as arkworks computes it.
    fn raw_inverse<F: PrimeField<BigInt = BigInt<4>>>(x: &[u64; 4]) -> [u64; 4] {
        F::from_bigint(BigInt(*x)).and_then(|v| v.inverse()).map_or([0; 4], |v| v.into_bigint().0)
    }

    #[test]
    fn limbs_round_trip() {
        for i in 0..200u64 {
            let mut x = [0u64; 4];
            for (k, limb) in x.iter_mut().enumerate() {
                let b = bytes(i * 4 + k as u64);
                *limb = u64::from_le_bytes(b[..8].try_into().unwrap());
            }
            assert_eq!(from_signed30(&to_signed30(&x)), x);
        }
        assert_eq!(from_signed30(&to_signed30(&[u64::MAX; 4])), [u64::MAX; 4]);
    }

    #[test]
    fn matches_arkworks() {
        let p = Fq::MODULUS.0;
        let r = Fr::MODULUS.0;
        let mut cases: Vec<[u64; 4]> = vec![[1, 0, 0, 0], [2, 0, 0, 0], [u64::MAX, 0, 0, 0]];
        let mut p1 = p;
        p1[0] -= 1;
        let mut p2 = p;
        p2[0] -= 2;
        let mut r1 = r;
        r1[0] -= 1;
        cases.extend([p1, p2, r1, [0, 0, 0, 1], [0, 0, 0, 1 << 62]]);
        for i in 0..3000u64 {
            cases.push(Fq::from_le_bytes_mod_order(&bytes(i)).into_bigint().0);
            cases.push(Fr::from_le_bytes_mod_order(&bytes(i + 1_000_000)).into_bigint().0);
        }
        for x in &cases {
            if Fq::from_bigint(BigInt(*x)).is_some() {
                assert_eq!(inverse(x, &FQ), raw_inverse::<Fq>(x), "{x:x?}");
            }
            if Fr::from_bigint(BigInt(*x)).is_some() {
                assert_eq!(inverse(x, &FR), raw_inverse::<Fr>(x), "{x:x?}");
            }
        }
        assert_eq!(inverse(&[0; 4], &FQ), [0; 4]);
    }
}
