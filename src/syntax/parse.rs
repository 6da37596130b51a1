//! The parser's entry points: a line, an expression, a Python literal.
//! The productions themselves live in [`super::grammar`], one file per area.

use super::ast::*;
use super::grammar::*;
use crate::diag::{suggest, Error, ErrorKind};

pub use crate::lit::MAX_DEPTH;

/// The statement keywords, for dispatch and for "did you mean" hints.
pub const COMMANDS: &[&str] = &[
    "open", "close", "save", "set", "vars", "files", "help", "stats", "hist", "psd", "specgram",
    "plot", "image", "explain", "bytes", "dump", "info", "export", "import", "guess", "flush",
];

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

/// Whether `text` (one or more physical lines) leaves a `(`, `[` or `{`
/// open outside strings and comments: a statement that goes on on the next
/// line, as in Python. Front ends join such lines with [`join_lines`].
pub fn continues(text: &str) -> bool {
    let mut depth = 0i64;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), '\n') => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') => {
                // A comment runs to the end of its physical line.
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

/// Several physical lines as one line of the same length in bytes:
/// comments blanked and newlines made spaces, so a span into the result is
/// a span into `text` too (errors point into the original lines; see
/// [`crate::diag::Error::render`]).
pub fn join_lines(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    let mut quote: Option<u8> = None;
    let mut comment = false;
    let mut escaped = false;
    for &b in text.as_bytes() {
        if b == b'\n' {
            out.push(b' ');
            comment = false;
            quote = None;
            continue;
        }
        if comment {
            out.push(b' ');
            continue;
        }
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if b == b'\\' => escaped = true,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'#' => {
                comment = true;
                out.push(b' ');
                continue;
            }
            None => {}
        }
        out.push(b);
    }
    // The line's own end stays (the parser stops there, as before).
    if text.ends_with('\n') {
        out.pop();
        out.push(b'\n');
    }
    // Only ASCII bytes were replaced, by ASCII: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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
    #[test]
    fn open_brackets_continue_a_statement_and_joined_lines_keep_their_offsets() {
        use super::{continues, join_lines};
        assert!(continues("x = mean(d,"));
        assert!(continues("d[1,\n  2"));
        assert!(!continues("d[1,\n  2]"));
        assert!(!continues("x = '(' # ("));
        assert!(continues("f(a,  # a comment )\n"));
        let text = "mean(d.r,  # the reals\n     axis=0)";
        let joined = join_lines(text);
        assert_eq!(joined.len(), text.len());
        assert_eq!(joined, "mean(d.r,                   axis=0)");
        assert_eq!(super::parse_line(&joined).unwrap().len(), 1);
        assert_eq!(join_lines("'a#b'\n"), "'a#b'\n");
        assert_eq!(join_lines("f(1,\n2)\n"), "f(1, 2)\n");
    }

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
