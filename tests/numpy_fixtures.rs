//! NumPy's answers, frozen: `tests/data/numpy_cases.json` holds cases that
//! `tests/oracle/numpy_oracle.py --freeze` evaluated with NumPy (shape,
//! dtype descr and a hash of the C-order bytes, or NumPy's error message).
//! This test replays them in-process without Python, so `cargo test` checks
//! strided against NumPy on any machine. The live test (numpy_live.rs) draws
//! fresh random cases whenever NumPy is installed.

mod common;

use common::{fnv1a64, stream_bytes};
use serde_json::Value as Json;
use strided::eval::Value;
use strided::syntax::parse_expression;
use strided::{run_line, LineError, Session};

/// The oracle's `field_bytes`: a record array's fields one after another
/// (each in C order, nested records likewise), padding left out, because
/// NumPy leaves the padding of a copied record array uninitialised.
fn field_bytes(v: &strided::view::View) -> Vec<u8> {
    let names: Vec<String> = v.dtype.fields().iter().map(|f| f.name.clone()).collect();
    if names.is_empty() {
        let mut b = Vec::new();
        v.write_c_order(&mut b).unwrap();
        return b;
    }
    names
        .iter()
        .flat_map(|n| field_bytes(&v.field(n).unwrap()))
        .collect()
}

#[test]
fn every_frozen_numpy_case_gives_numpys_shape_dtype_bytes_or_error() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/numpy_cases.json"
    ))
    .unwrap();
    let doc: Json = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() > 500, "the fixture lost its cases");
    let dir = common::temp();
    let mut failures = Vec::new();
    for (k, c) in cases.iter().enumerate() {
        let seed = c["file"]["seed"].as_u64().unwrap();
        let len = c["file"]["len"].as_u64().unwrap() as usize;
        let path = dir.path().join(format!("f{k}.bin"));
        std::fs::write(&path, stream_bytes(seed, len)).unwrap();
        // The cases name files relative to the oracle's folder; point them here.
        let open = c["open"].as_str().unwrap().replacen(
            &format!("f{k}.bin"),
            &format!("{:?}", path.display().to_string()),
            1,
        );
        let expr_text = c["expr"].as_str().unwrap();
        let mut session = Session::new();
        let mut sink = Vec::new();
        if let Err(e) = run_line(&mut session, &open, &mut sink) {
            failures.push(format!("{open}: open failed: {e:?}"));
            continue;
        }
        let want = &c["expect"];
        let got = parse_expression(expr_text).and_then(|e| session.eval(&e));
        match (want.get("error").and_then(Json::as_str), got) {
            (Some(msg), Ok(_)) => failures.push(format!(
                "{open}; {expr_text}: NumPy raises {msg:?}, strided does not"
            )),
            (Some(msg), Err(e)) => {
                if !e.kind.to_string().contains(msg) {
                    failures.push(format!(
                        "{open}; {expr_text}: NumPy says {msg:?}, strided says {:?}",
                        e.kind.to_string()
                    ));
                }
            }
            (None, Err(e)) => {
                failures.push(format!("{open}; {expr_text}: strided fails: {}", e.kind))
            }
            (None, Ok(v)) => {
                let (shape, descr, bytes) = match v {
                    Value::View(v) | Value::Void(v) => {
                        (v.shape.clone(), v.dtype.npy_descr(), field_bytes(&v))
                    }
                    Value::Scalar(d, b) => (vec![], d.npy_descr(), b),
                    // A computed array (a reduction's result), element by
                    // element in C order, in its dtype's bytes.
                    Value::Lazy(l) => {
                        let mut b = Vec::new();
                        let mut idx = vec![0usize; l.ndim()];
                        for mut flat in 0..l.size() {
                            for k in (0..idx.len()).rev() {
                                idx[k] = flat % l.shape[k];
                                flat /= l.shape[k];
                            }
                            b.extend(strided::compute::encode_num(l.at(&idx), l.dtype));
                        }
                        (
                            l.shape.clone(),
                            strided::dtype::Dtype::Scalar(l.dtype).npy_descr(),
                            b,
                        )
                    }
                    other => panic!("{expr_text} gave {}", other.kind_name()),
                };
                let want_shape: Vec<usize> = want["shape"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_u64().unwrap() as usize)
                    .collect();
                if shape != want_shape
                    || descr != want["descr"].as_str().unwrap()
                    || fnv1a64(&bytes) != want["fnv"].as_str().unwrap()
                {
                    failures.push(format!("{open}; {expr_text}: strided {shape:?} {descr}, NumPy {want_shape:?} {} (or bytes differ)", want["descr"]));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from NumPy:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn a_line_error_is_a_statement_error_with_a_span() {
    let mut s = Session::new();
    let err = run_line(&mut s, "x = 1; y[0]", &mut Vec::new()).unwrap_err();
    let LineError::Stmt(e) = err else {
        panic!("expected a statement error")
    };
    assert_eq!((e.span.start, e.span.end), (7, 8));
}
