//! NumPy's `numpy.fft` transforms as functions: `fft`, `ifft`, `rfft`,
//! `irfft` along one axis (`n=`, `axis=`, `norm=`; NumPy 2's dtypes), the
//! n-d forms as one-axis transforms in turn (`fft2`, `fftn`, `rfft2`,
//! `irfftn` ...), transforms above `STREAM_ABOVE` streamed row by row, and
//! `fftshift`/`ifftshift`.

use super::arrays::array;
use super::call::{array_arg, sc, type_error};
use super::spectral::{bind, STREAM_ABOVE};
use super::{Session, Value};
use crate::compute::spectral::{self, Norm};
use crate::compute::{Lazy, Node};
use crate::diag::Error;
use crate::dtype::{Kind, Scalar};
use crate::syntax::{Arg, Span};

impl Session {
    /// `fft`, `ifft`, `rfft`, `irfft` along one axis, as NumPy 2 gives
    /// them: float32 and complex64 in, complex64 out (float32 for irfft);
    /// everything else complex128 (float64).
    pub(super) fn transform(
        &self,
        name: &str,
        x: Value,
        rest: &[Arg],
        span: Span,
    ) -> Result<Value, Error> {
        let (l, d) = array_arg(name, &x, span)?;
        let b = bind(name, &["n", "axis", "norm"], rest, span)?;
        if l.ndim() == 0 {
            return Err(type_error(
                "axis -1 is out of bounds for array of dimension 0".into(),
                span,
            ));
        }
        let ndim = l.ndim() as i128;
        let axis = match self.bound_int(&b, 1, "axis")? {
            None => l.ndim() - 1,
            Some((k, s)) if k < -ndim || k >= ndim => {
                return Err(type_error(
                    format!("axis {k} is out of bounds for array of dimension {ndim}"),
                    s,
                ))
            }
            Some((k, _)) => (if k < 0 { k + ndim } else { k }) as usize,
        };
        let len = l.shape[axis];
        if len == 0 {
            return Err(type_error(
                format!("Invalid number of data points (0) specified for {name}()"),
                span,
            ));
        }
        let n = match self.bound_int(&b, 0, "n")? {
            None if name == "irfft" => 2 * len.saturating_sub(1),
            None => len,
            Some((n, s)) if n < 1 => {
                return Err(type_error(
                    format!("Invalid number of FFT data points ({n}) specified."),
                    s,
                ))
            }
            Some((n, _)) => n as usize,
        };
        if n < 1 {
            return Err(type_error(
                format!("Invalid number of FFT data points ({n}) specified."),
                span,
            ));
        }
        let norm = self.norm_arg(&b, 2)?;
        self.transform_axis(name, &l, d, n, axis, norm, true, span)
    }

    /// The transform `name` of `l` along `axis`, at `n` points. Along the
    /// last axis, a result above [`STREAM_ABOVE`] (or a 32nd of `set
    /// memory`) is a streamed array
    /// (`stream`): each row is transformed when a walk reaches it, and the
    /// whole never exists in memory; otherwise the rows are transformed at
    /// once, within `set memory`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn transform_axis(
        &self,
        name: &str,
        l: &Lazy,
        d: Scalar,
        n: usize,
        axis: usize,
        norm: Norm,
        stream: bool,
        span: Span,
    ) -> Result<Value, Error> {
        let which = spectral::Which::parse(name).expect("a one-axis transform");
        if which == spectral::Which::Rfft && d.kind == Kind::Complex {
            return Err(type_error(
                "ufunc 'rfft_n_even' did not contain a loop with signature matching types".into(),
                span,
            ));
        }
        let len = l.shape[axis];
        let single = matches!(
            (d.kind, d.size),
            (Kind::Float, 4) | (Kind::Float, 2) | (Kind::Complex, 8)
        );
        let out_dtype = match (which, single) {
            (spectral::Which::Irfft, true) => sc(Kind::Float, 4),
            (spectral::Which::Irfft, false) => sc(Kind::Float, 8),
            (_, true) => sc(Kind::Complex, 8),
            (_, false) => sc(Kind::Complex, 16),
        };
        let t = spectral::RowTransform::new(which, len, n, norm);
        let out_len = t.out_len();
        let rows = l.size() / len.max(1);
        let whole = rows.saturating_mul(out_len).saturating_mul(2);
        let above = STREAM_ABOVE.min((self.settings.memory / 32) as usize);
        if stream && axis + 1 == l.ndim() && whole.saturating_mul(8) > above {
            // Each thread making a row holds its work at once (a row is
            // made by one thread: no more threads than rows).
            let threads = crate::compute::reduce::threads().min(rows.max(1));
            self.reserve_memory::<u8>(
                (t.row_work() as usize).saturating_mul(threads),
                &format!("{name}() of rows of {len} values"),
                "transform shorter rows (reshape the view into rows along a new last axis)",
                span,
            )?;
            let mut shape = l.shape.clone();
            shape[axis] = out_len;
            let node = Node::Transform {
                src: l.clone(),
                t: std::sync::Arc::new(t),
            };
            return Ok(Value::Lazy(Lazy::new(node, shape, out_dtype)));
        }
        // The result's size is what must fit in memory.
        self.reserve_memory::<f64>(
            whole,
            &format!("{name}() of {} elements", l.size()),
            "slice the view first (along the last axis, a transform streams)",
            span,
        )?;
        let (re, im, _, mut shape, order) = self.rows_along(l, axis, name, span)?;
        let (re, im) = t
            .rows(&re, &im)
            .map_err(|_| super::call::interrupted(span))?;
        let last = shape.len() - 1;
        shape[last] = out_len;
        let round = |v: Vec<f64>| -> Vec<f64> {
            if single {
                v.into_iter().map(|x| x as f32 as f64).collect()
            } else {
                v
            }
        };
        let value = array(shape, out_dtype, round(re), Some(round(im)));
        Ok(Self::unturn(value, &order))
    }

    /// `fft2`, `ifft2`, `fftn`, `ifftn`: the transform along each of
    /// `axes` in turn (the last two for the 2-D forms, every axis or the
    /// last `len(s)` for the n-D ones), each at `s`'s length, as NumPy's
    /// `_raw_fftnd` does (last axis first).
    pub(super) fn transform_nd(
        &self,
        name: &str,
        x: Value,
        rest: &[Arg],
        span: Span,
    ) -> Result<Value, Error> {
        let (l, d) = array_arg(name, &x, span)?;
        let b = bind(name, &["s", "axes", "norm"], rest, span)?;
        let ndim = l.ndim() as i128;
        let ints = |v: Value, at: Span, what: &str| -> Result<Vec<i128>, Error> {
            match v {
                Value::Int(k) => Ok(vec![k]),
                Value::Tuple(t) | Value::List(t) => t
                    .into_iter()
                    .map(|v| match v {
                        Value::Int(k) => Ok(k),
                        other => Err(type_error(
                            format!("{what} take integers, not {}", other.kind_name()),
                            at,
                        )),
                    })
                    .collect(),
                other => Err(type_error(
                    format!("{what} take a tuple of integers, not {}", other.kind_name()),
                    at,
                )),
            }
        };
        let sizes = match self.bound_value(&b, 0)? {
            Some((v, at)) => Some((ints(v, at, "s")?, at)),
            None => None,
        };
        let axes: Vec<i128> = match self.bound_value(&b, 1)? {
            Some((v, at)) => ints(v, at, "axes")?,
            None if name.ends_with('2') => vec![-2, -1],
            None => match &sizes {
                Some((s, _)) => (ndim - s.len() as i128..ndim).collect(),
                None => (0..ndim).collect(),
            },
        };
        if let Some((s, at)) = &sizes {
            if s.len() != axes.len() {
                return Err(type_error(
                    "Shape and axes have different lengths.".into(),
                    *at,
                ));
            }
        }
        let mut axes_at = Vec::with_capacity(axes.len());
        for &k in &axes {
            if k < -ndim || k >= ndim {
                return Err(type_error(
                    format!("axis {k} is out of bounds for array of dimension {ndim}"),
                    span,
                ));
            }
            axes_at.push((if k < 0 { k + ndim } else { k }) as usize);
        }
        let norm = self.norm_arg(&b, 2)?;
        let last = axes_at.len().saturating_sub(1);
        // NumPy's `_cook_nd_args`: the lengths from the input's shape (the
        // last one 2(m - 1) for the inverse real forms), -1 for the whole axis.
        let inverse_real = name.starts_with("irfft");
        let lengths: Vec<(i128, Span)> = match &sizes {
            Some((s, at)) => s
                .iter()
                .zip(&axes_at)
                .map(|(&n, &axis)| (if n == -1 { l.shape[axis] as i128 } else { n }, *at))
                .collect(),
            None => axes_at
                .iter()
                .enumerate()
                .map(|(i, &axis)| {
                    let m = l.shape[axis] as i128;
                    (
                        if inverse_real && i == last {
                            2 * (m - 1)
                        } else {
                            m
                        },
                        span,
                    )
                })
                .collect(),
        };
        // The order NumPy takes the axes in: the last axis first (its real
        // transform first for rfftn), or, for irfftn, the complex axes in
        // order and the real one last.
        let steps: Vec<(usize, &str)> = if inverse_real {
            (0..last)
                .map(|i| (i, "ifft"))
                .chain([(last, "irfft")])
                .collect()
        } else {
            let one = if name.starts_with('i') { "ifft" } else { "fft" };
            (0..axes_at.len())
                .rev()
                .map(|i| {
                    (
                        i,
                        if name.starts_with("rfft") && i == last {
                            "rfft"
                        } else {
                            one
                        },
                    )
                })
                .collect()
        };
        let (mut cur, mut dtype) = (l, d);
        for (i, one) in steps {
            let axis = axes_at[i];
            let (n, at) = lengths[i];
            if n < 1 {
                return Err(type_error(
                    format!("Invalid number of FFT data points ({n}) specified."),
                    at,
                ));
            }
            if cur.shape[axis] == 0 {
                return Err(type_error(
                    format!("Invalid number of data points (0) specified for {name}()"),
                    span,
                ));
            }
            let v = self.transform_axis(one, &cur, dtype, n as usize, axis, norm, false, span)?;
            let (next, next_dtype) = array_arg(name, &v, span)?;
            cur = next;
            dtype = next_dtype;
        }
        Ok(Value::Lazy(cur))
    }

    /// `fftshift` and `ifftshift`: each axis (or the given ones) rolled by
    /// half its length, zero frequency to the middle and back. A copy, as
    /// NumPy's `np.roll` makes.
    pub(super) fn shift(
        &self,
        name: &str,
        x: Value,
        rest: &[Arg],
        span: Span,
    ) -> Result<Value, Error> {
        let (l, _) = array_arg(name, &x, span)?;
        let b = bind(name, &["axes"], rest, span)?;
        let ndim = l.ndim();
        let norm_axis = |k: i128, s: Span| -> Result<usize, Error> {
            let n = ndim as i128;
            if k < -n || k >= n {
                Err(type_error(
                    format!("axis {k} is out of bounds for array of dimension {ndim}"),
                    s,
                ))
            } else {
                Ok((if k < 0 { k + n } else { k }) as usize)
            }
        };
        let axes: Vec<usize> = match self.bound_value(&b, 0)? {
            None => (0..ndim).collect(),
            Some((Value::Int(k), s)) => vec![norm_axis(k, s)?],
            Some((Value::Tuple(t) | Value::List(t), s)) => t
                .iter()
                .map(|v| match v {
                    Value::Int(k) => norm_axis(*k, s),
                    other => Err(type_error(
                        format!("axes take integers, not {}", other.kind_name()),
                        s,
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some((v, s)) => {
                return Err(type_error(
                    format!("axes take an integer or a tuple, not {}", v.kind_name()),
                    s,
                ))
            }
        };
        let (re, im, _) = self.values_of(&l, name, span)?;
        let shape = l.shape.clone();
        let mut shift = vec![0usize; ndim];
        for &a in &axes {
            let n = shape[a];
            // Repeated axes roll again, as np.roll does.
            let by = if name == "fftshift" { n / 2 } else { n - n / 2 };
            shift[a] = (shift[a] + by) % n.max(1);
        }
        let size = l.size();
        let mut out_re = vec![0.0; size];
        let mut out_im = vec![0.0; if im.is_empty() { 0 } else { size }];
        let mut idx = vec![0usize; ndim];
        for flat in 0..size {
            // Where element `flat` goes: each index moved on by the shift.
            let mut to = 0;
            for k in 0..ndim {
                to = to * shape[k] + (idx[k] + shift[k]) % shape[k].max(1);
            }
            out_re[to] = re[flat];
            if !im.is_empty() {
                out_im[to] = im[flat];
            }
            for k in (0..ndim).rev() {
                idx[k] += 1;
                if idx[k] < shape[k] {
                    break;
                }
                idx[k] = 0;
            }
        }
        // A copy keeps the dtype, byte order included, as np.roll's does.
        Ok(array(shape, l.dtype, out_re, Some(out_im)))
    }
}
