//! The one place in strided that uses `unsafe`: mapping a file, and the
//! SIGBUS guard that keeps a file shrinking under its mapping from killing
//! the process.
//!
//! Policy: every file is opened read-only and mapped read-only and shared
//! (`PROT_READ`, `MAP_SHARED`), once per file. An empty file is not mapped
//! (a zero-length mapping is an error on Linux); it reads as no bytes.
//!
//! The guard: reading a mapped page past the end of a file that another
//! process truncated raises SIGBUS (NumPy dies there, numpy#21964). Every
//! mapping is registered in a lock-free table; a SIGBUS handler checks
//! whether the faulting address lies in a registered mapping, and if so
//! maps a page of zeros over the faulting page, records the fault and
//! returns, so the read completes (with zeros) and the statement is later
//! failed and its result discarded. Faults anywhere else go to the handler
//! that was installed before (Rust's own, or the default: the process dies
//! as it would have). `STRIDED_NO_SIGBUS_GUARD=1` leaves the guard out, so
//! tests can show that it is what saves the process.

use memmap2::{Mmap, MmapOptions};
use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Once};

/// The bytes of a file.
#[derive(Debug)]
pub enum Bytes {
    Mapped(Mmap, Slot),
    /// Read into memory: small files, and files that cannot be mapped
    /// (FIFOs, devices, `/proc` files that report no size).
    Owned(Vec<u8>),
    Empty,
}

impl Bytes {
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m, _) => m,
            Bytes::Owned(v) => v,
            Bytes::Empty => &[],
        }
    }
}

impl Bytes {
    /// For each page of the mapping that bytes `start..end` touch, whether
    /// it is in memory now (`mincore`): what `explain` reports as pages
    /// already cached. `None` when the bytes are not mapped.
    pub fn resident(&self, start: usize, end: usize) -> Option<(usize, Vec<bool>)> {
        let Bytes::Mapped(map, _) = self else {
            return None;
        };
        let page = page_size();
        let end = end.min(map.len());
        if start >= end {
            return Some((page, Vec::new()));
        }
        let first = start / page * page;
        let pages = (end - first).div_ceil(page);
        let mut vec = vec![0u8; pages];
        // SAFETY: `first` is page-aligned (the mapping starts on a page and
        // `first` is a multiple of the page size from it) and the range
        // `first..first + pages * page` lies within the mapping's pages
        // (its last page may extend past the file's end, which mincore
        // accepts); `vec` holds one byte per page, as mincore writes. The
        // call only reads the page tables.
        let ok = unsafe {
            libc::mincore(
                map.as_ptr().add(first) as *mut libc::c_void,
                end - first,
                vec.as_mut_ptr(),
            ) == 0
        };
        ok.then(|| (page, vec.iter().map(|b| b & 1 == 1).collect()))
    }
}

/// The size of a memory page.
pub fn page_size() -> usize {
    // SAFETY: sysconf only reads a system constant.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).ok().filter(|&n| n > 0).unwrap_or(4096)
}

/// Room for every mapping a process can hold: Linux allows 65,530 map
/// areas by default (`vm.max_map_count`), so a full table is reached only
/// past that, and then [`map_read_only`] refuses instead of mapping
/// unguarded. The tables are 2 MiB of zeroed static memory, touched only as
/// far as [`HIGH`].
const SLOTS: usize = 1 << 16;
/// Start and length of every live mapping (0, 0 when free).
static STARTS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static LENS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
/// Per slot, the flags the handler sets when it patches a fault there: the
/// mapping's own (it holds zero pages from then on) and its session's
/// (the statement fails). Pointers into `Arc`s the [`Slot`] keeps alive.
static OWN_FLAGS: [AtomicPtr<AtomicBool>; SLOTS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; SLOTS];
static SESSION_FLAGS: [AtomicPtr<AtomicBool>; SLOTS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; SLOTS];
/// One past the highest slot ever used: the handler scans no further.
static HIGH: AtomicUsize = AtomicUsize::new(0);
static INSTALL: Once = Once::new();
static mut PREVIOUS: Option<libc::sigaction> = None;

/// A mapping's entry in the guard's table, with its fault flags; freed when
/// the mapping drops.
#[derive(Debug)]
pub struct Slot {
    index: Option<usize>,
    /// Set once a read of this mapping faulted: it holds zero pages where
    /// the file was cut, so it is never used again.
    faulted: Arc<AtomicBool>,
    /// The session's flag, kept alive while the table points at it.
    _session: Arc<AtomicBool>,
}

impl Slot {
    pub fn faulted(&self) -> bool {
        self.faulted.load(Ordering::SeqCst)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(k) = self.index {
            LENS[k].store(0, Ordering::SeqCst);
            OWN_FLAGS[k].store(std::ptr::null_mut(), Ordering::SeqCst);
            SESSION_FLAGS[k].store(std::ptr::null_mut(), Ordering::SeqCst);
            STARTS[k].store(0, Ordering::SeqCst);
        }
    }
}

/// Registers a mapping; `None` when the table is full.
fn register(start: usize, len: usize, session: &Arc<AtomicBool>) -> Option<Slot> {
    let faulted = Arc::new(AtomicBool::new(false));
    for k in 0..SLOTS {
        // A slot is claimed by writing its start; its length is written
        // last, so the handler never matches a half-written entry.
        if STARTS[k]
            .compare_exchange(0, start, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            OWN_FLAGS[k].store(Arc::as_ptr(&faulted).cast_mut(), Ordering::SeqCst);
            SESSION_FLAGS[k].store(Arc::as_ptr(session).cast_mut(), Ordering::SeqCst);
            HIGH.fetch_max(k + 1, Ordering::SeqCst);
            LENS[k].store(len, Ordering::SeqCst);
            return Some(Slot {
                index: Some(k),
                faulted,
                _session: session.clone(),
            });
        }
    }
    None
}

/// Sets the flag a table entry points at, if any.
fn raise(flag: &AtomicPtr<AtomicBool>) {
    let p = flag.load(Ordering::SeqCst);
    // SAFETY: a non-null pointer in the table points into an `Arc` that the
    // registered `Slot` holds; the slot is dropped (and the pointer
    // cleared) only when its mapping is unmapped, which cannot happen while
    // a read of that mapping is faulting on this thread.
    if let Some(f) = unsafe { p.as_ref() } {
        f.store(true, Ordering::SeqCst);
    }
}

extern "C" fn on_sigbus(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo_t for a SA_SIGINFO handler;
    // si_addr is the faulting address for SIGBUS.
    let addr = unsafe { (*info).si_addr() } as usize;
    for k in 0..HIGH.load(Ordering::SeqCst) {
        let start = STARTS[k].load(Ordering::SeqCst);
        let len = LENS[k].load(Ordering::SeqCst);
        if start != 0 && addr >= start && addr < start + len {
            // SAFETY: sysconf is async-signal-safe; the page we replace lies
            // inside a mapping strided owns (registered above), which only
            // strided's own reads use. MAP_FIXED swaps that one page for a
            // private page of zeros, so the faulting read can complete; the
            // rest of the mapping is untouched and unmapped as a whole later.
            let ok = unsafe {
                let page = libc::sysconf(libc::_SC_PAGESIZE) as usize;
                let at = addr & !(page - 1);
                libc::mmap(
                    at as *mut libc::c_void,
                    page,
                    libc::PROT_READ,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                    -1,
                    0,
                ) != libc::MAP_FAILED
            };
            if ok {
                raise(&OWN_FLAGS[k]);
                raise(&SESSION_FLAGS[k]);
                return;
            }
        }
    }
    // Not ours: hand the signal to whoever had it before.
    // SAFETY: PREVIOUS was written once, before this handler was installed,
    // and is only read afterwards. Calling the previous SA_SIGINFO handler
    // with the same arguments is what the kernel would have done; for the
    // default action we restore it and re-raise, so the process dies with
    // SIGBUS exactly as without the guard.
    unsafe {
        let previous = (*std::ptr::addr_of!(PREVIOUS)).as_ref();
        match previous {
            Some(old) if old.sa_flags & libc::SA_SIGINFO != 0 && old.sa_sigaction > 1 => {
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    std::mem::transmute(old.sa_sigaction);
                f(sig, info, ctx);
            }
            Some(old) if old.sa_sigaction == libc::SIG_IGN => {}
            Some(old) if old.sa_sigaction > 1 => {
                let f: extern "C" fn(libc::c_int) = std::mem::transmute(old.sa_sigaction);
                f(sig);
            }
            _ => {
                libc::signal(sig, libc::SIG_DFL);
                libc::raise(sig);
            }
        }
    }
}

fn install_guard() {
    INSTALL.call_once(|| {
        if std::env::var("STRIDED_NO_SIGBUS_GUARD").is_ok_and(|v| v == "1") {
            return;
        }
        // SAFETY: a zeroed sigaction is a valid value to fill in; we save the
        // previous action before installing ours (so the handler can chain
        // to it) and install with SA_SIGINFO so the handler gets si_addr.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = on_sigbus as *const () as usize;
            new.sa_flags = libc::SA_SIGINFO | libc::SA_NODEFER;
            libc::sigemptyset(&mut new.sa_mask);
            if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut old) == 0 {
                *std::ptr::addr_of_mut!(PREVIOUS) = Some(old);
                libc::sigaction(libc::SIGBUS, &new, std::ptr::null_mut());
            }
        }
    });
}

/// Clears `O_NONBLOCK` on an open file (a FIFO opened without blocking).
pub fn set_blocking(file: &File) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor we own (borrowed from `file`, which
    // outlives the call) only reads and sets its status flags.
    let ok = unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        flags >= 0 && libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) == 0
    };
    if ok {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Waits up to `ms` milliseconds for `file` to have data (or its end);
/// true when a read will not block. Regular files are always ready.
pub fn wait_readable(file: &File, ms: i32) -> io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    let mut fd = libc::pollfd {
        fd: file.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for a descriptor `file` owns for the whole
    // call; poll only reads it and writes its `revents`.
    let n = unsafe { libc::poll(&mut fd, 1, ms) };
    match n {
        -1 => {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                Ok(false)
            } else {
                Err(e)
            }
        }
        0 => Ok(false),
        _ => Ok(true),
    }
}

/// Maps all of `file` read-only, guarded against truncation; a fault in it
/// raises `session` as well as the mapping's own flag.
pub fn map_read_only(file: &File, session: &Arc<AtomicBool>) -> io::Result<Bytes> {
    if file.metadata()?.len() == 0 {
        return Ok(Bytes::Empty);
    }
    install_guard();
    // SAFETY: the mapping is read-only, so strided itself never writes
    // through it, and `Mmap` keeps it alive for as long as the `&[u8]` it
    // hands out. What no flag can promise is that *other* processes leave
    // the file alone: if one writes to it, the bytes we read change under
    // us (a view shows whatever is there when it is read, which is what
    // users of raw data files expect); if one truncates it, reading past the
    // new end raises SIGBUS, which the guard above turns into zeros and a
    // failed statement. MAP_PRIVATE would not help: it faults the same way.
    let map = unsafe { MmapOptions::new().map(file)? };
    let slot = register(map.as_ptr() as usize, map.len(), session).ok_or_else(|| {
        io::Error::other(format!(
            "more than {SLOTS} files are mapped: close some (a mapping past that could not be guarded)"
        ))
    })?;
    Ok(Bytes::Mapped(map, slot))
}
