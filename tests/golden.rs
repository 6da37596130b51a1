//! Golden tests of what users see: every `examples/*.strided` and
//! `tests/golden/*.strided` runs in a temp folder holding the demo file as
//! `demo.bin` (and any sparse file a `# setup: sparse NAME BYTES` line asks
//! for); stdout, then stderr, must equal the `.out` file beside it.
//! `STRIDED_BLESS=1 cargo test --test golden` rewrites the `.out` files
//! (review the diff before committing).

mod common;

use std::path::Path;

fn check_folder(folder: &str, extra_args: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let bless = std::env::var("STRIDED_BLESS").is_ok_and(|v| v == "1");
    let mut scripts: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "strided"))
        .collect();
    scripts.sort();
    assert!(!scripts.is_empty(), "no scripts in {folder}");
    let mut failures = Vec::new();
    for script in scripts {
        let dir = common::temp();
        std::fs::write(dir.path().join("demo.bin"), strided::demo::demo_bytes()).unwrap();
        let name = script.file_name().unwrap().to_str().unwrap();
        std::fs::copy(&script, dir.path().join(name)).unwrap();
        // `# setup: sparse NAME BYTES` makes a sparse file of zeros (a big
        // file that costs no disk), for examples of exploring huge files.
        for line in std::fs::read_to_string(&script).unwrap().lines() {
            if let Some(rest) = line.strip_prefix("# setup: sparse ") {
                let (file, len) = rest.split_once(' ').expect("# setup: sparse NAME BYTES");
                let f = std::fs::File::create(dir.path().join(file)).unwrap();
                f.set_len(len.trim().parse().expect("a size in bytes"))
                    .unwrap();
            }
        }
        let mut args = extra_args.to_vec();
        args.push(name);
        // A fixed number of threads: `explain` prints the plan's threads,
        // which would otherwise be the machine's core count.
        let out = common::run_in_with(dir.path(), &args, "", &[("STRIDED_THREADS", "2")]);
        // Every script opens demo.bin; none may change it (mode=c writes
        // stay in the session's pages).
        assert!(
            std::fs::read(dir.path().join("demo.bin")).unwrap() == strided::demo::demo_bytes(),
            "{name} changed demo.bin"
        );
        let mut got = common::text(&out.stdout);
        let err = common::text(&out.stderr);
        if !err.is_empty() {
            got.push_str("--- stderr ---\n");
            got.push_str(&err);
        }
        got.push_str(&format!(
            "--- exit status {} ---\n",
            out.status.code().unwrap_or(-1)
        ));
        let golden = script.with_extension("out");
        if bless {
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if want != got {
            failures.push(format!(
                "{}: output differs from {}\n--- got ---\n{got}",
                script.display(),
                golden.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(STRIDED_BLESS=1 rewrites the goldens)",
        failures.join("\n")
    );
}

#[test]
fn examples_print_their_golden_output() {
    check_folder("examples", &[]);
}

#[test]
fn every_user_error_prints_its_golden_message() {
    check_folder("tests/golden", &["--keep-going"]);
}
