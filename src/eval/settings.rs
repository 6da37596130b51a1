//! Printing and memory settings (`set NAME VALUE`), their defaults
//! (NumPy's where NumPy has one) and how `set` checks a value.

use super::{Note, Output, Session};
use crate::diag::{suggest, Error, ErrorKind};
use crate::syntax::Spanned;

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "table" => Some(Format::Table),
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// Printing settings (`set NAME VALUE`). The defaults are NumPy's.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Digits after the point, at most (NumPy's `precision`, 8).
    pub precision: usize,
    /// Views with more elements than this are summarised (NumPy's 1000).
    pub threshold: usize,
    /// Items kept at each end of a summarised axis (NumPy's 3).
    pub edgeitems: usize,
    /// Rows shown of a summarised table (default `2 * edgeitems`).
    pub rows: Option<usize>,
    /// Columns shown of a summarised table (default `2 * edgeitems`).
    pub cols: Option<usize>,
    pub format: Format,
    /// The most memory strided may allocate for one thing it must hold
    /// (index arrays of advanced indexing); default a quarter of RAM.
    pub memory: u64,
    /// Whether pictures may draw with colour escapes: the front end
    /// decides (`--color`, `NO_COLOR`, whether stdout is a terminal); off
    /// by default, so nothing but plain text reaches a pipe or a file.
    pub color: bool,
    /// Whether colour escapes may use 24-bit colour (the terminal announces
    /// it in `COLORTERM`); else the 256-colour palette. The front end decides.
    pub truecolor: bool,
    /// Terminal columns that tables, captions and notes fit in: fewer
    /// summarised columns in a table, prose wrapped at spaces.
    pub width: usize,
    /// Whether the front end keeps `width` at the terminal's width (it
    /// asks before each statement); `set width N` fixes it.
    pub follow_terminal: bool,
}

/// A quarter of the machine's memory (1 GiB when it cannot be read).
fn default_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(1 << 30, |kb| kb * 1024 / 4)
}

/// A size such as `1GiB`, `512MiB`, `2G`, `1.5GiB` or `1000000` (bytes).
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return None,
    };
    let v = n * mult as f64;
    (v.is_finite() && v >= 1.0 && v < 2f64.powi(63)).then_some(v as u64)
}

/// The settings `set` takes, with the words their values may be (for Tab
/// completion; numbers and sizes complete to nothing).
pub const SETTINGS: &[(&str, &[&str])] = &[
    ("precision", &[]),
    ("threshold", &[]),
    ("edgeitems", &[]),
    ("rows", &[]),
    ("cols", &[]),
    ("format", &["table", "csv", "json"]),
    ("memory", &[]),
    ("width", &["auto"]),
];

/// The width output fits when nobody says otherwise (a pipe, a file, a
/// script without `COLUMNS`).
pub const DEFAULT_WIDTH: usize = 80;

/// The narrowest `set width` accepts: a table of a row label and one
/// column of complex numbers.
pub const MIN_WIDTH: usize = 30;

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            precision: 8,
            threshold: 1000,
            edgeitems: 3,
            rows: None,
            cols: None,
            format: Format::Table,
            memory: default_memory(),
            color: false,
            truecolor: false,
            width: DEFAULT_WIDTH,
            follow_terminal: true,
        }
    }
}

impl Session {
    pub(super) fn set(
        &mut self,
        key: &Spanned<String>,
        value: &Spanned<String>,
    ) -> Result<Output, Error> {
        let bad = |expected: &str| {
            Error::new(
                ErrorKind::Setting {
                    message: format!("{} takes {expected}, not `{}`", key.node, value.node),
                    hint: None,
                },
                value.span,
            )
        };
        let number = |lo: usize, hi: usize| -> Result<usize, Error> {
            value
                .node
                .parse::<usize>()
                .ok()
                .filter(|n| (lo..=hi).contains(n))
                .ok_or_else(|| bad(&format!("a whole number from {lo} to {hi}")))
        };
        let s = &mut self.settings;
        match key.node.as_str() {
            "precision" => s.precision = number(0, 17)?,
            "threshold" => s.threshold = number(0, usize::MAX)?,
            "edgeitems" => s.edgeitems = number(1, 1000)?,
            "rows" => s.rows = Some(number(1, 100_000)?),
            "cols" => s.cols = Some(number(1, 10_000)?),
            "format" => {
                s.format = Format::parse(&value.node).ok_or_else(|| bad("table, csv or json"))?
            }
            "memory" => {
                s.memory = parse_size(&value.node)
                    .ok_or_else(|| bad("a size such as 1GiB, 512MiB or 2G"))?
            }
            "width" if value.node == "auto" => s.follow_terminal = true,
            "width" => {
                s.width = value
                    .node
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (MIN_WIDTH..=10_000).contains(n))
                    .ok_or_else(|| {
                        bad(&format!(
                            "a whole number from {MIN_WIDTH} to 10000, or auto"
                        ))
                    })?;
                s.follow_terminal = false;
            }
            other => {
                let names = SETTINGS.iter().map(|(k, _)| *k);
                return Err(Error::new(
                    ErrorKind::Setting {
                        message: format!("unknown setting `{other}`"),
                        hint: Some(match suggest(other, names.clone()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => {
                                format!("the settings are {}", names.collect::<Vec<_>>().join(", "))
                            }
                        }),
                    },
                    key.span,
                ));
            }
        }
        Ok(Output::Note(Note::Set {
            key: key.node.clone(),
            value: value.node.clone(),
        }))
    }
}
