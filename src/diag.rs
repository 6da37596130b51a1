//! Errors a user can cause, as data (what went wrong, where, and how to fix
//! it), and their rendering as `FILE:LINE:COL: error: ...` with the source
//! line and a caret under the offending part.
//!
//! Every fallible step of the pipeline (parse, evaluate, open, save) returns
//! [`Error`]; the front ends only ever call [`Error::render`].

use crate::span::Span;
use std::fmt::Write as _;
use unicode_width::UnicodeWidthStr;

/// An error with the span of input it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// Boxed so that `Result<T, Error>` stays small on the hot path.
    pub kind: Box<ErrorKind>,
    pub span: Span,
    /// A second place worth pointing at, e.g. where an unclosed bracket opened.
    pub related: Option<(Span, &'static str)>,
}

/// What went wrong. Each variant's doc shows an input that causes it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ErrorKind {
    /// `d[1 2]`: the parser wanted one thing and found another.
    #[error("expected {expected}, found {found}")]
    Syntax { expected: String, found: String },
    /// `d[1, 2`: a bracket opened and never closed.
    #[error("`{open}` is never closed")]
    Unclosed { open: char },
    /// `((((...1...))))` past the nesting limit.
    #[error("nesting too deep (more than {limit} levels)")]
    NestingTooDeep { limit: usize },
    /// `d[100000000000000000000000000000000000000000]`
    #[error("integer literal `{text}` is too large")]
    IntTooLarge { text: String },
    /// `opne f.bin`
    #[error("unknown command `{name}`")]
    UnknownCommand {
        name: String,
        suggestion: Option<String>,
    },
    /// `e[0]` when no `e` was opened or assigned.
    #[error("name `{name}` is not defined")]
    UnknownName {
        name: String,
        suggestion: Option<String>,
    },
    /// `d.x` on a record with fields r and i.
    #[error("no field of name {name}")]
    UnknownField { name: String, fields: Vec<String> },
    /// `d.sahpe`
    #[error("`{on}` has no attribute `{name}`")]
    UnknownAttribute {
        on: String,
        name: String,
        suggestion: Option<String>,
    },
    /// `d.T()` or `d.shape[0:1]`-style misuse: the operation does not apply to this kind of value.
    #[error("{message}")]
    Type {
        message: String,
        hint: Option<String>,
    },
    /// `d[100]` on an axis of size 100.
    #[error("index {index} is out of bounds for axis {axis} with size {size}")]
    IndexOutOfBounds {
        index: i128,
        axis: usize,
        size: usize,
    },
    /// `d[1, 2, 3]` on a 2-D view.
    #[error("too many indices for array: array is {ndim}-dimensional, but {given} were indexed")]
    TooManyIndices { ndim: usize, given: usize },
    /// `d[..., ...]`
    #[error("an index can only have a single ellipsis ('...')")]
    MultipleEllipsis,
    /// `d[::0]`
    #[error("slice step cannot be zero")]
    SliceStepZero,
    /// `d[1.5]`
    #[error("only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean arrays are valid indices")]
    InvalidIndex,
    /// `d[10**30]`
    #[error("cannot fit 'int' into an index-sized integer")]
    IndexTooLarge,
    /// `open f.bin f5`
    #[error("data type `{text}` not understood: {reason}")]
    BadDtype { text: String, reason: String },
    /// `open f.bin -1x-1`
    #[error("bad shape: {reason}")]
    BadShape { reason: String },
    /// `open f.bin 99999999999x99999999999 f8`
    #[error("shape {shape} of {itemsize}-byte elements is too large to address")]
    ShapeOverflow { shape: String, itemsize: usize },
    /// `open missing.bin`
    #[error("cannot open {path}: {reason}")]
    Open {
        path: String,
        reason: String,
        hint: Option<String>,
    },
    /// `open f.bin 1000x1000` on an 80000-byte file.
    #[error("{path} is too small: shape {shape} of {dtype} needs {needed} bytes after offset {offset}, but the file has {available}")]
    FileTooSmall {
        path: String,
        shape: String,
        dtype: String,
        needed: u128,
        offset: u64,
        available: u64,
    },
    /// `open f.bin offset=1000000` on a smaller file.
    #[error("offset {offset} is past the end of {path} ({len} bytes)")]
    OffsetPastEnd {
        path: String,
        offset: u128,
        len: u64,
    },
    /// `open f.bin f8` on a 12-byte file: 4 bytes would be left over.
    #[error("{path}: {available} bytes after offset {offset} are not a whole number of {itemsize}-byte elements ({remainder} bytes left over)")]
    TrailingBytes {
        path: String,
        available: u64,
        offset: u64,
        itemsize: usize,
        remainder: u64,
    },
    /// A malformed `.npy` header.
    #[error("{path} is not a valid .npy file: {reason}")]
    Npy { path: String, reason: String },
    /// `save d out.xyz`
    #[error("cannot save to {path}: {reason}")]
    Save {
        path: String,
        reason: String,
        hint: Option<String>,
    },
    /// `set precision many`
    #[error("bad setting: {message}")]
    Setting {
        message: String,
        hint: Option<String>,
    },
    /// `stats d` after another program truncated the file.
    #[error("{path} {what}")]
    FileChanged { path: String, what: String },
    /// Ctrl-C during a long computation.
    #[error("interrupted")]
    Interrupted,
    /// A feature the language reserves but strided does not do yet.
    #[error("{what} is not supported yet")]
    Unsupported { what: String, hint: Option<String> },
}

impl Error {
    pub fn new(kind: ErrorKind, span: Span) -> Error {
        Error {
            kind: Box::new(kind),
            span,
            related: None,
        }
    }

    pub fn with_related(mut self, span: Span, label: &'static str) -> Error {
        self.related = Some((span, label));
        self
    }

    /// How to fix the input, when there is something useful to say.
    pub fn hint(&self) -> Option<String> {
        use ErrorKind::*;
        match &*self.kind {
            UnknownCommand { suggestion, .. } => Some(match suggestion {
                Some(s) => format!("did you mean `{s}`? (`help` lists the commands)"),
                None => "`help` lists the commands".into(),
            }),
            UnknownName { suggestion, .. } => Some(match suggestion {
                Some(s) => format!("did you mean `{s}`? (`vars` lists the names)"),
                None => "`open FILE` binds a file to `d`; `NAME = EXPR` names a view; `vars` lists the names".into(),
            }),
            UnknownField { fields, .. } => Some(if fields.is_empty() {
                "this dtype has no fields".into()
            } else {
                format!("the fields are: {}", fields.join(", "))
            }),
            UnknownAttribute { suggestion, .. } => suggestion
                .as_ref()
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| Some("views have .shape .dtype .strides .ndim .size .nbytes .T .real .imag and their fields".into())),
            Unclosed { open } => Some(format!("add the closing `{}`", closing(*open))),
            NestingTooDeep { .. } => Some("split the expression into named parts (`a = ...`)".into()),
            TooManyIndices { .. } => Some("use `...` or fewer indices; `.shape` shows the axes".into()),
            IndexOutOfBounds { size, .. } => Some(if *size == 0 {
                "the axis is empty".into()
            } else {
                format!("valid indices are 0..{} and -{}..-1", size - 1, size)
            }),
            SliceStepZero => Some("use a positive step to go forward or a negative one to go backward".into()),
            BadDtype { .. } => Some("examples: <f4 >i2 u1 c8 float32 complex64 [(\"r\", \"<f4\"), (\"i\", \"<f4\")] {r: <f4, i: <f4}".into()),
            BadShape { .. } => Some("write a shape as 100x100, (100, 100) or -1x100 (one -1 is inferred from the file size)".into()),
            FileTooSmall { .. } => Some("check the shape and dtype, or leave out the shape to view the whole file as 1-D".into()),
            OffsetPastEnd { .. } => Some("offset= counts bytes from the start of the file".into()),
            FileChanged { .. } => Some("another program changed the file; `open` it again to see what it holds now (the result was discarded)".into()),
            TrailingBytes { .. } => Some("give an explicit shape to ignore the trailing bytes, or check the dtype and offset".into()),
            Type { hint, .. } | Open { hint, .. } | Save { hint, .. } | Setting { hint, .. } | Unsupported { hint, .. } => hint.clone(),
            _ => None,
        }
    }

    /// Renders the error for a person: `origin` is `Some((name, line))` in
    /// scripts (giving `name:line:col: error: ...`) and `None` at the prompt.
    pub fn render(&self, origin: Option<(&str, usize)>, line: &str) -> String {
        // A statement over several physical lines (an open bracket goes
        // on): the error is shown on the line it falls in, numbered so.
        let start = self.span.start.min(line.len());
        let before = &line[..floor_boundary(line, start)];
        let skipped = before.matches('\n').count();
        if skipped > 0 || line.trim_end_matches(['\n', '\r']).contains('\n') {
            let at = before.rfind('\n').map_or(0, |k| k + 1);
            let len = line[at..].find('\n').unwrap_or(line.len() - at);
            let shift = |s: Span| {
                Span::new(
                    s.start.saturating_sub(at).min(len),
                    s.end.saturating_sub(at).min(len),
                )
            };
            let mut one = self.clone();
            one.span = shift(self.span);
            one.related = self
                .related
                .filter(|(s, _)| s.start >= at && s.start <= at + len)
                .map(|(s, l)| (shift(s), l));
            return one.render(origin.map(|(n, k)| (n, k + skipped)), &line[at..at + len]);
        }
        let mut out = String::new();
        let col = column(line, self.span.start);
        match origin {
            Some((name, n)) => {
                let _ = writeln!(out, "{name}:{n}:{col}: error: {}", self.kind);
            }
            None => {
                let _ = writeln!(out, "error: {}", self.kind);
            }
        }
        let number = origin.map(|(_, n)| n.to_string()).unwrap_or_default();
        let pad = " ".repeat(number.len());
        let full = line.trim_end_matches(['\n', '\r']);
        // A long line shows only a window around the error.
        let (shown, shift) = window(full, self.span);
        // Control characters print escaped (`\x1b`), so spans move with them.
        let (shown, at) = crate::text::escape_with_offsets(&shown);
        let moved = |s: Span| {
            let to = |k: usize| at[k.saturating_sub(shift).min(at.len() - 1)];
            Span::new(to(s.start), to(s.end))
        };
        let _ = writeln!(out, "{number} | {shown}");
        let _ = writeln!(
            out,
            "{pad} | {}",
            caret_line(&shown, moved(self.span), None)
        );
        if let Some((span, label)) = self.related {
            if span.start >= shift && span.start < shift + at.len() {
                let _ = writeln!(
                    out,
                    "{pad} | {}",
                    caret_line(&shown, moved(span), Some(label))
                );
            } else {
                let _ = writeln!(
                    out,
                    "{pad} = note: {label} at column {}",
                    column(full, span.start)
                );
            }
        }
        if let Some(h) = self.hint() {
            let _ = writeln!(out, "{pad} = hint: {h}");
        }
        out
    }
}

/// The largest char boundary of `s` at or below `k`.
fn floor_boundary(s: &str, mut k: usize) -> usize {
    while k > 0 && !s.is_char_boundary(k) {
        k -= 1;
    }
    k
}

/// The part of a long line worth showing around `span`: about 100
/// characters, cut at character boundaries and marked with `…`. Returns the
/// text and the byte offset in `line` that its byte 0 stands for (so that
/// spans shift by it; the leading marker stands in for bytes before).
fn window(line: &str, span: Span) -> (String, usize) {
    const BEFORE: usize = 40;
    const WIDTH: usize = 100;
    if line.len() <= WIDTH {
        return (line.to_string(), 0);
    }
    let at = span.start.min(line.len());
    let mut from = at.saturating_sub(BEFORE);
    while !line.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (from + WIDTH).min(line.len());
    while !line.is_char_boundary(to) {
        to -= 1;
    }
    let mut text = String::new();
    let mut shift = from;
    if from > 0 {
        text.push('…');
        shift = from - '…'.len_utf8().min(from);
    }
    text.push_str(&line[from..to]);
    if to < line.len() {
        text.push('…');
    }
    (text, shift)
}

fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        '{' => '}',
        c => c,
    }
}

/// 1-based column in characters of byte offset `at`.
fn column(line: &str, at: usize) -> usize {
    let at = at.min(line.len());
    line.get(..at).map_or(at, |s| s.chars().count()) + 1
}

/// Terminal cells that `line` takes up to byte offset `at`: a CJK character
/// takes two, a combining mark none (`unicode-width`, as terminals count).
fn cells(line: &str, at: usize) -> usize {
    let at = floor_boundary(line, at.min(line.len()));
    UnicodeWidthStr::width(&line[..at])
}

fn caret_line(line: &str, span: Span, label: Option<&str>) -> String {
    let start = cells(line, span.start);
    let end = cells(line, span.end.max(span.start));
    // A span may end before it starts once a window moved it; never underflow.
    let width = end.saturating_sub(start).max(1);
    let mut s = " ".repeat(start);
    s.push_str(&"^".repeat(width));
    if let Some(l) = label {
        s.push(' ');
        s.push_str(l);
    }
    s
}

/// The candidate nearest to `name` by edit distance, if it is near enough to
/// be a plausible typo.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // Optimal string alignment: Levenshtein plus adjacent swaps.
        let d = strsim::osa_distance(name, c);
        // One edit in three characters: `opne` → `open`, but `d` never → `e`.
        let limit = name.chars().count().max(c.chars().count()) / 3;
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthChar;

    #[test]
    fn suggests_a_near_name_and_nothing_for_a_far_one() {
        assert_eq!(
            suggest("opne", ["open", "close", "save"]),
            Some("open".into())
        );
        assert_eq!(suggest("sahpe", ["shape", "size"]), Some("shape".into()));
        assert_eq!(suggest("zzzz", ["open", "close"]), None);
    }

    #[test]
    fn renders_file_line_column_and_a_caret_under_the_span() {
        let e = Error::new(ErrorKind::SliceStepZero, Span::new(2, 5));
        let text = e.render(Some(("s.strided", 7)), "d[::0]");
        assert!(
            text.starts_with("s.strided:7:3: error: slice step cannot be zero\n"),
            "{text}"
        );
        assert!(text.contains("7 | d[::0]\n  |   ^^^\n"), "{text}");
    }

    #[test]
    fn a_long_line_shows_a_window_around_the_error() {
        let line = format!("{}d[100]{}", "x".repeat(5000), "y".repeat(5000));
        let e = Error::new(ErrorKind::SliceStepZero, Span::new(5002, 5005));
        let text = e.render(Some(("s", 1)), &line);
        assert!(text.len() < 400, "{text}");
        let lines: Vec<&str> = text.lines().collect();
        let code = lines[1].split_once(" | ").unwrap().1;
        let caret = lines[2].split_once(" | ").unwrap().1;
        let at = caret.find('^').unwrap();
        let under: String = code.chars().skip(at).take(3).collect();
        assert_eq!(under, "100", "{text}");
        assert!(lines[0].starts_with("s:1:5003:"), "{text}");
    }

    #[test]
    fn the_caret_stands_under_its_span_after_wide_and_escaped_characters() {
        // `*` after two CJK characters (two cells each), and after an ESC
        // that prints as four cells, `\x1b`.
        for line in ["x = \"中文\" + * 2", "x = \"a\x1bb\" + * 2"] {
            let at = line.find('*').unwrap();
            let e = Error::new(ErrorKind::SliceStepZero, Span::new(at, at + 1));
            let text = e.render(Some(("s", 1)), line);
            let lines: Vec<&str> = text.lines().collect();
            let code = lines[1].split_once(" | ").unwrap().1;
            let caret = lines[2].split_once(" | ").unwrap().1;
            let cells = caret.find('^').unwrap();
            let mut upto = 0;
            let before: String = code
                .chars()
                .take_while(|c| {
                    upto += UnicodeWidthChar::width(*c).unwrap_or(0);
                    upto <= cells
                })
                .collect();
            assert_eq!(code[before.len()..].chars().next(), Some('*'), "{text}");
            assert!(!text.contains('\x1b'), "{text}");
        }
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let e = Error::new(ErrorKind::SliceStepZero, Span::new(4, 5));
        let text = e.render(Some(("x", 1)), "é[1x");
        assert!(text.starts_with("x:1:4: error"), "{text}");
    }
}
