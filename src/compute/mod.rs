//! Computation over views: lazy elementwise expressions ([`Lazy`]) that
//! are evaluated block by block (a run of up to [`BLOCK`] elements along
//! the last axis at a time), and reductions over them in one pass
//! ([`reduce`]). Nothing here allocates memory proportional to the input:
//! `mean(abs(d.r[50:] - 3))` streams through the mapping once.
//!
//! Values are computed in f64 (complex as two f64 blocks) and rounded to the
//! node's NumPy dtype after every operation, so elementwise results equal
//! NumPy's float32/int8/... arithmetic, wrap-around included.

mod elements;
mod fused;
pub mod gather;
mod kernels;
pub mod order;
pub mod plan;
pub mod promote;
pub mod reduce;
pub mod spectral;

pub use elements::Elements;
pub use fused::Fused;

use crate::dtype::{ByteOrder, Elem, Kind, Scalar};
use crate::ops::BinOp;
use crate::view::View;
use ndarray::ArrayD;
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

/// NumPy's `round`: `rint(x * 10^d) / 10^d` (or `rint(x / 10^-d) * 10^-d`),
/// each step rounded to `d`'s float type; integers are unchanged for
/// `decimals >= 0` and rounded to tens, hundreds, ... below.
fn round_decimals(v: f64, decimals: i32, d: Scalar) -> f64 {
    let r = |x: f64| if d.kind == Kind::Float { cast(x, d) } else { x };
    if d.kind != Kind::Float {
        if decimals >= 0 {
            return v;
        }
        let p = 10f64.powi(-decimals);
        return cast((v / p).round_ties_even() * p, d);
    }
    if decimals >= 0 {
        let p = r(10f64.powi(decimals));
        r(r(v * p).round_ties_even() / p)
    } else {
        let p = r(10f64.powi(-decimals));
        r(r(v / p).round_ties_even() * p)
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
}

/// A computed array (the result of a reduction along axes), held in memory.
#[derive(Debug)]
pub struct Computed {
    pub dtype: Scalar,
    pub re: ArrayD<f64>,
    pub im: Option<ArrayD<f64>>,
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

/// A run of computed values (`im` only for complex dtypes).
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub re: Vec<f64>,
    pub im: Option<Vec<f64>>,
}

impl Block {
    fn splat(n: Num, len: usize, complex: bool) -> Block {
        Block {
            re: vec![n.re; len],
            im: complex.then(|| vec![n.im; len]),
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

/// Rounds an f64 result to what a value of `dtype` holds (float32
/// rounding, integer wrap-around, bool as 0/1).
/// [`cast`] of every value, with the dtype matched once: one tight loop
/// per kind (nothing to do for float64), not a call per value.
pub fn cast_slice(xs: &mut [f64], dtype: Scalar) {
    match (dtype.kind, dtype.size) {
        (Kind::Float, 8) | (Kind::Complex, 16) => {}
        (Kind::Float, 4) | (Kind::Complex, 8) => {
            for v in xs {
                *v = *v as f32 as f64;
            }
        }
        (Kind::Bool, _) => {
            for v in xs {
                *v = f64::from(u8::from(*v != 0.0));
            }
        }
        _ => {
            for v in xs {
                *v = cast(*v, dtype);
            }
        }
    }
}

pub fn cast(x: f64, dtype: Scalar) -> f64 {
    match (dtype.kind, dtype.size) {
        (Kind::Float, 4) | (Kind::Complex, 8) => x as f32 as f64,
        (Kind::Float, 2) => half::f16::from_f64(x).to_f64(),
        (Kind::Float, _) | (Kind::Complex, _) => x,
        (Kind::Bool, _) => f64::from(u8::from(x != 0.0)),
        (Kind::Int, size) => {
            // NaN and infinities: what x86's conversion gives NumPy (the
            // 32-bit or 64-bit "integer indefinite", narrowed to 0 below).
            if !x.is_finite() {
                return match size {
                    8 => i64::MIN as f64,
                    4 => i32::MIN as f64,
                    _ => 0.0,
                };
            }
            let v = x as i128 as i64;
            match size {
                1 => v as i8 as f64,
                2 => v as i16 as f64,
                4 => v as i32 as f64,
                _ => v as f64,
            }
        }
        (Kind::UInt, size) => {
            if !x.is_finite() {
                return if size == 8 && x != f64::INFINITY {
                    9223372036854775808.0
                } else {
                    0.0
                };
            }
            let v = x as i128 as u64;
            match size {
                1 => v as u8 as f64,
                2 => v as u16 as f64,
                4 => v as u32 as f64,
                _ => v as f64,
            }
        }
    }
}

/// Decodes one element of a scalar dtype as a number.
pub fn decode_num(s: Scalar, b: &[u8]) -> Num {
    let big = s.order == ByteOrder::Big;
    macro_rules! rd {
        ($t:ty, $n:expr, $at:expr) => {{
            let mut a = [0u8; $n];
            a.copy_from_slice(&b[$at..$at + $n]);
            if big {
                <$t>::from_be_bytes(a)
            } else {
                <$t>::from_le_bytes(a)
            }
        }};
    }
    match (s.kind, s.size) {
        (Kind::Float, 4) => Num::real(rd!(f32, 4, 0) as f64),
        (Kind::Float, 8) => Num::real(rd!(f64, 8, 0)),
        (Kind::Complex, 8) => Num {
            re: rd!(f32, 4, 0) as f64,
            im: rd!(f32, 4, 4) as f64,
        },
        (Kind::Complex, _) => Num {
            re: rd!(f64, 8, 0),
            im: rd!(f64, 8, 8),
        },
        (Kind::Float, _) => Num::real(half::f16::from_bits(rd!(u16, 2, 0)).to_f64()),
        (Kind::Bool, _) => Num::real(f64::from(u8::from(b[0] != 0))),
        (Kind::Int, 1) => Num::real(b[0] as i8 as f64),
        (Kind::Int, 2) => Num::real(rd!(i16, 2, 0) as f64),
        (Kind::Int, 4) => Num::real(rd!(i32, 4, 0) as f64),
        (Kind::Int, _) => Num::real(rd!(i64, 8, 0) as f64),
        (Kind::UInt, 1) => Num::real(b[0] as f64),
        (Kind::UInt, 2) => Num::real(rd!(u16, 2, 0) as f64),
        (Kind::UInt, 4) => Num::real(rd!(u32, 4, 0) as f64),
        (Kind::UInt, _) => Num::real(rd!(u64, 8, 0) as f64),
    }
}

/// The element a number is, as printed for `dtype`.
pub fn num_elem(n: Num, dtype: Scalar) -> Elem {
    match dtype.kind {
        Kind::Bool => Elem::Bool(n.re != 0.0),
        Kind::Int => Elem::Int(n.re as i64),
        Kind::UInt => Elem::UInt(n.re as u64),
        Kind::Float => Elem::Float(n.re, dtype.size),
        Kind::Complex => Elem::Complex(n.re, n.im, dtype.size / 2),
    }
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

    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_complex(&self) -> bool {
        self.dtype.kind == Kind::Complex
    }

    /// `self[items]`: NumPy's basic indexing of a computed array.
    pub fn index(&self, items: &[crate::view::Index]) -> Result<Lazy, crate::diag::Error> {
        let n = self.ndim();
        let mut c_strides = vec![1isize; n];
        for k in (0..n.saturating_sub(1)).rev() {
            c_strides[k] = c_strides[k + 1] * self.shape[k + 1].max(1) as isize;
        }
        let (shape, strides, offset) =
            crate::view::index_geometry(&self.shape, &c_strides, 0, items)?;
        let dtype = self.dtype;
        Ok(Lazy {
            node: Arc::new(Node::Index {
                src: self.clone(),
                strides,
                offset,
            }),
            shape,
            dtype,
        })
    }

    /// `.T`: the axes reversed.
    pub fn transpose(&self) -> Lazy {
        let n = self.ndim();
        let mut c_strides = vec![1isize; n];
        for k in (0..n.saturating_sub(1)).rev() {
            c_strides[k] = c_strides[k + 1] * self.shape[k + 1].max(1) as isize;
        }
        c_strides.reverse();
        let shape: Vec<usize> = self.shape.iter().rev().copied().collect();
        Lazy {
            node: Arc::new(Node::Index {
                src: self.clone(),
                strides: c_strides,
                offset: 0,
            }),
            shape,
            dtype: self.dtype,
        }
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

    /// One element, at a full index.
    pub fn at(&self, idx: &[usize]) -> Num {
        let (outer, start) = match idx.split_last() {
            Some((last, outer)) => (outer, *last),
            None => (idx, 0),
        };
        let b = self.block(outer, start, 1);
        Num {
            re: b.re[0],
            im: b.im_at(0),
        }
    }

    /// Elements `outer ++ [start .. start + len]` (for 0-d: the one element,
    /// `len` must be 1).
    pub fn block(&self, outer: &[usize], start: usize, len: usize) -> Block {
        let complex = self.is_complex();
        let mut b = match &*self.node {
            Node::Const(n) => return Block::splat(*n, len, complex),
            Node::Leaf(v) => return leaf_block(v, self.dtype, outer, start, len),
            Node::Array(c) => {
                let mut idx = outer.to_vec();
                idx.push(0);
                let mut re = Vec::with_capacity(len);
                let mut im = complex.then(|| Vec::with_capacity(len));
                for j in start..start + len {
                    if let Some(last) = idx.last_mut() {
                        *last = j;
                    }
                    let i = if c.re.ndim() == 0 { &[][..] } else { &idx[..] };
                    re.push(c.re[i]);
                    if let (Some(im), Some(ci)) = (im.as_mut(), c.im.as_ref()) {
                        im.push(ci[i]);
                    }
                }
                return Block { re, im };
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
            Node::Unary(f, x) => {
                unary_block(*f, &self.child(x, outer, start, len), x.dtype, self.dtype)
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
                Block {
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
            Node::Gather { src, plan } => {
                let mut idx = outer.to_vec();
                idx.push(0);
                let mut re = Vec::with_capacity(len);
                let mut im = complex.then(|| Vec::with_capacity(len));
                for j in start..start + len {
                    if let Some(last) = idx.last_mut() {
                        *last = j;
                    }
                    let v = src.at(&src.unravel(plan.source(&idx)));
                    re.push(v.re);
                    if let Some(im) = im.as_mut() {
                        im.push(v.im);
                    }
                }
                return Block { re, im };
            }
            Node::Masked { src, mask, index } => {
                let mut out = Block {
                    re: Vec::with_capacity(len),
                    im: complex.then(|| Vec::with_capacity(len)),
                };
                let _ = gather::masked_stream(src, mask, index, start, start + len, |b, _| {
                    out.re.extend_from_slice(&b.re);
                    if let (Some(o), Some(i)) = (out.im.as_mut(), b.im.as_ref()) {
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
            Node::Cast(x) => x.block(outer, start, len),
            Node::Transform { src, t } => {
                let row = t.row_of(src, outer);
                let part = start..start + len;
                Block {
                    re: row.re[part.clone()].to_vec(),
                    im: row.im.as_ref().map(|v| v[part].to_vec()),
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
                        Block { re, im: Some(im) }
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
                    },
                }
            }
        };
        cast_slice(&mut b.re, self.dtype);
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
        let repeated = |outer: &[usize]| {
            let one = c.block(outer, 0, 1);
            Block::splat(
                Num {
                    re: one.re[0],
                    im: one.im_at(0),
                },
                len,
                c.is_complex(),
            )
        };
        if cn == 0 {
            return repeated(&[]);
        }
        let off = pn - cn;
        let c_outer: Vec<usize> = (0..cn - 1)
            .map(|k| if c.shape[k] == 1 { 0 } else { outer[k + off] })
            .collect();
        if c.shape[cn - 1] == 1 && !(start == 0 && len == 1) {
            return repeated(&c_outer);
        }
        c.block(&c_outer, start, len)
    }
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
    for j in 0..len as i128 {
        let v = src.at(&src.unravel((base + j * step) as usize));
        re.push(v.re);
        if let Some(im) = im.as_mut() {
            im.push(v.im);
        }
    }
    Block { re, im }
}

/// Little-endian float32 values every `S` bytes of `run` (which ends with
/// the last value's 4 bytes), as f64.
fn decode_f32<const S: usize>(run: &[u8], out: &mut Vec<f64>) {
    let chunks = run.chunks_exact(S);
    let last = chunks.remainder();
    let start = out.len();
    out.resize(start + chunks.len(), 0.0);
    kernels::decode_f32_le::<S>(run, &mut out[start..]);
    if last.len() >= 4 {
        out.push(f32::from_le_bytes([last[0], last[1], last[2], last[3]]) as f64);
    }
}

fn leaf_block(v: &View, dtype: Scalar, outer: &[usize], start: usize, len: usize) -> Block {
    let complex = dtype.kind == Kind::Complex;
    if v.ndim() == 0 {
        let n = decode_num(dtype, &v.element_bytes(&[]));
        return Block::splat(n, len, complex);
    }
    let mut idx = outer.to_vec();
    idx.push(start);
    let base = v.element_offset(&idx);
    let stride = v.strides[v.ndim() - 1];
    if v.source.dataset().is_none() {
        return leaf_run(v.source.bytes(), base, stride, len, dtype);
    }
    // A dataset: the run in the pieces that lie in one file each.
    let mut out = Block {
        re: Vec::with_capacity(len),
        im: complex.then(|| Vec::with_capacity(len)),
    };
    v.source.runs(base, stride, len, dtype.size, |run| {
        let piece = match run {
            crate::source::Run::In {
                source,
                base,
                count,
            } => leaf_run(source.bytes(), base, stride, count, dtype),
            crate::source::Run::Across(b) => Block::splat(decode_num(dtype, b), 1, complex),
            crate::source::Run::Missing(count) => Block::splat(Num::real(0.0), count, complex),
        };
        out.re.extend_from_slice(&piece.re);
        if let (Some(im), Some(pim)) = (out.im.as_mut(), piece.im.as_ref()) {
            im.extend_from_slice(pim);
        }
    });
    out
}

/// `len` elements of `dtype` at `base + k·stride` in `bytes`, decoded.
fn leaf_run(bytes: &[u8], base: usize, stride: isize, len: usize, dtype: Scalar) -> Block {
    let complex = dtype.kind == Kind::Complex;
    let base = base as isize;
    let size = dtype.size;
    let mut re = Vec::with_capacity(len);
    let at = |k: usize| (base + k as isize * stride) as usize;
    // Forward strides: walk the run as fixed-size chunks, which the compiler
    // turns into a tight loop without per-element bounds checks.
    if stride >= size as isize && len > 0 {
        let stride = stride as usize;
        let run = &bytes[base as usize..base as usize + (len - 1) * stride + size];
        let le_f32 =
            |c: &[u8], o: usize| f32::from_le_bytes([c[o], c[o + 1], c[o + 2], c[o + 3]]) as f64;
        match (dtype.kind, dtype.size, dtype.order) {
            (Kind::Float, 4, ByteOrder::Little) => {
                // The strides of contiguous data, of one part of complex64
                // and of one field of 16-byte records get loops of a known
                // step, which compile to straight vector code.
                match stride {
                    4 => decode_f32::<4>(run, &mut re),
                    8 => decode_f32::<8>(run, &mut re),
                    16 => decode_f32::<16>(run, &mut re),
                    _ => re.extend(run.chunks(stride).map(|c| le_f32(c, 0))),
                }
                return Block { re, im: None };
            }
            (Kind::Float, 8, ByteOrder::Little) => {
                re.extend(
                    run.chunks(stride).map(|c| {
                        f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
                    }),
                );
                return Block { re, im: None };
            }
            (Kind::Complex, 8, ByteOrder::Little) => {
                // Contiguous complex64 (and every other one): both parts
                // through the vector decoder, the imaginary run 4 bytes on.
                let mut im = Vec::with_capacity(len);
                match stride {
                    8 => {
                        decode_f32::<8>(run, &mut re);
                        decode_f32::<8>(&run[4..], &mut im);
                    }
                    16 => {
                        decode_f32::<16>(run, &mut re);
                        decode_f32::<16>(&run[4..], &mut im);
                    }
                    _ => {
                        re.extend(run.chunks(stride).map(|c| le_f32(c, 0)));
                        im.extend(run.chunks(stride).map(|c| le_f32(c, 4)));
                    }
                }
                return Block { re, im: Some(im) };
            }
            _ => {}
        }
    }
    // Fast paths for the common little-endian floats; the rest decode generally.
    match (dtype.kind, dtype.size, dtype.order) {
        (Kind::Float, 4, ByteOrder::Little) => {
            for k in 0..len {
                let o = at(k);
                re.push(
                    f32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) as f64,
                );
            }
            Block { re, im: None }
        }
        (Kind::Complex, 8, ByteOrder::Little) => {
            let mut im = Vec::with_capacity(len);
            for k in 0..len {
                let o = at(k);
                re.push(
                    f32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) as f64,
                );
                im.push(
                    f32::from_le_bytes([bytes[o + 4], bytes[o + 5], bytes[o + 6], bytes[o + 7]])
                        as f64,
                );
            }
            Block { re, im: Some(im) }
        }
        _ => {
            let mut im = complex.then(|| Vec::with_capacity(len));
            for k in 0..len {
                let o = at(k);
                let n = decode_num(dtype, &bytes[o..o + size]);
                re.push(n.re);
                if let Some(im) = im.as_mut() {
                    im.push(n.im);
                }
            }
            Block { re, im }
        }
    }
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
    Some(Block { re, im: None })
}

/// Whether results are float32, where the vectorised logarithm is exact
/// enough (its float64 error is far below float32's rounding).
fn single(to: Scalar) -> bool {
    to.kind == Kind::Float && to.size == 4
}

/// `ln`, `log10` or `db` (`20·log10` of values already made magnitudes)
/// in place, by the vectorised logarithm.
fn ln_f32(xs: &mut [f64], f: Func) {
    let scale = match f {
        Func::Log => 1.0,
        Func::Log10 => std::f64::consts::LOG10_E,
        _ => 20.0 * std::f64::consts::LOG10_E,
    };
    kernels::scaled_ln(xs, scale);
}

/// A block of real values.
fn real(re: Vec<f64>) -> Block {
    Block { re, im: None }
}

/// `g(re, im)` of every element, statically dispatched so the loop inlines.
#[inline]
fn map2(x: &Block, g: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    match &x.im {
        Some(im) => x.re.iter().zip(im).map(|(&r, &i)| g(r, i)).collect(),
        None => x.re.iter().map(|&r| g(r, 0.0)).collect(),
    }
}

/// |re + i·im| as NumPy's complex `absolute` computes it (its SIMD loop:
/// larger · sqrt(fma(q, q, 1)) with q = smaller / larger), in float32 for
/// complex64, so that results agree bit for bit.
fn magnitude(re: f64, im: f64, single: bool) -> f64 {
    if single {
        return magnitude32(re as f32, im as f32) as f64;
    }
    let (a, b) = (re.abs(), im.abs());
    let (m, n) = (if a > b { a } else { b }, if a > b { b } else { a });
    let q = n / m;
    let r = if m == 0.0 {
        0.0
    } else {
        m * q.mul_add(q, 1.0).sqrt()
    };
    if a.is_infinite() || b.is_infinite() {
        f64::INFINITY
    } else if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        r
    }
}

/// The float32 magnitude, branch-free so that loops over it vectorise. The
/// fused multiply-add is done in f64, where q·q + 1 is exact (q has 24
/// significant bits), so no FMA instruction (or slow libm `fmaf`) is needed.
#[inline(always)]
pub(crate) fn magnitude32(re: f32, im: f32) -> f32 {
    let (a, b) = (re.abs(), im.abs());
    let (m, n) = (if a > b { a } else { b }, if a > b { b } else { a });
    let q = (n / m) as f64;
    let r = m * ((q * q + 1.0) as f32).sqrt();
    let r = if m == 0.0 { 0.0 } else { r };
    let r = if a.is_nan() || b.is_nan() {
        f32::NAN
    } else {
        r
    };
    if a == f32::INFINITY || b == f32::INFINITY {
        f32::INFINITY
    } else {
        r
    }
}

fn unary_block(f: Func, x: &Block, from: Scalar, to: Scalar) -> Block {
    let complex_in = from.kind == Kind::Complex;
    match f {
        Func::Pos => x.clone(),
        Func::Neg => Block {
            re: map2(x, |r, _| -r),
            im: x.im.as_ref().map(|v| v.iter().map(|i| -i).collect()),
        },
        Func::Not => Block {
            re: map2(x, |r, _| {
                if from.kind == Kind::Bool {
                    f64::from(u8::from(r == 0.0))
                } else {
                    !(r as i64) as f64
                }
            }),
            im: None,
        },
        Func::Abs if complex_in => real(map2(x, |r, i| magnitude(r, i, from.size == 8))),
        Func::Abs => real(map2(x, |r, _| r.abs())),
        Func::Angle => real(map2(x, |r, i| i.atan2(r))),
        Func::Sqrt if complex_in => complex_map(x, |z| z.sqrt()),
        Func::Exp if complex_in => complex_map(x, |z| z.exp()),
        Func::Log if complex_in => complex_map(x, |z| z.ln()),
        Func::Log10 if complex_in => complex_map(x, |z| z.log10()),
        Func::Log | Func::Log10 | Func::Db if single(to) => {
            let mut re = match f {
                Func::Db if complex_in => map2(x, |r, i| magnitude(r, i, from.size == 8)),
                Func::Db => map2(x, |r, _| r.abs()),
                _ => x.re.clone(),
            };
            ln_f32(&mut re, f);
            real(re)
        }
        Func::Sqrt => real(map2(x, |r, _| r.sqrt())),
        Func::Exp => real(map2(x, |r, _| r.exp())),
        Func::Log => real(map2(x, |r, _| r.ln())),
        Func::Log10 => real(map2(x, |r, _| r.log10())),
        Func::Db => Block {
            re: map2(x, |r, i| {
                20.0 * (if complex_in {
                    magnitude(r, i, from.size == 8)
                } else {
                    r.abs()
                })
                .log10()
            }),
            im: None,
        },
        Func::Conj => Block {
            re: x.re.clone(),
            im: x.im.as_ref().map(|v| v.iter().map(|i| -i).collect()),
        },
        Func::Real => Block {
            re: x.re.clone(),
            im: None,
        },
        Func::Imag => real(map2(x, |_, i| i)),
        Func::IsNan => real(map2(x, |r, i| {
            f64::from(u8::from(r.is_nan() || i.is_nan()))
        })),
        Func::IsFinite => Block {
            re: map2(x, |r, i| {
                f64::from(u8::from(r.is_finite() && i.is_finite()))
            }),
            im: None,
        },
        Func::Round(decimals) => {
            let part = if complex_in {
                Scalar::new(Kind::Float, from.size / 2, from.order)
            } else {
                from
            };
            let f = |v: f64| round_decimals(v, decimals, part);
            Block {
                re: x.re.iter().map(|&v| f(v)).collect(),
                im: x.im.as_ref().map(|im| im.iter().map(|&v| f(v)).collect()),
            }
        }
    }
    .with_kind(to)
}

impl Block {
    fn with_kind(mut self, to: Scalar) -> Block {
        if to.kind != Kind::Complex {
            self.im = None;
        }
        self
    }
}

fn complex_map(x: &Block, f: impl Fn(num_complex::Complex64) -> num_complex::Complex64) -> Block {
    let mut re = Vec::with_capacity(x.len());
    let mut im = Vec::with_capacity(x.len());
    for k in 0..x.len() {
        let z = f(num_complex::Complex64::new(x.re[k], x.im_at(k)));
        re.push(z.re);
        im.push(z.im);
    }
    Block { re, im: Some(im) }
}

pub(crate) fn floor_div(a: f64, b: f64) -> f64 {
    // Python/NumPy floor division: floor of the true quotient, with NumPy's
    // remainder adjustment (divmod) for floats.
    if b == 0.0 {
        return if a == 0.0 || a.is_nan() {
            f64::NAN
        } else {
            a / b
        };
    }
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div == 0.0 {
        return 0.0f64.copysign(a / b);
    }
    let f = div.floor();
    if div - f > 0.5 {
        f + 1.0
    } else {
        f
    }
}

pub(crate) fn py_mod(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return f64::NAN;
    }
    let m = a % b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        m + b
    } else if m == 0.0 {
        0.0f64.copysign(b)
    } else {
        m
    }
}

/// A complex operation in the precision of `T`, with NumPy's formulas
/// (Smith's algorithm for division), so complex64 results match NumPy's.
fn complex_op<T: num_traits::Float>(op: BinOp, (ar, ai): (T, T), (br, bi): (T, T)) -> (T, T) {
    // f32 and f64 convert to and from f64 always (to infinity at worst).
    let from_f64 = |x: f64| T::from(x).unwrap_or_else(T::nan);
    let to_f64 = |x: T| x.to_f64().unwrap_or(f64::NAN);
    let zero = T::zero();
    let one = T::one();
    match op {
        BinOp::Add => (ar + br, ai + bi),
        BinOp::Sub => (ar - br, ai - bi),
        // NumPy's SIMD loop contracts these to fused multiply-adds.
        BinOp::Mul => (ar.mul_add(br, -(ai * bi)), ar.mul_add(bi, ai * br)),
        BinOp::Div => {
            let (abs_br, abs_bi) = (br.abs(), bi.abs());
            if abs_br >= abs_bi {
                if abs_br == zero && abs_bi == zero {
                    (ar / abs_br, ai / abs_bi)
                } else {
                    let rat = bi / br;
                    let scl = one / (br + bi * rat);
                    ((ar + ai * rat) * scl, (ai - ar * rat) * scl)
                }
            } else {
                let rat = br / bi;
                let scl = one / (bi + br * rat);
                ((ar * rat + ai) * scl, (ai * rat - ar) * scl)
            }
        }
        BinOp::Pow => {
            let z = num_complex::Complex64::new(to_f64(ar), to_f64(ai))
                .powc(num_complex::Complex64::new(to_f64(br), to_f64(bi)));
            (from_f64(z.re), from_f64(z.im))
        }
        BinOp::Eq => (if ar == br && ai == bi { one } else { zero }, zero),
        BinOp::Ne => (if ar != br || ai != bi { one } else { zero }, zero),
        _ => (T::nan(), zero),
    }
}

/// `x + y` or `x - y` of complex blocks, part by part in loops the
/// compiler vectorises (the general complex loop matches the operator per
/// element). `single`: complex64, each part rounded to float32 before and
/// after, as NumPy adds in float32. A missing imaginary part is a zero
/// that still takes part (`-0.0 + 0.0` is `0.0`, as in NumPy).
fn complex_add_sub(sub: bool, x: &Block, y: &Block, single: bool) -> Block {
    fn parts(x: &Block, y: &Block, g: impl Fn(f64, f64) -> f64 + Copy) -> Block {
        let n = x.len();
        let im = match (x.im.as_deref(), y.im.as_deref()) {
            (Some(a), Some(b)) => zip_map(&a[..n], &b[..n], g),
            (Some(a), None) => a[..n].iter().map(|&a| g(a, 0.0)).collect(),
            (None, Some(b)) => b[..n].iter().map(|&b| g(0.0, b)).collect(),
            (None, None) => vec![g(0.0, 0.0); n],
        };
        Block {
            re: zip_map(&x.re[..n], &y.re[..n], g),
            im: Some(im),
        }
    }
    match (single, sub) {
        (true, false) => parts(x, y, |a, b| ((a as f32) + (b as f32)) as f64),
        (true, true) => parts(x, y, |a, b| ((a as f32) - (b as f32)) as f64),
        (false, false) => parts(x, y, |a, b| a + b),
        (false, true) => parts(x, y, |a, b| a - b),
    }
}

/// `f` of each pair, in one loop over two slices of the same length.
fn zip_map(a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    a.iter().zip(b).map(|(&a, &b)| f(a, b)).collect()
}

fn binary_block(op: BinOp, x: &Block, y: &Block, operand: Scalar, to: Scalar) -> Block {
    let n = x.len();
    let int_domain = matches!(to.kind, Kind::Int | Kind::UInt | Kind::Bool);
    let complex = x.im.is_some() || y.im.is_some() || to.kind == Kind::Complex;
    if complex && matches!(op, BinOp::Add | BinOp::Sub) && to.kind == Kind::Complex {
        return complex_add_sub(op == BinOp::Sub, x, y, to.size == 8);
    }
    if complex && !matches!(op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge) {
        let mut re = Vec::with_capacity(n);
        let mut im = Vec::with_capacity(n);
        let single = to.kind == Kind::Complex && to.size == 8;
        for k in 0..n {
            let (a, b) = ((x.re[k], x.im_at(k)), (y.re[k], y.im_at(k)));
            let r = if single {
                let f = |v: (f64, f64)| (v.0 as f32, v.1 as f32);
                let (p, q) = complex_op(op, f(a), f(b));
                (p as f64, q as f64)
            } else {
                complex_op(op, a, b)
            };
            re.push(r.0);
            im.push(r.1);
        }
        return Block { re, im: Some(im) }.with_kind(to);
    }
    let _ = operand;
    let (a, b) = (&x.re[..n], &y.re[..n]);
    // The operator matched once, then one loop the compiler can vectorise.
    let re = match op {
        BinOp::Add => zip_map(a, b, |a, b| a + b),
        BinOp::Sub => zip_map(a, b, |a, b| a - b),
        BinOp::Mul => zip_map(a, b, |a, b| a * b),
        BinOp::Div => zip_map(a, b, |a, b| a / b),
        BinOp::FloorDiv if int_domain => {
            zip_map(a, b, |a, b| if b == 0.0 { 0.0 } else { (a / b).floor() })
        }
        BinOp::FloorDiv => zip_map(a, b, floor_div),
        BinOp::Mod if int_domain => zip_map(a, b, |a, b| {
            if b == 0.0 {
                0.0
            } else {
                a - b * (a / b).floor()
            }
        }),
        BinOp::Mod => zip_map(a, b, py_mod),
        BinOp::Pow => zip_map(a, b, f64::powf),
        BinOp::And => zip_map(a, b, |a, b| ((a as i64) & (b as i64)) as f64),
        BinOp::Or => zip_map(a, b, |a, b| ((a as i64) | (b as i64)) as f64),
        BinOp::Xor => zip_map(a, b, |a, b| ((a as i64) ^ (b as i64)) as f64),
        // NumPy orders complex numbers by real part, then imaginary part
        // (its CLT/CLE/CGT/CGE: a NaN imaginary part makes a real-part
        // decision false).
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge if complex => (0..n)
            .map(|k| {
                let (xr, xi, yr, yi) = (a[k], x.im_at(k), b[k], y.im_at(k));
                let parts = !xi.is_nan() && !yi.is_nan();
                let r = match op {
                    BinOp::Lt => (xr < yr && parts) || (xr == yr && xi < yi),
                    BinOp::Le => (xr < yr && parts) || (xr == yr && xi <= yi),
                    BinOp::Gt => (xr > yr && parts) || (xr == yr && xi > yi),
                    _ => (xr > yr && parts) || (xr == yr && xi >= yi),
                };
                f64::from(u8::from(r))
            })
            .collect(),
        BinOp::Lt => zip_map(a, b, |a, b| f64::from(u8::from(a < b))),
        BinOp::Le => zip_map(a, b, |a, b| f64::from(u8::from(a <= b))),
        BinOp::Gt => zip_map(a, b, |a, b| f64::from(u8::from(a > b))),
        BinOp::Ge => zip_map(a, b, |a, b| f64::from(u8::from(a >= b))),
        BinOp::Eq if x.im.is_none() && y.im.is_none() => {
            zip_map(a, b, |a, b| f64::from(u8::from(a == b)))
        }
        BinOp::Ne if x.im.is_none() && y.im.is_none() => {
            zip_map(a, b, |a, b| f64::from(u8::from(a != b)))
        }
        BinOp::Eq => (0..n)
            .map(|k| f64::from(u8::from(a[k] == b[k] && x.im_at(k) == y.im_at(k))))
            .collect(),
        BinOp::Ne => (0..n)
            .map(|k| f64::from(u8::from(a[k] != b[k] || x.im_at(k) != y.im_at(k))))
            .collect(),
    };
    Block { re, im: None }
}

/// The bytes of a number as an element of `dtype` (in its byte order).
pub fn encode_num(n: Num, d: Scalar) -> Vec<u8> {
    let mut out = Vec::with_capacity(d.size);
    encode_num_into(n, d, &mut out);
    out
}

/// [`encode_num`] appended to `out`, without a buffer of its own (the
/// loops that write millions of elements).
pub fn encode_num_into(n: Num, d: Scalar, out: &mut Vec<u8>) {
    let start = out.len();
    encode_native(n, d, out);
    if d.order != ByteOrder::NATIVE && d.size > 1 {
        // Each part in the dtype's byte order (complex: two parts).
        let part = if d.kind == Kind::Complex {
            d.size / 2
        } else {
            d.size
        };
        out[start..].chunks_mut(part).for_each(<[u8]>::reverse);
    }
}

/// A block's values as elements of `d`, appended to `out`: the common
/// native float kinds in one loop each, the rest element by element.
pub fn encode_block_into(b: &Block, d: Scalar, out: &mut Vec<u8>) {
    let native = d.order == ByteOrder::NATIVE || d.size == 1;
    match (d.kind, d.size, &b.im) {
        (Kind::Float, 4, _) if native => {
            let at = out.len();
            out.resize(at + b.re.len() * 4, 0);
            for (o, &x) in out[at..].chunks_exact_mut(4).zip(&b.re) {
                o.copy_from_slice(&(x as f32).to_ne_bytes());
            }
        }
        (Kind::Float, 8, _) if native => {
            out.reserve(b.re.len() * 8);
            b.re.iter()
                .for_each(|x| out.extend_from_slice(&x.to_ne_bytes()));
        }
        (Kind::Complex, 8, Some(im)) if native => {
            // Into the grown buffer in place: one store a part, no
            // per-element capacity checks.
            let at = out.len();
            out.resize(at + b.re.len() * 8, 0);
            for ((o, &r), &i) in out[at..].chunks_exact_mut(8).zip(&b.re).zip(im) {
                o[..4].copy_from_slice(&(r as f32).to_ne_bytes());
                o[4..].copy_from_slice(&(i as f32).to_ne_bytes());
            }
        }
        (Kind::Complex, 16, Some(im)) if native => {
            out.reserve(b.re.len() * 16);
            for (r, i) in b.re.iter().zip(im) {
                out.extend_from_slice(&r.to_ne_bytes());
                out.extend_from_slice(&i.to_ne_bytes());
            }
        }
        _ => {
            for k in 0..b.re.len() {
                let n = Num {
                    re: b.re[k],
                    im: b.im_at(k),
                };
                encode_num_into(n, d, out);
            }
        }
    }
}

fn encode_native(n: Num, d: Scalar, out: &mut Vec<u8>) {
    let re = cast(n.re, d);
    let im = cast(n.im, d);
    match (d.kind, d.size) {
        (Kind::Bool, _) => out.push(u8::from(re != 0.0)),
        (Kind::Int, 1) => out.extend_from_slice(&(re as i8).to_ne_bytes()),
        (Kind::Int, 2) => out.extend_from_slice(&(re as i16).to_ne_bytes()),
        (Kind::Int, 4) => out.extend_from_slice(&(re as i32).to_ne_bytes()),
        (Kind::Int, _) => out.extend_from_slice(&(re as i64).to_ne_bytes()),
        (Kind::UInt, 1) => out.extend_from_slice(&(re as u8).to_ne_bytes()),
        (Kind::UInt, 2) => out.extend_from_slice(&(re as u16).to_ne_bytes()),
        (Kind::UInt, 4) => out.extend_from_slice(&(re as u32).to_ne_bytes()),
        (Kind::UInt, _) => out.extend_from_slice(&(re as u64).to_ne_bytes()),
        (Kind::Float, 2) => out.extend_from_slice(&half::f16::from_f64(re).to_bits().to_ne_bytes()),
        (Kind::Float, 4) => out.extend_from_slice(&(re as f32).to_ne_bytes()),
        (Kind::Float, _) => out.extend_from_slice(&re.to_ne_bytes()),
        (Kind::Complex, 8) => {
            out.extend_from_slice(&(re as f32).to_ne_bytes());
            out.extend_from_slice(&(im as f32).to_ne_bytes());
        }
        (Kind::Complex, _) => {
            out.extend_from_slice(&re.to_ne_bytes());
            out.extend_from_slice(&im.to_ne_bytes());
        }
    }
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
