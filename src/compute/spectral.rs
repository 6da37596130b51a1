//! Fourier transforms and power spectra: NumPy's `numpy.fft` transforms of
//! rows held in memory, and SciPy's `welch` streamed over a view of any
//! size. The transforms are `rustfft`'s (any length, in float64; results
//! are rounded to NumPy's dtype by the caller).

use super::reduce::{for_blocks, in_chunks};
use super::Lazy;
use crate::control::Interrupted;
use rustfft::num_complex::Complex64;
use rustfft::FftPlanner;

/// NumPy's `norm=`: which direction is scaled, and by what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Norm {
    /// No scaling forward, 1/n inverse (the default).
    Backward,
    /// 1/√n both ways.
    Ortho,
    /// 1/n forward, none inverse.
    Forward,
}

impl Norm {
    pub fn parse(s: &str) -> Option<Norm> {
        match s {
            "backward" => Some(Norm::Backward),
            "ortho" => Some(Norm::Ortho),
            "forward" => Some(Norm::Forward),
            _ => None,
        }
    }

    fn factor(self, n: usize, inverse: bool) -> f64 {
        let n = n as f64;
        match (self, inverse) {
            (Norm::Ortho, _) => 1.0 / n.sqrt(),
            (Norm::Backward, true) | (Norm::Forward, false) => 1.0 / n,
            _ => 1.0,
        }
    }
}

/// The transform of each row of `rows` (C-order rows of `len` values, real
/// and imaginary parts), cut or padded with zeros to `n` points: `fft` or
/// `ifft` of each, scaled as `norm` says. Rows in parallel.
pub fn fft_rows(
    re: &[f64],
    im: &[f64],
    len: usize,
    n: usize,
    inverse: bool,
    norm: Norm,
) -> (Vec<f64>, Vec<f64>) {
    let rows = re.len().checked_div(len).unwrap_or(0);
    let plan = {
        let mut planner = FftPlanner::<f64>::new();
        if inverse {
            planner.plan_fft_inverse(n)
        } else {
            planner.plan_fft_forward(n)
        }
    };
    let scale = norm.factor(n, inverse);
    // Rows in up to 64 chunks, merged in order: the same answer for any
    // number of threads (each row is transformed alone anyway).
    let chunks = rows.clamp(1, 64);
    let per = rows.div_ceil(chunks).max(1);
    let parts = in_chunks(chunks, |c| {
        let mut out = Vec::new();
        let mut buf = vec![Complex64::default(); n];
        for r in c * per..((c + 1) * per).min(rows) {
            for (k, b) in buf.iter_mut().enumerate() {
                *b = if k < len {
                    Complex64::new(re[r * len + k], im.get(r * len + k).copied().unwrap_or(0.0))
                } else {
                    Complex64::default()
                };
            }
            plan.process(&mut buf);
            out.extend(buf.iter().map(|z| z * scale));
        }
        Ok(out)
    })
    .expect("not cancellable");
    let all: Vec<Complex64> = parts.into_iter().flatten().collect();
    (
        all.iter().map(|z| z.re).collect(),
        all.iter().map(|z| z.im).collect(),
    )
}

/// NumPy's `irfft` of each row of `len` half-spectrum values, to `n` real
/// points: the input cut or padded to `n/2 + 1` bins, the spectrum made
/// Hermitian (the imaginary parts of the zero-frequency bin, and of the
/// Nyquist bin when `n` is even, ignored), inverted, the real part kept.
pub fn irfft_rows(re: &[f64], im: &[f64], len: usize, n: usize, norm: Norm) -> Vec<f64> {
    let rows = re.len().checked_div(len).unwrap_or(0);
    let half = n / 2 + 1;
    let mut full_re = vec![0.0; rows * n];
    let mut full_im = vec![0.0; rows * n];
    for r in 0..rows {
        let at = |k: usize| {
            if k < len {
                (re[r * len + k], im.get(r * len + k).copied().unwrap_or(0.0))
            } else {
                (0.0, 0.0)
            }
        };
        for k in 0..half.min(n) {
            let (a, mut b) = at(k);
            if k == 0 || (n.is_multiple_of(2) && k == n / 2) {
                b = 0.0;
            }
            full_re[r * n + k] = a;
            full_im[r * n + k] = b;
            if k > 0 && n - k != k {
                full_re[r * n + n - k] = a;
                full_im[r * n + n - k] = -b;
            }
        }
    }
    fft_rows(&full_re, &full_im, n, n, true, norm).0
}

/// SciPy's `get_window(name, n)` for spectral analysis: the periodic
/// (`sym=False`) window.
pub fn window(name: &str, n: usize) -> Option<Vec<f64>> {
    use std::f64::consts::PI;
    let m = n as f64;
    let cosines = |a: &[f64]| -> Vec<f64> {
        (0..n)
            .map(|k| {
                let x = 2.0 * PI * k as f64 / m;
                a.iter()
                    .enumerate()
                    .map(|(j, &c)| if j % 2 == 0 { c } else { -c } * (j as f64 * x).cos())
                    .sum()
            })
            .collect()
    };
    let known = matches!(
        name,
        "hann" | "hanning" | "hamming" | "blackman" | "boxcar" | "rect" | "rectangular" | "ones"
    );
    if known && n <= 1 {
        // SciPy's windows of one point (or none) are ones.
        return Some(vec![1.0; n]);
    }
    Some(match name {
        "hann" | "hanning" => cosines(&[0.5, 0.5]),
        "hamming" => cosines(&[0.54, 0.46]),
        "blackman" => cosines(&[0.42, 0.5, 0.08]),
        "boxcar" | "rect" | "rectangular" | "ones" => vec![1.0; n],
        _ => return None,
    })
}

/// SciPy's periodic Tukey window (`get_window(('tukey', alpha), n)`): flat
/// in the middle, cosine tapers over `alpha` of its length; SciPy's
/// spectrogram default with `alpha = 0.25`.
pub fn tukey(n: usize, alpha: f64) -> Vec<f64> {
    use std::f64::consts::PI;
    if n <= 1 || alpha <= 0.0 {
        return vec![1.0; n];
    }
    if alpha >= 1.0 {
        return window("hann", n).expect("hann is known");
    }
    // The symmetric window of n + 1 points, its last point dropped.
    let m = n + 1;
    let width = (alpha * (m - 1) as f64 / 2.0).floor() as usize;
    let last = (m - 1) as f64;
    (0..n)
        .map(|k| {
            let k = k as f64;
            if k <= width as f64 {
                0.5 * (1.0 + (PI * (-1.0 + 2.0 * k / alpha / last)).cos())
            } else if k < (m - width - 1) as f64 {
                1.0
            } else {
                0.5 * (1.0 + (PI * (-2.0 / alpha + 1.0 + 2.0 * k / alpha / last)).cos())
            }
        })
        .collect()
}

/// What Welch's method averages, as `scipy.signal.welch` does it.
#[derive(Clone, Debug)]
pub struct Welch {
    pub nperseg: usize,
    pub noverlap: usize,
    pub window: Vec<f64>,
    /// Subtract each segment's mean first (`detrend='constant'`).
    pub detrend: bool,
    /// Half the spectrum, the other half's power folded in (real input).
    pub onesided: bool,
    /// `1 / (fs · Σw²)` for a density, `1 / (Σw)²` for a spectrum.
    pub scale: f64,
}

impl Welch {
    /// How many segments a signal of `len` samples gives.
    pub fn segments(&self, len: usize) -> usize {
        let step = self.nperseg - self.noverlap;
        if len < self.nperseg {
            0
        } else {
            (len - self.nperseg) / step + 1
        }
    }

    /// Frequency bins of the result.
    pub fn bins(&self) -> usize {
        if self.onesided {
            self.nperseg / 2 + 1
        } else {
            self.nperseg
        }
    }
}

/// The periodogram of segment `s` of `x` (not yet scaled or folded):
/// read, detrended, windowed, transformed, `|X|²` added into `power`.
fn add_segment_power(
    x: &Lazy,
    w: &Welch,
    plan: &dyn rustfft::Fft<f64>,
    s: usize,
    buf: &mut [Complex64],
    power: &mut [f64],
) -> Result<(), Interrupted> {
    let n = w.nperseg;
    let start = s * (n - w.noverlap);
    let mut k = 0;
    for_blocks(x, start, start + n, |b, _| {
        for (j, &r) in b.re.iter().enumerate() {
            buf[k] = Complex64::new(r, b.im.as_ref().map_or(0.0, |i| i[j]));
            k += 1;
        }
    })?;
    if w.detrend {
        let mean = buf.iter().sum::<Complex64>() / n as f64;
        buf.iter_mut().for_each(|z| *z -= mean);
    }
    for (z, &wk) in buf.iter_mut().zip(&w.window) {
        *z *= wk;
    }
    plan.process(buf);
    for (p, z) in power.iter_mut().zip(buf.iter()) {
        *p += z.norm_sqr();
    }
    Ok(())
}

/// Scales a summed periodogram of `segments` segments and, one-sided,
/// keeps the non-negative frequencies with their mirrors' power folded in
/// (every bin but zero, and Nyquist for even n).
fn finish_power(w: &Welch, total: &[f64], segments: usize) -> Vec<f64> {
    let n = w.nperseg;
    let scale = w.scale / segments.max(1) as f64;
    let mut out: Vec<f64> = total.iter().map(|p| p * scale).collect();
    if w.onesided {
        out.truncate(n / 2 + 1);
        let last = if n.is_multiple_of(2) {
            out.len() - 1
        } else {
            out.len()
        };
        for p in out.iter_mut().take(last).skip(1) {
            *p *= 2.0;
        }
    }
    out
}

/// Welch's averaged periodogram of the 1-D `x`, streamed: segments read
/// from the view, windowed, transformed and their power summed per bin, on
/// every core, in a fixed number of chunks merged in order (the same bits
/// for any number of threads). The mean over segments, scaled.
pub fn welch(x: &Lazy, w: &Welch) -> Result<Vec<f64>, Interrupted> {
    let n = w.nperseg;
    let segments = w.segments(x.size());
    let parts = by_segments(x, w, |plan, range, buf| {
        let mut power = vec![0.0f64; n];
        for s in range {
            add_segment_power(x, w, plan, s, buf, &mut power)?;
        }
        Ok(power)
    })?;
    let mut total = vec![0.0f64; n];
    for p in parts {
        for (t, v) in total.iter_mut().zip(p) {
            *t += v;
        }
    }
    Ok(finish_power(w, &total, segments))
}

/// SciPy's `spectrogram` (mode `psd`) of the 1-D `x`: each segment's
/// scaled periodogram, segments in order, on every core.
pub fn spectrogram(x: &Lazy, w: &Welch) -> Result<Vec<Vec<f64>>, Interrupted> {
    let parts = by_segments(x, w, |plan, range, buf| {
        let mut rows = Vec::new();
        for s in range {
            let mut power = vec![0.0f64; w.nperseg];
            add_segment_power(x, w, plan, s, buf, &mut power)?;
            rows.push(finish_power(w, &power, 1));
        }
        Ok(rows)
    })?;
    Ok(parts.into_iter().flatten().collect())
}

/// Runs `work` over the segments of `x` in a fixed number of chunks (at
/// most 64) on every core, each with the transform plan, its run of
/// segment numbers and a buffer of a segment; results in chunk order.
fn by_segments<T: Send>(
    x: &Lazy,
    w: &Welch,
    work: impl Fn(
            &dyn rustfft::Fft<f64>,
            std::ops::Range<usize>,
            &mut [Complex64],
        ) -> Result<T, Interrupted>
        + Sync,
) -> Result<Vec<T>, Interrupted> {
    let segments = w.segments(x.size());
    let plan = FftPlanner::<f64>::new().plan_fft_forward(w.nperseg);
    let chunks = segments.clamp(1, 64);
    let per = segments.div_ceil(chunks).max(1);
    in_chunks(chunks, |c| {
        let mut buf = vec![Complex64::default(); w.nperseg];
        work(
            plan.as_ref(),
            c * per..((c + 1) * per).min(segments),
            &mut buf,
        )
    })
}

/// NumPy's `fftfreq(n, d)`: the frequencies of an `n`-point transform's
/// bins, zero, the positive ones, then the negative ones.
pub fn fftfreq(n: usize, d: f64) -> Vec<f64> {
    let scale = 1.0 / (n as f64 * d);
    (0..n)
        .map(|k| {
            let k = if k < n.div_ceil(2) {
                k as f64
            } else {
                k as f64 - n as f64
            };
            k * scale
        })
        .collect()
}

/// NumPy's `rfftfreq(n, d)`: the non-negative frequencies of `rfft`.
pub fn rfftfreq(n: usize, d: f64) -> Vec<f64> {
    let scale = 1.0 / (n as f64 * d);
    (0..n / 2 + 1).map(|k| k as f64 * scale).collect()
}
