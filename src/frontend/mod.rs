//! The front ends: where lines come from. Both hand every line to
//! [`crate::run_line`]; they differ only in how they read lines and report
//! errors. Only this module and `main.rs` touch the terminal.

pub mod repl;
pub mod script;
pub mod signals;
