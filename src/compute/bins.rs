//! Reductions into a fixed number of bins, for `hist` and the pictures:
//! [`histogram`] counts (vectorised bin numbers, NumPy's rule for the last
//! edge), [`envelope`] (min and max per plot column), [`shrink_2d`] (block
//! means or maxima per image cell). Each splits its work into
//! `PICTURE_CHUNKS` fixed chunks merged in order: the same pixels for any
//! number of threads.

use super::kernels::{self, Lane, NEAR_EDGE};
pub use super::kernels::{BinMath, BinParams};
use super::reduce::{for_values, in_chunks};
use super::{Lazy, Values, BLOCK};
use crate::control::{self, Interrupted};

/// Chunks the picture reductions split their work into: a fixed number
/// (not one per thread), taken by the threads in turn and merged in order,
/// so the answer does not depend on how many threads ran.
const PICTURE_CHUNKS: usize = 32;

/// NumPy's `bin_edges` and bin arithmetic for `bins` equal bins over
/// `[first, last]`, as `np.histogram` makes them. `own`: the range is the
/// data's own minimum and maximum (NumPy scalars of its dtype, so a
/// float32 array's edges are computed in float32); else it was given as
/// Python floats (edges computed in float64, then rounded). `size`: the
/// bins' float size, the data's own (2, 4 or 8), 8 for integers.
/// Equal ends are widened by 0.5 each way, as NumPy widens them.
pub fn numpy_bins(
    first: f64,
    last: f64,
    bins: usize,
    own: bool,
    size: usize,
) -> Result<(BinParams, Vec<f64>), String> {
    let r = |v: f64| match size {
        2 => crate::compute::f16_from(v).to_f64(),
        4 => v as f32 as f64,
        _ => v,
    };
    // Arithmetic in the bins' own float type (NumPy scalars of float16 or
    // float32 data); integers' own scalars compute in float64.
    let typed = own && size < 8;
    let (first, last) = match (first == last, typed) {
        (true, true) => (r(first - 0.5), r(last + 0.5)),
        (true, false) => (first - 0.5, last + 0.5),
        _ => (first, last),
    };
    // np.linspace(first, last, bins + 1, dtype=bin_type).
    let div = bins as f64;
    let mut edges: Vec<f64> = if typed {
        let delta = r(last - first);
        let step = r(delta / div);
        (0..bins)
            .map(|k| {
                let k = k as f64;
                let y = if step == 0.0 {
                    r(r(k / div) * delta)
                } else {
                    r(k * step)
                };
                r(y + first)
            })
            .collect()
    } else {
        let delta = last - first;
        let step = delta / div;
        (0..bins)
            .map(|k| {
                let k = k as f64;
                let y = if step == 0.0 {
                    k / div * delta
                } else {
                    k * step
                };
                r(y + first)
            })
            .collect()
    };
    edges.push(r(last));
    if edges.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!(
            "Too many bins for data range. Cannot create {bins} finite-sized bins."
        ));
    }
    let math = match (size, typed) {
        (4, true) => BinMath::Single,
        (4, false) => BinMath::SingleDiff,
        (2, true) => BinMath::Half,
        (2, false) => BinMath::HalfDiff,
        _ => BinMath::Double,
    };
    let params = BinParams {
        first: r(first),
        // Python floats compared with the data convert to its dtype.
        lo: r(first),
        hi: r(last),
        denom: if typed { r(last - first) } else { last - first },
        bins,
        math,
    };
    Ok((params, edges))
}

/// Counts per bin of the non-NaN values in `[p.lo, p.hi]`, and how many
/// values fell outside, exactly as NumPy's `histogram` bins them: its
/// estimate in its own arithmetic ([`BinParams`]), then one step down
/// where the value is below its bin's left edge and one step up where it
/// is at or past the right edge (the last bin includes its right edge).
/// `edges` are NumPy's `bin_edges`, `p.bins + 1` of them.
pub fn histogram(x: &Lazy, p: &BinParams, edges: &[f64]) -> Result<(Vec<u64>, u64), Interrupted> {
    let bins = p.bins;
    assert_eq!(edges.len(), bins + 1, "one edge more than bins");
    let size = x.size();
    let _job = control::start(size as u64);
    let chunk = size.div_ceil(PICTURE_CHUNKS).max(BLOCK);
    let settle = Settle::new(p, edges);
    let results = in_chunks(size.div_ceil(chunk), |c| {
        // Bin `bins` counts values outside, `bins + 1` NaN.
        let mut tallies = Tallies::new(bins + 2);
        let mut index = Vec::with_capacity(BLOCK);
        for_values(x, c * chunk, ((c + 1) * chunk).min(size), |v, _| match v {
            Values::Lanes(xs) => tallies.add(xs, p, &settle, &mut index),
            Values::Block(b) => tallies.add(&b.re, p, &settle, &mut index),
        })?;
        let counts = tallies.counts();
        Ok((counts[..bins].to_vec(), counts[bins]))
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

/// Counts per bin: four sub-histograms of 32-bit counts, taken in turn so
/// that runs of values in one bin do not wait on each other's increments,
/// added into 64-bit totals before they can wrap.
struct Tallies {
    /// Four tables of a power of two counts each, so that a bin number
    /// masked by `mask` is in range without a check.
    sub: [Vec<u32>; 4],
    mask: usize,
    /// Values added since the sub-histograms were last emptied, and how
    /// many they may hold (fewer than 2^32, so no bin's count wraps).
    pending: u64,
    limit: u64,
    total: Vec<u64>,
}

impl Tallies {
    fn new(bins: usize) -> Tallies {
        let len = bins.next_power_of_two();
        Tallies {
            sub: [(); 4].map(|_| vec![0u32; len]),
            mask: len - 1,
            pending: 0,
            limit: u64::from(u32::MAX),
            total: vec![0; bins],
        }
    }

    /// Adds a block of values: bin numbers for the whole block first, in
    /// a loop without branches (vectorised), then each estimate's tally
    /// (also without branches), then the few estimates marked near an
    /// edge moved to the bin the edges settle them in.
    fn add<T: Lane>(&mut self, xs: &[T], p: &BinParams, settle: &Settle, index: &mut Vec<u32>) {
        if self.pending + xs.len() as u64 > self.limit {
            self.flush();
        }
        self.pending += xs.len() as u64;
        index.resize(xs.len(), 0);
        kernels::bin_numbers(xs, p, settle.near, settle.near32, index);
        let mask = self.mask;
        let [a, b, c, d] = &mut self.sub;
        let (a, b, c, d) = (
            &mut a[..=mask],
            &mut b[..=mask],
            &mut c[..=mask],
            &mut d[..=mask],
        );
        let ks = index.chunks_exact(4);
        let mut marked = 0;
        for &k in ks.remainder() {
            a[k as usize & mask] = a[k as usize & mask].wrapping_add(1);
            marked |= k;
        }
        for k in ks {
            for (t, &k) in [&mut *a, &mut *b, &mut *c, &mut *d].into_iter().zip(k) {
                t[k as usize & mask] = t[k as usize & mask].wrapping_add(1);
                marked |= k;
            }
        }
        if marked & NEAR_EDGE == 0 {
            return;
        }
        // Marks are rare (about one in thousands): look for them 64 at a
        // time.
        for (ks, vs) in index.chunks(64).zip(xs.chunks(64)) {
            if ks.iter().fold(0, |m, &k| m | k) & NEAR_EDGE == 0 {
                continue;
            }
            for (&k, v) in ks.iter().zip(vs) {
                if k & NEAR_EDGE != 0 {
                    let (from, to) = ((k & !NEAR_EDGE) as usize, settle.bin(k, v.wide()));
                    a[from & mask] = a[from & mask].wrapping_sub(1);
                    a[to & mask] = a[to & mask].wrapping_add(1);
                }
            }
        }
    }

    fn flush(&mut self) {
        let [a, b, c, d] = &mut self.sub;
        for (k, t) in self.total.iter_mut().enumerate() {
            // A bin's count since the last flush is below 2^32, though a
            // sub-histogram's may have wrapped (a fix-up takes its one
            // from `a` whichever table counted the estimate).
            let n = a[k]
                .wrapping_add(b[k])
                .wrapping_add(c[k])
                .wrapping_add(d[k]);
            *t += u64::from(n);
        }
        for sub in &mut self.sub {
            sub.fill(0);
        }
        self.pending = 0;
    }

    fn counts(mut self) -> Vec<u64> {
        self.flush();
        self.total
    }
}

/// NumPy's correction of a bin estimate by the edges.
struct Settle {
    /// Each bin's left edge, NaN past the bins.
    lower: Vec<f64>,
    /// Each bin's right edge where a value at it moves up (not the last
    /// bin's), NaN past the bins.
    upper: Vec<f64>,
    /// The margin [`kernels::bin_numbers`] marks estimates within.
    near: f64,
    /// The margin for estimates in float32 arithmetic (float32 lanes).
    near32: f64,
}

impl Settle {
    fn new(p: &BinParams, edges: &[f64]) -> Settle {
        let bins = p.bins;
        Settle {
            lower: edges[..bins].iter().copied().chain([f64::NAN; 2]).collect(),
            upper: edges[1..bins]
                .iter()
                .copied()
                .chain([f64::NAN; 3])
                .collect(),
            near: near_edge(p, edges),
            near32: match p.math {
                BinMath::Half | BinMath::HalfDiff => 0.5,
                _ => margin(f32::EPSILON as f64 / 2.0, p.bins, edges),
            },
        }
    }

    /// The bin of value `v` from its estimate `k`: as it is unless marked
    /// near an edge (rarely: the branch is predicted), else one step down
    /// where `v` is below its bin's left edge, one up where it is at or
    /// past the right edge (the two exclude each other; NaN edges move
    /// nothing).
    #[inline(always)]
    fn bin(&self, k: u32, v: f64) -> usize {
        if k & NEAR_EDGE == 0 {
            return k as usize;
        }
        let k = (k & !NEAR_EDGE) as usize;
        k + usize::from(v >= self.upper[k]) - usize::from(v < self.lower[k])
    }
}

/// How near (in bins) to a bin boundary an estimate of
/// [`kernels::bin_numbers`] must fall for the edges to be consulted: four
/// times a bound on how far the estimate can be from the value's true
/// position (three roundings of a number up to `bins`) plus how far an
/// edge can be from its ideal place (linspace's roundings, up to the
/// largest edge's ulp). Outside that margin the estimate's bin is the
/// value's bin, so NumPy's correction would move nothing. 0.5 (every
/// value consults the edges) when the bound is not small: float16 bins,
/// or edges too close for their magnitude.
fn near_edge(p: &BinParams, edges: &[f64]) -> f64 {
    let eps = match p.math {
        BinMath::Double => f64::EPSILON / 2.0,
        BinMath::Single | BinMath::SingleDiff => f32::EPSILON as f64 / 2.0,
        BinMath::Half | BinMath::HalfDiff => 1.0 / 2048.0,
    };
    margin(eps, p.bins, edges)
}

/// [`near_edge`] for an arithmetic whose rounding is `eps`.
fn margin(eps: f64, bins: usize, edges: &[f64]) -> f64 {
    let (first, last) = (edges[0], edges[edges.len() - 1]);
    let bins = bins as f64;
    let width = (last - first) / bins;
    let largest = first.abs().max(last.abs());
    let near = 4.0 * (5.1 * bins * eps + largest * eps / width);
    // NaN (an infinite edge) takes the wide margin too.
    if near < 0.25 {
        near
    } else {
        0.5
    }
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
        // Each block in the runs that fall in one column, each run's
        // extremes by the vector kernel.
        fn columns<T: Lane>(
            xs: &[T],
            at: usize,
            col: &mut usize,
            c1: usize,
            first: impl Fn(usize) -> usize,
            out: &mut [(f64, f64)],
            c0: usize,
        ) {
            let mut j = 0;
            while j < xs.len() {
                while *col + 1 < c1 && at + j >= first(*col + 1) {
                    *col += 1;
                }
                let end = if *col + 1 < c1 {
                    (first(*col + 1) - at).min(xs.len())
                } else {
                    xs.len()
                };
                if let Some((lo, hi)) = run_stats(&xs[j..end]).extremes {
                    let e = &mut out[*col - c0];
                    // A column's first value replaces the NaN it starts as.
                    if e.0.is_nan() || lo < e.0 {
                        e.0 = lo;
                    }
                    if e.1.is_nan() || hi > e.1 {
                        e.1 = hi;
                    }
                }
                j = end;
            }
        }
        for_values(x, first(c0), first(c1), |v, at| {
            let at = at as usize;
            match v {
                Values::Lanes(xs) => columns(xs, at, &mut col, c1, first, &mut out, c0),
                Values::Block(b) => columns(&b.re, at, &mut col, c1, first, &mut out, c0),
            }
        })?;
        Ok(out)
    })?;
    Ok(parts.into_iter().flatten().collect())
}

/// What a picture keeps of a run of values: the extremes, the sum and the
/// count of those that are not NaN (`None` and 0 when there is none).
struct RunStats {
    extremes: Option<(f64, f64)>,
    sum: f64,
    count: u64,
}

/// [`RunStats`] of `xs`: by the vector kernel for a long run (unless it
/// meets a NaN, which makes its sum NaN), else value by value (a short
/// run, the cells of a picture shrunk by a small factor, costs less so
/// than a call of the kernel).
#[inline(always)]
fn run_stats<T: Lane>(xs: &[T]) -> RunStats {
    if xs.len() >= kernels::PIECE {
        let (lo, hi, sum) = kernels::min_max_sum(xs);
        if !sum.is_nan() {
            return RunStats {
                extremes: Some((lo, hi)),
                sum,
                count: xs.len() as u64,
            };
        }
    }
    // Four independent accumulators of each kind, so that the loop is not
    // bound by the latency of one chain of additions.
    let (mut lo, mut hi) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
    let (mut sums, mut counts) = ([0.0; 4], [0u64; 4]);
    let quads = xs.chunks_exact(4);
    let rest = quads.remainder();
    for q in quads.chain(std::iter::once(rest)) {
        for (k, x) in q.iter().enumerate() {
            let v = x.wide();
            // NaN is neither below nor above anything, and adds nothing.
            let number = !v.is_nan();
            lo[k] = if v < lo[k] { v } else { lo[k] };
            hi[k] = if v > hi[k] { v } else { hi[k] };
            sums[k] += if number { v } else { 0.0 };
            counts[k] += u64::from(number);
        }
    }
    let lo = lo.into_iter().fold(f64::INFINITY, f64::min);
    let hi = hi.into_iter().fold(f64::NEG_INFINITY, f64::max);
    let sum = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    let count: u64 = counts.iter().sum();
    RunStats {
        extremes: (count > 0).then_some((lo, hi)),
        sum,
        count,
    }
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
    // The first data column of each cell column, and `w` after the last.
    let col_first: Vec<usize> = (0..=cols)
        .map(|c| cell_col.partition_point(|&k| k < c))
        .collect();
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
        let mut cells = Cells {
            w,
            cell_col: &cell_col,
            col_first: &col_first,
            how,
            acc: vec![init; (r1 - r0) * cols],
            count: vec![0u64; (r1 - r0) * cols],
        };
        for_values(x, first_row(r0) * w, first_row(r1) * w, |v, at| {
            let at = at as usize;
            let base = (cell_row[at / w] - r0) * cols;
            match v {
                Values::Lanes(xs) => cells.add(xs, at, base),
                Values::Block(b) => cells.add(&b.re, at, base),
            }
        })?;
        let Cells { acc, count, .. } = cells;
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

/// One chunk's cells of [`shrink_2d`]: their sums (or maxima) and counts.
struct Cells<'a> {
    w: usize,
    cell_col: &'a [usize],
    col_first: &'a [usize],
    how: Shrink,
    acc: Vec<f64>,
    count: Vec<u64>,
}

impl Cells<'_> {
    /// A block starting at flat position `at`, which lies in one data row
    /// whose cells start at `base`: its runs of columns that fall in one
    /// cell, each by the vector kernel.
    fn add<T: Lane>(&mut self, xs: &[T], at: usize, base: usize) {
        struct Add<'c, 'a, T> {
            cells: &'c mut Cells<'a>,
            xs: &'c [T],
            at: usize,
            base: usize,
        }
        impl<T: Lane> pulp::WithSimd for Add<'_, '_, T> {
            type Output = ();
            #[inline(always)]
            fn with_simd<S: pulp::Simd>(self, _: S) {
                self.cells.add_runs(self.xs, self.at, self.base)
            }
        }
        kernels::dispatch(Add {
            cells: self,
            xs,
            at,
            base,
        })
    }

    #[inline(always)]
    fn add_runs<T: Lane>(&mut self, xs: &[T], at: usize, base: usize) {
        let c0 = at % self.w;
        let mut j = 0;
        while j < xs.len() {
            let c = self.cell_col[c0 + j];
            let end = (self.col_first[c + 1] - c0).min(xs.len());
            let r = run_stats(&xs[j..end]);
            let cell = base + c;
            match (self.how, r.extremes) {
                (Shrink::Mean, _) => self.acc[cell] += r.sum,
                (Shrink::Max, Some((_, hi))) => self.acc[cell] = self.acc[cell].max(hi),
                (Shrink::Max, None) => {}
            }
            self.count[cell] += r.count;
            j = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::computed;

    /// Values with NaN runs, lone NaNs and both infinities among normal
    /// ones, so that runs take the vector kernel, its NaN fallback and the
    /// short-run loop.
    fn picture_values(n: usize) -> Vec<f64> {
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        (0..n)
            .map(|k| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                match (k % 997, k / 3000) {
                    (_, 1) if k % 3000 < 700 => f64::NAN,
                    (5, _) => f64::NAN,
                    (77, _) => f64::INFINITY,
                    (78, _) => f64::NEG_INFINITY,
                    _ => (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5,
                }
            })
            .collect()
    }

    /// NaN-skipping extremes, sum and count of `xs`, element by element.
    fn reference(xs: &[f64]) -> (f64, f64, f64, u64) {
        let numbers: Vec<f64> = xs.iter().copied().filter(|v| !v.is_nan()).collect();
        (
            numbers.iter().copied().fold(f64::NAN, f64::min),
            numbers.iter().copied().fold(f64::NAN, f64::max),
            numbers.iter().sum(),
            numbers.len() as u64,
        )
    }

    /// Plot envelopes and image cells, reduced run by run (the vector
    /// kernel for long runs, a loop for short ones), against each element
    /// taken in turn: columns and cells of one element to thousands, with
    /// NaN-only ones among them.
    #[test]
    fn pictures_reduce_runs_as_element_by_element() {
        let same = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
        let xs = picture_values(20_011);
        let x = computed(&[xs.len()], &xs, None);
        for bins in [1, 3, 7, 64, 600, 3000, 20_011] {
            let env = envelope(&x, bins).unwrap();
            assert_eq!(env.len(), bins);
            let first = |c: usize| c * xs.len() / bins;
            for (c, &(lo, hi)) in env.iter().enumerate() {
                let (rlo, rhi, _, _) = reference(&xs[first(c)..first(c + 1)]);
                assert!(same(lo, rlo) && same(hi, rhi), "{bins} bins, column {c}");
            }
        }
        let (h, w) = (31, 20_011 / 31);
        let x = computed(&[h, w], &xs[..h * w], None);
        for (rows, cols) in [(31, 645), (10, 7), (3, 100), (31, 20), (1, 1)] {
            let mean = shrink_2d(&x, rows, cols, Shrink::Mean).unwrap();
            let max = shrink_2d(&x, rows, cols, Shrink::Max).unwrap();
            for (cell, (&m, &top)) in mean.iter().zip(&max).enumerate() {
                let (r, c) = (cell / cols, cell % cols);
                let inside: Vec<f64> = (0..h)
                    .filter(|i| i * rows / h == r)
                    .flat_map(|i| (0..w).filter(|j| j * cols / w == c).map(move |j| (i, j)))
                    .map(|(i, j)| xs[i * w + j])
                    .collect();
                let (_, rhi, sum, count) = reference(&inside);
                let rmean = if count == 0 {
                    f64::NAN
                } else {
                    sum / count as f64
                };
                let close = (m - rmean).abs() <= 1e-12 * rmean.abs().max(1.0);
                assert!(
                    same(m, rmean) || close,
                    "{rows}x{cols} cell {cell}: {m} {rmean}"
                );
                assert!(same(top, rhi), "{rows}x{cols} cell {cell}: max {top} {rhi}");
            }
        }
    }

    /// The marked estimates, settled by the edges, give the bins that
    /// settling every estimate gives (the scalar reference), for values on
    /// every edge and one float step either side of it, and uniform ones,
    /// in each arithmetic; and few uniform values need the edges.
    #[test]
    fn settling_only_marked_estimates_gives_every_estimates_bins() {
        let mut s = 0x2545_F491_4F6C_DD1Du64;
        let mut uniform = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let cases = [
            (-5.2, 4.9, 100, true, 4),
            (0.0, 1.0, 7, false, 4),
            (1e6, 1e6 + 3.0, 20, true, 4),
            (1e4, 1e4 + 300.0, 30, false, 4),
            (-3.5, 1e-3, 1000, false, 8),
            (-1e300, 1e300, 64, true, 8),
            (2.0, 9.0, 10, true, 2),
            (-1.0, 1.0, 2000, true, 4),
            (-5.1, 5.3, 100, false, 8),
            (-0.3, 7.7, 333, true, 8),
            (1e-3, 2e-3, 50, false, 8),
            (-7.25, 3e4, 1 << 16, true, 8),
        ];
        for (lo, hi, bins, own, size) in cases {
            let (p, edges) = numpy_bins(lo, hi, bins, own, size).unwrap();
            let round = |v: f64| match size {
                2 => crate::compute::f16_from(v).to_f64(),
                4 => v as f32 as f64,
                _ => v,
            };
            let step = |v: f64, up: bool| match size {
                2 => {
                    let h = crate::compute::f16_from(v);
                    let b = h.to_bits() as i32 + if (v >= 0.0) == up { 1 } else { -1 };
                    half::f16::from_bits(b as u16).to_f64()
                }
                4 => f64::from(if up {
                    (v as f32).next_up()
                } else {
                    (v as f32).next_down()
                }),
                _ => {
                    if up {
                        v.next_up()
                    } else {
                        v.next_down()
                    }
                }
            };
            let mut xs: Vec<f64> = edges
                .iter()
                .flat_map(|&e| [e, step(e, true), step(e, false)])
                .collect();
            let spread = p.hi - p.lo;
            let random: Vec<f64> = (0..20_000)
                .map(|_| round(p.lo + uniform() * spread))
                .collect();
            xs.extend(&random);
            let settle = Settle::new(&p, &edges);
            let everything = Settle {
                near: 0.5,
                ..Settle::new(&p, &edges)
            };
            let bins_of = |s: &Settle, xs: &[f64]| {
                let mut k = vec![0; xs.len()];
                kernels::bin_numbers(xs, &p, s.near, s.near32, &mut k);
                let marked = k.iter().filter(|&&k| k & NEAR_EDGE != 0).count();
                let bins: Vec<usize> = k.iter().zip(xs).map(|(&k, &v)| s.bin(k, v)).collect();
                (bins, marked)
            };
            let case = format!("{lo}..{hi} in {bins} bins, own {own}, {size} bytes");
            let (fast, all) = (bins_of(&settle, &xs).0, bins_of(&everything, &xs).0);
            if let Some(i) = (0..xs.len()).find(|&i| fast[i] != all[i]) {
                panic!("{case}: {} in bin {}, not {}", xs[i], fast[i], all[i]);
            }
            // Float32 lanes take their own loop in float32 arithmetic,
            // whatever NumPy's: the same bins as every estimate settled.
            {
                let mut xs: Vec<f64> = xs.iter().map(|&v| v as f32 as f64).collect();
                xs.extend([f64::NAN, f64::INFINITY, -f64::INFINITY, 0.0, -0.0]);
                let all = bins_of(&everything, &xs).0;
                let singles: Vec<f32> = xs.iter().map(|&v| v as f32).collect();
                let mut k = vec![0; xs.len()];
                kernels::bin_numbers(&singles, &p, settle.near, settle.near32, &mut k);
                let lanes = k.iter().zip(&xs).map(|(&k, &v)| settle.bin(k, v));
                if let Some((i, b)) = lanes.enumerate().find(|&(i, b)| b != all[i]) {
                    panic!(
                        "{case}, float32 lanes: {} in bin {b}, not {}",
                        xs[i], all[i]
                    );
                }
            }
            // Tallied in blocks of odd lengths, emptied into the totals
            // every few blocks: the counts of the settled bins.
            let mut tallies = Tallies::new(bins + 2);
            tallies.limit = 3000;
            let mut index = Vec::new();
            let mut at = 0;
            for len in [1, 5, 64, 999, 2048, 3].into_iter().cycle() {
                let block = &xs[at..(at + len).min(xs.len())];
                tallies.add(block, &p, &settle, &mut index);
                at += block.len();
                if at == xs.len() {
                    break;
                }
            }
            let mut expected = vec![0u64; bins + 2];
            for &b in &all {
                expected[b] += 1;
            }
            assert_eq!(tallies.counts(), expected, "{case}: tallies");
            let (_, marked) = bins_of(&settle, &random);
            let (_, all) = bins_of(&everything, &random);
            assert_eq!(
                all,
                random.iter().filter(|&&v| v >= p.lo && v <= p.hi).count()
            );
            if size > 2 && lo.abs() < 1e5 {
                assert!(marked * 100 < random.len(), "{case}: {marked} marked");
            }
        }
    }
}
