//! Reductions as functions and methods (`mean(x, axis=0)`,
//! `x.max(axis=(0, 1))`): NumPy's arguments (`axis=`, `keepdims=`,
//! `where=`, `dtype=`, `ddof=`), result dtypes (float64 accumulation
//! rounded once to NumPy's dtype), errors, masked reductions and the
//! engine's plan for `explain`.

use super::call::{
    array_arg, int_scalar, interrupted, needs_array, sc, scalar_value, type_error,
    unexpected_keyword,
};
use super::operators::{binary, operand, to_lazy};
use super::{Session, Value};
use crate::compute::axes::{reduce_axes, reduce_axes_c_order};
use crate::compute::promote::Operand;
use crate::compute::reduce::{reduce_all, Acc, Need};
use crate::compute::{broadcast, cast, decode_num, Computed, Func, Lazy, Node, Num};
use crate::diag::{Error, ErrorKind};
use crate::dtype::{Dtype, Kind, Scalar};
use crate::syntax::{Arg, BinOp, Expr, ExprKind, Span};
use ndarray::{ArrayD, IxDyn};

impl Session {
    /// A reduction with NumPy's `keepdims=` and `dtype=`: `dtype=` casts
    /// the input first (as NumPy's reductions do) and is the result's dtype;
    /// `keepdims=True` leaves each reduced axis as an axis of length 1.
    pub(super) fn reduction(
        &self,
        name: &str,
        x: Value,
        rest: &[Arg],
        span: Span,
    ) -> Result<Value, Error> {
        let mut keepdims = false;
        let mut to: Option<Scalar> = None;
        let mut mask: Option<(Value, Span)> = None;
        let mut initial: Option<(Value, Span)> = None;
        let mut plain = Vec::with_capacity(rest.len());
        for a in rest {
            match a.name.as_ref().map(|n| n.node.as_str()) {
                Some("where") if WHERE_REDUCTIONS.contains(&name) => {
                    mask = Some((self.eval(&a.value)?, a.value.span));
                }
                Some("initial") if matches!(name, "min" | "max" | "sum" | "nansum") => {
                    initial = Some((self.eval(&a.value)?, a.value.span));
                }
                Some("keepdims") => {
                    keepdims = match self.eval(&a.value)? {
                        Value::Bool(b) => b,
                        Value::Int(i) => i != 0,
                        v => {
                            return Err(type_error(
                                format!("keepdims takes True or False, not {}", v.kind_name()),
                                a.value.span,
                            ))
                        }
                    }
                }
                Some("dtype") if DTYPE_REDUCTIONS.contains(&name) => {
                    let d = self.dtype_arg(std::slice::from_ref(a), a.value.span)?;
                    to = Some(d.as_scalar().ok_or_else(|| {
                        type_error("dtype= takes a scalar dtype".into(), a.value.span)
                    })?);
                }
                _ => plain.push(a.clone()),
            }
        }
        let Some(Operand::Array(from)) = operand(&x) else {
            return Err(type_error(needs_array(name, &x), span));
        };
        let x = match to {
            Some(t) if (t.kind, t.size) != (from.kind, from.size) => {
                let l = to_lazy(&x, from, span)?;
                let shape = l.shape.clone();
                Value::Lazy(Lazy::new_keep_order(
                    Node::Cast(l),
                    shape,
                    sc(t.kind, t.size),
                ))
            }
            _ => x,
        };
        let ndim = match &x {
            Value::View(v) => v.ndim(),
            Value::Lazy(l) => l.ndim(),
            _ => 0,
        };
        let (value, axes) = if mask.is_some() || initial.is_some() {
            self.masked_reduction(name, x, &plain, to, mask, initial, span)?
        } else {
            self.reduce_core(name, x, &plain, to, span)?
        };
        if !keepdims {
            return Ok(value);
        }
        Ok(keep_dims(value, axes.as_deref(), ndim))
    }

    /// NumPy's `where=` (elements left out count as the reduction's
    /// identity: 0 for sums, False for `any`, True for `all`; a mean
    /// divides by the elements kept) and `initial=` (one more element,
    /// required by min and max with `where=`).
    #[allow(clippy::too_many_arguments)]
    fn masked_reduction(
        &self,
        name: &str,
        x: Value,
        rest: &[Arg],
        to: Option<Scalar>,
        mask: Option<(Value, Span)>,
        initial: Option<(Value, Span)>,
        span: Span,
    ) -> Result<(Value, Option<Vec<usize>>), Error> {
        let (l, d) = array_arg(name, &x, span)?;
        let base = name.trim_start_matches("nan");
        if matches!(base, "min" | "max") && mask.is_some() && initial.is_none() {
            return Err(type_error(
                format!(
                    "reduction operation '{}' does not have an identity, so to use a where mask one has to specify 'initial'",
                    if base == "min" { "minimum" } else { "maximum" }
                ),
                span,
            ));
        }
        let bool_t = sc(Kind::Bool, 1);
        let (m, shape) = match &mask {
            Some((mv, mspan)) => {
                let m = where_mask(mv, *mspan)?;
                let shape = broadcast(&l.shape, &m.shape).map_err(|e| type_error(e, *mspan))?;
                if shape != l.shape {
                    return Err(type_error(
                        format!(
                            "non-broadcastable operand with shape {} doesn't match the broadcast shape {}",
                            crate::text::shape_repr(&l.shape),
                            crate::text::shape_repr(&shape)
                        ),
                        *mspan,
                    ));
                }
                (Some(m), shape)
            }
            None => (None, l.shape.clone()),
        };
        let fill = |v: f64| Lazy::constant(Num::real(v), d);
        let kept = |fill_value: Lazy| match &m {
            Some(m) => Value::Lazy(Lazy::new(
                Node::Where(m.clone(), l.clone(), fill_value),
                shape.clone(),
                d,
            )),
            None => Value::Lazy(l.clone()),
        };
        match base {
            "sum" | "any" | "all" | "min" | "max" => {
                let identity = match base {
                    "all" => 1.0,
                    "min" | "max" => match &initial {
                        Some((Value::Int(i), _)) => *i as f64,
                        Some((Value::Float(f), _)) => *f,
                        Some((_, s)) => {
                            return Err(type_error("initial= takes a number".into(), *s))
                        }
                        None => 0.0,
                    },
                    _ => 0.0,
                };
                let (value, axes) = self.reduce_core(name, kept(fill(identity)), rest, to, span)?;
                // initial joins the elements: once for sums, as a bound for
                // min/max (NaN still wins).
                let Some((iv, ispan)) = initial else {
                    return Ok((value, axes));
                };
                let init = match iv {
                    Value::Int(i) => i as f64,
                    Value::Float(f) => f,
                    _ => return Err(type_error("initial= takes a number".into(), ispan)),
                };
                let join = |v: f64| match base {
                    "min" if !v.is_nan() => v.min(init),
                    "max" if !v.is_nan() => v.max(init),
                    "sum" => v + init,
                    _ => v,
                };
                Ok((map_values(value, join), axes))
            }
            "mean" => {
                // The sum of the kept elements over how many were kept
                // (NaN left out too for nanmean).
                let sum_name = if name.starts_with("nan") {
                    "nansum"
                } else {
                    "sum"
                };
                let (total, axes) = self.reduce_core(sum_name, kept(fill(0.0)), rest, to, span)?;
                // The mask broadcast to x's shape (counted per element of x).
                let truth = |v: f64| Lazy::constant(Num::real(v), bool_t);
                let mut valid = match &m {
                    Some(m) => Lazy::new(
                        Node::Where(m.clone(), truth(1.0), truth(0.0)),
                        shape.clone(),
                        bool_t,
                    ),
                    None => Lazy::new(Node::Const(Num::real(1.0)), shape.clone(), bool_t),
                };
                if name.starts_with("nan") {
                    let isnan =
                        Lazy::new(Node::Unary(Func::IsNan, l.clone()), shape.clone(), bool_t);
                    let not = Lazy::new(Node::Unary(Func::Not, isnan), shape.clone(), bool_t);
                    valid = Lazy::new(
                        Node::Where(valid, not, Lazy::constant(Num::real(0.0), bool_t)),
                        shape.clone(),
                        bool_t,
                    );
                }
                let (count, _) =
                    self.reduce_core("count_nonzero", Value::Lazy(valid), rest, None, span)?;
                let result = match to {
                    Some(t) => sc(t.kind, t.size),
                    None => reduction_dtype("mean", d),
                };
                Ok((divide(total, count, result), axes))
            }
            "var" | "std" => {
                // NumPy's two passes over the kept elements, in float64:
                // the mean (kept as a length-1 axis, to broadcast back),
                // then the sum of |x - mean|² over max(n - ddof, 0).
                let nan = name.starts_with("nan");
                let mut ddof = 0.0;
                let mut others = Vec::with_capacity(rest.len());
                for a in rest {
                    if a.name.as_ref().is_some_and(|n| n.node == "ddof") {
                        ddof = match self.eval(&a.value)? {
                            Value::Int(i) => i as f64,
                            Value::Float(f) => f,
                            v => {
                                return Err(type_error(
                                    format!("ddof takes a number, not {}", v.kind_name()),
                                    a.value.span,
                                ))
                            }
                        };
                    } else {
                        others.push(a.clone());
                    }
                }
                let work = if d.kind == Kind::Complex {
                    sc(Kind::Complex, 16)
                } else {
                    sc(Kind::Float, 8)
                };
                let xw = Value::Lazy(to_lazy(&Value::Lazy(l.clone()), work, span)?);
                // One reduction of the kept elements, along the axes asked.
                let over_kept = |name: &str, v: Value| {
                    self.masked_reduction(name, v, &others, None, mask.clone(), None, span)
                };
                let (mean, axes) = over_kept(if nan { "nanmean" } else { "mean" }, xw.clone())?;
                let mean = keep_dims(mean, axes.as_deref(), shape.len());
                let dev = binary(BinOp::Sub, &xw, &mean, span)?;
                let size = match &dev {
                    Value::Lazy(v) => v.shape.clone(),
                    _ => shape.clone(),
                };
                let magnitude = match (&dev, d.kind) {
                    (Value::Lazy(v), Kind::Complex) => Value::Lazy(Lazy::new(
                        Node::Unary(Func::Abs, v.clone()),
                        size.clone(),
                        sc(Kind::Float, 8),
                    )),
                    _ => dev,
                };
                let squares = binary(BinOp::Mul, &magnitude, &magnitude, span)?;
                let (total, _) = over_kept(if nan { "nansum" } else { "sum" }, squares)?;
                // How many were kept (NaN left out too for the nan- forms).
                let f8 = sc(Kind::Float, 8);
                let one = |v: f64| Lazy::constant(Num::real(v), f8);
                let valid = if nan {
                    let isnan =
                        Lazy::new(Node::Unary(Func::IsNan, l.clone()), shape.clone(), bool_t);
                    Lazy::new(Node::Where(isnan, one(0.0), one(1.0)), shape.clone(), f8)
                } else {
                    Lazy::new(Node::Const(Num::real(1.0)), shape.clone(), f8)
                };
                let (count, _) = over_kept("sum", Value::Lazy(valid))?;
                let count = map_values(count, |n| (n - ddof).max(0.0));
                let result = match to {
                    Some(t) => sc(t.kind, t.size),
                    None => reduction_dtype("var", d),
                };
                let var = divide(total, count, sc(Kind::Float, 8));
                let value = if base == "std" {
                    map_values(var, f64::sqrt)
                } else {
                    var
                };
                Ok((recast(value, result), axes))
            }
            _ => Err(type_error(
                format!("{name}() with where= is not supported yet"),
                span,
            )),
        }
    }

    /// The engine's plan for `e` when it is a call of a reduction
    /// (`mean(abs(d.r) - 3, axis=0)`), worked out without running it:
    /// what `explain` shows. `None` for anything else.
    pub(super) fn reduction_plan(&self, e: &Expr) -> Option<crate::compute::plan::Plan> {
        use crate::compute::plan::{plan, Goal};
        let ExprKind::Call { func, args } = &e.kind else {
            return None;
        };
        let ExprKind::Name(name) = &func.kind else {
            return None;
        };
        let name = name.trim_start_matches("np.").trim_start_matches("numpy.");
        if matches!(name, "welch" | "spectrogram") {
            let first = args.first().filter(|a| a.name.is_none())?;
            let x = self.eval(&first.value).ok()?;
            return self.segments_plan(name, x, &args[1..], e.span);
        }
        let base = name.trim_start_matches("nan");
        if !matches!(
            base,
            "sum"
                | "mean"
                | "std"
                | "var"
                | "min"
                | "max"
                | "argmin"
                | "argmax"
                | "count_nonzero"
                | "any"
                | "all"
                | "ptp"
        ) {
            return None;
        }
        let first = args.first().filter(|a| a.name.is_none())?;
        let x = self.eval(&first.value).ok()?;
        let (l, d) = array_arg(name, &x, e.span).ok()?;
        let mut axes = None;
        for a in &args[1..] {
            if matches!(
                a.name.as_ref().map(|n| n.node.as_str()),
                Some("axis") | None
            ) {
                let v = self.eval(&a.value).ok()?;
                axes = normalize_axes(&v, l.ndim(), true, a.value.span).ok()?;
            }
        }
        let itemsize = reduction_dtype(base, d).size as u64;
        Some(match axes {
            None => plan(&l, &Goal::All, itemsize),
            Some(axes) => {
                let outputs: usize = (0..l.ndim())
                    .filter(|k| !axes.contains(k))
                    .map(|k| l.shape[k])
                    .product();
                plan(
                    &l,
                    &Goal::Axes(axes, Need::of(base), matches!(base, "argmin" | "argmax")),
                    outputs as u64 * itemsize,
                )
            }
        })
    }

    /// The reduction itself; also returns the axes it reduced (`None`: all).
    fn reduce_core(
        &self,
        name: &str,
        x: Value,
        rest: &[Arg],
        to: Option<Scalar>,
        span: Span,
    ) -> Result<(Value, Option<Vec<usize>>), Error> {
        let (l, d) = array_arg(name, &x, span)?;
        let mut axis: Option<(Vec<usize>, Span)> = None;
        let mut ddof = 0u64;
        for a in rest {
            let key = a.name.as_ref().map(|n| n.node.as_str());
            match key {
                Some("axis") | None if axis.is_none() => {
                    let v = self.eval(&a.value)?;
                    // NumPy's ufunc reductions (and the nan- functions) take
                    // axis 0 or -1 of a 0-d array as no axis; mean, var and
                    // std count the axis first and raise.
                    let zero_d = !matches!(name, "mean" | "var" | "std");
                    axis = normalize_axes(&v, l.ndim(), zero_d, a.value.span)?
                        .map(|ax| (ax, a.value.span));
                }
                Some("ddof") if matches!(name, "std" | "var" | "nanstd" | "nanvar") => {
                    ddof = match self.eval(&a.value)? {
                        Value::Int(n) if n >= 0 => n as u64,
                        _ => {
                            return Err(type_error(
                                "ddof takes a non-negative integer".into(),
                                a.value.span,
                            ))
                        }
                    };
                }
                Some(k) => return Err(unexpected_keyword(name, k, a.value.span)),
                None => {
                    return Err(type_error(
                        format!("{name}() takes at most one positional argument (the axis)"),
                        a.value.span,
                    ))
                }
            }
        }
        if d.kind == Kind::Bool && name == "ptp" {
            return Err(type_error(
                "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead.".into(),
                span,
            ));
        }
        if d.kind == Kind::Complex && matches!(name, "min" | "max" | "argmin" | "argmax") {
            let axes = axis.map(|(a, _)| a);
            return Ok((self.complex_extreme(name, &l, axes.clone(), span)?, axes));
        }
        if d.kind == Kind::Complex
            && matches!(
                name,
                "nanmin" | "nanmax" | "nanargmin" | "nanargmax" | "ptp"
            )
        {
            return Err(Error::new(
                ErrorKind::Unsupported {
                    what: format!("{name} of complex numbers"),
                    hint: Some(format!("take {name}(abs(x)) or of x.real")),
                },
                span,
            ));
        }
        let int = matches!(d.kind, Kind::Int | Kind::UInt | Kind::Bool);
        let skip = name.starts_with("nan");
        let base = name.trim_start_matches("nan");
        // With dtype= NumPy's result has that dtype (complex even for var).
        let result_dtype = match to {
            Some(t) => sc(t.kind, t.size),
            None => reduction_dtype(base, d),
        };
        let reduced = axis.as_ref().map(|(ax, _)| ax.clone());
        let value = (|| -> Result<Value, Error> {
            match axis {
                None => {
                    let acc = reduce_all(&l, int, Need::of(base)).map_err(|_| interrupted(span))?;
                    if matches!(base, "argmin" | "argmax") {
                        // The flat C-order index, as NumPy (`unravel_index` gives the n-d one).
                        let at = self.arg_index(&acc, base, skip, l.size(), span)?;
                        return Ok(scalar_value(Num::real(at as f64), sc(Kind::Int, 8)));
                    }
                    // Integer sums and 64-bit extremes exactly (float64 rounds past 2^53).
                    if let Some(mut v) =
                        exact_ints(base, std::slice::from_ref(&acc), result_dtype, int)
                    {
                        return Ok(int_scalar(v.next().expect("one accumulator"), result_dtype));
                    }
                    let n = finish(base, &acc, skip, ddof, d, l.size(), name, span)?;
                    Ok(scalar_value(n, result_dtype))
                }
                Some((axes, axis_span)) => {
                    if matches!(base, "argmin" | "argmax") && l.ndim() == 0 && axes.is_empty() {
                        return Ok(scalar_value(Num::real(0.0), sc(Kind::Int, 8)));
                    }
                    if matches!(base, "argmin" | "argmax") && axes.len() != 1 {
                        return Err(type_error(
                            "'tuple' object cannot be interpreted as an integer".into(),
                            axis_span,
                        ));
                    }
                    // Over no element, min and max have no answer even when
                    // there are no outputs either (NumPy raises for (0, 0)).
                    let reduced: usize = axes.iter().map(|&a| l.shape[a]).product();
                    if reduced == 0 && matches!(base, "min" | "max" | "ptp") {
                        return Err(no_identity(base, skip, span));
                    }
                    if reduced == 0 && matches!(base, "argmin" | "argmax") {
                        return Err(type_error(
                            format!("attempt to get {base} of an empty sequence"),
                            span,
                        ));
                    }
                    // Positions along the axis: the walk of `l` as it is.
                    let walk = if matches!(base, "argmin" | "argmax") {
                        reduce_axes_c_order
                    } else {
                        reduce_axes
                    };
                    let (shape, accs) =
                        walk(&l, &axes, int, Need::of(base)).map_err(|_| interrupted(span))?;
                    if let Some(ints) = exact_ints(base, &accs, result_dtype, int) {
                        let ints = ints.collect::<Vec<i128>>();
                        if shape.is_empty() {
                            return Ok(int_scalar(ints[0], result_dtype));
                        }
                        return Ok(super::arrays::array_ints(shape, result_dtype, ints));
                    }
                    let mut re = Vec::with_capacity(accs.len());
                    let mut im = Vec::with_capacity(accs.len());
                    // `axis=()` reduces over no axis (each element alone).
                    let along = axes.first().copied().unwrap_or(0);
                    let inner: usize = match axes.first() {
                        Some(&a) => l.shape[a + 1..].iter().product(),
                        None => 1,
                    };
                    for acc in &accs {
                        if matches!(base, "argmin" | "argmax") {
                            let at = self.arg_index(acc, base, skip, l.shape[along], span)?;
                            re.push(((at / inner.max(1)) % l.shape[along].max(1)) as f64);
                            im.push(0.0);
                            continue;
                        }
                        let count = axes.iter().map(|&a| l.shape[a]).product();
                        let n = finish(base, acc, skip, ddof, d, count, name, span)?;
                        re.push(cast(n.re, result_dtype));
                        im.push(cast(n.im, result_dtype));
                    }
                    let dtype = if matches!(base, "argmin" | "argmax" | "count_nonzero") {
                        sc(Kind::Int, 8)
                    } else {
                        result_dtype
                    };
                    // Reduced to one element (every axis, or a 0-d array): a
                    // NumPy scalar.
                    if shape.is_empty() {
                        let n = Num {
                            re: re[0],
                            im: if dtype.kind == Kind::Complex {
                                im[0]
                            } else {
                                0.0
                            },
                        };
                        return Ok(scalar_value(n, dtype));
                    }
                    let arr = |v: Vec<f64>| {
                        ArrayD::from_shape_vec(IxDyn(&shape), v)
                            .expect("one value per kept position")
                    };
                    let computed = Computed {
                        dtype,
                        re: arr(re),
                        im: (dtype.kind == Kind::Complex).then(|| arr(im)),
                        ints: None,
                    };
                    Ok(Value::Lazy(Lazy::array(computed)))
                }
            }
        })()?;
        Ok((value, reduced))
    }

    /// The flat index argmin/argmax report (`skip`: nanargmin/nanargmax,
    /// which pass over NaN and refuse a slice of NaN only).
    fn arg_index(
        &self,
        acc: &Acc,
        which: &str,
        skip: bool,
        size: usize,
        span: Span,
    ) -> Result<usize, Error> {
        if size == 0 || (acc.n == 0 && acc.first_nan.is_none()) {
            return Err(type_error(
                format!("attempt to get {which} of an empty sequence"),
                span,
            ));
        }
        if skip && acc.n == 0 {
            return Err(type_error("All-NaN slice encountered".into(), span));
        }
        if let (Some(k), false) = (acc.first_nan, skip) {
            return Ok(k as usize);
        }
        Ok(if which == "argmin" {
            acc.min_at
        } else {
            acc.max_at
        } as usize)
    }
}

/// A reduction's result with the reduced axes kept, of length 1 (all of
/// them for `axis=None`): `keepdims=True`, and what broadcasts back
/// against the input.
fn keep_dims(value: Value, axes: Option<&[usize]>, ndim: usize) -> Value {
    let kept: Vec<usize> = match &value {
        Value::Lazy(l) => l.shape.clone(),
        _ => vec![],
    };
    let mut shape = Vec::with_capacity(ndim);
    let mut rest_of = kept.into_iter();
    for k in 0..ndim {
        if axes.is_none_or(|a| a.contains(&k)) {
            shape.push(1);
        } else {
            shape.push(rest_of.next().unwrap_or(1));
        }
    }
    match value {
        Value::Lazy(l) => Value::Lazy(super::reshape::reshape_lazy(&l, shape)),
        Value::Scalar(Dtype::Scalar(d), b) => {
            let n = decode_num(d, &b);
            let arr = |v: f64| ArrayD::from_shape_vec(IxDyn(&shape), vec![v]).expect("one element");
            Value::Lazy(Lazy::array(Computed {
                dtype: d,
                re: arr(n.re),
                im: (d.kind == Kind::Complex).then(|| arr(n.im)),
                ints: None,
            }))
        }
        other => other,
    }
}

/// The array of a `where=` argument: a boolean array, or a Python list of
/// booleans.
pub(super) fn where_mask(mv: &Value, mspan: Span) -> Result<Lazy, Error> {
    let bool_t = sc(Kind::Bool, 1);
    let listed;
    let mv = if let Value::List(_) = mv {
        let (shape, vals, bools) = super::advanced::list_array(mv, mspan)?;
        if !bools {
            return Err(type_error(
                "Cannot cast array data from dtype('int64') to dtype('bool') according to the rule 'safe'".into(),
                mspan,
            ));
        }
        listed = Value::Lazy(Lazy::array(Computed {
            dtype: bool_t,
            re: ArrayD::from_shape_vec(IxDyn(&shape), vals.iter().map(|&v| v as f64).collect())
                .expect("one value per element"),
            im: None,
            ints: None,
        }));
        &listed
    } else {
        mv
    };
    let m = to_lazy(mv, bool_t, mspan)?;
    if m.dtype.kind != Kind::Bool {
        return Err(type_error("where= takes a boolean array".into(), mspan));
    }
    Ok(m)
}

/// The reductions that take `where=` here.
const WHERE_REDUCTIONS: &[&str] = &[
    "sum", "nansum", "mean", "nanmean", "any", "all", "min", "max", "var", "std", "nanvar",
    "nanstd",
];

/// A real float result in another float dtype, rounded once
/// (`var` is worked out in float64 and returned in NumPy's dtype).
fn recast(v: Value, to: Scalar) -> Value {
    map_into(v, |x| x, Some(to))
}

/// A reduction's result with `f` applied to every (real) value.
fn map_values(v: Value, f: impl Fn(f64) -> f64) -> Value {
    map_into(v, f, None)
}

/// `f` of every real value, in `to` (a real dtype; the imaginary parts
/// dropped) or else the value's own dtype (imaginary parts kept).
fn map_into(v: Value, f: impl Fn(f64) -> f64, to: Option<Scalar>) -> Value {
    match v {
        Value::Scalar(Dtype::Scalar(d), b) => {
            let n = decode_num(d, &b);
            let out = to.unwrap_or(d);
            scalar_value(
                Num {
                    re: cast(f(n.re), out),
                    im: if to.is_some() { 0.0 } else { n.im },
                },
                out,
            )
        }
        Value::Lazy(l) => {
            let out = to.unwrap_or(l.dtype);
            let mut idx = vec![0usize; l.ndim()];
            let mut re = Vec::with_capacity(l.size());
            for mut flat in 0..l.size() {
                for k in (0..idx.len()).rev() {
                    idx[k] = flat % l.shape[k];
                    flat /= l.shape[k];
                }
                re.push(cast(f(l.at(&idx).re), out));
            }
            Value::Lazy(Lazy::array(Computed {
                dtype: out,
                re: ArrayD::from_shape_vec(IxDyn(&l.shape), re).expect("one per element"),
                im: None,
                ints: None,
            }))
        }
        other => other,
    }
}

/// A mean from its sum and count (results of the same reduction), in
/// `dtype`: NaN where nothing was counted.
fn divide(total: Value, count: Value, dtype: Scalar) -> Value {
    let nums = |v: &Value| -> Vec<Num> {
        match v {
            Value::Scalar(Dtype::Scalar(d), b) => vec![decode_num(*d, b)],
            Value::Lazy(l) => {
                let mut idx = vec![0usize; l.ndim()];
                (0..l.size())
                    .map(|mut flat| {
                        for k in (0..idx.len()).rev() {
                            idx[k] = flat % l.shape[k];
                            flat /= l.shape[k];
                        }
                        l.at(&idx)
                    })
                    .collect()
            }
            _ => vec![],
        }
    };
    let (t, c) = (nums(&total), nums(&count));
    let q: Vec<Num> = t
        .iter()
        .zip(&c)
        .map(|(t, c)| Num {
            re: cast(t.re / c.re, dtype),
            im: cast(t.im / c.re, dtype),
        })
        .collect();
    match total {
        Value::Lazy(l) => {
            let arr =
                |v: Vec<f64>| ArrayD::from_shape_vec(IxDyn(&l.shape), v).expect("one per element");
            Value::Lazy(Lazy::array(Computed {
                dtype,
                re: arr(q.iter().map(|n| n.re).collect()),
                im: (dtype.kind == Kind::Complex).then(|| arr(q.iter().map(|n| n.im).collect())),
                ints: None,
            }))
        }
        _ => scalar_value(q[0], dtype),
    }
}

/// The reductions that take NumPy's `dtype=`.
const DTYPE_REDUCTIONS: &[&str] = &[
    "sum", "mean", "std", "var", "nansum", "nanmean", "nanstd", "nanvar",
];

/// The dtype NumPy gives a reduction's result: floats and complex keep
/// their size (float32 sums, means and deviations are float32), integers
/// sum to 64 bits and average to float64. strided accumulates in float64
/// (compensated) whatever the dtype and rounds once to this dtype at the
/// end, where NumPy accumulates float32 in float32 (see ARCHITECTURE.md).
fn reduction_dtype(base: &str, d: Scalar) -> Scalar {
    let float = matches!(d.kind, Kind::Float | Kind::Complex);
    match base {
        "sum" => match d.kind {
            Kind::Bool | Kind::Int => sc(Kind::Int, 8),
            Kind::UInt => sc(Kind::UInt, 8),
            Kind::Float | Kind::Complex => sc(d.kind, d.size),
        },
        "mean" if float => sc(d.kind, d.size),
        "std" | "var" if d.kind == Kind::Complex => sc(Kind::Float, d.size / 2),
        "std" | "var" if float => sc(d.kind, d.size),
        "mean" | "std" | "var" => sc(Kind::Float, 8),
        "min" | "max" | "ptp" => sc(d.kind, d.size),
        "any" | "all" => sc(Kind::Bool, 1),
        _ => sc(Kind::Int, 8),
    }
}

/// The value of a reduction from its accumulator.
#[allow(clippy::too_many_arguments)]
fn finish(
    base: &str,
    acc: &Acc,
    skip: bool,
    ddof: u64,
    d: Scalar,
    count: usize,
    name: &str,
    span: Span,
) -> Result<Num, Error> {
    let int = matches!(d.kind, Kind::Int | Kind::UInt | Kind::Bool);
    Ok(match base {
        "sum" if int => Num::real(if d.kind == Kind::UInt {
            acc.isum as u64 as f64
        } else {
            acc.isum as i64 as f64
        }),
        "sum" => {
            let (re, im) = acc.total(skip);
            Num { re, im }
        }
        // Integers add up exactly: one rounding of the exact sum, then the
        // division, as NumPy's float64 sum of integers gives below 2^53.
        "mean" if int && acc.count(skip) > 0 => {
            let total = if d.kind == Kind::UInt {
                acc.isum as u128 as f64
            } else {
                acc.isum as f64
            };
            Num::real(total / acc.count(skip) as f64)
        }
        "mean" => {
            let (re, im) = acc.mean_value(skip);
            Num { re, im }
        }
        "var" => Num::real(acc.variance(skip, ddof)),
        "std" => Num::real(acc.variance(skip, ddof).sqrt()),
        "min" | "max" => {
            if count == 0 {
                return Err(no_identity(base, skip, span));
            }
            if (acc.nan > 0 && !skip) || acc.n == 0 {
                Num::real(f64::NAN)
            } else {
                Num::real(if base == "min" { acc.min } else { acc.max })
            }
        }
        // NumPy's ptp: max - min in the input's dtype (wrapping for integers).
        "ptp" => {
            if count == 0 {
                return Err(no_identity("max", false, span));
            }
            if acc.nan > 0 || acc.n == 0 {
                Num::real(f64::NAN)
            } else {
                Num::real(crate::compute::cast(acc.max - acc.min, d))
            }
        }
        "count_nonzero" => Num::real((acc.nonzero + acc.nan) as f64),
        "any" => Num::real(f64::from(u8::from(acc.nonzero + acc.nan > 0))),
        "all" => Num::real(f64::from(u8::from(acc.nonzero + acc.nan == count as u64))),
        _ => return Err(type_error(format!("unknown reduction {name}"), span)),
    })
}

/// The exact results of `sum` of integer input (`int`: every integer
/// dtype and bool, whose exact sum every accumulator keeps) and of `min`,
/// `max` or `ptp` of int64/uint64 input, one per accumulator, wrapped into
/// `to`; `None` for other reductions and input. (An int32 sum past 2^53 is
/// not a float64.)
fn exact_ints<'a>(
    base: &str,
    accs: &'a [Acc],
    to: Scalar,
    int: bool,
) -> Option<impl Iterator<Item = i128> + 'a> {
    let pick: fn(&Acc) -> i128 = match base {
        "sum" => |a| a.isum,
        "min" => |a| a.imin,
        "max" => |a| a.imax,
        "ptp" => |a| a.imax - a.imin,
        _ => return None,
    };
    let exact = match base {
        "sum" => int,
        _ => accs.iter().all(|a| a.exact),
    };
    let exact = exact && matches!(to.kind, Kind::Int | Kind::UInt);
    exact.then(|| {
        accs.iter()
            .map(move |a| crate::compute::wrap_int(pick(a), to))
    })
}

/// NumPy's error for min or max over no element (`nanmin`/`nanmax` reduce
/// with `fmin`/`fmax`, and say so).
fn no_identity(base: &str, skip: bool, span: Span) -> Error {
    let op = match (base, skip) {
        ("min", false) => "minimum",
        ("max", false) => "maximum",
        ("min", true) => "fmin",
        _ => "fmax",
    };
    type_error(
        format!("zero-size array to reduction operation {op} which has no identity"),
        span,
    )
}

/// `axis=` as sorted distinct axes (`None` for `axis=None`), with NumPy's
/// errors; with `zero_d`, axis 0 or -1 of a 0-d array is no axis (as
/// NumPy's ufunc reductions take it).
pub(super) fn normalize_axes(
    v: &Value,
    ndim: usize,
    zero_d: bool,
    span: Span,
) -> Result<Option<Vec<usize>>, Error> {
    if zero_d && ndim == 0 && matches!(v, Value::Int(0 | -1)) {
        return Ok(Some(vec![]));
    }
    let list: Vec<i128> = match v {
        Value::None => return Ok(None),
        Value::Int(i) => vec![*i],
        Value::Tuple(items) => items
            .iter()
            .map(|i| match i {
                Value::Int(i) => Ok(*i),
                _ => Err(type_error("axis takes integers".into(), span)),
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(type_error(
                "axis takes an integer or a tuple of integers".into(),
                span,
            ))
        }
    };
    let mut out = Vec::new();
    for a in list {
        let k = if a < 0 { a + ndim as i128 } else { a };
        if k < 0 || k >= ndim as i128 {
            return Err(type_error(
                format!("axis {a} is out of bounds for array of dimension {ndim}"),
                span,
            ));
        }
        if out.contains(&(k as usize)) {
            return Err(type_error("duplicate value in 'axis'".into(), span));
        }
        out.push(k as usize);
    }
    out.sort_unstable();
    Ok(Some(out))
}
