//! Text from outside (file names, field names, metadata strings, the
//! user's own input echoed in errors) made safe to print: control
//! characters become visible escapes (`\x1b`, `\n`, `\u{202e}`), so that a
//! SigMF annotation holding an OSC 52 sequence cannot write the clipboard
//! and a file name holding `\r` cannot overwrite a line of output.
//!
//! Two layers: [`escape`] for each outside string where it is put into
//! output (it also escapes newlines and tabs, which would fake lines or
//! columns), and [`Sanitize`], a writer that every front end puts between
//! the renderer and the terminal, pipe or file, which escapes every
//! control byte but newline and tab. Only a picture drawn for a terminal
//! with colour on passes its own escape sequences around it.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls,
/// DEL, and the bidirectional overrides that reorder what is shown.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, c: char) {
    push_escape(out, c, false)
}

/// Rust's `\u{202e}` for people, or Python's `\u202e` inside a Python
/// literal (a field name in a `.npy` header or a dtype's repr).
fn push_escape(out: &mut String, c: char, python: bool) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c if python => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:04x}}}", c as u32);
        }
    }
}

/// The inside of a Python string literal for `s` (without quotes): quotes
/// and backslashes escaped, controls as Python's `repr` writes them.
pub fn py_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if is_unsafe(c) => push_escape(&mut out, c, true),
            c => out.push(c),
        }
    }
    out
}

/// Python's choice of quote for a str or bytes repr: `'` unless the text
/// holds `'` and no `"`.
fn py_quote(has_single: bool, has_double: bool) -> char {
    if has_single && !has_double {
        '"'
    } else {
        '\''
    }
}

/// Python's `repr` of a str: `'abc'`, `"it's"`, `'a\nb'`.
pub fn py_str_repr(s: &str) -> String {
    let q = py_quote(s.contains('\''), s.contains('"'));
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if is_unsafe(c) => push_escape(&mut out, c, true),
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

/// The inside of Python's `repr` of bytes (no `b'...'`): printable ASCII
/// as it is, `\n`, `\t`, `\r`, `\\`, and `\xNN` for every other byte.
pub fn py_bytes_inner(b: &[u8]) -> String {
    py_bytes_escaped(b, '\'')
}

fn py_bytes_escaped(b: &[u8], q: char) -> String {
    let mut out = String::with_capacity(b.len() + 2);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c as char == q => {
                out.push('\\');
                out.push(q);
            }
            0x20..=0x7e => out.push(c as char),
            c => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out
}

/// Bytes as text for csv and json: the text they spell where they are
/// UTF-8 (most files hold ASCII names), else Python's escaped form
/// without `b'...'`.
pub fn bytes_text(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => py_bytes_inner(b),
    }
}

/// Python's `repr` of bytes: `b'abc'`, `b"it's"`, `b'\x00\xff'`.
pub fn py_bytes_repr(b: &[u8]) -> String {
    let q = py_quote(b.contains(&b'\''), b.contains(&b'"'));
    format!("b{q}{}{q}", py_bytes_escaped(b, q))
}

/// `s` with every control character escaped, newlines and tabs included.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Characters a cell of a table shows at most, and lines.
pub const CELL_CHARS: usize = 2000;
pub const CELL_LINES: usize = 64;

/// `s` cut to what a person can read in a table: at most [`CELL_LINES`]
/// lines of at most [`CELL_CHARS`] characters, saying how much was left
/// out. A `.npy` with 16,000 fields has a 300 KB dtype; printed whole in
/// a table it made `info` write a gigabyte.
pub fn clip(s: &str) -> Cow<'_, str> {
    let lines = s.lines().count();
    if s.len() <= CELL_CHARS && lines <= CELL_LINES {
        return Cow::Borrowed(s);
    }
    let mut out: Vec<String> = s
        .lines()
        .take(CELL_LINES)
        .map(|l| match l.char_indices().nth(CELL_CHARS) {
            Some((cut, _)) => format!(
                "{}… ({} more characters)",
                &l[..cut],
                l[cut..].chars().count()
            ),
            None => l.to_string(),
        })
        .collect();
    if lines > CELL_LINES {
        out.push(format!("… ({} more lines)", lines - CELL_LINES));
    }
    Cow::Owned(out.join("\n"))
}

/// [`escape`], and where each byte offset of `s` lands in the result (one
/// entry per byte of `s`, plus its end), so spans keep pointing at the
/// same characters after escaping.
pub fn escape_with_offsets(s: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(s.len());
    let mut at = vec![0; s.len() + 1];
    for (i, c) in s.char_indices() {
        for k in 0..c.len_utf8() {
            at[i + k] = out.len();
        }
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    at[s.len()] = out.len();
    (out, at)
}

/// A writer that escapes every control character but newline and tab on
/// its way through (bytes that are not UTF-8 pass as they are: they are
/// not controls). Holds at most one byte between writes: the lead byte of
/// a two-byte C1 control (`\xc2`) split across two writes.
pub struct Sanitize<W: Write> {
    inner: W,
    pending_c2: bool,
}

impl<W: Write> Sanitize<W> {
    pub fn new(inner: W) -> Sanitize<W> {
        Sanitize {
            inner,
            pending_c2: false,
        }
    }

    pub fn into_inner(mut self) -> io::Result<W> {
        if self.pending_c2 {
            self.inner.write_all(&[0xc2])?;
            self.pending_c2 = false;
        }
        Ok(self.inner)
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }
}

impl<W: Write> Write for Sanitize<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut out = Vec::with_capacity(buf.len() + 16);
        let mut bytes = buf.iter().copied().peekable();
        if self.pending_c2 {
            self.pending_c2 = false;
            match bytes.peek() {
                Some(&b) if (0x80..=0x9f).contains(&b) => {
                    bytes.next();
                    let _ = write!(out, "\\x{b:02x}");
                }
                _ => out.push(0xc2),
            }
        }
        while let Some(b) = bytes.next() {
            match b {
                b'\n' | b'\t' => out.push(b),
                0..=0x1f | 0x7f => {
                    let _ = write!(out, "\\x{b:02x}");
                }
                0xc2 => match bytes.peek() {
                    Some(&n) if (0x80..=0x9f).contains(&n) => {
                        bytes.next();
                        let _ = write!(out, "\\x{n:02x}");
                    }
                    Some(_) => out.push(b),
                    None => self.pending_c2 = true,
                },
                _ => out.push(b),
            }
        }
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Python's repr of a tuple of numbers: `()`, `(5,)`, `(3, 4)`.
pub fn tuple_repr<T: std::fmt::Display>(xs: &[T]) -> String {
    match xs {
        [x] => format!("({x},)"),
        _ => format!(
            "({})",
            xs.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Python's repr of a shape tuple: `()`, `(5,)`, `(3, 4)`.
pub fn shape_repr(shape: &[usize]) -> String {
    tuple_repr(shape)
}

/// How many terminal columns `s` takes (East Asian wide characters count
/// two, combining marks none).
pub fn columns(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// One line of prose broken at spaces into lines of at most `width`
/// columns; each continuation line starts with the line's own indentation
/// and two spaces more. Spaces inside brackets break only when the
/// bracketed part cannot fit a line of its own (`(offset 0, strides (800,
/// 8))` stays whole), and a word longer than the room stays whole (a path
/// is not cut in two).
///
/// `d = f.bin: shape (100, 100), dtype <c8 (complex64, little-endian), offset 0`
/// at 40 columns becomes
/// `d = f.bin: shape (100, 100), dtype <c8` and
/// `  (complex64, little-endian), offset 0`.
pub fn wrap(line: &str, width: usize) -> String {
    if columns(line) <= width {
        return line.to_string();
    }
    let body = line.trim_start_matches(' ');
    let indent = &line[..line.len() - body.len()];
    // A `label    value` line (the plan, explain's notes) continues under
    // its value; other lines two columns in.
    let hang = body
        .find("  ")
        .filter(|&k| k > 0 && k < 24)
        .map(|k| k + body[k..].len() - body[k..].trim_start_matches(' ').len())
        .filter(|&v| columns(indent) + v < width / 2);
    let next = match hang {
        Some(v) => " ".repeat(columns(indent) + columns(&body[..v])),
        None => format!("{indent}  "),
    };
    let room = width.saturating_sub(columns(&next));
    // Units: runs of text between spaces outside brackets; a unit too
    // long for a line of its own is split at its every space.
    let mut units: Vec<&str> = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (k, c) in body.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ' ' if depth <= 0 => {
                units.push(&body[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    units.push(&body[start..]);
    let words = units.into_iter().flat_map(|u| {
        if columns(u) > room {
            u.split(' ').collect::<Vec<_>>()
        } else {
            vec![u]
        }
    });
    let mut out = String::from(indent);
    let mut used = columns(indent);
    let mut fresh = true;
    for word in words {
        let w = columns(word);
        if !fresh && used + 1 + w > width {
            out.push('\n');
            out.push_str(&next);
            used = columns(&next);
            fresh = true;
        }
        if !fresh {
            out.push(' ');
            used += 1;
        }
        out.push_str(word);
        used += w;
        fresh = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(escape("plain ψ text"), "plain ψ text");
        assert_eq!(
            escape("a\x1b]52;c;aGk=\x07b\nc\u{202e}d\u{9b}"),
            "a\\x1b]52;c;aGk=\\x07b\\nc\\u{202e}d\\x9b"
        );
    }

    #[test]
    fn offsets_follow_the_escaped_text() {
        let (text, at) = escape_with_offsets("a\x1bψb");
        assert_eq!(text, "a\\x1bψb");
        assert_eq!(&text[at[2]..at[4]], "ψ");
        assert_eq!(&text[at[4]..at[5]], "b");
        assert_eq!(at[5], text.len());
    }

    #[test]
    fn the_writer_keeps_newlines_and_escapes_the_rest_even_when_split() {
        let mut w = Sanitize::new(Vec::new());
        w.write_all(b"ok\tline\n\x1b[2J").unwrap();
        w.write_all(b"x\xc2").unwrap();
        w.write_all(b"\x9by \xc2").unwrap();
        w.write_all("\u{a0}é".as_bytes()[1..].as_ref()).unwrap();
        let out = w.into_inner().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ok\tline\n\\x1b[2Jx\\x9by \u{a0}é"
        );
    }

    #[test]
    fn wrap_breaks_prose_at_spaces_and_keeps_long_words_whole() {
        let line = "d = f.bin: shape (100, 100), dtype <c8 (complex64, little-endian), offset 0";
        let got = wrap(line, 40);
        assert!(got.lines().all(|l| columns(l) <= 40), "{got}");
        assert_eq!(got.replace("\n  ", " "), line);
        assert_eq!(wrap("  ab cd", 5), "  ab\n    cd");
        let path = "x".repeat(50);
        assert_eq!(
            wrap(&format!("open {path} c8"), 20),
            format!("open\n  {path}\n  c8")
        );
        assert_eq!(wrap("short", 80), "short");
        assert_eq!(
            wrap("  walk     segments in order, each read once", 30),
            "  walk     segments in order,\n           each read once"
        );
        // A bracketed part moves to the next line whole when it fits one.
        assert_eq!(
            wrap(
                "i[:4]: view of f.bin (offset 0, strides (800, 4)); more",
                40
            ),
            "i[:4]: view of f.bin\n  (offset 0, strides (800, 4)); more"
        );
    }
}
