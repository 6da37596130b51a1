//! Writes, as NumPy's `__setitem__`, in-place operators and memmap modes
//! make them: item assignment (`x[idx] = v` with basic, advanced and
//! boolean indices, the value broadcast to the indexed shape and cast as
//! NumPy's setitem casts it), in-place operators (`x += v`, `x[idx] *= 2`,
//! refused where NumPy's `same_kind` rule refuses), and `flush`.
//!
//! Only bytes strided made (copies) and files opened with `mode=r+` or
//! `mode=c` are written; a file opened without `mode=` is read-only and
//! the error says how to open it writable. A write through a view shows in
//! every view of the same bytes, a write into a copy in none. A computed
//! (lazy) value bound to a name that reads bytes about to change is first
//! computed into memory, so that it keeps the values NumPy gave it when it
//! was assigned.
//!
//! The order of work keeps `source::mapping`'s rule for writes: the new
//! bytes are computed into memory of their own first, then written, with
//! no reader of the source running.

use super::advanced::shape_text;
use super::call::type_error as value_error;
use super::operators::{binary, binary_in_place, to_lazy};
use super::{Note, Output, Session, Value};
use crate::compute::gather::Gather;
use crate::compute::{decode_num, encode_block_into, encode_int, encode_num, Lazy, Num};
use crate::diag::{Error, ErrorKind};
use crate::dtype::{ByteOrder, Dtype, Elem, Kind, Scalar, Text};
use crate::source::{Source, WriteRefused};
use crate::syntax::{BinOp, Expr, ExprKind, IndexItem, Span, Spanned};
use crate::view::View;
use std::sync::Arc;

/// Where an assignment writes: the elements of a view, or the elements an
/// advanced index picks from one.
enum Dest {
    View(View),
    Gather {
        view: View,
        plan: Arc<Gather>,
        shape: Vec<usize>,
        /// For a lone boolean array: how many elements it selects.
        selected: Option<usize>,
    },
}

impl Dest {
    fn view(&self) -> &View {
        match self {
            Dest::View(v) | Dest::Gather { view: v, .. } => v,
        }
    }

    fn shape(&self) -> &[usize] {
        match self {
            Dest::View(v) => &v.shape,
            Dest::Gather { shape, .. } => shape,
        }
    }
}

/// The new bytes, each element in the destination's dtype and byte order,
/// in C order of `shape` (broadcast to the destination when written).
struct Fill {
    shape: Vec<usize>,
    bytes: Vec<u8>,
    /// Came from a Python list (NumPy words a too-deep list differently).
    from_list: bool,
}

/// The value NumPy's scalar setitem takes for one element: a 0-d value as
/// it is; a bool element takes a list's truth (a non-empty list is True)
/// and a one-element array's; anything else with dimensions is refused,
/// in NumPy's words.
fn scalar_value(v: Value, dtype: &Dtype, span: Span) -> Result<Value, Error> {
    let kind = dtype.as_scalar().map(|s| s.kind);
    let list = matches!(v, Value::List(_) | Value::Tuple(_));
    let dims = shape_of(&v);
    if !list && dims.is_empty() {
        return Ok(v);
    }
    match kind {
        Some(Kind::Bool) => match &v {
            Value::List(items) | Value::Tuple(items) => Ok(Value::Bool(!items.is_empty())),
            _ if dims.iter().product::<usize>() == 1 => {
                let idx = vec![crate::view::Index::Int(0, span); dims.len()];
                Ok(match v {
                    Value::View(w) => Value::View(w.index(&idx)?),
                    Value::Lazy(l) => Value::Lazy(l.index(&idx)?),
                    other => other,
                })
            }
            _ => Err(value_error(
                "setting an array element with a sequence.".into(),
                span,
            )),
        },
        Some(Kind::Complex) if list => {
            Err(value_error("must be real number, not list".into(), span))
        }
        Some(Kind::Complex) => Err(value_error(
            "only 0-dimensional arrays can be converted to Python scalars".into(),
            span,
        )),
        _ => Err(value_error(
            "setting an array element with a sequence.".into(),
            span,
        )),
    }
}

/// An array value's shape (a scalar's is `()`).
fn shape_of(v: &Value) -> Vec<usize> {
    match v {
        Value::View(w) | Value::Void(w) => w.shape.clone(),
        Value::Lazy(l) => l.shape.clone(),
        _ => Vec::new(),
    }
}

/// A str, or a Python number by its `str`, as bytes of a `t` element.
fn text_leaf(v: &Value, t: Text, out: &mut Vec<u8>) -> Result<(), String> {
    let text = match v {
        Value::Str(s) => s.clone(),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => v.repr(),
        other => {
            return Err(format!(
                "{} cannot be written into strings ({})",
                other.kind_name(),
                t.descr()
            ))
        }
    };
    out.extend(t.encode(&text)?);
    Ok(())
}

/// The text of a decoded string element (bytes read as UTF-8, as far as
/// they are); `None` for a number or a record.
fn elem_text(e: Elem) -> Option<String> {
    match e {
        Elem::Str(s) => Some(s),
        Elem::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
        _ => None,
    }
}

/// NumPy's ufunc name of an in-place operator, for its casting error.
fn ufunc_name(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "add",
        BinOp::Sub => "subtract",
        BinOp::Mul => "multiply",
        BinOp::Div => "divide",
        BinOp::FloorDiv => "floor_divide",
        BinOp::Mod => "remainder",
        BinOp::Pow => "power",
        BinOp::And => "bitwise_and",
        BinOp::Or => "bitwise_or",
        BinOp::Xor => "bitwise_xor",
        _ => "comparison",
    }
}

/// NumPy's `can_cast(from, to, 'same_kind')`: a cast to a kind no lower in
/// bool < unsigned < signed < float < complex.
pub fn same_kind(from: Scalar, to: Scalar) -> bool {
    let rank = |k: Kind| match k {
        Kind::Bool => 0,
        Kind::UInt => 1,
        Kind::Int => 2,
        Kind::Float => 3,
        Kind::Complex => 4,
    };
    rank(to.kind) >= rank(from.kind)
}

/// A Python int written into an element of `s` (NumPy 2: out-of-bounds
/// integers raise rather than wrap).
fn py_int(i: i128, s: Scalar) -> Result<Vec<u8>, String> {
    match s.kind {
        Kind::Int | Kind::UInt => match super::operators::out_of_bounds(i, s) {
            None => Ok(encode_int(i, s)),
            Some(message) => Err(message),
        },
        Kind::Bool => Ok(vec![u8::from(i != 0)]),
        Kind::Float | Kind::Complex => {
            let f = i as f64;
            if f.is_infinite() {
                return Err("int too large to convert to float".into());
            }
            Ok(encode_num(Num::real(f), s))
        }
    }
}

/// A Python float written into an element of `s`: integers take
/// `int(f)`, with Python's errors for NaN and infinity.
fn py_float(f: f64, s: Scalar) -> Result<Vec<u8>, String> {
    match s.kind {
        Kind::Int | Kind::UInt => {
            if f.is_nan() {
                Err("cannot convert float NaN to integer".into())
            } else if f.is_infinite() {
                Err("cannot convert float infinity to integer".into())
            } else {
                py_int(f.trunc() as i128, s)
            }
        }
        Kind::Bool => Ok(vec![u8::from(f != 0.0)]),
        Kind::Float | Kind::Complex => Ok(encode_num(Num::real(f), s)),
    }
}

/// A Python complex written into an element of `s`.
fn py_complex(re: f64, im: f64, s: Scalar) -> Result<Vec<u8>, String> {
    match s.kind {
        Kind::Complex => Ok(encode_num(Num { re, im }, s)),
        Kind::Bool => Ok(vec![u8::from(re != 0.0 || im != 0.0)]),
        Kind::Int | Kind::UInt => Err(
            "int() argument must be a string, a bytes-like object or a real number, not 'complex'"
                .into(),
        ),
        Kind::Float => {
            Err("float() argument must be a string or a real number, not 'complex'".into())
        }
    }
}

/// A NumPy scalar's bytes cast to `s` as NumPy's unsafe cast does:
/// integers to integers exactly (wrapping), anything else through its
/// number.
fn cast_element(from: Scalar, b: &[u8], to: Scalar) -> Vec<u8> {
    let int = |k: Kind| matches!(k, Kind::Int | Kind::UInt | Kind::Bool);
    if int(from.kind) && int(to.kind) && to.kind != Kind::Bool {
        let i = match Dtype::Scalar(from).decode(b) {
            Elem::Int(i) => i128::from(i),
            Elem::UInt(u) => i128::from(u),
            Elem::Bool(x) => i128::from(x),
            _ => 0,
        };
        return encode_int(i, to);
    }
    encode_num(decode_num(from, b), to)
}

impl Session {
    /// `TARGET = VALUE` and `TARGET OP= VALUE`.
    pub(super) fn set_item(
        &mut self,
        target: &Expr,
        op: Option<&Spanned<BinOp>>,
        value: &Expr,
    ) -> Result<Output, Error> {
        // Python evaluates the value of `x[i] = v` first.
        let early = if op.is_none() {
            Some(self.eval(value)?)
        } else {
            None
        };
        if let Some(done) = self.masked_fill(target, early.as_ref(), value.span)? {
            return Ok(done);
        }
        let (dest, base) = self.destination(target)?;
        if let Err(why) = dest.view().source.writable() {
            return Err(self.read_only(target, &dest, why));
        }
        let rhs = match early {
            Some(v) => v,
            None => self.eval(value)?,
        };
        let rhs_value = rhs.clone();
        let dtype = dest.view().dtype.clone();
        // `x[0, 1]` names one element: NumPy's scalar setitem, which takes
        // only a 0-d value, and `x[0, 1] += v` is no in-place operation
        // (Python computes x[0, 1] + v, a NumPy scalar, and sets it).
        let scalar = match (&base, &target.kind) {
            (Some(b), ExprKind::Index { items, .. }) if matches!(&dest, Dest::View(v) if v.ndim() == 0) =>
            {
                matches!(
                    self.index(b.clone(), items, target.span)?,
                    Value::Scalar(..)
                )
            }
            _ => false,
        };
        let new = match op {
            None => rhs,
            Some(op) if scalar => {
                let (Some(b), ExprKind::Index { items, .. }) = (&base, &target.kind) else {
                    unreachable!("a scalar destination is a subscript")
                };
                let current = self.index(b.clone(), items, target.span)?;
                binary(op.node, &current, &rhs, op.span.to(value.span))?
            }
            Some(op) => {
                // Python: x[i] += v is x[i] = x[i].__iadd__(v), an in-place
                // ufunc whose output must cast by NumPy's `same_kind` rule.
                let current = match (&base, target) {
                    (
                        Some(b),
                        Expr {
                            kind: ExprKind::Index { items, .. },
                            ..
                        },
                    ) => self.index(b.clone(), items, target.span)?,
                    _ => Value::View(dest.view().clone()),
                };
                let result = binary_in_place(op.node, &current, &rhs, op.span.to(value.span))?;
                // An in-place ufunc's output does not broadcast.
                let (had, got) = (shape_of(&current), shape_of(&result));
                if had != got {
                    return Err(value_error(
                        format!(
                            "non-broadcastable output operand with shape {} doesn't match the broadcast shape {}",
                            shape_text(&had),
                            shape_text(&got)
                        ),
                        op.span.to(value.span),
                    ));
                }
                let to = dtype.as_scalar();
                let from = super::operators::operand(&result).and_then(|o| match o {
                    crate::compute::promote::Operand::Array(s) => Some(s),
                    _ => None,
                });
                if let (Some(from), Some(to)) = (from, to) {
                    if !same_kind(from, to) {
                        return Err(value_error(
                            format!(
                                "Cannot cast ufunc '{}' output from dtype('{}') to dtype('{}') with casting rule 'same_kind'",
                                ufunc_name(op.node),
                                from.name(),
                                to.name()
                            ),
                            op.span,
                        ));
                    }
                }
                result
            }
        };
        let new = if scalar {
            scalar_value(new, &dtype, value.span)?
        } else {
            new
        };
        let source = dest.view().source.clone();
        // A computed value of the destination's own shape whose operand
        // reads none of its bytes (`x += 1`, `x[:] = other * 2`): computed
        // and written a run at a time, never held whole. A value that reads
        // the destination elsewhere is computed whole first (NumPy's
        // buffering of overlapping operands).
        if let (Dest::View(dv), Value::Lazy(l), Some(s)) = (&dest, &new, dtype.as_scalar()) {
            let reads_dest = |v: &Value| {
                let mut s = Vec::new();
                v.sources(&mut s);
                s.iter().any(|s| Arc::ptr_eq(s, &source))
            };
            let operand = if op.is_some() { &rhs_value } else { &new };
            if l.shape == dv.shape && !reads_dest(operand) {
                let kept = self.keep_values(&source, target.span)?;
                self.stream_into(dv, l, s, &source, target.span)?;
                return Ok(if kept.is_empty() {
                    Output::Nothing
                } else {
                    Output::Note(Note::Kept { names: kept })
                });
            }
        }
        let outside = |at: usize| {
            value_error(
                format!("byte {at} lies outside the bytes of {}", source.display()),
                target.span,
            )
        };
        let fill = match self.fill(&new, &dtype, value.span) {
            Ok(f) => f,
            // NumPy writes a list into a view element by element: what came
            // before the element that failed stays written.
            Err((e, Some(partial))) => {
                if let Dest::View(v) = &dest {
                    if partial.shape == v.shape {
                        self.keep_values(&source, target.span)?;
                        let strides = broadcast_into(&partial, &dest, value.span)?;
                        write(&dest, &partial, &strides, &source).map_err(outside)?;
                    }
                }
                return Err(e);
            }
            Err((e, None)) => return Err(e),
        };
        let value_index = broadcast_into(&fill, &dest, value.span)?;
        let kept = self.keep_values(&source, target.span)?;
        write(&dest, &fill, &value_index, &source).map_err(outside)?;
        Ok(if kept.is_empty() {
            Output::Nothing
        } else {
            Output::Note(Note::Kept { names: kept })
        })
    }

    /// `x[mask] = v` with a boolean mask of x's own shape and one value:
    /// the mask computed a run at a time and the value written where it
    /// is true, with no index list (NumPy's most common masked write,
    /// `d[d > 3] = 0`, over a file of any size). `None` when the statement
    /// is not of that form.
    fn masked_fill(
        &mut self,
        target: &Expr,
        value: Option<&Value>,
        span: Span,
    ) -> Result<Option<Output>, Error> {
        let (Some(value), ExprKind::Index { base, items }) = (value, &target.kind) else {
            return Ok(None);
        };
        let ([IndexItem::Expr(e)], ExprKind::Name(_) | ExprKind::Attr { .. }) =
            (&items[..], &base.kind)
        else {
            return Ok(None);
        };
        if !matches!(
            value,
            Value::Int(_)
                | Value::Float(_)
                | Value::Complex(..)
                | Value::Bool(_)
                | Value::Scalar(..)
        ) || matches!(
            e.kind,
            ExprKind::List(_) | ExprKind::Int(_) | ExprKind::Str(_)
        ) {
            return Ok(None);
        }
        let Value::View(v) = self.eval(base)? else {
            return Ok(None);
        };
        let mask = match self.eval(e)? {
            Value::Lazy(m) if m.dtype.kind == Kind::Bool && m.shape == v.shape => m,
            Value::View(m)
                if m.shape == v.shape
                    && m.dtype.as_scalar().is_some_and(|s| s.kind == Kind::Bool) =>
            {
                Lazy::leaf(m).expect("a scalar dtype")
            }
            _ => return Ok(None),
        };
        let dest = Dest::View(v.clone());
        if let Err(why) = v.source.writable() {
            return Err(self.read_only(target, &dest, why));
        }
        let fill = self.fill(value, &v.dtype, span).map_err(|(e, _)| e)?;
        let kept = self.keep_values(&v.source, target.span)?;
        // Groups of runs: the mask's hits found on every core (reading),
        // then, once those threads have joined, written by this thread.
        // (Written on every core, the copy-on-write faults of a `mode=c`
        // mapping cost more: each copy of a page already read flushes the
        // other cores' TLBs while they run this process.)
        const RUN: usize = 1 << 20;
        const GROUP: usize = 8;
        let n = v.size();
        let _job = crate::control::start(n as u64);
        let interrupted = |_| Error::new(ErrorKind::Interrupted, span);
        let runs = n.div_ceil(RUN);
        let mut g = 0;
        while g < runs {
            let k = GROUP.min(runs - g);
            let hits = crate::compute::reduce::in_chunks(k, |c| {
                let first = (g + c) * RUN;
                crate::compute::reduce::nonzero_in(&mask, first, (first + RUN).min(n), true)
                    .map(|(hits, _)| hits)
            })
            .map_err(interrupted)?;
            let mut idx = vec![0usize; v.ndim()];
            for &flat in hits.iter().flatten() {
                let mut rest = flat;
                for k in (0..idx.len()).rev() {
                    idx[k] = rest % v.shape[k].max(1);
                    rest /= v.shape[k].max(1);
                }
                let at = offset_of(&v, &idx);
                if !v.source.write(at, &fill.bytes) {
                    return Err(value_error(
                        format!("byte {at} lies outside the bytes of {}", v.source.display()),
                        target.span,
                    ));
                }
            }
            g += k;
        }
        Ok(Some(if kept.is_empty() {
            Output::Nothing
        } else {
            Output::Note(Note::Kept { names: kept })
        }))
    }

    /// The elements the target names, and for a subscript its base's value
    /// (read again by an in-place operator).
    fn destination(&mut self, target: &Expr) -> Result<(Dest, Option<Value>), Error> {
        if let ExprKind::Index { base, items } = &target.kind {
            let b = self.eval(base)?;
            let b = self.writable_value(base, b)?;
            return self
                .indexed(b.clone(), items, target.span)
                .map(|d| (d, Some(b)));
        }
        let v = self.eval(target)?;
        match self.writable_value(target, v)? {
            Value::View(v) | Value::Void(v) => Ok((Dest::View(v), None)),
            _ => unreachable!("writable_value gives views"),
        }
    }

    /// A value that can be written into: a view or a record; a computed
    /// value bound to a name is computed into memory first (as NumPy holds
    /// it) and bound again.
    fn writable_value(&mut self, e: &Expr, v: Value) -> Result<Value, Error> {
        match v {
            Value::View(_) | Value::Void(_) => Ok(v),
            Value::Lazy(l) => match &e.kind {
                ExprKind::Name(n) => {
                    let held = Value::View(self.hold(&l, e.span)?);
                    self.names.insert(n.clone(), held.clone());
                    Ok(held)
                }
                _ => Err(Error::new(
                    ErrorKind::Type {
                        message: "this is computed, not stored: a write into it would be lost".into(),
                        hint: Some("bind it to a name first (y = ...), then write into y".into()),
                    },
                    e.span,
                )),
            },
            Value::Scalar(d, _) => Err(value_error(
                format!(
                    "'numpy.{}' object does not support item assignment",
                    d.as_scalar().map_or("void".into(), |s| s.name())
                ),
                e.span,
            )),
            other => Err(Error::new(
                ErrorKind::Type {
                    message: format!("cannot write into {}", other.kind_name()),
                    hint: Some("assignments write into views and arrays (x[0] = 1, x += 1); bind a new value with NAME = EXPR".into()),
                },
                e.span,
            )),
        }
    }

    /// The elements `base[items]` names, as NumPy's `__setitem__` finds
    /// them (a scalar-valued index still names its one element).
    fn indexed(&self, base: Value, items: &[IndexItem], span: Span) -> Result<Dest, Error> {
        if let Some(unpacked) = self.unpack_tuple(items)? {
            return self.indexed(base, &unpacked, span);
        }
        let v = match base {
            Value::Void(v) => return self.void_item(v, items, span).map(|(w, _)| Dest::View(w)),
            Value::View(v) => v,
            _ => unreachable!("writable_value gives views"),
        };
        if let [IndexItem::Expr(Expr {
            kind: ExprKind::Str(name),
            span,
        })] = items
        {
            return super::index::field(&v, name, *span).map(Dest::View);
        }
        if let Some(values) = self.advanced_values(items)? {
            if let [IndexItem::Expr(Expr {
                kind: ExprKind::List(names),
                ..
            })] = items
            {
                if !names.is_empty() && names.iter().all(|n| matches!(n.kind, ExprKind::Str(_))) {
                    return super::advanced::field_list(&v, names).map(Dest::View);
                }
            }
            let p = self.assignment_plan(&v, items, values, span)?;
            return Ok(Dest::Gather {
                view: v,
                plan: p.plan,
                shape: p.shape,
                selected: p.selected,
            });
        }
        let idx = self.index_items(items)?;
        Ok(Dest::View(v.index(&idx)?))
    }

    /// The error for a write the bytes refuse, saying how to open the file
    /// writable.
    fn read_only(&self, target: &Expr, dest: &Dest, why: WriteRefused) -> Error {
        let source = &dest.view().source;
        let (message, hint) = match why {
            WriteRefused::ReadOnly => (
                format!("{} is open read-only", source.display()),
                format!(
                    "mode=c keeps changes in this session, mode=r+ writes them to the file: open {} ... mode=c",
                    crate::text::escape(&source.path.display().to_string())
                ),
            ),
            WriteRefused::Dataset => (
                "a dataset of many files cannot be written".into(),
                "open the one file to change with mode=r+ or mode=c".into(),
            ),
            WriteRefused::Shrunk(then, now) => (
                format!(
                    "{} shrank from {then} to {now} bytes since it was opened",
                    source.display()
                ),
                "open it again".into(),
            ),
        };
        Error::new(
            ErrorKind::Type {
                message,
                hint: Some(hint),
            },
            target.span,
        )
    }

    /// A computed array's values in memory, as a C-order view of a copy.
    fn hold(&self, l: &Lazy, span: Span) -> Result<View, Error> {
        let size = l.dtype.size;
        let mut out: Vec<u8> = self.reserve_memory(
            l.size().saturating_mul(size),
            "holding this computed array",
            "work on a smaller part",
            span,
        )?;
        let native = Scalar::new(l.dtype.kind, size, ByteOrder::NATIVE);
        crate::compute::reduce::for_blocks(l, 0, l.size(), |b, _| {
            encode_block_into(b, native, &mut out)
        })
        .map_err(|_| Error::new(ErrorKind::Interrupted, span))?;
        let source = Arc::new(Source::held(out));
        View::over_file(
            source,
            0,
            l.shape.clone(),
            Dtype::Scalar(native),
            crate::view::Order::C,
        )
        .ok_or_else(|| value_error("the array does not fit in memory".into(), span))
    }

    /// Computes into memory every computed value bound to a name that
    /// reads `source`, before a write changes it; the names.
    fn keep_values(&mut self, source: &Arc<Source>, span: Span) -> Result<Vec<String>, Error> {
        let reads = |v: &Value| {
            let mut s = Vec::new();
            v.sources(&mut s);
            s.iter().any(|s| Arc::ptr_eq(s, source))
        };
        let names: Vec<String> = self
            .names
            .iter()
            .filter(|(_, v)| matches!(v, Value::Lazy(_) | Value::Tuple(_)) && reads(v))
            .map(|(k, _)| k.clone())
            .collect();
        // Every value first, then the bindings: nothing changes if one
        // does not fit.
        let mut held = Vec::new();
        for n in &names {
            held.push(self.held_value(&self.names[n], span)?);
        }
        for (n, v) in names.iter().zip(held) {
            self.names.insert(n.clone(), v);
        }
        Ok(names)
    }

    fn held_value(&self, v: &Value, span: Span) -> Result<Value, Error> {
        Ok(match v {
            Value::Lazy(l) => Value::View(self.hold(l, span)?),
            Value::Tuple(t) => Value::Tuple(
                t.iter()
                    .map(|x| self.held_value(x, span))
                    .collect::<Result<_, _>>()?,
            ),
            other => other.clone(),
        })
    }

    /// The value to write, in the destination's dtype: Python scalars and
    /// lists by Python's conversions (NumPy raises on an out-of-range
    /// integer or a NaN into integers), arrays by NumPy's unsafe cast.
    fn fill(
        &self,
        value: &Value,
        dtype: &Dtype,
        span: Span,
    ) -> Result<Fill, (Error, Option<Fill>)> {
        self.fill_all(value, dtype, span).map_err(|e| {
            // A list whose element failed: the elements before it.
            let (Some(s), Value::List(_) | Value::Tuple(_)) = (dtype.as_scalar(), value) else {
                return (e, None);
            };
            let mut shape = Vec::new();
            let mut bytes = Vec::new();
            let structure = list_fill(value, 0, &mut shape, &mut Vec::new(), &|_, _| Ok(()));
            if structure.is_err() {
                return (e, None);
            }
            let _ = list_fill(value, 0, &mut Vec::new(), &mut bytes, &|v, out| {
                number_leaf(v, s, out)
            });
            (
                e,
                Some(Fill {
                    shape,
                    bytes,
                    from_list: true,
                }),
            )
        })
    }

    /// [`Session::fill`] when every element converts.
    fn fill_all(&self, value: &Value, dtype: &Dtype, span: Span) -> Result<Fill, Error> {
        let err = |m: String| value_error(m, span);
        let one = |bytes: Vec<u8>| Fill {
            shape: Vec::new(),
            bytes,
            from_list: false,
        };
        if let Dtype::Text(t) = dtype {
            return self.text_fill(value, *t, span);
        }
        let Some(s) = dtype.as_scalar() else {
            // Records take records of the same dtype, byte for byte.
            return match value {
                Value::View(w) | Value::Void(w) if w.dtype == *dtype => Ok(Fill {
                    shape: w.shape.clone(),
                    bytes: self.c_order_bytes(w, span)?,
                    from_list: false,
                }),
                _ => Err(Error::new(
                    ErrorKind::Type {
                        message: format!(
                            "{} cannot be written into records of {}",
                            value.kind_name(),
                            dtype.short()
                        ),
                        hint: Some(
                            "write one field at a time: w['name'][...] = value (complex integers: w['r'], w['i'])"
                                .into(),
                        ),
                    },
                    span,
                )),
            };
        };
        match value {
            Value::Int(_)
            | Value::Bool(_)
            | Value::Float(_)
            | Value::Complex(..)
            | Value::Scalar(..) => {
                let mut bytes = Vec::new();
                number_leaf(value, s, &mut bytes).map_err(err)?;
                Ok(one(bytes))
            }
            Value::List(_) | Value::Tuple(_) => {
                let mut shape = Vec::new();
                let mut bytes = Vec::new();
                list_fill(value, 0, &mut shape, &mut bytes, &|v, out| {
                    number_leaf(v, s, out)
                })
                .map_err(err)?;
                Ok(Fill {
                    shape,
                    bytes,
                    from_list: true,
                })
            }
            Value::View(w) if w.dtype.as_scalar().is_some() => {
                let from = w.dtype.as_scalar().expect("checked");
                let raw = self.c_order_bytes(w, span)?;
                let bytes = if from.kind == s.kind && from.size == s.size {
                    let mut raw = raw;
                    if from.order != s.order && s.size > 1 {
                        let part = if s.kind == Kind::Complex {
                            s.size / 2
                        } else {
                            s.size
                        };
                        raw.chunks_mut(part).for_each(<[u8]>::reverse);
                    }
                    raw
                } else {
                    raw.chunks(from.size)
                        .flat_map(|b| cast_element(from, b, s))
                        .collect()
                };
                Ok(Fill {
                    shape: w.shape.clone(),
                    bytes,
                    from_list: false,
                })
            }
            Value::View(_) | Value::Lazy(_) => {
                let l = to_lazy(value, s, span)?;
                let mut bytes: Vec<u8> = self.reserve_memory(
                    l.size().saturating_mul(s.size),
                    "the values to write",
                    "write a smaller part at a time",
                    span,
                )?;
                crate::compute::reduce::for_blocks(&l, 0, l.size(), |b, _| {
                    encode_block_into(b, s, &mut bytes)
                })
                .map_err(|_| Error::new(ErrorKind::Interrupted, span))?;
                Ok(Fill {
                    shape: l.shape.clone(),
                    bytes,
                    from_list: false,
                })
            }
            other => Err(err(format!(
                "{} cannot be written into an array of {}",
                other.kind_name(),
                s.name()
            ))),
        }
    }

    /// Computes `l` a run at a time and writes each run into the view:
    /// groups of runs computed on every core, then written in order (the
    /// threads have joined before a byte is written).
    fn stream_into(
        &self,
        view: &View,
        l: &Lazy,
        s: Scalar,
        source: &Source,
        span: Span,
    ) -> Result<(), Error> {
        const RUN: usize = 1 << 18;
        const GROUP: usize = 8;
        let n = view.size();
        let _job = crate::control::start(n as u64);
        let runs = n.div_ceil(RUN);
        // The runs' buffers are used again for the next group: a fresh
        // 2 MiB buffer a run cost a page fault and a cleared page for
        // every 4 KiB of it (a fifth of `d += 1` on complex64).
        let pool = std::sync::Mutex::new(Vec::<Vec<u8>>::new());
        let mut g = 0;
        while g < runs {
            let k = GROUP.min(runs - g);
            let parts = crate::compute::reduce::in_chunks(k, |c| {
                let first = (g + c) * RUN;
                let len = RUN.min(n - first);
                let mut bytes = pool
                    .lock()
                    .expect("no thread panics holding the lock")
                    .pop()
                    .unwrap_or_default();
                bytes.clear();
                bytes.reserve(len * s.size);
                // The run's pages readied here, on this thread, so that
                // the copy-on-write copies are made on every core; and
                // before the run is read (`d += 1` reads them), since a
                // page copied after it was mapped for reading costs every
                // core a TLB flush.
                if let Some((at, end)) = run_extent(view, first, len) {
                    source.prepare_write(at, end - at);
                }
                crate::compute::reduce::for_blocks(l, first, first + len, |b, _| {
                    encode_block_into(b, s, &mut bytes)
                })?;
                Ok(bytes)
            })
            .map_err(|_| Error::new(ErrorKind::Interrupted, span))?;
            for (c, bytes) in parts.iter().enumerate() {
                write_run(view, (g + c) * RUN, bytes, source).map_err(|at| {
                    value_error(
                        format!("byte {at} lies outside the bytes of {}", source.display()),
                        span,
                    )
                })?;
            }
            pool.lock()
                .expect("no thread panics holding the lock")
                .extend(parts);
            g += k;
        }
        Ok(())
    }

    /// The value to write into strings (`S`, `U`), as NumPy converts it:
    /// a str (and a Python number, by its `str`), an array or list of
    /// strings element by element; too long a string is cut to the
    /// length, a shorter one padded with NULs.
    fn text_fill(&self, value: &Value, t: Text, span: Span) -> Result<Fill, Error> {
        let err = |m: String| value_error(m, span);
        let fill = |shape: Vec<usize>, bytes: Vec<u8>, from_list: bool| Fill {
            shape,
            bytes,
            from_list,
        };
        match value {
            Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                let mut bytes = Vec::new();
                text_leaf(value, t, &mut bytes).map_err(err)?;
                Ok(fill(Vec::new(), bytes, false))
            }
            Value::Scalar(d, b) => match elem_text(d.decode(b)) {
                Some(s) => Ok(fill(Vec::new(), t.encode(&s).map_err(err)?, false)),
                None => Err(err(format!(
                    "write strings into {}: numbers are not converted here",
                    t.descr()
                ))),
            },
            Value::View(w) | Value::Void(w) if matches!(w.dtype, Dtype::Text(_)) => {
                let mut bytes = Vec::with_capacity(w.size().saturating_mul(t.itemsize()));
                let mut res = Ok(());
                w.for_each_index(|idx| {
                    if res.is_ok() {
                        let s = elem_text(w.dtype.decode(&w.element_bytes(idx)))
                            .expect("a text dtype decodes as text");
                        res = t.encode(&s).map(|b| bytes.extend(b));
                    }
                });
                res.map_err(err)?;
                Ok(fill(w.shape.clone(), bytes, false))
            }
            Value::List(_) | Value::Tuple(_) => {
                let (mut shape, mut bytes) = (Vec::new(), Vec::new());
                list_fill(value, 0, &mut shape, &mut bytes, &|v, out| {
                    text_leaf(v, t, out)
                })
                .map_err(err)?;
                Ok(fill(shape, bytes, true))
            }
            other => Err(err(format!(
                "{} cannot be written into strings ({}): write a string",
                other.kind_name(),
                t.descr()
            ))),
        }
    }

    /// A view's bytes in C order, in memory, within `set memory`.
    fn c_order_bytes(&self, w: &View, span: Span) -> Result<Vec<u8>, Error> {
        let mut out: Vec<u8> = self.reserve_memory(
            w.nbytes(),
            "the values to write",
            "write a smaller part at a time",
            span,
        )?;
        w.write_c_order(&mut out)
            .map_err(|_| Error::new(ErrorKind::Interrupted, span))?;
        Ok(out)
    }

    /// `flush [NAME]`: the changed pages of `mode=r+` files written out.
    pub(super) fn flush(&self, name: Option<&Spanned<String>>) -> Result<Output, Error> {
        match name {
            Some(n) => {
                let v = self
                    .names
                    .get(&n.node)
                    .ok_or_else(|| self.unknown_name(&n.node, n.span))?;
                self.flush_value(v, n.span)?;
            }
            None => {
                let live: Vec<Arc<Source>> =
                    self.files.live().into_iter().map(|(s, _)| s).collect();
                flush_all(&live, Span::new(0, 5))?;
            }
        }
        Ok(Output::Nothing)
    }

    /// `x.flush()`, `flush x`: the files `x` reads, synced.
    pub(super) fn flush_value(&self, v: &Value, span: Span) -> Result<(), Error> {
        let mut s = Vec::new();
        v.sources(&mut s);
        flush_all(&s, span)
    }
}

fn flush_all(sources: &[Arc<Source>], span: Span) -> Result<(), Error> {
    for s in sources {
        s.flush()
            .map_err(|e| value_error(format!("could not flush {}: {e}", s.display()), span))?;
    }
    Ok(())
}

/// How [`list_fill`] writes one scalar of a list: its bytes appended, or
/// the message of why it does not convert.
type Leaf<'a> = dyn Fn(&Value, &mut Vec<u8>) -> Result<(), String> + 'a;

/// A Python list's elements, each written by `leaf` (a leaf that writes
/// nothing checks only the structure), with NumPy's message for lists of
/// uneven shape. Stops at the first element that does not convert, the
/// ones before it in `out`.
fn list_fill(
    v: &Value,
    depth: usize,
    shape: &mut Vec<usize>,
    out: &mut Vec<u8>,
    leaf: &Leaf<'_>,
) -> Result<(), String> {
    const INHOMOGENEOUS: &str =
        "setting an array element with a sequence. The requested array has an inhomogeneous shape";
    match v {
        Value::List(items) | Value::Tuple(items) => {
            if shape.len() == depth {
                // A deeper list after a scalar at this depth.
                if depth > 0 && !out.is_empty() {
                    return Err(INHOMOGENEOUS.into());
                }
                shape.push(items.len());
            } else if shape.len() < depth || shape[depth] != items.len() {
                return Err(INHOMOGENEOUS.into());
            }
            items
                .iter()
                .try_for_each(|x| list_fill(x, depth + 1, shape, out, leaf))
        }
        _ if shape.len() != depth => Err(INHOMOGENEOUS.into()),
        x => leaf(x, out),
    }
}

/// One Python or NumPy scalar of a list as bytes of `s`, by Python's
/// conversions (NumPy's unsafe cast for NumPy scalars).
fn number_leaf(v: &Value, s: Scalar, out: &mut Vec<u8>) -> Result<(), String> {
    match v {
        Value::Int(i) => py_int(*i, s).map(|b| out.extend(b)),
        Value::Bool(b) => py_int(i128::from(*b), s).map(|b| out.extend(b)),
        Value::Float(f) => py_float(*f, s).map(|b| out.extend(b)),
        Value::Complex(re, im) => py_complex(*re, *im, s).map(|b| out.extend(b)),
        Value::Scalar(d, b) => match d.as_scalar() {
            Some(from) => {
                out.extend(cast_element(from, b, s));
                Ok(())
            }
            None => Err("a record cannot be written into numbers".into()),
        },
        other => Err(format!(
            "{} cannot be written into an array of {}",
            other.kind_name(),
            s.name()
        )),
    }
}

/// For each destination axis, the stride (in elements) of the value along
/// it: the value's shape set against the destination's from the right,
/// its leading axes of length 1 dropped, length-1 axes broadcast (stride
/// 0). NumPy's errors where it does not fit.
fn broadcast_into(fill: &Fill, dest: &Dest, span: Span) -> Result<Vec<usize>, Error> {
    let to = dest.shape();
    let err = |m: String| Err(value_error(m, span));
    if let Dest::Gather {
        selected: Some(n), ..
    } = dest
    {
        match fill.shape.len() {
            0 => {}
            1 if fill.shape[0] == 1 || fill.shape[0] == *n => {}
            1 => {
                return err(format!(
                    "NumPy boolean array indexing assignment cannot assign {} input values to the {n} output values where the mask is true",
                    fill.shape[0]
                ))
            }
            d if to.len() <= 1 => {
                return err(format!(
                    "NumPy boolean array indexing assignment requires a 0 or 1-dimensional input, input has {d} dimensions"
                ))
            }
            _ => {}
        }
    }
    let mut from: &[usize] = &fill.shape;
    if from.len() > to.len() {
        if fill.from_list {
            return err(if to.is_empty() {
                "setting an array element with a sequence.".into()
            } else {
                format!("setting an array element with a sequence. The requested array would exceed the maximum number of dimension of {}.", to.len())
            });
        }
        while from.len() > to.len() && from[0] == 1 {
            from = &from[1..];
        }
    }
    let fits = from.len() <= to.len()
        && from
            .iter()
            .rev()
            .zip(to.iter().rev())
            .all(|(&a, &b)| a == b || a == 1);
    if !fits {
        return err(match dest {
            Dest::Gather { .. } => format!(
                "shape mismatch: value array of shape {} could not be broadcast to indexing result of shape {}",
                shape_text(&fill.shape),
                shape_text(to)
            ),
            Dest::View(_) => format!(
                "could not broadcast input array from shape {} into shape {}",
                shape_text(&fill.shape),
                shape_text(to)
            ),
        });
    }
    let mut strides = vec![0usize; to.len()];
    let mut acc = 1usize;
    for (k, &n) in from.iter().enumerate().rev() {
        let axis = to.len() - from.len() + k;
        strides[axis] = if n == 1 { 0 } else { acc };
        acc = acc.saturating_mul(n);
    }
    Ok(strides)
}

/// Writes `fill` into the destination, element by element in C order (a
/// repeated index is written more than once: the last value stays, as in
/// NumPy). On failure, the byte offset that did not fit.
fn write(dest: &Dest, fill: &Fill, strides: &[usize], source: &Source) -> Result<(), usize> {
    let view = dest.view();
    let size = view.dtype.itemsize();
    let shape = dest.shape();
    let n: usize = shape.iter().product();
    if n == 0 || fill.bytes.is_empty() {
        return Ok(());
    }
    let mut idx = vec![0usize; shape.len()];
    let mut src_idx = vec![0usize; view.ndim()];
    for _ in 0..n {
        let at = match dest {
            Dest::View(v) => offset_of(v, &idx),
            Dest::Gather { plan, .. } => {
                let mut s = plan.source(&idx);
                for k in (0..src_idx.len()).rev() {
                    src_idx[k] = s % view.shape[k].max(1);
                    s /= view.shape[k].max(1);
                }
                offset_of(view, &src_idx)
            }
        };
        let from: usize = idx.iter().zip(strides).map(|(i, s)| i * s).sum();
        // A list cut short by an element that failed (in C order, its
        // shape the destination's): nothing more to write.
        let Some(bytes) = fill.bytes.get(from * size..from * size + size) else {
            break;
        };
        if !source.write(at, bytes) {
            return Err(at);
        }
        for k in (0..idx.len()).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    Ok(())
}

/// Writes `bytes` (whole elements of the view's dtype) into the view's
/// elements from C-order position `first` on.
fn write_run(view: &View, first: usize, bytes: &[u8], source: &Source) -> Result<(), usize> {
    let size = view.dtype.itemsize();
    let mut idx = vec![0usize; view.ndim()];
    let mut rest = first;
    for k in (0..idx.len()).rev() {
        idx[k] = rest % view.shape[k].max(1);
        rest /= view.shape[k].max(1);
    }
    let Some(last) = idx.len().checked_sub(1) else {
        // A 0-d view: its one element.
        return match bytes.get(..size) {
            Some(b) if !source.write(view.offset, b) => Err(view.offset),
            _ => Ok(()),
        };
    };
    // Along a row whose elements lie side by side, one write per row.
    let packed = view.strides[last] == size as isize;
    let mut done = 0;
    while done < bytes.len() {
        let at = offset_of(view, &idx);
        let row = view.shape[last] - idx[last];
        let take = if packed {
            row.min((bytes.len() - done) / size)
        } else {
            1
        };
        if !source.write(at, &bytes[done..done + take * size]) {
            return Err(at);
        }
        done += take * size;
        idx[last] += take - 1;
        for k in (0..idx.len()).rev() {
            idx[k] += 1;
            if idx[k] < view.shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    Ok(())
}

/// The bytes that C-order positions `first..first + len` of a view lie
/// in, when they fill at least half of them: the view's offsets grow (or
/// shrink) with the C-order position, each axis stepping past all of the
/// axes after it, so the run's first and last elements bound it. `None`
/// otherwise (a transpose, or rows far apart), where readying the bytes
/// between would copy pages that are not written.
fn run_extent(view: &View, first: usize, len: usize) -> Option<(usize, usize)> {
    let size = view.dtype.itemsize();
    let last = first.checked_add(len)?.checked_sub(1)?;
    if len == 0 || last >= view.size() {
        return None;
    }
    let mut sign = 0;
    let mut span = size;
    for (&n, &st) in view.shape.iter().zip(&view.strides).rev() {
        if n < 2 {
            continue;
        }
        let step = st.unsigned_abs();
        if step < span || (sign != 0 && sign != st.signum()) {
            return None;
        }
        sign = st.signum();
        span = span.checked_add((n - 1).checked_mul(step)?)?;
    }
    let at = |flat: usize| {
        let mut rest = flat;
        let mut idx = vec![0; view.ndim()];
        for k in (0..idx.len()).rev() {
            idx[k] = rest % view.shape[k].max(1);
            rest /= view.shape[k].max(1);
        }
        offset_of(view, &idx)
    };
    let (a, b) = (at(first), at(last));
    let (lo, hi) = (a.min(b), a.max(b) + size);
    (hi - lo <= 2 * len * size).then_some((lo, hi))
}

/// The byte offset of element `idx` of a view (inside its bytes: views are
/// checked when built).
fn offset_of(v: &View, idx: &[usize]) -> usize {
    let mut at = v.offset as isize;
    for (i, s) in idx.iter().zip(&v.strides) {
        at += *i as isize * s;
    }
    at as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(kind: Kind, size: usize) -> Scalar {
        Scalar::new(kind, size, ByteOrder::Little)
    }

    #[test]
    fn a_runs_extent_holds_its_elements_and_no_more_than_twice_their_bytes() {
        use crate::view::{Index, Order};
        let source = Arc::new(Source::held(vec![0; 8 * 6 * 10]));
        let c8 = Dtype::Scalar(sc(Kind::Complex, 8));
        let c = View::over_file(source.clone(), 0, vec![6, 10], c8.clone(), Order::C).unwrap();
        let f = View::over_file(source, 0, vec![6, 10], c8, Order::F).unwrap();
        let slice = |start, step| Index::Slice {
            start,
            stop: None,
            step: Some(step),
            span: Span::default(),
        };
        let all = slice(None, 1);
        let views = [
            ("c", c.clone(), true),
            ("c.r", c.complex_part(0).unwrap(), true),
            ("c.i", c.complex_part(1).unwrap(), true),
            (
                "c[::-1, ::-1]",
                c.index(&[slice(None, -1), slice(None, -1)]).unwrap(),
                true,
            ),
            ("c[::2]", c.index(&[slice(None, 2), all]).unwrap(), true),
            ("c[::4]", c.index(&[slice(None, 4), all]).unwrap(), false),
            ("c[:, ::2]", c.index(&[all, slice(None, 2)]).unwrap(), true),
            (
                "c[::-1, ::2]",
                c.index(&[slice(None, -1), slice(None, 2)]).unwrap(),
                false,
            ),
            ("c.T", c.transpose(), false),
            ("f", f, false),
        ];
        for (name, v, whole) in views {
            let size = v.dtype.itemsize();
            let got = run_extent(&v, 0, v.size());
            assert_eq!(got.is_some(), whole, "{name}: {got:?}");
            for first in 0..v.size() {
                for len in 1..=v.size() - first {
                    let Some((lo, hi)) = run_extent(&v, first, len) else {
                        continue;
                    };
                    assert!(hi - lo <= 2 * len * size, "{name} {first}+{len}");
                    let mut idx = vec![0; v.ndim()];
                    for flat in first..first + len {
                        let mut rest = flat;
                        for k in (0..idx.len()).rev() {
                            idx[k] = rest % v.shape[k];
                            rest /= v.shape[k];
                        }
                        let at = v.element_offset(&idx);
                        assert!(lo <= at && at + size <= hi, "{name} {first}+{len}: {flat}");
                    }
                }
            }
            assert_eq!(run_extent(&v, 0, 0), None);
            assert_eq!(run_extent(&v, 1, v.size()), None, "{name}: past the end");
        }
    }

    #[test]
    fn same_kind_follows_numpy_can_cast() {
        // np.can_cast(a, b, 'same_kind') for these pairs.
        let i8_ = sc(Kind::Int, 8);
        let u1 = sc(Kind::UInt, 1);
        let u8_ = sc(Kind::UInt, 8);
        let i1 = sc(Kind::Int, 1);
        let f8 = sc(Kind::Float, 8);
        let f2 = sc(Kind::Float, 2);
        let c8 = sc(Kind::Complex, 8);
        let b = sc(Kind::Bool, 1);
        assert!(!same_kind(i8_, u1));
        assert!(same_kind(u8_, i1));
        assert!(same_kind(f8, f2));
        assert!(!same_kind(c8, f8));
        assert!(!same_kind(f8, i8_));
        assert!(same_kind(b, u1));
        assert!(!same_kind(i1, b));
    }

    #[test]
    fn python_numbers_convert_as_python_does() {
        let u1 = sc(Kind::UInt, 1);
        assert_eq!(py_int(255, u1), Ok(vec![255]));
        assert_eq!(
            py_int(300, u1).unwrap_err(),
            "Python integer 300 out of bounds for uint8"
        );
        assert_eq!(
            py_float(300.7, u1).unwrap_err(),
            "Python integer 300 out of bounds for uint8"
        );
        assert_eq!(py_float(-0.9, u1), Ok(vec![0]));
        assert!(py_float(f64::NAN, u1).unwrap_err().contains("NaN"));
        assert_eq!(
            py_int(1 << 70, sc(Kind::Int, 8)).unwrap_err(),
            "Python int too large to convert to C long"
        );
        assert_eq!(
            py_int(-2, Scalar::new(Kind::Int, 2, ByteOrder::Big)),
            Ok(vec![0xff, 0xfe])
        );
        assert!(py_complex(1.0, 2.0, sc(Kind::Float, 4)).is_err());
    }

    #[test]
    fn integers_cast_exactly_and_wrap() {
        let i8_ = sc(Kind::Int, 8);
        let big = (1i64 << 60) + 1;
        assert_eq!(
            cast_element(i8_, &big.to_le_bytes(), i8_),
            big.to_le_bytes().to_vec()
        );
        assert_eq!(
            cast_element(i8_, &300i64.to_le_bytes(), sc(Kind::UInt, 1)),
            vec![44]
        );
    }
}
