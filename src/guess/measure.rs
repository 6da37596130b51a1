//! Byte structure and values: each candidate dtype (`TYPES`) decoded at
//! each alignment and measured (`Measure`: validity, exponent clusters,
//! how much neighbours predict each other, the byte-entropy period), on
//! every core.

use super::rows::channels;
use crate::control::Interrupted;

/// A dtype of [`TYPES`] by its spelling.
pub(super) fn named(name: &str) -> Option<&'static Ty> {
    TYPES.iter().find(|t| t.name == name)
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Num {
    Int,
    UInt,
    Float,
}

/// A dtype `guess` considers: its spelling, part size, kind, complex,
/// big-endian.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ty {
    pub(super) name: &'static str,
    pub(super) part: usize,
    pub(super) num: Num,
    pub(super) complex: bool,
    pub(super) big: bool,
}

pub(super) const fn ty(name: &'static str, part: usize, num: Num, complex: bool, big: bool) -> Ty {
    Ty {
        name,
        part,
        num,
        complex,
        big,
    }
}

/// The dtypes tried. Where both signednesses read alike (no value with its
/// top bit set) the first of the two here comes first: unsigned up to 4
/// bytes (counts, pixels), signed for 8 (NumPy's default integer, and
/// datetime64).
pub(super) const TYPES: &[Ty] = &[
    ty("u1", 1, Num::UInt, false, false),
    ty("i1", 1, Num::Int, false, false),
    ty("<u2", 2, Num::UInt, false, false),
    ty(">u2", 2, Num::UInt, false, true),
    ty("<i2", 2, Num::Int, false, false),
    ty(">i2", 2, Num::Int, false, true),
    ty("<u4", 4, Num::UInt, false, false),
    ty(">u4", 4, Num::UInt, false, true),
    ty("<i4", 4, Num::Int, false, false),
    ty(">i4", 4, Num::Int, false, true),
    ty("<i8", 8, Num::Int, false, false),
    ty(">i8", 8, Num::Int, false, true),
    ty("<u8", 8, Num::UInt, false, false),
    ty(">u8", 8, Num::UInt, false, true),
    ty("<f2", 2, Num::Float, false, false),
    ty(">f2", 2, Num::Float, false, true),
    ty("<f4", 4, Num::Float, false, false),
    ty(">f4", 4, Num::Float, false, true),
    ty("<f8", 8, Num::Float, false, false),
    ty(">f8", 8, Num::Float, false, true),
    ty("cu8", 1, Num::UInt, true, false),
    ty("ci8", 1, Num::Int, true, false),
    ty("ci16", 2, Num::Int, true, false),
    ty("ci16_be", 2, Num::Int, true, true),
    ty("<c8", 4, Num::Float, true, false),
    ty(">c8", 4, Num::Float, true, true),
    ty("<c16", 8, Num::Float, true, false),
    ty(">c16", 8, Num::Float, true, true),
];

/// Shannon entropy (bits) of byte histograms.
pub(super) fn entropy(h: &[u64; 256]) -> f64 {
    let n: u64 = h.iter().sum();
    if n == 0 {
        return 0.0;
    }
    h.iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

/// The entropy of the bytes at each position modulo `period` (by absolute
/// file offset).
pub(super) fn column_entropy(body: &[(u64, &[u8])], period: usize) -> Vec<f64> {
    let mut h = vec![[0u64; 256]; period];
    for (at, bytes) in body {
        for (k, &b) in bytes.iter().enumerate() {
            h[((*at as usize) + k) % period][b as usize] += 1;
        }
    }
    h.iter().map(entropy).collect()
}

/// The byte structure: the smallest period whose column entropies do not
/// simply repeat a shorter one's, and how strongly its columns differ
/// (bits). Period 1 when no period shows structure.
pub(super) fn structure_period(body: &[(u64, &[u8])]) -> (usize, f64, Vec<f64>) {
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); 33];
    for (p, c) in cols.iter_mut().enumerate().skip(1) {
        *c = column_entropy(body, p);
    }
    let contrast = |c: &[f64]| {
        let hi = c.iter().cloned().fold(f64::MIN, f64::max);
        let lo = c.iter().cloned().fold(f64::MAX, f64::min);
        hi - lo
    };
    // A period p explains a multiple q when q's columns repeat p's.
    // (A counter field, such as a sample index, makes its low byte's
    // entropy fall as the period doubles: a few columns may differ.)
    let explains = |p: usize, q: usize| {
        let off = (0..q)
            .filter(|&k| (cols[q][k] - cols[p][k % p]).abs() >= 0.15)
            .count();
        off * 8 <= q
    };
    for (p, col) in cols.iter().enumerate().skip(2) {
        let c = contrast(col);
        if c < 0.3 {
            continue;
        }
        // p must not be explained by one of its divisors.
        if (1..p).any(|d| p % d == 0 && d > 1 && explains(d, p)) {
            continue;
        }
        // Its multiples within 32 must repeat it.
        if (2..=32 / p).all(|m| explains(p, m * p)) {
            return (p, c, col.clone());
        }
    }
    (1, 0.0, cols[1].clone())
}

pub(super) fn decode(t: &Ty, b: &[u8]) -> f64 {
    macro_rules! rd {
        ($ty:ty, $n:expr) => {{
            let mut a = [0u8; $n];
            a.copy_from_slice(&b[..$n]);
            if t.big {
                <$ty>::from_be_bytes(a)
            } else {
                <$ty>::from_le_bytes(a)
            }
        }};
    }
    match (t.num, t.part) {
        (Num::UInt, 1) => b[0] as f64 - if t.complex { 127.5 } else { 0.0 },
        (Num::Int, 1) => b[0] as i8 as f64,
        (Num::UInt, 2) => rd!(u16, 2) as f64,
        (Num::Int, 2) => rd!(i16, 2) as f64,
        (Num::Int, 4) => rd!(i32, 4) as f64,
        (Num::UInt, 4) => rd!(u32, 4) as f64,
        (Num::Int, 8) => rd!(i64, 8) as f64,
        (Num::UInt, 8) => rd!(u64, 8) as f64,
        (Num::Float, 2) => half::f16::from_bits(rd!(u16, 2)).to_f64(),
        (Num::Float, 4) => rd!(f32, 4) as f64,
        (Num::Float, 8) => rd!(f64, 8),
        _ => f64::NAN,
    }
}

/// A float that data holds: zero, or finite, normal and not absurd (for
/// float16, whose range is narrow, any normal value).
pub(super) fn valid_float(x: f64, part: usize) -> bool {
    let least = if part == 2 { 6.103_515_625e-5 } else { 1e-30 };
    x == 0.0 || (x.is_finite() && x.abs() >= least && x.abs() < 1e30)
}

/// A reading while it is scored: score, dtype, alignment, measure, and
/// the evidence in words.
pub(super) type Reading = (f64, Ty, usize, Measure, Vec<String>);

/// What the values of one dtype at one alignment look like.
#[derive(Clone, Debug, Default)]
pub(super) struct Measure {
    /// Fraction of valid values (floats: finite, normal, not absurd).
    pub(super) valid: f64,
    /// 1 - (mean error of predicting each value from the two before it /
    /// mean deviation from the mean), per channel, averaged: 0 for noise,
    /// near 1 for smooth signals and tones.
    pub(super) smooth: f64,
    /// The same, of the channel that fits worse (of the one channel of a
    /// real reading).
    pub(super) smooth_least: f64,
    /// Floats: fraction of non-zero values within four decades of the
    /// median magnitude.
    pub(super) cluster: f64,
    /// Complex: the magnitude of the lag-1 autocorrelation of the complex
    /// samples over their power (a steadily turning phase), and the
    /// balance of the two parts' variances.
    pub(super) turn: f64,
    pub(super) balance: f64,
    /// Complex: |correlation| of the two parts of each pair (near 0 for
    /// I/Q samples in quadrature, high for a real signal taken in pairs).
    pub(super) pair_corr: f64,
    /// Integers: fraction of neighbours (channel 0) more than half the
    /// type's range apart: a wrap, rare in the right signedness.
    pub(super) jumps: f64,
    /// Fraction of values in the inner half of the type's range (1-byte
    /// types: |x| < 64 after centring), low when bytes are read wrapped.
    pub(super) inner: f64,
    /// The values of the first channel of the first chunks, in order (for
    /// rows), and every value's range.
    pub(super) values: Vec<Vec<f64>>,
    /// Interleaved channels in `values`, and how alike a channel apart
    /// ([`channels`]).
    pub(super) channels: Option<(usize, f64)>,
    pub(super) lo: f64,
    pub(super) hi: f64,
    /// Channel 0: mean |error| of that prediction, and mean |deviation|.
    pub(super) near_abs: f64,
    pub(super) far_abs: f64,
    /// Channel 0: the 99.5th percentile of |difference| of neighbours.
    pub(super) step_q: f64,
    /// Floats: the median of log10 |x| over non-zero values.
    pub(super) log_median: f64,
    /// Channel 0: the predictor's coefficients (see [`predictor`]),
    /// averaged over the runs.
    pub(super) ar: (f64, f64),
    /// Floats: how far from uniform the top four mantissa bits are within
    /// each exponent (bits of information, see [`mantissa_information`]).
    pub(super) mantissa_info: f64,
}

/// The coefficients of the least-squares prediction of each value from
/// the two before it, about the run's mean `m`:
/// `x[k] - m ≈ a1·(x[k-1] - m) + a2·(x[k-2] - m)`, as `(a1, a2, m)`; the
/// last value (1, 0) when the run is too short or flat to fit.
pub(super) fn predictor(v: &[f64]) -> (f64, f64, f64) {
    if v.len() < 8 {
        return (1.0, 0.0, 0.0);
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let (mut r11, mut r22, mut r12, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for w in v.windows(3) {
        let (x2, x1, x0) = (w[0] - m, w[1] - m, w[2] - m);
        r11 += x1 * x1;
        r22 += x2 * x2;
        r12 += x1 * x2;
        b1 += x0 * x1;
        b2 += x0 * x2;
    }
    let det = r11 * r22 - r12 * r12;
    if det.is_nan() || det <= 1e-12 * r11 * r22 {
        return (1.0, 0.0, m);
    }
    let a1 = (b1 * r22 - b2 * r12) / det;
    let a2 = (b2 * r11 - b1 * r12) / det;
    (a1, a2, m)
}

/// 1 - the mean error of predicting each value of `v` from the two
/// before it over the mean deviation from the mean: 0 for noise, near 1
/// for a smooth signal (see [`predictor`]).
pub(super) fn smoothness(v: &[f64]) -> f64 {
    let (err, dev) = prediction_error(v, predictor(v));
    explained(err, dev)
}

/// The summed |error| of predicting `v[k]` (k ≥ 2) by the predictor
/// `(a1, a2, m)`, and the summed |deviation| of the same values from `m`
/// (the error of predicting every value by the mean).
pub(super) fn prediction_error(v: &[f64], (a1, a2, m): (f64, f64, f64)) -> (f64, f64) {
    let (mut err, mut dev) = (0.0, 0.0);
    for w in v.windows(3) {
        err += (w[2] - m - a1 * (w[1] - m) - a2 * (w[0] - m)).abs();
        dev += (w[2] - m).abs();
    }
    (err, dev)
}

/// The share of the deviation that a predictor explains, `1 - err/dev`
/// in 0..=1; 0 when there is no deviation.
pub(super) fn explained(err: f64, dev: f64) -> f64 {
    if dev > 0.0 {
        (1.0 - err / dev).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The shifts (in elements) at which Q is paired with a later or an
/// earlier value to see whether the true pairing is the most one-sided.
pub(super) const SHIFTS: [isize; 21] = [
    0, 1, -1, 2, -2, 3, -3, 5, -5, 8, -8, 13, -13, 21, -21, 34, -34, 55, -55, 89, -89,
];

/// The largest shift: Q runs start this many values before their I run.
pub(super) const REACH: usize = 89;

/// [`measure`] of every reading, on every core (the pool's threads run
/// under the caller's control, so Ctrl-C stops them and a fault reading
/// the mapping is caught as in any computation), in the order given.
pub(super) fn measure_all(
    readings: &[(&Ty, usize)],
    body: &[(u64, &[u8])],
) -> Result<Vec<Measure>, Interrupted> {
    crate::control::in_chunks(readings.len(), |k| {
        crate::control::check()?;
        let (t, phase) = readings[k];
        Ok(measure(t, phase, body))
    })
}

/// How much the top four mantissa bits of floats say beyond their
/// exponent: 4 bits less their entropy within each well-filled exponent,
/// averaged by count. Real values have a density that changes across an
/// octave, so their mantissas are not uniform; bytes read with the wrong
/// order or alignment put noise (low mantissa bytes) in those bits, which
/// makes them uniform (near 0).
pub(super) fn mantissa_information(octaves: &[[u32; 16]]) -> f64 {
    let (mut info, mut total) = (0.0, 0.0);
    for h in octaves {
        let n: u32 = h.iter().sum();
        if n < 256 {
            continue;
        }
        let n = n as f64;
        let entropy: f64 = h
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| -(c as f64 / n) * (c as f64 / n).log2())
            .sum();
        // Less the bias of the estimate from n draws of 16 cells.
        info += n * (4.0 - entropy - 15.0 / (2.0 * n * std::f64::consts::LN_2)).max(0.0);
        total += n;
    }
    if total > 0.0 {
        info / total
    } else {
        0.0
    }
}

/// The sample's chunks read as `t`, starting `phase` bytes into the
/// first element, and measured: every value of [`Measure`].
pub(super) fn measure(t: &Ty, phase: usize, body: &[(u64, &[u8])]) -> Measure {
    let elem = t.part * if t.complex { 2 } else { 1 };
    let (mut n, mut ok) = (0usize, 0usize);
    let (mut near, mut far) = ([0.0f64; 2], [0.0f64; 2]);
    let mut logs = Vec::new();
    let (mut turn_num_re, mut turn_num_im, mut power) = (0.0, 0.0, 0.0);
    let (mut sab, mut sa, mut sb, mut saa, mut sbb, mut pairs) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut inner = 0usize;
    let (mut jumps, mut steps) = (0usize, 0usize);
    let (mut var, mut mean) = ([0.0f64; 2], [0.0f64; 2]);
    let mut values = Vec::new();
    let mut steps_seen: Vec<f64> = Vec::new();
    let (mut ar1, mut ar2, mut runs) = (0.0, 0.0, 0usize);
    let mut octaves: Vec<[u32; 16]> = if t.num == Num::Float {
        vec![[0; 16]; 2048]
    } else {
        Vec::new()
    };
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (at, bytes) in body {
        let skip = (phase + elem - (*at as usize % elem)) % elem;
        if bytes.len() < skip + 2 * elem {
            continue;
        }
        let run = &bytes[skip..];
        let count = run.len() / elem;
        let chans = if t.complex { 2 } else { 1 };
        let mut ch: Vec<Vec<f64>> = vec![Vec::with_capacity(count); chans];
        for k in 0..count {
            for (c, v) in ch.iter_mut().enumerate() {
                let x = decode(t, &run[k * elem + c * t.part..]);
                v.push(x);
            }
        }
        for (c, v) in ch.iter_mut().enumerate() {
            for x in v.iter_mut() {
                n += usize::from(c == 0);
                if c == 0 && x.abs() < 64.0 {
                    inner += 1;
                }
                let good = t.num != Num::Float || valid_float(*x, t.part);
                if good {
                    ok += usize::from(c == 0);
                    if t.num == Num::Float && *x != 0.0 && logs.len() < 200_000 {
                        logs.push(x.abs().log10());
                        let (e, m4) = if t.part == 2 {
                            let b = crate::compute::f16_from(*x).to_bits() as u32;
                            ((b >> 10) & 0x1f, (b >> 6) & 0xf)
                        } else if t.part == 4 {
                            let b = (*x as f32).to_bits();
                            ((b >> 23) & 0xff, (b >> 19) & 0xf)
                        } else {
                            let b = x.to_bits();
                            (((b >> 52) & 0x7ff) as u32, ((b >> 48) & 0xf) as u32)
                        };
                        octaves[e as usize][m4 as usize] += 1;
                    }
                    lo = lo.min(*x);
                    hi = hi.max(*x);
                } else {
                    *x = 0.0;
                }
            }
            let half = v.len() / 2;
            if c == 0 && steps_seen.len() < 1 << 18 {
                steps_seen.extend(v.windows(2).map(|w| (w[1] - w[0]).abs()));
            }
            if c == 0 && t.num != Num::Float {
                let wrap = 2f64.powi(8 * t.part as i32 - 1);
                jumps += v.windows(2).filter(|w| (w[1] - w[0]).abs() > wrap).count();
                steps += v.len().saturating_sub(1);
            }
            // How well each value follows from the two before it: the
            // error of the run's best linear predictor (which follows a
            // smooth signal, and a tone at any frequency, closely) against
            // the error of predicting every value by the mean (noise).
            let fit = predictor(&v[..half]);
            if c == 0 {
                (ar1, ar2, runs) = (ar1 + fit.0, ar2 + fit.1, runs + 1);
            }
            let (err, dev) = prediction_error(&v[..half], fit);
            near[c] += err;
            far[c] += dev;
            let m = v.iter().sum::<f64>() / v.len() as f64;
            mean[c] += m;
            var[c] += v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64;
        }
        if t.complex {
            let (re, im) = (&ch[0], &ch[1]);
            for k in 0..re.len() {
                sab += re[k] * im[k];
                sa += re[k];
                sb += im[k];
                saa += re[k] * re[k];
                sbb += im[k] * im[k];
                pairs += 1.0;
            }
            for k in 1..re.len() {
                // z_k · conj(z_{k-1})
                turn_num_re += re[k] * re[k - 1] + im[k] * im[k - 1];
                turn_num_im += im[k] * re[k - 1] - re[k] * im[k - 1];
                power += re[k] * re[k] + im[k] * im[k];
            }
        }
        if values.len() < 16 {
            values.push(std::mem::take(&mut ch[0]));
        }
    }
    let chans = if t.complex { 2 } else { 1 };
    let smooth = (0..chans).map(|c| explained(near[c], far[c])).sum::<f64>() / chans as f64;
    let smooth_least = (0..chans)
        .map(|c| explained(near[c], far[c]))
        .fold(f64::INFINITY, f64::min);
    let (cluster, log_median) = if logs.is_empty() {
        (0.0, 0.0)
    } else {
        let mut s = logs.clone();
        s.sort_by(f64::total_cmp);
        let med = s[s.len() / 2];
        let near = s.iter().filter(|&&l| (l - med).abs() <= 4.0).count();
        (near as f64 / s.len() as f64, med)
    };
    let balance = if t.complex && var[0].max(var[1]) > 0.0 {
        var[0].min(var[1]) / var[0].max(var[1])
    } else {
        0.0
    };
    let turn = if power > 0.0 {
        (turn_num_re * turn_num_re + turn_num_im * turn_num_im).sqrt() / power
    } else {
        0.0
    };
    let halves: usize = body
        .iter()
        .map(|(_, b)| b.len() / elem / 2)
        .sum::<usize>()
        .max(1);
    let (near_abs, far_abs) = (near[0] / halves as f64, far[0] / halves as f64);
    let pair_corr = if pairs > 1.0 {
        let cov = sab / pairs - (sa / pairs) * (sb / pairs);
        let va = saa / pairs - (sa / pairs).powi(2);
        let vb = sbb / pairs - (sb / pairs).powi(2);
        if va > 0.0 && vb > 0.0 {
            (cov / (va * vb).sqrt()).abs()
        } else {
            1.0
        }
    } else {
        0.0
    };
    let step_q = if steps_seen.is_empty() {
        0.0
    } else {
        let k = (steps_seen.len() as f64 * 0.995) as usize;
        let k = k.min(steps_seen.len() - 1);
        *steps_seen.select_nth_unstable_by(k, f64::total_cmp).1
    };
    Measure {
        near_abs,
        far_abs,
        step_q,
        log_median,
        mantissa_info: mantissa_information(&octaves),
        ar: if runs == 0 {
            (1.0, 0.0)
        } else {
            (ar1 / runs as f64, ar2 / runs as f64)
        },
        pair_corr,
        inner: if n == 0 { 0.0 } else { inner as f64 / n as f64 },
        jumps: if steps == 0 {
            0.0
        } else {
            jumps as f64 / steps as f64
        },
        valid: if n == 0 { 0.0 } else { ok as f64 / n as f64 },
        smooth,
        smooth_least,
        cluster,
        turn,
        balance,
        channels: if t.complex { None } else { channels(&values) },
        values,
        lo,
        hi,
    }
}

/// How strongly the byte entropy at each part's most significant byte
/// stands below its least significant byte (0..1), for a dtype at an
/// alignment, given the entropies of the columns modulo `period`.
pub(super) fn msb_quiet(t: &Ty, phase: usize, cols: &[f64]) -> f64 {
    let period = cols.len();
    if t.part == 1 || !period.is_multiple_of(t.part) {
        return 0.5;
    }
    let mut sum = 0.0;
    let mut count = 0;
    for start in (0..period).step_by(t.part) {
        let first = (phase + start) % period;
        let last = (first + t.part - 1) % period;
        let (msb, lsb) = if t.big { (first, last) } else { (last, first) };
        sum += ((cols[lsb] - cols[msb]) / 4.0).clamp(-1.0, 1.0);
        count += 1;
    }
    (sum / count as f64 + 1.0) / 2.0
}

/// Whether neighbours in the body are far more alike than distant values.
pub(super) fn smooth_body(m: &Measure) -> bool {
    m.far_abs > 0.0 && m.near_abs < 0.5 * m.far_abs
}

/// Whether every stretch of 1024 sampled values spans most of the range
/// of all of them (noise, tones), unlike a drift or a field, whose start
/// may lie beyond every value sampled further on.
pub(super) fn stationary(m: &Measure) -> bool {
    let span = |v: &[f64]| {
        let (lo, hi) = v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        hi - lo
    };
    let pieces = || m.values.iter().flat_map(|v| v.chunks_exact(1024));
    let whole = span(&m.values.concat());
    whole > 0.0
        && pieces().count() >= 4
        && pieces().filter(|v| span(v) >= 0.5 * whole).count() * 4 >= pieces().count() * 3
}

/// The value test of [`header_end`] for dtype `t`: whether the element
/// at `p` of `head` is no value of the body's: an invalid float, a
/// value outside the body's range (see below), or in a smooth body a
/// jump to the next element larger than the body's neighbours make.
pub(super) fn value_misfit<'a>(
    t: &'a Ty,
    head: &'a [u8],
    m: &Measure,
    stationary: bool,
) -> impl Fn(usize) -> bool + 'a {
    let elem = t.part * if t.complex { 2 } else { 1 };
    let smooth = smooth_body(m);
    // The range of a stationary body without its rarest tenth of a
    // percent at either end, widened by a tenth: random header bytes over
    // noisy samples fall outside it often, the body's own values almost
    // never. Otherwise the sampled range widened by half, and nothing for
    // a smooth drift (its jumps tell).
    let (lo, hi) = if stationary {
        let mut all: Vec<f64> = m.values.iter().flatten().copied().collect();
        let mut quantile = |q: f64| {
            let k = ((all.len() - 1) as f64 * q) as usize;
            *all.select_nth_unstable_by(k, f64::total_cmp).1
        };
        let (a, b) = (quantile(0.001), quantile(0.999));
        (a - 0.1 * (b - a), b + 0.1 * (b - a))
    } else if !smooth {
        let width = m.hi - m.lo;
        (m.lo - 0.5 * width, m.hi + 0.5 * width)
    } else {
        (f64::NEG_INFINITY, f64::INFINITY)
    };
    let step = 2.0 * m.step_q;
    let log_median = m.log_median;
    move |p: usize| -> bool {
        let x = decode(t, &head[p..]);
        // A float seven decades from the body's typical magnitude is none of
        // its values, even where it is close to them (a tiny value beside
        // data near zero).
        if t.num == Num::Float
            && (!valid_float(x, t.part) || (x != 0.0 && (x.abs().log10() - log_median).abs() > 7.0))
        {
            return true;
        }
        x < lo
            || x > hi
            || smooth
                && p + 2 * elem <= head.len()
                && (decode(t, &head[p + elem..]) - x).abs() > step
    }
}

/// The share of little-endian float32 values in `bytes` (at most 16,384
/// of them) that no measurement holds: NaN, infinite, subnormal, or
/// beyond 1e±20 (zero is fine). Complex64 samples from a radio have next
/// to none; integer samples or bytes read as float32 have many.
pub fn implausible_f32_share(bytes: &[u8]) -> f64 {
    let values: Vec<f32> = bytes
        .chunks_exact(4)
        .take(1 << 14)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    if values.is_empty() {
        return 0.0;
    }
    let odd = values
        .iter()
        .filter(|x| {
            let a = x.abs();
            !x.is_finite() || (a != 0.0 && !(1e-20..=1e20).contains(&a))
        })
        .count();
    odd as f64 / values.len() as f64
}
