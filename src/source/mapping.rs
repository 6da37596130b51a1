//! The one place in strided that uses `unsafe`: mapping a file.
//!
//! Policy: every file is opened read-only and mapped read-only and shared
//! (`PROT_READ`, `MAP_SHARED`), once per file. An empty file is not mapped
//! (a zero-length mapping is an error on Linux); it reads as no bytes.

use memmap2::{Mmap, MmapOptions};
use std::fs::File;
use std::io;

/// The bytes of a file.
#[derive(Debug)]
pub enum Bytes {
    Mapped(Mmap),
    Empty,
}

impl Bytes {
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Empty => &[],
        }
    }
}

/// Maps all of `file` read-only.
pub fn map_read_only(file: &File) -> io::Result<Bytes> {
    if file.metadata()?.len() == 0 {
        return Ok(Bytes::Empty);
    }
    // SAFETY: the mapping is read-only, so strided itself never writes
    // through it, and `Mmap` keeps it alive for as long as the `&[u8]` it
    // hands out. What no flag can promise is that *other* processes leave
    // the file alone: if one writes to it, the bytes we read change under
    // us (a view shows whatever is there when it is read, which is the
    // behaviour users of raw data files expect); if one truncates it,
    // reading past the new end raises SIGBUS. Treating the file as
    // immutable while it is open is the documented contract of strided
    // (as of `np.memmap` and ripgrep's mmap searcher); guarding reads
    // against concurrent truncation is tracked separately.
    let map = unsafe { MmapOptions::new().map(file)? };
    Ok(Bytes::Mapped(map))
}
