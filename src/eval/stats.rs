//! `stats` and `hist`: the statement forms' input (complex becomes |x|,
//! records say which fields to take), one fused pass for the statistics
//! and the quartiles, and the histogram's range and counts.

use super::call::{interrupted, type_error};
use super::operators::{func_dtype, operand, to_lazy};
use super::{Session, Value};
use crate::compute::bins::{histogram, numpy_bins};
use crate::compute::promote::Operand;
use crate::compute::reduce::{reduce_all, Need};
use crate::compute::{Func, Lazy, Node};
use crate::diag::{Error, ErrorKind};
use crate::dtype::{Dtype, Kind};
use crate::syntax::Expr;

/// What `stats` found, in one pass.
#[derive(Clone, Debug)]
pub struct StatsReport {
    pub text: String,
    pub shape: Vec<usize>,
    pub dtype: String,
    /// Computed over |x| because the input is complex.
    pub magnitude: bool,
    pub count: u64,
    pub nan: u64,
    pub posinf: u64,
    pub neginf: u64,
    /// The byte size of the float dtype min and max belong to (float32
    /// data: 4, so they print as float32 values), `None` for integer and
    /// boolean data, whose min and max are integers.
    pub float_size: Option<usize>,
    pub min: f64,
    pub argmin: Option<Vec<usize>>,
    pub max: f64,
    pub argmax: Option<Vec<usize>>,
    /// min and max exactly, for int64 and uint64 data (past 2^53 `min`
    /// and `max` are rounded).
    pub exact: Option<(i128, i128)>,
    /// Mean and standard deviation of the finite values, accumulated in
    /// float64 and spelled in NumPy's result dtype (float32 data: float32).
    pub mean: f64,
    pub std: f64,
    /// The quartiles of the values that are not NaN (NumPy's
    /// `nanpercentile(x, [25, 50, 75])`), exact, in the data's float dtype;
    /// `None` above [`QUARTILES_UP_TO`] elements, where they would cost
    /// `stats` more than its own pass (`percentile` gives them).
    pub quartiles: Option<[f64; 3]>,
}

/// The most elements `stats` finds the quartiles of (a gather and a
/// selection in memory, cheap next to the pass itself up to here; above,
/// they take two more passes over the data: `percentile(x, [25, 50, 75])`).
pub const QUARTILES_UP_TO: usize = 1 << 24;

/// What `hist` counted.
#[derive(Clone, Debug)]
pub struct HistReport {
    pub text: String,
    pub lo: f64,
    pub hi: f64,
    /// NumPy's `bin_edges`, one more than the bins, in the bins' dtype.
    pub edges: Vec<f64>,
    /// The bins' float size (float32 data: 4, so edges print as float32
    /// values; 8 for integers, as NumPy's float64 bins).
    pub edge_size: usize,
    pub counts: Vec<u64>,
    pub outside: u64,
    pub nan: u64,
    /// The PNG written for `hist ... to FILE.png`.
    pub written: Option<super::draw::Written>,
}

fn unravel_vec(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for k in (0..shape.len()).rev() {
        idx[k] = flat % shape[k].max(1);
        flat /= shape[k].max(1);
    }
    idx
}

impl Session {
    /// The array `stats` and `hist` work on: complex input becomes |x|.
    pub(super) fn statistic_input(&self, e: &Expr) -> Result<(Lazy, bool, String), Error> {
        let v = self.eval_operand(e)?;
        // A record view: say which fields could be taken (complex integer
        // pairs `(r, i)` are numbers here, and go on).
        if let super::Value::View(view) | super::Value::Void(view) = &v {
            let fields = view.dtype.fields();
            if let Dtype::Text(_) = view.dtype {
                return Err(type_error(
                    format!(
                        "stats, hist and pictures take numbers; {e} holds strings ({})",
                        view.dtype.short()
                    ),
                    e.span,
                ));
            }
            if !fields.is_empty() && view.dtype.complex_int_part().is_none() {
                // The fields that hold numbers (not strings).
                let names: Vec<&str> = fields
                    .iter()
                    .filter(|f| !f.dtype.has_text())
                    .map(|f| f.name.as_str())
                    .collect();
                if names.is_empty() {
                    return Err(type_error(
                        format!(
                            "stats, hist and pictures take numbers; {e} has none in its fields"
                        ),
                        e.span,
                    ));
                }
                return Err(Error::new(
                    ErrorKind::Type {
                        message: format!(
                            "stats, hist and pictures take numbers; {e} is a record view with fields {}",
                            names.join(", ")
                        ),
                        hint: Some(format!("take one field: `{e}.{}` or `{e}['{}']`", names[0], names[0])),
                    },
                    e.span,
                ));
            }
        }
        let Some(Operand::Array(d)) = operand(&v) else {
            return Err(type_error(
                format!("stats and hist need an array, not {}", v.kind_name()),
                e.span,
            ));
        };
        let l = to_lazy(&v, d, e.span)?;
        if d.kind == Kind::Complex {
            let to = func_dtype(Func::Abs, d);
            let shape = l.shape.clone();
            return Ok((
                Lazy::new(Node::Unary(Func::Abs, l), shape, to),
                true,
                d.descr(),
            ));
        }
        Ok((l, false, d.descr()))
    }

    pub(super) fn stats(&self, e: &Expr, text: &str) -> Result<StatsReport, Error> {
        let (l, magnitude, dtype) = self.statistic_input(e)?;
        let acc = reduce_all(&l, false, Need::All).map_err(|_| interrupted(e.span))?;
        let found = |at: u64| (at != u64::MAX).then(|| unravel_vec(at as usize, &l.shape));
        let finite = acc.finite > 0;
        let quartiles = if l.size() <= QUARTILES_UP_TO {
            Some(self.quartiles(&l, acc.n, e.span)?)
        } else {
            None
        };
        Ok(StatsReport {
            text: text.to_string(),
            shape: l.shape.clone(),
            dtype,
            magnitude,
            float_size: (l.dtype.kind == Kind::Float).then_some(l.dtype.size),
            count: l.size() as u64,
            nan: acc.nan,
            posinf: acc.pinf,
            neginf: acc.ninf,
            min: if acc.n > 0 { acc.min } else { f64::NAN },
            argmin: found(acc.min_at),
            max: if acc.n > 0 { acc.max } else { f64::NAN },
            argmax: found(acc.max_at),
            exact: acc.exact.then_some((acc.imin, acc.imax)),
            mean: if finite { acc.mean } else { f64::NAN },
            std: if finite {
                (acc.m2 / acc.finite as f64).sqrt()
            } else {
                f64::NAN
            },
            quartiles,
        })
    }

    pub(super) fn hist(
        &self,
        e: &Expr,
        bins: Option<&Expr>,
        range: Option<&(Expr, Expr)>,
        text: &str,
    ) -> Result<HistReport, Error> {
        let (l, magnitude, _) = self.statistic_input(e)?;
        let text = if magnitude {
            format!("|{text}|")
        } else {
            text.to_string()
        };
        let bins = match bins {
            None => 10,
            Some(b) => match self.eval(b)? {
                Value::Int(n) if (1..=10_000).contains(&n) => n as usize,
                _ => {
                    return Err(type_error(
                        "bins= takes a whole number from 1 to 10000".into(),
                        b.span,
                    ))
                }
            },
        };
        let number = |x: &Expr| -> Result<f64, Error> {
            match self.eval(x)? {
                Value::Int(i) => Ok(i as f64),
                Value::Float(f) => Ok(f),
                other => Err(type_error(
                    format!("range= takes numbers, not {}", other.kind_name()),
                    x.span,
                )),
            }
        };
        // Without a range, a first pass finds it (as NumPy does).
        let (lo, hi, nan, own) = match range {
            Some((a, b)) => {
                let (lo, hi) = (number(a)?, number(b)?);
                if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                    return Err(type_error(
                        "range=LO,HI needs finite LO <= HI".into(),
                        a.span.to(b.span),
                    ));
                }
                (lo, hi, None, false)
            }
            None => {
                // The range: the extremes, and whether any is infinite.
                let acc = reduce_all(&l, false, Need::Extremes).map_err(|_| interrupted(e.span))?;
                if acc.n == 0 {
                    return Err(type_error(
                        "nothing to count: the array is empty or all NaN".into(),
                        e.span,
                    ));
                }
                if acc.pinf + acc.ninf > 0 {
                    return Err(type_error(
                        "the values include infinities: give range=LO,HI".into(),
                        e.span,
                    ));
                }
                (acc.min, acc.max, Some(acc.nan), true)
            }
        };
        // NumPy's bins: in the data's own float type (integers: float64).
        let edge_size = match l.dtype.kind {
            Kind::Float => l.dtype.size,
            _ => 8,
        };
        let span = range.map_or(e.span, |(a, b)| a.span.to(b.span));
        let (params, edges) =
            numpy_bins(lo, hi, bins, own, edge_size).map_err(|m| type_error(m, span))?;
        let (counts, outside) = histogram(&l, &params, &edges).map_err(|_| interrupted(e.span))?;
        let nan = nan.unwrap_or_else(|| {
            let total: u64 = counts.iter().sum::<u64>() + outside;
            l.size() as u64 - total
        });
        Ok(HistReport {
            text,
            lo: edges[0],
            hi: edges[bins],
            edges,
            edge_size,
            counts,
            outside,
            nan,
            written: None,
        })
    }
}
