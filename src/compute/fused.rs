//! The block evaluator every computation runs through ([`Fused`]).
//!
//! A [`Lazy`] tree is compiled once per thread into slots that own their
//! buffers, which are reused from block to block: no allocation, no
//! broadcast constant and no dispatch per element. The part of the tree
//! whose values are float32, complex64 or booleans computes in float32
//! lanes, in loops compiled for the CPU's widest vectors
//! ([`kernels::zip_lanes`]). That is exact, not an approximation: IEEE
//! +, −, ×, ÷ and √ of float32 operands in float32 give the bits that
//! float64-then-round gives (float64 has more than twice float32's
//! precision, so double rounding is innocuous), and comparisons of float32
//! values are the same in either width. So the values are NumPy's, and the
//! general path's ([`Lazy::block`]), bit for bit; a test compares them.
//!
//! Everything else (integers, float64, gathers, transforms, operands
//! broadcast along an axis) is evaluated by [`Lazy::block`], the general
//! path in float64, and enters a float32 region as an operand only when
//! its dtype's values are exact in float32. Logarithms and `exp` of
//! float32 values widen a block to float64, take the vectorised logarithm
//! or `exp` there, and round once, as the general path does.

use super::kernels::{self, LaneOp, Operand};
use super::{Block, Func, Lazy, Node};
use crate::dtype::{ByteOrder, Kind, Scalar};
use crate::ops::BinOp;
use crate::view::View;
use std::sync::OnceLock;

/// Evaluates blocks of one expression; one per thread.
pub struct Fused<'a> {
    x: &'a Lazy,
    plan: Option<Slot<'a>>,
    /// `x` is a bare leaf: [`Fused::block`] decodes it straight into
    /// float64 rather than through lanes (nothing to fuse).
    bare_leaf: bool,
    out: Block,
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
        let bare_leaf = matches!(&*x.node, Node::Leaf(_));
        let plan = if lanes_on() && x.ndim() > 0 && lanes(x.dtype) {
            compile(x)
        } else {
            None
        };
        Fused {
            x,
            plan,
            bare_leaf,
            out: Block::default(),
        }
    }

    /// Elements `outer ++ [start .. start + len]`: real float32 lanes where
    /// the expression computes in them, else as [`Fused::block`] gives
    /// them.
    pub fn values(&mut self, outer: &[usize], start: usize, len: usize) -> Values<'_> {
        if self.plan.as_ref().is_some_and(|p| !p.complex) {
            let plan = self.plan.as_mut().expect("checked above");
            plan.eval(outer, start, len);
            return Values::Lanes(&plan.re[..len]);
        }
        Values::Block(self.block(outer, start, len))
    }

    /// How blocks are computed, for `explain`: the float32 lanes' tree
    /// (`read` a file's values, `general` a subtree on the general path),
    /// or the general path.
    pub fn describe(&self, reads_lanes: bool) -> String {
        match &self.plan {
            Some(_) if self.bare_leaf && reads_lanes => {
                "read straight into float32 lanes".to_string()
            }
            _ if self.bare_leaf => "decoded straight into float64 blocks".to_string(),
            Some(s) => format!("in float32 lanes, fused per block: {}", s.describe(false)),
            None => "in float64 blocks, node by node (the general path)".to_string(),
        }
    }

    /// Bytes of the buffers one evaluator holds, and whether any subtree
    /// takes the general path (whose float64 blocks are counted apart).
    pub fn held(&self) -> (u64, bool) {
        let mut general = self.plan.is_none();
        let lanes = self.plan.as_ref().map_or(0, |s| s.held(&mut general));
        let parts = if self.x.is_complex() { 2 } else { 1 };
        (lanes + (super::BLOCK * 8 * parts) as u64, general)
    }

    /// Elements `outer ++ [start .. start + len]`, as [`Lazy::block`] gives
    /// them, in a buffer that the next call reuses.
    pub fn block(&mut self, outer: &[usize], start: usize, len: usize) -> &Block {
        let plan = self.plan.as_mut().filter(|_| !self.bare_leaf);
        let Some(plan) = plan else {
            self.x.block_into(outer, start, len, &mut self.out);
            return &self.out;
        };
        plan.eval(outer, start, len);
        self.out.re.resize(len, 0.0);
        kernels::convert(&plan.re[..len], &mut self.out.re);
        if plan.complex {
            let im = self.out.im.get_or_insert_with(Vec::new);
            im.resize(len, 0.0);
            kernels::convert(&plan.im[..len], im);
        } else {
            self.out.im = None;
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

/// Dtypes whose nodes compute in float32 lanes.
fn lanes(d: Scalar) -> bool {
    matches!(
        (d.kind, d.size),
        (Kind::Float, 4) | (Kind::Complex, 8) | (Kind::Bool, _)
    )
}

/// Dtypes whose every value float32 holds exactly.
fn exact_in_f32(d: Scalar) -> bool {
    lanes(d) || matches!((d.kind, d.size), (Kind::Int | Kind::UInt, 1 | 2))
}

fn is_complex(d: Scalar) -> bool {
    d.kind == Kind::Complex
}

/// One node's values for the current block.
struct Slot<'a> {
    op: Op<'a>,
    complex: bool,
    re: Vec<f32>,
    im: Vec<f32>,
    /// A float64 copy of the block, for logarithms and `exp`.
    wide: Vec<f64>,
}

enum Op<'a> {
    /// The same value everywhere: a constant or a 0-d operand.
    All(f32, f32),
    /// Little-endian float32 or complex64 values in one mapping.
    Leaf(&'a View),
    /// A subtree the general path evaluates, broadcast to the parent's
    /// shape; its values are exact in float32.
    General {
        parent: &'a Lazy,
        child: &'a Lazy,
    },
    Unary(Func, Box<Slot<'a>>),
    Binary(BinOp, Box<Slot<'a>>, Box<Slot<'a>>),
    Where(Box<Slot<'a>>, Box<Slot<'a>>, Box<Slot<'a>>),
}

fn slot(op: Op<'_>, complex: bool) -> Slot<'_> {
    Slot {
        op,
        complex,
        re: Vec::new(),
        im: Vec::new(),
        wide: Vec::new(),
    }
}

/// `x` itself in lanes, when its operation has a float32 form.
fn compile(x: &Lazy) -> Option<Slot<'_>> {
    let complex = is_complex(x.dtype);
    let op = match &*x.node {
        Node::Leaf(v) => {
            let little = v.dtype.as_scalar()?.order == ByteOrder::Little;
            let own = matches!(
                (x.dtype.kind, x.dtype.size),
                (Kind::Float, 4) | (Kind::Complex, 8)
            );
            (little && own && v.source.dataset().is_none()).then_some(Op::Leaf(v))?
        }
        Node::Unary(f, c) => {
            let c_complex = is_complex(c.dtype);
            let single = x.dtype.kind == Kind::Float && x.dtype.size == 4;
            let fits = match f {
                Func::Neg | Func::Pos | Func::Abs | Func::Real | Func::Imag | Func::Conj => true,
                Func::IsNan | Func::IsFinite => true,
                Func::Sqrt => !c_complex,
                Func::Not => c.dtype.kind == Kind::Bool,
                Func::Log | Func::Log10 | Func::Exp => single && !c_complex,
                Func::Db => single,
                Func::Angle | Func::Round(_) => false,
            };
            fits.then_some(())?;
            Op::Unary(*f, Box::new(operand(x, c)?))
        }
        Node::Binary(op, a, b) => {
            let real = !is_complex(a.dtype) && !is_complex(b.dtype);
            let arith = matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div);
            let fits = match x.dtype.kind {
                Kind::Float => arith && real,
                Kind::Complex => arith,
                _ => match op {
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Eq | BinOp::Ne => real,
                    BinOp::And | BinOp::Or | BinOp::Xor => {
                        a.dtype.kind == Kind::Bool && b.dtype.kind == Kind::Bool
                    }
                    _ => false,
                },
            };
            fits.then_some(())?;
            Op::Binary(*op, Box::new(operand(x, a)?), Box::new(operand(x, b)?))
        }
        Node::Where(c, a, b) => Op::Where(
            Box::new(operand(x, c)?),
            Box::new(operand(x, a)?),
            Box::new(operand(x, b)?),
        ),
        _ => return None,
    };
    Some(slot(op, complex))
}

/// Child `c` of `parent` as an operand in lanes: one value, its own
/// lanes, or the general path's values (exact in float32), broadcast.
fn operand<'a>(parent: &'a Lazy, c: &'a Lazy) -> Option<Slot<'a>> {
    let complex = is_complex(c.dtype);
    if c.ndim() == 0 {
        let v = c.at(&[]);
        let (re, im) = (v.re as f32, v.im as f32);
        let exact = |a: f32, b: f64| a as f64 == b || (a.is_nan() && b.is_nan());
        return (exact(re, v.re) && exact(im, v.im)).then(|| slot(Op::All(re, im), complex));
    }
    if c.shape == parent.shape {
        if let Some(s) = lanes(c.dtype).then(|| compile(c)).flatten() {
            return Some(s);
        }
    }
    exact_in_f32(c.dtype).then(|| slot(Op::General { parent, child: c }, complex))
}

impl Slot<'_> {
    /// The tree as an expression; `nested` inside an operator.
    fn describe(&self, nested: bool) -> String {
        match &self.op {
            Op::All(re, im) if self.complex => format!("({re}{im:+}j)"),
            Op::All(re, _) => format!("{re}"),
            Op::Leaf(_) => "read".to_string(),
            Op::General { .. } => "general".to_string(),
            Op::Unary(Func::Neg, c) => format!("-{}", c.describe(true)),
            Op::Unary(Func::Pos, c) => format!("+{}", c.describe(true)),
            Op::Unary(Func::Not, c) => format!("~{}", c.describe(true)),
            Op::Unary(f, c) => format!("{}({})", f.name(), c.describe(false)),
            Op::Binary(op, a, b) => {
                let e = format!("{} {op} {}", a.describe(true), b.describe(true));
                if nested {
                    format!("({e})")
                } else {
                    e
                }
            }
            Op::Where(c, a, b) => format!(
                "where({}, {}, {})",
                c.describe(false),
                a.describe(false),
                b.describe(false)
            ),
        }
    }

    fn held(&self, general: &mut bool) -> u64 {
        let own = (super::BLOCK * 4 * if self.complex { 2 } else { 1 }) as u64;
        own + match &self.op {
            Op::All(..) => 0,
            Op::Leaf(_) => 0,
            Op::General { .. } => {
                *general = true;
                0
            }
            Op::Unary(f, c) => {
                let wide = matches!(f, Func::Log | Func::Log10 | Func::Db | Func::Exp);
                c.held(general) + if wide { super::BLOCK as u64 * 8 } else { 0 }
            }
            Op::Binary(_, a, b) => a.held(general) + b.held(general),
            Op::Where(c, a, b) => c.held(general) + a.held(general) + b.held(general),
        }
    }

    fn real(&self) -> Operand<'_> {
        match self.op {
            Op::All(re, _) => Operand::All(re),
            _ => Operand::Run(&self.re),
        }
    }

    /// The imaginary parts (zeros for a real operand).
    fn imag(&self) -> Operand<'_> {
        match self.op {
            Op::All(_, im) => Operand::All(im),
            _ if self.complex => Operand::Run(&self.im),
            _ => Operand::All(0.0),
        }
    }

    fn eval(&mut self, outer: &[usize], start: usize, len: usize) {
        let Slot {
            op,
            complex,
            re,
            im,
            wide,
        } = self;
        re.resize(len, 0.0);
        if *complex {
            im.resize(len, 0.0);
        }
        match op {
            Op::All(..) => {}
            Op::Leaf(v) => {
                let mut idx = outer.to_vec();
                idx.push(start);
                let at = v.element_offset(&idx);
                let stride = v.strides[v.ndim() - 1];
                let bytes = v.source.bytes();
                let len = re.len();
                if *complex && stride == 8 && len > 0 {
                    // Contiguous complex64: both parts in one pass.
                    kernels::decode_pairs(&bytes[at..at + len * 8], re, im);
                } else {
                    decode_part(bytes, at, stride, re);
                    if *complex {
                        decode_part(bytes, at + 4, stride, im);
                    }
                }
            }
            Op::General { parent, child } => {
                let b = parent.child(child, outer, start, len);
                kernels::convert(&b.re, re);
                if let (true, Some(bi)) = (*complex, b.im.as_ref()) {
                    kernels::convert(bi, im);
                }
            }
            Op::Unary(f, c) => {
                c.eval(outer, start, len);
                unary(*f, c, re, im, wide);
            }
            Op::Binary(op, a, b) => {
                a.eval(outer, start, len);
                b.eval(outer, start, len);
                if *complex {
                    complex_binary(*op, a, b, re, im);
                } else {
                    binary(*op, a.real(), b.real(), re);
                }
            }
            Op::Where(c, a, b) => {
                for s in [&mut *c, &mut *a, &mut *b] {
                    s.eval(outer, start, len);
                }
                let at = |o: Operand<'_>, k: usize| match o {
                    Operand::Run(v) => v[k],
                    Operand::All(v) => v,
                };
                for k in 0..len {
                    let pick = at(c.real(), k) != 0.0 || at(c.imag(), k) != 0.0;
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

/// Float32 values every `stride` bytes from `at` into `out`, the first
/// four bytes of each element.
fn decode_part(bytes: &[u8], at: usize, stride: isize, out: &mut [f32]) {
    let len = out.len();
    if len == 0 {
        return;
    }
    let word = |o: usize| f32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
    if stride >= 4 {
        let s = stride as usize;
        let run = &bytes[at..at + (len - 1) * s + 4];
        match s {
            4 => kernels::decode_f32_le::<4, f32>(run, out),
            8 => kernels::decode_f32_le::<8, f32>(run, out),
            16 => kernels::decode_f32_le::<16, f32>(run, out),
            _ => {
                for (o, c) in out.iter_mut().zip(run.chunks(s)) {
                    *o = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                }
            }
        }
        // The chunks of a step longer than 4 miss the last element.
        out[len - 1] = word(at + (len - 1) * s);
    } else {
        for (k, o) in out.iter_mut().enumerate() {
            *o = word((at as isize + k as isize * stride) as usize);
        }
    }
}

fn binary(op: BinOp, a: Operand<'_>, b: Operand<'_>, out: &mut [f32]) {
    use kernels as k;
    fn go<O: LaneOp>(o: O, a: Operand<'_>, b: Operand<'_>, out: &mut [f32]) {
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
        BinOp::FloorDiv | BinOp::Mod | BinOp::Pow => {
            unreachable!("compile keeps {op} on the general path")
        }
    }
}

/// Complex64 `a op b` (`+ - * /`), NumPy's float32 arithmetic; a real
/// operand is a complex one with a zero imaginary part.
fn complex_binary(op: BinOp, a: &Slot<'_>, b: &Slot<'_>, re: &mut [f32], im: &mut [f32]) {
    match op {
        BinOp::Add | BinOp::Sub => {
            binary(op, a.real(), b.real(), re);
            binary(op, a.imag(), b.imag(), im);
        }
        _ => {
            let at = |o: Operand<'_>, k: usize| match o {
                Operand::Run(v) => v[k],
                Operand::All(v) => v,
            };
            for k in 0..re.len() {
                let x = (at(a.real(), k), at(a.imag(), k));
                let y = (at(b.real(), k), at(b.imag(), k));
                (re[k], im[k]) = super::elementwise::complex_op(op, x, y);
            }
        }
    }
}

fn unary(f: Func, c: &Slot<'_>, re: &mut [f32], im: &mut [f32], wide: &mut Vec<f64>) {
    use kernels as k;
    let (x, y, zero) = (c.real(), c.imag(), Operand::All(0.0));
    match f {
        // Copies, not `x + 0`, which would turn -0.0 into 0.0.
        Func::Pos | Func::Real | Func::Conj | Func::Log | Func::Log10 | Func::Exp => copy(x, re),
        Func::Imag => copy(y, re),
        Func::Neg => k::zip_lanes(k::Neg, x, zero, re),
        Func::Not => k::zip_lanes(k::Not, x, zero, re),
        Func::Sqrt => k::zip_lanes(k::Sqrt, x, zero, re),
        Func::IsNan => k::zip_lanes(k::EitherNan, x, y, re),
        Func::IsFinite => k::zip_lanes(k::BothFinite, x, y, re),
        Func::Abs | Func::Db if c.complex => match (x, y) {
            (Operand::Run(a), Operand::Run(b)) => k::magnitudes(a, b, re),
            (a, b) => re.fill(super::magnitude32(one(a), one(b))),
        },
        Func::Abs | Func::Db => k::zip_lanes(k::Abs, x, zero, re),
        Func::Angle | Func::Round(_) => unreachable!("compile keeps {f:?} on the general path"),
    }
    if c.complex {
        match f {
            Func::Neg | Func::Conj => k::zip_lanes(k::Neg, y, zero, im),
            Func::Pos => copy(y, im),
            _ => {}
        }
    }
    if matches!(f, Func::Log | Func::Log10 | Func::Db | Func::Exp) {
        wide.resize(re.len(), 0.0);
        k::convert(re, wide);
        match f {
            Func::Exp => k::exp_in_place(wide),
            _ => super::ln_f32(wide, f),
        }
        k::convert(wide, re);
    }
}

/// The first value of an operand.
fn one(x: Operand<'_>) -> f32 {
    match x {
        Operand::Run(v) => v.first().copied().unwrap_or(0.0),
        Operand::All(v) => v,
    }
}

/// An operand's values into `out`.
fn copy(x: Operand<'_>, out: &mut [f32]) {
    match x {
        Operand::Run(v) => out.copy_from_slice(&v[..out.len()]),
        Operand::All(v) => out.fill(v),
    }
}
