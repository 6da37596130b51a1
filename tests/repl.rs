//! The interactive shell, driven through a real terminal (tmux): Tab
//! completes fields and attributes, an error prints and the session goes
//! on, Ctrl-C clears the line, Ctrl-D leaves, history is saved. Skipped,
//! saying why, where tmux is not installed.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    session: String,
}

impl Tmux {
    fn send(&self, keys: &[&str]) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .unwrap();
        assert!(ok.success());
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .unwrap();
        common::text(&out.stdout)
    }

    /// Waits (up to 20 s: a limit, not a timing claim) until the screen shows `what`.
    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "never saw {what:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

#[test]
fn the_shell_completes_recovers_from_errors_and_keeps_history() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed, so no terminal to drive the shell in");
        return;
    }
    let dir = common::temp();
    std::fs::write(dir.path().join("demo.bin"), strided::demo::demo_bytes()).unwrap();
    let session = format!("strided-test-{}", std::process::id());
    let state = dir.path().join("state");
    let cmd = format!(
        "XDG_STATE_HOME={} {}",
        state.display(),
        common::bin().display()
    );
    let ok = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "120",
            "-y",
            "50",
            "-c",
        ])
        .arg(dir.path())
        .arg(&cmd)
        .status()
        .unwrap();
    assert!(ok.success());
    let t = Tmux { session };
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
    while !history.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no history file written"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let h = std::fs::read_to_string(&history).unwrap();
    assert!(h.contains("d.real[0, :2]") && h.contains("d.shape"), "{h}");
}
