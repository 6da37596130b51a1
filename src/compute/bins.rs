//! Reductions into a fixed number of bins, for `hist` and the pictures:
//! [`histogram`] counts (vectorised bin numbers, NumPy's rule for the last
//! edge), [`envelope`] (min and max per plot column), [`shrink_2d`] (block
//! means or maxima per image cell). Each splits its work into
//! `PICTURE_CHUNKS` fixed chunks merged in order: the same pixels for any
//! number of threads.

use super::kernels;
pub use super::kernels::{BinMath, BinParams};
use super::reduce::{for_blocks, in_chunks};
use super::{Lazy, BLOCK};
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
        2 => half::f16::from_f64(v).to_f64(),
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
    // Each bin's left edge, and its right edge where a value at it moves
    // up (not the last bin's), NaN past the bins.
    let lower: Vec<f64> = edges[..bins].iter().copied().chain([f64::NAN; 2]).collect();
    let upper: Vec<f64> = edges[1..bins]
        .iter()
        .copied()
        .chain([f64::NAN; 3])
        .collect();
    let results = in_chunks(size.div_ceil(chunk), |c| {
        // Bins for a block first, in a loop without branches (vectorised);
        // then the tallies, in four sub-histograms taken in turn so that
        // runs of values in one bin do not wait on each other's increments.
        // Bin `bins` counts values outside, `bins + 1` NaN.
        let mut counts = [(); 4].map(|_| vec![0u64; bins + 2]);
        let mut index = Vec::with_capacity(BLOCK);
        for_blocks(x, c * chunk, ((c + 1) * chunk).min(size), |b, _| {
            index.resize(b.re.len(), 0);
            kernels::bin_numbers(&b.re, p, &mut index);
            // NumPy's correction, without a branch: the two moves exclude
            // each other, and NaN edges move nothing.
            let bin = |k: u32, v: f64| {
                let k = k as usize;
                k + usize::from(v >= upper[k]) - usize::from(v < lower[k])
            };
            let (ks, vs) = (index.chunks_exact(4), b.re.chunks_exact(4));
            let (k_rest, v_rest) = (ks.remainder(), vs.remainder());
            for (k, v) in ks.zip(vs) {
                for q in 0..4 {
                    counts[q][bin(k[q], v[q])] += 1;
                }
            }
            for (&k, &v) in k_rest.iter().zip(v_rest) {
                counts[0][bin(k, v)] += 1;
            }
        })?;
        let total = |k: usize| counts.iter().map(|c| c[k]).sum::<u64>();
        let outside = total(bins);
        let counts = (0..bins).map(total).collect::<Vec<u64>>();
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
