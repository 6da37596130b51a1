//! Planes: complex samples stored as all I values then all Q values,
//! told from interleaved pairs and from two halves of a real signal by
//! how one-sided the spectrum of the pairing is.

use super::measure::{decode, Ty, REACH, SHIFTS};
use super::Sample;

/// The one-sidedness above which two planes are taken for I and Q.
pub(super) const PLANAR_ONE_SIDED: f64 = 0.7;

/// How one-sided the spectrum of `I + jQ` is over runs of (I values, Q
/// values from [`REACH`] before the first I value to `REACH` after the
/// last). I/Q samples put each tone
/// at +f or -f, not both: |S(f) - S(-f)| / (S(f) + S(-f)) is near 1 in the
/// bins that stand above the noise, and largest at the true pairing
/// (pairing Q with the value `d` later turns a tone out of quadrature).
/// Values that are not I and Q of one instant (two halves of a real
/// signal, neighbours of one channel) share tones at an arbitrary phase:
/// one-sided by chance at some shift, rarely most at none, and not alike
/// at shifts either way (a tone's I/Q one-sidedness is |cos| of the
/// shift's phase, the same both ways). Returns the
/// `None` with too few values or no bin standing out.
/// What [`one_sidedness`] finds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Sided {
    /// One-sidedness at the true pairing, 0..1.
    pub(super) at_pairing: f64,
    /// The largest one-sidedness at another pairing.
    pub(super) shifted: f64,
    /// How far pairing with the value before fails to mirror the spectrum:
    /// about 0 for neighbours of one real channel, about 1 and more for
    /// I/Q.
    pub(super) unmirrored: f64,
}

impl Sided {
    /// One-sided as I/Q samples are, and most at the true pairing.
    pub(super) fn as_iq(&self, least: f64) -> bool {
        self.at_pairing >= least && self.at_pairing + 0.02 >= self.shifted
    }
}

pub(super) fn one_sidedness(runs: &[(Vec<f64>, Vec<f64>)]) -> Option<Sided> {
    const N: usize = 256;
    let mut fft = rustfft::FftPlanner::<f64>::new();
    let fft = fft.plan_fft_forward(N);
    let mut plus = vec![vec![0.0; N / 2]; SHIFTS.len()];
    let mut minus = plus.clone();
    let mut blocks = 0usize;
    for (i, q) in runs {
        if i.iter().chain(q).any(|x| !x.is_finite()) {
            return None;
        }
        for (k, bi) in i.chunks_exact(N).enumerate() {
            for (d, &shift) in SHIFTS.iter().enumerate() {
                let from = (k * N + REACH).wrapping_add_signed(shift);
                let Some(bq) = q.get(from..from + N) else {
                    continue;
                };
                let (mi, mq) = (
                    bi.iter().sum::<f64>() / N as f64,
                    bq.iter().sum::<f64>() / N as f64,
                );
                let mut z: Vec<rustfft::num_complex::Complex64> = bi
                    .iter()
                    .zip(bq)
                    .map(|(x, y)| rustfft::num_complex::Complex64::new(x - mi, y - mq))
                    .collect();
                fft.process(&mut z);
                for f in 1..N / 2 {
                    plus[d][f] += z[f].norm_sqr();
                    minus[d][f] += z[N - f].norm_sqr();
                }
            }
            blocks += 1;
        }
    }
    if blocks < 8 {
        return None;
    }
    // The bins that stand out: four times the median power and more.
    let power: Vec<f64> = (1..N / 2).map(|f| plus[0][f] + minus[0][f]).collect();
    let mut sorted = power.clone();
    sorted.sort_by(f64::total_cmp);
    let floor = 4.0 * sorted[sorted.len() / 2];
    let loud: Vec<usize> = (1..N / 2).filter(|&f| power[f - 1] > floor).collect();
    if loud.is_empty() {
        return None;
    }
    let sided = |d: usize| {
        let total: f64 = loud.iter().map(|&f| plus[d][f] + minus[d][f]).sum();
        let diff: f64 = loud.iter().map(|&f| (plus[d][f] - minus[d][f]).abs()).sum();
        if total > 0.0 {
            diff / total
        } else {
            0.0
        }
    };
    let shifted = (1..SHIFTS.len()).map(sided).fold(0.0, f64::max);
    // Neighbours of one real channel read as pairs: pairing with the
    // value before instead of after mirrors every bin (S(f) - S(-f) turns
    // sign, same size); a tone's I and Q do not (the difference shrinks
    // by the cosine of the tone's phase step instead).
    let d = |k: usize, f: usize| plus[k][f] - minus[k][f];
    let unmirrored = loud.iter().map(|&f| (d(0, f) + d(2, f)).abs()).sum::<f64>()
        / loud
            .iter()
            .map(|&f| d(0, f).abs())
            .sum::<f64>()
            .max(f64::MIN_POSITIVE);
    Some(Sided {
        at_pairing: sided(0),
        shifted,
        unmirrored,
    })
}

/// Whether interleaved pairs of `t` at `phase` read as I/Q samples: one-
/// sided, and not mirrored by pairing with the value before (as
/// neighbours of one real channel are).
pub(super) fn interleaved_iq(t: &Ty, s: &Sample, phase: usize) -> bool {
    one_sidedness(&interleaved_runs(t, s, phase))
        .is_some_and(|v| v.at_pairing >= 0.7 && v.unmirrored >= 0.3)
}

/// Runs of (I, Q) for complex samples stored as two planes of dtype `t`:
/// each value of the first half (after `offset`) and the value half the
/// data on. Empty when the data does not split into two planes.
pub(super) fn planar_runs(t: &Ty, s: &Sample, offset: u64) -> Vec<(Vec<f64>, Vec<f64>)> {
    let e = t.part as u64;
    let Some(data) = s.len.checked_sub(offset) else {
        return Vec::new();
    };
    if data % (2 * e) != 0 {
        return Vec::new();
    }
    let plane = data / 2;
    let reach = REACH as u64;
    let mut runs = Vec::new();
    for &(a, chunk) in &s.body {
        // The first element boundary in this chunk with `REACH` elements
        // before its partner, and the partner.
        let first = a.max(offset + reach * e);
        let first = first + (e - (first - offset) % e) % e;
        let from = first + plane - reach * e;
        let Some(&(b, other)) = s
            .partners
            .iter()
            .find(|(b, o)| *b <= from && first + plane < b + o.len() as u64)
        else {
            continue;
        };
        let n = ((a + chunk.len() as u64).saturating_sub(first) / e)
            .min((b + other.len() as u64 - first - plane) / e)
            .min(plane / e)
            .saturating_sub(reach);
        if n == 0 {
            continue;
        }
        let at = |p: u64, base: u64, bytes: &[u8]| decode(t, &bytes[(p - base) as usize..]);
        let i = (0..n).map(|k| at(first + k * e, a, chunk)).collect();
        let q = (0..n + 2 * reach)
            .map(|k| at(from + k * e, b, other))
            .collect();
        runs.push((i, q));
    }
    runs
}

/// Runs of (I, Q) for interleaved complex samples of dtype `t` (complex)
/// whose elements start at `phase` in the sampled chunks.
pub(super) fn interleaved_runs(t: &Ty, s: &Sample, phase: usize) -> Vec<(Vec<f64>, Vec<f64>)> {
    let (p, e) = (t.part, 2 * t.part);
    s.body
        .iter()
        .map(|&(a, chunk)| {
            let start = (phase + e - (a as usize) % e) % e;
            let els: Vec<&[u8]> = chunk.get(start..).unwrap_or(&[]).chunks_exact(e).collect();
            let inner = els
                .get(REACH..els.len().saturating_sub(REACH))
                .unwrap_or(&[]);
            let i = inner.iter().map(|b| decode(t, b)).collect();
            let q = els.iter().map(|b| decode(t, &b[p..])).collect();
            (i, q)
        })
        .collect()
}
