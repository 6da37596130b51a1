//! NumPy's answers to computations, frozen: `tests/data/numpy_compute.json`
//! holds cases that `tests/oracle/numpy_compute.py --freeze` evaluated with
//! NumPy (data inline, expected shape, dtype and values). This replays them
//! in-process without Python, with the oracle's own tolerances: exact for
//! integers and exact float operations, a few units in the last place for
//! transcendental functions and complex products, 1e-9 relative (or a unit in
//! the last place of a float32 result) for sums,
//! means and deviations (against NumPy in float64).

use serde_json::Value as Json;
use strided::compute::{num_elem, Lazy};
use strided::dtype::Elem;
use strided::eval::Value;
use strided::syntax::parse_expression;
use strided::{run_line, Session};

fn decode_hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|k| u8::from_str_radix(&s[k..k + 2], 16).unwrap())
        .collect()
}

/// NumPy's text for a number: a float repr, or `(re+imj)` for complex.
fn parse_want(s: &str) -> (f64, f64) {
    let t = s.trim_start_matches('(').trim_end_matches(')');
    if !t.ends_with('j') {
        return (t.parse().unwrap(), 0.0);
    }
    let body = &t[..t.len() - 1];
    // Split at the sign that starts the imaginary part (not an exponent's sign).
    let bytes = body.as_bytes();
    let at = (1..bytes.len())
        .rev()
        .find(|&k| (bytes[k] == b'+' || bytes[k] == b'-') && bytes[k - 1] != b'e')
        .unwrap_or(0);
    if at == 0 {
        return (0.0, body.parse().unwrap());
    }
    (body[..at].parse().unwrap(), body[at..].parse().unwrap())
}

fn elem_pair(e: &Elem) -> (f64, f64) {
    match *e {
        Elem::Bool(b) => (f64::from(u8::from(b)), 0.0),
        Elem::Int(i) => (i as f64, 0.0),
        Elem::UInt(u) => (u as f64, 0.0),
        Elem::Float(x, _) => (x, 0.0),
        Elem::Complex(r, i, _) => (r, i),
        Elem::Record(_) | Elem::Bytes(_) | Elem::Str(_) => {
            panic!("no records or strings in computations")
        }
    }
}

fn close(a: f64, b: f64, rtol: f64, atol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= atol + rtol * b.abs()
}

#[test]
fn every_frozen_numpy_computation_gives_numpys_answer() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/numpy_compute.json"
    ))
    .unwrap();
    let doc: Json = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 300, "the fixture lost its cases");
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (k, c) in cases.iter().enumerate() {
        let path = dir.path().join(format!("c{k}.bin"));
        std::fs::write(&path, decode_hex(c["data"].as_str().unwrap())).unwrap();
        let shape: Vec<String> = c["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| format!("{n}, "))
            .collect();
        let open = format!(
            "open {:?} ({}) {} as d",
            path.display().to_string(),
            shape.concat(),
            c["dtype"].as_str().unwrap()
        );
        let mut s = Session::new();
        run_line(&mut s, &open, &mut Vec::new()).unwrap();
        // A view bigger than `set memory`: answers streamed, not gathered.
        if let Some(m) = c.get("memory").and_then(Json::as_str) {
            run_line(&mut s, &format!("set memory {m}"), &mut Vec::new()).unwrap();
        }
        let expr = c["expr"].as_str().unwrap();
        let got = parse_expression(expr).and_then(|e| s.eval(&e));
        if let Some(msg) = c.get("error").and_then(Json::as_str) {
            if got.is_ok() {
                failures.push(format!("{expr}: NumPy raises {msg:?}, strided does not"));
            }
            continue;
        }
        let got = match got {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{expr}: strided fails: {}", e.kind));
                continue;
            }
        };
        let (descr, values): (String, Vec<(f64, f64)>) = match &got {
            Value::Scalar(d, b) => (d.short(), vec![elem_pair(&d.decode(b))]),
            Value::Lazy(l) => (l.dtype.descr(), all(l)),
            Value::View(v) => {
                let mut out = Vec::new();
                v.for_each_index(|i| out.push(elem_pair(&v.dtype.decode(&v.element_bytes(i)))));
                (v.dtype.short(), out)
            }
            other => panic!("{expr} gave {}", other.kind_name()),
        };
        let want_descr = c["want_descr"].as_str().unwrap().replace('=', "<");
        if descr != want_descr {
            failures.push(format!(
                "{expr} ({}): dtype {descr}, NumPy {want_descr}",
                c["dtype"]
            ));
            continue;
        }
        let want: Vec<(f64, f64)> = c["want"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| parse_want(v.as_str().unwrap()))
            .collect();
        let is_complex = c["dtype"].as_str().unwrap().contains('c');
        let (rtol, atol) = if ["sum", "mean", "std", "var"]
            .iter()
            .any(|t| expr.contains(t))
        {
            let scale = want
                .iter()
                .filter(|w| w.0.is_finite())
                .map(|w| w.0.abs().max(w.1.abs()))
                .fold(0.0, f64::max);
            // Rounded once to the result dtype: a unit in its last place.
            let tol = match descr.as_str() {
                "<f2" => 2.0 * 9.765625e-4,
                "<f4" | "<c8" => 2.0 * f32::EPSILON as f64,
                _ => 1e-9,
            };
            (tol, tol * scale)
        } else if ["sqrt", "exp", "log", "angle", "db", "**"]
            .iter()
            .any(|t| expr.contains(t))
            || (is_complex && ["*", "/", "abs"].iter().any(|t| expr.contains(t)))
        {
            // The epsilon of the result's float type (of its parts, for complex).
            let eps = match descr.as_str() {
                "<f2" => 9.765625e-4,
                "<f4" | "<c8" => f32::EPSILON as f64,
                _ => f64::EPSILON,
            };
            (4.0 * eps, 4.0 * eps * 1e-3)
        } else {
            (0.0, 0.0)
        };
        if values.len() != want.len() {
            failures.push(format!(
                "{expr}: {} values, NumPy {}",
                values.len(),
                want.len()
            ));
            continue;
        }
        if let Some((g, w)) = values
            .iter()
            .zip(&want)
            .find(|(g, w)| !(close(g.0, w.0, rtol, atol) && close(g.1, w.1, rtol, atol)))
        {
            failures.push(format!("{expr} ({}): {g:?} vs NumPy {w:?}", c["dtype"]));
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

fn all(l: &Lazy) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for idx in ndarray::indices(ndarray::IxDyn(&l.shape)) {
        out.push(elem_pair(&num_elem(
            l.at(ndarray::Dimension::slice(&idx)),
            l.dtype,
        )));
    }
    out
}
