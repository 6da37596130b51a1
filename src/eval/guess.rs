//! `guess PATH`: reads a bounded sample of a file (its first 64 KiB and 16
//! chunks of 64 KiB spread over the rest, at most 1.1 MiB whatever its
//! size) through the session's one mapping, and hands it to
//! [`crate::guess`].

use super::Session;
use crate::diag::{Error, ErrorKind};
use crate::guess::{Finding, Sample};
use crate::source::OpenFailure;
use crate::syntax::Spanned;
use std::path::Path;

const HEAD: usize = 64 << 10;
const CHUNK: usize = 64 << 10;
const CHUNKS: usize = 16;

/// What `guess` prints.
#[derive(Clone, Debug)]
pub struct GuessReport {
    pub path: String,
    pub len: u64,
    /// Bytes read for the sample.
    pub sampled: u64,
    pub finding: Finding,
    /// The `open` line of each candidate, in order.
    pub opens: Vec<String>,
    /// What the file's name and neighbours say of its layout (a sidecar
    /// that describes it, a conventional extension), which a guess never
    /// overrides.
    pub notes: Vec<String>,
    /// When the first two layouts are close, what tells them apart.
    pub close: Option<String>,
}

/// A file beside `path` that describes it: a SigMF `.sigmf-meta`, or an
/// ENVI/EHdr `.hdr` (`f.hdr` or `f.img.hdr`).
pub(super) fn sidecar(path: &Path) -> Option<std::path::PathBuf> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let mut beside = Vec::new();
    if ext == "sigmf-data" {
        beside.push(path.with_extension("sigmf-meta"));
    }
    if !matches!(ext, "hdr" | "sigmf-meta" | "sigmf") {
        beside.push(path.with_extension("hdr"));
        let mut full = path.as_os_str().to_owned();
        full.push(".hdr");
        beside.push(full.into());
    }
    beside.into_iter().find(|p| p.is_file() && p != path)
}

/// The layout an extension conventionally names (SDR tools, GNU Radio).
fn extension_dtype(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "cf32" | "fc32" | "cfile" => "<c8",
        "cf64" | "fc64" => "<c16",
        "cs16" | "sc16" => "ci16",
        "cs8" | "sc8" => "ci8",
        "cu8" => "cu8",
        "f32" => "<f4",
        "f64" => "<f8",
        "s16" => "<i2",
        _ => return None,
    })
}

/// The notes of a [`GuessReport`]: a sidecar first (whose layout is the
/// file's own), then what the extension says and whether the evidence
/// agrees.
fn notes(path: &Path, finding: &Finding) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(side) = sidecar(path) {
        let shown = side.display().to_string();
        let side = crate::text::escape(&shown);
        out.push(format!(
            "{side} describes this file, and no guess overrides it:\n  open {side}"
        ));
    }
    if let Some(d) = extension_dtype(path) {
        let agrees = match finding {
            Finding::Layouts(c) => c.first().is_some_and(|c| c.dtype == d),
            _ => false,
        };
        out.push(format!(
            "the extension says {d} by convention; {}",
            if agrees {
                "the evidence agrees"
            } else {
                "the evidence says otherwise"
            }
        ));
    }
    out
}

impl Session {
    pub(super) fn guess(&mut self, path: &Spanned<String>) -> Result<GuessReport, Error> {
        let (source, _) = self
            .open_file(Path::new(&path.node), None, crate::source::Mode::Read)
            .map_err(|f| match f {
                OpenFailure::Interrupted => Error::new(ErrorKind::Interrupted, path.span),
                f => super::open_error(path, f.reason(), f.hint()),
            })?;
        let bytes = source.bytes();
        let len = bytes.len();
        let head = &bytes[..len.min(HEAD)];
        // Chunks spread evenly after the head (the whole rest when small),
        // starting on 64-byte boundaries so that every alignment is seen
        // alike.
        let start = if len >= 4 * HEAD { HEAD } else { len / 2 };
        let rest = len - start;
        let body: Vec<(u64, &[u8])> = if rest <= CHUNK * CHUNKS {
            vec![(start as u64, &bytes[start..])]
        } else {
            let step = (rest - CHUNK) / (CHUNKS - 1);
            (0..CHUNKS)
                .map(|k| {
                    let at = (start + k * step) & !63;
                    (at as u64, &bytes[at..(at + CHUNK).min(len)])
                })
                .collect()
        };
        // Partners half the data on from up to four chunks of the first
        // half, for complex samples stored as two planes.
        let margin = crate::guess::PARTNER_MARGIN;
        let partners: Vec<(u64, &[u8])> = if body.len() == 1 {
            vec![(0, bytes)]
        } else {
            body.iter()
                .filter(|(at, b)| (*at as usize) + b.len() + margin <= len / 2)
                .take(4)
                .map(|&(at, b)| {
                    let p = at as usize + len / 2 - margin;
                    (p as u64, &bytes[p..(p + b.len() + 2 * margin).min(len)])
                })
                .collect()
        };
        let sampled = head.len() as u64
            + body
                .iter()
                .chain(&partners)
                .map(|(_, b)| b.len() as u64)
                .sum::<u64>();
        let finding = crate::guess::guess(&Sample {
            len: len as u64,
            head,
            body,
            partners,
        })
        .map_err(|_| Error::new(ErrorKind::Interrupted, path.span))?;
        let opens = match &finding {
            Finding::Layouts(c) => c.iter().map(|c| c.open_line(&path.node)).collect(),
            _ => Vec::new(),
        };
        Ok(GuessReport {
            path: path.node.clone(),
            len: len as u64,
            sampled: sampled.min(len as u64),
            notes: notes(Path::new(&path.node), &finding),
            close: match &finding {
                Finding::Layouts(c) => crate::guess::close_call(c),
                _ => None,
            },
            finding,
            opens,
        })
    }
}
