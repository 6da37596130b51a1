//! Reductions in one pass: an [`Acc`] gathers, from each block of values,
//! everything any reduction or `stats` needs (counts of NaN and ±inf, min
//! and max with their first index, a compensated sum, and mean and M2 of the
//! finite values merged by Chan's formula). Whole-array reductions split
//! the elements into chunks that threads stream through, and merge the
//! partial accumulators in order, so results do not depend on timing.

use super::fused::SmallRun;
use super::kernels::{
    self, finite_squares_and_zeros, finite_sums, min_max_sum, squares_and_zeros, FiniteSums, Lane,
};
use super::{Block, Fused, Lazy, Values, BLOCK};
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
    /// Complex input: the parts of the elements left out of the finite
    /// sums, added as IEEE adds them (NumPy sums each part on its own, so
    /// `sum([nan+2j, 1+1j])` is `nan+3j`): of elements with an infinite
    /// part, and of elements with a NaN part (left out by `nansum`).
    pub complex: bool,
    pub inf_re: f64,
    pub inf_im: f64,
    pub nan_re: f64,
    pub nan_im: f64,
    /// Exact sum for integer input.
    pub isum: i128,
    /// The extremes exactly, for 64-bit integer input (whose blocks hold
    /// [`Block::ints`]): `min` and `max` are then these, rounded.
    pub exact: bool,
    pub imin: i128,
    pub imax: i128,
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
    /// A block of 64-bit integers rounded to float64 ([`Acc::push_ints`]),
    /// kept to be reused.
    pub(super) wide: Vec<f64>,
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
            complex: false,
            inf_re: 0.0,
            inf_im: 0.0,
            nan_re: 0.0,
            nan_im: 0.0,
            isum: 0,
            exact: false,
            imin: 0,
            imax: 0,
            min: f64::INFINITY,
            min_at: u64::MAX,
            max: f64::NEG_INFINITY,
            max_at: u64::MAX,
            first_nan: None,
            order: None,
            need: Need::All,
            wide: Vec::new(),
        }
    }
}

pub(super) fn neumaier(sum: &mut f64, comp: &mut f64, x: f64) {
    let t = *sum + x;
    if sum.abs() >= x.abs() {
        *comp += (*sum - t) + x;
    } else {
        *comp += (x - t) + *sum;
    }
    *sum = t;
}

/// Which 64-bit lanes hold a block of exact integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IntRange {
    /// Every value an int64 (uint64 below 2^63 too).
    Signed,
    /// Every value a uint64.
    Unsigned,
    /// Neither: 128-bit integers, value by value.
    Wide,
}

impl IntRange {
    /// Without an early exit, which would keep the loops scalar.
    fn of(ints: &[i128]) -> IntRange {
        if ints
            .iter()
            .fold(true, |ok, &v| ok & (v == i128::from(v as i64)))
        {
            IntRange::Signed
        } else if ints
            .iter()
            .fold(true, |ok, &v| ok & (v == i128::from(v as u64)))
        {
            IntRange::Unsigned
        } else {
            IntRange::Wide
        }
    }
}

/// A block of exact integers' minimum, maximum and exact sum, and the
/// float64 sum, squared deviations and zeros of their values rounded to
/// float64 (as `as` rounds them). In 64-bit lanes, one vector loop
/// ([`kernels::int64_parts`], [`kernels::uint64_parts`]) finds the
/// extremes and the exact sum and rounds the values into `wide`, which the
/// float kernels then read; otherwise value by value as 128-bit integers.
fn ints_moments(
    ints: &[i128],
    wide: &mut Vec<f64>,
    range: IntRange,
    squares: bool,
) -> (i128, i128, i128, f64, f64, u64) {
    if range == IntRange::Wide {
        let lo = ints.iter().copied().min().unwrap_or(0);
        let hi = ints.iter().copied().max().unwrap_or(0);
        let isum: i128 = ints.iter().sum();
        let sum: f64 = ints.iter().map(|&v| v as f64).sum();
        let mean = sum / ints.len() as f64;
        let m2: f64 = ints.iter().map(|&v| (v as f64 - mean).powi(2)).sum();
        let zeros = ints.iter().filter(|&&v| v == 0).count() as u64;
        return (lo, hi, isum, sum, m2, zeros);
    }
    wide.resize(ints.len(), 0.0);
    let (lo, hi, isum) = if range == IntRange::Signed {
        let (lo, hi, isum) = kernels::int64_parts(ints, wide);
        (i128::from(lo), i128::from(hi), isum)
    } else {
        let (lo, hi, isum) = kernels::uint64_parts(ints, wide);
        (i128::from(lo), i128::from(hi), isum)
    };
    let (sum, m2, zeros) = wide_moments(wide, squares);
    (lo, hi, isum, sum, m2, zeros)
}

/// The float64 sum of a block of integers rounded to float64 (`wide`),
/// and, with `squares`, their squared deviations and zeros (not read by
/// a sum or an extreme).
fn wide_moments(wide: &[f64], squares: bool) -> (f64, f64, u64) {
    let sum = min_max_sum(wide).2;
    let (m2, zeros) = if squares {
        squares_and_zeros(wide, sum / wide.len() as f64)
    } else {
        (0.0, 0)
    };
    (sum, m2, zeros)
}

/// Whether extreme `v` found at C index `at` beats `best` found at
/// `best_at` (`lt`: a minimum): found at all, and smaller (larger), or
/// equal and earlier in C order.
fn wins<T: PartialOrd>(v: T, at: u64, best: T, best_at: u64, lt: bool) -> bool {
    at != u64::MAX
        && (best_at == u64::MAX
            || (if lt { v < best } else { v > best })
            || (v == best && at < best_at))
}

/// Chan et al.: merges (n, mean, M2) of two disjoint sets.
pub(super) fn merge_moments(na: u64, ma: f64, m2a: f64, nb: u64, mb: f64, m2b: f64) -> (f64, f64) {
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

    /// Adds a block of values (float32 lanes or a block) whose first has
    /// flat index `base`.
    pub fn push_values(&mut self, v: Values<'_>, base: u64, int: bool) {
        match v {
            Values::Block(b) => self.push(b, base, int),
            Values::Lanes(xs) if self.need == Need::Counts => self.push_counts(xs),
            Values::Lanes(xs) => {
                if !self.push_finite_real(xs, base, 1, int) {
                    self.push_real_with_specials(xs, base, 1);
                }
            }
        }
    }

    fn push_walked(&mut self, v: Walked<'_>, base: u64, int: bool) {
        match v {
            Walked::Values(v) => self.push_values(v, base, int),
            Walked::Ints(m, run) => self.push_int_moments(&m, base, 1, |v| first_int(&run, v)),
            Walked::Int64(xs) => self.push_int64s(xs, base),
        }
    }

    /// Adds a block of values whose first has flat index `base`.
    pub fn push(&mut self, b: &Block, base: u64, int: bool) {
        match &b.ints {
            Some(ints) => self.push_ints(ints, base),
            None if self.need == Need::Counts && b.im.is_none() => self.push_counts(&b.re),
            None => self.push_strided(&b.re, b.im.as_deref(), base, 1, int),
        }
    }

    /// Real values for a reader of counts alone (`Need::Counts`): the
    /// numbers, non-zeros and NaN, in one pass that leaves the rest as it
    /// is (its readers do not look at it).
    fn push_counts<T: Lane>(&mut self, xs: &[T]) {
        let (zeros, nan) = kernels::zeros_and_nan(xs);
        let numbers = xs.len() as u64 - nan;
        self.nan += nan;
        self.n += numbers;
        self.nonzero += numbers - zeros;
    }

    /// 64-bit integers, exactly: the count, non-zeros, exact sum and
    /// extremes, and the moments from their f64 values (walk positions
    /// `base`, `base + 1`, ...).
    pub(super) fn push_ints(&mut self, ints: &[i128], base: u64) {
        if ints.is_empty() {
            return;
        }
        // 64-bit integers: loops of 64-bit lanes, which vectorise.
        let mut wide = std::mem::take(&mut self.wide);
        let (lo, hi, isum, sum, m2, zeros) =
            ints_moments(ints, &mut wide, IntRange::of(ints), self.wants_squares());
        self.wide = wide;
        let first = |v: i128| ints.iter().position(|&x| x == v).unwrap_or(0) as u64;
        let n = ints.len() as u64;
        self.add_exact((lo, hi, isum), (sum, m2, zeros), n, base, first);
    }

    /// Whether a block's squared deviations and zeros are read.
    fn wants_squares(&self) -> bool {
        matches!(self.need, Need::All | Need::Moments | Need::Counts)
    }

    /// int64 values as their lanes hold them ([`Fused::int64s`]): what
    /// [`Acc::push_ints`] makes of them, without the 128-bit block.
    fn push_int64s(&mut self, xs: &[i64], base: u64) {
        if xs.is_empty() {
            return;
        }
        let mut wide = std::mem::take(&mut self.wide);
        wide.resize(xs.len(), 0.0);
        let (lo, hi, isum) = kernels::int64_lane_parts(xs, &mut wide);
        let (sum, m2, zeros) = wide_moments(&wide, self.wants_squares());
        self.wide = wide;
        let first = |v: i128| xs.iter().position(|&x| i128::from(x) == v).unwrap_or(0) as u64;
        let (lo, hi) = (i128::from(lo), i128::from(hi));
        let n = xs.len() as u64;
        self.add_exact((lo, hi, isum), (sum, m2, zeros), n, base, first);
    }

    /// A block of `n` exact integers summarised: extremes and exact sum,
    /// float64 sum, squared deviations and zeros; `first(v)` where `v`
    /// first is in the block (looked up only when it can win).
    fn add_exact(
        &mut self,
        (lo, hi, isum): (i128, i128, i128),
        (sum, m2, zeros): (f64, f64, u64),
        n: u64,
        base: u64,
        first: impl Fn(i128) -> u64,
    ) {
        self.exact = true;
        if self.min_at == u64::MAX || lo <= self.imin {
            let at_lo = self.c_index(base + first(lo));
            if self.min_at == u64::MAX || lo < self.imin || at_lo < self.min_at {
                (self.imin, self.min, self.min_at) = (lo, lo as f64, at_lo);
            }
        }
        if self.max_at == u64::MAX || hi >= self.imax {
            let at_hi = self.c_index(base + first(hi));
            if self.max_at == u64::MAX || hi > self.imax || at_hi < self.max_at {
                (self.imax, self.max, self.max_at) = (hi, hi as f64, at_hi);
            }
        }
        self.isum += isum;
        let mean = sum / n as f64;
        (self.mean, self.m2) = merge_moments(self.finite, self.mean, self.m2, n, mean, m2);
        self.finite += n;
        self.n += n;
        self.nonzero += n - zeros;
        neumaier(&mut self.sum, &mut self.comp, sum);
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
        self.complex |= im.is_some();
        match im {
            None if self.push_finite_real(re, base, step, int) => return,
            // Integers are all finite: theirs is a sum past 2^53.
            None if !int => return self.push_real_with_specials(re, base, step),
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
            Need::All | Need::Moments => squares_and_zeros(im, mean).0,
            _ => 0.0,
        };
        (self.im_mean, self.im_m2) = merge_moments(finite, im_mean, im_m2, n, mean, m2);
        neumaier(&mut self.im_sum, &mut self.im_comp, sum);
        if matches!(self.need, Need::All | Need::Moments | Need::Counts) {
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
    fn push_finite_real<T: Lane>(&mut self, xs: &[T], base: u64, step: u64, int: bool) -> bool {
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
        // Small integers: their moments exactly, as the integer lanes
        // compute them (the same bits on either path).
        if int && matches!(self.need, Need::All | Need::Moments | Need::Counts) {
            if let Some(m) = kernels::IntMoments::of_floats(xs, lo, hi, sum) {
                self.push_int_moments(&m, base, step, |v| first_equal(xs, v as f64));
                return true;
            }
        }
        let n = xs.len() as u64;
        // A block is a run along the walk's last axis, so its first
        // occurrence of a value is also its first in C order.
        let first = |v: f64| base + step * first_equal(xs, v) as u64;
        let extremes = matches!(self.need, Need::All | Need::Extremes | Need::Bounds);
        if extremes && (lo <= self.min || self.min_at == u64::MAX) {
            self.offer_min(lo, first(lo));
        }
        if extremes && (hi >= self.max || self.max_at == u64::MAX) {
            self.offer_max(hi, first(hi));
        }
        let mean = sum / n as f64;
        let (m2, zeros) = match self.need {
            Need::All | Need::Moments | Need::Counts => squares_and_zeros(xs, mean),
            // Not read: the moments of a min or a max, non-zeros of a sum.
            Need::Sums | Need::Extremes | Need::Bounds => (0.0, 0),
        };
        self.add_real_block(n, sum, m2, zeros);
        if int {
            self.isum += sum as i128;
        }
        true
    }

    /// A block of `n` finite real values into the moments and counts: its
    /// sum, the squared deviations from its mean and its zeros.
    fn add_real_block(&mut self, n: u64, sum: f64, m2: f64, zeros: u64) {
        let mean = sum / n as f64;
        (self.mean, self.m2) = merge_moments(self.finite, self.mean, self.m2, n, mean, m2);
        let (im_mean, im_m2) = merge_moments(self.finite, self.im_mean, self.im_m2, n, 0.0, 0.0);
        (self.im_mean, self.im_m2) = (im_mean, im_m2);
        self.finite += n;
        self.n += n;
        self.nonzero += n - zeros;
        neumaier(&mut self.sum, &mut self.comp, sum);
    }

    /// A block of small integers summarised exactly (by the integer
    /// lanes, or from a float64 block by [`Acc::push_finite_real`]), its
    /// first value at walk position `base`: the extremes, count, sum and
    /// non-zeros, and the squared deviations from its integer sums.
    /// `first` finds a value's first offset in the block, asked only for
    /// an extreme that can win.
    fn push_int_moments(
        &mut self,
        m: &kernels::IntMoments,
        base: u64,
        step: u64,
        first: impl Fn(i64) -> usize,
    ) {
        if m.n == 0 {
            return;
        }
        let (lo, hi) = (m.lo as f64, m.hi as f64);
        if matches!(self.need, Need::All | Need::Extremes | Need::Bounds) {
            if lo <= self.min || self.min_at == u64::MAX {
                self.offer_min(lo, base + step * first(m.lo) as u64);
            }
            if hi >= self.max || self.max_at == u64::MAX {
                self.offer_max(hi, base + step * first(m.hi) as u64);
            }
        }
        // The squares are summed for `Need::All` only (`Want::Ints`).
        let (m2, zeros) = match self.need {
            Need::All | Need::Moments => (m.m2(), m.zeros),
            Need::Counts => (0.0, m.zeros),
            Need::Sums | Need::Extremes | Need::Bounds => (0.0, 0),
        };
        self.add_real_block(m.n, m.sum as f64, m2, zeros);
        self.isum += i128::from(m.sum);
    }

    /// Real values of which some are NaN or infinite (or whose sum
    /// overflows), as [`Acc::push_general`] counts them, without its branch
    /// per value: two vector passes with selects, the finite values' sum
    /// and count, the extremes but NaN and the numbers of NaN and
    /// infinities, then the finite values' squared deviations and the
    /// zeros; the first NaN, where there is one, is looked for after.
    fn push_real_with_specials<T: Lane>(&mut self, xs: &[T], base: u64, step: u64) {
        let FiniteSums {
            lo,
            hi,
            sum,
            finite: n,
            nan,
            pinf,
        } = finite_sums(xs);
        let ninf = xs.len() as u64 - n - nan - pinf;
        let extremes = matches!(self.need, Need::All | Need::Extremes | Need::Bounds);
        // Where the first NaN is, for the readers of it (argmin, argmax,
        // stats), when it can be earlier than the one known: a walk in C
        // order meets its NaN in order.
        let seek = self.first_nan.is_none() || self.order.is_some();
        if nan > 0 {
            self.nan += nan;
        }
        if nan > 0 && extremes && seek {
            let k = xs.iter().position(|x| x.wide().is_nan()).unwrap_or(0);
            let at = self.c_index(base + step * k as u64);
            if self.first_nan.is_none_or(|f| at < f) {
                self.first_nan = Some(at);
            }
        }
        let numbers = xs.len() as u64 - nan;
        if numbers > 0 && extremes {
            let first = |v: f64| base + step * first_equal(xs, v) as u64;
            if lo <= self.min || self.min_at == u64::MAX {
                self.offer_min(lo, first(lo));
            }
            if hi >= self.max || self.max_at == u64::MAX {
                self.offer_max(hi, first(hi));
            }
        }
        self.n += numbers;
        self.pinf += pinf;
        self.ninf += ninf;
        let mean = if n > 0 { sum / n as f64 } else { 0.0 };
        let (m2, zeros) = match self.need {
            Need::All | Need::Moments | Need::Counts => finite_squares_and_zeros(xs, mean),
            // Not read: the moments of a sum, non-zeros of a minimum.
            Need::Sums | Need::Extremes | Need::Bounds => (0.0, 0),
        };
        self.nonzero += numbers - zeros;
        if n > 0 {
            (self.mean, self.m2) = merge_moments(self.finite, self.mean, self.m2, n, mean, m2);
            let (im_mean, im_m2) =
                merge_moments(self.finite, self.im_mean, self.im_m2, n, 0.0, 0.0);
            (self.im_mean, self.im_m2) = (im_mean, im_m2);
            self.finite += n;
            neumaier(&mut self.sum, &mut self.comp, sum);
        }
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
                if im.is_some() {
                    self.nan_re += x;
                    self.nan_im += xi;
                }
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
                if im.is_some() {
                    self.inf_re += x;
                    self.inf_im += xi;
                }
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
        // 64-bit integers compare exactly; the rest by their f64 values.
        let exact = o.exact || self.exact;
        let min_wins = if exact {
            wins(o.imin, o.min_at, self.imin, self.min_at, true)
        } else {
            wins(o.min, o.min_at, self.min, self.min_at, true)
        };
        if min_wins {
            (self.imin, self.min, self.min_at) = (o.imin, o.min, o.min_at);
        }
        let max_wins = if exact {
            wins(o.imax, o.max_at, self.imax, self.max_at, false)
        } else {
            wins(o.max, o.max_at, self.max, self.max_at, false)
        };
        if max_wins {
            (self.imax, self.max, self.max_at) = (o.imax, o.max, o.max_at);
        }
        self.exact = exact;
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
        self.complex |= o.complex;
        (self.inf_re, self.inf_im) = (self.inf_re + o.inf_re, self.inf_im + o.inf_im);
        (self.nan_re, self.nan_im) = (self.nan_re + o.nan_re, self.nan_im + o.nan_im);
        if let Some(f) = o.first_nan {
            if self.first_nan.is_none_or(|s| f < s) {
                self.first_nan = Some(f);
            }
        }
    }

    /// The sum as NumPy defines it (NaN and infinities propagate), or the
    /// sum of the non-NaN values (`skipnan`). Real and imaginary parts.
    pub fn total(&self, skipnan: bool) -> (f64, f64) {
        if self.complex {
            let (mut re, mut im) = (
                self.sum + self.comp + self.inf_re,
                self.im_sum + self.im_comp + self.inf_im,
            );
            if !skipnan {
                (re, im) = (re + self.nan_re, im + self.nan_im);
            }
            return (re, im);
        }
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
        if self.complex {
            // NumPy divides by the count as a complex number (Smith's
            // division by n + 0j): an infinite part makes the other NaN.
            let scale = 1.0 / c as f64;
            return ((re + im * 0.0) * scale, (im - re * 0.0) * scale);
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
    walk(x, from, to, Want::Blocks, |v, at| match v {
        Walked::Values(Values::Block(b)) => f(b, at),
        _ => unreachable!("walk gives lanes and moments only when asked"),
    })
}

/// The flat indices within `[from, to)` where `x` is not zero (either
/// part), in order, and how many there are; with `keep` false only
/// counted (`nonzero` past the memory limit). A mask's hits, for
/// `nonzero` and `x[mask] = value`, a run at a time on every core.
pub fn nonzero_in(
    x: &Lazy,
    from: usize,
    to: usize,
    keep: bool,
) -> Result<(Vec<usize>, usize), Interrupted> {
    let (mut hits, mut count) = (Vec::new(), 0);
    for_blocks(x, from, to, |b, at| {
        for k in 0..b.re.len() {
            if b.re[k] != 0.0 || b.im_at(k) != 0.0 {
                count += 1;
                if keep {
                    hits.push(at as usize + k);
                }
            }
        }
    })?;
    Ok((hits, count))
}

/// As [`for_blocks`], with the values in float32 lanes where the
/// expression computes in them ([`Fused::values`]): for the kernels that
/// read float32 as it is.
pub fn for_values(
    x: &Lazy,
    from: usize,
    to: usize,
    mut f: impl FnMut(Values<'_>, u64),
) -> Result<(), Interrupted> {
    walk(x, from, to, Want::Lanes, |v, at| match v {
        Walked::Values(v) => f(v, at),
        Walked::Ints(..) | Walked::Int64(_) => {
            unreachable!("walk gives integer lanes only when asked")
        }
    })
}

/// A block as [`walk`] hands it over.
enum Walked<'b> {
    Values(Values<'b>),
    /// Small integers and their exact summary ([`Fused::int_moments`]).
    Ints(kernels::IntMoments, SmallRun<'b>),
    /// int64 values in their lanes ([`Fused::int64s`]).
    Int64(&'b [i64]),
}

/// What [`walk`] hands its caller.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// float64 blocks.
    Blocks,
    /// float32 lanes where the expression computes in them.
    Lanes,
    /// Those, or small integers in integer lanes with their summary
    /// ([`Fused::int_moments`]), its sum of squares only when `true`.
    Ints(bool),
}

fn walk(
    x: &Lazy,
    from: usize,
    to: usize,
    want: Want,
    mut f: impl FnMut(Walked<'_>, u64),
) -> Result<(), Interrupted> {
    if from >= to {
        return Ok(());
    }
    if let super::Node::Masked { src, mask, index } = &*x.node {
        return super::gather::masked_stream(src, mask, index, from, to, |b, at| {
            f(Walked::Values(Values::Block(b)), at)
        });
    }
    let n = x.ndim();
    if n == 0 {
        f(Walked::Values(Values::Block(&x.block(&[], 0, 1))), 0);
        return Ok(());
    }
    let last = x.shape[n - 1];
    let outer_shape = &x.shape[..n - 1];
    let mut eval = Fused::new(x);
    let ints = matches!(want, Want::Ints(_)) && eval.small_ints();
    let int64 = matches!(want, Want::Ints(_)) && eval.has_int64s();
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
        let v = if ints {
            let (m, run) = eval.int_moments(&outer, col, len, want == Want::Ints(true));
            Walked::Ints(m, run)
        } else if int64 {
            Walked::Int64(eval.int64s(&outer, col, len))
        } else if want == Want::Blocks {
            Walked::Values(Values::Block(eval.block(&outer, col, len)))
        } else {
            Walked::Values(eval.values(&outer, col, len))
        };
        f(v, flat as u64);
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

/// Chunks a reduction of all of an array is split into, when it is large:
/// several for each thread of up to 16 (so that a slow thread, on a cold
/// part of the file, does not hold up the rest), and a fixed number, so
/// that the partial moments merge the same way, to the same bits, for any
/// number of threads.
pub const WALK_CHUNKS: usize = 64;

/// How a reduction of all of `x` is split: elements per chunk, and chunks.
/// One chunk when there is little to read; otherwise [`WALK_CHUNKS`]
/// chunks of whole blocks; for a mask that selects fewer than a block per
/// chunk, chunks of fewer elements (a mask selecting few elements still
/// has all of itself to read). Never a function of the number of threads.
pub fn walk_chunks(x: &Lazy) -> (usize, usize) {
    let size = x.size();
    let scanned = x.scanned();
    if scanned < 1 << 16 || size == 0 {
        return (size.max(1), 1);
    }
    let chunk = if scanned > size {
        size.div_ceil(WALK_CHUNKS).max(1)
    } else {
        (size / WALK_CHUNKS).max(BLOCK).div_ceil(BLOCK) * BLOCK
    };
    (chunk, size.div_ceil(chunk))
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
    let _job = control::start(size as u64);
    let (chunk, chunks) = walk_chunks(x);
    if chunks == 1 {
        let mut acc = Acc {
            need,
            ..Acc::with_order(order.clone())
        };
        walk(
            x,
            0,
            size,
            Want::Ints(matches!(need, Need::All | Need::Moments)),
            |v, at| acc.push_walked(v, at, int),
        )?;
        return Ok(acc);
    }
    let parts = in_chunks(chunks, |c| {
        let mut acc = Acc {
            need,
            ..Acc::with_order(order.clone())
        };
        walk(
            x,
            c * chunk,
            ((c + 1) * chunk).min(size),
            Want::Ints(matches!(need, Need::All | Need::Moments)),
            |v, at| acc.push_walked(v, at, int),
        )?;
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
/// The index of the first value of `xs` equal to `v` (0 if none): a
/// branch-free test over 64 values at a time (vectorised), then a search
/// within the 64 that hold it. A block's extremes are looked up once per
/// new extreme, which for `max(x, axis=1)` is several times a row.
fn first_equal<T: Lane>(xs: &[T], v: f64) -> usize {
    first_where(xs, |x| x.wide() == v)
}

/// [`first_equal`] for small integers, in integer lanes or as the file's
/// bytes.
fn first_int(run: &SmallRun<'_>, v: i64) -> usize {
    match *run {
        SmallRun::Ints(xs) => first_where(xs, |x| x == v),
        SmallRun::Narrow(xs) => first_where(xs, |x| i64::from(x) == v),
        SmallRun::Raw(bytes, raw) => raw.first(bytes, v),
    }
}

/// The index of the first value of `xs` for which `hit` holds (0 if
/// none), 64 values at a time as [`first_equal`] says.
#[inline(always)]
fn first_where<T: Copy>(xs: &[T], hit: impl Fn(T) -> bool) -> usize {
    for (i, c) in xs.chunks(64).enumerate() {
        if c.iter().fold(false, |any, &x| any | hit(x)) {
            return i * 64 + c.iter().position(|&x| hit(x)).unwrap_or(0);
        }
    }
    0
}

impl Need {
    /// What the reduction `name` (`sum`, `nanmean`, ...) needs.
    pub fn of(name: &str) -> Need {
        match name.trim_start_matches("nan") {
            "sum" | "mean" => Need::Sums,
            "count_nonzero" | "any" | "all" => Need::Counts,
            "min" | "max" | "ptp" => Need::Bounds,
            "argmin" | "argmax" => Need::Extremes,
            "var" | "std" => Need::Moments,
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
    /// The numbers of values, of non-zeros and of NaN: count_nonzero,
    /// any, all. (The column kernel keeps the sums too; a block of real
    /// values is counted in one pass that keeps nothing else.)
    Counts,
    /// The extremes and where they are, and counts of NaN: argmin, argmax
    /// and their nan forms (and a histogram's range).
    Extremes,
    /// The moments and counts of what is not finite: var, std and their
    /// nan forms (an `axis=` reduction keeping the last axis of real
    /// floats takes them by a column kernel; elsewhere as `All`).
    Moments,
    /// The extremes without where they are, and counts of NaN: min, max,
    /// ptp and their nan forms (an `axis=` reduction keeping the last axis
    /// takes them by a column kernel; elsewhere as `Extremes`).
    Bounds,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::axes::reduce_axes;
    use crate::compute::{computed, xorshift};

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
                    let r = xorshift(&mut state);
                    ((r % (2 * scale)) as i128 - scale as i128) as f64
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

    /// Small integers three ways: summarised in integer lanes
    /// (`IntMoments::of`, in parts as the lanes add them), from a float64
    /// block of the same values (`of_floats`, as the general path), and a
    /// scalar reference in 128-bit integers: the same summary, the same
    /// accumulator bits, and squared deviations equal to the exact
    /// rational value rounded (within an ulp of two roundings). Values of
    /// int8, uint8, int16 and uint16 at both ends of their range.
    #[test]
    fn small_integer_blocks_agree_three_ways() {
        let mut state: u64 = 0x5eed_1e55;
        for (lo, hi) in [
            (-128i64, 127i64),
            (0, 255),
            (-32768, 32767),
            (0, 65535),
            (0, 1),
            (7, 7),
        ] {
            for len in [1usize, 63, 64, 4096, 5000, 40_000] {
                let xs: Vec<i64> = (0..len)
                    .map(|k| {
                        let r = xorshift(&mut state);
                        match k % 97 {
                            0 => lo,
                            1 => hi,
                            _ => lo + (r % (hi - lo + 1) as u64) as i64,
                        }
                    })
                    .collect();
                let floats: Vec<f64> = xs.iter().map(|&v| v as f64).collect();
                // Lanes: parts of 64, as the integer lanes hand them over.
                let mut lanes = kernels::IntMoments::default();
                for part in xs.chunks(64) {
                    lanes.add(&kernels::IntMoments::of(part, true));
                }
                assert_eq!(lanes, kernels::IntMoments::of(&xs, true));
                let no_squares = kernels::IntMoments {
                    squares: 0,
                    ..lanes
                };
                assert_eq!(kernels::IntMoments::of(&xs, false), no_squares);
                let (flo, fhi, fsum) = min_max_sum(&floats[..]);
                let general = kernels::IntMoments::of_floats(&floats[..], flo, fhi, fsum).unwrap();
                assert_eq!(lanes, general, "{lo}..{hi}, {len} values");
                // The reference.
                let n = len as i128;
                let sum: i128 = xs.iter().map(|&v| i128::from(v)).sum();
                let squares: i128 = xs.iter().map(|&v| i128::from(v) * i128::from(v)).sum();
                assert_eq!(i128::from(lanes.sum), sum);
                assert_eq!(i128::from(lanes.squares), squares);
                assert_eq!(lanes.zeros, xs.iter().filter(|&&v| v == 0).count() as u64);
                assert_eq!(
                    (lanes.lo, lanes.hi),
                    (*xs.iter().min().unwrap(), *xs.iter().max().unwrap())
                );
                let exact = (n * squares - sum * sum) as f64 / n as f64;
                assert!(
                    (lanes.m2() - exact).abs() <= exact * 2.0 * f64::EPSILON,
                    "{lo}..{hi}"
                );
                // Both paths into an accumulator: the same bits.
                let mut a = Acc::default();
                a.push_walked(Walked::Ints(lanes, SmallRun::Ints(&xs)), 10, true);
                let mut b = Acc::default();
                b.push_strided(&floats, None, 10, 1, true);
                assert_eq!(
                    (a.n, a.nonzero, a.isum, a.min_at, a.max_at),
                    (b.n, b.nonzero, b.isum, b.min_at, b.max_at)
                );
                assert_eq!(
                    (a.mean.to_bits(), a.m2.to_bits(), a.sum.to_bits()),
                    (b.mean.to_bits(), b.m2.to_bits(), b.sum.to_bits())
                );
                let first_lo = xs.iter().position(|&v| v == lanes.lo).unwrap() as u64;
                assert_eq!(a.min_at, 10 + first_lo);
                // A third way: straight from the values' bytes, in each
                // dtype that holds them and both byte orders.
                use kernels::RawInts as R;
                let raws: &[(R, usize)] = match (lo, hi) {
                    (-128, _) => &[(R::I8, 1), (R::I16(false), 2), (R::I16(true), 2)],
                    (-32768, _) => &[(R::I16(false), 2), (R::I16(true), 2)],
                    (0, 65535) => &[(R::U16(false), 2), (R::U16(true), 2)],
                    (0, 255) => &[(R::U8, 1), (R::U16(true), 2)],
                    _ => &[(R::U8, 1), (R::I8, 1), (R::U16(false), 2)],
                };
                for &(raw, size) in raws {
                    let big = matches!(raw, R::I16(true) | R::U16(true));
                    let bytes: Vec<u8> = xs
                        .iter()
                        .flat_map(|&v| {
                            let b = if big {
                                (v as u16).to_be_bytes()
                            } else {
                                (v as u16).to_le_bytes()
                            };
                            b.into_iter().take(size)
                        })
                        .collect();
                    assert_eq!(
                        kernels::IntMoments::of_raw(&bytes, raw, true),
                        lanes,
                        "{raw:?}"
                    );
                    let no_squares = kernels::IntMoments {
                        squares: 0,
                        ..lanes
                    };
                    assert_eq!(kernels::IntMoments::of_raw(&bytes, raw, false), no_squares);
                    assert_eq!(raw.first(&bytes, lanes.lo) as u64, first_lo, "{raw:?}");
                }
            }
        }
    }

    /// The vectorised path for finite complex blocks against the general
    /// one: the same counts and extremes, sums and moments to rounding.
    #[test]
    fn complex_blocks_agree_with_the_general_path() {
        let mut state: u64 = 0x0bad_cafe;
        let mut next = move || (xorshift(&mut state) % 2001) as f64 - 1000.0;
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

    /// Real blocks holding NaN and infinities (sprinkled, at either end,
    /// nothing else, or only ones of a kind; lengths around the kernels'
    /// groups) through the vector path, as float64 blocks and as float32
    /// lanes, against the general path's loop: the same counts, extremes
    /// and first NaN (walks with a step too), sums and moments to
    /// rounding; and pushed twice, so that merging is exercised.
    #[test]
    fn blocks_with_nan_and_infinities_agree_with_the_general_path() {
        let mut state: u64 = 0x00c0_ffee;
        let mut next = move || xorshift(&mut state);
        let (nan, inf) = (f64::NAN, f64::INFINITY);
        let mut blocks: Vec<Vec<f64>> = Vec::new();
        for len in [1usize, 7, 31, 64, 65, 100, 4096] {
            for density in [2u64, 17, 500] {
                blocks.push(
                    (0..len)
                        .map(|_| {
                            let r = next();
                            match r % density {
                                0 => [nan, inf, -inf, 0.0, -0.0][(r >> 20) as usize % 5],
                                _ => ((r >> 30) % 20001) as f64 * 0.01 - 100.0,
                            }
                        })
                        .collect(),
                );
            }
            blocks.push(vec![nan; len]);
            blocks.push(vec![inf; len]);
            blocks.push(
                (0..len)
                    .map(|k| if k % 2 == 0 { -inf } else { nan })
                    .collect(),
            );
            let mut ends: Vec<f64> = (0..len).map(|k| k as f64 - 3.0).collect();
            ends[len - 1] = nan;
            ends[0] = -inf;
            blocks.push(ends);
        }
        // Finite values whose sum overflows.
        blocks.push(vec![f64::MAX; 9]);
        for xs in &blocks {
            let single: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
            let wide: Vec<f64> = single.iter().map(|&x| f64::from(x)).collect();
            for step in [1u64, 3] {
                let half = xs.len() / 2;
                let (mut fast, mut lanes, mut slow) =
                    (Acc::default(), Acc::default(), Acc::default());
                for (at, part) in [(0, 0..half), (half, half..xs.len())] {
                    let base = 10 + step * at as u64;
                    fast.push_strided(&wide[part.clone()], None, base, step, false);
                    lanes.push_values(Values::Lanes(&single[part.clone()]), base, false);
                    slow.push_general(&wide[part], None, base, step, false);
                }
                let counts = |a: &Acc| {
                    (
                        (a.n, a.nan, a.pinf, a.ninf, a.nonzero, a.finite),
                        (a.min, a.min_at, a.max, a.max_at, a.first_nan),
                    )
                };
                let len = xs.len();
                assert_eq!(
                    counts(&fast),
                    counts(&slow),
                    "{len} {:?}",
                    &xs[..len.min(8)]
                );
                if step == 1 {
                    assert_eq!(counts(&lanes), counts(&slow), "{len} lanes");
                }
                let close = |u: f64, v: f64| {
                    u == v
                        || (u.is_nan() && v.is_nan())
                        || (u - v).abs() <= 1e-12 * u.abs().max(v.abs())
                };
                for a in [&fast, &lanes] {
                    let (t, w) = (a.total(false), slow.total(false));
                    assert!(close(t.0, w.0), "{len}: {t:?} vs {w:?}");
                    let (m, w) = (a.mean_value(false), slow.mean_value(false));
                    assert!(close(m.0, w.0), "{len}: {m:?} vs {w:?}");
                    let (v, w) = (a.variance(false, 0), slow.variance(false, 0));
                    assert!(close(v, w), "{len}: {v} vs {w}");
                }
            }
        }
    }

    /// The vector loop for blocks of 64-bit integers against the 128-bit
    /// one: the same extremes and exact sum (the ends of int64 included,
    /// whose halves' sums are the loop's trick), moments to rounding.
    #[test]
    fn int64_blocks_agree_with_the_128_bit_loop() {
        let mut state: u64 = 0x0123_4567;
        for len in [1usize, 5, 64, 100, 4096] {
            let ints: Vec<i128> = (0..len)
                .map(|k| {
                    let state = xorshift(&mut state);
                    match k % 7 {
                        0 => i128::from(i64::MIN),
                        1 => i128::from(i64::MAX),
                        2 => 0,
                        3 => i128::from(state as i64 >> 20),
                        _ => i128::from(state as i64),
                    }
                })
                .collect();
            // The same bits as uint64: int64's shifted by 2^63.
            let unsigned: Vec<i128> = ints.iter().map(|&v| v + (1i128 << 63)).collect();
            assert_eq!(IntRange::of(&ints), IntRange::Signed);
            // (One value, i64::MIN shifted, is 0: an int64 too.)
            let above = unsigned.iter().any(|&v| v > i128::from(i64::MAX));
            assert_eq!(above, len > 1);
            let want = if above {
                IntRange::Unsigned
            } else {
                IntRange::Signed
            };
            assert_eq!(IntRange::of(&unsigned), want);
            for (values, range) in [(&ints, IntRange::Signed), (&unsigned, IntRange::Unsigned)] {
                let mut wide = Vec::new();
                let fast = ints_moments(values, &mut wide, range, true);
                let slow = ints_moments(values, &mut wide, IntRange::Wide, true);
                assert_eq!(
                    (fast.0, fast.1, fast.2, fast.5),
                    (slow.0, slow.1, slow.2, slow.5),
                    "{len} {range:?}"
                );
                assert_eq!(fast.2, values.iter().sum::<i128>(), "{len}");
                for (u, v) in [(fast.3, slow.3), (fast.4, slow.4)] {
                    assert!(
                        (u - v).abs() <= 1e-12 * u.abs().max(v.abs()),
                        "{len}: {u} vs {v}"
                    );
                }
            }
        }
    }

    /// int64 lanes taken as they are ([`Acc::push_int64s`]) against the
    /// same values as a block of 128-bit integers ([`Acc::push_ints`]):
    /// the same accumulator to the bit, for every kind of reduction, in
    /// two blocks (so that extremes found in each, ties included, merge).
    #[test]
    fn int64_lanes_accumulate_as_their_128_bit_block() {
        let mut state: u64 = 0x89ab_cdef;
        for len in [1usize, 7, 64, 4096] {
            let xs: Vec<i64> = (0..len)
                .map(|k| {
                    let r = xorshift(&mut state) as i64;
                    match k % 5 {
                        0 => i64::MIN,
                        1 => i64::MAX,
                        2 => 0,
                        3 => r >> 40,
                        _ => r,
                    }
                })
                .collect();
            let ints: Vec<i128> = xs.iter().map(|&v| i128::from(v)).collect();
            let half = len / 2;
            for need in [Need::All, Need::Sums, Need::Extremes, Need::Counts] {
                let (mut lanes, mut block) = (
                    Acc {
                        need,
                        ..Acc::default()
                    },
                    Acc {
                        need,
                        ..Acc::default()
                    },
                );
                for (at, part) in [(0, 0..half), (half, half..len)] {
                    lanes.push_int64s(&xs[part.clone()], at as u64 + 3);
                    block.push_ints(&ints[part], at as u64 + 3);
                }
                let bits = |a: &Acc| {
                    (
                        (a.n, a.nonzero, a.finite, a.isum, a.imin, a.imax),
                        (a.min_at, a.max_at, a.exact),
                        [a.mean, a.m2, a.sum, a.comp, a.min, a.max].map(f64::to_bits),
                    )
                };
                assert_eq!(bits(&lanes), bits(&block), "{len} {need:?}");
            }
        }
    }

    fn acc_of(values: &[f64], split: usize) -> Acc {
        let mut a = Acc::default();
        a.push(
            &Block {
                re: values[..split].to_vec(),
                im: None,
                ints: None,
            },
            0,
            false,
        );
        let mut b = Acc::default();
        b.push(
            &Block {
                re: values[split..].to_vec(),
                im: None,
                ints: None,
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
            xorshift(&mut state);
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
                let (_, bounds) = reduce_axes(&x, &axes, false, Need::Bounds).unwrap();
                let (_, sums) = reduce_axes(&x, &axes, false, Need::Sums).unwrap();
                // Outputs of NaN blocks and of finite ones, both.
                assert!(all.iter().any(|a| a.nan > 0));
                assert!(axes != [2] || all.iter().any(|a| a.nan == 0));
                for (((a, e), b), s) in all.iter().zip(&ext).zip(&bounds).zip(&sums) {
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
                    assert_eq!((a.n, a.nan), (e.n, e.nan));
                    // min, max and ptp read the extremes and NaN, not where.
                    assert_eq!(
                        (a.min.to_bits(), a.max.to_bits(), a.n, a.nan),
                        (b.min.to_bits(), b.max.to_bits(), b.n, b.nan),
                        "{axes:?} complex {complex}"
                    );
                    // (With the last axis kept, real extremes take the column
                    // kernel, which counts no infinities: no reader of it
                    // needs them.)
                    if axes.contains(&2) || complex {
                        assert_eq!((a.pinf, a.ninf), (e.pinf, e.ninf));
                    }
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

    /// The column kernel of sums and counts (`Need::Sums`, `Need::Counts`)
    /// against the general accumulators, on real and complex data with NaN, infinities and
    /// zeros, over every axis and a tuple of axes: the same counts, and
    /// the same sums to a few units in the last place of float64.
    #[test]
    fn column_sums_agree_with_the_general_accumulators() {
        let shape = [5usize, 37, 300];
        let n: usize = shape.iter().product();
        let mut state: u64 = 0x2545_f491;
        let mut next = move || xorshift(&mut state);
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
                let (s2, slow) = reduce_axes(&x, &axes, false, Need::All).unwrap();
                assert_eq!(s1, s2);
                for ((f, a), b) in fast.iter().zip(&sums).zip(&slow) {
                    // What `count_nonzero`, `any` and `all` read.
                    let nonzero = |a: &Acc| (a.n, a.nan, a.nonzero);
                    assert_eq!(nonzero(f), nonzero(b), "{axes:?} complex {complex}");
                    let counts = |a: &Acc| (a.n, a.nan, a.pinf, a.ninf, a.finite);
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

    /// Counting accumulators (`count_nonzero`, `any`, `all`: one pass of
    /// zeros and NaN) against full ones, over all of an array: blocks of
    /// finite values, of zeros (`-0.0` too), NaN and infinities, split into
    /// chunks on every core and walked in one: the same numbers, non-zeros
    /// and NaN.
    #[test]
    fn counting_accumulators_count_as_full_ones() {
        let n = 3 * (1 << 16) + 77;
        let mut state: u64 = 0x51f1_5eed;
        let mut next = move || xorshift(&mut state);
        let re: Vec<f64> = (0..n)
            .map(|k| match (k < n / 3, next() % 40) {
                // The first third finite (the full accumulators' fast path).
                (false, 0) => f64::NAN,
                (false, 1) => f64::NEG_INFINITY,
                (_, 2..=9) => 0.0,
                (_, 10) => -0.0,
                (_, m) => m as f64 - 20.5,
            })
            .collect();
        for len in [n, 1000, 5] {
            let x = computed(&[len], &re[..len], None);
            let counts = |a: &Acc| (a.n, a.nan, a.nonzero);
            let full = reduce_all(&x, false, Need::All).unwrap();
            let fast = reduce_all(&x, false, Need::Counts).unwrap();
            assert_eq!(counts(&fast), counts(&full), "{len} values");
            let zeros = re[..len].iter().filter(|&&v| v == 0.0).count() as u64;
            let nan = re[..len].iter().filter(|v| v.is_nan()).count() as u64;
            assert_eq!(
                counts(&fast),
                (len as u64 - nan, nan, len as u64 - nan - zeros)
            );
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
