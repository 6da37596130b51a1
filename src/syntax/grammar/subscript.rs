//! Subscripts: what stands between `[` and `]`.

use super::*;

/// Reports an unclosed bracket (opened at `open`) or a wrong token.
pub(in crate::syntax) fn close_bracket<'a>(
    i: In<'a>,
    open: Span,
    open_char: char,
    what: &str,
) -> R<'a, usize> {
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
pub(in crate::syntax) fn subscript(i: In, depth: usize) -> R<(Vec<IndexItem>, usize)> {
    if let Some(e) = too_deep(&i, depth) {
        return e;
    }
    let (i, open) = punct(i, "[")?;
    let (i, (items, _)) = comma_list(i, ']', sp, |j| {
        item_or(
            index_item(j, depth),
            j,
            open,
            '[',
            "an index, a slice, `...` or `None`",
        )
    })?;
    if items.is_empty() {
        return cut_expected(i, "an index");
    }
    let (i, end) = close_bracket(i, open, '[', "`,` or `]`")?;
    Ok((i, (items, end)))
}

/// `index_item = "..." | slice | expression`
/// `slice = [ expression ] ":" [ expression ] [ ":" [ expression ] ]`
pub(in crate::syntax) fn index_item(i: In, depth: usize) -> R<IndexItem> {
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
