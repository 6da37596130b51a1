//! The live NumPy differential test: fresh random files and index
//! expressions on every run, evaluated by NumPy over np.memmap and by the
//! built `strided` (`save EXPR out.npy`, loaded back with np.load). Needs
//! python3 with numpy; without it the test says why it was skipped, unless
//! STRIDED_REQUIRE_NUMPY=1 (as in .ci/run), where a missing NumPy fails.

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

#[test]
fn random_views_match_numpy_live() {
    if let Err(why) = numpy_available() {
        if std::env::var("STRIDED_REQUIRE_NUMPY").is_ok_and(|v| v == "1") {
            panic!("STRIDED_REQUIRE_NUMPY=1 but {why}");
        }
        eprintln!(
            "skipped: the live NumPy differential test needs numpy: {why} (pip install numpy)"
        );
        return;
    }
    let cases = std::env::var("STRIDED_NUMPY_CASES").unwrap_or_else(|_| "600".into());
    let mut cmd = Command::new("python3");
    cmd.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/oracle/numpy_oracle.py"
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
