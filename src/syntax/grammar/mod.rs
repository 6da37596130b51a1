//! The grammar of `grammar/strided.ebnf`, split by area as
//! rust-analyzer splits its own: [`lexical`] rules, [`expr`]essions,
//! [`subscript`]s, Python [`literal`]s, [`dtype`]s and shapes, and
//! [`stmt`] (statements). One function per production, with the
//! production's name, built on `nom` over a located span so every node
//! knows its byte range. This module holds what they share: the input and
//! result types and the error helpers.
//!
//! Every self-recursive production takes a `depth` and refuses to go deeper
//! than [`MAX_DEPTH`], so hostile input cannot overflow the stack.

mod dtype;
mod expr;
mod lexical;
mod literal;
mod stmt;
mod subscript;

pub(in crate::syntax) use dtype::*;
pub(in crate::syntax) use expr::*;
pub(in crate::syntax) use lexical::*;
pub(in crate::syntax) use literal::*;
pub(in crate::syntax) use stmt::*;
pub(in crate::syntax) use subscript::*;

use super::ast::*;
use crate::diag::{suggest, Error, ErrorKind};
use crate::lit::MAX_DEPTH;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::IResult;
use nom_locate::LocatedSpan;

pub(in crate::syntax) type In<'a> = LocatedSpan<&'a str>;
pub(in crate::syntax) type R<'a, T> = IResult<In<'a>, T, PErr>;

/// The parser's error: a diagnostic. `nom`'s own error kinds are never shown
/// to users; every production says what it expected.
#[derive(Debug)]
pub struct PErr(Error);

impl<'a> nom::error::ParseError<In<'a>> for PErr {
    fn from_error_kind(i: In<'a>, _: nom::error::ErrorKind) -> Self {
        PErr(expected_error(&i, "something else"))
    }
    fn append(_: In<'a>, _: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
    fn or(self, other: Self) -> Self {
        if other.0.span.start >= self.0.span.start {
            other
        } else {
            self
        }
    }
}

/// Splits `n` bytes off the front (`nom`'s `take` counts characters,
/// which differs from bytes as soon as a line holds `ψ` or `é`).
pub(in crate::syntax) fn take_bytes(i: In, n: usize) -> (In, In) {
    nom::Input::take_split(&i, n)
}

pub(in crate::syntax) fn pos(i: &In) -> usize {
    i.location_offset()
}

/// A short description of what comes next in the input, for messages.
pub(in crate::syntax) fn found(i: &In) -> String {
    let s = i.fragment();
    match s.chars().next() {
        None | Some('\n' | '\r') => "end of input".into(),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let w: String = s
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                .take(24)
                .collect();
            format!("`{w}`")
        }
        Some(c) => format!("`{c}`"),
    }
}

pub(in crate::syntax) fn found_span(i: &In) -> Span {
    let s = i.fragment();
    let n = s.chars().next().map_or(0, |c| c.len_utf8());
    Span::new(pos(i), pos(i) + n)
}

pub(in crate::syntax) fn expected_error(i: &In, what: &str) -> Error {
    Error::new(
        ErrorKind::Syntax {
            expected: what.into(),
            found: found(i),
        },
        found_span(i),
    )
}

/// A recoverable "expected X" (another alternative may still match).
pub(in crate::syntax) fn expected<'a, T>(i: In<'a>, what: &str) -> R<'a, T> {
    Err(nom::Err::Error(PErr(expected_error(&i, what))))
}

/// A committed error: stop parsing and report this.
pub(in crate::syntax) fn failure<'a, T>(e: Error) -> R<'a, T> {
    Err(nom::Err::Failure(PErr(e)))
}

pub(in crate::syntax) fn cut_expected<'a, T>(i: In<'a>, what: &str) -> R<'a, T> {
    failure(expected_error(&i, what))
}

/// A production that must match here: its backtracking error becomes a
/// cut ("expected WHAT" at `at`), other results pass through.
pub(in crate::syntax) fn required<'a, T>(at: In<'a>, what: &str, r: R<'a, T>) -> R<'a, T> {
    match r {
        Err(nom::Err::Error(_)) => cut_expected(at, what),
        other => other,
    }
}

pub(in crate::syntax) fn too_deep<'a, T>(i: &In<'a>, depth: usize) -> Option<R<'a, T>> {
    (depth > MAX_DEPTH).then(|| {
        failure(Error::new(
            ErrorKind::NestingTooDeep { limit: MAX_DEPTH },
            found_span(i),
        ))
    })
}

pub(in crate::syntax) fn into_error(e: nom::Err<PErr>, end: usize) -> Error {
    match e {
        nom::Err::Error(p) | nom::Err::Failure(p) => p.0,
        nom::Err::Incomplete(_) => Error::new(
            ErrorKind::Syntax {
                expected: "more input".into(),
                found: "end of input".into(),
            },
            Span::new(end, end),
        ),
    }
}

/// `item { "," item } [ "," ]` up to (not including) the `close` bracket:
/// the shape of every bracketed list in the grammar (calls, lists and
/// tuples, subscripts, Python literals). The items, and whether a comma
/// (or nothing at all) came last. `space` skips what may lie between
/// tokens; `item` parses one entry and turns its own failures into the
/// production's errors (an unclosed bracket, the entry it expected).
///
/// A loop rather than nom's `separated_list0` and `opt(tag(","))`: the
/// trailing comma means an item may be absent only before `close`, and
/// each production reports a missing item with its own bracket's span;
/// said with combinators that is a `cut` and an error mapping per item,
/// longer than the loop.
pub(in crate::syntax) fn comma_list<'a, T>(
    mut i: In<'a>,
    close: char,
    space: fn(In<'a>) -> R<'a, ()>,
    mut item: impl FnMut(In<'a>) -> R<'a, T>,
) -> R<'a, (Vec<T>, bool)> {
    let mut items = Vec::new();
    loop {
        let (j, _) = space(i)?;
        if peek_char(&j) == Some(close) {
            return Ok((j, (items, true)));
        }
        let (j, x) = item(j)?;
        items.push(x);
        let (j, _) = space(j)?;
        if peek_char(&j) != Some(',') {
            return Ok((j, (items, false)));
        }
        i = punct(j, ",")?.0;
    }
}
