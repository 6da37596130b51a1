//! The live NumPy differential tests: fresh random files and expressions
//! on every run, evaluated by NumPy and by the built `strided` (`save EXPR
//! out.npy`, loaded back with np.load). One covers indexing
//! (tests/oracle/numpy_oracle.py), one computation and reductions
//! (tests/oracle/numpy_compute.py), one `explain`'s numbers against NumPy's
//! strides, offsets and byte bounds (tests/oracle/numpy_explain.py), one
//! the file formats (.npz, ENVI, SigMF with the `sigmf` package when it is
//! installed, VRT, and `export`) round trip (tests/oracle/formats.py). They need python3 with numpy; without
//! it they say why they were skipped, unless STRIDED_REQUIRE_NUMPY=1 (as in
//! .ci/run), where a missing NumPy fails. STRIDED_NUMPY_SEED and
//! STRIDED_NUMPY_CASES replay or enlarge a run.

mod common;

use std::process::Command;

fn numpy_available() -> Result<(), String> {
    python_imports("numpy")
}

/// Whether python3 can import `modules` (`import numpy`, ...), or why not.
fn python_imports(modules: &str) -> Result<(), String> {
    match Command::new("python3")
        .args(["-c", &format!("import {modules}")])
        .output()
    {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "python3 cannot import {modules} ({})",
            common::text(&o.stderr).lines().last().unwrap_or("")
        )),
        Err(e) => Err(format!("python3 is not available ({e})")),
    }
}

/// Whether the live tests can run. Without NumPy they say why they skip,
/// unless STRIDED_REQUIRE_NUMPY=1 (as in .ci/run), where a missing NumPy
/// fails the test.
fn numpy_or_skip() -> bool {
    match numpy_available() {
        Ok(()) => true,
        Err(why) if std::env::var("STRIDED_REQUIRE_NUMPY").is_ok_and(|v| v == "1") => {
            panic!("STRIDED_REQUIRE_NUMPY=1 but {why}")
        }
        Err(why) => {
            eprintln!("skipped: the live NumPy test needs numpy: {why} (pip install numpy)");
            false
        }
    }
}

/// Runs one oracle script live, or says why not.
fn run_oracle(script: &str, default_cases: &str) {
    if !numpy_or_skip() {
        return;
    }
    let cases = std::env::var("STRIDED_NUMPY_CASES").unwrap_or_else(|_| default_cases.into());
    let mut cmd = Command::new("python3");
    cmd.arg(format!(
        "{}/tests/oracle/{script}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .args(["--live", common::bin().to_str().unwrap(), "--cases", &cases]);
    if let Ok(seed) = std::env::var("STRIDED_NUMPY_SEED") {
        cmd.args(["--seed", &seed]);
    }
    let out = cmd.output().expect("run the oracle");
    let report = format!("{}{}", common::text(&out.stdout), common::text(&out.stderr));
    eprintln!("{report}");
    assert!(
        out.status.success(),
        "strided differs from NumPy (rerun with the seed printed above):\n{report}"
    );
}

#[test]
fn random_views_match_numpy_live() {
    run_oracle("numpy_oracle.py", "600");
}

#[test]
fn random_computations_match_numpy_live() {
    run_oracle("numpy_compute.py", "400");
}

/// Random item assignments and in-place operators on a file opened with
/// `mode=c` or `mode=r+`, against NumPy on `np.memmap` with the same mode:
/// the same statements fail, the arrays (and a view and a copy taken
/// before) end equal, `mode=c` leaves the file alone and `mode=r+` leaves
/// NumPy's bytes in it.
#[test]
fn writes_match_numpy_memmap_live() {
    run_oracle("writes.py", "300");
}

/// String fields (`S`, `U`) in records and alone: each element printed as
/// NumPy's `str()` and each table cell as its array printing, and saved
/// fields and elements with NumPy's dtype and bytes.
#[test]
fn strings_print_and_save_as_numpy_does_live() {
    run_oracle("strings.py", "40");
}

#[test]
fn explain_reports_numpys_strides_offsets_and_byte_bounds_live() {
    run_oracle("numpy_explain.py", "300");
}

/// numpy.fft and scipy.signal.welch against strided's transforms and
/// spectra, over random dtypes, lengths, views and arguments.
#[test]
fn fourier_transforms_and_welch_match_numpy_and_scipy_live() {
    run_oracle("spectral.py", "300");
}

/// `hist` against np.histogram: counts and bin edges over random dtypes,
/// views, bin counts and ranges, with values placed on the edges where
/// NumPy's bin arithmetic and its correction step decide.
#[test]
fn histograms_match_numpy_live() {
    run_oracle("histogram.py", "200");
}

/// int64 and uint64 values past 2^53 (which float64 cannot all hold)
/// against NumPy: elementwise results saved to .npy byte for byte, and the
/// whole-array sum/min/max/ptp/argmin/argmax and `stats` extremes.
#[test]
fn wide_integers_are_exact_as_in_numpy_live() {
    run_oracle("wide_ints.py", "200");
}

/// `guess` over a small corpus that bench/guess_corpus.py makes at test
/// time (seed 1: 16 files of every kind, some with headers; layouts drawn
/// at random, the truth kept from the guesser): each file's layout is
/// among the first three candidates. The accuracy over bigger corpora is
/// the benchmark's (bench/guess_accuracy.py).
#[test]
fn guess_puts_every_layout_of_a_small_random_corpus_in_its_top_three_live() {
    if !numpy_or_skip() {
        return;
    }
    let out = Command::new("python3")
        .arg(format!(
            "{}/bench/guess_accuracy.py",
            env!("CARGO_MANIFEST_DIR")
        ))
        .args(["--binary", common::bin().to_str().unwrap()])
        .args(["--seed", "1", "--count", "16", "--require-top3", "100"])
        .output()
        .expect("run the guess benchmark");
    let report = format!("{}{}", common::text(&out.stdout), common::text(&out.stderr));
    eprintln!("{report}");
    assert!(out.status.success(), "guess missed a layout:\n{report}");
}

#[test]
fn file_formats_round_trip_with_numpy_and_sigmf_live() {
    run_oracle("formats.py", "30");
}

/// `--format csv` and `--format json` of every command, read back by
/// Python's csv and json modules, with typed values checked against NumPy.
#[test]
fn every_command_prints_pure_csv_and_typed_json_live() {
    run_oracle("machine_output.py", "1");
}

/// Python's own `//` and `%` on floats, against strided's scalars and
/// arrays (both go through the same functions). Regression: the scalar
/// path gave `7.0 // 0.1 == 70.0` and `7.0 % 0.1 == 0.0`; Python gives
/// 69.0 and 0.09999999999999962.
#[test]
fn float_floor_division_and_modulo_match_python_live() {
    if !numpy_or_skip() {
        return;
    }
    let mut pairs: Vec<(f64, f64)> = vec![
        (7.0, 0.1),
        (-7.0, 0.1),
        (1.0, 0.1),
        (7.5, -2.0),
        (-0.0, 3.0),
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..200 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let a = ((state % 20_000) as f64 - 10_000.0) / 7.0;
        let b = (((state >> 20) % 2_000) as f64 - 1_000.0) / 13.0;
        if b != 0.0 {
            pairs.push((a, b));
        }
    }
    let py_list: Vec<String> = pairs
        .iter()
        .map(|(a, b)| format!("({a:?}, {b:?})"))
        .collect();
    let python = Command::new("python3")
        .args([
            "-c",
            &format!(
                "for a, b in [{}]:\n    print(repr(a // b)); print(repr(a % b))",
                py_list.join(", ")
            ),
        ])
        .output()
        .expect("python3");
    assert!(python.status.success());
    let want = common::text(&python.stdout);
    // Scalars.
    let lines: Vec<String> = pairs
        .iter()
        .map(|(a, b)| format!("{a:?} // {b:?}\n{a:?} % {b:?}"))
        .collect();
    let dir = common::temp();
    let out = common::run_in(dir.path(), &[], &format!("{}\n", lines.join("\n")));
    let got = common::text(&out.stdout);
    for (k, (g, w)) in got.lines().zip(want.lines()).enumerate() {
        let (a, b) = pairs[k / 2];
        let op = if k % 2 == 0 { "//" } else { "%" };
        assert_eq!(g, w, "{a:?} {op} {b:?}: strided {g}, Python {w}");
    }
    assert_eq!(
        got.lines().count(),
        want.lines().count(),
        "{}",
        common::text(&out.stderr)
    );
    // Arrays of float64, printed as csv (the shortest exact text, as repr).
    let bytes = |f: fn(&(f64, f64)) -> f64| -> Vec<u8> {
        pairs.iter().flat_map(|p| f(p).to_le_bytes()).collect()
    };
    std::fs::write(dir.path().join("a.f8"), bytes(|p| p.0)).unwrap();
    std::fs::write(dir.path().join("b.f8"), bytes(|p| p.1)).unwrap();
    let out = common::run_in(
        dir.path(),
        &[
            "--format",
            "csv",
            "-c",
            "open a.f8 f8 as a; open b.f8 f8 as b; a // b; a % b",
        ],
        "",
    );
    let got: Vec<String> = common::text(&out.stdout)
        .lines()
        .map(String::from)
        .collect();
    let n = pairs.len();
    let want: Vec<&str> = want.lines().collect();
    let q: Vec<&str> = want.iter().step_by(2).copied().collect();
    let r: Vec<&str> = want.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(got[..n], q[..], "array //");
    assert_eq!(got[n..], r[..], "array %");
}

/// Edge cases of reductions against NumPy itself: a ddof that leaves no
/// degree of freedom (NumPy divides by max(n - ddof, 0): infinity, or NaN
/// with no spread), and min, max, argmin, argmax over no element, which
/// NumPy refuses even when the result would be empty (`fmin`/`fmax` for
/// the nan- forms). Regressions: strided gave NaN, and empty results.
#[test]
fn reductions_over_too_few_elements_match_numpy_live() {
    if !numpy_or_skip() {
        return;
    }
    let cases = [
        "var(x, axis=1, ddof=5)",
        "var(x, axis=1, ddof=7)",
        "std(x, ddof=10)",
        "var(x[:, :1], axis=1, ddof=1)",
        "nanvar(x, axis=0, ddof=2)",
        "nanstd(x, ddof=10)",
        "max(x[:0, :0], axis=1)",
        "min(x[:0, :0], axis=0)",
        "nanmin(x[:0, :0], axis=1)",
        "nanmax(x[:0])",
        "argmax(x[:0, :0], axis=1)",
        "argmin(x[:, :0], axis=1)",
        "sum(x[:0, :0], axis=1)",
        "max(x[:0], axis=1)",
    ];
    let dir = common::temp();
    let values: Vec<u8> = (0..10u8)
        .flat_map(|k| (k as f32 * 1.5).to_le_bytes())
        .collect();
    std::fs::write(dir.path().join("x.f4"), values).unwrap();
    let numpy = |expr: &str| {
        let code = format!(
            "import numpy as np, warnings\nwarnings.simplefilter('ignore')\n\
             from numpy import var, std, nanvar, nanstd, max, min, nanmin, nanmax, argmax, argmin, sum\n\
             x = np.fromfile('x.f4', dtype='<f4').reshape(2, 5)\n\
             try:\n    r = np.asarray({expr})\n    print(','.join(repr(float(v)) for v in r.ravel()))\n\
             except ValueError as e:\n    print('error:', e)\n"
        );
        let out = Command::new("python3")
            .arg("-c")
            .arg(code)
            .current_dir(dir.path())
            .output()
            .unwrap();
        common::text(&out.stdout).trim().to_string()
    };
    for expr in cases {
        let out = common::run_in(
            dir.path(),
            &[
                "--format",
                "csv",
                "-c",
                &format!("open x.f4 2x5 <f4 as x; {expr}"),
            ],
            "",
        );
        let got = if out.status.success() {
            common::text(&out.stdout).trim().replace('\n', ",")
        } else {
            let err = common::text(&out.stderr);
            let line = err.lines().find(|l| l.contains(": error: ")).unwrap_or("");
            format!("error: {}", line.split(": error: ").nth(1).unwrap_or(&err))
        };
        assert_eq!(got, numpy(expr), "{expr}");
    }
}

/// Datasets of many files (random splits, raw and .npy, patterns, folders
/// and lists) against NumPy over np.concatenate of one memmap per file.
#[test]
fn datasets_of_many_files_match_numpys_concatenated_memmaps_live() {
    run_oracle("datasets.py", "150");
}

/// `export ... dask`: about 75 statements over three multi-file datasets
/// (views, elementwise expressions, reductions with and without `axis=`,
/// `stats`, `hist`) exported as programs and run on a Dask LocalCluster of
/// two workers, each printed result against strided's `--format json`.
/// Needs dask and distributed (`.ci/run` installs them); without them it
/// says why it skips, unless STRIDED_REQUIRE_NUMPY=1.
#[test]
fn dask_programs_compute_what_strided_computes_live() {
    if !numpy_or_skip() {
        return;
    }
    if let Err(why) = python_imports("dask.array, distributed") {
        if std::env::var("STRIDED_REQUIRE_NUMPY").is_ok_and(|v| v == "1") {
            panic!("STRIDED_REQUIRE_NUMPY=1 but {why}");
        }
        eprintln!("skipped: {why} (pip install 'dask[array]' distributed)");
        return;
    }
    run_oracle("dask_export.py", "0");
}
