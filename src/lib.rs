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

pub mod compute;
pub mod demo;
pub mod diag;
pub mod dtype;
pub mod eval;
pub mod frontend;
pub mod help;
pub mod npy;
pub mod render;
pub mod save;
#[allow(unsafe_code)]
pub mod source;
pub mod syntax;
pub mod view;

pub use diag::Error;
pub use eval::{Output, Session};

use std::io::{self, Write};

/// Bytes of stack for the thread that parses and evaluates: enough for
/// the deepest nesting the parser accepts ([`syntax::MAX_DEPTH`]).
pub const STACK_SIZE: usize = 64 << 20;

/// Why a line did not run to its end.
#[derive(Debug)]
pub enum LineError {
    /// A statement failed (or the line did not parse); spans index the line.
    Stmt(Error),
    /// Writing the output failed (e.g. a closed pipe).
    Io(io::Error),
}

/// Parses one line and runs its statements in order, rendering each
/// statement's output to `out` with the session's settings.
pub fn run_line(session: &mut Session, line: &str, out: &mut impl Write) -> Result<(), LineError> {
    let stmts = syntax::parse_line(line).map_err(LineError::Stmt)?;
    for (stmt, _) in &stmts {
        compute::control::reset();
        let output = session.execute(stmt, line).map_err(LineError::Stmt)?;
        render::render(&output, &session.settings, out).map_err(LineError::Io)?;
    }
    Ok(())
}
