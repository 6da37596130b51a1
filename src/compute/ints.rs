//! Integer lanes: the block evaluator's form for integer arithmetic on
//! integers and booleans of up to 32 bits and on int64 ([`IntSlot`]).
//!
//! A tree whose every node is a boolean, an 8- or 16-bit integer or int32
//! computes in 32-bit lanes (twice the values per vector, half the bytes
//! per buffer: int16 `sum(x - 3)` takes a quarter less CPU), any other in
//! 64-bit lanes; both are one generic evaluator ([`IntLane`]). Each node
//! computes its block in its lanes and then wraps the values into its own
//! dtype, which is NumPy's arithmetic exactly: its operands
//! are promoted without loss to the result's dtype and the result wraps
//! modulo 2^bits, and +, −, ×, &, |, ^ modulo 2^64 (or 2^32, for dtypes of
//! up to 32 bits) followed by that wrap
//! give the same bits (32-bit operands cannot overflow 64 bits in //, %
//! and comparisons; int64 is the lanes' own arithmetic, with // and % as
//! integer divisions, since their float64 form is exact only for 32-bit
//! operands). Division by zero gives 0, as NumPy's integer loops
//! do. The general path computes the same values in float64 (exact below
//! 2^53) and through `exact_binary` (32-bit products); a test compares the
//! two.
//!
//! An integer subtree enters a float tree (`fused`) as an operand when its
//! dtype is exact in that tree's lanes, and an integer root is a plan of
//! its own; an operand of another shape is broadcast in the lanes (its own
//! slot over its own shape). Subtrees the lanes have no form for (powers by
//! an array of exponents, gathers) come from the general path, exact as
//! 64-bit integers.

use super::fused;
use super::kernels::{self, copy, zip};
use super::{Block, Func, Lazy, Node};
use crate::dtype::{Kind, Scalar};
use crate::ops::BinOp;
use crate::view::View;
use num_traits::AsPrimitive;
use pulp::{Simd, WithSimd};

/// A compiled integer tree: in 32-bit lanes where every node's values fit
/// them (booleans, 8- and 16-bit integers and int32: twice as many values
/// per vector, and half the bytes per buffer), else in 64-bit lanes.
/// NumPy's wrap-around is the same either way: +, −, × and the bitwise
/// operators modulo 2^32 then the node's wrap give its bits for dtypes of
/// up to 32 bits, as modulo 2^64 does.
pub(super) enum IntSlot<'a> {
    Narrow(Slot<'a, i32>),
    Wide(Slot<'a, i64>),
}

/// A run of an integer tree's values, in the lanes it computed in.
#[derive(Clone, Copy)]
pub(super) enum IntRun<'b> {
    Narrow(&'b [i32]),
    Wide(&'b [i64]),
}

impl IntRun<'_> {
    pub(super) fn len(&self) -> usize {
        match self {
            IntRun::Narrow(xs) => xs.len(),
            IntRun::Wide(xs) => xs.len(),
        }
    }

    /// The values as `F`, each rounded to nearest where `F` does not hold
    /// it (as NumPy's casts round); `unsigned` for uint64, whose 64-bit
    /// lanes hold its bits.
    pub(super) fn convert_into<F>(self, unsigned: bool, out: &mut [F])
    where
        F: Copy + 'static,
        i32: AsPrimitive<F>,
        i64: AsPrimitive<F>,
        u64: AsPrimitive<F>,
    {
        match self {
            IntRun::Narrow(xs) => kernels::convert(xs, out),
            IntRun::Wide(bits) if unsigned => {
                for (o, &b) in out.iter_mut().zip(bits) {
                    *o = (b as u64).as_();
                }
            }
            IntRun::Wide(xs) => kernels::convert(xs, out),
        }
    }
}

/// The integers of a lane: `i32` or `i64`.
pub(super) trait IntLane:
    Copy
    + Default
    + PartialEq
    + PartialOrd
    + Send
    + Sync
    + 'static
    + std::ops::BitAnd<Output = Self>
    + std::ops::BitOr<Output = Self>
    + std::ops::BitXor<Output = Self>
    + std::ops::Not<Output = Self>
    + AsPrimitive<i64>
    + AsPrimitive<f64>
    + super::codec::Decoded
    + kernels::Truncated
    + std::fmt::Display
{
    const ZERO: Self;
    /// Whether every value of `d` is one of these.
    fn holds(d: Scalar) -> bool;
    /// `v` modulo 2^bits.
    fn from_i64(v: i64) -> Self;
    fn from_bool(b: bool) -> Self;
    fn wrapping_add(self, b: Self) -> Self;
    fn wrapping_sub(self, b: Self) -> Self;
    fn wrapping_mul(self, b: Self) -> Self;
    fn wrapping_neg(self) -> Self;
    fn wrapping_abs(self) -> Self;
    fn wrapping_pow(self, e: u32) -> Self;
    /// Each value wrapped into `d` (a boolean: whether it is not zero).
    fn wrap(d: Scalar, out: &mut [Self]);
    /// The operations only 64-bit lanes have (uint64's, with `unsigned`;
    /// `//` and `%` of a 64-bit node, `wide`): `true` when `op` was one
    /// of them and is done.
    fn wide_binary(
        op: BinOp,
        a: Ints<'_, Self>,
        b: Ints<'_, Self>,
        unsigned: bool,
        wide: bool,
        out: &mut [Self],
    ) -> bool;
    /// Values of the general path's block (exact in float64 below 2^53,
    /// or `ints` for 64-bit integers).
    fn from_block(block: &Block, out: &mut [Self]);
}

macro_rules! int_lane {
    ($t:ty) => {
        const ZERO: $t = 0;
        #[inline(always)]
        fn from_i64(v: i64) -> $t {
            v as $t
        }
        #[inline(always)]
        fn from_bool(b: bool) -> $t {
            <$t>::from(b)
        }
        #[inline(always)]
        fn wrapping_add(self, b: $t) -> $t {
            <$t>::wrapping_add(self, b)
        }
        #[inline(always)]
        fn wrapping_sub(self, b: $t) -> $t {
            <$t>::wrapping_sub(self, b)
        }
        #[inline(always)]
        fn wrapping_mul(self, b: $t) -> $t {
            <$t>::wrapping_mul(self, b)
        }
        #[inline(always)]
        fn wrapping_neg(self) -> $t {
            <$t>::wrapping_neg(self)
        }
        #[inline(always)]
        fn wrapping_abs(self) -> $t {
            <$t>::wrapping_abs(self)
        }
        #[inline(always)]
        fn wrapping_pow(self, e: u32) -> $t {
            <$t>::wrapping_pow(self, e)
        }
        fn wrap(d: Scalar, out: &mut [$t]) {
            kernels::dispatch(Wrap { d, out })
        }
    };
}

impl IntLane for i32 {
    int_lane!(i32);

    fn holds(d: Scalar) -> bool {
        matches!(
            (d.kind, d.size),
            (Kind::Int, 1 | 2 | 4) | (Kind::UInt, 1 | 2) | (Kind::Bool, 1)
        )
    }

    fn wide_binary(
        _: BinOp,
        _: Ints<'_, i32>,
        _: Ints<'_, i32>,
        _: bool,
        _: bool,
        _: &mut [i32],
    ) -> bool {
        false
    }

    fn from_block(block: &Block, out: &mut [i32]) {
        kernels::convert(&block.re, out);
    }
}

impl IntLane for i64 {
    int_lane!(i64);

    fn holds(d: Scalar) -> bool {
        lanes(d)
    }

    fn wide_binary(
        op: BinOp,
        a: Ints<'_, i64>,
        b: Ints<'_, i64>,
        unsigned: bool,
        wide: bool,
        out: &mut [i64],
    ) -> bool {
        match op {
            BinOp::Lt if unsigned => zip(LtU, a, b, out),
            BinOp::Le if unsigned => zip(LeU, a, b, out),
            BinOp::Gt if unsigned => zip(LtU, b, a, out),
            BinOp::Ge if unsigned => zip(LeU, b, a, out),
            BinOp::FloorDiv if unsigned => zip(DivU, a, b, out),
            BinOp::Mod if unsigned => zip(RemU, a, b, out),
            BinOp::FloorDiv | BinOp::Mod if wide => floor_div64(op == BinOp::Mod, a, b, out),
            _ => return false,
        }
        true
    }

    fn from_block(block: &Block, out: &mut [i64]) {
        match &block.ints {
            // int64, exactly.
            Some(ints) => {
                for (o, &v) in out.iter_mut().zip(ints) {
                    *o = v as i64;
                }
            }
            // Integers of up to 32 bits: exact in float64.
            None => kernels::convert(&block.re, out),
        }
    }
}

/// A compiled integer node and its buffer, reused from block to block.
pub(super) struct Slot<'a, L> {
    op: IntOp<'a, L>,
    dtype: Scalar,
    out: Vec<L>,
}

enum IntOp<'a, L> {
    /// One value for every element (a 0-d operand).
    All(L),
    /// A file's values, decoded straight into the lanes.
    Leaf(&'a View),
    /// Advanced indexing of a file's view: the picked elements' bytes,
    /// decoded as a leaf's.
    Gathered(Box<super::gather::Gathered<'a>>),
    /// A subtree the lanes have no form for, by the general path (its
    /// values exact in float64: integers of up to 32 bits).
    General {
        parent: &'a Lazy,
        child: &'a Lazy,
        block: Block,
    },
    Unary(Func, Box<Slot<'a, L>>),
    Binary(BinOp, Box<Slot<'a, L>>, Box<Slot<'a, L>>),
    /// A comparison of uint64 with a signed integer, exact as NumPy's:
    /// which operands hold uint64's bits (the others are signed).
    Compare(BinOp, Box<Slot<'a, L>>, Box<Slot<'a, L>>, [bool; 2]),
    /// `astype` from another integer or boolean dtype.
    Cast(Box<Slot<'a, L>>),
    /// `astype` from a float or complex dtype: the child in float lanes.
    FromFloat(Box<fused::Floats<'a>>),
    /// `x ** e` by one whole exponent `e >= 0`, wrapping (NumPy's integer
    /// power by squaring wraps alike: products modulo 2^64 wrap into any
    /// narrower dtype as products in it do).
    Power(Box<Slot<'a, L>>, u32),
    Where(Box<Slot<'a, L>>, Box<Slot<'a, L>>, Box<Slot<'a, L>>),
    /// `clip(x, lo, hi)`: NumPy's `minimum(maximum(x, lo), hi)`; a None
    /// bound (`None` here) does not bound; `true` for uint64, whose bits
    /// compare unsigned.
    Clip(
        Box<Slot<'a, L>>,
        Option<Box<Slot<'a, L>>>,
        Option<Box<Slot<'a, L>>>,
        bool,
    ),
    /// A child of another shape broadcast to the parent's, in its own
    /// slot over its own shape (as `fused`'s broadcast operands).
    Broadcast(Box<Broadcast<'a, L>>),
}

/// A broadcast operand: the child's slot and where the parent's runs fall
/// in it (see [`super::Lazy::child`], which the general path follows).
struct Broadcast<'a, L> {
    child: Slot<'a, L>,
    /// The child's shape.
    shape: &'a [usize],
    /// The child's index of the leading axes for the current run.
    outer: Vec<usize>,
    /// The child's last axis runs along the parent's (else it has length
    /// 1: one value per run, repeated).
    along: bool,
}

/// Integers and booleans of every size: the dtypes these lanes compute.
/// uint64 values are held as their bits (those past 2^63 read as
/// negative), which +, −, ×, the bitwise operators and the wrap treat
/// alike; comparisons, `//`, `%` and `abs` of uint64 take its own
/// operations, a uint64 node compared with a signed integer compares
/// exactly, as NumPy ([`IntOp::Compare`]), and uint64 enters no float tree
/// (`fused` would read its bits signed).
pub(super) fn lanes(d: Scalar) -> bool {
    matches!(
        (d.kind, d.size),
        (Kind::Int | Kind::UInt, 1 | 2 | 4 | 8) | (Kind::Bool, 1)
    )
}

/// uint64, whose lanes hold its bits.
pub(super) fn unsigned_wide(d: Scalar) -> bool {
    d.kind == Kind::UInt && d.size == 8
}

/// `x` in integer lanes, when it is integer arithmetic: an integer node
/// (not a bare file, which the callers read themselves) of up to 32 bits
/// whose operation has a form here.
pub(super) fn compile(x: &Lazy) -> Option<IntSlot<'_>> {
    let arithmetic = !matches!(&*x.node, Node::Leaf(_) | Node::Const(_));
    arithmetic.then(|| compile_any(x)).flatten()
}

/// As [`compile`], a bare view of a file too (whose integers a cast to a
/// float type reads from the lanes).
pub(super) fn compile_any(x: &Lazy) -> Option<IntSlot<'_>> {
    // Booleans too: comparisons of int64 values, which the float lanes
    // would round.
    let int = matches!(x.dtype.kind, Kind::Int | Kind::UInt | Kind::Bool);
    let arithmetic = !matches!(&*x.node, Node::Const(_));
    (int && lanes(x.dtype) && arithmetic && x.ndim() > 0).then_some(())?;
    if narrow_on() {
        if let Some(s) = node::<i32>(x) {
            return Some(IntSlot::Narrow(s));
        }
    }
    node::<i64>(x).map(IntSlot::Wide)
}

/// Whether trees whose values fit 32 bits compute in 32-bit lanes:
/// `STRIDED_NARROW=0` keeps them in 64-bit lanes, which the tests compare.
fn narrow_on() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("STRIDED_NARROW").map_or(true, |v| v != "0"))
}

fn node<'a, L: IntLane>(x: &'a Lazy) -> Option<Slot<'a, L>> {
    L::holds(x.dtype).then_some(())?;
    let op = match &*x.node {
        Node::Leaf(v) => {
            let d = v.dtype.as_scalar()?;
            (lanes(d) && d == x.dtype && v.source.dataset().is_none()).then_some(IntOp::Leaf(v))?
        }
        Node::Gather {
            leaves: Some(l), ..
        } => return node::<L>(l),
        Node::Gather { .. } => {
            let g = super::gather::Gathered::of(x)?;
            (lanes(g.dtype) && g.dtype == x.dtype).then_some(())?;
            IntOp::Gathered(Box::new(g))
        }
        Node::Unary(f, c) => {
            let fits = matches!(
                f,
                Func::Neg
                    | Func::Pos
                    | Func::Abs
                    | Func::Real
                    | Func::Conj
                    | Func::Imag
                    | Func::Not
            );
            fits.then_some(())?;
            IntOp::Unary(*f, Box::new(operand(x, c)?))
        }
        Node::Binary(op, a, b) => {
            // uint64 meets only unsigned operands (a signed one would make
            // the result float64, or the comparison exact in NumPy).
            // A negative Python int counts as signed (`w > -1` is true for
            // every uint64 in NumPy; its bits would compare as 2^64 - 1).
            let signed =
                |c: &Lazy| c.dtype.kind == Kind::Int || (c.ndim() == 0 && c.exact_at(&[]).1 < 0);
            let mixed =
                (unsigned_wide(a.dtype) && signed(b)) || (unsigned_wide(b.dtype) && signed(a));
            // A power by one whole exponent (the common `x ** 2`); NumPy
            // raises for a negative one before any of this runs.
            let exponent = (*op == BinOp::Pow && b.ndim() == 0)
                .then(|| u32::try_from(b.exact_at(&[]).1).ok())
                .flatten();
            if let (Some(e), false) = (exponent, mixed) {
                return Some(Slot {
                    op: IntOp::Power(Box::new(operand(x, a)?), e),
                    dtype: x.dtype,
                    out: Vec::new(),
                });
            }
            let compare = matches!(
                op,
                BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne
            );
            if mixed && compare {
                let bits = |c: &Lazy| unsigned_wide(c.dtype) && !signed(c);
                // A Python int past the lanes' 64 bits (`w <= -2**64 + 1`)
                // compares on the general path.
                let held = |c: &Lazy| {
                    let v = || c.exact_at(&[]).1;
                    c.ndim() > 0
                        || if bits(c) {
                            u64::try_from(v()).is_ok()
                        } else {
                            i64::try_from(v()).is_ok()
                        }
                };
                (held(a) && held(b)).then_some(())?;
                return Some(Slot {
                    op: IntOp::Compare(
                        *op,
                        Box::new(operand(x, a)?),
                        Box::new(operand(x, b)?),
                        [bits(a), bits(b)],
                    ),
                    dtype: x.dtype,
                    out: Vec::new(),
                });
            }
            let fits = !matches!(op, BinOp::Div | BinOp::Pow) && !mixed;
            fits.then_some(())?;
            IntOp::Binary(*op, Box::new(operand(x, a)?), Box::new(operand(x, b)?))
        }
        Node::Cast(c) if matches!(c.dtype.kind, Kind::Float | Kind::Complex) => {
            IntOp::FromFloat(Box::new(fused::Floats::operand(x, c)?))
        }
        Node::Cast(c) => IntOp::Cast(Box::new(operand(x, c)?)),
        Node::Where(c, a, b) => IntOp::Where(
            Box::new(operand(x, c)?),
            Box::new(operand(x, a)?),
            Box::new(operand(x, b)?),
        ),
        Node::Clip(v, lo, hi) => {
            // A None bound is an infinite one (of an integer dtype: a
            // float bound would have made the node a float one).
            let bound = |b: &'a Lazy| -> Option<Option<Box<Slot<'a, L>>>> {
                if b.ndim() == 0 && b.at(&[]).re.is_infinite() {
                    return Some(None);
                }
                // (A negative bound of uint64 is NumPy's to refuse.)
                let negative = b.ndim() == 0 && b.exact_at(&[]).1 < 0;
                (!(negative && unsigned_wide(x.dtype))).then_some(())?;
                Some(Some(Box::new(operand(x, b)?)))
            };
            IntOp::Clip(
                Box::new(operand(x, v)?),
                bound(lo)?,
                bound(hi)?,
                unsigned_wide(x.dtype),
            )
        }
        _ => return None,
    };
    Some(Slot {
        op,
        dtype: x.dtype,
        out: Vec::new(),
    })
}

/// Child `c` of `parent` as integer lanes: one value, its own lanes
/// (broadcast when its shape is another), or the general path's
/// (broadcast) values; `None` for a child that is not an
/// integer or boolean of up to 32 bits.
fn operand<'a, L: IntLane>(parent: &'a Lazy, c: &'a Lazy) -> Option<Slot<'a, L>> {
    (lanes(c.dtype) && L::holds(c.dtype)).then_some(())?;
    let slot = |op| Slot {
        op,
        dtype: c.dtype,
        out: Vec::new(),
    };
    if c.ndim() == 0 {
        // Exactly: an int64 constant need not be a float64. A Python int
        // past the lanes (`x < 2**63` of int64, which NumPy compares
        // exactly) leaves the node to the general path; uint64's past
        // 2^63 are held as their bits.
        let v = c.exact_at(&[]).1;
        let bits = unsigned_wide(c.dtype) && u64::try_from(v).is_ok();
        let lane = L::from_i64(v as i64);
        let held = i128::from(AsPrimitive::<i64>::as_(lane)) == v;
        return (bits || held).then(|| slot(IntOp::All(lane)));
    }
    if let Some(s) = node(c) {
        if c.shape == parent.shape {
            return Some(s);
        }
        let (n, k) = (parent.ndim(), c.ndim());
        return Some(slot(IntOp::Broadcast(Box::new(Broadcast {
            child: s,
            shape: &c.shape,
            outer: vec![0; k - 1],
            along: c.shape[k - 1] == parent.shape[n - 1],
        }))));
    }
    Some(slot(IntOp::General {
        parent,
        child: c,
        block: Block::default(),
    }))
}

/// Elements per piece of [`IntSlot::pieces`]: 4 KiB per buffer of 64-bit
/// lanes.
const PIECE: usize = 512;

/// One operand of an integer loop: a run of values, or one value for all.
pub(super) type Ints<'a, L> = kernels::Operand<'a, L>;

impl IntSlot<'_> {
    /// The root's dtype.
    pub(super) fn dtype(&self) -> Scalar {
        match self {
            IntSlot::Narrow(s) => s.dtype,
            IntSlot::Wide(s) => s.dtype,
        }
    }

    /// NumPy's name of the root's dtype, for `explain`.
    pub(super) fn dtype_name(&self) -> String {
        self.dtype().name()
    }

    /// The lanes the tree computes in, for `explain`.
    pub(super) fn lanes_text(&self) -> &'static str {
        match self {
            IntSlot::Narrow(_) => "32-bit integer lanes",
            IntSlot::Wide(_) => "64-bit integer lanes",
        }
    }

    /// Elements `outer ++ [start .. start + len]`, handed to `f` a piece at
    /// a time with the position of the piece's first: pieces of [`PIECE`]
    /// elements, so that every buffer of the tree stays in L1 (a block of
    /// 64-bit lanes would fill it alone, and the loops would wait on their
    /// stores).
    pub(super) fn pieces(
        &mut self,
        outer: &[usize],
        start: usize,
        len: usize,
        mut f: impl FnMut(IntRun<'_>, usize),
    ) {
        for at in (0..len).step_by(PIECE) {
            let n = PIECE.min(len - at);
            match self {
                IntSlot::Narrow(s) => {
                    s.eval(outer, start + at, n);
                    f(IntRun::Narrow(&s.out[..n]), at);
                }
                IntSlot::Wide(s) => {
                    s.eval(outer, start + at, n);
                    f(IntRun::Wide(&s.out[..n]), at);
                }
            }
        }
    }

    /// The tree as an expression (`read` a file's values, `general` a
    /// subtree on the general path); `nested` inside an operator.
    pub(super) fn describe(&self, nested: bool) -> String {
        match self {
            IntSlot::Narrow(s) => s.describe(nested),
            IntSlot::Wide(s) => s.describe(nested),
        }
    }

    /// The tree as an operand of a float tree: named by its dtype
    /// (`int16(read * 3)`), unless its root is a cast, which names it.
    pub(super) fn describe_typed(&self) -> String {
        let named = match self {
            IntSlot::Narrow(s) => matches!(s.op, IntOp::Cast(_) | IntOp::FromFloat(_)),
            IntSlot::Wide(s) => matches!(s.op, IntOp::Cast(_) | IntOp::FromFloat(_)),
        };
        match named {
            true => self.describe(false),
            false => format!("{}({})", self.dtype_name(), self.describe(false)),
        }
    }

    /// Bytes of the buffers the tree holds; `general` set where a subtree
    /// takes the general path.
    pub(super) fn held(&self, general: &mut bool) -> u64 {
        match self {
            IntSlot::Narrow(s) => s.held(general),
            IntSlot::Wide(s) => s.held(general),
        }
    }
}

impl<L: IntLane> Slot<'_, L> {
    fn values(&self) -> Ints<'_, L> {
        match self.op {
            IntOp::All(v) => Ints::All(v),
            _ => Ints::Run(&self.out),
        }
    }

    /// Elements `outer ++ [start .. start + dest.len()]` into `dest`, a
    /// piece at a time as [`IntSlot::pieces`] computes them, the root's
    /// operation writing straight into `dest` (no copy of its lanes).
    pub(super) fn pieces_into(&mut self, outer: &[usize], start: usize, dest: &mut [L]) {
        for at in (0..dest.len()).step_by(PIECE) {
            let n = PIECE.min(dest.len() - at);
            let piece = &mut dest[at..at + n];
            match self.op {
                IntOp::All(v) => piece.fill(v),
                _ => self.eval_into(outer, start + at, piece),
            }
        }
    }

    /// Elements `outer ++ [start .. start + len]` into `self.out`.
    fn eval(&mut self, outer: &[usize], start: usize, len: usize) {
        let mut out = std::mem::take(&mut self.out);
        out.resize(len, L::ZERO);
        self.eval_into(outer, start, &mut out);
        self.out = out;
    }

    /// Elements `outer ++ [start .. start + out.len()]` into `out` (left
    /// as it is for a 0-d operand, whose [`IntSlot::values`] are `All`).
    fn eval_into(&mut self, outer: &[usize], start: usize, out: &mut [L]) {
        let len = out.len();
        let Slot { op, dtype, .. } = self;
        match op {
            IntOp::All(_) => return,
            IntOp::Leaf(v) => {
                let (at, stride, d) = fused::leaf_run(v, outer, start);
                fused::read_part(v.source.bytes(), at, stride, d, out);
                return;
            }
            IntOp::Gathered(g) => {
                let d = g.dtype;
                fused::read_part(g.run(outer, start, len), 0, d.size as isize, d, out);
                return;
            }
            IntOp::General {
                parent,
                child,
                block,
            } => {
                fused::general_block(parent, child, outer, start, len, block);
                L::from_block(block, out);
                return;
            }
            IntOp::Unary(f, c) => {
                c.eval(outer, start, len);
                let x = c.values();
                let bool_in = c.dtype.kind == Kind::Bool;
                match f {
                    Func::Neg => zip(Neg, x, Ints::All(L::ZERO), out),
                    Func::Abs if c.dtype.kind == Kind::UInt => copy(x, out),
                    Func::Abs => zip(Abs, x, Ints::All(L::ZERO), out),
                    Func::Imag => out.fill(L::ZERO),
                    Func::Not if bool_in => zip(Eq, x, Ints::All(L::ZERO), out),
                    Func::Not => zip(Invert, x, Ints::All(L::ZERO), out),
                    _ => copy(x, out),
                }
            }
            IntOp::Binary(op, a, b) => {
                a.eval(outer, start, len);
                b.eval(outer, start, len);
                let unsigned = unsigned_wide(a.dtype) || unsigned_wide(b.dtype);
                binary(*op, a.values(), b.values(), *dtype, unsigned, out);
            }
            IntOp::Compare(op, a, b, bits) => {
                a.eval(outer, start, len);
                b.eval(outer, start, len);
                exact_compare(*op, a.values(), b.values(), *bits, out);
            }
            IntOp::Cast(c) => {
                c.eval(outer, start, len);
                copy(c.values(), out);
            }
            IntOp::FromFloat(f) => f.cast_into(outer, start, *dtype, out),
            IntOp::Power(c, e) => {
                c.eval(outer, start, len);
                let (e, x) = (*e, c.values());
                match x {
                    // The common square as one vector loop.
                    Ints::Run(_) if e == 2 => zip(Mul, x, x, out),
                    Ints::All(v) => out.fill(v.wrapping_pow(e)),
                    Ints::Run(vs) => {
                        for (o, &v) in out.iter_mut().zip(vs) {
                            *o = v.wrapping_pow(e);
                        }
                    }
                }
            }
            IntOp::Where(c, a, b) => {
                for s in [&mut *c, &mut *a, &mut *b] {
                    s.eval(outer, start, len);
                }
                select(c.values(), a.values(), b.values(), out);
            }
            IntOp::Clip(v, lo, hi, unsigned) => {
                v.eval(outer, start, len);
                for b in [&mut *lo, &mut *hi].into_iter().flatten() {
                    b.eval(outer, start, len);
                }
                let (lo, hi) = (
                    lo.as_ref().map(|b| b.values()),
                    hi.as_ref().map(|b| b.values()),
                );
                if *unsigned {
                    clip_unsigned(v.values(), lo, hi, out);
                } else {
                    match lo {
                        Some(lo) => zip(Max, v.values(), lo, out),
                        None => copy(v.values(), out),
                    }
                    let lower = |o: &mut L, h: L| {
                        if h < *o {
                            *o = h;
                        }
                    };
                    match hi {
                        Some(Ints::All(h)) => out.iter_mut().for_each(|o| lower(o, h)),
                        Some(Ints::Run(hs)) => {
                            out.iter_mut().zip(hs).for_each(|(o, &h)| lower(o, h))
                        }
                        None => {}
                    }
                }
            }
            IntOp::Broadcast(b) => {
                super::broadcast_outer(b.shape, outer, &mut b.outer);
                if b.along {
                    b.child.eval_into(&b.outer, start, out);
                } else {
                    b.child.eval_into(&b.outer, 0, &mut out[..1]);
                    let v = out[0];
                    out.fill(v);
                }
                // The child's values, already in its dtype.
                return;
            }
        }
        L::wrap(*dtype, out);
    }

    /// The tree as an expression (`read` a file's values, `general` a
    /// subtree on the general path); `nested` inside an operator.
    pub(super) fn describe(&self, nested: bool) -> String {
        match &self.op {
            IntOp::All(v) => v.to_string(),
            IntOp::Leaf(_) => "read".to_string(),
            IntOp::Gathered(_) => "gather".to_string(),
            IntOp::General { child, .. } if matches!(&*child.node, Node::Leaf(_)) => {
                "read".to_string()
            }
            IntOp::General { .. } => "general".to_string(),
            IntOp::Unary(f, c) => fused::unary_text(*f, |nested| c.describe(nested)),
            IntOp::Binary(op, a, b) | IntOp::Compare(op, a, b, _) => {
                fused::binary_text(*op, a.describe(true), b.describe(true), nested)
            }
            IntOp::Cast(c) => format!("{}({})", self.dtype.name(), c.describe(false)),
            IntOp::FromFloat(f) => format!("{}({})", self.dtype.name(), f.describe()),
            IntOp::Power(c, e) => {
                fused::binary_text(BinOp::Pow, c.describe(true), e.to_string(), nested)
            }
            IntOp::Where(c, a, b) => {
                fused::call_text("where", [c, a, b].map(|s| s.describe(false)))
            }
            IntOp::Clip(v, lo, hi, _) => {
                let bound = |b: &Option<Box<Slot<'_, L>>>| {
                    b.as_ref().map_or("None".to_string(), |b| b.describe(false))
                };
                fused::call_text("clip", [v.describe(false), bound(lo), bound(hi)])
            }
            IntOp::Broadcast(b) => format!("broadcast({})", b.child.describe(false)),
        }
    }

    /// Bytes of the buffers the tree holds; `general` set where a subtree
    /// takes the general path.
    pub(super) fn held(&self, general: &mut bool) -> u64 {
        let own = (super::BLOCK * 8) as u64;
        own + match &self.op {
            IntOp::All(_) | IntOp::Leaf(_) => 0,
            IntOp::Gathered(g) => (super::BLOCK * g.dtype.size) as u64,
            IntOp::General { .. } => {
                *general = true;
                0
            }
            IntOp::Unary(_, c) | IntOp::Cast(c) => c.held(general),
            IntOp::FromFloat(f) => f.held(general),
            IntOp::Power(c, _) => c.held(general),
            IntOp::Binary(_, a, b) | IntOp::Compare(_, a, b, _) => {
                a.held(general) + b.held(general)
            }
            IntOp::Where(c, a, b) => c.held(general) + a.held(general) + b.held(general),
            IntOp::Clip(v, lo, hi, _) => {
                let bound = |b: &Option<Box<Slot<'_, L>>>, general: &mut bool| {
                    b.as_ref().map_or(0, |b| b.held(general))
                };
                v.held(general) + bound(lo, general) + bound(hi, general)
            }
            IntOp::Broadcast(b) => b.child.held(general),
        }
    }
}

/// `a op b`, a comparison, of each element into `out`, exact over
/// uint64 and signed integers together (`bits`: which operand holds
/// uint64's bits): a negative value is below every uint64, and otherwise
/// the two compare as unsigned.
fn exact_compare<L: IntLane>(
    op: BinOp,
    a: Ints<'_, L>,
    b: Ints<'_, L>,
    bits: [bool; 2],
    out: &mut [L],
) {
    let value = |x: Ints<'_, L>, k: usize, unsigned: bool| {
        let v: i64 = match x {
            Ints::All(v) => v.as_(),
            Ints::Run(vs) => vs[k].as_(),
        };
        if unsigned {
            i128::from(v as u64)
        } else {
            i128::from(v)
        }
    };
    for (k, o) in out.iter_mut().enumerate() {
        let (x, y) = (value(a, k, bits[0]), value(b, k, bits[1]));
        *o = L::from_bool(match op {
            BinOp::Lt => x < y,
            BinOp::Le => x <= y,
            BinOp::Gt => x > y,
            BinOp::Ge => x >= y,
            BinOp::Eq => x == y,
            _ => x != y,
        });
    }
}

/// `clip` of uint64's bits (`minimum(maximum(x, lo), hi)`, a bound of
/// `None` not bounding), compared unsigned: with their top bits flipped,
/// they compare as signed integers do.
fn clip_unsigned<L: IntLane>(
    x: Ints<'_, L>,
    lo: Option<Ints<'_, L>>,
    hi: Option<Ints<'_, L>>,
    out: &mut [L],
) {
    let key = |v: L| AsPrimitive::<i64>::as_(v) ^ i64::MIN;
    let get = |o: Ints<'_, L>, k: usize| match o {
        Ints::All(v) => v,
        Ints::Run(vs) => vs[k],
    };
    for (k, o) in out.iter_mut().enumerate() {
        let mut v = get(x, k);
        if let Some(l) = lo.map(|l| get(l, k)).filter(|&l| key(l) > key(v)) {
            v = l;
        }
        if let Some(h) = hi.map(|h| get(h, k)).filter(|&h| key(h) < key(v)) {
            v = h;
        }
        *o = v;
    }
}

/// `where(c, a, b)` of each element into `out`, without branches: a
/// condition is as often true as not.
fn select<L: IntLane>(c: Ints<'_, L>, a: Ints<'_, L>, b: Ints<'_, L>, out: &mut [L]) {
    match c {
        Ints::All(c) => copy(if c != L::ZERO { a } else { b }, out),
        Ints::Run(c) => kernels::select(c, a, b, out),
    }
}

/// `a op b` of each element into `out`, for a node of dtype `d`;
/// `unsigned`: an operand is uint64 (and the other unsigned).
fn binary<L: IntLane>(
    op: BinOp,
    a: Ints<'_, L>,
    b: Ints<'_, L>,
    d: Scalar,
    unsigned: bool,
    out: &mut [L],
) {
    // Floor division and modulo in float64 are exact for 32-bit operands
    // only; 64-bit integers divide as integers.
    if L::wide_binary(op, a, b, unsigned, d.size == 8, out) {
        return;
    }
    match op {
        BinOp::Add => zip(Add, a, b, out),
        BinOp::Sub => zip(Sub, a, b, out),
        BinOp::Mul => zip(Mul, a, b, out),
        BinOp::And => zip(And, a, b, out),
        BinOp::Or => zip(Or, a, b, out),
        BinOp::Xor => zip(Xor, a, b, out),
        BinOp::Lt => zip(Lt, a, b, out),
        BinOp::Le => zip(Le, a, b, out),
        BinOp::Gt => zip(Gt, a, b, out),
        BinOp::Ge => zip(Ge, a, b, out),
        BinOp::Eq => zip(Eq, a, b, out),
        BinOp::Ne => zip(Ne, a, b, out),
        BinOp::FloorDiv => zip(FloorDiv, a, b, out),
        BinOp::Mod => zip(Mod, a, b, out),
        BinOp::Div | BinOp::Pow => unreachable!("compile keeps {op} off the integer lanes"),
    }
}

/// int64 `a // b` (or `a % b`): in float64 with one exact correction
/// where every divisor is near ([`near_divisor`]), which vectorises; else
/// an integer division per value.
fn floor_div64(modulo: bool, a: Ints<'_, i64>, b: Ints<'_, i64>, out: &mut [i64]) {
    let near = match b {
        Ints::All(d) => near_divisor(d),
        // Without an early exit, which would keep the loop scalar.
        Ints::Run(ds) => ds.iter().fold(true, |ok, &d| ok & near_divisor(d)),
    };
    match (near, modulo) {
        (true, false) => zip(FloorDivNear, a, b, out),
        (true, true) => zip(ModNear, a, b, out),
        (false, false) => zip(FloorDiv64, a, b, out),
        (false, true) => zip(Mod64, a, b, out),
    }
}

/// Divisors [`near_floor_div`] divides by exactly: not zero, at most 2^40
/// in magnitude.
#[inline(always)]
fn near_divisor(d: i64) -> bool {
    d != 0 && d.unsigned_abs() <= 1 << 40
}

/// Python's `n // d` of int64 values for a divisor with `near_divisor`,
/// wrapping as NumPy's (`MIN // -1` is `MIN`), without an integer
/// division: `q0`, the floor of the float64 quotient, is within
/// `2^63 / |d| · 2^-51 + 1` of the true one (three roundings of relative
/// size 2^-53), so the remainder `n - q0·d` is below `2^12 + 2|d| < 2^53`
/// in magnitude, exact in int64 (wrapping arithmetic gives the true value
/// when it fits) and in float64; and `floor(r0 / d)` in float64 is exact
/// for both below 2^53 (a quotient that is not whole is at least `1/|d|`
/// from a whole number, more than its rounding error). Then
/// `floor(n / d) = q0 + floor(r0 / d)` exactly. (`MIN // -1`: `q0` is
/// 2^63, which the conversion wraps to `MIN`, and the remainder is 0.)
#[inline(always)]
fn near_floor_div(n: i64, d: i64) -> i64 {
    let df = d as f64;
    let q0 = kernels::whole_to_int((n as f64 / df).floor());
    let r0 = n.wrapping_sub(q0.wrapping_mul(d));
    q0.wrapping_add(kernels::small_to_int((r0 as f64 / df).floor()))
}

macro_rules! int_ops {
    ($($name:ident: |$a:ident, $b:ident| $e:expr;)*) => {$(
        #[derive(Clone, Copy)]
        struct $name;
        impl<L: IntLane> kernels::Apply<L> for $name {
            #[inline(always)]
            fn apply(self, $a: L, $b: L) -> L {
                $e
            }
        }
    )*};
}

/// Operations of 64-bit lanes only.
macro_rules! wide_ops {
    ($($name:ident: |$a:ident, $b:ident| $e:expr;)*) => {$(
        #[derive(Clone, Copy)]
        struct $name;
        impl kernels::Apply<i64> for $name {
            #[inline(always)]
            fn apply(self, $a: i64, $b: i64) -> i64 {
                $e
            }
        }
    )*};
}

int_ops! {
    Add: |a, b| a.wrapping_add(b);
    Sub: |a, b| a.wrapping_sub(b);
    Mul: |a, b| a.wrapping_mul(b);
    And: |a, b| a & b;
    Or: |a, b| a | b;
    Xor: |a, b| a ^ b;
    Lt: |a, b| L::from_bool(a < b);
    Le: |a, b| L::from_bool(a <= b);
    Gt: |a, b| L::from_bool(a > b);
    Ge: |a, b| L::from_bool(a >= b);
    Eq: |a, b| L::from_bool(a == b);
    Ne: |a, b| L::from_bool(a != b);
    FloorDiv: |a, b| floor_div(a, b);
    Mod: |a, b| if b == L::ZERO { L::ZERO } else { a.wrapping_sub(floor_div(a, b).wrapping_mul(b)) };
    Neg: |a, _b| a.wrapping_neg();
    Abs: |a, _b| a.wrapping_abs();
    Invert: |a, _b| !a;
    Max: |a, b| if a > b { a } else { b };
}

wide_ops! {
    // int64: NumPy's results where there is no quotient (0 for a zero
    // divisor, MIN // -1 wrapping to MIN, MIN % -1 = 0).
    FloorDiv64: |a, b| {
        let q = if b == 0 { 0 } else { a.wrapping_div(b) };
        let inexact = b != 0 && a.wrapping_rem(b) != 0;
        // Neither wraps (an inexact quotient is below |a| / 2); wrapping
        // so that no overflow check stands in the loop.
        if inexact && ((a < 0) != (b < 0)) { q.wrapping_sub(1) } else { q }
    };
    Mod64: |a, b| {
        let r = if b == 0 { 0 } else { a.wrapping_rem(b) };
        if r != 0 && ((r < 0) != (b < 0)) { r.wrapping_add(b) } else { r }
    };
    FloorDivNear: |a, b| near_floor_div(a, b);
    ModNear: |a, b| a.wrapping_sub(near_floor_div(a, b).wrapping_mul(b));
    // uint64, held as its bits.
    LtU: |a, b| i64::from((a as u64) < (b as u64));
    LeU: |a, b| i64::from((a as u64) <= (b as u64));
    DivU: |a, b| if b == 0 { 0 } else { ((a as u64) / (b as u64)) as i64 };
    RemU: |a, b| if b == 0 { 0 } else { ((a as u64) % (b as u64)) as i64 };
}

/// Python's `a // b` of two integers of up to 32 bits (so at most 2^32 in
/// magnitude), 0 for `b == 0` as NumPy gives, in float64, which vectorises
/// (integer division does not): the quotient's rounding cannot cross a
/// whole number, as `a / b` is a whole number or at least `1 / |b|` from
/// one, more than the rounding error of a quotient below `2^32 / |b|`.
#[inline(always)]
fn floor_div<L: IntLane>(a: L, b: L) -> L {
    let (x, y): (f64, f64) = (a.as_(), b.as_());
    let q = (x / y).floor();
    let q = if b == L::ZERO { 0.0 } else { q };
    L::from_i64(kernels::small_to_int(q))
}

struct Wrap<'a, L> {
    d: Scalar,
    out: &'a mut [L],
}

impl<L: IntLane> WithSimd for Wrap<'_, L> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let Wrap { d, out } = self;
        macro_rules! each {
            ($e:expr) => {
                for v in out.iter_mut() {
                    *v = $e(*v);
                }
            };
        }
        // Through i64 (`as_`), then back (`from_i64`): for 32-bit lanes the
        // same narrowing, which the compiler does in them.
        let wide = |v: L| -> i64 { v.as_() };
        match (d.kind, d.size) {
            (Kind::Bool, _) => each!(|v: L| L::from_bool(v != L::ZERO)),
            (Kind::Int, 1) => each!(|v: L| L::from_i64(i64::from(wide(v) as i8))),
            (Kind::Int, 2) => each!(|v: L| L::from_i64(i64::from(wide(v) as i16))),
            (Kind::Int, 4) => each!(|v: L| L::from_i64(i64::from(wide(v) as i32))),
            (Kind::UInt, 1) => each!(|v: L| L::from_i64(i64::from(wide(v) as u8))),
            (Kind::UInt, 2) => each!(|v: L| L::from_i64(i64::from(wide(v) as u16))),
            (Kind::UInt, 4) => each!(|v: L| L::from_i64(i64::from(wide(v) as u32))),
            (Kind::Int | Kind::UInt, 8) => {}
            _ => unreachable!("integer lanes hold integers of up to 32 bits and int64"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::elementwise::{int_floor_div, int_mod};
    use kernels::Apply;

    /// Floor division and modulo in float64 against Python's integer
    /// rules in i128, at the ends of every dtype the lanes hold, near
    /// whole quotients and at random: the same values, 0 for a zero
    /// divisor.
    #[test]
    fn floor_division_in_float64_is_pythons() {
        let mut s = 0x853c_49e6_748f_ea9bu64;
        let mut edges: Vec<i64> = vec![0, 1, 2, 3, 7, 255, 256, 32767, 32768, 65535, 65536];
        edges.extend([i64::from(i32::MAX), i64::from(u32::MAX), 1 << 31, 1 << 32]);
        edges.extend([(1 << 31) - 7, 4_294_967_291, 2_147_483_629, 99_999_989]);
        let negatives: Vec<i64> = edges.iter().map(|v| -v).collect();
        edges.extend(negatives);
        for _ in 0..2000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            edges.push((s >> 31) as i64 - (1 << 32));
        }
        for &a in &edges {
            for &b in edges
                .iter()
                .step_by(7)
                .chain(&[1, -1, 2, -3, 4_294_967_295])
            {
                let (x, y) = (i128::from(a), i128::from(b));
                let (q, m) = if b == 0 {
                    (0, 0)
                } else {
                    (int_floor_div(x, y) as i64, int_mod(x, y) as i64)
                };
                assert_eq!(FloorDiv.apply(a, b), q, "{a} // {b}");
                assert_eq!(Mod.apply(a, b), m, "{a} % {b}");
            }
        }
    }

    /// int64 floor division and modulo by a near divisor (float64 and one
    /// correction) against the integer division, over the whole int64
    /// range: its ends, values near multiples of the divisor, random
    /// values, and divisors from ±1 to ±2^40; with `MIN // -1` wrapping.
    /// Then the block routine, for a constant divisor and a run of them
    /// (near and not), against the same.
    #[test]
    fn int64_floor_division_by_a_near_divisor_is_exact() {
        let mut s = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let mut divisors: Vec<i64> = vec![1, 2, 3, 7, 10, 1000, (1 << 40) - 1, 1 << 40, 1 << 20];
        for k in 0..200 {
            divisors.push((next() >> (24 + k % 40)) as i64 + 1);
        }
        let negatives: Vec<i64> = divisors.iter().map(|d| -d).collect();
        divisors.extend(negatives);
        let mut values: Vec<i64> = vec![0, 1, -1, i64::MIN, i64::MIN + 1, i64::MAX, i64::MAX - 1];
        for _ in 0..300 {
            let v = next() as i64;
            values.push(v);
            values.push(v >> (next() % 63));
        }
        for &d in &divisors {
            assert!(near_divisor(d));
            let multiples = [i64::MAX, i64::MIN, next() as i64 >> 20]
                .map(|v| v.wrapping_div(d).wrapping_mul(d));
            for &v in values.iter().chain(&multiples) {
                for n in [v, v.wrapping_add(1), v.wrapping_sub(1)] {
                    let (q, m) = (FloorDiv64.apply(n, d), Mod64.apply(n, d));
                    assert_eq!(FloorDivNear.apply(n, d), q, "{n} // {d}");
                    assert_eq!(ModNear.apply(n, d), m, "{n} % {d}");
                }
            }
        }
        // The block routine picks the right loop.
        let n: Vec<i64> = values.clone();
        for ds in [
            vec![7i64; n.len()],
            vec![0i64; n.len()],
            n.iter().map(|&v| v | 1).collect(),
        ] {
            for modulo in [false, true] {
                let mut got = vec![0i64; n.len()];
                floor_div64(modulo, Ints::Run(&n), Ints::Run(&ds), &mut got);
                for ((&a, &b), &g) in n.iter().zip(&ds).zip(&got) {
                    let want = if modulo {
                        Mod64.apply(a, b)
                    } else {
                        FloorDiv64.apply(a, b)
                    };
                    assert_eq!(g, want, "{a} {} {b}", if modulo { "%" } else { "//" });
                }
                let mut all = vec![0i64; n.len()];
                floor_div64(modulo, Ints::Run(&n), Ints::All(ds[0]), &mut all);
                for (&a, &g) in n.iter().zip(&all) {
                    let want = if modulo {
                        Mod64.apply(a, ds[0])
                    } else {
                        FloorDiv64.apply(a, ds[0])
                    };
                    assert_eq!(g, want);
                }
            }
        }
        assert_eq!(FloorDivNear.apply(i64::MIN, -1), i64::MIN);
        assert_eq!(ModNear.apply(i64::MIN, -1), 0);
    }
}
