//! Whatever a person types, strided answers with output or an error, never a
//! panic: thousands of random lines built from the language's own tokens
//! run against a session with a complex and a record view open.

use strided::{run_line, Session};

const TOKENS: &[&str] = &[
    "d",
    "rec",
    "x",
    "[",
    "]",
    "(",
    ")",
    ":",
    ",",
    "...",
    "None",
    "-",
    "+",
    "*",
    "**",
    "//",
    "/",
    "%",
    ".",
    "r",
    "i",
    "real",
    "imag",
    "T",
    "shape",
    "strides",
    "dtype",
    "itemsize",
    "0",
    "1",
    "-1",
    "3",
    "7",
    "99999999999999999999",
    "'r'",
    "'a'",
    "=",
    ";",
    " ",
    "#",
    "{",
    "}",
    "<f4",
    "1.5",
    "2j",
    "==",
    "<",
    "~",
    "&",
    "|",
    "^",
    "vars",
    "files",
    "set",
    "precision",
    "rows",
    "format",
    "json",
    "csv",
    "table",
    "help",
    "close",
    "open",
    "\"",
    "'",
    "0x1f",
    "1e400",
];

#[test]
fn random_lines_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let c8 = dir.path().join("c.bin");
    let recs = dir.path().join("r.bin");
    std::fs::write(&c8, (0..160u8).collect::<Vec<_>>()).unwrap();
    std::fs::write(&recs, (0..100u8).collect::<Vec<_>>()).unwrap();
    let setup = format!(
        "open {:?} 4x5; open {:?} {{a: >i2, b: <f8}} as rec; x = d[1:, ::-2]",
        c8.display().to_string(),
        recs.display().to_string()
    );
    std::thread::Builder::new()
        .stack_size(strided::STACK_SIZE)
        .spawn(move || {
            let mut session = Session::new();
            run_line(&mut session, &setup, &mut Vec::new()).unwrap();
            let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            let (mut ok, mut failed) = (0, 0);
            for _ in 0..30_000 {
                let n = 1 + next() % 12;
                let line: String = (0..n)
                    .map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize])
                    .collect();
                let mut out = Vec::new();
                match run_line(&mut session, &line, &mut out) {
                    Ok(()) => ok += 1,
                    Err(strided::LineError::Stmt(e)) => {
                        // The message renders with a caret inside the line.
                        let text = e.render(Some(("fuzz", 1)), &line);
                        assert!(text.contains("error:"), "{text}");
                        failed += 1;
                    }
                    Err(strided::LineError::Io(e)) => panic!("{line:?}: {e}"),
                }
                // A setting from a random line must not make later lines fail to render.
                session.settings = strided::eval::Settings::default();
            }
            eprintln!("random lines: {ok} ran, {failed} failed cleanly");
            assert!(
                ok > 100 && failed > 100,
                "the generator should make both good and bad lines: {ok} ok, {failed} failed"
            );
        })
        .unwrap()
        .join()
        .unwrap();
}
