//! Expressions, by precedence from comparisons down to atoms, and calls.

use super::*;

/// `expression = comparison`
pub(in crate::syntax) fn expression(i: In, depth: usize) -> R<Expr> {
    if let Some(e) = too_deep(&i, depth) {
        return e;
    }
    comparison(i, depth)
}

pub(in crate::syntax) fn comparison_op(i: In) -> R<BinOp> {
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
pub(in crate::syntax) fn comparison(i: In, depth: usize) -> R<Expr> {
    let (i, lhs) = bit_or(i, depth)?;
    let (i2, _) = sp(i)?;
    // `x >> 3` would otherwise read as `x > (> 3)` and fail at the second
    // `>` (or, inside a call, at the argument's start).
    if i2.fragment().starts_with(">>") || i2.fragment().starts_with("<<") {
        return failure(Error::new(
            ErrorKind::Type {
                message: "bit shifts (`>>`, `<<`) are not supported".into(),
                hint: Some("x // 2**k shifts integers right, x * 2**k left".into()),
            },
            found_span(&i2),
        ));
    }
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
pub(in crate::syntax) fn binary_level<'a>(
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
        // `x += 1`: an augmented assignment's operator, not this one.
        if j.fragment()[n..].starts_with('=') {
            return Ok((i, lhs));
        }
        depth += 1;
        if let Some(e) = too_deep(&j, depth) {
            return e;
        }
        let (j, _) = nom::bytes::complete::take(n)(j)?;
        let (j, _) = sp(j)?;
        let (j, rhs) = required(j, &format!("an operand after `{op}`"), next(j, depth + 1))?;
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
pub(in crate::syntax) fn bit_or(i: In, depth: usize) -> R<Expr> {
    binary_level(i, depth, bit_xor, |s| {
        s.starts_with('|').then_some((BinOp::Or, 1))
    })
}

/// `bit_xor = bit_and { "^" bit_and }`
pub(in crate::syntax) fn bit_xor(i: In, depth: usize) -> R<Expr> {
    binary_level(i, depth, bit_and, |s| {
        s.starts_with('^').then_some((BinOp::Xor, 1))
    })
}

/// `bit_and = sum { "&" sum }`
pub(in crate::syntax) fn bit_and(i: In, depth: usize) -> R<Expr> {
    binary_level(i, depth, sum, |s| {
        s.starts_with('&').then_some((BinOp::And, 1))
    })
}

/// `sum = term { ("+" | "-") term }`
pub(in crate::syntax) fn sum(i: In, depth: usize) -> R<Expr> {
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
pub(in crate::syntax) fn term(i: In, depth: usize) -> R<Expr> {
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
pub(in crate::syntax) fn factor(i: In, depth: usize) -> R<Expr> {
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
    let (j, operand) = required(j, "an operand", factor(j, depth + 1))?;
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
pub(in crate::syntax) fn power(i: In, depth: usize) -> R<Expr> {
    let (i, base) = postfix(i, depth)?;
    let (j, _) = sp(i)?;
    if !j.fragment().starts_with("**") || j.fragment().starts_with("**=") {
        return Ok((i, base));
    }
    let (j, _) = punct(j, "**")?;
    let (j, _) = sp(j)?;
    let (j, exp) = required(j, "an exponent after `**`", factor(j, depth + 1))?;
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
pub(in crate::syntax) fn postfix(i: In, depth: usize) -> R<Expr> {
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

/// `call = "(" [ argument { "," argument } [ "," ] ] ")"`,
/// `argument = [ name "=" ] expression`
pub(in crate::syntax) fn call(i: In, depth: usize) -> R<(Vec<Arg>, usize)> {
    let (i, open) = punct(i, "(")?;
    let (i, (args, _)) = comma_list(i, ')', sp, |j| {
        let (j, name) = match keyword_eq(j) {
            Ok((k, n)) => (k, Some(n)),
            Err(_) => (j, None),
        };
        let (j, value) = item_or(expression(j, depth + 1), j, open, '(', "an argument")?;
        Ok((j, Arg { name, value }))
    })?;
    let (i, end) = close_bracket(i, open, '(', "`,` or `)`")?;
    Ok((i, (args, end)))
}

/// An entry of a bracketed list as `parse` left it: at the end of the
/// statement, a missing entry means the bracket opened at `open` is never
/// closed; elsewhere, that `what` was expected.
pub(in crate::syntax) fn item_or<'a, T>(
    parse: R<'a, T>,
    at: In<'a>,
    open: Span,
    bracket: char,
    what: &str,
) -> R<'a, T> {
    match parse {
        Err(nom::Err::Error(_)) if at_statement_end(&at) => {
            let end = pos(&at);
            failure(
                Error::new(ErrorKind::Unclosed { open: bracket }, open)
                    .with_related(Span::new(end, end), "input ended here"),
            )
        }
        Err(nom::Err::Error(_)) => cut_expected(at, what),
        other => other,
    }
}

/// `atom = number | string | "None" | name | "(" expression ")" | tuple`
pub(in crate::syntax) fn atom(i: In, depth: usize) -> R<Expr> {
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
pub(in crate::syntax) fn bracket_items<'a>(
    i: In<'a>,
    open: Span,
    close: char,
    depth: usize,
) -> R<'a, (Vec<Expr>, bool)> {
    let bracket = if close == ']' { '[' } else { '(' };
    comma_list(i, close, sp, |j| {
        item_or(expression(j, depth + 1), j, open, bracket, "an expression")
    })
}

/// `list = "[" [ expression { "," expression } [ "," ] ] "]"`
pub(in crate::syntax) fn list(i: In, depth: usize) -> R<Expr> {
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
pub(in crate::syntax) fn paren(i: In, depth: usize) -> R<Expr> {
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
