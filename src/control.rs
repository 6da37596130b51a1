//! Cancellation and progress of long computations, owned by a session.
//!
//! A [`Control`] belongs to one `Session` (fend's `Interrupt` is the
//! model): its front end asks it to cancel (Ctrl-C) and reads its progress;
//! the kernels poll it between blocks. Two sessions in one process (a
//! library user, a threaded test, a fuzzer) each have their own, so one's
//! Ctrl-C or read fault never stops the other. The running statement's
//! control is found through [`current`]: `run_line` enters it on its
//! thread ([`enter`]) and every worker thread a kernel starts enters the
//! same one ([`spawn_scoped`]), so kernels need no extra argument.
//! Nothing here touches a terminal.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The computation was cancelled (Ctrl-C), or a read faulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// One session's cancellation flag, progress counters and read-fault flag.
#[derive(Debug, Default)]
pub struct Control {
    cancel: AtomicBool,
    /// A statement is running (see [`Control::statement`]).
    busy: AtomicBool,
    running: AtomicBool,
    job: AtomicU64,
    total: AtomicU64,
    done: AtomicU64,
    bar_shown: AtomicBool,
    /// Set by the SIGBUS guard when a read of one of this session's
    /// mappings faulted (shared with the mappings, see `source::Files`).
    fault: Arc<AtomicBool>,
}

/// A running computation; dropping it marks the computation done.
pub struct Job<'a>(&'a Control);

/// A running statement (see [`Control::statement`]).
pub struct Statement<'a>(&'a Control);

impl Drop for Statement<'_> {
    fn drop(&mut self) {
        self.0.busy.store(false, Ordering::SeqCst);
    }
}

impl Control {
    pub fn new() -> Arc<Control> {
        Arc::new(Control::default())
    }

    /// The flag the SIGBUS guard sets for this session's mappings.
    pub fn fault_flag(&self) -> Arc<AtomicBool> {
        self.fault.clone()
    }

    /// Starts a computation over `total` elements.
    pub fn start(&self, total: u64) -> Job<'_> {
        self.begin(total);
        Job(self)
    }

    fn begin(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
        self.job.fetch_add(1, Ordering::Relaxed);
        self.running.store(true, Ordering::SeqCst);
    }

    fn end(&self) {
        self.running.store(false, Ordering::SeqCst);
        // If a front end is showing progress, let it clear the bar before
        // the result prints below it (it polls every 50 ms).
        let start = std::time::Instant::now();
        while self.bar_shown.load(Ordering::SeqCst)
            && start.elapsed() < std::time::Duration::from_millis(250)
        {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    /// A front end says whether it is showing a progress bar now.
    pub fn set_bar_shown(&self, shown: bool) {
        self.bar_shown.store(shown, Ordering::SeqCst);
    }

    /// Counts `n` more elements done.
    pub fn advance(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// Whether the running computation should stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Whether a read of this session's mappings faulted since
    /// [`Control::take_fault`] last cleared it.
    pub fn fault_pending(&self) -> bool {
        self.fault.load(Ordering::SeqCst)
    }

    /// Whether a read faulted since the last call (and clears it).
    pub fn take_fault(&self) -> bool {
        self.fault.swap(false, Ordering::SeqCst)
    }

    /// `Err(Interrupted)` once cancellation was asked for, or once a read of
    /// a mapped file faulted (it shrank: the rest of the result would be
    /// zeros, and the statement fails anyway, so it stops at once).
    pub fn check(&self) -> Result<(), Interrupted> {
        if self.cancelled() || self.fault_pending() {
            Err(Interrupted)
        } else {
            Ok(())
        }
    }

    /// Clears a cancellation, before a new statement runs.
    pub fn reset(&self) {
        self.cancel.store(false, Ordering::SeqCst);
    }

    /// Marks a statement as running until the guard drops: Ctrl-C then
    /// stops the statement (an `open` of a slow FIFO, a save, `info`), and
    /// never ends the shell.
    pub fn statement(&self) -> Statement<'_> {
        self.busy.store(true, Ordering::SeqCst);
        Statement(self)
    }

    /// Asks the running statement to stop. Returns false when there is
    /// none to stop, or when one was already asked (a second Ctrl-C): the
    /// caller then exits.
    pub fn request_cancel(&self) -> bool {
        (self.busy.load(Ordering::SeqCst) || self.running.load(Ordering::SeqCst))
            && !self.cancel.swap(true, Ordering::SeqCst)
    }

    /// How many computations were started so far.
    pub fn jobs_started(&self) -> u64 {
        self.job.load(Ordering::Relaxed)
    }

    /// The running computation: its number, elements done and total.
    pub fn progress(&self) -> Option<(u64, u64, u64)> {
        self.running.load(Ordering::SeqCst).then(|| {
            (
                self.job.load(Ordering::Relaxed),
                self.done.load(Ordering::Relaxed),
                self.total.load(Ordering::Relaxed),
            )
        })
    }
}

impl Drop for Job<'_> {
    fn drop(&mut self) {
        self.0.end();
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Control>>> = const { RefCell::new(None) };
}

/// While alive, [`current`] on this thread is the control it entered.
pub struct Entered(Option<Arc<Control>>);

impl Drop for Entered {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Makes `control` the current one on this thread until the guard drops.
pub fn enter(control: Arc<Control>) -> Entered {
    Entered(CURRENT.with(|c| c.borrow_mut().replace(control)))
}

/// The control of the statement running on this thread (a fresh one that
/// nobody cancels when none was entered: a computation outside a session).
pub fn current() -> Arc<Control> {
    CURRENT.with(|c| c.borrow().clone()).unwrap_or_default()
}

fn with<T>(f: impl FnOnce(&Control) -> T) -> T {
    CURRENT.with(|c| match &*c.borrow() {
        Some(c) => f(c),
        None => f(&Control::default()),
    })
}

/// [`Control::check`] of the current control.
pub fn check() -> Result<(), Interrupted> {
    with(Control::check)
}

/// [`Control::advance`] of the current control.
pub fn advance(n: u64) {
    with(|c| c.advance(n))
}

/// Starts a job on the current control; it ends when the guard drops.
pub fn start(total: u64) -> CurrentJob {
    let c = current();
    c.begin(total);
    CurrentJob(c)
}

/// A job of the current control (see [`start`]).
pub struct CurrentJob(Arc<Control>);

impl Drop for CurrentJob {
    fn drop(&mut self) {
        self.0.end();
    }
}

/// Spawns a scoped worker thread that runs under the same control as the
/// thread that spawns it, so its kernels see the same Ctrl-C and faults.
pub fn spawn_scoped<'scope, 'env, T: Send + 'scope>(
    s: &'scope std::thread::Scope<'scope, 'env>,
    f: impl FnOnce() -> T + Send + 'scope,
) -> std::thread::ScopedJoinHandle<'scope, T> {
    let c = current();
    s.spawn(move || {
        let _entered = enter(c);
        f()
    })
}

/// Runs `work` for chunks `0..chunks` on up to [`threads`] threads, which
/// take the next chunk as they finish one (a slow part of a file holds up
/// no one), and returns the results in chunk order, so that merging them
/// in that order gives the same answer however the threads ran. Stops at
/// the first chunk that is interrupted.
pub fn in_chunks<T: Send>(
    chunks: usize,
    work: impl Fn(usize) -> Result<T, Interrupted> + Sync,
) -> Result<Vec<T>, Interrupted> {
    let next = AtomicUsize::new(0);
    let parts: Mutex<Vec<Option<T>>> = Mutex::new((0..chunks).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads().min(chunks) {
            spawn_scoped(s, || loop {
                let c = next.fetch_add(1, Ordering::Relaxed);
                if c >= chunks {
                    break;
                }
                let Ok(part) = work(c) else {
                    break;
                };
                parts.lock().expect("no thread panics holding the lock")[c] = Some(part);
            });
        }
    });
    check()?;
    parts
        .into_inner()
        .expect("threads joined")
        .into_iter()
        .map(|p| p.ok_or(Interrupted))
        .collect()
}

/// Runs `work` over `parts`, disjoint slices of one buffer or tuples of
/// them (with their index), on up to [`threads`] threads, each taking the next part as it
/// finishes one: [`in_chunks`] for work done in place. Stops at the first
/// part that is interrupted.
pub fn in_parts<P: Send>(
    parts: Vec<P>,
    work: impl Fn(usize, P) -> Result<(), Interrupted> + Sync,
) -> Result<(), Interrupted> {
    let n = parts.len();
    let queue = Mutex::new(parts.into_iter().enumerate());
    std::thread::scope(|s| {
        for _ in 0..threads().min(n) {
            spawn_scoped(s, || loop {
                let next = queue.lock().expect("no thread panics holding it").next();
                let Some((k, p)) = next else {
                    break;
                };
                if work(k, p).is_err() {
                    break;
                }
            });
        }
    });
    check()
}

/// How many threads reductions use: one per core (at most 16), or
/// `STRIDED_THREADS` (for tests that check that the answer does not
/// depend on it, and for benchmarks).
pub fn threads() -> usize {
    if let Some(n) = std::env::var("STRIDED_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n.min(64);
    }
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_control_is_cancelled_alone_and_workers_see_their_own() {
        let (a, b) = (Control::new(), Control::new());
        let _job = a.start(10);
        assert!(a.request_cancel());
        assert!(!b.cancelled());
        let _in = enter(b.clone());
        std::thread::scope(|s| {
            let h = spawn_scoped(s, check);
            assert_eq!(h.join().unwrap(), Ok(()), "b's worker is not cancelled");
        });
        let _in = enter(a.clone());
        std::thread::scope(|s| {
            let h = spawn_scoped(s, check);
            assert_eq!(h.join().unwrap(), Err(Interrupted), "a's worker is");
        });
    }
}
