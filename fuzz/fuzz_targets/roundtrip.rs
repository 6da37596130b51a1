//! parse → print → parse: the printed form of any expression parses, and
//! prints the same again.
#![no_main]
use libfuzzer_sys::fuzz_target;
use strided::syntax::parse_expression;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(e) = parse_expression(text) else { return };
    let once = e.to_string();
    match parse_expression(&once) {
        Ok(again) => assert_eq!(once, again.to_string(), "from {text:?}"),
        // Printing adds parentheses, which count towards the nesting limit.
        Err(err) if matches!(*err.kind, strided::diag::ErrorKind::NestingTooDeep { .. }) => {}
        Err(err) => panic!("{text:?} printed as {once:?}, which does not parse: {err:?}"),
    }
});
