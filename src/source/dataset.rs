//! Datasets: many files read as one array, concatenated along axis 0.
//!
//! A dataset is a [`Source`] with no bytes of its own. Its parts (one per
//! file, in the order given) are laid end to end in one address space:
//! part `k`'s data, `len` bytes from `start` in its file (after a header),
//! sits at `base..base + len`. Views over a dataset are ordinary views over
//! that space, so every indexing rule works across file boundaries
//! unchanged; only reading asks which file holds a byte ([`Source::runs`]).
//!
//! Parts are mapped lazily, the first time a read needs one, through the
//! session's cache (a file also opened on its own shares the mapping), and
//! at most `cap` stay mapped at once: the least recently used is released
//! first (it is unmapped when no running read holds it). So a dataset of
//! any number of files stays within the process's mapping and descriptor
//! limits (`vm.max_map_count`, `ulimit -n`). `STRIDED_MAX_MAPPINGS` sets
//! the cap (default 1024).
//!
//! A part that cannot be read when it is needed (deleted, replaced or
//! shrunk since `open`) reads as zeros and raises the session's fault
//! flag, as a mapping that faults does: the statement fails, naming it.

use super::{Cache, OpenFailure, Source};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The most parts mapped at once, unless `STRIDED_MAX_MAPPINGS` says.
pub const DEFAULT_CAP: usize = 1024;

/// One file of a dataset, as `open` found it (stat only: nothing read).
#[derive(Clone, Debug)]
pub struct Part {
    pub path: PathBuf,
    pub dev: u64,
    pub ino: u64,
    /// The file's size at `open`.
    pub file_len: u64,
    /// Where its data starts in the file (the header's length).
    pub start: u64,
    /// How many bytes of data it gives.
    pub len: u64,
    /// Where those bytes lie in the dataset's address space.
    pub base: u64,
}

/// The parts mapped now, each with when it was last used.
#[derive(Debug, Default)]
struct Live {
    held: Vec<Option<(Arc<Source>, u64)>>,
    count: usize,
    tick: u64,
}

impl Live {
    /// Releases the least recently used part.
    fn evict_oldest(&mut self) {
        let oldest = self
            .held
            .iter()
            .enumerate()
            .filter_map(|(k, h)| h.as_ref().map(|(_, t)| (*t, k)))
            .min();
        if let Some((_, k)) = oldest {
            self.held[k] = None;
            self.count -= 1;
        }
    }
}

/// Many files as one address space; see the module head.
#[derive(Debug)]
pub struct Dataset {
    parts: Vec<Part>,
    cache: Cache,
    fault: Arc<AtomicBool>,
    cap: usize,
    live: Mutex<Live>,
    /// The first part that could not be read since the last statement, and why.
    failed: Mutex<Option<(String, String)>>,
}

/// A piece of a run of elements (see [`Source::runs`]).
pub enum Run<'a> {
    /// `count` elements at `base + k·stride` in `source`'s own bytes.
    In {
        source: &'a Arc<Source>,
        base: usize,
        count: usize,
    },
    /// One element whose bytes lie in two files (only a reinterpreting
    /// `view(dtype)` makes such elements), its bytes gathered.
    Across(&'a [u8]),
    /// `count` elements of a file that could not be read: they read as
    /// zeros, and the session's fault flag is raised.
    Missing(usize),
}

impl Dataset {
    /// A dataset of `parts` (laid end to end: each `base` is the sum of the
    /// lengths before it), mapped through `cache` with `fault` as the flag.
    pub(super) fn new(parts: Vec<Part>, cache: Cache, fault: Arc<AtomicBool>) -> Dataset {
        let cap = std::env::var("STRIDED_MAX_MAPPINGS")
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or(DEFAULT_CAP);
        let n = parts.len();
        Dataset {
            parts,
            cache,
            fault,
            cap,
            live: Mutex::new(Live {
                held: vec![None; n],
                ..Live::default()
            }),
            failed: Mutex::new(None),
        }
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Bytes of data in all parts.
    pub fn len(&self) -> u64 {
        self.parts.last().map_or(0, |p| p.base + p.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many parts are mapped now.
    pub fn mapped(&self) -> usize {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).count
    }

    /// The part holding byte `at` of the address space.
    pub fn part_at(&self, at: u64) -> usize {
        self.parts.partition_point(|p| p.base + p.len <= at)
    }

    /// The part that could not be read (its path, escaped) and why, taken:
    /// the next statement starts clean.
    pub fn take_failure(&self) -> Option<(String, String)> {
        self.failed.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// Part `k`'s mapping, mapped now if it is not; `None` (with the fault
    /// flag raised and the reason kept) when the file cannot be read.
    pub fn acquire(&self, k: usize) -> Option<Arc<Source>> {
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.tick += 1;
        let now = live.tick;
        if let Some((s, t)) = live.held[k].as_mut() {
            if !s.faulted() {
                *t = now;
                return Some(s.clone());
            }
        }
        if live.held[k].take().is_some() {
            live.count -= 1;
        }
        while live.count >= self.cap {
            live.evict_oldest();
        }
        let mut loaded = self.load(k);
        if matches!(&loaded, Err(OpenFailure::Io(e)) if e.raw_os_error() == Some(libc::EMFILE)) {
            // Out of descriptors: release half of the parts held and try again.
            for _ in 0..live.count / 2 {
                live.evict_oldest();
            }
            loaded = self.load(k);
        }
        match loaded {
            Ok(s) => {
                live.held[k] = Some((s.clone(), now));
                live.count += 1;
                Some(s)
            }
            Err(f) => {
                let mut failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
                failed.get_or_insert_with(|| {
                    (
                        crate::text::escape(&self.parts[k].path.display().to_string()).into_owned(),
                        match f {
                            OpenFailure::NotFound => {
                                "was deleted or renamed since the dataset was opened".into()
                            }
                            OpenFailure::Changed(what) => what,
                            f => format!("could not be read: {}", f.reason()),
                        },
                    )
                });
                self.fault.store(true, Ordering::SeqCst);
                None
            }
        }
    }

    /// Maps part `k`, or finds its mapping in the cache, checking that the
    /// file is the one `open` saw and still holds the bytes used.
    fn load(&self, k: usize) -> Result<Arc<Source>, OpenFailure> {
        let p = &self.parts[k];
        let need = p.start + p.len;
        let s = super::map_regular(&self.cache, &self.fault, &p.path, Some((p.dev, p.ino)))?;
        if s.len() < need {
            return Err(OpenFailure::Changed(format!(
                "shrank from {} to {} bytes since the dataset was opened",
                p.file_len,
                s.len()
            )));
        }
        Ok(s)
    }
}

/// Where a run of elements lies among a dataset's parts (see
/// [`Dataset::pieces`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Piece {
    /// `count` elements of part `part`, the first at byte `at` of the
    /// dataset.
    Whole { part: usize, at: u64, count: usize },
    /// One element starting at byte `at` that reaches into the next part.
    Straddle { at: u64 },
}

impl Dataset {
    /// The run of `count` elements of `size` bytes at `base + k·stride`,
    /// split where it crosses from one part to the next: arithmetic only,
    /// nothing is mapped. Every element must lie inside the dataset.
    pub fn pieces(
        &self,
        base: usize,
        stride: isize,
        count: usize,
        size: usize,
        mut f: impl FnMut(Piece),
    ) {
        let mut k = 0;
        while k < count {
            let a = (base as isize + k as isize * stride) as u64;
            let pk = self.part_at(a);
            let Some(part) = self.parts.get(pk) else {
                // Outside every part: views are checked against the
                // dataset's length, so this is never reached.
                return;
            };
            let end = part.base + part.len;
            if a + size as u64 > end {
                f(Piece::Straddle { at: a });
                k += 1;
                continue;
            }
            let fit = match stride {
                0 => count - k,
                s if s > 0 => ((end - size as u64 - a) / s as u64) as usize + 1,
                s => ((a - part.base) / s.unsigned_abs() as u64) as usize + 1,
            };
            let m = fit.min(count - k);
            f(Piece::Whole {
                part: pk,
                at: a,
                count: m,
            });
            k += m;
        }
    }
}

impl Source {
    /// The dataset this source is, if it is one.
    pub fn dataset(&self) -> Option<&Dataset> {
        self.dataset.as_deref()
    }

    /// Hands `f` the run of `count` elements of `size` bytes at
    /// `base + k·stride` (`k` in `0..count`, all inside the source), in
    /// order, as pieces that each lie in one file. A plain file is one
    /// piece; a dataset splits the run where it crosses from one file to
    /// the next, mapping each file as it comes. `f` may hold a piece's
    /// source only while it runs.
    pub fn runs(
        self: &Arc<Self>,
        base: usize,
        stride: isize,
        count: usize,
        size: usize,
        mut f: impl FnMut(Run<'_>),
    ) {
        let Some(d) = self.dataset() else {
            if count > 0 {
                f(Run::In {
                    source: self,
                    base,
                    count,
                });
            }
            return;
        };
        d.pieces(base, stride, count, size, |piece| match piece {
            Piece::Whole { part, at, count } => match d.acquire(part) {
                Some(s) => {
                    let p = &d.parts[part];
                    f(Run::In {
                        source: &s,
                        base: (at - p.base + p.start) as usize,
                        count,
                    })
                }
                None => f(Run::Missing(count)),
            },
            Piece::Straddle { at: a } => {
                let mut buf = vec![0u8; size];
                for (j, b) in buf.iter_mut().enumerate() {
                    let at = a + j as u64;
                    let q = d.part_at(at);
                    if let (Some(qp), Some(s)) = (d.parts.get(q), d.acquire(q)) {
                        *b = s.bytes()[(at - qp.base + qp.start) as usize];
                    }
                }
                f(Run::Across(&buf));
            }
        });
    }
}
