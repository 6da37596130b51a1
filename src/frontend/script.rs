//! Script mode: lines from a file, stdin or `-c`, no prompt; the first
//! error is printed as `NAME:LINE:COL: error: ...` with a caret and stops
//! the run, unless `keep_going`.

use crate::{run_line_keep_going, run_line_with_notes, LineError, Session};
use std::io::{self, BufRead, Write};

/// How a script run ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every statement ran.
    Ok,
    /// This many lines failed (1 unless `keep_going`).
    Failed(usize),
    /// Ctrl-C stopped a statement (exit status 130).
    Interrupted,
    /// `exit`/`quit` ended the script, with this status.
    Exit(u8),
}

/// The longest line a script may hold (`strided < /dev/zero` would
/// otherwise grow one line until memory runs out).
pub const MAX_LINE: usize = 16 << 20;

/// Runs every line read from `input`, named `name` in messages. Output goes
/// to `out`, error reports to `err`. An error writing `out` (a closed
/// pipe) ends the run and is returned.
pub fn run_script(
    session: &mut Session,
    name: &str,
    input: &mut impl BufRead,
    out: &mut impl Write,
    err: &mut impl Write,
    keep_going: bool,
) -> io::Result<Outcome> {
    let mut failed = 0;
    let mut buf = Vec::new();
    let mut number = 0;
    loop {
        buf.clear();
        let mut line_at_most = io::Read::take(&mut *input as &mut dyn BufRead, MAX_LINE as u64 + 1);
        if line_at_most.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        number += 1;
        if buf.len() > MAX_LINE && buf.last() != Some(&b'\n') {
            // The rest of the line may never end: stop reading.
            writeln!(
                err,
                "{}:{number}:1: error: the line is longer than {} MiB\n  hint: split the input into lines of statements",
                crate::text::escape(name),
                MAX_LINE >> 20
            )?;
            failed += 1;
            break;
        }
        let line = match std::str::from_utf8(&buf) {
            Ok(s) => s,
            Err(e) => {
                let good = String::from_utf8_lossy(&buf[..e.valid_up_to()]).into_owned();
                let col = good.chars().count() + 1;
                writeln!(
                    err,
                    "{}:{number}:{col}: error: the line is not valid UTF-8",
                    crate::text::escape(name)
                )?;
                failed += 1;
                if keep_going {
                    continue;
                }
                break;
            }
        };
        // An open bracket goes on on the next lines, as in Python; errors
        // point into the lines as written.
        let first = number;
        let mut text = line.to_string();
        while crate::syntax::continues(&text) && text.len() <= MAX_LINE {
            buf.clear();
            let mut more = io::Read::take(&mut *input as &mut dyn BufRead, MAX_LINE as u64 + 1);
            if more.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            number += 1;
            text.push_str(&String::from_utf8_lossy(&buf));
        }
        let joined = crate::syntax::join_lines(&text);
        let mut report = |e: crate::Error| {
            failed += 1;
            let _ = write!(
                crate::text::Sanitize::new(&mut *err),
                "{}",
                e.render(Some((name, first)), &text)
            );
        };
        super::follow_terminal(&mut session.settings);
        let result = if keep_going {
            run_line_keep_going(session, &joined, out, &mut io::stderr(), Some(&mut report))
        } else {
            run_line_with_notes(session, &joined, out, &mut io::stderr())
        };
        // One line's output at a time, so a program reading our stdout
        // through a pipe sees each result as it is made.
        out.flush()?;
        match result {
            Ok(()) => {
                if let Some(code) = session.exit_requested() {
                    out.flush()?;
                    return Ok(Outcome::Exit(code));
                }
            }
            Err(LineError::Io(e)) => return Err(e),
            Err(LineError::Stmt(e)) => {
                out.flush()?;
                // Through Sanitize: the line echoed may hold any character.
                write!(
                    crate::text::Sanitize::new(&mut *err),
                    "{}",
                    e.render(Some((name, first)), &text)
                )?;
                if *e.kind == crate::diag::ErrorKind::Interrupted {
                    out.flush()?;
                    return Ok(Outcome::Interrupted);
                }
                failed += 1;
                if !keep_going {
                    break;
                }
            }
        }
    }
    out.flush()?;
    Ok(if failed == 0 {
        Outcome::Ok
    } else {
        Outcome::Failed(failed)
    })
}
