//! Complex square roots, logarithms, exponentials and quotients as NumPy
//! computes them (C99's `csqrt`, `clog` and `cexp` of the C library,
//! `log10` as `clog` times log10(e) in the dtype's precision, Smith's
//! division), in loops that vectorise: selects, no call per value.
//!
//! Division runs in the dtype's own precision (NumPy's bits). The
//! functions run in float64: complex64 values (whose squares and sums of
//! squares are then exact or one rounding away, with no overflow) round
//! once to float32 at the end. Values the vector form does not cover (an
//! infinite or NaN part; complex128 parts beyond 2^±500, whose squares
//! would overflow or underflow; for `exp`, real parts past ±708 and
//! imaginary parts past 2^20) take a scalar path after the loop.
//!
//! The polar forms of `num_complex` (`sqrt` as `hypot`, `atan2`, `sin`
//! and `cos`) lost the real part of `sqrt` next to the negative real axis
//! and the real part of `log` next to the unit circle (where `ln |z|` is
//! tiny and `|z|² - 1` cancels), and took 30-60 ns a value.

use super::kernels::{self, atan2, dispatch, ln, spread, Operand, Real};
use crate::ops::BinOp;
use pulp::{Simd, WithSimd};

/// 2^500 and 2^-500: complex128 parts within them have squares and sums
/// of squares that neither overflow nor underflow.
const BIG: f64 = f64::from_bits((1023 + 500) << 52);
const SMALL: f64 = f64::from_bits((1023 - 500) << 52);

/// `sqrt` of each `re[k] + i·im[k]` into `out_re`, `out_im`; `single`:
/// complex64 values (rounded to float32 at the end).
pub fn sqrt(re: &[f64], im: &[f64], single: bool, out_re: &mut [f64], out_im: &mut [f64]) {
    dispatch(Apply {
        f: Sqrt,
        re,
        im,
        single,
        out_re,
        out_im,
    })
}

/// `log` (or, `ten`, `log10`) of each value, as [`sqrt`] takes them.
pub fn log(
    re: &[f64],
    im: &[f64],
    single: bool,
    ten: bool,
    out_re: &mut [f64],
    out_im: &mut [f64],
) {
    dispatch(Apply {
        f: Log { ten },
        re,
        im,
        single,
        out_re,
        out_im,
    });
}

/// Complex `a * b` or `a / b` (`op`) of each element of float64 blocks
/// into `out_re`, `out_im`, in the dtype's own precision (`single`:
/// complex64, in float32) by the lanes' loops ([`kernels::complex_mul`],
/// [`divide_lanes`]), so that both paths give NumPy's bits.
pub fn binary_blocks(
    op: BinOp,
    (ar, ai): (&[f64], &[f64]),
    (br, bi): (&[f64], &[f64]),
    single: bool,
    out_re: &mut [f64],
    out_im: &mut [f64],
) {
    use Operand::Run;
    if !single {
        return binary_lanes(op, (Run(ar), Run(ai)), (Run(br), Run(bi)), out_re, out_im);
    }
    let narrow = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let (ar, ai, br, bi) = (narrow(ar), narrow(ai), narrow(br), narrow(bi));
    let (mut re, mut im) = (vec![0.0f32; out_re.len()], vec![0.0f32; out_im.len()]);
    binary_lanes(
        op,
        (Run(&ar), Run(&ai)),
        (Run(&br), Run(&bi)),
        &mut re,
        &mut im,
    );
    for (o, v) in out_re.iter_mut().zip(re).chain(out_im.iter_mut().zip(im)) {
        *o = f64::from(v);
    }
}

/// Complex `a * b` or `a / b` of lanes.
fn binary_lanes<T: Real>(
    op: BinOp,
    a: (Operand<'_, T>, Operand<'_, T>),
    b: (Operand<'_, T>, Operand<'_, T>),
    re: &mut [T],
    im: &mut [T],
) {
    match op {
        BinOp::Mul => kernels::complex_mul(a.0, a.1, b.0, b.1, re, im),
        BinOp::Div => divide_lanes(a, b, re, im),
        _ => unreachable!("complex lanes multiply and divide"),
    }
}

/// `a / b` of complex lanes (each a real and an imaginary operand) into
/// `re`, `im`, by NumPy's formula (Smith's: the smaller part of the
/// divisor over the larger, then one division by the scaled divisor), so
/// the bits are NumPy's; the formula's two cases are selects, so the loop
/// vectorises.
pub fn divide_lanes<T: Real>(
    a: (Operand<'_, T>, Operand<'_, T>),
    b: (Operand<'_, T>, Operand<'_, T>),
    re: &mut [T],
    im: &mut [T],
) {
    // Every operand a run (a number spread into one), so that every
    // division takes the one loop, which vectorises, and gives the same
    // bits (NaN's sign and payload included) whatever its operands' kinds.
    let n = re.len();
    let mut held: [Vec<T>; 4] = Default::default();
    let [h0, h1, h2, h3] = &mut held;
    let a = (spread(a.0, h0, n), spread(a.1, h1, n));
    let b = (spread(b.0, h2, n), spread(b.1, h3, n));
    dispatch(Divide { a, b, re, im })
}

struct Divide<'a, T> {
    a: (&'a [T], &'a [T]),
    b: (&'a [T], &'a [T]),
    re: &'a mut [T],
    im: &'a mut [T],
}

impl<T: Real> WithSimd for Divide<'_, T> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let Divide { a, b, re, im } = self;
        // Zipped runs: no bounds check in the loop, which kept it scalar
        // when the operands were indexed by position.
        let n = re.len();
        let a = a.0[..n].iter().zip(&a.1[..n]);
        let b = b.0[..n].iter().zip(&b.1[..n]);
        for (((r, i), (&ar, &ai)), (&br, &bi)) in re.iter_mut().zip(im.iter_mut()).zip(a).zip(b) {
            (*r, *i) = smith((ar, ai), (br, bi));
        }
    }
}

/// NumPy's complex division (`nc_quot`'s Smith's algorithm; a zero
/// divisor divides each part by a zero), its branches as selects: the
/// same operations on the same operands, so the same bits.
#[inline(always)]
fn smith<T: num_traits::Float>((ar, ai): (T, T), (br, bi): (T, T)) -> (T, T) {
    let (one, zero) = (T::one(), T::zero());
    let (abs_br, abs_bi) = (br.abs(), bi.abs());
    // The larger part of the divisor `p`, the smaller `q`, and the
    // dividend's parts in the order the formula takes them.
    let wide = abs_br >= abs_bi;
    let (p, q) = if wide { (br, bi) } else { (bi, br) };
    let (u, v) = if wide { (ar, ai) } else { (ai, ar) };
    let rat = q / p;
    let scl = one / (p + q * rat);
    let w = u * rat;
    // Real part: ar + ai·rat, or ar·rat + ai; imaginary part: ai - ar·rat,
    // or ai·rat - ar.
    let real = (u + v * rat) * scl;
    let imag = (if wide { v } else { w }) - (if wide { w } else { v });
    let imag = imag * scl;
    if abs_br == zero && abs_bi == zero {
        (ar / abs_br, ai / abs_bi)
    } else {
        (real, imag)
    }
}

/// `exp` of each value, as [`sqrt`] takes them.
pub fn exp(re: &[f64], im: &[f64], single: bool, out_re: &mut [f64], out_im: &mut [f64]) {
    dispatch(Apply {
        f: Exp,
        re,
        im,
        single,
        out_re,
        out_im,
    })
}

/// A function of complex values: its vector form for ordinary values and
/// its scalar form for the rest.
trait Function: Copy {
    /// For a value that [`ordinary`] admits (selects only, so a loop of
    /// it vectorises).
    fn fast(self, x: f64, y: f64) -> (f64, f64);
    /// For any value, in float64.
    fn any(self, x: f64, y: f64) -> (f64, f64);
    /// Whether [`Function::fast`] holds for `x + iy`: both parts finite
    /// and, unless they are complex64's parts, each zero or within 2^±500.
    #[inline(always)]
    fn ordinary(x: f64, y: f64, single: bool) -> bool {
        ordinary(x, y, single)
    }
    /// The float64 result rounded to the dtype's precision as NumPy's
    /// loop of that dtype would give it.
    fn round(self, r: (f64, f64), single: bool) -> (f64, f64) {
        if single {
            (f64::from(r.0 as f32), f64::from(r.1 as f32))
        } else {
            r
        }
    }
}

/// Whether `x + iy` is ordinary for `sqrt` and `log`: both parts finite
/// and, unless they are complex64's parts, each zero or within 2^±500.
#[inline(always)]
fn ordinary(x: f64, y: f64, single: bool) -> bool {
    let fits = |v: f64| {
        let a = v.abs();
        a == 0.0 || (SMALL..=BIG).contains(&a)
    };
    if single {
        x.is_finite() && y.is_finite()
    } else {
        fits(x) && fits(y)
    }
}

struct Apply<'a, F> {
    f: F,
    re: &'a [f64],
    im: &'a [f64],
    single: bool,
    out_re: &'a mut [f64],
    out_im: &'a mut [f64],
}

impl<F: Function> WithSimd for Apply<'_, F> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let Apply {
            f,
            re,
            im,
            single,
            out_re,
            out_im,
        } = self;
        assert!(re.len() == im.len() && re.len() == out_re.len() && re.len() == out_im.len());
        let mut rare = 0u64;
        for (((&x, &y), a), b) in re
            .iter()
            .zip(im)
            .zip(out_re.iter_mut())
            .zip(out_im.iter_mut())
        {
            (*a, *b) = f.round(f.fast(x, y), single);
            rare |= u64::from(!F::ordinary(x, y, single));
        }
        if rare == 0 {
            return;
        }
        // The rest: infinities, NaN, extreme complex128 values.
        for (k, (&x, &y)) in re.iter().zip(im).enumerate() {
            if !F::ordinary(x, y, single) {
                (out_re[k], out_im[k]) = f.round(f.any(x, y), single);
            }
        }
    }
}

#[derive(Clone, Copy)]
struct Sqrt;

impl Function for Sqrt {
    /// `t = √((|x| + |z|) / 2)`, then `t + i·y/2t` for `x ≥ 0` and
    /// `|y|/2t ± i·t` (`y`'s sign) for `x < 0`: the sum under the root
    /// adds two non-negative numbers, so neither part cancels.
    #[inline(always)]
    fn fast(self, x: f64, y: f64) -> (f64, f64) {
        let ax = x.abs();
        let r = (x * x + y * y).sqrt();
        let t = (0.5 * (ax + r)).sqrt();
        // |y|/2t is |y/2t|: one division.
        let v = 0.5 * y / t;
        let (a, b) = if x >= 0.0 {
            (t, v)
        } else {
            (v.abs(), t.copysign(y))
        };
        // √(±0 ± i0) is +0 with the imaginary part's zero.
        if t == 0.0 {
            (0.0, y)
        } else {
            (a, b)
        }
    }

    /// C99's special values (Annex G.6.4.2, as glibc returns them), and
    /// finite values past 2^±500 scaled by an even power of two into
    /// range first.
    fn any(self, x: f64, y: f64) -> (f64, f64) {
        if y.is_infinite() {
            return (f64::INFINITY, y);
        }
        if x == f64::NEG_INFINITY {
            let re = if y.is_nan() { f64::NAN } else { 0.0 };
            return (re, f64::INFINITY.copysign(y));
        }
        if x == f64::INFINITY {
            let im = if y.is_nan() {
                f64::NAN
            } else {
                0.0f64.copysign(y)
            };
            return (x, im);
        }
        if x.is_nan() || y.is_nan() {
            return (f64::NAN, f64::NAN);
        }
        if ordinary(x, y, false) {
            return self.fast(x, y);
        }
        // |z| = 2^2m |z'| with the larger part of z' near 1: √z = 2^m √z',
        // and the part divided by 2t from the unscaled y.
        let big = x.abs().max(y.abs());
        let m = (exponent(big) / 2).clamp(-511, 511);
        let t = self.fast(scale(x, -2 * m), scale(y, -2 * m));
        let t = scale(if x >= 0.0 { t.0 } else { t.1.abs() }, m);
        if t == 0.0 {
            return (0.0, y);
        }
        if x >= 0.0 {
            (t, 0.5 * y / t)
        } else {
            (0.5 * y.abs() / t, t.copysign(y))
        }
    }
}

#[derive(Clone, Copy)]
struct Log {
    ten: bool,
}

/// `a + b` as its rounded sum and the error of that rounding (Knuth).
#[inline(always)]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let v = s - a;
    (s, (a - (s - v)) + (b - v))
}

impl Log {
    /// `ln |z|` and the angle. Near the unit circle (`1/2 ≤ |z|² ≤ 2`),
    /// `ln |z| = ½ ln(1 + u)` with `u = x² + y² - 1` summed from the
    /// squares' exact parts (fused multiply-adds) with their rounding
    /// errors kept, and `ln(1 + u)` as `ln v + (u - (v - 1)) / v` for the
    /// rounded `v = 1 + u` (exact `v - 1`); elsewhere `½ ln(x² + y²)`.
    #[inline(always)]
    fn parts(x: f64, y: f64) -> (f64, f64) {
        let (ax, ay) = (x.abs(), y.abs());
        let (a, b) = if ax >= ay { (ax, ay) } else { (ay, ax) };
        let p = a * a;
        let q = b * b;
        let s = p + q;
        let near = (0.5..=2.0).contains(&s);
        let ep = a.mul_add(a, -p);
        let eq = b.mul_add(b, -q);
        let (h1, l1) = two_sum(p, -1.0);
        let (h2, l2) = two_sum(h1, q);
        let (r1, e1) = two_sum(l1, l2);
        let (r2, e2) = two_sum(r1, ep);
        let (r3, e3) = two_sum(r2, eq);
        let u = h2 + (r3 + (e1 + e2 + e3));
        let v = if near { 1.0 + u } else { s };
        let fix = if near { (u - (v - 1.0)) / v } else { 0.0 };
        (0.5 * (ln(v) + fix), atan2(y, x))
    }
}

impl Function for Log {
    #[inline(always)]
    fn fast(self, x: f64, y: f64) -> (f64, f64) {
        Log::parts(x, y)
    }

    /// C99's special values (Annex G.6.3.2): an infinite part makes the
    /// real part +inf whatever the other; a NaN part makes both NaN
    /// otherwise; the angle is `atan2`'s. Finite values past 2^±500
    /// scaled by a power of two into range first.
    fn any(self, x: f64, y: f64) -> (f64, f64) {
        if x.is_infinite() || y.is_infinite() {
            return (f64::INFINITY, atan2(y, x));
        }
        if x.is_nan() || y.is_nan() {
            return (f64::NAN, f64::NAN);
        }
        if ordinary(x, y, false) {
            return Log::parts(x, y);
        }
        // |z| = 2^k |z'|: ln |z| = k ln 2 + ln |z'| (none is near 1).
        let big = x.abs().max(y.abs());
        let k = exponent(big);
        let (re, _) = Log::parts(scale(x, -k), scale(y, -k));
        (re + f64::from(k) * std::f64::consts::LN_2, atan2(y, x))
    }

    /// NumPy's `log10` multiplies `log`'s parts by log10(e) in the
    /// dtype's precision.
    fn round(self, (re, im): (f64, f64), single: bool) -> (f64, f64) {
        const LOG10E32: f32 = std::f32::consts::LOG10_E;
        match (single, self.ten) {
            (true, true) => (
                f64::from(re as f32 * LOG10E32),
                f64::from(im as f32 * LOG10E32),
            ),
            (true, false) => (f64::from(re as f32), f64::from(im as f32)),
            (false, true) => (
                re * std::f64::consts::LOG10_E,
                im * std::f64::consts::LOG10_E,
            ),
            (false, false) => (re, im),
        }
    }
}

#[derive(Clone, Copy)]
struct Exp;

/// Past these `e^x` overflows or is subnormal, and `sin y`, `cos y` need
/// a reduction by more bits of π/2 than [`sin_cos`] keeps.
const EXP_EDGE: f64 = 708.0;
const TURN_EDGE: f64 = (1u64 << 20) as f64;

impl Function for Exp {
    /// `e^x · cos y + i·e^x · sin y`, `e^x` by the vector `exp` of the
    /// float64 lanes and the sine and cosine by [`sin_cos`].
    #[inline(always)]
    fn fast(self, x: f64, y: f64) -> (f64, f64) {
        let e = super::kernels::exp(x);
        let (s, c) = sin_cos(y);
        // e^x + i0 for a real value, as the library gives it.
        (e * c, if y == 0.0 { y } else { e * s })
    }

    /// The library's (through `num_complex`, whose special values are
    /// C99's), for infinities, NaN and parts past the edges.
    fn any(self, x: f64, y: f64) -> (f64, f64) {
        if Exp::ordinary(x, y, false) {
            return self.fast(x, y);
        }
        let z = num_complex::Complex64::new(x, y).exp();
        (z.re, z.im)
    }

    #[inline(always)]
    fn ordinary(x: f64, y: f64, _single: bool) -> bool {
        x.abs() <= EXP_EDGE && y.abs() <= TURN_EDGE
    }
}

/// `sin y` and `cos y` of a float64 with `|y| ≤ 2^20`, branch-free:
/// `y = n·π/2 + r` with `π/2` in parts of 33 bits (each `n·part` exact),
/// `r` as `r0 + r1`, then fdlibm's kernels (`k_sin.c`, `k_cos.c`,
/// Sun Microsystems 1993, "Permission to use, copy, modify, and distribute
/// this software is freely granted, provided that this notice is
/// preserved") and the quadrant `n mod 4` choosing and negating them.
#[inline(always)]
fn sin_cos(y: f64) -> (f64, f64) {
    const INV_PIO2: f64 = f64::from_bits(0x3FE4_5F30_6DC9_C883);
    const PIO2_1: f64 = f64::from_bits(0x3FF9_21FB_5440_0000);
    const PIO2_1T: f64 = f64::from_bits(0x3DD0_B461_1A62_6331);
    const PIO2_2: f64 = f64::from_bits(0x3DD0_B461_1A60_0000);
    const PIO2_2T: f64 = f64::from_bits(0x3BA3_198A_2E03_7073);
    const PIO2_3: f64 = f64::from_bits(0x3BA3_198A_2E00_0000);
    const PIO2_3T: f64 = f64::from_bits(0x397B_839A_2520_49C1);
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let big = y * INV_PIO2 + ROUND;
    let n = big - ROUND;
    let quadrant = big.to_bits() & 3;
    // fdlibm's reduction of a medium argument (`e_rem_pio2.c`): a first
    // round good to 85 bits, a second (118 bits) where the first lost more
    // than 16 bits to cancellation, a third (151 bits) where the second
    // lost more than 49; all three computed and one selected.
    let field = |v: f64| ((v.to_bits() >> 52) & 0x7ff) as i64;
    let top = field(y);
    let r = y - n * PIO2_1;
    let w = n * PIO2_1T;
    let y0 = r - w;
    let t = r;
    let w2 = n * PIO2_2;
    let r2 = t - w2;
    let w2 = n * PIO2_2T - ((t - r2) - w2);
    let y02 = r2 - w2;
    let t = r2;
    let w3 = n * PIO2_3;
    let r3 = t - w3;
    let w3 = n * PIO2_3T - ((t - r3) - w3);
    let y03 = r3 - w3;
    let (second, third) = (top - field(y0) > 16, top - field(y02) > 49);
    let (r, w, r0) = match (second, third) {
        (false, _) => (r, w, y0),
        (true, false) => (r2, w2, y02),
        (true, true) => (r3, w3, y03),
    };
    let r1 = (r - r0) - w;
    let (s, c) = (kernel_sin(r0, r1), kernel_cos(r0, r1));
    // Quadrants 0 to 3: (s, c), (c, -s), (-s, -c), (-c, s); the signs
    // as bits, so that no table of jumps is made of it.
    let odd = quadrant & 1 == 1;
    let (sin, cos) = if odd { (c, s) } else { (s, c) };
    let flip = |v: f64, bit: u64| f64::from_bits(v.to_bits() ^ ((bit & 2) << 62));
    (flip(sin, quadrant), flip(cos, quadrant + 1))
}

/// fdlibm's `__kernel_sin(x, y, 1)` for `|x| ≤ π/4`, `y` the tail of `x`.
#[inline(always)]
fn kernel_sin(x: f64, y: f64) -> f64 {
    const S1: f64 = f64::from_bits(0xBFC5_5555_5555_5549);
    const S2: f64 = f64::from_bits(0x3F81_1111_1110_F8A6);
    const S3: f64 = f64::from_bits(0xBF2A_01A0_19C1_61D5);
    const S4: f64 = f64::from_bits(0x3EC7_1DE3_57B1_FE7D);
    const S5: f64 = f64::from_bits(0xBE5A_E5E6_8A2B_9CEB);
    const S6: f64 = f64::from_bits(0x3DE5_D93A_5ACF_D57C);
    let z = x * x;
    let v = z * x;
    let r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    x - ((z * (0.5 * y - v * r) - y) - v * S1)
}

/// fdlibm's `__kernel_cos(x, y)` for `|x| ≤ π/4` (FreeBSD's form).
#[inline(always)]
fn kernel_cos(x: f64, y: f64) -> f64 {
    const C1: f64 = f64::from_bits(0x3FA5_5555_5555_554C);
    const C2: f64 = f64::from_bits(0xBF56_C16C_16C1_5177);
    const C3: f64 = f64::from_bits(0x3EFA_01A0_19CB_1590);
    const C4: f64 = f64::from_bits(0xBE92_7E4F_809C_52AD);
    const C5: f64 = f64::from_bits(0x3E21_EE9E_BDB4_B1C4);
    const C6: f64 = f64::from_bits(0xBDA8_FAE9_BE88_38D4);
    let z = x * x;
    let w = z * z;
    let r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + (z * r - x * y))
}

/// The power of two of a finite non-zero `v` (`v = 2^e · [1, 2)`).
fn exponent(v: f64) -> i32 {
    if v == 0.0 {
        return 0;
    }
    let (w, shift) = if v.abs() < f64::MIN_POSITIVE {
        (v * 2f64.powi(64), 64)
    } else {
        (v, 0)
    };
    ((w.to_bits() >> 52) & 0x7ff) as i32 - 1023 - shift
}

/// `v · 2^k`, exact while the result is normal, in steps that neither
/// overflow nor underflow on the way.
fn scale(v: f64, k: i32) -> f64 {
    let mut v = v;
    let mut k = k;
    while k != 0 {
        let step = k.clamp(-1000, 1000);
        v *= 2f64.powi(step);
        k -= step;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values in every region the functions split: both signs of each
    /// part, zeros, near the axes and the unit circle, complex128 parts
    /// past 2^±500 and subnormal, infinities and NaN.
    fn values() -> Vec<(f64, f64)> {
        let parts = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -3.0,
            1e-300,
            -1e300,
            5e-324,
            1.7e308,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        let mut v: Vec<(f64, f64)> = parts
            .iter()
            .flat_map(|&x| parts.iter().map(move |&y| (x, y)))
            .collect();
        for k in 0..64 {
            let t = f64::from(k) * 0.1;
            v.push((t.cos(), t.sin()));
            v.push((1.0, 1e-9 * f64::from(k)));
            v.push((-2.0 * f64::from(k), 1e-20));
        }
        v
    }

    /// The vector loop (its fix-up of the rare values after it included)
    /// against the scalar path applied one value at a time.
    fn agrees<F: Function>(f: F, single: bool) {
        let v = values();
        let (re, im): (Vec<f64>, Vec<f64>) = v
            .iter()
            .map(|&(x, y)| {
                if single {
                    (f64::from(x as f32), f64::from(y as f32))
                } else {
                    (x, y)
                }
            })
            .unzip();
        let (mut a, mut b) = (vec![0.0; re.len()], vec![0.0; re.len()]);
        dispatch(Apply {
            f,
            re: &re,
            im: &im,
            single,
            out_re: &mut a,
            out_im: &mut b,
        });
        for k in 0..re.len() {
            let (p, q) = f.round(f.any(re[k], im[k]), single);
            let same = |u: f64, w: f64| u.to_bits() == w.to_bits() || (u.is_nan() && w.is_nan());
            assert!(
                same(a[k], p) && same(b[k], q),
                "{:?}: loop {:?}, scalar {:?}",
                (re[k], im[k]),
                (a[k], b[k]),
                (p, q)
            );
        }
    }

    #[test]
    fn loops_give_the_scalar_paths_bits() {
        for single in [false, true] {
            agrees(Sqrt, single);
            agrees(Log { ten: false }, single);
            agrees(Log { ten: true }, single);
        }
    }

    /// The division's selects against the branches of the general path's
    /// `complex_op` (NumPy's `nc_quot` as written), and the product's
    /// loop against its formula, bit for bit, in float32 and float64, with
    /// each operand of lanes or of one value.
    #[test]
    fn products_and_quotients_give_the_scalar_formulas_bits() {
        fn check<T: Real>(v: &[(f64, f64)]) {
            let narrow =
                |k: usize| -> (T, T) { (T::from(v[k].0).unwrap(), T::from(v[k].1).unwrap()) };
            let n = v.len();
            let (ar, ai): (Vec<T>, Vec<T>) = (0..n).map(narrow).unzip();
            let (br, bi): (Vec<T>, Vec<T>) = (0..n).rev().map(narrow).unzip();
            let (mut re, mut im) = (vec![T::zero(); n], vec![T::zero(); n]);
            let same = |u: T, w: T| {
                u == w && u.is_sign_negative() == w.is_sign_negative() || u.is_nan() && w.is_nan()
            };
            fn side<'a, T: Real>(
                one: bool,
                r: &'a [T],
                i: &'a [T],
            ) -> (Operand<'a, T>, Operand<'a, T>) {
                if one {
                    (Operand::All(r[3]), Operand::All(i[3]))
                } else {
                    (Operand::Run(r), Operand::Run(i))
                }
            }
            for (op, first, second) in [BinOp::Div, BinOp::Mul].into_iter().flat_map(|op| {
                [(false, false), (false, true), (true, false)].map(|(a, b)| (op, a, b))
            }) {
                let (a, b) = (side(first, &ar, &ai), side(second, &br, &bi));
                binary_lanes(op, a, b, &mut re, &mut im);
                for k in 0..n {
                    let (c, d) = (if first { 3 } else { k }, if second { 3 } else { k });
                    let (p, q) =
                        crate::compute::elementwise::complex_op(op, (ar[c], ai[c]), (br[d], bi[d]));
                    assert!(
                        same(re[k], p) && same(im[k], q),
                        "{k}: {} vs {}",
                        re[k].wide(),
                        p.wide()
                    );
                }
            }
        }
        check::<f32>(&values());
        check::<f64>(&values());
    }

    /// The vector sine and cosine against the library's, within one unit
    /// in the last place: small and whole angles, near multiples of π/2
    /// (where the reduction cancels) up to 2^20, both signs.
    #[test]
    fn sines_and_cosines_agree_with_the_library() {
        let mut ys: Vec<f64> = (0..2000).map(|k| f64::from(k) * 0.0137 - 13.0).collect();
        for k in [1.0, 2.0, 3.0, 100.0, 12345.0, 600_000.0] {
            let m = k * std::f64::consts::FRAC_PI_2;
            ys.extend([m, m.next_up(), m.next_down(), -m, m + 1e-9]);
        }
        ys.extend([0.0, -0.0, 1e-300, 5e-324, TURN_EDGE, -TURN_EDGE, 1.0, 0.5]);
        for y in ys {
            let (s, c) = sin_cos(y);
            let (ls, lc) = y.sin_cos();
            let ulp = |v: f64| v.abs().next_up() - v.abs();
            assert!((s - ls).abs() <= ulp(ls), "sin {y:e}: {s:e} vs {ls:e}");
            assert!((c - lc).abs() <= ulp(lc), "cos {y:e}: {c:e} vs {lc:e}");
        }
    }

    #[test]
    fn square_roots_square_back() {
        for (x, y) in values() {
            let (a, b) = Sqrt.any(x, y);
            if !(x.is_finite() && y.is_finite()) || x.abs().max(y.abs()) > 1e300 {
                continue;
            }
            // (a + ib)² = a² - b² + 2abi, within a few ulp of |z|.
            let (p, q) = (a * a - b * b, 2.0 * a * b);
            let size = x.abs().max(y.abs());
            assert!(a >= 0.0, "{x} {y}");
            assert!((p - x).abs() <= 1e-15 * size + 1e-300, "{x} {y}: {p}");
            assert!((q - y).abs() <= 1e-15 * size + 1e-300, "{x} {y}: {q}");
        }
    }
}
