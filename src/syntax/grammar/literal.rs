//! Python literals (tuples, lists, dicts, strings, numbers), as dtype
//! lists and `.npy` headers write them.

use super::*;

/// A quoted string (`string`) as a literal: a dtype string or a Python
/// str.
pub(in crate::syntax) fn string_literal(i: In) -> R<Lit> {
    let (j, s) = string(i)?;
    Ok((
        j,
        Lit {
            kind: LitKind::Str(s.node),
            span: s.span,
        },
    ))
}

/// `py_literal = string | int | "True" | "False" | "None" | py_tuple | py_list | py_dict`
pub(in crate::syntax) fn py_literal(i: In, depth: usize) -> R<Lit> {
    if let Some(e) = too_deep(&i, depth) {
        return e;
    }
    let start = pos(&i);
    match peek_char(&i) {
        Some('\'' | '"') => string_literal(i),
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

pub(in crate::syntax) fn py_sequence(i: In, depth: usize, open_c: char, close_c: char) -> R<Lit> {
    let start = pos(&i);
    let (i, _) = nom::bytes::complete::take(1usize)(i)?;
    let open = Span::new(start, start + 1);
    let (i, (mut items, trailing_comma)) = comma_list(i, close_c, msp, |j| {
        if j.fragment().is_empty() {
            return failure(
                Error::new(ErrorKind::Unclosed { open: open_c }, open)
                    .with_related(Span::new(pos(&j), pos(&j)), "input ended here"),
            );
        }
        required(
            j,
            "a string, a number, a tuple or a list",
            py_literal(j, depth + 1),
        )
    })?;
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

pub(in crate::syntax) fn py_dict(i: In, depth: usize) -> R<Lit> {
    let start = pos(&i);
    let (i, open) = punct(i, "{")?;
    let (i, (entries, _)) = comma_list(i, '}', msp, |j| {
        let (j, k) = required(j, "a key", py_literal(j, depth + 1))?;
        let (j, _) = msp(j)?;
        let (j, _) = match punct(j, ":") {
            Ok(r) => r,
            Err(_) => return cut_expected(j, "`:`"),
        };
        let (j, _) = msp(j)?;
        let (j, v) = required(j, "a value", py_literal(j, depth + 1))?;
        Ok((j, (k, v)))
    })?;
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
