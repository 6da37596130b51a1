//! The grammar document is normative: every example in it parses, and
//! every production it names is a parser function of the same name.

use std::collections::BTreeSet;

const GRAMMAR: &str = include_str!("../grammar/strided.ebnf");
/// The parser: its entry points and the grammar's files, by area.
const PARSER: &str = concat!(
    include_str!("../src/syntax/parse.rs"),
    include_str!("../src/syntax/grammar/mod.rs"),
    include_str!("../src/syntax/grammar/lexical.rs"),
    include_str!("../src/syntax/grammar/expr.rs"),
    include_str!("../src/syntax/grammar/subscript.rs"),
    include_str!("../src/syntax/grammar/literal.rs"),
    include_str!("../src/syntax/grammar/dtype.rs"),
    include_str!("../src/syntax/grammar/stmt.rs"),
);

#[test]
fn every_example_in_the_grammar_parses() {
    let examples: Vec<&str> = GRAMMAR
        .lines()
        .filter_map(|l| l.trim().strip_prefix("(* example: "))
        .map(|l| l.trim_end().strip_suffix("*)").unwrap_or(l).trim_end())
        .collect();
    assert!(examples.len() >= 15, "the grammar lost its examples");
    for e in examples {
        let stmts = strided::syntax::parse_line(e)
            .unwrap_or_else(|err| panic!("grammar example {e:?} does not parse: {err:?}"));
        assert!(!stmts.is_empty(), "{e:?} parsed to nothing");
    }
}

#[test]
fn every_production_is_a_parser_function_of_the_same_name() {
    // Productions the parser folds into a neighbour: `line` is `parse_line`
    // (comments are skipped there), a bare word is part of `path`, the short
    // commands and assignment are branches of `statement`, a slice is a
    // branch of `index_item`, and attribute and argument are branches of
    // `postfix` and `call`.
    let lexical: BTreeSet<&str> = [
        "line",
        "comment",
        "bare_word",
        "vars_stmt",
        "files_stmt",
        "help_stmt",
        "close_stmt",
        "info_stmt",
        "set_stmt",
        "stats_stmt",
        "explain_stmt",
        "bytes_stmt",
        "import_stmt",
        "assignment",
        "item_assignment",
        "flush_stmt",
        "slice",
        "attribute",
        "argument",
    ]
    .into();
    let productions: Vec<&str> = GRAMMAR
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('('))
        .filter_map(|l| {
            l.split_once(" = ")
                .or_else(|| l.split_once("= "))
                .map(|(n, _)| n.trim())
        })
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect();
    assert!(productions.len() > 20, "found only {productions:?}");
    for p in productions {
        if lexical.contains(p) {
            continue;
        }
        assert!(
            PARSER.contains(&format!("fn {p}(")) || PARSER.contains(&format!("fn {p}<")),
            "production `{p}` has no parser function `fn {p}(`"
        );
    }
}
