//! What strided writes: [`write`] is the one function every file goes
//! through (refusing the files the session reads, through a temporary file
//! renamed into place), [`save`] the formats of `save`.

pub mod csv;
pub mod save;
pub mod write;

pub use write::{write_file, Checks, Protected, WriteError, Written};
