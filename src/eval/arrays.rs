//! NumPy's functions whose results need the values in memory: `cumsum`,
//! `cumprod`, `nancumsum`, `diff`, `sort`, `argsort`, `unique`, `nonzero`,
//! `argwhere`, `flatnonzero`, `prod`, `nanprod`, `item`, `tolist`, and the
//! view-making `squeeze` and `take`. Each refuses, before allocating, a
//! view whose values would not fit in `set memory`, and says what to do.
//! Arithmetic follows NumPy's dtypes: running sums and products are
//! rounded to the result dtype at every step, as NumPy's accumulations are.

use super::call::{
    array_arg, int_scalar, interrupted, scalar_value, type_error, unexpected_keyword,
};
use super::{Session, Value};
use crate::compute::reduce::{for_blocks, nonzero_in};
use crate::compute::{cast, wide, wrap_int, Computed, Lazy, Num};
use crate::diag::Error;
use crate::dtype::{ByteOrder, Kind, Scalar};
use crate::ops::BinOp;
use crate::syntax::{Arg, Expr, ExprKind, IndexItem, Span};
use crate::view::Index;
use ndarray::{ArrayD, IxDyn};

/// Values with one axis moved last: real parts, imaginary parts, the
/// exact integers of a 64-bit integer dtype, the turned shape, and the
/// axis order used.
type Rows = (
    Vec<f64>,
    Vec<f64>,
    Option<Vec<i128>>,
    Vec<usize>,
    Vec<usize>,
);

/// C-order values as `values_of` reads them: real parts, imaginary parts
/// and, for int64/uint64 (whose values are not all f64s), the exact ones.
type Values = (Vec<f64>, Vec<f64>, Option<Vec<i128>>);

fn sc(kind: Kind, size: usize) -> Scalar {
    Scalar::new(kind, size, ByteOrder::NATIVE)
}

fn int64() -> Scalar {
    sc(Kind::Int, 8)
}

/// A computed array of an integer dtype from exact C-order values
/// (int64 and uint64 keep them exactly, see `Block::ints`).
pub(super) fn array_ints(shape: Vec<usize>, dtype: Scalar, ints: Vec<i128>) -> Value {
    let re = ints.iter().map(|&v| v as f64).collect();
    let arr = |v| ArrayD::from_shape_vec(IxDyn(&shape), v).expect("one value per element");
    Value::Lazy(Lazy::array(Computed {
        dtype,
        re: arr(re),
        im: None,
        ints: wide(dtype)
            .then(|| ArrayD::from_shape_vec(IxDyn(&shape), ints).expect("one value per element")),
    }))
}

/// A computed array of `shape` from C-order values.
pub(super) fn array(shape: Vec<usize>, dtype: Scalar, re: Vec<f64>, im: Option<Vec<f64>>) -> Value {
    let arr =
        |v: Vec<f64>| ArrayD::from_shape_vec(IxDyn(&shape), v).expect("one value per element");
    Value::Lazy(Lazy::array(Computed {
        dtype,
        re: arr(re),
        im: if dtype.kind == Kind::Complex {
            Some(arr(im.unwrap_or_else(|| vec![0.0; shape.iter().product()])))
        } else {
            None
        },
        ints: None,
    }))
}

/// NumPy's dtype for a running sum or product (and for `prod`): small
/// integers widen to 64 bits, floats keep theirs.
fn accumulate_dtype(d: Scalar) -> Scalar {
    match d.kind {
        Kind::Bool | Kind::Int => int64(),
        Kind::UInt => sc(Kind::UInt, 8),
        _ => sc(d.kind, d.size),
    }
}

impl Session {
    /// The values of `l` in C order (real parts, and imaginary parts of
    /// complex data), refused above `set memory` before anything is
    /// allocated.
    pub(super) fn values_of(&self, l: &Lazy, name: &str, span: Span) -> Result<Values, Error> {
        let complex = l.dtype.kind == Kind::Complex;
        let instead = "slice the view first";
        let what = format!("{name}() of {} elements", l.size());
        let n = l.size();
        // The memory asked for (and refused past `set memory`), then held
        // as zeros the kernel gives page by page as they are first written
        // (`vec!` of zeros), so that the cores fill their own parts.
        let check = |count: usize| -> Result<(), Error> {
            self.reserve_memory::<f64>(count, &what, instead, span)
                .map(drop)
        };
        check(n)?;
        let mut re = vec![0.0; n];
        check(if complex { n } else { 0 })?;
        let mut im = vec![0.0; if complex { n } else { 0 }];
        let mut ints = if wide(l.dtype) {
            check(2 * n)?;
            Some(vec![0i128; n])
        } else {
            None
        };
        // Parts of 2^20 values read on every core, each into its place.
        const PART: usize = 1 << 20;
        let mut im_parts = im.chunks_mut(PART);
        let mut int_parts = ints.as_mut().map(|v| v.chunks_mut(PART));
        let parts: Vec<_> = re
            .chunks_mut(PART)
            .map(|r| {
                (
                    r,
                    im_parts.next(),
                    int_parts.as_mut().and_then(|p| p.next()),
                )
            })
            .collect();
        crate::control::in_parts(parts, |c, (re, mut im, mut ints)| {
            let first = c * PART;
            for_blocks(l, first, first + re.len(), |b, at| {
                let at = at as usize - first;
                let len = b.re.len();
                re[at..at + len].copy_from_slice(&b.re);
                if let Some(ints) = ints.as_mut() {
                    for (k, v) in ints[at..at + len].iter_mut().enumerate() {
                        *v = b.int_at(k);
                    }
                }
                if let Some(im) = im.as_mut() {
                    if let Some(i) = &b.im {
                        im[at..at + len].copy_from_slice(i);
                    }
                }
            })
        })
        .map_err(|_| interrupted(span))?;
        Ok((re, im, ints))
    }

    /// `axis=` (or the first positional argument) as one axis of `ndim`,
    /// `None` when absent or None.
    fn one_axis(
        &self,
        rest: &[Arg],
        ndim: usize,
        positional: usize,
        span: Span,
    ) -> Result<Option<usize>, Error> {
        let mut seen = 0;
        for a in rest {
            let is_axis = match &a.name {
                Some(n) => n.node == "axis",
                None => {
                    seen += 1;
                    seen == positional
                }
            };
            if !is_axis {
                continue;
            }
            return match self.eval(&a.value)? {
                Value::None => Ok(None),
                Value::Int(k) => {
                    let n = ndim as i128;
                    if k < -n || k >= n {
                        Err(type_error(
                            format!("axis {k} is out of bounds for array of dimension {ndim}"),
                            a.value.span,
                        ))
                    } else {
                        Ok(Some(if k < 0 { (k + n) as usize } else { k as usize }))
                    }
                }
                v => Err(type_error(
                    format!("axis takes an integer, not {}", v.kind_name()),
                    a.value.span,
                )),
            };
        }
        let _ = span;
        Ok(None)
    }

    /// `x` with `axis` moved last, as rows of C-order values: (values,
    /// shape with the axis last, the permutation used).
    pub(super) fn rows_along(
        &self,
        l: &Lazy,
        axis: usize,
        name: &str,
        span: Span,
    ) -> Result<Rows, Error> {
        let ndim = l.ndim();
        let order: Vec<usize> = (0..ndim).filter(|&k| k != axis).chain([axis]).collect();
        let shape: Vec<usize> = order.iter().map(|&k| l.shape[k]).collect();
        // Read in C order (the bytes as they lie: a column read down a
        // file touches a cache line per value), then the axis moved last
        // in memory, a tile at a time.
        let (re, im, ints) = self.values_of(l, name, span)?;
        if axis + 1 >= ndim {
            return Ok((re, im, ints, shape, order));
        }
        let n = l.shape[axis];
        let inner: usize = l.shape[axis + 1..].iter().product();
        let what = format!("{name}() of {} elements along axis {axis}", l.size());
        let turn = |v: &[f64]| -> Result<Vec<f64>, Error> {
            let mut out = self.reserve_memory(v.len(), &what, "slice the view first", span)?;
            out.resize(v.len(), 0.0);
            axis_last(v, &mut out, n, inner);
            Ok(out)
        };
        let re = turn(&re)?;
        let im = if im.is_empty() { im } else { turn(&im)? };
        let ints = match ints {
            Some(v) => {
                let mut out = self.reserve_memory(v.len(), &what, "slice the view first", span)?;
                out.resize(v.len(), 0i128);
                axis_last(&v, &mut out, n, inner);
                Some(out)
            }
            None => None,
        };
        Ok((re, im, ints, shape, order))
    }

    /// Puts an axis moved last by [`Self::rows_along`] back.
    pub(super) fn unturn(value: Value, order: &[usize]) -> Value {
        if order.iter().enumerate().all(|(i, &a)| i == a) {
            return value;
        }
        // Values held in memory: turned back a tile at a time (not picked
        // one by one down the columns, which touches a cache line per
        // value).
        if let Some(back) = turned_back(&value, order) {
            return back;
        }
        let mut inverse = vec![0; order.len()];
        for (i, &a) in order.iter().enumerate() {
            inverse[a] = i;
        }
        super::reshape::permute(value, &inverse)
    }

    /// The built-ins of this module.
    pub(super) fn in_memory(
        &self,
        name: &str,
        x: Value,
        rest: &[Arg],
        span: Span,
    ) -> Result<Value, Error> {
        match name {
            "squeeze" => self.squeeze(x, rest, span),
            "take" => self.take(x, rest, span),
            "item" => self.item(x, rest, span),
            "tolist" => {
                let l = array_arg(name, &x, span)?.0;
                let (re, im, ints) = self.values_of(&l, name, span)?;
                Ok(nested(&l.shape, &re, &im, ints.as_deref(), l.dtype))
            }
            "cumsum" | "cumprod" | "nancumsum" | "nancumprod" => {
                self.accumulate(name, x, rest, span)
            }
            "prod" | "nanprod" => self.product(name, x, rest, span),
            "diff" => self.diff(x, rest, span),
            "sort" | "argsort" => self.sort(name, x, rest, span),
            "unique" => self.unique(x, rest, span),
            "nonzero" | "argwhere" | "flatnonzero" => self.nonzero(name, x, span),
            _ => Err(type_error(format!("unknown function {name}"), span)),
        }
    }

    fn squeeze(&self, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let shape: Vec<usize> = match &x {
            Value::View(v) => v.shape.clone(),
            Value::Lazy(l) => l.shape.clone(),
            other => {
                return Err(type_error(
                    format!("squeeze() needs an array, not {}", other.kind_name()),
                    span,
                ))
            }
        };
        let axis = self.one_axis(rest, shape.len(), 1, span)?;
        let drop: Vec<bool> = match axis {
            Some(a) if shape[a] != 1 => {
                return Err(type_error(
                    "cannot select an axis to squeeze out which has size not equal to one".into(),
                    span,
                ))
            }
            Some(a) => (0..shape.len()).map(|k| k == a).collect(),
            None => shape.iter().map(|&n| n == 1).collect(),
        };
        let keep: Vec<usize> = (0..shape.len()).filter(|&k| !drop[k]).collect();
        Ok(match x {
            // A view: the same bytes, the length-1 axes gone.
            Value::View(mut v) => {
                v.strides = keep.iter().map(|&k| v.strides[k]).collect();
                v.shape = keep.iter().map(|&k| v.shape[k]).collect();
                Value::View(v)
            }
            Value::Lazy(l) => {
                let new: Vec<usize> = keep.iter().map(|&k| shape[k]).collect();
                Value::Lazy(super::reshape::reshape_lazy(&l, new))
            }
            _ => unreachable!("checked"),
        })
    }

    /// `take(x, indices, axis=None)`: `x.ravel()[indices]`, or `indices`
    /// along an axis, as advanced indexing does it (the same errors).
    fn take(&self, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let Some(indices) = rest
            .iter()
            .find(|a| a.name.is_none() || a.name.as_ref().is_some_and(|n| n.node == "indices"))
        else {
            return Err(type_error(
                "take() missing required argument 'indices'".into(),
                span,
            ));
        };
        let ndim = match &x {
            Value::View(v) => v.ndim(),
            Value::Lazy(l) => l.ndim(),
            other => {
                return Err(type_error(
                    format!("take() needs an array, not {}", other.kind_name()),
                    span,
                ))
            }
        };
        let axis = {
            let kw: Vec<Arg> = rest
                .iter()
                .filter(|a| a.name.as_ref().is_some_and(|n| n.node == "axis"))
                .cloned()
                .collect();
            let pos: Vec<Arg> = rest
                .iter()
                .filter(|a| a.name.is_none())
                .skip(1)
                .cloned()
                .collect();
            let mut all = pos;
            all.extend(kw);
            self.one_axis(&all, ndim, 1, span)?
        };
        let full = || IndexItem::Slice {
            start: None,
            stop: None,
            step: None,
            span,
        };
        let item = IndexItem::Expr(indices.value.clone());
        match axis {
            None => {
                let flat = self.reshape_method(
                    "reshape",
                    x,
                    &[Arg {
                        name: None,
                        value: Expr {
                            kind: ExprKind::Int(-1),
                            span,
                        },
                    }],
                    span,
                )?;
                self.index(flat, &[item], span)
            }
            Some(a) => {
                let mut items: Vec<IndexItem> = (0..a).map(|_| full()).collect();
                items.push(item);
                self.index(x, &items, span)
            }
        }
    }

    /// `x.item()` (one element) or `x.item(i)` (flat index): a Python number.
    fn item(&self, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let l = array_arg("item", &x, span)?.0;
        let flat = match rest {
            [] if l.size() == 1 => 0,
            [] => {
                return Err(type_error(
                    "can only convert an array of size 1 to a Python scalar".into(),
                    span,
                ))
            }
            [a] => match self.eval(&a.value)? {
                Value::Int(i) => {
                    let n = l.size() as i128;
                    if i < -n || i >= n {
                        return Err(type_error(
                            format!("index {i} is out of bounds for size {n}"),
                            a.value.span,
                        ));
                    }
                    (if i < 0 { i + n } else { i }) as usize
                }
                v => {
                    return Err(type_error(
                        format!("item() takes an integer, not {}", v.kind_name()),
                        a.value.span,
                    ))
                }
            },
            _ => {
                return Err(type_error(
                    "item() takes at most one flat index".into(),
                    span,
                ))
            }
        };
        let mut idx = vec![0; l.ndim()];
        let mut rest_flat = flat;
        for k in (0..idx.len()).rev() {
            idx[k] = rest_flat % l.shape[k];
            rest_flat /= l.shape[k];
        }
        let (n, exact) = l.exact_at(&idx);
        Ok(match l.dtype.kind {
            Kind::Int | Kind::UInt => Value::Int(exact),
            _ => python_number(n, l.dtype),
        })
    }

    /// `cumsum`, `cumprod` and the `nan` forms: running sums and products
    /// along an axis (of the flattened array without one), rounded to the
    /// result dtype at every step as NumPy's accumulation is.
    fn accumulate(&self, name: &str, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let l = array_arg(name, &x, span)?.0;
        let to = accumulate_dtype(l.dtype);
        let skip = name.starts_with("nan");
        let product = name.ends_with("prod");
        let axis = self.one_axis(rest, l.ndim(), 1, span)?;
        let flat = axis.is_none();
        let l = if flat {
            super::reshape::reshape_lazy(&l, vec![l.size()])
        } else {
            l
        };
        let complex = to.kind == Kind::Complex;
        // Real float32 and float64: in C order, in the dtype's own
        // arithmetic (NumPy's accumulate adds or multiplies in the dtype),
        // along the last axis a row at a time, along another each row
        // added into a row of running totals (no turning in memory).
        if !complex && to.kind == Kind::Float && matches!(to.size, 4 | 8) {
            let k = axis.unwrap_or(0);
            let (mut re, _, _) = self.values_of(&l, name, span)?;
            let n = l.shape.get(k).copied().unwrap_or(1);
            let inner: usize = l.shape[(k + 1).min(l.ndim())..].iter().product();
            if to.size == 4 {
                accumulate_along::<f32>(&mut re, n, inner, product, skip);
            } else {
                accumulate_along::<f64>(&mut re, n, inner, product, skip);
            }
            return Ok(array(l.shape.clone(), to, re, None));
        }
        let (mut re, mut im, exact, shape, order) =
            self.rows_along(&l, axis.unwrap_or(0), name, span)?;
        let inner = *shape.last().unwrap_or(&1);
        let ints = matches!(to.kind, Kind::Int | Kind::UInt);
        let mut out_ints: Vec<i128> = Vec::with_capacity(if ints { re.len() } else { 0 });
        for row in 0..shape.iter().product::<usize>() / inner.max(1) {
            if ints {
                // 64-bit integers, exactly, wrapping as NumPy's do.
                let mut acc: i64 = i64::from(product);
                for k in row * inner..(row + 1) * inner {
                    let x = exact.as_ref().map_or(re[k] as i128, |v| v[k]) as i64;
                    acc = if product {
                        acc.wrapping_mul(x)
                    } else {
                        acc.wrapping_add(x)
                    };
                    out_ints.push(wrap_int(acc.into(), to));
                }
                continue;
            }
            let (mut ar, mut ai) = if product { (1.0, 0.0) } else { (0.0, 0.0) };
            for k in row * inner..(row + 1) * inner {
                let (mut xr, mut xi) = (re[k], if complex { im[k] } else { 0.0 });
                if skip && (xr.is_nan() || xi.is_nan()) {
                    (xr, xi) = if product { (1.0, 0.0) } else { (0.0, 0.0) };
                }
                (ar, ai) = if product && complex {
                    (ar * xr - ai * xi, ar * xi + ai * xr)
                } else if product {
                    // (Real: no imaginary parts, whose -0.0 would turn a
                    // product's -0.0 into 0.0.)
                    (ar * xr, 0.0)
                } else {
                    (ar + xr, ai + xi)
                };
                ar = wrap(cast(ar, to), to);
                ai = cast(ai, to);
                re[k] = ar;
                if complex {
                    im[k] = ai;
                }
            }
        }
        let v = if ints {
            array_ints(shape, to, out_ints)
        } else {
            array(shape, to, re, complex.then_some(im))
        };
        Ok(if flat { v } else { Self::unturn(v, &order) })
    }

    /// `prod` and `nanprod`, with `axis=`.
    fn product(&self, name: &str, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let l = array_arg(name, &x, span)?.0;
        // `where=`: the elements left out count as 1 (the product's
        // identity). Any other keyword but `axis` is refused rather than
        // ignored (`prod(x, where=m)` used to give the product of all).
        let mut l = l;
        for a in rest {
            match a.name.as_ref().map(|n| n.node.as_str()) {
                None | Some("axis") => {}
                Some("where") => {
                    let m = super::reduction::where_mask(&self.eval(&a.value)?, a.value.span)?;
                    let shape = crate::compute::broadcast(&l.shape, &m.shape)
                        .ok()
                        .filter(|s| *s == l.shape)
                        .ok_or_else(|| {
                            type_error(
                                format!(
                                    "non-broadcastable operand with shape {} doesn't match the broadcast shape {}",
                                    crate::text::shape_repr(&m.shape),
                                    crate::text::shape_repr(&l.shape)
                                ),
                                a.value.span,
                            )
                        })?;
                    let one = Lazy::constant(Num::real(1.0), l.dtype);
                    let d = l.dtype;
                    l = Lazy::new(crate::compute::Node::Where(m, l, one), shape, d);
                }
                Some(other) => {
                    return Err(unexpected_keyword(
                        name,
                        other,
                        a.name.as_ref().map_or(span, |n| n.span),
                    ))
                }
            }
        }
        if rest.iter().filter(|a| a.name.is_none()).count() > 1 {
            return Err(type_error(
                format!("{name}() takes the array and an axis here; give the rest by keyword"),
                span,
            ));
        }
        let to = accumulate_dtype(l.dtype);
        let axis = self.one_axis(rest, l.ndim(), 1, span)?;
        let skip = name == "nanprod";
        let whole = axis.is_none();
        let l = if whole {
            super::reshape::reshape_lazy(&l, vec![l.size()])
        } else {
            l
        };
        let (re, im, exact, shape, order) = self.rows_along(&l, axis.unwrap_or(0), name, span)?;
        let inner = *shape.last().unwrap_or(&1);
        let rows = shape[..shape.len() - 1].iter().product::<usize>();
        let complex = to.kind == Kind::Complex;
        let ints = matches!(to.kind, Kind::Int | Kind::UInt);
        let (mut out_re, mut out_im) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
        let mut out_ints: Vec<i128> = Vec::with_capacity(if ints { rows } else { 0 });
        for row in 0..rows {
            let (mut ar, mut ai) = (1.0f64, 0.0f64);
            if ints {
                // 64-bit integers, exactly, wrapping as NumPy's do.
                let p = (row * inner..(row + 1) * inner).fold(1i64, |p, k| {
                    p.wrapping_mul(exact.as_ref().map_or(re[k] as i128, |v| v[k]) as i64)
                });
                out_ints.push(wrap_int(p.into(), to));
            } else {
                for k in row * inner..(row + 1) * inner {
                    let (xr, xi) = (re[k], if complex { im[k] } else { 0.0 });
                    if skip && (xr.is_nan() || xi.is_nan()) {
                        continue;
                    }
                    (ar, ai) = (ar * xr - ai * xi, ar * xi + ai * xr);
                }
            }
            out_re.push(cast(ar, to));
            out_im.push(cast(ai, to));
        }
        let kept = shape[..shape.len() - 1].to_vec();
        if ints && (whole || kept.is_empty()) {
            return Ok(int_scalar(out_ints[0], to));
        }
        if ints {
            return Ok(array_ints(kept, to, out_ints));
        }
        if whole {
            return Ok(scalar_value(
                Num {
                    re: out_re[0],
                    im: out_im[0],
                },
                to,
            ));
        }
        let _ = order;
        if kept.is_empty() {
            return Ok(scalar_value(
                Num {
                    re: out_re[0],
                    im: out_im[0],
                },
                to,
            ));
        }
        Ok(array(kept, to, out_re, complex.then_some(out_im)))
    }

    /// `diff(x, n=1, axis=-1)`: differences of neighbours along an axis,
    /// `n` times, in x's dtype (`!=` for booleans, as NumPy).
    fn diff(&self, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let l = array_arg("diff", &x, span)?.0;
        if l.ndim() == 0 {
            return Err(type_error(
                "diff requires input that is at least one dimensional".into(),
                span,
            ));
        }
        let mut n = 1usize;
        let mut axis_args = Vec::new();
        for (k, a) in rest.iter().enumerate() {
            match (a.name.as_ref().map(|n| n.node.as_str()), k) {
                (Some("n"), _) | (None, 0) => {
                    n = match self.eval(&a.value)? {
                        Value::Int(i) if i >= 0 => i as usize,
                        Value::Int(i) => {
                            return Err(type_error(
                                format!("order must be non-negative but got {i}"),
                                a.value.span,
                            ))
                        }
                        v => {
                            return Err(type_error(
                                format!("n takes an integer, not {}", v.kind_name()),
                                a.value.span,
                            ))
                        }
                    }
                }
                (Some("axis"), _) | (None, 1) => axis_args.push(Arg {
                    name: None,
                    value: a.value.clone(),
                }),
                (Some(k), _) => return Err(unexpected_keyword("diff", k, a.value.span)),
                _ => {
                    return Err(type_error(
                        "diff() takes x, n and axis".into(),
                        a.value.span,
                    ))
                }
            }
        }
        let axis = self
            .one_axis(&axis_args, l.ndim(), 1, span)?
            .unwrap_or(l.ndim() - 1);
        if n == 0 {
            return Ok(x);
        }
        // NumPy's own definition, lazily: `x[1:] - x[:-1]` along the axis
        // (`!=` for booleans), n times: slices of a file's view are views,
        // so the differences compute in the lanes as one expression, on
        // every core, nothing held. Each order reads its operand twice, so
        // past the third (eight reads per element) it builds in memory.
        if n <= 3 {
            let slice = |v: &Value, start: Option<i128>, stop: Option<i128>| {
                let idx: Vec<Index> = (0..l.ndim())
                    .map(|k| {
                        let (start, stop) = if k == axis {
                            (start, stop)
                        } else {
                            (None, None)
                        };
                        Index::Slice {
                            start,
                            stop,
                            step: None,
                            span,
                        }
                    })
                    .collect();
                Ok::<Value, Error>(match v {
                    Value::View(w) => Value::View(w.index(&idx)?),
                    other => Value::Lazy(array_arg("diff", other, span)?.0.index(&idx)?),
                })
            };
            let op = if l.dtype.kind == Kind::Bool {
                BinOp::Ne
            } else {
                BinOp::Sub
            };
            let mut v = x;
            for _ in 0..n {
                let (hi, lo) = (slice(&v, Some(1), None)?, slice(&v, None, Some(-1))?);
                v = super::operators::binary(op, &hi, &lo, span)?;
            }
            return Ok(v);
        }
        let (mut re, mut im, exact, mut shape, order) = self.rows_along(&l, axis, "diff", span)?;
        let d = l.dtype;
        let complex = d.kind == Kind::Complex;
        if let Some(mut ints) = exact {
            // int64 and uint64, exactly, wrapping as NumPy's do.
            for _ in 0..n {
                let inner = *shape.last().expect("at least one axis");
                let rows = shape[..shape.len() - 1].iter().product::<usize>();
                let len = inner.saturating_sub(1);
                ints = (0..rows)
                    .flat_map(|row| (0..len).map(move |k| (row * inner + k, row * inner + k + 1)))
                    .map(|(a, b)| wrap_int(ints[b] - ints[a], d))
                    .collect();
                *shape.last_mut().expect("at least one axis") = len;
            }
            return Ok(Self::unturn(
                array_ints(shape, sc(d.kind, d.size), ints),
                &order,
            ));
        }
        for _ in 0..n {
            let inner = *shape.last().expect("at least one axis");
            let rows = shape[..shape.len() - 1].iter().product::<usize>();
            let len = inner.saturating_sub(1);
            let (mut nr, mut ni) = (Vec::with_capacity(rows * len), Vec::new());
            for row in 0..rows {
                for k in 0..len {
                    let (a, b) = (row * inner + k, row * inner + k + 1);
                    nr.push(if d.kind == Kind::Bool {
                        f64::from(u8::from(re[a] != re[b]))
                    } else {
                        wrap(cast(re[b] - re[a], d), d)
                    });
                    if complex {
                        ni.push(cast(im[b] - im[a], d));
                    }
                }
            }
            (re, im) = (nr, ni);
            *shape.last_mut().expect("at least one axis") = len;
        }
        // A ufunc's result, in native byte order whatever the input's.
        Ok(Self::unturn(
            array(shape, sc(d.kind, d.size), re, complex.then_some(im)),
            &order,
        ))
    }

    /// `sort(x, axis=-1)` and `argsort` (stable; NaN last, as NumPy).
    fn sort(&self, name: &str, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let l = array_arg(name, &x, span)?.0;
        let complex = l.dtype.kind == Kind::Complex;
        // axis=None sorts the flattened array; the default is the last axis.
        let explicit_none = rest.iter().any(|a| {
            (a.name.as_ref().is_some_and(|n| n.node == "axis") || a.name.is_none())
                && matches!(a.value.kind, ExprKind::None)
        });
        let flat = explicit_none || l.ndim() == 0;
        let l = if flat {
            super::reshape::reshape_lazy(&l, vec![l.size()])
        } else {
            l
        };
        let axis = if flat {
            0
        } else {
            self.one_axis(rest, l.ndim(), 1, span)?
                .unwrap_or(l.ndim() - 1)
        };
        let single = single(l.dtype);
        if name == "sort" && !complex && !wide(l.dtype) && axis + 1 < l.ndim() {
            // Real values along an axis other than the last: sorted in
            // place in C order, each column's keys turned into a row.
            let (mut re, _, _) = self.values_of(&l, name, span)?;
            let inner: usize = l.shape[axis + 1..].iter().product();
            crate::compute::sorting::sort_along(&mut re, l.shape[axis], inner, single)
                .map_err(|_| interrupted(span))?;
            return Ok(array(
                l.shape.clone(),
                sc(l.dtype.kind, l.dtype.size),
                re,
                None,
            ));
        }
        let (re, im, exact, shape, order) = self.rows_along(&l, axis, name, span)?;
        let inner = *shape.last().unwrap_or(&1);
        let rows = re.len().checked_div(inner).unwrap_or(0);
        if let Some(ints) = exact {
            // int64 and uint64, by their exact values.
            let mut out = Vec::with_capacity(ints.len());
            let mut idx: Vec<usize> = Vec::with_capacity(inner);
            for row in 0..rows {
                let at = row * inner;
                idx.clear();
                idx.extend(0..inner);
                idx.sort_by_key(|&a| ints[at + a]);
                if name == "argsort" {
                    out.extend(idx.iter().map(|&k| k as i128));
                } else {
                    out.extend(idx.iter().map(|&k| ints[at + k]));
                }
            }
            let dtype = if name == "argsort" {
                int64()
            } else {
                sc(l.dtype.kind, l.dtype.size)
            };
            let v = array_ints(shape, dtype, out);
            return Ok(if flat { v } else { Self::unturn(v, &order) });
        }
        let dtype = if name == "argsort" {
            int64()
        } else {
            sc(l.dtype.kind, l.dtype.size)
        };
        if !complex {
            // Real values: by key, radix-sorted rows on every core.
            let out = if name == "argsort" {
                crate::compute::sorting::argsort_rows(&re, inner, single)
                    .map_err(|_| interrupted(span))?
            } else {
                let mut re = re;
                crate::compute::sorting::sort_rows(&mut re, inner, single)
                    .map_err(|_| interrupted(span))?;
                re
            };
            let v = array(shape, dtype, out, None);
            return Ok(if flat { v } else { Self::unturn(v, &order) });
        }
        let mut out = Vec::with_capacity(re.len());
        let mut out_im = Vec::with_capacity(im.len());
        let mut idx: Vec<usize> = Vec::with_capacity(inner);
        for row in 0..rows {
            crate::control::check().map_err(|_| interrupted(span))?;
            let at = row * inner;
            idx.clear();
            idx.extend(0..inner);
            idx.sort_by(|&a, &b| complex_order((re[at + a], im[at + a]), (re[at + b], im[at + b])));
            if name == "argsort" {
                out.extend(idx.iter().map(|&k| k as f64));
            } else {
                out.extend(idx.iter().map(|&k| re[at + k]));
                out_im.extend(idx.iter().map(|&k| im[at + k]));
            }
        }
        let v = array(
            shape,
            dtype,
            out,
            (complex && name == "sort").then_some(out_im),
        );
        Ok(if flat { v } else { Self::unturn(v, &order) })
    }

    /// `unique(x, return_counts=False)`: the sorted distinct values of the
    /// flattened array (NaN once, last, as NumPy 2).
    fn unique(&self, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let l = array_arg("unique", &x, span)?.0;
        let complex = l.dtype.kind == Kind::Complex;
        let mut counts_too = false;
        for a in rest {
            match a.name.as_ref().map(|n| n.node.as_str()) {
                Some("return_counts") => {
                    counts_too = matches!(self.eval(&a.value)?, Value::Bool(true))
                }
                Some(k) => return Err(unexpected_keyword("unique", k, a.value.span)),
                None => {
                    return Err(type_error(
                        "unique() takes x and return_counts=".into(),
                        a.value.span,
                    ))
                }
            }
        }
        let (re, im, exact) = self.values_of(&l, "unique", span)?;
        if let Some(mut ints) = exact {
            // int64 and uint64, by their exact values.
            ints.sort_unstable();
            let (mut vals, mut counts): (Vec<i128>, Vec<i128>) = (Vec::new(), Vec::new());
            for v in ints {
                if vals.last() == Some(&v) {
                    *counts.last_mut().expect("a value was pushed") += 1;
                } else {
                    vals.push(v);
                    counts.push(1);
                }
            }
            let n = vals.len();
            let values = array_ints(vec![n], sc(l.dtype.kind, l.dtype.size), vals);
            if counts_too {
                return Ok(Value::Tuple(vec![
                    values,
                    array_ints(vec![n], int64(), counts),
                ]));
            }
            return Ok(values);
        }
        let dtype = sc(l.dtype.kind, l.dtype.size);
        if !complex {
            // Real values: radix-sorted by key, stably, on every core, then
            // each run of equal values (of NaN: NumPy 2's equal_nan) kept
            // once, the first, in place.
            let mut re = re;
            crate::compute::sorting::sort_all(&mut re, single(l.dtype))
                .map_err(|_| interrupted(span))?;
            let mut counts: Vec<f64> = Vec::new();
            let mut n = 0;
            for k in 0..re.len() {
                // Ctrl-C: 2^28 values take this loop half a second.
                if k % (1 << 20) == 0 {
                    crate::control::check().map_err(|_| interrupted(span))?;
                }
                let z = re[k];
                let same = n > 0 && (re[n - 1] == z || (re[n - 1].is_nan() && z.is_nan()));
                if !same {
                    re[n] = z;
                    n += 1;
                    if counts_too {
                        counts.push(0.0);
                    }
                }
                if let Some(c) = counts.last_mut() {
                    *c += 1.0;
                }
            }
            re.truncate(n);
            let values = array(vec![n], dtype, re, None);
            return Ok(if counts_too {
                Value::Tuple(vec![values, array(vec![n], int64(), counts, None)])
            } else {
                values
            });
        }
        let mut zs: Vec<(f64, f64)> = re.into_iter().zip(im).collect();
        zs.sort_by(|a, b| complex_order(*a, *b));
        // Equal values are one; every value with a NaN is one too (NumPy 2's
        // equal_nan), the first in sorted order.
        let nan = |z: &(f64, f64)| z.0.is_nan() || z.1.is_nan();
        let (mut vals, mut counts): (Vec<(f64, f64)>, Vec<f64>) = (Vec::new(), Vec::new());
        for z in zs {
            let same = vals.last().is_some_and(|u| *u == z || (nan(u) && nan(&z)));
            if same {
                *counts.last_mut().expect("a value was pushed") += 1.0;
            } else {
                vals.push(z);
                counts.push(1.0);
            }
        }
        let n = vals.len();
        let values = array(
            vec![n],
            dtype,
            vals.iter().map(|z| z.0).collect(),
            Some(vals.iter().map(|z| z.1).collect()),
        );
        if counts_too {
            return Ok(Value::Tuple(vec![
                values,
                array(vec![n], int64(), counts, None),
            ]));
        }
        Ok(values)
    }

    /// `nonzero(x)` (a tuple of index arrays), `argwhere(x)` (one row per
    /// element) and `flatnonzero(x)` (flat indices).
    pub(super) fn nonzero(&self, name: &str, x: Value, span: Span) -> Result<Value, Error> {
        let l = array_arg(name, &x, span)?.0;
        if l.ndim() == 0 && name == "nonzero" {
            return Err(type_error(
                "Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() instead. If the context of this error is of the form `arr[nonzero(cond)]`, just use `arr[cond]`.".into(),
                span,
            ));
        }
        // One pass on every core, each run of the flat index collecting
        // its hits in order; past the memory limit only counted, so the
        // refusal names how many there are without holding them.
        const RUN: usize = 1 << 20;
        let n = l.size();
        let nd = l.ndim().max(1);
        let per = if name == "flatnonzero" { 1 } else { nd };
        let most = (self.settings.memory / (8 * per as u64)) as usize;
        let seen = std::sync::atomic::AtomicUsize::new(0);
        let runs = crate::control::in_chunks(n.div_ceil(RUN), |c| {
            let first = c * RUN;
            let keep = seen.load(std::sync::atomic::Ordering::Relaxed) <= most;
            let (hits, count) = nonzero_in(&l, first, (first + RUN).min(n), keep)?;
            seen.fetch_add(count, std::sync::atomic::Ordering::Relaxed);
            Ok(hits)
        })
        .map_err(|_| interrupted(span))?;
        let hits = seen.into_inner();
        let mut flat: Vec<usize> = self.reserve_memory(
            hits.saturating_mul(per),
            &format!("{name}() of {hits} elements"),
            "select fewer elements",
            span,
        )?;
        for run in runs {
            flat.extend(run);
        }
        let coords = |f: usize| {
            let mut idx = vec![0usize; l.ndim()];
            let mut rest = f;
            for k in (0..idx.len()).rev() {
                idx[k] = rest % l.shape[k];
                rest /= l.shape[k];
            }
            idx
        };
        Ok(match name {
            "flatnonzero" => array(
                vec![flat.len()],
                int64(),
                flat.iter().map(|&f| f as f64).collect(),
                None,
            ),
            "argwhere" => {
                let mut out = Vec::with_capacity(flat.len() * l.ndim());
                for &f in &flat {
                    out.extend(coords(f).into_iter().map(|i| i as f64));
                }
                array(vec![flat.len(), l.ndim()], int64(), out, None)
            }
            _ => Value::Tuple(
                (0..l.ndim())
                    .map(|axis| {
                        let v: Vec<f64> = flat.iter().map(|&f| coords(f)[axis] as f64).collect();
                        array(vec![flat.len()], int64(), v, None)
                    })
                    .collect(),
            ),
        })
    }
}

impl Session {
    /// `min`, `max`, `argmin`, `argmax` of complex data, in NumPy's
    /// lexicographic order (real parts, then imaginary); a NaN in either
    /// part wins, the first one. Streamed, row by row along the axes.
    pub(super) fn complex_extreme(
        &self,
        name: &str,
        l: &Lazy,
        axes: Option<Vec<usize>>,
        span: Span,
    ) -> Result<Value, Error> {
        let ndim = l.ndim();
        let reduced: Vec<usize> = axes.unwrap_or_else(|| (0..ndim).collect());
        let kept: Vec<usize> = (0..ndim).filter(|k| !reduced.contains(k)).collect();
        let order: Vec<usize> = kept.iter().chain(&reduced).copied().collect();
        let outer_shape: Vec<usize> = kept.iter().map(|&k| l.shape[k]).collect();
        let inner: usize = reduced.iter().map(|&k| l.shape[k]).product();
        let outer: usize = outer_shape.iter().product();
        let turned = match super::reshape::permute(Value::Lazy(l.clone()), &order) {
            Value::Lazy(t) => super::reshape::reshape_lazy(&t, vec![outer, inner]),
            _ => unreachable!("a lazy array stays lazy"),
        };
        let arg = name.starts_with("arg");
        let want_max = name.ends_with("max");
        if inner == 0 {
            return Err(type_error(
                if arg {
                    format!("attempt to get {name} of an empty sequence")
                } else {
                    format!(
                        "zero-size array to reduction operation {} which has no identity",
                        if want_max { "maximum" } else { "minimum" }
                    )
                },
                span,
            ));
        }
        let (mut re, mut im, mut at) = (
            Vec::with_capacity(outer),
            Vec::with_capacity(outer),
            Vec::with_capacity(outer),
        );
        for row in 0..outer {
            let mut best: Option<(f64, f64, usize)> = None;
            let mut nan = false;
            for_blocks(&turned, row * inner, (row + 1) * inner, |b, from| {
                for k in 0..b.re.len() {
                    if nan {
                        return;
                    }
                    let (r, i) = (b.re[k], b.im_at(k));
                    let pos = from as usize + k - row * inner;
                    if r.is_nan() || i.is_nan() {
                        best = Some((r, i, pos));
                        nan = true;
                        return;
                    }
                    let better = match best {
                        None => true,
                        Some((br, bi, _)) => {
                            let ord = r
                                .partial_cmp(&br)
                                .expect("no NaN")
                                .then(i.partial_cmp(&bi).expect("no NaN"));
                            if want_max {
                                ord == std::cmp::Ordering::Greater
                            } else {
                                ord == std::cmp::Ordering::Less
                            }
                        }
                    };
                    if better {
                        best = Some((r, i, pos));
                    }
                }
            })
            .map_err(|_| interrupted(span))?;
            let (r, i, p) = best.expect("a row has elements");
            re.push(r);
            im.push(i);
            at.push(p as f64);
        }
        let (dtype, re, im) = if arg {
            (int64(), at, None)
        } else {
            (sc(l.dtype.kind, l.dtype.size), re, Some(im))
        };
        if outer_shape.is_empty() {
            return Ok(scalar_value(
                Num {
                    re: re[0],
                    im: im.as_ref().map_or(0.0, |v| v[0]),
                },
                dtype,
            ));
        }
        Ok(array(outer_shape, dtype, re, im))
    }
}

/// Integers kept in their dtype's range (NumPy's wrap-around), beyond what
/// `cast` does for values float64 holds exactly.
fn wrap(x: f64, d: Scalar) -> f64 {
    if matches!(d.kind, Kind::Int | Kind::UInt) && x.is_finite() {
        cast(x, d)
    } else {
        x
    }
}

/// NumPy's order of complex numbers: lexicographic (real part, then
/// imaginary), then `R + nanj`, `nan + Rj`, `nan + nanj`, each by its
/// number part.
fn complex_order(a: (f64, f64), b: (f64, f64)) -> std::cmp::Ordering {
    let class = |z: (f64, f64)| match (z.0.is_nan(), z.1.is_nan()) {
        (false, false) => 0,
        (false, true) => 1,
        (true, false) => 2,
        (true, true) => 3,
    };
    class(a).cmp(&class(b)).then_with(|| match class(a) {
        0 => nan_last(a.0, b.0).then(nan_last(a.1, b.1)),
        1 => nan_last(a.0, b.0),
        2 => nan_last(a.1, b.1),
        _ => std::cmp::Ordering::Equal,
    })
}

/// The running sums (or products) of `v`, blocks of `n` rows of `inner`
/// values (C order), along the rows, in `F`'s arithmetic; `skip`: NaN
/// count as the identity (`nancumsum`, `nancumprod`).
fn accumulate_along<F>(v: &mut [f64], n: usize, inner: usize, product: bool, skip: bool)
where
    F: num_traits::Float + num_traits::AsPrimitive<f64> + 'static,
    f64: num_traits::AsPrimitive<F>,
{
    use num_traits::AsPrimitive;
    let one = if product { F::one() } else { F::zero() };
    let step = |acc: F, x: f64| {
        let x: F = if skip && x.is_nan() { one } else { x.as_() };
        if product {
            acc * x
        } else {
            acc + x
        }
    };
    if n * inner == 0 {
        return;
    }
    for block in v.chunks_mut(n * inner) {
        if inner == 1 {
            let mut acc = one;
            for x in block {
                acc = step(acc, *x);
                *x = acc.as_();
            }
            continue;
        }
        let mut acc = vec![one; inner];
        for row in block.chunks_mut(inner) {
            for (a, x) in acc.iter_mut().zip(row) {
                *a = step(*a, *x);
                *x = (*a).as_();
            }
        }
    }
}

/// `v`, blocks of `n` rows of `inner` values (C order), with each block
/// turned to `inner` rows of `n` into `out`: the middle axis moved last.
/// In tiles of 32 by 32, so reads and writes both stay in cache lines
/// they have just used.
fn axis_last<T: Copy>(v: &[T], out: &mut [T], n: usize, inner: usize) {
    const TILE: usize = 32;
    let block = n * inner;
    if block == 0 {
        return;
    }
    for (src, dst) in v.chunks(block).zip(out.chunks_mut(block)) {
        for r0 in (0..n).step_by(TILE) {
            for c0 in (0..inner).step_by(TILE) {
                for r in r0..(r0 + TILE).min(n) {
                    for c in c0..(c0 + TILE).min(inner) {
                        dst[c * n + r] = src[r * inner + c];
                    }
                }
            }
        }
    }
}

/// `value`, an array held in C order whose axis `order` moved last (as
/// [`Session::rows_along`] moves it), with that axis put back.
fn turned_back(value: &Value, order: &[usize]) -> Option<Value> {
    let ndim = order.len();
    let axis = *order.last()?;
    let moved_last = order[..ndim - 1]
        .iter()
        .copied()
        .eq((0..ndim).filter(|&k| k != axis));
    let Value::Lazy(l) = value else {
        return None;
    };
    let crate::compute::Node::Array(c) = &*l.node else {
        return None;
    };
    if !moved_last {
        return None;
    }
    let turned = c.re.shape().to_vec();
    let n = turned[ndim - 1];
    let inner: usize = turned[axis..ndim - 1].iter().product();
    let mut shape = turned[..axis].to_vec();
    shape.push(n);
    shape.extend(&turned[axis..ndim - 1]);
    fn back<T: Copy + Default>(
        a: &ArrayD<T>,
        shape: &[usize],
        inner: usize,
        n: usize,
    ) -> Option<ArrayD<T>> {
        let v = a.as_slice()?;
        let mut out = vec![T::default(); v.len()];
        axis_last(v, &mut out, inner, n);
        ArrayD::from_shape_vec(IxDyn(shape), out).ok()
    }
    let computed = Computed {
        dtype: c.dtype,
        re: back(&c.re, &shape, inner, n)?,
        im: match &c.im {
            Some(im) => Some(back(im, &shape, inner, n)?),
            None => None,
        },
        ints: match &c.ints {
            Some(i) => Some(back(i, &shape, inner, n)?),
            None => None,
        },
    };
    Some(Value::Lazy(Lazy::array(computed)))
}

/// Whether every value of `d` is a float32 (whose sort moves half the
/// bytes of float64's).
fn single(d: Scalar) -> bool {
    matches!(
        (d.kind, d.size),
        (Kind::Float, 2 | 4) | (Kind::Int | Kind::UInt, 1 | 2) | (Kind::Bool, _)
    )
}

/// NumPy's sort order: NaN after everything else.
fn nan_last(a: f64, b: f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Greater,
        (false, true) => std::cmp::Ordering::Less,
        _ => a.partial_cmp(&b).expect("no NaN here"),
    }
}

/// An element as the Python number `item()` and `tolist()` give.
fn python_number(n: Num, d: Scalar) -> Value {
    match d.kind {
        Kind::Bool => Value::Bool(n.re != 0.0),
        Kind::Int | Kind::UInt => Value::Int(n.re as i128),
        Kind::Float => Value::Float(n.re),
        Kind::Complex => Value::Complex(n.re, n.im),
    }
}

/// Nested Python lists of C-order values (`ints`: exactly, int64/uint64).
fn nested(shape: &[usize], re: &[f64], im: &[f64], ints: Option<&[i128]>, d: Scalar) -> Value {
    let go_one = |at: usize| match ints {
        Some(v) => Value::Int(v[at]),
        None => python_number(
            Num {
                re: re[at],
                im: im.get(at).copied().unwrap_or(0.0),
            },
            d,
        ),
    };
    fn go(shape: &[usize], at: &mut usize, one: &dyn Fn(usize) -> Value) -> Value {
        match shape.split_first() {
            None => {
                *at += 1;
                one(*at - 1)
            }
            Some((&len, inner)) => Value::List((0..len).map(|_| go(inner, at, one)).collect()),
        }
    }
    let mut at = 0;
    go(shape, &mut at, &go_one)
}
