//! The session's files as things to protect: which files no write may
//! replace ([`Session::protected`]), how a write is checked and its
//! failure told, what `close`, `save` and `files` do, the error for a file
//! that shrank under a read, and `~/` in paths.

use super::{FileRow, Note, Output, Session, Value};
use crate::diag::{Error, ErrorKind};
use crate::io::{Checks, Protected, WriteError};
use crate::number::human_bytes;
use crate::source::Source;
use crate::syntax::{Expr, Span, Spanned, Stmt};
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
pub(super) fn open_error(path: &Spanned<String>, reason: String, hint: Option<String>) -> Error {
    Error::new(
        ErrorKind::Open {
            path: path.node.clone(),
            reason,
            hint,
        },
        path.span,
    )
}

/// A file that described another (`.hdr`, `.sigmf-meta`, `.vrt`): no
/// write may replace it while the file it describes is read.
#[derive(Debug)]
pub(super) struct Sidecar {
    pub(super) of: Weak<Source>,
    /// The name `open` bound, and the description's format, for refusals.
    pub(super) name: String,
    pub(super) format: String,
    pub(super) dev: u64,
    pub(super) ino: u64,
}

impl Session {
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

    /// Refuses at once a destination the session reads (`hist ... to
    /// g.bin` fails before counting, not after).
    pub(crate) fn refuse_protected(&self, path: &Spanned<String>) -> Result<(), Error> {
        crate::io::write::refuse_protected(Path::new(&path.node), &self.protected())
            .map_err(|e| write_error(path, e, path.span))
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
pub(super) fn with_home(stmt: &Stmt) -> std::borrow::Cow<'_, Stmt> {
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

impl Session {
    /// `close NAME`: unbinds it, and says which names still keep its file
    /// mapped.
    pub(super) fn close(&mut self, n: &Spanned<String>) -> Result<Output, Error> {
        match self.names.remove(&n.node) {
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
        }
    }

    /// `save EXPR PATH`: writes the value as the path's extension says,
    /// never over a file the session reads.
    pub(super) fn save(
        &self,
        expr: &Expr,
        path: &Spanned<String>,
        line: &str,
    ) -> Result<Output, Error> {
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
                crate::io::save::SaveError::Write(e) => self.write_failure(path, e, expr.span),
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

    /// `files`: every file the session holds, how, and what happened to it.
    pub(super) fn file_rows(&self) -> Vec<FileRow> {
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
                    s.dataset()
                        .map(|d| format!("{} files, {} mapped now", d.parts().len(), d.mapped()))
                }),
            })
            .collect()
    }
}
