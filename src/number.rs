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

/// A finite float's digits as NumPy's Dragon4 gives them with
/// `unique=True` and at most `precision` fraction digits: the integer
/// part (with its sign), the fraction digits (trailing zeros trimmed) and,
/// in the exponent form, the exponent. Past `precision` the float's own
/// value is rounded, as Dragon4 rounds it, not its shortest digits:
/// float32 -0.030316025 (exactly -0.0303160250186…) to 8 places is
/// -0.03031603.
fn digits(x: f64, size: usize, precision: usize, exp: bool) -> (String, String, i32) {
    let split = |s: &str| -> (String, String, i32) {
        let (m, e) = s.split_once('e').unwrap_or((s, "0"));
        let (int, frac) = m.split_once('.').unwrap_or((m, ""));
        (int.into(), frac.into(), e.parse().unwrap_or(0))
    };
    let (int, frac, e) = split(&shortest(x, size, exp));
    if frac.len() <= precision {
        return (int, frac, e);
    }
    let (int, frac, e) = if exp {
        split(&format!("{x:.precision$e}"))
    } else {
        split(&format!("{x:.precision$}"))
    };
    (int, frac.trim_end_matches('0').into(), e)
}

/// How NumPy prints the floats of one array (its `FloatingFormat` with
/// the default `floatmode='maxprec'`), decided from all of them at once:
/// the exponent form for every value or for none (when the largest finite
/// non-zero magnitude is 1e8 or more, the smallest under 1e-4, or their
/// ratio over 1000, each compared in the array's own type), in it every
/// value with the fraction digits of the one that needs most; and the
/// padding that lines the values' points up.
#[derive(Clone, Debug)]
pub struct FloatFormat {
    size: usize,
    precision: usize,
    /// The exponent form: the fraction digits every value shows and the
    /// exponent's digits (at least 2).
    exp: Option<(usize, usize)>,
    pad_left: usize,
    pad_right: usize,
    /// A `+` before non-negative values (imaginary parts).
    plus: bool,
}

impl FloatFormat {
    /// The format of `values`, floats stored in `size` bytes, with at most
    /// `precision` fraction digits.
    pub fn of(values: &[f64], size: usize, precision: usize) -> FloatFormat {
        FloatFormat::with_sign(values, size, precision, false)
    }

    fn with_sign(values: &[f64], size: usize, precision: usize, plus: bool) -> FloatFormat {
        let mut f = FloatFormat {
            size,
            precision,
            exp: None,
            pad_left: 0,
            pad_right: 0,
            plus,
        };
        let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let (lo, hi) = finite
            .iter()
            .filter(|&&x| x != 0.0)
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
                (lo.min(x.abs()), hi.max(x.abs()))
            });
        let exp = hi > 0.0 && exponent_form(lo, hi, size);
        let sign = |int: &str| usize::from(plus && !int.starts_with('-'));
        if exp {
            let parts: Vec<_> = finite
                .iter()
                .map(|&x| digits(x, size, precision, true))
                .collect();
            let fraction = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
            let exp_digits = parts
                .iter()
                .map(|p| p.2.unsigned_abs().to_string().len())
                .max();
            let exp_digits = exp_digits.unwrap_or(0).max(2);
            f.exp = Some((fraction, exp_digits));
            f.pad_left = parts
                .iter()
                .map(|p| p.0.len() + sign(&p.0))
                .max()
                .unwrap_or(0);
            f.pad_right = exp_digits + 2 + fraction;
        } else if !finite.is_empty() {
            let parts: Vec<_> = finite
                .iter()
                .map(|&x| digits(x, size, precision, false))
                .collect();
            f.pad_left = parts
                .iter()
                .map(|p| p.0.len() + sign(&p.0))
                .max()
                .unwrap_or(0);
            f.pad_right = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
        }
        // NaN and infinities take the width of the numbers or their own.
        if finite.len() < values.len() {
            let neginf = plus || values.contains(&f64::NEG_INFINITY);
            let offset = f.pad_right + 1;
            f.pad_left = f
                .pad_left
                .max((3 + usize::from(neginf)).saturating_sub(offset));
        }
        f
    }

    /// `x` as NumPy prints it in the array, without the padding.
    pub fn text(&self, x: f64) -> String {
        self.format(x, false)
    }

    /// `x` as NumPy prints it in the array, padded to the width of all of
    /// its values with the points lined up.
    pub fn padded(&self, x: f64) -> String {
        self.format(x, true)
    }

    fn format(&self, x: f64, pad: bool) -> String {
        let plus = |s: String| {
            if self.plus && !s.starts_with('-') {
                format!("+{s}")
            } else {
                s
            }
        };
        if !x.is_finite() {
            let s = plus(special(x).unwrap_or_default());
            let width = if pad {
                self.pad_left + self.pad_right + 1
            } else {
                0
            };
            return format!("{s:>width$}");
        }
        let left = if pad { self.pad_left } else { 0 };
        match self.exp {
            // Every value with `fraction` digits: past its own shortest
            // ones, the further digits of its exact value (Dragon4's
            // `min_digits`), not zeros: float32 0.1 beside 1.2345678e-05
            // is 1.0000000e-01, beside 1.e-05 it is 1.e-01.
            Some((fraction, exp_digits)) => {
                let s = format!("{x:.fraction$e}");
                let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
                let (int, frac) = m.split_once('.').unwrap_or((m, ""));
                let e: i32 = e.parse().unwrap_or(0);
                let int = plus(int.to_string());
                let sign = if e < 0 { '-' } else { '+' };
                let e = e.unsigned_abs();
                format!("{int:>left$}.{frac}e{sign}{e:0>exp_digits$}")
            }
            None => {
                let (int, frac, _) = digits(x, self.size, self.precision, false);
                let int = plus(int);
                let right = if pad { self.pad_right } else { 0 };
                format!("{int:>left$}.{frac:<right$}")
            }
        }
    }
}

/// NumPy's choice of the exponent form for an array whose finite non-zero
/// magnitudes lie in `lo..=hi`, compared in the array's type as NumPy
/// compares its scalars with Python floats: a float32 of 0.0001 is not
/// below 0.0001 there, though it is below the float64 one.
fn exponent_form(lo: f64, hi: f64, size: usize) -> bool {
    match size {
        2 => {
            let h = |v: f64| half::f16::from_f64(v).to_f64();
            let ratio = half::f16::from_f32(hi as f32 / lo as f32).to_f64();
            hi >= h(1e8) || lo < h(1e-4) || ratio > 1000.0
        }
        4 => {
            let (lo, hi) = (lo as f32, hi as f32);
            hi >= 1e8 || lo < 1e-4 || hi / lo > 1000.0
        }
        _ => hi >= 1e8 || lo < 1e-4 || hi / lo > 1000.0,
    }
}

/// A float as NumPy prints it alone in an array (`floatmode='maxprec'`).
pub fn table_float(x: f64, size: usize, precision: usize) -> String {
    FloatFormat::of(&[x], size, precision).text(x)
}

/// How the elements of one array print in a table: one [`FloatFormat`]
/// for its floats, one for the real and one for the imaginary parts of
/// complex values, one per field of records, as NumPy formats an array.
#[derive(Clone, Debug)]
pub enum ElemFormat {
    /// Booleans, integers and text, each printed alone.
    Alone,
    Float(FloatFormat),
    Complex(FloatFormat, FloatFormat),
    Record(Vec<ElemFormat>),
}

impl ElemFormat {
    /// The format NumPy gives an array of `elems` (all of one dtype).
    pub fn of(elems: &[Elem], precision: usize) -> ElemFormat {
        match elems.first() {
            Some(Elem::Float(_, size)) => {
                let xs: Vec<f64> = elems
                    .iter()
                    .filter_map(|e| match e {
                        Elem::Float(x, _) => Some(*x),
                        _ => None,
                    })
                    .collect();
                ElemFormat::Float(FloatFormat::of(&xs, *size, precision))
            }
            Some(Elem::Complex(_, _, size)) => {
                let (re, im): (Vec<f64>, Vec<f64>) = elems
                    .iter()
                    .filter_map(|e| match e {
                        Elem::Complex(re, im, _) => Some((*re, *im)),
                        _ => None,
                    })
                    .unzip();
                ElemFormat::Complex(
                    FloatFormat::of(&re, *size, precision),
                    FloatFormat::with_sign(&im, *size, precision, true),
                )
            }
            Some(Elem::Record(first)) => {
                let field = |k: usize| -> Vec<Elem> {
                    elems
                        .iter()
                        .filter_map(|e| match e {
                            Elem::Record(f) => f.get(k).map(|(_, e)| e.clone()),
                            _ => None,
                        })
                        .collect()
                };
                let formats = (0..first.len())
                    .map(|k| ElemFormat::of(&field(k), precision))
                    .collect();
                ElemFormat::Record(formats)
            }
            _ => ElemFormat::Alone,
        }
    }

    /// One element's table cells in this format, padded as NumPy pads
    /// them in the array (`pad`) or not; records give one per field
    /// (nested records are flattened).
    pub fn cells(&self, e: &Elem, pad: bool, out: &mut Vec<String>) {
        let float = |f: &FloatFormat, x: f64| if pad { f.padded(x) } else { f.text(x) };
        match (self, e) {
            (ElemFormat::Float(f), Elem::Float(x, _)) => out.push(float(f, *x)),
            (ElemFormat::Complex(r, i), Elem::Complex(re, im, _)) => {
                // `j` before the imaginary part's padding, as NumPy puts it.
                let i = float(i, *im);
                let end = i.trim_end().len();
                out.push(format!("{}{}j{}", float(r, *re), &i[..end], &i[end..]));
            }
            (ElemFormat::Record(formats), Elem::Record(fields)) => {
                for (f, (_, e)) in formats.iter().zip(fields) {
                    f.cells(e, pad, out);
                }
            }
            (_, e) => alone_cell(e, out),
        }
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

/// One element for a table cell, as NumPy prints it alone in an array;
/// records give one string per field (nested records are flattened).
pub fn table_cells(e: &Elem, precision: usize, out: &mut Vec<String>) {
    ElemFormat::of(std::slice::from_ref(e), precision).cells(e, false, out);
}

/// An element whose text does not depend on the rest of its array.
fn alone_cell(e: &Elem, out: &mut Vec<String>) {
    match e {
        Elem::Bool(b) => out.push(if *b { "True" } else { "False" }.into()),
        Elem::Int(i) => out.push(i.to_string()),
        Elem::UInt(u) => out.push(u.to_string()),
        // As NumPy prints them in an array: `b'abc'`, `'abc'`.
        Elem::Bytes(b) => out.push(crate::text::py_bytes_repr(b)),
        Elem::Str(s) => out.push(crate::text::py_str_repr(s)),
        // Not met: an array's floats have a format of their own.
        e => exact_cells(e, out),
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
    fn an_array_prints_its_floats_in_one_format() {
        let f = FloatFormat::of(&[1.5e-8, -4.648063270e-8, 3e-5, 2.0], 8, 8);
        let cells: Vec<String> = [1.5e-8, 2.0].iter().map(|&x| f.padded(x)).collect();
        assert_eq!(cells, [" 1.50000000e-08", " 2.00000000e+00"]);
        // A ratio over 1000 is the exponent form; 1000 itself is not.
        assert_eq!(FloatFormat::of(&[1.0, 1001.0], 8, 8).text(1.0), "1.000e+00");
        assert_eq!(FloatFormat::of(&[1.0, 1000.0], 8, 8).padded(1.0), "   1.");
        // Three-digit exponents make every exponent three digits.
        assert_eq!(FloatFormat::of(&[1e-100, 1e5], 8, 8).text(1e5), "1.e+005");
        // Compared as float32: float32 0.0001 is not below 0.0001 there.
        let tenth = f64::from(1e-4f32);
        assert_eq!(FloatFormat::of(&[tenth], 4, 8).text(tenth), "0.0001");
        let f = FloatFormat::of(&[0.1, f64::NAN, -2.5], 8, 8);
        assert_eq!(f.padded(f64::NAN), " nan");
        assert_eq!(f.padded(0.1), " 0.1");
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
