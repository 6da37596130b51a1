//! The one place in strided that uses `unsafe`: mapping a file, the
//! SIGBUS guard that keeps a file shrinking under its mapping from killing
//! the process, and malloc's policy for the engine's block buffers
//! ([`keep_freed_memory`]) and for its largest blocks ([`Allocator`],
//! which frees them on a thread of its own).
//!
//! Policy: every file is opened read-only and mapped read-only and shared
//! (`PROT_READ`, `MAP_SHARED`), once per file, unless the user asked for a
//! writable mapping with `open ... mode=r+` (shared: writes reach the file)
//! or `mode=c` (private copy-on-write pages: the file never changes), as
//! NumPy's memmap modes. An empty file is not mapped (a zero-length mapping
//! is an error on Linux); it reads as no bytes. Copies strided makes are
//! [`Heap`] buffers, writable as NumPy's copies are.
//!
//! Writes: bytes are written only by [`Bytes::write`], which eval's item
//! assignment calls between statements' reads: the value to write is
//! computed into memory of its own first, and no `&[u8]` handed out by
//! [`Bytes::as_slice`] lives across that call (readers borrow the bytes
//! only while they evaluate, on threads that have joined before a write).
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

use memmap2::{Mmap, MmapOptions, MmapRaw};
use std::alloc::{GlobalAlloc, Layout, System};
use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, Once};

/// The bytes of a file.
#[derive(Debug)]
pub enum Bytes {
    Mapped(Mmap, Slot),
    /// A writable mapping: shared (`mode=r+`, `true`) or private
    /// copy-on-write (`mode=c`, `false`).
    Writable(MmapRaw, Slot, bool),
    /// Read into memory: small files, and files that cannot be mapped
    /// (FIFOs, devices, `/proc` files that report no size).
    Owned(Vec<u8>),
    /// Bytes strided made (a copy), writable.
    Heap(Heap),
    Empty,
}

/// A buffer strided made, read through shared slices and written through
/// [`Bytes::write`] (a `Box<[u8]>` held as a raw pointer, so that a write
/// does not need `&mut` to a buffer that views share).
pub struct Heap {
    ptr: std::ptr::NonNull<u8>,
    len: usize,
}

impl Heap {
    pub fn new(v: Vec<u8>) -> Heap {
        let b = v.into_boxed_slice();
        let len = b.len();
        let ptr =
            std::ptr::NonNull::new(Box::into_raw(b).cast::<u8>()).expect("a box is never null");
        Heap { ptr, len }
    }
}

impl Drop for Heap {
    fn drop(&mut self) {
        // SAFETY: `ptr` and `len` came from `Box::into_raw` of a `Box<[u8]>`
        // of `len` bytes in `Heap::new`, and this is the only place that
        // turns them back into the box, once.
        unsafe {
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
                self.ptr.as_ptr(),
                self.len,
            )))
        }
    }
}

impl std::fmt::Debug for Heap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Heap({} bytes)", self.len)
    }
}

// SAFETY: a `Heap` owns its buffer as a `Box<[u8]>` would (which is Send
// and Sync); shared slices of it are read from any thread, and it is
// written only by `Bytes::write`, under the rule in this module's head (no
// reader is running and no slice of it is alive).
unsafe impl Send for Heap {}
// SAFETY: as for Send.
unsafe impl Sync for Heap {}

impl Bytes {
    pub fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m, _) => m,
            // SAFETY: the mapping is `len()` bytes from `as_ptr()` and lives
            // as long as `self`; it is written only by `Bytes::write`, never
            // while a slice handed out here is alive (the rule in this
            // module's head).
            Bytes::Writable(m, ..) => unsafe { std::slice::from_raw_parts(m.as_ptr(), m.len()) },
            Bytes::Owned(v) => v,
            // SAFETY: as for a writable mapping: `len` bytes from `ptr`,
            // owned by the `Heap`, written only by `Bytes::write`.
            Bytes::Heap(h) => unsafe { std::slice::from_raw_parts(h.ptr.as_ptr(), h.len) },
            Bytes::Empty => &[],
        }
    }

    /// Whether [`Bytes::write`] can change these bytes.
    pub fn writable(&self) -> bool {
        matches!(self, Bytes::Writable(..) | Bytes::Heap(_))
    }

    /// Writes `data` at byte `at`; false (and nothing written) when the
    /// bytes are read-only, the range does not lie inside them, or `data`
    /// overlaps them (it must be memory of its own, computed first).
    ///
    /// The caller keeps the rule in this module's head: no slice from
    /// [`Bytes::as_slice`] of these bytes is alive during the call.
    pub fn write(&self, at: usize, data: &[u8]) -> bool {
        let (ptr, len) = match self {
            Bytes::Writable(m, ..) => (m.as_mut_ptr(), m.len()),
            Bytes::Heap(h) => (h.ptr.as_ptr(), h.len),
            _ => return false,
        };
        let Some(end) = at.checked_add(data.len()) else {
            return false;
        };
        let (start, stop) = (ptr as usize, ptr as usize + len);
        let (d0, d1) = (data.as_ptr() as usize, data.as_ptr() as usize + data.len());
        if end > len || (d0 < stop && start < d1) {
            return false;
        }
        // SAFETY: `at..end` lies inside the `len` writable bytes from `ptr`
        // (checked above), `data` does not overlap them (checked above), and
        // by this function's contract no shared slice of them is alive.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), ptr.add(at), data.len()) };
        true
    }

    /// Readies the pages of bytes `at..at + len` of a writable mapping for
    /// a write that will cover them (`MADV_POPULATE_WRITE`): in a `mode=c`
    /// mapping each page is copied then, in one call for the range, instead
    /// of in one fault per 4 KiB page when it is first written, and calls
    /// for different ranges run on different threads. Advice only: nothing
    /// is written, and when the kernel refuses (before Linux 5.14, or past
    /// the end of a file cut short) the write faults its pages in as
    /// before.
    pub fn prepare_write(&self, at: usize, len: usize) {
        #[cfg(target_os = "linux")]
        if let Bytes::Writable(m, ..) = self {
            if len > 0 && at.checked_add(len).is_some_and(|end| end <= m.len()) {
                let _ = m.advise_range(memmap2::Advice::PopulateWrite, at, len);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (at, len);
    }

    /// Writes a shared writable mapping's changed pages to the file
    /// (`msync`); nothing to do for other bytes.
    pub fn flush(&self) -> io::Result<()> {
        match self {
            Bytes::Writable(m, _, true) => m.flush(),
            _ => Ok(()),
        }
    }
}

impl Bytes {
    /// For each page of the mapping that bytes `start..end` touch, whether
    /// it is in memory now (`mincore`): what `explain` reports as pages
    /// already cached. `None` when the bytes are not mapped.
    pub fn resident(&self, start: usize, end: usize) -> Option<(usize, Vec<bool>)> {
        let (ptr, map_len) = match self {
            Bytes::Mapped(map, _) => (map.as_ptr(), map.len()),
            Bytes::Writable(map, ..) => (map.as_ptr(), map.len()),
            _ => return None,
        };
        let page = page_size();
        let end = end.min(map_len);
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
                ptr.add(first) as *mut libc::c_void,
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
/// Per slot, whether the mapping is writable: its patched page must take
/// the faulting write too.
static WRITABLE: [AtomicBool; SLOTS] = [const { AtomicBool::new(false) }; SLOTS];
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
            WRITABLE[k].store(false, Ordering::SeqCst);
            STARTS[k].store(0, Ordering::SeqCst);
        }
    }
}

/// Registers a mapping; `None` when the table is full.
fn register(start: usize, len: usize, writable: bool, session: &Arc<AtomicBool>) -> Option<Slot> {
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
            WRITABLE[k].store(writable, Ordering::SeqCst);
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
            // private page of zeros, so the faulting read (or, in a writable
            // mapping, write) can complete; the rest of the mapping is
            // untouched and unmapped as a whole later.
            let prot = if WRITABLE[k].load(Ordering::SeqCst) {
                libc::PROT_READ | libc::PROT_WRITE
            } else {
                libc::PROT_READ
            };
            let ok = unsafe {
                let page = libc::sysconf(libc::_SC_PAGESIZE) as usize;
                let at = addr & !(page - 1);
                libc::mmap(
                    at as *mut libc::c_void,
                    page,
                    prot,
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

static KEEP: Once = Once::new();

/// Asks glibc's malloc to keep up to 64 MiB of freed memory at the top of
/// each heap instead of handing it back to the kernel at 128 KiB (its
/// default trim threshold), and to serve requests under 32 MiB from its
/// heaps. The engine frees and takes again a few hundred KiB of block
/// buffers every 4096 elements; with the default, every one of those
/// pages was faulted in and cleared again: 539,147
/// page faults and 2.5 s of kernel time for `sum(d * 1)` over a 2 GiB
/// complex64 file, against 14,851 and 0.1 s with this (the same as
/// `GLIBC_TUNABLES=glibc.malloc.trim_threshold=67108864`). Only what was
/// freed is kept, and no address space is reserved (an allocator such as
/// mimalloc reserves 1 GiB up front, which fails under the `ulimit -v`
/// of cluster queues). Other C libraries are left as they are.
pub fn keep_freed_memory() {
    KEEP.call_once(|| {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: mallopt only sets a malloc parameter (under malloc's own
        // lock); both take any non-negative byte count.
        unsafe {
            libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
            // Setting one threshold stops glibc from raising the other by
            // itself: without this, every buffer of 128 KiB or more (an FFT
            // row) would be a fresh mmap, faulted in and unmapped again.
            // 32 MiB is the most glibc would raise it to on its own.
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        }
    });
}

/// Blocks this large or larger are freed by [`Allocator`]'s thread: glibc
/// maps them on their own (the `M_MMAP_THRESHOLD` of [`keep_freed_memory`]),
/// so freeing one is a `munmap` that takes the kernel about 0.1 s a GiB.
const FREE_LATER: usize = 32 << 20;

/// Blocks waiting for the freeing thread; more are freed at once.
const PENDING: usize = 64;

struct Pending {
    blocks: [Option<(usize, Layout)>; PENDING],
    len: usize,
}

static PENDING_BLOCKS: Mutex<Pending> = Mutex::new(Pending {
    blocks: [None; PENDING],
    len: 0,
});
static FREED: Condvar = Condvar::new();
static FREEING: AtomicBool = AtomicBool::new(false);

/// The binary's global allocator: the system's (glibc's malloc), except
/// that a block of [`FREE_LATER`] or more is handed to a thread of its own
/// to free, once [`free_large_blocks_apart`] has started it. Unmapping the
/// gigabytes of a stopped sort or transform took the statement's thread
/// 0.2-0.5 s after Ctrl-C (`unique(d.r)` over 2^28 values: the prompt came
/// back 0.5 s after the signal); the statement now ends while the kernel
/// frees them on another core. Until the thread runs, and when 64 blocks
/// wait already, blocks are freed at once, as before.
pub struct Allocator;

// SAFETY: every method passes its arguments on to `System`'s, which
// holds the same contract; a deferred block is freed by `System.dealloc`
// exactly once, with the pointer and layout `dealloc` was given, on the
// freeing thread instead of the caller's (malloc is thread-safe), and
// nothing reads or writes it in between: the caller gave it up.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `System` (every block does), with
        // `layout`: the caller's contract for `realloc`, passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() >= FREE_LATER && FREEING.load(Ordering::Acquire) {
            // A poisoned lock (a panic while holding it cannot happen:
            // nothing in it panics) or a full queue: free here.
            if let Ok(mut p) = PENDING_BLOCKS.try_lock() {
                if p.len < PENDING {
                    let at = p.len;
                    p.blocks[at] = Some((ptr as usize, layout));
                    p.len += 1;
                    FREED.notify_one();
                    return;
                }
            }
        }
        // SAFETY: `ptr` came from `System` with `layout`, and the caller
        // gives it up.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Starts [`Allocator`]'s freeing thread (once; the binary calls it
/// first thing). Blocks freed before it runs are freed at once.
pub fn free_large_blocks_apart() {
    static START: Once = Once::new();
    START.call_once(|| {
        let started = std::thread::Builder::new()
            .name("free".into())
            .spawn(|| loop {
                let mut taken = [None; PENDING];
                {
                    let Ok(mut p) = PENDING_BLOCKS.lock() else {
                        return;
                    };
                    while p.len == 0 {
                        p = match FREED.wait(p) {
                            Ok(p) => p,
                            Err(_) => return,
                        };
                    }
                    let n = p.len;
                    taken[..n].copy_from_slice(&p.blocks[..n]);
                    p.blocks = [None; PENDING];
                    p.len = 0;
                }
                for (ptr, layout) in taken.into_iter().flatten() {
                    // SAFETY: each block was queued once by `dealloc`,
                    // which had it from `System` with this layout and
                    // did not free it; it is taken off the queue here.
                    unsafe { System.dealloc(ptr as *mut u8, layout) }
                }
            });
        if started.is_ok() {
            FREEING.store(true, Ordering::Release);
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
    let slot = register(map.as_ptr() as usize, map.len(), false, session).ok_or_else(full)?;
    Ok(Bytes::Mapped(map, slot))
}

fn full() -> io::Error {
    io::Error::other(format!(
        "more than {SLOTS} files are mapped: close some (a mapping past that could not be guarded)"
    ))
}

/// Maps all of `file` writable, guarded against truncation as
/// [`map_read_only`]: `shared` (`mode=r+`, the file opened for writing)
/// writes reach the file; otherwise (`mode=c`) pages are copied on their
/// first write and the file never changes.
pub fn map_writable(file: &File, shared: bool, session: &Arc<AtomicBool>) -> io::Result<Bytes> {
    if file.metadata()?.len() == 0 {
        return Ok(Bytes::Empty);
    }
    install_guard();
    // SAFETY: the mapping is held as an `MmapRaw` and read and written only
    // through `Bytes::as_slice` and `Bytes::write`, under the rule in this
    // module's head. Other processes may still change or truncate the file,
    // as for read-only mappings (the guard covers truncation; the patched
    // page of a writable mapping is writable too).
    let map: MmapRaw = unsafe {
        if shared {
            MmapOptions::new().map_raw(file)?
        } else {
            MmapOptions::new().map_copy(file)?.into()
        }
    };
    let slot = register(map.as_ptr() as usize, map.len(), true, session).ok_or_else(full)?;
    Ok(Bytes::Writable(map, slot, shared))
}
