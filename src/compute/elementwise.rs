//! The general path's elementwise operations on float64 blocks: NumPy's
//! unary functions (`unary_block`) and binary operators (`binary_block`),
//! Python's floor division and modulo, complex arithmetic in the precision
//! of the dtype (`complex_op`, Smith's division), NumPy's magnitude
//! formula, `round` with `decimals`, and the vectorised logarithm applied
//! to float32 results. The float32 lanes (`fused`) use the same complex
//! and magnitude functions, so both paths give the same bits. int64 and
//! uint64 operands go to `exact_unary`/`exact_binary` instead, which work
//! on the exact values (`Block::ints`).

use super::cmath;
use super::codec::cast;
use super::kernels::{self, Log};
use super::{Block, Func};
use crate::dtype::{Kind, Scalar};
use crate::ops::BinOp;

/// NumPy's `round`: `rint(x * 10^d) / 10^d` (or `rint(x / 10^-d) * 10^-d`),
/// each step rounded to `d`'s float type; integers are unchanged for
/// `decimals >= 0` and rounded to tens, hundreds, ... below.
pub(super) fn round_decimals(v: f64, decimals: i32, d: Scalar) -> f64 {
    let r = |x: f64| if d.kind == Kind::Float { cast(x, d) } else { x };
    if d.kind != Kind::Float {
        if decimals >= 0 {
            return v;
        }
        let p = 10f64.powi(-decimals);
        return cast((v / p).round_ties_even() * p, d);
    }
    if decimals >= 0 {
        let p = r(10f64.powi(decimals));
        r(r(v * p).round_ties_even() / p)
    } else {
        let p = r(10f64.powi(-decimals));
        r(r(v / p).round_ties_even() * p)
    }
}

/// Whether results are float32, where the vectorised logarithm and `exp`
/// are exact enough (their float64 error is far below float32's rounding).
pub(super) fn single(to: Scalar) -> bool {
    to.kind == Kind::Float && to.size == 4
}

/// Whether a float16 is made (computed in float32, as NumPy does).
fn half(to: Scalar) -> bool {
    to.kind == Kind::Float && to.size == 2
}

/// Each value rounded to float32 (a float16 result's first rounding).
fn through_single(xs: &mut [f64]) {
    xs.iter_mut().for_each(|x| *x = f64::from(*x as f32));
}

/// `ln`, `log10` or `db` (`20·log10` of values already made magnitudes)
/// in place, by the vectorised logarithm.
pub(super) fn ln_f32<T: kernels::Real>(xs: &mut [T], f: Func) {
    let scale = match f {
        Func::Log => 1.0,
        Func::Log10 => std::f64::consts::LOG10_E,
        _ => 20.0 * std::f64::consts::LOG10_E,
    };
    kernels::scaled_ln(xs, scale);
}

/// A block of real values.
pub(super) fn real(re: Vec<f64>) -> Block {
    Block {
        re,
        im: None,
        ints: None,
    }
}

/// `g(re, im)` of every element, statically dispatched so the loop inlines.
#[inline]
pub(super) fn map2(x: &Block, g: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    match &x.im {
        Some(im) => x.re.iter().zip(im).map(|(&r, &i)| g(r, i)).collect(),
        None => x.re.iter().map(|&r| g(r, 0.0)).collect(),
    }
}

/// |re + i·im| as NumPy's complex `absolute` computes it (its SIMD loop:
/// larger · sqrt(fma(q, q, 1)) with q = smaller / larger), in float32 for
/// complex64, so that results agree bit for bit.
pub(super) fn magnitude(re: f64, im: f64, single: bool) -> f64 {
    if single {
        return magnitude32(re as f32, im as f32) as f64;
    }
    let (a, b) = (re.abs(), im.abs());
    let (m, n) = (if a > b { a } else { b }, if a > b { b } else { a });
    let q = n / m;
    let r = if m == 0.0 {
        0.0
    } else {
        m * q.mul_add(q, 1.0).sqrt()
    };
    if a.is_infinite() || b.is_infinite() {
        f64::INFINITY
    } else if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        r
    }
}

/// The float32 magnitude, branch-free so that loops over it vectorise:
/// NumPy's `fma(q, q, 1)` one instruction in the kernels compiled for AVX2
/// and AVX-512 (a call to libm's `fmaf` elsewhere). Computing q·q + 1 in
/// float64 and rounding to float32 gives the same bits for every float32
/// q in [0, 1] (checked over all of them), but costs four conversions per
/// vector: `stats abs(d)` took 0.28-0.29 s that way, 0.24-0.26 s so.
#[inline(always)]
pub(crate) fn magnitude32(re: f32, im: f32) -> f32 {
    let (a, b) = (re.abs(), im.abs());
    let (m, n) = (if a > b { a } else { b }, if a > b { b } else { a });
    let q = n / m;
    let r = m * q.mul_add(q, 1.0).sqrt();
    let r = if m == 0.0 { 0.0 } else { r };
    let r = if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        r
    };
    if a == f32::INFINITY || b == f32::INFINITY {
        f32::INFINITY
    } else {
        r
    }
}

pub(super) fn unary_block(f: Func, x: &Block, from: Scalar, to: Scalar) -> Block {
    let complex_in = from.kind == Kind::Complex;
    match f {
        Func::Pos => x.clone(),
        Func::Neg => Block {
            re: map2(x, |r, _| -r),
            im: x.im.as_ref().map(|v| v.iter().map(|i| -i).collect()),
            ints: None,
        },
        Func::Not => Block {
            re: map2(x, |r, _| {
                if from.kind == Kind::Bool {
                    f64::from(u8::from(r == 0.0))
                } else {
                    !(r as i64) as f64
                }
            }),
            im: None,
            ints: None,
        },
        Func::Abs if complex_in => real(map2(x, |r, i| magnitude(r, i, from.size == 8))),
        Func::Abs => real(map2(x, |r, _| r.abs())),
        Func::Angle => real(map2(x, |r, i| kernels::atan2(i, r))),
        // In the dtype's own precision (complex64's parts in float32).
        Func::Reciprocal if complex_in => complex_map(x, |z| {
            let (re, im) = if from.size == 8 {
                let (p, q) = reciprocal((z.re as f32, z.im as f32));
                (f64::from(p), f64::from(q))
            } else {
                reciprocal((z.re, z.im))
            };
            num_complex::Complex64::new(re, im)
        }),
        Func::Reciprocal => real(map2(x, |r, _| 1.0 / r)),
        Func::Sqrt if complex_in => {
            complex_loop(x, |re, im, a, b| cmath::sqrt(re, im, to.size == 8, a, b))
        }
        Func::Exp if complex_in => {
            complex_loop(x, |re, im, a, b| cmath::exp(re, im, to.size == 8, a, b))
        }
        Func::Log | Func::Log10 if complex_in => complex_loop(x, |re, im, a, b| {
            cmath::log(re, im, to.size == 8, f == Func::Log10, a, b)
        }),
        // float16 results as NumPy's float16 loop makes them
        // (`npy_float_to_half(npy_logf(x))`): float32's, rounded to
        // float32 before float16, as the float32 lanes do.
        Func::Log | Func::Log10 | Func::Db if single(to) || half(to) => {
            let mut re = match f {
                Func::Db if complex_in => map2(x, |r, i| magnitude(r, i, from.size == 8)),
                Func::Db => map2(x, |r, _| r.abs()),
                _ => x.re.clone(),
            };
            ln_f32(&mut re, f);
            if half(to) {
                through_single(&mut re);
            }
            real(re)
        }
        Func::Exp => {
            let mut re = x.re.clone();
            kernels::exp_in_place(&mut re);
            if half(to) {
                through_single(&mut re);
            }
            real(re)
        }
        Func::Sqrt => real(map2(x, |r, _| r.sqrt())),
        Func::Log | Func::Log10 | Func::Db => {
            let (mut re, base) = match f {
                Func::Log => (x.re.clone(), Log::Natural),
                Func::Log10 => (x.re.clone(), Log::Ten),
                _ if complex_in => (
                    map2(x, |r, i| magnitude(r, i, from.size == 8)),
                    Log::Decibels,
                ),
                _ => (map2(x, |r, _| r.abs()), Log::Decibels),
            };
            kernels::log_in_place(&mut re, base);
            real(re)
        }
        Func::Conj => Block {
            re: x.re.clone(),
            im: x.im.as_ref().map(|v| v.iter().map(|i| -i).collect()),
            ints: None,
        },
        Func::Real => Block {
            re: x.re.clone(),
            im: None,
            ints: None,
        },
        Func::Imag => real(map2(x, |_, i| i)),
        Func::IsNan => real(map2(x, |r, i| {
            f64::from(u8::from(r.is_nan() || i.is_nan()))
        })),
        Func::IsFinite => Block {
            re: map2(x, |r, i| {
                f64::from(u8::from(r.is_finite() && i.is_finite()))
            }),
            im: None,
            ints: None,
        },
        Func::Round(decimals) => {
            let part = if complex_in {
                Scalar::new(Kind::Float, from.size / 2, from.order)
            } else {
                from
            };
            let f = |v: f64| round_decimals(v, decimals, part);
            Block {
                re: x.re.iter().map(|&v| f(v)).collect(),
                im: x.im.as_ref().map(|im| im.iter().map(|&v| f(v)).collect()),
                ints: None,
            }
        }
    }
    .with_kind(to)
}

impl Block {
    pub(super) fn with_kind(mut self, to: Scalar) -> Block {
        if to.kind != Kind::Complex {
            self.im = None;
        }
        self
    }
}

/// A complex block through a loop over its parts into new parts (a
/// block without imaginary parts has zeros there).
fn complex_loop(x: &Block, f: impl Fn(&[f64], &[f64], &mut [f64], &mut [f64])) -> Block {
    let zeros;
    let im = match &x.im {
        Some(im) => im.as_slice(),
        None => {
            zeros = vec![0.0; x.len()];
            &zeros
        }
    };
    let (mut re, mut out_im) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    f(&x.re, im, &mut re, &mut out_im);
    Block {
        re,
        im: Some(out_im),
        ints: None,
    }
}

pub(super) fn complex_map(
    x: &Block,
    f: impl Fn(num_complex::Complex64) -> num_complex::Complex64,
) -> Block {
    let mut re = Vec::with_capacity(x.len());
    let mut im = Vec::with_capacity(x.len());
    for k in 0..x.len() {
        let z = f(num_complex::Complex64::new(x.re[k], x.im_at(k)));
        re.push(z.re);
        im.push(z.im);
    }
    Block {
        re,
        im: Some(im),
        ints: None,
    }
}

/// Python's and NumPy's floor division of floats (`npy_floor_divide`): the
/// remainder's adjustment of `npy_divmod`, then the quotient snapped to a
/// whole number, in the operands' own precision (NumPy divides float32 in
/// float32, whose `(a - mod) / b` rounds apart from float64's).
pub(crate) fn floor_div<F: num_traits::Float>(a: F, b: F) -> F {
    let (zero, one) = (F::zero(), F::one());
    if b == zero {
        return a / b;
    }
    let m = a % b;
    let mut div = (a - m) / b;
    if m != zero && ((b < zero) != (m < zero)) {
        div = div - one;
    }
    if div == zero {
        return zero.copysign(a / b);
    }
    let f = div.floor();
    if div - f > one / (one + one) {
        f + one
    } else {
        f
    }
}

/// Python's and NumPy's remainder of floats (`npy_remainder`): the sign of
/// the divisor, NaN for a zero divisor.
pub(crate) fn py_mod<F: num_traits::Float>(a: F, b: F) -> F {
    let zero = F::zero();
    if b == zero {
        return F::nan();
    }
    let m = a % b;
    if m != zero && ((b < zero) != (m < zero)) {
        m + b
    } else if m == zero {
        zero.copysign(b)
    } else {
        m
    }
}

/// `a ** b` of floats as NumPy's power loop computes an exponent that
/// varies: `a * a` for 2 (NumPy squares), else the library's `pow`.
pub(crate) fn power(a: f64, b: f64) -> f64 {
    if b == 2.0 {
        a * a
    } else {
        a.powf(b)
    }
}

/// NumPy's power loop for an exponent that is one number: its fast cases
/// where the library's `pow` would give other bits (so `-0.0 ** 0.5` is
/// -0.0 and `-inf ** 0.5` NaN). Both evaluators take them from here.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ScalarPower {
    /// `x ** -1`: `1 / x`.
    Reciprocal,
    /// `x ** 0.5`: `sqrt(x)`.
    Sqrt,
}

impl ScalarPower {
    /// The fast case of exponent `e`; `None` for any other, which
    /// [`power`] computes.
    pub(crate) fn of(e: f64) -> Option<ScalarPower> {
        if e == -1.0 {
            Some(ScalarPower::Reciprocal)
        } else if e == 0.5 {
            Some(ScalarPower::Sqrt)
        } else {
            None
        }
    }

    pub(crate) fn apply(self, x: f64) -> f64 {
        match self {
            ScalarPower::Reciprocal => 1.0 / x,
            ScalarPower::Sqrt => x.sqrt(),
        }
    }
}

/// NumPy's `nc_reciprocal` of a complex value in the precision of `T`:
/// the smaller part over the larger, then one division by the result.
pub(super) fn reciprocal<T: num_traits::Float>((ar, ai): (T, T)) -> (T, T) {
    let one = T::one();
    if ai.abs() <= ar.abs() {
        let r = ai / ar;
        let d = ar + ai * r;
        (one / d, -r / d)
    } else {
        let r = ar / ai;
        let d = ar * r + ai;
        (r / d, -one / d)
    }
}

/// A complex operation in the precision of `T`, with NumPy's formulas
/// (Smith's algorithm for division), so complex64 results match NumPy's.
pub(super) fn complex_op<T: num_traits::Float>(
    op: BinOp,
    (ar, ai): (T, T),
    (br, bi): (T, T),
) -> (T, T) {
    // f32 and f64 convert to and from f64 always (to infinity at worst).
    let from_f64 = |x: f64| T::from(x).unwrap_or_else(T::nan);
    let to_f64 = |x: T| x.to_f64().unwrap_or(f64::NAN);
    let zero = T::zero();
    let one = T::one();
    match op {
        BinOp::Add => (ar + br, ai + bi),
        BinOp::Sub => (ar - br, ai - bi),
        // NumPy's SIMD loop contracts these to fused multiply-adds. A NaN
        // part is NumPy's positive quiet NaN (which NaN operand the
        // hardware passes on, with its sign, depends on the instruction's
        // form; the vector loop, `kernels::complex_mul`, does the same).
        BinOp::Mul => {
            let nan = |v: T| if v.is_nan() { T::nan() } else { v };
            (
                nan(ar.mul_add(br, -(ai * bi))),
                nan(ar.mul_add(bi, ai * br)),
            )
        }
        BinOp::Div => {
            let (abs_br, abs_bi) = (br.abs(), bi.abs());
            if abs_br >= abs_bi {
                if abs_br == zero && abs_bi == zero {
                    (ar / abs_br, ai / abs_bi)
                } else {
                    let rat = bi / br;
                    let scl = one / (br + bi * rat);
                    ((ar + ai * rat) * scl, (ai - ar * rat) * scl)
                }
            } else {
                let rat = br / bi;
                let scl = one / (bi + br * rat);
                ((ar * rat + ai) * scl, (ai * rat - ar) * scl)
            }
        }
        // NumPy's npy_cpow: x**0 is 1, 0**b is 0 or NaN, whole exponents
        // below 100 in magnitude by repeated multiplication (then 1/r for
        // a negative one), the rest through the logarithm.
        BinOp::Pow if br == zero && bi == zero => (one, zero),
        BinOp::Pow if ar == zero && ai == zero => {
            if br > zero {
                (zero, zero)
            } else {
                (T::nan(), T::nan())
            }
        }
        BinOp::Pow if bi == zero && br.abs() < from_f64(100.0) && br == br.trunc() => {
            let mul = |(a, b): (T, T), (c, d): (T, T)| (a * c - b * d, a * d + b * c);
            let a = (ar, ai);
            let n = br.to_i64().unwrap_or(0);
            match n {
                1 => a,
                2 => mul(a, a),
                3 => mul(a, mul(a, a)),
                _ => {
                    let (mut left, mut acc, mut p) = (n.unsigned_abs(), (one, zero), a);
                    loop {
                        if left & 1 == 1 {
                            acc = mul(acc, p);
                        }
                        left >>= 1;
                        if left == 0 {
                            break;
                        }
                        p = mul(p, p);
                    }
                    if n < 0 {
                        complex_op(BinOp::Div, (one, zero), acc)
                    } else {
                        acc
                    }
                }
            }
        }
        BinOp::Pow => {
            let z = num_complex::Complex64::new(to_f64(ar), to_f64(ai))
                .powc(num_complex::Complex64::new(to_f64(br), to_f64(bi)));
            (from_f64(z.re), from_f64(z.im))
        }
        BinOp::Eq => (if ar == br && ai == bi { one } else { zero }, zero),
        BinOp::Ne => (if ar != br || ai != bi { one } else { zero }, zero),
        _ => (T::nan(), zero),
    }
}

/// `x + y` or `x - y` of complex blocks, part by part in loops the
/// compiler vectorises (the general complex loop matches the operator per
/// element). `single`: complex64, each part rounded to float32 before and
/// after, as NumPy adds in float32. A missing imaginary part is a zero
/// that still takes part (`-0.0 + 0.0` is `0.0`, as in NumPy).
pub(super) fn complex_add_sub(sub: bool, x: &Block, y: &Block, single: bool) -> Block {
    fn parts(x: &Block, y: &Block, g: impl Fn(f64, f64) -> f64 + Copy) -> Block {
        let n = x.len();
        let im = match (x.im.as_deref(), y.im.as_deref()) {
            (Some(a), Some(b)) => zip_map(&a[..n], &b[..n], g),
            (Some(a), None) => a[..n].iter().map(|&a| g(a, 0.0)).collect(),
            (None, Some(b)) => b[..n].iter().map(|&b| g(0.0, b)).collect(),
            (None, None) => vec![g(0.0, 0.0); n],
        };
        Block {
            re: zip_map(&x.re[..n], &y.re[..n], g),
            im: Some(im),
            ints: None,
        }
    }
    match (single, sub) {
        (true, false) => parts(x, y, |a, b| ((a as f32) + (b as f32)) as f64),
        (true, true) => parts(x, y, |a, b| ((a as f32) - (b as f32)) as f64),
        (false, false) => parts(x, y, |a, b| a + b),
        (false, true) => parts(x, y, |a, b| a - b),
    }
}

/// `f` of each pair, in one loop over two slices of the same length.
pub(super) fn zip_map(a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    a.iter().zip(b).map(|(&a, &b)| f(a, b)).collect()
}

pub(super) fn binary_block(op: BinOp, x: &Block, y: &Block, operand: Scalar, to: Scalar) -> Block {
    let n = x.len();
    let int_domain = matches!(to.kind, Kind::Int | Kind::UInt | Kind::Bool);
    let complex = x.im.is_some() || y.im.is_some() || to.kind == Kind::Complex;
    if complex && matches!(op, BinOp::Add | BinOp::Sub) && to.kind == Kind::Complex {
        return complex_add_sub(op == BinOp::Sub, x, y, to.size == 8);
    }
    if complex && matches!(op, BinOp::Mul | BinOp::Div) && to.kind == Kind::Complex {
        let zeros = vec![
            0.0;
            if x.im.is_none() || y.im.is_none() {
                n
            } else {
                0
            }
        ];
        let (mut re, mut im) = (vec![0.0; n], vec![0.0; n]);
        cmath::binary_blocks(
            op,
            (&x.re[..n], x.im.as_deref().map_or(&zeros[..], |v| &v[..n])),
            (&y.re[..n], y.im.as_deref().map_or(&zeros[..], |v| &v[..n])),
            to.size == 8,
            &mut re,
            &mut im,
        );
        return Block {
            re,
            im: Some(im),
            ints: None,
        };
    }
    if complex && !matches!(op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge) {
        let mut re = Vec::with_capacity(n);
        let mut im = Vec::with_capacity(n);
        let single = to.kind == Kind::Complex && to.size == 8;
        for k in 0..n {
            let (a, b) = ((x.re[k], x.im_at(k)), (y.re[k], y.im_at(k)));
            let r = if single {
                let f = |v: (f64, f64)| (v.0 as f32, v.1 as f32);
                let (p, q) = complex_op(op, f(a), f(b));
                (p as f64, q as f64)
            } else {
                complex_op(op, a, b)
            };
            re.push(r.0);
            im.push(r.1);
        }
        return Block {
            re,
            im: Some(im),
            ints: None,
        }
        .with_kind(to);
    }
    let _ = operand;
    let (a, b) = (&x.re[..n], &y.re[..n]);
    // The operator matched once, then one loop the compiler can vectorise.
    let re = match op {
        BinOp::Add => zip_map(a, b, |a, b| a + b),
        BinOp::Sub => zip_map(a, b, |a, b| a - b),
        BinOp::Mul => zip_map(a, b, |a, b| a * b),
        BinOp::Div => zip_map(a, b, |a, b| a / b),
        BinOp::FloorDiv if int_domain => {
            zip_map(a, b, |a, b| if b == 0.0 { 0.0 } else { (a / b).floor() })
        }
        // float32 and float16 in float32, as NumPy divides them.
        BinOp::FloorDiv if to.size <= 4 => {
            zip_map(a, b, |a, b| f64::from(floor_div(a as f32, b as f32)))
        }
        BinOp::FloorDiv => zip_map(a, b, floor_div),
        BinOp::Mod if int_domain => zip_map(a, b, |a, b| {
            if b == 0.0 {
                0.0
            } else {
                a - b * (a / b).floor()
            }
        }),
        BinOp::Mod if to.size <= 4 => zip_map(a, b, |a, b| f64::from(py_mod(a as f32, b as f32))),
        BinOp::Mod => zip_map(a, b, py_mod),
        // float32 and float16 results: the vectorised float32 power.
        BinOp::Pow if to.kind == Kind::Float && to.size <= 4 => {
            let mut re = a.to_vec();
            super::kernels::pow_single(&mut re, super::kernels::Operand::Run(b));
            // float16: NumPy's float32 power, rounded to float32 first
            // (`npy_float_to_half(npy_powf(a, b))`), as the lanes do.
            if half(to) {
                through_single(&mut re);
            }
            re
        }
        // NumPy squares for an exponent of 2 (glibc's pow(x, 2) is off by an
        // ulp from x * x for about one float64 in a thousand).
        BinOp::Pow => zip_map(a, b, power),
        BinOp::And => zip_map(a, b, |a, b| ((a as i64) & (b as i64)) as f64),
        BinOp::Or => zip_map(a, b, |a, b| ((a as i64) | (b as i64)) as f64),
        BinOp::Xor => zip_map(a, b, |a, b| ((a as i64) ^ (b as i64)) as f64),
        // NumPy orders complex numbers by real part, then imaginary part
        // (its CLT/CLE/CGT/CGE: a NaN imaginary part makes a real-part
        // decision false).
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge if complex => (0..n)
            .map(|k| {
                let (xr, xi, yr, yi) = (a[k], x.im_at(k), b[k], y.im_at(k));
                let parts = !xi.is_nan() && !yi.is_nan();
                let r = match op {
                    BinOp::Lt => (xr < yr && parts) || (xr == yr && xi < yi),
                    BinOp::Le => (xr < yr && parts) || (xr == yr && xi <= yi),
                    BinOp::Gt => (xr > yr && parts) || (xr == yr && xi > yi),
                    _ => (xr > yr && parts) || (xr == yr && xi >= yi),
                };
                f64::from(u8::from(r))
            })
            .collect(),
        BinOp::Lt => zip_map(a, b, |a, b| f64::from(u8::from(a < b))),
        BinOp::Le => zip_map(a, b, |a, b| f64::from(u8::from(a <= b))),
        BinOp::Gt => zip_map(a, b, |a, b| f64::from(u8::from(a > b))),
        BinOp::Ge => zip_map(a, b, |a, b| f64::from(u8::from(a >= b))),
        BinOp::Eq if x.im.is_none() && y.im.is_none() => {
            zip_map(a, b, |a, b| f64::from(u8::from(a == b)))
        }
        BinOp::Ne if x.im.is_none() && y.im.is_none() => {
            zip_map(a, b, |a, b| f64::from(u8::from(a != b)))
        }
        BinOp::Eq => (0..n)
            .map(|k| f64::from(u8::from(a[k] == b[k] && x.im_at(k) == y.im_at(k))))
            .collect(),
        BinOp::Ne => (0..n)
            .map(|k| f64::from(u8::from(a[k] != b[k] || x.im_at(k) != y.im_at(k))))
            .collect(),
    };
    Block {
        re,
        im: None,
        ints: None,
    }
}

/// A function of 64-bit integers, exactly (wrapped by the caller into the
/// result's dtype).
pub(super) fn exact_unary(f: Func, x: &Block) -> Block {
    let g = |h: fn(i128) -> i128| Block {
        re: Vec::new(),
        im: None,
        ints: Some((0..x.len()).map(|k| h(x.int_at(k))).collect()),
    };
    let mut b = match f {
        Func::Neg => g(|v| -v),
        Func::Not => g(|v| !v),
        Func::Abs => g(i128::abs),
        Func::Imag => g(|_| 0),
        Func::Pos | Func::Conj | Func::Real | Func::Round(_) => g(|v| v),
        // Functions with float results never have a wide integer dtype.
        _ => unreachable!("{} of integers is a float", f.name()),
    };
    b.re = vec![0.0; x.len()];
    b
}

/// An operator on integers (at least one of them 64-bit), exactly in
/// i128 and wrapped by the caller into the result's dtype: NumPy's
/// integer loops, whose wrap-around is modulo 2^64 (or the comparison of
/// the exact values, int64 against uint64 included).
pub(super) fn exact_binary(op: BinOp, x: &Block, y: &Block) -> Block {
    let n = x.len();
    let ints = (0..n)
        .map(|k| {
            let (a, b) = (x.int_at(k), y.int_at(k));
            match op {
                BinOp::Add => a.wrapping_add(b),
                BinOp::Sub => a.wrapping_sub(b),
                BinOp::Mul => a.wrapping_mul(b),
                // NumPy: division by zero gives 0 (with a warning).
                BinOp::FloorDiv if b == 0 => 0,
                BinOp::FloorDiv => int_floor_div(a, b),
                BinOp::Mod if b == 0 => 0,
                BinOp::Mod => int_mod(a, b),
                BinOp::Pow => {
                    // Modulo 2^64 by squaring (negative exponents are
                    // refused before evaluation).
                    let (mut base, mut e, mut acc) = (a as u64, b.max(0) as u128, 1u64);
                    while e > 0 {
                        if e & 1 == 1 {
                            acc = acc.wrapping_mul(base);
                        }
                        base = base.wrapping_mul(base);
                        e >>= 1;
                    }
                    i128::from(acc)
                }
                BinOp::And => a & b,
                BinOp::Or => a | b,
                BinOp::Xor => a ^ b,
                BinOp::Lt => i128::from(a < b),
                BinOp::Le => i128::from(a <= b),
                BinOp::Gt => i128::from(a > b),
                BinOp::Ge => i128::from(a >= b),
                BinOp::Eq => i128::from(a == b),
                BinOp::Ne => i128::from(a != b),
                BinOp::Div => unreachable!("true division of integers is a float"),
            }
        })
        .collect();
    Block {
        re: vec![0.0; n],
        im: None,
        ints: Some(ints),
    }
}

/// Python's (and NumPy's) integer `a // b`: the quotient rounded down
/// (`b` not zero). The array path and Python scalars both use it.
pub(crate) fn int_floor_div(a: i128, b: i128) -> i128 {
    a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0)
}

/// Python's integer `a % b`: the remainder with the divisor's sign (`b`
/// not zero).
pub(crate) fn int_mod(a: i128, b: i128) -> i128 {
    let r = a.rem_euclid(b);
    if b < 0 && r != 0 {
        r + b
    } else {
        r
    }
}
