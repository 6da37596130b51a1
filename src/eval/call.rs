//! Calls of functions and methods: the name looked up in the one registry
//! (`builtins`), the arguments bound, and the work handed to the module
//! that does it (`operators`, `reduction`, `arrays`, `reshape`, `order`,
//! `spectral`, ...); elementwise functions of Python scalars;
//! `unravel_index`; the errors every part of `eval` shares.

use super::operators::{func_dtype, operand, to_lazy};
use super::{Session, Value};
use crate::builtins::{builtin, function_names, method_names, Builtin, Does};
use crate::compute::promote::{promote, Operand};
use crate::compute::{broadcast, encode_num, Computed, Func, Lazy, Node, Num};
use crate::diag::{suggest, Error, ErrorKind};
use crate::dtype::{ByteOrder, Dtype, Kind, Scalar};
use crate::syntax::{Arg, Expr, ExprKind, Span};
use ndarray::{ArrayD, IxDyn};

pub(super) fn sc(kind: Kind, size: usize) -> Scalar {
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

/// Python's error for a keyword argument `func` does not take.
pub(super) fn unexpected_keyword(func: &str, key: &str, span: Span) -> Error {
    type_error(
        format!("{func}() got an unexpected keyword argument '{key}'"),
        span,
    )
}

/// Whether `b` reads its array's values once, as they come: elementwise
/// functions and reductions, whose operand can stream
/// ([`Session::eval_operand`]).
fn reads_once(b: &Builtin) -> bool {
    matches!(
        b.does,
        Does::Unary(_) | Does::Clip | Does::Where | Does::Reduce | Does::Round
    )
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
                let x = if reads_once(b) {
                    self.eval_operand(&first.value)?
                } else {
                    self.eval(&first.value)?
                };
                // reshape(x, shape), transpose(x, axes), swapaxes(x, a, b), ravel(x)
                if b.does == Does::Reshape && matches!(x, Value::View(_) | Value::Lazy(_)) {
                    return self.reshape_method(name, x, &args[1..], span);
                }
                self.apply(b, x, &args[1..], span)
            }
            ExprKind::Attr { base, name } => {
                let x = match builtin(&name.node) {
                    Some(b) if b.method && reads_once(b) => self.eval_operand(base)?,
                    _ => self.eval(base)?,
                };
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
            // Likewise of a computed one (a streamed gather keeps the
            // file's byte order, as NumPy's copy does).
            if let (Func::Real, Value::Lazy(l)) = (f, &x) {
                if l.dtype.kind != crate::dtype::Kind::Complex {
                    return Ok(x);
                }
            }
            let Some(Operand::Array(d)) = operand(&x) else {
                return self.python_scalar_func(f, &x, span);
            };
            let to = func_dtype(f, d);
            let l = to_lazy(&x, d, span)?;
            let shape = l.shape.clone();
            if matches!(f, Func::Real | Func::Imag) {
                // A part keeps the array's byte order, as NumPy's view of
                // it does (np.imag of a real array: zeros of its dtype).
                let part = if d.kind == crate::dtype::Kind::Complex {
                    crate::dtype::Scalar::new(crate::dtype::Kind::Float, d.size / 2, d.order)
                } else {
                    d
                };
                let node = Node::Unary(f, l);
                return Ok(Value::Lazy(Lazy::new_keep_order(node, shape, part)));
            }
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
            // where(cond) alone is nonzero(cond), as NumPy's.
            Does::Where if rest.is_empty() => self.nonzero("nonzero", x, span),
            Does::Where => {
                let [a, b] = rest else {
                    return Err(type_error(
                        "where(cond, x, y) takes one or three arguments".into(),
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
        Ok(lazy_scalar(&Lazy::new(Node::Unary(f, l), vec![], to)))
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
                (Some(k), _) => return Err(unexpected_keyword("unravel_index", k, a.value.span)),
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
                        ints: None,
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
        ints: None,
    })))
}

/// A computed number as a NumPy scalar of `dtype`.
/// The one element of a 0-d computed array as a NumPy scalar (integers
/// exactly: int64 and uint64 values are not all f64s).
pub fn lazy_scalar(l: &Lazy) -> Value {
    let (n, i) = l.exact_at(&[]);
    match l.dtype.kind {
        Kind::Int | Kind::UInt => int_scalar(i, l.dtype),
        _ => scalar_value(n, l.dtype),
    }
}

/// An exact integer as a NumPy scalar of the integer dtype `dtype`.
pub fn int_scalar(i: i128, dtype: Scalar) -> Value {
    let dtype = sc(dtype.kind, dtype.size);
    Value::Scalar(Dtype::Scalar(dtype), crate::compute::encode_int(i, dtype))
}

pub fn scalar_value(n: Num, dtype: Scalar) -> Value {
    let dtype = sc(dtype.kind, dtype.size);
    Value::Scalar(Dtype::Scalar(dtype), encode_num(n, dtype))
}
