//! Reinterpreting views: `reshape` (a view when the strides allow, as
//! NumPy's no-copy reshape decides, else a copy), `ravel`, `flatten`,
//! `transpose(axes)`, `swapaxes`, `view(dtype)`, `astype`, `byteswap`, and
//! NumPy 2's answer to `newbyteorder`. Copies of views are byte-for-byte,
//! in memory, within `set memory`; computed arrays stay lazy.

use super::operators::to_lazy;
use super::{Session, Value};
use crate::compute::{Lazy, Node};
use crate::diag::{Error, ErrorKind};
use crate::dtype::{Dtype, Kind};
use crate::syntax::{Arg, Span};
use crate::view::{Order, View};
use std::sync::Arc;

fn err(message: String, span: Span) -> Error {
    Error::new(
        ErrorKind::Type {
            message,
            hint: None,
        },
        span,
    )
}

/// NumPy's `_attempt_nocopy_reshape` (C order): the strides that lay
/// `new` over the same bytes as (`shape`, `strides`), or `None` when the
/// reshape needs a copy.
pub fn nocopy_strides(
    shape: &[usize],
    strides: &[isize],
    new: &[usize],
    itemsize: usize,
) -> Option<Vec<isize>> {
    let old: Vec<(usize, isize)> = shape
        .iter()
        .zip(strides)
        .filter(|(&n, _)| n != 1)
        .map(|(&n, &s)| (n, s))
        .collect();
    let (oldnd, newnd) = (old.len(), new.len());
    let mut out = vec![0isize; newnd];
    let (mut oi, mut oj, mut ni, mut nj) = (0, 1, 0, 1);
    while ni < newnd && oi < oldnd {
        let (mut np, mut op) = (new[ni], old[oi].0);
        while np != op {
            if np < op {
                np *= new.get(nj)?;
                nj += 1;
            } else {
                op *= old.get(oj)?.0;
                oj += 1;
            }
        }
        for ok in oi..oj - 1 {
            if old[ok].1 != old[ok + 1].0 as isize * old[ok + 1].1 {
                return None;
            }
        }
        out[nj - 1] = old[oj - 1].1;
        for nk in (ni + 1..nj).rev() {
            out[nk - 1] = out[nk] * new[nk] as isize;
        }
        ni = nj;
        nj += 1;
        oi = oj;
        oj += 1;
    }
    let last = if ni >= 1 {
        out[ni - 1]
    } else {
        itemsize as isize
    };
    for s in out.iter_mut().skip(ni) {
        *s = last;
    }
    Some(out)
}

/// The target shape of `reshape`, with one -1 inferred, or NumPy's error.
fn target_shape(dims: &[i128], size: usize, span: Span) -> Result<Vec<usize>, Error> {
    if dims.len() > crate::view::MAX_DIMS {
        return Err(err(
            format!(
                "maximum supported dimension for an ndarray is currently {}, found {}",
                crate::view::MAX_DIMS,
                dims.len()
            ),
            span,
        ));
    }
    if dims.iter().filter(|&&d| d == -1).count() > 1 {
        return Err(err("can only specify one unknown dimension".into(), span));
    }
    if dims.iter().any(|&d| d < -1) {
        return Err(err("negative dimensions not allowed".into(), span));
    }
    let known: i128 = dims.iter().filter(|&&d| d != -1).product();
    let text = |d: &[i128]| match d {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            d.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let bad = || {
        err(
            format!(
                "cannot reshape array of size {size} into shape {}",
                text(dims)
            ),
            span,
        )
    };
    let out: Vec<usize> = if dims.contains(&-1) {
        if known == 0 || size as i128 % known != 0 {
            return Err(bad());
        }
        dims.iter()
            .map(|&d| {
                if d == -1 {
                    (size as i128 / known) as usize
                } else {
                    d as usize
                }
            })
            .collect()
    } else {
        if known != size as i128 {
            return Err(bad());
        }
        dims.iter().map(|&d| d as usize).collect()
    };
    Ok(out)
}

/// NumPy's `order=` of `reshape`, `ravel`, `flatten` and `copy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    C,
    F,
    /// F when the array is F-contiguous and not C-contiguous, else C.
    A,
    /// The order the elements lie in memory (axes by decreasing |stride|).
    K,
}

/// The axes of `x` ordered as its bytes lie: by decreasing |stride|, ties
/// in axis order (NumPy's order 'K'; a computed array is C order).
fn memory_axes(x: &Value) -> Vec<usize> {
    match x {
        Value::View(v) => {
            let mut axes: Vec<usize> = (0..v.ndim()).collect();
            axes.sort_by_key(|&k| std::cmp::Reverse(v.strides[k].unsigned_abs()));
            axes
        }
        Value::Lazy(l) => (0..l.ndim()).collect(),
        _ => vec![],
    }
}

/// 'A' and 'K' resolved against `x`: the axis permutation to read `x` in
/// C order through (reversed for F).
fn layout_axes(x: &Value, layout: Layout) -> Vec<usize> {
    let ndim = match x {
        Value::View(v) => v.ndim(),
        Value::Lazy(l) => l.ndim(),
        _ => 0,
    };
    let f_only = matches!(x, Value::View(v) if v.is_f_contiguous() && !v.is_c_contiguous());
    match layout {
        Layout::F => (0..ndim).rev().collect(),
        Layout::A if f_only => (0..ndim).rev().collect(),
        Layout::K => memory_axes(x),
        _ => (0..ndim).collect(),
    }
}

fn inverse(axes: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; axes.len()];
    for (i, &a) in axes.iter().enumerate() {
        inv[a] = i;
    }
    inv
}

impl Session {
    /// Splits `order=` (or a trailing positional order string, as
    /// `x.flatten('F')`) from the other arguments.
    fn order_arg(&self, args: &[Arg]) -> Result<(Vec<Arg>, Layout), Error> {
        let mut rest = Vec::new();
        let mut layout = Layout::C;
        for (k, a) in args.iter().enumerate() {
            let named = a.name.as_ref().is_some_and(|n| n.node == "order");
            let trailing_str = a.name.is_none()
                && k + 1 == args.len()
                && matches!(a.value.kind, crate::syntax::ExprKind::Str(_));
            if !(named || trailing_str) {
                rest.push(a.clone());
                continue;
            }
            layout = match self.eval(&a.value)? {
                Value::None => Layout::C,
                Value::Str(o) => match o.as_str() {
                    "C" | "c" => Layout::C,
                    "F" | "f" => Layout::F,
                    "A" | "a" => Layout::A,
                    "K" | "k" => Layout::K,
                    _ => {
                        return Err(err(
                            format!(
                                "order must be one of 'C', 'F', 'A', or 'K' (got '{}')",
                                crate::text::escape(&o)
                            ),
                            a.value.span,
                        ))
                    }
                },
                v => {
                    return Err(err(
                        format!("order must be str, not {}", v.kind_name()),
                        a.value.span,
                    ))
                }
            };
        }
        Ok((rest, layout))
    }

    /// Integer arguments, as separate ints or one tuple/list.
    fn int_args(&self, args: &[Arg], span: Span) -> Result<Vec<i128>, Error> {
        let vals: Vec<Value> = args
            .iter()
            .map(|a| self.eval(&a.value))
            .collect::<Result<_, _>>()?;
        let flat: Vec<Value> = match &vals[..] {
            [Value::Tuple(t)] | [Value::List(t)] => t.clone(),
            _ => vals,
        };
        flat.iter()
            .map(|v| match v {
                Value::Int(i) => Ok(*i),
                other => Err(err(
                    format!("expected integers, not {}", other.kind_name()),
                    span,
                )),
            })
            .collect()
    }

    pub(super) fn dtype_arg(&self, args: &[Arg], span: Span) -> Result<Dtype, Error> {
        let [a] = args else {
            return Err(err(
                "this method takes one dtype, such as '<f4' or d.dtype".into(),
                span,
            ));
        };
        match self.eval(&a.value) {
            Ok(Value::Dtype(d)) => Ok(d),
            Ok(Value::Str(s)) => Dtype::parse_str(&s).map_err(|m| err(m, a.value.span)),
            // A bare type name: view(float32), astype(ci16).
            _ => match &a.value.kind {
                crate::syntax::ExprKind::Name(n) => {
                    Dtype::parse_str(n).map_err(|m| err(m, a.value.span))
                }
                _ => Err(err(
                    "expected a dtype such as '<f4', float32 or d.dtype".into(),
                    a.value.span,
                )),
            },
        }
    }

    /// A copy of a view's elements in C order, in memory, within the limit.
    fn copy_view(&self, v: &View, span: Span) -> Result<View, Error> {
        self.copy_view_in(v, Order::C, span)
    }

    /// A copy laid out in `order` (NumPy's order 'A' keeps F for an
    /// F-contiguous array).
    fn copy_view_in(&self, v: &View, order: Order, span: Span) -> Result<View, Error> {
        let mut out: Vec<u8> =
            self.reserve_memory(v.nbytes(), "this copy", "work on a smaller view", span)?;
        let walk = if order == Order::F {
            v.transpose()
        } else {
            v.clone()
        };
        walk.write_c_order(&mut out)
            .map_err(|_| Error::new(ErrorKind::Interrupted, span))?;
        let source = Arc::new(crate::source::Source::copy(&v.source, out, "copying"));
        View::over_file(source, 0, v.shape.clone(), v.dtype.clone(), order)
            .ok_or_else(|| err("the copy does not fit in memory".into(), span))
    }

    /// `x.NAME(args)` for the built-ins that reshape ([`crate::builtins::Does::Reshape`]).
    pub(super) fn reshape_method(
        &self,
        name: &str,
        x: Value,
        args: &[Arg],
        span: Span,
    ) -> Result<Value, Error> {
        if matches!(name, "reshape" | "ravel" | "flatten" | "copy") {
            let (rest, layout) = self.order_arg(args)?;
            if layout == Layout::K && name == "reshape" {
                return Err(err("order 'K' is not permitted for reshaping".into(), span));
            }
            let axes = layout_axes(&x, layout);
            if axes.iter().enumerate().any(|(i, &a)| i != a) {
                let turned = permute(x, &axes);
                return match name {
                    // Fortran-order reshape: reshape the transpose to the
                    // reversed shape, and transpose back.
                    "reshape" => {
                        let mut dims = self.int_args(&rest, span)?;
                        dims.reverse();
                        let dims: Vec<Arg> = dims.iter().map(|&d| int_arg(d, span)).collect();
                        let r = self.reshape_method(name, turned, &dims, span)?;
                        let n = match &r {
                            Value::View(v) => v.ndim(),
                            Value::Lazy(l) => l.ndim(),
                            _ => 0,
                        };
                        Ok(permute(r, &(0..n).rev().collect::<Vec<_>>()))
                    }
                    // A copy laid out like the original: copied in memory
                    // order, then turned back.
                    "copy" => {
                        let c = self.reshape_method(name, turned, &rest, span)?;
                        Ok(permute(c, &inverse(&axes)))
                    }
                    _ => self.reshape_method(name, turned, &rest, span),
                };
            }
            if rest.len() != args.len() {
                return self.reshape_method(name, x, &rest, span);
            }
        }
        match (name, x) {
            ("reshape", Value::View(v)) => {
                let dims = self.int_args(args, span)?;
                let shape = target_shape(&dims, v.size(), span)?;
                let item = v.dtype.itemsize();
                // NumPy's order of checks: the same view when the shape as
                // given (before a -1 is inferred) is the old one; C strides
                // for a C-contiguous array; else the no-copy attempt.
                let same = dims.len() == v.ndim() && dims.iter().zip(&v.shape).all(|(&d, &n)| d == n as i128);
                let strides = if same {
                    Some(v.strides.clone())
                } else if v.is_c_contiguous() || v.size() == 0 {
                    crate::view::contiguous_strides(&shape, item, Order::C)
                } else {
                    nocopy_strides(&v.shape, &v.strides, &shape, item)
                };
                match strides {
                    Some(strides) => Ok(Value::View(View { shape, strides, ..v })),
                    None => {
                        let c = self.copy_view(&v, span)?;
                        let strides = crate::view::contiguous_strides(&shape, item, Order::C).expect("fits: same bytes");
                        Ok(Value::View(View { shape, strides, ..c }))
                    }
                }
            }
            ("reshape", Value::Lazy(l)) => {
                let dims = self.int_args(args, span)?;
                let shape = target_shape(&dims, l.size(), span)?;
                Ok(Value::Lazy(reshape_lazy(&l, shape)))
            }
            ("ravel", x @ (Value::View(_) | Value::Lazy(_))) => {
                if !args.is_empty() {
                    return Err(err("ravel() takes only order=".into(), span));
                }
                // NumPy: a view of a C-contiguous array, else a copy (even
                // where a strided view would do).
                if let Value::View(v) = &x {
                    if !v.is_c_contiguous() {
                        return self.reshape_method("flatten", x, &[], span);
                    }
                }
                let minus_one = [int_arg(-1, span)];
                self.reshape_method("reshape", x, &minus_one, span)
            }
            ("flatten" | "copy", Value::View(v)) => {
                let c = self.copy_view(&v, span)?;
                if name == "copy" {
                    return Ok(Value::View(c));
                }
                let n = c.size();
                let strides = vec![c.dtype.itemsize() as isize];
                Ok(Value::View(View { shape: vec![n], strides, ..c }))
            }
            ("flatten", Value::Lazy(l)) => {
                let n = l.size();
                Ok(Value::Lazy(reshape_lazy(&l, vec![n])))
            }
            ("copy", x @ Value::Lazy(_)) => Ok(x),
            ("transpose", x @ (Value::View(_) | Value::Lazy(_))) => {
                let ndim = match &x {
                    Value::View(v) => v.ndim(),
                    Value::Lazy(l) => l.ndim(),
                    _ => unreachable!(),
                };
                let axes: Vec<usize> = if args.is_empty() {
                    (0..ndim).rev().collect()
                } else {
                    let a = self.int_args(args, span)?;
                    let norm: Vec<usize> = a
                        .iter()
                        .map(|&k| {
                            let k2 = if k < 0 { k + ndim as i128 } else { k };
                            if k2 < 0 || k2 >= ndim as i128 {
                                Err(err(format!("axis {k} is out of bounds for array of dimension {ndim}"), span))
                            } else {
                                Ok(k2 as usize)
                            }
                        })
                        .collect::<Result<_, _>>()?;
                    let mut seen = norm.clone();
                    seen.sort_unstable();
                    seen.dedup();
                    if norm.len() != ndim {
                        return Err(err("axes don't match array".into(), span));
                    }
                    if seen.len() != ndim {
                        return Err(err("repeated axis in transpose".into(), span));
                    }
                    norm
                };
                Ok(permute(x, &axes))
            }
            ("swapaxes", x @ (Value::View(_) | Value::Lazy(_))) => {
                let ndim = match &x {
                    Value::View(v) => v.ndim(),
                    Value::Lazy(l) => l.ndim(),
                    _ => unreachable!(),
                };
                let a = self.int_args(args, span)?;
                let [a1, a2] = a[..] else {
                    return Err(err("swapaxes(axis1, axis2) takes two axes".into(), span));
                };
                let fix = |k: i128, which: &str| {
                    let k2 = if k < 0 { k + ndim as i128 } else { k };
                    if k2 < 0 || k2 >= ndim as i128 {
                        Err(err(format!("{which}: axis {k} is out of bounds for array of dimension {ndim}"), span))
                    } else {
                        Ok(k2 as usize)
                    }
                };
                let (a1, a2) = (fix(a1, "axis1")?, fix(a2, "axis2")?);
                let mut axes: Vec<usize> = (0..ndim).collect();
                axes.swap(a1, a2);
                Ok(permute(x, &axes))
            }
            ("view", Value::View(v)) => {
                let to = self.dtype_arg(args, span)?;
                view_as(v, to, span).map(Value::View)
            }
            ("astype", x @ (Value::View(_) | Value::Lazy(_))) => {
                let to = self.dtype_arg(args, span)?;
                // Complex to a float of its parts' size keeps the real parts
                // as they are, NaN payloads included, as NumPy's cast does:
                // the real part's view, then the byte copy below.
                let x = match (&x, to.as_scalar()) {
                    (Value::View(v), Some(t))
                        if t.kind == Kind::Float
                            && v.dtype.as_scalar().is_some_and(|f| {
                                f.kind == Kind::Complex && f.size == 2 * t.size
                            }) =>
                    {
                        v.complex_part(0).map_or(x, Value::View)
                    }
                    _ => x,
                };
                // Only the byte order changes: a byte copy, swapped (exact,
                // NaN payloads included, as NumPy's cast is).
                if let (Value::View(v), Some(t)) = (&x, to.as_scalar()) {
                    if let Some(f) = v.dtype.as_scalar().filter(|f| f.kind == t.kind && f.size == t.size) {
                        let mut c = self.copy_view(v, span)?;
                        if f.order != t.order && f.size > 1 {
                            let parts = scalar_parts(&c.dtype);
                            let mut bytes = c.source.bytes().to_vec();
                            for e in bytes.chunks_mut(f.size) {
                                for &(off, size) in &parts {
                                    e[off..off + size].reverse();
                                }
                            }
                            c.source = Arc::new(crate::source::Source::copy(&v.source, bytes, "copying"));
                        }
                        c.dtype = to;
                        return Ok(Value::View(c));
                    }
                }
                let Some(s) = to.as_scalar() else {
                    let what = if matches!(to, Dtype::Text(_)) { "strings" } else { "a record dtype" };
                    return Err(err(format!("astype to {what} is not supported"), span));
                };
                let Some(crate::compute::promote::Operand::Array(from)) = super::operators::operand(&x) else {
                    return Err(err(match &x {
                        Value::View(v) if matches!(v.dtype, Dtype::Text(_)) => {
                            format!("astype of strings ({}) is not supported", v.dtype.short())
                        }
                        _ => "astype of records is not supported: pick a field".into(),
                    }, span));
                };
                let l = to_lazy(&x, from, span)?;
                let shape = l.shape.clone();
                Ok(Value::Lazy(Lazy::new_keep_order(Node::Cast(l), shape, s)))
            }
            ("byteswap", Value::View(v)) => {
                // NumPy copies in order 'A': an F-contiguous array stays F.
                let order = if v.is_f_contiguous() && !v.is_c_contiguous() { Order::F } else { Order::C };
                let mut c = self.copy_view_in(&v, order, span)?;
                let parts = scalar_parts(&c.dtype);
                let item = c.dtype.itemsize();
                let mut bytes = c.source.bytes().to_vec();
                for e in bytes.chunks_mut(item.max(1)) {
                    for &(off, size) in &parts {
                        e[off..off + size].reverse();
                    }
                }
                c.source = Arc::new(crate::source::Source::copy(&v.source, bytes, "copying"));
                Ok(Value::View(c))
            }
            ("newbyteorder", _) => Err(err(
                "`newbyteorder` was removed from the ndarray class in NumPy 2.0. Use `arr.view(arr.dtype.newbyteorder(order))` instead.".into(),
                span,
            )),
            (_, other) => Err(err(format!("{} has no method `{name}` here", other.kind_name()), span)),
        }
    }
}

/// Byte ranges (offset, size) of each scalar part of an element: the
/// units `byteswap` reverses (complex numbers as two parts).
fn scalar_parts(d: &Dtype) -> Vec<(usize, usize)> {
    fn walk(d: &Dtype, base: usize, out: &mut Vec<(usize, usize)>) {
        match d {
            Dtype::Scalar(s) if s.kind == Kind::Complex => {
                out.push((base, s.size / 2));
                out.push((base + s.size / 2, s.size / 2));
            }
            Dtype::Scalar(s) => out.push((base, s.size)),
            // Each UTF-32 code unit of a `U` string; `S` bytes stay.
            Dtype::Text(t) if t.unicode => (0..t.chars).for_each(|k| out.push((base + 4 * k, 4))),
            Dtype::Text(_) => {}
            // Every element of a sub-array field.
            Dtype::Record(r) => r.fields.iter().for_each(|f| {
                f.element_offsets()
                    .for_each(|at| walk(&f.dtype, base + at, out))
            }),
        }
    }
    let mut out = Vec::new();
    walk(d, 0, &mut out);
    out
}

/// `dtype.newbyteorder()`: little and big swapped (single bytes unchanged).
pub fn flip_order(d: &Dtype) -> Dtype {
    match d {
        Dtype::Scalar(s) if s.size > 1 => {
            Dtype::Scalar(crate::dtype::Scalar::new(s.kind, s.size, s.order.flipped()))
        }
        Dtype::Text(t) if t.unicode => Dtype::Text(crate::dtype::Text {
            order: t.order.flipped(),
            ..*t
        }),
        Dtype::Scalar(_) | Dtype::Text(_) => d.clone(),
        Dtype::Record(r) => {
            let mut r = r.clone();
            for f in &mut r.fields {
                f.dtype = flip_order(&f.dtype);
            }
            Dtype::Record(r)
        }
    }
}

/// `v.view(to)` with NumPy's rules for a different itemsize.
fn view_as(v: View, to: Dtype, span: Span) -> Result<View, Error> {
    let (old, new) = (v.dtype.itemsize(), to.itemsize());
    if old == new {
        return Ok(View { dtype: to, ..v });
    }
    if v.ndim() == 0 {
        return Err(err(
            "Changing the dtype of a 0d array is only supported if the itemsize is unchanged"
                .into(),
            span,
        ));
    }
    let last = v.ndim() - 1;
    if v.shape[last] != 1 && v.size() != 0 && v.strides[last] != old as isize {
        return Err(err(
            "To change to a dtype of a different size, the last axis must be contiguous".into(),
            span,
        ));
    }
    let bytes = v.shape[last] * old;
    if new < old && !old.is_multiple_of(new) {
        return Err(err("When changing to a smaller dtype, its size must be a divisor of the size of original dtype".into(), span));
    }
    if new > old && !bytes.is_multiple_of(new) {
        return Err(err(
            "When changing to a larger dtype, its size must be a divisor of the total size in bytes of the last axis of the array.".into(),
            span,
        ));
    }
    let mut w = View { dtype: to, ..v };
    w.shape[last] = bytes / new;
    w.strides[last] = new as isize;
    Ok(w)
}

/// A view or computed array with its axes permuted (`axes[i]` is the old
/// axis that becomes axis `i`).
pub(super) fn permute(x: Value, axes: &[usize]) -> Value {
    match x {
        Value::View(mut v) => {
            v.shape = axes.iter().map(|&k| v.shape[k]).collect();
            v.strides = axes.iter().map(|&k| v.strides[k]).collect();
            Value::View(v)
        }
        Value::Lazy(l) => {
            let n = l.ndim();
            let mut c = vec![1isize; n];
            for k in (0..n.saturating_sub(1)).rev() {
                c[k] = c[k + 1] * l.shape[k + 1].max(1) as isize;
            }
            let shape = axes.iter().map(|&k| l.shape[k]).collect();
            let strides = axes.iter().map(|&k| c[k]).collect();
            Value::Lazy(Lazy::indexed(l, strides, 0, shape))
        }
        other => other,
    }
}

/// An integer as a positional argument.
fn int_arg(i: i128, span: Span) -> Arg {
    Arg {
        name: None,
        value: crate::syntax::Expr {
            kind: crate::syntax::ExprKind::Int(i),
            span,
        },
    }
}

/// A computed array reshaped (C order): the same flat order, new shape.
pub(super) fn reshape_lazy(l: &Lazy, shape: Vec<usize>) -> Lazy {
    let n = shape.len();
    let mut c = vec![1isize; n];
    for k in (0..n.saturating_sub(1)).rev() {
        c[k] = c[k + 1] * shape[k + 1].max(1) as isize;
    }
    Lazy::indexed(l.clone(), c, 0, shape)
}
