//! Computation in expressions: arithmetic on arrays (lazy, broadcast, with
//! NumPy's result dtypes), elementwise functions, and reductions as
//! functions (`mean(x, axis=0)`) and methods (`x.mean(axis=0)`).

use super::{Session, Value};
use crate::builtins::{builtin, function_names, method_names, Builtin, Does};
use crate::compute::promote::{float_for, promote, Operand};
use crate::compute::reduce::{reduce_all, reduce_axes, Acc, Need};
use crate::compute::{broadcast, cast, decode_num, encode_num, Computed, Func, Lazy, Node, Num};
use crate::diag::{suggest, Error, ErrorKind};
use crate::dtype::{ByteOrder, Dtype, Kind, Scalar};
use crate::syntax::{Arg, BinOp, Expr, ExprKind, Span, UnaryOp};
use ndarray::{ArrayD, IxDyn};

fn sc(kind: Kind, size: usize) -> Scalar {
    Scalar::new(kind, size, ByteOrder::NATIVE)
}

pub(super) fn interrupted(span: Span) -> Error {
    Error::new(ErrorKind::Interrupted, span)
}

pub(super) fn type_error(message: String, span: Span) -> Error {
    Error::new(
        ErrorKind::Type {
            message,
            hint: None,
        },
        span,
    )
}

/// Whether a value takes part in array arithmetic.
pub fn is_array(v: &Value) -> bool {
    matches!(
        v,
        Value::View(_) | Value::Void(_) | Value::Scalar(..) | Value::Lazy(_)
    )
}

pub(super) fn operand(v: &Value) -> Option<Operand> {
    Some(match v {
        Value::Bool(_) => Operand::PyBool,
        Value::Int(_) => Operand::PyInt,
        Value::Float(_) => Operand::PyFloat,
        Value::Complex(..) => Operand::PyComplex,
        Value::View(v) => Operand::Array(match v.dtype.complex_int_part() {
            Some(part) => complex_for_int(part),
            None => v.dtype.as_scalar()?,
        }),
        Value::Scalar(d, _) => Operand::Array(d.as_scalar()?),
        Value::Lazy(l) => Operand::Array(l.dtype),
        _ => return None,
    })
}

/// The complex dtype a complex-integer record computes as: complex64 when
/// float32 holds every value of the parts exactly (8- and 16-bit), else
/// complex128.
fn complex_for_int(part: Scalar) -> Scalar {
    let size = if part.size <= 2 { 8 } else { 16 };
    Scalar::new(Kind::Complex, size, crate::dtype::ByteOrder::NATIVE)
}

/// Where unsigned complex samples (`cu8`, `cu16`) have their zero: the
/// middle of the range, 127.5 for 8 bits (rtl_sdr writes offset binary),
/// so that they compute as `(r - 127.5) + (i - 127.5)j`. Signed parts are
/// already centred.
pub fn unsigned_centre(part: Scalar) -> Option<f64> {
    (part.kind == Kind::UInt).then(|| 2f64.powi(8 * part.size as i32 - 1) - 0.5)
}

/// A value as a lazy array; Python scalars take `dtype` (the operation's).
pub fn to_lazy(v: &Value, dtype: Scalar, span: Span) -> Result<Lazy, Error> {
    Ok(match v {
        Value::View(view) if view.dtype.complex_int_part().is_some() => {
            let int = view.dtype.complex_int_part().expect("checked");
            let to = complex_for_int(int);
            let float = Scalar::new(Kind::Float, to.size / 2, crate::dtype::ByteOrder::NATIVE);
            let centre = unsigned_centre(int);
            let part = |name: &str| {
                let leaf = Lazy::leaf(view.field(name).expect("complex-int records have r and i"))
                    .expect("their fields are scalars");
                match centre {
                    // Offset binary (rtl_sdr's cu8): the middle of the
                    // range is zero.
                    Some(c) => Lazy::new(
                        Node::Binary(BinOp::Sub, leaf, Lazy::constant(Num::real(c), float)),
                        view.shape.clone(),
                        float,
                    ),
                    None => leaf,
                }
            };
            Lazy::new(Node::Pair(part("r"), part("i")), view.shape.clone(), to)
        }
        Value::View(view) => Lazy::leaf(view.clone()).ok_or_else(|| {
            type_error(
                "records have no arithmetic: pick a field (d.r, d['r'])".into(),
                span,
            )
        })?,
        Value::Void(_) => {
            return Err(type_error(
                "records have no arithmetic: pick a field".into(),
                span,
            ))
        }
        Value::Scalar(d, b) => {
            let s = d.as_scalar().expect("scalars have scalar dtypes");
            Lazy::constant(decode_num(s, b), s)
        }
        Value::Lazy(l) => l.clone(),
        // A Python number takes the array's dtype first (NEP 50's weak
        // scalars): `x * pi` of float32 multiplies by float32(pi), as NumPy.
        Value::Int(i) if matches!(dtype.kind, Kind::Float | Kind::Complex) => {
            Lazy::constant(Num::real(crate::compute::cast(*i as f64, dtype)), dtype)
        }
        Value::Int(i) => Lazy::constant(Num::real(*i as f64), dtype),
        Value::Float(f) if matches!(dtype.kind, Kind::Float | Kind::Complex) => {
            Lazy::constant(Num::real(crate::compute::cast(*f, dtype)), dtype)
        }
        Value::Float(f) => Lazy::constant(Num::real(*f), dtype),
        Value::Bool(b) => Lazy::constant(Num::real(f64::from(u8::from(*b))), dtype),
        Value::Complex(re, im) => Lazy::constant(
            Num {
                re: crate::compute::cast(*re, dtype),
                im: crate::compute::cast(*im, dtype),
            },
            dtype,
        ),
        other => {
            return Err(type_error(
                format!("{} has no arithmetic", other.kind_name()),
                span,
            ))
        }
    })
}

fn shape_of(l: &Lazy) -> &[usize] {
    &l.shape
}

/// `a OP b` where one side is an array.
pub fn binary(op: BinOp, a: &Value, b: &Value, span: Span) -> Result<Value, Error> {
    let (oa, ob) = match (operand(a), operand(b)) {
        (Some(x), Some(y)) => (x, y),
        _ => {
            return Err(type_error(
                format!(
                    "unsupported operand types for {op}: {} and {}",
                    a.kind_name(),
                    b.kind_name()
                ),
                span,
            ))
        }
    };
    let common = promote(oa, ob).expect("one side is an array");
    let integral = |s: Scalar| matches!(s.kind, Kind::Bool | Kind::Int | Kind::UInt);
    let dtype = match op {
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => sc(Kind::Bool, 1),
        BinOp::Div if integral(common) => sc(Kind::Float, 8),
        BinOp::And | BinOp::Or | BinOp::Xor => {
            if !integral(common) {
                return Err(type_error(
                    format!("`{op}` takes booleans or integers, not {}", common.name()),
                    span,
                ));
            }
            common
        }
        BinOp::Sub if common.kind == Kind::Bool => {
            return Err(type_error(
                "numpy boolean subtract, the `-` operator, is not supported; use `^`".into(),
                span,
            ))
        }
        BinOp::Add | BinOp::Mul if common.kind == Kind::Bool => common,
        BinOp::Div | BinOp::FloorDiv | BinOp::Mod | BinOp::Pow if common.kind == Kind::Bool => {
            sc(Kind::Int, 1)
        }
        _ => common,
    };
    if common.kind == Kind::Complex && matches!(op, BinOp::FloorDiv | BinOp::Mod) {
        return Err(type_error(
            format!("`{op}` is not defined for complex numbers"),
            span,
        ));
    }
    let operand_dtype = if matches!(
        op,
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
    ) {
        common
    } else {
        dtype
    };
    let la = to_lazy(a, operand_dtype, span)?;
    let lb = to_lazy(b, operand_dtype, span)?;
    let shape = broadcast(shape_of(&la), shape_of(&lb)).map_err(|m| type_error(m, span))?;
    Ok(Value::Lazy(Lazy::new(
        Node::Binary(op, la, lb),
        shape,
        dtype,
    )))
}

/// `-x`, `+x`, `~x` on an array.
pub fn unary(op: UnaryOp, v: &Value, span: Span) -> Result<Value, Error> {
    let Some(Operand::Array(d)) = operand(v) else {
        return Err(type_error(
            format!("bad operand for unary operator: {}", v.kind_name()),
            span,
        ));
    };
    let f = match op {
        UnaryOp::Neg if d.kind == Kind::Bool => {
            return Err(type_error(
                "the numpy boolean negative, the `-` operator, is not supported; use `~`".into(),
                span,
            ))
        }
        UnaryOp::Neg => Func::Neg,
        UnaryOp::Pos => Func::Pos,
        UnaryOp::Invert if matches!(d.kind, Kind::Bool | Kind::Int | Kind::UInt) => Func::Not,
        UnaryOp::Invert => {
            return Err(type_error(
                format!("`~` takes booleans or integers, not {}", d.name()),
                span,
            ))
        }
    };
    let x = to_lazy(v, d, span)?;
    let shape = x.shape.clone();
    Ok(Value::Lazy(Lazy::new(Node::Unary(f, x), shape, d)))
}

fn part(d: Scalar) -> Scalar {
    sc(Kind::Float, d.size / 2)
}

/// The result dtype of an elementwise function of one argument.
fn func_dtype(f: Func, d: Scalar) -> Scalar {
    let complex = d.kind == Kind::Complex;
    match f {
        Func::Abs | Func::Real | Func::Imag if complex => part(d),
        Func::Abs | Func::Real | Func::Imag | Func::Conj | Func::Neg | Func::Pos | Func::Not => d,
        Func::Angle if complex => part(d),
        Func::Angle | Func::Sqrt | Func::Exp | Func::Log | Func::Log10 => float_for(d),
        Func::Db => float_for(if complex { part(d) } else { d }),
        Func::IsNan | Func::IsFinite => sc(Kind::Bool, 1),
        Func::Round(_) => sc(d.kind, d.size),
    }
}

impl Session {
    /// A call: a function by name, or a method of a value, as
    /// [`BUILTINS`](super::builtins::BUILTINS) lists them.
    pub(super) fn call(&self, func: &Expr, args: &[Arg], span: Span) -> Result<Value, Error> {
        let unknown = |name: &str, at: Span, names: &mut dyn Iterator<Item = &'static str>| {
            Error::new(
                ErrorKind::UnknownName {
                    name: name.into(),
                    suggestion: suggest(name, names),
                },
                at,
            )
        };
        // np.mean(d) and numpy.mean(d) are mean(d); np.fft.fft(d) is fft(d).
        if let ExprKind::Attr { base, name } = &func.kind {
            let fft_module = matches!(&base.kind, ExprKind::Attr { base: np, name: m }
                if m.node == "fft" && self.is_numpy(np));
            if self.is_numpy(base) || fft_module {
                let plain = Expr {
                    kind: ExprKind::Name(name.node.clone()),
                    span: func.span,
                };
                if self.get(&name.node).is_none() {
                    return self.call(&plain, args, span);
                }
            }
        }
        match &func.kind {
            // Python's print(x) shows x; len(x) is the length of its first axis.
            ExprKind::Name(name) if name == "print" && self.get(name).is_none() => match args {
                [a] if a.name.is_none() => self.eval(&a.value),
                _ => Err(type_error(
                    "print() takes one value here: print(x)".into(),
                    span,
                )),
            },
            ExprKind::Name(name) if name == "len" && self.get(name).is_none() => {
                let [a] = args else {
                    return Err(type_error(
                        format!("len() takes exactly one argument ({} given)", args.len()),
                        span,
                    ));
                };
                match self.eval(&a.value)? {
                    Value::View(v) | Value::Void(v) if v.ndim() > 0 => {
                        Ok(Value::Int(v.shape[0] as i128))
                    }
                    Value::Lazy(l) if l.ndim() > 0 => Ok(Value::Int(l.shape[0] as i128)),
                    Value::View(_) | Value::Lazy(_) => {
                        Err(type_error("len() of unsized object".into(), span))
                    }
                    Value::Tuple(t) | Value::List(t) => Ok(Value::Int(t.len() as i128)),
                    Value::Str(s) => Ok(Value::Int(s.chars().count() as i128)),
                    other => Err(type_error(
                        format!("object of type {} has no len()", other.kind_name()),
                        span,
                    )),
                }
            }
            ExprKind::Name(name) if self.get(name).is_none() => {
                let b = builtin(name)
                    .filter(|b| b.function)
                    .ok_or_else(|| unknown(name, func.span, &mut function_names()))?;
                let Some(first) = args.first().filter(|a| a.name.is_none()) else {
                    return Err(type_error(
                        format!("{name}() needs an array argument"),
                        span,
                    ));
                };
                let x = self.eval(&first.value)?;
                // reshape(x, shape), transpose(x, axes), swapaxes(x, a, b), ravel(x)
                if b.does == Does::Reshape && matches!(x, Value::View(_) | Value::Lazy(_)) {
                    return self.reshape_method(name, x, &args[1..], span);
                }
                self.apply(b, x, &args[1..], span)
            }
            ExprKind::Attr { base, name } => {
                let x = self.eval(base)?;
                if let Value::Dtype(d) = &x {
                    if name.node == "newbyteorder" {
                        return Ok(Value::Dtype(super::reshape::flip_order(d)));
                    }
                }
                let b = builtin(&name.node)
                    .ok_or_else(|| unknown(&name.node, name.span, &mut method_names()))?;
                if b.does == Does::Reshape && matches!(x, Value::View(_) | Value::Lazy(_)) {
                    return self.reshape_method(&name.node, x, args, span);
                }
                if !b.method {
                    return Err(type_error(
                        format!(
                            "arrays have no method `{}`; call it as {}(x)",
                            name.node, name.node
                        ),
                        name.span,
                    ));
                }
                self.apply(b, x, args, span)
            }
            _ => Err(type_error(
                "only functions and methods can be called".into(),
                func.span,
            )),
        }
    }

    fn apply(&self, b: &Builtin, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let name = b.name;
        if b.does == Does::Round {
            let decimals = match rest {
                [] => 0,
                [a] if a.name.is_none()
                    || a.name.as_ref().is_some_and(|n| n.node == "decimals") =>
                {
                    match self.eval(&a.value)? {
                        Value::Int(d) => i32::try_from(d).map_err(|_| {
                            type_error("decimals is too large".into(), a.value.span)
                        })?,
                        v => {
                            return Err(type_error(
                                format!("decimals takes an integer, not {}", v.kind_name()),
                                a.value.span,
                            ))
                        }
                    }
                }
                _ => {
                    return Err(type_error(
                        format!("{name}(x, decimals=0) takes one more argument"),
                        span,
                    ))
                }
            };
            let f = Func::Round(decimals.clamp(-400, 400));
            let Some(Operand::Array(d)) = operand(&x) else {
                return self.python_scalar_func(f, &x, span);
            };
            let l = to_lazy(&x, d, span)?;
            let shape = l.shape.clone();
            return Ok(Value::Lazy(Lazy::new(
                Node::Unary(f, l),
                shape,
                func_dtype(f, d),
            )));
        }
        if let Does::Unary(f) = b.does {
            if let Some(extra) = rest.first() {
                return Err(type_error(
                    format!("{name}() takes one argument"),
                    extra.value.span,
                ));
            }
            // real/imag of a complex view stay views (no copy), as `.real` does.
            if let (Func::Real | Func::Imag, Value::View(v)) = (f, &x) {
                if let Some(p) = v.complex_part(usize::from(f == Func::Imag)) {
                    return Ok(Value::View(p));
                }
                if f == Func::Real && v.dtype.complex_int_part().is_none() {
                    // np.real of a real array is the array itself.
                    return Ok(x);
                }
            }
            let Some(Operand::Array(d)) = operand(&x) else {
                return self.python_scalar_func(f, &x, span);
            };
            let to = func_dtype(f, d);
            let l = to_lazy(&x, d, span)?;
            let shape = l.shape.clone();
            return Ok(Value::Lazy(Lazy::new(Node::Unary(f, l), shape, to)));
        }
        match b.does {
            Does::Clip => {
                let [lo, hi] = rest else {
                    return Err(type_error(
                        "clip(x, lo, hi) takes three arguments".into(),
                        span,
                    ));
                };
                let (lo, hi) = (self.eval(&lo.value)?, self.eval(&hi.value)?);
                let three = [&x, &lo, &hi];
                let dtype = three.iter().filter_map(|v| operand(v)).try_fold(
                    None,
                    |acc: Option<Operand>, o| {
                        Some(Some(match acc {
                            None => o,
                            Some(a) => promote(a, o).map_or(o, Operand::Array),
                        }))
                    },
                );
                let Some(Some(Operand::Array(dtype))) = dtype else {
                    return Err(type_error("clip needs an array".into(), span));
                };
                // A None bound does not bound (NumPy 2).
                let unbounded = |v: Value, inf: f64| match v {
                    Value::None => Value::Float(inf),
                    v => v,
                };
                let (lo, hi) = (
                    unbounded(lo, f64::NEG_INFINITY),
                    unbounded(hi, f64::INFINITY),
                );
                let (a, l, h) = (
                    to_lazy(&x, dtype, span)?,
                    to_lazy(&lo, dtype, span)?,
                    to_lazy(&hi, dtype, span)?,
                );
                let shape = broadcast(
                    &broadcast(&a.shape, &l.shape).map_err(|m| type_error(m, span))?,
                    &h.shape,
                )
                .map_err(|m| type_error(m, span))?;
                Ok(Value::Lazy(Lazy::new(Node::Clip(a, l, h), shape, dtype)))
            }
            Does::Where => {
                let [a, b] = rest else {
                    return Err(type_error(
                        "where(cond, x, y) takes three arguments".into(),
                        span,
                    ));
                };
                let (a, b) = (self.eval(&a.value)?, self.eval(&b.value)?);
                let (Some(oa), Some(ob)) = (operand(&a), operand(&b)) else {
                    return Err(type_error(
                        "where(cond, x, y): x and y are numbers or arrays".into(),
                        span,
                    ));
                };
                let dtype = promote(oa, ob).unwrap_or_else(|| match (oa, ob) {
                    (Operand::PyComplex, _) | (_, Operand::PyComplex) => sc(Kind::Complex, 16),
                    (Operand::PyFloat, _) | (_, Operand::PyFloat) => sc(Kind::Float, 8),
                    (Operand::PyInt, _) | (_, Operand::PyInt) => sc(Kind::Int, 8),
                    _ => sc(Kind::Bool, 1),
                });
                let cond = to_lazy(&x, sc(Kind::Bool, 1), span)?;
                let (la, lb) = (to_lazy(&a, dtype, span)?, to_lazy(&b, dtype, span)?);
                let shape = broadcast(
                    &broadcast(&cond.shape, &la.shape).map_err(|m| type_error(m, span))?,
                    &lb.shape,
                )
                .map_err(|m| type_error(m, span))?;
                Ok(Value::Lazy(Lazy::new(
                    Node::Where(cond, la, lb),
                    shape,
                    dtype,
                )))
            }
            Does::Reduce => self.reduction(name, x, rest, span),
            Does::Unravel => self.unravel_index(x, rest, span),
            Does::Order => self.order_statistic(name, x, rest, span),
            Does::InMemory => self.in_memory(name, x, rest, span),
            Does::Spectral => self.spectral(name, x, rest, span),
            Does::Flush => self.flush_value(&x, span).map(|()| Value::None),
            Does::Reshape => Err(type_error(needs_array(name, &x), span)),
            Does::Unary(_) | Does::Round => unreachable!("handled above"),
        }
    }

    fn python_scalar_func(&self, f: Func, x: &Value, span: Span) -> Result<Value, Error> {
        // A function of a Python number: compute it as a float64 (complex128) array scalar.
        let d = match x {
            Value::Complex(..) => sc(Kind::Complex, 16),
            Value::Float(_) => sc(Kind::Float, 8),
            Value::Int(_) => sc(Kind::Int, 8),
            Value::Bool(_) => sc(Kind::Bool, 1),
            other => {
                return Err(type_error(
                    format!("{} is not a number", other.kind_name()),
                    span,
                ))
            }
        };
        let l = to_lazy(x, d, span)?;
        let to = func_dtype(f, d);
        Ok(scalar_value(
            Lazy::new(Node::Unary(f, l), vec![], to).at(&[]),
            to,
        ))
    }

    /// A reduction with NumPy's `keepdims=` and `dtype=`: `dtype=` casts
    /// the input first (as NumPy's reductions do) and is the result's dtype;
    /// `keepdims=True` leaves each reduced axis as an axis of length 1.
    fn reduction(&self, name: &str, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
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
                    &Goal::Axes(axes, Need::of(base)),
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
                Some(k) => {
                    return Err(type_error(
                        format!("{name}() got an unexpected keyword argument '{k}'"),
                        a.value.span,
                    ))
                }
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
        if d.kind == Kind::Complex && matches!(name, "nanmin" | "nanmax" | "ptp") {
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
                        let at = self.arg_index(&acc, base, l.size(), span)?;
                        return Ok(scalar_value(Num::real(at as f64), sc(Kind::Int, 8)));
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
                    let (shape, accs) = reduce_axes(&l, &axes, int, Need::of(base))
                        .map_err(|_| interrupted(span))?;
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
                            let at = self.arg_index(acc, base, l.shape[along], span)?;
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
                    };
                    Ok(Value::Lazy(Lazy::array(computed)))
                }
            }
        })()?;
        Ok((value, reduced))
    }

    fn arg_index(&self, acc: &Acc, which: &str, size: usize, span: Span) -> Result<usize, Error> {
        if size == 0 || (acc.n == 0 && acc.first_nan.is_none()) {
            return Err(type_error(
                format!("attempt to get {which} of an empty sequence"),
                span,
            ));
        }
        if let Some(k) = acc.first_nan {
            return Ok(k as usize);
        }
        Ok(if which == "argmin" {
            acc.min_at
        } else {
            acc.max_at
        } as usize)
    }
}

/// What a function that needs an array of numbers says of `x`: strings
/// and records hold no numbers to compute with (NumPy finds no loop for
/// them).
pub(super) fn needs_array(name: &str, x: &Value) -> String {
    match x {
        Value::View(v) | Value::Void(v) if v.dtype.as_scalar().is_none() => {
            format!(
                "{name}() takes numbers; this is {} ({})",
                x.kind_name(),
                v.dtype.short()
            )
        }
        _ => format!("{name}() needs an array, not {}", x.kind_name()),
    }
}

/// An array argument as a lazy array and its dtype, or NumPy's message
/// for a function that needs an array.
pub(super) fn array_arg(name: &str, x: &Value, span: Span) -> Result<(Lazy, Scalar), Error> {
    let Some(Operand::Array(d)) = operand(x) else {
        return Err(type_error(needs_array(name, x), span));
    };
    Ok((to_lazy(x, d, span)?, d))
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

impl Session {
    /// NumPy's `unravel_index(indices, shape, order='C')`: a tuple of
    /// int64 scalars for one index, of int64 arrays for an array of them.
    fn unravel_index(&self, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let mut shape: Option<Vec<usize>> = None;
        let mut fortran = false;
        for (k, a) in rest.iter().enumerate() {
            match (a.name.as_ref().map(|n| n.node.as_str()), k) {
                (Some("shape" | "dims"), _) | (None, 0) => {
                    let dims = match self.eval(&a.value)? {
                        Value::Int(n) => vec![Value::Int(n)],
                        Value::Tuple(t) | Value::List(t) => t,
                        v => {
                            return Err(type_error(
                                format!("shape takes a tuple of integers, not {}", v.kind_name()),
                                a.value.span,
                            ))
                        }
                    };
                    let mut out = Vec::new();
                    for d in dims {
                        match d {
                            Value::Int(n) if n >= 0 => {
                                out.push(usize::try_from(n).map_err(|_| {
                                    type_error("dimensions are too large".into(), a.value.span)
                                })?)
                            }
                            _ => {
                                return Err(type_error(
                                    "dimensions must be non-negative integers".into(),
                                    a.value.span,
                                ))
                            }
                        }
                    }
                    shape = Some(out);
                }
                (Some("order"), _) | (None, 1) => {
                    fortran = match self.eval(&a.value)? {
                        Value::Str(o) if o == "C" => false,
                        Value::Str(o) if o == "F" => true,
                        _ => {
                            return Err(type_error(
                                "only 'C' or 'F' order is permitted".into(),
                                a.value.span,
                            ))
                        }
                    }
                }
                (Some(k), _) => {
                    return Err(type_error(
                        format!("unravel_index() got an unexpected keyword argument '{k}'"),
                        a.value.span,
                    ))
                }
                (None, _) => {
                    return Err(type_error(
                        "unravel_index() takes indices, shape and order".into(),
                        a.value.span,
                    ))
                }
            }
        }
        let Some(shape) = shape else {
            return Err(type_error(
                "unravel_index() missing required argument 'shape' (pos 2)".into(),
                span,
            ));
        };
        let size = shape
            .iter()
            .try_fold(1usize, |a, &n| a.checked_mul(n))
            .filter(|&n| n <= i64::MAX as usize)
            .ok_or_else(|| type_error("dimensions are too large".into(), span))?;
        let one = |i: i128| -> Result<Vec<usize>, Error> {
            let Some(mut flat) = usize::try_from(i).ok().filter(|&f| f < size) else {
                return Err(type_error(
                    format!("index {i} is out of bounds for array with size {size}"),
                    span,
                ));
            };
            let mut idx = vec![0; shape.len()];
            let order: Vec<usize> = if fortran {
                (0..shape.len()).collect()
            } else {
                (0..shape.len()).rev().collect()
            };
            for k in order {
                idx[k] = flat % shape[k];
                flat /= shape[k];
            }
            Ok(idx)
        };
        let int64 = sc(Kind::Int, 8);
        let scalar = match &x {
            Value::Int(i) => Some(*i),
            Value::Scalar(..) => match super::Session::eval_index_value(x.clone()) {
                Value::Int(i) => Some(i),
                _ => None,
            },
            _ => None,
        };
        if let Some(i) = scalar {
            let idx = one(i)?;
            return Ok(Value::Tuple(
                idx.into_iter()
                    .map(|k| scalar_value(Num::real(k as f64), int64))
                    .collect(),
            ));
        }
        let indices = match &x {
            Value::List(_) | Value::Tuple(_) => to_lazy(&list_array(&x, span)?, int64, span)?,
            _ => match operand(&x) {
                Some(Operand::Array(d)) if matches!(d.kind, Kind::Int | Kind::UInt) => {
                    to_lazy(&x, d, span)?
                }
                _ => return Err(type_error("only int indices permitted".into(), span)),
            },
        };
        let mut flat: Vec<f64> = self.reserve_memory(
            indices.size(),
            "these indices",
            "unravel fewer indices",
            span,
        )?;
        crate::compute::reduce::for_blocks(&indices, 0, indices.size(), |b, _| {
            flat.extend_from_slice(&b.re)
        })
        .map_err(|_| interrupted(span))?;
        let mut parts = vec![Vec::with_capacity(flat.len()); shape.len()];
        for &f in &flat {
            for (k, i) in one(f as i128)?.into_iter().enumerate() {
                parts[k].push(i as f64);
            }
        }
        Ok(Value::Tuple(
            parts
                .into_iter()
                .map(|p| {
                    let re = ArrayD::from_shape_vec(IxDyn(&indices.shape), p)
                        .expect("one value per index");
                    Value::Lazy(Lazy::array(Computed {
                        dtype: int64,
                        re,
                        im: None,
                    }))
                })
                .collect(),
        ))
    }
}

/// A Python list of integers as a computed int64 array.
fn list_array(x: &Value, span: Span) -> Result<Value, Error> {
    let (Value::List(items) | Value::Tuple(items)) = x else {
        unreachable!("a list")
    };
    let mut vals = Vec::with_capacity(items.len());
    for v in items {
        match super::Session::eval_index_value(v.clone()) {
            Value::Int(i) => vals.push(i as f64),
            _ => return Err(type_error("only int indices permitted".into(), span)),
        }
    }
    let re = ArrayD::from_shape_vec(IxDyn(&[vals.len()]), vals).expect("1-d");
    Ok(Value::Lazy(Lazy::array(Computed {
        dtype: sc(Kind::Int, 8),
        re,
        im: None,
    })))
}

/// A computed number as a NumPy scalar of `dtype`.
pub fn scalar_value(n: Num, dtype: Scalar) -> Value {
    let dtype = sc(dtype.kind, dtype.size);
    Value::Scalar(Dtype::Scalar(dtype), encode_num(n, dtype))
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

/// What `stats` found, in one pass.
#[derive(Clone, Debug)]
pub struct StatsReport {
    pub text: String,
    pub shape: Vec<usize>,
    pub dtype: String,
    /// Computed over |x| because the input is complex.
    pub magnitude: bool,
    pub count: u64,
    pub nan: u64,
    pub posinf: u64,
    pub neginf: u64,
    /// The byte size of the float dtype min and max belong to (float32
    /// data: 4, so they print as float32 values), `None` for integer and
    /// boolean data, whose min and max are integers.
    pub float_size: Option<usize>,
    pub min: f64,
    pub argmin: Option<Vec<usize>>,
    pub max: f64,
    pub argmax: Option<Vec<usize>>,
    /// Mean and standard deviation of the finite values, accumulated in
    /// float64 and spelled in NumPy's result dtype (float32 data: float32).
    pub mean: f64,
    pub std: f64,
    /// The quartiles of the values that are not NaN (NumPy's
    /// `nanpercentile(x, [25, 50, 75])`), exact, in the data's float dtype;
    /// `None` above [`QUARTILES_UP_TO`] elements, where they would cost
    /// `stats` more than its own pass (`percentile` gives them).
    pub quartiles: Option<[f64; 3]>,
}

/// The most elements `stats` finds the quartiles of (a gather and a
/// selection in memory, cheap next to the pass itself up to here; above,
/// they take two more passes over the data: `percentile(x, [25, 50, 75])`).
pub const QUARTILES_UP_TO: usize = 1 << 24;

/// What `hist` counted.
#[derive(Clone, Debug)]
pub struct HistReport {
    pub text: String,
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u64>,
    pub outside: u64,
    pub nan: u64,
    /// The PNG written for `hist ... to FILE.png`.
    pub written: Option<super::draw::Written>,
}

fn unravel_vec(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for k in (0..shape.len()).rev() {
        idx[k] = flat % shape[k].max(1);
        flat /= shape[k].max(1);
    }
    idx
}

impl Session {
    /// The array `stats` and `hist` work on: complex input becomes |x|.
    pub(super) fn statistic_input(&self, e: &Expr) -> Result<(Lazy, bool, String), Error> {
        let v = self.eval(e)?;
        // A record view: say which fields could be taken (complex integer
        // pairs `(r, i)` are numbers here, and go on).
        if let super::Value::View(view) | super::Value::Void(view) = &v {
            let fields = view.dtype.fields();
            if let Dtype::Text(_) = view.dtype {
                return Err(type_error(
                    format!(
                        "stats, hist and pictures take numbers; {e} holds strings ({})",
                        view.dtype.short()
                    ),
                    e.span,
                ));
            }
            if !fields.is_empty() && view.dtype.complex_int_part().is_none() {
                // The fields that hold numbers (not strings).
                let names: Vec<&str> = fields
                    .iter()
                    .filter(|f| !f.dtype.has_text())
                    .map(|f| f.name.as_str())
                    .collect();
                if names.is_empty() {
                    return Err(type_error(
                        format!(
                            "stats, hist and pictures take numbers; {e} has none in its fields"
                        ),
                        e.span,
                    ));
                }
                return Err(Error::new(
                    ErrorKind::Type {
                        message: format!(
                            "stats, hist and pictures take numbers; {e} is a record view with fields {}",
                            names.join(", ")
                        ),
                        hint: Some(format!("take one field: `{e}.{}` or `{e}['{}']`", names[0], names[0])),
                    },
                    e.span,
                ));
            }
        }
        let Some(Operand::Array(d)) = operand(&v) else {
            return Err(type_error(
                format!("stats and hist need an array, not {}", v.kind_name()),
                e.span,
            ));
        };
        let l = to_lazy(&v, d, e.span)?;
        if d.kind == Kind::Complex {
            let to = func_dtype(Func::Abs, d);
            let shape = l.shape.clone();
            return Ok((
                Lazy::new(Node::Unary(Func::Abs, l), shape, to),
                true,
                d.descr(),
            ));
        }
        Ok((l, false, d.descr()))
    }

    pub(super) fn stats(&self, e: &Expr, text: &str) -> Result<StatsReport, Error> {
        let (l, magnitude, dtype) = self.statistic_input(e)?;
        let acc = reduce_all(&l, false, Need::All).map_err(|_| interrupted(e.span))?;
        let found = |at: u64| (at != u64::MAX).then(|| unravel_vec(at as usize, &l.shape));
        let finite = acc.finite > 0;
        let quartiles = if l.size() <= QUARTILES_UP_TO {
            Some(self.quartiles(&l, acc.n, e.span)?)
        } else {
            None
        };
        Ok(StatsReport {
            text: text.to_string(),
            shape: l.shape.clone(),
            dtype,
            magnitude,
            float_size: (l.dtype.kind == Kind::Float).then_some(l.dtype.size),
            count: l.size() as u64,
            nan: acc.nan,
            posinf: acc.pinf,
            neginf: acc.ninf,
            min: if acc.n > 0 { acc.min } else { f64::NAN },
            argmin: found(acc.min_at),
            max: if acc.n > 0 { acc.max } else { f64::NAN },
            argmax: found(acc.max_at),
            mean: if finite { acc.mean } else { f64::NAN },
            std: if finite {
                (acc.m2 / acc.finite as f64).sqrt()
            } else {
                f64::NAN
            },
            quartiles,
        })
    }

    pub(super) fn hist(
        &self,
        e: &Expr,
        bins: Option<&Expr>,
        range: Option<&(Expr, Expr)>,
        text: &str,
    ) -> Result<HistReport, Error> {
        let (l, magnitude, _) = self.statistic_input(e)?;
        let text = if magnitude {
            format!("|{text}|")
        } else {
            text.to_string()
        };
        let bins = match bins {
            None => 10,
            Some(b) => match self.eval(b)? {
                Value::Int(n) if (1..=10_000).contains(&n) => n as usize,
                _ => {
                    return Err(type_error(
                        "bins= takes a whole number from 1 to 10000".into(),
                        b.span,
                    ))
                }
            },
        };
        let number = |x: &Expr| -> Result<f64, Error> {
            match self.eval(x)? {
                Value::Int(i) => Ok(i as f64),
                Value::Float(f) => Ok(f),
                other => Err(type_error(
                    format!("range= takes numbers, not {}", other.kind_name()),
                    x.span,
                )),
            }
        };
        // Without a range, a first pass finds it (as NumPy does).
        let (lo, hi, nan) = match range {
            Some((a, b)) => {
                let (lo, hi) = (number(a)?, number(b)?);
                if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                    return Err(type_error(
                        "range=LO,HI needs finite LO <= HI".into(),
                        a.span.to(b.span),
                    ));
                }
                (lo, hi, None)
            }
            None => {
                // The range: the extremes, and whether any is infinite.
                let acc = reduce_all(&l, false, Need::Extremes).map_err(|_| interrupted(e.span))?;
                if acc.n == 0 {
                    return Err(type_error(
                        "nothing to count: the array is empty or all NaN".into(),
                        e.span,
                    ));
                }
                if acc.pinf + acc.ninf > 0 {
                    return Err(type_error(
                        "the values include infinities: give range=LO,HI".into(),
                        e.span,
                    ));
                }
                let (lo, hi) = if acc.min == acc.max {
                    (acc.min - 0.5, acc.max + 0.5)
                } else {
                    (acc.min, acc.max)
                };
                (lo, hi, Some(acc.nan))
            }
        };
        let (counts, outside) =
            crate::compute::reduce::histogram(&l, bins, lo, hi).map_err(|_| interrupted(e.span))?;
        let nan = nan.unwrap_or_else(|| {
            let total: u64 = counts.iter().sum::<u64>() + outside;
            l.size() as u64 - total
        });
        Ok(HistReport {
            text,
            lo,
            hi,
            counts,
            outside,
            nan,
            written: None,
        })
    }
}
