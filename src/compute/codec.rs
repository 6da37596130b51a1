//! The one codec between bytes and numbers: an element of any scalar
//! dtype decoded to a [`Num`] (`decode_num`, and runs of them into a
//! [`Block`]: `leaf_run`, with a loop of each dtype's own type, vector
//! loops where the elements are contiguous), a float64 result rounded to
//! what its dtype holds (`cast`: float32 rounding, integer wrap-around,
//! NumPy's values for NaN), and numbers encoded back into bytes
//! (`encode_num`, `encode_block_into`).

use super::{kernels, Block, Num};
use crate::dtype::{ByteOrder, Elem, Kind, Scalar};

/// `v` rounded once to the nearest float16 (ties to even), as NumPy's
/// `npy_double_to_half`. `half::f16::from_f64` rounds through float32 on
/// x86 (twice: a value just past a tie lands on it, then goes to even), and
/// its software path ignores the low 32 bits. Rounding to float32 towards
/// odd first keeps the second rounding right: float32 has 13 more bits.
pub fn f16_from(v: f64) -> half::f16 {
    let r = v as f32;
    if !v.is_finite() || !r.is_finite() {
        return half::f16::from_f32(r);
    }
    // Towards zero, then odd where inexact.
    let r = if f64::from(r).abs() > v.abs() {
        f32::from_bits(r.to_bits() - 1)
    } else {
        r
    };
    let r = if f64::from(r) != v {
        f32::from_bits(r.to_bits() | 1)
    } else {
        r
    };
    half::f16::from_f32(r)
}

/// Rounds an f64 result to what a value of `dtype` holds (float32
/// rounding, integer wrap-around, bool as 0/1).
/// [`cast`] of every value, with the dtype matched once: one tight loop
/// per kind (nothing to do for float64), not a call per value.
pub fn cast_slice(xs: &mut [f64], dtype: Scalar) {
    match (dtype.kind, dtype.size) {
        (Kind::Float, 8) | (Kind::Complex, 16) => {}
        (Kind::Float, 4) | (Kind::Complex, 8) => {
            for v in xs {
                *v = *v as f32 as f64;
            }
        }
        (Kind::Bool, _) => {
            for v in xs {
                *v = f64::from(u8::from(*v != 0.0));
            }
        }
        _ => {
            for v in xs {
                *v = cast(*v, dtype);
            }
        }
    }
}

pub fn cast(x: f64, dtype: Scalar) -> f64 {
    match (dtype.kind, dtype.size) {
        (Kind::Float, 4) | (Kind::Complex, 8) => x as f32 as f64,
        (Kind::Float, 2) => crate::compute::f16_from(x).to_f64(),
        (Kind::Float, _) | (Kind::Complex, _) => x,
        (Kind::Bool, _) => f64::from(u8::from(x != 0.0)),
        (Kind::Int, size) => {
            // NaN and infinities: what x86's conversion gives NumPy (the
            // 32-bit or 64-bit "integer indefinite", narrowed to 0 below).
            if !x.is_finite() {
                return match size {
                    8 => i64::MIN as f64,
                    4 => i32::MIN as f64,
                    _ => 0.0,
                };
            }
            let v = x as i128 as i64;
            match size {
                1 => v as i8 as f64,
                2 => v as i16 as f64,
                4 => v as i32 as f64,
                _ => v as f64,
            }
        }
        (Kind::UInt, size) => {
            if !x.is_finite() {
                return if size == 8 && x != f64::INFINITY {
                    9223372036854775808.0
                } else {
                    0.0
                };
            }
            let v = x as i128 as u64;
            match size {
                1 => v as u8 as f64,
                2 => v as u16 as f64,
                4 => v as u32 as f64,
                _ => v as f64,
            }
        }
    }
}

/// NumPy's cast of a float to the integer or boolean dtype `d`
/// (`astype`), as its loops on x86 compute it: truncated toward zero, and
/// where that leaves the range of the conversion instruction (NaN and the
/// infinities too) its "integer indefinite", the lowest value, narrowed
/// like any other. int8 to uint16 and int32 convert through int32, int64
/// through int64; uint32 and uint64 as NumPy's vector loops (arrays of
/// four or more elements) do: a value past the unsigned range is 0, one
/// below the signed range the signed indefinite's bits. NumPy warns of an
/// invalid value for all of these; the value is what it gives.
pub fn float_to_int(x: f64, d: Scalar) -> i128 {
    const I32: f64 = 2147483648.0;
    const I64: f64 = 9223372036854775808.0;
    // `trunc(x) >= -2^31` is `x > -2^31 - 1`; `as` truncates (and NaN
    // fails every comparison).
    let int32 = if x > -I32 - 1.0 && x < I32 {
        x as i64
    } else {
        i32::MIN.into()
    };
    // Below 2^63 a float64 is a whole number or within (-2^63, 2^63).
    let int64 = if (-I64..I64).contains(&x) {
        x as i64
    } else {
        i64::MIN
    };
    match (d.kind, d.size) {
        (Kind::Bool, _) => i128::from(x != 0.0),
        (Kind::Int, 8) => int64.into(),
        (Kind::UInt, 8) if x >= I64 => {
            if x < 2.0 * I64 {
                (x as u64).into()
            } else {
                0
            }
        }
        (Kind::UInt, 8) => (int64 as u64).into(),
        (Kind::UInt, 4) if x >= I32 => {
            if x < 2.0 * I32 {
                (x as u32).into()
            } else {
                0
            }
        }
        (Kind::UInt, 4) if x > -I32 - 1.0 => (int32 as u32).into(),
        (Kind::UInt, 4) => 1 << 31,
        _ => wrap_int(int32.into(), d),
    }
}

/// int64 and uint64: the dtypes whose values are not all f64s (past
/// 2^53), so a [`Block`] of them also holds them exactly in `ints`.
pub fn wide(d: Scalar) -> bool {
    matches!(d.kind, Kind::Int | Kind::UInt) && d.size == 8
}

/// An exact integer as an element of the integer (or bool) dtype `d`
/// holds it: wrapped around, as NumPy's integer arithmetic and casts do.
pub fn wrap_int(v: i128, d: Scalar) -> i128 {
    match (d.kind, d.size) {
        (Kind::Bool, _) => i128::from(v != 0),
        (Kind::Int, 1) => (v as i8).into(),
        (Kind::Int, 2) => (v as i16).into(),
        (Kind::Int, 4) => (v as i32).into(),
        (Kind::Int, _) => (v as i64).into(),
        (Kind::UInt, 1) => (v as u8).into(),
        (Kind::UInt, 2) => (v as u16).into(),
        (Kind::UInt, 4) => (v as u32).into(),
        (Kind::UInt, _) => (v as u64).into(),
        _ => v,
    }
}

/// An exact integer as a float of `d` (correctly rounded once, as C's
/// conversion from int64 is).
pub fn int_to_float(v: i128, d: Scalar) -> f64 {
    match d.size {
        2 => crate::compute::f16_from(v as f64).to_f64(),
        4 | 8 if d.kind == Kind::Complex => v as f32 as f64,
        4 => v as f32 as f64,
        _ => v as f64,
    }
}

/// One element of a 64-bit integer dtype, exactly.
pub fn decode_wide(s: Scalar, b: &[u8]) -> i128 {
    match s.decode(b) {
        Elem::Int(i) => i.into(),
        Elem::UInt(u) => u.into(),
        other => unreachable!("a 64-bit integer dtype decodes to an integer, not {other:?}"),
    }
}

/// Decodes one element of a scalar dtype as a number, by the one reader
/// of bytes ([`Scalar::decode`]).
pub fn decode_num(s: Scalar, b: &[u8]) -> Num {
    match s.decode(b) {
        Elem::Bool(v) => Num::real(f64::from(u8::from(v))),
        Elem::Int(i) => Num::real(i as f64),
        Elem::UInt(u) => Num::real(u as f64),
        Elem::Float(x, _) => Num::real(x),
        Elem::Complex(re, im, _) => Num { re, im },
        other => unreachable!("a scalar dtype decodes to a number, not {other:?}"),
    }
}

/// The element a number is, as printed for `dtype`.
pub fn num_elem(n: Num, dtype: Scalar) -> Elem {
    match dtype.kind {
        Kind::Bool => Elem::Bool(n.re != 0.0),
        Kind::Int => Elem::Int(n.re as i64),
        Kind::UInt => Elem::UInt(n.re as u64),
        Kind::Float => Elem::Float(n.re, dtype.size),
        Kind::Complex => Elem::Complex(n.re, n.im, dtype.size / 2),
    }
}

/// Where decoded values go: float64 (the general path's blocks), float32
/// (the lanes, for dtypes whose values float32 holds exactly) or 64-bit
/// integers (the integer lanes, for integers of up to 32 bits).
pub(super) trait Decoded: Copy + 'static {
    fn of(v: f64) -> Self;

    /// An integer or boolean of up to 32 bits.
    fn of_int(v: i64) -> Self;

    /// Contiguous little-endian float16 values decoded by the processor's
    /// own conversion ([`kernels::halves_into`]); false where there is none.
    fn halves(_run: &[u8], _out: &mut [Self]) -> bool {
        false
    }
}

impl Decoded for f64 {
    #[inline(always)]
    fn of(v: f64) -> f64 {
        v
    }

    fn halves(run: &[u8], out: &mut [f64]) -> bool {
        kernels::halves_into(run, out, |h| f64::from(half_to_single(h)))
    }

    #[inline(always)]
    fn of_int(v: i64) -> f64 {
        v as f64
    }
}

impl Decoded for f32 {
    #[inline(always)]
    fn of(v: f64) -> f32 {
        v as f32
    }

    fn halves(run: &[u8], out: &mut [f32]) -> bool {
        kernels::halves_into(run, out, half_to_single)
    }

    #[inline(always)]
    fn of_int(v: i64) -> f32 {
        v as f32
    }
}

impl Decoded for i32 {
    /// Floats are never decoded into integer lanes.
    #[inline(always)]
    fn of(v: f64) -> i32 {
        v as i32
    }

    /// The integers of the 32-bit lanes: int32 and those narrower.
    #[inline(always)]
    fn of_int(v: i64) -> i32 {
        v as i32
    }
}

impl Decoded for i64 {
    /// Floats are never decoded into integer lanes.
    #[inline(always)]
    fn of(v: f64) -> i64 {
        v as i64
    }

    #[inline(always)]
    fn of_int(v: i64) -> i64 {
        v
    }
}

/// The real values of `kind` and `size` (a complex dtype's part: a float)
/// at the start of each `stride`-byte chunk of `run` (which ends with the
/// last value), by the loop of their own type ([`kernels::decode_run`]).
pub(super) fn decode_part<O: Decoded>(
    run: &[u8],
    stride: usize,
    kind: Kind,
    size: usize,
    big: bool,
    out: &mut [O],
) {
    // `$of`: `O::of` for floats (through float64), `O::of_int` for
    // integers, which convert straight into the output type (exactly:
    // float32 output only for those of up to 16 bits).
    macro_rules! with {
        ($t:ty, $n:literal, $of:ident, $wide:expr) => {{
            let wide = $wide;
            if big {
                kernels::decode_run::<$n, O, _>(run, stride, out, move |b| {
                    O::$of(wide(<$t>::from_be_bytes(b)))
                });
            } else {
                kernels::decode_run::<$n, O, _>(run, stride, out, move |b| {
                    O::$of(wide(<$t>::from_le_bytes(b)))
                });
            }
        }};
    }
    match (kind, size) {
        (Kind::Bool, _) => with!(u8, 1, of_int, |v: u8| i64::from(v != 0)),
        (Kind::Int, 1) => with!(i8, 1, of_int, i64::from),
        (Kind::UInt, 1) => with!(u8, 1, of_int, i64::from),
        (Kind::Int, 2) => with!(i16, 2, of_int, i64::from),
        (Kind::UInt, 2) => with!(u16, 2, of_int, i64::from),
        (Kind::Int, 8) => with!(i64, 8, of_int, |v: i64| v),
        // Its bits: only the integer lanes read uint64 this way.
        (Kind::UInt, 8) => with!(u64, 8, of_int, |v: u64| v as i64),
        (Kind::Int, _) => with!(i32, 4, of_int, i64::from),
        (Kind::UInt, _) => with!(u32, 4, of_int, i64::from),
        (Kind::Float, 2) if !big && stride == 2 && O::halves(run, out) => {}
        (Kind::Float, 2) => with!(u16, 2, of, |v: u16| f64::from(half_to_single(v))),
        (Kind::Float, 4) => with!(f32, 4, of, f64::from),
        _ => with!(f64, 8, of, |v: f64| v),
    }
}

/// A float16 value, given by its bits, as float32 (exactly), without a
/// branch or a library call, so that a loop of it vectorises: `half`'s
/// own conversion asks the processor for F16C on every call. A normal
/// value's exponent and mantissa shifted into float32's places with the
/// exponent's bias added as an integer; a subnormal one its mantissa
/// converted and scaled by 2^-24 (both exact); infinities and NaN keep
/// their payload, NaN made quiet as the hardware conversion makes it.
/// No float operation here sees a subnormal operand: scaling the shifted
/// bits of every value by 2^112, as this did before, made the one value
/// in 32 of random bits that is subnormal a subnormal float32 operand,
/// which this processor multiplies slowly (`sum(e)` over 1 Gi float16
/// took 0.93-1.17 s, 0.45-0.55 s now).
#[inline(always)]
pub(super) fn half_to_single(h: u16) -> f32 {
    let h = u32::from(h);
    let sign = (h & 0x8000) << 16;
    let em = h & 0x7fff;
    let normal = f32::from_bits((em << 13) + (112 << 23));
    let subnormal = em as f32 * f32::from_bits(0x3380_0000);
    let special =
        f32::from_bits((em << 13) | 0x7f80_0000 | if em > 0x7c00 { 0x0040_0000 } else { 0 });
    let v = if em >= 0x7c00 {
        special
    } else if em >= 0x400 {
        normal
    } else {
        subnormal
    };
    f32::from_bits(v.to_bits() | sign)
}

/// `len` elements of `dtype` every `stride` bytes of `run` (which ends
/// with the last element), decoded by the loop of the dtype's own type
/// ([`kernels::decode_run`]) into `out`, whose buffers are reused: every
/// integer of up to 4 bytes, float16, float32 and float64 in either byte
/// order, complex parts likewise. False (nothing written) for the dtypes
/// `leaf_run` decodes itself.
fn typed_run_into(run: &[u8], stride: usize, len: usize, dtype: Scalar, out: &mut Block) -> bool {
    let typed = matches!(
        (dtype.kind, dtype.size),
        (Kind::Bool, 1)
            | (Kind::Int | Kind::UInt, 1 | 2 | 4)
            | (Kind::Float, 2 | 4 | 8)
            | (Kind::Complex, 8 | 16)
    );
    if !typed {
        return false;
    }
    let big = dtype.order == ByteOrder::Big && dtype.size > 1;
    out.ints = None;
    out.re.resize(len, 0.0);
    if dtype.kind == Kind::Complex {
        let half = dtype.size / 2;
        decode_part(run, stride, Kind::Float, half, big, &mut out.re);
        let im = out.im.get_or_insert_with(Vec::new);
        im.resize(len, 0.0);
        decode_part(&run[half..], stride, Kind::Float, half, big, im);
    } else {
        out.im = None;
        decode_part(run, stride, dtype.kind, dtype.size, big, &mut out.re);
    }
    true
}

/// [`leaf_run`] into `out`, reusing its buffers, where the run goes
/// forward and the dtype has its own loop; false (nothing written)
/// otherwise.
pub(super) fn leaf_run_into(
    bytes: &[u8],
    base: usize,
    stride: isize,
    len: usize,
    dtype: Scalar,
    out: &mut Block,
) -> bool {
    let size = dtype.size;
    if stride < size as isize || len == 0 {
        return false;
    }
    let stride = stride as usize;
    let run = &bytes[base..base + (len - 1) * stride + size];
    if wide(dtype) {
        wide_run_into(run, stride, len, dtype, out);
        return true;
    }
    typed_run_into(run, stride, len, dtype, out)
}

/// `len` 64-bit integers every `stride` bytes of `run` into `out`, exactly
/// (`Block::ints`) and rounded to float64, reusing its buffers: the bytes
/// read straight (not element by element through `Scalar::decode`), each
/// value rounded from its own 64-bit type (not from 128 bits, a library
/// call per value).
fn wide_run_into(run: &[u8], stride: usize, len: usize, dtype: Scalar, out: &mut Block) {
    let mut ints = out.ints.take().unwrap_or_default();
    ints.resize(len, 0);
    out.re.resize(len, 0.0);
    out.im = None;
    kernels::dispatch(WideRun {
        run,
        stride,
        dtype,
        ints: &mut ints,
        re: &mut out.re,
    });
    out.ints = Some(ints);
}

struct WideRun<'a> {
    run: &'a [u8],
    stride: usize,
    dtype: Scalar,
    ints: &'a mut [i128],
    re: &'a mut [f64],
}

impl pulp::WithSimd for WideRun<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let WideRun {
            run,
            stride,
            dtype,
            ints,
            re,
        } = self;
        let len = ints.len();
        if len == 0 {
            return;
        }
        // One chunk per element, no index arithmetic (whose overflow
        // checks kept the loop scalar), and the dtype's loop chosen once.
        let span = run[..(len - 1) * stride + 8].chunks(stride);
        macro_rules! decode {
            ($from:ident, $signed:expr) => {
                for ((v, f), e) in ints.iter_mut().zip(re.iter_mut()).zip(span) {
                    let u = u64::$from(e[..8].try_into().expect("8 bytes"));
                    (*v, *f) = if $signed {
                        (i128::from(u as i64), u as i64 as f64)
                    } else {
                        (i128::from(u), u as f64)
                    };
                }
            };
        }
        match (dtype.kind == Kind::Int, dtype.order == ByteOrder::Big) {
            (true, false) => decode!(from_le_bytes, true),
            (true, true) => decode!(from_be_bytes, true),
            (false, false) => decode!(from_le_bytes, false),
            (false, true) => decode!(from_be_bytes, false),
        }
    }
}

/// A 64-bit integer's 8 bytes: its value and the value rounded to float64
/// from its own type.
#[inline(always)]
fn wide_value(dtype: Scalar, bytes: &[u8]) -> (i128, f64) {
    let b: [u8; 8] = bytes.try_into().expect("8 bytes");
    let u = if dtype.order == ByteOrder::Big {
        u64::from_be_bytes(b)
    } else {
        u64::from_le_bytes(b)
    };
    if dtype.kind == Kind::Int {
        (i128::from(u as i64), u as i64 as f64)
    } else {
        (i128::from(u), u as f64)
    }
}

/// `len` elements of `dtype` at `base + k·stride` in `bytes`, decoded.
pub(super) fn leaf_run(
    bytes: &[u8],
    base: usize,
    stride: isize,
    len: usize,
    dtype: Scalar,
) -> Block {
    // Forward strides: each dtype's own loop over the run.
    let mut b = Block::default();
    if leaf_run_into(bytes, base, stride, len, dtype, &mut b) {
        return b;
    }
    let complex = dtype.kind == Kind::Complex;
    let base = base as isize;
    let size = dtype.size;
    let mut re = Vec::with_capacity(len);
    let at = |k: usize| (base + k as isize * stride) as usize;
    if wide(dtype) {
        // Backward runs (forward ones were decoded above).
        let mut ints = Vec::with_capacity(len);
        for k in 0..len {
            let (v, f) = wide_value(dtype, &bytes[at(k)..at(k) + 8]);
            ints.push(v);
            re.push(f);
        }
        return Block {
            re,
            im: None,
            ints: Some(ints),
        };
    }
    // Fast paths for the common little-endian floats; the rest decode generally.
    match (dtype.kind, dtype.size, dtype.order) {
        (Kind::Float, 4, ByteOrder::Little) => {
            for k in 0..len {
                let o = at(k);
                re.push(
                    f32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) as f64,
                );
            }
            Block {
                re,
                im: None,
                ints: None,
            }
        }
        (Kind::Complex, 8, ByteOrder::Little) => {
            let mut im = Vec::with_capacity(len);
            for k in 0..len {
                let o = at(k);
                re.push(
                    f32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) as f64,
                );
                im.push(
                    f32::from_le_bytes([bytes[o + 4], bytes[o + 5], bytes[o + 6], bytes[o + 7]])
                        as f64,
                );
            }
            Block {
                re,
                im: Some(im),
                ints: None,
            }
        }
        _ => {
            let mut im = complex.then(|| Vec::with_capacity(len));
            for k in 0..len {
                let o = at(k);
                let n = decode_num(dtype, &bytes[o..o + size]);
                re.push(n.re);
                if let Some(im) = im.as_mut() {
                    im.push(n.im);
                }
            }
            Block { re, im, ints: None }
        }
    }
}

/// An integer's bytes as `s` holds it, wrapping as C casts do.
pub fn encode_int(i: i128, s: Scalar) -> Vec<u8> {
    let mut b = i.to_le_bytes()[..s.size].to_vec();
    if s.order == ByteOrder::Big {
        b.reverse();
    }
    b
}

/// The bytes of a number as an element of `dtype` (in its byte order).
pub fn encode_num(n: Num, d: Scalar) -> Vec<u8> {
    let mut out = Vec::with_capacity(d.size);
    encode_num_into(n, d, &mut out);
    out
}

/// [`encode_num`] appended to `out`, without a buffer of its own (the
/// loops that write millions of elements).
pub fn encode_num_into(n: Num, d: Scalar, out: &mut Vec<u8>) {
    let start = out.len();
    encode_native(n, d, out);
    if d.order != ByteOrder::NATIVE && d.size > 1 {
        // Each part in the dtype's byte order (complex: two parts).
        let part = if d.kind == Kind::Complex {
            d.size / 2
        } else {
            d.size
        };
        out[start..].chunks_mut(part).for_each(<[u8]>::reverse);
    }
}

/// A block's values as elements of `d`, appended to `out`: the common
/// native float kinds in one loop each, the rest element by element.
pub fn encode_block_into(b: &Block, d: Scalar, out: &mut Vec<u8>) {
    let native = d.order == ByteOrder::NATIVE || d.size == 1;
    match (d.kind, d.size, &b.im) {
        (Kind::Float, 4, _) if native => {
            let at = out.len();
            out.resize(at + b.re.len() * 4, 0);
            for (o, &x) in out[at..].chunks_exact_mut(4).zip(&b.re) {
                o.copy_from_slice(&(x as f32).to_ne_bytes());
            }
        }
        (Kind::Float, 8, _) if native => {
            out.reserve(b.re.len() * 8);
            b.re.iter()
                .for_each(|x| out.extend_from_slice(&x.to_ne_bytes()));
        }
        (Kind::Complex, 8, Some(im)) if native => {
            // Into the grown buffer in place: one store a part, no
            // per-element capacity checks.
            let at = out.len();
            out.resize(at + b.re.len() * 8, 0);
            for ((o, &r), &i) in out[at..].chunks_exact_mut(8).zip(&b.re).zip(im) {
                o[..4].copy_from_slice(&(r as f32).to_ne_bytes());
                o[4..].copy_from_slice(&(i as f32).to_ne_bytes());
            }
        }
        (Kind::Complex, 16, Some(im)) if native => {
            out.reserve(b.re.len() * 16);
            for (r, i) in b.re.iter().zip(im) {
                out.extend_from_slice(&r.to_ne_bytes());
                out.extend_from_slice(&i.to_ne_bytes());
            }
        }
        (Kind::Int | Kind::UInt, _, _) if b.ints.is_some() => {
            for k in 0..b.re.len() {
                out.extend(encode_int(b.int_at(k), d));
            }
        }
        _ => {
            for k in 0..b.re.len() {
                let n = Num {
                    re: b.re[k],
                    im: b.im_at(k),
                };
                encode_num_into(n, d, out);
            }
        }
    }
}

fn encode_native(n: Num, d: Scalar, out: &mut Vec<u8>) {
    let re = cast(n.re, d);
    let im = cast(n.im, d);
    match (d.kind, d.size) {
        (Kind::Bool, _) => out.push(u8::from(re != 0.0)),
        (Kind::Int, 1) => out.extend_from_slice(&(re as i8).to_ne_bytes()),
        (Kind::Int, 2) => out.extend_from_slice(&(re as i16).to_ne_bytes()),
        (Kind::Int, 4) => out.extend_from_slice(&(re as i32).to_ne_bytes()),
        (Kind::Int, _) => out.extend_from_slice(&(re as i64).to_ne_bytes()),
        (Kind::UInt, 1) => out.extend_from_slice(&(re as u8).to_ne_bytes()),
        (Kind::UInt, 2) => out.extend_from_slice(&(re as u16).to_ne_bytes()),
        (Kind::UInt, 4) => out.extend_from_slice(&(re as u32).to_ne_bytes()),
        (Kind::UInt, _) => out.extend_from_slice(&(re as u64).to_ne_bytes()),
        (Kind::Float, 2) => {
            out.extend_from_slice(&crate::compute::f16_from(re).to_bits().to_ne_bytes())
        }
        (Kind::Float, 4) => out.extend_from_slice(&(re as f32).to_ne_bytes()),
        (Kind::Float, _) => out.extend_from_slice(&re.to_ne_bytes()),
        (Kind::Complex, 8) => {
            out.extend_from_slice(&(re as f32).to_ne_bytes());
            out.extend_from_slice(&(im as f32).to_ne_bytes());
        }
        (Kind::Complex, _) => {
            out.extend_from_slice(&re.to_ne_bytes());
            out.extend_from_slice(&im.to_ne_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f16_from` rounds once to nearest, ties to even: for each pair of
    /// neighbouring finite float16 values (every one, subnormals and the
    /// last before infinity, whose neighbour is 65536), their midpoint
    /// (exact in float64) and values a float64 step or a 2^-40 share
    /// either side of it, against the side of the midpoint they fall on.
    #[test]
    fn float64_rounds_once_to_the_nearest_float16() {
        for bits in 0u16..=0x7bff {
            let (a, b) = (
                half::f16::from_bits(bits).to_f64(),
                half::f16::from_bits(bits + 1).to_f64(),
            );
            let b = if bits + 1 == 0x7c00 { 65536.0 } else { b };
            let m = (a + b) / 2.0;
            let even = if bits % 2 == 0 { bits } else { bits + 1 };
            for (v, want) in [
                (m, even),
                (m.next_up(), bits + 1),
                (m.next_down(), bits),
                (m + m * 2f64.powi(-40), bits + 1),
                (m - m * 2f64.powi(-40), bits),
            ] {
                for sign in [1.0, -1.0] {
                    let got = f16_from(sign * v).to_bits();
                    let want = want | if sign < 0.0 { 0x8000 } else { 0 };
                    assert_eq!(got, want, "{v:e} between {a:e} and {b:e}");
                }
            }
        }
    }

    /// Every one of float16's 65,536 values decodes to `half`'s float32,
    /// bit for bit (zeros, subnormals, infinities, NaN payloads made
    /// quiet), and the vector loop decodes a run of them, both byte
    /// orders, to the same bits.
    #[test]
    fn float16_decodes_as_half_does_for_every_value() {
        let all: Vec<u16> = (0..=u16::MAX).collect();
        for &h in &all {
            let want = half::f16::from_bits(h).to_f32();
            assert_eq!(half_to_single(h).to_bits(), want.to_bits(), "{h:#06x}");
        }
        for big in [false, true] {
            let bytes: Vec<u8> = all
                .iter()
                .flat_map(|h| {
                    if big {
                        h.to_be_bytes()
                    } else {
                        h.to_le_bytes()
                    }
                })
                .collect();
            let mut out = vec![0f32; all.len()];
            decode_part(&bytes, 2, Kind::Float, 2, big, &mut out);
            for (&h, v) in all.iter().zip(&out) {
                let want = half::f16::from_bits(h).to_f32();
                assert_eq!(v.to_bits(), want.to_bits(), "{h:#06x} big {big}");
            }
        }
    }

    /// The processor's conversion of float16 (16 at a time) gives the
    /// portable loop's bits for every value, into float32 and float64
    /// lanes, from any byte (the mapping need not align a run) and for
    /// lengths that leave a remainder; where there is no AVX-512 it says
    /// so rather than writing anything.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_processors_float16_conversion_gives_the_portable_loops_bits() {
        let all: Vec<u16> = (0..=u16::MAX).rev().chain(0..77).collect();
        let mut bytes = vec![0u8];
        bytes.extend(all.iter().flat_map(|h| h.to_le_bytes()));
        let avx512 = std::arch::is_x86_feature_detected!("avx512f");
        for (skip, len) in [(0, all.len()), (3, 1000), (17, 15), (5, 16)] {
            let run = &bytes[1 + 2 * skip..1 + 2 * (skip + len)];
            let mut single = vec![0f32; len];
            let mut double = vec![0f64; len];
            let a = kernels::halves_into(run, &mut single, half_to_single);
            let b = kernels::halves_into(run, &mut double, |h| f64::from(half_to_single(h)));
            assert_eq!((a, b), (avx512, avx512));
            if !avx512 {
                continue;
            }
            for (k, &h) in all[skip..skip + len].iter().enumerate() {
                let want = half_to_single(h);
                assert_eq!(single[k].to_bits(), want.to_bits(), "{h:#06x}");
                assert_eq!(double[k].to_bits(), f64::from(want).to_bits(), "{h:#06x}");
            }
        }
    }

    /// Decoding into one block again and again (as an evaluator does,
    /// reusing its buffers) gives what a fresh block gets, whatever the
    /// block held before: longer, shorter, complex or real.
    #[test]
    fn decoding_into_a_reused_block_gives_a_fresh_blocks_values() {
        let bytes: Vec<u8> = (0..4096u64)
            .map(|k| ((k * 2_654_435_761) >> 13) as u8)
            .collect();
        let mut out = Block::default();
        let steps = [
            ("<c8", 100, 8),
            (">i2", 50, 2),
            ("<f8", 300, 8),
            ("<c16", 70, 32),
            ("|u1", 7, 3),
        ];
        for (descr, len, stride) in steps {
            let dtype = crate::dtype::Dtype::parse_str(descr)
                .unwrap()
                .as_scalar()
                .unwrap();
            assert!(leaf_run_into(&bytes, 16, stride, len, dtype, &mut out));
            let fresh = leaf_run(&bytes, 16, stride, len, dtype);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
            assert_eq!(bits(&out.re), bits(&fresh.re), "{descr}");
            assert_eq!(
                out.im.as_deref().map(bits),
                fresh.im.as_deref().map(bits),
                "{descr}"
            );
        }
    }

    /// Every block decoder (the vector paths for little-endian float32
    /// and complex64, each dtype's own loop of `typed_run`, the scalar
    /// loops, the general path) gives
    /// what the one element reader gives, for every scalar dtype in both
    /// byte orders, forward, wide and reversed strides.
    #[test]
    fn block_decoders_agree_with_the_one_element_reader() {
        // Bytes that hold NaNs, infinities, subnormals and every sign.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let bytes: Vec<u8> = (0..16384)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let kinds = [
            (Kind::Bool, 1),
            (Kind::Int, 1),
            (Kind::Int, 2),
            (Kind::Int, 4),
            (Kind::Int, 8),
            (Kind::UInt, 1),
            (Kind::UInt, 2),
            (Kind::UInt, 4),
            (Kind::UInt, 8),
            (Kind::Float, 2),
            (Kind::Float, 4),
            (Kind::Float, 8),
            (Kind::Complex, 8),
            (Kind::Complex, 16),
        ];
        for (kind, size) in kinds {
            for order in [ByteOrder::Little, ByteOrder::Big] {
                let dtype = Scalar::new(kind, size, order);
                let s = size as isize;
                for stride in [s, 2 * s, 16.max(s), 3 * s + 1, -s, -2 * s] {
                    let len = 100;
                    let base = if stride < 0 {
                        (-stride as usize) * len
                    } else {
                        0
                    };
                    let block = leaf_run(&bytes, base, stride, len, dtype);
                    for k in 0..len {
                        let o = (base as isize + k as isize * stride) as usize;
                        let want = decode_num(dtype, &bytes[o..o + size]);
                        let got_re = block.re[k];
                        let got_im = block.im.as_ref().map_or(0.0, |im| im[k]);
                        assert!(
                            got_re.to_bits() == want.re.to_bits()
                                && got_im.to_bits() == want.im.to_bits(),
                            "{} stride {stride} element {k}: {got_re} {got_im} against {want:?}",
                            dtype.descr()
                        );
                    }
                }
            }
        }
    }
}
