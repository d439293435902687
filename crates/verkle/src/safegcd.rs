//! Variable-time modular inversion and Jacobi symbols by Bernstein–Yang "safegcd" divsteps,
//! 62 at a time on signed 62-bit limbs — a port of libsecp256k1's `modinv64_var` and
//! `jacobi64_maybe_var` (`src/modinv64_impl.h`, MIT), generic over a < 2^256 odd modulus.
//!
//! All inputs are public (points and scalars of proofs), so variable time is fine. About five
//! times faster than arkworks' binary-Euclid inversion and exponentiation-based Legendre symbol.

// Integer arithmetic here follows the reference: the divstep matrices are bounded by 2^62 and
// the 128-bit accumulators cannot overflow (see the libsecp256k1 explanation); the 64-bit
// transition values wrap on purpose and use `wrapping_*`.
// Limb arrays have the fixed length 5 and are indexed by loop counters below 5 or by
// `len − 1`, `len − 2` with `len` kept in 1..=5 (it only shrinks while `len ≥ 2`).
#![allow(
    clippy::arithmetic_side_effects,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::indexing_slicing
)]

const M62: u64 = u64::MAX >> 2;

/// A modulus in signed-62 form with its inverse modulo 2^62.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ModInfo {
    modulus: [i64; 5],
    /// Used by the inversion only (not compiled on 32-bit targets, see `safegcd30`).
    #[cfg_attr(not(target_pointer_width = "64"), allow(dead_code))]
    inv62: u64,
}

impl ModInfo {
    /// From the four little-endian limbs of an odd modulus.
    pub(crate) const fn new(modulus: &[u64; 4]) -> Self {
        let m0 = modulus[0];
        // Newton iteration for m0^{-1} mod 2^64 (m0·m0 ≡ 1 mod 8 for odd m0).
        let mut inv = m0;
        let mut i = 0;
        while i < 5 {
            inv = inv.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(inv)));
            i += 1;
        }
        Self { modulus: to_signed62(modulus), inv62: inv & M62 }
    }
}

/// Little-endian 64-bit limbs to five signed 62-bit limbs (value below 2^256).
const fn to_signed62(a: &[u64; 4]) -> [i64; 5] {
    [
        (a[0] & M62) as i64,
        ((a[0] >> 62 | a[1] << 2) & M62) as i64,
        ((a[1] >> 60 | a[2] << 4) & M62) as i64,
        ((a[2] >> 58 | a[3] << 6) & M62) as i64,
        (a[3] >> 56) as i64,
    ]
}

/// Five normalized (non-negative, below 2^62) signed-62 limbs back to 64-bit limbs.
#[cfg(target_pointer_width = "64")]
const fn from_signed62(v: &[i64; 5]) -> [u64; 4] {
    let v0 = v[0] as u64;
    let v1 = v[1] as u64;
    let v2 = v[2] as u64;
    let v3 = v[3] as u64;
    let v4 = v[4] as u64;
    [v0 | v1 << 62, v1 >> 2 | v2 << 60, v2 >> 4 | v3 << 58, v3 >> 6 | v4 << 56]
}

#[derive(Clone, Copy)]
struct Trans {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

/// 62 divsteps on the bottom limbs (variable time); returns the new eta.
#[cfg(target_pointer_width = "64")]
fn divsteps_62_var(mut eta: i64, f0: u64, g0: u64, t: &mut Trans) -> i64 {
    let (mut u, mut v, mut q, mut r) = (1u64, 0u64, 0u64, 1u64);
    let (mut f, mut g) = (f0, g0);
    let mut i: u32 = 62;
    loop {
        let zeros = (g | (u64::MAX << i)).trailing_zeros();
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        eta -= i64::from(zeros);
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
            let limit = (eta + 1).min(i64::from(i)) as u32;
            let m = (u64::MAX >> (64 - limit)) & 63;
            w = f.wrapping_mul(g).wrapping_mul(f.wrapping_mul(f).wrapping_sub(2)) & m;
        } else {
            let limit = (eta + 1).min(i64::from(i)) as u32;
            let m = (u64::MAX >> (64 - limit)) & 15;
            let w0 = f.wrapping_add(((f.wrapping_add(1)) & 4) << 1);
            w = w0.wrapping_neg().wrapping_mul(g) & m;
        }
        g = g.wrapping_add(f.wrapping_mul(w));
        q = q.wrapping_add(u.wrapping_mul(w));
        r = r.wrapping_add(v.wrapping_mul(w));
    }
    *t = Trans { u: u as i64, v: v as i64, q: q as i64, r: r as i64 };
    eta
}

/// 62 posdivsteps tracking the Jacobi symbol in bit 0 of `jac`; returns the new eta.
fn posdivsteps_62_var(mut eta: i64, f0: u64, g0: u64, t: &mut Trans, jac: &mut u64) -> i64 {
    let (mut u, mut v, mut q, mut r) = (1u64, 0u64, 0u64, 1u64);
    let (mut f, mut g) = (f0, g0);
    let mut i: u32 = 62;
    let mut j = *jac;
    loop {
        let zeros = (g | (u64::MAX << i)).trailing_zeros();
        g >>= zeros;
        u <<= zeros;
        v <<= zeros;
        eta -= i64::from(zeros);
        i -= zeros;
        j ^= u64::from(zeros) & ((f >> 1) ^ (f >> 2));
        if i == 0 {
            break;
        }
        let w;
        if eta < 0 {
            eta = -eta;
            core::mem::swap(&mut f, &mut g);
            core::mem::swap(&mut u, &mut q);
            core::mem::swap(&mut v, &mut r);
            j ^= (f & g) >> 1;
            let limit = (eta + 1).min(i64::from(i)) as u32;
            let m = (u64::MAX >> (64 - limit)) & 63;
            w = f.wrapping_mul(g).wrapping_mul(f.wrapping_mul(f).wrapping_sub(2)) & m;
        } else {
            let limit = (eta + 1).min(i64::from(i)) as u32;
            let m = (u64::MAX >> (64 - limit)) & 15;
            let w0 = f.wrapping_add(((f.wrapping_add(1)) & 4) << 1);
            w = w0.wrapping_neg().wrapping_mul(g) & m;
        }
        g = g.wrapping_add(f.wrapping_mul(w));
        q = q.wrapping_add(u.wrapping_mul(w));
        r = r.wrapping_add(v.wrapping_mul(w));
    }
    *t = Trans { u: u as i64, v: v as i64, q: q as i64, r: r as i64 };
    *jac = j;
    eta
}

#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn mul(a: i64, b: i64) -> i128 {
    i128::from(a).wrapping_mul(i128::from(b))
}

#[cfg(not(target_pointer_width = "64"))]
#[inline(always)]
fn mul(a: i64, b: i64) -> i128 {
    mul_halves(a, b)
}

/// The signed 64×64→128-bit product from 32-bit halves: on wasm32 an `i128` product is a call
/// to the general 128×128-bit `__multi3`.
#[cfg(any(not(target_pointer_width = "64"), test))]
#[inline(always)]
fn mul_halves(a: i64, b: i64) -> i128 {
    let (ah, al) = (a >> 32, a & 0xffff_ffff);
    let (bh, bl) = (b >> 32, b & 0xffff_ffff);
    // |al·bh|, |ah·bl| ≤ (2^32 − 1)·2^31 < 2^63; al·bl < 2^64 unsigned; |ah·bh| ≤ 2^62.
    let ll = (al as u64).wrapping_mul(bl as u64);
    let mid = i128::from(al.wrapping_mul(bh)).wrapping_add(i128::from(ah.wrapping_mul(bl)));
    (i128::from(ah.wrapping_mul(bh)) << 64).wrapping_add(mid << 32).wrapping_add(i128::from(ll))
}

/// `(t / 2^62)·[d, e] mod modulus`, inputs and outputs in (−2·modulus, modulus).
///
/// The sums are bounded as in libsecp256k1 (`|cd|, |ce| < 2^125`); wrapping operators keep the
/// release profile's overflow checks out of the loop (they cost most on wasm32, where every
/// `i128` operation is a pair of `i64` ones).
#[cfg(target_pointer_width = "64")]
fn update_de_62(d: &mut [i64; 5], e: &mut [i64; 5], t: &Trans, info: &ModInfo) {
    let m = &info.modulus;
    let Trans { u, v, q, r } = *t;
    let sd = d[4] >> 63;
    let se = e[4] >> 63;
    let mut md = (u & sd).wrapping_add(v & se);
    let mut me = (q & sd).wrapping_add(r & se);
    let mut cd = mul(u, d[0]).wrapping_add(mul(v, e[0]));
    let mut ce = mul(q, d[0]).wrapping_add(mul(r, e[0]));
    md = md.wrapping_sub((info.inv62.wrapping_mul(cd as u64).wrapping_add(md as u64) & M62) as i64);
    me = me.wrapping_sub((info.inv62.wrapping_mul(ce as u64).wrapping_add(me as u64) & M62) as i64);
    cd = cd.wrapping_add(mul(m[0], md));
    ce = ce.wrapping_add(mul(m[0], me));
    cd >>= 62;
    ce >>= 62;
    for k in 1..5 {
        cd = cd.wrapping_add(mul(u, d[k])).wrapping_add(mul(v, e[k])).wrapping_add(mul(m[k], md));
        ce = ce.wrapping_add(mul(q, d[k])).wrapping_add(mul(r, e[k])).wrapping_add(mul(m[k], me));
        d[k - 1] = (cd as u64 & M62) as i64;
        e[k - 1] = (ce as u64 & M62) as i64;
        cd >>= 62;
        ce >>= 62;
    }
    d[4] = cd as i64;
    e[4] = ce as i64;
}

/// `(t / 2^62)·[f, g]` on the first `len` limbs (bounded sums, wrapping operators as above).
fn update_fg_62_var(len: usize, f: &mut [i64; 5], g: &mut [i64; 5], t: &Trans) {
    let Trans { u, v, q, r } = *t;
    let mut cf = mul(u, f[0]).wrapping_add(mul(v, g[0]));
    let mut cg = mul(q, f[0]).wrapping_add(mul(r, g[0]));
    cf >>= 62;
    cg >>= 62;
    for k in 1..len {
        cf = cf.wrapping_add(mul(u, f[k])).wrapping_add(mul(v, g[k]));
        cg = cg.wrapping_add(mul(q, f[k])).wrapping_add(mul(r, g[k]));
        f[k - 1] = (cf as u64 & M62) as i64;
        g[k - 1] = (cg as u64 & M62) as i64;
        cf >>= 62;
        cg >>= 62;
    }
    f[len - 1] = cf as i64;
    g[len - 1] = cg as i64;
}

/// Brings `r` from (−2·modulus, modulus) to [0, modulus), negating first when `sign < 0`.
#[cfg(target_pointer_width = "64")]
fn normalize_62(r: &mut [i64; 5], sign: i64, info: &ModInfo) {
    let m = &info.modulus;
    let cond_add = r[4] >> 63;
    for k in 0..5 {
        r[k] += m[k] & cond_add;
    }
    let cond_negate = sign >> 63;
    for limb in r.iter_mut() {
        *limb = (*limb ^ cond_negate) - cond_negate;
    }
    for k in 0..4 {
        r[k + 1] += r[k] >> 62;
        r[k] &= M62 as i64;
    }
    let cond_add = r[4] >> 63;
    for k in 0..5 {
        r[k] += m[k] & cond_add;
    }
    for k in 0..4 {
        r[k + 1] += r[k] >> 62;
        r[k] &= M62 as i64;
    }
}

// Inversion runs on 30-bit limbs on 32-bit targets (`safegcd30`); the Jacobi symbol stays here.
/// `x⁻¹ mod modulus` for `0 < x < modulus` (0 maps to 0).
#[cfg(target_pointer_width = "64")]
pub(crate) fn inverse(x: &[u64; 4], info: &ModInfo) -> [u64; 4] {
    let mut d = [0i64; 5];
    let mut e = [1i64, 0, 0, 0, 0];
    let mut f = info.modulus;
    let mut g = to_signed62(x);
    let mut len = 5usize;
    let mut eta: i64 = -1;
    // At most 12 × 62 divsteps are needed for 256-bit inputs; the bound only guards the loop.
    for _ in 0..64 {
        let mut t = Trans { u: 0, v: 0, q: 0, r: 0 };
        eta = divsteps_62_var(eta, f[0] as u64, g[0] as u64, &mut t);
        update_de_62(&mut d, &mut e, &t, info);
        update_fg_62_var(len, &mut f, &mut g, &t);
        if g[0] == 0 && g[1..len].iter().all(|&l| l == 0) {
            break;
        }
        let fnn = f[len - 1];
        let gn = g[len - 1];
        let mut cond = (len as i64 - 2) >> 63;
        cond |= fnn ^ (fnn >> 63);
        cond |= gn ^ (gn >> 63);
        if cond == 0 {
            f[len - 2] |= ((fnn as u64) << 62) as i64;
            g[len - 2] |= ((gn as u64) << 62) as i64;
            len -= 1;
        }
    }
    normalize_62(&mut d, f[len - 1], info);
    from_signed62(&d)
}

/// The Jacobi symbol `(x | modulus)` for `0 < x < modulus` coprime to it: `Some(±1)`, or `None`
/// when the iteration bound is hit (vanishingly rare; fall back to an exponentiation).
pub(crate) fn jacobi(x: &[u64; 4], info: &ModInfo) -> Option<i8> {
    let mut f = info.modulus;
    let mut g = to_signed62(x);
    let mut len = 5usize;
    let mut eta: i64 = -1;
    let mut jac = 0u64;
    for _ in 0..25 {
        let mut t = Trans { u: 0, v: 0, q: 0, r: 0 };
        let f0 = (f[0] as u64) | ((f[1] as u64) << 62);
        let g0 = (g[0] as u64) | ((g[1] as u64) << 62);
        eta = posdivsteps_62_var(eta, f0, g0, &mut t, &mut jac);
        update_fg_62_var(len, &mut f, &mut g, &t);
        if f[0] == 1 && f[1..len].iter().all(|&l| l == 0) {
            return Some(if jac & 1 == 0 { 1 } else { -1 });
        }
        let fnn = f[len - 1];
        let gn = g[len - 1];
        let mut cond = (len as i64 - 2) >> 63;
        cond |= fnn;
        cond |= gn;
        if cond == 0 {
            len -= 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use ark_ff::{Field, PrimeField};
    use sha2::{Digest, Sha256};

    use crate::field::{Fq, Fr, Invert, fq_is_square};

    #[test]
    fn product_from_halves() {
        let edge = [0i64, 1, -1, 2, -2, i64::MAX, i64::MIN, 1 << 32, -(1 << 32), 0xffff_ffff];
        for a in edge {
            for b in edge {
                assert_eq!(super::mul_halves(a, b), i128::from(a) * i128::from(b));
            }
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let (a, b) = (x as i64, x.rotate_left(29) as i64 >> (x % 5));
            assert_eq!(super::mul_halves(a, b), i128::from(a) * i128::from(b));
        }
    }

    fn bytes(i: u64) -> [u8; 32] {
        Sha256::digest(i.to_le_bytes()).into()
    }

    #[test]
    fn inverse_and_jacobi_match_arkworks() {
        for i in 0..3000u64 {
            let a = if i < 40 {
                Fq::from(i) - Fq::from(20u64)
            } else {
                Fq::from_le_bytes_mod_order(&bytes(i))
            };
            assert_eq!(a.invert(), a.inverse(), "{i}");
            assert_eq!(fq_is_square(&a), a.legendre().is_qr(), "{i}");
            let r = Fr::from_le_bytes_mod_order(&bytes(i + 1_000_000));
            assert_eq!(r.invert(), r.inverse(), "{i}");
        }
        assert_eq!((-Fq::ONE).invert(), Some(-Fq::ONE));
        assert_eq!(Fq::from(0u64).invert(), None);
    }

    #[test]
    fn batch_inversion_keeps_zeros() {
        let mut v: Vec<Fq> = (0..10u64).map(|i| Fq::from(i % 3)).collect();
        let expected: Vec<Fq> = v.iter().map(|x| x.inverse().unwrap_or_default()).collect();
        crate::field::batch_invert(&mut v);
        assert_eq!(v, expected);
    }
}
