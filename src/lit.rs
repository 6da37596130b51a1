//! Python literal values: NumPy's structured dtype lists and `.npy`
//! headers are written as Python literals, and the parser reads them into
//! this tree (`syntax::parse_py_literal`); `dtype` reads dtypes from it.
//! Also the nesting limit both share.

use crate::span::Span;

/// How deep expressions, brackets and dtype lists may nest. At this depth
/// the parser needs a few MiB of stack in unoptimised builds, which is why
/// the front ends run on a thread with [`crate::STACK_SIZE`] bytes.
pub const MAX_DEPTH: usize = 256;

/// A Python literal: NumPy's structured dtype lists and `.npy` headers are
/// written in this form, and `{r: <f4}` records are parsed into it.
#[derive(Clone, Debug, PartialEq)]
pub struct Lit {
    pub kind: LitKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LitKind {
    Str(String),
    Int(i128),
    Bool(bool),
    None,
    Tuple(Vec<Lit>),
    List(Vec<Lit>),
    Dict(Vec<(Lit, Lit)>),
}
