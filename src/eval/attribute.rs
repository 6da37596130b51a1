//! Attributes (`x.shape`, `x.real`, a record's fields by name), the
//! constants (`nan`, `pi`, `True`) and NumPy's namespace (`np.float32`,
//! `np.newaxis`).

use super::index::view_value;
use super::{call, operators, Session, Value};
use crate::compute::Lazy;
use crate::diag::{suggest, Error, ErrorKind};
use crate::dtype::Dtype;
use crate::syntax::{Expr, ExprKind, Spanned};
use crate::view::View;

pub(super) const ATTRIBUTES: &[&str] = &[
    "T", "shape", "dtype", "strides", "ndim", "size", "nbytes", "itemsize", "real", "imag",
];
pub(super) const CONSTANTS: &[&str] = &["nan", "inf", "pi", "e", "True", "False"];

impl Session {
    /// Whether `e` is `np` or `numpy` (not bound to a value): NumPy's
    /// namespace, whose names are strided's own.
    pub(super) fn is_numpy(&self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Name(n) if (n == "np" || n == "numpy") && self.get(n).is_none())
    }

    /// `np.NAME` that is not called: a constant (`np.nan`, `np.newaxis`)
    /// or a dtype (`np.float32`).
    pub(super) fn numpy_attribute(&self, name: &Spanned<String>) -> Result<Value, Error> {
        let n = name.node.as_str();
        if n == "newaxis" {
            return Ok(Value::None);
        }
        if let Some(v) = constant(n) {
            return Ok(v);
        }
        if let Ok(d) = Dtype::parse_str(n) {
            return Ok(Value::Dtype(d));
        }
        if crate::builtins::builtin(n).is_some_and(|b| b.function) {
            return Err(Error::new(
                ErrorKind::Type {
                    message: format!("np.{n} is a function"),
                    hint: Some(format!("call it: np.{n}(x)")),
                },
                name.span,
            ));
        }
        Err(Error::new(
            ErrorKind::UnknownName {
                name: format!("np.{n}"),
                suggestion: suggest(n, crate::builtins::function_names()),
            },
            name.span,
        ))
    }
}

pub(super) fn constant(name: &str) -> Option<Value> {
    Some(match name {
        "nan" => Value::Float(f64::NAN),
        "inf" => Value::Float(f64::INFINITY),
        "pi" => Value::Float(std::f64::consts::PI),
        "e" => Value::Float(std::f64::consts::E),
        "True" => Value::Bool(true),
        "False" => Value::Bool(false),
        _ => return None,
    })
}

fn int_tuple<T: Copy + Into<i128>>(v: &[T]) -> Value {
    Value::Tuple(v.iter().map(|&n| Value::Int(n.into())).collect())
}

pub(super) fn attribute(
    base: Value,
    name: &Spanned<String>,
    base_expr: &Expr,
) -> Result<Value, Error> {
    let n = name.node.as_str();
    // Parts of a record scalar are scalars; parts of a view (even 0-d) are views.
    let is_view = matches!(base, Value::View(_));
    let (v, wrap): (View, fn(View) -> Value) = match base {
        Value::View(v) => (v, Value::View),
        Value::Void(v) => (v, view_value),
        other => return scalar_attribute(other, name),
    };
    {
        {
            // A record's own field names come first, as on NumPy's recarray.
            if let Some(f) = v.field(n) {
                return Ok(wrap(f));
            }
            let complex = v.dtype.is_complex();
            // Complex-integer samples (ci16, cu8) compute as complex
            // numbers: their parts are what `real(d)`/`imag(d)` compute.
            if let (true, "real" | "imag", Some(part)) = (is_view, n, v.dtype.complex_int_part()) {
                let l = operators::to_lazy(&Value::View(v.clone()), part, name.span)?;
                let f = if n == "real" {
                    crate::compute::Func::Real
                } else {
                    crate::compute::Func::Imag
                };
                let to = crate::dtype::Scalar::new(
                    crate::dtype::Kind::Float,
                    l.dtype.size / 2,
                    crate::dtype::ByteOrder::NATIVE,
                );
                let shape = l.shape.clone();
                let node = crate::compute::Node::Unary(f, l);
                return Ok(Value::Lazy(Lazy::new(node, shape, to)));
            }
            match n {
                "real" | "r" if complex => {
                    return Ok(wrap(v.complex_part(0).expect("complex dtype has parts")))
                }
                "imag" | "i" if complex => {
                    return Ok(wrap(v.complex_part(1).expect("complex dtype has parts")))
                }
                "real" if v.dtype.as_scalar().is_some() => return Ok(wrap(v)),
                "T" => return Ok(wrap(v.transpose())),
                "shape" => {
                    return Ok(int_tuple(
                        &v.shape.iter().map(|&n| n as i64).collect::<Vec<_>>(),
                    ))
                }
                "strides" => {
                    return Ok(int_tuple(
                        &v.strides.iter().map(|&n| n as i64).collect::<Vec<_>>(),
                    ))
                }
                "dtype" => return Ok(Value::Dtype(v.dtype.clone())),
                "ndim" => return Ok(Value::Int(v.ndim() as i128)),
                "size" => return Ok(Value::Int(v.size() as i128)),
                "nbytes" => return Ok(Value::Int(v.nbytes() as i128)),
                "itemsize" => return Ok(Value::Int(v.dtype.itemsize() as i128)),
                // NumPy: zeros of the same shape and dtype (read-only).
                "imag" if v.dtype.as_scalar().is_some() => {
                    let d = v.dtype.as_scalar().expect("checked");
                    let zeros = Lazy::new_keep_order(
                        crate::compute::Node::Const(crate::compute::Num::real(0.0)),
                        v.shape.clone(),
                        d,
                    );
                    return Ok(if v.ndim() == 0 {
                        call::scalar_value(crate::compute::Num::real(0.0), d)
                    } else {
                        Value::Lazy(zeros)
                    });
                }
                _ => {}
            }
            let fields: Vec<String> = v.dtype.fields().iter().map(|f| f.name.clone()).collect();
            if !fields.is_empty() {
                return Err(Error::new(
                    ErrorKind::UnknownField {
                        name: n.into(),
                        fields,
                    },
                    name.span,
                ));
            }
            let mut candidates: Vec<&str> = ATTRIBUTES.to_vec();
            if complex {
                candidates.extend(["r", "i"]);
            }
            Err(Error::new(
                ErrorKind::UnknownAttribute {
                    on: describe(base_expr),
                    name: n.into(),
                    suggestion: suggest(n, candidates),
                },
                name.span,
            ))
        }
    }
}

/// Attributes of scalars, dtypes and everything that is not a view.
fn scalar_attribute(base: Value, name: &Spanned<String>) -> Result<Value, Error> {
    let n = name.node.as_str();
    match base {
        Value::Scalar(d, bytes) => {
            let part = |k: usize| -> Option<Value> {
                let p = d.complex_part()?;
                let size = p.itemsize();
                Some(Value::Scalar(p, bytes[k * size..(k + 1) * size].to_vec()))
            };
            match n {
                "real" | "r" if d.is_complex() => Ok(part(0).expect("complex has parts")),
                "imag" | "i" if d.is_complex() => Ok(part(1).expect("complex has parts")),
                "real" | "T" => Ok(Value::Scalar(d, bytes)),
                // A real scalar's imaginary part: zero of its dtype.
                "imag" if d.as_scalar().is_some() => Ok(Value::Scalar(d, vec![0; bytes.len()])),
                "shape" | "strides" => Ok(Value::Tuple(vec![])),
                "dtype" => Ok(Value::Dtype(d)),
                "ndim" => Ok(Value::Int(0)),
                "size" => Ok(Value::Int(1)),
                "nbytes" | "itemsize" => Ok(Value::Int(d.itemsize() as i128)),
                _ => Err(Error::new(
                    ErrorKind::UnknownAttribute {
                        on: "a scalar".into(),
                        name: n.into(),
                        suggestion: suggest(n, ATTRIBUTES.iter().copied()),
                    },
                    name.span,
                )),
            }
        }
        Value::Lazy(l) => match n {
            "shape" => Ok(int_tuple(
                &l.shape.iter().map(|&n| n as i64).collect::<Vec<_>>(),
            )),
            "dtype" => Ok(Value::Dtype(Dtype::Scalar(l.dtype))),
            "ndim" => Ok(Value::Int(l.ndim() as i128)),
            "size" => Ok(Value::Int(l.size() as i128)),
            "itemsize" => Ok(Value::Int(l.dtype.size as i128)),
            "nbytes" => Ok(Value::Int((l.size() * l.dtype.size) as i128)),
            "T" => Ok(Value::Lazy(l.transpose())),
            "real" | "imag" => {
                let f = if n == "real" {
                    crate::compute::Func::Real
                } else {
                    crate::compute::Func::Imag
                };
                let to = if l.dtype.kind == crate::dtype::Kind::Complex {
                    crate::dtype::Scalar::new(
                        crate::dtype::Kind::Float,
                        l.dtype.size / 2,
                        l.dtype.order,
                    )
                } else {
                    l.dtype
                };
                let shape = l.shape.clone();
                Ok(Value::Lazy(crate::compute::Lazy::new(
                    crate::compute::Node::Unary(f, l),
                    shape,
                    to,
                )))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownAttribute {
                    on: "a computed array".into(),
                    name: n.into(),
                    suggestion: suggest(
                        n,
                        [
                            "shape", "dtype", "ndim", "size", "itemsize", "nbytes", "T", "real",
                            "imag",
                        ],
                    ),
                },
                name.span,
            )),
        },
        Value::Dtype(d) => match n {
            "itemsize" => Ok(Value::Int(d.itemsize() as i128)),
            "str" => Ok(Value::Str(d.short())),
            "name" => Ok(Value::Str(
                d.as_scalar()
                    .map_or_else(|| format!("void{}", d.itemsize() * 8), |s| s.name()),
            )),
            "names" => Ok(if d.fields().is_empty() {
                Value::None
            } else {
                Value::Tuple(
                    d.fields()
                        .iter()
                        .map(|f| Value::Str(f.name.clone()))
                        .collect(),
                )
            }),
            _ => Err(Error::new(
                ErrorKind::UnknownAttribute {
                    on: "a dtype".into(),
                    name: n.into(),
                    suggestion: suggest(n, ["itemsize", "str", "name", "names"]),
                },
                name.span,
            )),
        },
        other => Err(Error::new(
            ErrorKind::UnknownAttribute {
                on: other.kind_name().into(),
                name: n.into(),
                suggestion: None,
            },
            name.span,
        )),
    }
}

fn describe(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        _ => "this view".into(),
    }
}
