//! Evaluation: the [`Session`] (names, open files, settings) and the
//! meaning of each statement and expression. Nothing here prints: every
//! statement returns an [`Output`] that `render` turns into text.

mod advanced;
mod arrays;
mod assign;
mod attribute;
mod call;
mod complete;
mod dataset;
pub mod draw;
pub mod dump;
pub mod explain;
mod fft;
mod files;
pub mod guess;
mod index;
pub mod info;
mod open;
mod operators;
mod order;
mod output;
mod reduction;
pub mod reshape;
mod settings;
pub mod spectral;
mod stats;
pub mod value;
pub mod welch;

use attribute::{attribute, constant, ATTRIBUTES, CONSTANTS};
pub use call::{lazy_scalar, scalar_value};
use files::{open_error, with_home, Sidecar};
pub use operators::unsigned_centre;
pub use output::{FileRow, Note, Opened, Output, VarRow};
pub use settings::{parse_size, Format, Settings, DEFAULT_WIDTH, MIN_WIDTH, SETTINGS};
pub use stats::{HistReport, StatsReport};
pub use value::Value;

use crate::control::Control;
use crate::diag::{suggest, Error, ErrorKind};
use crate::number::human_bytes;
use crate::source::Files;
use crate::syntax::{Expr, ExprKind, Span, Stmt};
use std::collections::BTreeMap;
use std::sync::Arc;

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

    /// Runs one statement of `line` (spans index into `line`).
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
            Stmt::Close(n) => self.close(n),
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
            Stmt::Save { expr, path } => self.save(expr, path, line),
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
                if let Some(path) = to {
                    self.refuse_protected(path)?;
                }
                let mut h = self.hist(expr, bins.as_ref(), range.as_ref(), text)?;
                if let Some(path) = to {
                    h.written = Some(self.hist_png(&h, path)?);
                }
                Ok(Output::Hist(h))
            }
            Stmt::Psd { expr, args, to } => {
                if let Some(path) = to {
                    self.refuse_protected(path)?;
                }
                let text = line.get(expr.span.start..expr.span.end).unwrap_or("");
                self.psd(expr, args, to.as_ref(), text).map(Output::Psd)
            }
            Stmt::Specgram {
                expr,
                args,
                range,
                to,
            } => {
                if let Some(path) = to {
                    self.refuse_protected(path)?;
                }
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
                if let Some(path) = to {
                    self.refuse_protected(path)?;
                }
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
                if let Some(path) = to {
                    self.refuse_protected(path)?;
                }
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
            Stmt::Files => Ok(Output::Files(self.file_rows())),
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

    /// `e` as the operand of a computation that reads its values once (an
    /// operator, an elementwise function, a reduction, `stats`, `hist`, a
    /// picture): advanced indexing of a view there streams rather than
    /// copies, since nothing can see the copy NumPy would make
    /// ([`Gathers::Stream`]); anything else as [`Session::eval`].
    pub(super) fn eval_operand(&self, e: &Expr) -> Result<Value, Error> {
        match &e.kind {
            ExprKind::Index { base, items } => {
                let b = self.eval(base)?;
                self.index_as(b, items, e.span, advanced::Gathers::Stream)
            }
            _ => self.eval(e),
        }
    }

    /// The value of an expression.
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
                let v = self.eval_operand(operand)?;
                if operators::is_array(&v) {
                    return operators::unary(*op, &v, e.span);
                }
                value::unary(*op, &v, e.span)
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.eval_operand(lhs)?;
                let b = self.eval_operand(rhs)?;
                if operators::is_array(&a) || operators::is_array(&b) {
                    return operators::binary(*op, &a, &b, e.span);
                }
                value::binary(*op, &a, &b, e.span)
            }
        }
    }
}

pub use complete::complete;
