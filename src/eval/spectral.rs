//! The spectral built-ins' dispatch (`spectral`) and what they share:
//! Python-style binding of positional and keyword arguments (`bind`,
//! `bound_*`), `norm=`. The transforms are in `fft.rs`, SciPy's `welch`
//! and `spectrogram` and the `psd`/`specgram` commands in `welch.rs`, the
//! arithmetic in `compute::spectral`.

use super::arrays::array;
use super::call::{sc, type_error, unexpected_keyword};
use super::{Session, Value};
use crate::compute::spectral::{self, Norm};
use crate::diag::Error;
use crate::dtype::Kind;
use crate::syntax::{Arg, Span};

/// A one-axis transform along the last axis whose result (in float64)
/// is larger than this, or than a 32nd of `set memory`, streams row
/// by row instead of being made at once.
pub const STREAM_ABOVE: usize = 64 << 20;

/// Arguments matched to a signature, as Python binds them: positional in
/// order, then by keyword; an unknown keyword or one too many is an error.
pub(super) struct Bound<'a> {
    values: Vec<Option<&'a Arg>>,
}

pub(super) fn bind<'a>(
    name: &str,
    names: &[&str],
    args: &'a [Arg],
    span: Span,
) -> Result<Bound<'a>, Error> {
    let mut values: Vec<Option<&Arg>> = vec![None; names.len()];
    let mut next = 0;
    for a in args {
        let k = match &a.name {
            None => {
                let k = next;
                next += 1;
                if k >= names.len() {
                    return Err(type_error(
                        format!(
                            "{name}() takes at most {} positional arguments",
                            names.len()
                        ),
                        a.value.span,
                    ));
                }
                k
            }
            Some(n) => names
                .iter()
                .position(|&m| m == n.node)
                .ok_or_else(|| unexpected_keyword(name, &n.node, n.span))?,
        };
        if values[k].is_some() {
            return Err(type_error(
                format!("{name}() got multiple values for argument '{}'", names[k]),
                a.value.span,
            ));
        }
        values[k] = Some(a);
    }
    let _ = span;
    Ok(Bound { values })
}

/// A spectrum with no finite, non-zero power has nothing to draw in dB.
pub(super) fn no_power(span: Span) -> Error {
    Error::new(
        crate::diag::ErrorKind::Type {
            message: "nothing to draw: no finite power above zero (silent or non-finite samples)"
                .into(),
            hint: Some(
                "`stats` of the view shows whether it holds non-zero, finite samples".into(),
            ),
        },
        span,
    )
}

impl Session {
    /// The value of bound argument `k`, `None` when absent or Python's None.
    pub(super) fn bound_value(&self, b: &Bound, k: usize) -> Result<Option<(Value, Span)>, Error> {
        match b.values[k] {
            None => Ok(None),
            Some(a) => match self.eval(&a.value)? {
                Value::None => Ok(None),
                v => Ok(Some((v, a.value.span))),
            },
        }
    }

    /// Bound argument `k` taken by `take`, or an error naming the `kind`
    /// of value it wants.
    pub(super) fn bound_as<T>(
        &self,
        b: &Bound,
        k: usize,
        what: &str,
        kind: &str,
        take: impl Fn(Value) -> Result<T, Value>,
    ) -> Result<Option<(T, Span)>, Error> {
        match self.bound_value(b, k)? {
            None => Ok(None),
            Some((v, s)) => match take(v) {
                Ok(t) => Ok(Some((t, s))),
                Err(v) => Err(type_error(
                    format!("{what} takes {kind}, not {}", v.kind_name()),
                    s,
                )),
            },
        }
    }

    pub(super) fn bound_int(
        &self,
        b: &Bound,
        k: usize,
        what: &str,
    ) -> Result<Option<(i128, Span)>, Error> {
        self.bound_as(b, k, what, "an integer", |v| match v {
            Value::Int(n) => Ok(n),
            v => Err(v),
        })
    }

    pub(super) fn bound_float(
        &self,
        b: &Bound,
        k: usize,
        what: &str,
    ) -> Result<Option<(f64, Span)>, Error> {
        self.bound_as(b, k, what, "a number", |v| match v {
            Value::Int(n) => Ok(n as f64),
            Value::Float(x) => Ok(x),
            v => Err(v),
        })
    }

    pub(super) fn bound_str(
        &self,
        b: &Bound,
        k: usize,
        what: &str,
    ) -> Result<Option<(String, Span)>, Error> {
        self.bound_as(b, k, what, "a string", |v| match v {
            Value::Str(t) => Ok(t),
            v => Err(v),
        })
    }

    /// `norm=` (bound argument `k`) as NumPy reads it, "backward" when absent.
    pub(super) fn norm_arg(&self, b: &Bound, k: usize) -> Result<Norm, Error> {
        match self.bound_str(b, k, "norm")? {
            None => Ok(Norm::Backward),
            Some((s, at)) => Norm::parse(&s).ok_or_else(|| {
                type_error(
                    format!(
                        "Invalid norm value {s}; should be \"backward\",\"ortho\" or \"forward\"."
                    ),
                    at,
                )
            }),
        }
    }

    /// The built-ins of this module.
    pub(super) fn spectral(
        &self,
        name: &str,
        x: Value,
        rest: &[Arg],
        span: Span,
    ) -> Result<Value, Error> {
        match name {
            "fft" | "ifft" | "rfft" | "irfft" => self.transform(name, x, rest, span),
            "fft2" | "ifft2" | "fftn" | "ifftn" | "rfft2" | "irfft2" | "rfftn" | "irfftn" => {
                self.transform_nd(name, x, rest, span)
            }
            "fftfreq" | "rfftfreq" => {
                let b = bind(name, &["d"], rest, span)?;
                let n = match x {
                    Value::Int(n) if n > 0 => n as usize,
                    Value::Int(_) => {
                        return Err(type_error(
                            format!("{name}() needs a positive number of points"),
                            span,
                        ))
                    }
                    other => {
                        return Err(type_error(
                            format!("n should be an integer, not {}", other.kind_name()),
                            span,
                        ))
                    }
                };
                let d = self.bound_float(&b, 0, "d")?.map_or(1.0, |(d, _)| d);
                let f = if name == "fftfreq" {
                    spectral::fftfreq(n, d)
                } else {
                    spectral::rfftfreq(n, d)
                };
                Ok(array(vec![f.len()], sc(Kind::Float, 8), f, None))
            }
            "fftshift" | "ifftshift" => self.shift(name, x, rest, span),
            "welch" => self.welch(x, rest, span),
            "spectrogram" => self.spectrogram(x, rest, span),
            _ => Err(type_error(format!("unknown function {name}"), span)),
        }
    }
}
