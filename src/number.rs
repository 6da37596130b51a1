//! Number formatting. Tables follow NumPy's array printing (at most
//! `precision` digits after the point, `2.` for integral floats, `1.+2.j`
//! for complex); csv and json use the shortest text that reads back to the
//! same stored value, with no rounding.

use crate::dtype::Elem;

/// The shortest decimal that reads back to the same float of `size` bytes
/// (a float16's value is one already, so `half`'s conversion is exact).
fn shortest(x: f64, size: usize, exp: bool) -> String {
    match (size, exp) {
        (8, false) => format!("{x}"),
        (8, true) => format!("{x:e}"),
        (2, false) => format!("{}", shortest_half(x)),
        (2, true) => format!("{:e}", shortest_half(x)),
        (_, false) => format!("{}", x as f32),
        (_, true) => format!("{:e}", x as f32),
    }
}

/// The float16 `x` as the value of its shortest decimal among those that
/// read back to it (NumPy's repr of a float16: `-6.117`, not float32's
/// `-6.1171875`), so that `{}` and `{:e}` print those digits. A decimal
/// reads back to `x` when it lies between the midpoints to `x`'s
/// neighbours (on a midpoint, when `x` is even), all exact in float64.
fn shortest_half(x: f64) -> f64 {
    let h = half::f16::from_f64(x);
    if !h.is_finite() || x == 0.0 {
        return x;
    }
    let bits = h.to_bits() & 0x7fff;
    let at = |b: u16| f64::from(half::f16::from_bits(b));
    let a = x.abs();
    let below = (a + at(bits - 1)) / 2.0;
    // Past the largest float16 (65504), values round to it below 65520.
    let above = if bits == 0x7bff {
        65520.0
    } else {
        (a + at(bits + 1)) / 2.0
    };
    let even = bits & 1 == 0;
    let inside = |v: f64| (below < v && v < above) || (even && (v == below || v == above));
    // With each number of digits, the decimal nearest `x` and its two
    // neighbours there: the nearest of them that reads back (0.01563 for
    // 0.015625, whose nearest four digits, 0.01562, read back to another).
    for digits in 0..17 {
        let text = format!("{a:.digits$e}");
        let Some((m, e)) = text.split_once('e') else {
            break;
        };
        let (Ok(m), Ok(e)) = (m.replace('.', "").parse::<u64>(), e.parse::<i32>()) else {
            break;
        };
        let scale = e - digits as i32;
        let mut best: Option<f64> = None;
        for c in [m, m.saturating_sub(1), m + 1] {
            let v: f64 = format!("{c}e{scale}").parse().unwrap_or(f64::NAN);
            if inside(v) && best.is_none_or(|b| (v - a).abs() < (b - a).abs()) {
                best = Some(v);
            }
        }
        if let Some(v) = best {
            return v.copysign(x);
        }
    }
    x
}

/// Python's rule for its own floats: exponent form outside 1e-4..1e16.
fn needs_exponent(x: f64) -> bool {
    let a = x.abs();
    a != 0.0 && !(1e-4..1e16).contains(&a)
}

/// NumPy's rule inside arrays: exponent form from 1e8 up (and below 1e-4).
fn needs_exponent_in_array(x: f64) -> bool {
    let a = x.abs();
    a != 0.0 && !(1e-4..1e8).contains(&a)
}

/// `1.5e-5` → `1.5e-05`, NumPy's and Python's exponent form.
fn pad_exponent(s: &str) -> String {
    let (m, e) = s.split_once('e').unwrap_or((s, "0"));
    let e: i32 = e.parse().unwrap_or(0);
    format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
}

fn special(x: f64) -> Option<String> {
    if x.is_nan() {
        Some("nan".into())
    } else if x.is_infinite() {
        Some(if x > 0.0 { "inf" } else { "-inf" }.into())
    } else {
        None
    }
}

/// A float as NumPy prints it inside an array (`floatmode='maxprec'`).
pub fn table_float(x: f64, size: usize, precision: usize) -> String {
    if let Some(s) = special(x) {
        return s;
    }
    let exp = needs_exponent_in_array(x);
    let s = shortest(x, size, exp);
    let split = |s: &str| match s.split_once('e') {
        Some((m, e)) => (m.to_string(), Some(e.to_string())),
        None => (s.to_string(), None),
    };
    let (mantissa, exponent) = split(&s);
    let digits = mantissa.split_once('.').map_or(0, |(_, f)| f.len());
    let (mut m, exponent) = if digits > precision {
        // Rounded from the float's own value, as NumPy's Dragon4 rounds
        // it, not from its shortest digits: float32 -0.030316025 (exactly
        // -0.0303160250186…) to 8 places is -0.03031603.
        let (r, e) = if exp {
            split(&format!("{x:.precision$e}"))
        } else {
            (format!("{x:.precision$}"), None)
        };
        let r = if r.contains('.') {
            r.trim_end_matches('0').to_string()
        } else {
            r
        };
        (r, e)
    } else {
        (mantissa, exponent)
    };
    if !m.contains('.') {
        m.push('.');
    }
    match exponent {
        Some(e) => pad_exponent(&format!("{m}e{e}")),
        None => m,
    }
}

/// A float in its shortest exact form for csv and json (`2.0`, `1e-05`).
pub fn exact_float(x: f64, size: usize) -> String {
    if let Some(s) = special(x) {
        return s;
    }
    if needs_exponent(x) {
        return pad_exponent(&shortest(x, size, true));
    }
    let s = shortest(x, size, false);
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

fn join_complex(re: String, im: f64, im_text: String) -> String {
    let sign = if im < 0.0 || (im == 0.0 && im.is_sign_negative()) || im_text.starts_with('-') {
        ""
    } else {
        "+"
    };
    format!("{re}{sign}{im_text}j")
}

/// One element for a table cell, as NumPy prints it in an array; records
/// give one string per field (nested records are flattened).
pub fn table_cells(e: &Elem, precision: usize, out: &mut Vec<String>) {
    match e {
        Elem::Bool(b) => out.push(if *b { "True" } else { "False" }.into()),
        Elem::Int(i) => out.push(i.to_string()),
        Elem::UInt(u) => out.push(u.to_string()),
        Elem::Float(x, size) => out.push(table_float(*x, *size, precision)),
        Elem::Complex(re, im, size) => {
            out.push(join_complex(
                table_float(*re, *size, precision),
                *im,
                table_float(*im, *size, precision),
            ));
        }
        Elem::Record(fields) => {
            for (_, f) in fields {
                table_cells(f, precision, out);
            }
        }
        // As NumPy prints them in an array: `b'abc'`, `'abc'`.
        Elem::Bytes(b) => out.push(crate::text::py_bytes_repr(b)),
        Elem::Str(s) => out.push(crate::text::py_str_repr(s)),
    }
}

/// A string as a csv cell: the text itself with control characters made
/// visible (`\n`, `\x00`: one line a row), in double quotes (and `"`
/// doubled) where it holds a comma or a quote, as RFC 4180 and pandas
/// read it.
fn csv_text(s: &str) -> String {
    let s = crate::text::escape(s);
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// One element in exact form for csv; records give one string per field.
pub fn exact_cells(e: &Elem, out: &mut Vec<String>) {
    match e {
        Elem::Bool(b) => out.push(if *b { "True" } else { "False" }.into()),
        Elem::Int(i) => out.push(i.to_string()),
        Elem::UInt(u) => out.push(u.to_string()),
        Elem::Float(x, size) => out.push(exact_float(*x, *size)),
        Elem::Complex(re, im, size) => out.push(join_complex(
            exact_float(*re, *size),
            *im,
            exact_float(*im, *size),
        )),
        Elem::Record(fields) => {
            for (_, f) in fields {
                exact_cells(f, out);
            }
        }
        Elem::Bytes(b) => out.push(csv_text(&crate::text::bytes_text(b))),
        Elem::Str(s) => out.push(csv_text(s)),
    }
}

/// A scalar element as Python prints a NumPy scalar (`str(np.float32(2))`
/// is `2.0`; a record prints as a tuple).
pub fn scalar_text(e: &Elem, precision: usize) -> String {
    match e {
        Elem::Float(x, size) => exact_float(*x, *size),
        Elem::Complex(re, im, size) => {
            let (r, i) = (exact_float(*re, *size), exact_float(im.abs(), *size));
            let r = r.strip_suffix(".0").unwrap_or(&r).to_string();
            let i = i.strip_suffix(".0").unwrap_or(&i).to_string();
            // Python's and NumPy's rule: NaN has no sign here (`(1+nanj)`
            // whatever its sign bit), and a +0 real part is left out (`1j`).
            let negative = *im < 0.0 || (*im == 0.0 && im.is_sign_negative());
            let sign = if negative { '-' } else { '+' };
            if *re == 0.0 && re.is_sign_positive() {
                return format!("{}{i}j", if negative { "-" } else { "" });
            }
            format!("({r}{sign}{i}j)")
        }
        Elem::Record(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(_, f)| repr_text(f, precision))
                .collect();
            format!("({})", parts.join(", "))
        }
        // `str(np.str_('abc'))` is `abc`; `str(np.bytes_(b'abc'))` is `b'abc'`.
        Elem::Str(s) => crate::text::escape(s).into_owned(),
        other => {
            let mut v = Vec::new();
            table_cells(other, precision, &mut v);
            v.join(", ")
        }
    }
}

/// An element as it prints inside a tuple or beside a name: as
/// [`scalar_text`], but text in quotes (`'abc'`, Python's repr), so that
/// its spaces and emptiness show.
pub fn repr_text(e: &Elem, precision: usize) -> String {
    match e {
        Elem::Str(s) => crate::text::py_str_repr(s),
        e => scalar_text(e, precision),
    }
}

/// Names of the sub-columns an element of this shape fills (field paths of
/// records, empty for scalars).
pub fn field_names(e: &Elem, prefix: &str, out: &mut Vec<String>) {
    if let Elem::Record(fields) = e {
        for (name, f) in fields {
            let full = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            if matches!(f, Elem::Record(_)) {
                field_names(f, &full, out);
            } else {
                out.push(full);
            }
        }
    }
}

/// Bytes for people: `2.0 GiB`, `1.5 MiB`, `800 bytes`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1024.0;
    let mut k = 0;
    while v >= 1024.0 && k + 1 < UNITS.len() {
        v /= 1024.0;
        k += 1;
    }
    format!("{v:.1} {}", UNITS[k])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_floats_look_like_numpy_arrays() {
        assert_eq!(table_float(2.0, 8, 8), "2.");
        assert_eq!(table_float(0.1f32 as f64, 4, 8), "0.1");
        assert_eq!(table_float(1.0 / 3.0, 8, 8), "0.33333333");
        assert_eq!(table_float(1.0 / 3.0, 8, 4), "0.3333");
        assert_eq!(table_float(1.5e-5, 8, 8), "1.5e-05");
        assert_eq!(table_float(1e20, 4, 8), "1.e+20");
        assert_eq!(table_float(123456789.0, 8, 8), "1.23456789e+08");
        assert_eq!(table_float(12345678.0, 8, 8), "12345678.");
        assert_eq!(table_float(-0.0, 8, 8), "-0.");
    }

    #[test]
    fn exact_floats_read_back_to_the_stored_value() {
        for x in [0.1f32, 1.0 / 3.0, 1e-7, 3.4e38, -2.5, 16777216.0] {
            let s = exact_float(x as f64, 4);
            assert_eq!(s.parse::<f32>().unwrap(), x, "{s}");
        }
        for x in [0.1f64, 1.0 / 3.0, 1e-300, 1.7e308, 123456789.125] {
            assert_eq!(exact_float(x, 8).parse::<f64>().unwrap(), x);
        }
    }

    #[test]
    fn complex_cells_carry_the_sign_of_the_imaginary_part() {
        let mut v = Vec::new();
        table_cells(&Elem::Complex(1.0, -2.5, 4), 8, &mut v);
        table_cells(&Elem::Complex(0.5, 2.0, 4), 8, &mut v);
        assert_eq!(v, ["1.-2.5j", "0.5+2.j"]);
        assert_eq!(scalar_text(&Elem::Complex(1.0, -2.0, 4), 8), "(1-2j)");
        assert_eq!(scalar_text(&Elem::Float(2.0, 4), 8), "2.0");
    }
}
