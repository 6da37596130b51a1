//! Ctrl-C during a long computation: in a script it stops the statement and
//! exits with 130; in the shell it stops the statement and the session goes
//! on. The data is a sparse 4 GiB file, so nothing large is written.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

fn sparse(dir: &std::path::Path) {
    let f = std::fs::File::create(dir.join("big.bin")).unwrap();
    f.set_len(4 << 30).unwrap();
}

const SLOW: &str = "stats sqrt(abs(d - d.r * 2)) + exp(d.i) * 3";

#[test]
fn sigint_stops_a_script_with_status_130() {
    let dir = common::temp();
    sparse(dir.path());
    let child = common::spawn_in(
        dir.path(),
        &["-c", &format!("open big.bin c8\n{SLOW}\nd.shape")],
    );
    // Give it time to start computing (a limit, not a timing claim).
    std::thread::sleep(Duration::from_millis(500));
    common::signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    let err = common::text(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("error: interrupted"), "{err}");
    assert!(
        !common::text(&out.stdout)
            .lines()
            .any(|l| l == "(536870912,)"),
        "the script went on after Ctrl-C"
    );
}

#[test]
fn ctrl_c_in_the_shell_stops_the_statement_and_keeps_the_session() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed, so no terminal to drive the shell in");
        return;
    }
    let dir = common::temp();
    sparse(dir.path());
    let session = format!("strided-cancel-{}", std::process::id());
    let cmd = format!(
        "XDG_STATE_HOME={} {}",
        dir.path().display(),
        common::bin().display()
    );
    let ok = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "150",
            "-y",
            "40",
            "-c",
        ])
        .arg(dir.path())
        .arg(&cmd)
        .status()
        .unwrap();
    assert!(ok.success());
    let screen = || {
        common::text(
            &Command::new("tmux")
                .args(["capture-pane", "-p", "-t", &session])
                .output()
                .unwrap()
                .stdout,
        )
    };
    let send = |keys: &[&str]| {
        Command::new("tmux")
            .args(["send-keys", "-t", &session])
            .args(keys)
            .status()
            .unwrap();
    };
    let wait_for = |what: &str| {
        let start = Instant::now();
        loop {
            let s = screen();
            if s.contains(what) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = Command::new("tmux")
                    .args(["kill-session", "-t", &session])
                    .status();
                panic!("never saw {what:?}:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for("strided>");
    send(&["open big.bin c8", "Enter"]);
    wait_for("bytes viewed");
    send(&[SLOW, "Enter"]);
    // The progress bar appears after half a second of work.
    wait_for("Ctrl-C stops");
    send(&["C-c"]);
    wait_for("error: interrupted");
    send(&["d.shape", "Enter"]);
    wait_for("(536870912,)");
    send(&["C-d"]);
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .status();
}

#[test]
fn an_interrupted_save_leaves_no_file_behind() {
    let dir = common::temp();
    sparse(dir.path());
    let child = common::spawn_in(
        dir.path(),
        &["-c", "open big.bin c8\nsave sqrt(abs(d)) out.npy"],
    );
    std::thread::sleep(Duration::from_millis(500));
    common::signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        common::text(&out.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(left, ["big.bin"], "no out.npy and no temporary file");
}

#[test]
fn sigterm_ends_a_long_statement_promptly() {
    use std::os::unix::process::ExitStatusExt;
    let dir = common::temp();
    sparse(dir.path());
    let mut child = common::spawn_in(dir.path(), &["-c", &format!("open big.bin c8\n{SLOW}")]);
    std::thread::sleep(Duration::from_millis(300));
    common::signal(&child, "TERM");
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(15), "{status:?}");
}
