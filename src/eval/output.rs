//! What a statement returns for `render` to show: an [`Output`], typed
//! per command, with no prose built here.

use super::{draw, dump, explain, guess, info, stats, welch, Settings, Value};
use crate::view::{Order, View};

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
    Stats(stats::StatsReport),
    Hist(stats::HistReport),
    Psd(welch::PsdReport),
    Specgram(welch::SpecgramReport),
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
