//! The parser never panics, overflows its stack or loops, whatever the line.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = strided::syntax::parse_line(text) {
            // Every error points inside (or just past) the line.
            assert!(e.span.start <= text.len() && e.span.end <= text.len() + 1);
            let _ = e.render(Some(("fuzz", 1)), text);
        }
        let _ = strided::syntax::parse_py_literal(text);
    }
});
