//! Signals, for every front end: one thread receives SIGINT, SIGTERM,
//! SIGHUP and SIGXFSZ (`signal-hook`) and acts on them in ordinary code.
//!
//! - SIGINT (Ctrl-C in a script, or in the shell while a statement runs)
//!   cancels the running statement; with none running, or a second time,
//!   strided ends with status 130.
//! - SIGTERM and SIGHUP end strided at once, as their default actions do,
//!   and so does the second SIGINT, but first every temporary file being
//!   written is removed ([`crate::io::write::remove_temporaries`]), so no
//!   `save` leaves one behind.
//! - SIGXFSZ (`ulimit -f` reached) is caught so that it does not kill the
//!   process: the write then fails with "File too large" and is reported.

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGXFSZ};
use signal_hook::iterator::Signals;

/// Starts the signal thread. `cancel` asks the running statement to stop
/// and says whether there was one to stop (false: nothing runs, or it was
/// asked already).
pub fn install(cancel: impl Fn() -> bool + Send + 'static) {
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM, SIGHUP, SIGXFSZ]) else {
        return;
    };
    std::thread::spawn(move || {
        for sig in signals.forever() {
            match sig {
                SIGXFSZ => {}
                SIGINT if cancel() => {}
                SIGINT => {
                    let _held = crate::io::write::remove_temporaries();
                    std::process::exit(130);
                }
                _ => {
                    let _held = crate::io::write::remove_temporaries();
                    let _ = signal_hook::low_level::emulate_default_handler(sig);
                    std::process::exit(128 + sig);
                }
            }
        }
    });
}
