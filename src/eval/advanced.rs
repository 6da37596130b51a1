//! NumPy's advanced indexing: integer arrays (`d[[0, 5, -1]]`,
//! `d[2:8, [1, 3]]`, `d[[0, 1], [2, 3]]`), boolean masks (`d.r[d.r > 0]`,
//! `d[:, d.r[0] > 0]`) and field lists (`d[['r', 'i']]`). Field lists are
//! views, as in NumPy ≥ 1.16. Everything else is a copy in NumPy; here it
//! is a lazy [`Node::Gather`] (or, for a mask of the array's own shape, a
//! streamed [`Node::Masked`]), so printing or reducing a fancy-indexed view
//! of a huge file reads only what it needs and allocates no copy. Index
//! arrays themselves are held in memory, within `set memory`.

use super::{Session, Value};
use crate::compute::gather::{mask_counts, Gather, Item, RunCopy};
use crate::compute::{broadcast, Lazy, Node};
use crate::diag::{Error, ErrorKind};
use crate::dtype::{Dtype, Field, Kind, Record, Scalar};
use crate::number::human_bytes;
use crate::syntax::{Expr, ExprKind, IndexItem, Span};
use crate::view::{slice_indices, View};
use std::sync::{Arc, Mutex};

/// One evaluated subscript item.
enum It {
    Int(i128, Span),
    Slice(Option<i128>, Option<i128>, Option<i128>, Span),
    Ellipsis,
    NewAxis,
    /// An integer index array: shape and values.
    Ints(Vec<usize>, Vec<i64>, Span),
    /// A boolean array held in memory.
    Bools(Vec<usize>, Vec<bool>, Span),
    /// A boolean array left lazy (a mask expression over a file).
    Mask(Lazy, Span),
}

fn index_error(message: String, span: Span) -> Error {
    Error::new(
        ErrorKind::Type {
            message,
            hint: None,
        },
        span,
    )
}

/// NumPy's shape text in its C-level messages: `(2,3)`, `(3,)`.
pub(super) fn shape_text(s: &[usize]) -> String {
    match s {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            s.iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// A nested Python list of ints or bools as (shape, values, all bool).
pub(super) fn list_array(v: &Value, span: Span) -> Result<(Vec<usize>, Vec<i64>, bool), Error> {
    fn walk(
        v: &Value,
        depth: usize,
        shape: &mut Vec<usize>,
        out: &mut Vec<i64>,
        bools: &mut bool,
        span: Span,
    ) -> Result<(), Error> {
        match v {
            Value::List(items) | Value::Tuple(items) => {
                if shape.len() == depth {
                    shape.push(items.len());
                } else if shape[depth] != items.len() {
                    return Err(index_error(
                        "setting an array element with a sequence. The requested array has an inhomogeneous shape".into(),
                        span,
                    ));
                }
                for it in items {
                    walk(it, depth + 1, shape, out, bools, span)?;
                }
                Ok(())
            }
            Value::Int(i) => {
                *bools = false;
                out.push(
                    i64::try_from(*i).map_err(|_| Error::new(ErrorKind::IndexTooLarge, span))?,
                );
                Ok(())
            }
            Value::Bool(b) => {
                out.push(i64::from(*b));
                Ok(())
            }
            _ => Err(index_error(
                "arrays used as indices must be of integer (or boolean) type".into(),
                span,
            )),
        }
    }
    let (mut shape, mut out, mut bools) = (Vec::new(), Vec::new(), true);
    walk(v, 0, &mut shape, &mut out, &mut bools, span)?;
    // `[]` is an integer array in NumPy (float64, refused) -- strided takes it as ints.
    let bools = bools && !out.is_empty();
    Ok((shape, out, bools))
}

impl Session {
    /// An empty vector with room for `count` items of `what`: refused
    /// above `set memory` before anything is allocated, and an error (not
    /// an abort) when the system cannot give the memory (`ulimit -v`).
    pub(super) fn reserve_memory<T>(
        &self,
        count: usize,
        what: &str,
        instead: &str,
        span: Span,
    ) -> Result<Vec<T>, Error> {
        let bytes = (count as u64).saturating_mul(std::mem::size_of::<T>() as u64);
        let refuse = |message: String, hint: String| {
            Error::new(
                ErrorKind::Type {
                    message,
                    hint: Some(hint),
                },
                span,
            )
        };
        if bytes > self.settings.memory {
            return Err(refuse(
                format!(
                    "{what} needs {}, more than the memory limit of {}",
                    human_bytes(bytes),
                    human_bytes(self.settings.memory)
                ),
                format!("raise it with `set memory 8GiB`, or {instead}"),
            ));
        }
        let mut v = Vec::new();
        v.try_reserve_exact(count).map_err(|_| {
            refuse(
                format!(
                    "{what} needs {}, which the system could not give",
                    human_bytes(bytes)
                ),
                format!(
                    "the process has less memory than `set memory` says (`ulimit -v`?): {instead}"
                ),
            )
        })?;
        Ok(v)
    }

    /// The values of a subscript's expression items, evaluated once, when
    /// the subscript needs advanced indexing (a list or an array item);
    /// `None` for basic indexing (which evaluates its own plain items).
    pub(super) fn advanced_values(
        &self,
        items: &[IndexItem],
    ) -> Result<Option<Vec<Option<Value>>>, Error> {
        let plain = |i: &IndexItem| match i {
            IndexItem::Expr(e) => {
                matches!(e.kind, ExprKind::Int(_) | ExprKind::Str(_) | ExprKind::None)
            }
            _ => true,
        };
        if items.iter().all(plain) {
            return Ok(None);
        }
        let values: Vec<Option<Value>> = items
            .iter()
            .map(|i| match i {
                IndexItem::Expr(e) => self.eval_index(e).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<_, _>>()?;
        let array = |v: &Option<Value>| {
            matches!(
                v,
                Some(
                    Value::View(_)
                        | Value::Lazy(_)
                        | Value::List(_)
                        | Value::Tuple(_)
                        | Value::Bool(_)
                )
            )
        };
        Ok(values.iter().any(array).then_some(values))
    }

    /// Materialises an array-valued index (int or bool dtype), within the
    /// memory limit.
    fn index_array(&self, l: &Lazy, span: Span) -> Result<It, Error> {
        let mut vals: Vec<f64> =
            self.reserve_memory(l.size(), "this index array", "index a smaller part", span)?;
        crate::compute::reduce::for_blocks(l, 0, l.size(), |b, _| vals.extend_from_slice(&b.re))
            .map_err(|_| Error::new(ErrorKind::Interrupted, span))?;
        match l.dtype.kind {
            Kind::Bool => Ok(It::Bools(
                l.shape.clone(),
                vals.iter().map(|&v| v != 0.0).collect(),
                span,
            )),
            Kind::Int | Kind::UInt => Ok(It::Ints(
                l.shape.clone(),
                vals.iter().map(|&v| v as i64).collect(),
                span,
            )),
            _ => Err(index_error(
                "arrays used as indices must be of integer (or boolean) type".into(),
                span,
            )),
        }
    }

    /// The items of an advanced subscript, from their values.
    fn items(&self, items: &[IndexItem], values: Vec<Option<Value>>) -> Result<Vec<It>, Error> {
        let mut out = Vec::new();
        for (item, value) in items.iter().zip(values) {
            out.push(match item {
                IndexItem::Ellipsis(_) => It::Ellipsis,
                IndexItem::Slice { .. } => match self.index_items(std::slice::from_ref(item))?.pop() {
                    Some(crate::view::Index::Slice { start, stop, step, span }) => It::Slice(start, stop, step, span),
                    _ => unreachable!("a slice item evaluates to a slice"),
                },
                IndexItem::Expr(e) => match value.expect("expression items have values") {
                    Value::Int(i) => It::Int(i, e.span),
                    Value::None => It::NewAxis,
                    Value::Bool(b) => It::Bools(vec![], vec![b], e.span),
                    // A tuple inside a subscript is a sequence, as a list
                    // (`o[:, (0,)]`).
                    v @ (Value::List(_) | Value::Tuple(_)) => {
                        let (shape, vals, bools) = list_array(&v, e.span)?;
                        if bools {
                            It::Bools(shape, vals.iter().map(|&x| x != 0).collect(), e.span)
                        } else {
                            It::Ints(shape, vals, e.span)
                        }
                    }
                    v @ (Value::View(_) | Value::Lazy(_)) => {
                        let l = match &v {
                            Value::Lazy(l) => l.clone(),
                            Value::View(w) => Lazy::leaf(w.clone()).ok_or_else(|| {
                                index_error("arrays used as indices must be of integer (or boolean) type".into(), e.span)
                            })?,
                            _ => unreachable!(),
                        };
                        if l.dtype.kind == Kind::Bool && items.len() == 1 {
                            It::Mask(l, e.span)
                        } else {
                            self.index_array(&l, e.span)?
                        }
                    }
                    Value::Str(_) => {
                        return Err(index_error(
                            "only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean arrays are valid indices".into(),
                            e.span,
                        ))
                    }
                    _ => return Err(Error::new(ErrorKind::InvalidIndex, e.span)),
                },
            });
        }
        Ok(out)
    }

    /// `base[items]` with advanced indexing.
    pub(super) fn advanced_index(
        &self,
        base: Value,
        items: &[IndexItem],
        values: Vec<Option<Value>>,
        span: Span,
        gathers: Gathers,
    ) -> Result<Value, Error> {
        // d[['r', 'i']]: a view of some fields, the record's itemsize kept.
        if let [IndexItem::Expr(Expr {
            kind: ExprKind::List(names),
            span: lspan,
        })] = items
        {
            if !names.is_empty() && names.iter().all(|n| matches!(n.kind, ExprKind::Str(_))) {
                let Value::View(v) = base else {
                    return Err(index_error("only records have fields".into(), *lspan));
                };
                return field_list(&v, names).map(Value::View);
            }
        }
        // A view is copied byte for byte, as NumPy copies it (exact for
        // every dtype, NaN payloads and 64-bit integers included), within
        // `set memory` -- except `x[mask]` with a mask of x's own shape,
        // which streams (a masked view of a huge file is mostly reduced or
        // printed, never needed whole) when float64 carries its values.
        if let Value::View(v) = &base {
            let streams = v.dtype.as_scalar().is_some_and(streamable)
                && matches!(items, [IndexItem::Expr(_)]);
            let full_mask = streams
                && match &values[0] {
                    Some(Value::View(m)) => {
                        m.shape == v.shape
                            && m.dtype.as_scalar().is_some_and(|s| s.kind == Kind::Bool)
                    }
                    Some(Value::Lazy(m)) => m.shape == v.shape && m.dtype.kind == Kind::Bool,
                    _ => false,
                };
            if !full_mask {
                let its = self.items(items, values)?;
                return self.copy_gather(v, its, span, gathers);
            }
        }
        let src = match &base {
            Value::View(v) => Lazy::leaf(v.clone()).expect("scalar dtype"),
            Value::Lazy(l) => l.clone(),
            other => {
                return Err(index_error(
                    format!("{} cannot be indexed with arrays", other.kind_name()),
                    span,
                ));
            }
        };
        let its = self.items(items, values)?;
        // A mask of the array's own shape: streamed, no index list.
        if let [It::Mask(mask, mspan)] = &its[..] {
            if mask.shape == src.shape && src.ndim() > 0 {
                let index =
                    mask_counts(mask).map_err(|_| Error::new(ErrorKind::Interrupted, *mspan))?;
                let n = index.selected() as usize;
                let dtype = src.dtype;
                return Ok(Value::Lazy(Lazy::new_keep_order(
                    Node::Masked {
                        src,
                        mask: mask.clone(),
                        index: Arc::new(index),
                    },
                    vec![n],
                    dtype,
                )));
            }
        }
        let mut its2 = Vec::with_capacity(its.len());
        for it in its {
            its2.push(match it {
                It::Mask(l, s) => self.index_array(&l, s)?,
                other => other,
            });
        }
        gather(src, its2, span).map(Value::Lazy)
    }
}

impl Session {
    /// Advanced indexing of a view as a byte-for-byte copy in memory: the
    /// element positions come from the same plan as the lazy gather, over
    /// the element indices of the view.
    fn copy_gather(
        &self,
        v: &View,
        items: Vec<It>,
        span: Span,
        gathers: Gathers,
    ) -> Result<Value, Error> {
        let (plan, g) = self.plan_over(&v.shape, items, span)?;
        let size = v.dtype.itemsize();
        let n: usize = g.shape.iter().product();
        let bytes = (n as u64).saturating_mul(size as u64);
        // Read once, or too big to copy: streamed instead, when float64
        // carries the values (printing or reducing it reads the file as it
        // goes).
        if gathers == Gathers::Stream || bytes > self.settings.memory {
            if let Some(s) = v.dtype.as_scalar().filter(|s| streamable(*s)) {
                let src = Lazy::leaf(v.clone()).expect("a scalar dtype");
                debug_assert_eq!((src.dtype, &plan.shape), (s, &g.shape));
                return Ok(Value::Lazy(crate::compute::gather::gathered(src, plan)));
            }
        }
        let out: Vec<u8> = self.reserve_memory(
            usize::try_from(bytes).unwrap_or(usize::MAX),
            "this copy",
            "index a smaller part, or pick a field (fields of that size stream)",
            span,
        )?;
        // Row by row of the result: its source positions, then each run
        // of them that is consecutive along a row of the view copied at
        // once (one slice when the view's row is contiguous). Groups of
        // rows on every core, each into its own part of the copy; the
        // view's byte offset of a row is kept while the runs stay in it.
        let row_len = g.shape.last().copied().unwrap_or(1).max(1);
        let rows = n / row_len;
        let row_bytes = row_len * size;
        // Zeroed by the allocator (fresh pages from the kernel, faulted in
        // by the threads that copy into them), not by a pass of one thread
        // over the reserved buffer: every byte is written by the copy.
        drop(out);
        let mut out = vec![0u8; n * size];
        let groups = (crate::control::threads() * 8).min(rows).max(1);
        let per = rows.div_ceil(groups).max(1);
        // Cancellable, and shown by the progress bar, as a reduction is.
        let _job = crate::control::start(n as u64);
        let parts: Vec<Mutex<&mut [u8]>> = out
            .chunks_mut((per * row_bytes).max(1))
            .map(Mutex::new)
            .collect();
        crate::control::in_chunks(parts.len(), |w| {
            let mut part = parts[w].lock().expect("each group is taken once");
            copy_rows(v, &plan, &g.shape, w * per, &mut part)
        })
        .map_err(|_| Error::new(ErrorKind::Interrupted, span))?;
        drop(parts);
        let source = Arc::new(crate::source::Source::copy(
            &v.source,
            out,
            "advanced indexing of",
        ));
        View::over_file(
            source,
            0,
            g.shape.clone(),
            v.dtype.clone(),
            crate::view::Order::C,
        )
        .map(Value::View)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Type {
                    message: "the copy does not fit in memory".into(),
                    hint: None,
                },
                span,
            )
        })
    }
}

/// Result rows from `first` of an advanced index of `v` (`plan`, result
/// shape `shape`) copied into `out`, which holds whole rows, a row at a
/// time by [`RunCopy`].
fn copy_rows(
    v: &View,
    plan: &Gather,
    shape: &[usize],
    first: usize,
    out: &mut [u8],
) -> Result<(), crate::control::Interrupted> {
    let size = v.dtype.itemsize();
    let row_len = shape.last().copied().unwrap_or(1).max(1);
    let mut idx = vec![0usize; shape.len()];
    let mut copy = RunCopy::new(v);
    for (k, dst) in out.chunks_mut((row_len * size).max(1)).enumerate() {
        crate::control::check()?;
        let mut rest = first + k;
        for j in (0..idx.len().saturating_sub(1)).rev() {
            idx[j] = rest % shape[j].max(1);
            rest /= shape[j].max(1);
        }
        let outer = &idx[..idx.len().saturating_sub(1)];
        copy.copy(v, plan, outer, 0, dst);
        crate::control::advance(row_len as u64);
    }
    Ok(())
}

/// What advanced indexing of a view makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gathers {
    /// A copy in memory, as NumPy's (a view of it is a view, with strides
    /// and bytes), within `set memory`.
    Copy,
    /// A lazy gather that reads the file as it is read: for an operand
    /// whose copy nothing could see (`stats d[i]`, `sum(d[:, i] * 2)`).
    Stream,
}

/// Where `v[items] = ...` writes, for an advanced index.
pub(super) struct AssignmentPlan {
    /// The flat C-order index in `v` of each element of the indexed result.
    pub plan: Arc<Gather>,
    /// The indexed result's shape.
    pub shape: Vec<usize>,
    /// For a lone boolean array of one or more dimensions: how many
    /// elements it selects (NumPy words its errors for that case
    /// differently).
    pub selected: Option<usize>,
}

impl Session {
    /// The plan of an advanced index over an array of `shape`, made over a
    /// stand-in of that shape (its values are never read: only positions
    /// are), and the gathered result's shape.
    fn plan_over(
        &self,
        shape: &[usize],
        items: Vec<It>,
        span: Span,
    ) -> Result<(Arc<Gather>, Lazy), Error> {
        let stand_in = Lazy::new_keep_order(
            Node::Const(crate::compute::Num::real(0.0)),
            shape.to_vec(),
            Scalar::new(Kind::Float, 8, crate::dtype::ByteOrder::NATIVE),
        );
        let mut its = Vec::new();
        for it in items {
            its.push(match it {
                It::Mask(l, s) => self.index_array(&l, s)?,
                other => other,
            });
        }
        let (src, plan) = gather_plan(stand_in, its, span)?;
        let plan = Arc::new(plan);
        let (shape, dtype) = (plan.shape.clone(), src.dtype);
        let node = Node::Gather {
            src,
            plan: plan.clone(),
            leaves: None,
        };
        Ok((plan, Lazy::new_keep_order(node, shape, dtype)))
    }

    /// Where `v[items] = ...` writes, for an advanced index.
    pub(super) fn assignment_plan(
        &self,
        v: &View,
        items: &[IndexItem],
        values: Vec<Option<Value>>,
        span: Span,
    ) -> Result<AssignmentPlan, Error> {
        let its = self.items(items, values)?;
        // NumPy's own path for a lone mask as deep as the array (its
        // messages); a shallower mask is an index like any other.
        let lone_mask = match &its[..] {
            [It::Mask(l, _)] => l.ndim() > 0 && l.ndim() == v.ndim(),
            [It::Bools(shape, ..)] => !shape.is_empty() && shape.len() == v.ndim(),
            _ => false,
        };
        let (plan, g) = self.plan_over(&v.shape, its, span)?;
        let selected = lone_mask.then(|| g.shape.first().copied().unwrap_or(0));
        Ok(AssignmentPlan {
            plan,
            shape: g.shape.clone(),
            selected,
        })
    }
}

/// Whether float64 carries every value of `s` exactly (so a gather of it
/// may stream through the f64 blocks of `compute`).
fn streamable(s: Scalar) -> bool {
    matches!(s.kind, Kind::Float | Kind::Complex)
        || (matches!(s.kind, Kind::Int | Kind::UInt) && s.size <= 4)
}

/// A view of the named fields, at their offsets, with the record's size.
pub(super) fn field_list(v: &View, names: &[Expr]) -> Result<View, Error> {
    let mut fields = Vec::new();
    for n in names {
        let ExprKind::Str(name) = &n.kind else {
            unreachable!("checked")
        };
        let f = v
            .dtype
            .field(name)
            .ok_or_else(|| index_error(format!("no field of name {name}"), n.span))?;
        if fields.iter().any(|g: &Field| g.name == *name) {
            return Err(index_error(
                format!("duplicate field of name {name}"),
                n.span,
            ));
        }
        fields.push(f.clone());
    }
    let mut w = v.clone();
    w.dtype = Dtype::Record(Record {
        fields,
        itemsize: v.dtype.itemsize(),
    });
    Ok(w)
}

/// Builds the gather of `src` by the items.
fn gather(src: Lazy, its: Vec<It>, span: Span) -> Result<Lazy, Error> {
    let (src, plan) = gather_plan(src, its, span)?;
    Ok(crate::compute::gather::gathered(src, Arc::new(plan)))
}

/// The plan of `src[its]`, and the array it picks from: `src` itself, or
/// with the new axes of 0-d boolean indices.
fn gather_plan(src: Lazy, its: Vec<It>, span: Span) -> Result<(Lazy, Gather), Error> {
    let ndim = src.ndim();
    // Axes each item consumes; ellipsis fills the rest.
    let consumes = |it: &It| match it {
        It::Int(..) | It::Slice(..) | It::Ints(..) => 1,
        It::Bools(shape, _, _) => shape.len(),
        It::Mask(l, _) => l.ndim(),
        It::Ellipsis | It::NewAxis => 0,
    };
    let used: usize = its.iter().map(consumes).sum();
    if used > ndim {
        return Err(Error::new(
            ErrorKind::TooManyIndices { ndim, given: used },
            span,
        ));
    }
    let mut expanded = Vec::new();
    let mut seen_ellipsis = false;
    for it in its {
        if matches!(it, It::Ellipsis) {
            if seen_ellipsis {
                return Err(Error::new(ErrorKind::MultipleEllipsis, span));
            }
            seen_ellipsis = true;
            for _ in 0..ndim - used {
                expanded.push(It::Slice(None, None, None, span));
            }
        } else {
            expanded.push(it);
        }
    }
    if !seen_ellipsis {
        for _ in 0..ndim - used {
            expanded.push(It::Slice(None, None, None, span));
        }
    }
    // A scalar boolean is a 0-d mask: where it stands it adds an axis of
    // length 1 (True) or 0 (False), indexed as an advanced index (NumPy's
    // `a[True]`, `a[..., False]`): a new axis in the source, taken by an
    // index array of that length.
    let mut src = src;
    if expanded
        .iter()
        .any(|it| matches!(it, It::Bools(shape, ..) if shape.is_empty()))
    {
        let full = || crate::view::Index::Slice {
            start: None,
            stop: None,
            step: None,
            span,
        };
        let mut basic = Vec::new();
        let mut out = Vec::with_capacity(expanded.len());
        for it in expanded {
            match it {
                It::Bools(shape, vals, s) if shape.is_empty() => {
                    basic.push(crate::view::Index::NewAxis(s));
                    let n = usize::from(vals[0]);
                    out.push(It::Ints(vec![n], vec![0; n], s));
                }
                It::NewAxis => out.push(It::NewAxis),
                It::Bools(shape, vals, s) => {
                    basic.extend(shape.iter().map(|_| full()));
                    out.push(It::Bools(shape, vals, s));
                }
                other => {
                    basic.push(full());
                    out.push(other);
                }
            }
        }
        src = src.index(&basic)?;
        expanded = out;
    }
    // Booleans become integer arrays (nonzero), one per axis they cover.
    let mut items: Vec<Item> = Vec::new();
    let mut arrays: Vec<(Vec<usize>, Vec<i64>, usize, Span)> = Vec::new(); // shape, values, axis, span
    let mut axis = 0usize;
    for it in expanded {
        match it {
            It::Int(i, s) => {
                items.push(Item::Array(arrays.len()));
                arrays.push((
                    vec![],
                    vec![i64::try_from(i).map_err(|_| Error::new(ErrorKind::IndexTooLarge, s))?],
                    axis,
                    s,
                ));
                axis += 1;
            }
            It::Ints(shape, vals, s) => {
                items.push(Item::Array(arrays.len()));
                arrays.push((shape, vals, axis, s));
                axis += 1;
            }
            It::Bools(shape, vals, s) => {
                for (k, &n) in shape.iter().enumerate() {
                    if src.shape[axis + k] != n {
                        return Err(index_error(
                            format!(
                                "boolean index did not match indexed array along axis {}; size of axis is {} but size of corresponding boolean axis is {}",
                                axis + k,
                                src.shape[axis + k],
                                n
                            ),
                            s,
                        ));
                    }
                }
                // nonzero: the coordinates of the true elements, axis by axis.
                let hits: Vec<usize> = vals
                    .iter()
                    .enumerate()
                    .filter(|(_, &b)| b)
                    .map(|(k, _)| k)
                    .collect();
                for k in 0..shape.len() {
                    let stride: usize = shape[k + 1..].iter().product();
                    let coords: Vec<i64> = hits
                        .iter()
                        .map(|&h| ((h / stride.max(1)) % shape[k]) as i64)
                        .collect();
                    items.push(Item::Array(arrays.len()));
                    arrays.push((vec![hits.len()], coords, axis + k, s));
                }
                axis += shape.len();
            }
            It::Slice(start, stop, step, s) => {
                let (first, step, len) = slice_indices(start, stop, step, src.shape[axis])
                    .ok_or_else(|| Error::new(ErrorKind::SliceStepZero, s))?;
                items.push(Item::Slice {
                    start: first,
                    step,
                    len,
                });
                axis += 1;
            }
            It::NewAxis => items.push(Item::NewAxis),
            It::Ellipsis | It::Mask(..) => unreachable!("expanded and materialised above"),
        }
    }
    // Broadcast the arrays together.
    let mut adv_shape: Vec<usize> = Vec::new();
    for (shape, ..) in &arrays {
        adv_shape = broadcast(&adv_shape, shape).map_err(|_| {
            let shapes: Vec<String> = arrays.iter().map(|a| shape_text(&a.0)).collect();
            index_error(
                format!(
                    "shape mismatch: indexing arrays could not be broadcast together with shapes {} ",
                    shapes.join(" ")
                ),
                span,
            )
        })?;
    }
    // Every index is checked against its axis, each array in turn and in
    // full, even when the broadcast result is empty (NumPy's
    // `a[empty, 7]` raises).
    for (_, vals, ax, s) in &arrays {
        let n = src.shape[*ax] as i64;
        if let Some(v) = vals.iter().find(|&&v| v < -n || v >= n) {
            return Err(index_error(
                format!("index {v} is out of bounds for axis {ax} with size {n}"),
                *s,
            ));
        }
    }
    let adv_size: usize = adv_shape.iter().product();
    let mut flat_arrays = Vec::with_capacity(arrays.len());
    for (shape, vals, ax, s) in &arrays {
        let n = src.shape[*ax];
        let mut out = Vec::with_capacity(adv_size);
        for f in 0..adv_size {
            // The element of this array that broadcasts to flat position f.
            let mut rest = f;
            let mut k = 0usize;
            let mut mult = 1usize;
            for d in (0..adv_shape.len()).rev() {
                let i = rest % adv_shape[d];
                rest /= adv_shape[d];
                let off = adv_shape.len() - shape.len();
                if d >= off && shape[d - off] != 1 {
                    k += i * mult;
                }
                if d >= off {
                    mult *= shape[d - off];
                }
            }
            let v = vals[k];
            let fixed = if v < 0 { v + n as i64 } else { v };
            if fixed < 0 || fixed >= n as i64 {
                return Err(index_error(
                    format!("index {v} is out of bounds for axis {ax} with size {n}"),
                    *s,
                ));
            }
            out.push(fixed as usize);
        }
        flat_arrays.push(out);
    }
    // Where the broadcast dimensions go: in place when the arrays are
    // adjacent, else first (NumPy's rule).
    let positions: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i, Item::Array(_)))
        .map(|(k, _)| k)
        .collect();
    let adjacent = positions.windows(2).all(|w| w[1] == w[0] + 1);
    let adv_at = if adjacent {
        items[..positions[0]]
            .iter()
            .filter(|i| !matches!(i, Item::Array(_)))
            .count()
    } else {
        0
    };
    let basic: Vec<usize> = items
        .iter()
        .filter_map(|i| match i {
            Item::Slice { len, .. } => Some(*len),
            Item::NewAxis => Some(1),
            Item::Array(_) => None,
        })
        .collect();
    let mut shape = basic[..adv_at].to_vec();
    shape.extend(&adv_shape);
    shape.extend(&basic[adv_at..]);
    if shape.len() > crate::view::MAX_DIMS {
        return Err(crate::view::too_many_dims(shape.len(), span));
    }
    let ndim = src.ndim();
    let mut src_strides = vec![1usize; ndim];
    for k in (0..ndim.saturating_sub(1)).rev() {
        src_strides[k] = src_strides[k + 1] * src.shape[k + 1].max(1);
    }
    let plan = Gather {
        items,
        adv_shape,
        adv_at,
        arrays: flat_arrays,
        src_strides,
        shape: shape.clone(),
    };
    Ok((src, plan))
}
