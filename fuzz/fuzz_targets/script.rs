//! Whole scripts against a small file: every line ends in output or an
//! error, never a panic. The first bytes are the file, the rest the script
//! (lines that open other files are skipped). The session may write only
//! inside its own temporary folder (`Session::confine_writes`), so fuzzed
//! `save`, `export ... to` and `plot ... to` lines never touch anything else.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let n = (data[0] as usize).min(data.len() - 1);
    let (file, script) = data[1..].split_at(n);
    let Ok(script) = std::str::from_utf8(script) else { return };
    let folder = std::env::temp_dir().join(format!("strided-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir(&folder);
    let path = folder.join("data.bin");
    std::fs::write(&path, file).unwrap();
    let mut session = strided::Session::new();
    session.confine_writes(&folder);
    let setup = format!("open {:?} u1 as b", path.display().to_string());
    let _ = strided::run_line(&mut session, &setup, &mut std::io::sink());
    let _ = strided::run_line(&mut session, &format!("open {:?} <f4 as d", path.display().to_string()), &mut std::io::sink());
    for line in script.lines().take(16) {
        if line.contains("open") {
            continue;
        }
        let _ = strided::run_line(&mut session, line, &mut std::io::sink());
    }
});
