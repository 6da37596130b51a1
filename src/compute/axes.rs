//! `axis=` reductions in memory order: [`axes_plan`] chooses the kernel
//! and a fixed number of chunks of rows; [`reduce_axes`] walks the bytes in
//! the order they lie, adding each run along the last axis into a row of
//! accumulators ([`ColumnSums`], a vector add per row, when the last axis
//! is kept and only sums or counts are wanted), on every core, and merges
//! the chunks' partial rows in order, so the bits do not depend on the
//! number of threads.

use super::kernels::{self, Lane};
use super::reduce::{for_blocks, in_chunks, neumaier, Acc, Need};
use super::{Fused, Lazy, Values, BLOCK};
use crate::control::{self, Interrupted};

/// How an `axis=` reduction of `x` runs: which kernel, and in how many
/// chunks of rows (a fixed number, merged in order: the same bits for any
/// number of threads). The partial rows of accumulators, all held until
/// the merge, stay within 32 MiB (half the 64 MiB a reduction may hold,
/// beside its blocks and its result).
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
    /// Of those, sums of a file's small integers read as they lie, in
    /// 32-bit integer lanes ([`kernels::column_add_raw`]).
    pub raw: bool,
    /// The column kernel of extremes (see [`ColumnBounds`]): `min`, `max`,
    /// `ptp`, `argmin` and `argmax` of real values keeping the last axis.
    pub column_bounds: bool,
    /// The column kernel of moments (see [`ColumnMoments`]): `var` and
    /// `std` of real floats keeping the last axis.
    pub column_moments: bool,
    /// Bytes of one chunk's accumulators.
    pub per_chunk: usize,
    /// Elements per block: a run along the last axis at most this long.
    pub block: usize,
}

/// The column kernel's runs: [`GROUP`] rows of this many columns at once
/// (a block, 32 KiB of float64 per row; 96 KiB of accumulators, in L2).
/// Runs of 1024 were 15-20% slower over a 2 GiB file: four short runs at
/// once keep the hardware's prefetching from getting ahead of the reads.
const SUM_COLS: usize = BLOCK;
/// Rows the column kernel adds in one pass over its row of sums.
const GROUP: usize = 4;

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
    let column_bounds = matches!(need, Need::Bounds | Need::Extremes)
        && last_kept
        && !x.is_complex()
        && !super::wide(x.dtype);
    let column_moments = need == Need::Moments && last_kept && !x.is_complex() && !int;
    let per_chunk = outputs.max(1)
        * if column_sums {
            ColumnSums::BYTES_PER_OUTPUT
        } else if column_bounds {
            ColumnBounds::BYTES_PER_OUTPUT * if need == Need::Extremes { 2 } else { 1 }
        } else if column_moments {
            ColumnMoments::BYTES_PER_OUTPUT
        } else {
            std::mem::size_of::<Acc>()
        };
    // Up to 16 chunks as the 32 MiB allow (counted with this kernel's own
    // accumulators), a power of two so that 2, 4 or 8 threads share them
    // evenly: 3 chunks on 2 threads left one thread a third of the work.
    let fit = ((32 << 20) / per_chunk.max(1)).clamp(1, 16);
    let chunks = rows.min(1 << fit.ilog2()).max(1);
    AxesPlan {
        outputs,
        rows,
        chunks,
        last_kept,
        column_sums,
        raw: column_sums && need == Need::Sums && super::fused::raw_leaf(x).is_some(),
        column_bounds,
        column_moments,
        per_chunk,
        block: BLOCK,
    }
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
    let Some((perm, y, y_axes)) = memory_order(x, axes) else {
        return reduce_axes_c_order(x, axes, int, need);
    };
    let (_, mut from) = reduce_axes_c_order(&y, &y_axes, int, need)?;
    // `y`'s outputs, in C order over its kept axes, into C order over `x`'s:
    // each kept axis's step in `y`'s outputs.
    let n = x.ndim();
    let mut step = vec![0usize; n];
    let mut s = 1;
    for p in (0..n).rev().filter(|p| !y_axes.contains(p)) {
        step[perm[p]] = s;
        s *= y.shape[p];
    }
    let kept: Vec<usize> = (0..n).filter(|k| !axes.contains(k)).collect();
    let shape: Vec<usize> = kept.iter().map(|&k| x.shape[k]).collect();
    let mut at = vec![0usize; kept.len()];
    let mut accs = Vec::with_capacity(from.len());
    for _ in 0..from.len() {
        let source: usize = kept.iter().zip(&at).map(|(&k, &i)| i * step[k]).sum();
        accs.push(std::mem::take(&mut from[source]));
        // The next index in C order.
        for (i, &len) in at.iter_mut().zip(&shape).rev() {
            *i += 1;
            if *i < len {
                break;
            }
            *i = 0;
        }
    }
    Ok((shape, accs))
}

/// `x` permuted into the order its bytes lie in ([`Lazy::memory_order`]),
/// where that is not C order, with the permutation and the places of the
/// reduced `axes` in it: an `axis=` reduction of the transpose or of an
/// F-order view walks the bytes in order (the column means of `d.T` are
/// the row means of `d`). The outputs' places are the same; positions
/// along the walk are not, so `argmin` and `argmax` walk `x` itself.
pub fn memory_order(x: &Lazy, axes: &[usize]) -> Option<(Vec<usize>, Lazy, Vec<usize>)> {
    let (perm, y) = x.memory_order()?;
    let mut y_axes: Vec<usize> = (0..perm.len())
        .filter(|&p| axes.contains(&perm[p]))
        .collect();
    y_axes.sort_unstable();
    Some((perm, y, y_axes))
}

/// [`reduce_axes`] walking `x` as it is (its last axis the runs), each
/// accumulator's positions C-order flat indices of `x`.
pub fn reduce_axes_c_order(
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
        // element, no transposition; rows that share their row of outputs
        // go in fours (one evaluator each), so that the sums are read and
        // written once per four rows; the chunks' columns merged in order.
        let complex = x.is_complex();
        let counting = need == Need::Counts;
        // A file's small integers, summed (not counted) straight from
        // their bytes into 32-bit columns.
        let raw = super::fused::raw_leaf(x).filter(|_| plan.raw);
        let parts = in_chunks(chunks, |c| {
            let plain = ColumnSums::plain_for(x, rows);
            let mut cols = ColumnSums::new(outputs, last, complex, counting, plain);
            if raw.is_some() {
                cols.ints = vec![0; outputs];
            }
            let mut evals: Vec<Fused> = (0..GROUP).map(|_| Fused::narrow_leaves(x)).collect();
            let mut outers = vec![vec![0usize; n - 1]; GROUP];
            let (r0, r1) = (c * per, ((c + 1) * per).min(rows));
            let mut row = r0;
            while row < r1 {
                let base = unravel_row(row, &mut outers[0]);
                let mut h = 1;
                while h < GROUP && row + h < r1 && unravel_row(row + h, &mut outers[h]) == base {
                    h += 1;
                }
                for c0 in (0..last).step_by(SUM_COLS) {
                    control::check()?;
                    let w = SUM_COLS.min(last - c0);
                    if let Some((v, d, kind)) = raw {
                        let bytes = v.source.bytes();
                        let runs: [&[u8]; GROUP] = std::array::from_fn(|i| {
                            let (at, _, _) = super::fused::leaf_run(v, &outers[i.min(h - 1)], c0);
                            &bytes[at..at + w * d.size]
                        });
                        kernels::column_add_raw(&mut cols.ints[base + c0..][..w], &runs[..h], kind);
                        control::advance((w * h) as u64);
                        continue;
                    }
                    let mut blocks: [Option<Values>; GROUP] = [None; GROUP];
                    for (b, (e, o)) in blocks.iter_mut().zip(evals.iter_mut().zip(&outers)).take(h)
                    {
                        *b = Some(e.values(o, c0, w));
                    }
                    cols.add_rows(base + c0, &blocks[..h]);
                    control::advance((w * h) as u64);
                }
                for _ in 0..h {
                    cols.row_added(base);
                }
                row += h;
            }
            cols.settle();
            Ok(cols)
        })?;
        let total = in_order(parts, ColumnSums::merge);
        return Ok((kept_shape, total.into_accs(int)));
    }
    if plan.column_bounds || plan.column_moments {
        // Each row's run taken into its row of outputs as it comes (one
        // pass, no transposition); the chunks' rows merged in order.
        let walk = Rows {
            x,
            rows,
            per,
            chunks,
            unravel: &unravel_row,
        };
        let accs = if plan.column_moments {
            walk.by_columns(|| ColumnMoments::new(outputs))?.into_accs()
        } else {
            let positions = need == Need::Extremes;
            walk.by_columns(|| ColumnBounds::new(outputs, last, positions))?
                .into_accs()
        };
        return Ok((kept_shape, accs));
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
                let acc = &mut accs[out];
                row_values(&mut eval, &outer, last, |v, col| {
                    acc.push_values(v, (row * last + col) as u64, int)
                })?;
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
                let acc = &mut accs[base];
                row_values(&mut eval, &outer, last, |v, col| {
                    acc.push_values(v, (row * last + col) as u64, int)
                })?;
            }
            return Ok(accs);
        }
        if crate::compute::wide(x.dtype) {
            // int64 and uint64 exactly: each element to its output (no
            // vector path to keep; such reductions are rare).
            for row in r0..r1 {
                let base = unravel_row(row, &mut outer);
                row_values(&mut eval, &outer, last, |v, c0| {
                    let Values::Block(b) = v else {
                        unreachable!("64-bit integers never take float32 lanes")
                    };
                    for j in 0..b.len() {
                        let at = (row * last + c0 + j) as u64;
                        accs[base + (c0 + j) * out_stride[n - 1]].push_ints(&[b.int_at(j)], at);
                    }
                })?;
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

/// The values of one row of `x` (a run along its last axis, of length
/// `last`) block by block, each with its first column, in float32 lanes
/// where the expression computes in them ([`Fused::values`]): cancellable
/// between blocks, and counted by the progress bar.
fn row_values(
    eval: &mut Fused,
    outer: &[usize],
    last: usize,
    mut f: impl FnMut(Values<'_>, usize),
) -> Result<(), Interrupted> {
    for col in (0..last).step_by(BLOCK) {
        control::check()?;
        let len = BLOCK.min(last - col);
        f(eval.values(outer, col, len), col);
        control::advance(len as u64);
    }
    Ok(())
}

/// The chunks' partial results merged in chunk order (a fixed order: the
/// same bits for any number of threads).
fn in_order<T>(parts: Vec<T>, merge: impl Fn(&mut T, &T)) -> T {
    let mut parts = parts.into_iter();
    let mut total = parts.next().expect("at least one chunk");
    for p in parts {
        merge(&mut total, &p);
    }
    total
}

/// A row of outputs' state that runs of input along the last axis are
/// taken into element by element, rows in C order (the column kernels of
/// extremes and moments).
trait Columns: Send {
    /// The run `xs` of input row `row` into outputs `at..`.
    fn add<T: Lane>(&mut self, at: usize, xs: &[T], row: usize);
    /// Input row done, its outputs starting at `base`.
    fn row_done(&mut self, base: usize);
    /// Takes in the state of the rows after this one's.
    fn merge(&mut self, later: &Self);
}

/// The rows of an `axis=` reduction keeping the last axis, in chunks.
struct Rows<'a, U> {
    x: &'a Lazy,
    rows: usize,
    per: usize,
    chunks: usize,
    /// A row's outer index (into the slice) and its first output.
    unravel: &'a U,
}

impl<U: Fn(usize, &mut [usize]) -> usize + Sync> Rows<'_, U> {
    /// Each chunk's rows into a fresh `C`, run by run; the chunks merged in
    /// order.
    fn by_columns<C: Columns>(&self, fresh: impl Fn() -> C + Sync) -> Result<C, Interrupted> {
        let (x, n) = (self.x, self.x.ndim());
        let last = x.shape[n - 1];
        let parts = in_chunks(self.chunks, |c| {
            let mut cols = fresh();
            let mut eval = Fused::new(x);
            let mut outer = vec![0usize; n - 1];
            for row in c * self.per..((c + 1) * self.per).min(self.rows) {
                let base = (self.unravel)(row, &mut outer);
                for c0 in (0..last).step_by(SUM_COLS) {
                    control::check()?;
                    let w = SUM_COLS.min(last - c0);
                    match eval.values(&outer, c0, w) {
                        Values::Lanes(xs) => cols.add(base + c0, xs, row),
                        Values::Block(b) => cols.add(base + c0, &b.re[..w], row),
                    }
                    control::advance(w as u64);
                }
                cols.row_done(base);
            }
            Ok(cols)
        })?;
        Ok(in_order(parts, C::merge))
    }
}

/// The moments of an `axis=` reduction that keeps the last axis (`var`,
/// `std` of floats), as columns: each output's count, mean and sum of
/// squared deviations of its finite values, updated value by value
/// (Welford's) by [`kernels::column_moments`], and its NaN and infinities;
/// chunks merged by Chan's formula, as the accumulators merge.
struct ColumnMoments {
    /// Finite values, NaN, +inf and -inf per output, as float64 lanes.
    count: [Vec<f64>; 4],
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl ColumnMoments {
    const BYTES_PER_OUTPUT: usize = 6 * 8;

    fn new(outputs: usize) -> ColumnMoments {
        ColumnMoments {
            count: std::array::from_fn(|_| vec![0.0; outputs]),
            mean: vec![0.0; outputs],
            m2: vec![0.0; outputs],
        }
    }

    fn into_accs(self) -> Vec<Acc> {
        let [finite, nan, pinf, ninf] = &self.count;
        (0..self.mean.len())
            .map(|k| {
                let finite = finite[k] as u64;
                let (pinf, ninf) = (pinf[k] as u64, ninf[k] as u64);
                Acc {
                    n: finite + pinf + ninf,
                    nan: nan[k] as u64,
                    pinf,
                    ninf,
                    finite,
                    mean: self.mean[k],
                    m2: self.m2[k],
                    need: Need::Moments,
                    ..Acc::default()
                }
            })
            .collect()
    }
}

impl Columns for ColumnMoments {
    fn add<T: Lane>(&mut self, at: usize, xs: &[T], _: usize) {
        let w = xs.len();
        let [finite, nan, pinf, ninf] = &mut self.count;
        kernels::column_moments(
            [
                &mut finite[at..at + w],
                &mut nan[at..at + w],
                &mut pinf[at..at + w],
                &mut ninf[at..at + w],
            ],
            &mut self.mean[at..at + w],
            &mut self.m2[at..at + w],
            xs,
        );
    }

    fn row_done(&mut self, _: usize) {}

    fn merge(&mut self, later: &ColumnMoments) {
        for k in 0..self.mean.len() {
            let (na, nb) = (self.count[0][k] as u64, later.count[0][k] as u64);
            (self.mean[k], self.m2[k]) = super::reduce::merge_moments(
                na,
                self.mean[k],
                self.m2[k],
                nb,
                later.mean[k],
                later.m2[k],
            );
            for (c, l) in self.count.iter_mut().zip(&later.count) {
                c[k] += l[k];
            }
        }
    }
}

/// The extremes of an `axis=` reduction that keeps the last axis (`min`,
/// `max`, `ptp`, `argmin`, `argmax`), as columns: a run of input along the
/// last axis is taken into a run of outputs element by element
/// ([`kernels::column_bounds`]), each output's least and greatest value
/// and its NaN; for `argmin` and `argmax` also the rows where they and the
/// first NaN were met ([`kernels::column_args`]).
struct ColumnBounds {
    last: usize,
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// NaN per output, float64 lanes for the vectorised loop.
    nan: Vec<f64>,
    /// Elements taken into each row of outputs.
    rows: Vec<u64>,
    /// The rows (flat, of the input) of the least and greatest value and
    /// of the first NaN, -1 for none yet; empty when not asked for.
    lo_at: Vec<f64>,
    hi_at: Vec<f64>,
    nan_at: Vec<f64>,
}

impl ColumnBounds {
    const BYTES_PER_OUTPUT: usize = 3 * 8;

    fn new(outputs: usize, last: usize, positions: bool) -> ColumnBounds {
        let at = || vec![-1.0; if positions { outputs } else { 0 }];
        ColumnBounds {
            last,
            lo: vec![f64::INFINITY; outputs],
            hi: vec![f64::NEG_INFINITY; outputs],
            nan: vec![0.0; outputs],
            rows: vec![0; outputs.div_ceil(last.max(1))],
            lo_at: at(),
            hi_at: at(),
            nan_at: at(),
        }
    }
}

impl Columns for ColumnBounds {
    fn add<T: Lane>(&mut self, at: usize, xs: &[T], row: usize) {
        let w = xs.len();
        let bounds = [
            &mut self.lo[at..at + w],
            &mut self.hi[at..at + w],
            &mut self.nan[at..at + w],
        ];
        if self.lo_at.is_empty() {
            let [lo, hi, nan] = bounds;
            kernels::column_bounds(lo, hi, nan, xs);
        } else {
            let places = [
                &mut self.lo_at[at..at + w],
                &mut self.hi_at[at..at + w],
                &mut self.nan_at[at..at + w],
            ];
            kernels::column_args(bounds, places, row as f64, xs);
        }
    }

    fn row_done(&mut self, base: usize) {
        self.rows[base / self.last.max(1)] += 1;
    }

    /// Takes in the extremes of the rows after this one's: theirs where
    /// equal, as the kernel takes a later value; but where positions are
    /// kept, the first stays, as in the kernel.
    fn merge(&mut self, later: &ColumnBounds) {
        let positions = !self.lo_at.is_empty();
        for k in 0..self.lo.len() {
            if positions {
                // -1: none yet.
                if later.lo_at[k] >= 0.0 && (self.lo_at[k] < 0.0 || later.lo[k] < self.lo[k]) {
                    (self.lo[k], self.lo_at[k]) = (later.lo[k], later.lo_at[k]);
                }
                if later.hi_at[k] >= 0.0 && (self.hi_at[k] < 0.0 || later.hi[k] > self.hi[k]) {
                    (self.hi[k], self.hi_at[k]) = (later.hi[k], later.hi_at[k]);
                }
                if self.nan_at[k] < 0.0 {
                    self.nan_at[k] = later.nan_at[k];
                }
            } else {
                if later.lo[k] <= self.lo[k] {
                    self.lo[k] = later.lo[k];
                }
                if later.hi[k] >= self.hi[k] {
                    self.hi[k] = later.hi[k];
                }
            }
            self.nan[k] += later.nan[k];
        }
        for (r, l) in self.rows.iter_mut().zip(&later.rows) {
            *r += l;
        }
    }
}

impl ColumnBounds {
    fn into_accs(self) -> Vec<Acc> {
        let last = self.last.max(1);
        // An input row and an output as the input's flat C-order index.
        let flat =
            |row: f64, k: usize| (row >= 0.0).then(|| row as u64 * last as u64 + (k % last) as u64);
        (0..self.lo.len())
            .map(|k| {
                let nan = self.nan[k] as u64;
                let (min_at, max_at, first_nan, need) = if self.lo_at.is_empty() {
                    (0, 0, None, Need::Bounds)
                } else {
                    (
                        flat(self.lo_at[k], k).unwrap_or(u64::MAX),
                        flat(self.hi_at[k], k).unwrap_or(u64::MAX),
                        flat(self.nan_at[k], k),
                        Need::Extremes,
                    )
                };
                Acc {
                    n: self.rows[k / last] - nan,
                    nan,
                    min: self.lo[k],
                    max: self.hi[k],
                    min_at,
                    max_at,
                    first_nan,
                    need,
                    ..Acc::default()
                }
            })
            .collect()
    }
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
    /// Integer input whose sums float64 holds exactly ([`ColumnSums::plain_for`]):
    /// runs of it add without the compensation, which would stay zero,
    /// so that only `sum` is read and written.
    plain: bool,
    /// Complex input: per output, the parts of elements with an infinite
    /// part and of elements with a NaN part ([`Acc`]'s `inf_re`, `inf_im`,
    /// `nan_re`, `nan_im`); empty until such an element comes.
    specials: Vec<[f64; 4]>,
    /// A run's values with NaN and infinities made 0, reused
    /// ([`ColumnSums::add_real_with_specials`]).
    finite: Vec<f64>,
    /// A file's small integers summed as they lie
    /// ([`kernels::column_add_raw`]), moved into `sum` before they could
    /// pass 2^31; empty unless so summed.
    ints: Vec<i32>,
    /// Rows added to `ints` since they were last moved.
    pending: usize,
    /// NaN counted by [`ColumnSums::add_with_specials4`] (in float64
    /// lanes, exact below 2^53), added to `nan` by
    /// [`ColumnSums::settle`]; empty until such a run comes.
    bad: Vec<f64>,
}

impl ColumnSums {
    /// Bytes per output at most: four float64 sums, four counts.
    const BYTES_PER_OUTPUT: usize = 8 * 8;

    fn new(outputs: usize, last: usize, complex: bool, counting: bool, plain: bool) -> ColumnSums {
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
            plain,
            specials: Vec::new(),
            finite: Vec::new(),
            ints: Vec::new(),
            pending: 0,
            bad: Vec::new(),
        }
    }

    /// A whole row of input has been added to the row of outputs at `base`.
    fn row_added(&mut self, base: usize) {
        self.rows[base / self.last.max(1)] += 1;
        if !self.ints.is_empty() {
            self.pending += 1;
            // 2^15 rows of values below 2^16 stay below 2^31.
            if self.pending == 1 << 15 {
                self.move_ints();
            }
        }
    }

    /// Adds the 32-bit sums into `sum` (exactly: below 2^53) and clears
    /// them.
    fn move_ints(&mut self) {
        for (s, i) in self.sum.iter_mut().zip(&mut self.ints) {
            *s += f64::from(std::mem::take(i));
        }
        self.pending = 0;
    }

    /// Moves what is held apart into the common fields, before a merge:
    /// the 32-bit sums into `sum`, the `bad` counts into `nan`.
    fn settle(&mut self) {
        self.move_ints();
        for (n, b) in self.nan.iter_mut().zip(&mut self.bad) {
            *n += std::mem::take(b) as u64;
        }
    }

    /// Adds the columns of `o`, the chunk after this one's.
    fn merge(&mut self, o: &ColumnSums) {
        if !o.specials.is_empty() {
            if self.specials.is_empty() {
                self.specials = vec![[0.0; 4]; self.sum.len()];
            }
            for (m, t) in self.specials.iter_mut().zip(&o.specials) {
                for k in 0..4 {
                    m[k] += t[k];
                }
            }
        }
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

    /// Whether `x` holds integers whose float64 sums over its `rows` are
    /// exact ([`ColumnSums::exact_for`]).
    fn plain_for(x: &Lazy, rows: usize) -> bool {
        use crate::dtype::Kind;
        let integers = matches!(x.dtype.kind, Kind::Int | Kind::UInt | Kind::Bool);
        integers && Self::exact_for(x, true, rows)
    }

    /// Adds runs of input from up to four rows that share their row of
    /// outputs, each starting at output `at`: four real runs of finite
    /// values in one vector loop ([`kernels::column_add4`]), float32 lanes
    /// read as they are, anything else run by run.
    fn add_rows(&mut self, at: usize, rows: &[Option<Values<'_>>]) {
        use Values::{Block as B, Lanes as L};
        let finite = |v: &Option<Values<'_>>| match v {
            Some(B(b)) => b.im.is_none() && kernels::all_finite(&b.re),
            Some(L(xs)) => kernels::all_finite(xs),
            None => false,
        };
        match rows {
            [Some(L(a)), Some(L(b)), Some(L(c)), Some(L(d))] if rows.iter().all(finite) => {
                self.add_finite(at, &[a, b, c, d]);
            }
            [Some(B(a)), Some(B(b)), Some(B(c)), Some(B(d))] if rows.iter().all(finite) => {
                self.add_finite(at, &[&a.re, &b.re, &c.re, &d.re]);
            }
            [Some(L(a)), Some(L(b)), Some(L(c)), Some(L(d))]
                if self.nonzero.is_empty() && !self.plain =>
            {
                self.add_with_specials4(at, [a, b, c, d]);
            }
            _ => {
                for v in rows.iter().flatten() {
                    match v {
                        B(b) => self.add(at, &b.re, b.im.as_deref()),
                        L(xs) if kernels::all_finite(xs) => self.add_finite(at, &[xs]),
                        L(xs) => self.add_real_with_specials(at, xs),
                    }
                }
            }
        }
    }

    /// Four runs of real values some of which are NaN or infinite (when
    /// not counting non-zeros): added and counted in one pass over the
    /// row of sums ([`kernels::column_add4_specials`]), each value that is
    /// not finite in `bad` until [`ColumnSums::settle`]; the rare runs
    /// with an infinity have those moved to `pinf`/`ninf` by their sign.
    fn add_with_specials4(&mut self, at: usize, rows: [&[f32]; 4]) {
        let r = at..at + rows[0].len();
        if self.bad.is_empty() {
            self.bad = vec![0.0; self.sum.len()];
        }
        let (sum, comp, bad) = (
            &mut self.sum[r.clone()],
            &mut self.comp[r.clone()],
            &mut self.bad[r],
        );
        if kernels::column_add4_specials(sum, comp, bad, rows) {
            for xs in rows {
                for (j, &v) in xs.iter().enumerate() {
                    if v.is_infinite() {
                        let count = if v > 0.0 {
                            &mut self.pinf
                        } else {
                            &mut self.ninf
                        };
                        count[at + j] += 1;
                        self.bad[at + j] -= 1.0;
                    }
                }
            }
        }
    }

    /// Runs of finite real values, of one row or of four (of one length),
    /// to the outputs from `at`.
    fn add_finite<T: Lane>(&mut self, at: usize, rows: &[&[T]]) {
        let r = at..at + rows[0].len();
        let counting = !self.nonzero.is_empty();
        let nonzero: &mut [f64] = if counting {
            &mut self.nonzero[r.clone()]
        } else {
            &mut []
        };
        let sum = &mut self.sum[r.clone()];
        let comp: &mut [f64] = if self.plain {
            &mut []
        } else {
            &mut self.comp[r]
        };
        match *rows {
            [a, b, c, d] => kernels::column_add4(sum, comp, nonzero, [a, b, c, d]),
            [xs] => kernels::column_add(sum, comp, nonzero, xs),
            _ => unreachable!("one row or four"),
        }
    }

    /// A run of real values some of which are NaN or infinite: counted
    /// and made 0 in one loop ([`kernels::column_specials`]), then added
    /// as a run of finite values, which is what adding 0 for each of them
    /// is.
    fn add_real_with_specials<T: Lane>(&mut self, at: usize, xs: &[T]) {
        let r = at..at + xs.len();
        let mut finite = std::mem::take(&mut self.finite);
        finite.resize(xs.len(), 0.0);
        let nonzero: &mut [f64] = if self.nonzero.is_empty() {
            &mut []
        } else {
            &mut self.nonzero[r.clone()]
        };
        let counts = [
            &mut self.nan[r.clone()],
            &mut self.pinf[r.clone()],
            &mut self.ninf[r.clone()],
        ];
        kernels::column_specials(xs, counts, nonzero, &mut finite);
        let comp: &mut [f64] = if self.plain {
            &mut []
        } else {
            &mut self.comp[r.clone()]
        };
        kernels::column_add(&mut self.sum[r], comp, &mut [], &finite);
        self.finite = finite;
    }

    fn add(&mut self, at: usize, re: &[f64], im: Option<&[f64]>) {
        let len = re.len();
        let r = at..at + len;
        let special = im.is_some_and(|im| !(kernels::all_finite(re) && kernels::all_finite(im)));
        if special && self.specials.is_empty() {
            self.specials = vec![[0.0; 4]; self.sum.len()];
        }
        let (sum, comp) = (&mut self.sum[r.clone()], &mut self.comp[r.clone()]);
        let nan = &mut self.nan[r.clone()];
        let (pinf, ninf) = (&mut self.pinf[r.clone()], &mut self.ninf[r.clone()]);
        let counting = !self.nonzero.is_empty();
        let nonzero: &mut [f64] = if counting {
            &mut self.nonzero[r.clone()]
        } else {
            &mut []
        };
        let specials: &mut [[f64; 4]] = if special {
            &mut self.specials[r.clone()]
        } else {
            &mut []
        };
        // As Acc::push_general: NaN if either part is NaN; otherwise
        // infinite if either part is, counted by the sign of the real part.
        let mut one = |j: usize, v: f64, vi: f64| -> bool {
            let is_nan = v.is_nan() || vi.is_nan();
            let is_inf = !is_nan && (v.is_infinite() || vi.is_infinite());
            if !specials.is_empty() && (is_nan || is_inf) {
                let at = if is_nan { 2 } else { 0 };
                specials[j][at] += v;
                specials[j][at + 1] += vi;
            }
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
            None if kernels::all_finite(re) => {
                kernels::column_add(sum, comp, nonzero, re);
            }
            None => self.add_real_with_specials(at, re),
            Some(im) if kernels::all_finite(re) && kernels::all_finite(im) => {
                let (isum, icomp) = (&mut self.im_sum[r.clone()], &mut self.im_comp[r]);
                kernels::column_add_complex(sum, comp, isum, icomp, nonzero, re, im);
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
                    complex: !self.im_sum.is_empty(),
                    inf_re: self.specials.get(j).map_or(0.0, |s| s[0]),
                    inf_im: self.specials.get(j).map_or(0.0, |s| s[1]),
                    nan_re: self.specials.get(j).map_or(0.0, |s| s[2]),
                    nan_im: self.specials.get(j).map_or(0.0, |s| s[3]),
                    isum: if int { total as i128 } else { 0 },
                    ..Acc::default()
                }
            })
            .collect()
    }
}
