//! The front ends: where lines come from. Both hand every line to
//! [`crate::run_line`]; they differ only in how they read lines and report
//! errors. Only this module and `main.rs` touch the terminal.

pub mod repl;
pub mod script;
pub mod signals;

use crate::eval::{Settings, DEFAULT_WIDTH, MIN_WIDTH};

/// The columns output fits in: the terminal's when stdout is one, else
/// `$COLUMNS`, else [`DEFAULT_WIDTH`] (pipes, files and scripts get the
/// same output on every machine).
pub fn terminal_width() -> usize {
    let asked = terminal_size::terminal_size_of(std::io::stdout())
        .map(|(w, _)| usize::from(w.0))
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .unwrap_or(DEFAULT_WIDTH);
    asked.clamp(MIN_WIDTH, 10_000)
}

/// Before a statement: the width follows the terminal (it may have been
/// resized) unless `set width N` or `--width N` fixed it.
pub fn follow_terminal(settings: &mut Settings) {
    if settings.follow_terminal {
        settings.width = terminal_width();
    }
}
