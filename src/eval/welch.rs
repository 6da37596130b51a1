//! SciPy's `welch` and `spectrogram` as functions (`(f, Pxx)`, `(f, t,
//! Sxx)` in SciPy's dtypes, with its defaults), and the `psd` and
//! `specgram` commands over views of any size (peaks, total power, a dB
//! plot or waterfall); `explain psd`/`explain specgram`.

use super::arrays::array;
use super::call::{array_arg, interrupted, sc, type_error};
use super::spectral::{bind, no_power};
use super::{Session, Value};
use crate::compute::spectral::{self, Welch};
use crate::compute::Lazy;
use crate::diag::Error;
use crate::dtype::{Kind, Scalar};
use crate::syntax::{Arg, Expr, ExprKind, Span, Spanned};

/// What `psd` shows: Welch's spectrum of a 1-D view, its strongest peaks,
/// noise floor and total power, and a plot of it in dB.
/// What a walk over segments was (`psd`, `specgram`): the signal, its
/// rate and the segments.
#[derive(Clone, Debug)]
pub struct SegmentsHead {
    pub text: String,
    pub samples: usize,
    pub fs: f64,
    /// fs came from the recording's metadata (SigMF's sample rate).
    pub fs_from_metadata: bool,
    /// The recording's centre frequency, added to every frequency.
    pub centre: Option<f64>,
    /// Both signs of frequency (complex input).
    pub two_sided: bool,
    pub nperseg: usize,
    pub noverlap: usize,
    pub segments: usize,
    /// "density" (per Hz) or "spectrum".
    pub scaling: String,
}

#[derive(Clone, Debug)]
pub struct PsdReport {
    pub head: SegmentsHead,
    /// Ascending frequencies (two-sided spectra shifted to put 0 in the
    /// middle) and their power.
    pub freqs: Vec<f64>,
    pub power: Vec<f64>,
    /// Up to five local maxima, strongest first: (frequency, dB).
    pub peaks: Vec<(f64, f64)>,
    /// The median bin, in dB: a robust noise floor.
    pub floor_db: f64,
    /// The integral of the density (or sum of the spectrum).
    pub total: f64,
    pub plot: super::draw::PlotReport,
}

/// What `specgram` shows: the spectrogram of a 1-D view as a waterfall,
/// time downwards and frequency across, each cell the mean (or maximum)
/// power of the segments and bins it stands for, in dB.
#[derive(Clone, Debug)]
pub struct SpecgramReport {
    pub head: SegmentsHead,
    /// Segments a row stands for, bins a column stands for.
    pub per_row: usize,
    pub per_column: usize,
    /// The first and last bin's frequency, the first and last segment's
    /// time (its middle, as SciPy's `t`).
    pub freq_ends: (f64, f64),
    pub time_ends: (f64, f64),
    /// Each row's time (the middle of its segments' times) and each
    /// column's frequency (the mean of its bins').
    pub row_times: Vec<f64>,
    pub column_freqs: Vec<f64>,
    /// The picture: `values` in dB, row-major.
    pub image: super::draw::ImageReport,
}

/// A signal and how to cut it into segments (welch, spectrogram).
pub(super) struct Segments {
    x: Lazy,
    w: Welch,
    fs: f64,
    freqs: Vec<f64>,
    /// The result's dtype (float32 or float64).
    dtype: Scalar,
    /// Scaled as a density (per unit of frequency), not a spectrum.
    density: bool,
}

impl Segments {
    /// The walk's description for a report.
    pub(super) fn head(
        &self,
        text: &str,
        fs_from_metadata: bool,
        centre: Option<f64>,
    ) -> SegmentsHead {
        SegmentsHead {
            text: text.to_string(),
            samples: self.x.size(),
            fs: self.fs,
            fs_from_metadata,
            centre,
            two_sided: !self.w.onesided,
            nperseg: self.w.nperseg,
            noverlap: self.w.noverlap,
            segments: self.w.segments(self.x.size()),
            scaling: if self.density { "density" } else { "spectrum" }.into(),
        }
    }

    /// Bins in ascending frequency: a two-sided spectrum (complex input)
    /// turned as `fftshift` turns it, zero in the middle.
    pub(super) fn ascending(&self, mut bins: Vec<f64>) -> Vec<f64> {
        if !self.w.onesided {
            let n = bins.len();
            bins.rotate_left(n.div_ceil(2));
        }
        bins
    }

    /// The frequencies of [`Self::ascending`]'s bins, around `centre`.
    pub(super) fn frequencies(&self, centre: Option<f64>) -> Vec<f64> {
        let f = self.ascending(self.freqs.clone());
        f.into_iter().map(|f| f + centre.unwrap_or(0.0)).collect()
    }

    /// The frequencies of the bins, as the float64 array SciPy returns.
    pub(super) fn freqs_array(&self) -> Value {
        array(
            vec![self.freqs.len()],
            sc(Kind::Float, 8),
            self.freqs.clone(),
            None,
        )
    }

    pub(super) fn round(&self, v: Vec<f64>) -> Vec<f64> {
        if self.dtype.size == 4 {
            v.into_iter().map(|x| x as f32 as f64).collect()
        } else {
            v
        }
    }
}

impl Session {
    /// The sample rate and centre frequency of the recording `e` is a view
    /// of (its root name's SigMF metadata), when known.
    pub(super) fn recording_rates(&self, e: &Expr) -> (Option<f64>, Option<f64>) {
        let mut root = e;
        while let ExprKind::Index { base, .. } | ExprKind::Attr { base, .. } = &root.kind {
            root = base;
        }
        let ExprKind::Name(n) = &root.kind else {
            return (None, None);
        };
        let Some(meta) = self.meta.get(n) else {
            return (None, None);
        };
        let fact = |key: &str| {
            meta.facts
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| match v {
                    crate::report::Field::Float(x, _) => Some(*x),
                    _ => None,
                })
        };
        (
            fact("sample rate (Hz)").filter(|r| *r > 0.0 && r.is_finite()),
            fact("centre frequency (Hz)").filter(|c| c.is_finite()),
        )
    }

    /// The engine's plan for `welch(...)`/`spectrogram(...)` without
    /// running it: what `explain` shows.
    pub(super) fn segments_plan(
        &self,
        name: &str,
        x: Value,
        rest: &[Arg],
        span: Span,
    ) -> Option<crate::compute::plan::Plan> {
        let s = self.segments_args(name, x, rest, span).ok()?;
        let per_row = (name == "spectrogram").then_some(1);
        let out = s.dtype.size as u64;
        let rows = per_row.map_or(1, |_| s.w.segments(s.x.size()) as u64);
        Some(crate::compute::plan::plan_segments(
            &s.x,
            &s.w,
            per_row,
            out,
            rows * s.w.bins() as u64 * out,
        ))
    }

    /// `explain psd ...` and `explain specgram ...`: the operand's steps
    /// (its view and footprint), and the plan of the segment walk the
    /// command makes.
    pub(super) fn explain_spectrum(
        &self,
        command: &crate::syntax::Stmt,
        line: &str,
    ) -> Result<super::explain::Explanation, Error> {
        use crate::syntax::Stmt;
        let (word, e, args, to) = match command {
            Stmt::Psd { expr, args, to } => ("psd", expr, args, to),
            Stmt::Specgram { expr, args, to, .. } => ("specgram", expr, args, to),
            _ => unreachable!("the parser makes only these"),
        };
        let mut x = self.explain(e, line)?;
        let (mut args, _, _) = self.command_args(e, args);
        args.retain(|a| {
            !a.name
                .as_ref()
                .is_some_and(|n| n.node == "cmap" || n.node == "reduce")
        });
        let value = self.eval(e)?;
        let name = if word == "psd" { "psd" } else { "spectrogram" };
        let s = self.segments_args(name, value, &args, e.span)?;
        let out = s.dtype.size as u64;
        let (per_row, held) = if word == "psd" {
            (None, s.w.bins() as u64 * 8)
        } else {
            // The grid the waterfall reduces to (see `specgram`).
            let (max_w, max_h) = if to.is_some() {
                (super::draw::PNG_IMAGE_MAX, super::draw::PNG_IMAGE_MAX)
            } else {
                super::draw::TERM_IMAGE
            };
            let segments = s.w.segments(s.x.size());
            let per_row = segments.div_ceil(max_h).max(1);
            let cells = segments.div_ceil(per_row) * s.w.bins().min(max_w);
            (
                Some(per_row),
                (segments.div_ceil(per_row) * s.w.bins() + cells) as u64 * 8,
            )
        };
        x.plan = Some(crate::compute::plan::plan_segments(
            &s.x, &s.w, per_row, out, held,
        ));
        let end = args
            .iter()
            .map(|a| a.value.span.end)
            .chain(to.as_ref().map(|t| t.span.end))
            .chain([e.span.end])
            .max()
            .unwrap_or(e.span.end);
        x.text = format!(
            "{word} {}",
            line.get(e.span.start..end).unwrap_or("").trim()
        );
        Ok(x)
    }

    /// The keyword arguments of `psd`/`specgram` as a call's: a bare word
    /// not bound to a value is its string (`window=hann`), and a SigMF
    /// recording gives `fs=` (when not given) and the centre frequency the
    /// spectrum is put around: (arguments, fs from the metadata, centre).
    pub(super) fn command_args(&self, e: &Expr, args: &[Arg]) -> (Vec<Arg>, bool, Option<f64>) {
        let mut args: Vec<Arg> = args
            .iter()
            .map(|a| match &a.value.kind {
                ExprKind::Name(n) if self.get(n).is_none() => Arg {
                    name: a.name.clone(),
                    value: Expr {
                        kind: ExprKind::Str(n.clone()),
                        span: a.value.span,
                    },
                },
                _ => a.clone(),
            })
            .collect();
        let (rate, centre) = self.recording_rates(e);
        let from_metadata = rate.is_some()
            && !args
                .iter()
                .any(|a| a.name.as_ref().is_some_and(|n| n.node == "fs"));
        if let (true, Some(r)) = (from_metadata, rate) {
            args.push(Arg {
                name: Some(Spanned {
                    node: "fs".into(),
                    span: e.span,
                }),
                value: Expr {
                    kind: ExprKind::Float(r),
                    span: e.span,
                },
            });
        }
        (args, from_metadata, centre.filter(|_| from_metadata))
    }

    /// `psd EXPR [welch's keyword arguments] [to PATH]`.
    pub(super) fn psd(
        &self,
        e: &Expr,
        args: &[Arg],
        to: Option<&Spanned<String>>,
        text: &str,
    ) -> Result<PsdReport, Error> {
        let (args, from_metadata, centre) = self.command_args(e, args);
        let x = self.eval(e)?;
        let s = self.segments_args("psd", x, &args, e.span)?;
        let p = spectral::welch(&s.x, &s.w).map_err(|_| interrupted(e.span))?;
        let power = s.ascending(p);
        let freqs = s.frequencies(centre);
        if !power.iter().any(|&p| p > 0.0 && p.is_finite()) {
            return Err(no_power(e.span));
        }
        let db: Vec<f64> = power.iter().map(|&v| 10.0 * v.log10()).collect();
        let mut local: Vec<usize> = (0..db.len())
            .filter(|&k| (k == 0 || db[k] > db[k - 1]) && (k + 1 == db.len() || db[k] >= db[k + 1]))
            .collect();
        local.sort_by(|&a, &b| db[b].total_cmp(&db[a]));
        let mut sorted = db.clone();
        sorted.sort_by(f64::total_cmp);
        let floor_db = sorted[sorted.len() / 2];
        // Peaks: local maxima 10 dB above the floor, strongest first, each
        // at least 8 bins from a stronger one (a window's side lobes and
        // the noise riding on a tone are not peaks of their own).
        let mut chosen: Vec<usize> = Vec::new();
        for k in local {
            if chosen.len() == 5 || db[k] < floor_db + 10.0 {
                break;
            }
            if chosen.iter().all(|&c| c.abs_diff(k) >= 8) {
                chosen.push(k);
            }
        }
        let peaks = chosen.iter().map(|&k| (freqs[k], db[k])).collect();
        let density = s.density;
        let total: f64 = power.iter().sum::<f64>()
            * if density {
                s.fs / s.w.nperseg as f64
            } else {
                1.0
            };
        let curve = Lazy::array(crate::compute::Computed {
            dtype: sc(Kind::Float, 8),
            re: ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[db.len()]), db)
                .expect("one value per bin"),
            im: None,
            ints: None,
        });
        // Enough digits to tell bins apart around a centre of gigahertz.
        let label = |f: f64| crate::number::table_float(f, 8, 12).trim().to_string();
        let ends = (
            label(freqs[0]),
            label(*freqs.last().expect("a bin at least")),
        );
        let plot = self.plot_lazy(
            &curve,
            false,
            Some(super::draw::XAxis {
                ends,
                range: (freqs[0], *freqs.last().expect("a bin at least")),
                name: "frequency (Hz)",
            }),
            to,
            &format!("10*log10 of {text}'s psd"),
            e,
        )?;
        Ok(PsdReport {
            head: s.head(text, from_metadata, centre),
            freqs,
            power,
            peaks,
            floor_db,
            total,
            plot,
        })
    }

    /// `specgram EXPR [spectrogram's keyword arguments] [cmap=] [reduce=]
    /// [range=LO,HI] [to PATH]`: the spectrogram of a view of any size,
    /// streamed, block-reduced to the terminal's or the PNG's size.
    pub(super) fn specgram(
        &self,
        e: &Expr,
        args: &[Arg],
        range: Option<&(Expr, Expr)>,
        to: Option<&Spanned<String>>,
        text: &str,
    ) -> Result<SpecgramReport, Error> {
        let (mut args, from_metadata, centre) = self.command_args(e, args);
        // The picture's own options; the rest are spectrogram()'s.
        let mut take = |key: &str| -> Result<Option<Spanned<String>>, Error> {
            let Some(k) = args
                .iter()
                .position(|a| a.name.as_ref().is_some_and(|n| n.node == key))
            else {
                return Ok(None);
            };
            let a = args.remove(k);
            match a.value.kind {
                ExprKind::Str(v) => Ok(Some(Spanned {
                    node: v,
                    span: a.value.span,
                })),
                _ => Err(type_error(format!("{key}= takes a name"), a.value.span)),
            }
        };
        let cmap = super::draw::cmap_arg(take("cmap")?.as_ref())?;
        let how = super::draw::reduce_arg(take("reduce")?.as_ref())?;
        let x = self.eval(e)?;
        let s = self.segments_args("spectrogram", x, &args, e.span)?;
        let segments = s.w.segments(s.x.size());
        if segments == 0 {
            return Err(type_error(
                format!(
                    "nothing to draw: {} samples make no segment of {}",
                    s.x.size(),
                    s.w.nperseg
                ),
                e.span,
            ));
        }
        let (max_w, max_h) = if to.is_some() {
            (super::draw::PNG_IMAGE_MAX, super::draw::PNG_IMAGE_MAX)
        } else {
            super::draw::TERM_IMAGE
        };
        let bins = s.w.bins();
        let (per_row, per_column) = (segments.div_ceil(max_h), bins.div_ceil(max_w));
        let max = how == crate::compute::bins::Shrink::Max;
        let grid =
            spectral::waterfall(&s.x, &s.w, per_row, max).map_err(|_| interrupted(e.span))?;
        let (rows, cols) = (grid.len(), bins.div_ceil(per_column));
        let mut values = Vec::with_capacity(rows * cols);
        for row in grid {
            for cell in s.ascending(row).chunks(per_column) {
                let v = if max {
                    cell.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                } else {
                    cell.iter().sum::<f64>() / cell.len() as f64
                };
                values.push(10.0 * v.log10());
            }
        }
        let (lo, hi) = match self.range_arg(range)? {
            Some(r) => r,
            None => {
                // From the 1st percentile (the quietest cells, a zero
                // power's -inf aside) to the loudest cell.
                let mut finite: Vec<f64> =
                    values.iter().copied().filter(|v| v.is_finite()).collect();
                finite.sort_by(f64::total_cmp);
                match (finite.first(), finite.last()) {
                    (Some(_), Some(&top)) => {
                        let low = finite[finite.len() / 100];
                        if low < top {
                            (low, top)
                        } else {
                            (top - 1.0, top + 1.0)
                        }
                    }
                    _ => return Err(no_power(e.span)),
                }
            }
        };
        let freqs = s.frequencies(centre);
        let step = (s.w.nperseg - s.w.noverlap) as f64;
        let time = |k: usize| (k as f64 * step + s.w.nperseg as f64 / 2.0) / s.fs;
        let axes = super::draw::ImageAxes {
            title: format!("spectrogram of {text} (dB)"),
            x: (freqs[0], *freqs.last().expect("a bin at least")),
            y: (time(segments.saturating_sub(1)), time(0)),
            names: ("frequency (Hz)", "time (s)"),
        };
        let written = self.image_png(&values, rows, cols, (cmap, lo, hi), to, axes)?;
        Ok(SpecgramReport {
            head: s.head(text, from_metadata, centre),
            per_row,
            per_column,
            freq_ends: (freqs[0], *freqs.last().expect("a bin at least")),
            time_ends: (time(0), time(segments - 1)),
            row_times: (0..rows)
                .map(|r| (time(r * per_row) + time(((r + 1) * per_row).min(segments) - 1)) / 2.0)
                .collect(),
            column_freqs: freqs
                .chunks(per_column)
                .map(|c| c.iter().sum::<f64>() / c.len() as f64)
                .collect(),
            image: super::draw::ImageReport {
                text: format!("10*log10 of {text}'s spectrogram"),
                shape: (segments, bins),
                rows,
                cols,
                values,
                lo,
                hi,
                cmap,
                reduced: (per_row > 1 || per_column > 1).then_some(how),
                magnitude: false,
                written,
                percentiles: false,
            },
        })
    }

    /// `scipy.signal.welch(x, fs, window, nperseg, noverlap, nfft, detrend,
    /// return_onesided, scaling)` of a 1-D array of any size: `(f, Pxx)`.
    pub(super) fn welch(&self, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let s = self.segments_args("welch", x, rest, span)?;
        let p = spectral::welch(&s.x, &s.w).map_err(|_| interrupted(span))?;
        Ok(Value::Tuple(vec![
            s.freqs_array(),
            array(vec![s.w.bins()], s.dtype, s.round(p), None),
        ]))
    }

    /// `scipy.signal.spectrogram(x, fs, window, nperseg, noverlap, nfft,
    /// detrend, return_onesided, scaling, mode='psd')` of a 1-D array whose
    /// result fits in `set memory`: `(f, t, Sxx)`, Sxx with a row per
    /// frequency and a column per segment, as SciPy's.
    pub(super) fn spectrogram(&self, x: Value, rest: &[Arg], span: Span) -> Result<Value, Error> {
        let s = self.segments_args("spectrogram", x, rest, span)?;
        let segments = s.w.segments(s.x.size());
        let bins = s.w.bins();
        self.reserve_memory::<f64>(
            segments.saturating_mul(bins),
            &format!("spectrogram() of {segments} segments of {bins} bins"),
            "take fewer samples, or a bigger nperseg, or raise `set memory`",
            span,
        )?;
        let rows = spectral::spectrogram(&s.x, &s.w).map_err(|_| interrupted(span))?;
        // Frequency-major, as SciPy returns it.
        let mut sxx = Vec::with_capacity(segments * bins);
        for b in 0..bins {
            sxx.extend(rows.iter().map(|r| r[b]));
        }
        let step = (s.w.nperseg - s.w.noverlap) as f64;
        let t: Vec<f64> = (0..segments)
            .map(|k| (s.w.nperseg as f64 / 2.0 + k as f64 * step) / s.fs)
            .collect();
        Ok(Value::Tuple(vec![
            s.freqs_array(),
            array(vec![t.len()], sc(Kind::Float, 8), t, None),
            array(vec![bins, segments], s.dtype, s.round(sxx), None),
        ]))
    }

    /// The arguments welch and spectrogram share, as SciPy reads them;
    /// spectrogram's defaults differ (a Tukey window of alpha 0.25, an
    /// eighth of overlap) and it takes `mode=`.
    pub(super) fn segments_args(
        &self,
        name: &str,
        x: Value,
        rest: &[Arg],
        span: Span,
    ) -> Result<Segments, Error> {
        let (l, d) = array_arg(name, &x, span)?;
        let mut names = vec![
            "fs",
            "window",
            "nperseg",
            "noverlap",
            "nfft",
            "detrend",
            "return_onesided",
            "scaling",
        ];
        let spectrogram = name == "spectrogram";
        if spectrogram {
            names.push("axis");
            names.push("mode");
        }
        let b = bind(name, &names, rest, span)?;
        if l.ndim() != 1 {
            return Err(type_error(
                format!("{name}() here takes a 1-d array, not {}-d", l.ndim()),
                span,
            ));
        }
        if spectrogram {
            if let Some((m, at)) = self.bound_str(&b, 9, "mode")? {
                if m != "psd" {
                    return Err(Error::new(
                        crate::diag::ErrorKind::Unsupported {
                            what: format!("mode='{m}'"),
                            hint: Some("mode='psd' (the default) is what strided computes".into()),
                        },
                        at,
                    ));
                }
            }
            if let Some((_, at)) = self.bound_value(&b, 8)? {
                return Err(Error::new(
                    crate::diag::ErrorKind::Unsupported {
                        what: "axis= for spectrogram".into(),
                        hint: Some("pass a 1-d array, e.g. a row: spectrogram(d[0])".into()),
                    },
                    at,
                ));
            }
        }
        let fs = self.bound_float(&b, 0, "fs")?.map_or(1.0, |(f, _)| f);
        if !(fs > 0.0 && fs.is_finite()) {
            return Err(type_error("fs must be a positive number".into(), span));
        }
        let len = l.size();
        let mut nperseg = match self.bound_int(&b, 2, "nperseg")? {
            Some((n, s)) if n < 1 => {
                return Err(type_error("nperseg must be a positive integer".into(), s))
            }
            Some((n, _)) => n as usize,
            None => 256,
        };
        // SciPy: a segment longer than the signal is cut to its length.
        nperseg = nperseg.min(len);
        if nperseg == 0 {
            return Err(type_error(format!("{name}() of an empty array"), span));
        }
        let noverlap = match self.bound_int(&b, 3, "noverlap")? {
            Some((n, s)) if n < 0 || n as usize >= nperseg => {
                return Err(type_error("noverlap must be less than nperseg.".into(), s))
            }
            Some((n, _)) => n as usize,
            None if spectrogram => nperseg / 8,
            None => nperseg / 2,
        };
        let nfft = match self.bound_int(&b, 4, "nfft")? {
            None => nperseg,
            Some((n, s)) if n < nperseg as i128 => {
                return Err(Error::new(
                    crate::diag::ErrorKind::Type {
                        message: "nfft must be greater than or equal to nperseg.".into(),
                        hint: Some(format!(
                            "nfft pads each segment of {nperseg} samples with zeros: give \
                             nfft={nperseg} or more, or leave it out"
                        )),
                    },
                    s,
                ))
            }
            Some((n, _)) => usize::try_from(n).unwrap_or(usize::MAX),
        };
        // The transforms' buffers (nfft points a thread) must fit.
        self.reserve_memory::<f64>(
            nfft.saturating_mul(4 * crate::compute::reduce::threads()),
            &format!("segments of nfft={nfft} points"),
            "a smaller nfft",
            span,
        )?;
        let detrend = match self.bound_value(&b, 5)? {
            None => true,
            Some((Value::Str(t), _)) if t == "constant" => true,
            Some((Value::Bool(false), _)) => false,
            Some((_, s)) => {
                return Err(type_error(
                    "detrend takes 'constant' or False here".into(),
                    s,
                ))
            }
        };
        let onesided = match self.bound_value(&b, 6)? {
            None => true,
            Some((Value::Bool(t), _)) => t,
            Some((v, s)) => {
                return Err(type_error(
                    format!("return_onesided takes True or False, not {}", v.kind_name()),
                    s,
                ))
            }
        } && d.kind != Kind::Complex;
        let scaling = self
            .bound_str(&b, 7, "scaling")?
            .unwrap_or(("density".into(), span));
        let unknown = |what: &str, at: Span| {
            type_error(
                format!(
                    "unknown window {what}; strided has hann, hamming, blackman, boxcar and ('tukey', alpha)"
                ),
                at,
            )
        };
        let window = match self.bound_value(&b, 1)? {
            None if spectrogram => spectral::tukey(nperseg, 0.25),
            None => spectral::window("hann", nperseg).expect("hann is known"),
            Some((Value::Str(w), at)) => {
                spectral::window(&w, nperseg).ok_or_else(|| unknown(&format!("'{w}'"), at))?
            }
            Some((Value::Tuple(t), at)) => match &t[..] {
                [Value::Str(w), Value::Float(a)] if w == "tukey" => spectral::tukey(nperseg, *a),
                [Value::Str(w), Value::Int(a)] if w == "tukey" => {
                    spectral::tukey(nperseg, *a as f64)
                }
                _ => return Err(unknown("tuple", at)),
            },
            Some((v, at)) => return Err(unknown(v.kind_name(), at)),
        };
        let scale = match scaling.0.as_str() {
            "density" => 1.0 / (fs * window.iter().map(|w| w * w).sum::<f64>()),
            "spectrum" => 1.0 / window.iter().sum::<f64>().powi(2),
            other => return Err(type_error(format!("Unknown scaling: {other}"), scaling.1)),
        };
        let freqs = if onesided {
            spectral::rfftfreq(nfft, 1.0 / fs)
        } else {
            spectral::fftfreq(nfft, 1.0 / fs)
        };
        // SciPy's dtype: float32 for float32 and complex64 (and small
        // integer) input, float64 otherwise; frequencies float64.
        let single = matches!(
            (d.kind, d.size),
            (Kind::Float, 4) | (Kind::Float, 2) | (Kind::Complex, 8)
        ) || (matches!(d.kind, Kind::Int | Kind::UInt | Kind::Bool) && d.size <= 2);
        Ok(Segments {
            x: l,
            w: Welch {
                nperseg,
                noverlap,
                nfft,
                window,
                detrend,
                onesided,
                scale,
            },
            fs,
            freqs,
            density: scaling.0 == "density",
            dtype: if single {
                sc(Kind::Float, 4)
            } else {
                sc(Kind::Float, 8)
            },
        })
    }
}
