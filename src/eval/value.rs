//! Values an expression can have, and arithmetic on Python scalars (which
//! follows Python: `//` floors, `/` is true division, ints are unbounded
//! here up to i128).

use crate::diag::{Error, ErrorKind};
use crate::dtype::Dtype;
use crate::syntax::{BinOp, Span, UnaryOp};
use crate::view::View;

/// The result of evaluating an expression.
#[derive(Clone, Debug)]
pub enum Value {
    /// A view of a file (0-d when `...` kept an array around one element).
    View(View),
    /// One record picked by integer indexing: NumPy's `np.void` scalar. It
    /// still views the file; its fields are scalars (where a 0-d view's
    /// fields are 0-d views).
    Void(View),
    /// A computed array: a lazy elementwise expression over views, or the
    /// result of a reduction along axes.
    Lazy(crate::compute::Lazy),
    /// One element copied out of a view, in native byte order: what NumPy
    /// gives for `d.r[3, 4]` (a NumPy scalar, not a view).
    Scalar(Dtype, Vec<u8>),
    Int(i128),
    Float(f64),
    Complex(f64, f64),
    Bool(bool),
    Str(String),
    None,
    Tuple(Vec<Value>),
    /// A Python list: an index array or field list in a subscript.
    List(Vec<Value>),
    Dtype(Dtype),
}

impl Value {
    /// Every file this value reads, each once.
    pub fn sources(&self, out: &mut Vec<std::sync::Arc<crate::source::Source>>) {
        match self {
            Value::View(v) | Value::Void(v)
                if !out.iter().any(|o| std::sync::Arc::ptr_eq(o, &v.source)) =>
            {
                out.push(v.source.clone())
            }
            Value::Lazy(l) => l.sources(out),
            Value::Tuple(t) | Value::List(t) => t.iter().for_each(|v| v.sources(out)),
            _ => {}
        }
    }

    /// A word for messages: "a view", "an int", ...
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::View(v) => match v.dtype {
                Dtype::Scalar(_) => "a view",
                Dtype::Record(_) => "a view of records",
                Dtype::Text(_) => "a view of strings",
            },
            Value::Void(v) if matches!(v.dtype, Dtype::Text(_)) => "a string scalar",
            Value::Void(_) => "a record",
            Value::Scalar(Dtype::Text(_), _) => "a string scalar",
            Value::Lazy(_) => "a computed array",
            Value::Scalar(..) => "a scalar",
            Value::Int(_) => "an int",
            Value::Float(_) => "a float",
            Value::Complex(..) => "a complex number",
            Value::Bool(_) => "a bool",
            Value::Str(_) => "a string",
            Value::None => "None",
            Value::Tuple(_) => "a tuple",
            Value::List(_) => "a list",
            Value::Dtype(_) => "a dtype",
        }
    }

    /// Python's `repr` for scalars and tuples.
    pub fn repr(&self) -> String {
        match self {
            Value::Int(i) => i.to_string(),
            Value::Float(f) => py_float(*f),
            Value::Complex(re, im) => {
                if *re == 0.0 && re.is_sign_positive() {
                    format!("{}j", py_float_short(*im))
                } else {
                    let sign = if *im < 0.0 || (im.is_sign_negative() && *im == 0.0) {
                        '-'
                    } else {
                        '+'
                    };
                    format!(
                        "({}{sign}{}j)",
                        py_float_short(*re),
                        py_float_short(im.abs())
                    )
                }
            }
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::Str(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Value::None => "None".into(),
            Value::Tuple(items) if items.len() == 1 => format!("({},)", items[0].repr()),
            Value::Tuple(items) => format!(
                "({})",
                items.iter().map(Value::repr).collect::<Vec<_>>().join(", ")
            ),
            Value::List(items) => format!(
                "[{}]",
                items.iter().map(Value::repr).collect::<Vec<_>>().join(", ")
            ),
            Value::Dtype(d) => format!(
                "dtype({})",
                match d {
                    Dtype::Record(_) => d.to_string(),
                    _ => format!("'{d}'"),
                }
            ),
            Value::View(v) => match crate::compute::Lazy::leaf(v.clone()) {
                Some(l) if l.size() <= 100 => array_repr(&l),
                _ => format!("<view {:?} {}>", v.shape, v.dtype),
            },
            Value::Lazy(l) if l.size() <= 100 => array_repr(l),
            Value::Lazy(l) => format!("<computed {:?} {}>", l.shape, l.dtype.name()),
            Value::Void(v) => {
                crate::number::scalar_text(&v.dtype.decode(&v.element_bytes(&[])), 17)
            }
            Value::Scalar(d, b) => crate::number::scalar_text(&d.decode(b), 17),
        }
    }
}

/// A small array as NumPy's repr writes it inside a tuple:
/// `array([1, 4])`, `array([0.5, 2. ], dtype=float32)`, with the dtype
/// named unless it is NumPy's default for its kind.
fn array_repr(l: &crate::compute::Lazy) -> String {
    use crate::dtype::Kind;
    let d = l.dtype;
    // NumPy's format of the array's floats, decided from all of them.
    let mut all = Vec::with_capacity(l.size());
    let mut idx = vec![0; l.ndim()];
    for _ in 0..l.size() {
        all.push(l.at(&idx));
        for k in (0..idx.len()).rev() {
            idx[k] += 1;
            if idx[k] < l.shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    let elem = |n: crate::compute::Num| match d.kind {
        Kind::Float => crate::dtype::Elem::Float(n.re, d.size),
        _ => crate::dtype::Elem::Complex(n.re, n.im, d.size / 2),
    };
    let floats = matches!(d.kind, Kind::Float | Kind::Complex);
    let format = floats.then(|| {
        let elems: Vec<_> = all.iter().map(|&n| elem(n)).collect();
        crate::number::ElemFormat::of(&elems, 8)
    });
    let mut texts: Vec<String> = all
        .iter()
        .map(|&n| match (d.kind, &format) {
            // ` True`, as wide as `False`, in any array but a 0-d one.
            (Kind::Bool, _) if n.re != 0.0 && l.ndim() > 0 => " True".to_string(),
            (Kind::Bool, _) => if n.re != 0.0 { "True" } else { "False" }.to_string(),
            (Kind::Float | Kind::Complex, Some(f)) => {
                let mut cell = Vec::with_capacity(1);
                f.cells(&elem(n), true, &mut cell);
                cell.concat()
            }
            _ => format!("{}", n.re as i128),
        })
        .collect();
    // Integers and booleans padded to the widest, as NumPy pads them.
    if !floats {
        let widest = texts.iter().map(String::len).max().unwrap_or(0);
        for t in &mut texts {
            *t = format!("{t:>widest$}");
        }
    }
    let default = matches!(
        (d.kind, d.size),
        (Kind::Bool, _) | (Kind::Int, 8) | (Kind::Float, 8) | (Kind::Complex, 16)
    );
    let empty = l.size() == 0;
    let shape = crate::text::shape_repr(&l.shape);
    match (default && !empty, empty) {
        (_, true) if l.ndim() == 1 => format!("array([], dtype={})", d.name()),
        (_, true) => format!("array([], shape={shape}, dtype={})", d.name()),
        (true, false) => format!("array({})", layout(&texts, &l.shape)),
        (false, false) => {
            // The dtype on a line of its own when the last would pass 75.
            let head = format!("array({},", layout(&texts, &l.shape));
            let dtype = format!("dtype={})", d.name());
            let last = head.len() - head.rfind('\n').map_or(0, |k| k + 1);
            let spacer = if last + dtype.len() + 1 > LINE_WIDTH {
                format!("\n{}", " ".repeat("array(".len()))
            } else {
                " ".into()
            };
            format!("{head}{spacer}{dtype}")
        }
    }
}

/// NumPy's line width for a repr.
const LINE_WIDTH: usize = 75;

/// The elements `texts` (in C order) of an array of `shape` laid out as
/// NumPy's repr lays them out after `array(` (its `_formatArray`): rows
/// of the last axis wrapped before 75 columns (less the `)` that
/// follows), each further row on a line of its own under the first, a
/// blank line more between blocks of each axis further out.
fn layout(texts: &[String], shape: &[usize]) -> String {
    fn rows(texts: &[String], shape: &[usize], hanging: &str, width: usize) -> String {
        let Some((&len, inner)) = shape.split_first() else {
            return texts.first().cloned().unwrap_or_default();
        };
        let step = inner.iter().product::<usize>();
        let part = |i: usize| &texts[i * step..(i + 1) * step];
        let next = format!("{hanging} ");
        let mut s = String::new();
        if inner.is_empty() {
            // The last axis: words joined by `, `, wrapped.
            let elem_width = width.saturating_sub(1);
            let mut line = hanging.to_string();
            for (i, word) in texts.iter().enumerate().take(len) {
                if line.len() + word.len() > elem_width && line.len() > hanging.len() {
                    s.push_str(line.trim_end());
                    s.push('\n');
                    line = hanging.to_string();
                }
                line.push_str(word);
                if i + 1 < len {
                    line.push_str(", ");
                }
            }
            s.push_str(&line);
        } else {
            let sep = format!(",{}", "\n".repeat(inner.len()));
            for i in 0..len {
                s.push_str(hanging);
                s.push_str(&rows(part(i), inner, &next, width.saturating_sub(1)));
                if i + 1 < len {
                    s.push_str(&sep);
                }
            }
        }
        format!("[{}]", &s[hanging.len()..])
    }
    let hanging = " ".repeat("array(".len() + 1);
    rows(texts, shape, &hanging, LINE_WIDTH - 1)
}

/// Python's repr of a float: shortest round trip, `.0` on integral values,
/// exponent form outside 1e-4..1e16.
pub fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf" } else { "-inf" }.into();
    }
    let a = f.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        return format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    let s = format!("{f}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

/// Like [`py_float`] but integral values without `.0` (as inside Python's complex repr).
fn py_float_short(f: f64) -> String {
    let s = py_float(f);
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn as_int(v: &Value) -> Option<i128> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(i128::from(*b)),
        _ => None,
    }
}

fn as_complex(v: &Value) -> Option<(f64, f64)> {
    match v {
        Value::Complex(r, i) => Some((*r, *i)),
        other => as_f64(other).map(|f| (f, 0.0)),
    }
}

fn overflow(span: Span) -> Error {
    Error::new(
        ErrorKind::Type {
            message: "integer result does not fit in 128 bits".into(),
            hint: None,
        },
        span,
    )
}

/// A unary operator on a Python scalar.
pub fn unary(op: UnaryOp, v: &Value, span: Span) -> Result<Value, Error> {
    Ok(match (op, v) {
        (UnaryOp::Pos, Value::Int(_) | Value::Float(_) | Value::Complex(..)) => v.clone(),
        (UnaryOp::Neg, Value::Int(i)) => Value::Int(i.checked_neg().ok_or_else(|| overflow(span))?),
        (UnaryOp::Neg, Value::Bool(b)) => Value::Int(-i128::from(*b)),
        (UnaryOp::Neg, Value::Float(f)) => Value::Float(-f),
        (UnaryOp::Neg, Value::Complex(r, i)) => Value::Complex(-r, -i),
        (UnaryOp::Invert, Value::Int(i)) => Value::Int(!i),
        (UnaryOp::Invert, Value::Bool(b)) => Value::Bool(!b),
        _ => {
            return Err(Error::new(
                ErrorKind::Type {
                    message: format!("bad operand for unary operator: {}", v.kind_name()),
                    hint: None,
                },
                span,
            ))
        }
    })
}

/// A binary operator on two Python scalars.
pub fn binary(op: BinOp, a: &Value, b: &Value, span: Span) -> Result<Value, Error> {
    let type_error = || {
        Error::new(
            ErrorKind::Type {
                message: format!(
                    "unsupported operand types for {op}: {} and {}",
                    a.kind_name(),
                    b.kind_name()
                ),
                hint: None,
            },
            span,
        )
    };
    let zero = |what: &str| {
        Error::new(
            ErrorKind::Type {
                message: format!("{what} by zero"),
                hint: None,
            },
            span,
        )
    };
    // Python's sequence arithmetic: `(None,) * 3`, `(1,) + shape`.
    match (op, a, b) {
        (BinOp::Add, Value::Tuple(x), Value::Tuple(y)) => {
            return Ok(Value::Tuple(x.iter().chain(y).cloned().collect()))
        }
        (BinOp::Add, Value::List(x), Value::List(y)) => {
            return Ok(Value::List(x.iter().chain(y).cloned().collect()))
        }
        (BinOp::Mul, Value::Tuple(t) | Value::List(t), n)
        | (BinOp::Mul, n, Value::Tuple(t) | Value::List(t))
            if as_int(n).is_some() =>
        {
            let times = usize::try_from(as_int(n).unwrap_or(0).max(0)).unwrap_or(usize::MAX);
            // Sequences here are indices and shapes: a million items is plenty.
            if t.len().saturating_mul(times) > 1 << 20 {
                return Err(Error::new(
                    ErrorKind::Type {
                        message: "that sequence would be longer than 1,048,576 items".into(),
                        hint: None,
                    },
                    span,
                ));
            }
            let items: Vec<Value> = t.iter().cycle().take(t.len() * times).cloned().collect();
            return Ok(
                if matches!((a, b), (Value::List(_), _) | (_, Value::List(_))) {
                    Value::List(items)
                } else {
                    Value::Tuple(items)
                },
            );
        }
        _ => {}
    }
    if let (Some(x), Some(y)) = (as_int(a), as_int(b)) {
        if !matches!((a, b), (Value::Bool(_), Value::Bool(_)))
            || !matches!(op, BinOp::And | BinOp::Or | BinOp::Xor)
        {
            return Ok(match op {
                BinOp::Add => Value::Int(x.checked_add(y).ok_or_else(|| overflow(span))?),
                BinOp::Sub => Value::Int(x.checked_sub(y).ok_or_else(|| overflow(span))?),
                BinOp::Mul => Value::Int(x.checked_mul(y).ok_or_else(|| overflow(span))?),
                BinOp::Div if y == 0 => return Err(zero("division")),
                BinOp::Div => Value::Float(x as f64 / y as f64),
                BinOp::FloorDiv | BinOp::Mod if y == 0 => {
                    return Err(zero("integer division or modulo"))
                }
                // The array kernels' functions: one arithmetic for scalars and arrays.
                BinOp::FloorDiv => Value::Int(crate::compute::int_floor_div(x, y)),
                BinOp::Mod => Value::Int(crate::compute::int_mod(x, y)),
                BinOp::Pow if y < 0 => Value::Float((x as f64).powf(y as f64)),
                BinOp::Pow => Value::Int(
                    u32::try_from(y)
                        .ok()
                        .and_then(|e| x.checked_pow(e))
                        .ok_or_else(|| overflow(span))?,
                ),
                BinOp::And => Value::Int(x & y),
                BinOp::Or => Value::Int(x | y),
                BinOp::Xor => Value::Int(x ^ y),
                BinOp::Lt => Value::Bool(x < y),
                BinOp::Le => Value::Bool(x <= y),
                BinOp::Gt => Value::Bool(x > y),
                BinOp::Ge => Value::Bool(x >= y),
                BinOp::Eq => Value::Bool(x == y),
                BinOp::Ne => Value::Bool(x != y),
            });
        }
    }
    if let (Value::Bool(x), Value::Bool(y)) = (a, b) {
        return Ok(Value::Bool(match op {
            BinOp::And => *x && *y,
            BinOp::Or => *x || *y,
            _ => x ^ y,
        }));
    }
    if matches!(a, Value::Complex(..)) || matches!(b, Value::Complex(..)) {
        let ((ar, ai), (br, bi)) = (
            as_complex(a).ok_or_else(type_error)?,
            as_complex(b).ok_or_else(type_error)?,
        );
        return Ok(match op {
            BinOp::Add => Value::Complex(ar + br, ai + bi),
            BinOp::Sub => Value::Complex(ar - br, ai - bi),
            BinOp::Mul => Value::Complex(ar * br - ai * bi, ar * bi + ai * br),
            BinOp::Div => {
                let d = br * br + bi * bi;
                if d == 0.0 {
                    return Err(zero("complex division"));
                }
                Value::Complex((ar * br + ai * bi) / d, (ai * br - ar * bi) / d)
            }
            BinOp::Eq => Value::Bool(ar == br && ai == bi),
            BinOp::Ne => Value::Bool(ar != br || ai != bi),
            _ => return Err(type_error()),
        });
    }
    let (x, y) = (
        as_f64(a).ok_or_else(type_error)?,
        as_f64(b).ok_or_else(type_error)?,
    );
    Ok(match op {
        BinOp::Add => Value::Float(x + y),
        BinOp::Sub => Value::Float(x - y),
        BinOp::Mul => Value::Float(x * y),
        BinOp::Div if y == 0.0 => return Err(zero("float division")),
        BinOp::Div => Value::Float(x / y),
        BinOp::FloorDiv if y == 0.0 => return Err(zero("float floor division")),
        // The array kernels' functions: one arithmetic for scalars and arrays.
        BinOp::FloorDiv => Value::Float(crate::compute::floor_div(x, y)),
        BinOp::Mod if y == 0.0 => return Err(zero("float modulo")),
        BinOp::Mod => Value::Float(crate::compute::py_mod(x, y)),
        BinOp::Pow => Value::Float(x.powf(y)),
        BinOp::Lt => Value::Bool(x < y),
        BinOp::Le => Value::Bool(x <= y),
        BinOp::Gt => Value::Bool(x > y),
        BinOp::Ge => Value::Bool(x >= y),
        BinOp::Eq => Value::Bool(x == y),
        BinOp::Ne => Value::Bool(x != y),
        BinOp::And | BinOp::Or | BinOp::Xor => return Err(type_error()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(op: BinOp, a: i128, b: i128) -> String {
        binary(op, &Value::Int(a), &Value::Int(b), Span::default())
            .unwrap()
            .repr()
    }

    #[test]
    fn integer_division_floors_like_python() {
        // Python: -7 // 2 == -4, -7 % 2 == 1, 7 // -2 == -4, 7 % -2 == -1
        assert_eq!(int(BinOp::FloorDiv, -7, 2), "-4");
        assert_eq!(int(BinOp::Mod, -7, 2), "1");
        assert_eq!(int(BinOp::FloorDiv, 7, -2), "-4");
        assert_eq!(int(BinOp::Mod, 7, -2), "-1");
        // The identity Python guarantees: (a // b) * b + a % b == a
        for a in -9..9 {
            for b in [-4i128, -3, -1, 1, 2, 5] {
                let q: i128 = int(BinOp::FloorDiv, a, b).parse().unwrap();
                let r: i128 = int(BinOp::Mod, a, b).parse().unwrap();
                assert_eq!(q * b + r, a);
                assert!(r == 0 || (r < 0) == (b < 0));
            }
        }
    }

    #[test]
    fn python_reprs() {
        assert_eq!(py_float(2.0), "2.0");
        assert_eq!(py_float(1e-5), "1e-05");
        assert_eq!(py_float(1.5e16), "1.5e+16");
        assert_eq!(Value::Complex(1.0, -2.0).repr(), "(1-2j)");
        assert_eq!(Value::Complex(0.0, 2.5).repr(), "2.5j");
        assert_eq!(Value::Tuple(vec![Value::Int(5)]).repr(), "(5,)");
        assert_eq!(int(BinOp::Div, 1, 2), "0.5");
        assert_eq!(int(BinOp::Pow, 2, 10), "1024");
    }
}
