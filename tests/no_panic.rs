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

/// `sum(x, axis=())` panicked (index out of bounds in `eval/call.rs`):
/// NumPy reduces over no axis, giving each element alone.
#[test]
fn reducing_over_an_empty_tuple_of_axes_gives_the_elements() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.i2");
    let values: [i16; 6] = [0, 3, 0, -2, 5, 0];
    std::fs::write(
        &path,
        values
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let mut session = Session::new();
    session.settings.format = strided::eval::Format::Csv;
    let open = format!("open {:?} 2x3 i2 as x", path.display().to_string());
    run_line(&mut session, &open, &mut Vec::new()).unwrap();
    let csv = |session: &mut Session, line: &str| {
        let mut out = Vec::new();
        run_line(session, line, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    assert_eq!(csv(&mut session, "sum(x, axis=())"), "0,3,0\n-2,5,0\n");
    assert_eq!(
        csv(&mut session, "count_nonzero(x, axis=())"),
        "0,1,0\n1,1,0\n"
    );
    assert_eq!(csv(&mut session, "max(x, axis=())"), "0,3,0\n-2,5,0\n");
}
