//! Fourier transforms and power spectra: NumPy's `numpy.fft` transforms of
//! rows held in memory, and SciPy's `welch` streamed over a view of any
//! size. The transforms are `rustfft`'s (any length, in float64; results
//! are rounded to NumPy's dtype by the caller).

use super::fourstep::FourStep;
use super::reduce::{for_blocks, in_chunks};
use super::{Block, Lazy};
use crate::control::Interrupted;
use rustfft::num_complex::Complex64;
use rustfft::FftPlanner;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

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

/// Which of NumPy's one-axis transforms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Fft,
    Ifft,
    Rfft,
    Irfft,
}

impl Which {
    pub fn parse(name: &str) -> Option<Which> {
        match name {
            "fft" => Some(Which::Fft),
            "ifft" => Some(Which::Ifft),
            "rfft" => Some(Which::Rfft),
            "irfft" => Some(Which::Irfft),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Which::Fft => "fft",
            Which::Ifft => "ifft",
            Which::Rfft => "rfft",
            Which::Irfft => "irfft",
        }
    }
}

/// A long row is read this many values at a time ([`RowTransform::read_row`]).
const READ_PIECE: usize = 1 << 16;

/// Rows the cache of a streamed transform keeps: enough for the tiles of
/// an axis reduction (32 rows) on two threads, within 64 MiB.
const KEEP_BYTES: usize = 64 << 20;
const KEEP_ROWS: usize = 64;
/// The bytes of a thread's work buffers a transform keeps between rows.
const KEEP_WORK: usize = 4 << 20;

/// A row of a streamed transform, made by the first thread that asks.
type RowSlot = Arc<OnceLock<Arc<Block>>>;

/// One of NumPy's one-axis transforms of rows of `len` values at `n`
/// points, planned once. It transforms rows held in memory ([`Self::rows`])
/// or, as the node of a streamed array, one row of a [`Lazy`] at a time,
/// keeping the last rows it made ([`Self::row_of`]).
pub struct RowTransform {
    pub which: Which,
    pub len: usize,
    pub n: usize,
    pub norm: Norm,
    plan: Plan,
    /// The rows made last (newest at the back), each computed once even
    /// when several threads ask for it together.
    cache: Mutex<VecDeque<(Vec<usize>, RowSlot)>>,
    /// Work buffers (a row's values and the transform's scratch), one set
    /// a thread at work, taken for a row and put back (when within
    /// [`KEEP_WORK`]): a row's transform allocated and zeroed both afresh,
    /// a tenth of the time of `mean(abs(fft(d, axis=1)), axis=0)`.
    work: Mutex<Vec<Work>>,
}

/// How a row is transformed: one `rustfft` call, or, for a long row,
/// in four steps on every core ([`FourStep`]).
enum Plan {
    One(Arc<dyn rustfft::Fft<f64>>),
    Long(FourStep),
}

impl Plan {
    /// Complex values of work besides the row.
    fn scratch_len(&self) -> usize {
        match self {
            Plan::One(p) => p.get_inplace_scratch_len(),
            Plan::Long(p) => p.work_len(),
        }
    }
}

/// [`RowTransform::row`]'s buffers.
#[derive(Default)]
struct Work {
    buf: Vec<Complex64>,
    scratch: Vec<Complex64>,
}

impl std::fmt::Debug for RowTransform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}(len={}, n={}, {:?})",
            self.which.name(),
            self.len,
            self.n,
            self.norm
        )
    }
}

impl RowTransform {
    pub fn new(which: Which, len: usize, n: usize, norm: Norm) -> RowTransform {
        let mut planner = FftPlanner::<f64>::new();
        let inverse = matches!(which, Which::Ifft | Which::Irfft);
        let plan = match FourStep::plan(n, inverse, &mut planner) {
            Some(long) => Plan::Long(long),
            None if inverse => Plan::One(planner.plan_fft_inverse(n)),
            None => Plan::One(planner.plan_fft_forward(n)),
        };
        RowTransform {
            which,
            len,
            n,
            norm,
            plan,
            cache: Mutex::new(VecDeque::new()),
            work: Mutex::new(Vec::new()),
        }
    }

    /// Values in a row of the result: `n/2 + 1` for `rfft`, else `n`.
    pub fn out_len(&self) -> usize {
        match self.which {
            Which::Rfft => self.n / 2 + 1,
            _ => self.n,
        }
    }

    /// Rows [`Self::row_of`] keeps: up to 64, within 64 MiB.
    pub fn kept_rows(&self) -> usize {
        (KEEP_BYTES / (16 * self.out_len()).max(1)).clamp(1, KEEP_ROWS)
    }

    /// Memory a streamed transform holds at most: its kept rows, and
    /// [`Self::row_work`] on each of `threads` threads.
    pub fn held(&self, threads: usize) -> u64 {
        let row = 16 * self.out_len() as u64;
        self.kept_rows() as u64 * row + threads as u64 * self.row_work()
    }

    /// Bytes a thread holds while it makes a row: the row's input when
    /// read whole (see [`Self::read_row`]), the buffer, the scratch (a
    /// long row's second buffer) and the result.
    pub fn row_work(&self) -> u64 {
        let input = if self.reads_whole() { self.used() } else { 0 };
        16 * (input + self.n + self.plan.scratch_len() + self.out_len()) as u64
    }

    /// Whether [`Self::read_row`] reads a row as one block.
    fn reads_whole(&self) -> bool {
        self.which == Which::Irfft || self.used() <= READ_PIECE
    }

    /// Values of an input row that the transform uses: the row cut to `n`
    /// (to `n/2 + 1` bins for `irfft`).
    pub fn used(&self) -> usize {
        match self.which {
            Which::Irfft => self.len.min(self.n / 2 + 1),
            _ => self.len.min(self.n),
        }
    }

    /// The transform of one row (`re`, `im` at least [`Self::used`] values
    /// each; `im` may be empty for real input): the result's real and
    /// imaginary parts (no imaginary part for `irfft`), in float64;
    /// interrupted by Ctrl-C within a long row's transform.
    pub fn row(&self, re: &[f64], im: &[f64]) -> Result<(Vec<f64>, Vec<f64>), Interrupted> {
        self.with_work(|work| {
            self.fill(re, im, &mut work.buf);
            self.transform(work)
        })
    }

    /// `f` with a thread's work buffers: kept ones, or new ones.
    fn with_work<T>(&self, f: impl FnOnce(&mut Work) -> T) -> T {
        let lock = || self.work.lock().expect("no thread panics holding the lock");
        let mut work = lock().pop().unwrap_or_default();
        let out = f(&mut work);
        if self.keeps_work() {
            lock().push(work);
        }
        out
    }

    /// Whether a thread's work buffers are kept for its next row: only
    /// when small; a long row's (2^20 points: 32 MiB) would outlive it for
    /// nothing.
    fn keeps_work(&self) -> bool {
        16 * (self.n + self.plan.scratch_len()) <= KEEP_WORK
    }

    /// A row's values into `buf` as the transform takes them (`n` of them).
    fn fill(&self, re: &[f64], im: &[f64], buf: &mut Vec<Complex64>) {
        let n = self.n;
        let used = self.used();
        buf.clear();
        if self.which == Which::Irfft {
            buf.resize(n, Complex64::default());
            let at = |k: usize| Complex64::new(re[k], im.get(k).copied().unwrap_or(0.0));
            // The spectrum made Hermitian: the imaginary parts of the zero
            // bin, and of the Nyquist bin for even n, ignored (as pocketfft).
            for k in 0..used {
                let mut z = at(k);
                if k == 0 || (n.is_multiple_of(2) && k == n / 2) {
                    z.im = 0.0;
                }
                buf[k] = z;
                if k > 0 && n - k != k {
                    buf[n - k] = z.conj();
                }
            }
        } else {
            // The row's values, then zeros to `n` (none unless padded).
            extend_complex(buf, &re[..used], im.get(..used));
            buf.resize(n, Complex64::default());
        }
    }

    /// The transform of the row in `work.buf`: the result's parts.
    fn transform(&self, work: &mut Work) -> Result<(Vec<f64>, Vec<f64>), Interrupted> {
        let n = self.n;
        let inverse = matches!(self.which, Which::Ifft | Which::Irfft);
        match &self.plan {
            Plan::One(plan) => {
                let need = plan.get_inplace_scratch_len();
                if work.scratch.len() < need {
                    work.scratch.resize(need, Complex64::default());
                }
                plan.process_with_scratch(&mut work.buf, &mut work.scratch[..need]);
            }
            Plan::Long(plan) => plan.process(&mut work.buf, &mut work.scratch)?,
        }
        let buf = &mut work.buf;
        if !self.keeps_work() {
            // Freed before the result is made, as the transform's own
            // scratch would be (the result can take its place).
            work.scratch = Vec::new();
        }
        let scale = self.norm.factor(n, inverse);
        let out = &buf[..self.out_len()];
        // A piece at a time, checking for Ctrl-C between (a long row's
        // parts take the kernel a tenth of a second to map in).
        let part = |f: fn(&Complex64) -> f64| -> Result<Vec<f64>, Interrupted> {
            let mut v = Vec::with_capacity(out.len());
            for piece in out.chunks(1 << 20) {
                crate::control::check()?;
                if scale == 1.0 {
                    v.extend(piece.iter().map(f));
                } else {
                    v.extend(piece.iter().map(|z| f(z) * scale));
                }
            }
            Ok(v)
        };
        let re = part(|z| z.re)?;
        let im = if self.which == Which::Irfft {
            Vec::new()
        } else {
            part(|z| z.im)?
        };
        Ok((re, im))
    }

    /// The transform of each row of `re`/`im` (C-order rows of `len`
    /// values), rows in up to 64 chunks on every core, merged in order;
    /// interrupted when Ctrl-C comes before the last chunk is done.
    pub fn rows(&self, re: &[f64], im: &[f64]) -> Result<(Vec<f64>, Vec<f64>), Interrupted> {
        let len = self.len;
        let rows = re.len().checked_div(len).unwrap_or(0);
        let chunks = rows.clamp(1, 64);
        let per = rows.div_ceil(chunks).max(1);
        let parts = in_chunks(chunks, |c| {
            let (mut r, mut i) = (Vec::new(), Vec::new());
            for row in c * per..((c + 1) * per).min(rows) {
                let span = row * len..(row + 1) * len;
                let part_im = if im.is_empty() {
                    &[][..]
                } else {
                    &im[span.clone()]
                };
                let (a, b) = self.row(&re[span], part_im)?;
                r.extend(a);
                i.extend(b);
            }
            Ok((r, i))
        })?;
        let (mut r, mut i) = (Vec::new(), Vec::new());
        for (a, b) in parts {
            r.extend(a);
            i.extend(b);
        }
        Ok((r, i))
    }

    /// Row `outer` of `src` into `buf` as the transform takes it. A long
    /// row is read a piece at a time, straight into `buf`, checking for
    /// Ctrl-C between pieces (a row of 2^24 values was one block of
    /// 256 MiB, read whole before anything could stop it); `irfft`'s
    /// rows, made Hermitian, are read whole. The evaluator and its block
    /// are freed before the transform's memory is taken.
    fn read_row(
        &self,
        src: &Lazy,
        outer: &[usize],
        buf: &mut Vec<Complex64>,
    ) -> Result<(), Interrupted> {
        let mut eval = super::Fused::new(src);
        let used = self.used();
        if self.reads_whole() {
            let input = eval.block(outer, 0, used);
            self.fill(&input.re, input.im.as_deref().unwrap_or(&[]), buf);
            return Ok(());
        }
        buf.clear();
        for at in (0..used).step_by(READ_PIECE) {
            crate::control::check()?;
            let input = eval.block(outer, at, READ_PIECE.min(used - at));
            extend_complex(buf, &input.re, input.im.as_deref());
        }
        buf.resize(self.n, Complex64::default());
        Ok(())
    }

    /// A row of zeros, what a stopped statement's transform reads.
    fn zeros(&self) -> Block {
        let n = self.out_len();
        Block {
            re: vec![0.0; n],
            im: (self.which != Which::Irfft).then(|| vec![0.0; n]),
            ints: None,
        }
    }

    /// Row `outer` of the transform of `src` along its last axis, read
    /// from `src` and transformed the first time it is asked for; the last
    /// rows (up to 64, within 64 MiB) are kept, so a walk block by block
    /// along rows, or in tiles of a few rows, transforms each row once.
    pub fn row_of(&self, src: &Lazy, outer: &[usize]) -> Arc<Block> {
        if crate::control::check().is_err() {
            // Ctrl-C: the statement fails; nothing more is transformed.
            return Arc::new(self.zeros());
        }
        let once = {
            let mut cache = self
                .cache
                .lock()
                .expect("no thread panics holding the lock");
            match cache.iter().position(|(k, _)| k == outer) {
                Some(i) => cache[i].1.clone(),
                None => {
                    while cache.len() >= self.kept_rows() {
                        cache.pop_front();
                    }
                    let once = Arc::new(OnceLock::new());
                    cache.push_back((outer.to_vec(), once.clone()));
                    once
                }
            }
        };
        let mut stopped = false;
        let row = once
            .get_or_init(|| {
                let made = self.with_work(|work| {
                    self.read_row(src, outer, &mut work.buf)?;
                    self.transform(work)
                });
                // Ctrl-C: the statement fails; the row it reads is zeros.
                let Ok((re, im)) = made else {
                    stopped = true;
                    return Arc::new(self.zeros());
                };
                Arc::new(Block {
                    re,
                    im: (self.which != Which::Irfft).then_some(im),
                    ints: None,
                })
            })
            .clone();
        if stopped {
            // Not kept: the next statement transforms the row again.
            self.cache
                .lock()
                .expect("no thread panics holding the lock")
                .retain(|(_, slot)| !Arc::ptr_eq(slot, &once));
        }
        row
    }
}

/// Appends values with real parts `re` and imaginary parts `im` (zeros
/// when there are none) to `buf`.
fn extend_complex(buf: &mut Vec<Complex64>, re: &[f64], im: Option<&[f64]>) {
    match im {
        Some(im) => buf.extend(re.iter().zip(im).map(|(&r, &i)| Complex64::new(r, i))),
        None => buf.extend(re.iter().map(|&r| Complex64::new(r, 0.0))),
    }
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
    /// Points of each transform: the segment zero-padded (`nfft=`).
    pub nfft: usize,
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
            self.nfft / 2 + 1
        } else {
            self.nfft
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
        let mean = buf[..n].iter().sum::<Complex64>() / n as f64;
        buf[..n].iter_mut().for_each(|z| *z -= mean);
    }
    for (z, &wk) in buf.iter_mut().zip(&w.window) {
        *z *= wk;
    }
    buf[n..].fill(Complex64::default());
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
    let n = w.nfft;
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
    let n = w.nfft;
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
    waterfall(x, w, 1, false)
}

/// The spectrogram of `x` with every `per_row` consecutive segments made
/// into one row: their mean periodogram (Welch's average of that stretch
/// of time) or, with `max`, each bin's largest value. Streamed over a view
/// of any size, rows in up to 64 chunks on every core, merged in order.
pub fn waterfall(
    x: &Lazy,
    w: &Welch,
    per_row: usize,
    max: bool,
) -> Result<Vec<Vec<f64>>, Interrupted> {
    let segments = w.segments(x.size());
    let per_row = per_row.max(1);
    let rows = segments.div_ceil(per_row);
    let plan = FftPlanner::<f64>::new().plan_fft_forward(w.nfft);
    let chunks = rows.clamp(1, 64);
    let per = rows.div_ceil(chunks).max(1);
    let parts = in_chunks(chunks, |c| {
        let mut buf = vec![Complex64::default(); w.nfft];
        let mut out = Vec::new();
        for r in c * per..((c + 1) * per).min(rows) {
            let stretch = r * per_row..((r + 1) * per_row).min(segments);
            let count = stretch.len();
            let mut total = vec![0.0f64; w.nfft];
            if max {
                let mut best = vec![f64::NEG_INFINITY; w.bins()];
                for s in stretch {
                    total.iter_mut().for_each(|p| *p = 0.0);
                    add_segment_power(x, w, plan.as_ref(), s, &mut buf, &mut total)?;
                    for (b, p) in best.iter_mut().zip(finish_power(w, &total, 1)) {
                        *b = b.max(p);
                    }
                }
                out.push(best);
            } else {
                for s in stretch {
                    add_segment_power(x, w, plan.as_ref(), s, &mut buf, &mut total)?;
                }
                out.push(finish_power(w, &total, count));
            }
        }
        Ok(out)
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
    let plan = FftPlanner::<f64>::new().plan_fft_forward(w.nfft);
    let chunks = segments.clamp(1, 64);
    let per = segments.div_ceil(chunks).max(1);
    in_chunks(chunks, |c| {
        let mut buf = vec![Complex64::default(); w.nfft];
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::{self, Control};

    /// Ctrl-C during the transform of rows held in memory ends it as
    /// interrupted (it was a panic: "not cancellable", exit status 101).
    #[test]
    fn a_cancelled_transform_of_rows_is_interrupted() {
        let t = RowTransform::new(Which::Fft, 256, 256, Norm::Backward);
        let re: Vec<f64> = (0..256 * 8).map(|k| (k % 7) as f64).collect();
        let control = Control::new();
        let _entered = control::enter(control.clone());
        assert!(t.rows(&re, &[]).is_ok());
        let _statement = control.statement();
        assert!(control.request_cancel());
        assert!(t.rows(&re, &[]).is_err());
    }
}
