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
    // `st` + Tab twice lists the candidates (a command and a function), as
    // bash does: the first Tab completes what they share.
    t.send(&["st", "Tab", "Tab"]);
    let screen = t.wait_for("stats");
    assert!(screen.contains("std"), "{screen}");
    t.send(&["C-u"]);
    // A function completes with its parenthesis, after a command too.
    t.send(&["stats ab", "Tab"]);
    t.wait_for("strided> stats abs(");
    t.send(&["C-u"]);
    // Settings and their values.
    t.send(&["set fo", "Tab"]);
    t.wait_for("strided> set format");
    t.send(&[" j", "Tab"]);
    t.wait_for("strided> set format json");
    t.send(&["C-u"]);
    // `d.rea` + Tab completes to `d.real`.
    t.send(&["d.rea", "Tab"]);
    t.wait_for("strided> d.real");
    t.send(&["[0, :2]", "Enter"]);
    t.wait_for("d.real[0, :2]: shape (2,)");
    t.send(&["d[100]", "Enter"]);
    t.wait_for("index 100 is out of bounds for axis 0 with size 100");
    // Ctrl-C drops the half-typed line; the session is intact.
    t.send(&["garbage here", "C-c"]);
    // The next line is typed at the new prompt: keys that arrive while
    // rustyline is between two lines (its terminal mode being set again)
    // can be dropped by the terminal, a race of the test, not of the shell.
    t.wait_for("garbage here\nstrided>");
    // (An answer no earlier line printed: a Ctrl-D sent before the shell
    // has run the line lands on a non-empty line, where it deletes instead
    // of ending the session, and the history is never written.)
    t.send(&["d.shape[0] + 4321", "Enter"]);
    let screen = t.wait_for("4421");
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

/// The shell in an 80-column terminal with the demo file open as `d`
/// (and the folder that holds it); `None`, saying why, without tmux.
fn demo_shell_at_80(name: &str) -> Option<(tempfile::TempDir, common::Tmux)> {
    let dir = common::temp();
    std::fs::write(dir.path().join("demo.bin"), strided::demo::demo_bytes()).unwrap();
    let state = dir.path().join("state");
    let Some(t) = common::Tmux::start_sized(dir.path(), &state, name, 80) else {
        common::skip("tmux is not installed, so no terminal to drive the shell in");
        return None;
    };
    t.wait_for("strided>");
    t.send(&["open demo.bin 100x100", "Enter"]);
    t.wait_for("80000 of 80000 bytes viewed");
    Some((dir, t))
}

/// Every table line on the screen is whole: it starts and ends with the
/// table's border (a row the terminal wrapped would end mid-table).
fn assert_tables_whole(screen: &str) {
    for line in screen.lines() {
        let line = line.trim_end();
        if line.starts_with(['┌', '│', '╞', '└']) {
            assert!(
                line.ends_with(['┐', '│', '╡', '┘']),
                "a table row was wrapped: {line:?} in\n{screen}"
            );
        }
    }
}

#[test]
fn tables_fit_an_80_column_terminal_and_follow_a_resize() {
    let Some((_dir, t)) = demo_shell_at_80("width") else {
        return;
    };
    t.clear();
    // Six complex64 columns (NumPy's exponent form for these: 29
    // characters a cell) would take 200 columns: two fit in 80.
    t.send(&["d[:5]", "Enter"]);
    let screen = t.wait_for("showing 5x2 of 500 elements");
    assert_tables_whole(&screen);
    t.send(&["info d", "Enter"]);
    let screen = t.wait_for("nbytes");
    assert_tables_whole(&screen);
    // Wider: the same statement shows more columns, asked again of the
    // terminal before each statement.
    t.resize(120);
    t.clear();
    t.send(&["d[:5]", "Enter"]);
    let screen = t.wait_for("showing 5x3 of 500 elements");
    assert_tables_whole(&screen);
    // A fixed width wins over the terminal's.
    t.clear();
    t.send(&["set width 80; d[:5]", "Enter"]);
    t.wait_for("showing 5x2 of 500 elements");
    t.send(&["C-d"]);
}

/// What the shell shows at 80 columns, as a golden screen: a table of
/// complex numbers, `info` and `explain` as a user sees them in a terminal
/// (`STRIDED_BLESS=1` rewrites `tests/golden/repl_80.screen`).
#[test]
fn the_shell_at_80_columns_shows_its_golden_screen() {
    let Some((_dir, t)) = demo_shell_at_80("golden") else {
        return;
    };
    // Each statement on a cleared screen, up to explain's byte footprint
    // (how many pages are in memory depends on the machine).
    let mut shown = Vec::new();
    for (line, last) in [
        ("d[:3]", "└"),
        ("explain d.r[::2, 1:]", "mapping: demo.bin"),
        // An error whose hint is longer than the terminal: broken at a
        // space by the shell, not mid-word by the terminal.
        ("dd[0]", "the names"),
    ] {
        t.clear();
        t.send(&[line, "Enter"]);
        t.wait_for(last);
        let screen = t.screen();
        shown.extend(
            screen
                .lines()
                .map(|l| l.trim_end().to_string())
                .take_while(|l| !l.starts_with("bytes:"))
                .filter(|l| !l.is_empty() && l != "strided>"),
        );
    }
    t.send(&["C-d"]);
    let got = shown.join("\n") + "\n";
    assert!(
        got.lines().all(|l| strided::text::columns(l) <= 80),
        "{got}"
    );
    let golden =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/repl_80.screen");
    if std::env::var("STRIDED_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&golden, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(
        got,
        want,
        "the shell's screen differs from {} (STRIDED_BLESS=1 rewrites it)",
        golden.display()
    );
}

/// The progress bar of a long statement fits an 80-column terminal while
/// it runs and leaves nothing behind when the result comes (its numbers
/// move, so its shape is checked rather than a golden screen).
#[test]
fn the_progress_bar_fits_80_columns_and_leaves_no_fragments() {
    let dir = common::temp();
    // 2 GiB of holes, and a complex power, which runs element by element
    // (about 4 s on 2 cores): the bar appears after half a second, and a
    // statement the lanes finish in that time would never show it.
    let f = std::fs::File::create(dir.path().join("big.bin")).unwrap();
    f.set_len(2 << 30).unwrap();
    let state = dir.path().join("state");
    let Some(t) = common::Tmux::start_sized(dir.path(), &state, "progress", 80) else {
        common::skip("tmux is not installed, so no terminal to drive the shell in");
        return;
    };
    t.wait_for("strided>");
    t.send(&["open big.bin c8", "Enter"]);
    t.wait_for("bytes viewed");
    t.clear();
    t.send(&["stats abs((d - 1) ** 1.5)", "Enter"]);
    let screen = t.wait_for("(Ctrl-C stops)");
    let bar = screen
        .lines()
        .find(|l| l.contains("(Ctrl-C stops)"))
        .unwrap()
        .trim_end();
    assert!(
        strided::text::columns(bar) <= 80 && bar.contains('%') && bar.contains("left"),
        "{bar:?}"
    );
    t.wait_for("│ std");
    let screen = t.wait_for("└");
    assert!(
        !screen.contains("Ctrl-C stops"),
        "the bar was left behind:\n{screen}"
    );
    assert!(
        screen.lines().all(|l| strided::text::columns(l) <= 80),
        "{screen}"
    );
    t.send(&["C-d"]);
}
