//! Arithmetic on arrays: operands and NumPy's result dtypes
//! (`promote`), values made lazy expressions (`to_lazy`), broadcast binary
//! and unary operators, and the dtype each elementwise function returns.

use super::call::{sc, type_error};
use super::Value;
use crate::compute::promote::{float_for, promote, Operand};
use crate::compute::reduce::Need;
use crate::compute::{broadcast, decode_num, Func, Lazy, Node, Num};
use crate::diag::Error;
use crate::dtype::{Kind, Scalar};
use crate::syntax::{BinOp, Span, UnaryOp};

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
            if crate::compute::wide(s) {
                Lazy::int_constant(crate::compute::decode_wide(s, b), s)
            } else {
                Lazy::constant(decode_num(s, b), s)
            }
        }
        Value::Lazy(l) => l.clone(),
        // A Python number takes the array's dtype first (NEP 50's weak
        // scalars): `x * pi` of float32 multiplies by float32(pi), as NumPy.
        Value::Int(i) if matches!(dtype.kind, Kind::Float | Kind::Complex) => {
            Lazy::constant(Num::real(crate::compute::cast(*i as f64, dtype)), dtype)
        }
        Value::Int(i) => Lazy::int_constant(*i, dtype),
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

/// NumPy's OverflowError for a Python int that integer dtype `s` cannot
/// hold, or `None` (the arithmetic's and setitem's rule alike).
pub(super) fn out_of_bounds(i: i128, s: Scalar) -> Option<String> {
    let bits = 8 * s.size as u32;
    let (lo, hi) = if s.kind == Kind::Int {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    if (lo..=hi).contains(&i) {
        None
    } else if i64::try_from(i).is_err() {
        Some("Python int too large to convert to C long".into())
    } else {
        Some(format!("Python integer {i} out of bounds for {}", s.name()))
    }
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
                "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead.".into(),
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
    // NEP 50: a Python int in integer arithmetic must fit the array's
    // dtype (comparisons compare the exact values instead).
    if !op.is_comparison() && matches!(operand_dtype.kind, Kind::Int | Kind::UInt) {
        for v in [a, b] {
            if let Value::Int(i) = v {
                if let Some(message) = out_of_bounds(*i, operand_dtype) {
                    return Err(Error::new(
                        crate::diag::ErrorKind::Type {
                            message,
                            hint: Some(format!(
                                "NumPy 2 keeps the array's dtype ({}) and refuses a Python int it cannot hold (NEP 50): cast the array first, x.astype('int64'), or use a float",
                                operand_dtype.name()
                            )),
                        },
                        span,
                    ));
                }
            }
        }
    }
    let la = to_lazy(a, operand_dtype, span)?;
    let lb = to_lazy(b, operand_dtype, span)?;
    // NumPy's integer power refuses a negative exponent anywhere in the
    // exponent (one pass over it, as NumPy's loop would make).
    if op == BinOp::Pow && matches!(dtype.kind, Kind::Int | Kind::UInt) {
        let acc = crate::compute::reduce::reduce_all(&lb, true, Need::Extremes)
            .map_err(|_| super::call::interrupted(span))?;
        if acc.n > 0 && acc.min < 0.0 {
            return Err(Error::new(
                crate::diag::ErrorKind::Type {
                    message: "Integers to negative integer powers are not allowed.".into(),
                    hint: Some("make the base a float first: x.astype('f8') ** n".into()),
                },
                span,
            ));
        }
    }
    let shape = broadcast(shape_of(&la), shape_of(&lb)).map_err(|m| type_error(m, span))?;
    // NumPy's power of complex values by a Python number takes its fast
    // cases (`fast_scalar_power`): `x ** 2` is `np.square`, the product
    // `x * x` with its fused multiply-adds, `x ** -1` `np.reciprocal` and
    // `x ** 0.5` `np.sqrt`.
    // A float 2.0, another number or an array of exponents goes through
    // `npy_cpow`, as the operator does.
    if op == BinOp::Pow && dtype.kind == Kind::Complex && shape_of(&la) == shape.as_slice() {
        let node = match b {
            Value::Int(2) => Some(Node::Binary(BinOp::Mul, la.clone(), la.clone())),
            Value::Int(-1) => Some(Node::Unary(Func::Reciprocal, la.clone())),
            Value::Float(h) if *h == 0.5 => Some(Node::Unary(Func::Sqrt, la.clone())),
            _ => None,
        };
        if let Some(node) = node {
            return Ok(Value::Lazy(Lazy::new(node, shape, dtype)));
        }
    }
    Ok(Value::Lazy(Lazy::new(
        Node::Binary(op, la, lb),
        shape,
        dtype,
    )))
}

/// `a op= b` as NumPy's in-place ufunc computes it: [`binary`], but for
/// a product of complex values into one element, which NumPy's loop
/// computes without fused multiply-adds (the output's stride is then 0,
/// and its vector loop, which the lanes' product follows, needs one):
/// the parts' products, each rounded, then their difference and sum.
pub fn binary_in_place(op: BinOp, a: &Value, b: &Value, span: Span) -> Result<Value, Error> {
    let result = binary(op, a, b, span)?;
    let Value::Lazy(l) = &result else {
        return Ok(result);
    };
    let (Node::Binary(BinOp::Mul, x, y), true, 1) = (&*l.node, l.is_complex(), l.size()) else {
        return Ok(result);
    };
    let part = sc(Kind::Float, l.dtype.size / 2);
    let of = |f: Func, x: &Lazy| Lazy::new(Node::Unary(f, x.clone()), x.shape.clone(), part);
    let (xr, xi, yr, yi) = (
        of(Func::Real, x),
        of(Func::Imag, x),
        of(Func::Real, y),
        of(Func::Imag, y),
    );
    let two =
        |op: BinOp, p: Lazy, q: Lazy| Lazy::new(Node::Binary(op, p, q), l.shape.clone(), part);
    let re = two(
        BinOp::Sub,
        two(BinOp::Mul, xr.clone(), yr.clone()),
        two(BinOp::Mul, xi.clone(), yi.clone()),
    );
    let im = two(BinOp::Add, two(BinOp::Mul, xr, yi), two(BinOp::Mul, xi, yr));
    Ok(Value::Lazy(Lazy::new(
        Node::Pair(re, im),
        l.shape.clone(),
        l.dtype,
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
                "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the logical_not function instead.".into(),
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
pub(super) fn func_dtype(f: Func, d: Scalar) -> Scalar {
    let complex = d.kind == Kind::Complex;
    match f {
        Func::Abs | Func::Real | Func::Imag if complex => part(d),
        Func::Abs | Func::Real | Func::Imag | Func::Conj | Func::Neg | Func::Pos | Func::Not => d,
        Func::Angle if complex => part(d),
        Func::Angle | Func::Sqrt | Func::Exp | Func::Log | Func::Log10 => float_for(d),
        Func::Db => float_for(if complex { part(d) } else { d }),
        Func::IsNan | Func::IsFinite => sc(Kind::Bool, 1),
        Func::Round(_) => sc(d.kind, d.size),
        Func::Reciprocal => d,
    }
}
