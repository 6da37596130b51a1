//! The parser: one function per production of `grammar/strided.ebnf`, with
//! the production's name, built on `nom` over a located span so every node
//! knows its byte range.
//!
//! Every self-recursive production takes a `depth` and refuses to go deeper
//! than [`MAX_DEPTH`], so hostile input cannot overflow the stack.

use super::ast::*;
use crate::diag::{suggest, Error, ErrorKind};
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::IResult;
use nom_locate::LocatedSpan;

pub use crate::lit::MAX_DEPTH;

/// The statement keywords, for dispatch and for "did you mean" hints.
pub const COMMANDS: &[&str] = &[
    "open", "close", "save", "set", "vars", "files", "help", "stats", "hist", "plot", "image",
    "explain", "bytes", "dump", "info", "export",
];

type In<'a> = LocatedSpan<&'a str>;
type R<'a, T> = IResult<In<'a>, T, PErr>;

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
fn take_bytes(i: In, n: usize) -> (In, In) {
    nom::Input::take_split(&i, n)
}

fn pos(i: &In) -> usize {
    i.location_offset()
}

/// A short description of what comes next in the input, for messages.
fn found(i: &In) -> String {
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

fn found_span(i: &In) -> Span {
    let s = i.fragment();
    let n = s.chars().next().map_or(0, |c| c.len_utf8());
    Span::new(pos(i), pos(i) + n)
}

fn expected_error(i: &In, what: &str) -> Error {
    Error::new(
        ErrorKind::Syntax {
            expected: what.into(),
            found: found(i),
        },
        found_span(i),
    )
}

/// A recoverable "expected X" (another alternative may still match).
fn expected<'a, T>(i: In<'a>, what: &str) -> R<'a, T> {
    Err(nom::Err::Error(PErr(expected_error(&i, what))))
}

/// A committed error: stop parsing and report this.
fn failure<'a, T>(e: Error) -> R<'a, T> {
    Err(nom::Err::Failure(PErr(e)))
}

fn cut_expected<'a, T>(i: In<'a>, what: &str) -> R<'a, T> {
    failure(expected_error(&i, what))
}

fn too_deep<'a, T>(i: &In<'a>, depth: usize) -> Option<R<'a, T>> {
    (depth > MAX_DEPTH).then(|| {
        failure(Error::new(
            ErrorKind::NestingTooDeep { limit: MAX_DEPTH },
            found_span(i),
        ))
    })
}

fn into_error(e: nom::Err<PErr>, end: usize) -> Error {
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

/// Spaces and tabs (statements end at a newline).
fn sp(i: In) -> R<()> {
    let (i, _) = take_while(|c| c == ' ' || c == '\t' || c == '\r')(i)?;
    Ok((i, ()))
}

/// Spaces, tabs and newlines, inside Python literals.
fn msp(i: In) -> R<()> {
    let (i, _) = take_while(|c: char| c.is_whitespace())(i)?;
    Ok((i, ()))
}

fn peek_char(i: &In) -> Option<char> {
    i.fragment().chars().next()
}

fn at_statement_end(i: &In) -> bool {
    matches!(peek_char(i), None | Some(';') | Some('#') | Some('\n'))
}

fn punct<'a>(i: In<'a>, p: &'static str) -> R<'a, Span> {
    let start = pos(&i);
    let (i, _) = tag(p)(i)?;
    Ok((i, Span::new(start, start + p.len())))
}

/// `name = letter_ { letter_ | digit }`
fn name(i: In) -> R<Spanned<String>> {
    let start = pos(&i);
    match peek_char(&i) {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return expected(i, "a name"),
    }
    let (i, w) = take_while1(|c: char| c.is_alphanumeric() || c == '_')(i)?;
    Ok((
        i,
        Spanned {
            node: w.fragment().to_string(),
            span: Span::new(start, pos(&i)),
        },
    ))
}

/// A name followed by `=` (but not `==`): a keyword argument.
fn keyword_eq(i: In) -> R<Spanned<String>> {
    let (rest, n) = name(i)?;
    let (rest, _) = sp(rest)?;
    if rest.fragment().starts_with('=') && !rest.fragment().starts_with("==") {
        let (rest, _) = punct(rest, "=")?;
        let (rest, _) = sp(rest)?;
        Ok((rest, n))
    } else {
        expected(i, "`name=`")
    }
}

/// `string = "'" { char } "'" | '"' { char } '"'`, with backslash escapes.
fn string(i: In) -> R<Spanned<String>> {
    let start = pos(&i);
    let quote = match peek_char(&i) {
        Some(q @ ('\'' | '"')) => q,
        _ => return expected(i, "a string"),
    };
    let s = i.fragment();
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((k, c)) = chars.next() {
        if c == quote {
            let (rest, _) = take_bytes(i, k + 1);
            return Ok((
                rest,
                Spanned {
                    node: out,
                    span: Span::new(start, start + k + 1),
                },
            ));
        }
        if c == '\\' {
            match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, '0')) => out.push('\0'),
                // Python's `\xNN`, `\uNNNN` and `\UNNNNNNNN` (what a dtype's
                // repr writes for control characters in field names).
                Some((_, e @ ('x' | 'u' | 'U'))) => {
                    let n = match e {
                        'x' => 2,
                        'u' => 4,
                        _ => 8,
                    };
                    let digits: String = chars.clone().take(n).map(|(_, d)| d).collect();
                    match u32::from_str_radix(&digits, 16)
                        .ok()
                        .and_then(char::from_u32)
                    {
                        Some(ch)
                            if digits.len() == n
                                && digits.chars().all(|d| d.is_ascii_hexdigit()) =>
                        {
                            out.push(ch);
                            for _ in 0..n {
                                chars.next();
                            }
                        }
                        _ => {
                            out.push('\\');
                            out.push(e);
                        }
                    }
                }
                Some((_, e)) => out.push(e),
                None => break,
            }
        } else {
            out.push(c);
        }
    }
    failure(
        Error::new(
            ErrorKind::Syntax {
                expected: format!("a closing {quote}"),
                found: "end of input".into(),
            },
            Span::new(start, start + 1),
        )
        .with_related(
            Span::new(start + s.len(), start + s.len()),
            "input ended here",
        ),
    )
}

/// `path = string | bare_word`; a bare word runs to the next space, `;` or `#`.
fn path(i: In) -> R<Spanned<String>> {
    if matches!(peek_char(&i), Some('\'' | '"')) {
        return string(i);
    }
    let start = pos(&i);
    let (rest, w) = take_while(|c: char| !c.is_whitespace() && c != ';' && c != '#')(i)?;
    if w.fragment().is_empty() {
        return expected(i, "a file path");
    }
    Ok((
        rest,
        Spanned {
            node: w.fragment().to_string(),
            span: Span::new(start, pos(&rest)),
        },
    ))
}

fn parse_int_text(text: &str, span: Span) -> Result<i128, Error> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let parsed = if let Some(hex) = clean
        .strip_prefix("0x")
        .or_else(|| clean.strip_prefix("0X"))
    {
        i128::from_str_radix(hex, 16)
    } else {
        clean.parse::<i128>()
    };
    parsed.map_err(|_| Error::new(ErrorKind::IntTooLarge { text: text.into() }, span))
}

/// `number = digits [ "." digits ] [ exponent ] [ "j" ] | "0x" hexdigits`
fn number(i: In) -> R<Expr> {
    let start = pos(&i);
    let s = *i.fragment();
    let bytes = s.as_bytes();
    let is_digit = |k: usize| k < bytes.len() && (bytes[k].is_ascii_digit() || bytes[k] == b'_');
    let mut k = 0;
    if s.starts_with("0x") || s.starts_with("0X") {
        k = 2;
        while k < bytes.len() && (bytes[k].is_ascii_hexdigit() || bytes[k] == b'_') {
            k += 1;
        }
        let (rest, _) = take_bytes(i, k);
        let span = Span::new(start, start + k);
        return match parse_int_text(&s[..k], span) {
            Ok(v) => Ok((
                rest,
                Expr {
                    kind: ExprKind::Int(v),
                    span,
                },
            )),
            Err(e) => failure(e),
        };
    }
    while is_digit(k) {
        k += 1;
    }
    let mut float = false;
    if k < bytes.len() && bytes[k] == b'.' && !(k + 1 < bytes.len() && bytes[k + 1] == b'.') {
        // `1.5`, `1.`, `.5` but not `1..` and not `x.real` (handled by the caller).
        let after = k + 1;
        let next_is_name = after < bytes.len()
            && (bytes[after] == b'_'
                || (bytes[after].is_ascii_alphabetic()
                    && bytes[after] != b'e'
                    && bytes[after] != b'E'
                    && bytes[after] != b'j'));
        if !next_is_name {
            float = true;
            k += 1;
            while is_digit(k) {
                k += 1;
            }
        }
    }
    if k == 0 || (k == 1 && float) {
        return expected(i, "a number");
    }
    if k < bytes.len() && (bytes[k] == b'e' || bytes[k] == b'E') {
        let mut e = k + 1;
        if e < bytes.len() && (bytes[e] == b'+' || bytes[e] == b'-') {
            e += 1;
        }
        if e < bytes.len() && bytes[e].is_ascii_digit() {
            while is_digit(e) {
                e += 1;
            }
            k = e;
            float = true;
        }
    }
    let imag = k < bytes.len() && (bytes[k] == b'j' || bytes[k] == b'J');
    let text = &s[..k];
    let end = k + usize::from(imag);
    let span = Span::new(start, start + end);
    let (rest, _) = take_bytes(i, end);
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let kind = if imag {
        ExprKind::Imag(clean.parse().unwrap_or(f64::NAN))
    } else if float {
        ExprKind::Float(clean.parse().unwrap_or(f64::NAN))
    } else {
        match parse_int_text(text, span) {
            Ok(v) => ExprKind::Int(v),
            Err(e) => return failure(e),
        }
    };
    Ok((rest, Expr { kind, span }))
}

/// `expression = comparison`
fn expression(i: In, depth: usize) -> R<Expr> {
    if let Some(e) = too_deep(&i, depth) {
        return e;
    }
    comparison(i, depth)
}

fn comparison_op(i: In) -> R<BinOp> {
    let s = i.fragment();
    let (op, n): (BinOp, usize) = if s.starts_with("<=") {
        (BinOp::Le, 2)
    } else if s.starts_with(">=") {
        (BinOp::Ge, 2)
    } else if s.starts_with("==") {
        (BinOp::Eq, 2)
    } else if s.starts_with("!=") {
        (BinOp::Ne, 2)
    } else if s.starts_with('<') {
        (BinOp::Lt, 1)
    } else if s.starts_with('>') {
        (BinOp::Gt, 1)
    } else {
        return expected(i, "a comparison");
    };
    let (rest, _) = nom::bytes::complete::take(n)(i)?;
    Ok((rest, op))
}

/// `comparison = bit_or [ comp_op bit_or ]` (chains are refused: NumPy
/// cannot evaluate `a < b < c` on arrays).
fn comparison(i: In, depth: usize) -> R<Expr> {
    let (i, lhs) = bit_or(i, depth)?;
    let (i2, _) = sp(i)?;
    let Ok((i3, op)) = comparison_op(i2) else {
        return Ok((i, lhs));
    };
    let (i3, _) = sp(i3)?;
    let (i4, rhs) = bit_or(i3, depth + 1)?;
    let (i5, _) = sp(i4)?;
    if comparison_op(i5).is_ok() {
        return failure(Error::new(
            ErrorKind::Type {
                message: "chained comparisons are ambiguous for arrays".into(),
                hint: Some("write (a < b) & (b < c)".into()),
            },
            found_span(&i5),
        ));
    }
    let span = lhs.span.to(rhs.span);
    Ok((
        i4,
        Expr {
            kind: ExprKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
        },
    ))
}

/// Left-associative binary levels: `level = next { op next }`.
fn binary_level<'a>(
    i: In<'a>,
    depth: usize,
    next: fn(In<'a>, usize) -> R<'a, Expr>,
    ops: fn(&str) -> Option<(BinOp, usize)>,
) -> R<'a, Expr> {
    let (mut i, mut lhs) = next(i, depth)?;
    // `a + b + c` is Binary(Binary(a, b), c): each link deepens the tree
    // that evaluation walks, so a chain counts towards the nesting limit.
    let mut depth = depth;
    loop {
        let (j, _) = sp(i)?;
        let Some((op, n)) = ops(j.fragment()) else {
            return Ok((i, lhs));
        };
        depth += 1;
        if let Some(e) = too_deep(&j, depth) {
            return e;
        }
        let (j, _) = nom::bytes::complete::take(n)(j)?;
        let (j, _) = sp(j)?;
        let (j, rhs) = match next(j, depth + 1) {
            Ok(r) => r,
            Err(nom::Err::Error(_)) => return cut_expected(j, &format!("an operand after `{op}`")),
            Err(e) => return Err(e),
        };
        let span = lhs.span.to(rhs.span);
        lhs = Expr {
            kind: ExprKind::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            span,
        };
        i = j;
    }
}

/// `bit_or = bit_xor { "|" bit_xor }`
fn bit_or(i: In, depth: usize) -> R<Expr> {
    binary_level(i, depth, bit_xor, |s| {
        s.starts_with('|').then_some((BinOp::Or, 1))
    })
}

/// `bit_xor = bit_and { "^" bit_and }`
fn bit_xor(i: In, depth: usize) -> R<Expr> {
    binary_level(i, depth, bit_and, |s| {
        s.starts_with('^').then_some((BinOp::Xor, 1))
    })
}

/// `bit_and = sum { "&" sum }`
fn bit_and(i: In, depth: usize) -> R<Expr> {
    binary_level(i, depth, sum, |s| {
        s.starts_with('&').then_some((BinOp::And, 1))
    })
}

/// `sum = term { ("+" | "-") term }`
fn sum(i: In, depth: usize) -> R<Expr> {
    binary_level(i, depth, term, |s| {
        if s.starts_with('+') {
            Some((BinOp::Add, 1))
        } else if s.starts_with('-') {
            Some((BinOp::Sub, 1))
        } else {
            None
        }
    })
}

/// `term = factor { ("*" | "/" | "//" | "%") factor }`
fn term(i: In, depth: usize) -> R<Expr> {
    binary_level(i, depth, factor, |s| {
        if s.starts_with("**") {
            None
        } else if s.starts_with('*') {
            Some((BinOp::Mul, 1))
        } else if s.starts_with("//") {
            Some((BinOp::FloorDiv, 2))
        } else if s.starts_with('/') {
            Some((BinOp::Div, 1))
        } else if s.starts_with('%') {
            Some((BinOp::Mod, 1))
        } else {
            None
        }
    })
}

/// `factor = ("-" | "+" | "~") factor | power`
fn factor(i: In, depth: usize) -> R<Expr> {
    if let Some(e) = too_deep(&i, depth) {
        return e;
    }
    let start = pos(&i);
    let op = match peek_char(&i) {
        Some('-') => UnaryOp::Neg,
        Some('+') => UnaryOp::Pos,
        Some('~') => UnaryOp::Invert,
        _ => return power(i, depth),
    };
    let (j, _) = nom::bytes::complete::take(1usize)(i)?;
    let (j, _) = sp(j)?;
    let (j, operand) = match factor(j, depth + 1) {
        Ok(r) => r,
        Err(nom::Err::Error(_)) => return cut_expected(j, "an operand"),
        Err(e) => return Err(e),
    };
    let span = Span::new(start, operand.span.end);
    Ok((
        j,
        Expr {
            kind: ExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
            span,
        },
    ))
}

/// `power = postfix [ "**" factor ]`
fn power(i: In, depth: usize) -> R<Expr> {
    let (i, base) = postfix(i, depth)?;
    let (j, _) = sp(i)?;
    if !j.fragment().starts_with("**") {
        return Ok((i, base));
    }
    let (j, _) = punct(j, "**")?;
    let (j, _) = sp(j)?;
    let (j, exp) = match factor(j, depth + 1) {
        Ok(r) => r,
        Err(nom::Err::Error(_)) => return cut_expected(j, "an exponent after `**`"),
        Err(e) => return Err(e),
    };
    let span = base.span.to(exp.span);
    Ok((
        j,
        Expr {
            kind: ExprKind::Binary {
                op: BinOp::Pow,
                lhs: Box::new(base),
                rhs: Box::new(exp),
            },
            span,
        },
    ))
}

/// `postfix = atom { subscript | attribute | call }`, each suffix written
/// right after what it applies to (no space), so that `save d (x)` and
/// `open f offset=8 (2, 3)` stay unambiguous.
fn postfix(i: In, depth: usize) -> R<Expr> {
    let (mut i, mut e) = atom(i, depth)?;
    // Each suffix nests the tree one level deeper (`d[0][0]` is Index(Index(d))).
    let mut depth = depth;
    loop {
        depth += 1;
        match peek_char(&i) {
            Some('[') => {
                let (j, (items, end)) = subscript(i, depth + 1)?;
                let span = Span::new(e.span.start, end);
                e = Expr {
                    kind: ExprKind::Index {
                        base: Box::new(e),
                        items,
                    },
                    span,
                };
                i = j;
            }
            Some('(') => {
                let (j, (args, end)) = call(i, depth + 1)?;
                let span = Span::new(e.span.start, end);
                e = Expr {
                    kind: ExprKind::Call {
                        func: Box::new(e),
                        args,
                    },
                    span,
                };
                i = j;
            }
            Some('.') if !i.fragment().starts_with("...") => {
                let (j, _) = punct(i, ".")?;
                let (j, n) = match name(j) {
                    Ok(r) => r,
                    Err(_) => return cut_expected(j, "an attribute or field name after `.`"),
                };
                let span = Span::new(e.span.start, n.span.end);
                e = Expr {
                    kind: ExprKind::Attr {
                        base: Box::new(e),
                        name: n,
                    },
                    span,
                };
                i = j;
            }
            _ => return Ok((i, e)),
        }
        if let Some(err) = too_deep(&i, depth) {
            return err;
        }
    }
}

/// Reports an unclosed bracket (opened at `open`) or a wrong token.
fn close_bracket<'a>(i: In<'a>, open: Span, open_char: char, what: &str) -> R<'a, usize> {
    let close = match open_char {
        '[' => "]",
        '(' => ")",
        _ => "}",
    };
    let (j, _) = sp(i)?;
    if j.fragment().starts_with(close) {
        let (k, s) = punct(j, close)?;
        return Ok((k, s.end));
    }
    if at_statement_end(&j) {
        let end = pos(&j);
        return failure(
            Error::new(ErrorKind::Unclosed { open: open_char }, open)
                .with_related(Span::new(end, end), "input ended here"),
        );
    }
    cut_expected(j, what)
}

/// `subscript = "[" index_item { "," index_item } [ "," ] "]"`
fn subscript(i: In, depth: usize) -> R<(Vec<IndexItem>, usize)> {
    if let Some(e) = too_deep(&i, depth) {
        return e;
    }
    let (mut i, open) = punct(i, "[")?;
    let mut items = Vec::new();
    loop {
        let (j, _) = sp(i)?;
        if j.fragment().starts_with(']') && !items.is_empty() {
            i = j;
            break;
        }
        if j.fragment().starts_with(']') {
            return cut_expected(j, "an index");
        }
        let (j, item) = match index_item(j, depth) {
            Ok(r) => r,
            Err(nom::Err::Error(_)) if at_statement_end(&j) => {
                let end = pos(&j);
                return failure(
                    Error::new(ErrorKind::Unclosed { open: '[' }, open)
                        .with_related(Span::new(end, end), "input ended here"),
                );
            }
            Err(nom::Err::Error(_)) => {
                return cut_expected(j, "an index, a slice, `...` or `None`")
            }
            Err(e) => return Err(e),
        };
        items.push(item);
        let (j, _) = sp(j)?;
        if j.fragment().starts_with(',') {
            let (j, _) = punct(j, ",")?;
            i = j;
            continue;
        }
        i = j;
        break;
    }
    let (i, end) = close_bracket(i, open, '[', "`,` or `]`")?;
    Ok((i, (items, end)))
}

/// `index_item = "..." | slice | expression`
/// `slice = [ expression ] ":" [ expression ] [ ":" [ expression ] ]`
fn index_item(i: In, depth: usize) -> R<IndexItem> {
    if i.fragment().starts_with("...") {
        let (j, s) = punct(i, "...")?;
        return Ok((j, IndexItem::Ellipsis(s)));
    }
    let start_pos = pos(&i);
    let (i, start) = if i.fragment().starts_with(':') {
        (i, None)
    } else {
        let (j, e) = expression(i, depth + 1)?;
        (j, Some(e))
    };
    let (j, _) = sp(i)?;
    if !j.fragment().starts_with(':') {
        return Ok((
            i,
            IndexItem::Expr(start.expect("an expression was parsed when no `:` starts the item")),
        ));
    }
    let (j, c1) = punct(j, ":")?;
    let mut end = c1.end;
    let (j, _) = sp(j)?;
    let bound = |k: &In| !matches!(peek_char(k), Some(':' | ',' | ']') | None);
    let (j, stop) = if bound(&j) {
        let (k, e) = expression(j, depth + 1)?;
        end = e.span.end;
        (k, Some(e))
    } else {
        (j, None)
    };
    let (k, _) = sp(j)?;
    let (j, step) = if k.fragment().starts_with(':') {
        let (k, c2) = punct(k, ":")?;
        end = c2.end;
        let (k, _) = sp(k)?;
        if bound(&k) {
            let (k, e) = expression(k, depth + 1)?;
            end = e.span.end;
            (k, Some(e))
        } else {
            (k, None)
        }
    } else {
        (j, None)
    };
    Ok((
        j,
        IndexItem::Slice {
            start,
            stop,
            step,
            span: Span::new(start_pos, end),
        },
    ))
}

/// `call = "(" [ argument { "," argument } [ "," ] ] ")"`,
/// `argument = [ name "=" ] expression`
fn call(i: In, depth: usize) -> R<(Vec<Arg>, usize)> {
    let (mut i, open) = punct(i, "(")?;
    let mut args = Vec::new();
    loop {
        let (j, _) = sp(i)?;
        if j.fragment().starts_with(')') {
            i = j;
            break;
        }
        let (j, kw) = match keyword_eq(j) {
            Ok((k, n)) => (k, Some(n)),
            Err(_) => (j, None),
        };
        let (j, value) = match expression(j, depth + 1) {
            Ok(r) => r,
            Err(nom::Err::Error(_)) if at_statement_end(&j) => {
                let end = pos(&j);
                return failure(
                    Error::new(ErrorKind::Unclosed { open: '(' }, open)
                        .with_related(Span::new(end, end), "input ended here"),
                );
            }
            Err(nom::Err::Error(_)) => return cut_expected(j, "an argument"),
            Err(e) => return Err(e),
        };
        args.push(Arg { name: kw, value });
        let (j, _) = sp(j)?;
        if j.fragment().starts_with(',') {
            let (j, _) = punct(j, ",")?;
            i = j;
            continue;
        }
        i = j;
        break;
    }
    let (i, end) = close_bracket(i, open, '(', "`,` or `)`")?;
    Ok((i, (args, end)))
}

/// `atom = number | string | "None" | name | "(" expression ")" | tuple`
fn atom(i: In, depth: usize) -> R<Expr> {
    if let Some(e) = too_deep(&i, depth) {
        return e;
    }
    match peek_char(&i) {
        Some(c) if c.is_ascii_digit() => number(i),
        Some('.') if i.fragment()[1..].starts_with(|c: char| c.is_ascii_digit()) => number(i),
        Some('\'' | '"') => {
            let (j, s) = string(i)?;
            Ok((
                j,
                Expr {
                    kind: ExprKind::Str(s.node),
                    span: s.span,
                },
            ))
        }
        Some('(') => paren(i, depth),
        Some('[') => list(i, depth),
        Some(c) if c.is_alphabetic() || c == '_' => {
            let (j, n) = name(i)?;
            let kind = if n.node == "None" {
                ExprKind::None
            } else {
                ExprKind::Name(n.node)
            };
            Ok((j, Expr { kind, span: n.span }))
        }
        _ => expected(i, "an expression"),
    }
}

/// The comma-separated expressions after an opening bracket, up to (not
/// including) `close`: the items, and whether a comma ended them.
fn bracket_items<'a>(
    mut i: In<'a>,
    open: Span,
    close: char,
    depth: usize,
) -> R<'a, (Vec<Expr>, bool)> {
    let mut items = Vec::new();
    loop {
        let (j, _) = sp(i)?;
        if j.fragment().starts_with(close) {
            return Ok((j, (items, true)));
        }
        let (j, e) = match expression(j, depth + 1) {
            Ok(r) => r,
            Err(nom::Err::Error(_)) if at_statement_end(&j) => {
                let end = pos(&j);
                let bracket = if close == ']' { '[' } else { '(' };
                return failure(
                    Error::new(ErrorKind::Unclosed { open: bracket }, open)
                        .with_related(Span::new(end, end), "input ended here"),
                );
            }
            Err(nom::Err::Error(_)) => return cut_expected(j, "an expression"),
            Err(e) => return Err(e),
        };
        items.push(e);
        let (j, _) = sp(j)?;
        if !j.fragment().starts_with(',') {
            return Ok((j, (items, false)));
        }
        i = punct(j, ",")?.0;
    }
}

/// `list = "[" [ expression { "," expression } [ "," ] ] "]"`
fn list(i: In, depth: usize) -> R<Expr> {
    let (i, open) = punct(i, "[")?;
    let (i, (items, _)) = bracket_items(i, open, ']', depth)?;
    let (i, end) = close_bracket(i, open, '[', "`,` or `]`")?;
    Ok((
        i,
        Expr {
            kind: ExprKind::List(items),
            span: Span::new(open.start, end),
        },
    ))
}

/// `"(" expression ")"` or `tuple = "(" [ expression "," { expression "," } [ expression ] ] ")"`
fn paren(i: In, depth: usize) -> R<Expr> {
    let (i, open) = punct(i, "(")?;
    // `trailing_comma` is also true for `()`, which is a tuple either way.
    let (i, (mut items, trailing_comma)) = bracket_items(i, open, ')', depth)?;
    let (i, end) = close_bracket(i, open, '(', "`,` or `)`")?;
    let span = Span::new(open.start, end);
    if items.len() == 1 && !trailing_comma {
        let mut e = items.pop().expect("one item");
        e.span = span;
        return Ok((i, e));
    }
    Ok((
        i,
        Expr {
            kind: ExprKind::Tuple(items),
            span,
        },
    ))
}

/// `py_literal = string | int | "True" | "False" | "None" | py_tuple | py_list | py_dict`
fn py_literal(i: In, depth: usize) -> R<Lit> {
    if let Some(e) = too_deep(&i, depth) {
        return e;
    }
    let start = pos(&i);
    match peek_char(&i) {
        Some('\'' | '"') => {
            let (j, s) = string(i)?;
            Ok((
                j,
                Lit {
                    kind: LitKind::Str(s.node),
                    span: s.span,
                },
            ))
        }
        Some(c) if c.is_ascii_digit() || c == '-' || c == '+' => {
            let (j, sign) = take_while(|c| c == '-' || c == '+')(i)?;
            let neg = sign.fragment().matches('-').count() % 2 == 1;
            let (j, digits) = take_while1(|c: char| c.is_ascii_digit() || c == '_')(j)?;
            let span = Span::new(start, pos(&j));
            let v = match parse_int_text(digits.fragment(), span) {
                Ok(v) => v,
                Err(e) => return failure(e),
            };
            Ok((
                j,
                Lit {
                    kind: LitKind::Int(if neg { -v } else { v }),
                    span,
                },
            ))
        }
        Some('(') => py_sequence(i, depth, '(', ')'),
        Some('[') => py_sequence(i, depth, '[', ']'),
        Some('{') => py_dict(i, depth),
        Some(c) if c.is_alphabetic() => {
            let (j, n) = name(i)?;
            let kind = match n.node.as_str() {
                "True" => LitKind::Bool(true),
                "False" => LitKind::Bool(false),
                "None" => LitKind::None,
                _ => return expected(i, "a Python literal"),
            };
            Ok((j, Lit { kind, span: n.span }))
        }
        _ => expected(i, "a Python literal"),
    }
}

fn py_sequence(i: In, depth: usize, open_c: char, close_c: char) -> R<Lit> {
    let start = pos(&i);
    let (mut i, _) = nom::bytes::complete::take(1usize)(i)?;
    let open = Span::new(start, start + 1);
    let mut items = Vec::new();
    let mut trailing_comma = false;
    loop {
        let (j, _) = msp(i)?;
        if peek_char(&j) == Some(close_c) {
            i = j;
            break;
        }
        if j.fragment().is_empty() {
            return failure(
                Error::new(ErrorKind::Unclosed { open: open_c }, open)
                    .with_related(Span::new(pos(&j), pos(&j)), "input ended here"),
            );
        }
        let (j, item) = match py_literal(j, depth + 1) {
            Ok(r) => r,
            Err(nom::Err::Error(_)) => {
                return cut_expected(j, "a string, a number, a tuple or a list")
            }
            Err(e) => return Err(e),
        };
        items.push(item);
        let (j, _) = msp(j)?;
        trailing_comma = peek_char(&j) == Some(',');
        if trailing_comma {
            let (j, _) = punct(j, ",")?;
            i = j;
            continue;
        }
        i = j;
        break;
    }
    let (i, _) = msp(i)?;
    if peek_char(&i) != Some(close_c) {
        if i.fragment().is_empty() || at_statement_end(&i) {
            return failure(
                Error::new(ErrorKind::Unclosed { open: open_c }, open)
                    .with_related(Span::new(pos(&i), pos(&i)), "input ended here"),
            );
        }
        return cut_expected(i, &format!("`,` or `{close_c}`"));
    }
    let (i, _) = nom::bytes::complete::take(1usize)(i)?;
    let span = Span::new(start, pos(&i));
    let kind = if open_c == '(' {
        if items.len() == 1 && !trailing_comma {
            // `("a")` is just a parenthesised value, as in Python.
            let mut only = items.pop().expect("one item");
            only.span = span;
            return Ok((i, only));
        }
        LitKind::Tuple(items)
    } else {
        LitKind::List(items)
    };
    Ok((i, Lit { kind, span }))
}

fn py_dict(i: In, depth: usize) -> R<Lit> {
    let start = pos(&i);
    let (mut i, open) = punct(i, "{")?;
    let mut entries = Vec::new();
    loop {
        let (j, _) = msp(i)?;
        if peek_char(&j) == Some('}') {
            i = j;
            break;
        }
        let (j, k) = match py_literal(j, depth + 1) {
            Ok(r) => r,
            Err(nom::Err::Error(_)) => return cut_expected(j, "a key"),
            Err(e) => return Err(e),
        };
        let (j, _) = msp(j)?;
        let (j, _) = match punct(j, ":") {
            Ok(r) => r,
            Err(_) => return cut_expected(j, "`:`"),
        };
        let (j, _) = msp(j)?;
        let (j, v) = match py_literal(j, depth + 1) {
            Ok(r) => r,
            Err(nom::Err::Error(_)) => return cut_expected(j, "a value"),
            Err(e) => return Err(e),
        };
        entries.push((k, v));
        let (j, _) = msp(j)?;
        if peek_char(&j) == Some(',') {
            let (j, _) = punct(j, ",")?;
            i = j;
            continue;
        }
        i = j;
        break;
    }
    let (i, _) = msp(i)?;
    if peek_char(&i) != Some('}') {
        if i.fragment().is_empty() {
            return failure(
                Error::new(ErrorKind::Unclosed { open: '{' }, open)
                    .with_related(Span::new(pos(&i), pos(&i)), "input ended here"),
            );
        }
        return cut_expected(i, "`,` or `}`");
    }
    let (i, _) = punct(i, "}")?;
    Ok((
        i,
        Lit {
            kind: LitKind::Dict(entries),
            span: Span::new(start, pos(&i)),
        },
    ))
}

/// `type_string = [ "<" | ">" | "|" | "=" ] { letter | digit | "_" }`
fn type_string(i: In) -> R<Lit> {
    let start = pos(&i);
    let (j, w) = take_while1(|c: char| {
        c.is_alphanumeric() || matches!(c, '_' | '<' | '>' | '|' | '=' | '?')
    })(i)?;
    Ok((
        j,
        Lit {
            kind: LitKind::Str(w.fragment().to_string()),
            span: Span::new(start, pos(&j)),
        },
    ))
}

/// `dtype = type_string | string | field_list | record`
fn dtype(i: In, depth: usize) -> R<Lit> {
    if let Some(e) = too_deep(&i, depth) {
        return e;
    }
    match peek_char(&i) {
        Some('\'' | '"') => {
            let (j, s) = string(i)?;
            Ok((
                j,
                Lit {
                    kind: LitKind::Str(s.node),
                    span: s.span,
                },
            ))
        }
        Some('[') => py_sequence(i, depth + 1, '[', ']'),
        Some('{') => {
            // NumPy's dict form {'names': [...], 'formats': [...], ...}
            // (records with padding), or strided's short form {r: <f4}.
            let inner = i.fragment()[1..].trim_start();
            if inner.starts_with("'names'") || inner.starts_with("\"names\"") {
                py_dict(i, depth + 1)
            } else {
                record(i, depth + 1)
            }
        }
        _ => type_string(i),
    }
}

/// `record = "{" name ":" dtype { "," name ":" dtype } [ "," ] "}"`: the
/// short form of a structured dtype, turned into NumPy's list of tuples.
fn record(i: In, depth: usize) -> R<Lit> {
    let start = pos(&i);
    let (mut i, open) = punct(i, "{")?;
    let mut fields = Vec::new();
    loop {
        let (j, _) = sp(i)?;
        if peek_char(&j) == Some('}') {
            i = j;
            break;
        }
        let (j, n) = match name(j).or_else(|_| string(j)) {
            Ok(r) => r,
            Err(_) if at_statement_end(&j) => {
                return failure(
                    Error::new(ErrorKind::Unclosed { open: '{' }, open)
                        .with_related(Span::new(pos(&j), pos(&j)), "input ended here"),
                )
            }
            Err(_) => return cut_expected(j, "a field name"),
        };
        let (j, _) = sp(j)?;
        let (j, _) = match punct(j, ":") {
            Ok(r) => r,
            Err(_) => return cut_expected(j, "`:` and the field's dtype"),
        };
        let (j, _) = sp(j)?;
        let (j, t) = match dtype(j, depth + 1) {
            Ok(r) => r,
            Err(nom::Err::Error(_)) => return cut_expected(j, "a dtype"),
            Err(e) => return Err(e),
        };
        let span = n.span.to(t.span);
        let name_lit = Lit {
            kind: LitKind::Str(n.node),
            span: n.span,
        };
        fields.push(Lit {
            kind: LitKind::Tuple(vec![name_lit, t]),
            span,
        });
        let (j, _) = sp(j)?;
        if peek_char(&j) == Some(',') {
            let (j, _) = punct(j, ",")?;
            i = j;
            continue;
        }
        i = j;
        break;
    }
    let (i, end) = close_bracket(i, open, '{', "`,` or `}`")?;
    Ok((
        i,
        Lit {
            kind: LitKind::List(fields),
            span: Span::new(start, end),
        },
    ))
}

/// `dim = [ "-" ] digits`
fn dim(j: In) -> R<i128> {
    let s = pos(&j);
    let (k, neg) = match tag::<_, _, PErr>("-")(j) {
        Ok((k, _)) => (k, true),
        Err(_) => (j, false),
    };
    let (k, d) = take_while1(|c: char| c.is_ascii_digit() || c == '_')(k)?;
    match parse_int_text(d.fragment(), Span::new(s, pos(&k))) {
        Ok(v) => Ok((k, if neg { -v } else { v })),
        Err(e) => failure(e),
    }
}

/// `shape = dim { "x" dim } | "(" [ dim { "," dim } [ "," ] ] ")"`, `dim = [ "-" ] digits`
fn shape(i: In) -> R<Spanned<Vec<i128>>> {
    let start = pos(&i);
    if peek_char(&i) == Some('(') {
        let (mut j, open) = punct(i, "(")?;
        let mut dims = Vec::new();
        loop {
            let (k, _) = sp(j)?;
            if peek_char(&k) == Some(')') {
                j = k;
                break;
            }
            let (k, d) = match dim(k) {
                Ok(r) => r,
                Err(nom::Err::Error(_)) => return cut_expected(k, "a dimension (an integer)"),
                Err(e) => return Err(e),
            };
            dims.push(d);
            let (k, _) = sp(k)?;
            if peek_char(&k) == Some(',') {
                let (k, _) = punct(k, ",")?;
                j = k;
                continue;
            }
            j = k;
            break;
        }
        let (j, end) = close_bracket(j, open, '(', "`,` or `)`")?;
        return Ok((
            j,
            Spanned {
                node: dims,
                span: Span::new(start, end),
            },
        ));
    }
    let (mut j, first) = dim(i)?;
    let mut dims = vec![first];
    while peek_char(&j) == Some('x') {
        let (k, _) = punct(j, "x")?;
        let (k, d) = match dim(k) {
            Ok(r) => r,
            Err(nom::Err::Error(_)) => return cut_expected(k, "a dimension after `x`"),
            Err(e) => return Err(e),
        };
        dims.push(d);
        j = k;
    }
    if !at_statement_end(&j) && !peek_char(&j).is_some_and(char::is_whitespace) {
        return cut_expected(j, "a shape such as 100x100");
    }
    Ok((
        j,
        Spanned {
            node: dims,
            span: Span::new(start, pos(&j)),
        },
    ))
}

/// `open_stmt = "open" path { open_arg }`
fn open_stmt(i: In) -> R<Stmt> {
    let (i, _) = sp(i)?;
    let (mut i, p) = match path(i) {
        Ok(r) => r,
        Err(_) => return cut_expected(i, "a file path"),
    };
    let mut open = Open {
        path: p,
        ..Open::default()
    };
    loop {
        let (j, _) = sp(i)?;
        if at_statement_end(&j) {
            return Ok((j, Stmt::Open(open)));
        }
        if pos(&j) == pos(&i) {
            return cut_expected(j, "a space before the next argument");
        }
        i = open_arg(j, &mut open)?.0;
    }
}

/// `open_arg = "shape" "=" shape | "dtype" "=" dtype | "offset" "=" postfix
///           | "order" "=" ("C" | "F") | "as" name | shape | dtype`
fn open_arg<'a>(j: In<'a>, open: &mut Open) -> R<'a, ()> {
    let dup = |what: &str, at: &In| {
        failure::<()>(Error::new(
            ErrorKind::Syntax {
                expected: format!("one {what}"),
                found: format!("a second {what}"),
            },
            found_span(at),
        ))
    };
    if let Ok((k, kw)) = keyword_eq(j) {
        match kw.node.as_str() {
            "shape" => {
                if open.shape.is_some() {
                    return dup("shape", &j);
                }
                let (k, s) = shape(k)
                    .or_else(|_| cut_expected(k, "a shape such as 100x100 or (100, 100)"))?;
                open.shape = Some(s);
                return Ok((k, ()));
            }
            "dtype" => {
                if open.dtype.is_some() {
                    return dup("dtype", &j);
                }
                let (k, d) = dtype(k, 0).or_else(|e| match e {
                    nom::Err::Error(_) => cut_expected(k, "a dtype"),
                    e => Err(e),
                })?;
                open.dtype = Some(d);
                return Ok((k, ()));
            }
            "offset" => {
                let (k, e) = match postfix(k, 1) {
                    Ok(r) => r,
                    Err(nom::Err::Error(_)) => {
                        return cut_expected(k, "a byte offset such as 4096 or (50*100*8)")
                    }
                    Err(e) => return Err(e),
                };
                open.offset = Some(e);
                return Ok((k, ()));
            }
            "order" => {
                let (k, n) = name(k).or_else(|_| cut_expected(k, "C or F"))?;
                let c = match n.node.as_str() {
                    "C" | "c" => 'C',
                    "F" | "f" => 'F',
                    _ => {
                        return failure(Error::new(
                            ErrorKind::Syntax {
                                expected: "C or F".into(),
                                found: format!("`{}`", n.node),
                            },
                            n.span,
                        ))
                    }
                };
                open.order = Some(Spanned {
                    node: c,
                    span: n.span,
                });
                return Ok((k, ()));
            }
            other => {
                let names = ["shape", "dtype", "offset", "order"];
                let hint = suggest(other, names).map(|s| format!("did you mean `{s}=`?"));
                return failure(
                    Error::new(
                        ErrorKind::Syntax {
                            expected: "shape=, dtype=, offset= or order=".into(),
                            found: format!("`{other}=`"),
                        },
                        kw.span,
                    )
                    .with_hint_text(hint),
                );
            }
        }
    }
    if j.fragment().starts_with("as ") || j.fragment().starts_with("as\t") {
        let (k, _) = punct(j, "as")?;
        let (k, _) = sp(k)?;
        let (k, n) = name(k).or_else(|_| cut_expected(k, "a name after `as`"))?;
        open.name = Some(n);
        return Ok((k, ()));
    }
    let c = peek_char(&j).unwrap_or(' ');
    if c.is_ascii_digit() || c == '-' || c == '(' {
        if open.shape.is_some() {
            return dup("shape", &j);
        }
        let (k, s) = shape(j).or_else(|e| match e {
            nom::Err::Error(_) => cut_expected(j, "a shape such as 100x100 or (100, 100)"),
            e => Err(e),
        })?;
        open.shape = Some(s);
        return Ok((k, ()));
    }
    if open.dtype.is_some() {
        return dup("dtype", &j);
    }
    let (k, d) = dtype(j, 0).or_else(|e| match e {
        nom::Err::Error(_) => cut_expected(j, "a shape, a dtype, offset=, order= or `as NAME`"),
        e => Err(e),
    })?;
    open.dtype = Some(d);
    Ok((k, ()))
}

impl Error {
    /// Attaches a free-text hint to a syntax error (used for keyword typos).
    fn with_hint_text(mut self, hint: Option<String>) -> Error {
        if let (ErrorKind::Syntax { expected, found }, Some(h)) = (&*self.kind, hint) {
            let message = format!("expected {expected}, found {found}");
            self.kind = Box::new(ErrorKind::Type {
                message,
                hint: Some(h),
            });
        }
        self
    }
}

/// Byte length of the statement starting at `i`: up to a `;`, `#` or the
/// end of the line that is not inside quotes.
fn statement_len(i: &In) -> usize {
    let mut quote = None;
    for (k, c) in i.fragment().char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, ';' | '#' | '\n') => return k,
            _ => {}
        }
    }
    i.fragment().len()
}

/// The options of the drawing commands, each allowed where it means something.
#[derive(Default)]
struct Options {
    bins: Option<Expr>,
    range: Option<(Expr, Expr)>,
    to: Option<Spanned<String>>,
    cmap: Option<Spanned<String>>,
    reduce: Option<Spanned<String>>,
}

/// `options = { "bins" "=" factor | "range" "=" ( factor "," factor | "auto" )
///            | "cmap" "=" name | "reduce" "=" name | "to" path }`;
/// `allowed` names the ones the command takes.
fn options<'a>(mut k: In<'a>, allowed: &[&str]) -> R<'a, Options> {
    let mut o = Options::default();
    let expected = || {
        allowed
            .iter()
            .map(|a| match *a {
                "to" => "to FILE.png".to_string(),
                "range" => "range=LO,HI".to_string(),
                other => format!("{other}="),
            })
            .collect::<Vec<_>>()
            .join(" or ")
    };
    loop {
        let (j, _) = sp(k)?;
        if at_statement_end(&j) {
            return Ok((j, o));
        }
        // `to PATH`
        if allowed.contains(&"to") {
            if let Ok((after, w)) = name(j) {
                if w.node == "to" {
                    let (after, _) = sp(after)?;
                    let (after, p) = path(after)
                        .or_else(|_| cut_expected(after, "a file to write: to FILE.png"))?;
                    o.to = Some(p);
                    k = after;
                    continue;
                }
            }
        }
        let (j, kw) = keyword_eq(j).or_else(|_| cut_expected(j, &expected()))?;
        if !allowed.contains(&kw.node.as_str()) {
            return failure(Error::new(
                ErrorKind::Syntax {
                    expected: expected(),
                    found: format!("`{}=`", kw.node),
                },
                kw.span,
            ));
        }
        match kw.node.as_str() {
            "bins" => {
                let (j, e) = factor(j, 1).or_else(|_| cut_expected(j, "a number of bins"))?;
                o.bins = Some(e);
                k = j;
            }
            "range" => {
                if let Ok((after, w)) = name(j) {
                    if w.node == "auto" {
                        k = after;
                        continue;
                    }
                }
                let (j, lo) =
                    factor(j, 1).or_else(|_| cut_expected(j, "the low end of the range"))?;
                let (j, _) = sp(j)?;
                let (j, _) = punct(j, ",")
                    .or_else(|_| cut_expected(j, "`,` and the high end: range=LO,HI"))?;
                let (j, _) = sp(j)?;
                let (j, hi) =
                    factor(j, 1).or_else(|_| cut_expected(j, "the high end of the range"))?;
                o.range = Some((lo, hi));
                k = j;
            }
            "cmap" | "reduce" => {
                let (j, n) = name(j).or_else(|_| cut_expected(j, "a name"))?;
                if kw.node == "cmap" {
                    o.cmap = Some(n);
                } else {
                    o.reduce = Some(n);
                }
                k = j;
            }
            _ => unreachable!("checked against `allowed`"),
        }
    }
}

/// The expression a command works on, or a message naming what it wanted.
fn command_operand<'a>(k: In<'a>, what: &str) -> R<'a, Expr> {
    match expression(k, 0) {
        Ok(r) => Ok(r),
        Err(nom::Err::Error(_)) => cut_expected(k, what),
        Err(e) => Err(e),
    }
}

/// `hist_stmt = "hist" expression options`
///   (options: bins=N, range=LO,HI, to PATH)
fn hist_stmt(k: In) -> R<Stmt> {
    let (k, expr) = command_operand(k, "the expression to draw")?;
    let (k, o) = options(k, &["bins", "range", "to"])?;
    Ok((
        k,
        Stmt::Hist {
            expr,
            bins: o.bins,
            range: o.range,
            to: o.to,
        },
    ))
}

/// `export_stmt = "export" name name options` (options: to PATH)
fn export_stmt(k: In) -> R<Stmt> {
    let (k, n) = name(k).or_else(|_| cut_expected(k, "the name to export"))?;
    let (k, _) = sp(k)?;
    let (k, format) = name(k).or_else(|_| cut_expected(k, "a format: vrt, envi or numpy"))?;
    let (k, o) = options(k, &["to"])?;
    Ok((
        k,
        Stmt::Export {
            name: n,
            format,
            to: o.to,
        },
    ))
}

/// `plot_stmt = "plot" expression options` (options: to PATH)
fn plot_stmt(k: In) -> R<Stmt> {
    let (k, expr) = command_operand(k, "the 1-D expression to plot")?;
    let (k, o) = options(k, &["to"])?;
    Ok((k, Stmt::Plot { expr, to: o.to }))
}

/// `image_stmt = "image" expression options`
///   (options: to PATH, cmap=NAME, range=LO,HI|auto, reduce=mean|max)
fn image_stmt(k: In) -> R<Stmt> {
    let (k, expr) = command_operand(k, "the 2-D expression to draw")?;
    let (k, o) = options(k, &["to", "cmap", "range", "reduce"])?;
    Ok((
        k,
        Stmt::Image {
            expr,
            to: o.to,
            cmap: o.cmap,
            range: o.range,
            reduce: o.reduce,
        },
    ))
}

/// `save_stmt = "save" expression path`: the path is the statement's last
/// word, so that `save d /tmp/x.npy` does not read `/` as division.
fn save_stmt(k: In) -> R<Stmt> {
    let text = &k.fragment()[..statement_len(&k)];
    let trimmed = text.trim_end();
    // The last word, or a quoted path at the end.
    let path_start = if trimmed.ends_with(['"', '\'']) {
        let q = trimmed.chars().last().expect("ends with a quote");
        trimmed[..trimmed.len() - 1].rfind(q)
    } else {
        trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map(|(w, c)| w + c.len_utf8())
    };
    let Some(path_start) = path_start.filter(|&p| p > 0 && !trimmed[..p].trim().is_empty()) else {
        return cut_expected(k, "an expression and a file path: save EXPR PATH");
    };
    let (rest, expr_part) = take_bytes(k, path_start);
    let (after, e) = match expression(expr_part, 0) {
        Ok(r) => r,
        Err(nom::Err::Error(_)) => return cut_expected(expr_part, "the expression to save"),
        Err(e) => return Err(e),
    };
    let (after, _) = sp(after)?;
    if !after.fragment().is_empty() {
        return cut_expected(after, "the end of the expression before the path");
    }
    let (rest, p) =
        path(rest).or_else(|_| cut_expected(rest, "a file path (.npy, .csv or .bin)"))?;
    Ok((rest, Stmt::Save { expr: e, path: p }))
}

/// `statement = open_stmt | close_stmt | save_stmt | set_stmt | vars_stmt
///            | files_stmt | help_stmt | assignment | expression`
fn statement(i: In) -> R<Stmt> {
    if let Ok((j, word)) = name(i) {
        let (k, _) = sp(j)?;
        let is_assign = k.fragment().starts_with('=') && !k.fragment().starts_with("==");
        if is_assign {
            let (k, _) = punct(k, "=")?;
            let (k, _) = sp(k)?;
            let (k, expr) = match expression(k, 0) {
                Ok(r) => r,
                Err(nom::Err::Error(_)) => return cut_expected(k, "an expression after `=`"),
                Err(e) => return Err(e),
            };
            return Ok((k, Stmt::Assign { name: word, expr }));
        }
        let separated = pos(&k) > pos(&j) || at_statement_end(&k);
        if separated {
            match word.node.as_str() {
                "open" => return open_stmt(k),
                "close" => {
                    let (k, n) = name(k).or_else(|_| cut_expected(k, "the name to close"))?;
                    return Ok((k, Stmt::Close(n)));
                }
                "export" => return export_stmt(k),
                "info" => {
                    let (k, n) = name(k).or_else(|_| cut_expected(k, "the name to describe"))?;
                    return Ok((k, Stmt::Info(n)));
                }
                "save" => return save_stmt(k),
                "stats" => {
                    let (k, e) = match expression(k, 0) {
                        Ok(r) => r,
                        Err(nom::Err::Error(_)) => {
                            return cut_expected(k, "the expression to summarise")
                        }
                        Err(e) => return Err(e),
                    };
                    return Ok((k, Stmt::Stats(e)));
                }
                "hist" => return hist_stmt(k),
                "plot" => return plot_stmt(k),
                "image" => return image_stmt(k),
                "explain" => {
                    let (k, e) = command_operand(k, "the expression to explain")?;
                    return Ok((k, Stmt::Explain(e)));
                }
                "bytes" | "dump" => {
                    let (k, e) = command_operand(k, "the view whose bytes to show")?;
                    return Ok((k, Stmt::Bytes(e)));
                }
                "set" => {
                    if at_statement_end(&k) {
                        return Ok((k, Stmt::Set(None)));
                    }
                    let (k, key) = name(k).or_else(|_| cut_expected(k, "a setting name"))?;
                    let (k, _) = sp(k)?;
                    let (k, value) = path(k).or_else(|_| cut_expected(k, "a value"))?;
                    return Ok((k, Stmt::Set(Some((key, value)))));
                }
                "vars" if at_statement_end(&k) => return Ok((k, Stmt::Vars)),
                "files" if at_statement_end(&k) => return Ok((k, Stmt::Files)),
                "help" => {
                    if at_statement_end(&k) {
                        return Ok((k, Stmt::Help(None)));
                    }
                    let (k, t) = path(k)?;
                    return Ok((k, Stmt::Help(Some(t))));
                }
                _ => {}
            }
        }
    }
    let (j, e) = expression(i, 0)?;
    Ok((j, Stmt::Print(e)))
}

/// Parses one line: `line = [ statement ] { ";" [ statement ] } [ comment ]`.
/// Spans are byte offsets into `text`.
pub fn parse_line(text: &str) -> Result<Vec<(Stmt, Span)>, Error> {
    let mut i = In::new(text);
    let mut out = Vec::new();
    loop {
        let (j, _) = sp(i).map_err(|e| into_error(e, text.len()))?;
        i = j;
        match peek_char(&i) {
            None | Some('#') => return Ok(out),
            Some(';') | Some('\n') => {
                i = nom::bytes::complete::take::<usize, In, PErr>(1usize)(i)
                    .map_err(|e| into_error(e, text.len()))?
                    .0;
                continue;
            }
            _ => {}
        }
        let start = pos(&i);
        let (j, stmt) = statement(i).map_err(|e| into_error(e, text.len()))?;
        let end = pos(&j);
        let (j, _) = sp(j).map_err(|e| into_error(e, text.len()))?;
        if !at_statement_end(&j) {
            // `opne f.bin`: a bare name followed by more words reads as a command typo.
            if let Stmt::Print(Expr {
                kind: ExprKind::Name(n),
                span,
            }) = &stmt
            {
                return Err(Error::new(
                    ErrorKind::UnknownCommand {
                        name: n.clone(),
                        suggestion: suggest(n, COMMANDS.iter().copied()),
                    },
                    *span,
                ));
            }
            return Err(expected_error(&j, "`;` or the end of the statement"));
        }
        out.push((stmt, Span::new(start, end)));
        i = j;
    }
}

/// Parses a single expression (for tests and tools).
pub fn parse_expression(text: &str) -> Result<Expr, Error> {
    let i = In::new(text);
    let (j, e) = expression(i, 0).map_err(|e| into_error(e, text.len()))?;
    let (j, _) = sp(j).map_err(|e| into_error(e, text.len()))?;
    if !j.fragment().is_empty() {
        return Err(expected_error(&j, "the end of the expression"));
    }
    Ok(e)
}

/// Parses a Python literal, as written in `.npy` headers.
pub fn parse_py_literal(text: &str) -> Result<Lit, Error> {
    let i = In::new(text);
    let (j, _) = msp(i).map_err(|e| into_error(e, text.len()))?;
    let (j, l) = py_literal(j, 0).map_err(|e| into_error(e, text.len()))?;
    let (j, _) = msp(j).map_err(|e| into_error(e, text.len()))?;
    if !j.fragment().is_empty() {
        return Err(expected_error(&j, "the end of the literal"));
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Stmt {
        let mut v = parse_line(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        assert_eq!(v.len(), 1, "{text}");
        v.remove(0).0
    }

    fn err(text: &str) -> Error {
        parse_line(text).expect_err(text)
    }

    #[test]
    fn parses_the_design_cards_line_verbatim() {
        let v = parse_line("open f.bin 100x100; d.r[50:,50:]").unwrap();
        assert_eq!(v.len(), 2);
        let Stmt::Open(o) = &v[0].0 else { panic!() };
        assert_eq!(o.path.node, "f.bin");
        assert_eq!(o.shape.as_ref().unwrap().node, vec![100, 100]);
        assert!(matches!(v[1].0, Stmt::Print(_)));
    }

    #[test]
    fn parses_numpy_structured_lists_verbatim_with_either_quotes() {
        let Stmt::Open(o) = one(
            r#"open "my data.bin" (100, 100) dtype=[("r", '<f4'),( 'i' ,"<f4" )] offset=(50*100*8) order=F as q"#,
        ) else {
            panic!()
        };
        assert_eq!(o.path.node, "my data.bin");
        assert_eq!(plain(&o.dtype.unwrap()), r#"[("r", "<f4"), ("i", "<f4")]"#);
        assert_eq!(o.order.unwrap().node, 'F');
        assert_eq!(o.name.unwrap().node, "q");
        assert!(o.offset.is_some());
    }

    /// A literal without its spans, in Python's spelling, so that two
    /// parses can be compared whole.
    fn plain(l: &Lit) -> String {
        let list = |v: &[Lit]| v.iter().map(plain).collect::<Vec<_>>().join(", ");
        match &l.kind {
            LitKind::Str(s) => format!("{s:?}"),
            LitKind::Int(i) => i.to_string(),
            LitKind::Bool(b) => if *b { "True" } else { "False" }.into(),
            LitKind::None => "None".into(),
            LitKind::Tuple(v) if v.len() == 1 => format!("({},)", plain(&v[0])),
            LitKind::Tuple(v) => format!("({})", list(v)),
            LitKind::List(v) => format!("[{}]", list(v)),
            LitKind::Dict(v) => format!(
                "{{{}}}",
                v.iter()
                    .map(|(k, x)| format!("{}: {}", plain(k), plain(x)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    #[test]
    fn parses_the_short_record_form_into_the_same_list() {
        let Stmt::Open(a) = one("open f {r: <f4, i: >i2}") else {
            panic!()
        };
        let Stmt::Open(b) = one("open f [('r', '<f4'), ('i', '>i2')]") else {
            panic!()
        };
        let (a, b) = (plain(&a.dtype.unwrap()), plain(&b.dtype.unwrap()));
        assert_eq!(a, b);
        assert_eq!(a, r#"[("r", "<f4"), ("i", ">i2")]"#);
    }

    #[test]
    fn slices_keep_their_omitted_parts_apart() {
        let e = parse_expression("d[::-1, 1:, :3, ..., None, -2]").unwrap();
        let ExprKind::Index { items, .. } = e.kind else {
            panic!()
        };
        assert_eq!(items.len(), 6);
        assert!(matches!(
            &items[0],
            IndexItem::Slice {
                start: None,
                stop: None,
                step: Some(_),
                ..
            }
        ));
        assert!(matches!(
            &items[1],
            IndexItem::Slice {
                start: Some(_),
                stop: None,
                step: None,
                ..
            }
        ));
        assert!(matches!(
            &items[2],
            IndexItem::Slice {
                start: None,
                stop: Some(_),
                step: None,
                ..
            }
        ));
        assert!(matches!(&items[3], IndexItem::Ellipsis(_)));
        assert!(matches!(
            &items[4],
            IndexItem::Expr(Expr {
                kind: ExprKind::None,
                ..
            })
        ));
    }

    #[test]
    fn power_binds_tighter_than_unary_minus_as_in_python() {
        let e = parse_expression("-2**2").unwrap();
        assert!(matches!(
            e.kind,
            ExprKind::Unary {
                op: UnaryOp::Neg,
                ..
            }
        ));
        let e = parse_expression("1 + 2 * 3").unwrap();
        let ExprKind::Binary { op: BinOp::Add, .. } = e.kind else {
            panic!()
        };
    }

    #[test]
    fn an_unclosed_bracket_points_at_where_it_opened_and_where_input_ended() {
        let e = err("d[1, 2");
        assert_eq!(*e.kind, ErrorKind::Unclosed { open: '[' });
        assert_eq!(e.span, Span::new(1, 2));
        assert_eq!(e.related.unwrap().0, Span::new(6, 6));
    }

    #[test]
    fn a_command_typo_suggests_the_command() {
        let e = err("opne f.bin");
        assert!(
            matches!(*e.kind, ErrorKind::UnknownCommand { suggestion: Some(ref s), .. } if s == "open"),
            "{e:?}"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for text in [
            format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000)),
            format!("{}1", "-".repeat(100_000)),
            format!("d{}", "[0]".repeat(100_000)),
            format!("open f {}", "[".repeat(100_000)),
        ] {
            // The front ends parse on a thread with `STACK_SIZE` bytes of stack; so does this test.
            let e = std::thread::Builder::new()
                .stack_size(crate::STACK_SIZE)
                .spawn(move || err(&text))
                .unwrap()
                .join()
                .unwrap();
            assert_eq!(*e.kind, ErrorKind::NestingTooDeep { limit: MAX_DEPTH });
        }
    }

    #[test]
    fn a_forty_digit_literal_is_a_clear_error() {
        let e = err("d[1234567890123456789012345678901234567890]");
        assert!(matches!(*e.kind, ErrorKind::IntTooLarge { .. }));
    }

    #[test]
    fn comments_and_empty_statements_are_skipped() {
        assert_eq!(parse_line("  # nothing").unwrap().len(), 0);
        assert_eq!(parse_line(";;d ; d # x").unwrap().len(), 2);
    }

    #[test]
    fn npy_headers_parse_as_python_literals() {
        let l = parse_py_literal("{'descr': [('r', '<f4'), ('i', '>i2', (3,))], 'fortran_order': False, 'shape': (10, 5), }     \n").unwrap();
        assert_eq!(
            plain(&l),
            r#"{"descr": [("r", "<f4"), ("i", ">i2", (3,))], "fortran_order": False, "shape": (10, 5)}"#
        );
    }
}

#[cfg(test)]
mod unicode_tests {
    use super::*;

    /// Regression: the fuzzer found that a string holding `ψ` cut the
    /// input by characters where it meant bytes.
    #[test]
    fn strings_with_multibyte_characters_parse_and_end_where_they_end() {
        let e = parse_expression("'ψ'").unwrap();
        assert_eq!(e.kind, ExprKind::Str("ψ".into()));
        assert!(parse_expression("'ψ'ψ").is_err());
        let v = parse_line("save d['é'] 'données é.npy'").unwrap();
        let Stmt::Save { path, .. } = &v[0].0 else {
            panic!()
        };
        assert_eq!(path.node, "données é.npy");
    }

    /// Regression (fuzzer): a two-byte whitespace character (U+0085) before
    /// the path of `save` split the line inside a character.
    #[test]
    fn save_splits_its_path_at_any_whitespace_character() {
        // An error (U+0085 is not a separator between tokens), not a panic.
        assert!(parse_line("save d\u{85}x.npy").is_err());
        assert!(parse_line("save\r\u{1}++\u{0}8++\u{1}++++\u{0}\u{85}\u{0}\u{85}\u{85};").is_err());
    }

    /// Regression (fuzzer): an error whose span the snippet window moved
    /// (a long line) made a caret of negative width; an infinite imaginary
    /// literal printed as `(1e999)j`.
    #[test]
    fn fuzzer_found_snippets_and_literals_render() {
        let line = "J[z:J:J[((J[:J_z:\u{227fe}J[z[((J[:J_J_z:\u{227fe}J\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        let e = parse_line(line).unwrap_err();
        let _ = e.render(Some(("fuzz", 1)), line);
        let printed = parse_expression("z**6e444J").unwrap().to_string();
        assert!(parse_expression(&printed).is_ok(), "{printed}");
    }

    /// Regression (fuzzer): `0._5` is the attribute `_5` of the integer 0,
    /// not the float 0.5 (as in Python), and prints back as `(0)._5`.
    #[test]
    fn an_underscore_after_a_point_starts_a_name() {
        let e = parse_expression("0._066").unwrap();
        assert!(matches!(e.kind, ExprKind::Attr { .. }), "{e:?}");
        let printed = e.to_string();
        assert_eq!(printed, "(0)._066");
        assert_eq!(parse_expression(&printed).unwrap().to_string(), printed);
    }
}
