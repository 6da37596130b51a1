//! Files and their one mapping each. [`Files`] is the cache: every `open`
//! of the same file (same device and inode), under any name, offset, shape
//! or dtype, gets the same [`Source`], and so the same mapping. A mapping
//! lives as long as some view uses it.
//!
//! Files are opened read-only and mapped read-only, unless `open ... mode=`
//! asks for a writable mapping ([`Mode`]); nothing here can extend or
//! truncate a file, and only [`Source::write`] of a `mode=r+` source
//! writes to one. Small files, files that report no size (`/proc`), FIFOs
//! and devices are read into memory instead of mapped (read-only only).

// The one module allowed `unsafe` (each block with its `// SAFETY:` note).
#[allow(unsafe_code)]
mod mapping;

mod dataset;

pub use dataset::{Dataset, Part, Piece as PartPiece, Run};
pub use mapping::{free_large_blocks_apart, keep_freed_memory, page_size, Allocator};

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, Weak};

/// The files mapped now, by (device, inode): shared by a session's
/// [`Files`] and its datasets, so a file has one mapping however it is
/// reached.
pub(crate) type Cache = Arc<Mutex<HashMap<(u64, u64), Weak<Source>>>>;

/// Files below this size are read rather than mapped: a copy of a few
/// pages costs less than a mapping and cannot fault.
pub const READ_BELOW: u64 = 64 << 10;
/// The most strided reads from a FIFO or a size-less file.
pub const READ_LIMIT: u64 = 1 << 30;

/// How a file is opened, as NumPy's memmap modes: `r` (the default),
/// `r+` (writes reach the file) or `c` (copy-on-write: writes stay in this
/// session's pages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Read,
    Write,
    Copy,
}

impl Mode {
    /// NumPy's spelling: `r`, `r+`, `c`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Read => "r",
            Mode::Write => "r+",
            Mode::Copy => "c",
        }
    }
}

/// Why a write into a source was not made.
#[derive(Debug, PartialEq, Eq)]
pub enum WriteRefused {
    /// Opened without `mode=`: read-only.
    ReadOnly,
    /// The file is shorter than when it was mapped.
    Shrunk(u64, u64),
    /// A dataset of many files.
    Dataset,
}

/// One open file and its bytes (a read-only mapping, or a copy).
#[derive(Debug)]
pub struct Source {
    /// The path as the user first gave it (shown in captions).
    pub path: PathBuf,
    pub dev: u64,
    pub ino: u64,
    /// Kept open so its size can be checked (fstat) before each use.
    file: Option<File>,
    bytes: mapping::Bytes,
    /// Bytes strided made itself, not a file: how ("advanced indexing of",
    /// "copying", ...), for captions.
    made: Option<&'static str>,
    /// Many files as one: then `bytes` is empty and reads go through
    /// [`Source::runs`].
    dataset: Option<Box<Dataset>>,
    /// How the file was opened.
    pub mode: Mode,
}

impl Source {
    /// A regular file's source: its path, (device, inode), the open file
    /// and its bytes.
    fn of_file(
        path: &Path,
        key: (u64, u64),
        file: File,
        bytes: mapping::Bytes,
        mode: Mode,
    ) -> Source {
        Source {
            path: path.to_path_buf(),
            dev: key.0,
            ino: key.1,
            file: Some(file),
            bytes,
            made: None,
            dataset: None,
            mode,
        }
    }

    /// All bytes of the file as mapped. A dataset has none of its own:
    /// its bytes are read through [`Source::runs`].
    pub fn bytes(&self) -> &[u8] {
        debug_assert!(self.dataset.is_none(), "bytes() of a dataset");
        self.bytes.as_slice()
    }

    /// Bytes strided made itself (a copy by advanced indexing), named for
    /// captions as `copy of PATH`. Not in the cache of files.
    pub fn copy(of: &Source, bytes: Vec<u8>, how: &'static str) -> Source {
        Source {
            path: PathBuf::from(format!("copy of {}", of.path.display())),
            dev: 0,
            ino: 0,
            file: None,
            bytes: mapping::Bytes::Heap(mapping::Heap::new(bytes)),
            made: Some(how),
            dataset: None,
            mode: Mode::Read,
        }
    }

    /// A computed array's values held in memory (to be written into, or
    /// kept before a write changes what it reads).
    pub fn held(bytes: Vec<u8>) -> Source {
        Source {
            path: PathBuf::from("copy of an expression"),
            dev: 0,
            ino: 0,
            file: None,
            bytes: mapping::Bytes::Heap(mapping::Heap::new(bytes)),
            made: Some("computing"),
            dataset: None,
            mode: Mode::Read,
        }
    }

    /// A NumPy scalar's bytes held as a 0-d array's buffer (`s[...]`,
    /// `s[None]`): a copy with no file behind it.
    pub fn scalar(bytes: Vec<u8>) -> Source {
        Source {
            path: PathBuf::from("a scalar"),
            dev: 0,
            ino: 0,
            file: None,
            bytes: mapping::Bytes::Heap(mapping::Heap::new(bytes)),
            made: Some("indexing"),
            dataset: None,
            mode: Mode::Read,
        }
    }

    /// How strided made these bytes ("advanced indexing of", "copying"), for
    /// a copy; `None` for a file.
    pub fn made_by(&self) -> Option<&'static str> {
        self.made
    }

    /// Whether this is a copy made by strided rather than a file.
    pub fn is_copy(&self) -> bool {
        self.made.is_some()
    }

    /// Whether the pages under bytes `start..end` are in memory (see
    /// `mapping::Bytes::resident`); `None` for files read, not mapped.
    pub fn resident(&self, start: usize, end: usize) -> Option<(usize, Vec<bool>)> {
        self.bytes.resident(start, end)
    }

    /// The file's length in bytes when it was mapped (a dataset's: the
    /// data of all its parts).
    pub fn len(&self) -> u64 {
        match &self.dataset {
            Some(d) => d.len(),
            None => self.bytes.as_slice().len() as u64,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The path for messages and captions, control characters escaped
    /// (a file name may hold any byte but `/` and NUL).
    pub fn display(&self) -> String {
        crate::text::escape(&self.path.display().to_string()).into_owned()
    }

    /// Whether another program holds an exclusive advisory lock on the file
    /// (a cooperating writer at work). Only a warning: locks bind only
    /// programs that ask for them, so they protect nothing here.
    pub fn locked_by_a_writer(&self) -> bool {
        match &self.file {
            Some(f) => match f.try_lock_shared() {
                Ok(()) => {
                    let _ = f.unlock();
                    false
                }
                Err(std::fs::TryLockError::WouldBlock) => true,
                Err(_) => false,
            },
            None => false,
        }
    }

    /// Whether the bytes are a mapping (rather than a copy).
    pub fn is_mapped(&self) -> bool {
        matches!(
            self.bytes,
            mapping::Bytes::Mapped(..) | mapping::Bytes::Writable(..)
        )
    }

    /// Whether item assignment may change these bytes: a copy strided
    /// made, or a file opened with `mode=r+` or `mode=c`.
    pub fn writable(&self) -> Result<(), WriteRefused> {
        if self.dataset.is_some() {
            return Err(WriteRefused::Dataset);
        }
        if !self.bytes.writable() && !self.bytes.as_slice().is_empty() {
            return Err(WriteRefused::ReadOnly);
        }
        if let Some((then, now)) = self.shrunk() {
            return Err(WriteRefused::Shrunk(then, now));
        }
        Ok(())
    }

    /// Writes `data` at byte `at` of these bytes: false when they are
    /// read-only or the range is outside them. Call [`Source::writable`]
    /// first (it checks the file's size once). The caller computes `data`
    /// into memory of its own first and holds no slice of these bytes (see
    /// `mapping`'s rule).
    pub fn write(&self, at: usize, data: &[u8]) -> bool {
        self.bytes.write(at, data)
    }

    /// Readies bytes `at..at + len`, which a write is about to cover
    /// whole, to be written (see `mapping`'s `Bytes::prepare_write`); it
    /// may run on any thread, and changes no byte.
    pub fn prepare_write(&self, at: usize, len: usize) {
        self.bytes.prepare_write(at, len)
    }

    /// `flush`: a `mode=r+` file's changed pages written to the file.
    pub fn flush(&self) -> io::Result<()> {
        self.bytes.flush()
    }

    /// The file's size now, for a mapped file (fstat on the open file).
    pub fn current_len(&self) -> Option<u64> {
        self.file
            .as_ref()
            .filter(|_| self.is_mapped())
            .and_then(|f| f.metadata().ok())
            .map(|m| m.len())
    }

    /// `Some((mapped, now))` when a mapped file is shorter now than when it
    /// was mapped: reading the missing part would fault.
    pub fn shrunk(&self) -> Option<(u64, u64)> {
        let now = self.current_len()?;
        (now < self.len()).then_some((self.len(), now))
    }

    /// What happened to the file since it was opened, if anything worth
    /// saying: deleted or replaced files keep their old contents here.
    pub fn status(&self) -> Option<String> {
        if let Some((then, now)) = self.shrunk() {
            return Some(format!("shrank from {then} to {now} bytes: open it again"));
        }
        let meta = self.file.as_ref()?.metadata().ok()?;
        match std::fs::metadata(&self.path) {
            Ok(m) if (m.dev(), m.ino()) != (self.dev, self.ino) => {
                Some("replaced by another file: this is the old one until opened again".into())
            }
            _ if meta.nlink() == 0 => {
                Some("deleted: its old contents stay readable until closed".into())
            }
            Err(_) => Some("renamed: its contents stay readable until closed".into()),
            _ => None,
        }
    }

    /// Whether the last patched read fault was in this file's mapping.
    pub fn faulted(&self) -> bool {
        match &self.bytes {
            mapping::Bytes::Mapped(_, slot) | mapping::Bytes::Writable(_, slot, _) => {
                slot.faulted()
            }
            _ => false,
        }
    }
}

/// Why a file could not be opened.
#[derive(Debug)]
pub enum OpenFailure {
    NotFound,
    PermissionDenied,
    /// `mode=r+` of a file this user may read but not write.
    NotWritable,
    IsDirectory,
    /// A socket, or a device or FIFO opened without a shape where one is needed.
    NotRegular(&'static str),
    /// A device has no size: the shape says how much to read.
    NeedsShape(&'static str),
    /// A FIFO or size-less file longer than strided reads.
    TooLong,
    /// A device or FIFO would give more than `set memory` allows.
    OverMemory {
        want: u64,
        memory: u64,
    },
    /// Ctrl-C while reading.
    Interrupted,
    /// A dataset's file is not the one `open` saw (replaced, shrunk).
    Changed(String),
    Io(io::Error),
}

impl OpenFailure {
    pub fn reason(&self) -> String {
        match self {
            OpenFailure::NotFound => "no such file".into(),
            OpenFailure::PermissionDenied => "permission denied".into(),
            OpenFailure::NotWritable => "it is not writable by you (mode=r+)".into(),
            OpenFailure::IsDirectory => "it is a directory".into(),
            OpenFailure::NotRegular(what) => format!("it is a {what}, not a regular file"),
            OpenFailure::NeedsShape(what) => format!("it is a {what}, which has no size"),
            OpenFailure::TooLong => format!("it gives more than {} bytes", READ_LIMIT),
            OpenFailure::OverMemory { want, memory } => {
                format!("reading {want} bytes of it would pass the memory limit of {memory} bytes")
            }
            OpenFailure::Interrupted => "interrupted".into(),
            OpenFailure::Changed(what) => what.clone(),
            OpenFailure::Io(e) => e.to_string(),
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            OpenFailure::NotFound => {
                Some("check the path; it is relative to the folder strided was started in".into())
            }
            OpenFailure::PermissionDenied => Some("the file must be readable by you".into()),
            OpenFailure::NotWritable => Some(
                "mode=c changes a private copy of its pages instead; or make the file writable (chmod u+w)".into(),
            ),
            OpenFailure::IsDirectory => Some("name a file inside it".into()),
            OpenFailure::NotRegular(_) => Some("copy the data to a regular file first".into()),
            OpenFailure::NeedsShape(_) => Some(
                "give a shape, and strided reads just the bytes it needs: open /dev/zero 4x4 f4"
                    .into(),
            ),
            OpenFailure::TooLong => Some("copy the data to a regular file and open that".into()),
            OpenFailure::OverMemory { .. } => Some(
                "give a smaller shape, raise the limit with `set memory`, or copy the data to a regular file (which is mapped, not read)".into(),
            ),
            OpenFailure::Changed(_) => Some("open the dataset again".into()),
            OpenFailure::Interrupted => None,
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
#[derive(Debug)]
pub struct Files {
    cache: Cache,
    /// The datasets opened, while some value uses them.
    datasets: Vec<Weak<Source>>,
    /// The files opened with `mode=r+`, one mapping each.
    writable: HashMap<(u64, u64), Weak<Source>>,
    /// The `mode=c` opens, each with private pages of its own.
    private: Vec<Weak<Source>>,
    /// The session's fault flag, raised by a fault in any of its mappings.
    fault: Arc<AtomicBool>,
}

/// The live, unfaulted mapping of file `key` in `cache`, if there is one.
/// A mapping that faulted holds zero pages where the file was cut: it is
/// never handed out again, even if the file grew back.
fn cached(cache: &Cache, key: (u64, u64)) -> Option<Arc<Source>> {
    let c = cache.lock().unwrap_or_else(|e| e.into_inner());
    c.get(&key).and_then(Weak::upgrade).filter(|s| !s.faulted())
}

/// Maps the regular file at `path` (or reads it, when small), or returns
/// its mapping from `cache`. `expect` is the (device, inode) the file must
/// still have: a dataset's part replaced since `open` is refused.
pub(crate) fn map_regular(
    cache: &Cache,
    fault: &Arc<AtomicBool>,
    path: &Path,
    expect: Option<(u64, u64)>,
) -> Result<Arc<Source>, OpenFailure> {
    if let Some(s) = expect.and_then(|key| cached(cache, key)) {
        return Ok(s);
    }
    let mut file = File::open(path).map_err(classify)?;
    let meta = file.metadata().map_err(OpenFailure::Io)?;
    let key = (meta.dev(), meta.ino());
    if expect.is_some_and(|e| e != key) {
        return Err(OpenFailure::Changed(
            "was replaced by another file since the dataset was opened".into(),
        ));
    }
    if let Some(s) = cached(cache, key) {
        return Ok(s);
    }
    let bytes = if meta.len() < READ_BELOW {
        let mut v = Vec::with_capacity(meta.len() as usize);
        (&mut file)
            .take(READ_BELOW)
            .read_to_end(&mut v)
            .map_err(OpenFailure::Io)?;
        if v.is_empty() {
            mapping::Bytes::Empty
        } else {
            mapping::Bytes::Owned(v)
        }
    } else {
        mapping::map_read_only(&file, fault).map_err(OpenFailure::Io)?
    };
    let source = Arc::new(Source::of_file(path, key, file, bytes, Mode::Read));
    let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
    c.retain(|_, w| w.strong_count() > 0);
    c.insert(key, Arc::downgrade(&source));
    Ok(source)
}

impl Files {
    /// An empty cache whose mappings raise `fault` when a read of one of
    /// them faults (the session's flag, see `control::Control`).
    pub fn new(fault: Arc<AtomicBool>) -> Files {
        // Every session computes in blocks: set malloc's policy once.
        keep_freed_memory();
        Files {
            cache: Arc::default(),
            datasets: Vec::new(),
            writable: HashMap::new(),
            private: Vec::new(),
            fault,
        }
    }

    /// Opens `path` read-only, or returns the mapping already made for the
    /// same file; the flag says whether it was already mapped. `want` is how
    /// many bytes the view needs, when the shape says: devices and FIFOs
    /// are read that far and no further.
    pub fn open(
        &mut self,
        path: &Path,
        want: Option<u64>,
        limits: &Limits,
        mode: Mode,
    ) -> Result<(Arc<Source>, bool), OpenFailure> {
        let meta = std::fs::metadata(path).map_err(classify)?;
        let ft = meta.file_type();
        if ft.is_dir() {
            return Err(OpenFailure::IsDirectory);
        }
        if mode != Mode::Read {
            return self.open_writable(path, mode);
        }
        if !ft.is_file() {
            let what = if ft.is_fifo() {
                "FIFO"
            } else if ft.is_char_device() {
                "character device"
            } else if ft.is_block_device() {
                "block device"
            } else {
                return Err(OpenFailure::NotRegular("socket"));
            };
            if want.is_none() && !ft.is_fifo() {
                return Err(OpenFailure::NeedsShape(what));
            }
            let bytes = read_stream(path, ft.is_fifo(), want, limits)?;
            let source = Source {
                path: path.to_path_buf(),
                dev: meta.dev(),
                ino: meta.ino(),
                file: None,
                bytes: mapping::Bytes::Owned(bytes),
                made: None,
                dataset: None,
                mode: Mode::Read,
            };
            return Ok((Arc::new(source), false));
        }
        let key = (meta.dev(), meta.ino());
        if let Some(s) = cached(&self.cache, key) {
            return Ok((s, true));
        }
        if meta.len() == 0 {
            // Empty, or a /proc file that reports no size: read what there is.
            let mut file = File::open(path).map_err(classify)?;
            let v = read_bounded(&mut file, None, limits)?;
            let source = Arc::new(Source {
                path: path.to_path_buf(),
                dev: key.0,
                ino: key.1,
                file: Some(file),
                bytes: if v.is_empty() {
                    mapping::Bytes::Empty
                } else {
                    mapping::Bytes::Owned(v)
                },
                made: None,
                dataset: None,
                mode: Mode::Read,
            });
            let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            c.insert(key, Arc::downgrade(&source));
            return Ok((source, false));
        }
        Ok((map_regular(&self.cache, &self.fault, path, None)?, false))
    }

    /// `open ... mode=r+|c`: a regular file mapped writable, whatever its
    /// size. `r+` has one mapping per file (kept apart from the read-only
    /// ones, whose pages it shares, so its writes show in them too); every
    /// `mode=c` open has private pages of its own, as each NumPy memmap
    /// with `mode='c'` has.
    fn open_writable(
        &mut self,
        path: &Path,
        mode: Mode,
    ) -> Result<(Arc<Source>, bool), OpenFailure> {
        let meta = std::fs::metadata(path).map_err(classify)?;
        if !meta.file_type().is_file() {
            return Err(OpenFailure::NotRegular("device, FIFO or socket"));
        }
        let key = (meta.dev(), meta.ino());
        let shared = mode == Mode::Write;
        if shared {
            self.writable.retain(|_, w| w.strong_count() > 0);
            if let Some(s) = self.writable.get(&key).and_then(Weak::upgrade) {
                if !s.faulted() {
                    return Ok((s, true));
                }
            }
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(shared)
            .open(path)
            .map_err(|e| match e.kind() {
                io::ErrorKind::PermissionDenied if shared => OpenFailure::NotWritable,
                _ => classify(e),
            })?;
        let bytes = mapping::map_writable(&file, shared, &self.fault).map_err(OpenFailure::Io)?;
        let source = Arc::new(Source::of_file(path, key, file, bytes, mode));
        if shared {
            self.writable.insert(key, Arc::downgrade(&source));
        } else {
            self.private.retain(|w| w.strong_count() > 0);
            self.private.push(Arc::downgrade(&source));
        }
        Ok((source, false))
    }

    /// A dataset of `parts` named `name` (the pattern or folder the user
    /// gave): nothing is mapped until a read needs a part.
    pub fn dataset(&mut self, name: PathBuf, parts: Vec<Part>) -> Arc<Source> {
        let d = Dataset::new(parts, self.cache.clone(), self.fault.clone());
        let source = Arc::new(Source {
            path: name,
            dev: 0,
            ino: 0,
            file: None,
            bytes: mapping::Bytes::Empty,
            made: None,
            dataset: Some(Box::new(d)),
            mode: Mode::Read,
        });
        self.datasets.retain(|w| w.strong_count() > 0);
        self.datasets.push(Arc::downgrade(&source));
        source
    }

    /// The files that are mapped now, and the datasets in use, with how
    /// many views hold each.
    pub fn live(&self) -> Vec<(Arc<Source>, usize)> {
        let c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let mut v: Vec<_> = c
            .values()
            .chain(&self.datasets)
            .chain(self.writable.values())
            .chain(&self.private)
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

/// What reading a file into memory may take: at most `memory` bytes
/// (`set memory`), stopping when `cancelled` says so (Ctrl-C).
pub struct Limits<'a> {
    pub memory: u64,
    pub cancelled: &'a dyn Fn() -> bool,
}

/// Reads a FIFO or device: `want` bytes, or (a FIFO without a shape) to
/// its end. A FIFO is opened without blocking on a missing writer.
fn read_stream(
    path: &Path,
    fifo: bool,
    want: Option<u64>,
    limits: &Limits,
) -> Result<Vec<u8>, OpenFailure> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    if fifo {
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let mut file = opts.open(path).map_err(classify)?;
    if fifo {
        // Blocking reads from here on: wait for data, or the end when the writer closes.
        mapping::set_blocking(&file).map_err(OpenFailure::Io)?;
    }
    read_bounded(&mut file, want, limits)
}

/// Reads `want` bytes (or to the end, at most [`READ_LIMIT`]) within the
/// memory limit, in chunks, checking for Ctrl-C between them and waiting
/// for a FIFO's data in short polls so that Ctrl-C is seen while it waits.
fn read_bounded(
    file: &mut File,
    want: Option<u64>,
    limits: &Limits,
) -> Result<Vec<u8>, OpenFailure> {
    const CHUNK: usize = 1 << 20;
    let limit = want.unwrap_or(READ_LIMIT.min(limits.memory));
    if want.is_some_and(|w| w > limits.memory) {
        return Err(OpenFailure::OverMemory {
            want: limit,
            memory: limits.memory,
        });
    }
    let mut v: Vec<u8> = Vec::new();
    loop {
        if (limits.cancelled)() {
            return Err(OpenFailure::Interrupted);
        }
        if v.len() as u64 >= limit {
            break;
        }
        if !mapping::wait_readable(file, 100).map_err(OpenFailure::Io)? {
            continue;
        }
        let step = CHUNK.min((limit - v.len() as u64) as usize);
        v.try_reserve(step).map_err(|_| OpenFailure::OverMemory {
            want: v.len() as u64 + step as u64,
            memory: limits.memory,
        })?;
        let start = v.len();
        v.resize(start + step, 0);
        match file.read(&mut v[start..]) {
            Ok(0) => {
                v.truncate(start);
                break;
            }
            Ok(n) => v.truncate(start + n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => v.truncate(start),
            Err(e) => return Err(OpenFailure::Io(e)),
        }
    }
    if want.is_none() && v.len() as u64 >= limit {
        // Past what may be read: refuse rather than show a part.
        let mut probe = [0u8; 1];
        if file.read(&mut probe).map_err(OpenFailure::Io)? > 0 {
            return Err(if limit < READ_LIMIT {
                OpenFailure::OverMemory {
                    want: limit + 1,
                    memory: limits.memory,
                }
            } else {
                OpenFailure::TooLong
            });
        }
    }
    Ok(v)
}
