//! Dtypes as `open` takes them (NumPy strings, lists, `{r: <f4}`
//! records) and shapes (`100x100`, `(100, 100)`, `-1x1024`).

use super::*;

/// `type_string = [ "<" | ">" | "|" | "=" ] { letter | digit | "_" }`
pub(in crate::syntax) fn type_string(i: In) -> R<Lit> {
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
pub(in crate::syntax) fn dtype(i: In, depth: usize) -> R<Lit> {
    if let Some(e) = too_deep(&i, depth) {
        return e;
    }
    match peek_char(&i) {
        Some('\'' | '"') => string_literal(i),
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
pub(in crate::syntax) fn record(i: In, depth: usize) -> R<Lit> {
    let start = pos(&i);
    let (i, open) = punct(i, "{")?;
    let (i, (fields, _)) = comma_list(i, '}', sp, |j| {
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
        let (j, t) = required(j, "a dtype", dtype(j, depth + 1))?;
        let span = n.span.to(t.span);
        let name_lit = Lit {
            kind: LitKind::Str(n.node),
            span: n.span,
        };
        let field = Lit {
            kind: LitKind::Tuple(vec![name_lit, t]),
            span,
        };
        Ok((j, field))
    })?;
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
pub(in crate::syntax) fn dim(j: In) -> R<i128> {
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
pub(in crate::syntax) fn shape(i: In) -> R<Spanned<Vec<i128>>> {
    let start = pos(&i);
    if peek_char(&i) == Some('(') {
        let (j, open) = punct(i, "(")?;
        let (j, (dims, _)) = comma_list(j, ')', sp, |k| {
            required(k, "a dimension (an integer)", dim(k))
        })?;
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
        let (k, d) = required(k, "a dimension after `x`", dim(k))?;
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
