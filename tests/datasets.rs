//! Datasets of many files (`open "f_*.bin" ...`) past the process's limits:
//! 10,000 files under `ulimit -n 256` with at most 64 files mapped at once,
//! a file deleted after `open`, and writes over a file of a dataset that
//! was never mapped. Values against a second computation of the same
//! numbers; NumPy comparisons of random splits are in
//! tests/oracle/datasets.py (run by tests/numpy_live.rs).

mod common;

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// Values per file: 64 KiB of float32, enough that each file is mapped
/// rather than read.
const PER_FILE: u64 = 16384;

/// Where file `k` holds its one non-zero value, `k + 1`.
fn spot(k: u64) -> u64 {
    (k * 7919) % PER_FILE
}

/// `n` sparse files `f_0.bin` ... in `dir`, each zeros but for `k + 1` at
/// `spot(k)`.
fn sparse_files(dir: &Path, n: u64) {
    for k in 0..n {
        let f = File::create(dir.join(format!("f_{k}.bin"))).unwrap();
        f.set_len(PER_FILE * 4).unwrap();
        f.write_all_at(&((k + 1) as f32).to_le_bytes(), spot(k) * 4)
            .unwrap();
    }
}

/// The json lines `strided --format json -c SCRIPT` prints in `dir`, which
/// must succeed.
fn json_lines(dir: &Path, script: &str) -> Vec<serde_json::Value> {
    let out = common::run_in(dir, &["--format", "json", "-c", script], "");
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    common::text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

#[test]
fn ten_thousand_files_are_one_array_within_256_descriptors_and_64_mappings() {
    let tmp = common::temp();
    let data = tmp.path().join("parts");
    std::fs::create_dir(&data).unwrap();
    let n = 10_000u64;
    sparse_files(&data, n);
    let script = "open \"parts/f_*.bin\" f4\n\
                  sum(d)\n\
                  count_nonzero(d)\n\
                  argmax(d)\n\
                  d[[7 * 16384 + 6, -1]]\n\
                  explain d[::16384]\n";
    let out = Command::new("sh")
        .args(["-c", "ulimit -n 256 && exec \"$0\" --format json"])
        .arg(common::bin())
        .current_dir(tmp.path())
        .env("STRIDED_MAX_MAPPINGS", "64")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(script.as_bytes())?;
            c.wait_with_output()
        })
        .expect("run strided");
    let stdout = common::text(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        common::text(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let value = |name: &str| {
        lines
            .iter()
            .find(|v| v["expr"] == name)
            .unwrap_or_else(|| panic!("no result for {name}: {stdout}"))
            .clone()
    };
    // The same numbers computed here: file k holds k + 1 once.
    let sum: u64 = (1..=n).sum();
    assert_eq!(value("sum(d)")["value"].as_f64(), Some(sum as f64));
    assert_eq!(value("count_nonzero(d)")["value"].as_i64(), Some(n as i64));
    let last = n - 1;
    assert_eq!(
        value("argmax(d)")["value"].as_u64(),
        Some(last * PER_FILE + spot(last))
    );
    // Element 7*16384 + 6 is file 7's value only where spot(7) is 6.
    let picked = value("d[[7 * 16384 + 6, -1]]")["data"].clone();
    let want7 = if spot(7) == 6 { 8.0 } else { 0.0 };
    let want_last = if spot(last) == PER_FILE - 1 {
        n as f64
    } else {
        0.0
    };
    assert_eq!(picked, serde_json::json!([want7, want_last]), "{stdout}");
    // explain's count of files mapped now stays within the cap, and the
    // view touches every file once.
    let x = lines
        .iter()
        .find(|v| v.get("steps").is_some())
        .expect("explain");
    let mapped = x["footprint"]["mapped_now"].as_u64().expect("mapped_now");
    assert!(mapped > 0 && mapped <= 64, "{mapped} files mapped at once");
    let files = x["footprint"]["files"].as_array().expect("files");
    assert_eq!(files.len() as u64, n);
    assert!(files.iter().all(|f| f["used"] == 4 && f["first"] == 0));
}

#[test]
fn a_file_deleted_after_open_fails_the_statement_that_reads_it_naming_the_file() {
    let tmp = common::temp();
    sparse_files(tmp.path(), 12);
    let mut child = Command::new(common::bin())
        .current_dir(tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run strided");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Wait until `open` has answered, then delete a file it never mapped.
    writeln!(stdin, "open \"f_*.bin\" f4\nprint(\"ready\")").unwrap();
    let mut line = String::new();
    while !line.contains("ready") {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "strided ended");
    }
    std::fs::remove_file(tmp.path().join("f_10.bin")).unwrap();
    writeln!(stdin, "sum(d[:5 * 16384])\nsum(d)").unwrap();
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = common::text(&out.stderr);
    // The first sum reads files 0-4 only: it succeeds, with the values of
    // files 0-4 (1 + 2 + 3 + 4 + 5).
    assert!(rest.contains("15.0"), "{rest}\n{err}");
    assert!(
        err.contains("f_10.bin was deleted or renamed since the dataset was opened"),
        "{err}"
    );
    assert!(!out.status.success());
}

#[test]
fn no_write_replaces_a_file_of_a_dataset_even_one_never_mapped() {
    let tmp = common::temp();
    sparse_files(tmp.path(), 5);
    let before = std::fs::read(tmp.path().join("f_3.bin")).unwrap();
    let out = common::run_in(
        tmp.path(),
        &[
            "--width",
            "1000",
            "-c",
            "open [f_0.bin, f_3.bin] f4; save d[:10] f_3.bin",
        ],
        "",
    );
    let err = common::text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("a dataset of 2 files, f_3.bin among them"),
        "{err}"
    );
    assert_eq!(std::fs::read(tmp.path().join("f_3.bin")).unwrap(), before);
}

/// The SIGBUS guard holds for every file of a dataset: a file cut short
/// while `stats` reads across all of them fails the statement, naming
/// that file, and never kills the process.
#[test]
fn a_file_of_a_dataset_truncated_during_stats_fails_the_statement_not_the_process() {
    use std::os::unix::process::ExitStatusExt;
    let tmp = common::temp();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let (mut caught, mut finished) = (0, 0);
    for run in 0..30 {
        for k in 0..8 {
            let f = File::create(tmp.path().join(format!("part_{k}.bin"))).unwrap();
            f.set_len(16 << 20).unwrap();
        }
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let victim = 1 + state % 7;
        let child = Command::new(common::bin())
            .args(["-c", "open \"part_*.bin\" c8\nstats sqrt(abs(d - 1)) * 2"])
            .current_dir(tmp.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20 + state % 200));
        File::options()
            .write(true)
            .open(tmp.path().join(format!("part_{victim}.bin")))
            .unwrap()
            .set_len((state % 8) << 20)
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let err = common::text(&out.stderr);
        assert_eq!(out.status.signal(), None, "run {run}: killed\n{err}");
        match out.status.code() {
            Some(0) => finished += 1,
            Some(1) => {
                assert!(
                    err.contains(&format!("part_{victim}.bin shrank")),
                    "run {run}: {err}"
                );
                assert!(!common::text(&out.stdout).contains("stats of"));
                caught += 1;
            }
            other => panic!("run {run}: exit {other:?}\n{err}"),
        }
    }
    eprintln!("30 truncations: {caught} caught mid-read, {finished} finished first");
    assert!(caught >= 5, "too few runs hit the truncation ({caught})");
}

/// SigMF recordings, each with its own header bytes, as one dataset:
/// every file's samples after its header, in natural order.
#[test]
fn sigmf_recordings_with_their_own_headers_stack_into_one_dataset() {
    let tmp = common::temp();
    let mut want = Vec::new();
    for k in 0..11u32 {
        let header = 4 * (k as usize % 3) * 8;
        let n = 5 + k as usize;
        let mut bytes = vec![0xAB; header];
        for j in 0..n {
            let v = (k * 100 + j as u32) as f32;
            bytes.extend_from_slice(&v.to_le_bytes());
            bytes.extend_from_slice(&(-v).to_le_bytes());
            want.push(v);
        }
        std::fs::write(tmp.path().join(format!("rec_{k}.sigmf-data")), bytes).unwrap();
        let meta = serde_json::json!({
            "global": {"core:datatype": "cf32_le", "core:version": "1.0.0"},
            "captures": [{"core:sample_start": 0, "core:header_bytes": header}],
            "annotations": []
        });
        std::fs::write(
            tmp.path().join(format!("rec_{k}.sigmf-meta")),
            meta.to_string(),
        )
        .unwrap();
    }
    let lines = json_lines(tmp.path(), "open \"rec_*.sigmf-meta\"; d.r[::-1]; sum(d.i)");
    let reversed: Vec<f64> = want.iter().rev().map(|&v| v as f64).collect();
    assert_eq!(lines[1]["data"], serde_json::json!(reversed));
    let sum: f64 = want.iter().map(|&v| -(v as f64)).sum();
    assert_eq!(lines[2]["value"].as_f64(), Some(sum));
}

/// A SigMF recording whose later captures have their own header bytes
/// (`core:header_bytes` of each capture): the samples are read around every
/// header, as one array of all captures' samples.
#[test]
fn every_sigmf_capture_skips_its_own_header_bytes() {
    let tmp = common::temp();
    // Captures from samples 0, 5 and 12 (20 in all), headers of 16, 8 and 24 bytes.
    let captures = [(0u64, 16usize), (5, 8), (12, 24)];
    let mut bytes = Vec::new();
    let mut want = Vec::new();
    for (k, &(start, header)) in captures.iter().enumerate() {
        bytes.extend(std::iter::repeat_n(0xEE, header));
        let end = captures.get(k + 1).map_or(20, |c| c.0);
        for s in start..end {
            let v = s as f32 * 1.5;
            bytes.extend_from_slice(&v.to_le_bytes());
            bytes.extend_from_slice(&(v + 0.25).to_le_bytes());
            want.push(v as f64);
        }
    }
    bytes.extend(std::iter::repeat_n(0xEE, 8)); // trailing bytes
    std::fs::write(tmp.path().join("rec.sigmf-data"), &bytes).unwrap();
    let meta = serde_json::json!({
        "global": {"core:datatype": "cf32_le", "core:version": "1.0.0", "core:trailing_bytes": 8},
        "captures": captures.iter().map(|&(s, h)| serde_json::json!(
            {"core:sample_start": s, "core:header_bytes": h})).collect::<Vec<_>>(),
        "annotations": []
    });
    std::fs::write(tmp.path().join("rec.sigmf-meta"), meta.to_string()).unwrap();
    let lines = json_lines(tmp.path(), "open rec.sigmf-meta; d.r; d.i[4:6] - d.r[4:6]");
    assert_eq!(lines[1]["data"], serde_json::json!(want));
    assert_eq!(lines[2]["data"], serde_json::json!([0.25, 0.25]));
}
