//! Cancellation and progress of long computations, as shared atomics: the
//! kernels poll [`cancelled`] between blocks and [`advance`] a counter; the
//! front ends ask for cancellation (Ctrl-C) and draw progress. Nothing here
//! touches a terminal.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

static CANCEL: AtomicBool = AtomicBool::new(false);
static RUNNING: AtomicBool = AtomicBool::new(false);
static JOB: AtomicU64 = AtomicU64::new(0);
static TOTAL: AtomicU64 = AtomicU64::new(0);
static DONE: AtomicU64 = AtomicU64::new(0);
static BAR_SHOWN: AtomicBool = AtomicBool::new(false);

/// The computation was cancelled (Ctrl-C).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// A running computation; dropping it marks the computation done.
pub struct Job(());

/// Starts a computation over `total` elements.
pub fn start(total: u64) -> Job {
    TOTAL.store(total, Ordering::Relaxed);
    DONE.store(0, Ordering::Relaxed);
    JOB.fetch_add(1, Ordering::Relaxed);
    RUNNING.store(true, Ordering::SeqCst);
    Job(())
}

impl Drop for Job {
    fn drop(&mut self) {
        RUNNING.store(false, Ordering::SeqCst);
        // If a front end is showing progress, let it clear the bar before
        // the result prints below it (it polls every 50 ms).
        let start = std::time::Instant::now();
        while BAR_SHOWN.load(Ordering::SeqCst)
            && start.elapsed() < std::time::Duration::from_millis(250)
        {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
}

/// A front end says whether it is showing a progress bar now.
pub fn set_bar_shown(shown: bool) {
    BAR_SHOWN.store(shown, Ordering::SeqCst);
}

/// Counts `n` more elements done.
pub fn advance(n: u64) {
    DONE.fetch_add(n, Ordering::Relaxed);
}

/// Whether the running computation should stop.
pub fn cancelled() -> bool {
    CANCEL.load(Ordering::Relaxed)
}

/// `Err(Interrupted)` once cancellation was asked for, or once a read of a
/// mapped file faulted (it shrank: the rest of the result would be zeros,
/// and the statement fails anyway, so it stops at once).
pub fn check() -> Result<(), Interrupted> {
    if cancelled() || crate::source::fault_pending() {
        Err(Interrupted)
    } else {
        Ok(())
    }
}

/// Clears a cancellation, before a new statement runs.
pub fn reset() {
    CANCEL.store(false, Ordering::SeqCst);
}

/// Asks the running computation to stop. Returns false when there is none
/// to stop, or when one was already asked (a second Ctrl-C): the caller
/// then exits.
pub fn request_cancel() -> bool {
    if RUNNING.load(Ordering::SeqCst) && !CANCEL.swap(true, Ordering::SeqCst) {
        return true;
    }
    false
}

/// The running computation: its number, elements done and total.
pub fn progress() -> Option<(u64, u64, u64)> {
    RUNNING.load(Ordering::SeqCst).then(|| {
        (
            JOB.load(Ordering::Relaxed),
            DONE.load(Ordering::Relaxed),
            TOTAL.load(Ordering::Relaxed),
        )
    })
}
