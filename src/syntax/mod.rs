//! The strided language's syntax: the tree ([`ast`]) and the parser
//! ([`parse`]), written after `grammar/strided.ebnf`.
//!
//! This module knows nothing of files, mappings, terminals or evaluation: it
//! turns text into a tree with spans, or an [`Error`](crate::diag::Error)
//! that points into the text.

pub mod ast;
mod grammar;
pub mod parse;
pub mod print;

pub use ast::*;
pub use parse::{continues, join_lines, parse_expression, parse_line, parse_py_literal, MAX_DEPTH};
