//! Lexical rules: spaces, punctuation, names, `key=`, strings, paths and
//! numbers.

use super::*;

/// Spaces and tabs (statements end at a newline).
pub(in crate::syntax) fn sp(i: In) -> R<()> {
    let (i, _) = take_while(|c| c == ' ' || c == '\t' || c == '\r')(i)?;
    Ok((i, ()))
}

/// Spaces, tabs and newlines, inside Python literals.
pub(in crate::syntax) fn msp(i: In) -> R<()> {
    let (i, _) = take_while(|c: char| c.is_whitespace())(i)?;
    Ok((i, ()))
}

pub(in crate::syntax) fn peek_char(i: &In) -> Option<char> {
    i.fragment().chars().next()
}

pub(in crate::syntax) fn at_statement_end(i: &In) -> bool {
    matches!(peek_char(i), None | Some(';') | Some('#') | Some('\n'))
}

pub(in crate::syntax) fn punct<'a>(i: In<'a>, p: &'static str) -> R<'a, Span> {
    let start = pos(&i);
    let (i, _) = tag(p)(i)?;
    Ok((i, Span::new(start, start + p.len())))
}

/// `name = letter_ { letter_ | digit }`
pub(in crate::syntax) fn name(i: In) -> R<Spanned<String>> {
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
pub(in crate::syntax) fn keyword_eq(i: In) -> R<Spanned<String>> {
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
pub(in crate::syntax) fn string(i: In) -> R<Spanned<String>> {
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
pub(in crate::syntax) fn path(i: In) -> R<Spanned<String>> {
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

pub(in crate::syntax) fn parse_int_text(text: &str, span: Span) -> Result<i128, Error> {
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
pub(in crate::syntax) fn number(i: In) -> R<Expr> {
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
