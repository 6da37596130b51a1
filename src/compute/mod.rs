//! Computation over views: lazy elementwise expressions ([`Lazy`]) that
//! are evaluated block by block (a run of up to [`BLOCK`] elements along
//! the last axis at a time), and reductions over them in one pass
//! ([`reduce`]). Nothing here allocates memory proportional to the input:
//! `mean(abs(d.r[50:] - 3))` streams through the mapping once.
//!
//! Every computation runs through one block evaluator, [`Fused`]: nodes of
//! float32, complex64 and booleans in float32 lanes, the rest on the
//! general path here ([`Lazy::block`]), which computes in f64 (complex as
//! two f64 blocks, `elementwise`) and rounds to the node's NumPy dtype
//! after every operation (`codec`), so elementwise results equal NumPy's
//! float32/int8/... arithmetic, wrap-around included.

pub mod axes;
pub mod bins;
mod cmath;
mod codec;
mod elements;
mod elementwise;
mod fourstep;
mod fused;
pub mod gather;
mod ints;
mod kernels;
pub mod order;
pub mod plan;
pub mod promote;
pub mod reduce;
pub mod sorting;
pub mod spectral;

pub use codec::{
    cast, cast_slice, decode_num, decode_wide, encode_block_into, encode_int, encode_num,
    encode_num_into, f16_from, num_elem, wide, wrap_int,
};
use codec::{int_to_float, leaf_run};
pub use elements::Elements;
use elementwise::{binary_block, exact_binary, exact_unary, ln_f32, single, unary_block};
pub(crate) use elementwise::{floor_div, int_floor_div, int_mod, magnitude32, py_mod};
pub use fused::{Fused, Values};

use crate::dtype::{ByteOrder, Kind, Scalar};
use crate::ops::BinOp;
use crate::view::View;
use ndarray::{ArrayD, Axis, Slice};
use std::sync::Arc;

/// Elements evaluated together along the last axis.
pub const BLOCK: usize = 4096;

/// A scalar value inside a computation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num {
    pub re: f64,
    pub im: f64,
}

impl Num {
    pub fn real(re: f64) -> Num {
        Num { re, im: 0.0 }
    }
}

/// Elementwise functions of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Neg,
    Pos,
    Not,
    Abs,
    Angle,
    Sqrt,
    Exp,
    Log,
    Log10,
    /// `20 * log10(|x|)`
    Db,
    Conj,
    Real,
    Imag,
    IsNan,
    IsFinite,
    /// NumPy's `round(x, decimals)`: half to even, in x's dtype.
    Round(i32),
    /// `np.reciprocal` of complex values (`x ** -1` by a Python int): NumPy's
    /// formula, not `1 / x`'s division.
    Reciprocal,
}

impl Func {
    /// The function's name, NumPy's (`negative`, `positive` and `invert`
    /// for `-x`, `+x` and `~x`).
    pub fn name(self) -> &'static str {
        match self {
            Func::Neg => "negative",
            Func::Pos => "positive",
            Func::Not => "invert",
            Func::Abs => "abs",
            Func::Angle => "angle",
            Func::Sqrt => "sqrt",
            Func::Exp => "exp",
            Func::Log => "log",
            Func::Log10 => "log10",
            Func::Db => "db",
            Func::Conj => "conj",
            Func::Real => "real",
            Func::Imag => "imag",
            Func::IsNan => "isnan",
            Func::IsFinite => "isfinite",
            Func::Round(_) => "round",
            Func::Reciprocal => "reciprocal",
        }
    }
}

/// A computed array (the result of a reduction along axes), held in memory.
#[derive(Debug)]
pub struct Computed {
    pub dtype: Scalar,
    pub re: ArrayD<f64>,
    pub im: Option<ArrayD<f64>>,
    /// The exact values of a 64-bit integer dtype (as [`Block::ints`]).
    pub ints: Option<ArrayD<i128>>,
}

/// A node of an elementwise expression.
#[derive(Debug)]
pub enum Node {
    /// A view of a file (a scalar dtype).
    Leaf(View),
    /// A number broadcast everywhere.
    Const(Num),
    /// An array computed earlier (e.g. `d.mean(axis=0)`).
    Array(Arc<Computed>),
    Unary(Func, Lazy),
    Binary(BinOp, Lazy, Lazy),
    /// `where(cond, a, b)`
    Where(Lazy, Lazy, Lazy),
    /// `clip(x, lo, hi)`
    Clip(Lazy, Lazy, Lazy),
    /// A complex number from real and imaginary parts of the same shape:
    /// how complex-integer records (`ci16`: fields `r`, `i`) compute.
    Pair(Lazy, Lazy),
    /// Advanced indexing with integer arrays: element `i` of the result is
    /// element `plan.source(i)` (C-order flat) of `src`.
    Gather {
        src: Lazy,
        plan: Arc<gather::Gather>,
        /// For `src` an elementwise expression, the same values computed
        /// from its leaves gathered ([`gather::gathered`]): what the
        /// evaluators compute, reading only the picked elements. `src`
        /// stays the array NumPy computes before it copies.
        leaves: Option<Lazy>,
    },
    /// `src[mask]` with a boolean mask of src's shape: the selected
    /// elements in C order, streamed (see `gather::masked_stream`).
    Masked {
        src: Lazy,
        mask: Lazy,
        index: Arc<gather::MaskIndex>,
    },
    /// `x.astype(dtype)`: the values cast to the node's dtype (complex to
    /// real drops the imaginary part, as NumPy does).
    Cast(Lazy),
    /// One of NumPy's one-axis transforms along the last axis of `src`,
    /// streamed row by row (`fft(d, axis=-1)` of a big view).
    Transform {
        src: Lazy,
        t: Arc<spectral::RowTransform>,
    },
    /// Basic indexing of a computed array: element `i` of the result is
    /// element `offset + Σ i·strides` (C-order position) of `src`.
    Index {
        src: Lazy,
        strides: Vec<isize>,
        offset: i128,
    },
}

/// A lazy elementwise array: an expression tree, its broadcast shape and
/// its NumPy dtype. Cloning is cheap.
#[derive(Clone, Debug)]
pub struct Lazy {
    pub node: Arc<Node>,
    pub shape: Vec<usize>,
    pub dtype: Scalar,
}

/// A run of computed values (`im` only for complex dtypes). Values of a
/// 64-bit integer dtype are also held exactly in `ints` (`re` holds them
/// rounded to f64, for what reads floats): int64 and uint64 values past
/// 2^53 are not all floats. See [`wide`].
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub re: Vec<f64>,
    pub im: Option<Vec<f64>>,
    pub ints: Option<Vec<i128>>,
}

impl Block {
    fn splat(n: Num, len: usize, complex: bool) -> Block {
        Block {
            re: vec![n.re; len],
            im: complex.then(|| vec![n.im; len]),
            ints: None,
        }
    }
    /// Element `k` as an exact integer: from `ints` where the block holds
    /// them, else from `re` (exact for every integer dtype narrower than
    /// 64 bits).
    pub fn int_at(&self, k: usize) -> i128 {
        match &self.ints {
            Some(v) => v[k],
            None => self.re[k] as i128,
        }
    }
    /// A block of one element, that element `len` times.
    fn repeated(self, len: usize) -> Block {
        Block {
            re: vec![self.re[0]; len],
            im: self.im.map(|v| vec![v[0]; len]),
            ints: self.ints.map(|v| vec![v[0]; len]),
        }
    }
    pub fn len(&self) -> usize {
        self.re.len()
    }
    pub fn is_empty(&self) -> bool {
        self.re.is_empty()
    }
    pub fn im_at(&self, k: usize) -> f64 {
        self.im.as_ref().map_or(0.0, |v| v[k])
    }
}

/// Broadcasts two shapes as NumPy does, or says which axes clash.
pub fn broadcast(a: &[usize], b: &[usize]) -> Result<Vec<usize>, String> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for k in 0..n {
        let x = if k + a.len() >= n {
            a[k + a.len() - n]
        } else {
            1
        };
        let y = if k + b.len() >= n {
            b[k + b.len() - n]
        } else {
            1
        };
        out[k] = if x == y || y == 1 {
            x
        } else if x == 1 {
            y
        } else {
            return Err(format!(
                "operands could not be broadcast together with shapes {} {}",
                crate::text::shape_repr(a),
                crate::text::shape_repr(b)
            ));
        };
    }
    Ok(out)
}

impl Lazy {
    /// A leaf over a view of a scalar dtype.
    pub fn leaf(v: View) -> Option<Lazy> {
        let dtype = v.dtype.as_scalar()?;
        let shape = v.shape.clone();
        Some(Lazy {
            node: Arc::new(Node::Leaf(v)),
            shape,
            dtype,
        })
    }

    pub fn constant(n: Num, dtype: Scalar) -> Lazy {
        Lazy::new(Node::Const(n), vec![], dtype)
    }

    /// An integer constant of `dtype`, exactly (a Python int or a NumPy
    /// scalar past 2^53 in int64 or uint64 arithmetic).
    pub fn int_constant(i: i128, dtype: Scalar) -> Lazy {
        if !wide(dtype) {
            return Lazy::constant(Num::real(i as f64), dtype);
        }
        Lazy::array(Computed {
            dtype,
            re: ndarray::arr0(i as f64).into_dyn(),
            im: None,
            ints: Some(ndarray::arr0(i).into_dyn()),
        })
    }

    pub fn array(c: Computed) -> Lazy {
        let shape = c.re.shape().to_vec();
        let dtype = c.dtype;
        Lazy {
            node: Arc::new(Node::Array(Arc::new(c))),
            shape,
            dtype,
        }
    }

    /// A computed node; its values are in native byte order, whatever the
    /// order of the file they come from (as NumPy's results are).
    pub fn new(node: Node, shape: Vec<usize>, dtype: Scalar) -> Lazy {
        let dtype = Scalar::new(dtype.kind, dtype.size, ByteOrder::NATIVE);
        Lazy {
            node: Arc::new(node),
            shape,
            dtype,
        }
    }

    /// Every file this array reads (its leaves' sources), each once.
    pub fn sources(&self, out: &mut Vec<Arc<crate::source::Source>>) {
        let mut push = |s: &Arc<crate::source::Source>| {
            if !out.iter().any(|o| Arc::ptr_eq(o, s)) {
                out.push(s.clone());
            }
        };
        match &*self.node {
            Node::Leaf(v) => push(&v.source),
            Node::Const(_) | Node::Array(_) => {}
            Node::Unary(_, a) | Node::Cast(a) => a.sources(out),
            Node::Gather { src, .. } | Node::Index { src, .. } | Node::Transform { src, .. } => {
                src.sources(out)
            }
            Node::Binary(_, a, b) | Node::Pair(a, b) => {
                a.sources(out);
                b.sources(out);
            }
            Node::Masked { src, mask, .. } => {
                src.sources(out);
                mask.sources(out);
            }
            Node::Where(a, b, c) | Node::Clip(a, b, c) => {
                a.sources(out);
                b.sources(out);
                c.sources(out);
            }
        }
    }

    /// How many elements computing all of this array reads: its size, or
    /// the size of a boolean mask it selects through (`x[mask]` with few
    /// selected elements still reads the whole mask).
    pub fn scanned(&self) -> usize {
        let inner = match &*self.node {
            Node::Leaf(_) | Node::Const(_) | Node::Array(_) => 0,
            Node::Unary(_, a) | Node::Cast(a) => a.scanned(),
            Node::Gather { src, .. } | Node::Index { src, .. } | Node::Transform { src, .. } => {
                src.scanned()
            }
            Node::Binary(_, a, b) | Node::Pair(a, b) => a.scanned().max(b.scanned()),
            Node::Masked { mask, .. } => mask.size(),
            Node::Where(a, b, c) | Node::Clip(a, b, c) => {
                a.scanned().max(b.scanned()).max(c.scanned())
            }
        };
        inner.max(self.size())
    }

    /// What kind of copy NumPy would make for this array, when it is one
    /// made by indexing (not an arithmetic result).
    pub fn copy_kind(&self) -> Option<&'static str> {
        match &*self.node {
            Node::Gather { .. } => Some("advanced indexing"),
            Node::Masked { .. } => Some("boolean mask"),
            _ => None,
        }
    }

    /// A node whose values keep `dtype` as it is, byte order included (a
    /// copy by advanced indexing keeps the source's dtype, as in NumPy).
    pub fn new_keep_order(node: Node, shape: Vec<usize>, dtype: Scalar) -> Lazy {
        Lazy {
            node: Arc::new(node),
            shape,
            dtype,
        }
    }

    /// Element `i` of the result is element `offset + Σ i·strides`
    /// (C-order position) of `src`: basic indexing, a transpose or a
    /// reshape of a computed array. Of an array held in memory (an `axis=`
    /// result) the picked values are held instead, no more of them than
    /// `src` has, so the lanes read them as they read any held array (not
    /// through the general path's index, element by element, once per
    /// row of what it broadcasts into: `x - mean(x, axis=1)[:, None]`).
    pub fn indexed(src: Lazy, strides: Vec<isize>, offset: i128, shape: Vec<usize>) -> Lazy {
        let dtype = src.dtype;
        if let Node::Array(c) = &*src.node {
            let pick = |a: &ArrayD<f64>| picked(a, &shape, &strides, offset);
            return Lazy::array(Computed {
                dtype: c.dtype,
                re: pick(&c.re),
                im: c.im.as_ref().map(pick),
                ints: c.ints.as_ref().map(|a| picked(a, &shape, &strides, offset)),
            });
        }
        Lazy::new_keep_order(
            Node::Index {
                src,
                strides,
                offset,
            },
            shape,
            dtype,
        )
    }

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_complex(&self) -> bool {
        self.dtype.kind == Kind::Complex
    }

    /// `self[items]`: NumPy's basic indexing of a computed array: the
    /// expression over its operands indexed alike where it can be
    /// ([`Lazy::indexed_operands`]), else an index into its values.
    pub fn index(&self, items: &[crate::view::Index]) -> Result<Lazy, crate::diag::Error> {
        let n = self.ndim();
        let mut c_strides = vec![1isize; n];
        for k in (0..n.saturating_sub(1)).rev() {
            c_strides[k] = c_strides[k + 1] * self.shape[k + 1].max(1) as isize;
        }
        let (shape, strides, offset) =
            crate::view::index_geometry(&self.shape, &c_strides, 0, items)?;
        if let Some(l) = self.indexed_operands(items, &shape) {
            return Ok(l);
        }
        Ok(Lazy::indexed(self.clone(), strides, offset, shape))
    }

    /// `self[items]` (of shape `shape`) as the same expression over its
    /// operands indexed alike, down to views of the files: an elementwise
    /// node's element is its operands' elements at the same place, and a
    /// 0-d operand is every element's. So an index of an expression
    /// (`abs(d)[:, 1:]`, `diff` of one) computes in the lanes over the
    /// views and walks their bytes in order. `None` where a node cannot be
    /// indexed so: a computed array, a gather, an operand of another shape.
    fn indexed_operands(&self, items: &[crate::view::Index], shape: &[usize]) -> Option<Lazy> {
        let same = |x: &Lazy| -> Option<Lazy> {
            match x.ndim() {
                0 => Some(x.clone()),
                _ if x.shape == self.shape => x.indexed_operands(items, shape),
                _ => None,
            }
        };
        let node = match &*self.node {
            Node::Leaf(v) => Node::Leaf(v.index(items).ok()?),
            Node::Unary(f, a) => Node::Unary(*f, same(a)?),
            Node::Binary(op, a, b) => Node::Binary(*op, same(a)?, same(b)?),
            Node::Where(a, b, c) => Node::Where(same(a)?, same(b)?, same(c)?),
            Node::Clip(a, b, c) => Node::Clip(same(a)?, same(b)?, same(c)?),
            Node::Pair(a, b) => Node::Pair(same(a)?, same(b)?),
            Node::Cast(a) => Node::Cast(same(a)?),
            Node::Const(_)
            | Node::Array(_)
            | Node::Index { .. }
            | Node::Gather { .. }
            | Node::Masked { .. }
            | Node::Transform { .. } => return None,
        };
        Some(Lazy {
            node: Arc::new(node),
            shape: shape.to_vec(),
            dtype: self.dtype,
        })
    }

    /// `.T`: the axes reversed (the expression over its operands' `.T`
    /// where it can be, as [`Lazy::permuted`] makes it).
    pub fn transpose(&self) -> Lazy {
        let n = self.ndim();
        let reversed: Vec<usize> = (0..n).rev().collect();
        if let Some(t) = self.permuted(&reversed) {
            return t;
        }
        let mut c_strides = vec![1isize; n];
        for k in (0..n.saturating_sub(1)).rev() {
            c_strides[k] = c_strides[k + 1] * self.shape[k + 1].max(1) as isize;
        }
        c_strides.reverse();
        let shape: Vec<usize> = self.shape.iter().rev().copied().collect();
        Lazy::indexed(self.clone(), c_strides, 0, shape)
    }

    /// The order of axes in which the file's bytes lie, outermost first,
    /// when it is not C order: the axes of the first view in the tree
    /// sorted by falling |stride|, and the array permuted so. A reduction
    /// over all elements walks that permuted array, each thread streaming
    /// through the mapping instead of jumping a stride per element (an
    /// F-order view, `d.T`). `None` when the array is already in C order or
    /// cannot be permuted (it holds a computed array, an index node or a
    /// broadcast operand).
    pub fn memory_order(&self) -> Option<(Vec<usize>, Lazy)> {
        fn first_leaf(x: &Lazy) -> Option<&View> {
            match &*x.node {
                Node::Leaf(v) => Some(v),
                Node::Unary(_, a) => first_leaf(a),
                Node::Binary(_, a, b) => first_leaf(a).or_else(|| first_leaf(b)),
                Node::Pair(a, b) => first_leaf(a).or_else(|| first_leaf(b)),
                Node::Gather { .. } | Node::Masked { .. } | Node::Transform { .. } => None,
                Node::Cast(a) => first_leaf(a),
                Node::Where(a, b, c) | Node::Clip(a, b, c) => first_leaf(a)
                    .or_else(|| first_leaf(b))
                    .or_else(|| first_leaf(c)),
                Node::Const(_) | Node::Array(_) | Node::Index { .. } => None,
            }
        }
        let v = first_leaf(self)?;
        if v.ndim() != self.ndim() || self.ndim() < 2 {
            return None;
        }
        let mut perm: Vec<usize> = (0..self.ndim()).collect();
        // Axes of length 1 have no say in where the bytes are.
        let key = |k: usize| {
            if v.shape[k] > 1 {
                v.strides[k].unsigned_abs()
            } else {
                0
            }
        };
        perm.sort_by_key(|&k| std::cmp::Reverse(key(k)));
        let identity = perm.iter().enumerate().all(|(i, &k)| i == k);
        if identity {
            return None;
        }
        let permuted = self.permuted(&perm)?;
        Some((perm, permuted))
    }

    /// The same array with its axes reordered (`result.shape[i] ==
    /// self.shape[perm[i]]`), by permuting the views at the leaves; `None`
    /// when a node cannot be permuted so.
    pub fn permuted(&self, perm: &[usize]) -> Option<Lazy> {
        let n = self.ndim();
        let same = |x: &Lazy| -> Option<Lazy> {
            match x.ndim() {
                0 => Some(x.clone()),
                k if k == n && x.shape == self.shape => x.permuted(perm),
                _ => None,
            }
        };
        let node = match &*self.node {
            Node::Leaf(v) => {
                let mut v = v.clone();
                v.shape = perm.iter().map(|&k| self.shape[k]).collect();
                v.strides = perm.iter().map(|&k| v.strides[k]).collect();
                Node::Leaf(v)
            }
            Node::Const(c) => Node::Const(*c),
            Node::Unary(f, a) => Node::Unary(*f, same(a)?),
            Node::Binary(op, a, b) => Node::Binary(*op, same(a)?, same(b)?),
            Node::Where(a, b, c) => Node::Where(same(a)?, same(b)?, same(c)?),
            Node::Clip(a, b, c) => Node::Clip(same(a)?, same(b)?, same(c)?),
            Node::Pair(a, b) => Node::Pair(same(a)?, same(b)?),
            Node::Gather { .. } | Node::Masked { .. } | Node::Transform { .. } => return None,
            Node::Cast(a) => Node::Cast(same(a)?),
            Node::Array(_) | Node::Index { .. } => return None,
        };
        Some(Lazy {
            node: Arc::new(node),
            shape: perm.iter().map(|&k| self.shape[k]).collect(),
            dtype: self.dtype,
        })
    }

    /// The full index of C-order position `flat`.
    fn unravel(&self, mut flat: usize) -> Vec<usize> {
        let mut idx = vec![0; self.ndim()];
        for k in (0..self.ndim()).rev() {
            let n = self.shape[k].max(1);
            idx[k] = flat % n;
            flat /= n;
        }
        idx
    }

    /// One element, at a full index, and the same element as an exact
    /// integer (meaningful for integer dtypes: see [`Block::int_at`]).
    pub fn exact_at(&self, idx: &[usize]) -> (Num, i128) {
        let (outer, start) = match idx.split_last() {
            Some((last, outer)) => (outer, *last),
            None => (idx, 0),
        };
        let b = self.block(outer, start, 1);
        let n = Num {
            re: b.re[0],
            im: b.im_at(0),
        };
        (n, b.int_at(0))
    }

    /// One element, at a full index.
    pub fn at(&self, idx: &[usize]) -> Num {
        self.exact_at(idx).0
    }

    /// As [`Lazy::block`], into `out`: a bare leaf of one file reuses
    /// `out`'s buffers (no allocation per block).
    pub fn block_into(&self, outer: &[usize], start: usize, len: usize, out: &mut Block) {
        if let Node::Leaf(v) = &*self.node {
            if leaf_block_into(v, self.dtype, outer, start, len, out) {
                return;
            }
        }
        *out = self.block(outer, start, len);
    }

    /// Elements `outer ++ [start .. start + len]` (for 0-d: the one element,
    /// `len` must be 1).
    pub fn block(&self, outer: &[usize], start: usize, len: usize) -> Block {
        let complex = self.is_complex();
        let mut b = match &*self.node {
            Node::Const(n) => {
                let mut b = Block::splat(*n, len, complex);
                if wide(self.dtype) {
                    b.ints = Some(vec![n.re as i128; len]);
                }
                return b;
            }
            Node::Leaf(v) => return leaf_block(v, self.dtype, outer, start, len),
            Node::Gather {
                leaves: Some(l), ..
            } => return l.block(outer, start, len),
            Node::Array(c) => {
                // The row `outer` of the held array as an ndarray view (one
                // axis fixed at a time), its run along the last axis copied.
                fn run<T: Copy>(
                    a: &ArrayD<T>,
                    outer: &[usize],
                    start: usize,
                    len: usize,
                ) -> Vec<T> {
                    if a.ndim() == 0 {
                        return a.iter().copied().cycle().take(len).collect();
                    }
                    let mut row = a.view();
                    for &i in outer {
                        row.index_axis_inplace(Axis(0), i);
                    }
                    row.slice_axis(Axis(0), Slice::from(start..start + len))
                        .iter()
                        .copied()
                        .collect()
                }
                let ints = c.ints.as_ref().map(|a| run(a, outer, start, len));
                return Block {
                    re: run(&c.re, outer, start, len),
                    im: complex.then(|| {
                        c.im.as_ref()
                            .map_or_else(|| vec![0.0; len], |a| run(a, outer, start, len))
                    }),
                    ints,
                };
            }
            Node::Unary(Func::Abs, x)
                if self.ndim() == x.ndim() && abs_c8_block(x, outer, start, 0).is_some() =>
            {
                // Values are exact float32 already: no rounding pass needed.
                return abs_c8_block(x, outer, start, len).expect("checked just above");
            }
            // db of complex64 data: the vectorised magnitude, then log.
            Node::Unary(Func::Db, x)
                if self.ndim() == x.ndim()
                    && single(self.dtype)
                    && abs_c8_block(x, outer, start, 0).is_some() =>
            {
                let mut b = abs_c8_block(x, outer, start, len).expect("checked just above");
                ln_f32(&mut b.re, Func::Db);
                b
            }
            // 64-bit integers exactly (the f64 path below rounds past 2^53).
            Node::Unary(f, x) if wide(self.dtype) && is_int(x.dtype) => {
                exact_unary(*f, &self.child(x, outer, start, len))
            }
            // 32-bit products too: past 2^53 float64 drops their low bits,
            // which are what wraps into the dtype.
            Node::Binary(op, x, y)
                if is_int(x.dtype)
                    && is_int(y.dtype)
                    && (wide(self.dtype)
                        || *op == BinOp::Pow
                        || (*op == BinOp::Mul && self.dtype.size >= 4)
                        || (op.is_comparison() && (wide(x.dtype) || wide(y.dtype)))) =>
            {
                exact_binary(
                    *op,
                    &self.child(x, outer, start, len),
                    &self.child(y, outer, start, len),
                )
            }
            Node::Unary(f, x) => {
                unary_block(*f, &self.child(x, outer, start, len), x.dtype, self.dtype)
            }
            // NumPy's power by one number: its loop's fast cases.
            Node::Binary(BinOp::Pow, x, y)
                if self.dtype.kind == Kind::Float
                    && y.ndim() == 0
                    && elementwise::ScalarPower::of(y.at(&[]).re).is_some() =>
            {
                let p = elementwise::ScalarPower::of(y.at(&[]).re).expect("checked just above");
                let mut b = self.child(x, outer, start, len);
                b.re.iter_mut().for_each(|v| *v = p.apply(*v));
                b.ints = None;
                b
            }
            Node::Binary(op, x, y) => binary_block(
                *op,
                &self.child(x, outer, start, len),
                &self.child(y, outer, start, len),
                x.dtype,
                self.dtype,
            ),
            Node::Index {
                src,
                strides,
                offset,
            } => return index_block(src, strides, *offset, outer, start, len),
            Node::Where(c, x, y) => {
                let (c, x, y) = (
                    self.child(c, outer, start, len),
                    self.child(x, outer, start, len),
                    self.child(y, outer, start, len),
                );
                let pick = |k: usize| c.re[k] != 0.0 || c.im_at(k) != 0.0;
                let ints = wide(self.dtype).then(|| {
                    (0..len)
                        .map(|k| if pick(k) { x.int_at(k) } else { y.int_at(k) })
                        .collect()
                });
                Block {
                    ints,
                    re: (0..len)
                        .map(|k| if pick(k) { x.re[k] } else { y.re[k] })
                        .collect(),
                    im: complex.then(|| {
                        (0..len)
                            .map(|k| if pick(k) { x.im_at(k) } else { y.im_at(k) })
                            .collect()
                    }),
                }
            }
            // A gather of a file's view: the elements' bytes copied into a
            // run, decoded as a file's run is.
            Node::Gather { src, .. } if matches!(&*src.node, Node::Leaf(_)) => {
                let mut g = gather::Gathered::of(self).expect("a gather of a view");
                let d = g.dtype;
                return leaf_run(g.run(outer, start, len), 0, d.size as isize, len, src.dtype);
            }
            Node::Gather { src, plan, .. } => {
                let mut idx = outer.to_vec();
                idx.push(0);
                let mut flats = Vec::with_capacity(len);
                plan.source_run(&mut idx, start, len, &mut flats);
                let mut out = Block {
                    re: Vec::with_capacity(len),
                    im: complex.then(|| Vec::with_capacity(len)),
                    ints: wide(self.dtype).then(|| Vec::with_capacity(len)),
                };
                // Consecutive source elements along a row of the source
                // (`d[:, i]` with sorted columns, `d[i]` of whole rows) are
                // read as one run, by the source's own block; a lone one
                // element by element.
                let src_last = src.shape.last().copied().unwrap_or(1);
                for (k, run) in gather::consecutive_runs(&flats, src_last) {
                    let at = src.unravel(flats[k]);
                    if run > 1 {
                        let (row, col) = at.split_at(at.len() - 1);
                        let b = src.block(row, col[0], run);
                        out.re.extend_from_slice(&b.re);
                        if let Some(im) = out.im.as_mut() {
                            im.extend((0..run).map(|j| b.im_at(j)));
                        }
                        if let Some(ints) = out.ints.as_mut() {
                            ints.extend((0..run).map(|j| b.int_at(j)));
                        }
                    } else {
                        let (v, i) = src.exact_at(&at);
                        out.re.push(v.re);
                        if let Some(im) = out.im.as_mut() {
                            im.push(v.im);
                        }
                        if let Some(ints) = out.ints.as_mut() {
                            ints.push(i);
                        }
                    }
                }
                return out;
            }
            Node::Masked { src, mask, index } => {
                let mut out = Block {
                    re: Vec::with_capacity(len),
                    im: complex.then(|| Vec::with_capacity(len)),
                    ints: wide(self.dtype).then(|| Vec::with_capacity(len)),
                };
                let _ = gather::masked_stream(src, mask, index, start, start + len, |b, _| {
                    out.re.extend_from_slice(&b.re);
                    if let (Some(o), Some(i)) = (out.im.as_mut(), b.im.as_ref()) {
                        o.extend_from_slice(i);
                    }
                    if let (Some(o), Some(i)) = (out.ints.as_mut(), b.ints.as_ref()) {
                        o.extend_from_slice(i);
                    }
                });
                // Cancelled part-way: the rest reads as NaN (the statement fails anyway).
                out.re.resize(len, f64::NAN);
                if let Some(im) = out.im.as_mut() {
                    im.resize(len, f64::NAN);
                }
                return out;
            }
            // Integers cast to 64 bits, as exact integers: a negative one
            // wraps into uint64 exactly (2^64 - 7 is not a float64).
            Node::Cast(x)
                if wide(self.dtype) && (is_int(x.dtype) || x.dtype.kind == Kind::Bool) =>
            {
                let mut b = x.block(outer, start, len);
                if b.ints.is_none() {
                    b.ints = Some(b.re.iter().map(|&v| v as i128).collect());
                }
                b
            }
            // Floats to integers and booleans, as NumPy converts them
            // (a complex value is true where either part is not zero).
            Node::Cast(x)
                if matches!(x.dtype.kind, Kind::Float | Kind::Complex)
                    && matches!(self.dtype.kind, Kind::Int | Kind::UInt | Kind::Bool) =>
            {
                let mut b = x.block(outer, start, len);
                let ints = (0..len)
                    .map(|k| match self.dtype.kind {
                        Kind::Bool => i128::from(b.re[k] != 0.0 || b.im_at(k) != 0.0),
                        _ => codec::float_to_int(b.re[k], self.dtype),
                    })
                    .collect();
                b.ints = Some(ints);
                b
            }
            Node::Cast(x) => x.block(outer, start, len),
            Node::Transform { src, t } => {
                let row = t.row_of(src, outer);
                let part = start..start + len;
                Block {
                    re: row.re[part.clone()].to_vec(),
                    im: row.im.as_ref().map(|v| v[part].to_vec()),
                    ints: None,
                }
            }
            Node::Pair(r, i) => {
                let (r, i) = (
                    self.child(r, outer, start, len),
                    self.child(i, outer, start, len),
                );
                Block {
                    re: r.re,
                    im: Some(i.re),
                    ints: None,
                }
            }
            Node::Clip(x, lo, hi) => {
                let (x, lo, hi) = (
                    self.child(x, outer, start, len),
                    self.child(lo, outer, start, len),
                    self.child(hi, outer, start, len),
                );
                match (&x.im, &lo.im, &hi.im) {
                    (Some(xi), Some(li), Some(hi_im)) => {
                        // Complex: NumPy's lexicographic order (real part,
                        // then imaginary), minimum(maximum(x, lo), hi); an
                        // operand with a NaN part wins as it is.
                        let nan = |(r, i): (f64, f64)| r.is_nan() || i.is_nan();
                        let larger = |a: (f64, f64), b: (f64, f64), want_max: bool| {
                            if nan(a) {
                                a
                            } else if nan(b) {
                                b
                            } else {
                                let a_above = a.0 > b.0 || (a.0 == b.0 && a.1 > b.1);
                                let b_above = b.0 > a.0 || (b.0 == a.0 && b.1 > a.1);
                                match (want_max, a_above, b_above) {
                                    (true, _, true) | (false, true, _) => b,
                                    _ => a,
                                }
                            }
                        };
                        let (mut re, mut im) = (Vec::with_capacity(len), Vec::with_capacity(len));
                        for k in 0..len {
                            let up = larger((x.re[k], xi[k]), (lo.re[k], li[k]), true);
                            let (r, i) = larger(up, (hi.re[k], hi_im[k]), false);
                            re.push(r);
                            im.push(i);
                        }
                        Block {
                            re,
                            im: Some(im),
                            ints: None,
                        }
                    }
                    _ => Block {
                        re: (0..len)
                            .map(|k| {
                                let v = x.re[k];
                                // NumPy: clip(x, lo, hi) = minimum(maximum(x, lo), hi), NaN propagating.
                                if v.is_nan() || lo.re[k].is_nan() || hi.re[k].is_nan() {
                                    f64::NAN
                                } else {
                                    v.max(lo.re[k]).min(hi.re[k])
                                }
                            })
                            .collect(),
                        im: None,
                        // NumPy's clip of integers compares them exactly.
                        ints: wide(self.dtype).then(|| {
                            (0..len)
                                .map(|k| x.int_at(k).max(lo.int_at(k)).min(hi.int_at(k)))
                                .collect()
                        }),
                    },
                }
            }
        };
        match b.ints.take() {
            // Exact integers: wrapped into an integer dtype, or rounded once
            // into a float one.
            Some(mut ints) => match self.dtype.kind {
                Kind::Int | Kind::UInt | Kind::Bool => {
                    for (v, r) in ints.iter_mut().zip(b.re.iter_mut()) {
                        *v = wrap_int(*v, self.dtype);
                        *r = *v as f64;
                    }
                    b.ints = wide(self.dtype).then_some(ints);
                }
                _ => {
                    for (v, r) in ints.iter().zip(b.re.iter_mut()) {
                        *r = int_to_float(*v, self.dtype);
                    }
                }
            },
            None => {
                cast_slice(&mut b.re, self.dtype);
                if wide(self.dtype) {
                    b.ints = Some(b.re.iter().map(|&v| v as i128).collect());
                }
            }
        }
        if let Some(im) = &mut b.im {
            cast_slice(im, self.dtype);
        }
        if complex && b.im.is_none() {
            b.im = Some(vec![0.0; len]);
        }
        if !complex {
            b.im = None;
        }
        b
    }

    /// A child's block, broadcast to this node's shape.
    fn child(&self, c: &Lazy, outer: &[usize], start: usize, len: usize) -> Block {
        let pn = self.ndim();
        let cn = c.ndim();
        // One element of the child, repeated along the run (broadcasting).
        let repeated = |outer: &[usize]| c.block(outer, 0, 1).repeated(len);
        if cn == 0 {
            return repeated(&[]);
        }
        debug_assert_eq!(outer.len() + 1, pn);
        let mut c_outer = vec![0; cn - 1];
        broadcast_outer(&c.shape, outer, &mut c_outer);
        if c.shape[cn - 1] == 1 && !(start == 0 && len == 1) {
            return repeated(&c_outer);
        }
        c.block(&c_outer, start, len)
    }
}

/// The index of a broadcast operand's leading axes (`shape` is its own)
/// for its parent's run at `outer`, into `into` (`shape.len() - 1` long):
/// NumPy's rule, axes aligned at the end and an axis of length 1 repeated.
/// The general path ([`Lazy::child`]) and the lanes' broadcast operands
/// map them alike.
pub(crate) fn broadcast_outer(shape: &[usize], outer: &[usize], into: &mut [usize]) {
    let off = outer.len() + 1 - shape.len();
    for (k, o) in into.iter_mut().enumerate() {
        *o = if shape[k] == 1 { 0 } else { outer[k + off] };
    }
}

/// The elements of `a` at C-order positions `offset + Σ i·strides`, for
/// every index `i` of `shape`, in C order (positions inside `a`, as basic
/// indexing makes them).
fn picked<T: Copy>(a: &ArrayD<T>, shape: &[usize], strides: &[isize], offset: i128) -> ArrayD<T> {
    // The values in C order: the array's own buffer when it lies so (as
    // computed arrays do), else a copy.
    let copy: Vec<T>;
    let flat: &[T] = match a.as_slice() {
        Some(s) => s,
        None => {
            copy = a.iter().copied().collect();
            &copy
        }
    };
    let n: usize = shape.iter().product();
    let mut out = Vec::with_capacity(n);
    let mut idx = vec![0usize; shape.len()];
    let mut at = offset;
    for _ in 0..n {
        out.push(flat[at as usize]);
        // The next index in C order, and its position.
        for k in (0..shape.len()).rev() {
            idx[k] += 1;
            at += strides[k] as i128;
            if idx[k] < shape[k] {
                break;
            }
            at -= idx[k] as i128 * strides[k] as i128;
            idx[k] = 0;
        }
    }
    ArrayD::from_shape_vec(ndarray::IxDyn(shape), out).expect("one value per element")
}

fn index_block(
    src: &Lazy,
    strides: &[isize],
    offset: i128,
    outer: &[usize],
    start: usize,
    len: usize,
) -> Block {
    let n = strides.len();
    let mut base = offset;
    for (k, &i) in outer.iter().enumerate() {
        base += i as i128 * strides[k] as i128;
    }
    let step = if n == 0 { 0 } else { strides[n - 1] as i128 };
    base += start as i128 * step;
    // A forward run within one row of the source: one block of the source.
    let src_last = src.shape.last().copied().unwrap_or(1);
    if step == 1 && src.ndim() > 0 && (base as usize % src_last) + len <= src_last {
        let idx = src.unravel(base as usize);
        return src.block(&idx[..idx.len() - 1], idx[idx.len() - 1], len);
    }
    let mut re = Vec::with_capacity(len);
    let mut im = src.is_complex().then(|| Vec::with_capacity(len));
    let mut ints = wide(src.dtype).then(|| Vec::with_capacity(len));
    for j in 0..len as i128 {
        let (v, i) = src.exact_at(&src.unravel((base + j * step) as usize));
        re.push(v.re);
        if let Some(im) = im.as_mut() {
            im.push(v.im);
        }
        if let Some(ints) = ints.as_mut() {
            ints.push(i);
        }
    }
    Block { re, im, ints }
}

/// [`leaf_block`] into `out`, reusing its buffers where the view is of
/// one file and its dtype decodes by its own loop; false otherwise.
fn leaf_block_into(
    v: &View,
    dtype: Scalar,
    outer: &[usize],
    start: usize,
    len: usize,
    out: &mut Block,
) -> bool {
    if v.ndim() == 0 || v.source.dataset().is_some() {
        return false;
    }
    let (base, stride) = run_start(v, outer, start);
    codec::leaf_run_into(v.source.bytes(), base, stride, len, dtype, out)
}

/// The byte offset of element `outer ++ [start]` of `v` (not 0-d), and
/// the step between elements along its last axis.
fn run_start(v: &View, outer: &[usize], start: usize) -> (usize, isize) {
    let mut idx = outer.to_vec();
    idx.push(start);
    (v.element_offset(&idx), v.strides[v.ndim() - 1])
}

fn leaf_block(v: &View, dtype: Scalar, outer: &[usize], start: usize, len: usize) -> Block {
    let complex = dtype.kind == Kind::Complex;
    if v.ndim() == 0 {
        return leaf_run(&v.element_bytes(&[]), 0, 0, 1, dtype).repeated(len);
    }
    let (base, stride) = run_start(v, outer, start);
    if v.source.dataset().is_none() {
        return leaf_run(v.source.bytes(), base, stride, len, dtype);
    }
    // A dataset: the run in the pieces that lie in one file each.
    let mut out = Block {
        re: Vec::with_capacity(len),
        im: complex.then(|| Vec::with_capacity(len)),
        ints: None,
    };
    v.source.runs(base, stride, len, dtype.size, |run| {
        let piece = match run {
            crate::source::Run::In {
                source,
                base,
                count,
            } => leaf_run(source.bytes(), base, stride, count, dtype),
            crate::source::Run::Across(b) => leaf_run(b, 0, 0, 1, dtype),
            crate::source::Run::Missing(count) => {
                leaf_run(&vec![0; dtype.size], 0, 0, 1, dtype).repeated(count)
            }
        };
        out.re.extend_from_slice(&piece.re);
        if let (Some(im), Some(pim)) = (out.im.as_mut(), piece.im.as_ref()) {
            im.extend_from_slice(pim);
        }
        if let Some(pints) = piece.ints.as_ref() {
            out.ints
                .get_or_insert_with(Vec::new)
                .extend_from_slice(pints);
        }
    });
    out
}

/// Integer dtypes (bool aside), whose values the exact path takes.
fn is_int(d: Scalar) -> bool {
    matches!(d.kind, Kind::Int | Kind::UInt)
}

/// `abs` of a little-endian complex64 view walked forward, fused with the
/// decoding: the hot path of `stats d` on radar data. `None` for anything
/// else (the general path gives the same values).
fn abs_c8_block(x: &Lazy, outer: &[usize], start: usize, len: usize) -> Option<Block> {
    let Node::Leaf(v) = &*x.node else { return None };
    let d = x.dtype;
    if d.kind != Kind::Complex
        || d.size != 8
        || d.order != ByteOrder::Little
        || v.ndim() == 0
        || v.source.dataset().is_some()
    {
        return None;
    }
    let stride = v.strides[v.ndim() - 1];
    if stride < 8 {
        return None;
    }
    if len == 0 {
        return Some(Block::default());
    }
    let mut idx = outer.to_vec();
    idx.push(start);
    let base = v.element_offset(&idx);
    let stride = stride as usize;
    let run = &v.source.bytes()[base..base + (len - 1) * stride + 8];
    let mut re = vec![0.0; len];
    kernels::abs_c8_le(run, stride, &mut re);
    Some(Block {
        re,
        im: None,
        ints: None,
    })
}

/// The next of a xorshift sequence: the unit tests' values, without a
/// crate.
#[cfg(test)]
pub(crate) fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// A float64 (or, with `im`, complex128) array of `shape` in memory.
#[cfg(test)]
pub(crate) fn computed(shape: &[usize], re: &[f64], im: Option<&[f64]>) -> Lazy {
    use crate::compute::Computed;
    use ndarray::ArrayD;
    let name = if im.is_some() { "<c16" } else { "<f8" };
    Lazy::array(Computed {
        dtype: crate::dtype::Dtype::parse_str(name)
            .unwrap()
            .as_scalar()
            .unwrap(),
        re: ArrayD::from_shape_vec(shape, re.to_vec()).unwrap(),
        im: im.map(|v| ArrayD::from_shape_vec(shape, v.to_vec()).unwrap()),
        ints: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast(&[3, 1], &[4]).unwrap(), vec![3, 4]);
        assert_eq!(broadcast(&[], &[2, 2]).unwrap(), vec![2, 2]);
        assert!(broadcast(&[3], &[4]).is_err());
    }

    #[test]
    fn casting_wraps_integers_and_rounds_floats() {
        let t = |s: &str| {
            crate::dtype::Dtype::parse_str(s)
                .unwrap()
                .as_scalar()
                .unwrap()
        };
        assert_eq!(cast(300.0, t("u1")), 44.0);
        assert_eq!(cast(-129.0, t("i1")), 127.0);
        assert_eq!(cast(0.1, t("<f4")), 0.1f32 as f64);
        assert_eq!(cast(2.0, t("|b1")), 1.0);
    }

    /// Python's float `//` and `%` (CPython's `float_divmod`) differ from
    /// `floor(a / b)` where the quotient rounds up to a whole number:
    /// `7.0 // 0.1` is 69.0 (0.1 is a little more than a tenth). The values
    /// themselves are checked against Python in `tests/cli.rs`; here, the
    /// rules that only the right answer meets: the remainder is `fmod`'s
    /// (exact) moved into the divisor's sign, and the quotient is whole and
    /// consistent with it.
    #[test]
    fn float_floor_division_and_modulo_follow_python() {
        for (a, b) in [
            (7.5, 2.0),
            (-7.5, 2.0),
            (7.5, -2.0),
            (-7.5, -2.0),
            (1.0, 0.1),
            (7.0, 0.1),
            (-7.0, 0.1),
            (1e300, 1e-300),
            (5.0, f64::INFINITY),
        ] {
            let (q, r) = (floor_div(a, b), py_mod(a, b));
            let m = a % b;
            let want_r = if m != 0.0 && (m < 0.0) != (b < 0.0) {
                m + b
            } else {
                m
            };
            if m != 0.0 {
                assert_eq!(r, want_r, "{a} % {b}");
            }
            assert!(r == 0.0 || (r < 0.0) == (b < 0.0), "{a} % {b} = {r}");
            if q.is_finite() {
                assert_eq!(q, q.floor(), "{a} // {b} = {q} is whole");
                // (a - r) / b is the quotient up to rounding: never more
                // than half a unit away.
                assert!(((a - r) / b - q).abs() <= 0.5, "{a} // {b} = {q}, r = {r}");
            }
        }
        assert_ne!(
            floor_div(7.0, 0.1),
            (7.0f64 / 0.1).floor(),
            "the naive formula differs here"
        );
    }
}
