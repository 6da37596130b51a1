//! The block evaluator every computation runs through ([`Fused`]).
//!
//! A [`Lazy`] tree is compiled once per thread into slots that own their
//! buffers, which are reused from block to block: no allocation, no
//! broadcast constant and no dispatch per element. A tree whose values are
//! float32, complex64 or booleans computes in float32 lanes; one of
//! float64, complex128 or booleans over them in float64 lanes; both in
//! loops compiled for the CPU's widest vectors ([`kernels::zip_lanes`]).
//! That is exact, not an approximation: IEEE +, −, ×, ÷ and √ of float32
//! operands in float32 give the bits that float64-then-round gives
//! (float64 has more than twice float32's precision, so double rounding is
//! innocuous), comparisons of float32 values are the same in either width,
//! and the float64 lanes do the general path's own float64 operations. So
//! the values are NumPy's, and the general path's ([`Lazy::block`]), bit
//! for bit; a test compares them.
//!
//! float16 nodes compute in float32 lanes too, each node's values rounded
//! to float16 ([`Slot::half`]): NumPy's float16 loops compute in float32
//! and round each result, which for +, −, ×, ÷ and √ is the correctly
//! rounded float16 value the general path gives (`//`, `%` and `**` are
//! float32's rounded, on both paths; logarithms and `exp` stay general).
//!
//! Files are read into the lanes by each dtype's own decoding loop (float32
//! lanes: every dtype they hold exactly); a float32 subtree of a float64
//! tree computes in float32 lanes and is widened; integer arithmetic of up
//! to 32 bits computes in integer lanes ([`super::ints`]) and enters as an
//! operand where its dtype is exact in the lanes (or is the plan itself,
//! for an integer root). An operand of another shape is broadcast in the
//! lanes ([`Broadcast`]: its own slot over its own shape, a run of it or
//! one value per run), and an array computed earlier (an `axis=` result)
//! is read from memory as a file's values are. Advanced indexing of a
//! file's view reads the picked elements' bytes ([`super::gather::Gathered`]);
//! of an elementwise expression, the expression is computed from its
//! leaves gathered (`leaves` of [`Node::Gather`]). Everything else
//! (transforms, a gather of a computed array of another shape) is
//! evaluated by [`Lazy::block`], the general path in float64, and enters
//! the lanes as an operand when its values are exact there.
//! Logarithms and `exp` of float32 values widen a block to float64, take
//! the vectorised logarithm or `exp` there, and round once, as the general
//! path does; of float64 values, the library's, as the general path.

use super::cmath;
use super::elementwise::ScalarPower;
use super::ints::{self, IntRun, IntSlot};
use super::kernels::{self, copy, LaneOp, Log, Operand, Real};
use super::{Block, Func, Lazy, Node};
use crate::dtype::{ByteOrder, Kind, Scalar};
use crate::ops::BinOp;
use crate::view::View;
use std::sync::OnceLock;

/// Evaluates blocks of one expression; one per thread.
pub struct Fused<'a> {
    x: &'a Lazy,
    plan: Option<Plan<'a>>,
    /// `x` is a bare leaf: [`Fused::block`] decodes it straight into
    /// float64 rather than through lanes (nothing to fuse).
    bare_leaf: bool,
    out: Block,
    /// A bare leaf's small integers, for [`Fused::int_moments`] (and a
    /// tree's in 64-bit lanes).
    ints: Vec<i64>,
    /// A tree's values in 32-bit lanes, for [`Fused::int_moments`].
    narrow: Vec<i32>,
}

/// The compiled tree, in the lanes of its root's type.
enum Plan<'a> {
    Single(Slot<'a, f32>),
    Double(Slot<'a, f64>),
    /// Integer arithmetic of up to 32 bits.
    Int(IntSlot<'a>),
}

/// A block's values as the evaluator has them, for the reductions that
/// read float32 lanes as they are ([`super::kernels::Lane`]).
#[derive(Clone, Copy)]
pub enum Values<'b> {
    /// Real values computed in float32 lanes (float32 and boolean nodes).
    Lanes(&'b [f32]),
    /// Anything else, as [`Lazy::block`] gives it.
    Block(&'b Block),
}

impl<'a> Fused<'a> {
    pub fn new(x: &'a Lazy) -> Fused<'a> {
        Fused::compiled(x, false)
    }

    /// As [`Fused::new`], and a bare leaf of a dtype the float32 lanes
    /// read exactly (int16 samples, say) read into them: for the column
    /// kernel, whose time is its row of sums and which gains from the
    /// narrower blocks (int16 `mean(x, axis=0)` 0.60 s against 0.50 s on
    /// the benchmark's file). The whole-array kernels would widen such
    /// lanes twice, and lost 20% on int16 `stats` that way.
    pub fn narrow_leaves(x: &'a Lazy) -> Fused<'a> {
        Fused::compiled(x, true)
    }

    fn compiled(x: &'a Lazy, narrow_leaves: bool) -> Fused<'a> {
        let bare_leaf = matches!(&*x.node, Node::Leaf(_));
        let plan = if lanes_on() && x.ndim() > 0 {
            let narrow = narrow_leaves && bare_leaf && f32::reads(x.dtype);
            let single = f32::lanes(x.dtype) || narrow || (is_half(x.dtype) && !bare_leaf);
            let single = single.then(|| compile::<f32>(x)).flatten();
            single
                .map(Plan::Single)
                .or_else(|| {
                    let double = f64::lanes(x.dtype).then(|| compile::<f64>(x)).flatten();
                    double.map(Plan::Double)
                })
                .or_else(|| ints::compile(x).map(Plan::Int))
        } else {
            None
        };
        Fused {
            x,
            plan,
            bare_leaf,
            out: Block::default(),
            ints: Vec::new(),
            narrow: Vec::new(),
        }
    }

    /// Whether the values are small integers in integer lanes
    /// ([`kernels::small_int`]: int8, uint8, int16, uint16 and bool): a
    /// file of such a dtype, decoded straight into the lanes, or integer
    /// arithmetic of such a dtype. [`Fused::int_moments`] gives them.
    pub fn small_ints(&self) -> bool {
        let d = self.x.dtype;
        let small = matches!(
            (d.kind, d.size),
            (Kind::Int | Kind::UInt, 1 | 2) | (Kind::Bool, 1)
        );
        small
            && lanes_on()
            && self.x.ndim() > 0
            && match (&*self.x.node, &self.plan) {
                (Node::Leaf(v), _) => v.source.dataset().is_none(),
                (_, Some(Plan::Int(_))) => true,
                _ => false,
            }
    }

    /// Elements `outer ++ [start .. start + len]` in integer lanes with
    /// their exact summary, where [`Fused::small_ints`]: one pass over the
    /// lanes instead of a float64 block and two passes over it.
    pub fn int_moments(
        &mut self,
        outer: &[usize],
        start: usize,
        len: usize,
        squares: bool,
    ) -> (kernels::IntMoments, SmallRun<'_>) {
        let ints = &mut self.ints;
        match (&*self.x.node, self.plan.as_mut()) {
            (Node::Leaf(v), _) => {
                let (at, stride, d) = leaf_run(v, outer, start);
                let bytes = v.source.bytes();
                if let Some(raw) = raw_ints(d).filter(|_| stride == d.size as isize) {
                    // A forward run of the file's own values: summarised
                    // from its bytes, with no buffer between.
                    let run = &bytes[at..at + len * d.size];
                    return (
                        kernels::IntMoments::of_raw(run, raw, squares),
                        SmallRun::Raw(run, raw),
                    );
                }
                ints.resize(len, 0);
                read_part(bytes, at, stride, d, ints);
            }
            (_, Some(Plan::Int(IntSlot::Narrow(plan)))) => {
                let narrow = &mut self.narrow;
                narrow.resize(len, 0);
                plan.pieces_into(outer, start, narrow);
                return (
                    kernels::IntMoments::of(narrow, squares),
                    SmallRun::Narrow(&self.narrow[..]),
                );
            }
            (_, Some(Plan::Int(IntSlot::Wide(plan)))) => {
                ints.resize(len, 0);
                plan.pieces_into(outer, start, ints)
            }
            _ => unreachable!("asked only where small_ints"),
        }
        (
            kernels::IntMoments::of(ints, squares),
            SmallRun::Ints(&self.ints[..]),
        )
    }

    /// Whether the values are int64: a file's, or arithmetic in 64-bit
    /// integer lanes, which [`Fused::int64s`] gives as they are.
    pub fn has_int64s(&self) -> bool {
        let d = self.x.dtype;
        (d.kind, d.size) == (Kind::Int, 8)
            && lanes_on()
            && self.x.ndim() > 0
            && match (&*self.x.node, &self.plan) {
                (Node::Leaf(v), _) => v.source.dataset().is_none(),
                (_, Some(Plan::Int(ints::IntSlot::Wide(_)))) => true,
                _ => false,
            }
    }

    /// Elements `outer ++ [start .. start + len]` as int64, where
    /// [`Fused::has_int64s`]: for the reductions, which sum them exactly
    /// from there (a block would hold them twice more, as float64 and as
    /// 128-bit integers).
    pub fn int64s(&mut self, outer: &[usize], start: usize, len: usize) -> &[i64] {
        self.ints.resize(len, 0);
        match (&*self.x.node, self.plan.as_mut()) {
            (Node::Leaf(v), _) => {
                let (at, stride, d) = leaf_run(v, outer, start);
                read_part(v.source.bytes(), at, stride, d, &mut self.ints);
            }
            (_, Some(Plan::Int(ints::IntSlot::Wide(plan)))) => {
                plan.pieces_into(outer, start, &mut self.ints)
            }
            _ => unreachable!("asked only where has_int64s"),
        }
        &self.ints
    }

    /// Elements `outer ++ [start .. start + len]`: real float32 lanes where
    /// the expression computes in them, else as [`Fused::block`] gives
    /// them.
    pub fn values(&mut self, outer: &[usize], start: usize, len: usize) -> Values<'_> {
        // (A float16 root's lanes are float16 values, which the reductions
        // of float32 lanes would take for float32.)
        if !matches!(&self.plan, Some(Plan::Single(p)) if !p.complex && !p.half) {
            return Values::Block(self.block(outer, start, len));
        }
        let Some(Plan::Single(plan)) = self.plan.as_mut() else {
            unreachable!("checked above")
        };
        plan.eval(outer, start, len);
        Values::Lanes(&plan.re[..len])
    }

    /// How blocks are computed, for `explain`: the lanes' tree (`read` a
    /// file's values, `general` a subtree on the general path, `f4(…)` a
    /// float32 subtree of a float64 one), or the general path.
    pub fn describe(&self, reads_lanes: bool) -> String {
        match &self.plan {
            Some(Plan::Single(_)) if self.bare_leaf && reads_lanes => {
                "read straight into float32 lanes".to_string()
            }
            _ if self.bare_leaf => "decoded straight into float64 blocks".to_string(),
            Some(Plan::Single(s)) => {
                format!("in float32 lanes, fused per block: {}", s.describe(false))
            }
            Some(Plan::Double(s)) => {
                format!("in float64 lanes, fused per block: {}", s.describe(false))
            }
            Some(Plan::Int(s)) => {
                format!(
                    "in {}, fused per block: {}",
                    s.lanes_text(),
                    s.describe(false)
                )
            }
            None => "in float64 blocks, node by node (the general path)".to_string(),
        }
    }

    /// [`Fused::describe`] for a reduction of all of `x` that takes its
    /// small integers in integer lanes ([`Fused::int_moments`]).
    pub fn describe_small_ints(&self) -> String {
        let how = "each block's sum, sum of squares and extremes exact";
        match &self.plan {
            Some(Plan::Int(s)) if !self.bare_leaf => {
                format!(
                    "in {}, fused per block: {}; {how}",
                    s.lanes_text(),
                    s.describe(false)
                )
            }
            _ => match &*self.x.node {
                Node::Leaf(v)
                    if v.dtype.as_scalar().is_some_and(|d| {
                        raw_ints(d).is_some() && v.strides.last() == Some(&(d.size as isize))
                    }) =>
                {
                    format!("summarised in 32-bit lanes straight from the file's bytes; {how}")
                }
                _ => format!("read straight into integer lanes; {how}"),
            },
        }
    }

    /// [`Fused::describe`] for a reduction of all of `x` that takes its
    /// int64 values from their lanes ([`Fused::int64s`]).
    pub fn describe_int64s(&self) -> String {
        let how = "each block's sum and extremes exact, its moments in float64";
        match &self.plan {
            Some(Plan::Int(s)) if !self.bare_leaf => format!(
                "in {}, fused per block: {}; {how}",
                s.lanes_text(),
                s.describe(false)
            ),
            _ => format!("read straight into int64 lanes; {how}"),
        }
    }

    /// Bytes of the buffers one evaluator holds, and whether any subtree
    /// takes the general path (whose float64 blocks are counted apart).
    pub fn held(&self) -> (u64, bool) {
        let mut general = self.plan.is_none();
        let lanes = match &self.plan {
            Some(Plan::Single(s)) => s.held(&mut general),
            Some(Plan::Double(s)) => s.held(&mut general),
            Some(Plan::Int(s)) => s.held(&mut general),
            None => 0,
        };
        let parts = if self.x.is_complex() { 2 } else { 1 };
        (lanes + (super::BLOCK * 8 * parts) as u64, general)
    }

    /// Elements `outer ++ [start .. start + len]`, as [`Lazy::block`] gives
    /// them, in a buffer that the next call reuses.
    pub fn block(&mut self, outer: &[usize], start: usize, len: usize) -> &Block {
        let out = &mut self.out;
        match self.plan.as_mut().filter(|_| !self.bare_leaf) {
            None => self.x.block_into(outer, start, len, out),
            Some(Plan::Single(plan)) => {
                plan.eval(outer, start, len);
                out.re.resize(len, 0.0);
                kernels::convert(&plan.re[..len], &mut out.re);
                if plan.complex {
                    let im = out.im.get_or_insert_with(Vec::new);
                    im.resize(len, 0.0);
                    kernels::convert(&plan.im[..len], im);
                } else {
                    out.im = None;
                }
                out.ints = None;
            }
            Some(Plan::Double(plan)) => {
                // The root's lanes are the block: traded, not copied (the
                // root takes the block's old buffers for the next one).
                plan.eval(outer, start, len);
                std::mem::swap(&mut out.re, &mut plan.re);
                if plan.complex {
                    std::mem::swap(out.im.get_or_insert_with(Vec::new), &mut plan.im);
                } else {
                    out.im = None;
                }
                out.ints = None;
            }
            Some(Plan::Int(plan)) => {
                out.re.resize(len, 0.0);
                out.im = None;
                // int64 values also exactly, as the general path's blocks
                // carry them.
                let mut ints = wide_int(self.x.dtype).then(|| {
                    let mut v = out.ints.take().unwrap_or_default();
                    v.resize(len, 0);
                    v
                });
                let re = &mut out.re;
                let unsigned = ints::unsigned_wide(self.x.dtype);
                plan.pieces(outer, start, len, |run, at| {
                    run.convert_into(unsigned, &mut re[at..at + run.len()]);
                    // (64-bit integers, which 32-bit lanes never hold.)
                    if let (Some(ints), IntRun::Wide(xs)) = (&mut ints, run) {
                        for (o, &v) in ints[at..at + xs.len()].iter_mut().zip(xs) {
                            *o = if unsigned {
                                i128::from(v as u64)
                            } else {
                                i128::from(v)
                            };
                        }
                    }
                });
                out.ints = ints;
            }
        }
        &self.out
    }

    /// A run starting at C-order flat position `flat`, up to `len` elements
    /// and never past the end of its row.
    pub fn flat_block(&mut self, flat: usize, len: usize) -> &Block {
        let x = self.x;
        if x.ndim() == 0 {
            self.out = x.block(&[], 0, 1);
            return &self.out;
        }
        let last = x.shape[x.ndim() - 1].max(1);
        let idx = x.unravel(flat);
        let col = flat % last;
        self.block(&idx[..idx.len() - 1], col, len.min(last - col))
    }
}

/// `STRIDED_LANES=0` turns the lanes off, so that every block takes the
/// general path: for the tests that compare the two, and for benchmarks.
fn lanes_on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var("STRIDED_LANES").map_or(true, |v| v != "0"))
}

fn is_complex(d: Scalar) -> bool {
    d.kind == Kind::Complex
}

/// float16, whose arithmetic NumPy computes in float32 and rounds to
/// float16 after each operation (`npy_float_to_half(a + b)`): float32 lanes
/// with each node's values rounded ([`Width::round_half`]). For +, −, ×, ÷
/// and √ that is the correctly rounded float16 result, as the general
/// path's float64-then-float16.
fn is_half(d: Scalar) -> bool {
    (d.kind, d.size) == (Kind::Float, 2)
}

/// 64-bit integers, which the general path computes exactly (not in
/// float64) when both operands are integers.
fn wide_int(d: Scalar) -> bool {
    matches!(d.kind, Kind::Int | Kind::UInt) && d.size == 8
}

/// What differs between the two lane types: which nodes compute in them,
/// how operands enter them and the functions that are not one IEEE
/// operation.
trait Width: Real + std::fmt::Display {
    const NAME: &'static str;

    /// Dtypes whose nodes compute in these lanes.
    fn lanes(d: Scalar) -> bool;

    /// Dtypes whose every value these lanes hold exactly, so that a
    /// subtree of that dtype can enter them from the general path.
    fn exact(d: Scalar) -> bool;

    /// `d` of a file's bytes, decoded by the lanes themselves.
    fn reads(d: Scalar) -> bool;

    /// The general path's values `from` into `to` (already `from`'s length);
    /// `from`'s buffer may be traded for `to`'s.
    fn take(from: &mut Vec<f64>, to: &mut Vec<Self>);

    /// Float32 values (exact in either type).
    fn widen(xs: &[f32], out: &mut [Self]);

    /// Integer lanes' values, each rounded to nearest where this type does
    /// not hold it (as NumPy's cast rounds); `unsigned` for uint64's bits.
    fn from_ints(xs: IntRun<'_>, unsigned: bool, out: &mut [Self]);

    /// A computed array's values (exact here: its dtype is
    /// [`Width::exact`]).
    fn from_f64s(xs: &[f64], out: &mut [Self]);

    /// Values of `d` (where [`Width::reads`]) every `stride` bytes from
    /// `at` of a file's `bytes`, both parts of complex ones.
    fn read(bytes: &[u8], at: usize, stride: isize, d: Scalar, re: &mut [Self], im: &mut [Self]);

    /// NumPy's magnitude of each complex value, in this precision.
    fn magnitudes(re: Operand<'_, Self>, im: Operand<'_, Self>, out: &mut [Self]);

    /// The magnitudes of the complex values [`Width::read`] would read,
    /// into `out`, in one loop over the bytes where this width has one for
    /// `d` and `stride` (false: none; read, then [`Width::magnitudes`]).
    /// One loop lets the arithmetic run while the next bytes arrive.
    fn read_magnitudes(bytes: &[u8], at: usize, stride: isize, d: Scalar, out: &mut [Self])
        -> bool;

    /// `log`, `log10`, `db` (of values already magnitudes) or `exp` in
    /// place, as the general path computes them for a result of this type.
    fn transcend(f: Func, re: &mut [Self], wide: &mut Vec<f64>);

    /// `sqrt`, `log`, `log10` or `exp` of complex values `x + iy` of this
    /// width ([`cmath`], in float64), into `re` and `im`.
    fn complex_fn(
        f: Func,
        x: Operand<'_, Self>,
        y: Operand<'_, Self>,
        re: &mut [Self],
        im: &mut [Self],
        wide: &mut Vec<f64>,
    );

    /// Each value rounded to the nearest float16 (the result of a float16
    /// node, which computes in float32 lanes).
    fn round_half(xs: &mut [Self]);

    /// `a ** b` of each element (an exponent other than one 2), as the
    /// general path computes it for a result of this type.
    fn power(a: Operand<'_, Self>, b: Operand<'_, Self>, out: &mut [Self], wide: &mut Vec<f64>);
}

impl Width for f32 {
    const NAME: &'static str = "f4";

    fn lanes(d: Scalar) -> bool {
        matches!(
            (d.kind, d.size),
            (Kind::Float, 4) | (Kind::Complex, 8) | (Kind::Bool, _)
        )
    }

    fn exact(d: Scalar) -> bool {
        Self::lanes(d)
            || matches!(
                (d.kind, d.size),
                (Kind::Int | Kind::UInt | Kind::Float, 1 | 2)
            )
    }

    fn reads(d: Scalar) -> bool {
        matches!(
            (d.kind, d.size),
            (Kind::Float, 2 | 4)
                | (Kind::Complex, 8)
                | (Kind::Int | Kind::UInt, 1 | 2)
                | (Kind::Bool, 1)
        )
    }

    fn take(from: &mut Vec<f64>, to: &mut Vec<f32>) {
        kernels::convert(from, to);
    }

    fn widen(xs: &[f32], out: &mut [f32]) {
        out.copy_from_slice(xs);
    }

    fn from_ints(xs: IntRun<'_>, unsigned: bool, out: &mut [f32]) {
        xs.convert_into(unsigned, out);
    }

    fn from_f64s(xs: &[f64], out: &mut [f32]) {
        kernels::convert(xs, out);
    }

    fn read(bytes: &[u8], at: usize, stride: isize, d: Scalar, re: &mut [f32], im: &mut [f32]) {
        let len = re.len();
        let complex = d.kind == Kind::Complex;
        if complex && d.order == ByteOrder::Little && stride == 8 && len > 0 {
            // Contiguous little-endian complex64: both parts in one pass.
            kernels::decode_pairs(&bytes[at..at + len * 8], re, im);
        } else if complex {
            let part = Scalar::new(Kind::Float, d.size / 2, d.order);
            read_part(bytes, at, stride, part, re);
            read_part(bytes, at + d.size / 2, stride, part, im);
        } else {
            read_part(bytes, at, stride, d, re);
        }
    }

    fn magnitudes(re: Operand<'_, f32>, im: Operand<'_, f32>, out: &mut [f32]) {
        match (re, im) {
            (Operand::Run(a), Operand::Run(b)) => kernels::magnitudes(a, b, out),
            (a, b) => out.fill(super::magnitude32(at(a, 0), at(b, 0))),
        }
    }

    fn read_magnitudes(bytes: &[u8], at: usize, stride: isize, d: Scalar, out: &mut [f32]) -> bool {
        let contiguous =
            (d.kind, d.size, d.order, stride) == (Kind::Complex, 8, ByteOrder::Little, 8);
        if contiguous && !out.is_empty() {
            kernels::magnitudes_c8(&bytes[at..at + out.len() * 8], out);
        }
        contiguous
    }

    fn transcend(f: Func, re: &mut [f32], _: &mut Vec<f64>) {
        // The vectorised logarithm or exp in float64, rounded once.
        match f {
            Func::Exp => kernels::exp_in_place(re),
            _ => super::ln_f32(re, f),
        }
    }

    fn complex_fn(
        f: Func,
        x: Operand<'_, f32>,
        y: Operand<'_, f32>,
        re: &mut [f32],
        im: &mut [f32],
        wide: &mut Vec<f64>,
    ) {
        // Widened (exactly), computed in float64 and rounded to float32
        // by `cmath`, narrowed (exactly).
        let len = re.len();
        wide.resize(4 * len, 0.0);
        let (xs, rest) = wide.split_at_mut(len);
        let (ys, outs) = rest.split_at_mut(len);
        let (out_re, out_im) = outs.split_at_mut(len);
        for (o, w) in [(x, &mut *xs), (y, &mut *ys)] {
            match o {
                Operand::Run(v) => kernels::convert(&v[..len], w),
                Operand::All(v) => w.fill(f64::from(v)),
            }
        }
        complex_fn_f64(f, xs, ys, true, out_re, out_im);
        kernels::convert(out_re, re);
        kernels::convert(out_im, im);
    }

    fn round_half(xs: &mut [f32]) {
        kernels::round_to_half(xs);
    }

    fn power(a: Operand<'_, f32>, b: Operand<'_, f32>, out: &mut [f32], wide: &mut Vec<f64>) {
        // Both operands widened into one buffer: the bases, then the
        // exponents (unless one for all).
        let len = out.len();
        wide.resize(2 * len, 0.0);
        let (xs, ys) = wide.split_at_mut(len);
        fn widen<'w>(o: Operand<'_, f32>, into: &'w mut [f64]) -> Operand<'w, f64> {
            match o {
                Operand::Run(v) => {
                    kernels::convert(v, into);
                    Operand::Run(into)
                }
                Operand::All(v) => {
                    into.fill(f64::from(v));
                    Operand::All(f64::from(v))
                }
            }
        }
        widen(a, xs);
        let ys = widen(b, ys);
        kernels::pow_single(xs, ys);
        kernels::convert(xs, out);
    }
}

impl Width for f64 {
    const NAME: &'static str = "f8";

    fn lanes(d: Scalar) -> bool {
        matches!(
            (d.kind, d.size),
            (Kind::Float, 8) | (Kind::Complex, 16) | (Kind::Bool, _)
        )
    }

    fn exact(_: Scalar) -> bool {
        // Every dtype, 64-bit integers too: the general path reads them
        // rounded to float64 wherever a float64 node uses them.
        true
    }

    fn reads(_: Scalar) -> bool {
        false
    }

    fn take(from: &mut Vec<f64>, to: &mut Vec<f64>) {
        std::mem::swap(from, to);
    }

    fn widen(xs: &[f32], out: &mut [f64]) {
        kernels::convert(xs, out);
    }

    fn from_ints(xs: IntRun<'_>, unsigned: bool, out: &mut [f64]) {
        xs.convert_into(unsigned, out);
    }

    fn from_f64s(xs: &[f64], out: &mut [f64]) {
        out.copy_from_slice(xs);
    }

    fn read(_: &[u8], _: usize, _: isize, _: Scalar, _: &mut [f64], _: &mut [f64]) {
        unreachable!("float64 lanes read files through the general path's decoders")
    }

    fn magnitudes(re: Operand<'_, f64>, im: Operand<'_, f64>, out: &mut [f64]) {
        for (k, o) in out.iter_mut().enumerate() {
            *o = super::elementwise::magnitude(at(re, k), at(im, k), false);
        }
    }

    fn read_magnitudes(_: &[u8], _: usize, _: isize, _: Scalar, _: &mut [f64]) -> bool {
        false
    }

    fn round_half(xs: &mut [f64]) {
        for x in xs {
            *x = super::f16_from(*x).to_f64();
        }
    }

    fn power(a: Operand<'_, f64>, b: Operand<'_, f64>, out: &mut [f64], _: &mut Vec<f64>) {
        kernels::zip_lanes(kernels::Power, a, b, out);
    }

    fn transcend(f: Func, re: &mut [f64], _: &mut Vec<f64>) {
        // As the general path computes them (the same kernels).
        match f {
            Func::Exp => kernels::exp_in_place(re),
            Func::Log => kernels::log_in_place(re, Log::Natural),
            Func::Log10 => kernels::log_in_place(re, Log::Ten),
            _ => kernels::log_in_place(re, Log::Decibels),
        }
    }

    fn complex_fn(
        f: Func,
        x: Operand<'_, f64>,
        y: Operand<'_, f64>,
        re: &mut [f64],
        im: &mut [f64],
        _: &mut Vec<f64>,
    ) {
        // A part of one value for all spread into a run first.
        let len = re.len();
        let (mut xh, mut yh) = (Vec::new(), Vec::new());
        let xs = &kernels::spread(x, &mut xh, len)[..len];
        let ys = &kernels::spread(y, &mut yh, len)[..len];
        complex_fn_f64(f, xs, ys, false, re, im);
    }
}

/// [`Width::complex_fn`] on float64 parts (`single`: complex64 values).
fn complex_fn_f64(f: Func, x: &[f64], y: &[f64], single: bool, re: &mut [f64], im: &mut [f64]) {
    match f {
        Func::Sqrt => cmath::sqrt(x, y, single, re, im),
        Func::Exp => cmath::exp(x, y, single, re, im),
        Func::Log | Func::Log10 => cmath::log(x, y, single, f == Func::Log10, re, im),
        _ => unreachable!("complex lanes compute sqrt, log, log10 and exp"),
    }
}

/// One node's values for the current block.
struct Slot<'a, T> {
    op: Op<'a, T>,
    complex: bool,
    re: Vec<T>,
    im: Vec<T>,
    /// A float64 copy of the block, for logarithms and `exp` of float32.
    wide: Vec<f64>,
    /// A float16 node's: each value rounded to float16 once computed.
    half: bool,
}

enum Op<'a, T> {
    /// The same value everywhere: a constant or a 0-d operand.
    All(T, T),
    /// Little-endian float32 or complex64 values in one mapping.
    Leaf(&'a View),
    /// Advanced indexing of a file's view: the elements' bytes copied into
    /// a run ([`super::gather::RunCopy`]), decoded as a leaf's.
    Gathered(Box<super::gather::Gathered<'a>>),
    /// A subtree the general path evaluates (a file's values among them),
    /// broadcast to the parent's shape; its values are exact in `T`. The
    /// block is reused from block to block where the general path can.
    General {
        parent: &'a Lazy,
        child: &'a Lazy,
        block: Block,
    },
    /// An array computed earlier (an `axis=` result), in memory in C
    /// order: a run of it read as a file's would be.
    Array(&'a super::Computed, &'a [f64], Option<&'a [f64]>),
    /// A child of another shape broadcast to the parent's (NumPy's rule:
    /// axes aligned at the end, an axis of length 1 repeated), computed in
    /// its own slot over its own shape ([`Broadcast`]).
    Broadcast(Box<Broadcast<'a, T>>),
    /// A float32 subtree of a float64 tree, computed in float32 lanes (as
    /// NumPy rounds it) and widened.
    Single(Box<Slot<'a, f32>>),
    /// An integer subtree whose values these lanes hold exactly.
    Int(Box<IntSlot<'a>>),
    Unary(Func, Box<Slot<'a, T>>),
    Binary(BinOp, Box<Slot<'a, T>>, Box<Slot<'a, T>>),
    Where(Box<Slot<'a, T>>, Box<Slot<'a, T>>, Box<Slot<'a, T>>),
    /// `clip(x, lo, hi)` of real values.
    Clip(Box<Slot<'a, T>>, Box<Slot<'a, T>>, Box<Slot<'a, T>>),
}

/// A broadcast operand: the child's slot, and where the parent's runs
/// fall in the child.
struct Broadcast<'a, T> {
    child: Slot<'a, T>,
    /// The child's shape.
    shape: &'a [usize],
    /// The child's index of the leading axes for the current run.
    outer: Vec<usize>,
    /// The child's last axis runs along the parent's (else it has length
    /// 1, and each run of the parent sees one value of the child).
    along: bool,
    /// That one value (real and imaginary parts) for the current run.
    value: (T, T),
}

impl<T: Width> Broadcast<'_, T> {
    /// The child's run for the parent's run `outer ++ [start .. start +
    /// len]`, as [`Lazy::child`] broadcasts it on the general path.
    fn eval(&mut self, outer: &[usize], start: usize, len: usize) {
        super::broadcast_outer(self.shape, outer, &mut self.outer);
        if self.along {
            self.child.eval(&self.outer, start, len);
        } else {
            self.child.eval(&self.outer, 0, 1);
            self.value = (at(self.child.real(), 0), at(self.child.imag(), 0));
        }
    }
}

fn slot<T>(op: Op<'_, T>, complex: bool) -> Slot<'_, T> {
    Slot {
        op,
        complex,
        re: Vec::new(),
        im: Vec::new(),
        wide: Vec::new(),
        half: false,
    }
}

/// A float or complex child of an integer or boolean node that casts it
/// (`astype`), for the integer lanes: computed in float32 lanes where it
/// can be (float32, complex64 and float16 files), else in float64 lanes,
/// and converted as NumPy converts ([`super::codec::float_to_int`]).
pub(super) struct Floats<'a>(FloatLanes<'a>);

enum FloatLanes<'a> {
    Single(Slot<'a, f32>),
    Double(Slot<'a, f64>),
}

impl<'a> Floats<'a> {
    /// `c` as the operand of `parent`, the cast (broadcast or one value as
    /// any operand); `None` for a child that is not float or complex.
    pub(super) fn operand(parent: &'a Lazy, c: &'a Lazy) -> Option<Self> {
        matches!(c.dtype.kind, Kind::Float | Kind::Complex).then_some(())?;
        let lanes = match operand::<f32>(parent, c) {
            Some(s) => FloatLanes::Single(s),
            None => FloatLanes::Double(operand::<f64>(parent, c)?),
        };
        Some(Floats(lanes))
    }

    /// Elements `outer ++ [start .. start + out.len()]` cast to `to`.
    pub(super) fn cast_into<O: ints::IntLane>(
        &mut self,
        outer: &[usize],
        start: usize,
        to: Scalar,
        out: &mut [O],
    ) {
        match &mut self.0 {
            FloatLanes::Single(s) => s.cast_into(outer, start, to, out),
            FloatLanes::Double(s) => s.cast_into(outer, start, to, out),
        }
    }

    pub(super) fn describe(&self) -> String {
        match &self.0 {
            FloatLanes::Single(s) => s.describe(false),
            FloatLanes::Double(s) => s.describe(false),
        }
    }

    pub(super) fn held(&self, general: &mut bool) -> u64 {
        match &self.0 {
            FloatLanes::Single(s) => s.held(general),
            FloatLanes::Double(s) => s.held(general),
        }
    }
}

/// `x` itself in `T` lanes, when its operation has a form there.
fn compile<T: Width>(x: &Lazy) -> Option<Slot<'_, T>> {
    let complex = is_complex(x.dtype);
    let half = is_half(x.dtype)
        && !matches!(
            &*x.node,
            Node::Leaf(_) | Node::Array(_) | Node::Gather { .. }
        );
    if half && T::NAME != f32::NAME {
        return None;
    }
    let op = match &*x.node {
        Node::Leaf(v) => {
            let d = v.dtype.as_scalar()?;
            (T::reads(d) && T::reads(x.dtype) && v.source.dataset().is_none())
                .then_some(Op::Leaf(v))?
        }
        Node::Gather {
            leaves: Some(l), ..
        } => return compile::<T>(l),
        Node::Gather { .. } => {
            let g = super::gather::Gathered::of(x)?;
            (T::reads(g.dtype) && T::reads(x.dtype)).then_some(())?;
            Op::Gathered(Box::new(g))
        }
        Node::Unary(f, c) => {
            let c_complex = is_complex(c.dtype);
            // (A float16 node computes in float32 lanes, rounded.)
            let own = x.dtype.kind == Kind::Float && (T::lanes(x.dtype) || half);
            let fits = match f {
                Func::Neg | Func::Pos | Func::Abs | Func::Real | Func::Imag | Func::Conj => true,
                Func::IsNan | Func::IsFinite => true,
                Func::Sqrt | Func::Log | Func::Log10 | Func::Exp if c_complex => T::lanes(x.dtype),
                Func::Sqrt => true,
                Func::Not => c.dtype.kind == Kind::Bool,
                Func::Log | Func::Log10 | Func::Exp => own,
                Func::Db => own,
                // float16's rounding to decimals multiplies and divides
                // in float16: the general path's.
                Func::Round(d) => own && !c_complex && (!half || *d == 0),
                Func::Angle => own,
                Func::Reciprocal => c_complex && T::lanes(x.dtype),
            };
            fits.then_some(())?;
            Op::Unary(*f, Box::new(operand(x, c)?))
        }
        Node::Binary(op, a, b) => {
            let real = !is_complex(a.dtype) && !is_complex(b.dtype);
            let arith = matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div);
            let float_only = matches!(op, BinOp::FloorDiv | BinOp::Mod | BinOp::Pow);
            // Two integer operands of which one is 64-bit compare exactly
            // on the general path.
            let exact = wide_int(a.dtype) || wide_int(b.dtype);
            let fits = match x.dtype.kind {
                // (float16's floor division, remainder and powers are
                // float32's, rounded: the general path's too.)
                Kind::Float => (arith || float_only) && real,
                Kind::Complex => arith,
                _ => match op {
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => {
                        real && !exact
                    }
                    BinOp::And | BinOp::Or | BinOp::Xor => {
                        a.dtype.kind == Kind::Bool && b.dtype.kind == Kind::Bool
                    }
                    _ => false,
                },
            };
            fits.then_some(())?;
            // NumPy's power by one number: its loop's fast cases, as
            // lane operations.
            let fast = (*op == BinOp::Pow && b.ndim() == 0)
                .then(|| ScalarPower::of(b.at(&[]).re))
                .flatten();
            match fast {
                Some(ScalarPower::Sqrt) => Op::Unary(Func::Sqrt, Box::new(operand(x, a)?)),
                Some(ScalarPower::Reciprocal) => {
                    let one = slot(Op::All(T::one(), T::zero()), false);
                    Op::Binary(BinOp::Div, Box::new(one), Box::new(operand(x, a)?))
                }
                _ => Op::Binary(*op, Box::new(operand(x, a)?), Box::new(operand(x, b)?)),
            }
        }
        Node::Where(c, a, b) => Op::Where(
            Box::new(operand(x, c)?),
            Box::new(operand(x, a)?),
            Box::new(operand(x, b)?),
        ),
        Node::Clip(v, lo, hi) if x.dtype.kind == Kind::Float => Op::Clip(
            Box::new(operand(x, v)?),
            Box::new(operand(x, lo)?),
            Box::new(operand(x, hi)?),
        ),
        // An array computed earlier, held in C order (an `axis=` result).
        Node::Array(a) if T::exact(x.dtype) && a.ints.is_none() => {
            let im = match &a.im {
                Some(im) => Some(im.as_slice()?),
                None => None,
            };
            Op::Array(a, a.re.as_slice()?, im)
        }
        // A cast to float16 of values float32 holds: rounded once.
        Node::Cast(c) if half && !is_complex(c.dtype) && f32::exact(c.dtype) => {
            Op::Single(Box::new(operand::<f32>(x, c)?))
        }
        // A cast to this float type that keeps every value (int16 or
        // float32 to float32; any integer, float32 or float16 to float64,
        // rounded there as NumPy's cast rounds it): the child itself.
        Node::Cast(c)
            if x.dtype.kind != Kind::Bool
                && is_complex(c.dtype) == complex
                && T::lanes(x.dtype)
                && T::exact(c.dtype) =>
        {
            return operand(x, c);
        }
        // Integers this type does not hold exactly (int64, uint64 or int32
        // to float32, int64 or uint64 to float64): the integer lanes'
        // values converted, each rounded once to nearest, as NumPy's cast
        // rounds.
        Node::Cast(c)
            if !complex
                && x.dtype.kind == Kind::Float
                && T::lanes(x.dtype)
                && matches!(c.dtype.kind, Kind::Int | Kind::UInt) =>
        {
            Op::Int(Box::new(ints::compile_any(c)?))
        }
        _ => return None,
    };
    let mut s = slot(op, complex);
    // (Selections, signs and magnitudes of float16 values are float16
    // values already.)
    s.half = half
        && match &s.op {
            Op::Unary(f, _) => matches!(
                f,
                Func::Sqrt | Func::Log | Func::Log10 | Func::Exp | Func::Db | Func::Angle
            ),
            Op::Where(..) | Op::Clip(..) => false,
            _ => true,
        };
    Some(s)
}

/// Child `c` of `parent` as an operand in `T` lanes: one value, its own
/// lanes, float32 lanes widened, or the general path's values (exact in
/// `T`), broadcast.
fn operand<'a, T: Width>(parent: &'a Lazy, c: &'a Lazy) -> Option<Slot<'a, T>> {
    let complex = is_complex(c.dtype);
    if c.ndim() == 0 {
        let v = c.at(&[]);
        let (re, im) = (T::from(v.re)?, T::from(v.im)?);
        let exact = |a: T, b: f64| {
            num_traits::AsPrimitive::<f64>::as_(a) == b || (a.is_nan() && b.is_nan())
        };
        return (exact(re, v.re) && exact(im, v.im)).then(|| slot(Op::All(re, im), complex));
    }
    if let Some(s) = own_lanes(c) {
        if c.shape == parent.shape {
            return Some(s);
        }
        // Broadcast (the shapes are compatible: the tree was built so).
        let (n, k) = (parent.ndim(), c.ndim());
        let along = c.shape[k - 1] == parent.shape[n - 1];
        let b = Broadcast {
            child: s,
            shape: &c.shape,
            outer: vec![0; k - 1],
            along,
            value: (T::zero(), T::zero()),
        };
        return Some(slot(Op::Broadcast(Box::new(b)), complex));
    }
    T::exact(c.dtype).then(|| {
        let block = Block::default();
        slot(
            Op::General {
                parent,
                child: c,
                block,
            },
            complex,
        )
    })
}

/// `c` (not 0-d) computed in lanes over its own shape: its own lanes,
/// float32 lanes to be widened, or integer lanes.
fn own_lanes<T: Width>(c: &Lazy) -> Option<Slot<'_, T>> {
    let complex = is_complex(c.dtype);
    let leaf = matches!(&*c.node, Node::Leaf(_) | Node::Array(_));
    let own = T::lanes(c.dtype)
        || (leaf && T::reads(c.dtype))
        || (T::NAME == f32::NAME && is_half(c.dtype));
    if let Some(s) = own.then(|| compile(c)).flatten() {
        return Some(s);
    }
    if T::NAME != f32::NAME && (f32::lanes(c.dtype) || is_half(c.dtype)) && !leaf {
        if let Some(s) = compile::<f32>(c) {
            return Some(slot(Op::Single(Box::new(s)), complex));
        }
    }
    // Not uint64, whose lanes hold bits that would read as signed.
    if T::exact(c.dtype) && !ints::unsigned_wide(c.dtype) {
        if let Some(s) = ints::compile(c) {
            return Some(slot(Op::Int(Box::new(s)), complex));
        }
    }
    None
}

impl<T: Width> Slot<'_, T> {
    /// The tree as an expression; `nested` inside an operator. A float16
    /// node's values are written `f2(…)`, rounded from the float32 lanes.
    fn describe(&self, nested: bool) -> String {
        match (&self.op, self.half) {
            (Op::Single(s), true) => format!("f2({})", s.describe(false)),
            (_, true) => format!("f2({})", self.describe_op(false)),
            _ => self.describe_op(nested),
        }
    }

    fn describe_op(&self, nested: bool) -> String {
        match &self.op {
            Op::All(re, im) if self.complex => format!("({re}{im:+}j)"),
            Op::All(re, _) => format!("{re}"),
            Op::Leaf(_) => "read".to_string(),
            Op::Gathered(_) => "gather".to_string(),
            // A file's values, by the general path's decoder for its dtype.
            Op::General { child, .. } if matches!(&*child.node, Node::Leaf(_)) => {
                "read".to_string()
            }
            Op::General { .. } => "general".to_string(),
            Op::Array(..) => "array".to_string(),
            Op::Broadcast(b) => format!("broadcast({})", b.child.describe(false)),
            Op::Single(s) if s.half => s.describe(false),
            Op::Single(s) => format!("{}({})", f32::NAME, s.describe(false)),
            Op::Int(s) => s.describe_typed(),
            Op::Unary(f, c) => unary_text(*f, |nested| c.describe(nested)),
            Op::Binary(op, a, b) => binary_text(*op, a.describe(true), b.describe(true), nested),
            Op::Where(c, a, b) => call_text("where", [c, a, b].map(|s| s.describe(false))),
            Op::Clip(v, lo, hi) => call_text("clip", [v, lo, hi].map(|s| s.describe(false))),
        }
    }

    fn held(&self, general: &mut bool) -> u64 {
        let width = std::mem::size_of::<T>() * if self.complex { 2 } else { 1 };
        let own = (super::BLOCK * width) as u64;
        own + match &self.op {
            Op::All(..) => 0,
            Op::Leaf(_) | Op::Array(..) => 0,
            Op::Gathered(g) => (super::BLOCK * g.dtype.size) as u64,
            Op::Broadcast(b) => b.child.held(general),
            Op::General { .. } => {
                *general = true;
                0
            }
            Op::Single(s) => s.held(general),
            Op::Int(s) => s.held(general),
            Op::Unary(f, c) => {
                let wide = matches!(f, Func::Log | Func::Log10 | Func::Db | Func::Exp);
                let wide = wide && std::mem::size_of::<T>() == 4;
                c.held(general) + if wide { super::BLOCK as u64 * 8 } else { 0 }
            }
            Op::Binary(_, a, b) => a.held(general) + b.held(general),
            Op::Where(c, a, b) | Op::Clip(c, a, b) => {
                c.held(general) + a.held(general) + b.held(general)
            }
        }
    }

    fn real(&self) -> Operand<'_, T> {
        match &self.op {
            Op::All(re, _) => Operand::All(*re),
            Op::Broadcast(b) if b.along => b.child.real(),
            Op::Broadcast(b) => Operand::All(b.value.0),
            _ => Operand::Run(&self.re),
        }
    }

    /// The imaginary parts (zeros for a real operand).
    fn imag(&self) -> Operand<'_, T> {
        match &self.op {
            Op::All(_, im) => Operand::All(*im),
            Op::Broadcast(b) if b.along => b.child.imag(),
            Op::Broadcast(b) => Operand::All(b.value.1),
            _ if self.complex => Operand::Run(&self.im),
            _ => Operand::All(T::zero()),
        }
    }

    /// Elements `outer ++ [start .. start + out.len()]` cast to the
    /// integer or boolean dtype `to` (before its wrap): truncated in one
    /// vector loop where every value is within the conversion's range, else
    /// each as [`super::codec::float_to_int`] converts it.
    fn cast_into<O: ints::IntLane>(
        &mut self,
        outer: &[usize],
        start: usize,
        to: Scalar,
        out: &mut [O],
    ) {
        if out.is_empty() {
            return;
        }
        self.eval(outer, start, out.len());
        let (re, im) = (self.real(), self.imag());
        if to.kind == Kind::Bool {
            for (k, o) in out.iter_mut().enumerate() {
                *o = O::from_bool(at(re, k) != T::zero() || at(im, k) != T::zero());
            }
            return;
        }
        let limit = if to.size == 8 {
            2f64.powi(63)
        } else {
            2f64.powi(31)
        };
        let within = match re {
            Operand::Run(xs) => kernels::truncate(xs, limit, out),
            Operand::All(v) => {
                kernels::truncate(&[v], limit, &mut out[..1]) && {
                    let first = out[0];
                    out.fill(first);
                    true
                }
            }
        };
        if !within {
            for (k, o) in out.iter_mut().enumerate() {
                // Within `to`, which these lanes hold.
                *o = O::from_i64(super::codec::float_to_int(at(re, k).as_(), to) as i64);
            }
        }
    }

    fn eval(&mut self, outer: &[usize], start: usize, len: usize) {
        let Slot {
            op,
            complex,
            re,
            im,
            wide,
            half,
        } = self;
        re.resize(len, T::zero());
        if *complex {
            im.resize(len, T::zero());
        }
        match op {
            Op::All(..) => {}
            Op::Broadcast(b) => b.eval(outer, start, len),
            Op::Array(a, values, imag) => {
                // C order: the run's first element's place.
                let shape = a.re.shape();
                let row = outer.iter().zip(shape).fold(0, |r, (&i, &n)| r * n + i);
                let from = row * shape.last().copied().unwrap_or(1) + start;
                T::from_f64s(&values[from..from + len], re);
                if let (true, Some(vi)) = (*complex, imag) {
                    T::from_f64s(&vi[from..from + len], im);
                }
            }
            Op::Leaf(v) => {
                let (at, stride, d) = leaf_run(v, outer, start);
                T::read(v.source.bytes(), at, stride, d, re, im);
            }
            Op::Gathered(g) => {
                let d = g.dtype;
                T::read(g.run(outer, start, len), 0, d.size as isize, d, re, im);
            }
            Op::General {
                parent,
                child,
                block,
            } => {
                general_block(parent, child, outer, start, len, block);
                T::take(&mut block.re, re);
                if let (true, Some(bi)) = (*complex, block.im.as_mut()) {
                    T::take(bi, im);
                }
            }
            Op::Int(s) => {
                // uint64's lanes hold its bits, which read as unsigned.
                let unsigned = ints::unsigned_wide(s.dtype());
                s.pieces(outer, start, len, |xs, at| {
                    T::from_ints(xs, unsigned, &mut re[at..at + xs.len()]);
                })
            }
            Op::Single(s) => {
                s.eval(outer, start, len);
                T::widen(&s.re, re);
                if *complex {
                    T::widen(&s.im, im);
                }
            }
            Op::Unary(f, c) => {
                // The magnitude of a file's complex values: in the loop that
                // decodes them, where the width has one.
                let read_whole = match &c.op {
                    Op::Leaf(v) if c.complex && matches!(f, Func::Abs | Func::Db) => {
                        let (at, stride, d) = leaf_run(v, outer, start);
                        T::read_magnitudes(v.source.bytes(), at, stride, d, re)
                    }
                    _ => false,
                };
                if read_whole {
                    if *f == Func::Db {
                        T::transcend(*f, re, wide);
                    }
                } else {
                    c.eval(outer, start, len);
                    unary(*f, c, re, im, wide);
                }
            }
            Op::Binary(op, a, b) => {
                a.eval(outer, start, len);
                b.eval(outer, start, len);
                let square = matches!(b.real(), Operand::All(e) if e == T::one() + T::one());
                if *complex {
                    complex_binary(*op, a, b, re, im);
                } else if *op == BinOp::Pow && !square {
                    T::power(a.real(), b.real(), re, wide);
                } else {
                    binary(*op, a.real(), b.real(), re);
                }
            }
            Op::Clip(v, lo, hi) => {
                for s in [&mut *v, &mut *lo, &mut *hi] {
                    s.eval(outer, start, len);
                }
                kernels::clip(v.real(), lo.real(), hi.real(), re);
            }
            Op::Where(c, a, b) => {
                for s in [&mut *c, &mut *a, &mut *b] {
                    s.eval(outer, start, len);
                }
                match (c.complex, c.real()) {
                    // A real condition, in a run: each part without branches.
                    (false, Operand::Run(cs)) => {
                        kernels::select(cs, a.real(), b.real(), re);
                        if *complex {
                            kernels::select(cs, a.imag(), b.imag(), im);
                        }
                    }
                    _ => {
                        for k in 0..len {
                            let pick = at(c.real(), k) != T::zero() || at(c.imag(), k) != T::zero();
                            let from = if pick { &a } else { &b };
                            re[k] = at(from.real(), k);
                            if *complex {
                                im[k] = at(from.imag(), k);
                            }
                        }
                    }
                }
            }
        }
        if *half {
            T::round_half(&mut re[..len]);
        }
    }
}

/// A subtree's run on the general path into `block`, broadcast to its
/// parent's shape (a same-shape child: its own run, into the reused
/// block's buffers).
pub(super) fn general_block(
    parent: &Lazy,
    child: &Lazy,
    outer: &[usize],
    start: usize,
    len: usize,
    block: &mut Block,
) {
    if child.shape == parent.shape {
        child.block_into(outer, start, len, block);
    } else {
        *block = parent.child(child, outer, start, len);
    }
}

/// How `explain` writes `f` of an operand that `c` describes (as an
/// operator's operand when given true): `-x`, `+x`, `~x`, `abs(x)`.
pub(super) fn unary_text(f: Func, c: impl Fn(bool) -> String) -> String {
    match f {
        Func::Neg => format!("-{}", c(true)),
        Func::Pos => format!("+{}", c(true)),
        Func::Not => format!("~{}", c(true)),
        _ => format!("{}({})", f.name(), c(false)),
    }
}

/// `a op b`, in parentheses when `nested` inside another operator.
pub(super) fn binary_text(op: BinOp, a: String, b: String, nested: bool) -> String {
    let e = format!("{a} {op} {b}");
    if nested {
        format!("({e})")
    } else {
        e
    }
}

/// `name(a, b, c)`.
pub(super) fn call_text(name: &str, args: [String; 3]) -> String {
    format!("{name}({})", args.join(", "))
}

/// Where a leaf's run of a block starts: its byte offset, its step in
/// bytes and its dtype.
pub(super) fn leaf_run(v: &View, outer: &[usize], start: usize) -> (usize, isize, Scalar) {
    // `element_offset` of `outer ++ [start]`, without making that index.
    let stride = v.strides[v.ndim() - 1];
    let at = (v.element_offset(outer) as isize + start as isize * stride) as usize;
    let d = v.dtype.as_scalar().expect("compile reads scalar dtypes");
    (at, stride, d)
}

/// How [`kernels::IntMoments::of_raw`] reads values of `d`, where it can.
fn raw_ints(d: Scalar) -> Option<kernels::RawInts> {
    use kernels::RawInts as R;
    let big = d.order == ByteOrder::Big;
    match (d.kind, d.size) {
        (Kind::Int, 1) => Some(R::I8),
        (Kind::UInt, 1) => Some(R::U8),
        (Kind::Int, 2) => Some(R::I16(big)),
        (Kind::UInt, 2) => Some(R::U16(big)),
        _ => None,
    }
}

/// `x` as a file's small integers whose runs along the last axis are
/// consecutive bytes, for the kernels that read them as they lie
/// ([`kernels::column_add_raw`]): its view, dtype and how to read it.
pub(super) fn raw_leaf(x: &Lazy) -> Option<(&View, Scalar, kernels::RawInts)> {
    let Node::Leaf(v) = &*x.node else {
        return None;
    };
    let d = v.dtype.as_scalar()?;
    let raw = raw_ints(d)?;
    let forward = v.strides.last() == Some(&(d.size as isize));
    (lanes_on() && forward && x.ndim() > 0 && v.source.dataset().is_none()).then_some((v, d, raw))
}

/// A block of small integers as [`Fused::int_moments`] has them: widened
/// into integer lanes, or the file's bytes as they lie.
pub enum SmallRun<'a> {
    Ints(&'a [i64]),
    /// Integer arithmetic computed in 32-bit lanes.
    Narrow(&'a [i32]),
    Raw(&'a [u8], kernels::RawInts),
}

/// Values of the real dtype `d` (exact in float32) every `stride` bytes
/// from `at` of `bytes` into `out`, by its own decoding loop; a backward
/// run decoded forward from its last element, then reversed.
pub(super) fn read_part<O: super::codec::Decoded>(
    bytes: &[u8],
    at: usize,
    stride: isize,
    d: Scalar,
    out: &mut [O],
) {
    let (len, size) = (out.len(), d.size);
    if len == 0 {
        return;
    }
    let big = d.order == ByteOrder::Big && size > 1;
    let step = stride.unsigned_abs();
    if step < size {
        // A step shorter than an element (a broadcast one): each alone.
        for (k, o) in out.iter_mut().enumerate() {
            let p = (at as isize + k as isize * stride) as usize;
            let one = std::slice::from_mut(o);
            super::codec::decode_part(&bytes[p..p + size], size, d.kind, size, big, one);
        }
        return;
    }
    let first = (at as isize + stride.min(0) * (len as isize - 1)) as usize;
    let run = &bytes[first..first + (len - 1) * step + size];
    super::codec::decode_part(run, step, d.kind, size, big, out);
    if stride < 0 {
        out.reverse();
    }
}

fn binary<T: Real>(op: BinOp, a: Operand<'_, T>, b: Operand<'_, T>, out: &mut [T]) {
    use kernels as k;
    fn go<O: LaneOp, T: Real>(o: O, a: Operand<'_, T>, b: Operand<'_, T>, out: &mut [T]) {
        k::zip_lanes(o, a, b, out)
    }
    match op {
        BinOp::Add => go(k::Add, a, b, out),
        BinOp::Sub => go(k::Sub, a, b, out),
        BinOp::Mul => go(k::Mul, a, b, out),
        BinOp::Div => go(k::Div, a, b, out),
        BinOp::Lt => go(k::Lt, a, b, out),
        BinOp::Le => go(k::Le, a, b, out),
        BinOp::Gt => go(k::Gt, a, b, out),
        BinOp::Ge => go(k::Ge, a, b, out),
        BinOp::Eq => go(k::Eq, a, b, out),
        BinOp::Ne => go(k::Ne, a, b, out),
        BinOp::And => go(k::And, a, b, out),
        BinOp::Or => go(k::Or, a, b, out),
        BinOp::Xor => go(k::Xor, a, b, out),
        // The library's pow(x, 2) is off by an ulp from x * x for about one
        // float64 in a thousand; NumPy squares.
        // Other exponents: `Width::power`.
        BinOp::Pow => go(k::Square, a, b, out),
        BinOp::FloorDiv => go(k::FloorDiv, a, b, out),
        BinOp::Mod => go(k::Mod, a, b, out),
    }
}

/// Element `k` of an operand.
#[inline(always)]
fn at<T: Copy>(o: Operand<'_, T>, k: usize) -> T {
    match o {
        Operand::Run(v) => v[k],
        Operand::All(v) => v,
    }
}

/// Complex `a op b` (`+ - * /`) in `T`, NumPy's arithmetic for complex64
/// (`f32`) and complex128 (`f64`); a real operand is a complex one with a
/// zero imaginary part.
fn complex_binary<T: Width>(
    op: BinOp,
    a: &Slot<'_, T>,
    b: &Slot<'_, T>,
    re: &mut [T],
    im: &mut [T],
) {
    match op {
        BinOp::Add | BinOp::Sub => {
            binary(op, a.real(), b.real(), re);
            binary(op, a.imag(), b.imag(), im);
        }
        BinOp::Mul => kernels::complex_mul(a.real(), a.imag(), b.real(), b.imag(), re, im),
        BinOp::Div => {
            super::cmath::divide_lanes((a.real(), a.imag()), (b.real(), b.imag()), re, im)
        }
        _ => {
            for k in 0..re.len() {
                let x = (at(a.real(), k), at(a.imag(), k));
                let y = (at(b.real(), k), at(b.imag(), k));
                (re[k], im[k]) = super::elementwise::complex_op(op, x, y);
            }
        }
    }
}

fn unary<T: Width>(f: Func, c: &Slot<'_, T>, re: &mut [T], im: &mut [T], wide: &mut Vec<f64>) {
    use kernels as k;
    let (x, y, zero) = (c.real(), c.imag(), Operand::All(T::zero()));
    if c.complex && matches!(f, Func::Sqrt | Func::Log | Func::Log10 | Func::Exp) {
        return T::complex_fn(f, x, y, re, im, wide);
    }
    match f {
        // Copies, not `x + 0`, which would turn -0.0 into 0.0.
        Func::Pos | Func::Real | Func::Conj | Func::Log | Func::Log10 | Func::Exp => copy(x, re),
        Func::Imag => copy(y, re),
        Func::Neg => k::zip_lanes(k::Neg, x, zero, re),
        Func::Not => k::zip_lanes(k::Not, x, zero, re),
        Func::Sqrt => k::zip_lanes(k::Sqrt, x, zero, re),
        Func::IsNan => k::zip_lanes(k::EitherNan, x, y, re),
        Func::IsFinite => k::zip_lanes(k::BothFinite, x, y, re),
        Func::Abs | Func::Db if c.complex => T::magnitudes(x, y, re),
        Func::Abs | Func::Db => k::zip_lanes(k::Abs, x, zero, re),
        Func::Round(d) => k::round(x, d, re),
        Func::Angle => k::zip_lanes(k::Atan2, y, x, re),
        Func::Reciprocal => {
            for k in 0..re.len() {
                (re[k], im[k]) = super::elementwise::reciprocal((at(x, k), at(y, k)));
            }
        }
    }
    if c.complex {
        match f {
            Func::Neg | Func::Conj => k::zip_lanes(k::Neg, y, zero, im),
            Func::Pos => copy(y, im),
            _ => {}
        }
    }
    if matches!(f, Func::Log | Func::Log10 | Func::Db | Func::Exp) {
        T::transcend(f, re, wide);
    }
}
