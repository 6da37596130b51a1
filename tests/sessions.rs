//! Sessions in one process are independent: each has its own cancellation,
//! progress and read-fault flag (a library user, a threaded test and a
//! fuzzer all run several). Three sessions reduce three files on three
//! threads at once; one is cancelled, another's file is truncated under
//! it, and the third finishes with the right answer.

mod common;

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};
use strided::{run_line, LineError, Session};

const GIB: u64 = 1 << 30;

/// A sparse file of `len` bytes of float32 zeros, with `values` written
/// at the given element positions.
fn sparse(path: &Path, len: u64, values: &[(u64, f32)]) {
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(path)
        .unwrap();
    f.set_len(len).unwrap();
    for &(at, v) in values {
        f.seek(SeekFrom::Start(at * 4)).unwrap();
        f.write_all(&v.to_le_bytes()).unwrap();
    }
}

/// Runs `line` in `session` on a new thread.
fn run(
    mut session: Session,
    line: String,
) -> std::thread::JoinHandle<(Result<(), LineError>, String)> {
    std::thread::Builder::new()
        .stack_size(strided::STACK_SIZE)
        .spawn(move || {
            let mut out = Vec::new();
            let r = run_line(&mut session, &line, &mut out);
            (r, String::from_utf8_lossy(&out).into_owned())
        })
        .unwrap()
}

/// Waits until a session's statement is computing.
fn wait_running(control: &strided::control::Control) {
    let start = Instant::now();
    while control.progress().is_none() {
        assert!(start.elapsed() < Duration::from_secs(60), "never started");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn message(r: &Result<(), LineError>) -> String {
    match r {
        Ok(()) => "ok".into(),
        Err(LineError::Stmt(e)) => e.kind.to_string(),
        Err(LineError::Io(e)) => e.to_string(),
    }
}

#[test]
fn one_sessions_cancel_and_fault_leave_the_others_alone() {
    let dir = common::temp();
    let d = dir.path();
    let (a, b, c) = (d.join("a.f4"), d.join("b.f4"), d.join("c.f4"));
    sparse(&a, 4 * GIB, &[]);
    sparse(&b, 4 * GIB, &[]);
    // Values spread across c, and the sum a direct computation gives.
    let values: Vec<(u64, f32)> = (0..64)
        .map(|k| (k * (GIB / 128) + 17 * k, k as f32 * 1.5 - 20.0))
        .collect();
    sparse(&c, 2 * GIB, &values);
    let want: f64 = values.iter().map(|&(_, v)| v as f64).sum();

    let open = |p: &Path| format!("open {} f4 as x; sum(x * 1.0)", p.display());
    let (sa, sb, sc) = (Session::new(), Session::new(), Session::new());
    let (ca, cb, cc) = (sa.control(), sb.control(), sc.control());
    let ta = run(sa, open(&a));
    let tb = run(sb, open(&b));
    let tc = run(sc, open(&c));

    wait_running(&cc);
    wait_running(&ca);
    assert!(ca.request_cancel(), "a was running");
    wait_running(&cb);
    OpenOptions::new()
        .write(true)
        .open(&b)
        .unwrap()
        .set_len(GIB / 2)
        .unwrap();
    assert!(
        cc.progress().is_some(),
        "c is still running while a is cancelled and b is cut"
    );

    let (ra, _) = ta.join().unwrap();
    let (rb, _) = tb.join().unwrap();
    let (rc, out_c) = tc.join().unwrap();
    assert_eq!(message(&ra), "interrupted");
    let mb = message(&rb);
    assert!(mb.contains("shrank"), "b: {mb}");
    assert!(rc.is_ok(), "c: {}", message(&rc));
    assert!(!cc.cancelled() && !cc.fault_pending());
    let got: f64 = out_c.lines().last().unwrap().parse().unwrap();
    assert_eq!(got, want, "c's sum is the direct sum");
}
