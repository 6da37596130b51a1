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
    match Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
    {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "python3 cannot import numpy ({})",
            common::text(&o.stderr).lines().last().unwrap_or("")
        )),
        Err(e) => Err(format!("python3 is not available ({e})")),
    }
}

/// Runs one oracle script live, or says why not.
fn run_oracle(script: &str, default_cases: &str) {
    if let Err(why) = numpy_available() {
        if std::env::var("STRIDED_REQUIRE_NUMPY").is_ok_and(|v| v == "1") {
            panic!("STRIDED_REQUIRE_NUMPY=1 but {why}");
        }
        eprintln!(
            "skipped: the live NumPy differential test needs numpy: {why} (pip install numpy)"
        );
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

#[test]
fn explain_reports_numpys_strides_offsets_and_byte_bounds_live() {
    run_oracle("numpy_explain.py", "300");
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
