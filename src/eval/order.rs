//! NumPy's order statistics: `median`, `percentile`, `quantile` and their
//! `nan` forms, with `axis=` and `keepdims=` and NumPy's default (linear)
//! method, exact: the ranks they need are selected by
//! [`crate::compute::order`] (in memory when the values fit in `set
//! memory`, by streaming radix passes when not), and NumPy's arithmetic
//! on them is reproduced in NumPy's dtypes (`_lerp`, the mean of the two
//! middle values).

use super::call::{interrupted, scalar_value, type_error, unexpected_keyword};
use super::{Session, Value};
use crate::compute::order::{count, select, select_in};
use crate::compute::reduce::{for_blocks, in_chunks};
use crate::compute::{cast, Computed, Lazy, Num};
use crate::diag::Error;
use crate::dtype::{ByteOrder, Kind, Scalar};
use crate::syntax::{Arg, Span};
use ndarray::{ArrayD, IxDyn};

fn sc(kind: Kind, size: usize) -> Scalar {
    Scalar::new(kind, size, ByteOrder::NATIVE)
}

/// How one answer's ranks are looked up: in gathered values or by streaming.
type Values<'a> = dyn Fn(&[u64]) -> Result<Vec<f64>, Error> + 'a;

/// What is asked: the median, or quantiles (fractions of 1).
enum Want {
    Median,
    /// The fractions, whether `q` was a list (a leading result axis, and
    /// float64 results), and whether it was a Python int (0 or 1 of
    /// `quantile`: the element itself, in the input's dtype).
    Quantiles {
        q: Vec<f64>,
        list: bool,
        int: bool,
    },
}

/// The arithmetic of one answer, in NumPy's dtypes.
struct Rules {
    input: Scalar,
    result: Scalar,
    skip_nan: bool,
}

impl Rules {
    /// Rounds to the input's float dtype (NumPy's `b - a` on the data).
    fn r_in(&self, x: f64) -> f64 {
        if self.input.kind == Kind::Float {
            cast(x, self.input)
        } else {
            x
        }
    }

    fn r_out(&self, x: f64) -> f64 {
        cast(x, self.result)
    }

    /// NumPy's `_lerp(a, b, t)`: `a + (b - a) * t`, or from `b` for t ≥ 0.5.
    fn lerp(&self, a: f64, b: f64, t: f64) -> f64 {
        let diff = self.r_in(b - a);
        if t >= 0.5 {
            self.r_out(b - self.r_out(diff * self.r_out(1.0 - t)))
        } else {
            self.r_out(a + self.r_out(diff * self.r_out(t)))
        }
    }

    /// The ranks one set of `n` values needs.
    fn ranks(&self, want: &Want, n: u64) -> Vec<u64> {
        match want {
            Want::Median if n.is_multiple_of(2) => vec![n / 2 - 1, n / 2],
            Want::Median => vec![(n - 1) / 2],
            Want::Quantiles { q, .. } => {
                let mut r = Vec::with_capacity(2 * q.len());
                for &f in q {
                    let (lo, hi, _) = neighbours(f, n);
                    r.push(lo);
                    r.push(hi);
                }
                r
            }
        }
    }

    /// The answers from the values of `ranks` (in that order).
    fn answers(&self, want: &Want, n: u64, v: &[f64]) -> Vec<f64> {
        match want {
            // NumPy's mean of the two middle values: their sum in the
            // result's dtype (float32 for float16), halved.
            Want::Median if n.is_multiple_of(2) => {
                let sum_type = if self.result.kind == Kind::Float && self.result.size == 2 {
                    sc(Kind::Float, 4)
                } else {
                    self.result
                };
                vec![self.r_out(cast(v[0] + v[1], sum_type) / 2.0)]
            }
            Want::Median => vec![self.r_out(v[0])],
            Want::Quantiles { q, int, .. } => q
                .iter()
                .enumerate()
                .map(|(k, &f)| {
                    let (a, b) = (v[2 * k], v[2 * k + 1]);
                    if *int {
                        return a;
                    }
                    let (_, _, gamma) = neighbours(f, n);
                    self.lerp(a, b, gamma)
                })
                .collect(),
        }
    }
}

/// NumPy's linear method: the virtual index (n - 1) q, its neighbours
/// (clamped to the ends) and the weight between them.
fn neighbours(q: f64, n: u64) -> (u64, u64, f64) {
    let virt = (n - 1) as f64 * q;
    let prev = virt.floor();
    if virt >= (n - 1) as f64 {
        // NumPy's previous index is then -1, the last: gamma = virt + 1.
        return (n - 1, n - 1, virt - -1.0);
    }
    if virt < 0.0 {
        return (0, 0, virt);
    }
    (prev as u64, prev as u64 + 1, virt - prev)
}

impl Session {
    /// `median`, `percentile`, `quantile` and the `nan` forms.
    pub(super) fn order_statistic(
        &self,
        name: &str,
        x: Value,
        rest: &[Arg],
        span: Span,
    ) -> Result<Value, Error> {
        let (l, d) = super::call::array_arg(name, &x, span)?;
        if d.kind == Kind::Complex {
            return Err(type_error(
                format!("{name} of complex numbers is not supported (NumPy orders them lexicographically)"),
                span,
            ));
        }
        let base = name.trim_start_matches("nan");
        let mut q: Option<Value> = None;
        let mut axis = Value::None;
        let mut keepdims = false;
        let mut positional = 0;
        for a in rest {
            let key = a.name.as_ref().map(|n| n.node.as_str());
            let slot = match key {
                Some(k) => k.to_string(),
                None if base == "median" => {
                    positional += 1;
                    if positional == 1 { "axis" } else { "?" }.to_string()
                }
                None => {
                    positional += 1;
                    match positional {
                        1 => "q",
                        2 => "axis",
                        _ => "?",
                    }
                    .to_string()
                }
            };
            match slot.as_str() {
                "q" if base != "median" => q = Some(self.eval(&a.value)?),
                "axis" => axis = self.eval(&a.value)?,
                "keepdims" => {
                    keepdims = matches!(self.eval(&a.value)?, Value::Bool(true) | Value::Int(1))
                }
                "method" => match self.eval(&a.value)? {
                    Value::Str(m) if m == "linear" => {}
                    _ => {
                        return Err(type_error(
                            "only method='linear' (NumPy's default) is supported".into(),
                            a.value.span,
                        ))
                    }
                },
                "?" => {
                    return Err(type_error(
                        format!("{name}() takes too many positional arguments"),
                        a.value.span,
                    ))
                }
                k => return Err(unexpected_keyword(name, k, a.value.span)),
            }
        }
        let float_in = d.kind == Kind::Float;
        let want = if base == "median" {
            Want::Median
        } else {
            let Some(qv) = q else {
                return Err(type_error(
                    format!("{name}() missing 1 required positional argument: 'q'"),
                    span,
                ));
            };
            let (list, int, raw): (bool, bool, Vec<f64>) = match &qv {
                Value::Int(i) => (false, true, vec![*i as f64]),
                Value::Float(f) => (false, false, vec![*f]),
                Value::List(items) | Value::Tuple(items) => {
                    let mut out = Vec::new();
                    for it in items {
                        out.push(match it {
                            Value::Int(i) => *i as f64,
                            Value::Float(f) => *f,
                            _ => return Err(type_error("q takes numbers".into(), span)),
                        });
                    }
                    (true, false, out)
                }
                _ => {
                    return Err(type_error(
                        "q takes a number or a list of numbers".into(),
                        span,
                    ))
                }
            };
            let fractions: Vec<f64> = if base == "percentile" {
                raw.iter().map(|p| p / 100.0).collect()
            } else {
                raw
            };
            if fractions.iter().any(|f| !(0.0..=1.0).contains(f)) {
                return Err(type_error(
                    if base == "percentile" {
                        "Percentiles must be in the range [0, 100]"
                    } else {
                        "Quantiles must be in the range [0, 1]"
                    }
                    .into(),
                    span,
                ));
            }
            // A Python int q of quantile (0 or 1) takes the element as it is.
            let int = int && base == "quantile";
            Want::Quantiles {
                q: fractions,
                list,
                int,
            }
        };
        let result = match &want {
            Want::Quantiles { int: true, .. } => sc(d.kind, d.size),
            Want::Quantiles { list: true, .. } => sc(Kind::Float, 8),
            _ if float_in => sc(Kind::Float, d.size),
            _ => sc(Kind::Float, 8),
        };
        let rules = Rules {
            input: d,
            result,
            skip_nan: name.starts_with("nan"),
        };
        let ndim = l.ndim();
        let axes: Option<Vec<usize>> = match &axis {
            Value::None => None,
            Value::Int(_) | Value::Tuple(_) => {
                super::reduction::normalize_axes(&axis, ndim, false, span)?
            }
            v => {
                return Err(type_error(
                    format!(
                        "axis takes an integer or a tuple of integers, not {}",
                        v.kind_name()
                    ),
                    span,
                ))
            }
        };
        // The values of each answer lie along the reduced axes, moved last.
        let reduced: Vec<usize> = axes.clone().unwrap_or_else(|| (0..ndim).collect());
        let kept: Vec<usize> = (0..ndim).filter(|k| !reduced.contains(k)).collect();
        let order: Vec<usize> = kept.iter().chain(&reduced).copied().collect();
        let outer_shape: Vec<usize> = kept.iter().map(|&k| l.shape[k]).collect();
        let inner: usize = reduced.iter().map(|&k| l.shape[k]).product();
        let outer: usize = outer_shape.iter().product();
        // The shape of the answers for one q: the kept axes (or 1s where
        // reduced, with keepdims).
        let kept_shape: Vec<usize> = if keepdims {
            (0..ndim)
                .map(|k| {
                    if reduced.contains(&k) {
                        1
                    } else {
                        l_shape(&outer_shape, k, &kept)
                    }
                })
                .collect()
        } else {
            outer_shape.clone()
        };
        // NumPy's nan forms of an empty array are `np.nanmean(a, axis,
        // keepdims=keepdims)`: NaN in the mean's dtype, one per kept
        // position, whatever q is.
        if rules.skip_nan && l.size() == 0 {
            let dtype = if float_in {
                sc(Kind::Float, d.size)
            } else {
                sc(Kind::Float, 8)
            };
            if kept_shape.is_empty() {
                return Ok(scalar_value(Num::real(f64::NAN), dtype));
            }
            let n = kept_shape.iter().product();
            let re = ArrayD::from_shape_vec(IxDyn(&kept_shape), vec![f64::NAN; n])
                .expect("one NaN per position");
            return Ok(Value::Lazy(Lazy::array(Computed {
                dtype,
                re,
                im: None,
                ints: None,
            })));
        }
        let turned = match super::reshape::permute(Value::Lazy(l), &order) {
            Value::Lazy(t) => super::reshape::reshape_lazy(&t, vec![outer, inner]),
            _ => unreachable!("a lazy array stays lazy"),
        };
        let per_row = match &want {
            Want::Median => 1,
            Want::Quantiles { q, .. } => q.len(),
        };
        let memory = self.settings.memory;
        let answers_of = |n: u64, nan: u64, vals: &Values| -> Result<Vec<f64>, Error> {
            if nan > 0 && !rules.skip_nan {
                return Ok(vec![f64::NAN; per_row]);
            }
            if n == 0 {
                if base == "median" || rules.skip_nan {
                    return Ok(vec![f64::NAN; per_row]);
                }
                return Err(type_error(
                    "index -1 is out of bounds for axis 0 with size 0".into(),
                    span,
                ));
            }
            let ranks = rules.ranks(&want, n);
            let v = vals(&ranks)?;
            Ok(rules.answers(&want, n, &v))
        };
        let mut out: Vec<f64> = Vec::with_capacity(outer * per_row);
        // Rows of up to 64 MiB of float64 are gathered (many at a time, on
        // every core) and selected in memory; longer ones are streamed.
        let in_memory = (memory / 2).min(64 << 20);
        if (inner as u64).saturating_mul(8) <= in_memory {
            let batch = ((in_memory / 8) as usize / inner.max(1)).clamp(1, 4096);
            let batches = outer.div_ceil(batch);
            let parts = in_chunks(batches, |c| {
                let mut res: Vec<Result<Vec<f64>, Error>> = Vec::new();
                for row in c * batch..((c + 1) * batch).min(outer) {
                    let mut vals = Vec::with_capacity(inner);
                    let mut nan = 0u64;
                    for_blocks(&turned, row * inner, (row + 1) * inner, |b, _| {
                        for &v in &b.re {
                            if v.is_nan() {
                                nan += 1;
                            } else {
                                vals.push(v);
                            }
                        }
                    })?;
                    let n = vals.len() as u64;
                    let cell = std::cell::RefCell::new(vals);
                    res.push(answers_of(n, nan, &|ranks| {
                        Ok(select_in(&mut cell.borrow_mut(), ranks))
                    }));
                }
                Ok(res)
            })
            .map_err(|_| interrupted(span))?;
            for part in parts {
                for r in part {
                    out.extend(r?);
                }
            }
        } else {
            // A row bigger than memory: each streamed on its own.
            for row in 0..outer {
                let one = turned.index(&[crate::view::Index::Int(row as i128, span)])?;
                let counted = count(&one, memory / 2).map_err(|_| interrupted(span))?;
                let (n, nan) = (counted.finite_or_inf, counted.nan);
                let counted = std::cell::RefCell::new(Some(counted));
                out.extend(answers_of(n, nan, &|ranks| {
                    let c = counted.borrow_mut().take().expect("selected once");
                    select(&one, c, ranks, memory / 2).map_err(|_| interrupted(span))
                })?);
            }
        }
        // Shape: q's axis first (a list q), then the kept axes.
        let mut shape: Vec<usize> = Vec::new();
        if matches!(want, Want::Quantiles { list: true, .. }) {
            shape.push(per_row);
        }
        shape.extend(&kept_shape);
        // Results were made row by row, q fastest: put q first.
        let mut values = vec![0.0; out.len()];
        for row in 0..outer {
            for k in 0..per_row {
                values[k * outer + row] = out[row * per_row + k];
            }
        }
        if shape.is_empty() {
            return Ok(scalar_value(Num::real(values[0]), result));
        }
        let re = ArrayD::from_shape_vec(IxDyn(&shape), values).expect("one answer per position");
        Ok(Value::Lazy(Lazy::array(Computed {
            dtype: result,
            re,
            im: None,
            ints: None,
        })))
    }
}

impl Session {
    /// The quartiles of the values of `l`, NaN left out (as
    /// `nanpercentile(x, [25, 50, 75])`, each in `l`'s float dtype), given
    /// how many values are not NaN: no counting pass. NaN when there are none.
    pub(super) fn quartiles(&self, l: &Lazy, not_nan: u64, span: Span) -> Result<[f64; 3], Error> {
        if not_nan == 0 {
            return Ok([f64::NAN; 3]);
        }
        let float = l.dtype.kind == Kind::Float;
        let rules = Rules {
            input: l.dtype,
            result: if float {
                sc(Kind::Float, l.dtype.size)
            } else {
                sc(Kind::Float, 8)
            },
            skip_nan: true,
        };
        let want = Want::Quantiles {
            q: vec![0.25, 0.5, 0.75],
            list: false,
            int: false,
        };
        let memory = self.settings.memory / 2;
        let counted = crate::compute::order::Counted::known(l.size() as u64 - not_nan, not_nan);
        let ranks = rules.ranks(&want, not_nan);
        let v = select(l, counted, &ranks, memory).map_err(|_| interrupted(span))?;
        let a = rules.answers(&want, not_nan, &v);
        Ok([a[0], a[1], a[2]])
    }
}

/// The length of kept axis `k` (for keepdims shapes).
fn l_shape(outer_shape: &[usize], k: usize, kept: &[usize]) -> usize {
    kept.iter()
        .position(|&a| a == k)
        .map_or(1, |i| outer_shape[i])
}
