//! Order statistics of a lazy array of any size: the k-th smallest of its
//! values, NaN left out, found exactly. A view that fits in `set memory`
//! (and in 64 MiB of float64) is gathered once and selected in place
//! (`select_nth_unstable`); a bigger one is narrowed by a few streaming passes over a histogram of the bits
//! of its values (radix selection: 16 bits a pass, all wanted ranks at
//! once), until the values left in each wanted bucket fit in memory and
//! are gathered and selected. Every pass runs on every core and is
//! cancellable; memory stays within the limit whatever the view's size.

use super::reduce::{for_blocks, in_chunks, threads};
// A float64 as an unsigned integer in the same order (-0.0 and 0.0 one
// value, given back as 0.0); NaN never reach them here.
use super::sorting::{key, value64 as unkey};
use super::Lazy;
use crate::control::Interrupted;

/// The most bytes of candidates gathered for the final selection (when
/// `set memory` allows); more are narrowed by another histogram pass.
const GATHER: u64 = 64 << 20;

/// How many values a view has, NaN apart, and the non-NaN ones when they
/// were gathered (the view fitted in memory).
pub struct Counted {
    pub finite_or_inf: u64,
    pub nan: u64,
    values: Option<Vec<f64>>,
}

impl Counted {
    /// Counts already known (by `stats`' own pass): nothing gathered.
    pub fn known(nan: u64, not_nan: u64) -> Counted {
        Counted {
            finite_or_inf: not_nan,
            nan,
            values: None,
        }
    }
}

/// The chunks `[0, size)` is read in, each by one thread at a time.
fn chunking(size: usize) -> (usize, usize) {
    let chunks = (threads() * 4).min(size.div_ceil(1 << 16)).max(1);
    (chunks, size.div_ceil(chunks).max(1))
}

/// Counts the values of `x` and, when `size * 8` bytes fit in `memory`
/// (and in [`GATHER`]), gathers the non-NaN ones (in C order).
pub fn count(x: &Lazy, memory: u64) -> Result<Counted, Interrupted> {
    let size = x.size();
    let gather = (size as u64).saturating_mul(8) <= memory.min(GATHER);
    let (chunks, chunk) = chunking(size);
    let parts = in_chunks(chunks, |c| {
        let (from, to) = (c * chunk, ((c + 1) * chunk).min(size));
        let mut nan = 0u64;
        let mut vals = Vec::new();
        for_blocks(x, from, to, |b, _| {
            for &v in &b.re {
                if v.is_nan() {
                    nan += 1;
                } else if gather {
                    vals.push(v);
                }
            }
        })?;
        Ok((nan, vals))
    })?;
    let nan: u64 = parts.iter().map(|p| p.0).sum();
    Ok(Counted {
        finite_or_inf: size as u64 - nan,
        nan,
        values: gather.then(|| parts.into_iter().flat_map(|p| p.1).collect()),
    })
}

/// The values of the given ranks (0-based, ascending order of value, NaN
/// left out; each below `counted.finite_or_inf`) among the values of `x`.
pub fn select(
    x: &Lazy,
    counted: Counted,
    ranks: &[u64],
    memory: u64,
) -> Result<Vec<f64>, Interrupted> {
    if let Some(mut values) = counted.values {
        return Ok(select_in(&mut values, ranks));
    }
    let size = x.size();
    let (chunks, chunk) = chunking(size);
    // Per rank: the key bits fixed so far (`level` 16-bit digits), and the
    // rank within the values that share them.
    let mut state: Vec<(u64, u32, u64, u64)> = ranks
        .iter()
        .map(|&k| (0u64, 0u32, k, counted.finite_or_inf))
        .collect(); // (prefix, level, rank left, values sharing the prefix)
    let mut out: Vec<Option<f64>> = vec![None; ranks.len()];
    loop {
        // Ranks whose candidates now fit in memory are gathered and
        // selected; a full key (four digits) is the value itself.
        let mut pending: Vec<usize> = Vec::new();
        for (r, &(prefix, level, _, _)) in state.iter().enumerate() {
            if out[r].is_some() {
                continue;
            }
            if level == 4 {
                out[r] = Some(unkey(prefix));
            } else {
                pending.push(r);
            }
        }
        if pending.is_empty() {
            break;
        }
        let fits: u64 = {
            let mut seen: Vec<(u64, u32)> = Vec::new();
            let mut total = 0u64;
            for &r in &pending {
                let (p, l, _, n) = state[r];
                if !seen.contains(&(p, l)) {
                    seen.push((p, l));
                    total = total.saturating_add(n.saturating_mul(8));
                }
            }
            total
        };
        let targets: Vec<(u64, u32)> = {
            let mut t: Vec<(u64, u32)> =
                pending.iter().map(|&r| (state[r].0, state[r].1)).collect();
            t.sort_unstable();
            t.dedup();
            t
        };
        let matches = |k: u64, (p, l): (u64, u32)| l == 0 || k >> (64 - 16 * l) == p;
        // Gathered when small: a histogram pass is cheaper than gathering
        // and selecting among hundreds of millions of values.
        if fits <= memory.min(GATHER) {
            // Gather each target's candidates and select within them.
            let parts = in_chunks(chunks, |c| {
                let (from, to) = (c * chunk, ((c + 1) * chunk).min(size));
                let mut got: Vec<Vec<f64>> = vec![Vec::new(); targets.len()];
                for_blocks(x, from, to, |b, _| {
                    for &v in &b.re {
                        if v.is_nan() {
                            continue;
                        }
                        let k = key(v);
                        for (t, &target) in targets.iter().enumerate() {
                            if matches(k, target) {
                                got[t].push(v);
                            }
                        }
                    }
                })?;
                Ok(got)
            })?;
            let mut gathered: Vec<Vec<f64>> = vec![Vec::new(); targets.len()];
            for part in parts {
                for (t, v) in part.into_iter().enumerate() {
                    gathered[t].extend(v);
                }
            }
            for (t, &target) in targets.iter().enumerate() {
                let rs: Vec<usize> = pending
                    .iter()
                    .copied()
                    .filter(|&r| (state[r].0, state[r].1) == target)
                    .collect();
                let want: Vec<u64> = rs.iter().map(|&r| state[r].2).collect();
                let vals = select_in(&mut gathered[t], &want);
                for (r, v) in rs.into_iter().zip(vals) {
                    out[r] = Some(v);
                }
            }
            break;
        }
        // One pass: a histogram of the next 16 bits of each target's candidates.
        let parts = in_chunks(chunks, |c| {
            let (from, to) = (c * chunk, ((c + 1) * chunk).min(size));
            let mut hist: Vec<Vec<u32>> = vec![vec![0u32; 1 << 16]; targets.len()];
            for_blocks(x, from, to, |b, _| {
                for &v in &b.re {
                    if v.is_nan() {
                        continue;
                    }
                    let k = key(v);
                    for (t, &(p, l)) in targets.iter().enumerate() {
                        if matches(k, (p, l)) {
                            hist[t][((k >> (48 - 16 * l)) & 0xFFFF) as usize] += 1;
                        }
                    }
                }
            })?;
            Ok(hist)
        })?;
        let mut hist: Vec<Vec<u64>> = vec![vec![0u64; 1 << 16]; targets.len()];
        for part in parts {
            for (t, h) in part.into_iter().enumerate() {
                for (acc, n) in hist[t].iter_mut().zip(h) {
                    *acc += u64::from(n);
                }
            }
        }
        for &r in &pending {
            let (p, l, k, _) = state[r];
            let t = targets
                .iter()
                .position(|&x| x == (p, l))
                .expect("every pending rank has a target");
            let mut below = 0u64;
            for (digit, &n) in hist[t].iter().enumerate() {
                if k < below + n {
                    state[r] = ((p << 16) | digit as u64, l + 1, k - below, n);
                    break;
                }
                below += n;
            }
        }
    }
    Ok(out
        .into_iter()
        .map(|v| v.expect("every rank was found"))
        .collect())
}

/// The values of `ranks` among `values` (no NaN), selecting in place.
pub fn select_in(values: &mut [f64], ranks: &[u64]) -> Vec<f64> {
    ranks
        .iter()
        .map(|&k| {
            let k = k as usize;
            let (_, v, _) = values.select_nth_unstable_by(k, |a, b| key(*a).cmp(&key(*b)));
            if *v == 0.0 {
                0.0
            } else {
                *v
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::{Computed, Lazy};
    use crate::dtype::{ByteOrder, Kind, Scalar};
    use ndarray::{ArrayD, IxDyn};

    fn lazy(values: &[f64]) -> Lazy {
        Lazy::array(Computed {
            dtype: Scalar::new(Kind::Float, 8, ByteOrder::NATIVE),
            re: ArrayD::from_shape_vec(IxDyn(&[values.len()]), values.to_vec()).unwrap(),
            im: None,
            ints: None,
        })
    }

    #[test]
    fn keys_keep_the_order_of_floats() {
        let xs = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -1e-310,
            0.0,
            1e-310,
            2.0,
            1e300,
            f64::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{w:?}");
        }
        for &x in &xs {
            assert_eq!(unkey(key(x)), x);
        }
        assert_eq!(key(-0.0), key(0.0));
    }

    #[test]
    fn streaming_selection_equals_sorting_whatever_the_memory() {
        // A pseudo-random mix with ties, both zeros, infinities and NaN.
        let mut s = 0x9E3779B97F4A7C15u64;
        let mut xs: Vec<f64> = (0..50_000)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                match i % 97 {
                    0 => f64::NAN,
                    1 => -0.0,
                    2 => f64::INFINITY,
                    3 => 1.5,
                    _ => (s >> 11) as f64 / (1u64 << 40) as f64 - 1000.0,
                }
            })
            .collect();
        let x = lazy(&xs);
        xs.retain(|v| !v.is_nan());
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len() as u64;
        let ranks = [0, 1, n / 4, n / 2, n / 2 + 1, n - 1];
        // Everything in memory; a little (radix passes, then a gather);
        // nothing (all four digits by histogram).
        for memory in [u64::MAX, 64 << 10, 0] {
            let c = count(&x, memory).unwrap();
            assert_eq!(c.finite_or_inf, n);
            let got = select(&x, c, &ranks, memory).unwrap();
            for (r, g) in ranks.iter().zip(got) {
                let want = sorted[*r as usize];
                assert!(g == want, "rank {r} with memory {memory}: {g} vs {want}");
            }
        }
    }
}
