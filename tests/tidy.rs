//! The architecture's invariants, checked over the source text (in the
//! spirit of rust-analyzer's `xtask/src/tidy.rs`):
//!
//! - modules import only modules below them in [`LAYERS`] (so no two
//!   modules import each other);
//! - `unsafe` appears only in `src/source/mapping.rs`;
//! - only `src/frontend/` and `src/main.rs` touch the terminal;
//! - every source file opens with a `//!` paragraph and is named in
//!   ARCHITECTURE.md's code map.
//!
//! Test modules (`#[cfg(test)]` to the end of a file) are not checked for
//! imports: a test may drive the whole pipe.

use std::path::{Path, PathBuf};

/// The layers, lowest first: a module may import only modules listed
/// before it (and itself). `lib` is the crate root's own items
/// (`run_line`, `LineError`, `STACK_SIZE`).
const LAYERS: &[&str] = &[
    // Base: spans, Python literals, operators, errors, dtypes and their
    // codec, number text and typed facts, text made safe to print.
    "span", "text", "lit", "ops", "diag", "dtype", "number", "report",
    // A session's cancellation; files and their one mapping; views.
    "control", "source",
    "view", // Lazy expressions, kernels, reductions; the table of built-ins.
    "compute", "builtins", // Text to statements.
    "syntax",   // File formats, layout guessing and pictures (read by `open`, written by `save`).
    "npy", "formats", "guess", "picture", "help", "io",     // Statements against a session.
    "eval",   // Outputs as tables, csv, json.
    "render", // The pipe for one line, then the front ends.
    "lib", "demo", "frontend",
];

/// Where the terminal may be touched.
fn may_touch_terminal(path: &str) -> bool {
    path.starts_with("src/frontend/") || path == "src/main.rs"
}

fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut v);
    v.sort();
    v
}

/// `src/eval/call.rs` → `eval`; `src/lib.rs` → `lib`.
fn top_module(rel: &str) -> &str {
    let rest = rel.trim_start_matches("src/");
    let first = rest.split('/').next().unwrap_or(rest);
    first.trim_end_matches(".rs")
}

/// The code of a file without `//` comments and without its test module.
fn code(text: &str) -> String {
    let end = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..end]
        .lines()
        .map(|l| match l.find("//") {
            Some(k) => &l[..k],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What is wrong with one file's imports: each `crate::X` must name a
/// module below this file's in [`LAYERS`] (or its own).
fn import_violations(rel: &str, text: &str) -> Vec<String> {
    let me = top_module(rel);
    if me == "main" {
        return Vec::new();
    }
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let Some(mine) = rank(me) else {
        return vec![format!("{rel}: module `{me}` is in no layer of LAYERS")];
    };
    let code = code(text);
    let mut out = Vec::new();
    for (k, _) in code.match_indices("crate::") {
        let name: String = code[k + 7..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // Items of the crate root (`crate::run_line`) are the `lib` layer.
        let target = if rank(&name).is_some() {
            name.as_str()
        } else {
            "lib"
        };
        if target == me {
            continue;
        }
        match rank(target) {
            Some(r) if r < mine => {}
            _ => out.push(format!(
                "{rel}: `{me}` imports `crate::{name}`, which is not below it"
            )),
        }
    }
    out.sort();
    out.dedup();
    out
}

fn unsafe_violations(rel: &str, text: &str) -> Vec<String> {
    let code = code(text);
    let uses_unsafe = code
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| w == "unsafe");
    let allows = code.contains("allow(unsafe_code)");
    let mut out = Vec::new();
    if uses_unsafe && rel != "src/source/mapping.rs" {
        out.push(format!("{rel}: `unsafe` outside src/source/mapping.rs"));
    }
    if allows && rel != "src/source/mod.rs" {
        out.push(format!(
            "{rel}: `allow(unsafe_code)` belongs on `mod mapping` alone"
        ));
    }
    out
}

fn terminal_violations(rel: &str, text: &str) -> Vec<String> {
    if may_touch_terminal(rel) {
        return Vec::new();
    }
    let code = code(text);
    [
        "print!(",
        "println!(",
        "eprint!(",
        "eprintln!(",
        "stdout()",
        "stderr()",
        "is_terminal",
    ]
    .iter()
    .filter(|m| {
        // `print!(` inside `eprint!(` is not a second use.
        code.match_indices(*m).any(|(k, _)| {
            !code[..k]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    })
    .map(|m| format!("{rel}: `{m}` outside the front ends"))
    .collect()
}

fn rel(p: &Path) -> String {
    p.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn modules_import_only_layers_below_them() {
    let bad: Vec<String> = sources()
        .iter()
        .flat_map(|p| import_violations(&rel(p), &std::fs::read_to_string(p).unwrap()))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn unsafe_lives_only_in_the_mapping_module() {
    let bad: Vec<String> = sources()
        .iter()
        .flat_map(|p| unsafe_violations(&rel(p), &std::fs::read_to_string(p).unwrap()))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn only_the_front_ends_touch_the_terminal() {
    let bad: Vec<String> = sources()
        .iter()
        .flat_map(|p| terminal_violations(&rel(p), &std::fs::read_to_string(p).unwrap()))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_source_file_says_what_it_is_and_is_in_the_code_map() {
    let map =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
            .unwrap();
    let mut bad = Vec::new();
    for p in sources() {
        let rel = rel(&p);
        let text = std::fs::read_to_string(&p).unwrap();
        if !text.trim_start().starts_with("//!") {
            bad.push(format!("{rel}: no `//!` paragraph at the top"));
        }
        // Files grouped in the map as `src/formats/{sigmf,envi}.rs` count.
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        let folder = rel.rsplit_once('/').map_or("", |x| x.0);
        let named = map.contains(&format!("`{rel}`"))
            || (map.contains(&format!("`{folder}/{{")) && map.contains(&stem));
        if !named {
            bad.push(format!("{rel}: not in ARCHITECTURE.md's code map"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The checks can fail: each finds what it is for in a made-up file.
#[test]
fn each_check_catches_what_it_is_for() {
    assert_eq!(
        import_violations("src/dtype.rs", "//! x\nuse crate::eval::Session;\n"),
        ["src/dtype.rs: `dtype` imports `crate::eval`, which is not below it"]
    );
    assert_eq!(
        import_violations("src/syntax/parse.rs", "fn f() { crate::run_line(); }"),
        ["src/syntax/parse.rs: `syntax` imports `crate::run_line`, which is not below it"]
    );
    assert!(import_violations("src/eval/mod.rs", "use crate::dtype::Dtype;").is_empty());
    assert!(
        import_violations(
            "src/dtype.rs",
            "#[cfg(test)]\nmod t { use crate::eval::Session; }"
        )
        .is_empty(),
        "tests may import anything"
    );
    assert_eq!(import_violations("src/newthing.rs", "").len(), 1);
    assert_eq!(
        unsafe_violations("src/view.rs", "fn f() { unsafe { g() } }").len(),
        1
    );
    assert!(unsafe_violations("src/view.rs", "// unsafe in a comment").is_empty());
    assert_eq!(
        terminal_violations("src/render/mod.rs", "fn f() { eprintln!(\"x\"); }").len(),
        1
    );
    assert!(terminal_violations("src/frontend/repl.rs", "println!(\"x\")").is_empty());
}
