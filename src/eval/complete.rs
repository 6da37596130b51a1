//! Tab completion as plain logic over a [`Session`] (the REPL's rustyline
//! helper is a thin adapter around [`complete`]): commands and names at the
//! start of a word, fields and attributes after `NAME.`, settings and
//! their values after `set`. Functions and methods complete with their
//! opening parenthesis (`stats ab` → `abs(`); the shell shows candidates
//! without it.
//!
//! Completion never computes: the part before a dot is evaluated only when
//! it is a name followed by fields, attributes and basic indices written as
//! literals (each a view or an element, O(1) to make); anything else
//! (`mean(db(d)).`) is completed from the syntax alone, with the array
//! attributes, so Tab answers at once on a file of any size.

use super::{Session, Value, ATTRIBUTES, CONSTANTS, SETTINGS};
use crate::builtins::{function_names, method_names};
use crate::syntax::{parse::COMMANDS, parse_expression, Expr, ExprKind, IndexItem};

/// Completions for the word ending at byte `pos` of `line`: the byte where
/// the replaced part starts, and the candidates, sorted.
pub fn complete(session: &Session, line: &str, pos: usize) -> (usize, Vec<String>) {
    let pos = pos.min(line.len());
    let before = &line[..pos];
    if let Some(done) = complete_set(before) {
        return done;
    }
    let start = expression_start(before);
    let word = &before[start..];
    let mut out: Vec<String> = if let Some(dot) = word.rfind('.') {
        let (base, prefix) = (&word[..dot], &word[dot + 1..]);
        let parsed = parse_expression(base).ok();
        let value = match &parsed {
            Some(e) if cheap(e) => session.eval(e).ok(),
            // A computation: what it gives is an array, not worth computing.
            Some(_) => {
                let keep = array_members().filter(|m| m.starts_with(prefix)).collect();
                return (start + dot + 1, sorted(keep));
            }
            None => None,
        };
        let members = match value {
            Some(Value::View(v) | Value::Void(v)) => {
                let mut m: Vec<String> = v.dtype.fields().iter().map(|f| f.name.clone()).collect();
                m.extend(array_members());
                if v.dtype.is_complex() {
                    m.extend(["r".to_string(), "i".to_string()]);
                }
                m
            }
            Some(Value::Scalar(d, _)) => {
                let mut m: Vec<String> = ATTRIBUTES.iter().map(|s| s.to_string()).collect();
                if d.is_complex() {
                    m.extend(["r".to_string(), "i".to_string()]);
                }
                m
            }
            Some(Value::Lazy(l)) => {
                let mut m: Vec<String> = array_members().collect();
                if l.dtype.kind == crate::dtype::Kind::Complex {
                    m.extend(["r".to_string(), "i".to_string()]);
                }
                m
            }
            Some(Value::Dtype(_)) => ["itemsize", "str", "name", "names"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            _ => Vec::new(),
        };
        let keep: Vec<String> = members
            .into_iter()
            .filter(|m| m.starts_with(prefix))
            .collect();
        return (start + dot + 1, sorted(keep));
    } else {
        let first_word = line[..start].trim().is_empty();
        let mut c: Vec<String> = session.names().map(str::to_string).collect();
        c.extend(CONSTANTS.iter().map(|s| s.to_string()));
        c.extend(function_names().map(|f| format!("{f}(")));
        if first_word {
            c.extend(COMMANDS.iter().map(|s| s.to_string()));
        }
        c.into_iter().filter(|n| n.starts_with(word)).collect()
    };
    out = sorted(out);
    (start, out)
}

/// What follows `x.` for an array: its attributes, and its methods with
/// their opening parenthesis.
fn array_members() -> impl Iterator<Item = String> {
    ATTRIBUTES.iter().map(|a| a.to_string()).chain(
        method_names()
            .filter(|m| !ATTRIBUTES.contains(m))
            .map(|m| format!("{m}(")),
    )
}

/// `set KEY VALUE`: the settings after `set `, a setting's words after
/// `set KEY ` (`None` for any other line).
fn complete_set(before: &str) -> Option<(usize, Vec<String>)> {
    let rest = before.trim_start().strip_prefix("set ")?;
    let word_start = before.len() - before.split(' ').next_back().unwrap_or("").len();
    let word = &before[word_start..];
    let words: Vec<&str> = rest.split_whitespace().collect();
    let typing_key = words.is_empty() || (words.len() == 1 && !rest.ends_with(' '));
    let candidates: Vec<String> = if typing_key {
        SETTINGS.iter().map(|(k, _)| k.to_string()).collect()
    } else if words.len() == 1 || (words.len() == 2 && !rest.ends_with(' ')) {
        SETTINGS
            .iter()
            .find(|(k, _)| *k == words[0])
            .map(|(_, values)| values.iter().map(|v| v.to_string()).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let keep = candidates
        .into_iter()
        .filter(|c| c.starts_with(word))
        .collect();
    Some((word_start, sorted(keep)))
}

/// Whether evaluating `e` is O(1) whatever the data: a name, fields and
/// attributes, and subscripts of literal integers, slices of literals,
/// `...`, `None` and field names. No call, operator or array index.
fn cheap(e: &Expr) -> bool {
    let literal = |e: &Expr| match &e.kind {
        ExprKind::Int(_) | ExprKind::None | ExprKind::Str(_) => true,
        ExprKind::Unary { operand, .. } => matches!(operand.kind, ExprKind::Int(_)),
        _ => false,
    };
    match &e.kind {
        ExprKind::Name(_) => true,
        ExprKind::Attr { base, .. } => cheap(base),
        ExprKind::Index { base, items } => {
            cheap(base)
                && items.iter().all(|i| match i {
                    IndexItem::Ellipsis(_) => true,
                    IndexItem::Slice {
                        start, stop, step, ..
                    } => [start, stop, step]
                        .iter()
                        .all(|p| p.as_ref().is_none_or(literal)),
                    IndexItem::Expr(x) => literal(x),
                })
        }
        _ => false,
    }
}

/// Where the postfix expression ending at the end of `text` starts:
/// back over names, dots and balanced brackets (`rec[0, :2].i` → 0).
fn expression_start(text: &str) -> usize {
    let mut depth = 0usize;
    for (k, c) in text.char_indices().rev() {
        match c {
            ']' | ')' => depth += 1,
            '[' | '(' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            c if c.is_alphanumeric() || c == '_' || c == '.' => {}
            _ => return k + c.len_utf8(),
        }
    }
    0
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_commands_names_fields_and_attributes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        std::fs::write(&path, [0u8; 64]).unwrap();
        let mut s = Session::new();
        crate::run_line(
            &mut s,
            &format!(
                "open {:?} {{re: <f4, im: <f4}} as rec",
                path.display().to_string()
            ),
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(complete(&s, "op", 2), (0, vec!["open".to_string()]));
        assert_eq!(complete(&s, "x = re", 6).1, ["real(", "rec", "reshape("]);
        assert_eq!(complete(&s, "st", 2).1, ["stats", "std("]);
        assert_eq!(
            complete(&s, "x = st", 6).1,
            ["std("],
            "commands start a line"
        );
        assert_eq!(complete(&s, "stats ab", 8), (6, vec!["abs(".to_string()]));
        assert_eq!(
            complete(&s, "rec.r", 5).1,
            ["ravel(", "re", "real", "reshape(", "round("]
        );
        assert_eq!(complete(&s, "set ", 4).1.len(), SETTINGS.len());
        assert_eq!(complete(&s, "set wi", 6), (4, vec!["width".to_string()]));
        assert_eq!(
            complete(&s, "set format ", 11),
            (
                11,
                vec!["csv".to_string(), "json".to_string(), "table".to_string()]
            )
        );
        assert_eq!(
            complete(&s, "set format j", 12),
            (11, vec!["json".to_string()])
        );
        assert_eq!(complete(&s, "set precision ", 14).1, Vec::<String>::new());
        assert_eq!(
            complete(&s, "rec[0].i", 8),
            (
                7,
                vec![
                    "im".to_string(),
                    "imag".to_string(),
                    "item(".to_string(),
                    "itemsize".to_string()
                ]
            )
        );
        assert_eq!(complete(&s, "nothing.x", 9).1, Vec::<String>::new());
    }

    /// Regression: Tab after `mean(db(d)).` ran the whole reduction inside
    /// the line editor. No completion starts a computation.
    #[test]
    fn completion_never_computes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.c8");
        std::fs::write(&path, [0u8; 1 << 16]).unwrap();
        let mut s = Session::new();
        crate::run_line(
            &mut s,
            &format!(
                "open {:?} c8 as d; m = db(d); z = d * 2",
                path.display().to_string()
            ),
            &mut Vec::new(),
        )
        .unwrap();
        let jobs = s.control().jobs_started();
        for line in [
            "mean(db(d)).sh",
            "sum(d[d.r > 0]).",
            "d[[1, 2]].s",
            "m.s",
            "(d * 2).re",
        ] {
            let (_, got) = complete(&s, line, line.len());
            assert!(
                got.iter().all(|c| array_members().any(|m| &m == c)),
                "{line}: {got:?}"
            );
            assert!(!got.is_empty(), "{line}");
        }
        assert_eq!(
            complete(&s, "d[3:-1, ...].r", 14).1,
            ["r", "ravel(", "real", "reshape(", "round("]
        );
        assert_eq!(complete(&s, "m.i", 3).1, ["imag", "item(", "itemsize"]);
        assert_eq!(complete(&s, "z.i", 3).1, ["i", "imag", "item(", "itemsize"]);
        assert_eq!(s.control().jobs_started(), jobs, "a completion computed");
        // Evaluating one of those lines does start a computation.
        crate::run_line(&mut s, "mean(db(d)).shape", &mut Vec::new()).unwrap();
        assert!(s.control().jobs_started() > jobs);
    }
}
