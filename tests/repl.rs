//! The interactive shell, driven through a real terminal (tmux): Tab
//! completes fields and attributes, an error prints and the session goes
//! on, Ctrl-C clears the line, Ctrl-D leaves, history is saved. Skipped,
//! saying why, where tmux is not installed.

mod common;

use std::time::{Duration, Instant};

#[test]
fn the_shell_completes_recovers_from_errors_and_keeps_history() {
    let dir = common::temp();
    std::fs::write(dir.path().join("demo.bin"), strided::demo::demo_bytes()).unwrap();
    let state = dir.path().join("state");
    let Some(t) = common::Tmux::start(dir.path(), &state, "repl") else {
        common::skip("tmux is not installed, so no terminal to drive the shell in");
        return;
    };
    t.wait_for("strided>");
    t.send(&["open demo.bin 100x100", "Enter"]);
    t.wait_for("80000 of 80000 bytes viewed");
    // `d.re` + Tab completes to `d.real`.
    t.send(&["d.re", "Tab"]);
    t.wait_for("strided> d.real");
    t.send(&["[0, :2]", "Enter"]);
    t.wait_for("d.real[0, :2]: shape (2,)");
    t.send(&["d[100]", "Enter"]);
    t.wait_for("index 100 is out of bounds for axis 0 with size 100");
    // Ctrl-C drops the half-typed line; the session is intact.
    t.send(&["garbage here", "C-c"]);
    t.send(&["d.shape", "Enter"]);
    let screen = t.wait_for("(100, 100)");
    assert!(
        !screen.contains("name `garbage` is not defined"),
        "{screen}"
    );
    t.send(&["C-d"]);
    let history = state.join("strided").join("history");
    let start = Instant::now();
    // Wait for the shell to finish writing its history (it may appear
    // before it is complete).
    let mut h = String::new();
    while start.elapsed() < Duration::from_secs(20) {
        h = std::fs::read_to_string(&history).unwrap_or_default();
        if h.contains("d.shape") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(h.contains("d.real[0, :2]") && h.contains("d.shape"), "{h}");
}
