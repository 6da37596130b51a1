//! Files and their one mapping each. [`Files`] is the cache: every `open`
//! of the same file (same device and inode), under any name, offset, shape
//! or dtype, gets the same [`Source`], and so the same mapping. A mapping
//! lives as long as some view uses it.
//!
//! Files are opened read-only and mapped read-only; nothing here can write
//! to, extend or truncate a file.

mod mapping;

use std::collections::HashMap;
use std::fs::File;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

/// One open file and its bytes (a read-only mapping).
#[derive(Debug)]
pub struct Source {
    /// The path as the user first gave it (shown in captions).
    pub path: PathBuf,
    pub dev: u64,
    pub ino: u64,
    bytes: mapping::Bytes,
}

impl Source {
    /// All bytes of the file as mapped.
    pub fn bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// The file's length in bytes when it was mapped.
    pub fn len(&self) -> u64 {
        self.bytes().len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.bytes().is_empty()
    }

    /// The path for messages and captions.
    pub fn display(&self) -> String {
        self.path.display().to_string()
    }
}

/// Why a file could not be opened.
#[derive(Debug)]
pub enum OpenFailure {
    NotFound,
    PermissionDenied,
    IsDirectory,
    /// A FIFO, device or socket: these have no fixed size to map.
    NotRegular(&'static str),
    Io(io::Error),
}

impl OpenFailure {
    pub fn reason(&self) -> String {
        match self {
            OpenFailure::NotFound => "no such file".into(),
            OpenFailure::PermissionDenied => "permission denied".into(),
            OpenFailure::IsDirectory => "it is a directory".into(),
            OpenFailure::NotRegular(what) => format!("it is a {what}, not a regular file"),
            OpenFailure::Io(e) => e.to_string(),
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            OpenFailure::NotFound => {
                Some("check the path; it is relative to the folder strided was started in".into())
            }
            OpenFailure::PermissionDenied => Some("the file must be readable by you".into()),
            OpenFailure::IsDirectory => Some("name a file inside it".into()),
            OpenFailure::NotRegular(_) => Some("copy the data to a regular file first".into()),
            OpenFailure::Io(_) => None,
        }
    }
}

fn classify(e: io::Error) -> OpenFailure {
    match e.kind() {
        io::ErrorKind::NotFound => OpenFailure::NotFound,
        io::ErrorKind::PermissionDenied => OpenFailure::PermissionDenied,
        io::ErrorKind::IsADirectory => OpenFailure::IsDirectory,
        _ => OpenFailure::Io(e),
    }
}

/// The cache of open files: one [`Source`] (one mapping) per file.
#[derive(Debug, Default)]
pub struct Files {
    cache: HashMap<(u64, u64), Weak<Source>>,
}

impl Files {
    /// Opens `path` read-only, or returns the mapping already made for the
    /// same file; the flag says whether it was already mapped.
    pub fn open(&mut self, path: &Path) -> Result<(Arc<Source>, bool), OpenFailure> {
        let meta = std::fs::metadata(path).map_err(classify)?;
        let ft = meta.file_type();
        if ft.is_dir() {
            return Err(OpenFailure::IsDirectory);
        }
        if !ft.is_file() {
            let what = if ft.is_fifo() {
                "FIFO"
            } else if ft.is_char_device() {
                "character device"
            } else if ft.is_block_device() {
                "block device"
            } else {
                "socket"
            };
            return Err(OpenFailure::NotRegular(what));
        }
        let key = (meta.dev(), meta.ino());
        if let Some(s) = self.cache.get(&key).and_then(Weak::upgrade) {
            return Ok((s, true));
        }
        let file = File::open(path).map_err(classify)?;
        let bytes = mapping::map_read_only(&file).map_err(OpenFailure::Io)?;
        let source = Arc::new(Source {
            path: path.to_path_buf(),
            dev: key.0,
            ino: key.1,
            bytes,
        });
        self.cache.retain(|_, w| w.strong_count() > 0);
        self.cache.insert(key, Arc::downgrade(&source));
        Ok((source, false))
    }

    /// The files that are mapped now, with how many views hold each.
    pub fn live(&self) -> Vec<(Arc<Source>, usize)> {
        let mut v: Vec<_> = self
            .cache
            .values()
            .filter_map(|w| {
                w.upgrade().map(|s| {
                    let n = Arc::strong_count(&s) - 1;
                    (s, n)
                })
            })
            .collect();
        v.sort_by(|a, b| a.0.path.cmp(&b.0.path));
        v
    }
}
