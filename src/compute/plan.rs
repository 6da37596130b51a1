//! The engine's plan for a computation, as `explain` shows it: how the
//! bytes are walked, in what blocks and chunks on how many threads, what is
//! read from each file and how much more the pages bring in, the memory held
//! at once, and the temporaries NumPy would allocate for the same
//! expression. The numbers come from the functions the reductions
//! themselves follow ([`walk_chunks`], [`axes_plan`], [`MaskIndex`]'s
//! limit), not from a description kept beside them.

use super::axes::axes_plan;
use super::gather::MASK_BITS_LIMIT;
use super::reduce::{threads, walk_chunks, Acc, Need};
use super::{Func, Lazy, Node, BLOCK};

/// What is computed.
#[derive(Clone, Debug, PartialEq)]
pub enum Goal {
    /// Shown (or saved) block by block: only what is printed is computed.
    Elementwise,
    /// A reduction of every element (`stats`, `sum(x)`).
    All,
    /// A reduction along these axes (sorted), needing this much of each
    /// accumulator; true: the positions along the walk too (`argmin`,
    /// `argmax`, which walk the array as it is, not in memory order).
    Axes(Vec<usize>, Need, bool),
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub goal: String,
    /// The order the elements are walked in.
    pub walk: String,
    /// Elements per block (a run along the last axis at most this long).
    pub block: usize,
    /// How each block is computed ([`super::Fused::describe`]).
    pub lanes: String,
    pub chunks: usize,
    pub threads: usize,
    pub reads: Vec<Read>,
    /// Anonymous memory held at once: block buffers, accumulators, packed
    /// masks, the result.
    pub held: u64,
    /// The arrays NumPy allocates for the same expression: what, bytes.
    pub numpy: Vec<(String, u64)>,
}

/// One file view the computation reads.
#[derive(Clone, Debug)]
pub struct Read {
    pub file: String,
    pub shape: Vec<usize>,
    /// Bytes of the elements themselves.
    pub used: u64,
    /// Bytes from the first to the last byte read: what the page cache
    /// brings in for a dense walk.
    pub spanned: u64,
    /// Read only through advanced indexing: the gathered shape (`used`
    /// is then the gathered elements' bytes, at most the view's, and how
    /// much of the span is read depends on the indices).
    pub gathered: Option<Vec<usize>>,
}

/// Whether `x` holds integers (booleans included), as `axes_plan` asks.
fn integers(x: &Lazy) -> bool {
    use crate::dtype::Kind;
    matches!(x.dtype.kind, Kind::Int | Kind::UInt | Kind::Bool)
}

pub fn plan(x: &Lazy, goal: &Goal, result_bytes: u64) -> Plan {
    let workers = threads();
    let complex_parts = |l: &Lazy| if l.is_complex() { 2 } else { 1 };
    // Every node holds one block of float64 values (two for complex) per
    // thread while a block is computed.
    let mut nodes = Vec::new();
    collect(x, &mut nodes);
    // The evaluator's own buffers: float32 lanes, and float64 blocks for
    // every node when any subtree takes the general path (an upper bound).
    // The column kernel reads a bare integer leaf into float32 lanes.
    // An `axis=` reduction walks the array permuted into the order its
    // bytes lie in (`axes::reduce_axes`).
    let order = match goal {
        Goal::Axes(axes, _, false) => super::axes::memory_order(x, axes),
        _ => None,
    };
    let along = match (goal, &order) {
        (Goal::Axes(_, need, _), Some((_, y, y_axes))) => {
            Some(axes_plan(y, y_axes, integers(x), *need))
        }
        (Goal::Axes(axes, need, _), None) => Some(axes_plan(x, axes, integers(x), *need)),
        _ => None,
    };
    let fused = if along.as_ref().is_some_and(|p| p.column_sums) {
        super::Fused::narrow_leaves(x)
    } else {
        super::Fused::new(x)
    };
    let (lane_bytes, general) = fused.held();
    let block_bytes: u64 = lane_bytes
        + if general {
            nodes
                .iter()
                .map(|l| (BLOCK * 8 * complex_parts(l)) as u64)
                .sum()
        } else {
            0
        };
    let masks: u64 = nodes
        .iter()
        .filter_map(|l| match &*l.node {
            Node::Masked { mask, .. } => {
                let bits = mask.size().div_ceil(64) * 8;
                Some(if bits <= MASK_BITS_LIMIT {
                    bits as u64
                } else {
                    0
                })
            }
            _ => None,
        })
        .sum();
    // The last of each: whether the walk reads float32 lanes as they are
    // (the tiles turned on their side take float64 blocks).
    let (goal_text, walk, chunks, accumulators, reads_lanes, block) = match goal {
        Goal::Elementwise => (
            "computed block by block as it is shown or saved".to_string(),
            "C order of the result, runs along the last axis".to_string(),
            1,
            0u64,
            false,
            BLOCK,
        ),
        Goal::All => {
            let (_, chunks) = walk_chunks(x);
            let walk = match x.memory_order() {
                Some((perm, _)) => format!(
                    "the order the bytes lie in (axes {}), runs along the last of them",
                    crate::text::tuple_repr(&perm)
                ),
                None => "C order, which is the order the bytes lie in".to_string(),
            };
            (
                "reduced to one value".to_string(),
                walk,
                chunks,
                (chunks * std::mem::size_of::<Acc>()) as u64,
                true,
                BLOCK,
            )
        }
        Goal::Axes(axes, need, _) => {
            let p = along.as_ref().expect("planned above for an axes goal");
            let walk = if p.column_sums {
                "rows (runs along the last axis) in order, four at a time (one \
                 evaluator each), added to their row of outputs by a vectorised \
                 column kernel"
            } else if p.column_bounds && *need == Need::Extremes {
                "rows (runs along the last axis) in order, each taken into its row \
                 of least and greatest values and the rows they are in by a \
                 vectorised column kernel"
            } else if p.column_bounds {
                "rows (runs along the last axis) in order, each taken into its row \
                 of least and greatest values by a vectorised column kernel"
            } else if p.column_moments {
                "rows (runs along the last axis) in order, each taken into its row \
                 of counts, means and squared deviations by a vectorised column \
                 kernel"
            } else if p.last_kept {
                "tiles of 32 rows by 2048 columns, turned on their side so each \
                 column goes to its accumulator in one push"
            } else {
                "rows (runs along the last axis) in order, each reduced into its output"
            };
            let walk = match &order {
                Some((perm, _, _)) => format!(
                    "the order the bytes lie in (axes {}), as that array's {walk}",
                    crate::text::tuple_repr(perm)
                ),
                None => walk.to_string(),
            };
            (
                format!(
                    "reduced along axis {} into {} outputs",
                    crate::text::tuple_repr(axes),
                    p.outputs
                ),
                walk,
                p.chunks,
                (p.chunks * p.per_chunk) as u64,
                p.column_sums || p.column_bounds || p.column_moments || !p.last_kept,
                p.block,
            )
        }
    };

    let used_threads = workers.min(chunks).max(1);
    // Streamed transforms: each row made once, when the walk reaches it.
    let mut walk = walk;
    let mut transforms = 0u64;
    for l in &nodes {
        if let Node::Transform { src, t } = &*l.node {
            walk.push_str(&format!(
                "; each row of {} values goes through np.fft.{} ({} points) once, when the \
                 walk reaches it, the last {} kept",
                src.shape.last().copied().unwrap_or(1),
                t.which.name(),
                t.n,
                t.kept_rows()
            ));
            transforms += t.held(used_threads);
        }
    }
    let mut reads = Vec::new();
    // A view the expression names twice (`where(h > 0, h, -h)`) is read
    // from memory once (its second reading hits the caches): one line.
    let mut seen = Vec::new();
    let key = |v: &crate::view::View| {
        (
            v.source.display(),
            v.offset,
            v.shape.clone(),
            v.strides.clone(),
        )
    };
    // Views read only through advanced indexing, and the gathered shape.
    let mut gathered = Vec::new();
    for l in &nodes {
        if let Node::Gather { src, .. } = &*l.node {
            if let Node::Leaf(v) = &*src.node {
                gathered.push((key(v), l.shape.clone()));
            }
        }
    }
    for l in &nodes {
        if let Node::Leaf(v) = &*l.node {
            let key = key(v);
            if seen.contains(&key) {
                continue;
            }
            let picked = gathered
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, s)| s.clone());
            seen.push(key);
            let size = v.dtype.itemsize();
            // A leaf broadcast for a gather (`(h - h[0])[i]`) is its own
            // elements, its stretched axes (a stride of 0) left out.
            let own: Vec<usize> = v
                .shape
                .iter()
                .zip(&v.strides)
                .filter(|&(&n, &s)| s != 0 || n == 1)
                .map(|(&n, _)| n)
                .collect();
            let distinct = own.iter().product::<usize>();
            let elements = match &picked {
                Some(s) => s.iter().product::<usize>().min(distinct),
                None => distinct,
            };
            let used = (elements * size) as u64;
            let spanned = v
                .byte_bounds()
                .map_or(used, |(lo, hi)| (hi - lo).max(0) as u64);
            reads.push(Read {
                file: v.source.display(),
                shape: own,
                used,
                spanned,
                gathered: picked,
            });
        }
    }
    let mut numpy = Vec::new();
    numpy_temporaries(x, &mut numpy);
    if goal != &Goal::Elementwise {
        numpy.push(("the result".into(), result_bytes));
    }
    Plan {
        goal: goal_text,
        walk,
        block,
        // What `reduce_walk` does with small integers.
        lanes: if goal == &Goal::All && fused.small_ints() {
            fused.describe_small_ints()
        } else if goal == &Goal::All && fused.has_int64s() {
            fused.describe_int64s()
        } else if along.as_ref().is_some_and(|p| p.raw) {
            "summed in 32-bit integer lanes straight from the file's bytes (no float \
             conversion), moved into exact float64 sums every 2^15 rows"
                .to_string()
        } else {
            fused.describe(reads_lanes)
        },
        chunks,
        threads: used_threads,
        reads,
        held: block_bytes * used_threads as u64 + accumulators + masks + transforms + result_bytes,
        numpy,
    }
}

/// The plan of Welch's method (`per_row` None), of a spectrogram (every
/// segment's periodogram kept, `Some(1)`) or of a waterfall (`Some(k)`: the
/// periodograms of each k segments made one row): segments read in order
/// from the view, each once, overlapping ones reading their shared samples
/// again; one transform buffer per thread. `held` is the result strided
/// keeps; SciPy's arrays are counted for the same call (`spectrogram` for
/// a waterfall), its results `out_itemsize` bytes a value.
pub fn plan_segments(
    x: &Lazy,
    w: &super::spectral::Welch,
    per_row: Option<usize>,
    out_itemsize: u64,
    held: u64,
) -> Plan {
    let segments = w.segments(x.size());
    let chunks = segments.clamp(1, 64);
    let workers = threads().min(chunks).max(1);
    let reads = plan(x, &Goal::Elementwise, 0).reads;
    // Overlapping segments read their shared samples again (from the page
    // cache): samples read per sample of the view.
    let again = (segments * w.nperseg) as f64 / x.size().max(1) as f64;
    let itemsize = (x.dtype.size as u64).max(1);
    let (goal, rows) = match per_row {
        None => ("Welch's averaged periodogram", String::new()),
        Some(1) => ("each segment's periodogram", String::new()),
        Some(k) => ("a waterfall", format!(", {k} segments a row")),
    };
    let padded = if w.nfft > w.nperseg {
        format!(", zero-padded to {}", w.nfft)
    } else {
        String::new()
    };
    let scipy_result = match per_row {
        None => w.bins() as u64,
        Some(_) => (segments * w.bins()) as u64,
    } * out_itemsize;
    Plan {
        goal: format!(
            "{goal} of {segments} segments of {} samples (overlap {}, step {}{padded}){rows}",
            w.nperseg,
            w.noverlap,
            w.nperseg - w.noverlap
        ),
        walk: format!(
            "segments in order, each read from the view once ({again:.2} reads per \
             sample with the overlap), detrended, windowed and transformed (rustfft, \
             float64), |X|^2 summed per bin"
        ),
        block: w.nperseg,
        lanes: super::Fused::new(x).describe(false),
        chunks,
        threads: workers,
        reads,
        held: (workers * w.nfft * 16 * 2) as u64 + held,
        numpy: vec![
            (
                "SciPy's segments, detrended and windowed (a copy)".into(),
                (segments * w.nperseg) as u64 * itemsize,
            ),
            (
                "their transforms, all at once (a lower bound: SciPy also converts)".into(),
                (segments * w.bins()) as u64 * 2 * itemsize.max(4),
            ),
            ("the result".into(), scipy_result),
        ],
    }
}

/// Every node of `x`, each once, children first.
fn collect(x: &Lazy, out: &mut Vec<Lazy>) {
    match &*x.node {
        Node::Leaf(_) | Node::Const(_) | Node::Array(_) => {}
        Node::Unary(_, a) | Node::Cast(a) => collect(a, out),
        // What the evaluators compute: the expression gathered at its leaves.
        Node::Gather {
            leaves: Some(l), ..
        } => collect(l, out),
        Node::Gather { src, .. } | Node::Index { src, .. } | Node::Transform { src, .. } => {
            collect(src, out)
        }
        Node::Binary(_, a, b) | Node::Pair(a, b) => {
            collect(a, out);
            collect(b, out);
        }
        Node::Masked { src, mask, .. } => {
            collect(src, out);
            collect(mask, out);
        }
        Node::Where(a, b, c) | Node::Clip(a, b, c) => {
            collect(a, out);
            collect(b, out);
            collect(c, out);
        }
    }
    out.push(x.clone());
}

/// The arrays NumPy allocates evaluating `x` one operation at a time: each
/// operation's full result (views of the file cost nothing).
fn numpy_temporaries(x: &Lazy, out: &mut Vec<(String, u64)>) {
    let bytes = (x.size() * x.dtype.size) as u64;
    let what = match &*x.node {
        Node::Leaf(_) | Node::Const(_) | Node::Array(_) | Node::Index { .. } => None,
        Node::Unary(Func::Db, _) => Some("np.abs, then np.log10, then * 20 (three arrays)".into()),
        Node::Unary(f, _) => Some(format!("np.{}", func_name(*f))),
        Node::Binary(op, _, _) => Some(format!("the operator {op}")),
        Node::Cast(_) => Some("astype".into()),
        Node::Where(..) => Some("np.where".into()),
        Node::Clip(..) => Some("np.clip".into()),
        Node::Pair(..) => Some("the complex array".into()),
        Node::Gather { .. } => Some("the copy made by advanced indexing".into()),
        Node::Masked { .. } => Some("the copy made by the boolean mask".into()),
        Node::Transform { t, .. } => Some(format!("np.fft.{}", t.which.name())),
    };
    match &*x.node {
        Node::Unary(_, a) | Node::Cast(a) => numpy_temporaries(a, out),
        Node::Gather { src, .. } | Node::Index { src, .. } | Node::Transform { src, .. } => {
            numpy_temporaries(src, out)
        }
        Node::Binary(_, a, b) | Node::Pair(a, b) => {
            numpy_temporaries(a, out);
            numpy_temporaries(b, out);
        }
        Node::Masked { src, mask, .. } => {
            numpy_temporaries(src, out);
            numpy_temporaries(mask, out);
        }
        Node::Where(a, b, c) | Node::Clip(a, b, c) => {
            numpy_temporaries(a, out);
            numpy_temporaries(b, out);
            numpy_temporaries(c, out);
        }
        _ => {}
    }
    if let Some(what) = what {
        // db allocates the magnitude, its log and the product.
        let times = if matches!(&*x.node, Node::Unary(Func::Db, _)) {
            3
        } else {
            1
        };
        out.push((what, bytes * times));
    }
}

/// NumPy's ufunc for `f` (`db` allocates for its `log10`).
fn func_name(f: Func) -> &'static str {
    match f {
        Func::Neg => "negative",
        Func::Pos => "positive",
        Func::Not => "invert",
        Func::Db => "log10",
        other => other.name(),
    }
}
