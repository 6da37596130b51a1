//! Tab completion as plain logic over a [`Session`] (the REPL's rustyline
//! helper is a thin adapter around [`complete`]): commands and names at the
//! start of a word, fields and attributes after `NAME.`.

use super::{Session, Value, ATTRIBUTES, CONSTANTS};
use crate::syntax::{parse::COMMANDS, parse_expression};

/// Completions for the word ending at byte `pos` of `line`: the byte where
/// the replaced part starts, and the candidates, sorted.
pub fn complete(session: &Session, line: &str, pos: usize) -> (usize, Vec<String>) {
    let pos = pos.min(line.len());
    let before = &line[..pos];
    let start = expression_start(before);
    let word = &before[start..];
    let mut out: Vec<String> = if let Some(dot) = word.rfind('.') {
        let (base, prefix) = (&word[..dot], &word[dot + 1..]);
        let members = match parse_expression(base)
            .ok()
            .and_then(|e| session.eval(&e).ok())
        {
            Some(Value::View(v) | Value::Void(v)) => {
                let mut m: Vec<String> = v.dtype.fields().iter().map(|f| f.name.clone()).collect();
                m.extend(ATTRIBUTES.iter().map(|s| s.to_string()));
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
        if first_word {
            c.extend(COMMANDS.iter().map(|s| s.to_string()));
        }
        c.into_iter().filter(|n| n.starts_with(word)).collect()
    };
    out = sorted(out);
    (start, out)
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
        assert_eq!(complete(&s, "x = re", 6), (4, vec!["rec".to_string()]));
        assert_eq!(
            complete(&s, "rec.r", 5),
            (4, vec!["re".to_string(), "real".to_string()])
        );
        assert_eq!(
            complete(&s, "rec[0].i", 8),
            (
                7,
                vec!["im".to_string(), "imag".to_string(), "itemsize".to_string()]
            )
        );
        assert_eq!(complete(&s, "nothing.x", 9).1, Vec::<String>::new());
    }
}
