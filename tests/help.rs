//! Every example in `help` runs: each topic's examples, in order, in one
//! session that has opened a 100x100 complex64 file `f.bin` (the demo's
//! bytes) as `d`, with `--keep-going` off so the first failing example
//! fails the test. Each topic also fits one screen (24 lines of 100
//! columns), and every topic the overview names exists.

mod common;

use strided::help::{topic, topic_names, TOPICS};

#[test]
fn every_help_example_runs() {
    for t in TOPICS {
        let dir = common::temp();
        std::fs::write(dir.path().join("f.bin"), strided::demo::demo_bytes()).unwrap();
        let mut script = String::from("open f.bin 100x100\n");
        for (code, _) in t.examples {
            script.push_str(code);
            script.push('\n');
        }
        let out = common::run_in(dir.path(), &[], &script);
        assert!(
            out.status.success(),
            "help {}: an example fails:\n{}",
            t.names[0],
            common::text(&out.stderr)
        );
        // Examples that write a picture or a file leave it behind.
        for (code, _) in t.examples {
            if let Some(path) = code.split(" to ").nth(1) {
                let file = path.split_whitespace().next().unwrap();
                assert!(
                    dir.path().join(file).exists(),
                    "help {}: `{code}` wrote no {file}",
                    t.names[0]
                );
            }
        }
    }
}

#[test]
fn every_topic_fits_one_screen_and_is_reachable() {
    for t in TOPICS {
        let text = t.text();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines.len() <= 24,
            "help {} has {} lines",
            t.names[0],
            lines.len()
        );
        for l in &lines {
            assert!(
                l.chars().count() <= 100,
                "help {}: line too long: {l}",
                t.names[0]
            );
        }
        for name in t.names {
            assert_eq!(topic(Some(name)).as_deref(), Some(text.as_str()));
        }
    }
    let overview = topic(None).unwrap();
    for name in topic_names() {
        assert!(
            overview.contains(name),
            "the overview does not list `{name}`"
        );
    }
}

/// Every built-in function and method has help and an example that runs,
/// read from the one table that dispatch and completion read too.
#[test]
fn every_builtin_has_help_and_a_working_example() {
    let dir = common::temp();
    std::fs::write(dir.path().join("f.bin"), strided::demo::demo_bytes()).unwrap();
    let mut script = String::from("open f.bin 100x100\n");
    for b in strided::builtins::BUILTINS {
        script.push_str(&format!("help {}\n{}\n", b.name, b.example));
    }
    let out = common::run_in(dir.path(), &[], &script);
    assert!(
        out.status.success(),
        "a built-in's help or example fails:\n{}",
        common::text(&out.stderr)
    );
    let listing = strided::help::topic(Some("functions")).unwrap();
    for b in strided::builtins::BUILTINS {
        assert!(listing.contains(b.name), "help functions omits {}", b.name);
        // `help NAME` shows a topic of that name first (`help reshape`).
        assert!(
            strided::help::topic(Some(b.name)).is_some(),
            "help {}",
            b.name
        );
        let help = strided::builtins::help_text(b);
        assert!(help.contains(b.numpy) && help.contains(b.example), "{help}");
    }
}
