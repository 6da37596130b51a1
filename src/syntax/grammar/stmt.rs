//! Statements: `open` and its arguments, the commands and their options,
//! and the dispatch from a line's first word.

use super::*;

/// `open_stmt = "open" ( path | path_list ) { open_arg }`
pub(in crate::syntax) fn open_stmt(i: In) -> R<Stmt> {
    let (i, _) = sp(i)?;
    let (mut i, p, list) = match path_list(i) {
        Ok((j, (p, list))) => (j, p, list),
        Err(_) => match path(i) {
            Ok((j, p)) => (j, p, Vec::new()),
            Err(_) => return cut_expected(i, "a file path"),
        },
    };
    let mut open = Open {
        path: p,
        list,
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

/// `path_list = "[" list_item { "," list_item } [ "," ] "]"`: the files
/// of a dataset, in order; a bare path here stops at `,` and `]`. Gives
/// the whole list's text and span, and each path.
fn path_list(i: In) -> R<(Spanned<String>, Vec<Spanned<String>>)> {
    let start = pos(&i);
    let (mut i, _) = punct(i, "[")?;
    let mut list = Vec::new();
    loop {
        let (j, _) = sp(i)?;
        if let Ok((k, _)) = punct(j, "]") {
            i = k;
            break;
        }
        let (j, p) = list_item(j)?;
        list.push(p);
        let (j, _) = sp(j)?;
        match punct(j, ",") {
            Ok((k, _)) => i = k,
            Err(_) => {
                let (k, _) = punct(j, "]")?;
                i = k;
                break;
            }
        }
    }
    if list.is_empty() {
        return expected(i, "a file path");
    }
    let span = Span::new(start, pos(&i));
    let text = list
        .iter()
        .map(|p| p.node.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    Ok((
        i,
        (
            Spanned {
                node: format!("[{text}]"),
                span,
            },
            list,
        ),
    ))
}

/// `list_item = string | bare_word`: a bare word stops at `,` and `]`.
fn list_item(j: In) -> R<Spanned<String>> {
    if matches!(peek_char(&j), Some('\'' | '"')) {
        return string(j);
    }
    let at = pos(&j);
    let (k, w) =
        take_while(|c: char| !c.is_whitespace() && !matches!(c, ',' | ']' | ';' | '#'))(j)?;
    if w.fragment().is_empty() {
        return expected(j, "a file path");
    }
    let span = Span::new(at, pos(&k));
    Ok((
        k,
        Spanned {
            node: w.fragment().to_string(),
            span,
        },
    ))
}

/// `mode = "r" | "r+" | "c" | "readonly" | "readwrite" | "copyonwrite"`,
/// bare or quoted, as NumPy's memmap takes them; `w+` (create or
/// overwrite) is refused: `open` never creates or truncates a file.
fn open_mode(k: In) -> R<Spanned<String>> {
    let start = pos(&k);
    let (k, word) = match string(k) {
        Ok((k, w)) => (k, w.node),
        Err(_) => {
            let (k, w) = take_while1(|c: char| c.is_alphanumeric() || c == '+')(k)
                .or_else(|_: nom::Err<PErr>| cut_expected(k, "r, r+ or c"))?;
            (k, w.fragment().to_string())
        }
    };
    let span = Span::new(start, pos(&k));
    let node = match word.as_str() {
        "r" | "readonly" => "r",
        "r+" | "readwrite" => "r+",
        "c" | "copyonwrite" => "c",
        "w+" | "write" => {
            return failure(Error::new(
                ErrorKind::Syntax {
                    expected: "r, r+ or c".into(),
                    found: format!("`{word}`: open never creates or overwrites a file"),
                },
                span,
            ))
        }
        _ => {
            return failure(Error::new(
                ErrorKind::Syntax {
                    expected: "r, r+ or c (NumPy's memmap modes)".into(),
                    found: format!("`{word}`"),
                },
                span,
            ))
        }
    };
    Ok((
        k,
        Spanned {
            node: node.into(),
            span,
        },
    ))
}

/// `open_arg = "shape" "=" shape | "dtype" "=" dtype | "offset" "=" postfix
///           | "order" "=" ("C" | "F") | "mode" "=" mode | "as" name | shape | dtype`
pub(in crate::syntax) fn open_arg<'a>(j: In<'a>, open: &mut Open) -> R<'a, ()> {
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
                let (k, e) =
                    required(k, "a byte offset such as 4096 or (50*100*8)", postfix(k, 1))?;
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
            "mode" => {
                if open.mode.is_some() {
                    return dup("mode", &j);
                }
                let (k, m) = open_mode(k)?;
                open.mode = Some(m);
                return Ok((k, ()));
            }
            other => {
                let names = ["shape", "dtype", "offset", "order", "mode"];
                let hint = suggest(other, names).map(|s| format!("did you mean `{s}=`?"));
                return failure(
                    Error::new(
                        ErrorKind::Syntax {
                            expected: "shape=, dtype=, offset=, order= or mode=".into(),
                            found: format!("`{other}=`"),
                        },
                        kw.span,
                    )
                    .with_hint_text(hint),
                );
            }
        }
    }
    let word_end = |w: &str| {
        j.fragment()
            .strip_prefix(w)
            .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', ';', '#']))
    };
    if word_end("guess") {
        let (k, w) = name(j)?;
        open.guess = Some(w.span);
        return Ok((k, ()));
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
pub(in crate::syntax) fn statement_len(i: &In) -> usize {
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
pub(in crate::syntax) struct Options {
    bins: Option<Expr>,
    range: Option<(Expr, Expr)>,
    /// `range=minmax` (pictures: the whole range, not percentiles).
    minmax: bool,
    to: Option<Spanned<String>>,
    cmap: Option<Spanned<String>>,
    reduce: Option<Spanned<String>>,
}

/// `options = { "bins" "=" factor | "range" "=" ( range_pair | "auto" | "minmax" )
///            | "cmap" "=" name | "reduce" "=" name | "to" path }`;
/// `allowed` names the ones the command takes.
pub(in crate::syntax) fn options<'a>(mut k: In<'a>, allowed: &[&str]) -> R<'a, Options> {
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
                    if w.node == "auto" || w.node == "minmax" {
                        o.minmax = w.node == "minmax";
                        k = after;
                        continue;
                    }
                }
                let (j, pair) = range_pair(j)?;
                o.range = Some(pair);
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
pub(in crate::syntax) fn command_operand<'a>(k: In<'a>, what: &str) -> R<'a, Expr> {
    match expression(k, 0) {
        Ok(r) => Ok(r),
        Err(nom::Err::Error(_)) => cut_expected(k, what),
        Err(e) => Err(e),
    }
}

/// `hist_stmt = "hist" expression options`
///   (options: bins=N, range=LO,HI, to PATH)
pub(in crate::syntax) fn hist_stmt(k: In) -> R<Stmt> {
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

/// `psd_stmt = "psd" expression { name "=" factor | "to" path }`: the
/// keyword arguments of `welch`, a bare word standing for its string
/// (`window=hann`).
pub(in crate::syntax) fn psd_stmt(k: In) -> R<Stmt> {
    let (k, (expr, args, _, to)) = spectrum_stmt(k, false)?;
    Ok((k, Stmt::Psd { expr, args, to }))
}

/// `specgram_stmt = "specgram" expression { "range" "=" range_pair
/// | name "=" factor | "to" path }`: `spectrogram`'s keyword arguments,
/// `cmap=`, `reduce=` and the colour range of `image`.
pub(in crate::syntax) fn specgram_stmt(k: In) -> R<Stmt> {
    let (k, (expr, args, range, to)) = spectrum_stmt(k, true)?;
    Ok((
        k,
        Stmt::Specgram {
            expr,
            args,
            range,
            to,
        },
    ))
}

type SpectrumParts = (
    Expr,
    Vec<Arg>,
    Option<(Expr, Expr)>,
    Option<Spanned<String>>,
);

/// `range_pair = factor "," factor | "(" factor "," factor ")"`: the ends
/// of a range, also as NumPy's `range=(lo, hi)` spells them.
fn range_pair(j: In) -> R<(Expr, Expr)> {
    let (j, open) = match punct(j, "(") {
        Ok((after, _)) => (sp(after)?.0, true),
        Err(_) => (j, false),
    };
    let (j, lo) = factor(j, 1).or_else(|_| cut_expected(j, "the low end of the range"))?;
    let (j, _) = sp(j)?;
    let (j, _) = punct(j, ",").or_else(|_| cut_expected(j, "`,` and the high end: range=LO,HI"))?;
    let (j, _) = sp(j)?;
    let (j, hi) = factor(j, 1).or_else(|_| cut_expected(j, "the high end of the range"))?;
    if !open {
        return Ok((j, (lo, hi)));
    }
    let (j, _) = sp(j)?;
    let (j, _) = punct(j, ")").or_else(|_| cut_expected(j, "`)` closing range=(LO, HI)"))?;
    Ok((j, (lo, hi)))
}

/// The operand and options of `psd` and (`waterfall`) `specgram`.
fn spectrum_stmt(k: In, waterfall: bool) -> R<SpectrumParts> {
    let what = if waterfall {
        "the 1-D expression whose spectrogram to draw"
    } else {
        "the 1-D expression whose spectrum to draw"
    };
    let (mut k, expr) = command_operand(k, what)?;
    let mut args = Vec::new();
    let (mut range, mut to) = (None, None);
    loop {
        let (j, _) = sp(k)?;
        if at_statement_end(&j) {
            return Ok((j, (expr, args, range, to)));
        }
        if let Ok((after, w)) = name(j) {
            if w.node == "to" {
                let (after, _) = sp(after)?;
                let (after, p) =
                    path(after).or_else(|_| cut_expected(after, "a file to write: to FILE.png"))?;
                to = Some(p);
                k = after;
                continue;
            }
        }
        let (j, kw) = keyword_eq(j).or_else(|_| {
            cut_expected(
                j,
                if waterfall {
                    "fs=, nperseg=, noverlap=, window=, detrend=, scaling=, cmap=, reduce=, \
                     range= or to FILE.png"
                } else {
                    "fs=, nperseg=, noverlap=, window=, detrend=, scaling= or to FILE.png"
                },
            )
        })?;
        if waterfall && kw.node == "range" {
            let (j, pair) = range_pair(j)?;
            range = Some(pair);
            k = j;
            continue;
        }
        let (j, value) = factor(j, 1).or_else(|_| cut_expected(j, "a value"))?;
        args.push(Arg {
            name: Some(kw),
            value,
        });
        k = j;
    }
}

/// `guess_stmt = "guess" path`
pub(in crate::syntax) fn guess_stmt(k: In) -> R<Stmt> {
    let (k, p) = path(k).or_else(|_| cut_expected(k, "the file to guess the layout of"))?;
    Ok((k, Stmt::Guess(p)))
}

/// `export_stmt = "export" name name options` (options: to PATH)
pub(in crate::syntax) fn export_stmt(k: In) -> R<Stmt> {
    // `stats EXPR` or `hist EXPR`, unless `stats`/`hist` is itself the name
    // exported (`export stats vrt`).
    let (k, _) = sp(k)?;
    let (k, what) = match name(k) {
        Ok((after, w)) if matches!(w.node.as_str(), "stats" | "hist") && !format_follows(after) => {
            let (after, _) = sp(after)?;
            let (after, expr) = command_operand(after, "the expression")?;
            let what = if w.node == "stats" {
                Exported::Stats(expr)
            } else {
                Exported::Hist {
                    expr,
                    bins: None,
                    range: None,
                }
            };
            (after, what)
        }
        _ => {
            let (k, expr) = command_operand(k, "the name or expression to export")?;
            (k, Exported::Expr(expr))
        }
    };
    let (k, _) = sp(k)?;
    let (k, format) = name(k).or_else(|_| cut_expected(k, "a format: vrt, envi, numpy or dask"))?;
    let (k, o) = options(k, &["to", "bins", "range"])?;
    let what = match what {
        Exported::Hist { expr, .. } => Exported::Hist {
            expr,
            bins: o.bins,
            range: o.range,
        },
        w => w,
    };
    Ok((
        k,
        Stmt::Export {
            what,
            format,
            to: o.to,
        },
    ))
}

/// Whether the input goes on with a bare format name and ends (or goes on
/// with options): `export stats vrt` names `stats`.
fn format_follows(k: In) -> bool {
    let Ok((k, _)) = sp(k) else { return false };
    match name(k) {
        Ok((k, n)) => {
            matches!(n.node.as_str(), "vrt" | "envi" | "numpy" | "dask")
                && sp(k).is_ok_and(|(k, _)| at_statement_end(&k) || name(k).is_ok())
        }
        Err(_) => false,
    }
}

/// `plot_stmt = "plot" expression options` (options: to PATH)
pub(in crate::syntax) fn plot_stmt(k: In) -> R<Stmt> {
    let (k, expr) = command_operand(k, "the 1-D expression to plot")?;
    let (k, o) = options(k, &["to"])?;
    Ok((k, Stmt::Plot { expr, to: o.to }))
}

/// `image_stmt = "image" expression options`
///   (options: to PATH, cmap=NAME, range=LO,HI|auto|minmax, reduce=mean|max)
pub(in crate::syntax) fn image_stmt(k: In) -> R<Stmt> {
    let (k, expr) = command_operand(k, "the 2-D expression to draw")?;
    let (k, o) = options(k, &["to", "cmap", "range", "reduce"])?;
    Ok((
        k,
        Stmt::Image {
            expr,
            to: o.to,
            cmap: o.cmap,
            range: match (o.range, o.minmax) {
                (Some(pair), _) => PictureRange::Between(pair),
                (None, true) => PictureRange::MinMax,
                (None, false) => PictureRange::Auto,
            },
            reduce: o.reduce,
        },
    ))
}

/// `save_stmt = "save" expression path`: the path is the statement's last
/// word, so that `save d /tmp/x.npy` does not read `/` as division.
pub(in crate::syntax) fn save_stmt(k: In) -> R<Stmt> {
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
    let (after, e) = required(
        expr_part,
        "the expression to save",
        expression(expr_part, 0),
    )?;
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
pub(in crate::syntax) fn statement(i: In) -> R<Stmt> {
    if let Ok((j, word)) = name(i) {
        let (k, _) = sp(j)?;
        let is_assign = k.fragment().starts_with('=') && !k.fragment().starts_with("==");
        if is_assign {
            let (k, _) = punct(k, "=")?;
            let (k, _) = sp(k)?;
            let (k, expr) = required(k, "an expression after `=`", expression(k, 0))?;
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
                "guess" => return guess_stmt(k),
                "info" => {
                    let (k, n) = name(k).or_else(|_| cut_expected(k, "the name to describe"))?;
                    return Ok((k, Stmt::Info(n)));
                }
                "save" => return save_stmt(k),
                "stats" => {
                    let (k, e) = required(k, "the expression to summarise", expression(k, 0))?;
                    return Ok((k, Stmt::Stats(e)));
                }
                "hist" => return hist_stmt(k),
                "psd" => return psd_stmt(k),
                "specgram" => return specgram_stmt(k),
                "plot" => return plot_stmt(k),
                "image" => return image_stmt(k),
                "explain" => {
                    // `explain psd d ...`: a command word, a space and an
                    // operand (a name `psd` alone is an expression).
                    if let Ok((after, w)) = name(k) {
                        let operand = after
                            .fragment()
                            .strip_prefix([' ', '\t'])
                            .map(|r| r.trim_start())
                            .is_some_and(|r| {
                                !r.is_empty() && !r.starts_with(['=', '(', '[', '.', ';', '#'])
                            });
                        if operand && (w.node == "psd" || w.node == "specgram") {
                            let (after, _) = sp(after)?;
                            let (k, s) = if w.node == "psd" {
                                psd_stmt(after)?
                            } else {
                                specgram_stmt(after)?
                            };
                            return Ok((k, Stmt::ExplainCommand(Box::new(s))));
                        }
                    }
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
                // Python's imports: the rest of the statement is taken as it is.
                "import" | "from" if !at_statement_end(&k) => {
                    let n = statement_len(&k);
                    let (k, _) = nom::bytes::complete::take(n)(k)?;
                    return Ok((k, Stmt::Import));
                }
                "vars" if at_statement_end(&k) => return Ok((k, Stmt::Vars)),
                "flush" if at_statement_end(&k) => return Ok((k, Stmt::Flush(None))),
                "flush" if name(k).is_ok() => {
                    let (k, n) = name(k)?;
                    return Ok((k, Stmt::Flush(Some(n))));
                }
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
    let (k, _) = sp(j)?;
    if let Some((op, n)) = assign_op(k.fragment()) {
        let start = pos(&k);
        let (k, _) = nom::bytes::complete::take(n)(k)?;
        let op = op.map(|op| Spanned {
            node: op,
            span: Span::new(start, start + n),
        });
        let (k, _) = sp(k)?;
        let (k, value) = required(k, "an expression after the assignment", expression(k, 0))?;
        return Ok((
            k,
            Stmt::SetItem {
                target: e,
                op,
                value,
            },
        ));
    }
    Ok((j, Stmt::Print(e)))
}

/// `assign_op = "=" | "+=" | "-=" | "*=" | "/=" | "//=" | "%=" | "**="
///            | "&=" | "|=" | "^="`: the operator and its length.
fn assign_op(s: &str) -> Option<(Option<BinOp>, usize)> {
    if s.starts_with("==") {
        return None;
    }
    if s.starts_with('=') {
        return Some((None, 1));
    }
    let ops = [
        ("**=", BinOp::Pow),
        ("//=", BinOp::FloorDiv),
        ("+=", BinOp::Add),
        ("-=", BinOp::Sub),
        ("*=", BinOp::Mul),
        ("/=", BinOp::Div),
        ("%=", BinOp::Mod),
        ("&=", BinOp::And),
        ("|=", BinOp::Or),
        ("^=", BinOp::Xor),
    ];
    ops.iter()
        .find(|(t, _)| s.starts_with(t))
        .map(|&(t, op)| (Some(op), t.len()))
}
