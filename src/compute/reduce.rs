//! Reductions in one pass: an [`Acc`] gathers, from each block of values,
//! everything any reduction or `stats` needs (counts of NaN and ±inf, min
//! and max with their first index, a compensated sum, and mean and M2 of the
//! finite values merged by Chan's formula). Whole-array reductions split
//! the elements into chunks that threads stream through, and merge the
//! partial accumulators in order, so results do not depend on timing.

use super::kernels::{min_max_sum, squares_and_zeros};
use super::{Block, Fused, Lazy, BLOCK};
use crate::control::{self, Interrupted};
pub use crate::control::{in_chunks, threads};
use std::sync::Arc;

/// Partial statistics of a run of values.
#[derive(Clone, Debug)]
pub struct Acc {
    /// Values that are not NaN (infinities included).
    pub n: u64,
    pub nan: u64,
    pub pinf: u64,
    pub ninf: u64,
    pub nonzero: u64,
    /// Finite values, their mean and sum of squared deviations.
    pub finite: u64,
    pub mean: f64,
    pub m2: f64,
    /// Neumaier-compensated sum of the finite values.
    pub sum: f64,
    pub comp: f64,
    /// Imaginary parts (complex input): mean, M2, compensated sum.
    pub im_mean: f64,
    pub im_m2: f64,
    pub im_sum: f64,
    pub im_comp: f64,
    /// Exact sum for integer input.
    pub isum: i128,
    pub min: f64,
    pub min_at: u64,
    pub max: f64,
    pub max_at: u64,
    pub first_nan: Option<u64>,
    /// How the walk's flat positions map to the C-order flat indices
    /// reported in `min_at`, `max_at` and `first_nan` (`None`: the walk is
    /// in C order).
    pub order: Option<Arc<Walk>>,
    /// What is read from this accumulator: the fast paths skip the rest
    /// (the moments for a `max`, the extremes for a `mean`).
    pub need: Need,
}

/// A walk over an array with its axes permuted (see [`reduce_all`]).
#[derive(Debug)]
pub struct Walk {
    /// The permuted shape, outermost first.
    shape: Vec<usize>,
    /// The C-order stride, in elements, of each permuted axis.
    c_strides: Vec<u64>,
}

impl Walk {
    fn new(shape: &[usize], perm: &[usize]) -> Walk {
        let mut c = vec![1u64; shape.len()];
        for k in (0..shape.len().saturating_sub(1)).rev() {
            c[k] = c[k + 1] * shape[k + 1] as u64;
        }
        Walk {
            shape: perm.iter().map(|&k| shape[k]).collect(),
            c_strides: perm.iter().map(|&k| c[k]).collect(),
        }
    }

    /// The C-order flat index of the walk's flat position `flat`.
    fn c_index(&self, mut flat: u64) -> u64 {
        let mut at = 0;
        for (&n, &c) in self.shape.iter().zip(&self.c_strides).rev() {
            let n = n.max(1) as u64;
            at += flat % n * c;
            flat /= n;
        }
        at
    }
}

impl Default for Acc {
    fn default() -> Acc {
        Acc {
            n: 0,
            nan: 0,
            pinf: 0,
            ninf: 0,
            nonzero: 0,
            finite: 0,
            mean: 0.0,
            m2: 0.0,
            sum: 0.0,
            comp: 0.0,
            im_mean: 0.0,
            im_m2: 0.0,
            im_sum: 0.0,
            im_comp: 0.0,
            isum: 0,
            min: f64::INFINITY,
            min_at: u64::MAX,
            max: f64::NEG_INFINITY,
            max_at: u64::MAX,
            first_nan: None,
            order: None,
            need: Need::All,
        }
    }
}

fn neumaier(sum: &mut f64, comp: &mut f64, x: f64) {
    let t = *sum + x;
    if sum.abs() >= x.abs() {
        *comp += (*sum - t) + x;
    } else {
        *comp += (x - t) + *sum;
    }
    *sum = t;
}

/// Chan et al.: merges (n, mean, M2) of two disjoint sets.
fn merge_moments(na: u64, ma: f64, m2a: f64, nb: u64, mb: f64, m2b: f64) -> (f64, f64) {
    if nb == 0 {
        return (ma, m2a);
    }
    if na == 0 {
        return (mb, m2b);
    }
    let n = (na + nb) as f64;
    let delta = mb - ma;
    let mean = ma + delta * nb as f64 / n;
    let m2 = m2a + m2b + delta * delta * na as f64 * nb as f64 / n;
    (mean, m2)
}

impl Acc {
    fn with_order(order: Option<Arc<Walk>>) -> Acc {
        Acc {
            order,
            ..Acc::default()
        }
    }

    /// An accumulator whose reader needs only `need`.
    pub fn needing(need: Need) -> Acc {
        Acc {
            need,
            ..Acc::default()
        }
    }

    fn c_index(&self, flat: u64) -> u64 {
        self.order.as_ref().map_or(flat, |w| w.c_index(flat))
    }

    /// `v`, first seen at walk position `flat`, as a candidate minimum:
    /// it wins when smaller, or equal and earlier in C order.
    fn offer_min(&mut self, v: f64, flat: u64) {
        let at = self.c_index(flat);
        if self.min_at == u64::MAX || v < self.min || (v == self.min && at < self.min_at) {
            (self.min, self.min_at) = (v, at);
        }
    }

    fn offer_max(&mut self, v: f64, flat: u64) {
        let at = self.c_index(flat);
        if self.max_at == u64::MAX || v > self.max || (v == self.max && at < self.max_at) {
            (self.max, self.max_at) = (v, at);
        }
    }

    /// Adds a block of values whose first has flat index `base`.
    pub fn push(&mut self, b: &Block, base: u64, int: bool) {
        self.push_strided(&b.re, b.im.as_deref(), base, 1, int);
    }

    /// Adds values whose flat indices are `base`, `base + step`, ...: a run
    /// down a column of an axis reduction is one push.
    pub fn push_strided(
        &mut self,
        re: &[f64],
        im: Option<&[f64]>,
        base: u64,
        step: u64,
        int: bool,
    ) {
        match im {
            None if self.push_finite_real(re, base, step, int) => return,
            Some(im) if self.push_finite_complex(re, im, base, step) => return,
            _ => {}
        }
        self.push_general(re, im, base, step, int);
    }

    /// Complex values, all finite: the real parts as [`push_finite_real`]
    /// (which also keeps the extremes of the real parts, as the general
    /// path does), then the imaginary parts' sum and moments; a value is
    /// non-zero when either part is. False, having changed nothing, when
    /// a part is NaN or infinite.
    fn push_finite_complex(&mut self, re: &[f64], im: &[f64], base: u64, step: u64) -> bool {
        if re.is_empty() {
            return true;
        }
        let (lo, hi, sum) = min_max_sum(im);
        if !sum.is_finite() || !lo.is_finite() || !hi.is_finite() {
            return false;
        }
        let (finite, im_mean, im_m2, nonzero) =
            (self.finite, self.im_mean, self.im_m2, self.nonzero);
        if !self.push_finite_real(re, base, step, false) {
            return false;
        }
        let n = im.len() as u64;
        let mean = sum / n as f64;
        let m2 = match self.need {
            Need::All => squares_and_zeros(im, mean).0,
            _ => 0.0,
        };
        (self.im_mean, self.im_m2) = merge_moments(finite, im_mean, im_m2, n, mean, m2);
        neumaier(&mut self.im_sum, &mut self.im_comp, sum);
        if matches!(self.need, Need::All | Need::Counts) {
            let nz = re
                .iter()
                .zip(im)
                .filter(|&(&a, &b)| a != 0.0 || b != 0.0)
                .count();
            self.nonzero = nonzero + nz as u64;
        }
        true
    }

    /// The common case, fast: real values, all finite. Loops the compiler
    /// can vectorise; returns false (having changed nothing) when the block
    /// holds a NaN or an infinity, which the general path handles.
    fn push_finite_real(&mut self, xs: &[f64], base: u64, step: u64, int: bool) -> bool {
        if xs.is_empty() {
            return true;
        }
        let (lo, hi, sum) = min_max_sum(xs);
        if !sum.is_finite() || !lo.is_finite() || !hi.is_finite() {
            // NaN (min/max skip it, the sum does not), infinities, or an overflowing sum.
            return false;
        }
        // Integers (and booleans) whose every partial sum is below 2^53 add
        // up exactly in float64, in any order: the exact integer sum too.
        let bound = lo.abs().max(hi.abs()) * xs.len() as f64;
        if int && bound >= (1u64 << 53) as f64 {
            return false;
        }
        let n = xs.len() as u64;
        // A block is a run along the walk's last axis, so its first
        // occurrence of a value is also its first in C order.
        let first = |v: f64| base + step * xs.iter().position(|&x| x == v).unwrap_or(0) as u64;
        let extremes = matches!(self.need, Need::All | Need::Extremes);
        if extremes && (lo <= self.min || self.min_at == u64::MAX) {
            self.offer_min(lo, first(lo));
        }
        if extremes && (hi >= self.max || self.max_at == u64::MAX) {
            self.offer_max(hi, first(hi));
        }
        let mean = sum / n as f64;
        let (m2, zeros) = match self.need {
            Need::All | Need::Counts => squares_and_zeros(xs, mean),
            // Not read: the moments of a min or a max, non-zeros of a sum.
            Need::Sums | Need::Extremes => (0.0, 0),
        };
        (self.mean, self.m2) = merge_moments(self.finite, self.mean, self.m2, n, mean, m2);
        let (im_mean, im_m2) = merge_moments(self.finite, self.im_mean, self.im_m2, n, 0.0, 0.0);
        (self.im_mean, self.im_m2) = (im_mean, im_m2);
        self.finite += n;
        self.n += n;
        self.nonzero += n - zeros;
        neumaier(&mut self.sum, &mut self.comp, sum);
        if int {
            self.isum += sum as i128;
        }
        true
    }

    fn push_general(&mut self, re: &[f64], im: Option<&[f64]>, base: u64, step: u64, int: bool) {
        let mut bsum = 0.0;
        let mut bim = 0.0;
        let mut bn = 0u64;
        // Within a block positions rise in C order too, so only the first
        // NaN, and the first value equal to the extreme seen so far, can
        // beat an index found in an earlier block.
        let (mut nan_seen, mut min_seen, mut max_seen) = (false, false, false);
        for (k, &x) in re.iter().enumerate() {
            let xi = im.map_or(0.0, |v| v[k]);
            let pos = base + step * k as u64;
            if x.is_nan() || xi.is_nan() {
                self.nan += 1;
                if !nan_seen {
                    nan_seen = true;
                    let at = self.c_index(pos);
                    if self.first_nan.is_none_or(|f| at < f) {
                        self.first_nan = Some(at);
                    }
                }
                continue;
            }
            self.n += 1;
            if x != 0.0 || xi != 0.0 {
                self.nonzero += 1;
            }
            if x < self.min || self.min_at == u64::MAX || (x == self.min && !min_seen) {
                self.offer_min(x, pos);
                min_seen = true;
            }
            if x > self.max || self.max_at == u64::MAX || (x == self.max && !max_seen) {
                self.offer_max(x, pos);
                max_seen = true;
            }
            if x.is_infinite() || xi.is_infinite() {
                if x > 0.0 {
                    self.pinf += 1;
                } else {
                    self.ninf += 1;
                }
                continue;
            }
            bsum += x;
            bim += xi;
            bn += 1;
            if int {
                self.isum += x as i128;
            }
        }
        if bn == 0 {
            return;
        }
        let bmean = bsum / bn as f64;
        let bim_mean = bim / bn as f64;
        let (mut m2, mut im_m2) = (0.0, 0.0);
        for (k, &x) in re.iter().enumerate() {
            let xi = im.map_or(0.0, |v| v[k]);
            if x.is_finite() && xi.is_finite() {
                m2 += (x - bmean) * (x - bmean);
                im_m2 += (xi - bim_mean) * (xi - bim_mean);
            }
        }
        (self.mean, self.m2) = merge_moments(self.finite, self.mean, self.m2, bn, bmean, m2);
        (self.im_mean, self.im_m2) =
            merge_moments(self.finite, self.im_mean, self.im_m2, bn, bim_mean, im_m2);
        self.finite += bn;
        neumaier(&mut self.sum, &mut self.comp, bsum);
        neumaier(&mut self.im_sum, &mut self.im_comp, bim);
    }

    /// Merges the accumulator of the values that come after this one's.
    pub fn merge(&mut self, o: &Acc) {
        let better = |v: f64, at: u64, best: f64, best_at: u64, lt: bool| {
            at != u64::MAX
                && (best_at == u64::MAX
                    || (if lt { v < best } else { v > best })
                    || (v == best && at < best_at))
        };
        if better(o.min, o.min_at, self.min, self.min_at, true) {
            self.min = o.min;
            self.min_at = o.min_at;
        }
        if better(o.max, o.max_at, self.max, self.max_at, false) {
            self.max = o.max;
            self.max_at = o.max_at;
        }
        (self.mean, self.m2) =
            merge_moments(self.finite, self.mean, self.m2, o.finite, o.mean, o.m2);
        (self.im_mean, self.im_m2) = merge_moments(
            self.finite,
            self.im_mean,
            self.im_m2,
            o.finite,
            o.im_mean,
            o.im_m2,
        );
        self.finite += o.finite;
        self.n += o.n;
        self.nan += o.nan;
        self.pinf += o.pinf;
        self.ninf += o.ninf;
        self.nonzero += o.nonzero;
        self.isum += o.isum;
        neumaier(&mut self.sum, &mut self.comp, o.sum + o.comp);
        neumaier(&mut self.im_sum, &mut self.im_comp, o.im_sum + o.im_comp);
        if let Some(f) = o.first_nan {
            if self.first_nan.is_none_or(|s| f < s) {
                self.first_nan = Some(f);
            }
        }
    }

    /// The sum as NumPy defines it (NaN and infinities propagate), or the
    /// sum of the non-NaN values (`skipnan`). Real and imaginary parts.
    pub fn total(&self, skipnan: bool) -> (f64, f64) {
        if self.nan > 0 && !skipnan {
            return (f64::NAN, f64::NAN);
        }
        let re = match (self.pinf > 0, self.ninf > 0) {
            (true, true) => f64::NAN,
            (true, false) => f64::INFINITY,
            (false, true) => f64::NEG_INFINITY,
            _ => self.sum + self.comp,
        };
        (re, self.im_sum + self.im_comp)
    }

    /// Elements counted by a mean: all, or the non-NaN ones.
    pub fn count(&self, skipnan: bool) -> u64 {
        if skipnan {
            self.n
        } else {
            self.n + self.nan
        }
    }

    pub fn mean_value(&self, skipnan: bool) -> (f64, f64) {
        let c = self.count(skipnan);
        if c == 0 {
            return (f64::NAN, f64::NAN);
        }
        let (re, im) = self.total(skipnan);
        if re.is_finite() && self.finite == c {
            // The running mean is more accurate than sum / n.
            return (self.mean, self.im_mean);
        }
        (re / c as f64, im / c as f64)
    }

    /// Variance (`ddof` as NumPy's), of |x - mean|² for complex input.
    pub fn variance(&self, skipnan: bool, ddof: u64) -> f64 {
        if (self.nan > 0 && !skipnan) || self.pinf + self.ninf > 0 {
            return f64::NAN;
        }
        // np.var divides by max(n - ddof, 0): infinity when ddof leaves no
        // degree of freedom (NaN when there is no spread either); np.nanvar
        // gives NaN there.
        let c = self.finite;
        if skipnan && c <= ddof {
            return f64::NAN;
        }
        (self.m2 + self.im_m2) / c.saturating_sub(ddof) as f64
    }
}

/// Calls `f` with every block of `x` in C order within flat elements
/// `[from, to)`, and the flat index of the block's first element.
/// Stops with `Err` between blocks once the computation is cancelled.
pub fn for_blocks(
    x: &Lazy,
    from: usize,
    to: usize,
    mut f: impl FnMut(&Block, u64),
) -> Result<(), Interrupted> {
    if from >= to {
        return Ok(());
    }
    if let super::Node::Masked { src, mask, index } = &*x.node {
        return super::gather::masked_stream(src, mask, index, from, to, f);
    }
    let n = x.ndim();
    if n == 0 {
        f(&x.block(&[], 0, 1), 0);
        return Ok(());
    }
    let last = x.shape[n - 1];
    let outer_shape = &x.shape[..n - 1];
    let mut eval = Fused::new(x);
    let mut flat = from;
    let mut outer = vec![0usize; n - 1];
    while flat < to {
        let (row, col) = (flat / last, flat % last);
        // Unravel the row into the outer index.
        let mut r = row;
        for k in (0..n - 1).rev() {
            outer[k] = r % outer_shape[k];
            r /= outer_shape[k];
        }
        let len = BLOCK.min(last - col).min(to - flat);
        control::check()?;
        f(eval.block(&outer, col, len), flat as u64);
        control::advance(len as u64);
        flat += len;
    }
    Ok(())
}

/// Reduces all of `x` into one accumulator, using every core, walking the
/// elements in the order their bytes lie in the file (see
/// [`Lazy::memory_order`]). Indices in the result are C-order flat indices
/// of `x`, first occurrences as NumPy reports them.
pub fn reduce_all(x: &Lazy, int: bool, need: Need) -> Result<Acc, Interrupted> {
    match x.memory_order() {
        Some((perm, y)) => {
            let walk = Arc::new(Walk::new(&x.shape, &perm));
            reduce_walk(&y, int, Some(walk), need)
        }
        None => reduce_walk(x, int, None, need),
    }
}

/// How a reduction of all of `x` is split: elements per chunk, and chunks.
/// One chunk when there is little to read or one thread; otherwise chunks
/// of whole blocks, several per thread so that a slow thread (a cold part
/// of the file) does not hold up the rest; for a mask that selects fewer
/// than a block per chunk, chunks of fewer elements (a mask selecting few
/// elements still has all of itself to read).
pub fn walk_chunks(x: &Lazy, workers: usize) -> (usize, usize) {
    let size = x.size();
    let scanned = x.scanned();
    if scanned < 1 << 16 || workers == 1 || size == 0 {
        return (size.max(1), 1);
    }
    let chunk = if scanned > size {
        size.div_ceil(workers * 8).max(1)
    } else {
        (size / (workers * 8)).max(BLOCK).div_ceil(BLOCK) * BLOCK
    };
    (chunk, size.div_ceil(chunk))
}

/// How an `axis=` reduction of `x` runs: which kernel, and in how many
/// chunks of rows (a fixed number, merged in order: the same bits for any
/// number of threads). The partial rows of accumulators, all held until
/// the merge, stay within 64 MiB.
#[derive(Clone, Debug, PartialEq)]
pub struct AxesPlan {
    pub outputs: usize,
    /// Rows: runs along the last axis.
    pub rows: usize,
    pub chunks: usize,
    /// The last axis is kept: rows go into a row of accumulators.
    pub last_kept: bool,
    /// The column-sum kernel (see [`ColumnSums`]) rather than full
    /// accumulators.
    pub column_sums: bool,
    /// Bytes of one chunk's accumulators.
    pub per_chunk: usize,
}

pub fn axes_plan(x: &Lazy, axes: &[usize], int: bool, need: Need) -> AxesPlan {
    let n = x.ndim();
    let outputs: usize = (0..n)
        .filter(|k| !axes.contains(k))
        .map(|k| x.shape[k])
        .product();
    let last = x.shape.last().copied().unwrap_or(1).max(1);
    let rows = x.size() / last;
    let last_kept = axes.is_empty() || (n > 0 && !axes.contains(&(n - 1)));
    let column_sums = matches!(need, Need::Sums | Need::Counts)
        && last_kept
        && ColumnSums::exact_for(x, int, rows);
    let per_chunk = outputs.max(1)
        * if column_sums {
            ColumnSums::BYTES_PER_OUTPUT
        } else {
            std::mem::size_of::<Acc>()
        };
    let chunks = rows
        .min(16)
        .min((64 << 20) / outputs.max(1) / std::mem::size_of::<Acc>())
        .max(1);
    AxesPlan {
        outputs,
        rows,
        chunks,
        last_kept,
        column_sums,
        per_chunk,
    }
}

/// Reduces all of `x` walking its elements in C order; `order` maps the
/// walk's positions to the indices reported.
fn reduce_walk(
    x: &Lazy,
    int: bool,
    order: Option<Arc<Walk>>,
    need: Need,
) -> Result<Acc, Interrupted> {
    let size = x.size();
    let workers = threads();
    let _job = control::start(size as u64);
    let (chunk, chunks) = walk_chunks(x, workers);
    if chunks == 1 {
        let mut acc = Acc {
            need,
            ..Acc::with_order(order.clone())
        };
        for_blocks(x, 0, size, |b, at| acc.push(b, at, int))?;
        return Ok(acc);
    }
    let parts = in_chunks(chunks, |c| {
        let mut acc = Acc {
            need,
            ..Acc::with_order(order.clone())
        };
        for_blocks(x, c * chunk, ((c + 1) * chunk).min(size), |b, at| {
            acc.push(b, at, int)
        })?;
        Ok(acc)
    })?;
    let mut total = Acc {
        need,
        ..Acc::with_order(order.clone())
    };
    for p in &parts {
        total.merge(p);
    }
    Ok(total)
}

/// Reduces `x` over `axes` (sorted, distinct): one accumulator per position
/// of the kept axes, in C order of the kept shape.
///
/// The rows of `x` (runs along its last axis) are walked in order, in a
/// fixed number of chunks that threads take in turn; each chunk fills its
/// own row of accumulators, and the chunks are merged in order, so the
/// answer does not depend on the number of threads. When the last axis is
/// reduced, each run is one push into its row's accumulator. When it is
/// kept (`mean(x, axis=0)`), a tile of rows is turned on its side so that
/// each column's values go to their accumulator in one push, instead of one
/// push per element.
pub fn reduce_axes(
    x: &Lazy,
    axes: &[usize],
    int: bool,
    need: Need,
) -> Result<(Vec<usize>, Vec<Acc>), Interrupted> {
    let n = x.ndim();
    let kept: Vec<usize> = (0..n).filter(|k| !axes.contains(k)).collect();
    let kept_shape: Vec<usize> = kept.iter().map(|&k| x.shape[k]).collect();
    let outputs: usize = kept_shape.iter().product();
    let size = x.size();
    let _job = control::start(size as u64);
    if n == 0 || size == 0 {
        // A 0-d array (one element, nothing to walk by rows) or no element.
        let mut accs = vec![Acc::default(); outputs];
        if size > 0 {
            for_blocks(x, 0, size, |b, at| accs[0].push(b, at, int))?;
        }
        return Ok((kept_shape, accs));
    }
    // Where each input axis moves in the output (0 for a reduced axis).
    let mut out_stride = vec![0usize; n];
    let mut s = 1;
    for (i, &k) in kept.iter().enumerate().rev() {
        out_stride[k] = s;
        s *= kept_shape[i];
    }
    let last = x.shape[n - 1];
    let rows = size / last;
    let lead = &x.shape[..n - 1];
    let unravel_row = |mut row: usize, outer: &mut [usize]| {
        let mut base = 0;
        for k in (0..n - 1).rev() {
            outer[k] = row % lead[k];
            row /= lead[k];
            base += outer[k] * out_stride[k];
        }
        base
    };
    let plan = axes_plan(x, axes, int, need);
    let (chunks, last_kept) = (plan.chunks, plan.last_kept);
    let per = rows.div_ceil(chunks);
    if plan.column_sums {
        // Each row added to its row of outputs as it comes: one pass per
        // element, no transposition; the chunks' columns merged in order.
        const SUM_COLS: usize = 4096;
        let complex = x.is_complex();
        let counting = need == Need::Counts;
        let parts = in_chunks(chunks, |c| {
            let mut cols = ColumnSums::new(outputs, last, complex, counting);
            let mut eval = Fused::new(x);
            let mut outer = vec![0usize; n - 1];
            for row in c * per..((c + 1) * per).min(rows) {
                let base = unravel_row(row, &mut outer);
                for c0 in (0..last).step_by(SUM_COLS) {
                    control::check()?;
                    let w = SUM_COLS.min(last - c0);
                    let b = eval.block(&outer, c0, w);
                    cols.add(base + c0, &b.re, b.im.as_deref());
                }
                cols.row_added(base);
                control::advance(last as u64);
            }
            Ok(cols)
        })?;
        let mut parts = parts.into_iter();
        let mut total = parts.next().expect("at least one chunk");
        for p in parts {
            total.merge(&p);
        }
        return Ok((kept_shape, total.into_accs(int)));
    }
    // Reduced axes that are the trailing ones (`axis=1` of a 2-d array,
    // `axis=(1, 2)` of a 3-d one): each output takes a run of consecutive
    // rows, so a chunk of rows needs accumulators only for its own run of
    // outputs, not a full row of them.
    let trailing = axes
        .iter()
        .enumerate()
        .all(|(i, &a)| a == n - axes.len() + i);
    if !last_kept && trailing {
        let per_output = rows / outputs.max(1);
        let parts = in_chunks(chunks, |c| {
            let (r0, r1) = (c * per, ((c + 1) * per).min(rows));
            // The last chunks may start past the end (rows < chunks · per).
            let first = (r0 / per_output.max(1)).min(outputs);
            let mut accs: Vec<Acc> = Vec::new();
            let mut eval = Fused::new(x);
            let mut outer = vec![0usize; n - 1];
            for row in r0..r1 {
                let out = row / per_output.max(1) - first;
                if out == accs.len() {
                    accs.push(Acc::needing(need));
                }
                unravel_row(row, &mut outer);
                for col in (0..last).step_by(BLOCK) {
                    control::check()?;
                    let len = BLOCK.min(last - col);
                    let b = eval.block(&outer, col, len);
                    accs[out].push(b, (row * last + col) as u64, int);
                    control::advance(len as u64);
                }
            }
            Ok((first, accs))
        })?;
        let mut total = vec![Acc::default(); outputs];
        for (first, accs) in parts {
            for (t, a) in total[first..].iter_mut().zip(&accs) {
                t.merge(a);
            }
        }
        return Ok((kept_shape, total));
    }
    let chunk = |c: usize| -> Result<Vec<Acc>, Interrupted> {
        let mut accs = vec![Acc::needing(need); outputs];
        let mut eval = Fused::new(x);
        let mut outer = vec![0usize; n - 1];
        let (r0, r1) = (c * per, ((c + 1) * per).min(rows));
        if !last_kept {
            for row in r0..r1 {
                let base = unravel_row(row, &mut outer);
                for col in (0..last).step_by(BLOCK) {
                    control::check()?;
                    let len = BLOCK.min(last - col);
                    let b = eval.block(&outer, col, len);
                    accs[base].push(b, (row * last + col) as u64, int);
                    control::advance(len as u64);
                }
            }
            return Ok(accs);
        }
        // Tiles of rows that share their output row, by columns.
        const TILE_ROWS: usize = 32;
        const TILE_COLS: usize = 2048;
        let complex = x.is_complex();

        let mut re = Vec::new();
        let mut im = Vec::new();
        let mut row = r0;
        while row < r1 {
            let base = unravel_row(row, &mut outer);
            let mut end = row + 1;
            let mut probe = outer.clone();
            while end < r1 && end - row < TILE_ROWS && unravel_row(end, &mut probe) == base {
                end += 1;
            }
            let h = end - row;
            for c0 in (0..last).step_by(TILE_COLS) {
                control::check()?;
                let w = TILE_COLS.min(last - c0);
                re.clear();
                re.resize(w * h, 0.0);
                if complex {
                    im.clear();
                    im.resize(w * h, 0.0);
                }
                for i in 0..h {
                    unravel_row(row + i, &mut outer);
                    let b = eval.block(&outer, c0, w);
                    for (j, &v) in b.re.iter().enumerate() {
                        re[j * h + i] = v;
                    }
                    if let Some(bi) = &b.im {
                        for (j, &v) in bi.iter().enumerate() {
                            im[j * h + i] = v;
                        }
                    }
                }
                for j in 0..w {
                    let col = c0 + j;
                    accs[base + col * out_stride[n - 1]].push_strided(
                        &re[j * h..(j + 1) * h],
                        complex.then(|| &im[j * h..(j + 1) * h]),
                        (row * last + col) as u64,
                        last as u64,
                        int,
                    );
                }
                control::advance((w * h) as u64);
            }
            row = end;
        }
        Ok(accs)
    };
    let mut parts = in_chunks(chunks, chunk)?.into_iter();
    let mut total = parts
        .next()
        .unwrap_or_else(|| vec![Acc::default(); outputs]);
    for p in parts {
        for (t, a) in total.iter_mut().zip(&p) {
            t.merge(a);
        }
    }
    Ok((kept_shape, total))
}

impl Need {
    /// What the reduction `name` (`sum`, `nanmean`, ...) needs.
    pub fn of(name: &str) -> Need {
        match name.trim_start_matches("nan") {
            "sum" | "mean" => Need::Sums,
            "count_nonzero" | "any" | "all" => Need::Counts,
            "min" | "max" | "argmin" | "argmax" | "ptp" => Need::Extremes,
            _ => Need::All,
        }
    }
}

/// What an `axis=` reduction needs from its accumulators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Everything an [`Acc`] tracks: extremes and where they are, moments.
    All,
    /// Compensated sums and counts of NaN and infinities only: sum, mean
    /// and their nan forms.
    Sums,
    /// Those, and the count of non-zeros: count_nonzero, any, all.
    Counts,
    /// The extremes and where they are, and counts of NaN: min, max,
    /// argmin, argmax, ptp and their nan forms.
    Extremes,
}

/// The accumulators of an `axis=` reduction that keeps the last axis, as
/// columns: a run of input along the last axis is added to a run of
/// outputs element by element (a vector add), with Neumaier-compensated
/// sums and counts of NaN, infinities and (when counting) non-zeros, the
/// same quantities [`Acc::push`] records. Every output of a row of
/// outputs takes the same number of elements: one count per row of outputs.
struct ColumnSums {
    /// Outputs per row of outputs (the last axis).
    last: usize,
    sum: Vec<f64>,
    comp: Vec<f64>,
    im_sum: Vec<f64>,
    im_comp: Vec<f64>,
    /// Elements added to each row of outputs.
    rows: Vec<u64>,
    nan: Vec<u64>,
    pinf: Vec<u64>,
    ninf: Vec<u64>,
    /// Non-zeros (NaN aside), float64 lanes for the vectorised loop (exact
    /// below 2^53); empty when not counting.
    nonzero: Vec<f64>,
}

impl ColumnSums {
    /// Bytes per output at most: four float64 sums, four counts.
    const BYTES_PER_OUTPUT: usize = 8 * 8;

    fn new(outputs: usize, last: usize, complex: bool, counting: bool) -> ColumnSums {
        let z = |on: bool| if on { vec![0.0; outputs] } else { Vec::new() };
        ColumnSums {
            last,
            sum: z(true),
            comp: z(true),
            im_sum: z(complex),
            im_comp: z(complex),
            rows: vec![0; outputs / last.max(1)],
            nan: vec![0; outputs],
            pinf: vec![0; outputs],
            ninf: vec![0; outputs],
            nonzero: z(counting),
        }
    }

    /// A whole row of input has been added to the row of outputs at `base`.
    fn row_added(&mut self, base: usize) {
        self.rows[base / self.last.max(1)] += 1;
    }

    /// Adds the columns of `o`, the chunk after this one's.
    fn merge(&mut self, o: &ColumnSums) {
        for (s, c, os, oc) in [
            (&mut self.sum, &mut self.comp, &o.sum, &o.comp),
            (&mut self.im_sum, &mut self.im_comp, &o.im_sum, &o.im_comp),
        ] {
            for (((s, c), &os), &oc) in s.iter_mut().zip(c.iter_mut()).zip(os).zip(oc) {
                neumaier(s, c, os + oc);
            }
        }
        for (mine, theirs) in [
            (&mut self.rows, &o.rows),
            (&mut self.nan, &o.nan),
            (&mut self.pinf, &o.pinf),
            (&mut self.ninf, &o.ninf),
        ] {
            for (m, &t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
        for (m, &t) in self.nonzero.iter_mut().zip(&o.nonzero) {
            *m += t;
        }
    }

    /// Whether float64 sums of `x` are exact integer sums where `int` asks
    /// for them: integers of at most 4 bytes over fewer than 2^21 rows
    /// stay below 2^53. Floats are always fine.
    fn exact_for(x: &Lazy, int: bool, rows: usize) -> bool {
        !int || (x.dtype.size <= 4 && rows < 1 << 21)
    }

    fn add(&mut self, at: usize, re: &[f64], im: Option<&[f64]>) {
        let len = re.len();
        let r = at..at + len;
        let (sum, comp) = (&mut self.sum[r.clone()], &mut self.comp[r.clone()]);
        let nan = &mut self.nan[r.clone()];
        let (pinf, ninf) = (&mut self.pinf[r.clone()], &mut self.ninf[r.clone()]);
        let counting = !self.nonzero.is_empty();
        let nonzero: &mut [f64] = if counting {
            &mut self.nonzero[r.clone()]
        } else {
            &mut []
        };
        // As Acc::push_general: NaN if either part is NaN; otherwise
        // infinite if either part is, counted by the sign of the real part.
        let mut one = |j: usize, v: f64, vi: f64| -> bool {
            let is_nan = v.is_nan() || vi.is_nan();
            let is_inf = !is_nan && (v.is_infinite() || vi.is_infinite());
            nan[j] += u64::from(is_nan);
            pinf[j] += u64::from(is_inf && v > 0.0);
            ninf[j] += u64::from(is_inf && v <= 0.0);
            if counting {
                nonzero[j] += f64::from(u8::from(!is_nan && (v != 0.0 || vi != 0.0)));
            }
            let finite = !is_nan && !is_inf;
            neumaier(&mut sum[j], &mut comp[j], if finite { v } else { 0.0 });
            finite
        };
        match im {
            // The common case, a run of finite values: one loop of adds
            // with no branch, vectorised.
            None if super::kernels::all_finite(re) => {
                super::kernels::column_add(sum, comp, nonzero, re);
            }
            None => {
                for (j, &v) in re.iter().enumerate() {
                    one(j, v, 0.0);
                }
            }
            Some(im) if super::kernels::all_finite(re) && super::kernels::all_finite(im) => {
                let (isum, icomp) = (&mut self.im_sum[r.clone()], &mut self.im_comp[r]);
                super::kernels::column_add_complex(sum, comp, isum, icomp, nonzero, re, im);
            }
            Some(im) => {
                let (isum, icomp) = (&mut self.im_sum[r.clone()], &mut self.im_comp[r]);
                for (j, (&v, &vi)) in re.iter().zip(im).enumerate() {
                    let finite = one(j, v, vi);
                    neumaier(&mut isum[j], &mut icomp[j], if finite { vi } else { 0.0 });
                }
            }
        }
    }

    /// One [`Acc`] per output, holding what a reduction of sums reads.
    fn into_accs(self, int: bool) -> Vec<Acc> {
        (0..self.sum.len())
            .map(|j| {
                let n = self.rows[j / self.last.max(1)] - self.nan[j];
                let finite = n - self.pinf[j] - self.ninf[j];
                let total = self.sum[j] + self.comp[j];
                let im_total = self.im_sum.get(j).map_or(0.0, |s| s + self.im_comp[j]);
                let mean = |t: f64| if finite > 0 { t / finite as f64 } else { 0.0 };
                Acc {
                    n,
                    nan: self.nan[j],
                    pinf: self.pinf[j],
                    ninf: self.ninf[j],
                    nonzero: self.nonzero.get(j).map_or(0, |&z| z as u64),
                    finite,
                    mean: mean(total),
                    sum: self.sum[j],
                    comp: self.comp[j],
                    im_mean: mean(im_total),
                    im_sum: self.im_sum.get(j).copied().unwrap_or(0.0),
                    im_comp: self.im_comp.get(j).copied().unwrap_or(0.0),
                    isum: if int { total as i128 } else { 0 },
                    ..Acc::default()
                }
            })
            .collect()
    }
}

/// Chunks the picture reductions split their work into: a fixed number
/// (not one per thread), taken by the threads in turn and merged in order,
/// so the answer does not depend on how many threads ran.
const PICTURE_CHUNKS: usize = 32;

/// Counts per bin of the non-NaN values in `[lo, hi]` (NumPy's rule: the
/// last bin includes `hi`), and how many values fell outside.
pub fn histogram(x: &Lazy, bins: usize, lo: f64, hi: f64) -> Result<(Vec<u64>, u64), Interrupted> {
    let size = x.size();
    let _job = control::start(size as u64);
    let chunk = size.div_ceil(PICTURE_CHUNKS).max(BLOCK);
    let results = in_chunks(size.div_ceil(chunk), |c| {
        // Bin numbers for a block first, in a loop without branches
        // (vectorised); then the tallies, in four sub-histograms taken in
        // turn so that runs of values in one bin do not wait on each
        // other's increments. Bin `bins` counts values outside, `bins + 1`
        // NaN.
        let mut counts = vec![[0u64; 4]; bins + 2];
        let mut index = Vec::with_capacity(BLOCK);
        for_blocks(x, c * chunk, ((c + 1) * chunk).min(size), |b, _| {
            index.resize(b.re.len(), 0);
            super::kernels::bin_numbers(&b.re, lo, hi, bins, &mut index);
            for (j, &k) in index.iter().enumerate() {
                let c = &mut counts[k as usize][j % 4];
                *c = c.wrapping_add(1);
            }
        })?;
        let outside: u64 = counts[bins].iter().sum();
        let counts = counts[..bins]
            .iter()
            .map(|c| c.iter().sum())
            .collect::<Vec<u64>>();
        Ok((counts, outside))
    })?;
    let mut counts = vec![0u64; bins];
    let mut outside = 0;
    for (c, o) in results {
        for (t, v) in counts.iter_mut().zip(c) {
            *t += v;
        }
        outside += o;
    }
    Ok((counts, outside))
}

/// The min/max envelope of a 1-D array in `bins` columns: column `c`
/// covers elements `c * n / bins ..` up to the next column's first, and
/// holds their minimum and maximum (NaN skipped; `(NaN, NaN)` for a column
/// with no number). Streams over every element, so no spike is lost.
pub fn envelope(x: &Lazy, bins: usize) -> Result<Vec<(f64, f64)>, Interrupted> {
    let n = x.size();
    let bins = bins.min(n).max(1);
    let _job = control::start(n as u64);
    // Chunks own whole columns, so their results need no merging.
    let per = bins.div_ceil(PICTURE_CHUNKS);
    let first = |c: usize| ((c as u128 * n as u128) / bins as u128) as usize;
    let parts = in_chunks(bins.div_ceil(per), |k| {
        let (c0, c1) = ((k * per).min(bins), ((k + 1) * per).min(bins));
        let mut out = vec![(f64::NAN, f64::NAN); c1 - c0];
        let mut col = c0;
        for_blocks(x, first(c0), first(c1), |b, at| {
            for (j, &v) in b.re.iter().enumerate() {
                let i = at as usize + j;
                while col + 1 < c1 && i >= first(col + 1) {
                    col += 1;
                }
                if v.is_nan() {
                    continue;
                }
                let e = &mut out[col - c0];
                // A column's first value replaces the NaN it starts as.
                if e.0.is_nan() || v < e.0 {
                    e.0 = v;
                }
                if e.1.is_nan() || v > e.1 {
                    e.1 = v;
                }
            }
        })?;
        Ok(out)
    })?;
    Ok(parts.into_iter().flatten().collect())
}

/// How [`shrink_2d`] combines the elements of a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shrink {
    Mean,
    Max,
}

/// A 2-D array reduced to `rows` x `cols` cells (each a block of whole
/// elements, as even as the sizes allow) by the mean or the maximum of
/// each cell's non-NaN values (NaN for a cell with none), in one streaming
/// pass with memory for the cells only.
pub fn shrink_2d(x: &Lazy, rows: usize, cols: usize, how: Shrink) -> Result<Vec<f64>, Interrupted> {
    let (h, w) = (x.shape[0], x.shape[1]);
    let _job = control::start(x.size() as u64);
    let cell_row: Vec<usize> = (0..h).map(|r| r * rows / h.max(1)).collect();
    let cell_col: Vec<usize> = (0..w).map(|c| c * cols / w.max(1)).collect();
    // Chunks own whole rows of cells (the data rows that fall in them), so
    // each cell is summed by one chunk in order: no merge, the same bits
    // for any number of threads, and memory for the cells once.
    let per = rows.div_ceil(PICTURE_CHUNKS).max(1);
    let first_row = |cell: usize| cell_row.partition_point(|&r| r < cell);
    let parts = in_chunks(rows.div_ceil(per), |k| {
        let (r0, r1) = ((k * per).min(rows), ((k + 1) * per).min(rows));
        let init = if how == Shrink::Max {
            f64::NEG_INFINITY
        } else {
            0.0
        };
        let mut acc = vec![init; (r1 - r0) * cols];
        let mut count = vec![0u64; (r1 - r0) * cols];
        for_blocks(x, first_row(r0) * w, first_row(r1) * w, |b, at| {
            let at = at as usize;
            let (r, c0) = (at / w, at % w);
            let base = (cell_row[r] - r0) * cols;
            for (j, &v) in b.re.iter().enumerate() {
                if v.is_nan() {
                    continue;
                }
                let cell = base + cell_col[c0 + j];
                match how {
                    Shrink::Mean => acc[cell] += v,
                    Shrink::Max => acc[cell] = acc[cell].max(v),
                }
                count[cell] += 1;
            }
        })?;
        Ok(acc
            .iter()
            .zip(&count)
            .map(|(&a, &c)| match (c, how) {
                (0, _) => f64::NAN,
                (c, Shrink::Mean) => a / c as f64,
                (_, Shrink::Max) => a,
            })
            .collect::<Vec<f64>>())
    })?;
    Ok(parts.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectorised path for integer blocks against the scalar one, on
    /// small values, values near the exactness bound, and mixed signs.
    #[test]
    fn integer_blocks_agree_with_the_scalar_path() {
        let mut state: u64 = 0x1234_5678;
        for (scale, len) in [
            (1u64, 4096usize),
            (1 << 20, 4096),
            (1 << 40, 4096),
            (1 << 52, 3),
            (1 << 62, 100),
        ] {
            let xs: Vec<f64> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    ((state % (2 * scale)) as i128 - scale as i128) as f64
                })
                .collect();
            for step in [1u64, 7] {
                let (mut fast, mut slow) = (Acc::default(), Acc::default());
                fast.push_strided(&xs, None, 100, step, true);
                slow.push_general(&xs, None, 100, step, true);
                assert_eq!(fast.isum, slow.isum, "scale {scale}");
                assert_eq!((fast.n, fast.nonzero), (slow.n, slow.nonzero));
                assert_eq!((fast.min, fast.min_at), (slow.min, slow.min_at));
                assert_eq!((fast.max, fast.max_at), (slow.max, slow.max_at));
                let exact: i128 = xs.iter().map(|&x| x as i128).sum();
                assert_eq!(fast.isum, exact);
            }
        }
    }

    /// The vectorised path for finite complex blocks against the general
    /// one: the same counts and extremes, sums and moments to rounding.
    #[test]
    fn complex_blocks_agree_with_the_general_path() {
        let mut state: u64 = 0x0bad_cafe;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % 2001) as f64 - 1000.0
        };
        for len in [1usize, 3, 4096] {
            let re: Vec<f64> = (0..len)
                .map(|k| if k % 5 == 0 { 0.0 } else { next() * 1e-3 })
                .collect();
            let im: Vec<f64> = (0..len)
                .map(|k| if k % 3 == 0 { 0.0 } else { next() * 1e2 })
                .collect();
            let (mut fast, mut slow) = (Acc::default(), Acc::default());
            // Two pushes each, so that the merge of moments is exercised.
            for (r, i) in [
                (&re[..len / 2], &im[..len / 2]),
                (&re[len / 2..], &im[len / 2..]),
            ] {
                let at = if r.len() == len - len / 2 {
                    (len / 2) as u64
                } else {
                    0
                };
                fast.push_strided(r, Some(i), at, 1, false);
                slow.push_general(r, Some(i), at, 1, false);
            }
            let counts = |a: &Acc| {
                (
                    a.n, a.nan, a.nonzero, a.finite, a.min, a.min_at, a.max, a.max_at,
                )
            };
            assert_eq!(counts(&fast), counts(&slow), "{len}");
            let close = |u: f64, v: f64| (u - v).abs() <= 1e-12 * u.abs().max(v.abs()).max(1e-300);
            let (ft, st) = (fast.total(false), slow.total(false));
            assert!(
                close(ft.0, st.0) && close(ft.1, st.1),
                "{len}: {ft:?} vs {st:?}"
            );
            let (fm, sm) = (fast.mean_value(false), slow.mean_value(false));
            assert!(
                close(fm.0, sm.0) && close(fm.1, sm.1),
                "{len}: {fm:?} vs {sm:?}"
            );
            assert!(
                close(fast.variance(false, 0), slow.variance(false, 0)),
                "{len}"
            );
        }
    }

    fn acc_of(values: &[f64], split: usize) -> Acc {
        let mut a = Acc::default();
        a.push(
            &Block {
                re: values[..split].to_vec(),
                im: None,
            },
            0,
            false,
        );
        let mut b = Acc::default();
        b.push(
            &Block {
                re: values[split..].to_vec(),
                im: None,
            },
            split as u64,
            false,
        );
        a.merge(&b);
        a
    }

    #[test]
    fn merged_partials_equal_the_direct_two_pass_answer() {
        let values: Vec<f64> = (0..1000)
            .map(|k| ((k * 7919) % 1000) as f64 * 0.37 + 1e6)
            .collect();
        let mean = values.iter().sum::<f64>() / 1000.0;
        let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 1000.0;
        for split in [0, 1, 333, 999, 1000] {
            let a = acc_of(&values, split);
            assert!(
                (a.mean_value(false).0 - mean).abs() <= 1e-9 * mean,
                "{split}"
            );
            assert!((a.variance(false, 0) - var).abs() <= 1e-9 * var, "{split}");
            let min_at = values
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.partial_cmp(b.1).unwrap())
                .unwrap()
                .0;
            assert_eq!(a.min_at as usize, min_at);
        }
    }

    /// The column kernel of sums (`Need::Counts`, and `Need::Sums` against
    /// A float64 (or, with `im`, complex128) array of `shape` in memory.
    fn computed(shape: &[usize], re: &[f64], im: Option<&[f64]>) -> Lazy {
        use crate::compute::Computed;
        use ndarray::ArrayD;
        let name = if im.is_some() { "<c16" } else { "<f8" };
        Lazy::array(Computed {
            dtype: crate::dtype::Dtype::parse_str(name)
                .unwrap()
                .as_scalar()
                .unwrap(),
            re: ArrayD::from_shape_vec(shape, re.to_vec()).unwrap(),
            im: im.map(|v| ArrayD::from_shape_vec(shape, v.to_vec()).unwrap()),
        })
    }

    /// Accumulators that skip what their reader does not need (the moments
    /// of a `max`, the extremes of a `mean`) against full ones, along axes
    /// that include the last (the accumulator paths), on real and complex
    /// data, with blocks of finite values (the fast paths) and with NaN and
    /// infinities: the same extremes and positions, the same sums and means
    /// bit for bit.
    #[test]
    fn lighter_accumulators_give_what_they_are_read_for_unchanged() {
        let shape = [4usize, 9, 5000];
        let n: usize = shape.iter().product();
        let mut state: u64 = 0x9e37_79b9;
        let mut value = |k: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            match (k >= n / 2, state % 3000) {
                (true, 0) => f64::NAN,
                (true, 1) => f64::INFINITY,
                (_, m) => (m % 97) as f64 - 48.0 + (state % 7) as f64 * 0.25,
            }
        };
        let re: Vec<f64> = (0..n).map(&mut value).collect();
        let im: Vec<f64> = (0..n).map(&mut value).collect();
        for complex in [false, true] {
            let x = computed(&shape, &re, complex.then_some(&im[..]));
            for axes in [vec![2], vec![1, 2], vec![0, 2], vec![0]] {
                let (_, all) = reduce_axes(&x, &axes, false, Need::All).unwrap();
                let (_, ext) = reduce_axes(&x, &axes, false, Need::Extremes).unwrap();
                let (_, sums) = reduce_axes(&x, &axes, false, Need::Sums).unwrap();
                // Outputs of NaN blocks and of finite ones, both.
                assert!(all.iter().any(|a| a.nan > 0));
                assert!(axes != [2] || all.iter().any(|a| a.nan == 0));
                for ((a, e), s) in all.iter().zip(&ext).zip(&sums) {
                    let extremes = |a: &Acc| {
                        (
                            a.min.to_bits(),
                            a.min_at,
                            a.max.to_bits(),
                            a.max_at,
                            a.first_nan,
                        )
                    };
                    assert_eq!(extremes(a), extremes(e), "{axes:?} complex {complex}");
                    assert_eq!((a.n, a.nan, a.pinf, a.ninf), (e.n, e.nan, e.pinf, e.ninf));
                    let bits = |a: &Acc| {
                        let (t, m) = (a.total(false), a.mean_value(true));
                        [t.0, t.1, m.0, m.1].map(f64::to_bits)
                    };
                    // (With the last axis kept, sums take the column kernel,
                    // which `column_sums_agree_with_the_general_accumulators`
                    // checks.)
                    if axes.contains(&2) {
                        assert_eq!(bits(a), bits(s), "{axes:?} complex {complex}");
                    }
                }
            }
        }
    }

    /// that) against the general
    /// accumulators, on real and complex data with NaN, infinities and
    /// zeros, over every axis and a tuple of axes: the same counts, and
    /// the same sums to a few units in the last place of float64.
    #[test]
    fn column_sums_agree_with_the_general_accumulators() {
        let shape = [5usize, 37, 300];
        let n: usize = shape.iter().product();
        let mut state: u64 = 0x2545_f491;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut value = || match next() % 50 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3..=6 => 0.0,
            k => (k as f64 - 25.0) * 1.37e3 + (next() % 1000) as f64 * 1e-3,
        };
        let re: Vec<f64> = (0..n).map(|_| value()).collect();
        let im: Vec<f64> = (0..n).map(|_| value()).collect();
        for complex in [false, true] {
            let x = computed(&shape, &re, complex.then_some(&im[..]));
            for axes in [vec![0], vec![1], vec![0, 1], vec![2], vec![0, 2]] {
                let (s1, fast) = reduce_axes(&x, &axes, false, Need::Counts).unwrap();
                let (_, sums) = reduce_axes(&x, &axes, false, Need::Sums).unwrap();
                for (a, b) in sums.iter().zip(&fast) {
                    assert_eq!((a.n, a.nan, a.finite), (b.n, b.nan, b.finite));
                    assert_eq!(a.total(false).0.to_bits(), b.total(false).0.to_bits());
                }
                let (s2, slow) = reduce_axes(&x, &axes, false, Need::All).unwrap();
                assert_eq!(s1, s2);
                for (a, b) in fast.iter().zip(&slow) {
                    let counts = |a: &Acc| (a.n, a.nan, a.pinf, a.ninf, a.nonzero, a.finite);
                    assert_eq!(counts(a), counts(b), "{axes:?} complex {complex}");
                    for (p, q) in [
                        (a.total(true), b.total(true)),
                        (a.mean_value(true), b.mean_value(true)),
                    ] {
                        for (u, v) in [(p.0, q.0), (p.1, q.1)] {
                            assert!(
                                // Rounding relative to the terms (up to 4e4), not
                                // to the sum, which may nearly cancel.
                                u.to_bits() == v.to_bits()
                                    || (u - v).abs() <= 1e-12 * u.abs().max(v.abs()).max(4e4),
                                "{axes:?}: {u} vs {v}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn nan_and_infinity_propagate_as_in_numpy() {
        let a = acc_of(&[1.0, f64::NAN, 3.0], 1);
        assert!(a.total(false).0.is_nan());
        assert_eq!(a.total(true).0, 4.0);
        assert_eq!(a.mean_value(true).0, 2.0);
        assert_eq!(a.first_nan, Some(1));
        let b = acc_of(&[1.0, f64::INFINITY, f64::NEG_INFINITY], 2);
        assert!(b.total(false).0.is_nan());
        assert!(b.variance(false, 0).is_nan());
        assert_eq!(b.max, f64::INFINITY);
    }
}
