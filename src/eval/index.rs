//! Indexing, as NumPy does it: subscript items evaluated (integer and
//! boolean scalars, 0-d integer arrays, tuples unpacked or taken as
//! sequences), basic indexing of views and computed arrays, fields of
//! records and record scalars, NumPy scalars indexed with `...`/`None`,
//! and the hand-over to advanced indexing (`eval::advanced`).

use super::advanced::{self, Gathers};
use super::{lazy_scalar, Session, Value};
use crate::compute::Lazy;
use crate::diag::{Error, ErrorKind};
use crate::dtype::{Dtype, Elem, Kind};
use crate::source::Source;
use crate::syntax::{Expr, ExprKind, IndexItem, Span};
use crate::view::{Index, Order, View};
use std::sync::Arc;

impl Session {
    /// Evaluates the items of a subscript into index operations.
    pub(super) fn index_items(&self, items: &[IndexItem]) -> Result<Vec<Index>, Error> {
        let mut idx = Vec::with_capacity(items.len());
        for item in items {
            idx.push(match item {
                IndexItem::Ellipsis(s) => Index::Ellipsis(*s),
                IndexItem::Slice {
                    start,
                    stop,
                    step,
                    span,
                } => {
                    let bound = |e: &Option<Expr>| -> Result<Option<i128>, Error> {
                        match e {
                            None => Ok(None),
                            Some(e) => match self.eval(e)? {
                                Value::Int(i) => Ok(Some(i)),
                                Value::Bool(b) => Ok(Some(i128::from(b))),
                                Value::None => Ok(None),
                                v => Err(Error::new(
                                    ErrorKind::Type {
                                        message: format!(
                                            "slice indices must be integers or None, not {}",
                                            v.kind_name()
                                        ),
                                        hint: None,
                                    },
                                    e.span,
                                )),
                            },
                        }
                    };
                    Index::Slice {
                        start: bound(start)?,
                        stop: bound(stop)?,
                        step: bound(step)?,
                        span: *span,
                    }
                }
                IndexItem::Expr(e) => match self.eval_index(e)? {
                    Value::Int(i) => Index::Int(i, e.span),
                    Value::None => Index::NewAxis(e.span),
                    Value::Str(_) => {
                        return Err(Error::new(
                            ErrorKind::Type {
                                message: "a field name must be the only index".into(),
                                hint: Some("write d['r'][1:] or d[1:]['r']".into()),
                            },
                            e.span,
                        ))
                    }
                    Value::View(_) | Value::Void(_) | Value::Bool(_) => {
                        return Err(Error::new(
                            ErrorKind::Unsupported {
                                what: "indexing with arrays or booleans (advanced indexing)".into(),
                                hint: Some("use integers, slices, `...` and `None`".into()),
                            },
                            e.span,
                        ))
                    }
                    _ => return Err(Error::new(ErrorKind::InvalidIndex, e.span)),
                },
            });
        }
        Ok(idx)
    }

    /// `rec['a']` or `rec[0]` on one record: its field, by name or position.
    pub(super) fn index_void(
        &self,
        v: View,
        items: &[IndexItem],
        span: Span,
    ) -> Result<Value, Error> {
        let (view, list) = self.void_item(v, items, span)?;
        Ok(if list {
            Value::Void(view)
        } else {
            view_value(view)
        })
    }

    /// The view `rec[item]` picks: one field (0-d), or a record of some
    /// fields for a field list (`true`).
    pub(super) fn void_item(
        &self,
        v: View,
        items: &[IndexItem],
        span: Span,
    ) -> Result<(View, bool), Error> {
        let [IndexItem::Expr(e)] = items else {
            return Err(Error::new(
                ErrorKind::Type {
                    message: "a record takes one field name or position".into(),
                    hint: None,
                },
                span,
            ));
        };
        // rec[['a', 'c']]: a record of some of the fields (NumPy's np.void
        // with the record's itemsize kept).
        if let ExprKind::List(names) = &e.kind {
            if !names.is_empty() && names.iter().all(|n| matches!(n.kind, ExprKind::Str(_))) {
                return advanced::field_list(&v, names).map(|w| (w, true));
            }
        }
        let name = match self.eval(e)? {
            Value::Str(s) => s,
            Value::Int(i) => {
                let fields = v.dtype.fields();
                let k = if i < 0 { i + fields.len() as i128 } else { i };
                match usize::try_from(k).ok().and_then(|k| fields.get(k)) {
                    Some(f) => f.name.clone(),
                    None => {
                        return Err(Error::new(
                            ErrorKind::IndexOutOfBounds {
                                index: i,
                                axis: 0,
                                size: fields.len(),
                            },
                            e.span,
                        ))
                    }
                }
            }
            other => {
                return Err(Error::new(
                    ErrorKind::Type {
                        message: format!(
                            "a record is indexed by a field name or position, not {}",
                            other.kind_name()
                        ),
                        hint: None,
                    },
                    e.span,
                ))
            }
        };
        field(&v, &name, e.span).map(|w| (w, false))
    }

    /// A subscript item's value as an index: NumPy integer and boolean
    /// scalars (`a[a[3]]`, `a[argmin(a)]`) index as Python's int and bool.
    pub(super) fn eval_index(&self, e: &Expr) -> Result<Value, Error> {
        Ok(Self::eval_index_value(self.eval(e)?))
    }

    /// A value as an index: an integer or boolean NumPy scalar, or 0-d
    /// array, as Python's int or bool (NumPy indexes with a 0-d integer
    /// array as with an integer), anything else as it is.
    pub(super) fn eval_index_value(v: Value) -> Value {
        let zero_d = match &v {
            Value::View(w) if w.ndim() == 0 => {
                w.dtype.as_scalar().map(|d| (d, Lazy::leaf(w.clone())))
            }
            Value::Lazy(l) if l.ndim() == 0 => Some((l.dtype, Some(l.clone()))),
            _ => None,
        };
        if let Some((d, Some(l))) = zero_d {
            if matches!(d.kind, Kind::Int | Kind::UInt | Kind::Bool) {
                let n = l.at(&[]).re;
                return if d.kind == Kind::Bool {
                    Value::Bool(n != 0.0)
                } else {
                    Value::Int(n as i128)
                };
            }
        }
        match v {
            Value::Scalar(Dtype::Scalar(d), b) => match Dtype::Scalar(d).decode(&b) {
                Elem::Int(i) => Value::Int(i.into()),
                Elem::UInt(u) => Value::Int(u.into()),
                Elem::Bool(t) => Value::Bool(t),
                _ => Value::Scalar(Dtype::Scalar(d), b),
            },
            v => v,
        }
    }

    /// A single tuple item as the index it stands for, as NumPy unpacks it:
    /// `a[(1, 2)]` is `a[1, 2]`, `a[()]` indexes nothing (a view of all of
    /// `a`, or a 0-d array's scalar), and a name bound to a tuple likewise.
    pub(super) fn unpack_tuple(
        &self,
        items: &[IndexItem],
    ) -> Result<Option<Vec<IndexItem>>, Error> {
        let [IndexItem::Expr(e)] = items else {
            return Ok(None);
        };
        match &e.kind {
            ExprKind::Tuple(xs) => Ok(Some(xs.iter().cloned().map(IndexItem::Expr).collect())),
            // A name, or tuple arithmetic (`(None,) * 3`): evaluated here
            // (cheap), unpacked when a tuple.
            ExprKind::Name(_) | ExprKind::Binary { .. }
                if match &e.kind {
                    ExprKind::Binary { lhs, rhs, .. } => [lhs, rhs]
                        .iter()
                        .any(|x| matches!(x.kind, ExprKind::Tuple(_))),
                    _ => true,
                } =>
            {
                let Value::Tuple(vs) = self.eval(e)? else {
                    return Ok(None);
                };
                let literal = |v: &Value| -> Result<IndexItem, Error> {
                    let kind = match v {
                        Value::Int(i) => ExprKind::Int(*i),
                        Value::None => ExprKind::None,
                        Value::Bool(b) => ExprKind::Name(if *b { "True" } else { "False" }.into()),
                        _ => return Err(Error::new(ErrorKind::InvalidIndex, e.span)),
                    };
                    Ok(IndexItem::Expr(Expr { kind, span: e.span }))
                };
                vs.iter().map(literal).collect::<Result<_, _>>().map(Some)
            }
            _ => Ok(None),
        }
    }

    pub(super) fn index(
        &self,
        base: Value,
        items: &[IndexItem],
        span: Span,
    ) -> Result<Value, Error> {
        self.index_as(base, items, span, Gathers::Copy)
    }

    /// [`Session::index`], with advanced indexing of a view copied as NumPy
    /// copies it, or streamed where the result is read once
    /// ([`Session::eval_operand`]).
    pub(super) fn index_as(
        &self,
        base: Value,
        items: &[IndexItem],
        span: Span,
        gathers: Gathers,
    ) -> Result<Value, Error> {
        if let Some(unpacked) = self.unpack_tuple(items)? {
            return self.index_as(base, &unpacked, span, gathers);
        }
        // A NumPy scalar indexed by nothing but `...`, `None` and booleans
        // is a 0-d array (`s[...]`, `s[None]`, `s[True]`); anything else is
        // NumPy's "invalid index to scalar variable.".
        if items.is_empty() && matches!(base, Value::Scalar(..) | Value::Void(_)) {
            return Ok(base);
        }
        if let Value::Scalar(d, b) = &base {
            let mut scalar_ok = true;
            for item in items {
                scalar_ok &= match item {
                    IndexItem::Ellipsis(_) => true,
                    IndexItem::Slice { .. } => false,
                    IndexItem::Expr(e) => {
                        matches!(self.eval_index(e)?, Value::None | Value::Bool(_))
                    }
                };
            }
            if scalar_ok && !items.is_empty() {
                let source = Arc::new(Source::scalar(b.clone()));
                if let Some(v) = View::over_file(source, 0, vec![], d.clone(), Order::C) {
                    return self.index_as(Value::View(v), items, span, gathers);
                }
            }
        }
        if matches!(base, Value::View(_) | Value::Lazy(_)) {
            if let Some(values) = self.advanced_values(items)? {
                return self.advanced_index(base, items, values, span, gathers);
            }
        }
        let view = match base {
            Value::View(v) => v,
            Value::Tuple(t) => return index_tuple(t, items, self),
            Value::Scalar(..) => {
                return Err(Error::new(
                    ErrorKind::Type {
                        message: "invalid index to scalar variable.".into(),
                        hint: None,
                    },
                    items.first().map_or(span, IndexItem::span),
                ))
            }
            Value::Void(v) => return self.index_void(v, items, span),
            Value::Lazy(l) => {
                let idx = self.index_items(items)?;
                let r = l.index(&idx)?;
                if r.ndim() == 0 && !idx.iter().any(|i| matches!(i, Index::Ellipsis(_))) {
                    return Ok(lazy_scalar(&r));
                }
                return Ok(Value::Lazy(r));
            }
            other => {
                return Err(Error::new(
                    ErrorKind::Type {
                        message: format!("{} cannot be indexed", other.kind_name()),
                        hint: None,
                    },
                    span,
                ))
            }
        };
        // d['r']: a field by name.
        if let [IndexItem::Expr(Expr {
            kind: ExprKind::Str(name),
            span,
        })] = items
        {
            return field(&view, name, *span).map(Value::View);
        }
        let idx = self.index_items(items)?;
        let result = view.index(&idx)?;
        // NumPy: an index with `...` always gives an array (0-d here), never a scalar.
        if idx.iter().any(|i| matches!(i, Index::Ellipsis(_))) {
            return Ok(Value::View(result));
        }
        Ok(view_value(result))
    }
}

/// A view as NumPy hands back the result of integer indexing (or a field
/// of a record scalar): one element becomes a scalar, a copy in native byte
/// order (a string as long as its text), or for records an `np.void` that
/// still views the file.
pub(super) fn view_value(v: View) -> Value {
    if v.ndim() == 0 {
        if v.dtype.as_scalar().is_some() || matches!(v.dtype, Dtype::Text(_)) {
            let (d, b) = v.dtype.scalar_of(&v.element_bytes(&[]));
            return Value::Scalar(d, b);
        }
        return Value::Void(v);
    }
    Value::View(v)
}

pub(super) fn field(view: &View, name: &str, span: Span) -> Result<View, Error> {
    view.field(name).ok_or_else(|| {
        Error::new(
            ErrorKind::UnknownField {
                name: name.into(),
                fields: view.dtype.fields().iter().map(|f| f.name.clone()).collect(),
            },
            span,
        )
    })
}

fn index_tuple(t: Vec<Value>, items: &[IndexItem], s: &Session) -> Result<Value, Error> {
    let [IndexItem::Expr(e)] = items else {
        return Err(Error::new(
            ErrorKind::Type {
                message: "a tuple takes one integer index".into(),
                hint: None,
            },
            items.first().map_or_else(Span::default, IndexItem::span),
        ));
    };
    let Value::Int(i) = s.eval(e)? else {
        return Err(Error::new(
            ErrorKind::Type {
                message: "tuple indices must be integers".into(),
                hint: None,
            },
            e.span,
        ));
    };
    let k = if i < 0 { i + t.len() as i128 } else { i };
    usize::try_from(k)
        .ok()
        .and_then(|k| t.get(k).cloned())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Type {
                    message: "tuple index out of range".into(),
                    hint: None,
                },
                e.span,
            )
        })
}
