//! Hostile files: other programs truncating, regrowing, deleting, replacing
//! and overwriting a file while strided has it mapped, and inputs that are
//! not regular files at all. strided must never die of it (no SIGBUS, exit
//! 135) and must say what happened.

mod common;

use common::{run_in, temp, text};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SLOW: &str = "stats sqrt(abs(d - 1)) * 2";

fn sparse(path: &Path, len: u64) {
    let f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(path)
        .unwrap();
    f.set_len(len).unwrap();
}

fn spawn_stats(dir: &Path, guard: bool) -> Child {
    let mut cmd = Command::new(common::bin());
    cmd.args(["-c", &format!("open big.bin c8\n{SLOW}")])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !guard {
        cmd.env("STRIDED_NO_SIGBUS_GUARD", "1");
    }
    cmd.spawn().unwrap()
}

#[test]
fn truncation_during_stats_never_kills_the_process() {
    let dir = temp();
    let path = dir.path().join("big.bin");
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let (mut interrupted, mut finished) = (0, 0);
    for run in 0..100 {
        // Sparse and of full length again for each run: nothing large is written.
        sparse(&path, 0);
        sparse(&path, 128 << 20);
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let delay = Duration::from_millis(20 + state % 250);
        let child = spawn_stats(dir.path(), true);
        std::thread::sleep(delay);
        sparse(&path, 0);
        set_len(&path, (state % 64) << 20);
        let out = child.wait_with_output().unwrap();
        let err = text(&out.stderr);
        assert_eq!(
            out.status.signal(),
            None,
            "run {run}: killed by a signal\n{err}"
        );
        match out.status.code() {
            Some(0) => finished += 1,
            Some(1) => {
                assert!(
                    err.contains("big.bin shrank") && err.contains("the result was discarded"),
                    "run {run}: {err}"
                );
                assert!(
                    !text(&out.stdout).contains("stats of"),
                    "run {run}: a result computed over a patched fault was printed"
                );
                interrupted += 1;
            }
            other => panic!("run {run}: exit {other:?}\n{err}"),
        }
    }
    eprintln!("100 truncations: {interrupted} caught mid-read, {finished} finished first or read only what was left");
    assert!(
        interrupted >= 10,
        "too few runs hit the truncation ({interrupted}): the test did not exercise the guard"
    );
}

#[test]
fn without_the_guard_the_same_truncation_kills_with_sigbus() {
    // The control: this is what the guard prevents (and what NumPy does).
    let dir = temp();
    let path = dir.path().join("big.bin");
    let mut killed = 0;
    for _ in 0..5 {
        sparse(&path, 0);
        sparse(&path, 128 << 20);
        let child = spawn_stats(dir.path(), false);
        std::thread::sleep(Duration::from_millis(100));
        set_len(&path, 0);
        let out = child.wait_with_output().unwrap();
        if out.status.signal() == Some(libc_sigbus()) {
            killed += 1;
        }
    }
    assert!(
        killed >= 1,
        "no run died of SIGBUS without the guard: the fault test proves nothing"
    );
}

fn libc_sigbus() -> i32 {
    7 // SIGBUS on Linux x86 and ARM
}

/// A strided reading statements from a pipe, answering line by line.
struct Shell {
    child: Child,
    out: BufReader<std::process::ChildStdout>,
}

impl Shell {
    fn start(dir: &Path) -> Shell {
        let mut child = Command::new(common::bin())
            .arg("--keep-going")
            // Lines as long as they are: these tests read sentences.
            .args(["--width", "10000"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        Shell { child, out }
    }

    /// Runs `line` and returns its output, read up to a marker line.
    fn run(&mut self, line: &str) -> String {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}\n'--end--'").unwrap();
        stdin.flush().unwrap();
        let mut got = String::new();
        loop {
            let mut l = String::new();
            assert!(
                self.out.read_line(&mut l).unwrap() > 0,
                "strided ended early; so far: {got}"
            );
            if l.trim() == "'--end--'" {
                return got;
            }
            got.push_str(&l);
        }
    }

    fn finish(mut self) -> String {
        drop(self.child.stdin.take());
        let mut err = String::new();
        std::io::Read::read_to_string(self.child.stderr.as_mut().unwrap(), &mut err).unwrap();
        self.child.wait().unwrap();
        err
    }
}

/// Cuts or extends the file at `path` to `len` bytes, as another program
/// would.
fn set_len(path: &Path, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

fn f32_file(path: &Path, value: f32, n: usize) {
    std::fs::write(
        path,
        std::iter::repeat_n(value.to_le_bytes(), n)
            .flatten()
            .collect::<Vec<u8>>(),
    )
    .unwrap();
}

#[test]
fn a_file_that_shrank_between_statements_is_refused_and_regrown_reads_again() {
    let dir = temp();
    let path = dir.path().join("f.bin");
    f32_file(&path, 7.5, 1 << 18);
    let mut sh = Shell::start(dir.path());
    sh.run("open f.bin <f4");
    assert_eq!(sh.run("d[-1]"), "7.5\n");
    set_len(&path, 1 << 10);
    assert_eq!(sh.run("d[0]"), "", "refused");
    // Regrown to its old size: readable again; the cut part is now zeros.
    set_len(&path, 1 << 20);
    assert_eq!(sh.run("d[0]"), "7.5\n");
    assert_eq!(sh.run("d[-1]"), "0.0\n");
    let err = sh.finish();
    assert!(
        err.contains("f.bin shrank from 1.0 MiB to 1.0 KiB since it was opened"),
        "{err}"
    );
}

/// A file opened writable (`mode=r+`, `mode=c`) and cut by another
/// program: writes are refused, not faulted, and the file keeps the size
/// the other program gave it.
#[test]
fn a_writable_file_that_shrank_refuses_writes() {
    for mode in ["r+", "c"] {
        let dir = temp();
        let path = dir.path().join("f.bin");
        f32_file(&path, 7.5, 1 << 18);
        let mut sh = Shell::start(dir.path());
        sh.run(&format!("open f.bin <f4 mode={mode}"));
        sh.run("d[:4] = 1");
        assert_eq!(sh.run("d[3]"), "1.0\n");
        set_len(&path, 1 << 10);
        assert_eq!(sh.run("d[-1] = 2"), "", "refused");
        assert_eq!(sh.run("d += 1"), "", "refused");
        let err = sh.finish();
        assert_eq!(
            err.matches("f.bin shrank from 1.0 MiB to 1.0 KiB since it was opened")
                .count(),
            2,
            "{err}"
        );
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 1 << 10, "{mode}");
    }
}

#[test]
fn deleted_and_replaced_files_keep_their_old_contents_until_opened_again() {
    let dir = temp();
    let path = dir.path().join("f.bin");
    f32_file(&path, 1.5, 1 << 18);
    let mut sh = Shell::start(dir.path());
    sh.run("open f.bin <f4");
    // Replaced by rename: the mapping still holds the old file.
    let new = dir.path().join("new.bin");
    f32_file(&new, 2.5, 1 << 18);
    std::fs::rename(&new, &path).unwrap();
    assert_eq!(sh.run("d[0]"), "1.5\n");
    assert!(sh.run("open f.bin <f4 as e").contains("e = f.bin"));
    assert_eq!(sh.run("e[0]"), "2.5\n");
    assert!(
        sh.run("files").contains("replaced by another file"),
        "strided says the old file is not the one at the path now"
    );
    // Deleted: still readable through the mapping, and `files` says so.
    std::fs::remove_file(&path).unwrap();
    assert_eq!(sh.run("d[0]; e[0]"), "1.5\n2.5\n");
    assert!(sh
        .run("files")
        .contains("deleted: its old contents stay readable until closed"));
    let err = sh.finish();
    assert!(err.is_empty(), "{err}");
}

#[test]
fn an_in_place_overwrite_shows_at_the_next_read() {
    let dir = temp();
    let path = dir.path().join("f.bin");
    f32_file(&path, 1.0, 1 << 18);
    let mut sh = Shell::start(dir.path());
    sh.run("open f.bin <f4");
    assert_eq!(sh.run("d[3]"), "1.0\n");
    let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(12)).unwrap();
    f.write_all(&4.25f32.to_le_bytes()).unwrap();
    drop(f);
    assert_eq!(sh.run("d[3]"), "4.25\n");
    sh.finish();
}

#[test]
fn devices_fifos_and_odd_files_are_read_or_refused_clearly() {
    let dir = temp();
    std::fs::write(dir.path().join("empty.bin"), b"").unwrap();
    let out = run_in(dir.path(), &["--keep-going", "-c", "open empty.bin u1\nd.shape\nd\nopen empty.bin 2x2 u1\nopen /dev/zero\nopen /dev/zero 2x3 <f4 as z\nz.sum()\nz.shape\nopen /proc/self/status u1 as p\np.size > 0"], "");
    let s = text(&out.stdout);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(s.contains("(0,)\n") && s.contains("(empty)"), "{s}");
    assert!(err.contains("empty.bin is too small"), "{err}");
    assert!(
        err.contains("cannot open /dev/zero: it is a character device, which has no size"),
        "{err}"
    );
    assert!(s.contains("0.0\n(2, 3)\n"), "{s}");
    assert!(
        s.ends_with("True\n"),
        "a /proc file reports no size but has bytes:\n{s}"
    );
}

/// A FIFO named `pipe` in `dir`.
fn mkfifo(dir: &Path) -> std::path::PathBuf {
    let fifo = dir.join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    fifo
}

#[test]
fn a_fifo_is_read_to_its_end_without_blocking_on_open() {
    let dir = temp();
    let fifo = mkfifo(dir.path());
    // A writer that opens the FIFO (blocking until strided opens it) and writes 8 bytes.
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            f.write_all(&[1, 2, 3, 4, 5, 6, 7, 8]).unwrap();
        })
    };
    // Let the writer reach its open() first, so the data is there to read.
    std::thread::sleep(Duration::from_millis(200));
    let out = run_in(dir.path(), &["-c", "open pipe u1; d.sum()"], "");
    writer.join().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).ends_with("36\n"), "{}", text(&out.stdout));
}

/// Regression: `open /dev/zero N u1` read N bytes whatever `set memory`
/// said.
#[test]
fn device_reads_obey_the_memory_limit() {
    let dir = temp();
    let out = run_in(
        dir.path(),
        &[
            "--keep-going",
            "-c",
            "set memory 1MiB\nopen /dev/zero 2000000 u1 as big\nopen /dev/zero 1000 u1 as small\nsmall.sum()",
        ],
        "",
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("reading 2000000 bytes of it would pass the memory limit of 1048576 bytes"),
        "{err}"
    );
    assert!(text(&out.stdout).ends_with("0\n"), "{}", text(&out.stdout));
}

/// Regression: under `ulimit -v`, a copy within `set memory` aborted the
/// process (exit 134); the allocation failure is an error now.
#[test]
fn a_copy_the_system_cannot_hold_is_an_error_not_an_abort() {
    let dir = temp();
    sparse(&dir.path().join("big.bin"), 1536 << 20);
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -v 2600000; exec {} --keep-going -c 'set memory 8GiB\nopen big.bin f4\nc = d.copy()\nd[0]'",
            common::bin().display()
        ))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("this copy needs 1.5 GiB, which the system could not give"),
        "{err}"
    );
    assert!(text(&out.stdout).ends_with("0.0\n"), "the run goes on");
}

/// Regression: one Ctrl-C while `open` waited on a FIFO ended the whole
/// run; it ends the statement now.
#[test]
fn ctrl_c_while_a_fifo_is_read_ends_only_the_statement() {
    let dir = temp();
    let fifo = mkfifo(dir.path());
    // A writer that opens the FIFO and then writes nothing: the read waits.
    let holder = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            std::thread::sleep(Duration::from_secs(3));
            drop(f);
        })
    };
    let mut sh = Shell::start(dir.path());
    assert_eq!(sh.run("1 + 1"), "2\n");
    let stdin = sh.child.stdin.as_mut().unwrap();
    writeln!(stdin, "open pipe 4 u1").unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    common::signal(&sh.child, "INT");
    let status = sh.child.wait().unwrap();
    holder.join().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(sh.child.stderr.as_mut().unwrap(), &mut err).unwrap();
    // A script stops at an interrupted statement (status 130), but only
    // after reporting it where it happened.
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("<stdin>:3:6: error: interrupted"), "{err}");
}

#[test]
fn offsets_and_shapes_near_the_limits_are_errors_not_crashes() {
    let dir = temp();
    std::fs::write(dir.path().join("f.bin"), [0u8; 64]).unwrap();
    let out = run_in(dir.path(), &["--keep-going", "-c", "open f.bin offset=18446744073709551615\nopen f.bin offset=(2**70)\nopen f.bin 9223372036854775807x9223372036854775807 u1\nopen f.bin (4294967296, 4294967296, 4294967296) u1"], "");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(err.matches(": error: ").count(), 4, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Regression: `strided < /dev/zero` grew one line without bound.
#[test]
fn a_line_without_end_is_refused_past_sixteen_mebibytes() {
    let mut child = Command::new(common::bin())
        .arg("--keep-going")
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // /dev/zero never ends: the run ends only because the line is refused.
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("still reading an endless line after two minutes");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("<stdin>:1:1: error: the line is longer than 16 MiB"),
        "{err}"
    );
}

#[test]
fn a_one_megabyte_line_and_deep_nesting_are_answered() {
    let dir = temp();
    // A flat megabyte (a tuple of 350,000 numbers) parses and evaluates;
    // a chain of 250,000 additions and 100,000 parentheses nest too deep.
    let items: Vec<String> = (0..350_000).map(|k| (k % 10).to_string()).collect();
    let flat = format!("x = ({}); x[-1]", items.join(", "));
    assert!(flat.len() > 1_000_000);
    let chain = format!("y = {}1", "1 + ".repeat(250_000));
    let nested = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let out = run_in(
        dir.path(),
        &["--keep-going"],
        &format!("{flat}\n{chain}\n{nested}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "9\n");
    let err = text(&out.stderr);
    assert!(
        err.contains("<stdin>:2:")
            && err.contains("<stdin>:3:")
            && err.matches("nesting too deep").count() == 2,
        "{err}"
    );
}

#[test]
fn invalid_utf8_on_stdin_is_a_located_error() {
    let dir = temp();
    let mut child = Command::new(common::bin())
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"1 + 1\nx = \xff\xfe\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "2\n");
    assert!(
        text(&out.stderr).starts_with("<stdin>:2:5: error: the line is not valid UTF-8"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_file_locked_by_a_writer_is_opened_with_a_warning() {
    let dir = temp();
    let path = dir.path().join("f.bin");
    f32_file(&path, 1.0, 1 << 18);
    let holder = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    holder.lock().unwrap();
    let out = run_in(dir.path(), &["-c", "open f.bin <f4; d[0]"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("warning: another program holds a write lock"),
        "{s}"
    );
    assert!(s.ends_with("1.0\n"), "the lock does not stop reading: {s}");
    holder.unlock().unwrap();
}

/// Regression: after a read faulted, the guard's page of zeros stayed in
/// the mapping, so a file restored to its old bytes on the same inode read
/// as zeros, even after a fresh `open` (which reused the mapping).
#[test]
fn a_mapping_a_read_faulted_in_is_never_read_again() {
    let dir = temp();
    let path = dir.path().join("f.bin");
    f32_file(&path, 7.5, 1 << 18);
    let original = std::fs::read(&path).unwrap();
    let mut sh = Shell::start(dir.path());
    sh.run("open f.bin <f4");
    // A computed value is not checked by name before it reads, so the
    // read itself faults (and the guard patches it).
    sh.run("m = d * 1");
    set_len(&path, 0);
    assert_eq!(sh.run("sum(m)"), "", "a sum over a cut file is refused");
    // The same inode gets its old bytes back.
    let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.write_all(&original).unwrap();
    drop(f);
    assert_eq!(sh.run("d[-1]"), "", "the old mapping is refused");
    assert_eq!(
        sh.run("open f.bin <f4 as e; e[-1]").lines().last(),
        Some("7.5")
    );
    assert_eq!(sh.run("sum(e)"), format!("{:?}\n", 7.5 * (1 << 18) as f64));
    let err = sh.finish();
    assert!(
        err.contains("f.bin shrank from 1.0 MiB to 0 bytes while being read"),
        "{err}"
    );
    assert!(
        err.contains("f.bin shrank while it was being read"),
        "{err}"
    );
}

/// Regression: the guard's table had 256 entries, so with 256 other files
/// mapped a truncation of the 257th killed the process with SIGBUS.
#[test]
fn the_guard_covers_every_mapping_however_many_are_open() {
    let dir = temp();
    let n = 300;
    for k in 0..n {
        sparse(&dir.path().join(format!("f{k}.bin")), 1 << 17);
    }
    let mut sh = Shell::start(dir.path());
    let opens: Vec<String> = (0..n)
        .map(|k| format!("open f{k}.bin <f4 as x{k}"))
        .collect();
    sh.run(&opens.join("; "));
    assert!(sh.run("files").contains(&format!("f{}.bin", n - 1)));
    sh.run(&format!("m = x{} * 1", n - 1));
    set_len(&dir.path().join(format!("f{}.bin", n - 1)), 0);
    assert_eq!(sh.run("sum(m)"), "");
    assert_eq!(sh.run("sum(x0)"), "0.0\n", "the shell goes on");
    let err = sh.finish();
    assert!(err.contains(&format!("f{}.bin shrank", n - 1)), "{err}");
}

/// Wide and unclosed headers: a `.npy` of 16,000 fields (its dtype alone
/// is 300 KB) made `info` print a gigabyte; an ENVI header whose `{` never
/// closes took quadratic time. Both answer now, with bounded output, and
/// neither file changes.
#[test]
fn wide_and_unclosed_headers_are_answered_with_bounded_output() {
    let dir = temp();
    let d = dir.path();
    let fields: Vec<String> = (0..16_000).map(|k| format!("('f{k}', '|u1')")).collect();
    let mut dict = format!(
        "{{'descr': [{}], 'fortran_order': False, 'shape': (2,), }}",
        fields.join(", ")
    );
    while (12 + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut npy = b"\x93NUMPY\x02\x00".to_vec();
    npy.extend_from_slice(&(dict.len() as u32).to_le_bytes());
    npy.extend_from_slice(dict.as_bytes());
    npy.extend(std::iter::repeat_n(7u8, 2 * 16_000));
    std::fs::write(d.join("wide.npy"), &npy).unwrap();
    let mut hdr = String::from(
        "ENVI\nsamples = 10\nlines = 10\nbands = 1\ndata type = 4\ninterleave = bsq\ndescription = {\n",
    );
    hdr.push_str(&"a line of a description that never ends,\n".repeat(50_000));
    std::fs::write(d.join("cut.hdr"), &hdr).unwrap();
    std::fs::write(d.join("cut.img"), [0u8; 400]).unwrap();
    let before: Vec<Vec<u8>> = ["wide.npy", "cut.hdr", "cut.img"]
        .iter()
        .map(|f| std::fs::read(d.join(f)).unwrap())
        .collect();
    let out = run_in(
        d,
        &[
            "-c",
            "open wide.npy as w; info w; w[1]['f15999']; open cut.img as c; info c",
        ],
        "",
    );
    let s = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(s.len() < 1 << 20, "{} bytes of output", s.len());
    assert!(
        s.contains("(15936 more lines)"),
        "the field list is cut and says so"
    );
    assert!(
        s.contains("\n7\n"),
        "the last field of the last record reads"
    );
    assert!(
        s.contains("a line of a description that never ends"),
        "{}",
        &s[..2000.min(s.len())]
    );
    let after: Vec<Vec<u8>> = ["wide.npy", "cut.hdr", "cut.img"]
        .iter()
        .map(|f| std::fs::read(d.join(f)).unwrap())
        .collect();
    assert!(before == after, "an input file changed");
}
