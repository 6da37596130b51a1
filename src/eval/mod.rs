//! Evaluation: the [`Session`] (names, open files, settings) and the
//! meaning of each statement and expression. Nothing here prints: every
//! statement returns an [`Output`] that `render` turns into text.

mod advanced;
mod arrays;
mod assign;

mod call;
mod complete;
mod dataset;
pub mod draw;
pub mod dump;
pub mod explain;
pub mod guess;
mod index;
pub mod info;
mod open;
mod order;
pub mod reshape;
pub mod spectral;
pub mod value;

pub use call::{scalar_value, unsigned_centre, HistReport, StatsReport};
pub use value::Value;

use crate::compute::Lazy;
use crate::control::Control;
use crate::diag::{suggest, Error, ErrorKind};
use crate::dtype::Dtype;
use crate::io::{Checks, Protected, WriteError};
use crate::number::human_bytes;
use crate::source::{Files, Source};
use crate::syntax::{Expr, ExprKind, Span, Spanned, Stmt};
use crate::view::{Order, View};
use index::view_value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Weak};

/// The error for a file strided could not write (`save`, PNGs, `export`);
/// Ctrl-C (the temporary file removed, the target untouched) points at
/// `interrupted_at`.
pub(crate) fn write_error(path: &Spanned<String>, e: WriteError, interrupted_at: Span) -> Error {
    let (reason, hint) = match e {
        WriteError::Interrupted => return Error::new(ErrorKind::Interrupted, interrupted_at),
        WriteError::Protected { why } => (
            why,
            Some("strided never writes over a file the session reads: choose another name, or `close` what reads it first".into()),
        ),
        WriteError::NotRegular { what } => (
            format!("it is {what}, not a regular file"),
            Some("name a file to write".into()),
        ),
        WriteError::Outside { root } => (
            format!(
                "this session writes only inside {}",
                crate::text::escape(&root.display().to_string())
            ),
            Some("name a file in that folder".into()),
        ),
        // A read fault during the write: `run_line` reports it as the shrink it was.
        WriteError::Vetoed => ("a file being read changed while the data was made".into(), None),
        WriteError::Io(e) => (e.to_string(), None),
    };
    Error::new(
        ErrorKind::Save {
            path: path.node.clone(),
            reason,
            hint,
        },
        path.span,
    )
}

/// The error for a file `open` could not use.
fn open_error(path: &Spanned<String>, reason: String, hint: Option<String>) -> Error {
    Error::new(
        ErrorKind::Open {
            path: path.node.clone(),
            reason,
            hint,
        },
        path.span,
    )
}

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

/// What a statement produced, for `render` to show.
#[derive(Clone, Debug)]
pub enum Output {
    Nothing,
    /// An expression's value; `text` is the expression as written.
    Value {
        text: String,
        value: Value,
    },
    Opened(Opened),
    /// A confirmation of what a statement did (`save`, `close`, `set`).
    Note(Note),
    /// A document a statement made (`export NAME vrt` without `to`).
    Document {
        name: String,
        format: String,
        text: String,
    },
    Vars(Vec<VarRow>),
    Files(Vec<FileRow>),
    Settings(Settings),
    Help(String),
    Stats(call::StatsReport),
    Hist(call::HistReport),
    Psd(spectral::PsdReport),
    Specgram(spectral::SpecgramReport),
    Guess(guess::GuessReport),
    Explain(explain::Explanation),
    Info(info::InfoReport),
    /// Several results of one statement (`open x.npz`).
    Batch(Vec<Output>),
    Dump(dump::Dump),
    Plot(draw::PlotReport),
    Image(draw::ImageReport),
}

/// What a statement did, as data: the renderer spells it (a sentence in a
/// table, `{"note": "saved", ...}` in json, a line on stderr in csv mode).
#[derive(Clone, Debug)]
pub enum Note {
    /// `close NAME`: the file it viewed, and the names that keep it mapped.
    Closed {
        name: String,
        file: Option<String>,
        kept_by: Vec<String>,
    },
    Saved {
        expr: String,
        shape: Vec<usize>,
        dtype: String,
        path: String,
        bytes: u64,
        replaced: bool,
    },
    /// `export NAME FORMAT to PATH`; `data` is the data file (ENVI looks
    /// for its header beside it).
    Exported {
        name: String,
        format: String,
        path: String,
        bytes: u64,
        replaced: bool,
        data: String,
    },
    Set {
        key: String,
        value: String,
    },
    /// `import numpy as np`: nothing to import, names are NumPy's.
    Import,
    /// A write changed bytes that these names' computed values read: they
    /// were computed into memory first, keeping their values.
    Kept {
        names: Vec<String>,
    },
    /// An `.npz` member stored compressed, so not mapped.
    Compressed {
        path: String,
        member: String,
    },
}

/// What `open` did and assumed.
#[derive(Clone, Debug)]
pub struct Opened {
    pub name: String,
    pub view: View,
    pub order: Order,
    pub file_len: u64,
    /// The bytes after the view that it does not cover.
    pub left_over: u64,
    pub from_npy_header: bool,
    /// The file was already mapped by an earlier `open`.
    pub shared: bool,
    /// Another program holds an exclusive lock on the file (it is writing).
    pub locked: bool,
    /// Which parts the user left out and strided assumed.
    pub assumed: Vec<&'static str>,
    /// Where an assumed dtype came from when not the default (e.g. "the
    /// extension .cs16").
    pub dtype_from: Option<String>,
    /// The description the layout was read from ("the SigMF metadata
    /// x.sigmf-meta"), when not a .npy header.
    pub described: Option<String>,
    /// What the bytes themselves say against the layout ("the file starts
    /// like a PNG image"; "62% of the values are NaN, ... for complex64").
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct VarRow {
    pub name: String,
    pub value: Value,
}

#[derive(Clone, Debug)]
pub struct FileRow {
    pub path: String,
    pub len: u64,
    pub views: usize,
    /// "mapped" (with `mode=r+` or `mode=c` when writable), "read" (into
    /// memory) or "dataset" (many files as one).
    pub how: &'static str,
    /// What happened to the file since it was opened, if anything.
    pub note: Option<String>,
}

/// A file that described another (`.hdr`, `.sigmf-meta`, `.vrt`): no
/// write may replace it while the file it describes is read.
#[derive(Debug)]
struct Sidecar {
    of: Weak<Source>,
    /// The name `open` bound, and the description's format, for refusals.
    name: String,
    format: String,
    dev: u64,
    ino: u64,
}

/// Names, open files and settings: the state a script or shell builds up.
#[derive(Debug)]
pub struct Session {
    names: BTreeMap<String, Value>,
    /// What `open` learnt about each name's file from its own description.
    meta: BTreeMap<String, info::Meta>,
    files: Files,
    sidecars: Vec<Sidecar>,
    pub settings: Settings,
    /// This session's cancellation, progress and read-fault flag: its
    /// own, so sessions in one process never stop each other.
    control: Arc<Control>,
    /// When set, every file the session writes must land in this folder.
    write_root: Option<std::path::PathBuf>,
    /// `exit`/`quit` ran: the status the front end should end with.
    exit: Option<u8>,
}

impl Default for Session {
    fn default() -> Session {
        let control = Control::new();
        Session {
            names: BTreeMap::new(),
            meta: BTreeMap::new(),
            files: Files::new(control.fault_flag()),
            sidecars: Vec::new(),
            settings: Settings::default(),
            control,
            write_root: None,
            exit: None,
        }
    }
}

const ATTRIBUTES: &[&str] = &[
    "T", "shape", "dtype", "strides", "ndim", "size", "nbytes", "itemsize", "real", "imag",
];
const CONSTANTS: &[&str] = &["nan", "inf", "pi", "e", "True", "False"];

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// Confines every write (`save`, `export ... to`, PNGs) to `folder`:
    /// a target elsewhere is refused. For a fuzzer, or any host running
    /// scripts it did not write.
    pub fn confine_writes(&mut self, folder: impl Into<std::path::PathBuf>) {
        self.write_root = Some(folder.into());
    }

    /// The handle a front end cancels this session's statement with
    /// (Ctrl-C) and reads its progress from.
    pub fn control(&self) -> Arc<Control> {
        self.control.clone()
    }

    /// The value bound to `name`, if any.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.names.get(name)
    }

    /// Binds `value` to `name` (as `NAME = EXPR` does).
    pub fn bind(&mut self, name: &str, value: Value) {
        self.names.insert(name.to_string(), value);
    }

    /// Names bound now, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }

    /// The files no write may replace: every file a value reads (held by
    /// a name or by the statement running now), and the descriptions that
    /// laid them out.
    pub(crate) fn protected(&self) -> Vec<Protected> {
        let mut out = Vec::new();
        for (source, _) in self.files.live() {
            if source.is_copy() {
                continue;
            }
            let users: Vec<&str> = self
                .names
                .iter()
                .filter(|(_, v)| {
                    let mut s = Vec::new();
                    v.sources(&mut s);
                    s.iter().any(|x| Arc::ptr_eq(x, &source))
                })
                .map(|(k, _)| k.as_str())
                .collect();
            let why = if users.is_empty() {
                format!("the session reads {}", source.display())
            } else {
                format!("`{}` views {}", users.join("`, `"), source.display())
            };
            match source.dataset() {
                // Every file of a dataset, mapped now or not.
                Some(d) => out.extend(d.parts().iter().map(|p| Protected {
                    dev: p.dev,
                    ino: p.ino,
                    why: format!(
                        "{why} (a dataset of {} files, {} among them)",
                        d.parts().len(),
                        crate::text::escape(&p.path.display().to_string())
                    ),
                })),
                None => out.push(Protected {
                    dev: source.dev,
                    ino: source.ino,
                    why,
                }),
            }
        }
        for s in &self.sidecars {
            if let Some(of) = s.of.upgrade() {
                out.push(Protected {
                    dev: s.dev,
                    ino: s.ino,
                    why: format!(
                        "it is the {} that describes {} (`{}` views it)",
                        s.format,
                        of.display(),
                        s.name
                    ),
                });
            }
        }
        out
    }

    /// Writes `path` through [`crate::io::write_file`] with this session's
    /// protections, cancellation and read-fault veto.
    pub(crate) fn write_checked<R>(&self, run: impl FnOnce(&Checks) -> R) -> R {
        let protected = self.protected();
        let checks = Checks {
            protected: &protected,
            cancelled: &|| self.control.cancelled(),
            veto: &|| self.control.fault_pending(),
            within: self.write_root.as_deref(),
        };
        run(&checks)
    }

    /// [`write_error`], except that a write the kernel could not read
    /// from the mapping (EFAULT: the file shrank under it) is the shrink.
    pub(crate) fn write_failure(&self, path: &Spanned<String>, e: WriteError, at: Span) -> Error {
        match &e {
            WriteError::Io(io) if io.raw_os_error() == Some(libc::EFAULT) => self.fault_error(at),
            _ => write_error(path, e, at),
        }
    }

    /// Runs one statement of `line` (spans index into `line`).
    /// The exit status asked for by `exit`/`quit` (`exit(3)`), once one
    /// ran: the front end ends the session with it.
    pub fn exit_requested(&self) -> Option<u8> {
        self.exit
    }

    /// `exit`, `quit`, `exit()`, `quit(N)` as a statement (when the names
    /// are not bound): the status to end with.
    fn exit_statement(&self, e: &Expr) -> Result<Option<u8>, Error> {
        let (name, args) = match &e.kind {
            ExprKind::Name(n) => (n, &[][..]),
            ExprKind::Call { func, args } => match &func.kind {
                ExprKind::Name(n) => (n, &args[..]),
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        if !matches!(name.as_str(), "exit" | "quit") || self.get(name).is_some() {
            return Ok(None);
        }
        match args {
            [] => Ok(Some(0)),
            [a] if a.name.is_none() => match self.eval(&a.value)? {
                Value::Int(n) => Ok(Some(u8::try_from(n.rem_euclid(256)).unwrap_or(1))),
                Value::None => Ok(Some(0)),
                _ => Ok(Some(1)),
            },
            _ => Err(Error::new(
                ErrorKind::Type {
                    message: format!("{name}() takes at most one argument, the exit status"),
                    hint: None,
                },
                e.span,
            )),
        }
    }

    pub fn execute(&mut self, stmt: &Stmt, line: &str) -> Result<Output, Error> {
        let home = with_home(stmt);
        let stmt: &Stmt = &home;
        if let Stmt::Print(e) = stmt {
            if let Some(code) = self.exit_statement(e)? {
                self.exit = Some(code);
                return Ok(Output::Nothing);
            }
        }
        match stmt {
            Stmt::Import => Ok(Output::Note(Note::Import)),
            Stmt::Open(o) => self.open(o),
            Stmt::Close(n) => match self.names.remove(&n.node) {
                Some(v) => {
                    self.meta.remove(&n.node);
                    let source = match &v {
                        Value::View(w) | Value::Void(w) => Some(w.source.clone()),
                        _ => None,
                    };
                    drop(v);
                    let Some(source) = source else {
                        return Ok(Output::Note(Note::Closed {
                            name: n.node.clone(),
                            file: None,
                            kept_by: Vec::new(),
                        }));
                    };
                    let users: Vec<String> = self
                        .names
                        .iter()
                        .filter(|(_, w)| matches!(w, Value::View(w) | Value::Void(w) if Arc::ptr_eq(&w.source, &source)))
                        .map(|(k, _)| k.clone())
                        .collect();
                    let file = source.display();
                    drop(source);
                    Ok(Output::Note(Note::Closed {
                        name: n.node.clone(),
                        file: Some(file),
                        kept_by: users,
                    }))
                }
                None => Err(self.unknown_name(&n.node, n.span)),
            },
            Stmt::Info(n) => self.info(n).map(Output::Info),
            Stmt::Guess(p) => self.guess(p).map(Output::Guess),
            Stmt::Export { what, format, to } => self.export(what, format, to.as_ref(), line),
            Stmt::Assign { name, expr } => {
                let v = self.eval(expr)?;
                self.meta.remove(&name.node);
                self.names.insert(name.node.clone(), v);
                Ok(Output::Nothing)
            }
            Stmt::SetItem { target, op, value } => self.set_item(target, op.as_ref(), value),
            Stmt::Flush(name) => self.flush(name.as_ref()),
            Stmt::Print(expr) => {
                let value = self.eval(expr)?;
                // A method that returns None (`d.flush()`): nothing to
                // show, as in Python's shell.
                let method = matches!(&expr.kind, ExprKind::Call { func, .. } if matches!(func.kind, ExprKind::Attr { .. }));
                if method && matches!(value, Value::None) {
                    return Ok(Output::Nothing);
                }
                Ok(Output::Value {
                    text: line
                        .get(expr.span.start..expr.span.end)
                        .unwrap_or("")
                        .to_string(),
                    value,
                })
            }
            Stmt::Save { expr, path } => {
                let value = self.eval(expr)?;
                let data = match &value {
                    Value::View(v) | Value::Void(v) => crate::io::save::Data::View(v),
                    Value::Scalar(d, b) => crate::io::save::Data::Scalar(d, b),
                    Value::Lazy(l) => crate::io::save::Data::Lazy(l),
                    other => {
                        return Err(Error::new(
                            ErrorKind::Type {
                                message: format!(
                                    "only views and their elements can be saved, not {}",
                                    other.kind_name()
                                ),
                                hint: None,
                            },
                            expr.span,
                        ))
                    }
                };
                let written = self
                    .write_checked(|c| crate::io::save::save(&data, Path::new(&path.node), c))
                    .map_err(|e| match e {
                        crate::io::save::SaveError::UnknownFormat => Error::new(
                            ErrorKind::Save {
                                path: path.node.clone(),
                                reason: "unknown file type".into(),
                                hint: Some("end the path in .npy, .csv or .bin".into()),
                            },
                            path.span,
                        ),
                        crate::io::save::SaveError::Write(e) => {
                            self.write_failure(path, e, expr.span)
                        }
                    })?;
                let text = line.get(expr.span.start..expr.span.end).unwrap_or("");
                let (shape, dtype) = match &data {
                    crate::io::save::Data::View(v) => (v.shape.clone(), v.dtype.short()),
                    crate::io::save::Data::Scalar(d, _) => (Vec::new(), d.short()),
                    crate::io::save::Data::Lazy(l) => (l.shape.clone(), l.dtype.descr()),
                };
                Ok(Output::Note(Note::Saved {
                    expr: text.to_string(),
                    shape,
                    dtype,
                    path: path.node.clone(),
                    bytes: written.bytes,
                    replaced: written.replaced,
                }))
            }
            Stmt::Stats(e) => {
                let text = line.get(e.span.start..e.span.end).unwrap_or("");
                self.stats(e, text).map(Output::Stats)
            }
            Stmt::Hist {
                expr,
                bins,
                range,
                to,
            } => {
                let text = line.get(expr.span.start..expr.span.end).unwrap_or("");
                let mut h = self.hist(expr, bins.as_ref(), range.as_ref(), text)?;
                if let Some(path) = to {
                    h.written = Some(self.hist_png(&h, path)?);
                }
                Ok(Output::Hist(h))
            }
            Stmt::Psd { expr, args, to } => {
                let text = line.get(expr.span.start..expr.span.end).unwrap_or("");
                self.psd(expr, args, to.as_ref(), text).map(Output::Psd)
            }
            Stmt::Specgram {
                expr,
                args,
                range,
                to,
            } => {
                let text = line.get(expr.span.start..expr.span.end).unwrap_or("");
                self.specgram(expr, args, range.as_ref(), to.as_ref(), text)
                    .map(Output::Specgram)
            }
            Stmt::Explain(e) => self.explain(e, line).map(Output::Explain),
            Stmt::ExplainCommand(c) => self.explain_spectrum(c, line).map(Output::Explain),
            Stmt::Bytes(e) => {
                let text = line.get(e.span.start..e.span.end).unwrap_or("");
                dump::dump(&self.eval(e)?, e, text).map(Output::Dump)
            }
            Stmt::Plot { expr, to } => {
                let text = line.get(expr.span.start..expr.span.end).unwrap_or("");
                self.plot(expr, to.as_ref(), text).map(Output::Plot)
            }
            Stmt::Image {
                expr,
                to,
                cmap,
                range,
                reduce,
            } => {
                let text = line.get(expr.span.start..expr.span.end).unwrap_or("");
                self.image(
                    expr,
                    to.as_ref(),
                    cmap.as_ref(),
                    range,
                    reduce.as_ref(),
                    text,
                )
                .map(Output::Image)
            }
            Stmt::Set(None) => Ok(Output::Settings(self.settings.clone())),
            Stmt::Set(Some((key, value))) => self.set(key, value),
            Stmt::Vars => Ok(Output::Vars(
                self.names
                    .iter()
                    .map(|(n, v)| VarRow {
                        name: n.clone(),
                        value: v.clone(),
                    })
                    .collect(),
            )),
            Stmt::Files => Ok(Output::Files(
                self.files
                    .live()
                    .into_iter()
                    .map(|(s, n)| FileRow {
                        path: s.display(),
                        len: s.len(),
                        views: n,
                        how: if s.dataset().is_some() {
                            "dataset"
                        } else if s.mode == crate::source::Mode::Write {
                            "mapped, mode=r+"
                        } else if s.mode == crate::source::Mode::Copy {
                            "mapped, mode=c"
                        } else if s.is_mapped() {
                            "mapped"
                        } else {
                            "read"
                        },
                        note: s.status().or_else(|| {
                            s.dataset().map(|d| {
                                format!("{} files, {} mapped now", d.parts().len(), d.mapped())
                            })
                        }),
                    })
                    .collect(),
            )),
            Stmt::Help(topic) => crate::help::topic(topic.as_ref().map(|t| t.node.as_str()))
                .map(Output::Help)
                .ok_or_else(|| {
                    let t = topic.as_ref().expect("help with no topic always succeeds");
                    Error::new(
                        ErrorKind::Type {
                            message: format!("no help on `{}`", t.node),
                            hint: Some(format!(
                                "topics: {}",
                                crate::help::topic_names().join(", ")
                            )),
                        },
                        t.span,
                    )
                }),
        }
    }

    fn set(&mut self, key: &Spanned<String>, value: &Spanned<String>) -> Result<Output, Error> {
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

    fn unknown_name(&self, name: &str, span: Span) -> Error {
        let candidates = self
            .names
            .keys()
            .map(String::as_str)
            .chain(CONSTANTS.iter().copied());
        Error::new(
            ErrorKind::UnknownName {
                name: name.into(),
                suggestion: suggest(name, candidates),
            },
            span,
        )
    }

    /// Whether `e` is `np` or `numpy` (not bound to a value): NumPy's
    /// namespace, whose names are strided's own.
    pub(super) fn is_numpy(&self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Name(n) if (n == "np" || n == "numpy") && self.get(n).is_none())
    }

    /// `np.NAME` that is not called: a constant (`np.nan`, `np.newaxis`)
    /// or a dtype (`np.float32`).
    fn numpy_attribute(&self, name: &Spanned<String>) -> Result<Value, Error> {
        let n = name.node.as_str();
        if n == "newaxis" {
            return Ok(Value::None);
        }
        if let Some(v) = constant(n) {
            return Ok(v);
        }
        if let Ok(d) = Dtype::parse_str(n) {
            return Ok(Value::Dtype(d));
        }
        if crate::builtins::builtin(n).is_some_and(|b| b.function) {
            return Err(Error::new(
                ErrorKind::Type {
                    message: format!("np.{n} is a function"),
                    hint: Some(format!("call it: np.{n}(x)")),
                },
                name.span,
            ));
        }
        Err(Error::new(
            ErrorKind::UnknownName {
                name: format!("np.{n}"),
                suggestion: suggest(n, crate::builtins::function_names()),
            },
            name.span,
        ))
    }

    /// Evaluates an expression.
    pub fn eval(&self, e: &Expr) -> Result<Value, Error> {
        match &e.kind {
            ExprKind::Name(n) => {
                let v = self
                    .names
                    .get(n)
                    .cloned()
                    .or_else(|| constant(n))
                    .ok_or_else(|| self.unknown_name(n, e.span))?;
                if let Value::View(view) | Value::Void(view) = &v {
                    // A mapping a read faulted in holds zero pages where the
                    // file was cut, even if the file has grown back since.
                    if view.source.faulted() {
                        return Err(Error::new(
                            ErrorKind::FileChanged {
                                path: view.source.display(),
                                what: "shrank while it was being read, so its mapping holds zeros where it was cut".into(),
                            },
                            e.span,
                        ));
                    }
                    // fstat before use: a file that shrank cannot be read safely.
                    if let Some((then, now)) = view.source.shrunk() {
                        return Err(Error::new(
                            ErrorKind::FileChanged {
                                path: view.source.display(),
                                what: format!(
                                    "shrank from {} to {} since it was opened",
                                    human_bytes(then),
                                    human_bytes(now)
                                ),
                            },
                            e.span,
                        ));
                    }
                }
                Ok(v)
            }
            ExprKind::Int(i) => Ok(Value::Int(*i)),
            ExprKind::Float(f) => Ok(Value::Float(*f)),
            ExprKind::Imag(f) => Ok(Value::Complex(0.0, *f)),
            ExprKind::Str(s) => Ok(Value::Str(s.clone())),
            ExprKind::None => Ok(Value::None),
            ExprKind::Tuple(items) => Ok(Value::Tuple(
                items
                    .iter()
                    .map(|i| self.eval(i))
                    .collect::<Result<_, _>>()?,
            )),
            ExprKind::List(items) => Ok(Value::List(
                items
                    .iter()
                    .map(|i| self.eval(i))
                    .collect::<Result<_, _>>()?,
            )),
            ExprKind::Index { base, items } => {
                let b = self.eval(base)?;
                self.index(b, items, e.span)
            }
            ExprKind::Attr { base, name } => {
                if self.is_numpy(base) {
                    return self.numpy_attribute(name);
                }
                let b = self.eval(base)?;
                attribute(b, name, base)
            }
            ExprKind::Call { func, args } => self.call(func, args, e.span),
            ExprKind::Unary { op, operand } => {
                let v = self.eval(operand)?;
                if call::is_array(&v) {
                    return call::unary(*op, &v, e.span);
                }
                value::unary(*op, &v, e.span)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.eval(lhs)?;
                let b = self.eval(rhs)?;
                if call::is_array(&a) || call::is_array(&b) {
                    return call::binary(*op, &a, &b, e.span);
                }
                value::binary(*op, &a, &b, e.span)
            }
        }
    }
}

impl Session {
    /// After a statement during which a mapped read faulted (a file shrank
    /// under it): the error to report instead of its result.
    pub fn fault_error(&self, span: Span) -> Error {
        let live = self.files.live();
        // A dataset's file that could not be read when a statement needed it.
        if let Some((path, what)) = live
            .iter()
            .find_map(|(s, _)| s.dataset().and_then(|d| d.take_failure()))
        {
            return Error::new(ErrorKind::FileChanged { path, what }, span);
        }
        let culprit = live
            .iter()
            .find(|(s, _)| s.faulted())
            .or_else(|| live.iter().find(|(s, _)| s.shrunk().is_some()));
        let (path, what) = match culprit {
            Some((s, _)) => {
                let now = s.current_len().unwrap_or(0);
                (
                    s.display(),
                    format!(
                        "shrank from {} to {} while being read",
                        human_bytes(s.len()),
                        human_bytes(now)
                    ),
                )
            }
            None => (
                "a mapped file".to_string(),
                "shrank while being read".to_string(),
            ),
        };
        Error::new(ErrorKind::FileChanged { path, what }, span)
    }
}

/// The statement with `~/` at the start of its paths replaced by the home
/// folder (`$HOME`), as a shell would.
fn with_home(stmt: &Stmt) -> std::borrow::Cow<'_, Stmt> {
    let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
        return std::borrow::Cow::Borrowed(stmt);
    };
    let home = home.to_string_lossy().into_owned();
    let tilde = |p: &Spanned<String>| p.node == "~" || p.node.starts_with("~/");
    let fix = |p: &mut Spanned<String>| {
        if tilde(p) {
            p.node = format!("{}{}", home.trim_end_matches('/'), &p.node[1..]);
        }
    };
    let paths: Vec<&Spanned<String>> = match stmt {
        Stmt::Open(o) => std::iter::once(&o.path).chain(&o.list).collect(),
        Stmt::Guess(p) => vec![p],
        Stmt::Save { path, .. } => vec![path],
        Stmt::Export { to: Some(p), .. }
        | Stmt::Hist { to: Some(p), .. }
        | Stmt::Psd { to: Some(p), .. }
        | Stmt::Specgram { to: Some(p), .. }
        | Stmt::Plot { to: Some(p), .. }
        | Stmt::Image { to: Some(p), .. } => vec![p],
        _ => vec![],
    };
    if !paths.into_iter().any(tilde) {
        return std::borrow::Cow::Borrowed(stmt);
    }
    let mut s = stmt.clone();
    match &mut s {
        Stmt::Open(o) => {
            fix(&mut o.path);
            o.list.iter_mut().for_each(fix);
        }
        Stmt::Guess(p) => fix(p),
        Stmt::Save { path, .. } => fix(path),
        Stmt::Export { to: Some(p), .. }
        | Stmt::Hist { to: Some(p), .. }
        | Stmt::Psd { to: Some(p), .. }
        | Stmt::Specgram { to: Some(p), .. }
        | Stmt::Plot { to: Some(p), .. }
        | Stmt::Image { to: Some(p), .. } => fix(p),
        _ => {}
    }
    std::borrow::Cow::Owned(s)
}

fn constant(name: &str) -> Option<Value> {
    Some(match name {
        "nan" => Value::Float(f64::NAN),
        "inf" => Value::Float(f64::INFINITY),
        "pi" => Value::Float(std::f64::consts::PI),
        "e" => Value::Float(std::f64::consts::E),
        "True" => Value::Bool(true),
        "False" => Value::Bool(false),
        _ => return None,
    })
}

fn int_tuple<T: Copy + Into<i128>>(v: &[T]) -> Value {
    Value::Tuple(v.iter().map(|&n| Value::Int(n.into())).collect())
}

fn attribute(base: Value, name: &Spanned<String>, base_expr: &Expr) -> Result<Value, Error> {
    let n = name.node.as_str();
    // Parts of a record scalar are scalars; parts of a view (even 0-d) are views.
    let is_view = matches!(base, Value::View(_));
    let (v, wrap): (View, fn(View) -> Value) = match base {
        Value::View(v) => (v, Value::View),
        Value::Void(v) => (v, view_value),
        other => return scalar_attribute(other, name),
    };
    {
        {
            // A record's own field names come first, as on NumPy's recarray.
            if let Some(f) = v.field(n) {
                return Ok(wrap(f));
            }
            let complex = v.dtype.is_complex();
            // Complex-integer samples (ci16, cu8) compute as complex
            // numbers: their parts are what `real(d)`/`imag(d)` compute.
            if let (true, "real" | "imag", Some(part)) = (is_view, n, v.dtype.complex_int_part()) {
                let l = call::to_lazy(&Value::View(v.clone()), part, name.span)?;
                let f = if n == "real" {
                    crate::compute::Func::Real
                } else {
                    crate::compute::Func::Imag
                };
                let to = crate::dtype::Scalar::new(
                    crate::dtype::Kind::Float,
                    l.dtype.size / 2,
                    crate::dtype::ByteOrder::NATIVE,
                );
                let shape = l.shape.clone();
                let node = crate::compute::Node::Unary(f, l);
                return Ok(Value::Lazy(Lazy::new(node, shape, to)));
            }
            match n {
                "real" | "r" if complex => {
                    return Ok(wrap(v.complex_part(0).expect("complex dtype has parts")))
                }
                "imag" | "i" if complex => {
                    return Ok(wrap(v.complex_part(1).expect("complex dtype has parts")))
                }
                "real" if v.dtype.as_scalar().is_some() => return Ok(wrap(v)),
                "T" => return Ok(wrap(v.transpose())),
                "shape" => {
                    return Ok(int_tuple(
                        &v.shape.iter().map(|&n| n as i64).collect::<Vec<_>>(),
                    ))
                }
                "strides" => {
                    return Ok(int_tuple(
                        &v.strides.iter().map(|&n| n as i64).collect::<Vec<_>>(),
                    ))
                }
                "dtype" => return Ok(Value::Dtype(v.dtype.clone())),
                "ndim" => return Ok(Value::Int(v.ndim() as i128)),
                "size" => return Ok(Value::Int(v.size() as i128)),
                "nbytes" => return Ok(Value::Int(v.nbytes() as i128)),
                "itemsize" => return Ok(Value::Int(v.dtype.itemsize() as i128)),
                // NumPy: zeros of the same shape and dtype (read-only).
                "imag" if v.dtype.as_scalar().is_some() => {
                    let d = v.dtype.as_scalar().expect("checked");
                    let zeros = Lazy::new_keep_order(
                        crate::compute::Node::Const(crate::compute::Num::real(0.0)),
                        v.shape.clone(),
                        d,
                    );
                    return Ok(if v.ndim() == 0 {
                        call::scalar_value(crate::compute::Num::real(0.0), d)
                    } else {
                        Value::Lazy(zeros)
                    });
                }
                _ => {}
            }
            let fields: Vec<String> = v.dtype.fields().iter().map(|f| f.name.clone()).collect();
            if !fields.is_empty() {
                return Err(Error::new(
                    ErrorKind::UnknownField {
                        name: n.into(),
                        fields,
                    },
                    name.span,
                ));
            }
            let mut candidates: Vec<&str> = ATTRIBUTES.to_vec();
            if complex {
                candidates.extend(["r", "i"]);
            }
            Err(Error::new(
                ErrorKind::UnknownAttribute {
                    on: describe(base_expr),
                    name: n.into(),
                    suggestion: suggest(n, candidates),
                },
                name.span,
            ))
        }
    }
}

/// Attributes of scalars, dtypes and everything that is not a view.
fn scalar_attribute(base: Value, name: &Spanned<String>) -> Result<Value, Error> {
    let n = name.node.as_str();
    match base {
        Value::Scalar(d, bytes) => {
            let part = |k: usize| -> Option<Value> {
                let p = d.complex_part()?;
                let size = p.itemsize();
                Some(Value::Scalar(p, bytes[k * size..(k + 1) * size].to_vec()))
            };
            match n {
                "real" | "r" if d.is_complex() => Ok(part(0).expect("complex has parts")),
                "imag" | "i" if d.is_complex() => Ok(part(1).expect("complex has parts")),
                "real" | "T" => Ok(Value::Scalar(d, bytes)),
                // A real scalar's imaginary part: zero of its dtype.
                "imag" if d.as_scalar().is_some() => Ok(Value::Scalar(d, vec![0; bytes.len()])),
                "shape" | "strides" => Ok(Value::Tuple(vec![])),
                "dtype" => Ok(Value::Dtype(d)),
                "ndim" => Ok(Value::Int(0)),
                "size" => Ok(Value::Int(1)),
                "nbytes" | "itemsize" => Ok(Value::Int(d.itemsize() as i128)),
                _ => Err(Error::new(
                    ErrorKind::UnknownAttribute {
                        on: "a scalar".into(),
                        name: n.into(),
                        suggestion: suggest(n, ATTRIBUTES.iter().copied()),
                    },
                    name.span,
                )),
            }
        }
        Value::Lazy(l) => match n {
            "shape" => Ok(int_tuple(
                &l.shape.iter().map(|&n| n as i64).collect::<Vec<_>>(),
            )),
            "dtype" => Ok(Value::Dtype(Dtype::Scalar(l.dtype))),
            "ndim" => Ok(Value::Int(l.ndim() as i128)),
            "size" => Ok(Value::Int(l.size() as i128)),
            "itemsize" => Ok(Value::Int(l.dtype.size as i128)),
            "nbytes" => Ok(Value::Int((l.size() * l.dtype.size) as i128)),
            "T" => Ok(Value::Lazy(l.transpose())),
            "real" | "imag" => {
                let f = if n == "real" {
                    crate::compute::Func::Real
                } else {
                    crate::compute::Func::Imag
                };
                let to = if l.dtype.kind == crate::dtype::Kind::Complex {
                    crate::dtype::Scalar::new(
                        crate::dtype::Kind::Float,
                        l.dtype.size / 2,
                        l.dtype.order,
                    )
                } else {
                    l.dtype
                };
                let shape = l.shape.clone();
                Ok(Value::Lazy(crate::compute::Lazy::new(
                    crate::compute::Node::Unary(f, l),
                    shape,
                    to,
                )))
            }
            _ => Err(Error::new(
                ErrorKind::UnknownAttribute {
                    on: "a computed array".into(),
                    name: n.into(),
                    suggestion: suggest(
                        n,
                        [
                            "shape", "dtype", "ndim", "size", "itemsize", "nbytes", "T", "real",
                            "imag",
                        ],
                    ),
                },
                name.span,
            )),
        },
        Value::Dtype(d) => match n {
            "itemsize" => Ok(Value::Int(d.itemsize() as i128)),
            "str" => Ok(Value::Str(d.short())),
            "name" => Ok(Value::Str(
                d.as_scalar()
                    .map_or_else(|| format!("void{}", d.itemsize() * 8), |s| s.name()),
            )),
            "names" => Ok(if d.fields().is_empty() {
                Value::None
            } else {
                Value::Tuple(
                    d.fields()
                        .iter()
                        .map(|f| Value::Str(f.name.clone()))
                        .collect(),
                )
            }),
            _ => Err(Error::new(
                ErrorKind::UnknownAttribute {
                    on: "a dtype".into(),
                    name: n.into(),
                    suggestion: suggest(n, ["itemsize", "str", "name", "names"]),
                },
                name.span,
            )),
        },
        other => Err(Error::new(
            ErrorKind::UnknownAttribute {
                on: other.kind_name().into(),
                name: n.into(),
                suggestion: None,
            },
            name.span,
        )),
    }
}

fn describe(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Name(n) => n.clone(),
        _ => "this view".into(),
    }
}

pub use complete::complete;
