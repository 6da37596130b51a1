//! Rows and headers: the row length whose vertical neighbours resemble
//! each other most, interleaved channels, and where a header ends.

/// The evidence line of a header of `at` bytes.
pub(super) fn header_evidence(at: u64) -> String {
    format!("the first {at} bytes do not fit the rest (a header?)")
}

/// The row length of 2-D data: among the factors of `elements` from 16
/// to a third of the sample's runs, the one whose vertical neighbours
/// (values a row apart) differ least against distant values, when they
/// differ about as little as horizontal neighbours do and clearly less
/// than values a little off the row length: a dip, which a 1-D signal
/// (differences growing with distance) does not show.
pub(super) fn row_length(values: &[Vec<f64>], elements: u64) -> Option<(usize, f64)> {
    let longest = values.iter().map(Vec::len).max()?;
    // Distant values: scattered positions of the next chunk (far apart in
    // the file), or of a lone chunk itself.
    let far = {
        let (mut f, mut n) = (0.0, 0usize);
        if values.len() > 1 {
            for pair in values.windows(2) {
                let m = pair[1].len();
                for (k, a) in pair[0].iter().enumerate().take(m) {
                    f += (a - pair[1][distant(k, m)]).abs();
                    n += 1;
                }
            }
        } else {
            let v = &values[0];
            for k in 0..v.len() / 2 {
                f += (v[k] - v[distant(k, v.len())]).abs();
                n += 1;
            }
        }
        if n == 0 || f == 0.0 {
            return None;
        }
        f / n as f64
    };
    let lag_cost = |lag: usize| lag_difference(values, lag).map(|d| d / far);
    let near = lag_cost(1)?;
    if near > 0.7 {
        // Neighbours as different as anything: nothing to tell rows by.
        return None;
    }
    // A signal that oscillates along the file (values a few steps apart
    // more different than random pairs, and alike again a little further
    // on: a tone) repeats at any multiple of its period, which is no row
    // length. (An image whose rows rise steeply differs more a few steps
    // apart too, but does not come back until the next row.)
    if oscillates(&lag_cost) {
        return None;
    }
    let mut accepted: Vec<(usize, f64)> = Vec::new();
    let top = (longest / 3).min(1 << 16) as u64;
    for w in 16..=top {
        if !elements.is_multiple_of(w) || elements / w < 4 {
            continue;
        }
        let w = w as usize;
        let Some(c) = lag_cost(w) else { continue };
        // A row apart is the nearest in the image: a lag one off it (a
        // diagonal neighbour) differs more. A 1-D signal whose period is
        // near `w` has no reason to be closest exactly there.
        if (w > 1 && lag_cost(w - 1).is_some_and(|l| l <= c))
            || lag_cost(w + 1).is_some_and(|r| r <= c)
        {
            continue;
        }
        // Far more alike a row apart than side by side: a 1-D signal that
        // repeats with this period, not an image.
        if c > 0.6 || c < 0.3 * near {
            continue;
        }
        let k = (w / 8).max(2);
        let (Some(a), Some(b)) = (lag_cost(w - k), lag_cost(w + k)) else {
            continue;
        };
        // A deep dip (a smooth field), or a moderate one where values a row
        // apart are as alike as neighbours and as alike two rows apart as
        // one (an image with texture or noise). A 1-D signal drifts: values
        // two periods apart differ more than one period apart.
        let dip = a.min(b) / c.max(1e-12);
        let image_like = c <= 1.6 * near + 0.02
            && dip >= 1.5
            && lag_cost(2 * w).is_some_and(|c2| c2 <= 1.15 * c);
        if dip >= 5.0 || image_like {
            accepted.push((w, c));
        }
    }
    // Rows a multiple apart are alike too: the shortest divisor of the
    // best row that is within 5% of it (a row a few elements off the
    // true one is nearly as good, and no divisor of it).
    let best = accepted
        .iter()
        .copied()
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    accepted
        .into_iter()
        .find(|a| best.0.is_multiple_of(a.0) && a.1 <= 1.05 * best.1)
}

/// The mean |difference| of values `lag` apart within each run (none
/// from fewer than 65 pairs).
pub(super) fn lag_difference(values: &[impl AsRef<[f64]>], lag: usize) -> Option<f64> {
    let (mut d, mut n) = (0.0, 0usize);
    for v in values {
        let v = v.as_ref();
        for k in lag..v.len() {
            d += (v[k] - v[k - lag]).abs();
            n += 1;
        }
    }
    (n > 64).then(|| d / n as f64)
}

/// Whether values a few steps apart differ more than random pairs (a
/// cost above 1.1, relative to them, at a lag up to 64) and are alike
/// again a little further on (under half that cost at a lag up to 160): a
/// tone, not an image whose rows rise steeply.
pub(super) fn oscillates(cost: &dyn Fn(usize) -> Option<f64>) -> bool {
    (2..=64)
        .find(|&lag| cost(lag).is_some_and(|c| c > 1.1))
        .is_some_and(|peak| {
            let top = cost(peak).unwrap_or(0.0);
            (peak + 1..=160).any(|l| cost(l).is_some_and(|c| c < 0.5 * top))
        })
}

/// Interleaved channels (or records of a few same-typed fields): the
/// fewest `k` in 3..=8 at which each value is far
/// closer to the one `k` before it than to its neighbour, and closer
/// than at every lag that is no multiple of `k`. Returns `k` and the
/// ratio of the two differences. (Pairs are complex or real readings'
/// business; a row of 16 or more is [`row_length`]'s.)
pub(super) fn channels(values: &[Vec<f64>]) -> Option<(usize, f64)> {
    // The first 32768 values or so tell.
    let mut seen = 0;
    let values: Vec<&[f64]> = values
        .iter()
        .take_while(|v| {
            seen += v.len();
            seen - v.len() < 1 << 15
        })
        .map(|v| &v[..v.len().min(1 << 15)])
        .collect();
    let cost = |lag: usize| lag_difference(&values, lag);
    let near = cost(1).filter(|&c| c > 0.0)?;
    (3..=8usize).find_map(|k| {
        let c = cost(k).filter(|&c| c < 0.5 * near)?;
        (1..2 * k)
            .filter(|j| j % k != 0)
            .all(|j| cost(j).is_some_and(|o| o > 2.0 * c))
            .then_some((k, c / near))
    })
}

/// Byte statistics of the body by column (file position modulo
/// `period`): how much more surprising than its column's typical byte
/// each byte value is, in bits.
pub(super) struct Columns {
    pub(super) surprise: Vec<[f32; 256]>,
    pub(super) entropy: Vec<f64>,
}

pub(super) fn columns(body: &[(u64, &[u8])], period: usize) -> Columns {
    let mut h = vec![[1u64; 256]; period];
    for (at, b) in body {
        for (k, &c) in b.iter().enumerate() {
            h[(*at as usize + k) % period][c as usize] += 1;
        }
    }
    let (surprise, entropy) = h
        .iter()
        .map(|col| {
            let total: u64 = col.iter().sum();
            let bits = col.map(|c| -(c as f64 / total as f64).log2());
            let entropy: f64 = col
                .iter()
                .zip(&bits)
                .map(|(&c, b)| c as f64 / total as f64 * b)
                .sum();
            (bits.map(|b| (b - entropy) as f32), entropy)
        })
        .unzip();
    Columns { surprise, entropy }
}

impl Columns {
    /// How much likelier the bytes are as random bytes than as the
    /// body's (bits; negative where they fit the body).
    pub(super) fn odds(&self, at: usize, bytes: &[u8]) -> f64 {
        let p = self.entropy.len();
        self.bits(at, bytes)
            + (0..bytes.len())
                .map(|j| self.entropy[(at + j) % p] - 8.0)
                .sum::<f64>()
    }

    pub(super) fn bits(&self, at: usize, bytes: &[u8]) -> f64 {
        let p = self.surprise.len();
        bytes
            .iter()
            .enumerate()
            .map(|(j, &b)| self.surprise[(at + j) % p][b as usize] as f64)
            .sum()
    }
}

/// Where a header ends: the element boundary (`phase` modulo `elem`)
/// that best splits the head into a prefix that the body makes unlikely
/// and a rest that fits it. Each element before the boundary counts 8
/// bits when its value does not fit the body's (`misfit`), the surprise
/// of its bytes under the body's columns beyond 4 bits and half a bit a
/// byte (`cols`: only bytes far less likely than the body's count, as
/// data drifts away from the sampled body's statistics; none for a
/// smooth body, which is told by its continuity instead), and 2 bits less
/// as a margin; the boundary is where that sum is largest
/// (a change point), or 0 when it carries under 32 bits of evidence.
/// When the body is `stationary` (its statistics hold everywhere), the
/// bytes count by their odds of being random against being the body's
/// instead, negative where they fit: a noisy body's own bytes then
/// count against a header reaching into it.
pub(super) fn header_end(
    head: &[u8],
    cols: Option<&Columns>,
    stationary: bool,
    elem: usize,
    phase: usize,
    misfit: impl Fn(usize) -> bool,
) -> usize {
    let (mut sum, mut best, mut end) = (0.0, 0.0, 0);
    let mut p = phase % elem;
    while p + elem <= head.len() {
        let mut e = cols.map_or(0.0, |c| {
            let bytes = &head[p..p + elem];
            if stationary {
                c.odds(p, bytes).clamp(-8.0, 16.0) + 2.0
            } else {
                (c.bits(p, bytes) - 4.0 - 0.5 * elem as f64).clamp(0.0, 16.0)
            }
        });
        if misfit(p) {
            e += 8.0;
        }
        sum += e - 2.0;
        if sum > best {
            (best, end) = (sum, p + elem);
        }
        p += elem;
    }
    // Evidence that runs on to the end of the head is a wrong reading of
    // the data, not a header.
    if best < 32.0 || end + 1024 > head.len() {
        0
    } else {
        end
    }
}

/// A header end `o` found a few bytes late because the data starts with
/// zeros (or the bytes of the padding): the multiple of 100 or 256 at
/// most 8 bytes below, when it is an element boundary and only padding
/// lies between it and the padding's end `pad_end`.
pub(super) fn snap_down(
    head: &[u8],
    o: usize,
    pad_end: usize,
    aligned: &dyn Fn(usize) -> bool,
) -> usize {
    (o.saturating_sub(8)..o)
        .find(|&r| {
            r > 0
                && r <= pad_end
                && (r % 100 == 0 || r % 256 == 0)
                && aligned(r)
                && head[r..pad_end].iter().all(|&c| c == 0 || c == b' ')
        })
        .unwrap_or(o)
}

/// Where a header before records of `period` bytes ends, the records
/// starting at `first` modulo `period`: a change point as in
/// [`header_end`], over records, each counting how much its bytes fail to
/// repeat in the next record where the body's repeat (a naive Bayes over
/// the columns whose byte equals the next record's more often than not in
/// the body: exponents, high bytes, flags). Data drifting away from the
/// sampled body still repeats from record to record; a header does not.
pub(super) fn record_header_end(
    head: &[u8],
    body: &[(u64, &[u8])],
    period: usize,
    first: usize,
) -> usize {
    let (mut same, mut seen) = (vec![1u64; period], vec![2u64; period]);
    for (at, b) in body {
        for p in 0..b.len().saturating_sub(period) {
            let j = (*at as usize + p) % period;
            seen[j] += 1;
            same[j] += u64::from(b[p] == b[p + period]);
        }
    }
    let q: Vec<f64> = same
        .iter()
        .zip(&seen)
        .map(|(&a, &n)| a as f64 / n as f64)
        .collect();
    let (mut sum, mut best, mut end) = (0.0, 0.0, 0);
    let mut r = first;
    while r + 2 * period <= head.len() {
        let mut e = -1.0;
        for j in 0..period {
            let c = (r + j) % period;
            if q[c] < 0.5 {
                continue;
            }
            e += if head[r + j] == head[r + j + period] {
                -(q[c] * 256.0).log2().min(8.0)
            } else {
                (1.0 / (1.0 - q[c])).log2().min(8.0)
            };
        }
        sum += e;
        if sum > best {
            (best, end) = (sum, r + period);
        }
        r += period;
    }
    if best < 16.0 {
        0
    } else {
        end
    }
}

/// A partner for element `k` of `n` at a lag that varies from element to
/// element: the pair is as unrelated as two values drawn at random. A
/// fixed lag is not (a tone can be almost in phase again after it).
fn distant(k: usize, n: usize) -> usize {
    (k.wrapping_mul(40_503).wrapping_add(n / 2)) % n
}
