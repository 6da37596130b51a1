//! End-to-end tests of the `strided` binary: each test gets its own temp
//! folder and writes its own data files.

mod common;

use common::{run_in, temp, text};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// The seed thread's layout: 100x100 complex64 with real part 1000*row + col
/// and imaginary part -(1000*row + col), so every element is recognisable.
fn write_seed_file(dir: &Path) -> Vec<(f32, f32)> {
    let mut bytes = Vec::new();
    let mut values = Vec::new();
    for row in 0..100 {
        for col in 0..100 {
            let re = (1000 * row + col) as f32;
            values.push((re, -re));
            bytes.extend_from_slice(&re.to_le_bytes());
            bytes.extend_from_slice(&(-re).to_le_bytes());
        }
    }
    std::fs::write(dir.join("f.bin"), bytes).unwrap();
    values
}

fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    text(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn the_design_cards_line_works_verbatim_on_the_seed_layout() {
    let dir = temp();
    write_seed_file(dir.path());
    // The caption whole, on one line (it wraps at the default 80 columns).
    let out = run_in(
        dir.path(),
        &["--width", "200", "-c", "open f.bin 100x100; d.r[50:,50:]"],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("d.r[50:,50:]: shape (50, 50), dtype <f4, view of f.bin (offset 40400, strides (800, 8))"), "{s}");
    // The corner elements of the quadrant: rows 50 and 99, columns 50 and 99.
    for v in ["50050.", "50099.", "99050.", "99099."] {
        assert!(s.contains(v), "missing {v} in\n{s}");
    }
    assert!(
        s.contains("assumed:") && s.contains("dtype c8"),
        "open must say what it assumed:\n{s}"
    );
}

#[test]
fn both_ways_to_the_bottom_right_quadrant_give_the_same_bytes() {
    // The seed thread's two answers: slice the whole mapping, or map from an
    // offset of 50 rows and slice the columns.
    let dir = temp();
    let values = write_seed_file(dir.path());
    let script = "open f.bin 100x100\nsave d[50:, 50:] a.bin\nopen f.bin 50x100 offset=(50*100*8) as bottom\nsave bottom[:, 50:100] b.bin\nsave d.r[:50, :50] tl.bin\n";
    let out = run_in(dir.path(), &[], script);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let a = std::fs::read(dir.path().join("a.bin")).unwrap();
    let b = std::fs::read(dir.path().join("b.bin")).unwrap();
    assert_eq!(a.len(), 50 * 50 * 8);
    assert_eq!(a, b);
    // And both hold exactly the expected elements, computed independently.
    let mut want = Vec::new();
    for row in 50..100 {
        for col in 50..100 {
            let (re, im) = values[row * 100 + col];
            want.extend_from_slice(&re.to_le_bytes());
            want.extend_from_slice(&im.to_le_bytes());
        }
    }
    assert_eq!(a, want);
    let tl = std::fs::read(dir.path().join("tl.bin")).unwrap();
    let want_tl: Vec<u8> = (0..50)
        .flat_map(|r| (0..50).flat_map(move |c| ((1000 * r + c) as f32).to_le_bytes()))
        .collect();
    assert_eq!(tl, want_tl);
}

#[test]
fn one_file_opened_three_ways_is_mapped_once() {
    let dir = temp();
    write_seed_file(dir.path());
    let script = "open f.bin 100x100\nopen f.bin (10000,) as flat\nopen f.bin 50x100 <f8 offset=40000 as other\nfiles\n";
    let out = run_in(dir.path(), &[], script);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("already mapped"), "{s}");
    let row = s
        .lines()
        .find(|l| l.contains("f.bin") && l.contains("80000"))
        .unwrap_or_else(|| panic!("no files row in\n{s}"));
    assert!(
        row.split(['│', '┆']).map(str::trim).collect::<Vec<_>>()[3..5] == ["mapped", "3"],
        "three views share the one mapping: {row}"
    );

    // And the kernel agrees: strace sees one mmap of the file's descriptor.
    let Ok(st) = Command::new("strace").arg("-V").output() else {
        common::skip(
            "strace is not installed (apt-get install strace): the one-mmap half did not run",
        );
        return;
    };
    assert!(st.status.success());
    let trace = dir.path().join("trace");
    std::fs::write(dir.path().join("s.strided"), script).unwrap();
    let out = Command::new("strace")
        .args(["-f", "-e", "trace=openat,mmap", "-o"])
        .arg(&trace)
        .arg(common::bin())
        .arg("s.strided")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = std::fs::read_to_string(&trace).unwrap();
    // With -f, a call another thread interrupts is split into
    // `openat(... <unfinished ...>` and a later `<... openat resumed>) = N`
    // line of the same pid: take the descriptor from whichever holds it.
    let lines: Vec<&str> = log.lines().collect();
    let fds: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("\"f.bin\"") && l.contains("openat"))
        .filter_map(|(k, l)| {
            let done = if l.trim_end().ends_with("<unfinished ...>") {
                let pid = l.split_whitespace().next()?;
                lines[k + 1..].iter().find(|m| {
                    m.split_whitespace().next() == Some(pid) && m.contains("<... openat resumed>")
                })?
            } else {
                l
            };
            done.rsplit("= ").next().map(|fd| fd.trim().to_string())
        })
        .collect();
    assert_eq!(fds.len(), 1, "f.bin opened once:\n{log}");
    let maps = log
        .lines()
        // `, FD, 0)`, or `, FD, 0 <unfinished ...>` when split.
        .filter(|l| {
            l.contains("mmap(")
                && (l.contains(&format!(", {}, 0)", fds[0]))
                    || l.contains(&format!(", {}, 0 <unfinished", fds[0])))
        })
        .count();
    assert_eq!(maps, 1, "one mapping of f.bin (fd {}):\n{log}", fds[0]);
}

#[test]
fn script_file_stdin_and_dash_c_print_the_same() {
    let dir = temp();
    write_seed_file(dir.path());
    let script = "open f.bin 100x100 as z # comment\nz.i[98:, ::33]; z.shape\n";
    std::fs::write(dir.path().join("s.strided"), script).unwrap();
    let a = run_in(dir.path(), &["s.strided"], "");
    let b = run_in(dir.path(), &[], script);
    let c = run_in(dir.path(), &["-c", script], "");
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.stdout, c.stdout);
    assert!(text(&a.stdout).contains("(100, 100)"));
}

#[test]
fn the_first_error_stops_a_script_with_file_line_column_and_a_caret() {
    let dir = temp();
    write_seed_file(dir.path());
    std::fs::write(
        dir.path().join("s.strided"),
        "open f.bin 100x100\nd[100]\nd.shape\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["s.strided"], "");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(
            "s.strided:2:3: error: index 100 is out of bounds for axis 0 with size 100\n"
        ),
        "{err}"
    );
    assert!(err.contains("2 | d[100]\n  |   ^^^\n"), "{err}");
    assert!(
        !text(&out.stdout).lines().any(|l| l == "(100, 100)"),
        "the script went on after the error"
    );
}

#[test]
fn keep_going_runs_every_line_and_still_fails() {
    let dir = temp();
    write_seed_file(dir.path());
    let out = run_in(
        dir.path(),
        &["--keep-going"],
        "open f.bin 100x100\nd[100]\nd[::0]\nd.shape\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("<stdin>:2:3:")
            && err.contains("<stdin>:3:3: error: slice step cannot be zero"),
        "{err}"
    );
    assert!(text(&out.stdout).lines().any(|l| l == "(100, 100)"));
}

#[test]
fn usage_errors_exit_with_2() {
    let dir = temp();
    let out = run_in(dir.path(), &["--no-such-flag"], "");
    assert_eq!(out.status.code(), Some(2));
    let out = run_in(dir.path(), &["missing.strided"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read missing.strided"));
}

#[test]
fn a_closed_stdout_ends_quietly_with_status_0() {
    let dir = temp();
    write_seed_file(dir.path());
    let mut child = Command::new(common::bin())
        .args(["--format", "csv", "-c", "open f.bin 100x100\nd\nd\nd"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(
        !err.contains("Broken pipe") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn json_output_holds_every_value_of_the_view() {
    let dir = temp();
    let values = write_seed_file(dir.path());
    let out = run_in(
        dir.path(),
        &[
            "--format",
            "json",
            "-c",
            "open f.bin 100x100\nd[3:5, 7:10]\nd.r[2, 3]\nd.shape",
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 4, "one object per result");
    assert_eq!(lines[0]["open"], "d");
    let v = &lines[1];
    assert_eq!(v["shape"], serde_json::json!([2, 3]));
    assert_eq!(v["dtype"], "<c8");
    for (i, row) in v["data"].as_array().unwrap().iter().enumerate() {
        for (j, cell) in row.as_array().unwrap().iter().enumerate() {
            let (re, im) = values[(3 + i) * 100 + 7 + j];
            assert_eq!(cell[0].as_f64().unwrap() as f32, re);
            assert_eq!(cell[1].as_f64().unwrap() as f32, im);
        }
    }
    assert_eq!(lines[2]["value"].as_f64().unwrap(), 2003.0);
    assert_eq!(lines[3]["value"], serde_json::json!([100, 100]));
}

#[test]
fn csv_output_is_one_line_per_row_and_reads_back() {
    let dir = temp();
    let values = write_seed_file(dir.path());
    let out = run_in(
        dir.path(),
        &["--format", "csv", "-c", "open f.bin 100x100\nd.i[:3, ::25]"],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    let rows: Vec<Vec<f32>> = s
        .lines()
        .map(|l| l.split(',').map(|c| c.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 3);
    for (i, row) in rows.iter().enumerate() {
        let want: Vec<f32> = (0..100)
            .step_by(25)
            .map(|c| values[i * 100 + c].1)
            .collect();
        assert_eq!(row, &want);
    }
    assert!(
        text(&out.stderr).contains("d = f.bin"),
        "the open note goes to stderr in csv mode"
    );
}

#[test]
fn a_saved_npy_opens_again_from_its_own_header() {
    let dir = temp();
    write_seed_file(dir.path());
    let script = "open f.bin 100x100\nsave d[::-7, 3:9] q.npy\nsave d.r[3, 4] s.npy\nopen q.npy as q\nq.shape\nq.dtype\nq[0, 0]\nd[-1, 3]\nopen s.npy as s\ns\ns.shape\n";
    let out = run_in(dir.path(), &[], script);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains("layout read from the .npy header"), "{s}");
    let lines: Vec<&str> = s.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| *l == needle)
            .unwrap_or_else(|| panic!("no line {needle:?} in\n{s}"))
    };
    at("(15, 6)");
    at("dtype('complex64')");
    // q[0, 0] is d[99, 3], written out twice by different paths.
    assert_eq!(lines[at("(99003-99003j)")], lines[at("(99003-99003j)")]);
    assert!(s.matches("(99003-99003j)").count() >= 2, "{s}");
    at("3004.0");
    at("()");
}

#[test]
fn an_empty_view_is_not_an_error() {
    let dir = temp();
    write_seed_file(dir.path());
    let out = run_in(
        dir.path(),
        &["-c", "open f.bin 100x100; d[5:2]; d[5:2].shape"],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("(0, 100)"));
}

#[test]
fn open_reports_the_bytes_left_over() {
    let dir = temp();
    write_seed_file(dir.path());
    let out = run_in(dir.path(), &["-c", "open f.bin 10x10 <f8 offset=16"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("800 of 80000 bytes viewed, 79184 left over"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_inferred_axis_takes_the_rest_of_the_file() {
    let dir = temp();
    write_seed_file(dir.path());
    let out = run_in(dir.path(), &["-c", "open f.bin -1x100; d.shape; open f.bin (25, -1) f4 as e; e.shape; open f.bin u1 as b; b.shape"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("(100, 100)") && s.contains("(25, 800)") && s.contains("(80000,)"),
        "{s}"
    );
}

#[test]
fn permission_denied_is_a_clear_error() {
    let dir = temp();
    let f = dir.path().join("secret.bin");
    std::fs::write(&f, [0u8; 16]).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| text(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let out = if is_root {
        // Root reads anything; run as `nobody` where setpriv can drop privileges.
        match Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(common::bin())
            .args(["-c", "open secret.bin"])
            .current_dir(dir.path())
            .output()
        {
            Ok(o) if !text(&o.stderr).contains("setpriv:") => o,
            _ => {
                common::skip("running as root and cannot drop privileges with setpriv");
                return;
            }
        }
    } else {
        run_in(dir.path(), &["-c", "open secret.bin"], "")
    };
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("cannot open secret.bin: permission denied"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_huge_sparse_file_prints_a_summary_without_reading_it() {
    // 4 GiB of holes: printing must touch only the few elements shown.
    let dir = temp();
    let f = std::fs::File::create(dir.path().join("big.bin")).unwrap();
    f.set_len(4 << 30).unwrap();
    let out = run_in(
        dir.path(),
        &[
            "-c",
            "open big.bin (-1, 4096) c8; d; d.r[::1000, ::-1]; open big.bin i1 as b; b",
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(
        s.contains("shape (131072, 4096)") && s.contains("showing 6x6 of 536870912 elements"),
        "{s}"
    );
    // 4 Gi elements along one axis: the table's format is decided from
    // the elements a summary keeps, with no list of every index (which
    // took 32 GiB and aborted).
    assert!(s.contains("showing 6 of 4294967296 elements"), "{s}");
}

/// Thousands of open/close cycles leave no file descriptor and no mapping
/// behind: the process is checked through /proc while it waits for more
/// input, after the cycles and after the last close.
#[test]
fn open_and_close_leak_no_files_or_mappings() {
    use std::io::{BufRead, BufReader, Write};
    let dir = common::temp();
    std::fs::write(dir.path().join("demo.bin"), strided::demo::demo_bytes()).unwrap();
    let mut child = std::process::Command::new(common::bin())
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let fds = || {
        std::fs::read_dir(format!("/proc/{pid}/fd"))
            .unwrap()
            .count()
    };
    let maps = || {
        std::fs::read_to_string(format!("/proc/{pid}/maps"))
            .unwrap()
            .lines()
            .filter(|l| l.ends_with("demo.bin"))
            .count()
    };
    let mut stdin = child.stdin.take().unwrap();
    // Output is drained by a thread (thousands of notes would fill the
    // pipe while this thread writes the script).
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // Waits until the shell has printed `marker`, so it is idle.
    let sync = |stdin: &mut std::process::ChildStdin, marker: &str| {
        writeln!(stdin, "'{marker}'").unwrap();
        stdin.flush().unwrap();
        while !rx.recv().expect("strided ended early").contains(marker) {}
    };
    writeln!(stdin, "open demo.bin 100x100 as a").unwrap();
    sync(&mut stdin, "first");
    let (fds_open, maps_open) = (fds(), maps());
    assert_eq!(maps_open, 1, "one mapping of demo.bin");
    writeln!(stdin, "close a").unwrap();
    sync(&mut stdin, "closed");
    let (fds_base, maps_base) = (fds(), maps());
    assert_eq!(maps_base, 0, "closing the only view unmaps the file");
    assert_eq!(
        fds_base + 1,
        fds_open,
        "closing the only view closes the file"
    );
    let mut script = String::new();
    for k in 0..3000 {
        script.push_str(&format!(
            "open demo.bin 100x100 as a{}; b = a{}[::2]; close a{}; close b\n",
            k % 7,
            k % 7,
            k % 7
        ));
    }
    stdin.write_all(script.as_bytes()).unwrap();
    sync(&mut stdin, "cycled");
    assert_eq!((fds(), maps()), (fds_base, maps_base), "3000 cycles leaked");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn python_habits_work_as_a_numpy_user_types_them() {
    let dir = temp();
    let values = write_seed_file(dir.path());
    // `np.`/`numpy.` before a name is the name itself; print(x) shows x;
    // len and shape[0] are the first axis; imports are noted, not errors.
    let out = run_in(
        dir.path(),
        &["-c", "open f.bin 100x100; import numpy as np; np.max(d.r); numpy.max(d.r); max(d.r); print(d.r[3, 4]); len(d); d.shape[0]; d.astype(np.float64).dtype; np.pi; d.r[0, :2].imag[1]"],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let o = text(&out.stdout);
    let l: Vec<&str> = o.lines().collect();
    let max = values.iter().map(|v| v.0).fold(f32::MIN, f32::max);
    let n = l.len();
    assert!(l[n - 10].contains("nothing to import"), "{o}");
    for got in &l[n - 9..n - 6] {
        assert_eq!(got.parse::<f32>().unwrap(), max, "{o}");
    }
    assert_eq!(l[n - 6].parse::<f32>().unwrap(), values[3 * 100 + 4].0);
    assert_eq!((l[n - 5], l[n - 4]), ("100", "100"));
    assert_eq!(l[n - 3], "dtype('float64')");
    assert_eq!(l[n - 2].parse::<f64>().unwrap(), std::f64::consts::PI);
    assert_eq!(l[n - 1], "0.0");
}

#[test]
fn exit_and_quit_end_a_script_with_their_status() {
    let dir = temp();
    write_seed_file(dir.path());
    let out = run_in(
        dir.path(),
        &[],
        "open f.bin 100x100\nd.shape; exit(3); d.size\nd.ndim\n",
    );
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(text(&out.stdout).lines().last(), Some("(100, 100)"));
    for stop in ["exit", "quit()", "exit()"] {
        let out = run_in(dir.path(), &[], &format!("d = 1\n{stop}\nd[0]\n"));
        assert_eq!(out.status.code(), Some(0), "{stop}: {}", text(&out.stderr));
        assert!(text(&out.stderr).is_empty(), "{stop}");
    }
}

#[test]
fn an_open_bracket_continues_the_statement_and_errors_point_into_its_lines() {
    let dir = temp();
    write_seed_file(dir.path());
    let script = "open f.bin 100x100\nx = max(d.r,   # per column (\n        axis=0)\nx[99]\nmax(d.r,\n    axis=5)\n";
    let out = run_in(dir.path(), &[], script);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout).lines().last(), Some("99099.0"));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("<stdin>:6:10: error: axis 5 is out of bounds for array of dimension 2\n6 |     axis=5)\n  |          ^"),
        "{err}"
    );
}

#[test]
fn keep_going_goes_on_after_a_failed_statement_within_a_line() {
    let dir = temp();
    write_seed_file(dir.path());
    let out = run_in(
        dir.path(),
        &["--keep-going"],
        "open f.bin 100x100\nd[100]; d.ndim; d[::0]; d.size\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let o = text(&out.stdout);
    assert!(
        o.lines().any(|l| l == "2") && o.lines().any(|l| l == "10000"),
        "{o}"
    );
    let err = text(&out.stderr);
    assert!(
        err.contains("<stdin>:2:3:") && err.contains("<stdin>:2:19:"),
        "{err}"
    );
    // Without --keep-going the line stops at its first failure.
    let out = run_in(dir.path(), &[], "open f.bin 100x100\nd[100]; d.ndim\n");
    assert!(!text(&out.stdout).lines().any(|l| l == "2"));
}

#[test]
fn a_path_starting_with_a_tilde_is_in_the_home_folder() {
    let dir = temp();
    write_seed_file(dir.path());
    let elsewhere = temp();
    let out = Command::new(common::bin())
        .args([
            "-c",
            "open ~/f.bin 100x100; d.r[1, 2]; save d.r[:2, :2] ~/out.npy",
        ])
        .current_dir(elsewhere.path())
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1002.0"));
    assert!(dir.path().join("out.npy").exists());
}

/// `guess` says what the file's own description and name say, and `open
/// PATH guess` opens a file that describes itself as its description
/// says: a guess never overrides it.
#[test]
fn guess_names_a_sidecar_and_an_extension_and_open_guess_follows_the_sidecar() {
    let dir = temp();
    let samples = common::tone_c8(50_000, 1234.5, 1e5, 0.2, 7);
    std::fs::write(dir.path().join("rec.sigmf-data"), &samples).unwrap();
    std::fs::write(
        dir.path().join("rec.sigmf-meta"),
        r#"{"global": {"core:datatype": "cf32_le", "core:sample_rate": 100000, "core:version": "1.0.0"},
            "captures": [{"core:sample_start": 0}], "annotations": []}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("cap.cf32"), &samples).unwrap();
    let out = run_in(dir.path(), &["-c", "guess rec.sigmf-data"], "");
    let said = text(&out.stdout);
    assert!(
        said.starts_with(
            "note: rec.sigmf-meta describes this file, and no guess overrides it:\n  open rec.sigmf-meta\n"
        ),
        "{said}"
    );
    let out = run_in(dir.path(), &["-c", "guess cap.cf32"], "");
    let said = text(&out.stdout);
    assert!(
        said.starts_with("note: the extension says <c8 by convention; the evidence agrees"),
        "{said}"
    );
    let out = run_in(
        dir.path(),
        &["-c", "open rec.sigmf-data guess; d.shape; d.dtype"],
        "",
    );
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said}{}", text(&out.stderr));
    assert!(
        said.contains("not guessed: a file's own description wins"),
        "{said}"
    );
    assert!(said.contains("(50000,)"), "{said}");
}
