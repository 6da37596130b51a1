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
}

impl Session {
    pub(super) fn guess(&mut self, path: &Spanned<String>) -> Result<GuessReport, Error> {
        let (source, _) = self
            .open_file(Path::new(&path.node), None)
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
        let sampled = head.len() as u64 + body.iter().map(|(_, b)| b.len() as u64).sum::<u64>();
        let finding = crate::guess::guess(&Sample {
            len: len as u64,
            head,
            body,
        });
        let opens = match &finding {
            Finding::Layouts(c) => c.iter().map(|c| c.open_line(&path.node)).collect(),
            _ => Vec::new(),
        };
        Ok(GuessReport {
            path: path.node.clone(),
            len: len as u64,
            sampled: sampled.min(len as u64),
            finding,
            opens,
        })
    }
}
