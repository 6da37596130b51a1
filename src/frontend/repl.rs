//! The interactive shell: rustyline reads lines (history, Tab completion,
//! Ctrl-C clears the line, Ctrl-D leaves); everything else is
//! [`crate::run_line`]. The helper is a thin adapter over
//! [`crate::eval::complete`].

use crate::{run_line_with_notes, LineError, Session};
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};
use std::cell::RefCell;
use std::io::{self, Write};
use std::path::PathBuf;
use std::rc::Rc;

struct StridedHelper {
    session: Rc<RefCell<Session>>,
    files: FilenameCompleter,
}

impl Completer for StridedHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        // File names: the path after `open` or `guess`, the last word of
        // `save EXPR PATH`, and the word after `to` (`image d to F.png`).
        let head = line[..pos].trim_start();
        let words: Vec<&str> = head.split_whitespace().collect();
        let typing = !head.ends_with(' ');
        let previous = if typing {
            words.len().checked_sub(2).map(|k| words[k])
        } else {
            words.last().copied()
        };
        let in_path = previous == Some("to")
            || match words.first() {
                Some(&("open" | "guess")) => {
                    words.len() == 1 && !typing || words.len() == 2 && typing
                }
                Some(&"save") => words.len() >= 2 && (!typing || words.len() >= 3),
                _ => false,
            };
        if in_path {
            return self.files.complete(line, pos, ctx);
        }
        let (start, words) = crate::eval::complete(&self.session.borrow(), line, pos);
        Ok((
            start,
            words
                .into_iter()
                .map(|w| Pair {
                    // `abs(` is inserted, `abs` listed.
                    display: w.trim_end_matches('(').to_string(),
                    replacement: w,
                })
                .collect(),
        ))
    }
}

impl Hinter for StridedHelper {
    type Hint = String;
}
impl Highlighter for StridedHelper {}
/// A statement with an open bracket goes on on the next line (Enter adds
/// a line instead of running it), as in Python's shell.
impl Validator for StridedHelper {
    fn validate(
        &self,
        ctx: &mut rustyline::validate::ValidationContext,
    ) -> rustyline::Result<rustyline::validate::ValidationResult> {
        Ok(if crate::syntax::continues(ctx.input()) {
            rustyline::validate::ValidationResult::Incomplete
        } else {
            rustyline::validate::ValidationResult::Valid(None)
        })
    }
}
impl Helper for StridedHelper {}

/// Where history is kept: `$XDG_STATE_HOME/strided/history`, else
/// `~/.local/state/strided/history`.
fn history_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))?;
    Some(base.join("strided").join("history"))
}

/// Draws a progress bar on stderr for computations that run longer than
/// half a second (only when stderr is a terminal), until the shell ends.
fn spawn_progress_monitor(control: std::sync::Arc<crate::control::Control>) {
    use std::io::IsTerminal;
    if !io::stderr().is_terminal() {
        return;
    }
    std::thread::spawn(move || {
        // The job shown, its bar, and whether the bar guesses the time left.
        let mut shown: Option<(u64, indicatif::ProgressBar, bool)> = None;
        let mut seen: Option<(u64, std::time::Instant)> = None;
        loop {
            std::thread::sleep(std::time::Duration::from_millis(50));
            match control.progress() {
                Some((job, done, total)) => {
                    let since = match seen {
                        Some((j, t)) if j == job => t,
                        _ => {
                            seen = Some((job, std::time::Instant::now()));
                            continue;
                        }
                    };
                    if since.elapsed() < std::time::Duration::from_millis(500) {
                        continue;
                    }
                    if shown.as_ref().is_none_or(|(j, _, _)| *j != job) {
                        if let Some((_, bar, _)) = shown.take() {
                            bar.finish_and_clear();
                            control.set_bar_shown(false);
                        }
                        let bar = indicatif::ProgressBar::new(total);
                        bar.set_style(bar_style(done > 0));
                        shown = Some((job, bar, done > 0));
                        control.set_bar_shown(true);
                    }
                    if let Some((_, bar, timed)) = &mut shown {
                        // No time left is guessed before the first elements
                        // are done (a long transform's row comes whole):
                        // "0s left" said the wrong thing.
                        if done > 0 && !*timed {
                            bar.set_style(bar_style(true));
                            *timed = true;
                        }
                        bar.set_position(done);
                    }
                }
                None => {
                    if let Some((_, bar, _)) = shown.take() {
                        bar.finish_and_clear();
                        control.set_bar_shown(false);
                    }
                    seen = None;
                }
            }
        }
    });
}

/// The progress bar's look: with the time left once some of the work is
/// done (`timed`), without it before.
fn bar_style(timed: bool) -> indicatif::ProgressStyle {
    let template = if timed {
        "{wide_bar} {percent:>3}%  {human_pos}/{human_len}  {eta} left (Ctrl-C stops)"
    } else {
        "{wide_bar} {percent:>3}%  {human_pos}/{human_len}  (Ctrl-C stops)"
    };
    indicatif::ProgressStyle::with_template(template).expect("a valid template")
}

/// Runs the interactive shell until Ctrl-D. Errors are printed and the
/// session goes on.
pub fn run_repl(session: Session, banner: &str) -> io::Result<()> {
    spawn_progress_monitor(session.control());
    let session = Rc::new(RefCell::new(session));
    // List mode: Tab completes the common prefix and lists the candidates
    // (bash's way), instead of cycling through them in the line.
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .build();
    let mut editor: Editor<StridedHelper, DefaultHistory> =
        Editor::with_config(config).map_err(io::Error::other)?;
    editor.set_helper(Some(StridedHelper {
        session: session.clone(),
        files: FilenameCompleter::new(),
    }));
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    let stdout = io::stdout();
    if !banner.is_empty() {
        print!("{banner}");
    }
    loop {
        match editor.readline("strided> ") {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                let mut out = stdout.lock();
                // Lines an open bracket joined run as one; errors point
                // into the lines as typed.
                let joined = crate::syntax::join_lines(&line);
                super::follow_terminal(&mut session.borrow_mut().settings);
                let width = session.borrow().settings.width;
                match run_line_with_notes(
                    &mut session.borrow_mut(),
                    &joined,
                    &mut out,
                    &mut io::stderr(),
                ) {
                    Ok(()) => {}
                    Err(LineError::Stmt(e)) => {
                        let _ = out.flush();
                        let _ = write!(
                            crate::text::Sanitize::new(io::stderr()),
                            "{}",
                            fit_error(&e.render(None, &line), width)
                        );
                    }
                    Err(LineError::Io(e)) => eprintln!("error: {e}"),
                }
                let _ = out.flush();
                if session.borrow().exit_requested().is_some() {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(io::Error::other(e)),
        }
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(h);
    }
    Ok(())
}

/// An error as the shell shows it: the message and its notes and hints
/// broken at spaces to the terminal's width (a hint cut mid-word by the
/// terminal reads badly), the echoed line and its carets left as they are
/// (they must stay aligned). Scripts keep one line a message, for grep.
fn fit_error(text: &str, width: usize) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim_start_matches(' ');
            if l.starts_with("error:") || t.starts_with("= hint:") || t.starts_with("= note:") {
                crate::text::wrap(l, width)
            } else {
                l.to_string()
            }
        })
        .map(|l| l + "\n")
        .collect()
}
