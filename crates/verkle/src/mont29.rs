//! Montgomery multiplication in the base field `Fq` for wasm32 (and other 32-bit targets),
//! without 128-bit products.
//!
//! arkworks multiplies 64-bit limbs through `u128` (on wasm, emulated from four 32-bit products
//! per limb pair with carry handling at every step); under V8 the verifier spent most of its time
//! there (the mixed point addition). Here the operands
//! are cut into nine 29-bit digits held in `u64` locals: a digit product is below `2^58`, so a
//! whole column of the schoolbook product and of the interleaved Montgomery reduction (at most
//! eighteen products) is summed with plain `i64.mul`/`i64.add` and carried once. Eight
//! reduction steps divide by `2^232`, a last 24-bit step completes the division by `2^256`: the
//! result is arkworks' own Montgomery form (`R = 2^256`), below `2p` before one conditional
//! subtraction (`(ab + Mp)/2^256 < p²/2^256 + p < 1.46p` for `a, b < p`).
//!
//! The straight-line body is generated (one statement per digit product; constant indices only).

// Digit arithmetic: column sums stay below `18·2^58 + 2^35 < 2^63`, so the wrapping operators
// never wrap; the shifts and masks cut and join digits of values below 2^256.
#![allow(clippy::cast_possible_truncation)]

use ark_ff::{BigInt, PrimeField};

use crate::field::Fq;

const M29: u64 = (1 << 29) - 1;
const M24: u64 = (1 << 24) - 1;
/// The modulus in 64-bit limbs.
const P64: [u64; 4] = Fq::MODULUS.0;
// The modulus in 29-bit digits.
const P0: u64 = 0x1;
const P1: u64 = 0x1ffffff8;
const P2: u64 = 0x1f96ffbf;
const P3: u64 = 0x1b4805ff;
const P4: u64 = 0x1d80553b;
const P5: u64 = 0xc0404d0;
const P6: u64 = 0x1520cce7;
const P7: u64 = 0xa6533af;
const P8: u64 = 0x73eda7;
/// `−p⁻¹ mod 2^29`.
const INV29: u64 = 0x1fffffff;
/// `−p⁻¹ mod 2^24`.
const INV24: u64 = 0xffffff;
/// Montgomery product `a·b·2^−256 mod p` of fully reduced limbs, fully reduced.
#[inline(always)]
#[allow(clippy::too_many_lines, clippy::similar_names, clippy::many_single_char_names)]
pub(crate) fn mont_mul(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let a0 = a[0] & M29;
    let a1 = (a[0] >> 29) & M29;
    let a2 = ((a[0] >> 58) | (a[1] << 6)) & M29;
    let a3 = (a[1] >> 23) & M29;
    let a4 = ((a[1] >> 52) | (a[2] << 12)) & M29;
    let a5 = (a[2] >> 17) & M29;
    let a6 = ((a[2] >> 46) | (a[3] << 18)) & M29;
    let a7 = (a[3] >> 11) & M29;
    let a8 = (a[3] >> 40) & M29;
    let b0 = b[0] & M29;
    let b1 = (b[0] >> 29) & M29;
    let b2 = ((b[0] >> 58) | (b[1] << 6)) & M29;
    let b3 = (b[1] >> 23) & M29;
    let b4 = ((b[1] >> 52) | (b[2] << 12)) & M29;
    let b5 = (b[2] >> 17) & M29;
    let b6 = ((b[2] >> 46) | (b[3] << 18)) & M29;
    let b7 = (b[3] >> 11) & M29;
    let b8 = (b[3] >> 40) & M29;
    let mut acc: u64 = 0;
    acc = acc.wrapping_add(a0.wrapping_mul(b0));
    let m0 = (acc & M29).wrapping_mul(INV29) & M29;
    acc = acc.wrapping_add(m0.wrapping_mul(P0)) >> 29;
    acc = acc.wrapping_add(a0.wrapping_mul(b1));
    acc = acc.wrapping_add(a1.wrapping_mul(b0));
    acc = acc.wrapping_add(m0.wrapping_mul(P1));
    let m1 = (acc & M29).wrapping_mul(INV29) & M29;
    acc = acc.wrapping_add(m1.wrapping_mul(P0)) >> 29;
    acc = acc.wrapping_add(a0.wrapping_mul(b2));
    acc = acc.wrapping_add(a1.wrapping_mul(b1));
    acc = acc.wrapping_add(a2.wrapping_mul(b0));
    acc = acc.wrapping_add(m0.wrapping_mul(P2));
    acc = acc.wrapping_add(m1.wrapping_mul(P1));
    let m2 = (acc & M29).wrapping_mul(INV29) & M29;
    acc = acc.wrapping_add(m2.wrapping_mul(P0)) >> 29;
    acc = acc.wrapping_add(a0.wrapping_mul(b3));
    acc = acc.wrapping_add(a1.wrapping_mul(b2));
    acc = acc.wrapping_add(a2.wrapping_mul(b1));
    acc = acc.wrapping_add(a3.wrapping_mul(b0));
    acc = acc.wrapping_add(m0.wrapping_mul(P3));
    acc = acc.wrapping_add(m1.wrapping_mul(P2));
    acc = acc.wrapping_add(m2.wrapping_mul(P1));
    let m3 = (acc & M29).wrapping_mul(INV29) & M29;
    acc = acc.wrapping_add(m3.wrapping_mul(P0)) >> 29;
    acc = acc.wrapping_add(a0.wrapping_mul(b4));
    acc = acc.wrapping_add(a1.wrapping_mul(b3));
    acc = acc.wrapping_add(a2.wrapping_mul(b2));
    acc = acc.wrapping_add(a3.wrapping_mul(b1));
    acc = acc.wrapping_add(a4.wrapping_mul(b0));
    acc = acc.wrapping_add(m0.wrapping_mul(P4));
    acc = acc.wrapping_add(m1.wrapping_mul(P3));
    acc = acc.wrapping_add(m2.wrapping_mul(P2));
    acc = acc.wrapping_add(m3.wrapping_mul(P1));
    let m4 = (acc & M29).wrapping_mul(INV29) & M29;
    acc = acc.wrapping_add(m4.wrapping_mul(P0)) >> 29;
    acc = acc.wrapping_add(a0.wrapping_mul(b5));
    acc = acc.wrapping_add(a1.wrapping_mul(b4));
    acc = acc.wrapping_add(a2.wrapping_mul(b3));
    acc = acc.wrapping_add(a3.wrapping_mul(b2));
    acc = acc.wrapping_add(a4.wrapping_mul(b1));
    acc = acc.wrapping_add(a5.wrapping_mul(b0));
    acc = acc.wrapping_add(m0.wrapping_mul(P5));
    acc = acc.wrapping_add(m1.wrapping_mul(P4));
    acc = acc.wrapping_add(m2.wrapping_mul(P3));
    acc = acc.wrapping_add(m3.wrapping_mul(P2));
    acc = acc.wrapping_add(m4.wrapping_mul(P1));
    let m5 = (acc & M29).wrapping_mul(INV29) & M29;
    acc = acc.wrapping_add(m5.wrapping_mul(P0)) >> 29;
    acc = acc.wrapping_add(a0.wrapping_mul(b6));
    acc = acc.wrapping_add(a1.wrapping_mul(b5));
    acc = acc.wrapping_add(a2.wrapping_mul(b4));
    acc = acc.wrapping_add(a3.wrapping_mul(b3));
    acc = acc.wrapping_add(a4.wrapping_mul(b2));
    acc = acc.wrapping_add(a5.wrapping_mul(b1));
    acc = acc.wrapping_add(a6.wrapping_mul(b0));
    acc = acc.wrapping_add(m0.wrapping_mul(P6));
    acc = acc.wrapping_add(m1.wrapping_mul(P5));
    acc = acc.wrapping_add(m2.wrapping_mul(P4));
    acc = acc.wrapping_add(m3.wrapping_mul(P3));
    acc = acc.wrapping_add(m4.wrapping_mul(P2));
    acc = acc.wrapping_add(m5.wrapping_mul(P1));
    let m6 = (acc & M29).wrapping_mul(INV29) & M29;
    acc = acc.wrapping_add(m6.wrapping_mul(P0)) >> 29;
    acc = acc.wrapping_add(a0.wrapping_mul(b7));
    acc = acc.wrapping_add(a1.wrapping_mul(b6));
    acc = acc.wrapping_add(a2.wrapping_mul(b5));
    acc = acc.wrapping_add(a3.wrapping_mul(b4));
    acc = acc.wrapping_add(a4.wrapping_mul(b3));
    acc = acc.wrapping_add(a5.wrapping_mul(b2));
    acc = acc.wrapping_add(a6.wrapping_mul(b1));
    acc = acc.wrapping_add(a7.wrapping_mul(b0));
    acc = acc.wrapping_add(m0.wrapping_mul(P7));
    acc = acc.wrapping_add(m1.wrapping_mul(P6));
    acc = acc.wrapping_add(m2.wrapping_mul(P5));
    acc = acc.wrapping_add(m3.wrapping_mul(P4));
    acc = acc.wrapping_add(m4.wrapping_mul(P3));
    acc = acc.wrapping_add(m5.wrapping_mul(P2));
    acc = acc.wrapping_add(m6.wrapping_mul(P1));
    let m7 = (acc & M29).wrapping_mul(INV29) & M29;
    acc = acc.wrapping_add(m7.wrapping_mul(P0)) >> 29;
    acc = acc.wrapping_add(a0.wrapping_mul(b8));
    acc = acc.wrapping_add(a1.wrapping_mul(b7));
    acc = acc.wrapping_add(a2.wrapping_mul(b6));
    acc = acc.wrapping_add(a3.wrapping_mul(b5));
    acc = acc.wrapping_add(a4.wrapping_mul(b4));
    acc = acc.wrapping_add(a5.wrapping_mul(b3));
    acc = acc.wrapping_add(a6.wrapping_mul(b2));
    acc = acc.wrapping_add(a7.wrapping_mul(b1));
    acc = acc.wrapping_add(a8.wrapping_mul(b0));
    acc = acc.wrapping_add(m0.wrapping_mul(P8));
    acc = acc.wrapping_add(m1.wrapping_mul(P7));
    acc = acc.wrapping_add(m2.wrapping_mul(P6));
    acc = acc.wrapping_add(m3.wrapping_mul(P5));
    acc = acc.wrapping_add(m4.wrapping_mul(P4));
    acc = acc.wrapping_add(m5.wrapping_mul(P3));
    acc = acc.wrapping_add(m6.wrapping_mul(P2));
    acc = acc.wrapping_add(m7.wrapping_mul(P1));
    let r0 = acc & M29;
    acc >>= 29;
    acc = acc.wrapping_add(a1.wrapping_mul(b8));
    acc = acc.wrapping_add(a2.wrapping_mul(b7));
    acc = acc.wrapping_add(a3.wrapping_mul(b6));
    acc = acc.wrapping_add(a4.wrapping_mul(b5));
    acc = acc.wrapping_add(a5.wrapping_mul(b4));
    acc = acc.wrapping_add(a6.wrapping_mul(b3));
    acc = acc.wrapping_add(a7.wrapping_mul(b2));
    acc = acc.wrapping_add(a8.wrapping_mul(b1));
    acc = acc.wrapping_add(m1.wrapping_mul(P8));
    acc = acc.wrapping_add(m2.wrapping_mul(P7));
    acc = acc.wrapping_add(m3.wrapping_mul(P6));
    acc = acc.wrapping_add(m4.wrapping_mul(P5));
    acc = acc.wrapping_add(m5.wrapping_mul(P4));
    acc = acc.wrapping_add(m6.wrapping_mul(P3));
    acc = acc.wrapping_add(m7.wrapping_mul(P2));
    let r1 = acc & M29;
    acc >>= 29;
    acc = acc.wrapping_add(a2.wrapping_mul(b8));
    acc = acc.wrapping_add(a3.wrapping_mul(b7));
    acc = acc.wrapping_add(a4.wrapping_mul(b6));
    acc = acc.wrapping_add(a5.wrapping_mul(b5));
    acc = acc.wrapping_add(a6.wrapping_mul(b4));
    acc = acc.wrapping_add(a7.wrapping_mul(b3));
    acc = acc.wrapping_add(a8.wrapping_mul(b2));
    acc = acc.wrapping_add(m2.wrapping_mul(P8));
    acc = acc.wrapping_add(m3.wrapping_mul(P7));
    acc = acc.wrapping_add(m4.wrapping_mul(P6));
    acc = acc.wrapping_add(m5.wrapping_mul(P5));
    acc = acc.wrapping_add(m6.wrapping_mul(P4));
    acc = acc.wrapping_add(m7.wrapping_mul(P3));
    let r2 = acc & M29;
    acc >>= 29;
    acc = acc.wrapping_add(a3.wrapping_mul(b8));
    acc = acc.wrapping_add(a4.wrapping_mul(b7));
    acc = acc.wrapping_add(a5.wrapping_mul(b6));
    acc = acc.wrapping_add(a6.wrapping_mul(b5));
    acc = acc.wrapping_add(a7.wrapping_mul(b4));
    acc = acc.wrapping_add(a8.wrapping_mul(b3));
    acc = acc.wrapping_add(m3.wrapping_mul(P8));
    acc = acc.wrapping_add(m4.wrapping_mul(P7));
    acc = acc.wrapping_add(m5.wrapping_mul(P6));
    acc = acc.wrapping_add(m6.wrapping_mul(P5));
    acc = acc.wrapping_add(m7.wrapping_mul(P4));
    let r3 = acc & M29;
    acc >>= 29;
    acc = acc.wrapping_add(a4.wrapping_mul(b8));
    acc = acc.wrapping_add(a5.wrapping_mul(b7));
    acc = acc.wrapping_add(a6.wrapping_mul(b6));
    acc = acc.wrapping_add(a7.wrapping_mul(b5));
    acc = acc.wrapping_add(a8.wrapping_mul(b4));
    acc = acc.wrapping_add(m4.wrapping_mul(P8));
    acc = acc.wrapping_add(m5.wrapping_mul(P7));
    acc = acc.wrapping_add(m6.wrapping_mul(P6));
    acc = acc.wrapping_add(m7.wrapping_mul(P5));
    let r4 = acc & M29;
    acc >>= 29;
    acc = acc.wrapping_add(a5.wrapping_mul(b8));
    acc = acc.wrapping_add(a6.wrapping_mul(b7));
    acc = acc.wrapping_add(a7.wrapping_mul(b6));
    acc = acc.wrapping_add(a8.wrapping_mul(b5));
    acc = acc.wrapping_add(m5.wrapping_mul(P8));
    acc = acc.wrapping_add(m6.wrapping_mul(P7));
    acc = acc.wrapping_add(m7.wrapping_mul(P6));
    let r5 = acc & M29;
    acc >>= 29;
    acc = acc.wrapping_add(a6.wrapping_mul(b8));
    acc = acc.wrapping_add(a7.wrapping_mul(b7));
    acc = acc.wrapping_add(a8.wrapping_mul(b6));
    acc = acc.wrapping_add(m6.wrapping_mul(P8));
    acc = acc.wrapping_add(m7.wrapping_mul(P7));
    let r6 = acc & M29;
    acc >>= 29;
    acc = acc.wrapping_add(a7.wrapping_mul(b8));
    acc = acc.wrapping_add(a8.wrapping_mul(b7));
    acc = acc.wrapping_add(m7.wrapping_mul(P8));
    let r7 = acc & M29;
    acc >>= 29;
    acc = acc.wrapping_add(a8.wrapping_mul(b8));
    let r8 = acc & M29;
    acc >>= 29;
    let r9 = acc;
    // The last 24 bits of the division by 2^256.
    let m = (r0 & M24).wrapping_mul(INV24) & M24;
    let mut c: u64;
    let s = r0.wrapping_add(m.wrapping_mul(P0));
    let u0 = s & M29;
    c = s >> 29;
    let s = r1.wrapping_add(m.wrapping_mul(P1)).wrapping_add(c);
    let u1 = s & M29;
    c = s >> 29;
    let s = r2.wrapping_add(m.wrapping_mul(P2)).wrapping_add(c);
    let u2 = s & M29;
    c = s >> 29;
    let s = r3.wrapping_add(m.wrapping_mul(P3)).wrapping_add(c);
    let u3 = s & M29;
    c = s >> 29;
    let s = r4.wrapping_add(m.wrapping_mul(P4)).wrapping_add(c);
    let u4 = s & M29;
    c = s >> 29;
    let s = r5.wrapping_add(m.wrapping_mul(P5)).wrapping_add(c);
    let u5 = s & M29;
    c = s >> 29;
    let s = r6.wrapping_add(m.wrapping_mul(P6)).wrapping_add(c);
    let u6 = s & M29;
    c = s >> 29;
    let s = r7.wrapping_add(m.wrapping_mul(P7)).wrapping_add(c);
    let u7 = s & M29;
    c = s >> 29;
    let s = r8.wrapping_add(m.wrapping_mul(P8)).wrapping_add(c);
    let u8 = s & M29;
    c = s >> 29;
    let s = r9.wrapping_add(c);
    let u9 = s;
    let t0 = (u0 >> 24) | (u1 << 5) | (u2 << 34) | (u3 << 63);
    let t1 = (u3 >> 1) | (u4 << 28) | (u5 << 57);
    let t2 = (u5 >> 7) | (u6 << 22) | (u7 << 51);
    let t3 = (u7 >> 13) | (u8 << 16) | (u9 << 45);
    let (d0, b0) = t0.overflowing_sub(P64[0]);
    let (d1, b1) = sbb(t1, P64[1], b0);
    let (d2, b2) = sbb(t2, P64[2], b1);
    let (d3, b3) = sbb(t3, P64[3], b2);
    if b3 { [t0, t1, t2, t3] } else { [d0, d1, d2, d3] }
}

#[inline(always)]
fn sbb(a: u64, b: u64, borrow: bool) -> (u64, bool) {
    let (d, x) = a.overflowing_sub(b);
    let (d, y) = d.overflowing_sub(u64::from(borrow));
    (d, x | y)
}

/// `a·b` in `Fq` through [`mont_mul`].
#[inline(always)]
pub(crate) fn mul(a: &Fq, b: &Fq) -> Fq {
    Fq::new_unchecked(BigInt(mont_mul(&a.0.0, &b.0.0)))
}

/// [`mul`] as a function of its own, never inlined: a body with several inlined products (the
/// eight of a mixed point addition) gets more than its share of register spills from V8, whose
/// code for it ran ~30 % slower than eight calls.
#[inline(never)]
pub(crate) fn mul_call(a: &Fq, b: &Fq) -> Fq {
    mul(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field, One, Zero};

    #[test]
    fn constants() {
        let digits = [P0, P1, P2, P3, P4, P5, P6, P7, P8];
        let mut limbs = [0u64; 4];
        for (k, d) in digits.iter().enumerate() {
            let bit = 29 * k;
            limbs[bit / 64] |= d << (bit % 64);
            if bit % 64 + 29 > 64 && bit / 64 + 1 < 4 {
                limbs[bit / 64 + 1] |= d >> (64 - bit % 64);
            }
        }
        assert_eq!(limbs, P64);
        assert_eq!(P0.wrapping_mul(INV29) & M29, M29);
        assert_eq!(P0.wrapping_mul(INV24) & M24, M24);
    }

    #[test]
    fn matches_arkworks() {
        let mut x = Fq::from(0x1234_5678_9abc_def0u64);
        let mut y = -Fq::from(3u64);
        let edge = [Fq::zero(), Fq::one(), -Fq::one(), -Fq::from(2u64), Fq::from(u64::MAX)];
        for a in edge {
            for b in edge {
                assert_eq!(mul(&a, &b), a * b);
            }
        }
        for i in 0..20_000u64 {
            x = x.square() + Fq::from(i);
            y = y * x + Fq::one();
            assert_eq!(mul(&x, &y), x * y);
            assert_eq!(mul_call(&x, &y), x * y);
            assert_eq!(mul(&x, &x), x.square());
            assert_eq!(mul(&-x, &-y), x * y);
        }
    }
}
