//! `strided`: look inside large raw binary files through one memory mapping
//! and NumPy's slicing model.
//!
//! Every front end (the interactive shell, script files, stdin, `-c`) runs
//! the same pipe: text ──[`syntax`]──▶ statements ──[`eval`] against a
//! [`Session`]──▶ [`Output`] ──[`render`]──▶ any `impl Write`.
//!
//! ```
//! use strided::{run_line, Session};
//!
//! let mut session = Session::new();
//! let mut out = Vec::new();
//! run_line(&mut session, "n = 50 * 100 * 8; n", &mut out).unwrap();
//! assert_eq!(String::from_utf8(out).unwrap(), "40000\n");
//! ```

#![deny(unsafe_code)]

pub mod builtins;
pub mod compute;
pub mod control;
pub mod demo;
pub mod diag;
pub mod dtype;
pub mod eval;
pub mod formats;
pub mod frontend;
pub mod guess;
pub mod help;
pub mod io;
pub mod lit;
pub mod npy;
pub mod number;
pub mod ops;
pub mod picture;
pub mod render;
pub mod report;
pub mod source;
pub mod span;
pub mod syntax;
pub mod text;
pub mod view;

pub use diag::Error;
pub use eval::{Output, Session};

use std::io::Write;

/// Bytes of stack for the thread that parses and evaluates: enough for
/// the deepest nesting the parser accepts ([`syntax::MAX_DEPTH`]).
pub const STACK_SIZE: usize = 64 << 20;

/// Why a line did not run to its end.
#[derive(Debug)]
pub enum LineError {
    /// A statement failed (or the line did not parse); spans index the line.
    Stmt(Error),
    /// Writing the output failed (e.g. a closed pipe).
    Io(std::io::Error),
}

/// Parses one line and runs its statements in order, rendering each
/// statement's output to `out` with the session's settings.
///
/// If a mapped file shrank while a statement read it (the SIGBUS guard
/// patched the fault with zeros), the statement fails and its output is
/// discarded; output is held back until the statement is done, up to
/// [`HOLD_BACK`] bytes (past that, a huge csv or json dump streams).
/// In csv mode the notes (what `open`, `save`, `set` did) are dropped, so
/// that `out` holds only csv: [`run_line_with_notes`] keeps them.
pub fn run_line(session: &mut Session, line: &str, out: &mut impl Write) -> Result<(), LineError> {
    run_line_with_notes(session, line, out, &mut std::io::sink())
}

/// [`run_line`], with a second stream for what is not data in csv mode
/// (notes, `open`'s summary, help): the front ends pass stderr, so that
/// stdout stays pure csv. In the other formats notes go to `out`.
pub fn run_line_with_notes(
    session: &mut Session,
    line: &str,
    out: &mut impl Write,
    notes: &mut dyn Write,
) -> Result<(), LineError> {
    run_line_keep_going(session, line, out, notes, None)
}

/// [`run_line_with_notes`], going on past a failed statement when
/// `keep_going` is given: each statement's error (but Ctrl-C, which ends
/// the line) is handed to it and the next statement after `;` runs
/// (`--keep-going`). A line that does not parse runs nothing.
pub fn run_line_keep_going(
    session: &mut Session,
    line: &str,
    out: &mut impl Write,
    notes: &mut dyn Write,
    mut keep_going: Option<&mut dyn FnMut(Error)>,
) -> Result<(), LineError> {
    let stmts = syntax::parse_line(line).map_err(LineError::Stmt)?;
    let control = session.control();
    // Kernels on this thread and the workers they start find the session's
    // control through `control::current`.
    let _entered = control::enter(control.clone());
    for (stmt, span) in &stmts {
        match run_statement(session, stmt, *span, line, out, notes, &control) {
            Err(LineError::Stmt(e)) if *e.kind != diag::ErrorKind::Interrupted => {
                match &mut keep_going {
                    Some(report) => {
                        // What the statements before printed comes first.
                        out.flush().map_err(LineError::Io)?;
                        report(e)
                    }
                    None => return Err(LineError::Stmt(e)),
                }
            }
            Err(e) => return Err(e),
            Ok(()) => {}
        }
        // `exit`: the statements after it on the line do not run.
        if session.exit_requested().is_some() {
            break;
        }
    }
    Ok(())
}

/// One statement: executed, rendered (held back until it is known not to
/// have read a truncated mapping).
fn run_statement(
    session: &mut Session,
    stmt: &syntax::Stmt,
    span: syntax::Span,
    line: &str,
    out: &mut impl Write,
    notes: &mut dyn Write,
    control: &std::sync::Arc<control::Control>,
) -> Result<(), LineError> {
    control.reset();
    control.take_fault();
    // Ctrl-C from here to the end of the statement's output stops the
    // statement, never the shell.
    let _busy = control.statement();
    let interrupted = || LineError::Stmt(Error::new(diag::ErrorKind::Interrupted, span));
    let output = session.execute(stmt, line).map_err(LineError::Stmt);
    if control.take_fault() {
        return Err(LineError::Stmt(session.fault_error(span)));
    }
    let output = output?;
    if control.cancelled() {
        // Ctrl-C during a step that does not poll (a header parse, a
        // `files` listing): the statement still ends as interrupted.
        return Err(interrupted());
    }
    let mut held = HeldBack {
        buf: Vec::new(),
        out: &mut *out,
        streaming: false,
        control,
    };
    // A write error after Ctrl-C is the interruption (see `HeldBack`).
    let io = |e: std::io::Error| {
        if control.cancelled() {
            interrupted()
        } else {
            LineError::Io(e)
        }
    };
    // Everything but a colour picture for a terminal (`image`, `specgram`,
    // which escape their own text) passes through
    // `Sanitize`: no control character from a file or the input
    // reaches the terminal.
    let raw = session.settings.color && matches!(output, Output::Image(_) | Output::Specgram(_));
    if raw {
        render::render(&output, &session.settings, &mut held, notes).map_err(io)?;
    } else {
        let mut clean = text::Sanitize::new(&mut held);
        let mut clean_notes = text::Sanitize::new(&mut *notes);
        render::render(&output, &session.settings, &mut clean, &mut clean_notes).map_err(io)?;
        clean.into_inner().map_err(io)?;
        clean_notes.into_inner().map_err(io)?;
    }
    if control.take_fault() {
        let mut e = session.fault_error(span);
        if held.streaming {
            // Too much output to hold back: some of it is already out.
            if let diag::ErrorKind::FileChanged { what, .. } = &mut *e.kind {
                what.push_str("; the output above may hold zeros where the file was cut");
            }
        }
        return Err(LineError::Stmt(e));
    }
    held.release().map_err(LineError::Io)
}

/// Output held back until a statement is known to be good.
pub const HOLD_BACK: usize = 4 << 20;

/// The output of one statement: held back up to [`HOLD_BACK`] bytes, and
/// failing with an error once Ctrl-C asked the statement to stop (so a
/// csv dump of a 2 GiB view stops at once).
struct HeldBack<'a, W: Write> {
    buf: Vec<u8>,
    out: &'a mut W,
    streaming: bool,
    control: &'a control::Control,
}

impl<W: Write> HeldBack<'_, W> {
    fn release(self) -> std::io::Result<()> {
        self.out.write_all(&self.buf)
    }
}

impl<W: Write> Write for HeldBack<'_, W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.control.cancelled() {
            return Err(std::io::Error::other("interrupted"));
        }
        if !self.streaming && self.buf.len() + data.len() > HOLD_BACK {
            self.out.write_all(&self.buf)?;
            self.buf = Vec::new();
            self.streaming = true;
        }
        if self.streaming {
            self.out.write_all(data)?;
        } else {
            self.buf.extend_from_slice(data);
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
