//! One long transform as many short ones: Bailey's four-step FFT, so a
//! transform of millions of points runs on every core and stops within
//! a part at Ctrl-C. `rustfft` computes a length as one call on one
//! thread, which nothing can interrupt: `fft` of 2^24 samples took 1.4 s
//! on one core and stopped up to 0.7 s after the signal.
//!
//! For `n = n1 * n2`, the row `x[j1 * n2 + j2]` as an `n1 x n2` matrix:
//! transposed, each of its `n2` rows (the matrix's columns) transformed
//! at `n1` points and multiplied by the twiddle `w^(j2 * k1)` (`w` the
//! `n`-th root of unity), transposed back, each of the `n1` rows
//! transformed at `n2` points, and transposed once more, which puts
//! `X[k1 + n1 * k2]` in order. Each step is split into parts of about
//! 2^16 values, taken in turn by the threads; every part checks for
//! Ctrl-C. The short transforms are `rustfft`'s. The results differ from
//! one long `rustfft` call in the last bits only (the unit tests hold
//! them within 1e-12 of its largest value).

use crate::control::{self, Interrupted};
use rustfft::num_complex::Complex64;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// Lengths from this one up are split (`n` complex float64 take 16 MiB).
pub const LONG: usize = 1 << 20;

/// The shorter side of a split is at least this (no split of a prime, or
/// of a prime times a small factor: one call then, as before).
const MIN_SIDE: usize = 64;

/// Values a part of a step holds (1 MiB of complex float64).
const PART: usize = 1 << 16;

/// A planned four-step transform of `n1 * n2` points.
pub struct FourStep {
    n1: usize,
    n2: usize,
    first: Arc<dyn Fft<f64>>,
    second: Arc<dyn Fft<f64>>,
    /// `w^(q * n1)` for `q < n2` and `w^r` for `r < n1`: `w^m` is
    /// `coarse[m / n1] * fine[m % n1]`.
    coarse: Vec<Complex64>,
    fine: Vec<Complex64>,
}

impl FourStep {
    /// The plan for `n` points, if `n` is long and splits into two sides
    /// of at least [`MIN_SIDE`].
    pub fn plan(n: usize, inverse: bool, planner: &mut FftPlanner<f64>) -> Option<FourStep> {
        if n < LONG {
            return None;
        }
        // The largest divisor up to √n: the most even split.
        let n1 = (1..=n.isqrt()).rev().find(|d| n.is_multiple_of(*d))?;
        if n1 < MIN_SIDE {
            return None;
        }
        let n2 = n / n1;
        let mut plan = |len| {
            if inverse {
                planner.plan_fft_inverse(len)
            } else {
                planner.plan_fft_forward(len)
            }
        };
        let (first, second) = (plan(n1), plan(n2));
        let sign = if inverse { 1.0 } else { -1.0 };
        let root = |m: usize| {
            let (s, c) = (sign * std::f64::consts::TAU * (m as f64 / n as f64)).sin_cos();
            Complex64::new(c, s)
        };
        Some(FourStep {
            n1,
            n2,
            first,
            second,
            coarse: (0..n2).map(|q| root(q * n1)).collect(),
            fine: (0..n1).map(root).collect(),
        })
    }

    /// The points.
    pub fn len(&self) -> usize {
        self.n1 * self.n2
    }

    /// Complex values [`Self::process`] takes as work besides the row.
    pub fn work_len(&self) -> usize {
        self.len()
    }

    /// Transforms `buf` (of [`Self::len`] values) in place, `work` its
    /// second buffer (resized to the row's length).
    pub fn process(
        &self,
        buf: &mut Vec<Complex64>,
        work: &mut Vec<Complex64>,
    ) -> Result<(), Interrupted> {
        let (n1, n2) = (self.n1, self.n2);
        debug_assert_eq!(buf.len(), self.len());
        // Made a piece at a time, checking for Ctrl-C between (mapping in
        // 256 MiB takes the kernel a tenth of a second).
        work.truncate(self.len());
        work.reserve_exact(self.len() - work.len());
        while work.len() < self.len() {
            control::check()?;
            let more = (self.len() - work.len()).min(1 << 20);
            work.extend(std::iter::repeat_n(Complex64::default(), more));
        }
        // The columns, as rows of `work`, each transformed at n1 points
        // and multiplied by its twiddles.
        transpose(buf, n1, n2, work)?;
        let per = (PART / n1).max(1);
        let parts: Vec<(usize, &mut [Complex64])> = work.chunks_mut(per * n1).enumerate().collect();
        control::in_parts(parts, |_, (p, rows)| {
            let mut scratch = vec![Complex64::default(); self.first.get_inplace_scratch_len()];
            self.first.process_with_scratch(rows, &mut scratch);
            for (i, row) in rows.chunks_mut(n1).enumerate() {
                // m = j2 k1 as q n1 + r, stepped by j2 without dividing.
                let j2 = p * per + i;
                let (dq, dr) = (j2 / n1, j2 % n1);
                let (mut q, mut r) = (0, 0);
                for z in row.iter_mut() {
                    *z *= self.coarse[q] * self.fine[r];
                    q += dq;
                    r += dr;
                    if r >= n1 {
                        r -= n1;
                        q += 1;
                    }
                }
            }
            control::check()
        })?;
        // Back to rows of n2, each transformed.
        transpose(work, n2, n1, buf)?;
        let per = (PART / n2).max(1);
        control::in_parts(buf.chunks_mut(per * n2).collect(), |_, rows| {
            let mut scratch = vec![Complex64::default(); self.second.get_inplace_scratch_len()];
            self.second.process_with_scratch(rows, &mut scratch);
            control::check()
        })?;
        // X[k1 + n1 k2] is row k1's value k2.
        transpose(buf, n1, n2, work)?;
        std::mem::swap(buf, work);
        Ok(())
    }
}

/// `dst` (`cols x rows`) the transpose of `src` (`rows x cols`), in parts
/// of `dst`'s rows on every core, a tile at a time.
fn transpose(
    src: &[Complex64],
    rows: usize,
    cols: usize,
    dst: &mut [Complex64],
) -> Result<(), Interrupted> {
    const TILE: usize = 16;
    let per = (PART / rows).max(1).next_multiple_of(TILE);
    let parts: Vec<(usize, &mut [Complex64])> = dst[..rows * cols]
        .chunks_mut(per * rows)
        .enumerate()
        .collect();
    control::in_parts(parts, |_, (p, out)| {
        let c_start = p * per;
        let c_end = c_start + out.len() / rows;
        for r0 in (0..rows).step_by(TILE) {
            let r1 = (r0 + TILE).min(rows);
            for c in c_start..c_end {
                let to = &mut out[(c - c_start) * rows..][..rows];
                for r in r0..r1 {
                    to[r] = src[r * cols + c];
                }
            }
        }
        control::check()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::Control;

    fn noise(n: usize, seed: u64) -> Vec<Complex64> {
        let mut s = seed;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        (0..n).map(|_| Complex64::new(next(), next())).collect()
    }

    /// The four steps give what one `rustfft` call gives, both ways, for
    /// a power of two, an even split, an uneven one and a product of two
    /// primes; lengths that do not split are not planned.
    #[test]
    fn four_steps_give_one_long_transforms_values() {
        let mut planner = FftPlanner::new();
        for n in [1 << 20, 3 << 19, 1021 * 1031] {
            for inverse in [false, true] {
                let plan = FourStep::plan(n, inverse, &mut planner).expect("splits");
                assert_eq!(plan.len(), n);
                assert!(plan.n1 >= MIN_SIDE && plan.n1 <= plan.n2);
                let x = noise(n, n as u64);
                let mut want = x.clone();
                let one = if inverse {
                    planner.plan_fft_inverse(n)
                } else {
                    planner.plan_fft_forward(n)
                };
                one.process(&mut want);
                let (mut got, mut work) = (x, Vec::new());
                plan.process(&mut got, &mut work).unwrap();
                let big = want.iter().map(|z| z.norm()).fold(0.0, f64::max);
                let worst = want
                    .iter()
                    .zip(&got)
                    .map(|(a, b)| (a - b).norm())
                    .fold(0.0, f64::max);
                assert!(
                    worst <= 1e-12 * big,
                    "n={n} inverse={inverse}: {worst} of {big}"
                );
            }
        }
        // A prime, twice a prime, and a length below LONG: one call.
        for n in [1_048_573, 2 * 524_309, LONG - 2] {
            assert!(FourStep::plan(n, false, &mut planner).is_none(), "{n}");
        }
    }

    /// Ctrl-C stops the transform between parts.
    #[test]
    fn a_cancelled_four_step_transform_is_interrupted() {
        let mut planner = FftPlanner::new();
        let plan = FourStep::plan(LONG, false, &mut planner).unwrap();
        let control = Control::new();
        let _entered = control::enter(control.clone());
        let _statement = control.statement();
        assert!(control.request_cancel());
        let (mut buf, mut work) = (noise(LONG, 1), Vec::new());
        assert!(plan.process(&mut buf, &mut work).is_err());
    }
}
