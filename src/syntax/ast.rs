//! The syntax tree of the strided language: what a line *says*, with the
//! byte span of every part, and nothing about what it *means* (names, files
//! and values are resolved later by `eval`).

pub use crate::lit::{Lit, LitKind};
pub use crate::ops::{BinOp, UnaryOp};
pub use crate::span::{Span, Spanned};

/// One statement: a line holds zero or more, separated by `;`.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    /// `open PATH [SHAPE] [DTYPE] [offset=N] [order=C|F] [as NAME]`
    Open(Open),
    /// `close NAME`
    Close(Spanned<String>),
    /// `info NAME`
    Info(Spanned<String>),
    /// `guess PATH`: the most plausible layouts of a file with no header
    Guess(Spanned<String>),
    /// `export NAME vrt|envi|numpy [to PATH]`,
    /// `export [stats|hist] EXPR dask [bins=N] [range=LO,HI] [to PATH]`
    Export {
        what: Exported,
        format: Spanned<String>,
        to: Option<Spanned<String>>,
    },
    /// `save EXPR PATH`
    Save { expr: Expr, path: Spanned<String> },
    /// `set NAME VALUE` (or `set` alone to list the settings)
    Set(Option<(Spanned<String>, Spanned<String>)>),
    /// `stats EXPR`
    Stats(Expr),
    /// `hist EXPR [bins=N] [range=LO,HI] [to PATH]`
    Hist {
        expr: Expr,
        bins: Option<Expr>,
        range: Option<(Expr, Expr)>,
        to: Option<Spanned<String>>,
    },
    /// `psd EXPR [fs=..] [nperseg=..] [noverlap=..] [window=..]
    /// [detrend=..] [scaling=..] [to PATH]`: Welch's spectrum, summarised
    /// and plotted.
    Psd {
        expr: Expr,
        args: Vec<Arg>,
        to: Option<Spanned<String>>,
    },
    /// `specgram EXPR [fs=..] [nperseg=..] [noverlap=..] [window=..]
    /// [detrend=..] [scaling=..] [cmap=..] [reduce=mean|max]
    /// [range=LO,HI] [to PATH]`: a waterfall of the spectrogram, streamed.
    Specgram {
        expr: Expr,
        args: Vec<Arg>,
        range: Option<(Expr, Expr)>,
        to: Option<Spanned<String>>,
    },
    /// `explain EXPR`
    Explain(Expr),
    /// `explain psd ...`, `explain specgram ...`: how the command walks
    /// the view (a `Stmt::Psd` or `Stmt::Specgram`).
    ExplainCommand(Box<Stmt>),
    /// `bytes EXPR` (or `dump EXPR`)
    Bytes(Expr),
    /// `plot EXPR [to PATH]`
    Plot {
        expr: Expr,
        to: Option<Spanned<String>>,
    },
    /// `image EXPR [to PATH] [cmap=NAME] [range=LO,HI|auto|minmax] [reduce=mean|max]`
    Image {
        expr: Expr,
        to: Option<Spanned<String>>,
        cmap: Option<Spanned<String>>,
        range: PictureRange,
        reduce: Option<Spanned<String>>,
    },
    /// `vars`
    Vars,
    /// `files`
    Files,
    /// `help [TOPIC]`
    Help(Option<Spanned<String>>),
    /// `NAME = EXPR`
    Assign { name: Spanned<String>, expr: Expr },
    /// `TARGET = EXPR` (item assignment, `x[idx] = v`) and `TARGET OP= EXPR`
    /// (`x += 1`, `x[idx] *= 2`): writes into the array the target views.
    SetItem {
        target: Expr,
        /// The operator of an augmented assignment.
        op: Option<Spanned<BinOp>>,
        value: Expr,
    },
    /// `flush [NAME]`: a `mode=r+` file's changes written out (`msync`).
    Flush(Option<Spanned<String>>),
    /// An expression alone: print it.
    Print(Expr),
    /// `import numpy as np`, `from numpy import *`: nothing to do (names
    /// are NumPy's already), said once.
    Import,
}

/// The arguments of `open`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Open {
    /// The path; for a list of files, the list's text and span.
    pub path: Spanned<String>,
    /// `open [a.bin, b.bin] ...`: the files of a dataset (empty otherwise).
    pub list: Vec<Spanned<String>>,
    pub shape: Option<Spanned<Vec<i128>>>,
    pub dtype: Option<Lit>,
    pub offset: Option<Expr>,
    pub order: Option<Spanned<char>>,
    pub name: Option<Spanned<String>>,
    /// `guess`: the layout is `guess`'s first candidate.
    pub guess: Option<Span>,
    /// `mode=r|r+|c` (NumPy's memmap modes, also by their long names
    /// `readonly`, `readwrite`, `copyonwrite`), as `r`, `r+` or `c`.
    pub mode: Option<Spanned<String>>,
}

/// What `export` writes out: a view or expression, or a `stats` or
/// `hist` statement (for `dask`).
#[derive(Clone, Debug, PartialEq)]
pub enum Exported {
    Expr(Expr),
    Stats(Expr),
    Hist {
        expr: Expr,
        bins: Option<Expr>,
        range: Option<(Expr, Expr)>,
    },
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Name(String),
    Int(i128),
    Float(f64),
    /// An imaginary literal such as `2j`.
    Imag(f64),
    Str(String),
    None,
    /// `(a, b)` or `(a,)`.
    Tuple(Vec<Expr>),
    /// `[a, b]`: a list, for advanced indexing (`d[[0, 5]]`, `d[['r', 'i']]`).
    List(Vec<Expr>),
    /// `base[items]`
    Index {
        base: Box<Expr>,
        items: Vec<IndexItem>,
    },
    /// `base.name`
    Attr {
        base: Box<Expr>,
        name: Spanned<String>,
    },
    /// `func(args)`; a method call is a call of an attribute.
    Call {
        func: Box<Expr>,
        args: Vec<Arg>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
}

/// One item between the brackets of a subscript.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexItem {
    /// `...`
    Ellipsis(Span),
    /// `start:stop:step`, each part optional.
    Slice {
        start: Option<Expr>,
        stop: Option<Expr>,
        step: Option<Expr>,
        span: Span,
    },
    /// An integer, `None`, a field name string, ...
    Expr(Expr),
}

impl IndexItem {
    pub fn span(&self) -> Span {
        match self {
            IndexItem::Ellipsis(s) => *s,
            IndexItem::Slice { span, .. } => *span,
            IndexItem::Expr(e) => e.span,
        }
    }
}

/// A call argument, positional or `name=value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    pub name: Option<Spanned<String>>,
    pub value: Expr,
}

/// The colour range of a picture: `range=auto` (the default: the 2nd to
/// 98th percentile, so that a few outliers do not flatten the rest),
/// `range=minmax`, or `range=LO,HI`.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum PictureRange {
    #[default]
    Auto,
    MinMax,
    Between((Expr, Expr)),
}
