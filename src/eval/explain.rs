//! `explain EXPR`: how a view is laid over the file's bytes, step by step,
//! for people learning NumPy's memory model. Each postfix step of the
//! expression (`d` → `.r` → `[50:, 50:]`) is evaluated on its own and its
//! geometry recorded with the rule that produced it; the final view gets
//! its byte footprint (span, use, pages, pages in memory), the mapping it
//! shares, the equivalent NumPy code and a map of the cells it selects.
//! Nothing here prints: `render` draws the [`Explanation`].

use super::{Session, Value};
use crate::diag::Error;
use crate::number::human_bytes;
use crate::syntax::{Expr, ExprKind, IndexItem};
use crate::view::{is_contiguous, Order, View};
use ndarray::Dimension;

/// Everything `explain` shows.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// The expression as typed.
    pub text: String,
    pub steps: Vec<Step>,
    /// The byte footprint of the final view (when it is a view).
    pub footprint: Option<Footprint>,
    /// Lines of NumPy code that build the same view.
    pub numpy: Vec<String>,
    pub map: Option<SelectionMap>,
    /// For a computation: the engine's plan (see [`crate::compute::plan`]).
    pub plan: Option<crate::compute::plan::Plan>,
}

/// One step of the chain and the view (or value) it gives.
#[derive(Clone, Debug)]
pub struct Step {
    /// The part of the expression this step adds (`d`, `.r`, `[50:, 50:]`).
    pub expr: String,
    pub what: StepKind,
    pub shape: Vec<usize>,
    /// Strides in bytes (empty unless a view).
    pub strides: Vec<isize>,
    /// Byte offset in the file of element `[0, 0, ...]`.
    pub offset: Option<usize>,
    pub itemsize: usize,
    pub dtype: String,
    /// "C", "F", "C and F" or "neither" (views only).
    pub contiguity: &'static str,
    /// Why the geometry changed, in NumPy users' terms.
    pub why: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StepKind {
    View,
    /// A copy NumPy would make, of this many bytes.
    Copy(u64),
    /// Computed elementwise: NumPy allocates this many bytes, strided
    /// computes block by block only what is printed or reduced.
    Computed(u64),
    /// Not an array (a shape, a number).
    Value,
}

/// Bytes and pages the final view touches.
#[derive(Clone, Debug)]
pub struct Footprint {
    /// First byte touched and one past the last (NumPy's `np.byte_bounds`
    /// relative to the file).
    pub low: u64,
    pub high: u64,
    /// Bytes the elements themselves occupy.
    pub used: u64,
    pub page_size: usize,
    /// Distinct pages holding at least one byte of an element.
    pub pages: u64,
    /// How many of those are in memory now (`None`: not a mapping).
    pub resident: Option<u64>,
    pub file: String,
    pub file_len: u64,
    /// Names whose views use this file's mapping.
    pub sharing: Vec<String>,
    /// For a dataset: the files the view touches, in order.
    pub files: Vec<FileSpan>,
    /// For a dataset: how many files it has, and how many are mapped now.
    pub dataset: Option<(usize, usize)>,
    /// Where a write through this view goes (`x[...] = v`).
    pub writes: &'static str,
}

/// The bytes a view touches in one file of a dataset.
#[derive(Clone, Debug)]
pub struct FileSpan {
    pub path: String,
    /// The first and last byte touched, as offsets in that file.
    pub first: u64,
    pub last: u64,
    /// Bytes of elements in it.
    pub used: u64,
}

/// Which cells of a 1-D or 2-D parent the final view selects, on a grid
/// of at most [`MAP_COLS`] x [`MAP_ROWS`] cells.
#[derive(Clone, Debug)]
pub struct SelectionMap {
    pub parent: String,
    pub parent_shape: Vec<usize>,
    /// Parent elements per grid cell, along rows and columns.
    pub cell: (usize, usize),
    pub rows: usize,
    pub cols: usize,
    /// Per cell: 0 none selected, 1 some, 2 all.
    pub cells: Vec<u8>,
    /// The view was too big to visit every element: cells show where
    /// selected elements are, not how many.
    pub sampled: bool,
}

pub const MAP_COLS: usize = 50;
pub const MAP_ROWS: usize = 20;
/// Views up to this many elements are mapped exactly, element by element.
const MAP_EXACT: usize = 1 << 20;

impl Session {
    pub(super) fn explain(&self, e: &Expr, line: &str) -> Result<Explanation, Error> {
        // The postfix chain, innermost (the root) first.
        let mut chain = vec![e];
        while let ExprKind::Index { base, .. } | ExprKind::Attr { base, .. } =
            &chain.last().expect("not empty").kind
        {
            chain.push(base);
        }
        chain.reverse();
        let text = |a: usize, b: usize| line.get(a..b).unwrap_or("").trim().to_string();
        let mut steps = Vec::new();
        let mut values = Vec::new();
        let mut prev: Option<View> = None;
        // NumPy's layout of the computed value before (a new C-order array,
        // or a view of one): shape, strides in bytes, offset in that array.
        let mut layout: Option<Layout> = None;
        for (k, x) in chain.iter().enumerate() {
            // Each step applied to the value before it: a step that copies
            // (advanced indexing) is done once, not again for every later step.
            let v = match (&x.kind, values.last()) {
                (ExprKind::Index { items, .. }, Some(before)) => {
                    self.index(Value::clone(before), items, x.span)?
                }
                (ExprKind::Attr { base, name }, Some(before)) => {
                    super::attribute(Value::clone(before), name, base)?
                }
                _ => self.eval(x)?,
            };
            let label = if k == 0 {
                text(x.span.start, x.span.end)
            } else {
                text(chain[k - 1].span.end, x.span.end)
            };
            // Basic indexing and `.T` of a computed array: in NumPy a view
            // of it (strided indexes the expression's operands instead).
            let view = match (&v, &x.kind, &layout) {
                (Value::Lazy(l), kind, Some((shape, strides, offset)))
                    if l.copy_kind().is_none() =>
                {
                    match kind {
                        ExprKind::Index { items, .. } => {
                            let idx = self.index_items(items)?;
                            crate::view::index_geometry(shape, strides, *offset, &idx).ok()
                        }
                        ExprKind::Attr { name, .. } if name.node == "T" => Some((
                            shape.iter().rev().copied().collect(),
                            strides.iter().rev().copied().collect(),
                            *offset,
                        )),
                        _ => None,
                    }
                }
                _ => None,
            };
            layout = match &v {
                Value::Lazy(l) if l.copy_kind().is_none() => view.clone().or_else(|| {
                    let c = crate::view::contiguous_strides(&l.shape, l.dtype.size, Order::C)?;
                    Some((l.shape.clone(), c, 0))
                }),
                _ => None,
            };
            steps.push(step(&label, x, &v, prev.as_ref(), view.as_ref()));
            prev = match &v {
                Value::View(v) | Value::Void(v) => Some(v.clone()),
                _ => None,
            };
            values.push(v);
        }
        let last = values.last().expect("at least the root");
        let final_view = match last {
            Value::View(v) | Value::Void(v) => Some(v.clone()),
            _ => None,
        };
        let root_view = match &values[0] {
            Value::View(v) => Some(v.clone()),
            _ => None,
        };
        let footprint = final_view.as_ref().map(|v| self.footprint(v));
        let numpy = match (&root_view, &final_view) {
            (Some(root), Some(v)) => numpy_code(
                &text(chain[0].span.start, chain[0].span.end),
                root,
                v,
                &chain,
                line,
            ),
            _ => Vec::new(),
        };
        let map = match (&root_view, &final_view) {
            (Some(root), Some(v)) if (1..=2).contains(&root.ndim()) && chain.len() > 1 => {
                selection_map(&text(chain[0].span.start, chain[0].span.end), root, v)
            }
            _ => None,
        };
        if matches!(last, Value::Lazy(_)) && chain.len() == 1 {
            // `explain abs(d)`: say which views the computation reads.
            let reads = self.views_read(e);
            if let Some(s) = steps.last_mut() {
                for (name, v) in reads {
                    s.why.push(format!(
                        "reads {name}: shape {}, strides {}, offset {}",
                        crate::text::tuple_repr(&v.shape),
                        crate::text::tuple_repr(&v.strides),
                        v.offset
                    ));
                }
            }
        }
        let plan = match last {
            _ if chain.len() > 1 => None,
            Value::Lazy(l) if !matches!(&*l.node, crate::compute::Node::Array(_)) => Some(
                crate::compute::plan::plan(l, &crate::compute::plan::Goal::Elementwise, 0),
            ),
            _ => self.reduction_plan(e),
        };
        Ok(Explanation {
            text: text(e.span.start, e.span.end),
            steps,
            footprint,
            numpy,
            map,
            plan,
        })
    }

    /// The names (views) an expression reads, in order of appearance.
    fn views_read(&self, e: &Expr) -> Vec<(String, View)> {
        let mut out: Vec<(String, View)> = Vec::new();
        let mut stack = vec![e];
        while let Some(x) = stack.pop() {
            match &x.kind {
                ExprKind::Name(n) => {
                    if let Some(Value::View(v)) = self.names.get(n) {
                        if !out.iter().any(|(m, _)| m == n) {
                            out.push((n.clone(), v.clone()));
                        }
                    }
                }
                ExprKind::Index { base, .. } | ExprKind::Attr { base, .. } => {
                    if let Ok(Value::View(v)) = self.eval(x) {
                        out.push((x.to_string(), v));
                    } else {
                        stack.push(base);
                    }
                }
                ExprKind::Call { args, .. } => stack.extend(args.iter().rev().map(|a| &a.value)),
                ExprKind::Unary { operand, .. } => stack.push(operand),
                ExprKind::Binary { lhs, rhs, .. } => {
                    stack.push(rhs);
                    stack.push(lhs);
                }
                ExprKind::Tuple(items) | ExprKind::List(items) => stack.extend(items.iter().rev()),
                _ => {}
            }
        }
        out
    }

    fn footprint(&self, v: &View) -> Footprint {
        let size = v.dtype.itemsize();
        let (low, high) = v
            .byte_bounds()
            .unwrap_or((v.offset as i128, v.offset as i128));
        let (low, high) = (low.max(0) as u64, high.max(0) as u64);
        let page = crate::source::page_size();
        let touched = touched_pages(v, page);
        let resident = v
            .source
            .resident(low as usize, high as usize)
            .map(|(page, res)| {
                let first = low as usize / page;
                touched
                    .iter()
                    .filter(|&&p| res.get(p as usize - first).copied().unwrap_or(false))
                    .count() as u64
            });
        let sharing = self
            .names
            .iter()
            .filter(|(_, value)| {
                matches!(value, Value::View(w) | Value::Void(w) if std::sync::Arc::ptr_eq(&w.source, &v.source))
            })
            .map(|(n, _)| n.clone())
            .collect();
        let (files, dataset) = match v.source.dataset() {
            Some(d) => (file_spans(v, d), Some((d.parts().len(), d.mapped()))),
            None => (Vec::new(), None),
        };
        Footprint {
            low,
            high,
            used: (v.size() * size) as u64,
            page_size: page,
            pages: touched.len() as u64,
            resident,
            file: v.source.display(),
            file_len: v.source.len(),
            sharing,
            files,
            dataset,
            writes: writes_to(&v.source),
        }
    }
}

/// Where a write through a view of `source` goes, in words.
fn writes_to(source: &crate::source::Source) -> &'static str {
    use crate::source::Mode;
    if source.dataset().is_some() {
        "read-only (a dataset of many files)"
    } else if source.is_copy() {
        "into this copy only, never into what it was copied from"
    } else {
        match source.mode {
            Mode::Write => "into the file (mode=r+), seen at once by every view of it",
            Mode::Copy => "into this session's copy of the pages (mode=c), seen by every view of them; the file stays as it is",
            Mode::Read => "refused: the file is open read-only (mode=c or mode=r+ to write)",
        }
    }
}

fn contiguity(v: &View) -> &'static str {
    contiguity_of(&v.shape, &v.strides, v.dtype.itemsize())
}

fn contiguity_of(shape: &[usize], strides: &[isize], itemsize: usize) -> &'static str {
    match (
        is_contiguous(shape, strides, itemsize, Order::C),
        is_contiguous(shape, strides, itemsize, Order::F),
    ) {
        (true, true) => "C and F",
        (true, false) => "C",
        (false, true) => "F",
        (false, false) => "neither",
    }
}

/// The row for one step, with the rules that explain it.
/// NumPy's layout of a computed array: shape, strides in bytes, offset.
type Layout = (Vec<usize>, Vec<isize>, i128);

fn step(
    label: &str,
    x: &Expr,
    v: &Value,
    prev: Option<&View>,
    view_of_computed: Option<&Layout>,
) -> Step {
    let mut s = Step {
        expr: label.to_string(),
        what: StepKind::Value,
        shape: Vec::new(),
        strides: Vec::new(),
        offset: None,
        itemsize: 0,
        dtype: String::new(),
        contiguity: "",
        why: Vec::new(),
    };
    match v {
        Value::View(view) | Value::Void(view) => {
            s.shape = view.shape.clone();
            s.strides = view.strides.clone();
            s.offset = Some(view.offset);
            s.itemsize = view.dtype.itemsize();
            s.dtype = view.dtype.short();
            s.contiguity = contiguity(view);
            if view.source.is_copy() && prev.is_none_or(|p| !p.source.is_copy()) {
                s.what = StepKind::Copy(view.source.len());
                s.why.push(
                    match view.source.made_by() {
                        Some("copying") => "copy, flatten, ravel of a view no strides can flatten, and reshape that no strides can express copy the elements into memory, laid out in the order= asked for (C unless said)",
                        Some("indexing") => "a NumPy scalar indexed with `...`, None or a boolean becomes an array holding its value",
                        _ => "advanced indexing (an integer array or a boolean mask) copies; arrays separated by a slice put their dimensions first",
                    }
                    .into(),
                );
                return s;
            }
            s.what = StepKind::View;
            s.why = rules(x, view, prev);
            if matches!(v, Value::Void(_)) {
                s.why
                    .push("one record: NumPy gives an np.void that still views the file".into());
            }
        }
        Value::Scalar(d, _) => {
            s.what = StepKind::Copy(d.itemsize() as u64);
            s.itemsize = d.itemsize();
            s.dtype = d.short();
            let n = d.itemsize();
            s.why.push(match &x.kind {
                ExprKind::Index { .. } => format!(
                    "an integer for every axis picks one element: NumPy copies it out as a scalar ({n} bytes)"
                ),
                ExprKind::Call { .. } => {
                    s.what = StepKind::Computed(n as u64);
                    format!("one value computed from its arguments: NumPy returns it as a scalar ({n} bytes)")
                }
                _ => format!("one value: NumPy holds it as a scalar ({n} bytes)"),
            });
        }
        Value::Lazy(l) => {
            let bytes = (l.size() * l.dtype.size) as u64;
            s.what = StepKind::Computed(bytes);
            s.shape = l.shape.clone();
            s.itemsize = l.dtype.size;
            s.dtype = l.dtype.descr();
            if let Some((shape, strides, offset)) = view_of_computed {
                s.what = StepKind::View;
                s.strides = strides.clone();
                s.offset = usize::try_from(*offset).ok();
                s.contiguity = contiguity_of(shape, strides, l.dtype.size);
            }
            s.why.push(match l.copy_kind() {
                Some(kind) => format!(
                    "{kind} copies in NumPy ({}); strided streams it instead, reading only what is printed or reduced",
                    human_bytes(bytes)
                ),
                None if view_of_computed.is_some() => "a view of the computed array before it \
                     (NumPy allocates nothing more; the offset is in that array); strided indexes \
                     the expression's operands instead, so it still reads only what is printed or \
                     reduced"
                    .to_string(),
                None => format!(
                    "computed: NumPy allocates a new array ({}); strided computes a block at a time, only what is printed or reduced",
                    human_bytes(bytes)
                ),
            });
        }
        _ => s.why.push("not an array".into()),
    }
    s
}

/// One short line per NumPy rule the step applies.
fn rules(x: &Expr, v: &View, prev: Option<&View>) -> Vec<String> {
    let mut why = Vec::new();
    let Some(p) = prev else {
        let layout = match contiguity(v) {
            "neither" => "not contiguous",
            "F" => "F order",
            _ => "C order",
        };
        why.push(match v.source.dataset() {
            Some(d) => format!(
                "a view of {} files laid end to end (each mapped once, when read), {layout}, starting at byte {}",
                d.parts().len(),
                v.offset
            ),
            None => format!(
                "a view of the file's one mapping, {layout}, starting at byte {}",
                v.offset
            ),
        });
        return why;
    };
    let moved = v.offset as i128 - p.offset as i128;
    match &x.kind {
        ExprKind::Attr { name, .. } => match name.node.as_str() {
            "T" => why.push("`.T` reverses the shape and the strides: no byte moves".into()),
            n => why.push(format!(
                "`.{n}` keeps the strides and takes {} of every {}-byte element at offset +{moved}: dtype {}",
                plural(v.dtype.itemsize(), "byte"),
                p.dtype.itemsize(),
                v.dtype.short()
            )),
        },
        ExprKind::Index { items, .. } => {
            for item in items {
                match item {
                    IndexItem::Expr(e) => match &e.kind {
                        ExprKind::None => {
                            why.push("`None` inserts an axis of length 1 (its stride does not matter)".into())
                        }
                        ExprKind::Str(f) => why.push(format!(
                            "['{f}'] picks a field: same strides, offset moves to the field"
                        )),
                        _ => why.push(
                            "an integer index drops its axis: index × stride moves the offset".into(),
                        ),
                    },
                    IndexItem::Slice {
                        start, stop, step, ..
                    } => {
                        let neg = matches!(&step, Some(Expr { kind: ExprKind::Unary { .. }, .. }))
                            || matches!(&step, Some(Expr { kind: ExprKind::Int(i), .. }) if *i < 0);
                        if neg {
                            why.push(
                                "a negative step starts at the last element picked: the offset moves there and the stride turns negative"
                                    .into(),
                            );
                        } else if step.is_some() {
                            why.push("a step multiplies the stride: the elements skipped stay in the file".into());
                        } else if start.is_some() {
                            why.push("a start moves the offset by start × stride; the strides stay".into());
                        } else if stop.is_some() {
                            why.push("a stop only shortens the axis: offset and strides stay".into());
                        }
                    }
                    IndexItem::Ellipsis(_) => {}
                }
            }
            why.dedup();
            if why.is_empty() {
                why.push("`:` keeps the axis as it is".into());
            }
        }
        _ => {}
    }
    why
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The distinct pages holding a byte of some element, sorted.
/// The files of dataset `d` that view `v` touches, with the bytes of each:
/// the view's runs split at file boundaries (arithmetic only, nothing read).
fn file_spans(v: &View, d: &crate::source::Dataset) -> Vec<FileSpan> {
    use crate::source::PartPiece;
    use std::collections::BTreeMap;
    let size = v.dtype.itemsize();
    let mut spans: BTreeMap<usize, (u64, u64, u64)> = BTreeMap::new();
    let mut add = |part: usize, a: u64, b: u64, used: u64| {
        let e = spans.entry(part).or_insert((a, b, 0));
        e.0 = e.0.min(a);
        e.1 = e.1.max(b);
        e.2 += used;
    };
    let n = v.ndim();
    let (len, stride) = if n == 0 {
        (1, 0)
    } else {
        (v.shape[n - 1], v.strides[n - 1])
    };
    let outer = if n == 0 { &[][..] } else { &v.shape[..n - 1] };
    if v.size() > 0 {
        for idx in ndarray::indices(ndarray::IxDyn(outer)) {
            let mut full = idx.slice().to_vec();
            if n > 0 {
                full.push(0);
            }
            d.pieces(v.element_offset(&full), stride, len, size, |p| match p {
                PartPiece::Whole { part, at, count } => {
                    let end = at as i128 + (count as i128 - 1) * stride as i128;
                    let (a, b) = (at.min(end as u64), at.max(end as u64) + size as u64 - 1);
                    add(part, a, b, (count * size) as u64);
                }
                PartPiece::Straddle { at } => {
                    add(d.part_at(at), at, at + size as u64 - 1, size as u64);
                }
            });
        }
    }
    spans
        .into_iter()
        .map(|(k, (a, b, used))| {
            let p = &d.parts()[k];
            let local = |x: u64| x.saturating_sub(p.base) + p.start;
            FileSpan {
                path: crate::text::escape(&p.path.display().to_string()).into_owned(),
                first: local(a),
                last: local(b.min(p.base + p.len - 1)),
                used,
            }
        })
        .collect()
}

fn touched_pages(v: &View, page: usize) -> Vec<u64> {
    if v.size() == 0 {
        return Vec::new();
    }
    let size = v.dtype.itemsize();
    let (low, high) = v.byte_bounds().expect("not empty");
    let first = low as usize / page;
    let last = (high as usize - 1) / page;
    let mut hit = vec![false; last - first + 1];
    let n = v.ndim();
    let mut mark = |a: usize, b: usize| {
        // bytes a..b (b exclusive, b > a)
        for p in a / page..=(b - 1) / page {
            hit[p - first] = true;
        }
    };
    if n == 0 {
        mark(v.offset, v.offset + size);
    } else {
        let len = v.shape[n - 1];
        let stride = v.strides[n - 1];
        let outer: Vec<usize> = v.shape[..n - 1].to_vec();
        let mut idx = vec![0usize; n];
        let rows: usize = outer.iter().product();
        for r in 0..rows {
            let mut rest = r;
            for k in (0..n - 1).rev() {
                idx[k] = rest % outer[k];
                rest /= outer[k];
            }
            idx[n - 1] = 0;
            let start = v.element_offset(&idx) as isize;
            if stride.unsigned_abs() <= page {
                // Consecutive elements are at most a page apart: every
                // page between the run's ends holds some element's bytes.
                let end = start + (len as isize - 1) * stride;
                let (a, b) = (start.min(end) as usize, start.max(end) as usize + size);
                mark(a, b);
            } else {
                for k in 0..len {
                    let o = (start + k as isize * stride) as usize;
                    mark(o, o + size);
                }
            }
        }
    }
    hit.iter()
        .enumerate()
        .filter(|(_, &h)| h)
        .map(|(k, _)| (first + k) as u64)
        .collect()
}

/// NumPy code that builds the same view: the memmap `open` corresponds to
/// and the index expression, then the single `np.ndarray` form.
fn numpy_code(root_name: &str, root: &View, v: &View, chain: &[&Expr], line: &str) -> Vec<String> {
    if let Some(d) = root.source.dataset() {
        return dataset_code(root_name, root, d, chain, line);
    }
    let path = root
        .source
        .display()
        .replace('\\', "\\\\")
        .replace('\'', "\\'");
    let mut out = Vec::new();
    let named = chain
        .first()
        .is_some_and(|e| matches!(e.kind, ExprKind::Name(_)));
    let whole_file = named
        && !root.source.is_copy()
        && root.strides.iter().all(|&s| s > 0)
        && (root.is_c_contiguous() || root.is_f_contiguous());
    if whole_file {
        let order = if root.ndim() > 1 && !root.is_c_contiguous() {
            ", order='F'"
        } else {
            ""
        };
        out.push(format!(
            "{root_name} = np.memmap('{path}', dtype={}, mode='{}', offset={}, shape={}{order})",
            root.dtype.descr(),
            root.source.mode.name(),
            root.offset,
            crate::text::tuple_repr(&root.shape)
        ));
        let mut expr = root_name.to_string();
        for w in chain.windows(2) {
            let (prev, x) = (w[0], w[1]);
            match &x.kind {
                ExprKind::Attr { name, .. } => {
                    let n = name.node.as_str();
                    let is_field = root_field(root, n);
                    match n {
                        _ if is_field => expr.push_str(&format!("['{n}']")),
                        "r" | "real" => expr.push_str(".real"),
                        "i" | "imag" => expr.push_str(".imag"),
                        other => expr.push_str(&format!(".{other}")),
                    }
                }
                _ => expr.push_str(line.get(prev.span.end..x.span.end).unwrap_or("").trim()),
            }
        }
        if chain.len() > 1 {
            out.push(expr);
        }
    }
    if v.offset as u64 >= v.source.len() && v.size() == 0 {
        out.push("# an empty view starting past the end of the file: np.ndarray(buffer=...) refuses such an offset".into());
        return out;
    }
    if v.source.is_copy() {
        // The data lives in a copy, not at an offset of the file.
        return out;
    }
    out.push(format!(
        "np.ndarray(shape={}, dtype={}, buffer=np.memmap('{path}', dtype=np.uint8, mode='{}'), offset={}, strides={})",
        crate::text::tuple_repr(&v.shape),
        v.dtype.descr(),
        v.source.mode.name(),
        v.offset,
        crate::text::tuple_repr(&v.strides)
    ));
    out
}

/// NumPy's code for a view of a dataset: each file mapped, the maps
/// concatenated (NumPy has no view across files, so that is a copy of
/// every file into memory), then the same indexing.
fn dataset_code(
    root_name: &str,
    root: &View,
    d: &crate::source::Dataset,
    chain: &[&Expr],
    line: &str,
) -> Vec<String> {
    let quote = |p: &std::path::Path| {
        format!(
            "'{}'",
            p.display()
                .to_string()
                .replace('\\', "\\\\")
                .replace('\'', "\\'")
        )
    };
    let parts = d.parts();
    let row: usize = root.shape[1..].iter().product::<usize>() * root.dtype.itemsize();
    let mut out = vec![
        "# NumPy has no view across files: np.concatenate copies them all into memory".to_string(),
    ];
    let items = crate::formats::dask::part_tuples(&parts[..parts.len().min(12)], row, quote);
    let more = if parts.len() > 12 {
        format!(", ...  # and {} more files", parts.len() - 12)
    } else {
        String::new()
    };
    out.push(format!("parts = [{}{more}]", items.join(", ")));
    let trailing: String = root.shape[1..].iter().map(|n| format!(", {n}")).collect();
    out.push(format!(
        "{root_name} = np.concatenate([np.memmap(f, dtype={}, mode='r', offset=o, shape=(n{trailing})) for f, o, n in parts])[:{}]",
        root.dtype.descr(),
        root.shape[0]
    ));
    let named = chain
        .first()
        .is_some_and(|e| matches!(e.kind, ExprKind::Name(_)));
    if named && chain.len() > 1 {
        let mut expr = root_name.to_string();
        for w in chain.windows(2) {
            let (prev, x) = (w[0], w[1]);
            match &x.kind {
                ExprKind::Attr { name, .. } => match name.node.as_str() {
                    n if root_field(root, n) => expr.push_str(&format!("['{n}']")),
                    "r" | "real" => expr.push_str(".real"),
                    "i" | "imag" => expr.push_str(".imag"),
                    other => expr.push_str(&format!(".{other}")),
                },
                _ => expr.push_str(line.get(prev.span.end..x.span.end).unwrap_or("").trim()),
            }
        }
        out.push(expr);
    }
    out
}

/// Whether `name` is a field of some record dtype along the chain (so that
/// NumPy spells it `['name']`). Checked on the root's dtype and its fields.
fn root_field(root: &View, name: &str) -> bool {
    fn has(d: &crate::dtype::Dtype, name: &str) -> bool {
        d.fields()
            .iter()
            .any(|f| f.name == name || has(&f.dtype, name))
    }
    has(&root.dtype, name)
}

/// Which cells of `root` (1-D or 2-D) the bytes of `v` fall in.
fn selection_map(root_name: &str, root: &View, v: &View) -> Option<SelectionMap> {
    if !std::sync::Arc::ptr_eq(&root.source, &v.source) || root.shape.contains(&0) {
        return None;
    }
    let (rows, cols) = match root.shape[..] {
        [n] => (1, n),
        [r, c] => (r, c),
        _ => return None,
    };
    // Root axes by falling stride, to turn a byte offset back into an index.
    let mut axes: Vec<usize> = (0..root.ndim()).collect();
    if root.strides.iter().any(|&s| s <= 0) {
        return None;
    }
    axes.sort_by_key(|&k| std::cmp::Reverse(root.strides[k]));
    let cell = (rows.div_ceil(MAP_ROWS), cols.div_ceil(MAP_COLS));
    let (grid_r, grid_c) = (rows.div_ceil(cell.0), cols.div_ceil(cell.1));
    let mut counts = vec![0u64; grid_r * grid_c];
    let sampled = v.size() > MAP_EXACT;
    let n = v.ndim();
    // Indices to visit along each axis of the view.
    let picks: Vec<Vec<usize>> = (0..n)
        .map(|k| {
            let len = v.shape[k];
            let step = if sampled { len.div_ceil(512).max(1) } else { 1 };
            (0..len).step_by(step).collect()
        })
        .collect();
    if picks.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut idx = vec![0usize; n];
    let mut pos = vec![0usize; n];
    loop {
        for k in 0..n {
            idx[k] = picks[k][pos[k]];
        }
        let rel = v.element_offset(&idx) as i128 - root.offset as i128;
        if rel >= 0 {
            let mut rest = rel as usize;
            let mut at = [0usize; 2];
            for &k in &axes {
                let s = root.strides[k] as usize;
                at[k] = (rest / s).min(root.shape[k] - 1);
                rest %= s;
            }
            let (r, c) = if root.ndim() == 1 {
                (0, at[0])
            } else {
                (at[0], at[1])
            };
            counts[(r / cell.0) * grid_c + c / cell.1] += 1;
        }
        // Next index, C order.
        let mut k = n;
        loop {
            if k == 0 {
                let cells = counts
                    .iter()
                    .enumerate()
                    .map(|(i, &c)| {
                        let (gr, gc) = (i / grid_c, i % grid_c);
                        let h = (rows - gr * cell.0).min(cell.0);
                        let w = (cols - gc * cell.1).min(cell.1);
                        match c {
                            0 => 0,
                            c if !sampled && c >= (h * w) as u64 => 2,
                            _ if sampled => 2,
                            _ => 1,
                        }
                    })
                    .collect();
                return Some(SelectionMap {
                    parent: root_name.to_string(),
                    parent_shape: root.shape.clone(),
                    cell,
                    rows: grid_r,
                    cols: grid_c,
                    cells,
                    sampled,
                });
            }
            k -= 1;
            pos[k] += 1;
            if pos[k] < picks[k].len() {
                break;
            }
            pos[k] = 0;
        }
    }
}
