//! Tab completion as plain logic over a [`Session`] (the REPL's rustyline
//! helper is a thin adapter around [`complete`]): commands and names at the
//! start of a word, fields and attributes after `NAME.`.

use super::{Session, Value, ATTRIBUTES, CONSTANTS};
use crate::syntax::{parse_expression, parse::COMMANDS};

/// Completions for the word ending at byte `pos` of `line`: the byte where
/// the replaced part starts, and the candidates, sorted.
pub fn complete(session: &Session, line: &str, pos: usize) -> (usize, Vec<String>) {
    let pos = pos.min(line.len());
    let before = &line[..pos];
    let start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).map_or(0, |k| k + 1);
    let word = &before[start..];
    let mut out: Vec<String> = if let Some(dot) = word.rfind('.') {
        let (base, prefix) = (&word[..dot], &word[dot + 1..]);
        let members = match parse_expression(base).ok().and_then(|e| session.eval(&e).ok()) {
            Some(Value::View(v)) => {
                let mut m: Vec<String> = v.dtype.fields().iter().map(|f| f.name.clone()).collect();
                m.extend(ATTRIBUTES.iter().map(|s| s.to_string()));
                if v.dtype.is_complex() {
                    m.extend(["r".to_string(), "i".to_string()]);
                }
                m
            }
            Some(Value::Dtype(_)) => ["itemsize", "str", "name", "names"].iter().map(|s| s.to_string()).collect(),
            _ => Vec::new(),
        };
        let keep: Vec<String> = members.into_iter().filter(|m| m.starts_with(prefix)).collect();
        return (start + dot + 1, sorted(keep));
    } else {
        let first_word = line[..start].trim().is_empty();
        let mut c: Vec<String> = session.names().map(str::to_string).collect();
        c.extend(CONSTANTS.iter().map(|s| s.to_string()));
        if first_word {
            c.extend(COMMANDS.iter().map(|s| s.to_string()));
        }
        c.into_iter().filter(|n| n.starts_with(word)).collect()
    };
    out = sorted(out);
    (start, out)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}
