//! Helpers shared by the integration tests: a temp folder per test, and a
//! way to run the built binary in it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_strided"))
}

/// A fresh folder for one test, removed when dropped.
pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// Runs `strided ARGS` in `dir` with `stdin` piped in.
pub fn run_in(dir: &Path, args: &[&str], stdin: &str) -> Output {
    run_in_with(dir, args, stdin, &[])
}

/// [`run_in`] with environment variables set for the child.
pub fn run_in_with(dir: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    // Output fits `$COLUMNS` when stdout is not a terminal: a developer's
    // exported COLUMNS must not change what the tests see (80 columns).
    let mut child = Command::new(bin())
        .args(args)
        .env_remove("COLUMNS")
        .envs(env.iter().copied())
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run strided");
    // Write from another thread, so a child that answers before it has read
    // all its input cannot deadlock against us on full pipes.
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_string();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("stdin writer");
    out
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `n` complex64 samples (little-endian) of a unit tone at `tone` Hz
/// sampled at `fs`, each part plus uniform noise in ±`noise`/2 from a
/// xorshift stream seeded by `seed` (real part's noise first).
pub fn tone_c8(n: u64, tone: f64, fs: f64, noise: f64, seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * noise
    };
    let mut bytes = Vec::with_capacity(n as usize * 8);
    for k in 0..n {
        let phase = 2.0 * std::f64::consts::PI * tone * k as f64 / fs;
        bytes.extend_from_slice(&((phase.cos() + next()) as f32).to_le_bytes());
        bytes.extend_from_slice(&((phase.sin() + next()) as f32).to_le_bytes());
    }
    bytes
}

/// splitmix64 outputs as little-endian bytes: the same stream as
/// `tests/oracle/numpy_oracle.py` writes, so frozen cases need no data files.
pub fn stream_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    let mut state = seed;
    while out.len() < len {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(len);
    out
}

pub fn fnv1a64(data: &[u8]) -> String {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for &b in data {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01B3);
    }
    format!("{h:016x}")
}

/// Starts `strided ARGS` in `dir` with stdout and stderr piped.
pub fn spawn_in(dir: &Path, args: &[&str]) -> std::process::Child {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run strided")
}

/// Sends a signal (`INT`, `TERM`, ...) to a child.
pub fn signal(child: &std::process::Child, name: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success(), "kill -{name} failed");
}

/// strided running in a real terminal (a detached tmux session), for tests
/// of the interactive shell. `None` (the caller says it skipped) where tmux
/// is not installed. The session is killed when dropped.
pub struct Tmux {
    session: String,
}

impl Tmux {
    /// Starts strided in `dir` with `XDG_STATE_HOME=state` (for its history).
    pub fn start(dir: &Path, state: &Path, name: &str) -> Option<Tmux> {
        Tmux::start_sized(dir, state, name, 150)
    }

    /// [`Tmux::start`] in a terminal `columns` wide (50 lines).
    pub fn start_sized(dir: &Path, state: &Path, name: &str, columns: u16) -> Option<Tmux> {
        Command::new("tmux").arg("-V").output().ok()?;
        let session = format!("strided-{name}-{}", std::process::id());
        let cmd = format!("XDG_STATE_HOME={} {}", state.display(), bin().display());
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &session,
                "-x",
                &columns.to_string(),
                "-y",
                "50",
                "-c",
            ])
            .arg(dir)
            .arg(&cmd)
            .status()
            .expect("tmux");
        assert!(ok.success());
        Some(Tmux { session })
    }

    pub fn send(&self, keys: &[&str]) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .expect("tmux");
        assert!(ok.success());
    }

    /// Resizes the terminal to `columns` x 50, as a user dragging the window.
    pub fn resize(&self, columns: u16) {
        let ok = Command::new("tmux")
            .args(["resize-window", "-t", &self.session, "-x"])
            .arg(columns.to_string())
            .args(["-y", "50"])
            .status()
            .expect("tmux");
        assert!(ok.success());
    }

    /// Clears the screen and its scrollback, so the next capture shows
    /// only what comes after.
    pub fn clear(&self) {
        self.send(&["C-l"]);
        let ok = Command::new("tmux")
            .args(["clear-history", "-t", &self.session])
            .status()
            .expect("tmux");
        assert!(ok.success());
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .expect("tmux");
        text(&out.stdout)
    }

    /// Waits (up to 30 s: a limit, not a timing claim) until the screen shows `what`.
    pub fn wait_for(&self, what: &str) -> String {
        let start = std::time::Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(30),
                "never saw {what:?}; screen:\n{s}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
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

/// A test that cannot run here because a tool is missing says so — and
/// fails instead where `STRIDED_REQUIRE_TOOLS=1` (CI, which installs tmux,
/// strace and setpriv), so a missing install step never passes quietly.
pub fn skip(why: &str) {
    if std::env::var("STRIDED_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("STRIDED_REQUIRE_TOOLS=1 but {why}");
    }
    eprintln!("skipped: {why}");
}
